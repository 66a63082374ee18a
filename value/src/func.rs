//! The interface of a Pig eval function: the [`EvalFunc`] trait every built-in and plugin
//! function implements, and the [`Algebraic`] split of aggregates.

use crate::types::PigType;
use crate::value::{Bag, Tuple, Value};

/// An error a function raises while evaluating (the runtime reports it with the script line).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct UdfError(pub String);

impl From<crate::bag::BagError> for UdfError {
    fn from(e: crate::bag::BagError) -> Self {
        UdfError(e.to_string())
    }
}

impl UdfError {
    /// An error with this message.
    pub fn new(msg: impl Into<String>) -> Self {
        UdfError(msg.into())
    }
}

/// A Pig eval function: built-in or from a plugin.
pub trait EvalFunc: Send + Sync + std::fmt::Debug {
    /// The name scripts call it by (case-sensitive, as in Pig).
    fn name(&self) -> &str;
    /// The result type for these argument types, or a message saying which arguments are wrong.
    /// Arguments typed `bytearray` are untyped: accept them where Pig would (Pig casts them).
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String>;
    /// Evaluates one call. Must never panic; nulls in, per Pig's rules, usually give Null.
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError>;
    /// Whether the function is an aggregate whose single argument is a bag (COUNT, SUM, ...).
    fn is_aggregate(&self) -> bool {
        false
    }
    /// For algebraic aggregates (COUNT, COUNT_STAR, SUM, AVG, MIN, MAX): the map-side/combiner split.
    fn algebraic(&self) -> Option<&dyn Algebraic> {
        None
    }
    /// Whether two calls with the same arguments may give different results (RANDOM, UniqueID, CurrentTime).
    fn is_volatile(&self) -> bool {
        false
    }
    /// Evaluates one call per row of arguments, in order, stopping at the first error.
    fn eval_batch(&self, rows: &[Tuple]) -> Result<Vec<Value>, BatchError> {
        rows.iter()
            .enumerate()
            .map(|(row, args)| {
                self.eval(args).map_err(|error| BatchError {
                    row: Some(row),
                    error,
                })
            })
            .collect()
    }
    /// Evaluates `rows` rows given as the codec encoding of a bag of argument tuples, for a
    /// function that takes its input encoded (a plugin's, which sends these bytes on as
    /// they are); `None`: it does not, call [`EvalFunc::eval_batch`].
    fn eval_encoded(&self, _bag: &[u8], _rows: usize) -> Option<Result<Vec<Value>, BatchError>> {
        None
    }
    /// Whether callers should gather rows and call [`EvalFunc::eval_batch`] once per batch
    /// rather than [`EvalFunc::eval`] once per row: a plugin function, whose every call
    /// crosses into a foreign library.
    fn prefers_batches(&self) -> bool {
        false
    }
}

/// A failed [`EvalFunc::eval_batch`]: the position of the row that failed, and why.
#[derive(Debug, Clone)]
pub struct BatchError {
    /// The row's position in the batch; `None` when the batch failed as a whole.
    pub row: Option<usize>,
    /// The error of that row's call.
    pub error: UdfError,
}

/// The three phases of an algebraic aggregate, like Pig's Algebraic interface.
pub trait Algebraic: Send + Sync {
    /// Initial: from the argument bag of ONE input tuple's worth (called per input row with a one-tuple bag) to a partial state value.
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError>;
    /// Intermediate: merge a bag of partial states (each tuple holds one state in field 0) into one state.
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError>;
    /// Final: merge a bag of partial states into the result.
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError>;
    /// Initial on each of `rows` (each alone in its bag), in order: one call for many rows
    /// where a call is costly (a plugin's crosses into a foreign library).
    fn initial_batch(&self, rows: &[Tuple]) -> Result<Vec<Value>, UdfError> {
        rows.iter()
            .map(|t| self.initial(&Bag::from(vec![t.clone()])))
            .collect()
    }
}
