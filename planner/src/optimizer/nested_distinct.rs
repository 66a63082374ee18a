//! `nested_distinct`: a GROUP feeding a nested `DISTINCT` whose only use is as the argument
//! of algebraic functions (`COUNT(DISTINCT ...)` in SQL's words) becomes a DISTINCT of the
//! (key, fields) pairs followed by an [`Operator::Aggregate`]: no bag is ever built, and
//! the distinct pairs are found by the shuffle, which spills, instead of in one task's
//! memory.
//!
//! ```text
//! Foreach: nested=[DISTINCT $1.($1)],        Aggregate: keys=[$0], aggs=[COUNT($1)],
//!          generate=[$0, COUNT(#0)]                     generate=[$0, $1]
//!   Group: keys=[$0]                    =>     Distinct
//!     Load: ...                                  Foreach: generate=[$0, $1]
//!                                                  Load: ...
//! ```
//!
//! Not applied when the block has other statements, when the bag or the distinct bag is
//! used any other way (FLATTEN, SIZE, a non-algebraic function), when the GROUP has several
//! inputs or other consumers.

use std::collections::HashSet;

use pigrs_udf::{Field, Schema};

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{GenItem, GroupKeys, LogicalPlan, NestedStep, Node, NodeId, Operator};
use crate::optimizer::combiner::aggregate_calls;
use crate::optimizer::{OptimizerRule, live_consumers};

/// The nested-distinct rule.
pub struct NestedDistinct;

impl OptimizerRule for NestedDistinct {
    fn name(&self) -> &'static str {
        "nested_distinct"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Foreach { nested, generate } = &node.op else {
            return Ok(false);
        };
        let [NestedStep::Distinct { input: bag }] = nested.as_slice() else {
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
        let (bag, group_keys, parallel, generate, span) = (
            bag.clone(),
            keys[0].clone(),
            *parallel,
            generate.clone(),
            node.span,
        );
        let input_id = group.inputs[0];
        let Some(input_schema) = plan.node(input_id).schema.clone() else {
            return Ok(false);
        };
        // The fields of the distinct tuples.
        let fields: Vec<usize> = match &bag.kind {
            ExprKind::Column(1) => (0..input_schema.fields.len()).collect(),
            ExprKind::BagProject { expr, indices } if matches!(expr.kind, ExprKind::Column(1)) => {
                indices.clone()
            }
            _ => return Ok(false),
        };
        if fields.iter().any(|&f| f >= input_schema.fields.len()) {
            return Ok(false);
        }
        let key_exprs: Vec<Expr> = match &group_keys {
            GroupKeys::All => Vec::new(),
            GroupKeys::Exprs(es) => es.clone(),
        };
        let k = key_exprs.len();
        let mut aggs = Vec::new();
        let mut items = Vec::with_capacity(generate.len());
        // The distinct tuples' fields, by position.
        let positions: Vec<usize> = (0..fields.len()).collect();
        let distinct_bag = |k: &ExprKind| matches!(k, ExprKind::Slot(0)).then_some(None);
        for item in &generate {
            let Some(expr) =
                aggregate_calls(&item.expr, &distinct_bag, Some(&positions), &mut aggs)
            else {
                return Ok(false);
            };
            items.push(GenItem {
                expr,
                flatten: item.flatten,
                width: item.width,
            });
        }
        if aggs.is_empty() {
            return Ok(false);
        }

        // (keys..., fields...) of every input row.
        let mut pair_fields: Vec<Field> = key_exprs
            .iter()
            .enumerate()
            .map(|(i, e)| Field::new(format!("group_{i}"), e.ty.clone()))
            .collect();
        pair_fields.extend(fields.iter().map(|&f| input_schema.fields[f].clone()));
        let pair_items: Vec<GenItem> = key_exprs
            .into_iter()
            .chain(fields.iter().map(|&f| {
                Expr::new(
                    ExprKind::Column(f),
                    input_schema.fields[f].ty.clone(),
                    bag.span,
                )
            }))
            .map(|expr| GenItem {
                expr,
                flatten: false,
                width: None,
            })
            .collect();
        let pair_schema = Schema::new(pair_fields);
        let pairs = plan.add(Node {
            op: Operator::Foreach {
                nested: vec![],
                generate: pair_items,
            },
            inputs: vec![input_id],
            schema: Some(pair_schema.clone()),
            alias: None,
            span,
        });
        let distinct = plan.add(Node {
            op: Operator::Distinct { parallel },
            inputs: vec![pairs],
            schema: Some(pair_schema.clone()),
            alias: None,
            span,
        });
        let keys = match &group_keys {
            GroupKeys::All => GroupKeys::All,
            GroupKeys::Exprs(_) => GroupKeys::Exprs(
                (0..k)
                    .map(|i| Expr::new(ExprKind::Column(i), pair_schema.fields[i].ty.clone(), span))
                    .collect(),
            ),
        };
        // The aggregates read the distinct tuples' fields, after the keys.
        for agg in &mut aggs {
            if let Some(f) = &mut agg.fields {
                f.iter_mut().for_each(|i| *i += k);
            }
        }
        let op = Operator::Aggregate {
            keys,
            aggs,
            generate: items,
            parallel,
        };
        let node = &mut plan.nodes[id];
        node.op = op;
        node.inputs = vec![distinct];
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const WORDS: &str = "A = LOAD 'x' AS (w:chararray, n:int); ";

    #[test]
    fn a_distinct_count_is_a_distinct_then_an_aggregate() {
        let plan = after_rule(
            &NestedDistinct,
            &format!(
                "{WORDS}B = GROUP A ALL; C = FOREACH B {{ D = DISTINCT A.w; GENERATE COUNT(D); }}; DUMP C;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Aggregate [C]: keys=[ALL], aggs=[COUNT($0)], generate=[$1]\n    Distinct\n      Foreach: generate=[$0]\n        Load [A]: location='x', func=PigStorage()\n"
        );
    }

    #[test]
    fn keys_come_first_in_the_distinct_pairs() {
        let plan = after_rule(
            &NestedDistinct,
            &format!(
                "{WORDS}B = GROUP A BY n; C = FOREACH B {{ D = DISTINCT A; GENERATE group, COUNT(D), SUM(D.n); }}; DUMP C;"
            ),
        );
        assert_eq!(
            plan,
            "Dump\n  Aggregate [C]: keys=[$0], aggs=[COUNT($1,$2), SUM($2)], generate=[$0, $1, $2]\n    Distinct\n      Foreach: generate=[$1, $0, $1]\n        Load [A]: location='x', func=PigStorage()\n"
        );
    }

    #[test]
    fn not_applied_when_the_distinct_bag_is_flattened() {
        let plan = after_rule(
            &NestedDistinct,
            &format!(
                "{WORDS}B = GROUP A BY n; C = FOREACH B {{ D = DISTINCT A.w; GENERATE group, FLATTEN(D); }}; DUMP C;"
            ),
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }

    #[test]
    fn not_applied_when_the_bag_is_also_used() {
        let plan = after_rule(
            &NestedDistinct,
            &format!(
                "{WORDS}B = GROUP A BY n; C = FOREACH B {{ D = DISTINCT A.w; GENERATE COUNT(D), COUNT(A); }}; DUMP C;"
            ),
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }

    #[test]
    fn not_applied_with_other_nested_statements() {
        let plan = after_rule(
            &NestedDistinct,
            &format!(
                "{WORDS}B = GROUP A BY n; C = FOREACH B {{ F = FILTER A BY n > 0; D = DISTINCT F; GENERATE COUNT(D); }}; DUMP C;"
            ),
        );
        assert!(plan.contains("Group [B]"), "{plan}");
    }
}
