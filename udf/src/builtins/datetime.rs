//! Date and time built-ins: `ToDate`, `ToString`, `ToMilliSeconds`, `ToUnixTime`,
//! `CurrentTime`, the `Get*` field functions, the `*Between` differences and
//! `AddDuration` / `SubtractDuration` with ISO-8601 periods (`PT1H`, `P1D`, `P1Y2M`).
//!
//! Patterns are Joda-Time `DateTimeFormat` patterns (`yyyy-MM-dd HH:mm:ss.SSS`, `dd.MM.yy`,
//! `MMM`, `EEE`, `a`, `Z`, quoted `'T'` text, ...). Time zones are `UTC`/`GMT`/`Z` or fixed
//! offsets such as `+08:00`, `-0530` or `UTC+3`; ToDate also takes named regions
//! (`America/New_York`, with their daylight-saving rules). The default zone, for strings without an offset and
//! for `CurrentTime`, is UTC.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, Offset,
    TimeZone, Timelike, Utc,
};

use super::{as_i64, as_str, builtin_fn, check_arity, want_datetime, want_str};
use crate::func::{EvalFunc, UdfError};
use crate::types::PigType;
use crate::value::Value;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn utc() -> FixedOffset {
    Utc.fix()
}

/// A datetime's ISO-8601 text as Joda prints it: `2009-01-07T01:07:01.000Z`,
/// `2009-01-07T09:07:01.000+08:00`.
pub(crate) fn iso_string(d: &DateTime<FixedOffset>) -> String {
    Value::Datetime(*d).to_string()
}

/// `+08:00` (with colon) or `+0800`.
fn offset_text(secs: i32, colon: bool) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m) = (a / 3600, (a % 3600) / 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// Parses a zone id: `UTC`, `GMT`, `Z`, `+08:00`, `-0530`, `+8`, `UTC+3`, `GMT-05:00`.
pub(crate) fn parse_zone(id: &str) -> Result<FixedOffset, String> {
    let t = id.trim();
    let rest = ["UTC", "GMT", "UT"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    if rest.is_empty() || rest == "Z" {
        return Ok(utc());
    }
    parse_offset(rest)
        .and_then(|(secs, used)| (used == rest.len()).then_some(secs))
        .and_then(FixedOffset::east_opt)
        .ok_or_else(|| {
            format!(
                "unknown time zone '{id}' (only UTC and fixed offsets such as +08:00 are supported)"
            )
        })
}

/// Parses `+08:00`, `+0800`, `+08`, `+8`, `Z` at the start of `s`: (seconds, bytes used).
fn parse_offset(s: &str) -> Option<(i32, usize)> {
    if let Some(r) = s.strip_prefix('Z') {
        let _ = r;
        return Some((0, 1));
    }
    let b = s.as_bytes();
    let sign = match b.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut i = 1;
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n = digits(i);
    let (h, m);
    if n == 4 {
        h = s[i..i + 2].parse::<i32>().ok()?;
        m = s[i + 2..i + 4].parse::<i32>().ok()?;
        i += 4;
    } else if n == 1 || n == 2 {
        h = s[i..i + n].parse::<i32>().ok()?;
        i += n;
        if b.get(i) == Some(&b':') && digits(i + 1) == 2 {
            m = s[i + 1..i + 3].parse::<i32>().ok()?;
            i += 3;
        } else {
            m = 0;
        }
    } else {
        return None;
    }
    if h > 23 || m > 59 {
        return None;
    }
    Some((sign * (h * 3600 + m * 60), i))
}

// ---------------------------------------------------------------------------------------
// Joda patterns.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Field(char, usize),
    Lit(String),
}

fn tokenize_pattern(p: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // Quoted text; '' is a quote.
            if chars.get(i + 1) == Some(&'\'') {
                out.push(Tok::Lit("'".into()));
                i += 2;
                continue;
            }
            let mut lit = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(format!("unterminated quote in pattern '{p}'")),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        lit.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        lit.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Tok::Lit(lit));
        } else if c.is_ascii_alphabetic() {
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            if !"GCYyxuwekEDMdahKkHmsSzZ".contains(c) {
                return Err(format!("illegal pattern component '{c}' in '{p}'"));
            }
            out.push(Tok::Field(c, n));
            i += n;
        } else {
            out.push(Tok::Lit(c.to_string()));
            i += 1;
        }
    }
    Ok(out)
}

fn pad_num(n: i64, width: usize) -> String {
    if n < 0 {
        format!("-{:0width$}", -n)
    } else {
        format!("{n:0width$}")
    }
}

/// Formats a datetime with a Joda pattern.
pub(crate) fn format_joda(d: &DateTime<FixedOffset>, pattern: &str) -> Result<String, String> {
    let toks = tokenize_pattern(pattern)?;
    let mut out = String::new();
    let off = d.offset().local_minus_utc();
    for t in &toks {
        match t {
            Tok::Lit(s) => out.push_str(s),
            Tok::Field(c, n) => {
                let n = *n;
                let s = match c {
                    'G' => if d.year() > 0 { "AD" } else { "BC" }.to_string(),
                    'C' => pad_num(i64::from(d.year() / 100), n),
                    'y' | 'Y' | 'u' | 'x' => {
                        let y = i64::from(if *c == 'x' {
                            d.iso_week().year()
                        } else {
                            d.year()
                        });
                        if n == 2 {
                            format!("{:02}", y.rem_euclid(100))
                        } else {
                            pad_num(y, n)
                        }
                    }
                    'w' => pad_num(i64::from(d.iso_week().week()), n),
                    'e' => pad_num(i64::from(d.weekday().number_from_monday()), n),
                    'E' => {
                        let name = DAYS[d.weekday().num_days_from_monday() as usize];
                        if n >= 4 {
                            name.to_string()
                        } else {
                            name[..3].to_string()
                        }
                    }
                    'D' => pad_num(i64::from(d.ordinal()), n),
                    'M' => {
                        let name = MONTHS[d.month0() as usize];
                        match n {
                            1 | 2 => pad_num(i64::from(d.month()), n),
                            3 => name[..3].to_string(),
                            _ => name.to_string(),
                        }
                    }
                    'd' => pad_num(i64::from(d.day()), n),
                    'a' => if d.hour() < 12 { "AM" } else { "PM" }.to_string(),
                    'h' => pad_num(
                        i64::from(if d.hour().is_multiple_of(12) {
                            12
                        } else {
                            d.hour() % 12
                        }),
                        n,
                    ),
                    'K' => pad_num(i64::from(d.hour() % 12), n),
                    'k' => pad_num(i64::from(if d.hour() == 0 { 24 } else { d.hour() }), n),
                    'H' => pad_num(i64::from(d.hour()), n),
                    'm' => pad_num(i64::from(d.minute()), n),
                    's' => pad_num(i64::from(d.second()), n),
                    'S' => {
                        let ms = format!("{:03}", d.timestamp_subsec_millis().min(999));
                        let mut s: String = ms.chars().take(n).collect();
                        while s.len() < n {
                            s.push('0');
                        }
                        s
                    }
                    'z' => {
                        if off == 0 {
                            "UTC".to_string()
                        } else {
                            offset_text(off, true)
                        }
                    }
                    'Z' => match n {
                        1 => offset_text(off, false),
                        2 => offset_text(off, true),
                        _ => {
                            if off == 0 {
                                "UTC".to_string()
                            } else {
                                offset_text(off, true)
                            }
                        }
                    },
                    _ => return Err(format!("illegal pattern component '{c}'")),
                };
                out.push_str(&s);
            }
        }
    }
    Ok(out)
}

fn is_numeric_field(t: Option<&Tok>) -> bool {
    matches!(t, Some(Tok::Field(c, n)) if "CYyxuwekDdhKkHmsS".contains(*c) || (*c == 'M' && *n <= 2))
}

/// Parses text with a Joda pattern. Missing fields default to 1970-01-01T00:00:00.000;
/// a parsed offset wins over `zone`, the zone used otherwise.
pub(crate) fn parse_joda(
    s: &str,
    pattern: &str,
    zone: FixedOffset,
) -> Result<DateTime<FixedOffset>, String> {
    let toks = tokenize_pattern(pattern)?;
    let bad = || format!("Invalid format: \"{s}\" does not match pattern '{pattern}'");
    let (mut year, mut month, mut day) = (1970i64, 1u32, 1u32);
    let (mut hour, mut minute, mut second, mut milli) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut half_hour: Option<u32> = None;
    let mut doy: Option<u32> = None;
    let mut offset: Option<i32> = None;
    let mut rest = s;
    for (ti, t) in toks.iter().enumerate() {
        match t {
            Tok::Lit(l) => {
                rest = rest.strip_prefix(l.as_str()).ok_or_else(bad)?;
            }
            Tok::Field(c, n) => {
                let n = *n;
                let adjacent = is_numeric_field(toks.get(ti + 1));
                let text_field = matches!(c, 'G' | 'E' | 'a' | 'z' | 'Z') || (*c == 'M' && n >= 3);
                if text_field {
                    match c {
                        'M' => {
                            let (m, used) = MONTHS
                                .iter()
                                .enumerate()
                                .find_map(|(i, name)| {
                                    [name.len(), 3].into_iter().find_map(|len| {
                                        let cand = rest.get(..len)?;
                                        cand.eq_ignore_ascii_case(&name[..len])
                                            .then_some((i as u32 + 1, len))
                                    })
                                })
                                .ok_or_else(bad)?;
                            month = m;
                            rest = &rest[used..];
                        }
                        'E' => {
                            let used = DAYS
                                .iter()
                                .find_map(|name| {
                                    [name.len(), 3].into_iter().find_map(|len| {
                                        let cand = rest.get(..len)?;
                                        cand.eq_ignore_ascii_case(&name[..len]).then_some(len)
                                    })
                                })
                                .ok_or_else(bad)?;
                            rest = &rest[used..];
                        }
                        'a' => {
                            let head = rest.get(..2).ok_or_else(bad)?;
                            pm = Some(match head.to_ascii_uppercase().as_str() {
                                "AM" => false,
                                "PM" => true,
                                _ => return Err(bad()),
                            });
                            rest = &rest[2..];
                        }
                        'G' => {
                            let head = rest.get(..2).ok_or_else(bad)?;
                            if !head.eq_ignore_ascii_case("AD") && !head.eq_ignore_ascii_case("BC")
                            {
                                return Err(bad());
                            }
                            rest = &rest[2..];
                        }
                        _ => {
                            // 'Z' / 'z': an offset, or a zone id.
                            if let Some((secs, used)) = parse_offset(rest) {
                                offset = Some(secs);
                                rest = &rest[used..];
                            } else {
                                let id: String = rest
                                    .chars()
                                    .take_while(|c| {
                                        c.is_ascii_alphanumeric() || "+-:/_".contains(*c)
                                    })
                                    .collect();
                                let z = parse_zone(&id)?;
                                offset = Some(z.local_minus_utc());
                                rest = &rest[id.len()..];
                            }
                        }
                    }
                    continue;
                }
                // Numbers.
                let max = if adjacent {
                    n
                } else {
                    match c {
                        'y' | 'Y' | 'x' | 'u' | 'S' => 9,
                        'D' => 3,
                        _ => n.max(2),
                    }
                };
                let neg = matches!(c, 'y' | 'Y' | 'x' | 'u') && rest.starts_with('-');
                let body = if neg { &rest[1..] } else { rest };
                let len = body
                    .bytes()
                    .take(max)
                    .take_while(u8::is_ascii_digit)
                    .count();
                if len == 0 {
                    return Err(bad());
                }
                let digits = &body[..len];
                let v: i64 = digits.parse().map_err(|_| bad())?;
                let v = if neg { -v } else { v };
                rest = &body[len..];
                let small = || u32::try_from(v).map_err(|_| bad());
                match c {
                    'y' | 'Y' | 'u' | 'x' => {
                        year = if n == 2 && len == 2 && !neg {
                            // Two-digit years fall in [now - 30, now + 70).
                            let pivot = i64::from(Utc::now().year()) - 30;
                            let base = pivot - pivot.rem_euclid(100);
                            let y = base + v;
                            if y < pivot { y + 100 } else { y }
                        } else {
                            v
                        };
                    }
                    'C' => year = v * 100 + year.rem_euclid(100),
                    'M' => month = small()?,
                    'd' => day = small()?,
                    'D' => doy = Some(small()?),
                    'H' => hour = small()?,
                    'k' => hour = small()? % 24,
                    'h' | 'K' => half_hour = Some(small()? % 12),
                    'm' => minute = small()?,
                    's' => second = small()?,
                    'S' => {
                        let frac = format!("{digits:0<3}");
                        milli = frac[..3].parse().map_err(|_| bad())?;
                    }
                    // Week-based fields and day of week are read but not applied.
                    _ => {}
                }
            }
        }
    }
    if !rest.is_empty() {
        return Err(format!(
            "Invalid format: \"{s}\" is malformed at \"{rest}\""
        ));
    }
    if let Some(h) = half_hour {
        hour = h + if pm == Some(true) { 12 } else { 0 };
    } else if pm == Some(true) && hour < 12 {
        hour += 12;
    }
    let year = i32::try_from(year).map_err(|_| bad())?;
    let date = match doy {
        Some(d) => NaiveDate::from_yo_opt(year, d),
        None => NaiveDate::from_ymd_opt(year, month, day),
    }
    .ok_or_else(|| format!("Cannot parse \"{s}\": value out of range"))?;
    let time = NaiveTime::from_hms_milli_opt(hour, minute, second, milli)
        .ok_or_else(|| format!("Cannot parse \"{s}\": value out of range"))?;
    let naive = date.and_time(time);
    let result = match offset {
        Some(secs) => {
            let off = FixedOffset::east_opt(secs).ok_or_else(bad)?;
            off.from_local_datetime(&naive).single().ok_or_else(bad)?
        }
        None => zone.from_local_datetime(&naive).single().ok_or_else(bad)?,
    };
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// ISO-8601 periods.

/// An ISO-8601 period: years, months, weeks, days, hours, minutes, seconds, millis.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Period([i64; 8]);

fn parse_period(s: &str) -> Option<Period> {
    let s = s.trim();
    let body = s.strip_prefix('P').or_else(|| s.strip_prefix('p'))?;
    let mut p = Period::default();
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in body.chars() {
        match c {
            'T' | 't' if num.is_empty() => in_time = true,
            '0'..='9' | '-' | '+' | '.' | ',' => num.push(if c == ',' { '.' } else { c }),
            _ => {
                let unit = c.to_ascii_uppercase();
                if num.is_empty() {
                    return None;
                }
                if unit == 'S' && in_time {
                    let (whole, frac) = num.split_once('.').unwrap_or((&num, ""));
                    let neg = whole.starts_with('-');
                    let secs: i64 = whole.parse().ok()?;
                    let ms: i64 = if frac.is_empty() {
                        0
                    } else {
                        format!("{:0<3}", &frac[..frac.len().min(3)]).parse().ok()?
                    };
                    p.0[6] = secs;
                    p.0[7] = if neg { -ms } else { ms };
                } else {
                    let v: i64 = num.parse().ok()?;
                    let slot = match (unit, in_time) {
                        ('Y', false) => 0,
                        ('M', false) => 1,
                        ('W', false) => 2,
                        ('D', false) => 3,
                        ('H', true) => 4,
                        ('M', true) => 5,
                        _ => return None,
                    };
                    p.0[slot] = v;
                }
                num.clear();
                any = true;
            }
        }
    }
    (any && num.is_empty()).then_some(p)
}

fn add_months(d: NaiveDateTime, months: i64) -> Option<NaiveDateTime> {
    let m = u32::try_from(months.unsigned_abs()).ok()?;
    if months >= 0 {
        d.checked_add_months(Months::new(m))
    } else {
        d.checked_sub_months(Months::new(m))
    }
}

/// Adds a period (negated when `sign` is -1) field by field, as Joda's `DateTime.plus`.
fn add_period(d: &DateTime<FixedOffset>, p: &Period, sign: i64) -> Option<DateTime<FixedOffset>> {
    let f = |i: usize| p.0[i].checked_mul(sign);
    let mut local = d.naive_local();
    local = add_months(local, f(0)?.checked_mul(12)?)?;
    local = add_months(local, f(1)?)?;
    let days = f(2)?.checked_mul(7)?.checked_add(f(3)?)?;
    local = local.checked_add_signed(Duration::try_days(days)?)?;
    local = local.checked_add_signed(Duration::try_hours(f(4)?)?)?;
    local = local.checked_add_signed(Duration::try_minutes(f(5)?)?)?;
    local = local.checked_add_signed(Duration::try_seconds(f(6)?)?)?;
    local = local.checked_add_signed(Duration::try_milliseconds(f(7)?)?)?;
    d.offset().from_local_datetime(&local).single()
}

// ---------------------------------------------------------------------------------------
// Argument helpers.

/// A datetime argument: a datetime, or text in ISO form. `Ok(None)` for null.
fn dt_arg(name: &str, v: Option<&Value>) -> Result<Option<DateTime<FixedOffset>>, UdfError> {
    match v {
        Some(Value::Datetime(d)) => Ok(Some(*d)),
        Some(Value::Null) | None => Ok(None),
        Some(v @ (Value::Chararray(_) | Value::Bytearray(_))) => {
            let s = as_str(v).unwrap_or_default();
            crate::cast::parse_datetime(&s)
                .map(Some)
                .ok_or_else(|| UdfError(format!("{name}: '{s}' is not an ISO-8601 datetime")))
        }
        Some(other) => Err(super::type_err(name, "a datetime", other)),
    }
}

fn dt_type(name: &str, args: &[PigType], n: usize, ret: PigType) -> Result<PigType, String> {
    check_arity(name, args, n, n)?;
    for i in 0..n {
        want_datetime(name, args, i)?;
    }
    Ok(ret)
}

macro_rules! getters {
    ($($ty:ident, $name:literal, $get:expr, $what:literal, $ex:literal;)*) => {
        $(
            builtin_fn! {
                #[doc = concat!("`", $name, "(datetime)`")]
                ///
                /// ## What it does
                #[doc = $what]
                /// The result is an int, in the datetime's own zone. Null gives null.
                ///
                /// ## Example
                /// ```pig
                #[doc = $ex]
                /// ```
                $ty, $name,
                |args| dt_type($name, args, 1, PigType::Int),
                |args| Ok(match dt_arg($name, args.first())? {
                    Some(d) => Value::Int(($get)(&d)),
                    None => Value::Null,
                })
            }
        )*
    };
}

getters! {
    GetYear, "GetYear", |d: &DateTime<FixedOffset>| d.year(), "The year.",
        "B = FOREACH A GENERATE GetYear(dt);  -- 2009-01-07T01:07:01.000Z -> 2009";
    GetMonth, "GetMonth", |d: &DateTime<FixedOffset>| d.month() as i32, "The month, from 1 (January) to 12.",
        "B = FOREACH A GENERATE GetMonth(dt);  -- 2009-01-07T01:07:01.000Z -> 1";
    GetDay, "GetDay", |d: &DateTime<FixedOffset>| d.day() as i32, "The day of the month, from 1.",
        "B = FOREACH A GENERATE GetDay(dt);  -- 2009-01-07T01:07:01.000Z -> 7";
    GetHour, "GetHour", |d: &DateTime<FixedOffset>| d.hour() as i32, "The hour of the day, from 0 to 23.",
        "B = FOREACH A GENERATE GetHour(dt);  -- 2009-01-07T01:07:01.000Z -> 1";
    GetMinute, "GetMinute", |d: &DateTime<FixedOffset>| d.minute() as i32, "The minute of the hour.",
        "B = FOREACH A GENERATE GetMinute(dt);  -- 2009-01-07T01:07:01.000Z -> 7";
    GetSecond, "GetSecond", |d: &DateTime<FixedOffset>| d.second() as i32, "The second of the minute.",
        "B = FOREACH A GENERATE GetSecond(dt);  -- 2009-01-07T01:07:01.000Z -> 1";
    GetMilliSecond, "GetMilliSecond", |d: &DateTime<FixedOffset>| d.timestamp_subsec_millis().min(999) as i32,
        "The millisecond of the second.",
        "B = FOREACH A GENERATE GetMilliSecond(dt);  -- 2009-01-07T01:07:01.123Z -> 123";
    GetWeek, "GetWeek", |d: &DateTime<FixedOffset>| d.iso_week().week() as i32,
        "The ISO-8601 week of the week-based year, from 1 to 53.",
        "B = FOREACH A GENERATE GetWeek(dt);  -- 2009-01-07T01:07:01.000Z -> 2";
    GetWeekYear, "GetWeekYear", |d: &DateTime<FixedOffset>| d.iso_week().year(),
        "The ISO-8601 week-based year (which may differ from the calendar year around New Year).",
        "B = FOREACH A GENERATE GetWeekYear(dt);  -- 2008-12-29T00:00:00.000Z -> 2009";
}

/// Whole months from `start` to `end` (negative when `end` is earlier), as Joda counts them.
fn months_between(end: &DateTime<FixedOffset>, start: &DateTime<FixedOffset>) -> Option<i64> {
    let s = start.naive_local();
    let e = end.with_timezone(start.offset()).naive_local();
    let mut m = (i64::from(e.year()) - i64::from(s.year())) * 12 + i64::from(e.month())
        - i64::from(s.month());
    if m > 0 && add_months(s, m)? > e {
        m -= 1;
    } else if m < 0 && add_months(s, m)? < e {
        m += 1;
    }
    Some(m)
}

macro_rules! betweens {
    ($($ty:ident, $name:literal, $unit:literal, $f:expr, $ex:literal;)*) => {
        $(
            builtin_fn! {
                #[doc = concat!("`", $name, "(datetime1, datetime2)`")]
                ///
                /// ## What it does
                #[doc = concat!("The number of whole ", $unit, " from `datetime2` to `datetime1`")]
                /// (`datetime1 - datetime2`, negative when `datetime1` is earlier), as a long.
                /// Null when either argument is null.
                ///
                /// ## Example
                /// ```pig
                #[doc = $ex]
                /// ```
                $ty, $name,
                |args| dt_type($name, args, 2, PigType::Long),
                |args| {
                    let (Some(a), Some(b)) = (dt_arg($name, args.first())?, dt_arg($name, args.get(1))?) else {
                        return Ok(Value::Null);
                    };
                    let f: fn(&DateTime<FixedOffset>, &DateTime<FixedOffset>) -> Option<i64> = $f;
                    Ok(f(&a, &b).map_or(Value::Null, Value::Long))
                }
            }
        )*
    };
}

fn millis_between(a: &DateTime<FixedOffset>, b: &DateTime<FixedOffset>) -> i64 {
    a.timestamp_millis().wrapping_sub(b.timestamp_millis())
}

betweens! {
    YearsBetween, "YearsBetween", "years", |a, b| months_between(a, b).map(|m| m / 12),
        "C = FOREACH B GENERATE YearsBetween(d1, d2);  -- 2010-03-01, 2009-01-01 -> 1";
    MonthsBetween, "MonthsBetween", "months", months_between,
        "C = FOREACH B GENERATE MonthsBetween(d1, d2);  -- 2009-03-01, 2009-01-15 -> 1";
    WeeksBetween, "WeeksBetween", "weeks", |a, b| Some(millis_between(a, b) / (7 * 86_400_000)),
        "C = FOREACH B GENERATE WeeksBetween(d1, d2);  -- 2009-01-15, 2009-01-01 -> 2";
    DaysBetween, "DaysBetween", "days", |a, b| Some(millis_between(a, b) / 86_400_000),
        "C = FOREACH B GENERATE DaysBetween(d1, d2);  -- 2009-01-10, 2009-01-01 -> 9";
    HoursBetween, "HoursBetween", "hours", |a, b| Some(millis_between(a, b) / 3_600_000),
        "C = FOREACH B GENERATE HoursBetween(d1, d2);  -- 2009-01-10, 2009-01-01 -> 216";
    MinutesBetween, "MinutesBetween", "minutes", |a, b| Some(millis_between(a, b) / 60_000),
        "C = FOREACH B GENERATE MinutesBetween(d1, d2);  -- 2009-01-10, 2009-01-01 -> 12960";
    SecondsBetween, "SecondsBetween", "seconds", |a, b| Some(millis_between(a, b) / 1000),
        "C = FOREACH B GENERATE SecondsBetween(d1, d2);  -- 1970-01-01T00:00:01Z, 1970-01-01T00:00:00Z -> 1";
    MilliSecondsBetween, "MilliSecondsBetween", "milliseconds", |a, b| Some(millis_between(a, b)),
        "C = FOREACH B GENERATE MilliSecondsBetween(d1, d2);  -- ...:01.500Z, ...:01.000Z -> 500";
}

fn duration_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    check_arity(name, args, 2, 2)?;
    want_datetime(name, args, 0)?;
    want_str(name, args, 1)?;
    Ok(PigType::Datetime)
}

fn duration_eval(name: &str, args: &[Value], sign: i64) -> Result<Value, UdfError> {
    let Some(d) = dt_arg(name, args.first())? else {
        return Ok(Value::Null);
    };
    let Some(p) = args.get(1).and_then(as_str) else {
        return Ok(Value::Null);
    };
    let period = parse_period(&p).ok_or_else(|| {
        UdfError(format!(
            "{name}: '{p}' is not an ISO-8601 duration (like PT1H or P1D)"
        ))
    })?;
    add_period(&d, &period, sign)
        .map(Value::Datetime)
        .ok_or_else(|| UdfError(format!("{name}: the result is out of range")))
}

builtin_fn! {
    /// `AddDuration(datetime, duration)`
    ///
    /// ## What it does
    /// The datetime plus an ISO-8601 duration (`PnYnMnWnDTnHnMnS`, e.g. `PT1H`, `P1D`,
    /// `P1Y2M`, `PT0.5S`). Years and months are calendar steps (the 31st plus a month is
    /// the last day of the next month). Null when either argument is null.
    ///
    /// ## Example
    /// ```pig
    /// C = FOREACH B GENERATE AddDuration(dt, 'PT1H');  -- 2009-01-07T01:07:01.000Z -> 2009-01-07T02:07:01.000Z
    /// ```
    AddDuration, "AddDuration",
    |args| duration_type("AddDuration", args),
    |args| duration_eval("AddDuration", args, 1)
}

builtin_fn! {
    /// `SubtractDuration(datetime, duration)`
    ///
    /// ## What it does
    /// The datetime minus an ISO-8601 duration (`PT1H`, `P1D`, ...). Null when either
    /// argument is null.
    ///
    /// ## Example
    /// ```pig
    /// C = FOREACH B GENERATE SubtractDuration(dt, 'P1D');  -- 2009-01-07T01:07:01.000Z -> 2009-01-06T01:07:01.000Z
    /// ```
    SubtractDuration, "SubtractDuration",
    |args| duration_type("SubtractDuration", args),
    |args| duration_eval("SubtractDuration", args, -1)
}

builtin_fn! {
    /// `ToDate(milliseconds)`, `ToDate(iso_string)`, `ToDate(string, format [, timezone])`
    ///
    /// ## What it does
    /// Makes a datetime: from milliseconds since 1970-01-01T00:00:00Z (in UTC); from an
    /// ISO-8601 string (`2009-01-07`, `2009-01-07T01:07:01.000+08:00`); or from a string
    /// and a Joda-Time pattern (`yyyy-MM-dd HH:mm:ss`), read in the given time zone (`UTC`,
    /// `+08:00`; default UTC). An offset in the string itself wins over the zone. Null in
    /// gives null; text that does not match is an error.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE ToDate(s, 'yyyy-MM-dd HH:mm:ss', 'UTC');  -- '2009-01-07 01:07:01' -> 2009-01-07T01:07:01.000Z
    /// ```
    ToDate, "ToDate",
    |args| {
        check_arity("ToDate", args, 1, 3)?;
        if args.len() == 1 {
            match &args[0] {
                PigType::Long | PigType::Int | PigType::Chararray | PigType::Bytearray => {}
                t => return Err(super::bad_arg("ToDate", 0, "a long or a chararray", t)),
            }
        } else {
            for i in 0..args.len() {
                want_str("ToDate", args, i)?;
            }
        }
        Ok(PigType::Datetime)
    },
    |args| {
        if super::any_null(args) || args.is_empty() {
            return Ok(Value::Null);
        }
        if args.len() == 1 {
            return match &args[0] {
                Value::Long(_) | Value::Int(_) => {
                    let ms = as_i64(&args[0]).unwrap_or(0);
                    Ok(DateTime::from_timestamp_millis(ms)
                        .map(|d| Value::Datetime(d.fixed_offset()))
                        .unwrap_or(Value::Null))
                }
                v => {
                    let Some(s) = as_str(v) else {
                        return Err(super::type_err("ToDate", "a long or a chararray", v));
                    };
                    crate::cast::parse_datetime(&s)
                        .map(Value::Datetime)
                        .ok_or_else(|| UdfError(format!("ToDate: '{s}' is not an ISO-8601 datetime")))
                }
            };
        }
        let strs: Option<Vec<_>> = args.iter().map(as_str).collect();
        let Some(strs) = strs else {
            return Err(UdfError("ToDate: the string, format and zone must be chararrays".into()));
        };
        let err = |e: String| UdfError(format!("ToDate: {e}"));
        let Some(z) = strs.get(2) else {
            return parse_joda(&strs[0], &strs[1], utc()).map(Value::Datetime).map_err(err);
        };
        // With an explicit zone, the result is shown in that zone.
        if let Ok(zone) = parse_zone(z) {
            let d = parse_joda(&strs[0], &strs[1], zone).map_err(err)?;
            return Ok(Value::Datetime(d.with_timezone(&zone)));
        }
        let tz: chrono_tz::Tz = z.trim().parse().map_err(|_| {
            err(format!("unknown time zone '{z}' (use a region such as America/New_York, UTC, or an offset such as +08:00)"))
        })?;
        // A region's offset depends on the date: read the text's local time first (a text
        // with its own offset reads the same whatever the default, and keeps it).
        let as_utc = parse_joda(&strs[0], &strs[1], utc()).map_err(err)?;
        let ahead = FixedOffset::east_opt(3600).unwrap_or(utc());
        let own_offset = parse_joda(&strs[0], &strs[1], ahead).map_err(err)? == as_utc;
        let instant = if own_offset {
            as_utc.with_timezone(&Utc)
        } else {
            tz.from_local_datetime(&as_utc.naive_utc())
                .earliest()
                .ok_or_else(|| err(format!("'{}' does not exist in {z}", strs[0])))?
                .with_timezone(&Utc)
        };
        Ok(Value::Datetime(instant.with_timezone(&tz).fixed_offset()))
    }
}

builtin_fn! {
    /// `ToString(datetime [, format])`
    ///
    /// ## What it does
    /// The datetime as text: ISO-8601 (`2009-01-07T01:07:01.000Z`) by default, or with a
    /// Joda-Time pattern (`yyyy/MM/dd HH:mm`, `dd.MM.yy`, `EEE, d MMM yyyy`). Null in gives
    /// null.
    ///
    /// ## Example
    /// ```pig
    /// C = FOREACH B GENERATE ToString(dt, 'yyyy/MM/dd HH:mm');  -- '2009/01/07 01:07'
    /// ```
    ToStringFn, "ToString",
    |args| {
        check_arity("ToString", args, 1, 2)?;
        want_datetime("ToString", args, 0)?;
        want_str("ToString", args, 1)?;
        Ok(PigType::Chararray)
    },
    |args| {
        let Some(d) = dt_arg("ToString", args.first())? else {
            return Ok(Value::Null);
        };
        match args.get(1) {
            None => Ok(Value::Chararray(iso_string(&d))),
            Some(Value::Null) => Ok(Value::Null),
            Some(p) => {
                let p = as_str(p).ok_or_else(|| super::type_err("ToString", "a chararray format", p))?;
                format_joda(&d, &p)
                    .map(Value::Chararray)
                    .map_err(|e| UdfError(format!("ToString: {e}")))
            }
        }
    }
}

builtin_fn! {
    /// `ToMilliSeconds(datetime)`
    ///
    /// ## What it does
    /// The milliseconds since 1970-01-01T00:00:00Z, as a long. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// C = FOREACH B GENERATE ToMilliSeconds(dt);  -- 2009-01-07T01:07:01.123Z -> 1231290421123
    /// ```
    ToMilliSeconds, "ToMilliSeconds",
    |args| dt_type("ToMilliSeconds", args, 1, PigType::Long),
    |args| Ok(match dt_arg("ToMilliSeconds", args.first())? {
        Some(d) => Value::Long(d.timestamp_millis()),
        None => Value::Null,
    })
}

builtin_fn! {
    /// `ToUnixTime(datetime)`
    ///
    /// ## What it does
    /// The seconds since 1970-01-01T00:00:00Z (milliseconds / 1000, rounded toward zero),
    /// as a long. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// C = FOREACH B GENERATE ToUnixTime(dt);  -- 2009-01-07T01:07:01.123Z -> 1231290421
    /// ```
    ToUnixTime, "ToUnixTime",
    |args| dt_type("ToUnixTime", args, 1, PigType::Long),
    |args| Ok(match dt_arg("ToUnixTime", args.first())? {
        Some(d) => Value::Long(d.timestamp_millis() / 1000),
        None => Value::Null,
    })
}

/// `CurrentTime()`
///
/// ## What it does
/// The current date and time (in UTC, with millisecond precision).
///
/// ## Example
/// ```pig
/// B = FOREACH A GENERATE CurrentTime();
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct CurrentTime;

impl EvalFunc for CurrentTime {
    fn name(&self) -> &str {
        "CurrentTime"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("CurrentTime", args, 0, 0)?;
        Ok(PigType::Datetime)
    }
    fn eval(&self, _args: &[Value]) -> Result<Value, UdfError> {
        let ms = Utc::now().timestamp_millis();
        Ok(DateTime::from_timestamp_millis(ms)
            .map(|d| Value::Datetime(d.fixed_offset()))
            .unwrap_or(Value::Null))
    }
    fn is_volatile(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }
    fn dt(v: Value) -> DateTime<FixedOffset> {
        match v {
            Value::Datetime(d) => d,
            other => panic!("not a datetime: {other:?}"),
        }
    }
    fn text(v: Value) -> String {
        match v {
            Value::Chararray(s) => s,
            other => panic!("not a chararray: {other:?}"),
        }
    }
    fn long(v: Value) -> i64 {
        match v {
            Value::Long(l) => l,
            other => panic!("not a long: {other:?}"),
        }
    }
    fn to_date(x: &str) -> Value {
        ToDate
            .eval(&[s(x), s("yyyy-MM-dd HH:mm:ss"), s("UTC")])
            .unwrap()
    }

    #[test]
    fn to_date_and_iso() {
        let d = to_date("2009-01-07 01:07:01");
        assert_eq!(iso_string(&dt(d.clone())), "2009-01-07T01:07:01.000Z");
        assert_eq!(
            text(ToStringFn.eval(&[d]).unwrap()),
            "2009-01-07T01:07:01.000Z"
        );
        let d = ToDate
            .eval(&[
                s("2009-01-07 01:07:01.123"),
                s("yyyy-MM-dd HH:mm:ss.SSS"),
                s("UTC"),
            ])
            .unwrap();
        assert_eq!(
            long(ToUnixTime.eval(std::slice::from_ref(&d)).unwrap()),
            1231290421
        );
        assert_eq!(long(ToMilliSeconds.eval(&[d]).unwrap()), 1231290421123);
        let d = dt(ToDate.eval(&[s("2009-01-07T01:07:01.000+08:00")]).unwrap());
        assert_eq!(iso_string(&d), "2009-01-07T01:07:01.000+08:00");
        assert_eq!(d.timestamp(), 1231261621);
        let d = dt(ToDate.eval(&[s("2009-01-07")]).unwrap());
        assert_eq!(iso_string(&d), "2009-01-07T00:00:00.000Z");
        let d = dt(ToDate.eval(&[Value::Long(1000)]).unwrap());
        assert_eq!(iso_string(&d), "1970-01-01T00:00:01.000Z");
        let d = dt(ToDate
            .eval(&[s("2009-01-07 01:07"), s("yyyy-MM-dd HH:mm"), s("+08:00")])
            .unwrap());
        assert_eq!(iso_string(&d), "2009-01-07T01:07:00.000+08:00");
        let d = dt(ToDate
            .eval(&[s("07/Jan/2009:01:07:01 -0500"), s("dd/MMM/yyyy:HH:mm:ss Z")])
            .unwrap());
        assert_eq!(d.timestamp(), 1231308421);
        let d = dt(ToDate.eval(&[s("20090107"), s("yyyyMMdd")]).unwrap());
        assert_eq!((d.year(), d.month(), d.day()), (2009, 1, 7));
        let d = dt(ToDate
            .eval(&[s("1/7/09 3:04 PM"), s("M/d/yy h:mm a")])
            .unwrap());
        assert_eq!((d.year(), d.hour(), d.minute()), (2009, 15, 4));
        assert!(ToDate.eval(&[s("garbage")]).is_err());
        assert!(ToDate.eval(&[s("2009-01-07"), s("yyyy-MM-dd HH")]).is_err());
        // A named region: winter and summer offsets of New York.
        let winter = dt(ToDate
            .eval(&[
                s("2009-01-07 10:00"),
                s("yyyy-MM-dd HH:mm"),
                s("America/New_York"),
            ])
            .unwrap());
        assert_eq!(winter.offset().local_minus_utc(), -5 * 3600);
        assert_eq!(winter.hour(), 10);
        let summer = dt(ToDate
            .eval(&[
                s("2009-07-07 10:00"),
                s("yyyy-MM-dd HH:mm"),
                s("America/New_York"),
            ])
            .unwrap());
        assert_eq!(summer.offset().local_minus_utc(), -4 * 3600);
        assert_eq!(summer.with_timezone(&Utc).hour(), 14);
        assert!(
            ToDate
                .eval(&[s("2009-01-07"), s("yyyy-MM-dd"), s("Mars/Olympus")])
                .is_err()
        );
        assert!(matches!(ToDate.eval(&[Value::Null]).unwrap(), Value::Null));
        assert!(matches!(
            ToDate.eval(&[s("x"), Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(ToDate.return_type(&[PigType::Double]).is_err());
        assert!(
            ToDate
                .return_type(&[PigType::Chararray, PigType::Int])
                .is_err()
        );
        assert_eq!(ToDate.return_type(&[PigType::Long]), Ok(PigType::Datetime));
    }

    #[test]
    fn to_string_patterns() {
        let d = to_date("2009-01-07 01:07:01");
        assert_eq!(
            text(
                ToStringFn
                    .eval(&[d.clone(), s("yyyy/MM/dd HH:mm")])
                    .unwrap()
            ),
            "2009/01/07 01:07"
        );
        assert_eq!(
            text(ToStringFn.eval(&[d.clone(), s("dd.MM.yy")]).unwrap()),
            "07.01.09"
        );
        assert_eq!(
            text(
                ToStringFn
                    .eval(&[d.clone(), s("EEE, d MMM yyyy h:mm a Z 'T' ''")])
                    .unwrap()
            ),
            "Wed, 7 Jan 2009 1:07 AM +0000 T '"
        );
        assert_eq!(
            text(
                ToStringFn
                    .eval(&[d.clone(), s("EEEE MMMM SSS ZZ")])
                    .unwrap()
            ),
            "Wednesday January 000 +00:00"
        );
        assert!(ToStringFn.eval(&[d.clone(), s("yyyy-QQ")]).is_err());
        assert!(matches!(
            ToStringFn.eval(&[Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(ToStringFn.return_type(&[PigType::Int]).is_err());
        assert!(
            ToStringFn
                .return_type(&[PigType::Datetime, PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn getters() {
        let d = to_date("2012-12-31 23:59:58");
        let get = |f: &dyn EvalFunc| match f.eval(std::slice::from_ref(&d)).unwrap() {
            Value::Int(i) => i,
            other => panic!("{other:?}"),
        };
        assert_eq!(get(&GetYear), 2012);
        assert_eq!(get(&GetMonth), 12);
        assert_eq!(get(&GetDay), 31);
        assert_eq!(get(&GetHour), 23);
        assert_eq!(get(&GetMinute), 59);
        assert_eq!(get(&GetSecond), 58);
        assert_eq!(get(&GetMilliSecond), 0);
        assert_eq!(get(&GetWeek), 1);
        assert_eq!(get(&GetWeekYear), 2013);
        assert!(matches!(GetYear.eval(&[Value::Null]).unwrap(), Value::Null));
        assert!(GetYear.eval(&[Value::Int(3)]).is_err());
        assert!(GetYear.return_type(&[PigType::Chararray]).is_err());
        assert_eq!(GetYear.return_type(&[PigType::Datetime]), Ok(PigType::Int));
    }

    #[test]
    fn betweens() {
        let a = to_date("2009-01-10 00:00:00");
        let b = to_date("2009-01-01 00:00:00");
        let ab = [a.clone(), b.clone()];
        let ba = [b.clone(), a.clone()];
        assert_eq!(long(DaysBetween.eval(&ab).unwrap()), 9);
        assert_eq!(long(HoursBetween.eval(&ab).unwrap()), 216);
        assert_eq!(long(MinutesBetween.eval(&ab).unwrap()), 12960);
        assert_eq!(long(DaysBetween.eval(&ba).unwrap()), -9);
        assert_eq!(long(MinutesBetween.eval(&ba).unwrap()), -12960);
        assert_eq!(long(SecondsBetween.eval(&ab).unwrap()), 777600);
        assert_eq!(long(MilliSecondsBetween.eval(&ab).unwrap()), 777600000);
        assert_eq!(long(WeeksBetween.eval(&ab).unwrap()), 1);
        let c = to_date("2010-03-01 00:00:00");
        let d = to_date("2009-01-31 00:00:00");
        assert_eq!(
            long(MonthsBetween.eval(&[c.clone(), d.clone()]).unwrap()),
            13
        );
        assert_eq!(
            long(MonthsBetween.eval(&[d.clone(), c.clone()]).unwrap()),
            -13
        );
        assert_eq!(long(YearsBetween.eval(&[c.clone(), d.clone()]).unwrap()), 1);
        // Joda: Jan 31 plus one month is Feb 28, so that is a whole month.
        assert_eq!(
            long(
                MonthsBetween
                    .eval(&[to_date("2009-02-28 00:00:00"), d.clone()])
                    .unwrap()
            ),
            1
        );
        assert_eq!(
            long(
                MonthsBetween
                    .eval(&[to_date("2009-02-27 00:00:00"), d.clone()])
                    .unwrap()
            ),
            0
        );
        assert!(matches!(
            DaysBetween.eval(&[a, Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(DaysBetween.return_type(&[PigType::Datetime]).is_err());
        assert!(
            DaysBetween
                .return_type(&[PigType::Datetime, PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn durations() {
        let d = to_date("2009-01-07 01:07:01");
        let iso = |v: Value| iso_string(&dt(v));
        assert_eq!(
            iso(AddDuration.eval(&[d.clone(), s("PT1H")]).unwrap()),
            "2009-01-07T02:07:01.000Z"
        );
        assert_eq!(
            iso(SubtractDuration.eval(&[d.clone(), s("P1D")]).unwrap()),
            "2009-01-06T01:07:01.000Z"
        );
        assert_eq!(
            text(
                ToStringFn
                    .eval(&[
                        AddDuration.eval(&[d.clone(), s("P1Y2M")]).unwrap(),
                        s("yyyy-MM-dd")
                    ])
                    .unwrap()
            ),
            "2010-03-07"
        );
        assert_eq!(
            iso(AddDuration.eval(&[d.clone(), s("PT0.5S")]).unwrap()),
            "2009-01-07T01:07:01.500Z"
        );
        assert_eq!(
            iso(AddDuration.eval(&[d.clone(), s("P1W")]).unwrap()),
            "2009-01-14T01:07:01.000Z"
        );
        let jan31 = to_date("2009-01-31 00:00:00");
        assert_eq!(
            iso(AddDuration.eval(&[jan31, s("P1M")]).unwrap()),
            "2009-02-28T00:00:00.000Z"
        );
        assert!(AddDuration.eval(&[d.clone(), s("1H")]).is_err());
        assert!(AddDuration.eval(&[d.clone(), s("P")]).is_err());
        assert!(matches!(
            AddDuration.eval(&[d, Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(
            AddDuration
                .return_type(&[PigType::Datetime, PigType::Int])
                .is_err()
        );
        assert_eq!(
            parse_period("PT-1H"),
            Some(Period([0, 0, 0, 0, -1, 0, 0, 0]))
        );
    }

    #[test]
    fn current_time() {
        let a = dt(CurrentTime.eval(&[]).unwrap());
        assert!(a.year() >= 2024);
        assert!(CurrentTime.is_volatile());
        assert!(CurrentTime.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn zones() {
        assert_eq!(parse_zone("UTC").unwrap().local_minus_utc(), 0);
        assert_eq!(parse_zone("+08:00").unwrap().local_minus_utc(), 8 * 3600);
        assert_eq!(
            parse_zone("-0530").unwrap().local_minus_utc(),
            -(5 * 3600 + 1800)
        );
        assert_eq!(parse_zone("GMT+3").unwrap().local_minus_utc(), 3 * 3600);
        assert!(parse_zone("Europe/Paris").is_err());
    }
}
