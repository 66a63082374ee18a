//! Lowers a logical plan onto stages of DataFusion execution plans.
//!
//! Operators that keep rows where they are (FILTER, FOREACH, SAMPLE and a task's share of a
//! LIMIT) are fused into the stage that produces their input; operators that need rows of a
//! key together (GROUP, JOIN, DISTINCT) end the stage with a shuffle — DataFusion's hash
//! `RepartitionExec` — and start a reduce stage; small inputs of a replicated join are
//! broadcast to every task of the large one.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::filter::FilterExec;
use datafusion::physical_plan::projection::ProjectionExec;
use pigrs_planner::expr::{Expr, ExprKind};
use pigrs_planner::logical::{
    Amount, GenItem, GroupKeys, JoinStrategy, JoinType, LogicalPlan, NodeId, Operator, SortKey,
};
use pigrs_udf::{Field, PigType, Schema, Value};

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::exec::{Output, PigExec, Source, Step};
use crate::expr::physical_expr;
use crate::io::{LoadFunc, Warnings, load_func_of, plan_splits, resolve_input};
use crate::layout::Layout;
use crate::lower;
use crate::lower::join::JoinInput;
use crate::lower::project::Generate;
use crate::lower::sort_limit::StageRows;
use crate::ops::bags::BagsExec;
use crate::ops::flatten::FlattenExec;
use crate::ops::meter::{Counter, MeterExec};
use crate::ops::scan::{PigSource, ScanFilter};
use crate::stats::{StageStats, Stats};
use crate::tee::{Fanout, Tee};

/// A stage being built: its source and the steps fused so far.
struct Pending {
    source: Source,
    steps: Vec<Step>,
    children: Vec<Arc<dyn ExecutionPlan>>,
    /// Set when the stage so far is a branch of a shared stage (multi-query): its steps and
    /// output run in the shared stage's tasks.
    tee: Option<Arc<Tee>>,
    /// Set when the source is `Source::Rows` of a plan of DataFusion operators (child 0)
    /// that began this stage: the stage's statistics.
    stage: Option<Arc<StageStats>>,
}

impl Pending {
    /// The DataFusion plan of a stage made only of DataFusion operators so far, with its
    /// layout and statistics; `None` when row steps or a pigrs source come first, and for
    /// a GROUP's bags: what reads them reads them where they are built, in the row stage
    /// (`Source::Groups`), where a large bag spills instead of being packed into a batch.
    fn columnar_tail(&self) -> Option<(Arc<dyn ExecutionPlan>, Layout, Arc<StageStats>)> {
        match (&self.stage, &self.source, self.steps.is_empty(), &self.tee) {
            (Some(stage), Source::Rows(layout), true, None) => {
                let plan = self.children.first()?;
                if plan.downcast_ref::<BagsExec>().is_some() {
                    return None;
                }
                Some((plan.clone(), layout.clone(), stage.clone()))
            }
            _ => None,
        }
    }

    /// The rows of `plan`, in `layout`, as the stage `stage` made them so far.
    fn columnar(plan: Arc<dyn ExecutionPlan>, layout: Layout, stage: Arc<StageStats>) -> Self {
        Pending {
            source: Source::Rows(layout),
            steps: vec![],
            children: vec![plan],
            tee: None,
            stage: Some(stage),
        }
    }
}

/// Lowers nodes of one logical plan.
pub struct Lowering<'a> {
    /// The plan.
    pub plan: &'a LogicalPlan,
    /// Relative paths are resolved against this folder.
    pub base_dir: PathBuf,
    /// Expression evaluation state.
    pub ctx: EvalCtx,
    /// Loader warnings.
    pub warnings: Arc<Warnings>,
    /// Run statistics.
    pub stats: Arc<Stats>,
    /// Number of tasks for scans (input splits).
    pub parallelism: usize,
    /// Number of reduce tasks per shuffle when the operator says no `PARALLEL`.
    pub reducers: usize,
    /// Nodes computed once and handed to each of their readers (multi-query; see
    /// `pigrs_planner::multi_query`).
    pub shared: HashSet<NodeId>,
    /// Whether ORDER ... LIMIT n keeps only each task's top n before the final sort
    /// (top-k pushdown; off with `--no-optimize`).
    pub top_k: bool,
    /// The tees made so far for nodes of `shared`.
    pub tees: RefCell<HashMap<NodeId, Arc<Tee>>>,
}

impl Lowering<'_> {
    /// The plan computing node `id`, with its rows in the node's layout.
    pub fn rows(&self, id: NodeId) -> Result<(Arc<dyn ExecutionPlan>, Layout), RunError> {
        let layout = Layout::new(self.plan.node(id).schema.clone());
        let pending = self.lower(id)?;
        Ok((self.finish(pending, Output::Rows(layout.clone())), layout))
    }

    /// The plans and layouts of several inputs, each in its own stage.
    fn inputs_rows(
        &self,
        inputs: &[NodeId],
    ) -> Result<(Vec<Arc<dyn ExecutionPlan>>, Vec<Layout>), RunError> {
        inputs
            .iter()
            .map(|&i| self.rows(i))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.into_iter().unzip())
    }

    fn finish(&self, p: Pending, output: Output) -> Arc<dyn ExecutionPlan> {
        self.finish_stage(p, output).0
    }

    /// The rows of the stage `p` as batches in `layout` (its node's), with the stage left
    /// open for DataFusion operators: whatever ends it counts its records out. Rows of a
    /// branch of a shared stage start a stage of their own.
    fn open_batches(
        &self,
        p: Pending,
        layout: Layout,
    ) -> (Arc<dyn ExecutionPlan>, Layout, Arc<StageStats>) {
        if let Some(tail) = p.columnar_tail() {
            return tail;
        }
        if p.tee.is_some() {
            let child = self.finish(p, Output::Rows(layout.clone()));
            let tasks = child.properties().partitioning.partition_count();
            let stage = self.stats.stage("Map", tasks);
            let metered = MeterExec::new(child, stage.clone(), Counter::In, false);
            return (metered, layout, stage);
        }
        let output = Output::Rows(layout.clone());
        let exec = match (p.stage, p.source, p.children.first()) {
            (Some(stage), Source::Rows(rows), Some(child)) => PigExec::in_stage(
                rows,
                p.steps,
                output,
                child.clone(),
                self.ctx.clone(),
                stage,
            ),
            (_, source, _) => PigExec::new(
                source,
                p.steps,
                output,
                p.children,
                self.ctx.clone(),
                &self.stats,
            ),
        };
        let stage = exec.stage_stats().clone();
        (exec.open(), layout, stage)
    }

    /// The plan ending a stage in `output`, and the stage's statistics.
    fn finish_stage(
        &self,
        mut p: Pending,
        output: Output,
    ) -> (Arc<dyn ExecutionPlan>, Arc<StageStats>) {
        if let Some(tee) = p.tee {
            let stats = self.stats.stage("Map", tee.tasks());
            stats.describe(&p.steps, &output);
            return (tee.branch(p.steps, output, stats.clone()), stats);
        }
        if let (Some(stage), Source::Rows(layout)) = (p.stage.take(), &p.source)
            && let Some(child) = p.children.pop()
        {
            let plan: Arc<dyn ExecutionPlan> = match &output {
                // Already the batches wanted: the stage ends here.
                Output::Rows(want) if p.steps.is_empty() && want.arrow == layout.arrow => {
                    MeterExec::new(child, stage.clone(), Counter::Out, true)
                }
                _ => PigExec::in_stage(
                    layout.clone(),
                    p.steps,
                    output,
                    child,
                    self.ctx.clone(),
                    stage.clone(),
                ),
            };
            return (plan, stage);
        }
        let exec = PigExec::new(
            p.source,
            p.steps,
            output,
            p.children,
            self.ctx.clone(),
            &self.stats,
        );
        let stage = exec.stage_stats().clone();
        (exec, stage)
    }

    fn schema(&self, id: NodeId) -> Option<&Schema> {
        self.plan.node(id).schema.as_ref()
    }

    fn reduce_tasks(&self, parallel: Option<u32>) -> usize {
        parallel.map_or(self.reducers, |p| p as usize).max(1)
    }

    /// The stage computing `id` so far. A shared node is computed by one stage whose tasks
    /// also run each reader's steps and output (a branch of the tee): the readers get the
    /// branch's batches.
    fn lower(&self, id: NodeId) -> Result<Pending, RunError> {
        if !self.shared.contains(&id) {
            return self.lower_node(id);
        }
        let made = self.tees.borrow().get(&id).cloned();
        let tee = match made {
            Some(tee) => tee,
            None => {
                let pending = self.lower_node(id)?;
                if pending.tee.is_some() {
                    // Already a branch of a shared stage below: each reader runs the steps.
                    return Ok(pending);
                }
                let split = Arc::new(Fanout::new(self.plan.node(id).schema.clone()));
                let output = Output::Split(split.clone());
                let stage = match (pending.stage, pending.source) {
                    // Rows made by DataFusion operators: the split is the end of their stage.
                    (Some(stats), Source::Rows(layout)) => PigExec::in_stage(
                        layout,
                        pending.steps,
                        output,
                        pending.children[0].clone(),
                        self.ctx.clone(),
                        stats,
                    ),
                    (_, source) => PigExec::new(
                        source,
                        pending.steps,
                        output,
                        pending.children,
                        self.ctx.clone(),
                        &self.stats,
                    ),
                };
                let tee = Tee::new(stage, split);
                self.tees.borrow_mut().insert(id, tee.clone());
                tee
            }
        };
        Ok(Pending {
            source: Source::Rows(Layout::new(self.plan.node(id).schema.clone())),
            steps: vec![],
            children: vec![],
            tee: Some(tee),
            stage: None,
        })
    }

    fn lower_node(&self, id: NodeId) -> Result<Pending, RunError> {
        let node = self.plan.node(id);
        let input = |i: usize| node.inputs[i];
        Ok(match &node.op {
            Operator::Load {
                location,
                func,
                columns,
                filter,
            } => {
                let mut load = load_func_of(func).map_err(|m| RunError::plan(func.span, m))?;
                // Projection pushdown: fields nothing reads are not converted.
                if let (Some(cols), LoadFunc::PigStorage { options, .. }, Some(schema)) =
                    (columns, &mut load, &node.schema)
                    && !options.tag_file
                    && !options.tag_path
                {
                    options.columns = Some(
                        (0..schema.fields.len())
                            .map(|i| cols.contains(&i))
                            .collect(),
                    );
                }
                let files = resolve_input(location, &self.base_dir)
                    .map_err(|e| RunError::plan(node.span, e.to_string()))?;
                let splits = plan_splits(&files, self.parallelism);
                // The condition `filter_into_scan` copied into the LOAD is checked while
                // reading (the FILTER it came from stays above it).
                let layout = Layout::new(node.schema.clone());
                let filter = match filter {
                    Some(cond) => Some(ScanFilter {
                        expr: physical_expr(cond, &layout, &self.ctx)?,
                        fields: cond.columns().unwrap_or_default(),
                    }),
                    None => None,
                };
                let stage = self.stats.stage("Scan", splits.len().max(1));
                let scan = PigSource::scan(
                    &splits,
                    load,
                    node.schema.clone(),
                    filter,
                    self.warnings.clone(),
                    stage.clone(),
                );
                Pending::columnar(scan, Layout::new(node.schema.clone()), stage)
            }
            Operator::Filter { cond } => {
                let p = self.lower(input(0))?;
                match p.columnar_tail() {
                    // Rows still in DataFusion's hands: its vectorized filter (rows of no
                    // schema are single encoded values: row steps read them once each).
                    Some((plan, layout, stage)) if layout.schema.is_some() => {
                        let pred = physical_expr(cond, &layout, &self.ctx)?;
                        let plan = FilterExec::try_new(pred, plan).map_err(RunError::internal)?;
                        stage.add_feature("FILTER");
                        Pending::columnar(Arc::new(plan), layout, stage)
                    }
                    _ => self.then_pending(p, Step::Filter(cond.clone())),
                }
            }
            Operator::Foreach { nested, generate } if nested.is_empty() => {
                let p = self.lower(input(0))?;
                let out = Layout::new(node.schema.clone());
                if let Some((plan, layout, stage)) = p.columnar_tail()
                    && let Some(done) = self.generate(plan, generate, &layout, out, &stage)?
                {
                    return Ok(done);
                }
                self.then_pending(
                    p,
                    Step::Foreach {
                        nested: vec![],
                        generate: generate.clone(),
                    },
                )
            }
            Operator::Foreach { nested, generate } => self.then(
                input(0),
                Step::Foreach {
                    nested: nested.clone(),
                    generate: generate.clone(),
                },
            )?,
            Operator::Sample { fraction } => {
                let fraction = match fraction {
                    Amount::Const(f) => *f,
                    // Pig samples with `RANDOM() <= fraction`: a null fraction keeps no row.
                    Amount::Scalar(e) => match self.amount(e)? {
                        Value::Double(f) => f,
                        _ => 0.0,
                    },
                };
                self.then(input(0), Step::Sample(fraction))?
            }
            Operator::Limit { n } => {
                let n = match n {
                    Amount::Const(n) => *n,
                    Amount::Scalar(e) => match self.amount(e)? {
                        Value::Long(n) if n >= 0 => n.unsigned_abs(),
                        Value::Long(n) => {
                            return Err(RunError::plan(
                                e.span,
                                format!("LIMIT's count is {n}: it must not be negative"),
                            ));
                        }
                        _ => return Err(RunError::plan(e.span, "LIMIT's count is null")),
                    },
                };
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                let inner = self.plan.node(input(0));
                if let Operator::Order { keys, .. } = &inner.op {
                    // ORDER then LIMIT: the sort keeps only the first n; with top-k
                    // pushdown each task first keeps only its own first n.
                    return self.order(inner.inputs[0], keys, Some(n));
                }
                let layout = Layout::new(inner.schema.clone());
                let rows = self.stage_rows(self.lower(input(0))?, &layout);
                let (plan, stage) = lower::sort_limit::limit(rows, n, &self.stats)?;
                Pending::columnar(plan, layout, stage)
            }
            Operator::Order { keys, .. } => self.order(input(0), keys, None)?,
            Operator::Group {
                keys,
                inner,
                parallel,
            } => {
                let tasks = if keys.iter().all(|k| matches!(k, GroupKeys::All)) {
                    1
                } else {
                    self.reduce_tasks(*parallel)
                };
                let mut inputs = Vec::with_capacity(node.inputs.len());
                for (&i, keys) in node.inputs.iter().zip(keys) {
                    let layout = Layout::new(self.schema(i).cloned());
                    let rows = self.stage_rows(self.lower(i)?, &layout);
                    inputs.push(lower::group::GroupInput {
                        rows,
                        layout,
                        keys: keys.clone(),
                    });
                }
                let out = Layout::new(node.schema.clone());
                let (plan, stage) =
                    lower::group::group(inputs, inner, tasks, &out, &self.ctx, &self.stats)?;
                Pending::columnar(plan, out, stage)
            }
            Operator::Aggregate {
                keys,
                aggs,
                generate,
                parallel,
            } => {
                let tasks = match keys {
                    GroupKeys::All => 1,
                    GroupKeys::Exprs(_) => self.reduce_tasks(*parallel),
                };
                let layout = Layout::new(self.schema(input(0)).cloned());
                let pending = self.lower(input(0))?;
                let (map, map_stage) = self.finish_stage(pending, Output::Rows(layout.clone()));
                let agg = lower::aggregate::aggregate(
                    map,
                    &layout,
                    &map_stage,
                    keys,
                    aggs,
                    tasks,
                    &self.ctx,
                    &self.stats,
                )?;
                let out = Layout::new(node.schema.clone());
                let group_ty = match keys {
                    GroupKeys::All => PigType::Chararray,
                    GroupKeys::Exprs(es) if es.len() == 1 => es[0].ty.clone(),
                    GroupKeys::Exprs(es) => PigType::Tuple(Some(Schema::new(
                        es.iter().map(|e| Field::unnamed(e.ty.clone())).collect(),
                    ))),
                };
                let over_keys = regroup_items(generate, agg.keys, &group_ty);
                if let Some(done) =
                    self.generate(agg.plan.clone(), &over_keys, &agg.layout, out, &agg.stage)?
                {
                    return Ok(done);
                }
                // The GENERATE list row by row, over rows (group, agg0, agg1, ...).
                let rows_ty =
                    std::iter::once(group_ty.clone()).chain(aggs.iter().map(|a| a.ty.clone()));
                let rows = Layout::new(Some(Schema::new(rows_ty.map(Field::unnamed).collect())));
                let columns: Vec<GenItem> = (0..=aggs.len())
                    .map(|i| GenItem {
                        expr: Expr::new(
                            ExprKind::Column(i),
                            rows.schema
                                .as_ref()
                                .map_or(PigType::Bytearray, |s| s.fields[i].ty.clone()),
                            node.span,
                        ),
                        flatten: false,
                        width: None,
                    })
                    .collect();
                let columns = regroup_items(&columns, agg.keys, &group_ty);
                let mut pending = self
                    .generate(agg.plan, &columns, &agg.layout, rows, &agg.stage)?
                    .ok_or_else(|| RunError::internal("aggregate rows do not project"))?;
                pending.steps.push(Step::Foreach {
                    nested: vec![],
                    generate: generate.clone(),
                });
                pending
            }
            Operator::TopKGroup {
                keys,
                order,
                n,
                parallel,
            } => {
                let tasks = match keys {
                    GroupKeys::All => 1,
                    GroupKeys::Exprs(_) => self.reduce_tasks(*parallel),
                };
                let layout = Layout::new(self.schema(input(0)).cloned());
                let rows = self.stage_rows(self.lower(input(0))?, &layout);
                let out = Layout::new(node.schema.clone());
                let (plan, stage) = lower::top_k_group::top_k_group(
                    rows,
                    &layout,
                    keys,
                    order,
                    usize::try_from(*n).unwrap_or(usize::MAX),
                    tasks,
                    &out,
                    &self.ctx,
                    &self.stats,
                )?;
                Pending::columnar(plan, out, stage)
            }
            Operator::Join {
                keys,
                join_type,
                strategy,
                parallel,
            } => {
                let out = Layout::new(node.schema.clone());
                let anti = *join_type == JoinType::LeftAnti;
                match strategy {
                    JoinStrategy::Hash => {
                        let mut inputs = Vec::with_capacity(node.inputs.len());
                        for (&i, keys) in node.inputs.iter().zip(keys) {
                            let layout = Layout::new(self.schema(i).cloned());
                            let pending = self.lower(i)?;
                            let plan = self.finish(pending, Output::Rows(layout.clone()));
                            inputs.push(JoinInput {
                                plan,
                                layout,
                                keys: keys.clone(),
                            });
                        }
                        let tasks = self.reduce_tasks(*parallel);
                        let stage = self.stats.stage("JoinReduce", tasks);
                        stage.set_features(if anti {
                            vec!["HASH_JOIN", "ANTI_JOIN"]
                        } else {
                            vec!["HASH_JOIN"]
                        });
                        let plan = lower::join::hash_join(
                            inputs, *join_type, &out, tasks, &self.ctx, &stage,
                        )?;
                        Pending::columnar(plan, out, stage)
                    }
                    JoinStrategy::Replicated => {
                        // The join continues the large input's stage.
                        let pending = self.lower(node.inputs[0])?;
                        let layout = Layout::new(self.schema(node.inputs[0]).cloned());
                        let (plan, layout, stage) = self.open_batches(pending, layout);
                        let large = JoinInput {
                            plan,
                            layout,
                            keys: keys[0].clone(),
                        };
                        let (plans, layouts) = self.inputs_rows(&node.inputs[1..])?;
                        let small = plans
                            .into_iter()
                            .zip(layouts)
                            .zip(&keys[1..])
                            .map(|((plan, layout), keys)| JoinInput {
                                plan,
                                layout,
                                keys: keys.clone(),
                            })
                            .collect();
                        stage.add_feature("REPLICATED_JOIN");
                        if anti {
                            stage.add_feature("ANTI_JOIN");
                        }
                        let plan = lower::join::replicated_join(
                            large, small, *join_type, &out, &self.ctx,
                        )?;
                        Pending::columnar(plan, out, stage)
                    }
                }
            }
            Operator::Cross { .. } => {
                // The cross continues the first input's stage.
                let pending = self.lower(node.inputs[0])?;
                let layout = Layout::new(self.schema(node.inputs[0]).cloned());
                let (plan, layout, stage) = self.open_batches(pending, layout);
                let (plans, layouts) = self.inputs_rows(&node.inputs[1..])?;
                stage.add_feature("CROSS");
                let out = Layout::new(node.schema.clone());
                let plan = lower::cross::cross(
                    (plan, layout),
                    plans.into_iter().zip(layouts).collect(),
                    &out,
                )?;
                Pending::columnar(plan, out, stage)
            }
            Operator::Distinct { parallel } => {
                let layout = Layout::new(self.schema(input(0)).cloned());
                let pending = self.lower(input(0))?;
                let (map, map_stage) = self.finish_stage(pending, Output::Rows(layout.clone()));
                let tasks = self.reduce_tasks(*parallel);
                let (plan, stage) =
                    lower::distinct::distinct(map, &layout, &map_stage, tasks, &self.stats)?;
                Pending::columnar(plan, layout, stage)
            }
            Operator::Union => {
                let (children, layouts) = self.inputs_rows(&node.inputs)?;
                let out = Layout::new(node.schema.clone());
                let (plan, stage) = lower::union::union(
                    children,
                    &layouts,
                    &out,
                    node.span,
                    &self.ctx,
                    &self.stats,
                )?;
                Pending::columnar(plan, out, stage)
            }
            Operator::Rank { keys, dense } => {
                let (child, layout) = self.rows(input(0))?;
                Pending {
                    source: Source::Rank {
                        layout,
                        keys: keys.clone(),
                        dense: *dense,
                    },
                    steps: vec![],
                    children: vec![child],
                    tee: None,
                    stage: None,
                }
            }
            Operator::Stream { command, spec } => {
                let (child, layout) = self.rows(input(0))?;
                let command = crate::stream::Command::from_spec(
                    command.clone(),
                    spec,
                    &self.base_dir,
                    node.schema.clone(),
                    node.span,
                )?;
                Pending {
                    source: Source::Stream {
                        layout,
                        command: Arc::new(command),
                    },
                    steps: vec![],
                    children: vec![child],
                    tee: None,
                    stage: None,
                }
            }
            Operator::Store { .. } | Operator::Dump => self.lower(input(0))?,
        })
    }

    /// ORDER BY `keys` of the rows of `input`, only the first `limit` if given.
    fn order(
        &self,
        input: NodeId,
        keys: &[SortKey],
        limit: Option<usize>,
    ) -> Result<Pending, RunError> {
        let layout = Layout::new(self.schema(input).cloned());
        let rows = self.stage_rows(self.lower(input)?, &layout);
        let (plan, stage) = lower::sort_limit::order(
            rows,
            &layout,
            keys,
            limit,
            self.top_k,
            &self.ctx,
            &self.stats,
        )?;
        Ok(Pending::columnar(plan, layout, stage))
    }

    /// The rows of a stage (in `layout`), leaving it open when DataFusion operators make
    /// them, so that what comes next can still join it; else the stage is finished.
    fn stage_rows(&self, p: Pending, layout: &Layout) -> StageRows {
        if let Some((plan, tail_layout, stage)) = p.columnar_tail()
            && tail_layout.arrow == layout.arrow
        {
            return StageRows {
                plan,
                stage,
                open: true,
            };
        }
        let (plan, stage) = self.finish_stage(p, Output::Rows(layout.clone()));
        StageRows {
            plan,
            stage,
            open: false,
        }
    }

    /// A GENERATE list over `plan` (batches in `layout`, of stage `stage`) on DataFusion,
    /// or `None` when it must run row by row.
    fn generate(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        generate: &[GenItem],
        layout: &Layout,
        out: Layout,
        stage: &Arc<StageStats>,
    ) -> Result<Option<Pending>, RunError> {
        let Some(lowered) = lower::project::generate(generate, layout, &out, &self.ctx)? else {
            return Ok(None);
        };
        let plan: Arc<dyn ExecutionPlan> = match lowered {
            Generate::Projection(exprs) => {
                Arc::new(ProjectionExec::try_new(exprs, plan).map_err(RunError::internal)?)
            }
            Generate::Flatten { items, bag } => FlattenExec::new(plan, items, bag, &out),
        };
        stage.add_feature("FOREACH");
        Ok(Some(Pending::columnar(plan, out, stage.clone())))
    }

    /// Fuses a row step onto the stage computing `input`.
    /// A LIMIT count or SAMPLE fraction computed from scalars (known before lowering).
    fn amount(&self, e: &Expr) -> Result<Value, RunError> {
        self.ctx
            .eval(e, &[], &[])
            .map_err(|err| RunError::plan(err.span, err.message))
    }

    fn then(&self, input: NodeId, step: Step) -> Result<Pending, RunError> {
        Ok(self.then_pending(self.lower(input)?, step))
    }

    fn then_pending(&self, mut p: Pending, step: Step) -> Pending {
        p.steps.push(step);
        p
    }
}

/// The folder relative paths of a script are resolved against (the working directory).
pub fn base_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| Path::new(".").to_path_buf())
}

/// A GENERATE list over aggregate rows `(group, agg0, ...)` rewritten over the aggregate's
/// columns `(key0, ..., keyN, agg0, ...)`: with several keys, `group.$i` is key `i`, a
/// flattened `group` is every key, and `group` itself a tuple made of them.
fn regroup_items(items: &[GenItem], keys: usize, group_ty: &PigType) -> Vec<GenItem> {
    if keys == 1 {
        return items.to_vec();
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if item.flatten && matches!(item.expr.kind, ExprKind::Column(0)) {
            out.extend((0..keys).map(|i| GenItem {
                expr: Expr::new(
                    ExprKind::Column(i),
                    tuple_field_ty(group_ty, i),
                    item.expr.span,
                ),
                flatten: false,
                width: None,
            }));
        } else {
            out.push(GenItem {
                expr: regroup(&item.expr, keys, group_ty),
                flatten: item.flatten,
                width: item.width,
            });
        }
    }
    out
}

fn regroup(e: &Expr, keys: usize, group_ty: &PigType) -> Expr {
    let column = |i: usize, ty: PigType| Expr::new(ExprKind::Column(i), ty, e.span);
    match &e.kind {
        ExprKind::TupleField { expr, index } if matches!(expr.kind, ExprKind::Column(0)) => {
            column(*index, e.ty.clone())
        }
        ExprKind::Column(0) => Expr::new(
            ExprKind::MakeTuple(
                (0..keys)
                    .map(|i| column(i, tuple_field_ty(group_ty, i)))
                    .collect(),
            ),
            e.ty.clone(),
            e.span,
        ),
        ExprKind::Column(j) => column(keys + j - 1, e.ty.clone()),
        _ => e
            .map_children(&mut |c| Some(regroup(c, keys, group_ty)))
            .unwrap_or_else(|| e.clone()),
    }
}

fn tuple_field_ty(t: &PigType, i: usize) -> PigType {
    match t {
        PigType::Tuple(Some(s)) => s.fields.get(i).map_or(PigType::Bytearray, |f| f.ty.clone()),
        _ => PigType::Bytearray,
    }
}
