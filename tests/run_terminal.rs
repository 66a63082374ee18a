//! `pigrs run` as a user runs it: the progress bars on a terminal (driven through a real
//! pseudo-terminal), silence when stderr is not one, and Ctrl-C (a SIGINT to pigrs alone),
//! which cancels the job, leaves no temporary output and exits with status 130.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn pigrs() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pigrs"))
}

/// A script whose job takes `secs` seconds: its rows go through a command that sleeps,
/// ignoring SIGINT, so only pigrs's own cancellation can end it early. It stores a
/// count per age into `out`.
fn slow_script(dir: &Path, secs: u32) {
    std::fs::write(dir.join("people.txt"), "alice\t30\nbob\t25\ncarol\t30\n").expect("write");
    let script = format!(
        "people = LOAD 'people.txt' AS (name:chararray, age:int);\n\
         slow = STREAM people THROUGH `trap '' INT; sleep {secs}; cat` AS (name:chararray, age:int);\n\
         g = GROUP slow BY age;\n\
         c = FOREACH g GENERATE group, COUNT(slow);\n\
         STORE c INTO 'out';\n"
    );
    std::fs::write(dir.join("slow.pig"), script).expect("write");
}

/// The names in `dir` of STORE's hidden temporary folders for `out`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out."))
        .collect()
}

#[test]
fn ctrl_c_cancels_the_run_and_leaves_no_temporary_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    slow_script(tmp.path(), 30);
    // Files, not pipes: the sleeping command outlives pigrs and holds them open.
    let stderr_path = tmp.path().join("stderr.txt");
    let stderr_file = std::fs::File::create(&stderr_path).expect("stderr file");
    let mut child = pigrs()
        .args(["run", "slow.pig"])
        .current_dir(tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr_file)
        .spawn()
        .expect("pigrs starts");
    // Wait for the STORE to write into its hidden temporary folder.
    let start = Instant::now();
    while temporaries(tmp.path()).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no temporary output appeared"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SIGINT to pigrs alone (a terminal's Ctrl-C would also reach the sleeping command,
    // which ignores it anyway).
    let sent = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    let status = child.wait().expect("pigrs ends");
    let took = sent.elapsed();
    let stderr = std::fs::read_to_string(&stderr_path).expect("stderr");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert_eq!(stderr, "cancelled\n");
    assert!(took < Duration::from_secs(2), "cancelling took {took:?}");
    assert_eq!(temporaries(tmp.path()), Vec::<String>::new());
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let tmp = tempfile::tempdir().expect("tempdir");
    slow_script(tmp.path(), 2);
    let out = pigrs()
        .args(["run", "slow.pig"])
        .current_dir(tmp.path())
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .expect("pigrs runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.starts_with("Run statistics ("), "{stderr}");
    assert!(!stderr.contains('%'), "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert!(!stderr.contains('\r'), "{stderr}");
}

/// Runs `slow.pig` in `dir` in a pseudo-terminal with `args`; returns all it printed.
fn on_a_terminal(dir: &Path, args: &[&str]) -> String {
    let mut cmd = pigrs();
    cmd.arg("run")
        .args(args)
        .arg("slow.pig")
        .current_dir(dir)
        .env("TERM", "xterm")
        .env("NO_COLOR", "1");
    let mut s = rexpect::session::spawn_command(cmd, Some(30_000)).expect("pigrs starts");
    s.exp_eof().expect("pigrs ends")
}

/// What a terminal `width` columns wide shows after `out`: its lines, trailing blanks cut.
/// Knows what the progress display writes: text, `\r`, `\n`, cursor up and down
/// (`ESC[nA`, `ESC[nB`), erasing a line (`ESC[2K`, `ESC[K`); other escapes are skipped.
fn screen(out: &str, width: usize) -> Vec<String> {
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = out.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => row += 1,
            '\x1b' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut arg = String::new();
                let mut cmd = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        cmd = c;
                        break;
                    }
                    arg.push(c);
                }
                let n: usize = arg.parse().unwrap_or(1);
                match (cmd, arg.as_str()) {
                    ('A', _) => row = row.saturating_sub(n),
                    ('B', _) => row += n,
                    ('K', "2") => rows[row].clear(),
                    ('K', "" | "0") => rows[row].truncate(col),
                    _ => {}
                }
            }
            c => {
                if col == width {
                    // The pending wrap of a full line.
                    row += 1;
                    col = 0;
                }
                while rows.len() <= row {
                    rows.push(Vec::new());
                }
                let line = &mut rows[row];
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                col += 1;
            }
        }
        while rows.len() <= row {
            rows.push(Vec::new());
        }
    }
    rows.into_iter()
        .map(|r| r.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

#[test]
fn the_screen_follows_the_displays_escapes() {
    assert_eq!(screen("ab\rc", 80), vec!["cb"]);
    assert_eq!(screen("abcd", 2), vec!["ab", "cd"]);
    assert_eq!(screen("one\r\ntwo\x1b[1A\r\x1b[2K", 80), vec!["", "two"]);
    assert_eq!(screen("abc\r\x1b[1B\x1b[31mx", 80), vec!["abc", "x"]);
}

#[test]
fn progress_bars_show_on_a_terminal_and_are_erased_at_the_end() {
    let tmp = tempfile::tempdir().expect("tempdir");
    slow_script(tmp.path(), 3);
    let out = on_a_terminal(tmp.path(), &[]);
    let report = out
        .find("Run statistics (")
        .expect("the statistics are printed");
    let (progress, _) = out.split_at(report);
    assert!(progress.contains("pigrs "), "{out:?}");
    assert!(progress.contains(" Stream "), "{out:?}");
    assert!(progress.contains("% "), "{out:?}");
    assert!(progress.contains(" rows/s"), "{out:?}");
    // Whatever was drawn is gone when the statistics are printed.
    let shown = screen(progress, 80);
    assert!(
        shown.iter().all(String::is_empty),
        "{shown:?} from {progress:?}"
    );
    let stored =
        std::fs::read_to_string(tmp.path().join("out").join("part-r-00000")).expect("stored");
    let mut rows: Vec<&str> = stored.lines().collect();
    rows.sort_unstable();
    assert_eq!(rows, ["25\t1", "30\t2"]);

    // --no-progress: the same run draws nothing.
    std::fs::remove_dir_all(tmp.path().join("out")).expect("remove out");
    let out = on_a_terminal(tmp.path(), &["--no-progress"]);
    assert!(out.starts_with("Run statistics ("), "{out:?}");
    assert!(!out.contains('%'), "{out:?}");
}
