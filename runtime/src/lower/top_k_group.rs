//! GROUP feeding a nested `ORDER ... LIMIT n` (the `top_k` rule's `Operator::TopKGroup`) on
//! DataFusion's per-key top-k: every map task keeps only the first n rows of each key
//! (`PartitionedTopKExec`), the shuffle moves those, every reduce task keeps the first n of
//! each of its keys again and `BagsExec` makes one `(group, bag)` row per key. The nested
//! ORDER and LIMIT of the FOREACH above then pick the final n from each bag.
//!
//! ```text
//! BagsExec: keys=[0], bag=3 fields                                          reduce stage
//!   PartitionedTopKExec: fetch=20, partition=[__pk0], order=[__ok0 DESC, __seq]
//!     RepartitionExec: partitioning=Hash([__pk0@0], n)                      shuffle
//!       PartitionedTopKExec: fetch=20, ...                                  map stage
//!         SeqExec
//!           ProjectionExec: expr=[lang as __pk0, visits as __ok0, lang as __g0, ...]
//! ```
//!
//! The partition keys are canonical (`expr::key::group_key`: one zero and one NaN, maps in
//! one order), the order keys order as Pig compares (`expr::key::order_key`) with nulls
//! smallest, and the row's position is the last key, so that rows with equal keys keep
//! their input order within a task, as the bag did.

use std::sync::Arc;

use arrow::compute::SortOptions;
use datafusion::common::ScalarValue;
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::expressions::{Column, Literal};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::partitioned_topk::{PartitionedTopKExec, WindowFnKind};
use datafusion::physical_plan::{ExecutionPlan, Partitioning, PhysicalExpr};
use pigrs_planner::logical::{GroupKeys, SortKey};

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::expr::key::{group_key, order_key};
use crate::expr::physical_expr;
use crate::layout::Layout;
use crate::lower::sort_limit::StageRows;
use crate::ops::bags::{BagColumns, BagFields, BagsExec};
use crate::ops::meter::{Counter, MeterExec};
use crate::ops::seq::{SEQ, SeqExec};
use crate::stats::{StageStats, Stats};

/// The GROUP (in `output`'s layout: the group and one bag) of the rows of `input` (in
/// `layout`) by `keys`, each bag holding only the first `n` rows of its key by `order`, in
/// `partitions` reduce tasks. Returns the reduce stage's plan and statistics.
#[allow(clippy::too_many_arguments)]
pub fn top_k_group(
    input: StageRows,
    layout: &Layout,
    keys: &GroupKeys,
    order: &[SortKey],
    n: usize,
    partitions: usize,
    output: &Layout,
    ctx: &EvalCtx,
    stats: &Stats,
) -> Result<(Arc<dyn ExecutionPlan>, Arc<StageStats>), RunError> {
    let internal = |e: datafusion::error::DataFusionError| RunError::internal(e);
    let mut exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::new();
    // The partition keys (GROUP ALL: one constant key).
    let key_exprs = match keys {
        GroupKeys::All => Vec::new(),
        GroupKeys::Exprs(es) => es.clone(),
    };
    if key_exprs.is_empty() {
        exprs.push((
            Arc::new(Literal::new(ScalarValue::Utf8View(Some("all".into())))),
            "__pk0".into(),
        ));
    }
    for (i, e) in key_exprs.iter().enumerate() {
        let value = physical_expr(e, layout, ctx)?;
        let key = group_key(value.clone(), Some(&e.ty)).unwrap_or(value);
        exprs.push((key, format!("__pk{i}")));
    }
    let npk = exprs.len();
    for (i, k) in order.iter().enumerate() {
        exprs.push((order_key(&k.expr, layout, ctx)?, format!("__ok{i}")));
    }
    let group_at = exprs.len();
    let mut group = Vec::new();
    for (i, e) in key_exprs.iter().enumerate() {
        group.push((group_at + i, e.ty.clone()));
        exprs.push((physical_expr(e, layout, ctx)?, format!("__g{i}")));
    }
    let fields_at = exprs.len();
    for (i, f) in layout.arrow.fields().iter().enumerate() {
        exprs.push((Arc::new(Column::new(f.name(), i)), f.name().clone()));
    }
    let fields = match &layout.schema {
        Some(s) => BagFields::Columns(
            s.fields
                .iter()
                .enumerate()
                .map(|(i, f)| (fields_at + i, f.ty.clone()))
                .collect(),
        ),
        None => BagFields::Encoded(fields_at),
    };
    let seq_at = exprs.len();
    let mut sort: Vec<PhysicalSortExpr> = (0..npk)
        .map(|i| {
            PhysicalSortExpr::new(
                Arc::new(Column::new(&format!("__pk{i}"), i)),
                SortOptions::default(),
            )
        })
        .collect();
    sort.extend(order.iter().enumerate().map(|(i, k)| {
        PhysicalSortExpr::new(
            Arc::new(Column::new(&format!("__ok{i}"), npk + i)),
            // Pig: null is the smallest value.
            SortOptions {
                descending: k.desc,
                nulls_first: !k.desc,
            },
        )
    }));
    sort.push(PhysicalSortExpr::new(
        Arc::new(Column::new(SEQ, seq_at)),
        SortOptions::default(),
    ));
    let sort = LexOrdering::new(sort).ok_or_else(|| RunError::internal("a top-k without keys"))?;
    // LIMIT 0 still has its groups, with empty bags: keep one row to make each.
    let fetch = n.max(1);
    let top_k = |plan: Arc<dyn ExecutionPlan>| -> Result<Arc<dyn ExecutionPlan>, RunError> {
        Ok(Arc::new(
            PartitionedTopKExec::try_new(plan, sort.clone(), npk, fetch, WindowFnKind::RowNumber)
                .map_err(internal)?,
        ))
    };

    input.stage.add_feature("TOP_K");
    let partial = input.then_end(|plan| {
        let keyed = ProjectionExec::try_new(exprs, plan).map_err(internal)?;
        top_k(SeqExec::new(Arc::new(keyed)))
    })?;
    let hash: Vec<Arc<dyn PhysicalExpr>> = (0..npk)
        .map(|i| Arc::new(Column::new(&format!("__pk{i}"), i)) as _)
        .collect();
    let shuffled = RepartitionExec::try_new(partial, Partitioning::Hash(hash, partitions.max(1)))
        .map_err(internal)?;

    let stage = stats.stage("GroupReduce", partitions.max(1));
    stage.set_features(vec!["GROUP_BY", "TOP_K"]);
    let metered = MeterExec::new(Arc::new(shuffled), stage.clone(), Counter::In, false);
    let kept = top_k(metered)?;
    let columns = BagColumns {
        keys: (0..npk).collect(),
        group: match keys {
            GroupKeys::All => Vec::new(),
            GroupKeys::Exprs(_) => group,
        },
        fields,
        inputs: None,
    };
    Ok((BagsExec::new(kept, columns, output.clone()), stage))
}
