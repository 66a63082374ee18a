//! End-to-end tests: run the `pigrs` binary on the example scripts and on small scripts,
//! and check outputs, diagnostics and exit codes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pigrs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    pigrs()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("pigrs runs")
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "pigrs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

/// Reads every part file of a STORE output, checking Hadoop's layout.
fn read_parts(dir: &Path) -> Vec<Vec<String>> {
    assert!(
        dir.join("_SUCCESS").exists(),
        "no _SUCCESS in {}",
        dir.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("output dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("part-"))
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no part files in {}", dir.display());
    let mut rows = Vec::new();
    for f in files {
        for line in std::fs::read_to_string(&f).expect("part file").lines() {
            rows.push(line.split('\t').map(str::to_string).collect());
        }
    }
    rows
}

fn script(name: &str) -> String {
    repo().join("scripts").join(name).display().to_string()
}

fn data(name: &str) -> PathBuf {
    repo().join("scripts/data").join(name)
}

#[test]
fn wordcount_counts_every_word() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("wc");
    let input = data("wordcount");
    ok(&run(
        tmp.path(),
        &[
            "run",
            &script("wordcount.pig"),
            "-p",
            &format!("in={}", input.display()),
            "-p",
            &format!("out={}", out.display()),
        ],
    ));
    let mut expected: HashMap<String, i64> = HashMap::new();
    let text = std::fs::read_to_string(input.join("corpus.txt")).expect("corpus");
    for w in text.split([' ', '\n']).filter(|w| !w.is_empty()) {
        *expected.entry(w.to_string()).or_default() += 1;
    }
    let got: HashMap<String, i64> = read_parts(&out)
        .into_iter()
        .map(|r| (r[0].clone(), r[1].parse().expect("count")))
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn ngrams_keeps_the_100_largest_totals() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("ng");
    let input = data("ngrams");
    ok(&run(
        tmp.path(),
        &[
            "run",
            &script("ngrams.pig"),
            "-p",
            &format!("in={}", input.display()),
            "-p",
            &format!("out={}", out.display()),
        ],
    ));
    let mut totals: HashMap<String, i64> = HashMap::new();
    for f in std::fs::read_dir(&input).expect("input") {
        for line in std::fs::read_to_string(f.expect("entry").path())
            .expect("file")
            .lines()
        {
            let cols: Vec<&str> = line.split('\t').collect();
            *totals.entry(cols[0].to_string()).or_default() +=
                cols[2].parse::<i64>().expect("match_count");
        }
    }
    let got = read_parts(&out);
    assert_eq!(got.len(), totals.len().min(100));
    let values: Vec<i64> = got.iter().map(|r| r[1].parse().expect("total")).collect();
    assert!(
        values.windows(2).all(|w| w[0] >= w[1]),
        "not sorted descending: {values:?}"
    );
    for r in &got {
        assert_eq!(
            totals[&r[0]],
            r[1].parse::<i64>().expect("total"),
            "total of {}",
            r[0]
        );
    }
    let cutoff = *values.last().expect("rows");
    let above = totals.values().filter(|&&v| v > cutoff).count();
    assert!(above <= got.len());
}

#[test]
fn top20_matches_a_direct_computation() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("top");
    let input = data("pagecounts");
    let restrictions = input.join("restrictions.txt");
    ok(&run(
        tmp.path(),
        &[
            "run",
            &script("top20.pig"),
            "-p",
            &format!("in={}", input.display()),
            "-p",
            &format!("restrictions={}", restrictions.display()),
            "-p",
            &format!("out={}", out.display()),
        ],
    ));
    let restricted: std::collections::HashSet<String> = std::fs::read_to_string(&restrictions)
        .expect("restrictions")
        .lines()
        .map(str::to_string)
        .collect();
    let mut sums: HashMap<(String, String), i64> = HashMap::new();
    for f in std::fs::read_dir(&input).expect("input") {
        let p = f.expect("entry").path();
        if !p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("pagecounts-"))
        {
            continue;
        }
        for line in std::fs::read_to_string(&p).expect("file").lines() {
            let c: Vec<&str> = line.split(' ').collect();
            if ["en", "de", "fr"].contains(&c[0]) && !restricted.contains(c[1]) {
                *sums
                    .entry((c[0].to_string(), c[1].to_string()))
                    .or_default() += c[2].parse::<i64>().expect("visits");
            }
        }
    }
    let got = read_parts(&out);
    for lang in ["en", "de", "fr"] {
        let mut all: Vec<i64> = sums
            .iter()
            .filter(|((l, _), _)| l == lang)
            .map(|(_, v)| *v)
            .collect();
        all.sort_unstable_by(|a, b| b.cmp(a));
        let rows: Vec<&Vec<String>> = got.iter().filter(|r| r[0] == lang).collect();
        assert_eq!(rows.len(), all.len().min(20), "rows for {lang}");
        let mut visits: Vec<i64> = rows.iter().map(|r| r[2].parse().expect("visits")).collect();
        for r in &rows {
            assert_eq!(
                sums[&(r[0].clone(), r[1].clone())],
                r[2].parse::<i64>().expect("visits")
            );
        }
        visits.sort_unstable_by(|a, b| b.cmp(a));
        assert_eq!(visits, all[..rows.len()].to_vec(), "top visits for {lang}");
    }
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

#[test]
fn dump_prints_pig_tuples_in_statement_order() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "3\tc\n1\ta\n2\t\n");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'data' AS (x:int, y:chararray);\nDESCRIBE A;\nB = ORDER A BY x;\nDUMP B;\n",
    );
    let out = ok(&run(tmp.path(), &["run", "s.pig"]));
    assert_eq!(out, "A: {x: int,y: chararray}\n(1,a)\n(2,)\n(3,c)\n");
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'data';\nB = FOREACH A GENERAT $0;\nDUMP B;\n",
    );
    let out = run(tmp.path(), &["run", "s.pig"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s.pig:2:"), "no line 2 location in:\n{err}");
}

#[test]
fn an_unknown_field_suggests_the_close_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'data' AS (name:chararray, age:int);\nB = FOREACH A GENERATE nmae;\nDUMP B;\n",
    );
    let out = run(tmp.path(), &["run", "s.pig"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("s.pig:2:"), "{err}");
    assert!(err.contains("did you mean `name`"), "{err}");
}

#[test]
fn a_missing_input_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'nowhere' AS (x:int);\nDUMP A;\n",
    );
    let out = run(tmp.path(), &["run", "s.pig"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nowhere"), "{err}");
    assert!(err.contains("s.pig:1:"), "{err}");
}

#[test]
fn malformed_fields_become_null_and_are_counted() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "1\n2\nx\n4\ny\n");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'data' AS (n:int);\nB = GROUP A ALL;\nC = FOREACH B GENERATE SUM(A.n), COUNT_STAR(A);\nDUMP C;\n",
    );
    let out = run(tmp.path(), &["run", "s.pig"]);
    assert_eq!(ok(&out), "(7,5)\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 fields"), "{err}");
    assert!(err.contains("data:3"), "{err}");
}

#[test]
fn store_refuses_an_existing_output_before_running_and_is_atomic() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "1\n2\n");
    std::fs::create_dir(tmp.path().join("taken")).expect("mkdir");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'data' AS (n:int);\nSTORE A INTO 'fresh';\nSTORE A INTO 'taken';\n",
    );
    let out = run(tmp.path(), &["run", "s.pig"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
    // Nothing ran: the first STORE did not write either.
    assert!(!tmp.path().join("fresh").exists());
    // A failing job leaves no output behind.
    write(
        tmp.path(),
        "f.pig",
        "A = LOAD 'data' AS (n:chararray);\nB = FOREACH A GENERATE REGEX_EXTRACT(n, '(', 1);\nSTORE B INTO 'failed';\n",
    );
    let out = run(tmp.path(), &["run", "f.pig"]);
    assert!(!out.status.success());
    assert!(!tmp.path().join("failed").exists());
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn explain_shows_stages_with_features() {
    let out = ok(&run(
        &repo(),
        &[
            "explain",
            &script("top20.pig"),
            "-p",
            "in=scripts/data/pagecounts",
            "-p",
            "restrictions=scripts/data/pagecounts/restrictions.txt",
            "-p",
            "out=out/top20",
        ],
    ));
    for tag in [
        "REPLICATED_JOIN",
        "ANTI_JOIN",
        "GROUP_BY",
        "COMBINER",
        "TOP_K",
    ] {
        assert!(out.contains(tag), "no {tag} in:\n{out}");
    }
    assert!(out.contains("Stage 1 Scan (1 task) <- stage 2:"), "{out}");
    // Nothing reads `bytes` above the join: the loader does not convert it.
    assert!(
        out.contains("func=PigStorage(' '), columns=[$0,$1,$2]"),
        "{out}"
    );
}

/// Copies a folder tree (the conformance cases write their outputs inside their folders).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

fn case_dirs(root: &Path, out: &mut Vec<PathBuf>) {
    if root.join("script.pig").exists() {
        out.push(root.to_path_buf());
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for e in entries {
        case_dirs(&e, out);
    }
}

fn sorted_lines(bytes: &[u8]) -> Vec<String> {
    let mut lines: Vec<String> = String::from_utf8_lossy(bytes)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Every conformance case gives the same answer with and without the optimizer's rules.
#[test]
fn conformance_cases_agree_with_and_without_the_optimizer() {
    let shared = repo().join("../shared/conformance/cases");
    if !shared.exists() {
        eprintln!("skipped: {} not found", shared.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    copy_tree(&shared, tmp.path());
    let mut cases = Vec::new();
    case_dirs(tmp.path(), &mut cases);
    assert!(cases.len() > 100, "found only {} cases", cases.len());
    for case in cases {
        let params: Vec<String> = std::fs::read_to_string(case.join("script.pig"))
            .expect("script")
            .lines()
            .find_map(|l| {
                l.strip_prefix("-- params:")
                    .map(|p| p.split_whitespace().map(str::to_string).collect())
            })
            .unwrap_or_default();
        let run_with = |extra: &[&str]| {
            let mut args: Vec<String> = vec!["run".into()];
            args.extend(extra.iter().map(|s| s.to_string()));
            args.push("script.pig".into());
            for p in &params {
                args.push("-p".into());
                args.push(p.clone());
            }
            pigrs()
                .current_dir(&case)
                .args(&args)
                .output()
                .expect("pigrs runs")
        };
        let optimized = run_with(&[]);
        let plain = run_with(&["--no-optimize"]);
        assert_eq!(
            optimized.status.success(),
            plain.status.success(),
            "exit status differs for {}",
            case.display()
        );
        assert_eq!(
            sorted_lines(&optimized.stdout),
            sorted_lines(&plain.stdout),
            "output differs for {}",
            case.display()
        );
    }
}

/// Golden cases under tests/golden: each folder's script runs with the folder as working
/// directory and its stdout, with the folder's path written `$DIR`, must equal `expected`.
/// `PIGRS_BLESS=1` rewrites the expectations.
#[test]
fn golden_outputs() {
    let root = repo().join("tests/golden");
    let mut cases = Vec::new();
    case_dirs(&root, &mut cases);
    assert!(!cases.is_empty());
    let bless = std::env::var_os("PIGRS_BLESS").is_some();
    let mut failures = Vec::new();
    for case in cases {
        let out = run(&case, &["run", "script.pig"]);
        // EXPLAIN names the files scanned by their paths (without the leading `/`, as
        // DataFusion's object store paths print): the case's folder is `$DIR` in golden text.
        let dir = case.display().to_string();
        let got = String::from_utf8_lossy(&out.stdout).replace(dir.trim_start_matches('/'), "$DIR");
        let expected_path = case.join("expected");
        if bless {
            std::fs::write(&expected_path, &got).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if !out.status.success() || got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}--- stderr\n{}",
                case.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The shell (`pigrs` with no arguments) runs statements as they come; an error in one
/// statement is reported and the session goes on.
#[test]
fn the_shell_runs_statements_as_they_are_entered() {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "1\ta\n2\tb\n");
    let mut child = pigrs()
        .current_dir(tmp.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("pigrs starts");
    let input = "A = LOAD 'data' AS (n:int, s:chararray);\nB = FILTER A\n  BY n > 1;\nDUMP B;\nDESCRIBE B;\nC = FOREACH B GENERATE nope;\nDUMP C;\nDUMP A;\nquit\n";
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("pigrs ends");
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "(2,b)\nB: {n: int,s: chararray}\n(1,a)\n(2,b)\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Projected field [nope] does not exist"));
    // A statement using an alias whose statement failed says so (not a pigrs bug).
    assert!(
        stderr.contains("`C` is not defined: the statement defining it failed"),
        "{stderr}"
    );
}

/// The combiner gives the same sums whether keys repeat (it combines) or not (after 100k
/// rows of new keys it passes partial states through).
#[test]
fn combined_sums_are_exact_when_keys_rarely_repeat() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut text = String::new();
    let mut expected: HashMap<String, i64> = HashMap::new();
    for i in 0..150_000u64 {
        // Mostly distinct keys, with a few hot ones mixed in.
        let key = if i % 10 == 0 {
            format!("hot{}", i % 3)
        } else {
            format!("k{i}")
        };
        let n = (i % 7) as i64;
        text.push_str(&format!("{key}\t{n}\n"));
        *expected.entry(key).or_default() += n;
    }
    write(tmp.path(), "data", &text);
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD 'data' AS (k:chararray, n:long);\nB = GROUP A BY k;\nC = FOREACH B GENERATE group, SUM(A.n), COUNT(A);\nSTORE C INTO 'out';\n",
    );
    ok(&run(tmp.path(), &["run", "--no-progress", "s.pig"]));
    let rows = read_parts(&tmp.path().join("out"));
    assert_eq!(rows.len(), expected.len());
    for r in rows {
        assert_eq!(
            expected[&r[0]],
            r[1].parse::<i64>().expect("sum"),
            "sum of {}",
            r[0]
        );
    }
}

/// `explain --verbose` shows the plan after each rule that changed it.
#[test]
fn explain_verbose_shows_the_plan_after_each_rule() {
    let out = ok(&run(
        &repo(),
        &[
            "explain",
            "--verbose",
            &script("top20.pig"),
            "-p",
            "in=scripts/data/pagecounts",
            "-p",
            "restrictions=scripts/data/pagecounts/restrictions.txt",
            "-p",
            "out=out/top20",
        ],
    ));
    for rule in ["anti_join", "top_k", "combiner"] {
        assert!(
            out.contains(&format!("# After rule {rule}")),
            "no {rule} in:\n{out}"
        );
    }
    let after_combiner = out
        .split("# After rule combiner")
        .nth(1)
        .expect("combiner section");
    assert!(
        after_combiner.contains("Aggregate [totals]"),
        "{after_combiner}"
    );
    assert!(
        out.contains("schema="),
        "verbose plans show schemas:\n{out}"
    );
}

fn part_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("output dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("part-"))
        })
        .count()
}

/// Reducers follow the input size (a small input gets one, never one per core), unless
/// the script sets `default_parallel` or `PARALLEL`.
#[test]
fn reducers_follow_input_size_unless_the_script_says() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "a\t1\nb\t2\na\t3\n");
    let group = "A = LOAD 'data' AS (k:chararray, n:int);\nB = GROUP A BY k";
    let body = ";\nC = FOREACH B GENERATE group, SUM(A.n);\nSTORE C INTO";
    write(
        tmp.path(),
        "small.pig",
        &format!("{group}{body} 'small';\n"),
    );
    write(
        tmp.path(),
        "set.pig",
        &format!("SET default_parallel 3;\n{group}{body} 'set';\n"),
    );
    write(
        tmp.path(),
        "clause.pig",
        &format!("{group} PARALLEL 4{body} 'clause';\n"),
    );
    for s in ["small.pig", "set.pig", "clause.pig"] {
        ok(&run(tmp.path(), &["run", "--no-progress", s]));
    }
    assert_eq!(part_files(&tmp.path().join("small")), 1);
    assert_eq!(part_files(&tmp.path().join("set")), 3);
    assert_eq!(part_files(&tmp.path().join("clause")), 4);
}

/// Runs `s.pig` in `dir` with and without the optimizer's rules; both must succeed and
/// print the same rows. Returns the rows, sorted.
fn same_rows_with_and_without_the_optimizer(dir: &Path, script: &str) -> Vec<String> {
    write(dir, "s.pig", script);
    let optimized = sorted_lines(ok(&run(dir, &["run", "s.pig"])).as_bytes());
    let plain = sorted_lines(ok(&run(dir, &["run", "--no-optimize", "s.pig"])).as_bytes());
    assert_eq!(
        optimized, plain,
        "the optimizer changed the rows of:\n{script}"
    );
    optimized
}

/// A LOAD read both by a relation used as a scalar and by the query using it keeps every
/// field the scalar's query reads (here COUNT reads whole rows).
#[test]
fn a_load_shared_with_a_scalar_keeps_the_fields_the_scalar_reads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "x", "a\t1\nb\t2\nc\t3\n");
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        "a = LOAD 'x' AS (k:chararray, n:int);\ns = FOREACH (GROUP a ALL) GENERATE COUNT(a) AS c;\nb = FOREACH a GENERATE n, s.c;\nDUMP b;\n",
    );
    assert_eq!(rows, ["(1,3)", "(2,3)", "(3,3)"]);
}

/// The plan EXPLAIN prints for `s.pig` in `dir`, after the optimizer.
fn explained(dir: &Path, script: &str) -> String {
    write(dir, "s.pig", script);
    ok(&run(dir, &["explain", "s.pig"]))
}

/// Filters on `group` move below GROUP and COGROUP (and through the FOREACH projecting it)
/// and give the same groups, null keys and INNER inputs included.
#[test]
fn filters_on_the_group_key_give_the_same_groups_below_the_group() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "v",
        "en\tx\t3\nde\ty\t4\nen\tz\t5\nfr\tw\t1\n\tq\t2\nen\tx\t7\n",
    );
    write(tmp.path(), "w", "1\ten\n2\tfr\n3\t\n4\tit\n");
    let load = "v = LOAD 'v' AS (lang:chararray, page:chararray, n:int);\nw = LOAD 'w' AS (id:int, lang:chararray);\n";
    let cases: [(&str, &[&str]); 5] = [
        (
            "c = COGROUP v BY lang, w BY lang;\nf = FILTER c BY group != 'de' AND SIZE(v) > 0;\nr = FOREACH f GENERATE group, COUNT(v), COUNT(w);\nDUMP r;\n",
            &["(en,3,1)", "(fr,1,1)"],
        ),
        (
            "c = COGROUP v BY lang INNER, w BY lang;\nf = FILTER c BY group IS NULL OR group MATCHES '[a-e].*';\nr = FOREACH f GENERATE group, COUNT(v), COUNT(w);\nDUMP r;\n",
            // COUNT skips tuples whose first field (here the key) is null.
            &["(,0,0)", "(de,1,0)", "(en,3,1)"],
        ),
        (
            "g = GROUP v BY (lang, page);\nt = FOREACH g GENERATE group.lang AS lang, group.page AS page, SUM(v.n) AS n;\nf = FILTER t BY lang == 'en' AND n > 4;\nDUMP f;\n",
            &["(en,x,10)", "(en,z,5)"],
        ),
        (
            "g = GROUP v BY lang;\nt = FOREACH g GENERATE group AS lang, v;\nf = FILTER t BY lang IS NOT NULL AND lang != 'fr';\nr = FOREACH f GENERATE lang, COUNT(v);\nDUMP r;\n",
            &["(de,1)", "(en,3)"],
        ),
        (
            "j = JOIN v BY lang, w BY lang;\np = FOREACH j GENERATE v::page AS page, w::id AS id;\nf = FILTER p BY id > 1 AND page != 'x';\nDUMP f;\n",
            &["(w,2)"],
        ),
    ];
    for (body, expected) in cases {
        let script = format!("{load}{body}");
        let rows = same_rows_with_and_without_the_optimizer(tmp.path(), &script);
        assert_eq!(rows, expected, "{script}");
    }
    // The filter on the key runs before the shuffle: in the map stage, on each input.
    let plan = explained(
        tmp.path(),
        &format!(
            "{load}c = COGROUP v BY lang, w BY lang;\nf = FILTER c BY group != 'de';\nDUMP f;\n"
        ),
    );
    assert!(
        plan.contains("Group [f]: keys=[$0; $1]\n    Filter: ($0 != 'de')\n      Load [v]")
            && plan.contains("    Filter: ($1 != 'de')\n      Load [w]"),
        "{plan}"
    );
    // A filter after a projection of a join reaches the join's inputs.
    let plan = explained(
        tmp.path(),
        &format!(
            "{load}j = JOIN v BY lang, w BY lang;\np = FOREACH j GENERATE v::page AS page, w::id AS id;\nf = FILTER p BY id > 1;\nDUMP f;\n"
        ),
    );
    assert!(
        plan.contains("Filter: ($0 > 1)\n        Load [w]"),
        "{plan}"
    );
}

/// Fields nothing reads are not converted, even through JOIN: a malformed field that only
/// a join passes along neither warns nor changes the rows.
#[test]
fn a_join_does_not_convert_the_fields_nothing_reads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "k1\tnotanint\t5\nk2\t7\t6\nk3\tzz\t1\n");
    write(tmp.path(), "b", "k1\tx\nk3\ty\nk4\tz\n");
    let script = "a = LOAD 'a' AS (k:chararray, bad:int, n:int);\nb = LOAD 'b' AS (k:chararray, v:chararray);\nj = JOIN a BY k LEFT OUTER, b BY k;\np = FOREACH j GENERATE a::n, b::v;\nDUMP p;\n";
    let rows = same_rows_with_and_without_the_optimizer(tmp.path(), script);
    assert_eq!(rows, ["(1,y)", "(5,x)", "(6,)"]);
    write(tmp.path(), "s.pig", script);
    let out = run(tmp.path(), &["run", "s.pig"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("could not be converted"), "{err}");
    let plan = explained(tmp.path(), script);
    assert!(
        plan.contains("Load [a]: location='a', func=PigStorage(), columns=[$0,$2]"),
        "{plan}"
    );
}

/// Projection pushdown through ORDER, LIMIT, SAMPLE, UNION, CROSS and a SPLIT, with several
/// outputs reading different fields of one LOAD and a relation used as a scalar: the rows
/// are the same with and without the optimizer.
#[test]
fn pruned_loads_give_the_same_rows_through_every_row_passing_operator() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "g",
        "a\t1990\t5\t1\nb\t2000\t3\t2\nc\t2010\t9\t3\nd\tbad\t1\t4\n",
    );
    write(tmp.path(), "h", "x\t1\ny\t2\n");
    let load = "g = LOAD 'g' AS (w:chararray, year:int, n:long, m:int);\nh = LOAD 'h' AS (t:chararray, v:int);\n";
    let bodies = [
        "o = ORDER g BY n DESC;\nl = LIMIT o 2;\np = FOREACH l GENERATE w;\nDUMP p;\n",
        "s = SAMPLE g 1.0;\nu = UNION s, g;\np = FOREACH u GENERATE m;\nDUMP p;\n",
        "c = CROSS g, h;\nf = FILTER c BY h::v > 1;\np = FOREACH f GENERATE g::w, h::t;\nDUMP p;\n",
        "SPLIT g INTO old IF year < 2000, new OTHERWISE;\np = FOREACH old GENERATE w;\nq = FOREACH new GENERATE n;\nDUMP p;\nDUMP q;\n",
        "s = FILTER g BY year == 2000;\np = FOREACH g GENERATE n, s.w;\nDUMP p;\n",
        "j = JOIN g BY m, h BY v USING 'replicated';\np = FOREACH j GENERATE g::w;\nq = FOREACH j GENERATE h::t, g::n;\nDUMP p;\nDUMP q;\n",
    ];
    for body in bodies {
        let script = format!("{load}{body}");
        same_rows_with_and_without_the_optimizer(tmp.path(), &script);
        assert!(
            explained(tmp.path(), &script)
                .contains("Load [g]: location='g', func=PigStorage(), columns="),
            "not pruned:\n{script}"
        );
    }
}

/// Every algebraic aggregate the combiner hands to DataFusion (COUNT, COUNT_STAR, SUM, AVG,
/// MIN, MAX) or to pigrs's adapter (MIN/MAX of floats and strings, functions of
/// bytearrays) gives what the function gives over the whole bag (`--no-optimize` builds
/// bags), with nulls, several keys, `group` fields, FLATTEN(group) and GROUP ALL.
#[test]
fn aggregates_on_the_combiner_give_what_the_bag_functions_give() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "v",
        "a\tx\t3\t2147483647\t1.5\t-0.0\tq\nb\ty\t\t9223372036854775807\tNaN\t2.5\tz\n\
         a\tx\t-4\t1\t\t-1e300\t\na\ty\t7\t\t-2.25\t1e300\tb\nb\ty\t1\t1\t3\t4\tA\n\
         \t\t5\t6\t7\t8\t\u{e9}\nc\tz\t\t\t\t\t\n",
    );
    let load = "v = LOAD 'v' AS (k:chararray, k2:chararray, i:int, l:long, f:float, d:double, s:chararray);\n";
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}g = GROUP v BY k;\n\
             r = FOREACH g GENERATE group, COUNT(v), COUNT(v.i), COUNT_STAR(v.i), SUM(v.i), SUM(v.l), SUM(v.f), SUM(v.d), AVG(v.i), AVG(v.d), MIN(v.i), MAX(v.l), MIN(v.f), MAX(v.d), MIN(v.s), MAX(v.s);\n\
             DUMP r;\n"
        ),
    );
    assert_eq!(rows.len(), 4, "{rows:?}");
    // Java's long overflow: 9223372036854775807 + 1 wraps.
    assert!(
        rows.iter()
            .any(|r| r.starts_with("(b,2,1,2,1,-9223372036854775808,")),
        "{rows:?}"
    );
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}g = GROUP v BY (k, k2);\n\
             r = FOREACH g GENERATE FLATTEN(group), group.k2, group, SUM(v.i) AS t, MAX(v.s);\n\
             DUMP r;\n"
        ),
    );
    assert!(rows.contains(&"(a,x,x,(a,x),-1,q)".to_string()), "{rows:?}");
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}g = GROUP v ALL;\n\
             r = FOREACH g GENERATE group, COUNT(v), SUM(v.l), AVG(v.f);\n\
             e = FILTER v BY i > 100;\n\
             ge = GROUP e ALL;\n\
             re = FOREACH ge GENERATE COUNT(e);\n\
             DUMP r;\nDUMP re;\n"
        ),
    );
    // An empty input has no group, so GROUP ALL of it gives no row.
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].starts_with("(all,6,"), "{rows:?}");
    // Untyped fields: SUM and MAX cast bytearrays to double, as Pig does.
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        "v = LOAD 'v' AS (k, k2, i);\ng = GROUP v BY k;\nr = FOREACH g GENERATE group, SUM(v.i), MAX(v.i), COUNT(v);\nDUMP r;\n",
    );
    assert!(rows.contains(&"(a,6.0,7.0,3)".to_string()), "{rows:?}");
    // No schema at all: the rows go through the shuffle encoded whole, and each aggregate
    // still reads the field it projects.
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        "v = LOAD 'v';
g = GROUP v BY $0;
r = FOREACH g GENERATE group, SUM(v.$2), MAX(v.$2), MIN(v.$1), COUNT(v);
DUMP r;
",
    );
    // MIN casts the untyped letters to double, as Pig does: none is a number.
    assert!(rows.contains(&"(a,6.0,7.0,,3)".to_string()), "{rows:?}");
}

/// A nested block of FILTERs feeding algebraic functions runs in the combiner as filtered
/// aggregates (no bag is built) and gives what the bags give: nulls in the condition drop
/// the row, a FILTER of a FILTER keeps what both keep, the unfiltered bag beside them.
#[test]
fn nested_filters_feeding_aggregates_give_what_the_bags_give() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "v",
        "a\t1\t2.5\na\t-2\t1\na\t\t7\nb\t5\t\nb\t12\t3\nc\t-1\t4\n\t3\t0\n",
    );
    let script = "v = LOAD 'v' AS (k:chararray, n:int, d:double);\n\
                  g = GROUP v BY k;\n\
                  r = FOREACH g { p = FILTER v BY n > 0; s = FILTER p BY d < 5.0 OR n > 10; \
                  GENERATE group, COUNT(p), COUNT_STAR(s), SUM(s.n), AVG(p.d), MAX(s.d), COUNT(v); };\n\
                  DUMP r;\n";
    let rows = same_rows_with_and_without_the_optimizer(tmp.path(), script);
    assert_eq!(
        rows,
        [
            "(,0,1,3,0.0,0.0,0)",
            "(a,1,1,1,2.5,2.5,3)",
            "(b,2,1,12,3.0,3.0,2)",
            "(c,0,0,,,,1)",
        ]
    );
    let plan = explained(tmp.path(), script);
    assert!(
        plan.contains("COUNT(*) FILTER ($1 > 0)") && plan.contains("COMBINER"),
        "{plan}"
    );
}

/// A nested DISTINCT counted (SQL's COUNT(DISTINCT ...)) runs as a DISTINCT of (key,
/// fields) pairs and an aggregate, with the answer of the bag it replaces: nulls, keys
/// with several fields, GROUP ALL, and a distinct bag read by two aggregates.
#[test]
fn a_nested_distinct_count_gives_what_the_bag_gives() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "v",
        "a\tx\t1\na\tx\t1\na\ty\t2\nb\t\t3\nb\t\t3\nb\tz\t\n\t\t4\n\tq\t4\n",
    );
    let load = "v = LOAD 'v' AS (k:chararray, w:chararray, n:int);\n";
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}g = GROUP v BY k;\nc = FOREACH g {{ d = DISTINCT v.w; GENERATE group, COUNT(d), COUNT_STAR(d); }};\nDUMP c;\n"
        ),
    );
    assert_eq!(rows, ["(,1,2)", "(a,2,2)", "(b,1,2)"]);
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}g = GROUP v BY (k, n);\nc = FOREACH g {{ d = DISTINCT v; GENERATE FLATTEN(group), COUNT(d), SUM(d.n); }};\nDUMP c;\n"
        ),
    );
    assert!(rows.contains(&"(,4,0,8)".to_string()), "{rows:?}");
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}g = GROUP v ALL;\nc = FOREACH g {{ d = DISTINCT v.(w, n); GENERATE COUNT(d); }};\nDUMP c;\n"
        ),
    );
    assert_eq!(rows, ["(4)"]);
    let plan = explained(
        tmp.path(),
        &format!(
            "{load}g = GROUP v ALL;\nc = FOREACH g {{ d = DISTINCT v.w; GENERATE COUNT(d); }};\nDUMP c;\n"
        ),
    );
    assert!(plan.contains("nested_distinct"), "{plan}");
}

/// The lines `script` prints, in order, which must be the same with `--no-optimize`.
fn same_order_with_and_without_the_optimizer(dir: &Path, script: &str) -> Vec<String> {
    write(dir, "s.pig", script);
    let lines = |out: String| out.lines().map(str::to_string).collect::<Vec<_>>();
    let optimized = lines(ok(&run(dir, &["run", "s.pig"])));
    let plain = lines(ok(&run(dir, &["run", "--no-optimize", "s.pig"])));
    assert_eq!(
        optimized, plain,
        "the optimizer changed the rows of:\n{script}"
    );
    optimized
}

/// Rows (k, x, id) in two files (two tasks): nulls, NaN, -0.0, a character above the
/// surrogates and a supplementary one, ties.
fn order_data(dir: &Path) -> &'static str {
    write(
        dir,
        "o1",
        "b\t1.0\t1\na\tNaN\t2\n\t-0.0\t3\nｈ\t0.0\t4\n😀\t2.5\t5\n",
    );
    write(dir, "o2", "a\t-1.0\t6\nb\t1.0\t7\n\tNaN\t8\na\t\t9\n");
    "t = LOAD 'o{1,2}' AS (k:chararray, x:double, id:int);\n"
}

/// ORDER BY orders as Pig compares: nulls smallest, NaN largest, -0.0 equal to 0.0,
/// strings by UTF-16 code unit, DESC and ASC keys mixed, equal keys in input order.
#[test]
fn order_by_orders_as_pig_compares() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let load = order_data(tmp.path());
    let by_k = same_order_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{load}s = ORDER t BY k, x DESC;\nDUMP s;\n"),
    );
    assert_eq!(
        by_k,
        [
            "(,NaN,8)",
            "(,-0.0,3)",
            "(a,NaN,2)",
            "(a,-1.0,6)",
            "(a,,9)",
            "(b,1.0,1)",
            "(b,1.0,7)",
            "(😀,2.5,5)",
            "(ｈ,0.0,4)",
        ]
    );
    let by_x = same_order_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{load}s = ORDER t BY x, id DESC;\nDUMP s;\n"),
    );
    assert_eq!(
        by_x,
        [
            "(a,,9)",
            "(a,-1.0,6)",
            "(ｈ,0.0,4)",
            "(,-0.0,3)",
            "(b,1.0,7)",
            "(b,1.0,1)",
            "(😀,2.5,5)",
            "(,NaN,8)",
            "(a,NaN,2)",
        ]
    );
    // Stable: equal keys keep input order, here the order of the files.
    let stable = same_order_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{load}s = ORDER t BY k DESC;\nr = FOREACH s GENERATE id;\nDUMP r;\n"),
    );
    assert_eq!(
        stable,
        [
            "(4)", "(5)", "(1)", "(7)", "(2)", "(6)", "(9)", "(3)", "(8)"
        ]
    );
    // Keys of unknown type (bytearray fields) order by their bytes.
    let untyped = same_order_with_and_without_the_optimizer(
        tmp.path(),
        "u = LOAD 'o{1,2}';\ns = ORDER u BY $1 DESC, $2;\nr = FOREACH s GENERATE $2;\nDUMP r;\n",
    );
    assert_eq!(
        untyped,
        [
            "(2)", "(8)", "(5)", "(1)", "(7)", "(4)", "(6)", "(3)", "(9)"
        ]
    );
}

/// ORDER ... LIMIT keeps the first n in order; LIMIT larger than the input keeps all, LIMIT
/// 0 none; a LIMIT without ORDER keeps n of the rows.
#[test]
fn limits_keep_the_first_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let load = order_data(tmp.path());
    let top = same_order_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{load}s = ORDER t BY x DESC, k;\nl = LIMIT s 3;\nDUMP l;\n"),
    );
    assert_eq!(top, ["(,NaN,8)", "(a,NaN,2)", "(😀,2.5,5)"]);
    let all = same_order_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}s = ORDER t BY id DESC;\nl = LIMIT s 100;\nr = FOREACH l GENERATE id;\nDUMP r;\n"
        ),
    );
    assert_eq!(
        all,
        [
            "(9)", "(8)", "(7)", "(6)", "(5)", "(4)", "(3)", "(2)", "(1)"
        ]
    );
    for script in [
        "s = ORDER t BY id;\nl = LIMIT s 0;\nDUMP l;\n",
        "l = LIMIT t 0;\nDUMP l;\n",
    ] {
        let none =
            same_order_with_and_without_the_optimizer(tmp.path(), &format!("{load}{script}"));
        assert!(none.is_empty(), "{script}: {none:?}");
    }
    let some = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!(
            "{load}l = LIMIT t 4;\nc = FOREACH (GROUP l ALL) GENERATE COUNT_STAR(l);\nDUMP c;\n"
        ),
    );
    assert_eq!(some, ["(4)"]);
    let more = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{load}l = LIMIT t 50;\nr = FOREACH l GENERATE id;\nDUMP r;\n"),
    );
    assert_eq!(more.len(), 9);
}

/// DISTINCT keeps one of each set of rows equal for Pig: nulls equal nulls, -0.0 equals
/// 0.0, NaN equals NaN; rows of unknown schema compare whole.
#[test]
fn distinct_rows_are_equal_as_pig_compares() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let load = order_data(tmp.path());
    write(tmp.path(), "o3", "\t0.0\t10\na\tNaN\t11\n\t\t12\n\t\t13\n");
    let load = load.replace("o{1,2}", "o{1,2,3}");
    let rows = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{load}d = FOREACH t GENERATE k, x;\ne = DISTINCT d;\nDUMP e;\n"),
    );
    let zero = rows
        .iter()
        .filter(|r| *r == "(,0.0)" || *r == "(,-0.0)")
        .count();
    assert_eq!(zero, 1, "{rows:?}");
    let mut others: Vec<&str> = rows
        .iter()
        .map(String::as_str)
        .filter(|r| *r != "(,0.0)" && *r != "(,-0.0)")
        .collect();
    others.sort();
    assert_eq!(
        others,
        [
            "(,)",
            "(,NaN)",
            "(a,)",
            "(a,-1.0)",
            "(a,NaN)",
            "(b,1.0)",
            "(ｈ,0.0)",
            "(😀,2.5)"
        ]
    );
    write(tmp.path(), "w", "x\t1\nx\t1\ny\ny\nx\t1\t\n");
    let untyped = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        "u = LOAD 'w';\nd = DISTINCT u;\nDUMP d;\n",
    );
    assert_eq!(untyped, ["(x,1)", "(x,1,)", "(y)"]);
}

/// UNION of inputs of different schemas: a common type where the fields' types differ,
/// bytearray where they have none, no schema where the widths differ.
#[test]
fn union_converts_each_input_into_the_union_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "x\t1\ny\t2\n");
    write(tmp.path(), "b", "z\t30000000000\n");
    let loads = "a = LOAD 'a' AS (k:chararray, n:int);\nb = LOAD 'b' AS (k:chararray, n:long);\nc = LOAD 'a' AS (n:int, k:chararray);\n";
    let widened = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{loads}u = UNION a, b;\nr = FOREACH u GENERATE k, n + 1L;\nDUMP r;\n"),
    );
    assert_eq!(widened, ["(x,2)", "(y,3)", "(z,30000000001)"]);
    let mixed = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{loads}u = UNION a, c;\nDUMP u;\n"),
    );
    assert_eq!(mixed, ["(,1)", "(,2)", "(x,1)", "(y,2)"]);
    let unknown = same_rows_with_and_without_the_optimizer(
        tmp.path(),
        &format!("{loads}w = LOAD 'b';\np = FOREACH a GENERATE k;\nu = UNION p, w, b;\nDUMP u;\n"),
    );
    assert_eq!(
        unknown,
        ["(x)", "(y)", "(z,30000000000)", "(z,30000000000)"]
    );
}

/// Runs each `(script body, expected rows)` after `load` with and without the optimizer
/// (which makes small joins replicated and LEFT OUTER joins filtered on a null right key
/// anti joins) and checks the rows.
fn check_rows(dir: &Path, load: &str, cases: &[(&str, &[&str])]) {
    for (body, expected) in cases {
        let script = format!("{load}{body}");
        let rows = same_rows_with_and_without_the_optimizer(dir, &script);
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(rows, expected, "{script}");
    }
}

/// Null keys match nothing (with several keys, a null part is enough) but keep their rows
/// on an outer side, by either strategy.
#[test]
fn joins_drop_null_keys_but_outer_sides_keep_their_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "1\tx\ta1\n1\t\ta2\n\tx\ta3\n2\ty\ta4\n");
    write(tmp.path(), "b", "1\tx\tb1\n1\t\tb2\n\tx\tb3\n3\tz\tb4\n");
    let load = "a = LOAD 'a' AS (k:int, k2:chararray, v:chararray);\n\
                b = LOAD 'b' AS (k:int, k2:chararray, w:chararray);\n";
    let matched = "(1,x,a1,1,x,b1)";
    let left: &[&str] = &["(1,,a2,,,)", "(,x,a3,,,)", "(2,y,a4,,,)"];
    let right: &[&str] = &["(,,,1,,b2)", "(,,,,x,b3)", "(,,,3,z,b4)"];
    let with = |sides: &[&[&'static str]]| -> Vec<&'static str> {
        let mut rows = vec![matched];
        for s in sides {
            rows.extend_from_slice(s);
        }
        rows
    };
    let (inner, lo, ro, full) = (
        with(&[]),
        with(&[left]),
        with(&[right]),
        with(&[left, right]),
    );
    check_rows(
        tmp.path(),
        load,
        &[
            ("j = JOIN a BY (k, k2), b BY (k, k2);\nDUMP j;\n", &inner),
            (
                "j = JOIN a BY (k, k2) LEFT OUTER, b BY (k, k2);\nDUMP j;\n",
                &lo,
            ),
            (
                "j = JOIN a BY (k, k2) LEFT OUTER, b BY (k, k2) USING 'replicated';\nDUMP j;\n",
                &lo,
            ),
            (
                "j = JOIN a BY (k, k2) RIGHT OUTER, b BY (k, k2);\nDUMP j;\n",
                &ro,
            ),
            (
                "j = JOIN a BY (k, k2) FULL OUTER, b BY (k, k2);\nDUMP j;\n",
                &full,
            ),
            (
                "j = JOIN a BY k, b BY k;\nDUMP j;\n",
                &[
                    "(1,x,a1,1,x,b1)",
                    "(1,x,a1,1,,b2)",
                    "(1,,a2,1,x,b1)",
                    "(1,,a2,1,,b2)",
                ],
            ),
            (
                "j = JOIN a BY k FULL OUTER, b BY k PARALLEL 3;\nDUMP j;\n",
                &[
                    "(1,x,a1,1,x,b1)",
                    "(1,x,a1,1,,b2)",
                    "(1,,a2,1,x,b1)",
                    "(1,,a2,1,,b2)",
                    "(,x,a3,,,)",
                    "(2,y,a4,,,)",
                    "(,,,,x,b3)",
                    "(,,,3,z,b4)",
                ],
            ),
        ],
    );
}

/// The rows of a LEFT OUTER join with no match, as the `anti_join` rule makes them (an
/// anti join) and as the filter keeps them, by either strategy; null keys included.
#[test]
fn anti_joins_keep_the_left_rows_without_a_match() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "1\ta\n2\tb\n\tc\n3\td\n");
    write(tmp.path(), "b", "1\tx\n1\ty\n\tz\n");
    let load = "a = LOAD 'a' AS (k:int, v:chararray);\nb = LOAD 'b' AS (k:int, w:chararray);\n";
    let unmatched: &[&str] = &["(2,b,,)", "(,c,,)", "(3,d,,)"];
    check_rows(
        tmp.path(),
        load,
        &[
            (
                "j = JOIN a BY k LEFT OUTER, b BY k;\nf = FILTER j BY b::k IS NULL;\nDUMP f;\n",
                unmatched,
            ),
            (
                "j = JOIN a BY k LEFT OUTER, b BY k USING 'replicated';\nf = FILTER j BY b::k IS NULL;\nDUMP f;\n",
                unmatched,
            ),
            (
                "j = JOIN a BY k LEFT OUTER, b BY k USING 'replicated';\nf = FILTER j BY b::k IS NULL;\np = FOREACH f GENERATE a::v, b::w;\nDUMP p;\n",
                &["(b,)", "(c,)", "(d,)"],
            ),
        ],
    );
    let plan = explained(
        tmp.path(),
        &format!(
            "{load}j = JOIN a BY k LEFT OUTER, b BY k;\nf = FILTER j BY b::k IS NULL;\nDUMP f;\n"
        ),
    );
    assert!(plan.contains("join_type=RightAnti"), "{plan}");
}

/// Joins of three inputs chain two-input joins; a replicated one builds a table per small
/// input.
#[test]
fn three_way_joins_match_every_input() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "1\ta1\n2\ta2\n1\ta3\n\ta4\n");
    write(tmp.path(), "b", "1\tb1\n2\tb2\n2\tb3\n\tb4\n");
    write(tmp.path(), "c", "1\tc1\n3\tc3\n1\tc2\n");
    let load = "a = LOAD 'a' AS (k:int, v:chararray);\n\
                b = LOAD 'b' AS (k:long, w:chararray);\n\
                c = LOAD 'c' AS (k:int, u:chararray);\n";
    let rows: &[&str] = &[
        "(1,a1,1,b1,1,c1)",
        "(1,a1,1,b1,1,c2)",
        "(1,a3,1,b1,1,c1)",
        "(1,a3,1,b1,1,c2)",
    ];
    check_rows(
        tmp.path(),
        load,
        &[
            ("j = JOIN a BY k, b BY k, c BY k;\nDUMP j;\n", rows),
            (
                "j = JOIN a BY k, b BY k, c BY k PARALLEL 4;\nDUMP j;\n",
                rows,
            ),
            (
                "j = JOIN a BY k, b BY k, c BY k USING 'replicated';\nDUMP j;\n",
                rows,
            ),
            (
                "j = JOIN c BY k, a BY k, b BY k USING 'replicated';\np = FOREACH j GENERATE c::u, a::v, b::w;\nDUMP p;\n",
                &["(c1,a1,b1)", "(c2,a1,b1)", "(c1,a3,b1)", "(c2,a3,b1)"],
            ),
        ],
    );
}

/// Keys compare as Pig values: -0.0 is 0.0 and NaN is NaN (floats and doubles), an int
/// key meets a long one, decimals ignore trailing zeros; the rows keep their own values.
#[test]
fn join_keys_compare_as_pig_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(
        tmp.path(),
        "a",
        "-0.0\tneg\t1\t1.0\n0.0\tpos\t2\t2.50\nNaN\tnan\t3\t3\n1.5\tone\t4\t4.1\n",
    );
    write(
        tmp.path(),
        "b",
        "0.0\tzero\t1\t1.00\nNaN\tn2\t4294967298\t2.5\n-0.0\tnz\t3\t3.0\n",
    );
    let load = "a = LOAD 'a' AS (d:double, v:chararray, i:int, m:bigdecimal);\n\
                b = LOAD 'b' AS (d:double, w:chararray, l:long, m:bigdecimal);\n\
                fa = LOAD 'a' AS (d:float, v:chararray);\n\
                fb = LOAD 'b' AS (d:float, w:chararray);\n";
    let doubles: &[&str] = &[
        "(neg,zero)",
        "(neg,nz)",
        "(pos,zero)",
        "(pos,nz)",
        "(nan,n2)",
    ];
    check_rows(
        tmp.path(),
        load,
        &[
            (
                "j = JOIN a BY d, b BY d;\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                doubles,
            ),
            (
                "j = JOIN a BY d, b BY d USING 'replicated';\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                doubles,
            ),
            (
                "j = JOIN fa BY d, fb BY d;\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                doubles,
            ),
            (
                "j = JOIN a BY d, b BY d;\np = FOREACH j GENERATE a::d, b::d;\nDUMP p;\n",
                &[
                    "(-0.0,0.0)",
                    "(-0.0,-0.0)",
                    "(0.0,0.0)",
                    "(0.0,-0.0)",
                    "(NaN,NaN)",
                ],
            ),
            (
                "j = JOIN a BY i, b BY l;\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                &["(neg,zero)", "(nan,nz)"],
            ),
            (
                "j = JOIN a BY (i, d), b BY (l, d);\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                &["(neg,zero)"],
            ),
            (
                "j = JOIN a BY m, b BY m;\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                &["(neg,zero)", "(pos,n2)", "(nan,nz)"],
            ),
            (
                "j = JOIN a BY m LEFT OUTER, b BY m USING 'replicated';\np = FOREACH j GENERATE v, w;\nDUMP p;\n",
                &["(neg,zero)", "(pos,n2)", "(nan,nz)", "(one,)"],
            ),
        ],
    );
}

/// A join with an input of unknown schema gives rows of unknown width: the fields of each
/// input in turn; an unmatched input of known schema gives its nulls, one of unknown
/// schema nothing.
#[test]
fn joins_of_relations_without_a_schema_concatenate_their_rows() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "1\tp\textra\n2\tq\n");
    write(tmp.path(), "b", "1\tx\n5\tz\n");
    let load = "a = LOAD 'a';\nb = LOAD 'b' AS (k:int, w:chararray);\n";
    check_rows(
        tmp.path(),
        load,
        &[
            ("j = JOIN a BY $0, b BY k;\nDUMP j;\n", &["(1,p,extra,1,x)"]),
            (
                "j = JOIN a BY $0 LEFT OUTER, b BY k;\nDUMP j;\n",
                &["(1,p,extra,1,x)", "(2,q,,)"],
            ),
            (
                "j = JOIN b BY k LEFT OUTER, a BY $0;\nDUMP j;\n",
                &["(1,x,1,p,extra)", "(5,z)"],
            ),
            (
                "j = JOIN b BY k FULL OUTER, a BY $0;\nDUMP j;\n",
                &["(1,x,1,p,extra)", "(5,z)", "(,,2,q)"],
            ),
            (
                "j = JOIN a BY $0 LEFT OUTER, b BY k;\nf = FILTER j BY $3 IS NULL;\nDUMP f;\n",
                &["(2,q,,)"],
            ),
        ],
    );
}

/// EXPLAIN's stage plan and the statistics of a run come from the same lowering: for each
/// seed script, the stages EXPLAIN lists (number, name, tasks, feature tags) are the stages
/// the run reports.
#[test]
fn explain_lists_the_stages_that_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let pages = data("pagecounts");
    let restrictions = pages.join("restrictions.txt");
    let runs: [(&str, Vec<String>); 3] = [
        (
            "top20.pig",
            vec![
                format!("in={}", pages.display()),
                format!("restrictions={}", restrictions.display()),
            ],
        ),
        (
            "wordcount.pig",
            vec![format!("in={}", data("wordcount").display())],
        ),
        (
            "ngrams.pig",
            vec![format!("in={}", data("ngrams").display())],
        ),
    ];
    for (name, params) in runs {
        let out_dir = tmp.path().join(name);
        let mut args: Vec<String> = Vec::new();
        for p in params.iter().chain([&format!("out={}", out_dir.display())]) {
            args.push("-p".into());
            args.push(p.clone());
        }
        let mut explain = vec!["explain".to_string(), script(name)];
        explain.extend(args.iter().cloned());
        let explain: Vec<&str> = explain.iter().map(String::as_str).collect();
        let text = ok(&run(tmp.path(), &explain));
        let explained: Vec<String> = text
            .split("# Stage plan")
            .nth(1)
            .and_then(|t| t.split("# Physical plan").next())
            .expect("a stage plan")
            .lines()
            .filter(|l| l.starts_with("Stage "))
            .map(|l| {
                // "Stage 3 AggregateReduce (2 tasks) <- stage 1: features=[...]"
                let (head, features) = l.split_once(": features=").expect("features");
                let head = head.split(" <- ").next().unwrap_or(head);
                format!("{head} {features}")
            })
            .collect();
        assert!(!explained.is_empty(), "{text}");

        let json_path = tmp.path().join(format!("{name}.json"));
        let mut runargs = vec![
            "run".to_string(),
            script(name),
            "--stats-json".into(),
            json_path.display().to_string(),
        ];
        runargs.extend(args.iter().cloned());
        let runargs: Vec<&str> = runargs.iter().map(String::as_str).collect();
        ok(&run(tmp.path(), &runargs));
        let json: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).expect("stats"))
                .expect("json");
        let ran: Vec<String> = json["stages"]
            .as_array()
            .expect("stages")
            .iter()
            .map(|s| {
                let tasks = s["tasks"].as_u64().unwrap_or(0);
                let features: Vec<&str> = s["features"]
                    .as_array()
                    .expect("features")
                    .iter()
                    .filter_map(|f| f.as_str())
                    .collect();
                format!(
                    "Stage {} {} ({tasks} {}) [{}]",
                    s["id"],
                    s["name"].as_str().unwrap_or(""),
                    if tasks == 1 { "task" } else { "tasks" },
                    features.join(",")
                )
            })
            .collect();
        assert_eq!(explained, ran, "{name}:\n{text}");
    }
}

/// `-p` and `-m` values are read as Pig reads them: quotes go, and a value may use the parameters given before it; text
/// after `$` that is no parameter name (Perl's `$_`) stays as written.
#[test]
fn parameters_are_read_as_pig_reads_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "b c\t1\nit's\t2\nx\t3\n");
    write(tmp.path(), "params", "# a comment\nfirst = 'b c'\n");
    write(
        tmp.path(),
        "s.pig",
        "A = LOAD '$file' AS (s:chararray, n:int);\nB = FILTER A BY s == '$first' OR n == $second;\nC = STREAM B THROUGH `perl -ne 'print $_'` AS (s:chararray, n:int);\nDUMP C;\n",
    );
    let out = ok(&run(
        tmp.path(),
        &[
            "run",
            "s.pig",
            "-m",
            "params",
            "-p",
            "dir='.'",
            "-p",
            "file=\"$dir/data\"",
            "-p",
            "second=\"2\"",
        ],
    ));
    assert_eq!(out, "(b c,1)\n(it's,2)\n");
    let out = run(tmp.path(), &["run", "s.pig", "-p", "file=$nope"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`nope`") && err.contains("`file`"), "{err}");
}

/// Pig checks every statement before running any: an unknown load or store function is
/// an error even on a relation no output uses, and nothing runs.
#[test]
fn every_statement_is_checked_even_one_no_output_uses() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "data", "1\n");
    for (script, wanted) in [
        (
            "A = LOAD 'data' AS (n:int);\nDUMP A;\nZ = LOAD 'data' USING NoSuchLoader();\n",
            "unknown load function: NoSuchLoader",
        ),
        (
            "A = LOAD 'data' AS (n:int);\nDUMP A;\nSTORE A INTO 'out' USING NoSuchStorer();\n",
            "unknown store function: NoSuchStorer",
        ),
    ] {
        write(tmp.path(), "s.pig", script);
        let out = run(tmp.path(), &["run", "s.pig"]);
        assert!(!out.status.success(), "{script}");
        assert!(out.stdout.is_empty(), "{script}: something ran");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(wanted) && err.contains("s.pig:3:"), "{err}");
    }
}

/// Where Pig numbers a mistake, the diagnostic carries Pig's code and the gist of its
/// message, and keeps pigrs's location and "did you mean".
#[test]
fn errors_carry_pig_codes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let load = "A = LOAD 'data' AS (name:chararray, age:int);\n";
    for (body, code, gist, help) in [
        (
            "B = FOREACH A GENERATE nmae;",
            "ERROR 1025",
            "Invalid field projection. Projected field [nmae] does not exist",
            Some("did you mean `name`?"),
        ),
        (
            "B = FOREACH A GENERAT name;",
            "ERROR 1000",
            "Error during parsing: unexpected `GENERAT`",
            None,
        ),
        (
            "B = FOREACH A GENERATE SUMM(age);",
            "ERROR 1070",
            "Could not resolve `SUMM`",
            Some("did you mean `SUM`?"),
        ),
        (
            "B = FOREACH A GENERATE name + 1;",
            "ERROR 1039",
            "incompatible types in Add Operator left hand side:chararray right hand side:int",
            None,
        ),
        (
            "B = FOREACH A GENERATE name, age AS name;",
            "ERROR 1108",
            "Duplicate schema alias: `name`",
            None,
        ),
        (
            "B = FOREACH X GENERATE name;",
            "ERROR 1000",
            "Undefined alias: `X`",
            None,
        ),
    ] {
        write(tmp.path(), "s.pig", &format!("{load}{body}\n"));
        let out = run(tmp.path(), &["run", "s.pig"]);
        assert!(!out.status.success(), "{body}");
        let err = String::from_utf8_lossy(&out.stderr);
        // miette wraps long messages: compare with the line breaks and bars removed.
        let flat = err
            .lines()
            .map(|l| l.trim().trim_start_matches(['×', '│']).trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(err.contains(code), "{body}: {err}");
        assert!(flat.contains(gist), "{body}: {err}");
        assert!(err.contains("s.pig:2:"), "{body}: {err}");
        if let Some(h) = help {
            assert!(err.contains(h), "{body}: {err}");
        }
    }
}
