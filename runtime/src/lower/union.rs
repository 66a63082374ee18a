//! UNION on DataFusion's `UnionExec`: every input's tasks, one after another, each input's
//! batches first converted into the union's layout where Pig's union schema differs from
//! the input's.
//!
//! Pig types a union field as the inputs' common type (or bytearray): a field of another
//! type is cast to it, as the row engine casts values (`expr::physical_expr` of a Pig
//! cast); a field going into a bytearray keeps its values as the row engine packs them. A
//! union of inputs of different widths, or of an input of unknown schema, has no schema:
//! its rows are the encoded tuples of the single `__row` column, which a known input's
//! rows are packed into.

use std::sync::Arc;

use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::union::UnionExec;
use datafusion::physical_plan::{ExecutionPlan, PhysicalExpr};
use pigrs_grammar::Span;
use pigrs_planner::expr::{Expr, ExprKind};
use pigrs_udf::PigType;

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::expr::physical_expr;
use crate::layout::Layout;
use crate::ops::meter::{Counter, MeterExec};
use crate::stats::{StageStats, Stats};

/// The union of `inputs` (each with its rows in its layout of `layouts`) in `out`'s layout:
/// the plan of the union stage and that stage.
pub fn union(
    inputs: Vec<Arc<dyn ExecutionPlan>>,
    layouts: &[Layout],
    out: &Layout,
    span: Span,
    ctx: &EvalCtx,
    stats: &Stats,
) -> Result<(Arc<dyn ExecutionPlan>, Arc<StageStats>), RunError> {
    let mut converted = Vec::with_capacity(inputs.len());
    for (plan, layout) in inputs.into_iter().zip(layouts) {
        converted.push(convert(plan, layout, out, span, ctx)?);
    }
    let tasks: usize = converted
        .iter()
        .map(|p| p.properties().partitioning.partition_count())
        .sum();
    let all = UnionExec::try_new(converted).map_err(RunError::internal)?;
    let stage = stats.stage("Union", tasks.max(1));
    stage.set_features(vec!["UNION"]);
    Ok((
        MeterExec::new(all, stage.clone(), Counter::In, false),
        stage,
    ))
}

/// `plan`'s batches (in `from`) in the layout `to`.
fn convert(
    plan: Arc<dyn ExecutionPlan>,
    from: &Layout,
    to: &Layout,
    span: Span,
    ctx: &EvalCtx,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    if from.arrow == to.arrow {
        return Ok(plan);
    }
    let column = |i: usize, ty: PigType| Expr::new(ExprKind::Column(i), ty, span);
    let exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = match (&from.schema, &to.schema) {
        (Some(f), Some(t)) if f.fields.len() == t.fields.len() => {
            let mut exprs = Vec::with_capacity(t.fields.len());
            for (i, (ff, tf)) in f.fields.iter().zip(&t.fields).enumerate() {
                let name = to.arrow.field(i).name().clone();
                let expr: Arc<dyn PhysicalExpr> = if ff.ty == tf.ty
                    || (from.arrow.field(i).data_type() == to.arrow.field(i).data_type()
                        && std::mem::discriminant(&ff.ty) == std::mem::discriminant(&tf.ty))
                {
                    Arc::new(Column::new(from.arrow.field(i).name(), i))
                } else if tf.ty == PigType::Bytearray {
                    // The values as they are, packed into the bytearray column.
                    physical_expr(&column(i, PigType::Bytearray), from, ctx)?
                } else {
                    let cast = ExprKind::Cast(Box::new(column(i, ff.ty.clone())));
                    physical_expr(&Expr::new(cast, tf.ty.clone(), span), from, ctx)?
                };
                exprs.push((expr, name));
            }
            exprs
        }
        // Encoded rows stay as they are.
        (None, None) => return Ok(plan),
        (Some(f), None) => {
            let fields = (0..f.fields.len())
                .map(|i| column(i, f.fields[i].ty.clone()))
                .collect();
            let row = Expr::new(ExprKind::MakeTuple(fields), PigType::Tuple(None), span);
            vec![(physical_expr(&row, from, ctx)?, "__row".to_string())]
        }
        _ => {
            return Err(RunError::internal(format!(
                "a union input of schema {:?} has no place in a union of schema {:?}",
                from.schema, to.schema
            )));
        }
    };
    Ok(Arc::new(
        ProjectionExec::try_new(exprs, plan).map_err(RunError::internal)?,
    ))
}
