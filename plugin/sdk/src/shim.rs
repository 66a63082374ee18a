//! The plugin side of ABI v1: the entry points [`crate::export!`] exports, the table of live
//! instances, and the guard that turns every panic into an error.
//!
//! Instances live in a table indexed by handle, so that no pointer to plugin memory ever
//! reaches the host; the host's bytes are copied in through a [`Source`] and results copied
//! out through a [`Sink`], so the library needs no `unsafe` at all.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, Once, OnceLock};

use pigrs_value::codec;
use pigrs_value::func::UdfError;
use pigrs_value::{Bag, PigType, Schema, Tuple, Value};

use crate::abi::{self, PluginV1, Sink, Source, status};
use crate::wire::{self, Descriptor, Failure, FunctionInfo, Signature};
use crate::{Accumulate, Kind, Udf, best_overload};

/// A [`Udf`] behind a pointer, whatever its type.
trait Erased: Send + Sync {
    fn output_type(&self, args: &[PigType]) -> Result<PigType, String>;
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError>;
    fn initial(&self, tuple: &Bag) -> Result<Value, UdfError>;
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError>;
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError>;
    fn accumulator(&self) -> Result<Box<dyn Accumulate>, UdfError>;
    fn load_schema(&self) -> Result<Option<Schema>, String>;
    fn parse(&self, line: &[u8]) -> Result<Option<Tuple>, UdfError>;
    fn check_schema(&self, schema: Option<&Schema>) -> Result<(), String>;
    fn format(&self, row: &Tuple, out: &mut Vec<u8>) -> Result<(), UdfError>;
}

impl<T: Udf> Erased for T {
    fn output_type(&self, args: &[PigType]) -> Result<PigType, String> {
        Udf::output_type(self, args)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        Udf::eval(self, args)
    }
    fn initial(&self, tuple: &Bag) -> Result<Value, UdfError> {
        Udf::initial(self, tuple)
    }
    fn intermediate(&self, states: &Bag) -> Result<Value, UdfError> {
        Udf::intermediate(self, states)
    }
    fn finalize(&self, states: &Bag) -> Result<Value, UdfError> {
        Udf::finalize(self, states)
    }
    fn accumulator(&self) -> Result<Box<dyn Accumulate>, UdfError> {
        Udf::accumulator(self)
    }
    fn load_schema(&self) -> Result<Option<Schema>, String> {
        Udf::load_schema(self)
    }
    fn parse(&self, line: &[u8]) -> Result<Option<Tuple>, UdfError> {
        Udf::parse(self, line)
    }
    fn check_schema(&self, schema: Option<&Schema>) -> Result<(), String> {
        Udf::check_schema(self, schema)
    }
    fn format(&self, row: &Tuple, out: &mut Vec<u8>) -> Result<(), UdfError> {
        Udf::format(self, row, out)
    }
}

type Make = fn(&[String]) -> Result<Arc<dyn Erased>, String>;

/// One implementation of a function, as [`crate::export!`] lists it.
pub struct Function {
    name: &'static str,
    kind: Kind,
    signatures: fn() -> Result<Vec<Signature>, String>,
    make: Make,
}

impl Function {
    /// The function `T` implements.
    pub fn of<T: Udf>() -> Self {
        Function {
            name: T::NAME,
            kind: T::KIND,
            signatures: T::signatures,
            make: |args| T::new(args).map(|f| Arc::new(f) as Arc<dyn Erased>),
        }
    }
}

/// An exported function: one or more implementations (overloads) of one name.
struct Exported {
    /// Each implementation with the overloads it declares.
    variants: Vec<(Make, Vec<Signature>)>,
}

/// The library's description and functions, or why they are invalid.
pub struct Library(Result<(Descriptor, Vec<Exported>), String>);

impl Library {
    /// The library of the functions `fns` under `namespace`.
    pub fn new(namespace: &str, fns: Vec<Function>) -> Self {
        Library(Self::build(namespace, fns))
    }

    fn build(namespace: &str, fns: Vec<Function>) -> Result<(Descriptor, Vec<Exported>), String> {
        if namespace.is_empty() || namespace.contains(|c: char| c.is_whitespace() || c == '\'') {
            return Err(format!("invalid namespace `{namespace}`"));
        }
        let mut infos: Vec<FunctionInfo> = Vec::new();
        let mut exported: Vec<Exported> = Vec::new();
        for f in fns {
            let sigs = (f.signatures)().map_err(|e| format!("{}: {e}", f.name))?;
            match infos.iter().position(|i| i.name == f.name) {
                None => {
                    infos.push(FunctionInfo {
                        name: f.name.to_string(),
                        kind: f.kind.code(),
                        signatures: sigs.clone(),
                    });
                    exported.push(Exported {
                        variants: vec![(f.make, sigs)],
                    });
                }
                Some(i) => {
                    if infos[i].kind != f.kind.code() {
                        return Err(format!("{}: overloads of different kinds", f.name));
                    }
                    if !matches!(f.kind, Kind::Eval | Kind::Filter) {
                        return Err(format!(
                            "{}: only eval and filter functions have overloads",
                            f.name
                        ));
                    }
                    if sigs.is_empty() || infos[i].signatures.is_empty() {
                        return Err(format!(
                            "{}: exported twice; overloads must declare their argument types",
                            f.name
                        ));
                    }
                    infos[i].signatures.extend(sigs.iter().cloned());
                    exported[i].variants.push((f.make, sigs));
                }
            }
        }
        let descriptor = Descriptor {
            codec_version: abi::CODEC_VERSION,
            sdk_version: env!("CARGO_PKG_VERSION").to_string(),
            os: std::env::consts::OS.to_string(),
            arch: std::env::consts::ARCH.to_string(),
            panic_unwind: cfg!(panic = "unwind"),
            namespace: namespace.to_string(),
            functions: infos,
        };
        Ok((descriptor, exported))
    }
}

/// A live instance: one per implementation of the function.
struct Instance {
    name: String,
    /// The overloads of all implementations, and for each the implementation it belongs to.
    signatures: Vec<Signature>,
    owner: Vec<usize>,
    impls: Vec<Arc<dyn Erased>>,
    /// The implementation the last `RETURN_TYPE` chose: pigrs makes an instance per call
    /// site and types it once, so every row of that call runs the overload whose output
    /// type the plan declared, whatever the types of a row's values (nulls, untyped bytes).
    chosen: Mutex<Option<usize>>,
}

impl Instance {
    /// The implementation for these argument types (`None`: a null), or why none fits.
    fn pick(&self, args: &[Option<PigType>]) -> Result<usize, String> {
        if self.impls.len() == 1 {
            return Ok(0);
        }
        let i = best_overload(&self.signatures, args).ok_or_else(|| {
            let types: Vec<PigType> = args
                .iter()
                .map(|a| a.clone().unwrap_or(PigType::Bytearray))
                .collect();
            crate::no_overload(&self.signatures, &types)
        })?;
        Ok(self.owner[i])
    }

    /// The implementation chosen when the call was typed, if it was.
    fn chosen(&self) -> Option<usize> {
        *self.chosen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The implementation of a function that has no overloads (an algebraic function or an
    /// accumulator).
    fn single(&self) -> Result<&dyn Erased, String> {
        match self.impls.as_slice() {
            [f] => Ok(&**f),
            _ => Err(format!("{} has overloads", self.name)),
        }
    }

    fn output_type(&self, args: &[PigType]) -> Result<PigType, String> {
        let types: Vec<Option<PigType>> = args.iter().cloned().map(Some).collect();
        let i = self.pick(&types)?;
        let t = self.impls[i].output_type(args)?;
        *self.chosen.lock().unwrap_or_else(|p| p.into_inner()) = Some(i);
        Ok(t)
    }

    /// Evaluates a row with implementation `chosen`, or else the one that fits the
    /// values' types.
    fn eval(&self, args: &[Value], chosen: Option<usize>) -> Result<Value, UdfError> {
        let i = match chosen {
            Some(i) => i,
            None => {
                let types: Vec<Option<PigType>> = args.iter().map(Value::pig_type).collect();
                self.pick(&types).map_err(UdfError::new)?
            }
        };
        self.impls[i].eval(args)
    }
}

static INIT: OnceLock<fn() -> Library> = OnceLock::new();
static LIBRARY: OnceLock<Library> = OnceLock::new();
static INSTANCES: Mutex<Vec<Option<Arc<Instance>>>> = Mutex::new(Vec::new());
/// A slot of the accumulators' state table.
enum Slot {
    Free,
    /// Taken out while a chunk runs (so that other bags' chunks run meanwhile).
    Busy,
    Ready(Box<dyn Accumulate>),
}

/// The accumulators' states, by handle (see [`abi::op::ACCUMULATE`]).
static STATES: Mutex<Vec<Slot>> = Mutex::new(Vec::new());

fn states() -> std::sync::MutexGuard<'static, Vec<Slot>> {
    STATES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Stores a new state; its handle.
fn new_state(state: Box<dyn Accumulate>) -> Value {
    let mut table = states();
    let slot = match table.iter().position(|s| matches!(s, Slot::Free)) {
        Some(s) => s,
        None => {
            table.push(Slot::Free);
            table.len() - 1
        }
    };
    table[slot] = Slot::Ready(state);
    Value::Long(slot as i64 + 1)
}

/// The slot of a state handle.
fn slot_of(handle: &Value) -> Result<usize, Failed> {
    match handle {
        Value::Long(h) if *h >= 1 => {
            usize::try_from(h - 1).map_err(|_| Failed::error(format!("no accumulator state {h}")))
        }
        other => Err(Failed::error(format!(
            "{other} is not an accumulator state"
        ))),
    }
}

/// Takes the state of `handle` out for a call; [`put_state`] or [`free_state`] follows.
fn take_state(handle: &Value) -> Result<Box<dyn Accumulate>, Failed> {
    let slot = slot_of(handle)?;
    let mut table = states();
    match table
        .get_mut(slot)
        .map(|s| std::mem::replace(s, Slot::Busy))
    {
        Some(Slot::Ready(state)) => Ok(state),
        Some(other) => {
            table[slot] = other;
            Err(Failed::error(format!(
                "accumulator state {handle} is not ready"
            )))
        }
        None => Err(Failed::error(format!("no accumulator state {handle}"))),
    }
}

/// Puts a state taken out back under its handle.
fn put_state(handle: &Value, state: Box<dyn Accumulate>) {
    if let (Ok(slot), mut table) = (slot_of(handle), states())
        && let Some(s) = table.get_mut(slot)
    {
        *s = Slot::Ready(state);
    }
}

/// Frees a state's slot.
fn free_state(handle: &Value) {
    if let (Ok(slot), mut table) = (slot_of(handle), states())
        && let Some(s) = table.get_mut(slot)
    {
        *s = Slot::Free;
    }
}

fn library() -> Result<&'static (Descriptor, Vec<Exported>), String> {
    let init = INIT.get().ok_or("the library was not initialized")?;
    LIBRARY.get_or_init(init).0.as_ref().map_err(Clone::clone)
}

/// The ABI v1 table of the library `init` builds (it is built at the first call).
pub fn plugin_v1(init: fn() -> Library) -> PluginV1 {
    let _ = INIT.set(init);
    PluginV1 {
        size: std::mem::size_of::<PluginV1>(),
        describe,
        new_instance,
        drop_instance,
        call,
    }
}

fn read(src: &Source) -> Vec<u8> {
    let mut buf = vec![0u8; src.len];
    (src.read)(src.ctx, buf.as_mut_ptr(), buf.len());
    buf
}

fn write(out: &Sink, bytes: &[u8]) {
    (out.write)(out.ctx, bytes.as_ptr(), bytes.len());
}

thread_local! {
    /// Where the last panic on this thread happened, as the panic hook saw it.
    static PANIC_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs (once) a panic hook that records where a panic happened and prints nothing,
/// unless `PIGRS_PLUGIN_DEBUG` is set: the error pigrs reports carries the message. The
/// hook is this library's own (a cdylib has its own copy of std), not pigrs's.
fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let at = info.location().map(|l| l.to_string());
            PANIC_LOCATION.with(|l| *l.borrow_mut() = at);
            if std::env::var_os("PIGRS_PLUGIN_DEBUG").is_some() {
                previous(info);
            }
        }));
    });
}

/// "panicked at FILE:LINE:COL: MESSAGE", like Rust's own report.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with no message".into());
    match PANIC_LOCATION.with(|l| l.borrow_mut().take()) {
        Some(at) => format!("panicked at {at}: {msg}"),
        None => format!("panicked: {msg}"),
    }
}

/// A failed entry point: its status and failure.
struct Failed(u32, Failure);

impl Failed {
    fn error(message: impl Into<String>) -> Self {
        Failed(
            status::ERROR,
            Failure {
                row: None,
                message: message.into(),
            },
        )
    }
}

/// Runs an entry point: writes its output, or its failure, to `out`; a panic anywhere in
/// it becomes [`status::PANIC`].
fn guarded(out: &Sink, f: impl FnOnce() -> Result<Vec<u8>, Failed>) -> u32 {
    quiet_panics();
    let result = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        Err(Failed(
            status::PANIC,
            Failure {
                row: None,
                message: panic_message(&*p),
            },
        ))
    });
    match result {
        Ok(bytes) => {
            write(out, &bytes);
            status::OK
        }
        Err(Failed(code, failure)) => {
            write(out, &codec::encode_to_vec(&failure.to_value()));
            code
        }
    }
}

extern "C" fn describe(out: &Sink) -> u32 {
    guarded(out, || {
        let (d, _) = library().map_err(Failed::error)?;
        Ok(codec::encode_to_vec(&d.to_value()))
    })
}

extern "C" fn new_instance(func: u32, ctor_args: &Source, handle: &mut u64, out: &Sink) -> u32 {
    guarded(out, || {
        let (d, exported) = library().map_err(Failed::error)?;
        let i = func as usize;
        let (Some(info), Some(f)) = (d.functions.get(i), exported.get(i)) else {
            return Err(Failed::error(format!("no function number {func}")));
        };
        let args = match wire::decode(&read(ctor_args), "constructor arguments") {
            Ok(Value::Tuple(t)) => t
                .iter()
                .map(|a| match a {
                    Value::Chararray(s) => Ok(s.clone()),
                    _ => Err(Failed::error("a constructor argument is not a chararray")),
                })
                .collect::<Result<Vec<_>, _>>()?,
            Ok(_) => return Err(Failed::error("constructor arguments are not a tuple")),
            Err(e) => return Err(Failed::error(e)),
        };
        let mut instance = Instance {
            name: info.name.clone(),
            signatures: Vec::new(),
            owner: Vec::new(),
            impls: Vec::new(),
            chosen: Mutex::new(None),
        };
        for (k, (make, sigs)) in f.variants.iter().enumerate() {
            instance.impls.push(make(&args).map_err(Failed::error)?);
            instance.signatures.extend(sigs.iter().cloned());
            instance.owner.extend(std::iter::repeat_n(k, sigs.len()));
        }
        let mut table = INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
        let slot = match table.iter().position(Option::is_none) {
            Some(s) => s,
            None => {
                table.push(None);
                table.len() - 1
            }
        };
        table[slot] = Some(Arc::new(instance));
        *handle = slot as u64 + 1;
        Ok(Vec::new())
    })
}

fn instance(handle: u64) -> Option<Arc<Instance>> {
    let table = INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
    let slot = usize::try_from(handle.checked_sub(1)?).ok()?;
    table.get(slot).cloned().flatten()
}

extern "C" fn drop_instance(handle: u64) {
    // Dropping the instance runs the author's Drop, which may panic.
    let _ = catch_unwind(|| {
        let mut table = INSTANCES.lock().unwrap_or_else(|p| p.into_inner());
        let slot = handle.checked_sub(1).and_then(|h| usize::try_from(h).ok());
        if let Some(entry) = slot.and_then(|s| table.get_mut(s)) {
            let dropped = entry.take();
            drop(table);
            drop(dropped);
        }
    });
}

/// Runs `f` on each row, in order, writing into `out`; the first row that fails or panics
/// fails the call, naming the row.
fn each_row(
    rows: &[Vec<Value>],
    out: &mut Vec<u8>,
    f: impl Fn(&Vec<Value>, &mut Vec<u8>) -> Result<(), UdfError>,
) -> Result<(), Failed> {
    for (i, row) in rows.iter().enumerate() {
        let failed = |code, message| {
            Failed(
                code,
                Failure {
                    row: Some(i),
                    message,
                },
            )
        };
        match catch_unwind(AssertUnwindSafe(|| f(row, &mut *out))) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(failed(status::ERROR, e.to_string())),
            Err(p) => return Err(failed(status::PANIC, panic_message(&*p))),
        }
    }
    Ok(())
}

/// `f` of each row, in order, as a tuple of results; the first row that fails or panics
/// fails the call, naming the row.
fn rows_each(
    rows: &[Vec<Value>],
    f: impl Fn(&Vec<Value>) -> Result<Value, UdfError>,
) -> Result<Vec<u8>, Failed> {
    let mut bytes = Vec::new();
    codec::encode_tuple_header(rows.len(), &mut bytes);
    each_row(rows, &mut bytes, |row, out| {
        codec::encode(&f(row)?, out);
        Ok(())
    })?;
    Ok(bytes)
}

extern "C" fn call(handle: u64, op: u32, input: &Source, out: &Sink) -> u32 {
    guarded(out, || {
        let f = instance(handle).ok_or_else(|| Failed::error(format!("no instance {handle}")))?;
        let input = wire::decode(&read(input), "input").map_err(Failed::error)?;
        match op {
            abi::op::EVAL => {
                let Value::Bag(rows) = input else {
                    return Err(Failed::error("the input of EVAL is not a bag"));
                };
                let chosen = f.chosen();
                rows_each(rows.in_memory(), |row| f.eval(row, chosen))
            }
            abi::op::INITIAL => {
                let Value::Bag(rows) = input else {
                    return Err(Failed::error("the input of INITIAL is not a bag"));
                };
                let f = f.single().map_err(Failed::error)?;
                rows_each(rows.in_memory(), |row| {
                    f.initial(&Bag::from(vec![row.clone()]))
                })
            }
            abi::op::INTERMEDIATE | abi::op::FINAL => {
                let Value::Bag(states) = input else {
                    return Err(Failed::error("the input of a merge is not a bag"));
                };
                let f = f.single().map_err(Failed::error)?;
                let v = if op == abi::op::FINAL {
                    f.finalize(&states)
                } else {
                    f.intermediate(&states)
                };
                Ok(codec::encode_to_vec(
                    &v.map_err(|e| Failed::error(e.to_string()))?,
                ))
            }
            abi::op::ACCUMULATE => {
                let Value::Tuple(input) = input else {
                    return Err(Failed::error("the input of ACCUMULATE is not a tuple"));
                };
                let (state, args) = match input.as_slice() {
                    [state, Value::Tuple(args)] => (state, args),
                    _ => {
                        return Err(Failed::error(
                            "the input of ACCUMULATE is not (state, args)",
                        ));
                    }
                };
                let f = f.single().map_err(Failed::error)?;
                let (handle, mut acc) = match state {
                    Value::Null => (
                        None,
                        f.accumulator().map_err(|e| Failed::error(e.to_string()))?,
                    ),
                    h => (Some(h.clone()), take_state(h)?),
                };
                // On failure or panic the state is dropped (its slot freed by the guard).
                struct Freed<'a>(Option<&'a Value>);
                impl Drop for Freed<'_> {
                    fn drop(&mut self) {
                        if let Some(h) = self.0 {
                            free_state(h);
                        }
                    }
                }
                let guard = Freed(handle.as_ref());
                acc.accumulate(args)
                    .map_err(|e| Failed::error(e.to_string()))?;
                std::mem::forget(guard);
                let handle = match handle {
                    Some(h) => {
                        put_state(&h, acc);
                        h
                    }
                    None => new_state(acc),
                };
                Ok(codec::encode_to_vec(&handle))
            }
            abi::op::GET_VALUE => {
                let mut acc = take_state(&input)?;
                free_state(&input);
                let v = acc.value().map_err(|e| Failed::error(e.to_string()))?;
                Ok(codec::encode_to_vec(&v))
            }
            abi::op::CLEANUP => {
                let acc = take_state(&input)?;
                free_state(&input);
                drop(acc);
                Ok(codec::encode_to_vec(&Value::Tuple(Box::default())))
            }
            abi::op::LOAD_SCHEMA => {
                let f = f.single().map_err(Failed::error)?;
                let schema = f.load_schema().map_err(Failed::error)?;
                Ok(codec::encode_to_vec(&match schema {
                    Some(s) => wire::type_to_value(&PigType::Tuple(Some(s))),
                    None => Value::Null,
                }))
            }
            abi::op::PARSE => {
                let Value::Bag(lines) = input else {
                    return Err(Failed::error("the input of PARSE is not a bag"));
                };
                let f = f.single().map_err(Failed::error)?;
                rows_each(lines.in_memory(), |line| match line.first() {
                    Some(Value::Bytearray(b)) => Ok(f
                        .parse(b)?
                        .map_or(Value::Null, |t| Value::Tuple(Box::new(t)))),
                    _ => Err(UdfError::new("a line is not a bytearray")),
                })
            }
            abi::op::CHECK_SCHEMA => {
                let f = f.single().map_err(Failed::error)?;
                let schema = match &input {
                    Value::Null => None,
                    t => match wire::type_from_value(t).map_err(Failed::error)? {
                        PigType::Tuple(s) => s,
                        other => return Err(Failed::error(format!("{other} is not a row type"))),
                    },
                };
                f.check_schema(schema.as_ref()).map_err(Failed::error)?;
                Ok(codec::encode_to_vec(&Value::Tuple(Box::default())))
            }
            abi::op::FORMAT => {
                let Value::Bag(rows) = input else {
                    return Err(Failed::error("the input of FORMAT is not a bag"));
                };
                let f = f.single().map_err(Failed::error)?;
                let mut out = Vec::new();
                each_row(rows.in_memory(), &mut out, |row, out| f.format(row, out))?;
                Ok(codec::encode_to_vec(&Value::Bytearray(out)))
            }
            abi::op::RETURN_TYPE => {
                let Value::Tuple(types) = input else {
                    return Err(Failed::error("the input of RETURN_TYPE is not a tuple"));
                };
                let types = types
                    .iter()
                    .map(wire::type_from_value)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(Failed::error)?;
                let t = f.output_type(&types).map_err(Failed::error)?;
                Ok(codec::encode_to_vec(&wire::type_to_value(&t)))
            }
            other => Err(Failed::error(format!(
                "{} has no operation {other}",
                f.name
            ))),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two overloads of one function, telling which ran.
    struct IntF;
    struct DoubleF;

    macro_rules! overload {
        ($t:ident, $arg:expr, $tag:literal) => {
            impl Udf for $t {
                const NAME: &'static str = "F";
                fn new(_: &[String]) -> Result<Self, String> {
                    Ok($t)
                }
                fn signatures() -> Result<Vec<Signature>, String> {
                    Ok(vec![Signature {
                        args: vec![Some($arg)],
                        output: $arg,
                    }])
                }
                fn eval(&self, _: &[Value]) -> Result<Value, UdfError> {
                    Ok(Value::Chararray($tag.into()))
                }
            }
        };
    }
    overload!(IntF, PigType::Int, "int");
    overload!(DoubleF, PigType::Double, "double");

    fn instance() -> Instance {
        let lib = Library::new("t", vec![Function::of::<IntF>(), Function::of::<DoubleF>()]);
        let (d, exported) = lib.0.expect("valid");
        assert_eq!(d.functions.len(), 1);
        let mut inst = Instance {
            name: "F".into(),
            signatures: Vec::new(),
            owner: Vec::new(),
            impls: Vec::new(),
            chosen: Mutex::new(None),
        };
        for (k, (make, sigs)) in exported[0].variants.iter().enumerate() {
            inst.impls.push(make(&[]).expect("made"));
            inst.signatures.extend(sigs.iter().cloned());
            inst.owner.extend(std::iter::repeat_n(k, sigs.len()));
        }
        inst
    }

    #[test]
    fn rows_run_the_overload_the_call_was_typed_with() {
        let f = instance();
        let ran = |v: Value| match f.eval(&[v], f.chosen()).expect("evaluates") {
            Value::Chararray(s) => s,
            other => panic!("{other:?}"),
        };
        // Untyped: each row by its values' types (a null fits both: the first).
        assert_eq!(ran(Value::Null), "int");
        assert_eq!(ran(Value::Double(1.0)), "double");
        // Typed as double: every row, null or not, runs the double overload.
        assert_eq!(f.output_type(&[PigType::Double]), Ok(PigType::Double));
        assert_eq!(ran(Value::Null), "double");
        assert_eq!(ran(Value::Int(1)), "double");
    }

    struct Count(i64);

    impl Accumulate for Count {
        fn accumulate(&mut self, _args: &[Value]) -> Result<(), UdfError> {
            self.0 += 1;
            Ok(())
        }
        fn value(&mut self) -> Result<Value, UdfError> {
            Ok(Value::Long(self.0))
        }
    }

    #[test]
    fn accumulator_states_are_taken_out_while_in_use_and_freed_after() {
        let a = new_state(Box::new(Count(0)));
        let b = new_state(Box::new(Count(10)));
        assert_ne!(a, b);
        let mut taken = take_state(&a).ok().expect("ready");
        // In use: neither taken again nor reused by a new state.
        assert!(take_state(&a).is_err());
        let c = new_state(Box::new(Count(20)));
        assert_ne!(c, a);
        taken.accumulate(&[]).expect("accumulates");
        put_state(&a, taken);
        let mut again = take_state(&a).ok().expect("ready again");
        assert_eq!(again.value().ok(), Some(Value::Long(1)));
        free_state(&a);
        assert!(take_state(&a).is_err());
        // A freed slot is reused.
        let d = new_state(Box::new(Count(0)));
        assert_eq!(d, a);
        assert!(take_state(&Value::Int(1)).is_err());
        assert!(take_state(&Value::Long(0)).is_err());
        for h in [b, c, d] {
            free_state(&h);
        }
    }

    #[test]
    fn invalid_libraries_say_why() {
        assert!(Library::new("my udfs", vec![]).0.is_err());
        struct Other;
        impl Udf for Other {
            const NAME: &'static str = "F";
            const KIND: Kind = Kind::Filter;
            fn new(_: &[String]) -> Result<Self, String> {
                Ok(Other)
            }
            fn eval(&self, _: &[Value]) -> Result<Value, UdfError> {
                Ok(Value::Null)
            }
        }
        let mixed = Library::new("t", vec![Function::of::<IntF>(), Function::of::<Other>()]);
        assert_eq!(
            mixed.0.err().as_deref(),
            Some("F: overloads of different kinds")
        );
    }
}
