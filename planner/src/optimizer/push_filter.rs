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

/// The AND-ed parts of a condition.
pub(super) fn conjuncts(e: &Expr, out: &mut Vec<Expr>) {
    match &e.kind {
        ExprKind::And(l, r) => {
            conjuncts(l, out);
            conjuncts(r, out);
        }
        _ => out.push(e.clone()),
    }
}

/// Whether the condition must stay where it was written: ASSERT must see exactly those
/// rows, and a volatile condition (RANDOM) would be drawn for other rows.
pub(super) fn pinned(cond: &Expr) -> bool {
    let mut pinned = false;
    cond.visit(&mut |e| {
        if let ExprKind::Call { func, .. } = &e.kind {
            pinned |= func.is_volatile() || func.name() == "Assert";
        }
    });
    pinned
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
        if pinned(cond) {
            return Ok(false);
        }
        let join_id = node.inputs[0];
        let join = plan.node(join_id);
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
        // Each input's first column in the join's rows, and its width.
        let mut ranges = Vec::new();
        let mut offset = 0;
        for &input in &join.inputs {
            let Some(width) = plan.node(input).schema.as_ref().map(|s| s.fields.len()) else {
                return Ok(false);
            };
            ranges.push((offset, width));
            offset += width;
        }
        // Sort the AND-ed parts: those reading one allowed input move onto it.
        let mut parts = Vec::new();
        conjuncts(cond, &mut parts);
        let mut pushed: Vec<Vec<Expr>> = vec![Vec::new(); join.inputs.len()];
        let mut kept = Vec::new();
        for part in parts {
            let side = part
                .columns()
                .filter(|cols| !cols.is_empty())
                .and_then(|cols| {
                    ranges.iter().position(|&(start, width)| {
                        cols.iter().all(|&c| c >= start && c < start + width)
                    })
                });
            match side
                .filter(|&i| allowed(i))
                .and_then(|i| Some((i, shift(&part, ranges[i].0)?)))
            {
                Some((i, moved)) => pushed[i].push(moved),
                None => kept.push(part),
            }
        }
        if pushed.iter().all(Vec::is_empty) {
            return Ok(false);
        }
        move_below(plan, id, pushed, kept);
        Ok(true)
    }
}

/// Moves parts of the FILTER node `id` below the operator it reads: the conditions in
/// `pushed[i]` become a new FILTER on that operator's input i. When nothing is `kept`, the
/// FILTER's node becomes the operator (over the filtered inputs); otherwise the kept parts
/// stay in the FILTER's node, above a new copy of the operator. Returns the new FILTER
/// nodes.
pub(super) fn move_below(
    plan: &mut LogicalPlan,
    id: NodeId,
    pushed: Vec<Vec<Expr>>,
    kept: Vec<Expr>,
) -> Vec<NodeId> {
    let node = plan.node(id);
    let (span, filter_alias) = (node.span, node.alias.clone());
    let below = plan.node(node.inputs[0]);
    let (op, mut inputs, schema) = (below.op.clone(), below.inputs.clone(), below.schema.clone());
    let mut filters = Vec::new();
    for (i, conds) in pushed.into_iter().enumerate() {
        let Some(cond) = and_all(conds) else { continue };
        let input = inputs[i];
        let input_schema = plan.node(input).schema.clone();
        inputs[i] = plan.add(Node {
            op: Operator::Filter { cond },
            inputs: vec![input],
            schema: input_schema,
            alias: None,
            span,
        });
        filters.push(inputs[i]);
    }
    match and_all(kept) {
        // Nothing stays above: the filter's node becomes the operator.
        None => {
            let node = &mut plan.nodes[id];
            node.op = op;
            node.inputs = inputs;
        }
        // The rest stays above a new copy of the operator over the filtered inputs.
        Some(rest) => {
            let copy = plan.add(Node {
                op,
                inputs,
                schema,
                alias: None,
                span,
            });
            let node = &mut plan.nodes[id];
            node.op = Operator::Filter { cond: rest };
            node.inputs = vec![copy];
            node.alias = filter_alias;
        }
    }
    filters
}

/// The AND of the conditions, if there are any.
pub(super) fn and_all(conds: Vec<Expr>) -> Option<Expr> {
    conds.into_iter().reduce(|l, r| {
        let span = l.span.merge(r.span);
        Expr::new(
            ExprKind::And(Box::new(l), Box::new(r)),
            pigrs_udf::PigType::Boolean,
            span,
        )
    })
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
    fn and_ed_parts_move_to_their_own_inputs_and_the_rest_stays() {
        let plan = after_rule(
            &PushFilter,
            &format!(
                "{J}j = JOIN a BY k, b BY k; f = FILTER j BY a::x > 1 AND b::y < 5 AND a::x < b::y; DUMP f;"
            ),
        );
        assert!(
            plan.contains("Filter [f]: ($0 < (int)$3)") || plan.contains("Filter [f]: ($0 < $3)"),
            "{plan}"
        );
        assert!(
            plan.contains("Filter: ($0 > 1)\n        Load [a]"),
            "{plan}"
        );
        assert!(
            plan.contains("Filter: ($1 < 5)\n        Load [b]"),
            "{plan}"
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
