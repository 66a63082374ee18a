//! Grunt's file commands (`ls`, `cat`, `cd`, `pwd`, `mkdir`, `cp`, `mv`, `rm`,
//! `copyToLocal`, `copyFromLocal`), run on the local file system with Pig's semantics.
//!
//! The planner has already resolved their paths against the folder `cd` made current; a
//! relative path here starts from the run's base folder. Every error blames the path as
//! written in the script.

use std::io::Write;
use std::path::{Path, PathBuf};

use pigrs_grammar::ast::FileCommand;
use pigrs_grammar::{Span, Spanned};

use crate::error::RunError;
use crate::io::remove_path;

/// The local path of `p`, relative ones starting from `base`.
fn local(base: &Path, p: &str) -> PathBuf {
    let p = p
        .strip_prefix("file://")
        .or_else(|| p.strip_prefix("file:"))
        .unwrap_or(p);
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// How Pig names a local path in `ls` and `pwd`: absolute, with the `file:` scheme.
fn uri(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    format!("file:{}", normalize(&abs).display())
}

/// `p` without `.` and with each `..` taking off the component before it.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The entries of a folder, sorted by name.
fn entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut es = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    es.sort();
    Ok(es)
}

/// Runs one file command; `ls`, `cat` and `pwd` write to `out`.
pub fn run_file_command(
    command: FileCommand,
    args: &[Spanned<String>],
    span: Span,
    base: &Path,
    out: &mut dyn Write,
) -> Result<(), RunError> {
    let name = command.name();
    let fail =
        |a: &Spanned<String>, what: String| RunError::plan(a.span, format!("{name}: {what}"));
    let io = |a: &Spanned<String>, e: std::io::Error| fail(a, format!("{}: {e}", a.node));
    let missing = |a: &Spanned<String>| fail(a, format!("{} does not exist", a.node));
    let write = |e: std::io::Error| RunError::other(format!("cannot write output: {e}"));
    let path = |a: &Spanned<String>| local(base, &a.node);
    match command {
        FileCommand::Ls => {
            let a = first(args, span)?;
            let p = path(a);
            let meta = std::fs::metadata(&p).map_err(|_| missing(a))?;
            let listed = if meta.is_dir() {
                entries(&p).map_err(|e| io(a, e))?
            } else {
                vec![p]
            };
            for e in listed {
                let meta = std::fs::metadata(&e).map_err(|err| io(a, err))?;
                // Pig's format: folders marked `<dir>`, files with their replication
                // (always 1 on a local file system) and length.
                if meta.is_dir() {
                    writeln!(out, "{}\t<dir>", uri(&e)).map_err(write)?;
                } else {
                    writeln!(out, "{}<r 1>\t{}", uri(&e), meta.len()).map_err(write)?;
                }
            }
            Ok(())
        }
        FileCommand::Cat => {
            for a in args {
                let p = path(a);
                let meta = std::fs::metadata(&p).map_err(|_| missing(a))?;
                // A folder: the files directly in it (a STORE's part files), not its
                // subfolders, and not hidden files.
                let files = if meta.is_dir() {
                    entries(&p)
                        .map_err(|e| io(a, e))?
                        .into_iter()
                        .filter(|f| {
                            f.is_file()
                                && !f
                                    .file_name()
                                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                        })
                        .collect()
                } else {
                    vec![p]
                };
                for f in files {
                    let mut file = std::fs::File::open(&f).map_err(|e| io(a, e))?;
                    std::io::copy(&mut file, out).map_err(|e| io(a, e))?;
                }
            }
            Ok(())
        }
        FileCommand::Cd => {
            let a = first(args, span)?;
            let meta = std::fs::metadata(path(a)).map_err(|_| missing(a))?;
            if !meta.is_dir() {
                return Err(fail(a, format!("{} is not a folder", a.node)));
            }
            Ok(())
        }
        FileCommand::Pwd => {
            let a = first(args, span)?;
            writeln!(out, "{}", uri(&path(a))).map_err(write)
        }
        FileCommand::Mkdir => {
            let a = first(args, span)?;
            std::fs::create_dir_all(path(a)).map_err(|e| io(a, e))
        }
        FileCommand::Rm => {
            for a in args {
                let p = path(a);
                if std::fs::symlink_metadata(&p).is_err() {
                    return Err(missing(a));
                }
                remove_path(&p).map_err(|e| fail(a, e.to_string()))?;
            }
            Ok(())
        }
        FileCommand::Cp | FileCommand::CopyToLocal | FileCommand::CopyFromLocal => {
            let (from, to) = two(args, span)?;
            let src = path(from);
            if std::fs::metadata(&src).is_err() {
                return Err(missing(from));
            }
            let dst = into(&src, path(to));
            if dst.exists() {
                return Err(fail(to, format!("{} already exists", dst.display())));
            }
            crate::fs::copy_tree(&src, &dst).map_err(|e| io(to, e))
        }
        FileCommand::Mv => {
            let (from, to) = two(args, span)?;
            let src = path(from);
            if std::fs::symlink_metadata(&src).is_err() {
                return Err(missing(from));
            }
            let dst = into(&src, path(to));
            if dst.exists() {
                return Err(fail(to, format!("{} already exists", dst.display())));
            }
            std::fs::rename(&src, &dst)
                .or_else(|e| {
                    // Across file systems a rename fails: copy, then remove.
                    if e.kind() == std::io::ErrorKind::CrossesDevices {
                        crate::fs::copy_tree(&src, &dst)?;
                        remove_path(&src).map_err(std::io::Error::other)
                    } else {
                        Err(e)
                    }
                })
                .map_err(|e| io(to, e))
        }
    }
}

/// A destination that is an existing folder receives the source under its own name, as
/// Hadoop's copy and rename do.
fn into(src: &Path, dst: PathBuf) -> PathBuf {
    match src.file_name() {
        Some(name) if dst.is_dir() => dst.join(name),
        _ => dst,
    }
}

fn first(args: &[Spanned<String>], span: Span) -> Result<&Spanned<String>, RunError> {
    args.first()
        .ok_or_else(|| RunError::internal(format!("a file command at {span:?} has no path")))
}

fn two(
    args: &[Spanned<String>],
    span: Span,
) -> Result<(&Spanned<String>, &Spanned<String>), RunError> {
    match args {
        [a, b] => Ok((a, b)),
        _ => Err(RunError::internal(format!(
            "a copy at {span:?} has {} paths, not 2",
            args.len()
        ))),
    }
}
