//! How a relation's rows sit in Arrow record batches.
//!
//! A relation with a known schema has one column per field, in Pig's Arrow layout
//! (`pigrs_udf::arrow_layout`). A relation whose schema is unknown (a LOAD without AS) can
//! have rows of any width, so each row is one value of a single binary column holding the
//! encoded tuple. Shuffles use a third layout: the encoded key, the input's tag, a sequence
//! number that keeps bags in input order, and the encoded row.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryArray, BinaryBuilder, Int32Array, Int64Array};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use pigrs_udf::{Schema, Tuple, Value, arrow_layout, codec};

/// The layout of a relation's batches.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The Pig schema, when known.
    pub schema: Option<Schema>,
    /// The Arrow schema of the batches.
    pub arrow: SchemaRef,
}

impl Layout {
    /// The layout for a relation of this (possibly unknown) schema.
    pub fn new(schema: Option<Schema>) -> Self {
        let arrow = match &schema {
            Some(s) => arrow_layout::arrow_schema(s),
            None => Arc::new(ArrowSchema::new(vec![Field::new(
                "__row",
                DataType::Binary,
                false,
            )])),
        };
        Layout { schema, arrow }
    }

    /// Packs rows into one batch.
    pub fn to_batch(&self, rows: &[Tuple]) -> RecordBatch {
        match &self.schema {
            Some(s) => arrow_layout::rows_to_batch(rows, s, self.arrow.clone()),
            None => {
                let mut b = BinaryBuilder::with_capacity(rows.len(), rows.len() * 32);
                let mut buf = Vec::new();
                for r in rows {
                    buf.clear();
                    codec::encode_tuple(r, &mut buf);
                    b.append_value(&buf);
                }
                let col: ArrayRef = Arc::new(b.finish());
                batch(self.arrow.clone(), vec![col], rows.len())
            }
        }
    }

    /// Unpacks a batch into rows.
    pub fn rows(&self, batch: &RecordBatch) -> Vec<Tuple> {
        match &self.schema {
            Some(s) => arrow_layout::batch_to_rows(batch, s),
            None => {
                let Some(col) = batch.column(0).as_any().downcast_ref::<BinaryArray>() else {
                    return Vec::new();
                };
                (0..col.len()).map(|i| decode_tuple(col.value(i))).collect()
            }
        }
    }
}

fn batch(schema: SchemaRef, cols: Vec<ArrayRef>, rows: usize) -> RecordBatch {
    RecordBatch::try_new_with_options(
        schema,
        cols,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .unwrap_or_else(|e| panic!("pigrs bug: batch does not match its layout: {e}"))
}

/// Decodes a row encoded by [`codec::encode`] of a tuple (a corrupt value gives an empty row).
pub fn decode_tuple(bytes: &[u8]) -> Tuple {
    match codec::decode(bytes) {
        Ok(Value::Tuple(t)) => *t,
        Ok(other) => vec![other],
        Err(_) => Vec::new(),
    }
}

/// The Arrow schema of shuffled rows.
pub fn shuffle_schema() -> SchemaRef {
    Arc::new(ArrowSchema::new(vec![
        Field::new("__key", DataType::Binary, false),
        Field::new("__tag", DataType::Int32, false),
        Field::new("__seq", DataType::Int64, false),
        Field::new("__row", DataType::Binary, false),
    ]))
}

/// One shuffled row.
pub struct Shuffled {
    /// The encoded key.
    pub key: Vec<u8>,
    /// Which input of the reduce it came from.
    pub tag: i32,
    /// Its position in the input (task << 40 | row).
    pub seq: i64,
    /// The row.
    pub row: Tuple,
}

/// Packs shuffled rows into a batch.
pub fn shuffle_batch(rows: &[Shuffled]) -> RecordBatch {
    let mut keys = BinaryBuilder::with_capacity(rows.len(), rows.len() * 16);
    let mut vals = BinaryBuilder::with_capacity(rows.len(), rows.len() * 32);
    let mut buf = Vec::new();
    for r in rows {
        keys.append_value(&r.key);
        buf.clear();
        codec::encode_tuple(&r.row, &mut buf);
        vals.append_value(&buf);
    }
    let tags: Int32Array = rows.iter().map(|r| r.tag).collect();
    let seqs: Int64Array = rows.iter().map(|r| r.seq).collect();
    let cols: Vec<ArrayRef> = vec![
        Arc::new(keys.finish()),
        Arc::new(tags),
        Arc::new(seqs),
        Arc::new(vals.finish()),
    ];
    batch(shuffle_schema(), cols, rows.len())
}

/// The columns of a batch of shuffled rows, still encoded: keys, tags, sequence numbers
/// and rows (`None` for a batch not in the shuffle layout).
fn shuffle_columns(
    batch: &RecordBatch,
) -> Option<(&BinaryArray, &Int32Array, &Int64Array, &BinaryArray)> {
    Some((
        batch.column(0).as_any().downcast_ref::<BinaryArray>()?,
        batch.column(1).as_any().downcast_ref::<Int32Array>()?,
        batch.column(2).as_any().downcast_ref::<Int64Array>()?,
        batch.column(3).as_any().downcast_ref::<BinaryArray>()?,
    ))
}

/// Unpacks a batch of shuffled rows.
pub fn shuffled_rows(batch: &RecordBatch) -> Vec<Shuffled> {
    let Some((keys, tags, seqs, vals)) = shuffle_columns(batch) else {
        return Vec::new();
    };
    (0..batch.num_rows())
        .map(|i| Shuffled {
            key: keys.value(i).to_vec(),
            tag: tags.value(i),
            seq: seqs.value(i),
            row: decode_tuple(vals.value(i)),
        })
        .collect()
}
