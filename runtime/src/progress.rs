//! The progress display on stderr while a job runs: a header line with the time so far,
//! the stages done and an estimate of the time left, then one bar per running stage with
//! the share of its input read and the rows it reads per second.
//!
//! ```text
//! pigrs 12.4s  stages 1/3 done  about 20s left
//!   1 Scan          [#########>---------------]  38%  1.21M rows/s  52.4M/138M
//!   2 GroupReduce   [###>---------------------]  13%  402k rows/s
//! ```
//!
//! A stage's share ([`stage_fraction`]) is what the statistics can honestly tell: a scan's
//! bytes read of the bytes its splits cover; a stage fed by others, the records it took in
//! of those its inputs gave out, scaled by how far those inputs are; otherwise its tasks
//! done. A stage is never shown complete before its last task ends.
//!
//! A background thread polls [`Stats`] five times a second. It shows nothing during the
//! first second (short jobs stay silent) and nothing at all when stderr is not a terminal
//! or `TERM` is `dumb`. Dropping the [`Progress`] guard stops the thread and erases the
//! bars, so nothing is left behind when the job ends: success, failure or cancellation.

use std::collections::{HashMap, VecDeque};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::stats::{StageStats, Stats, human_bytes};

/// How long a job runs before the display appears.
const DELAY: Duration = Duration::from_secs(1);
/// How often the display is refreshed.
const TICK: Duration = Duration::from_millis(200);
/// A bar's length: its position is the stage's share in thousandths.
const SCALE: u64 = 1000;
/// The highest share of a stage whose tasks are not all done: its output is still coming.
const NOT_DONE: f64 = 0.99;

/// A running progress display; dropping it stops and erases it.
#[derive(Debug)]
pub struct Progress {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing the progress of the stages registered in `stats` from index `first`
    /// on (the current job's), if `enabled` and stderr is a terminal. `edges` are the
    /// `(from, to)` stage ids whose rows flow from one into the other.
    pub fn start(
        stats: Arc<Stats>,
        first: usize,
        edges: Vec<(usize, usize)>,
        enabled: bool,
    ) -> Progress {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if !enabled || dumb || !std::io::stderr().is_terminal() {
            return Progress::off();
        }
        let (tx, rx) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("pigrs-progress".into())
            .spawn(move || {
                let started = Instant::now();
                // Silent for short jobs: wait for the delay or the stop.
                match rx.recv_timeout(DELAY) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                let mut display = Display::new(edges);
                loop {
                    let stages: Vec<Arc<StageStats>> =
                        stats.stages().into_iter().skip(first).collect();
                    display.update(&stages, started.elapsed());
                    match rx.recv_timeout(TICK) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                }
                display.clear();
            });
        match thread {
            Ok(t) => Progress {
                stop: Some(tx),
                thread: Some(t),
            },
            // No thread, no display: the run itself is unaffected.
            Err(_) => Progress::off(),
        }
    }

    /// A display that shows nothing.
    pub fn off() -> Progress {
        Progress {
            stop: None,
            thread: None,
        }
    }

    /// Stops the display and erases it (also done on drop).
    pub fn finish(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The counters of one stage at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// The stage's tasks.
    pub tasks: usize,
    /// Its tasks finished.
    pub tasks_done: usize,
    /// Records it read.
    pub records_in: u64,
    /// Records it wrote.
    pub records_out: u64,
    /// Bytes it read from its input files.
    pub bytes_read: u64,
    /// Bytes its input files' splits cover (0 for a stage that is not a scan).
    pub bytes_total: u64,
}

impl Snapshot {
    /// The counters of `s` now.
    pub fn of(s: &StageStats) -> Snapshot {
        Snapshot {
            tasks: s.tasks,
            tasks_done: s.tasks_done(),
            records_in: s.records_in(),
            records_out: s.records_out(),
            bytes_read: s.bytes_read(),
            bytes_total: s.bytes_total(),
        }
    }

    /// Whether every task ended.
    pub fn done(&self) -> bool {
        self.tasks_done >= self.tasks
    }
}

/// A ratio in `[0, 1]`; 0 when there is nothing to divide by.
fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 / whole as f64).min(1.0)
    }
}

/// The share of its work a stage has done, in `[0, 1]`, from its counters and those of the
/// stages feeding it (each with its own share, computed first). A scan: its bytes read of
/// its splits' bytes. A stage fed by others: the records it took in of those they gave out,
/// times their mean share (it cannot be further along than its input). Otherwise: its
/// tasks done. Only a stage whose tasks all ended is complete.
pub fn stage_fraction(s: &Snapshot, inputs: &[(Snapshot, f64)]) -> f64 {
    if s.done() {
        return 1.0;
    }
    let share = if s.bytes_total > 0 {
        ratio(s.bytes_read, s.bytes_total)
    } else if !inputs.is_empty() {
        let given: u64 = inputs.iter().map(|(i, _)| i.records_out).sum();
        let along = inputs.iter().map(|(_, f)| f).sum::<f64>() / inputs.len() as f64;
        let taken = if given == 0 {
            // Nothing came yet: as far as its inputs, which will give it something.
            if along >= 1.0 { 1.0 } else { 0.0 }
        } else {
            ratio(s.records_in, given)
        };
        taken * along
    } else {
        ratio(s.tasks_done as u64, s.tasks as u64)
    };
    share.min(NOT_DONE)
}

/// The time left for a job `elapsed` into it whose stages are at `fractions`, assuming the
/// rest goes at the pace so far; `None` until there is enough to go by (a second, and 1%).
pub fn time_left(elapsed: Duration, fractions: &[f64]) -> Option<Duration> {
    if fractions.is_empty() || elapsed < DELAY {
        return None;
    }
    let done = fractions.iter().sum::<f64>() / fractions.len() as f64;
    if done < 0.01 {
        return None;
    }
    Some(elapsed.mul_f64((1.0 - done).max(0.0) / done))
}

/// Records per second: `records` in `elapsed`; 0 before any time passed.
pub fn rate(records: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        0.0
    } else {
        records as f64 / secs
    }
}

/// A duration to the second, as `42s`, `3m05s` or `1h02m`.
pub fn short_duration(d: Duration) -> String {
    let s = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
    }
}

/// The header line: time so far, stages done and the estimate of the time left.
pub fn header(elapsed: Duration, done: usize, stages: usize, left: Option<Duration>) -> String {
    let mut line = format!(
        "pigrs {:.1}s  stages {done}/{stages} done",
        elapsed.as_secs_f64()
    );
    if let Some(left) = left {
        line.push_str(&format!("  about {} left", short_duration(left)));
    }
    line
}

/// How far back a stage's rate looks: long enough to smooth out its batches, short enough
/// to follow a change of pace (a stage that stalls drops to 0).
const WINDOW: Duration = Duration::from_secs(3);

/// Recent counts of a stage's records in, for its current rate.
#[derive(Debug, Default)]
pub struct Pace {
    samples: VecDeque<(Instant, u64)>,
}

impl Pace {
    /// Adds the count `records` seen at `at` (later than the ones before); returns the
    /// records per second over the last [`WINDOW`], or since the first count while the
    /// stage has run for less.
    pub fn record(&mut self, at: Instant, records: u64) -> f64 {
        self.samples.push_back((at, records));
        // Keep one count at or before the window's start: the rate spans all of it.
        while self
            .samples
            .get(1)
            .is_some_and(|&(t, _)| at.duration_since(t) >= WINDOW)
        {
            self.samples.pop_front();
        }
        let (t0, r0) = self.samples.front().copied().unwrap_or((at, records));
        rate(records.saturating_sub(r0), at.duration_since(t0))
    }
}

/// The text after a stage's bar: rows per second and, for a scan, bytes read of total.
pub fn stage_message(s: &Snapshot, rows_per_sec: f64) -> String {
    let mut msg = format!("{} rows/s", human_bytes(rows_per_sec.round() as u64));
    if s.bytes_total > 0 {
        msg.push_str(&format!(
            "  {}/{}",
            human_bytes(s.bytes_read),
            human_bytes(s.bytes_total)
        ));
    }
    msg
}

/// The bars on the terminal: the header and one per running stage.
struct Display {
    bars: MultiProgress,
    header: ProgressBar,
    style: ProgressStyle,
    /// Stage id -> its bar and its pace.
    running: HashMap<usize, (ProgressBar, Pace)>,
    /// Stage id -> the ids of the stages feeding it.
    inputs: HashMap<usize, Vec<usize>>,
}

impl Display {
    fn new(edges: Vec<(usize, usize)>) -> Display {
        let bars = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(5));
        let header = bars.add(ProgressBar::new_spinner());
        header.set_style(ProgressStyle::with_template("{msg}").unwrap_or_else(|_| {
            // A constant template: this cannot fail, but the display must not panic.
            ProgressStyle::default_spinner()
        }));
        let style = ProgressStyle::with_template("{prefix:<18!} [{bar:25}] {percent:>3}%  {msg}")
            .map(|s| s.progress_chars("#>-"))
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let mut inputs: HashMap<usize, Vec<usize>> = HashMap::new();
        for (from, to) in edges {
            inputs.entry(to).or_default().push(from);
        }
        Display {
            bars,
            header,
            style,
            running: HashMap::new(),
            inputs,
        }
    }

    fn update(&mut self, stages: &[Arc<StageStats>], elapsed: Duration) {
        let now = Instant::now();
        // Stages are registered inputs first, so a stage's inputs have their share
        // before it needs them.
        let mut shares: HashMap<usize, (Snapshot, f64)> = HashMap::new();
        let mut fractions = Vec::with_capacity(stages.len());
        for stage in stages {
            let snap = Snapshot::of(stage);
            let inputs: Vec<(Snapshot, f64)> = self
                .inputs
                .get(&stage.id)
                .into_iter()
                .flatten()
                .filter_map(|id| shares.get(id).copied())
                .collect();
            let fraction = stage_fraction(&snap, &inputs);
            shares.insert(stage.id, (snap, fraction));
            fractions.push(fraction);
        }
        let done = shares.values().filter(|(s, _)| s.done()).count();
        self.header.set_message(header(
            elapsed,
            done,
            stages.len(),
            time_left(elapsed, &fractions),
        ));
        for stage in stages {
            let Some(&(snap, fraction)) = shares.get(&stage.id) else {
                continue;
            };
            if snap.done() {
                if let Some((bar, _)) = self.running.remove(&stage.id) {
                    bar.finish_and_clear();
                    self.bars.remove(&bar);
                }
                continue;
            }
            if !stage.ran() && !self.running.contains_key(&stage.id) {
                continue;
            }
            let (bar, pace) = self.running.entry(stage.id).or_insert_with(|| {
                let bar = self.bars.add(ProgressBar::new(SCALE));
                bar.set_style(self.style.clone());
                bar.set_prefix(format!("{:>3} {}", stage.id, stage.name));
                (bar, Pace::default())
            });
            bar.set_position((fraction * SCALE as f64) as u64);
            bar.set_message(stage_message(&snap, pace.record(now, snap.records_in)));
        }
    }

    /// Erases every line of the display.
    fn clear(self) {
        for (bar, _) in self.running.values() {
            bar.finish_and_clear();
        }
        self.header.finish_and_clear();
        let _ = self.bars.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(tasks: usize, tasks_done: usize) -> Snapshot {
        Snapshot {
            tasks,
            tasks_done,
            ..Snapshot::default()
        }
    }

    #[test]
    fn a_scan_is_as_far_as_its_bytes() {
        let s = Snapshot {
            bytes_read: 30,
            bytes_total: 120,
            ..snap(2, 0)
        };
        assert!((stage_fraction(&s, &[]) - 0.25).abs() < 1e-9);
        // All read but a task still running: not complete.
        let s = Snapshot {
            bytes_read: 120,
            ..s
        };
        assert!((stage_fraction(&s, &[]) - NOT_DONE).abs() < 1e-9);
        assert!((stage_fraction(&snap(2, 2), &[]) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_reduce_is_as_far_as_the_records_it_took_of_its_inputs() {
        let scan = Snapshot {
            records_out: 1000,
            ..snap(4, 4)
        };
        let reduce = Snapshot {
            records_in: 400,
            ..snap(3, 0)
        };
        assert!((stage_fraction(&reduce, &[(scan, 1.0)]) - 0.4).abs() < 1e-9);
        // Inputs half done: the reduce is at most half done.
        let half = stage_fraction(&reduce, &[(scan, 0.5)]);
        assert!((half - 0.2).abs() < 1e-9, "{half}");
        // Two inputs: their records out add up, their shares average.
        let other = Snapshot {
            records_out: 1000,
            ..snap(1, 0)
        };
        let two = stage_fraction(&reduce, &[(scan, 1.0), (other, 0.5)]);
        assert!((two - 0.2 * 0.75).abs() < 1e-9, "{two}");
        // Nothing given out yet.
        let idle = Snapshot {
            records_out: 0,
            ..scan
        };
        assert_eq!(stage_fraction(&snap(3, 0), &[(idle, 0.3)]), 0.0);
    }

    #[test]
    fn a_stage_with_nothing_else_to_go_by_counts_tasks() {
        assert!((stage_fraction(&snap(4, 1), &[]) - 0.25).abs() < 1e-9);
        assert_eq!(stage_fraction(&snap(1, 0), &[]), 0.0);
    }

    #[test]
    fn time_left_follows_the_pace_so_far() {
        let ten = Duration::from_secs(10);
        assert_eq!(time_left(ten, &[1.0, 0.0]), Some(ten));
        assert_eq!(time_left(ten, &[0.25, 0.25]), Some(Duration::from_secs(30)));
        assert_eq!(time_left(ten, &[0.0, 0.005]), None, "too little to go by");
        assert_eq!(time_left(Duration::from_millis(500), &[0.5]), None);
        assert_eq!(time_left(ten, &[]), None);
        assert_eq!(time_left(ten, &[1.0]), Some(Duration::ZERO));
    }

    #[test]
    fn rates_durations_and_lines() {
        assert_eq!(rate(3000, Duration::from_secs(2)), 1500.0);
        assert_eq!(rate(3000, Duration::ZERO), 0.0);
        assert_eq!(short_duration(Duration::from_millis(41_600)), "42s");
        assert_eq!(short_duration(Duration::from_secs(185)), "3m05s");
        assert_eq!(short_duration(Duration::from_secs(3720)), "1h02m");
        assert_eq!(
            header(
                Duration::from_millis(12_400),
                1,
                3,
                Some(Duration::from_secs(20))
            ),
            "pigrs 12.4s  stages 1/3 done  about 20s left"
        );
        assert_eq!(
            header(Duration::from_millis(1_000), 0, 1, None),
            "pigrs 1.0s  stages 0/1 done"
        );
        let scan = Snapshot {
            records_in: 2_420_000,
            bytes_read: 52_400_000,
            bytes_total: 138_000_000,
            ..snap(2, 0)
        };
        assert_eq!(
            stage_message(&scan, 1_210_000.4),
            "1.21M rows/s  52.4M/138M"
        );
        let reduce = Snapshot {
            records_in: 700,
            ..snap(2, 0)
        };
        assert_eq!(stage_message(&reduce, 700.0), "700 rows/s");
    }

    #[test]
    fn the_pace_is_the_rate_over_the_last_seconds() {
        let t = Instant::now();
        let at = |ms: u64| t + Duration::from_millis(ms);
        let mut pace = Pace::default();
        assert_eq!(pace.record(at(0), 500), 0.0, "a first count has no rate");
        assert_eq!(pace.record(at(1000), 1500), 1000.0);
        assert_eq!(pace.record(at(2000), 3500), 1500.0);
        // The window starts at the count 3 s back: (3500 - 1500) / 3 s.
        let r = pace.record(at(4000), 3500);
        assert!((r - 2000.0 / 3.0).abs() < 1e-9, "{r}");
        // Stalled for the whole window: 0.
        assert_eq!(pace.record(at(5000), 3500), 0.0);
        assert_eq!(pace.record(at(7000), 3500), 0.0);
    }

    #[test]
    fn the_snapshot_reads_the_stage_counters() {
        let stats = Stats::default();
        let s = stats.stage("Scan", 2);
        s.add_in(5);
        s.add_out(4);
        s.add_bytes_read(10);
        s.task_done(0, std::time::Instant::now());
        assert_eq!(
            Snapshot::of(&s),
            Snapshot {
                tasks: 2,
                tasks_done: 1,
                records_in: 5,
                records_out: 4,
                bytes_read: 10,
                bytes_total: 0,
            }
        );
    }

    #[test]
    fn off_when_not_a_terminal() {
        // Test harnesses capture stderr, so this must not start a thread.
        let stats = Arc::new(Stats::default());
        let mut p = Progress::start(stats, 0, Vec::new(), false);
        assert!(p.thread.is_none());
        p.finish();
    }
}
