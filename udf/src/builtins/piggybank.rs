//! Apache Pig's Piggybank string functions, called by their Java class names
//! (`org.apache.pig.piggybank.evaluation.string.Reverse`, ...) after
//! `REGISTER piggybank.jar;`: pigrs runs them as built-ins, no Java involved.
//!
//! Piggybank's `UPPER` and `LOWER` are Pig's own `UPPER` and `LOWER` (see
//! [`crate::func::java_class`]). Its date conversions (`datetime.convert.ISOToUnix`,
//! `UnixToISO`, `CustomFormatToISO`) read and print dates as Pig's `ToDate` does.

use super::{as_str, builtin_fn, check_arity, want_str};
use crate::func::{EvalFunc as _, UdfError};
use crate::types::PigType;
use crate::value::Value;

/// The text of the single chararray argument; `Ok(None)` for a null.
fn one_str(name: &str, args: &[Value]) -> Result<Option<String>, UdfError> {
    match args {
        [Value::Null] => Ok(None),
        [v] => as_str(v)
            .map(|s| Some(s.into_owned()))
            .ok_or_else(|| super::type_err(name, "a chararray", v)),
        _ => Err(UdfError(format!(
            "{name} expects 1 argument, got {}",
            args.len()
        ))),
    }
}

builtin_fn!(
    /// `org.apache.pig.piggybank.evaluation.string.Reverse(s)`: the characters of a string in
    /// reverse order.
    ///
    /// ## What it does
    /// Returns `s` with its characters reversed (a character outside the Basic Multilingual
    /// Plane stays whole, as with Java's `StringBuilder.reverse`). A null gives null.
    ///
    /// ## Example
    /// ```text
    /// REGISTER piggybank.jar;
    /// DEFINE Reverse org.apache.pig.piggybank.evaluation.string.Reverse();
    /// B = FOREACH A GENERATE Reverse(name);   -- 'pig' -> 'gip'
    /// ```
    Reverse, "org.apache.pig.piggybank.evaluation.string.Reverse",
    |args| {
        check_arity("Reverse", args, 1, 1)?;
        want_str("Reverse", args, 0)?;
        Ok(PigType::Chararray)
    },
    |args| Ok(match one_str("Reverse", args)? {
        Some(s) => Value::Chararray(s.chars().rev().collect()),
        None => Value::Null,
    })
);

builtin_fn!(
    /// `org.apache.pig.piggybank.evaluation.string.LENGTH(s)`: the length of a string.
    ///
    /// ## What it does
    /// Returns the number of characters of `s` as an int, counted as Java's `String.length`
    /// counts them (in UTF-16 code units: a character outside the Basic Multilingual Plane
    /// counts two). A null gives null.
    ///
    /// ## Example
    /// ```text
    /// REGISTER piggybank.jar;
    /// DEFINE LENGTH org.apache.pig.piggybank.evaluation.string.LENGTH();
    /// B = FOREACH A GENERATE LENGTH(name);   -- 'pig' -> 3
    /// ```
    Length, "org.apache.pig.piggybank.evaluation.string.LENGTH",
    |args| {
        check_arity("LENGTH", args, 1, 1)?;
        want_str("LENGTH", args, 0)?;
        Ok(PigType::Int)
    },
    |args| Ok(match one_str("LENGTH", args)? {
        Some(s) => Value::Int(i32::try_from(s.encode_utf16().count()).unwrap_or(i32::MAX)),
        None => Value::Null,
    })
);

/// The datetime `ToDate` makes of these arguments; `Ok(None)` for a null.
fn to_date(args: &[Value]) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, UdfError> {
    match super::datetime::ToDate.eval(args)? {
        Value::Datetime(d) => Ok(Some(d)),
        _ => Ok(None),
    }
}

builtin_fn!(
    /// `org.apache.pig.piggybank.evaluation.datetime.convert.ISOToUnix(iso)`: milliseconds
    /// since the epoch of an ISO-8601 date.
    ///
    /// ## What it does
    /// Reads an ISO-8601 date (`2009-01-07T01:07:01.000Z`, `2009-01-07`; UTC when it has no
    /// offset) and returns the milliseconds since 1970-01-01T00:00:00Z, as a long. A null
    /// gives null; text that is not an ISO date is an error.
    ///
    /// ## Example
    /// ```text
    /// DEFINE ISOToUnix org.apache.pig.piggybank.evaluation.datetime.convert.ISOToUnix();
    /// B = FOREACH A GENERATE ISOToUnix(dt);   -- '2009-01-07T01:07:01.000Z' -> 1231290421000
    /// ```
    IsoToUnix, "org.apache.pig.piggybank.evaluation.datetime.convert.ISOToUnix",
    |args| {
        check_arity("ISOToUnix", args, 1, 1)?;
        want_str("ISOToUnix", args, 0)?;
        Ok(PigType::Long)
    },
    |args| {
        if args.len() != 1 {
            return Err(UdfError(format!("ISOToUnix expects 1 argument, got {}", args.len())));
        }
        Ok(match to_date(args)? {
            Some(d) => Value::Long(d.timestamp_millis()),
            None => Value::Null,
        })
    }
);

builtin_fn!(
    /// `org.apache.pig.piggybank.evaluation.datetime.convert.UnixToISO(millis)`: the ISO-8601
    /// text, in UTC, of milliseconds since the epoch.
    ///
    /// ## What it does
    /// Returns the date `millis` milliseconds after 1970-01-01T00:00:00Z as Joda-Time prints
    /// it in UTC: `2009-01-07T01:07:01.000Z`. A null gives null.
    ///
    /// ## Example
    /// ```text
    /// DEFINE UnixToISO org.apache.pig.piggybank.evaluation.datetime.convert.UnixToISO();
    /// B = FOREACH A GENERATE UnixToISO(ms);   -- 1231290421000 -> '2009-01-07T01:07:01.000Z'
    /// ```
    UnixToIso, "org.apache.pig.piggybank.evaluation.datetime.convert.UnixToISO",
    |args| {
        check_arity("UnixToISO", args, 1, 1)?;
        super::want_int("UnixToISO", args, 0)?;
        Ok(PigType::Chararray)
    },
    |args| {
        if args.len() != 1 {
            return Err(UdfError(format!("UnixToISO expects 1 argument, got {}", args.len())));
        }
        if matches!(args[0], Value::Null) {
            return Ok(Value::Null);
        }
        let millis = super::as_i64(&args[0])
            .ok_or_else(|| super::type_err("UnixToISO", "a long", &args[0]))?;
        Ok(match to_date(&[Value::Long(millis)])? {
            Some(d) => Value::Chararray(super::datetime::iso_string(&d)),
            None => Value::Null,
        })
    }
);

builtin_fn!(
    /// `org.apache.pig.piggybank.evaluation.datetime.convert.CustomFormatToISO(s, format)`:
    /// a date in a custom format, as ISO-8601 text.
    ///
    /// ## What it does
    /// Reads `s` with the Joda-Time pattern `format` (`yyyy-MM-dd HH:mm:ss`; UTC unless the
    /// text has an offset) and returns its ISO-8601 text, `2009-01-07T01:07:01.000Z`. Text
    /// that does not match the pattern gives null, as in Piggybank; a null gives null.
    ///
    /// ## Example
    /// ```text
    /// DEFINE CustomFormatToISO org.apache.pig.piggybank.evaluation.datetime.convert.CustomFormatToISO();
    /// B = FOREACH A GENERATE CustomFormatToISO(s, 'yyyy-MM-dd HH:mm:ss');
    /// -- '2009-01-07 01:07:01' -> '2009-01-07T01:07:01.000Z'
    /// ```
    CustomFormatToIso, "org.apache.pig.piggybank.evaluation.datetime.convert.CustomFormatToISO",
    |args| {
        check_arity("CustomFormatToISO", args, 2, 2)?;
        want_str("CustomFormatToISO", args, 0)?;
        want_str("CustomFormatToISO", args, 1)?;
        Ok(PigType::Chararray)
    },
    |args| {
        if args.len() != 2 {
            return Err(UdfError(format!(
                "CustomFormatToISO expects 2 arguments, got {}",
                args.len()
            )));
        }
        // Piggybank returns null for a date its pattern cannot read.
        Ok(match to_date(args) {
            Ok(Some(d)) => Value::Chararray(super::datetime::iso_string(&d)),
            Ok(None) | Err(_) => Value::Null,
        })
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::java_class;

    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }

    #[test]
    fn reverse_reverses_characters() {
        assert_eq!(Reverse.eval(&[s("pig")]).unwrap(), s("gip"));
        assert_eq!(Reverse.eval(&[s("a😀b")]).unwrap(), s("b😀a"));
        assert_eq!(Reverse.eval(&[s("")]).unwrap(), s(""));
        assert_eq!(Reverse.eval(&[Value::Null]).unwrap(), Value::Null);
        assert!(Reverse.eval(&[Value::Int(1)]).is_err());
        assert!(Reverse.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn length_counts_utf16_units() {
        assert_eq!(Length.eval(&[s("pig")]).unwrap(), Value::Int(3));
        assert_eq!(Length.eval(&[s("é😀")]).unwrap(), Value::Int(3));
        assert_eq!(Length.eval(&[Value::Null]).unwrap(), Value::Null);
        assert_eq!(
            Length.return_type(&[PigType::Chararray]).unwrap(),
            PigType::Int
        );
    }

    #[test]
    fn iso_and_unix_conversions() {
        assert_eq!(
            IsoToUnix.eval(&[s("2009-01-07T01:07:01.000Z")]).unwrap(),
            Value::Long(1_231_290_421_000)
        );
        assert_eq!(
            IsoToUnix
                .eval(&[s("2009-01-07T09:07:01.000+08:00")])
                .unwrap(),
            Value::Long(1_231_290_421_000)
        );
        assert_eq!(IsoToUnix.eval(&[Value::Null]).unwrap(), Value::Null);
        assert!(IsoToUnix.eval(&[s("yesterday")]).is_err());
        assert_eq!(
            UnixToIso.eval(&[Value::Long(1_231_290_421_000)]).unwrap(),
            s("2009-01-07T01:07:01.000Z")
        );
        assert_eq!(UnixToIso.eval(&[Value::Null]).unwrap(), Value::Null);
        assert_eq!(
            CustomFormatToIso
                .eval(&[s("2009-01-07 01:07:01"), s("yyyy-MM-dd HH:mm:ss")])
                .unwrap(),
            s("2009-01-07T01:07:01.000Z")
        );
        assert_eq!(
            CustomFormatToIso
                .eval(&[s("not a date"), s("yyyy-MM-dd HH:mm:ss")])
                .unwrap(),
            Value::Null
        );
        assert!(UnixToIso.return_type(&[PigType::Chararray]).is_err());
    }

    #[test]
    fn upper_and_lower_are_pigs() {
        let upper = java_class("org.apache.pig.piggybank.evaluation.string.UPPER", &[])
            .unwrap()
            .unwrap();
        assert_eq!(upper.eval(&[s("Pig")]).unwrap(), s("PIG"));
        let lower = java_class("org.apache.pig.piggybank.evaluation.string.LOWER", &[])
            .unwrap()
            .unwrap();
        assert_eq!(lower.eval(&[s("Pig")]).unwrap(), s("pig"));
    }
}
