//! Serde support for Pig's types and values, so that a plan holding them (constants,
//! schemas) can be sent to another process: a cluster's scheduler and executors.
//!
//! [`Value`] goes through the value codec ([`crate::codec`]), which round-trips every Pig
//! value exactly (NaN and infinite doubles, a datetime's zone offset, big numbers), as a hex
//! string in text formats such as JSON and as raw bytes in binary ones. A bag spilled to disk
//! is read back and sent whole: a plan's constants are small.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};

use crate::codec;
use crate::value::Value;

impl serde::Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bytes = codec::encode_to_vec(self);
        if s.is_human_readable() {
            s.serialize_str(&to_hex(&bytes))
        } else {
            s.serialize_bytes(&bytes)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        if d.is_human_readable() {
            d.deserialize_str(ValueVisitor)
        } else {
            d.deserialize_bytes(ValueVisitor)
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Pig value in the value codec (hex string or bytes)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        let bytes = from_hex(v).ok_or_else(|| E::custom("a Pig value: invalid hex"))?;
        self.visit_bytes(&bytes)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        codec::decode(v).map_err(|e| E::custom(format!("a Pig value: {e}")))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        // Binary formats that have no bytes type send a sequence of u8.
        let mut bytes = Vec::new();
        while let Some(b) = seq.next_element::<u8>()? {
            bytes.push(b);
        }
        self.visit_bytes(&bytes)
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let s = s.as_bytes();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    s.chunks(2)
        .map(|p| Some(digit(p[0])? << 4 | digit(p[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Field, PigType, Schema};
    use crate::value::Tuple;

    fn round_trip(v: &Value) -> Value {
        let json = serde_json::to_string(v).unwrap();
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn values_round_trip_exactly() {
        let dt = chrono::DateTime::parse_from_rfc3339("2012-03-04T05:06:07.089+05:30").unwrap();
        let tuple: Tuple = vec![Value::Int(1), Value::Chararray("a\tb".into())];
        let values = vec![
            Value::Null,
            Value::Boolean(true),
            Value::Int(-7),
            Value::Long(i64::MIN),
            Value::Float(f32::NAN),
            Value::Double(f64::INFINITY),
            Value::Double(0.1 + 0.2),
            Value::BigInteger(Box::new("123456789012345678901234567890".parse().unwrap())),
            Value::BigDecimal(Box::new("-1.000000000000000000001".parse().unwrap())),
            Value::Chararray("héllo".into()),
            Value::Bytearray(vec![0, 255, 10]),
            Value::Datetime(dt),
            Value::Tuple(Box::new(tuple.clone())),
            Value::Bag(Box::new(crate::Bag::from(vec![tuple.clone(), vec![]]))),
            Value::Map(Box::new(vec![("k".into(), Value::Long(2))])),
        ];
        for v in &values {
            let back = round_trip(v);
            // Debug shows the exact bits (NaN compares unequal to itself), and the
            // datetime's offset.
            assert_eq!(format!("{back:?}"), format!("{v:?}"));
        }
        if let Value::Datetime(back) = round_trip(&Value::Datetime(dt)) {
            assert_eq!(back.offset(), dt.offset());
        } else {
            panic!("not a datetime");
        }
    }

    #[test]
    fn bad_bytes_are_an_error() {
        assert!(serde_json::from_str::<Value>("\"zz\"").is_err());
        assert!(serde_json::from_str::<Value>("\"ff\"").is_err());
    }

    #[test]
    fn schemas_round_trip() {
        let inner = Schema::new(vec![
            Field::new("x", PigType::Int),
            Field::unnamed(PigType::Bytearray),
        ]);
        let s = Schema::new(vec![
            Field::new("b", PigType::Bag(Some(inner.clone()))),
            Field::new("t", PigType::Tuple(None)),
            Field::new("m", PigType::Map(Some(Box::new(PigType::Datetime)))),
            Field::new("n", PigType::Map(None)),
        ]);
        let back: Schema = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
    }
}
