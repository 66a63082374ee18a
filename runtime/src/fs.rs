//! The shell-style script commands: `fs -ls/-cat/-rm/-rmr/-mkdir/-copyFromLocal/-copyToLocal`
//! on the local file system, and `sh` running a command.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::RunError;
use crate::io::remove_path;

fn resolve(base: &Path, p: &str) -> PathBuf {
    let p = Path::new(p.strip_prefix("file://").unwrap_or(p));
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn io_err(what: &str, path: &str, e: std::io::Error) -> RunError {
    RunError::other(format!("fs {what} {path}: {e}"))
}

/// Runs `fs -cmd args...` (the text after `fs`).
pub fn run_fs(args: &str, base: &Path, out: &mut dyn Write) -> Result<(), RunError> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let Some((cmd, rest)) = words.split_first() else {
        return Err(RunError::other("fs needs a command, e.g. fs -ls"));
    };
    let w = |e: std::io::Error| RunError::other(format!("cannot write output: {e}"));
    match *cmd {
        "-ls" => {
            let targets: Vec<&str> = if rest.is_empty() { vec!["."] } else { rest.to_vec() };
            for t in targets {
                let p = resolve(base, t);
                let entries: Vec<PathBuf> = if p.is_dir() {
                    let mut es: Vec<PathBuf> = std::fs::read_dir(&p)
                        .map_err(|e| io_err("-ls", t, e))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .collect();
                    es.sort();
                    es
                } else if p.exists() {
                    vec![p.clone()]
                } else {
                    return Err(RunError::other(format!("fs -ls: {t}: no such file or directory")));
                };
                for e in entries {
                    let meta = std::fs::metadata(&e).map_err(|err| io_err("-ls", t, err))?;
                    let kind = if meta.is_dir() { 'd' } else { '-' };
                    writeln!(out, "{kind} {:>12} {}", meta.len(), e.display()).map_err(w)?;
                }
            }
            Ok(())
        }
        "-cat" => {
            for t in rest {
                let p = resolve(base, t);
                let files: Vec<PathBuf> = if p.is_dir() {
                    let mut es: Vec<PathBuf> = std::fs::read_dir(&p)
                        .map_err(|e| io_err("-cat", t, e))?
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|e| e.is_file() && !e.file_name().is_some_and(|n| n.to_string_lossy().starts_with(['_', '.'])))
                        .collect();
                    es.sort();
                    es
                } else {
                    vec![p]
                };
                for f in files {
                    let bytes = std::fs::read(&f).map_err(|e| io_err("-cat", t, e))?;
                    out.write_all(&bytes).map_err(w)?;
                }
            }
            Ok(())
        }
        "-rm" | "-rmr" | "-rm -r" => {
            for t in rest.iter().filter(|a| !a.starts_with('-')) {
                let p = resolve(base, t);
                if !p.exists() && *cmd == "-rm" {
                    return Err(RunError::other(format!("fs -rm: {t}: no such file or directory")));
                }
                remove_path(&p)?;
            }
            Ok(())
        }
        "-mkdir" => {
            for t in rest.iter().filter(|a| !a.starts_with('-')) {
                std::fs::create_dir_all(resolve(base, t)).map_err(|e| io_err("-mkdir", t, e))?;
            }
            Ok(())
        }
        "-copyFromLocal" | "-copyToLocal" | "-cp" | "-put" | "-get" => {
            let [from, to] = rest else {
                return Err(RunError::other(format!("fs {cmd} takes a source and a destination")));
            };
            copy(&resolve(base, from), &resolve(base, to)).map_err(|e| io_err(cmd, from, e))
        }
        "-mv" => {
            let [from, to] = rest else {
                return Err(RunError::other("fs -mv takes a source and a destination"));
            };
            std::fs::rename(resolve(base, from), resolve(base, to)).map_err(|e| io_err(cmd, from, e))
        }
        other => Err(RunError::other(format!("fs {other} is not supported")).with_help(
            "pigrs supports fs -ls, -cat, -rm, -rmr, -mkdir, -cp, -mv, -copyFromLocal, -copyToLocal",
        )),
    }
}

/// `fs -cp`: copies `from` to `to`, or into `to` when it is a folder.
fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
    if to.is_dir() {
        copy_tree(from, &to.join(from.file_name().unwrap_or_default()))
    } else {
        copy_tree(from, to)
    }
}

/// Copies a file, or a folder with everything in it, to `to`.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    if from.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            copy_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Runs `sh command` with the system shell; its output goes to `out`.
pub fn run_sh(cmd: &str, base: &Path, out: &mut dyn Write) -> Result<(), RunError> {
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(base)
        .output()
        .map_err(|e| RunError::other(format!("sh {cmd}: {e}")))?;
    out.write_all(&output.stdout)
        .map_err(|e| RunError::other(format!("cannot write output: {e}")))?;
    std::io::stderr().write_all(&output.stderr).ok();
    if !output.status.success() {
        return Err(RunError::other(format!(
            "sh {cmd}: exited with {}",
            output.status
        )));
    }
    Ok(())
}
