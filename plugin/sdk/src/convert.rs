//! Rust types as Pig arguments and results, for functions written with
//! [`crate::eval`] and [`crate::filter`]: each argument type says its Pig type and reads itself
//! from a value, each result type says its Pig type and becomes a value.
//!
//! | Pig | argument | result |
//! |-----|----------|--------|
//! | chararray | `&str`, `String` | `String` |
//! | bytearray | `&[u8]`, `Vec<u8>` | `Vec<u8>` |
//! | boolean, int, long, float, double | `bool`, `i32`, `i64`, `f32`, `f64` | the same |
//! | biginteger, bigdecimal | `BigInt`, `BigDecimal` (or references) | the same |
//! | datetime | `DateTime<FixedOffset>` | the same |
//! | tuple, bag, map | `Tuple`, `Bag`, `Map` (or references) | the same |
//! | any | `Value`, `&Value` | `Value` (declared bytearray) |
//!
//! An argument of type `Option<T>` sees nulls as `None`; any other argument makes a null
//! input give a null result without calling the function, as Pig's built-ins do. A result
//! of type `Option<T>` is null for `None`, and `Result<T, E>` fails the call with `E`'s
//! message.

use std::borrow::Cow;
use std::fmt::Display;

use bigdecimal::BigDecimal;
use chrono::{DateTime, FixedOffset};
use num_bigint::BigInt;
use pigrs_value::func::UdfError;
use pigrs_value::{Bag, Map, PigType, Tuple, Value};

/// A Rust type a function takes as an argument.
pub trait Arg<'a>: Sized {
    /// The Pig type it declares; `None`: any type.
    fn pig_type() -> Option<PigType>;
    /// Reads it from a value already cast to [`Arg::pig_type`]; `Ok(None)`: the value is
    /// null and the call gives null.
    fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError>;
}

/// A Rust type a function returns.
pub trait Ret {
    /// The Pig type it declares.
    fn pig_type() -> PigType;
    /// The result as a value.
    fn into_value(self) -> Result<Value, UdfError>;
}

/// A result a filter function may return: a boolean, maybe null, maybe failing.
pub trait FilterRet: Ret {}
impl FilterRet for bool {}
impl FilterRet for Option<bool> {}
impl<E: Display> FilterRet for Result<bool, E> {}
impl<E: Display> FilterRet for Result<Option<bool>, E> {}

fn mismatch(want: &str, v: &Value) -> UdfError {
    UdfError::new(format!(
        "expected a {want}, got {}",
        v.pig_type().map_or("null", |t| t.name())
    ))
}

/// Implements [`Arg`] (owned and borrowed) and [`Ret`] for one variant of [`Value`].
macro_rules! value_type {
    ($owned:ty, $borrowed:ty, $variant:ident, $ty:expr) => {
        impl<'a> Arg<'a> for $owned {
            fn pig_type() -> Option<PigType> {
                Some($ty)
            }
            fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError> {
                match v {
                    Value::Null => Ok(None),
                    Value::$variant(x) => Ok(Some((**x).to_owned())),
                    v => Err(mismatch($ty.name(), v)),
                }
            }
        }
        impl<'a> Arg<'a> for &'a $borrowed {
            fn pig_type() -> Option<PigType> {
                Some($ty)
            }
            fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError> {
                match v {
                    Value::Null => Ok(None),
                    Value::$variant(x) => Ok(Some(&**x)),
                    v => Err(mismatch($ty.name(), v)),
                }
            }
        }
        impl Ret for $owned {
            fn pig_type() -> PigType {
                $ty
            }
            fn into_value(self) -> Result<Value, UdfError> {
                // Boxes the value where the variant holds a box.
                Ok(Value::$variant(self.into()))
            }
        }
    };
}

value_type!(String, str, Chararray, PigType::Chararray);
value_type!(Vec<u8>, [u8], Bytearray, PigType::Bytearray);
value_type!(BigInt, BigInt, BigInteger, PigType::BigInteger);
value_type!(BigDecimal, BigDecimal, BigDecimal, PigType::BigDecimal);
value_type!(Tuple, Tuple, Tuple, PigType::Tuple(None));
value_type!(Bag, Bag, Bag, PigType::Bag(None));
value_type!(Map, Map, Map, PigType::Map(None));

/// Implements [`Arg`] and [`Ret`] for a `Copy` variant of [`Value`].
macro_rules! copy_type {
    ($t:ty, $variant:ident, $ty:expr) => {
        impl<'a> Arg<'a> for $t {
            fn pig_type() -> Option<PigType> {
                Some($ty)
            }
            fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError> {
                match v {
                    Value::Null => Ok(None),
                    Value::$variant(x) => Ok(Some(*x)),
                    v => Err(mismatch($ty.name(), v)),
                }
            }
        }
        impl Ret for $t {
            fn pig_type() -> PigType {
                $ty
            }
            fn into_value(self) -> Result<Value, UdfError> {
                Ok(Value::$variant(self))
            }
        }
    };
}

copy_type!(bool, Boolean, PigType::Boolean);
copy_type!(i32, Int, PigType::Int);
copy_type!(i64, Long, PigType::Long);
copy_type!(f32, Float, PigType::Float);
copy_type!(f64, Double, PigType::Double);
copy_type!(DateTime<FixedOffset>, Datetime, PigType::Datetime);

impl<'a> Arg<'a> for Value {
    fn pig_type() -> Option<PigType> {
        None
    }
    fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError> {
        Ok(Some(v.clone()))
    }
}

impl<'a> Arg<'a> for &'a Value {
    fn pig_type() -> Option<PigType> {
        None
    }
    fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError> {
        Ok(Some(v))
    }
}

impl Ret for Value {
    fn pig_type() -> PigType {
        PigType::Bytearray
    }
    fn into_value(self) -> Result<Value, UdfError> {
        Ok(self)
    }
}

impl<'a, T: Arg<'a>> Arg<'a> for Option<T> {
    fn pig_type() -> Option<PigType> {
        T::pig_type()
    }
    fn from_value(v: &'a Value) -> Result<Option<Self>, UdfError> {
        match v {
            Value::Null => Ok(Some(None)),
            v => Ok(T::from_value(v)?.map(Some)),
        }
    }
}

impl<T: Ret> Ret for Option<T> {
    fn pig_type() -> PigType {
        T::pig_type()
    }
    fn into_value(self) -> Result<Value, UdfError> {
        self.map_or(Ok(Value::Null), T::into_value)
    }
}

impl<T: Ret, E: Display> Ret for Result<T, E> {
    fn pig_type() -> PigType {
        T::pig_type()
    }
    fn into_value(self) -> Result<Value, UdfError> {
        self.map_err(|e| UdfError::new(e.to_string()))?.into_value()
    }
}

/// `v` as an argument declared `ty`: unchanged when it already has that type, else cast
/// with Pig's rules; a value that does not cast becomes null, as in Pig.
pub fn coerce<'v>(v: &'v Value, ty: Option<&PigType>) -> Cow<'v, Value> {
    let Some(ty) = ty else {
        return Cow::Borrowed(v);
    };
    match v.pig_type() {
        None => Cow::Borrowed(v),
        Some(t) if t.name() == ty.name() => Cow::Borrowed(v),
        Some(_) => Cow::Owned(pigrs_value::cast::cast(v, ty).unwrap_or(Value::Null)),
    }
}
