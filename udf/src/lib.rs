//! Pig's values and types, the built-in functions, and the SDK for UDF plugins.
#![deny(missing_docs)]

pub mod arrow_layout;
pub mod builtins;
pub mod func;
pub mod ops;
pub mod order_key;

pub use pigrs_value::{
    Bag, BagError, Field, Map, PigType, Schema, SpilledTuples, Tuple, Value, bag, cast, codec,
    javafmt, types, value,
};
