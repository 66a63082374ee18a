//! The folder `cd` makes current, and the paths it changes: Pig resolves a relative LOAD,
//! STORE or file-command path against the folder current when the statement is read, so
//! the planner joins each such path with it (`cd out; A = LOAD 'x';` reads `out/x`).

use std::path::Path;

use pigrs_grammar::Span;
use pigrs_grammar::ast::FileCommand;

use crate::error::{PlanError, Result};

/// Whether `path` names a location without the current folder: absolute, `~`, or with a
/// scheme (`file:/x`, `hdfs://h/x`).
fn is_absolute(path: &str) -> bool {
    let scheme = path
        .find(':')
        .is_some_and(|i| i > 1 && path[..i].chars().all(|c| c.is_ascii_alphanumeric()));
    path.starts_with('/') || path.starts_with('~') || scheme
}

/// `path` as seen from `cwd` (none: the working directory, nothing to join).
pub fn resolve(cwd: Option<&str>, path: &str) -> String {
    match cwd {
        Some(dir) if !is_absolute(path) && !path.is_empty() => {
            Path::new(dir).join(path).to_string_lossy().into_owned()
        }
        _ => path.to_string(),
    }
}

/// A LOAD or STORE location as seen from `cwd`: each of its comma-separated paths (commas
/// inside a glob's `{a,b}` do not separate) is joined on its own.
pub fn resolve_location(cwd: Option<&str>, location: &str) -> String {
    if cwd.is_none() {
        return location.to_string();
    }
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in location.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(&location[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&location[start..]);
    parts
        .iter()
        .map(|p| resolve(cwd, p.trim()))
        .collect::<Vec<_>>()
        .join(",")
}

/// How many paths each command takes, as Pig's grammar says, and how it is written.
fn arity(command: FileCommand) -> (usize, usize, &'static str) {
    match command {
        FileCommand::Ls => (0, 1, "ls [path]"),
        FileCommand::Cat => (1, usize::MAX, "cat path [path ...]"),
        FileCommand::Cd => (0, 1, "cd [path]"),
        FileCommand::Pwd => (0, 0, "pwd"),
        FileCommand::Mkdir => (1, 1, "mkdir path"),
        FileCommand::Cp => (2, 2, "cp source destination"),
        FileCommand::Mv => (2, 2, "mv source destination"),
        FileCommand::Rm => (1, usize::MAX, "rm path [path ...]"),
        FileCommand::CopyToLocal => (2, 2, "copyToLocal source local-destination"),
        FileCommand::CopyFromLocal => (2, 2, "copyFromLocal local-source destination"),
    }
}

/// Checks a file command's arguments and resolves them against `cwd`. `copyFromLocal`'s
/// source and `copyToLocal`'s destination are local paths, which `cd` does not change
/// (it changes Pig's file system folder, not the process's). `cd` alone goes to `home`.
pub fn file_command_args(
    command: FileCommand,
    args: &[pigrs_grammar::Spanned<String>],
    span: Span,
    cwd: Option<&str>,
    home: Option<&str>,
) -> Result<Vec<pigrs_grammar::Spanned<String>>> {
    let (min, max, usage) = arity(command);
    if args.len() < min || args.len() > max {
        let many = match max {
            0 => "no paths".to_string(),
            1 if min == 0 => "at most one path".to_string(),
            n if n == min => format!("{n} path{}", if n == 1 { "" } else { "s" }),
            _ => format!("at least {min} path{}", if min == 1 { "" } else { "s" }),
        };
        return Err(PlanError::plan(
            span,
            format!("`{}` takes {many}, not {}", command.name(), args.len()),
        )
        .with_help(format!("usage: {usage}")));
    }
    let local = |i: usize| {
        matches!(
            (command, i),
            (FileCommand::CopyFromLocal, 0) | (FileCommand::CopyToLocal, 1)
        )
    };
    let mut out: Vec<_> = args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let path = if local(i) {
                a.node.clone()
            } else {
                resolve(cwd, &a.node)
            };
            pigrs_grammar::Spanned::new(path, a.span)
        })
        .collect();
    match command {
        FileCommand::Cd if out.is_empty() => {
            let home = home.ok_or_else(|| {
                PlanError::plan(span, "`cd` with no folder goes home, but HOME is not set")
                    .with_help("name the folder: cd path")
            })?;
            out.push(pigrs_grammar::Spanned::new(home.to_string(), span));
        }
        // `ls` and `pwd` alone show the current folder.
        FileCommand::Ls | FileCommand::Pwd if out.is_empty() => {
            out.push(pigrs_grammar::Spanned::new(
                cwd.unwrap_or(".").to_string(),
                span,
            ));
        }
        _ => {}
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_join_the_current_folder_and_others_stay() {
        assert_eq!(resolve(None, "x"), "x");
        assert_eq!(resolve(Some("out"), "x"), "out/x");
        assert_eq!(resolve(Some("out"), "/abs/x"), "/abs/x");
        assert_eq!(resolve(Some("out"), "file:///abs/x"), "file:///abs/x");
        assert_eq!(resolve(Some("/d"), "../x"), "/d/../x");
        assert_eq!(
            resolve_location(Some("d"), "a,{b,c}/x,/e"),
            "d/a,d/{b,c}/x,/e"
        );
    }

    #[test]
    fn wrong_argument_counts_say_the_usage() {
        let sp = |s: &str| pigrs_grammar::Spanned::new(s.to_string(), Span::default());
        let e = file_command_args(FileCommand::Cp, &[sp("a")], Span::default(), None, None)
            .unwrap_err();
        assert!(
            e.message.contains("`cp` takes 2 paths, not 1"),
            "{}",
            e.message
        );
        let e = file_command_args(FileCommand::Pwd, &[sp("a")], Span::default(), None, None)
            .unwrap_err();
        assert!(e.message.contains("no paths"), "{}", e.message);
        let ok = file_command_args(
            FileCommand::CopyFromLocal,
            &[sp("l"), sp("r")],
            Span::default(),
            Some("d"),
            None,
        )
        .unwrap();
        assert_eq!((ok[0].node.as_str(), ok[1].node.as_str()), ("l", "d/r"));
    }
}
