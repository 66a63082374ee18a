//! The run's timeline as inline SVG: one lane per thread that ended tasks, each task a bar
//! from its start to its end coloured by its stage, and a dashed line where each job
//! started.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use maud::{Markup, html};
use pigrs_runtime::stats::{JobRecord, StageStats, TaskRecord};

use super::{colour, duration};

const LABEL_W: f64 = 96.0;
const PLOT_W: f64 = 1140.0;
const AXIS_H: f64 = 26.0;
const ROW_H: f64 = 14.0;
const ROW_GAP: f64 = 3.0;
const LANE_PAD: f64 = 5.0;

/// One thread's lane: its label and its tasks, each in a row where it overlaps none.
struct Lane<'a> {
    label: String,
    /// (row, task).
    tasks: Vec<(usize, &'a TaskRecord)>,
    rows: usize,
}

/// The lanes: Tokio's worker threads first (numbered in the order they first started a
/// task), then any other thread by name.
fn lanes(tasks: &[TaskRecord]) -> Vec<Lane<'_>> {
    let mut by_thread: Vec<(usize, Vec<&TaskRecord>)> = Vec::new();
    for t in tasks {
        match by_thread.iter_mut().find(|(id, _)| *id == t.thread.id) {
            Some((_, list)) => list.push(t),
            None => by_thread.push((t.thread.id, vec![t])),
        }
    }
    for (_, list) in &mut by_thread {
        list.sort_by_key(|t| (t.start, t.end));
    }
    by_thread.sort_by_key(|(_, list)| {
        let first = list.first().map(|t| t.start).unwrap_or_default();
        let worker = list
            .first()
            .is_some_and(|t| &*t.thread.name == "pigrs-worker");
        (!worker, first)
    });
    let mut workers = 0;
    by_thread
        .into_iter()
        .map(|(_, list)| {
            let name = list
                .first()
                .map(|t| t.thread.name.to_string())
                .unwrap_or_default();
            let label = if name == "pigrs-worker" {
                workers += 1;
                format!("worker {workers}")
            } else {
                format!("thread {name}")
            };
            // Each task in the first row free by its start.
            let mut row_ends: Vec<Duration> = Vec::new();
            let mut placed = Vec::new();
            for t in list {
                let row = match row_ends.iter().position(|&end| end <= t.start) {
                    Some(r) => r,
                    None => {
                        row_ends.push(Duration::ZERO);
                        row_ends.len() - 1
                    }
                };
                row_ends[row] = t.end;
                placed.push((row, t));
            }
            Lane {
                label,
                rows: row_ends.len().max(1),
                tasks: placed,
            }
        })
        .collect()
}

/// A step between ticks of about an eighth of `total` milliseconds: 1, 2 or 5 times a
/// power of ten.
fn tick_step(total: f64) -> f64 {
    let raw = (total / 8.0).max(1e-3);
    let magnitude = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * magnitude)
}

/// A tick's label: milliseconds below two seconds, else seconds.
fn tick_label(ms: f64, total: f64) -> String {
    if total < 2000.0 {
        format!("{} ms", (ms * 1000.0).round() / 1000.0)
    } else {
        format!("{} s", (ms).round() / 1000.0)
    }
}

/// The timeline's SVG and its legend.
pub fn svg(
    tasks: &[TaskRecord],
    jobs: &[JobRecord],
    stages: &[Arc<StageStats>],
    elapsed: Duration,
) -> Markup {
    if tasks.is_empty() {
        return html! { p { "No task ran." } };
    }
    let names: HashMap<usize, &str> = stages.iter().map(|s| (s.id, s.name)).collect();
    let end = tasks
        .iter()
        .map(|t| t.end)
        .chain(jobs.iter().map(|j| j.end))
        .max()
        .unwrap_or(elapsed)
        .max(Duration::from_micros(1));
    let total = end.as_secs_f64() * 1000.0;
    let x = |d: Duration| LABEL_W + d.as_secs_f64() * 1000.0 / total * PLOT_W;
    let lanes = lanes(tasks);
    let lane_h = |l: &Lane| l.rows as f64 * (ROW_H + ROW_GAP) - ROW_GAP + 2.0 * LANE_PAD;
    let height = AXIS_H + lanes.iter().map(lane_h).sum::<f64>() + 4.0;
    let width = LABEL_W + PLOT_W + 24.0;
    let step = tick_step(total);
    let ticks: Vec<f64> = (0..)
        .map(|i| f64::from(i) * step)
        .take_while(|&t| t <= total + step * 1e-9)
        .collect();
    let mut tops = Vec::with_capacity(lanes.len());
    let mut top = AXIS_H;
    for l in &lanes {
        tops.push(top);
        top += lane_h(l);
    }
    let mut legend: Vec<usize> = tasks.iter().map(|t| t.stage).collect();
    legend.sort_unstable();
    legend.dedup();
    html! {
        div.scroll {
            svg.timeline xmlns="http://www.w3.org/2000/svg" width=(format!("{width:.0}"))
                height=(format!("{height:.0}")) viewBox=(format!("0 0 {width:.0} {height:.0}"))
                role="img" aria-label="timeline of the run's tasks" {
                @for (i, (l, top)) in lanes.iter().zip(&tops).enumerate() {
                    g.lane data-lane=(l.label) {
                        rect x="0" y=(format!("{top:.1}")) width=(format!("{:.1}", LABEL_W + PLOT_W))
                            height=(format!("{:.1}", lane_h(l)))
                            fill=(if i % 2 == 0 { "#f6f8fa" } else { "#ffffff" }) {}
                        text x="6" y=(format!("{:.1}", top + lane_h(l) / 2.0 + 4.0)) font-size="12"
                            fill="#424a53" { (l.label) }
                    }
                }
                @for t in &ticks {
                    @let tx = LABEL_W + t / total * PLOT_W;
                    line.grid x1=(format!("{tx:.1}")) x2=(format!("{tx:.1}")) y1=(format!("{:.1}", AXIS_H - 4.0))
                        y2=(format!("{height:.1}")) {}
                    text x=(format!("{tx:.1}")) y="14" font-size="11" fill="#656d76" text-anchor="middle" {
                        (tick_label(*t, total))
                    }
                }
                @for j in jobs {
                    @let jx = x(j.start);
                    line.job-mark x1=(format!("{jx:.1}")) x2=(format!("{jx:.1}")) y1=(format!("{AXIS_H:.1}"))
                        y2=(format!("{height:.1}")) {}
                    text x=(format!("{:.1}", jx + 3.0)) y=(format!("{:.1}", AXIS_H - 2.0)) font-size="10"
                        fill="#424a53" { "job " (j.id) }
                }
                @for (l, top) in lanes.iter().zip(&tops) {
                    @for (row, t) in &l.tasks {
                        @let x0 = x(t.start);
                        @let w = (x(t.end) - x0).max(1.5);
                        @let y = top + LANE_PAD + *row as f64 * (ROW_H + ROW_GAP);
                        rect.task data-stage=(t.stage) x=(format!("{x0:.2}")) y=(format!("{y:.1}"))
                            width=(format!("{w:.2}")) height=(ROW_H) rx="2" fill=(colour(t.stage)) {
                            title {
                                "stage " (t.stage) " " (names.get(&t.stage).copied().unwrap_or(""))
                                ", task " (t.partition) " on " (l.label) ": "
                                (duration(t.start)) " to " (duration(t.end)) " ("
                                (duration(t.end.saturating_sub(t.start))) ")"
                            }
                        }
                    }
                }
            }
        }
        div.legend style="display:flex;flex-wrap:wrap;gap:4px 16px;margin-top:6px;font-size:12.5px" {
            @for s in &legend {
                span data-stage=(s) {
                    span.swatch style=(format!("background:{}", colour(*s))) {}
                    "stage " (s) " " (names.get(s).copied().unwrap_or(""))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_runtime::stats::ThreadTag;

    fn task(stage: usize, start: u64, end: u64, thread: &ThreadTag) -> TaskRecord {
        TaskRecord {
            stage,
            partition: 0,
            start: Duration::from_millis(start),
            end: Duration::from_millis(end),
            thread: thread.clone(),
        }
    }

    #[test]
    fn overlapping_tasks_of_a_thread_take_rows() {
        let w = ThreadTag {
            id: 7,
            name: "pigrs-worker".into(),
        };
        let main = ThreadTag {
            id: 1,
            name: "main".into(),
        };
        let tasks = [
            task(1, 0, 10, &main),
            task(1, 0, 10, &w),
            task(2, 5, 20, &w),
            task(2, 10, 30, &w),
        ];
        let lanes = lanes(&tasks);
        assert_eq!(lanes[0].label, "worker 1", "workers first");
        assert_eq!(lanes[1].label, "thread main");
        let rows: Vec<usize> = lanes[0].tasks.iter().map(|(r, _)| *r).collect();
        assert_eq!(
            rows,
            [0, 1, 0],
            "a task starting as another ends reuses its row"
        );
        assert_eq!(lanes[0].rows, 2);
    }

    #[test]
    fn ticks_are_round() {
        assert!((tick_step(800.0) - 100.0).abs() < 1e-9);
        assert!((tick_step(40.0) - 5.0).abs() < 1e-9);
        assert!((tick_step(12_000.0) - 2000.0).abs() < 1e-9);
        assert_eq!(tick_label(250.0, 800.0), "250 ms");
        assert_eq!(tick_label(2500.0, 12_000.0), "2.5 s");
    }
}
