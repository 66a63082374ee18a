//! `pigrs-fuzz`: feeds generated and mutated Pig Latin scripts to the pigrs front end and
//! planner for a time budget, and fails on the first panic, stack overflow or slow input.
//!
//! ```text
//! pigrs-fuzz [--seconds N] [--iterations N] [--seed N] [--keep-going]
//! pigrs-fuzz --replay FILE...     # run saved inputs once each (e.g. fuzz/crashes/*.pig)
//! ```
//!
//! The process re-runs itself as a worker (`--worker`), so that a stack overflow (which
//! aborts the process and cannot be caught) is still reported with its input. Failing
//! inputs are written to `fuzz/crashes/<hash>.pig`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pigrs_fuzz::target::{self, fnv1a};
use pigrs_fuzz::{InputMaker, Source, crate_dir, load_corpus};

/// An input slower than this (twice in a row, so that a busy machine's stall is not
/// blamed on it) is reported as a failure.
const SLOW: Duration = Duration::from_secs(2);

/// An input still running after this long is reported as a hang, and the run stops.
const HANG: Duration = Duration::from_secs(60);

/// Stack of the worker thread: Rust's default for spawned threads (test threads, tokio
/// workers), smaller than a main thread's 8 MiB, so deep-nesting bugs show up early. The
/// environment variable `PIGRS_FUZZ_STACK` (bytes) overrides it.
const STACK: usize = 2 << 20;

struct Options {
    seconds: u64,
    iterations: Option<u64>,
    seed: u64,
    keep_going: bool,
    worker: bool,
    replay: Vec<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        seconds: 60,
        iterations: None,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        keep_going: false,
        worker: false,
        replay: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |name: &str| -> Result<u64, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--seconds" => o.seconds = num("--seconds")?,
            "--iterations" => o.iterations = Some(num("--iterations")?),
            "--seed" => o.seed = num("--seed")?,
            "--keep-going" => o.keep_going = true,
            "--worker" => o.worker = true,
            "--replay" => o.replay.extend(args.by_ref().map(PathBuf::from)),
            "-h" | "--help" => {
                return Err(
                    "usage: pigrs-fuzz [--seconds N (60)] [--iterations N] [--seed N] \
                            [--keep-going]"
                        .to_string(),
                );
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(o)
}

fn crashes_dir() -> PathBuf {
    crate_dir().join("crashes")
}

fn current_path() -> PathBuf {
    crashes_dir().join(".current.pig")
}

/// Saves a failing input as `crashes/<prefix><hash>.pig`, its parameters in a header.
fn save(prefix: &str, input: &str, params: &[(String, String)]) -> PathBuf {
    let mut text = String::new();
    if !params.is_empty() && !input.starts_with("-- params:") {
        let kv: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        text.push_str(&format!("-- params: {}\n", kv.join(" ")));
    }
    text.push_str(input);
    let path = crashes_dir().join(format!("{prefix}{:016x}.pig", fnv1a(text.as_bytes())));
    let _ = std::fs::create_dir_all(crashes_dir());
    let _ = std::fs::write(&path, &text);
    path
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if opts.worker || !opts.replay.is_empty() {
        let handle = std::thread::Builder::new()
            .name("fuzz-worker".into())
            .stack_size(
                std::env::var("PIGRS_FUZZ_STACK")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(STACK),
            )
            .spawn(move || {
                if opts.replay.is_empty() {
                    worker(&opts)
                } else {
                    replay(&opts.replay)
                }
            })
            .expect("spawn the fuzz worker");
        return handle.join().unwrap_or(ExitCode::FAILURE);
    }
    supervise()
}

/// Runs the worker in a child process and reports an abnormal end (a stack overflow
/// aborts the child) with the input it was running.
fn supervise() -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("cannot find this program to run the worker: {e}");
            return ExitCode::FAILURE;
        }
    };
    let _ = std::fs::create_dir_all(crashes_dir());
    let _ = std::fs::remove_file(current_path());
    let status = std::process::Command::new(exe)
        .arg("--worker")
        .args(std::env::args().skip(1))
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        // The worker reported the failure itself.
        Ok(s) if s.code() == Some(1) => ExitCode::FAILURE,
        Ok(s) => {
            let input = std::fs::read_to_string(current_path()).unwrap_or_default();
            let path = save("abort-", &input, &[]);
            eprintln!(
                "pigrs-fuzz: the worker died ({s}), most likely a stack overflow; its input is in {}",
                path.display()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("pigrs-fuzz: cannot run the worker: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs each saved input once (parameters from its `-- params:` header) and says how
/// far it got; fails if any panics.
fn replay(files: &[PathBuf]) -> ExitCode {
    target::install_quiet_hook();
    let mut failed = false;
    for f in files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                failed = true;
                continue;
            }
        };
        let t0 = Instant::now();
        let result = target::run_caught(&text, &pigrs_fuzz::params_for(&text));
        let took = t0.elapsed().as_secs_f64();
        match result {
            Ok(o) => println!("{}: {o:?} in {took:.3} s", f.display()),
            Err(p) => {
                println!("{}: {p}", f.display());
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn worker(opts: &Options) -> ExitCode {
    target::install_quiet_hook();
    let corpus = load_corpus();
    eprintln!(
        "pigrs-fuzz: seed {}, {} corpus scripts, {} s{}",
        opts.seed,
        corpus.len(),
        opts.seconds,
        opts.iterations
            .map(|n| format!(", at most {n} iterations"))
            .unwrap_or_default()
    );
    let mut maker = InputMaker::new(opts.seed, corpus);

    // A watchdog that reports an input that hangs.
    let start = Instant::now();
    let started_ms = Arc::new(AtomicU64::new(u64::MAX));
    {
        let started_ms = Arc::clone(&started_ms);
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(200));
                let s = started_ms.load(Ordering::Relaxed);
                let now = start.elapsed().as_millis() as u64;
                if s != u64::MAX && now.saturating_sub(s) > HANG.as_millis() as u64 {
                    let input = std::fs::read_to_string(current_path()).unwrap_or_default();
                    let path = save("slow-", &input, &[]);
                    eprintln!(
                        "pigrs-fuzz: an input has run for over {} s; it is in {}",
                        HANG.as_secs(),
                        path.display()
                    );
                    std::process::exit(1);
                }
            }
        });
    }

    let deadline = start + Duration::from_secs(opts.seconds);
    let (mut iterations, mut parsed, mut planned, mut roundtrip) = (0u64, 0u64, 0u64, 0u64);
    let mut by_source = [0u64; 4];
    let mut panics: HashSet<String> = HashSet::new();
    let mut failed = false;
    let mut slowest = (Duration::ZERO, 0u64);
    while Instant::now() < deadline && opts.iterations.is_none_or(|n| iterations < n) {
        let (input, params, source) = maker.next_input();
        let mut record = String::new();
        for (k, v) in &params {
            record.push_str(&format!("-- params: {k}={v}\n"));
        }
        record.push_str(&input);
        let _ = std::fs::write(current_path(), &record);
        let t0 = Instant::now();
        started_ms.store(start.elapsed().as_millis() as u64, Ordering::Relaxed);
        let result = target::run_caught(&input, &params);
        started_ms.store(u64::MAX, Ordering::Relaxed);
        let took = t0.elapsed();
        iterations += 1;
        by_source[match source {
            Source::Generated => 0,
            Source::MutatedGenerated => 1,
            Source::Corpus => 2,
            Source::MutatedCorpus => 3,
        }] += 1;
        match result {
            Ok(o) => {
                parsed += u64::from(o.parsed);
                planned += u64::from(o.planned);
                if o.roundtrip_failed {
                    roundtrip += 1;
                    if roundtrip <= 20 {
                        save("roundtrip-", &input, &params);
                    }
                }
            }
            Err(p) => {
                let key = p.location.clone();
                let path = save("panic-", &input, &params);
                if panics.insert(key) {
                    eprintln!("pigrs-fuzz: {p}\n  input: {}", path.display());
                }
                failed = true;
                if !opts.keep_going {
                    break;
                }
            }
        }
        if took > slowest.0 {
            slowest = (took, fnv1a(input.as_bytes()));
        }
        if took > SLOW && {
            // Time it again: a loaded machine may have stalled the first run.
            let t1 = Instant::now();
            let _ = target::run_caught(&input, &params);
            t1.elapsed() > SLOW
        } {
            let path = save("slow-", &input, &params);
            eprintln!(
                "pigrs-fuzz: an input took {:.1} s; it is in {}",
                took.as_secs_f64(),
                path.display()
            );
            failed = true;
            if !opts.keep_going {
                break;
            }
        }
    }
    let _ = std::fs::remove_file(current_path());
    let frac = |n: u64| 100.0 * n as f64 / iterations.max(1) as f64;
    println!(
        "pigrs-fuzz: {iterations} iterations in {:.0} s (seed {}; generated {}, mutated generated {}, corpus {}, mutated corpus {}): {} unique panics, {:.1}% parsed, {:.1}% planned, {roundtrip} printer round-trip failures; slowest input {:.3} s ({:016x})",
        start.elapsed().as_secs_f64(),
        opts.seed,
        by_source[0],
        by_source[1],
        by_source[2],
        by_source[3],
        panics.len(),
        frac(parsed),
        frac(planned),
        slowest.0.as_secs_f64(),
        slowest.1,
    );
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
