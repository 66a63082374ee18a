//! Accumulators for algebraic aggregates: the map-side partial aggregation (combiner) and
//! the merge after the shuffle.
//!
//! COUNT, COUNT_STAR, SUM, AVG, MIN and MAX of Pig's numeric types have native accumulators;
//! any other algebraic function goes through its [`Algebraic`] phases (initial on each row,
//! intermediate to combine, final after the shuffle).

use std::cmp::Ordering;

use pigrs_planner::logical::AggCall;
use pigrs_udf::func::UdfError;
use pigrs_udf::value::compare;
use pigrs_udf::{PigType, Tuple, Value, cast};

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
    /// Any other algebraic function: its partial states.
    Generic(Vec<Value>),
}

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
            _ => Acc::Generic(Vec::new()),
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
            Acc::Generic(states) => {
                let alg = algebraic(agg)?;
                let s = alg.initial(&vec![tuple.to_vec()])?;
                states.push(s);
                if states.len() >= 64 {
                    let merged = alg.intermediate(&states.drain(..).map(|s| vec![s]).collect())?;
                    states.push(merged);
                }
            }
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
            Acc::Generic(states) => {
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
            (Acc::Generic(states), v) => states.push(v),
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
            Acc::Generic(states) => {
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

/// A one-field tuple of null, for a field past the end of a row.
static NULL_TUPLE: [Value; 1] = [Value::Null];

/// The tuple an aggregate's bag would hold for `row`.
pub fn agg_input<'a>(agg: &AggCall, row: &'a [Value], scratch: &'a mut Tuple) -> &'a [Value] {
    match &agg.fields {
        None => row,
        // One field (COUNT(x), SUM(x) ...): borrow it rather than copy it.
        Some(fields) if fields.len() == 1 => row
            .get(fields[0])
            .map_or(&NULL_TUPLE[..], std::slice::from_ref),
        Some(fields) => {
            scratch.clear();
            scratch.extend(
                fields
                    .iter()
                    .map(|&i| row.get(i).cloned().unwrap_or(Value::Null)),
            );
            scratch
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_udf::func::builtin;

    fn agg(name: &str, ty: PigType) -> AggCall {
        AggCall {
            func: builtin(name).expect("builtin"),
            fields: Some(vec![0]),
            ty,
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
        let expected = a.func.eval(&[Value::Bag(Box::new(bag))]).expect("eval");
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
