//! The shell's session: the aliases, parameters and settings entered so far, and the
//! runner that executes each statement as it comes.
//!
//! Every input keeps its text under a file id of its own, so an error can point into an
//! earlier input (the failed statement that was to define an alias). Ids:
//! `run` scripts get 1000, 1001, ... (see `include`); input `n` gets
//! `INPUT_FILES + n * INPUT_STRIDE`, leaving the ids after it to the macro files it
//! IMPORTs.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use miette::Report;
use pigrs_grammar::ast::{Script, Statement, StatementKind};
use pigrs_planner::{Action, PlanError, Session};
use pigrs_runtime::{Cancel, RunError, RunOptions, Runner};

use super::command::{Command, Shortcut};
use super::helper::Names;
use crate::diagnostics::{Source, plain, plain_with_help};

/// The file id of the shell's first input.
const INPUT_FILES: u32 = 1 << 20;
/// File ids between two inputs (an input's IMPORTed macro files take the ids after it).
const INPUT_STRIDE: u32 = 1 << 8;

/// How an input ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Everything ran (or there was nothing to run).
    Done,
    /// A statement failed; its error was printed and the rest of the input skipped.
    Failed,
    /// Ctrl-C cancelled a statement; the rest of the input was skipped.
    Cancelled,
}

/// One shell session.
pub struct Shell {
    session: Session,
    runner: Runner,
    cancel: Cancel,
    /// Each input's text after parameter substitution.
    inputs: Vec<Source>,
    /// The scripts `run` spliced in.
    called: Vec<Source>,
    /// Parameters declared so far (`%declare`, `%default`).
    params: Vec<(String, String)>,
    /// `SET key value` as entered, the last value of each key.
    settings: BTreeMap<String, String>,
    /// The alias `\d` and friends use when none is named.
    last_alias: Option<String>,
    /// The macro definitions and IMPORTs entered so far, in order.
    macros: Vec<Statement>,
}

impl Shell {
    /// A new session whose jobs `cancel` stops.
    pub fn new(cancel: Cancel) -> Result<Self, Vec<Report>> {
        let schemas = std::sync::Arc::new(pigrs_runtime::io::FileSchemas::new(
            &pigrs_runtime::physical::base_dir(),
        ));
        // REGISTER reads relative paths from the working directory.
        let session = Session::with_schemas(Some(schemas)).load_plugins_from(PathBuf::new());
        let mut runner = Runner::new(RunOptions::default()).map_err(|e| vec![plain(e.message)])?;
        runner.set_cancel(cancel.clone());
        Ok(Shell {
            session,
            runner,
            cancel,
            inputs: Vec::new(),
            called: Vec::new(),
            params: Vec::new(),
            settings: BTreeMap::new(),
            last_alias: None,
            macros: Vec::new(),
        })
    }

    /// What completion and hints need to know.
    pub fn names(&self) -> Names {
        let mut aliases: Vec<(pigrs_planner::NodeId, &str)> = self
            .session
            .alias_names()
            .filter_map(|a| Some((self.session.alias(a)?, a)))
            .collect();
        aliases.sort_unstable();
        let mut functions: Vec<String> = pigrs_udf::func::builtin_names()
            .into_iter()
            .map(str::to_string)
            .collect();
        functions.extend(self.session.function_names());
        Names {
            aliases: aliases
                .into_iter()
                .map(|(id, a)| (a.to_string(), self.session.plan.node(id).schema.clone()))
                .collect(),
            functions,
            params: self.params.iter().map(|(k, _)| k.clone()).collect(),
        }
    }

    /// The text a span's file id refers to.
    fn source(&self, file: u32) -> Option<&Source> {
        if file >= INPUT_FILES {
            self.inputs
                .get(((file - INPUT_FILES) / INPUT_STRIDE) as usize)
        } else {
            crate::include::called(file, &self.called)
        }
    }

    /// A planning error, shown in the input (or `run` script) it points into.
    fn plan_report(&self, e: &PlanError, current: &Source) -> Report {
        let here = self.source(e.span.file).unwrap_or(current);
        here.plan_in(e, &|file| self.source(file))
    }

    /// A run-time error, shown where it points.
    fn run_report(&self, e: &RunError, current: &Source) -> Report {
        let here = e.span.and_then(|s| self.source(s.file)).unwrap_or(current);
        here.run(e)
    }

    /// Runs a shell command (other than those the editor handles: quit, help, history,
    /// clear).
    pub fn command(&mut self, cmd: Command) -> Outcome {
        match cmd {
            Command::Aliases => {
                let names = self.names();
                let mut out = std::io::stdout().lock();
                if names.aliases.is_empty() {
                    let _ = writeln!(out, "no aliases defined yet");
                }
                for (alias, schema) in &names.aliases {
                    let _ = match schema {
                        Some(s) => writeln!(out, "{alias}: {{{s}}}"),
                        None => writeln!(out, "{alias}: schema unknown"),
                    };
                }
                Outcome::Done
            }
            Command::Settings => {
                let mut out = std::io::stdout().lock();
                for (k, v) in self.settings_list() {
                    let _ = writeln!(out, "{k}={v}");
                }
                Outcome::Done
            }
            Command::Kill(_) => {
                eprintln!(
                    "{:?}",
                    plain_with_help(
                        "no job is running: the shell runs one statement at a time",
                        "press Ctrl-C while a statement runs to cancel it"
                    )
                );
                Outcome::Failed
            }
            Command::Shortcut(kind, alias) => self.shortcut(kind, alias),
            Command::Quit | Command::Help | Command::History { .. } | Command::Clear => {
                Outcome::Done
            }
        }
    }

    /// The settings: the runner's, then those SET in this session.
    fn settings_list(&self) -> Vec<(String, String)> {
        let opts = self.runner.options();
        let mut list = BTreeMap::new();
        list.insert(
            "default_parallel".to_string(),
            opts.default_parallel.map_or_else(
                || format!("(by input size, at most {})", opts.parallelism),
                |n| n.to_string(),
            ),
        );
        list.insert("pigrs.memory".to_string(), opts.memory.to_string());
        list.insert(
            "pigrs.join.broadcast.threshold".to_string(),
            pigrs_planner::optimizer::DEFAULT_THRESHOLD.to_string(),
        );
        for (k, v) in &self.settings {
            // The runner's own values are the ones in force.
            if k != "default_parallel" && k != "pigrs.memory" {
                list.insert(k.clone(), v.clone());
            }
        }
        list.into_iter().collect()
    }

    /// `\d`, `\de`, `\e`, `\i`: the statement they stand for, on `alias` or the last one.
    fn shortcut(&mut self, kind: Shortcut, alias: Option<String>) -> Outcome {
        let Some(alias) = alias.or_else(|| self.last_alias.clone()) else {
            eprintln!(
                "{:?}",
                plain_with_help(
                    format!("`{}` needs an alias: none is defined yet", kind.name()),
                    format!("define one first, or name it: {} alias", kind.name())
                )
            );
            return Outcome::Failed;
        };
        self.statements(&format!("{} {alias};", kind.keyword()))
    }

    /// Runs an input of statements: substitutes parameters, parses, then plans and runs
    /// each statement in order, stopping at the first that fails or is cancelled.
    pub fn statements(&mut self, text: &str) -> Outcome {
        self.cancel.reset();
        let n = self.inputs.len();
        let name = format!("<shell #{}>", n + 1);
        let file = INPUT_FILES + n as u32 * INPUT_STRIDE;
        let (text, params) = match pigrs_grammar::params::substitute_with_vars(text, &self.params) {
            Ok(r) => r,
            Err(e) => {
                let src = Source {
                    name,
                    text: text.to_string(),
                };
                eprintln!("{:?}", src.param(&e.message, e.offset));
                return Outcome::Failed;
            }
        };
        self.params = params;
        self.inputs.push(Source { name, text });
        let current = &self.inputs[n];
        let mut script = match pigrs_grammar::parse_statement(&current.text, file) {
            Ok(s) => s,
            Err(errs) => {
                for e in &errs {
                    eprintln!("{:?}", current.parse(e));
                }
                return Outcome::Failed;
            }
        };
        // Macros defined (or IMPORTed) in earlier inputs can be called: their definitions
        // go first.
        let defines: Vec<Statement> = script
            .statements
            .iter()
            .filter(|st| {
                matches!(
                    st.node,
                    StatementKind::MacroDef(_) | StatementKind::Import(_)
                )
            })
            .cloned()
            .collect();
        script.statements.splice(0..0, self.macros.iter().cloned());
        let mut import = |p: &str| -> Result<String, String> {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"))
        };
        let script = match pigrs_grammar::macros::expand_macros(script, &current.text, &mut import)
        {
            Ok(s) => s,
            Err(errs) => {
                for e in &errs {
                    // An error in an earlier input's macro body points into that input.
                    let at = self.source(e.span.file).unwrap_or(current);
                    eprintln!("{:?}", at.parse(e));
                }
                return Outcome::Failed;
            }
        };
        self.macros.extend(defines);
        let outcome = self.run_statements(script.statements, n);
        for w in self.runner.warning_summary() {
            eprintln!("{w}");
        }
        outcome
    }

    /// Plans and runs statements of input `n` (or of scripts it `run`s).
    fn run_statements(&mut self, statements: Vec<Statement>, n: usize) -> Outcome {
        for stmt in statements {
            let outcome = match &stmt.node {
                StatementKind::Run(call) if call.script.is_some() => self.run_script(stmt, n),
                StatementKind::Exec(call) if call.script.is_some() => self.exec_script(call),
                _ => self.statement(&stmt, n),
            };
            if outcome != Outcome::Done {
                return outcome;
            }
        }
        Outcome::Done
    }

    /// `run script`: its statements run in this session, so its aliases stay defined.
    fn run_script(&mut self, stmt: Statement, n: usize) -> Outcome {
        let main = Source {
            name: self.inputs[n].name.clone(),
            text: self.inputs[n].text.clone(),
        };
        let spliced = crate::include::expand(
            Script {
                statements: vec![stmt],
            },
            Path::new(""),
            &mut self.called,
            &main,
            0,
        );
        match spliced {
            Ok(script) => self.run_statements(script.statements, n),
            Err(reports) => {
                for r in reports {
                    eprintln!("{r:?}");
                }
                Outcome::Failed
            }
        }
    }

    /// `exec script`: runs it on its own, as `pigrs run` would; its aliases do not become
    /// the session's.
    fn exec_script(&mut self, call: &pigrs_grammar::ast::ScriptCall) -> Outcome {
        let Some(script) = &call.script else {
            return Outcome::Done;
        };
        let args = crate::ScriptArgs {
            script: PathBuf::from(&script.node),
            params: call.params.iter().map(|p| p.node.clone()).collect(),
            param_files: call
                .param_files
                .iter()
                .map(|f| PathBuf::from(&f.node))
                .collect(),
        };
        let opts = crate::RunArgs {
            no_optimize: false,
            no_multiquery: false,
            stats_json: None,
            report: None,
            no_progress: false,
            stats: false,
        };
        match crate::script::run(&args, &opts, Some(self.cancel.clone())) {
            Ok(()) => Outcome::Done,
            Err(_) if self.cancel.is_cancelled() => Outcome::Cancelled,
            Err(reports) => {
                for r in reports {
                    eprintln!("{r:?}");
                }
                Outcome::Failed
            }
        }
    }

    /// Plans one statement and runs what it asks for.
    fn statement(&mut self, stmt: &Statement, n: usize) -> Outcome {
        let current = &self.inputs[n];
        // A `cd` changes the folder when planned; if it then fails to run (no such
        // folder), the session stays where it was.
        let cwd = self.session.working_dir().map(str::to_string);
        let actions = match self.session.statement(stmt) {
            Ok(a) => a,
            Err(e) => {
                eprintln!("{:?}", self.plan_report(&e, current));
                return Outcome::Failed;
            }
        };
        match &stmt.node {
            StatementKind::Assign { alias, .. } => self.last_alias = Some(alias.node.clone()),
            StatementKind::Split {
                branches,
                otherwise,
                ..
            } => {
                self.last_alias = otherwise
                    .as_ref()
                    .or(branches.last().map(|(a, _)| a))
                    .map(|a| a.node.clone());
            }
            _ => {}
        }
        if let Err(e) = self.runner.check_outputs(&self.session.plan, &actions) {
            eprintln!("{:?}", self.run_report(&e, current));
            return Outcome::Failed;
        }
        // Later statements may still use what this one reads, so the session's plan stays
        // as written and each statement runs an optimized copy. The settings entered
        // before count (the optimizer reads the broadcast threshold from them).
        let mut plan = self.session.plan.clone();
        let with_settings: Vec<Action> = self
            .settings
            .iter()
            .map(|(k, v)| Action::Set(k.clone(), v.clone()))
            .chain(actions.iter().cloned())
            .collect();
        if let Err(e) = crate::script::optimize_plan(&mut plan, &with_settings) {
            eprintln!("{:?}", self.plan_report(&e, current));
            return Outcome::Failed;
        }
        let stdout = std::io::stdout();
        for a in &actions {
            let mut out = stdout.lock();
            let result = self.runner.run(&plan, a, &mut out);
            out.flush().ok();
            match result {
                Ok(()) => {
                    if let Action::Set(k, v) = a {
                        self.settings.insert(k.clone(), v.clone());
                    }
                    if matches!(a, Action::Execute(_)) {
                        self.write_report(None);
                    }
                }
                // A command interrupted by the same Ctrl-C (`sh`) fails: it was cancelled.
                Err(e) if e.cancelled || self.cancel.is_cancelled() => {
                    self.session.set_working_dir(cwd);
                    return Outcome::Cancelled;
                }
                Err(e) => {
                    self.session.set_working_dir(cwd);
                    let report = self.run_report(&e, current);
                    eprintln!("{report:?}");
                    if matches!(a, Action::Execute(_)) {
                        self.write_report(Some(&report));
                    }
                    return Outcome::Failed;
                }
            }
        }
        Outcome::Done
    }

    /// After a DUMP or STORE, with `SET pigrs.report 'FILE'` in force: the session's
    /// report so far (every job it ran, its statements as the script), written over the
    /// last one. A failure to write it is a warning: the statement itself ran.
    fn write_report(&self, error: Option<&Report>) {
        let Some(path) = self.settings.get("pigrs.report") else {
            return;
        };
        let script: Vec<&str> = self.inputs.iter().map(|i| i.text.trim_end()).collect();
        let html = crate::report::render(&crate::report::Run {
            script_name: "pigrs shell session",
            script: &script.join("\n"),
            params: &[],
            stats: self.runner.stats(),
            warnings: &self.runner.warning_summary(),
            error: error.map(|r| crate::script::plain_text(std::slice::from_ref(r))),
            threads: self.runner.options().parallelism,
            base_dir: &self.runner.options().base_dir,
        });
        if let Err(message) = crate::report::write(Path::new(path), &html) {
            eprintln!("warning: {message}");
        }
    }
}
