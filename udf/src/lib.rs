//! Pig's values and types, the built-in functions, and the SDK for UDF plugins.
#![deny(missing_docs)]

pub mod types;
pub mod value;
pub mod func;
pub mod builtins;
pub mod javafmt;
pub mod cast;
pub mod ops;
pub mod codec;
pub mod arrow_layout;

pub use types::{Field, PigType, Schema};
pub use value::{Bag, Map, Tuple, Value};
