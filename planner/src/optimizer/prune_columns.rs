//! `prune_columns`: projection pushdown into LOAD. When everything that reads a LOAD uses
//! only some of its declared fields, the loader converts only those (the others load as
//! null, since nothing reads them).
//!
//! ```text
//! Aggregate: keys=[$0], aggs=[SUM($2)]          Aggregate: keys=[$0], aggs=[SUM($2)]
//!   Load: location='grams'               =>       Load: location='grams', columns=[$0,$2]
//! ```
//!
//! The fields used are followed up through the operators that pass rows on: FILTER, ORDER
//! (its keys too), LIMIT, SAMPLE, UNION (when the input's fields line up with the
//! output's), JOIN (its keys too) and CROSS (whose rows are their inputs' fields side by
//! side), to what reads them: FOREACH, Aggregate, the conditions and keys on the way, and
//! relations used as scalars. Every live reader counts, so a LOAD feeding several outputs
//! keeps what any of them uses. Not applied when any reader takes whole rows (GROUP bags,
//! DISTINCT, RANK, STREAM, STORE, DUMP, `*`), or when the LOAD has no declared schema; and
//! not run at all for a script with an ILLUSTRATE (see `optimize_for`).

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{GroupKeys, LogicalPlan, NodeId, Operator};
use crate::optimizer::OptimizerRule;

/// The projection pushdown rule.
pub struct PruneColumns;

/// Adds the input fields `e` reads to `used` (nested blocks' references to the outer row
/// included); `None` when it reads whole rows.
fn add_columns(e: &Expr, used: &mut BTreeSet<usize>) -> Option<()> {
    let mut whole = false;
    e.visit(&mut |x| match x.kind {
        ExprKind::Column(i) | ExprKind::Outer(i) => {
            used.insert(i);
        }
        ExprKind::WholeRow => whole = true,
        _ => {}
    });
    (!whole).then_some(())
}

/// Which fields of each node's output its live readers use, worked out once per node.
struct Usage<'a> {
    plan: &'a LogicalPlan,
    live: &'a HashSet<NodeId>,
    /// `None`: some reader needs whole rows.
    memo: HashMap<NodeId, Option<BTreeSet<usize>>>,
}

impl Usage<'_> {
    /// The fields of `id`'s output its live readers use, or `None` if some reader needs
    /// whole rows.
    fn of(&mut self, id: NodeId) -> Option<BTreeSet<usize>> {
        if let Some(used) = self.memo.get(&id) {
            return used.clone();
        }
        let used = self.compute(id);
        self.memo.insert(id, used.clone());
        used
    }

    fn compute(&mut self, id: NodeId) -> Option<BTreeSet<usize>> {
        let plan = self.plan;
        let mut readers: Vec<NodeId> = self.live.iter().copied().collect();
        readers.sort_unstable();
        let mut used = BTreeSet::new();
        for reader in readers {
            let node = plan.node(reader);
            // A relation used as a scalar: the runtime reads one field of its one row.
            for e in node.op.exprs() {
                e.visit(&mut |x| {
                    if let ExprKind::Scalar { relation, column } = x.kind
                        && relation == id
                    {
                        used.insert(column);
                    }
                });
            }
            // An input may be read twice (`UNION a, a`).
            for (pos, _) in node.inputs.iter().enumerate().filter(|&(_, &i)| i == id) {
                used.extend(self.read_by(reader, pos)?);
            }
        }
        Some(used)
    }

    /// The fields of its input `pos` that `reader` uses, for itself and for its readers.
    fn read_by(&mut self, reader: NodeId, pos: usize) -> Option<BTreeSet<usize>> {
        let plan = self.plan;
        let node = plan.node(reader);
        let mut used = BTreeSet::new();
        match &node.op {
            Operator::Filter { cond } => {
                add_columns(cond, &mut used)?;
                used.extend(self.of(reader)?);
            }
            Operator::Foreach { .. } => {
                for e in node.op.exprs() {
                    add_columns(e, &mut used)?;
                }
            }
            Operator::Aggregate { keys, aggs, .. } => {
                if let GroupKeys::Exprs(es) = keys {
                    for e in es {
                        add_columns(e, &mut used)?;
                    }
                }
                for a in aggs {
                    used.extend(a.fields.as_ref()?.iter().copied());
                    if let Some(cond) = &a.filter {
                        add_columns(cond, &mut used)?;
                    }
                }
            }
            Operator::Order { keys, .. } => {
                for k in keys {
                    add_columns(&k.expr, &mut used)?;
                }
                used.extend(self.of(reader)?);
            }
            Operator::Limit { .. } | Operator::Sample { .. } => used.extend(self.of(reader)?),
            Operator::Union => {
                // Output field i is field i of every input, converted to the output's type.
                let width = |id: NodeId| plan.node(id).schema.as_ref().map(|s| s.fields.len());
                if width(reader)? != width(node.inputs[pos])? {
                    return None;
                }
                used.extend(self.of(reader)?);
            }
            Operator::Join { .. } | Operator::Cross { .. } => {
                if let Operator::Join { keys, .. } = &node.op {
                    for k in &keys[pos] {
                        add_columns(k, &mut used)?;
                    }
                }
                // The output row is the inputs' fields side by side.
                let mut start = 0;
                for &input in &node.inputs[..pos] {
                    start += plan.node(input).schema.as_ref()?.fields.len();
                }
                let width = plan.node(node.inputs[pos]).schema.as_ref()?.fields.len();
                used.extend(
                    self.of(reader)?
                        .range(start..start + width)
                        .map(|c| c - start),
                );
            }
            _ => return None,
        }
        Some(used)
    }
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
        let mut usage = Usage {
            plan,
            live,
            memo: HashMap::new(),
        };
        let Some(used) = usage.of(id) else {
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

    /// The `columns=` of each LOAD in the plan text, in order.
    fn loaded(plan: &str) -> Vec<String> {
        plan.lines()
            .filter(|l| l.trim_start().starts_with("Load"))
            .map(|l| match l.split_once("columns=") {
                Some((_, cs)) => cs.to_string(),
                None => "all".to_string(),
            })
            .collect()
    }

    const WORDS: &str = "w = LOAD 'words' AS (word:chararray, lang:chararray, weight:int); ";

    #[test]
    fn join_inputs_load_their_keys_and_the_fields_read_above() {
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}{WORDS}j = JOIN g BY ngram, w BY word; p = FOREACH j GENERATE g::n, w::weight; DUMP p;"
            ),
        );
        assert_eq!(loaded(&plan), ["[$0,$2]", "[$0,$2]"], "{plan}");
        // Outer, replicated, and the key read above too.
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}{WORDS}j = JOIN g BY (ngram, year) LEFT OUTER, w BY (word, weight) USING 'replicated'; f = FILTER j BY w::word IS NULL; p = FOREACH f GENERATE g::books; DUMP p;"
            ),
        );
        assert_eq!(loaded(&plan), ["[$0,$1,$4]", "[$0,$2]"], "{plan}");
    }

    #[test]
    fn cross_inputs_load_the_fields_read_above() {
        let plan = after_rule(
            &PruneColumns,
            &format!("{GRAMS}{WORDS}c = CROSS g, w; p = FOREACH c GENERATE $1, $6; DUMP p;"),
        );
        assert_eq!(loaded(&plan), ["[$1]", "[$1]"], "{plan}");
    }

    #[test]
    fn order_limit_and_sample_pass_the_fields_read_above() {
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}s = SAMPLE g 0.5; o = ORDER s BY year DESC; l = LIMIT o 10; p = FOREACH l GENERATE ngram; DUMP p;"
            ),
        );
        assert_eq!(loaded(&plan), ["[$0,$1]"], "{plan}");
    }

    #[test]
    fn union_inputs_load_the_fields_read_above_when_they_line_up() {
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}h = LOAD 'h' AS (ngram:chararray, year:long, n:int, pages:long, books:long); u = UNION g, h; p = FOREACH u GENERATE n; DUMP p;"
            ),
        );
        assert_eq!(loaded(&plan), ["[$2]", "[$2]"], "{plan}");
        // ONSCHEMA: `h` goes through a projection onto the merged fields, which reads
        // every field of `h`; `g` has the merged fields.
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}h = LOAD 'h' AS (year:int, ngram:chararray); u = UNION ONSCHEMA g, h; p = FOREACH u GENERATE ngram; DUMP p;"
            ),
        );
        assert_eq!(loaded(&plan), ["[$0]", "all"], "{plan}");
        // The same input twice.
        let plan = after_rule(
            &PruneColumns,
            &format!("{GRAMS}u = UNION g, g; p = FOREACH u GENERATE books; DUMP p;"),
        );
        assert_eq!(loaded(&plan), ["[$4]", "[$4]"], "{plan}");
    }

    #[test]
    fn a_relation_used_as_a_scalar_reads_its_field() {
        let plan = after_rule(
            &PruneColumns,
            &format!(
                "{GRAMS}s = FILTER g BY year == 2000; p = FOREACH g GENERATE n, s.ngram; DUMP p;"
            ),
        );
        assert_eq!(loaded(&plan), ["[$0,$1,$2]"], "{plan}");
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
            "d = DISTINCT g; p = FOREACH d GENERATE n; DUMP p;",
            "r = RANK g BY n; p = FOREACH r GENERATE $0; DUMP p;",
            "s = STREAM g THROUGH `cat` AS (a:chararray); DUMP s;",
            "o = ORDER g BY *; p = FOREACH o GENERATE n; DUMP p;",
            "h = LOAD 'h' AS (a:chararray); u = UNION g, h; p = FOREACH u GENERATE $0; DUMP p;",
            "j = JOIN g BY ngram, g2 BY ngram; DUMP j;",
            "c = CROSS g, g2; l = LIMIT c 3; STORE l INTO 'out';",
            "p = FOREACH g GENERATE ngram; q = FOREACH g GENERATE n, books; DUMP p; DUMP q; DUMP g;",
            // The scalar's GROUP ALL reads whole rows of the same LOAD.
            "s = FOREACH (GROUP g ALL) GENERATE COUNT(g) AS c; p = FOREACH g GENERATE n, s.c; DUMP p;",
        ] {
            let plan = after_rule(
                &PruneColumns,
                &format!("{GRAMS}g2 = LOAD 'g2' AS (ngram:chararray, x:int); {tail}"),
            );
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
