//! The one adapter from batches to the row evaluator: evaluates an expression that has no
//! native kernel row by row with [`EvalCtx::eval`].
//!
//! Calls of functions that prefer batches (plugin functions, whose every call crosses into a
//! foreign library) are hoisted out of the row loop where the row evaluator would evaluate
//! them on every row: their arguments are evaluated row by row, then the function is
//! called once for the whole batch with [`EvalFunc::eval_batch`](pigrs_udf::func::EvalFunc::eval_batch), and the expression reads
//! each row's result from a slot ([`hoist`]). A call under a branch that some rows skip
//! is called once for the rows that take the branch, so that it runs, and fails, on exactly
//! the rows it would without hoisting.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryArray};
use arrow::datatypes::{DataType, Schema as ArrowSchema};
use arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::expressions::Column;
use pigrs_planner::expr::{Expr, ExprKind};
use pigrs_udf::arrow_layout::ColumnEncoder;
use pigrs_udf::{PigType, Tuple, Value, arrow_layout, codec};

use super::operand;
use crate::error::RunError;
use crate::eval::{EvalCtx, EvalError, HoistedCall, hoist};
use crate::layout::{Layout, decode_tuple};

/// Evaluates a Pig expression on each row of a batch with the row evaluator.
///
/// Its children are the columns it reads: with a known schema, one per field the
/// expression uses (all of them for `*`), decoded as the field's Pig type; with an unknown
/// schema, the `__row` column of encoded tuples. The results are packed into an array of
/// the expression's type with [`arrow_layout::to_array`].
#[derive(Debug)]
pub struct RowExpr {
    expr: Arc<Expr>,
    ctx: EvalCtx,
    source: Source,
    inputs: Vec<Arc<dyn PhysicalExpr>>,
    /// `expr` with its hoisted calls replaced by `Slot(k)`, and the calls (see
    /// [`hoist`]).
    batched: Arc<(Expr, Vec<HoistedCall>)>,
}

/// How the rows are read from the inputs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Source {
    /// Rows of `width` fields; input `k` is field `fields[k].0`, read as type `fields[k].1`.
    Fields {
        width: usize,
        fields: Vec<(usize, PigType)>,
    },
    /// One input of encoded tuples.
    Encoded,
}

impl RowExpr {
    /// The row-by-row evaluation of `e` over batches in `input`'s layout.
    pub fn new(e: &Expr, input: &Layout, ctx: &EvalCtx) -> Result<Self, RunError> {
        let (source, inputs): (Source, Vec<Arc<dyn PhysicalExpr>>) = match &input.schema {
            Some(schema) => {
                let used: Vec<usize> = match e.columns() {
                    Some(cols) => cols
                        .into_iter()
                        .filter(|&i| i < schema.fields.len())
                        .collect(),
                    None => (0..schema.fields.len()).collect(),
                };
                let mut fields = Vec::with_capacity(used.len());
                let mut inputs: Vec<Arc<dyn PhysicalExpr>> = Vec::with_capacity(used.len());
                for i in used {
                    let (Some(f), Some(a)) = (schema.fields.get(i), input.arrow.fields().get(i))
                    else {
                        return Err(RunError::internal(format!(
                            "field {i} is missing from the layout {:?}",
                            input.arrow
                        )));
                    };
                    fields.push((i, f.ty.clone()));
                    inputs.push(Arc::new(Column::new(a.name(), i)));
                }
                let width = schema.fields.len();
                (Source::Fields { width, fields }, inputs)
            }
            None => {
                let Some(row) = input.arrow.fields().first() else {
                    return Err(RunError::internal(
                        "a layout of unknown schema has no column",
                    ));
                };
                (Source::Encoded, vec![Arc::new(Column::new(row.name(), 0))])
            }
        };
        let mut hoisted = Vec::new();
        let rewritten = hoist(e, 0, &mut hoisted);
        Ok(RowExpr {
            expr: Arc::new(e.clone()),
            ctx: ctx.clone(),
            source,
            inputs,
            batched: Arc::new((rewritten, hoisted)),
        })
    }

    /// The expression's value on each row of `batch`, as the row evaluator gives it (not
    /// packed into the declared type: a `bytearray` expression keeps its values' own types).
    pub fn values(&self, batch: &RecordBatch) -> DFResult<Vec<Value>> {
        let mut values = Vec::with_capacity(batch.num_rows());
        let (rewritten, hoisted) = &*self.batched;
        if hoisted.is_empty() {
            self.for_each_row(batch, |row| {
                values.push(self.eval(&self.expr, row, &[])?);
                Ok(())
            })?;
            return Ok(values);
        }
        // The expression is one call (GENERATE f(x), FILTER BY f(x)): its arguments in one
        // pass over the rows, without keeping the rows.
        if let ([call], ExprKind::Slot(0)) = (hoisted.as_slice(), &rewritten.kind) {
            if let Some(values) = self.encoded_call(call, batch)? {
                return Ok(values);
            }
            let mut args: Vec<Tuple> = Vec::with_capacity(batch.num_rows());
            self.for_each_row(batch, |row| {
                args.push(call.args(&self.ctx, row, &[]).map_err(external)?);
                Ok(())
            })?;
            return call.eval(&args).map_err(external);
        }
        let mut rows: Vec<Tuple> = Vec::with_capacity(batch.num_rows());
        self.for_each_row(batch, |row| {
            rows.push(row.to_vec());
            Ok(())
        })?;
        // slots[i]: row i's results of the calls.
        let mut slots: Vec<Vec<Value>> = vec![Vec::with_capacity(hoisted.len()); rows.len()];
        self.ctx
            .eval_hoisted(hoisted, &rows, &mut slots)
            .map_err(external)?;
        for (row, slots) in rows.iter().zip(&slots) {
            values.push(self.eval(rewritten, row, slots)?);
        }
        Ok(values)
    }

    /// A call whose arguments are columns, for a function that takes its input encoded:
    /// the arguments are encoded straight from the arrays, with no value built for them.
    /// `None`: not such a call.
    fn encoded_call(
        &self,
        call: &HoistedCall,
        batch: &RecordBatch,
    ) -> DFResult<Option<Vec<Value>>> {
        let Source::Fields { fields, .. } = &self.source else {
            return Ok(None);
        };
        // The input of each argument.
        let inputs: Option<Vec<usize>> = call
            .arg_exprs()
            .iter()
            .map(|a| match a.kind {
                ExprKind::Column(c) => fields.iter().position(|(p, t)| *p == c && *t == a.ty),
                _ => None,
            })
            .collect();
        let Some(inputs) = inputs else {
            return Ok(None);
        };
        let arrays = self
            .inputs
            .iter()
            .map(|x| operand(x, batch))
            .collect::<DFResult<Vec<ArrayRef>>>()?;
        let encoders: Vec<ColumnEncoder<'_>> = inputs
            .iter()
            .map(|&k| ColumnEncoder::new(&arrays[k], &fields[k].1))
            .collect();
        let n = batch.num_rows();
        let mut bag = Vec::with_capacity(n * 16);
        codec::encode_bag_start(n, &mut bag);
        for i in 0..n {
            codec::encode_bag_tuple_start(encoders.len(), &mut bag);
            for e in &encoders {
                e.encode(i, &mut bag);
            }
        }
        let row_args = |r: usize| -> Tuple {
            inputs
                .iter()
                .map(|&k| arrow_layout::value_at(&arrays[k], &fields[k].1, r))
                .collect()
        };
        call.eval_encoded(&bag, n, row_args)
            .transpose()
            .map_err(external)
    }

    /// Calls `f` with each row of `batch`, in order.
    fn for_each_row(
        &self,
        batch: &RecordBatch,
        mut f: impl FnMut(&[Value]) -> DFResult<()>,
    ) -> DFResult<()> {
        let n = batch.num_rows();
        let arrays = self
            .inputs
            .iter()
            .map(|x| operand(x, batch))
            .collect::<DFResult<Vec<ArrayRef>>>()?;
        match &self.source {
            Source::Fields { width, fields } => {
                // Fields the expression does not read stay null.
                let mut row = vec![Value::Null; *width];
                for i in 0..n {
                    for ((pos, ty), a) in fields.iter().zip(&arrays) {
                        row[*pos] = arrow_layout::value_at(a, ty, i);
                    }
                    f(&row)?;
                }
            }
            Source::Encoded => {
                let rows = arrays
                    .first()
                    .and_then(|a| a.as_any().downcast_ref::<BinaryArray>())
                    .ok_or_else(|| {
                        DataFusionError::Internal(format!("{self}: no column of encoded rows"))
                    })?;
                for i in 0..n {
                    let row = if rows.is_null(i) {
                        Vec::new()
                    } else {
                        decode_tuple(rows.value(i))
                    };
                    f(&row)?;
                }
            }
        }
        Ok(())
    }

    fn eval(&self, e: &Expr, row: &[Value], slots: &[Value]) -> DFResult<Value> {
        self.ctx.eval(e, row, slots).map_err(external)
    }
}

fn external(e: EvalError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// Row expressions are equal when they evaluate the same planned expression (the same
/// instance) with the same context on the same inputs.
impl PartialEq for RowExpr {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.expr, &other.expr)
            && Arc::ptr_eq(&self.ctx.casts, &other.ctx.casts)
            && Arc::ptr_eq(&self.ctx.scalars, &other.ctx.scalars)
            && self.source == other.source
            && self.inputs == other.inputs
    }
}

impl Eq for RowExpr {}

impl Hash for RowExpr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.expr).hash(state);
        self.source.hash(state);
        self.inputs.hash(state);
    }
}

impl fmt::Display for RowExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row({})", self.expr)
    }
}

impl PhysicalExpr for RowExpr {
    fn data_type(&self, _input_schema: &ArrowSchema) -> DFResult<DataType> {
        Ok(arrow_layout::arrow_type(&self.expr.ty))
    }

    fn nullable(&self, _input_schema: &ArrowSchema) -> DFResult<bool> {
        Ok(true)
    }

    fn evaluate(&self, batch: &RecordBatch) -> DFResult<ColumnarValue> {
        let values = self.values(batch)?;
        Ok(ColumnarValue::Array(arrow_layout::to_array(
            &values,
            &self.expr.ty,
        )))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        self.inputs.iter().collect()
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> DFResult<Arc<dyn PhysicalExpr>> {
        if children.len() != self.inputs.len() {
            return Err(DataFusionError::Internal(format!(
                "{self} reads {} columns, not {}",
                self.inputs.len(),
                children.len()
            )));
        }
        Ok(Arc::new(RowExpr {
            expr: self.expr.clone(),
            ctx: self.ctx.clone(),
            source: self.source.clone(),
            inputs: children,
            batched: self.batched.clone(),
        }))
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }

    fn is_volatile_node(&self) -> bool {
        let mut volatile = false;
        self.expr.visit(&mut |e| {
            if let ExprKind::Call { func, .. } = &e.kind {
                volatile |= func.is_volatile();
            }
        });
        volatile
    }
}
