//! Byte strings that order as Pig orders values: for any values `a` and `b`,
//! `order_key(a).cmp(&order_key(b)) == value::compare(a, b)`.
//!
//! The sort of ORDER BY compares keys of types without a native Arrow order (bytearray
//! fields of any runtime type, datetimes, big numbers, tuples, bags, maps) as plain bytes.
//! Each value is its type code (so values of different types order by it, as in Pig's
//! `DataType.compare`) then a self-delimiting payload, so the encodings of a tuple's fields,
//! a bag's tuples or a map's entries can be concatenated.

use crate::Value;

/// Appends the order key of `v` to `out`.
pub fn encode_order_key(v: &Value, out: &mut Vec<u8>) {
    out.push(v.type_code());
    match v {
        Value::Null => {}
        Value::Boolean(b) => out.push(u8::from(*b)),
        Value::Int(x) => out.extend_from_slice(&((*x as u32) ^ (1 << 31)).to_be_bytes()),
        Value::Long(x) => out.extend_from_slice(&((*x as u64) ^ (1 << 63)).to_be_bytes()),
        Value::Float(x) => float(f64::from(*x), out),
        Value::Double(x) => float(*x, out),
        Value::Datetime(d) => {
            // By instant, whatever the offset.
            out.extend_from_slice(&((d.timestamp() as u64) ^ (1 << 63)).to_be_bytes());
            out.extend_from_slice(&d.timestamp_subsec_nanos().to_be_bytes());
        }
        Value::Bytearray(b) => escaped(b.iter().copied(), out),
        Value::Chararray(s) => escaped(java_order_bytes(s.as_bytes()), out),
        Value::BigInteger(x) => {
            let (sign, magnitude) = x.to_bytes_be();
            let len = (magnitude.len() as u64).to_be_bytes();
            match sign {
                num_bigint::Sign::NoSign => out.push(1),
                num_bigint::Sign::Plus => {
                    out.push(2);
                    out.extend_from_slice(&len);
                    out.extend_from_slice(&magnitude);
                }
                // A longer magnitude is a smaller number: everything inverted.
                num_bigint::Sign::Minus => {
                    out.push(0);
                    out.extend(len.iter().map(|b| !b));
                    out.extend(magnitude.iter().map(|b| !b));
                }
            }
        }
        Value::BigDecimal(d) => {
            // 0.d1d2d3... x 10^exp with the digits' trailing zeros dropped: the exponent
            // first, then the digits as text ended by a byte below every digit.
            let (int, scale) = d.as_bigint_and_exponent();
            let (sign, magnitude) = int.into_parts();
            let digits = magnitude.to_string();
            let exp = digits.len() as i64 - scale;
            let digits = digits.trim_end_matches('0');
            let exp = ((exp as u64) ^ (1 << 63)).to_be_bytes();
            match sign {
                num_bigint::Sign::NoSign => out.push(1),
                num_bigint::Sign::Plus => {
                    out.push(2);
                    out.extend_from_slice(&exp);
                    out.extend_from_slice(digits.as_bytes());
                    out.push(0);
                }
                num_bigint::Sign::Minus => {
                    out.push(0);
                    out.extend(exp.iter().map(|b| !b));
                    out.extend(digits.bytes().map(|b| !b));
                    out.push(0xFF);
                }
            }
        }
        Value::Tuple(t) => tuple(t, out),
        Value::Bag(b) => {
            // By size, then as sorted bags.
            out.extend_from_slice(&(b.len() as u64).to_be_bytes());
            let mut tuples: Vec<Vec<u8>> = b
                .all()
                .iter()
                .map(|t| {
                    let mut k = Vec::new();
                    tuple(t, &mut k);
                    k
                })
                .collect();
            tuples.sort_unstable();
            tuples.iter().for_each(|k| out.extend_from_slice(k));
        }
        Value::Map(m) => {
            // By size, then entries sorted by key (keys are unique and self-delimiting).
            out.extend_from_slice(&(m.len() as u64).to_be_bytes());
            let mut entries: Vec<Vec<u8>> = m
                .iter()
                .map(|(k, v)| {
                    let mut e = Vec::new();
                    escaped(java_order_bytes(k.as_bytes()), &mut e);
                    encode_order_key(v, &mut e);
                    e
                })
                .collect();
            entries.sort_unstable();
            entries.iter().for_each(|e| out.extend_from_slice(e));
        }
    }
}

/// The order key of `v` as a new vector.
pub fn order_key(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_order_key(v, &mut out);
    out
}

fn tuple(t: &[Value], out: &mut Vec<u8>) {
    // The shorter tuple first, then field by field.
    out.extend_from_slice(&(t.len() as u64).to_be_bytes());
    for v in t {
        encode_order_key(v, out);
    }
}

/// A float's bits, made to order as Pig's total order: `-0.0` is `0.0`, every NaN is one
/// NaN above infinity.
fn float(x: f64, out: &mut Vec<u8>) {
    let x = if x.is_nan() {
        f64::NAN
    } else if x == 0.0 {
        0.0
    } else {
        x
    };
    let bits = x.to_bits();
    let key = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    out.extend_from_slice(&key.to_be_bytes());
}

/// A byte string, with each 0 written as 0 0xFF and ended by 0 0: the shorter of two
/// strings one of which begins the other orders first.
fn escaped(bytes: impl Iterator<Item = u8>, out: &mut Vec<u8>) {
    for b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// UTF-8 bytes that order as UTF-16 code units (Java's `String.compareTo`), as many as the
/// UTF-8 ones: UTF-8 orders by code point, which differs from UTF-16 only between
/// characters of U+E000..=U+FFFF (lead bytes 0xEE, 0xEF) and supplementary characters
/// (0xF0..=0xF4, surrogate pairs in UTF-16, so smaller). Moving the two lead bytes above
/// 0xF4 fixes that; continuation bytes (0x80..=0xBF) never equal them.
pub fn java_order_bytes(utf8: &[u8]) -> impl Iterator<Item = u8> + '_ {
    utf8.iter().map(|&b| java_order_byte(b))
}

/// One byte of [`java_order_bytes`].
#[inline]
pub fn java_order_byte(b: u8) -> u8 {
    match b {
        0xEE => 0xF5,
        0xEF => 0xF6,
        b => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::compare;
    use std::str::FromStr;

    fn values() -> Vec<Value> {
        let dec =
            |s: &str| Value::BigDecimal(Box::new(bigdecimal::BigDecimal::from_str(s).unwrap()));
        let big = |s: &str| Value::BigInteger(Box::new(num_bigint::BigInt::from_str(s).unwrap()));
        let dt = |s: &str| Value::Datetime(chrono::DateTime::parse_from_rfc3339(s).unwrap());
        let s = |x: &str| Value::Chararray(x.into());
        let t = |v: Vec<Value>| Value::Tuple(Box::new(v));
        vec![
            Value::Null,
            Value::Boolean(false),
            Value::Boolean(true),
            Value::Int(-5),
            Value::Int(0),
            Value::Int(i32::MAX),
            Value::Long(i64::MIN),
            Value::Long(3),
            Value::Float(-0.0),
            Value::Float(f32::NAN),
            Value::Double(-1.5),
            Value::Double(-0.0),
            Value::Double(0.0),
            Value::Double(f64::INFINITY),
            Value::Double(f64::NAN),
            Value::Double(-f64::NAN),
            dt("2020-01-01T00:00:00Z"),
            dt("2020-01-01T01:00:00+01:00"),
            dt("1960-01-01T00:00:00.5Z"),
            Value::Bytearray(vec![]),
            Value::Bytearray(vec![0]),
            Value::Bytearray(vec![0, 1]),
            Value::Bytearray(vec![1]),
            s(""),
            s("a"),
            s("a\0"),
            s("ab"),
            s("ｈ"),
            s("😀"),
            s("\u{e000}x"),
            big("-300"),
            big("-5"),
            big("0"),
            big("5"),
            big("300"),
            dec("-12.3"),
            dec("-1.23"),
            dec("-1.230"),
            dec("0.00"),
            dec("0.01"),
            dec("1.2"),
            dec("1.20"),
            dec("1.23"),
            dec("12"),
            dec("100"),
            t(vec![]),
            t(vec![Value::Int(2)]),
            t(vec![Value::Int(1), s("b")]),
            t(vec![Value::Int(1), Value::Null]),
            Value::Bag(Box::new(crate::bag::Bag::from(vec![
                vec![Value::Int(2)],
                vec![Value::Int(1)],
            ]))),
            Value::Bag(Box::new(crate::bag::Bag::from(vec![
                vec![Value::Int(1)],
                vec![Value::Int(2)],
            ]))),
            Value::Bag(Box::new(crate::bag::Bag::from(vec![
                vec![Value::Int(1)],
                vec![Value::Int(3)],
            ]))),
            Value::Bag(Box::new(crate::bag::Bag::from(vec![vec![Value::Int(0)]]))),
            Value::Map(Box::new(vec![
                ("b".into(), Value::Int(1)),
                ("a".into(), Value::Int(2)),
            ])),
            Value::Map(Box::new(vec![
                ("a".into(), Value::Int(2)),
                ("b".into(), Value::Int(1)),
            ])),
            Value::Map(Box::new(vec![("a".into(), Value::Int(1))])),
        ]
    }

    #[test]
    fn keys_order_as_pig_compares() {
        let vs = values();
        for a in &vs {
            for b in &vs {
                assert_eq!(
                    order_key(a).cmp(&order_key(b)),
                    compare(a, b),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }
}
