//! `push_filter_foreach`: the parts of a FILTER over a FOREACH that read only fields the
//! FOREACH projects from its input (`GENERATE a::x AS x`, `GENERATE group.lang AS lang`)
//! move below it, with each such field replaced by its projection. A filter written after a
//! projection then reaches the GROUP or JOIN under it, where the other filter rules take it
//! further.
//!
//! ```text
//! Filter: ($0 == 'en')                         Foreach: generate=[$0, COUNT($1)]
//!   Foreach: generate=[$0, COUNT($1)]   =>       Filter: ($0 == 'en')
//!     Group: keys=[$0]                             Group: keys=[$0]
//! ```
//!
//! The FOREACH must give exactly one row per input row and compute the same values for the
//! rows that are left: not applied when it has a nested block or a FLATTEN, or when one of
//! its expressions is an ASSERT or volatile. Parts that read a computed field (or whole
//! rows, or a relation used as a scalar) stay above; an ASSERT or a volatile condition stays
//! where it was written.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{LogicalPlan, NodeId, Operator};
use crate::optimizer::OptimizerRule;
use crate::optimizer::push_filter::{conjuncts, move_below, pinned};

/// The rule moving filters below FOREACH projections.
pub struct PushFilterForeach;

/// Whether `e` only picks a field of the input row (`$1`, `$0.$2`): it gives the same
/// value wherever it is computed, cheaply and without failing.
fn projection(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Column(_) => true,
        ExprKind::TupleField { expr, .. } => projection(expr),
        _ => false,
    }
}

/// `e`, over the FOREACH's output, rewritten over its input: each field read must be one
/// the FOREACH projects (`passed[i]`: the projection generated as field `i`).
fn through(e: &Expr, passed: &[Option<&Expr>]) -> Option<Expr> {
    match e.kind {
        ExprKind::Column(c) => {
            let from = (*passed.get(c)?)?;
            (from.ty == e.ty).then(|| from.clone())
        }
        ExprKind::WholeRow | ExprKind::Slot(_) | ExprKind::Outer(_) | ExprKind::Scalar { .. } => {
            None
        }
        _ => e.map_children(&mut |c| through(c, passed)),
    }
}

impl OptimizerRule for PushFilterForeach {
    fn name(&self) -> &'static str {
        "push_filter_foreach"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, _live: &HashSet<NodeId>) -> Result<bool> {
        Ok(push(plan, id).is_some())
    }
}

/// Moves what it can of the FILTER `id` below the FOREACH under it, and on down through
/// further projections; returns the moved filter's node, or `None` if nothing moved.
pub(super) fn push(plan: &mut LogicalPlan, id: NodeId) -> Option<NodeId> {
    let node = plan.node(id);
    let Operator::Filter { cond } = &node.op else {
        return None;
    };
    if pinned(cond) {
        return None;
    }
    let foreach = plan.node(node.inputs[0]);
    let Operator::Foreach { nested, generate } = &foreach.op else {
        return None;
    };
    // One output row per input row, with the same values whichever rows are dropped.
    if !nested.is_empty() || generate.iter().any(|g| g.flatten || pinned(&g.expr)) {
        return None;
    }
    // Without FLATTEN, item i is output field i.
    let passed: Vec<Option<&Expr>> = generate
        .iter()
        .map(|g| projection(&g.expr).then_some(&g.expr))
        .collect();
    let mut parts = Vec::new();
    conjuncts(cond, &mut parts);
    let (mut pushed, mut kept) = (Vec::new(), Vec::new());
    for part in parts {
        match through(&part, &passed) {
            Some(moved) => pushed.push(moved),
            None => kept.push(part),
        }
    }
    if pushed.is_empty() {
        return None;
    }
    let filter = move_below(plan, id, vec![pushed], kept)[0];
    // The moved filter may sit on another projection: it goes on down.
    Some(push(plan, filter).unwrap_or(filter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const A: &str = "a = LOAD 'a' AS (k:chararray, x:int, y:int); ";

    #[test]
    fn a_filter_on_renamed_fields_moves_below_the_projection() {
        let plan = after_rule(
            &PushFilterForeach,
            &format!(
                "{A}p = FOREACH a GENERATE y AS n, k AS lang; f = FILTER p BY lang == 'en' AND n > 1; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Foreach [f]: generate=[$2, $0]\n    Filter: (($0 == 'en') AND ($2 > 1))\n      Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn a_filter_on_the_group_moves_below_the_aggregating_foreach() {
        let plan = after_rule(
            &PushFilterForeach,
            &format!(
                "{A}g = GROUP a BY k; c = FOREACH g GENERATE group AS lang, COUNT(a) AS n; f = FILTER c BY lang != 'fr'; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Foreach [f]: generate=[$0, COUNT($1)]\n    Filter: ($0 != 'fr')\n      Group [g]: keys=[$0]\n        Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn fields_of_tuples_are_projections_too() {
        let plan = after_rule(
            &PushFilterForeach,
            &format!(
                "{A}g = GROUP a BY (k, x); c = FOREACH g GENERATE group.k AS lang, SUM(a.y) AS n; f = FILTER c BY lang == 'en'; DUMP f;"
            ),
        );
        assert!(
            plan.contains("Filter: ($0.$0 == 'en')\n      Group [g]"),
            "{plan}"
        );
    }

    #[test]
    fn it_goes_on_through_several_projections() {
        let plan = after_rule(
            &PushFilterForeach,
            &format!(
                "{A}p = FOREACH a GENERATE x, k; q = FOREACH p GENERATE k AS key; f = FILTER q BY key IS NOT NULL; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Foreach [f]: generate=[$1]\n    Foreach: generate=[$1, $0]\n      Filter: $0 IS NOT NULL\n        Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn parts_reading_computed_fields_stay_above() {
        let plan = after_rule(
            &PushFilterForeach,
            &format!(
                "{A}p = FOREACH a GENERATE k, x + y AS s; f = FILTER p BY k == 'en' AND s > 3; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Filter [f]: ($1 > 3)\n    Foreach: generate=[$0, ($1 + $2)]\n      Filter: ($0 == 'en')\n        Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_when_rows_do_not_pass_one_for_one_or_values_would_change() {
        for tail in [
            // Only a computed field is read.
            "p = FOREACH a GENERATE k, x + y AS s; f = FILTER p BY s > 3; DUMP f;",
            // FLATTEN gives several rows (or none) per input row.
            "g = GROUP a BY k; p = FOREACH g GENERATE group, FLATTEN(a); f = FILTER p BY group == 'en'; DUMP f;",
            // A nested block.
            "g = GROUP a BY k; p = FOREACH g { s = FILTER a BY x > 0; GENERATE group, COUNT(s); }; f = FILTER p BY group == 'en'; DUMP f;",
            // A volatile value generated.
            "p = FOREACH a GENERATE k, RANDOM() AS r; f = FILTER p BY k == 'en'; DUMP f;",
            // A volatile condition.
            "p = FOREACH a GENERATE k; f = FILTER p BY RANDOM() < 0.5 AND k == 'en'; DUMP f;",
            // ASSERT sees the rows where it was written.
            "p = FOREACH a GENERATE k; f = ASSERT p BY k IS NOT NULL; DUMP f;",
            // Whole rows.
            "p = FOREACH a GENERATE k, x; f = FILTER p BY SIZE(*) > 1; DUMP f;",
        ] {
            let plan = after_rule(&PushFilterForeach, &format!("{A}{tail}"));
            assert!(plan.contains("Filter [f]"), "{tail}: {plan}");
        }
    }
}
