//! Lowering of Pig operators onto DataFusion's own physical operators, one file per
//! operator family. `physical.rs` walks the logical plan and calls these; what DataFusion
//! lacks stays in pigrs's own operators (`exec.rs`, `ops/`).

pub mod aggregate;
pub mod cross;
pub mod distinct;
pub mod group;
pub mod join;
pub mod project;
pub mod sort_limit;
pub mod top_k_group;
pub mod union;
