//! GROUP whose bags only feed algebraic aggregates (the `combiner` rule's
//! `Operator::Aggregate`) on DataFusion's `AggregateExec`: a partial aggregate in every map
//! task (the combiner), a hash `RepartitionExec` on the group keys (the shuffle), and the
//! final aggregate in every reduce task.
//!
//! ```text
//! AggregateExec: mode=FinalPartitioned, gby=[__k0], aggr=[__a0]   reduce stage
//!   RepartitionExec: partitioning=Hash([__k0], n)                  shuffle
//!     AggregateExec: mode=Partial, gby=[word@0 as __k0], aggr=[__a0]
//!       <the input's stage>                                        map stage (and combiner above)
//! ```
//!
//! COUNT, COUNT_STAR, SUM, AVG, and MIN/MAX of ints and longs use DataFusion's own
//! accumulators, whose results are Pig's: nulls are skipped, an empty or all-null bag sums
//! to null, long sums wrap as Java's do. Every other algebraic function (MIN/MAX of floats
//! and strings, whose order is Java's; functions of bytearrays, which Pig casts; plugins)
//! runs through [`PigUdaf`]. The reduce output has the group keys' columns, then one
//! column per aggregate.

use std::sync::Arc;

use arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::functions_aggregate::average::avg_udaf;
use datafusion::functions_aggregate::count::count_udaf;
use datafusion::functions_aggregate::min_max::{max_udaf, min_udaf};
use datafusion::functions_aggregate::sum::sum_udaf;
use datafusion::logical_expr::AggregateUDF;
use datafusion::physical_expr::aggregate::{AggregateExprBuilder, AggregateFunctionExpr};
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode, PhysicalGroupBy};
use datafusion::physical_plan::expressions::{CastExpr, Column, Literal};
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{ExecutionPlan, Partitioning, PhysicalExpr};
use pigrs_planner::logical::{AggCall, GroupKeys};
use pigrs_udf::{Field, PigType, Schema};

use crate::aggregate::PigUdaf;
use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::expr::physical_expr;
use crate::layout::Layout;
use crate::ops::meter::{Counter, MeterExec};
use crate::stats::{StageStats, Stats};

/// An aggregate lowered onto DataFusion: the reduce stage's plan and what it gives.
pub struct LoweredAggregate {
    /// The final aggregate's plan: group key columns, then the aggregates.
    pub plan: Arc<dyn ExecutionPlan>,
    /// The layout of its batches.
    pub layout: Layout,
    /// How many leading columns are group keys.
    pub keys: usize,
    /// The reduce stage's statistics (records in are counted; records out are left to
    /// whatever ends the stage).
    pub stage: Arc<StageStats>,
}

/// Lowers an aggregate of the rows of `input` (batches in `layout`, produced by the map
/// stage `map_stage`) into `partitions` reduce tasks.
#[allow(clippy::too_many_arguments)]
pub fn aggregate(
    input: Arc<dyn ExecutionPlan>,
    layout: &Layout,
    map_stage: &Arc<StageStats>,
    keys: &GroupKeys,
    aggs: &[AggCall],
    partitions: usize,
    ctx: &EvalCtx,
    stats: &Stats,
) -> Result<LoweredAggregate, RunError> {
    let internal = |e: datafusion::error::DataFusionError| RunError::internal(e);
    let mut fields = Vec::new();
    let mut group_exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::new();
    match keys {
        GroupKeys::All => {
            // One group, named "all"; an empty input has no group (unlike SQL's).
            group_exprs.push((
                Arc::new(Literal::new(ScalarValue::Utf8View(Some("all".into())))),
                "__k0".into(),
            ));
            fields.push(Field::new("__k0", PigType::Chararray));
        }
        GroupKeys::Exprs(es) => {
            for (i, e) in es.iter().enumerate() {
                let key = physical_expr(e, layout, ctx)?;
                group_exprs.push((key, format!("__k{i}")));
                fields.push(Field::new(format!("__k{i}"), e.ty.clone()));
            }
        }
    }
    let nkeys = group_exprs.len();
    let mut aggr_exprs = Vec::with_capacity(aggs.len());
    for (k, agg) in aggs.iter().enumerate() {
        // A nested FILTER's rows: those its condition is true for (null is false).
        let filter = match &agg.filter {
            Some(cond) => Some(physical_expr(cond, layout, ctx)?),
            None => None,
        };
        let (func, args) = aggregate_function(agg, layout)?;
        let expr = AggregateExprBuilder::new(func, args)
            .schema(layout.arrow.clone())
            .alias(format!("__a{k}"))
            .build()
            .map_err(internal)?;
        aggr_exprs.push((Arc::new(expr), filter));
        fields.push(Field::new(format!("__a{k}"), agg.ty.clone()));
    }
    // The combiner in the map stage, the shuffle on the group keys, the merge in the reduce
    // stage.
    map_stage.add_feature("COMBINER");
    let stage = stats.stage("AggregateReduce", partitions.max(1));
    stage.set_features(vec!["GROUP_BY", "COMBINER"]);
    let fin = two_phase(
        input,
        layout,
        map_stage,
        group_exprs,
        aggr_exprs,
        partitions,
        &stage,
    )?;
    let plan = fin;
    Ok(LoweredAggregate {
        plan,
        layout: Layout::new(Some(Schema::new(fields))),
        keys: nkeys,
        stage,
    })
}

/// A two-phase aggregate of `input` (batches in `layout`, of the map stage `map_stage`):
/// `Partial` in every map task (a combiner: its rows in and out are counted as the map
/// stage's combine records), a hash shuffle on the group keys into `partitions` tasks, and
/// `FinalPartitioned` in the reduce stage `stage`. Its batches have the group keys'
/// columns, then the aggregates'. Each aggregate comes with the condition on the rows it
/// reads (`None`: all), applied in the partial aggregate, before anything is combined.
pub(crate) fn two_phase(
    input: Arc<dyn ExecutionPlan>,
    layout: &Layout,
    map_stage: &Arc<StageStats>,
    group_exprs: Vec<(Arc<dyn PhysicalExpr>, String)>,
    aggregates: Vec<(Arc<AggregateFunctionExpr>, Option<Arc<dyn PhysicalExpr>>)>,
    partitions: usize,
    stage: &Arc<StageStats>,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    let internal = |e: datafusion::error::DataFusionError| RunError::internal(e);
    let nkeys = group_exprs.len();
    let (aggr_exprs, filters): (Vec<_>, Vec<_>) = aggregates.into_iter().unzip();
    let metered = MeterExec::new(input, map_stage.clone(), Counter::CombineIn, false);
    let group_by = PhysicalGroupBy::new_single(group_exprs);
    let partial = AggregateExec::try_new(
        AggregateMode::Partial,
        group_by.clone(),
        aggr_exprs.clone(),
        filters.clone(),
        metered,
        layout.arrow.clone(),
    )
    .map_err(internal)?;
    let partial_schema = partial.schema();
    let partial = MeterExec::new(
        Arc::new(partial),
        map_stage.clone(),
        Counter::CombineOut,
        false,
    );
    let hash_keys: Vec<Arc<dyn PhysicalExpr>> = (0..nkeys)
        .map(|i| Arc::new(Column::new(partial_schema.field(i).name(), i)) as _)
        .collect();
    let shuffled =
        RepartitionExec::try_new(partial, Partitioning::Hash(hash_keys, partitions.max(1)))
            .map_err(internal)?;
    let metered = MeterExec::new(Arc::new(shuffled), stage.clone(), Counter::In, false);
    let fin = AggregateExec::try_new(
        AggregateMode::FinalPartitioned,
        group_by.as_final(),
        aggr_exprs,
        vec![None; filters.len()],
        metered,
        partial_schema,
    )
    .map_err(internal)?;
    Ok(Arc::new(fin))
}

/// The DataFusion aggregate computing `agg` and its arguments over batches in `layout`.
fn aggregate_function(
    agg: &AggCall,
    layout: &Layout,
) -> Result<(Arc<AggregateUDF>, Vec<Arc<dyn PhysicalExpr>>), RunError> {
    let Some(schema) = &layout.schema else {
        // Rows of unknown width: the adapter decodes each whole row.
        let row: Arc<dyn PhysicalExpr> = Arc::new(Column::new("__row", 0));
        return Ok((udaf(PigUdaf::new(agg.clone(), None)), vec![row]));
    };
    let indices: Vec<usize> = match &agg.fields {
        Some(f) => f.clone(),
        None => (0..schema.fields.len()).collect(),
    };
    let column = |i: usize| -> Arc<dyn PhysicalExpr> {
        Arc::new(Column::new(layout.arrow.field(i).name(), i))
    };
    let first = indices
        .first()
        .filter(|&&i| i < schema.fields.len())
        .map(|&i| (column(i), &schema.fields[i].ty));
    let cast = |e: Arc<dyn PhysicalExpr>, t: DataType| -> Arc<dyn PhysicalExpr> {
        Arc::new(CastExpr::new(e, t, None))
    };
    use PigType as T;
    let native = match (agg.func.name(), &agg.ty, first) {
        // A bag's COUNT skips the tuples whose first field is null.
        ("COUNT", T::Long, Some((c, _))) => Some((count_udaf(), c)),
        ("COUNT_STAR", T::Long, _) => {
            let one: Arc<dyn PhysicalExpr> = Arc::new(Literal::new(ScalarValue::Int64(Some(1))));
            Some((count_udaf(), one))
        }
        ("SUM", T::Long, Some((c, T::Int | T::Long))) => {
            Some((sum_udaf(), cast(c, DataType::Int64)))
        }
        ("SUM", T::Double, Some((c, T::Int | T::Long | T::Float | T::Double))) => {
            Some((sum_udaf(), cast(c, DataType::Float64)))
        }
        ("AVG", T::Double, Some((c, T::Int | T::Long | T::Float | T::Double))) => {
            Some((avg_udaf(), cast(c, DataType::Float64)))
        }
        ("MIN", T::Int, Some((c, T::Int))) | ("MIN", T::Long, Some((c, T::Long))) => {
            Some((min_udaf(), c))
        }
        ("MAX", T::Int, Some((c, T::Int))) | ("MAX", T::Long, Some((c, T::Long))) => {
            Some((max_udaf(), c))
        }
        _ => None,
    };
    if let Some((func, arg)) = native {
        return Ok((func, vec![arg]));
    }
    let mut types = Vec::with_capacity(indices.len());
    let mut args = Vec::with_capacity(indices.len());
    for i in indices {
        let Some(f) = schema.fields.get(i) else {
            return Err(RunError::internal(format!(
                "{} reads field {i} of a {}-field relation",
                agg.func.name(),
                schema.fields.len()
            )));
        };
        types.push(f.ty.clone());
        args.push(column(i));
    }
    Ok((udaf(PigUdaf::new(agg.clone(), Some(types))), args))
}

fn udaf(f: PigUdaf) -> Arc<AggregateUDF> {
    Arc::new(AggregateUDF::new_from_impl(f))
}
