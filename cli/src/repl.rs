//! The interactive shell (`pigrs` with no arguments), like Pig's Grunt: statements run as
//! they are entered; DUMP and DESCRIBE print at once.

use std::io::Write;

use miette::Report;
use pigrs_planner::Session;
use pigrs_runtime::{RunOptions, Runner};
use rustyline::error::ReadlineError;

use crate::diagnostics::{Source, plain};

/// Whether `text` ends a statement: a `;` outside quotes and comments, at the end.
fn complete(text: &str) -> bool {
    let mut in_quote = false;
    let mut last = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if in_quote => {
                chars.next();
            }
            '\'' => in_quote = !in_quote,
            '-' if !in_quote && chars.peek() == Some(&'-') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
                continue;
            }
            _ => {}
        }
        if !c.is_whitespace() {
            last = c;
        }
    }
    !in_quote && last == ';'
}

/// Runs the shell until `quit` or end of input.
pub fn run() -> Result<(), Vec<Report>> {
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| vec![plain(format!("cannot start the shell: {e}"))])?;
    let schemas = std::sync::Arc::new(pigrs_runtime::io::FileSchemas::new(
        &pigrs_runtime::physical::base_dir(),
    ));
    // REGISTER reads relative paths from the working directory.
    let mut session = Session::with_schemas(Some(schemas)).load_plugins_from(Default::default());
    let mut runner = Runner::new(RunOptions::default()).map_err(|e| vec![plain(e.message)])?;
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { "pigrs> " } else { ">> " };
        match editor.readline(prompt) {
            Ok(line) => {
                let trimmed = line.trim();
                if buffer.is_empty() && matches!(trimmed, "quit" | "quit;" | "exit" | "exit;") {
                    return Ok(());
                }
                if buffer.is_empty() && matches!(trimmed, "help" | "help;") {
                    println!(
                        "Enter Pig Latin statements ending with ';'. DUMP and DESCRIBE print at once. quit leaves."
                    );
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                buffer.push_str(&line);
                buffer.push('\n');
                if !complete(&buffer) {
                    continue;
                }
                let text = std::mem::take(&mut buffer);
                for report in execute(&text, &mut session, &mut runner) {
                    eprintln!("{report:?}");
                }
            }
            Err(ReadlineError::Interrupted) => buffer.clear(),
            Err(ReadlineError::Eof) => return Ok(()),
            Err(e) => return Err(vec![plain(format!("cannot read input: {e}"))]),
        }
    }
}

fn execute(text: &str, session: &mut Session, runner: &mut Runner) -> Vec<Report> {
    let source = Source {
        name: "<shell>".into(),
        text: match pigrs_grammar::params::substitute(text, &[]) {
            Ok(t) => t,
            Err(e) => {
                return vec![
                    Source {
                        name: "<shell>".into(),
                        text: text.to_string(),
                    }
                    .param(&e.message, e.offset),
                ];
            }
        },
    };
    let script = match pigrs_grammar::parse_statement(&source.text, 0) {
        Ok(s) => s,
        Err(errs) => return errs.iter().map(|e| source.parse(e)).collect(),
    };
    let mut no_import = |p: &str| -> Result<String, String> {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    };
    let script = match pigrs_grammar::macros::expand_macros(script, &source.text, &mut no_import) {
        Ok(s) => s,
        Err(errs) => return errs.iter().map(|e| source.parse(e)).collect(),
    };
    let stdout = std::io::stdout();
    for stmt in &script.statements {
        let actions = match session.statement(stmt) {
            Ok(a) => a,
            Err(e) => return vec![source.plan(&e)],
        };
        if let Err(e) = runner.check_outputs(&session.plan, &actions) {
            return vec![source.run(&e)];
        }
        // Later statements may still use what this one reads, so the session's plan stays
        // as written and each statement runs an optimized copy.
        let mut plan = session.plan.clone();
        if let Err(e) = crate::script::optimize_plan(&mut plan, &actions) {
            return vec![source.plan(&e)];
        }
        for a in &actions {
            let mut out = stdout.lock();
            if let Err(e) = runner.run(&plan, a, &mut out) {
                return vec![source.run(&e)];
            }
            out.flush().ok();
        }
    }
    for w in runner.warning_summary() {
        eprintln!("{w}");
    }
    vec![]
}

#[cfg(test)]
mod tests {
    use super::complete;

    #[test]
    fn statements_end_at_a_semicolon_outside_quotes() {
        assert!(complete("A = LOAD 'x';"));
        assert!(!complete("A = LOAD 'x;'"));
        assert!(!complete("A = LOAD 'x'"));
        assert!(complete("DUMP A; -- done\n"));
    }
}
