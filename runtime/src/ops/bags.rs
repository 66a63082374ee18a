//! `BagsExec`: one row `(group, bag, ...)` per run of rows with equal keys, from a task's
//! rows clustered by key (a GROUP's or COGROUP's reduce after a sort, or a per-key top-k).
//!
//! Its input has the key columns that decide which rows belong together (canonical: equal
//! keys are equal there), the columns of the group's value, the columns of the rows that go
//! into the bags, and for a COGROUP the input each row came from (one bag per input, in
//! input order; a group missing from an INNER input is dropped). A run of equal keys may
//! go on in the next batch: the last group of a batch is finished only when a batch starts
//! with another key, or at the end.
//!
//! When row steps follow (a FOREACH reading the bags), the stage's `PigExec` builds the
//! groups itself with [`GroupRows`] and reads each group's bags where they are built: a bag
//! larger than the task's share of the memory pool spills to disk (`crate::spill`), and is
//! never copied into a batch. `BagsExec` itself, whose batches hold the bags, keeps them in
//! memory.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::Int32Type;
use arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
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
use pigrs_udf::{PigType, Tuple, Value, arrow_layout};

use crate::exec::BATCH_ROWS;
use crate::layout::{Layout, decode_tuple};
use crate::spill::{BagBuilder, BagMemory};

/// Which input columns make what.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BagColumns {
    /// The canonical key columns.
    pub keys: Vec<usize>,
    /// The group's value: one column (a single key), several (a tuple of them), or none
    /// (GROUP ALL: the group is `'all'`).
    pub group: Vec<(usize, PigType)>,
    /// The bag's tuples.
    pub fields: BagFields,
    /// For several inputs (COGROUP): the Int32 column saying which input a row came from,
    /// and per input whether a group without its rows is dropped (INNER).
    pub inputs: Option<(usize, Vec<bool>)>,
}

/// Where the bag's tuples come from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum BagFields {
    /// One column per field, of these Pig types.
    Columns(Vec<(usize, PigType)>),
    /// One binary column of encoded tuples (a relation of unknown schema).
    Encoded(usize),
}

/// Builds one `(group, bag)` row per key from rows clustered by key.
#[derive(Debug)]
pub struct BagsExec {
    input: Arc<dyn ExecutionPlan>,
    columns: BagColumns,
    output: Layout,
    props: Arc<PlanProperties>,
}

impl BagsExec {
    /// Its input: rows clustered by key.
    pub fn input(&self) -> &Arc<dyn ExecutionPlan> {
        &self.input
    }

    /// Which input columns make what.
    pub fn columns(&self) -> &BagColumns {
        &self.columns
    }

    /// Rows `(group, bag)` in `output`'s layout from `input`'s runs of equal keys.
    pub fn new(input: Arc<dyn ExecutionPlan>, columns: BagColumns, output: Layout) -> Arc<Self> {
        let props = PlanProperties::new(
            EquivalenceProperties::new(output.arrow.clone()),
            Partitioning::UnknownPartitioning(input.properties().partitioning.partition_count()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Arc::new(BagsExec {
            input,
            columns,
            output,
            props: Arc::new(props),
        })
    }
}

/// The group being filled: its key, its value and its tuples so far.
struct Open {
    key: Vec<ScalarValue>,
    group: Value,
    /// One bag per input.
    bags: Vec<BagBuilder>,
}

/// A task's groups: rows `(group, bag, ...)` from its rows clustered by key.
pub struct GroupRows {
    columns: BagColumns,
    /// Where the bags keep their tuples (`None`: in memory).
    memory: Option<Arc<BagMemory>>,
    open: Option<Open>,
    done: Vec<Tuple>,
}

impl GroupRows {
    /// The groups of rows with `columns`; bags count against `memory` and spill beyond it
    /// (`None`: held in memory).
    pub fn new(columns: BagColumns, memory: Option<Arc<BagMemory>>) -> Self {
        GroupRows {
            columns,
            memory,
            open: None,
            done: Vec::new(),
        }
    }

    /// The rows of the groups finished so far.
    pub fn take(&mut self) -> Vec<Tuple> {
        std::mem::take(&mut self.done)
    }

    /// How many finished groups wait to be taken.
    pub fn ready(&self) -> usize {
        self.done.len()
    }

    fn key_at(&self, batch: &RecordBatch, row: usize) -> DFResult<Vec<ScalarValue>> {
        self.columns
            .keys
            .iter()
            .map(|&c| ScalarValue::try_from_array(batch.column(c), row))
            .collect()
    }

    fn group_at(&self, batch: &RecordBatch, row: usize) -> Value {
        let value = |(c, t): &(usize, PigType)| arrow_layout::value_at(batch.column(*c), t, row);
        match self.columns.group.as_slice() {
            [] => Value::Chararray("all".into()),
            [one] => value(one),
            many => Value::Tuple(Box::new(many.iter().map(value).collect())),
        }
    }

    /// Finishes the group being filled (at the end of the input).
    pub fn close(&mut self) -> DFResult<()> {
        let Some(open) = self.open.take() else {
            return Ok(());
        };
        if let Some((_, inner)) = &self.columns.inputs
            && inner
                .iter()
                .zip(&open.bags)
                .any(|(&i, b)| i && b.is_empty())
        {
            return Ok(());
        }
        let mut row = Vec::with_capacity(open.bags.len() + 1);
        row.push(open.group);
        for b in open.bags {
            row.push(Value::Bag(Box::new(b.finish()?)));
        }
        self.done.push(row);
        Ok(())
    }

    fn bags(&self) -> usize {
        self.columns
            .inputs
            .as_ref()
            .map_or(1, |(_, inner)| inner.len())
    }

    /// Takes in a batch of rows clustered by key; the groups it finishes are ready.
    pub fn push(&mut self, batch: &RecordBatch) -> DFResult<()> {
        if batch.num_rows() > 0 {
            let keys: Vec<ArrayRef> = self
                .columns
                .keys
                .iter()
                .map(|&c| batch.column(c).clone())
                .collect();
            let ranges = if keys.is_empty() {
                // GROUP ALL: one key.
                let all = 0..batch.num_rows();
                vec![all]
            } else {
                arrow::compute::partition(&keys)?.ranges()
            };
            for range in ranges {
                let key = self.key_at(batch, range.start)?;
                let continues = self.open.as_ref().is_some_and(|o| o.key == key);
                if !continues {
                    self.close()?;
                    self.open = Some(Open {
                        key,
                        group: self.group_at(batch, range.start),
                        bags: (0..self.bags())
                            .map(|_| BagBuilder::new(self.memory.clone()))
                            .collect(),
                    });
                }
                let Some(open) = self.open.as_mut() else {
                    continue;
                };
                match &self.columns.inputs {
                    None => add_rows(&self.columns.fields, &mut open.bags[0], batch, range)?,
                    Some((tag, _)) => {
                        let tags = batch.column(*tag).as_primitive::<Int32Type>();
                        // Runs of one input within the key.
                        let mut start = range.start;
                        while start < range.end {
                            let t = tags.value(start);
                            let mut end = start + 1;
                            while end < range.end && tags.value(end) == t {
                                end += 1;
                            }
                            let bag = usize::try_from(t)
                                .ok()
                                .and_then(|t| open.bags.get_mut(t))
                                .ok_or_else(|| {
                                    DataFusionError::Internal(format!("no COGROUP input {t}"))
                                })?;
                            add_rows(&self.columns.fields, bag, batch, start..end)?;
                            start = end;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// A task of `BagsExec`: its groups, packed into batches.
struct Builder {
    groups: GroupRows,
    output: Layout,
}

impl Builder {
    /// Takes in a batch; returns a batch of the groups it finished, if enough are.
    fn push(&mut self, batch: &RecordBatch) -> DFResult<Option<RecordBatch>> {
        self.groups.push(batch)?;
        Ok((self.groups.ready() >= BATCH_ROWS).then(|| self.flush()))
    }

    fn close(&mut self) -> DFResult<()> {
        self.groups.close()
    }

    fn flush(&mut self) -> RecordBatch {
        self.output.to_batch(&self.groups.take())
    }
}

/// Adds the tuples of `rows` of `batch` (their `fields`) to `bag`.
fn add_rows(
    fields: &BagFields,
    bag: &mut BagBuilder,
    batch: &RecordBatch,
    rows: Range<usize>,
) -> DFResult<()> {
    let fields = match fields {
        BagFields::Columns(f) => f,
        BagFields::Encoded(c) => {
            let encoded = batch.column(*c).as_binary::<i32>();
            for row in rows {
                bag.push(if encoded.is_valid(row) {
                    decode_tuple(encoded.value(row))
                } else {
                    Vec::new()
                })?;
            }
            return Ok(());
        }
    };
    let fields: Vec<(&ArrayRef, &PigType)> =
        fields.iter().map(|(c, t)| (batch.column(*c), t)).collect();
    for row in rows {
        bag.push(
            fields
                .iter()
                .map(|(a, t)| arrow_layout::value_at(a, t, row))
                .collect(),
        )?;
    }
    Ok(())
}

impl fmt::Display for BagColumns {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "keys={:?}, bag={}",
            self.keys,
            match &self.fields {
                BagFields::Columns(f) => format!("{} fields", f.len()),
                BagFields::Encoded(_) => "encoded rows".to_string(),
            }
        )
    }
}

impl DisplayAs for BagsExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BagsExec: {}", self.columns)
    }
}

impl ExecutionPlan for BagsExec {
    fn name(&self) -> &str {
        "BagsExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let input = super::one_child(children, "BagsExec")?;
        Ok(BagsExec::new(
            input,
            self.columns.clone(),
            self.output.clone(),
        ))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let builder = Builder {
            groups: GroupRows::new(self.columns.clone(), None),
            output: self.output.clone(),
        };
        let stream = futures::stream::unfold(
            (input, builder, false),
            |(mut input, mut builder, ended)| async move {
                if ended {
                    return None;
                }
                loop {
                    match input.next().await {
                        Some(Ok(batch)) => match builder.push(&batch) {
                            Ok(Some(out)) => return Some((Ok(out), (input, builder, false))),
                            Ok(None) => {}
                            Err(e) => return Some((Err(e), (input, builder, true))),
                        },
                        Some(Err(e)) => return Some((Err(e), (input, builder, true))),
                        None => {
                            let out = builder.close().map(|()| builder.flush());
                            return Some((out, (input, builder, true)));
                        }
                    }
                }
            },
        );
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.output.arrow.clone(),
            stream,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::physical_plan::test::TestMemoryExec;
    use pigrs_udf::{Field, Schema};

    fn batch(rows: &[(&str, i32)]) -> RecordBatch {
        let layout = Layout::new(Some(Schema::new(vec![
            Field::new("k", PigType::Chararray),
            Field::new("v", PigType::Int),
        ])));
        let rows: Vec<Tuple> = rows
            .iter()
            .map(|(k, v)| vec![Value::Chararray((*k).into()), Value::Int(*v)])
            .collect();
        layout.to_batch(&rows)
    }

    /// Runs of one key across batch boundaries make one group; each key's rows stay in
    /// order.
    #[tokio::test]
    async fn runs_of_a_key_across_batches_make_one_bag() {
        let b1 = batch(&[("a", 1), ("a", 2), ("b", 3)]);
        let b2 = batch(&[("b", 4), ("c", 5)]);
        let schema = b1.schema();
        let input = TestMemoryExec::try_new_exec(&[vec![b1, b2]], schema, None).expect("input");
        let bag_ty = PigType::Bag(Some(Schema::new(vec![
            Field::new("k", PigType::Chararray),
            Field::new("v", PigType::Int),
        ])));
        let output = Layout::new(Some(Schema::new(vec![
            Field::new("group", PigType::Chararray),
            Field::new("x", bag_ty),
        ])));
        let bags = BagsExec::new(
            input,
            BagColumns {
                keys: vec![0],
                group: vec![(0, PigType::Chararray)],
                fields: BagFields::Columns(vec![(0, PigType::Chararray), (1, PigType::Int)]),
                inputs: None,
            },
            output.clone(),
        );
        let batches = datafusion::physical_plan::collect(bags, Arc::new(TaskContext::default()))
            .await
            .expect("runs");
        let rows: Vec<Tuple> = batches.iter().flat_map(|b| output.rows(b)).collect();
        let text: Vec<String> = rows
            .iter()
            .map(|r| format!("{}", Value::Tuple(Box::new(r.clone()))))
            .collect();
        assert_eq!(
            text,
            ["(a,{(a,1),(a,2)})", "(b,{(b,3),(b,4)})", "(c,{(c,5)})"]
        );
    }

    /// A group's bag larger than the task's share of the pool moves to disk as it grows;
    /// read back, it has every tuple in order, and the spilled tuples are counted.
    #[tokio::test]
    async fn a_bag_larger_than_its_share_spills_and_reads_back_in_order() {
        use datafusion::execution::memory_pool::FairSpillPool;
        use datafusion::execution::runtime_env::RuntimeEnvBuilder;

        let rows: Vec<(String, i32)> = (0..20_000)
            .map(|i| (if i < 19_990 { "hot" } else { "cold" }.to_string(), i))
            .collect();
        let refs: Vec<(&str, i32)> = rows.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let batches: Vec<RecordBatch> = refs.chunks(4096).map(batch).collect();
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(256 << 10)))
            .build_arc()
            .expect("runtime");
        let context = Arc::new(TaskContext::default().with_runtime(runtime));
        let stats = Arc::new(crate::stats::StageStats::detached());
        let memory = BagMemory::new(context, 0, stats.clone());
        let mut groups = GroupRows::new(
            BagColumns {
                keys: vec![0],
                group: vec![(0, PigType::Chararray)],
                fields: BagFields::Columns(vec![(1, PigType::Int)]),
                inputs: None,
            },
            Some(memory),
        );
        // Sorted by key: "cold" first.
        let mut sorted = refs.clone();
        sorted.sort_by_key(|(k, _)| *k);
        for chunk in sorted.chunks(4096) {
            groups.push(&batch(chunk)).expect("push");
        }
        groups.close().expect("close");
        let done = groups.take();
        assert_eq!(done.len(), 2);
        let Value::Bag(hot) = &done[1][1] else {
            panic!("not a bag: {:?}", done[1]);
        };
        assert!(hot.is_spilled(), "a 20k-tuple bag fits in 256 KiB?");
        assert!(hot.in_memory().len() < hot.len());
        let values: Vec<i32> = hot
            .iter()
            .map(|t| match t.expect("read back").first() {
                Some(Value::Int(v)) => *v,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(values, (0..19_990).collect::<Vec<_>>());
        assert!(stats.spilled() > 0);
        assert!(batches.len() > 1);
    }
}
