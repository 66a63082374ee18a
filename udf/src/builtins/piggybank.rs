//! Apache Pig's Piggybank string functions, called by their Java class names
//! (`org.apache.pig.piggybank.evaluation.string.Reverse`, ...) after
//! `REGISTER piggybank.jar;`: pigrs runs them as built-ins, no Java involved.
//!
//! Piggybank's `UPPER` and `LOWER` are Pig's own `UPPER` and `LOWER` (see
//! [`crate::func::java_class`]).

use super::{as_str, builtin_fn, check_arity, want_str};
use crate::func::UdfError;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::{EvalFunc, java_class};

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
