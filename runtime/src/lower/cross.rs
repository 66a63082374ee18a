//! CROSS on DataFusion's `CrossJoinExec`: the first input streamed, in its own stage,
//! against all rows of each other input, collected once for all of its tasks.
//!
//! ```text
//! ProjectionExec: expr=[w@1 as g::w, v@0 as h::v]      Pig's field order
//!   CrossJoinExec                                       the first input's stage
//!     CoalescePartitionsExec
//!       CompactExec
//!         <input h's stage>                             collected (the left side)
//!     <input g's plan>                                  streamed
//! ```
//!
//! Rows are Pig's: the fields of input 0, then input 1, ...; DataFusion puts its collected
//! (left) side first, so the final projection puts the fields back in Pig's order and names
//! them as the node's layout does.

use std::sync::Arc;

use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::joins::CrossJoinExec;

use super::join::project;
use crate::error::RunError;
use crate::layout::Layout;
use crate::ops::compact::CompactExec;

/// CROSS of `first` (streamed) with `others` (each collected whole); batches in `out`.
pub fn cross(
    first: (Arc<dyn ExecutionPlan>, Layout),
    others: Vec<(Arc<dyn ExecutionPlan>, Layout)>,
    out: &Layout,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    let (mut plan, layout) = first;
    let mut layouts = vec![layout];
    let mut starts = vec![Some(0)];
    for (other, layout) in others {
        // Held whole by every task: it holds its own strings.
        let collected: Arc<dyn ExecutionPlan> = CompactExec::new(other);
        let left: Arc<dyn ExecutionPlan> =
            if collected.properties().partitioning.partition_count() == 1 {
                collected
            } else {
                Arc::new(CoalescePartitionsExec::new(collected))
            };
        let width = left.schema().fields().len();
        plan = Arc::new(CrossJoinExec::new(left, plan));
        // The collected input's columns come first: the others move right.
        for s in starts.iter_mut().flatten() {
            *s += width;
        }
        starts.push(Some(0));
        layouts.push(layout);
    }
    project(plan, &layouts, &starts, out)
}
