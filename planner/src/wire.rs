//! Serde helpers for the plan types that hold something serde has no exact form for.

/// An `f64` as its bits: exact, NaN and infinities included (JSON has neither, and its
/// float parsing may be off by one unit in the last place).
pub mod f64_bits {
    /// Writes the bits.
    pub fn serialize<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(v.to_bits())
    }

    /// Reads the bits.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        <u64 as serde::Deserialize>::deserialize(d).map(f64::from_bits)
    }
}

/// A compiled regex as its pattern, compiled again when read.
pub mod regex_pattern {
    use std::sync::Arc;

    /// Writes the pattern.
    pub fn serialize<S: serde::Serializer>(r: &Arc<regex::Regex>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(r.as_str())
    }

    /// Reads and compiles the pattern.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<regex::Regex>, D::Error> {
        let p = <String as serde::Deserialize>::deserialize(d)?;
        regex::Regex::new(&p)
            .map(Arc::new)
            .map_err(serde::de::Error::custom)
    }
}
