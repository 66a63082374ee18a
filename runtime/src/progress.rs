//! A one-line progress display on stderr while an action runs: per unfinished stage, the
//! tasks done of its total, and the time so far.
//!
//! A background thread polls [`Stats`] every 200 ms. It shows nothing during the first
//! second (short actions stay silent) and nothing at all when stderr is not a terminal or
//! `TERM` is `dumb`. Dropping the [`Progress`] guard stops the thread and erases the line,
//! so nothing is left behind when the action ends, whether it succeeded or failed.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::stats::{StageStats, Stats};

/// How long an action runs before the display appears.
const DELAY: Duration = Duration::from_secs(1);
/// How often the display is refreshed.
const TICK: Duration = Duration::from_millis(200);

/// A running progress display; dropping it stops and erases it.
#[derive(Debug)]
pub struct Progress {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    /// Starts showing the progress of the stages registered in `stats` from index `first`
    /// on (the current action's), if `enabled` and stderr is a terminal.
    pub fn start(stats: Arc<Stats>, first: usize, enabled: bool) -> Progress {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if !enabled || dumb || !std::io::stderr().is_terminal() {
            return Progress::off();
        }
        let (tx, rx) = mpsc::channel::<()>();
        let width = terminal_width();
        let thread = std::thread::Builder::new()
            .name("pigrs-progress".into())
            .spawn(move || {
                let started = Instant::now();
                // Silent for short actions: wait for the delay or the stop.
                match rx.recv_timeout(DELAY) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                let mut err = std::io::stderr();
                loop {
                    let stages: Vec<Arc<StageStats>> =
                        stats.stages().into_iter().skip(first).collect();
                    let line = render(&stages, started.elapsed(), width);
                    let _ = write!(err, "\r\x1b[2K{line}");
                    let _ = err.flush();
                    match rx.recv_timeout(TICK) {
                        Err(RecvTimeoutError::Timeout) => {}
                        _ => break,
                    }
                }
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
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

    /// Stops the display and erases its line (also done on drop).
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

/// The terminal's width from `COLUMNS`, else 80.
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(80)
}

/// The progress line: `pigrs 3.2s  stages 1/3 done  [2 GroupReduce 1/4]  [3 Sort 0/1]`,
/// cut to `width - 1` characters so that it never wraps.
pub fn render(stages: &[Arc<StageStats>], elapsed: Duration, width: usize) -> String {
    let done = stages.iter().filter(|s| s.tasks_done() >= s.tasks).count();
    let mut line = format!(
        "pigrs {:.1}s  stages {done}/{} done",
        elapsed.as_secs_f64(),
        stages.len()
    );
    for s in stages.iter().filter(|s| s.tasks_done() < s.tasks) {
        line.push_str(&format!(
            "  [{} {} {}/{}]",
            s.id,
            s.name,
            s.tasks_done(),
            s.tasks
        ));
    }
    let max = width.saturating_sub(1);
    if line.chars().count() > max {
        line = line.chars().take(max.saturating_sub(1)).collect();
        line.push('…');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_unfinished_stages_within_width() {
        let stats = Stats::default();
        let a = stats.stage("Scan", 2);
        a.task_done(Duration::from_millis(1));
        a.task_done(Duration::from_millis(1));
        let b = stats.stage("GroupReduce", 4);
        b.task_done(Duration::from_millis(1));
        let line = render(&stats.stages(), Duration::from_millis(3200), 80);
        assert_eq!(line, "pigrs 3.2s  stages 1/2 done  [2 GroupReduce 1/4]");
        let short = render(&stats.stages(), Duration::from_millis(3200), 20);
        assert_eq!(short.chars().count(), 19);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn off_when_not_a_terminal() {
        // Test harnesses capture stderr, so this must not start a thread.
        let stats = Arc::new(Stats::default());
        let mut p = Progress::start(stats, 0, false);
        assert!(p.thread.is_none());
        p.finish();
    }
}
