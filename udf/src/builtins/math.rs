//! Math built-ins: `ABS`, `CEIL`, `FLOOR`, `ROUND`, `ROUND_TO`, `RANDOM` and the functions
//! of one double (`SQRT`, `LOG`, `SIN`, ...), with Java's `Math` semantics.
//!
//! The functions of one double accept any number (and untyped values), cast it to double
//! and give a double, as Pig's `DoubleBase` functions do.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use bigdecimal::{BigDecimal, RoundingMode};
use num_traits::{Signed, ToPrimitive};

use super::{as_f64, as_i64, builtin_fn, check_arity, want_int, want_num};
use crate::func::{EvalFunc, UdfError};
use crate::types::PigType;
use crate::value::Value;

/// Return type of a function of one double.
fn double_fn_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    check_arity(name, args, 1, 1)?;
    want_num(name, args, 0)?;
    Ok(PigType::Double)
}

/// Applies a function of one double; null (or a value that is not a number) gives null.
fn double_fn(args: &[Value], f: fn(f64) -> f64) -> Result<Value, UdfError> {
    Ok(match args.first().and_then(as_f64) {
        Some(d) => Value::Double(f(d)),
        None => Value::Null,
    })
}

macro_rules! double_fns {
    ($($ty:ident, $name:literal, $f:expr, $what:literal, $example:literal;)*) => {
        $(
            builtin_fn! {
                #[doc = concat!("`", $name, "(expression)`")]
                ///
                /// ## What it does
                #[doc = $what]
                /// The argument is cast to double; the result is a double. Null gives null.
                ///
                /// ## Example
                /// ```pig
                #[doc = $example]
                /// ```
                $ty, $name,
                |args| double_fn_type($name, args),
                |args| double_fn(args, $f)
            }
        )*
    };
}

double_fns! {
    Acos, "ACOS", f64::acos, "The arc cosine of the argument, in radians (NaN outside [-1, 1]).",
        "B = FOREACH A GENERATE ACOS(x);  -- 1.0 -> 0.0";
    Asin, "ASIN", f64::asin, "The arc sine of the argument, in radians (NaN outside [-1, 1]).",
        "B = FOREACH A GENERATE ASIN(x);  -- 0.0 -> 0.0";
    Atan, "ATAN", f64::atan, "The arc tangent of the argument, in radians.",
        "B = FOREACH A GENERATE ATAN(x);  -- 0.0 -> 0.0";
    Cbrt, "CBRT", f64::cbrt, "The cube root of the argument.",
        "B = FOREACH A GENERATE CBRT(x);  -- 27.0 -> 3.0";
    Ceil, "CEIL", f64::ceil, "The argument rounded up to the nearest integer (as a double).",
        "B = FOREACH A GENERATE CEIL(x);  -- 4.6 -> 5.0, -2.4 -> -2.0";
    Cos, "COS", f64::cos, "The cosine of the argument (in radians).",
        "B = FOREACH A GENERATE COS(x);  -- 0.0 -> 1.0";
    Cosh, "COSH", f64::cosh, "The hyperbolic cosine of the argument.",
        "B = FOREACH A GENERATE COSH(x);  -- 0.0 -> 1.0";
    Exp, "EXP", f64::exp, "Euler's number e raised to the power of the argument.",
        "B = FOREACH A GENERATE EXP(x);  -- 0.0 -> 1.0";
    Floor, "FLOOR", f64::floor, "The argument rounded down to the nearest integer (as a double).",
        "B = FOREACH A GENERATE FLOOR(x);  -- 4.6 -> 4.0, -2.4 -> -3.0";
    Log, "LOG", f64::ln, "The natural logarithm of the argument (NaN for negatives, -Infinity for 0).",
        "B = FOREACH A GENERATE LOG(x);  -- 1.0 -> 0.0";
    Log10, "LOG10", f64::log10, "The base-10 logarithm of the argument.",
        "B = FOREACH A GENERATE LOG10(x);  -- 100.0 -> 2.0";
    Sin, "SIN", f64::sin, "The sine of the argument (in radians).",
        "B = FOREACH A GENERATE SIN(x);  -- 0.0 -> 0.0";
    Sinh, "SINH", f64::sinh, "The hyperbolic sine of the argument.",
        "B = FOREACH A GENERATE SINH(x);  -- 0.0 -> 0.0";
    Sqrt, "SQRT", f64::sqrt, "The square root of the argument (NaN for negatives).",
        "B = FOREACH A GENERATE SQRT(x);  -- 2.0 -> 1.4142135623730951";
    Tan, "TAN", f64::tan, "The tangent of the argument (in radians).",
        "B = FOREACH A GENERATE TAN(x);  -- 0.0 -> 0.0";
    Tanh, "TANH", f64::tanh, "The hyperbolic tangent of the argument.",
        "B = FOREACH A GENERATE TANH(x);  -- 0.0 -> 0.0";
}

builtin_fn! {
    /// `ABS(expression)`
    ///
    /// ## What it does
    /// The absolute value of a number, of the same type (an untyped value is cast to
    /// double). As in Java, the absolute value of the smallest int or long is itself. Null
    /// gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE ABS(i), ABS(d);  -- -3, -2.5 -> 3, 2.5
    /// ```
    Abs, "ABS",
    |args| {
        check_arity("ABS", args, 1, 1)?;
        want_num("ABS", args, 0)?;
        Ok(match &args[0] {
            PigType::Bytearray => PigType::Double,
            t => t.clone(),
        })
    },
    |args| Ok(match args.first() {
        Some(Value::Int(i)) => Value::Int(i.wrapping_abs()),
        Some(Value::Long(l)) => Value::Long(l.wrapping_abs()),
        Some(Value::Float(f)) => Value::Float(f.abs()),
        Some(Value::Double(d)) => Value::Double(d.abs()),
        Some(Value::BigInteger(b)) => Value::BigInteger(Box::new(b.abs())),
        Some(Value::BigDecimal(b)) => Value::BigDecimal(Box::new(b.abs())),
        Some(v) => as_f64(v).map_or(Value::Null, |d| Value::Double(d.abs())),
        None => Value::Null,
    })
}

/// Java's `Math.round(double)`: floor(x + 0.5) computed exactly, NaN → 0, clamped to the
/// long range.
fn java_round(d: f64) -> i64 {
    if d.is_nan() {
        return 0;
    }
    let f = d.floor();
    // `as` saturates at the long range, as Java does.
    if d - f >= 0.5 {
        (f as i64).saturating_add(1)
    } else {
        f as i64
    }
}

/// Java's `Math.round(float)`.
fn java_round_f32(x: f32) -> i32 {
    if x.is_nan() {
        return 0;
    }
    let f = x.floor();
    if x - f >= 0.5 {
        (f as i32).saturating_add(1)
    } else {
        f as i32
    }
}

builtin_fn! {
    /// `ROUND(expression)`
    ///
    /// ## What it does
    /// The number rounded to the nearest integer, halves rounded up (Java's `Math.round`:
    /// `floor(x + 0.5)`, so -3.5 gives -3). A double (or untyped value) gives a long, a
    /// float gives an int; ints and longs are unchanged (as a long). Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE ROUND(x);  -- 4.6 -> 5, -4.6 -> -5, 3.5 -> 4, -3.5 -> -3
    /// ```
    Round, "ROUND",
    |args| {
        check_arity("ROUND", args, 1, 1)?;
        want_num("ROUND", args, 0)?;
        Ok(match &args[0] {
            PigType::Float => PigType::Int,
            PigType::BigDecimal => PigType::BigDecimal,
            PigType::BigInteger => PigType::BigInteger,
            _ => PigType::Long,
        })
    },
    |args| Ok(match args.first() {
        Some(Value::Float(f)) => Value::Int(java_round_f32(*f)),
        Some(Value::Int(i)) => Value::Long(i64::from(*i)),
        Some(Value::Long(l)) => Value::Long(*l),
        Some(Value::BigInteger(b)) => Value::BigInteger(b.clone()),
        Some(Value::BigDecimal(b)) => {
            Value::BigDecimal(Box::new(b.with_scale_round(0, RoundingMode::HalfUp)))
        }
        Some(v) => as_f64(v).map_or(Value::Null, |d| Value::Long(java_round(d))),
        None => Value::Null,
    })
}

/// Java's `BigDecimal` rounding modes, by their `ROUND_*` numbers.
fn rounding_mode(n: i64) -> Option<RoundingMode> {
    Some(match n {
        0 => RoundingMode::Up,
        1 => RoundingMode::Down,
        2 => RoundingMode::Ceiling,
        3 => RoundingMode::Floor,
        4 => RoundingMode::HalfUp,
        5 => RoundingMode::HalfDown,
        6 => RoundingMode::HalfEven,
        _ => return None,
    })
}

/// Rounds the decimal text of a number (as Java's `BigDecimal.valueOf`) to `digits`
/// places.
fn round_to(text: &str, digits: i64, mode: RoundingMode) -> Option<f64> {
    let bd: BigDecimal = text.parse().ok()?;
    bd.with_scale_round(digits, mode).to_f64()
}

builtin_fn! {
    /// `ROUND_TO(expression, digits [, mode])`
    ///
    /// ## What it does
    /// The number rounded to `digits` decimal places (negative digits round to tens,
    /// hundreds, ...), computed on its decimal form so that `ROUND_TO(3.15, 1)` is 3.2.
    /// The optional `mode` is one of Java's `BigDecimal` rounding modes: 0 UP, 1 DOWN,
    /// 2 CEILING, 3 FLOOR, 4 HALF_UP, 5 HALF_DOWN, 6 HALF_EVEN (the default). A float gives
    /// a float, anything else a double. Null in gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE ROUND_TO(val, 1);  -- 1234.1789 -> 1234.2, 3.25 -> 3.2
    /// ```
    RoundTo, "ROUND_TO",
    |args| {
        check_arity("ROUND_TO", args, 2, 3)?;
        want_num("ROUND_TO", args, 0)?;
        want_int("ROUND_TO", args, 1)?;
        want_int("ROUND_TO", args, 2)?;
        Ok(match &args[0] {
            PigType::Float => PigType::Float,
            _ => PigType::Double,
        })
    },
    |args| {
        let (Some(v), Some(digits)) = (args.first(), args.get(1).and_then(as_i64)) else {
            return Ok(Value::Null);
        };
        let mode = match args.get(2) {
            None => RoundingMode::HalfEven,
            Some(m) => match as_i64(m) {
                Some(n) => rounding_mode(n)
                    .ok_or_else(|| UdfError(format!("ROUND_TO: unknown rounding mode {n}")))?,
                None => return Ok(Value::Null),
            },
        };
        let digits = digits.clamp(-400, 400);
        Ok(match v {
            Value::Float(f) if f.is_finite() => {
                round_to(&format!("{f}"), digits, mode).map_or(Value::Null, |d| Value::Float(d as f32))
            }
            Value::Float(f) => Value::Float(*f),
            Value::BigDecimal(b) => {
                round_to(&b.to_string(), digits, mode).map_or(Value::Null, Value::Double)
            }
            other => match as_f64(other) {
                Some(d) if d.is_finite() => {
                    round_to(&crate::javafmt::fmt_double(d), digits, mode).map_or(Value::Null, Value::Double)
                }
                Some(d) => Value::Double(d),
                None => Value::Null,
            },
        })
    }
}

/// The seed of the pseudo-random sequence (the start time) and the calls made so far.
static RANDOM_SEED: OnceLock<u64> = OnceLock::new();
static RANDOM_CALLS: AtomicU64 = AtomicU64::new(0);

/// The next double of a SplitMix64 sequence, in [0, 1).
pub(crate) fn next_random() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// The next 64 bits of a SplitMix64 sequence seeded by the start time, shared by the
/// functions that draw at random (RANDOM, DataFu's ReservoirSample and Sessionize).
pub(crate) fn random_u64() -> u64 {
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
    let seed = *RANDOM_SEED.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(GOLDEN)
    });
    let n = RANDOM_CALLS.fetch_add(1, AtomicOrdering::Relaxed);
    let mut z = seed.wrapping_add(n.wrapping_add(1).wrapping_mul(GOLDEN));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `RANDOM()`
///
/// ## What it does
/// A pseudo-random double in [0.0, 1.0), different on each call.
///
/// ## Example
/// ```pig
/// B = FOREACH A GENERATE RANDOM();
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Random;

impl EvalFunc for Random {
    fn name(&self) -> &str {
        "RANDOM"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("RANDOM", args, 0, 0)?;
        Ok(PigType::Double)
    }
    fn eval(&self, _args: &[Value]) -> Result<Value, UdfError> {
        Ok(Value::Double(next_random()))
    }
    fn is_volatile(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(v: Value) -> f64 {
        match v {
            Value::Double(d) => d,
            other => panic!("not a double: {other:?}"),
        }
    }

    #[test]
    fn abs() {
        assert!(matches!(
            Abs.eval(&[Value::Int(-3)]).unwrap(),
            Value::Int(3)
        ));
        assert!(matches!(
            Abs.eval(&[Value::Long(-70000000000)]).unwrap(),
            Value::Long(70000000000)
        ));
        assert_eq!(d(Abs.eval(&[Value::Double(-2.5)]).unwrap()), 2.5);
        assert_eq!(
            d(Abs.eval(&[Value::Bytearray(b"-1.5".to_vec())]).unwrap()),
            1.5
        );
        assert!(matches!(
            Abs.eval(&[Value::Int(i32::MIN)]).unwrap(),
            Value::Int(i32::MIN)
        ));
        assert!(matches!(Abs.eval(&[Value::Null]).unwrap(), Value::Null));
        assert_eq!(Abs.return_type(&[PigType::Int]), Ok(PigType::Int));
        assert_eq!(Abs.return_type(&[PigType::Bytearray]), Ok(PigType::Double));
        assert!(Abs.return_type(&[PigType::Chararray]).is_err());
    }

    #[test]
    fn ceil_floor() {
        for (x, c) in [
            (4.6, 5.0),
            (3.5, 4.0),
            (-2.4, -2.0),
            (-4.6, -4.0),
            (1.0, 1.0),
        ] {
            assert_eq!(d(Ceil.eval(&[Value::Double(x)]).unwrap()), c);
        }
        assert_eq!(d(Floor.eval(&[Value::Double(-2.4)]).unwrap()), -3.0);
        assert_eq!(d(Floor.eval(&[Value::Int(3)]).unwrap()), 3.0);
        assert!(matches!(Ceil.eval(&[Value::Null]).unwrap(), Value::Null));
        assert!(Ceil.return_type(&[PigType::Chararray]).is_err());
        assert_eq!(Ceil.return_type(&[PigType::Int]), Ok(PigType::Double));
    }

    #[test]
    fn round() {
        let cases = [
            (4.6, 5),
            (3.5, 4),
            (2.4, 2),
            (1.0, 1),
            (-1.0, -1),
            (-2.4, -2),
            (-3.5, -3),
            (-4.6, -5),
        ];
        for (x, r) in cases {
            assert!(
                matches!(Round.eval(&[Value::Double(x)]).unwrap(), Value::Long(v) if v == r),
                "{x}"
            );
        }
        assert!(matches!(
            Round.eval(&[Value::Float(2.5)]).unwrap(),
            Value::Int(3)
        ));
        assert!(matches!(
            Round.eval(&[Value::Double(0.49999999999999994)]).unwrap(),
            Value::Long(0)
        ));
        assert!(matches!(
            Round.eval(&[Value::Double(f64::NAN)]).unwrap(),
            Value::Long(0)
        ));
        assert!(matches!(
            Round.eval(&[Value::Double(1e300)]).unwrap(),
            Value::Long(i64::MAX)
        ));
        assert_eq!(Round.return_type(&[PigType::Float]), Ok(PigType::Int));
        assert_eq!(Round.return_type(&[PigType::Double]), Ok(PigType::Long));
        assert!(Round.return_type(&[PigType::Boolean]).is_err());
    }

    #[test]
    fn round_to() {
        let cases = [
            (1234.1789, 8, 1234.1789),
            (1234.1789, 1, 1234.2),
            (1234.1789, 0, 1234.0),
            (1234.1789, -1, 1230.0),
            (1234.1789, -3, 1000.0),
            (1234.1789, -4, 0.0),
            (3.25000001, 1, 3.3),
            (3.25, 1, 3.2),
            (-3.25, 1, -3.2),
            (3.15, 1, 3.2),
            (-3.15, 1, -3.2),
            (3.5, 0, 4.0),
            (-3.5, 0, -4.0),
            (2.5, 0, 2.0),
            (-2.5, 0, -2.0),
        ];
        for (x, n, want) in cases {
            assert_eq!(
                d(RoundTo.eval(&[Value::Double(x), Value::Int(n)]).unwrap()),
                want,
                "{x} {n}"
            );
        }
        assert_eq!(
            d(RoundTo
                .eval(&[Value::Double(2.5), Value::Int(0), Value::Int(4)])
                .unwrap()),
            3.0
        );
        assert!(
            RoundTo
                .eval(&[Value::Double(2.5), Value::Int(0), Value::Int(9)])
                .is_err()
        );
        assert!(
            matches!(RoundTo.eval(&[Value::Float(0.125), Value::Int(2)]).unwrap(), Value::Float(f) if f == 0.12)
        );
        assert!(matches!(
            RoundTo.eval(&[Value::Null, Value::Int(2)]).unwrap(),
            Value::Null
        ));
        assert!(RoundTo.return_type(&[PigType::Double]).is_err());
        assert!(
            RoundTo
                .return_type(&[PigType::Double, PigType::Double])
                .is_err()
        );
    }

    #[test]
    fn double_functions() {
        assert_eq!(
            d(Sqrt.eval(&[Value::Double(2.0)]).unwrap()),
            std::f64::consts::SQRT_2
        );
        assert_eq!(d(Sqrt.eval(&[Value::Double(0.25)]).unwrap()), 0.5);
        assert_eq!(d(Cbrt.eval(&[Value::Int(27)]).unwrap()), 3.0);
        for f in [&Sin as &dyn EvalFunc, &Tan, &Sinh, &Tanh, &Asin, &Atan] {
            assert_eq!(d(f.eval(&[Value::Double(0.0)]).unwrap()), 0.0);
        }
        for f in [&Cos as &dyn EvalFunc, &Cosh, &Exp] {
            assert_eq!(d(f.eval(&[Value::Double(0.0)]).unwrap()), 1.0);
        }
        assert_eq!(d(Acos.eval(&[Value::Double(1.0)]).unwrap()), 0.0);
        assert_eq!(d(Log.eval(&[Value::Double(1.0)]).unwrap()), 0.0);
        assert_eq!(d(Log10.eval(&[Value::Long(100)]).unwrap()), 2.0);
        assert!(d(Log.eval(&[Value::Double(-1.0)]).unwrap()).is_nan());
        assert!(matches!(
            Sqrt.eval(&[Value::Bytearray(b"abc".to_vec())]).unwrap(),
            Value::Null
        ));
        assert!(Sqrt.return_type(&[PigType::Chararray]).is_err());
        assert!(
            Sqrt.return_type(&[PigType::Double, PigType::Double])
                .is_err()
        );
    }

    #[test]
    fn random() {
        let a = d(Random.eval(&[]).unwrap());
        let b = d(Random.eval(&[]).unwrap());
        assert!((0.0..1.0).contains(&a) && (0.0..1.0).contains(&b));
        assert_ne!(a, b);
        assert!(Random.is_volatile());
        assert!(Random.return_type(&[PigType::Int]).is_err());
    }
}
