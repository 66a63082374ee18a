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

use arrow::compute::SortOptions;
use datafusion::physical_expr::{LexOrdering, PhysicalSortExpr};
use datafusion::physical_plan::expressions::Column;
use datafusion::physical_plan::repartition::RepartitionExec;
use datafusion::physical_plan::sorts::sort::SortExec;
use datafusion::physical_plan::union::UnionExec;
use datafusion::physical_plan::{ExecutionPlan, Partitioning};
use pigrs_planner::logical::{GroupKeys, JoinStrategy, LogicalPlan, NodeId, Operator};
use pigrs_udf::Schema;

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::exec::{KeySpec, Output, PigExec, Reduce, ReplicatedJoin, Source, Step, TopKSpec};
use crate::io::{LoadFunc, Warnings, load_func, plan_splits, resolve_input};
use crate::layout::Layout;
use crate::sort::SortLayout;
use crate::stats::Stats;
use crate::tee::{Fanout, Tee};

/// A stage being built: its source and the steps fused so far.
struct Pending {
    source: Source,
    steps: Vec<Step>,
    children: Vec<Arc<dyn ExecutionPlan>>,
    /// Set when the stage so far is a branch of a shared stage (multi-query): its steps and
    /// output run in the shared stage's tasks.
    tee: Option<Arc<Tee>>,
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
        if let Some(tee) = p.tee {
            let stats = self.stats.stage("Map", tee.tasks());
            stats.describe(&p.source, &p.steps, &output);
            return tee.branch(p.steps, output, stats);
        }
        PigExec::new(
            p.source,
            p.steps,
            output,
            p.children,
            self.ctx.clone(),
            &self.stats,
        )
    }

    fn schema(&self, id: NodeId) -> Option<&Schema> {
        self.plan.node(id).schema.as_ref()
    }

    fn width(&self, id: NodeId) -> usize {
        self.schema(id).map_or(0, |s| s.fields.len())
    }

    fn shuffle(
        &self,
        inputs: &[NodeId],
        keys: Vec<KeySpec>,
        partitions: usize,
    ) -> Result<Arc<dyn ExecutionPlan>, RunError> {
        let outputs = keys
            .into_iter()
            .enumerate()
            .map(|(tag, keys)| Output::Shuffle {
                keys,
                tag: tag as i32,
                topk: None,
            })
            .collect();
        self.shuffle_outputs(inputs, outputs, partitions)
    }

    /// Map stages ending in the given outputs, hash-partitioned by key into `partitions`.
    fn shuffle_outputs(
        &self,
        inputs: &[NodeId],
        outputs: Vec<Output>,
        partitions: usize,
    ) -> Result<Arc<dyn ExecutionPlan>, RunError> {
        let mut maps = Vec::new();
        for (&input, output) in inputs.iter().zip(outputs) {
            let pending = self.lower(input)?;
            maps.push(self.finish(pending, output));
        }
        let all = UnionExec::try_new(maps).map_err(RunError::internal)?;
        let key = Arc::new(Column::new("__key", 0));
        let shuffled =
            RepartitionExec::try_new(all, Partitioning::Hash(vec![key], partitions.max(1)))
                .map_err(RunError::internal)?;
        Ok(Arc::new(shuffled))
    }

    /// The shuffle sorted by key, input and position in each reduce task (DataFusion's sort,
    /// spilling beyond memory): a reduce then holds one group at a time.
    fn sorted_shuffle(
        &self,
        inputs: &[NodeId],
        keys: Vec<KeySpec>,
        partitions: usize,
    ) -> Result<Arc<dyn ExecutionPlan>, RunError> {
        let shuffled = self.shuffle(inputs, keys, partitions)?;
        sorted_by_key(shuffled)
    }

    /// Reduce tasks of a GROUP: one for GROUP ALL (a single key), else as for any shuffle.
    fn group_tasks(&self, keys: &[KeySpec], parallel: Option<u32>) -> usize {
        if keys.iter().all(|k| matches!(k, KeySpec::All)) {
            1
        } else {
            self.reduce_tasks(parallel)
        }
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
                let stage = PigExec::new(
                    pending.source,
                    pending.steps,
                    Output::Split(split.clone()),
                    pending.children,
                    self.ctx.clone(),
                    &self.stats,
                );
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
                let mut load =
                    load_func(&func.name, &func.args).map_err(|m| RunError::plan(func.span, m))?;
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
                Pending {
                    source: Source::Scan {
                        splits,
                        load,
                        schema: node.schema.clone(),
                        warnings: self.warnings.clone(),
                        filter: filter.clone(),
                    },
                    steps: vec![],
                    children: vec![],
                    tee: None,
                }
            }
            Operator::Filter { cond } => self.then(input(0), Step::Filter(cond.clone()))?,
            Operator::Foreach { nested, generate } => self.then(
                input(0),
                Step::Foreach {
                    nested: nested.clone(),
                    generate: generate.clone(),
                },
            )?,
            Operator::Sample { fraction } => self.then(input(0), Step::Sample(*fraction))?,
            Operator::Limit { n } => {
                let inner = self.plan.node(input(0));
                if let Operator::Order { keys, .. } = &inner.op {
                    // ORDER then LIMIT: keep only the top n while sorting; with top-k
                    // pushdown each task first keeps only its own top n.
                    let (child, layout) = if self.top_k {
                        let layout = Layout::new(self.plan.node(inner.inputs[0]).schema.clone());
                        let spec = TopKSpec {
                            order: keys.clone(),
                            n: usize::try_from(*n).unwrap_or(usize::MAX),
                        };
                        let pending = self.lower(inner.inputs[0])?;
                        let output = Output::TopRows {
                            layout: layout.clone(),
                            spec,
                        };
                        (self.finish(pending, output), layout)
                    } else {
                        self.rows(inner.inputs[0])?
                    };
                    return Ok(Pending {
                        source: Source::Sort {
                            layout,
                            keys: keys.clone(),
                            limit: Some(*n),
                        },
                        steps: vec![],
                        children: vec![child],
                        tee: None,
                    });
                }
                let mut pending = self.lower(input(0))?;
                pending.steps.push(Step::Limit(*n));
                let layout = Layout::new(inner.schema.clone());
                let child = self.finish(pending, Output::Rows(layout.clone()));
                Pending {
                    source: Source::Limit { layout, n: *n },
                    steps: vec![],
                    children: vec![child],
                    tee: None,
                }
            }
            Operator::Order { keys, .. }
                if let Some(sl) =
                    SortLayout::new(keys, Layout::new(self.schema(input(0)).cloned())) =>
            {
                // Each task's rows with their keys, sorted (spilling when memory runs out)
                // and merged by DataFusion.
                let pending = self.lower(input(0))?;
                let child = self.finish(pending, Output::Sortable(sl.clone()));
                let merged = sl.plan(child).map_err(RunError::internal)?;
                Pending {
                    source: Source::Sorted(sl),
                    steps: vec![],
                    children: vec![merged],
                    tee: None,
                }
            }
            Operator::Order { keys, .. } => {
                let (child, layout) = self.rows(input(0))?;
                Pending {
                    source: Source::Sort {
                        layout,
                        keys: keys.clone(),
                        limit: None,
                    },
                    steps: vec![],
                    children: vec![child],
                    tee: None,
                }
            }
            Operator::Group {
                keys,
                inner,
                parallel,
            } => {
                let specs: Vec<KeySpec> = keys.iter().map(key_spec).collect();
                let tasks = self.group_tasks(&specs, *parallel);
                let shuffled = self.sorted_shuffle(&node.inputs, specs, tasks)?;
                Pending {
                    source: Source::Reduce(Reduce::Group {
                        inputs: node.inputs.len(),
                        inner: inner.clone(),
                    }),
                    steps: vec![],
                    children: vec![shuffled],
                    tee: None,
                }
            }
            Operator::Aggregate {
                keys,
                aggs,
                generate,
                parallel,
            } => {
                let keys = key_spec(keys);
                let tasks = self.group_tasks(std::slice::from_ref(&keys), *parallel);
                let aggs = Arc::new(aggs.clone());
                let output = Output::Combine {
                    keys,
                    aggs: aggs.clone(),
                };
                let shuffled = self.shuffle_outputs(&node.inputs, vec![output], tasks)?;
                Pending {
                    source: Source::Reduce(Reduce::Aggregate { aggs }),
                    steps: vec![Step::Foreach {
                        nested: vec![],
                        generate: generate.clone(),
                    }],
                    children: vec![shuffled],
                    tee: None,
                }
            }
            Operator::TopKGroup {
                keys,
                order,
                n,
                parallel,
            } => {
                let keys = key_spec(keys);
                let tasks = self.group_tasks(std::slice::from_ref(&keys), *parallel);
                let topk = TopKSpec {
                    order: order.clone(),
                    n: usize::try_from(*n).unwrap_or(usize::MAX),
                };
                let output = Output::Shuffle {
                    keys,
                    tag: 0,
                    topk: Some(topk),
                };
                let shuffled =
                    sorted_by_key(self.shuffle_outputs(&node.inputs, vec![output], tasks)?)?;
                Pending {
                    source: Source::Reduce(Reduce::Group {
                        inputs: 1,
                        inner: vec![false],
                    }),
                    steps: vec![],
                    children: vec![shuffled],
                    tee: None,
                }
            }
            Operator::Join {
                keys,
                join_type,
                strategy,
                parallel,
            } => {
                let widths: Vec<usize> = node.inputs.iter().map(|&i| self.width(i)).collect();
                match strategy {
                    JoinStrategy::Hash => {
                        let specs = keys.iter().map(|k| KeySpec::Exprs(k.clone())).collect();
                        let shuffled =
                            self.sorted_shuffle(&node.inputs, specs, self.reduce_tasks(*parallel))?;
                        Pending {
                            source: Source::Reduce(Reduce::Join {
                                join_type: *join_type,
                                widths,
                            }),
                            steps: vec![],
                            children: vec![shuffled],
                            tee: None,
                        }
                    }
                    JoinStrategy::Replicated => {
                        let mut probe = self.lower(node.inputs[0])?;
                        if probe.tee.is_some() {
                            // The large input is a branch of a shared stage, which may also
                            // feed the small inputs: the join gets a stage of its own.
                            let layout = Layout::new(self.schema(node.inputs[0]).cloned());
                            let child = self.finish(probe, Output::Rows(layout.clone()));
                            probe = Pending {
                                source: Source::Rows(layout),
                                steps: vec![],
                                children: vec![child],
                                tee: None,
                            };
                        }
                        // The join runs as a step after the large input's own.
                        let (builds, layouts) = self.inputs_rows(&node.inputs[1..])?;
                        probe.steps.push(Step::Replicated(Arc::new(ReplicatedJoin {
                            builds,
                            layouts,
                            keys: keys.clone(),
                            join_type: *join_type,
                            widths,
                            tables: tokio::sync::OnceCell::new(),
                        })));
                        probe
                    }
                }
            }
            Operator::Cross { .. } => {
                let (children, layouts) = self.inputs_rows(&node.inputs)?;
                Pending {
                    source: Source::Cross { layouts },
                    steps: vec![],
                    children,
                    tee: None,
                }
            }
            Operator::Distinct { parallel } => {
                let shuffled = self.sorted_shuffle(
                    &node.inputs,
                    vec![KeySpec::Row],
                    self.reduce_tasks(*parallel),
                )?;
                Pending {
                    source: Source::Reduce(Reduce::Distinct),
                    steps: vec![],
                    children: vec![shuffled],
                    tee: None,
                }
            }
            Operator::Union => {
                let (children, layouts) = self.inputs_rows(&node.inputs)?;
                Pending {
                    source: Source::Concat { layouts },
                    steps: vec![],
                    children,
                    tee: None,
                }
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
                }
            }
            Operator::Stream { command, .. } => {
                let (child, layout) = self.rows(input(0))?;
                Pending {
                    source: Source::Stream {
                        layout,
                        command: Arc::new(crate::stream::Command {
                            line: command.clone(),
                            dir: self.base_dir.clone(),
                            schema: node.schema.clone(),
                            span: node.span,
                        }),
                    },
                    steps: vec![],
                    children: vec![child],
                    tee: None,
                }
            }
            Operator::Store { .. } | Operator::Dump => self.lower(input(0))?,
        })
    }

    /// Fuses a row step onto the stage computing `input`.
    fn then(&self, input: NodeId, step: Step) -> Result<Pending, RunError> {
        let mut p = self.lower(input)?;
        p.steps.push(step);
        Ok(p)
    }
}

/// The folder relative paths of a script are resolved against (the working directory).
pub fn base_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| Path::new(".").to_path_buf())
}

/// The shuffle key of GROUP keys.
fn key_spec(keys: &GroupKeys) -> KeySpec {
    match keys {
        GroupKeys::All => KeySpec::All,
        GroupKeys::Exprs(es) => KeySpec::Exprs(es.clone()),
    }
}

/// A shuffle sorted by key, input and position in each reduce task.
fn sorted_by_key(shuffled: Arc<dyn ExecutionPlan>) -> Result<Arc<dyn ExecutionPlan>, RunError> {
    let ordering = LexOrdering::new(["__key", "__tag", "__seq"].iter().enumerate().map(
        |(i, name)| PhysicalSortExpr::new(Arc::new(Column::new(name, i)), SortOptions::default()),
    ))
    .ok_or_else(|| RunError::internal("no shuffle ordering"))?;
    Ok(Arc::new(
        SortExec::new(ordering, shuffled).with_preserve_partitioning(true),
    ))
}
