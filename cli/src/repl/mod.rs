//! The interactive shell (`pigrs` with no arguments), like Pig's Grunt: statements run as
//! they are entered, DUMP and DESCRIBE print at once, and Grunt's commands (`aliases`,
//! `\d`, `history`, ...) work without a `;`.
//!
//! Input is edited with rustyline: Tab completes, a statement may span lines (one history
//! entry), history is kept in a file (`PIGRS_HISTORY`, else `~/.pigrs_history`) and Ctrl-R
//! searches it. Ctrl-C at the prompt clears the line; during a statement it cancels the
//! job (a signal handler sets the runner's [`Cancel`]) and the session goes on; Ctrl-D
//! leaves.

mod command;
mod helper;
mod shell;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use miette::Report;
use pigrs_runtime::Cancel;
use rustyline::error::ReadlineError;
use rustyline::history::{FileHistory, History};
use rustyline::{CompletionType, Config, Editor};

use crate::diagnostics::{plain, plain_with_help};
use command::Command;
use helper::PigHelper;
use shell::{Outcome, Shell};

/// What `help` prints.
const HELP: &str = "\
Statements end with ';' and may span several lines. Shell commands need no ';':
  \\d [alias]        DUMP alias (no alias: the last one defined)
  \\de [alias]       DESCRIBE alias
  \\e [alias]        EXPLAIN alias
  \\i [alias]        ILLUSTRATE alias
  aliases           list the aliases defined, with their schemas
  set               show the settings (set KEY VALUE; changes one)
  ls [PATH], cat PATH..., cd [DIR], pwd, mkdir DIR, cp FROM TO, mv FROM TO, rm PATH...,
  copyToLocal FROM TO, copyFromLocal FROM TO
                    Pig's file commands (cd changes where relative paths start)
  fs -CMD ARGS      file commands: -ls, -cat, -mkdir, -rm, -cp, -mv, ...
  sh COMMAND        run a shell command
  run SCRIPT        run a script in this session (its aliases stay defined)
  exec SCRIPT       run a script on its own (-param k=v works with both)
  history [-n]      the statements entered (Ctrl-R searches them)
  clear             clear the screen
  kill              there are no background jobs: Ctrl-C cancels the running statement
  help              this list
  quit, \\q          leave (Ctrl-D too)
Tab completes keywords, aliases, fields (alias.field and in a FOREACH), functions,
$parameters and paths (in quotes after LOAD, INTO and REGISTER, and after run, exec, fs and
the file commands).";

/// The history file: `PIGRS_HISTORY`, else `.pigrs_history` in the home folder.
fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PIGRS_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".pigrs_history"))
}

/// Runs the shell until `quit` or end of input.
pub fn run() -> Result<(), Vec<Report>> {
    let cancel = Cancel::new();
    let mut shell = Shell::new(cancel.clone())?;
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .max_history_size(10_000)
        .and_then(|c| c.history_ignore_dups(true))
        .map(|c| c.build())
        .map_err(|e| vec![plain(format!("cannot start the shell: {e}"))])?;
    let mut editor: Editor<PigHelper, FileHistory> = Editor::with_config(config)
        .map_err(|e| vec![plain(format!("cannot start the shell: {e}"))])?;
    // At the prompt the terminal is in raw mode and Ctrl-C reaches rustyline as a key;
    // while a statement runs it is a SIGINT, which cancels the job instead of ending the
    // shell. The handler goes in after the editor is made: rustyline's terminal installs a
    // SIGINT handler of its own, which would take the signal.
    ctrlc::set_handler(move || cancel.cancel())
        .map_err(|e| vec![plain(format!("cannot watch for Ctrl-C: {e}"))])?;
    let mut helper = PigHelper::new();
    helper.names = shell.names();
    editor.set_helper(Some(helper));
    let interactive = std::io::stdin().is_terminal();
    // Statements piped in are a script, not a user's history.
    let history = history_path().filter(|_| interactive);
    if let Some(path) = &history
        && path.exists()
        && let Err(e) = editor.load_history(path)
    {
        eprintln!("warning: cannot read the history {}: {e}", path.display());
    }
    let mut history_warned = false;
    loop {
        let text = match editor.readline("pigrs> ") {
            Ok(text) => text,
            // Ctrl-C at the prompt: the line is dropped.
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => return Ok(()),
            Err(e) => return Err(vec![plain(format!("cannot read input: {e}"))]),
        };
        if text.trim().is_empty() {
            continue;
        }
        // A multi-line statement is one entry, as entered.
        let _ = editor.add_history_entry(text.trim_end());
        if let Some(path) = &history
            && let Err(e) = editor.append_history(path)
            && !history_warned
        {
            history_warned = true;
            eprintln!(
                "warning: cannot save the history to {}: {e}",
                path.display()
            );
        }
        let outcome = match command::parse(&text) {
            Some(Err(message)) => {
                eprintln!(
                    "{:?}",
                    plain_with_help(message, "`help` lists the commands")
                );
                Outcome::Failed
            }
            Some(Ok(Command::Quit)) => return Ok(()),
            Some(Ok(Command::Help)) => {
                println!("{HELP}");
                Outcome::Done
            }
            Some(Ok(Command::History { numbered })) => {
                let entries = editor.history();
                let mut out = std::io::stdout().lock();
                for i in 0..entries.len() {
                    if let Ok(Some(e)) =
                        entries.get(i, rustyline::history::SearchDirection::Forward)
                    {
                        let _ = if numbered {
                            writeln!(out, "{:>5}  {}", i + 1, e.entry)
                        } else {
                            writeln!(out, "{}", e.entry)
                        };
                    }
                }
                Outcome::Done
            }
            Some(Ok(Command::Clear)) => {
                let _ = editor.clear_screen();
                Outcome::Done
            }
            Some(Ok(cmd)) => shell.command(cmd),
            None => shell.statements(&text),
        };
        if outcome == Outcome::Cancelled {
            eprintln!("cancelled (Ctrl-C): the statement was stopped; the session goes on");
            if !interactive {
                // No prompt to come back to: the input is a script fed on stdin.
                return Err(vec![plain("interrupted")]);
            }
        }
        if let Some(h) = editor.helper_mut() {
            h.names = shell.names();
        }
    }
}
