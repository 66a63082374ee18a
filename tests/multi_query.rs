//! End-to-end tests of multi-query execution: the outputs of a script run as one job, and
//! what they share is read and computed once.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("pigrs runs")
}

/// The sorted lines of every part file of an output folder.
fn output_lines(dir: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir).expect("output folder") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("part-"))
        {
            let text = std::fs::read_to_string(&path).expect("part file");
            lines.extend(text.lines().map(str::to_string));
        }
    }
    lines.sort();
    lines
}

/// 30,000 rows (several batches) of (k, v): k cycles through 7 keys.
fn setup(dir: &Path) {
    let mut text = String::new();
    for i in 0..30_000 {
        text.push_str(&format!("k{}\t{}\n", i % 7, i));
    }
    std::fs::write(dir.join("in.txt"), text).expect("input");
    std::fs::write(
        dir.join("mq.pig"),
        "rows = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         SPLIT rows INTO small IF v < 100, big IF v >= 29990;\n\
         STORE small INTO 'small';\n\
         STORE big INTO 'big';\n\
         g = GROUP rows BY k;\n\
         n = FOREACH g GENERATE group, COUNT(rows), SUM(rows.v);\n\
         STORE n INTO 'counts';\n\
         few = LIMIT rows 3;\n\
         c = FOREACH (GROUP few ALL) GENERATE COUNT(few);\n\
         DUMP c;\n\
         j = JOIN rows BY v, small BY v USING 'replicated';\n\
         jn = FOREACH (GROUP j ALL) GENERATE COUNT(j);\n\
         STORE jn INTO 'joined';\n",
    )
    .expect("script");
}

fn stats(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("stats.json")).expect("stats.json");
    serde_json::from_str(&text).expect("valid JSON")
}

#[test]
fn outputs_sharing_a_load_read_it_once_and_agree_with_separate_runs() {
    let shared = tempfile::tempdir().expect("tempdir");
    let separate = tempfile::tempdir().expect("tempdir");
    setup(shared.path());
    setup(separate.path());

    let out = run(
        shared.path(),
        &["run", "mq.pig", "--stats-json", "stats.json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pigrs failed:\n{stderr}");
    let dump = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(dump, "(3)\n");

    let out = run(
        separate.path(),
        &["run", "-M", "mq.pig", "--stats-json", "stats.json"],
    );
    assert!(
        out.status.success(),
        "pigrs -M failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), dump);

    for name in ["small", "big", "counts", "joined"] {
        let a = output_lines(&shared.path().join(name));
        let b = output_lines(&separate.path().join(name));
        assert!(!a.is_empty(), "{name} is empty");
        assert_eq!(a, b, "{name} differs between multi-query and -M");
    }
    assert_eq!(output_lines(&shared.path().join("small")).len(), 100);
    assert_eq!(output_lines(&shared.path().join("joined")), ["100"]);

    // Read once with multi-query; once per output with -M.
    let read = |json: &Value| -> u64 {
        json["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .map(|i| i["records"].as_u64().expect("records"))
            .sum()
    };
    let one = stats(shared.path());
    assert_eq!(read(&one), 30_000, "{one}");
    assert!(read(&stats(separate.path())) > 30_000);
    let tagged = one["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter(|s| {
            s["features"]
                .as_array()
                .is_some_and(|f| f.iter().any(|t| t == "MULTI_QUERY"))
        })
        .count();
    assert_eq!(tagged, 1, "{one}");
}

#[test]
fn explain_shows_the_shared_stage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    setup(tmp.path());
    let out = run(tmp.path(), &["explain", "mq.pig"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("features=[MULTI_QUERY]"), "{text}");
    assert!(text.contains("Split(branches="), "{text}");
}

#[test]
fn an_output_that_loads_what_another_stored_runs_after_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("in.txt"), "1\n2\n3\n").expect("input");
    std::fs::write(
        tmp.path().join("chain.pig"),
        "a = LOAD 'in.txt' AS (x:int);\n\
         b = FOREACH a GENERATE x * 10;\n\
         STORE b INTO 'step1';\n\
         c = LOAD 'step1' AS (y:int);\n\
         d = FILTER c BY y > 10;\n\
         STORE d INTO 'step2';\n",
    )
    .expect("script");
    let out = run(tmp.path(), &["run", "chain.pig"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(output_lines(&tmp.path().join("step2")), ["20", "30"]);
}

#[test]
fn a_failing_output_keeps_the_others_and_reports_its_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("in.txt"), "1\n2\n3\n").expect("input");
    std::fs::write(
        tmp.path().join("fail.pig"),
        "a = LOAD 'in.txt' AS (x:int);\n\
         STORE a INTO 'good';\n\
         g = GROUP a ALL;\n\
         b = FOREACH g GENERATE COUNT(a) AS n;\n\
         ASSERT b BY n < 3, 'too many rows';\n\
         STORE b INTO 'bad';\n",
    )
    .expect("script");
    let out = run(tmp.path(), &["run", "fail.pig"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The shared scan succeeds; the failure is in the reduce of the second output only.
    assert!(stderr.contains("too many rows"), "{stderr}");
    assert_eq!(output_lines(&tmp.path().join("good")), ["1", "2", "3"]);
    assert!(
        !tmp.path().join("bad").exists(),
        "a failed output must not appear"
    );
}
