//! JOIN on DataFusion's `HashJoinExec`.
//!
//! A hash (reduce-side) join hash-partitions every input on its keys (`RepartitionExec`,
//! the shuffle) and joins partition by partition (`PartitionMode::Partitioned`), in a
//! reduce stage of its own. A replicated join builds one hash table per small input, once
//! for all tasks (`PartitionMode::CollectLeft`), and streams the large input through them
//! in the large input's own stage: nothing of it is shuffled.
//!
//! ```text
//! ProjectionExec: expr=[name@0 as a::name, n@1 as a::n, name@2 as b::name, m@3 as b::m]
//!   HashJoinExec: mode=Partitioned, join_type=Left, on=[(name@0, name@0)]   reduce stage
//!     RepartitionExec: partitioning=Hash([name@0], n)                         shuffle
//!       <input a's stage>
//!     RepartitionExec: partitioning=Hash([name@0], n)
//!       <input b's stage>
//! ```
//!
//! Rows are those of the row engine's join: the fields of input 0, then input 1, ...; a
//! null key, or a key of several parts with a null part, matches nothing but keeps its row
//! on an outer side; keys compare as pigrs's encoded keys do (see [`CanonicalKey`]).
//! DataFusion's build side is its left input, so a replicated LEFT OUTER join (large input
//! first) is DataFusion's Right join with the small input on the left, and the anti join
//! a RightAnti; the final projection puts the fields back in Pig's order, fills the anti
//! join's right side with nulls and names the fields as the node's layout does. Joins of
//! three or more inputs chain two-input joins on the first input's keys.

use std::fmt;
use std::hash::Hash;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BinaryArray, BinaryBuilder};
use arrow::datatypes::{DataType, Float32Type, Float64Type, Schema as ArrowSchema};
use arrow::record_batch::RecordBatch;
use datafusion::common::{JoinType as DFJoinType, NullEquality, ScalarValue};
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::coalesce_partitions::CoalescePartitionsExec;
use datafusion::physical_plan::expressions::{Column, Literal};
use datafusion::physical_plan::joins::{HashJoinExec, PartitionMode};
use datafusion::physical_plan::projection::ProjectionExec;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::{ExecutionPlan, Partitioning};
use pigrs_planner::expr::Expr;
use pigrs_planner::logical::JoinType;
use pigrs_udf::{PigType, Schema, Tuple, Value, arrow_layout, codec};

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::exec::canonical;
use crate::expr::physical_expr;
use crate::layout::{Layout, decode_tuple};
use crate::ops::compact::CompactExec;
use crate::ops::meter::{Counter, MeterExec};
use crate::stats::StageStats;

/// One input of a join: the plan giving its rows, their layout, and its join keys.
pub struct JoinInput {
    /// The plan.
    pub plan: Arc<dyn ExecutionPlan>,
    /// The layout of its batches.
    pub layout: Layout,
    /// Its join keys (one or several, typed alike across inputs by the planner).
    pub keys: Vec<Expr>,
}

/// A hash join of `inputs` into `partitions` reduce tasks of the stage `stage` (whose
/// records in it counts), giving batches in `out`.
pub fn hash_join(
    inputs: Vec<JoinInput>,
    join_type: JoinType,
    out: &Layout,
    partitions: usize,
    ctx: &EvalCtx,
    stage: &Arc<StageStats>,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    let df_type = match join_type {
        JoinType::Inner => DFJoinType::Inner,
        JoinType::Left => DFJoinType::Left,
        JoinType::Right => DFJoinType::Right,
        JoinType::Full => DFJoinType::Full,
        JoinType::LeftAnti => DFJoinType::LeftAnti,
    };
    if inputs.len() < 2 || (join_type != JoinType::Inner && inputs.len() != 2) {
        return Err(RunError::internal(format!(
            "a {join_type:?} join of {} inputs",
            inputs.len()
        )));
    }
    let layouts: Vec<Layout> = inputs.iter().map(|i| i.layout.clone()).collect();
    let mut shuffled = Vec::with_capacity(inputs.len());
    for input in inputs {
        let k = keyed(input, ctx)?;
        let part = RepartitionExec::try_new(
            k.plan,
            Partitioning::Hash(k.keys.clone(), partitions.max(1)),
        )
        .map_err(RunError::internal)?;
        let metered = MeterExec::new(Arc::new(part), stage.clone(), Counter::In, false);
        shuffled.push((metered as Arc<dyn ExecutionPlan>, k.keys));
    }
    let mut shuffled = shuffled.into_iter();
    let (mut plan, keys) = shuffled
        .next()
        .ok_or_else(|| RunError::internal("a join without inputs"))?;
    let mut starts = vec![Some(0)];
    // Every input after the first is joined to the rows so far on the first input's keys,
    // which keep their columns: the rows of a key stay in the partition they were
    // shuffled to, so the next input's shuffle meets them there.
    for (right, right_keys) in shuffled {
        let width = plan.schema().fields().len();
        plan = join(
            plan,
            right,
            &keys,
            &right_keys,
            df_type,
            PartitionMode::Partitioned,
        )?;
        starts.push((join_type != JoinType::LeftAnti).then_some(width));
    }
    project(plan, &layouts, &starts, out)
}

/// A replicated join: `large` streamed, in its own stage, through hash tables of the
/// `small` inputs' rows, each built once for all of its tasks; batches in `out`.
pub fn replicated_join(
    large: JoinInput,
    small: Vec<JoinInput>,
    join_type: JoinType,
    out: &Layout,
    ctx: &EvalCtx,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    // The small input is DataFusion's left (build) side.
    let df_type = match join_type {
        JoinType::Inner => DFJoinType::Inner,
        JoinType::Left => DFJoinType::Right,
        JoinType::LeftAnti => DFJoinType::RightAnti,
        JoinType::Right | JoinType::Full => {
            return Err(RunError::internal(format!(
                "a replicated {join_type:?} join"
            )));
        }
    };
    if small.is_empty() || (join_type != JoinType::Inner && small.len() != 1) {
        return Err(RunError::internal(format!(
            "a replicated {join_type:?} join of {} small inputs",
            small.len()
        )));
    }
    let mut layouts = vec![large.layout.clone()];
    let large = keyed(large, ctx)?;
    let (mut plan, mut keys) = (large.plan, large.keys);
    let mut starts = vec![Some(0)];
    for input in small {
        layouts.push(input.layout.clone());
        let s = keyed(input, ctx)?;
        let build: Arc<dyn ExecutionPlan> =
            if s.plan.properties().partitioning.partition_count() == 1 {
                s.plan
            } else {
                Arc::new(CoalescePartitionsExec::new(s.plan))
            };
        let width = build.schema().fields().len();
        plan = join(
            build,
            plan,
            &s.keys,
            &keys,
            df_type,
            PartitionMode::CollectLeft,
        )?;
        if join_type == JoinType::LeftAnti {
            // Only the large input's columns are left.
            starts.push(None);
            continue;
        }
        // The small input's columns come first: the others move right.
        for s in starts.iter_mut().flatten() {
            *s += width;
        }
        starts.push(Some(0));
        keys = keys
            .iter()
            .map(|k| shifted(k, width))
            .collect::<Result<_, _>>()?;
    }
    project(plan, &layouts, &starts, out)
}

/// One DataFusion hash join: `left` is the build side.
fn join(
    left: Arc<dyn ExecutionPlan>,
    right: Arc<dyn ExecutionPlan>,
    left_keys: &[Arc<dyn PhysicalExpr>],
    right_keys: &[Arc<dyn PhysicalExpr>],
    join_type: DFJoinType,
    mode: PartitionMode,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    let on = left_keys
        .iter()
        .cloned()
        .zip(right_keys.iter().cloned())
        .collect();
    // The build side is held whole: it holds its own strings.
    let join = HashJoinExec::try_new(
        CompactExec::new(left),
        right,
        on,
        None,
        &join_type,
        None,
        mode,
        NullEquality::NullEqualsNothing,
        false,
    )
    .map_err(RunError::internal)?;
    Ok(Arc::new(join))
}

/// A key column moved right by `by` columns.
fn shifted(key: &Arc<dyn PhysicalExpr>, by: usize) -> Result<Arc<dyn PhysicalExpr>, RunError> {
    let c = key
        .downcast_ref::<Column>()
        .ok_or_else(|| RunError::internal(format!("join key {key} is not a column")))?;
    Ok(Arc::new(Column::new(c.name(), c.index() + by)))
}

/// An input whose join keys are columns of its batches.
struct Keyed {
    plan: Arc<dyn ExecutionPlan>,
    /// The key columns.
    keys: Vec<Arc<dyn PhysicalExpr>>,
}

/// The input with its keys as columns: a key that is a field of a type compared as it is
/// stays that field; any other key is computed once per row (by a `ProjectionExec` adding
/// it after the fields), so the shuffle and the join read the same values.
fn keyed(input: JoinInput, ctx: &EvalCtx) -> Result<Keyed, RunError> {
    let width = input.layout.arrow.fields().len();
    let mut keys = Vec::with_capacity(input.keys.len());
    let mut computed = Vec::new();
    for k in &input.keys {
        let e = CanonicalKey::wrap(physical_expr(k, &input.layout, ctx)?, &k.ty);
        if e.is::<Column>() {
            keys.push(e);
        } else {
            let name = format!("__key{}", computed.len());
            keys.push(Arc::new(Column::new(&name, width + computed.len())) as _);
            computed.push((e, name));
        }
    }
    if computed.is_empty() {
        return Ok(Keyed {
            plan: input.plan,
            keys,
        });
    }
    let fields = input
        .layout
        .arrow
        .fields()
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (
                Arc::new(Column::new(f.name(), i)) as Arc<dyn PhysicalExpr>,
                f.name().clone(),
            )
        });
    let exprs: Vec<_> = fields.chain(computed).collect();
    let plan = ProjectionExec::try_new(exprs, input.plan).map_err(RunError::internal)?;
    Ok(Keyed {
        plan: Arc::new(plan),
        keys,
    })
}

/// The joined rows in `out`'s layout: input `i`'s fields are the columns from `starts[i]`
/// (none: all null, the anti join's right side).
pub(super) fn project(
    plan: Arc<dyn ExecutionPlan>,
    layouts: &[Layout],
    starts: &[Option<usize>],
    out: &Layout,
) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    let joined = plan.schema();
    let column =
        |i: usize| -> Arc<dyn PhysicalExpr> { Arc::new(Column::new(joined.field(i).name(), i)) };
    let exprs: Vec<(Arc<dyn PhysicalExpr>, String)> = if out.schema.is_none() {
        // Rows of unknown width: each joined row encoded whole.
        let mut sides = Vec::with_capacity(layouts.len());
        let mut columns = Vec::new();
        for (layout, start) in layouts.iter().zip(starts) {
            let width = layout.arrow.fields().len();
            sides.push(Side {
                schema: layout.schema.clone(),
                present: start.is_some(),
            });
            if let Some(s) = start {
                columns.extend((*s..s + width).map(column));
            }
        }
        let name = out.arrow.field(0).name().clone();
        vec![(Arc::new(JoinedRow { sides, columns }), name)]
    } else {
        let mut exprs = Vec::with_capacity(out.arrow.fields().len());
        for (layout, start) in layouts.iter().zip(starts) {
            for (j, f) in layout.arrow.fields().iter().enumerate() {
                let e: Arc<dyn PhysicalExpr> = match start {
                    Some(s) => column(s + j),
                    None => Arc::new(Literal::new(
                        ScalarValue::try_from(f.data_type()).map_err(RunError::internal)?,
                    )),
                };
                let name = out.arrow.fields().get(exprs.len()).ok_or_else(|| {
                    RunError::internal("the joined rows are wider than the join's schema")
                })?;
                exprs.push((e, name.name().clone()));
            }
        }
        if exprs.len() != out.arrow.fields().len() {
            return Err(RunError::internal(
                "the joined rows are narrower than the join's schema",
            ));
        }
        exprs
    };
    Ok(Arc::new(
        ProjectionExec::try_new(exprs, plan).map_err(RunError::internal)?,
    ))
}

/// A join key as pigrs compares keys: values equal as Pig values are equal as Arrow
/// values. DataFusion compares floats by their bits (`-0.0` is not `0.0`, a NaN is
/// itself) and binary columns by their bytes; the row engine compared encoded canonical
/// values (`exec::canonical`): `-0.0` becomes `0.0`, and a decimal, tuple, bag or map is
/// re-encoded canonically (trailing zeros, entry and tuple order). Datetimes and
/// bigintegers encode canonically already.
#[derive(Debug, Eq)]
struct CanonicalKey {
    input: Arc<dyn PhysicalExpr>,
    ty: PigType,
}

impl PartialEq for CanonicalKey {
    fn eq(&self, other: &Self) -> bool {
        self.ty == other.ty && self.input.eq(&other.input)
    }
}

impl Hash for CanonicalKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.input.hash(state);
        self.ty.hash(state);
    }
}

impl CanonicalKey {
    /// `e`, of Pig type `ty`, made canonical where its type needs it.
    fn wrap(e: Arc<dyn PhysicalExpr>, ty: &PigType) -> Arc<dyn PhysicalExpr> {
        match ty {
            PigType::Float
            | PigType::Double
            | PigType::BigDecimal
            | PigType::Tuple(_)
            | PigType::Bag(_)
            | PigType::Map(_) => Arc::new(CanonicalKey {
                input: e,
                ty: ty.clone(),
            }),
            _ => e,
        }
    }
}

impl fmt::Display for CanonicalKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "canonical({})", self.input)
    }
}

impl PhysicalExpr for CanonicalKey {
    fn data_type(&self, input_schema: &ArrowSchema) -> DFResult<DataType> {
        self.input.data_type(input_schema)
    }

    fn nullable(&self, input_schema: &ArrowSchema) -> DFResult<bool> {
        self.input.nullable(input_schema)
    }

    fn evaluate(&self, batch: &RecordBatch) -> DFResult<ColumnarValue> {
        let a = self
            .input
            .evaluate(batch)?
            .into_array_of_size(batch.num_rows())?;
        let zero = |what: &str| DataFusionError::Internal(format!("{self}: {what}"));
        let out: ArrayRef = match a.data_type() {
            DataType::Float64 => Arc::new(
                a.as_primitive_opt::<Float64Type>()
                    .ok_or_else(|| zero("not doubles"))?
                    .unary::<_, Float64Type>(|v| if v == 0.0 { 0.0 } else { v }),
            ),
            DataType::Float32 => Arc::new(
                a.as_primitive_opt::<Float32Type>()
                    .ok_or_else(|| zero("not floats"))?
                    .unary::<_, Float32Type>(|v| if v == 0.0 { 0.0 } else { v }),
            ),
            DataType::Binary => {
                let bytes = a.as_binary_opt::<i32>().ok_or_else(|| zero("not binary"))?;
                let mut b = BinaryBuilder::with_capacity(bytes.len(), bytes.value_data().len());
                for v in bytes.iter() {
                    match v.map(codec::decode) {
                        None => b.append_null(),
                        Some(Ok(v)) => b.append_value(codec::encode_to_vec(&canonical(v))),
                        // Bytes that do not decode compare as they are.
                        Some(Err(_)) => b.append_value(v.unwrap_or_default()),
                    }
                }
                Arc::new(b.finish())
            }
            _ => a,
        };
        Ok(ColumnarValue::Array(out))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> DFResult<Arc<dyn PhysicalExpr>> {
        let input = children
            .pop()
            .ok_or_else(|| DataFusionError::Internal(format!("{self} has one child")))?;
        Ok(Arc::new(CanonicalKey {
            input,
            ty: self.ty.clone(),
        }))
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// One input's part of a joined row of unknown width.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Side {
    /// The input's schema: its fields are that many columns; unknown, one column of
    /// encoded rows.
    schema: Option<Schema>,
    /// Whether its columns are in the joined batches (not the anti join's right side).
    present: bool,
}

/// The joined row encoded whole, for a join whose schema is unknown (an input's is): the
/// fields of each input in turn. An input of known schema with no match (an outer join's
/// null side) gives as many nulls as it has fields; one of unknown width gives none, as
/// its width is not known.
#[derive(Debug, PartialEq, Eq, Hash)]
struct JoinedRow {
    sides: Vec<Side>,
    /// The columns of the present sides, in order.
    columns: Vec<Arc<dyn PhysicalExpr>>,
}

impl fmt::Display for JoinedRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("joined_row(")?;
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{c}")?;
        }
        f.write_str(")")
    }
}

impl PhysicalExpr for JoinedRow {
    fn data_type(&self, _input_schema: &ArrowSchema) -> DFResult<DataType> {
        Ok(DataType::Binary)
    }

    fn nullable(&self, _input_schema: &ArrowSchema) -> DFResult<bool> {
        Ok(false)
    }

    fn evaluate(&self, batch: &RecordBatch) -> DFResult<ColumnarValue> {
        let n = batch.num_rows();
        let arrays = self
            .columns
            .iter()
            .map(|c| c.evaluate(batch)?.into_array_of_size(n))
            .collect::<DFResult<Vec<ArrayRef>>>()?;
        let mut out = BinaryBuilder::with_capacity(n, n * 32);
        let mut buf = Vec::new();
        for row in 0..n {
            let mut joined: Tuple = Vec::new();
            let mut at = 0;
            for side in &self.sides {
                match (&side.schema, side.present) {
                    (Some(s), true) => {
                        for (f, a) in s.fields.iter().zip(&arrays[at..]) {
                            joined.push(arrow_layout::value_at(a, &f.ty, row));
                        }
                        at += s.fields.len();
                    }
                    (Some(s), false) => {
                        joined.extend(std::iter::repeat_n(Value::Null, s.fields.len()));
                    }
                    (None, true) => {
                        let rows = arrays
                            .get(at)
                            .and_then(|a| a.as_any().downcast_ref::<BinaryArray>())
                            .ok_or_else(|| {
                                DataFusionError::Internal(format!("{self}: no encoded rows"))
                            })?;
                        if !rows.is_null(row) {
                            joined.extend(decode_tuple(rows.value(row)));
                        }
                        at += 1;
                    }
                    (None, false) => {}
                }
            }
            buf.clear();
            codec::encode_tuple(&joined, &mut buf);
            out.append_value(&buf);
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        self.columns.iter().collect()
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> DFResult<Arc<dyn PhysicalExpr>> {
        if children.len() != self.columns.len() {
            return Err(DataFusionError::Internal(format!(
                "{self} reads {} columns, not {}",
                self.columns.len(),
                children.len()
            )));
        }
        Ok(Arc::new(JoinedRow {
            sides: self
                .sides
                .iter()
                .map(|s| Side {
                    schema: s.schema.clone(),
                    present: s.present,
                })
                .collect(),
            columns: children,
        }))
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::{Float64Array, Int32Array};
    use arrow::datatypes::Field as ArrowField;

    use super::*;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        let fields: Vec<ArrowField> = columns
            .iter()
            .map(|(n, a)| ArrowField::new(*n, a.data_type().clone(), true))
            .collect();
        let arrays = columns.into_iter().map(|(_, a)| a).collect();
        RecordBatch::try_new(Arc::new(ArrowSchema::new(fields)), arrays).expect("batch")
    }

    fn eval(e: &dyn PhysicalExpr, b: &RecordBatch) -> ArrayRef {
        e.evaluate(b)
            .and_then(|v| v.into_array(b.num_rows()))
            .expect("evaluates")
    }

    fn column(name: &str, i: usize) -> Arc<dyn PhysicalExpr> {
        Arc::new(Column::new(name, i))
    }

    #[test]
    fn double_keys_lose_the_sign_of_zero_only() {
        let values = Float64Array::from(vec![
            Some(-0.0),
            Some(0.0),
            Some(f64::NAN),
            None,
            Some(-2.5),
        ]);
        let b = batch(vec![("d", Arc::new(values))]);
        let key = CanonicalKey::wrap(column("d", 0), &PigType::Double);
        let out = eval(key.as_ref(), &b);
        let out = out.as_primitive::<Float64Type>();
        assert_eq!(out.value(0).to_bits(), 0.0f64.to_bits());
        assert_eq!(out.value(1).to_bits(), 0.0f64.to_bits());
        assert!(out.value(2).is_nan());
        assert!(out.is_null(3));
        assert_eq!(out.value(4), -2.5);
    }

    #[test]
    fn keys_of_flat_types_stay_columns() {
        for ty in [
            PigType::Int,
            PigType::Long,
            PigType::Chararray,
            PigType::Datetime,
        ] {
            assert!(
                CanonicalKey::wrap(column("k", 0), &ty).is::<Column>(),
                "{ty}"
            );
        }
    }

    #[test]
    fn equal_maps_encode_alike_in_any_entry_order() {
        let map = |entries: &[(&str, Value)]| {
            Value::Map(Box::new(
                entries
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            ))
        };
        let a = map(&[("x", Value::Int(1)), ("y", Value::Double(-0.0))]);
        let b = map(&[("y", Value::Double(0.0)), ("x", Value::Int(1))]);
        assert_ne!(codec::encode_to_vec(&a), codec::encode_to_vec(&b));
        let col: ArrayRef = Arc::new(BinaryArray::from(vec![
            Some(codec::encode_to_vec(&a).as_slice()),
            Some(codec::encode_to_vec(&b).as_slice()),
            None,
        ]));
        let b = batch(vec![("m", col)]);
        let key = CanonicalKey::wrap(column("m", 0), &PigType::Map(None));
        let out = eval(key.as_ref(), &b);
        let out = out.as_binary::<i32>();
        assert_eq!(out.value(0), out.value(1));
        assert!(out.is_null(2));
    }

    #[test]
    fn joined_rows_of_unknown_width_skip_absent_sides_of_unknown_width() {
        let left = codec::encode_to_vec(&Value::Tuple(Box::new(vec![
            Value::Int(1),
            Value::Chararray("p".into()),
        ])));
        let rows: ArrayRef = Arc::new(BinaryArray::from(vec![Some(left.as_slice()), None]));
        let ints: ArrayRef = Arc::new(Int32Array::from(vec![None, Some(7)]));
        let b = batch(vec![("__row", rows), ("k", ints)]);
        let typed = Schema::new(vec![pigrs_udf::Field::new("k", PigType::Int)]);
        let expr = JoinedRow {
            sides: vec![
                Side {
                    schema: None,
                    present: true,
                },
                Side {
                    schema: Some(typed.clone()),
                    present: true,
                },
                Side {
                    schema: Some(typed),
                    present: false,
                },
            ],
            columns: vec![column("__row", 0), column("k", 1)],
        };
        let out = eval(&expr, &b);
        let out = out.as_binary::<i32>();
        assert_eq!(
            decode_tuple(out.value(0)),
            vec![
                Value::Int(1),
                Value::Chararray("p".into()),
                Value::Null,
                Value::Null
            ]
        );
        assert_eq!(decode_tuple(out.value(1)), vec![Value::Int(7), Value::Null]);
    }
}
