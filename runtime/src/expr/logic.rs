//! Three-valued logic, null tests and bincond, with the row evaluator's null rules and its
//! short-circuits: an operand is evaluated only on the rows where the row evaluator would
//! evaluate it.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BooleanArray};
use arrow::buffer::BooleanBuffer;
use arrow::compute::kernels::zip::zip;
use arrow::compute::{and_kleene, is_not_null, nullif, or_kleene};
use arrow::record_batch::RecordBatch;
use datafusion::error::Result as DFResult;
use datafusion::physical_expr::PhysicalExpr;

use super::{downcast, operand, operand_where};

/// `l AND r` (or `l OR r`): false AND anything is false, true AND true is true, otherwise
/// null (dually for OR). The right side is evaluated only where the left is not false (for
/// OR: not true).
pub(super) fn and_or(
    and: bool,
    l: &Arc<dyn PhysicalExpr>,
    r: &Arc<dyn PhysicalExpr>,
    batch: &RecordBatch,
) -> DFResult<BooleanArray> {
    let la = operand(l, batch)?;
    let la: &BooleanArray = downcast(&la, "AND/OR")?;
    let decisive = if and {
        !la.values()
    } else {
        la.values().clone()
    };
    let decided = match la.nulls() {
        Some(valid) => &decisive & valid.inner(),
        None => decisive,
    };
    let ra = operand_where(r, batch, &BooleanArray::new(!&decided, None))?
        .into_array(batch.num_rows())?;
    let ra: &BooleanArray = downcast(&ra, "AND/OR")?;
    Ok(if and {
        and_kleene(la, ra)?
    } else {
        or_kleene(la, ra)?
    })
}

/// `NOT x`: null stays null.
pub(super) fn not(x: &ArrayRef) -> DFResult<BooleanArray> {
    Ok(arrow::compute::not(downcast(x, "NOT")?)?)
}

/// `x IS [NOT] NULL`.
pub(super) fn is_null(x: &ArrayRef, negated: bool) -> DFResult<BooleanArray> {
    Ok(if negated {
        is_not_null(x.as_ref())?
    } else {
        arrow::compute::is_null(x.as_ref())?
    })
}

/// `c ? t : o`: `t` where `c` is true, `o` where it is false, null where it is null; each
/// branch is evaluated only on its own rows.
pub(super) fn cond(
    c: &Arc<dyn PhysicalExpr>,
    t: &Arc<dyn PhysicalExpr>,
    o: &Arc<dyn PhysicalExpr>,
    batch: &RecordBatch,
) -> DFResult<ArrayRef> {
    let ca = operand(c, batch)?;
    let ca: &BooleanArray = downcast(&ca, "bincond")?;
    let (yes, no): (BooleanBuffer, BooleanBuffer) = match ca.nulls() {
        Some(valid) => (ca.values() & valid.inner(), &!ca.values() & valid.inner()),
        None => (ca.values().clone(), !ca.values()),
    };
    let yes = BooleanArray::new(yes, None);
    let ta = operand_where(t, batch, &yes)?;
    let oa = operand_where(o, batch, &BooleanArray::new(no, None))?;
    let picked = zip(&yes, &ta, &oa)?;
    if ca.null_count() == 0 {
        return Ok(picked);
    }
    Ok(nullif(&picked, &arrow::compute::is_null(ca)?)?)
}
