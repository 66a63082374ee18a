//! End-to-end tests of the run statistics: the table `pigrs run` prints on stderr and the
//! JSON `--stats-json` writes.

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

/// Runs `pigrs run SCRIPT --stats-json stats.json` in `dir`, which must succeed; its output
/// and its JSON statistics.
fn run_with_stats(dir: &Path, script: &str) -> (Output, Value) {
    let out = run(dir, &["run", script, "--stats-json", "stats.json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("stats.json")).expect("stats.json");
    (out, serde_json::from_str(&text).expect("valid JSON"))
}

/// The lines of the part files under `dir/out`, part after part.
fn part_lines(dir: &Path) -> Vec<String> {
    let mut parts: Vec<_> = std::fs::read_dir(dir.join("out"))
        .expect("out")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("part-"))
        })
        .collect();
    parts.sort();
    parts
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .expect("part")
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The records spilled by the stage running a nested FOREACH block.
fn nested_block_spills(json: &Value) -> u64 {
    let stage = json["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| has_feature(s, "NESTED_FOREACH"))
        .expect("the nested block's stage");
    stage["spilled_records"].as_u64().expect("spilled_records")
}

/// A small group-and-count script over 5 lines with 3 distinct keys.
fn setup(dir: &Path) {
    std::fs::write(dir.join("in.txt"), "a\t1\nb\t2\na\t3\nc\t4\nb\t5\n").expect("input");
    std::fs::write(
        dir.join("count.pig"),
        "rows = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         big = FILTER rows BY v > 0;\n\
         g = GROUP big BY k;\n\
         n = FOREACH g GENERATE group, COUNT(big);\n\
         STORE n INTO 'out';\n",
    )
    .expect("script");
}

#[test]
fn stats_json_has_stages_inputs_and_outputs() {
    let tmp = tempfile::tempdir().expect("tempdir");
    setup(tmp.path());
    let out = run(
        tmp.path(),
        &["run", "count.pig", "--stats-json", "stats.json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pigrs failed:\n{stderr}");

    let text = std::fs::read_to_string(tmp.path().join("stats.json")).expect("stats.json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let stages = json["stages"].as_array().expect("stages array");
    assert!(!stages.is_empty(), "{json}");
    for s in stages {
        for key in [
            "id",
            "tasks",
            "records_in",
            "records_out",
            "combine_records_in",
            "combine_records_out",
            "spilled_records",
            "wall_ms",
        ] {
            assert!(s[key].is_u64(), "stage field {key} missing in {s}");
        }
        assert!(s["features"].is_array(), "{s}");
    }
    // The scan reads the 5 lines and filters them; the group reduce makes 3 groups.
    let scan = &stages[0];
    assert_eq!(scan["records_in"], 5, "{json}");
    assert_eq!(
        scan["features"],
        serde_json::json!(["FILTER", "COMBINER"]),
        "{json}"
    );
    assert_eq!(scan["combine_records_in"], 5, "{json}");
    assert_eq!(scan["combine_records_out"], 3, "{json}");
    assert!(scan["bytes_read"].as_u64().is_some_and(|b| b > 0), "{json}");
    let reduce = stages
        .iter()
        .find(|s| {
            s["features"]
                .as_array()
                .is_some_and(|f| f.iter().any(|t| t == "GROUP_BY"))
        })
        .expect("a GROUP_BY stage");
    assert_eq!(reduce["records_out"], 3, "{json}");

    assert_eq!(json["inputs"][0]["path"], "in.txt", "{json}");
    assert_eq!(json["inputs"][0]["records"], 5, "{json}");
    assert_eq!(json["outputs"][0]["path"], "out", "{json}");
    assert_eq!(json["outputs"][0]["records"], 3, "{json}");
    assert!(json["outputs"][0]["bytes"].as_u64().is_some_and(|b| b > 0));

    // The same statistics on stderr; no progress line (stderr is not a terminal).
    assert!(stderr.contains("Run statistics"), "{stderr}");
    assert!(stderr.contains("GROUP_BY"), "{stderr}");
    assert!(stderr.contains("read 5 records"), "{stderr}");
    assert!(stderr.contains("wrote 3 records"), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
}

#[test]
fn no_optimize_runs_the_same_script() {
    let tmp = tempfile::tempdir().expect("tempdir");
    setup(tmp.path());
    let out = run(tmp.path(), &["run", "--no-optimize", "count.pig"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmp.path().join("out/_SUCCESS").exists());
}

#[test]
fn stats_json_to_an_unwritable_place_is_an_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    setup(tmp.path());
    let out = run(
        tmp.path(),
        &["run", "count.pig", "--stats-json", "no/such/dir/stats.json"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot write the statistics"), "{stderr}");
}

#[test]
fn order_limit_keeps_each_tasks_top_rows_only() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Two files (two tasks), 20,000 rows each, with repeated values.
    for f in ["a.txt", "b.txt"] {
        let mut text = String::new();
        for i in 0..20_000u64 {
            text.push_str(&format!("{}\t{f}\n", (i * 7919) % 5000));
        }
        std::fs::write(tmp.path().join(f), text).expect("input");
    }
    std::fs::write(
        tmp.path().join("top.pig"),
        "rows = LOAD '{a,b}.txt' AS (v:int, f:chararray);\n\
         s = ORDER rows BY v DESC;\n\
         t = LIMIT s 5;\n\
         u = FOREACH t GENERATE v;\n\
         DUMP u;\n",
    )
    .expect("script");
    let out = run(
        tmp.path(),
        &["run", "top.pig", "--stats-json", "stats.json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dump = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(dump, "(4999)\n(4999)\n(4999)\n(4999)\n(4999)\n");
    let plain = run(tmp.path(), &["run", "--no-optimize", "top.pig"]);
    assert_eq!(String::from_utf8_lossy(&plain.stdout), dump);

    let text = std::fs::read_to_string(tmp.path().join("stats.json")).expect("stats.json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let scan = json["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| {
            s["features"]
                .as_array()
                .is_some_and(|f| f.iter().any(|t| t == "TOP_K"))
        })
        .expect("a TOP_K stage");
    assert_eq!(scan["records_in"], 40_000, "{json}");
    // At most 5 rows per task reach the sort, not 40,000.
    let tasks = scan["tasks"].as_u64().expect("tasks");
    assert!(
        scan["records_out"].as_u64().expect("records_out") <= 5 * tasks,
        "{json}"
    );
}

#[test]
fn an_order_larger_than_its_memory_spills_and_stays_sorted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    let mut x: u64 = 42;
    for _ in 0..1_500_000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        text.push_str(&format!(
            "{}\tname{}\n",
            (x >> 33) % 100_000,
            (x >> 13) % 1000
        ));
    }
    std::fs::write(tmp.path().join("in.txt"), text).expect("input");
    std::fs::write(
        tmp.path().join("sort.pig"),
        "SET default_parallel 2;\n\
         SET pigrs.memory 64000000;\n\
         a = LOAD 'in.txt' AS (v:int, n:chararray);\n\
         s = ORDER a BY v DESC, n;\n\
         STORE s INTO 'out';\n",
    )
    .expect("script");
    let out = run(
        tmp.path(),
        &["run", "sort.pig", "--stats-json", "stats.json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<(i64, String)> = part_lines(tmp.path())
        .iter()
        .map(|line| {
            let (v, n) = line.split_once('\t').expect("two fields");
            (v.parse().expect("int"), n.to_string())
        })
        .collect();
    assert_eq!(rows.len(), 1_500_000);
    assert!(
        rows.windows(2)
            .all(|w| w[0].0 > w[1].0 || (w[0].0 == w[1].0 && w[0].1 <= w[1].1)),
        "output is not sorted"
    );
    let text = std::fs::read_to_string(tmp.path().join("stats.json")).expect("stats.json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let spilled: u64 = json["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .map(|s| s["spilled_records"].as_u64().expect("spilled_records"))
        .sum();
    assert!(spilled > 0, "nothing spilled: {json}");
}

/// A GROUP whose largest bag is larger than the whole memory pool: the bag spills to disk
/// as it grows (and so do the bags the nested block makes of it) and the answers are the
/// ones computed here.
#[test]
fn a_bag_larger_than_the_memory_pool_spills_and_gives_the_right_answer() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    let (mut count, mut size, mut sum, mut max) = (0u64, 0u64, 0u64, String::new());
    let mut x: u64 = 7;
    for i in 0..1_500_000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let s = format!("word{:07}", (x >> 33) % 10_000_000);
        let key = if i % 10 == 0 {
            format!("k{}", i % 1000)
        } else {
            "hot".to_string()
        };
        if key == "hot" {
            count += 1;
            if i % 3 == 0 {
                size += 1;
                sum += i;
            }
            if s > max {
                max = s.clone();
            }
        }
        text.push_str(&format!("{key}\t{i}\t{s}\n"));
    }
    std::fs::write(tmp.path().join("in.txt"), text).expect("input");
    std::fs::write(
        tmp.path().join("bag.pig"),
        "SET pigrs.memory 64000000;\n\
         a = LOAD 'in.txt' AS (k:chararray, n:long, s:chararray);\n\
         g = GROUP a BY k;\n\
         r = FOREACH g { p = FILTER a BY n % 3 == 0; \
         GENERATE group, COUNT(a), SIZE(p), SUM(p.n), MAX(a.s); };\n\
         hot = FILTER r BY group == 'hot';\n\
         DUMP hot;\n",
    )
    .expect("script");
    let (out, json) = run_with_stats(tmp.path(), "bag.pig");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("(hot,{count},{size},{sum},{max})\n")
    );
    assert!(nested_block_spills(&json) > 0, "nothing spilled: {json}");
}

/// A nested ORDER, DISTINCT and FLATTEN of a bag larger than its share of the memory pool
/// sort and flatten it in bounded memory: the rows are the ones sorted here.
#[test]
fn a_large_bag_is_ordered_deduplicated_and_flattened_right() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    let mut hot: Vec<(String, u64)> = Vec::new();
    let mut x: u64 = 11;
    for i in 0..300_000u64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Wide values: the bag is several times its share of the pool.
        let s = format!("w{:05}{}", (x >> 33) % 50_000, "x".repeat(100));
        let key = if i % 10 == 0 { "cold" } else { "hot" };
        if key == "hot" {
            hot.push((s.clone(), i));
        }
        text.push_str(&format!("{key}\t{i}\t{s}\n"));
    }
    std::fs::write(tmp.path().join("in.txt"), text).expect("input");
    std::fs::write(
        tmp.path().join("o.pig"),
        "SET pigrs.memory 64000000;\n\
         a = LOAD 'in.txt' AS (k:chararray, n:long, s:chararray);\n\
         g = GROUP a BY k;\n\
         r = FOREACH g { o = ORDER a BY s DESC, n; d = DISTINCT a.s; \
         GENERATE group, SIZE(d), FLATTEN(o); };\n\
         hot = FILTER r BY group == 'hot';\n\
         STORE hot INTO 'out';\n",
    )
    .expect("script");
    let (_, json) = run_with_stats(tmp.path(), "o.pig");
    let distinct = hot
        .iter()
        .map(|(s, _)| s.as_str())
        .collect::<std::collections::HashSet<_>>()
        .len();
    hot.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let want: Vec<String> = hot
        .iter()
        .map(|(s, n)| format!("hot\t{distinct}\thot\t{n}\t{s}"))
        .collect();
    let got = part_lines(tmp.path());
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the flattened rows are not the sorted bag");
    assert!(nested_block_spills(&json) > 0, "nothing spilled: {json}");
}

/// The stages of `script` (written to `j.pig` in `dir`) run with `args`, from its JSON
/// statistics, and the records written.
fn stages_of(dir: &Path, script: &str, args: &[&str]) -> (Vec<Value>, u64) {
    std::fs::write(dir.join("j.pig"), script).expect("script");
    let _ = std::fs::remove_dir_all(dir.join("out"));
    let mut all = vec!["run", "j.pig", "--stats-json", "stats.json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.join("stats.json")).expect("stats.json");
    let json: Value = serde_json::from_str(&text).expect("valid JSON");
    let written = json["outputs"][0]["records"].as_u64().expect("records");
    (json["stages"].as_array().expect("stages").clone(), written)
}

fn has_feature(stage: &Value, tag: &str) -> bool {
    stage["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|t| t == tag))
}

/// A hash join is a reduce stage counting both inputs' rows in and the joined rows out;
/// a replicated join is part of its large input's stage, whose records out are the
/// joined rows.
#[test]
fn join_stages_count_their_records() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("a"), "1\ta\n2\tb\n1\tc\n\td\n3\te\n").expect("input");
    std::fs::write(tmp.path().join("b"), "1\tx\n3\ty\n4\tz\n").expect("input");
    let script = "a = LOAD 'a' AS (k:int, v:chararray);\n\
                  b = LOAD 'b' AS (k:int, w:chararray);\n\
                  j = JOIN a BY k, b BY k;\n\
                  STORE j INTO 'out';\n";
    let (stages, written) = stages_of(tmp.path(), script, &["--no-optimize"]);
    assert_eq!(written, 3);
    let join = stages
        .iter()
        .find(|s| has_feature(s, "HASH_JOIN"))
        .expect("a HASH_JOIN stage");
    assert_eq!(join["name"], "JoinReduce", "{join}");
    assert_eq!(join["records_in"], 8, "{join}");
    assert_eq!(join["records_out"], 3, "{join}");
    assert!(join["tasks"].as_u64().is_some_and(|t| t >= 1), "{join}");
    let scans: Vec<&Value> = stages.iter().filter(|s| s["name"] == "Scan").collect();
    assert_eq!(scans.len(), 2, "{stages:?}");
    assert_eq!(scans[0]["records_out"], 5, "{stages:?}");
    assert_eq!(scans[1]["records_out"], 3, "{stages:?}");

    let script = script.replace("b BY k;", "b BY k USING 'replicated';");
    let (stages, written) = stages_of(tmp.path(), &script, &[]);
    assert_eq!(written, 3);
    let large = stages
        .iter()
        .find(|s| has_feature(s, "REPLICATED_JOIN"))
        .expect("a REPLICATED_JOIN stage");
    assert_eq!(large["name"], "Scan", "{large}");
    assert_eq!(large["records_in"], 5, "{large}");
    assert_eq!(large["records_out"], 3, "{large}");
    assert!(!stages.iter().any(|s| has_feature(s, "HASH_JOIN")));

    // A large input whose stage runs row by row (a nested FOREACH) until the join.
    let script = script.replace(
        "j = JOIN a BY k",
        "a = FOREACH a { t = TRIM(v); GENERATE k, t AS v; };\nj = JOIN a BY k",
    );
    let (stages, written) = stages_of(tmp.path(), &script, &[]);
    assert_eq!(written, 3);
    let large = stages
        .iter()
        .find(|s| has_feature(s, "REPLICATED_JOIN"))
        .expect("a REPLICATED_JOIN stage");
    assert!(has_feature(large, "NESTED_FOREACH"), "{large}");
    assert_eq!(large["records_in"], 5, "{large}");
    assert_eq!(large["records_out"], 3, "{large}");
}

/// CROSS continues its first input's stage (records in: that input's rows; out: every
/// combination), the other inputs each in a stage of their own; a schemaless input crosses
/// as well as a typed one, and the fields come in Pig's order.
#[test]
fn cross_continues_the_first_inputs_stage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("a"), "1\tone\n2\ttwo\n3\tthree\n").expect("input");
    std::fs::write(tmp.path().join("b"), "10\n20\n").expect("input");
    std::fs::write(tmp.path().join("c"), "p\tq\nr\n").expect("input");
    let script = "a = LOAD 'a' AS (x:int, s:chararray);\n\
                  b = LOAD 'b' AS (y:int);\n\
                  c = LOAD 'c';\n\
                  d = CROSS a, b, c;\n\
                  STORE d INTO 'out';\n";
    let (stages, written) = stages_of(tmp.path(), script, &[]);
    assert_eq!(written, 12);
    let cross: Vec<&Value> = stages.iter().filter(|s| has_feature(s, "CROSS")).collect();
    assert_eq!(cross.len(), 1, "{stages:?}");
    assert_eq!(cross[0]["name"], "Scan", "{stages:?}");
    assert_eq!(cross[0]["records_in"], 3, "{stages:?}");
    assert_eq!(cross[0]["records_out"], 12, "{stages:?}");
    assert_eq!(stages.len(), 3, "{stages:?}");
    let mut got = part_lines(tmp.path());
    got.sort();
    let mut want = Vec::new();
    for a in ["1\tone", "2\ttwo", "3\tthree"] {
        for b in ["10", "20"] {
            for c in ["p\tq", "r"] {
                want.push(format!("{a}\t{b}\t{c}"));
            }
        }
    }
    want.sort();
    assert_eq!(got, want);
}
