//! The error type of the load/store layer: every variant names the path it is about.

use std::path::PathBuf;

/// A load or store failure, naming the path (and the line, where known).
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// An input location matched no file.
    #[error("input path does not exist: {}", path.display())]
    NotFound {
        /// The location as given (after resolving against the base directory).
        path: PathBuf,
    },
    /// An output location already exists.
    #[error("output location already exists: {}", path.display())]
    Exists {
        /// The output location.
        path: PathBuf,
    },
    /// An operating-system error on a path.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory being read or written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Data that the format cannot read, or a location or argument that is not valid.
    #[error("{}{}: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Format {
        /// The file.
        path: PathBuf,
        /// The 1-based line (or record) number, when known.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
}

impl IoError {
    /// An [`IoError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        IoError::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`IoError::Format`] for `path` at an optional line.
    pub fn format(path: impl Into<PathBuf>, line: Option<u64>, message: impl Into<String>) -> Self {
        IoError::Format {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}
