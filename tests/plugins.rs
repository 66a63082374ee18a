//! End-to-end tests of Rust UDF plugins: build the example plugin (`plugin/example`,
//! `libmyudfs.so`) and a library built for another ABI (`plugin/fixtures/other-abi`), then
//! run scripts that register and call them.

use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

fn pigrs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

/// The file name of library `name` on this platform (`libname.so` on Linux).
fn lib_name(name: &str) -> String {
    format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// Builds the plugin fixtures once per test run, with cargo, into a target folder of
/// their own (a nested cargo on the folder of the build running these tests would wait
/// for its lock), and returns the folder holding the libraries.
fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-fixtures");
        let out = Command::new(env!("CARGO"))
            .current_dir(repo())
            .args([
                "build",
                "--release",
                "-p",
                "pigrs-plugin-example",
                "-p",
                "pigrs-plugin-other-abi",
                "--target-dir",
            ])
            .arg(&target)
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building the plugin fixtures failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        target.join("release")
    })
}

fn myudfs() -> PathBuf {
    fixtures().join(lib_name("myudfs"))
}

const DATA: &str = "alice\t3\t1.5\nbob\t4\t2.5\nbad_carol\t5\t3.5\n\t6\t4.5\nboom\t7\t5.5\n";

/// A folder with the data file `in.txt` and a copy of the example plugin.
fn workdir() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("in.txt"), DATA).expect("data");
    std::fs::copy(myudfs(), tmp.path().join(lib_name("myudfs"))).expect("copy plugin");
    tmp
}

/// Runs the script `text` saved as `name` in `dir`, from `dir`.
fn run_script(dir: &Path, name: &str, text: &str) -> Output {
    std::fs::write(dir.join(name), text).expect("script");
    pigrs()
        .current_dir(dir)
        .args(["run", name])
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

/// The run failed with pigrs's error status (not a signal); returns its stderr, with the
/// report's line wrapping undone (runs of spaces and `│` margins become one space).
fn failed(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.signal(), None, "pigrs was killed:\n{err}");
    assert_eq!(out.status.code(), Some(1), "pigrs did not fail:\n{err}");
    err.replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn eval_filter_overloaded_and_constructor_functions_run_from_a_script() {
    let tmp = workdir();
    let out = run_script(
        tmp.path(),
        "a.pig",
        &format!(
            "REGISTER '{lib}';
DEFINE Pad myudfs.Pad('*', '8');
A = LOAD 'in.txt' AS (name: chararray, n: int, x: double);
B = FILTER A BY myudfs.IsGood(name);
C = FOREACH B GENERATE myudfs.Reverse(name), myudfs.Add(n, n), myudfs.Add(x, n), Pad(name), myudfs.Words(name);
DESCRIBE C;
DUMP C;
",
            lib = lib_name("myudfs")
        ),
    );
    assert_eq!(
        ok(&out),
        "C: {chararray,int,double,chararray,{(word: chararray)}}\n\
         (ecila,6,4.5,***alice,{(alice)})\n\
         (bob,8,6.5,*****bob,{(bob)})\n\
         (moob,14,12.5,****boom,{(boom)})\n"
    );
}

#[test]
fn register_reads_relative_paths_and_globs_from_the_script_folder() {
    let tmp = workdir();
    let scripts = tmp.path().join("scripts");
    std::fs::create_dir_all(scripts.join("lib")).expect("dirs");
    std::fs::copy(myudfs(), scripts.join("lib").join(lib_name("myudfs"))).expect("copy");
    let script = scripts.join("g.pig");
    std::fs::write(
        &script,
        "REGISTER 'lib/*';\nA = LOAD 'in.txt' AS (name: chararray);\nB = FOREACH A GENERATE myudfs.Reverse(name);\nDUMP B;\n",
    )
    .expect("script");
    // Run from the data's folder: the plugin is found next to the script, not here.
    std::fs::remove_file(tmp.path().join(lib_name("myudfs"))).expect("remove copy");
    let out = pigrs()
        .current_dir(tmp.path())
        .arg("run")
        .arg(&script)
        .output()
        .expect("pigrs runs");
    assert_eq!(ok(&out), "(ecila)\n(bob)\n(lorac_dab)\n()\n(moob)\n");
    std::fs::write(&script, "REGISTER 'nothing/*.so';\n").expect("script");
    let out = pigrs()
        .current_dir(tmp.path())
        .arg("run")
        .arg(&script)
        .output()
        .expect("pigrs runs");
    assert!(failed(&out).contains("no file matches 'nothing/*.so'"));
}

#[test]
fn a_panicking_function_fails_the_run_naming_the_function_line_and_row() {
    let tmp = workdir();
    let out = run_script(
        tmp.path(),
        "p.pig",
        &format!(
            "REGISTER '{}';
A = LOAD 'in.txt' AS (name: chararray, n: int);
B = FOREACH A GENERATE name,
        myudfs.Explode(name);
DUMP B;
",
            lib_name("myudfs")
        ),
    );
    let err = failed(&out);
    assert!(
        err.contains("myudfs.Explode failed on input (boom): panicked at"),
        "{err}"
    );
    assert!(err.contains("cannot measure \"boom\""), "{err}");
    assert!(err.contains("p.pig:4:9"), "{err}");
    // The plugin's panic hook stays quiet: the error says it all, once.
    assert!(!err.contains("thread '"), "{err}");
}

#[test]
fn the_shell_goes_on_after_a_plugin_panics() {
    let tmp = workdir();
    let mut child = pigrs()
        .current_dir(tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pigrs starts");
    let input = format!(
        "REGISTER '{}';\nA = LOAD 'in.txt' AS (name: chararray);\nB = FOREACH A GENERATE myudfs.Explode(name);\nDUMP B;\nREGISTER 'libmissing.so';\nD = FOREACH A GENERATE other.F(name);\nC = FOREACH A GENERATE myudfs.Reverse(name);\nDUMP C;\nquit\n",
        lib_name("myudfs")
    );
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("pigrs ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.signal(), None, "{stderr}");
    assert!(
        stderr.contains("myudfs.Explode failed on input (boom)"),
        "{stderr}"
    );
    // After a failed REGISTER, a call of an unknown plugin function says why.
    assert!(
        stderr.contains("unknown function `other.F`: a REGISTER failed"),
        "{stderr}"
    );
    assert!(!stderr.contains("a bug in pigrs"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&out.stdout).ends_with("(ecila)\n(bob)\n(lorac_dab)\n()\n(moob)\n"),
        "{}\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Registers `file` (a name in `dir`) and calls a function from it.
fn register(dir: &Path, file: &str) -> String {
    let out = run_script(
        dir,
        "r.pig",
        &format!(
            "REGISTER '{file}';\nA = LOAD 'in.txt' AS (name: chararray);\nB = FOREACH A GENERATE myudfs.Reverse(name);\nDUMP B;\n"
        ),
    );
    failed(&out)
}

#[test]
fn libraries_for_another_abi_and_files_that_are_not_plugins_are_refused() {
    let tmp = workdir();
    let other = lib_name("other_abi");
    std::fs::copy(fixtures().join(&other), tmp.path().join(&other)).expect("copy");
    let err = register(tmp.path(), &other);
    assert!(
        err.contains("was built for pigrs plugin ABI 999; this pigrs loads ABI 1"),
        "{err}"
    );
    assert!(
        err.contains("rebuild the plugin against pigrs-plugin"),
        "{err}"
    );
    assert!(err.contains("r.pig:1:10"), "{err}");
    // Nothing else is reported for the calls of a library that did not load.
    assert!(!err.contains("unknown function"), "{err}");

    std::fs::write(tmp.path().join("libtext.so"), "not a library\n").expect("write");
    let err = register(tmp.path(), "libtext.so");
    assert!(err.contains("libtext.so is not a pigrs plugin"), "{err}");
    assert!(err.contains("r.pig:1:10"), "{err}");

    let err = register(tmp.path(), "libmissing.so");
    assert!(err.contains("cannot read plugin libmissing.so"), "{err}");

    let err = register(tmp.path(), "myudfs.jar");
    assert!(err.contains("pigrs cannot run Java"), "{err}");
    assert!(err.contains("REGISTER 'libmyudfs.so'"), "{err}");
    assert!(err.contains("r.pig:1:10"), "{err}");

    let err = register(tmp.path(), "myudfs.py");
    assert!(err.contains("REGISTER of Java or script UDFs"), "{err}");
}

/// Runs `body` after registering the example plugin and loading `in.txt` as `A`.
fn with_myudfs(dir: &Path, body: &str) -> Output {
    let head = format!(
        "REGISTER '{}';\nA = LOAD 'in.txt' AS (name: chararray, n: int);\n",
        lib_name("myudfs")
    );
    run_script(dir, "s.pig", &(head + body))
}

#[test]
fn unknown_functions_and_refused_arguments_point_at_the_script() {
    let tmp = workdir();
    let body = "B = FOREACH A GENERATE myudfs.Reverze(name);\nDUMP B;\n";
    let err = failed(&with_myudfs(tmp.path(), body));
    assert!(err.contains("has no function `Reverze`"), "{err}");
    assert!(err.contains("did you mean `myudfs.Reverse`?"), "{err}");
    assert!(err.contains("registered here"), "{err}");

    let body = "DEFINE P myudfs.Pad('ab', '3');\nB = FOREACH A GENERATE P(name);\nDUMP B;\n";
    let err = failed(&with_myudfs(tmp.path(), body));
    assert!(
        err.contains("myudfs.Pad: the fill must be one character, not 'ab'"),
        "{err}"
    );
    assert!(err.contains("defined here"), "{err}");

    let body = "B = FOREACH A GENERATE myudfs.Add(name, n);\nDUMP B;\n";
    let err = failed(&with_myudfs(tmp.path(), body));
    assert!(
        err.contains("myudfs.Add: takes (int, int) or (double, double), not (chararray, int)"),
        "{err}"
    );
}

#[test]
fn an_algebraic_function_runs_in_the_combiner() {
    let tmp = workdir();
    std::fs::write(tmp.path().join("kv.txt"), "a\t1\nb\t2\na\t3\nc\t4\nb\t5\n").expect("data");
    let script = format!(
        "REGISTER '{}';
A = LOAD 'kv.txt' AS (k: chararray, x: int);
G = GROUP A BY k;
S = FOREACH G GENERATE group, myudfs.SumSquares(A.x);
DUMP S;
",
        lib_name("myudfs")
    );
    std::fs::write(tmp.path().join("s.pig"), &script).expect("script");
    let explain = ok(&pigrs()
        .current_dir(tmp.path())
        .args(["explain", "s.pig"])
        .output()
        .expect("pigrs runs"));
    assert!(
        explain.contains("Aggregate [S]: keys=[$0], aggs=[myudfs.SumSquares($1)]"),
        "{explain}"
    );
    assert!(
        explain.contains("Stage 1 Scan (1 task): features=[COMBINER]"),
        "{explain}"
    );
    let run = |extra: &[&str]| {
        ok(&pigrs()
            .current_dir(tmp.path())
            .arg("run")
            .args(extra)
            .arg("s.pig")
            .output()
            .expect("pigrs runs"))
    };
    let combined = run(&["--stats-json", "stats.json"]);
    assert_eq!(combined, "(a,10.0)\n(b,29.0)\n(c,16.0)\n");
    assert_eq!(run(&["--no-optimize"]), combined);
    let stats = std::fs::read_to_string(tmp.path().join("stats.json")).expect("stats");
    let stats: serde_json::Value = serde_json::from_str(&stats).expect("JSON");
    let scan = &stats["stages"][0];
    assert_eq!(scan["combine_records_in"], 5, "{stats}");
    assert_eq!(scan["combine_records_out"], 3, "{stats}");
}

/// Plugin calls in the row operators (a nested FOREACH block after a GROUP, a FILTER after
/// it), where rows are Pig tuples rather than Arrow columns.
#[test]
fn plugin_functions_run_in_nested_blocks_and_after_a_group() {
    let tmp = workdir();
    std::fs::write(
        tmp.path().join("kv.txt"),
        "a\t1\nb\t2\na\t3\nc\t4\nb\t5\nbad\t6\n",
    )
    .expect("data");
    let body = "K = LOAD 'kv.txt' AS (k: chararray, x: int);
G = GROUP K BY k;
DEFINE P myudfs.Pad('-', '4');
S = FOREACH G {
    big = FILTER K BY myudfs.IsGood(k) AND x > 1;
    rev = FOREACH big GENERATE myudfs.Reverse(CONCAT(k, 'y'));
    n = myudfs.SumSquares(big.x);
    GENERATE group, myudfs.Reverse(CONCAT(group, 'z')), n, P(group), rev;
};
T = FILTER S BY myudfs.IsGood(group);
U = ORDER T BY group;
DUMP U;
";
    assert_eq!(
        ok(&with_myudfs(tmp.path(), body)),
        "(a,za,9.0,---a,{(ya)})\n(b,zb,29.0,---b,{(yb),(yb)})\n(c,zc,16.0,---c,{(yc)})\n"
    );
}

/// The plugin UcFirst that bench/plugin.sh times against the built-in gives its results.
#[test]
fn the_benchmarks_plugin_function_matches_the_built_in() {
    let tmp = workdir();
    let body = "B = FOREACH A GENERATE UCFIRST(name), myudfs.UcFirst(name);\nDUMP B;\n";
    let out = ok(&with_myudfs(tmp.path(), body));
    assert_eq!(out.lines().count(), 5, "{out}");
    for line in out.lines() {
        let (builtin, plugin) = line
            .trim_matches(['(', ')'])
            .split_once(',')
            .expect("two fields");
        assert_eq!(builtin, plugin, "{out}");
    }
    assert!(out.contains("(Alice,Alice)"), "{out}");
}

/// An accumulator sees a group's bag in chunks: a bag of many chunks, larger than the
/// memory pool (so it spills), gives the same answer as reading it whole would, in a
/// GENERATE and in a nested block; an empty bag gives the function's answer for no tuples.
#[test]
fn an_accumulator_sees_a_bag_larger_than_memory_in_chunks() {
    let tmp = workdir();
    let mut text = String::new();
    let mut longest_cold = String::new();
    for i in 0..150_000u32 {
        // Wide values, so the hot group's bag is several times its share of the pool.
        let mut s = format!("w{i:06}{}", "x".repeat(90 + (i * 7919 % 13) as usize));
        if i == 77_777 {
            s.push_str("-the-longest");
        }
        let key = if i % 10 == 0 { "cold" } else { "hot" };
        if key == "cold" && s.len() > longest_cold.len() {
            longest_cold = s.clone();
        }
        text.push_str(&format!("{key}\t{i}\t{s}\n"));
    }
    std::fs::write(tmp.path().join("big.txt"), text).expect("data");
    let script = format!(
        "REGISTER '{}';
SET pigrs.memory 48000000;
A = LOAD 'big.txt' AS (k: chararray, n: int, s: chararray);
G = GROUP A BY k;
L = FOREACH G {{
    none = FILTER A BY n < 0;
    GENERATE group, myudfs.Longest(A.s), myudfs.Longest(none.s), COUNT(A);
}};
DUMP L;
",
        lib_name("myudfs")
    );
    std::fs::write(tmp.path().join("l.pig"), &script).expect("script");
    let out = pigrs()
        .current_dir(tmp.path())
        .args(["run", "l.pig", "--stats-json", "stats.json"])
        .output()
        .expect("pigrs runs");
    let got = ok(&out);
    let mut lines: Vec<&str> = got.lines().collect();
    lines.sort();
    let hot = format!(
        "w077777{}-the-longest",
        "x".repeat(90 + (77_777 * 7919 % 13))
    );
    assert_eq!(
        lines,
        [
            format!("(cold,{longest_cold},,15000)"),
            format!("(hot,{hot},,135000)"),
        ]
    );
    let stats = std::fs::read_to_string(tmp.path().join("stats.json")).expect("stats");
    let stats: serde_json::Value = serde_json::from_str(&stats).expect("JSON");
    let spilled: u64 = stats["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .filter(|s| {
            s["features"]
                .as_array()
                .is_some_and(|f| f.iter().any(|t| t == "NESTED_FOREACH"))
        })
        .map(|s| s["spilled_records"].as_u64().expect("spilled_records"))
        .sum();
    assert!(spilled > 0, "the bags did not spill: {stats}");
}

/// A plugin's load and store functions: LOAD without AS takes the loader's schema, LOAD
/// with AS casts its fields; STORE writes the storer's records into part files that the
/// loader reads back; a storer refuses a relation of the wrong width at the STORE, a row
/// it cannot write fails the run with nothing stored, and a line the loader refuses is
/// named by file and line.
#[test]
fn load_and_store_functions_read_and_write_a_custom_format() {
    let tmp = workdir();
    std::fs::write(
        tmp.path().join("fixed.txt"),
        "alice  3 x\nbob   42 y\n\ncarol  7  \n",
    )
    .expect("data");
    let head = format!("REGISTER '{}';\n", lib_name("myudfs"));
    let body = "A = LOAD 'fixed.txt' USING myudfs.FixedWidthLoader('5,3,2');
DESCRIBE A;
B = LOAD 'fixed.txt' USING myudfs.FixedWidthLoader('5,3,2') AS (name: chararray, n: int, t: chararray);
C = FOREACH B GENERATE name, n + 1;
DUMP C;
STORE B INTO 'out' USING myudfs.FixedWidthStorer('6,4,2');
";
    let out = ok(&run_script(tmp.path(), "s.pig", &(head.clone() + body)));
    assert!(
        out.starts_with("A: {f1: chararray,f2: chararray,f3: chararray}\n"),
        "{out}"
    );
    assert!(out.ends_with("(alice,4)\n(bob,43)\n(carol,8)\n"), "{out}");
    let mut stored = String::new();
    let mut parts: Vec<_> = std::fs::read_dir(tmp.path().join("out"))
        .expect("out")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("part-"))
        })
        .collect();
    parts.sort();
    for p in parts {
        stored.push_str(&std::fs::read_to_string(p).expect("part"));
    }
    assert_eq!(stored, "alice 3   x \nbob   42  y \ncarol 7     \n");
    // Read back with the loader.
    let body = "R = LOAD 'out' USING myudfs.FixedWidthLoader('6,4,2') AS (name, n: int, t);
DUMP R;
";
    let out = ok(&run_script(tmp.path(), "r.pig", &(head.clone() + body)));
    assert_eq!(out, "(alice,3,x)\n(bob,42,y)\n(carol,7,)\n");

    // The storer refuses two fields for three columns, at the STORE.
    let body = "A = LOAD 'fixed.txt' USING myudfs.FixedWidthLoader('5,3,2');
B = FOREACH A GENERATE f1, f2;
STORE B INTO 'out2' USING myudfs.FixedWidthStorer('6,4,2');
";
    let err = failed(&run_script(tmp.path(), "w.pig", &(head.clone() + body)));
    assert!(
        err.contains("myudfs.FixedWidthStorer cannot store B: it has 2 fields for 3 columns"),
        "{err}"
    );
    // A value wider than its column fails the run, and nothing is stored.
    let body = "A = LOAD 'fixed.txt' USING myudfs.FixedWidthLoader('5,3,2');
STORE A INTO 'out3' USING myudfs.FixedWidthStorer('4,3,2');
";
    let err = failed(&run_script(tmp.path(), "v.pig", &(head.clone() + body)));
    assert!(
        err.contains("myudfs.FixedWidthStorer failed on row (alice,3,x): `alice` is wider than its column (4)"),
        "{err}"
    );
    assert!(!tmp.path().join("out3").exists());
    // A line the loader refuses: its file and line.
    std::fs::write(tmp.path().join("bad.txt"), b"alice  3 x\nb\xffb   4 y\n").expect("data");
    let body = "A = LOAD 'bad.txt' USING myudfs.FixedWidthLoader('5,3,2');\nDUMP A;\n";
    let err = failed(&run_script(tmp.path(), "b.pig", &(head.clone() + body)));
    assert!(
        err.contains("bad.txt:2: myudfs.FixedWidthLoader failed"),
        "{err}"
    );
    assert!(err.contains("the line is not UTF-8"), "{err}");
    // A load function is not an eval function, and the other way round.
    let body = "A = LOAD 'fixed.txt' USING myudfs.Reverse();\nDUMP A;\n";
    let err = failed(&run_script(tmp.path(), "k.pig", &(head.clone() + body)));
    assert!(
        err.contains("myudfs.Reverse is not a load function"),
        "{err}"
    );
    let body = "A = LOAD 'in.txt' AS (name: chararray);
B = FOREACH A GENERATE myudfs.FixedWidthLoader(name);
DUMP B;
";
    let err = failed(&run_script(tmp.path(), "e.pig", &(head + body)));
    assert!(
        err.contains("myudfs.FixedWidthLoader is a load function"),
        "{err}"
    );
}

/// Sort keys that call a plugin function: a nested ORDER and a RANK order by the function's
/// results (the calls go in batches, see `EvalCtx::sort_keys`).
#[test]
fn nested_order_and_rank_sort_by_plugin_keys() {
    let tmp = workdir();
    std::fs::write(tmp.path().join("kv.txt"), "a\tzb\na\tya\na\txc\nb\tq\n").expect("data");
    let body = "K = LOAD 'kv.txt' AS (k: chararray, w: chararray);
G = GROUP K BY k;
S = FOREACH G { o = ORDER K BY myudfs.Reverse(w); GENERATE group, o.w; };
R = RANK K BY myudfs.Reverse(w) DESC;
DUMP S;
DUMP R;
";
    let out = ok(&with_myudfs(tmp.path(), body));
    // Reversed: bz, ay, cx, q; ascending in the bag: ya, zb, xc; descending in the rank.
    assert_eq!(
        out,
        "(a,{(ya),(zb),(xc)})\n(b,{(q)})\n(1,b,q)\n(2,a,xc)\n(3,a,zb)\n(4,a,ya)\n"
    );
}
