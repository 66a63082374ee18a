//! Loads pigrs UDF plugins (plugin ABI v1, see `pigrs_plugin::abi`) and wraps their
//! functions as [`EvalFunc`]s, so that the planner and the runtime treat them like
//! built-ins.
//!
//! Loading checks, in order: the file can be read (its sha256 is its identity), the
//! dynamic loader opens it, it exports the ABI version symbol, the version is 1, and its
//! description says it was built for this OS and architecture, with unwinding panics and
//! a codec this pigrs reads. A library is loaded once per process and never unloaded.
//!
//! All `unsafe` code of pigrs is in the `ffi` module of this crate.
#![deny(missing_docs)]

mod ffi;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pigrs_plugin::abi::{self, PluginV1, op, status};
use pigrs_plugin::wire::{self, Descriptor, Failure};
use pigrs_value::codec;
use pigrs_value::func::{Algebraic, BatchError, EvalFunc, RecordFunc, UdfError};
use pigrs_value::{Bag, PigType, Schema, Tuple, Value};
use sha2::{Digest, Sha256};

/// Why a file cannot be registered as a plugin.
#[derive(Debug)]
pub enum LoadError {
    /// The file cannot be read.
    Missing {
        /// The file.
        path: PathBuf,
        /// Why.
        error: std::io::Error,
    },
    /// The file is not a shared library, or not a pigrs plugin.
    NotAPlugin {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The library was built for another plugin ABI version.
    OtherAbi {
        /// The file.
        path: PathBuf,
        /// The version it speaks.
        found: u32,
    },
    /// The library speaks ABI 1 but cannot run here (another platform, panics that abort,
    /// a newer codec) or describes itself wrongly.
    Incompatible {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Missing { path, error } => {
                write!(f, "cannot read plugin {}: {error}", path.display())
            }
            LoadError::NotAPlugin { path, reason } => {
                write!(f, "{} is not a pigrs plugin: {reason}", path.display())
            }
            LoadError::OtherAbi { path, found } => write!(
                f,
                "{} was built for pigrs plugin ABI {found}; this pigrs loads ABI {}",
                path.display(),
                abi::ABI_VERSION
            ),
            LoadError::Incompatible { path, reason } => {
                write!(f, "cannot use plugin {}: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    /// What the user can do about it.
    pub fn help(&self) -> String {
        match self {
            LoadError::Missing { .. } => {
                "a relative path is read from the script's folder; build the plugin with `cargo build --release`".into()
            }
            LoadError::NotAPlugin { .. } => format!(
                "a plugin is a `cdylib` crate that depends on pigrs-plugin and ends with `pigrs_plugin::export!` (it exports {})",
                abi::VERSION_SYMBOL
            ),
            LoadError::OtherAbi { .. } | LoadError::Incompatible { .. } => format!(
                "rebuild the plugin against pigrs-plugin {} (plugin ABI {}) for this machine",
                env!("CARGO_PKG_VERSION"),
                abi::ABI_VERSION
            ),
        }
    }
}

/// A loaded plugin library.
pub struct Library {
    /// The file it was first loaded from.
    pub path: PathBuf,
    /// The sha256 of its bytes, in hex: its identity.
    pub sha256: String,
    /// What it says about itself.
    pub descriptor: Descriptor,
    table: PluginV1,
    /// Kept open for the life of the process: its code may run until the process ends.
    _lib: libloading::Library,
}

impl fmt::Debug for Library {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Library")
            .field("path", &self.path)
            .field("sha256", &self.sha256)
            .field("namespace", &self.descriptor.namespace)
            .finish_non_exhaustive()
    }
}

/// Every library loaded so far; never emptied, so no library is ever unloaded.
static LOADED: Mutex<Vec<Arc<Library>>> = Mutex::new(Vec::new());

/// Loads the plugin at `path`, or finds it already loaded (by content).
pub fn load(path: &Path) -> Result<Arc<Library>, LoadError> {
    let bytes = std::fs::read(path).map_err(|error| LoadError::Missing {
        path: path.to_path_buf(),
        error,
    })?;
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    // The dynamic loader searches its library path for a bare file name: give it the file.
    let path = &std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(lib) = loaded.iter().find(|l| l.sha256 == sha256) {
        return Ok(lib.clone());
    }
    let (lib, table) = ffi::open(path).map_err(|e| match e {
        ffi::OpenError::NotAPlugin(reason) => LoadError::NotAPlugin {
            path: path.to_path_buf(),
            reason,
        },
        ffi::OpenError::OtherAbi(found) => LoadError::OtherAbi {
            path: path.to_path_buf(),
            found,
        },
    })?;
    let incompatible = |reason: String| LoadError::Incompatible {
        path: path.to_path_buf(),
        reason,
    };
    if table.size < std::mem::size_of::<PluginV1>() {
        return Err(incompatible(format!(
            "its function table has {} bytes, fewer than ABI 1's {}",
            table.size,
            std::mem::size_of::<PluginV1>()
        )));
    }
    let mut out = Vec::new();
    let code = ffi::with_io(&[], &mut out, |_, sink| (table.describe)(sink));
    if code != status::OK {
        return Err(incompatible(format!(
            "it cannot describe itself: {}",
            failure(&out).message
        )));
    }
    let descriptor = wire::decode(&out, "description")
        .and_then(|v| Descriptor::from_value(&v))
        .map_err(&incompatible)?;
    check(&descriptor).map_err(incompatible)?;
    let lib = Arc::new(Library {
        path: path.to_path_buf(),
        sha256,
        descriptor,
        table,
        _lib: lib,
    });
    loaded.push(lib.clone());
    Ok(lib)
}

/// Whether a library that describes itself as `d` can run in this process.
fn check(d: &Descriptor) -> Result<(), String> {
    let (os, arch) = (std::env::consts::OS, std::env::consts::ARCH);
    if d.os != os || d.arch != arch {
        return Err(format!(
            "it was built for {}-{}, this is {os}-{arch}",
            d.arch, d.os
        ));
    }
    if !d.panic_unwind {
        return Err("it was built with panic = \"abort\", so a panic in it would end pigrs".into());
    }
    if d.codec_version > abi::CODEC_VERSION {
        return Err(format!(
            "it uses value codec {}, this pigrs reads codec {}",
            d.codec_version,
            abi::CODEC_VERSION
        ));
    }
    Ok(())
}

/// The failure a plugin wrote, or one saying that it wrote none that decodes.
fn failure(bytes: &[u8]) -> Failure {
    wire::decode(bytes, "failure")
        .and_then(|v| Failure::from_value(&v))
        .unwrap_or_else(|e| Failure {
            row: None,
            message: format!("the plugin failed and wrote no valid error ({e})"),
        })
}

impl Library {
    /// The namespace its functions are called under.
    pub fn namespace(&self) -> &str {
        &self.descriptor.namespace
    }

    /// The qualified names of its functions (`myudfs.Reverse`).
    pub fn function_names(&self) -> Vec<String> {
        self.descriptor
            .functions
            .iter()
            .map(|f| format!("{}.{}", self.namespace(), f.name))
            .collect()
    }

    /// A new instance of its function `name` (the name after the namespace) with the
    /// constructor arguments `ctor_args`, to call in expressions; `Ok(None)` when it has no
    /// such function, `Err` when the function refuses the arguments or is a load or store
    /// function.
    pub fn instance(
        self: &Arc<Self>,
        name: &str,
        ctor_args: &[String],
    ) -> Result<Option<Arc<dyn EvalFunc>>, String> {
        let qualified = format!("{}.{name}", self.namespace());
        match self.kind_of(name) {
            None => return Ok(None),
            Some(abi::kind::LOAD) => {
                return Err(format!(
                    "{qualified} is a load function: use it as LOAD 'input' USING {qualified}(...)"
                ));
            }
            Some(abi::kind::STORE) => {
                return Err(format!(
                    "{qualified} is a store function: use it as STORE alias INTO 'output' USING {qualified}(...)"
                ));
            }
            Some(_) => {}
        }
        Ok(self.make(name, ctor_args)?.map(|f| f as Arc<dyn EvalFunc>))
    }

    /// A new instance of its load (`load` true) or store function `name`, with the
    /// constructor arguments `ctor_args`; `Ok(None)` when it has no such function, `Err`
    /// when the function refuses the arguments or is of another kind.
    pub fn record_func(
        self: &Arc<Self>,
        name: &str,
        ctor_args: &[String],
        load: bool,
    ) -> Result<Option<Arc<dyn RecordFunc>>, String> {
        let Some(kind) = self.kind_of(name) else {
            return Ok(None);
        };
        let want = if load {
            abi::kind::LOAD
        } else {
            abi::kind::STORE
        };
        if kind != want {
            let what = if load { "load" } else { "store" };
            return Err(format!(
                "{}.{name} is not a {what} function",
                self.namespace()
            ));
        }
        Ok(self
            .make(name, ctor_args)?
            .map(|f| f as Arc<dyn RecordFunc>))
    }

    /// The kind of its function `name`, if it has one.
    fn kind_of(&self, name: &str) -> Option<u32> {
        self.descriptor
            .functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.kind)
    }

    /// A new instance of its function `name`; `Ok(None)` when it has none.
    fn make(
        self: &Arc<Self>,
        name: &str,
        ctor_args: &[String],
    ) -> Result<Option<Arc<PluginFunc>>, String> {
        let Some(index) = self
            .descriptor
            .functions
            .iter()
            .position(|f| f.name == name)
        else {
            return Ok(None);
        };
        let kind = self.descriptor.functions[index].kind;
        let qualified = format!("{}.{name}", self.namespace());
        if !(abi::kind::EVAL..=abi::kind::STORE).contains(&kind) {
            return Err(format!(
                "{qualified} is a function of kind {kind}, which this pigrs cannot call yet"
            ));
        }
        let args: Tuple = ctor_args.iter().cloned().map(Value::Chararray).collect();
        let input = codec::encode_to_vec(&Value::Tuple(Box::new(args)));
        let mut handle = 0u64;
        let mut out = Vec::new();
        let code = ffi::with_io(&input, &mut out, |source, sink| {
            (self.table.new_instance)(index as u32, source, &mut handle, sink)
        });
        if code != status::OK {
            return Err(failure(&out).message);
        }
        Ok(Some(Arc::new(PluginFunc {
            lib: self.clone(),
            name: qualified,
            kind,
            handle,
        })))
    }

    /// Runs `op` on instance `handle` with `input`; the output bytes, or the failure.
    fn call(&self, handle: u64, op: u32, input: &[u8]) -> Result<Vec<u8>, (u32, Failure)> {
        let mut out = Vec::new();
        let code = ffi::with_io(input, &mut out, |source, sink| {
            (self.table.call)(handle, op, source, sink)
        });
        if code == status::OK {
            Ok(out)
        } else {
            Err((code, failure(&out)))
        }
    }
}

/// How many tuples of a bag an accumulator sees at a time (Pig's
/// `pig.accumulative.batchsize`).
pub const ACCUMULATE_CHUNK: usize = 20_000;

/// A plugin function instance, as pigrs calls it.
pub struct PluginFunc {
    lib: Arc<Library>,
    name: String,
    /// Its kind ([`abi::kind`]).
    kind: u32,
    handle: u64,
}

impl PluginFunc {
    /// The library it comes from.
    pub fn library(&self) -> &Arc<Library> {
        &self.lib
    }
}

impl fmt::Debug for PluginFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PluginFunc({} from {})", self.name, self.lib.sha256)
    }
}

impl Drop for PluginFunc {
    fn drop(&mut self) {
        (self.lib.table.drop_instance)(self.handle);
    }
}

impl EvalFunc for PluginFunc {
    fn name(&self) -> &str {
        &self.name
    }

    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        let types: Tuple = args.iter().map(wire::type_to_value).collect();
        let input = codec::encode_to_vec(&Value::Tuple(Box::new(types)));
        let out = self
            .lib
            .call(self.handle, op::RETURN_TYPE, &input)
            .map_err(|(code, f)| match code {
                status::PANIC => format!("{} {}", self.name, f.message),
                _ => f.message,
            })?;
        wire::decode(&out, "output type").and_then(|v| wire::type_from_value(&v))
    }

    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        if self.kind == abi::kind::ACCUMULATOR {
            return self.accumulate(args);
        }
        let mut out = self
            .eval_batch(std::slice::from_ref(&args.to_vec()))
            .map_err(|e| e.error)?;
        Ok(out.pop().unwrap_or(Value::Null))
    }

    fn eval_batch(&self, rows: &[Tuple]) -> Result<Vec<Value>, BatchError> {
        if self.kind == abi::kind::ACCUMULATOR {
            return rows
                .iter()
                .enumerate()
                .map(|(row, args)| {
                    self.accumulate(args).map_err(|error| BatchError {
                        row: Some(row),
                        error,
                    })
                })
                .collect();
        }
        let mut input = Vec::new();
        codec::encode_bag(rows, &mut input);
        self.eval_bytes(&input, rows.len())
    }

    fn eval_encoded(&self, bag: &[u8], rows: usize) -> Option<Result<Vec<Value>, BatchError>> {
        (self.kind != abi::kind::ACCUMULATOR).then(|| self.eval_bytes(bag, rows))
    }

    fn prefers_batches(&self) -> bool {
        // An accumulator's call is many calls, one per chunk of its bag, row by row.
        self.kind != abi::kind::ACCUMULATOR
    }

    fn is_aggregate(&self) -> bool {
        matches!(self.kind, abi::kind::ALGEBRAIC | abi::kind::ACCUMULATOR)
    }

    fn algebraic(&self) -> Option<&dyn Algebraic> {
        (self.kind == abi::kind::ALGEBRAIC).then_some(self as &dyn Algebraic)
    }
}

impl PluginFunc {
    /// EVAL on `rows` rows encoded as a bag in `input`.
    fn eval_bytes(&self, input: &[u8], rows: usize) -> Result<Vec<Value>, BatchError> {
        self.eval_bytes_op(op::EVAL, input, rows)
    }

    /// `op` (EVAL, PARSE) on `rows` rows encoded as a bag in `input`: one result per row.
    fn eval_bytes_op(&self, op: u32, input: &[u8], rows: usize) -> Result<Vec<Value>, BatchError> {
        let out = self
            .lib
            .call(self.handle, op, input)
            .map_err(|(_, f)| BatchError {
                row: f.row.filter(|&r| r < rows),
                error: UdfError::new(f.message),
            })?;
        let whole = |message: String| BatchError {
            row: None,
            error: UdfError::new(message),
        };
        match wire::decode(&out, "results").map_err(whole)? {
            Value::Tuple(results) if results.len() == rows => Ok(*results),
            Value::Tuple(results) => Err(whole(format!(
                "returned {} results for {} rows",
                results.len(),
                rows
            ))),
            _ => Err(whole("returned results that are not a tuple".into())),
        }
    }

    /// An accumulator's result for one row of arguments: `ACCUMULATE` on each chunk of
    /// [`ACCUMULATE_CHUNK`] tuples of its bag arguments (all advancing together, a spilled
    /// bag read back as it goes), then `GET_VALUE`. A bag is never held whole, by pigrs or by
    /// the plugin.
    fn accumulate(&self, args: &[Value]) -> Result<Value, UdfError> {
        // The state the plugin holds, dropped there (CLEANUP) if this call gives up on it.
        let mut state = LiveState {
            func: self,
            handle: None,
        };
        for chunk in chunks(args, ACCUMULATE_CHUNK) {
            let previous = state.handle.take().unwrap_or(Value::Null);
            let input = Value::Tuple(Box::new(vec![previous, Value::Tuple(Box::new(chunk?))]));
            // A chunk that fails drops its state in the plugin.
            let out = self
                .lib
                .call(self.handle, op::ACCUMULATE, &codec::encode_to_vec(&input))
                .map_err(|(_, f)| UdfError::new(f.message))?;
            match wire::decode(&out, "accumulator state").map_err(UdfError::new)? {
                h @ Value::Long(_) => state.handle = Some(h),
                _ => {
                    return Err(UdfError::new(
                        "returned an accumulator state that is not a long",
                    ));
                }
            }
        }
        // GET_VALUE drops the state, on failure too.
        let handle = state.handle.take().unwrap_or(Value::Null);
        let out = self
            .lib
            .call(self.handle, op::GET_VALUE, &codec::encode_to_vec(&handle))
            .map_err(|(_, f)| UdfError::new(f.message))?;
        wire::decode(&out, "result").map_err(UdfError::new)
    }

    /// Runs the merge `op` on a bag of states; a failure becomes the function's error.
    fn merge(&self, op: u32, states: &[Tuple]) -> Result<Value, UdfError> {
        let mut input = Vec::new();
        codec::encode_bag(states, &mut input);
        let out = self
            .lib
            .call(self.handle, op, &input)
            .map_err(|(_, f)| UdfError::new(f.message))?;
        wire::decode(&out, "result").map_err(UdfError::new)
    }
}

impl RecordFunc for PluginFunc {
    fn name(&self) -> &str {
        &self.name
    }

    fn is_loader(&self) -> bool {
        self.kind == abi::kind::LOAD
    }

    fn load_schema(&self) -> Result<Option<Schema>, String> {
        let input = codec::encode_to_vec(&Value::Tuple(Box::default()));
        let out = self
            .lib
            .call(self.handle, op::LOAD_SCHEMA, &input)
            .map_err(|(_, f)| f.message)?;
        match wire::decode(&out, "schema")? {
            Value::Null => Ok(None),
            t => match wire::type_from_value(&t)? {
                PigType::Tuple(s) => Ok(s),
                other => Err(format!("declared records of type {other}, not tuples")),
            },
        }
    }

    fn parse(&self, lines: &[&[u8]]) -> Result<Vec<Option<Tuple>>, BatchError> {
        // A bag of one-field tuples, encoded straight from the lines.
        let mut input = Vec::with_capacity(lines.iter().map(|l| l.len() + 8).sum());
        codec::encode_bag_start(lines.len(), &mut input);
        for line in lines {
            codec::encode_bag_tuple_start(1, &mut input);
            codec::encode_bytearray(line, &mut input);
        }
        let values = self.eval_bytes_op(op::PARSE, &input, lines.len())?;
        values
            .into_iter()
            .enumerate()
            .map(|(row, v)| match v {
                Value::Null => Ok(None),
                Value::Tuple(t) => Ok(Some(*t)),
                other => Err(BatchError {
                    row: Some(row),
                    error: UdfError::new(format!("gave {other}, which is not a tuple")),
                }),
            })
            .collect()
    }

    fn check_schema(&self, schema: Option<&Schema>) -> Result<(), String> {
        let input = match schema {
            Some(s) => wire::type_to_value(&PigType::Tuple(Some(s.clone()))),
            None => Value::Null,
        };
        self.lib
            .call(self.handle, op::CHECK_SCHEMA, &codec::encode_to_vec(&input))
            .map(drop)
            .map_err(|(_, f)| f.message)
    }

    fn format(&self, rows: &[Tuple]) -> Result<Vec<u8>, BatchError> {
        let mut input = Vec::new();
        codec::encode_bag(rows, &mut input);
        let out = self
            .lib
            .call(self.handle, op::FORMAT, &input)
            .map_err(|(_, f)| BatchError {
                row: f.row.filter(|&r| r < rows.len()),
                error: UdfError::new(f.message),
            })?;
        match wire::decode(&out, "records") {
            Ok(Value::Bytearray(b)) => Ok(b),
            Ok(_) => Err(BatchError {
                row: None,
                error: UdfError::new("returned records that are not a bytearray"),
            }),
            Err(e) => Err(BatchError {
                row: None,
                error: UdfError::new(e),
            }),
        }
    }
}

/// The chunks an accumulator sees of a call's arguments `args`: the arguments with each bag
/// replaced by its next `size` tuples, all bags advancing together, while any bag has
/// tuples left; one chunk of the arguments as they are when no bag has any. A spilled bag is
/// read back as the chunks are taken.
fn chunks(args: &[Value], size: usize) -> impl Iterator<Item = Result<Tuple, UdfError>> + '_ {
    let mut bags: Vec<(usize, pigrs_value::bag::BagIter<'_>)> = args
        .iter()
        .enumerate()
        .filter_map(|(i, a)| match a {
            Value::Bag(b) => Some((i, b.iter())),
            _ => None,
        })
        .collect();
    let mut first = true;
    std::iter::from_fn(move || {
        let mut chunk: Tuple = args.to_vec();
        let mut more = false;
        for (i, tuples) in &mut bags {
            let mut part = Vec::new();
            for t in tuples.by_ref().take(size) {
                match t {
                    Ok(t) => part.push(t.into_owned()),
                    Err(e) => return Some(Err(e.into())),
                }
            }
            more |= !part.is_empty();
            chunk[*i] = Value::Bag(Box::new(Bag::from(part)));
        }
        let give = more || first;
        first = false;
        give.then_some(Ok(chunk))
    })
}

/// An accumulator state held by the plugin: dropped there (`CLEANUP`) unless the call
/// hands it on.
struct LiveState<'a> {
    func: &'a PluginFunc,
    handle: Option<Value>,
}

impl Drop for LiveState<'_> {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            // Nothing to report: the call already fails with the reason it gave up.
            let _ = self
                .func
                .lib
                .call(self.func.handle, op::CLEANUP, &codec::encode_to_vec(&h));
        }
    }
}

impl Algebraic for PluginFunc {
    fn initial(&self, bag: &Bag) -> Result<Value, UdfError> {
        let mut states = self.initial_batch(&bag.tuples()?)?;
        match states.len() {
            1 => Ok(states.pop().unwrap_or(Value::Null)),
            _ => self.intermediate(&states.into_iter().map(|s| vec![s]).collect::<Bag>()),
        }
    }

    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        self.merge(op::INTERMEDIATE, &states.tuples()?)
    }

    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        self.merge(op::FINAL, &states.tuples()?)
    }

    fn initial_batch(&self, rows: &[Tuple]) -> Result<Vec<Value>, UdfError> {
        let mut input = Vec::new();
        codec::encode_bag(rows, &mut input);
        let out = self
            .lib
            .call(self.handle, op::INITIAL, &input)
            .map_err(|(_, f)| UdfError::new(f.message))?;
        match wire::decode(&out, "partial states").map_err(UdfError::new)? {
            Value::Tuple(states) if states.len() == rows.len() => Ok(*states),
            _ => Err(UdfError::new(format!(
                "returned other than one partial state for each of {} rows",
                rows.len()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn here() -> Descriptor {
        Descriptor {
            codec_version: abi::CODEC_VERSION,
            sdk_version: "0.1.0".into(),
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            panic_unwind: true,
            namespace: "myudfs".into(),
            functions: vec![],
        }
    }

    #[test]
    fn libraries_that_cannot_run_here_are_refused() {
        assert_eq!(check(&here()), Ok(()));
        let other_arch = Descriptor {
            arch: "riscv64".into(),
            ..here()
        };
        assert!(
            check(&other_arch)
                .unwrap_err()
                .contains("built for riscv64-")
        );
        let aborts = Descriptor {
            panic_unwind: false,
            ..here()
        };
        assert!(check(&aborts).unwrap_err().contains("panic = \"abort\""));
        let newer_codec = Descriptor {
            codec_version: abi::CODEC_VERSION + 1,
            ..here()
        };
        assert!(check(&newer_codec).unwrap_err().contains("value codec 2"));
    }

    #[test]
    fn accumulator_chunks_advance_bags_together() {
        let bag = |n: i32| {
            Value::Bag(Box::new(
                (0..n).map(|i| vec![Value::Int(i)]).collect::<Bag>(),
            ))
        };
        let sizes = |args: &[Value]| -> Vec<Vec<usize>> {
            chunks(args, 4)
                .map(|c| {
                    c.expect("chunk")
                        .iter()
                        .map(|v| match v {
                            Value::Bag(b) => b.len(),
                            _ => usize::MAX,
                        })
                        .collect()
                })
                .collect()
        };
        assert_eq!(sizes(&[bag(10)]), [[4], [4], [2]]);
        assert_eq!(
            sizes(&[bag(6), Value::Int(7), bag(2)]),
            [[4, usize::MAX, 2], [2, usize::MAX, 0]]
        );
        // No tuples, or no bag at all: one call still.
        assert_eq!(sizes(&[bag(0)]), [[0]]);
        assert_eq!(sizes(&[Value::Null]), [[usize::MAX]]);
        // The tuples keep their order across chunks.
        let all: Vec<Value> = chunks(&[bag(9)], 4)
            .flat_map(|c| match c.expect("chunk").pop() {
                Some(Value::Bag(b)) => b.into_tuples().expect("tuples"),
                _ => vec![],
            })
            .flatten()
            .collect();
        assert_eq!(all, (0..9).map(Value::Int).collect::<Vec<_>>());
    }

    #[test]
    fn malformed_failures_are_reported_as_such() {
        assert!(failure(&[0xff]).message.contains("wrote no valid error"));
        let f = Failure {
            row: Some(3),
            message: "boom".into(),
        };
        assert_eq!(failure(&codec::encode_to_vec(&f.to_value())), f);
    }

    #[test]
    fn a_file_that_is_not_a_library_is_not_a_plugin() {
        let dir = std::env::temp_dir().join(format!("pigrs-host-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let text = dir.join("libtext.so");
        std::fs::write(&text, "not a library\n").expect("write");
        let err = load(&text).expect_err("refused");
        assert!(matches!(err, LoadError::NotAPlugin { .. }), "{err}");
        let missing = load(&dir.join("libmissing.so")).expect_err("refused");
        assert!(matches!(missing, LoadError::Missing { .. }), "{missing}");
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
