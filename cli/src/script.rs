//! `pigrs run|explain|check SCRIPT`: read, substitute parameters, parse, expand macros,
//! plan, then run the script's actions in order.

use std::io::Write;
use std::path::Path;

use miette::Report;
use pigrs_planner::{Action, Session, multi_query};
use pigrs_runtime::{Cancel, RunOptions, Runner};

use crate::diagnostics::{Source, plain};
use crate::{RunArgs, ScriptArgs};

/// A planned script with the text its spans refer to.
pub struct Planned {
    /// Script text after substitution.
    pub source: Source,
    /// The planning session (its plan).
    pub session: Session,
    /// What to do, in order.
    pub actions: Vec<Action>,
    /// Scripts spliced in by `run`/`exec` (their spans carry their own file ids).
    pub called: Vec<Source>,
}

impl Planned {
    /// A run-time error, shown in the script it points into.
    pub fn run_error(&self, e: &pigrs_runtime::RunError) -> Report {
        let file = e.span.map_or(0, |s| s.file);
        crate::include::source_of(file, &self.source, &self.called).run(e)
    }
}

fn params(args: &ScriptArgs) -> Result<Vec<(String, String)>, Vec<Report>> {
    let mut loader = pigrs_grammar::params::ParamLoader::new();
    for f in &args.param_files {
        let text = std::fs::read_to_string(f).map_err(|e| {
            vec![plain(format!(
                "cannot read parameter file {}: {e}",
                f.display()
            ))]
        })?;
        loader
            .file(&text)
            .map_err(|e| vec![plain(format!("{}: {}", f.display(), e.message))])?;
    }
    for p in &args.params {
        loader
            .arg(p)
            .map_err(|e| vec![plain(format!("parameter '{p}': {}", e.message))])?;
    }
    Ok(loader.into_params())
}

/// Reads and plans a script; every error is returned rendered.
pub fn plan(args: &ScriptArgs) -> Result<Planned, Vec<Report>> {
    let name = args.script.display().to_string();
    let original = std::fs::read_to_string(&args.script)
        .map_err(|e| vec![plain(format!("cannot read script {name}: {e}"))])?;
    let params = params(args)?;
    let text = match pigrs_grammar::params::substitute(&original, &params) {
        Ok(t) => t,
        Err(e) => {
            let src = Source {
                name,
                text: original,
            };
            return Err(vec![src.param(&e.message, e.offset)]);
        }
    };
    plan_text(name, text, args.script.parent())
}

/// Plans script text (after parameter substitution).
pub fn plan_text(name: String, text: String, dir: Option<&Path>) -> Result<Planned, Vec<Report>> {
    let source = Source { name, text };
    let script = pigrs_grammar::parse_script(&source.text, 0)
        .map_err(|errs| errs.iter().map(|e| source.parse(e)).collect::<Vec<_>>())?;
    let dir = dir.map(Path::to_path_buf).unwrap_or_default();
    let mut import = |path: &str| -> Result<String, String> {
        let p = if Path::new(path).is_absolute() || dir.as_os_str().is_empty() {
            Path::new(path).to_path_buf()
        } else {
            dir.join(path)
        };
        let p = if p.exists() {
            p
        } else {
            Path::new(path).to_path_buf()
        };
        std::fs::read_to_string(&p).map_err(|e| format!("cannot read {path}: {e}"))
    };
    let script = pigrs_grammar::macros::expand_macros(script, &source.text, &mut import)
        .map_err(|errs| errs.iter().map(|e| source.parse(e)).collect::<Vec<_>>())?;
    let mut called = Vec::new();
    let script = crate::include::expand(script, &dir, &mut called, &source, 0)?;
    let schemas = std::sync::Arc::new(pigrs_runtime::io::FileSchemas::new(
        &pigrs_runtime::physical::base_dir(),
    ));
    let (session, actions) = pigrs_planner::plan_script_with(&script, Some(schemas), Some(&dir))
        .map_err(|errs| {
            errs.iter()
                .map(|e| crate::include::source_of(e.span.file, &source, &called).plan(e))
                .collect::<Vec<_>>()
        })?;
    let errors = check_functions(&session.plan);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| crate::include::source_of(e.span.file, &source, &called).plan(e))
            .collect());
    }
    Ok(Planned {
        source,
        session,
        actions,
        called,
    })
}

/// Whether a load/store function error says the function does not exist (Pig's 1070,
/// "Could not resolve").
fn message_is_unknown(message: &str) -> bool {
    message.starts_with("unknown load function") || message.starts_with("unknown store function")
}

/// Pig checks every statement before it runs any: a LOAD or STORE naming an unknown
/// function (or giving it bad arguments) is an error even when no output uses it.
fn check_functions(plan: &pigrs_planner::LogicalPlan) -> Vec<pigrs_planner::PlanError> {
    use pigrs_planner::Operator;
    use pigrs_runtime::io::funcs::{load_func_of, store_func_of};
    let mut errors = Vec::new();
    for node in &plan.nodes {
        let checked = match &node.op {
            Operator::Load { func, .. } => load_func_of(func).map(|_| ()),
            Operator::Store { func, .. } => store_func_of(func).map(|_| ()),
            // A STREAM's delimiters are checked before anything runs, as its functions are.
            Operator::Stream { command, spec } => {
                let base = std::path::Path::new("");
                if let Err(e) = pigrs_runtime::stream::Command::from_spec(
                    command.clone(),
                    spec,
                    base,
                    None,
                    node.span,
                ) {
                    let span = e.span.unwrap_or(node.span);
                    errors.push(pigrs_planner::PlanError::plan(span, e.message));
                }
                continue;
            }
            _ => continue,
        };
        if let (Err(message), Operator::Load { func, .. } | Operator::Store { func, .. }) =
            (checked, &node.op)
        {
            let error = pigrs_planner::PlanError::plan(func.span, message);
            errors.push(if message_is_unknown(&error.message) {
                error.with_pig_code(1070)
            } else {
                error
            });
        }
    }
    errors
}

/// Applies the optimizer's rules to a plan for the sinks `actions` run; input sizes
/// come from the files the LOADs name (relative to the working directory, as the run
/// resolves them).
pub fn optimize_plan(
    plan: &mut pigrs_planner::LogicalPlan,
    actions: &[Action],
) -> Result<Vec<pigrs_planner::optimizer::Applied>, pigrs_planner::PlanError> {
    let base = pigrs_runtime::physical::base_dir();
    let size_of: pigrs_planner::optimizer::SizeOf = std::sync::Arc::new(move |location: &str| {
        pigrs_runtime::io::resolve_input(location, &base)
            .ok()
            .map(|files| files.iter().map(|f| f.size).sum())
    });
    pigrs_planner::optimizer::optimize_for(plan, actions, Some(size_of))
}

/// Applies the optimizer's rules to a planned script.
fn optimize(planned: &mut Planned) -> Result<Vec<pigrs_planner::optimizer::Applied>, Vec<Report>> {
    optimize_plan(&mut planned.session.plan, &planned.actions)
        .map_err(|e| vec![planned.source.plan(&e)])
}

/// `pigrs run`: runs the actions in order, then prints the warnings and the run
/// statistics on stderr (and writes them as JSON with `--stats-json`), also after a failed
/// action. `cancel`, when given, stops the run (Ctrl-C in `pigrs run` and in the shell);
/// a cancelled run prints nothing more and returns its error for the caller to report.
pub fn run(
    args: &ScriptArgs,
    run_args: &RunArgs,
    cancel: Option<Cancel>,
) -> Result<(), Vec<Report>> {
    let opts = RunOptions {
        optimize: !run_args.no_optimize,
        multi_query: !run_args.no_multiquery,
        progress: !run_args.no_progress,
        ..RunOptions::default()
    };
    let mut planned = plan(args)?;
    if opts.optimize {
        optimize(&mut planned)?;
    }
    let mut runner = Runner::new(opts).map_err(|e| vec![planned.source.run(&e)])?;
    if let Some(cancel) = &cancel {
        runner.set_cancel(cancel.clone());
    }
    let plan = &planned.session.plan;
    runner
        .check_outputs(plan, &planned.actions)
        .map_err(|e| vec![planned.source.run(&e)])?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut failed = None;
    // Consecutive outputs run as one job (multi-query); everything else in script order.
    let mut actions = planned.actions.iter().peekable();
    while let Some(action) = actions.next() {
        let result = match action {
            Action::Execute(first) if !run_args.no_multiquery => {
                let mut sinks = vec![*first];
                while let Some(Action::Execute(id)) = actions.peek() {
                    sinks.push(*id);
                    actions.next();
                }
                multi_query::batches(plan, &sinks)
                    .iter()
                    .try_for_each(|batch| runner.run_outputs(plan, batch, &mut out))
            }
            _ => runner.run(plan, action, &mut out),
        };
        if let Err(e) = result {
            failed = Some(vec![planned.run_error(&e)]);
            break;
        }
    }
    out.flush().ok();
    if failed.is_some() && cancel.as_ref().is_some_and(Cancel::is_cancelled) {
        // The caller says so in one line; statistics of a stopped run would mislead.
        return Err(failed.unwrap_or_default());
    }
    for w in runner.warning_summary() {
        eprintln!("{w}");
    }
    eprint!("{}", runner.stats().report());
    let mut unwritten = Vec::new();
    if let Some(path) = &run_args.stats_json {
        let json = runner.stats().to_json().to_string();
        if let Err(e) = std::fs::write(path, json + "\n") {
            unwritten.push(plain(format!(
                "cannot write the statistics to {}: {e}",
                path.display()
            )));
        }
    }
    // The command line's report wins over the script's SET (the last one of which counts).
    let report_path = run_args.report.clone().or_else(|| {
        planned.actions.iter().rev().find_map(|a| match a {
            Action::Set(k, v) if k == "pigrs.report" => Some(std::path::PathBuf::from(v)),
            _ => None,
        })
    });
    if let Some(path) = report_path {
        let html = crate::report::render(&crate::report::Run {
            script_name: &planned.source.name,
            script: &planned.source.text,
            params: &args.params,
            stats: runner.stats(),
            warnings: &runner.warning_summary(),
            error: failed.as_ref().map(|reports| plain_text(reports)),
            threads: runner.options().parallelism,
            base_dir: &runner.options().base_dir,
        });
        if let Err(message) = crate::report::write(&path, &html) {
            unwritten.push(plain(message));
        }
    }
    if !unwritten.is_empty() {
        return Err(failed
            .unwrap_or_default()
            .into_iter()
            .chain(unwritten)
            .collect());
    }
    match failed {
        Some(reports) => Err(reports),
        None => Ok(()),
    }
}

/// Diagnostics as stderr shows them (with the script lines they point at), without colours.
pub fn plain_text(reports: &[Report]) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut text = String::new();
    for r in reports {
        if handler.render_report(&mut text, r.as_ref()).is_err() {
            text.push_str(&r.to_string());
        }
        text.push('\n');
    }
    text.trim_end().to_string()
}

/// The jobs a script's outputs run as: consecutive STOREs and DUMPs together, split
/// where one loads what another stores (see `multi_query`).
fn jobs(plan: &pigrs_planner::LogicalPlan, actions: &[Action]) -> Vec<Vec<usize>> {
    let mut jobs = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    for a in actions.iter().chain([&Action::Print(String::new())]) {
        match a {
            Action::Execute(id) => run.push(*id),
            _ if !run.is_empty() => {
                jobs.extend(multi_query::batches(plan, &std::mem::take(&mut run)))
            }
            _ => {}
        }
    }
    jobs
}

/// `pigrs explain`.
pub fn explain(args: &ScriptArgs, verbose: bool) -> Result<(), Vec<Report>> {
    let mut planned = plan(args)?;
    let before = planned.session.plan.clone();
    let applied = optimize(&mut planned)?;
    for action in &planned.actions {
        if let Action::Execute(id) = action {
            println!(
                "#-----------------------------------------------\n# Logical plan, as written\n#-----------------------------------------------"
            );
            print!("{}", before.display_tree(*id, verbose));
        }
    }
    if verbose {
        // The plan after each rule that changed it.
        for a in &applied {
            println!(
                "#-----------------------------------------------\n# After rule {}\n#-----------------------------------------------",
                a.rule
            );
            for text in &a.plans {
                print!("{text}");
            }
        }
    }
    let rules: Vec<&str> = applied.iter().map(|a| a.rule).collect();
    println!(
        "# Optimizer rules applied: {}",
        if rules.is_empty() {
            "none".to_string()
        } else {
            rules.join(", ")
        }
    );
    let runner = Runner::new(RunOptions::default()).map_err(|e| vec![planned.source.run(&e)])?;
    let plan = &planned.session.plan;
    for job in jobs(plan, &planned.actions) {
        for &id in &job {
            let text = runner
                .explain(plan, id, verbose, &job)
                .map_err(|e| vec![planned.source.run(&e)])?;
            print!("{text}");
        }
    }
    Ok(())
}

/// `pigrs check`.
pub fn check(args: &ScriptArgs) -> Result<(), Vec<Report>> {
    let planned = plan(args)?;
    let outputs = planned
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Execute(_)))
        .count();
    let plural = if outputs == 1 { "" } else { "s" };
    eprintln!(
        "{}: OK ({outputs} output{plural} planned)",
        planned.source.name
    );
    Ok(())
}
