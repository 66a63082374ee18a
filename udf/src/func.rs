//! The SDK for Pig eval functions: the [`EvalFunc`] trait every built-in and plugin function
//! implements, the [`Algebraic`] split of aggregates, and the lookup of built-ins by name.

use std::sync::Arc;

use crate::types::PigType;
use crate::value::{Bag, Value};

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
}

/// The three phases of an algebraic aggregate, like Pig's Algebraic interface.
pub trait Algebraic: Send + Sync {
    /// Initial: from the argument bag of ONE input tuple's worth (called per input row with a one-tuple bag) to a partial state value.
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError>;
    /// Intermediate: merge a bag of partial states (each tuple holds one state in field 0) into one state.
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError>;
    /// Final: merge a bag of partial states into the result.
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError>;
}

/// The package prefix Pig accepts in front of a built-in's name.
const PIG_BUILTIN_PREFIX: &str = "org.apache.pig.builtin.";

/// Looks up a built-in function by name (case-sensitive; Pig also accepts the fully qualified
/// `org.apache.pig.builtin.NAME`).
pub fn builtin(name: &str) -> Option<Arc<dyn EvalFunc>> {
    let name = name.strip_prefix(PIG_BUILTIN_PREFIX).unwrap_or(name);
    crate::builtins::REGISTRY
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, make)| make())
}

/// Looks up a built-in with constructor arguments, as `DEFINE alias NAME('arg', ...)`
/// binds them: `PluckTuple` is configured by them (and is an error without them); the
/// other built-ins take none and ignore them. `Ok(None)`: no such built-in.
pub fn builtin_with_args(name: &str, args: &[String]) -> Result<Option<Arc<dyn EvalFunc>>, String> {
    let name = name.strip_prefix(PIG_BUILTIN_PREFIX).unwrap_or(name);
    if name == "PluckTuple" {
        let f = crate::builtins::eval::PluckTuple::with_args(args)?;
        return Ok(Some(Arc::new(f)));
    }
    Ok(builtin(name))
}

/// Names of every built-in (for "did you mean" suggestions).
pub fn builtin_names() -> Vec<&'static str> {
    crate::builtins::REGISTRY.iter().map(|(n, _)| *n).collect()
}
