//! Arithmetic and unary minus on int, long, float and double, as `pigrs_udf::ops` computes
//! them: integers wrap like Java's and give null when divided by zero (`/` and `%`
//! truncate), floats follow IEEE.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray};
use arrow::buffer::{BooleanBuffer, NullBuffer};
use arrow::compute::{binary, unary};
use arrow::datatypes::{ArrowNativeType, DataType, Float32Type, Float64Type, Int32Type, Int64Type};
use datafusion::error::Result as DFResult;
use pigrs_planner::expr::ArithOp;
use pigrs_udf::PigType;

use super::{downcast, type_err};

/// Whether arithmetic on type `t` runs natively.
pub(super) fn numeric(t: &PigType) -> bool {
    matches!(
        t,
        PigType::Int | PigType::Long | PigType::Float | PigType::Double
    )
}

/// Pig's arithmetic on one native type.
trait Num: ArrowNativeType {
    /// Whether a zero divisor gives null.
    const INTEGRAL: bool;
    /// `x op y`; an integer division by zero gives any value (the caller makes it null).
    fn apply(op: ArithOp, x: Self, y: Self) -> Self;
    /// `-x`.
    fn negate(x: Self) -> Self;
}

macro_rules! integral {
    ($($t:ty),*) => {$(
        impl Num for $t {
            const INTEGRAL: bool = true;
            fn apply(op: ArithOp, x: Self, y: Self) -> Self {
                match op {
                    ArithOp::Add => x.wrapping_add(y),
                    ArithOp::Sub => x.wrapping_sub(y),
                    ArithOp::Mul => x.wrapping_mul(y),
                    ArithOp::Div if y == 0 => 0,
                    ArithOp::Div => x.wrapping_div(y),
                    ArithOp::Mod if y == 0 => 0,
                    ArithOp::Mod => x.wrapping_rem(y),
                }
            }
            fn negate(x: Self) -> Self {
                x.wrapping_neg()
            }
        }
    )*};
}

macro_rules! floating {
    ($($t:ty),*) => {$(
        impl Num for $t {
            const INTEGRAL: bool = false;
            fn apply(op: ArithOp, x: Self, y: Self) -> Self {
                match op {
                    ArithOp::Add => x + y,
                    ArithOp::Sub => x - y,
                    ArithOp::Mul => x * y,
                    ArithOp::Div => x / y,
                    ArithOp::Mod => x % y,
                }
            }
            fn negate(x: Self) -> Self {
                -x
            }
        }
    )*};
}

integral!(i32, i64);
floating!(f32, f64);

/// `l op r` on two arrays of one numeric type.
pub(super) fn arith(op: ArithOp, l: &ArrayRef, r: &ArrayRef) -> DFResult<ArrayRef> {
    match l.data_type() {
        DataType::Int32 => typed::<Int32Type>(op, l, r),
        DataType::Int64 => typed::<Int64Type>(op, l, r),
        DataType::Float32 => typed::<Float32Type>(op, l, r),
        DataType::Float64 => typed::<Float64Type>(op, l, r),
        other => Err(type_err("arithmetic", other)),
    }
}

fn typed<T>(op: ArithOp, l: &ArrayRef, r: &ArrayRef) -> DFResult<ArrayRef>
where
    T: ArrowPrimitiveType,
    T::Native: Num,
{
    let l: &PrimitiveArray<T> = downcast(l, "arithmetic")?;
    let r: &PrimitiveArray<T> = downcast(r, "arithmetic")?;
    let out = binary::<T, T, _, T>(l, r, |x, y| T::Native::apply(op, x, y))?;
    if !(T::Native::INTEGRAL && matches!(op, ArithOp::Div | ArithOp::Mod)) {
        return Ok(Arc::new(out));
    }
    let divisors = r.values();
    let zero = T::Native::default();
    let nonzero = NullBuffer::new(BooleanBuffer::collect_bool(r.len(), |i| {
        divisors[i] != zero
    }));
    let (_, values, nulls) = out.into_parts();
    let nulls = NullBuffer::union(nulls.as_ref(), Some(&nonzero));
    Ok(Arc::new(PrimitiveArray::<T>::new(values, nulls)))
}

/// `-x` on an array of a numeric type.
pub(super) fn neg(x: &ArrayRef) -> DFResult<ArrayRef> {
    fn typed<T>(x: &ArrayRef) -> DFResult<ArrayRef>
    where
        T: ArrowPrimitiveType,
        T::Native: Num,
    {
        let x: &PrimitiveArray<T> = downcast(x, "unary minus")?;
        Ok(Arc::new(unary::<T, _, T>(x, T::Native::negate)))
    }
    match x.data_type() {
        DataType::Int32 => typed::<Int32Type>(x),
        DataType::Int64 => typed::<Int64Type>(x),
        DataType::Float32 => typed::<Float32Type>(x),
        DataType::Float64 => typed::<Float64Type>(x),
        other => Err(type_err("unary minus", other)),
    }
}
