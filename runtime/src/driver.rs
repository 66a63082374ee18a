//! Runs a planned script: its actions in order (DUMP, STORE, DESCRIBE, EXPLAIN, rmf, fs, sh,
//! SET) on a multi-threaded Tokio runtime with one worker per core.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use datafusion::execution::TaskContext;
use datafusion::execution::config::SessionConfig;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_plan::{ExecutionPlan, displayable};
use futures::StreamExt;
use pigrs_grammar::Span;
use pigrs_grammar::ast::FileCommand;
use pigrs_planner::builder::Action;
use pigrs_planner::expr::ExprKind;
use pigrs_planner::logical::{LogicalPlan, NodeId, Operator};
use pigrs_planner::{features, multi_query};
use pigrs_udf::{Tuple, Value};

use crate::cancel::Cancel;
use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::exec::PigExec;
use crate::io::{
    OutputDir, PartKind, StoreFunc, Warnings, remove_path, resolve_input, store_func_of,
};
use crate::layout::Layout;
use crate::ops::meter::MeterExec;
use crate::ops::scan::PigSource;
use crate::physical::Lowering;
use crate::pool::{PARTIAL_AGGREGATE_BUDGET, PigMemoryPool};
use crate::progress::Progress;
use crate::stats::{JobRecord, StageStats, Stats};
use crate::tee::TeeExec;

/// How to run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Relative paths resolve against this folder.
    pub base_dir: PathBuf,
    /// Tasks per scan and shuffle (default: the number of cores).
    pub parallelism: usize,
    /// Whether the optimizer's rules run (`pigrs run --no-optimize` turns them off).
    pub optimize: bool,
    /// Whether a job's outputs share what they have in common (multi-query; needs
    /// `optimize`).
    pub multi_query: bool,
    /// Memory for DataFusion's sorts and shuffle buffers, which spill to disk beyond it
    /// (`SET pigrs.memory`; default a quarter of the machine's memory).
    pub memory: usize,
    /// Whether to show the progress bars on stderr during long jobs (only ever shown
    /// when stderr is a terminal).
    pub progress: bool,
    /// Reducers per shuffle set by `SET default_parallel`; otherwise they follow the
    /// input size (one per [`BYTES_PER_REDUCER`], at most one per core).
    pub default_parallel: Option<usize>,
}

/// Rows a combiner sees before it decides whether folding is worth it (more than two
/// batches; DataFusion's ratio of groups to rows above which it stops folding, 0.8,
/// stays).
const SKIP_COMBINER_PROBE_ROWS: usize = 20_000;

/// A quarter of the machine's memory (from /proc/meminfo), or 2 GiB if unknown.
fn default_memory() -> usize {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
            .map(|kb| kb * 1024)
    });
    total.map_or(2 << 30, |t| t / 4)
}

/// The longest a job waits for the tasks it aborted to wind down (see [`Runner::settle`]).
const SETTLE_MAX: std::time::Duration = std::time::Duration::from_millis(50);

/// Input bytes per reduce task when the script does not say (`PARALLEL`,
/// `default_parallel`): small inputs get one reducer, never many tiny ones.
pub const BYTES_PER_REDUCER: u64 = 16 << 20;

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            base_dir: crate::physical::base_dir(),
            parallelism: std::thread::available_parallelism().map_or(2, |n| n.get()),
            default_parallel: None,
            optimize: true,
            multi_query: true,
            memory: default_memory(),
            progress: true,
        }
    }
}

/// Runs actions of a planned script, keeping state (settings, counters) between calls so
/// the REPL can run statement by statement.
pub struct Runner {
    opts: RunOptions,
    /// Always there until the runner drops (then it shuts down without waiting).
    runtime: Option<tokio::runtime::Runtime>,
    ctx: EvalCtx,
    warnings: Arc<Warnings>,
    stats: Arc<Stats>,
    cancel: Cancel,
}

impl Runner {
    /// A runner with its own thread pool.
    pub fn new(opts: RunOptions) -> Result<Self, RunError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(opts.parallelism.max(1))
            .thread_name("pigrs-worker")
            .enable_all()
            .build()
            .map_err(|e| RunError::other(format!("cannot start the worker threads: {e}")))?;
        Ok(Runner {
            opts,
            runtime: Some(runtime),
            ctx: EvalCtx::default(),
            warnings: Arc::new(Warnings::new()),
            stats: Arc::new(Stats::default()),
            cancel: Cancel::new(),
        })
    }

    /// Lets `cancel` stop this runner's jobs: once it is set, the job running returns
    /// [`RunError::cancelled`] (and so does every later one until the flag is reset).
    pub fn set_cancel(&mut self, cancel: Cancel) {
        self.cancel = cancel;
    }

    /// Runs `job` on the worker threads until it completes or the runner's [`Cancel`] is
    /// set; then the job's future is dropped, which drops its streams and aborts its
    /// tasks. A job that fails once the flag is set counts as cancelled: a terminal's
    /// Ctrl-C also interrupts the job's streaming commands, which then fail.
    fn block_on<T>(&self, job: impl Future<Output = Result<T, RunError>>) -> Result<T, RunError> {
        let Some(runtime) = &self.runtime else {
            return Err(RunError::internal("the runner's threads are gone"));
        };
        let result = runtime.block_on(async {
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => Err(RunError::cancelled()),
                r = job => r,
            }
        });
        match result {
            Err(_) if self.cancel.is_cancelled() => Err(RunError::cancelled()),
            r => r,
        }
    }

    /// Waits, at most `max`, until no task is left on the worker threads. A job's plan
    /// aborts the tasks it spawned once it is done with them (a LIMIT's inputs, once it
    /// has its rows); they wind down on the workers just after, and what they count (their
    /// records, their task's time) is in the statistics once they are gone. A task that
    /// lingers does not hold the run up longer than `max`.
    fn settle(&self, max: std::time::Duration) {
        let Some(runtime) = &self.runtime else {
            return;
        };
        let metrics = runtime.metrics();
        let deadline = std::time::Instant::now() + max;
        while metrics.num_alive_tasks() > 0 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    }

    /// The run statistics so far.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The options the runner was created with (`default_parallel` may have changed the
    /// parallelism since).
    pub fn options(&self) -> &RunOptions {
        &self.opts
    }

    /// The warnings to print at the end of a run (failed casts), if any.
    pub fn warning_summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(s) = self.warnings.summary() {
            out.push(s);
        }
        let n = self.ctx.casts.count();
        if n > 0 {
            let first = self
                .ctx
                .casts
                .first()
                .map(|(_, what)| format!(" (first: {what})"))
                .unwrap_or_default();
            out.push(format!(
                "warning: {n} values could not be cast and became null{first}"
            ));
        }
        out
    }

    /// Checks, before any work starts, that no STORE would overwrite an existing output
    /// (unless an earlier `rmf` removes it).
    pub fn check_outputs(&self, plan: &LogicalPlan, actions: &[Action]) -> Result<(), RunError> {
        let mut removed: Vec<PathBuf> = Vec::new();
        for a in actions {
            match a {
                Action::Rmf(p) => removed.push(self.path(p)),
                // `rm` removes its paths and `mv` its source before the STORE runs.
                Action::File {
                    command: FileCommand::Rm,
                    args,
                    ..
                } => removed.extend(args.iter().map(|a| self.path(&a.node))),
                Action::File {
                    command: FileCommand::Mv,
                    args,
                    ..
                } => removed.extend(args.first().map(|a| self.path(&a.node))),
                Action::Execute(id) => {
                    let node = plan.node(*id);
                    if let Operator::Store { location, func } = &node.op {
                        let input = node.inputs.first().map(|&i| plan.node(i));
                        check_store_schema(func, input.and_then(|n| n.schema.as_ref()), node.span)?;
                        let path = self.path(location);
                        if path.exists() && !removed.contains(&path) {
                            return Err(RunError::plan(node.span, format!(
                                "output location '{location}' already exists"
                            ))
                            .with_help("remove it first (rmf in the script, or by hand), or store somewhere else"));
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The context tasks run in: DataFusion's operators get a memory pool of
    /// `memory` bytes and spill to the system's temporary folder beyond it.
    fn task_context(&self) -> Result<Arc<TaskContext>, RunError> {
        // DataFusion's sort cannot reliably merge its spilled runs in much less than this.
        let memory = self
            .opts
            .memory
            .max(64 << 20)
            .max((32 << 20) * self.opts.parallelism);
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(PigMemoryPool::new(
                memory,
                PARTIAL_AGGREGATE_BUDGET,
            )))
            .build_arc()
            .map_err(RunError::internal)?;
        // Each sort keeps back memory to merge its spilled runs: a share of the pool. Runs
        // are many when the pool is small and the machine busy, so half the pool goes to
        // the tasks' merges.
        let per_task = memory / (2 * self.opts.parallelism.max(1));
        let mut config = SessionConfig::new()
            .with_sort_spill_reservation_bytes(per_task.clamp(64 << 10, 32 << 20));
        // A combiner that folds almost nothing (keys nearly all distinct in a task, as
        // top20's pages within an hour) hands its rows on unaggregated once this many have
        // shown it: decided well before its table fills its budget
        // (`PARTIAL_AGGREGATE_BUDGET`) and starts afresh, which would hide the ratio from
        // DataFusion's probe (100k rows by default).
        config
            .options_mut()
            .execution
            .skip_partial_aggregation_probe_rows_threshold = SKIP_COMBINER_PROBE_ROWS;
        Ok(Arc::new(
            TaskContext::default()
                .with_session_config(config)
                .with_runtime(runtime),
        ))
    }

    fn path(&self, p: &str) -> PathBuf {
        let p = Path::new(p.strip_prefix("file://").unwrap_or(p));
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.opts.base_dir.join(p)
        }
    }

    /// A lowering whose stages count into `stats`.
    fn lowering<'a>(&self, plan: &'a LogicalPlan, stats: Arc<Stats>) -> Lowering<'a> {
        Lowering {
            plan,
            base_dir: self.opts.base_dir.clone(),
            ctx: self.ctx.clone(),
            warnings: self.warnings.clone(),
            stats,
            parallelism: self.opts.parallelism,
            reducers: self.opts.default_parallel.unwrap_or(self.opts.parallelism),
            shared: Default::default(),
            top_k: self.opts.optimize,
            tees: Default::default(),
        }
    }

    /// Reducers for the job computing `ids`: `default_parallel` if set, else one per
    /// [`BYTES_PER_REDUCER`] of input, between one and the number of cores.
    fn reducers_for(&self, plan: &LogicalPlan, ids: &[NodeId]) -> usize {
        if let Some(n) = self.opts.default_parallel {
            return n;
        }
        let bytes: u64 = multi_query::load_locations(plan, ids)
            .iter()
            .filter_map(|loc| resolve_input(loc, &self.opts.base_dir).ok())
            .flatten()
            .map(|f| f.size)
            .sum();
        (bytes.div_ceil(BYTES_PER_REDUCER) as usize).clamp(1, self.opts.parallelism.max(1))
    }

    /// Runs one action; DUMP, DESCRIBE and EXPLAIN write to `out`.
    pub fn run(
        &mut self,
        plan: &LogicalPlan,
        action: &Action,
        out: &mut dyn Write,
    ) -> Result<(), RunError> {
        let io = |e: std::io::Error| RunError::other(format!("cannot write output: {e}"));
        match action {
            Action::Execute(id) => self.execute(plan, *id, out),
            Action::Print(text) => writeln!(out, "{text}").map_err(io),
            Action::Explain { node, options } => {
                let verbose = options.iter().any(|o| o.eq_ignore_ascii_case("-verbose"));
                let sinks: Vec<NodeId> = match node {
                    Some(n) => vec![*n],
                    None => plan
                        .nodes
                        .iter()
                        .enumerate()
                        .filter(|(_, n)| matches!(n.op, Operator::Store { .. } | Operator::Dump))
                        .map(|(i, _)| i)
                        .collect(),
                };
                for &s in &sinks {
                    let text = self.explain(plan, s, verbose, &sinks)?;
                    write!(out, "{text}").map_err(io)?;
                }
                Ok(())
            }
            Action::Illustrate(node) => {
                let text = self.illustrate(plan, *node)?;
                write!(out, "{text}").map_err(io)
            }
            Action::Rmf(p) => remove_path(&self.path(p)).map_err(RunError::from),
            Action::Fs(args) => crate::fs::run_fs(args, &self.opts.base_dir, out),
            Action::Sh(cmd) => crate::fs::run_sh(cmd, &self.opts.base_dir, out),
            Action::File {
                command,
                args,
                span,
            } => crate::grunt::run_file_command(*command, args, *span, &self.opts.base_dir, out),
            Action::Note(text) => {
                eprintln!("{text}");
                Ok(())
            }
            Action::Set(k, v) => {
                if k == "default_parallel" {
                    let n: usize = v.parse().map_err(|_| {
                        RunError::other(format!("default_parallel must be a number, not '{v}'"))
                    })?;
                    self.opts.parallelism = n.max(1);
                    self.opts.default_parallel = Some(n.max(1));
                }
                if k == "pigrs.memory" {
                    self.opts.memory = v.parse().map_err(|_| {
                        RunError::other(format!(
                            "pigrs.memory must be a number of bytes, not '{v}'"
                        ))
                    })?;
                }
                Ok(())
            }
        }
    }

    /// EXPLAIN's text for a node: logical plan, stages and the physical plan, as it runs in
    /// a job computing the outputs `job` (what they share is computed once).
    pub fn explain(
        &self,
        plan: &LogicalPlan,
        node: NodeId,
        verbose: bool,
        job: &[NodeId],
    ) -> Result<String, RunError> {
        let shared = if self.opts.optimize && self.opts.multi_query {
            multi_query::shared_nodes(plan, job)
        } else {
            Default::default()
        };
        let mut text = features::logical_text(plan, node, verbose);
        let root = match plan.node(node).op {
            Operator::Store { .. } | Operator::Dump => plan.node(node).inputs[0],
            _ => node,
        };
        // The lowering that runs, into statistics of its own: plans that are only shown do
        // not count in the run's statistics.
        let stats = Arc::new(Stats::default());
        let (phys, _) = {
            let mut lowering = self.lowering(plan, stats.clone());
            lowering.reducers = self.reducers_for(plan, job);
            lowering.shared = shared;
            lowering.rows(root)?
        };
        text.push_str("#-----------------------------------------------\n# Stage plan\n#-----------------------------------------------\n");
        text.push_str(&stage_text(&stats, phys.as_ref()));
        text.push_str("#-----------------------------------------------\n# Physical plan\n#-----------------------------------------------\n");
        plan_text(phys.as_ref(), 0, &mut text);
        Ok(text)
    }

    fn execute(
        &mut self,
        plan: &LogicalPlan,
        id: NodeId,
        out: &mut dyn Write,
    ) -> Result<(), RunError> {
        self.run_outputs(plan, &[id], out)
    }

    /// Runs several outputs (DUMP or STORE nodes) as one job: what they share is computed
    /// once (multi-query, unless the optimizer is off). DUMPs print in the order given once
    /// all are done; each STORE's output appears when it is complete. After a failure the
    /// outputs that succeeded are kept and the first error is returned.
    pub fn run_outputs(
        &mut self,
        plan: &LogicalPlan,
        sinks: &[NodeId],
        out: &mut dyn Write,
    ) -> Result<(), RunError> {
        let first_stage = self.stats.stage_count();
        let start = self.stats.elapsed();
        let mut job = JobRecord {
            id: 0,
            stages: first_stage + 1..first_stage + 1,
            edges: Vec::new(),
            outputs: sinks
                .iter()
                .map(|&s| match &plan.node(s).op {
                    Operator::Store { location, .. } => (location.clone(), None),
                    _ => ("(dump)".to_string(), None),
                })
                .collect(),
            start,
            end: start,
            failed: false,
        };
        let result = self.execute_sinks(plan, sinks, out, &mut job);
        job.stages.end = self.stats.stage_count() + 1;
        job.end = self.stats.elapsed();
        job.failed = result.is_err();
        self.stats.add_job(job);
        self.count_inputs(plan, sinks, first_stage);
        result
    }

    /// The lowering for a job computing `sinks`.
    fn job_lowering<'a>(
        &self,
        plan: &'a LogicalPlan,
        sinks: &[NodeId],
        stats: Arc<Stats>,
    ) -> Result<Lowering<'a>, RunError> {
        let mut scalars = HashMap::new();
        for &sink in sinks {
            scalars.extend(self.scalars(plan, sink, &mut Vec::new())?);
        }
        let mut lowering = self.lowering(plan, stats);
        lowering.reducers = self.reducers_for(plan, sinks);
        lowering.ctx.scalars = Arc::new(scalars);
        if self.opts.optimize && self.opts.multi_query {
            lowering.shared = multi_query::shared_nodes(plan, sinks);
        }
        Ok(lowering)
    }

    /// Runs the job computing `sinks`; its stage edges and the stages its outputs come
    /// from go into `record`.
    fn execute_sinks(
        &mut self,
        plan: &LogicalPlan,
        sinks: &[NodeId],
        out: &mut dyn Write,
        record: &mut JobRecord,
    ) -> Result<(), RunError> {
        let first_stage = self.stats.stage_count();
        let lowering = self.job_lowering(plan, sinks, self.stats.clone())?;
        let mut jobs = Vec::new();
        for &sink in sinks {
            jobs.push(self.prepare(plan, &lowering, sink)?);
        }
        drop(lowering);
        let task_ctx = self.task_context()?;
        let mut edges = Vec::new();
        for job in &jobs {
            stage_edges(job.phys.as_ref(), None, &mut edges);
        }
        edges.sort_unstable();
        edges.dedup();
        record.edges.clone_from(&edges);
        for (output, job) in record.outputs.iter_mut().zip(&jobs) {
            output.1 = job.root_stage.as_ref().map(|s| s.id);
        }
        let mut progress =
            Progress::start(self.stats.clone(), first_stage, edges, self.opts.progress);
        let results = self.block_on(async {
            Ok(futures::future::join_all(jobs.iter().map(|job| job.run(task_ctx.clone()))).await)
        });
        self.settle(SETTLE_MAX);
        progress.finish();
        let results: Vec<Result<Option<Vec<Tuple>>, RunError>> = match results {
            Ok(r) => r,
            Err(e) => {
                // Tasks still winding down write into removed files; the output never
                // appears.
                for job in &jobs {
                    if let Target::Store { dir, .. } = &job.target {
                        let _ = std::fs::remove_dir_all(dir.temp_path());
                    }
                }
                return Err(e);
            }
        };
        let mut seen = HashSet::new();
        for job in &jobs {
            count_spills(&job.phys, &mut seen);
        }
        let mut first_error = None;
        for (job, result) in jobs.into_iter().zip(results) {
            let done = result.and_then(|rows| job.complete(rows, &self.stats, out));
            if let Err(e) = done {
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// Plans one output of a job; a STORE's output folder is created (not yet visible).
    fn prepare(
        &self,
        plan: &LogicalPlan,
        lowering: &Lowering,
        sink: NodeId,
    ) -> Result<SinkJob, RunError> {
        let node = plan.node(sink);
        let input = node.inputs[0];
        let (phys, layout) = lowering.rows(input)?;
        // The stage feeding the sink: its rows are the ones written.
        let root_stage = stage_of(&phys);
        let target = match &node.op {
            Operator::Dump => Target::Dump,
            Operator::Store { location, func } => {
                let store = store_func_of(func).map_err(|m| RunError::plan(func.span, m))?;
                check_store_schema(func, plan.node(input).schema.as_ref(), node.span)?;
                let path = self.path(location);
                let dir = OutputDir::create(&path)
                    .map_err(|e| RunError::plan(node.span, e.to_string()))?;
                let kind = if has_reduce(plan, input) {
                    PartKind::Reduce
                } else {
                    PartKind::Map
                };
                Target::Store {
                    location: location.clone(),
                    path,
                    dir: Arc::new(dir),
                    store,
                    kind,
                    schema: plan.node(input).schema.clone(),
                }
            }
            _ => return Err(RunError::internal("not a sink")),
        };
        Ok(SinkJob {
            phys,
            layout,
            root_stage,
            target,
            written: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Adds the records and bytes read by the scan stages registered from `first_stage` on
    /// to the run's inputs, each under the LOAD location (below the `sinks`) it reads.
    fn count_inputs(&self, plan: &LogicalPlan, sinks: &[NodeId], first_stage: usize) {
        let resolved: Vec<(&str, Vec<PathBuf>)> = multi_query::load_locations(plan, sinks)
            .into_iter()
            .map(|loc| {
                let files = resolve_input(loc, &self.opts.base_dir)
                    .map(|fs| fs.into_iter().map(|f| f.path).collect())
                    .unwrap_or_default();
                (loc, files)
            })
            .collect();
        for stage in self.stats.stages().into_iter().skip(first_stage) {
            let files = stage.input_files();
            let Some(first) = files.first() else {
                continue;
            };
            let name = resolved
                .iter()
                .find(|(_, fs)| fs.contains(first))
                .map(|(loc, _)| loc.to_string())
                .unwrap_or_else(|| first.display().to_string());
            self.stats
                .add_input(&name, stage.records_in(), stage.bytes_read());
        }
    }
}

/// Where one output of a job goes.
enum Target {
    Dump,
    Store {
        location: String,
        path: PathBuf,
        dir: Arc<OutputDir>,
        store: StoreFunc,
        kind: PartKind,
        schema: Option<pigrs_udf::Schema>,
    },
}

/// One output of a job, planned.
struct SinkJob {
    phys: Arc<dyn ExecutionPlan>,
    layout: Layout,
    root_stage: Option<Arc<StageStats>>,
    target: Target,
    written: Arc<AtomicU64>,
}

impl SinkJob {
    /// Computes the output: a DUMP's rows, or a STORE's part files (one task per partition).
    async fn run(&self, ctx: Arc<TaskContext>) -> Result<Option<Vec<Tuple>>, RunError> {
        let Target::Store {
            dir,
            store,
            kind,
            schema,
            ..
        } = &self.target
        else {
            let rows = crate::exec::collect_rows(self.phys.clone(), &self.layout, ctx).await?;
            return Ok(Some(rows));
        };
        let parts = self.phys.properties().partitioning.partition_count();
        let mut tasks = Vec::new();
        for p in 0..parts {
            let (phys, layout, dir, store, schema, ctx, written, kind) = (
                self.phys.clone(),
                self.layout.clone(),
                dir.clone(),
                store.clone(),
                schema.clone(),
                ctx.clone(),
                self.written.clone(),
                *kind,
            );
            tasks.push(AbortOnDrop(tokio::spawn(async move {
                let mut writer = dir.part_writer(kind, p, &store, schema.as_ref())?;
                let mut stream = phys.execute(p, ctx)?;
                while let Some(batch) = stream.next().await {
                    let rows = layout.rows(&batch?);
                    written.fetch_add(rows.len() as u64, Ordering::Relaxed);
                    writer.write(&rows)?;
                }
                writer.finish()?;
                Ok::<(), RunError>(())
            })));
        }
        let mut first_error = None;
        for mut t in tasks {
            let done = (&mut t.0)
                .await
                .map_err(|e| RunError::internal(format!("a task panicked: {e}")))
                .and_then(|r| r);
            if let Err(e) = done {
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// After the job: prints a DUMP's rows, or makes a STORE's output visible.
    fn complete(
        self,
        rows: Option<Vec<Tuple>>,
        stats: &Stats,
        out: &mut dyn Write,
    ) -> Result<(), RunError> {
        let io = |e: std::io::Error| RunError::other(format!("cannot write output: {e}"));
        match self.target {
            Target::Dump => {
                let rows = rows.unwrap_or_default();
                let n = rows.len() as u64;
                let mut buf = Vec::with_capacity(rows.len() * 16);
                for r in rows {
                    let _ = writeln!(buf, "{}", Value::Tuple(Box::new(r)));
                }
                stats.add_output("(dump)", n, buf.len() as u64);
                out.write_all(&buf).map_err(io)?;
                out.flush().map_err(io)
            }
            Target::Store {
                location,
                path,
                dir,
                ..
            } => {
                drop(self.phys);
                let dir =
                    Arc::try_unwrap(dir).map_err(|_| RunError::internal("output still in use"))?;
                dir.commit().map_err(RunError::from)?;
                let bytes = dir_bytes(&path);
                if let Some(root) = &self.root_stage {
                    root.add_bytes_written(bytes);
                }
                stats.add_output(&location, self.written.load(Ordering::Relaxed), bytes);
                Ok(())
            }
        }
    }
}

impl Drop for Runner {
    /// Stops the worker threads without waiting for blocking work a cancelled job left
    /// behind (a streaming command that ignored the interrupt): leaving the shell must not
    /// wait for it.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// A task that is aborted when its handle is dropped: a cancelled job's writers stop
/// instead of running on detached.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Adds the rows DataFusion's operators in `plan` spilled to disk (sorts, shuffle buffers)
/// to the spilled records of the stage that produced them (the first below); each node
/// once, however many plans share it.
fn count_spills(plan: &Arc<dyn ExecutionPlan>, seen: &mut HashSet<usize>) {
    if !seen.insert(Arc::as_ptr(plan) as *const () as usize) {
        return;
    }
    let ours = plan.downcast_ref::<PigExec>().is_some() || plan.downcast_ref::<TeeExec>().is_some();
    if !ours
        && let Some(spilled) = plan.metrics().and_then(|m| m.spilled_rows())
        && spilled > 0
        && let Some(stage) = stage_below(plan)
    {
        stage.add_spilled(spilled as u64);
    }
    for child in plan.children() {
        count_spills(child, seen);
    }
}

/// EXPLAIN's text of a physical plan: one operator a line, each indented below its
/// parent. The meters (`StageMeter`) show where each stage's records are counted.
fn plan_text(plan: &dyn ExecutionPlan, depth: usize, out: &mut String) {
    let line = displayable(plan).one_line().to_string();
    out.push_str(&"  ".repeat(depth));
    out.push_str(line.trim_end());
    out.push('\n');
    for child in plan.children() {
        plan_text(child.as_ref(), depth + 1, out);
    }
}

/// EXPLAIN's stage plan: the stages the lowering made (the statistics `stats` of the plan
/// `plan`), inputs first, each with its tasks, the stages feeding it and its feature tags.
/// A run lists the same stages in its statistics.
fn stage_text(stats: &Stats, plan: &dyn ExecutionPlan) -> String {
    let mut edges: Vec<(usize, usize)> = Vec::new();
    stage_edges(plan, None, &mut edges);
    let mut text = String::new();
    for s in stats.stages() {
        let mut from: Vec<usize> = edges
            .iter()
            .filter(|&&(_, to)| to == s.id)
            .map(|&(f, _)| f)
            .collect();
        from.sort_unstable();
        from.dedup();
        let from = if from.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = from.iter().map(|i| format!("stage {i}")).collect();
            format!(" <- {}", ids.join(", "))
        };
        let tasks = if s.tasks == 1 { "task" } else { "tasks" };
        text.push_str(&format!(
            "Stage {} {} ({} {tasks}){from}: features=[{}]\n",
            s.id,
            s.name,
            s.tasks,
            s.features().join(",")
        ));
    }
    text
}

/// The (from, to) pairs of stages whose rows flow from one into the other in `plan`, found
/// from the nodes that know their stage; `above` is the stage of the nearest such node above.
fn stage_edges(plan: &dyn ExecutionPlan, above: Option<usize>, out: &mut Vec<(usize, usize)>) {
    let own = stage_of_node(plan).map(|s| s.id);
    if let (Some(me), Some(up)) = (own, above)
        && me != up
    {
        out.push((me, up));
    }
    for child in plan.children() {
        stage_edges(child.as_ref(), own.or(above), out);
    }
}

/// The statistics of the stage `plan` ends, when it is a node that knows its stage.
fn stage_of(plan: &Arc<dyn ExecutionPlan>) -> Option<Arc<StageStats>> {
    stage_of_node(plan.as_ref())
}

/// The stage of a node that knows it: pigrs's stage nodes, scans and meters.
fn stage_of_node(plan: &dyn ExecutionPlan) -> Option<Arc<StageStats>> {
    if let Some(p) = plan.downcast_ref::<PigExec>() {
        return Some(p.stage_stats().clone());
    }
    if let Some(t) = plan.downcast_ref::<TeeExec>() {
        return Some(t.stage_stats().clone());
    }
    // A stage's own sort (ORDER BY's per-task sort) can sit between its scan and its
    // meter: the scan names the stage.
    if let Some(s) = PigSource::of(plan) {
        return Some(s.stage_stats().clone());
    }
    plan.downcast_ref::<MeterExec>().map(|m| m.stage().clone())
}

/// The statistics of the first pigrs stage at or below `plan`.
fn stage_below(plan: &Arc<dyn ExecutionPlan>) -> Option<Arc<StageStats>> {
    stage_of(plan).or_else(|| plan.children().into_iter().find_map(stage_below))
}

/// The bytes of the files directly in `dir` (a STORE's part files), or of `dir` itself if
/// it is a file; 0 if it cannot be read.
fn dir_bytes(dir: &Path) -> u64 {
    match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum(),
        Err(_) => std::fs::metadata(dir).map(|m| m.len()).unwrap_or(0),
    }
}

impl Runner {
    /// Computes the relations used as scalars under `root` (each at most one row), the
    /// ones they use first.
    fn scalars(
        &self,
        plan: &LogicalPlan,
        root: NodeId,
        computing: &mut Vec<NodeId>,
    ) -> Result<HashMap<usize, Option<Tuple>>, RunError> {
        let mut out = HashMap::new();
        for (rel, span) in scalar_refs(plan, root) {
            if computing.contains(&rel) {
                return Err(RunError::plan(
                    span,
                    "a relation used as a scalar depends on its own value",
                ));
            }
            computing.push(rel);
            let inner = self.scalars(plan, rel, computing)?;
            computing.pop();
            let mut lowering = self.lowering(plan, self.stats.clone());
            lowering.ctx.scalars = Arc::new(inner);
            let (phys, layout) = lowering.rows(rel)?;
            let ctx = self.task_context()?;
            let rows =
                self.block_on(async { Ok(crate::exec::collect_rows(phys, &layout, ctx).await?) })?;
            if rows.len() > 1 {
                let show = |r: &Tuple| Value::Tuple(Box::new(r.clone())).to_string();
                return Err(RunError::plan(
                    span,
                    format!(
                        "Scalar has more than one row in the output. 1st : {}, 2nd :{}",
                        show(&rows[0]),
                        show(&rows[1])
                    ),
                )
                .with_help("a relation used as a scalar must have exactly one row (GROUP ... ALL, or LIMIT 1)"));
            }
            out.insert(rel, rows.into_iter().next());
        }
        Ok(out)
    }
}

/// How many rows of each input ILLUSTRATE traces.
const ILLUSTRATE_ROWS: u64 = 5;

impl Runner {
    /// ILLUSTRATE: the first rows of every input feeding `node`, traced through each named
    /// step up to `node`, one table per step (Pig's layout).
    pub fn illustrate(&self, plan: &LogicalPlan, node: NodeId) -> Result<String, RunError> {
        let mut sampled = plan.clone();
        let mut steps = Vec::new();
        let mut seen = vec![false; plan.nodes.len()];
        let mut stack = vec![node];
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut seen[id], true) {
                continue;
            }
            let n = plan.node(id);
            if n.alias.is_some() || id == node {
                steps.push(id);
            }
            if matches!(n.op, Operator::Load { .. }) {
                // The load moves to a new id; a LIMIT takes its place, so every reader of
                // the load now reads the sample.
                let load = sampled.add(n.clone());
                sampled.nodes[id] = pigrs_planner::Node {
                    op: Operator::Limit {
                        n: pigrs_planner::logical::Amount::Const(ILLUSTRATE_ROWS),
                    },
                    inputs: vec![load],
                    schema: n.schema.clone(),
                    alias: n.alias.clone(),
                    span: n.span,
                };
            }
            stack.extend(&n.inputs);
        }
        steps.sort_unstable();
        let mut text = String::new();
        for id in steps {
            let mut lowering = self.lowering(&sampled, Arc::new(Stats::default()));
            lowering.ctx.scalars = Arc::new(self.scalars(&sampled, id, &mut Vec::new())?);
            let (phys, layout) = lowering.rows(id)?;
            let ctx = self.task_context()?;
            let rows =
                self.block_on(async { Ok(crate::exec::collect_rows(phys, &layout, ctx).await?) })?;
            let n = plan.node(id);
            let name = n.alias.clone().unwrap_or_else(|| format!("node{id}"));
            text.push_str(&illustrate_table(&name, n.schema.as_ref(), &rows));
        }
        Ok(text)
    }
}

/// One ILLUSTRATE table: a header of `field: type` cells after the relation's name, then
/// one line per row.
fn illustrate_table(name: &str, schema: Option<&pigrs_udf::Schema>, rows: &[Tuple]) -> String {
    let width = schema.map_or_else(
        || rows.iter().map(Vec::len).max().unwrap_or(0),
        |s| s.fields.len(),
    );
    let mut cells: Vec<Vec<String>> = Vec::new();
    cells.push(
        (0..width)
            .map(|i| match schema.map(|s| &s.fields[i]) {
                Some(f) => match &f.name {
                    Some(n) => format!("{n}: {}", f.ty),
                    None => f.ty.to_string(),
                },
                None => format!("${i}"),
            })
            .collect(),
    );
    for r in rows {
        cells.push(
            (0..width)
                .map(|i| match r.get(i) {
                    Some(Value::Null) | None => String::new(),
                    Some(v) => v.to_string(),
                })
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..width)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let first = name.chars().count() + 4;
    let line = |label: &str, row: &[String]| {
        let mut s = format!("| {label:<first$} |");
        for (c, w) in row.iter().zip(&widths) {
            s.push_str(&format!(" {c:<w$} |"));
        }
        s.push('\n');
        s
    };
    let header = line(name, &cells[0]);
    let rule = format!("{}\n", "-".repeat(header.chars().count() - 1));
    let mut out = rule.clone();
    out.push_str(&header);
    out.push_str(&rule);
    for row in &cells[1..] {
        out.push_str(&line("", row));
    }
    out.push_str(&rule);
    out
}

/// The relations used as scalars by the operators computing `root`, each once, with where
/// the first use was written.
fn scalar_refs(plan: &LogicalPlan, root: NodeId) -> Vec<(NodeId, Span)> {
    let mut out: Vec<(NodeId, Span)> = Vec::new();
    let mut seen = vec![false; plan.nodes.len()];
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id], true) {
            continue;
        }
        let node = plan.node(id);
        for e in node.op.exprs() {
            e.visit(&mut |x| {
                if let ExprKind::Scalar { relation, .. } = x.kind
                    && !out.iter().any(|(r, _)| *r == relation)
                {
                    out.push((relation, x.span));
                }
            });
        }
        stack.extend(&node.inputs);
    }
    out
}

/// Whether computing `id` involves a reduce (its part files are then `part-r-`).
fn has_reduce(plan: &LogicalPlan, id: NodeId) -> bool {
    let node = plan.node(id);
    features::is_shuffle(&node.op)
        || matches!(node.op, Operator::Limit { .. })
        || node.inputs.iter().any(|&i| has_reduce(plan, i))
}

/// ParquetStorer and OrcStorage derive the file schema from the relation's: a relation with
/// no schema cannot be stored with them, nor with OrcStorage one with fields ORC's writer
/// cannot write.
fn check_store_schema(
    func: &pigrs_planner::logical::FuncRef,
    schema: Option<&pigrs_udf::Schema>,
    span: Span,
) -> Result<(), RunError> {
    let parquet = matches!(store_func_of(func), Ok(StoreFunc::Parquet));
    if parquet && schema.is_none_or(|s| s.fields.is_empty()) {
        return Err(RunError::plan(span, "ParquetStorer needs a schema")
            .with_help("declare one with AS in the LOAD, or name the fields in a FOREACH"));
    }
    if let Ok(StoreFunc::Orc(_)) = store_func_of(func) {
        crate::io::orc::check_schema(schema).map_err(|m| {
            RunError::plan(span, m)
                .with_help("declare the fields with AS, or GENERATE scalar fields (FLATTEN a bag, cast a big number)")
        })?;
    }
    Ok(())
}
