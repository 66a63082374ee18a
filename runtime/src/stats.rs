//! Run statistics, like Pig's job statistics: per stage the tasks run, their wall times,
//! records in and out (and through the combiner), bytes read and written and records
//! spilled; then the inputs read and the outputs written. Printed on stderr at the end of
//! a run ([`Stats::report`]) and written as JSON with `--stats-json` ([`Stats::to_json`]).
//!
//! Counters are atomics: tasks update them while the progress display
//! ([`crate::progress`]) reads them. Each finished task also leaves one [`TaskRecord`]
//! (its stage, partition, start, end and thread) and each job one [`JobRecord`] (its
//! stages, the edges between them and its outputs), for the HTML run report's stage graph
//! and timeline: a few words per task, nothing per row.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

use crate::exec::{Output, Step};
use crate::io::Split;

/// Counters of one stage (one `PigExec` node: a source, fused row steps and an output).
#[derive(Debug)]
pub struct StageStats {
    /// The stage's number in its run, from 1, in the order stages were planned (inputs
    /// first).
    pub id: usize,
    /// The stage's operator name.
    pub name: &'static str,
    /// How many tasks (partitions) it has.
    pub tasks: usize,
    features: Mutex<Vec<&'static str>>,
    input_files: Mutex<Vec<PathBuf>>,
    records_in: AtomicU64,
    records_out: AtomicU64,
    combine_in: AtomicU64,
    combine_out: AtomicU64,
    bytes_read: AtomicU64,
    /// The bytes a scan stage's splits cover (0 for other stages).
    bytes_total: AtomicU64,
    bytes_written: AtomicU64,
    spilled: AtomicU64,
    tasks_done: AtomicU64,
    task_ms: Mutex<Vec<u64>>,
    /// When the first task started and the last one ended.
    span: Mutex<Option<(Instant, Instant)>>,
    /// The instant task times in [`TaskRecord`]s count from: the run's start.
    run_started: Instant,
    task_records: Mutex<Vec<TaskRecord>>,
}

/// One finished task: which stage and partition, when it ran and on which thread.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRecord {
    /// The stage's id ([`StageStats::id`]).
    pub stage: usize,
    /// The task's partition within its stage.
    pub partition: usize,
    /// When the task started, from the start of the run.
    pub start: Duration,
    /// When it ended, from the start of the run.
    pub end: Duration,
    /// The thread that ended it (Tokio moves a task between worker threads only when
    /// another one steals it, so this is mostly the one that ran it).
    pub thread: ThreadTag,
}

/// A thread, named and numbered once per process.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadTag {
    /// A number unique in the process, in the order threads first finished a task.
    pub id: usize,
    /// The thread's name (`pigrs-worker` for the worker threads, `main`, ...).
    pub name: Arc<str>,
}

impl ThreadTag {
    /// The current thread's tag.
    pub fn current() -> ThreadTag {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        thread_local! {
            static TAG: ThreadTag = ThreadTag {
                id: usize::try_from(NEXT.fetch_add(1, Ordering::Relaxed)).unwrap_or(usize::MAX),
                name: Arc::from(std::thread::current().name().unwrap_or("unnamed")),
            };
        }
        TAG.with(Clone::clone)
    }
}

/// One job of a run: the outputs (DUMPs and STOREs) computed together, with their
/// stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    /// The job's number in the run, from 1.
    pub id: usize,
    /// The ids of the stages it registered (those that never ran included).
    pub stages: std::ops::Range<usize>,
    /// The (from, to) pairs of stages whose rows flow from one into the other.
    pub edges: Vec<(usize, usize)>,
    /// Its outputs: the STORE location or `(dump)`, and the stage whose rows they are.
    pub outputs: Vec<(String, Option<usize>)>,
    /// When it started and ended, from the start of the run.
    pub start: Duration,
    /// See `start`.
    pub end: Duration,
    /// Whether it failed (or was cancelled).
    pub failed: bool,
}

impl StageStats {
    /// Counters that belong to no run (for placeholders).
    pub fn detached() -> Self {
        Self::new(0, "", 0, Instant::now())
    }

    fn new(id: usize, name: &'static str, tasks: usize, run_started: Instant) -> Self {
        StageStats {
            id,
            name,
            tasks,
            features: Mutex::new(Vec::new()),
            input_files: Mutex::new(Vec::new()),
            records_in: AtomicU64::new(0),
            records_out: AtomicU64::new(0),
            combine_in: AtomicU64::new(0),
            combine_out: AtomicU64::new(0),
            bytes_read: AtomicU64::new(0),
            bytes_total: AtomicU64::new(0),
            bytes_written: AtomicU64::new(0),
            spilled: AtomicU64::new(0),
            tasks_done: AtomicU64::new(0),
            task_ms: Mutex::new(Vec::new()),
            span: Mutex::new(None),
            run_started,
            task_records: Mutex::new(Vec::new()),
        }
    }

    /// Sets the stage's Pig-style feature tags (GROUP_BY, HASH_JOIN, FILTER, ...).
    pub fn set_features(&self, features: Vec<&'static str>) {
        if let Ok(mut f) = self.features.lock() {
            *f = features;
        }
    }

    /// Adds a feature tag (once).
    pub fn add_feature(&self, feature: &'static str) {
        if let Ok(mut f) = self.features.lock()
            && !f.contains(&feature)
        {
            f.push(feature);
        }
    }

    /// The stage's feature tags.
    pub fn features(&self) -> Vec<&'static str> {
        self.features.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Describes the stage from what it does: its feature tags.
    pub fn describe(&self, steps: &[Step], output: &Output) {
        self.set_features(features_of(steps, output));
    }

    /// Names the files a scan stage reads, from its splits (the run's inputs are named
    /// after them), and counts the bytes they cover.
    pub fn set_input_files(&self, splits: &[Split]) {
        let mut files: Vec<PathBuf> = Vec::new();
        for part in splits.iter().flat_map(|s| &s.parts) {
            if !files.contains(&part.file.path) {
                files.push(part.file.path.clone());
            }
        }
        if let Ok(mut f) = self.input_files.lock() {
            *f = files;
        }
        self.bytes_total
            .store(splits.iter().map(Split::bytes).sum(), Ordering::Relaxed);
    }

    /// The bytes a scan stage's splits cover, which its bytes read reach when it is done
    /// (0 for other stages).
    pub fn bytes_total(&self) -> u64 {
        self.bytes_total.load(Ordering::Relaxed)
    }

    /// The files a scan stage reads (empty for other stages).
    pub fn input_files(&self) -> Vec<PathBuf> {
        self.input_files
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default()
    }

    /// Counts records read.
    pub fn add_in(&self, n: u64) {
        self.records_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts records written.
    pub fn add_out(&self, n: u64) {
        self.records_out.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts records given to a combiner.
    pub fn add_combine_in(&self, n: u64) {
        self.combine_in.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts records a combiner produced.
    pub fn add_combine_out(&self, n: u64) {
        self.combine_out.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts bytes read from input files (on disk, so compressed bytes for compressed
    /// files).
    pub fn add_bytes_read(&self, n: u64) {
        self.bytes_read.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts bytes written to output files.
    pub fn add_bytes_written(&self, n: u64) {
        self.bytes_written.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts records spilled to disk.
    pub fn add_spilled(&self, n: u64) {
        self.spilled.fetch_add(n, Ordering::Relaxed);
    }

    /// Records that the task of partition `partition`, started at `start`, finished now
    /// (on the current thread).
    pub fn task_done(&self, partition: usize, start: Instant) {
        let end = Instant::now();
        let wall = end.saturating_duration_since(start);
        self.tasks_done.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut t) = self.task_ms.lock() {
            t.push(u64::try_from(wall.as_millis()).unwrap_or(u64::MAX));
        }
        if let Ok(mut records) = self.task_records.lock() {
            records.push(TaskRecord {
                stage: self.id,
                partition,
                start: start.saturating_duration_since(self.run_started),
                end: end.saturating_duration_since(self.run_started),
                thread: ThreadTag::current(),
            });
        }
        if let Ok(mut span) = self.span.lock() {
            *span = Some(match *span {
                Some((s, e)) => (s.min(start), e.max(end)),
                None => (start, end),
            });
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

    /// Records given to a combiner so far.
    pub fn combine_in(&self) -> u64 {
        self.combine_in.load(Ordering::Relaxed)
    }

    /// Records a combiner produced so far.
    pub fn combine_out(&self) -> u64 {
        self.combine_out.load(Ordering::Relaxed)
    }

    /// Bytes read so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written.load(Ordering::Relaxed)
    }

    /// Records spilled so far.
    pub fn spilled(&self) -> u64 {
        self.spilled.load(Ordering::Relaxed)
    }

    /// How many tasks have finished (never more than [`StageStats::tasks`]).
    pub fn tasks_done(&self) -> usize {
        usize::try_from(self.tasks_done.load(Ordering::Relaxed))
            .unwrap_or(usize::MAX)
            .min(self.tasks)
    }

    /// The tasks finished so far, in the order they finished.
    pub fn task_records(&self) -> Vec<TaskRecord> {
        self.task_records
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default()
    }

    /// Finished task wall times in milliseconds.
    pub fn task_ms(&self) -> Vec<u64> {
        self.task_ms.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Minimum, average and maximum task wall time in milliseconds (zeros before any task
    /// finished).
    pub fn task_ms_summary(&self) -> (u64, u64, u64) {
        let ms = self.task_ms();
        let min = ms.iter().min().copied().unwrap_or(0);
        let max = ms.iter().max().copied().unwrap_or(0);
        let avg = match u64::try_from(ms.len()) {
            Ok(n) if n > 0 => ms.iter().sum::<u64>() / n,
            _ => 0,
        };
        (min, avg, max)
    }

    /// The stage's wall time: from the start of its first task to the end of its last.
    pub fn wall_ms(&self) -> u64 {
        match self.span.lock().map(|s| *s) {
            Ok(Some((start, end))) => {
                u64::try_from(end.duration_since(start).as_millis()).unwrap_or(u64::MAX)
            }
            _ => 0,
        }
    }

    /// Whether any task of the stage ran.
    pub fn ran(&self) -> bool {
        self.tasks_done.load(Ordering::Relaxed) > 0 || self.records_in() > 0
    }
}

/// The Pig-style feature tags of a stage, from its fused steps, with the same names as
/// EXPLAIN's stage plan.
pub fn features_of(steps: &[Step], output: &Output) -> Vec<&'static str> {
    let mut tags: Vec<&'static str> = Vec::new();
    let mut add = |t: &'static str| {
        if !tags.contains(&t) {
            tags.push(t);
        }
    };
    for step in steps {
        match step {
            Step::Filter(_) => add("FILTER"),
            Step::Foreach { nested, .. } if !nested.is_empty() => add("NESTED_FOREACH"),
            Step::Foreach { .. } => add("FOREACH"),
            Step::Sample(_) => add("SAMPLER"),
        }
    }
    if let Output::Split(_) = output {
        add("MULTI_QUERY");
    }
    tags
}

/// Records and bytes read from one input, or written to one output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IoStats {
    /// The location, as the script wrote it (after parameter substitution).
    pub path: String,
    /// Records read or written.
    pub records: u64,
    /// Bytes read or written (on disk).
    pub bytes: u64,
}

impl IoStats {
    fn to_json(&self) -> Json {
        json!({"path": self.path, "records": self.records, "bytes": self.bytes})
    }
}

/// Every stage of a run, and its inputs and outputs.
#[derive(Debug)]
pub struct Stats {
    started: Instant,
    stages: Mutex<Vec<Arc<StageStats>>>,
    inputs: Mutex<Vec<IoStats>>,
    outputs: Mutex<Vec<IoStats>>,
    jobs: Mutex<Vec<JobRecord>>,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            started: Instant::now(),
            stages: Mutex::new(Vec::new()),
            inputs: Mutex::new(Vec::new()),
            outputs: Mutex::new(Vec::new()),
            jobs: Mutex::new(Vec::new()),
        }
    }
}

/// Adds `records` and `bytes` to the entry for `path`, or appends one.
fn add_io(list: &Mutex<Vec<IoStats>>, path: &str, records: u64, bytes: u64) {
    if let Ok(mut all) = list.lock() {
        match all.iter_mut().find(|e| e.path == path) {
            Some(e) => {
                e.records += records;
                e.bytes += bytes;
            }
            None => all.push(IoStats {
                path: path.to_string(),
                records,
                bytes,
            }),
        }
    }
}

impl Stats {
    /// Registers a stage.
    pub fn stage(&self, name: &'static str, tasks: usize) -> Arc<StageStats> {
        let Ok(mut all) = self.stages.lock() else {
            return Arc::new(StageStats::new(0, name, tasks, self.started));
        };
        let s = Arc::new(StageStats::new(all.len() + 1, name, tasks, self.started));
        all.push(s.clone());
        s
    }

    /// The stages registered so far.
    pub fn stages(&self) -> Vec<Arc<StageStats>> {
        self.stages.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many stages are registered.
    pub fn stage_count(&self) -> usize {
        self.stages.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Counts records and bytes read from an input location.
    pub fn add_input(&self, path: &str, records: u64, bytes: u64) {
        add_io(&self.inputs, path, records, bytes);
    }

    /// Counts records and bytes written to an output location.
    pub fn add_output(&self, path: &str, records: u64, bytes: u64) {
        add_io(&self.outputs, path, records, bytes);
    }

    /// The inputs read so far.
    pub fn inputs(&self) -> Vec<IoStats> {
        self.inputs.lock().map(|i| i.clone()).unwrap_or_default()
    }

    /// The outputs written so far.
    pub fn outputs(&self) -> Vec<IoStats> {
        self.outputs.lock().map(|o| o.clone()).unwrap_or_default()
    }

    /// Records a job (its `id` is set here: the next number).
    pub fn add_job(&self, mut job: JobRecord) {
        if let Ok(mut jobs) = self.jobs.lock() {
            job.id = jobs.len() + 1;
            jobs.push(job);
        }
    }

    /// The jobs run so far.
    pub fn jobs(&self) -> Vec<JobRecord> {
        self.jobs.lock().map(|j| j.clone()).unwrap_or_default()
    }

    /// Every task finished so far, by start time.
    pub fn tasks(&self) -> Vec<TaskRecord> {
        let mut all: Vec<TaskRecord> = self
            .stages()
            .iter()
            .flat_map(|s| s.task_records())
            .collect();
        all.sort_by_key(|t| (t.start, t.stage, t.partition));
        all
    }

    /// The stages that ran (stages planned but never run, such as those of a failed
    /// action, are left out).
    pub fn stages_run(&self) -> Vec<Arc<StageStats>> {
        self.ran()
    }

    /// Time since the statistics were started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The stages that ran (stages planned but never run, such as those of a failed
    /// action, are left out).
    fn ran(&self) -> Vec<Arc<StageStats>> {
        self.stages().into_iter().filter(|s| s.ran()).collect()
    }

    /// The statistics table for stderr; empty when nothing ran.
    pub fn report(&self) -> String {
        let stages = self.ran();
        let (inputs, outputs) = (self.inputs(), self.outputs());
        if stages.is_empty() && inputs.is_empty() && outputs.is_empty() {
            return String::new();
        }
        let mut out = format!(
            "Run statistics ({:.2} s):\n{:>3} {:<15} {:>5} {:>17} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8} {:>7}  features\n",
            self.elapsed().as_secs_f64(),
            "id",
            "stage",
            "tasks",
            "task ms min/avg/max",
            "recs in",
            "recs out",
            "comb in",
            "comb out",
            "read",
            "written",
            "spilled",
        );
        for s in &stages {
            let (min, avg, max) = s.task_ms_summary();
            let features = s.features();
            let _ = writeln!(
                out,
                "{:>3} {:<15} {:>5} {:>17} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8} {:>7}  {}",
                s.id,
                s.name,
                s.tasks,
                format!("{min}/{avg}/{max}"),
                s.records_in(),
                s.records_out(),
                s.combine_in(),
                s.combine_out(),
                human_bytes(s.bytes_read()),
                human_bytes(s.bytes_written()),
                s.spilled(),
                if features.is_empty() {
                    "-".to_string()
                } else {
                    features.join(",")
                },
            );
        }
        if !inputs.is_empty() {
            out.push_str("Input(s):\n");
            for i in &inputs {
                let _ = writeln!(
                    out,
                    "  read {} records ({}) from \"{}\"",
                    i.records,
                    human_bytes(i.bytes),
                    i.path
                );
            }
        }
        if !outputs.is_empty() {
            out.push_str("Output(s):\n");
            for o in &outputs {
                let _ = writeln!(
                    out,
                    "  wrote {} records ({}) to \"{}\"",
                    o.records,
                    human_bytes(o.bytes),
                    o.path
                );
            }
        }
        out
    }

    /// The statistics as JSON: `{"wall_ms", "stages": [...], "inputs": [...], "outputs":
    /// [...]}`.
    pub fn to_json(&self) -> Json {
        let stages: Vec<Json> = self
            .ran()
            .iter()
            .map(|s| {
                let (min, avg, max) = s.task_ms_summary();
                json!({
                    "id": s.id,
                    "name": s.name,
                    "features": s.features(),
                    "tasks": s.tasks,
                    "records_in": s.records_in(),
                    "records_out": s.records_out(),
                    "combine_records_in": s.combine_in(),
                    "combine_records_out": s.combine_out(),
                    "bytes_read": s.bytes_read(),
                    "bytes_written": s.bytes_written(),
                    "spilled_records": s.spilled(),
                    "wall_ms": s.wall_ms(),
                    "task_ms": {"min": min, "avg": avg, "max": max},
                })
            })
            .collect();
        json!({
            "wall_ms": u64::try_from(self.elapsed().as_millis()).unwrap_or(u64::MAX),
            "stages": stages,
            "inputs": self.inputs().iter().map(IoStats::to_json).collect::<Vec<_>>(),
            "outputs": self.outputs().iter().map(IoStats::to_json).collect::<Vec<_>>(),
        })
    }
}

/// A byte count with a decimal unit: `812`, `12.3k`, `45.0M`, `1.02G`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [(&str, f64); 4] = [("T", 1e12), ("G", 1e9), ("M", 1e6), ("k", 1e3)];
    let x = n as f64;
    for (unit, size) in UNITS {
        if x >= size {
            let v = x / size;
            return if v >= 100.0 {
                format!("{v:.0}{unit}")
            } else if v >= 10.0 {
                format!("{v:.1}{unit}")
            } else {
                format!("{v:.2}{unit}")
            };
        }
    }
    n.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_units() {
        assert_eq!(human_bytes(0), "0");
        assert_eq!(human_bytes(999), "999");
        assert_eq!(human_bytes(1_500), "1.50k");
        assert_eq!(human_bytes(52_400_000), "52.4M");
        assert_eq!(human_bytes(1_000_000_000), "1.00G");
    }

    #[test]
    fn counters_report_and_json() {
        let stats = Stats::default();
        let s = stats.stage("Scan", 2);
        s.set_features(vec!["FOREACH"]);
        s.add_in(10);
        s.add_out(7);
        s.add_combine_in(7);
        s.add_combine_out(3);
        s.add_bytes_read(2_000);
        s.add_spilled(1);
        s.task_done(0, ago(5));
        s.task_done(1, ago(15));
        s.task_done(1, ago(15));
        assert_eq!(s.tasks_done(), 2, "clamped to the task count");
        let (min, avg, max) = s.task_ms_summary();
        // Wall times run to when task_done is called: at least the time since the start.
        assert!(
            min >= 5 && max >= 15 && min < avg && avg < max,
            "{:?}",
            s.task_ms_summary()
        );
        let idle = stats.stage("Sort", 1);
        assert_eq!(idle.id, 2);
        stats.add_input("in", 10, 2_000);
        stats.add_input("in", 1, 1);
        stats.add_output("out", 3, 30);

        let text = stats.report();
        assert!(text.contains("Scan"), "{text}");
        assert!(
            !text.contains("Sort"),
            "a stage that never ran is left out: {text}"
        );
        assert!(
            text.contains("read 11 records (2.00k) from \"in\""),
            "{text}"
        );
        assert!(text.contains("wrote 3 records (30) to \"out\""), "{text}");

        let j = stats.to_json();
        let st = &j["stages"][0];
        assert_eq!(st["id"], 1);
        assert_eq!(st["features"], json!(["FOREACH"]));
        assert_eq!(st["records_in"], 10);
        assert_eq!(st["records_out"], 7);
        assert_eq!(st["combine_records_in"], 7);
        assert_eq!(st["combine_records_out"], 3);
        assert_eq!(st["spilled_records"], 1);
        assert_eq!(st["tasks"], 2);
        assert!(st["wall_ms"].is_u64());
        assert_eq!(j["stages"].as_array().map(Vec::len), Some(1));
        assert_eq!(j["inputs"][0]["records"], 11);
        assert_eq!(j["outputs"][0]["path"], "out");
    }

    /// An instant `ms` milliseconds ago.
    fn ago(ms: u64) -> Instant {
        let now = Instant::now();
        now.checked_sub(Duration::from_millis(ms)).unwrap_or(now)
    }

    #[test]
    fn task_records_and_jobs() {
        let stats = Stats::default();
        std::thread::sleep(Duration::from_millis(20));
        let s = stats.stage("Scan", 2);
        let r = stats.stage("AggregateReduce", 1);
        // Both starts from one instant: their order does not depend on the machine's load.
        let now = Instant::now();
        let (early, late) = (
            now - Duration::from_millis(15),
            now - Duration::from_millis(10),
        );
        s.task_done(1, late);
        std::thread::Builder::new()
            .name("other".into())
            .spawn({
                let s = s.clone();
                move || s.task_done(0, early)
            })
            .and_then(|h| h.join().map_err(|_| std::io::Error::other("panicked")))
            .expect("a thread");
        r.task_done(0, ago(1));
        let tasks = stats.tasks();
        assert_eq!(tasks.len(), 3);
        assert_eq!(
            (tasks[0].stage, tasks[0].partition, &*tasks[0].thread.name),
            (1, 0, "other"),
            "by start time: {tasks:?}"
        );
        assert_eq!((tasks[1].stage, tasks[1].partition), (1, 1));
        assert_eq!(tasks[2].stage, 2);
        assert_ne!(tasks[0].thread.id, tasks[1].thread.id);
        assert_eq!(tasks[1].thread, ThreadTag::current());
        for t in &tasks {
            assert!(t.start <= t.end && t.end <= stats.elapsed(), "{t:?}");
            assert!(
                t.start >= Duration::from_millis(5),
                "from the run's start: {t:?}"
            );
        }
        let job = JobRecord {
            id: 0,
            stages: 1..3,
            edges: vec![(1, 2)],
            outputs: vec![("out".into(), Some(2))],
            start: Duration::ZERO,
            end: stats.elapsed(),
            failed: false,
        };
        stats.add_job(job.clone());
        stats.add_job(job);
        let ids: Vec<usize> = stats.jobs().iter().map(|j| j.id).collect();
        assert_eq!(ids, [1, 2]);
    }

    #[test]
    fn nothing_ran_reports_nothing() {
        let stats = Stats::default();
        stats.stage("Scan", 1);
        assert_eq!(stats.report(), "");
    }
}
