//! Run statistics: per stage, the tasks run, their wall times, and the records in and out,
//! printed at the end of a run like Pig's job statistics.

use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Counters of one stage.
#[derive(Debug)]
pub struct StageStats {
    /// The stage's operator name.
    pub name: &'static str,
    /// How many tasks (partitions) it has.
    pub tasks: usize,
    records_in: AtomicU64,
    records_out: AtomicU64,
    combine_in: AtomicU64,
    combine_out: AtomicU64,
    task_ms: Mutex<Vec<u64>>,
}

impl StageStats {
    /// Counters that belong to no run (for placeholders).
    pub fn detached() -> Self {
        StageStats {
            name: "",
            tasks: 0,
            records_in: AtomicU64::new(0),
            records_out: AtomicU64::new(0),
            combine_in: AtomicU64::new(0),
            combine_out: AtomicU64::new(0),
            task_ms: Mutex::new(Vec::new()),
        }
    }

    /// Counts records entering the combiner.
    pub fn add_combine_in(&self, n: u64) {
        self.combine_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts partial aggregates leaving the combiner.
    pub fn add_combine_out(&self, n: u64) {
        self.combine_out.fetch_add(n, Ordering::Relaxed);
    }

    /// Records entering the combiner so far.
    pub fn combine_in(&self) -> u64 {
        self.combine_in.load(Ordering::Relaxed)
    }

    /// Partial aggregates written by the combiner so far.
    pub fn combine_out(&self) -> u64 {
        self.combine_out.load(Ordering::Relaxed)
    }

    /// Counts records read.
    pub fn add_in(&self, n: u64) {
        self.records_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts records written.
    pub fn add_out(&self, n: u64) {
        self.records_out.fetch_add(n, Ordering::Relaxed);
    }

    /// Records that a task finished after `wall` time.
    pub fn task_done(&self, wall: Duration) {
        if let Ok(mut t) = self.task_ms.lock() {
            t.push(wall.as_millis() as u64);
        }
    }

    /// Records read so far.
    pub fn records_in(&self) -> u64 {
        self.records_in.load(Ordering::Relaxed)
    }

    /// Records written so far.
    pub fn records_out(&self) -> u64 {
        self.records_out.load(Ordering::Relaxed)
    }

    /// Finished task wall times in milliseconds.
    pub fn task_ms(&self) -> Vec<u64> {
        self.task_ms.lock().map(|t| t.clone()).unwrap_or_default()
    }
}

/// Every stage of a run.
#[derive(Debug, Default)]
pub struct Stats {
    stages: Mutex<Vec<Arc<StageStats>>>,
}

impl Stats {
    /// Registers a stage.
    pub fn stage(&self, name: &'static str, tasks: usize) -> Arc<StageStats> {
        let s = Arc::new(StageStats {
            name,
            tasks,
            ..StageStats::detached()
        });
        if let Ok(mut all) = self.stages.lock() {
            all.push(s.clone());
        }
        s
    }

    /// The stages registered so far.
    pub fn stages(&self) -> Vec<Arc<StageStats>> {
        self.stages.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The statistics table for stderr.
    pub fn report(&self) -> String {
        let mut out =
            String::from("Stage            Tasks  MinMs  AvgMs  MaxMs   RecordsIn  RecordsOut\n");
        for s in self.stages() {
            let ms = s.task_ms();
            let (min, max) = (
                ms.iter().min().copied().unwrap_or(0),
                ms.iter().max().copied().unwrap_or(0),
            );
            let avg = if ms.is_empty() {
                0
            } else {
                ms.iter().sum::<u64>() / ms.len() as u64
            };
            let _ = writeln!(
                out,
                "{:<16} {:>5} {:>6} {:>6} {:>6} {:>11} {:>11}",
                s.name,
                s.tasks,
                min,
                avg,
                max,
                s.records_in(),
                s.records_out()
            );
        }
        out
    }
}
