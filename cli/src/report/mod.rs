//! The HTML run report (`pigrs run --report FILE.html`, or `SET pigrs.report 'FILE.html'`
//! in the script): one self-contained page — no network, its style and its one small
//! script inline — with the script, each job's stage graph, a timeline of every task on
//! the thread that ran it, the per-stage statistics of the text table, the warnings and
//! where the answer went.
//!
//! The page is built with maud, whose templates are checked at compile time and escape
//! every value put in them (script text, paths and warnings are the user's data); the
//! stage graph and the timeline are inline SVG drawn here ([`graph`], [`timeline`]).

mod graph;
mod timeline;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

use maud::{DOCTYPE, Markup, PreEscaped, html};
use pigrs_runtime::stats::{Stats, human_bytes};

/// What a report shows besides the statistics.
pub struct Run<'a> {
    /// The script's name (its path as given).
    pub script_name: &'a str,
    /// The script's text after parameter substitution.
    pub script: &'a str,
    /// The parameters given (`name=value`).
    pub params: &'a [String],
    /// The run's statistics (every job's).
    pub stats: &'a Stats,
    /// The warnings printed at the end of the run.
    pub warnings: &'a [String],
    /// Why the run failed, if it did.
    pub error: Option<String>,
    /// Worker threads of the run.
    pub threads: usize,
    /// The folder relative locations resolve against.
    pub base_dir: &'a Path,
}

/// The colours of stages, by id: stage `i` has `PALETTE[(i - 1) % len]` in the graph, the
/// timeline and the table (Tableau's 10, then two more).
const PALETTE: [&str; 12] = [
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
];

/// A stage's colour.
fn colour(stage: usize) -> &'static str {
    PALETTE[stage.saturating_sub(1) % PALETTE.len()]
}

/// A count with thousands separators: `1,234,567`.
fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration for people: `0.42 ms`, `12.3 ms`, `1.25 s`, `2 min 5 s`.
fn duration(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.1} ms")
    } else if ms < 60_000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        let s = d.as_secs();
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// The page's style: no fonts or images from elsewhere.
const STYLE: &str = r#"
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
header { padding: 20px 32px 16px; border-bottom: 1px solid var(--line); background: var(--panel); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .sub { color: var(--muted); }
.status { display: inline-block; padding: 1px 10px; border-radius: 12px; font-size: 13px;
          font-weight: 600; vertical-align: 3px; margin-left: 8px; }
.status.ok { background: #dafbe1; color: #116329; }
.status.failed { background: #ffebe9; color: #a40e26; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin-top: 14px; }
.card { background: var(--bg); border: 1px solid var(--line); border-radius: 8px;
        padding: 6px 10px; min-width: 84px; }
.card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: var(--muted); font-size: 12px; }
main { padding: 8px 32px 40px; }
section { margin-top: 22px; }
h2 { font-size: 17px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 14px; margin: 12px 0 4px; }
.note { color: var(--muted); font-size: 12px; margin: 4px 0; }
pre.script { margin: 0; padding: 10px 0; background: var(--panel); border: 1px solid var(--line);
             border-radius: 6px; overflow-x: auto; font: 12.5px/1.5 ui-monospace, SFMono-Regular,
             Menlo, Consolas, monospace; max-height: 480px; }
pre.script .l { padding-right: 12px; }
pre.script .n { display: inline-block; width: 3.5em; padding-right: 1em; text-align: right;
                color: var(--muted); user-select: none; }
.error { background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; padding: 8px 12px;
         white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12.5px; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left;
         white-space: nowrap; }
th { background: var(--panel); font-weight: 600; font-size: 12.5px; }
td.num, th.num { text-align: right; }
td.features { white-space: normal; min-width: 180px; }
svg.timeline { max-width: 100%; height: auto; }
.scroll { overflow-x: auto; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
          margin-right: 6px; vertical-align: -1px; }
.tag { display: inline-block; font-size: 11px; padding: 0 6px; margin: 1px 2px 1px 0;
       border-radius: 9px; background: #eaeef2; color: #424a53; }
svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .node rect { stroke: #57606a; stroke-width: 1; }
svg .node.idle rect { stroke-dasharray: 4 3; fill-opacity: 0.25; }
svg .edge { fill: none; stroke: #8c959f; stroke-width: 1.5; }
svg .out rect { fill: #ffffff; stroke: #1f883d; stroke-width: 1.5; }
svg .task { stroke: rgba(0,0,0,0.25); stroke-width: 0.5; }
svg .grid { stroke: #eaeef2; }
svg .job-mark { stroke: #8c959f; stroke-dasharray: 4 3; }
body.hovering [data-stage]:not(.hl) { opacity: 0.3; }
tr.hl td { background: #fff8c5; }
ul.warnings li { margin: 2px 0; font-family: ui-monospace, monospace; font-size: 12.5px; }
"#;

/// Records script errors into the page (the report's test looks for them), before
/// anything else runs.
const ON_ERROR: &str = r#"
window.onerror = function (message, source, line) {
  var root = document.documentElement;
  var seen = root.getAttribute("data-script-errors");
  var text = String(message) + " (line " + line + ")";
  root.setAttribute("data-script-errors", seen ? seen + " | " + text : text);
};
"#;

/// Hovering a stage anywhere (graph, timeline, table) highlights it everywhere; the last
/// line marks the page rendered.
const INTERACTION: &str = r#"
(function () {
  var body = document.body;
  var all = document.querySelectorAll("[data-stage]");
  function mark(stage, on) {
    body.classList.toggle("hovering", on);
    for (var i = 0; i < all.length; i++) {
      all[i].classList.toggle("hl", on && all[i].getAttribute("data-stage") === stage);
    }
  }
  for (var i = 0; i < all.length; i++) {
    all[i].addEventListener("mouseenter", function (e) {
      mark(e.currentTarget.getAttribute("data-stage"), true);
    });
    all[i].addEventListener("mouseleave", function () { mark(null, false); });
  }
  document.documentElement.setAttribute("data-rendered", "true");
})();
"#;

/// The report's HTML.
pub fn render(run: &Run) -> String {
    let stats = run.stats;
    let stages = stats.stages_run();
    let jobs = stats.jobs();
    let tasks = stats.tasks();
    let elapsed = stats.elapsed();
    let threads_used = {
        let mut ids: Vec<usize> = tasks.iter().map(|t| t.thread.id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    };
    let (inputs, outputs) = (stats.inputs(), stats.outputs());
    let read: u64 = inputs.iter().map(|i| i.records).sum();
    let written: u64 = outputs.iter().map(|o| o.records).sum();
    let spilled: u64 = stages.iter().map(|s| s.spilled()).sum();
    let job_of = |stage: usize| {
        jobs.iter()
            .find(|j| j.stages.contains(&stage))
            .map(|j| j.id)
    };
    let now = chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string();
    let title = format!("pigrs run report: {}", run.script_name);
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                script { (PreEscaped(ON_ERROR)) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 {
                        "pigrs run report: " (run.script_name)
                        @if run.error.is_some() {
                            span.status.failed { "failed" }
                        } @else {
                            span.status.ok { "succeeded" }
                        }
                    }
                    div.sub {
                        "Run of " code { (run.script_name) } " finished " (now)
                        " in " (duration(elapsed)) " on " (run.threads) " worker threads"
                        @if !run.params.is_empty() {
                            " with "
                            @for (i, p) in run.params.iter().enumerate() {
                                @if i > 0 { ", " }
                                code { "-p " (p) }
                            }
                        }
                    }
                    div.cards {
                        (card(&duration(elapsed), "wall time"))
                        (card(&count(jobs.len() as u64), "jobs"))
                        (card(&count(stages.len() as u64), "stages"))
                        (card(&count(tasks.len() as u64), "tasks"))
                        (card(&count(threads_used as u64), "threads used"))
                        (card(&count(read), "records read"))
                        (card(&count(written), "records written"))
                        (card(&human_bytes(inputs.iter().map(|i| i.bytes).sum()), "bytes read"))
                        (card(&human_bytes(outputs.iter().map(|o| o.bytes).sum()), "bytes written"))
                        (card(&count(spilled), "records spilled"))
                        (card(&count(run.warnings.len() as u64), "warnings"))
                    }
                }
                main {
                    @if let Some(error) = &run.error {
                        section #error {
                            h2 { "Error" }
                            div.error { (error) }
                        }
                    }
                    section #outputs {
                        h2 { "Outputs" }
                        (outputs_table(run, &jobs))
                    }
                    section #stage-graph {
                        h2 { "Stage graph" }
                        p.note {
                            "Each job's stages (a stage is the work between two shuffles, as Pig's map \
                             and reduce tasks), inputs on the left; an arrow is rows flowing from one \
                             stage into another, then into an output."
                        }
                        @if jobs.is_empty() {
                            p { "No job ran." }
                        }
                        @for job in &jobs {
                            (graph::job(job, stats))
                        }
                    }
                    section #timeline {
                        h2 { "Timeline" }
                        p.note {
                            "Every task, from its start to its end, in the lane of the thread that \
                             ended it; tasks that overlap on one thread (they run interleaved, as \
                             Tokio's tasks do) share its lane in rows. Colours are stages; dashed \
                             lines mark where each job started. Hover a task for its times."
                        }
                        (timeline::svg(&tasks, &jobs, &stages, elapsed))
                    }
                    section #stages {
                        h2 { "Stages" }
                        (stage_table(&stages, &job_of))
                    }
                    section #inputs {
                        h2 { "Inputs" }
                        @if inputs.is_empty() {
                            p { "No input was read." }
                        } @else {
                            table {
                                tr { th { "location" } th.num { "records" } th.num { "bytes" } }
                                @for i in &inputs {
                                    tr {
                                        td { code { (i.path) } }
                                        td.num { (count(i.records)) }
                                        td.num { (human_bytes(i.bytes)) }
                                    }
                                }
                            }
                        }
                    }
                    section #warnings {
                        h2 { "Warnings" }
                        @if run.warnings.is_empty() {
                            p { "No warnings." }
                        } @else {
                            ul.warnings {
                                @for w in run.warnings {
                                    li { (w) }
                                }
                            }
                        }
                    }
                    section #script {
                        h2 { "Script" }
                        p.note { (run.script_name) ", after parameter substitution" }
                        pre.script {
                            @for (n, line) in run.script.lines().enumerate() {
                                span.l { span.n { (n + 1) } (line) } "\n"
                            }
                        }
                    }
                }
                script { (PreEscaped(INTERACTION)) }
            }
        }
    };
    page.into_string()
}

/// One summary figure of the header.
fn card(value: &str, what: &str) -> Markup {
    html! {
        div.card { div.v { (value) } div.k { (what) } }
    }
}

/// Where the answer went: each STORE's location (and its folder on disk), or standard
/// output for a DUMP, with the records and bytes written.
fn outputs_table(run: &Run, jobs: &[pigrs_runtime::stats::JobRecord]) -> Markup {
    let outputs = run.stats.outputs();
    let job_of = |path: &str| {
        jobs.iter()
            .filter(|j| j.outputs.iter().any(|(p, _)| p == path))
            .map(|j| j.id.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    html! {
        @if outputs.is_empty() {
            p { "No output was written." }
        } @else {
            table {
                tr {
                    th { "output" } th { "written to" } th { "job" }
                    th.num { "records" } th.num { "bytes" }
                }
                @for o in &outputs {
                    tr {
                        @if o.path == "(dump)" {
                            td { "DUMP" }
                            td { "standard output" }
                        } @else {
                            @let path = run.base_dir.join(&o.path);
                            td { "STORE " code { (o.path) } }
                            td { a href=(file_url(&path)) { code { (path.display()) } } }
                        }
                        td { (job_of(&o.path)) }
                        td.num { (count(o.records)) }
                        td.num { (human_bytes(o.bytes)) }
                    }
                }
            }
        }
    }
}

/// A `file://` URL for a local path, its bytes outside the unreserved ones percent-encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            url.push(char::from(b));
        } else {
            let _ = write!(url, "%{b:02X}");
        }
    }
    url
}

/// The text statistics table's figures, one row per stage that ran.
fn stage_table(
    stages: &[std::sync::Arc<pigrs_runtime::stats::StageStats>],
    job_of: &dyn Fn(usize) -> Option<usize>,
) -> Markup {
    html! {
        @if stages.is_empty() {
            p { "No stage ran." }
        } @else {
            div.scroll {
                table #stage-table {
                    tr {
                        th { "stage" } th.num { "job" } th.num { "tasks" }
                        th.num { "task ms min/avg/max" } th.num { "wall ms" }
                        th.num { "records in" } th.num { "records out" }
                        th.num { "combine in → out (cut)" }
                        th.num { "read" } th.num { "written" } th.num { "spilled" }
                        th { "features" }
                    }
                    @for s in stages {
                        @let (min, avg, max) = s.task_ms_summary();
                        tr data-stage=(s.id) {
                            td {
                                span.swatch style=(format!("background:{}", colour(s.id))) {}
                                (s.id) " " (s.name)
                            }
                            td.num { (job_of(s.id).map(|j| j.to_string()).unwrap_or_default()) }
                            td.num { (s.tasks) }
                            td.num { (min) " / " (avg) " / " (max) }
                            td.num { (count(s.wall_ms())) }
                            td.num { (count(s.records_in())) }
                            td.num { (count(s.records_out())) }
                            td.num { (combiner(s.combine_in(), s.combine_out())) }
                            td.num { (human_bytes(s.bytes_read())) }
                            td.num { (human_bytes(s.bytes_written())) }
                            td.num { (count(s.spilled())) }
                            td.features {
                                @for f in s.features() { span.tag { (f) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Records into and out of a combiner, and the share of records it saved.
fn combiner(into: u64, out: u64) -> String {
    if into == 0 {
        return "–".to_string();
    }
    let cut = 100.0 * (1.0 - out as f64 / into as f64);
    format!("{} → {} (−{cut:.1}%)", count(into), count(out))
}

/// Writes the report to `path` atomically: a temporary file beside it, renamed over it, so
/// a reader never sees half a report and a failed write leaves any older one whole.
pub fn write(path: &Path, html: &str) -> Result<(), String> {
    let shown = path.display();
    let name = path
        .file_name()
        .ok_or_else(|| format!("cannot write the report to {shown}: it names no file"))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&temp)
        .and_then(|mut f| {
            f.write_all(html.as_bytes())?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write the report to {shown}: {e}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_durations() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(duration(Duration::from_micros(420)), "0.42 ms");
        assert_eq!(duration(Duration::from_millis(1250)), "1.25 s");
        assert_eq!(duration(Duration::from_secs(125)), "2 min 5 s");
        assert_eq!(combiner(0, 0), "–");
        assert_eq!(combiner(9144, 5032), "9,144 → 5,032 (−45.0%)");
        assert_eq!(combiner(2_743_200, 10_064), "2,743,200 → 10,064 (−99.6%)");
        assert_eq!(
            file_url(Path::new("/tmp/a b/c&d")),
            "file:///tmp/a%20b/c%26d"
        );
    }

    #[test]
    fn escapes_the_script_and_writes_atomically() {
        let stats = Stats::default();
        let s = stats.stage("Scan", 1);
        s.add_in(3);
        s.task_done(0, std::time::Instant::now());
        stats.add_output("out</td><script>", 3, 10);
        let run = Run {
            script_name: "x.pig",
            script: "A = LOAD '<b>&' AS (x);\nDUMP A;",
            params: &[],
            stats: &stats,
            warnings: &["warning: <i>".to_string()],
            error: None,
            threads: 2,
            base_dir: Path::new("/tmp"),
        };
        let html = render(&run);
        assert!(html.contains("&lt;b&gt;&amp;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("warning: &lt;i&gt;"));
        assert!(!html.contains("out</td><script>"));
        assert_eq!(
            html.matches("<script>").count(),
            2,
            "only the page's own scripts"
        );
        assert!(html.contains("data-stage=\"1\""));

        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("r.html");
        write(&path, &html).expect("written");
        write(&path, &html).expect("written over");
        assert_eq!(std::fs::read_to_string(&path).ok().as_deref(), Some(&*html));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
        let err = write(&dir.path().join("no/such/r.html"), &html).unwrap_err();
        assert!(err.starts_with("cannot write the report to "), "{err}");
    }
}
