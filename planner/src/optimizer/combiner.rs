//! `combiner`: a GROUP whose bags feed only algebraic aggregates (COUNT, SUM, AVG, MIN, MAX,
//! ...) becomes an [`Operator::Aggregate`]: partial aggregates are computed in the map
//! stage, merged after the shuffle, and no bag is ever built.
//!
//! ```text
//! Foreach: generate=[$0, COUNT($1)]          Aggregate: keys=[$0], aggs=[COUNT(*)],
//!   Group: keys=[$0]                    =>              generate=[$0, $1]
//!     Load: ...                                 Load: ...
//! ```
//!
//! Not applied when the FOREACH has a nested block, when the bag is used other than as the
//! whole argument of an algebraic function (FLATTEN, SIZE, a non-algebraic UDF, a
//! projection passed to something else), when the GROUP has several inputs (COGROUP), or
//! when the GROUP has other consumers.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{AggCall, GenItem, LogicalPlan, NodeId, Operator};
use crate::optimizer::{OptimizerRule, live_consumers};

/// The combiner rule.
pub struct Combiner;

impl OptimizerRule for Combiner {
    fn name(&self) -> &'static str {
        "combiner"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Foreach { nested, generate } = &node.op else {
            return Ok(false);
        };
        if !nested.is_empty() {
            return Ok(false);
        }
        let group_id = node.inputs[0];
        let group = plan.node(group_id);
        let Operator::Group { keys, parallel, .. } = &group.op else {
            return Ok(false);
        };
        if group.inputs.len() != 1 || live_consumers(plan, group_id, live) != 1 {
            return Ok(false);
        }
        let mut aggs = Vec::new();
        let mut items = Vec::new();
        for item in generate {
            // A flattened aggregate result is a scalar: flattening it is a no-op.
            let Some(expr) = rewrite(&item.expr, &mut aggs) else {
                return Ok(false);
            };
            items.push(GenItem {
                expr,
                flatten: item.flatten,
                width: item.width,
            });
        }
        let op = Operator::Aggregate {
            keys: keys[0].clone(),
            aggs,
            generate: items,
            parallel: *parallel,
        };
        let inputs = group.inputs.clone();
        let node = &mut plan.nodes[id];
        node.op = op;
        node.inputs = inputs;
        Ok(true)
    }
}

/// Replaces each algebraic call on the bag (column 1) by a reference to its aggregate's
/// column; `None` when the bag is used any other way.
fn rewrite(e: &Expr, aggs: &mut Vec<AggCall>) -> Option<Expr> {
    aggregate_calls(e, &|k| matches!(k, ExprKind::Column(1)), None, aggs)
}

/// Replaces each algebraic call whose argument is a bag (`is_bag` of its expression) or a
/// projection of it by a reference to its aggregate's column (`aggs` grow with the calls:
/// column 1 is the first); `None` when an expression reads the bag, a field other than the
/// group (column 0), a nested-block value or the whole row any other way. The aggregate of
/// the whole bag reads `whole` (`None`: whole rows); a projection's fields must be below
/// `whole`'s width when it is given.
pub(crate) fn aggregate_calls(
    e: &Expr,
    is_bag: &dyn Fn(&ExprKind) -> bool,
    whole: Option<&[usize]>,
    aggs: &mut Vec<AggCall>,
) -> Option<Expr> {
    let mut recurse = |c: &Expr| aggregate_calls(c, is_bag, whole, aggs);
    match &e.kind {
        ExprKind::Column(0) => Some(e.clone()),
        ExprKind::Column(_) | ExprKind::WholeRow | ExprKind::Slot(_) | ExprKind::Outer(_) => None,
        ExprKind::Call { func, args } if func.algebraic().is_some() && args.len() == 1 => {
            let fields = match &args[0].kind {
                k if is_bag(k) => whole.map(<[usize]>::to_vec),
                ExprKind::BagProject { expr, indices } if is_bag(&expr.kind) => {
                    if whole.is_some_and(|w| indices.iter().any(|&i| i >= w.len())) {
                        return None;
                    }
                    Some(indices.clone())
                }
                _ => return e.map_children(&mut recurse),
            };
            aggs.push(AggCall {
                func: func.clone(),
                fields,
                ty: e.ty.clone(),
                span: e.span,
            });
            Some(Expr::new(
                ExprKind::Column(aggs.len()),
                e.ty.clone(),
                e.span,
            ))
        }
        _ => e.map_children(&mut recurse),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    #[test]
    fn count_and_sum_become_partial_aggregates() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B GENERATE group, COUNT(A), SUM(A.n) + 1; DUMP C;",
        );
        assert_eq!(
            plan,
            "Dump\n  Aggregate [C]: keys=[$0], aggs=[COUNT(*), SUM($1)], generate=[$0, $1, ($2 + (long)1)]\n    Load [A]: location='x', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_when_the_bag_is_flattened() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B GENERATE group, FLATTEN(A); DUMP C;",
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }

    #[test]
    fn not_applied_when_a_non_algebraic_function_reads_the_bag() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B GENERATE group, SIZE(A), COUNT(A); DUMP C;",
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }

    #[test]
    fn not_applied_to_cogroup_or_a_shared_group() {
        let cogroup = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray); B = LOAD 'y' AS (w:chararray); C = COGROUP A BY w, B BY w; D = FOREACH C GENERATE group, COUNT(A), COUNT(B); DUMP D;",
        );
        assert!(cogroup.contains("Group [C]"), "{cogroup}");
        let shared = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray); B = GROUP A BY w; C = FOREACH B GENERATE COUNT(A); D = UNION C, C; E = FOREACH B GENERATE group; F = UNION D, E; DUMP F;",
        );
        assert!(shared.contains("Group [B]"), "{shared}");
    }

    #[test]
    fn not_applied_with_a_nested_block() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B { D = FILTER A BY n > 0; GENERATE group, COUNT(D); }; DUMP C;",
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }
}
