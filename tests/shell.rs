//! The interactive shell (`pigrs` with no arguments), driven through a real
//! pseudo-terminal as a user types: Tab completion, Grunt's commands, history kept across
//! sessions, Ctrl-C during a statement, and errors after a failed statement. A few
//! commands are also checked with input piped on stdin, where no terminal is needed.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rexpect::session::PtySession;

fn pigrs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

/// A shell in a pseudo-terminal, in `dir`, keeping its history in `dir/history` (never in
/// the real home). Colors are off so the echo of the input reads as typed.
fn shell(dir: &Path) -> PtySession {
    let mut cmd = pigrs();
    cmd.current_dir(dir)
        .env("HOME", dir)
        .env("PIGRS_HISTORY", dir.join("history"))
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut s = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pigrs starts");
    s.exp_string(NEXT_PROMPT).expect("prompt");
    s
}

/// rustyline turns bracketed paste off when it accepts a line and on when the next prompt
/// starts reading: what comes between is the output of the line.
const ACCEPTED: &str = "\x1b[?2004l";
const NEXT_PROMPT: &str = "\x1b[?2004h";

/// Types `text`.
fn type_in(s: &mut PtySession, text: &str) {
    s.send(text).expect("send");
    s.flush().expect("flush");
}

/// Waits until the line typed is accepted and the next prompt reads; returns the output
/// in between.
fn output(s: &mut PtySession) -> String {
    s.exp_string(ACCEPTED).expect("the line is accepted");
    s.exp_string(NEXT_PROMPT).expect("the next prompt")
}

/// Types `text` and Enter; returns the output until the next prompt.
fn enter(s: &mut PtySession, text: &str) -> String {
    type_in(s, &format!("{text}\r"));
    output(s)
}

fn people(dir: &Path) {
    write(dir, "people.txt", "alice\t30\nbob\t25\ncarol\t30\n");
}

const LOAD_PEOPLE: &str = "people = LOAD 'people.txt' AS (name:chararray, age:int);";

#[test]
fn tab_completes_an_alias_and_fields() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let mut s = shell(tmp.path());
    enter(&mut s, LOAD_PEOPLE);
    // The alias: `peo` alone would be an undefined alias.
    let out = enter(&mut s, "DESCRIBE peo\t;");
    assert!(
        out.contains("\npeople: {name: chararray,age: int}"),
        "{out}"
    );
    // A field of the FOREACH's input, then a field of a bag after `alias.`.
    enter(&mut s, "names = FOREACH people GENERATE na\t;");
    let out = enter(&mut s, "DUMP names;");
    assert!(out.contains("(alice)\r\n(bob)\r\n(carol)"), "{out}");
    enter(&mut s, "by_age = GROUP people BY age;");
    enter(
        &mut s,
        "counts = FOREACH by_age GENERATE group, COUNT(people.na\t);",
    );
    let out = enter(&mut s, "\\d counts");
    assert!(
        out.contains("(25,1)\r\n") && out.contains("(30,2)\r\n"),
        "{out}"
    );
    s.send_line("quit").expect("quit");
    s.exp_eof().expect("the shell ends");
}

#[test]
fn aliases_and_the_dump_shortcut() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let mut s = shell(tmp.path());
    let out = enter(&mut s, "aliases");
    assert!(out.contains("no aliases defined yet"), "{out}");
    enter(&mut s, LOAD_PEOPLE);
    enter(&mut s, "adults = FILTER people BY age > 26;");
    let out = enter(&mut s, "aliases");
    assert!(
        out.contains("people: {name: chararray,age: int}\r\nadults: {name: chararray,age: int}"),
        "{out}"
    );
    // `\d` alone dumps the last alias defined; `\de` describes one.
    let out = enter(&mut s, "\\d");
    assert!(out.contains("(alice,30)\r\n(carol,30)"), "{out}");
    assert!(!out.contains("bob"), "{out}");
    let out = enter(&mut s, "\\de people");
    assert!(
        out.contains("\npeople: {name: chararray,age: int}"),
        "{out}"
    );
    // Ctrl-D leaves.
    s.send_control('d').expect("ctrl-d");
    s.exp_eof().expect("the shell ends");
}

#[test]
fn history_is_kept_across_sessions_and_searched_with_ctrl_r() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let mut s = shell(tmp.path());
    enter(&mut s, LOAD_PEOPLE);
    // A statement on two lines: Enter inside it adds a line to the same entry.
    type_in(&mut s, "ages = FOREACH people\r");
    enter(&mut s, "  GENERATE age;");
    s.send_line("quit").expect("quit");
    s.exp_eof().expect("the shell ends");
    let saved = std::fs::read_to_string(tmp.path().join("history")).expect("history file");
    assert!(saved.contains("people = LOAD"), "{saved}");

    let mut s = shell(tmp.path());
    let out = enter(&mut s, "history");
    // One entry for the two-line statement, shown as typed.
    assert!(
        out.contains("  ages = FOREACH people\r\n  GENERATE age;"),
        "{out}"
    );
    // Ctrl-R finds the LOAD of an earlier session; Enter runs it.
    s.send_control('r').expect("ctrl-r");
    type_in(&mut s, "LOAD 'peo");
    s.exp_string("people = LOAD").expect("found by the search");
    type_in(&mut s, "\r");
    output(&mut s);
    let out = enter(&mut s, "DUMP people;");
    assert!(out.contains("(alice,30)\r\n(bob,25)"), "{out}");
    s.send_line("quit").expect("quit");
    s.exp_eof().expect("the shell ends");
}

/// A relation that takes 30 seconds to compute: its rows go through a command that
/// sleeps, ignoring the terminal's interrupt, so only the shell's own cancellation can end
/// it early.
const SLOW: &str = "slow = STREAM people THROUGH `trap '' INT; sleep 30; cat`;";

#[test]
fn ctrl_c_cancels_a_running_dump_and_the_session_goes_on() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let mut s = shell(tmp.path());
    enter(&mut s, LOAD_PEOPLE);
    enter(&mut s, SLOW);
    type_in(&mut s, "DUMP slow;\r");
    std::thread::sleep(Duration::from_millis(1500));
    let start = Instant::now();
    s.send_control('c').expect("ctrl-c");
    let out = output(&mut s);
    let took = start.elapsed();
    assert!(out.contains("cancelled (Ctrl-C)"), "{out}");
    assert_eq!(out.matches("cancelled").count(), 1, "{out}");
    assert!(!out.contains("(alice"), "{out}");
    assert!(took < Duration::from_secs(2), "cancelling took {took:?}");
    // The aliases are intact and the next statement runs.
    let out = enter(&mut s, "DUMP people;");
    assert!(
        out.contains("(alice,30)\r\n(bob,25)\r\n(carol,30)"),
        "{out}"
    );
    let out = enter(&mut s, "aliases");
    assert!(out.contains("slow: "), "{out}");
    // Ctrl-C at the prompt clears the line.
    type_in(&mut s, "DUMP nothing_here");
    s.send_control('c').expect("ctrl-c");
    output(&mut s);
    let out = enter(&mut s, "\\de people");
    assert!(
        out.contains("\npeople: {name: chararray,age: int}"),
        "{out}"
    );
    s.send_line("quit").expect("quit");
    s.exp_eof().expect("the shell ends");
}

#[test]
fn ctrl_c_during_a_store_leaves_no_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let mut s = shell(tmp.path());
    enter(&mut s, LOAD_PEOPLE);
    enter(&mut s, SLOW);
    type_in(&mut s, "STORE slow INTO 'out';\r");
    std::thread::sleep(Duration::from_millis(1500));
    // The STORE writes into a hidden temporary folder meanwhile.
    let hidden = |dir: &Path| {
        std::fs::read_dir(dir)
            .expect("read dir")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".out"))
            .count()
    };
    assert_eq!(hidden(tmp.path()), 1);
    s.send_control('c').expect("ctrl-c");
    let out = output(&mut s);
    assert!(out.contains("cancelled (Ctrl-C)"), "{out}");
    assert!(!tmp.path().join("out").exists());
    assert_eq!(hidden(tmp.path()), 0);
    // The same STORE of a quick relation works: nothing is left in its way.
    enter(&mut s, "STORE people INTO 'out';");
    let stored =
        std::fs::read_to_string(tmp.path().join("out").join("part-m-00000")).expect("stored");
    assert_eq!(stored, "alice\t30\nbob\t25\ncarol\t30\n");
    s.send_line("quit").expect("quit");
    s.exp_eof().expect("the shell ends");
}

#[test]
fn a_statement_using_a_failed_alias_names_it_and_where_it_was_defined() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let mut s = shell(tmp.path());
    enter(&mut s, LOAD_PEOPLE);
    let out = enter(&mut s, "names = FOREACH people GENERATE nmae;");
    assert!(
        out.contains("Projected field [nmae] does not exist"),
        "{out}"
    );
    let out = enter(&mut s, "short = LIMIT names 1;");
    assert!(
        out.contains("`names` is not defined: the statement defining it failed"),
        "{out}"
    );
    // The note shows the failed statement, in the input it was entered in.
    assert!(
        out.contains("`names` was defined here, by a statement that failed"),
        "{out}"
    );
    assert!(out.contains("<shell #2>"), "{out}");
    assert!(
        out.contains("names = FOREACH people GENERATE nmae;"),
        "{out}"
    );
    let out = enter(&mut s, "\\d names");
    assert!(
        out.contains("`names` is not defined: the statement defining it failed"),
        "{out}"
    );
    for out in [&out, &enter(&mut s, "DUMP short;")] {
        assert!(!out.contains("internal"), "{out}");
        assert!(!out.contains("bug in pigrs"), "{out}");
    }
    // Defined again, both work.
    enter(&mut s, "names = FOREACH people GENERATE name;");
    let out = enter(&mut s, "\\d names");
    assert!(out.contains("(alice)\r\n(bob)"), "{out}");
    s.send_line("quit").expect("quit");
    s.exp_eof().expect("the shell ends");
}

/// Runs the shell on piped input; returns stdout and stderr.
fn piped(dir: &Path, input: &str) -> (String, String) {
    let mut child = pigrs()
        .current_dir(dir)
        .env("HOME", dir)
        .env("PIGRS_HISTORY", dir.join("history"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pigrs starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("pigrs ends");
    assert!(out.status.success(), "{out:?}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_keeps_a_scripts_aliases_and_exec_does_not() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    write(
        tmp.path(),
        "adults.pig",
        &format!("{LOAD_PEOPLE}\nadults = FILTER people BY age > $min;\n"),
    );
    write(
        tmp.path(),
        "young.pig",
        &format!("{LOAD_PEOPLE}\nyoung = FILTER people BY age < 28;\nDUMP young;\n"),
    );
    let (stdout, stderr) = piped(
        tmp.path(),
        "run -param min=26 adults.pig\nDUMP adults;\nexec young.pig\nDUMP young;\nquit\n",
    );
    assert_eq!(stdout, "(alice,30)\n(carol,30)\n(bob,25)\n", "{stderr}");
    assert!(stderr.contains("Undefined alias: `young`"), "{stderr}");
}

#[test]
fn set_help_kill_and_parameters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let (stdout, stderr) = piped(
        tmp.path(),
        &format!(
            "set\nset default_parallel 3;\nSET job.name 'my job';\nset\nhelp\nkill 12\n%declare min 26\n{LOAD_PEOPLE}\nold = FILTER people BY age > $min;\nDUMP old;\n\\x\nquit\n"
        ),
    );
    let settings: Vec<&str> = stdout.lines().filter(|l| l.contains('=')).collect();
    assert!(
        settings[0].starts_with("default_parallel=(by input size"),
        "{stdout}"
    );
    assert!(settings.contains(&"default_parallel=3"), "{stdout}");
    assert!(settings.contains(&"job.name=my job"), "{stdout}");
    assert!(stdout.contains("\\de [alias]"), "{stdout}");
    assert!(stdout.ends_with("(alice,30)\n(carol,30)\n"), "{stdout}");
    assert!(stderr.contains("no job is running"), "{stderr}");
    assert!(stderr.contains("unknown shell command `\\x`"), "{stderr}");
    // Piped statements are a script, not a user's history.
    assert!(!tmp.path().join("history").exists());
}

#[test]
fn a_macro_defined_in_one_statement_is_called_in_later_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    people(tmp.path());
    let (stdout, stderr) = piped(
        tmp.path(),
        &format!(
            "DEFINE older(rel, age) RETURNS out {{\n  $out = FILTER $rel BY age > $age;\n}};\n{LOAD_PEOPLE}\nold = older(people, 26);\nDUMP old;\nyoung = older(people, 40);\nDUMP young;\nbad = nosuch(people);\nquit\n"
        ),
    );
    assert_eq!(stdout, "(alice,30)\n(carol,30)\n", "{stderr}");
    assert!(stderr.contains("unknown macro `nosuch`"), "{stderr}");
    assert!(!stderr.contains("internal"), "{stderr}");
}
