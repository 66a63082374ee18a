//! The `pigrs` command: run Pig Latin scripts, explain or check them, or explore data in an
//! interactive shell.

mod diagnostics;
mod include;
mod repl;
mod report;
mod script;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// pigrs: a Pig Latin dataflow engine.
#[derive(Parser, Debug)]
#[command(name = "pigrs", version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

/// Options shared by the commands that read a script.
#[derive(clap::Args, Debug, Clone)]
pub struct ScriptArgs {
    /// The Pig Latin script.
    pub script: PathBuf,
    /// A parameter: -p name=value (repeatable).
    #[arg(short = 'p', long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// A parameter file with name=value lines (repeatable).
    #[arg(short = 'm', long = "param_file", value_name = "FILE")]
    pub param_files: Vec<PathBuf>,
}

/// Options of `pigrs run`.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Turn the optimizer's rules off (for comparison and debugging).
    #[arg(long)]
    pub no_optimize: bool,
    /// Run each STORE and DUMP on its own, recomputing what they share (Pig's -M): by
    /// default the outputs of a script run together and shared work is done once.
    #[arg(short = 'M', long = "no-multiquery", alias = "no_multiquery")]
    pub no_multiquery: bool,
    /// Also write the run statistics (printed on stderr at the end) as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
    /// Also write an HTML report of the run to FILE (one self-contained page: the script,
    /// the stage graph, a timeline of the tasks, the statistics, the warnings and the
    /// outputs); `SET pigrs.report 'FILE'` in the script does the same.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    /// Never show the progress bars (they only show on a terminal anyway).
    #[arg(long)]
    pub no_progress: bool,
    /// Accepted for compatibility: statistics are always printed.
    #[arg(long, hide = true)]
    pub stats: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a script.
    Run {
        #[command(flatten)]
        args: ScriptArgs,
        #[command(flatten)]
        opts: RunArgs,
    },
    /// Show the logical, stage and physical plans of a script's outputs.
    Explain {
        #[command(flatten)]
        args: ScriptArgs,
        /// Show schemas too.
        #[arg(long)]
        verbose: bool,
    },
    /// Parse and plan a script without running it.
    Check {
        #[command(flatten)]
        args: ScriptArgs,
    },
}

/// The exit status of a run stopped by Ctrl-C: 128 + SIGINT, as shells report it.
const CANCELLED: u8 = 130;

/// `pigrs run`: Ctrl-C cancels the job (its temporary output is removed) and exits with
/// [`CANCELLED`] after one line, instead of the process dying mid-write; a second Ctrl-C
/// exits at once.
fn run(args: &ScriptArgs, opts: &RunArgs) -> ExitCode {
    let cancel = pigrs_runtime::Cancel::new();
    let flag = cancel.clone();
    let handler = move || {
        if flag.is_cancelled() {
            // A second Ctrl-C: the cancellation is stuck (a command that ignores
            // signals), and the user asked twice.
            std::process::exit(i32::from(CANCELLED));
        }
        flag.cancel();
    };
    if let Err(e) = ctrlc::set_handler(handler) {
        eprintln!("warning: cannot watch for Ctrl-C ({e}); it will end pigrs at once");
    }
    match script::run(args, opts, Some(cancel.clone())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) if cancel.is_cancelled() => {
            eprintln!("cancelled");
            ExitCode::from(CANCELLED)
        }
        Err(reports) => {
            for r in reports {
                eprintln!("{r:?}");
            }
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let mut argv: Vec<String> = std::env::args().collect();
    // `pigrs script.pig ...` runs the script, like `pig script.pig`.
    if let Some(first) = argv.get(1)
        && !first.starts_with('-')
        && !["run", "explain", "check", "help"].contains(&first.as_str())
    {
        argv.insert(1, "run".to_string());
    }
    let cli = Cli::parse_from(argv);
    let result = match cli.command {
        None => repl::run(),
        Some(Command::Run { args, opts }) => return run(&args, &opts),
        Some(Command::Explain { args, verbose }) => script::explain(&args, verbose),
        Some(Command::Check { args }) => script::check(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(reports) => {
            for r in reports {
                eprintln!("{r:?}");
            }
            ExitCode::FAILURE
        }
    }
}
