//! Pig's values and types, the built-in functions, and the SDK for UDF plugins.
#![deny(missing_docs)]

pub mod arrow_layout;
pub mod bag;
pub mod builtins;
pub mod cast;
pub mod codec;
pub mod func;
pub mod javafmt;
pub mod ops;
pub mod order_key;
pub mod types;
pub mod value;

pub use bag::{Bag, BagError, SpilledTuples};
pub use types::{Field, PigType, Schema};
pub use value::{Map, Tuple, Value};
