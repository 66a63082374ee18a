//! Pig's values and types, Pig's casts, the value codec and the [`func::EvalFunc`] trait: the
//! part of pigrs that UDF plugins share with it, free of Arrow and DataFusion.
#![deny(missing_docs)]

pub mod bag;
pub mod cast;
pub mod codec;
pub mod func;
pub mod javafmt;
pub mod types;
pub mod value;
mod wire;

pub use bag::{Bag, BagError, SpilledTuples};
pub use types::{Field, PigType, Schema};
pub use value::{Map, Tuple, Value};
