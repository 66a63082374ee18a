//! `FlattenExec`: a FOREACH ... GENERATE that flattens one bag, on whole batches.
//!
//! Each input row gives one output row per tuple of its bag (none for an empty bag, one of
//! nulls for a null bag, as Pig does); the other generated fields are evaluated once per
//! input row as `PhysicalExpr`s and repeated with arrow's `take`. `TOKENIZE` of a chararray
//! is split straight from the string column into a token column of views into the strings'
//! buffers; any other bag expression is evaluated row by row and only its tuples' fields are
//! packed into columns.

use std::fmt;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, ByteView, MAX_INLINE_VIEW_LEN, StringViewArray, StringViewBuilder,
    UInt32Array,
};
use arrow::compute::take;
use arrow::datatypes::{DataType, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use futures::StreamExt;
use pigrs_planner::expr::{Expr, ExprKind};
use pigrs_udf::{PigType, Value, arrow_layout};

use crate::eval::EvalCtx;
use crate::layout::Layout;

/// Java `StringTokenizer`'s delimiters, Pig's default for `TOKENIZE`.
const TOKENIZE_DELIMS: &str = " \",()*";

/// Where the flattened bag's tuples come from.
#[derive(Debug, Clone)]
pub enum BagSource {
    /// `TOKENIZE(arg [, 'delimiters'])` of a chararray: one tuple `(token)` per word.
    Tokenize {
        /// The string.
        arg: Arc<dyn PhysicalExpr>,
        /// The delimiter characters.
        delims: String,
    },
    /// Any bag expression, evaluated on each row.
    Rows {
        /// The bag.
        expr: Expr,
        /// The input's layout (to read rows from batches).
        input: Layout,
        /// Evaluation state.
        ctx: EvalCtx,
    },
}

impl BagSource {
    /// The source of the bag `e` over batches in `input`: native for `TOKENIZE` of a
    /// chararray with constant delimiters; row by row otherwise.
    pub fn new(e: &Expr, input: &Layout, ctx: &EvalCtx) -> Result<Self, crate::RunError> {
        if let ExprKind::Call { func, args } = &e.kind
            && func.name() == "TOKENIZE"
            && args.first().is_some_and(|a| a.ty == PigType::Chararray)
        {
            let delims = match args.get(1).map(|d| &d.kind) {
                None => Some(TOKENIZE_DELIMS.to_string()),
                Some(ExprKind::Const(Value::Chararray(d))) => Some(d.clone()),
                _ => None,
            };
            if let Some(delims) = delims {
                let arg = crate::expr::physical_expr(&args[0], input, ctx)?;
                return Ok(BagSource::Tokenize { arg, delims });
            }
        }
        Ok(BagSource::Rows {
            expr: e.clone(),
            input: input.clone(),
            ctx: ctx.clone(),
        })
    }

    /// For each input row, how many output rows it gives; and the tuples' fields, one
    /// column per field of `types`.
    fn eval(&self, batch: &RecordBatch, types: &[PigType]) -> DFResult<(Vec<u32>, Vec<ArrayRef>)> {
        match self {
            BagSource::Tokenize { arg, delims } => {
                let strings = arg.evaluate(batch)?.into_array(batch.num_rows())?;
                let strings = strings.as_string_view_opt().ok_or_else(|| {
                    DataFusionError::Internal("TOKENIZE of a non-string column".into())
                })?;
                Ok(tokenize(strings, delims))
            }
            BagSource::Rows { expr, input, ctx } => {
                let rows = input.rows(batch);
                let mut counts = Vec::with_capacity(rows.len());
                let mut fields: Vec<Vec<Value>> = vec![Vec::new(); types.len()];
                for row in &rows {
                    let v = ctx
                        .eval(expr, row, &[])
                        .map_err(|e| DataFusionError::External(Box::new(e)))?;
                    match v {
                        Value::Bag(bag) => {
                            counts.push(u32::try_from(bag.len()).unwrap_or(u32::MAX));
                            for t in bag.iter() {
                                let t = t.map_err(crate::spill::bag_err)?;
                                for (k, col) in fields.iter_mut().enumerate() {
                                    col.push(t.get(k).cloned().unwrap_or(Value::Null));
                                }
                            }
                        }
                        other => {
                            counts.push(1);
                            let mut first = Some(other);
                            for col in &mut fields {
                                col.push(first.take().unwrap_or(Value::Null));
                            }
                        }
                    }
                }
                let arrays = fields
                    .iter()
                    .zip(types)
                    .map(|(vals, t)| arrow_layout::to_array(vals, t))
                    .collect();
                Ok((counts, arrays))
            }
        }
    }
}

/// The tokens of each string: how many, and the tokens. A token longer than a view holds
/// is a view into its string's buffer: no text is copied.
fn tokenize(strings: &StringViewArray, delims: &str) -> (Vec<u32>, Vec<ArrayRef>) {
    let mut counts = Vec::with_capacity(strings.len());
    // Room for every token at once: a string has at most one token more than it has
    // delimiters, which memchr counts quickly for up to three ASCII delimiters.
    let room = match *delims.as_bytes() {
        [a] => count_bytes(strings, |s| memchr::memchr_iter(a, s).count()),
        [a, b] => count_bytes(strings, |s| memchr::memchr2_iter(a, b, s).count()),
        [a, b, c] => count_bytes(strings, |s| memchr::memchr3_iter(a, b, c, s).count()),
        _ => strings.len() * 8,
    };
    let mut tokens = StringViewBuilder::with_capacity(room);
    let blocks: Vec<u32> = strings
        .data_buffers()
        .iter()
        .map(|b| tokens.append_block(b.clone()))
        .collect();
    // ASCII delimiters never occur inside a UTF-8 sequence: split on bytes.
    let table = delims.is_ascii().then(|| {
        let mut t = [false; 256];
        for b in delims.bytes() {
            t[usize::from(b)] = true;
        }
        t
    });
    for (i, &view) in strings.views().iter().enumerate() {
        if strings.is_null(i) {
            // A null bag flattens to one row of nulls.
            counts.push(1);
            tokens.append_null();
            continue;
        }
        let s = strings.value(i);
        // Where a long string's bytes are: its tokens point there.
        let place = (s.len() > MAX_INLINE_VIEW_LEN as usize).then(|| {
            let v = ByteView::from(view);
            (blocks[v.buffer_index as usize], v.offset)
        });
        let mut n = 0u32;
        // `start..end` is a token of `s` at character boundaries.
        let mut push = |start: usize, end: usize| {
            if start == end {
                return;
            }
            let t = s.get(start..end).unwrap_or_default();
            match place {
                Some((block, offset)) if t.len() > MAX_INLINE_VIEW_LEN as usize => {
                    // In bounds and valid UTF-8: a slice of a string of the column.
                    let appended =
                        tokens.try_append_view(block, offset + start as u32, t.len() as u32);
                    if appended.is_err() {
                        tokens.append_value(t);
                    }
                }
                _ => tokens.append_value(t),
            }
            n += 1;
        };
        match &table {
            // One to three delimiters: memchr finds them many bytes at a time.
            Some(_) if delims.len() <= 3 => {
                let bytes = s.as_bytes();
                let d = delims.as_bytes();
                let mut start = 0;
                let mut split = |j: usize| {
                    push(start, j);
                    start = j + 1;
                };
                match *d {
                    [a] => memchr::memchr_iter(a, bytes).for_each(&mut split),
                    [a, b] => memchr::memchr2_iter(a, b, bytes).for_each(&mut split),
                    [a, b, c] => memchr::memchr3_iter(a, b, c, bytes).for_each(&mut split),
                    _ => {}
                }
                push(start, s.len());
            }
            Some(t) => {
                let mut start = 0;
                for (j, &b) in s.as_bytes().iter().enumerate() {
                    if t[usize::from(b)] {
                        push(start, j);
                        start = j + 1;
                    }
                }
                push(start, s.len());
            }
            None => {
                let mut start = 0;
                for (j, c) in s.char_indices() {
                    if delims.contains(c) {
                        push(start, j);
                        start = j + c.len_utf8();
                    }
                }
                push(start, s.len());
            }
        }
        counts.push(n);
    }
    (counts, vec![Arc::new(tokens.finish())])
}

/// How many tokens the strings have at most: for each, one more than `delimiters` counts
/// in it.
fn count_bytes(strings: &StringViewArray, delimiters: impl Fn(&[u8]) -> usize) -> usize {
    strings
        .iter()
        .flatten()
        .map(|s| delimiters(s.as_bytes()) + 1)
        .sum::<usize>()
        .max(strings.len())
}

/// One generated item.
#[derive(Debug, Clone)]
pub enum Item {
    /// One field, evaluated once per input row.
    Field(Arc<dyn PhysicalExpr>),
    /// The flattened bag's fields, of these Pig types.
    Bag(Vec<PigType>),
}

/// FOREACH ... GENERATE with exactly one flattened bag, on batches.
#[derive(Debug)]
pub struct FlattenExec {
    input: Arc<dyn ExecutionPlan>,
    items: Vec<Item>,
    bag: BagSource,
    schema: SchemaRef,
    props: Arc<PlanProperties>,
}

impl FlattenExec {
    /// Generates `items` (one of them the bag of `bag`) over `input`, in `output`'s
    /// layout. The caller checks that the fields' types are the output's.
    pub fn new(
        input: Arc<dyn ExecutionPlan>,
        items: Vec<Item>,
        bag: BagSource,
        output: &Layout,
    ) -> Arc<Self> {
        let props = PlanProperties::new(
            EquivalenceProperties::new(output.arrow.clone()),
            Partitioning::UnknownPartitioning(input.properties().partitioning.partition_count()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Arc::new(FlattenExec {
            input,
            items,
            bag,
            schema: output.arrow.clone(),
            props: Arc::new(props),
        })
    }

    fn flatten(&self, batch: &RecordBatch) -> DFResult<RecordBatch> {
        let types: Vec<PigType> = self
            .items
            .iter()
            .find_map(|i| match i {
                Item::Bag(t) => Some(t.clone()),
                Item::Field(_) => None,
            })
            .unwrap_or_default();
        let (counts, mut bag_columns) = self.bag.eval(batch, &types)?;
        let total: usize = counts.iter().map(|&c| c as usize).sum();
        // Each output row's input row, for the fields repeated beside the bag's (none for
        // a bare FLATTEN).
        let mut indices: Option<UInt32Array> = None;
        let mut columns = Vec::with_capacity(self.schema.fields().len());
        for item in &self.items {
            match item {
                Item::Field(e) => {
                    let indices = indices.get_or_insert_with(|| {
                        let mut v = Vec::with_capacity(total);
                        for (row, &n) in counts.iter().enumerate() {
                            v.extend(std::iter::repeat_n(row as u32, n as usize));
                        }
                        UInt32Array::from(v)
                    });
                    let values = e.evaluate(batch)?.into_array(batch.num_rows())?;
                    columns.push(take(&values, indices, None)?);
                }
                Item::Bag(_) => columns.append(&mut bag_columns),
            }
        }
        let columns = columns
            .into_iter()
            .zip(self.schema.fields())
            .map(|(c, f)| {
                if c.data_type() == f.data_type() {
                    Ok(c)
                } else if *f.data_type() == DataType::Null {
                    Ok(arrow::array::new_null_array(f.data_type(), c.len()))
                } else {
                    Err(DataFusionError::Internal(format!(
                        "FLATTEN made a {} column for {} field {}",
                        c.data_type(),
                        f.data_type(),
                        f.name()
                    )))
                }
            })
            .collect::<DFResult<Vec<_>>>()?;
        Ok(RecordBatch::try_new_with_options(
            self.schema.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(total)),
        )?)
    }
}

impl DisplayAs for FlattenExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.bag {
            BagSource::Tokenize { arg, .. } => write!(f, "FlattenExec: bag=TOKENIZE({arg})"),
            BagSource::Rows { expr, .. } => write!(f, "FlattenExec: bag={expr}"),
        }
    }
}

impl ExecutionPlan for FlattenExec {
    fn name(&self) -> &str {
        "FlattenExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        for item in &self.items {
            if let Item::Field(e) = item
                && f(e)? == TreeNodeRecursion::Stop
            {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        if let BagSource::Tokenize { arg, .. } = &self.bag {
            return f(arg);
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let input = super::one_child(children, "FlattenExec")?;
        let props = PlanProperties::new(
            EquivalenceProperties::new(self.schema.clone()),
            Partitioning::UnknownPartitioning(input.properties().partitioning.partition_count()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(Arc::new(FlattenExec {
            input,
            items: self.items.clone(),
            bag: self.bag.clone(),
            schema: self.schema.clone(),
            props: Arc::new(props),
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let me = FlattenExec {
            input: self.input.clone(),
            items: self.items.clone(),
            bag: self.bag.clone(),
            schema: self.schema.clone(),
            props: self.props.clone(),
        };
        let stream = input.map(move |batch| me.flatten(&batch?));
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema.clone(),
            stream,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(strings: &StringViewArray, delims: &str) -> (Vec<u32>, Vec<Option<String>>) {
        let (counts, columns) = tokenize(strings, delims);
        let t = columns[0].as_string_view();
        (counts, t.iter().map(|s| s.map(str::to_owned)).collect())
    }

    #[test]
    fn tokens_of_short_long_null_and_empty_strings() {
        let long = "a-word-longer-than-twelve-bytes and another-long-one x";
        let strings: StringViewArray =
            vec![Some("to be or"), None, Some(""), Some("  "), Some(long)].into();
        let (counts, got) = tokens(&strings, " ");
        assert_eq!(counts, [3, 1, 0, 0, 4]);
        let want = [
            Some("to"),
            Some("be"),
            Some("or"),
            None,
            Some("a-word-longer-than-twelve-bytes"),
            Some("and"),
            Some("another-long-one"),
            Some("x"),
        ];
        assert_eq!(got, want.map(|s| s.map(str::to_owned)));
    }

    #[test]
    fn long_tokens_point_into_the_strings_buffer() {
        let line = "the-first-long-token the-second-long-token";
        let strings: StringViewArray = vec![Some(line)].into();
        let (_, columns) = tokenize(&strings, " ");
        let t = columns[0].as_string_view();
        assert_eq!(t.value(1), "the-second-long-token");
        // The same buffer, not a copy of the text.
        assert_eq!(t.data_buffers().len(), 1);
        assert_eq!(
            t.data_buffers()[0].as_ptr(),
            strings.data_buffers()[0].as_ptr()
        );
    }

    #[test]
    fn every_kind_of_delimiter_set_splits_alike() {
        let s = "één,twee (drie)*\"vier\" vijf-zes";
        let strings: StringViewArray = vec![Some(s)].into();
        // Pig's default set (more than three ASCII bytes), three or fewer, and a non-ASCII
        // delimiter.
        let (_, got) = tokens(&strings, TOKENIZE_DELIMS);
        assert_eq!(
            got,
            ["één", "twee", "drie", "vier", "vijf-zes"].map(|s| Some(s.to_owned()))
        );
        let (_, got) = tokens(&strings, ",-");
        assert_eq!(
            got,
            ["één", "twee (drie)*\"vier\" vijf", "zes"].map(|s| Some(s.to_owned()))
        );
        let (_, got) = tokens(&strings, "é");
        assert_eq!(got, [Some("n,twee (drie)*\"vier\" vijf-zes".to_owned())]);
    }
}
