//! The pigrs runtime: executes planned scripts on Arrow record batches with DataFusion,
//! on every core of the local machine.

pub mod aggregate;
pub mod cancel;
pub mod cluster;
pub mod driver;
pub mod error;
pub mod eval;
pub mod exec;
pub mod expr;
pub mod fs;
pub mod grunt;
pub mod io;
pub mod layout;
pub mod lower;
pub mod ops;
pub mod physical;
pub mod pool;
pub mod progress;
pub mod spill;
pub mod stats;
pub mod stream;
pub mod tee;

pub use cancel::Cancel;
pub use driver::{RunOptions, Runner};
pub use error::RunError;
