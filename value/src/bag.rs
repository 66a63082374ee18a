//! Pig's bag: tuples in the order they were added, the first of them possibly on disk.
//!
//! A bag larger than its share of memory (a GROUP's bag of a hot key, a nested FILTER of
//! one) moves its tuples to a spill file as it grows, as Pig's spillable bags do; they are
//! read back, in order, each time the bag is iterated. Spilling is the runtime's business
//! ([`SpilledTuples`] is implemented there, on DataFusion's temporary files); everything
//! else sees one sequence of tuples through [`Bag::iter`], [`Bag::tuples`] or
//! [`Bag::into_tuples`]. Reading spilled tuples back can fail (the disk), so those return
//! `Result`s; [`Bag::len`] never reads.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::value::Tuple;

/// Reading a bag's spilled tuples back failed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("reading a bag spilled to disk: {0}")]
pub struct BagError(pub String);

/// The tuples of a bag on disk: the bag's first [`SpilledTuples::len`] tuples, in order.
pub trait SpilledTuples: fmt::Debug + Send + Sync {
    /// How many tuples.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Reads them back, in order.
    fn read(&self) -> Result<Box<dyn Iterator<Item = Result<Tuple, BagError>> + '_>, BagError>;
}

/// A bag: a collection of tuples, in the order they were added (Pig bags are unordered;
/// pigrs keeps the order it builds them in).
#[derive(Clone, Debug, Default)]
pub struct Bag {
    /// The first tuples, on disk.
    spilled: Option<Arc<dyn SpilledTuples>>,
    /// The tuples after them, in memory.
    tuples: Vec<Tuple>,
}

impl Bag {
    /// An empty bag.
    pub fn new() -> Self {
        Bag::default()
    }

    /// An empty bag with room for `n` tuples in memory.
    pub fn with_capacity(n: usize) -> Self {
        Bag::from(Vec::with_capacity(n))
    }

    /// A bag of the tuples of `spilled` followed by `tuples`.
    pub fn with_spilled(spilled: Arc<dyn SpilledTuples>, tuples: Vec<Tuple>) -> Self {
        Bag {
            spilled: Some(spilled),
            tuples,
        }
    }

    /// How many tuples (without reading any back).
    pub fn len(&self) -> usize {
        self.spilled.as_ref().map_or(0, |s| s.len()) + self.tuples.len()
    }

    /// Whether the bag has no tuples.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether some of the tuples are on disk.
    pub fn is_spilled(&self) -> bool {
        self.spilled.as_ref().is_some_and(|s| !s.is_empty())
    }

    /// Adds a tuple at the end.
    pub fn push(&mut self, t: Tuple) {
        self.tuples.push(t);
    }

    /// The tuples held in memory: all of them unless [`Bag::is_spilled`].
    pub fn in_memory(&self) -> &[Tuple] {
        &self.tuples
    }

    /// Every tuple, in order: borrowed when all are in memory, else read back.
    pub fn tuples(&self) -> Result<Cow<'_, [Tuple]>, BagError> {
        match &self.spilled {
            Some(s) if !s.is_empty() => {
                let mut all = Vec::with_capacity(self.len());
                for t in s.read()? {
                    all.push(t?);
                }
                all.extend(self.tuples.iter().cloned());
                Ok(Cow::Owned(all))
            }
            _ => Ok(Cow::Borrowed(&self.tuples)),
        }
    }

    /// Every tuple, in order, owned (spilled ones read back).
    pub fn into_tuples(self) -> Result<Vec<Tuple>, BagError> {
        match self.spilled {
            Some(s) if !s.is_empty() => {
                let mut all = Vec::with_capacity(s.len() + self.tuples.len());
                for t in s.read()? {
                    all.push(t?);
                }
                all.extend(self.tuples);
                Ok(all)
            }
            _ => Ok(self.tuples),
        }
    }

    /// The tuples one at a time, in order, spilled ones read back as they come: a spilled
    /// bag is never held whole.
    pub fn iter(&self) -> BagIter<'_> {
        let spilled = match &self.spilled {
            Some(s) if !s.is_empty() => Some(s.read()),
            _ => None,
        };
        BagIter {
            spilled,
            tuples: self.tuples.iter(),
        }
    }

    /// The same bag with every tuple in memory.
    pub fn loaded(self) -> Result<Bag, BagError> {
        Ok(Bag::from(self.into_tuples()?))
    }

    /// Every tuple in memory, for what cannot fail (`Display`, `Ord`, `Hash`, the value
    /// codec, writers). The runtime loads spilled bags before they leave the operator that
    /// made them (into a batch), so this only reads a spill file if that was missed; a read
    /// failure there has no error to become, and panics the task.
    pub fn all(&self) -> Cow<'_, [Tuple]> {
        self.tuples()
            .unwrap_or_else(|e| panic!("pigrs: a spilled bag could not be read back: {e}"))
    }
}

impl From<Vec<Tuple>> for Bag {
    fn from(tuples: Vec<Tuple>) -> Self {
        Bag {
            spilled: None,
            tuples,
        }
    }
}

impl FromIterator<Tuple> for Bag {
    fn from_iter<I: IntoIterator<Item = Tuple>>(iter: I) -> Self {
        Bag::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl Extend<Tuple> for Bag {
    fn extend<I: IntoIterator<Item = Tuple>>(&mut self, iter: I) {
        self.tuples.extend(iter);
    }
}

/// The tuples of a [`Bag`], in order; see [`Bag::iter`].
pub struct BagIter<'a> {
    spilled: Option<Result<Box<dyn Iterator<Item = Result<Tuple, BagError>> + 'a>, BagError>>,
    tuples: std::slice::Iter<'a, Tuple>,
}

impl<'a> Iterator for BagIter<'a> {
    type Item = Result<Cow<'a, Tuple>, BagError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.spilled.take() {
            Some(Err(e)) => return Some(Err(e)),
            Some(Ok(mut read)) => {
                if let Some(t) = read.next() {
                    self.spilled = Some(Ok(read));
                    return Some(t.map(Cow::Owned));
                }
            }
            None => {}
        }
        self.tuples.next().map(|t| Ok(Cow::Borrowed(t)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    /// Tuples "on disk" for the tests: in memory, optionally failing after some.
    #[derive(Debug)]
    struct Disk {
        tuples: Vec<Tuple>,
        fail_after: Option<usize>,
    }

    impl SpilledTuples for Disk {
        fn len(&self) -> usize {
            self.tuples.len()
        }

        fn read(&self) -> Result<Box<dyn Iterator<Item = Result<Tuple, BagError>> + '_>, BagError> {
            let fail = self.fail_after;
            Ok(Box::new(self.tuples.iter().enumerate().map(
                move |(i, t)| {
                    if fail.is_some_and(|n| i >= n) {
                        Err(BagError("disk gone".into()))
                    } else {
                        Ok(t.clone())
                    }
                },
            )))
        }
    }

    fn t(i: i32) -> Tuple {
        vec![Value::Int(i)]
    }

    #[test]
    fn spilled_tuples_come_first_then_the_ones_in_memory() {
        let disk = Arc::new(Disk {
            tuples: vec![t(1), t(2)],
            fail_after: None,
        });
        let mut bag = Bag::with_spilled(disk, vec![t(3)]);
        bag.push(t(4));
        assert_eq!(bag.len(), 4);
        assert!(bag.is_spilled());
        let seen: Vec<Tuple> = bag.iter().map(|r| r.expect("read").into_owned()).collect();
        assert_eq!(seen, vec![t(1), t(2), t(3), t(4)]);
        assert_eq!(bag.tuples().expect("read").as_ref(), &seen[..]);
        assert_eq!(bag.clone().into_tuples().expect("read"), seen);
        assert!(!bag.loaded().expect("read").is_spilled());
    }

    #[test]
    fn a_failed_read_is_an_error_not_a_short_bag() {
        let disk = Arc::new(Disk {
            tuples: vec![t(1), t(2)],
            fail_after: Some(1),
        });
        let bag = Bag::with_spilled(disk, vec![t(3)]);
        let items: Vec<_> = bag.iter().collect();
        assert!(items[0].is_ok());
        assert!(items[1].is_err());
        assert!(bag.tuples().is_err());
        assert!(bag.into_tuples().is_err());
    }

    #[test]
    fn a_bag_in_memory_borrows() {
        let bag: Bag = vec![t(1), t(2)].into_iter().collect();
        assert!(matches!(bag.tuples(), Ok(Cow::Borrowed(_))));
        assert_eq!(bag.in_memory().len(), 2);
        assert!(!bag.is_spilled());
    }
}
