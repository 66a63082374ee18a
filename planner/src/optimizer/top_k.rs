//! `top_k`: a GROUP feeding a nested `ORDER bag BY ...; LIMIT n` that is the bag's only use
//! becomes a [`Operator::TopKGroup`]: before the shuffle every task keeps only the first
//! `n` rows of each key, so whole bags are never shuffled. The nested ORDER and LIMIT stay
//! and pick the final top `n` from what arrives.
//!
//! ```text
//! Foreach: nested=[ORDER $1 BY $2 DESC; LIMIT #0 20]     Foreach: (unchanged)
//!   Group: keys=[$0]                               =>      TopKGroup: keys=[$0], order=[$2 DESC], k=20
//! ```
//!
//! Not applied when the bag or the ordered bag is used anywhere else in the FOREACH, when
//! the GROUP has several inputs or other consumers.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{LogicalPlan, NestedStep, Node, NodeId, Operator};
use crate::optimizer::{OptimizerRule, live_consumers};

/// The top-k rule.
pub struct TopK;

impl OptimizerRule for TopK {
    fn name(&self) -> &'static str {
        "top_k"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Foreach { nested, generate } = &node.op else {
            return Ok(false);
        };
        let group_id = node.inputs[0];
        let group = plan.node(group_id);
        let Operator::Group { keys, parallel, .. } = &group.op else {
            return Ok(false);
        };
        if group.inputs.len() != 1 || live_consumers(plan, group_id, live) != 1 {
            return Ok(false);
        }
        // Find `s = ORDER <bag> BY ...;` followed by `LIMIT s n`.
        let Some((order_slot, order_keys)) = nested.iter().enumerate().find_map(|(i, s)| match s {
            NestedStep::Order { input, keys } if matches!(input.kind, ExprKind::Column(1)) => {
                Some((i, keys.clone()))
            }
            _ => None,
        }) else {
            return Ok(false);
        };
        let Some(n) = nested.iter().find_map(|s| match s {
            NestedStep::Limit { input, n } if matches!(input.kind, ExprKind::Slot(i) if i == order_slot) => Some(*n),
            _ => None,
        }) else {
            return Ok(false);
        };
        // The bag and the ordered bag must have no other use.
        let mut outer: Vec<&Expr> = Vec::new();
        for s in nested {
            match s {
                NestedStep::Expr(e) => outer.push(e),
                NestedStep::Filter { input, .. }
                | NestedStep::Order { input, .. }
                | NestedStep::Limit { input, .. }
                | NestedStep::Distinct { input }
                | NestedStep::Sample { input, .. }
                | NestedStep::Foreach { input, .. } => outer.push(input),
                NestedStep::Cross { inputs } => outer.extend(inputs),
            }
        }
        outer.extend(generate.iter().map(|g| &g.expr));
        let (mut bag_uses, mut slot_uses) = (0, 0);
        for e in outer {
            e.visit(&mut |x| match x.kind {
                ExprKind::Column(1) | ExprKind::WholeRow => bag_uses += 1,
                ExprKind::Slot(i) if i == order_slot => slot_uses += 1,
                _ => {}
            });
        }
        if bag_uses != 1 || slot_uses != 1 {
            return Ok(false);
        }
        let topk = Node {
            op: Operator::TopKGroup {
                keys: keys[0].clone(),
                order: order_keys,
                n,
                parallel: *parallel,
            },
            inputs: group.inputs.clone(),
            schema: group.schema.clone(),
            alias: group.alias.clone(),
            span: group.span,
        };
        let new_id = plan.add(topk);
        plan.nodes[id].inputs[0] = new_id;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const TOP: &str = "A = LOAD 'x' AS (l:chararray, p:chararray, v:long); B = GROUP A BY l; ";

    #[test]
    fn nested_order_limit_keeps_k_per_key_before_the_shuffle() {
        let plan = after_rule(
            &TopK,
            &format!(
                "{TOP}C = FOREACH B {{ S = ORDER A BY v DESC; T = LIMIT S 20; GENERATE group, FLATTEN(T); }}; DUMP C;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Foreach [C]: nested=[ORDER $1 BY $2 DESC; LIMIT #0 20], generate=[$0, FLATTEN(#1)]\n    TopKGroup [B]: keys=[$0], order=[$2 DESC], k=20\n      Load [A]: location='x', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_when_the_whole_bag_is_also_used() {
        let plan = after_rule(
            &TopK,
            &format!(
                "{TOP}C = FOREACH B {{ S = ORDER A BY v DESC; T = LIMIT S 2; GENERATE group, COUNT(A), FLATTEN(T); }}; DUMP C;"
            ),
        );
        assert!(
            plan.contains("Group [B]") && !plan.contains("TopKGroup"),
            "{plan}"
        );
    }

    #[test]
    fn not_applied_when_the_ordered_bag_is_also_used() {
        let plan = after_rule(
            &TopK,
            &format!(
                "{TOP}C = FOREACH B {{ S = ORDER A BY v DESC; T = LIMIT S 2; GENERATE group, FLATTEN(T), COUNT(S); }}; DUMP C;"
            ),
        );
        assert!(!plan.contains("TopKGroup"), "{plan}");
    }

    #[test]
    fn not_applied_without_a_limit() {
        let plan = after_rule(
            &TopK,
            &format!(
                "{TOP}C = FOREACH B {{ S = ORDER A BY v DESC; GENERATE group, FLATTEN(S); }}; DUMP C;"
            ),
        );
        assert!(!plan.contains("TopKGroup"), "{plan}");
    }
}
