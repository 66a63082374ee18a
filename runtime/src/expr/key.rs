//! Key columns for DataFusion's sorts and groupings that order and compare as Pig does.
//!
//! An ORDER BY key ([`order_key`]) is a column DataFusion's sort orders exactly as
//! `pigrs_udf::value::compare`: booleans, ints and longs as they are; floats with `-0.0`
//! made `0.0` and every NaN one NaN (the largest, as in DataFusion's total order);
//! chararrays as binary whose bytes order as UTF-16 code units (Java's `compareTo`);
//! every other type (bytearray fields of any runtime type, datetimes, big numbers, tuples,
//! bags, maps) as `pigrs_udf::order_key` byte strings of the row evaluator's values. Nulls
//! stay nulls: Pig's smallest value.
//!
//! A DISTINCT key ([`group_key`]) is a column whose equal values are exactly Pig's equal
//! values: floats as above, encoded values (and the encoded rows of a relation of unknown
//! schema) re-encoded from their canonical form (`-0.0` is `0.0`, decimals without trailing
//! zeros, map entries and bag tuples sorted).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BinaryViewBuilder, Float32Array, Float64Array,
};
use arrow::datatypes::{DataType, Float32Type, Float64Type, Schema as ArrowSchema};
use arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::logical_expr::ColumnarValue;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr_common::physical_expr::fmt_sql;
use pigrs_planner::expr::Expr;
use pigrs_udf::order_key::{encode_order_key, java_order_byte};
use pigrs_udf::{PigType, codec};

use super::{RowExpr, operand, physical_expr};
use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::exec::canonical;
use crate::layout::Layout;

/// The sort key column of ORDER BY key `e` over batches in `input`'s layout.
pub fn order_key(
    e: &Expr,
    input: &Layout,
    ctx: &EvalCtx,
) -> Result<Arc<dyn PhysicalExpr>, RunError> {
    let kind = match e.ty {
        PigType::Boolean | PigType::Int | PigType::Long => return physical_expr(e, input, ctx),
        PigType::Float | PigType::Double => Kind::Float,
        PigType::Chararray => Kind::JavaString,
        _ => {
            // The row evaluator's own values: a bytearray field holds values of any type.
            let row = RowExpr::new(e, input, ctx)?;
            return Ok(Arc::new(KeyExpr {
                kind: Kind::Ordered,
                arg: Arc::new(row),
            }));
        }
    };
    Ok(Arc::new(KeyExpr {
        kind,
        arg: physical_expr(e, input, ctx)?,
    }))
}

/// The DISTINCT key of column `arg` (a field of Pig type `ty`, `None` for encoded rows of
/// unknown schema), or `None` when equal values are already equal in the column.
pub fn group_key(
    arg: Arc<dyn PhysicalExpr>,
    ty: Option<&PigType>,
) -> Option<Arc<dyn PhysicalExpr>> {
    let kind = match ty {
        Some(PigType::Float | PigType::Double) => Kind::Float,
        Some(
            PigType::Boolean
            | PigType::Int
            | PigType::Long
            | PigType::Chararray
            | PigType::Bytearray,
        ) => return None,
        Some(_) | None => Kind::Canonical,
    };
    Some(Arc::new(KeyExpr { kind, arg }))
}

/// How a key column is made from its argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Kind {
    /// Floats with one zero and one NaN.
    Float,
    /// UTF-8 strings as bytes ordering as UTF-16.
    JavaString,
    /// `order_key` bytes of a [`RowExpr`]'s values.
    Ordered,
    /// Encoded values re-encoded in canonical form.
    Canonical,
}

/// A key column computed from one argument.
#[derive(Debug)]
pub struct KeyExpr {
    kind: Kind,
    arg: Arc<dyn PhysicalExpr>,
}

impl PartialEq for KeyExpr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.arg.eq(&other.arg)
    }
}

impl Eq for KeyExpr {}

impl Hash for KeyExpr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.arg.hash(state);
    }
}

impl KeyExpr {
    fn name(&self) -> &'static str {
        match self.kind {
            Kind::Float => "pig_float_key",
            Kind::JavaString => "pig_string_key",
            Kind::Ordered => "pig_order_key",
            Kind::Canonical => "pig_canonical",
        }
    }
}

impl fmt::Display for KeyExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), self.arg)
    }
}

impl PhysicalExpr for KeyExpr {
    fn data_type(&self, input_schema: &ArrowSchema) -> DFResult<DataType> {
        match self.kind {
            Kind::Float => self.arg.data_type(input_schema),
            Kind::JavaString => Ok(DataType::BinaryView),
            _ => Ok(DataType::Binary),
        }
    }

    fn nullable(&self, _input_schema: &ArrowSchema) -> DFResult<bool> {
        Ok(true)
    }

    fn evaluate(&self, batch: &RecordBatch) -> DFResult<ColumnarValue> {
        let out: ArrayRef = match self.kind {
            Kind::Float => float_key(&operand(&self.arg, batch)?)?,
            Kind::JavaString => string_key(&operand(&self.arg, batch)?)?,
            Kind::Ordered => {
                let row = self.arg.downcast_ref::<RowExpr>().ok_or_else(|| {
                    DataFusionError::Internal(format!(
                        "{self}: the argument is not a row expression"
                    ))
                })?;
                let values = row.values(batch)?;
                let mut b = BinaryBuilder::with_capacity(values.len(), values.len() * 16);
                let mut buf = Vec::new();
                for v in &values {
                    if v.is_null() {
                        b.append_null();
                    } else {
                        buf.clear();
                        encode_order_key(v, &mut buf);
                        b.append_value(&buf);
                    }
                }
                Arc::new(b.finish())
            }
            Kind::Canonical => canonical_key(&operand(&self.arg, batch)?)?,
        };
        Ok(ColumnarValue::Array(out))
    }

    fn children(&self) -> Vec<&Arc<dyn PhysicalExpr>> {
        vec![&self.arg]
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn PhysicalExpr>>,
    ) -> DFResult<Arc<dyn PhysicalExpr>> {
        match (children.pop(), children.is_empty()) {
            (Some(arg), true) => Ok(Arc::new(KeyExpr {
                kind: self.kind,
                arg,
            })),
            _ => Err(DataFusionError::Internal(format!(
                "{self} takes one operand"
            ))),
        }
    }

    fn fmt_sql(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.name(), fmt_sql(self.arg.as_ref()))
    }
}

/// `-0.0` as `0.0` and every NaN as `NaN`.
fn float_key(a: &ArrayRef) -> DFResult<ArrayRef> {
    Ok(match a.data_type() {
        DataType::Float64 => {
            let a: &Float64Array = a.as_primitive::<Float64Type>();
            Arc::new(a.unary::<_, Float64Type>(|x| {
                if x.is_nan() {
                    f64::NAN
                } else if x == 0.0 {
                    0.0
                } else {
                    x
                }
            }))
        }
        DataType::Float32 => {
            let a: &Float32Array = a.as_primitive::<Float32Type>();
            Arc::new(a.unary::<_, Float32Type>(|x| {
                if x.is_nan() {
                    f32::NAN
                } else if x == 0.0 {
                    0.0
                } else {
                    x
                }
            }))
        }
        other => {
            return Err(DataFusionError::Internal(format!(
                "a float key of type {other}"
            )));
        }
    })
}

/// A string column as binary ordering as UTF-16: the same views (no copy) unless some
/// character is in U+E000..=U+FFFF.
fn string_key(a: &ArrayRef) -> DFResult<ArrayRef> {
    let Some(s) = a.as_string_view_opt() else {
        return Err(DataFusionError::Internal(format!(
            "a chararray key of type {}",
            a.data_type()
        )));
    };
    let remapped = |t: &str| t.bytes().any(|b| (0xEE..=0xEF).contains(&b));
    if !s.iter().flatten().any(remapped) {
        return Ok(Arc::new(s.clone().to_binary_view()));
    }
    let mut b = BinaryViewBuilder::with_capacity(s.len());
    let mut buf = Vec::new();
    for v in s.iter() {
        match v {
            None => b.append_null(),
            Some(t) => {
                buf.clear();
                buf.extend(t.bytes().map(java_order_byte));
                b.append_value(&buf);
            }
        }
    }
    Ok(Arc::new(b.finish()))
}

/// Encoded values re-encoded from their canonical form.
fn canonical_key(a: &ArrayRef) -> DFResult<ArrayRef> {
    let Some(bin) = a.as_binary_opt::<i32>() else {
        return Err(DataFusionError::Internal(format!(
            "an encoded key of type {}",
            a.data_type()
        )));
    };
    let mut b = BinaryBuilder::with_capacity(bin.len(), bin.value_data().len());
    let mut buf = Vec::new();
    for v in bin.iter() {
        match v {
            None => b.append_null(),
            Some(bytes) => {
                let value = codec::decode(bytes)
                    .map_err(|e| DataFusionError::Internal(format!("a corrupt value: {e}")))?;
                buf.clear();
                codec::encode(&canonical(value), &mut buf);
                b.append_value(&buf);
            }
        }
    }
    Ok(Arc::new(b.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{BinaryArray, StringViewArray};
    use pigrs_udf::Value;

    #[test]
    fn string_keys_order_as_java_strings() {
        // U+FF48 (fullwidth h) is above the surrogates of U+1F600 in UTF-16, below it in
        // UTF-8.
        let a: ArrayRef = Arc::new(StringViewArray::from(vec![Some("ｈ"), Some("😀"), None]));
        let k = string_key(&a).unwrap();
        let k = k.as_binary_view();
        assert!(k.value(1) < k.value(0));
        assert!(k.is_null(2));
        assert_eq!(
            pigrs_udf::value::compare(
                &Value::Chararray("😀".into()),
                &Value::Chararray("ｈ".into())
            ),
            std::cmp::Ordering::Less
        );
    }

    #[test]
    fn float_keys_have_one_zero_and_one_nan() {
        let a: ArrayRef = Arc::new(Float64Array::from(vec![
            Some(-0.0),
            None,
            Some(-f64::NAN),
            Some(1.5),
        ]));
        let k = float_key(&a).unwrap();
        let k = k.as_primitive::<Float64Type>();
        assert!(k.value(0).is_sign_positive());
        assert!(k.is_null(1));
        assert_eq!(k.value(2).to_bits(), f64::NAN.to_bits());
        assert_eq!(k.value(3), 1.5);
    }

    #[test]
    fn canonical_keys_of_equal_values_are_equal() {
        let enc = |v: Value| codec::encode_to_vec(&v);
        let a: ArrayRef = Arc::new(BinaryArray::from(vec![
            Some(enc(Value::Tuple(Box::new(vec![Value::Double(-0.0)]))).as_slice()),
            Some(enc(Value::Tuple(Box::new(vec![Value::Double(0.0)]))).as_slice()),
            None,
        ]));
        let k = canonical_key(&a).unwrap();
        let k = k.as_binary::<i32>();
        assert_eq!(k.value(0), k.value(1));
        assert!(k.is_null(2));
    }
}
