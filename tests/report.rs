//! The HTML run report (`pigrs run --report`, `SET pigrs.report`): opened in headless
//! Chromium, it must render (its script ran to the end, with no error) and show every
//! stage of the run, as the run's own statistics list them, in the stage graph, the
//! timeline and the stage table. Chromium comes from the system's packages (`.ci/run`
//! installs it); without it these tests fail, saying so.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The repository's root: the bundled scripts and their data are named from there.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

fn pigrs(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("pigrs runs")
}

/// The Chromium binary, or a failure saying how to install it: a test that cannot look at
/// the page must not pass.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "headless Chromium is needed to check the HTML report, and none is installed \
         (chromium, chromium-browser or google-chrome on PATH): install Debian's package \
         with `apt-get install -y chromium` (.ci/run does)"
    );
}

/// The DOM Chromium has after loading `page` (its scripts run), from `--dump-dom`.
fn rendered_dom(page: &Path, scratch: &Path) -> String {
    let profile = scratch.join("chromium-profile");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!(
            "file://{}",
            page.display()
                .to_string()
                .replace('%', "%25")
                .replace(' ', "%20")
                .replace('&', "%26")
        ))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let deadline = Instant::now() + Duration::from_secs(120);
    while child.try_wait().expect("chromium's status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chromium did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().expect("chromium's output");
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && dom.contains("<html"),
        "chromium failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    dom
}

/// The start tags named `name` in `html`, each as its attributes (quoted values only, as
/// Chromium and maud write them).
fn tags(html: &str, name: &str) -> Vec<HashMap<String, String>> {
    let open = format!("<{name} ");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&open) {
        let tag = &rest[at + open.len()..];
        let end = tag.find('>').unwrap_or(tag.len());
        let mut attrs = HashMap::new();
        let mut text = &tag[..end];
        while let Some(eq) = text.find("=\"") {
            let key = text[..eq].trim().trim_end_matches('/').trim().to_string();
            let after = &text[eq + 2..];
            let close = after.find('"').unwrap_or(after.len());
            attrs.insert(key, after[..close].to_string());
            text = after.get(close + 1..).unwrap_or("");
        }
        out.push(attrs);
        rest = &tag[end..];
    }
    out
}

/// Whether an element's class list has `class`.
fn has_class(attrs: &HashMap<String, String>, class: &str) -> bool {
    attrs
        .get("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// The elements named `name` of class `class` for stage `id`.
fn of_stage<'a>(
    all: &'a [HashMap<String, String>],
    class: &str,
    id: u64,
) -> Vec<&'a HashMap<String, String>> {
    let id = id.to_string();
    all.iter()
        .filter(|a| has_class(a, class) && a.get("data-stage") == Some(&id))
        .collect()
}

/// Checks a rendered report: the page's script finished with no error, and every stage
/// the run's statistics list is in the stage graph, the timeline and the stage table.
fn check_report(dom: &str, stats: &Value) {
    let html = tags(dom, "html");
    let root = html.first().expect("an <html> element");
    assert_eq!(
        root.get("data-script-errors"),
        None,
        "the page's script failed"
    );
    assert_eq!(
        root.get("data-rendered").map(String::as_str),
        Some("true"),
        "the page's script did not run to the end"
    );
    let (groups, rects, rows) = (tags(dom, "g"), tags(dom, "rect"), tags(dom, "tr"));
    let stages = stats["stages"].as_array().expect("stages");
    assert!(!stages.is_empty(), "the run had stages: {stats}");
    for stage in stages {
        let id = stage["id"].as_u64().expect("id");
        let name = stage["name"].as_str().expect("name");
        assert_eq!(
            of_stage(&groups, "node", id).len(),
            1,
            "stage {id} {name} is in the stage graph once"
        );
        assert!(
            !of_stage(&rects, "task", id).is_empty(),
            "stage {id} {name} has tasks in the timeline"
        );
        let row = rows
            .iter()
            .any(|r| r.get("data-stage") == Some(&id.to_string()));
        assert!(row, "stage {id} {name} has a row in the stage table");
        assert!(
            dom.contains(&format!("{id} {name}")),
            "stage {id} is named {name}"
        );
    }
    let tasks: u64 = stages.iter().filter_map(|s| s["tasks"].as_u64()).sum();
    let drawn = rects.iter().filter(|r| has_class(r, "task")).count() as u64;
    assert!(
        drawn >= tasks,
        "every task is drawn: {drawn} bars for {tasks} tasks"
    );
    let lanes = tags(dom, "g")
        .iter()
        .filter(|g| has_class(g, "lane"))
        .count();
    assert!(lanes >= 1, "the timeline has a lane per thread");
    for output in stats["outputs"].as_array().expect("outputs") {
        let path = output["path"].as_str().expect("path");
        let shown = if path == "(dump)" {
            "standard output"
        } else {
            path
        };
        assert!(dom.contains(shown), "the output {path} is named");
    }
}

/// The report file itself needs nothing from elsewhere: no external script, style, image
/// or font.
fn check_self_contained(html: &str) {
    for needle in ["<link", " src=", "@import", "url(http", "https://"] {
        assert!(!html.contains(needle), "the report loads {needle}...");
    }
    let http: Vec<&str> = html
        .match_indices("http://")
        .map(|(i, _)| &html[i..(i + 30).min(html.len())])
        .filter(|s| !s.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(http.is_empty(), "the report refers to {http:?}");
}

#[test]
fn top20_report_renders_every_stage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out_dir = tmp.path().join("top20");
    let report = tmp.path().join("report.html");
    let stats_json = tmp.path().join("stats.json");
    let out = pigrs(
        &root(),
        &[
            "run",
            "scripts/top20.pig",
            "-p",
            "in=scripts/data/pagecounts",
            "-p",
            "restrictions=scripts/data/pagecounts/restrictions.txt",
            "-p",
            &format!("out={}", out_dir.display()),
            "--report",
            &report.display().to_string(),
            "--stats-json",
            &stats_json.display().to_string(),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(&stats_json).expect("stats")).expect("JSON");
    assert!(
        stats["stages"].as_array().map_or(0, Vec::len) >= 3,
        "top20 runs several stages: {stats}"
    );
    // The stages the text table on stderr lists are the JSON's.
    for stage in stats["stages"].as_array().expect("stages") {
        let line = format!(
            "{:>3} {:<15}",
            stage["id"].as_u64().expect("id"),
            stage["name"].as_str().expect("name")
        );
        assert!(stderr.contains(&line), "{line} in {stderr}");
    }
    let html = std::fs::read_to_string(&report).expect("the report");
    check_self_contained(&html);
    assert!(html.contains("restricted = LOAD"), "the script is shown");
    let dom = rendered_dom(&report, tmp.path());
    check_report(&dom, &stats);
    assert_eq!(
        tags(&dom, "svg")
            .iter()
            .filter(|s| has_class(s, "graph"))
            .count(),
        1,
        "one job"
    );
}

#[test]
fn set_in_the_script_reports_every_job() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("in.txt"), "a\t1\nb\t2\na\t3\nc\t5\nb\t5\n").expect("input");
    // The second job loads what the first stored: two jobs, each with its stages.
    std::fs::write(
        dir.join("two.pig"),
        "SET pigrs.report 'two & more.html';\n\
         rows = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         g = GROUP rows BY k;\n\
         n = FOREACH g GENERATE group, SUM(rows.v) AS s;\n\
         STORE n INTO 'sums';\n\
         back = LOAD 'sums' AS (k:chararray, s:long);\n\
         o = ORDER back BY s DESC;\n\
         DUMP o;\n",
    )
    .expect("script");
    let out = pigrs(dir, &["run", "two.pig", "--stats-json", "stats.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "(b,7)\n(c,5)\n(a,4)\n"
    );
    let stats: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("stats.json")).expect("stats"))
            .expect("JSON");
    let report = dir.join("two & more.html");
    check_self_contained(&std::fs::read_to_string(&report).expect("the report"));
    let dom = rendered_dom(&report, dir);
    check_report(&dom, &stats);
    let jobs: Vec<String> = tags(&dom, "svg")
        .iter()
        .filter(|s| has_class(s, "graph"))
        .filter_map(|s| s.get("data-job").cloned())
        .collect();
    assert_eq!(jobs, ["1", "2"], "a stage graph per job");
    assert!(
        dom.contains("STORE <code>sums</code>"),
        "the STORE's output"
    );
    assert!(dom.contains("standard output"), "where the DUMP went");
}

#[test]
fn an_unwritable_report_is_an_error_after_the_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("in.txt"), "a\t1\n").expect("input");
    std::fs::write(
        dir.join("s.pig"),
        "rows = LOAD 'in.txt' AS (k:chararray, v:int);\nSTORE rows INTO 'out';\n",
    )
    .expect("script");
    let out = pigrs(dir, &["run", "s.pig", "--report", "no/such/folder/r.html"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("cannot write the report to no/such/folder/r.html"),
        "{stderr}"
    );
    assert!(dir.join("out/_SUCCESS").exists(), "the output is there");
    assert!(
        !dir.join("no").exists(),
        "no folder or temporary file is made"
    );
}

#[test]
fn a_failed_run_reports_its_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(
        dir.join("fail.pig"),
        "rows = LOAD 'missing.txt' AS (k:chararray);\nDUMP rows;\n",
    )
    .expect("script");
    let out = pigrs(dir, &["run", "fail.pig", "--report", "r.html"]);
    assert!(!out.status.success());
    let html = std::fs::read_to_string(dir.join("r.html")).expect("a report after a failure");
    check_self_contained(&html);
    assert!(html.contains("class=\"status failed\""), "{html}");
    let error = html
        .split("<section id=\"error\">")
        .nth(1)
        .expect("an error section");
    assert!(error.contains("input path does not exist"), "{error}");
    assert!(
        error.contains("fail.pig:1:1"),
        "the error points into the script: {error}"
    );
}

#[test]
fn the_shell_writes_the_sessions_report_after_each_job() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    std::fs::write(dir.join("in.txt"), "a\t1\nb\t2\na\t3\n").expect("input");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pigrs"))
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the shell starts");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(
                b"SET pigrs.report 'shell.html';\n\
                  rows = LOAD 'in.txt' AS (k:chararray, v:int);\n\
                  DUMP rows;\n\
                  g = GROUP rows BY k;\n\
                  n = FOREACH g GENERATE group, COUNT(rows);\n\
                  STORE n INTO 'counts';\n",
            )
            .expect("statements");
    }
    let out = child.wait_with_output().expect("the shell ends");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = dir.join("shell.html");
    let html = std::fs::read_to_string(&report).expect("the session's report");
    check_self_contained(&html);
    assert!(html.contains("STORE n INTO 'counts';"), "the statements");
    let dom = rendered_dom(&report, dir);
    let root = tags(&dom, "html");
    assert_eq!(
        root[0].get("data-rendered").map(String::as_str),
        Some("true")
    );
    assert_eq!(root[0].get("data-script-errors"), None);
    let jobs = tags(&dom, "svg")
        .iter()
        .filter(|s| has_class(s, "graph"))
        .count();
    assert_eq!(jobs, 2, "the DUMP's job and the STORE's");
    let (nodes, rects) = (tags(&dom, "g"), tags(&dom, "rect"));
    for stage in nodes.iter().filter(|g| has_class(g, "node")) {
        let id: u64 = stage["data-stage"].parse().expect("a stage id");
        assert!(
            !of_stage(&rects, "task", id).is_empty(),
            "stage {id}'s tasks"
        );
    }
    assert!(dom.contains("STORE <code>counts</code>"));
    assert!(dom.contains("standard output"));
}
