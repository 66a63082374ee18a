//! Every `unsafe` operation of pigrs: opening a library, finding its two symbols, and the
//! two callbacks through which a plugin copies the host's bytes in and its own bytes out.
#![allow(unsafe_code)]

use std::ffi::c_void;
use std::path::Path;

use pigrs_plugin::abi::{self, EntryFnV1, PluginV1, Sink, Source, VersionFn};

/// Why a library does not open as a plugin of ABI 1.
pub enum OpenError {
    /// The dynamic loader refused the file, or the version symbol is missing.
    NotAPlugin(String),
    /// The library speaks another ABI version.
    OtherAbi(u32),
}

/// Opens `path` and returns the library with its ABI 1 table.
///
/// Loading a library runs its initializers: this trusts the file as much as running it.
pub fn open(path: &Path) -> Result<(libloading::Library, PluginV1), OpenError> {
    // SAFETY: the file is a plugin the script registered; its initializers run like the
    // code of any function it will be asked to call.
    let lib = unsafe { libloading::Library::new(path) }.map_err(|e| {
        // The loader's own words ("invalid ELF header") are the error's source.
        let reason = match std::error::Error::source(&e) {
            Some(why) => format!("{e}: {why}"),
            None => e.to_string(),
        };
        OpenError::NotAPlugin(reason)
    })?;
    // SAFETY: by the ABI the symbol is an `extern "C" fn() -> u32`; a library that defines
    // it with another type is not a pigrs plugin and is beyond what we can check.
    let version = unsafe { lib.get::<VersionFn>(abi::VERSION_SYMBOL.as_bytes()) }
        .map(|f| *f)
        .map_err(|_| OpenError::NotAPlugin(format!("it has no symbol {}", abi::VERSION_SYMBOL)))?;
    let v = version();
    if v != abi::ABI_VERSION {
        return Err(OpenError::OtherAbi(v));
    }
    // SAFETY: a library of ABI 1 defines this symbol as an `extern "C" fn() -> PluginV1`.
    let entry = unsafe { lib.get::<EntryFnV1>(abi::ENTRY_SYMBOL_V1.as_bytes()) }
        .map(|f| *f)
        .map_err(|_| {
            OpenError::NotAPlugin(format!(
                "it says ABI 1 but has no symbol {}",
                abi::ENTRY_SYMBOL_V1
            ))
        })?;
    let table = entry();
    Ok((lib, table))
}

extern "C" fn read(ctx: *const c_void, dst: *mut u8, len: usize) {
    // SAFETY: `ctx` is the `&[u8]` that `with_source` lent for the duration of the call;
    // at most its length is copied, into a buffer the plugin says holds `len` bytes.
    unsafe {
        let src: &[u8] = *(ctx as *const &[u8]);
        std::ptr::copy_nonoverlapping(src.as_ptr(), dst, len.min(src.len()));
    }
}

extern "C" fn write(ctx: *mut c_void, src: *const u8, len: usize) {
    if len == 0 {
        return;
    }
    // SAFETY: `ctx` is the `Vec<u8>` that `with_sink` lent for the duration of the call,
    // and the plugin passes `len` bytes it owns at `src`.
    unsafe {
        let out = &mut *(ctx as *mut Vec<u8>);
        out.extend_from_slice(std::slice::from_raw_parts(src, len));
    }
}

/// Calls `f` with a [`Source`] lending `bytes` and a [`Sink`] appending to `out`.
pub fn with_io<R>(bytes: &[u8], out: &mut Vec<u8>, f: impl FnOnce(&Source, &Sink) -> R) -> R {
    let lent: &[u8] = bytes;
    let source = Source {
        ctx: &lent as *const &[u8] as *const c_void,
        len: bytes.len(),
        read,
    };
    let sink = Sink {
        ctx: out as *mut Vec<u8> as *mut c_void,
        write,
    };
    f(&source, &sink)
}
