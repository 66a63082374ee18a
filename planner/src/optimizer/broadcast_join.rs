//! `broadcast_join`: a hash join whose inputs after the first are all small (their files
//! add up to less than `pigrs.join.broadcast.threshold` bytes, 16 MB unless SET) becomes a
//! replicated join: the small inputs are loaded once into every task of the large one and
//! the large input is never shuffled.
//!
//! ```text
//! Join: type=Inner, strategy=Hash           Join: type=Inner, strategy=Replicated
//!   Load [big]                       =>       Load [big]
//!   Load [small]  (2 MB)                      Load [small]
//! ```
//!
//! Not applied to RIGHT and FULL outer joins (the broadcast side's unmatched rows would
//! be produced by every task), when a size is unknown, or when any later input is large.

use std::collections::HashSet;
use std::sync::Arc;

use crate::error::Result;
use crate::logical::{JoinStrategy, JoinType, LogicalPlan, NodeId, Operator};
use crate::optimizer::OptimizerRule;

/// The default broadcast threshold in bytes of input files.
pub const DEFAULT_THRESHOLD: u64 = 16 * 1024 * 1024;

/// Gives the total size in bytes of the files a LOAD location names, if it can be known.
pub type SizeOf = Arc<dyn Fn(&str) -> Option<u64> + Send + Sync>;

/// The broadcast-join rule.
pub struct BroadcastJoin {
    /// Sizes of LOAD locations.
    pub size_of: SizeOf,
    /// Inputs whose files are smaller than this are broadcast.
    pub threshold: u64,
}

impl BroadcastJoin {
    /// The bytes read to compute `id`: the sum over its LOADs, if all are known.
    fn input_bytes(&self, plan: &LogicalPlan, id: NodeId) -> Option<u64> {
        let node = plan.node(id);
        match &node.op {
            Operator::Load { location, .. } => (self.size_of)(location),
            _ if node.inputs.is_empty() => None,
            _ => node.inputs.iter().map(|&i| self.input_bytes(plan, i)).sum(),
        }
    }
}

impl OptimizerRule for BroadcastJoin {
    fn name(&self) -> &'static str {
        "broadcast_join"
    }

    fn rewrite(&self, plan: &mut LogicalPlan, id: NodeId, _live: &HashSet<NodeId>) -> Result<bool> {
        let node = plan.node(id);
        let Operator::Join {
            strategy: JoinStrategy::Hash,
            join_type,
            ..
        } = &node.op
        else {
            return Ok(false);
        };
        if matches!(join_type, JoinType::Right | JoinType::Full) {
            return Ok(false);
        }
        let small = node.inputs[1..].iter().all(|&i| {
            self.input_bytes(plan, i)
                .is_some_and(|b| b < self.threshold)
        });
        if !small {
            return Ok(false);
        }
        if let Operator::Join { strategy, .. } = &mut plan.nodes[id].op {
            *strategy = JoinStrategy::Replicated;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optimizer::test::after_rule;

    fn rule(threshold: u64) -> BroadcastJoin {
        let size_of: SizeOf = Arc::new(|loc: &str| match loc {
            "big" => Some(1 << 30),
            "small" => Some(1000),
            _ => None,
        });
        BroadcastJoin { size_of, threshold }
    }

    const S: &str = "b = LOAD 'big' AS (k:int); s = LOAD 'small' AS (k:int); ";

    #[test]
    fn a_small_second_input_is_broadcast() {
        let plan = after_rule(
            &rule(DEFAULT_THRESHOLD),
            &format!("{S}j = JOIN b BY k, s BY k; DUMP j;"),
        );
        assert!(plan.contains("strategy=Replicated"), "{plan}");
        let left = after_rule(
            &rule(DEFAULT_THRESHOLD),
            &format!("{S}j = JOIN b BY k LEFT OUTER, s BY k; DUMP j;"),
        );
        assert!(left.contains("strategy=Replicated"), "{left}");
    }

    #[test]
    fn not_applied_to_large_or_unknown_inputs_or_right_joins() {
        let large = after_rule(
            &rule(DEFAULT_THRESHOLD),
            &format!("{S}j = JOIN s BY k, b BY k; DUMP j;"),
        );
        assert!(large.contains("strategy=Hash"), "{large}");
        let unknown = after_rule(
            &rule(DEFAULT_THRESHOLD),
            &format!("{S}u = LOAD 'elsewhere' AS (k:int); j = JOIN b BY k, u BY k; DUMP j;"),
        );
        assert!(unknown.contains("strategy=Hash"), "{unknown}");
        let right = after_rule(
            &rule(DEFAULT_THRESHOLD),
            &format!("{S}j = JOIN b BY k RIGHT OUTER, s BY k; DUMP j;"),
        );
        assert!(right.contains("strategy=Hash"), "{right}");
        let low = after_rule(&rule(10), &format!("{S}j = JOIN b BY k, s BY k; DUMP j;"));
        assert!(low.contains("strategy=Hash"), "{low}");
    }
}
