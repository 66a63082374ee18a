//! How a relation's rows lay out in Arrow record batches.
//!
//! Each field of a relation's schema is one nullable column. Booleans, ints, longs, floats,
//! doubles, chararrays and bytearrays use Arrow's native types; datetimes, bigintegers,
//! bigdecimals, tuples, bags and maps are `Binary` columns holding [`codec::encode`]d values.
//! Each Arrow field carries the Pig type in its metadata under [`PIG_TYPE_KEY`].
//!
//! Why encoded: a Pig datetime keeps its own zone offset (an Arrow timestamp column has one
//! zone), bigintegers and bigdecimals have no fixed precision (an Arrow decimal has one), and
//! a tuple, bag or map field's inner schema is often unknown or partly untyped (`{(x)}`,
//! `map[]`), while its values must round-trip exactly.
//!
//! A chararray is a `Utf8View` (a bytearray a `BinaryView`, alike): a string of up to 12 bytes sits in its view, a longer one is
//! a view into a buffer the column shares with the column it came from, so a token cut from a
//! line, a projection or a shuffle copies no text. Readers also accept `Utf8` and `LargeUtf8`
//! (from Parquet files and DataFusion's own functions).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BinaryViewArray, BinaryViewBuilder, BooleanBuilder,
    Float32Builder, Float64Builder, GenericBinaryArray, GenericStringArray, Int32Builder,
    Int64Builder, StringViewArray, StringViewBuilder,
};
use arrow::datatypes::{DataType, Float32Type, Float64Type, Int32Type, Int64Type, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};

use crate::cast::{cast, parse_text};
use crate::codec;
use crate::types::{PigType, Schema};
use crate::value::{Tuple, Value};

/// The metadata key of an Arrow field that holds the field's Pig type (DESCRIBE text).
pub const PIG_TYPE_KEY: &str = "pigrs.type";

/// The Arrow type of a column of Pig type `t`.
pub fn arrow_type(t: &PigType) -> DataType {
    match t {
        PigType::Boolean => DataType::Boolean,
        PigType::Int => DataType::Int32,
        PigType::Long => DataType::Int64,
        PigType::Float => DataType::Float32,
        PigType::Double => DataType::Float64,
        PigType::Chararray => DataType::Utf8View,
        PigType::Bytearray => DataType::BinaryView,
        PigType::Datetime
        | PigType::BigInteger
        | PigType::BigDecimal
        | PigType::Tuple(_)
        | PigType::Bag(_)
        | PigType::Map(_) => DataType::Binary,
    }
}

/// A nullable Arrow field for a Pig field, with the Pig type under [`PIG_TYPE_KEY`].
pub fn arrow_field(name: &str, t: &PigType) -> arrow::datatypes::Field {
    arrow::datatypes::Field::new(name, arrow_type(t), true)
        .with_metadata(HashMap::from([(PIG_TYPE_KEY.to_owned(), t.to_string())]))
}

/// The Arrow schema of a relation; an unnamed field at position `i` is named `$i`.
pub fn arrow_schema(schema: &Schema) -> SchemaRef {
    let fields: Vec<arrow::datatypes::Field> = schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| match &f.name {
            Some(n) => arrow_field(n, &f.ty),
            None => arrow_field(&format!("${i}"), &f.ty),
        })
        .collect();
    Arc::new(arrow::datatypes::Schema::new(fields))
}

/// Whether values of type `t` are stored `codec`-encoded in a binary column.
fn is_encoded(t: &PigType) -> bool {
    matches!(
        t,
        PigType::Datetime
            | PigType::BigInteger
            | PigType::BigDecimal
            | PigType::Tuple(_)
            | PigType::Bag(_)
            | PigType::Map(_)
    )
}

/// Whether `v` is already a value of type `t` (inner schemas are not checked).
fn fits(v: &Value, t: &PigType) -> bool {
    matches!(
        (v, t),
        (Value::Boolean(_), PigType::Boolean)
            | (Value::Int(_), PigType::Int)
            | (Value::Long(_), PigType::Long)
            | (Value::Float(_), PigType::Float)
            | (Value::Double(_), PigType::Double)
            | (Value::BigInteger(_), PigType::BigInteger)
            | (Value::BigDecimal(_), PigType::BigDecimal)
            | (Value::Chararray(_), PigType::Chararray)
            | (Value::Bytearray(_), PigType::Bytearray)
            | (Value::Datetime(_), PigType::Datetime)
            | (Value::Tuple(_), PigType::Tuple(_))
            | (Value::Bag(_), PigType::Bag(_))
            | (Value::Map(_), PigType::Map(_))
    )
}

/// Builds one column of a Pig type.
enum ColumnBuilder {
    Bool(BooleanBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Float(Float32Builder),
    Double(Float64Builder),
    Str(StringViewBuilder),
    Bytes(BinaryViewBuilder),
    /// A binary column of `codec`-encoded values, with a scratch buffer.
    Encoded(BinaryBuilder, Vec<u8>),
}

impl ColumnBuilder {
    fn new(t: &PigType, capacity: usize) -> Self {
        match t {
            PigType::Boolean => ColumnBuilder::Bool(BooleanBuilder::with_capacity(capacity)),
            PigType::Int => ColumnBuilder::Int(Int32Builder::with_capacity(capacity)),
            PigType::Long => ColumnBuilder::Long(Int64Builder::with_capacity(capacity)),
            PigType::Float => ColumnBuilder::Float(Float32Builder::with_capacity(capacity)),
            PigType::Double => ColumnBuilder::Double(Float64Builder::with_capacity(capacity)),
            PigType::Chararray => ColumnBuilder::Str(StringViewBuilder::with_capacity(capacity)),
            PigType::Bytearray => ColumnBuilder::Bytes(BinaryViewBuilder::with_capacity(capacity)),
            _ => ColumnBuilder::Encoded(
                BinaryBuilder::with_capacity(capacity, capacity * 16),
                Vec::new(),
            ),
        }
    }

    fn push(&mut self, v: &Value, t: &PigType) {
        // Values of the column's type go straight in; others are cast, failures are null.
        let converted;
        let v = if v.is_null() || fits(v, t) {
            v
        } else {
            match (self.is_bytes(), v) {
                // Text into a bytearray column: no conversion needed.
                (true, Value::Chararray(_)) => v,
                _ => {
                    converted = cast(v, t).unwrap_or(Value::Null);
                    &converted
                }
            }
        };
        match (self, v) {
            (ColumnBuilder::Bool(b), Value::Boolean(x)) => b.append_value(*x),
            (ColumnBuilder::Bool(b), _) => b.append_null(),
            (ColumnBuilder::Int(b), Value::Int(x)) => b.append_value(*x),
            (ColumnBuilder::Int(b), _) => b.append_null(),
            (ColumnBuilder::Long(b), Value::Long(x)) => b.append_value(*x),
            (ColumnBuilder::Long(b), _) => b.append_null(),
            (ColumnBuilder::Float(b), Value::Float(x)) => b.append_value(*x),
            (ColumnBuilder::Float(b), _) => b.append_null(),
            (ColumnBuilder::Double(b), Value::Double(x)) => b.append_value(*x),
            (ColumnBuilder::Double(b), _) => b.append_null(),
            (ColumnBuilder::Str(b), Value::Chararray(s)) => b.append_value(s),
            (ColumnBuilder::Str(b), _) => b.append_null(),
            (ColumnBuilder::Bytes(b), Value::Bytearray(x)) => b.append_value(x),
            (ColumnBuilder::Bytes(b), Value::Chararray(s)) => b.append_value(s.as_bytes()),
            (ColumnBuilder::Bytes(b), _) => b.append_null(),
            (ColumnBuilder::Encoded(b, _), Value::Null) => b.append_null(),
            (ColumnBuilder::Encoded(b, scratch), v) => {
                scratch.clear();
                codec::encode(v, scratch);
                b.append_value(&scratch[..]);
            }
        }
    }

    fn is_bytes(&self) -> bool {
        matches!(self, ColumnBuilder::Bytes(_))
    }

    fn finish(self) -> ArrayRef {
        match self {
            ColumnBuilder::Bool(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Int(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Long(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Float(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Double(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Str(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Bytes(mut b) => Arc::new(b.finish()),
            ColumnBuilder::Encoded(mut b, _) => Arc::new(b.finish()),
        }
    }
}

/// An Arrow column of type `arrow_type(t)` holding `values`; a value that is not of type `t`
/// is cast to it with [`cast`], and one that fails to cast is null.
pub fn to_array(values: &[Value], t: &PigType) -> ArrayRef {
    let mut b = ColumnBuilder::new(t, values.len());
    for v in values {
        b.push(v, t);
    }
    b.finish()
}

/// Reads one Arrow column, whatever its physical type.
enum ColumnReader<'a> {
    Bool(&'a arrow::array::BooleanArray),
    Int(&'a arrow::array::Int32Array),
    Long(&'a arrow::array::Int64Array),
    Float(&'a arrow::array::Float32Array),
    Double(&'a arrow::array::Float64Array),
    Str(&'a GenericStringArray<i32>),
    LargeStr(&'a GenericStringArray<i64>),
    StrView(&'a StringViewArray),
    Bytes(&'a GenericBinaryArray<i32>),
    LargeBytes(&'a GenericBinaryArray<i64>),
    BytesView(&'a BinaryViewArray),
    /// A column of a type Pig values are never stored in: reads as nulls.
    Unknown,
}

impl<'a> ColumnReader<'a> {
    fn new(a: &'a dyn Array) -> Self {
        let r = match a.data_type() {
            DataType::Boolean => a.as_boolean_opt().map(ColumnReader::Bool),
            DataType::Int32 => a.as_primitive_opt::<Int32Type>().map(ColumnReader::Int),
            DataType::Int64 => a.as_primitive_opt::<Int64Type>().map(ColumnReader::Long),
            DataType::Float32 => a.as_primitive_opt::<Float32Type>().map(ColumnReader::Float),
            DataType::Float64 => a
                .as_primitive_opt::<Float64Type>()
                .map(ColumnReader::Double),
            DataType::Utf8 => a.as_string_opt::<i32>().map(ColumnReader::Str),
            DataType::LargeUtf8 => a.as_string_opt::<i64>().map(ColumnReader::LargeStr),
            DataType::Utf8View => a.as_string_view_opt().map(ColumnReader::StrView),
            DataType::Binary => a.as_binary_opt::<i32>().map(ColumnReader::Bytes),
            DataType::LargeBinary => a.as_binary_opt::<i64>().map(ColumnReader::LargeBytes),
            DataType::BinaryView => a.as_binary_view_opt().map(ColumnReader::BytesView),
            _ => None,
        };
        r.unwrap_or(ColumnReader::Unknown)
    }

    fn array(&self) -> Option<&'a dyn Array> {
        Some(match self {
            ColumnReader::Bool(a) => *a,
            ColumnReader::Int(a) => *a,
            ColumnReader::Long(a) => *a,
            ColumnReader::Float(a) => *a,
            ColumnReader::Double(a) => *a,
            ColumnReader::Str(a) => *a,
            ColumnReader::LargeStr(a) => *a,
            ColumnReader::StrView(a) => *a,
            ColumnReader::Bytes(a) => *a,
            ColumnReader::LargeBytes(a) => *a,
            ColumnReader::BytesView(a) => *a,
            ColumnReader::Unknown => return None,
        })
    }

    fn get(&self, row: usize, t: &PigType) -> Value {
        let Some(a) = self.array() else {
            return Value::Null;
        };
        if row >= a.len() || a.is_null(row) {
            return Value::Null;
        }
        let v = match self {
            ColumnReader::Bool(a) => Value::Boolean(a.value(row)),
            ColumnReader::Int(a) => Value::Int(a.value(row)),
            ColumnReader::Long(a) => Value::Long(a.value(row)),
            ColumnReader::Float(a) => Value::Float(a.value(row)),
            ColumnReader::Double(a) => Value::Double(a.value(row)),
            ColumnReader::Str(a) => text_value(a.value(row), t),
            ColumnReader::LargeStr(a) => text_value(a.value(row), t),
            ColumnReader::StrView(a) => text_value(a.value(row), t),
            ColumnReader::Bytes(a) => binary_value(a.value(row), t),
            ColumnReader::LargeBytes(a) => binary_value(a.value(row), t),
            ColumnReader::BytesView(a) => binary_value(a.value(row), t),
            ColumnReader::Unknown => Value::Null,
        };
        if v.is_null() || fits(&v, t) {
            v
        } else {
            cast(&v, t).unwrap_or(Value::Null)
        }
    }
}

fn text_value(s: &str, t: &PigType) -> Value {
    match t {
        PigType::Bytearray => Value::Bytearray(s.as_bytes().to_vec()),
        _ => Value::Chararray(s.to_owned()),
    }
}

fn binary_value(b: &[u8], t: &PigType) -> Value {
    if matches!(t, PigType::Bytearray) {
        Value::Bytearray(b.to_vec())
    } else if is_encoded(t) {
        codec::decode(b).unwrap_or(Value::Null)
    } else {
        // Raw text in a binary column, read as the declared type.
        parse_text(b, t).unwrap_or(Value::Null)
    }
}

/// Writes the codec encodings of one column's values as [`value_at`] reads them, without
/// building a value for a chararray.
pub struct ColumnEncoder<'a> {
    reader: ColumnReader<'a>,
    ty: PigType,
}

impl<'a> ColumnEncoder<'a> {
    /// The encoder of `array`'s values read as type `t`.
    pub fn new(array: &'a ArrayRef, t: &PigType) -> Self {
        ColumnEncoder {
            reader: ColumnReader::new(array.as_ref()),
            ty: t.clone(),
        }
    }

    /// Appends the encoding of row `row`'s value: the bytes of
    /// `codec::encode(&value_at(array, t, row))`.
    pub fn encode(&self, row: usize, out: &mut Vec<u8>) {
        let text = match (&self.reader, &self.ty) {
            (ColumnReader::Str(a), PigType::Chararray) if row < a.len() && a.is_valid(row) => {
                Some(a.value(row))
            }
            (ColumnReader::LargeStr(a), PigType::Chararray) if row < a.len() && a.is_valid(row) => {
                Some(a.value(row))
            }
            (ColumnReader::StrView(a), PigType::Chararray) if row < a.len() && a.is_valid(row) => {
                Some(a.value(row))
            }
            _ => None,
        };
        match text {
            Some(s) => codec::encode_chararray(s, out),
            None => codec::encode(&self.reader.get(row, &self.ty), out),
        }
    }
}

/// The value at `row` of a column read as Pig type `t` (null when out of range, null in the
/// column, undecodable, or not castable to `t`).
pub fn value_at(array: &ArrayRef, t: &PigType, row: usize) -> Value {
    ColumnReader::new(array.as_ref()).get(row, t)
}

/// A record batch of `rows` laid out by `schema`: a row's missing trailing fields are null
/// and fields past the schema's width are dropped.
///
/// `arrow_schema` should be [`arrow_schema`]`(schema)` (or one with the same column types);
/// if the columns do not fit it, the batch gets `arrow_schema(schema)` instead.
pub fn rows_to_batch(rows: &[Tuple], schema: &Schema, arrow_schema: SchemaRef) -> RecordBatch {
    static NULL: Value = Value::Null;
    let columns: Vec<ArrayRef> = schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut b = ColumnBuilder::new(&f.ty, rows.len());
            for row in rows {
                b.push(row.get(i).unwrap_or(&NULL), &f.ty);
            }
            b.finish()
        })
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(rows.len()));
    match RecordBatch::try_new_with_options(arrow_schema.clone(), columns.clone(), &options) {
        Ok(batch) => batch,
        Err(_) => RecordBatch::try_new_with_options(self::arrow_schema(schema), columns, &options)
            .unwrap_or_else(|_| RecordBatch::new_empty(arrow_schema)),
    }
}

/// The rows of a record batch read by `schema`: field `i` from column `i` (null when the
/// batch has fewer columns).
pub fn batch_to_rows(batch: &RecordBatch, schema: &Schema) -> Vec<Tuple> {
    let readers: Vec<(ColumnReader<'_>, &PigType)> = schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let reader = batch
                .columns()
                .get(i)
                .map_or(ColumnReader::Unknown, |c| ColumnReader::new(c.as_ref()));
            (reader, &f.ty)
        })
        .collect();
    (0..batch.num_rows())
        .map(|row| readers.iter().map(|(r, t)| r.get(row, t)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Field;
    use bigdecimal::BigDecimal;
    use chrono::DateTime;
    use num_bigint::BigInt;
    use std::str::FromStr;

    fn all_types_schema() -> Schema {
        Schema::new(vec![
            Field::new("b", PigType::Boolean),
            Field::new("i", PigType::Int),
            Field::new("l", PigType::Long),
            Field::new("f", PigType::Float),
            Field::new("d", PigType::Double),
            Field::new("s", PigType::Chararray),
            Field::new("x", PigType::Bytearray),
            Field::new("dt", PigType::Datetime),
            Field::new("bi", PigType::BigInteger),
            Field::new("bd", PigType::BigDecimal),
            Field::unnamed(PigType::Tuple(None)),
            Field::new(
                "bag",
                PigType::Bag(Some(Schema::new(vec![Field::new("a", PigType::Int)]))),
            ),
            Field::new("m", PigType::Map(None)),
        ])
    }

    fn full_row() -> Tuple {
        vec![
            Value::Boolean(true),
            Value::Int(-5),
            Value::Long(1 << 40),
            Value::Float(3.8),
            Value::Double(1e10),
            Value::Chararray("héllo".into()),
            Value::Bytearray(vec![0, 1, 255]),
            Value::Datetime(DateTime::parse_from_rfc3339("2009-01-07T01:07:01+01:00").unwrap()),
            Value::BigInteger(Box::new(
                BigInt::from_str("123456789012345678901234567890").unwrap(),
            )),
            Value::BigDecimal(Box::new(BigDecimal::from_str("1.50").unwrap())),
            Value::Tuple(Box::new(vec![Value::Int(1), Value::Null])),
            Value::Bag(Box::new(crate::bag::Bag::from(vec![
                vec![Value::Int(1)],
                vec![Value::Int(2)],
            ]))),
            Value::Map(Box::new(vec![("k".into(), Value::Chararray("v".into()))])),
        ]
    }

    #[test]
    fn schema_layout() {
        let s = all_types_schema();
        let a = arrow_schema(&s);
        assert_eq!(a.fields().len(), 13);
        assert_eq!(a.field(0).data_type(), &DataType::Boolean);
        assert_eq!(a.field(1).data_type(), &DataType::Int32);
        assert_eq!(a.field(2).data_type(), &DataType::Int64);
        assert_eq!(a.field(3).data_type(), &DataType::Float32);
        assert_eq!(a.field(4).data_type(), &DataType::Float64);
        assert_eq!(a.field(5).data_type(), &DataType::Utf8View);
        assert_eq!(a.field(6).data_type(), &DataType::BinaryView);
        for i in 7..13 {
            assert_eq!(a.field(i).data_type(), &DataType::Binary);
        }
        assert!(a.fields().iter().all(|f| f.is_nullable()));
        assert_eq!(a.field(10).name(), "$10");
        assert_eq!(a.field(11).name(), "bag");
        assert_eq!(
            a.field(11).metadata().get(PIG_TYPE_KEY).map(String::as_str),
            Some("{(a: int)}")
        );
        assert_eq!(
            a.field(1).metadata().get(PIG_TYPE_KEY).map(String::as_str),
            Some("int")
        );
    }

    /// The encoder writes the bytes of encoding the value `value_at` reads, every type,
    /// nulls included, and a chararray column read as another type.
    #[test]
    fn column_encoder_matches_encoding_the_values() {
        let s = all_types_schema();
        let rows = vec![full_row(), vec![Value::Null; 13], full_row()];
        let batch = rows_to_batch(&rows, &s, arrow_schema(&s));
        let mut reads: Vec<(usize, PigType)> = s
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| (i, f.ty.clone()))
            .collect();
        reads.push((5, PigType::Bytearray));
        reads.push((1, PigType::Long));
        for (i, ty) in reads {
            let column = batch.column(i);
            let encoder = ColumnEncoder::new(column, &ty);
            for row in 0..rows.len() + 1 {
                let mut got = Vec::new();
                encoder.encode(row, &mut got);
                let want = codec::encode_to_vec(&value_at(column, &ty, row));
                assert_eq!(got, want, "column {i} as {ty}, row {row}");
            }
        }
    }

    #[test]
    fn rows_round_trip() {
        let s = all_types_schema();
        let a = arrow_schema(&s);
        let nulls: Tuple = vec![Value::Null; 13];
        let short: Tuple = vec![Value::Boolean(false), Value::Int(1)];
        let mut long = full_row();
        long.push(Value::Chararray("extra".into()));
        let rows = vec![full_row(), nulls.clone(), short, long];
        let batch = rows_to_batch(&rows, &s, a.clone());
        assert_eq!(batch.num_rows(), 4);
        assert_eq!(batch.num_columns(), 13);
        assert_eq!(batch.schema(), a);
        let back = batch_to_rows(&batch, &s);
        assert_eq!(back[0], full_row());
        assert_eq!(back[0][7].to_string(), "2009-01-07T01:07:01.000+01:00");
        assert_eq!(back[1], nulls);
        let mut short_back = vec![Value::Boolean(false), Value::Int(1)];
        short_back.resize(13, Value::Null);
        assert_eq!(back[2], short_back);
        assert_eq!(back[3], full_row());
        for (i, f) in s.fields.iter().enumerate() {
            assert_eq!(value_at(batch.column(i), &f.ty, 0), full_row()[i]);
            assert_eq!(value_at(batch.column(i), &f.ty, 1), Value::Null);
            assert_eq!(value_at(batch.column(i), &f.ty, 99), Value::Null);
        }
    }

    #[test]
    fn values_are_cast_to_the_column_type() {
        let ints = to_array(
            &[
                Value::Int(1),
                Value::Bytearray(b"2".to_vec()),
                Value::Chararray("x".into()),
                Value::Double(3.9),
                Value::Null,
            ],
            &PigType::Int,
        );
        let got: Vec<Value> = (0..5).map(|i| value_at(&ints, &PigType::Int, i)).collect();
        assert_eq!(
            got,
            vec![
                Value::Int(1),
                Value::Int(2),
                Value::Null,
                Value::Int(3),
                Value::Null
            ]
        );
        let bytes = to_array(
            &[Value::Chararray("ab".into()), Value::Int(5)],
            &PigType::Bytearray,
        );
        assert_eq!(
            value_at(&bytes, &PigType::Bytearray, 0),
            Value::Bytearray(b"ab".to_vec())
        );
        assert_eq!(
            value_at(&bytes, &PigType::Bytearray, 1),
            Value::Bytearray(b"5".to_vec())
        );
        let strs = to_array(
            &[Value::Double(1.5), Value::Tuple(Box::default())],
            &PigType::Chararray,
        );
        assert_eq!(
            value_at(&strs, &PigType::Chararray, 0),
            Value::Chararray("1.5".into())
        );
        assert_eq!(value_at(&strs, &PigType::Chararray, 1), Value::Null);
        let tuples = to_array(
            &[Value::Bytearray(b"(1,2)".to_vec()), Value::Int(3)],
            &PigType::Tuple(None),
        );
        assert_eq!(
            value_at(&tuples, &PigType::Tuple(None), 0).to_string(),
            "(1,2)"
        );
        assert_eq!(value_at(&tuples, &PigType::Tuple(None), 1), Value::Null);
        // Reading a column as another type casts; raw text in a binary column parses.
        assert_eq!(value_at(&ints, &PigType::Long, 0), Value::Long(1));
        assert_eq!(value_at(&strs, &PigType::Double, 0), Value::Double(1.5));
        assert_eq!(value_at(&bytes, &PigType::Int, 1), Value::Int(5));
        let junk = to_array(&[Value::Bytearray(vec![200, 1])], &PigType::Bytearray);
        assert_eq!(value_at(&junk, &PigType::Datetime, 0), Value::Null);
        let other: ArrayRef = Arc::new(arrow::array::Date32Array::from(vec![1]));
        assert_eq!(value_at(&other, &PigType::Int, 0), Value::Null);
    }

    #[test]
    fn edge_batches() {
        let s = Schema::default();
        let batch = rows_to_batch(&[vec![], vec![Value::Int(1)]], &s, arrow_schema(&s));
        assert_eq!(batch.num_rows(), 2);
        assert_eq!(batch_to_rows(&batch, &s), vec![Vec::<Value>::new(), vec![]]);
        let s1 = Schema::new(vec![Field::new("a", PigType::Int)]);
        let empty = rows_to_batch(&[], &s1, arrow_schema(&s1));
        assert_eq!(empty.num_rows(), 0);
        // A mismatched Arrow schema falls back to the layout of the Pig schema.
        let wrong = arrow_schema(&Schema::new(vec![Field::new("a", PigType::Chararray)]));
        let b = rows_to_batch(&[vec![Value::Int(7)]], &s1, wrong);
        assert_eq!(batch_to_rows(&b, &s1), vec![vec![Value::Int(7)]]);
        // Reading with a wider schema than the batch: missing columns are null.
        let s2 = Schema::new(vec![
            Field::new("a", PigType::Int),
            Field::new("b", PigType::Int),
        ]);
        assert_eq!(
            batch_to_rows(&b, &s2),
            vec![vec![Value::Int(7), Value::Null]]
        );
    }
}
