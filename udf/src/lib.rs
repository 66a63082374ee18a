//! Pig's values and types, the built-in functions, and the SDK for UDF plugins.
#![deny(missing_docs)]

pub mod arrow_layout;
pub mod builtins;
pub mod func;
pub mod ops;
pub mod order_key;

pub use pigrs_value::{
    Bag, Field, Map, PigType, Schema, Tuple, Value, cast, codec, javafmt, types, value,
};
