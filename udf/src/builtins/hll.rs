//! A HyperLogLog++ sketch (Heule, Nunkesser and Hall, 2013) for DataFu's
//! `HyperLogLogPlusPlus`: 64-bit hashes, a sparse form while few registers are set, and a
//! dense array of 2^p registers after. The estimate is Ertl's improved estimator ("New
//! cardinality estimation algorithms for HyperLogLog sketches", 2017), which is unbiased
//! from zero up without HLL++'s empirical bias tables; its standard error is the same
//! 1.04/√m.
//!
//! A sketch travels between the phases of the aggregate as a bytearray:
//! `[b'H', p, 0, (index << 8 | rank) as u32 LE ...]` (sparse, sorted by index) or
//! `[b'H', p, 1, rank of each register ...]` (dense).

use std::collections::BTreeMap;

/// The smallest and largest precision taken.
pub(crate) const PRECISIONS: std::ops::RangeInclusive<u8> = 4..=24;

const MAGIC: u8 = b'H';

/// A HyperLogLog++ sketch of precision `p` (2^p registers).
#[derive(Debug, Clone)]
pub(crate) struct Sketch {
    p: u8,
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    /// The registers that are set: index -> rank.
    Sparse(BTreeMap<u32, u8>),
    /// Every register's rank (0: unset).
    Dense(Vec<u8>),
}

impl Sketch {
    /// An empty sketch; `p` must be in [`PRECISIONS`].
    pub(crate) fn new(p: u8) -> Sketch {
        debug_assert!(PRECISIONS.contains(&p));
        Sketch {
            p,
            repr: Repr::Sparse(BTreeMap::new()),
        }
    }

    fn m(&self) -> usize {
        1 << self.p
    }

    /// Past this many set registers the dense form is smaller.
    fn sparse_limit(&self) -> usize {
        self.m() / 4
    }

    /// Adds a 64-bit hash: its first `p` bits pick the register, and the register keeps
    /// the largest rank (position of the first 1 bit) of the rest.
    pub(crate) fn insert_hash(&mut self, h: u64) {
        let p = u32::from(self.p);
        let index = (h >> (64 - p)) as u32;
        // A guard bit after the 64 - p bits bounds the rank at 64 - p + 1.
        let w = (h << p) | (1 << (p - 1));
        let rank = (w.leading_zeros() + 1) as u8;
        self.set(index, rank);
    }

    fn set(&mut self, index: u32, rank: u8) {
        match &mut self.repr {
            Repr::Sparse(regs) => {
                let r = regs.entry(index).or_insert(0);
                *r = (*r).max(rank);
                if regs.len() > self.sparse_limit() {
                    self.densify();
                }
            }
            Repr::Dense(regs) => {
                let r = &mut regs[index as usize];
                *r = (*r).max(rank);
            }
        }
    }

    fn densify(&mut self) {
        if let Repr::Sparse(regs) = &self.repr {
            let mut dense = vec![0u8; self.m()];
            for (&i, &r) in regs {
                dense[i as usize] = r;
            }
            self.repr = Repr::Dense(dense);
        }
    }

    /// Adds every element of `other` (of the same precision).
    pub(crate) fn merge(&mut self, other: &Sketch) -> Result<(), String> {
        if other.p != self.p {
            return Err(format!(
                "sketches of precisions {} and {} do not merge",
                self.p, other.p
            ));
        }
        match &other.repr {
            Repr::Sparse(regs) => {
                for (&i, &r) in regs {
                    self.set(i, r);
                }
            }
            Repr::Dense(theirs) => {
                self.densify();
                if let Repr::Dense(mine) = &mut self.repr {
                    for (a, b) in mine.iter_mut().zip(theirs) {
                        *a = (*a).max(*b);
                    }
                }
            }
        }
        Ok(())
    }

    /// The estimated number of distinct hashes added.
    pub(crate) fn estimate(&self) -> f64 {
        let q = 64 - usize::from(self.p);
        let m = self.m() as f64;
        // How many registers hold each rank, 0 (unset) to q + 1.
        let mut counts = vec![0u64; q + 2];
        match &self.repr {
            Repr::Sparse(regs) => {
                counts[0] = (self.m() - regs.len()) as u64;
                for &r in regs.values() {
                    counts[usize::from(r)] += 1;
                }
            }
            Repr::Dense(regs) => {
                for &r in regs {
                    counts[usize::from(r)] += 1;
                }
            }
        }
        if counts[0] == self.m() as u64 {
            return 0.0;
        }
        let mut z = m * tau(1.0 - counts[q + 1] as f64 / m);
        for k in (1..=q).rev() {
            z = 0.5 * (z + counts[k] as f64);
        }
        z += m * sigma(counts[0] as f64 / m);
        let alpha_inf = 0.5 / std::f64::consts::LN_2;
        alpha_inf * m * m / z
    }

    /// The sketch as bytes (see the module's documentation).
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        match &self.repr {
            Repr::Sparse(regs) => {
                let mut out = Vec::with_capacity(3 + 4 * regs.len());
                out.extend_from_slice(&[MAGIC, self.p, 0]);
                for (&i, &r) in regs {
                    out.extend_from_slice(&((i << 8) | u32::from(r)).to_le_bytes());
                }
                out
            }
            Repr::Dense(regs) => {
                let mut out = Vec::with_capacity(3 + regs.len());
                out.extend_from_slice(&[MAGIC, self.p, 1]);
                out.extend_from_slice(regs);
                out
            }
        }
    }

    /// A sketch from [`Sketch::to_bytes`]; `Err` for bytes that are not one.
    pub(crate) fn from_bytes(bytes: &[u8]) -> Result<Sketch, String> {
        let bad = || "not a HyperLogLog++ sketch".to_string();
        let [MAGIC, p, kind, rest @ ..] = bytes else {
            return Err(bad());
        };
        if !PRECISIONS.contains(p) {
            return Err(bad());
        }
        let mut sketch = Sketch::new(*p);
        let max_rank = 64 - *p + 1;
        match kind {
            0 if rest.len() % 4 == 0 => {
                let mut regs = BTreeMap::new();
                for chunk in rest.chunks_exact(4) {
                    let v = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
                    let (i, r) = (v >> 8, (v & 0xff) as u8);
                    if i as usize >= sketch.m() || r == 0 || r > max_rank {
                        return Err(bad());
                    }
                    regs.insert(i, r);
                }
                sketch.repr = Repr::Sparse(regs);
                if let Repr::Sparse(regs) = &sketch.repr
                    && regs.len() > sketch.sparse_limit()
                {
                    sketch.densify();
                }
            }
            1 if rest.len() == sketch.m() && rest.iter().all(|&r| r <= max_rank) => {
                sketch.repr = Repr::Dense(rest.to_vec());
            }
            _ => return Err(bad()),
        }
        Ok(sketch)
    }
}

/// Ertl's σ(x) = x + Σ_{k≥1} x^(2^k) 2^(k-1), for the share x of unset registers.
fn sigma(mut x: f64) -> f64 {
    if x == 1.0 {
        return f64::INFINITY;
    }
    let mut y = 1.0;
    let mut z = x;
    loop {
        x *= x;
        let before = z;
        z += x * y;
        y += y;
        if z == before {
            return z;
        }
    }
}

/// Ertl's τ(x) = (1 - x - Σ_{k≥1} (1 - x^(2^-k))² 2^-k) / 3, for the share x of
/// registers below the largest rank.
fn tau(mut x: f64) -> f64 {
    if x == 0.0 || x == 1.0 {
        return 0.0;
    }
    let mut y = 1.0;
    let mut z = 1.0 - x;
    loop {
        x = x.sqrt();
        let before = z;
        y *= 0.5;
        z -= (1.0 - x).powi(2) * y;
        if z == before {
            return z / 3.0;
        }
    }
}

/// MurmurHash64A (Austin Appleby's, public domain) of `data`: the 64-bit hash the sketch
/// takes, stable across runs and machines.
pub(crate) fn murmur64(data: &[u8], seed: u64) -> u64 {
    const M: u64 = 0xc6a4_a793_5bd1_e995;
    const R: u32 = 47;
    let mut h = seed ^ (data.len() as u64).wrapping_mul(M);
    let mut chunks = data.chunks_exact(8);
    for chunk in &mut chunks {
        let mut k = u64::from_le_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h ^= k;
        h = h.wrapping_mul(M);
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate() {
            h ^= u64::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> R;
    h = h.wrapping_mul(M);
    h ^= h >> R;
    h
}

/// The 64-bit hash of `data` the sketch takes: [`murmur64`] mixed by MurmurHash3's
/// `fmix64`, a bijection that spreads short inputs (a tuple of one small number is a few
/// bytes) over the top bits, which pick the register.
pub(crate) fn hash64(data: &[u8]) -> u64 {
    let mut h = murmur64(data, 0);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sketch_of(p: u8, values: impl Iterator<Item = u64>) -> Sketch {
        let mut s = Sketch::new(p);
        for v in values {
            s.insert_hash(hash64(&v.to_le_bytes()));
        }
        s
    }

    #[test]
    fn small_counts_are_nearly_exact() {
        assert_eq!(Sketch::new(14).estimate(), 0.0);
        let s = sketch_of(14, 0..10);
        assert_eq!(s.estimate().round(), 10.0);
        let dup = sketch_of(14, (0..10).chain(0..10));
        assert_eq!(dup.estimate().round(), 10.0);
    }

    #[test]
    fn error_within_bounds_on_100k_distinct_values() {
        for p in [10u8, 14, 20] {
            let s = sketch_of(p, 0..100_000);
            let err = (s.estimate() - 100_000.0).abs() / 100_000.0;
            // Three standard errors (1.04 / sqrt(2^p)).
            let bound = 3.0 * 1.04 / f64::from(1u32 << p).sqrt();
            assert!(err < bound, "p={p}: error {err} above {bound}");
        }
    }

    #[test]
    fn merge_and_bytes_round_trip() {
        let mut a = sketch_of(12, 0..30_000);
        let b = sketch_of(12, 20_000..60_000);
        let b_bytes = Sketch::from_bytes(&b.to_bytes()).unwrap();
        a.merge(&b_bytes).unwrap();
        let all = sketch_of(12, 0..60_000);
        assert_eq!(a.estimate(), all.estimate());
        let small = sketch_of(12, 0..5);
        let back = Sketch::from_bytes(&small.to_bytes()).unwrap();
        assert_eq!(back.estimate(), small.estimate());
        assert!(small.to_bytes().len() < 32);
        assert!(a.merge(&Sketch::new(13)).is_err());
        assert!(Sketch::from_bytes(b"nope").is_err());
        assert!(Sketch::from_bytes(&[b'H', 12, 1, 0]).is_err());
    }

    #[test]
    fn hashes_are_stable() {
        // Sketches made by one process merge in another: the hash is pinned.
        assert_eq!(murmur64(b"", 0), 0);
        assert_eq!(murmur64(b"hello", 0), 0x1e68_d17c_457b_f117);
        assert_eq!(hash64(b"pigrs"), 0xbd36_f60f_6a10_f870);
        assert_ne!(hash64(b"a"), hash64(b"b"));
    }
}
