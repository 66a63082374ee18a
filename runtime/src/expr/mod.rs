//! Lowers the planner's checked expressions to DataFusion `PhysicalExpr`s that evaluate whole
//! Arrow arrays with Pig's semantics.
//!
//! Columns, flat constants, comparisons, three-valued logic, null tests, int/long/float/double
//! arithmetic, bincond, numeric and text casts, `IN`, `MATCHES` and the string built-ins
//! `SIZE`, `CONCAT`, `UPPER`, `LOWER` and `TRIM` run as native kernels ([`PigExpr`]); anything
//! else is evaluated row by row by the row evaluator behind one adapter, [`RowExpr`]. A native
//! operator takes its operands as `PhysicalExpr`s, so it can sit on top of a [`RowExpr`].
//!
//! Where the row evaluator skips an operand (`AND`/`OR` where the left side decides, the
//! branch of a bincond not taken, the candidates of `IN` after a match), a native operator
//! does not evaluate it on those rows either, unless evaluating it has no effect besides its
//! values: failed casts are counted, and functions fail, on exactly the rows they would be
//! row by row.
//!
//! ```text
//! A = LOAD 'in' AS (x: int, s: chararray);
//! B = FILTER A BY x + 1 > 10 AND UCFIRST(s) == 'Pig';
//!
//! (((x@0 + 1) > 10) AND (row(UCFIRST($1)) == Pig))
//! ```

mod arith;
mod cast;
mod compare;
pub mod key;
mod logic;
mod row;
mod string;
#[cfg(test)]
pub(crate) mod tests;

use std::fmt;
use std::hash::Hash;
use std::mem::discriminant;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray, Datum, new_null_array};
use arrow::datatypes::{DataType, Schema as ArrowSchema};
use arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr_common::physical_expr::fmt_sql;
use datafusion::physical_plan::expressions::{Column, Literal};
use pigrs_planner::expr::{ArithOp, CmpOp, Expr, ExprKind};
use pigrs_udf::{PigType, Value, arrow_layout};

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::layout::Layout;

pub use row::RowExpr;

/// The PhysicalExpr computing `e` over batches in `input`'s layout; its arrays have type
/// `arrow_layout::arrow_type(&e.ty)` (always nullable).
///
/// Nested-block expressions (`Slot`, `Outer`) have no row to read from and are an internal
/// error.
pub fn physical_expr(
    e: &Expr,
    input: &Layout,
    ctx: &EvalCtx,
) -> Result<Arc<dyn PhysicalExpr>, RunError> {
    let mut nested = false;
    e.visit(&mut |x| nested |= matches!(x.kind, ExprKind::Slot(_) | ExprKind::Outer(_)));
    if nested {
        return Err(RunError::internal(format!(
            "the nested-block expression {e} cannot run on batches"
        )));
    }
    Ok(lower(e, input, ctx)?.expr)
}

/// A lowered expression.
struct Lowered {
    expr: Arc<dyn PhysicalExpr>,
    /// Whether its arrays hold exactly the row evaluator's values. A [`RowExpr`] packs its
    /// values into arrays of the declared type, which changes a value not of that type: a
    /// `bytearray` result is often not one (map values, untyped fields of tuples), so a
    /// native operator does not take it as an operand. Other declared types are trusted.
    faithful: bool,
}

fn lower(e: &Expr, input: &Layout, ctx: &EvalCtx) -> Result<Lowered, RunError> {
    if let Some(expr) = native(e, input, ctx)? {
        return Ok(Lowered {
            expr,
            faithful: true,
        });
    }
    Ok(Lowered {
        expr: Arc::new(RowExpr::new(e, input, ctx)?),
        faithful: e.ty != PigType::Bytearray,
    })
}

/// `e` as a native operator, or `None` when it needs the row evaluator.
fn native(
    e: &Expr,
    input: &Layout,
    ctx: &EvalCtx,
) -> Result<Option<Arc<dyn PhysicalExpr>>, RunError> {
    // Lowers the operands; `None` when one of them cannot feed a native operator.
    let operands = |args: &[&Expr]| -> Result<Option<Vec<Arc<dyn PhysicalExpr>>>, RunError> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            let l = lower(a, input, ctx)?;
            if !l.faithful {
                return Ok(None);
            }
            out.push(l.expr);
        }
        Ok(Some(out))
    };
    let ty = arrow_layout::arrow_type(&e.ty);
    let pig = |kernel: Kernel, args: Vec<Arc<dyn PhysicalExpr>>| -> Arc<dyn PhysicalExpr> {
        Arc::new(PigExpr {
            kernel,
            args,
            ty: ty.clone(),
        })
    };
    let boolean = e.ty == PigType::Boolean;
    Ok(match &e.kind {
        ExprKind::Column(i) => {
            let Some(schema) = &input.schema else {
                return Ok(None);
            };
            match (schema.fields.get(*i), input.arrow.fields().get(*i)) {
                (Some(field), Some(arrow)) if same_storage(&field.ty, &e.ty) => {
                    Some(Arc::new(Column::new(arrow.name(), *i)))
                }
                _ => None,
            }
        }
        ExprKind::Const(v) if v.is_null() || fits(v, &e.ty) => {
            let array = arrow_layout::to_array(std::slice::from_ref(v), &e.ty);
            let value = ScalarValue::try_from_array(&array, 0).map_err(RunError::internal)?;
            Some(Arc::new(Literal::new(value)))
        }
        ExprKind::Cmp { op, left, right }
            if boolean && left.ty == right.ty && compare::comparable(&left.ty) =>
        {
            operands(&[left, right])?.map(|a| pig(Kernel::Cmp(*op), a))
        }
        ExprKind::And(l, r) | ExprKind::Or(l, r)
            if boolean && l.ty == PigType::Boolean && r.ty == PigType::Boolean =>
        {
            let and = matches!(e.kind, ExprKind::And(..));
            operands(&[l, r])?.map(|a| pig(Kernel::Logic { and }, a))
        }
        ExprKind::Not(x) if boolean && x.ty == PigType::Boolean => {
            operands(&[x])?.map(|a| pig(Kernel::Not, a))
        }
        ExprKind::IsNull { expr, negated } if boolean => {
            operands(&[expr])?.map(|a| pig(Kernel::IsNull { negated: *negated }, a))
        }
        ExprKind::Arith { op, left, right }
            if arith::numeric(&e.ty) && left.ty == e.ty && right.ty == e.ty =>
        {
            operands(&[left, right])?.map(|a| pig(Kernel::Arith(*op), a))
        }
        ExprKind::Neg(x) if arith::numeric(&e.ty) && x.ty == e.ty => {
            operands(&[x])?.map(|a| pig(Kernel::Neg, a))
        }
        // A cast of a flat value to its own type leaves it as it is.
        ExprKind::Cast(x) if x.ty == e.ty && compare::comparable(&e.ty) => {
            operands(&[x])?.and_then(|mut a| a.pop())
        }
        ExprKind::Cast(x) if cast::native(&x.ty, &e.ty) => operands(&[x])?.map(|a| {
            pig(
                Kernel::Cast(cast::Cast {
                    from: x.ty.clone(),
                    to: e.ty.clone(),
                    span: e.span,
                    ctx: ctx.clone(),
                }),
                a,
            )
        }),
        ExprKind::Cond {
            cond,
            then,
            otherwise,
        } if cond.ty == PigType::Boolean
            && same_storage(&then.ty, &e.ty)
            && same_storage(&otherwise.ty, &e.ty) =>
        {
            operands(&[cond, then, otherwise])?.map(|a| pig(Kernel::Cond, a))
        }
        ExprKind::In { expr, list }
            if boolean && compare::comparable(&expr.ty) && list.iter().all(|i| i.ty == expr.ty) =>
        {
            let args: Vec<&Expr> = std::iter::once(&**expr).chain(list).collect();
            operands(&args)?.map(|a| pig(Kernel::In, a))
        }
        ExprKind::Matches { expr, regex } if boolean && expr.ty == PigType::Chararray => {
            let re = regex.clone();
            let matches = string::Matches {
                pattern: regex.as_str().to_owned(),
                is_match: Arc::new(move |s: &str| re.is_match(s)),
            };
            operands(&[expr])?.map(|a| pig(Kernel::Matches(matches), a))
        }
        ExprKind::Call { func, args } => match string::StrFunc::of(func.name(), args, &e.ty) {
            Some(f) => {
                let args: Vec<&Expr> = args.iter().collect();
                operands(&args)?.map(|a| pig(Kernel::Str(f), a))
            }
            None => None,
        },
        _ => None,
    })
}

/// Whether a value of type `a` is stored like one of type `b`, so that a column of one
/// serves as the other unchanged (inner schemas of tuples, bags and maps do not matter).
fn same_storage(a: &PigType, b: &PigType) -> bool {
    discriminant(a) == discriminant(b)
}

/// Whether `v` is a value of type `t` (inner schemas are not checked).
fn fits(v: &Value, t: &PigType) -> bool {
    v.pig_type().is_some_and(|vt| same_storage(&vt, t))
}

/// What a native operator computes.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Kernel {
    /// A comparison of two operands of one type.
    Cmp(CmpOp),
    /// Three-valued `AND` (or `OR`), skipping the right operand where the left decides.
    Logic { and: bool },
    /// `NOT`.
    Not,
    /// `IS [NOT] NULL`.
    IsNull { negated: bool },
    /// Arithmetic on two operands of the result type.
    Arith(ArithOp),
    /// Unary minus.
    Neg,
    /// A cast.
    Cast(cast::Cast),
    /// Bincond: condition, then, otherwise.
    Cond,
    /// `x IN (a, b, ...)`: operand, then candidates.
    In,
    /// `MATCHES`.
    Matches(string::Matches),
    /// A string built-in.
    Str(string::StrFunc),
}

impl Hash for Kernel {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        discriminant(self).hash(state);
        match self {
            Kernel::Cmp(op) => discriminant(op).hash(state),
            Kernel::Arith(op) => discriminant(op).hash(state),
            Kernel::Logic { and } => and.hash(state),
            Kernel::IsNull { negated } => negated.hash(state),
            Kernel::Cast(c) => c.hash(state),
            Kernel::Matches(m) => m.hash(state),
            Kernel::Str(f) => f.hash(state),
            Kernel::Not | Kernel::Neg | Kernel::Cond | Kernel::In => {}
        }
    }
}

/// A native Pig operator over its operands' arrays.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PigExpr {
    kernel: Kernel,
    args: Vec<Arc<dyn PhysicalExpr>>,
    /// The Arrow type of the result.
    ty: DataType,
}

impl PigExpr {
    fn write(&self, f: &mut fmt::Formatter<'_>, args: &[&dyn fmt::Display]) -> fmt::Result {
        let infix = |f: &mut fmt::Formatter<'_>, op: &dyn fmt::Display| match args {
            [l, r] => write!(f, "({l} {op} {r})"),
            _ => write!(f, "{op}(?)"),
        };
        match &self.kernel {
            Kernel::Cmp(op) => infix(f, op),
            Kernel::Arith(op) => infix(f, op),
            Kernel::Logic { and } => infix(f, if *and { &"AND" } else { &"OR" }),
            Kernel::Not => write!(f, "NOT {}", List(args)),
            Kernel::IsNull { negated } => {
                let not = if *negated { "NOT " } else { "" };
                write!(f, "{} IS {not}NULL", List(args))
            }
            Kernel::Neg => write!(f, "-{}", List(args)),
            Kernel::Cast(c) => write!(f, "({}){}", c.to, List(args)),
            Kernel::Cond => match args {
                [c, t, o] => write!(f, "({c} ? {t} : {o})"),
                _ => write!(f, "bincond({})", List(args)),
            },
            Kernel::In => match args {
                [x, list @ ..] => write!(f, "{x} IN ({})", List(list)),
                [] => write!(f, "IN ()"),
            },
            Kernel::Matches(m) => write!(f, "{} MATCHES '{}'", List(args), m.shown()),
            Kernel::Str(s) => write!(f, "{}({})", s.name(), List(args)),
        }
    }
}

/// Comma-separated display.
struct List<'a>(&'a [&'a dyn fmt::Display]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for PigExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<&dyn fmt::Display> = self.args.iter().map(|a| a as _).collect();
        self.write(f, &args)
    }
}

impl PhysicalExpr for PigExpr {
    fn data_type(&self, _input_schema: &ArrowSchema) -> DFResult<DataType> {
        Ok(self.ty.clone())
    }

    fn nullable(&self, _input_schema: &ArrowSchema) -> DFResult<bool> {
        Ok(true)
    }

    fn evaluate(&self, batch: &RecordBatch) -> DFResult<ColumnarValue> {
        let a = &self.args;
        let out: ArrayRef = match (&self.kernel, a.as_slice()) {
            (Kernel::Cmp(op), [l, r]) => {
                let (mut l, r) = (value(l, batch)?, value(r, batch)?);
                if l.is_scalar() && r.is_scalar() {
                    l = Operand::Array(l.into_array(batch.num_rows())?);
                }
                Arc::new(compare::compare(*op, &l, &r)?)
            }
            (Kernel::Logic { and }, [l, r]) => Arc::new(logic::and_or(*and, l, r, batch)?),
            (Kernel::Not, [x]) => Arc::new(logic::not(&operand(x, batch)?)?),
            (Kernel::IsNull { negated }, [x]) => {
                Arc::new(logic::is_null(&operand(x, batch)?, *negated)?)
            }
            (Kernel::Arith(op), [l, r]) => {
                arith::arith(*op, &operand(l, batch)?, &operand(r, batch)?)?
            }
            (Kernel::Neg, [x]) => arith::neg(&operand(x, batch)?)?,
            (Kernel::Cast(c), [x]) => c.apply(&operand(x, batch)?)?,
            (Kernel::Cond, [c, t, o]) => logic::cond(c, t, o, batch)?,
            (Kernel::In, [x, list @ ..]) => Arc::new(compare::is_in(x, list, batch)?),
            (Kernel::Matches(m), [x]) => Arc::new(m.apply(&operand(x, batch)?)?),
            (Kernel::Str(f), args) => {
                let arrays = args
                    .iter()
                    .map(|x| operand(x, batch))
                    .collect::<DFResult<Vec<_>>>()?;
                f.apply(&arrays)?
            }
            _ => {
                return Err(DataFusionError::Internal(format!(
                    "{self}: wrong number of operands"
                )));
            }
        };
        if out.len() != batch.num_rows() || out.data_type() != &self.ty {
            return Err(DataFusionError::Internal(format!(
                "{self} gave {} values of type {} for {} rows of type {}",
                out.len(),
                out.data_type(),
                batch.num_rows(),
                self.ty
            )));
        }
        Ok(ColumnarValue::Array(out))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        self.args.iter().collect()
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> DFResult<Arc<dyn PhysicalExpr>> {
        if children.len() != self.args.len() {
            return Err(DataFusionError::Internal(format!(
                "{self} takes {} operands, not {}",
                self.args.len(),
                children.len()
            )));
        }
        Ok(Arc::new(PigExpr {
            kernel: self.kernel.clone(),
            args: children,
            ty: self.ty.clone(),
        }))
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sql: Vec<_> = self.args.iter().map(|a| fmt_sql(a.as_ref())).collect();
        let args: Vec<&dyn fmt::Display> = sql.iter().map(|a| a as _).collect();
        self.write(f, &args)
    }
}

/// An operand evaluated on the whole batch, as an array of the batch's length.
fn operand(x: &Arc<dyn PhysicalExpr>, batch: &RecordBatch) -> DFResult<ArrayRef> {
    x.evaluate(batch)?.into_array_of_size(batch.num_rows())
}

/// An operand evaluated on the whole batch, a constant kept as one value.
fn value(x: &Arc<dyn PhysicalExpr>, batch: &RecordBatch) -> DFResult<Operand> {
    Operand::new(x.evaluate(batch)?, batch.num_rows())
}

/// An operand for the rows where `rows` is true (any value elsewhere). It is evaluated
/// only on those rows unless that makes no difference (see [`pure`]), and not at all when
/// no row is selected.
fn operand_where(
    x: &Arc<dyn PhysicalExpr>,
    batch: &RecordBatch,
    rows: &BooleanArray,
) -> DFResult<Operand> {
    if pure(x) {
        return value(x, batch);
    }
    if rows.true_count() == 0 {
        let ty = x.data_type(batch.schema_ref())?;
        return Ok(Operand::Array(new_null_array(&ty, batch.num_rows())));
    }
    Operand::new(x.evaluate_selection(batch, rows)?, batch.num_rows())
}

/// An operand's values: an array of the batch's length, or one value for every row (so a
/// constant is not copied into every row of every batch).
enum Operand {
    Array(ArrayRef),
    /// The value, and the same as an array of one element.
    Scalar(ScalarValue, ArrayRef),
}

impl Operand {
    fn new(v: ColumnarValue, rows: usize) -> DFResult<Self> {
        Ok(match v {
            ColumnarValue::Array(a) if a.len() == rows => Operand::Array(a),
            ColumnarValue::Array(a) => {
                return Err(DataFusionError::Internal(format!(
                    "an operand gave {} values for {rows} rows",
                    a.len()
                )));
            }
            ColumnarValue::Scalar(s) => {
                let one = s.to_array()?;
                Operand::Scalar(s, one)
            }
        })
    }

    fn is_scalar(&self) -> bool {
        matches!(self, Operand::Scalar(..))
    }

    /// The values as an array of `rows` elements.
    fn into_array(self, rows: usize) -> DFResult<ArrayRef> {
        match self {
            Operand::Array(a) => Ok(a),
            Operand::Scalar(s, _) => s.to_array_of_size(rows),
        }
    }
}

impl Datum for Operand {
    fn get(&self) -> (&dyn Array, bool) {
        match self {
            Operand::Array(a) => (a.as_ref(), false),
            Operand::Scalar(_, one) => (one.as_ref(), true),
        }
    }
}

/// Whether evaluating `x` has no effect besides its values: no cast failure to count and
/// no function that can fail. Evaluating such an operand on every row is cheaper than
/// selecting the rows the row evaluator would evaluate it on, and gives the same result.
fn pure(x: &Arc<dyn PhysicalExpr>) -> bool {
    if let Some(p) = x.downcast_ref::<PigExpr>() {
        let counts = matches!(&p.kernel, Kernel::Cast(c) if !arith::numeric(&c.from));
        return !counts && p.args.iter().all(pure);
    }
    x.is::<Column>() || x.is::<Literal>()
}

/// An array that is not of the type its operator was planned for.
#[cold]
fn type_err(what: &str, ty: &DataType) -> DataFusionError {
    DataFusionError::Internal(format!("{what}: unexpected operand type {ty}"))
}

/// `a` as the concrete array type its operator was planned for.
fn downcast<'a, T: 'static>(a: &'a dyn Array, what: &str) -> DFResult<&'a T> {
    a.as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| type_err(what, a.data_type()))
}
