//! The code under test: one input through the whole front end and planner.
//!
//! Parameter substitution, parsing, printing and reparsing, macro expansion (IMPORT is
//! refused), planning, and EXPLAIN of every sink. Errors are fine; only panics (and
//! stack overflows, caught by the driver) are bugs.

use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use pigrs_grammar::{macros, params, parse_script, parse_statement};
use pigrs_planner::{Action, features, plan_script};

/// How far one input got.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Parameter substitution and parsing succeeded.
    pub parsed: bool,
    /// The printed AST failed to parse again (a printer bug, reported but not fatal).
    pub roundtrip_failed: bool,
    /// Macro expansion and planning succeeded.
    pub planned: bool,
}

/// Turns the backticks of `%declare`/`%default` lines into quotes, so that a mutated
/// script never runs a shell command (a backquoted value is run by `sh -c`).
pub fn defang_shell(input: &str) -> std::borrow::Cow<'_, str> {
    let is_directive = |line: &str| {
        let t = line.trim_start().as_bytes();
        t.len() >= 8
            && (t[..8].eq_ignore_ascii_case(b"%declare")
                || t[..8].eq_ignore_ascii_case(b"%default"))
    };
    if !input.contains('`') || !input.split_inclusive('\n').any(is_directive) {
        return input.into();
    }
    input
        .split_inclusive('\n')
        .map(|l| {
            if is_directive(l) {
                l.replace('`', "'")
            } else {
                l.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// Runs one script through the front end and the planner. May panic: see [`run_caught`].
/// Shell commands in parameter declarations are not run (see [`defang_shell`]).
pub fn run_one(input: &str, params: &[(String, String)]) -> Outcome {
    let mut out = Outcome::default();
    let input = defang_shell(input);
    let text = match params::substitute(&input, params) {
        Ok(t) => t,
        Err(e) => {
            let _ = e.to_string();
            return out;
        }
    };
    // The REPL's entry point (patches a missing `;`); its result is not used further.
    let _ = parse_statement(&text, 0);
    let script = match parse_script(&text, 0) {
        Ok(s) => s,
        Err(errs) => {
            for e in &errs {
                let _ = e.to_string();
            }
            return out;
        }
    };
    out.parsed = true;
    let printed = script.to_string();
    out.roundtrip_failed = parse_script(&printed, 0).is_err();
    let mut import = |path: &str| Err(format!("IMPORT '{path}' is not allowed while fuzzing"));
    let expanded = match macros::expand_macros(script, &text, &mut import) {
        Ok(s) => s,
        Err(_) => return out,
    };
    let _ = expanded.to_string();
    let (session, actions) = match plan_script(&expanded) {
        Ok(r) => r,
        Err(errs) => {
            for e in &errs {
                let _ = e.to_string();
            }
            return out;
        }
    };
    out.planned = true;
    let sinks: Vec<_> = actions
        .iter()
        .filter_map(|a| match a {
            Action::Execute(id) => Some(*id),
            _ => None,
        })
        .collect();
    // Multi-query's sharing analysis runs on every script that runs: it must not panic.
    let _ = pigrs_planner::multi_query::shared_nodes(&session.plan, &sinks);
    for action in &actions {
        match action {
            Action::Execute(id) => {
                let _ = features::logical_text(&session.plan, *id, false);
                let _ = features::logical_text(&session.plan, *id, true);
            }
            Action::Explain { node: Some(id), .. } => {
                let _ = features::logical_text(&session.plan, *id, true);
            }
            _ => {}
        }
    }
    out
}

/// A caught panic: its message and where it was raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    /// The panic message.
    pub message: String,
    /// `file:line:column` of the panic, when known.
    pub location: String,
}

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "panicked at {}: {}", self.location, self.message)
    }
}

thread_local! {
    static LAST_PANIC: RefCell<Option<Panic>> = const { RefCell::new(None) };
}

/// Replaces the default panic hook (which prints) with one that records the panic for
/// [`run_caught`]. Call once before fuzzing.
pub fn install_quiet_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(non-string panic payload)".to_string()
        };
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(Panic { message, location }));
    }));
}

/// [`run_one`] with panics caught and returned as errors.
pub fn run_caught(input: &str, params: &[(String, String)]) -> Result<Outcome, Panic> {
    LAST_PANIC.with(|p| *p.borrow_mut() = None);
    catch_unwind(AssertUnwindSafe(|| run_one(input, params))).map_err(|_| {
        LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or(Panic {
            message: "panic (hook not installed)".to_string(),
            location: String::new(),
        })
    })
}

/// A stable 64-bit FNV-1a hash, used to name saved inputs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
