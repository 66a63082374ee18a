//! Plugin ABI v1: the C interface between pigrs and a plugin library, shared by the SDK (which
//! exports it) and pigrs's loader (which calls it).
//!
//! A library exports two symbols:
//! - [`VERSION_SYMBOL`], `extern "C" fn() -> u32`: the ABI version the library speaks. Its name
//!   and signature never change; pigrs reads it before anything else and refuses a library
//!   whose version it does not load.
//! - [`ENTRY_SYMBOL_V1`], `extern "C" fn() -> PluginV1`: the function table, looked up only
//!   when the version is 1.
//!
//! Everything else crosses as bytes of pigrs's value codec (`pigrs_value::codec`): the
//! library's description (its namespace and functions), constructor arguments, argument
//! types, batches of argument rows and their results, and errors (see [`crate::wire`]).
//! No Rust-layout type crosses: only `#[repr(C)]` structs of integers, raw pointers and
//! `extern "C"` function pointers. Memory is never freed across the boundary: the host
//! lends its input to the plugin through a [`Source`] the plugin copies from, and the
//! plugin hands its output to a [`Sink`] the host copies into its own buffer, so each side
//! frees only what its own allocator made. Panics never cross: the SDK catches them in
//! every entry point and returns [`status::PANIC`].

use std::ffi::c_void;

/// The ABI version this SDK exports and this pigrs loads.
pub const ABI_VERSION: u32 = 1;

/// The version of the value codec the payloads use (`pigrs_value::codec`, tags 0-14).
pub const CODEC_VERSION: u32 = 1;

/// The exported `extern "C" fn() -> u32` giving the library's ABI version.
pub const VERSION_SYMBOL: &str = "pigrs_plugin_abi_version";

/// The exported `extern "C" fn() -> PluginV1` giving the function table of ABI 1.
pub const ENTRY_SYMBOL_V1: &str = "pigrs_plugin_v1";

/// The type of [`VERSION_SYMBOL`].
pub type VersionFn = extern "C" fn() -> u32;

/// The type of [`ENTRY_SYMBOL_V1`].
pub type EntryFnV1 = extern "C" fn() -> PluginV1;

/// Bytes the host lends to a call: the plugin learns their length and copies them into a
/// buffer of its own with `read(ctx, dst, len)` (at most `len` bytes are copied).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Source {
    /// The host's handle on the bytes; the plugin only passes it back.
    pub ctx: *const c_void,
    /// How many bytes there are.
    pub len: usize,
    /// Copies the first `len` bytes into `dst`.
    pub read: extern "C" fn(ctx: *const c_void, dst: *mut u8, len: usize),
}

/// Where a call writes its output: the host copies `len` bytes from `src` at each
/// `write(ctx, src, len)`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Sink {
    /// The host's handle on its buffer; the plugin only passes it back.
    pub ctx: *mut c_void,
    /// Appends `len` bytes from `src` to the host's buffer.
    pub write: extern "C" fn(ctx: *mut c_void, src: *const u8, len: usize),
}

/// What an entry point returns.
pub mod status {
    /// Success: the sink holds the result.
    pub const OK: u32 = 0;
    /// The function refused: the sink holds a [`crate::wire::Failure`].
    pub const ERROR: u32 = 1;
    /// The function panicked: the sink holds a [`crate::wire::Failure`] whose message has
    /// the panic's message and location.
    pub const PANIC: u32 = 2;
}

/// The kinds of function a library may export (its description gives one per function).
/// Kinds pigrs does not know are refused at REGISTER, so new kinds need no new ABI version.
pub mod kind {
    /// A scalar function: one value per row of arguments.
    pub const EVAL: u32 = 1;
    /// A scalar function giving a boolean, for `FILTER ... BY`.
    pub const FILTER: u32 = 2;
    /// An algebraic aggregate of a bag: `EVAL` on the whole bag, or `INITIAL`,
    /// `INTERMEDIATE` and `FINAL` in the combiner.
    pub const ALGEBRAIC: u32 = 3;
    /// An aggregate of a bag that sees the bag in chunks (`ACCUMULATE` for each, then
    /// `GET_VALUE`), so that a bag larger than memory is never held whole.
    pub const ACCUMULATOR: u32 = 4;
    /// A load function (`LOAD 'x' USING ns.F()`): `LOAD_SCHEMA`, `PARSE`.
    pub const LOAD: u32 = 5;
    /// A store function (`STORE a INTO 'x' USING ns.F()`): `CHECK_SCHEMA`, `FORMAT`.
    pub const STORE: u32 = 6;
}

/// The operations of [`PluginV1::call`]. An instance answers [`status::ERROR`] to an
/// operation its kind does not have.
pub mod op {
    /// Input: a bag, one tuple of arguments per row. Output: a tuple of one result per row.
    /// The rows are evaluated in order and the call stops at the first that fails.
    pub const EVAL: u32 = 1;
    /// Input: a tuple of argument types. Output: the result type (its output schema).
    pub const RETURN_TYPE: u32 = 2;
    /// Algebraic functions. Input: a bag of input tuples (the tuples the function's bag
    /// argument would hold). Output: a tuple of one partial state per input tuple, each the
    /// state of a bag holding just that tuple. Fails like `EVAL`, naming the row.
    pub const INITIAL: u32 = 3;
    /// Algebraic functions. Input: a bag of states, each alone in its tuple. Output: one
    /// state.
    pub const INTERMEDIATE: u32 = 4;
    /// Algebraic functions. Input: a bag of states, each alone in its tuple. Output: the
    /// result.
    pub const FINAL: u32 = 5;
    /// Accumulators. Input: a tuple `(state, args)`: `state` null to begin accumulating a new
    /// bag, else the state the previous `ACCUMULATE` of this bag returned; `args` the call's
    /// arguments, each bag argument holding its next tuples (a chunk; all of a call's bags
    /// advance together). Output: the state, a long naming it inside the plugin. On failure
    /// the plugin has dropped the state.
    pub const ACCUMULATE: u32 = 6;
    /// Accumulators. Input: a state (long). Output: the result of the bag accumulated into
    /// it. The state is dropped, on failure too.
    pub const GET_VALUE: u32 = 7;
    /// Accumulators. Input: a state (long). Drops it, without a result: the host gives up
    /// on the bag (another function of the call failed). Output: an empty tuple.
    pub const CLEANUP: u32 = 8;
    /// Load functions. Input: an empty tuple. Output: the type of the records (a tuple
    /// type with their schema, as [`crate::wire::type_to_value`] encodes it), or null when
    /// the loader declares none.
    pub const LOAD_SCHEMA: u32 = 9;
    /// Load functions. Input: a bag of one-field tuples, each a line of input (a
    /// bytearray, without its line end). Output: a tuple of one result per line: the
    /// line's tuple, or null to skip it. Stops at the first line that fails, naming it.
    pub const PARSE: u32 = 10;
    /// Store functions. Input: the type of the relation's rows (a tuple type, as
    /// `LOAD_SCHEMA`'s output), or null when its schema is unknown. Output: an empty
    /// tuple, or ERROR with why the function cannot store such rows.
    pub const CHECK_SCHEMA: u32 = 11;
    /// Store functions. Input: a bag of rows. Output: a bytearray, the records of the rows
    /// in order. Stops at the first row that fails, naming it.
    pub const FORMAT: u32 = 12;
}

/// The function table of ABI 1.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PluginV1 {
    /// `size_of::<PluginV1>()` as the library was built: a later minor revision may append
    /// entries, which a host reads only when the size covers them.
    pub size: usize,
    /// Writes the library's description ([`crate::wire::Descriptor`]).
    pub describe: extern "C" fn(out: &Sink) -> u32,
    /// Makes an instance of function `func` (its position in the description) with the
    /// constructor arguments `ctor_args` (a tuple of chararrays), as `DEFINE` gives them;
    /// on success sets `handle`.
    pub new_instance:
        extern "C" fn(func: u32, ctor_args: &Source, handle: &mut u64, out: &Sink) -> u32,
    /// Drops an instance.
    pub drop_instance: extern "C" fn(handle: u64),
    /// Runs operation `op` (see [`op`]) on an instance.
    pub call: extern "C" fn(handle: u64, op: u32, input: &Source, out: &Sink) -> u32,
}
