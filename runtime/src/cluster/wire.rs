//! Serde helpers for runtime types that hold process-local handles.

/// A plugin's load function: it is an instance made from the library by its name and
/// constructor arguments, which it does not keep, so it cannot be encoded yet. Encoding
/// fails with a message naming it, rather than sending something that would load
/// differently on an executor.
pub mod plugin_record_func {
    use pigrs_udf::func::RecordFuncRef;

    /// Refuses: see the module's doc.
    pub fn serialize<S: serde::Serializer>(f: &RecordFuncRef, _s: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(format!(
            "the plugin load function `{}` cannot be sent to a cluster yet",
            f.0.name()
        )))
    }

    /// Refuses: nothing encodes one.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(_d: D) -> Result<RecordFuncRef, D::Error> {
        Err(serde::de::Error::custom(
            "a plugin load function cannot be received from a cluster yet",
        ))
    }
}
