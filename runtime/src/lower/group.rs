//! GROUP and COGROUP whose bags are built (their FOREACH reads them as bags, so no
//! aggregate replaces them) on DataFusion's shuffle and spilling sort, with pigrs's
//! `BagsExec` making one `(group, bag, ...)` row per key.
//!
//! ```text
//! BagsExec: keys=[0, 1], bag=encoded rows                                  reduce stage
//!   SortExec: [__pk0, __split, __tag, __seq], preserve_partitioning        (spills)
//!     RepartitionExec: partitioning=Hash([__pk0], n)                       shuffle
//!       UnionExec
//!         SeqExec                                                          map stage of A
//!           ProjectionExec: expr=[key as __pk0, __split, 0 as __tag, key as __g0, row as __row]
//!         SeqExec                                                          map stage of B
//!           ...
//! ```
//!
//! The partition keys are canonical (`expr::key::group_key`), so equal keys meet; the
//! group's value is the key as the row had it. A single input's bag takes the input's
//! columns as they are; a COGROUP's inputs have different fields, so each row travels
//! encoded (`__row`) with the input it came from (`__tag`), and each input gets a bag of its
//! own. In a COGROUP by one key, a null key of one input is a group of its own (`__split`),
//! as in Pig. The sort holds no whole group: it spills beyond the memory pool, and
//! `BagsExec` holds one group at a time.

use std::sync::Arc;

use arrow::compute::SortOptions;
use datafusion::common::ScalarValue;
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::expressions::{CaseExpr, Column, IsNullExpr, Literal};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::union::UnionExec;
use datafusion::physical_plan::{ExecutionPlan, Partitioning, PhysicalExpr};
use pigrs_planner::expr::{Expr, ExprKind};
use pigrs_planner::logical::GroupKeys;
use pigrs_udf::PigType;

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::expr::key::group_key;
use crate::expr::physical_expr;
use crate::layout::Layout;
use crate::lower::sort_limit::StageRows;
use crate::ops::bags::{BagColumns, BagFields, BagsExec};
use crate::ops::compact::CompactExec;
use crate::ops::meter::{Counter, MeterExec};
use crate::ops::seq::SeqExec;
use crate::stats::{StageStats, Stats};

/// One input of a GROUP or COGROUP.
pub struct GroupInput {
    /// Its rows.
    pub rows: StageRows,
    /// Their layout.
    pub layout: Layout,
    /// Its keys.
    pub keys: GroupKeys,
}

/// The GROUP or COGROUP of `inputs` (in `output`'s layout: the group, then one bag per
/// input) into `partitions` reduce tasks; `inner` per input: drop the groups it has no rows
/// in. Returns the reduce stage's plan and statistics.
pub fn group(
    inputs: Vec<GroupInput>,
    inner: &[bool],
    partitions: usize,
    output: &Layout,
    ctx: &EvalCtx,
    stats: &Stats,
) -> Result<(Arc<dyn ExecutionPlan>, Arc<StageStats>), RunError> {
    let internal = |e: datafusion::error::DataFusionError| RunError::internal(e);
    let several = inputs.len() > 1;
    let mut maps = Vec::with_capacity(inputs.len());
    let mut columns = None;
    for (i, input) in inputs.into_iter().enumerate() {
        let (exprs, cols) = map_columns(&input, i, several, ctx)?;
        columns.get_or_insert(cols);
        maps.push(input.rows.then_end(|plan| {
            let keyed = ProjectionExec::try_new(exprs, plan).map_err(internal)?;
            Ok(SeqExec::new(Arc::new(keyed)) as Arc<dyn ExecutionPlan>)
        })?);
    }
    let Some(mut columns) = columns else {
        return Err(RunError::internal("a GROUP without inputs"));
    };
    let all: Arc<dyn ExecutionPlan> = if several {
        UnionExec::try_new(maps).map_err(internal)?
    } else {
        maps.pop()
            .ok_or_else(|| RunError::internal("a GROUP without inputs"))?
    };
    let schema = all.schema();
    let hash: Vec<Arc<dyn PhysicalExpr>> = (0..columns.keys.len())
        .map(|i| Arc::new(Column::new(schema.field(i).name(), i)) as _)
        .collect();
    let shuffled = RepartitionExec::try_new(all, Partitioning::Hash(hash, partitions.max(1)))
        .map_err(internal)?;

    let stage = stats.stage("GroupReduce", partitions.max(1));
    stage.set_features(vec![if several { "COGROUP" } else { "GROUP_BY" }]);
    let metered = MeterExec::new(Arc::new(shuffled), stage.clone(), Counter::In, false);
    // By key (and for a COGROUP the null-key split and the input), then input order.
    let mut order: Vec<usize> = columns.keys.clone();
    if let Some((tag, _)) = &columns.inputs {
        order.push(*tag);
    }
    order.push(schema.fields().len() - 1);
    let ordering = LexOrdering::new(order.iter().map(|&i| {
        PhysicalSortExpr::new(
            Arc::new(Column::new(schema.field(i).name(), i)),
            SortOptions::default(),
        )
    }))
    .ok_or_else(|| RunError::internal("a GROUP without keys"))?;
    // The sort holds its batches: each holds its own strings, not the scan's.
    let sorted =
        SortExec::new(ordering, CompactExec::new(metered)).with_preserve_partitioning(true);
    if let Some((_, flags)) = columns.inputs.as_mut() {
        *flags = inner.to_vec();
    }
    Ok((
        BagsExec::new(Arc::new(sorted), columns, output.clone()),
        stage,
    ))
}

/// The map side's columns for input `i`: its partition keys, for a COGROUP the null-key
/// split and the input's tag, the group's value, then the row (its columns, or encoded),
/// the position (`SeqExec`) coming last; and where `BagsExec` finds them.
fn map_columns(
    input: &GroupInput,
    i: usize,
    several: bool,
    ctx: &EvalCtx,
) -> Result<(Vec<(Arc<dyn PhysicalExpr>, String)>, BagColumns), RunError> {
    let layout = &input.layout;
    let key_exprs = match &input.keys {
        GroupKeys::All => Vec::new(),
        GroupKeys::Exprs(es) => es.clone(),
    };
    let literal = |v: ScalarValue| -> Arc<dyn PhysicalExpr> { Arc::new(Literal::new(v)) };
    let mut exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = Vec::new();
    if key_exprs.is_empty() {
        exprs.push((
            literal(ScalarValue::Utf8View(Some("all".into()))),
            "__pk0".into(),
        ));
    }
    for (j, e) in key_exprs.iter().enumerate() {
        let value = physical_expr(e, layout, ctx)?;
        let key = group_key(value.clone(), Some(&e.ty)).unwrap_or(value);
        exprs.push((key, format!("__pk{j}")));
    }
    let mut keys: Vec<usize> = (0..exprs.len()).collect();
    let mut inputs = None;
    if several {
        // COGROUP by one key: a null key of each input is a group of its own.
        let split = match key_exprs.as_slice() {
            [one] => {
                let key = physical_expr(one, layout, ctx)?;
                let null: Arc<dyn PhysicalExpr> = Arc::new(IsNullExpr::new(key));
                let tag = literal(ScalarValue::Int32(Some(i as i32)));
                Arc::new(
                    CaseExpr::try_new(
                        None,
                        vec![(null, tag)],
                        Some(literal(ScalarValue::Int32(Some(-1)))),
                    )
                    .map_err(RunError::internal)?,
                ) as Arc<dyn PhysicalExpr>
            }
            _ => literal(ScalarValue::Int32(Some(-1))),
        };
        keys.push(exprs.len());
        exprs.push((split, "__split".into()));
        inputs = Some((exprs.len(), Vec::new()));
        exprs.push((literal(ScalarValue::Int32(Some(i as i32))), "__tag".into()));
    }
    let group_at = exprs.len();
    let mut group = Vec::new();
    for (j, e) in key_exprs.iter().enumerate() {
        group.push((group_at + j, e.ty.clone()));
        exprs.push((physical_expr(e, layout, ctx)?, format!("__g{j}")));
    }
    let fields_at = exprs.len();
    let fields = match (&layout.schema, several) {
        (Some(schema), false) => {
            for (j, f) in layout.arrow.fields().iter().enumerate() {
                exprs.push((Arc::new(Column::new(f.name(), j)), f.name().clone()));
            }
            BagFields::Columns(
                schema
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(j, f)| (fields_at + j, f.ty.clone()))
                    .collect(),
            )
        }
        (None, false) => {
            exprs.push((Arc::new(Column::new("__row", 0)), "__row".into()));
            BagFields::Encoded(fields_at)
        }
        (schema, true) => {
            // Inputs of different fields travel as encoded rows.
            let row = Expr::new(
                ExprKind::WholeRow,
                PigType::Tuple(schema.clone()),
                Default::default(),
            );
            exprs.push((physical_expr(&row, layout, ctx)?, "__row".into()));
            BagFields::Encoded(fields_at)
        }
    };
    Ok((
        exprs,
        BagColumns {
            keys,
            group: match input.keys {
                GroupKeys::All => Vec::new(),
                GroupKeys::Exprs(_) => group,
            },
            fields,
            inputs,
        },
    ))
}
