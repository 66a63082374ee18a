//! End-to-end tests of ParquetStorer and ParquetLoader: run the `pigrs` binary to store a
//! relation with nested bags, tuples and maps as Parquet, then load it back with no `AS`
//! clause and check DESCRIBE (the schema comes from the files) and DUMP.

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

/// The lines the script prints; fails the test when the script fails.
fn lines(dir: &Path, script: &str) -> Vec<String> {
    let out = run_script(dir, script);
    assert!(
        out.status.success(),
        "pigrs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn store_then_load_keeps_schema_and_values() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        tmp.path().join("in"),
        "a\t1\t2.5\t2024-01-02T03:04:05.006Z\n\
         a\t2\t\t\n\
         b\t\t1.0\t1970-01-01T00:00:00.000Z\n",
    )
    .expect("write");
    let out = lines(
        tmp.path(),
        "A = LOAD 'in' AS (name:chararray, n:int, x:double, t:chararray);\n\
         B = FOREACH A GENERATE name, n, x, ToDate(t) AS t, TOMAP('k', name) AS m, (n, name) AS p;\n\
         G = GROUP B BY name;\n\
         C = FOREACH G GENERATE group AS name, B, COUNT(B) AS c;\n\
         STORE C INTO 'out' USING org.apache.pig.parquet.ParquetStorer();\n",
    );
    assert!(out.is_empty(), "{out:?}");
    assert!(tmp.path().join("out/_SUCCESS").exists());
    let parts: Vec<String> = std::fs::read_dir(tmp.path().join("out"))
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("part-"))
        .collect();
    assert!(!parts.is_empty(), "no part files");
    assert!(parts.iter().all(|p| p.ends_with(".parquet")), "{parts:?}");

    let mut out = lines(
        tmp.path(),
        "P = LOAD 'out' USING ParquetLoader();\n\
         DESCRIBE P;\n\
         F = FOREACH P GENERATE name, c, FLATTEN(B);\n\
         Q = FOREACH F GENERATE name, c, B::n, B::m#'k', B::p.name AS pn;\n\
         DUMP Q;\n",
    );
    let describe = out.remove(0);
    assert_eq!(
        describe,
        "P: {name: chararray,B: {(name: chararray,n: int,x: double,t: datetime,m: map[chararray],p: (n: int,name: chararray))},c: long}"
    );
    out.sort();
    assert_eq!(out, ["(a,2,1,a,a)", "(a,2,2,a,a)", "(b,1,,b,b)"]);

    // Datetimes, doubles and nulls come back as they went in.
    let mut out = lines(
        tmp.path(),
        "P = LOAD 'out/part-*' USING parquet.pig.ParquetLoader();\n\
         Q = FOREACH P GENERATE FLATTEN(B);\n\
         R = FOREACH Q GENERATE n, x, t;\n\
         DUMP R;\n",
    );
    out.sort();
    assert_eq!(
        out,
        [
            "(,1.0,1970-01-01T00:00:00.000Z)",
            "(1,2.5,2024-01-02T03:04:05.006Z)",
            "(2,,)"
        ]
    );
}

#[test]
fn storing_without_a_schema_fails() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("in"), "a\t1\n").expect("write");
    let out = run_script(
        tmp.path(),
        "A = LOAD 'in';\nSTORE A INTO 'out' USING ParquetStorer();\n",
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ParquetStorer needs a schema"), "{err}");
    assert!(!tmp.path().join("out").exists());
}
