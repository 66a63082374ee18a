//! `push_filter_group`: the parts of a FILTER over a GROUP or COGROUP that read only the
//! `group` field move below it, onto every input, with `group` replaced by that input's key
//! (and `group.$i`, when there are several keys, by its i-th key). Rows whose key fails the
//! condition are then dropped before the shuffle; every row of a group has the group's key,
//! so the same groups are left, with the same bags.
//!
//! ```text
//! Filter: ($0 == 'en')                 Group: keys=[$0; $1]
//!   Group: keys=[$0; $1]        =>       Filter: ($0 == 'en')
//!     Load [a]                             Load [a]
//!     Load [b]                           Filter: ($1 == 'en')
//!                                          Load [b]
//! ```
//!
//! The moved filters go on down through the projections and GROUPs under them, as
//! `push_filter_foreach` and this rule would take them.
//!
//! Not applied to GROUP ALL; to parts that read the bags (or whole rows, a relation used as
//! a scalar, or the tuple `group` itself when there are several keys); when the condition
//! is an ASSERT or volatile; or when a key is volatile or reads a scalar (it would be
//! computed once more, below the GROUP).

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{GroupKeys, LogicalPlan, NodeId, Operator};
use crate::optimizer::OptimizerRule;
use crate::optimizer::push_filter::{conjuncts, move_below, pinned};
use crate::optimizer::push_filter_foreach;

/// The rule moving filters on `group` below GROUP and COGROUP.
pub struct PushFilterGroup;

/// `e`, over the GROUP's output, rewritten over one input's rows whose key is `key`;
/// `None` when `e` reads anything but the key.
fn on_key(e: &Expr, key: &[Expr]) -> Option<Expr> {
    match &e.kind {
        ExprKind::Column(0) if key.len() == 1 => (key[0].ty == e.ty).then(|| key[0].clone()),
        ExprKind::TupleField { expr, index }
            if key.len() > 1 && matches!(expr.kind, ExprKind::Column(0)) =>
        {
            let k = key.get(*index)?;
            (k.ty == e.ty).then(|| k.clone())
        }
        ExprKind::Column(_)
        | ExprKind::WholeRow
        | ExprKind::Slot(_)
        | ExprKind::Outer(_)
        | ExprKind::Scalar { .. } => None,
        _ => e.map_children(&mut |c| on_key(c, key)),
    }
}

/// Whether a key may be computed once more below the GROUP: it must give the same value
/// every time.
fn repeatable(key: &Expr) -> bool {
    let mut ok = true;
    key.visit(&mut |e| match &e.kind {
        ExprKind::Call { func, .. } => ok &= !func.is_volatile(),
        ExprKind::Scalar { .. } => ok = false,
        _ => {}
    });
    ok
}

impl OptimizerRule for PushFilterGroup {
    fn name(&self) -> &'static str {
        "push_filter_group"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, _live: &HashSet<NodeId>) -> Result<bool> {
        Ok(push(plan, id))
    }
}

/// Moves the parts of the FILTER `id` that read only the key below the GROUP under it,
/// and on down; says whether anything moved.
fn push(plan: &mut LogicalPlan, id: NodeId) -> bool {
    let node = plan.node(id);
    let Operator::Filter { cond } = &node.op else {
        return false;
    };
    if pinned(cond) {
        return false;
    }
    let group = plan.node(node.inputs[0]);
    let Operator::Group { keys, .. } = &group.op else {
        return false;
    };
    let mut input_keys: Vec<&[Expr]> = Vec::new();
    for k in keys {
        match k {
            GroupKeys::Exprs(es) if !es.is_empty() && es.iter().all(repeatable) => {
                input_keys.push(es);
            }
            _ => return false,
        }
    }
    // Sort the AND-ed parts: those reading only the key move onto every input.
    let mut parts = Vec::new();
    conjuncts(cond, &mut parts);
    let mut pushed: Vec<Vec<Expr>> = vec![Vec::new(); input_keys.len()];
    let mut kept = Vec::new();
    for part in parts {
        let moved: Option<Vec<Expr>> = part
            .columns()
            .filter(|cols| !cols.is_empty())
            .and_then(|_| input_keys.iter().map(|k| on_key(&part, k)).collect());
        match moved {
            Some(moved) => {
                for (i, m) in moved.into_iter().enumerate() {
                    pushed[i].push(m);
                }
            }
            None => kept.push(part),
        }
    }
    if pushed.iter().all(Vec::is_empty) {
        return false;
    }
    let moved = move_below(plan, id, pushed, kept);
    // The new filters go on down through the projections (and GROUPs) under them;
    // push_filter, which runs later, takes those that reach a JOIN.
    for filter in moved {
        let lowest = push_filter_foreach::push(plan, filter).unwrap_or(filter);
        push(plan, lowest);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const AB: &str = "a = LOAD 'a' AS (k:chararray, x:int); b = LOAD 'b' AS (y:int, k:chararray); ";

    #[test]
    fn a_filter_on_the_key_moves_below_the_group() {
        let plan = after_rule(
            &PushFilterGroup,
            &format!("{AB}g = GROUP a BY k; f = FILTER g BY group == 'en'; DUMP f;"),
        );
        assert_eq!(
            plan,
            "Dump\n  Group [f]: keys=[$0]\n    Filter: ($0 == 'en')\n      Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn each_cogroup_input_gets_the_condition_on_its_own_key() {
        let plan = after_rule(
            &PushFilterGroup,
            &format!(
                "{AB}g = COGROUP a BY k, b BY k; f = FILTER g BY group MATCHES 'e.*'; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Group [f]: keys=[$0; $1]\n    Filter: $0 MATCHES 'e.*'\n      Load [a]: location='a', func=PigStorage()\n    Filter: $1 MATCHES 'e.*'\n      Load [b]: location='b', func=PigStorage()\n"
        );
    }

    #[test]
    fn fields_of_a_key_tuple_become_the_keys() {
        let plan = after_rule(
            &PushFilterGroup,
            &format!(
                "{AB}g = GROUP a BY (k, x + 1); f = FILTER g BY group.$1 > 2 AND group.k != 'fr'; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Group [f]: keys=[$0, ($1 + 1)]\n    Filter: ((($1 + 1) > 2) AND ($0 != 'fr'))\n      Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn moved_filters_go_on_through_projections_and_groups_below() {
        let plan = after_rule(
            &PushFilterGroup,
            &format!(
                "{AB}g = GROUP a BY k; t = FOREACH g GENERATE group AS k, COUNT(a) AS n; c = COGROUP t BY k, b BY k; f = FILTER c BY group == 'en'; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Group [f]: keys=[$0; $1]\n    Foreach: generate=[$0, COUNT($1)]\n      Group: keys=[$0]\n        Filter: ($0 == 'en')\n          Load [a]: location='a', func=PigStorage()\n    Filter: ($1 == 'en')\n      Load [b]: location='b', func=PigStorage()\n"
        );
    }

    #[test]
    fn parts_reading_the_bags_stay_above() {
        let plan = after_rule(
            &PushFilterGroup,
            &format!(
                "{AB}g = GROUP a BY k; f = FILTER g BY group != 'fr' AND COUNT(a) > 1; DUMP f;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Filter [f]: (COUNT($1) > (long)1)\n    Group: keys=[$0]\n      Filter: ($0 != 'fr')\n        Load [a]: location='a', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_when_the_condition_is_not_on_a_repeatable_key_alone() {
        for tail in [
            // GROUP ALL has no key to test below.
            "g = GROUP a ALL; f = FILTER g BY group == 'all'; DUMP f;",
            // The bags.
            "g = GROUP a BY k; f = FILTER g BY COUNT(a) > 1; DUMP f;",
            "g = GROUP a BY k; f = FILTER g BY group == 'en' OR COUNT(a) > 1; DUMP f;",
            // The whole key tuple of several keys.
            "g = GROUP a BY (k, x); f = FILTER g BY group IS NOT NULL; DUMP f;",
            // A volatile condition, and ASSERT.
            "g = GROUP a BY k; f = FILTER g BY group == 'en' AND RANDOM() < 0.5; DUMP f;",
            "g = GROUP a BY k; f = ASSERT g BY group IS NOT NULL; DUMP f;",
            // A volatile key would be drawn again below the GROUP.
            "g = GROUP a BY RANDOM(); f = FILTER g BY group < 0.5; DUMP f;",
            // A relation used as a scalar.
            "m = FOREACH (GROUP a ALL) GENERATE MAX(a.k) AS k; g = GROUP a BY k; f = FILTER g BY group == m.k; DUMP f;",
        ] {
            let plan = after_rule(&PushFilterGroup, &format!("{AB}{tail}"));
            assert!(plan.contains("Filter [f]"), "{tail}: {plan}");
        }
    }
}
