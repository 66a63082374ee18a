//! Aggregate built-ins: `COUNT`, `COUNT_STAR`, `SUM`, `AVG`, `MIN`, `MAX` (all algebraic),
//! and the statistics `COR` and `COV`.
//!
//! An aggregate's single argument is a bag whose tuples hold the value to aggregate in field
//! 0 (`SUM(B.x)` passes a bag of one-field tuples).

use std::cmp::Ordering;

use bigdecimal::BigDecimal;
use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::{as_f64, check_arity, compare, parse_java_double};
use crate::func::{Algebraic, EvalFunc, UdfError};
use crate::types::{Field, PigType, Schema};
use crate::value::{Bag, Tuple, Value};

/// The bag argument of an aggregate; `None` for a null bag.
fn bag_arg<'a>(name: &str, args: &'a [Value]) -> Result<Option<&'a Bag>, UdfError> {
    match args {
        [Value::Bag(b)] => Ok(Some(b)),
        [Value::Null] => Ok(None),
        [other] => Err(super::type_err(name, "a bag", other)),
        _ => Err(UdfError(format!(
            "{name} expects 1 argument, got {}",
            args.len()
        ))),
    }
}

/// The type of field 0 of the tuples of the bag argument (`bytearray` when unknown).
fn bag_elem_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    check_arity(name, args, 1, 1)?;
    match &args[0] {
        PigType::Bag(Some(s)) => Ok(s
            .fields
            .first()
            .map(|f| f.ty.clone())
            .unwrap_or(PigType::Bytearray)),
        PigType::Bag(None) => Ok(PigType::Bytearray),
        other => Err(super::bad_arg(name, 0, "a bag", other)),
    }
}

/// Calls `f` with the first field of each tuple of a bag, in order (null for an empty
/// tuple); a spilled bag is read back as it goes, never held whole.
fn each_first(bag: &Bag, mut f: impl FnMut(&Value)) -> Result<(), UdfError> {
    for t in bag.iter() {
        f(t?.first().unwrap_or(&Value::Null));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// COUNT / COUNT_STAR

fn count_non_null(bag: &Bag) -> Result<i64, UdfError> {
    let mut n = 0;
    each_first(bag, |v| n += i64::from(!matches!(v, Value::Null)))?;
    Ok(n)
}

fn sum_counts(states: &Bag) -> Result<Value, UdfError> {
    let mut sum = 0i64;
    each_first(states, |v| match v {
        Value::Long(n) => sum += *n,
        Value::Int(n) => sum += i64::from(*n),
        _ => {}
    })?;
    Ok(Value::Long(sum))
}

/// `COUNT(bag)`
///
/// ## What it does
/// Counts the tuples of a bag whose first field is not null, as a `long`. An empty bag
/// counts 0; a null bag gives null. Use `COUNT_STAR` to count tuples with null first fields
/// too.
///
/// ## Example
/// ```pig
/// A = LOAD 'data' AS (f1:int, f2:int);
/// B = GROUP A BY f1;
/// X = FOREACH B GENERATE group, COUNT(A);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Count;

impl EvalFunc for Count {
    fn name(&self) -> &str {
        "COUNT"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        bag_elem_type("COUNT", args).map(|_| PigType::Long)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        Ok(match bag_arg("COUNT", args)? {
            Some(b) => Value::Long(count_non_null(b)?),
            None => Value::Null,
        })
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for Count {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        Ok(Value::Long(count_non_null(bag)?))
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        sum_counts(states)
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        sum_counts(states)
    }
}

/// `COUNT_STAR(bag)`
///
/// ## What it does
/// Counts all the tuples of a bag, including those whose fields are null, as a `long`.
///
/// ## Example
/// ```pig
/// A = LOAD 'data' AS (f1:int, f2:int);
/// B = GROUP A ALL;
/// X = FOREACH B GENERATE COUNT_STAR(A);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct CountStar;

impl EvalFunc for CountStar {
    fn name(&self) -> &str {
        "COUNT_STAR"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        bag_elem_type("COUNT_STAR", args).map(|_| PigType::Long)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        Ok(match bag_arg("COUNT_STAR", args)? {
            Some(b) => Value::Long(b.len() as i64),
            None => Value::Null,
        })
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for CountStar {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        Ok(Value::Long(bag.len() as i64))
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        sum_counts(states)
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        sum_counts(states)
    }
}

// ---------------------------------------------------------------------------------------
// SUM

/// A running sum, typed as Pig types the result.
#[derive(Debug, Clone)]
enum Acc {
    Empty,
    Long(i64),
    Double(f64),
    BigInt(BigInt),
    BigDec(BigDecimal),
}

impl Acc {
    fn add(&mut self, v: &Value) {
        let cur = std::mem::replace(self, Acc::Empty);
        *self = match (cur, v) {
            (cur, Value::Null) => cur,
            (Acc::Empty, Value::Int(i)) => Acc::Long(i64::from(*i)),
            (Acc::Empty, Value::Long(l)) => Acc::Long(*l),
            (Acc::Long(s), Value::Int(i)) => Acc::Long(s.wrapping_add(i64::from(*i))),
            (Acc::Long(s), Value::Long(l)) => Acc::Long(s.wrapping_add(*l)),
            (Acc::Empty, Value::BigInteger(b)) => Acc::BigInt((**b).clone()),
            (Acc::BigInt(s), Value::BigInteger(b)) => Acc::BigInt(s + &**b),
            (Acc::Empty, Value::BigDecimal(b)) => Acc::BigDec((**b).clone()),
            (Acc::BigDec(s), Value::BigDecimal(b)) => Acc::BigDec(s + &**b),
            (Acc::BigDec(s), Value::BigInteger(b)) => {
                Acc::BigDec(s + BigDecimal::from((**b).clone()))
            }
            (Acc::BigInt(s), Value::BigDecimal(b)) => Acc::BigDec(BigDecimal::from(s) + &**b),
            (cur, other) => match as_f64(other) {
                // Floats, doubles and untyped bytes sum as doubles.
                Some(d) => Acc::Double(cur.as_f64().unwrap_or(0.0) + d),
                None => cur,
            },
        };
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Acc::Empty => None,
            Acc::Long(l) => Some(*l as f64),
            Acc::Double(d) => Some(*d),
            Acc::BigInt(b) => b.to_f64(),
            Acc::BigDec(b) => b.to_f64(),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Acc::Empty => Value::Null,
            Acc::Long(l) => Value::Long(l),
            Acc::Double(d) => Value::Double(d),
            Acc::BigInt(b) => Value::BigInteger(Box::new(b)),
            Acc::BigDec(b) => Value::BigDecimal(Box::new(b)),
        }
    }
}

fn sum_of(bag: &Bag) -> Result<Acc, UdfError> {
    let mut acc = Acc::Empty;
    each_first(bag, |v| acc.add(v))?;
    Ok(acc)
}

/// `SUM(bag)`
///
/// ## What it does
/// Adds up the first field of the tuples of a bag, skipping nulls. Ints and longs sum to a
/// `long`, floats and doubles to a `double`, untyped (bytearray) values are cast to double;
/// `biginteger` and `bigdecimal` keep their type. An empty bag, or one of only nulls, gives
/// null.
///
/// ## Example
/// ```pig
/// A = LOAD 'data' AS (owner:chararray, pet_type:chararray, pet_num:int);
/// B = GROUP A BY owner;
/// X = FOREACH B GENERATE group, SUM(A.pet_num);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Sum;

impl EvalFunc for Sum {
    fn name(&self) -> &str {
        "SUM"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        match bag_elem_type("SUM", args)? {
            PigType::Int | PigType::Long => Ok(PigType::Long),
            PigType::Float | PigType::Double | PigType::Bytearray => Ok(PigType::Double),
            t @ (PigType::BigInteger | PigType::BigDecimal) => Ok(t),
            t => Err(format!("SUM: cannot sum values of type {t}")),
        }
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        Ok(match bag_arg("SUM", args)? {
            Some(b) => sum_of(b)?.into_value(),
            None => Value::Null,
        })
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for Sum {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        Ok(sum_of(bag)?.into_value())
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(sum_of(states)?.into_value())
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        Ok(sum_of(states)?.into_value())
    }
}

// ---------------------------------------------------------------------------------------
// AVG: the partial state is the tuple (sum, count).

fn avg_state(bag: &Bag) -> Result<Value, UdfError> {
    let mut acc = Acc::Empty;
    let mut n = 0i64;
    each_first(bag, |v| {
        if summable(v) {
            acc.add(v);
            n += 1;
        }
    })?;
    Ok(Value::Tuple(Box::new(vec![
        acc.into_value(),
        Value::Long(n),
    ])))
}

/// Whether SUM/AVG can add this value (nulls and bytes that are not numbers are skipped).
fn summable(v: &Value) -> bool {
    match v {
        Value::Int(_)
        | Value::Long(_)
        | Value::Float(_)
        | Value::Double(_)
        | Value::BigInteger(_)
        | Value::BigDecimal(_) => true,
        Value::Bytearray(_) | Value::Chararray(_) => as_f64(v).is_some(),
        _ => false,
    }
}

fn merge_avg_states(states: &Bag) -> Result<(Acc, i64), UdfError> {
    let mut acc = Acc::Empty;
    let mut n = 0i64;
    each_first(states, |v| {
        if let Value::Tuple(t) = v {
            if let Some(s) = t.first() {
                acc.add(s);
            }
            if let Some(Value::Long(c)) = t.get(1) {
                n += c;
            }
        }
    })?;
    Ok((acc, n))
}

fn avg_result(acc: Acc, n: i64) -> Value {
    if n == 0 {
        return Value::Null;
    }
    match acc {
        Acc::Empty => Value::Null,
        Acc::BigInt(b) => Value::BigDecimal(Box::new(
            (BigDecimal::from(b) / BigDecimal::from(n)).with_prec(34),
        )),
        Acc::BigDec(b) => Value::BigDecimal(Box::new((b / BigDecimal::from(n)).with_prec(34))),
        other => match other.as_f64() {
            Some(s) => Value::Double(s / n as f64),
            None => Value::Null,
        },
    }
}

/// `AVG(bag)`
///
/// ## What it does
/// The average of the first field of the tuples of a bag, skipping nulls, as a `double`
/// (`bigdecimal` for `biginteger` and `bigdecimal` values). Untyped values are cast to
/// double. An empty bag, or one of only nulls, gives null.
///
/// ## Example
/// ```pig
/// A = LOAD 'student.txt' AS (name:chararray, term:chararray, gpa:float);
/// B = GROUP A BY name;
/// C = FOREACH B GENERATE group, AVG(A.gpa);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Avg;

impl EvalFunc for Avg {
    fn name(&self) -> &str {
        "AVG"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        match bag_elem_type("AVG", args)? {
            PigType::Int
            | PigType::Long
            | PigType::Float
            | PigType::Double
            | PigType::Bytearray => Ok(PigType::Double),
            PigType::BigInteger | PigType::BigDecimal => Ok(PigType::BigDecimal),
            t => Err(format!("AVG: cannot average values of type {t}")),
        }
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        let Some(b) = bag_arg("AVG", args)? else {
            return Ok(Value::Null);
        };
        let state = Bag::from(vec![vec![avg_state(b)?]]);
        let (acc, n) = merge_avg_states(&state)?;
        Ok(avg_result(acc, n))
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for Avg {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        avg_state(bag)
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        let (acc, n) = merge_avg_states(states)?;
        Ok(Value::Tuple(Box::new(vec![
            acc.into_value(),
            Value::Long(n),
        ])))
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        let (acc, n) = merge_avg_states(states)?;
        Ok(avg_result(acc, n))
    }
}

// ---------------------------------------------------------------------------------------
// MIN / MAX

/// The value MIN/MAX compares: untyped bytes are cast to double (null when not a number).
fn min_max_value(v: &Value) -> Value {
    match v {
        Value::Bytearray(b) => match parse_java_double(String::from_utf8_lossy(b).trim()) {
            Some(d) => Value::Double(d),
            None => Value::Null,
        },
        other => other.clone(),
    }
}

fn extreme(bag: &Bag, want: Ordering) -> Result<Value, UdfError> {
    let mut best = Value::Null;
    each_first(bag, |v| {
        let v = min_max_value(v);
        if !matches!(v, Value::Null) && (matches!(best, Value::Null) || compare(&v, &best) == want)
        {
            best = v;
        }
    })?;
    Ok(best)
}

fn min_max_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    match bag_elem_type(name, args)? {
        PigType::Bytearray => Ok(PigType::Double),
        t if t.is_numeric() || matches!(t, PigType::Chararray | PigType::Datetime) => Ok(t),
        t => Err(format!("{name}: cannot compare values of type {t}")),
    }
}

/// `MAX(bag)`
///
/// ## What it does
/// The largest first field of the tuples of a bag, skipping nulls. Numbers, chararrays and
/// datetimes keep their type; untyped values are cast to double. An empty bag, or one of
/// only nulls, gives null.
///
/// ## Example
/// ```pig
/// A = LOAD 'student' AS (name:chararray, session:chararray, gpa:float);
/// B = GROUP A BY name;
/// X = FOREACH B GENERATE group, MAX(A.gpa);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Max;

impl EvalFunc for Max {
    fn name(&self) -> &str {
        "MAX"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        min_max_type("MAX", args)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        Ok(match bag_arg("MAX", args)? {
            Some(b) => extreme(b, Ordering::Greater)?,
            None => Value::Null,
        })
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for Max {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        extreme(bag, Ordering::Greater)
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        extreme(states, Ordering::Greater)
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        extreme(states, Ordering::Greater)
    }
}

/// `MIN(bag)`
///
/// ## What it does
/// The smallest first field of the tuples of a bag, skipping nulls. Numbers, chararrays and
/// datetimes keep their type; untyped values are cast to double. An empty bag, or one of
/// only nulls, gives null.
///
/// ## Example
/// ```pig
/// A = LOAD 'student' AS (name:chararray, session:chararray, gpa:float);
/// B = GROUP A BY name;
/// X = FOREACH B GENERATE group, MIN(A.gpa);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Min;

impl EvalFunc for Min {
    fn name(&self) -> &str {
        "MIN"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        min_max_type("MIN", args)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        Ok(match bag_arg("MIN", args)? {
            Some(b) => extreme(b, Ordering::Less)?,
            None => Value::Null,
        })
    }
    fn is_aggregate(&self) -> bool {
        true
    }
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        Some(self)
    }
}

impl Algebraic for Min {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        extreme(bag, Ordering::Less)
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        extreme(states, Ordering::Less)
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        extreme(states, Ordering::Less)
    }
}

// ---------------------------------------------------------------------------------------
// COR / COV

/// The sums over paired values of two bags: (n, Σxy, Σx, Σy, Σx², Σy²); `None` when a value
/// is not a number.
fn pair_sums(x: &[Tuple], y: &[Tuple]) -> Option<[f64; 6]> {
    fn first(t: &Tuple) -> &Value {
        t.first().unwrap_or(&Value::Null)
    }
    let mut s = [0.0f64; 6];
    for (a, b) in x.iter().map(first).zip(y.iter().map(first)) {
        let (a, b) = (as_f64(a)?, as_f64(b)?);
        s[0] += 1.0;
        s[1] += a * b;
        s[2] += a;
        s[3] += b;
        s[4] += a * a;
        s[5] += b * b;
    }
    Some(s)
}

fn pairwise(name: &str, args: &[Value], stat: fn(&[f64; 6]) -> f64) -> Result<Value, UdfError> {
    let mut bags = Vec::with_capacity(args.len());
    for a in args {
        match a {
            Value::Bag(b) => bags.push(b.tuples()?),
            Value::Null => return Ok(Value::Null),
            other => return Err(super::type_err(name, "a bag", other)),
        }
    }
    let mut out = Vec::new();
    for i in 0..bags.len() {
        for j in i + 1..bags.len() {
            let Some(s) = pair_sums(&bags[i], &bags[j]) else {
                return Ok(Value::Null);
            };
            out.push(vec![
                Value::Chararray(format!("var{i}")),
                Value::Chararray(format!("var{j}")),
                Value::Double(stat(&s)),
            ]);
        }
    }
    Ok(Value::Bag(Box::new(Bag::from(out))))
}

fn pairwise_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    check_arity(name, args, 2, usize::MAX)?;
    for (i, a) in args.iter().enumerate() {
        if !matches!(a, PigType::Bag(_)) {
            return Err(super::bad_arg(name, i, "a bag", a));
        }
    }
    Ok(PigType::Bag(Some(Schema::new(vec![
        Field::unnamed(PigType::Chararray),
        Field::unnamed(PigType::Chararray),
        Field::unnamed(PigType::Double),
    ]))))
}

fn correlation(s: &[f64; 6]) -> f64 {
    let [n, sxy, sx, sy, sxx, syy] = *s;
    (n * sxy - sx * sy) / ((n * sxx - sx * sx) * (n * syy - sy * sy)).sqrt()
}

fn covariance(s: &[f64; 6]) -> f64 {
    let [n, sxy, sx, sy, _, _] = *s;
    (n * sxy - sx * sy) / (n * n)
}

/// `COR(bag1, bag2, ...)`
///
/// ## What it does
/// The Pearson correlation of each pair of bags of numbers (the first field of each bag's
/// tuples, paired in order). Gives a bag of `(var_i, var_j, correlation)` tuples, one per
/// pair `i < j`, where `var_i` names the i-th argument (from 0).
///
/// ## Example
/// ```pig
/// A = LOAD 'input' AS (x:double, y:double, z:double);
/// B = GROUP A ALL;
/// D = FOREACH B GENERATE group, COR(A.x, A.y, A.z);
/// -- (all,{(var0,var1,0.9),(var0,var2,...),(var1,var2,...)})
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Cor;

impl EvalFunc for Cor {
    fn name(&self) -> &str {
        "COR"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        pairwise_type("COR", args)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        pairwise("COR", args, correlation)
    }
}

/// `COV(bag1, bag2, ...)`
///
/// ## What it does
/// The (population) covariance of each pair of bags of numbers (the first field of each
/// bag's tuples, paired in order): `(n·Σxy − Σx·Σy) / n²`. Gives a bag of
/// `(var_i, var_j, covariance)` tuples, one per pair `i < j`.
///
/// ## Example
/// ```pig
/// A = LOAD 'input' AS (x:double, y:double);
/// B = GROUP A ALL;
/// D = FOREACH B GENERATE group, COV(A.x, A.y);
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct Cov;

impl EvalFunc for Cov {
    fn name(&self) -> &str {
        "COV"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        pairwise_type("COV", args)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        pairwise("COV", args, covariance)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(values: Vec<Value>) -> Value {
        Value::Bag(Box::new(values.into_iter().map(|v| vec![v]).collect()))
    }
    fn rows(v: Value) -> Bag {
        match v {
            Value::Bag(b) => *b,
            other => panic!("{other:?}"),
        }
    }
    fn bag_ty(t: PigType) -> PigType {
        PigType::Bag(Some(Schema::new(vec![Field::new("x", t)])))
    }
    /// Runs the algebraic phases: one initial per row, an intermediate over halves, a final.
    fn algebraic(f: &dyn EvalFunc, input: &Value) -> Value {
        let alg = f.algebraic().unwrap();
        let rows = rows(input.clone());
        let states: Vec<Value> = rows
            .in_memory()
            .iter()
            .map(|r| alg.initial(&Bag::from(vec![r.clone()])).unwrap())
            .collect();
        let mid = states.len() / 2;
        let a = alg
            .intermediate(
                &states[..mid]
                    .iter()
                    .map(|s| vec![s.clone()])
                    .collect::<Bag>(),
            )
            .unwrap();
        let b = alg
            .intermediate(
                &states[mid..]
                    .iter()
                    .map(|s| vec![s.clone()])
                    .collect::<Bag>(),
            )
            .unwrap();
        alg.finalize(&Bag::from(vec![vec![a], vec![b]])).unwrap()
    }

    #[test]
    fn count_and_count_star() {
        let b = Value::Bag(Box::new(crate::bag::Bag::from(vec![
            vec![Value::Int(1), Value::Int(1)],
            vec![Value::Null, Value::Int(2)],
            vec![Value::Int(3), Value::Null],
            vec![Value::Null, Value::Null],
        ])));
        assert!(matches!(
            Count.eval(std::slice::from_ref(&b)).unwrap(),
            Value::Long(2)
        ));
        assert!(matches!(
            CountStar.eval(std::slice::from_ref(&b)).unwrap(),
            Value::Long(4)
        ));
        assert!(matches!(algebraic(&Count, &b), Value::Long(2)));
        assert!(matches!(algebraic(&CountStar, &b), Value::Long(4)));
        assert!(matches!(
            Count.eval(&[bag(vec![])]).unwrap(),
            Value::Long(0)
        ));
        assert!(matches!(Count.eval(&[Value::Null]).unwrap(), Value::Null));
        assert!(Count.eval(&[Value::Int(1)]).is_err());
        assert!(Count.is_aggregate() && CountStar.is_aggregate());
        assert_eq!(Count.return_type(&[PigType::Bag(None)]), Ok(PigType::Long));
        assert!(Count.return_type(&[PigType::Int]).is_err());
        assert!(CountStar.return_type(&[]).is_err());
    }

    #[test]
    fn sum() {
        let ints = bag(vec![
            Value::Int(1),
            Value::Int(5),
            Value::Null,
            Value::Int(2),
        ]);
        assert!(matches!(
            Sum.eval(std::slice::from_ref(&ints)).unwrap(),
            Value::Long(8)
        ));
        assert!(matches!(algebraic(&Sum, &ints), Value::Long(8)));
        let floats = bag(vec![Value::Float(0.5), Value::Float(0.25)]);
        assert!(matches!(Sum.eval(&[floats]).unwrap(), Value::Double(d) if d == 0.75));
        let bytes = bag(vec![
            Value::Bytearray(b"1.5".to_vec()),
            Value::Bytearray(b"2".to_vec()),
        ]);
        assert!(
            matches!(Sum.eval(std::slice::from_ref(&bytes)).unwrap(), Value::Double(d) if d == 3.5)
        );
        assert!(matches!(algebraic(&Sum, &bytes), Value::Double(d) if d == 3.5));
        assert!(matches!(
            Sum.eval(&[bag(vec![Value::Null])]).unwrap(),
            Value::Null
        ));
        assert!(matches!(Sum.eval(&[bag(vec![])]).unwrap(), Value::Null));
        let big = bag(vec![
            Value::BigInteger(Box::new(BigInt::from(2))),
            Value::BigInteger(Box::new(BigInt::from(3))),
        ]);
        assert!(matches!(Sum.eval(&[big]).unwrap(), Value::BigInteger(b) if *b == BigInt::from(5)));
        assert_eq!(Sum.return_type(&[bag_ty(PigType::Int)]), Ok(PigType::Long));
        assert_eq!(
            Sum.return_type(&[bag_ty(PigType::Float)]),
            Ok(PigType::Double)
        );
        assert_eq!(Sum.return_type(&[PigType::Bag(None)]), Ok(PigType::Double));
        assert_eq!(
            Sum.return_type(&[bag_ty(PigType::BigDecimal)]),
            Ok(PigType::BigDecimal)
        );
        assert!(Sum.return_type(&[bag_ty(PigType::Chararray)]).is_err());
        assert!(Sum.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn avg() {
        let gpas = bag([3.9f32, 3.7, 4.0, 3.8]
            .into_iter()
            .map(Value::Float)
            .collect());
        assert!(
            matches!(Avg.eval(std::slice::from_ref(&gpas)).unwrap(), Value::Double(d) if d == 3.850000023841858)
        );
        assert!(matches!(algebraic(&Avg, &gpas), Value::Double(d) if d == 3.850000023841858));
        let ints = bag(vec![Value::Int(1), Value::Null, Value::Int(2)]);
        assert!(
            matches!(Avg.eval(std::slice::from_ref(&ints)).unwrap(), Value::Double(d) if d == 1.5)
        );
        assert!(matches!(algebraic(&Avg, &ints), Value::Double(d) if d == 1.5));
        assert!(matches!(
            Avg.eval(&[bag(vec![Value::Null])]).unwrap(),
            Value::Null
        ));
        assert!(matches!(Avg.eval(&[bag(vec![])]).unwrap(), Value::Null));
        let bytes = bag(vec![
            Value::Bytearray(b"1".to_vec()),
            Value::Bytearray(b"x".to_vec()),
        ]);
        assert!(matches!(Avg.eval(&[bytes]).unwrap(), Value::Double(d) if d == 1.0));
        assert_eq!(
            Avg.return_type(&[bag_ty(PigType::Int)]),
            Ok(PigType::Double)
        );
        assert_eq!(
            Avg.return_type(&[bag_ty(PigType::BigInteger)]),
            Ok(PigType::BigDecimal)
        );
        assert!(Avg.return_type(&[bag_ty(PigType::Datetime)]).is_err());
    }

    #[test]
    fn min_max() {
        let gpas = bag(vec![
            Value::Float(3.9),
            Value::Null,
            Value::Float(4.0),
            Value::Float(3.7),
        ]);
        assert!(
            matches!(Max.eval(std::slice::from_ref(&gpas)).unwrap(), Value::Float(f) if f == 4.0)
        );
        assert!(
            matches!(Min.eval(std::slice::from_ref(&gpas)).unwrap(), Value::Float(f) if f == 3.7)
        );
        assert!(matches!(algebraic(&Max, &gpas), Value::Float(f) if f == 4.0));
        assert!(matches!(algebraic(&Min, &gpas), Value::Float(f) if f == 3.7));
        let names = bag(vec![
            Value::Chararray("bob".into()),
            Value::Chararray("al".into()),
        ]);
        assert!(matches!(Min.eval(&[names]).unwrap(), Value::Chararray(s) if s == "al"));
        let bytes = bag(vec![
            Value::Bytearray(b"10".to_vec()),
            Value::Bytearray(b"9".to_vec()),
        ]);
        assert!(matches!(Max.eval(&[bytes]).unwrap(), Value::Double(d) if d == 10.0));
        assert!(matches!(Max.eval(&[bag(vec![])]).unwrap(), Value::Null));
        assert!(matches!(Min.eval(&[Value::Null]).unwrap(), Value::Null));
        assert_eq!(
            Max.return_type(&[bag_ty(PigType::Float)]),
            Ok(PigType::Float)
        );
        assert_eq!(Max.return_type(&[PigType::Bag(None)]), Ok(PigType::Double));
        assert_eq!(
            Min.return_type(&[bag_ty(PigType::Chararray)]),
            Ok(PigType::Chararray)
        );
        assert!(Min.return_type(&[bag_ty(PigType::Map(None))]).is_err());
    }

    #[test]
    fn cor_cov() {
        let x = bag(vec![
            Value::Double(1.0),
            Value::Double(2.0),
            Value::Double(3.0),
        ]);
        let y = bag(vec![
            Value::Double(2.0),
            Value::Double(4.0),
            Value::Double(6.0),
        ]);
        let r = rows(Cor.eval(&[x.clone(), y.clone()]).unwrap());
        assert_eq!(r.len(), 1);
        assert!(matches!(&r.in_memory()[0][0], Value::Chararray(s) if s == "var0"));
        assert!(matches!(r.in_memory()[0][2], Value::Double(d) if (d - 1.0).abs() < 1e-12));
        let r = rows(Cov.eval(&[x.clone(), y.clone(), x.clone()]).unwrap());
        assert_eq!(r.len(), 3);
        // Population covariance of x and 2x: 2 * var(x) = 2 * 2/3.
        assert!(matches!(r.in_memory()[0][2], Value::Double(d) if (d - 4.0 / 3.0).abs() < 1e-12));
        assert!(matches!(
            Cor.eval(&[x.clone(), Value::Null]).unwrap(),
            Value::Null
        ));
        assert!(Cor.eval(&[x, Value::Int(1)]).is_err());
        assert!(Cor.return_type(&[PigType::Bag(None)]).is_err());
        assert!(
            Cov.return_type(&[PigType::Bag(None), PigType::Int])
                .is_err()
        );
    }
}
