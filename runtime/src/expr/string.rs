//! `MATCHES` and the string built-ins `SIZE`, `CONCAT`, `UPPER`, `LOWER` and `TRIM` on
//! chararray arrays, computing what the built-ins compute on values.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Int64Array, StringViewArray, StringViewBuilder};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use datafusion::error::Result as DFResult;
use pigrs_planner::expr::Expr;
use pigrs_udf::PigType;

use super::downcast;

/// `MATCHES`: the planner's compiled pattern (anchored at both ends).
#[derive(Clone)]
pub(super) struct Matches {
    /// The anchored pattern, for equality and display.
    pub pattern: String,
    /// Whether a whole string matches.
    pub is_match: Arc<dyn Fn(&str) -> bool + Send + Sync>,
}

impl fmt::Debug for Matches {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Matches")
            .field("pattern", &self.pattern)
            .finish()
    }
}

/// Matchers are equal when their patterns are.
impl PartialEq for Matches {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl Eq for Matches {}

impl Hash for Matches {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.pattern.hash(state);
    }
}

impl Matches {
    /// The pattern as the script wrote it.
    pub(super) fn shown(&self) -> &str {
        let p = self.pattern.as_str();
        p.strip_prefix("^(?:")
            .and_then(|p| p.strip_suffix(")$"))
            .unwrap_or(p)
    }

    /// Whether each string matches; null stays null.
    pub(super) fn apply(&self, x: &ArrayRef) -> DFResult<BooleanArray> {
        let a: &StringViewArray = downcast(x, "MATCHES")?;
        let values =
            BooleanBuffer::collect_bool(a.len(), |i| a.is_valid(i) && (self.is_match)(a.value(i)));
        Ok(BooleanArray::new(values, a.nulls().cloned()))
    }
}

/// A string built-in with a native kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum StrFunc {
    /// `SIZE(chararray)`: the number of characters, as a long.
    Size,
    /// `CONCAT(chararray, chararray, ...)`: null if any argument is.
    Concat,
    /// `UPPER(chararray)`.
    Upper,
    /// `LOWER(chararray)`.
    Lower,
    /// `TRIM(chararray)`: without leading and trailing characters up to U+0020.
    Trim,
}

impl StrFunc {
    /// The native kernel for a call of the built-in `name` with these arguments and result
    /// type, when all arguments are chararrays.
    pub(super) fn of(name: &str, args: &[Expr], ty: &PigType) -> Option<StrFunc> {
        let f = match (name, args.len()) {
            ("SIZE", 1) => StrFunc::Size,
            ("CONCAT", n) if n >= 2 => StrFunc::Concat,
            ("UPPER", 1) => StrFunc::Upper,
            ("LOWER", 1) => StrFunc::Lower,
            ("TRIM", 1) => StrFunc::Trim,
            _ => return None,
        };
        let ret = if f == StrFunc::Size {
            PigType::Long
        } else {
            PigType::Chararray
        };
        (*ty == ret && args.iter().all(|a| a.ty == PigType::Chararray)).then_some(f)
    }

    /// The built-in's name.
    pub(super) fn name(self) -> &'static str {
        match self {
            StrFunc::Size => "SIZE",
            StrFunc::Concat => "CONCAT",
            StrFunc::Upper => "UPPER",
            StrFunc::Lower => "LOWER",
            StrFunc::Trim => "TRIM",
        }
    }

    /// The call on every row.
    pub(super) fn apply(self, args: &[ArrayRef]) -> DFResult<ArrayRef> {
        let strings = args
            .iter()
            .map(|a| downcast::<StringViewArray>(a, self.name()))
            .collect::<DFResult<Vec<_>>>()?;
        let [first, ..] = strings.as_slice() else {
            return Err(super::type_err(
                self.name(),
                &arrow::datatypes::DataType::Null,
            ));
        };
        Ok(match self {
            StrFunc::Size => Arc::new(
                first
                    .iter()
                    .map(|s| s.map(|s| s.chars().count() as i64))
                    .collect::<Int64Array>(),
            ),
            StrFunc::Upper => case(first, str::make_ascii_uppercase, str::to_uppercase),
            StrFunc::Lower => case(first, str::make_ascii_lowercase, str::to_lowercase),
            StrFunc::Trim => Arc::new(
                first
                    .iter()
                    .map(|s| s.map(|s| s.trim_matches(|c: char| c <= ' ')))
                    .collect::<StringViewArray>(),
            ),
            StrFunc::Concat => {
                let n = first.len();
                let nulls = strings
                    .iter()
                    .fold(None, |acc, a| NullBuffer::union(acc.as_ref(), a.nulls()));
                let mut out = StringViewBuilder::with_capacity(n);
                let mut row = String::new();
                for i in 0..n {
                    if nulls.as_ref().is_some_and(|v| v.is_null(i)) {
                        out.append_null();
                        continue;
                    }
                    row.clear();
                    for a in &strings {
                        row.push_str(a.value(i));
                    }
                    out.append_value(&row);
                }
                Arc::new(out.finish())
            }
        })
    }
}

/// Upper- or lower-cases every string: an ASCII string in place in one scratch buffer
/// (Unicode case mapping leaves ASCII text as the ASCII mapping does), others with the
/// Unicode mapping.
fn case(a: &StringViewArray, ascii: fn(&mut str), unicode: fn(&str) -> String) -> ArrayRef {
    let mut out = StringViewBuilder::with_capacity(a.len());
    let mut scratch = String::new();
    for s in a.iter() {
        match s {
            None => out.append_null(),
            Some(s) if s.is_ascii() => {
                scratch.clear();
                scratch.push_str(s);
                ascii(&mut scratch);
                out.append_value(&scratch);
            }
            Some(s) => out.append_value(unicode(s)),
        }
    }
    Arc::new(out.finish())
}
