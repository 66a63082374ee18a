//! pigrs's own DataFusion execution plan nodes.
//!
//! One [`PigExec`] node type implements DataFusion's `ExecutionPlan` once; what it does comes
//! from its [`Source`] (the batches of DataFusion operators, a reduce over shuffled rows, a
//! rank, a stream) followed by a fused chain of row [`Step`]s (FILTER, FOREACH, SAMPLE) and an
//! [`Output`] layout: plain rows, or rows keyed for the next
//! shuffle. That is a map or reduce stage: the work one task does between two shuffles.

use std::fmt;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, Distribution, ExecutionPlan, InputDistributionRequirements,
    Partitioning, PhysicalExpr, PlanProperties, SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};
use pigrs_planner::expr::Expr;
use pigrs_planner::logical::{GenItem, NestedStep, SortKey};
use pigrs_udf::value::compare;
use pigrs_udf::{Bag, Tuple, Value};

use crate::eval::{EvalCtx, EvalError, compare_keys, rand_unit};
use crate::layout::Layout;
use crate::ops::bags::{BagColumns, BagsExec, GroupRows};
use crate::spill::{BagMemory, bag_err};
use crate::stats::{StageStats, Stats, features_of};
use crate::tee::Fanout;

/// Rows per batch.
pub const BATCH_ROWS: usize = 8192;

/// A per-row step fused into a stage.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum Step {
    /// FILTER.
    Filter(Expr),
    /// FOREACH with an optional nested block.
    Foreach {
        /// Nested statements.
        nested: Vec<NestedStep>,
        /// GENERATE list.
        generate: Vec<GenItem>,
    },
    /// SAMPLE.
    Sample(#[serde(with = "pigrs_planner::wire::f64_bits")] f64),
}

/// Where a stage's rows go.
#[derive(Clone, Debug)]
pub enum Output {
    /// Batches of the relation's layout.
    Rows(Layout),
    /// A shared stage (multi-query): its rows go through each branch's steps and output,
    /// in the same task, and the tee hands each branch's batches to its reader.
    Split(Arc<Fanout>),
}

impl Output {
    /// The Arrow schema of the batches it writes (a split writes empty batches: its
    /// branches' batches go to the tee).
    pub fn schema(&self) -> arrow::datatypes::SchemaRef {
        match self {
            Output::Rows(l) => l.arrow.clone(),
            Output::Split(_) => Arc::new(arrow::datatypes::Schema::empty()),
        }
    }
}

/// Where a stage's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Another plan's rows, task for task.
    Rows(Layout),
    /// The groups of child 0's rows, clustered by key (a GROUP's reduce): rows
    /// `(group, bag, ...)` whose bags spill beyond the task's share of the memory pool.
    Groups(BagColumns),
    /// All rows of child 0 in one task, each with its rank prepended (RANK).
    Rank {
        /// Layout of the child.
        layout: Layout,
        /// Rank keys; empty numbers rows in input order.
        keys: Vec<SortKey>,
        /// Dense ranks.
        dense: bool,
    },
    /// Child 0's rows of each task piped through an external command (STREAM).
    Stream {
        /// Layout of the child.
        layout: Layout,
        /// The command.
        command: Arc<crate::stream::Command>,
    },
}

/// A stage: source, fused steps, output.
#[derive(Debug)]
pub struct PigExec {
    source: Source,
    steps: Arc<Vec<Step>>,
    output: Output,
    children: Vec<Arc<dyn ExecutionPlan>>,
    props: Arc<PlanProperties>,
    ctx: EvalCtx,
    stats: Arc<StageStats>,
    /// Whether its input rows are the stage's records in (not when it continues a stage
    /// begun by DataFusion operators, which counted them).
    count_in: bool,
    /// Whether the stage ends here: its rows are its records out, and a task's end is the
    /// stage's (not when DataFusion operators of the stage follow, see [`PigExec::open`]).
    ends_stage: bool,
}

impl PigExec {
    /// A stage; `children` as its source needs them.
    pub fn new(
        source: Source,
        steps: Vec<Step>,
        output: Output,
        children: Vec<Arc<dyn ExecutionPlan>>,
        ctx: EvalCtx,
        stats: &Stats,
    ) -> Arc<Self> {
        let props = properties(&source, &output, &children);
        let partitions = props.partitioning.partition_count();
        let stats = stats.stage(source_name(&source), partitions);
        stats.describe(&steps, &output);
        Self::build(source, steps, output, children, ctx, stats, props, true)
    }

    /// Row steps and an output after `child`, whose rows (in `layout`) come from DataFusion
    /// operators of the stage `stage`: the node is part of that stage, which counted the
    /// rows coming in.
    pub fn in_stage(
        layout: Layout,
        steps: Vec<Step>,
        output: Output,
        child: Arc<dyn ExecutionPlan>,
        ctx: EvalCtx,
        stage: Arc<StageStats>,
    ) -> Arc<Self> {
        // Groups read by row steps are built here, where their bags are read: a bag that
        // spills is never packed into a batch.
        let (source, child) = match child.downcast_ref::<BagsExec>() {
            Some(bags) => (Source::Groups(bags.columns().clone()), bags.input().clone()),
            None => (Source::Rows(layout), child),
        };
        for tag in features_of(&steps, &output) {
            stage.add_feature(tag);
        }
        let children = vec![child];
        let props = properties(&source, &output, &children);
        Self::build(source, steps, output, children, ctx, stage, props, false)
    }

    #[allow(clippy::too_many_arguments)]
    fn build(
        source: Source,
        steps: Vec<Step>,
        output: Output,
        children: Vec<Arc<dyn ExecutionPlan>>,
        ctx: EvalCtx,
        stats: Arc<StageStats>,
        props: PlanProperties,
        count_in: bool,
    ) -> Arc<Self> {
        Arc::new(PigExec {
            source,
            steps: Arc::new(steps),
            output,
            children,
            props: Arc::new(props),
            ctx,
            stats,
            count_in,
            ends_stage: true,
        })
    }

    /// The same node with its stage left open: DataFusion operators of the stage follow
    /// it, and whatever ends the stage counts the records out and times the tasks.
    pub fn open(self: Arc<Self>) -> Arc<Self> {
        Arc::new(PigExec {
            source: self.source.clone(),
            steps: self.steps.clone(),
            output: self.output.clone(),
            children: self.children.clone(),
            props: self.props.clone(),
            ctx: self.ctx.clone(),
            stats: self.stats.clone(),
            count_in: self.count_in,
            ends_stage: false,
        })
    }
}

impl PigExec {
    /// The statistics of this stage.
    pub fn stage_stats(&self) -> &Arc<StageStats> {
        &self.stats
    }
}

/// A stage node's properties: one partition per task of its input, and a single one for
/// RANK, which numbers all rows in one task.
fn properties(
    source: &Source,
    output: &Output,
    children: &[Arc<dyn ExecutionPlan>],
) -> PlanProperties {
    let partitions = match (source, children.first()) {
        (Source::Rank { .. }, _) | (_, None) => 1,
        (_, Some(child)) => child.properties().partitioning.partition_count(),
    };
    PlanProperties::new(
        EquivalenceProperties::new(output.schema()),
        Partitioning::UnknownPartitioning(partitions),
        EmissionType::Incremental,
        Boundedness::Bounded,
    )
}

fn source_name(source: &Source) -> &'static str {
    match source {
        Source::Rows(_) => "Map",
        Source::Groups(_) => "Groups",
        Source::Rank { .. } => "Rank",
        Source::Stream { .. } => "Stream",
    }
}

impl DisplayAs for PigExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", source_name(&self.source))?;
        match &self.source {
            Source::Stream { command, .. } => write!(f, " command=`{}`", command.line)?,
            Source::Groups(columns) => write!(f, " {columns}")?,
            _ => {}
        }
        write_steps_and_output(f, &self.steps, &self.output)
    }
}

/// EXPLAIN's text for a stage's steps and output: ` -> Filter(..) -> ShuffleWrite(..)`.
pub fn write_steps_and_output(
    f: &mut fmt::Formatter<'_>,
    steps: &[Step],
    output: &Output,
) -> fmt::Result {
    for s in steps {
        match s {
            Step::Filter(c) => write!(f, " -> Filter({c})")?,
            Step::Foreach { .. } => write!(f, " -> Foreach")?,
            Step::Sample(p) => write!(f, " -> Sample({p})")?,
        }
    }
    match output {
        Output::Rows(_) => Ok(()),
        Output::Split(split) => write!(f, " -> Split(branches={})", split.branches().len()),
    }
}

impl ExecutionPlan for PigExec {
    fn name(&self) -> &str {
        source_name(&self.source)
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        self.children.iter().collect()
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        // RANK reads every task of its input itself, in order.
        let each = match self.source {
            Source::Rank { .. } => Distribution::SinglePartition,
            _ => Distribution::UnspecifiedDistribution,
        };
        InputDistributionRequirements::new(vec![each; self.children.len()])
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
        if children.len() != self.children.len() {
            return datafusion::common::internal_err!(
                "{} has {} children, given {}",
                self.name(),
                self.children.len(),
                children.len()
            );
        }
        let props = Arc::new(properties(&self.source, &self.output, &children));
        Ok(Arc::new(PigExec {
            source: self.source.clone(),
            steps: self.steps.clone(),
            output: self.output.clone(),
            children,
            props,
            ctx: self.ctx.clone(),
            stats: self.stats.clone(),
            count_in: self.count_in,
            ends_stage: self.ends_stage,
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let schema = self.props.eq_properties.schema().clone();
        let mut emitter = Emitter::new(
            self.steps.clone(),
            self.output.clone(),
            self.ctx.clone(),
            self.stats.clone(),
            partition,
        );
        emitter.ends_stage = self.ends_stage;
        let stream = self.source_stream(partition, context, emitter)?;
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

type BatchStream = futures::stream::BoxStream<'static, DFResult<RecordBatch>>;

fn eval_err(e: EvalError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

impl PigExec {
    fn source_stream(
        &self,
        partition: usize,
        ctx: Arc<TaskContext>,
        mut emitter: Emitter,
    ) -> DFResult<BatchStream> {
        match &self.source {
            Source::Groups(columns) => {
                let input = self.children[0].execute(partition, ctx.clone())?;
                let memory = BagMemory::new(ctx, partition, emitter.stats.clone());
                emitter.share_bag_memory(&memory);
                let groups = std::sync::Mutex::new(GroupRows::new(columns.clone(), Some(memory)));
                // The end of the input is a `None`: the last group is finished then.
                let input = input
                    .map(|b| b.map(Some))
                    .chain(futures::stream::once(async { Ok(None) }));
                Ok(map_batches(
                    input.boxed(),
                    move |b: Option<RecordBatch>, em| {
                        let mut groups = groups
                            .lock()
                            .map_err(|_| DataFusionError::Internal("a task's groups".into()))?;
                        match b {
                            Some(b) => groups.push(&b)?,
                            None => groups.close()?,
                        }
                        let rows = groups.take();
                        drop(groups);
                        em.emit(rows)
                    },
                    emitter,
                ))
            }
            Source::Rows(layout) => {
                let input = self.children[0].execute(partition, ctx)?;
                let layout = layout.clone();
                let count_in = self.count_in;
                Ok(map_batches(
                    input.boxed(),
                    move |b, em| {
                        let rows = layout.rows(&b);
                        if count_in {
                            em.stats.add_in(rows.len() as u64);
                        }
                        em.emit(rows)
                    },
                    emitter,
                ))
            }
            Source::Rank {
                layout,
                keys,
                dense,
            } => {
                let child = self.children[0].clone();
                let (layout, keys, dense) = (layout.clone(), keys.clone(), *dense);
                let fut = async move {
                    let rows = collect_rows(child, &layout, ctx).await?;
                    emitter.stats.add_in(rows.len() as u64);
                    let ranked = rank_rows(&emitter.ctx, rows, &keys, dense).map_err(eval_err)?;
                    emitter.emit_all(ranked)
                };
                Ok(batches_when_done(fut))
            }
            Source::Stream { layout, command } => {
                let input = self.children[0].execute(partition, ctx)?;
                let (layout, command) = (layout.clone(), command.clone());
                let runner = command.clone();
                let fut = async move {
                    let batches: Vec<RecordBatch> = input.try_collect().await?;
                    let rows: Vec<Tuple> = batches.iter().flat_map(|b| layout.rows(b)).collect();
                    drop(batches);
                    emitter.stats.add_in(rows.len() as u64);
                    let out = tokio::task::spawn_blocking(move || runner.run(&rows))
                        .await
                        .map_err(|e| DataFusionError::External(Box::new(e)))?
                        .map_err(|e| {
                            eval_err(EvalError {
                                message: e.0,
                                span: command.span,
                            })
                        })?;
                    emitter.emit_all(out)
                };
                Ok(batches_when_done(fut))
            }
        }
    }
}

/// Prepends each row's rank (a long): its position in input order without keys; with keys,
/// rows are sorted and tied rows share a rank (`dense`: the next rank follows directly,
/// else it skips past the ties, like SQL's RANK).
fn rank_rows(
    ctx: &EvalCtx,
    rows: Vec<Tuple>,
    keys: &[SortKey],
    dense: bool,
) -> Result<Vec<Tuple>, EvalError> {
    let prepend = |rank: i64, r: Tuple| {
        let mut out = Vec::with_capacity(r.len() + 1);
        out.push(Value::Long(rank));
        out.extend(r);
        out
    };
    if keys.is_empty() {
        return Ok(rows
            .into_iter()
            .enumerate()
            .map(|(i, r)| prepend(i as i64 + 1, r))
            .collect());
    }
    let mut keyed: Vec<(Vec<Value>, Tuple)> =
        ctx.sort_keys(keys, &rows)?.into_iter().zip(rows).collect();
    keyed.sort_by(|a, b| compare_keys(&a.0, &b.0, keys));
    let mut out = Vec::with_capacity(keyed.len());
    let mut rank = 0i64;
    let mut prev: Option<Vec<Value>> = None;
    for (i, (k, r)) in keyed.into_iter().enumerate() {
        let tied = prev
            .as_ref()
            .is_some_and(|p| compare_keys(p, &k, keys) == std::cmp::Ordering::Equal);
        if !tied {
            rank = if dense { rank + 1 } else { i as i64 + 1 };
        }
        out.push(prepend(rank, r));
        prev = Some(k);
    }
    Ok(out)
}

/// The stream of a task that produces all its batches at once, when `fut` completes
/// (sorts, reduces, ranks: they need all their input first).
fn batches_when_done(
    fut: impl std::future::Future<Output = DFResult<Vec<RecordBatch>>> + Send + 'static,
) -> BatchStream {
    futures::stream::once(fut)
        .map_ok(|bs| futures::stream::iter(bs.into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// Runs every task of `plan` concurrently and gathers its rows.
pub async fn collect_rows(
    plan: Arc<dyn ExecutionPlan>,
    layout: &Layout,
    ctx: Arc<TaskContext>,
) -> DFResult<Vec<Tuple>> {
    let batches = datafusion::physical_plan::collect_partitioned(plan, ctx).await?;
    let mut rows = Vec::new();
    for part in batches {
        for b in part {
            rows.extend(layout.rows(&b));
        }
    }
    Ok(rows)
}

fn map_batches<T: Send + 'static>(
    input: futures::stream::BoxStream<'static, DFResult<T>>,
    f: impl Fn(T, &mut Emitter) -> DFResult<Vec<RecordBatch>> + Send + 'static,
    emitter: Emitter,
) -> BatchStream {
    let main = futures::stream::unfold(
        (input, emitter, f, false),
        |(mut input, mut em, f, done)| async move {
            if done {
                return None;
            }
            loop {
                if em.exhausted() {
                    return Some((
                        Ok(Emitted::Finished(Box::new(em))),
                        (input, Emitter::spent(), f, true),
                    ));
                }
                match input.next().await {
                    None => {
                        return Some((
                            Ok(Emitted::Finished(Box::new(em))),
                            (input, Emitter::spent(), f, true),
                        ));
                    }
                    Some(Err(e)) => return Some((Err(e), (input, em, f, true))),
                    Some(Ok(b)) => match f(b, &mut em) {
                        Ok(out) if !out.is_empty() => {
                            return Some((Ok(Emitted::Batches(out)), (input, em, f, false)));
                        }
                        Ok(_) => {}
                        Err(e) => return Some((Err(e), (input, em, f, true))),
                    },
                }
            }
        },
    );
    main.map(|item| match item {
        Ok(Emitted::Batches(bs)) => {
            futures::stream::iter(bs.into_iter().map(Ok).collect::<Vec<_>>())
        }
        Ok(Emitted::Finished(mut em)) => match em.finish() {
            Ok(bs) => futures::stream::iter(bs.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(e) => futures::stream::iter(vec![Err(e)]),
        },
        Err(e) => futures::stream::iter(vec![Err(e)]),
    })
    .flatten()
    .boxed()
}

enum Emitted {
    Batches(Vec<RecordBatch>),
    Finished(Box<Emitter>),
}

/// Applies a stage's steps to rows and packs the result in the output layout.
struct Emitter {
    steps: Arc<Vec<Step>>,
    output: Output,
    ctx: EvalCtx,
    stats: Arc<StageStats>,
    started: std::time::Instant,
    /// For a split: each branch's emitter, and the task (whose outbox gets their batches).
    branches: Vec<Emitter>,
    task: usize,
    /// Whether the stage ends with this emitter's output (see [`PigExec::open`]).
    ends_stage: bool,
    /// Whether rows have come (a task dropped after that, as a LIMIT above does once it
    /// has its rows, still ran).
    active: bool,
    /// Whether the task's time has been recorded.
    recorded: bool,
}

impl Drop for Emitter {
    /// A task dropped before its end (a LIMIT above had all it needed) still ran: its
    /// time is recorded.
    fn drop(&mut self) {
        if self.ends_stage && self.active {
            self.finish_task();
        }
    }
}

impl Emitter {
    /// A placeholder left behind once a task's emitter has been handed to `finish`.
    fn spent() -> Emitter {
        Emitter {
            steps: Arc::new(Vec::new()),
            output: Output::Rows(Layout::new(None)),
            ctx: EvalCtx::default(),
            stats: Arc::new(StageStats::detached()),
            started: std::time::Instant::now(),
            branches: Vec::new(),
            task: 0,
            ends_stage: true,
            active: false,
            recorded: true,
        }
    }

    /// The emitter of one task of a stage.
    fn new(
        steps: Arc<Vec<Step>>,
        output: Output,
        ctx: EvalCtx,
        stats: Arc<StageStats>,
        task: usize,
    ) -> Emitter {
        let branches = match &output {
            Output::Split(split) => split
                .branches()
                .into_iter()
                .map(|b| Emitter::new(b.steps, b.output, ctx.clone(), b.stats, task))
                .collect(),
            _ => Vec::new(),
        };
        Emitter {
            steps,
            output,
            ctx,
            stats,
            started: std::time::Instant::now(),
            branches,
            task,
            ends_stage: true,
            active: false,
            recorded: false,
        }
    }

    /// Lets the bags its steps (and its branches' steps) build spill within `memory`.
    fn share_bag_memory(&mut self, memory: &Arc<BagMemory>) {
        self.ctx.bags = Some(memory.clone());
        for b in &mut self.branches {
            b.share_bag_memory(memory);
        }
    }

    /// Hands rows to every branch of a split that still wants rows; their batches go to
    /// the task's outbox.
    fn dispatch(&mut self, split: &Fanout, rows: Vec<Tuple>) -> DFResult<()> {
        let mut rows = Some(rows);
        let last = self.branches.iter().rposition(|b| !b.exhausted());
        let mut out = Vec::new();
        for (i, b) in self.branches.iter_mut().enumerate() {
            if b.exhausted() {
                continue;
            }
            let shared = rows.as_deref().unwrap_or_default();
            b.stats.add_in(shared.len() as u64);
            let emitted = match b.steps.first() {
                // A branch that starts with a filter copies only the rows it keeps.
                Some(Step::Filter(cond)) if Some(i) != last => {
                    let mut kept = Vec::new();
                    for r in shared {
                        if b.ctx.test(cond, r, &[]).map_err(eval_err)? {
                            kept.push(r.clone());
                        }
                    }
                    b.emit_from(kept, 1)?
                }
                _ if Some(i) == last => b.emit(rows.take().unwrap_or_default())?,
                _ => b.emit(shared.to_vec())?,
            };
            out.extend(emitted.into_iter().map(|batch| (i, batch)));
        }
        split.post(self.task, out);
        Ok(())
    }

    /// Ends the task (and a split's branches): records the task's time.
    fn finish(&mut self) -> DFResult<Vec<RecordBatch>> {
        let out = Vec::new();
        if let Output::Split(split) = &self.output {
            let mut posted = Vec::new();
            for (i, b) in self.branches.iter_mut().enumerate() {
                posted.extend(b.finish()?.into_iter().map(|batch| (i, batch)));
            }
            split.post(self.task, posted);
        }
        if self.ends_stage {
            self.finish_task();
        }
        Ok(out)
    }

    /// Whether a task-level LIMIT has been reached (no more input is needed); for a split,
    /// in every branch.
    fn exhausted(&self) -> bool {
        matches!(self.output, Output::Split(_)) && self.branches.iter().all(Emitter::exhausted)
    }

    fn finish_task(&mut self) {
        if !std::mem::replace(&mut self.recorded, true) {
            self.stats.task_done(self.task, self.started);
        }
    }

    fn emit_all(&mut self, rows: Vec<Tuple>) -> DFResult<Vec<RecordBatch>> {
        let mut out = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Tuple> = rows.by_ref().take(BATCH_ROWS).collect();
            out.extend(self.emit(chunk)?);
        }
        out.extend(self.finish()?);
        Ok(out)
    }

    fn emit(&mut self, rows: Vec<Tuple>) -> DFResult<Vec<RecordBatch>> {
        self.emit_from(rows, 0)
    }

    /// Like [`Emitter::emit`] for rows that have already been through the first `first`
    /// steps.
    fn emit_from(&mut self, mut rows: Vec<Tuple>, first: usize) -> DFResult<Vec<RecordBatch>> {
        self.active = true;
        let steps = self.steps.clone();
        let mut batches = Vec::new();
        for (i, step) in steps.iter().enumerate().skip(first) {
            rows = match step {
                Step::Filter(cond) => self.ctx.filter(cond, rows).map_err(eval_err)?,
                Step::Foreach { nested, generate } => {
                    // A FLATTEN of a large bag makes its rows a batch at a time: each full
                    // batch goes through the steps after this one and out.
                    let ctx = self.ctx.clone();
                    let slots = if nested.is_empty() {
                        vec![Vec::new(); rows.len()]
                    } else {
                        ctx.nested(nested, &rows).map_err(eval_err)?
                    };
                    let mut failed = None;
                    let mut out = Vec::with_capacity(rows.len());
                    ctx.generate_rows_into(
                        generate,
                        &rows,
                        slots,
                        nested.len(),
                        &mut out,
                        &mut |full| {
                            match self.emit_from(std::mem::take(full), i + 1) {
                                Ok(bs) => batches.extend(bs),
                                Err(e) => failed = Some(e),
                            }
                            Ok(failed.is_none())
                        },
                    )
                    .map_err(eval_err)?;
                    if let Some(e) = failed.take() {
                        return Err(e);
                    }
                    out
                }
                Step::Sample(p) => rows.into_iter().filter(|_| rand_unit() < *p).collect(),
            };
        }
        if rows.is_empty() {
            return Ok(batches);
        }
        if self.ends_stage {
            self.stats.add_out(rows.len() as u64);
        }
        match &self.output {
            Output::Rows(layout) => {
                // A bag kept on disk goes into the batch whole.
                for row in &mut rows {
                    for v in row.iter_mut() {
                        if let Value::Bag(b) = v
                            && b.is_spilled()
                        {
                            let loaded = std::mem::take(&mut **b).loaded().map_err(bag_err)?;
                            **b = loaded;
                        }
                    }
                }
                batches.push(layout.to_batch(&rows));
                Ok(batches)
            }
            Output::Split(split) => {
                let split = split.clone();
                self.dispatch(&split, rows)?;
                // An empty batch: the tee takes the branches' batches from the outbox.
                batches.push(RecordBatch::new_empty(self.output.schema()));
                Ok(batches)
            }
        }
    }
}

/// A value whose encoding is the same for every value equal to it, so encoded keys can be
/// hashed and compared as bytes: `-0.0` is `0.0`, decimals lose trailing zeros, map entries
/// are sorted.
pub(crate) fn canonical(v: Value) -> Value {
    match v {
        // -0.0 equals 0.0: both become 0.0.
        Value::Double(d) => Value::Double(if d == 0.0 { 0.0 } else { d }),
        Value::Float(f) => Value::Float(if f == 0.0 { 0.0 } else { f }),
        Value::BigDecimal(d) => Value::BigDecimal(Box::new(d.normalized())),
        Value::Tuple(t) => Value::Tuple(Box::new(t.into_iter().map(canonical).collect())),
        Value::Map(m) => {
            let mut entries: Vec<(String, Value)> =
                m.into_iter().map(|(k, v)| (k, canonical(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Map(Box::new(entries))
        }
        Value::Bag(b) => {
            let mut tuples: Vec<Tuple> = b
                .all()
                .iter()
                .map(|t| t.iter().cloned().map(canonical).collect())
                .collect();
            tuples.sort_by(|a, b| {
                compare(
                    &Value::Tuple(Box::new(a.clone())),
                    &Value::Tuple(Box::new(b.clone())),
                )
            });
            Value::Bag(Box::new(Bag::from(tuples)))
        }
        other => other,
    }
}
