//! DISTINCT on DataFusion's `AggregateExec`: grouped by every column with no aggregate, a
//! partial aggregate in every map task (dropping each task's repeated rows), a hash
//! `RepartitionExec` on the columns, and the final aggregate in every reduce task.
//!
//! ```text
//! ProjectionExec: expr=[__g0@0 as a, __a1@2 as x]                     reduce stage
//!   AggregateExec: mode=FinalPartitioned, gby=[__g0, __g1], aggr=[__a1]
//!     RepartitionExec: partitioning=Hash([__g0@0, __g1@1], n)         shuffle
//!       AggregateExec: mode=Partial, gby=[a@0 as __g0, pig_float_key(x@1) as __g1], aggr=[__a1]
//!         <the input's stage>                                          map stage
//! ```
//!
//! Rows are equal as Pig's values are: a column whose equal values can differ in Arrow
//! (floats' `-0.0` and NaNs; encoded values such as maps, bags, decimals, and the encoded
//! rows of a relation of unknown schema) is grouped by its key (`expr::key::group_key`)
//! and one of the group's values is kept with `first_value`.

use std::sync::Arc;

use datafusion::functions_aggregate::first_last::first_value_udaf;
use datafusion::physical_expr::aggregate::AggregateExprBuilder;
use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::{ExecutionPlan, PhysicalExpr};

use crate::error::RunError;
use crate::expr::key::group_key;
use crate::layout::Layout;
use crate::lower::aggregate::two_phase;
use crate::stats::{StageStats, Stats};

/// DISTINCT of the rows of `input` (batches in `layout`, made by the map stage
/// `map_stage`) in `partitions` reduce tasks: the reduce stage's plan, with its rows in
/// `layout`, and that stage.
pub fn distinct(
    input: Arc<dyn ExecutionPlan>,
    layout: &Layout,
    map_stage: &Arc<StageStats>,
    partitions: usize,
    stats: &Stats,
) -> Result<(Arc<dyn ExecutionPlan>, Arc<StageStats>), RunError> {
    let internal = RunError::internal;
    let fields = layout.arrow.fields();
    let mut group_exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::new();
    let mut aggr_exprs = Vec::new();
    // Where each column of the result comes from: a group column or an aggregate.
    let mut sources = Vec::with_capacity(fields.len());
    for (i, f) in fields.iter().enumerate() {
        let column: Arc<dyn PhysicalExpr> = Arc::new(Column::new(f.name(), i));
        let ty = layout.schema.as_ref().map(|s| &s.fields[i].ty);
        match group_key(column.clone(), ty) {
            None => {
                sources.push(Err(group_exprs.len()));
                group_exprs.push((column, format!("__g{i}")));
            }
            Some(key) => {
                group_exprs.push((key, format!("__g{i}")));
                sources.push(Ok(aggr_exprs.len()));
                let first = AggregateExprBuilder::new(first_value_udaf(), vec![column])
                    .schema(layout.arrow.clone())
                    .alias(format!("__a{i}"))
                    .build()
                    .map_err(internal)?;
                aggr_exprs.push(Arc::new(first));
            }
        }
    }
    let nkeys = group_exprs.len();
    // Each map task's distinct rows, the shuffle on the whole row, the merge.
    let stage = stats.stage("DistinctReduce", partitions.max(1));
    stage.set_features(vec!["DISTINCT"]);
    let fin = two_phase(
        input,
        layout,
        map_stage,
        group_exprs,
        aggr_exprs.into_iter().map(|a| (a, None)).collect(),
        partitions,
        &stage,
    )?;
    let fin_schema = fin.schema();
    let exprs = fields.iter().zip(sources).map(|(f, source)| {
        let at = match source {
            Err(g) => g,
            Ok(a) => nkeys + a,
        };
        (
            Arc::new(Column::new(fin_schema.field(at).name(), at)) as Arc<dyn PhysicalExpr>,
            f.name().clone(),
        )
    });
    let plan = ProjectionExec::try_new(exprs, fin).map_err(internal)?;
    Ok((Arc::new(plan), stage))
}
