//! STREAM ... THROUGH: pipes a task's rows through an external command.
//!
//! Rows go to the command's stdin as PigStreaming text (fields separated by TAB or the
//! DEFINE's `PigStreaming('delimiter')`, one row a line) from a writer thread, so a command
//! that writes before it has read everything cannot deadlock; its stdout is read back the
//! same way: bytearray fields, or the `AS` schema's types.
//!
//! As in Pig, a DEFINE may instead name files: with `INPUT('file')` the rows are written
//! to that file in the command's folder before the command starts (its stdin is empty),
//! and with `OUTPUT('file')` the rows are read from that file after it exits. Such a
//! command, and one with `SHIP` or `CACHE` files, runs in a fresh temporary folder per
//! task, where the shipped files are copied and the cached ones linked under their names.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use pigrs_grammar::Span;
use pigrs_udf::cast::parse_text;
use pigrs_udf::{PigType, Schema, Tuple, Value};

use pigrs_planner::logical::{StreamHandle, StreamSpec};

use crate::error::RunError;
use crate::io::funcs::parse_field_del;
use crate::io::write::push_text;

/// A failed streaming command.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StreamError(pub String);

/// A streaming command and how to read what it writes.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Command {
    /// The command line, run by `sh -c`.
    pub line: String,
    /// The folder it runs in (where the script's relative paths point).
    pub dir: PathBuf,
    /// The output schema (`AS`), if declared.
    pub schema: Option<Schema>,
    /// The STREAM statement (blamed when the command fails).
    pub span: Span,
    /// Where the rows go and how their fields are separated.
    pub input: Handle,
    /// Where the output comes from and how its fields are separated.
    pub output: Handle,
    /// Files and folders copied into the command's folder (`SHIP`).
    pub ship: Vec<PathBuf>,
    /// Files linked into the command's folder under a name (`CACHE('path#name')`).
    pub cache: Vec<(PathBuf, String)>,
}

/// One side of a streaming command.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Handle {
    /// A file in the command's folder; `None`: stdin or stdout.
    pub file: Option<String>,
    /// The field delimiter.
    pub delimiter: Vec<u8>,
}

impl Default for Handle {
    fn default() -> Self {
        Handle {
            file: None,
            delimiter: vec![b'\t'],
        }
    }
}

impl Command {
    /// A command with stdin and stdout, TAB-separated, run in `dir`.
    pub fn piped(line: String, dir: PathBuf, schema: Option<Schema>, span: Span) -> Self {
        Command {
            line,
            dir,
            schema,
            span,
            input: Handle::default(),
            output: Handle::default(),
            ship: Vec::new(),
            cache: Vec::new(),
        }
    }

    /// The command a STREAM runs, with its DEFINE's options; relative SHIP and CACHE paths
    /// start from `dir`. A delimiter PigStorage would refuse is an error at its argument.
    pub fn from_spec(
        line: String,
        spec: &StreamSpec,
        dir: &Path,
        schema: Option<Schema>,
        span: Span,
    ) -> Result<Self, RunError> {
        let handle = |h: &StreamHandle| -> Result<Handle, RunError> {
            let delimiter = match &h.delimiter {
                Some(d) => parse_field_del(&d.node)
                    .map_err(|e| RunError::plan(d.span, format!("PigStreaming: {e}")))?,
                None => vec![b'\t'],
            };
            Ok(Handle {
                file: h.file.clone(),
                delimiter,
            })
        };
        let local = |p: &str| {
            let p = Path::new(p.strip_prefix("file://").unwrap_or(p));
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                dir.join(p)
            }
        };
        let cache = spec
            .cache
            .iter()
            .map(|c| {
                let (path, name) = c.node.rsplit_once('#').ok_or_else(|| {
                    RunError::internal(format!("CACHE('{}') has no #name", c.node))
                })?;
                Ok((local(path), name.to_string()))
            })
            .collect::<Result<_, RunError>>()?;
        Ok(Command {
            input: handle(&spec.input)?,
            output: handle(&spec.output)?,
            ship: spec.ship.iter().map(|p| local(&p.node)).collect(),
            cache,
            ..Command::piped(line, dir.to_path_buf(), schema, span)
        })
    }

    /// Whether the command runs in a temporary folder of its own.
    fn needs_own_dir(&self) -> bool {
        self.input.file.is_some()
            || self.output.file.is_some()
            || !self.ship.is_empty()
            || !self.cache.is_empty()
    }

    /// A fresh folder with the shipped and cached files in it.
    fn task_dir(&self) -> Result<tempfile::TempDir, StreamError> {
        let dir = tempfile::Builder::new()
            .prefix("pigrs-stream-")
            .tempdir()
            .map_err(|e| StreamError(format!("cannot create the command's folder: {e}")))?;
        for path in &self.ship {
            let name = path
                .file_name()
                .ok_or_else(|| StreamError(format!("SHIP('{}') names no file", path.display())))?;
            crate::fs::copy_tree(path, &dir.path().join(name))
                .map_err(|e| StreamError(format!("SHIP('{}'): {e}", path.display())))?;
        }
        for (path, name) in &self.cache {
            let to = dir.path().join(name);
            let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
            if !abs.exists() {
                return Err(StreamError(format!(
                    "CACHE('{}#{name}'): no such file or folder",
                    path.display()
                )));
            }
            link(&abs, &to)
                .map_err(|e| StreamError(format!("CACHE('{}#{name}'): {e}", path.display())))?;
        }
        Ok(dir)
    }

    /// Runs the command once over `rows` and parses what it prints (or writes to its
    /// output file).
    pub fn run(&self, rows: &[Tuple]) -> Result<Vec<Tuple>, StreamError> {
        let own = if self.needs_own_dir() {
            Some(self.task_dir()?)
        } else {
            None
        };
        let dir = own.as_ref().map_or(self.dir.as_path(), |d| d.path());
        let mut input = Vec::with_capacity(rows.len() * 16);
        for r in rows {
            for (i, v) in r.iter().enumerate() {
                if i > 0 {
                    input.extend_from_slice(&self.input.delimiter);
                }
                push_text(v, &mut input);
            }
            input.push(b'\n');
        }
        let mut process = Process::new("sh");
        process
            .arg("-c")
            .arg(&self.line)
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(file) = &self.input.file {
            // Pig writes the whole input file, then starts the command.
            let path = dir.join(file);
            std::fs::write(&path, &input).map_err(|e| {
                StreamError(format!(
                    "cannot write the input file '{file}' of `{}`: {e}",
                    self.line
                ))
            })?;
            input.clear();
            process.stdin(Stdio::null());
        } else {
            process.stdin(Stdio::piped());
        }
        let mut child = process
            .spawn()
            .map_err(|e| StreamError(format!("cannot start `{}`: {e}", self.line)))?;
        let stdin = child.stdin.take();
        let writer = std::thread::spawn(move || {
            if let Some(mut stdin) = stdin {
                // A command that exits without reading all its input closes the pipe;
                // that is not an error of ours (its exit status tells).
                let _ = stdin.write_all(&input);
            }
        });
        let mut output = Vec::new();
        let read = child
            .stdout
            .take()
            .map(|mut out| out.read_to_end(&mut output))
            .transpose();
        let status = child.wait();
        let _ = writer.join();
        read.map_err(|e| StreamError(format!("cannot read the output of `{}`: {e}", self.line)))?;
        let status =
            status.map_err(|e| StreamError(format!("cannot wait for `{}`: {e}", self.line)))?;
        if !status.success() {
            let code = status
                .code()
                .map_or_else(|| "killed by a signal".to_string(), |c| c.to_string());
            return Err(StreamError(format!(
                "streaming command `{}` failed with exit status: {code}",
                self.line
            )));
        }
        if let Some(file) = &self.output.file {
            // What the command printed is not its output: the file is.
            output = std::fs::read(dir.join(file)).map_err(|e| {
                StreamError(format!(
                    "cannot read the output file '{file}' of `{}`: {e}",
                    self.line
                ))
            })?;
        }
        Ok(self.parse(&output))
    }

    /// Parses the command's output lines.
    fn parse(&self, output: &[u8]) -> Vec<Tuple> {
        let mut rows = Vec::new();
        let mut lines: Vec<&[u8]> = output.split(|&b| b == b'\n').collect();
        if lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        for line in lines {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let mut fields = split_fields(line, &self.output.delimiter);
            let row: Tuple = match &self.schema {
                None => fields
                    .map(|f| {
                        if f.is_empty() {
                            Value::Null
                        } else {
                            Value::Bytearray(f.to_vec())
                        }
                    })
                    .collect(),
                Some(s) => s
                    .fields
                    .iter()
                    .map(|field| match fields.next() {
                        Some(f) => convert(f, &field.ty),
                        None => Value::Null,
                    })
                    .collect(),
            };
            rows.push(row);
        }
        rows
    }
}

/// The fields of a line, separated by `delimiter` (one or more bytes).
fn split_fields<'a>(line: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memmem::find(r, delimiter) {
            Some(i) if !delimiter.is_empty() => {
                rest = Some(&r[i + delimiter.len()..]);
                Some(&r[..i])
            }
            _ => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// Puts a cached file in the command's folder: a symbolic link, as Hadoop's distributed
/// cache makes, or a copy where links are not available.
fn link(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(from, to)
    }
    #[cfg(not(unix))]
    {
        crate::fs::copy_tree(from, to)
    }
}

/// One output field as its declared type; a value that does not convert is null.
fn convert(bytes: &[u8], ty: &PigType) -> Value {
    if bytes.is_empty() {
        return Value::Null;
    }
    match ty {
        PigType::Chararray => Value::Chararray(String::from_utf8_lossy(bytes).into_owned()),
        _ => parse_text(bytes, ty).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_udf::Field;

    fn cmd(line: &str, schema: Option<Schema>) -> Command {
        Command::piped(line.into(), std::env::temp_dir(), schema, Span::default())
    }

    #[test]
    fn round_trips_rows_through_cat() {
        let rows = vec![
            vec![Value::Int(1), Value::Chararray("a".into())],
            vec![Value::Null, Value::Chararray("b".into())],
        ];
        let out = cmd("cat", None).run(&rows).unwrap();
        assert_eq!(
            out[0],
            vec![
                Value::Bytearray(b"1".to_vec()),
                Value::Bytearray(b"a".to_vec())
            ]
        );
        assert_eq!(out[1][0], Value::Null);
        let typed = Schema::new(vec![
            Field::new("n", PigType::Int),
            Field::new("s", PigType::Chararray),
            Field::new("x", PigType::Long),
        ]);
        let out = cmd("cat", Some(typed)).run(&rows).unwrap();
        assert_eq!(
            out[0],
            vec![Value::Int(1), Value::Chararray("a".into()), Value::Null]
        );
    }

    #[test]
    fn a_failing_command_names_itself_and_its_status() {
        let err = cmd("exit 3", None).run(&[]).unwrap_err();
        assert!(
            err.0.contains("`exit 3`") && err.0.contains("exit status: 3"),
            "{err}"
        );
    }

    #[test]
    fn large_input_does_not_deadlock() {
        let rows: Vec<Tuple> = (0..200_000).map(|i| vec![Value::Int(i)]).collect();
        let out = cmd("cat", None).run(&rows).unwrap();
        assert_eq!(out.len(), 200_000);
    }
}
