//! `run` and `exec` of another script: its statements are read, parameter-substituted,
//! parsed (with their own file id, so errors point into that file) and spliced in place
//! of the statement, before planning.
//!
//! pigrs plans a whole script at once, so `exec` (Pig: a separate context) behaves like
//! `run`: the aliases the called script defines stay visible after it.

use std::path::{Path, PathBuf};

use miette::Report;
use pigrs_grammar::ast::{Script, ScriptCall, StatementKind};

use crate::diagnostics::Source;

/// The first file id of called scripts (ids below are the main script and its imports).
const FIRST_FILE: u32 = 1000;
/// How deep `run` may nest (a script that runs itself is an error).
const MAX_DEPTH: usize = 16;

/// Splices every `run`/`exec` with a script; `sources` receives each called script's text
/// (its file id is `FIRST_FILE + index`).
pub fn expand(
    script: Script,
    dir: &Path,
    sources: &mut Vec<Source>,
    main: &Source,
    depth: usize,
) -> Result<Script, Vec<Report>> {
    let mut out = Vec::with_capacity(script.statements.len());
    for st in script.statements {
        let call = match &st.node {
            StatementKind::Run(c) | StatementKind::Exec(c) if c.script.is_some() => c.clone(),
            _ => {
                out.push(st);
                continue;
            }
        };
        let here = |msg: String| -> Vec<Report> {
            let e = pigrs_planner::PlanError::plan(st.span, msg);
            vec![source_of(st.span.file, main, sources).plan(&e)]
        };
        if depth >= MAX_DEPTH {
            return Err(here(format!(
                "scripts call each other more than {MAX_DEPTH} levels deep"
            )));
        }
        let (path, text) = read_called(&call, dir).map_err(here)?;
        let file = FIRST_FILE + sources.len() as u32;
        let source = Source {
            name: path.display().to_string(),
            text,
        };
        let parsed = pigrs_grammar::parse_script(&source.text, file)
            .map_err(|errs| errs.iter().map(|e| source.parse(e)).collect::<Vec<_>>())?;
        let called_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut import = |p: &str| -> Result<String, String> {
            std::fs::read_to_string(called_dir.join(p)).map_err(|e| format!("cannot read {p}: {e}"))
        };
        let parsed = pigrs_grammar::macros::expand_macros(parsed, &source.text, &mut import)
            .map_err(|errs| errs.iter().map(|e| source.parse(e)).collect::<Vec<_>>())?;
        sources.push(source);
        let inner = expand(parsed, &called_dir, sources, main, depth + 1)?;
        out.extend(inner.statements);
    }
    Ok(Script { statements: out })
}

/// The source a span's file id refers to: a called script's, else the main script's.
pub fn source_of<'a>(file: u32, main: &'a Source, sources: &'a [Source]) -> &'a Source {
    called(file, sources).unwrap_or(main)
}

/// The called script a file id refers to, if it is one.
pub fn called(file: u32, sources: &[Source]) -> Option<&Source> {
    file.checked_sub(FIRST_FILE)
        .and_then(|i| sources.get(i as usize))
}

/// Reads the called script (relative to the calling script's folder, else the working
/// directory) and substitutes its `-param` values.
fn read_called(call: &ScriptCall, dir: &Path) -> Result<(PathBuf, String), String> {
    let name = call
        .script
        .as_ref()
        .map(|s| s.node.clone())
        .unwrap_or_default();
    let mut path = PathBuf::from(&name);
    if path.is_relative() && !dir.as_os_str().is_empty() && dir.join(&path).exists() {
        path = dir.join(&path);
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("cannot read script {name}: {e}"))?;
    let mut loader = pigrs_grammar::params::ParamLoader::new();
    for f in &call.param_files {
        let t = std::fs::read_to_string(&f.node)
            .map_err(|e| format!("cannot read parameter file {}: {e}", f.node))?;
        loader
            .file(&t)
            .map_err(|e| format!("{}: {}", f.node, e.message))?;
    }
    for p in &call.params {
        loader
            .arg(&p.node)
            .map_err(|e| format!("parameter '{}': {}", p.node, e.message))?;
    }
    let params = loader.into_params();
    let text = pigrs_grammar::params::substitute(&text, &params)
        .map_err(|e| format!("in {name}: {}", e.message))?;
    Ok((path, text))
}
