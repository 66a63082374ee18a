//! The lookup of built-in functions by name; the [`EvalFunc`] trait they implement lives in
//! `pigrs-value`, shared with UDF plugins.

use std::sync::Arc;

pub use pigrs_value::func::{Algebraic, BatchError, EvalFunc, RecordFunc, RecordFuncRef, UdfError};

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
/// binds them: `PluckTuple` is configured by them (and is an error without them), `TOP`
/// takes its order (`'ASC'` or `'DESC'`); the other built-ins take none and ignore them. `Ok(None)`: no such built-in.
pub fn builtin_with_args(name: &str, args: &[String]) -> Result<Option<Arc<dyn EvalFunc>>, String> {
    let name = name.strip_prefix(PIG_BUILTIN_PREFIX).unwrap_or(name);
    if name == "PluckTuple" {
        let f = crate::builtins::eval::PluckTuple::with_args(args)?;
        return Ok(Some(Arc::new(f)));
    }
    if name == "TOP" {
        return Ok(Some(Arc::new(crate::builtins::eval::Top::with_args(args)?)));
    }
    Ok(builtin(name))
}

/// Names of every built-in (for "did you mean" suggestions).
pub fn builtin_names() -> Vec<&'static str> {
    crate::builtins::REGISTRY.iter().map(|(n, _)| *n).collect()
}
