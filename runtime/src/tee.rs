//! Multi-query's tee: one stage's rows handed to several consumers, so what several outputs
//! share is computed (and its input read) once.
//!
//! Each task of the shared stage runs once, started by the first consumer that asks for it,
//! and pushes every batch into one queue per consumer. A consumer that keeps up holds the
//! producer back (a full queue waits for it); one that has stopped taking batches — a
//! replicated join still loading its small side, a sort reading another task first, a LIMIT
//! that has what it needs — does not: after [`STALL`] its batches go to a temporary file
//! (Arrow IPC) instead, read back in order when it gets there, and counted as spilled
//! records of the shared stage. So no consumer can block another, and memory stays bounded.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use arrow::ipc::reader::StreamReader;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PlanProperties,
    SendableRecordBatchStream,
};
use futures::StreamExt;
use tokio::sync::Notify;

use crate::exec::{Output, PigExec, Step};
use crate::stats::StageStats;

/// A consumer that has not asked for a batch for this long while its queue is full is
/// taken to be waiting for something else: its batches go to disk.
pub const STALL: Duration = Duration::from_millis(100);

/// Memory for all queued batches of one tee (split between its queues).
const MEMORY: usize = 1 << 30;

/// The branches of a shared stage, registered while lowering, and per task the batches
/// they wrote that the tee has not handed on yet.
#[derive(Debug)]
pub struct Fanout {
    /// The shared relation's schema.
    schema: Option<pigrs_udf::Schema>,
    branches: Mutex<Vec<Branch>>,
    outboxes: Mutex<HashMap<usize, Vec<(usize, RecordBatch)>>>,
}

/// One reader's steps and output, run in the shared stage's tasks.
#[derive(Clone, Debug)]
pub struct Branch {
    /// Steps applied to the shared rows.
    pub steps: Arc<Vec<Step>>,
    /// Where the branch's rows go.
    pub output: Output,
    /// The branch's statistics (a stage of its own in the report).
    pub stats: Arc<StageStats>,
}

impl Fanout {
    /// A fanout of rows of this schema, with no branches yet.
    pub fn new(schema: Option<pigrs_udf::Schema>) -> Self {
        Fanout {
            schema,
            branches: Mutex::new(Vec::new()),
            outboxes: Mutex::new(HashMap::new()),
        }
    }

    /// The shared relation's schema.
    pub fn schema(&self) -> Option<&pigrs_udf::Schema> {
        self.schema.as_ref()
    }

    /// The branches.
    pub fn branches(&self) -> Vec<Branch> {
        lock(&self.branches).clone()
    }

    /// Batches written by branches in task `task`.
    pub fn post(&self, task: usize, batches: Vec<(usize, RecordBatch)>) {
        if !batches.is_empty() {
            lock(&self.outboxes)
                .entry(task)
                .or_default()
                .extend(batches);
        }
    }

    fn take(&self, task: usize) -> Vec<(usize, RecordBatch)> {
        lock(&self.outboxes).remove(&task).unwrap_or_default()
    }
}

/// A shared stage and the queues of its branches' readers.
pub struct Tee {
    input: Arc<PigExec>,
    split: Arc<Fanout>,
    /// Per task of the shared stage: its branches' queues, once started.
    tasks: Vec<Mutex<Option<Vec<Arc<Queue>>>>>,
    drivers: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

impl fmt::Debug for Tee {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tee")
            .field("branches", &lock(&self.split.branches).len())
            .field("tasks", &self.tasks.len())
            .finish()
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        for d in lock(&self.drivers).drain(..) {
            d.abort();
        }
    }
}

impl Tee {
    /// A tee over the shared stage `input`, whose output is `split`.
    pub fn new(input: Arc<PigExec>, split: Arc<Fanout>) -> Arc<Tee> {
        let tasks = input.properties().partitioning.partition_count();
        Arc::new(Tee {
            input,
            split,
            tasks: (0..tasks).map(|_| Mutex::new(None)).collect(),
            drivers: Mutex::new(Vec::new()),
        })
    }

    /// The shared stage's number of tasks.
    pub fn tasks(&self) -> usize {
        self.tasks.len()
    }

    /// A new branch: `steps` then `output` applied to the shared rows; the plan node its
    /// reader reads the branch's batches from, task for task.
    pub fn branch(
        self: &Arc<Self>,
        steps: Vec<Step>,
        output: Output,
        stats: Arc<StageStats>,
    ) -> Arc<TeeExec> {
        let schema = output.schema();
        let mut branches = lock(&self.split.branches);
        let index = branches.len();
        branches.push(Branch {
            steps: Arc::new(steps),
            output,
            stats: stats.clone(),
        });
        let props = PlanProperties::new(
            EquivalenceProperties::new(schema),
            Partitioning::UnknownPartitioning(self.tasks.len()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Arc::new(TeeExec {
            tee: self.clone(),
            input: self.input.clone(),
            branch: index,
            stats,
            props: Arc::new(props),
        })
    }

    /// Branch `branch`'s queue for task `task`, starting the task if it is the first to
    /// ask.
    fn open(&self, branch: usize, task: usize, ctx: Arc<TaskContext>) -> DFResult<Arc<Queue>> {
        let slot = self
            .tasks
            .get(task)
            .ok_or_else(|| DataFusionError::Internal(format!("shared stage has no task {task}")))?;
        let mut slot = lock(slot);
        if slot.is_none() {
            let branches = lock(&self.split.branches).len();
            let budget = (MEMORY / (branches * self.tasks.len()).max(1)).clamp(16 << 20, 512 << 20);
            let queues: Vec<Arc<Queue>> = (0..branches).map(|_| Arc::new(Queue::new())).collect();
            let input = self.input.execute(task, ctx)?;
            let producer = Producer {
                queues: queues.clone(),
                split: self.split.clone(),
                task,
                budget,
                stats: self.input.stage_stats().clone(),
                ended: false,
            };
            lock(&self.drivers).push(tokio::spawn(producer.run(input)));
            *slot = Some(queues);
        }
        let queue = slot
            .as_ref()
            .and_then(|qs| qs.get(branch))
            .cloned()
            .ok_or_else(|| DataFusionError::Internal(format!("no tee branch {branch}")))?;
        if queue.taken.swap(true, Ordering::SeqCst) {
            return Err(DataFusionError::Internal(format!(
                "tee branch {branch} asked twice for task {task}"
            )));
        }
        Ok(queue)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One branch of a shared stage, as a plan node: its batches, task for task.
pub struct TeeExec {
    tee: Arc<Tee>,
    /// The shared stage (as a child, for EXPLAIN).
    input: Arc<dyn ExecutionPlan>,
    branch: usize,
    stats: Arc<StageStats>,
    props: Arc<PlanProperties>,
}

impl TeeExec {
    /// The branch's statistics.
    pub fn stage_stats(&self) -> &Arc<StageStats> {
        &self.stats
    }
}

impl fmt::Debug for TeeExec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TeeExec")
            .field("branch", &self.branch)
            .finish()
    }
}

impl DisplayAs for TeeExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let branches = self.tee.split.branches();
        write!(f, "Branch {} of {}", self.branch + 1, branches.len())?;
        match branches.get(self.branch) {
            Some(b) => crate::exec::write_steps_and_output(f, &b.steps, &b.output),
            None => Ok(()),
        }
    }
}

impl ExecutionPlan for TeeExec {
    fn name(&self) -> &str {
        "TeeExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        match children.as_slice() {
            [c] if Arc::ptr_eq(c, &self.input) => Ok(self),
            _ => Err(DataFusionError::Internal(
                "a tee's shared input cannot be replaced".into(),
            )),
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let queue = self.tee.open(self.branch, partition, context)?;
        let reader = Reader { queue, spill: None };
        let stream = futures::stream::unfold(reader, |mut r| async move {
            let next = r.next().await;
            next.map(|b| (b, r))
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.props.eq_properties.schema().clone(),
            stream.boxed(),
        )))
    }
}

/// Batches on their way to one consumer.
struct Queue {
    state: Mutex<QueueState>,
    /// Wakes the consumer: a batch arrived, or the end.
    ready: Notify,
    /// Wakes the producer: the consumer took a batch or went away.
    drained: Notify,
    /// Whether the consumer has opened it.
    taken: AtomicBool,
}

struct QueueState {
    items: VecDeque<Item>,
    /// Bytes of the batches held in memory.
    memory: usize,
    /// Set when the producer is done: `Err` if it failed.
    end: Option<Result<(), Arc<DataFusionError>>>,
    /// The consumer went away: drop everything.
    closed: bool,
    /// When the consumer last asked for a batch.
    last_ask: Instant,
}

enum Item {
    Batch(RecordBatch, usize),
    Spilled(Box<Spill>),
}

/// Batches in a temporary file (removed when closed), in the order they came.
struct Spill {
    file: File,
    writer: Option<StreamWriter<BufWriter<File>>>,
}

impl Spill {
    fn create(batch: &RecordBatch) -> std::io::Result<Spill> {
        let file = tempfile::tempfile()?;
        let writer = StreamWriter::try_new(BufWriter::new(file.try_clone()?), &batch.schema())
            .map_err(std::io::Error::other)?;
        Ok(Spill {
            file,
            writer: Some(writer),
        })
    }

    fn write(&mut self, batch: &RecordBatch) -> std::io::Result<()> {
        match &mut self.writer {
            Some(w) => w.write(batch).map_err(std::io::Error::other),
            None => Err(std::io::Error::other("spill file already closed")),
        }
    }

    /// Finishes writing (if still open).
    fn close(&mut self) -> std::io::Result<()> {
        if let Some(mut w) = self.writer.take() {
            w.finish().map_err(std::io::Error::other)?;
            w.into_inner().map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    fn reader(mut self: Box<Self>) -> std::io::Result<StreamReader<BufReader<File>>> {
        self.close()?;
        self.file.seek(SeekFrom::Start(0))?;
        StreamReader::try_new(BufReader::new(self.file), None).map_err(std::io::Error::other)
    }
}

fn spill_error(e: std::io::Error) -> DataFusionError {
    DataFusionError::Execution(format!("cannot spill shared rows to a temporary file: {e}"))
}

impl Queue {
    fn new() -> Queue {
        Queue {
            state: Mutex::new(QueueState {
                items: VecDeque::new(),
                memory: 0,
                end: None,
                closed: false,
                last_ask: Instant::now(),
            }),
            ready: Notify::new(),
            drained: Notify::new(),
            taken: AtomicBool::new(false),
        }
    }

    /// Queues a batch; false when the consumer has gone away.
    async fn push(&self, batch: &RecordBatch, budget: usize, stats: &StageStats) -> DFResult<bool> {
        let size = batch.get_array_memory_size();
        loop {
            let drained = self.drained.notified();
            {
                let mut st = lock(&self.state);
                if st.closed {
                    return Ok(false);
                }
                if st.memory == 0 || st.memory + size <= budget {
                    // In memory, after whatever went to disk before it.
                    if let Some(Item::Spilled(s)) = st.items.back_mut() {
                        s.close().map_err(spill_error)?;
                    }
                    st.items.push_back(Item::Batch(batch.clone(), size));
                    st.memory += size;
                    self.ready.notify_one();
                    return Ok(true);
                }
                if st.last_ask.elapsed() >= STALL {
                    // The consumer is not taking batches: keep them on disk.
                    match st.items.back_mut() {
                        Some(Item::Spilled(s)) if s.writer.is_some() => {
                            s.write(batch).map_err(spill_error)?
                        }
                        _ => {
                            let mut s = Spill::create(batch).map_err(spill_error)?;
                            s.write(batch).map_err(spill_error)?;
                            st.items.push_back(Item::Spilled(Box::new(s)));
                        }
                    }
                    stats.add_spilled(batch.num_rows() as u64);
                    self.ready.notify_one();
                    return Ok(true);
                }
            }
            // The consumer is taking batches: wait for room, but not for ever.
            let _ = tokio::time::timeout(STALL, drained).await;
        }
    }

    fn end(&self, end: Result<(), Arc<DataFusionError>>) {
        let mut st = lock(&self.state);
        if st.end.is_none() {
            st.end = Some(end);
        }
        drop(st);
        self.ready.notify_one();
    }
}

/// Runs one task of the shared stage, handing each branch's batches to its queue.
struct Producer {
    queues: Vec<Arc<Queue>>,
    split: Arc<Fanout>,
    task: usize,
    budget: usize,
    stats: Arc<StageStats>,
    ended: bool,
}

impl Producer {
    /// Moves the batches the branches wrote into their queues; false when no reader
    /// wants more.
    async fn hand_on(&self) -> DFResult<bool> {
        for (branch, batch) in self.split.take(self.task) {
            if let Some(q) = self.queues.get(branch) {
                q.push(&batch, self.budget, &self.stats).await?;
            }
        }
        let open = self.queues.iter().any(|q| !lock(&q.state).closed);
        Ok(open)
    }

    async fn run(mut self, mut input: SendableRecordBatchStream) {
        while let Some(item) = input.next().await {
            match item {
                Ok(_) => {
                    match self.hand_on().await {
                        Ok(true) => {}
                        // Every reader has what it needs.
                        Ok(false) => return self.end(Ok(())),
                        Err(e) => return self.end(Err(Arc::new(e))),
                    }
                    // A scan is always ready: without this the producer would keep its
                    // worker thread until its input ends, and the consumers could not run.
                    tokio::task::yield_now().await;
                }
                Err(e) => return self.end(Err(Arc::new(e))),
            }
        }
        // What the branches wrote when the task ended.
        if let Err(e) = self.hand_on().await {
            return self.end(Err(Arc::new(e)));
        }
        self.end(Ok(()))
    }

    fn end(&mut self, end: Result<(), Arc<DataFusionError>>) {
        self.ended = true;
        for q in &self.queues {
            q.end(end.clone());
        }
    }
}

impl Drop for Producer {
    /// A producer that panicked or was aborted must not leave its consumers waiting.
    fn drop(&mut self) {
        if !self.ended {
            self.end(Err(Arc::new(DataFusionError::Execution(
                "the shared stage stopped before its end".into(),
            ))));
        }
    }
}

/// One consumer's end of a queue.
struct Reader {
    queue: Arc<Queue>,
    spill: Option<StreamReader<BufReader<File>>>,
}

impl Reader {
    async fn next(&mut self) -> Option<DFResult<RecordBatch>> {
        loop {
            if let Some(r) = &mut self.spill {
                match r.next() {
                    Some(Ok(b)) => return Some(Ok(b)),
                    Some(Err(e)) => {
                        self.spill = None;
                        return Some(Err(DataFusionError::ArrowError(Box::new(e), None)));
                    }
                    None => self.spill = None,
                }
            }
            let ready = self.queue.ready.notified();
            {
                let mut st = lock(&self.queue.state);
                st.last_ask = Instant::now();
                match st.items.pop_front() {
                    Some(Item::Batch(b, size)) => {
                        st.memory -= size;
                        drop(st);
                        self.queue.drained.notify_one();
                        return Some(Ok(b));
                    }
                    Some(Item::Spilled(s)) => {
                        drop(st);
                        match s.reader() {
                            Ok(r) => self.spill = Some(r),
                            Err(e) => return Some(Err(spill_error(e))),
                        }
                        continue;
                    }
                    None => match st.end.take() {
                        Some(Ok(())) => {
                            st.end = Some(Ok(()));
                            return None;
                        }
                        Some(Err(e)) => {
                            // Reported once; the stream ends after it.
                            st.end = Some(Ok(()));
                            return Some(Err(DataFusionError::Shared(e)));
                        }
                        None => {}
                    },
                }
            }
            ready.await;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let mut st = lock(&self.queue.state);
        st.closed = true;
        st.items.clear();
        st.memory = 0;
        drop(st);
        self.queue.drained.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{ArrayRef, Int64Array};

    fn batch(from: i64, n: i64) -> RecordBatch {
        let col: ArrayRef = Arc::new(Int64Array::from_iter_values(from..from + n));
        RecordBatch::try_from_iter([("x", col)]).unwrap()
    }

    fn values(b: &RecordBatch) -> Vec<i64> {
        let col = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
        col.values().to_vec()
    }

    fn stalled_queue() -> Arc<Queue> {
        let q = Arc::new(Queue::new());
        lock(&q.state).last_ask = Instant::now() - 2 * STALL;
        q
    }

    #[tokio::test]
    async fn a_stalled_reader_gets_its_batches_from_disk_in_order() {
        let q = stalled_queue();
        let stats = StageStats::detached();
        for i in 0..4 {
            // A budget of one byte: only the first batch stays in memory.
            assert!(q.push(&batch(i * 10, 10), 1, &stats).await.unwrap());
        }
        q.end(Ok(()));
        assert_eq!(stats.spilled(), 30);
        let mut reader = Reader {
            queue: q.clone(),
            spill: None,
        };
        let mut seen = Vec::new();
        while let Some(b) = reader.next().await {
            seen.extend(values(&b.unwrap()));
        }
        assert_eq!(seen, (0..40).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn batches_after_a_spill_stay_in_order() {
        let q = stalled_queue();
        let stats = StageStats::detached();
        q.push(&batch(0, 5), 1, &stats).await.unwrap();
        q.push(&batch(5, 5), 1, &stats).await.unwrap(); // spilled
        let mut reader = Reader {
            queue: q.clone(),
            spill: None,
        };
        assert_eq!(
            values(&reader.next().await.unwrap().unwrap()),
            [0, 1, 2, 3, 4]
        );
        // Memory is free again: the next batch is queued in memory, after the spilled one.
        q.push(&batch(10, 5), 1 << 20, &stats).await.unwrap();
        q.end(Ok(()));
        let mut rest = Vec::new();
        while let Some(b) = reader.next().await {
            rest.extend(values(&b.unwrap()));
        }
        assert_eq!(rest, (5..15).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_reader_that_keeps_up_holds_the_producer_back_instead_of_spilling() {
        let q = Arc::new(Queue::new());
        let stats = Arc::new(StageStats::detached());
        let producer = {
            let (q, stats) = (q.clone(), stats.clone());
            tokio::spawn(async move {
                for i in 0..20 {
                    q.push(&batch(i * 100, 100), 1, &stats).await.unwrap();
                }
                q.end(Ok(()));
            })
        };
        let mut reader = Reader {
            queue: q.clone(),
            spill: None,
        };
        let mut n = 0;
        while let Some(b) = reader.next().await {
            n += b.unwrap().num_rows();
        }
        producer.await.unwrap();
        assert_eq!(n, 2000);
        assert_eq!(stats.spilled(), 0);
    }

    #[tokio::test]
    async fn a_reader_that_went_away_stops_the_producer() {
        let q = Arc::new(Queue::new());
        let stats = StageStats::detached();
        drop(Reader {
            queue: q.clone(),
            spill: None,
        });
        assert!(!q.push(&batch(0, 1), 1 << 20, &stats).await.unwrap());
    }

    #[tokio::test]
    async fn a_failed_producer_is_reported_once() {
        let q = Arc::new(Queue::new());
        q.end(Err(Arc::new(DataFusionError::Execution(
            "bad input".into(),
        ))));
        let mut reader = Reader {
            queue: q.clone(),
            spill: None,
        };
        let err = reader.next().await.unwrap().unwrap_err();
        assert!(err.to_string().contains("bad input"), "{err}");
        assert!(reader.next().await.is_none());
    }
}
