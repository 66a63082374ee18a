//! Apache DataFu's Pig functions, called by their Java class names (`datafu.pig.stats.Quantile`,
//! `datafu.pig.bags.Enumerate`, ...) after `REGISTER datafu-pig-1.6.1.jar;`: pigrs runs them
//! as built-ins, no Java involved. Each follows DataFu's documentation; where DataFu only
//! approximates (`StreamingQuantile`, `StreamingMedian`) pigrs computes the exact value.
//! `HyperLogLogPlusPlus` estimates as DataFu's does, with a sketch of pigrs's own
//! (`hll.rs`); `SampleByKey` computes DataFu's hash, so it keeps the rows DataFu keeps.
//!
//! Where DataFu fails with a Java `NullPointerException` on a null bag (`Enumerate`,
//! `AppendToBag`, ...), pigrs gives null, as Pig's own bag functions do.

use std::collections::{HashMap, HashSet};

use super::{check_arity, type_name};
use crate::bag::Bag;
use crate::func::{Algebraic, CallArg, EvalFunc, UdfError};
use crate::types::{Field, PigType, Schema};
use crate::value::{Tuple, Value};

// ---------------------------------------------------------------------------------------
// Shared argument handling.

/// The bag argument `i`; `Ok(None)` for a null.
fn bag_at<'a>(name: &str, args: &'a [Value], i: usize) -> Result<Option<&'a Bag>, UdfError> {
    match args.get(i) {
        Some(Value::Bag(b)) => Ok(Some(b)),
        Some(Value::Null) | None => Ok(None),
        Some(v) => Err(UdfError(format!(
            "{name}: argument {} must be a bag, got {}",
            i + 1,
            type_name(v)
        ))),
    }
}

/// Checks the number of arguments at run time.
fn want_args(name: &str, args: &[Value], min: usize, max: usize) -> Result<(), UdfError> {
    if args.len() < min || args.len() > max {
        return Err(UdfError(format!(
            "{name} expects {} arguments, got {}",
            if min == max {
                min.to_string()
            } else {
                format!("{min} to {max}")
            },
            args.len()
        )));
    }
    Ok(())
}

/// The schema of the tuples of bag argument `i` (`None` when unknown), or a type error.
fn bag_schema<'a>(name: &str, args: &'a [PigType], i: usize) -> Result<Option<&'a Schema>, String> {
    match args.get(i) {
        Some(PigType::Bag(s)) => Ok(s.as_ref()),
        // An untyped argument (a `null` literal, a field of unknown type) may be a bag.
        Some(PigType::Bytearray) | None => Ok(None),
        Some(t) => Err(super::bad_arg(name, i, "a bag", t)),
    }
}

/// A bag type with these tuple fields.
fn bag_with(fields: Vec<Field>) -> PigType {
    PigType::Bag(Some(Schema::new(fields)))
}

/// A number as a double; `None` for anything else (a null, a string, a tuple).
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(_)
        | Value::Long(_)
        | Value::Float(_)
        | Value::Double(_)
        | Value::BigInteger(_)
        | Value::BigDecimal(_)
        | Value::Bytearray(_) => super::as_f64(v),
        _ => None,
    }
}

/// Requires the tuples of bag argument 0 to hold a number (or an untyped value) first.
fn numeric_bag(name: &str, args: &[PigType]) -> Result<(), String> {
    check_arity(name, args, 1, 1)?;
    if let Some(s) = bag_schema(name, args, 0)?
        && let Some(f) = s.fields.first()
        && !(f.ty.is_numeric() || f.ty == PigType::Bytearray)
    {
        return Err(format!(
            "{name}: the bag's values must be numbers, got {}",
            f.ty
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Quantiles.

/// DataFu's `Quantile` family: `Quantile`, `Median` (exact, on a sorted bag) and
/// `StreamingQuantile`, `StreamingMedian` (any bag order).
///
/// ## What it does
/// Takes a bag whose tuples hold a number first and returns a tuple of doubles, one per
/// quantile asked for, estimated with type R-2 (the average of the two middle values where
/// a quantile falls between two). The constructor arguments are either the quantiles
/// (`'0.0','0.5','1.0'`, each between 0 and 1) or one number of evenly spaced quantiles
/// (`'5'`: the min, the quartiles and the max). The output fields are named
/// `quantile_0_5` after each quantile, or `quantile_0`, `quantile_1`, ... for a number of
/// quantiles. `Quantile` and `Median` read the bag in its order, which must be sorted
/// (`ORDER` it in a nested FOREACH); `StreamingQuantile` and `StreamingMedian` sort it
/// themselves and, unlike DataFu's approximate Munro-Paterson estimate, give the exact
/// quantiles. An empty or null bag gives null; a null or non-numeric value in the bag is an
/// error, as in DataFu.
///
/// ## Example
/// ```text
/// DEFINE Quantile datafu.pig.stats.Quantile('0.0','0.5','1.0');
/// -- input: 9,10,2,3,5,8,1,4,6,7
/// input = LOAD 'input' AS (val:int);
/// grouped = GROUP input ALL;
/// quantiles = FOREACH grouped {
///   sorted = ORDER input BY val;
///   GENERATE Quantile(sorted);   -- (1.0,5.5,10.0)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Quantile {
    name: &'static str,
    quantiles: Vec<f64>,
    /// Fields named `quantile_0, quantile_1, ...` (a number of quantiles was given).
    ordinal: bool,
    /// Whether the function sorts the bag itself (the Streaming variants).
    sorts: bool,
}

impl Quantile {
    /// `name('q1', 'q2', ...)` or `name('n')`; `sorts` for the Streaming variants.
    pub fn with_args(name: &'static str, args: &[String], sorts: bool) -> Result<Self, String> {
        let short = name.rsplit('.').next().unwrap_or(name);
        let values = args
            .iter()
            .map(|a| {
                super::parse_java_double(a.trim())
                    .filter(|q| !q.is_nan())
                    .ok_or_else(|| format!("{short}: '{a}' is not a number"))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        if values.is_empty() {
            return Err(format!(
                "{short} needs the quantiles to compute: {short}('0.0','0.5','1.0') or a number of them, {short}('5')"
            ));
        }
        if let [n] = values[..]
            && n > 1.0
        {
            let count: u32 = args[0].trim().parse().map_err(|_| {
                format!(
                    "{short}: '{}' is neither a quantile between 0.0 and 1.0 nor a whole number of quantiles",
                    args[0]
                )
            })?;
            let divisor = f64::from(count - 1);
            return Ok(Quantile {
                name,
                quantiles: (0..count).map(|q| f64::from(q) / divisor).collect(),
                ordinal: true,
                sorts,
            });
        }
        if let Some(bad) = args
            .iter()
            .zip(&values)
            .find(|(_, q)| !(0.0..=1.0).contains(*q))
        {
            return Err(format!(
                "{short}: quantile '{}' must be between 0.0 and 1.0",
                bad.0
            ));
        }
        Ok(Quantile {
            name,
            quantiles: values,
            ordinal: false,
            sorts,
        })
    }

    /// The median: the quantile 0.5.
    pub fn median(name: &'static str, sorts: bool) -> Self {
        Quantile {
            name,
            quantiles: vec![0.5],
            ordinal: false,
            sorts,
        }
    }

    fn short(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    /// The 1-based positions of the two values averaged for quantile `k` of `n` values.
    fn positions(k: f64, n: usize) -> (usize, usize) {
        let h = n as f64 * k + 0.5;
        let clamp = |x: f64| (x.max(1.0) as usize).min(n);
        (clamp((h - 0.5).ceil()), clamp((h + 0.5).floor()))
    }

    fn not_numeric(&self, v: &Value) -> UdfError {
        UdfError(format!(
            "{}: the bag must hold numbers, and no nulls; got {}",
            self.short(),
            type_name(v)
        ))
    }

    fn quantiles_of(&self, bag: &Bag) -> Result<Value, UdfError> {
        let n = bag.len();
        if n == 0 {
            return Ok(Value::Null);
        }
        let value_at: Box<dyn Fn(usize) -> f64> = if self.sorts {
            let mut all = Vec::with_capacity(n);
            for t in bag.iter() {
                let t = t?;
                let v = t.first().unwrap_or(&Value::Null);
                all.push(number(v).ok_or_else(|| self.not_numeric(v))?);
            }
            all.sort_by(f64::total_cmp);
            Box::new(move |i| all[i - 1])
        } else {
            // Only the values at the positions needed, read in the bag's (sorted) order.
            let mut wanted: HashMap<usize, f64> = HashMap::new();
            for &k in &self.quantiles {
                let (a, b) = Self::positions(k, n);
                wanted.insert(a, f64::NAN);
                wanted.insert(b, f64::NAN);
            }
            let last = wanted.keys().copied().max().unwrap_or(1);
            for (i, t) in bag.iter().enumerate().take(last) {
                let t = t?;
                if let Some(slot) = wanted.get_mut(&(i + 1)) {
                    let v = t.first().unwrap_or(&Value::Null);
                    *slot = number(v).ok_or_else(|| self.not_numeric(v))?;
                }
            }
            Box::new(move |i| wanted[&i])
        };
        let out: Tuple = self
            .quantiles
            .iter()
            .map(|&k| {
                let (a, b) = Self::positions(k, n);
                Value::Double(f64::midpoint(value_at(a), value_at(b)))
            })
            .collect();
        Ok(Value::Tuple(Box::new(out)))
    }

    /// The output fields: `quantile_0_5` for quantile 0.5 (Java's text of the double with
    /// `_` for `.`), or `quantile_<i>` for a number of quantiles.
    fn fields(&self) -> Vec<Field> {
        self.quantiles
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let name = if self.ordinal {
                    format!("quantile_{i}")
                } else {
                    format!(
                        "quantile_{}",
                        pigrs_value::javafmt::fmt_double(*q).replace('.', "_")
                    )
                };
                Field::new(name, PigType::Double)
            })
            .collect()
    }
}

impl EvalFunc for Quantile {
    fn name(&self) -> &str {
        self.name
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        numeric_bag(self.short(), args)?;
        Ok(PigType::Tuple(Some(Schema::new(self.fields()))))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args(self.short(), args, 1, 1)?;
        match bag_at(self.short(), args, 0)? {
            Some(b) => self.quantiles_of(b),
            None => Ok(Value::Null),
        }
    }
}

// ---------------------------------------------------------------------------------------
// VAR

/// `datafu.pig.stats.VAR(bag)`: the variance of a bag of numbers.
///
/// ## What it does
/// Returns the population variance, `avg(x²) - avg(x)²`, of the first field of the bag's
/// tuples, as a double. Nulls are skipped; an empty bag, or one holding only nulls, gives
/// null.
///
/// ## Example
/// ```text
/// DEFINE VAR datafu.pig.stats.VAR();
/// -- input: 1,2,3,4,10,5,6,7,8,9
/// input = LOAD 'input' AS (val:int);
/// grouped = GROUP input ALL;
/// variance = FOREACH grouped GENERATE VAR(input.val) AS variance;   -- (8.25)
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Var;

impl EvalFunc for Var {
    fn name(&self) -> &str {
        "datafu.pig.stats.VAR"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        numeric_bag("VAR", args)?;
        Ok(PigType::Double)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("VAR", args, 1, 1)?;
        let Some(bag) = bag_at("VAR", args, 0)? else {
            return Ok(Value::Null);
        };
        let (mut n, mut sum, mut sum_sq) = (0u64, 0.0, 0.0);
        for t in bag.iter() {
            let t = t?;
            match t.first().unwrap_or(&Value::Null) {
                Value::Null => {}
                v => {
                    let x = number(v).ok_or_else(|| {
                        UdfError(format!("VAR: expected numbers, got {}", type_name(v)))
                    })?;
                    n += 1;
                    sum += x;
                    sum_sq += x * x;
                }
            }
        }
        if n == 0 {
            return Ok(Value::Null);
        }
        let avg = sum / n as f64;
        Ok(Value::Double(sum_sq / n as f64 - avg * avg))
    }
    fn is_aggregate(&self) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------
// Bags

/// `datafu.pig.bags.Enumerate(bag)`: numbers the tuples of a bag.
///
/// ## What it does
/// Appends to each tuple its position in the bag, a long field `i`, counting from 0 or from
/// the constructor argument (`Enumerate('1')`). A null bag gives null.
///
/// ## Example
/// ```text
/// DEFINE Enumerate datafu.pig.bags.Enumerate('1');
/// -- input: ({(100),(200),(300),(400)})
/// input = LOAD 'input' AS (B: bag{T: tuple(v2:INT)});
/// output = FOREACH input GENERATE Enumerate(B);   -- ({(100,1),(200,2),(300,3),(400,4)})
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Enumerate {
    start: i64,
}

impl Enumerate {
    /// `Enumerate()` or `Enumerate('start')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        match args {
            [] => Ok(Enumerate { start: 0 }),
            [s] => s
                .trim()
                .parse::<i32>()
                .map(|start| Enumerate {
                    start: i64::from(start),
                })
                .map_err(|_| format!("Enumerate: the start '{s}' is not an integer")),
            _ => Err(format!(
                "Enumerate takes at most one constructor argument (the start), got {}",
                args.len()
            )),
        }
    }
}

impl EvalFunc for Enumerate {
    fn name(&self) -> &str {
        "datafu.pig.bags.Enumerate"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("Enumerate", args, 1, 1)?;
        Ok(match bag_schema("Enumerate", args, 0)? {
            Some(s) => {
                let mut fields = s.fields.clone();
                fields.push(Field::new("i", PigType::Long));
                bag_with(fields)
            }
            None => PigType::Bag(None),
        })
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("Enumerate", args, 1, 1)?;
        let Some(bag) = bag_at("Enumerate", args, 0)? else {
            return Ok(Value::Null);
        };
        let mut out = Vec::with_capacity(bag.len());
        for (i, t) in (self.start..).zip(bag.iter()) {
            let mut t = t?.into_owned();
            t.push(Value::Long(i));
            out.push(t);
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

/// Where [`AddToBag`] puts the tuple.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Front,
    Back,
}

/// `datafu.pig.bags.AppendToBag(bag, tuple)` and `datafu.pig.bags.PrependToBag(bag, tuple)`:
/// a bag with one more tuple.
///
/// ## What it does
/// Returns the bag with the tuple added at its end (`AppendToBag`) or at its start
/// (`PrependToBag`). A null bag gives null; a null tuple leaves the bag as it is.
///
/// ## Example
/// ```text
/// DEFINE AppendToBag datafu.pig.bags.AppendToBag();
/// DEFINE PrependToBag datafu.pig.bags.PrependToBag();
/// -- input: ({(1),(2),(3)},(4))
/// input = LOAD 'input' AS (B: bag{T: tuple(v:INT)}, T: tuple(v:INT));
/// a = FOREACH input GENERATE AppendToBag(B,T) AS B;    -- ({(1),(2),(3),(4)})
/// p = FOREACH input GENERATE PrependToBag(B,T) AS B;   -- ({(4),(1),(2),(3)})
/// ```
#[derive(Debug, Clone, Copy)]
pub struct AddToBag {
    end: End,
}

impl AddToBag {
    /// `AppendToBag`.
    pub const APPEND: AddToBag = AddToBag { end: End::Back };
    /// `PrependToBag`.
    pub const PREPEND: AddToBag = AddToBag { end: End::Front };

    fn short(&self) -> &'static str {
        match self.end {
            End::Back => "AppendToBag",
            End::Front => "PrependToBag",
        }
    }
}

impl EvalFunc for AddToBag {
    fn name(&self) -> &str {
        match self.end {
            End::Back => "datafu.pig.bags.AppendToBag",
            End::Front => "datafu.pig.bags.PrependToBag",
        }
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity(self.short(), args, 2, 2)?;
        let schema = bag_schema(self.short(), args, 0)?;
        if !matches!(args[1], PigType::Tuple(_) | PigType::Bytearray) {
            return Err(super::bad_arg(self.short(), 1, "a tuple", &args[1]));
        }
        Ok(PigType::Bag(schema.cloned()))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args(self.short(), args, 2, 2)?;
        let Some(bag) = bag_at(self.short(), args, 0)? else {
            return Ok(Value::Null);
        };
        let extra = match &args[1] {
            Value::Tuple(t) => Some((**t).clone()),
            Value::Null => None,
            v => {
                return Err(UdfError(format!(
                    "{}: argument 2 must be a tuple, got {}",
                    self.short(),
                    type_name(v)
                )));
            }
        };
        let mut out = Vec::with_capacity(bag.len() + 1);
        if self.end == End::Front {
            out.extend(extra.clone());
        }
        out.extend(bag.tuples()?.iter().cloned());
        if self.end == End::Back {
            out.extend(extra);
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

/// `datafu.pig.bags.BagConcat(bag1, bag2, ...)` or `BagConcat(bag_of_bags)`: one bag of
/// every tuple of several bags.
///
/// ## What it does
/// With two or more arguments, each a bag, returns all their tuples in order in one bag.
/// With one argument, a bag whose tuples each hold a bag first, returns the tuples of all
/// those inner bags. Null bags add nothing.
///
/// ## Example
/// ```text
/// DEFINE BagConcat datafu.pig.bags.BagConcat();
/// -- input: ({(1),(2),(3)},{(3),(4),(5)})
/// input = LOAD 'input' AS (A: bag{T: tuple(v:INT)}, B: bag{T: tuple(v:INT)});
/// output = FOREACH input GENERATE BagConcat(A,B);   -- ({(1),(2),(3),(3),(4),(5)})
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct BagConcat;

impl EvalFunc for BagConcat {
    fn name(&self) -> &str {
        "datafu.pig.bags.BagConcat"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("BagConcat", args, 1, usize::MAX)?;
        if let [one] = args {
            return match one {
                PigType::Bag(Some(s)) => match s.fields.first().map(|f| &f.ty) {
                    Some(PigType::Bag(inner)) => Ok(PigType::Bag(inner.clone())),
                    Some(PigType::Bytearray) | None => Ok(PigType::Bag(None)),
                    Some(t) => Err(format!(
                        "BagConcat of one argument takes a bag of bags; its tuples hold {t}"
                    )),
                },
                PigType::Bag(None) | PigType::Bytearray => Ok(PigType::Bag(None)),
                t => Err(super::bad_arg("BagConcat", 0, "a bag", t)),
            };
        }
        let mut schema = None;
        for i in 0..args.len() {
            if let Some(s) = bag_schema("BagConcat", args, i)? {
                schema.get_or_insert(s);
            }
        }
        Ok(PigType::Bag(schema.cloned()))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("BagConcat", args, 1, usize::MAX)?;
        let mut out = Vec::new();
        if args.len() == 1 {
            if let Some(outer) = bag_at("BagConcat", args, 0)? {
                for t in outer.iter() {
                    let t = t?;
                    match t.first() {
                        Some(Value::Bag(b)) => out.extend(b.tuples()?.iter().cloned()),
                        Some(Value::Null) | None => {}
                        Some(v) => {
                            return Err(UdfError(format!(
                                "BagConcat: expected a bag of bags, found a {} in the bag",
                                type_name(v)
                            )));
                        }
                    }
                }
            }
        } else {
            for i in 0..args.len() {
                if let Some(b) = bag_at("BagConcat", args, i)? {
                    out.extend(b.tuples()?.iter().cloned());
                }
            }
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

/// `datafu.pig.bags.FirstTupleFromBag(bag, default)`: the first tuple of a bag.
///
/// ## What it does
/// Returns the bag's first tuple, or `default` (often `null`) when the bag is empty or
/// null.
///
/// ## Example
/// ```text
/// DEFINE FirstTupleFromBag datafu.pig.bags.FirstTupleFromBag();
/// -- input: ({(a,1)})
/// input = LOAD 'input' AS (B: bag {T: tuple(alpha:CHARARRAY, numeric:INT)});
/// output = FOREACH input GENERATE FirstTupleFromBag(B, null);   -- ((a,1))
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct FirstTupleFromBag;

impl EvalFunc for FirstTupleFromBag {
    fn name(&self) -> &str {
        "datafu.pig.bags.FirstTupleFromBag"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("FirstTupleFromBag", args, 2, 2)?;
        let schema = bag_schema("FirstTupleFromBag", args, 0)?;
        if !matches!(args[1], PigType::Tuple(_) | PigType::Bytearray) {
            return Err(super::bad_arg("FirstTupleFromBag", 1, "a tuple", &args[1]));
        }
        Ok(PigType::Tuple(schema.cloned()))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("FirstTupleFromBag", args, 2, 2)?;
        if let Some(bag) = bag_at("FirstTupleFromBag", args, 0)?
            && let Some(first) = bag.iter().next()
        {
            return Ok(Value::Tuple(Box::new(first?.into_owned())));
        }
        Ok(args[1].clone())
    }
}

/// `datafu.pig.bags.CountEach(bag)`: how many times each distinct tuple appears in a bag.
///
/// ## What it does
/// Returns a bag of `(tuple, count)`, one per distinct tuple, in the order each first
/// appears (DataFu's order is its hash map's). `CountEach('flatten')` puts the count after
/// the tuple's own fields instead: `(fields..., count)`. The count is an int. A null bag
/// is an error, as in DataFu.
///
/// ## Example
/// ```text
/// DEFINE CountEach datafu.pig.bags.CountEach();
/// DEFINE CountEachFlatten datafu.pig.bags.CountEach('flatten');
/// -- input: ({(A),(A),(C),(B)})
/// output = FOREACH input GENERATE CountEach(B);                -- ({((A),2),((C),1),((B),1)})
/// output_flatten = FOREACH input GENERATE CountEachFlatten(B); -- ({(A,2),(C,1),(B,1)})
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct CountEach {
    flatten: bool,
}

impl CountEach {
    /// `CountEach()` or `CountEach('flatten')` (any other argument: not flattened, as in
    /// DataFu).
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        match args {
            [] => Ok(CountEach { flatten: false }),
            [a] => Ok(CountEach {
                flatten: a.eq_ignore_ascii_case("flatten"),
            }),
            _ => Err(format!(
                "CountEach takes at most one constructor argument ('flatten'), got {}",
                args.len()
            )),
        }
    }
}

impl EvalFunc for CountEach {
    fn name(&self) -> &str {
        "datafu.pig.bags.CountEach"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("CountEach", args, 1, 1)?;
        let inner = bag_schema("CountEach", args, 0)?
            .cloned()
            .unwrap_or_default();
        let count = Field::new("count", PigType::Int);
        Ok(if self.flatten {
            let mut fields = inner.fields;
            fields.push(count);
            bag_with(fields)
        } else {
            bag_with(vec![
                Field::new("tuple_schema", PigType::Tuple(Some(inner))),
                count,
            ])
        })
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("CountEach", args, 1, 1)?;
        let Some(bag) = bag_at("CountEach", args, 0)? else {
            return Err(UdfError("CountEach: expected a bag, got null".into()));
        };
        let mut order: Vec<(Tuple, i32)> = Vec::new();
        let mut index: HashMap<Tuple, usize> = HashMap::new();
        for t in bag.iter() {
            let t = t?.into_owned();
            match index.get(&t) {
                Some(&i) => order[i].1 += 1,
                None => {
                    index.insert(t.clone(), order.len());
                    order.push((t, 1));
                }
            }
        }
        let out: Vec<Tuple> = order
            .into_iter()
            .map(|(mut t, n)| {
                if self.flatten {
                    t.push(Value::Int(n));
                    t
                } else {
                    vec![Value::Tuple(Box::new(t)), Value::Int(n)]
                }
            })
            .collect();
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

/// `datafu.pig.bags.DistinctBy('0', ...)`: the tuples of a bag, distinct by some fields.
///
/// ## What it does
/// Keeps the first tuple of each distinct combination of the fields at the positions given
/// to the constructor (0-based), in the bag's order; the output has the input's schema. A
/// position past the end of a tuple is left out of its key, as in DataFu. A null bag gives
/// null.
///
/// ## Example
/// ```text
/// DEFINE DistinctBy datafu.pig.bags.DistinctBy('0');
/// -- input: ({(a,1),(a,1),(b,2),(b,22),(c,3),(d,4)})
/// input = LOAD 'input' AS (B: bag {T: tuple(alpha:CHARARRAY, numeric:INT)});
/// output = FOREACH input GENERATE DistinctBy(B);   -- ({(a,1),(b,2),(c,3),(d,4)})
/// ```
#[derive(Debug, Clone, Default)]
pub struct DistinctBy {
    /// The key's positions, ascending, each once.
    positions: Vec<usize>,
}

impl DistinctBy {
    /// `DistinctBy('p1', 'p2', ...)`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let mut positions = args
            .iter()
            .map(|a| {
                a.trim()
                    .parse::<usize>()
                    .map_err(|_| format!("DistinctBy: '{a}' is not a field position (0, 1, ...)"))
            })
            .collect::<Result<Vec<usize>, String>>()?;
        positions.sort_unstable();
        positions.dedup();
        Ok(DistinctBy { positions })
    }
}

impl EvalFunc for DistinctBy {
    fn name(&self) -> &str {
        "datafu.pig.bags.DistinctBy"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("DistinctBy", args, 1, 1)?;
        let schema = bag_schema("DistinctBy", args, 0)?;
        if let Some(s) = schema
            && let Some(p) = self.positions.iter().find(|&&p| p >= s.fields.len())
        {
            return Err(format!(
                "DistinctBy: position {p} is past the bag's {} field(s) ({s})",
                s.fields.len()
            ));
        }
        Ok(PigType::Bag(schema.cloned()))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("DistinctBy", args, 1, 1)?;
        let Some(bag) = bag_at("DistinctBy", args, 0)? else {
            return Ok(Value::Null);
        };
        let mut seen: HashSet<Tuple> = HashSet::new();
        let mut out = Vec::new();
        for t in bag.iter() {
            let t = t?;
            let key: Tuple = self
                .positions
                .iter()
                .filter_map(|&p| t.get(p).cloned())
                .collect();
            if seen.insert(key) {
                out.push(t.into_owned());
            }
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

/// `datafu.pig.bags.BagGroup(bag, bag.(key, ...))`: groups the tuples of a bag by some of
/// their fields.
///
/// ## What it does
/// The second argument is a projection of the bag onto the key fields. Returns a bag of
/// `(group, bag)` tuples, one per distinct key, in the order each key first appears:
/// `group` is the key (a tuple of the keys when there are several) and the inner bag
/// holds the key's tuples, whole, in their order; it is named after the input bag, as in
/// DataFu. Like DataFu, the keys are read from the bag's tuples by the projected fields'
/// names; a projection whose fields are not named after the bag's is read row by row
/// beside the bag. A null bag gives null.
///
/// ## Example
/// ```text
/// DEFINE BagGroup datafu.pig.bags.BagGroup();
/// data = LOAD 'input' AS (input_bag: bag {T: tuple(k: int, v: chararray)});
/// -- ({(1,A),(1,B),(2,A),(2,B),(2,C),(3,A)})
/// data2 = FOREACH data GENERATE BagGroup(input_bag, input_bag.(k)) AS grouped;
/// -- grouped: {(group: int,input_bag: {(k: int,v: chararray)})}
/// -- ({(1,{(1,A),(1,B)}),(2,{(2,A),(2,B),(2,C)}),(3,{(3,A)})})
/// ```
#[derive(Debug, Clone, Default)]
pub struct BagGroup {
    /// The key fields' positions in the bag's tuples; `None`: the keys are the tuples of
    /// the second argument, row by row.
    positions: Option<Vec<usize>>,
    /// The input bag's name, which the output's inner bag takes.
    bag_name: Option<String>,
}

impl BagGroup {
    fn keys(&self, args: &[Value]) -> Result<Option<Vec<(Value, Tuple)>>, UdfError> {
        let Some(bag) = bag_at("BagGroup", args, 0)? else {
            return Ok(None);
        };
        let mut out = Vec::with_capacity(bag.len());
        match &self.positions {
            Some(positions) => {
                for t in bag.iter() {
                    let t = t?.into_owned();
                    let key: Tuple = positions
                        .iter()
                        .map(|&p| t.get(p).cloned().unwrap_or(Value::Null))
                        .collect();
                    out.push((Self::group_value(key), t));
                }
            }
            None => {
                let keys = bag_at("BagGroup", args, 1)?;
                let key_count = keys.map_or(0, Bag::len);
                if key_count != bag.len() {
                    return Err(UdfError(format!(
                        "BagGroup: the second argument must be a projection of the bag (bag.(key)); it has {key_count} tuples for the bag's {}",
                        bag.len()
                    )));
                }
                if let Some(keys) = keys {
                    for (t, k) in bag.iter().zip(keys.iter()) {
                        out.push((Self::group_value(k?.into_owned()), t?.into_owned()));
                    }
                }
            }
        }
        Ok(Some(out))
    }

    /// A single key is the group itself; several make a tuple.
    fn group_value(mut key: Tuple) -> Value {
        if key.len() == 1 {
            key.pop().unwrap_or(Value::Null)
        } else {
            Value::Tuple(Box::new(key))
        }
    }
}

impl EvalFunc for BagGroup {
    fn name(&self) -> &str {
        "datafu.pig.bags.BagGroup"
    }
    fn bind(&self, args: &[CallArg<'_>]) -> Result<Option<std::sync::Arc<dyn EvalFunc>>, String> {
        let (Some(bag), Some(keys)) = (args.first(), args.get(1)) else {
            return Ok(None);
        };
        let (PigType::Bag(Some(bag_schema)), PigType::Bag(Some(key_schema))) = (bag.ty, keys.ty)
        else {
            return Ok(Some(std::sync::Arc::new(BagGroup {
                positions: None,
                bag_name: bag.name.map(str::to_string),
            })));
        };
        let positions: Option<Vec<usize>> = key_schema
            .fields
            .iter()
            .map(|k| {
                let name = k.name.as_deref()?;
                bag_schema
                    .fields
                    .iter()
                    .position(|f| f.name.as_deref() == Some(name))
            })
            .collect();
        Ok(Some(std::sync::Arc::new(BagGroup {
            positions,
            bag_name: bag.name.map(str::to_string),
        })))
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("BagGroup", args, 2, 2)?;
        let bag = bag_schema("BagGroup", args, 0)?;
        let keys = bag_schema("BagGroup", args, 1)?;
        let key_fields: Option<Vec<Field>> = match (&self.positions, bag, keys) {
            (Some(positions), Some(b), _) => {
                Some(positions.iter().map(|&p| b.fields[p].clone()).collect())
            }
            (_, _, Some(k)) => Some(k.fields.clone()),
            _ => None,
        };
        let group_ty = match key_fields {
            Some(mut f) if f.len() == 1 => f.remove(0).ty,
            Some(f) if f.is_empty() => {
                return Err("the key projection has no fields".into());
            }
            Some(f) => PigType::Tuple(Some(Schema::new(f))),
            None => PigType::Bytearray,
        };
        let mut inner = Field::new("", PigType::Bag(bag.cloned()));
        inner.name = self.bag_name.clone();
        Ok(bag_with(vec![Field::new("group", group_ty), inner]))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("BagGroup", args, 2, 2)?;
        let Some(keyed) = self.keys(args)? else {
            return Ok(Value::Null);
        };
        let mut groups: Vec<(Value, Vec<Tuple>)> = Vec::new();
        let mut index: HashMap<Value, usize> = HashMap::new();
        for (key, t) in keyed {
            match index.get(&key) {
                Some(&i) => groups[i].1.push(t),
                None => {
                    index.insert(key.clone(), groups.len());
                    groups.push((key, vec![t]));
                }
            }
        }
        let out: Vec<Tuple> = groups
            .into_iter()
            .map(|(k, ts)| vec![k, Value::Bag(Box::new(Bag::from(ts)))])
            .collect();
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

/// Which rows a [`BagJoin`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JoinKind {
    Inner,
    Left,
    Full,
}

/// One bag of a [`BagJoin`], as bound to a call.
#[derive(Debug, Clone)]
struct JoinSide {
    /// The key field's position in the bag's tuples.
    key: usize,
    /// The bag's tuples' width, for the nulls of an unmatched side.
    width: usize,
}

/// `datafu.pig.bags.BagLeftOuterJoin(bag1, 'key1', bag2, 'key2', ...)` (and
/// `datafu.pig.bags.BagJoin(...)`, inner by default, `BagJoin('left')`, `BagJoin('full')`):
/// a join of bags on one key field each.
///
/// ## What it does
/// Each bag is followed by the name of its key field, in quotes. Joins the first bag with
/// the second on those keys, the result with the third, and so on; the output tuples hold
/// the fields of every bag in order, named `bag::field` as in DataFu (`bag1::key1`,
/// `bag1::value1`, `bag2::key2`, ...). `BagLeftOuterJoin` keeps every tuple of the first
/// bag: one with no match in a later bag gets nulls for that bag's fields. Output tuples
/// come in the order their keys first appear in the first bag (DataFu's order is its hash
/// map's). As in DataFu, null keys match each other, and a null bag is an error. The
/// bags' schemas must be known, to find the key fields by name.
///
/// ## Example
/// ```text
/// DEFINE BagLeftOuterJoin datafu.pig.bags.BagLeftOuterJoin();
/// -- data: {bag1: {(key1: chararray,value1: chararray)},bag2: {(key2: chararray,value2: int)}}
/// -- ({(a,x),(b,y)},{(a,1),(a,2)})
/// bag_joined = FOREACH data GENERATE BagLeftOuterJoin(bag1, 'key1', bag2, 'key2') AS joined;
/// -- joined: {(bag1::key1: chararray,bag1::value1: chararray,bag2::key2: chararray,bag2::value2: int)}
/// -- ({(a,x,a,1),(a,x,a,2),(b,y,,)})
/// ```
#[derive(Debug, Clone)]
pub struct BagJoin {
    name: &'static str,
    kind: JoinKind,
    /// The bags, once bound to a call.
    sides: Option<Vec<JoinSide>>,
    /// The output's fields, once bound.
    fields: Vec<Field>,
}

impl BagJoin {
    /// `BagLeftOuterJoin()`.
    pub fn left_outer() -> Self {
        BagJoin {
            name: "datafu.pig.bags.BagLeftOuterJoin",
            kind: JoinKind::Left,
            sides: None,
            fields: Vec::new(),
        }
    }

    /// `BagJoin()`, `BagJoin('inner' | 'left' | 'full')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let kind = match args {
            [] => JoinKind::Inner,
            [k] => match k.to_ascii_lowercase().as_str() {
                "inner" => JoinKind::Inner,
                "left" => JoinKind::Left,
                "full" => JoinKind::Full,
                _ => {
                    return Err(format!(
                        "BagJoin: the join type must be 'inner', 'left' or 'full', got '{k}'"
                    ));
                }
            },
            _ => {
                return Err(format!(
                    "BagJoin takes at most one constructor argument (the join type), got {}",
                    args.len()
                ));
            }
        };
        Ok(BagJoin {
            name: "datafu.pig.bags.BagJoin",
            kind,
            sides: None,
            fields: Vec::new(),
        })
    }

    fn short(&self) -> &'static str {
        self.name.rsplit('.').next().unwrap_or(self.name)
    }

    fn check_args(&self, n: usize) -> Result<(), String> {
        if n < 2 || !n.is_multiple_of(2) {
            return Err(format!(
                "{} takes pairs of a bag and its key field's name: {}(bag1, 'key1', bag2, 'key2'); got {n} arguments",
                self.short(),
                self.short()
            ));
        }
        Ok(())
    }
}

impl EvalFunc for BagJoin {
    fn name(&self) -> &str {
        self.name
    }
    fn bind(&self, args: &[CallArg<'_>]) -> Result<Option<std::sync::Arc<dyn EvalFunc>>, String> {
        self.check_args(args.len())?;
        let mut sides = Vec::new();
        let mut fields = Vec::new();
        for (i, pair) in args.chunks(2).enumerate() {
            let (bag, key) = (&pair[0], &pair[1]);
            let schema = match bag.ty {
                PigType::Bag(Some(s)) => s,
                PigType::Bag(None) | PigType::Bytearray => {
                    return Err(format!(
                        "the fields of bag {} must be known (declare them in the LOAD's AS) to find its key by name",
                        i + 1
                    ));
                }
                t => return Err(super::bad_arg(self.short(), 2 * i, "a bag", t)),
            };
            let Some(Value::Chararray(key_name)) = key.constant else {
                return Err(format!(
                    "argument {} must be the name of bag {}'s key field, in quotes",
                    2 * i + 2,
                    i + 1
                ));
            };
            let position = schema
                .fields
                .iter()
                .position(|f| f.name.as_deref() == Some(key_name.as_str()))
                .or_else(|| {
                    schema.fields.iter().position(|f| {
                        f.name
                            .as_deref()
                            .and_then(|n| n.rsplit("::").next())
                            .is_some_and(|n| n == key_name)
                    })
                })
                .ok_or_else(|| format!("bag {} has no field '{key_name}' ({schema})", i + 1))?;
            let bag_name = bag.name.unwrap_or("null");
            for f in &schema.fields {
                fields.push(Field::new(
                    format!("{bag_name}::{}", f.name.as_deref().unwrap_or("null")),
                    f.ty.clone(),
                ));
            }
            sides.push(JoinSide {
                key: position,
                width: schema.fields.len(),
            });
        }
        Ok(Some(std::sync::Arc::new(BagJoin {
            name: self.name,
            kind: self.kind,
            sides: Some(sides),
            fields,
        })))
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        self.check_args(args.len())?;
        if self.sides.is_none() {
            return Err("the bags' fields must be known to find the keys by name".into());
        }
        Ok(bag_with(self.fields.clone()))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        let Some(sides) = &self.sides else {
            return Err(UdfError(format!(
                "{}: called without its bags' schemas",
                self.short()
            )));
        };
        if args.len() != 2 * sides.len() {
            return Err(UdfError(format!(
                "{} expects {} arguments, got {}",
                self.short(),
                2 * sides.len(),
                args.len()
            )));
        }
        let key_of = |t: &Tuple, side: &JoinSide| t.get(side.key).cloned().unwrap_or(Value::Null);
        // The joined tuples so far, by key, keys in the order they first appeared.
        let mut keys: Vec<Value> = Vec::new();
        let mut data: HashMap<Value, Vec<Tuple>> = HashMap::new();
        let mut width = 0;
        for (i, side) in sides.iter().enumerate() {
            let Some(bag) = bag_at(self.short(), args, 2 * i)? else {
                return Err(UdfError(format!(
                    "{}: bag {} is null; expected a bag",
                    self.short(),
                    i + 1
                )));
            };
            if i == 0 {
                for t in bag.iter() {
                    let t = t?.into_owned();
                    let k = key_of(&t, side);
                    data.entry(k.clone())
                        .or_insert_with(|| {
                            keys.push(k);
                            Vec::new()
                        })
                        .push(t);
                }
                width = side.width;
                continue;
            }
            let mut joined: HashMap<Value, Vec<Tuple>> = HashMap::new();
            let mut new_keys: Vec<Value> = Vec::new();
            for t in bag.iter() {
                let t = t?.into_owned();
                let k = key_of(&t, side);
                let rows = joined.entry(k.clone()).or_insert_with(|| {
                    new_keys.push(k.clone());
                    Vec::new()
                });
                match data.get(&k) {
                    Some(lefts) => {
                        for l in lefts {
                            let mut row = l.clone();
                            row.extend(t.iter().cloned());
                            rows.push(row);
                        }
                    }
                    None if self.kind == JoinKind::Full => {
                        let mut row = vec![Value::Null; width];
                        row.extend(t.iter().cloned());
                        rows.push(row);
                    }
                    None => {}
                }
            }
            // Keys in the earlier order, then keys new in this bag.
            let mut order: Vec<Value> = Vec::with_capacity(keys.len());
            for k in keys.drain(..) {
                let matched = joined.get(&k).is_some_and(|r| !r.is_empty());
                if !matched && self.kind != JoinKind::Inner {
                    let padded: Vec<Tuple> = data
                        .remove(&k)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|mut l| {
                            l.extend(std::iter::repeat_n(Value::Null, side.width));
                            l
                        })
                        .collect();
                    joined.insert(k.clone(), padded);
                }
                order.push(k);
            }
            for k in new_keys {
                if !data.contains_key(&k) && self.kind == JoinKind::Full {
                    order.push(k);
                }
            }
            order.retain(|k| joined.get(k).is_some_and(|r| !r.is_empty()));
            keys = order;
            data = joined;
            width += side.width;
        }
        let mut out = Vec::new();
        for k in &keys {
            if let Some(rows) = data.remove(k) {
                out.extend(rows);
            }
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

// ---------------------------------------------------------------------------------------
// Hashes

/// The SHA digest a [`Sha`] computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ShaBits {
    B1,
    B256,
    B384,
    B512,
}

/// Lowercase hex of a digest, every byte two digits (Java's `%0Nx` of the digest as an
/// unsigned number, N twice its bytes).
fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Standard base64 with padding, on one line (commons-codec's `Base64.encodeBase64`).
fn base64(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(DIGITS[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes a hash function digests: a chararray's UTF-8 bytes (Java's `getBytes()` on
/// a UTF-8 platform) or a bytearray's own; `Ok(None)` for a null.
fn hash_input<'a>(name: &str, args: &'a [Value]) -> Result<Option<&'a [u8]>, UdfError> {
    want_args(name, args, 1, 1)?;
    match &args[0] {
        Value::Null => Ok(None),
        Value::Chararray(s) => Ok(Some(s.as_bytes())),
        Value::Bytearray(b) => Ok(Some(b)),
        v => Err(super::type_err(name, "a chararray", v)),
    }
}

/// `datafu.pig.hash.SHA(s)`: the SHA hash of a string, in hex.
///
/// ## What it does
/// Returns the SHA-256 digest of the string's UTF-8 bytes as lowercase hex (64 digits);
/// `SHA('1')`, `SHA('384')` and `SHA('512')` compute SHA-1, SHA-384 and SHA-512, the
/// algorithms DataFu's constructor takes. A null gives null.
///
/// ## Example
/// ```text
/// DEFINE SHA datafu.pig.hash.SHA();
/// h = FOREACH A GENERATE SHA(name);   -- 'abc' -> 'ba7816bf8f01cfea...f20015ad'
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sha {
    bits: ShaBits,
}

impl Sha {
    /// `SHA()` or `SHA('1' | '256' | '384' | '512')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let bits = match args {
            [] => ShaBits::B256,
            [a] => match a.trim() {
                "1" => ShaBits::B1,
                "256" => ShaBits::B256,
                "384" => ShaBits::B384,
                "512" => ShaBits::B512,
                other => {
                    return Err(format!(
                        "SHA: unknown algorithm SHA-{other}; DataFu's SHA takes '1', '256', '384' or '512'"
                    ));
                }
            },
            _ => {
                return Err(format!(
                    "SHA takes at most one constructor argument (the bits), got {}",
                    args.len()
                ));
            }
        };
        Ok(Sha { bits })
    }
}

impl EvalFunc for Sha {
    fn name(&self) -> &str {
        "datafu.pig.hash.SHA"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("SHA", args, 1, 1)?;
        super::want_str("SHA", args, 0)?;
        Ok(PigType::Chararray)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        use sha2::Digest as _;
        let Some(bytes) = hash_input("SHA", args)? else {
            return Ok(Value::Null);
        };
        let digest: Vec<u8> = match self.bits {
            ShaBits::B1 => sha1::Sha1::digest(bytes).to_vec(),
            ShaBits::B256 => sha2::Sha256::digest(bytes).to_vec(),
            ShaBits::B384 => sha2::Sha384::digest(bytes).to_vec(),
            ShaBits::B512 => sha2::Sha512::digest(bytes).to_vec(),
        };
        Ok(Value::Chararray(hex(&digest)))
    }
}

/// `datafu.pig.hash.MD5(s)`: the MD5 hash of a string, in hex or base64.
///
/// ## What it does
/// Returns the MD5 digest of the string's UTF-8 bytes as 32 lowercase hex digits;
/// `MD5('base64')` gives it in standard base64 (24 characters, with padding) instead, and
/// `MD5('hex')` is the default. A null gives null.
///
/// ## Example
/// ```text
/// DEFINE MD5 datafu.pig.hash.MD5();
/// DEFINE MD5Base64 datafu.pig.hash.MD5('base64');
/// h = FOREACH A GENERATE MD5(s), MD5Base64(s);
/// -- 'abc' -> (900150983cd24fb0d6963f7d28e17f72,kAFQmDzST7DWlj99KOF/cg==)
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Md5 {
    base64: bool,
}

impl Md5 {
    /// `MD5()`, `MD5('hex')` or `MD5('base64')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        match args {
            [] => Ok(Md5 { base64: false }),
            [a] if a == "hex" => Ok(Md5 { base64: false }),
            [a] if a == "base64" => Ok(Md5 { base64: true }),
            [a] => Err(format!("MD5: expected either 'hex' or 'base64', got '{a}'")),
            _ => Err(format!(
                "MD5 takes at most one constructor argument ('hex' or 'base64'), got {}",
                args.len()
            )),
        }
    }
}

impl EvalFunc for Md5 {
    fn name(&self) -> &str {
        "datafu.pig.hash.MD5"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("MD5", args, 1, 1)?;
        super::want_str("MD5", args, 0)?;
        Ok(PigType::Chararray)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        use md5::Digest as _;
        let Some(bytes) = hash_input("MD5", args)? else {
            return Ok(Value::Null);
        };
        let digest = md5::Md5::digest(bytes);
        Ok(Value::Chararray(if self.base64 {
            base64(&digest)
        } else {
            hex(&digest)
        }))
    }
}

// ---------------------------------------------------------------------------------------
// Sampling

/// Java's `String.hashCode`: over the UTF-16 code units.
fn java_string_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Java's `Arrays.hashCode(byte[])` (Pig's `DataByteArray.hashCode`), over signed bytes.
fn java_bytes_hash(b: &[u8]) -> i32 {
    b.iter().fold(1i32, |h, &x| {
        h.wrapping_mul(31).wrapping_add(i32::from(x as i8))
    })
}

/// The `hashCode` Pig's Java object for `v` has, for the types whose hash Java defines
/// simply (strings, bytearrays, numbers, booleans, tuples as Pig's `DefaultTuple`); a
/// null is 0 (`Objects.hashCode`). For a bag, map, datetime, biginteger or bigdecimal,
/// whose Java hashes depend on Java's classes, pigrs hashes the value's own encoding the
/// same way: deterministic, but not Java's number.
fn java_hash(v: &Value) -> i32 {
    match v {
        Value::Null => 0,
        Value::Boolean(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        Value::Int(i) => *i,
        Value::Long(l) => (*l ^ ((*l as u64) >> 32) as i64) as i32,
        Value::Float(f) => {
            let f = if f.is_nan() { f32::NAN } else { *f };
            f.to_bits() as i32
        }
        Value::Double(d) => {
            let bits = if d.is_nan() {
                f64::NAN.to_bits()
            } else {
                d.to_bits()
            };
            (bits ^ (bits >> 32)) as i32
        }
        Value::Chararray(s) => java_string_hash(s),
        Value::Bytearray(b) => java_bytes_hash(b),
        Value::Tuple(t) => t
            .iter()
            .filter(|f| !f.is_null())
            .fold(17i32, |h, f| h.wrapping_mul(31).wrapping_add(java_hash(f))),
        other => java_bytes_hash(&pigrs_value::codec::encode_to_vec(other)),
    }
}

/// `datafu.pig.sampling.SampleByKey('probability' [, 'salt'])`: a filter keeping all the
/// rows of a random share of the keys.
///
/// ## What it does
/// Called with the key fields (`SampleByKey(a_id)` or `SampleByKey(a_id, b_id)`), returns
/// true for about `probability` of the distinct keys and the same answer for every row of
/// a key, so a `FILTER` keeps every row of the sampled keys and none of the others, with no
/// grouping. The answer is deterministic: as in DataFu, the key's hash is combined
/// (`31 * h + hashCode` over the fields) and salted, its SHA-1 digest read as a number in
/// [0, 1] and compared with `probability`. With a salt, pigrs computes Java's `hashCode`s
/// and keeps exactly the rows DataFu keeps for string, bytearray, number and boolean keys
/// (and tuples of them); for a bag, map, datetime or big number key it uses a hash of its
/// own, so the rows kept may differ from Pig's while the sample stays deterministic and of
/// the same expected size. Without a salt DataFu salts with the hash of Pig's internal
/// signature of the call, which pigrs cannot reproduce; pigrs then uses DataFu's fixed
/// default salt (31), so the sample is the same on every run. A null key field hashes as 0
/// (DataFu fails on it).
///
/// ## Example
/// ```text
/// DEFINE SampleByKey datafu.pig.sampling.SampleByKey('0.5', 'salt2.5');
/// -- input: (A1,B1,1),(A1,B1,4),(A2,B1,4),...,(A10,B5,52)
/// data = LOAD 'input' AS (A_id:chararray, B_id:chararray, C:int);
/// sampled = FILTER data BY SampleByKey(A_id);
/// -- every row of A4, A5, A6, A7 and A10, none of the others
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SampleByKey {
    probability: f64,
    seed: i32,
}

impl SampleByKey {
    /// DataFu's seed when no salt is given.
    const PRIME: i32 = 31;

    /// `SampleByKey('probability')` or `SampleByKey('probability', 'salt')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let (p, salt) = match args {
            [p] => (p, None),
            [p, salt] => (p, Some(salt)),
            _ => {
                return Err(format!(
                    "SampleByKey takes the probability and an optional salt: SampleByKey('0.5') or SampleByKey('0.5', 'salt'); got {} arguments",
                    args.len()
                ));
            }
        };
        let probability = super::parse_java_double(p.trim())
            .filter(|x| !x.is_nan())
            .ok_or_else(|| format!("SampleByKey: the probability '{p}' is not a number"))?;
        Ok(SampleByKey {
            probability,
            seed: salt.map_or(Self::PRIME, |s| java_string_hash(s)),
        })
    }

    /// DataFu's `intToRandomDouble`: the first 4 bytes of the SHA-1 of (seed, hash), both
    /// big-endian, as a signed int mapped onto [0, 1].
    fn unit(&self, hash: i32) -> f64 {
        use sha1::Digest as _;
        let mut input = [0u8; 8];
        input[..4].copy_from_slice(&self.seed.to_be_bytes());
        input[4..].copy_from_slice(&hash.to_be_bytes());
        let digest = sha1::Sha1::digest(input);
        let x = i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        (f64::from(x) / f64::from(i32::MAX) + 1.0) / 2.0
    }
}

impl EvalFunc for SampleByKey {
    fn name(&self) -> &str {
        "datafu.pig.sampling.SampleByKey"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("SampleByKey", args, 1, usize::MAX)?;
        Ok(PigType::Boolean)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("SampleByKey", args, 1, usize::MAX)?;
        let hash = args
            .iter()
            .fold(0i32, |h, v| h.wrapping_mul(31).wrapping_add(java_hash(v)));
        Ok(Value::Boolean(self.unit(hash) <= self.probability))
    }
}

/// `datafu.pig.sampling.ReservoirSample('n')`: a uniform random sample of at most `n`
/// tuples of a bag.
///
/// ## What it does
/// Returns a bag of `n` tuples of the input bag drawn uniformly at random without
/// replacement (the whole bag when it holds `n` or fewer). Like DataFu's, it is
/// algebraic: each tuple gets a random score and the `n` best scores are kept, so after
/// `GROUP ... ALL` the map side sends at most `n` tuples on. The output has the input's
/// schema; which tuples are drawn changes from run to run. A null bag gives an empty bag.
///
/// ## Example
/// ```text
/// DEFINE SRS datafu.pig.sampling.ReservoirSample('100');
/// data = LOAD 'input' AS (A_id:chararray, B_id:chararray, C:int);
/// sampled = FOREACH (GROUP data ALL) GENERATE FLATTEN(SRS(data));   -- 100 rows of data
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ReservoirSample {
    n: usize,
}

impl ReservoirSample {
    /// `ReservoirSample('n')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        match args {
            [n] => n
                .trim()
                .parse::<u32>()
                .map(|n| ReservoirSample { n: n as usize })
                .map_err(|_| {
                    format!("ReservoirSample: the sample size '{n}' is not a whole number")
                }),
            _ => Err(format!(
                "ReservoirSample takes the sample size: ReservoirSample('100'); got {} arguments",
                args.len()
            )),
        }
    }

    /// The `n` best-scored of `(score, tuple)` pairs, best first.
    fn keep_best(&self, mut scored: Vec<(f64, Tuple)>) -> Vec<(f64, Tuple)> {
        if scored.len() > self.n {
            scored.select_nth_unstable_by(self.n, |a, b| b.0.total_cmp(&a.0));
            scored.truncate(self.n);
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
    }

    /// The `(score, tuple)` pairs of a bag of partial states (each a bag of
    /// `(score, tuple)`).
    fn scored_states(&self, states: &Bag) -> Result<Vec<(f64, Tuple)>, UdfError> {
        let mut scored = Vec::new();
        for state in states.iter() {
            let state = state?;
            let Some(Value::Bag(b)) = state.first() else {
                continue;
            };
            for pair in b.iter() {
                match pair?.as_slice() {
                    [Value::Double(score), Value::Tuple(t)] => scored.push((*score, (**t).clone())),
                    _ => {
                        return Err(UdfError(
                            "ReservoirSample: a partial sample is not (score, tuple)".into(),
                        ));
                    }
                }
            }
        }
        Ok(scored)
    }

    fn state(scored: Vec<(f64, Tuple)>) -> Value {
        let out: Vec<Tuple> = scored
            .into_iter()
            .map(|(s, t)| vec![Value::Double(s), Value::Tuple(Box::new(t))])
            .collect();
        Value::Bag(Box::new(Bag::from(out)))
    }
}

impl EvalFunc for ReservoirSample {
    fn name(&self) -> &str {
        "datafu.pig.sampling.ReservoirSample"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("ReservoirSample", args, 1, 1)?;
        Ok(PigType::Bag(
            bag_schema("ReservoirSample", args, 0)?.cloned(),
        ))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("ReservoirSample", args, 1, 1)?;
        let Some(bag) = bag_at("ReservoirSample", args, 0)? else {
            return Ok(Value::Bag(Box::default()));
        };
        if bag.len() <= self.n {
            return Ok(args[0].clone());
        }
        // Scores tagged with the position, so the sample keeps the bag's order.
        let mut scored = Vec::with_capacity(bag.len());
        for (i, t) in bag.iter().enumerate() {
            scored.push((super::math::next_random(), i, t?.into_owned()));
        }
        scored.select_nth_unstable_by(self.n, |a, b| b.0.total_cmp(&a.0));
        scored.truncate(self.n);
        scored.sort_by_key(|s| s.1);
        let out: Vec<Tuple> = scored.into_iter().map(|(_, _, t)| t).collect();
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
    fn is_volatile(&self) -> bool {
        true
    }
}

impl Algebraic for ReservoirSample {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        let mut scored = Vec::with_capacity(bag.len().min(self.n));
        for t in bag.iter() {
            scored.push((super::math::next_random(), t?.into_owned()));
        }
        Ok(Self::state(self.keep_best(scored)))
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(Self::state(self.keep_best(self.scored_states(states)?)))
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        let out: Vec<Tuple> = self
            .keep_best(self.scored_states(states)?)
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

// ---------------------------------------------------------------------------------------
// Sessions

/// `datafu.pig.sessions.Sessionize('30m')`: session ids for a bag of events sorted by
/// time.
///
/// ## What it does
/// Takes a bag whose tuples hold the event's time first, sorted by it, and returns the
/// bag with one more field, `session_id` (a chararray): a random UUID shared by the
/// events of one session. A new session starts when an event comes more than the timeout
/// after the one before it. The timeout is DataFu's: an ISO-8601 time period without its
/// `PT` (`'30m'`, `'1h'`, `'1h30m'`, `'45s'`, `'1.5s'`; any case). The time is an ISO-8601
/// datetime string (`2010-01-01T01:00:00Z`) or milliseconds since 1970 as a long, as
/// DataFu takes it; pigrs also takes a datetime. Events out of order are an error naming
/// the two times; a null bag gives null. Which ids are drawn changes from run to run.
///
/// ## Example
/// ```text
/// DEFINE Sessionize datafu.pig.sessions.Sessionize('10m');
/// views = LOAD 'views.tsv' AS (visit_date:chararray, member_id:int, url:chararray);
/// sessions = FOREACH (GROUP views BY member_id) {
///   visits = ORDER views BY visit_date;
///   GENERATE FLATTEN(Sessionize(visits)) AS (visit_date, member_id, url, session_id);
/// }
/// -- 2010-01-01T01:00:00Z, 01:05:00Z and 01:10:00Z share a session; 01:21:00Z starts another
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Sessionize {
    /// The timeout in milliseconds.
    millis: i64,
}

impl Sessionize {
    /// `Sessionize('10m')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let [spec] = args else {
            return Err(format!(
                "Sessionize takes the session timeout: Sessionize('10m'); got {} arguments",
                args.len()
            ));
        };
        let millis = Self::period_millis(spec).ok_or_else(|| {
            format!(
                "Sessionize: '{spec}' is not a time period such as '30m', '1h', '1h30m' or '45s'"
            )
        })?;
        Ok(Sessionize { millis })
    }

    /// The milliseconds of the time part of an ISO-8601 period (`PT` + `spec`, as Joda's
    /// `Period` reads it): hours, minutes and seconds in that order, each optional, seconds
    /// with an optional fraction.
    fn period_millis(spec: &str) -> Option<i64> {
        let upper = spec.trim().to_ascii_uppercase();
        let mut rest = upper.as_str();
        let mut total: f64 = 0.0;
        let mut any = false;
        for (unit, ms, fraction) in [
            ('H', 3_600_000.0, false),
            ('M', 60_000.0, false),
            ('S', 1000.0, true),
        ] {
            let Some(at) = rest.find(unit) else {
                continue;
            };
            let number = &rest[..at];
            let digits_ok = !number.is_empty()
                && number
                    .chars()
                    .all(|c| c.is_ascii_digit() || (fraction && c == '.'))
                && number.chars().next().is_some_and(|c| c.is_ascii_digit());
            if !digits_ok {
                return None;
            }
            total += number.parse::<f64>().ok()? * ms;
            rest = &rest[at + 1..];
            any = true;
        }
        (any && rest.is_empty()).then_some(total.round() as i64)
    }

    /// The milliseconds since 1970 of an event's time field.
    fn time_of(v: &Value) -> Result<i64, UdfError> {
        match v {
            Value::Long(l) => Ok(*l),
            Value::Datetime(d) => Ok(d.timestamp_millis()),
            Value::Chararray(_) | Value::Bytearray(_) => {
                let s = super::as_str(v).unwrap_or_default();
                crate::cast::parse_datetime(s.trim())
                    .map(|d| d.timestamp_millis())
                    .ok_or_else(|| {
                        UdfError(format!(
                            "Sessionize: '{s}' is not an ISO-8601 datetime (the first field must be the event's time)"
                        ))
                    })
            }
            other => Err(UdfError(format!(
                "Sessionize: the first field must be the event's time, an ISO-8601 string or milliseconds as a long; got {}",
                type_name(other)
            ))),
        }
    }
}

/// A random (version 4) UUID in its usual text form.
fn random_uuid() -> String {
    let hi = super::math::random_u64();
    let lo = super::math::random_u64();
    let hi = (hi & !0xf000) | 0x4000;
    let lo = (lo & !(0xc000 << 48)) | (0x8000 << 48);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}

impl EvalFunc for Sessionize {
    fn name(&self) -> &str {
        "datafu.pig.sessions.Sessionize"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("Sessionize", args, 1, 1)?;
        let Some(s) = bag_schema("Sessionize", args, 0)? else {
            return Ok(PigType::Bag(None));
        };
        match s.fields.first().map(|f| &f.ty) {
            Some(PigType::Chararray | PigType::Long | PigType::Datetime | PigType::Bytearray) => {}
            Some(t) => {
                return Err(format!(
                    "Sessionize: the first field of the bag must be the time, a chararray (ISO-8601) or a long (milliseconds); got {t}"
                ));
            }
            None => return Err("Sessionize: the bag's tuples have no fields".into()),
        }
        let mut fields = s.fields.clone();
        fields.push(Field::new("session_id", PigType::Chararray));
        Ok(bag_with(fields))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("Sessionize", args, 1, 1)?;
        let Some(bag) = bag_at("Sessionize", args, 0)? else {
            return Ok(Value::Null);
        };
        let mut out = Vec::with_capacity(bag.len());
        let mut last: Option<(i64, Value)> = None;
        let mut id = random_uuid();
        for t in bag.iter() {
            let mut t = t?.into_owned();
            let time_value = t.first().cloned().unwrap_or(Value::Null);
            let time = Self::time_of(&time_value)?;
            if let Some((before, before_value)) = &last {
                if time < *before {
                    return Err(UdfError(format!(
                        "Sessionize: the bag is not sorted by time ({time_value} comes after {before_value}); ORDER it in a nested FOREACH"
                    )));
                }
                if time > before.saturating_add(self.millis) {
                    id = random_uuid();
                }
            }
            last = Some((time, time_value));
            t.push(Value::Chararray(id.clone()));
            out.push(t);
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
    fn is_volatile(&self) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------
// Distinct counts

/// `datafu.pig.stats.HyperLogLogPlusPlus(bag)`: the approximate number of distinct tuples
/// of a bag.
///
/// ## What it does
/// Estimates how many distinct tuples the bag holds with a HyperLogLog++ sketch of 2^p
/// registers, in constant memory whatever the count: the standard error is about
/// 1.04/√(2^p), 0.1% at DataFu's default precision of 20; `HyperLogLogPlusPlus('14')` sets
/// another precision (4 to 24) for a smaller sketch (1.6% error, 16 KB). Returns a long.
/// It is algebraic, as in DataFu: the map side sends one sketch per group. A tuple of
/// nulls counts as a value, as in DataFu; a null bag counts nothing (0).
///
/// pigrs's sketch hashes each tuple with MurmurHash64A (and MurmurHash3's final mix) and
/// estimates with Ertl's improved
/// estimator instead of HLL++'s empirical bias tables: the estimates are as accurate as
/// DataFu's but not the same numbers.
///
/// ## Example
/// ```text
/// DEFINE HyperLogLogPlusPlus datafu.pig.stats.HyperLogLogPlusPlus();
/// -- input: 1,2,2,3,3,3
/// input = LOAD 'input' AS (val:int);
/// grouped = GROUP input ALL;
/// distinct = FOREACH grouped GENERATE HyperLogLogPlusPlus(input.val);   -- (3)
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HyperLogLogPlusPlus {
    p: u8,
}

impl HyperLogLogPlusPlus {
    /// DataFu's default precision.
    const DEFAULT_P: u8 = 20;

    /// `HyperLogLogPlusPlus()` or `HyperLogLogPlusPlus('p')`.
    pub fn with_args(args: &[String]) -> Result<Self, String> {
        let p = match args {
            [] => Self::DEFAULT_P,
            [p] => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| super::hll::PRECISIONS.contains(p))
                .ok_or_else(|| {
                    format!(
                        "HyperLogLogPlusPlus: the precision '{p}' must be a whole number from {} to {}",
                        super::hll::PRECISIONS.start(),
                        super::hll::PRECISIONS.end()
                    )
                })?,
            _ => {
                return Err(format!(
                    "HyperLogLogPlusPlus takes at most one constructor argument (the precision), got {}",
                    args.len()
                ));
            }
        };
        Ok(HyperLogLogPlusPlus { p })
    }

    fn add_bag(&self, sketch: &mut super::hll::Sketch, bag: &Bag) -> Result<(), UdfError> {
        let mut buf = Vec::new();
        for t in bag.iter() {
            buf.clear();
            pigrs_value::codec::encode_tuple(&t?, &mut buf);
            sketch.insert_hash(super::hll::hash64(&buf));
        }
        Ok(())
    }

    /// The sketch merging a bag of partial states (each a sketch's bytes in field 0).
    fn merged(&self, states: &Bag) -> Result<super::hll::Sketch, UdfError> {
        let mut sketch = super::hll::Sketch::new(self.p);
        for state in states.iter() {
            match state?.first() {
                Some(Value::Bytearray(b)) => {
                    let part = super::hll::Sketch::from_bytes(b)
                        .map_err(|e| UdfError(format!("HyperLogLogPlusPlus: {e}")))?;
                    sketch
                        .merge(&part)
                        .map_err(|e| UdfError(format!("HyperLogLogPlusPlus: {e}")))?;
                }
                Some(Value::Null) | None => {}
                Some(v) => {
                    return Err(UdfError(format!(
                        "HyperLogLogPlusPlus: a partial state is a {}, not a sketch",
                        type_name(v)
                    )));
                }
            }
        }
        Ok(sketch)
    }
}

impl EvalFunc for HyperLogLogPlusPlus {
    fn name(&self) -> &str {
        "datafu.pig.stats.HyperLogLogPlusPlus"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("HyperLogLogPlusPlus", args, 1, 1)?;
        bag_schema("HyperLogLogPlusPlus", args, 0)?;
        Ok(PigType::Long)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args("HyperLogLogPlusPlus", args, 1, 1)?;
        let mut sketch = super::hll::Sketch::new(self.p);
        if let Some(bag) = bag_at("HyperLogLogPlusPlus", args, 0)? {
            self.add_bag(&mut sketch, bag)?;
        }
        Ok(Value::Long(sketch.estimate().round() as i64))
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for HyperLogLogPlusPlus {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        let mut sketch = super::hll::Sketch::new(self.p);
        self.add_bag(&mut sketch, bag)?;
        Ok(Value::Bytearray(sketch.to_bytes()))
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(Value::Bytearray(self.merged(states)?.to_bytes()))
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(Value::Long(self.merged(states)?.estimate().round() as i64))
    }
}

// ---------------------------------------------------------------------------------------
// Sets

/// Which set operation a [`SetOp`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetKind {
    Union,
    Intersect,
    Difference,
}

/// `datafu.pig.sets.SetUnion`, `SetIntersect` and `SetDifference` of two or more bags.
///
/// ## What it does
/// Treats each bag as a set of tuples and returns, as a bag of distinct tuples:
/// - `SetUnion(a, b, ...)`: every tuple of any bag, in the order they first appear;
/// - `SetIntersect(a, b, ...)`: the tuples of `a` found in every other bag;
/// - `SetDifference(a, b, ...)`: the tuples of `a` found in none of the others.
///
/// DataFu requires `SetIntersect` and `SetDifference` to be given sorted bags; pigrs gives
/// the same result for sorted bags and also accepts unsorted ones (results keep the order of
/// `a`). A null bag counts as empty.
///
/// ## Example
/// ```text
/// DEFINE SetUnion datafu.pig.sets.SetUnion();
/// DEFINE SetIntersect datafu.pig.sets.SetIntersect();
/// DEFINE SetDifference datafu.pig.sets.SetDifference();
/// -- input: ({(1,10),(2,20),(3,30),(4,40)},{(2,20),(4,40),(8,80)})
/// i = FOREACH input GENERATE SetIntersect(B1, B2);   -- ({(2,20),(4,40)})
/// u = FOREACH input GENERATE SetUnion(B1, B2);       -- ({(1,10),(2,20),(3,30),(4,40),(8,80)})
/// d = FOREACH input GENERATE SetDifference(B1, B2);  -- ({(1,10),(3,30)})
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SetOp {
    kind: SetKind,
}

impl SetOp {
    /// `SetUnion`.
    pub const UNION: SetOp = SetOp {
        kind: SetKind::Union,
    };
    /// `SetIntersect`.
    pub const INTERSECT: SetOp = SetOp {
        kind: SetKind::Intersect,
    };
    /// `SetDifference`.
    pub const DIFFERENCE: SetOp = SetOp {
        kind: SetKind::Difference,
    };

    fn short(&self) -> &'static str {
        match self.kind {
            SetKind::Union => "SetUnion",
            SetKind::Intersect => "SetIntersect",
            SetKind::Difference => "SetDifference",
        }
    }
}

impl EvalFunc for SetOp {
    fn name(&self) -> &str {
        match self.kind {
            SetKind::Union => "datafu.pig.sets.SetUnion",
            SetKind::Intersect => "datafu.pig.sets.SetIntersect",
            SetKind::Difference => "datafu.pig.sets.SetDifference",
        }
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity(self.short(), args, 2, usize::MAX)?;
        let mut schema = None;
        for i in 0..args.len() {
            if let Some(s) = bag_schema(self.short(), args, i)? {
                schema.get_or_insert(s);
            }
        }
        Ok(PigType::Bag(schema.cloned()))
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        want_args(self.short(), args, 2, usize::MAX)?;
        let mut bags = Vec::with_capacity(args.len());
        for i in 0..args.len() {
            bags.push(match bag_at(self.short(), args, i)? {
                Some(b) => b.tuples()?.into_owned(),
                None => Vec::new(),
            });
        }
        let mut seen: HashSet<&Tuple> = HashSet::new();
        let mut out: Vec<Tuple> = Vec::new();
        if self.kind == SetKind::Union {
            for t in bags.iter().flatten() {
                if seen.insert(t) {
                    out.push(t.clone());
                }
            }
        } else {
            let others: Vec<HashSet<&Tuple>> =
                bags[1..].iter().map(|b| b.iter().collect()).collect();
            for t in &bags[0] {
                let keep = match self.kind {
                    SetKind::Intersect => others.iter().all(|o| o.contains(t)),
                    _ => !others.iter().any(|o| o.contains(t)),
                };
                if keep && seen.insert(t) {
                    out.push(t.clone());
                }
            }
        }
        Ok(Value::Bag(Box::new(Bag::from(out))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(rows: &[&[Value]]) -> Value {
        Value::Bag(Box::new(rows.iter().map(|r| r.to_vec()).collect()))
    }
    fn ints(xs: &[i32]) -> Value {
        Value::Bag(Box::new(xs.iter().map(|&x| vec![Value::Int(x)]).collect()))
    }
    fn doubles(xs: &[f64]) -> Value {
        Value::Tuple(Box::new(xs.iter().map(|&x| Value::Double(x)).collect()))
    }
    fn args(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| (*s).to_string()).collect()
    }
    fn tuple(xs: &[Value]) -> Value {
        Value::Tuple(Box::new(xs.to_vec()))
    }
    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }
    const Q: &str = "datafu.pig.stats.Quantile";
    const SQ: &str = "datafu.pig.stats.StreamingQuantile";

    #[test]
    fn quantile_documented_example() {
        let q = Quantile::with_args(Q, &args(&["0.0", "0.5", "1.0"]), false).unwrap();
        let sorted = ints(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(q.eval(&[sorted]).unwrap(), doubles(&[1.0, 5.5, 10.0]));
        let ty = q.return_type(&[PigType::Bag(None)]).unwrap();
        assert_eq!(
            ty.to_string(),
            "(quantile_0_0: double,quantile_0_5: double,quantile_1_0: double)"
        );
    }

    #[test]
    fn quantile_by_count_is_evenly_spaced_with_ordinal_names() {
        let q = Quantile::with_args(Q, &args(&["5"]), false).unwrap();
        let sorted = ints(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(
            q.eval(&[sorted]).unwrap(),
            doubles(&[1.0, 3.0, 5.5, 8.0, 10.0])
        );
        let ty = q.return_type(&[PigType::Bag(None)]).unwrap().to_string();
        assert!(
            ty.starts_with("(quantile_0: double,quantile_1: double"),
            "{ty}"
        );
    }

    #[test]
    fn quantile_reads_the_bag_in_its_order_streaming_sorts_it() {
        let unsorted = ints(&[9, 10, 2, 3, 5, 8, 1, 4, 6, 7]);
        let q = Quantile::with_args(Q, &args(&["0.0", "1.0"]), false).unwrap();
        assert_eq!(
            q.eval(std::slice::from_ref(&unsorted)).unwrap(),
            doubles(&[9.0, 7.0])
        );
        let sq = Quantile::with_args(SQ, &args(&["0.0", "0.5", "1.0"]), true).unwrap();
        assert_eq!(sq.eval(&[unsorted]).unwrap(), doubles(&[1.0, 5.5, 10.0]));
        let m = Quantile::median("datafu.pig.stats.StreamingMedian", true);
        assert_eq!(m.eval(&[ints(&[3, 1, 2])]).unwrap(), doubles(&[2.0]));
    }

    #[test]
    fn quantile_nulls_empty_and_bad_arguments() {
        let m = Quantile::median("datafu.pig.stats.Median", false);
        assert_eq!(m.eval(&[ints(&[])]).unwrap(), Value::Null);
        assert_eq!(m.eval(&[Value::Null]).unwrap(), Value::Null);
        let with_null = bag(&[&[Value::Int(1)], &[Value::Null], &[Value::Int(3)]]);
        assert!(m.eval(&[with_null]).is_err());
        assert!(Quantile::with_args(Q, &args(&["1.5", "0.5"]), false).is_err());
        assert!(Quantile::with_args(Q, &args(&["x"]), false).is_err());
        assert!(Quantile::with_args(Q, &args(&["2.5"]), false).is_err());
        assert!(Quantile::with_args(Q, &[], false).is_err());
        let chars = PigType::Bag(Some(Schema::new(vec![Field::new("s", PigType::Chararray)])));
        assert!(m.return_type(&[chars]).is_err());
    }

    #[test]
    fn var_documented_example() {
        let v = Var.eval(&[ints(&[1, 2, 3, 4, 10, 5, 6, 7, 8, 9])]).unwrap();
        assert_eq!(v, Value::Double(8.25));
        let with_null = bag(&[&[Value::Int(1)], &[Value::Null], &[Value::Int(3)]]);
        assert_eq!(Var.eval(&[with_null]).unwrap(), Value::Double(1.0));
        assert_eq!(Var.eval(&[ints(&[])]).unwrap(), Value::Null);
        assert_eq!(Var.eval(&[bag(&[&[Value::Null]])]).unwrap(), Value::Null);
        assert_eq!(
            Var.return_type(&[PigType::Bag(None)]).unwrap(),
            PigType::Double
        );
    }

    #[test]
    fn enumerate_documented_example() {
        let e = Enumerate::with_args(&args(&["1"])).unwrap();
        let out = e.eval(&[ints(&[100, 200, 300, 400])]).unwrap();
        assert_eq!(out.to_string(), "{(100,1),(200,2),(300,3),(400,4)}");
        let e0 = Enumerate::with_args(&[]).unwrap();
        let letters = bag(&[&[s("A")], &[s("B")]]);
        assert_eq!(e0.eval(&[letters]).unwrap().to_string(), "{(A,0),(B,1)}");
        assert_eq!(e0.eval(&[Value::Null]).unwrap(), Value::Null);
        let input = PigType::Bag(Some(Schema::new(vec![Field::new("v2", PigType::Int)])));
        assert_eq!(
            e.return_type(&[input]).unwrap().to_string(),
            "{(v2: int,i: long)}"
        );
        assert!(Enumerate::with_args(&args(&["one"])).is_err());
    }

    #[test]
    fn append_and_prepend_documented_examples() {
        let b = ints(&[1, 2, 3]);
        let t = tuple(&[Value::Int(4)]);
        let a = AddToBag::APPEND.eval(&[b.clone(), t.clone()]).unwrap();
        assert_eq!(a.to_string(), "{(1),(2),(3),(4)}");
        let p = AddToBag::PREPEND.eval(&[b.clone(), t]).unwrap();
        assert_eq!(p.to_string(), "{(4),(1),(2),(3)}");
        assert_eq!(AddToBag::APPEND.eval(&[b.clone(), Value::Null]).unwrap(), b);
        assert_eq!(
            AddToBag::PREPEND
                .eval(&[Value::Null, tuple(&[Value::Int(1)])])
                .unwrap(),
            Value::Null
        );
        assert!(
            AddToBag::APPEND
                .return_type(&[PigType::Bag(None), PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn bag_concat_documented_examples() {
        let out = BagConcat
            .eval(&[ints(&[1, 2, 3]), ints(&[3, 4, 5])])
            .unwrap();
        assert_eq!(out.to_string(), "{(1),(2),(3),(3),(4),(5)}");
        let nested = bag(&[&[ints(&[20, 25])], &[ints(&[40, 50])]]);
        assert_eq!(
            BagConcat.eval(&[nested]).unwrap().to_string(),
            "{(20),(25),(40),(50)}"
        );
        assert_eq!(
            BagConcat
                .eval(&[ints(&[1]), Value::Null])
                .unwrap()
                .to_string(),
            "{(1)}"
        );
        assert!(BagConcat.eval(&[ints(&[1])]).is_err());
    }

    #[test]
    fn first_tuple_documented_example() {
        let b = bag(&[&[s("a"), Value::Int(1)]]);
        let out = FirstTupleFromBag.eval(&[b, Value::Null]).unwrap();
        assert_eq!(out.to_string(), "(a,1)");
        let default = tuple(&[s("none")]);
        assert_eq!(
            FirstTupleFromBag
                .eval(&[ints(&[]), default.clone()])
                .unwrap(),
            default
        );
    }

    #[test]
    fn count_each_documented_example() {
        let b = bag(&[&[s("A")], &[s("A")], &[s("C")], &[s("B")]]);
        let plain = CountEach::with_args(&[]).unwrap();
        assert_eq!(
            plain.eval(std::slice::from_ref(&b)).unwrap().to_string(),
            "{((A),2),((C),1),((B),1)}"
        );
        let flat = CountEach::with_args(&args(&["flatten"])).unwrap();
        assert_eq!(flat.eval(&[b]).unwrap().to_string(), "{(A,2),(C,1),(B,1)}");
        assert!(plain.eval(&[Value::Null]).is_err());
        let input = PigType::Bag(Some(Schema::new(vec![Field::new("a", PigType::Chararray)])));
        assert_eq!(
            plain
                .return_type(std::slice::from_ref(&input))
                .unwrap()
                .to_string(),
            "{(tuple_schema: (a: chararray),count: int)}"
        );
        assert_eq!(
            flat.return_type(&[input]).unwrap().to_string(),
            "{(a: chararray,count: int)}"
        );
    }

    #[test]
    fn distinct_by_documented_example() {
        let row = |a: &str, n: i32| vec![s(a), Value::Int(n)];
        let b = Value::Bag(Box::new(
            vec![
                row("a", 1),
                row("a", 1),
                row("b", 2),
                row("b", 22),
                row("c", 3),
                row("d", 4),
            ]
            .into(),
        ));
        let by0 = DistinctBy::with_args(&args(&["0"])).unwrap();
        assert_eq!(
            by0.eval(std::slice::from_ref(&b)).unwrap().to_string(),
            "{(a,1),(b,2),(c,3),(d,4)}"
        );
        let by_both = DistinctBy::with_args(&args(&["1", "0"])).unwrap();
        assert_eq!(
            by_both.eval(&[b]).unwrap().to_string(),
            "{(a,1),(b,2),(b,22),(c,3),(d,4)}"
        );
        assert_eq!(by0.eval(&[Value::Null]).unwrap(), Value::Null);
        assert!(DistinctBy::with_args(&args(&["x"])).is_err());
        let one = PigType::Bag(Some(Schema::new(vec![Field::new("a", PigType::Int)])));
        assert!(by_both.return_type(&[one]).is_err());
    }

    #[test]
    fn sha_hex_digests() {
        let sha = Sha::with_args(&[]).unwrap();
        assert_eq!(
            sha.eval(&[s("abc")]).unwrap(),
            s("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(
            sha.eval(&[s("")]).unwrap(),
            s("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        let sha384 = Sha::with_args(&args(&["384"])).unwrap();
        assert_eq!(
            sha384.eval(&[s("abc")]).unwrap(),
            s(
                "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"
            )
        );
        let sha512 = Sha::with_args(&args(&["512"])).unwrap();
        let Value::Chararray(h) = sha512.eval(&[s("abc")]).unwrap() else {
            panic!("not a string");
        };
        assert!(h.starts_with("ddaf35a193617aba") && h.len() == 128, "{h}");
        assert_eq!(sha.eval(&[Value::Null]).unwrap(), Value::Null);
        let sha1 = Sha::with_args(&args(&["1"])).unwrap();
        assert_eq!(
            sha1.eval(&[s("abc")]).unwrap(),
            s("a9993e364706816aba3e25717850c26c9cd0d89d")
        );
        assert!(Sha::with_args(&args(&["224"])).is_err());
        assert!(Sha::with_args(&args(&["999"])).is_err());
        assert!(sha.eval(&[Value::Int(1)]).is_err());
    }

    #[test]
    fn md5_hex_and_base64() {
        let hex = Md5::with_args(&[]).unwrap();
        assert_eq!(
            hex.eval(&[s("abc")]).unwrap(),
            s("900150983cd24fb0d6963f7d28e17f72")
        );
        assert_eq!(
            hex.eval(&[s("")]).unwrap(),
            s("d41d8cd98f00b204e9800998ecf8427e")
        );
        let b64 = Md5::with_args(&args(&["base64"])).unwrap();
        assert_eq!(
            b64.eval(&[s("abc")]).unwrap(),
            s("kAFQmDzST7DWlj99KOF/cg==")
        );
        assert_eq!(b64.eval(&[Value::Null]).unwrap(), Value::Null);
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert!(Md5::with_args(&args(&["HEX"])).is_err());
        assert!(Md5::with_args(&args(&["sha"])).is_err());
    }

    #[test]
    fn sets_documented_examples() {
        let pair = |a: i32, b: i32| vec![Value::Int(a), Value::Int(b)];
        let b1 = Value::Bag(Box::new(
            vec![pair(1, 10), pair(2, 20), pair(3, 30), pair(4, 40)].into(),
        ));
        let b2 = Value::Bag(Box::new(vec![pair(2, 20), pair(4, 40), pair(8, 80)].into()));
        let both = [b1, b2];
        assert_eq!(
            SetOp::INTERSECT.eval(&both).unwrap().to_string(),
            "{(2,20),(4,40)}"
        );
        assert_eq!(
            SetOp::UNION.eval(&both).unwrap().to_string(),
            "{(1,10),(2,20),(3,30),(4,40),(8,80)}"
        );
        assert_eq!(
            SetOp::DIFFERENCE.eval(&both).unwrap().to_string(),
            "{(1,10),(3,30)}"
        );
        let u1 = Value::Bag(Box::new(vec![pair(2, 20), pair(3, 30), pair(4, 40)].into()));
        let u2 = Value::Bag(Box::new(
            vec![pair(1, 10), pair(2, 20), pair(4, 40), pair(8, 80)].into(),
        ));
        assert_eq!(
            SetOp::UNION.eval(&[u1, u2]).unwrap().to_string(),
            "{(2,20),(3,30),(4,40),(1,10),(8,80)}"
        );
        let d = SetOp::DIFFERENCE
            .eval(&[ints(&[1, 2, 3, 4, 5, 6]), ints(&[3, 4])])
            .unwrap();
        assert_eq!(d.to_string(), "{(1),(2),(5),(6)}");
        assert_eq!(
            SetOp::UNION
                .eval(&[ints(&[1, 1]), Value::Null])
                .unwrap()
                .to_string(),
            "{(1)}"
        );
        assert!(SetOp::UNION.return_type(&[PigType::Bag(None)]).is_err());
    }
    #[test]
    fn hashes_match_datafu_tests() {
        let words = ["ladsljkasdglk", "lkadsljasgjskdjks", "aladlasdgjks"];
        let run = |f: &dyn EvalFunc, w: &str| match f.eval(&[s(w)]).unwrap() {
            Value::Chararray(h) => h,
            v => panic!("{v:?}"),
        };
        let md5 = Md5::with_args(&[]).unwrap();
        let got: Vec<String> = words.iter().map(|w| run(&md5, w)).collect();
        assert_eq!(
            got,
            [
                "d9a82575758bb4978949dc0659205cc6",
                "9ec37f02fae0d8d6a7f4453a62272f1f",
                "cb94139a8b9f3243e68a898ec6bd9b3d"
            ]
        );
        assert_eq!(
            run(&md5, "has_lo_md5_1065433"),
            "000008e5487b3abae7be88a1d4bad573"
        );
        let b64 = Md5::with_args(&args(&["base64"])).unwrap();
        let got: Vec<String> = words.iter().map(|w| run(&b64, w)).collect();
        assert_eq!(
            got,
            [
                "2agldXWLtJeJSdwGWSBcxg==",
                "nsN/Avrg2Nan9EU6YicvHw==",
                "y5QTmoufMkPmiomOxr2bPQ=="
            ]
        );
        assert_eq!(run(&b64, "has_lo_md5_1065433"), "AAAI5Uh7Orrnvoih1LrVcw==");
        let sha256 = Sha::with_args(&args(&["256"])).unwrap();
        assert_eq!(
            run(&sha256, "has_lo_sha256_11542105"),
            "000000aa76ae37c4085105a40d6eb27ef41ab5bed0013002cb6218b1e5fa6315"
        );
        let sha512 = Sha::with_args(&args(&["512"])).unwrap();
        assert!(
            run(&sha512, "has_lo_sha512_92333").starts_with("000001f4836cd015a4b2205793484740")
        );
    }

    /// DataFu's `SamplingTests` input: (A_id, B_id, C).
    fn sampling_input() -> Vec<(&'static str, &'static str, i32)> {
        vec![
            ("A1", "B1", 1),
            ("A1", "B1", 4),
            ("A1", "B3", 4),
            ("A1", "B4", 4),
            ("A2", "B1", 4),
            ("A2", "B2", 4),
            ("A3", "B1", 3),
            ("A3", "B1", 1),
            ("A3", "B3", 77),
            ("A4", "B1", 3),
            ("A4", "B2", 3),
            ("A4", "B3", 59),
            ("A4", "B4", 29),
            ("A5", "B1", 4),
            ("A6", "B2", 3),
            ("A6", "B2", 55),
            ("A6", "B3", 1),
            ("A7", "B1", 39),
            ("A7", "B2", 27),
            ("A7", "B3", 85),
            ("A8", "B1", 4),
            ("A8", "B2", 45),
            ("A9", "B3", 92),
            ("A9", "B1", 42),
            ("A9", "B2", 1),
            ("A9", "B3", 0),
            ("A10", "B1", 7),
            ("A10", "B2", 23),
            ("A10", "B3", 1),
            ("A10", "B4", 41),
            ("A10", "B5", 52),
        ]
    }

    #[test]
    fn sample_by_key_keeps_the_rows_datafu_keeps() {
        let f = SampleByKey::with_args(&args(&["0.5", "salt2.5"])).unwrap();
        let kept: Vec<&str> = sampling_input()
            .into_iter()
            .filter(|(a, _, _)| f.eval(&[s(a)]).unwrap() == Value::Boolean(true))
            .map(|(a, _, _)| a)
            .collect();
        let mut keys = kept.clone();
        keys.dedup();
        assert_eq!(keys, ["A4", "A5", "A6", "A7", "A10"]);
        assert_eq!(kept.len(), 16);
    }

    #[test]
    fn sample_by_key_on_two_fields_matches_datafu() {
        let f = SampleByKey::with_args(&args(&["0.5", "salt2.5"])).unwrap();
        let input = [
            ("A1", "B1"),
            ("A1", "B3"),
            ("A1", "B4"),
            ("A2", "B1"),
            ("A2", "B2"),
            ("A3", "B1"),
            ("A3", "B3"),
            ("A4", "B1"),
            ("A4", "B2"),
            ("A4", "B3"),
            ("A4", "B4"),
            ("A5", "B1"),
            ("A6", "B2"),
            ("A6", "B3"),
            ("A7", "B1"),
            ("A7", "B2"),
            ("A7", "B3"),
            ("A8", "B1"),
            ("A8", "B2"),
            ("A9", "B3"),
            ("A9", "B6"),
            ("A9", "B5"),
            ("A10", "B1"),
            ("A10", "B2"),
            ("A10", "B6"),
            ("A10", "B7"),
        ];
        let kept: Vec<String> = input
            .iter()
            .filter(|(a, b)| f.eval(&[s(a), s(b)]).unwrap() == Value::Boolean(true))
            .map(|(a, b)| format!("{a}{b}"))
            .collect();
        assert_eq!(
            kept,
            [
                "A1B1", "A1B4", "A2B1", "A2B2", "A3B1", "A4B4", "A5B1", "A6B3", "A7B1", "A8B1",
                "A9B3", "A10B2"
            ]
        );
    }

    #[test]
    fn sample_by_key_is_deterministic_and_keeps_the_share() {
        let f = SampleByKey::with_args(&args(&["0.10", "thesalt"])).unwrap();
        let mut kept = 0;
        for i in 0..10_000 {
            let first = f.eval(&[Value::Int(i)]).unwrap();
            for _ in 0..4 {
                assert_eq!(f.eval(&[Value::Int(i)]).unwrap(), first);
            }
            kept += usize::from(first == Value::Boolean(true));
        }
        assert!(kept.abs_diff(1000) < 50, "{kept}");
        let unsalted = SampleByKey::with_args(&args(&["0.5"])).unwrap();
        assert_eq!(
            unsalted.eval(&[Value::Null]).unwrap(),
            unsalted.eval(&[Value::Null]).unwrap()
        );
        assert!(SampleByKey::with_args(&args(&["half"])).is_err());
        assert!(SampleByKey::with_args(&[]).is_err());
        assert_eq!(
            java_string_hash("salt2.5"),
            "salt2.5"
                .encode_utf16()
                .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
        );
        assert_eq!(java_hash(&Value::Long(-1)), 0);
        assert_eq!(java_hash(&Value::Boolean(true)), 1231);
    }

    #[test]
    fn reservoir_sample_draws_n_uniformly() {
        let f = ReservoirSample::with_args(&args(&["3"])).unwrap();
        let small = ints(&[1, 2]);
        assert_eq!(f.eval(std::slice::from_ref(&small)).unwrap(), small);
        let big = ints(&(0..10).collect::<Vec<_>>());
        let mut counts = [0u32; 10];
        for _ in 0..3000 {
            let Value::Bag(out) = f.eval(std::slice::from_ref(&big)).unwrap() else {
                panic!("not a bag");
            };
            assert_eq!(out.len(), 3);
            let seen: HashSet<Tuple> = out.iter().map(|t| t.unwrap().into_owned()).collect();
            assert_eq!(seen.len(), 3);
            for t in seen {
                let Value::Int(i) = t[0] else { panic!() };
                counts[i as usize] += 1;
            }
        }
        // Each value is drawn with probability 3/10: 900 of 3000 draws.
        for c in counts {
            assert!((750..1050).contains(&c), "{counts:?}");
        }
        assert!(ReservoirSample::with_args(&args(&["-1"])).is_err());
        assert_eq!(f.eval(&[Value::Null]).unwrap().to_string(), "{}");
    }

    #[test]
    fn reservoir_sample_algebraic_phases_keep_n() {
        let f = ReservoirSample::with_args(&args(&["2"])).unwrap();
        let states: Vec<Value> = (0..5)
            .map(|i| f.initial(&Bag::from(vec![vec![Value::Int(i)]])).unwrap())
            .collect();
        let half: Bag = states[..3].iter().map(|s| vec![s.clone()]).collect();
        let merged = f.intermediate(&half).unwrap();
        let mut rest: Vec<Tuple> = states[3..].iter().map(|s| vec![s.clone()]).collect();
        rest.push(vec![merged]);
        let Value::Bag(out) = f.finalize(&Bag::from(rest)).unwrap() else {
            panic!("not a bag");
        };
        assert_eq!(out.len(), 2);
        assert_eq!(
            f.return_type(&[PigType::Bag(None)]).unwrap(),
            PigType::Bag(None)
        );
    }

    /// DataFu's `SessionTests` input: (time, user_id, value), each user's sorted by time.
    fn session_input() -> Vec<(&'static str, i32, i32)> {
        vec![
            ("2010-01-01T01:00:00Z", 1, 10),
            ("2010-01-01T01:15:00Z", 1, 20),
            ("2010-01-01T01:31:00Z", 1, 10),
            ("2010-01-01T01:35:00Z", 1, 20),
            ("2010-01-01T02:30:00Z", 1, 30),
            ("2010-01-01T01:00:00Z", 2, 10),
            ("2010-01-01T01:31:00Z", 2, 20),
            ("2010-01-01T02:10:00Z", 2, 30),
            ("2010-01-01T02:40:30Z", 2, 40),
            ("2010-01-01T03:30:00Z", 2, 50),
            ("2010-01-01T01:00:00Z", 3, 10),
            ("2010-01-01T01:01:00Z", 3, 20),
            ("2010-01-01T01:02:00Z", 3, 5),
            ("2010-01-01T01:10:00Z", 3, 25),
            ("2010-01-01T01:15:00Z", 3, 50),
            ("2010-01-01T01:25:00Z", 3, 30),
            ("2010-01-01T01:30:00Z", 3, 15),
        ]
    }

    /// The number of sessions and each session's largest value, per user, as DataFu's
    /// test checks them.
    fn session_maxima(f: &Sessionize, as_long: bool) -> Vec<Vec<i32>> {
        let mut out = Vec::new();
        for user in 1..=3 {
            let rows: Vec<Tuple> = session_input()
                .into_iter()
                .filter(|r| r.1 == user)
                .map(|(t, u, v)| {
                    let time = if as_long {
                        Value::Long(crate::cast::parse_datetime(t).unwrap().timestamp_millis())
                    } else {
                        s(t)
                    };
                    vec![time, Value::Int(u), Value::Int(v)]
                })
                .collect();
            let Value::Bag(b) = f.eval(&[Value::Bag(Box::new(rows.into()))]).unwrap() else {
                panic!("not a bag");
            };
            let mut max: Vec<(String, i32)> = Vec::new();
            for t in b.iter() {
                let t = t.unwrap();
                let (Value::Int(v), Value::Chararray(id)) = (&t[2], &t[3]) else {
                    panic!("{t:?}");
                };
                match max.iter_mut().find(|(i, _)| i == id) {
                    Some(m) => m.1 = m.1.max(*v),
                    None => max.push((id.clone(), *v)),
                }
            }
            out.push(max.into_iter().map(|(_, v)| v).collect());
        }
        out
    }

    #[test]
    fn sessionize_datafu_example() {
        let f = Sessionize::with_args(&args(&["30m"])).unwrap();
        let want = vec![vec![20, 30], vec![10, 20, 30, 40, 50], vec![50]];
        assert_eq!(session_maxima(&f, false), want);
        assert_eq!(session_maxima(&f, true), want);
        let ty = PigType::Bag(Some(Schema::new(vec![
            Field::new("time", PigType::Chararray),
            Field::new("v", PigType::Int),
        ])));
        assert_eq!(
            f.return_type(&[ty]).unwrap().to_string(),
            "{(time: chararray,v: int,session_id: chararray)}"
        );
    }

    #[test]
    fn sessionize_timeouts_and_errors() {
        let ms = |spec: &str| Sessionize::with_args(&args(&[spec])).map(|s| s.millis);
        assert_eq!(ms("10m"), Ok(600_000));
        assert_eq!(ms("1H30M"), Ok(5_400_000));
        assert_eq!(ms("1.5s"), Ok(1500));
        assert!(ms("10").is_err());
        assert!(ms("1d").is_err());
        assert!(ms("m").is_err());
        assert!(ms("30m1h").is_err());
        let f = Sessionize::with_args(&args(&["10m"])).unwrap();
        let unsorted = bag(&[&[s("2010-01-01T02:00:00Z")], &[s("2010-01-01T01:00:00Z")]]);
        let err = f.eval(&[unsorted]).unwrap_err().to_string();
        assert!(err.contains("not sorted"), "{err}");
        assert!(f.eval(&[bag(&[&[s("yesterday")]])]).is_err());
        assert!(f.eval(&[bag(&[&[Value::Int(1)]])]).is_err());
        assert_eq!(f.eval(&[Value::Null]).unwrap(), Value::Null);
        let ints = PigType::Bag(Some(Schema::new(vec![Field::new("t", PigType::Int)])));
        assert!(f.return_type(&[ints]).is_err());
        let id = random_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
    }
    #[test]
    fn hyperloglog_counts_distinct_tuples() {
        let f = HyperLogLogPlusPlus::with_args(&[]).unwrap();
        assert_eq!(
            f.eval(&[ints(&[1, 2, 2, 3, 3, 3])]).unwrap(),
            Value::Long(3)
        );
        assert_eq!(f.eval(&[Value::Null]).unwrap(), Value::Long(0));
        let values: Vec<i32> = (0..100_000).chain(0..50_000).collect();
        for (p, bound) in [("14", 0.025), ("20", 0.004)] {
            let f = HyperLogLogPlusPlus::with_args(&args(&[p])).unwrap();
            let Value::Long(n) = f.eval(&[ints(&values)]).unwrap() else {
                panic!("not a long");
            };
            let err = (n as f64 - 100_000.0).abs() / 100_000.0;
            assert!(err < bound, "p={p}: {n}");
        }
        assert!(HyperLogLogPlusPlus::with_args(&args(&["3"])).is_err());
        assert!(HyperLogLogPlusPlus::with_args(&args(&["x"])).is_err());
        assert!(f.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn hyperloglog_algebraic_phases_agree_with_eval() {
        let f = HyperLogLogPlusPlus::with_args(&args(&["12"])).unwrap();
        let rows: Vec<i32> = (0..5000).map(|i| i % 3000).collect();
        let states: Vec<Tuple> = rows
            .chunks(700)
            .map(|c| {
                let bag: Bag = c.iter().map(|&i| vec![Value::Int(i)]).collect();
                vec![f.initial(&bag).unwrap()]
            })
            .collect();
        let (a, b) = states.split_at(3);
        let mid = f.intermediate(&Bag::from(a.to_vec())).unwrap();
        let mut last = b.to_vec();
        last.push(vec![mid]);
        let total = f.finalize(&Bag::from(last)).unwrap();
        assert_eq!(total, f.eval(&[ints(&rows)]).unwrap());
        let bad = Bag::from(vec![vec![Value::Bytearray(b"junk".to_vec())]]);
        assert!(f.finalize(&bad).is_err());
    }
    fn schema(fields: &[(&str, PigType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| Field::new(*n, t.clone()))
                .collect(),
        )
    }

    fn arg<'a>(ty: &'a PigType, name: Option<&'a str>, constant: Option<&'a Value>) -> CallArg<'a> {
        CallArg { ty, name, constant }
    }

    #[test]
    fn bag_group_documented_example() {
        let row = |k: i32, v: &str| vec![Value::Int(k), s(v)];
        let input = Value::Bag(Box::new(
            vec![
                row(1, "A"),
                row(1, "B"),
                row(2, "A"),
                row(2, "B"),
                row(2, "C"),
                row(3, "A"),
            ]
            .into(),
        ));
        let bag_ty = PigType::Bag(Some(schema(&[
            ("k", PigType::Int),
            ("v", PigType::Chararray),
        ])));
        let key_ty = PigType::Bag(Some(schema(&[("k", PigType::Int)])));
        let f = BagGroup::default()
            .bind(&[
                arg(&bag_ty, Some("input_bag"), None),
                arg(&key_ty, None, None),
            ])
            .unwrap()
            .unwrap();
        assert_eq!(
            f.return_type(&[bag_ty.clone(), key_ty])
                .unwrap()
                .to_string(),
            "{(group: int,input_bag: {(k: int,v: chararray)})}"
        );
        // The projection is not read when the keys are found by name.
        let out = f.eval(&[input.clone(), Value::Null]).unwrap();
        assert_eq!(
            out.to_string(),
            "{(1,{(1,A),(1,B)}),(2,{(2,A),(2,B),(2,C)}),(3,{(3,A)})}"
        );
        // Unbound, or with unnamed keys: the projection's tuples are the keys.
        let keys = ints(&[1, 1, 2, 2, 2, 3]);
        let unbound = BagGroup::default();
        assert_eq!(unbound.eval(&[input.clone(), keys]).unwrap(), out);
        assert!(unbound.eval(&[input, ints(&[1])]).is_err());
        assert_eq!(
            unbound.eval(&[Value::Null, Value::Null]).unwrap(),
            Value::Null
        );
        // Two keys make a tuple.
        let both = PigType::Bag(Some(schema(&[
            ("v", PigType::Chararray),
            ("k", PigType::Int),
        ])));
        let f2 = BagGroup::default()
            .bind(&[arg(&bag_ty, Some("b"), None), arg(&both, None, None)])
            .unwrap()
            .unwrap();
        let small = bag(&[&[Value::Int(1), s("A")], &[Value::Int(1), s("A")]]);
        assert_eq!(
            f2.eval(&[small, Value::Null]).unwrap().to_string(),
            "{((A,1),{(1,A),(1,A)})}"
        );
        assert_eq!(
            f2.return_type(&[bag_ty, both]).unwrap().to_string(),
            "{(group: (v: chararray,k: int),b: {(k: int,v: chararray)})}"
        );
    }

    fn join_types() -> (PigType, PigType) {
        (
            PigType::Bag(Some(schema(&[
                ("key1", PigType::Chararray),
                ("value1", PigType::Chararray),
            ]))),
            PigType::Bag(Some(schema(&[
                ("key2", PigType::Chararray),
                ("value2", PigType::Int),
            ]))),
        )
    }

    #[test]
    fn bag_left_outer_join_documented_example() {
        let (t1, t2) = join_types();
        let (k1, k2) = (s("key1"), s("key2"));
        let bound = BagJoin::left_outer()
            .bind(&[
                arg(&t1, Some("bag1"), None),
                arg(&PigType::Chararray, None, Some(&k1)),
                arg(&t2, Some("bag2"), None),
                arg(&PigType::Chararray, None, Some(&k2)),
            ])
            .unwrap()
            .unwrap();
        let types = [
            t1.clone(),
            PigType::Chararray,
            t2.clone(),
            PigType::Chararray,
        ];
        assert_eq!(
            bound.return_type(&types).unwrap().to_string(),
            "{(bag1::key1: chararray,bag1::value1: chararray,bag2::key2: chararray,bag2::value2: int)}"
        );
        let b1 = bag(&[&[s("a"), s("x")], &[s("b"), s("y")], &[s("c"), s("z")]]);
        let b2 = bag(&[
            &[s("a"), Value::Int(1)],
            &[s("c"), Value::Int(3)],
            &[s("a"), Value::Int(2)],
            &[s("d"), Value::Int(4)],
        ]);
        let out = bound
            .eval(&[b1.clone(), k1.clone(), b2.clone(), k2.clone()])
            .unwrap();
        assert_eq!(out.to_string(), "{(a,x,a,1),(a,x,a,2),(b,y,,),(c,z,c,3)}");
        let inner = BagJoin::with_args(&[])
            .unwrap()
            .bind(&[
                arg(&t1, Some("bag1"), None),
                arg(&PigType::Chararray, None, Some(&k1)),
                arg(&t2, Some("bag2"), None),
                arg(&PigType::Chararray, None, Some(&k2)),
            ])
            .unwrap()
            .unwrap();
        assert_eq!(
            inner
                .eval(&[b1.clone(), k1.clone(), b2.clone(), k2.clone()])
                .unwrap()
                .to_string(),
            "{(a,x,a,1),(a,x,a,2),(c,z,c,3)}"
        );
        let full = BagJoin::with_args(&args(&["full"]))
            .unwrap()
            .bind(&[
                arg(&t1, Some("bag1"), None),
                arg(&PigType::Chararray, None, Some(&k1)),
                arg(&t2, Some("bag2"), None),
                arg(&PigType::Chararray, None, Some(&k2)),
            ])
            .unwrap()
            .unwrap();
        assert_eq!(
            full.eval(&[b1.clone(), k1.clone(), b2, k2.clone()])
                .unwrap()
                .to_string(),
            "{(a,x,a,1),(a,x,a,2),(b,y,,),(c,z,c,3),(,,d,4)}"
        );
        assert!(bound.eval(&[b1, k1.clone(), Value::Null, k2]).is_err());
    }

    #[test]
    fn bag_join_binding_errors() {
        let (t1, _) = join_types();
        let k = s("nope");
        let lj = BagJoin::left_outer();
        let err = lj
            .bind(&[
                arg(&t1, Some("bag1"), None),
                arg(&PigType::Chararray, None, Some(&k)),
            ])
            .unwrap_err();
        assert!(err.contains("no field 'nope'"), "{err}");
        let err = lj
            .bind(&[
                arg(&t1, Some("bag1"), None),
                arg(&PigType::Chararray, Some("f"), None),
            ])
            .unwrap_err();
        assert!(err.contains("in quotes"), "{err}");
        let unknown = PigType::Bag(None);
        assert!(
            lj.bind(&[
                arg(&unknown, None, None),
                arg(&PigType::Chararray, None, Some(&k))
            ])
            .is_err()
        );
        assert!(lj.bind(&[arg(&t1, None, None)]).is_err());
        assert!(BagJoin::with_args(&args(&["outer"])).is_err());
        assert!(lj.eval(&[Value::Null, Value::Null]).is_err());
    }
}
