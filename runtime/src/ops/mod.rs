//! pigrs's columnar physical operators: DataFusion `ExecutionPlan`s, one per file, for
//! what DataFusion has no operator for.

pub mod bags;
pub mod compact;
pub mod flatten;
pub mod meter;
pub mod scan;
pub mod seq;

use std::sync::Arc;

use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::physical_plan::ExecutionPlan;

/// The one child `with_new_children` gives a node `name` that has exactly one (an error
/// for any other number).
pub(crate) fn one_child(
    mut children: Vec<Arc<dyn ExecutionPlan>>,
    name: &str,
) -> DFResult<Arc<dyn ExecutionPlan>> {
    match (children.pop(), children.is_empty()) {
        (Some(child), true) => Ok(child),
        _ => Err(DataFusionError::Internal(format!("{name} has one child"))),
    }
}
