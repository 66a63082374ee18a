//! ParquetLoader and ParquetStorer: Pig relations as Parquet files.
//!
//! Scalars use Parquet's native types (int → INT32, long → INT64, float, double,
//! chararray → UTF8 string, bytearray → BYTE_ARRAY, boolean, datetime → timestamp in
//! milliseconds, UTC); bigintegers and bigdecimals are strings marked with their Pig type
//! in the Arrow field metadata. Tuples are Arrow structs, bags lists of structs and maps
//! Arrow maps with string keys (an untyped map's values are stored as bytes, in Pig's text
//! form). A tuple or a bag whose inner schema is unknown is a binary column of
//! [`pigrs_udf::codec`]-encoded values, marked in the metadata so it reads back as it was.
//!
//! Reading derives the Pig schema from the file's Arrow schema ([`file_schema`]) and
//! converts columns back to values; files are cut by row group (a split reads the row
//! groups that start inside its byte range).

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, BinaryBuilder, BooleanArray, Float32Array, Float64Array, Int32Array,
    Int64Array, ListArray, MapArray, StringBuilder, StructArray, TimestampMillisecondArray,
};
use arrow::buffer::{NullBuffer, OffsetBuffer};
use arrow::datatypes::{
    DataType, Field as ArrowField, Fields, Float32Type, Float64Type, Int32Type, Int64Type,
    Schema as ArrowSchema, SchemaRef, TimeUnit, TimestampMillisecondType,
};
use arrow::record_batch::{RecordBatch, RecordBatchOptions, RecordBatchReader};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::file::properties::WriterProperties;
use pigrs_udf::arrow_layout::PIG_TYPE_KEY;
use pigrs_udf::cast::{cast, parse_text};
use pigrs_udf::{Field, PigType, Schema, Tuple, Value};

use super::error::IoError;
use super::funcs::parse_schema;
use super::input::{FileRange, InputFile};
use super::read::RecordReader;
use super::write::{RecordWriter, push_text};

/// The metadata key of a binary column holding `codec`-encoded values of this Pig type.
const ENCODED_KEY: &str = "pigrs.encoded";

/// Rows per record batch read.
const READ_BATCH: usize = 4096;

static NULL: Value = Value::Null;

// ---------------------------------------------------------------------------------------
// Pig schema → Arrow schema

fn known(s: &Option<Schema>) -> Option<&Schema> {
    s.as_ref().filter(|s| !s.fields.is_empty())
}

fn field_name(f: &Field, i: usize) -> String {
    f.name.clone().unwrap_or_else(|| format!("${i}"))
}

fn struct_fields(s: &Schema) -> Fields {
    s.fields
        .iter()
        .enumerate()
        .map(|(i, f)| parquet_field(&field_name(f, i), &f.ty))
        .collect()
}

fn bag_item(s: &Schema) -> ArrowField {
    ArrowField::new("t", DataType::Struct(struct_fields(s)), true)
}

fn map_entries(value: &PigType) -> ArrowField {
    let kv = Fields::from(vec![
        ArrowField::new("key", DataType::Utf8, false),
        parquet_field("value", value),
    ]);
    ArrowField::new("entries", DataType::Struct(kv), false)
}

/// The nullable Arrow field ParquetStorer writes for a Pig field of type `t`.
pub fn parquet_field(name: &str, t: &PigType) -> ArrowField {
    let marked = |dt: DataType, key: &str| {
        ArrowField::new(name, dt, true)
            .with_metadata(HashMap::from([(key.to_owned(), t.to_string())]))
    };
    match t {
        PigType::Bytearray => ArrowField::new(name, DataType::Binary, true),
        PigType::Boolean => ArrowField::new(name, DataType::Boolean, true),
        PigType::Int => ArrowField::new(name, DataType::Int32, true),
        PigType::Long => ArrowField::new(name, DataType::Int64, true),
        PigType::Float => ArrowField::new(name, DataType::Float32, true),
        PigType::Double => ArrowField::new(name, DataType::Float64, true),
        PigType::Chararray => ArrowField::new(name, DataType::Utf8, true),
        PigType::Datetime => ArrowField::new(
            name,
            DataType::Timestamp(TimeUnit::Millisecond, Some("UTC".into())),
            true,
        ),
        PigType::BigInteger | PigType::BigDecimal => marked(DataType::Utf8, PIG_TYPE_KEY),
        PigType::Tuple(s) => match known(s) {
            Some(s) => ArrowField::new(name, DataType::Struct(struct_fields(s)), true),
            None => marked(DataType::Binary, ENCODED_KEY),
        },
        PigType::Bag(s) => match known(s) {
            Some(s) => ArrowField::new(name, DataType::List(Arc::new(bag_item(s))), true),
            None => marked(DataType::Binary, ENCODED_KEY),
        },
        PigType::Map(v) => {
            let v = v.as_deref().unwrap_or(&PigType::Bytearray);
            ArrowField::new(name, DataType::Map(Arc::new(map_entries(v)), false), true)
        }
    }
}

/// The Arrow schema ParquetStorer writes for a relation; unnamed fields are named `$i`.
pub fn parquet_schema(schema: &Schema) -> SchemaRef {
    Arc::new(ArrowSchema::new(struct_fields(schema)))
}

// ---------------------------------------------------------------------------------------
// Values → Arrow arrays

/// `v` as a value of type `t`: itself when it already is one, else cast (null on failure).
fn conv<'a>(v: &'a Value, t: &PigType) -> Cow<'a, Value> {
    match v.pig_type() {
        None => Cow::Borrowed(v),
        Some(vt) if vt.name() == t.name() => Cow::Borrowed(v),
        Some(_) => Cow::Owned(cast(v, t).unwrap_or(Value::Null)),
    }
}

fn build(values: &[&Value], t: &PigType) -> Result<ArrayRef, String> {
    Ok(match t {
        PigType::Bytearray => {
            let mut b = BinaryBuilder::with_capacity(values.len(), 0);
            let mut text = Vec::new();
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    Value::Bytearray(x) => b.append_value(x),
                    other => {
                        text.clear();
                        push_text(other, &mut text);
                        b.append_value(&text);
                    }
                }
            }
            Arc::new(b.finish())
        }
        PigType::Boolean => Arc::new(
            values
                .iter()
                .map(|v| conv(v, t).as_bool())
                .collect::<BooleanArray>(),
        ),
        PigType::Int => Arc::new(
            values
                .iter()
                .map(|v| match conv(v, t).as_ref() {
                    Value::Int(i) => Some(*i),
                    _ => None,
                })
                .collect::<Int32Array>(),
        ),
        PigType::Long => Arc::new(
            values
                .iter()
                .map(|v| match conv(v, t).as_ref() {
                    Value::Long(i) => Some(*i),
                    _ => None,
                })
                .collect::<Int64Array>(),
        ),
        PigType::Float => Arc::new(
            values
                .iter()
                .map(|v| match conv(v, t).as_ref() {
                    Value::Float(x) => Some(*x),
                    _ => None,
                })
                .collect::<Float32Array>(),
        ),
        PigType::Double => Arc::new(
            values
                .iter()
                .map(|v| match conv(v, t).as_ref() {
                    Value::Double(x) => Some(*x),
                    _ => None,
                })
                .collect::<Float64Array>(),
        ),
        PigType::Datetime => Arc::new(
            values
                .iter()
                .map(|v| match conv(v, t).as_ref() {
                    Value::Datetime(d) => Some(d.timestamp_millis()),
                    _ => None,
                })
                .collect::<TimestampMillisecondArray>()
                .with_timezone("UTC"),
        ),
        PigType::Chararray | PigType::BigInteger | PigType::BigDecimal => {
            let mut b = StringBuilder::with_capacity(values.len(), 0);
            for v in values {
                match conv(v, t).as_ref() {
                    Value::Null => b.append_null(),
                    Value::Chararray(s) => b.append_value(s),
                    other => b.append_value(other.to_string()),
                }
            }
            Arc::new(b.finish())
        }
        PigType::Tuple(s) if known(s).is_some() => {
            let s = known(s).unwrap_or(&EMPTY);
            let rows: Vec<Option<&[Value]>> = values
                .iter()
                .map(|v| match v {
                    Value::Tuple(t) => Some(t.as_slice()),
                    _ => None,
                })
                .collect();
            Arc::new(build_struct(&rows, s)?)
        }
        PigType::Bag(s) if known(s).is_some() => {
            let s = known(s).unwrap_or(&EMPTY);
            let mut offsets = Vec::with_capacity(values.len() + 1);
            offsets.push(0i32);
            let mut valid = Vec::with_capacity(values.len());
            let bags: Vec<Option<std::borrow::Cow<'_, [Tuple]>>> = values
                .iter()
                .map(|v| match v {
                    Value::Bag(b) => Some(b.all()),
                    _ => None,
                })
                .collect();
            let mut tuples: Vec<Option<&[Value]>> = Vec::new();
            for b in &bags {
                if let Some(b) = b {
                    tuples.extend(b.iter().map(|t| Some(t.as_slice())));
                    valid.push(true);
                } else {
                    valid.push(false);
                }
                offsets.push(offset(tuples.len())?);
            }
            let child = build_struct(&tuples, s)?;
            Arc::new(
                ListArray::try_new(
                    Arc::new(bag_item(s)),
                    OffsetBuffer::new(offsets.into()),
                    Arc::new(child),
                    Some(NullBuffer::from(valid)),
                )
                .map_err(|e| e.to_string())?,
            )
        }
        PigType::Map(vt) => {
            let vt = vt.as_deref().unwrap_or(&PigType::Bytearray);
            let mut offsets = Vec::with_capacity(values.len() + 1);
            offsets.push(0i32);
            let mut valid = Vec::with_capacity(values.len());
            let mut keys = StringBuilder::new();
            let mut vals: Vec<&Value> = Vec::new();
            for v in values {
                if let Value::Map(m) = v {
                    for (k, x) in m.iter() {
                        keys.append_value(k);
                        vals.push(x);
                    }
                    valid.push(true);
                } else {
                    valid.push(false);
                }
                offsets.push(offset(vals.len())?);
            }
            let entries_field = map_entries(vt);
            let DataType::Struct(kv) = entries_field.data_type().clone() else {
                return Err("internal: map entries are not a struct".to_string());
            };
            let entries =
                StructArray::try_new(kv, vec![Arc::new(keys.finish()), build(&vals, vt)?], None)
                    .map_err(|e| e.to_string())?;
            Arc::new(
                MapArray::try_new(
                    Arc::new(entries_field),
                    OffsetBuffer::new(offsets.into()),
                    entries,
                    Some(NullBuffer::from(valid)),
                    false,
                )
                .map_err(|e| e.to_string())?,
            )
        }
        PigType::Tuple(_) | PigType::Bag(_) => {
            let mut b = BinaryBuilder::with_capacity(values.len(), 0);
            for v in values {
                match v {
                    Value::Null => b.append_null(),
                    other => b.append_value(pigrs_udf::codec::encode_to_vec(other)),
                }
            }
            Arc::new(b.finish())
        }
    })
}

static EMPTY: Schema = Schema { fields: Vec::new() };

fn offset(n: usize) -> Result<i32, String> {
    i32::try_from(n).map_err(|_| "ParquetStorer: too many nested values in one batch".to_string())
}

/// A struct array of tuples (`None` is a null tuple); a tuple shorter than the schema
/// has nulls in its missing fields.
fn build_struct(rows: &[Option<&[Value]>], s: &Schema) -> Result<StructArray, String> {
    let mut children = Vec::with_capacity(s.fields.len());
    for (i, f) in s.fields.iter().enumerate() {
        let col: Vec<&Value> = rows
            .iter()
            .map(|r| r.and_then(|t| t.get(i)).unwrap_or(&NULL))
            .collect();
        children.push(build(&col, &f.ty)?);
    }
    let valid: Vec<bool> = rows.iter().map(Option::is_some).collect();
    StructArray::try_new(struct_fields(s), children, Some(NullBuffer::from(valid)))
        .map_err(|e| e.to_string())
}

/// A record batch of `rows` laid out with [`parquet_schema`]`(schema)`.
pub fn rows_to_parquet_batch(
    rows: &[Tuple],
    schema: &Schema,
    arrow: &SchemaRef,
) -> Result<RecordBatch, String> {
    let mut columns = Vec::with_capacity(schema.fields.len());
    for (i, f) in schema.fields.iter().enumerate() {
        let col: Vec<&Value> = rows.iter().map(|r| r.get(i).unwrap_or(&NULL)).collect();
        columns.push(build(&col, &f.ty)?);
    }
    RecordBatch::try_new_with_options(
        arrow.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows.len())),
    )
    .map_err(|e| e.to_string())
}

// ---------------------------------------------------------------------------------------
// Arrow schema → Pig schema

/// The Pig name of an Arrow field: `$i` names (unnamed Pig fields) give `None`.
fn pig_name(name: &str) -> Option<String> {
    let unnamed = name
        .strip_prefix('$')
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
    (!unnamed).then(|| name.to_string())
}

fn marked_type(f: &ArrowField, key: &str) -> Option<PigType> {
    let text = f.metadata().get(key)?;
    let s = parse_schema(&format!("x:{text}")).ok()?;
    s.fields.into_iter().next().map(|f| f.ty)
}

fn fields_schema(fields: &Fields) -> Schema {
    Schema::new(
        fields
            .iter()
            .map(|f| Field {
                name: pig_name(f.name()),
                ty: pig_type_of(f),
            })
            .collect(),
    )
}

/// The Pig type of an Arrow field read from a Parquet file.
pub fn pig_type_of(f: &ArrowField) -> PigType {
    if let Some(t) = marked_type(f, ENCODED_KEY) {
        return t;
    }
    if let Some(t @ (PigType::BigInteger | PigType::BigDecimal)) = marked_type(f, PIG_TYPE_KEY) {
        return t;
    }
    match f.data_type() {
        DataType::Boolean => PigType::Boolean,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            PigType::Int
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => PigType::Long,
        DataType::Float16 | DataType::Float32 => PigType::Float,
        DataType::Float64 => PigType::Double,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => PigType::Chararray,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => PigType::Datetime,
        DataType::Decimal32(..)
        | DataType::Decimal64(..)
        | DataType::Decimal128(..)
        | DataType::Decimal256(..) => PigType::BigDecimal,
        DataType::Struct(fs) => PigType::Tuple(Some(fields_schema(fs))),
        DataType::List(item) | DataType::LargeList(item) => match item.data_type() {
            DataType::Struct(fs) => PigType::Bag(Some(fields_schema(fs))),
            _ => PigType::Bag(Some(Schema::new(vec![Field {
                name: pig_name(item.name()),
                ty: pig_type_of(item),
            }]))),
        },
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => match pig_type_of(&kv[1]) {
                PigType::Bytearray => PigType::Map(None),
                t => PigType::Map(Some(Box::new(t))),
            },
            _ => PigType::Map(None),
        },
        DataType::Dictionary(_, v) => pig_type_of(&ArrowField::new(f.name(), (**v).clone(), true)),
        _ => PigType::Bytearray,
    }
}

/// The Pig schema of a Parquet file's Arrow schema.
pub fn pig_schema_of(arrow: &ArrowSchema) -> Schema {
    fields_schema(arrow.fields())
}

/// The Pig schema of the first Parquet file of a LOAD location (`None` when it has no
/// files yet).
pub fn file_schema(files: &[InputFile]) -> Result<Option<Schema>, IoError> {
    let Some(file) = files.iter().find(|f| f.size > 0) else {
        return Ok(None);
    };
    let f = File::open(&file.path).map_err(|e| IoError::io(&file.path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| IoError::format(&file.path, None, format!("not a Parquet file: {e}")))?;
    Ok(Some(pig_schema_of(builder.schema())))
}

// ---------------------------------------------------------------------------------------
// Arrow arrays → values

fn cast_array(a: &dyn Array, to: &DataType) -> Result<ArrayRef, String> {
    arrow::compute::cast(a, to).map_err(|e| e.to_string())
}

fn nullable<T>(a: &dyn Array, n: usize, f: impl Fn(usize) -> T) -> Vec<Option<T>> {
    (0..n).map(|i| a.is_valid(i).then(|| f(i))).collect()
}

fn or_null(v: Option<Value>) -> Value {
    v.unwrap_or(Value::Null)
}

/// The values of a column, by its Arrow field.
fn column_values(a: &dyn Array, f: &ArrowField) -> Result<Vec<Value>, String> {
    let n = a.len();
    if let Some(t) = marked_type(f, ENCODED_KEY) {
        let b = cast_array(a, &DataType::Binary)?;
        let b = b.as_binary::<i32>();
        return nullable(b, n, |i| pigrs_udf::codec::decode(b.value(i)))
            .into_iter()
            .map(|v| match v {
                None => Ok(Value::Null),
                Some(Ok(v)) => Ok(v),
                Some(Err(e)) => Err(format!("column {}: bad {t} value: {e}", f.name())),
            })
            .collect();
    }
    let ty = pig_type_of(f);
    Ok(match (a.data_type(), &ty) {
        (_, PigType::BigInteger | PigType::BigDecimal) => {
            let s = cast_array(a, &DataType::Utf8)?;
            let s = s.as_string::<i32>();
            nullable(s, n, |i| parse_text(s.value(i).as_bytes(), &ty).ok())
                .into_iter()
                .map(|v| or_null(v.flatten()))
                .collect()
        }
        (_, PigType::Boolean) => {
            let b = a.as_boolean();
            nullable(b, n, |i| Value::Boolean(b.value(i)))
                .into_iter()
                .map(or_null)
                .collect()
        }
        (_, PigType::Int) => {
            let c = cast_array(a, &DataType::Int32)?;
            let c = c.as_primitive::<Int32Type>();
            nullable(c, n, |i| Value::Int(c.value(i)))
                .into_iter()
                .map(or_null)
                .collect()
        }
        (_, PigType::Long) => {
            let c = cast_array(a, &DataType::Int64)?;
            let c = c.as_primitive::<Int64Type>();
            nullable(c, n, |i| Value::Long(c.value(i)))
                .into_iter()
                .map(or_null)
                .collect()
        }
        (_, PigType::Float) => {
            let c = cast_array(a, &DataType::Float32)?;
            let c = c.as_primitive::<Float32Type>();
            nullable(c, n, |i| Value::Float(c.value(i)))
                .into_iter()
                .map(or_null)
                .collect()
        }
        (_, PigType::Double) => {
            let c = cast_array(a, &DataType::Float64)?;
            let c = c.as_primitive::<Float64Type>();
            nullable(c, n, |i| Value::Double(c.value(i)))
                .into_iter()
                .map(or_null)
                .collect()
        }
        (_, PigType::Chararray) => {
            let c = cast_array(a, &DataType::Utf8)?;
            let c = c.as_string::<i32>();
            nullable(c, n, |i| Value::Chararray(c.value(i).to_string()))
                .into_iter()
                .map(or_null)
                .collect()
        }
        (_, PigType::Datetime) => {
            let c = cast_array(a, &DataType::Timestamp(TimeUnit::Millisecond, None))?;
            let c = c.as_primitive::<TimestampMillisecondType>();
            nullable(c, n, |i| {
                chrono::DateTime::from_timestamp_millis(c.value(i)).map(|d| d.fixed_offset())
            })
            .into_iter()
            .map(|v| or_null(v.flatten().map(Value::Datetime)))
            .collect()
        }
        (DataType::Struct(fs), _) => {
            let s = a.as_struct();
            let mut cols = Vec::with_capacity(fs.len());
            for (child, cf) in s.columns().iter().zip(fs.iter()) {
                cols.push(column_values(child.as_ref(), cf)?.into_iter());
            }
            (0..n)
                .map(|i| {
                    let t: Tuple = cols
                        .iter_mut()
                        .map(|c| c.next().unwrap_or(Value::Null))
                        .collect();
                    if s.is_valid(i) {
                        Value::Tuple(Box::new(t))
                    } else {
                        Value::Null
                    }
                })
                .collect()
        }
        (DataType::List(item), _) => {
            let l = a.as_list::<i32>();
            let offs: Vec<usize> = l.value_offsets().iter().map(|&o| o as usize).collect();
            bags(l, &offs, column_values(l.values().as_ref(), item)?)
        }
        (DataType::LargeList(item), _) => {
            let l = a.as_list::<i64>();
            let offs: Vec<usize> = l.value_offsets().iter().map(|&o| o as usize).collect();
            bags(l, &offs, column_values(l.values().as_ref(), item)?)
        }
        (DataType::Map(entries, _), _) => {
            let m = a.as_map();
            let DataType::Struct(kv) = entries.data_type() else {
                return Err(format!("column {}: malformed map", f.name()));
            };
            if kv.len() != 2 {
                return Err(format!("column {}: malformed map", f.name()));
            }
            let keys = column_values(m.keys().as_ref(), &kv[0])?;
            let vals = column_values(m.values().as_ref(), &kv[1])?;
            let offs: Vec<usize> = m.value_offsets().iter().map(|&o| o as usize).collect();
            let mut pairs = keys.into_iter().zip(vals);
            let mut pos = offs.first().copied().unwrap_or(0);
            if pos > 0 {
                pairs.nth(pos - 1);
            }
            (0..n)
                .map(|i| {
                    let (start, end) = (offs[i], offs[i + 1]);
                    if start > pos {
                        pairs.nth(start - pos - 1);
                    }
                    pos = end;
                    let entries: pigrs_udf::Map = pairs
                        .by_ref()
                        .take(end - start)
                        .map(|(k, v)| (key_text(k), v))
                        .collect();
                    if m.is_valid(i) {
                        Value::Map(Box::new(entries))
                    } else {
                        Value::Null
                    }
                })
                .collect()
        }
        (DataType::Dictionary(_, v), _) => {
            let c = cast_array(a, v)?;
            column_values(c.as_ref(), &ArrowField::new(f.name(), (**v).clone(), true))?
        }
        _ => {
            // Bytearray: binary columns as they are; anything else in its text form.
            let c = cast_array(a, &DataType::Binary)
                .or_else(|_| {
                    cast_array(a, &DataType::Utf8).and_then(|s| cast_array(&s, &DataType::Binary))
                })
                .map_err(|e| format!("column {}: cannot read {}: {e}", f.name(), a.data_type()))?;
            let c = c.as_binary::<i32>();
            nullable(c, n, |i| Value::Bytearray(c.value(i).to_vec()))
                .into_iter()
                .map(or_null)
                .collect()
        }
    })
}

fn key_text(k: Value) -> String {
    match k {
        Value::Chararray(s) => s,
        Value::Null => String::new(),
        Value::Bytearray(b) => String::from_utf8_lossy(&b).into_owned(),
        other => other.to_string(),
    }
}

/// Cuts the element values of a list column into bags: struct elements are the bags'
/// tuples, other elements become one-field tuples.
fn bags(list: &dyn Array, offs: &[usize], elems: Vec<Value>) -> Vec<Value> {
    let n = list.len();
    let mut it = elems.into_iter();
    let mut pos = offs.first().copied().unwrap_or(0);
    if pos > 0 {
        it.nth(pos - 1);
    }
    (0..n)
        .map(|i| {
            let (start, end) = (offs[i], offs[i + 1]);
            if start > pos {
                it.nth(start - pos - 1);
            }
            pos = end;
            let bag: pigrs_udf::Bag = it
                .by_ref()
                .take(end - start)
                .map(|v| match v {
                    Value::Tuple(t) => *t,
                    Value::Null => Vec::new(),
                    other => vec![other],
                })
                .collect();
            if list.is_valid(i) {
                Value::Bag(Box::new(bag))
            } else {
                Value::Null
            }
        })
        .collect()
}

/// The rows of a record batch read from Parquet.
pub fn parquet_batch_to_rows(batch: &RecordBatch) -> Result<Vec<Tuple>, String> {
    let schema = batch.schema();
    let mut cols = Vec::with_capacity(batch.num_columns());
    for (c, f) in batch.columns().iter().zip(schema.fields().iter()) {
        cols.push(column_values(c.as_ref(), f)?.into_iter());
    }
    Ok((0..batch.num_rows())
        .map(|_| {
            cols.iter_mut()
                .map(|c| c.next().unwrap_or(Value::Null))
                .collect()
        })
        .collect())
}

// ---------------------------------------------------------------------------------------
// Reading

/// How the values read are fitted to the schema the script expects.
#[derive(Clone, Debug)]
pub(crate) enum Fit {
    /// Keep the file's columns as they are.
    None,
    /// Field `i` is the file's column `i` (the AS clause or the derived schema).
    Position(Schema),
    /// Each field is the file's column of the same name (ParquetLoader's schema argument).
    Name(Schema),
}

/// ParquetLoader's reader: the row groups of each file range that start inside it.
pub(crate) struct ParquetReader {
    parts: std::vec::IntoIter<FileRange>,
    cur: Option<(
        PathBuf,
        ParquetRecordBatchReader,
        Option<Vec<Option<usize>>>,
    )>,
    fit: Fit,
}

impl ParquetReader {
    /// ParquetLoader's reader of `parts`: with the loader's schema argument `text`, fields
    /// are the file's columns of the same names; otherwise the columns in order, fitted to
    /// `schema` when there is one.
    pub(crate) fn of(
        parts: Vec<FileRange>,
        text: Option<&str>,
        schema: Option<&Schema>,
    ) -> Result<Self, IoError> {
        let fit = match (text, schema) {
            (Some(t), _) => Fit::Name(parse_schema(t).map_err(|e| {
                let path = parts
                    .first()
                    .map(|p| p.file.path.clone())
                    .unwrap_or_default();
                IoError::format(path, None, format!("ParquetLoader schema: {e}"))
            })?),
            (None, Some(s)) => Fit::Position(s.clone()),
            (None, None) => Fit::None,
        };
        Ok(ParquetReader::new(parts, fit))
    }

    /// A reader of `parts` fitting rows with `fit`.
    pub(crate) fn new(parts: Vec<FileRange>, fit: Fit) -> Self {
        ParquetReader {
            parts: parts.into_iter(),
            cur: None,
            fit,
        }
    }

    fn open(&self, range: &FileRange) -> Result<Option<ParquetRecordBatchReader>, IoError> {
        let path = &range.file.path;
        let f = File::open(path).map_err(|e| IoError::io(path, e))?;
        let bad = |e: parquet::errors::ParquetError| {
            IoError::format(path, None, format!("not a readable Parquet file: {e}"))
        };
        let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(bad)?;
        let groups: Vec<usize> = builder
            .metadata()
            .row_groups()
            .iter()
            .enumerate()
            .filter(|(_, rg)| {
                let start = rg
                    .columns()
                    .iter()
                    .map(|c| c.dictionary_page_offset().unwrap_or(c.data_page_offset()))
                    .min()
                    .map_or(0, |s| s.max(0) as u64);
                (start >= range.start && start < range.end) || (range.start == 0 && start == 0)
            })
            .map(|(i, _)| i)
            .collect();
        if groups.is_empty() {
            return Ok(None);
        }
        let reader = builder
            .with_row_groups(groups)
            .with_batch_size(READ_BATCH)
            .build()
            .map_err(bad)?;
        Ok(Some(reader))
    }

    fn fit(&self, row: Tuple, by_name: Option<&[Option<usize>]>) -> Tuple {
        match (&self.fit, by_name) {
            (Fit::Name(s), Some(idx)) => {
                let mut row: Vec<Option<Value>> = row.into_iter().map(Some).collect();
                s.fields
                    .iter()
                    .zip(idx)
                    .map(
                        |(f, i)| match i.and_then(|i| row.get_mut(i)).and_then(Option::take) {
                            Some(v) => fit_value(v, &f.ty),
                            None => Value::Null,
                        },
                    )
                    .collect()
            }
            (Fit::Position(s), _) => {
                let mut row = row;
                row.resize(s.fields.len(), Value::Null);
                row.into_iter()
                    .zip(&s.fields)
                    .map(|(v, f)| fit_value(v, &f.ty))
                    .collect()
            }
            _ => row,
        }
    }
}

impl ParquetReader {
    /// The next record batch of the file ranges, with the file it comes from and, for
    /// [`Fit::Name`], each field's column in it; `None` when the ranges are done.
    #[allow(clippy::type_complexity)]
    fn next_file_batch(
        &mut self,
    ) -> Result<Option<(RecordBatch, PathBuf, Option<Vec<Option<usize>>>)>, IoError> {
        loop {
            let Some((path, reader, by_name)) = self.cur.as_mut() else {
                let Some(range) = self.parts.next() else {
                    return Ok(None);
                };
                if let Some(reader) = self.open(&range)? {
                    let by_name = match &self.fit {
                        Fit::Name(s) => {
                            let file = reader.schema();
                            Some(
                                s.fields
                                    .iter()
                                    .map(|f| {
                                        let name = f.name.as_deref()?;
                                        file.index_of(name).ok().or_else(|| {
                                            file.fields()
                                                .iter()
                                                .position(|c| c.name().eq_ignore_ascii_case(name))
                                        })
                                    })
                                    .collect(),
                            )
                        }
                        _ => None,
                    };
                    self.cur = Some((range.file.path.clone(), reader, by_name));
                }
                continue;
            };
            match reader.next() {
                None => self.cur = None,
                Some(Err(e)) => return Err(IoError::format(path.as_path(), None, e.to_string())),
                Some(Ok(batch)) => return Ok(Some((batch, path.clone(), by_name.clone()))),
            }
        }
    }

    /// Whether [`ParquetReader::next_columns`] can make batches of `schema`: the fields the
    /// reader fits rows to are `schema`'s.
    pub(crate) fn fits_columns(&self, schema: &Schema) -> bool {
        let fitted = match &self.fit {
            Fit::Position(s) | Fit::Name(s) => s,
            Fit::None => return false,
        };
        fitted.fields.len() == schema.fields.len()
            && fitted
                .fields
                .iter()
                .zip(&schema.fields)
                .all(|(a, b)| a.ty == b.ty)
    }

    /// The next batch in the Arrow layout `arrow` of `schema` (see
    /// [`ParquetReader::fits_columns`]), made a column at a time: a file column whose Pig
    /// type is the field's scalar type is cast as a whole (int, long, float, double,
    /// boolean, chararray, bytearray); the others are fitted value by value, as rows are.
    /// `None` when the ranges are done.
    pub(crate) fn next_columns(
        &mut self,
        schema: &Schema,
        arrow: &SchemaRef,
    ) -> Result<Option<RecordBatch>, IoError> {
        let Some((batch, path, by_name)) = self.next_file_batch()? else {
            return Ok(None);
        };
        let rows = batch.num_rows();
        let columns = schema
            .fields
            .iter()
            .zip(arrow.fields())
            .enumerate()
            .map(|(i, (field, to))| {
                let source = match &by_name {
                    Some(idx) => idx.get(i).copied().flatten(),
                    None => Some(i),
                };
                match source.filter(|&c| c < batch.num_columns()) {
                    None => Ok(arrow::array::new_null_array(to.data_type(), rows)),
                    Some(c) => self.fit_column(&batch, c, &field.ty, to.data_type()),
                }
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| IoError::format(path.as_path(), None, e))?;
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(arrow.clone(), columns, &options)
            .map(Some)
            .map_err(|e| IoError::format(path.as_path(), None, e.to_string()))
    }

    /// File column `c` of `batch` as a column of Pig type `t` in Arrow type `to`.
    fn fit_column(
        &self,
        batch: &RecordBatch,
        c: usize,
        t: &PigType,
        to: &DataType,
    ) -> Result<ArrayRef, String> {
        let schema = batch.schema();
        let (column, field) = (batch.column(c), schema.field(c));
        let scalar = matches!(
            t,
            PigType::Int
                | PigType::Long
                | PigType::Float
                | PigType::Double
                | PigType::Boolean
                | PigType::Chararray
                | PigType::Bytearray
        );
        if scalar && pig_type_of(field).name() == t.name() {
            return cast_array(column.as_ref(), to);
        }
        let values: Vec<Value> = column_values(column.as_ref(), field)?
            .into_iter()
            .map(|v| fit_value(v, t))
            .collect();
        Ok(pigrs_udf::arrow_layout::to_array(&values, t))
    }
}

/// A value read fitted to the field's type `t`: a scalar of another type is cast (null
/// when it does not convert); complex and bytearray fields take the value as it is.
fn fit_value(v: Value, t: &PigType) -> Value {
    if t.is_complex() || t == &PigType::Bytearray {
        return v;
    }
    match v.pig_type() {
        Some(vt) if vt.name() != t.name() => cast(&v, t).unwrap_or(Value::Null),
        _ => v,
    }
}

impl RecordReader for ParquetReader {
    fn next_batch(&mut self, max_rows: usize, out: &mut Vec<Tuple>) -> Result<bool, IoError> {
        let before = out.len();
        let max_rows = max_rows.max(1);
        while out.len() - before < max_rows {
            let Some((batch, path, by_name)) = self.next_file_batch()? else {
                break;
            };
            let rows = parquet_batch_to_rows(&batch)
                .map_err(|e| IoError::format(path.as_path(), None, e))?;
            for row in rows {
                out.push(self.fit(row, by_name.as_deref()));
            }
        }
        Ok(out.len() > before)
    }
}

// ---------------------------------------------------------------------------------------
// Writing

/// ParquetStorer's writer of one part file.
pub(crate) struct ParquetWriter {
    writer: ArrowWriter<File>,
    schema: Schema,
    arrow: SchemaRef,
    path: PathBuf,
}

impl ParquetWriter {
    /// Creates the part file `path` for rows of `schema` (snappy-compressed columns).
    pub(crate) fn create(path: &Path, schema: Option<&Schema>) -> Result<Self, IoError> {
        let schema = match schema {
            Some(s) if !s.fields.is_empty() => s.clone(),
            _ => return Err(IoError::format(path, None, "ParquetStorer needs a schema")),
        };
        let arrow = parquet_schema(&schema);
        let f = File::create(path).map_err(|e| IoError::io(path, e))?;
        let props = WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .build();
        let writer = ArrowWriter::try_new(f, arrow.clone(), Some(props))
            .map_err(|e| IoError::format(path, None, e.to_string()))?;
        Ok(ParquetWriter {
            writer,
            schema,
            arrow,
            path: path.to_path_buf(),
        })
    }
}

impl RecordWriter for ParquetWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        if rows.is_empty() {
            return Ok(());
        }
        let batch = rows_to_parquet_batch(rows, &self.schema, &self.arrow)
            .map_err(|e| IoError::format(&self.path, None, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| IoError::format(&self.path, None, e.to_string()))
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let path = self.path;
        self.writer
            .close()
            .map(|_| ())
            .map_err(|e| IoError::format(path, None, e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::funcs::{LoadFunc, load_func, store_func};
    use super::super::input::{plan_splits_opts, resolve_input};
    use super::super::read::open_reader;
    use super::super::schemas::FileSchemas;
    use super::super::warnings::Warnings;
    use super::super::write::{OutputDir, PartKind};
    use super::*;
    use pigrs_planner::SchemaProvider;

    fn store(out: &Path, schema: Option<&Schema>, parts: &[Vec<Tuple>]) -> Result<(), IoError> {
        let sf = store_func("org.apache.pig.parquet.ParquetStorer", &[]).unwrap();
        let dir = OutputDir::create(out)?;
        for (i, rows) in parts.iter().enumerate() {
            let mut w = dir.part_writer(PartKind::Map, i, &sf, schema)?;
            w.write(rows)?;
            w.finish()?;
        }
        dir.commit()
    }

    fn load(dir: &Path, loc: &str, lf: &LoadFunc, schema: Option<&Schema>) -> Vec<Tuple> {
        let files = resolve_input(loc, dir).unwrap();
        let splits = plan_splits_opts(&files, 3, 1, lf.splittable());
        let mut rows = Vec::new();
        for s in &splits {
            let mut r = open_reader(s, lf, schema, Arc::new(Warnings::new())).unwrap();
            while r.next_batch(2, &mut rows).unwrap() {}
        }
        rows
    }

    fn tup(v: Vec<Value>) -> Value {
        Value::Tuple(Box::new(v))
    }

    fn dt(s: &str) -> Value {
        Value::Datetime(chrono::DateTime::parse_from_rfc3339(s).unwrap())
    }

    const ALL: &str = "i:int,l:long,f:float,d:double,s:chararray,y:bytearray,b:boolean,\
        t:datetime,bi:biginteger,bd:bigdecimal,\
        tp:(x:int,n:(z:chararray)),bg:{(k:chararray,v:{(w:long)})},m:map[],mi:map[int],\
        mt:map[(a:int)],ut:tuple(),ub:bag{}";

    fn all_rows() -> Vec<Tuple> {
        let big =
            |s: &str| pigrs_udf::cast::parse_text(s.as_bytes(), &PigType::BigInteger).unwrap();
        let dec =
            |s: &str| pigrs_udf::cast::parse_text(s.as_bytes(), &PigType::BigDecimal).unwrap();
        vec![
            vec![
                Value::Int(-3),
                Value::Long(1 << 40),
                Value::Float(1.5),
                Value::Double(-2.25),
                Value::Chararray("héllo".into()),
                Value::Bytearray(vec![0, 255, 7]),
                Value::Boolean(true),
                dt("2024-03-01T12:34:56.789Z"),
                big("123456789012345678901234567890"),
                dec("-1.000000000000000000001"),
                tup(vec![
                    Value::Int(1),
                    tup(vec![Value::Chararray("in".into())]),
                ]),
                Value::Bag(Box::new(pigrs_udf::Bag::from(vec![
                    vec![
                        Value::Chararray("a".into()),
                        Value::Bag(Box::new(pigrs_udf::Bag::from(vec![
                            vec![Value::Long(1)],
                            vec![Value::Null],
                        ]))),
                    ],
                    vec![Value::Null, Value::Null],
                    vec![Value::Chararray("c".into()), Value::Bag(Box::default())],
                ]))),
                Value::Map(Box::new(vec![
                    ("k".into(), Value::Bytearray(b"v".to_vec())),
                    ("n".into(), Value::Null),
                ])),
                Value::Map(Box::new(vec![("one".into(), Value::Int(1))])),
                Value::Map(Box::new(vec![("t".into(), tup(vec![Value::Int(9)]))])),
                tup(vec![Value::Long(5), Value::Chararray("x".into())]),
                Value::Bag(Box::new(pigrs_udf::Bag::from(vec![vec![Value::Int(4)]]))),
            ],
            vec![Value::Null; 17],
            vec![
                Value::Int(0),
                Value::Long(0),
                Value::Float(0.0),
                Value::Double(0.0),
                Value::Chararray(String::new()),
                Value::Bytearray(vec![]),
                Value::Boolean(false),
                dt("1969-12-31T23:59:59.999Z"),
                big("0"),
                dec("0.5"),
                tup(vec![Value::Null, Value::Null]),
                Value::Bag(Box::default()),
                Value::Map(Box::default()),
                Value::Map(Box::default()),
                Value::Map(Box::new(vec![("none".into(), Value::Null)])),
                tup(vec![]),
                Value::Bag(Box::default()),
            ],
        ]
    }

    #[test]
    fn round_trip_every_type() {
        let t = tempfile::tempdir().unwrap();
        let schema = parse_schema(ALL).unwrap();
        let rows = all_rows();
        store(
            &t.path().join("o"),
            Some(&schema),
            &[rows[..2].to_vec(), rows[2..].to_vec()],
        )
        .unwrap();
        let names: Vec<String> = std::fs::read_dir(t.path().join("o"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.contains(&"part-m-00000.parquet".to_string()),
            "{names:?}"
        );
        assert!(names.contains(&"_SUCCESS".to_string()));

        // The schema read back from the file is the one stored.
        let provider = FileSchemas::new(t.path());
        let got = provider
            .load_schema("ParquetLoader", &[], "o")
            .unwrap()
            .unwrap();
        assert_eq!(got.to_string(), schema.to_string());

        let lf = load_func("parquet.pig.ParquetLoader", &[]).unwrap();
        let mut back = load(t.path(), "o", &lf, Some(&got));
        back.sort_by_key(|r| format!("{:?}", r[0]));
        let mut want = rows.clone();
        want.sort_by_key(|r| format!("{:?}", r[0]));
        assert_eq!(format!("{back:?}"), format!("{want:?}"));
        assert_eq!(back, want);
        // With no schema at all the rows are the same.
        assert_eq!(load(t.path(), "o", &lf, None).len(), 3);
    }

    #[test]
    fn schema_argument_picks_columns_by_name_and_as_casts() {
        let t = tempfile::tempdir().unwrap();
        let schema = parse_schema("a:int,b:chararray").unwrap();
        let rows = vec![
            vec![Value::Int(1), Value::Chararray("10".into())],
            vec![Value::Int(2), Value::Null],
        ];
        store(&t.path().join("o"), Some(&schema), &[rows]).unwrap();
        let lf = load_func("ParquetLoader", &["b:int, zz:long, a".to_string()]).unwrap();
        let got = load(t.path(), "o/part-m-*.parquet", &lf, None);
        assert_eq!(
            got,
            vec![
                vec![Value::Int(10), Value::Null, Value::Int(1)],
                vec![Value::Null, Value::Null, Value::Int(2)],
            ]
        );
        let lf = load_func("ParquetLoader", &[]).unwrap();
        let as_schema = parse_schema("a:long,b:int,c:int").unwrap();
        let got = load(t.path(), "o", &lf, Some(&as_schema));
        assert_eq!(got[0], vec![Value::Long(1), Value::Int(10), Value::Null]);
    }

    #[test]
    fn row_groups_are_split() {
        let t = tempfile::tempdir().unwrap();
        let schema = parse_schema("n:long").unwrap();
        let path = t.path().join("one.parquet");
        let arrow = parquet_schema(&schema);
        let props = WriterProperties::builder()
            .set_max_row_group_row_count(Some(100))
            .build();
        let mut w =
            ArrowWriter::try_new(File::create(&path).unwrap(), arrow.clone(), Some(props)).unwrap();
        let rows: Vec<Tuple> = (0..1000).map(|i| vec![Value::Long(i)]).collect();
        w.write(&rows_to_parquet_batch(&rows, &schema, &arrow).unwrap())
            .unwrap();
        w.close().unwrap();
        let lf = load_func("ParquetLoader", &[]).unwrap();
        let files = resolve_input("one.parquet", t.path()).unwrap();
        let splits = plan_splits_opts(&files, 4, 1, true);
        assert!(splits.len() > 1);
        let mut all = Vec::new();
        for s in &splits {
            let mut r = open_reader(s, &lf, None, Arc::new(Warnings::new())).unwrap();
            while r.next_batch(300, &mut all).unwrap() {}
        }
        let mut n: Vec<i64> = all
            .iter()
            .map(|r| match r[0] {
                Value::Long(x) => x,
                _ => -1,
            })
            .collect();
        n.sort_unstable();
        assert_eq!(n, (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn errors() {
        let t = tempfile::tempdir().unwrap();
        let e = store(&t.path().join("o"), None, &[vec![]]).unwrap_err();
        assert!(
            e.to_string().contains("ParquetStorer needs a schema"),
            "{e}"
        );
        assert!(!t.path().join("o").exists());
        std::fs::write(t.path().join("x.parquet"), b"not parquet").unwrap();
        let provider = FileSchemas::new(t.path());
        let e = provider
            .load_schema("ParquetLoader", &[], "x.parquet")
            .unwrap_err();
        assert!(e.contains("not a Parquet file"), "{e}");
        // A missing input has no schema yet.
        assert_eq!(
            provider.load_schema("ParquetLoader", &[], "nope").unwrap(),
            None
        );
        assert!(load_func("ParquetLoader", &["a:nope".to_string()]).is_err());
        assert!(store_func("ParquetStorer", &["x".to_string()]).is_err());
    }
}
