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
//! A nested block of FILTERs of the bag is a filtered aggregate: `FOREACH g { f = FILTER a
//! BY n > 0; GENERATE COUNT(f), COUNT(a); }` counts the rows with `n > 0` and all the rows,
//! both in the combiner (`aggs=[COUNT(*) FILTER ($1 > 0), COUNT(*)]`). A FILTER of a
//! FILTER keeps the rows both keep.
//!
//! Not applied when the nested block has any other statement or a condition reads more than
//! the bag's tuple (the group, another nested value), when the bag is used other than as
//! the whole argument of an algebraic function (FLATTEN, SIZE, a non-algebraic UDF, a
//! projection passed to something else), when the GROUP has several inputs (COGROUP), or
//! when the GROUP has other consumers.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{AggCall, GenItem, LogicalPlan, NestedStep, NodeId, Operator};
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
        let Some(filters) = nested_filters(nested) else {
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
        // A condition is lowered on the input's columns: their types must be known.
        if !filters.is_empty() && plan.node(group.inputs[0]).schema.is_none() {
            return Ok(false);
        }
        // The bags: the group's (column 1), unfiltered, and each nested FILTER's.
        let bag = |k: &ExprKind| match k {
            ExprKind::Column(1) => Some(None),
            ExprKind::Slot(j) => filters.get(*j).map(|c| Some(c.clone())),
            _ => None,
        };
        let mut aggs = Vec::new();
        let mut items = Vec::new();
        for item in generate {
            // A flattened aggregate result is a scalar: flattening it is a no-op.
            let Some(expr) = aggregate_calls(&item.expr, &bag, None, &mut aggs) else {
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

/// For a nested block made only of FILTERs of the group's bag (column 1) or of an earlier
/// FILTER, each step's condition on the bag's tuples (a FILTER of a FILTER: both, ANDed);
/// `None` when the block has another statement or a condition reads anything but the
/// tuple's fields.
fn nested_filters(nested: &[NestedStep]) -> Option<Vec<Expr>> {
    let mut conds: Vec<Expr> = Vec::with_capacity(nested.len());
    for step in nested {
        let NestedStep::Filter { input, cond } = step else {
            return None;
        };
        let mut reads_more = false;
        cond.visit(&mut |e| {
            reads_more |= matches!(
                e.kind,
                ExprKind::Slot(_) | ExprKind::Outer(_) | ExprKind::WholeRow
            );
        });
        if reads_more {
            return None;
        }
        let cond = match input.kind {
            ExprKind::Column(1) => cond.clone(),
            ExprKind::Slot(j) => {
                let earlier = conds.get(j)?.clone();
                let (ty, span) = (cond.ty.clone(), cond.span);
                Expr::new(
                    ExprKind::And(Box::new(earlier), Box::new(cond.clone())),
                    ty,
                    span,
                )
            }
            _ => return None,
        };
        conds.push(cond);
    }
    Some(conds)
}

/// Replaces each algebraic call whose argument is a bag or a projection of it by a
/// reference to its aggregate's column (`aggs` grow with the calls: column 1 is the first).
/// `bag` of an expression is `Some(filter)` when it is a bag, the aggregate then reading
/// only the input rows `filter` keeps. `None` when an expression reads a bag, a field other
/// than the group (column 0), a nested-block value or the whole row any other way. The
/// aggregate of a whole bag reads `whole` (`None`: whole rows); a projection's fields must
/// be below `whole`'s width when it is given.
pub(crate) fn aggregate_calls(
    e: &Expr,
    bag: &dyn Fn(&ExprKind) -> Option<Option<Expr>>,
    whole: Option<&[usize]>,
    aggs: &mut Vec<AggCall>,
) -> Option<Expr> {
    let mut recurse = |c: &Expr| aggregate_calls(c, bag, whole, aggs);
    match &e.kind {
        ExprKind::Column(0) => Some(e.clone()),
        ExprKind::Column(_) | ExprKind::WholeRow | ExprKind::Slot(_) | ExprKind::Outer(_) => None,
        ExprKind::Call { func, args } if func.algebraic().is_some() && args.len() == 1 => {
            let (fields, filter) = match &args[0].kind {
                k if bag(k).is_some() => (whole.map(<[usize]>::to_vec), bag(k).flatten()),
                ExprKind::BagProject { expr, indices } if bag(&expr.kind).is_some() => {
                    if whole.is_some_and(|w| indices.iter().any(|&i| i >= w.len())) {
                        return None;
                    }
                    (Some(indices.clone()), bag(&expr.kind).flatten())
                }
                _ => return e.map_children(&mut recurse),
            };
            aggs.push(AggCall {
                func: func.clone(),
                fields,
                ty: e.ty.clone(),
                span: e.span,
                filter,
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
    fn nested_filters_become_filtered_aggregates() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B { D = FILTER A BY n > 0; E = FILTER D BY n < 9; GENERATE group, COUNT(D), SUM(E.n), COUNT(A); }; DUMP C;",
        );
        assert_eq!(
            plan,
            "Dump\n  Aggregate [C]: keys=[$0], aggs=[COUNT(*) FILTER ($1 > 0), SUM($1) FILTER (($1 > 0) AND ($1 < 9)), COUNT(*)], generate=[$0, $1, $2, $3]\n    Load [A]: location='x', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_with_other_nested_statements() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B { D = FILTER A BY n > 0; E = ORDER D BY n; GENERATE group, COUNT(E); }; DUMP C;",
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }

    #[test]
    fn not_applied_when_a_filtered_bag_is_used_otherwise() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x' AS (w:chararray, n:int); B = GROUP A BY w; C = FOREACH B { D = FILTER A BY n > 0; GENERATE group, COUNT(D), FLATTEN(D); }; DUMP C;",
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }

    #[test]
    fn not_applied_to_a_filter_of_an_unknown_schema() {
        let plan = after_rule(
            &Combiner,
            "A = LOAD 'x'; B = GROUP A BY $0; C = FOREACH B { D = FILTER A BY $1 > 0; GENERATE group, COUNT(D); }; DUMP C;",
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }
}
