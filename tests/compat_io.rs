//! Pig compatibility of storage and Grunt's commands, end to end: the file commands (`ls`,
//! `cat`, `cd`, …) as statements of a script and of the shell, loaders reading the schema
//! their storer wrote, STREAM through files with SHIP and CACHE, and OrcStorage.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn pigrs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// Runs `pigrs run script.pig` in `dir` on `text`.
fn run_script(dir: &Path, text: &str) -> Output {
    write(dir, "script.pig", text);
    pigrs()
        .current_dir(dir)
        .env("HOME", dir)
        .args(["run", "script.pig"])
        .output()
        .expect("pigrs runs")
}

/// Stdout of a run that must succeed.
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "pigrs failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8 output")
}

/// Stderr of a run that must fail.
fn failed(out: &Output) -> String {
    assert!(
        !out.status.success(),
        "pigrs succeeded:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr.clone()).expect("utf-8 errors")
}

/// The absolute name of `dir` as `ls` and `pwd` print it.
fn uri(dir: &Path) -> String {
    format!("file:{}", dir.canonicalize().expect("canonical").display())
}

// ------------------------------------------------------------------ file commands

#[test]
fn file_commands_run_in_script_order_after_the_outputs_before_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "a\t1\nb\t2\nc\t3\n");
    let stdout = ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         mkdir work\n\
         STORE A INTO 'work/all';\n\
         -- the STORE above has run: cat sees its part file\n\
         cat work/all\n\
         B = FILTER A BY v > 1;\n\
         STORE B INTO 'work/big';\n\
         ls work\n\
         cp work/big work/copy\n\
         mv work/copy 'work/moved here'\n\
         rm work/all\n\
         ls work;\n",
    ));
    let work = uri(&d.join("work"));
    assert_eq!(
        stdout,
        format!(
            "a\t1\nb\t2\nc\t3\n\
             {work}/all\t<dir>\n{work}/big\t<dir>\n\
             {work}/big\t<dir>\n{work}/moved here\t<dir>\n"
        )
    );
    let moved = std::fs::read_to_string(d.join("work/moved here/part-m-00000")).expect("moved");
    assert_eq!(moved, "b\t2\nc\t3\n");
    assert!(!d.join("work/copy").exists() && !d.join("work/all").exists());
}

#[test]
fn cd_changes_where_relative_loads_stores_and_commands_start() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "data/in.txt", "x\t5\ny\t7\n");
    let stdout = ok(&run_script(
        d,
        "cd data\n\
         pwd\n\
         A = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         STORE A INTO 'out';\n\
         ls out\n\
         copyToLocal out/part-m-00000 local.txt\n\
         copyFromLocal local.txt back.txt\n\
         cd ..\n\
         cat data/back.txt\n\
         cd\n\
         pwd\n",
    ));
    let data = uri(&d.join("data"));
    let out = d.join("data/out/part-m-00000");
    assert_eq!(
        stdout,
        format!(
            "{data}\n{data}/out/_SUCCESS<r 1>\t0\n{data}/out/part-m-00000<r 1>\t8\nx\t5\ny\t7\n{}\n",
            uri(d)
        )
    );
    assert!(out.exists());
    // The local side of copyToLocal/copyFromLocal is the process's folder, which `cd`
    // does not change.
    assert_eq!(
        std::fs::read_to_string(d.join("local.txt")).expect("local"),
        "x\t5\ny\t7\n"
    );
    assert!(d.join("data/back.txt").exists());
}

#[test]
fn a_file_command_error_points_at_its_path_in_the_script() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let err = failed(&run_script(d, "mkdir a\ncat a/missing.txt\nls\n"));
    assert!(err.contains("cat: a/missing.txt does not exist"), "{err}");
    assert!(err.contains("script.pig:2:5"), "{err}");
    let err = failed(&run_script(d, "rm nothing\n"));
    assert!(err.contains("rm: nothing does not exist"), "{err}");
    let err = failed(&run_script(d, "cd a\ncd nowhere\n"));
    assert!(err.contains("cd: a/nowhere does not exist"), "{err}");
    write(d, "f.txt", "1\n");
    let err = failed(&run_script(d, "cd f.txt\n"));
    assert!(err.contains("f.txt is not a folder"), "{err}");
    let err = failed(&run_script(d, "cp f.txt\n"));
    assert!(err.contains("`cp` takes 2 paths, not 1"), "{err}");
    assert!(err.contains("usage: cp source destination"), "{err}");
    let err = failed(&run_script(d, "cp f.txt a\ncp f.txt a\n"));
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("script.pig:2:"), "{err}");
}

#[test]
fn command_names_stay_usable_as_aliases() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "1\n2\n");
    let stdout = ok(&run_script(
        d,
        "cat = LOAD 'in.txt' AS (n:int);\nls = FILTER cat BY n > 1;\nDUMP ls;\n",
    ));
    assert_eq!(stdout, "(2)\n");
}

#[test]
fn the_shell_runs_file_commands_and_a_failed_cd_stays_put() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "sub/in.txt", "q\n");
    let mut child = pigrs()
        .current_dir(d)
        .env("HOME", d)
        .env("PIGRS_HISTORY", d.join("history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pigrs starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"cd sub\ncd nowhere\npwd\ncat in.txt\nA = LOAD 'in.txt' AS (s:chararray);\nDUMP A;\nquit\n")
        .expect("write");
    let out = child.wait_with_output().expect("pigrs ends");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout,
        format!("{}\nq\n(q)\n", uri(&d.join("sub"))),
        "{stderr}"
    );
    assert!(
        stderr.contains("cd: sub/nowhere does not exist"),
        "{stderr}"
    );
}

// ------------------------------------------------------------------ schemas beside data

/// Stores a relation with a bag field with each storer that writes its schema.
fn store_with_schemas(d: &Path) {
    write(d, "in.txt", "a\t1\t2.5\nb\t2\t3.5\nc\t2\t4.5\n");
    ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (name:chararray, n:int, d:double);\n\
         G = GROUP A BY n;\n\
         S = FOREACH G GENERATE group AS n, A.(name, d) AS rows, COUNT(A) AS c;\n\
         STORE S INTO 'json' USING JsonStorage();\n\
         STORE S INTO 'bin' USING BinStorage();\n\
         STORE S INTO 'pig' USING PigStorage('|', '-schema');\n",
    ));
}

#[test]
fn loaders_without_as_read_the_schema_their_storer_wrote() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    store_with_schemas(d);
    let schema = "{n: int,rows: {(name: chararray,d: double)},c: long}";
    for (load, func) in [
        ("json", "JsonLoader()"),
        ("bin", "BinStorage()"),
        // A delimiter that is not in the bag's text: PigStorage, as Pig's, splits a line
        // at every delimiter, inside a bag too.
        ("pig", "PigStorage('|')"),
        ("pig", "PigStorage('|', '-schema')"),
    ] {
        // A second script: the fields are used by name, in the order they were stored.
        let stdout = ok(&run_script(
            d,
            &format!(
                "R = LOAD '{load}' USING {func};\n\
                 DESCRIBE R;\n\
                 X = FOREACH R GENERATE c * 10L, n, FLATTEN(rows.name);\n\
                 Y = ORDER X BY $1, $2;\n\
                 DUMP Y;\n"
            ),
        ));
        assert_eq!(
            stdout,
            format!("R: {schema}\n(10,1,a)\n(20,2,b)\n(20,2,c)\n"),
            "{func}"
        );
    }
}

#[test]
fn bin_storage_without_a_schema_file_types_its_first_record_as_pig_does() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    store_with_schemas(d);
    std::fs::remove_file(d.join("bin/.pig_schema")).expect("rm");
    let stdout = ok(&run_script(
        d,
        "R = LOAD 'bin' USING BinStorage();\nDESCRIBE R;\nX = FOREACH R GENERATE $2 + 1L;\nDUMP X;\n",
    ));
    assert_eq!(stdout, "R: {int,{()},long}\n(2)\n(3)\n");
}

#[test]
fn a_schema_file_that_is_not_pigs_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    store_with_schemas(d);
    write(d, "json/.pig_schema", "{not json");
    let err = failed(&run_script(
        d,
        "R = LOAD 'json' USING JsonLoader();\nDUMP R;\n",
    ));
    assert!(err.contains(".pig_schema"), "{err}");
    assert!(err.contains("script.pig:1:"), "{err}");
    // PigStorage -schema requires the file.
    std::fs::remove_file(d.join("pig/.pig_schema")).expect("rm");
    let err = failed(&run_script(
        d,
        "R = LOAD 'pig' USING PigStorage('|', '-schema');\nDUMP R;\n",
    ));
    assert!(err.contains("no .pig_schema file"), "{err}");
}

// ------------------------------------------------------------------ STREAM through files

#[test]
fn stream_through_files_with_shipped_files_in_a_folder_of_its_own() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "a\t1\nb\t2\n");
    write(d, "tools/suffix.txt", "X\n");
    // Reads the rows from in.csv and writes its output to out.csv, both in its own
    // folder, where SHIP put it and suffix.txt; what it prints is not its output.
    write(
        d,
        "tools/upper.sh",
        "tr a-z A-Z < in.csv | sed \"s/\\$/,$(cat suffix.txt)/\" > out.csv\n\
         ls > listing.txt\n\
         echo not-a-row\n",
    );
    let stdout = ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         DEFINE up `sh upper.sh; cat listing.txt >&2` INPUT('in.csv' USING PigStreaming(','))\n\
           OUTPUT('out.csv' USING PigStreaming(',')) SHIP('tools/upper.sh', 'tools/suffix.txt');\n\
         B = STREAM A THROUGH up AS (k:chararray, v:int, s:chararray);\n\
         C = FOREACH B GENERATE k, v * 10, s;\n\
         DUMP C;\n",
    ));
    assert_eq!(stdout, "(A,10,X)\n(B,20,X)\n");
    // The files stayed in the command's folder, not in the script's.
    for f in ["in.csv", "out.csv", "listing.txt", "upper.sh"] {
        assert!(!d.join(f).exists(), "{f} leaked into the script's folder");
    }
}

#[test]
fn the_command_folder_holds_exactly_the_shipped_and_cached_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "k\n");
    write(d, "lookup/table.txt", "t1\nt2\n");
    write(d, "ship.txt", "s\n");
    let stdout = ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (k:chararray);\n\
         DEFINE l `cat > /dev/null; ls; cat table` SHIP('ship.txt') CACHE('lookup/table.txt#table');\n\
         B = STREAM A THROUGH l;\n\
         DUMP B;\n",
    ));
    assert_eq!(stdout, "(ship.txt)\n(table)\n(t1)\n(t2)\n");
}

#[test]
fn pig_streaming_delimiters_split_and_join_fields() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "a b\t1\nc\t2\n");
    let stdout = ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (k:chararray, v:int);\n\
         DEFINE pipe `cat` INPUT(stdin USING PigStreaming('|')) OUTPUT(stdout USING PigStreaming('|'));\n\
         B = STREAM A THROUGH pipe AS (k:chararray, v:int);\n\
         C = FOREACH B GENERATE v + 1, k;\n\
         DUMP C;\n\
         -- The input with commas, read back with the default TAB: one field per line.\n\
         DEFINE comma `cat` INPUT(stdin USING PigStreaming(','));\n\
         D = STREAM A THROUGH comma;\n\
         DUMP D;\n\
         DEFINE hex `tr '\\001' ':'` INPUT(stdin USING PigStreaming('\\\\x01'));\n\
         E = STREAM A THROUGH hex;\n\
         DUMP E;\n",
    ));
    assert_eq!(stdout, "(2,a b)\n(3,c)\n(a b,1)\n(c,2)\n(a b:1)\n(c:2)\n");
}

#[test]
fn streaming_errors_point_at_the_script() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "a\n");
    let load = "A = LOAD 'in.txt' AS (k:chararray);\n";
    let err = failed(&run_script(
        d,
        &format!(
            "{load}DEFINE x `cat > /dev/null` OUTPUT('never.txt');\nB = STREAM A THROUGH x;\nDUMP B;\n"
        ),
    ));
    assert!(
        err.contains("cannot read the output file 'never.txt'"),
        "{err}"
    );
    assert!(err.contains("script.pig:3:"), "{err}");
    let err = failed(&run_script(
        d,
        &format!("{load}DEFINE x `cat` SHIP('missing.sh');\nB = STREAM A THROUGH x;\nDUMP B;\n"),
    ));
    assert!(err.contains("SHIP(") && err.contains("missing.sh"), "{err}");
    let err = failed(&run_script(
        d,
        &format!("{load}DEFINE x `cat` CACHE('in.txt');\nB = STREAM A THROUGH x;\nDUMP B;\n"),
    ));
    assert!(err.contains("CACHE needs 'path#name'"), "{err}");
    assert!(err.contains("script.pig:2:"), "{err}");
    let err = failed(&run_script(
        d,
        &format!(
            "{load}DEFINE x `cat` INPUT(stdin USING PigStreaming('::'));\nB = STREAM A THROUGH x;\nDUMP B;\n"
        ),
    ));
    assert!(err.contains("single character"), "{err}");
    assert!(err.contains("script.pig:2:"), "{err}");
    let err = failed(&run_script(
        d,
        &format!("{load}DEFINE x `cat` INPUT(stdout);\nB = STREAM A THROUGH x;\nDUMP B;\n"),
    ));
    assert!(err.contains("INPUT takes stdin or a file name"), "{err}");
}

// ------------------------------------------------------------------ OrcStorage

#[test]
fn orc_storage_round_trips_scalar_fields_and_gives_its_schema() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(
        d,
        "in.txt",
        "a\t1\t10\t2.5\ttrue\t2024-01-02T03:04:05.006Z\nb\t\t20\t3.5\tfalse\t\n",
    );
    ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (s:chararray, i:int, l:long, d:double, b:boolean, t:datetime);\n\
         B = FOREACH A GENERATE s, i, l, d, (float)d AS f, b, t, (bytearray)s AS raw;\n\
         STORE B INTO 'plain' USING OrcStorage();\n\
         STORE B INTO 'snappy' USING org.apache.pig.builtin.OrcStorage('-c SNAPPY -s 1048576');\n",
    ));
    // Hadoop's layout, part files without an extension, each an ORC file.
    let part = std::fs::read(d.join("plain/part-m-00000")).expect("part file");
    assert_eq!(&part[..3], b"ORC");
    assert!(d.join("plain/_SUCCESS").exists());
    for out in ["plain", "snappy"] {
        let stdout = ok(&run_script(
            d,
            &format!(
                "R = LOAD '{out}' USING OrcStorage();\nDESCRIBE R;\n\
                 X = FOREACH R GENERATE s, l + i, f, t, raw;\nDUMP X;\n"
            ),
        ));
        assert_eq!(
            stdout,
            "R: {s: chararray,i: int,l: long,d: double,f: float,b: boolean,t: datetime,raw: bytearray}\n\
             (a,11,2.5,2024-01-02T03:04:05.006Z,a)\n(b,,3.5,,b)\n",
            "{out}"
        );
    }
    // An AS clause takes the columns by position, cast to its types.
    let stdout = ok(&run_script(
        d,
        "R = LOAD 'plain' USING OrcStorage() AS (name:chararray, n:long);\nDUMP R;\n",
    ));
    assert_eq!(stdout, "(a,1)\n(b,)\n");
}

#[test]
fn orc_files_cut_by_stripe_give_every_row_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    let text: String = (0..200_000).map(|i| format!("{i}\tk{}\n", i % 7)).collect();
    write(d, "in.txt", &text);
    ok(&run_script(
        d,
        "A = LOAD 'in.txt' AS (n:long, k:chararray);\n\
         STORE A INTO 'o' USING OrcStorage('-c NONE -s 65536');\n",
    ));
    let stdout = ok(&run_script(
        d,
        "R = LOAD 'o' USING OrcStorage();\n\
         G = GROUP R ALL;\n\
         S = FOREACH G GENERATE COUNT(R), SUM(R.n), COUNT_STAR(R);\n\
         DUMP S;\n",
    ));
    let n: u64 = 200_000;
    assert_eq!(stdout, format!("({n},{},{n})\n", n * (n - 1) / 2));
}

#[test]
fn orc_storage_refuses_what_it_cannot_write_before_running() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let d = tmp.path();
    write(d, "in.txt", "a\t1\n");
    let err = failed(&run_script(
        d,
        "A = LOAD 'in.txt' AS (s:chararray, n:int);\n\
         G = GROUP A BY s;\n\
         STORE G INTO 'o' USING OrcStorage();\n",
    ));
    assert!(err.contains("OrcStorage cannot store field `A`"), "{err}");
    assert!(err.contains("script.pig:3:"), "{err}");
    assert!(!d.join("o").exists());
    let err = failed(&run_script(
        d,
        "A = LOAD 'in.txt' AS (s:chararray, n:int);\nSTORE A INTO 'o' USING OrcStorage('-c LZO');\n",
    ));
    assert!(err.contains("unknown compression 'LZO'"), "{err}");
    write(d, "notorc/part-m-00000", "just text\n");
    let err = failed(&run_script(
        d,
        "R = LOAD 'notorc' USING OrcStorage();\nDUMP R;\n",
    ));
    assert!(err.contains("not a readable ORC file"), "{err}");
    assert!(err.contains("part-m-00000"), "{err}");
}
