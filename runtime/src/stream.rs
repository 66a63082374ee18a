//! STREAM ... THROUGH: pipes a task's rows through an external command.
//!
//! Rows go to the command's stdin as PigStorage text (fields separated by TAB, one row a
//! line) from a writer thread, so a command that writes before it has read everything
//! cannot deadlock; its stdout is read back as PigStorage lines: bytearray fields, or the
//! `AS` schema's types.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command as Process, Stdio};

use pigrs_grammar::Span;
use pigrs_udf::cast::parse_text;
use pigrs_udf::{PigType, Schema, Tuple, Value};

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
}

impl Command {
    /// Runs the command once over `rows` and parses what it prints.
    pub fn run(&self, rows: &[Tuple]) -> Result<Vec<Tuple>, StreamError> {
        let mut child = Process::new("sh")
            .arg("-c")
            .arg(&self.line)
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| StreamError(format!("cannot start `{}`: {e}", self.line)))?;
        let mut input = Vec::with_capacity(rows.len() * 16);
        for r in rows {
            for (i, v) in r.iter().enumerate() {
                if i > 0 {
                    input.push(b'\t');
                }
                push_text(v, &mut input);
            }
            input.push(b'\n');
        }
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
            let mut fields = line.split(|&b| b == b'\t');
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
        Command {
            line: line.into(),
            dir: std::env::temp_dir(),
            schema,
            span: Span::default(),
        }
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
