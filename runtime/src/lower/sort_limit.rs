//! ORDER BY, LIMIT and ORDER ... LIMIT on DataFusion's sort and limit operators.
//!
//! ORDER BY: every task of the stage below computes the sort keys as columns that order
//! exactly as Pig compares (`expr::key::order_key`) and its rows' positions (`SeqExec`, the
//! last key, which makes the sort stable), `SortExec` sorts each task's rows (spilling
//! sorted runs when the memory pool is full) and `SortPreservingMergeExec` merges the tasks
//! into the one task of the sort stage, where a projection drops the keys again.
//!
//! ```text
//! ProjectionExec: expr=[v@1 as v, n@2 as n]                               sort stage
//!   SortPreservingMergeExec: [__key0@0 DESC NULLS LAST, __seq@3 ASC], fetch=5
//!     SortExec: TopK(fetch=5), expr=[..], preserve_partitioning=[true]    map stage
//!       SeqExec
//!         ProjectionExec: expr=[v@0 as __key0, v@0 as v, n@1 as n]
//!           <the input's stage>
//! ```
//!
//! ORDER ... LIMIT n is the same sort with `fetch = n` in the merge; with top-k pushdown
//! (the optimizer on), each task's sort keeps only its own top n (DataFusion's TopK), so
//! at most n rows per task leave the map stage. A LIMIT of anything else keeps any n rows:
//! the first n of each task (`LocalLimitExec`, in the input's stage), then the first n of
//! all (`GlobalLimitExec`, in a one-task limit stage).

use std::sync::Arc;

use arrow::compute::SortOptions;
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::limit::{GlobalLimitExec, LocalLimitExec};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::sorts::sort_preserving_merge::SortPreservingMergeExec;
use datafusion::physical_plan::{ExecutionPlan, PhysicalExpr};
use pigrs_planner::logical::SortKey;

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::expr::key::order_key;
use crate::layout::Layout;
use crate::ops::compact::CompactExec;
use crate::ops::meter::{Counter, MeterExec};
use crate::ops::seq::{SEQ, SeqExec};
use crate::stats::{StageStats, Stats};

/// The rows of a stage about to end, as the lowering hands them over.
pub struct StageRows {
    /// The plan making the rows, in `layout`.
    pub plan: Arc<dyn ExecutionPlan>,
    /// The stage's statistics.
    pub stage: Arc<StageStats>,
    /// Whether the stage is still open: its records out are not counted yet (DataFusion
    /// operators made the rows), so what is added to it here is part of it.
    pub open: bool,
}

impl StageRows {
    /// Adds `f` to the stage's tasks and ends the stage after it.
    pub(crate) fn then_end(
        self,
        f: impl FnOnce(Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>, RunError>,
    ) -> Result<Arc<dyn ExecutionPlan>, RunError> {
        let open = self.open;
        let plan = f(self.plan)?;
        Ok(if open {
            MeterExec::new(plan, self.stage, Counter::Out, true)
        } else {
            plan
        })
    }
}

/// ORDER BY `keys` of the rows of `input` (in `layout`), the first `limit` rows only if
/// given; `top_k`: each task keeps only its own first `limit`. Returns the plan of the
/// one-task sort stage (its rows in `layout`) and that stage.
pub fn order(
    input: StageRows,
    layout: &Layout,
    keys: &[SortKey],
    limit: Option<usize>,
    top_k: bool,
    ctx: &EvalCtx,
    stats: &Stats,
) -> Result<(Arc<dyn ExecutionPlan>, Arc<StageStats>), RunError> {
    // The key columns, then the relation's, then the position.
    let mut exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        exprs.push((order_key(&k.expr, layout, ctx)?, format!("__key{i}")));
    }
    let width = layout.arrow.fields().len();
    for (i, f) in layout.arrow.fields().iter().enumerate() {
        exprs.push((Arc::new(Column::new(f.name(), i)), f.name().clone()));
    }
    let mut sort_exprs: Vec<PhysicalSortExpr> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            PhysicalSortExpr::new(
                Arc::new(Column::new(&format!("__key{i}"), i)),
                // Pig: null is the smallest value.
                SortOptions {
                    descending: k.desc,
                    nulls_first: !k.desc,
                },
            )
        })
        .collect();
    sort_exprs.push(PhysicalSortExpr::new(
        Arc::new(Column::new(SEQ, keys.len() + width)),
        SortOptions::default(),
    ));
    let ordering = LexOrdering::new(sort_exprs)
        .ok_or_else(|| RunError::internal("an ORDER BY without keys"))?;
    let task_fetch = limit.filter(|_| top_k);
    if task_fetch.is_some() {
        input.stage.add_feature("TOP_K");
    }
    let sorted = input.then_end(|plan| {
        let keyed = ProjectionExec::try_new(exprs, plan).map_err(RunError::internal)?;
        let numbered = SeqExec::new(Arc::new(keyed));
        Ok(match task_fetch {
            // Nothing to keep: no sort either.
            Some(0) => Arc::new(LocalLimitExec::new(numbered, 0)),
            // A top-k keeps its own copies of the rows it keeps.
            Some(k) => Arc::new(
                SortExec::new(ordering.clone(), numbered)
                    .with_preserve_partitioning(true)
                    .with_fetch(Some(k)),
            ),
            // A full sort holds its batches: each holds its own strings, not the scan's.
            None => Arc::new(
                SortExec::new(ordering.clone(), CompactExec::new(numbered))
                    .with_preserve_partitioning(true),
            ),
        })
    })?;

    let stage = stats.stage("Sort", 1);
    stage.set_features(if limit.is_some() {
        vec!["ORDER_BY", "LIMIT"]
    } else {
        vec!["ORDER_BY"]
    });
    let merged: Arc<dyn ExecutionPlan> = match limit {
        Some(n) if top_k => {
            Arc::new(SortPreservingMergeExec::new(ordering, sorted).with_fetch(Some(n)))
        }
        Some(n) => Arc::new(GlobalLimitExec::new(
            Arc::new(SortPreservingMergeExec::new(ordering, sorted)),
            0,
            Some(n),
        )),
        None => Arc::new(SortPreservingMergeExec::new(ordering, sorted)),
    };
    let metered = MeterExec::new(merged, stage.clone(), Counter::In, false);
    let own = layout.arrow.fields().iter().enumerate().map(|(i, f)| {
        (
            Arc::new(Column::new(f.name(), keys.len() + i)) as Arc<dyn PhysicalExpr>,
            f.name().clone(),
        )
    });
    let plan = ProjectionExec::try_new(own, metered).map_err(RunError::internal)?;
    Ok((Arc::new(plan), stage))
}

/// LIMIT `n` of the rows of `input`: the first n of each task in the input's stage, then
/// the first n of all in a one-task limit stage, whose plan and statistics are returned.
pub fn limit(
    input: StageRows,
    n: usize,
    stats: &Stats,
) -> Result<(Arc<dyn ExecutionPlan>, Arc<StageStats>), RunError> {
    input.stage.add_feature("LIMIT");
    let local = input.then_end(|plan| Ok(Arc::new(LocalLimitExec::new(plan, n))))?;
    let stage = stats.stage("Limit", 1);
    stage.set_features(vec!["LIMIT"]);
    let one = Arc::new(CoalescePartitionsExec::new(local).with_fetch(Some(n)));
    let global = Arc::new(GlobalLimitExec::new(one, 0, Some(n)));
    Ok((
        MeterExec::new(global, stage.clone(), Counter::In, false),
        stage,
    ))
}
