//! The SDK for pigrs UDF plugins: Rust functions that Pig Latin scripts call after
//! `REGISTER 'libmyudfs.so';`.
//!
//! A plugin is a `cdylib` crate. Write plain functions with [`eval`] or [`filter`], or
//! implement [`Udf`] for the full interface (constructor arguments, output types computed
//! from the argument types), then name them all in one [`export!`]:
//!
//! ```ignore
//! #[pigrs_plugin::eval]
//! fn reverse(s: &str) -> String {
//!     s.chars().rev().collect()
//! }
//!
//! pigrs_plugin::export! { namespace: "myudfs", functions: [reverse] }
//! ```
//!
//! ```text
//! REGISTER 'target/release/libmyudfs.so';
//! B = FOREACH A GENERATE myudfs.Reverse(name);
//! ```
//!
//! The library speaks plugin ABI v1 ([`abi`]): pigrs calls it with batches of rows encoded
//! with pigrs's value codec, and every panic is caught before it leaves the library and
//! becomes an error naming the function and the row. Nothing here needs `unsafe` from the
//! author, and nothing pulls Arrow or DataFusion into the plugin's build.
#![deny(missing_docs)]

pub mod abi;
mod convert;
mod shim;
pub mod wire;

pub use bigdecimal::BigDecimal;
pub use chrono::{DateTime, FixedOffset};
pub use convert::{Arg, FilterRet, Ret, coerce};
pub use num_bigint::BigInt;
pub use pigrs_plugin_macros::{eval, filter};
pub use pigrs_value::func::UdfError;
pub use pigrs_value::types::parse_type;
pub use pigrs_value::{Bag, Field, Map, PigType, Schema, Tuple, Value};
pub use wire::Signature;

/// What an author usually needs: `use pigrs_plugin::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Accumulate, Bag, BigDecimal, BigInt, DateTime, Field, FixedOffset, Kind, Map, PigType,
        Schema, Tuple, Udf, UdfError, Value,
    };
}

/// The kind of a function, as scripts use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A scalar function: `FOREACH A GENERATE ns.F(x)`.
    Eval,
    /// A boolean function for `FILTER A BY ns.F(x)`.
    Filter,
    /// An aggregate of a bag that splits into [`Udf::initial`], [`Udf::intermediate`] and
    /// [`Udf::finalize`], so that pigrs can run it in the combiner as it does COUNT and SUM.
    Algebraic,
    /// An aggregate of a bag that sees the bag in chunks ([`Udf::accumulator`]), so that a
    /// bag larger than memory is never held whole, as Pig's `Accumulator` functions do.
    Accumulator,
    /// A load function: `LOAD 'x' USING ns.F('opt')`. pigrs reads the files (splits,
    /// compression) and hands it lines, which [`Udf::parse`] turns into tuples.
    Load,
    /// A store function: `STORE a INTO 'x' USING ns.F()`. [`Udf::format`] turns tuples
    /// into records, which pigrs writes (part files, compression, an atomic output).
    Store,
}

impl Kind {
    /// The kind's code in the ABI ([`abi::kind`]).
    pub fn code(self) -> u32 {
        match self {
            Kind::Eval => abi::kind::EVAL,
            Kind::Filter => abi::kind::FILTER,
            Kind::Algebraic => abi::kind::ALGEBRAIC,
            Kind::Accumulator => abi::kind::ACCUMULATOR,
            Kind::Load => abi::kind::LOAD,
            Kind::Store => abi::kind::STORE,
        }
    }
}

/// A plugin function with the full interface: what [`eval`] and [`filter`] generate for a
/// plain function, and what an author implements for constructor arguments or for output
/// types that depend on the argument types.
///
/// One instance is made per `DEFINE` (or per call site without one), with the
/// constructor arguments the script gives, and is called from many threads at once.
pub trait Udf: Send + Sync + Sized + 'static {
    /// The name scripts call it by, after the library's namespace (`Reverse` for
    /// `myudfs.Reverse`).
    const NAME: &'static str;
    /// Its kind.
    const KIND: Kind = Kind::Eval;
    /// An instance with the constructor arguments of `DEFINE f ns.Name('a', 'b')`; an
    /// error refuses them (the script's DEFINE is reported with the message).
    fn new(ctor_args: &[String]) -> Result<Self, String>;
    /// The overloads it declares: argument types and output type, in order of preference.
    /// Empty (the default) when it types its arguments itself in [`Udf::output_type`].
    fn signatures() -> Result<Vec<Signature>, String> {
        Ok(Vec::new())
    }
    /// The output type (Pig's output schema, which DESCRIBE shows) for these argument
    /// types, or a message saying what is wrong with them. The default picks the overload
    /// of [`Udf::signatures`] that fits.
    fn output_type(&self, args: &[PigType]) -> Result<PigType, String> {
        let sigs = Self::signatures()?;
        let types: Vec<Option<PigType>> = args.iter().cloned().map(Some).collect();
        best_overload(&sigs, &types)
            .map(|i| sigs[i].output.clone())
            .ok_or_else(|| no_overload(&sigs, args))
    }
    /// Evaluates one row of arguments. A panic is caught and reported as an error naming
    /// the function and the row. (An algebraic function gets its bag here when pigrs does
    /// not split it into phases.) Every kind but [`Kind::Accumulator`] implements it; an
    /// accumulator's default runs [`Udf::accumulator`] on the whole arguments at once.
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        if Self::KIND != Kind::Accumulator {
            return Err(UdfError::new(format!(
                "{} does not implement eval",
                Self::NAME
            )));
        }
        let mut state = self.accumulator()?;
        state.accumulate(args)?;
        state.value()
    }
    /// For [`Kind::Accumulator`]: a fresh state for accumulating one bag. pigrs then calls
    /// [`Accumulate::accumulate`] with each chunk of the bag, in order, and
    /// [`Accumulate::value`] once at the end. Each bag (each group) gets its own state, and
    /// states of different bags may be in use on different threads at once.
    fn accumulator(&self) -> Result<Box<dyn Accumulate>, UdfError> {
        Err(UdfError::new(format!(
            "{} is not an accumulator",
            Self::NAME
        )))
    }
    /// For [`Kind::Load`]: the schema of the records it gives (Pig's
    /// `LoadMetadata.getSchema`), which a LOAD without `AS` takes; `None` (the default)
    /// leaves the schema unknown.
    fn load_schema(&self) -> Result<Option<Schema>, String> {
        Ok(None)
    }
    /// For [`Kind::Load`]: the tuple of one line of input (without its line end), or `None`
    /// to skip the line. An error stops the run, naming the file and the line.
    fn parse(&self, _line: &[u8]) -> Result<Option<Tuple>, UdfError> {
        Err(UdfError::new(format!(
            "{} is not a load function",
            Self::NAME
        )))
    }
    /// For [`Kind::Store`]: refuses rows it cannot store, given their schema (`None`:
    /// unknown), before anything runs (Pig's `StoreFunc.checkSchema`). The default takes
    /// any.
    fn check_schema(&self, _schema: Option<&Schema>) -> Result<(), String> {
        Ok(())
    }
    /// For [`Kind::Store`]: appends the record of one row to `out`, with its line end if
    /// the format has lines. An error stops the run, naming the row; nothing is stored.
    fn format(&self, _row: &Tuple, _out: &mut Vec<u8>) -> Result<(), UdfError> {
        Err(UdfError::new(format!(
            "{} is not a store function",
            Self::NAME
        )))
    }
    /// For [`Kind::Algebraic`]: the partial state of a bag holding one input tuple (the
    /// tuple the function's bag argument would hold), computed before the shuffle.
    fn initial(&self, _tuple: &Bag) -> Result<Value, UdfError> {
        Err(not_algebraic::<Self>())
    }
    /// For [`Kind::Algebraic`]: one state from a bag of states (each alone in its tuple),
    /// in the combiner.
    fn intermediate(&self, _states: &Bag) -> Result<Value, UdfError> {
        Err(not_algebraic::<Self>())
    }
    /// For [`Kind::Algebraic`]: the result from a bag of states (each alone in its tuple),
    /// after the shuffle.
    fn finalize(&self, _states: &Bag) -> Result<Value, UdfError> {
        Err(not_algebraic::<Self>())
    }
}

/// The state of an accumulator ([`Kind::Accumulator`]) for one bag.
///
/// ```ignore
/// struct Longest(Option<String>);
///
/// impl Accumulate for Longest {
///     fn accumulate(&mut self, args: &[Value]) -> Result<(), UdfError> {
///         let [Value::Bag(chunk)] = args else { return Err(UdfError::new("takes a bag")) };
///         for t in chunk.in_memory() { /* keep the longest string seen so far */ }
///         Ok(())
///     }
///     fn value(&mut self) -> Result<Value, UdfError> {
///         Ok(self.0.take().map_or(Value::Null, Value::Chararray))
///     }
/// }
/// ```
pub trait Accumulate: Send {
    /// Takes the next chunk of the bag: the call's arguments, with each bag argument
    /// holding its next tuples, in the bag's order (all of a call's bags advance together;
    /// a shorter bag gives empty chunks). Other arguments are the same at every chunk.
    fn accumulate(&mut self, args: &[Value]) -> Result<(), UdfError>;
    /// The result, after the last chunk.
    fn value(&mut self) -> Result<Value, UdfError>;
}

fn not_algebraic<T: Udf>() -> UdfError {
    UdfError::new(format!("{} is not algebraic", T::NAME))
}

/// How well an argument of type `actual` (`None`: a null value) fits a parameter declared
/// `want` (`None`: any type): 2 exactly, 1 with a cast Pig makes implicitly (an untyped
/// bytearray, a wider number), 0 not at all.
fn fit(want: Option<&PigType>, actual: Option<&PigType>) -> u8 {
    let (Some(want), Some(actual)) = (want, actual) else {
        return 2;
    };
    if want.name() == actual.name() {
        return 2;
    }
    let rank = |t: &PigType| match t {
        PigType::Int => Some(0),
        PigType::Long => Some(1),
        PigType::BigInteger => Some(2),
        PigType::Float => Some(3),
        PigType::Double => Some(4),
        PigType::BigDecimal => Some(5),
        _ => None,
    };
    match (rank(want), rank(actual)) {
        _ if *actual == PigType::Bytearray => 1,
        (Some(w), Some(a)) if a < w => 1,
        _ => 0,
    }
}

/// The overload that fits the argument types best (every argument fits, the most of them
/// exactly; the first such), if any.
pub fn best_overload(sigs: &[Signature], args: &[Option<PigType>]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, s) in sigs.iter().enumerate() {
        if s.args.len() != args.len() {
            continue;
        }
        let fits: Vec<u8> = s
            .args
            .iter()
            .zip(args)
            .map(|(w, a)| fit(w.as_ref(), a.as_ref()))
            .collect();
        if fits.contains(&0) {
            continue;
        }
        let exact = fits.iter().filter(|&&f| f == 2).count();
        if best.is_none_or(|(_, e)| exact > e) {
            best = Some((i, exact));
        }
    }
    best.map(|(i, _)| i)
}

/// The message for argument types no overload takes.
fn no_overload(sigs: &[Signature], args: &[PigType]) -> String {
    let list = |ts: &mut dyn Iterator<Item = String>| ts.collect::<Vec<_>>().join(", ");
    let takes = sigs
        .iter()
        .map(|s| {
            let any = || "any".to_string();
            format!(
                "({})",
                list(
                    &mut s
                        .args
                        .iter()
                        .map(|a| a.as_ref().map_or_else(any, |t| t.to_string()))
                )
            )
        })
        .collect::<Vec<_>>()
        .join(" or ");
    format!(
        "takes {takes}, not ({})",
        list(&mut args.iter().map(|t| t.to_string()))
    )
}

/// Exports the library's functions: its plugin ABI v1 entry points, with every call
/// guarded against panics. Write it once per plugin crate, naming the namespace scripts
/// call the functions under and every function (the names [`eval`] and [`filter`] were
/// put on, and types implementing [`Udf`]). Functions of the same [`Udf::NAME`] are
/// overloads of one function.
///
/// ```ignore
/// pigrs_plugin::export! { namespace: "myudfs", functions: [reverse, is_good, Pad] }
/// ```
#[macro_export]
macro_rules! export {
    (namespace: $ns:expr, functions: [$($f:ty),* $(,)?] $(,)?) => {
        #[cfg(not(panic = "unwind"))]
        compile_error!("a pigrs plugin must be built with panic = \"unwind\" so that its panics become errors");

        /// The plugin ABI version this library speaks (read by pigrs before anything else).
        #[unsafe(no_mangle)]
        pub extern "C" fn pigrs_plugin_abi_version() -> u32 {
            $crate::abi::ABI_VERSION
        }

        /// The plugin ABI v1 function table.
        #[unsafe(no_mangle)]
        pub extern "C" fn pigrs_plugin_v1() -> $crate::abi::PluginV1 {
            $crate::__private::plugin_v1(|| {
                $crate::__private::Library::new(
                    $ns,
                    ::std::vec![$($crate::__private::Function::of::<$f>()),*],
                )
            })
        }
    };
}

#[doc(hidden)]
pub mod __private {
    //! What the macros expand to; not a stable interface.
    pub use crate::shim::{Function, Library, plugin_v1};

    use pigrs_value::func::UdfError;

    /// Refuses constructor arguments for a function that takes none.
    pub fn no_ctor_args(name: &str, args: &[String]) -> Result<(), String> {
        if args.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{name} takes no constructor arguments, got {}",
                args.len()
            ))
        }
    }

    /// The error for a call with the wrong number of arguments.
    pub fn arity(name: &str, want: usize, got: usize) -> UdfError {
        UdfError::new(format!("{name} takes {want} arguments, got {got}"))
    }

    /// The declared output type `text`, parsed.
    pub fn output(name: &str, text: &str) -> Result<pigrs_value::PigType, String> {
        crate::parse_type(text).map_err(|e| format!("{name}: bad output type `{text}`: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(args: &[PigType], out: PigType) -> Signature {
        Signature {
            args: args.iter().cloned().map(Some).collect(),
            output: out,
        }
    }

    #[test]
    fn overloads_prefer_exact_types_then_widening_then_bytearray() {
        let sigs = [
            sig(&[PigType::Int, PigType::Int], PigType::Int),
            sig(&[PigType::Double, PigType::Double], PigType::Double),
            sig(
                &[PigType::Chararray, PigType::Chararray],
                PigType::Chararray,
            ),
        ];
        let pick = |a: &[Option<PigType>]| best_overload(&sigs, a);
        let s = |t: PigType| Some(t);
        assert_eq!(pick(&[s(PigType::Int), s(PigType::Int)]), Some(0));
        assert_eq!(pick(&[s(PigType::Int), s(PigType::Double)]), Some(1));
        assert_eq!(pick(&[s(PigType::Chararray), None]), Some(2));
        assert_eq!(
            pick(&[s(PigType::Bytearray), s(PigType::Bytearray)]),
            Some(0)
        );
        assert_eq!(pick(&[s(PigType::Double), s(PigType::Int)]), Some(1));
        assert_eq!(pick(&[s(PigType::Boolean), s(PigType::Int)]), None);
        assert_eq!(pick(&[s(PigType::Int)]), None);
        let msg = no_overload(&sigs, &[PigType::Boolean]);
        assert_eq!(
            msg,
            "takes (int, int) or (double, double) or (chararray, chararray), not (boolean)"
        );
    }
}
