//! Casts between int, long, float and double (Java's conversions: wrapping, truncating,
//! saturating, NaN to 0), and from chararray and bytearray to those and to chararray, as
//! `pigrs_udf::cast` converts them. A failed cast gives null and is recorded in the run's
//! failed-cast counter exactly as [`EvalCtx::cast`] records it.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BinaryViewArray, PrimitiveArray, StringViewArray, StringViewBuilder,
};
use arrow::compute::unary;
use arrow::datatypes::{DataType, Float32Type, Float64Type, Int32Type, Int64Type};
use datafusion::error::Result as DFResult;
use pigrs_grammar::Span;
use pigrs_udf::{PigType, Value, arrow_layout, cast};

use super::{arith, downcast, type_err};
use crate::eval::EvalCtx;

/// Whether a cast from `from` to `to` runs natively.
pub(super) fn native(from: &PigType, to: &PigType) -> bool {
    let text = matches!(from, PigType::Chararray | PigType::Bytearray);
    (arith::numeric(from) || text) && (arith::numeric(to) || (text && *to == PigType::Chararray))
}

/// A cast of one operand.
#[derive(Clone, Debug)]
pub(super) struct Cast {
    /// The operand's type.
    pub from: PigType,
    /// The result type.
    pub to: PigType,
    /// The cast in the script (where failures are reported).
    pub span: Span,
    /// Where failures are counted.
    pub ctx: EvalCtx,
}

/// Casts are equal when they convert alike and count failures in the same place.
impl PartialEq for Cast {
    fn eq(&self, other: &Self) -> bool {
        self.from == other.from
            && self.to == other.to
            && self.span == other.span
            && Arc::ptr_eq(&self.ctx.casts, &other.ctx.casts)
    }
}

impl Eq for Cast {}

impl Hash for Cast {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.from.hash(state);
        self.to.hash(state);
        self.span.hash(state);
    }
}

impl Cast {
    /// The cast of every value of `x`.
    pub(super) fn apply(&self, x: &ArrayRef) -> DFResult<ArrayRef> {
        match x.data_type() {
            DataType::Utf8View => {
                let a: &StringViewArray = downcast(x, "cast")?;
                Ok(self.text(a.iter().map(|v| v.map(str::as_bytes)), |b| {
                    Value::Chararray(String::from_utf8_lossy(b).into_owned())
                }))
            }
            DataType::BinaryView => {
                let a: &BinaryViewArray = downcast(x, "cast")?;
                Ok(self.text(a.iter(), |b| Value::Bytearray(b.to_vec())))
            }
            _ => numeric(x, &self.to),
        }
    }

    /// Converts text (`original` rebuilds a value for [`EvalCtx::cast`] to report).
    fn text<'a>(
        &self,
        values: impl ExactSizeIterator<Item = Option<&'a [u8]>>,
        original: impl Fn(&[u8]) -> Value,
    ) -> ArrayRef {
        if self.to == PigType::Chararray {
            // Text to chararray never fails: invalid UTF-8 is replaced.
            let mut out = StringViewBuilder::with_capacity(values.len());
            for v in values {
                match v {
                    Some(b) => out.append_value(String::from_utf8_lossy(b)),
                    None => out.append_null(),
                }
            }
            return Arc::new(out.finish());
        }
        let out: Vec<Value> = values
            .map(|v| match v {
                None => Value::Null,
                // `parse_text` is the cast of non-empty text; a failure (or empty text) is
                // cast again by the row evaluator's cast, which counts it.
                Some(b) => match (!b.is_empty())
                    .then(|| cast::parse_text(b, &self.to))
                    .and_then(Result::ok)
                {
                    Some(v) => v,
                    None => self.ctx.cast(original(b), &self.to, self.span),
                },
            })
            .collect();
        arrow_layout::to_array(&out, &self.to)
    }
}

/// A numeric cast, converting like Java's casts (and `pigrs_udf::cast`).
fn numeric(x: &ArrayRef, to: &PigType) -> DFResult<ArrayRef> {
    macro_rules! conv {
        ($from:ty => $to:ty, $f:expr) => {{
            let a: &PrimitiveArray<$from> = downcast(x, "cast")?;
            Arc::new(unary::<$from, _, $to>(a, $f)) as ArrayRef
        }};
    }
    Ok(match (x.data_type(), to) {
        (DataType::Int32, PigType::Long) => conv!(Int32Type => Int64Type, i64::from),
        (DataType::Int32, PigType::Float) => conv!(Int32Type => Float32Type, |v| v as f32),
        (DataType::Int32, PigType::Double) => conv!(Int32Type => Float64Type, f64::from),
        (DataType::Int64, PigType::Int) => conv!(Int64Type => Int32Type, |v| v as i32),
        (DataType::Int64, PigType::Float) => conv!(Int64Type => Float32Type, |v| v as f32),
        (DataType::Int64, PigType::Double) => conv!(Int64Type => Float64Type, |v| v as f64),
        (DataType::Float32, PigType::Int) => conv!(Float32Type => Int32Type, |v| v as i32),
        (DataType::Float32, PigType::Long) => conv!(Float32Type => Int64Type, |v| v as i64),
        (DataType::Float32, PigType::Double) => conv!(Float32Type => Float64Type, f64::from),
        (DataType::Float64, PigType::Int) => conv!(Float64Type => Int32Type, |v| v as i32),
        (DataType::Float64, PigType::Long) => conv!(Float64Type => Int64Type, |v| v as i64),
        (DataType::Float64, PigType::Float) => conv!(Float64Type => Float32Type, |v| v as f32),
        (from, _) => return Err(type_err("cast", from)),
    })
}
