//! Loading and storing: Pig's load and store functions over local files.
//!
//! This layer is plain synchronous Rust with no dependency on the execution engine:
//! [`resolve_input`] turns a LOAD location into files, [`plan_splits`] groups and cuts them
//! into splits of roughly equal size, and [`open_reader`] reads a split's records as
//! tuples with the load function's rules ([`LoadFunc`]). On the way out, [`OutputDir`]
//! writes Hadoop's output layout (`part-m-00000`, `_SUCCESS`) into a hidden temporary
//! directory and renames it into place on [`OutputDir::commit`], so a failed run leaves
//! no output behind; [`StoreFunc`] picks the format. [`parquet`] reads and writes
//! Parquet files (ParquetLoader, ParquetStorer), [`orc`] ORC files (OrcStorage).

pub mod error;
pub mod funcs;
pub mod input;
pub mod json;
pub mod orc;
pub mod parquet;
pub mod read;
pub mod schemas;
pub mod warnings;
pub mod write;

pub use self::error::IoError;
pub use self::funcs::{
    CsvHeader, LoadFunc, PigStorageOptions, StoreFunc, load_func, load_func_of, parse_schema,
    store_func, store_func_of,
};
pub use self::input::{Compression, FileRange, InputFile, Split, plan_splits, resolve_input};
pub use self::json::{load_schema, read_pig_schema};
pub use self::read::{RecordReader, open_reader};
pub use self::schemas::FileSchemas;
pub use self::warnings::Warnings;
pub use self::write::{OutputDir, PartKind, RecordWriter, remove_path};
