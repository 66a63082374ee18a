//! Pig's casts between types, and the loader's conversion of raw text fields to declared types.
//!
//! Text conversions follow Pig's `Utf8StorageConverter` (and `CastUtils`, which uses the same
//! rules for chararrays):
//! - int: Java's `Integer.valueOf`; when that fails, `Double.valueOf` and a truncating
//!   conversion, so `(int)'1.5'` is `1` and `(int)' 7 '` is `7` (Java's double parser trims
//!   whitespace); a value outside the int range fails. long likewise, also accepting a
//!   trailing `L`.
//! - float and double: Java's `Float.valueOf` / `Double.valueOf` grammar: surrounding
//!   whitespace, `NaN`, `Infinity`, a trailing `f`/`F`/`d`/`D`; hexadecimal floats are not
//!   accepted.
//! - boolean: `true` or `false`, any case.
//! - datetime: ISO-8601 as Joda's `dateTimeParser` reads it: `2009`, `2009-01`, `2009-01-07`,
//!   `2009-01-07T01`, `2009-01-07T01:07`, `2009-01-07T01:07:01.5`, `T01:07`, with an optional
//!   offset after the time (`Z`, `+01`, `+0100`, `+01:00`). Without an offset the time is UTC
//!   (Pig uses the session's default zone). Fractions are truncated to milliseconds.
//! - tuple, bag and map: Pig's text forms `(1,2)`, `{(1,2),(3)}`, `[a#1,b#2]`, read the way
//!   `Utf8StorageConverter.consumeTuple/Bag/Map` read them; inner fields are converted by the
//!   target type's inner schema, and a field that does not convert becomes null. Without an
//!   inner schema, the fields of a tuple and the values of a map stay bytearrays.
//!
//! A cast that fails returns a [`CastError`]; callers turn it into null (with a warning).

use std::fmt;
use std::str::FromStr;

use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use num_bigint::{BigInt, Sign};
use num_traits::{FromPrimitive, ToPrimitive, Zero};

use crate::javafmt;
use crate::types::{PigType, Schema};
use crate::value::{Bag, Map, Tuple, Value};

/// A value that cannot be cast to the requested type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("cannot cast {from} value '{value}' to {to}")]
pub struct CastError {
    /// The name of the value's type (`chararray`, `bytearray`, ...).
    pub from: String,
    /// The target type, as DESCRIBE prints it.
    pub to: String,
    /// The value's text (cut short when long).
    pub value: String,
}

impl CastError {
    fn new(from: &str, to: &PigType, value: &dyn fmt::Display) -> Self {
        let mut text = value.to_string();
        if text.len() > 200 {
            let mut end = 200;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push_str("...");
        }
        CastError {
            from: from.to_owned(),
            to: to.to_string(),
            value: text,
        }
    }

    fn of(v: &Value, to: &PigType) -> Self {
        let from = v.pig_type().map_or("null", |t| t.name());
        CastError::new(from, to, v)
    }

    fn text(bytes: &[u8], to: &PigType) -> Self {
        CastError::new("bytearray", to, &String::from_utf8_lossy(bytes))
    }
}

/// Casts a value to a type with Pig's semantics.
///
/// Null stays null. Numbers convert like Java casts (`(int)3.9` is 3, long to int wraps,
/// double to int saturates, NaN to int is 0); booleans convert to numbers as 1/0 and numbers
/// to booleans as `!= 0`. Chararrays and bytearrays convert to other types by parsing (see
/// the module docs); anything scalar converts to chararray by its DUMP text; chararray and
/// bytearray convert to each other as UTF-8. A datetime converts to and from long as epoch
/// milliseconds. A tuple, bag or map cast to a type with an inner schema has each inner field
/// cast (a field that fails becomes null). Complex values do not convert to scalars.
pub fn cast(v: &Value, to: &PigType) -> Result<Value, CastError> {
    match v {
        Value::Null => return Ok(Value::Null),
        Value::Bytearray(b) => {
            return if matches!(to, PigType::Bytearray) {
                Ok(v.clone())
            } else {
                convert_text(b, to)
            };
        }
        Value::Chararray(s) if !matches!(to, PigType::Chararray | PigType::Bytearray) => {
            return convert_text(s.as_bytes(), to);
        }
        _ => {}
    }
    let fail = || CastError::of(v, to);
    Ok(match to {
        PigType::Bytearray => match v {
            Value::Chararray(s) => Value::Bytearray(s.as_bytes().to_vec()),
            other => Value::Bytearray(other.to_string().into_bytes()),
        },
        PigType::Chararray => match v {
            Value::Chararray(_) => v.clone(),
            Value::Tuple(_) | Value::Bag(_) | Value::Map(_) => return Err(fail()),
            other => Value::Chararray(other.to_string()),
        },
        PigType::Boolean => match v {
            Value::Boolean(_) => v.clone(),
            Value::Int(i) => Value::Boolean(*i != 0),
            Value::Long(l) => Value::Boolean(*l != 0),
            Value::Float(x) => Value::Boolean(*x != 0.0),
            Value::Double(x) => Value::Boolean(*x != 0.0),
            Value::BigInteger(b) => Value::Boolean(!b.is_zero()),
            Value::BigDecimal(d) => Value::Boolean(!d.is_zero()),
            _ => return Err(fail()),
        },
        PigType::Int => Value::Int(match v {
            Value::Int(i) => *i,
            Value::Long(l) => *l as i32,
            Value::Float(x) => *x as i32,
            Value::Double(x) => *x as i32,
            Value::BigInteger(b) => bigint_low_bits(b) as i32,
            Value::BigDecimal(d) => bigdec_low_bits(d) as i32,
            Value::Boolean(b) => i32::from(*b),
            _ => return Err(fail()),
        }),
        PigType::Long => Value::Long(match v {
            Value::Int(i) => i64::from(*i),
            Value::Long(l) => *l,
            Value::Float(x) => *x as i64,
            Value::Double(x) => *x as i64,
            Value::BigInteger(b) => bigint_low_bits(b) as i64,
            Value::BigDecimal(d) => bigdec_low_bits(d) as i64,
            Value::Boolean(b) => i64::from(*b),
            Value::Datetime(dt) => dt.timestamp_millis(),
            _ => return Err(fail()),
        }),
        PigType::Float => Value::Float(match v {
            Value::Int(i) => *i as f32,
            Value::Long(l) => *l as f32,
            Value::Float(x) => *x,
            Value::Double(x) => *x as f32,
            Value::BigInteger(b) => b.to_f32().unwrap_or(f32::NAN),
            Value::BigDecimal(d) => javafmt::fmt_bigdecimal(d)
                .parse::<f32>()
                .map_err(|_| fail())?,
            Value::Boolean(b) => f32::from(u8::from(*b)),
            _ => return Err(fail()),
        }),
        PigType::Double => Value::Double(match v {
            Value::Int(i) => f64::from(*i),
            Value::Long(l) => *l as f64,
            Value::Float(x) => f64::from(*x),
            Value::Double(x) => *x,
            Value::BigInteger(b) => b.to_f64().unwrap_or(f64::NAN),
            Value::BigDecimal(d) => javafmt::fmt_bigdecimal(d)
                .parse::<f64>()
                .map_err(|_| fail())?,
            Value::Boolean(b) => f64::from(u8::from(*b)),
            _ => return Err(fail()),
        }),
        PigType::BigInteger => Value::BigInteger(Box::new(match v {
            Value::Int(i) => BigInt::from(*i),
            Value::Long(l) => BigInt::from(*l),
            Value::Float(x) => BigInt::from_f32(x.trunc()).ok_or_else(fail)?,
            Value::Double(x) => BigInt::from_f64(x.trunc()).ok_or_else(fail)?,
            Value::BigInteger(b) => (**b).clone(),
            Value::BigDecimal(d) => bigdec_trunc(d).ok_or_else(fail)?,
            Value::Boolean(b) => BigInt::from(u8::from(*b)),
            _ => return Err(fail()),
        })),
        PigType::BigDecimal => Value::BigDecimal(Box::new(match v {
            Value::Int(i) => BigDecimal::from(*i),
            Value::Long(l) => BigDecimal::from(*l),
            // Like Java's BigDecimal.valueOf(double): the number's shortest text.
            Value::Float(x) if x.is_finite() => {
                BigDecimal::from_str(&javafmt::fmt_float(*x)).map_err(|_| fail())?
            }
            Value::Double(x) if x.is_finite() => {
                BigDecimal::from_str(&javafmt::fmt_double(*x)).map_err(|_| fail())?
            }
            Value::BigInteger(b) => BigDecimal::new((**b).clone(), 0),
            Value::BigDecimal(d) => (**d).clone(),
            Value::Boolean(b) => BigDecimal::from(u8::from(*b)),
            _ => return Err(fail()),
        })),
        PigType::Datetime => match v {
            Value::Datetime(_) => v.clone(),
            Value::Long(ms) => Value::Datetime(datetime_from_millis(*ms).ok_or_else(fail)?),
            Value::Int(ms) => {
                Value::Datetime(datetime_from_millis(i64::from(*ms)).ok_or_else(fail)?)
            }
            _ => return Err(fail()),
        },
        PigType::Tuple(schema) => match v {
            Value::Tuple(t) => Value::Tuple(Box::new(recast_tuple(t, inner(schema)))),
            _ => return Err(fail()),
        },
        PigType::Bag(schema) => match v {
            Value::Bag(b) => match inner(schema) {
                None => v.clone(),
                Some(s) => {
                    let bag: Bag = b.all().iter().map(|t| recast_tuple(t, Some(s))).collect();
                    Value::Bag(Box::new(bag))
                }
            },
            _ => return Err(fail()),
        },
        PigType::Map(vt) => match v {
            Value::Map(m) => match vt {
                None => v.clone(),
                Some(t) => {
                    let map: Map = m
                        .iter()
                        .map(|(k, x)| (k.clone(), cast(x, t).unwrap_or(Value::Null)))
                        .collect();
                    Value::Map(Box::new(map))
                }
            },
            _ => return Err(fail()),
        },
    })
}

/// The loader's conversion of one raw field to its declared type (PigStorage with a schema).
///
/// An empty field is null whatever the type (PigStorage's rule); a bytearray target keeps a
/// copy of the bytes; other types convert as a cast from bytearray does (see [`cast`]).
pub fn parse_text(bytes: &[u8], to: &PigType) -> Result<Value, CastError> {
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    match to {
        PigType::Bytearray => Ok(Value::Bytearray(bytes.to_vec())),
        _ => convert_text(bytes, to),
    }
}

/// Converts text (a chararray's or a bytearray's bytes) to a type.
fn convert_text(bytes: &[u8], to: &PigType) -> Result<Value, CastError> {
    let fail = || CastError::text(bytes, to);
    let s = || String::from_utf8_lossy(bytes);
    Ok(match to {
        PigType::Bytearray => Value::Bytearray(bytes.to_vec()),
        PigType::Chararray => Value::Chararray(s().into_owned()),
        PigType::Boolean => {
            let s = s();
            if s.eq_ignore_ascii_case("true") {
                Value::Boolean(true)
            } else if s.eq_ignore_ascii_case("false") {
                Value::Boolean(false)
            } else {
                return Err(fail());
            }
        }
        PigType::Int => Value::Int(text_to_int(&s()).ok_or_else(fail)?),
        PigType::Long => Value::Long(text_to_long(&s()).ok_or_else(fail)?),
        PigType::Float => Value::Float(text_to_float(&s()).ok_or_else(fail)?),
        PigType::Double => Value::Double(text_to_double(&s()).ok_or_else(fail)?),
        PigType::BigInteger => Value::BigInteger(Box::new(text_to_bigint(&s()).ok_or_else(fail)?)),
        PigType::BigDecimal => Value::BigDecimal(Box::new(text_to_bigdec(&s()).ok_or_else(fail)?)),
        PigType::Datetime => Value::Datetime(parse_datetime(&s()).ok_or_else(fail)?),
        PigType::Tuple(_) | PigType::Bag(_) | PigType::Map(_) => {
            let mut p = Parser {
                b: bytes,
                pos: 0,
                depth: 0,
            };
            p.complex(to).map_err(|_| fail())?
        }
    })
}

/// The inner schema of a tuple or bag type, if it has fields.
fn inner(schema: &Option<Schema>) -> Option<&Schema> {
    schema.as_ref().filter(|s| !s.fields.is_empty())
}

/// Casts a tuple's fields by a schema; a field that fails becomes null, fields past the
/// schema's width are kept as they are.
fn recast_tuple(t: &Tuple, schema: Option<&Schema>) -> Tuple {
    let Some(s) = schema else {
        return t.clone();
    };
    t.iter()
        .enumerate()
        .map(|(i, v)| match s.fields.get(i) {
            Some(f) => cast(v, &f.ty).unwrap_or(Value::Null),
            None => v.clone(),
        })
        .collect()
}

/// The low 64 bits of a two's-complement big integer (Java's `longValue`).
fn bigint_low_bits(b: &BigInt) -> u64 {
    let bytes = b.to_signed_bytes_le();
    let fill = if b.sign() == Sign::Minus { 0xff } else { 0 };
    let mut buf = [fill; 8];
    for (d, s) in buf.iter_mut().zip(&bytes) {
        *d = *s;
    }
    u64::from_le_bytes(buf)
}

/// Java's `BigDecimal.longValue`: the low 64 bits of the truncated integer part.
fn bigdec_low_bits(d: &BigDecimal) -> u64 {
    let (int, scale) = d.as_bigint_and_exponent();
    if scale <= -64 {
        // A multiple of 10^64, hence of 2^64.
        return 0;
    }
    match bigdec_trunc(d) {
        Some(b) => bigint_low_bits(&b),
        None => bigint_low_bits(&int),
    }
}

/// The integer part of a bigdecimal, truncated toward zero (`None` when absurdly large).
fn bigdec_trunc(d: &BigDecimal) -> Option<BigInt> {
    let (int, scale) = d.as_bigint_and_exponent();
    if scale > 0 {
        let digits = int.magnitude().bits() as f64 * std::f64::consts::LOG10_2;
        if scale as f64 > digits + 1.0 {
            return Some(BigInt::zero());
        }
        Some(int / BigInt::from(10u8).pow(u32::try_from(scale).ok()?))
    } else if scale < -100_000 {
        None
    } else {
        Some(int * BigInt::from(10u8).pow(u32::try_from(-scale).ok()?))
    }
}

fn datetime_from_millis(ms: i64) -> Option<DateTime<FixedOffset>> {
    Some(DateTime::from_timestamp_millis(ms)?.fixed_offset())
}

/// Java's whitespace trim (every char up to U+0020).
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Whether `s` is `digits ['.' digits] [e[+-]digits]` with at least one mantissa digit.
fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut mantissa_digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        mantissa_digits += i - frac_start;
    }
    if mantissa_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// Splits Java's float grammar: trimmed, optional sign, then `NaN`, `Infinity` or a decimal
/// with an optional `fFdD` suffix. Returns the sign and the body without the suffix.
fn java_float_body(s: &str) -> Option<(bool, &str)> {
    let t = java_trim(s);
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if body == "NaN" || body == "Infinity" {
        return Some((neg, body));
    }
    let body = body.strip_suffix(['f', 'F', 'd', 'D']).unwrap_or(body);
    is_decimal(body).then_some((neg, body))
}

/// Java's `Double.valueOf`.
fn text_to_double(s: &str) -> Option<f64> {
    let (neg, body) = java_float_body(s)?;
    let v = match body {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        _ => body.parse::<f64>().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Pig's `bytesToFloat`: a trailing `F` is dropped, then Java's `Float.valueOf`.
fn text_to_float(s: &str) -> Option<f32> {
    let s = s.strip_suffix(['f', 'F']).unwrap_or(s);
    let (neg, body) = java_float_body(s)?;
    let v = match body {
        "NaN" => f32::NAN,
        "Infinity" => f32::INFINITY,
        _ => body.parse::<f32>().ok()?,
    };
    Some(if neg { -v } else { v })
}

/// Pig's `bytesToInteger`: `Integer.valueOf`, else a double in the int range, truncated.
fn text_to_int(s: &str) -> Option<i32> {
    if let Ok(i) = s.parse::<i32>() {
        return Some(i);
    }
    let d = text_to_double(s)?;
    if d.is_nan() || d >= f64::from(i32::MAX) + 1.0 || d <= f64::from(i32::MIN) - 1.0 {
        return None;
    }
    Some(d as i32)
}

/// Pig's `bytesToLong`: a trailing `L` is dropped, `Long.valueOf`, else a double in the long
/// range, truncated.
fn text_to_long(s: &str) -> Option<i64> {
    let s = s.strip_suffix(['l', 'L']).unwrap_or(s);
    if let Ok(i) = s.parse::<i64>() {
        return Some(i);
    }
    let d = text_to_double(s)?;
    if d.is_nan() || d > i64::MAX as f64 + 1.0 || d < i64::MIN as f64 - 1.0 {
        return None;
    }
    Some(d as i64)
}

/// Java's `new BigInteger(s)`: an optional sign and decimal digits.
fn text_to_bigint(s: &str) -> Option<BigInt> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.is_empty() || !body.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    BigInt::from_str(s.strip_prefix('+').unwrap_or(s)).ok()
}

/// Java's `new BigDecimal(s)`: an optional sign, a decimal and an optional exponent.
fn text_to_bigdec(s: &str) -> Option<BigDecimal> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if !is_decimal(body) {
        return None;
    }
    BigDecimal::from_str(s.strip_prefix('+').unwrap_or(s)).ok()
}

/// Parses an ISO-8601 date-time the way Pig's `ToDate` / Joda's `dateTimeParser` does
/// (see the module docs for the accepted forms). A time without an offset is taken as UTC.
pub fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    let mut i = 0;
    // Reads between `min` and `max` digits.
    let num = |i: &mut usize, min: usize, max: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i - start < min {
            return None;
        }
        s[start..*i].parse().ok()
    };
    let (mut year, mut month, mut day) = (1970i32, 1u32, 1u32);
    if b.first() != Some(&b'T') {
        let neg = match b.first() {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let y = num(&mut i, 1, 9)? as i32;
        year = if neg { -y } else { y };
        if b.get(i) == Some(&b'-') {
            i += 1;
            month = num(&mut i, 1, 2)?;
            if b.get(i) == Some(&b'-') {
                i += 1;
                day = num(&mut i, 1, 2)?;
            }
        }
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let (mut hour, mut minute, mut second, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut offset = 0i32;
    if b.get(i) == Some(&b'T') {
        i += 1;
        // A time on its own (`T01:07`) needs its hour; after a date it is optional.
        if i == 1 || b.get(i).is_some_and(u8::is_ascii_digit) {
            hour = num(&mut i, 2, 2)?;
            if b.get(i) == Some(&b':') {
                i += 1;
                minute = num(&mut i, 2, 2)?;
                if b.get(i) == Some(&b':') {
                    i += 1;
                    second = num(&mut i, 2, 2)?;
                    if matches!(b.get(i), Some(b'.' | b',')) {
                        i += 1;
                        let start = i;
                        while i < b.len() && b[i].is_ascii_digit() {
                            i += 1;
                        }
                        if i == start {
                            return None;
                        }
                        // Milliseconds: the first three digits, padded.
                        let mut ms = 0u32;
                        for k in 0..3 {
                            ms = ms * 10
                                + b.get(start + k)
                                    .filter(|_| start + k < i)
                                    .map_or(0, |d| u32::from(d - b'0'));
                        }
                        nanos = ms * 1_000_000;
                    }
                }
            }
        }
        match b.get(i) {
            Some(b'Z') => i += 1,
            Some(&c @ (b'+' | b'-')) => {
                i += 1;
                let h = num(&mut i, 2, 2)?;
                if b.get(i) == Some(&b':') {
                    i += 1;
                }
                let m = if b.get(i).is_some_and(u8::is_ascii_digit) {
                    num(&mut i, 2, 2)?
                } else {
                    0
                };
                if h > 23 || m > 59 {
                    return None;
                }
                let secs = (h * 3600 + m * 60) as i32;
                offset = if c == b'-' { -secs } else { secs };
            }
            _ => {}
        }
    }
    if i != b.len() {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let tz = FixedOffset::east_opt(offset)?;
    tz.from_local_datetime(&date.and_time(time)).single()
}

/// A reader of Pig's complex-value text, after `Utf8StorageConverter`'s consume methods.
struct Parser<'a> {
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

/// How deep tuples, bags and maps may nest in text.
const MAX_DEPTH: usize = 200;

type PResult<T> = Result<T, &'static str>;

impl Parser<'_> {
    fn next(&mut self) -> PResult<u8> {
        let c = *self.b.get(self.pos).ok_or("unexpected end")?;
        self.pos += 1;
        Ok(c)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    /// Skips to just past the next `c`.
    fn skip_to(&mut self, c: u8) -> PResult<()> {
        while self.next()? != c {}
        Ok(())
    }

    fn complex(&mut self, ty: &PigType) -> PResult<Value> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("nested too deep");
        }
        let v = match ty {
            PigType::Bag(s) => Value::Bag(Box::new(self.bag(inner(s))?)),
            PigType::Tuple(s) => match self.tuple(inner(s))? {
                Some(t) => Value::Tuple(Box::new(t)),
                None => return Err("expected a tuple"),
            },
            PigType::Map(vt) => Value::Map(Box::new(self.map(vt.as_deref())?)),
            _ => return Err("not a complex type"),
        };
        self.depth -= 1;
        Ok(v)
    }

    fn bag(&mut self, schema: Option<&Schema>) -> PResult<Bag> {
        self.skip_to(b'{')?;
        let mut bag = Bag::new();
        loop {
            if let Some(t) = self.tuple(schema)? {
                bag.push(t);
            }
            loop {
                match self.next()? {
                    b'}' => return Ok(bag),
                    b',' => break,
                    _ => {}
                }
            }
        }
    }

    /// Reads a tuple; `None` when a `}` comes first (the end of an enclosing bag).
    fn tuple(&mut self, schema: Option<&Schema>) -> PResult<Option<Tuple>> {
        loop {
            match self.next()? {
                b'(' => break,
                b'}' => {
                    self.pos -= 1;
                    return Ok(None);
                }
                _ => {}
            }
        }
        let mut t = Tuple::new();
        match schema {
            Some(s) => {
                let n = s.fields.len();
                let mut closed = false;
                for (i, f) in s.fields.iter().enumerate() {
                    if closed {
                        // The text had fewer fields than the schema: the rest are null.
                        t.push(Value::Null);
                        continue;
                    }
                    let last = i + 1 == n;
                    if f.ty.is_complex() {
                        let v = if matches!(self.peek(), Some(b',' | b')')) {
                            Value::Null
                        } else {
                            self.complex(&f.ty)?
                        };
                        t.push(v);
                        loop {
                            match self.next()? {
                                b',' if !last => break,
                                b')' => {
                                    closed = true;
                                    break;
                                }
                                _ => {}
                            }
                        }
                    } else {
                        let start = self.pos;
                        let end;
                        loop {
                            match self.next()? {
                                b',' if !last => {
                                    end = self.pos - 1;
                                    break;
                                }
                                b')' => {
                                    end = self.pos - 1;
                                    closed = true;
                                    break;
                                }
                                _ => {}
                            }
                        }
                        let v = parse_text(&self.b[start..end], &f.ty).unwrap_or(Value::Null);
                        t.push(v);
                    }
                }
            }
            None => {
                if self.peek() == Some(b')') {
                    self.pos += 1;
                    return Ok(Some(t));
                }
                let mut level: Vec<u8> = Vec::new();
                let mut start = self.pos;
                loop {
                    let c = self.next()?;
                    match c {
                        b'(' | b'{' | b'[' => level.push(c),
                        b')' | b'}' | b']' if !level.is_empty() => {
                            let open = level.pop().unwrap_or(0);
                            if open != opener(c) {
                                return Err("malformed tuple");
                            }
                        }
                        b')' | b',' if level.is_empty() => {
                            let field = &self.b[start..self.pos - 1];
                            t.push(raw_field(field));
                            if c == b')' {
                                break;
                            }
                            start = self.pos;
                        }
                        b'}' | b']' => return Err("malformed tuple"),
                        _ => {}
                    }
                }
            }
        }
        Ok(Some(t))
    }

    fn map(&mut self, vt: Option<&PigType>) -> PResult<Map> {
        self.skip_to(b'[')?;
        let mut map = Map::new();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(map);
        }
        loop {
            let start = self.pos;
            self.skip_to(b'#')?;
            let key = String::from_utf8_lossy(&self.b[start..self.pos - 1]).into_owned();
            if key.is_empty() {
                return Err("empty map key");
            }
            let value;
            let end_char;
            match vt {
                Some(t) if t.is_complex() => {
                    value = if matches!(self.peek(), Some(b',' | b']')) {
                        Value::Null
                    } else {
                        self.complex(t)?
                    };
                    end_char = loop {
                        if let c @ (b',' | b']') = self.next()? {
                            break c;
                        }
                    };
                }
                _ => {
                    let vstart = self.pos;
                    let mut level: Vec<u8> = Vec::new();
                    loop {
                        let c = self.next()?;
                        match c {
                            b'(' | b'{' | b'[' => level.push(c),
                            b')' | b'}' | b']' if !level.is_empty() => {
                                let open = level.pop().unwrap_or(0);
                                if open != opener(c) {
                                    return Err("malformed map");
                                }
                            }
                            b']' | b',' if level.is_empty() => {
                                end_char = c;
                                break;
                            }
                            b')' | b'}' => return Err("malformed map"),
                            _ => {}
                        }
                    }
                    let raw = &self.b[vstart..self.pos - 1];
                    value = match vt {
                        Some(t) => parse_text(raw, t).unwrap_or(Value::Null),
                        None => raw_field(raw),
                    };
                }
            }
            match map.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = value,
                None => map.push((key, value)),
            }
            if end_char == b']' {
                return Ok(map);
            }
        }
    }
}

fn opener(close: u8) -> u8 {
    match close {
        b')' => b'(',
        b'}' => b'{',
        _ => b'[',
    }
}

/// An untyped field of complex text: a bytearray, or null when empty.
fn raw_field(b: &[u8]) -> Value {
    if b.is_empty() {
        Value::Null
    } else {
        Value::Bytearray(b.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Field;

    fn ba(s: &str) -> Value {
        Value::Bytearray(s.as_bytes().to_vec())
    }
    fn ch(s: &str) -> Value {
        Value::Chararray(s.to_owned())
    }
    fn tup(v: Vec<Value>) -> Value {
        Value::Tuple(Box::new(v))
    }
    fn schema(tys: Vec<PigType>) -> Schema {
        Schema::new(tys.into_iter().map(Field::unnamed).collect())
    }
    fn c(v: &Value, t: &PigType) -> Value {
        cast(v, t).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn nulls_stay_null() {
        for t in [
            PigType::Int,
            PigType::Chararray,
            PigType::Bag(None),
            PigType::Datetime,
        ] {
            assert_eq!(c(&Value::Null, &t), Value::Null);
        }
        assert_eq!(parse_text(b"", &PigType::Int).unwrap(), Value::Null);
        assert_eq!(parse_text(b"", &PigType::Chararray).unwrap(), Value::Null);
        assert_eq!(parse_text(b"", &PigType::Bytearray).unwrap(), Value::Null);
    }

    #[test]
    fn numeric_casts_like_java() {
        assert_eq!(c(&Value::Double(3.9), &PigType::Int), Value::Int(3));
        assert_eq!(c(&Value::Double(-3.9), &PigType::Int), Value::Int(-3));
        assert_eq!(c(&Value::Long(1 << 32 | 5), &PigType::Int), Value::Int(5));
        assert_eq!(
            c(&Value::Long(i64::from(i32::MAX) + 1), &PigType::Int),
            Value::Int(i32::MIN)
        );
        assert_eq!(c(&Value::Double(1e20), &PigType::Int), Value::Int(i32::MAX));
        assert_eq!(c(&Value::Double(f64::NAN), &PigType::Long), Value::Long(0));
        assert_eq!(c(&Value::Int(7), &PigType::Double), Value::Double(7.0));
        assert_eq!(
            c(&Value::Float(3.8), &PigType::Double),
            Value::Double(3.799999952316284)
        );
        assert_eq!(c(&Value::Double(0.1), &PigType::Float), Value::Float(0.1));
        let big = Value::BigInteger(Box::new(BigInt::from(u64::MAX) + 6u8));
        assert_eq!(c(&big, &PigType::Long), Value::Long(5));
        let neg = Value::BigInteger(Box::new(BigInt::from(-2)));
        assert_eq!(c(&neg, &PigType::Int), Value::Int(-2));
        let bd = Value::BigDecimal(Box::new(BigDecimal::from_str("-12.75").unwrap()));
        assert_eq!(c(&bd, &PigType::Int), Value::Int(-12));
        assert_eq!(c(&bd, &PigType::Double), Value::Double(-12.75));
        assert_eq!(
            c(&bd, &PigType::BigInteger),
            Value::BigInteger(Box::new(BigInt::from(-12)))
        );
        let huge = Value::BigDecimal(Box::new(BigDecimal::from_str("1E+100").unwrap()));
        assert_eq!(c(&huge, &PigType::Int), Value::Int(0));
        assert_eq!(c(&huge, &PigType::Double), Value::Double(1e100));
        assert_eq!(
            c(&Value::Double(0.1), &PigType::BigDecimal),
            Value::BigDecimal(Box::new(BigDecimal::from_str("0.1").unwrap()))
        );
        assert!(cast(&Value::Double(f64::NAN), &PigType::BigDecimal).is_err());
        assert!(cast(&Value::Double(f64::INFINITY), &PigType::BigInteger).is_err());
        assert_eq!(c(&Value::Boolean(true), &PigType::Int), Value::Int(1));
        assert_eq!(c(&Value::Int(0), &PigType::Boolean), Value::Boolean(false));
    }

    #[test]
    fn text_to_numbers() {
        let p = |s: &str, t: PigType| parse_text(s.as_bytes(), &t);
        assert_eq!(p("42", PigType::Int).unwrap(), Value::Int(42));
        assert_eq!(p("+42", PigType::Int).unwrap(), Value::Int(42));
        assert_eq!(p("1.5", PigType::Int).unwrap(), Value::Int(1));
        assert_eq!(p("-1.9", PigType::Int).unwrap(), Value::Int(-1));
        assert_eq!(p(" 7 ", PigType::Int).unwrap(), Value::Int(7));
        assert_eq!(p("1e3", PigType::Int).unwrap(), Value::Int(1000));
        assert!(p("abc", PigType::Int).is_err());
        assert!(p("2147483648", PigType::Int).is_err());
        assert_eq!(
            p("2147483647.5", PigType::Int).unwrap(),
            Value::Int(i32::MAX)
        );
        assert!(p("NaN", PigType::Int).is_err());
        assert!(p("0x10", PigType::Int).is_err());
        assert_eq!(p("12L", PigType::Long).unwrap(), Value::Long(12));
        assert_eq!(
            p("9223372036854775807", PigType::Long).unwrap(),
            Value::Long(i64::MAX)
        );
        assert_eq!(p("3.5e2", PigType::Long).unwrap(), Value::Long(350));
        assert!(p("1e30", PigType::Long).is_err());
        assert_eq!(p("1.5", PigType::Double).unwrap(), Value::Double(1.5));
        assert_eq!(p(" 1.5d ", PigType::Double).unwrap(), Value::Double(1.5));
        assert_eq!(p(".5", PigType::Double).unwrap(), Value::Double(0.5));
        assert_eq!(p("5.", PigType::Double).unwrap(), Value::Double(5.0));
        assert_eq!(
            p("-Infinity", PigType::Double).unwrap(),
            Value::Double(f64::NEG_INFINITY)
        );
        assert!(matches!(p("NaN", PigType::Double).unwrap(), Value::Double(x) if x.is_nan()));
        assert!(p("inf", PigType::Double).is_err());
        assert!(p("nan", PigType::Double).is_err());
        assert!(p("1.5.2", PigType::Double).is_err());
        assert!(p("e5", PigType::Double).is_err());
        assert!(p("1e", PigType::Double).is_err());
        assert_eq!(p("3.8F", PigType::Float).unwrap(), Value::Float(3.8));
        assert_eq!(
            p("-123456789012345678901234567890", PigType::BigInteger).unwrap(),
            Value::BigInteger(Box::new(
                BigInt::from_str("-123456789012345678901234567890").unwrap()
            ))
        );
        assert!(p("1.5", PigType::BigInteger).is_err());
        assert!(p("1_000", PigType::BigInteger).is_err());
        assert_eq!(p("1.50", PigType::BigDecimal).unwrap().to_string(), "1.50");
        assert!(p("1.5x", PigType::BigDecimal).is_err());
        assert_eq!(c(&ch("12"), &PigType::Int), Value::Int(12));
        let e = cast(&ch("zz"), &PigType::Int).unwrap_err();
        assert_eq!(
            e,
            CastError {
                from: "bytearray".into(),
                to: "int".into(),
                value: "zz".into()
            }
        );
    }

    #[test]
    fn text_to_other_scalars() {
        assert_eq!(c(&ba("TRUE"), &PigType::Boolean), Value::Boolean(true));
        assert_eq!(c(&ba("false"), &PigType::Boolean), Value::Boolean(false));
        assert!(cast(&ba("yes"), &PigType::Boolean).is_err());
        assert_eq!(c(&ba("héllo"), &PigType::Chararray), ch("héllo"));
        assert_eq!(c(&ch("xy"), &PigType::Bytearray), ba("xy"));
        assert_eq!(c(&Value::Double(1e10), &PigType::Chararray), ch("1.0E10"));
        assert_eq!(c(&Value::Int(5), &PigType::Chararray), ch("5"));
        assert_eq!(c(&Value::Boolean(true), &PigType::Chararray), ch("true"));
        assert!(cast(&tup(vec![]), &PigType::Chararray).is_err());
        assert!(cast(&tup(vec![]), &PigType::Int).is_err());
        assert!(cast(&Value::Int(1), &PigType::Tuple(None)).is_err());
    }

    #[test]
    fn datetimes() {
        let d = |s: &str| c(&ch(s), &PigType::Datetime).to_string();
        assert_eq!(d("2009-01-07"), "2009-01-07T00:00:00.000Z");
        assert_eq!(d("2009-01-07T01:07:01"), "2009-01-07T01:07:01.000Z");
        assert_eq!(d("2009-01-07T01:07:01.000Z"), "2009-01-07T01:07:01.000Z");
        assert_eq!(
            d("2009-01-07T01:07:01.123456+01:00"),
            "2009-01-07T01:07:01.123+01:00"
        );
        assert_eq!(
            d("2009-01-07T01:07:01.5-0530"),
            "2009-01-07T01:07:01.500-05:30"
        );
        assert_eq!(d("2009-01-07T01:07"), "2009-01-07T01:07:00.000Z");
        assert_eq!(d("2009-01-07T01+02"), "2009-01-07T01:00:00.000+02:00");
        assert_eq!(d("2009"), "2009-01-01T00:00:00.000Z");
        assert_eq!(d("2009-03"), "2009-03-01T00:00:00.000Z");
        assert_eq!(d("T10:30"), "1970-01-01T10:30:00.000Z");
        assert_eq!(d("2009-01-07T"), "2009-01-07T00:00:00.000Z");
        assert_eq!(d("2009-01-07TZ"), "2009-01-07T00:00:00.000Z");
        for bad in [
            "",
            "2009-13-01",
            "2009-02-30",
            "2009-01-07T25:00",
            "2009-01-07 01:00",
            "x",
            "2009-01-07T01:07:01.",
            "2009-01-07T01:07:01Zjunk",
        ] {
            assert!(cast(&ch(bad), &PigType::Datetime).is_err(), "{bad}");
        }
        let dt = c(&ch("2009-01-07T01:07:01.000Z"), &PigType::Datetime);
        assert_eq!(c(&dt, &PigType::Long), Value::Long(1231290421000));
        assert_eq!(c(&Value::Long(1231290421000), &PigType::Datetime), dt);
    }

    #[test]
    fn complex_text_without_schema() {
        let t = c(&ba("(1,,3)"), &PigType::Tuple(None));
        assert_eq!(t, tup(vec![ba("1"), Value::Null, ba("3")]));
        assert_eq!(c(&ba("()"), &PigType::Tuple(None)), tup(vec![]));
        let t = c(&ba("((1,2),{(3)},[a#1])"), &PigType::Tuple(None));
        assert_eq!(t, tup(vec![ba("(1,2)"), ba("{(3)}"), ba("[a#1]")]));
        let b = c(&ba("{(1,2),(3)}"), &PigType::Bag(None));
        assert_eq!(b.to_string(), "{(1,2),(3)}");
        assert_eq!(
            c(&ba("{}"), &PigType::Bag(None)),
            Value::Bag(Box::default())
        );
        let m = c(&ba("[a#1,b#(2,3),c#]"), &PigType::Map(None));
        assert_eq!(
            m,
            Value::Map(Box::new(vec![
                ("a".into(), ba("1")),
                ("b".into(), ba("(2,3)")),
                ("c".into(), Value::Null),
            ]))
        );
        assert_eq!(
            c(&ba("[]"), &PigType::Map(None)),
            Value::Map(Box::default())
        );
        for (bad, ty) in [
            ("(1,2", PigType::Tuple(None)),
            ("1,2", PigType::Tuple(None)),
            ("(1,2])", PigType::Tuple(None)),
            ("{(1)", PigType::Bag(None)),
            ("[a1]", PigType::Map(None)),
            ("[#1]", PigType::Map(None)),
            ("", PigType::Tuple(None)),
        ] {
            assert!(cast(&ba(bad), &ty).is_err(), "{bad}");
        }
    }

    #[test]
    fn complex_text_with_schema() {
        let ty = PigType::Tuple(Some(schema(vec![
            PigType::Int,
            PigType::Chararray,
            PigType::Double,
        ])));
        let t = c(&ba("(1,x,2.5)"), &ty);
        assert_eq!(t, tup(vec![Value::Int(1), ch("x"), Value::Double(2.5)]));
        let t = c(&ba("(1,,zz)"), &ty);
        assert_eq!(t, tup(vec![Value::Int(1), Value::Null, Value::Null]));
        // Fewer fields than the schema: the rest are null.
        let t = c(&ba("(5)"), &ty);
        assert_eq!(t, tup(vec![Value::Int(5), Value::Null, Value::Null]));
        // More: the last field takes the rest, as in Pig.
        let ty2 = PigType::Tuple(Some(schema(vec![PigType::Int, PigType::Chararray])));
        assert_eq!(c(&ba("(1,a,b)"), &ty2), tup(vec![Value::Int(1), ch("a,b")]));

        let inner = PigType::Tuple(Some(schema(vec![PigType::Int, PigType::Int])));
        let bag_ty = PigType::Bag(Some(schema(vec![PigType::Int, PigType::Chararray])));
        let map_ty = PigType::Map(Some(Box::new(PigType::Int)));
        let nested_ty = PigType::Tuple(Some(schema(vec![inner, bag_ty.clone(), map_ty.clone()])));
        let v = c(&ba("((1,2),{(3,a),(4,b)},[k#5,j#x])"), &nested_ty);
        assert_eq!(v.to_string(), "((1,2),{(3,a),(4,b)},[k#5,j#])");
        let Value::Tuple(t) = &v else { panic!() };
        assert_eq!(t[0], tup(vec![Value::Int(1), Value::Int(2)]));
        let Value::Map(m) = &t[2] else { panic!() };
        assert_eq!(m[0], ("k".to_owned(), Value::Int(5)));
        // Null complex fields.
        let v = c(&ba("(,,)"), &nested_ty);
        assert_eq!(v, tup(vec![Value::Null, Value::Null, Value::Null]));

        let b = c(&ba("{(1,a),(2,b)}"), &bag_ty);
        assert_eq!(
            b,
            Value::Bag(Box::new(crate::bag::Bag::from(vec![
                vec![Value::Int(1), ch("a")],
                vec![Value::Int(2), ch("b")]
            ])))
        );
        assert_eq!(c(&ba("{}"), &bag_ty), Value::Bag(Box::default()));
        let bag_of_bags = PigType::Bag(Some(schema(vec![bag_ty.clone()])));
        let v = c(&ba("{({(1,a)}),({})}"), &bag_of_bags);
        assert_eq!(v.to_string(), "{({(1,a)}),({})}");
        let map_of_bags = PigType::Map(Some(Box::new(bag_ty)));
        let v = c(&ba("[x#{(1,a)},y#]"), &map_of_bags);
        assert_eq!(v.to_string(), "[x#{(1,a)},y#]");
        let m = c(&ba("[a#1,a#2]"), &map_ty);
        assert_eq!(m, Value::Map(Box::new(vec![("a".into(), Value::Int(2))])));
    }

    #[test]
    fn recasting_complex_values() {
        let ty = PigType::Tuple(Some(schema(vec![PigType::Int, PigType::Double])));
        let t = tup(vec![ba("1"), Value::Int(2), ch("extra")]);
        assert_eq!(
            c(&t, &ty),
            tup(vec![Value::Int(1), Value::Double(2.0), ch("extra")])
        );
        let t = tup(vec![ba("x")]);
        assert_eq!(c(&t, &ty), tup(vec![Value::Null]));
        let bag = Value::Bag(Box::new(crate::bag::Bag::from(vec![vec![ba("3")]])));
        let bty = PigType::Bag(Some(schema(vec![PigType::Long])));
        assert_eq!(
            c(&bag, &bty),
            Value::Bag(Box::new(crate::bag::Bag::from(vec![vec![Value::Long(3)]])))
        );
        let m = Value::Map(Box::new(vec![("k".into(), ba("2.5"))]));
        let mty = PigType::Map(Some(Box::new(PigType::Double)));
        assert_eq!(
            c(&m, &mty),
            Value::Map(Box::new(vec![("k".into(), Value::Double(2.5))]))
        );
        assert_eq!(c(&m, &PigType::Map(None)), m);
    }

    #[test]
    fn no_panics_on_odd_text() {
        let types = [
            PigType::Int,
            PigType::Long,
            PigType::Float,
            PigType::Double,
            PigType::BigInteger,
            PigType::BigDecimal,
            PigType::Boolean,
            PigType::Datetime,
            PigType::Tuple(None),
            PigType::Bag(None),
            PigType::Map(None),
            PigType::Tuple(Some(schema(vec![PigType::Int, PigType::Bag(None)]))),
            PigType::Map(Some(Box::new(PigType::Tuple(None)))),
        ];
        let inputs = [
            "",
            "(",
            ")",
            "{",
            "}",
            "[",
            "]",
            "#",
            ",",
            "((((",
            "))))",
            "{(}",
            "[#]",
            "[a#(]",
            "(,)",
            "{,}",
            "-",
            "+",
            ".",
            "e",
            "1e99999999999",
            "\u{1F600}",
            "T",
            "T25",
            "-0",
            "99999999999-01-01",
            "2009-01-07T01:07:01+99:00",
            "(1,{(2),(3)},[a#{(4)}])",
        ];
        for t in &types {
            for i in inputs {
                let _ = cast(&ba(i), t);
                let _ = parse_text(i.as_bytes(), t);
            }
        }
        let deep = "(".repeat(10_000);
        assert!(cast(&ba(&deep), &PigType::Tuple(None)).is_err());
        let deep_ty = (0..300).fold(PigType::Int, |t, _| PigType::Tuple(Some(schema(vec![t]))));
        assert!(cast(&ba(&deep), &deep_ty).is_err());
    }
}
