//! Multi-query execution: the STORE and DUMP statements of a script run together, and what
//! they share is computed once.
//!
//! Consecutive outputs of a script form a batch (nothing else runs between them). In a
//! batch, a node that more than one operator reads — a LOAD feeding two STOREs, a FILTER
//! whose rows go to a GROUP and to a JOIN — is computed once and its rows are handed to
//! every reader (the runtime's tee). A batch ends before an output whose plan loads what an
//! earlier output of the batch stores: that one runs after the store is committed.
//!
//! ```text
//! a = LOAD 'in';                    Stage 1 (map): features=[MULTI_QUERY]   <- read once
//! b = FILTER a BY x > 0;              Load [a]
//! STORE b INTO 'pos';               Stage 2 (map) <- stage 1: features=[FILTER]  -> 'pos'
//! c = GROUP a BY y;                 Stage 3 (reduce) <- stage 1: features=[GROUP_BY] -> 'by_y'
//! STORE c INTO 'by_y';
//! ```

use std::collections::{HashMap, HashSet};

use crate::logical::{LogicalPlan, NodeId, Operator};

/// The inputs lowering reads to compute `id`: its inputs, except that a LIMIT over an
/// ORDER reads the ORDER's input (the two become one sort that keeps the first rows).
pub fn lowered_inputs(plan: &LogicalPlan, id: NodeId) -> Vec<NodeId> {
    let node = plan.node(id);
    if let Operator::Limit { .. } = node.op {
        let inner = plan.node(node.inputs[0]);
        if let Operator::Order { .. } = inner.op {
            return inner.inputs.clone();
        }
    }
    node.inputs.clone()
}

/// The nodes read more than once while computing `sinks` (STORE or DUMP nodes): each is
/// computed once and its rows are shared by its readers. Stores and dumps themselves are
/// never shared; nor are nodes only reached through the shortcut of [`lowered_inputs`].
pub fn shared_nodes(plan: &LogicalPlan, sinks: &[NodeId]) -> HashSet<NodeId> {
    let mut reads: HashMap<NodeId, usize> = HashMap::new();
    let mut seen: HashSet<NodeId> = HashSet::new();
    let mut stack: Vec<NodeId> = Vec::new();
    for &sink in sinks {
        for input in lowered_inputs(plan, sink) {
            *reads.entry(input).or_default() += 1;
            if seen.insert(input) {
                stack.push(input);
            }
        }
    }
    while let Some(id) = stack.pop() {
        for input in lowered_inputs(plan, id) {
            *reads.entry(input).or_default() += 1;
            if seen.insert(input) {
                stack.push(input);
            }
        }
    }
    let read_twice: HashSet<NodeId> = reads
        .into_iter()
        .filter(|&(id, n)| {
            n > 1 && !matches!(plan.node(id).op, Operator::Store { .. } | Operator::Dump)
        })
        .map(|(id, _)| id)
        .collect();
    // A node whose rows come from another shared node in the same stage (a FILTER of a
    // shared LOAD) is not shared itself: its steps run in each reader's branch.
    read_twice
        .iter()
        .copied()
        .filter(|&id| {
            let mut cur = id;
            while let Some(input) = fused_input(plan, cur) {
                if read_twice.contains(&input) {
                    return false;
                }
                cur = input;
            }
            true
        })
        .collect()
}

/// The input of an operator that runs in the same task as its input (FILTER, FOREACH,
/// SAMPLE): the two are one stage.
fn fused_input(plan: &LogicalPlan, id: NodeId) -> Option<NodeId> {
    let node = plan.node(id);
    match node.op {
        Operator::Filter { .. } | Operator::Foreach { .. } | Operator::Sample { .. } => {
            node.inputs.first().copied()
        }
        _ => None,
    }
}

/// Splits consecutive outputs into batches that can run together: a new batch starts at an
/// output that loads a location an earlier output of the current batch stores into.
pub fn batches(plan: &LogicalPlan, sinks: &[NodeId]) -> Vec<Vec<NodeId>> {
    let mut out: Vec<Vec<NodeId>> = Vec::new();
    let mut current: Vec<NodeId> = Vec::new();
    let mut stored: Vec<&str> = Vec::new();
    for &sink in sinks {
        let loads = load_locations(plan, &[sink]);
        let depends = loads
            .iter()
            .any(|l| stored.iter().any(|s| may_overlap(l, s)));
        if depends && !current.is_empty() {
            out.push(std::mem::take(&mut current));
            stored.clear();
        }
        if let Operator::Store { location, .. } = &plan.node(sink).op {
            stored.push(location);
        }
        current.push(sink);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The LOAD locations the `roots` read, each once, in plan order.
pub fn load_locations<'a>(plan: &'a LogicalPlan, roots: &[NodeId]) -> Vec<&'a str> {
    let (mut seen, mut out) = (HashSet::new(), Vec::new());
    for &root in roots {
        collect_loads(plan, root, &mut seen, &mut out);
    }
    out
}

fn collect_loads<'a>(
    plan: &'a LogicalPlan,
    id: NodeId,
    seen: &mut HashSet<NodeId>,
    out: &mut Vec<&'a str>,
) {
    if !seen.insert(id) {
        return;
    }
    let node = plan.node(id);
    if let Operator::Load { location, .. } = &node.op
        && !out.contains(&location.as_str())
    {
        out.push(location);
    }
    for &i in &node.inputs {
        collect_loads(plan, i, seen, out);
    }
}

/// Whether loading `load` (a path, glob or comma-separated list) may read what a STORE into
/// `store` writes. Errs on the side of "yes": a false yes only costs a batch split.
fn may_overlap(load: &str, store: &str) -> bool {
    fn norm(p: &str) -> &str {
        p.strip_prefix("file://").unwrap_or(p).trim_end_matches('/')
    }
    let store = norm(store);
    load.split(',').map(norm).any(|part| {
        let literal = part
            .find(['*', '?', '[', '{'])
            .map_or(part, |glob| &part[..glob]);
        let literal = literal.trim_end_matches('/');
        part == store
            || part.starts_with(&format!("{store}/"))
            || store.starts_with(literal)
            || literal.starts_with(store)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::planned;

    fn sinks(script: &str) -> (LogicalPlan, Vec<NodeId>) {
        planned(script)
    }

    fn aliases(plan: &LogicalPlan, ids: &HashSet<NodeId>) -> Vec<String> {
        let mut v: Vec<String> = ids
            .iter()
            .map(|&i| {
                plan.node(i)
                    .alias
                    .clone()
                    .unwrap_or_else(|| format!("#{i}"))
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_load_read_by_two_stores_is_shared() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int, y:int);
             b = FILTER a BY x > 0;
             STORE b INTO 'pos';
             c = GROUP a BY y;
             STORE c INTO 'by_y';",
        );
        assert_eq!(aliases(&plan, &shared_nodes(&plan, &sinks)), ["a"]);
    }

    #[test]
    fn the_shared_node_is_where_the_plans_part() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int, y:int);
             b = FILTER a BY x > 0;
             c = FOREACH b GENERATE x;
             d = FOREACH b GENERATE y;
             STORE c INTO 'xs';
             STORE d INTO 'ys';",
        );
        // `a` is read once (by b): only b is shared.
        assert_eq!(aliases(&plan, &shared_nodes(&plan, &sinks)), ["b"]);
    }

    #[test]
    fn a_self_join_shares_its_input() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int, y:int);
             j = JOIN a BY x, a BY y;
             STORE j INTO 'j';",
        );
        assert_eq!(aliases(&plan, &shared_nodes(&plan, &sinks)), ["a"]);
    }

    #[test]
    fn a_filter_of_a_shared_load_is_not_shared_again() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int, y:int);
             b = FILTER a BY x > 0;
             STORE a INTO 'all';
             STORE b INTO 'pos';
             c = GROUP b BY y;
             STORE c INTO 'by_y';",
        );
        // b is read twice, but it is computed in the same tasks as a: only a is shared.
        assert_eq!(aliases(&plan, &shared_nodes(&plan, &sinks)), ["a"]);
    }

    #[test]
    fn a_shared_group_over_a_shared_load_is_shared_too() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int, y:int);
             STORE a INTO 'all';
             g = GROUP a BY y;
             c = FOREACH g GENERATE group, COUNT(a);
             d = FOREACH g GENERATE group, MAX(a.x);
             STORE c INTO 'counts';
             STORE d INTO 'maxes';",
        );
        assert_eq!(aliases(&plan, &shared_nodes(&plan, &sinks)), ["a", "g"]);
    }

    #[test]
    fn not_shared_when_each_node_has_one_reader() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int, y:int);
             STORE a INTO 'o1';
             b = LOAD 'in' AS (x:int, y:int);
             STORE b INTO 'o2';",
        );
        assert!(shared_nodes(&plan, &sinks).is_empty());
    }

    #[test]
    fn limit_over_order_reads_the_order_input() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int);
             s = ORDER a BY x;
             t = LIMIT s 3;
             STORE t INTO 'top';
             STORE a INTO 'all';",
        );
        assert_eq!(aliases(&plan, &shared_nodes(&plan, &sinks)), ["a"]);
    }

    #[test]
    fn a_batch_ends_before_loading_what_it_stored() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int);
             STORE a INTO 'tmp/out';
             STORE a INTO 'other';
             b = LOAD 'tmp/out/part-*' AS (x:int);
             STORE b INTO 'final';",
        );
        let batches = batches(&plan, &sinks);
        assert_eq!(batches.len(), 2);
        assert_eq!(batches[0].len(), 2);
        assert_eq!(batches[1].len(), 1);
    }

    #[test]
    fn independent_outputs_form_one_batch() {
        let (plan, sinks) = sinks(
            "a = LOAD 'in' AS (x:int);
             STORE a INTO 'o1';
             DUMP a;
             STORE a INTO 'o2';",
        );
        assert_eq!(batches(&plan, &sinks), vec![sinks.clone()]);
    }

    #[test]
    fn overlap_is_conservative() {
        assert!(may_overlap("out", "out"));
        assert!(may_overlap("out/part-*", "out"));
        assert!(may_overlap("file://out/", "out"));
        assert!(may_overlap("o*", "out"));
        assert!(may_overlap("x,out", "out"));
        assert!(!may_overlap("in", "out"));
        assert!(!may_overlap("data/in-*", "out"));
    }
}
