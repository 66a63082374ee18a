//! The counter of fields that could not be converted to their declared type.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counts the loaded fields that failed to convert to their declared type (and became
/// null), remembering the earliest place (by file, then line) where one did.
///
/// Shared by all the readers of a run through an `Arc`; thread-safe.
#[derive(Debug, Default)]
pub struct Warnings {
    count: AtomicU64,
    first: Mutex<Option<(PathBuf, u64)>>,
}

impl Warnings {
    /// A counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one field of `file` at 1-based `line` that could not be converted.
    pub fn cast_failed(&self, file: &Path, line: u64) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let mut first = match self.first.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        let earlier = match first.as_ref() {
            None => true,
            Some((p, l)) => (file, line) < (p.as_path(), *l),
        };
        if earlier {
            *first = Some((file.to_path_buf(), line));
        }
    }

    /// How many fields failed to convert.
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The earliest file and 1-based line where a field failed to convert.
    pub fn first(&self) -> Option<(PathBuf, u64)> {
        match self.first.lock() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// One line for the user, or `None` when every field converted:
    /// `warning: 3 fields could not be converted to their declared type and became null
    /// (first at data/x.txt:7)`.
    pub fn summary(&self) -> Option<String> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let (what, whose) = if n == 1 {
            ("field", "its")
        } else {
            ("fields", "their")
        };
        let place = self
            .first()
            .map(|(p, l)| format!(" (first at {}:{l})", p.display()))
            .unwrap_or_default();
        Some(format!(
            "warning: {n} {what} could not be converted to {whose} declared type and became null{place}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_keeps_earliest() {
        let w = Warnings::new();
        assert_eq!(w.summary(), None);
        w.cast_failed(Path::new("b.txt"), 3);
        w.cast_failed(Path::new("a.txt"), 9);
        w.cast_failed(Path::new("a.txt"), 7);
        assert_eq!(w.count(), 3);
        assert_eq!(w.first(), Some((PathBuf::from("a.txt"), 7)));
        assert_eq!(
            w.summary().as_deref(),
            Some(
                "warning: 3 fields could not be converted to their declared type and became null (first at a.txt:7)"
            )
        );
    }

    #[test]
    fn one_field_singular() {
        let w = Warnings::new();
        w.cast_failed(Path::new("x"), 1);
        assert!(
            w.summary()
                .is_some_and(|s| s.starts_with("warning: 1 field could"))
        );
    }
}
