//! Parse errors: plain data with a span, a message a Pig user understands, the tokens
//! that would have been accepted, and an optional hint. Rendering happens in the CLI.

use crate::span::Span;

/// One syntax error in a script.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What went wrong, e.g. "unexpected `BY`, expected one of `;`, `AS`".
    pub message: String,
    /// Where.
    pub span: Span,
    /// The tokens that would have been accepted, in Pig spelling (at most a handful).
    pub expected: Vec<String>,
    /// A hint for fixing it.
    pub help: Option<String>,
    /// Other places the error involves, with their labels ("first defined here").
    pub related: Vec<(Span, String)>,
}

impl ParseError {
    /// An error with a message and a span only.
    #[cold]
    pub fn new(message: impl Into<String>, span: Span) -> Self {
        ParseError {
            message: message.into(),
            span,
            expected: Vec::new(),
            help: None,
            related: Vec::new(),
        }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary location.
    #[must_use]
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// Keywords the grammar also accepts as names (fields or aliases).
const NAME_LIKE: &[&str] = &[
    "GROUP",
    "COGROUP",
    "ONSCHEMA",
    "ASC",
    "DESC",
    "SAMPLE",
    "RANK",
    "DENSE",
    "CUBE",
    "ROLLUP",
    "ASSERT",
    "STREAM",
    "THROUGH",
    "OTHERWISE",
    "RETURNS",
    "VOID",
    "ALL",
    "INNER",
    "OUTER",
    "LEFT",
    "RIGHT",
    "FULL",
    "PARTITION",
    "INPUT",
    "OUTPUT",
    "SHIP",
    "CACHE",
    "STDERR",
    "IN",
];

/// Tokens that can start an expression, summarized as "an expression".
const EXPR_START: &[&str] = &[
    "`(`",
    "`-`",
    "`{`",
    "`[`",
    "`*`",
    "`..`",
    "`NULL`",
    "`TRUE`",
    "`FALSE`",
    "`CASE`",
    "`FLATTEN`",
    "`NOT`",
    "a name",
    "a number",
    "a quoted string",
    "a field position like `$0`",
];

/// The most expected tokens listed in a message.
const MAX_EXPECTED: usize = 8;

/// Turns lalrpop's terminal names into Pig spellings, deduplicated and capped.
pub(crate) fn pretty_expected(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let name = t.trim_matches('"');
        let pretty = match name {
            "IDENT" => "a name".to_string(),
            "INTEGER" | "LONGINTEGER" | "FLOATNUMBER" | "DOUBLENUMBER" | "BIGINTEGERNUMBER"
            | "BIGDECIMALNUMBER" => "a number".to_string(),
            "QUOTEDSTRING" => "a quoted string".to_string(),
            "EXECCOMMAND" => "a command in backticks".to_string(),
            "DOLLARVAR" => "a field position like `$0`".to_string(),
            "RAWTEXT" => "command text".to_string(),
            "MACROBODY" => "a macro body `{ ... }`".to_string(),
            "BADTOKEN" => continue,
            "[list" => "`[`".to_string(),
            other => format!("`{}`", other.replace("\\\"", "\"")),
        };
        if !out.contains(&pretty) {
            out.push(pretty);
        }
    }
    let name = "a name".to_string();
    if out.contains(&name) {
        // Keywords that may also be names add nothing once "a name" is listed.
        out.retain(|e| !NAME_LIKE.iter().any(|k| e.trim_matches('`') == *k));
        let starts = out
            .iter()
            .filter(|e| EXPR_START.contains(&e.as_str()))
            .count();
        if out.contains(&"`NOT`".to_string()) || starts >= 6 {
            out.retain(|e| !EXPR_START.contains(&e.as_str()) && *e != name);
            out.push("an expression".to_string());
        }
    }
    // Keywords and punctuation first, generic token classes last.
    out.sort_by_key(|s| !s.starts_with('`'));
    out
}

/// Formats "expected one of ..." for a message.
pub(crate) fn expected_phrase(expected: &[String]) -> String {
    match expected.len() {
        0 => String::new(),
        1 => format!(", expected {}", expected[0]),
        n if n <= MAX_EXPECTED => format!(", expected one of {}", expected.join(", ")),
        _ => format!(
            ", expected one of {}, ...",
            expected[..MAX_EXPECTED].join(", ")
        ),
    }
}

/// Caps an expected list at [`MAX_EXPECTED`] entries.
pub(crate) fn cap(mut expected: Vec<String>) -> Vec<String> {
    expected.truncate(MAX_EXPECTED);
    expected
}
