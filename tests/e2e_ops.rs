//! End-to-end tests of UNION ONSCHEMA, relations used as scalars, ASSERT, RANK, CUBE/ROLLUP,
//! STREAM, PluckTuple and DataFu's and Piggybank's functions and storers: run the `pigrs` binary on small scripts and check what DUMP
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

#[test]
fn datafu_bag_functions_by_class_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // BagGroup's documented input, and two bags to join.
    write(
        tmp.path(),
        "bags",
        "{(1,A),(1,B),(2,A),(2,B),(2,C),(3,A)}\t{(a,x),(b,y)}\t{(a,1),(a,2)}\n",
    );
    let script = "REGISTER datafu-1.2.0.jar;
DEFINE BagGroup datafu.pig.bags.BagGroup();
DEFINE BagLeftOuterJoin datafu.pig.bags.BagLeftOuterJoin();
data = LOAD 'bags' AS (input_bag: bag {T: tuple(k: int, v: chararray)},
  bag1: bag {(key1: chararray, value1: chararray)}, bag2: bag {(key2: chararray, value2: int)});
g = FOREACH data GENERATE BagGroup(input_bag, input_bag.(k)) AS grouped;
DESCRIBE g;
DUMP g;
j = FOREACH data GENERATE BagLeftOuterJoin(bag1, 'key1', bag2, 'key2') AS joined;
DESCRIBE j;
DUMP j;
";
    let out = run_script(tmp.path(), script);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pigrs failed:\n{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "g: {grouped: {(group: int,input_bag: {(k: int,v: chararray)})}}",
            "({(1,{(1,A),(1,B)}),(2,{(2,A),(2,B),(2,C)}),(3,{(3,A)})})",
            "j: {joined: {(bag1::key1: chararray,bag1::value1: chararray,bag2::key2: chararray,bag2::value2: int)}}",
            "({(a,x,a,1),(a,x,a,2),(b,y,,)})",
        ]
    );
    // A key that is not a field of its bag is an error at the call.
    let err = failure(
        tmp.path(),
        "DEFINE J datafu.pig.bags.BagLeftOuterJoin();
data = LOAD 'bags' AS (b0: bag {(k: int)}, bag1: bag {(key1: chararray, value1: chararray)}, bag2: bag {(key2: chararray, value2: int)});
j = FOREACH data GENERATE J(bag1, 'nokey', bag2, 'key2');
DUMP j;
",
    );
    assert!(err.contains("no field 'nokey'"), "{err}");
    // Pointed at the call, with the DEFINE.
    assert!(
        err.contains("╰── here") && err.contains("defined here"),
        "{err}"
    );
}

/// DataFu's SamplingTests and SessionTests inputs.
const SAMPLING_INPUT: &str = "A1\tB1\t1\nA1\tB1\t4\nA1\tB3\t4\nA1\tB4\t4\nA2\tB1\t4\nA2\tB2\t4\nA3\tB1\t3\nA3\tB1\t1\nA3\tB3\t77\nA4\tB1\t3\nA4\tB2\t3\nA4\tB3\t59\nA4\tB4\t29\nA5\tB1\t4\nA6\tB2\t3\nA6\tB2\t55\nA6\tB3\t1\nA7\tB1\t39\nA7\tB2\t27\nA7\tB3\t85\nA8\tB1\t4\nA8\tB2\t45\nA9\tB3\t92\nA9\tB1\t42\nA9\tB2\t1\nA9\tB3\t0\nA10\tB1\t7\nA10\tB2\t23\nA10\tB3\t1\nA10\tB4\t41\nA10\tB5\t52\n";
const SESSION_INPUT: &str = "2010-01-01T01:00:00Z\t1\t10\n2010-01-01T01:15:00Z\t1\t20\n2010-01-01T01:31:00Z\t1\t10\n2010-01-01T01:35:00Z\t1\t20\n2010-01-01T02:30:00Z\t1\t30\n2010-01-01T01:00:00Z\t2\t10\n2010-01-01T01:31:00Z\t2\t20\n2010-01-01T02:10:00Z\t2\t30\n2010-01-01T02:40:30Z\t2\t40\n2010-01-01T03:30:00Z\t2\t50\n2010-01-01T01:00:00Z\t3\t10\n2010-01-01T01:01:00Z\t3\t20\n2010-01-01T01:02:00Z\t3\t5\n2010-01-01T01:10:00Z\t3\t25\n2010-01-01T01:15:00Z\t3\t50\n2010-01-01T01:25:00Z\t3\t30\n2010-01-01T01:30:00Z\t3\t15\n";

#[test]
fn datafu_sampling_sessions_hashes_and_distinct_counts_by_class_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "input", SAMPLING_INPUT);
    write(tmp.path(), "views", SESSION_INPUT);
    // SampleByKey keeps what DataFu's test expects of it.
    let sampled = sorted_lines(
        tmp.path(),
        "REGISTER datafu-pig-1.6.1.jar;
DEFINE SampleByKey datafu.pig.sampling.SampleByKey('0.5', 'salt2.5');
data = LOAD 'input' AS (A_id:chararray, B_id:chararray, C:int);
sampled = FILTER data BY SampleByKey(A_id);
keys = FOREACH (GROUP sampled BY A_id) GENERATE group, COUNT(sampled);
DUMP keys;
",
    );
    assert_eq!(sampled, ["(A10,5)", "(A4,4)", "(A5,1)", "(A6,3)", "(A7,3)"]);
    // Sessionize: each session's largest value, as DataFu's SessionTests checks them.
    let sessions = sorted_lines(
        tmp.path(),
        "DEFINE Sessionize datafu.pig.sessions.Sessionize('30m');
views = LOAD 'views' AS (time:chararray, user_id:int, value:int);
views_grouped = GROUP views BY user_id;
view_counts = FOREACH views_grouped {
  views = ORDER views BY time;
  GENERATE flatten(Sessionize(views)) AS (time,user_id,value,session_id);
}
max_value = GROUP view_counts BY (user_id, session_id);
max_value = FOREACH max_value GENERATE group.user_id, MAX(view_counts.value) AS val;
DUMP max_value;
",
    );
    assert_eq!(
        sessions,
        [
            "(1,20)", "(1,30)", "(2,10)", "(2,20)", "(2,30)", "(2,40)", "(2,50)", "(3,50)"
        ]
    );
    // Hashes, an exact reservoir size, and a distinct count through the combiner.
    let lines = sorted_lines(
        tmp.path(),
        "DEFINE MD5 datafu.pig.hash.MD5();
DEFINE B64 datafu.pig.hash.MD5('base64');
DEFINE SHA1 datafu.pig.hash.SHA('1');
DEFINE HLL datafu.pig.stats.HyperLogLogPlusPlus();
DEFINE SRS datafu.pig.sampling.ReservoirSample('4');
data = LOAD 'input' AS (A_id:chararray, B_id:chararray, C:int);
one = FILTER data BY C == 77;
h = FOREACH one GENERATE MD5(A_id), B64(A_id), SHA1(A_id);
DUMP h;
n = FOREACH (GROUP data ALL) GENERATE HLL(data.A_id), HLL(data.(A_id, B_id)), COUNT(SRS(data));
DUMP n;
",
    );
    assert_eq!(
        lines,
        [
            "(10,27,4)",
            "(6593d7b12fd418cdb35bbf438de72f66,ZZPXsS/UGM2zW79DjecvZg==,842f4ac15c5e237ca4c7a77d13e8756cefaf9898)",
        ]
    );
}

#[test]
fn multistorage_and_xmlloader_from_piggybank() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write(tmp.path(), "input", SAMPLING_INPUT);
    write(
        tmp.path(),
        "books.xml",
        "<catalog>\n<book id=\"1\"><title>Pig</title></book>\n<book id=\"2\">\n  <title>Rust</title>\n</book>\n<magazine/>\n</catalog>\n",
    );
    let script = "REGISTER /usr/lib/pig/piggybank.jar;
data = LOAD 'input' AS (A_id:chararray, B_id:chararray, C:int);
few = FILTER data BY A_id == 'A1' OR A_id == 'A2';
STORE few INTO 'out' USING org.apache.pig.piggybank.storage.MultiStorage('out', '0');
STORE few INTO 'out2' USING org.apache.pig.piggybank.storage.MultiStorage('out2', '0,1', 'none', ',', 'true');
books = LOAD 'books.xml' USING org.apache.pig.piggybank.storage.XMLLoader('book') AS (doc:chararray);
titles = FOREACH books GENERATE REGEX_EXTRACT(doc, '<title>(.*)</title>', 1), SIZE(doc);
DUMP titles;
";
    let lines = sorted_lines(tmp.path(), script);
    assert_eq!(lines, ["(Pig,38)", "(Rust,43)"]);
    let out = tmp.path().join("out");
    assert!(out.join("_SUCCESS").is_file());
    let mut a1: Vec<String> = Vec::new();
    for dir in ["A1", "A2"] {
        let mut files: Vec<_> = std::fs::read_dir(out.join(dir))
            .expect("key folder")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert!(
            files.iter().all(|f| f.starts_with(&format!("{dir}-"))),
            "{files:?}"
        );
        if dir == "A1" {
            for f in files {
                let text = std::fs::read_to_string(out.join(dir).join(f)).expect("part");
                a1.extend(text.lines().map(str::to_string));
            }
        }
    }
    a1.sort();
    assert_eq!(a1, ["A1\tB1\t1", "A1\tB1\t4", "A1\tB3\t4", "A1\tB4\t4"]);
    let nested = std::fs::read_dir(tmp.path().join("out2/A1/B1"))
        .expect("two levels")
        .map(|e| e.expect("entry").path())
        .map(|p| std::fs::read_to_string(p).expect("part"))
        .collect::<String>();
    let mut values: Vec<&str> = nested.lines().collect();
    values.sort_unstable();
    assert_eq!(values, ["1", "4"]);
    // A key field past the rows' end fails the STORE, which leaves no output.
    let err = failure(
        tmp.path(),
        "data = LOAD 'input' AS (A_id:chararray, B_id:chararray, C:int);
STORE data INTO 'bad' USING org.apache.pig.piggybank.storage.MultiStorage('bad', '5');
",
    );
    assert!(err.contains("split field index 5"), "{err}");
    assert!(!tmp.path().join("bad").exists());
    // A Piggybank storer pigrs does not provide is Java, which pigrs cannot run.
    let err = failure(
        tmp.path(),
        "REGISTER /usr/lib/pig/piggybank.jar;
data = LOAD 'input' USING org.apache.pig.piggybank.storage.avro.AvroStorage();
DUMP data;
",
    );
    assert!(err.contains("pigrs cannot run Java"), "{err}");
    assert!(err.contains("REGISTER 'libmyudfs.so'"), "{err}");
}
