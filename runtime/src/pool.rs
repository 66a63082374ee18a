//! The memory pool tasks run with: DataFusion's [`FairSpillPool`], except that each partial
//! aggregate (the combiner) gets a small budget of its own.
//!
//! A combiner whose hash table outgrows the budget emits what it has aggregated and starts
//! afresh (DataFusion's partial hash stream does that when its reservation fails), so its
//! table stays about cache-sized: with a million distinct words per task, a table holding
//! them all is mostly cache misses, while a small one still folds the frequent keys, which
//! carry most of the rows, and leaves the rare ones to the reduce side.

use std::fmt;

use datafusion::error::{DataFusionError, Result};
use datafusion::execution::memory_pool::{
    FairSpillPool, MemoryConsumer, MemoryLimit, MemoryPool, MemoryReservation,
};

/// Each partial aggregate's budget. Measured on the 1 GB seed workloads (2 cores, idle,
/// two runs each, 2026-12-03): against 16 MiB, 8 MiB made ngrams 25% faster (2.0-2.5 s to
/// 1.6-1.7 s: a table that is emptied and regrown stays in memory the allocator has not
/// yet returned, where a larger one faults fresh pages in) and left wordcount and top20
/// within their noise; 4 MiB was no faster for ngrams and slower for wordcount, and
/// earlier 12% slower for top20's two-key GROUP (fewer repeated keys fold before the
/// shuffle).
pub const PARTIAL_AGGREGATE_BUDGET: usize = 8 << 20;

/// The consumer name DataFusion's partial hash aggregate registers, followed by its
/// partition (`PartialHashAggregateStream[3]`).
const PARTIAL_AGGREGATE: &str = "PartialHashAggregateStream";

/// A [`FairSpillPool`] that caps every partial aggregate's reservation at `partial_budget`.
#[derive(Debug)]
pub struct PigMemoryPool {
    inner: FairSpillPool,
    partial_budget: usize,
}

impl PigMemoryPool {
    /// A pool of `limit` bytes whose partial aggregates reserve at most `partial_budget`
    /// bytes each (and never more than the pool would give them).
    pub fn new(limit: usize, partial_budget: usize) -> Self {
        PigMemoryPool {
            inner: FairSpillPool::new(limit),
            partial_budget,
        }
    }
}

impl fmt::Display for PigMemoryPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PigMemoryPool({}, partial aggregates {} bytes)",
            self.inner, self.partial_budget
        )
    }
}

impl MemoryPool for PigMemoryPool {
    fn name(&self) -> &str {
        "PigMemoryPool"
    }

    fn register(&self, consumer: &MemoryConsumer) {
        self.inner.register(consumer);
    }

    fn unregister(&self, consumer: &MemoryConsumer) {
        self.inner.unregister(consumer);
    }

    fn grow(&self, reservation: &MemoryReservation, additional: usize) {
        self.inner.grow(reservation, additional);
    }

    fn shrink(&self, reservation: &MemoryReservation, shrink: usize) {
        self.inner.shrink(reservation, shrink);
    }

    fn try_grow(&self, reservation: &MemoryReservation, additional: usize) -> Result<()> {
        if reservation.consumer().name().starts_with(PARTIAL_AGGREGATE)
            && reservation.size() + additional > self.partial_budget
        {
            return Err(DataFusionError::ResourcesExhausted(format!(
                "a partial aggregate may reserve {} bytes",
                self.partial_budget
            )));
        }
        self.inner.try_grow(reservation, additional)
    }

    fn reserved(&self) -> usize {
        self.inner.reserved()
    }

    fn memory_limit(&self) -> MemoryLimit {
        self.inner.memory_limit()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn only_partial_aggregates_are_held_to_the_budget() {
        let pool: Arc<dyn MemoryPool> = Arc::new(PigMemoryPool::new(1 << 20, 1000));
        let partial = MemoryConsumer::new(format!("{PARTIAL_AGGREGATE}[0]"))
            .with_can_spill(true)
            .register(&pool);
        partial.try_grow(1000).expect("within the budget");
        assert!(matches!(
            partial.try_grow(1),
            Err(DataFusionError::ResourcesExhausted(_))
        ));
        let sort = MemoryConsumer::new("ExternalSorter[0]").register(&pool);
        sort.try_grow(10_000).expect("the pool's own limit applies");
        assert_eq!(pool.reserved(), 11_000);
        assert!(sort.try_grow(1 << 20).is_err());
    }
}
