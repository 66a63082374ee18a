//! Writing: the atomic output directory in Hadoop's layout and the record writers of the
//! store functions (PigStorage, JsonStorage, CSVExcelStorage, BinStorage, MultiStorage).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use pigrs_udf::{Schema, Tuple, Value};

use super::error::IoError;
use super::funcs::StoreFunc;
use super::input::Compression;
use super::json;
use super::parquet::ParquetWriter;
use super::read::BIN_MAGIC;

/// Whether a part file comes from a map-side or a reduce-side task (`part-m-` or
/// `part-r-`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartKind {
    /// `part-m-NNNNN`
    Map,
    /// `part-r-NNNNN`
    Reduce,
}

/// A sink of tuples: one part file being written.
pub trait RecordWriter: Send {
    /// Writes the rows, in order.
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError>;
    /// Flushes and closes the part file (finishing its compression).
    fn finish(self: Box<Self>) -> Result<(), IoError>;
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A STORE's output directory, written atomically: parts go to a hidden temporary
/// sibling directory that [`OutputDir::commit`] renames to the final path; dropping an
/// uncommitted `OutputDir` removes the temporary directory.
#[derive(Debug)]
pub struct OutputDir {
    final_path: PathBuf,
    tmp: PathBuf,
    compression: Compression,
    meta_written: AtomicBool,
    committed: bool,
}

impl OutputDir {
    /// Starts the output of `final_path`; fails with [`IoError::Exists`] when it exists
    /// (Pig's "output location already exists"). Creates the parent directories and a
    /// hidden temporary sibling `.<name>.pigrs-tmp-<pid>-<n>`. Parts are compressed when
    /// the final path ends in `.gz`, `.bz2` or `.zst`, as Pig does.
    pub fn create(final_path: &Path) -> Result<OutputDir, IoError> {
        if fs::symlink_metadata(final_path).is_ok() {
            return Err(IoError::Exists {
                path: final_path.to_path_buf(),
            });
        }
        let name = final_path
            .file_name()
            .ok_or_else(|| IoError::format(final_path, None, "not a valid output location"))?
            .to_string_lossy()
            .into_owned();
        let parent = match final_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).map_err(|e| IoError::io(&parent, e))?;
        let pid = std::process::id();
        loop {
            let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
            let tmp = parent.join(format!(".{name}.pigrs-tmp-{pid}-{n}"));
            match fs::create_dir(&tmp) {
                Ok(()) => {
                    return Ok(OutputDir {
                        final_path: final_path.to_path_buf(),
                        tmp,
                        compression: Compression::from_path(final_path),
                        meta_written: AtomicBool::new(false),
                        committed: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(IoError::io(&tmp, e)),
            }
        }
    }

    /// The final output path.
    pub fn final_path(&self) -> &Path {
        &self.final_path
    }

    /// The temporary directory the parts are written to.
    pub fn temp_path(&self) -> &Path {
        &self.tmp
    }

    /// Opens part `index` (`part-m-00000`, `part-r-00003.gz`, ...) for writing with
    /// `store`'s format. The first call also writes the store's metadata files
    /// (`.pig_schema`, `.pig_header`) when it has any and `schema` is known.
    pub fn part_writer(
        &self,
        kind: PartKind,
        index: usize,
        store: &StoreFunc,
        schema: Option<&Schema>,
    ) -> Result<Box<dyn RecordWriter>, IoError> {
        if let Some(s) = schema
            && !self.meta_written.swap(true, Ordering::AcqRel)
        {
            self.write_metadata(store, s)?;
        }
        let k = match kind {
            PartKind::Map => 'm',
            PartKind::Reduce => 'r',
        };
        let open = || -> Result<(PathBuf, Sink), IoError> {
            let path = self.tmp.join(format!(
                "part-{k}-{index:05}{}",
                self.compression.extension()
            ));
            let sink = Sink::create(&path, self.compression)?;
            Ok((path, sink))
        };
        Ok(match store {
            StoreFunc::PigStorage { delimiter, .. } => {
                let (path, sink) = open()?;
                Box::new(PigStorageWriter {
                    sink,
                    path,
                    delimiter: delimiter.clone(),
                })
            }
            StoreFunc::JsonStorage => {
                let (path, sink) = open()?;
                Box::new(JsonWriter {
                    sink,
                    path,
                    schema: schema.cloned(),
                    line: Vec::new(),
                })
            }
            StoreFunc::CsvExcel {
                delimiter,
                crlf,
                header,
            } => {
                let (path, sink) = open()?;
                let mut w = CsvWriter {
                    sink,
                    path,
                    delimiter: *delimiter,
                    crlf: *crlf,
                    field: Vec::new(),
                };
                if *header && let Some(s) = schema {
                    let names: Vec<Value> = s
                        .fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| {
                            Value::Chararray(f.name.clone().unwrap_or_else(|| format!("${i}")))
                        })
                        .collect();
                    w.write(std::slice::from_ref(&names))?;
                }
                Box::new(w)
            }
            StoreFunc::BinStorage => {
                let (path, mut sink) = open()?;
                sink.write_all(BIN_MAGIC)
                    .map_err(|e| IoError::io(&path, e))?;
                Box::new(BinWriter {
                    sink,
                    path,
                    buf: Vec::new(),
                })
            }
            StoreFunc::Plugin(f) => {
                let (path, sink) = open()?;
                Box::new(PluginWriter {
                    sink,
                    path,
                    location: self.final_path.clone(),
                    func: f.0.clone(),
                })
            }
            StoreFunc::MultiStorage {
                fields,
                compression,
                delimiter,
                remove_keys,
            } => Box::new(MultiWriter {
                root: self.tmp.clone(),
                location: self.final_path.clone(),
                index,
                fields: fields.clone(),
                compression: *compression,
                delimiter: delimiter.clone(),
                remove_keys: *remove_keys,
                files: HashMap::new(),
                line: Vec::new(),
            }),
            StoreFunc::Parquet => {
                // Parquet compresses its own pages; the location's extension is ignored.
                let path = self.tmp.join(format!("part-{k}-{index:05}.parquet"));
                Box::new(ParquetWriter::create(&path, schema)?)
            }
            // ORC compresses its own streams; like Pig's OrcStorage, part files have no
            // extension.
            StoreFunc::Orc(opts) => {
                let path = self.tmp.join(format!("part-{k}-{index:05}"));
                Box::new(super::orc::OrcWriter::create(&path, schema, opts)?)
            }
        })
    }

    fn write_metadata(&self, store: &StoreFunc, schema: &Schema) -> Result<(), IoError> {
        let put = |name: &str, body: &[u8]| {
            let p = self.tmp.join(name);
            fs::write(&p, body).map_err(|e| IoError::io(&p, e))
        };
        match store {
            StoreFunc::PigStorage {
                delimiter,
                schema: true,
            } => {
                put(".pig_schema", json::pig_schema_json(schema).as_bytes())?;
                let mut header = Vec::new();
                for (i, f) in schema.fields.iter().enumerate() {
                    if i > 0 {
                        header.extend_from_slice(delimiter);
                    }
                    match &f.name {
                        Some(n) => header.extend_from_slice(n.as_bytes()),
                        None => header.extend_from_slice(format!("${i}").as_bytes()),
                    }
                }
                header.push(b'\n');
                put(".pig_header", &header)
            }
            // BinStorage keeps its fields' names and types beside the data too, so a LOAD
            // with no AS clause gets them back (Pig's BinStorage gets only the types of the
            // first record, which is what a LOAD of data with no `.pig_schema` falls back to).
            StoreFunc::JsonStorage | StoreFunc::BinStorage => {
                put(".pig_schema", json::pig_schema_json(schema).as_bytes())
            }
            _ => Ok(()),
        }
    }

    /// Finishes the output: writes an empty `_SUCCESS` and renames the temporary directory
    /// to the final path. Fails with [`IoError::Exists`] if the final path appeared
    /// meanwhile (the temporary directory is then removed).
    pub fn commit(mut self) -> Result<(), IoError> {
        let success = self.tmp.join("_SUCCESS");
        File::create(&success).map_err(|e| IoError::io(&success, e))?;
        if fs::symlink_metadata(&self.final_path).is_ok() {
            return Err(IoError::Exists {
                path: self.final_path.clone(),
            });
        }
        if let Some(parent) = self.final_path.parent()
            && !parent.as_os_str().is_empty()
        {
            fs::create_dir_all(parent).map_err(|e| IoError::io(parent, e))?;
        }
        fs::rename(&self.tmp, &self.final_path).map_err(|e| IoError::io(&self.final_path, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Removes a file or a directory tree (`rmf`); a missing path is fine.
pub fn remove_path(path: &Path) -> Result<(), IoError> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(IoError::io(path, e)),
        Ok(m) if m.is_dir() => fs::remove_dir_all(path).map_err(|e| IoError::io(path, e)),
        Ok(_) => fs::remove_file(path).map_err(|e| IoError::io(path, e)),
    }
}

const OUT_BUF: usize = 1 << 18;

/// A part file, possibly compressed.
enum Sink {
    Plain(BufWriter<File>),
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    Bzip2(bzip2::write::BzEncoder<BufWriter<File>>),
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Sink {
    fn create(path: &Path, compression: Compression) -> Result<Sink, IoError> {
        let f = File::create(path).map_err(|e| IoError::io(path, e))?;
        let w = BufWriter::with_capacity(OUT_BUF, f);
        Ok(match compression {
            Compression::None => Sink::Plain(w),
            Compression::Gzip => Sink::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::default(),
            )),
            Compression::Bzip2 => Sink::Bzip2(bzip2::write::BzEncoder::new(
                w,
                bzip2::Compression::default(),
            )),
            Compression::Zstd => Sink::Zstd(
                zstd::stream::write::Encoder::new(w, 0).map_err(|e| IoError::io(path, e))?,
            ),
        })
    }

    fn finish(self) -> std::io::Result<()> {
        let mut w = match self {
            Sink::Plain(w) => w,
            Sink::Gzip(e) => e.finish()?,
            Sink::Bzip2(e) => e.finish()?,
            Sink::Zstd(e) => e.finish()?,
        };
        w.flush()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Gzip(w) => w.write(buf),
            Sink::Bzip2(w) => w.write(buf),
            Sink::Zstd(w) => w.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(buf),
            Sink::Gzip(w) => w.write_all(buf),
            Sink::Bzip2(w) => w.write_all(buf),
            Sink::Zstd(w) => w.write_all(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Gzip(w) => w.flush(),
            Sink::Bzip2(w) => w.flush(),
            Sink::Zstd(w) => w.flush(),
        }
    }
}

/// Appends a value's text form (Pig's): raw bytes for bytearray and chararray, nothing
/// for null, `Display` for the rest.
pub(crate) fn push_text(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => {}
        Value::Bytearray(b) => out.extend_from_slice(b),
        Value::Chararray(s) => out.extend_from_slice(s.as_bytes()),
        other => {
            use std::io::Write as _;
            let _ = write!(out, "{other}");
        }
    }
}

/// A plugin store function's writer: each batch of rows becomes the plugin's records.
struct PluginWriter {
    sink: Sink,
    path: PathBuf,
    /// The output location, which a failure names (the part file is temporary).
    location: PathBuf,
    func: std::sync::Arc<dyn pigrs_udf::func::RecordFunc>,
}

impl RecordWriter for PluginWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        let bytes = self.func.format(rows).map_err(|e| {
            let row = match e.row.and_then(|r| rows.get(r)) {
                Some(r) => format!(" on row {}", Value::Tuple(Box::new(r.clone()))),
                None => String::new(),
            };
            IoError::format(
                &self.location,
                None,
                format!("{} failed{row}: {}", self.func.name(), e.error),
            )
        })?;
        self.sink
            .write_all(&bytes)
            .map_err(|e| IoError::io(&self.path, e))
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let path = self.path;
        self.sink.finish().map_err(|e| IoError::io(path, e))
    }
}

/// Piggybank's MultiStorage writer: each row goes, as a PigStorage line, into the file of
/// its key values, `<k1>/<k1>-<task>` (or `<k1>/<k2>/<k1>-<k2>-<task>` for two key
/// fields; with compression `<k1>.gz/<k1>-<task>.gz`), opened when its first row comes.
struct MultiWriter {
    /// The output's temporary directory, which the files go under.
    root: PathBuf,
    /// The output location, which errors name.
    location: PathBuf,
    /// The task's number, which the file names end with.
    index: usize,
    fields: Vec<usize>,
    compression: Compression,
    delimiter: Vec<u8>,
    remove_keys: bool,
    /// The open file of each key.
    files: HashMap<Vec<String>, (PathBuf, Sink)>,
    line: Vec<u8>,
}

impl MultiWriter {
    /// The folder name of a key value: Java's `String.valueOf` of it (`null` for a null),
    /// with `/` made `-`, as MultiStorage names it.
    fn key_text(&self, v: &Value) -> Result<String, IoError> {
        let text = match v {
            Value::Null => "null".to_string(),
            other => {
                let mut b = Vec::new();
                push_text(other, &mut b);
                String::from_utf8_lossy(&b).replace('/', "-")
            }
        };
        if text.is_empty() || text == "." || text == ".." || text.contains('\0') {
            return Err(IoError::format(
                &self.location,
                None,
                format!("MultiStorage: the key value '{text}' cannot name a folder"),
            ));
        }
        Ok(text)
    }

    fn open(&self, key: &[String]) -> Result<(PathBuf, Sink), IoError> {
        let ext = self.compression.extension();
        let mut dir = self.root.clone();
        for k in key {
            dir.push(format!("{k}{ext}"));
        }
        fs::create_dir_all(&dir).map_err(|e| IoError::io(&dir, e))?;
        let path = dir.join(format!("{}-{:04}{ext}", key.join("-"), self.index));
        let sink = Sink::create(&path, self.compression)?;
        Ok((path, sink))
    }
}

impl RecordWriter for MultiWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        for row in rows {
            let mut key = Vec::with_capacity(self.fields.len());
            for &f in &self.fields {
                let Some(v) = row.get(f) else {
                    return Err(IoError::format(
                        &self.location,
                        None,
                        format!(
                            "MultiStorage: split field index {f} is past the row's {} fields",
                            row.len()
                        ),
                    ));
                };
                key.push(self.key_text(v)?);
            }
            self.line.clear();
            let mut first = true;
            for (i, v) in row.iter().enumerate() {
                if self.remove_keys && self.fields.contains(&i) {
                    continue;
                }
                if !first {
                    self.line.extend_from_slice(&self.delimiter);
                }
                first = false;
                push_text(v, &mut self.line);
            }
            self.line.push(b'\n');
            if !self.files.contains_key(&key) {
                let file = self.open(&key)?;
                self.files.insert(key.clone(), file);
            }
            if let Some((path, sink)) = self.files.get_mut(&key) {
                sink.write_all(&self.line)
                    .map_err(|e| IoError::io(&*path, e))?;
            }
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        for (_, (path, sink)) in self.files {
            sink.finish().map_err(|e| IoError::io(path, e))?;
        }
        Ok(())
    }
}

struct PigStorageWriter {
    sink: Sink,
    path: PathBuf,
    delimiter: Vec<u8>,
}

impl RecordWriter for PigStorageWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        let mut line = Vec::with_capacity(256);
        for row in rows {
            line.clear();
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    line.extend_from_slice(&self.delimiter);
                }
                push_text(v, &mut line);
            }
            line.push(b'\n');
            self.sink
                .write_all(&line)
                .map_err(|e| IoError::io(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let path = self.path;
        self.sink.finish().map_err(|e| IoError::io(path, e))
    }
}

struct JsonWriter {
    sink: Sink,
    path: PathBuf,
    schema: Option<Schema>,
    line: Vec<u8>,
}

impl RecordWriter for JsonWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        for row in rows {
            self.line.clear();
            json::write_record(row, self.schema.as_ref(), &mut self.line);
            self.line.push(b'\n');
            self.sink
                .write_all(&self.line)
                .map_err(|e| IoError::io(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let path = self.path;
        self.sink.finish().map_err(|e| IoError::io(path, e))
    }
}

struct CsvWriter {
    sink: Sink,
    path: PathBuf,
    delimiter: u8,
    crlf: bool,
    field: Vec<u8>,
}

impl RecordWriter for CsvWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        let mut line = Vec::with_capacity(256);
        for row in rows {
            line.clear();
            for (i, v) in row.iter().enumerate() {
                if i > 0 {
                    line.push(self.delimiter);
                }
                self.field.clear();
                push_text(v, &mut self.field);
                let d = self.delimiter;
                if self
                    .field
                    .iter()
                    .any(|&b| b == d || b == b'"' || b == b'\n' || b == b'\r')
                {
                    line.push(b'"');
                    for &b in &self.field {
                        if b == b'"' {
                            line.push(b'"');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                } else {
                    line.extend_from_slice(&self.field);
                }
            }
            line.extend_from_slice(if self.crlf { b"\r\n" } else { b"\n" });
            self.sink
                .write_all(&line)
                .map_err(|e| IoError::io(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let path = self.path;
        self.sink.finish().map_err(|e| IoError::io(path, e))
    }
}

/// BinStorage's writer: after the magic, each record is a 4-byte little-endian length and
/// then a 4-byte field count and each field as a 4-byte length and its
/// `pigrs_udf::codec` encoding.
struct BinWriter {
    sink: Sink,
    path: PathBuf,
    buf: Vec<u8>,
}

impl RecordWriter for BinWriter {
    fn write(&mut self, rows: &[Tuple]) -> Result<(), IoError> {
        for row in rows {
            self.buf.clear();
            self.buf.extend_from_slice(&[0; 4]);
            self.buf
                .extend_from_slice(&(row.len() as u32).to_le_bytes());
            for v in row {
                let at = self.buf.len();
                self.buf.extend_from_slice(&[0; 4]);
                pigrs_udf::codec::encode(v, &mut self.buf);
                let len = (self.buf.len() - at - 4) as u32;
                self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
            }
            let total = (self.buf.len() - 4) as u32;
            self.buf[..4].copy_from_slice(&total.to_le_bytes());
            self.sink
                .write_all(&self.buf)
                .map_err(|e| IoError::io(&self.path, e))?;
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> Result<(), IoError> {
        let path = self.path;
        self.sink.finish().map_err(|e| IoError::io(path, e))
    }
}

#[cfg(test)]
mod tests {
    use super::super::funcs::{LoadFunc, load_func, parse_schema, store_func};
    use super::super::input::{plan_splits_opts, resolve_input};
    use super::super::json::{load_schema, read_pig_schema};
    use super::super::read::open_reader;
    use super::super::warnings::Warnings;
    use super::*;
    use std::sync::Arc;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn store(out: &Path, sf: &StoreFunc, schema: Option<&Schema>, parts: &[Vec<Tuple>]) {
        let dir = OutputDir::create(out).unwrap();
        for (i, rows) in parts.iter().enumerate() {
            let mut w = dir.part_writer(PartKind::Reduce, i, sf, schema).unwrap();
            w.write(rows).unwrap();
            w.finish().unwrap();
        }
        dir.commit().unwrap();
    }

    fn load(dir: &Path, loc: &str, lf: &LoadFunc, schema: Option<&Schema>) -> Vec<Tuple> {
        let files = resolve_input(loc, dir).unwrap();
        let splits = plan_splits_opts(&files, 3, 1, lf.splittable());
        let mut rows = Vec::new();
        for s in &splits {
            let mut r = open_reader(s, lf, schema, Arc::new(Warnings::new())).unwrap();
            while r.next_batch(100, &mut rows).unwrap() {}
        }
        rows
    }

    fn sample() -> (Schema, Vec<Tuple>) {
        let schema = parse_schema(
            "i:int,s:chararray,d:double,b:{(x:int,y:chararray)},m:map[],t:(p:long,q:boolean)",
        )
        .unwrap();
        let rows = vec![
            vec![
                Value::Int(1),
                Value::Chararray("a,\"b\"\tc".into()),
                Value::Double(2.5),
                Value::Bag(Box::new(pigrs_udf::Bag::from(vec![
                    vec![Value::Int(1), Value::Chararray("u".into())],
                    vec![Value::Int(2), Value::Null],
                ]))),
                Value::Map(Box::new(vec![("k".into(), Value::Chararray("v".into()))])),
                Value::Tuple(Box::new(vec![Value::Long(7), Value::Boolean(true)])),
            ],
            vec![
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ],
        ];
        (schema, rows)
    }

    fn dbg(rows: &[Tuple]) -> String {
        format!("{rows:?}")
    }

    #[test]
    fn atomic_output() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("nested/dir/out");
        let sf = store_func("PigStorage", &[]).unwrap();
        {
            let dir = OutputDir::create(&out).unwrap();
            let tmp = dir.temp_path().to_path_buf();
            assert!(
                tmp.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(".out.pigrs-tmp-")
            );
            let mut w = dir.part_writer(PartKind::Map, 0, &sf, None).unwrap();
            w.write(&[vec![Value::Int(1)]]).unwrap();
            w.finish().unwrap();
            assert!(tmp.join("part-m-00000").is_file());
            assert!(!out.exists());
            // Dropped without commit: nothing is left.
            drop(dir);
            assert!(!tmp.exists());
        }
        assert!(!out.exists());
        store(
            &out,
            &sf,
            None,
            &[
                vec![vec![Value::Int(1), Value::Chararray("x".into())]],
                vec![],
            ],
        );
        assert!(out.join("_SUCCESS").is_file());
        assert_eq!(fs::read(out.join("_SUCCESS")).unwrap(), b"");
        assert_eq!(
            fs::read_to_string(out.join("part-r-00000")).unwrap(),
            "1\tx\n"
        );
        assert_eq!(fs::read_to_string(out.join("part-r-00001")).unwrap(), "");
        let leftovers: Vec<_> = fs::read_dir(out.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(leftovers, vec!["out"]);
        // An existing output is an error that says so.
        let e = OutputDir::create(&out).unwrap_err();
        assert!(matches!(e, IoError::Exists { .. }));
        assert!(
            e.to_string().contains("already exists") && e.to_string().contains("out"),
            "{e}"
        );
        // Appearing between create and commit is an error too, and cleans up.
        let late = t.path().join("late");
        let dir = OutputDir::create(&late).unwrap();
        let tmp = dir.temp_path().to_path_buf();
        fs::create_dir(&late).unwrap();
        assert!(matches!(dir.commit(), Err(IoError::Exists { .. })));
        assert!(!tmp.exists());
    }

    #[test]
    fn remove_paths() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("d");
        fs::create_dir_all(d.join("e")).unwrap();
        fs::write(d.join("e/f"), "x").unwrap();
        fs::write(t.path().join("g"), "x").unwrap();
        remove_path(&d).unwrap();
        remove_path(&t.path().join("g")).unwrap();
        remove_path(&t.path().join("missing")).unwrap();
        assert!(!d.exists() && !t.path().join("g").exists());
    }

    #[test]
    fn pigstorage_round_trip_with_schema_files() {
        let t = tempfile::tempdir().unwrap();
        let (schema, rows) = sample();
        let sf = store_func("PigStorage", &args(&["|", "-schema"])).unwrap();
        store(
            &t.path().join("o"),
            &sf,
            Some(&schema),
            std::slice::from_ref(&rows),
        );
        let text = fs::read_to_string(t.path().join("o/part-r-00000")).unwrap();
        let first = text.lines().next().unwrap();
        assert!(
            first.starts_with("1|a,\"b\"\tc|2.5|{(1,u),(2,)}|[k#v]|(7,true)"),
            "{first}"
        );
        assert_eq!(text.lines().nth(1).unwrap(), "|||||");
        assert_eq!(
            fs::read_to_string(t.path().join("o/.pig_header")).unwrap(),
            "i|s|d|b|m|t\n"
        );
        assert_eq!(
            read_pig_schema("o", t.path()).unwrap(),
            Some(schema.clone())
        );
        let lf = load_func("PigStorage", &args(&["|"])).unwrap();
        assert_eq!(
            load_schema(&lf, "o", t.path()).unwrap(),
            Some(schema.clone())
        );
        let back = load(t.path(), "o", &lf, Some(&schema));
        // An untyped map's values load as bytearray (Pig's Utf8StorageConverter).
        let mut want = rows.clone();
        want[0][4] = Value::Map(Box::new(vec![(
            "k".into(),
            Value::Bytearray(b"v".to_vec()),
        )]));
        assert_eq!(dbg(&back), dbg(&want));
        let lf = load_func("PigStorage", &args(&["|", "-noschema"])).unwrap();
        assert_eq!(load_schema(&lf, "o", t.path()).unwrap(), None);
    }

    #[test]
    fn json_round_trip() {
        let t = tempfile::tempdir().unwrap();
        let (schema, rows) = sample();
        store(
            &t.path().join("j"),
            &StoreFunc::JsonStorage,
            Some(&schema),
            &[rows.clone(), vec![]],
        );
        let text = fs::read_to_string(t.path().join("j/part-r-00000")).unwrap();
        assert!(
            text.starts_with(
                "{\"i\":1,\"s\":\"a,\\\"b\\\"\\tc\",\"d\":2.5,\"b\":[{\"x\":1,\"y\":\"u\"},"
            ),
            "{text}"
        );
        let lf = load_func("JsonLoader", &[]).unwrap();
        let s = load_schema(&lf, "j", t.path()).unwrap().unwrap();
        assert_eq!(s, schema);
        let back = load(t.path(), "j", &lf, Some(&s));
        assert_eq!(dbg(&back), dbg(&rows));
        assert!(load_schema(&lf, "j/part-r-00000", t.path()).is_ok());
        fs::remove_file(t.path().join("j/.pig_schema")).unwrap();
        assert!(load_schema(&lf, "j", t.path()).is_err());
    }

    #[test]
    fn csv_round_trip() {
        let t = tempfile::tempdir().unwrap();
        let schema = parse_schema("n:int,s:chararray").unwrap();
        let rows = vec![
            vec![Value::Int(1), Value::Chararray("plain".into())],
            vec![Value::Int(2), Value::Chararray("a,b \"q\"\nnext".into())],
            vec![Value::Null, Value::Chararray("".into())],
        ];
        let sf = store_func(
            "CSVExcelStorage",
            &args(&[",", "YES_MULTILINE", "WINDOWS", "WRITE_OUTPUT_HEADER"]),
        )
        .unwrap();
        store(
            &t.path().join("c"),
            &sf,
            Some(&schema),
            std::slice::from_ref(&rows),
        );
        let text = fs::read_to_string(t.path().join("c/part-r-00000")).unwrap();
        assert_eq!(text, "n,s\r\n1,plain\r\n2,\"a,b \"\"q\"\"\nnext\"\r\n,\r\n");
        let lf = load_func(
            "CSVExcelStorage",
            &args(&[",", "YES_MULTILINE", "UNIX", "SKIP_INPUT_HEADER"]),
        )
        .unwrap();
        let back = load(t.path(), "c", &lf, Some(&schema));
        // An empty chararray comes back null, as in CSVExcelStorage.
        let mut want = rows.clone();
        want[2][1] = Value::Null;
        assert_eq!(dbg(&back), dbg(&want));
    }

    #[test]
    fn binstorage_round_trip() {
        let t = tempfile::tempdir().unwrap();
        let (_, mut rows) = sample();
        rows.push(vec![]);
        rows.push(vec![Value::Bytearray(vec![0, 255, 10]), Value::Float(1.5)]);
        store(
            &t.path().join("b"),
            &StoreFunc::BinStorage,
            None,
            &[rows.clone(), rows.clone()],
        );
        let back = load(t.path(), "b", &LoadFunc::BinStorage, None);
        let mut want = rows.clone();
        want.extend(rows);
        assert_eq!(dbg(&back), dbg(&want));
        // A file that is not BinStorage is an error naming it.
        fs::write(t.path().join("junk"), "hello\n").unwrap();
        let files = resolve_input("junk", t.path()).unwrap();
        let s = &plan_splits_opts(&files, 1, 1, false)[0];
        let mut r = open_reader(s, &LoadFunc::BinStorage, None, Arc::new(Warnings::new())).unwrap();
        let e = r.next_batch(1, &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("junk"), "{e}");
    }

    #[test]
    fn compressed_outputs_round_trip() {
        let t = tempfile::tempdir().unwrap();
        let rows: Vec<Tuple> = (0..1000)
            .map(|i| vec![Value::Int(i), Value::Chararray(format!("row{i}"))])
            .collect();
        let schema = parse_schema("i:int,s:chararray").unwrap();
        for (name, part) in [
            ("o.gz", "part-r-00000.gz"),
            ("o.bz2", "part-r-00000.bz2"),
            ("o.zst", "part-r-00000.zst"),
        ] {
            let out = t.path().join(name);
            store(
                &out,
                &store_func("PigStorage", &[]).unwrap(),
                None,
                std::slice::from_ref(&rows),
            );
            assert!(out.join(part).is_file(), "{name}");
            let raw = fs::read(out.join(part)).unwrap();
            assert!(!raw.starts_with(b"0\trow0"));
            let back = load(
                t.path(),
                name,
                &load_func("PigStorage", &[]).unwrap(),
                Some(&schema),
            );
            assert_eq!(dbg(&back), dbg(&rows), "{name}");
        }
    }

    #[test]
    fn multi_storage_writes_a_folder_per_key() {
        let t = tempfile::tempdir().unwrap();
        let row = |a: &str, b: i32, c: &str| {
            vec![
                Value::Chararray(a.into()),
                Value::Int(b),
                Value::Chararray(c.into()),
            ]
        };
        let parts = [
            vec![row("a1", 1, "x"), row("a2", 2, "y"), row("a1", 3, "z")],
            vec![row("a2", 4, "w"), row("x/y", 5, "v")],
        ];
        let out = t.path().join("out");
        store(
            &out,
            &store_func("MultiStorage", &args(&["out", "0"])).unwrap(),
            None,
            &parts,
        );
        let read = |p: &str| fs::read_to_string(out.join(p)).unwrap();
        assert_eq!(read("a1/a1-0000"), "a1\t1\tx\na1\t3\tz\n");
        assert_eq!(read("a2/a2-0000"), "a2\t2\ty\n");
        assert_eq!(read("a2/a2-0001"), "a2\t4\tw\n");
        assert_eq!(read("x-y/x-y-0001"), "x/y\t5\tv\n");
        assert!(out.join("_SUCCESS").is_file());

        // Two key levels, gzip, a comma and the keys left out.
        let out2 = t.path().join("out2");
        store(
            &out2,
            &store_func("MultiStorage", &args(&["out2", "0,1", "gz", ",", "true"])).unwrap(),
            None,
            &parts[..1],
        );
        let gz = out2.join("a1.gz/1.gz/a1-1-0000.gz");
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(File::open(&gz).unwrap()),
            &mut text,
        )
        .unwrap();
        assert_eq!(text, "x\n");
    }

    #[test]
    fn multi_storage_bad_rows_fail_the_whole_output() {
        let t = tempfile::tempdir().unwrap();
        let out = t.path().join("out");
        let sf = store_func("MultiStorage", &args(&["out", "3"])).unwrap();
        let dir = OutputDir::create(&out).unwrap();
        let mut w = dir.part_writer(PartKind::Map, 0, &sf, None).unwrap();
        let e = w.write(&[vec![Value::Int(1)]]).unwrap_err();
        assert!(e.to_string().contains("split field index 3"), "{e}");
        drop(w);
        drop(dir);
        assert!(!out.exists());
        let sf = store_func("MultiStorage", &args(&["out", "0"])).unwrap();
        let dir = OutputDir::create(&out).unwrap();
        let mut w = dir.part_writer(PartKind::Map, 0, &sf, None).unwrap();
        let e = w.write(&[vec![Value::Chararray("..".into())]]).unwrap_err();
        assert!(e.to_string().contains("cannot name a folder"), "{e}");
    }
}
