//! pigrs's own DataFusion execution plan nodes.
//!
//! One [`PigExec`] node type implements DataFusion's `ExecutionPlan` once; what it does comes
//! from its [`Source`] (a file scan, a reduce over shuffled rows, a broadcast join, a sort, a
//! union ...) followed by a fused chain of row [`Step`]s (FILTER, FOREACH, LIMIT, SAMPLE)
//! and an [`Output`] layout: plain rows, or rows keyed for the next shuffle. That is a
//! map or reduce stage: the work one task does between two shuffles.

use std::collections::HashMap;
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
    DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use futures::{StreamExt, TryStreamExt};
use pigrs_planner::expr::Expr;
use pigrs_planner::logical::{GenItem, JoinType, NestedStep, SortKey};
use pigrs_udf::{Bag, Tuple, Value, codec};

use crate::eval::{EvalCtx, EvalError, compare_keys, rand_unit};
use crate::io::{LoadFunc, Split, Warnings, open_reader};
use crate::layout::{Layout, Shuffled, shuffle_batch, shuffle_schema, shuffled_rows};
use crate::stats::{StageStats, Stats};

/// Rows per batch.
pub const BATCH_ROWS: usize = 8192;

/// A per-row step fused into a stage.
#[derive(Clone, Debug)]
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
    /// The part of a LIMIT one task can do alone: at most n rows per task.
    Limit(u64),
    /// SAMPLE.
    Sample(f64),
}

/// Keys of one input of a shuffle.
#[derive(Clone, Debug)]
pub enum KeySpec {
    /// GROUP ALL: one key for every row.
    All,
    /// Key expressions (one, or several making a tuple).
    Exprs(Vec<Expr>),
    /// The whole row (DISTINCT).
    Row,
}

/// Where a stage's rows go.
#[derive(Clone, Debug)]
pub enum Output {
    /// Batches of the relation's layout.
    Rows(Layout),
    /// Keyed rows for a shuffle, tagged with the reduce input they belong to.
    Shuffle {
        /// The key.
        keys: KeySpec,
        /// The reduce input.
        tag: i32,
    },
}

/// The reduce a stage starts with.
#[derive(Clone, Debug)]
pub enum Reduce {
    /// GROUP / COGROUP: one row per key: the key and one bag per input.
    Group {
        /// How many inputs.
        inputs: usize,
        /// Per input: drop groups in which it has no rows.
        inner: Vec<bool>,
    },
    /// A hash join.
    Join {
        /// Join type.
        join_type: JoinType,
        /// Width of each input's rows (for outer joins' nulls).
        widths: Vec<usize>,
    },
    /// DISTINCT: one row per distinct row.
    Distinct,
}

/// Where a stage's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Files read by a load function; one task per split.
    Scan {
        /// Input splits.
        splits: Vec<Split>,
        /// The load function.
        load: LoadFunc,
        /// The declared schema.
        schema: Option<pigrs_udf::Schema>,
        /// Cast failure counter.
        warnings: Arc<Warnings>,
    },
    /// Another plan's rows, task for task.
    Rows(Layout),
    /// Shuffled rows (child 0 is the repartitioned shuffle).
    Reduce(Reduce),
    /// Child 0 streamed, children 1.. broadcast to every task and matched by key.
    Replicated {
        /// Layouts of the children.
        layouts: Vec<Layout>,
        /// Keys of each child.
        keys: Vec<Vec<Expr>>,
        /// Inner or LEFT OUTER.
        join_type: JoinType,
        /// Width of each input's rows.
        widths: Vec<usize>,
    },
    /// Child 0 streamed, crossed with all rows of children 1...
    Cross {
        /// Layouts of the children.
        layouts: Vec<Layout>,
    },
    /// Every child's tasks, one after another (UNION); rows converted to the output layout.
    Concat {
        /// Layouts of the children.
        layouts: Vec<Layout>,
    },
    /// All rows of child 0 in one task, sorted (ORDER BY), optionally only the first n.
    Sort {
        /// Layout of the child.
        layout: Layout,
        /// Sort keys.
        keys: Vec<SortKey>,
        /// Top-k.
        limit: Option<u64>,
    },
    /// The first n rows of child 0, in one task (LIMIT).
    Limit {
        /// Layout of the child.
        layout: Layout,
        /// How many rows.
        n: u64,
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
        let partitions = match &source {
            Source::Scan { splits, .. } => splits.len().max(1),
            Source::Rows(_)
            | Source::Reduce(_)
            | Source::Replicated { .. }
            | Source::Cross { .. } => children[0].properties().partitioning.partition_count(),
            Source::Concat { .. } => children
                .iter()
                .map(|c| c.properties().partitioning.partition_count())
                .sum(),
            Source::Sort { .. } | Source::Limit { .. } => 1,
        };
        let schema = match &output {
            Output::Rows(l) => l.arrow.clone(),
            Output::Shuffle { .. } => shuffle_schema(),
        };
        let props = PlanProperties::new(
            EquivalenceProperties::new(schema),
            Partitioning::UnknownPartitioning(partitions),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        let stats = stats.stage(source_name(&source), partitions);
        stats.describe(&source, &steps);
        Arc::new(PigExec {
            source,
            steps: Arc::new(steps),
            output,
            children,
            props: Arc::new(props),
            ctx,
            stats,
        })
    }
}

fn source_name(source: &Source) -> &'static str {
    match source {
        Source::Scan { .. } => "Scan",
        Source::Rows(_) => "Map",
        Source::Reduce(Reduce::Group { .. }) => "GroupReduce",
        Source::Reduce(Reduce::Join { .. }) => "JoinReduce",
        Source::Reduce(Reduce::Distinct) => "DistinctReduce",
        Source::Replicated { .. } => "ReplicatedJoin",
        Source::Cross { .. } => "Cross",
        Source::Concat { .. } => "Union",
        Source::Sort { .. } => "Sort",
        Source::Limit { .. } => "Limit",
    }
}

impl DisplayAs for PigExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", source_name(&self.source))?;
        match &self.source {
            Source::Scan { splits, .. } => write!(f, " splits={}", splits.len())?,
            Source::Sort { keys, limit, .. } => {
                let ks: Vec<String> = keys
                    .iter()
                    .map(|k| format!("{}{}", k.expr, if k.desc { " DESC" } else { "" }))
                    .collect();
                write!(f, " keys=[{}]", ks.join(", "))?;
                if let Some(n) = limit {
                    write!(f, " top_k={n}")?;
                }
            }
            Source::Limit { n, .. } => write!(f, " n={n}")?,
            _ => {}
        }
        for s in self.steps.iter() {
            match s {
                Step::Filter(c) => write!(f, " -> Filter({c})")?,
                Step::Foreach { .. } => write!(f, " -> Foreach")?,
                Step::Limit(n) => write!(f, " -> TaskLimit({n})")?,
                Step::Sample(p) => write!(f, " -> Sample({p})")?,
            }
        }
        match &self.output {
            Output::Rows(_) => Ok(()),
            Output::Shuffle { keys, tag } => write!(
                f,
                " -> ShuffleWrite(tag={tag}, keys={})",
                match keys {
                    KeySpec::All => "ALL".to_string(),
                    KeySpec::Row => "row".to_string(),
                    KeySpec::Exprs(es) => es
                        .iter()
                        .map(|e| e.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                }
            ),
        }
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
        Ok(Arc::new(PigExec {
            source: self.source.clone(),
            steps: self.steps.clone(),
            output: self.output.clone(),
            children,
            props: self.props.clone(),
            ctx: self.ctx.clone(),
            stats: self.stats.clone(),
        }))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let schema = self.props.eq_properties.schema().clone();
        let emitter = Emitter {
            steps: self.steps.clone(),
            output: self.output.clone(),
            ctx: self.ctx.clone(),
            limit_seen: vec![0; self.steps.len()],
            seq: (partition as i64) << 40,
            stats: self.stats.clone(),
            started: std::time::Instant::now(),
        };
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
            Source::Scan {
                splits,
                load,
                schema,
                warnings,
            } => {
                let Some(split) = splits.get(partition) else {
                    return Ok(futures::stream::empty().boxed());
                };
                let mut reader = open_reader(split, load, schema.as_ref(), warnings.clone())
                    .map_err(|e| DataFusionError::External(Box::new(e)))?;
                emitter.stats.add_bytes_read(split.bytes());
                // Reading is synchronous: each poll reads and processes one batch.
                let mut done = false;
                let iter = std::iter::from_fn(move || {
                    while !done {
                        let mut rows = Vec::with_capacity(BATCH_ROWS);
                        match reader.next_batch(BATCH_ROWS, &mut rows) {
                            Ok(more) => done = !more,
                            Err(e) => {
                                done = true;
                                return Some(Err(DataFusionError::External(Box::new(e))));
                            }
                        }
                        emitter.stats.add_in(rows.len() as u64);
                        match emitter.emit(rows) {
                            Ok(Some(b)) => return Some(Ok(b)),
                            Ok(None) if emitter.exhausted() => done = true,
                            Ok(None) => {}
                            Err(e) => {
                                done = true;
                                return Some(Err(e));
                            }
                        }
                    }
                    emitter.finish_task();
                    None
                });
                Ok(futures::stream::iter(iter).boxed())
            }
            Source::Rows(layout) => {
                let input = self.children[0].execute(partition, ctx)?;
                let layout = layout.clone();
                Ok(map_batches(
                    input,
                    move |b, em| {
                        let rows = layout.rows(&b);
                        em.stats.add_in(rows.len() as u64);
                        em.emit(rows)
                    },
                    emitter,
                ))
            }
            Source::Concat { layouts } => {
                let mut p = partition;
                for (i, child) in self.children.iter().enumerate() {
                    let n = child.properties().partitioning.partition_count();
                    if p < n {
                        let input = child.execute(p, ctx)?;
                        let layout = layouts[i].clone();
                        let target = match &self.output {
                            Output::Rows(l) => l.schema.clone(),
                            Output::Shuffle { .. } => None,
                        };
                        let ectx = self.ctx.clone();
                        return Ok(map_batches(
                            input,
                            move |b, em| {
                                let mut rows = layout.rows(&b);
                                if let Some(t) = &target {
                                    for r in &mut rows {
                                        for (v, f) in r.iter_mut().zip(&t.fields) {
                                            if !v.is_null()
                                                && v.pig_type().as_ref() != Some(&f.ty)
                                                && f.ty != pigrs_udf::PigType::Bytearray
                                            {
                                                *v = ectx.cast(
                                                    std::mem::replace(v, Value::Null),
                                                    &f.ty,
                                                    Default::default(),
                                                );
                                            }
                                        }
                                    }
                                }
                                em.stats.add_in(rows.len() as u64);
                                em.emit(rows)
                            },
                            emitter,
                        ));
                    }
                    p -= n;
                }
                Ok(futures::stream::empty().boxed())
            }
            Source::Reduce(reduce) => {
                let input = self.children[0].execute(partition, ctx)?;
                let reduce = reduce.clone();
                let fut = async move {
                    let batches: Vec<RecordBatch> = input.try_collect().await?;
                    let mut shuffled = Vec::new();
                    for b in &batches {
                        shuffled.extend(shuffled_rows(b));
                    }
                    drop(batches);
                    emitter.stats.add_in(shuffled.len() as u64);
                    let rows = run_reduce(&reduce, shuffled);
                    emitter.emit_all(rows)
                };
                Ok(futures::stream::once(fut)
                    .map_ok(|bs| futures::stream::iter(bs.into_iter().map(Ok)))
                    .try_flatten()
                    .boxed())
            }
            Source::Replicated {
                layouts,
                keys,
                join_type,
                widths,
            } => {
                let probe = self.children[0].execute(partition, ctx.clone())?;
                let builds: Vec<Arc<dyn ExecutionPlan>> = self.children[1..].to_vec();
                let (layouts, keys, join_type, widths) =
                    (layouts.clone(), keys.clone(), *join_type, widths.clone());
                let ectx = self.ctx.clone();
                let fut = async move {
                    let mut tables = Vec::new();
                    for (i, b) in builds.iter().enumerate() {
                        let rows = collect_rows(b.clone(), &layouts[i + 1], ctx.clone()).await?;
                        let mut table: HashMap<Vec<u8>, Vec<Tuple>> = HashMap::new();
                        for r in rows {
                            let k = key_of(&ectx, &keys[i + 1], &r).map_err(eval_err)?;
                            if let Some(k) = k {
                                table.entry(k).or_default().push(r);
                            }
                        }
                        tables.push(table);
                    }
                    let tables = Arc::new(tables);
                    let layout0 = layouts[0].clone();
                    let keys0 = keys[0].clone();
                    Ok::<_, DataFusionError>(map_batches(
                        probe,
                        move |b, em| {
                            let rows = layout0.rows(&b);
                            em.stats.add_in(rows.len() as u64);
                            let mut out = Vec::new();
                            for r in rows {
                                let k = key_of(&em.ctx, &keys0, &r).map_err(eval_err)?;
                                let matches: Vec<&[Tuple]> = tables
                                    .iter()
                                    .map(|t| {
                                        k.as_ref()
                                            .and_then(|k| t.get(k))
                                            .map(Vec::as_slice)
                                            .unwrap_or(&[])
                                    })
                                    .collect();
                                if matches.iter().any(|m| m.is_empty()) {
                                    if join_type == JoinType::Left {
                                        let mut row = r.clone();
                                        pad_row(&mut row, widths[0]);
                                        for w in &widths[1..] {
                                            row.extend(std::iter::repeat_n(Value::Null, *w));
                                        }
                                        out.push(row);
                                    }
                                    continue;
                                }
                                let mut acc: Vec<Tuple> = vec![pad_clone(&r, widths[0])];
                                for (m, w) in matches.iter().zip(&widths[1..]) {
                                    acc = acc
                                        .iter()
                                        .flat_map(|p| {
                                            m.iter().map(move |t| {
                                                let mut row = p.clone();
                                                row.extend(pad_clone(t, *w));
                                                row
                                            })
                                        })
                                        .collect();
                                }
                                out.extend(acc);
                            }
                            em.emit(out)
                        },
                        emitter,
                    ))
                };
                Ok(futures::stream::once(fut).try_flatten().boxed())
            }
            Source::Cross { layouts } => {
                let probe = self.children[0].execute(partition, ctx.clone())?;
                let others: Vec<Arc<dyn ExecutionPlan>> = self.children[1..].to_vec();
                let layouts = layouts.clone();
                let fut = async move {
                    let mut sides = Vec::new();
                    for (i, b) in others.iter().enumerate() {
                        sides.push(collect_rows(b.clone(), &layouts[i + 1], ctx.clone()).await?);
                    }
                    let layout0 = layouts[0].clone();
                    Ok::<_, DataFusionError>(map_batches(
                        probe,
                        move |b, em| {
                            let rows = layout0.rows(&b);
                            em.stats.add_in(rows.len() as u64);
                            let mut out = Vec::new();
                            for r in rows {
                                let mut acc = vec![r];
                                for side in &sides {
                                    acc = acc
                                        .iter()
                                        .flat_map(|p| {
                                            side.iter()
                                                .map(move |t| p.iter().chain(t).cloned().collect())
                                        })
                                        .collect();
                                }
                                out.extend(acc);
                            }
                            em.emit(out)
                        },
                        emitter,
                    ))
                };
                Ok(futures::stream::once(fut).try_flatten().boxed())
            }
            Source::Sort {
                layout,
                keys,
                limit,
            } => {
                let child = self.children[0].clone();
                let (layout, keys, limit) = (layout.clone(), keys.clone(), *limit);
                let fut = async move {
                    let rows = collect_rows(child, &layout, ctx).await?;
                    emitter.stats.add_in(rows.len() as u64);
                    let mut keyed = Vec::with_capacity(rows.len());
                    for r in rows {
                        let k = keys
                            .iter()
                            .map(|k| emitter.ctx.eval(&k.expr, &r, &[]))
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(eval_err)?;
                        keyed.push((k, r));
                    }
                    let cmp = |a: &(Vec<Value>, Tuple), b: &(Vec<Value>, Tuple)| {
                        compare_keys(&a.0, &b.0, &keys)
                    };
                    if let Some(n) = limit.map(|n| usize::try_from(n).unwrap_or(usize::MAX))
                        && n < keyed.len()
                    {
                        if n == 0 {
                            keyed.clear();
                        } else {
                            keyed.select_nth_unstable_by(n - 1, cmp);
                            keyed.truncate(n);
                        }
                    }
                    keyed.sort_by(cmp);
                    emitter.emit_all(keyed.into_iter().map(|(_, r)| r).collect())
                };
                Ok(futures::stream::once(fut)
                    .map_ok(|bs| futures::stream::iter(bs.into_iter().map(Ok)))
                    .try_flatten()
                    .boxed())
            }
            Source::Limit { layout, n } => {
                let child = self.children[0].clone();
                let (layout, n) = (layout.clone(), usize::try_from(*n).unwrap_or(usize::MAX));
                let fut = async move {
                    let mut rows = Vec::new();
                    for p in 0..child.properties().partitioning.partition_count() {
                        if rows.len() >= n {
                            break;
                        }
                        let mut s = child.execute(p, ctx.clone())?;
                        while let Some(b) = s.next().await {
                            rows.extend(layout.rows(&b?));
                            if rows.len() >= n {
                                break;
                            }
                        }
                    }
                    rows.truncate(n);
                    emitter.stats.add_in(rows.len() as u64);
                    emitter.emit_all(rows)
                };
                Ok(futures::stream::once(fut)
                    .map_ok(|bs| futures::stream::iter(bs.into_iter().map(Ok)))
                    .try_flatten()
                    .boxed())
            }
        }
    }
}

fn pad_row(row: &mut Tuple, width: usize) {
    if row.len() < width {
        row.resize(width, Value::Null);
    }
}

fn pad_clone(row: &Tuple, width: usize) -> Tuple {
    let mut r = row.clone();
    pad_row(&mut r, width);
    r
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

fn map_batches(
    input: SendableRecordBatchStream,
    f: impl Fn(RecordBatch, &mut Emitter) -> DFResult<Option<RecordBatch>> + Send + 'static,
    emitter: Emitter,
) -> BatchStream {
    futures::stream::unfold(
        (input, emitter, f, false),
        |(mut input, mut em, f, done)| async move {
            if done {
                return None;
            }
            loop {
                if em.exhausted() {
                    em.finish_task();
                    return None;
                }
                match input.next().await {
                    None => {
                        em.finish_task();
                        return None;
                    }
                    Some(Err(e)) => return Some((Err(e), (input, em, f, true))),
                    Some(Ok(b)) => match f(b, &mut em) {
                        Ok(Some(out)) => return Some((Ok(out), (input, em, f, false))),
                        Ok(None) => {}
                        Err(e) => return Some((Err(e), (input, em, f, true))),
                    },
                }
            }
        },
    )
    .boxed()
}

/// Applies a stage's steps to rows and packs the result in the output layout.
struct Emitter {
    steps: Arc<Vec<Step>>,
    output: Output,
    ctx: EvalCtx,
    limit_seen: Vec<u64>,
    seq: i64,
    stats: Arc<StageStats>,
    started: std::time::Instant,
}

impl Emitter {
    /// Whether a task-level LIMIT has been reached (no more input is needed).
    fn exhausted(&self) -> bool {
        self.steps
            .iter()
            .zip(&self.limit_seen)
            .any(|(s, seen)| matches!(s, Step::Limit(n) if seen >= n))
    }

    fn finish_task(&mut self) {
        self.stats.task_done(self.started.elapsed());
    }

    fn emit_all(&mut self, rows: Vec<Tuple>) -> DFResult<Vec<RecordBatch>> {
        let mut out = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Tuple> = rows.by_ref().take(BATCH_ROWS).collect();
            if let Some(b) = self.emit(chunk)? {
                out.push(b);
            }
        }
        self.finish_task();
        Ok(out)
    }

    fn emit(&mut self, mut rows: Vec<Tuple>) -> DFResult<Option<RecordBatch>> {
        for (i, step) in self.steps.iter().enumerate() {
            rows = match step {
                Step::Filter(cond) => {
                    let mut kept = Vec::with_capacity(rows.len());
                    for r in rows {
                        if self.ctx.test(cond, &r, &[]).map_err(eval_err)? {
                            kept.push(r);
                        }
                    }
                    kept
                }
                Step::Foreach { nested, generate } => {
                    let mut out = Vec::with_capacity(rows.len());
                    for r in &rows {
                        let slots = if nested.is_empty() {
                            Vec::new()
                        } else {
                            self.ctx.nested(nested, r).map_err(eval_err)?
                        };
                        self.ctx
                            .generate(generate, r, &slots, &mut out)
                            .map_err(eval_err)?;
                    }
                    out
                }
                Step::Limit(n) => {
                    let room = n.saturating_sub(self.limit_seen[i]);
                    rows.truncate(usize::try_from(room).unwrap_or(usize::MAX));
                    self.limit_seen[i] += rows.len() as u64;
                    rows
                }
                Step::Sample(p) => rows.into_iter().filter(|_| rand_unit() < *p).collect(),
            };
        }
        if rows.is_empty() {
            return Ok(None);
        }
        self.stats.add_out(rows.len() as u64);
        Ok(Some(match &self.output {
            Output::Rows(layout) => layout.to_batch(&rows),
            Output::Shuffle { keys, tag } => {
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let key = match keys {
                        KeySpec::All => codec::encode_to_vec(&Value::Chararray("all".into())),
                        KeySpec::Row => codec::encode_to_vec(&Value::Tuple(Box::new(row.clone()))),
                        KeySpec::Exprs(es) => {
                            codec::encode_to_vec(&key_value(&self.ctx, es, &row).map_err(eval_err)?)
                        }
                    };
                    self.seq += 1;
                    out.push(Shuffled {
                        key,
                        tag: *tag,
                        seq: self.seq,
                        row,
                    });
                }
                shuffle_batch(&out)
            }
        }))
    }
}

/// The key of a row: the single key's value, or a tuple of several.
fn key_value(ctx: &EvalCtx, keys: &[Expr], row: &[Value]) -> Result<Value, EvalError> {
    if keys.len() == 1 {
        return ctx.eval(&keys[0], row, &[]);
    }
    Ok(Value::Tuple(Box::new(
        keys.iter()
            .map(|k| ctx.eval(k, row, &[]))
            .collect::<Result<_, _>>()?,
    )))
}

/// The encoded join key of a row, or `None` when any part of it is null (a null key joins nothing).
fn key_of(ctx: &EvalCtx, keys: &[Expr], row: &[Value]) -> Result<Option<Vec<u8>>, EvalError> {
    let v = key_value(ctx, keys, row)?;
    if key_is_null(&v, keys.len()) {
        return Ok(None);
    }
    Ok(Some(codec::encode_to_vec(&v)))
}

fn key_is_null(v: &Value, width: usize) -> bool {
    match v {
        Value::Null => true,
        Value::Tuple(t) if width > 1 => t.iter().any(Value::is_null),
        _ => false,
    }
}

/// Groups shuffled rows by key (in first-seen order), each input's rows in input order.
fn run_reduce(reduce: &Reduce, mut rows: Vec<Shuffled>) -> Vec<Tuple> {
    rows.sort_by_key(|r| r.seq);
    let inputs = match reduce {
        Reduce::Group { inputs, .. } => *inputs,
        Reduce::Join { widths, .. } => widths.len(),
        Reduce::Distinct => 1,
    };
    let mut index: HashMap<(Vec<u8>, i32), usize> = HashMap::new();
    let mut groups: Vec<(Vec<u8>, Vec<Bag>)> = Vec::new();
    for r in rows {
        let key_null = match reduce {
            Reduce::Distinct => false,
            _ => codec::decode(&r.key)
                .map(|v| key_is_null(&v, 1))
                .unwrap_or(false),
        };
        // Null keys of different inputs stay apart (COGROUP); a join never matches them.
        let slot = if key_null && inputs > 1 { r.tag } else { -1 };
        let gi = *index.entry((r.key.clone(), slot)).or_insert_with(|| {
            groups.push((r.key.clone(), vec![Vec::new(); inputs]));
            groups.len() - 1
        });
        if let Some(bag) = groups[gi].1.get_mut(r.tag as usize) {
            bag.push(r.row);
        }
    }
    let mut out = Vec::new();
    match reduce {
        Reduce::Distinct => {
            for (_, mut bags) in groups {
                if let Some(first) = bags[0].drain(..).next() {
                    out.push(first);
                }
            }
        }
        Reduce::Group { inner, .. } => {
            for (key, bags) in groups {
                if bags
                    .iter()
                    .zip(inner)
                    .any(|(b, inner)| *inner && b.is_empty())
                {
                    continue;
                }
                let mut row = Vec::with_capacity(bags.len() + 1);
                row.push(codec::decode(&key).unwrap_or(Value::Null));
                row.extend(bags.into_iter().map(|b| Value::Bag(Box::new(b))));
                out.push(row);
            }
        }
        Reduce::Join { join_type, widths } => {
            for (key, bags) in groups {
                let null_key = codec::decode(&key)
                    .map(|v| key_is_null(&v, 2))
                    .unwrap_or(true);
                join_group(&bags, widths, *join_type, null_key, &mut out);
            }
        }
    }
    out
}

fn join_group(
    bags: &[Bag],
    widths: &[usize],
    join_type: JoinType,
    null_key: bool,
    out: &mut Vec<Tuple>,
) {
    let nulls = |w: usize| std::iter::repeat_n(Value::Null, w);
    if null_key || bags.iter().any(Vec::is_empty) {
        // Unmatched rows survive only on an outer side.
        let (keep_left, keep_right) = match join_type {
            JoinType::Inner => (false, false),
            JoinType::Left => (true, false),
            JoinType::Right => (false, true),
            JoinType::Full => (true, true),
        };
        if bags.len() == 2 {
            if keep_left {
                for l in &bags[0] {
                    let mut row = pad_clone(l, widths[0]);
                    row.extend(nulls(widths[1]));
                    out.push(row);
                }
            }
            if keep_right {
                for r in &bags[1] {
                    let mut row: Tuple = nulls(widths[0]).collect();
                    row.extend(pad_clone(r, widths[1]));
                    out.push(row);
                }
            }
        }
        return;
    }
    let mut acc: Vec<Tuple> = vec![Vec::new()];
    for (bag, w) in bags.iter().zip(widths) {
        acc = acc
            .iter()
            .flat_map(|p| {
                bag.iter().map(move |t| {
                    let mut row = p.clone();
                    row.extend(pad_clone(t, *w));
                    row
                })
            })
            .collect();
    }
    out.extend(acc);
}
