//! Renders every kind of pigrs error as a miette report pointing at the script: the only
//! place errors become text.

use miette::{Diagnostic, LabeledSpan, NamedSource, Report};
use pigrs_grammar::ParseError;
use pigrs_grammar::Span;
use pigrs_planner::{ErrorKind, PlanError};
use pigrs_runtime::RunError;

/// One error ready for miette.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Problem {
    message: String,
    /// `ERROR nnnn` where Apache Pig numbers the same mistake, else pigrs's kind.
    code: String,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    /// Locations in other texts (an earlier statement of the shell).
    notes: Vec<Note>,
}

/// A secondary location in another text than the error's, shown after it with that text.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Note {
    message: String,
    label: LabeledSpan,
    text: NamedSource<String>,
}

impl Diagnostic for Note {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.text)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.label.clone())))
    }
}

impl Diagnostic for Problem {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn std::fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.clone().into_iter()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.notes.is_empty() {
            None
        } else {
            Some(Box::new(self.notes.iter().map(|n| n as &dyn Diagnostic)))
        }
    }
}

fn label(span: Span, text: Option<String>, len: usize) -> LabeledSpan {
    let start = (span.start as usize).min(len);
    let end = (span.end as usize).clamp(start, len);
    LabeledSpan::new(text, start, end - start)
}

/// The script's text and name, to show errors in.
pub struct Source {
    /// Display name (the script's path, or `<stdin>`).
    pub name: String,
    /// The text after parameter substitution (spans refer to it).
    pub text: String,
}

impl Source {
    fn report(&self, p: Problem) -> Report {
        Report::new(p).with_source_code(NamedSource::new(self.name.clone(), self.text.clone()))
    }

    /// A parse error.
    pub fn parse(&self, e: &ParseError) -> Report {
        let mut msg = e.message.clone();
        if !e.expected.is_empty() && !msg.contains("expected") {
            msg.push_str(&format!(", expected one of {}", e.expected.join(", ")));
        }
        // Pig reports every error of parsing (macros included) as ERROR 1000.
        self.report(Problem {
            message: format!("Error during parsing: {msg}"),
            code: "ERROR 1000".to_string(),
            labels: std::iter::once((e.span, "here".to_string()))
                .chain(e.related.iter().cloned())
                .map(|(s, l)| label(s, Some(l), self.text.len()))
                .collect(),
            help: e.help.clone(),
            notes: vec![],
        })
    }

    /// A planning error.
    pub fn plan(&self, e: &PlanError) -> Report {
        self.plan_in(e, &|_| None)
    }

    /// A planning error whose secondary locations may lie in other texts: `other` finds
    /// the text of a file id (the shell's earlier statements); those are shown as notes.
    pub fn plan_in<'a>(&self, e: &PlanError, other: &dyn Fn(u32) -> Option<&'a Source>) -> Report {
        let code = match (e.kind, e.pig_code) {
            (ErrorKind::Plan | ErrorKind::FollowOn, Some(n)) => format!("ERROR {n}"),
            (ErrorKind::Plan | ErrorKind::FollowOn, None) => "pigrs::plan".to_string(),
            (ErrorKind::NotImplemented, _) => "pigrs::not_supported".to_string(),
            (ErrorKind::Internal, _) => "pigrs::internal".to_string(),
        };
        let mut labels = Vec::new();
        if e.kind != ErrorKind::Internal {
            labels.push(label(e.span, Some("here".into()), self.text.len()));
        }
        let mut notes = Vec::new();
        for (s, l) in &e.related {
            match other(s.file).filter(|_| s.file != e.span.file) {
                Some(src) => notes.push(Note {
                    message: l.clone(),
                    label: label(*s, Some("here".into()), src.text.len()),
                    text: NamedSource::new(src.name.clone(), src.text.clone()),
                }),
                None => labels.push(label(*s, Some(l.clone()), self.text.len())),
            }
        }
        let help = match e.kind {
            ErrorKind::Internal => {
                Some("this is a bug in pigrs; please report it with the script".to_string())
            }
            _ => e.help.clone(),
        };
        self.report(Problem {
            message: e.message.clone(),
            code,
            labels,
            help,
            notes,
        })
    }

    /// A run-time error.
    pub fn run(&self, e: &RunError) -> Report {
        let labels = e
            .span
            .map(|s| vec![label(s, Some("while running this".into()), self.text.len())])
            .unwrap_or_default();
        let code = if e.internal {
            "pigrs::internal"
        } else {
            "pigrs::run"
        }
        .to_string();
        self.report(Problem {
            message: e.message.clone(),
            code,
            labels,
            help: e.help.clone(),
            notes: vec![],
        })
    }

    /// A parameter substitution error at a byte offset of the original text.
    pub fn param(&self, message: &str, offset: usize) -> Report {
        self.report(Problem {
            message: message.to_string(),
            code: "pigrs::parameter".to_string(),
            labels: vec![label(
                Span::new(offset, offset + 1),
                Some("here".into()),
                self.text.len(),
            )],
            help: Some("pass it with -p name=value, or declare it with %default".into()),
            notes: vec![],
        })
    }
}

/// A plain error with no script location.
pub fn plain(message: impl Into<String>) -> Report {
    Report::new(Problem {
        message: message.into(),
        code: "pigrs".to_string(),
        labels: vec![],
        help: None,
        notes: vec![],
    })
}

/// A plain error with no script location and a hint.
pub fn plain_with_help(message: impl Into<String>, help: impl Into<String>) -> Report {
    Report::new(Problem {
        message: message.into(),
        code: "pigrs".to_string(),
        labels: vec![],
        help: Some(help.into()),
        notes: vec![],
    })
}
