//! Reading splits: the line reader (Hadoop's `LineRecordReader` rules) and the record
//! formats of the load functions (PigStorage, TextLoader, JsonLoader, CSVExcelStorage,
//! BinStorage, XMLLoader).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use memchr::memmem;
use pigrs_udf::func::RecordFunc;
use pigrs_udf::{PigType, Schema, Tuple, Value};

use super::error::IoError;
use super::funcs::{CsvHeader, LoadFunc, parse_schema};
use super::input::{Compression, FileRange, InputFile, Split};
use super::json;
use super::parquet::ParquetReader;
use super::warnings::Warnings;

/// A source of tuples: one split being read.
pub trait RecordReader: Send {
    /// Appends up to `max_rows` tuples to `out`. Returns `false` when the split is
    /// exhausted and nothing was appended; `true` when at least one tuple was.
    fn next_batch(&mut self, max_rows: usize, out: &mut Vec<Tuple>) -> Result<bool, IoError>;

    /// Bytes of the split read so far (on disk), for the progress display. A reader that
    /// cannot tell says 0; the scan counts the whole split when it is done either way.
    fn bytes_done(&self) -> u64 {
        0
    }
}

/// Opens a reader of `split` with the rules of `load`.
///
/// `schema` is the schema the fields are converted to (from the `AS` clause or the
/// input's `.pig_schema`); with none, PigStorage and CSVExcelStorage give bytearray fields
/// and keep every field. JsonLoader uses its own schema argument first. Fields that fail
/// to convert become null and are counted in `warnings`. PigStorage's `-tagFile` and
/// `-tagPath` prepend a chararray field that `schema` does not describe.
pub fn open_reader(
    split: &Split,
    load: &LoadFunc,
    schema: Option<&Schema>,
    warnings: Arc<Warnings>,
) -> Result<Box<dyn RecordReader>, IoError> {
    let parts = split.parts.clone();
    let splittable = load.splittable();
    Ok(match load {
        LoadFunc::PigStorage { delimiter, options } => {
            let tag = if options.tag_file {
                Tag::File
            } else if options.tag_path {
                Tag::Path
            } else {
                Tag::None
            };
            let mut format = PigStorageFormat::new(delimiter.clone(), schema.cloned(), tag);
            format.columns = options.columns.clone();
            Box::new(LineReader::new(parts, format, splittable, false, warnings))
        }
        LoadFunc::TextLoader => Box::new(LineReader::new(
            parts, TextFormat, splittable, false, warnings,
        )),
        LoadFunc::JsonLoader { schema: text } => {
            let own = match text {
                Some(t) => Some(parse_schema(t).map_err(|e| {
                    let path = parts
                        .first()
                        .map(|p| p.file.path.clone())
                        .unwrap_or_default();
                    IoError::format(path, None, format!("JsonLoader schema: {e}"))
                })?),
                None => None,
            };
            let format = JsonFormat {
                schema: own.or_else(|| schema.cloned()),
            };
            Box::new(LineReader::new(parts, format, splittable, false, warnings))
        }
        LoadFunc::CsvExcel {
            delimiter,
            multiline,
            header,
        } => {
            let format = CsvFormat {
                delimiter: *delimiter,
                multiline: *multiline,
                schema: schema.cloned(),
                fields: Vec::new(),
                cur: Vec::new(),
                in_quotes: false,
                pending: false,
            };
            let skip = *header == CsvHeader::SkipInputHeader;
            Box::new(LineReader::new(parts, format, splittable, skip, warnings))
        }
        LoadFunc::Xml { tag } => {
            let path = || {
                parts
                    .first()
                    .map(|p| p.file.path.clone())
                    .unwrap_or_default()
            };
            let format = XmlFormat::new(tag, schema)
                .map_err(|e| IoError::format(path(), None, format!("XMLLoader: {e}")))?;
            Box::new(LineReader::new(parts, format, splittable, false, warnings))
        }
        LoadFunc::BinStorage => Box::new(BinReader::new(parts)),
        LoadFunc::Plugin(f) => Box::new(PluginReader {
            parts: Parts::new(parts, splittable),
            cur: None,
            func: f.0.clone(),
            schema: schema.cloned(),
            warnings,
            lines: Vec::new(),
            ends: Vec::new(),
        }),
        LoadFunc::Parquet { schema: text } => {
            Box::new(ParquetReader::of(parts, text.as_deref(), schema)?)
        }
        LoadFunc::Orc => Box::new(super::orc::OrcReader::new(parts, schema.cloned())),
    })
}

/// Opens `file` for reading from byte `start` (uncompressed files only), decompressing by
/// its extension.
pub(crate) fn open_input(file: &InputFile, start: u64) -> Result<Box<dyn Read + Send>, IoError> {
    let path = &file.path;
    let mut f = File::open(path).map_err(|e| IoError::io(path, e))?;
    Ok(match file.compression {
        Compression::None => {
            if start > 0 {
                f.seek(SeekFrom::Start(start))
                    .map_err(|e| IoError::io(path, e))?;
            }
            Box::new(f)
        }
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(f)),
        Compression::Zstd => {
            Box::new(zstd::stream::read::Decoder::new(f).map_err(|e| IoError::io(path, e))?)
        }
    })
}

/// Reads into `buf`, retrying on interruption; 0 means end of input.
fn read_some(input: &mut dyn Read, buf: &mut [u8], path: &Path) -> Result<usize, IoError> {
    loop {
        match input.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(IoError::io(path, e)),
        }
    }
}

const BUF_SIZE: usize = 1 << 19;

/// The lines of one file range: those whose first byte lies in `[start, end)` (for a
/// compressed or unsplittable file: all of them).
pub(crate) struct PartLines {
    range: FileRange,
    input: Box<dyn Read + Send>,
    /// The buffer the ranges [`PartLines::next_line`] returns index.
    pub(crate) buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// Absolute (decompressed) offset of `buf[pos]`.
    offset: u64,
    /// Lines must start before this offset.
    limit: u64,
    /// Offset of the first line of the part.
    first_line_offset: u64,
    /// Lines returned so far.
    lines: u64,
    /// Lines of the file before `first_line_offset`, counted on first need.
    base_line: Option<u64>,
    /// Whether lines after the part's end are being read, to finish a record.
    past_end: bool,
}

impl PartLines {
    /// Whether the file is read whole (compressed, or its format is not splittable).
    fn whole(range: &FileRange, splittable: bool) -> bool {
        !splittable || range.file.compression != Compression::None
    }

    /// Whether this part has nothing to read: a cut piece, after the first, of a file that
    /// is read whole (the piece at offset 0 reads all of it).
    pub(crate) fn skipped(range: &FileRange, splittable: bool) -> bool {
        Self::whole(range, splittable) && range.start > 0
    }

    /// Opens a part that is not [`PartLines::skipped`]; `buf` is a buffer to reuse.
    pub(crate) fn open(
        range: &FileRange,
        splittable: bool,
        mut buf: Vec<u8>,
    ) -> Result<Self, IoError> {
        let whole = Self::whole(range, splittable);
        let seek_to = range.start.saturating_sub(1);
        let input = open_input(&range.file, seek_to)?;
        if buf.len() < BUF_SIZE {
            buf = vec![0; BUF_SIZE];
        }
        let mut p = PartLines {
            range: range.clone(),
            input,
            buf,
            pos: 0,
            len: 0,
            eof: false,
            offset: seek_to,
            limit: if whole { u64::MAX } else { range.end },
            first_line_offset: 0,
            lines: 0,
            base_line: if range.start == 0 { Some(0) } else { None },
            past_end: false,
        };
        if range.start > 0 {
            // The line holding byte start-1 belongs to the previous split: skip through its
            // newline (just that byte when it is the newline).
            p.skip_through_newline()?;
        }
        p.first_line_offset = p.offset;
        Ok(p)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.range.file.path
    }

    /// Lines returned so far.
    pub(crate) fn lines_read(&self) -> u64 {
        self.lines
    }

    /// The line number (in its file) of the line returned when [`PartLines::lines_read`]
    /// was `lines`.
    pub(crate) fn line_number_at(&mut self, lines: u64) -> Result<u64, IoError> {
        Ok(self.line_number()? + lines - self.lines)
    }

    /// Whether the part begins at its file's first byte.
    fn starts_file(&self) -> bool {
        self.range.start == 0
    }

    /// The range's bytes on disk: its share of the split.
    pub(crate) fn range_bytes(&self) -> u64 {
        self.range.end.saturating_sub(self.range.start)
    }

    /// How many of [`PartLines::range_bytes`] are read so far: the offset reached in an
    /// uncompressed file; 0 in a compressed one, whose offsets count decompressed bytes.
    pub(crate) fn bytes_done(&self) -> u64 {
        if self.range.file.compression != Compression::None {
            return 0;
        }
        self.offset
            .saturating_sub(self.range.start)
            .min(self.range_bytes())
    }

    /// Reads more input after the unread bytes; sets `eof` at the end.
    fn fill(&mut self) -> Result<(), IoError> {
        if self.pos > 0 {
            self.buf.copy_within(self.pos..self.len, 0);
            self.len -= self.pos;
            self.pos = 0;
        }
        if self.len == self.buf.len() {
            let grown = self.buf.len() * 2;
            self.buf.resize(grown, 0);
        }
        let n = read_some(
            &mut *self.input,
            &mut self.buf[self.len..],
            &self.range.file.path,
        )?;
        if n == 0 {
            self.eof = true;
        }
        self.len += n;
        Ok(())
    }

    fn skip_through_newline(&mut self) -> Result<(), IoError> {
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[self.pos..self.len]) {
                self.offset += (i + 1) as u64;
                self.pos += i + 1;
                return Ok(());
            }
            self.offset += (self.len - self.pos) as u64;
            self.pos = self.len;
            if self.eof {
                return Ok(());
            }
            self.fill()?;
        }
    }

    /// Whether the part's own lines are all read and more follow in the file: the split
    /// ends here, not the file.
    fn at_split_end(&self) -> bool {
        self.limit != u64::MAX && self.offset >= self.limit
    }

    /// Goes on with the lines after the part's end (to finish a record begun in it).
    fn read_past_end(&mut self) {
        self.limit = u64::MAX;
        self.past_end = true;
    }

    /// The next line as a range of `buf`, without its `\n` or `\r\n`.
    pub(crate) fn next_line(&mut self) -> Result<Option<(usize, usize)>, IoError> {
        if self.offset >= self.limit {
            return Ok(None);
        }
        let mut scanned = 0usize;
        loop {
            let from = self.pos + scanned;
            if let Some(i) = memchr::memchr(b'\n', &self.buf[from..self.len]) {
                let nl = from + i;
                return Ok(Some(self.take_line(nl, nl + 1)));
            }
            if self.eof {
                if self.pos < self.len {
                    let end = self.len;
                    return Ok(Some(self.take_line(end, end)));
                }
                return Ok(None);
            }
            scanned = self.len - self.pos;
            self.fill()?;
        }
    }

    fn take_line(&mut self, end: usize, next: usize) -> (usize, usize) {
        let start = self.pos;
        let mut e = end;
        if e > start && self.buf[e - 1] == b'\r' {
            e -= 1;
        }
        self.offset += (next - self.pos) as u64;
        self.pos = next;
        self.lines += 1;
        (start, e)
    }

    /// The 1-based line number, in the file, of the line last returned.
    pub(crate) fn line_number(&mut self) -> Result<u64, IoError> {
        let base = match self.base_line {
            Some(b) => b,
            None => {
                let b = count_newlines(&self.range.file, self.first_line_offset)?;
                self.base_line = Some(b);
                b
            }
        };
        Ok(base + self.lines)
    }
}

/// The number of `\n` in the first `upto` bytes of an uncompressed file.
fn count_newlines(file: &InputFile, upto: u64) -> Result<u64, IoError> {
    let mut input = open_input(file, 0)?;
    let mut buf = vec![0u8; BUF_SIZE];
    let mut left = upto;
    let mut count = 0u64;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = read_some(&mut *input, &mut buf[..want], &file.path)?;
        if n == 0 {
            break;
        }
        count += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        left -= n as u64;
    }
    Ok(count)
}

/// How one load function turns lines into tuples.
trait LineFormat: Send {
    /// Parses one line, appending zero or one tuple; returns how many fields failed to
    /// convert.
    fn parse(&mut self, line: &[u8], file: &Path, out: &mut Vec<Tuple>) -> u32;

    /// Called at the end of each file range (a record still open is finished).
    fn end_part(&mut self, _file: &Path, _out: &mut Vec<Tuple>) -> u32 {
        0
    }

    /// Called when a part's own lines are done but its file goes on (a split's end):
    /// whether a record begun in them is still open. If so the reader goes on with the
    /// lines after the end, which the format reads only to finish that record, while
    /// [`LineFormat::in_record`].
    fn past_end(&mut self) -> bool {
        false
    }

    /// While reading past a part's end: whether the record is still open.
    fn in_record(&self) -> bool {
        false
    }
}

/// The file ranges of a split, opened one after the other as lines, with one line buffer
/// passed from each to the next.
struct Parts {
    ranges: std::vec::IntoIter<FileRange>,
    splittable: bool,
    /// The line buffer, kept between parts.
    spare: Vec<u8>,
    /// The bytes of the parts done (read or skipped).
    parts_done: u64,
}

impl Parts {
    fn new(ranges: Vec<FileRange>, splittable: bool) -> Self {
        Parts {
            ranges: ranges.into_iter(),
            splittable,
            spare: Vec::new(),
            parts_done: 0,
        }
    }

    /// The next part to read (skipping the cut pieces of files read whole), or `None` at
    /// the end of the split.
    fn open_next(&mut self) -> Result<Option<PartLines>, IoError> {
        for range in self.ranges.by_ref() {
            if PartLines::skipped(&range, self.splittable) {
                self.parts_done += range.end.saturating_sub(range.start);
                continue;
            }
            let buf = std::mem::take(&mut self.spare);
            return PartLines::open(&range, self.splittable, buf).map(Some);
        }
        Ok(None)
    }

    /// A part read to its end: its buffer serves the next.
    fn close(&mut self, part: PartLines) {
        self.parts_done += part.range_bytes();
        self.spare = part.buf;
    }

    /// Bytes of the split read so far, `cur` being the part open now.
    fn bytes_done(&self, cur: Option<&PartLines>) -> u64 {
        self.parts_done + cur.map_or(0, PartLines::bytes_done)
    }
}

struct LineReader<F: LineFormat> {
    parts: Parts,
    cur: Option<PartLines>,
    format: F,
    skip_header: bool,
    warnings: Arc<Warnings>,
}

impl<F: LineFormat> LineReader<F> {
    fn new(
        parts: Vec<FileRange>,
        format: F,
        splittable: bool,
        skip_header: bool,
        warnings: Arc<Warnings>,
    ) -> Self {
        LineReader {
            parts: Parts::new(parts, splittable),
            cur: None,
            format,
            skip_header,
            warnings,
        }
    }
}

impl<F: LineFormat> RecordReader for LineReader<F> {
    fn bytes_done(&self) -> u64 {
        self.parts.bytes_done(self.cur.as_ref())
    }

    fn next_batch(&mut self, max_rows: usize, out: &mut Vec<Tuple>) -> Result<bool, IoError> {
        let before = out.len();
        let max_rows = max_rows.max(1);
        while out.len() - before < max_rows {
            let Some(cur) = self.cur.as_mut() else {
                let Some(mut part) = self.parts.open_next()? else {
                    break;
                };
                if self.skip_header && part.starts_file() {
                    part.next_line()?;
                }
                self.cur = Some(part);
                continue;
            };
            let (fails, done) = match cur.next_line()? {
                Some((a, b)) => {
                    let fails = self.format.parse(&cur.buf[a..b], &cur.range.file.path, out);
                    if cur.past_end && !self.format.in_record() {
                        (
                            fails + self.format.end_part(&cur.range.file.path, out),
                            true,
                        )
                    } else {
                        (fails, false)
                    }
                }
                None if cur.at_split_end() && self.format.past_end() => {
                    cur.read_past_end();
                    (0, false)
                }
                None => (self.format.end_part(&cur.range.file.path, out), true),
            };
            if fails > 0 {
                let line = cur.line_number()?;
                for _ in 0..fails {
                    self.warnings.cast_failed(cur.path(), line);
                }
            }
            if done && let Some(c) = self.cur.take() {
                self.parts.close(c);
            }
        }
        Ok(out.len() > before)
    }
}

/// How many lines a plugin's load function parses in one call.
const PLUGIN_LINES: usize = 4096;

/// A plugin load function's reader: the lines of each file range, handed to the plugin
/// [`PLUGIN_LINES`] at a time (never across files), become its tuples, cast to the LOAD's
/// schema as Pig casts a loader's fields to an `AS` clause (a missing field is null, one
/// past the schema dropped, one that fails to cast null and counted).
struct PluginReader {
    parts: Parts,
    cur: Option<PartLines>,
    func: Arc<dyn RecordFunc>,
    schema: Option<Schema>,
    warnings: Arc<Warnings>,
    /// The lines of the call being gathered, end to end, and where each ends.
    lines: Vec<u8>,
    ends: Vec<usize>,
}

impl PluginReader {
    /// Parses the lines gathered (the last of which is the part's line `last_line`) into
    /// `out`; a failure names the file and the line.
    fn parse(&mut self, out: &mut Vec<Tuple>, last_line: u64, path: &Path) -> Result<(), IoError> {
        let mut start = 0;
        let lines: Vec<&[u8]> = self
            .ends
            .iter()
            .map(|&end| {
                let l = &self.lines[start..end];
                start = end;
                l
            })
            .collect();
        let first_line = last_line + 1 - lines.len() as u64;
        let tuples = self.func.parse(&lines).map_err(|e| {
            let line = e.row.map(|r| first_line + r as u64);
            IoError::format(
                path,
                line,
                format!("{} failed: {}", self.func.name(), e.error),
            )
        })?;
        for (i, t) in tuples.into_iter().enumerate() {
            let Some(mut t) = t else { continue };
            if let Some(schema) = &self.schema {
                t.resize(schema.fields.len(), Value::Null);
                let mut fails = 0;
                for (v, f) in t.iter_mut().zip(&schema.fields) {
                    // An untyped (bytearray) field takes any value, as in Pig.
                    let other = v.pig_type().is_some_and(|t| t.name() != f.ty.name());
                    if other && f.ty != PigType::Bytearray {
                        *v = pigrs_udf::cast::cast(v, &f.ty).unwrap_or_else(|_| {
                            fails += 1;
                            Value::Null
                        });
                    }
                }
                for _ in 0..fails {
                    self.warnings.cast_failed(path, first_line + i as u64);
                }
            }
            out.push(t);
        }
        self.lines.clear();
        self.ends.clear();
        Ok(())
    }
}

impl RecordReader for PluginReader {
    fn bytes_done(&self) -> u64 {
        self.parts.bytes_done(self.cur.as_ref())
    }

    fn next_batch(&mut self, max_rows: usize, out: &mut Vec<Tuple>) -> Result<bool, IoError> {
        let before = out.len();
        let max_rows = max_rows.max(1);
        while out.len() - before < max_rows {
            let Some(cur) = self.cur.as_mut() else {
                let Some(part) = self.parts.open_next()? else {
                    break;
                };
                self.cur = Some(part);
                continue;
            };
            let line = cur.next_line()?;
            if let Some((a, b)) = line {
                self.lines.extend_from_slice(&cur.buf[a..b]);
                self.ends.push(self.lines.len());
            }
            if self.ends.len() >= PLUGIN_LINES || (line.is_none() && !self.ends.is_empty()) {
                let last = cur.line_number()?;
                let path = cur.path().to_path_buf();
                self.parse(out, last, &path)?;
            }
            if line.is_none()
                && let Some(c) = self.cur.take()
            {
                self.parts.close(c);
            }
        }
        Ok(out.len() > before)
    }
}

/// Converts one loaded text field to its declared type: empty is null; bytearray and
/// chararray never fail; the rest go through Pig's text conversion rules.
fn convert(bytes: &[u8], ty: &PigType, fails: &mut u32) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    match ty {
        PigType::Bytearray => Value::Bytearray(bytes.to_vec()),
        PigType::Chararray => Value::Chararray(String::from_utf8_lossy(bytes).into_owned()),
        _ => match pigrs_udf::cast::parse_text(bytes, ty) {
            Ok(v) => v,
            Err(_) => {
                *fails += 1;
                Value::Null
            }
        },
    }
}

/// Fields loaded against an optional schema: missing trailing fields are null, extra
/// ones dropped; with no schema every field is kept as bytearray.
fn push_fields<'a>(
    fields: impl Iterator<Item = &'a [u8]>,
    schema: Option<&Schema>,
    columns: Option<&[bool]>,
    t: &mut Tuple,
    fails: &mut u32,
) {
    match schema {
        None => t.extend(fields.map(|f| {
            if f.is_empty() {
                Value::Null
            } else {
                Value::Bytearray(f.to_vec())
            }
        })),
        Some(s) => {
            let mut fields = fields;
            for (i, field) in s.fields.iter().enumerate() {
                let wanted = columns.is_none_or(|c| c.get(i).copied().unwrap_or(true));
                match fields.next() {
                    Some(f) if wanted => t.push(convert(f, &field.ty, fails)),
                    _ => t.push(Value::Null),
                }
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    None,
    File,
    Path,
}

struct PigStorageFormat {
    delimiter: Vec<u8>,
    finder: memmem::Finder<'static>,
    schema: Option<Schema>,
    tag: Tag,
    /// Fields to convert (the rest load as null); `None`: all.
    columns: Option<Vec<bool>>,
}

impl PigStorageFormat {
    fn new(delimiter: Vec<u8>, schema: Option<Schema>, tag: Tag) -> Self {
        let delimiter = pig_delimiter(delimiter);
        let finder = memmem::Finder::new(&delimiter).into_owned();
        PigStorageFormat {
            delimiter,
            finder,
            schema,
            tag,
            columns: None,
        }
    }
}

/// PigStorage's field delimiter: the one given, or a tab when it is empty.
pub(crate) fn pig_delimiter(delimiter: Vec<u8>) -> Vec<u8> {
    if delimiter.is_empty() {
        vec![b'\t']
    } else {
        delimiter
    }
}

/// The fields of a line split on a delimiter; always at least one.
pub(crate) fn split_fields<'a>(
    line: &'a [u8],
    delimiter: &'a [u8],
    finder: &'a memmem::Finder<'static>,
) -> impl Iterator<Item = &'a [u8]> + 'a {
    let step = delimiter.len();
    let single = (step == 1).then(|| delimiter[0]);
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let r = rest?;
        let at = match single {
            Some(b) => find_byte(b, r),
            None => finder.find(r),
        };
        match at {
            Some(i) => {
                rest = Some(&r[i + step..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// The first `b` in `hay`. Fields are mostly short: looking at their first bytes one by
/// one is faster than a `memchr` call, which pays off on longer ones.
fn find_byte(b: u8, hay: &[u8]) -> Option<usize> {
    const HEAD: usize = 16;
    let (head, tail) = hay.split_at(hay.len().min(HEAD));
    match head.iter().position(|&c| c == b) {
        Some(i) => Some(i),
        None => memchr::memchr(b, tail).map(|i| i + HEAD),
    }
}

impl LineFormat for PigStorageFormat {
    fn parse(&mut self, line: &[u8], file: &Path, out: &mut Vec<Tuple>) -> u32 {
        let mut fails = 0;
        let width = self.schema.as_ref().map_or(8, |s| s.fields.len() + 1);
        let mut t = Vec::with_capacity(width);
        match self.tag {
            Tag::None => {}
            Tag::File => t.push(Value::Chararray(
                file.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            )),
            Tag::Path => t.push(Value::Chararray(file.to_string_lossy().into_owned())),
        }
        let fields = split_fields(line, &self.delimiter, &self.finder);
        push_fields(
            fields,
            self.schema.as_ref(),
            self.columns.as_deref(),
            &mut t,
            &mut fails,
        );
        out.push(t);
        fails
    }
}

struct TextFormat;

impl LineFormat for TextFormat {
    fn parse(&mut self, line: &[u8], _file: &Path, out: &mut Vec<Tuple>) -> u32 {
        out.push(vec![Value::Chararray(
            String::from_utf8_lossy(line).into_owned(),
        )]);
        0
    }
}

/// XMLLoader's reader: each element of the tag, from its start tag to the matching end
/// tag (elements of the same tag nested in it included), or a self-closed one, is one
/// record; text outside them is skipped. An element spanning lines keeps its line breaks.
/// An element belongs to the split whose lines hold its start tag: the reader goes past
/// the split's end to finish one, and the next split skips the rest of it. As in Pig, a
/// split that begins inside an element cannot tell it is inside one: an element of the
/// same tag nested in it on a later line of that split comes out on its own as well.
struct XmlFormat {
    /// The start (`<tag ...>`, `<tag .../>`) and end (`</tag>`) tags.
    tags: regex::bytes::Regex,
    /// The type of the LOAD's first field, which the element is cast to.
    ty: Option<PigType>,
    /// The LOAD's width (the fields after the first are null).
    width: usize,
    /// How many start tags are open.
    depth: usize,
    /// The element read so far.
    current: Vec<u8>,
    /// Reading past the split's end: no new element starts.
    past_end: bool,
}

impl XmlFormat {
    fn new(tag: &str, schema: Option<&Schema>) -> Result<Self, String> {
        check_xml_tag(tag)?;
        let pattern = format!(r"<(/?)\s*{}(?:\s[^>]*)?/?>", regex::escape(tag));
        let tags = regex::bytes::Regex::new(&pattern).map_err(|e| e.to_string())?;
        Ok(XmlFormat {
            tags,
            ty: schema.and_then(|s| s.fields.first()).map(|f| f.ty.clone()),
            width: schema.map_or(1, |s| s.fields.len().max(1)),
            depth: 0,
            current: Vec::new(),
            past_end: false,
        })
    }

    /// The record of an element: its text as a bytearray (as Pig's XMLLoader gives it),
    /// cast to the LOAD's first field's type; returns 1 when that cast fails.
    fn emit(&self, element: &[u8], out: &mut Vec<Tuple>) -> u32 {
        let raw = Value::Bytearray(element.to_vec());
        let (v, fails) = match &self.ty {
            None | Some(PigType::Bytearray) => (raw, 0),
            Some(ty) => match pigrs_udf::cast::cast(&raw, ty) {
                Ok(v) => (v, 0),
                Err(_) => (Value::Null, 1),
            },
        };
        let mut t = vec![Value::Null; self.width];
        t[0] = v;
        out.push(t);
        fails
    }
}

/// XMLLoader's tag must be an XML name: a letter or `_`, then letters, digits, `_`, `-`,
/// `.` or `:` (Pig takes `[a-zA-Z_][0-9a-zA-Z-_]+`).
pub(crate) fn check_xml_tag(tag: &str) -> Result<(), String> {
    let mut chars = tag.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')) {
        Ok(())
    } else {
        Err(format!("'{tag}' is not an XML tag name"))
    }
}

impl LineFormat for XmlFormat {
    fn parse(&mut self, line: &[u8], _file: &Path, out: &mut Vec<Tuple>) -> u32 {
        let mut fails = 0;
        // Where the part of the line that belongs to the open element starts.
        let mut from = 0;
        for m in self.tags.captures_iter(line) {
            let Some(whole) = m.get(0) else { continue };
            let closing = m.get(1).is_some_and(|g| !g.is_empty());
            let self_closed = !closing && whole.as_bytes().ends_with(b"/>");
            if closing {
                if self.depth > 0 {
                    self.depth -= 1;
                    if self.depth == 0 {
                        self.current.extend_from_slice(&line[from..whole.end()]);
                        let element = std::mem::take(&mut self.current);
                        fails += self.emit(&element, out);
                        from = whole.end();
                    }
                }
            } else if self.depth == 0 && !self.past_end {
                if self_closed {
                    fails += self.emit(whole.as_bytes(), out);
                } else {
                    from = whole.start();
                    self.current.clear();
                    self.depth = 1;
                }
            } else if self.depth > 0 && !self_closed {
                self.depth += 1;
            }
        }
        if self.depth > 0 {
            self.current.extend_from_slice(&line[from..]);
            self.current.push(b'\n');
        }
        fails
    }

    fn end_part(&mut self, _file: &Path, _out: &mut Vec<Tuple>) -> u32 {
        // An element never closed is dropped, as Pig drops it.
        self.depth = 0;
        self.current.clear();
        self.past_end = false;
        0
    }

    fn past_end(&mut self) -> bool {
        self.past_end = true;
        self.depth > 0
    }

    fn in_record(&self) -> bool {
        self.depth > 0
    }
}

struct JsonFormat {
    schema: Option<Schema>,
}

impl LineFormat for JsonFormat {
    fn parse(&mut self, line: &[u8], _file: &Path, out: &mut Vec<Tuple>) -> u32 {
        if line.iter().all(u8::is_ascii_whitespace) {
            return 0;
        }
        let mut fails = 0;
        match serde_json::from_slice::<serde_json::Value>(line) {
            Ok(v) => out.push(json::record_to_tuple(&v, self.schema.as_ref(), &mut fails)),
            Err(_) => {
                // A malformed record: all of its fields become null, counted once.
                let width = self.schema.as_ref().map_or(0, |s| s.fields.len());
                out.push(vec![Value::Null; width]);
                fails += 1;
            }
        }
        fails
    }
}

/// CSVExcelStorage's reader: fields may be quoted with `"`; a doubled quote inside quotes
/// is a quote; a delimiter or (with multiline) a line break inside quotes is data; an
/// empty field is null.
struct CsvFormat {
    delimiter: u8,
    multiline: bool,
    schema: Option<Schema>,
    fields: Vec<Vec<u8>>,
    cur: Vec<u8>,
    in_quotes: bool,
    /// A record is open (a quoted field continues on the next line).
    pending: bool,
}

impl CsvFormat {
    fn emit(&mut self, out: &mut Vec<Tuple>) -> u32 {
        self.fields.push(std::mem::take(&mut self.cur));
        self.in_quotes = false;
        self.pending = false;
        let mut fails = 0;
        let mut t = Vec::with_capacity(self.fields.len());
        push_fields(
            self.fields.iter().map(|f| f.as_slice()),
            self.schema.as_ref(),
            None,
            &mut t,
            &mut fails,
        );
        self.fields.clear();
        out.push(t);
        fails
    }
}

impl LineFormat for CsvFormat {
    fn parse(&mut self, line: &[u8], _file: &Path, out: &mut Vec<Tuple>) -> u32 {
        if self.pending {
            self.cur.push(b'\n');
        }
        let mut i = 0;
        while i < line.len() {
            let b = line[i];
            if b == b'"' {
                if self.in_quotes && line.get(i + 1) == Some(&b'"') {
                    self.cur.push(b'"');
                    i += 2;
                    continue;
                }
                self.in_quotes = !self.in_quotes;
            } else if b == self.delimiter && !self.in_quotes {
                self.fields.push(std::mem::take(&mut self.cur));
            } else {
                self.cur.push(b);
            }
            i += 1;
        }
        if self.in_quotes && self.multiline {
            self.pending = true;
            return 0;
        }
        self.emit(out)
    }

    fn end_part(&mut self, _file: &Path, out: &mut Vec<Tuple>) -> u32 {
        if self.pending { self.emit(out) } else { 0 }
    }
}

/// The magic bytes that open every BinStorage file.
pub(crate) const BIN_MAGIC: &[u8; 8] = b"PIGRSBN1";

/// One BinStorage record: a 4-byte field count, then each field as a 4-byte length and its
/// `pigrs_udf::codec` encoding (all little-endian).
fn decode_record(rec: &[u8]) -> Result<Tuple, String> {
    fn u32_at(rec: &[u8], at: usize) -> Result<usize, String> {
        rec.get(at..at + 4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(|b| u32::from_le_bytes(b) as usize)
            .ok_or_else(|| "record too short".to_string())
    }
    let n = u32_at(rec, 0)?;
    let mut at = 4;
    let mut t = Vec::with_capacity(n.min(rec.len()));
    for _ in 0..n {
        let len = u32_at(rec, at)?;
        at += 4;
        let bytes = rec
            .get(at..at + len)
            .ok_or_else(|| "field past the record's end".to_string())?;
        t.push(pigrs_udf::codec::decode(bytes).map_err(|e| e.to_string())?);
        at += len;
    }
    if at != rec.len() {
        return Err("trailing bytes after the record's fields".to_string());
    }
    Ok(t)
}

/// The largest BinStorage record read; a larger length means a corrupt file.
const MAX_BIN_RECORD: usize = 1 << 30;

type BinInput = std::io::BufReader<Box<dyn Read + Send>>;

/// BinStorage's reader: after the magic, records of a 4-byte little-endian length and the
/// record ([`decode_record`]). Files are never cut.
struct BinReader {
    parts: std::vec::IntoIter<FileRange>,
    /// The file being read, its input and the number of records read from it.
    cur: Option<(InputFile, BinInput, u64)>,
    record: Vec<u8>,
}

impl BinReader {
    fn new(parts: Vec<FileRange>) -> Self {
        BinReader {
            parts: parts.into_iter(),
            cur: None,
            record: Vec::new(),
        }
    }
}

/// BinStorage's schema when no `.pig_schema` was written beside the data, as Pig's
/// `BinStorage.getSchema` finds it: the types of the first record's fields, unnamed (a
/// null field is a bytearray). `None` when there is no record.
pub fn bin_first_record_schema(files: &[InputFile]) -> Result<Option<Schema>, IoError> {
    let parts = files
        .iter()
        .map(|f| FileRange {
            file: f.clone(),
            start: 0,
            end: f.size,
        })
        .collect();
    let mut first = Vec::new();
    BinReader::new(parts).next_batch(1, &mut first)?;
    Ok(first.first().map(|t| Schema {
        fields: t
            .iter()
            .map(|v| pigrs_udf::Field {
                name: None,
                ty: v.pig_type().unwrap_or(PigType::Bytearray),
            })
            .collect(),
    }))
}

/// Fills `buf` completely; `Ok(false)` at a clean end of input before any byte.
fn read_exact_or_eof(input: &mut dyn Read, buf: &mut [u8], path: &Path) -> Result<bool, IoError> {
    let mut got = 0;
    while got < buf.len() {
        let n = read_some(input, &mut buf[got..], path)?;
        if n == 0 {
            if got == 0 {
                return Ok(false);
            }
            return Err(IoError::format(path, None, "truncated BinStorage record"));
        }
        got += n;
    }
    Ok(true)
}

impl RecordReader for BinReader {
    fn next_batch(&mut self, max_rows: usize, out: &mut Vec<Tuple>) -> Result<bool, IoError> {
        let before = out.len();
        let max_rows = max_rows.max(1);
        while out.len() - before < max_rows {
            let Some((file, input, n)) = self.cur.as_mut() else {
                let Some(range) = self.parts.next() else {
                    break;
                };
                if range.start > 0 {
                    continue;
                }
                let mut input =
                    std::io::BufReader::with_capacity(BUF_SIZE, open_input(&range.file, 0)?);
                let mut magic = [0u8; 8];
                let path = &range.file.path;
                if !read_exact_or_eof(&mut input, &mut magic, path)? {
                    continue; // an empty file
                }
                if &magic != BIN_MAGIC {
                    return Err(IoError::format(path, None, "not a pigrs BinStorage file"));
                }
                self.cur = Some((range.file, input, 0));
                continue;
            };
            let mut len = [0u8; 4];
            if !read_exact_or_eof(input, &mut len, &file.path)? {
                self.cur = None;
                continue;
            }
            *n += 1;
            let len = u32::from_le_bytes(len) as usize;
            if len > MAX_BIN_RECORD {
                return Err(IoError::format(
                    &file.path,
                    Some(*n),
                    "BinStorage record length out of range (corrupt file?)",
                ));
            }
            self.record.resize(len, 0);
            if !read_exact_or_eof(input, &mut self.record, &file.path)? && len > 0 {
                return Err(IoError::format(
                    &file.path,
                    Some(*n),
                    "truncated BinStorage record",
                ));
            }
            match decode_record(&self.record) {
                Ok(t) => out.push(t),
                Err(e) => {
                    return Err(IoError::format(
                        &file.path,
                        Some(*n),
                        format!("bad BinStorage record: {e}"),
                    ));
                }
            }
        }
        Ok(out.len() > before)
    }
}

#[cfg(test)]
mod tests {
    use super::super::funcs::load_func;
    use super::super::input::{plan_splits_opts, resolve_input};
    use super::*;
    use pigrs_udf::Field;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn read_all_splits(
        splits: &[Split],
        load: &LoadFunc,
        schema: Option<&Schema>,
        w: &Arc<Warnings>,
    ) -> Vec<Tuple> {
        let mut all = Vec::new();
        for s in splits {
            let mut r = open_reader(s, load, schema, w.clone()).unwrap();
            let mut batch = Vec::new();
            while r.next_batch(3, &mut batch).unwrap() {
                assert!(batch.len() <= 3);
                all.append(&mut batch);
            }
            assert!(batch.is_empty());
        }
        all
    }

    fn read_path(
        dir: &Path,
        loc: &str,
        load: &LoadFunc,
        schema: Option<&Schema>,
    ) -> (Vec<Tuple>, Arc<Warnings>) {
        let files = resolve_input(loc, dir).unwrap();
        let splits = plan_splits_opts(&files, 1, 1, load.splittable());
        let w = Arc::new(Warnings::new());
        (read_all_splits(&splits, load, schema, &w), w)
    }

    #[test]
    fn bytes_done_follows_the_lines_read_to_the_splits_bytes() {
        let t = tempfile::tempdir().unwrap();
        let body = "aaaa\nbb\ncccccc\n";
        std::fs::write(t.path().join("a.txt"), body).unwrap();
        std::fs::write(t.path().join("b.txt"), "dd\n").unwrap();
        let load = load_func("TextLoader", &[]).unwrap();
        let files = resolve_input("*.txt", t.path()).unwrap();
        let splits = plan_splits_opts(&files, 1, 1, load.splittable());
        assert_eq!(splits.len(), 1);
        let split = &splits[0];
        let mut r = open_reader(split, &load, None, Arc::new(Warnings::new())).unwrap();
        let mut seen = vec![r.bytes_done()];
        let mut batch = Vec::new();
        while r.next_batch(1, &mut batch).unwrap() {
            seen.push(r.bytes_done());
        }
        // Line by line: "aaaa\n", "bb\n", "cccccc\n", then the second file's "dd\n".
        assert_eq!(seen, vec![0, 5, 8, 15, 18]);
        assert_eq!(split.bytes(), 18);
    }

    fn show(t: &[Tuple]) -> Vec<String> {
        t.iter()
            .map(|r| {
                r.iter()
                    .map(|v| match v {
                        Value::Null => "~".to_string(),
                        Value::Bytearray(b) => format!("b:{}", String::from_utf8_lossy(b)),
                        Value::Chararray(s) => format!("c:{s}"),
                        other => format!("{other}"),
                    })
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect()
    }

    fn pig(delim: &str) -> LoadFunc {
        load_func("PigStorage", &args(&[delim])).unwrap()
    }

    #[test]
    fn pigstorage_without_schema_keeps_fields() {
        let t = tempfile::tempdir().unwrap();
        fs_write(t.path(), "a.txt", b"1\t2\t3\r\n\t\tx\n\nlast\tline");
        let (rows, _) = read_path(t.path(), "a.txt", &pig("\\t"), None);
        assert_eq!(
            show(&rows),
            vec!["b:1|b:2|b:3", "~|~|b:x", "~", "b:last|b:line"]
        );
    }

    #[test]
    fn pigstorage_schema_casts_and_warnings() {
        let t = tempfile::tempdir().unwrap();
        fs_write(
            t.path(),
            "x.txt",
            b"1,a,2.5\nzz,b\n3,c,4.0,extra\n,,\n5,d,nope\n",
        );
        let schema = Schema::new(vec![
            Field::new("i", PigType::Int),
            Field::new("s", PigType::Chararray),
            Field::new("d", PigType::Double),
        ]);
        let (rows, w) = read_path(t.path(), "x.txt", &pig(","), Some(&schema));
        assert_eq!(
            show(&rows),
            vec!["1|c:a|2.5", "~|c:b|~", "3|c:c|4.0", "~|~|~", "5|c:d|~"]
        );
        assert_eq!(w.count(), 2);
        let (p, line) = w.first().unwrap();
        assert!(p.ends_with("x.txt"));
        assert_eq!(line, 2);
        assert!(
            w.summary().unwrap().contains("x.txt:2"),
            "{:?}",
            w.summary()
        );
    }

    #[test]
    fn warning_line_numbers_in_later_splits() {
        let t = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 1..=500 {
            if i == 377 {
                body.push_str("bad\n");
            } else {
                body.push_str(&format!("{i}\n"));
            }
        }
        fs_write(t.path(), "n.txt", body.as_bytes());
        let files = resolve_input("n.txt", t.path()).unwrap();
        let schema = Schema::new(vec![Field::new("n", PigType::Int)]);
        for k in [1, 2, 5, 13] {
            let splits = plan_splits_opts(&files, k, 1, true);
            let w = Arc::new(Warnings::new());
            let rows = read_all_splits(&splits, &pig("\t"), Some(&schema), &w);
            assert_eq!(rows.len(), 500);
            assert_eq!(w.count(), 1);
            assert_eq!(w.first().unwrap().1, 377, "k={k}");
        }
    }

    #[test]
    fn tags_and_multibyte_delimiter() {
        let t = tempfile::tempdir().unwrap();
        fs_write(t.path(), "t.txt", "a§b\n".as_bytes());
        let load = load_func("PigStorage", &args(&["§", "-tagFile"])).unwrap();
        let (rows, _) = read_path(t.path(), "t.txt", &load, None);
        assert_eq!(show(&rows), vec!["c:t.txt|b:a|b:b"]);
        let load = load_func("PigStorage", &args(&["§", "-tagPath"])).unwrap();
        let (rows, _) = read_path(t.path(), "t.txt", &load, None);
        assert_eq!(
            show(&rows),
            vec![format!("c:{}|b:a|b:b", t.path().join("t.txt").display())]
        );
    }

    #[test]
    fn textloader_lines() {
        let t = tempfile::tempdir().unwrap();
        fs_write(t.path(), "t.txt", b"hello world\r\n\n\xffbad\nend");
        let (rows, _) = read_path(t.path(), "t.txt", &LoadFunc::TextLoader, None);
        assert_eq!(
            show(&rows),
            vec!["c:hello world", "c:", "c:\u{fffd}bad", "c:end"]
        );
    }

    fn fs_write(dir: &Path, name: &str, body: &[u8]) {
        std::fs::write(dir.join(name), body).unwrap();
    }

    /// A deterministic pseudo-random generator for the property tests.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            self.0 >> 33
        }
    }

    #[test]
    fn every_line_read_exactly_once_for_any_split_count() {
        let t = tempfile::tempdir().unwrap();
        let mut rng = Lcg(42);
        let mut expected = Vec::new();
        for f in 0..4 {
            let mut body = Vec::new();
            let lines = 1 + rng.next() % 200;
            for l in 0..lines {
                let id = format!("f{f}l{l}");
                let pad = "x".repeat((rng.next() % 40) as usize);
                body.extend_from_slice(format!("{id}\t{pad}").as_bytes());
                body.extend_from_slice(if rng.next().is_multiple_of(3) {
                    b"\r\n"
                } else {
                    b"\n"
                });
                expected.push(id);
                // Some empty lines too.
                if rng.next().is_multiple_of(10) {
                    body.push(b'\n');
                    expected.push(String::new());
                }
            }
            if f == 2 {
                // No newline at the end.
                body.extend_from_slice(b"tail\tz");
                expected.push("tail".to_string());
            }
            fs_write(t.path(), &format!("p{f}.txt"), &body);
        }
        fs_write(t.path(), "p9.txt", b"");
        let files = resolve_input("p*.txt", t.path()).unwrap();
        let load = pig("\t");
        for target in 1..=40 {
            let splits = plan_splits_opts(&files, target, 1, true);
            let w = Arc::new(Warnings::new());
            let rows = read_all_splits(&splits, &load, None, &w);
            let ids: Vec<String> = rows
                .iter()
                .map(|r| match &r[0] {
                    Value::Bytearray(b) => String::from_utf8_lossy(b).into_owned(),
                    _ => String::new(),
                })
                .collect();
            assert_eq!(ids, expected, "target {target}");
        }
        // Every single-byte boundary of one small file.
        let body = b"aa\nb\n\nccc\r\nd";
        fs_write(t.path(), "small.txt", body);
        let file = &resolve_input("small.txt", t.path()).unwrap()[0];
        for cut in 0..=body.len() as u64 {
            let mk = |s, e| Split {
                parts: vec![FileRange {
                    file: file.clone(),
                    start: s,
                    end: e,
                }],
            };
            let w = Arc::new(Warnings::new());
            let rows = read_all_splits(
                &[mk(0, cut), mk(cut, body.len() as u64)],
                &LoadFunc::TextLoader,
                None,
                &w,
            );
            assert_eq!(
                show(&rows),
                vec!["c:aa", "c:b", "c:", "c:ccc", "c:d"],
                "cut {cut}"
            );
        }
    }

    #[test]
    fn long_lines_cross_buffers() {
        let t = tempfile::tempdir().unwrap();
        let long = "y".repeat(BUF_SIZE * 2 + 17);
        let body = format!("short\n{long}\nafter\n{long}");
        fs_write(t.path(), "l.txt", body.as_bytes());
        let files = resolve_input("l.txt", t.path()).unwrap();
        for k in [1, 3, 7] {
            let splits = plan_splits_opts(&files, k, 1, true);
            let rows = read_all_splits(
                &splits,
                &LoadFunc::TextLoader,
                None,
                &Arc::new(Warnings::new()),
            );
            let lens: Vec<usize> = rows
                .iter()
                .map(|r| match &r[0] {
                    Value::Chararray(s) => s.len(),
                    _ => 0,
                })
                .collect();
            assert_eq!(lens, vec![5, long.len(), 5, long.len()]);
        }
    }

    #[test]
    fn compressed_inputs() {
        use std::io::Write;
        let t = tempfile::tempdir().unwrap();
        let body = b"1\ta\n2\tb\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(body).unwrap();
        let mut data = gz.finish().unwrap();
        // A second gzip member, as `cat a.gz b.gz` makes.
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"3\tc\n").unwrap();
        data.extend(gz.finish().unwrap());
        fs_write(t.path(), "a.gz", &data);
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        bz.write_all(body).unwrap();
        fs_write(t.path(), "b.bz2", &bz.finish().unwrap());
        fs_write(t.path(), "c.zst", &zstd::encode_all(&body[..], 0).unwrap());
        for (name, n) in [("a.gz", 3), ("b.bz2", 2), ("c.zst", 2)] {
            let files = resolve_input(name, t.path()).unwrap();
            let splits = plan_splits_opts(&files, 8, 1, true);
            assert_eq!(splits.len(), 1);
            let rows = read_all_splits(&splits, &pig("\t"), None, &Arc::new(Warnings::new()));
            assert_eq!(rows.len(), n, "{name}");
            assert_eq!(show(&rows)[1], "b:2|b:b");
        }
        // Cut pieces of a compressed file (as a careless planner would make) still read once.
        let file = resolve_input("a.gz", t.path()).unwrap().remove(0);
        let size = file.size;
        let split = Split {
            parts: vec![
                FileRange {
                    file: file.clone(),
                    start: 0,
                    end: 5,
                },
                FileRange {
                    file,
                    start: 5,
                    end: size,
                },
            ],
        };
        let rows = read_all_splits(&[split], &pig("\t"), None, &Arc::new(Warnings::new()));
        assert_eq!(rows.len(), 3);
        // A corrupt file is an error naming it.
        fs_write(t.path(), "bad.gz", b"not gzip at all");
        let files = resolve_input("bad.gz", t.path()).unwrap();
        let split = &plan_splits_opts(&files, 1, 1, true)[0];
        let mut r = open_reader(split, &pig("\t"), None, Arc::new(Warnings::new())).unwrap();
        let e = r.next_batch(10, &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("bad.gz"), "{e}");
    }

    #[test]
    fn csv_quotes_and_multiline() {
        let t = tempfile::tempdir().unwrap();
        fs_write(
            t.path(),
            "c.csv",
            b"h1,h2,h3\n1,\"a,b\",\"say \"\"hi\"\"\"\n2,,\"multi\nline\"\r\n3,x\"y\"z,\n",
        );
        let load = load_func(
            "CSVExcelStorage",
            &args(&[",", "YES_MULTILINE", "UNIX", "SKIP_INPUT_HEADER"]),
        )
        .unwrap();
        let (rows, _) = read_path(t.path(), "c.csv", &load, None);
        assert_eq!(
            show(&rows),
            vec![
                "b:1|b:a,b|b:say \"hi\"",
                "b:2|~|b:multi\nline",
                "b:3|b:xyz|~"
            ]
        );
        let load = load_func("CSVExcelStorage", &args(&[","])).unwrap();
        let (rows, _) = read_path(t.path(), "c.csv", &load, None);
        assert_eq!(rows.len(), 5);
        assert_eq!(show(&rows)[2], "b:2|~|b:multi");
        // With a schema, fields convert and an unterminated quote at the end still yields.
        fs_write(t.path(), "d.csv", b"1,\"x\n2,\"open");
        let schema = Schema::new(vec![
            Field::new("n", PigType::Int),
            Field::new("s", PigType::Chararray),
        ]);
        let load = load_func("CSVExcelStorage", &args(&[",", "YES_MULTILINE"])).unwrap();
        let (rows, w) = read_path(t.path(), "d.csv", &load, Some(&schema));
        assert_eq!(show(&rows), vec!["1|c:x\n2,open"]);
        assert_eq!(w.count(), 0);
    }

    #[test]
    fn json_lines() {
        let t = tempfile::tempdir().unwrap();
        fs_write(
            t.path(),
            "j.json",
            b"{\"a\":1,\"b\":\"x\"}\n\n{\"b\":\"y\",\"a\":\"2\"}\nnot json\n{\"a\":\"q\"}\n",
        );
        let load = load_func("JsonLoader", &args(&["a:int,b:chararray"])).unwrap();
        let (rows, w) = read_path(t.path(), "j.json", &load, None);
        assert_eq!(show(&rows), vec!["1|c:x", "2|c:y", "~|~", "~|~"]);
        assert_eq!(w.count(), 2);
        assert_eq!(w.first().unwrap().1, 4);
    }

    #[test]
    fn reader_limits_batches() {
        let t = tempfile::tempdir().unwrap();
        fs_write(t.path(), "b.txt", b"1\n2\n3\n4\n5\n");
        let files = resolve_input("b.txt", t.path()).unwrap();
        let splits = plan_splits_opts(&files, 1, 1, true);
        let mut r = open_reader(&splits[0], &pig("\t"), None, Arc::new(Warnings::new())).unwrap();
        let mut out = Vec::new();
        assert!(r.next_batch(2, &mut out).unwrap());
        assert_eq!(out.len(), 2);
        assert!(r.next_batch(10, &mut out).unwrap());
        assert_eq!(out.len(), 5);
        assert!(!r.next_batch(10, &mut out).unwrap());
        assert!(!r.next_batch(10, &mut out).unwrap());
        assert_eq!(out.len(), 5);
    }

    /// The text of each record's first field.
    fn texts(rows: &[Tuple]) -> Vec<String> {
        rows.iter()
            .map(|r| match &r[0] {
                Value::Bytearray(b) => String::from_utf8_lossy(b).into_owned(),
                Value::Chararray(s) => s.clone(),
                v => v.to_string(),
            })
            .collect()
    }

    #[test]
    fn xml_loader_reads_elements_across_lines_and_nested() {
        let t = tempfile::tempdir().unwrap();
        let body = "<catalog>\n  <book id=\"1\"><title>Pig</title></book>\n  <book id=\"2\">\n    <title>Rust</title>\n    <book>inner</book>\n  </book>\n  <books>not a book</books><book/>\n  <book id=\"3\" />\n</catalog>\n";
        fs_write(t.path(), "c.xml", body.as_bytes());
        let load = load_func(
            "org.apache.pig.piggybank.storage.XMLLoader",
            &args(&["book"]),
        )
        .unwrap();
        let want = vec![
            "<book id=\"1\"><title>Pig</title></book>".to_string(),
            "<book id=\"2\">\n    <title>Rust</title>\n    <book>inner</book>\n  </book>"
                .to_string(),
            "<book/>".to_string(),
            "<book id=\"3\" />".to_string(),
        ];
        let (rows, w) = read_path(t.path(), "c.xml", &load, None);
        assert_eq!(texts(&rows), want);
        assert!(matches!(rows[0][0], Value::Bytearray(_)));
        assert_eq!(w.count(), 0);
        // With AS (doc:chararray) the element is a chararray.
        let schema = Schema::new(vec![Field::new("doc", PigType::Chararray)]);
        let (rows, _) = read_path(t.path(), "c.xml", &load, Some(&schema));
        assert_eq!(rows[1][0], Value::Chararray(want[1].clone()));
        assert!(load_func("XMLLoader", &[]).is_err());
        assert!(load_func("XMLLoader", &args(&["<book>"])).is_err());
    }

    #[test]
    fn xml_loader_splits_keep_each_element_once() {
        let t = tempfile::tempdir().unwrap();
        let mut body = String::from("<root>\n");
        for i in 0..200 {
            if i % 3 == 0 {
                body.push_str(&format!("<rec n=\"{i}\">\n  <v>{i}</v>\n  <w/>\n</rec>\n"));
            } else {
                body.push_str(&format!("<rec n=\"{i}\"><rec>{i}</rec></rec> <other/>\n"));
            }
        }
        body.push_str("</root>\n");
        fs_write(t.path(), "r.xml", body.as_bytes());
        let files = resolve_input("r.xml", t.path()).unwrap();
        let load = load_func("XMLLoader", &args(&["rec"])).unwrap();
        let whole = read_all_splits(
            &plan_splits_opts(&files, 1, 1, true),
            &load,
            None,
            &Arc::new(Warnings::new()),
        );
        assert_eq!(whole.len(), 200);
        for k in [2, 3, 7, 16, 50] {
            let splits = plan_splits_opts(&files, k, 1, true);
            let rows = read_all_splits(&splits, &load, None, &Arc::new(Warnings::new()));
            assert_eq!(texts(&rows), texts(&whole), "k={k}");
        }
    }
}
