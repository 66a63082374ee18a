//! The map/reduce stages a plan runs as, with Pig-style feature tags, for EXPLAIN and run
//! statistics.
//!
//! A stage is a chain of operators that runs without moving rows between tasks: it starts at
//! a LOAD (a map stage) or at an operator that needs rows grouped by key (a reduce stage,
//! fed by a shuffle of its inputs' stages).

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::logical::{JoinStrategy, JoinType, LogicalPlan, NodeId, OpLine, Operator};

/// One stage.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Stages are numbered in the order they can run (inputs first).
    pub id: usize,
    /// `map` (reads files) or `reduce` (reads a shuffle).
    pub kind: &'static str,
    /// The operators, from the stage's output down to its source.
    pub nodes: Vec<NodeId>,
    /// The stages feeding this one.
    pub inputs: Vec<usize>,
    /// Pig-style tags: GROUP_BY, HASH_JOIN, REPLICATED_JOIN, ORDER_BY, LIMIT, ...
    pub features: Vec<&'static str>,
}

/// Whether the operator needs its input rows moved between tasks by key.
pub fn is_shuffle(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Group { .. }
            | Operator::Aggregate { .. }
            | Operator::TopKGroup { .. }
            | Operator::Join {
                strategy: JoinStrategy::Hash,
                ..
            }
            | Operator::Cross { .. }
            | Operator::Order { .. }
            | Operator::Distinct { .. }
            | Operator::Rank { .. }
    )
}

/// The stages computing the sink `root`, inputs first. A node in `shared` (see
/// [`crate::multi_query::shared_nodes`]) ends a stage of its own, tagged MULTI_QUERY: it
/// is computed once and its rows go to each of its readers.
pub fn stages(plan: &LogicalPlan, root: NodeId, shared: &HashSet<NodeId>) -> Vec<Stage> {
    let mut out = Vec::new();
    build(plan, root, shared, &mut out);
    out
}

/// The stage of `top`: a shared node's stage is built once and then reused.
fn stage_of(
    plan: &LogicalPlan,
    top: NodeId,
    shared: &HashSet<NodeId>,
    out: &mut Vec<Stage>,
) -> usize {
    if shared.contains(&top)
        && let Some(s) = out.iter().find(|s| s.nodes.first() == Some(&top))
    {
        return s.id;
    }
    build(plan, top, shared, out)
}

fn build(plan: &LogicalPlan, top: NodeId, shared: &HashSet<NodeId>, out: &mut Vec<Stage>) -> usize {
    let mut nodes = Vec::new();
    let mut inputs = Vec::new();
    let mut kind = "map";
    let mut cur = top;
    loop {
        if cur != top && shared.contains(&cur) {
            inputs.push(stage_of(plan, cur, shared, out));
            break;
        }
        nodes.push(cur);
        let node = plan.node(cur);
        if is_shuffle(&node.op) {
            kind = "reduce";
            for &i in &node.inputs {
                inputs.push(stage_of(plan, i, shared, out));
            }
            break;
        }
        match &node.op {
            Operator::Load { .. } => break,
            Operator::Union => {
                for &i in &node.inputs {
                    inputs.push(stage_of(plan, i, shared, out));
                }
                break;
            }
            Operator::Join {
                strategy: JoinStrategy::Replicated,
                ..
            } => {
                for &i in &node.inputs[1..] {
                    inputs.push(stage_of(plan, i, shared, out));
                }
                cur = node.inputs[0];
            }
            _ => match node.inputs.first() {
                Some(&i) => cur = i,
                None => break,
            },
        }
    }
    let mut features = tags(plan, &nodes);
    if shared.contains(&top) {
        features.push("MULTI_QUERY");
    }
    let id = out.len() + 1;
    out.push(Stage {
        id,
        kind,
        nodes,
        inputs,
        features,
    });
    id
}

fn tags(plan: &LogicalPlan, nodes: &[NodeId]) -> Vec<&'static str> {
    let mut tags = Vec::new();
    for &n in nodes.iter().rev() {
        let node = plan.node(n);
        let these: &[&'static str] = match &node.op {
            Operator::Group { .. } if node.inputs.len() > 1 => &["COGROUP"],
            Operator::Group { .. } => &["GROUP_BY"],
            Operator::Aggregate { .. } => &["GROUP_BY", "COMBINER"],
            Operator::TopKGroup { .. } => &["GROUP_BY", "TOP_K"],
            Operator::Join {
                strategy,
                join_type,
                ..
            } => match (strategy, join_type) {
                (JoinStrategy::Hash, JoinType::LeftAnti) => &["HASH_JOIN", "ANTI_JOIN"],
                (JoinStrategy::Hash, _) => &["HASH_JOIN"],
                (JoinStrategy::Replicated, JoinType::LeftAnti) => &["REPLICATED_JOIN", "ANTI_JOIN"],
                (JoinStrategy::Replicated, _) => &["REPLICATED_JOIN"],
            },
            Operator::Cross { .. } => &["CROSS"],
            Operator::Order { .. } => &["ORDER_BY"],
            // ORDER then LIMIT: each task keeps only its own first rows.
            Operator::Limit { .. }
                if matches!(plan.node(node.inputs[0]).op, Operator::Order { .. }) =>
            {
                &["LIMIT", "TOP_K"]
            }
            Operator::Limit { .. } => &["LIMIT"],
            Operator::Distinct { .. } => &["DISTINCT"],
            Operator::Filter { .. } => &["FILTER"],
            Operator::Foreach { nested, .. } if !nested.is_empty() => &["NESTED_FOREACH"],
            Operator::Foreach { .. } => &["FOREACH"],
            Operator::Union => &["UNION"],
            Operator::Sample { .. } => &["SAMPLER"],
            Operator::Rank { .. } => &["RANK"],
            Operator::Stream { .. } => &["STREAMING"],
            Operator::Load { .. } | Operator::Store { .. } | Operator::Dump => &[],
        };
        for t in these {
            if !tags.contains(t) {
                tags.push(t);
            }
        }
    }
    tags
}

/// EXPLAIN's text for one sink: the logical plan, then its stages (`shared` as for
/// [`stages`]).
pub fn explain(
    plan: &LogicalPlan,
    root: NodeId,
    verbose: bool,
    shared: &HashSet<NodeId>,
) -> String {
    let mut out = String::new();
    out.push_str("#-----------------------------------------------\n# Logical plan\n#-----------------------------------------------\n");
    out.push_str(&plan.display_tree(root, verbose));
    out.push_str("#-----------------------------------------------\n# Stage plan\n#-----------------------------------------------\n");
    for stage in stages(plan, root, shared) {
        let inputs = if stage.inputs.is_empty() {
            String::new()
        } else {
            let ids: Vec<String> = stage.inputs.iter().map(|i| format!("stage {i}")).collect();
            format!(" <- {}", ids.join(", "))
        };
        let _ = writeln!(
            out,
            "Stage {} ({}){inputs}: features=[{}]",
            stage.id,
            stage.kind,
            stage.features.join(",")
        );
        for &n in &stage.nodes {
            let _ = writeln!(out, "  {}", OpLine(plan.node(n)));
        }
    }
    out
}
