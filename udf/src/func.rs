//! The lookup of built-in functions by name; the [`EvalFunc`] trait they implement lives in
//! `pigrs-value`, shared with UDF plugins.

use std::sync::Arc;

pub use pigrs_value::func::{
    Algebraic, BatchError, CallArg, EvalFunc, RecordFunc, RecordFuncRef, UdfError,
};

/// The package prefix Pig accepts in front of a built-in's name.
const PIG_BUILTIN_PREFIX: &str = "org.apache.pig.builtin.";

/// Looks up a built-in function by name (case-sensitive; Pig also accepts the fully qualified
/// `org.apache.pig.builtin.NAME`).
pub fn builtin(name: &str) -> Option<Arc<dyn EvalFunc>> {
    let name = name.strip_prefix(PIG_BUILTIN_PREFIX).unwrap_or(name);
    crate::builtins::REGISTRY
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, make)| make())
}

/// Looks up a built-in with constructor arguments, as `DEFINE alias NAME('arg', ...)`
/// binds them: `PluckTuple` is configured by them (and is an error without them), `TOP`
/// takes its order (`'ASC'` or `'DESC'`), DataFu's and Piggybank's functions (by class
/// name, see [`java_class`]) take theirs; the other built-ins take none and ignore them. `Ok(None)`: no such built-in.
pub fn builtin_with_args(name: &str, args: &[String]) -> Result<Option<Arc<dyn EvalFunc>>, String> {
    let name = name.strip_prefix(PIG_BUILTIN_PREFIX).unwrap_or(name);
    if name == "PluckTuple" {
        let f = crate::builtins::eval::PluckTuple::with_args(args)?;
        return Ok(Some(Arc::new(f)));
    }
    if name == "TOP" {
        return Ok(Some(Arc::new(crate::builtins::eval::Top::with_args(args)?)));
    }
    if let Some(f) = java_class(name, args)? {
        return Ok(Some(f));
    }
    Ok(builtin(name))
}

/// The Java packages of the community libraries (Apache DataFu, Pig's Piggybank) whose
/// functions pigrs provides built in, by their class names.
pub const JAVA_LIBRARY_PACKAGES: &[&str] = &["datafu.", "org.apache.pig.piggybank."];

/// The DataFu and Piggybank functions pigrs provides, by Java class name.
const JAVA_CLASSES: &[&str] = &[
    "datafu.pig.bags.AppendToBag",
    "datafu.pig.bags.BagConcat",
    "datafu.pig.bags.BagGroup",
    "datafu.pig.bags.BagJoin",
    "datafu.pig.bags.BagLeftOuterJoin",
    "datafu.pig.bags.CountEach",
    "datafu.pig.bags.DistinctBy",
    "datafu.pig.bags.Enumerate",
    "datafu.pig.bags.FirstTupleFromBag",
    "datafu.pig.bags.PrependToBag",
    "datafu.pig.hash.MD5",
    "datafu.pig.hash.SHA",
    "datafu.pig.sampling.ReservoirSample",
    "datafu.pig.sampling.SampleByKey",
    "datafu.pig.sessions.Sessionize",
    "datafu.pig.sets.SetDifference",
    "datafu.pig.sets.SetIntersect",
    "datafu.pig.sets.SetUnion",
    "datafu.pig.stats.HyperLogLogPlusPlus",
    "datafu.pig.stats.Median",
    "datafu.pig.stats.Quantile",
    "datafu.pig.stats.StreamingMedian",
    "datafu.pig.stats.StreamingQuantile",
    "datafu.pig.stats.VAR",
    "org.apache.pig.piggybank.evaluation.datetime.convert.CustomFormatToISO",
    "org.apache.pig.piggybank.evaluation.datetime.convert.ISOToUnix",
    "org.apache.pig.piggybank.evaluation.datetime.convert.UnixToISO",
    "org.apache.pig.piggybank.evaluation.string.LENGTH",
    "org.apache.pig.piggybank.evaluation.string.LOWER",
    "org.apache.pig.piggybank.evaluation.string.Reverse",
    "org.apache.pig.piggybank.evaluation.string.UPPER",
];

/// The DataFu or Piggybank function of Java class `name`, configured by its constructor
/// arguments; `Ok(None)`: pigrs does not provide that class. `Err`: bad constructor
/// arguments.
pub fn java_class(name: &str, args: &[String]) -> Result<Option<Arc<dyn EvalFunc>>, String> {
    use crate::builtins::{datafu, piggybank, string};
    let Some(&name) = JAVA_CLASSES.iter().find(|c| **c == name) else {
        return Ok(None);
    };
    let short = name.rsplit('.').next().unwrap_or(name);
    let no_args = || {
        if args.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{short} takes no constructor arguments, got {}",
                args.len()
            ))
        }
    };
    let f: Arc<dyn EvalFunc> = match short {
        "AppendToBag" => no_args().map(|()| Arc::new(datafu::AddToBag::APPEND) as _)?,
        "PrependToBag" => no_args().map(|()| Arc::new(datafu::AddToBag::PREPEND) as _)?,
        "BagConcat" => no_args().map(|()| Arc::new(datafu::BagConcat) as _)?,
        "BagGroup" => no_args().map(|()| Arc::new(datafu::BagGroup::default()) as _)?,
        "BagJoin" => Arc::new(datafu::BagJoin::with_args(args)?),
        "BagLeftOuterJoin" => no_args().map(|()| Arc::new(datafu::BagJoin::left_outer()) as _)?,
        "CountEach" => Arc::new(datafu::CountEach::with_args(args)?),
        "DistinctBy" => Arc::new(datafu::DistinctBy::with_args(args)?),
        "Enumerate" => Arc::new(datafu::Enumerate::with_args(args)?),
        "FirstTupleFromBag" => no_args().map(|()| Arc::new(datafu::FirstTupleFromBag) as _)?,
        "SHA" => Arc::new(datafu::Sha::with_args(args)?),
        "MD5" => Arc::new(datafu::Md5::with_args(args)?),
        "SampleByKey" => Arc::new(datafu::SampleByKey::with_args(args)?),
        "ReservoirSample" => Arc::new(datafu::ReservoirSample::with_args(args)?),
        "Sessionize" => Arc::new(datafu::Sessionize::with_args(args)?),
        "SetUnion" => no_args().map(|()| Arc::new(datafu::SetOp::UNION) as _)?,
        "SetIntersect" => no_args().map(|()| Arc::new(datafu::SetOp::INTERSECT) as _)?,
        "SetDifference" => no_args().map(|()| Arc::new(datafu::SetOp::DIFFERENCE) as _)?,
        "Median" | "StreamingMedian" => no_args()
            .map(|()| Arc::new(datafu::Quantile::median(name, short == "StreamingMedian")) as _)?,
        "Quantile" | "StreamingQuantile" => Arc::new(datafu::Quantile::with_args(
            name,
            args,
            short == "StreamingQuantile",
        )?),
        "HyperLogLogPlusPlus" => Arc::new(datafu::HyperLogLogPlusPlus::with_args(args)?),
        "VAR" => no_args().map(|()| Arc::new(datafu::Var) as _)?,
        "ISOToUnix" => no_args().map(|()| Arc::new(piggybank::IsoToUnix) as _)?,
        "UnixToISO" => no_args().map(|()| Arc::new(piggybank::UnixToIso) as _)?,
        "CustomFormatToISO" => no_args().map(|()| Arc::new(piggybank::CustomFormatToIso) as _)?,
        "LENGTH" => no_args().map(|()| Arc::new(piggybank::Length) as _)?,
        "Reverse" => no_args().map(|()| Arc::new(piggybank::Reverse) as _)?,
        "UPPER" => no_args().map(|()| Arc::new(string::Upper) as _)?,
        "LOWER" => no_args().map(|()| Arc::new(string::Lower) as _)?,
        _ => return Ok(None),
    };
    Ok(Some(f))
}

/// Names of every built-in, DataFu's and Piggybank's by class name (for "did you mean"
/// suggestions).
pub fn builtin_names() -> Vec<&'static str> {
    let pig = crate::builtins::REGISTRY.iter().map(|(n, _)| *n);
    pig.chain(JAVA_CLASSES.iter().copied()).collect()
}
