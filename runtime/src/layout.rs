//! How a relation's rows sit in Arrow record batches.
//!
//! A relation with a known schema has one column per field, in Pig's Arrow layout
//! (`pigrs_udf::arrow_layout`). A relation whose schema is unknown (a LOAD without AS) can
//! have rows of any width, so each row is one value of a single binary column holding the
//! encoded tuple.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, BinaryArray, BinaryBuilder};
use arrow::datatypes::{DataType, Field, Schema as ArrowSchema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use pigrs_udf::{Schema, Tuple, Value, arrow_layout, codec};

/// The layout of a relation's batches.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
#[serde(from = "LayoutWire", into = "LayoutWire")]
pub struct Layout {
    /// The Pig schema, when known.
    pub schema: Option<Schema>,
    /// The Arrow schema of the batches.
    pub arrow: SchemaRef,
}

/// A [`Layout`] as it is sent: its Pig schema. The Arrow schema is made again from it, as
/// [`Layout::new`] (the only way a layout is made) makes it.
#[derive(serde::Serialize, serde::Deserialize)]
struct LayoutWire {
    schema: Option<Schema>,
}

impl From<LayoutWire> for Layout {
    fn from(w: LayoutWire) -> Self {
        Layout::new(w.schema)
    }
}

impl From<Layout> for LayoutWire {
    fn from(l: Layout) -> Self {
        LayoutWire { schema: l.schema }
    }
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
