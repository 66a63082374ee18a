//! Java's text forms of numbers: `Double.toString`, `Float.toString` and `BigDecimal.toString`.
//!
//! Pig prints numbers the way the JVM does, so every place that turns a float, a double or a
//! bigdecimal into text (DUMP, PigStorage, casts to chararray) goes through here.

use bigdecimal::BigDecimal;

/// Formats a double the way Java's `Double.toString` does.
///
/// Plain decimal for `1e-3 <= |v| < 1e7` (`4.0`, `1000.0`, `0.001`), otherwise computerized
/// scientific notation `d.dddE±n` with no `+` (`1.0E10`, `1.234E-5`); `NaN`, `Infinity`,
/// `-Infinity`, `-0.0`. The digits are the shortest that round-trip, except that an
/// integral value below 2^63 prints its exact integer digits as the JDK's `FloatingDecimal`
/// (Java 8 to 18, which Pig runs on) does: `1.23456789012345677E17`.
pub fn fmt_double(v: f64) -> String {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v == 0.0, v.is_sign_negative()) {
        return s.to_owned();
    }
    let bits = v.to_bits();
    let bin_exp = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let mantissa = (bits & ((1 << 52) - 1)) | (1 << 52);
    let n_sig = 53 - mantissa.trailing_zeros() as i32;
    if let Some((digits, exp)) = integral_digits(v.abs(), bin_exp, n_sig, 53) {
        return layout(v < 0.0, &digits, exp);
    }
    let mut sci = format!("{v:e}");
    if !sci.contains('.') {
        // Java prints at least two significant digits and, among those, the closest to the
        // exact value (`4.9E-324`, not `5.0E-324`).
        let two = format!("{v:.1e}");
        if two.parse::<f64>() == Ok(v) {
            sci = two;
        }
    }
    tie_to_even(&sci, v).unwrap_or_else(|| layout_sci(&sci))
}

/// Formats a float the way Java's `Float.toString` does (same rules as [`fmt_double`], with
/// the shortest digits that round-trip a 32-bit float).
pub fn fmt_float(v: f32) -> String {
    if let Some(s) = special(v.is_nan(), v.is_infinite(), v == 0.0, v.is_sign_negative()) {
        return s.to_owned();
    }
    let bits = v.to_bits();
    let bin_exp = ((bits >> 23) & 0xff) as i32 - 127;
    let mantissa = (bits & ((1 << 23) - 1)) | (1 << 23);
    let n_sig = 24 - mantissa.trailing_zeros() as i32;
    if let Some((digits, exp)) = integral_digits(f64::from(v.abs()), bin_exp, n_sig, 24) {
        return layout(v < 0.0, &digits, exp);
    }
    let mut sci = format!("{v:e}");
    if !sci.contains('.') {
        let two = format!("{v:.1e}");
        if two.parse::<f32>() == Ok(v) {
            sci = two;
        }
    }
    tie_to_even(&sci, f64::from(v)).unwrap_or_else(|| layout_sci(&sci))
}

fn special(nan: bool, inf: bool, zero: bool, neg: bool) -> Option<&'static str> {
    Some(match (nan, inf, zero, neg) {
        (true, ..) => "NaN",
        (_, true, _, false) => "Infinity",
        (_, true, _, true) => "-Infinity",
        (_, _, true, false) => "0.0",
        (_, _, true, true) => "-0.0",
        _ => return None,
    })
}

/// `FloatingDecimal`'s table of how many low decimal digits of an integral value with
/// `2^p` units in its last place are not significant.
const INSIGNIFICANT_DIGITS: [u32; 64] = [
    0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9,
    9, 9, 10, 10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16,
    16, 17, 17, 17, 18, 18, 18, 19,
];

/// The digits and decimal exponent `FloatingDecimal` gives an integral value below 2^63
/// (its "easy case"): the exact integer, less its insignificant low digits (rounded half
/// up), without trailing zeros. `None` when the value is not such an integer.
///
/// `n_frac` is the number of significant bits of the value (without trailing zeros),
/// `precision` the width of the type's significand (53 or 24).
fn integral_digits(abs: f64, bin_exp: i32, n_frac: i32, precision: i32) -> Option<(String, i64)> {
    if !(0..=62).contains(&bin_exp) || n_frac > bin_exp + 1 {
        return None;
    }
    let mut l = abs as u64;
    let p2 = bin_exp - precision - 1;
    let insignificant = if bin_exp > precision && p2 > 1 && p2 < 64 {
        INSIGNIFICANT_DIGITS[p2 as usize]
    } else {
        0
    };
    if insignificant > 0 {
        let pow10 = 10u64.pow(insignificant);
        let residue = l % pow10;
        l /= pow10;
        if residue >= pow10 / 2 {
            l += 1;
        }
    }
    let text = l.to_string();
    let exp = text.len() as i64 - 1 + i64::from(insignificant);
    Some((text.trim_end_matches('0').to_owned(), exp))
}

/// When the value lies exactly halfway between two decimals with as many digits as the
/// shortest form (`193089.125f` between `193089.12` and `193089.13`), `FloatingDecimal`
/// picks the one with an even last digit; Rust's shortest form may pick the other. Returns
/// Java's text when it differs.
fn tie_to_even(sci: &str, v: f64) -> Option<String> {
    let (mantissa, _) = sci.trim_start_matches('-').split_once('e')?;
    let n = mantissa.bytes().filter(u8::is_ascii_digit).count();
    if n < 2 {
        return None;
    }
    let abs = v.abs();
    // Cheap test first: rounded to one more digit, the value must end in 5.
    let near = format!("{abs:.n$e}");
    if !near.split_once('e')?.0.ends_with('5') {
        return None;
    }
    // Every float and double has a finite decimal expansion of at most 767 significant
    // digits, so this is exact.
    let exact = format!("{abs:.prec$e}", prec = n + 800);
    let (m, e) = exact.split_once('e')?;
    let digits: Vec<u8> = m.bytes().filter(u8::is_ascii_digit).collect();
    if digits.get(n) != Some(&b'5') || digits[n + 1..].iter().any(|&d| d != b'0') {
        return None;
    }
    if !digits[n - 1].is_multiple_of(2) {
        // Rounding up gives the even digit, as the shortest form already did.
        return None;
    }
    let trunc = std::str::from_utf8(&digits[..n]).ok()?;
    Some(layout(
        v < 0.0,
        trunc.trim_end_matches('0'),
        e.parse().ok()?,
    ))
}

/// Lays out Rust's `{:e}` text (`-1.234e-5`) in Java's style.
fn layout_sci(sci: &str) -> String {
    let (neg, rest) = match sci.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, sci),
    };
    let (mantissa, exp) = rest.split_once('e').unwrap_or((rest, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    layout(neg, digits.trim_end_matches('0'), exp)
}

/// Lays out significant digits `d1d2...` of the value `d1.d2... × 10^exp` as Java does:
/// plain when `-3 <= exp < 7`, else `d1.d2...E<exp>`; always a digit after the point.
fn layout(neg: bool, digits: &str, exp: i64) -> String {
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::with_capacity(digits.len() + 8);
    if neg {
        out.push('-');
    }
    if (-3..7).contains(&exp) {
        if exp >= 0 {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.extend(std::iter::repeat_n('0', int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        out.push_str(&exp.to_string());
    }
    out
}

/// Formats a bigdecimal the way Java's `BigDecimal.toString` does: plain when the scale is
/// not negative and the adjusted exponent is at least -6 (`1.50`, `0.000001`), otherwise
/// scientific with an explicit exponent sign (`1E+3`, `1.5E-7`).
pub fn fmt_bigdecimal(v: &BigDecimal) -> String {
    let (unscaled, scale) = v.as_bigint_and_exponent();
    let neg = unscaled.sign() == num_bigint::Sign::Minus;
    let coeff = unscaled.magnitude().to_str_radix(10);
    let len = coeff.len() as i64;
    let adjusted = -(scale as i128) + (len as i128 - 1);
    let mut out = String::with_capacity(coeff.len() + 8);
    if neg {
        out.push('-');
    }
    if scale >= 0 && adjusted >= -6 {
        if scale == 0 {
            out.push_str(&coeff);
        } else if len > scale {
            let point = (len - scale) as usize;
            out.push_str(&coeff[..point]);
            out.push('.');
            out.push_str(&coeff[point..]);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (scale - len) as usize));
            out.push_str(&coeff);
        }
    } else {
        out.push_str(&coeff[..1]);
        if len > 1 {
            out.push('.');
            out.push_str(&coeff[1..]);
        }
        if adjusted != 0 {
            out.push('E');
            if adjusted > 0 {
                out.push('+');
            }
            out.push_str(&adjusted.to_string());
        }
    }
    out
}

#[cfg(test)]
// Some cases spell out exact binary values (ties) on purpose.
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn doubles_like_java() {
        let cases: &[(f64, &str)] = &[
            (4.0, "4.0"),
            (1000.0, "1000.0"),
            (3.850000023841858, "3.850000023841858"),
            (1.0e10, "1.0E10"),
            (1.234e-5, "1.234E-5"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (9999999.0, "9999999.0"),
            (1.0e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (0.0123, "0.0123"),
            (100.25, "100.25"),
            (1.0e-300, "1.0E-300"),
            (f64::MAX, "1.7976931348623157E308"),
            (f64::MIN_POSITIVE, "2.2250738585072014E-308"),
            (4.9e-324, "4.9E-324"),
            (3.8f32 as f64 + 0.5, "4.299999952316284"),
            (-2.5e-7, "-2.5E-7"),
            (1059438285926254.25, "1.0594382859262542E15"),
            (1.37342863480957901e18, "1.37342863480957901E18"),
            (123456789012.0, "1.23456789012E11"),
            (1e17, "1.0E17"),
        ];
        for (v, want) in cases {
            assert_eq!(fmt_double(*v), *want, "{v:?}");
        }
    }

    #[test]
    fn floats_like_java() {
        let cases: &[(f32, &str)] = &[
            (4.0, "4.0"),
            (3.8, "3.8"),
            (1.0e10, "1.0E10"),
            (1.234e-5, "1.234E-5"),
            (f32::NAN, "NaN"),
            (f32::INFINITY, "Infinity"),
            (f32::NEG_INFINITY, "-Infinity"),
            (-0.0, "-0.0"),
            (0.1, "0.1"),
            (1234567.0, "1234567.0"),
            (f32::MAX, "3.4028235E38"),
            (1.0e-45, "1.4E-45"),
            (193089.125, "193089.12"),
            (-3896331.25, "-3896331.2"),
            (179272016.0, "1.79272016E8"),
            (123456789.0, "1.23456792E8"),
            (-100.5, "-100.5"),
        ];
        for (v, want) in cases {
            assert_eq!(fmt_float(*v), *want, "{v:?}");
        }
    }

    #[test]
    fn bigdecimals_like_java() {
        let cases = [
            ("1.50", "1.50"),
            ("0", "0"),
            ("-12.345", "-12.345"),
            ("0.000001", "0.000001"),
            ("0.0000001", "1E-7"),
            ("0.00000015", "1.5E-7"),
            ("1E+3", "1E+3"),
            (
                "123456789012345678901234567890",
                "123456789012345678901234567890",
            ),
            ("-0.5", "-0.5"),
            ("12.5E+1", "125"),
            ("1.25E+5", "1.25E+5"),
        ];
        for (s, want) in cases {
            let v = BigDecimal::from_str(s).unwrap();
            assert_eq!(fmt_bigdecimal(&v), want, "{s}");
        }
    }
}
