//! pigrs's columnar physical operators: DataFusion `ExecutionPlan`s, one per file.

pub mod scan;
