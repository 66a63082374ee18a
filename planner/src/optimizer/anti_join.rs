//! `anti_join`: a LEFT OUTER join followed by a filter keeping only the rows whose right
//! key is null — the rows with no match — becomes an anti-join, which never builds the
//! matched rows only to drop them.
//!
//! ```text
//! Filter: $3 IS NULL                                  Join: type=LeftAnti, keys=[$1; $0]
//!   Join: type=Left, keys=[$1; $0]           =>         Load [v]
//!     Load [v]                                          Load [r]
//!     Load [r]
//! ```
//!
//! Not applied when the filter tests anything but a right-side key column being null (a
//! right-side field that is not a key can be null in a matched row too), for other join
//! types, or for joins of more than two inputs.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::ExprKind;
use crate::logical::{JoinType, LogicalPlan, NodeId, Operator};
use crate::optimizer::OptimizerRule;

/// The anti-join rule.
pub struct AntiJoin;

impl OptimizerRule for AntiJoin {
    fn name(&self) -> &'static str {
        "anti_join"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, _live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Filter { cond } = &node.op else {
            return Ok(false);
        };
        let ExprKind::IsNull {
            expr,
            negated: false,
        } = &cond.kind
        else {
            return Ok(false);
        };
        let ExprKind::Column(tested) = expr.kind else {
            return Ok(false);
        };
        let join = plan.node(node.inputs[0]);
        let Operator::Join {
            keys,
            join_type: JoinType::Left,
            strategy,
            parallel,
        } = &join.op
        else {
            return Ok(false);
        };
        if join.inputs.len() != 2 {
            return Ok(false);
        }
        // The left input's width: the right side's columns start there.
        let Some(left_width) = plan
            .node(join.inputs[0])
            .schema
            .as_ref()
            .map(|s| s.fields.len())
        else {
            return Ok(false);
        };
        // A matched row's right key is never null (null keys match nothing), so "right key
        // IS NULL" keeps exactly the unmatched rows.
        let is_right_key = keys[1].iter().any(|k| {
            let mut inner = k;
            while let ExprKind::Cast(e) = &inner.kind {
                inner = e;
            }
            matches!(inner.kind, ExprKind::Column(c) if left_width + c == tested)
        });
        if !is_right_key {
            return Ok(false);
        }
        let op = Operator::Join {
            keys: keys.clone(),
            join_type: JoinType::LeftAnti,
            strategy: *strategy,
            parallel: *parallel,
        };
        let inputs = join.inputs.clone();
        let node = &mut plan.nodes[id];
        node.op = op;
        node.inputs = inputs;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const JOIN: &str = "v = LOAD 'v' AS (lang:chararray, page:chararray, n:long); r = LOAD 'r' AS (page:chararray, why:chararray); j = JOIN v BY page LEFT OUTER, r BY page USING 'replicated'; ";

    #[test]
    fn unmatched_rows_of_a_left_join_become_an_anti_join() {
        let plan = after_rule(
            &AntiJoin,
            &format!("{JOIN}k = FILTER j BY r::page IS NULL; DUMP k;"),
        );
        assert_eq!(
            plan,
            "Dump\n  Join [k]: type=LeftAnti, strategy=Replicated, keys=[$1; $0]\n    Load [v]: location='v', func=PigStorage()\n    Load [r]: location='r', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_to_a_non_key_right_field() {
        let plan = after_rule(
            &AntiJoin,
            &format!("{JOIN}k = FILTER j BY r::why IS NULL; DUMP k;"),
        );
        assert!(plan.contains("Filter [k]"), "{plan}");
    }

    #[test]
    fn not_applied_to_is_not_null_or_inner_joins() {
        let plan = after_rule(
            &AntiJoin,
            &format!("{JOIN}k = FILTER j BY r::page IS NOT NULL; DUMP k;"),
        );
        assert!(plan.contains("Filter [k]"), "{plan}");
        let inner = after_rule(
            &AntiJoin,
            "v = LOAD 'v' AS (p:chararray); r = LOAD 'r' AS (p:chararray); j = JOIN v BY p, r BY p; k = FILTER j BY r::p IS NULL; DUMP k;",
        );
        assert!(inner.contains("Filter [k]"), "{inner}");
    }
}
