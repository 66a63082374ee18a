//! Pig's built-in eval functions, one module per family, and the registry that
//! [`crate::func::builtin`] looks names up in.
//!
//! Every built-in is a unit struct implementing [`EvalFunc`]; its doc comment is its user
//! documentation. The helpers here are shared by the families: argument checks, lenient
//! conversions of untyped (`bytearray`) values, Pig's ordering of values and Java's text
//! form of numbers.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use crate::func::EvalFunc;
use crate::types::PigType;
use crate::value::Value;

pub mod aggregate;
pub mod collection;
pub mod datafu;
pub mod datetime;
pub mod eval;
mod hll;
pub mod math;
pub mod piggybank;
pub mod relational;
pub mod string;

/// Defines a unit-struct built-in from a return-type closure body and an eval closure body.
macro_rules! builtin_fn {
    (
        $(#[$m:meta])*
        $ty:ident, $name:literal,
        |$a:ident| $rt:expr,
        |$v:ident| $ev:expr
        $(, volatile = $vol:expr)?
    ) => {
        $(#[$m])*
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $ty;

        impl $crate::func::EvalFunc for $ty {
            fn name(&self) -> &str {
                $name
            }
            fn return_type(
                &self,
                $a: &[$crate::types::PigType],
            ) -> Result<$crate::types::PigType, String> {
                $rt
            }
            fn eval(
                &self,
                $v: &[$crate::value::Value],
            ) -> Result<$crate::value::Value, $crate::func::UdfError> {
                $ev
            }
            $(fn is_volatile(&self) -> bool {
                $vol
            })?
        }
    };
}
pub(crate) use builtin_fn;

/// A constructor of one built-in.
pub(crate) type Maker = fn() -> Arc<dyn EvalFunc>;

macro_rules! registry {
    ($($name:literal => $path:path),* $(,)?) => {
        /// Every built-in: its script name and a constructor.
        pub(crate) static REGISTRY: &[(&str, Maker)] = &[
            $(($name, (|| Arc::new(<$path>::default()) as Arc<dyn EvalFunc>) as Maker)),*
        ];
    };
}

registry! {
    // eval / aggregates
    "AVG" => aggregate::Avg,
    "COUNT" => aggregate::Count,
    "COUNT_STAR" => aggregate::CountStar,
    "MAX" => aggregate::Max,
    "MIN" => aggregate::Min,
    "SUM" => aggregate::Sum,
    "COR" => aggregate::Cor,
    "COV" => aggregate::Cov,
    "BagToString" => eval::BagToString,
    "BagToTuple" => eval::BagToTuple,
    "CONCAT" => eval::Concat,
    "DIFF" => eval::Diff,
    "IsEmpty" => eval::IsEmpty,
    "PluckTuple" => eval::PluckTuple,
    "SIZE" => eval::Size,
    "SUBTRACT" => eval::Subtract,
    "TOKENIZE" => eval::Tokenize,
    "TOP" => eval::Top,
    "Assert" => relational::Assert,
    // math
    "ABS" => math::Abs,
    "ACOS" => math::Acos,
    "ASIN" => math::Asin,
    "ATAN" => math::Atan,
    "CBRT" => math::Cbrt,
    "CEIL" => math::Ceil,
    "COS" => math::Cos,
    "COSH" => math::Cosh,
    "EXP" => math::Exp,
    "FLOOR" => math::Floor,
    "LOG" => math::Log,
    "LOG10" => math::Log10,
    "RANDOM" => math::Random,
    "ROUND" => math::Round,
    "ROUND_TO" => math::RoundTo,
    "SIN" => math::Sin,
    "SINH" => math::Sinh,
    "SQRT" => math::Sqrt,
    "TAN" => math::Tan,
    "TANH" => math::Tanh,
    // string
    "ENDSWITH" => string::EndsWith,
    "EqualsIgnoreCase" => string::EqualsIgnoreCase,
    "INDEXOF" => string::IndexOf,
    "LAST_INDEX_OF" => string::LastIndexOf,
    "LCFIRST" => string::LcFirst,
    "LOWER" => string::Lower,
    "LTRIM" => string::LTrim,
    "REGEX_EXTRACT" => string::RegexExtract,
    "REGEX_EXTRACT_ALL" => string::RegexExtractAll,
    "REGEX_SEARCH" => string::RegexSearch,
    "REPLACE" => string::Replace,
    "RTRIM" => string::RTrim,
    "SPRINTF" => string::Sprintf,
    "STARTSWITH" => string::StartsWith,
    "STRSPLIT" => string::StrSplit,
    "STRSPLITTOBAG" => string::StrSplitToBag,
    "SUBSTRING" => string::Substring,
    "TRIM" => string::Trim,
    "UCFIRST" => string::UcFirst,
    "UPPER" => string::Upper,
    "UniqueID" => string::UniqueId,
    // datetime
    "AddDuration" => datetime::AddDuration,
    "CurrentTime" => datetime::CurrentTime,
    "DaysBetween" => datetime::DaysBetween,
    "GetDay" => datetime::GetDay,
    "GetHour" => datetime::GetHour,
    "GetMilliSecond" => datetime::GetMilliSecond,
    "GetMinute" => datetime::GetMinute,
    "GetMonth" => datetime::GetMonth,
    "GetSecond" => datetime::GetSecond,
    "GetWeek" => datetime::GetWeek,
    "GetWeekYear" => datetime::GetWeekYear,
    "GetYear" => datetime::GetYear,
    "HoursBetween" => datetime::HoursBetween,
    "MilliSecondsBetween" => datetime::MilliSecondsBetween,
    "MinutesBetween" => datetime::MinutesBetween,
    "MonthsBetween" => datetime::MonthsBetween,
    "SecondsBetween" => datetime::SecondsBetween,
    "SubtractDuration" => datetime::SubtractDuration,
    "ToDate" => datetime::ToDate,
    "ToMilliSeconds" => datetime::ToMilliSeconds,
    "ToString" => datetime::ToStringFn,
    "ToUnixTime" => datetime::ToUnixTime,
    "WeeksBetween" => datetime::WeeksBetween,
    "YearsBetween" => datetime::YearsBetween,
    // tuple / bag / map
    "TOTUPLE" => collection::ToTuple,
    "TOBAG" => collection::ToBag,
    "TOMAP" => collection::ToMap,
    "KEYSET" => collection::KeySet,
    "VALUESET" => collection::ValueSet,
    "VALUELIST" => collection::ValueList,
    "INVERSEMAP" => collection::InverseMap,
}

// ---------------------------------------------------------------------------------------
// Argument checks (for `return_type`).

/// Checks the number of arguments is in `min..=max`.
pub(crate) fn check_arity(
    name: &str,
    args: &[PigType],
    min: usize,
    max: usize,
) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "{name} expects {want} argument{}, got {}",
            if min == 1 && max == 1 { "" } else { "s" },
            args.len()
        ));
    }
    Ok(())
}

/// A type error message for argument `i` (0-based).
pub(crate) fn bad_arg(name: &str, i: usize, want: &str, got: &PigType) -> String {
    format!("{name}: argument {} must be {want}, got {got}", i + 1)
}

/// Whether a type is chararray or untyped.
pub(crate) fn is_stringy(t: &PigType) -> bool {
    matches!(t, PigType::Chararray | PigType::Bytearray)
}

/// Whether a type is int/long or untyped (an integer argument such as a position).
pub(crate) fn is_integral(t: &PigType) -> bool {
    matches!(t, PigType::Int | PigType::Long | PigType::Bytearray)
}

/// Requires argument `i` to be chararray (or bytearray).
pub(crate) fn want_str(name: &str, args: &[PigType], i: usize) -> Result<(), String> {
    match args.get(i) {
        Some(t) if is_stringy(t) => Ok(()),
        Some(t) => Err(bad_arg(name, i, "chararray", t)),
        None => Ok(()),
    }
}

/// Requires argument `i` to be int or long (or bytearray).
pub(crate) fn want_int(name: &str, args: &[PigType], i: usize) -> Result<(), String> {
    match args.get(i) {
        Some(t) if is_integral(t) => Ok(()),
        Some(t) => Err(bad_arg(name, i, "int", t)),
        None => Ok(()),
    }
}

/// Requires argument `i` to be a number (or bytearray).
pub(crate) fn want_num(name: &str, args: &[PigType], i: usize) -> Result<(), String> {
    match args.get(i) {
        Some(t) if t.is_numeric() || *t == PigType::Bytearray => Ok(()),
        Some(t) => Err(bad_arg(name, i, "a number", t)),
        None => Ok(()),
    }
}

/// Requires argument `i` to be a datetime (or bytearray).
pub(crate) fn want_datetime(name: &str, args: &[PigType], i: usize) -> Result<(), String> {
    match args.get(i) {
        Some(PigType::Datetime | PigType::Bytearray) | None => Ok(()),
        Some(t) => Err(bad_arg(name, i, "datetime", t)),
    }
}

// ---------------------------------------------------------------------------------------
// Value conversions (for `eval`). Untyped bytearrays are parsed the way Pig casts them;
// a failed cast is null, as in Pig.

/// The text of a chararray or bytearray argument.
pub(crate) fn as_str(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Chararray(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Bytearray(b) => Some(String::from_utf8_lossy(b)),
        _ => None,
    }
}

/// A number (or a bytearray holding one) as a double.
pub(crate) fn as_f64(v: &Value) -> Option<f64> {
    use num_traits::ToPrimitive;
    match v {
        Value::Int(i) => Some(f64::from(*i)),
        Value::Long(l) => Some(*l as f64),
        Value::Float(f) => Some(f64::from(*f)),
        Value::Double(d) => Some(*d),
        Value::BigInteger(b) => b.to_f64(),
        Value::BigDecimal(b) => b.to_f64(),
        Value::Bytearray(_) | Value::Chararray(_) => parse_java_double(as_str(v)?.trim()),
        _ => None,
    }
}

/// Parses a double the way Java's `Double.parseDouble` accepts it (mostly).
pub(crate) fn parse_java_double(s: &str) -> Option<f64> {
    let t = s.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(s);
    match t {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if t.contains(['i', 'I', 'n', 'N']) => None,
        _ => t.parse().ok(),
    }
}

/// An integral value (int, long, or a bytearray holding one) as i64.
pub(crate) fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        Value::Long(l) => Some(*l),
        Value::Bytearray(_) | Value::Chararray(_) => as_str(v)?.trim().parse().ok(),
        _ => None,
    }
}

/// Whether any argument is null.
pub(crate) fn any_null(args: &[Value]) -> bool {
    args.iter().any(|v| matches!(v, Value::Null))
}

/// The error for a value of the wrong type at run time.
pub(crate) fn type_err(name: &str, want: &str, got: &Value) -> crate::func::UdfError {
    crate::func::UdfError(format!("{name}: expected {want}, got {}", type_name(got)))
}

/// Pig's name for a value's type.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Boolean(_) => "boolean",
        Value::Int(_) => "int",
        Value::Long(_) => "long",
        Value::Float(_) => "float",
        Value::Double(_) => "double",
        Value::BigInteger(_) => "biginteger",
        Value::BigDecimal(_) => "bigdecimal",
        Value::Chararray(_) => "chararray",
        Value::Bytearray(_) => "bytearray",
        Value::Datetime(_) => "datetime",
        Value::Tuple(_) => "tuple",
        Value::Bag(_) => "bag",
        Value::Map(_) => "map",
    }
}

// ---------------------------------------------------------------------------------------
// Ordering and text, shared with the rest of the crate.

/// Compares two values in Pig's order (`DataType.compare`).
pub(crate) fn compare(a: &Value, b: &Value) -> Ordering {
    crate::value::compare(a, b)
}

pub(crate) use crate::value::compare_tuples;

/// A value's text the way Java's `toString` of Pig's objects prints it (as `BagToString`,
/// `CONCAT` and `SPRINTF`'s `%s` do): Pig's text form, except that a null prints as `null`.
pub(crate) fn value_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

/// A bag of one-field tuples, one per value.
pub(crate) fn bag_of(values: impl IntoIterator<Item = Value>) -> Value {
    Value::Bag(Box::new(values.into_iter().map(|v| vec![v]).collect()))
}

/// A bag type whose tuples have one field of this name and type.
pub(crate) fn bag_type(field: &str, ty: PigType) -> PigType {
    PigType::Bag(Some(crate::types::Schema::new(vec![
        crate::types::Field::new(field, ty),
    ])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_match_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (name, make) in REGISTRY {
            assert_eq!(make().name(), *name);
            assert!(seen.insert(*name), "duplicate {name}");
        }
        assert!(crate::func::builtin("org.apache.pig.builtin.COUNT").is_some());
        assert!(crate::func::builtin("count").is_none());
        assert!(crate::func::builtin_names().contains(&"TOKENIZE"));
    }

    #[test]
    fn text_of_values() {
        assert_eq!(value_text(&Value::Null), "null");
        assert_eq!(value_text(&Value::Double(1.0)), "1.0");
        assert_eq!(value_text(&Value::Float(3.8)), "3.8");
        let t = Value::Tuple(Box::new(vec![Value::Int(1), Value::Null]));
        assert_eq!(value_text(&t), "(1,)");
    }

    #[test]
    fn ordering() {
        assert_eq!(compare(&Value::Null, &Value::Int(1)), Ordering::Less);
        assert_eq!(compare(&Value::Int(2), &Value::Int(1)), Ordering::Greater);
        assert_eq!(
            compare(&Value::Chararray("a".into()), &Value::Chararray("b".into())),
            Ordering::Less
        );
    }
}
