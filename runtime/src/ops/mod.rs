//! pigrs's columnar physical operators: DataFusion `ExecutionPlan`s, one per file, for
//! what DataFusion has no operator for.

pub mod bags;
pub mod flatten;
pub mod meter;
pub mod scan;
pub mod seq;
