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
    /// This function configured for one call site from what the planner knows of its
    /// arguments, their names and constant values (what Pig's `getOutputSchema` sees, and
    /// DataFu's `AliasableEvalFunc`s use to find fields by name). Called once per call,
    /// before [`EvalFunc::return_type`]; `Ok(None)`: the function needs nothing of them.
    /// An `Err` is a plan error at the call.
    fn bind(&self, _args: &[CallArg<'_>]) -> Result<Option<std::sync::Arc<dyn EvalFunc>>, String> {
        Ok(None)
    }
    /// Whether callers should gather rows and call [`EvalFunc::eval_batch`] once per batch
    /// rather than [`EvalFunc::eval`] once per row: a plugin function, whose every call
    /// crosses into a foreign library.
    fn prefers_batches(&self) -> bool {
        false
    }
}

/// What the planner knows of one argument of a call, for [`EvalFunc::bind`].
#[derive(Debug, Clone, Copy)]
pub struct CallArg<'a> {
    /// The argument's type.
    pub ty: &'a PigType,
    /// The name Pig gives it: the field's own (`bag1`, `x`), if it is a field.
    pub name: Option<&'a str>,
    /// Its value, when it is a literal.
    pub constant: Option<&'a Value>,
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

/// A load or store function from a UDF plugin (`LOAD 'x' USING myudfs.MyLoader('opt')`,
/// `STORE a INTO 'y' USING myudfs.MyStorer()`): pigrs reads and writes the files (splits,
/// compression, atomic output) and the function turns lines into tuples, or tuples into
/// records, a batch at a time.
pub trait RecordFunc: Send + Sync + std::fmt::Debug {
    /// The name scripts call it by (`myudfs.MyLoader`).
    fn name(&self) -> &str;
    /// Whether it is a load function (else a store function).
    fn is_loader(&self) -> bool;
    /// A loader's schema for its records (Pig's `LoadMetadata.getSchema`), which a LOAD
    /// without `AS` takes; `None` when it declares none.
    fn load_schema(&self) -> Result<Option<crate::types::Schema>, String>;
    /// A loader's tuples for lines of input (without their line ends), one for each line,
    /// `None` for a line it skips; stops at the first line that fails, naming it.
    fn parse(&self, lines: &[&[u8]]) -> Result<Vec<Option<Tuple>>, BatchError>;
    /// A storer's check of the relation it is given (Pig's `StoreFunc.checkSchema`), before
    /// anything runs.
    fn check_schema(&self, schema: Option<&crate::types::Schema>) -> Result<(), String>;
    /// A storer's bytes for `rows`, in order (each record with its line end, if the format
    /// has lines); stops at the first row that fails, naming it.
    fn format(&self, rows: &[Tuple]) -> Result<Vec<u8>, BatchError>;
}

/// A [`RecordFunc`] instance as a plan holds it: one per LOAD or STORE, equal only to itself.
#[derive(Clone)]
pub struct RecordFuncRef(pub std::sync::Arc<dyn RecordFunc>);

impl PartialEq for RecordFuncRef {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for RecordFuncRef {}

impl std::fmt::Debug for RecordFuncRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.name())
    }
}
