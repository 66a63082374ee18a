//! End-to-end tests of UNION ONSCHEMA, relations used as scalars, ASSERT, RANK, CUBE/ROLLUP,
//! STREAM, PluckTuple and DataFu's and Piggybank's functions: run the `pigrs` binary on small scripts and check what DUMP
//! prints and how failures are reported.

use std::path::Path;
use std::process::{Command, Output};

fn run_script(dir: &Path, script: &str) -> Output {
    std::fs::write(dir.join("s.pig"), script).expect("write script");
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
        .current_dir(dir)
        .args(["run", "s.pig"])
        .output()
        .expect("pigrs runs")
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

/// The lines the script prints, sorted (row order is not defined without ORDER).
fn sorted_lines(dir: &Path, script: &str) -> Vec<String> {
    let out = run_script(dir, script);
    assert!(
        out.status.success(),
        "pigrs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Runs a script that must fail; returns its stderr.
fn failure(dir: &Path, script: &str) -> String {
    let out = run_script(dir, script);
    assert!(!out.status.success(), "pigrs succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn union_onschema_fills_missing_fields_with_nulls() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "f1", "11\t12.0\n");
    write(tmp.path(), "f2", "11\ta\n");
    let lines = sorted_lines(
        tmp.path(),
        "L1 = LOAD 'f1' AS (a:int, b:float);\nL2 = LOAD 'f2' AS (a:long, c:chararray);\nU = UNION ONSCHEMA L1, L2;\nDUMP U;\n",
    );
    assert_eq!(lines, ["(11,,a)", "(11,12.0,)"]);
}

#[test]
fn a_one_row_relation_is_usable_as_a_scalar() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "d", "u1\t1\nu2\t3\n");
    let lines = sorted_lines(
        tmp.path(),
        "A = LOAD 'd' AS (u:chararray, n:int);\nB = GROUP A ALL;\nC = FOREACH B GENERATE SUM(A.n) AS total, MAX(A.n) AS top;\nD = FOREACH A GENERATE u, n * 100 / C.total, C.top;\nDUMP D;\n",
    );
    assert_eq!(lines, ["(u1,25,3)", "(u2,75,3)"]);
}

#[test]
fn a_scalar_with_several_rows_fails_and_an_empty_one_is_null() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "d", "1\n2\n");
    let err = failure(
        tmp.path(),
        "A = LOAD 'd' AS (n:int);\nB = FOREACH A GENERATE n + A.n;\nDUMP B;\n",
    );
    assert!(err.contains("Scalar has more than one row"), "{err}");
    assert!(err.contains("s.pig:2:"), "{err}");
    let lines = sorted_lines(
        tmp.path(),
        "A = LOAD 'd' AS (n:int);\nE = FILTER A BY n > 5;\nB = FOREACH A GENERATE n, E.n;\nDUMP B;\n",
    );
    assert_eq!(lines, ["(1,)", "(2,)"]);
}

#[test]
fn assert_passes_rows_or_fails_with_the_message() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "d", "1\t2\n4\t5\n");
    let lines = sorted_lines(
        tmp.path(),
        "A = LOAD 'd' AS (a:int, b:int);\nASSERT A BY a > 0, 'a must be positive';\nDUMP A;\n",
    );
    assert_eq!(lines, ["(1,2)", "(4,5)"]);
    let err = failure(
        tmp.path(),
        "A = LOAD 'd' AS (a:int, b:int);\nASSERT A BY a > 2, 'a must exceed 2';\nDUMP A;\n",
    );
    assert!(err.contains("Assertion violated: a must exceed 2"), "{err}");
    assert!(err.contains("s.pig:2:"), "{err}");
}

#[test]
fn rank_numbers_rows_by_position_or_by_keys() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "d", "b\t2\na\t1\nb\t2\nc\t0\n");
    let out = run_script(
        tmp.path(),
        "A = LOAD 'd' AS (s:chararray, n:int);\nB = RANK A;\nDUMP B;\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "(1,b,2)\n(2,a,1)\n(3,b,2)\n(4,c,0)\n"
    );
    let out = run_script(
        tmp.path(),
        "A = LOAD 'd' AS (s:chararray, n:int);\nB = RANK A BY n DESC;\nC = RANK A BY n DESC DENSE;\nDUMP B;\nDUMP C;\n",
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "(1,b,2)\n(1,b,2)\n(3,a,1)\n(4,c,0)\n(1,b,2)\n(1,b,2)\n(2,a,1)\n(3,c,0)\n"
    );
}

#[test]
fn cube_and_rollup_aggregate_every_combination() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "s", "car\t2012\t10\ncar\t2013\t5\nbike\t\t1\n");
    let lines = sorted_lines(
        tmp.path(),
        "S = LOAD 's' AS (p:chararray, y:chararray, n:long);\nC = CUBE S BY CUBE(p, y);\nR = FOREACH C GENERATE FLATTEN(group), SUM(cube.n);\nDUMP R;\n",
    );
    assert_eq!(
        lines,
        [
            "(,,16)",
            "(,2012,10)",
            "(,2013,5)",
            "(,unknown,1)",
            "(bike,,1)",
            "(bike,unknown,1)",
            "(car,,15)",
            "(car,2012,10)",
            "(car,2013,5)",
        ]
    );
    let lines = sorted_lines(
        tmp.path(),
        "S = LOAD 's' AS (p:chararray, y:chararray, n:long);\nC = CUBE S BY ROLLUP(p, y);\nR = FOREACH C GENERATE group, COUNT(cube);\nDUMP R;\n",
    );
    assert_eq!(
        lines,
        [
            "((,),3)",
            "((bike,),1)",
            "((bike,unknown),1)",
            "((car,),2)",
            "((car,2012),1)",
            "((car,2013),1)",
        ]
    );
}

#[test]
fn stream_pipes_rows_through_a_command() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "d", "1\t2\n4\t5\n");
    let lines = sorted_lines(
        tmp.path(),
        "A = LOAD 'd' AS (a:int, b:int);\nDEFINE swap `awk -F'\\t' '{print $2 \"\\t\" $1}'`;\nB = STREAM A THROUGH swap AS (x:int, y:int);\nC = FOREACH B GENERATE x + y, y;\nDUMP C;\n",
    );
    assert_eq!(lines, ["(3,1)", "(9,4)"]);
    let err = failure(
        tmp.path(),
        "A = LOAD 'd';\nB = STREAM A THROUGH `exit 7`;\nDUMP B;\n",
    );
    assert!(err.contains("`exit 7`"), "{err}");
    assert!(err.contains("exit status: 7"), "{err}");
}

#[test]
fn illustrate_traces_a_sample_through_each_named_step() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "v", "Amy\t1999\nFred\t2007\nFred\t2008\n");
    let out = run_script(
        tmp.path(),
        "visits = LOAD 'v' AS (user:chararray, year:int);\nrecent = FILTER visits BY year > 2000;\nn = FOREACH (GROUP recent BY user) GENERATE group, COUNT(recent);\nILLUSTRATE n;\n",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("| visits     | user: chararray | year: int |"),
        "{text}"
    );
    assert!(
        text.contains("| recent     | user: chararray | year: int |"),
        "{text}"
    );
    assert!(
        text.contains("| n     | group: chararray | long |"),
        "{text}"
    );
    assert!(
        text.contains("|       | Fred             | 2    |"),
        "{text}"
    );
}

/// A DUMP reading one field does not leave the others unconverted for an ILLUSTRATE of
/// the same LOAD.
#[test]
fn illustrate_shows_the_fields_a_dump_beside_it_does_not_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "v", "Amy\t1999\n");
    let out = run_script(
        tmp.path(),
        "visits = LOAD 'v' AS (user:chararray, year:int);\nyears = FOREACH visits GENERATE year;\nILLUSTRATE visits;\nDUMP years;\n",
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("| Amy "), "{text}");
    assert!(text.contains("(1999)"), "{text}");
}

#[test]
fn run_splices_another_script_with_its_parameters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("sub")).expect("mkdir");
    write(tmp.path(), "d", "1\n2\n3\n");
    write(tmp.path(), "sub/keep.pig", "B = FILTER A BY n > $min;\n");
    write(tmp.path(), "sub/bad.pig", "B = FILTER A BY nn > 1;\n");
    let lines = sorted_lines(
        tmp.path(),
        "A = LOAD 'd' AS (n:int);\nrun -param min=1 sub/keep.pig\nDUMP B;\n",
    );
    assert_eq!(lines, ["(2)", "(3)"]);
    let err = failure(
        tmp.path(),
        "A = LOAD 'd' AS (n:int);\nexec sub/bad.pig\nDUMP B;\n",
    );
    assert!(err.contains("bad.pig:1:"), "{err}");
    assert!(err.contains("did you mean `n`"), "{err}");
}

#[test]
fn pluck_tuple_picks_fields_by_prefix_from_define_arguments() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "1\tx\n2\ty\n");
    write(tmp.path(), "b", "1\tp\n3\tq\n");
    let head = "a = LOAD 'a' AS (x:int, y:chararray);\nb = LOAD 'b' AS (x:int, y:chararray);\nc = JOIN a BY x LEFT OUTER, b BY x;\n";
    let lines = sorted_lines(
        tmp.path(),
        &format!(
            "{head}DEFINE pluck PluckTuple('a::');\nd = FOREACH c GENERATE FLATTEN(pluck(*));\nDESCRIBE d;\nDUMP d;\n"
        ),
    );
    assert_eq!(lines, ["(1,x)", "(2,y)", "d: {a::x: int,a::y: chararray}"]);
    // 'false': the fields that do not match; the unmatched row's nulls are kept.
    let lines = sorted_lines(
        tmp.path(),
        &format!(
            "{head}DEFINE unpluck PluckTuple('a::', 'false');\ne = FOREACH c GENERATE FLATTEN(unpluck(*));\nDESCRIBE e;\nDUMP e;\n"
        ),
    );
    assert_eq!(lines, ["(,)", "(1,p)", "e: {b::x: int,b::y: chararray}"]);
    // A regular expression over the whole name; no match gives an empty tuple.
    let lines = sorted_lines(
        tmp.path(),
        &format!(
            "{head}DEFINE ys PluckTuple('.*::y');\nDEFINE none PluckTuple('zz');\nf = FOREACH c GENERATE ys(*), none(*);\nDUMP f;\n"
        ),
    );
    assert_eq!(lines, ["((x,p),())", "((y,),())"]);
    let err = failure(
        tmp.path(),
        &format!("{head}f = FOREACH c GENERATE PluckTuple(*);\nDUMP f;\n"),
    );
    assert!(err.contains("PluckTuple needs a prefix"), "{err}");
}

#[test]
fn datafu_and_piggybank_functions_run_by_their_class_names() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // DataFu's documented examples: Quantile of 9,10,2,3,5,8,1,4,6,7 and VAR of 1..10.
    write(tmp.path(), "vals", "9\n10\n2\n3\n5\n8\n1\n4\n6\n7\n");
    write(tmp.path(), "words", "pig\nhog\n");
    let script = "REGISTER datafu-pig-1.6.1.jar;
REGISTER /usr/lib/pig/piggybank.jar;
DEFINE Quantile datafu.pig.stats.Quantile('0.0','0.5','1.0');
DEFINE Median datafu.pig.stats.StreamingMedian();
DEFINE VAR datafu.pig.stats.VAR();
DEFINE Enumerate datafu.pig.bags.Enumerate('1');
input = LOAD 'vals' AS (val:int);
grouped = GROUP input ALL;
q = FOREACH grouped {
  sorted = ORDER input BY val;
  GENERATE Quantile(sorted), Median(input.val), VAR(input.val) AS variance;
}
DESCRIBE q;
DUMP q;
w = LOAD 'words' AS (word:chararray);
r = FOREACH w GENERATE org.apache.pig.piggybank.evaluation.string.Reverse(word),
  org.apache.pig.piggybank.evaluation.string.UPPER(word),
  org.apache.pig.piggybank.evaluation.string.LENGTH(word), datafu.pig.hash.SHA(word);
DUMP r;
g = GROUP w ALL;
e = FOREACH g {
  sorted = ORDER w BY word;
  GENERATE Enumerate(sorted);
}
DESCRIBE e;
DUMP e;
";
    let out = run_script(tmp.path(), script);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pigrs failed:\n{stderr}");
    // One note, for the first jar.
    assert_eq!(stderr.matches("pigrs loads no Java").count(), 1, "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "q: {(quantile_0_0: double,quantile_0_5: double,quantile_1_0: double),(quantile_0_5: double),variance: double}"
    );
    assert_eq!(lines[1], "((1.0,5.5,10.0),(5.5),8.25)");
    let mut words = lines[2..4].to_vec();
    words.sort_unstable();
    assert_eq!(
        words,
        [
            "(gip,PIG,3,f0b8c9d84dd2b877e0b952130b73e218106fec04c23852271d390213a1ff96f4)",
            "(goh,HOG,3,96e436883f4940841fc9f1f7e935bada3859d2ffb0e5455952438d844f8e9c26)"
        ]
    );
    assert_eq!(lines[4], "e: {{(word: chararray,i: long)}}");
    assert_eq!(lines[5], "({(hog,1),(pig,2)})");
    assert_eq!(lines.len(), 6, "{stdout}");
}

#[test]
fn java_classes_pigrs_does_not_provide_are_errors_naming_the_rust_route() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "a", "1\n");
    let err = failure(
        tmp.path(),
        "REGISTER datafu-pig-1.6.1.jar;\nDEFINE Foo datafu.pig.util.NoSuchThing();\na = LOAD 'a' AS (x:int);\nb = FOREACH a GENERATE Foo(x);\nDUMP b;\n",
    );
    assert!(err.contains("pigrs cannot run Java"), "{err}");
    assert!(err.contains("datafu.pig.util.NoSuchThing"), "{err}");
    assert!(err.contains("REGISTER 'libmyudfs.so'"), "{err}");
    // Reported at the DEFINE, which names the class.
    assert!(err.contains("s.pig:2:12"), "{err}");
    // A class of another package, once a DataFu jar is registered, is Java too.
    let err = failure(
        tmp.path(),
        "REGISTER datafu-pig-1.6.1.jar;\na = LOAD 'a' AS (x:int);\nb = FOREACH a GENERATE com.acme.pig.Score(x);\nDUMP b;\n",
    );
    assert!(err.contains("pigrs cannot run Java"), "{err}");
    // A jar that is not DataFu or Piggybank is refused at its REGISTER.
    let err = failure(
        tmp.path(),
        "REGISTER acme-udfs.jar;\na = LOAD 'a' AS (x:int);\nDUMP a;\n",
    );
    assert!(err.contains("pigrs cannot run Java"), "{err}");
    assert!(err.contains("acme-udfs.jar"), "{err}");
    assert!(err.contains("s.pig:1:"), "{err}");
    // Bad constructor arguments point at the call, with the DEFINE.
    let err = failure(
        tmp.path(),
        "DEFINE Q datafu.pig.stats.Quantile('2.5');\na = LOAD 'a' AS (x:int);\nb = FOREACH (GROUP a ALL) GENERATE Q(a.x);\nDUMP b;\n",
    );
    assert!(err.contains("is neither a quantile"), "{err}");
    assert!(err.contains("defined here"), "{err}");
}
