//! `push_filter`: a FILTER over a JOIN whose condition reads the fields of one input only
//! moves below the join, onto that input, so fewer rows are shuffled and matched.
//!
//! ```text
//! Filter: ($0 > 10)                     Join: keys=[$1; $0]
//!   Join: keys=[$1; $0]          =>       Filter: ($0 > 10)
//!     Load [a]                              Load [a]
//!     Load [b]                            Load [b]
//! ```
//!
//! Not applied when the condition reads fields of several inputs (or whole rows, or a
//! relation used as a scalar), when it is an ASSERT or calls a volatile function, for the inner side of an outer join (its unmatched rows
//! would come back with nulls instead of being dropped), or for FULL outer joins.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{JoinType, LogicalPlan, Node, NodeId, Operator};
use crate::optimizer::OptimizerRule;

/// The filter pushdown rule.
pub struct PushFilter;

/// `e` with every column shifted down by `offset` (all its columns are at least `offset`).
fn shift(e: &Expr, offset: usize) -> Option<Expr> {
    match e.kind {
        ExprKind::Column(c) => Some(Expr::new(
            ExprKind::Column(c.checked_sub(offset)?),
            e.ty.clone(),
            e.span,
        )),
        ExprKind::WholeRow | ExprKind::Slot(_) | ExprKind::Outer(_) | ExprKind::Scalar { .. } => {
            None
        }
        _ => e.map_children(&mut |c| shift(c, offset)),
    }
}

impl OptimizerRule for PushFilter {
    fn name(&self) -> &'static str {
        "push_filter"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, _live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Filter { cond } = &node.op else {
            return Ok(false);
        };
        let join = plan.node(node.inputs[0]);
        let Operator::Join { join_type, .. } = &join.op else {
            return Ok(false);
        };
        // Which inputs a filter may move onto: those whose rows the join never pads.
        let allowed = |i: usize| match join_type {
            JoinType::Inner => true,
            JoinType::Left | JoinType::LeftAnti => i == 0,
            JoinType::Right => i == 1,
            JoinType::Full => false,
        };
        let Some(cols) = cond.columns() else {
            return Ok(false);
        };
        if cols.is_empty() {
            return Ok(false);
        }
        let mut offset = 0;
        let mut target = None;
        for (i, &input) in join.inputs.iter().enumerate() {
            let Some(width) = plan.node(input).schema.as_ref().map(|s| s.fields.len()) else {
                return Ok(false);
            };
            if cols.iter().all(|&c| c >= offset && c < offset + width) {
                target = Some((i, offset));
                break;
            }
            offset += width;
        }
        let Some((side, offset)) = target else {
            return Ok(false);
        };
        if !allowed(side) {
            return Ok(false);
        }
        let Some(shifted) = shift(cond, offset) else {
            return Ok(false);
        };
        let input = join.inputs[side];
        let filter = Node {
            op: Operator::Filter { cond: shifted },
            inputs: vec![input],
            schema: plan.node(input).schema.clone(),
            alias: None,
            span: node.span,
        };
        let (join_op, mut join_inputs) = (join.op.clone(), join.inputs.clone());
        join_inputs[side] = plan.add(filter);
        let node = &mut plan.nodes[id];
        node.op = join_op;
        node.inputs = join_inputs;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const J: &str = "a = LOAD 'a' AS (x:int, k:chararray); b = LOAD 'b' AS (k:chararray, y:int); ";

    #[test]
    fn a_one_sided_condition_moves_below_the_join() {
        let plan = after_rule(
            &PushFilter,
            &format!("{J}j = JOIN a BY k, b BY k; f = FILTER j BY b::y > 3; DUMP f;"),
        );
        assert_eq!(
            plan,
            "Dump\n  Join [f]: type=Inner, strategy=Hash, keys=[$1; $0]\n    Load [a]: location='a', func=PigStorage()\n    Filter: ($1 > 3)\n      Load [b]: location='b', func=PigStorage()\n"
        );
    }

    #[test]
    fn the_outer_side_of_a_left_join_takes_the_filter() {
        let plan = after_rule(
            &PushFilter,
            &format!("{J}j = JOIN a BY k LEFT OUTER, b BY k; f = FILTER j BY a::x > 3; DUMP f;"),
        );
        assert!(
            plan.contains("    Filter: ($0 > 3)\n      Load [a]"),
            "{plan}"
        );
    }

    #[test]
    fn not_applied_to_two_sided_conditions_or_the_inner_side_of_outer_joins() {
        let both = after_rule(
            &PushFilter,
            &format!("{J}j = JOIN a BY k, b BY k; f = FILTER j BY a::x > b::y; DUMP f;"),
        );
        assert!(both.contains("Filter [f]"), "{both}");
        let inner_side = after_rule(
            &PushFilter,
            &format!(
                "{J}j = JOIN a BY k LEFT OUTER, b BY k; f = FILTER j BY b::y IS NULL; DUMP f;"
            ),
        );
        assert!(inner_side.contains("Filter [f]"), "{inner_side}");
        let full = after_rule(
            &PushFilter,
            &format!("{J}j = JOIN a BY k FULL OUTER, b BY k; f = FILTER j BY a::x > 1; DUMP f;"),
        );
        assert!(full.contains("Filter [f]"), "{full}");
    }
}
