//! Pig's arithmetic: `+ - * / %` and unary minus, and the numeric promotion the planner uses
//! to pick the type both operands are cast to.
//!
//! The operators expect two values of the same numeric type (the planner inserts the casts).
//! Given values of different types they promote both with [`wider_numeric`] and cast; if
//! that is impossible the result is null. Null in, null out. Integer arithmetic wraps like
//! Java's, integer `/` and `%` truncate, and integer division by zero gives null; float and
//! double follow IEEE (`1.0/0` is `Infinity`).

use std::num::NonZeroU64;

use bigdecimal::{BigDecimal, RoundingMode};
use num_bigint::BigInt;
use num_traits::Zero;

use crate::cast::cast;
use crate::types::PigType;
use crate::value::Value;

/// The rank of a numeric type in Pig's promotion order: int 1 < long 2 < float 3 < double 4;
/// biginteger 5 and bigdecimal 6 (which only combine with themselves). `None` for the
/// other types.
pub fn numeric_rank(t: &PigType) -> Option<u8> {
    match t {
        PigType::Int => Some(1),
        PigType::Long => Some(2),
        PigType::Float => Some(3),
        PigType::Double => Some(4),
        PigType::BigInteger => Some(5),
        PigType::BigDecimal => Some(6),
        _ => None,
    }
}

/// The type both operands of a binary arithmetic operator are cast to.
///
/// int < long < float < double take the wider; biginteger and bigdecimal only with the same
/// type; bytearray with bytearray gives double, bytearray with a numeric type gives that type.
/// `None` when the operator does not apply.
pub fn wider_numeric(a: &PigType, b: &PigType) -> Option<PigType> {
    match (a, b) {
        (PigType::Bytearray, PigType::Bytearray) => Some(PigType::Double),
        (PigType::Bytearray, x) | (x, PigType::Bytearray) => {
            numeric_rank(x).is_some().then(|| x.clone())
        }
        (PigType::BigInteger, PigType::BigInteger) => Some(PigType::BigInteger),
        (PigType::BigDecimal, PigType::BigDecimal) => Some(PigType::BigDecimal),
        _ => {
            let (ra, rb) = (numeric_rank(a)?, numeric_rank(b)?);
            if ra > 4 || rb > 4 {
                return None;
            }
            Some(if ra >= rb { a.clone() } else { b.clone() })
        }
    }
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// `a + b`.
pub fn add(a: &Value, b: &Value) -> Value {
    binary(a, b, Op::Add)
}

/// `a - b`.
pub fn sub(a: &Value, b: &Value) -> Value {
    binary(a, b, Op::Sub)
}

/// `a * b`.
pub fn mul(a: &Value, b: &Value) -> Value {
    binary(a, b, Op::Mul)
}

/// `a / b`: integers truncate toward zero and give null on division by zero; floats follow
/// IEEE; bigdecimals divide to 34 significant digits (Java's `MathContext.DECIMAL128`).
pub fn div(a: &Value, b: &Value) -> Value {
    binary(a, b, Op::Div)
}

/// `a % b`: Java's remainder (the sign of `a`); null when an integer `b` is zero.
pub fn rem(a: &Value, b: &Value) -> Value {
    binary(a, b, Op::Rem)
}

/// `-a`. A bytearray is read as a double first.
pub fn neg(a: &Value) -> Value {
    match a {
        Value::Int(x) => Value::Int(x.wrapping_neg()),
        Value::Long(x) => Value::Long(x.wrapping_neg()),
        Value::Float(x) => Value::Float(-x),
        Value::Double(x) => Value::Double(-x),
        Value::BigInteger(x) => Value::BigInteger(Box::new(-&**x)),
        Value::BigDecimal(x) => Value::BigDecimal(Box::new(-&**x)),
        Value::Bytearray(_) => match cast(a, &PigType::Double) {
            Ok(v) => neg(&v),
            Err(_) => Value::Null,
        },
        _ => Value::Null,
    }
}

fn binary(a: &Value, b: &Value, op: Op) -> Value {
    use Value::*;
    match (a, b) {
        (Int(x), Int(y)) => int_op(*x, *y, op).map_or(Null, Int),
        (Long(x), Long(y)) => long_op(*x, *y, op).map_or(Null, Long),
        (Float(x), Float(y)) => Float(match op {
            Op::Add => x + y,
            Op::Sub => x - y,
            Op::Mul => x * y,
            Op::Div => x / y,
            Op::Rem => x % y,
        }),
        (Double(x), Double(y)) => Double(match op {
            Op::Add => x + y,
            Op::Sub => x - y,
            Op::Mul => x * y,
            Op::Div => x / y,
            Op::Rem => x % y,
        }),
        (BigInteger(x), BigInteger(y)) => {
            bigint_op(x, y, op).map_or(Null, |v| BigInteger(Box::new(v)))
        }
        (BigDecimal(x), BigDecimal(y)) => {
            bigdec_op(x, y, op).map_or(Null, |v| BigDecimal(Box::new(v)))
        }
        (Null, _) | (_, Null) => Null,
        _ => {
            // Mixed types: promote as the planner would, then retry once.
            let (Some(ta), Some(tb)) = (a.pig_type(), b.pig_type()) else {
                return Null;
            };
            let Some(t) = wider_numeric(&ta, &tb) else {
                return Null;
            };
            match (cast(a, &t), cast(b, &t)) {
                (Ok(x), Ok(y)) if x.pig_type() == Some(t.clone()) && y.pig_type() == Some(t) => {
                    binary(&x, &y, op)
                }
                _ => Null,
            }
        }
    }
}

fn int_op(x: i32, y: i32, op: Op) -> Option<i32> {
    Some(match op {
        Op::Add => x.wrapping_add(y),
        Op::Sub => x.wrapping_sub(y),
        Op::Mul => x.wrapping_mul(y),
        Op::Div if y == 0 => return None,
        Op::Div => x.wrapping_div(y),
        Op::Rem if y == 0 => return None,
        Op::Rem => x.wrapping_rem(y),
    })
}

fn long_op(x: i64, y: i64, op: Op) -> Option<i64> {
    Some(match op {
        Op::Add => x.wrapping_add(y),
        Op::Sub => x.wrapping_sub(y),
        Op::Mul => x.wrapping_mul(y),
        Op::Div if y == 0 => return None,
        Op::Div => x.wrapping_div(y),
        Op::Rem if y == 0 => return None,
        Op::Rem => x.wrapping_rem(y),
    })
}

fn bigint_op(x: &BigInt, y: &BigInt, op: Op) -> Option<BigInt> {
    Some(match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div if y.is_zero() => return None,
        Op::Div => x / y,
        Op::Rem if y.is_zero() => return None,
        Op::Rem => x % y,
    })
}

/// Significant digits of a bigdecimal quotient (Java's `MathContext.DECIMAL128`).
const DIV_PRECISION: u64 = 34;

fn bigdec_op(x: &BigDecimal, y: &BigDecimal, op: Op) -> Option<BigDecimal> {
    Some(match op {
        Op::Add => x + y,
        Op::Sub => x - y,
        Op::Mul => x * y,
        Op::Div if y.is_zero() => return None,
        Op::Div => {
            let precision = NonZeroU64::new(DIV_PRECISION)?;
            let q = (x / y).with_precision_round(precision, RoundingMode::HalfEven);
            // Java keeps the preferred scale (x.scale - y.scale) when the quotient is exact
            // enough, dropping only trailing zeros beyond it.
            let preferred = x.fractional_digit_count() - y.fractional_digit_count();
            let norm = q.normalized();
            if norm.fractional_digit_count() < preferred && q.digits() <= DIV_PRECISION {
                let widened = norm.with_scale(preferred);
                if widened.digits() <= DIV_PRECISION {
                    widened
                } else {
                    norm
                }
            } else {
                norm
            }
        }
        Op::Rem if y.is_zero() => return None,
        Op::Rem => x % y,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn bd(s: &str) -> Value {
        Value::BigDecimal(Box::new(BigDecimal::from_str(s).unwrap()))
    }
    fn bi(i: i64) -> Value {
        Value::BigInteger(Box::new(BigInt::from(i)))
    }

    #[test]
    fn ints() {
        use Value::Int;
        assert_eq!(add(&Int(2), &Int(3)), Int(5));
        assert_eq!(sub(&Int(2), &Int(3)), Int(-1));
        assert_eq!(mul(&Int(4), &Int(3)), Int(12));
        assert_eq!(div(&Int(7), &Int(2)), Int(3));
        assert_eq!(div(&Int(-7), &Int(2)), Int(-3));
        assert_eq!(rem(&Int(-7), &Int(2)), Int(-1));
        assert_eq!(rem(&Int(7), &Int(-2)), Int(1));
        assert_eq!(div(&Int(7), &Int(0)), Value::Null);
        assert_eq!(rem(&Int(7), &Int(0)), Value::Null);
        assert_eq!(add(&Int(i32::MAX), &Int(1)), Int(i32::MIN));
        assert_eq!(div(&Int(i32::MIN), &Int(-1)), Int(i32::MIN));
        assert_eq!(rem(&Int(i32::MIN), &Int(-1)), Int(0));
        assert_eq!(neg(&Int(i32::MIN)), Int(i32::MIN));
        assert_eq!(neg(&Int(5)), Int(-5));
    }

    #[test]
    fn longs_and_floats() {
        use Value::*;
        assert_eq!(mul(&Long(1 << 62), &Long(4)), Long(0));
        assert_eq!(div(&Long(9), &Long(0)), Null);
        assert_eq!(div(&Long(-9), &Long(4)), Long(-2));
        assert_eq!(div(&Double(1.0), &Double(0.0)), Double(f64::INFINITY));
        assert!(matches!(div(&Double(0.0), &Double(0.0)), Double(x) if x.is_nan()));
        assert_eq!(rem(&Double(7.5), &Double(2.0)), Double(1.5));
        assert_eq!(rem(&Double(-7.5), &Double(2.0)), Double(-1.5));
        assert_eq!(add(&Float(3.8), &Float(0.5)), Float(4.3));
        assert_eq!(
            add(&Double(f64::from(3.8f32)), &Double(0.5)).to_string(),
            "4.299999952316284"
        );
        assert_eq!(div(&Float(1.0), &Float(0.0)), Float(f32::INFINITY));
        assert_eq!(neg(&Double(0.0)).to_string(), "-0.0");
    }

    #[test]
    fn bigs() {
        assert_eq!(add(&bi(2), &bi(3)), bi(5));
        assert_eq!(div(&bi(-7), &bi(2)), bi(-3));
        assert_eq!(rem(&bi(-7), &bi(2)), bi(-1));
        assert_eq!(div(&bi(1), &bi(0)), Value::Null);
        assert_eq!(neg(&bi(4)), bi(-4));
        assert_eq!(add(&bd("1.5"), &bd("2.25")).to_string(), "3.75");
        assert_eq!(mul(&bd("1.5"), &bd("2")).to_string(), "3.0");
        assert_eq!(div(&bd("6.0"), &bd("2")).to_string(), "3.0");
        assert_eq!(div(&bd("1"), &bd("4")).to_string(), "0.25");
        assert_eq!(
            div(&bd("10"), &bd("3")).to_string(),
            "3.333333333333333333333333333333333"
        );
        assert_eq!(div(&bd("1"), &bd("0")), Value::Null);
        assert_eq!(rem(&bd("7.5"), &bd("2")).to_string(), "1.5");
        assert_eq!(rem(&bd("-7.5"), &bd("2")).to_string(), "-1.5");
        assert_eq!(div(&bd("200"), &bd("2")).to_string(), "100");
        assert_eq!(div(&bd("-1"), &bd("8")).to_string(), "-0.125");
        assert_eq!(neg(&bd("1.5")).to_string(), "-1.5");
    }

    #[test]
    fn nulls_and_mixed() {
        use Value::*;
        assert_eq!(add(&Null, &Int(1)), Null);
        assert_eq!(sub(&Int(1), &Null), Null);
        assert_eq!(neg(&Null), Null);
        assert_eq!(add(&Int(1), &Long(2)), Long(3));
        assert_eq!(add(&Int(1), &Double(0.5)), Double(1.5));
        let b = |s: &str| Bytearray(s.as_bytes().to_vec());
        assert_eq!(add(&b("1"), &b("2")), Double(3.0));
        assert_eq!(add(&b("1"), &Int(2)), Int(3));
        assert_eq!(add(&b("x"), &Int(2)), Null);
        assert_eq!(neg(&b("2.5")), Double(-2.5));
        assert_eq!(add(&Chararray("1".into()), &Int(2)), Null);
        assert_eq!(add(&bi(1), &Int(2)), Null);
    }

    #[test]
    fn promotion() {
        use PigType::*;
        assert_eq!(wider_numeric(&Int, &Long), Some(Long));
        assert_eq!(wider_numeric(&Double, &Int), Some(Double));
        assert_eq!(wider_numeric(&Float, &Long), Some(Float));
        assert_eq!(wider_numeric(&Bytearray, &Bytearray), Some(Double));
        assert_eq!(wider_numeric(&Bytearray, &Int), Some(Int));
        assert_eq!(wider_numeric(&BigDecimal, &Bytearray), Some(BigDecimal));
        assert_eq!(wider_numeric(&BigInteger, &BigInteger), Some(BigInteger));
        assert_eq!(wider_numeric(&BigInteger, &Int), None);
        assert_eq!(wider_numeric(&BigDecimal, &BigInteger), None);
        assert_eq!(wider_numeric(&Chararray, &Int), None);
        assert_eq!(wider_numeric(&Bytearray, &Chararray), None);
        assert_eq!(numeric_rank(&Int), Some(1));
        assert_eq!(numeric_rank(&Double), Some(4));
        assert_eq!(numeric_rank(&Chararray), None);
        assert_eq!(numeric_rank(&Bytearray), None);
    }
}
