//! Comparisons and `IN` with Pig's `DataType.compare`: ints, longs, booleans and bytearrays
//! in their natural order (arrow's kernels), floats with NaN greatest and equal to itself and
//! `-0.0` equal to `0.0`, chararrays as Java's `String.compareTo` (UTF-16 code units).

use std::cmp::Ordering;
use std::sync::Arc;

use arrow::array::{Array, BooleanArray, Datum, PrimitiveArray, StringViewArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::compute::kernels::cmp;
use arrow::datatypes::{ArrowPrimitiveType, DataType, Float32Type, Float64Type};
use arrow::record_batch::RecordBatch;
use datafusion::error::Result as DFResult;
use datafusion::physical_expr::PhysicalExpr;
use pigrs_planner::expr::CmpOp;
use pigrs_udf::PigType;

use super::{downcast, operand, operand_where, type_err};

/// Whether values of type `t` compare natively.
pub(super) fn comparable(t: &PigType) -> bool {
    matches!(
        t,
        PigType::Int
            | PigType::Long
            | PigType::Float
            | PigType::Double
            | PigType::Boolean
            | PigType::Chararray
            | PigType::Bytearray
    )
}

/// `l op r` row by row; null where either side is null. At most one side is a scalar.
pub(super) fn compare(op: CmpOp, l: &dyn Datum, r: &dyn Datum) -> DFResult<BooleanArray> {
    let (ls, rs) = (Side::of(l), Side::of(r));
    if ls.array.data_type() != rs.array.data_type() {
        return Err(type_err("comparison", rs.array.data_type()));
    }
    match ls.array.data_type() {
        DataType::Float32 => floats::<Float32Type>(op, ls, rs, f64::from),
        DataType::Float64 => floats::<Float64Type>(op, ls, rs, |x| x),
        DataType::Utf8View if !matches!(op, CmpOp::Eq | CmpOp::Ne) => {
            let a: &StringViewArray = downcast(ls.array, "comparison")?;
            let b: &StringViewArray = downcast(rs.array, "comparison")?;
            if byte_order_is_java(a) && byte_order_is_java(b) {
                kernel(op, l, r)
            } else {
                Ok(by_ordering(op, ls, rs, |i, j| {
                    a.value(i).encode_utf16().cmp(b.value(j).encode_utf16())
                }))
            }
        }
        DataType::Int32
        | DataType::Int64
        | DataType::Boolean
        | DataType::Utf8View
        | DataType::BinaryView => kernel(op, l, r),
        other => Err(type_err("comparison", other)),
    }
}

fn kernel(op: CmpOp, l: &dyn Datum, r: &dyn Datum) -> DFResult<BooleanArray> {
    Ok(match op {
        CmpOp::Eq => cmp::eq(l, r),
        CmpOp::Ne => cmp::neq(l, r),
        CmpOp::Lt => cmp::lt(l, r),
        CmpOp::Le => cmp::lt_eq(l, r),
        CmpOp::Gt => cmp::gt(l, r),
        CmpOp::Ge => cmp::gt_eq(l, r),
    }?)
}

/// One side of a comparison: an array, or a scalar standing for every row.
#[derive(Clone, Copy)]
struct Side<'a> {
    array: &'a dyn Array,
    scalar: bool,
}

impl<'a> Side<'a> {
    fn of(d: &'a dyn Datum) -> Self {
        let (array, scalar) = d.get();
        Side { array, scalar }
    }

    /// The index of row `i`'s value.
    fn at(self, i: usize) -> usize {
        if self.scalar { 0 } else { i }
    }

    fn nulls(self, rows: usize) -> Option<NullBuffer> {
        if !self.scalar {
            return self.array.logical_nulls();
        }
        self.array.is_null(0).then(|| NullBuffer::new_null(rows))
    }
}

/// Whether `op` holds for two values in this order.
fn holds(op: CmpOp, o: Ordering) -> bool {
    match op {
        CmpOp::Eq => o == Ordering::Equal,
        CmpOp::Ne => o != Ordering::Equal,
        CmpOp::Lt => o == Ordering::Less,
        CmpOp::Le => o != Ordering::Greater,
        CmpOp::Gt => o == Ordering::Greater,
        CmpOp::Ge => o != Ordering::Less,
    }
}

/// Compares two sides row by row with `ord` of their values' indices; null where either
/// side is null.
fn by_ordering(
    op: CmpOp,
    l: Side<'_>,
    r: Side<'_>,
    ord: impl Fn(usize, usize) -> Ordering,
) -> BooleanArray {
    let rows = if l.scalar {
        r.array.len()
    } else {
        l.array.len()
    };
    let values = BooleanBuffer::collect_bool(rows, |i| holds(op, ord(l.at(i), r.at(i))));
    let nulls = NullBuffer::union(l.nulls(rows).as_ref(), r.nulls(rows).as_ref());
    BooleanArray::new(values, nulls)
}

/// Pig's float order: NaN after everything and equal to itself; `-0.0` equal to `0.0`.
fn cmp_f64(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

fn floats<T: ArrowPrimitiveType>(
    op: CmpOp,
    l: Side<'_>,
    r: Side<'_>,
    wide: impl Fn(T::Native) -> f64,
) -> DFResult<BooleanArray> {
    let lv = downcast::<PrimitiveArray<T>>(l.array, "comparison")?.values();
    let rv = downcast::<PrimitiveArray<T>>(r.array, "comparison")?.values();
    Ok(by_ordering(op, l, r, |i, j| {
        cmp_f64(wide(lv[i]), wide(rv[j]))
    }))
}

/// Whether byte order is UTF-16 order for these strings: UTF-8 bytes order like code
/// points, which differ from UTF-16 code units only between U+E000..=U+FFFF (lead bytes
/// 0xEE, 0xEF) and supplementary characters (lead bytes from 0xF0).
fn byte_order_is_java(a: &StringViewArray) -> bool {
    // The strings, not the buffers: a view may share a buffer far larger than its array.
    a.iter().flatten().all(|s| !s.bytes().any(|b| b >= 0xEE))
}

/// `x IN (list)`: null when `x` is null, else whether a candidate equals it. Like the row
/// evaluator, a candidate is evaluated only on the rows that no earlier candidate matched.
pub(super) fn is_in(
    x: &Arc<dyn PhysicalExpr>,
    list: &[Arc<dyn PhysicalExpr>],
    batch: &RecordBatch,
) -> DFResult<BooleanArray> {
    let xa = operand(x, batch)?;
    let n = xa.len();
    let mut found = BooleanBuffer::new_unset(n);
    let mut pending = match xa.logical_nulls() {
        Some(valid) => valid.inner().clone(),
        None => BooleanBuffer::new_set(n),
    };
    for item in list {
        if pending.count_set_bits() == 0 {
            break;
        }
        let v = operand_where(item, batch, &BooleanArray::new(pending.clone(), None))?;
        let eq = compare(CmpOp::Eq, &xa, &v)?;
        // A null candidate matches nothing.
        let mut hit = eq.values() & &pending;
        if let Some(valid) = eq.nulls() {
            hit = &hit & valid.inner();
        }
        found = &found | &hit;
        pending = &pending & &!&hit;
    }
    Ok(BooleanArray::new(found, xa.logical_nulls()))
}
