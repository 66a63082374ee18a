//! What the planner tells EXPLAIN and the runtime about a plan's shape: which operators
//! move rows between tasks by key (a shuffle: the start of a reduce stage), and the logical
//! plan's text. The stages themselves are cut by the runtime's lowering, once.

use crate::logical::{JoinStrategy, LogicalPlan, NodeId, Operator};

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

/// EXPLAIN's text of the logical plan computing `root`. The stages and the physical plan
/// that follow it come from the runtime's lowering, the one that runs.
pub fn logical_text(plan: &LogicalPlan, root: NodeId, verbose: bool) -> String {
    let mut out = String::new();
    out.push_str("#-----------------------------------------------\n# Logical plan\n#-----------------------------------------------\n");
    out.push_str(&plan.display_tree(root, verbose));
    out
}
