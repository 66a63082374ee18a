//! ORDER BY on DataFusion's sort: each task of the stage below writes its rows with their
//! sort keys as Arrow columns, DataFusion's `SortExec` sorts every task's rows (spilling
//! sorted runs to disk when the run's memory pool is full) and `SortPreservingMergeExec`
//! merges them into one ordered stream.
//!
//! The key columns order exactly as Pig does (`pigrs_udf::value::compare`): nulls are the
//! smallest value (first ascending, last descending), chararray compares by UTF-16 code
//! unit like Java's `String.compareTo` (the key is the string in UTF-16BE), `-0.0` equals
//! `0.0`, NaN is the largest. A last key, the row's position in its task, keeps equal keys
//! in input order. Keys of other types (bytearray, datetime, big numbers, tuples, bags,
//! maps) use the in-memory sort instead.

use std::sync::Arc;

use arrow::array::{
    ArrayRef, BinaryBuilder, BooleanBuilder, Float32Builder, Float64Builder, Int32Builder,
    Int64Array, Int64Builder,
};
use arrow::compute::SortOptions;
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::sorts::sort_preserving_merge::SortPreservingMergeExec;
use pigrs_planner::logical::SortKey;
use pigrs_udf::{PigType, Tuple, Value};

use crate::layout::Layout;

/// The Arrow type of a sort key of Pig type `t`, if DataFusion's sort can order it as Pig
/// does.
fn key_type(t: &PigType) -> Option<DataType> {
    Some(match t {
        PigType::Boolean => DataType::Boolean,
        PigType::Int => DataType::Int32,
        PigType::Long => DataType::Int64,
        PigType::Float => DataType::Float32,
        PigType::Double => DataType::Float64,
        PigType::Chararray => DataType::Binary,
        _ => return None,
    })
}

/// How the rows of a relation are written for the sort: key columns, the row's position,
/// then the relation's own columns.
#[derive(Clone, Debug)]
pub struct SortLayout {
    /// The sort keys.
    pub keys: Vec<SortKey>,
    /// The relation's layout.
    pub rows: Layout,
    /// The Arrow schema of the batches (keys, `__seq`, the relation's columns).
    pub schema: SchemaRef,
}

impl SortLayout {
    /// The layout for sorting rows of `rows` by `keys`, if every key can be sorted by
    /// DataFusion.
    pub fn new(keys: &[SortKey], rows: Layout) -> Option<SortLayout> {
        let mut fields = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            fields.push(Field::new(format!("__key{i}"), key_type(&k.expr.ty)?, true));
        }
        fields.push(Field::new("__seq", DataType::Int64, false));
        fields.extend(rows.arrow.fields().iter().map(|f| f.as_ref().clone()));
        Some(SortLayout {
            keys: keys.to_vec(),
            schema: Arc::new(ArrowSchema::new(fields)),
            rows,
        })
    }

    /// The columns before the relation's own.
    pub fn prefix(&self) -> usize {
        self.keys.len() + 1
    }

    /// One batch of rows with their evaluated keys and positions.
    pub fn to_batch(&self, rows: &[Tuple], keys: &[Vec<Value>], seq: i64) -> DFResult<RecordBatch> {
        let mut cols: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for (i, k) in self.keys.iter().enumerate() {
            cols.push(key_column(&k.expr.ty, keys.iter().map(|ks| &ks[i]))?);
        }
        cols.push(Arc::new(Int64Array::from_iter_values(
            (0..rows.len() as i64).map(|i| seq + i),
        )));
        let batch = self.rows.to_batch(rows);
        cols.extend(batch.columns().iter().cloned());
        RecordBatch::try_new(self.schema.clone(), cols).map_err(DataFusionError::from)
    }

    /// The relation's rows of a sorted batch.
    pub fn rows(&self, batch: &RecordBatch) -> DFResult<Vec<Tuple>> {
        let own: Vec<usize> = (self.prefix()..batch.num_columns()).collect();
        Ok(self.rows.rows(&batch.project(&own)?))
    }

    /// The sort of each task's batches and the merge of the tasks into one stream.
    pub fn plan(&self, input: Arc<dyn ExecutionPlan>) -> DFResult<Arc<dyn ExecutionPlan>> {
        let mut exprs: Vec<PhysicalSortExpr> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| {
                PhysicalSortExpr::new(
                    Arc::new(Column::new(&format!("__key{i}"), i)),
                    // Pig: null is the smallest value.
                    SortOptions {
                        descending: k.desc,
                        nulls_first: !k.desc,
                    },
                )
            })
            .collect();
        exprs.push(PhysicalSortExpr::new(
            Arc::new(Column::new("__seq", self.keys.len())),
            SortOptions::default(),
        ));
        let ordering = LexOrdering::new(exprs)
            .ok_or_else(|| DataFusionError::Internal("an ORDER BY without keys".into()))?;
        let sort = SortExec::new(ordering.clone(), input).with_preserve_partitioning(true);
        Ok(Arc::new(SortPreservingMergeExec::new(
            ordering,
            Arc::new(sort),
        )))
    }
}

fn mismatch(ty: &PigType, v: &Value) -> DataFusionError {
    DataFusionError::Internal(format!("a sort key of type {ty} has the value {v}"))
}

/// A key column ordering as Pig's `compare` orders the values.
fn key_column<'a>(
    ty: &PigType,
    values: impl ExactSizeIterator<Item = &'a Value>,
) -> DFResult<ArrayRef> {
    let n = values.len();
    Ok(match ty {
        PigType::Boolean => {
            let mut b = BooleanBuilder::with_capacity(n);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Boolean(x) => b.append_value(*x),
                    other => return Err(mismatch(ty, other)),
                }
            }
            Arc::new(b.finish())
        }
        PigType::Int => {
            let mut b = Int32Builder::with_capacity(n);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Int(x) => b.append_value(*x),
                    other => return Err(mismatch(ty, other)),
                }
            }
            Arc::new(b.finish())
        }
        PigType::Long => {
            let mut b = Int64Builder::with_capacity(n);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Long(x) => b.append_value(*x),
                    other => return Err(mismatch(ty, other)),
                }
            }
            Arc::new(b.finish())
        }
        PigType::Float => {
            let mut b = Float32Builder::with_capacity(n);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    // -0.0 equals 0.0 for Pig; all NaNs are equal and the largest.
                    Value::Float(x) if x.is_nan() => b.append_value(f32::NAN),
                    Value::Float(x) => b.append_value(if *x == 0.0 { 0.0 } else { *x }),
                    other => return Err(mismatch(ty, other)),
                }
            }
            Arc::new(b.finish())
        }
        PigType::Double => {
            let mut b = Float64Builder::with_capacity(n);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Double(x) if x.is_nan() => b.append_value(f64::NAN),
                    Value::Double(x) => b.append_value(if *x == 0.0 { 0.0 } else { *x }),
                    other => return Err(mismatch(ty, other)),
                }
            }
            Arc::new(b.finish())
        }
        PigType::Chararray => {
            let mut b = BinaryBuilder::with_capacity(n, n * 16);
            let mut buf = Vec::new();
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Chararray(s) => {
                        // UTF-16BE bytes order as Java's String.compareTo.
                        buf.clear();
                        for unit in s.encode_utf16() {
                            buf.extend_from_slice(&unit.to_be_bytes());
                        }
                        b.append_value(&buf);
                    }
                    other => return Err(mismatch(ty, other)),
                }
            }
            Arc::new(b.finish())
        }
        other => {
            return Err(DataFusionError::Internal(format!(
                "no sort key column for type {other}"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{Array, BinaryArray};

    #[test]
    fn chararray_keys_order_as_java_strings() {
        // U+FF48 (fullwidth h) is above the surrogates of U+1F600 in UTF-16, below it in
        // UTF-8.
        let vals = [Value::Chararray("ｈ".into()), Value::Chararray("😀".into())];
        let col = key_column(&PigType::Chararray, vals.iter()).unwrap();
        let col = col.as_any().downcast_ref::<BinaryArray>().unwrap();
        assert!(col.value(1) < col.value(0));
        assert_eq!(
            pigrs_udf::value::compare(&vals[1], &vals[0]),
            std::cmp::Ordering::Less
        );
    }

    #[test]
    fn negative_zero_is_zero_and_nulls_stay_null() {
        let vals = [Value::Double(-0.0), Value::Null, Value::Double(f64::NAN)];
        let col = key_column(&PigType::Double, vals.iter()).unwrap();
        let col = col
            .as_any()
            .downcast_ref::<arrow::array::Float64Array>()
            .unwrap();
        assert!(col.value(0).is_sign_positive());
        assert!(col.is_null(1));
        assert!(col.value(2).is_nan());
    }

    #[test]
    fn a_value_of_another_type_is_an_error() {
        let vals = [Value::Long(3)];
        assert!(key_column(&PigType::Int, vals.iter()).is_err());
    }
}
