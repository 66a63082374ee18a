//! The rule-based optimizer: an ordered list of rules, each rewriting the plan where its
//! pattern matches, with a schema check after every rule.
//!
//! Rules rewrite a node in place (its id stays, so its consumers need no change) or add new
//! nodes; they never change a node's output schema. Each rule is one file with its own
//! before/after tests.

mod anti_join;
mod broadcast_join;
mod combiner;
mod filter_into_scan;
mod nested_distinct;
mod prune_columns;
mod push_filter;
mod push_filter_foreach;
mod push_filter_group;
mod top_k;

use std::collections::HashSet;

pub use anti_join::AntiJoin;
pub use broadcast_join::{BroadcastJoin, DEFAULT_THRESHOLD, SizeOf};
pub use combiner::Combiner;
pub use filter_into_scan::{FilterIntoScan, scan_checkable};
pub use nested_distinct::NestedDistinct;
pub use prune_columns::PruneColumns;
pub use push_filter::PushFilter;
pub use push_filter_foreach::PushFilterForeach;
pub use push_filter_group::PushFilterGroup;
pub use top_k::TopK;

use crate::error::{PlanError, Result};
use crate::expr::ExprKind;
use crate::logical::{LogicalPlan, NodeId};

/// A plan rewrite.
pub trait OptimizerRule {
    /// The rule's snake_case name, shown in EXPLAIN.
    fn name(&self) -> &'static str;

    /// Rewrites node `id` if the rule applies there; says whether it did. `live` holds the
    /// nodes the sinks being optimized depend on (consumers elsewhere do not count).
    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Result<bool>;
}

/// The rules, in order.
pub struct Optimizer {
    rules: Vec<Box<dyn OptimizerRule>>,
}

impl Default for Optimizer {
    fn default() -> Self {
        Optimizer::new(None)
    }
}

impl Optimizer {
    /// The rules, with `size_of` telling input sizes to the broadcast-join rule (without it
    /// only `USING 'replicated'` broadcasts).
    pub fn new(size_of: Option<(SizeOf, u64)>) -> Self {
        let mut rules: Vec<Box<dyn OptimizerRule>> = Vec::new();
        if let Some((size_of, threshold)) = size_of {
            // Before anti_join, which keeps the strategy it finds.
            rules.push(Box::new(BroadcastJoin { size_of, threshold }));
        }
        rules.extend([
            // First: filters written after a projection come down to the GROUP or JOIN
            // under it, where the rules below look for them.
            Box::new(PushFilterForeach) as Box<dyn OptimizerRule>,
            // Before push_filter, so a filter moved off a GROUP onto a JOIN goes on below
            // it; before top_k and the combiner, which take the GROUP as they find it.
            Box::new(PushFilterGroup),
            Box::new(AntiJoin),
            // After anti_join, which wants the filter on the join's unmatched rows.
            Box::new(PushFilter),
            // top_k looks for GROUP + nested ORDER/LIMIT; it must run before the combiner
            // could take the same FOREACH (it cannot today: ORDER bags are not algebraic).
            Box::new(TopK),
            // Takes the GROUP's nested DISTINCT as top_k takes its nested ORDER; it makes an
            // Aggregate itself, so the combiner has nothing more to do there.
            Box::new(NestedDistinct),
            Box::new(Combiner),
            // After every rule that moves filters down onto the loads.
            Box::new(FilterIntoScan),
            // Last: it reads what the other rules made (an Aggregate reads fewer fields than
            // the GROUP it replaces).
            Box::new(PruneColumns),
        ]);
        Optimizer { rules }
    }
}

/// What one rule changed, for EXPLAIN -verbose.
#[derive(Clone, Debug)]
pub struct Applied {
    /// The rule.
    pub rule: &'static str,
    /// The nodes it rewrote.
    pub nodes: Vec<NodeId>,
    /// The plan of each sink right after the rule, as EXPLAIN prints it.
    pub plans: Vec<String>,
}

impl Optimizer {
    /// Applies every rule, in order, to every node the sinks depend on.
    pub fn optimize(&self, plan: &mut LogicalPlan, sinks: &[NodeId]) -> Result<Vec<Applied>> {
        let mut applied = Vec::new();
        for rule in &self.rules {
            let live = live_nodes(plan, sinks);
            let mut order: Vec<NodeId> = live.iter().copied().collect();
            order.sort_unstable();
            let mut changed = Vec::new();
            for id in order {
                let before = plan.node(id).schema.clone();
                if rule.rewrite(plan, id, &live)? {
                    if plan.node(id).schema != before {
                        return Err(PlanError::internal(format!(
                            "optimizer rule {} changed the schema of node {id}",
                            rule.name()
                        )));
                    }
                    changed.push(id);
                }
            }
            if !changed.is_empty() {
                let plans = sinks.iter().map(|&s| plan.display_tree(s, false)).collect();
                applied.push(Applied {
                    rule: rule.name(),
                    nodes: changed,
                    plans,
                });
            }
        }
        Ok(applied)
    }
}

/// Optimizes the plan of a script for the sinks its actions run or explain. `size_of`
/// gives input sizes for broadcast decisions; `SET pigrs.join.broadcast.threshold N`
/// among the actions changes the threshold. With an ILLUSTRATE among them, every LOAD
/// converts every field.
pub fn optimize_for(
    plan: &mut LogicalPlan,
    actions: &[crate::builder::Action],
    size_of: Option<SizeOf>,
) -> Result<Vec<Applied>> {
    use crate::builder::Action;
    let threshold = actions
        .iter()
        .filter_map(|a| match a {
            Action::Set(k, v) if k == "pigrs.join.broadcast.threshold" => {
                v.trim().parse::<u64>().ok()
            }
            _ => None,
        })
        .next_back()
        .unwrap_or(DEFAULT_THRESHOLD);
    let sinks: Vec<NodeId> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Execute(id) | Action::Explain { node: Some(id), .. } => Some(*id),
            _ => None,
        })
        .collect();
    let mut optimizer = Optimizer::new(size_of.map(|s| (s, threshold)));
    // ILLUSTRATE shows every field of every step on the way: none may go unconverted.
    if actions.iter().any(|a| matches!(a, Action::Illustrate(_))) {
        optimizer.rules.retain(|r| r.name() != PruneColumns.name());
    }
    optimizer.optimize(plan, &sinks)
}

/// The nodes reachable from `sinks`, through inputs and through relations used as scalars
/// (the runtime computes those from the same plan, so their readers count too).
pub fn live_nodes(plan: &LogicalPlan, sinks: &[NodeId]) -> HashSet<NodeId> {
    let mut seen = HashSet::new();
    let mut stack: Vec<NodeId> = sinks.to_vec();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            let node = plan.node(id);
            stack.extend(node.inputs.iter().copied());
            for e in node.op.exprs() {
                e.visit(&mut |x| {
                    if let ExprKind::Scalar { relation, .. } = x.kind {
                        stack.push(relation);
                    }
                });
            }
        }
    }
    seen
}

/// How many live nodes read `id`.
pub fn live_consumers(plan: &LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> usize {
    live.iter()
        .filter(|&&n| plan.node(n).inputs.contains(&id))
        .count()
}

#[cfg(test)]
pub(crate) mod test {
    //! Shared fixtures for rule tests: plan a script, run one rule, print the plan.

    use super::*;
    use crate::builder::{Action, plan_script};

    /// Plans `script` and returns the plan and its sinks.
    pub fn planned(script: &str) -> (LogicalPlan, Vec<NodeId>) {
        let ast = pigrs_grammar::parse_script(script, 0).expect("script parses");
        let (session, actions) = plan_script(&ast).expect("script plans");
        let sinks = actions
            .iter()
            .filter_map(|a| match a {
                Action::Execute(id) => Some(*id),
                _ => None,
            })
            .collect();
        (session.plan, sinks)
    }

    /// Runs one rule over a script's plan; returns the plan text of the first sink.
    pub fn after_rule(rule: &dyn OptimizerRule, script: &str) -> String {
        let (mut plan, sinks) = planned(script);
        let live = live_nodes(&plan, &sinks);
        let mut ids: Vec<NodeId> = live.iter().copied().collect();
        ids.sort_unstable();
        for id in ids {
            rule.rewrite(&mut plan, id, &live).expect("rule runs");
        }
        plan.display_tree(sinks[0], false)
    }
}
