//! `prune_columns`: projection pushdown into LOAD. When everything that reads a LOAD uses
//! only some of its declared fields, the loader converts only those (the others load as
//! null, since nothing reads them).
//!
//! ```text
//! Aggregate: keys=[$0], aggs=[SUM($2)]          Aggregate: keys=[$0], aggs=[SUM($2)]
//!   Load: location='grams'               =>       Load: location='grams', columns=[$0,$2]
//! ```
//!
//! The fields used are followed through FILTERs (which pass rows on) to FOREACH, Aggregate
//! and FILTER conditions. Not applied when any reader takes whole rows (GROUP bags, JOIN,
//! ORDER, DISTINCT, UNION, STORE, DUMP, `*`), or when the LOAD has no declared schema.

use std::collections::{BTreeSet, HashSet};

use crate::error::Result;
use crate::expr::Expr;
use crate::logical::{GroupKeys, LogicalPlan, NodeId, Operator};
use crate::optimizer::OptimizerRule;

/// The projection pushdown rule.
pub struct PruneColumns;

/// Adds the input columns `e` reads to `used`; false when it reads whole rows.
fn add_columns(e: &Expr, used: &mut BTreeSet<usize>) -> bool {
    match e.columns() {
        Some(cols) => {
            used.extend(cols);
            true
        }
        None => false,
    }
}

/// The fields of `id`'s output its live readers use, or `None` if some reader needs whole
/// rows.
fn used_fields(plan: &LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Option<BTreeSet<usize>> {
    let mut used = BTreeSet::new();
    for &reader in live {
        let node = plan.node(reader);
        if !node.inputs.contains(&id) {
            continue;
        }
        match &node.op {
            Operator::Filter { cond } => {
                if !add_columns(cond, &mut used) {
                    return None;
                }
                used.extend(used_fields(plan, reader, live)?);
            }
            Operator::Foreach { .. } => {
                for e in node.op.exprs() {
                    if !add_columns(e, &mut used) {
                        return None;
                    }
                }
            }
            Operator::Aggregate { keys, aggs, .. } => {
                if let GroupKeys::Exprs(es) = keys {
                    for e in es {
                        if !add_columns(e, &mut used) {
                            return None;
                        }
                    }
                }
                for a in aggs {
                    used.extend(a.fields.as_ref()?.iter().copied());
                }
            }
            _ => return None,
        }
    }
    Some(used)
}

impl OptimizerRule for PruneColumns {
    fn name(&self) -> &'static str {
        "prune_columns"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let (Operator::Load { columns: None, .. }, Some(schema)) = (&node.op, &node.schema) else {
            return Ok(false);
        };
        let width = schema.fields.len();
        let Some(used) = used_fields(plan, id, live) else {
            return Ok(false);
        };
        if used.len() >= width {
            return Ok(false);
        }
        if let Operator::Load { columns, .. } = &mut plan.nodes[id].op {
            *columns = Some(used.into_iter().filter(|&c| c < width).collect());
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::Combiner;
    use crate::optimizer::test::{after_rule, planned};

    const GRAMS: &str =
        "g = LOAD 'grams' AS (ngram:chararray, year:int, n:long, pages:long, books:long); ";

    #[test]
    fn only_the_fields_read_are_loaded() {
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}f = FILTER g BY year > 1900; p = FOREACH f GENERATE ngram, n; DUMP p;"
            ),
        );
        assert!(plan.contains("columns=[$0,$1,$2]"), "{plan}");
    }

    #[test]
    fn follows_the_combiner_s_aggregate() {
        let (mut plan, sinks) = planned(&format!(
            "{GRAMS}b = GROUP g BY ngram; t = FOREACH b GENERATE group, SUM(g.n); DUMP t;"
        ));
        let live = crate::optimizer::live_nodes(&plan, &sinks);
        let mut ids: Vec<NodeId> = live.iter().copied().collect();
        ids.sort_unstable();
        for &id in &ids {
            Combiner.rewrite(&mut plan, id, &live).expect("combiner");
        }
        let live = crate::optimizer::live_nodes(&plan, &sinks);
        for &id in &ids {
            PruneColumns.rewrite(&mut plan, id, &live).expect("prune");
        }
        let text = plan.display_tree(sinks[0], false);
        assert!(text.contains("columns=[$0,$2]"), "{text}");
    }

    #[test]
    fn not_applied_when_whole_rows_are_read() {
        for tail in [
            "b = GROUP g BY ngram; DUMP b;",
            "DUMP g;",
            "p = FOREACH g GENERATE *; DUMP p;",
            "o = ORDER g BY n; DUMP o;",
            "p = FOREACH g GENERATE ngram; q = FOREACH g GENERATE n, books; DUMP p; DUMP q; DUMP g;",
            // The scalar's GROUP ALL reads whole rows of the same LOAD.
            "s = FOREACH (GROUP g ALL) GENERATE COUNT(g) AS c; p = FOREACH g GENERATE n, s.c; DUMP p;",
        ] {
            let plan = after_rule(&PruneColumns, &format!("{GRAMS}{tail}"));
            assert!(!plan.contains("columns="), "{tail}: {plan}");
        }
        let unknown = after_rule(
            &PruneColumns,
            "g = LOAD 'x'; p = FOREACH g GENERATE $0; DUMP p;",
        );
        assert!(!unknown.contains("columns="), "{unknown}");
    }

    #[test]
    fn two_readers_use_the_union_of_their_fields() {
        let (mut plan, sinks) = planned(&format!(
            "{GRAMS}p = FOREACH g GENERATE ngram; q = FOREACH g GENERATE books; DUMP p; DUMP q;"
        ));
        let live = crate::optimizer::live_nodes(&plan, &sinks);
        let load = plan
            .nodes
            .iter()
            .position(|n| matches!(n.op, Operator::Load { .. }))
            .expect("load");
        assert!(PruneColumns.rewrite(&mut plan, load, &live).expect("prune"));
        assert!(
            plan.display_tree(sinks[1], false)
                .contains("columns=[$0,$4]")
        );
    }
}
