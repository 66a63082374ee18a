//! The file scan: pigrs's load functions as a DataFusion [`FileSource`]. A scan is a
//! `DataSourceExec` over a `FileScanConfig` whose file groups are the input splits: one
//! partition per split, a split's file ranges its group's `PartitionedFile`s with their byte
//! ranges. DataFusion, and a cluster scheduler, see the scan's partitions as those of any of
//! its own file scans, and can restrict or rebuild them.
//!
//! PigStorage (without `-tagFile`/`-tagPath`) and TextLoader with a declared schema parse
//! lines straight into Arrow column builders (no row of `Value`s in between), converting only
//! the fields the script reads. The other load functions read rows with their record readers
//! (`io::read`) and pack them in the relation's [`Layout`]. Both read the same lines of each
//! range (Hadoop's split rules, through `PartLines`), with the same conversions (Pig's text
//! rules; a field that fails to convert is null and counted in [`Warnings`] with its file
//! and line) and the same statistics.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, BinaryArray, BinaryBuilder, BinaryViewArray, BooleanArray, BooleanBuilder,
    Float32Builder, Float64Builder, Int32Builder, Int64Builder, StringArray, StringViewArray,
    new_null_array,
};
use arrow::compute::{filter as filter_array, prep_null_mask_filter};
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{internal_datafusion_err, internal_err};
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{
    FileGroup, FileOpenFuture, FileOpener, FileScanConfig, FileScanConfigBuilder, FileSource,
};
use datafusion::datasource::source::DataSourceExec;
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::object_store::ObjectStore;
use datafusion::physical_expr::LexOrdering;
use datafusion::physical_plan::metrics::{ExecutionPlanMetricsSet, MetricBuilder, Time};
use datafusion::physical_plan::{DisplayFormatType, ExecutionPlan, PhysicalExpr};
use futures::StreamExt;
use memchr::memmem;
use pigrs_udf::cast::{cast, parse_text};
use pigrs_udf::{PigType, Schema, Value, arrow_layout};

use crate::exec::BATCH_ROWS;
use crate::io::parquet::ParquetReader;
use crate::io::read::{PartLines, pig_delimiter, split_fields};
use crate::io::{FileRange, IoError, LoadFunc, Split, Warnings, open_reader};
use crate::layout::Layout;
use crate::stats::StageStats;

/// What a scan reads and how; shared by its source and the openers of its partitions.
#[derive(Debug)]
struct ScanSpec {
    load: LoadFunc,
    schema: Option<Schema>,
    /// For a columnar read, the fields converted (the others are null columns); `None` when
    /// the load function's record reader makes rows.
    columns: Option<Vec<bool>>,
    layout: Layout,
    /// A condition checked while reading (columnar reads only).
    filter: Option<ScanFilter>,
    warnings: Arc<Warnings>,
    stats: Arc<StageStats>,
}

/// A condition pushed into a scan (`filter_into_scan`): the fields it reads are converted
/// for every line, the scan's other fields only for the lines that pass it. The FILTER it
/// came from stays above the scan. The condition is one that cannot fail, count a warning
/// or call a function (`scan_checkable`), so checking it early changes nothing else.
#[derive(Clone, Debug)]
pub struct ScanFilter {
    /// The condition, on batches of the relation's layout.
    pub expr: Arc<dyn PhysicalExpr>,
    /// The fields it reads.
    pub fields: Vec<usize>,
}

/// pigrs's load functions as a DataFusion file source (see the module's documentation).
///
/// Each batch has at most [`BATCH_ROWS`] rows in the relation's [`Layout`]. A scan counts,
/// in its stage's [`StageStats`], the lines read (records in) and the bytes of its ranges
/// (bytes read, as they are read); the stage's input files are named after its splits. It
/// does not count records out: the stage's last operator does.
#[derive(Clone, Debug)]
pub struct PigSource {
    spec: Arc<ScanSpec>,
    table_schema: TableSchema,
    metrics: ExecutionPlanMetricsSet,
}

impl PigSource {
    /// The scan of `splits` with `load` into a relation of `schema`: a `DataSourceExec`
    /// with one partition per split (and one that reads nothing for an input of empty
    /// files, which has no split). `stats` is its stage's counters, registered with as many
    /// tasks; `warnings` counts the fields that fail to convert. `filter` is checked while
    /// reading where the scan reads columns of delimited fields ([`PigSource::filters`]).
    pub fn scan(
        splits: &[Split],
        load: LoadFunc,
        schema: Option<Schema>,
        filter: Option<ScanFilter>,
        warnings: Arc<Warnings>,
        stats: Arc<StageStats>,
    ) -> Arc<DataSourceExec> {
        stats.set_input_files(splits);
        let columns = columnar_fields(&load, schema.as_ref());
        let filter =
            filter.filter(|_| columns.is_some() && matches!(load, LoadFunc::PigStorage { .. }));
        let layout = Layout::new(schema.clone());
        let source = PigSource {
            table_schema: TableSchema::from(layout.arrow.clone()),
            spec: Arc::new(ScanSpec {
                load,
                schema,
                columns,
                layout,
                filter,
                warnings,
                stats,
            }),
            metrics: ExecutionPlanMetricsSet::new(),
        };
        let mut groups: Vec<FileGroup> = splits
            .iter()
            .map(|s| s.parts.iter().map(partitioned_file).collect())
            .collect();
        if groups.is_empty() {
            groups.push(FileGroup::new(Vec::new()));
        }
        let config =
            FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), Arc::new(source))
                .with_file_groups(groups)
                // A partition reads its own split, in order: no stealing of another's files.
                // Part files, statistics and a cluster's task restriction rely on it.
                .with_preserve_order(true)
                .build();
        DataSourceExec::from_data_source(config)
    }

    /// The pigrs file source of `plan`, when it is a pigrs scan.
    pub fn of(plan: &dyn ExecutionPlan) -> Option<&PigSource> {
        let exec = plan.downcast_ref::<DataSourceExec>()?;
        exec.downcast_to_file_source::<PigSource>().map(|(_, s)| s)
    }

    /// The load function.
    pub fn load(&self) -> &LoadFunc {
        &self.spec.load
    }

    /// Whether the scan checks a pushed condition while reading.
    pub fn filters(&self) -> bool {
        self.spec.filter.is_some()
    }

    /// The stage counters the scan updates.
    pub fn stage_stats(&self) -> &Arc<StageStats> {
        &self.spec.stats
    }
}

/// The fields a columnar read converts: PigStorage (without `-tagFile` or `-tagPath`) and
/// TextLoader, with a declared schema, read columns; the others make rows (`None`).
fn columnar_fields(load: &LoadFunc, schema: Option<&Schema>) -> Option<Vec<bool>> {
    let width = schema?.fields.len();
    match load {
        LoadFunc::PigStorage { options, .. } if !options.tag_file && !options.tag_path => Some(
            (0..width)
                .map(|i| {
                    options
                        .columns
                        .as_deref()
                        .is_none_or(|c| c.get(i).copied().unwrap_or(true))
                })
                .collect(),
        ),
        LoadFunc::TextLoader => Some(vec![true; width]),
        _ => None,
    }
}

/// A split's file range as DataFusion's file: its path and byte range, and the range
/// itself (the file's size and compression as planned) for the opener.
fn partitioned_file(range: &FileRange) -> PartitionedFile {
    let start = i64::try_from(range.start).unwrap_or(i64::MAX);
    let end = i64::try_from(range.end).unwrap_or(i64::MAX);
    PartitionedFile::new(range.file.path.to_string_lossy(), range.file.size)
        .with_range(start, end)
        .with_extension(range.clone())
}

impl FileSource for PigSource {
    fn create_file_opener(
        &self,
        _object_store: Arc<dyn ObjectStore>,
        _base_config: &FileScanConfig,
        partition: usize,
    ) -> DFResult<Arc<dyn FileOpener>> {
        Ok(Arc::new(RangeOpener {
            spec: self.spec.clone(),
            // DataFusion's file stream counts the output rows in the same set.
            parse_time: MetricBuilder::new(&self.metrics).elapsed_compute(partition),
        }))
    }

    fn table_schema(&self) -> &TableSchema {
        &self.table_schema
    }

    fn with_batch_size(&self, _batch_size: usize) -> Arc<dyn FileSource> {
        // Batches are [`BATCH_ROWS`] rows, the size pigrs's operators are built for.
        Arc::new(self.clone())
    }

    fn metrics(&self) -> &ExecutionPlanMetricsSet {
        &self.metrics
    }

    fn file_type(&self) -> &str {
        "pig"
    }

    fn fmt_extra(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        match &self.spec.load {
            LoadFunc::PigStorage { delimiter, .. } => {
                let d = String::from_utf8_lossy(delimiter);
                write!(f, ", load=PigStorage('{}')", d.escape_debug())?;
            }
            other => write!(f, ", load={}()", other.name())?,
        }
        if let Some(filter) = &self.spec.filter {
            write!(f, ", filter={}", filter.expr)?;
        }
        let (Some(schema), Some(read)) = (&self.spec.schema, &self.spec.columns) else {
            return Ok(());
        };
        f.write_str(", parsed=[")?;
        let names = schema.fields.iter().enumerate().filter(|(i, _)| read[*i]);
        for (n, (i, field)) in names.enumerate() {
            if n > 0 {
                f.write_str(", ")?;
            }
            match &field.name {
                Some(name) => f.write_str(name)?,
                None => write!(f, "${i}")?,
            }
        }
        f.write_str("]")
    }

    // Splits are planned by pigrs, with Hadoop's rules (whole compressed files, combined
    // small files): DataFusion must not cut them again.
    fn supports_repartitioning(&self) -> bool {
        false
    }

    fn repartitioned(
        &self,
        _target_partitions: usize,
        _repartition_file_min_size: usize,
        _output_ordering: Option<LexOrdering>,
        _config: &FileScanConfig,
    ) -> DFResult<Option<FileScanConfig>> {
        Ok(None)
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }
}

/// Opens the file ranges of one partition of a scan.
struct RangeOpener {
    spec: Arc<ScanSpec>,
    parse_time: Time,
}

impl FileOpener for RangeOpener {
    fn open(&self, file: PartitionedFile) -> DFResult<FileOpenFuture> {
        let range = file.extension::<FileRange>().cloned().ok_or_else(|| {
            internal_datafusion_err!(
                "a pigrs scan was given a file it did not plan: {}",
                file.object_meta.location
            )
        })?;
        let spec = self.spec.clone();
        let parse_time = self.parse_time.clone();
        let range_bytes = range.end.saturating_sub(range.start);
        let split = Split { parts: vec![range] };
        let mut reader: Box<dyn BatchReader> = match &spec.columns {
            Some(read) => Box::new(SplitReader::new(
                &split,
                &spec.load,
                spec.schema.as_ref().unwrap_or(&Schema::new(Vec::new())),
                read,
                spec.filter.clone(),
                spec.layout.arrow.clone(),
                spec.warnings.clone(),
            )),
            None => match (&spec.load, &spec.schema) {
                // Parquet's columns are converted a column at a time.
                (LoadFunc::Parquet { schema: text }, Some(schema)) => {
                    let reader =
                        ParquetReader::of(split.parts.clone(), text.as_deref(), Some(schema))
                            .map_err(|e| DataFusionError::External(Box::new(e)))?;
                    if reader.fits_columns(schema) {
                        Box::new(ParquetBatches {
                            reader,
                            schema: schema.clone(),
                            arrow: spec.layout.arrow.clone(),
                        })
                    } else {
                        Box::new(RowBatches {
                            rows: Box::new(reader),
                            layout: spec.layout.clone(),
                        })
                    }
                }
                _ => Box::new(RowBatches {
                    rows: open_reader(
                        &split,
                        &spec.load,
                        spec.schema.as_ref(),
                        spec.warnings.clone(),
                    )
                    .map_err(|e| DataFusionError::External(Box::new(e)))?,
                    layout: spec.layout.clone(),
                }),
            },
        };
        let stats = spec.stats.clone();
        let mut done = false;
        // Bytes are counted as they are read (for the progress display), the whole range
        // once it is done: the total is the same either way.
        let mut counted = 0u64;
        // Reading is synchronous: each poll reads one batch.
        let batches = std::iter::from_fn(move || {
            while !done {
                let timer = parse_time.timer();
                let next = reader.next_batch();
                timer.done();
                let read = match next {
                    Ok(None) => range_bytes,
                    _ => reader.bytes_done().min(range_bytes),
                };
                stats.add_bytes_read(read.saturating_sub(counted));
                counted = counted.max(read);
                match next {
                    // Lines a pushed condition dropped count as read.
                    Ok(Some((batch, lines))) => {
                        stats.add_in(lines);
                        if batch.num_rows() > 0 {
                            return Some(Ok(batch));
                        }
                    }
                    Ok(None) => done = true,
                    Err(e) => {
                        done = true;
                        return Some(Err(e));
                    }
                }
            }
            None
        });
        let stream = futures::stream::iter(batches).boxed();
        Ok(Box::pin(async move { Ok(stream) }))
    }
}

/// A reader of one file range, a batch at a time.
trait BatchReader: Send {
    /// The next batch and the lines read for it (more than its rows when a condition
    /// dropped some); `None` when the range is done.
    fn next_batch(&mut self) -> DFResult<Option<(RecordBatch, u64)>>;
    /// Bytes of the range read so far (on disk).
    fn bytes_done(&self) -> u64;
}

/// The rows of a load function's record reader, packed in the relation's layout.
struct RowBatches {
    rows: Box<dyn crate::io::RecordReader>,
    layout: Layout,
}

impl BatchReader for RowBatches {
    fn next_batch(&mut self) -> DFResult<Option<(RecordBatch, u64)>> {
        let mut rows = Vec::with_capacity(BATCH_ROWS);
        let more = self
            .rows
            .next_batch(BATCH_ROWS, &mut rows)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        Ok((more || !rows.is_empty()).then(|| (self.layout.to_batch(&rows), rows.len() as u64)))
    }

    fn bytes_done(&self) -> u64 {
        self.rows.bytes_done()
    }
}

/// ParquetLoader's batches, converted a column at a time.
struct ParquetBatches {
    reader: ParquetReader,
    schema: Schema,
    arrow: SchemaRef,
}

impl BatchReader for ParquetBatches {
    fn next_batch(&mut self) -> DFResult<Option<(RecordBatch, u64)>> {
        let batch = self
            .reader
            .next_columns(&self.schema, &self.arrow)
            .map_err(|e| DataFusionError::External(Box::new(e)))?;
        Ok(batch.map(|b| {
            let rows = b.num_rows() as u64;
            (b, rows)
        }))
    }

    fn bytes_done(&self) -> u64 {
        0
    }
}

impl BatchReader for SplitReader {
    fn next_batch(&mut self) -> DFResult<Option<(RecordBatch, u64)>> {
        SplitReader::next_batch(self)
    }

    fn bytes_done(&self) -> u64 {
        SplitReader::bytes_done(self)
    }
}

/// How a line becomes fields.
enum Format {
    /// PigStorage: the first `fields` fields split on the delimiter (the last read one and
    /// those before it; later ones are not even looked for).
    PigStorage {
        delimiter: Vec<u8>,
        finder: Box<memmem::Finder<'static>>,
        fields: usize,
    },
    /// TextLoader: the line is the first field, a chararray.
    Text,
}

/// Reads one split into batches.
struct SplitReader {
    parts: std::vec::IntoIter<FileRange>,
    splittable: bool,
    cur: Option<PartLines>,
    /// The line buffer, kept between parts.
    spare: Vec<u8>,
    /// The bytes of the parts done (read or skipped).
    parts_done: u64,
    format: Format,
    types: Vec<PigType>,
    /// The fields' builders; with a pushed condition, only its fields'.
    columns: Vec<Column>,
    pushed: Option<Pushed>,
    arrow: SchemaRef,
    warnings: Arc<Warnings>,
}

/// The state of a condition checked while reading.
struct Pushed {
    filter: ScanFilter,
    /// The number of leading fields the condition needs split.
    fields: usize,
    /// Builders of the other fields read, filled for the lines that pass.
    rest: Vec<Column>,
    /// The batch's lines, one after the other.
    text: Vec<u8>,
    /// Where each line of `text` ends, and its [`PartLines::lines_read`] (for warnings).
    lines: Vec<(usize, u64)>,
}

impl SplitReader {
    fn new(
        split: &Split,
        load: &LoadFunc,
        schema: &Schema,
        read: &[bool],
        filter: Option<ScanFilter>,
        arrow: SchemaRef,
        warnings: Arc<Warnings>,
    ) -> Self {
        let types: Vec<PigType> = schema.fields.iter().map(|f| f.ty.clone()).collect();
        let checked: Vec<usize> = filter
            .as_ref()
            .map(|f| f.fields.clone())
            .unwrap_or_default();
        let in_filter = |i: usize| checked.contains(&i);
        let columns = types
            .iter()
            .zip(read)
            .enumerate()
            .map(|(i, (t, &r))| Column::new(t, r && (filter.is_none() || in_filter(i)), 0))
            .collect();
        let pushed = filter.map(|filter| Pushed {
            fields: filter.fields.iter().max().map_or(0, |&m| m + 1),
            rest: types
                .iter()
                .zip(read)
                .enumerate()
                .map(|(i, (t, &r))| Column::new(t, r && !in_filter(i), 0))
                .collect(),
            filter,
            text: Vec::new(),
            lines: Vec::with_capacity(BATCH_ROWS),
        });
        let format = match load {
            LoadFunc::PigStorage { delimiter, .. } => {
                let delimiter = pig_delimiter(delimiter.clone());
                let finder = Box::new(memmem::Finder::new(&delimiter).into_owned());
                let fields = read.iter().rposition(|&r| r).map_or(0, |i| i + 1);
                Format::PigStorage {
                    delimiter,
                    finder,
                    fields,
                }
            }
            _ => Format::Text,
        };
        SplitReader {
            parts: split.parts.clone().into_iter(),
            splittable: load.splittable(),
            cur: None,
            spare: Vec::new(),
            parts_done: 0,
            format,
            types,
            columns,
            pushed,
            arrow,
            warnings,
        }
    }

    /// Bytes of the split read so far (on disk).
    fn bytes_done(&self) -> u64 {
        self.parts_done + self.cur.as_ref().map_or(0, PartLines::bytes_done)
    }

    /// The next batch of up to [`BATCH_ROWS`] lines, and the lines read; `None` when the
    /// split is done.
    fn next_batch(&mut self) -> DFResult<Option<(RecordBatch, u64)>> {
        let Some(rows) = self
            .read_batch()
            .map_err(|e| DataFusionError::External(Box::new(e)))?
        else {
            return Ok(None);
        };
        let batch = self.finish_batch(rows)?;
        if self.pushed.is_none() {
            return Ok(Some((batch, rows as u64)));
        }
        Ok(Some((self.filter_batch(batch)?, rows as u64)))
    }

    /// The lines of `batch` (its condition's fields converted) that pass the condition,
    /// with their other fields converted.
    fn filter_batch(&mut self, batch: RecordBatch) -> DFResult<RecordBatch> {
        let Some(pushed) = self.pushed.as_mut() else {
            return Ok(batch);
        };
        let rows = batch.num_rows();
        let passed = pushed.filter.expr.evaluate(&batch)?.into_array(rows)?;
        let passed = passed
            .as_any()
            .downcast_ref::<BooleanArray>()
            .ok_or_else(|| internal_datafusion_err!("a scan condition is not a boolean"))?;
        // Null fails, as in FILTER.
        let passed = match passed.null_count() {
            0 => passed.clone(),
            _ => prep_null_mask_filter(passed),
        };
        let Format::PigStorage {
            delimiter,
            finder,
            fields,
        } = &self.format
        else {
            return internal_err!("a scan condition on lines that are not delimited fields");
        };
        let fields = *fields;
        let mut start = 0;
        let mut kept = 0;
        for (i, &(end, lines)) in pushed.lines.iter().enumerate() {
            let line = &pushed.text[start..end];
            start = end;
            if !passed.value(i) {
                continue;
            }
            kept += 1;
            let fails = parse_fields(
                split_fields(line, delimiter, finder),
                &self.types[..fields],
                &mut pushed.rest[..fields],
            );
            if fails > 0 {
                // The batch's lines are all of the part still open (see `read_batch`).
                let cur = self.cur.as_mut().ok_or_else(|| {
                    internal_datafusion_err!("a scan's part closed before its batch")
                })?;
                let line = cur
                    .line_number_at(lines)
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
                for _ in 0..fails {
                    self.warnings.cast_failed(cur.path(), line);
                }
            }
        }
        pushed.text.clear();
        pushed.lines.clear();
        let columns = batch
            .columns()
            .iter()
            .zip(pushed.rest.iter_mut())
            .zip(&self.types)
            .map(|((checked, rest), t)| match rest {
                // A field of the condition (or one nothing reads): the passing rows.
                Column::Skipped(_) => Ok(filter_array(checked, &passed)?),
                rest => Ok(rest.finish(t, kept)),
            })
            .collect::<DFResult<Vec<_>>>()?;
        let options = RecordBatchOptions::new().with_row_count(Some(kept));
        RecordBatch::try_new_with_options(self.arrow.clone(), columns, &options).map_err(|e| {
            DataFusionError::Internal(format!("a scan batch does not fit its layout: {e}"))
        })
    }

    /// Reads up to [`BATCH_ROWS`] lines into the columns; `None` when the split is done.
    fn read_batch(&mut self) -> Result<Option<usize>, IoError> {
        let mut rows = 0;
        while rows < BATCH_ROWS {
            let Some(cur) = self.cur.as_mut() else {
                let Some(range) = self.parts.next() else {
                    break;
                };
                if PartLines::skipped(&range, self.splittable) {
                    self.parts_done += range.end.saturating_sub(range.start);
                } else {
                    let buf = std::mem::take(&mut self.spare);
                    self.cur = Some(PartLines::open(&range, self.splittable, buf)?);
                }
                continue;
            };
            let Some((a, b)) = cur.next_line()? else {
                if self.pushed.is_some() && rows > 0 {
                    // A batch checked by a condition ends with its part, which stays open
                    // until the batch is done: its lines' numbers are counted from it.
                    break;
                }
                if let Some(done) = self.cur.take() {
                    self.parts_done += done.range_bytes();
                    self.spare = done.buf;
                }
                continue;
            };
            let line = &cur.buf[a..b];
            let fails = match (&self.format, &mut self.pushed) {
                (
                    Format::PigStorage {
                        delimiter, finder, ..
                    },
                    Some(pushed),
                ) => {
                    pushed.text.extend_from_slice(line);
                    pushed.lines.push((pushed.text.len(), cur.lines_read()));
                    parse_fields(
                        split_fields(line, delimiter, finder),
                        &self.types[..pushed.fields],
                        &mut self.columns[..pushed.fields],
                    )
                }
                (
                    Format::PigStorage {
                        delimiter,
                        finder,
                        fields,
                    },
                    None,
                ) => parse_fields(
                    split_fields(line, delimiter, finder),
                    // The fields after the last one read are all skipped.
                    &self.types[..*fields],
                    &mut self.columns[..*fields],
                ),
                (Format::Text, _) => {
                    parse_text_line(line, &self.types, &mut self.columns);
                    0
                }
            };
            rows += 1;
            if fails > 0 {
                // Counting the lines before the split is costly: only for a failure.
                let line = cur.line_number()?;
                for _ in 0..fails {
                    self.warnings.cast_failed(cur.path(), line);
                }
            }
        }
        Ok((rows > 0).then_some(rows))
    }

    /// The batch of the `rows` rows read into the columns.
    fn finish_batch(&mut self, rows: usize) -> DFResult<RecordBatch> {
        let columns = self
            .columns
            .iter_mut()
            .zip(&self.types)
            .map(|(c, t)| c.finish(t, rows))
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(rows));
        RecordBatch::try_new_with_options(self.arrow.clone(), columns, &options).map_err(|e| {
            DataFusionError::Internal(format!("a scan batch does not fit its layout: {e}"))
        })
    }
}

/// Appends a PigStorage line's fields to the columns, nulls for the missing trailing
/// ones; returns how many failed to convert.
fn parse_fields<'a>(
    fields: impl Iterator<Item = &'a [u8]>,
    types: &[PigType],
    columns: &mut [Column],
) -> u32 {
    let mut fails = 0;
    let mut seen = 0;
    // Columns first: no field is split after the last column.
    for ((col, ty), field) in columns.iter_mut().zip(types).zip(fields) {
        fails += col.push_text(field, ty);
        seen += 1;
    }
    for col in &mut columns[seen..] {
        col.push_null();
    }
    fails
}

/// A chararray column of the fields' bytes: one UTF-8 check of all of them (with each field
/// starting at a character boundary) instead of one per field; where that fails, each
/// field as [`text`] makes it. The views point into the fields' buffer: no text is copied.
fn utf8(bytes: BinaryArray) -> StringViewArray {
    let text = match StringArray::try_from_binary(bytes.clone()) {
        Ok(text) => text,
        Err(_) => bytes.iter().map(|b| b.map(text)).collect(),
    };
    StringViewArray::from(&text)
}

/// Text as the row reader makes a chararray of it (`String::from_utf8_lossy`), checking
/// valid UTF-8 with the faster `from_utf8` first.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// An optional `-` and 1 to 18 ASCII digits, the common case of Pig's integer rules
/// (`Integer.valueOf`/`Long.valueOf`, which give the same value); `None` for anything else,
/// which takes the general path.
fn plain_integer(bytes: &[u8]) -> Option<i64> {
    let (neg, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + i64::from(d);
    }
    Some(if neg { -v } else { v })
}

/// Appends a TextLoader line: the line as a chararray (cast to the first field's declared
/// type, as the row layout does), nulls for the other fields.
fn parse_text_line(line: &[u8], types: &[PigType], columns: &mut [Column]) {
    let mut cols = columns.iter_mut().zip(types);
    if let Some((col, ty)) = cols.next() {
        match col {
            // Checked as UTF-8 with the rest of the batch's text (`Column::finish`).
            Column::Str(b) => b.append_value(line),
            Column::Bytes(b) => b.append_value(text(line).as_bytes()),
            other => {
                let v = cast(&Value::Chararray(text(line).into_owned()), ty).unwrap_or(Value::Null);
                other.push_value(v);
            }
        }
    }
    for (col, _) in cols {
        col.push_null();
    }
}

/// The builder of one output column.
enum Column {
    /// A field nothing reads (projection pushdown): never parsed, all null.
    Skipped(DataType),
    Bool(BooleanBuilder),
    Int(Int32Builder),
    Long(Int64Builder),
    Float(Float32Builder),
    Double(Float64Builder),
    /// Chararray: the fields' bytes, checked as UTF-8 once per batch when it is finished
    /// (the rare batch with invalid bytes is converted field by field, as `text` does).
    Str(BinaryBuilder),
    Bytes(BinaryBuilder),
    /// A type stored codec-encoded (datetime, big numbers, tuple, bag, map): the values,
    /// laid out by `arrow_layout::to_array` when the batch is finished.
    Values(Vec<Value>),
}

impl Column {
    /// A builder for a batch of a field of type `t` (`read` false: a skipped field);
    /// `bytes` is the expected size of a text column's data.
    fn new(t: &PigType, read: bool, bytes: usize) -> Self {
        let rows = BATCH_ROWS;
        if !read {
            return Column::Skipped(arrow_layout::arrow_type(t));
        }
        match t {
            PigType::Boolean => Column::Bool(BooleanBuilder::with_capacity(rows)),
            PigType::Int => Column::Int(Int32Builder::with_capacity(rows)),
            PigType::Long => Column::Long(Int64Builder::with_capacity(rows)),
            PigType::Float => Column::Float(Float32Builder::with_capacity(rows)),
            PigType::Double => Column::Double(Float64Builder::with_capacity(rows)),
            PigType::Chararray => Column::Str(BinaryBuilder::with_capacity(rows, bytes)),
            PigType::Bytearray => Column::Bytes(BinaryBuilder::with_capacity(rows, bytes)),
            _ => Column::Values(Vec::with_capacity(rows)),
        }
    }

    /// Appends a field's text converted to type `t`, as the row reader converts it: empty
    /// is null, chararray is the text (invalid UTF-8 replaced), bytearray the bytes, other
    /// types by Pig's text rules. Returns 1 when the conversion failed (the field is null).
    fn push_text(&mut self, bytes: &[u8], t: &PigType) -> u32 {
        match self {
            Column::Skipped(_) => {}
            _ if bytes.is_empty() => self.push_null(),
            Column::Str(b) => b.append_value(bytes),
            Column::Bytes(b) => b.append_value(bytes),
            Column::Int(b) => match plain_integer(bytes).and_then(|v| i32::try_from(v).ok()) {
                Some(v) => b.append_value(v),
                None => return self.push_parsed(bytes, t),
            },
            Column::Long(b) => match plain_integer(bytes) {
                Some(v) => b.append_value(v),
                None => return self.push_parsed(bytes, t),
            },
            _ => return self.push_parsed(bytes, t),
        }
        0
    }

    /// Appends a non-empty field converted by Pig's text rules; returns 1 when that fails.
    fn push_parsed(&mut self, bytes: &[u8], t: &PigType) -> u32 {
        match parse_text(bytes, t) {
            Ok(v) => {
                self.push_value(v);
                0
            }
            Err(_) => {
                self.push_null();
                1
            }
        }
    }

    /// Appends a value of the column's type (another value is null).
    fn push_value(&mut self, v: Value) {
        match (self, v) {
            (Column::Skipped(_), _) => {}
            (Column::Bool(b), Value::Boolean(x)) => b.append_value(x),
            (Column::Int(b), Value::Int(x)) => b.append_value(x),
            (Column::Long(b), Value::Long(x)) => b.append_value(x),
            (Column::Float(b), Value::Float(x)) => b.append_value(x),
            (Column::Double(b), Value::Double(x)) => b.append_value(x),
            (Column::Str(b), Value::Chararray(s)) => b.append_value(s.as_bytes()),
            (Column::Bytes(b), Value::Bytearray(x)) => b.append_value(x),
            (Column::Values(vs), v) => vs.push(v),
            (col, _) => col.push_null(),
        }
    }

    fn push_null(&mut self) {
        match self {
            Column::Skipped(_) => {}
            Column::Bool(b) => b.append_null(),
            Column::Int(b) => b.append_null(),
            Column::Long(b) => b.append_null(),
            Column::Float(b) => b.append_null(),
            Column::Double(b) => b.append_null(),
            Column::Str(b) => b.append_null(),
            Column::Bytes(b) => b.append_null(),
            Column::Values(vs) => vs.push(Value::Null),
        }
    }

    /// The column of the `rows` rows appended since the last call (a field of type `t`);
    /// the builder starts over, sized from this batch.
    fn finish(&mut self, t: &PigType, rows: usize) -> ArrayRef {
        let bytes = match self {
            Column::Str(b) => b.values_slice().len(),
            Column::Bytes(b) => b.values_slice().len(),
            _ => 0,
        };
        // A little room so a batch slightly larger than the last does not reallocate.
        let next = Column::new(t, !matches!(self, Column::Skipped(_)), bytes + bytes / 8);
        match std::mem::replace(self, next) {
            Column::Skipped(dt) => new_null_array(&dt, rows),
            Column::Bool(mut b) => Arc::new(b.finish()),
            Column::Int(mut b) => Arc::new(b.finish()),
            Column::Long(mut b) => Arc::new(b.finish()),
            Column::Float(mut b) => Arc::new(b.finish()),
            Column::Double(mut b) => Arc::new(b.finish()),
            Column::Str(mut b) => Arc::new(utf8(b.finish())),
            // Views into the fields' buffer: no copy.
            Column::Bytes(mut b) => Arc::new(BinaryViewArray::from(&b.finish())),
            Column::Values(vs) => arrow_layout::to_array(&vs, t),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::path::Path;

    use arrow::array::Array;
    use arrow::compute::concat_batches;
    use datafusion::execution::TaskContext;
    use datafusion::physical_plan::Partitioning;
    use datafusion::physical_plan::common::collect;
    use datafusion::physical_plan::displayable;
    use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
    use pigrs_udf::{Field, Tuple};

    use super::*;
    use crate::io::input::plan_splits_opts;
    use crate::io::{load_func, open_reader, resolve_input};
    use crate::stats::Stats;

    fn pig(args: &[&str]) -> LoadFunc {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        load_func("PigStorage", &args).unwrap()
    }

    fn schema(fields: &[(&str, PigType)]) -> Schema {
        Schema::new(
            fields
                .iter()
                .map(|(n, t)| Field::new(*n, t.clone()))
                .collect(),
        )
    }

    fn splits_of(dir: &Path, name: &str, k: usize) -> Vec<Split> {
        let files = resolve_input(name, dir).unwrap();
        plan_splits_opts(&files, k, 1, true)
    }

    /// The row reader's rows of one split.
    fn row_read(split: &Split, load: &LoadFunc, schema: &Schema, w: &Arc<Warnings>) -> Vec<Tuple> {
        let mut r = open_reader(split, load, Some(schema), w.clone()).unwrap();
        let mut rows = Vec::new();
        while r.next_batch(3, &mut rows).unwrap() {}
        rows
    }

    /// Every partition's batches.
    fn scan(exec: &Arc<DataSourceExec>) -> Vec<Vec<RecordBatch>> {
        let n = exec.properties().partitioning.partition_count();
        (0..n)
            .map(|p| {
                let stream = exec.execute(p, Arc::new(TaskContext::default())).unwrap();
                futures::executor::block_on(collect(stream)).unwrap()
            })
            .collect()
    }

    fn exec(
        splits: Vec<Split>,
        load: &LoadFunc,
        schema: &Schema,
    ) -> (Arc<DataSourceExec>, Arc<Warnings>) {
        let w = Arc::new(Warnings::new());
        let stats = Arc::new(StageStats::detached());
        let e = PigSource::scan(
            &splits,
            load.clone(),
            Some(schema.clone()),
            None,
            w.clone(),
            stats,
        );
        (e, w)
    }

    /// Checks that, for every split count in `ks`, each partition of the scan equals the
    /// row reader's rows of its split in the relation's layout, with the same warnings.
    fn assert_same_as_rows(dir: &Path, name: &str, load: &LoadFunc, schema: &Schema, ks: &[usize]) {
        let layout = Layout::new(Some(schema.clone()));
        for &k in ks {
            let splits = splits_of(dir, name, k);
            let (e, w) = exec(splits.clone(), load, schema);
            let row_w = Arc::new(Warnings::new());
            for (split, batches) in splits.iter().zip(scan(&e)) {
                for b in &batches {
                    assert!(b.num_rows() <= BATCH_ROWS && b.num_rows() > 0);
                    assert_eq!(b.schema(), layout.arrow);
                }
                let got = concat_batches(&layout.arrow, &batches).unwrap();
                let want = layout.to_batch(&row_read(split, load, schema, &row_w));
                assert_eq!(got, want, "{name}, {k} splits");
            }
            assert_eq!(w.count(), row_w.count(), "{name}, {k} splits");
            assert_eq!(w.first(), row_w.first(), "{name}, {k} splits");
        }
    }

    fn write(dir: &Path, name: &str, body: &[u8]) {
        std::fs::write(dir.join(name), body).unwrap();
    }

    #[test]
    fn splits_crlf_missing_and_extra_fields_read_as_the_row_scan_does() {
        let t = tempfile::tempdir().unwrap();
        let mut body = Vec::new();
        for i in 0..700u32 {
            let line = match i % 7 {
                0 => format!("{i},name{i},{i}.5,raw{i}"),
                1 => format!("{i},short"),
                2 => format!("{i},x,1e3,b,extra,fields"),
                3 => String::new(),
                4 => format!(",,,{i}"),
                5 => format!("{i}L,caf\u{e9},-Infinity,z"),
                _ => format!(" {i} ,padded, 2.0d ,"),
            };
            body.extend_from_slice(line.as_bytes());
            body.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
        }
        body.extend_from_slice(b"9,no newline at the end");
        write(t.path(), "a.csv", &body);
        let s = schema(&[
            ("id", PigType::Long),
            ("name", PigType::Chararray),
            ("score", PigType::Double),
            ("tag", PigType::Bytearray),
        ]);
        assert_same_as_rows(t.path(), "a.csv", &pig(&[","]), &s, &[1, 2, 3, 7, 16, 41]);
    }

    #[test]
    fn malformed_numbers_are_null_and_warned_at_their_line() {
        let t = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 1..=400 {
            match i {
                123 => body.push_str("12x\t1\n"),
                300 => body.push_str("7\t9999999999\n"),
                _ => body.push_str(&format!("{i}\t{i}\n")),
            }
        }
        write(t.path(), "n.txt", body.as_bytes());
        let s = schema(&[("a", PigType::Int), ("b", PigType::Int)]);
        for k in [1, 3, 9] {
            let (e, w) = exec(splits_of(t.path(), "n.txt", k), &pig(&[]), &s);
            let rows: usize = scan(&e).iter().flatten().map(|b| b.num_rows()).sum();
            assert_eq!(rows, 400);
            assert_eq!(w.count(), 2, "k={k}");
            let (path, line) = w.first().unwrap();
            assert!(path.ends_with("n.txt"));
            assert_eq!(line, 123, "k={k}");
        }
        assert_same_as_rows(t.path(), "n.txt", &pig(&[]), &s, &[1, 4]);
    }

    #[test]
    fn every_type_converts_as_the_row_scan_does() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "types.txt",
            b"true|1|2|1.5|2.5|2024-01-02T03:04:05Z|123456789012345678901234567890|1.25|(1,a)|{(1),(2)}|[k#v]\n\
              FALSE|-0|3l|1.5F|NaN|nope|12a|x|(|{|[\n\
              yes|2147483648|9223372036854775808|1e40|1e400|2024-01-02|+5|-1e3|()|{}|[]\n\
              ||||||||||\n\
              x|007|-999999999999999999|-0|0|x|-|x|x|x|x\n\
              x|-2147483648|999999999999999999|x|x|x|x|x|x|x|x\n\
              x|2147483647|+5|x|x|x|x|x|x|x|x\n\
              x|-|--1|x|x|x|x|x|x|x|x\n",
        );
        let s = schema(&[
            ("b", PigType::Boolean),
            ("i", PigType::Int),
            ("l", PigType::Long),
            ("f", PigType::Float),
            ("d", PigType::Double),
            ("dt", PigType::Datetime),
            ("bi", PigType::BigInteger),
            ("bd", PigType::BigDecimal),
            ("t", PigType::Tuple(None)),
            ("g", PigType::Bag(None)),
            ("m", PigType::Map(None)),
        ]);
        assert_same_as_rows(t.path(), "types.txt", &pig(&["|"]), &s, &[1]);
    }

    #[test]
    fn projection_leaves_unread_fields_null_and_unparsed() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "p.txt", b"1\tbad\t3\tx\n4\t5\tbad\ty\n");
        let s = schema(&[
            ("a", PigType::Int),
            ("b", PigType::Int),
            ("c", PigType::Int),
            ("d", PigType::Chararray),
        ]);
        let mut load = pig(&[]);
        if let LoadFunc::PigStorage { options, .. } = &mut load {
            options.columns = Some(vec![true, false, true]);
        }
        let (e, w) = exec(splits_of(t.path(), "p.txt", 1), &load, &s);
        let batches = scan(&e).remove(0);
        assert_eq!(batches[0].column(1).null_count(), 2);
        // The mask's missing tail is read (as the row scan reads it).
        assert_eq!(batches[0].column(3).null_count(), 0);
        assert_eq!(w.count(), 1);
        assert_same_as_rows(t.path(), "p.txt", &load, &s, &[1, 2]);
        // Nothing read: no field is split, every row is still counted.
        if let LoadFunc::PigStorage { options, .. } = &mut load {
            options.columns = Some(vec![false; 4]);
        }
        assert_same_as_rows(t.path(), "p.txt", &load, &s, &[1]);
    }

    #[test]
    fn multibyte_delimiter_and_invalid_utf8() {
        let t = tempfile::tempdir().unwrap();
        write(
            t.path(),
            "u.txt",
            "1§h\u{e9}llo§a§b\n§§\n3§x\u{1F600}y\n".as_bytes(),
        );
        let mut bad = b"4\xc2\xa7ok\xff\xfe\xc2\xa7raw\xff\n".to_vec();
        bad.extend_from_slice(b"\xc2\xa75\xc2");
        write(t.path(), "v.txt", &bad);
        let s = schema(&[
            ("n", PigType::Int),
            ("s", PigType::Chararray),
            ("r", PigType::Bytearray),
        ]);
        let load = pig(&["§"]);
        assert_same_as_rows(t.path(), "u.txt", &load, &s, &[1, 2]);
        assert_same_as_rows(t.path(), "v.txt", &load, &s, &[1, 3]);
    }

    #[test]
    fn textloader_lines_with_any_declared_type() {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "t.txt", b"hello world\r\n\n\xffbad\n42\nend");
        let load = LoadFunc::TextLoader;
        for s in [
            schema(&[("line", PigType::Chararray)]),
            schema(&[("line", PigType::Bytearray)]),
            schema(&[("n", PigType::Int), ("more", PigType::Chararray)]),
            schema(&[("t", PigType::Datetime)]),
        ] {
            assert_same_as_rows(t.path(), "t.txt", &load, &s, &[1, 2, 5]);
        }
    }

    #[test]
    fn compressed_input_is_read_whole_once() {
        let t = tempfile::tempdir().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for i in 0..3000 {
            writeln!(gz, "{i}\tv{i}").unwrap();
        }
        let mut data = gz.finish().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"x\tlast").unwrap();
        data.extend(gz.finish().unwrap());
        write(t.path(), "c.gz", &data);
        let s = schema(&[("n", PigType::Int), ("v", PigType::Chararray)]);
        assert_same_as_rows(t.path(), "c.gz", &pig(&[]), &s, &[1, 4]);
        // Cut pieces of a compressed file still read it once.
        let file = resolve_input("c.gz", t.path()).unwrap().remove(0);
        let cut = |start, end| FileRange {
            file: file.clone(),
            start,
            end,
        };
        let split = Split {
            parts: vec![cut(0, 7), cut(7, file.size)],
        };
        let (e, w) = exec(vec![split], &pig(&[]), &s);
        let rows: usize = scan(&e).iter().flatten().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 3001);
        assert_eq!(w.first().map(|f| f.1), Some(3001));
    }

    #[test]
    fn batches_stats_and_plan_properties() {
        let t = tempfile::tempdir().unwrap();
        let n = BATCH_ROWS * 2 + 100;
        let body: String = (0..n).map(|i| format!("{i}\n")).collect();
        write(t.path(), "b.txt", body.as_bytes());
        write(t.path(), "empty.txt", b"");
        let s = schema(&[("n", PigType::Long)]);
        let splits = splits_of(t.path(), "b.txt", 2);
        let all = Stats::default();
        let stats = all.stage("Scan", splits.len());
        let w = Arc::new(Warnings::new());
        let e = PigSource::scan(&splits, pig(&[]), Some(s.clone()), None, w, stats.clone());
        let props = e.properties();
        assert!(matches!(
            props.partitioning,
            Partitioning::UnknownPartitioning(2)
        ));
        assert_eq!(props.emission_type, EmissionType::Incremental);
        assert_eq!(props.boundedness, Boundedness::Bounded);
        let parts = scan(&e);
        let sizes: Vec<usize> = parts[0].iter().map(|b| b.num_rows()).collect();
        assert_eq!(sizes[0], BATCH_ROWS);
        assert_eq!(
            parts.iter().flatten().map(|b| b.num_rows()).sum::<usize>(),
            n
        );
        assert_eq!(stats.records_in(), n as u64);
        assert_eq!(stats.bytes_read(), body.len() as u64);
        // A task ends where its stage does, not at the scan.
        assert_eq!(stats.tasks_done(), 0);
        assert_eq!(stats.input_files(), vec![t.path().join("b.txt")]);
        let metrics = e.metrics().unwrap();
        assert_eq!(metrics.output_rows(), Some(n));
        assert!(PigSource::of(e.as_ref()).is_some());

        let text = displayable(e.as_ref()).one_line().to_string();
        assert!(
            text.starts_with("DataSourceExec: file_groups={2 groups: "),
            "{text}"
        );
        assert!(
            text.ends_with("file_type=pig, load=PigStorage('\\t'), parsed=[n]\n"),
            "{text}"
        );

        // An input of empty files: one task that reads nothing.
        let (e, _) = exec(splits_of(t.path(), "empty.txt", 4), &pig(&[]), &s);
        assert_eq!(e.properties().partitioning.partition_count(), 1);
        assert!(scan(&e)[0].is_empty());
    }

    #[test]
    fn a_pushed_condition_keeps_the_lines_a_filter_keeps_and_converts_only_theirs() {
        use arrow::compute::filter_record_batch;
        use datafusion::logical_expr::Operator;
        use datafusion::physical_expr::expressions::{BinaryExpr, Column as Col, Literal};
        use datafusion::scalar::ScalarValue;

        let t = tempfile::tempdir().unwrap();
        let mut body = String::new();
        for i in 0..30_000u32 {
            match i {
                // A bad value in a field of a dropped line is never converted: no warning.
                17 => body.push_str(
                    "17	bad	x
",
                ),
                // In a kept line it is counted, at its line.
                20_001 => body.push_str(
                    "20001	bad	x
",
                ),
                // In the condition's field it is counted whether the line is kept or not.
                25_000 => body.push_str(
                    "oops	1	x
",
                ),
                _ => body.push_str(&format!(
                    "{i}	{}	v{i}
",
                    i * 2
                )),
            }
        }
        write(t.path(), "f.txt", body.as_bytes());
        let s = schema(&[
            ("a", PigType::Int),
            ("b", PigType::Long),
            ("c", PigType::Chararray),
        ]);
        let layout = Layout::new(Some(s.clone()));
        // a > 20000
        let expr: Arc<dyn PhysicalExpr> = Arc::new(BinaryExpr::new(
            Arc::new(Col::new("a", 0)),
            Operator::Gt,
            Arc::new(Literal::new(ScalarValue::Int32(Some(20_000)))),
        ));
        for k in [1, 3, 7] {
            let splits = splits_of(t.path(), "f.txt", k);
            let (plain, plain_w) = exec(splits.clone(), &pig(&[]), &s);
            let want: Vec<RecordBatch> = scan(&plain)
                .into_iter()
                .flatten()
                .map(|b| {
                    let keep = expr.evaluate(&b).unwrap().into_array(b.num_rows()).unwrap();
                    let keep = keep.as_any().downcast_ref::<BooleanArray>().unwrap();
                    filter_record_batch(&b, keep).unwrap()
                })
                .collect();
            let want = concat_batches(&layout.arrow, &want).unwrap();
            assert_eq!(plain_w.count(), 3);

            let w = Arc::new(Warnings::new());
            let stats = Arc::new(StageStats::detached());
            let filter = ScanFilter {
                expr: expr.clone(),
                fields: vec![0],
            };
            let e = PigSource::scan(
                &splits,
                pig(&[]),
                Some(s.clone()),
                Some(filter),
                w.clone(),
                stats.clone(),
            );
            assert!(PigSource::of(e.as_ref()).unwrap().filters());
            let got = concat_batches(&layout.arrow, scan(&e).iter().flatten()).unwrap();
            assert_eq!(got, want, "{k} splits");
            assert_eq!(got.num_rows(), 9_998);
            // Every line is a record read.
            assert_eq!(stats.records_in(), 30_000, "{k} splits");
            assert_eq!(w.count(), 2, "{k} splits");
            let (path, line) = w.first().unwrap();
            assert!(path.ends_with("f.txt"));
            assert!(line == 20_002 || line == 25_001, "{k} splits: line {line}");
        }
        // Not for loaders that do not read delimited fields into columns.
        let splits = splits_of(t.path(), "f.txt", 1);
        let text = schema(&[("line", PigType::Chararray)]);
        let filter = ScanFilter {
            expr,
            fields: vec![0],
        };
        let e = PigSource::scan(
            &splits,
            LoadFunc::TextLoader,
            Some(text),
            Some(filter),
            Arc::new(Warnings::new()),
            Arc::new(StageStats::detached()),
        );
        assert!(!PigSource::of(e.as_ref()).unwrap().filters());
    }

    #[test]
    fn parquet_columns_convert_as_its_rows_do() {
        use crate::io::RecordWriter;
        use crate::io::parquet::ParquetWriter;

        let t = tempfile::tempdir().unwrap();
        let written = schema(&[
            ("i", PigType::Int),
            ("l", PigType::Long),
            ("s", PigType::Chararray),
            ("d", PigType::Double),
            ("b", PigType::Boolean),
            ("t", PigType::Datetime),
            ("g", PigType::Bag(None)),
        ]);
        let rows: Vec<Tuple> = (0..10_000i32)
            .map(|i| {
                let null = i % 7 == 0;
                vec![
                    if null { Value::Null } else { Value::Int(i) },
                    Value::Long(i64::from(i) * 1_000_000_007),
                    if null {
                        Value::Null
                    } else {
                        Value::Chararray(format!("s{i}"))
                    },
                    Value::Double(f64::from(i) / 3.0),
                    Value::Boolean(i % 2 == 0),
                    Value::Datetime(
                        chrono::DateTime::from_timestamp_millis(i64::from(i) * 86_400_000)
                            .unwrap()
                            .fixed_offset(),
                    ),
                    Value::Bag(Box::new(pigrs_udf::Bag::from(vec![vec![Value::Int(i)]]))),
                ]
            })
            .collect();
        let mut w: Box<dyn RecordWriter> =
            Box::new(ParquetWriter::create(&t.path().join("p.parquet"), Some(&written)).unwrap());
        for chunk in rows.chunks(3_000) {
            w.write(chunk).unwrap();
        }
        w.finish().unwrap();
        let parquet = |arg: Option<&str>| LoadFunc::Parquet {
            schema: arg.map(str::to_string),
        };
        // A declared schema is read a column at a time (no schema: rows of any width).
        assert!(
            ParquetReader::of(vec![], None, Some(&written))
                .unwrap()
                .fits_columns(&written)
        );
        assert!(
            !ParquetReader::of(vec![], None, None)
                .unwrap()
                .fits_columns(&written)
        );
        // The file's own types, in order.
        assert_same_as_rows(t.path(), "p.parquet", &parquet(None), &written, &[1, 2]);
        // Declared other types: each value cast as the row reader casts it.
        let other = schema(&[
            ("i", PigType::Long),
            ("l", PigType::Chararray),
            ("s", PigType::Int),
            ("d", PigType::Float),
        ]);
        assert_same_as_rows(t.path(), "p.parquet", &parquet(None), &other, &[1]);
        // By name, with a column the file does not have.
        let named = schema(&[
            ("d", PigType::Double),
            ("missing", PigType::Int),
            ("S", PigType::Chararray),
        ]);
        let arg = "d:double,missing:int,S:chararray";
        assert_same_as_rows(t.path(), "p.parquet", &parquet(Some(arg)), &named, &[1]);
    }

    #[test]
    fn columnar_only_for_schema_bearing_text_loads() {
        let s = schema(&[("a", PigType::Int)]);
        assert_eq!(columnar_fields(&pig(&[","]), Some(&s)), Some(vec![true]));
        assert_eq!(
            columnar_fields(&LoadFunc::TextLoader, Some(&s)),
            Some(vec![true])
        );
        assert_eq!(columnar_fields(&pig(&[","]), None), None);
        assert_eq!(columnar_fields(&pig(&[",", "-tagFile"]), Some(&s)), None);
        assert_eq!(columnar_fields(&LoadFunc::BinStorage, Some(&s)), None);
    }

    #[test]
    fn other_loaders_read_their_rows_into_the_layout() {
        let t = tempfile::tempdir().unwrap();
        let body: String = (0..5000)
            .map(|i| format!("{{\"n\":{i},\"s\":\"v{i}\"}}\n"))
            .collect();
        write(t.path(), "j.json", body.as_bytes());
        let s = schema(&[("n", PigType::Int), ("s", PigType::Chararray)]);
        let json = load_func("JsonLoader", &["n:int,s:chararray".to_string()]).unwrap();
        assert_same_as_rows(t.path(), "j.json", &json, &s, &[1, 3]);
        // No schema: each row one encoded value, as the row reader makes it.
        write(t.path(), "p.txt", b"1\ta\n2\tb\tc\n\n");
        let splits = splits_of(t.path(), "p.txt", 1);
        let w = Arc::new(Warnings::new());
        let e = PigSource::scan(
            &splits,
            pig(&[]),
            None,
            None,
            w.clone(),
            Arc::new(StageStats::detached()),
        );
        let layout = Layout::new(None);
        let rows: Vec<Tuple> = scan(&e)
            .iter()
            .flatten()
            .flat_map(|b| layout.rows(b))
            .collect();
        let mut r = open_reader(&splits[0], &pig(&[]), None, w).unwrap();
        let mut want = Vec::new();
        while r.next_batch(2, &mut want).unwrap() {}
        assert_eq!(rows, want);
        assert_eq!(rows[1].len(), 3);
    }
}
