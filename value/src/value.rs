//! Pig's runtime values: the scalar types, tuples, bags and maps that flow between operators.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};

use bigdecimal::BigDecimal;
use chrono::{DateTime, Datelike, FixedOffset, Timelike};
use num_bigint::BigInt;

use crate::javafmt;
use crate::types::PigType;

/// One Pig value. `Null` is Pig's null, of any type.
#[derive(Clone, Debug)]
pub enum Value {
    /// Pig's null.
    Null,
    /// `boolean`
    Boolean(bool),
    /// `int`
    Int(i32),
    /// `long`
    Long(i64),
    /// `float`
    Float(f32),
    /// `double`
    Double(f64),
    /// `biginteger`
    BigInteger(Box<BigInt>),
    /// `bigdecimal`
    BigDecimal(Box<BigDecimal>),
    /// `chararray`
    Chararray(String),
    /// `bytearray`: untyped bytes, as loaded.
    Bytearray(Vec<u8>),
    /// `datetime`: milliseconds precision, with the zone offset it was read or built in.
    Datetime(DateTime<FixedOffset>),
    /// `tuple`
    Tuple(Box<Tuple>),
    /// `bag`: a collection of tuples; order is kept as built.
    Bag(Box<Bag>),
    /// `map`: chararray keys, in insertion order (a key appears once).
    Map(Box<Map>),
}

/// A tuple: an ordered list of values. A relation's row is a tuple.
pub type Tuple = Vec<Value>;

pub use crate::bag::Bag;

/// A map: key/value pairs in insertion order, keys unique.
pub type Map = Vec<(String, Value)>;

impl Value {
    /// The value's type; `None` for `Null`. Tuples, bags and maps report no inner schema.
    pub fn pig_type(&self) -> Option<PigType> {
        Some(match self {
            Value::Null => return None,
            Value::Boolean(_) => PigType::Boolean,
            Value::Int(_) => PigType::Int,
            Value::Long(_) => PigType::Long,
            Value::Float(_) => PigType::Float,
            Value::Double(_) => PigType::Double,
            Value::BigInteger(_) => PigType::BigInteger,
            Value::BigDecimal(_) => PigType::BigDecimal,
            Value::Chararray(_) => PigType::Chararray,
            Value::Bytearray(_) => PigType::Bytearray,
            Value::Datetime(_) => PigType::Datetime,
            Value::Tuple(_) => PigType::Tuple(None),
            Value::Bag(_) => PigType::Bag(None),
            Value::Map(_) => PigType::Map(None),
        })
    }

    /// Whether this is Pig's null.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The boolean, if this is a `Boolean` (no conversion from other types).
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Boolean(b) => Some(*b),
            _ => None,
        }
    }

    /// Pig's `DataType` code for the value's type (`NULL`=1, `BOOLEAN`=5, `INTEGER`=10,
    /// `LONG`=15, `FLOAT`=20, `DOUBLE`=25, `DATETIME`=30, `BYTEARRAY`=50, `CHARARRAY`=55,
    /// `BIGINTEGER`=65, `BIGDECIMAL`=70, `MAP`=100, `TUPLE`=110, `BAG`=120): the order in
    /// which values of different types sort.
    pub fn type_code(&self) -> u8 {
        match self {
            Value::Null => 1,
            Value::Boolean(_) => 5,
            Value::Int(_) => 10,
            Value::Long(_) => 15,
            Value::Float(_) => 20,
            Value::Double(_) => 25,
            Value::Datetime(_) => 30,
            Value::Bytearray(_) => 50,
            Value::Chararray(_) => 55,
            Value::BigInteger(_) => 65,
            Value::BigDecimal(_) => 70,
            Value::Map(_) => 100,
            Value::Tuple(_) => 110,
            Value::Bag(_) => 120,
        }
    }
}

/// Writes a datetime as Joda's `DateTime.toString` does: `2009-01-07T01:07:01.000Z` for a
/// zero offset, else `2009-01-07T01:07:01.000+01:00`.
pub(crate) fn write_datetime<W: fmt::Write>(
    out: &mut W,
    dt: &DateTime<FixedOffset>,
) -> fmt::Result {
    let year = dt.year();
    if (0..=9999).contains(&year) {
        write!(out, "{year:04}")?;
    } else {
        write!(out, "{year:+05}")?;
    }
    write!(
        out,
        "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}",
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        (dt.nanosecond() / 1_000_000).min(999)
    )?;
    let off = dt.offset().local_minus_utc();
    if off == 0 {
        return out.write_char('Z');
    }
    let sign = if off < 0 { '-' } else { '+' };
    let abs = off.unsigned_abs();
    write!(out, "{sign}{:02}:{:02}", abs / 3600, (abs / 60) % 60)?;
    if !abs.is_multiple_of(60) {
        write!(out, ":{:02}", abs % 60)?;
    }
    Ok(())
}

fn write_tuple(f: &mut fmt::Formatter<'_>, t: &[Value]) -> fmt::Result {
    f.write_str("(")?;
    for (i, v) in t.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        fmt::Display::fmt(v, f)?;
    }
    f.write_str(")")
}

/// Pig's DUMP / PigStorage text: null prints nothing, floats as Java does, tuples `(a,b)`,
/// bags `{(1,2),(3,4)}`, maps `[k#v,k2#v2]`, datetimes ISO-8601 with milliseconds.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Boolean(b) => f.write_str(if *b { "true" } else { "false" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Long(l) => write!(f, "{l}"),
            Value::Float(x) => f.write_str(&javafmt::fmt_float(*x)),
            Value::Double(x) => f.write_str(&javafmt::fmt_double(*x)),
            Value::BigInteger(b) => write!(f, "{b}"),
            Value::BigDecimal(d) => f.write_str(&javafmt::fmt_bigdecimal(d)),
            Value::Chararray(s) => f.write_str(s),
            Value::Bytearray(b) => f.write_str(&String::from_utf8_lossy(b)),
            Value::Datetime(dt) => write_datetime(f, dt),
            Value::Tuple(t) => write_tuple(f, t),
            Value::Bag(b) => {
                f.write_str("{")?;
                for (i, t) in b.all().iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write_tuple(f, t)?;
                }
                f.write_str("}")
            }
            Value::Map(m) => {
                f.write_str("[")?;
                for (i, (k, v)) in m.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{k}#{v}")?;
                }
                f.write_str("]")
            }
        }
    }
}

/// Total order on floats: NaN equals NaN and sorts after everything; `-0.0` equals `0.0`.
fn cmp_f64(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// Java's `String.compareTo`: lexicographic by UTF-16 code unit.
fn cmp_java_str(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (x, y) = (a.as_bytes(), b.as_bytes());
    // UTF-8 byte order is code point order. It differs from UTF-16 order only when the first
    // difference is between the lead bytes of a character in U+E000..=U+FFFF (0xEE, 0xEF)
    // and of a supplementary character (0xF0..=0xF4), which UTF-16 puts first (surrogates).
    match x.iter().zip(y).position(|(p, q)| p != q) {
        None => x.len().cmp(&y.len()),
        Some(i) => {
            let (p, q) = (x[i], y[i]);
            let bmp_high = |c: u8| c == 0xEE || c == 0xEF;
            let supplementary = |c: u8| c >= 0xF0;
            if (bmp_high(p) && supplementary(q)) || (supplementary(p) && bmp_high(q)) {
                q.cmp(&p)
            } else {
                p.cmp(&q)
            }
        }
    }
}

/// Pig's `DefaultTuple.compareTo`: the shorter tuple first, then field by field
/// ([`compare`]).
pub fn compare_tuples(a: &[Value], b: &[Value]) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| {
        for (x, y) in a.iter().zip(b) {
            let c = compare(x, y);
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    })
}

fn cmp_bags(a: &[Tuple], b: &[Tuple]) -> Ordering {
    // Pig's DefaultAbstractBag.compareTo: by size, then as sorted bags (order-insensitive).
    a.len().cmp(&b.len()).then_with(|| {
        if a.iter()
            .zip(b)
            .all(|(x, y)| compare_tuples(x, y) == Ordering::Equal)
        {
            return Ordering::Equal;
        }
        let mut sa: Vec<&Tuple> = a.iter().collect();
        let mut sb: Vec<&Tuple> = b.iter().collect();
        sa.sort_by(|x, y| compare_tuples(x, y));
        sb.sort_by(|x, y| compare_tuples(x, y));
        for (x, y) in sa.iter().zip(&sb) {
            let c = compare_tuples(x, y);
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    })
}

fn cmp_maps(a: &Map, b: &Map) -> Ordering {
    // Pig's DataType.compare on maps: by size, then entries sorted by key.
    a.len().cmp(&b.len()).then_with(|| {
        let mut sa: Vec<&(String, Value)> = a.iter().collect();
        let mut sb: Vec<&(String, Value)> = b.iter().collect();
        sa.sort_by(|x, y| cmp_java_str(&x.0, &y.0));
        sb.sort_by(|x, y| cmp_java_str(&x.0, &y.0));
        for (x, y) in sa.iter().zip(&sb) {
            let c = cmp_java_str(&x.0, &y.0).then_with(|| compare(&x.1, &y.1));
            if c != Ordering::Equal {
                return c;
            }
        }
        Ordering::Equal
    })
}

/// Pig's `DataType.compare`: null sorts first; values of different types sort by Pig's type
/// code (see [`Value::type_code`]); same types by value. Strings compare like Java's
/// `String.compareTo`, bytearrays bytewise, floats with a total order (NaN last, `-0.0` equal
/// to `0.0`), datetimes by instant, tuples by length then field by field, bags by size then
/// as sorted bags, maps by size then by entries sorted by key.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    match (a, b) {
        (Null, Null) => Ordering::Equal,
        (Boolean(x), Boolean(y)) => x.cmp(y),
        (Int(x), Int(y)) => x.cmp(y),
        (Long(x), Long(y)) => x.cmp(y),
        (Float(x), Float(y)) => cmp_f64(f64::from(*x), f64::from(*y)),
        (Double(x), Double(y)) => cmp_f64(*x, *y),
        (BigInteger(x), BigInteger(y)) => x.cmp(y),
        (BigDecimal(x), BigDecimal(y)) => x.cmp(y),
        (Chararray(x), Chararray(y)) => cmp_java_str(x, y),
        (Bytearray(x), Bytearray(y)) => x.cmp(y),
        (Datetime(x), Datetime(y)) => x.cmp(y),
        (Tuple(x), Tuple(y)) => compare_tuples(x, y),
        (Bag(x), Bag(y)) => x
            .len()
            .cmp(&y.len())
            .then_with(|| cmp_bags(&x.all(), &y.all())),
        (Map(x), Map(y)) => cmp_maps(x, y),
        _ => a.type_code().cmp(&b.type_code()),
    }
}

/// Equality is `compare(a, b) == Equal`.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        // Equal strings, bytes and integers are equal bit for bit: skip the ordering walk
        // (hash-table lookups of keys call this for every row).
        match (self, other) {
            (Value::Chararray(x), Value::Chararray(y)) => x == y,
            (Value::Bytearray(x), Value::Bytearray(y)) => x == y,
            (Value::Int(x), Value::Int(y)) => x == y,
            (Value::Long(x), Value::Long(y)) => x == y,
            // Tuples are equal when they have the same length and equal fields.
            (Value::Tuple(x), Value::Tuple(y)) => {
                x.len() == y.len() && x.iter().zip(y.iter()).all(|(a, b)| a == b)
            }
            (Value::Null, Value::Null) => true,
            _ => compare(self, other) == Ordering::Equal,
        }
    }
}

impl Eq for Value {}

/// Orders values with [`compare`].
impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Orders values with [`compare`].
impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        compare(self, other)
    }
}

fn hash_f64<H: Hasher>(x: f64, state: &mut H) {
    let bits = if x.is_nan() {
        f64::NAN.to_bits()
    } else if x == 0.0 {
        0
    } else {
        x.to_bits()
    };
    state.write_u64(bits);
}

/// A hash of one value that does not depend on the hasher's earlier state, so that a bag or
/// a map can combine its members' hashes in an order-insensitive way.
fn standalone_hash<T: Hash + ?Sized>(v: &T) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

struct TupleKey<'a>(&'a [Value]);

impl Hash for TupleKey<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.0.len());
        for v in self.0 {
            v.hash(state);
        }
    }
}

/// Hashes consistently with [`compare`]: floats by bits after normalising `-0.0` and NaN,
/// bigdecimals ignoring trailing zeros, datetimes by instant, bags and maps regardless of
/// the order of their members.
impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(self.type_code());
        match self {
            Value::Null => {}
            Value::Boolean(b) => b.hash(state),
            Value::Int(i) => i.hash(state),
            Value::Long(l) => l.hash(state),
            Value::Float(x) => hash_f64(f64::from(*x), state),
            Value::Double(x) => hash_f64(*x, state),
            Value::BigInteger(b) => b.hash(state),
            Value::BigDecimal(d) => {
                let (int, scale) = d.normalized().into_bigint_and_exponent();
                int.hash(state);
                if !num_traits::Zero::is_zero(&int) {
                    scale.hash(state);
                }
            }
            Value::Chararray(s) => s.hash(state),
            Value::Bytearray(b) => b.hash(state),
            Value::Datetime(dt) => {
                state.write_i64(dt.timestamp());
                state.write_u32(dt.timestamp_subsec_nanos());
            }
            Value::Tuple(t) => TupleKey(t).hash(state),
            Value::Bag(b) => {
                state.write_usize(b.len());
                let sum = b.all().iter().fold(0u64, |acc, t| {
                    acc.wrapping_add(standalone_hash(&TupleKey(t)))
                });
                state.write_u64(sum);
            }
            Value::Map(m) => {
                state.write_usize(m.len());
                let sum = m.iter().fold(0u64, |acc, (k, v)| {
                    acc.wrapping_add(standalone_hash(&(k.as_str(), v)))
                });
                state.write_u64(sum);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn h(v: &Value) -> u64 {
        standalone_hash(v)
    }

    fn dt(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn tup(v: Vec<Value>) -> Value {
        Value::Tuple(Box::new(v))
    }

    #[test]
    fn display_scalars() {
        assert_eq!(Value::Null.to_string(), "");
        assert_eq!(Value::Boolean(true).to_string(), "true");
        assert_eq!(Value::Boolean(false).to_string(), "false");
        assert_eq!(Value::Int(-3).to_string(), "-3");
        assert_eq!(Value::Long(1 << 40).to_string(), "1099511627776");
        assert_eq!(Value::Float(4.0).to_string(), "4.0");
        assert_eq!(Value::Double(1e10).to_string(), "1.0E10");
        assert_eq!(
            Value::BigInteger(Box::new(
                BigInt::from_str("123456789012345678901234").unwrap()
            ))
            .to_string(),
            "123456789012345678901234"
        );
        assert_eq!(
            Value::BigDecimal(Box::new(BigDecimal::from_str("1.50").unwrap())).to_string(),
            "1.50"
        );
        assert_eq!(Value::Chararray("a b".into()).to_string(), "a b");
        assert_eq!(Value::Bytearray(b"xy".to_vec()).to_string(), "xy");
        assert_eq!(
            Value::Datetime(dt("2009-01-07T01:07:01Z")).to_string(),
            "2009-01-07T01:07:01.000Z"
        );
        assert_eq!(
            Value::Datetime(dt("2009-01-07T01:07:01.25+01:00")).to_string(),
            "2009-01-07T01:07:01.250+01:00"
        );
        assert_eq!(
            Value::Datetime(dt("2009-01-07T01:07:01-05:30")).to_string(),
            "2009-01-07T01:07:01.000-05:30"
        );
    }

    #[test]
    fn display_complex() {
        let t = tup(vec![Value::Int(1), Value::Null, Value::Int(3)]);
        assert_eq!(t.to_string(), "(1,,3)");
        assert_eq!(tup(vec![Value::Null]).to_string(), "()");
        assert_eq!(tup(vec![]).to_string(), "()");
        let bag = Value::Bag(Box::new(crate::bag::Bag::from(vec![
            vec![Value::Int(1), Value::Int(2)],
            vec![Value::Int(3), Value::Int(4)],
        ])));
        assert_eq!(bag.to_string(), "{(1,2),(3,4)}");
        assert_eq!(Value::Bag(Box::default()).to_string(), "{}");
        let nested = tup(vec![tup(vec![Value::Int(1), Value::Int(2)])]);
        assert_eq!(nested.to_string(), "((1,2))");
        let map = Value::Map(Box::new(vec![
            ("k".into(), Value::Chararray("v".into())),
            ("k2".into(), Value::Double(2.5)),
        ]));
        assert_eq!(map.to_string(), "[k#v,k2#2.5]");
        assert_eq!(
            tup(vec![map, bag]).to_string(),
            "([k#v,k2#2.5],{(1,2),(3,4)})"
        );
    }

    #[test]
    fn types_and_accessors() {
        assert_eq!(Value::Null.pig_type(), None);
        assert!(Value::Null.is_null());
        assert!(!Value::Int(0).is_null());
        assert_eq!(Value::Int(0).pig_type(), Some(PigType::Int));
        assert_eq!(tup(vec![]).pig_type(), Some(PigType::Tuple(None)));
        assert_eq!(
            Value::Map(Box::default()).pig_type(),
            Some(PigType::Map(None))
        );
        assert_eq!(
            Value::Bag(Box::default()).pig_type(),
            Some(PigType::Bag(None))
        );
        assert_eq!(Value::Boolean(true).as_bool(), Some(true));
        assert_eq!(Value::Int(1).as_bool(), None);
    }

    #[test]
    fn ordering_across_types() {
        let order = vec![
            Value::Null,
            Value::Boolean(true),
            Value::Int(100),
            Value::Long(1),
            Value::Float(0.5),
            Value::Double(-1.0),
            Value::Datetime(dt("2000-01-01T00:00:00Z")),
            Value::Bytearray(b"z".to_vec()),
            Value::Chararray("a".into()),
            Value::BigInteger(Box::new(BigInt::from(1))),
            Value::BigDecimal(Box::new(BigDecimal::from(1))),
            Value::Map(Box::default()),
            tup(vec![]),
            Value::Bag(Box::default()),
        ];
        for (i, a) in order.iter().enumerate() {
            for (j, b) in order.iter().enumerate() {
                assert_eq!(compare(a, b), i.cmp(&j), "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn ordering_within_types() {
        use Ordering::*;
        assert_eq!(compare(&Value::Int(1), &Value::Int(2)), Less);
        assert_eq!(compare(&Value::Boolean(false), &Value::Boolean(true)), Less);
        assert_eq!(
            compare(&Value::Double(f64::NAN), &Value::Double(f64::INFINITY)),
            Greater
        );
        assert_eq!(
            compare(&Value::Double(f64::NAN), &Value::Double(f64::NAN)),
            Equal
        );
        assert_eq!(compare(&Value::Double(-0.0), &Value::Double(0.0)), Equal);
        assert_eq!(compare(&Value::Float(1.5), &Value::Float(-2.0)), Greater);
        let s = |x: &str| Value::Chararray(x.into());
        assert_eq!(compare(&s("abc"), &s("abd")), Less);
        assert_eq!(compare(&s("ab"), &s("abc")), Less);
        assert_eq!(compare(&s("B"), &s("a")), Less);
        // UTF-16 order: a supplementary character sorts before U+FFFD.
        assert_eq!(compare(&s("\u{1F600}"), &s("\u{FFFD}")), Less);
        assert_eq!(compare(&s("x\u{E000}"), &s("x\u{10000}")), Greater);
        assert_eq!(compare(&s("\u{E9}"), &s("\u{10000}")), Less);
        assert_eq!(compare(&s("\u{1F600}a"), &s("\u{1F600}b")), Less);
        assert_eq!(compare(&s(""), &s("a")), Less);
        assert_eq!(compare(&s("é"), &s("e")), Greater);
        assert_eq!(
            compare(&Value::Bytearray(vec![0x80]), &Value::Bytearray(vec![0x7f])),
            Greater
        );
        // Tuples: shorter first, then field by field, null first.
        let t1 = tup(vec![Value::Int(9)]);
        let t2 = tup(vec![Value::Int(1), Value::Int(1)]);
        assert_eq!(compare(&t1, &t2), Less);
        let t3 = tup(vec![Value::Null, Value::Int(5)]);
        assert_eq!(compare(&t3, &t2), Less);
        // Bags: by size, then regardless of order.
        let b1 = Value::Bag(Box::new(crate::bag::Bag::from(vec![
            vec![Value::Int(1)],
            vec![Value::Int(2)],
        ])));
        let b2 = Value::Bag(Box::new(crate::bag::Bag::from(vec![
            vec![Value::Int(2)],
            vec![Value::Int(1)],
        ])));
        let b3 = Value::Bag(Box::new(crate::bag::Bag::from(vec![
            vec![Value::Int(2)],
            vec![Value::Int(3)],
        ])));
        assert_eq!(compare(&b1, &b2), Equal);
        assert_eq!(compare(&b1, &b3), Less);
        // Maps: by size then sorted entries.
        let m1 = Value::Map(Box::new(vec![
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::Int(2)),
        ]));
        let m2 = Value::Map(Box::new(vec![
            ("b".into(), Value::Int(2)),
            ("a".into(), Value::Int(1)),
        ]));
        let m3 = Value::Map(Box::new(vec![("z".into(), Value::Int(0))]));
        assert_eq!(compare(&m1, &m2), Equal);
        assert_eq!(compare(&m3, &m1), Less);
        // Datetimes by instant.
        let d1 = Value::Datetime(dt("2009-01-07T01:07:01Z"));
        let d2 = Value::Datetime(dt("2009-01-07T02:07:01+01:00"));
        assert_eq!(compare(&d1, &d2), Equal);
        let bd = |x: &str| Value::BigDecimal(Box::new(BigDecimal::from_str(x).unwrap()));
        assert_eq!(compare(&bd("2.0"), &bd("2.00")), Equal);
        assert_eq!(compare(&bd("2.01"), &bd("2.1")), Less);
        let mut v = vec![Value::Int(3), Value::Null, Value::Int(1)];
        v.sort();
        assert_eq!(v, vec![Value::Null, Value::Int(1), Value::Int(3)]);
    }

    #[test]
    fn hash_consistent_with_eq() {
        let bd = |x: &str| Value::BigDecimal(Box::new(BigDecimal::from_str(x).unwrap()));
        let pairs = vec![
            (Value::Double(-0.0), Value::Double(0.0)),
            (Value::Float(f32::NAN), Value::Float(-f32::NAN)),
            (bd("2.0"), bd("2.000")),
            (bd("0"), bd("0.00")),
            (bd("100"), bd("1E+2")),
            (
                Value::Datetime(dt("2009-01-07T01:07:01Z")),
                Value::Datetime(dt("2009-01-07T02:07:01+01:00")),
            ),
            (
                Value::Bag(Box::new(crate::bag::Bag::from(vec![
                    vec![Value::Int(1)],
                    vec![Value::Int(2)],
                ]))),
                Value::Bag(Box::new(crate::bag::Bag::from(vec![
                    vec![Value::Int(2)],
                    vec![Value::Int(1)],
                ]))),
            ),
            (
                Value::Map(Box::new(vec![
                    ("a".into(), Value::Int(1)),
                    ("b".into(), Value::Null),
                ])),
                Value::Map(Box::new(vec![
                    ("b".into(), Value::Null),
                    ("a".into(), Value::Int(1)),
                ])),
            ),
            (
                tup(vec![Value::Null, Value::Chararray("x".into())]),
                tup(vec![Value::Null, Value::Chararray("x".into())]),
            ),
        ];
        for (a, b) in &pairs {
            assert_eq!(a, b);
            assert_eq!(h(a), h(b), "{a:?} {b:?}");
        }
        assert_ne!(Value::Int(1), Value::Long(1));
        assert_ne!(h(&Value::Int(1)), h(&Value::Long(1)));
        assert_ne!(
            Value::Chararray("a".into()),
            Value::Bytearray(b"a".to_vec())
        );
        let mut set = std::collections::HashSet::new();
        set.insert(Value::Null);
        set.insert(Value::Null);
        set.insert(Value::Int(1));
        set.insert(Value::Double(0.0));
        set.insert(Value::Double(-0.0));
        assert_eq!(set.len(), 3);
    }
}
