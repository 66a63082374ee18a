//! A compact binary encoding of any [`Value`], for Arrow binary columns and for shuffling.
//!
//! Each value is a tag byte and a payload; lengths and counts are LEB128 varints, ints and
//! longs zigzag varints, floats little-endian IEEE bits. The encoding is deterministic: the
//! same value (same variant, same bits, same order of members) always gives the same bytes,
//! and decoding gives back exactly that value (a datetime keeps its offset, `-0.0` stays
//! `-0.0`, a bigdecimal keeps its scale). Values that [`compare`](crate::value::compare)
//! equal but are not identical (`2.0` and `2.00`, a bag in another order) encode differently.
//!
//! | tag | value | payload |
//! |-----|-------|---------|
//! | 0 | null | |
//! | 1, 2 | false, true | |
//! | 3 | int | zigzag varint |
//! | 4 | long | zigzag varint |
//! | 5 | float | 4 bytes LE |
//! | 6 | double | 8 bytes LE |
//! | 7 | biginteger | varint length, two's-complement bytes LE |
//! | 8 | bigdecimal | zigzag scale, varint length, unscaled two's-complement bytes LE |
//! | 9 | chararray | varint length, UTF-8 |
//! | 10 | bytearray | varint length, bytes |
//! | 11 | datetime | zigzag epoch seconds, varint nanoseconds, zigzag offset seconds |
//! | 12 | tuple | varint count, values |
//! | 13 | bag | varint count, tuples (each a varint count and values) |
//! | 14 | map | varint count, entries (varint key length, UTF-8 key, value) |

use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset};
use num_bigint::BigInt;

use crate::value::{Bag, Map, Tuple, Value};

/// Why bytes do not decode to a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes end in the middle of a value.
    #[error("unexpected end of encoded value")]
    UnexpectedEnd,
    /// An unknown tag byte.
    #[error("unknown value tag {0}")]
    BadTag(u8),
    /// A varint longer than 64 bits.
    #[error("malformed varint")]
    BadVarint,
    /// A chararray or map key that is not UTF-8.
    #[error("invalid UTF-8 in encoded string")]
    BadUtf8,
    /// A datetime out of range.
    #[error("invalid encoded datetime")]
    BadDatetime,
    /// Complex values nested deeper than the decoder allows.
    #[error("encoded value nested too deeply")]
    TooDeep,
    /// Bytes left over after the value.
    #[error("{0} trailing bytes after encoded value")]
    TrailingBytes(usize),
}

const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const INT: u8 = 3;
const LONG: u8 = 4;
const FLOAT: u8 = 5;
const DOUBLE: u8 = 6;
const BIGINTEGER: u8 = 7;
const BIGDECIMAL: u8 = 8;
const CHARARRAY: u8 = 9;
const BYTEARRAY: u8 = 10;
const DATETIME: u8 = 11;
const TUPLE: u8 = 12;
const BAG: u8 = 13;
const MAP: u8 = 14;

/// How deeply tuples, bags and maps may nest when decoding.
const MAX_DEPTH: usize = 256;

fn put_varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_bytes(b: &[u8], out: &mut Vec<u8>) {
    put_varint(b.len() as u64, out);
    out.extend_from_slice(b);
}

fn put_tuple(t: &[Value], out: &mut Vec<u8>) {
    put_varint(t.len() as u64, out);
    for v in t {
        encode(v, out);
    }
}

/// Appends the encoding of `v` to `out`.
pub fn encode(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(NULL),
        Value::Boolean(b) => out.push(if *b { TRUE } else { FALSE }),
        Value::Int(i) => {
            out.push(INT);
            put_varint(zigzag(i64::from(*i)), out);
        }
        Value::Long(l) => {
            out.push(LONG);
            put_varint(zigzag(*l), out);
        }
        Value::Float(x) => {
            out.push(FLOAT);
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Value::Double(x) => {
            out.push(DOUBLE);
            out.extend_from_slice(&x.to_bits().to_le_bytes());
        }
        Value::BigInteger(b) => {
            out.push(BIGINTEGER);
            put_bytes(&b.to_signed_bytes_le(), out);
        }
        Value::BigDecimal(d) => {
            out.push(BIGDECIMAL);
            let (int, scale) = d.as_bigint_and_exponent();
            put_varint(zigzag(scale), out);
            put_bytes(&int.to_signed_bytes_le(), out);
        }
        Value::Chararray(s) => encode_chararray(s, out),
        Value::Bytearray(b) => encode_bytearray(b, out),
        Value::Datetime(dt) => {
            out.push(DATETIME);
            put_varint(zigzag(dt.timestamp()), out);
            put_varint(u64::from(dt.timestamp_subsec_nanos()), out);
            put_varint(zigzag(i64::from(dt.offset().local_minus_utc())), out);
        }
        Value::Tuple(t) => {
            out.push(TUPLE);
            put_tuple(t, out);
        }
        Value::Bag(b) => encode_bag(&b.all(), out),
        Value::Map(m) => {
            out.push(MAP);
            put_varint(m.len() as u64, out);
            for (k, v) in m.iter() {
                put_bytes(k.as_bytes(), out);
                encode(v, out);
            }
        }
    }
}

/// Appends the encoding of the tuple `t` (the same bytes as `encode` of `Value::Tuple`),
/// without building the tuple value.
pub fn encode_tuple(t: &[Value], out: &mut Vec<u8>) {
    out.push(TUPLE);
    put_tuple(t, out);
}

/// Appends the encoding of the bag of `tuples` (the same bytes as `encode` of `Value::Bag`),
/// without building the bag value.
pub fn encode_bag(tuples: &[Tuple], out: &mut Vec<u8>) {
    encode_bag_start(tuples.len(), out);
    for t in tuples {
        put_tuple(t, out);
    }
}

/// Appends the start of a bag of `len` tuples; each tuple must follow as
/// [`encode_bag_tuple_start`] and the encodings of its fields.
pub fn encode_bag_start(len: usize, out: &mut Vec<u8>) {
    out.push(BAG);
    put_varint(len as u64, out);
}

/// Appends the start of one tuple of `len` fields inside a bag (a bag's tuples have no tag).
pub fn encode_bag_tuple_start(len: usize, out: &mut Vec<u8>) {
    put_varint(len as u64, out);
}

/// Appends the encoding of the chararray `s` (the same bytes as `encode` of
/// `Value::Chararray`), without building the value.
pub fn encode_chararray(s: &str, out: &mut Vec<u8>) {
    out.push(CHARARRAY);
    put_bytes(s.as_bytes(), out);
}

/// Appends the encoding of a bytearray, as [`encode`] of `Value::Bytearray` does, without
/// a value built for it.
pub fn encode_bytearray(b: &[u8], out: &mut Vec<u8>) {
    out.push(BYTEARRAY);
    put_bytes(b, out);
}

/// Appends the start of a tuple of `len` fields; the fields' encodings must follow.
pub fn encode_tuple_header(len: usize, out: &mut Vec<u8>) {
    out.push(TUPLE);
    put_varint(len as u64, out);
}

/// The encoding of `v` as a new vector.
pub fn encode_to_vec(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode(v, &mut out);
    out
}

/// Decodes one value that fills all of `bytes`.
pub fn decode(bytes: &[u8]) -> Result<Value, CodecError> {
    let (v, used) = decode_prefix(bytes)?;
    if used != bytes.len() {
        return Err(CodecError::TrailingBytes(bytes.len() - used));
    }
    Ok(v)
}

/// Decodes the value at the start of `bytes`, returning it and how many bytes it took (for
/// reading values written one after another).
pub fn decode_prefix(bytes: &[u8]) -> Result<(Value, usize), CodecError> {
    let mut r = Reader {
        b: bytes,
        pos: 0,
        depth: 0,
    };
    let v = r.value()?;
    Ok((v, r.pos))
}

/// Decodes an encoded tuple that fills all of `bytes`, leaving out its first `skip` fields
/// (they are read past without being built).
pub fn decode_tuple_skipping(bytes: &[u8], skip: usize) -> Result<Tuple, CodecError> {
    let mut r = Reader {
        b: bytes,
        pos: 0,
        depth: 0,
    };
    let tag = r.byte()?;
    if tag != TUPLE {
        return Err(CodecError::BadTag(tag));
    }
    let (n, cap) = r.count()?;
    let skip = skip.min(n);
    for _ in 0..skip {
        r.skip_value()?;
    }
    let mut t = Tuple::with_capacity(cap.saturating_sub(skip));
    for _ in skip..n {
        t.push(r.value()?);
    }
    if r.pos != bytes.len() {
        return Err(CodecError::TrailingBytes(bytes.len() - r.pos));
    }
    Ok(t)
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, CodecError> {
        let c = *self.b.get(self.pos).ok_or(CodecError::UnexpectedEnd)?;
        self.pos += 1;
        Ok(c)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let end = self.pos.checked_add(n).ok_or(CodecError::UnexpectedEnd)?;
        let s = self.b.get(self.pos..end).ok_or(CodecError::UnexpectedEnd)?;
        self.pos = end;
        Ok(s)
    }

    fn varint(&mut self) -> Result<u64, CodecError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let c = self.byte()?;
            let bits = u64::from(c & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(CodecError::BadVarint);
            }
            v |= bits << shift;
            if c & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err(CodecError::BadVarint)
    }

    fn len(&mut self) -> Result<usize, CodecError> {
        usize::try_from(self.varint()?).map_err(|_| CodecError::UnexpectedEnd)
    }

    fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let n = self.len()?;
        self.take(n)
    }

    fn string(&mut self) -> Result<String, CodecError> {
        let b = self.bytes()?;
        std::str::from_utf8(b)
            .map(str::to_owned)
            .map_err(|_| CodecError::BadUtf8)
    }

    /// A count of members, each at least one byte long; bounds the preallocation.
    fn count(&mut self) -> Result<(usize, usize), CodecError> {
        let n = self.len()?;
        let remaining = self.b.len() - self.pos;
        Ok((n, n.min(remaining)))
    }

    fn tuple(&mut self) -> Result<Tuple, CodecError> {
        let (n, cap) = self.count()?;
        let mut t = Tuple::with_capacity(cap);
        for _ in 0..n {
            t.push(self.value()?);
        }
        Ok(t)
    }

    /// Reads past one value without building it.
    fn skip_value(&mut self) -> Result<(), CodecError> {
        let tag = self.byte()?;
        match tag {
            NULL | FALSE | TRUE => {}
            INT | LONG => {
                self.varint()?;
            }
            FLOAT => {
                self.take(4)?;
            }
            DOUBLE => {
                self.take(8)?;
            }
            BIGINTEGER | CHARARRAY | BYTEARRAY => {
                self.bytes()?;
            }
            BIGDECIMAL => {
                self.varint()?;
                self.bytes()?;
            }
            DATETIME => {
                self.varint()?;
                self.varint()?;
                self.varint()?;
            }
            TUPLE | BAG | MAP => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(CodecError::TooDeep);
                }
                let n = self.len()?;
                for _ in 0..n {
                    match tag {
                        TUPLE => self.skip_value()?,
                        BAG => {
                            let m = self.len()?;
                            for _ in 0..m {
                                self.skip_value()?;
                            }
                        }
                        _ => {
                            self.bytes()?;
                            self.skip_value()?;
                        }
                    }
                }
                self.depth -= 1;
            }
            other => return Err(CodecError::BadTag(other)),
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Value, CodecError> {
        let tag = self.byte()?;
        Ok(match tag {
            NULL => Value::Null,
            FALSE => Value::Boolean(false),
            TRUE => Value::Boolean(true),
            INT => {
                let v = unzigzag(self.varint()?);
                Value::Int(i32::try_from(v).map_err(|_| CodecError::BadVarint)?)
            }
            LONG => Value::Long(unzigzag(self.varint()?)),
            FLOAT => {
                let b = self.take(4)?;
                Value::Float(f32::from_bits(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }
            DOUBLE => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Double(f64::from_bits(u64::from_le_bytes(a)))
            }
            BIGINTEGER => Value::BigInteger(Box::new(BigInt::from_signed_bytes_le(self.bytes()?))),
            BIGDECIMAL => {
                let scale = unzigzag(self.varint()?);
                let int = BigInt::from_signed_bytes_le(self.bytes()?);
                Value::BigDecimal(Box::new(BigDecimal::new(int, scale)))
            }
            CHARARRAY => Value::Chararray(self.string()?),
            BYTEARRAY => Value::Bytearray(self.bytes()?.to_vec()),
            DATETIME => {
                let secs = unzigzag(self.varint()?);
                let nanos = u32::try_from(self.varint()?).map_err(|_| CodecError::BadDatetime)?;
                let off =
                    i32::try_from(unzigzag(self.varint()?)).map_err(|_| CodecError::BadDatetime)?;
                let tz = FixedOffset::east_opt(off).ok_or(CodecError::BadDatetime)?;
                let utc = DateTime::from_timestamp(secs, nanos).ok_or(CodecError::BadDatetime)?;
                Value::Datetime(utc.with_timezone(&tz))
            }
            TUPLE | BAG | MAP => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(CodecError::TooDeep);
                }
                let v = match tag {
                    TUPLE => Value::Tuple(Box::new(self.tuple()?)),
                    BAG => {
                        let (n, cap) = self.count()?;
                        let mut bag = Bag::with_capacity(cap);
                        for _ in 0..n {
                            bag.push(self.tuple()?);
                        }
                        Value::Bag(Box::new(bag))
                    }
                    _ => {
                        let (n, cap) = self.count()?;
                        let mut map = Map::with_capacity(cap);
                        for _ in 0..n {
                            let k = self.string()?;
                            let v = self.value()?;
                            map.push((k, v));
                        }
                        Value::Map(Box::new(map))
                    }
                };
                self.depth -= 1;
                v
            }
            other => return Err(CodecError::BadTag(other)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    /// Identity, stricter than `==`: same variant and same bits all the way down.
    fn same(a: &Value, b: &Value) -> bool {
        format!("{a:?}") == format!("{b:?}")
            && match (a, b) {
                (Value::Datetime(x), Value::Datetime(y)) => x.offset() == y.offset() && x == y,
                (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
                (Value::Float(x), Value::Float(y)) => x.to_bits() == y.to_bits(),
                _ => true,
            }
    }

    fn samples() -> Vec<Value> {
        let dt = |s: &str| Value::Datetime(DateTime::parse_from_rfc3339(s).unwrap());
        let mut v = vec![
            Value::Null,
            Value::Boolean(true),
            Value::Boolean(false),
            Value::Int(0),
            Value::Int(-1),
            Value::Int(i32::MIN),
            Value::Int(i32::MAX),
            Value::Long(i64::MIN),
            Value::Long(i64::MAX),
            Value::Long(300),
            Value::Float(-0.0),
            Value::Float(f32::NAN),
            Value::Float(3.8),
            Value::Double(f64::NEG_INFINITY),
            Value::Double(1e-300),
            Value::Double(-0.0),
            Value::BigInteger(Box::new(BigInt::from(0))),
            Value::BigInteger(Box::new(
                BigInt::from_str("-98765432109876543210987654321").unwrap(),
            )),
            Value::BigDecimal(Box::new(BigDecimal::from_str("2.50").unwrap())),
            Value::BigDecimal(Box::new(BigDecimal::from_str("-1E+30").unwrap())),
            Value::Chararray(String::new()),
            Value::Chararray("héllo \u{1F600}".into()),
            Value::Bytearray(vec![0, 255, 128]),
            dt("2009-01-07T01:07:01.123Z"),
            dt("1969-12-31T23:59:59.999+05:30"),
            dt("2009-01-07T01:07:01-08:00"),
        ];
        let scalars = v.clone();
        v.push(Value::Tuple(Box::default()));
        v.push(Value::Tuple(Box::new(scalars.clone())));
        v.push(Value::Bag(Box::default()));
        v.push(Value::Bag(Box::new(
            scalars.chunks(3).map(<[Value]>::to_vec).collect(),
        )));
        v.push(Value::Map(Box::default()));
        let map: Map = scalars
            .iter()
            .enumerate()
            .map(|(i, x)| (format!("k{i}"), x.clone()))
            .collect();
        v.push(Value::Map(Box::new(map)));
        let nested = Value::Tuple(Box::new(v.clone()));
        v.push(Value::Bag(Box::new(crate::bag::Bag::from(vec![
            vec![nested.clone()],
            vec![],
        ]))));
        v.push(nested);
        v
    }

    #[test]
    fn skipping_leading_fields_decodes_the_rest() {
        let all = samples();
        for skip in [0, 1, 5, all.len() - 1, all.len(), all.len() + 3] {
            let mut bytes = Vec::new();
            encode_tuple(&all, &mut bytes);
            assert_eq!(bytes, encode_to_vec(&Value::Tuple(Box::new(all.clone()))));
            let mut pieces = Vec::new();
            encode_tuple_header(all.len(), &mut pieces);
            for v in &all {
                encode(v, &mut pieces);
            }
            assert_eq!(bytes, pieces);
            let rest = decode_tuple_skipping(&bytes, skip).expect("decodes");
            let want = &all[skip.min(all.len())..];
            assert_eq!(rest.len(), want.len());
            for (a, b) in rest.iter().zip(want) {
                assert!(same(a, b), "{a:?} vs {b:?}");
            }
        }
        assert!(decode_tuple_skipping(&encode_to_vec(&Value::Int(1)), 0).is_err());
    }

    #[test]
    fn round_trips_every_variant() {
        for v in samples() {
            let bytes = encode_to_vec(&v);
            let back = decode(&bytes).unwrap_or_else(|e| panic!("{v:?}: {e}"));
            assert!(same(&v, &back), "{v:?} -> {back:?}");
            // Deterministic.
            assert_eq!(bytes, encode_to_vec(&back));
        }
    }

    #[test]
    fn pseudo_random_round_trips() {
        // A small deterministic generator: xorshift.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        fn random_value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
            let pick = next() % if depth > 3 { 9 } else { 12 };
            match pick {
                0 => Value::Null,
                1 => Value::Boolean(next().is_multiple_of(2)),
                2 => Value::Int(next() as i32),
                3 => Value::Long(next() as i64),
                4 => Value::Float(f32::from_bits(next() as u32)),
                5 => Value::Double(f64::from_bits(next())),
                6 => Value::Chararray(format!("s{}", next() % 1000)),
                7 => Value::Bytearray(next().to_le_bytes()[..(next() % 9) as usize].to_vec()),
                8 => Value::BigDecimal(Box::new(BigDecimal::new(
                    BigInt::from(next() as i64) * BigInt::from(next()),
                    (next() % 40) as i64 - 20,
                ))),
                9 => Value::Tuple(Box::new(
                    (0..next() % 4)
                        .map(|_| random_value(next, depth + 1))
                        .collect(),
                )),
                10 => Value::Bag(Box::new(
                    (0..next() % 3)
                        .map(|_| {
                            (0..next() % 3)
                                .map(|_| random_value(next, depth + 1))
                                .collect()
                        })
                        .collect(),
                )),
                _ => Value::Map(Box::new(
                    (0..next() % 3)
                        .map(|i| (format!("k{i}"), random_value(next, depth + 1)))
                        .collect(),
                )),
            }
        }
        let mut stream = Vec::new();
        let mut values = Vec::new();
        for _ in 0..2000 {
            let v = random_value(&mut next, 0);
            let bytes = encode_to_vec(&v);
            let back = decode(&bytes).unwrap();
            assert!(same(&v, &back), "{v:?} -> {back:?}");
            encode(&v, &mut stream);
            values.push(v);
        }
        // Values written back to back read back one by one.
        let mut pos = 0;
        for v in &values {
            let (back, used) = decode_prefix(&stream[pos..]).unwrap();
            assert!(same(v, &back));
            pos += used;
        }
        assert_eq!(pos, stream.len());
    }

    #[test]
    fn compact() {
        assert_eq!(encode_to_vec(&Value::Null), vec![0]);
        assert_eq!(encode_to_vec(&Value::Int(1)), vec![INT, 2]);
        assert_eq!(encode_to_vec(&Value::Int(-1)), vec![INT, 1]);
        assert_eq!(
            encode_to_vec(&Value::Chararray("ab".into())),
            vec![CHARARRAY, 2, b'a', b'b']
        );
    }

    #[test]
    fn bad_input_is_an_error() {
        assert_eq!(decode(&[]), Err(CodecError::UnexpectedEnd));
        assert_eq!(decode(&[99]), Err(CodecError::BadTag(99)));
        assert_eq!(decode(&[0, 0]), Err(CodecError::TrailingBytes(1)));
        assert_eq!(
            decode(&[CHARARRAY, 5, b'a']),
            Err(CodecError::UnexpectedEnd)
        );
        assert_eq!(decode(&[CHARARRAY, 1, 0xff]), Err(CodecError::BadUtf8));
        assert_eq!(
            decode(&[
                LONG, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
            ]),
            Err(CodecError::BadVarint)
        );
        assert_eq!(
            decode(&[INT, 0xff, 0xff, 0xff, 0xff, 0x7f]),
            Err(CodecError::BadVarint)
        );
        assert_eq!(
            decode(&[TUPLE, 0xff, 0xff, 0xff, 0xff, 0x0f]),
            Err(CodecError::UnexpectedEnd)
        );
        assert_eq!(
            decode(&[DATETIME, 0, 0, 0xff, 0xff, 0x0f]),
            Err(CodecError::BadDatetime)
        );
        let deep: Vec<u8> = std::iter::repeat_n([TUPLE, 1], 100_000).flatten().collect();
        assert_eq!(decode(&deep), Err(CodecError::TooDeep));
        // Every truncation of every sample fails cleanly; every byte flip does not panic.
        for v in samples() {
            let bytes = encode_to_vec(&v);
            for cut in 0..bytes.len() {
                assert!(decode(&bytes[..cut]).is_err());
            }
            for i in 0..bytes.len().min(64) {
                let mut b = bytes.clone();
                b[i] ^= 0x5a;
                let _ = decode(&b);
            }
        }
    }
}
