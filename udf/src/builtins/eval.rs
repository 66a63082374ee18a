//! General eval built-ins: `CONCAT`, `SIZE`, `TOKENIZE`, `BagToString`, `BagToTuple`,
//! `DIFF`, `SUBTRACT`, `IsEmpty`, `TOP` and `PluckTuple`.

use std::cmp::Ordering;

use super::{
    any_null, as_i64, as_str, bag_type, builtin_fn, check_arity, compare_tuples, value_text,
};
use std::sync::OnceLock;

use crate::func::{EvalFunc, UdfError};
use crate::types::{Field, PigType, Schema};
use crate::value::{Bag, Tuple, Value};

builtin_fn! {
    /// `CONCAT(expression, expression [, expression ...])`
    ///
    /// ## What it does
    /// Joins two or more chararrays (or bytearrays) into one. The result is a bytearray
    /// when every argument is a bytearray, else a chararray. Null when any argument is
    /// null.
    ///
    /// ## Example
    /// ```pig
    /// X = FOREACH A GENERATE CONCAT(f1, '_', f2, f3);  -- (apache, open, source) -> 'apache_opensource'
    /// ```
    Concat, "CONCAT",
    |args| {
        check_arity("CONCAT", args, 2, usize::MAX)?;
        for (i, a) in args.iter().enumerate() {
            if !super::is_stringy(a) {
                return Err(super::bad_arg("CONCAT", i, "chararray or bytearray", a));
            }
        }
        Ok(if args.iter().all(|a| *a == PigType::Bytearray) {
            PigType::Bytearray
        } else {
            PigType::Chararray
        })
    },
    |args| {
        if args.is_empty() || any_null(args) {
            return Ok(Value::Null);
        }
        if args.iter().all(|a| matches!(a, Value::Bytearray(_))) {
            let mut out = Vec::new();
            for a in args {
                if let Value::Bytearray(b) = a {
                    out.extend_from_slice(b);
                }
            }
            return Ok(Value::Bytearray(out));
        }
        let mut out = String::new();
        for a in args {
            match as_str(a) {
                Some(s) => out.push_str(&s),
                None => out.push_str(&value_text(a)),
            }
        }
        Ok(Value::Chararray(out))
    }
}

builtin_fn! {
    /// `SIZE(expression)`
    ///
    /// ## What it does
    /// The size of a value, as a long: the number of characters of a chararray, of bytes of
    /// a bytearray, of tuples in a bag, of fields in a tuple, of entries in a map; 1 for
    /// any other value. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// X = FOREACH A GENERATE SIZE(f1);  -- 'apache' -> 6
    /// ```
    Size, "SIZE",
    |args| {
        check_arity("SIZE", args, 1, 1)?;
        Ok(PigType::Long)
    },
    |args| Ok(match args.first() {
        None | Some(Value::Null) => Value::Null,
        Some(Value::Chararray(s)) => Value::Long(s.chars().count() as i64),
        Some(Value::Bytearray(b)) => Value::Long(b.len() as i64),
        Some(Value::Bag(b)) => Value::Long(b.len() as i64),
        Some(Value::Tuple(t)) => Value::Long(t.len() as i64),
        Some(Value::Map(m)) => Value::Long(m.len() as i64),
        Some(_) => Value::Long(1),
    })
}

/// Pig's default `TOKENIZE` delimiters (Java `StringTokenizer` delimiters).
const TOKENIZE_DELIMS: &str = " \",()*";

builtin_fn! {
    /// `TOKENIZE(string [, delimiters])`
    ///
    /// ## What it does
    /// Splits a string into words and gives a bag of one-field tuples `(token)`. Words are
    /// separated by any run of the delimiter characters: by default space, double quote,
    /// comma, parentheses and star (`" \",()*"`, as Java's `StringTokenizer` in Pig); the
    /// optional second argument gives another set of delimiter characters. Empty words are
    /// dropped. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// X = FOREACH A GENERATE TOKENIZE(f1);  -- 'Here is the first string.' -> {(Here),(is),(the),(first),(string.)}
    /// ```
    Tokenize, "TOKENIZE",
    |args| {
        check_arity("TOKENIZE", args, 1, 2)?;
        super::want_str("TOKENIZE", args, 0)?;
        super::want_str("TOKENIZE", args, 1)?;
        Ok(bag_type("token", PigType::Chararray))
    },
    |args| {
        let Some(s) = args.first().and_then(as_str) else {
            return Ok(Value::Null);
        };
        let delims = match args.get(1) {
            None => std::borrow::Cow::Borrowed(TOKENIZE_DELIMS),
            Some(d) => match as_str(d) {
                Some(d) => d,
                None => return Ok(Value::Null),
            },
        };
        Ok(super::bag_of(
            s.split(|c: char| delims.contains(c))
                .filter(|t| !t.is_empty())
                .map(|t| Value::Chararray(t.to_string())),
        ))
    }
}

builtin_fn! {
    /// `BagToString(bag [, delimiter])`
    ///
    /// ## What it does
    /// Joins every field of every tuple of the bag, in the bag's order, into one chararray
    /// with the delimiter between them (default `_`). A null field prints as `null`. A null
    /// bag gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE BagToString(years, '/');  -- {(1995),(1996)} -> '1995/1996'
    /// ```
    BagToString, "BagToString",
    |args| {
        check_arity("BagToString", args, 1, 2)?;
        if !matches!(args[0], PigType::Bag(_)) {
            return Err(super::bad_arg("BagToString", 0, "a bag", &args[0]));
        }
        if let Some(d) = args.get(1).filter(|d| **d != PigType::Chararray) {
            return Err(super::bad_arg("BagToString", 1, "chararray", d));
        }
        Ok(PigType::Chararray)
    },
    |args| {
        let bag = match args.first() {
            Some(Value::Bag(b)) => b,
            Some(Value::Null) | None => return Ok(Value::Null),
            Some(other) => return Err(super::type_err("BagToString", "a bag", other)),
        };
        let delim = match args.get(1) {
            None => std::borrow::Cow::Borrowed("_"),
            Some(d) => match as_str(d) {
                Some(d) => d,
                None => return Ok(Value::Null),
            },
        };
        let mut out = String::new();
        let mut first = true;
        for t in bag.iter() {
            for v in t?.iter() {
            if !first {
                out.push_str(&delim);
            }
            first = false;
            out.push_str(&value_text(v));
            }
        }
        Ok(Value::Chararray(out))
    }
}

builtin_fn! {
    /// `BagToTuple(bag)`
    ///
    /// ## What it does
    /// One tuple holding every field of every tuple of the bag, in order. A null bag gives
    /// null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE BagToTuple(b);  -- {(1,2),(3)} -> (1,2,3)
    /// ```
    BagToTuple, "BagToTuple",
    |args| {
        check_arity("BagToTuple", args, 1, 1)?;
        if !matches!(args[0], PigType::Bag(_)) {
            return Err(super::bad_arg("BagToTuple", 0, "a bag", &args[0]));
        }
        Ok(PigType::Tuple(None))
    },
    |args| Ok(match args.first() {
        Some(Value::Bag(b)) => Value::Tuple(Box::new(b.tuples()?.iter().flatten().cloned().collect())),
        Some(Value::Null) | None => Value::Null,
        Some(other) => return Err(super::type_err("BagToTuple", "a bag", other)),
    })
}

/// The distinct tuples of a bag, sorted (for membership tests).
fn sorted_set(bag: &[Tuple]) -> Vec<&Tuple> {
    let mut v: Vec<&Tuple> = bag.iter().collect();
    v.sort_by(|a, b| compare_tuples(a, b));
    v.dedup_by(|a, b| compare_tuples(a, b) == Ordering::Equal);
    v
}

fn contains(set: &[&Tuple], t: &Tuple) -> bool {
    set.binary_search_by(|x| compare_tuples(x, t)).is_ok()
}

fn two_bags_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    check_arity(name, args, 2, 2)?;
    for (i, a) in args.iter().enumerate() {
        if !matches!(a, PigType::Bag(_)) {
            return Err(super::bad_arg(name, i, "a bag", a));
        }
    }
    Ok(args[0].clone())
}

builtin_fn! {
    /// `DIFF(bag1, bag2)`
    ///
    /// ## What it does
    /// The tuples that are in one bag but not in the other: first those of `bag1` missing
    /// from `bag2`, then those of `bag2` missing from `bag1`, each once. Given two values
    /// that are not bags, a bag of both when they differ, else an empty bag. Null when an
    /// argument is null.
    ///
    /// ## Example
    /// ```pig
    /// X = FOREACH A GENERATE DIFF(B1, B2);  -- {(8,9),(0,1)}, {(8,9),(1,1)} -> {(0,1),(1,1)}
    /// ```
    Diff, "DIFF",
    |args| {
        check_arity("DIFF", args, 2, 2)?;
        Ok(match &args[0] {
            PigType::Bag(_) => two_bags_type("DIFF", args)?,
            t => super::bag_type("diff", t.clone()),
        })
    },
    |args| {
        if args.len() != 2 {
            return Err(UdfError(format!("DIFF expects 2 arguments, got {}", args.len())));
        }
        if any_null(args) {
            return Ok(Value::Null);
        }
        match (&args[0], &args[1]) {
            (Value::Bag(a), Value::Bag(b)) => {
                let (a, b) = (a.tuples()?, b.tuples()?);
                let (sa, sb) = (sorted_set(&a), sorted_set(&b));
                let mut out = Bag::new();
                out.extend(sa.iter().filter(|t| !contains(&sb, t)).map(|t| (*t).clone()));
                out.extend(sb.iter().filter(|t| !contains(&sa, t)).map(|t| (*t).clone()));
                Ok(Value::Bag(Box::new(out)))
            }
            (a, b) => {
                let same = super::compare(a, b) == Ordering::Equal;
                Ok(Value::Bag(Box::new(if same {
                    Bag::new()
                } else {
                    Bag::from(vec![vec![a.clone()], vec![b.clone()]])
                })))
            }
        }
    }
}

builtin_fn! {
    /// `SUBTRACT(bag1, bag2)`
    ///
    /// ## What it does
    /// The tuples of `bag1` that are not in `bag2` (duplicates in `bag1` are kept). Null
    /// when an argument is null.
    ///
    /// ## Example
    /// ```pig
    /// X = FOREACH A GENERATE SUBTRACT(B1, B2);  -- {(1),(2),(2)}, {(1)} -> {(2),(2)}
    /// ```
    Subtract, "SUBTRACT",
    |args| two_bags_type("SUBTRACT", args),
    |args| match args {
        [Value::Bag(a), Value::Bag(b)] => {
            let b = b.tuples()?;
            let sb = sorted_set(&b);
            Ok(Value::Bag(Box::new(
                a.tuples()?.iter().filter(|t| !contains(&sb, t)).cloned().collect(),
            )))
        }
        [Value::Null, _] | [_, Value::Null] => Ok(Value::Null),
        [a, b] => Err(UdfError(format!(
            "SUBTRACT expects two bags, got {} and {}",
            super::type_name(a),
            super::type_name(b)
        ))),
        _ => Err(UdfError(format!("SUBTRACT expects 2 arguments, got {}", args.len()))),
    }
}

builtin_fn! {
    /// `IsEmpty(bag_or_map)`
    ///
    /// ## What it does
    /// Whether a bag or map is empty, as a boolean. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// C = FILTER B BY NOT IsEmpty(A);
    /// ```
    IsEmpty, "IsEmpty",
    |args| {
        check_arity("IsEmpty", args, 1, 1)?;
        match &args[0] {
            PigType::Bag(_) | PigType::Map(_) | PigType::Bytearray => Ok(PigType::Boolean),
            t => Err(super::bad_arg("IsEmpty", 0, "a bag or a map", t)),
        }
    },
    |args| match args.first() {
        Some(Value::Bag(b)) => Ok(Value::Boolean(b.is_empty())),
        Some(Value::Map(m)) => Ok(Value::Boolean(m.is_empty())),
        Some(Value::Null) | None => Ok(Value::Null),
        Some(other) => Err(UdfError(format!(
            "IsEmpty: cannot test a {} for emptiness",
            super::type_name(other)
        ))),
    }
}

/// `TOP(n, column, bag)`; `DEFINE name TOP('ASC')` or `TOP('DESC')` sets the order
///
/// ## What it does
/// The `n` tuples of the bag with the largest values in field `column` (from 0), as a
/// bag, largest first; bound with `DEFINE` to `TOP('ASC')`, the `n` smallest, smallest
/// first (`TOP('DESC')` is the default order). Null when an argument is null.
///
/// ## Example
/// ```pig
/// B = GROUP A BY k;
/// C = FOREACH B GENERATE group, FLATTEN(TOP(2, 2, A));
/// DEFINE BOTTOM TOP('ASC');
/// D = FOREACH B GENERATE group, FLATTEN(BOTTOM(2, 2, A));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Top {
    /// Largest first (Pig's default) or smallest first.
    descending: bool,
}

impl Default for Top {
    fn default() -> Self {
        Top { descending: true }
    }
}

impl Top {
    /// `TOP('ASC')` or `TOP('DESC')` (any case), as bound with `DEFINE`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        match args {
            [] => Ok(Top::default()),
            [order] if order.eq_ignore_ascii_case("asc") => Ok(Top { descending: false }),
            [order] if order.eq_ignore_ascii_case("desc") => Ok(Top { descending: true }),
            [order] => Err(format!(
                "TOP's order must be 'ASC' or 'DESC', not '{order}'"
            )),
            _ => Err(format!(
                "TOP takes one argument, 'ASC' or 'DESC', got {}",
                args.len()
            )),
        }
    }
}

impl EvalFunc for Top {
    fn name(&self) -> &str {
        "TOP"
    }

    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("TOP", args, 3, 3)?;
        super::want_int("TOP", args, 0)?;
        super::want_int("TOP", args, 1)?;
        match &args[2] {
            PigType::Bag(_) => Ok(args[2].clone()),
            t => Err(super::bad_arg("TOP", 2, "a bag", t)),
        }
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        if args.len() != 3 {
            return Err(UdfError(format!(
                "TOP expects 3 arguments, got {}",
                args.len()
            )));
        }
        if any_null(args) {
            return Ok(Value::Null);
        }
        let (Some(n), Some(col)) = (as_i64(&args[0]), as_i64(&args[1])) else {
            return Err(UdfError(
                "TOP: the count and the column must be integers".into(),
            ));
        };
        let Value::Bag(bag) = &args[2] else {
            return Err(super::type_err("TOP", "a bag", &args[2]));
        };
        let Ok(col) = usize::try_from(col) else {
            return Err(UdfError(format!("TOP: column {col} is out of range")));
        };
        let n = usize::try_from(n.max(0)).unwrap_or(usize::MAX);
        let key = |t: &Tuple| t.get(col).cloned().unwrap_or(Value::Null);
        let all = bag.tuples()?;
        let mut rows: Vec<&Tuple> = all.iter().collect();
        // Stable: among equal keys the earlier tuple comes first.
        if self.descending {
            rows.sort_by(|a, b| super::compare(&key(b), &key(a)));
        } else {
            rows.sort_by(|a, b| super::compare(&key(a), &key(b)));
        }
        Ok(Value::Bag(Box::new(
            rows.into_iter().take(n).cloned().collect(),
        )))
    }
}

/// `PluckTuple(prefix [, 'false'])`, bound with `DEFINE`
///
/// ## What it does
/// Picks fields of its input by name: called on `*`, it gives a tuple of the input's
/// fields whose names start with the prefix, or match it as a regular expression over
/// the whole name, in input order. With a second argument other than `'true'` (case
/// ignored) it keeps the fields that do *not* match instead. The fields are chosen when
/// the script is planned, so the result type is a tuple with their names and types; a
/// field with no name never matches. Nulls in the input are kept as they are; no
/// matching field gives an empty tuple. The prefix comes from `DEFINE`: calling
/// `PluckTuple` without one is an error.
///
/// ## Example
/// ```pig
/// a = LOAD 'a' AS (x, y);
/// b = LOAD 'b' AS (x, y);
/// c = JOIN a BY x, b BY x;
/// DEFINE pluck PluckTuple('a::');
/// d = FOREACH c GENERATE FLATTEN(pluck(*));  -- d: {a::x: bytearray,a::y: bytearray}
/// DEFINE unpluck PluckTuple('a::', 'false');
/// e = FOREACH c GENERATE FLATTEN(unpluck(*));  -- e: {b::x: bytearray,b::y: bytearray}
/// ```
#[derive(Debug, Default)]
pub struct PluckTuple {
    /// The constructor arguments; `None` when built without them (then it cannot be used).
    config: Option<PluckConfig>,
    /// The input positions kept, fixed when the call is typed.
    indices: OnceLock<Vec<usize>>,
}

#[derive(Debug)]
struct PluckConfig {
    prefix: String,
    /// The prefix as a regular expression over the whole name (none if it is not one).
    pattern: Option<regex::Regex>,
    /// Keep the matching fields (`true`) or the others.
    keep_matching: bool,
}

impl PluckTuple {
    /// A `PluckTuple` from its constructor arguments: the prefix and optionally
    /// `'true'`/`'false'` (keep matching or non-matching fields).
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let (prefix, keep_matching) = match args {
            [p] => (p.clone(), true),
            [p, m] => (p.clone(), m.trim().eq_ignore_ascii_case("true")),
            [] => return Err(PLUCK_NEEDS_PREFIX.to_string()),
            _ => {
                return Err(format!(
                    "PluckTuple takes a prefix and an optional 'true' or 'false', got {} arguments",
                    args.len()
                ));
            }
        };
        let pattern = regex::Regex::new(&format!("^(?:{prefix})$")).ok();
        Ok(PluckTuple {
            config: Some(PluckConfig {
                prefix,
                pattern,
                keep_matching,
            }),
            indices: OnceLock::new(),
        })
    }
}

const PLUCK_NEEDS_PREFIX: &str =
    "PluckTuple needs a prefix: DEFINE pluck PluckTuple('a::'); then call pluck(*)";

impl PluckConfig {
    fn keeps(&self, name: Option<&str>) -> bool {
        let matches = name.is_some_and(|n| {
            n.starts_with(&self.prefix) || self.pattern.as_ref().is_some_and(|p| p.is_match(n))
        });
        matches == self.keep_matching
    }
}

impl EvalFunc for PluckTuple {
    fn name(&self) -> &str {
        "PluckTuple"
    }

    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        let Some(cfg) = &self.config else {
            return Err(PLUCK_NEEDS_PREFIX.to_string());
        };
        let [PigType::Tuple(Some(input))] = args else {
            return Err(
                "PluckTuple needs the names of its input's fields: call it on * (pluck(*)) of a relation with a schema"
                    .to_string(),
            );
        };
        let indices: Vec<usize> = input
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| cfg.keeps(f.name.as_deref()))
            .map(|(i, _)| i)
            .collect();
        let fields: Vec<Field> = indices.iter().map(|&i| input.fields[i].clone()).collect();
        if *self.indices.get_or_init(|| indices.clone()) != indices {
            return Err("one PluckTuple call cannot take inputs of two different schemas".into());
        }
        Ok(PigType::Tuple(Some(Schema::new(fields))))
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        let Some(indices) = self.indices.get() else {
            return Err(UdfError::new(
                "PluckTuple was called before its input was typed",
            ));
        };
        match args {
            [Value::Tuple(t)] => Ok(Value::Tuple(Box::new(
                indices
                    .iter()
                    .map(|&i| t.get(i).cloned().unwrap_or(Value::Null))
                    .collect(),
            ))),
            [Value::Null] => Ok(Value::Null),
            _ => Err(UdfError::new("PluckTuple expects one tuple argument (*)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }
    fn bag(rows: Vec<Vec<Value>>) -> Value {
        Value::Bag(Box::new(crate::bag::Bag::from(rows)))
    }
    fn ints(rows: &[&[i32]]) -> Value {
        bag(rows
            .iter()
            .map(|r| r.iter().map(|&i| Value::Int(i)).collect())
            .collect())
    }
    fn text(v: Value) -> String {
        match v {
            Value::Chararray(s) => s,
            other => panic!("not a chararray: {other:?}"),
        }
    }

    #[test]
    fn concat() {
        assert_eq!(
            text(
                Concat
                    .eval(&[s("apache"), s("_"), s("open"), s("source")])
                    .unwrap()
            ),
            "apache_opensource"
        );
        assert!(matches!(
            Concat.eval(&[s("a"), Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(matches!(
            Concat.eval(&[Value::Bytearray(b"a".to_vec()), Value::Bytearray(b"b".to_vec())]).unwrap(),
            Value::Bytearray(b) if b == b"ab"
        ));
        assert_eq!(
            text(
                Concat
                    .eval(&[Value::Bytearray(b"a".to_vec()), s("b")])
                    .unwrap()
            ),
            "ab"
        );
        assert_eq!(
            Concat.return_type(&[PigType::Chararray, PigType::Bytearray]),
            Ok(PigType::Chararray)
        );
        assert_eq!(
            Concat.return_type(&[PigType::Bytearray, PigType::Bytearray]),
            Ok(PigType::Bytearray)
        );
        assert!(Concat.return_type(&[PigType::Chararray]).is_err());
        assert!(
            Concat
                .return_type(&[PigType::Chararray, PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn size() {
        assert!(matches!(Size.eval(&[s("apache")]).unwrap(), Value::Long(6)));
        assert!(matches!(Size.eval(&[s("héllo")]).unwrap(), Value::Long(5)));
        assert!(matches!(
            Size.eval(&[ints(&[&[1], &[2]])]).unwrap(),
            Value::Long(2)
        ));
        assert!(matches!(
            Size.eval(&[Value::Map(Box::new(vec![("a".into(), Value::Int(1))]))])
                .unwrap(),
            Value::Long(1)
        ));
        assert!(matches!(
            Size.eval(&[Value::Tuple(Box::new(vec![Value::Int(1), Value::Null]))])
                .unwrap(),
            Value::Long(2)
        ));
        assert!(matches!(
            Size.eval(&[Value::Double(3.5)]).unwrap(),
            Value::Long(1)
        ));
        assert!(matches!(Size.eval(&[Value::Null]).unwrap(), Value::Null));
        assert!(Size.return_type(&[]).is_err());
        assert_eq!(Size.return_type(&[PigType::Int]), Ok(PigType::Long));
    }

    #[test]
    fn tokenize() {
        match Tokenize
            .eval(&[s("Here is  the \"first\" (string.),a*b")])
            .unwrap()
        {
            Value::Bag(b) => {
                let words: Vec<String> = b.in_memory().iter().map(|t| text(t[0].clone())).collect();
                assert_eq!(words, ["Here", "is", "the", "first", "string.", "a", "b"]);
            }
            other => panic!("{other:?}"),
        }
        match Tokenize.eval(&[s("a:b c"), s(":")]).unwrap() {
            Value::Bag(b) => assert_eq!(b.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Tokenize.eval(&[Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(matches!(Tokenize.eval(&[s("")]).unwrap(), Value::Bag(b) if b.is_empty()));
        let rt = Tokenize.return_type(&[PigType::Chararray]).unwrap();
        assert_eq!(
            rt,
            PigType::Bag(Some(Schema::new(vec![Field::new(
                "token",
                PigType::Chararray
            )])))
        );
        assert!(Tokenize.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn bag_to_string_and_tuple() {
        let b = ints(&[&[1995], &[1996, 7]]);
        assert_eq!(
            text(BagToString.eval(&[b.clone(), s("/")]).unwrap()),
            "1995/1996/7"
        );
        assert_eq!(
            text(BagToString.eval(std::slice::from_ref(&b)).unwrap()),
            "1995_1996_7"
        );
        assert_eq!(
            text(
                BagToString
                    .eval(&[bag(vec![vec![Value::Double(1.0), Value::Null]])])
                    .unwrap()
            ),
            "1.0_null"
        );
        assert!(matches!(
            BagToString.eval(&[Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(BagToString.eval(&[s("x")]).is_err());
        assert!(BagToString.return_type(&[PigType::Chararray]).is_err());
        assert!(
            BagToString
                .return_type(&[PigType::Bag(None), PigType::Int])
                .is_err()
        );
        match BagToTuple.eval(&[b]).unwrap() {
            Value::Tuple(t) => assert_eq!(t.len(), 3),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            BagToTuple.eval(&[Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(BagToTuple.return_type(&[PigType::Int]).is_err());
    }

    fn rows(v: Value) -> Vec<Vec<i32>> {
        match v {
            Value::Bag(b) => b
                .in_memory()
                .iter()
                .cloned()
                .map(|t| {
                    t.into_iter()
                        .map(|v| if let Value::Int(i) = v { i } else { -999 })
                        .collect()
                })
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn diff_subtract() {
        let d = Diff
            .eval(&[ints(&[&[8, 9], &[0, 1]]), ints(&[&[8, 9], &[1, 1]])])
            .unwrap();
        assert_eq!(rows(d), vec![vec![0, 1], vec![1, 1]]);
        let d = Diff
            .eval(&[ints(&[&[2, 3], &[4, 5]]), ints(&[&[2, 3], &[4, 5]])])
            .unwrap();
        assert!(rows(d).is_empty());
        assert_eq!(
            rows(Diff.eval(&[Value::Int(1), Value::Int(2)]).unwrap()),
            vec![vec![1], vec![2]]
        );
        assert!(rows(Diff.eval(&[Value::Int(1), Value::Int(1)]).unwrap()).is_empty());
        assert!(matches!(
            Diff.eval(&[Value::Null, ints(&[])]).unwrap(),
            Value::Null
        ));
        assert!(
            Diff.return_type(&[PigType::Bag(None), PigType::Int])
                .is_err()
        );
        let s = Subtract
            .eval(&[ints(&[&[1], &[2], &[2]]), ints(&[&[1]])])
            .unwrap();
        assert_eq!(rows(s), vec![vec![2], vec![2]]);
        assert!(matches!(
            Subtract.eval(&[Value::Null, ints(&[])]).unwrap(),
            Value::Null
        ));
        assert!(Subtract.eval(&[Value::Int(1), ints(&[])]).is_err());
        assert!(Subtract.return_type(&[PigType::Bag(None)]).is_err());
    }

    #[test]
    fn is_empty() {
        assert!(matches!(
            IsEmpty.eval(&[ints(&[])]).unwrap(),
            Value::Boolean(true)
        ));
        assert!(matches!(
            IsEmpty.eval(&[ints(&[&[1]])]).unwrap(),
            Value::Boolean(false)
        ));
        assert!(matches!(
            IsEmpty.eval(&[Value::Map(Box::default())]).unwrap(),
            Value::Boolean(true)
        ));
        assert!(matches!(IsEmpty.eval(&[Value::Null]).unwrap(), Value::Null));
        assert!(IsEmpty.eval(&[Value::Int(1)]).is_err());
        assert!(IsEmpty.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn top() {
        let data = bag(vec![
            vec![s("g"), s("a"), Value::Int(5)],
            vec![s("g"), s("b"), Value::Int(9)],
            vec![s("g"), s("c"), Value::Int(7)],
        ]);
        match Top::default()
            .eval(&[Value::Int(2), Value::Int(2), data.clone()])
            .unwrap()
        {
            Value::Bag(b) => {
                assert_eq!(b.len(), 2);
                assert!(matches!(b.in_memory()[0][2], Value::Int(9)));
                assert!(matches!(b.in_memory()[1][2], Value::Int(7)));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(Top::default().eval(&[Value::Int(5), Value::Int(2), data.clone()]).unwrap(), Value::Bag(b) if b.len() == 3)
        );
        assert!(matches!(
            Top::default()
                .eval(&[Value::Null, Value::Int(2), data.clone()])
                .unwrap(),
            Value::Null
        ));
        assert!(
            Top::default()
                .eval(&[Value::Int(1), Value::Int(-1), data])
                .is_err()
        );
        assert!(
            Top::default()
                .return_type(&[PigType::Int, PigType::Int, PigType::Int])
                .is_err()
        );
        assert!(
            Top::default()
                .return_type(&[PigType::Int, PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn top_with_an_order() {
        let data = bag(vec![
            vec![s("a"), Value::Int(5)],
            vec![s("b"), Value::Null],
            vec![s("c"), Value::Int(7)],
            vec![s("d"), Value::Int(5)],
        ]);
        let firsts = |f: Top, n: i32| match f.eval(&[Value::Int(n), Value::Int(1), data.clone()]) {
            Ok(Value::Bag(b)) => b
                .in_memory()
                .iter()
                .map(|t| t[0].to_string())
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        let asc = Top::with_args(&["asc".into()]).unwrap();
        let desc = Top::with_args(&["DESC".into()]).unwrap();
        // Ascending keeps the smallest (a null is smallest, as Pig compares), stably.
        assert_eq!(firsts(asc, 3), ["b", "a", "d"]);
        assert_eq!(firsts(desc, 2), ["c", "a"]);
        assert_eq!(firsts(Top::with_args(&[]).unwrap(), 2), ["c", "a"]);
        assert!(
            Top::with_args(&["up".into()])
                .unwrap_err()
                .contains("'ASC' or 'DESC'")
        );
        assert!(Top::with_args(&["ASC".into(), "x".into()]).is_err());
    }

    fn pluck_input() -> PigType {
        PigType::Tuple(Some(Schema::new(vec![
            Field::new("a::x", PigType::Int),
            Field::new("a::y", PigType::Chararray),
            Field::new("b::x", PigType::Int),
            Field::unnamed(PigType::Long),
            Field::new("b::y", PigType::Double),
        ])))
    }

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn row() -> Value {
        Value::Tuple(Box::new(vec![
            Value::Int(1),
            Value::Null,
            Value::Int(3),
            Value::Long(4),
            Value::Double(5.0),
        ]))
    }

    #[test]
    fn pluck_tuple_by_prefix_keeps_nulls() {
        let f = PluckTuple::with_args(&args(&["a::"])).unwrap();
        assert_eq!(
            f.return_type(&[pluck_input()]).unwrap().to_string(),
            "(a::x: int,a::y: chararray)"
        );
        assert_eq!(
            f.eval(&[row()]).unwrap(),
            Value::Tuple(Box::new(vec![Value::Int(1), Value::Null]))
        );
        assert_eq!(f.eval(&[Value::Null]).unwrap(), Value::Null);
    }

    #[test]
    fn pluck_tuple_regex_negation_and_no_match() {
        let f = PluckTuple::with_args(&args(&[".*::y"])).unwrap();
        assert_eq!(
            f.return_type(&[pluck_input()]).unwrap().to_string(),
            "(a::y: chararray,b::y: double)"
        );
        let f = PluckTuple::with_args(&args(&["a::", "FALSE"])).unwrap();
        assert_eq!(
            f.return_type(&[pluck_input()]).unwrap().to_string(),
            "(b::x: int,long,b::y: double)"
        );
        assert_eq!(
            f.eval(&[row()]).unwrap(),
            Value::Tuple(Box::new(vec![
                Value::Int(3),
                Value::Long(4),
                Value::Double(5.0)
            ]))
        );
        let f = PluckTuple::with_args(&args(&["zz::"])).unwrap();
        assert_eq!(f.return_type(&[pluck_input()]).unwrap().to_string(), "()");
        assert_eq!(f.eval(&[row()]).unwrap(), Value::Tuple(Box::default()));
    }

    #[test]
    fn pluck_tuple_misuse() {
        assert!(PluckTuple::with_args(&[]).is_err());
        assert!(PluckTuple::with_args(&args(&["a", "true", "x"])).is_err());
        assert!(PluckTuple::default().return_type(&[pluck_input()]).is_err());
        let f = PluckTuple::with_args(&args(&["a::"])).unwrap();
        assert!(f.eval(&[row()]).is_err(), "not typed yet");
        assert!(f.return_type(&[PigType::Int, PigType::Int]).is_err());
        f.return_type(&[pluck_input()]).unwrap();
        let other = PigType::Tuple(Some(Schema::new(vec![Field::new("q", PigType::Int)])));
        assert!(f.return_type(&[other]).is_err());
        assert!(f.eval(&[Value::Int(1)]).is_err());
    }
}
