//! Functions behind relational operators that Pig also exposes as built-ins: `Assert`
//! (ASSERT's check) and the dimension expansion of CUBE and ROLLUP.

use crate::func::{EvalFunc, UdfError};
use crate::types::{Field, PigType, Schema};
use crate::value::{Tuple, Value};

/// `Assert(cond [, message])`: true when `cond` is true; otherwise fails the run with
/// `Assertion violated: message` (a null condition fails too).
#[derive(Debug, Default, Clone, Copy)]
pub struct Assert;

impl EvalFunc for Assert {
    fn name(&self) -> &str {
        "Assert"
    }

    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        match args {
            [PigType::Boolean | PigType::Bytearray]
            | [
                PigType::Boolean | PigType::Bytearray,
                PigType::Chararray | PigType::Bytearray,
            ] => Ok(PigType::Boolean),
            _ => Err("expects a boolean condition and an optional chararray message".into()),
        }
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        if let Some(Value::Boolean(true)) = args.first() {
            return Ok(Value::Boolean(true));
        }
        Err(UdfError(assert_message(args.get(1))))
    }
}

/// Pig's text for a failed assertion with this (optional) message.
fn assert_message(message: Option<&Value>) -> String {
    match message {
        Some(Value::Chararray(m)) => format!("Assertion violated: {m}"),
        Some(Value::Bytearray(m)) => format!("Assertion violated: {}", String::from_utf8_lossy(m)),
        _ => "Assertion violated. ".to_string(),
    }
}

/// The grouping combinations of `CUBE(...)` / `ROLLUP(...)` clauses: for each input row, a
/// bag of one-field tuples, each holding one tuple of dimension values where rolled-up
/// dimensions are null and null input values are the string `unknown`. Several clauses
/// combine as a cartesian product (in clause order).
#[derive(Debug, Default, Clone)]
pub struct CubeDimensions {
    /// Per clause: whether it is a ROLLUP (else a CUBE) and how many dimensions it has.
    pub clauses: Vec<(bool, usize)>,
}

impl CubeDimensions {
    /// Every combination for one clause's values.
    fn clause_combinations(rollup: bool, values: &[Value]) -> Vec<Tuple> {
        let n = values.len();
        let keep = |mask: &dyn Fn(usize) -> bool| -> Tuple {
            (0..n)
                .map(|i| {
                    if mask(i) {
                        values[i].clone()
                    } else {
                        Value::Null
                    }
                })
                .collect()
        };
        if rollup {
            // (a,b,c), (a,b,null), (a,null,null), (null,null,null)
            (0..=n).rev().map(|k| keep(&|i| i < k)).collect()
        } else {
            // Every subset; all dimensions kept first.
            let full = (1usize << n) - 1;
            (0..=full)
                .rev()
                .map(|m| keep(&|i| m & (1 << (n - 1 - i)) != 0))
                .collect()
        }
    }
}

impl EvalFunc for CubeDimensions {
    fn name(&self) -> &str {
        "CubeDimensions"
    }

    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        let dims = Schema::new(args.iter().map(|t| Field::unnamed(t.clone())).collect());
        Ok(PigType::Bag(Some(Schema::new(vec![Field::unnamed(
            PigType::Tuple(Some(dims)),
        )]))))
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        let values: Vec<Value> = args
            .iter()
            .map(|v| {
                if v.is_null() {
                    Value::Chararray("unknown".into())
                } else {
                    v.clone()
                }
            })
            .collect();
        let mut acc: Vec<Tuple> = vec![Vec::new()];
        let mut at = 0;
        for &(rollup, n) in &self.clauses {
            let part = values
                .get(at..at + n)
                .ok_or_else(|| UdfError::new("too few dimension values"))?;
            at += n;
            let combos = Self::clause_combinations(rollup, part);
            acc = acc
                .iter()
                .flat_map(|prefix| {
                    combos.iter().map(move |c| {
                        let mut t = prefix.clone();
                        t.extend(c.iter().cloned());
                        t
                    })
                })
                .collect();
        }
        Ok(Value::Bag(Box::new(
            acc.into_iter()
                .map(|t| vec![Value::Tuple(Box::new(t))])
                .collect(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }

    #[test]
    fn assert_passes_and_fails() {
        assert_eq!(
            Assert.eval(&[Value::Boolean(true)]).unwrap(),
            Value::Boolean(true)
        );
        let e = Assert
            .eval(&[Value::Boolean(false), s("a0 must be positive")])
            .unwrap_err();
        assert_eq!(e.0, "Assertion violated: a0 must be positive");
        assert!(Assert.eval(&[Value::Null]).is_err());
        assert!(Assert.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn cube_and_rollup_combinations() {
        let cube = CubeDimensions {
            clauses: vec![(false, 2)],
        };
        let Value::Bag(b) = cube.eval(&[s("car"), Value::Null]).unwrap() else {
            panic!("not a bag")
        };
        let shown: Vec<String> = b.in_memory().iter().map(|t| t[0].to_string()).collect();
        assert_eq!(shown, ["(car,unknown)", "(car,)", "(,unknown)", "(,)"]);
        let rollup = CubeDimensions {
            clauses: vec![(true, 3)],
        };
        let Value::Bag(b) = rollup.eval(&[s("a"), s("b"), s("c")]).unwrap() else {
            panic!("not a bag")
        };
        let shown: Vec<String> = b.in_memory().iter().map(|t| t[0].to_string()).collect();
        assert_eq!(shown, ["(a,b,c)", "(a,b,)", "(a,,)", "(,,)"]);
        let mixed = CubeDimensions {
            clauses: vec![(false, 1), (true, 1)],
        };
        let Value::Bag(b) = mixed.eval(&[s("x"), s("y")]).unwrap() else {
            panic!("not a bag")
        };
        assert_eq!(b.len(), 4);
    }
}
