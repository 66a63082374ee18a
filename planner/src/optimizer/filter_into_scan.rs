//! `filter_into_scan`: a FILTER right above a LOAD is also checked inside the scan, on the
//! fields it reads only, so a dropped line never has its other fields converted.
//!
//! ```text
//! Filter: ($0 == 'en')                       Filter: ($0 == 'en')
//!   Load: location='pages'          =>         Load: location='pages', filter=($0 == 'en')
//! ```
//!
//! The FILTER stays (it runs on the lines the scan keeps), so a loader that cannot check
//! conditions (anything but PigStorage) loses nothing. Not applied when the LOAD has no
//! schema, when something else also reads the LOAD (its rows must all be loaded), or when
//! the condition could fail, count a warning or call a function: only comparisons,
//! IS NULL, MATCHES and IN of fields and constants, joined by AND, OR and NOT.

use std::collections::HashSet;

use crate::error::Result;
use crate::expr::{Expr, ExprKind};
use crate::logical::{LogicalPlan, NodeId, Operator};
use crate::optimizer::{OptimizerRule, live_consumers};

/// The scan filter rule.
pub struct FilterIntoScan;

/// Whether a condition can be checked on a row where only its own fields are loaded,
/// without failing, counting a warning or calling a function.
pub fn scan_checkable(cond: &Expr) -> bool {
    match &cond.kind {
        ExprKind::Const(_) | ExprKind::Column(_) => true,
        // A constant cast by the type checker (`visits > (long)10`).
        ExprKind::Cast(inner) => matches!(inner.kind, ExprKind::Const(_)),
        ExprKind::Cmp { left, right, .. } => scan_checkable(left) && scan_checkable(right),
        ExprKind::And(l, r) | ExprKind::Or(l, r) => scan_checkable(l) && scan_checkable(r),
        ExprKind::Not(e) => scan_checkable(e),
        ExprKind::IsNull { expr, .. } | ExprKind::Matches { expr, .. } => scan_checkable(expr),
        ExprKind::In { expr, list } => scan_checkable(expr) && list.iter().all(scan_checkable),
        _ => false,
    }
}

impl OptimizerRule for FilterIntoScan {
    fn name(&self) -> &'static str {
        "filter_into_scan"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Filter { cond } = &node.op else {
            return Ok(false);
        };
        let load = node.inputs[0];
        let Operator::Load { filter: None, .. } = &plan.node(load).op else {
            return Ok(false);
        };
        if plan.node(load).schema.is_none() || !scan_checkable(cond) {
            return Ok(false);
        }
        if live_consumers(plan, load, live) != 1 {
            return Ok(false);
        }
        let cond = cond.clone();
        if let Operator::Load { filter, .. } = &mut plan.nodes[load].op {
            *filter = Some(cond);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    const PAGES: &str =
        "p = LOAD 'pages' USING PigStorage(' ') AS (lang:chararray, page:chararray, n:long); ";

    #[test]
    fn a_filter_over_a_load_is_checked_in_the_scan_too() {
        let plan = after_rule(
            &FilterIntoScan,
            &format!("{PAGES}f = FILTER p BY lang == 'en' OR n > 10; DUMP f;"),
        );
        assert_eq!(
            plan,
            "Dump\n  Filter [f]: (($0 == 'en') OR ($2 > (long)10))\n    Load [p]: location='pages', func=PigStorage(' '), filter=(($0 == 'en') OR ($2 > (long)10))\n"
        );
    }

    #[test]
    fn not_applied_when_the_condition_calls_a_function() {
        let plan = after_rule(
            &FilterIntoScan,
            &format!("{PAGES}f = FILTER p BY SIZE(page) > 3; DUMP f;"),
        );
        assert!(!plan.contains("filter="), "{plan}");
    }

    #[test]
    fn not_applied_when_a_field_is_cast() {
        let plan = after_rule(
            &FilterIntoScan,
            &format!("{PAGES}f = FILTER p BY (int)page > 3; DUMP f;"),
        );
        assert!(!plan.contains("filter="), "{plan}");
    }

    #[test]
    fn not_applied_when_the_load_has_other_readers() {
        let plan = after_rule(
            &FilterIntoScan,
            &format!("{PAGES}f = FILTER p BY lang == 'en'; u = UNION f, p; DUMP u;"),
        );
        assert!(!plan.contains("filter="), "{plan}");
    }

    #[test]
    fn not_applied_without_a_schema() {
        let plan = after_rule(
            &FilterIntoScan,
            "p = LOAD 'pages'; f = FILTER p BY $0 == 'en'; DUMP f;",
        );
        assert!(!plan.contains("filter="), "{plan}");
    }

    #[test]
    fn not_applied_when_the_filter_is_not_right_above_the_load() {
        let plan = after_rule(
            &FilterIntoScan,
            &format!(
                "{PAGES}q = FOREACH p GENERATE lang, n; f = FILTER q BY lang == 'en'; DUMP f;"
            ),
        );
        assert!(!plan.contains("filter="), "{plan}");
    }
}
