//! Pig's algebraic aggregates as DataFusion aggregate functions ([`PigUdaf`]), for the
//! aggregates DataFusion has no exact equivalent of (see `lower::aggregate`): the map-side
//! partial aggregation (combiner) and the merge after the shuffle, one row at a time.
//!
//! COUNT, COUNT_STAR, SUM, AVG, MIN and MAX of Pig's numeric types have native accumulators;
//! any other algebraic function goes through its [`Algebraic`] phases (initial on each row,
//! intermediate to combine, final after the shuffle).
//!
//! [`Algebraic`]: pigrs_udf::func::Algebraic

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::{Accumulator, AggregateUDFImpl, Signature, Volatility};
use pigrs_planner::logical::AggCall;
use pigrs_udf::func::UdfError;
use pigrs_udf::value::compare;
use pigrs_udf::{Bag, PigType, Tuple, Value, arrow_layout, cast, codec};

use crate::layout::decode_tuple;

/// The running state of one aggregate for one key.
#[derive(Clone, Debug)]
pub enum Acc {
    /// COUNT: tuples whose first field is not null.
    Count(i64),
    /// COUNT_STAR: all tuples.
    CountStar(i64),
    /// SUM giving a long.
    SumLong(Option<i64>),
    /// SUM giving a double.
    SumDouble(Option<f64>),
    /// AVG giving a double.
    Avg {
        /// Sum of the non-null values.
        sum: f64,
        /// How many there were.
        count: i64,
    },
    /// MIN (`true`) or MAX of values cast to the result type.
    Extreme {
        /// MIN rather than MAX.
        min: bool,
        /// The best value so far.
        best: Value,
    },
    /// Any other algebraic function: its partial states, merged into one when there are
    /// `merge_at` of them.
    Generic {
        /// The partial states not merged yet.
        states: Vec<Value>,
        /// How many states trigger a merge: it doubles after each merge (up to
        /// [`MAX_PENDING_STATES`]), so a state that grows with its input (a sketch, a
        /// sample) is rewritten a logarithmic number of times, not once per 64 rows.
        merge_at: usize,
    },
}

/// How many partial states a generic accumulator gathers before its first merge.
const FIRST_MERGE_AT: usize = 64;
/// The most partial states a generic accumulator holds unmerged.
const MAX_PENDING_STATES: usize = 4096;

impl Acc {
    /// A fresh accumulator for `agg`.
    pub fn new(agg: &AggCall) -> Acc {
        let scalar_result = !agg.ty.is_complex() && agg.ty != PigType::Bytearray;
        match (agg.func.name(), &agg.ty) {
            ("COUNT", _) => Acc::Count(0),
            ("COUNT_STAR", _) => Acc::CountStar(0),
            ("SUM", PigType::Long) => Acc::SumLong(None),
            ("SUM", PigType::Double) => Acc::SumDouble(None),
            ("AVG", PigType::Double) => Acc::Avg { sum: 0.0, count: 0 },
            ("MIN", _) if scalar_result => Acc::Extreme {
                min: true,
                best: Value::Null,
            },
            ("MAX", _) if scalar_result => Acc::Extreme {
                min: false,
                best: Value::Null,
            },
            _ => Acc::Generic {
                states: Vec::new(),
                merge_at: FIRST_MERGE_AT,
            },
        }
    }

    /// Adds one input tuple (the tuple the aggregate's bag would hold).
    pub fn update(&mut self, agg: &AggCall, tuple: &[Value]) -> Result<(), UdfError> {
        let first = tuple.first().unwrap_or(&Value::Null);
        match self {
            Acc::Count(n) => *n += i64::from(!first.is_null()),
            Acc::CountStar(n) => *n += 1,
            Acc::SumLong(s) => {
                if let Some(v) = as_i64(first) {
                    *s = Some(s.unwrap_or(0).wrapping_add(v));
                }
            }
            Acc::SumDouble(s) => {
                if let Some(v) = as_f64(first) {
                    *s = Some(s.unwrap_or(0.0) + v);
                }
            }
            Acc::Avg { sum, count } => {
                if let Some(v) = as_f64(first) {
                    *sum += v;
                    *count += 1;
                }
            }
            Acc::Extreme { min, best } => {
                if first.is_null() {
                    return Ok(());
                }
                let v = if first.pig_type().as_ref() == Some(&agg.ty) {
                    first.clone()
                } else {
                    match cast::cast(first, &agg.ty) {
                        Ok(v) => v,
                        Err(_) => return Ok(()),
                    }
                };
                if better(&v, best, *min) {
                    *best = v;
                }
            }
            Acc::Generic { .. } => return self.update_many(agg, &[tuple.to_vec()]),
        }
        Ok(())
    }

    /// Adds input tuples: an algebraic function's initial phase runs once for all of them
    /// ([`Algebraic::initial_batch`](pigrs_udf::func::Algebraic::initial_batch)).
    pub fn update_many(&mut self, agg: &AggCall, tuples: &[Tuple]) -> Result<(), UdfError> {
        let Acc::Generic { states, merge_at } = self else {
            return tuples.iter().try_for_each(|t| self.update(agg, t));
        };
        let alg = algebraic(agg)?;
        states.extend(alg.initial_batch(tuples)?);
        if states.len() >= *merge_at {
            let merged = alg.intermediate(&states.drain(..).map(|s| vec![s]).collect::<Bag>())?;
            states.push(merged);
            *merge_at = (*merge_at * 2).min(MAX_PENDING_STATES);
        }
        Ok(())
    }

    /// The partial state to send through the shuffle.
    pub fn state(&self, agg: &AggCall) -> Result<Value, UdfError> {
        Ok(match self {
            Acc::Count(n) | Acc::CountStar(n) => Value::Long(*n),
            Acc::SumLong(s) => s.map_or(Value::Null, Value::Long),
            Acc::SumDouble(s) => s.map_or(Value::Null, Value::Double),
            Acc::Avg { sum, count } => {
                Value::Tuple(Box::new(vec![Value::Double(*sum), Value::Long(*count)]))
            }
            Acc::Extreme { best, .. } => best.clone(),
            Acc::Generic { states, .. } => {
                algebraic(agg)?.intermediate(&states.iter().map(|s| vec![s.clone()]).collect())?
            }
        })
    }

    /// Merges a partial state made by [`Acc::state`].
    pub fn merge(&mut self, state: Value) {
        match (self, state) {
            (Acc::Count(n) | Acc::CountStar(n), Value::Long(m)) => *n += m,
            (Acc::SumLong(s), Value::Long(m)) => *s = Some(s.unwrap_or(0).wrapping_add(m)),
            (Acc::SumDouble(s), Value::Double(m)) => *s = Some(s.unwrap_or(0.0) + m),
            (Acc::Avg { sum, count }, Value::Tuple(t)) => {
                if let [Value::Double(s), Value::Long(c)] = t.as_slice() {
                    *sum += s;
                    *count += c;
                }
            }
            (Acc::Extreme { min, best }, v) if !v.is_null() && better(&v, best, *min) => *best = v,
            (Acc::Generic { states, .. }, v) => states.push(v),
            _ => {}
        }
    }

    /// The aggregate's result.
    pub fn finish(self, agg: &AggCall) -> Result<Value, UdfError> {
        Ok(match self {
            Acc::Count(n) | Acc::CountStar(n) => Value::Long(n),
            Acc::SumLong(s) => s.map_or(Value::Null, Value::Long),
            Acc::SumDouble(s) => s.map_or(Value::Null, Value::Double),
            Acc::Avg { sum, count } => {
                if count == 0 {
                    Value::Null
                } else {
                    Value::Double(sum / count as f64)
                }
            }
            Acc::Extreme { best, .. } => best,
            Acc::Generic { states, .. } => {
                algebraic(agg)?.finalize(&states.into_iter().map(|s| vec![s]).collect())?
            }
        })
    }
}

fn algebraic(agg: &AggCall) -> Result<&dyn pigrs_udf::func::Algebraic, UdfError> {
    agg.func
        .algebraic()
        .ok_or_else(|| UdfError(format!("{} is not algebraic", agg.func.name())))
}

fn better(v: &Value, best: &Value, min: bool) -> bool {
    if best.is_null() {
        return true;
    }
    let o = compare(v, best);
    if min {
        o == Ordering::Less
    } else {
        o == Ordering::Greater
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(i64::from(*i)),
        Value::Long(l) => Some(*l),
        Value::Null => None,
        other => match cast::cast(other, &PigType::Long) {
            Ok(Value::Long(l)) => Some(l),
            _ => None,
        },
    }
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(f64::from(*i)),
        Value::Long(l) => Some(*l as f64),
        Value::Float(f) => Some(f64::from(*f)),
        Value::Double(d) => Some(*d),
        Value::Null => None,
        other => match cast::cast(other, &PigType::Double) {
            Ok(Value::Double(d)) => Some(d),
            _ => None,
        },
    }
}

/// A Pig algebraic aggregate as a DataFusion aggregate function. Its arguments are the
/// columns making the tuples of the bag it aggregates (or one column of encoded whole rows,
/// for a relation of unknown schema); its state is one binary column holding the encoded
/// partial state ([`Acc::state`]), so any algebraic function, built-in or a plugin's,
/// crosses the shuffle the same way.
#[derive(Debug)]
pub struct PigUdaf {
    agg: AggCall,
    /// The Pig types of the argument columns (empty: one column of encoded rows).
    arg_types: Vec<PigType>,
    name: String,
    signature: Signature,
}

impl PigUdaf {
    /// The aggregate `agg` over argument columns of `arg_types` (`None`: one binary column
    /// of encoded whole rows).
    pub fn new(agg: AggCall, arg_types: Option<Vec<PigType>>) -> Self {
        PigUdaf {
            name: format!("pig_{}", agg.func.name()),
            agg,
            arg_types: arg_types.unwrap_or_default(),
            signature: Signature::variadic_any(Volatility::Immutable),
        }
    }
}

impl PartialEq for PigUdaf {
    fn eq(&self, other: &Self) -> bool {
        self.agg.func.ptr_eq(&other.agg.func)
            && self.agg.ty == other.agg.ty
            && self.arg_types == other.arg_types
    }
}

impl Eq for PigUdaf {}

impl Hash for PigUdaf {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.agg.ty.to_string().hash(state);
    }
}

impl AggregateUDFImpl for PigUdaf {
    fn name(&self) -> &str {
        &self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> DFResult<DataType> {
        Ok(arrow_layout::arrow_type(&self.agg.ty))
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> DFResult<Box<dyn Accumulator>> {
        Ok(Box::new(PigAccumulator {
            acc: Acc::new(&self.agg),
            agg: self.agg.clone(),
            arg_types: self.arg_types.clone(),
        }))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> DFResult<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format!("{}[state]", args.name),
            DataType::Binary,
            true,
        ))])
    }
}

/// The running state of one [`PigUdaf`] for one key.
#[derive(Debug)]
struct PigAccumulator {
    acc: Acc,
    agg: AggCall,
    arg_types: Vec<PigType>,
}

impl PigAccumulator {
    fn fail(&self, e: UdfError) -> DataFusionError {
        let err = crate::eval::call_error(&**self.agg.func.instance(), None, &e, self.agg.span);
        DataFusionError::External(Box::new(err))
    }
}

impl Accumulator for PigAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DFResult<()> {
        let rows = values.first().map_or(0, |a| a.len());
        let mut tuple = Vec::with_capacity(values.len());
        // An algebraic function's initial phase runs once for the batch's tuples.
        let mut batch: Option<Vec<Tuple>> =
            matches!(self.acc, Acc::Generic { .. }).then(|| Vec::with_capacity(rows));
        for i in 0..rows {
            tuple.clear();
            if self.arg_types.is_empty() {
                // Rows of unknown schema, encoded whole: the bag's tuples are the fields the
                // call projects (`a.$1`), or whole rows.
                let encoded = values[0].as_binary::<i32>();
                if encoded.is_valid(i) {
                    let row = decode_tuple(encoded.value(i));
                    match &self.agg.fields {
                        Some(fields) => tuple.extend(
                            fields
                                .iter()
                                .map(|&f| row.get(f).cloned().unwrap_or(Value::Null)),
                        ),
                        None => tuple = row,
                    }
                }
            } else {
                tuple.extend(
                    values
                        .iter()
                        .zip(&self.arg_types)
                        .map(|(a, t)| arrow_layout::value_at(a, t, i)),
                );
            }
            if let Some(batch) = &mut batch {
                batch.push(tuple.clone());
            } else if let Err(e) = self.acc.update(&self.agg, &tuple) {
                return Err(self.fail(e));
            }
        }
        if let Some(batch) = batch {
            self.acc
                .update_many(&self.agg, &batch)
                .map_err(|e| self.fail(e))?;
        }
        Ok(())
    }

    fn state(&mut self) -> DFResult<Vec<ScalarValue>> {
        let state = self.acc.state(&self.agg).map_err(|e| self.fail(e))?;
        Ok(vec![ScalarValue::Binary(Some(codec::encode_to_vec(
            &state,
        )))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> DFResult<()> {
        let Some(states) = states.first() else {
            return Ok(());
        };
        let states = states.as_binary::<i32>();
        for i in 0..states.len() {
            if states.is_valid(i) {
                let v = codec::decode(states.value(i)).map_err(|e| {
                    DataFusionError::Internal(format!("a partial aggregate does not decode: {e}"))
                })?;
                self.acc.merge(v);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self) -> DFResult<ScalarValue> {
        let acc = std::mem::replace(&mut self.acc, Acc::new(&self.agg));
        let v = acc.finish(&self.agg).map_err(|e| self.fail(e))?;
        let array = arrow_layout::to_array(&[v], &self.agg.ty);
        ScalarValue::try_from_array(&array, 0)
    }

    fn size(&self) -> usize {
        let states = match &self.acc {
            Acc::Generic { states: s, .. } => s.len() * std::mem::size_of::<Value>(),
            _ => 0,
        };
        std::mem::size_of::<Self>() + states
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_planner::func::Func;

    fn agg(name: &str, ty: PigType) -> AggCall {
        AggCall {
            func: Func::builtin(name).expect("builtin"),
            fields: Some(vec![0]),
            ty,
            span: pigrs_grammar::Span::default(),
            filter: None,
        }
    }

    /// Splits the values over two "tasks", merges their states, and compares with eval.
    fn check(name: &str, ty: PigType, values: &[Value]) {
        let a = agg(name, ty);
        let mut tasks = [Acc::new(&a), Acc::new(&a)];
        for (i, v) in values.iter().enumerate() {
            tasks[i % 2]
                .update(&a, std::slice::from_ref(v))
                .expect("update");
        }
        let mut merged = Acc::new(&a);
        for t in &tasks {
            merged.merge(t.state(&a).expect("state"));
        }
        let bag: Vec<Tuple> = values.iter().map(|v| vec![v.clone()]).collect();
        let expected = a
            .func
            .eval(&[Value::Bag(Box::new(pigrs_udf::Bag::from(bag)))])
            .expect("eval");
        assert_eq!(
            merged.finish(&a).expect("finish"),
            expected,
            "{name} of {values:?}"
        );
    }

    #[test]
    fn partial_aggregates_match_the_functions() {
        let ints = [
            Value::Int(3),
            Value::Null,
            Value::Int(-7),
            Value::Int(10),
            Value::Int(1),
        ];
        check("COUNT", PigType::Long, &ints);
        check("COUNT_STAR", PigType::Long, &ints);
        check("SUM", PigType::Long, &ints);
        check("AVG", PigType::Double, &ints);
        check("MIN", PigType::Int, &ints);
        check("MAX", PigType::Int, &ints);
        let doubles = [Value::Double(1.5), Value::Double(2.25), Value::Null];
        check("SUM", PigType::Double, &doubles);
        check("AVG", PigType::Double, &doubles);
        let bytes = [
            Value::Bytearray(b"2.5".to_vec()),
            Value::Bytearray(b"4".to_vec()),
        ];
        check("SUM", PigType::Double, &bytes);
        check("MAX", PigType::Double, &bytes);
        check("SUM", PigType::Long, &[Value::Null, Value::Null]);
        check("AVG", PigType::Double, &[]);
        let strings = [Value::Chararray("b".into()), Value::Chararray("a".into())];
        check("MIN", PigType::Chararray, &strings);
    }
}
