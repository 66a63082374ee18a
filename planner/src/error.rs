//! Errors of planning: a script that is wrong (with the span to blame), a feature pigrs
//! does not have yet, or a bug in pigrs itself (which never blames the script).

use pigrs_grammar::Span;

/// Which kind of failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The script is wrong: an unknown alias, a type error, a bad argument.
    Plan,
    /// The script is valid Pig Latin that pigrs does not run yet.
    NotImplemented,
    /// The script is wrong, but only because an earlier statement failed (an alias it
    /// would have defined, a REGISTER): a whole script reports just that statement's error.
    FollowOn,
    /// A pigrs bug.
    Internal,
}

/// A planning error, pointing at the script.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct PlanError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// What went wrong, in the user's terms.
    pub message: String,
    /// Where in the script.
    pub span: Span,
    /// Secondary locations with their labels ("defined here").
    pub related: Vec<(Span, String)>,
    /// A hint on how to fix it.
    pub help: Option<String>,
    /// Apache Pig's number for this mistake (`ERROR 1025`), where Pig has one.
    pub pig_code: Option<u16>,
}

impl PlanError {
    /// A user error at `span`.
    #[cold]
    pub fn plan(span: Span, message: impl Into<String>) -> Self {
        PlanError {
            kind: ErrorKind::Plan,
            message: message.into(),
            span,
            related: vec![],
            help: None,
            pig_code: None,
        }
    }

    /// A feature pigrs does not support yet.
    #[cold]
    pub fn not_implemented(span: Span, what: impl Into<String>) -> Self {
        PlanError {
            kind: ErrorKind::NotImplemented,
            message: format!("{} is not supported by pigrs yet", what.into()),
            span,
            related: vec![],
            help: None,
            pig_code: None,
        }
    }

    /// A pigrs bug.
    #[cold]
    pub fn internal(message: impl Into<String>) -> Self {
        PlanError {
            kind: ErrorKind::Internal,
            message: message.into(),
            span: Span::default(),
            related: vec![],
            help: None,
            pig_code: None,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Gives the error Apache Pig's number for the same mistake.
    pub fn with_pig_code(mut self, code: u16) -> Self {
        self.pig_code = Some(code);
        self
    }

    /// Adds a secondary location.
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }
}

/// Builds a [`PlanError`] of kind Plan: `plan_err!(span, "unknown alias {}", a)`.
#[macro_export]
macro_rules! plan_err {
    ($span:expr, $($arg:tt)*) => { $crate::error::PlanError::plan($span, format!($($arg)*)) };
}

/// Builds a [`PlanError`] of kind Internal.
#[macro_export]
macro_rules! internal_err {
    ($($arg:tt)*) => { $crate::error::PlanError::internal(format!($($arg)*)) };
}

/// The result of planning steps.
pub type Result<T, E = PlanError> = std::result::Result<T, E>;

/// Names longer than this (in bytes) get no "did you mean" suggestion.
const MAX_SUGGEST_LEN: usize = 256;

/// The closest candidate to `name` (for "did you mean"), if any is close enough.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    // The distance costs time in the product of the lengths: no suggestion for absurdly
    // long names (a fuzzed `x.y.y...` call took seconds against every built-in).
    if name.len() > MAX_SUGGEST_LEN {
        return None;
    }
    let lower = name.to_lowercase();
    let allowed = |c: &str| (c.len().max(name.len()) / 3).max(1);
    candidates
        .into_iter()
        // The length difference is a lower bound of the distance: skip hopeless ones cheaply.
        .filter(|c| c.len() <= MAX_SUGGEST_LEN && c.len().abs_diff(name.len()) <= allowed(c))
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= allowed(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Edit distance counting an adjacent transposition as one edit (optimal string alignment).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("nmae", ["name", "age"]).as_deref(),
            Some("name")
        );
        assert_eq!(
            did_you_mean("COUNTT", ["COUNT", "CONCAT"]).as_deref(),
            Some("COUNT")
        );
        assert_eq!(did_you_mean("salary", ["name", "age", "gpa"]), None);
    }

    #[test]
    fn huge_names_are_fast() {
        // Found by the fuzzer: a 150 KB dotted function name took seconds.
        let name = format!("x{}", ".y".repeat(75_000));
        let t0 = std::time::Instant::now();
        for _ in 0..100 {
            assert_eq!(
                did_you_mean(&name, ["COUNT", "CONCAT", name.as_str()]),
                None
            );
        }
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            t0.elapsed()
        );
        assert_eq!(
            did_you_mean("COUNT_STARR", ["COUNT", "COUNT_STAR"]).as_deref(),
            Some("COUNT_STAR")
        );
    }
}
