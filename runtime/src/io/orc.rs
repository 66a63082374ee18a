//! OrcStorage: Pig relations as ORC files, read and written with orc-rust over the same
//! Arrow layout as ParquetLoader/ParquetStorer ([`super::parquet`]).
//!
//! Types follow Pig's OrcStorage: int ↔ INT, long ↔ BIGINT, float ↔ FLOAT, double ↔
//! DOUBLE, chararray ↔ STRING, bytearray ↔ BINARY, boolean ↔ BOOLEAN, datetime ↔
//! TIMESTAMP (UTC). Reading also takes ORC's TINYINT and SMALLINT (int), VARCHAR and CHAR
//! (chararray), DATE (datetime), DECIMAL (bigdecimal), STRUCT (tuple), LIST (bag) and
//! MAP (map). The ORC writer pigrs uses writes scalar columns only, so a relation with a
//! biginteger, bigdecimal, tuple, bag or map field cannot be stored with OrcStorage: that
//! is an error before anything runs.
//!
//! A LOAD with no AS clause takes the file's own schema ([`file_schema`]). Files are cut by
//! stripe: a split reads the stripes that start inside its byte range.

use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::datatypes::SchemaRef;
use arrow::record_batch::RecordBatch;
use orc_rust::compression::CompressionType;
use orc_rust::{ArrowReader, ArrowReaderBuilder, ArrowWriterBuilder};
use pigrs_udf::cast::cast;
use pigrs_udf::{PigType, Schema, Tuple, Value};

use super::error::IoError;
use super::input::{FileRange, InputFile};
use super::parquet::{parquet_batch_to_rows, parquet_schema, pig_schema_of, rows_to_parquet_batch};
use super::read::RecordReader;
use super::write::RecordWriter;

/// Rows per record batch read.
const READ_BATCH: usize = 4096;

/// OrcStorage's options (`OrcStorage('-c SNAPPY -s 67108864')`), as Pig's OrcStorage
/// takes them for writing; a LOAD accepts and ignores them, as Pig's does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrcOptions {
    /// `-c`: the compression codec; `None` for `NONE`. Pig's default is ZLIB.
    pub compression: Option<OrcCompression>,
    /// `-s`: bytes per stripe.
    pub stripe_size: Option<usize>,
    /// `-b`: the compression block (buffer) size.
    pub buffer_size: Option<usize>,
}

impl Default for OrcOptions {
    fn default() -> Self {
        OrcOptions {
            compression: Some(OrcCompression::Zlib),
            stripe_size: None,
            buffer_size: None,
        }
    }
}

/// The ORC compression codecs pigrs writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrcCompression {
    /// ZLIB (deflate), Pig's default.
    Zlib,
    /// SNAPPY.
    Snappy,
    /// LZ4.
    Lz4,
    /// ZSTD.
    Zstd,
}

/// Parses OrcStorage's option string.
pub fn parse_options(text: &str) -> Result<OrcOptions, String> {
    let mut opts = OrcOptions::default();
    let mut words = text.split_whitespace();
    let size = |v: Option<&str>, what: &str| -> Result<usize, String> {
        v.and_then(|v| v.parse().ok())
            .filter(|&n: &usize| n > 0)
            .ok_or_else(|| format!("OrcStorage: {what} needs a positive number of bytes"))
    };
    while let Some(w) = words.next() {
        match w {
            "-c" | "--compress" => {
                let v = words.next().unwrap_or("");
                opts.compression = match v.to_ascii_uppercase().as_str() {
                    "NONE" => None,
                    "ZLIB" => Some(OrcCompression::Zlib),
                    "SNAPPY" => Some(OrcCompression::Snappy),
                    "LZ4" => Some(OrcCompression::Lz4),
                    "ZSTD" => Some(OrcCompression::Zstd),
                    _ => {
                        return Err(format!(
                            "OrcStorage: unknown compression '{v}' (NONE, ZLIB, SNAPPY, LZ4 or ZSTD)"
                        ));
                    }
                };
            }
            "-s" | "--stripeSize" => opts.stripe_size = Some(size(words.next(), "-s")?),
            "-b" | "--bufferSize" => opts.buffer_size = Some(size(words.next(), "-b")?),
            // HDFS block padding has no meaning for local files; single-field tuples only
            // matter inside bags, which the writer refuses anyway.
            "-p" | "--blockPadding" | "-k" | "--keepSingleFieldTuple" => {}
            other => {
                return Err(format!(
                    "OrcStorage: option '{other}' is not supported (pigrs takes -c, -s, -b, -p and -k)"
                ));
            }
        }
    }
    Ok(opts)
}

/// Whether OrcStorage can write a field of type `t`.
fn writable(t: &PigType) -> bool {
    matches!(
        t,
        PigType::Int
            | PigType::Long
            | PigType::Float
            | PigType::Double
            | PigType::Chararray
            | PigType::Bytearray
            | PigType::Boolean
            | PigType::Datetime
    )
}

/// Checks, before a STORE runs, that OrcStorage can write every field of `schema`.
pub fn check_schema(schema: Option<&Schema>) -> Result<(), String> {
    let Some(schema) = schema.filter(|s| !s.fields.is_empty()) else {
        return Err("OrcStorage needs a schema".to_string());
    };
    for (i, f) in schema.fields.iter().enumerate() {
        if !writable(&f.ty) {
            let name = f.name.clone().unwrap_or_else(|| format!("${i}"));
            return Err(format!(
                "OrcStorage cannot store field `{name}` of type {}: pigrs writes ORC columns of \
                 int, long, float, double, chararray, bytearray, boolean and datetime",
                f.ty
            ));
        }
    }
    Ok(())
}

fn bad_file(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::format(path, None, format!("not a readable ORC file: {e}"))
}

/// The Pig schema of the first non-empty ORC file of a LOAD location (`None` when it has
/// no files yet).
pub fn file_schema(files: &[InputFile]) -> Result<Option<Schema>, IoError> {
    let Some(file) = files.iter().find(|f| f.size > 0) else {
        return Ok(None);
    };
    let f = File::open(&file.path).map_err(|e| IoError::io(&file.path, e))?;
    let builder = ArrowReaderBuilder::try_new(f).map_err(|e| bad_file(&file.path, e))?;
    Ok(Some(pig_schema_of(&builder.schema())))
}

/// OrcStorage's reader: the stripes of each file range that start inside it, fitted by
/// position to the LOAD's schema.
pub(crate) struct OrcReader {
    parts: std::vec::IntoIter<FileRange>,
    cur: Option<(PathBuf, ArrowReader<File>)>,
    schema: Option<Schema>,
}

impl OrcReader {
    /// A reader of `parts`; `schema` (the AS clause or the file's) casts scalar fields.
    pub(crate) fn new(parts: Vec<FileRange>, schema: Option<Schema>) -> Self {
        OrcReader {
            parts: parts.into_iter(),
            cur: None,
            schema,
        }
    }

    fn fit(&self, mut row: Tuple) -> Tuple {
        let Some(s) = &self.schema else {
            return row;
        };
        row.resize(s.fields.len(), Value::Null);
        row.into_iter()
            .zip(&s.fields)
            .map(|(v, f)| {
                if f.ty.is_complex() || f.ty == PigType::Bytearray {
                    return v;
                }
                match v.pig_type() {
                    Some(vt) if vt.name() != f.ty.name() => cast(&v, &f.ty).unwrap_or(Value::Null),
                    _ => v,
                }
            })
            .collect()
    }
}

impl RecordReader for OrcReader {
    fn next_batch(&mut self, max_rows: usize, out: &mut Vec<Tuple>) -> Result<bool, IoError> {
        let before = out.len();
        let max_rows = max_rows.max(1);
        while out.len() - before < max_rows {
            let Some((path, reader)) = self.cur.as_mut() else {
                let Some(range) = self.parts.next() else {
                    break;
                };
                let path = range.file.path.clone();
                let f = File::open(&path).map_err(|e| IoError::io(&path, e))?;
                let reader = ArrowReaderBuilder::try_new(f)
                    .map_err(|e| bad_file(&path, e))?
                    .with_batch_size(READ_BATCH)
                    .with_file_byte_range(range.start as usize..range.end as usize)
                    .build();
                self.cur = Some((path, reader));
                continue;
            };
            match reader.next() {
                None => self.cur = None,
                Some(Err(e)) => return Err(bad_file(path, e)),
                Some(Ok(batch)) => {
                    let path = path.clone();
                    let rows = parquet_batch_to_rows(&batch)
                        .map_err(|e| IoError::format(&path, None, e))?;
                    for row in rows {
                        out.push(self.fit(row));
                    }
                }
            }
        }
        Ok(out.len() > before)
    }
}

/// OrcStorage's writer of one part file. orc-rust's writer is not `Send` (its column
/// encoders are plain trait objects), while a task's writer moves between threads, so the
/// ORC writer lives on a thread of its own and gets record batches through a short queue.
pub(crate) struct OrcWriter {
    batches: Option<std::sync::mpsc::SyncSender<RecordBatch>>,
    thread: Option<std::thread::JoinHandle<Result<(), String>>>,
    schema: Schema,
    arrow: SchemaRef,
    path: PathBuf,
}

/// Batches waiting for the ORC writer thread.
const QUEUED_BATCHES: usize = 4;

impl OrcWriter {
    /// Creates the part file `path` for rows of `schema`.
    pub(crate) fn create(
        path: &Path,
        schema: Option<&Schema>,
        opts: &OrcOptions,
    ) -> Result<Self, IoError> {
        check_schema(schema).map_err(|e| IoError::format(path, None, e))?;
        let schema = schema.cloned().unwrap_or_default();
        let arrow = parquet_schema(&schema);
        let f = File::create(path).map_err(|e| IoError::io(path, e))?;
        let mut builder = ArrowWriterBuilder::new(f, arrow.clone());
        if let Some(c) = opts.compression {
            builder = builder.with_compression(match c {
                OrcCompression::Zlib => CompressionType::Zlib,
                OrcCompression::Snappy => CompressionType::Snappy,
                OrcCompression::Lz4 => CompressionType::Lz4,
                OrcCompression::Zstd => CompressionType::Zstd,
            });
        }
        if let Some(n) = opts.stripe_size {
            builder = builder.with_stripe_byte_size(n);
        }
        if let Some(n) = opts.buffer_size {
            builder = builder.with_compression_block_size(n);
        }
        let (tx, rx) = std::sync::mpsc::sync_channel::<RecordBatch>(QUEUED_BATCHES);
        let thread = std::thread::Builder::new()
            .name("pigrs-orc-writer".into())
            .spawn(move || {
                let mut writer = builder.try_build().map_err(|e| e.to_string())?;
                for batch in rx {
                    writer.write(&batch).map_err(|e| e.to_string())?;
                }
                writer.close().map_err(|e| e.to_string())
            })
            .map_err(|e| IoError::io(path, e))?;
        Ok(OrcWriter {
            batches: Some(tx),
            thread: Some(thread),
            schema,
            arrow,
            path: path.to_path_buf(),
        })
    }

    /// Waits for the writer thread; its error, if it failed.
    fn join(&mut self) -> Result<(), IoError> {
        self.batches = None;
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        match thread.join() {
            Ok(result) => result.map_err(|e| IoError::format(&self.path, None, e)),
            Err(_) => Err(IoError::format(
                &self.path,
                None,
                "internal error: the ORC writer panicked",
            )),
        }
    }
}

impl RecordWriter for OrcWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        if rows.is_empty() {
            return Ok(());
        }
        let batch = rows_to_parquet_batch(rows, &self.schema, &self.arrow)
            .map_err(|e| IoError::format(&self.path, None, e))?;
        let sent = self.batches.as_ref().map(|tx| tx.send(batch));
        match sent {
            Some(Ok(())) => Ok(()),
            // The thread stopped taking batches: it failed, and says why.
            _ => {
                self.join()?;
                Err(IoError::format(
                    &self.path,
                    None,
                    "internal error: the ORC writer stopped",
                ))
            }
        }
    }

    fn finish(mut self: Box<Self>) -> Result<(), IoError> {
        self.join()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_follow_pigs_orcstorage() {
        assert_eq!(parse_options("").unwrap(), OrcOptions::default());
        let o = parse_options("-c SNAPPY -s 1048576 -b 65536 -p").unwrap();
        assert_eq!(o.compression, Some(OrcCompression::Snappy));
        assert_eq!((o.stripe_size, o.buffer_size), (Some(1 << 20), Some(65536)));
        assert_eq!(parse_options("-c NONE").unwrap().compression, None);
        assert!(parse_options("-c LZO").unwrap_err().contains("LZO"));
        assert!(parse_options("-s x").unwrap_err().contains("-s"));
        assert!(parse_options("-r 10000").unwrap_err().contains("-r"));
    }

    #[test]
    fn only_scalar_fields_are_writable() {
        let ok = pigrs_udf::Schema::new(vec![
            pigrs_udf::Field::new("a", PigType::Int),
            pigrs_udf::Field::new("t", PigType::Datetime),
        ]);
        assert!(check_schema(Some(&ok)).is_ok());
        let bag = pigrs_udf::Schema::new(vec![pigrs_udf::Field::new("b", PigType::Bag(None))]);
        assert!(check_schema(Some(&bag)).unwrap_err().contains("field `b`"));
        assert!(check_schema(None).is_err());
    }
}
