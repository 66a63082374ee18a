//! Errors of a run: the script asked for something impossible (a missing input, an existing
//! output), an input could not be read, a function failed, or pigrs has a bug.

use pigrs_grammar::Span;

/// A failed run.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RunError {
    /// What went wrong.
    pub message: String,
    /// The script location to blame, if any.
    pub span: Option<Span>,
    /// A hint.
    pub help: Option<String>,
    /// Whether this is a pigrs bug rather than a problem with the script or its data.
    pub internal: bool,
    /// Whether the job was cancelled (Ctrl-C in the shell) rather than failed.
    pub cancelled: bool,
}

impl RunError {
    /// An error blamed on the statement or expression at `span`.
    #[cold]
    pub fn plan(span: Span, message: impl Into<String>) -> Self {
        RunError {
            message: message.into(),
            span: Some(span),
            help: None,
            internal: false,
            cancelled: false,
        }
    }

    /// An error with no script location (I/O on an output, a shell command).
    #[cold]
    pub fn other(message: impl Into<String>) -> Self {
        RunError {
            message: message.into(),
            span: None,
            help: None,
            internal: false,
            cancelled: false,
        }
    }

    /// A pigrs bug.
    #[cold]
    pub fn internal(e: impl std::fmt::Display) -> Self {
        RunError {
            message: format!("internal error: {e}"),
            span: None,
            help: None,
            internal: true,
            cancelled: false,
        }
    }

    /// The job was cancelled before it finished; nothing it would have stored is left.
    #[cold]
    pub fn cancelled() -> Self {
        RunError {
            message: "cancelled".into(),
            span: None,
            help: None,
            internal: false,
            cancelled: true,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl From<datafusion::error::DataFusionError> for RunError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        use datafusion::error::DataFusionError as D;
        let mut cur = &e;
        loop {
            match cur {
                D::Context(_, inner) => cur = inner,
                D::Shared(inner) => cur = inner,
                D::External(ext) => {
                    if let Some(ev) = ext.downcast_ref::<crate::eval::EvalError>() {
                        return RunError::plan(ev.span, ev.message.clone());
                    }
                    if let Some(io) = ext.downcast_ref::<crate::io::IoError>() {
                        return RunError::other(io.to_string());
                    }
                    return RunError::other(ext.to_string());
                }
                D::ExecutionJoin(j) => return RunError::internal(format!("a task panicked: {j}")),
                D::ResourcesExhausted(m) => {
                    return RunError::other(format!(
                        "not enough memory to sort or shuffle ({m})"
                    ))
                    .with_help(
                        "give the run more memory with SET pigrs.memory BYTES (default: a quarter of the machine's memory)",
                    );
                }
                other => return RunError::internal(other),
            }
        }
    }
}

impl From<crate::io::IoError> for RunError {
    fn from(e: crate::io::IoError) -> Self {
        RunError::other(e.to_string())
    }
}
