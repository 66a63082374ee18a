//! String built-ins: case, trimming, searching, Java regular expressions (`REGEX_EXTRACT`,
//! `REPLACE`, `STRSPLIT`, ...), `SUBSTRING`, `SPRINTF` and `UniqueID`.
//!
//! Positions are counted in characters (Java counts UTF-16 code units; the two agree for
//! text without characters outside the Basic Multilingual Plane).
//!
//! ## Java regular expressions
//! Pig's patterns are Java regexes; they are run here with Rust's `regex` crate after a
//! light translation ([`java_regex`]): `\Q...\E` quoting and the POSIX classes
//! `\p{Alpha}`, `\p{Digit}`, `\p{Alnum}`, `\p{Upper}`, `\p{Lower}`, `\p{Punct}`,
//! `\p{Space}`, `\p{XDigit}` and friends are rewritten. Not supported (the pattern is
//! rejected, and the function gives null as Pig does for a bad pattern): look-ahead and
//! look-behind, back-references, possessive quantifiers and atomic groups. Matching is
//! leftmost-first like Java's for what both support.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use regex::Regex;

use super::{
    any_null, as_i64, as_str, bag_type, builtin_fn, check_arity, value_text, want_int, want_str,
};
use crate::func::{EvalFunc, UdfError};
use crate::types::{Field, PigType, Schema};
use crate::value::Value;

// ---------------------------------------------------------------------------------------
// Java regex support.

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, Result<Regex, String>>> =
        RefCell::new(HashMap::new());
}

/// Compiles a Java regular expression (cached per thread), or says why it cannot be run.
pub fn java_regex(pattern: &str) -> Result<Regex, String> {
    REGEX_CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if let Some(r) = cache.get(pattern) {
            return r.clone();
        }
        if cache.len() > 256 {
            cache.clear();
        }
        let r =
            translate_java_regex(pattern).and_then(|p| Regex::new(&p).map_err(|e| e.to_string()));
        cache.insert(pattern.to_string(), r.clone());
        r
    })
}

/// Rewrites the Java-only syntax of a pattern into Rust `regex` syntax.
fn translate_java_regex(p: &str) -> Result<String, String> {
    let mut out = String::with_capacity(p.len() + 8);
    let chars: Vec<char> = p.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let n = chars[i + 1];
            match n {
                'Q' => {
                    // Quote up to \E (or the end).
                    let mut j = i + 2;
                    let mut lit = String::new();
                    while j < chars.len() && !(chars[j] == '\\' && chars.get(j + 1) == Some(&'E')) {
                        lit.push(chars[j]);
                        j += 1;
                    }
                    out.push_str(&regex::escape(&lit));
                    i = if j < chars.len() { j + 2 } else { j };
                    continue;
                }
                'p' | 'P' if chars.get(i + 2) == Some(&'{') => {
                    let end = chars[i + 3..].iter().position(|&c| c == '}');
                    if let Some(e) = end {
                        let name: String = chars[i + 3..i + 3 + e].iter().collect();
                        let class = match name.as_str() {
                            "Alpha" | "IsAlphabetic" => Some("[:alpha:]"),
                            "Digit" | "IsDigit" => Some("[:digit:]"),
                            "Alnum" => Some("[:alnum:]"),
                            "Upper" | "IsUppercase" => Some("[:upper:]"),
                            "Lower" | "IsLowercase" => Some("[:lower:]"),
                            "Punct" => Some("[:punct:]"),
                            "Space" | "IsWhite_Space" => Some("[:space:]"),
                            "XDigit" => Some("[:xdigit:]"),
                            "Blank" => Some("[:blank:]"),
                            "Cntrl" => Some("[:cntrl:]"),
                            "Graph" => Some("[:graph:]"),
                            "Print" => Some("[:print:]"),
                            "ASCII" => Some("[:ascii:]"),
                            _ => None,
                        };
                        if let Some(cl) = class {
                            let neg = if n == 'P' { "^" } else { "" };
                            // A nested bracket class works inside and outside brackets.
                            out.push_str(&format!("[{neg}{cl}]"));
                            i += 4 + e;
                            continue;
                        }
                    }
                    out.push(c);
                    out.push(n);
                    i += 2;
                    continue;
                }
                '1'..='9' => return Err("back-references are not supported".into()),
                _ => {
                    out.push(c);
                    out.push(n);
                    i += 2;
                    continue;
                }
            }
        }
        if c == '(' && chars.get(i + 1) == Some(&'?') {
            match chars.get(i + 2) {
                Some('=' | '!') => return Err("look-ahead is not supported".into()),
                Some('<') if matches!(chars.get(i + 3), Some('=' | '!')) => {
                    return Err("look-behind is not supported".into());
                }
                Some('>') => return Err("atomic groups are not supported".into()),
                _ => {}
            }
        }
        if c == '+' && follows_quantifier(&chars[..i]) {
            return Err("possessive quantifiers are not supported".into());
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}

/// Whether the pattern text `before` ends with an (unescaped) quantifier: `*`, `+`, `?` or
/// `{n,m}`.
fn follows_quantifier(before: &[char]) -> bool {
    let n = before.len();
    let escaped = |i: usize| {
        let mut k = 0;
        while k < i && before[i - 1 - k] == '\\' {
            k += 1;
        }
        k % 2 == 1
    };
    match before.last() {
        Some('*' | '+' | '?') => !escaped(n - 1),
        Some('}') => match before.iter().rposition(|&c| c == '{') {
            Some(open) => {
                open + 1 < n - 1
                    && before[open + 1..n - 1]
                        .iter()
                        .all(|c| c.is_ascii_digit() || *c == ',')
                    && !escaped(open)
            }
            None => false,
        },
        _ => false,
    }
}

/// Translates a Java replacement string (`$1`, `${name}`, `\$`) into `regex`'s syntax;
/// `None` when Java would reject it.
fn translate_replacement(rep: &str, groups: usize) -> Option<String> {
    let chars: Vec<char> = rep.chars().collect();
    let mut out = String::with_capacity(rep.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => {
                let n = *chars.get(i + 1)?;
                if n == '$' {
                    out.push_str("$$");
                } else {
                    out.push(n);
                }
                i += 2;
            }
            '$' => {
                if chars.get(i + 1) == Some(&'{') {
                    let end = chars[i + 2..].iter().position(|&c| c == '}')?;
                    let name: String = chars[i + 2..i + 2 + end].iter().collect();
                    out.push_str(&format!("${{{name}}}"));
                    i += 3 + end;
                } else {
                    let first = chars.get(i + 1)?.to_digit(10)? as usize;
                    if first >= groups {
                        return None;
                    }
                    let mut num = first;
                    let mut j = i + 2;
                    while let Some(d) = chars.get(j).and_then(|c| c.to_digit(10)) {
                        let next = num * 10 + d as usize;
                        if next >= groups {
                            break;
                        }
                        num = next;
                        j += 1;
                    }
                    out.push_str(&format!("${{{num}}}"));
                    i = j;
                }
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Some(out)
}

/// Java's `String.split(regex, limit)`.
pub(crate) fn java_split(s: &str, re: &Regex, limit: i64) -> Vec<String> {
    let mut parts = Vec::new();
    let mut last = 0;
    for m in re.find_iter(s) {
        if limit > 0 && parts.len() as i64 >= limit - 1 {
            break;
        }
        if m.end() == 0 {
            // A zero-width match at the start gives no leading empty piece.
            continue;
        }
        if m.start() == m.end() && m.start() >= s.len() {
            break;
        }
        parts.push(s[last..m.start()].to_string());
        last = m.end();
    }
    parts.push(s[last..].to_string());
    if limit == 0 {
        while parts.len() > 1 && parts.last().is_some_and(|p| p.is_empty()) {
            parts.pop();
        }
        if parts.len() == 1 && parts[0].is_empty() && !s.is_empty() {
            parts.clear();
        }
    }
    parts
}

// ---------------------------------------------------------------------------------------
// Small helpers.

fn str_args<'a>(args: &'a [Value], n: usize) -> Option<Vec<Cow<'a, str>>> {
    args.iter().take(n).map(as_str).collect()
}

fn one_string(name: &str, args: &[PigType]) -> Result<PigType, String> {
    check_arity(name, args, 1, 1)?;
    want_str(name, args, 0)?;
    Ok(PigType::Chararray)
}

fn two_strings(name: &str, args: &[PigType], ret: PigType) -> Result<PigType, String> {
    check_arity(name, args, 2, 2)?;
    want_str(name, args, 0)?;
    want_str(name, args, 1)?;
    Ok(ret)
}

/// Applies a string → string function; null (or a non-string) in gives null out.
fn map_str(args: &[Value], f: impl FnOnce(&str) -> String) -> Result<Value, UdfError> {
    Ok(match args.first().and_then(as_str) {
        Some(s) => Value::Chararray(f(&s)),
        None => Value::Null,
    })
}

/// Java's `Character.isWhitespace`-ish set used by `\s`: space, \t, \n, \x0B, \f, \r.
fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// Char index of a byte offset.
fn char_index(s: &str, byte: usize) -> i32 {
    s[..byte].chars().count() as i32
}

/// Byte offset of a char index (clamped to the end).
fn byte_offset(s: &str, chars: usize) -> usize {
    s.char_indices()
        .nth(chars)
        .map(|(b, _)| b)
        .unwrap_or(s.len())
}

// ---------------------------------------------------------------------------------------
// Case and trimming.

builtin_fn! {
    /// `UPPER(string)`
    ///
    /// ## What it does
    /// The string in upper case. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE UPPER(name);  -- 'Hello World' -> 'HELLO WORLD'
    /// ```
    Upper, "UPPER",
    |args| one_string("UPPER", args),
    |args| map_str(args, |s| s.to_uppercase())
}

builtin_fn! {
    /// `LOWER(string)`
    ///
    /// ## What it does
    /// The string in lower case. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE LOWER(name);  -- 'Hello World' -> 'hello world'
    /// ```
    Lower, "LOWER",
    |args| one_string("LOWER", args),
    |args| map_str(args, |s| s.to_lowercase())
}

builtin_fn! {
    /// `UCFIRST(string)`
    ///
    /// ## What it does
    /// The string with its first character in upper case. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE UCFIRST(name);  -- 'pig' -> 'Pig'
    /// ```
    UcFirst, "UCFIRST",
    |args| one_string("UCFIRST", args),
    |args| map_str(args, |s| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_uppercase().chain(c).collect(),
            None => String::new(),
        }
    })
}

builtin_fn! {
    /// `LCFIRST(string)`
    ///
    /// ## What it does
    /// The string with its first character in lower case. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE LCFIRST(name);  -- 'Pig' -> 'pig'
    /// ```
    LcFirst, "LCFIRST",
    |args| one_string("LCFIRST", args),
    |args| map_str(args, |s| {
        let mut c = s.chars();
        match c.next() {
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    })
}

builtin_fn! {
    /// `TRIM(string)`
    ///
    /// ## What it does
    /// The string without leading and trailing whitespace (as Java's `String.trim`: every
    /// character up to U+0020). Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE TRIM(s);  -- '  pig  ' -> 'pig'
    /// ```
    Trim, "TRIM",
    |args| one_string("TRIM", args),
    |args| map_str(args, |s| s.trim_matches(|c: char| c <= ' ').to_string())
}

builtin_fn! {
    /// `LTRIM(string)`
    ///
    /// ## What it does
    /// The string without leading whitespace. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE LTRIM(s);  -- '  pig  ' -> 'pig  '
    /// ```
    LTrim, "LTRIM",
    |args| one_string("LTRIM", args),
    |args| map_str(args, |s| s.trim_start_matches(is_java_space).to_string())
}

builtin_fn! {
    /// `RTRIM(string)`
    ///
    /// ## What it does
    /// The string without trailing whitespace. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE RTRIM(s);  -- '  pig  ' -> '  pig'
    /// ```
    RTrim, "RTRIM",
    |args| one_string("RTRIM", args),
    |args| map_str(args, |s| s.trim_end_matches(is_java_space).to_string())
}

// ---------------------------------------------------------------------------------------
// Comparisons and searching.

builtin_fn! {
    /// `STARTSWITH(string, prefix)`
    ///
    /// ## What it does
    /// Whether the string starts with the prefix, as a boolean. Null in gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE STARTSWITH(s, 'foo');  -- 'foobar' -> true
    /// ```
    StartsWith, "STARTSWITH",
    |args| two_strings("STARTSWITH", args, PigType::Boolean),
    |args| Ok(match str_args(args, 2) {
        Some(v) if v.len() == 2 => Value::Boolean(v[0].starts_with(&*v[1])),
        _ => Value::Null,
    })
}

builtin_fn! {
    /// `ENDSWITH(string, suffix)`
    ///
    /// ## What it does
    /// Whether the string ends with the suffix, as a boolean. Null in gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE ENDSWITH(s, 'bar');  -- 'foobar' -> true
    /// ```
    EndsWith, "ENDSWITH",
    |args| two_strings("ENDSWITH", args, PigType::Boolean),
    |args| Ok(match str_args(args, 2) {
        Some(v) if v.len() == 2 => Value::Boolean(v[0].ends_with(&*v[1])),
        _ => Value::Null,
    })
}

builtin_fn! {
    /// `EqualsIgnoreCase(string1, string2)`
    ///
    /// ## What it does
    /// Whether the two strings are equal ignoring case, as a boolean. Null in gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE EqualsIgnoreCase(s, 'PIG');  -- 'pig' -> true
    /// ```
    EqualsIgnoreCase, "EqualsIgnoreCase",
    |args| two_strings("EqualsIgnoreCase", args, PigType::Boolean),
    |args| Ok(match str_args(args, 2) {
        Some(v) if v.len() == 2 => Value::Boolean(
            v[0].chars().count() == v[1].chars().count()
                && v[0].chars().zip(v[1].chars()).all(|(a, b)| {
                    a == b
                        || a.to_uppercase().eq(b.to_uppercase())
                        || a.to_lowercase().eq(b.to_lowercase())
                }),
        ),
        _ => Value::Null,
    })
}

builtin_fn! {
    /// `INDEXOF(string, search [, fromIndex])`
    ///
    /// ## What it does
    /// The index (from 0) of the first occurrence of `search` in the string at or after
    /// `fromIndex` (default 0), or -1 when there is none, as an int. Null in gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE INDEXOF(s, 'o', 5);  -- 'hello world' -> 7
    /// ```
    IndexOf, "INDEXOF",
    |args| {
        check_arity("INDEXOF", args, 2, 3)?;
        want_str("INDEXOF", args, 0)?;
        want_str("INDEXOF", args, 1)?;
        want_int("INDEXOF", args, 2)?;
        Ok(PigType::Int)
    },
    |args| {
        if any_null(args) {
            return Ok(Value::Null);
        }
        let (Some(s), Some(search)) = (args.first().and_then(as_str), args.get(1).and_then(as_str)) else {
            return Ok(Value::Null);
        };
        let from = match args.get(2) {
            Some(v) => match as_i64(v) {
                Some(n) => n.max(0),
                None => return Ok(Value::Null),
            },
            None => 0,
        };
        let len = s.chars().count() as i64;
        if from > len {
            return Ok(Value::Int(if search.is_empty() { len as i32 } else { -1 }));
        }
        let start = byte_offset(&s, from as usize);
        Ok(Value::Int(match s[start..].find(&*search) {
            Some(b) => char_index(&s, start + b),
            None => -1,
        }))
    }
}

builtin_fn! {
    /// `LAST_INDEX_OF(string, search)`
    ///
    /// ## What it does
    /// The index (from 0) of the last occurrence of `search` in the string, or -1 when
    /// there is none, as an int. Null in gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE LAST_INDEX_OF(s, 'o');  -- 'hello world' -> 7
    /// ```
    LastIndexOf, "LAST_INDEX_OF",
    |args| two_strings("LAST_INDEX_OF", args, PigType::Int),
    |args| Ok(match str_args(args, 2) {
        Some(v) if v.len() == 2 => Value::Int(match v[0].rfind(&*v[1]) {
            Some(b) => char_index(&v[0], b),
            None => -1,
        }),
        _ => Value::Null,
    })
}

builtin_fn! {
    /// `SUBSTRING(string, startIndex, stopIndex)`
    ///
    /// ## What it does
    /// The characters from `startIndex` (from 0, included) to `stopIndex` (excluded), as
    /// Java's `substring`; a `stopIndex` past the end stops at the end. Null in, a negative
    /// start, or a start past the stop gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE SUBSTRING(alpha, 1, 4);  -- 'ABCDEF' -> 'BCD'
    /// ```
    Substring, "SUBSTRING",
    |args| {
        check_arity("SUBSTRING", args, 3, 3)?;
        want_str("SUBSTRING", args, 0)?;
        want_int("SUBSTRING", args, 1)?;
        want_int("SUBSTRING", args, 2)?;
        Ok(PigType::Chararray)
    },
    |args| {
        let (Some(s), Some(b), Some(e)) = (
            args.first().and_then(as_str),
            args.get(1).and_then(as_i64),
            args.get(2).and_then(as_i64),
        ) else {
            return Ok(Value::Null);
        };
        let len = s.chars().count() as i64;
        let e = e.min(len);
        if b < 0 || b > e {
            return Ok(Value::Null);
        }
        Ok(Value::Chararray(s.chars().skip(b as usize).take((e - b) as usize).collect()))
    }
}

// ---------------------------------------------------------------------------------------
// Regular expressions.

builtin_fn! {
    /// `REGEX_EXTRACT(string, regex, index)`
    ///
    /// ## What it does
    /// Finds the first match of the Java regular expression in the string and gives the
    /// capture group `index` (0 is the whole match). Null when nothing matches, when the
    /// group did not take part in the match or does not exist, or when an argument is null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE REGEX_EXTRACT(s, '(.*):(.*)', 1);  -- '192.168.1.5:8020' -> '192.168.1.5'
    /// ```
    RegexExtract, "REGEX_EXTRACT",
    |args| {
        check_arity("REGEX_EXTRACT", args, 3, 3)?;
        want_str("REGEX_EXTRACT", args, 0)?;
        want_str("REGEX_EXTRACT", args, 1)?;
        want_int("REGEX_EXTRACT", args, 2)?;
        Ok(PigType::Chararray)
    },
    |args| {
        let (Some(s), Some(p), Some(i)) = (
            args.first().and_then(as_str),
            args.get(1).and_then(as_str),
            args.get(2).and_then(as_i64),
        ) else {
            return Ok(Value::Null);
        };
        let re = java_regex(&p).map_err(|e| UdfError(format!("REGEX_EXTRACT: bad regular expression '{p}': {e}")))?;
        let Ok(i) = usize::try_from(i) else {
            return Ok(Value::Null);
        };
        Ok(re
            .captures(&s)
            .and_then(|c| c.get(i))
            .map(|m| Value::Chararray(m.as_str().to_string()))
            .unwrap_or(Value::Null))
    }
}

builtin_fn! {
    /// `REGEX_EXTRACT_ALL(string, regex)`
    ///
    /// ## What it does
    /// Matches the whole string against the Java regular expression and gives a tuple of
    /// all its capture groups (a group that did not take part is null). Null when the
    /// string does not match or an argument is null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE REGEX_EXTRACT_ALL(s, '(.*):(.*)');  -- '192.168.1.5:8020' -> (192.168.1.5,8020)
    /// ```
    RegexExtractAll, "REGEX_EXTRACT_ALL",
    |args| two_strings("REGEX_EXTRACT_ALL", args, PigType::Tuple(None)),
    |args| {
        let Some(v) = str_args(args, 2).filter(|v| v.len() == 2) else {
            return Ok(Value::Null);
        };
        let re = java_regex(&format!("^(?:{})$", v[1]))
            .map_err(|e| UdfError(format!("REGEX_EXTRACT_ALL: bad regular expression '{}': {e}", v[1])))?;
        Ok(match re.captures(&v[0]) {
            Some(c) => Value::Tuple(Box::new(
                c.iter()
                    .skip(1)
                    .map(|m| m.map_or(Value::Null, |m| Value::Chararray(m.as_str().to_string())))
                    .collect(),
            )),
            None => Value::Null,
        })
    }
}

builtin_fn! {
    /// `REGEX_SEARCH(string, regex)`
    ///
    /// ## What it does
    /// Finds every match of the Java regular expression in the string and gives a bag of
    /// one-field tuples `(match)` holding capture group 1 of each match (the whole match
    /// when the pattern has no group). Null when nothing matches or an argument is null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE REGEX_SEARCH(s, '(\\d+)');  -- 'a1b22' -> {(1),(22)}
    /// ```
    RegexSearch, "REGEX_SEARCH",
    |args| two_strings("REGEX_SEARCH", args, bag_type("match", PigType::Chararray)),
    |args| {
        let Some(v) = str_args(args, 2).filter(|v| v.len() == 2) else {
            return Ok(Value::Null);
        };
        let re = java_regex(&v[1])
            .map_err(|e| UdfError(format!("REGEX_SEARCH: bad regular expression '{}': {e}", v[1])))?;
        let g = usize::from(re.captures_len() > 1);
        let found: Vec<Value> = re
            .captures_iter(&v[0])
            .map(|c| c.get(g).map_or(Value::Null, |m| Value::Chararray(m.as_str().to_string())))
            .collect();
        Ok(if found.is_empty() { Value::Null } else { super::bag_of(found) })
    }
}

builtin_fn! {
    /// `REPLACE(string, regex, replacement)`
    ///
    /// ## What it does
    /// Replaces every match of the Java regular expression in the string, as Java's
    /// `String.replaceAll`: the replacement may refer to groups as `$1` or `${name}`, and
    /// `\$` is a literal dollar. Null in, or an invalid pattern or replacement, gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE REPLACE(s, 'software', 'wiki');  -- 'open source software' -> 'open source wiki'
    /// ```
    Replace, "REPLACE",
    |args| {
        check_arity("REPLACE", args, 3, 3)?;
        for i in 0..3 {
            want_str("REPLACE", args, i)?;
        }
        Ok(PigType::Chararray)
    },
    |args| {
        let Some(v) = str_args(args, 3).filter(|v| v.len() == 3) else {
            return Ok(Value::Null);
        };
        let Ok(re) = java_regex(&v[1]) else {
            return Ok(Value::Null);
        };
        let Some(rep) = translate_replacement(&v[2], re.captures_len()) else {
            return Ok(Value::Null);
        };
        Ok(Value::Chararray(re.replace_all(&v[0], rep.as_str()).into_owned()))
    }
}

fn split_args(args: &[Value]) -> Option<(Cow<'_, str>, Regex, i64)> {
    let s = args.first().and_then(as_str)?;
    let re = match args.get(1) {
        None => java_regex("\\s").ok()?,
        Some(p) => java_regex(&as_str(p)?).ok()?,
    };
    let limit = match args.get(2) {
        None => 0,
        Some(v) => as_i64(v)?,
    };
    Some((s, re, limit))
}

fn split_type(name: &str, args: &[PigType], ret: PigType) -> Result<PigType, String> {
    check_arity(name, args, 1, 3)?;
    want_str(name, args, 0)?;
    want_str(name, args, 1)?;
    want_int(name, args, 2)?;
    Ok(ret)
}

builtin_fn! {
    /// `STRSPLIT(string [, regex [, limit]])`
    ///
    /// ## What it does
    /// Splits the string around matches of the Java regular expression (default `\s`), as
    /// Java's `String.split(regex, limit)`, and gives the pieces as a tuple. A positive
    /// `limit` gives at most that many pieces (the last holds the rest); 0 (the default)
    /// drops trailing empty pieces. Null in, or an invalid pattern, gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE STRSPLIT(s, ':', 2);  -- 'open:source:software' -> (open,source:software)
    /// ```
    StrSplit, "STRSPLIT",
    |args| split_type("STRSPLIT", args, PigType::Tuple(None)),
    |args| Ok(match split_args(args) {
        Some((s, re, limit)) => Value::Tuple(Box::new(
            java_split(&s, &re, limit).into_iter().map(Value::Chararray).collect(),
        )),
        None => Value::Null,
    })
}

builtin_fn! {
    /// `STRSPLITTOBAG(string [, regex [, limit]])`
    ///
    /// ## What it does
    /// Like `STRSPLIT`, but gives the pieces as a bag of one-field tuples.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE STRSPLITTOBAG(s, ':');  -- 'a:b:c' -> {(a),(b),(c)}
    /// ```
    StrSplitToBag, "STRSPLITTOBAG",
    |args| split_type("STRSPLITTOBAG", args, PigType::Bag(Some(Schema::new(vec![Field::unnamed(PigType::Chararray)])))),
    |args| Ok(match split_args(args) {
        Some((s, re, limit)) => super::bag_of(java_split(&s, &re, limit).into_iter().map(Value::Chararray)),
        None => Value::Null,
    })
}

// ---------------------------------------------------------------------------------------
// UniqueID

/// `UniqueID()`
///
/// ## What it does
/// A chararray unique within the run, of the form `task-sequence` (`0-0`, `0-1`, ...).
///
/// ## Example
/// ```pig
/// B = FOREACH A GENERATE UniqueID(), name;
/// ```
#[derive(Debug, Default)]
pub struct UniqueId {
    next: AtomicU64,
}

impl EvalFunc for UniqueId {
    fn name(&self) -> &str {
        "UniqueID"
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        check_arity("UniqueID", args, 0, 0)?;
        Ok(PigType::Chararray)
    }
    fn eval(&self, _args: &[Value]) -> Result<Value, UdfError> {
        let n = self.next.fetch_add(1, AtomicOrdering::Relaxed);
        Ok(Value::Chararray(format!("0-{n}")))
    }
    fn is_volatile(&self) -> bool {
        true
    }
}

// ---------------------------------------------------------------------------------------
// SPRINTF

builtin_fn! {
    /// `SPRINTF(format, arg1, arg2, ...)`
    ///
    /// ## What it does
    /// Formats the arguments with a Java `String.format` pattern: `%s`, `%d`, `%f`,
    /// `%.2f`, `%e`, `%g`, `%x`, `%o`, `%c`, `%b`, `%%`, `%n`, with widths, precisions,
    /// argument indexes (`%2$s`) and the flags `-`, `0`, `+`, space, `,`, `(` and `#`.
    /// Null when any argument is null, or when the pattern does not fit the arguments
    /// (Java would raise an error; Pig gives null). Date/time conversions (`%t`) are not
    /// supported.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE SPRINTF('part-%05d', 69);  -- 'part-00069'
    /// ```
    Sprintf, "SPRINTF",
    |args| {
        check_arity("SPRINTF", args, 1, usize::MAX)?;
        want_str("SPRINTF", args, 0)?;
        Ok(PigType::Chararray)
    },
    |args| {
        if args.is_empty() || any_null(args) {
            return Ok(Value::Null);
        }
        let Some(fmt) = as_str(&args[0]) else {
            return Ok(Value::Null);
        };
        Ok(match java_format(&fmt, &args[1..]) {
            Some(s) => Value::Chararray(s),
            None => Value::Null,
        })
    }
}

/// The largest width or precision `SPRINTF` accepts.
const MAX_FORMAT_WIDTH: usize = 1 << 20;

/// Java's `String.format`; `None` when the pattern is bad or does not fit the arguments.
pub(crate) fn java_format(fmt: &str, args: &[Value]) -> Option<String> {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0usize;
    let mut last_arg: Option<usize> = None;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        // [argument_index$]
        let mut index: Option<usize> = None;
        let save = i;
        let mut n = 0usize;
        let mut has = false;
        while i < chars.len() && chars[i].is_ascii_digit() {
            n = n
                .checked_mul(10)?
                .checked_add(chars[i].to_digit(10)? as usize)?;
            i += 1;
            has = true;
        }
        if has && chars.get(i) == Some(&'$') {
            index = Some(n.checked_sub(1)?);
            i += 1;
        } else {
            i = save;
        }
        let mut relative = false;
        if chars.get(i) == Some(&'<') {
            relative = true;
            i += 1;
        }
        // flags
        let mut flags = String::new();
        while let Some(&f) = chars.get(i) {
            if "-#+ 0,(".contains(f) {
                flags.push(f);
                i += 1;
            } else {
                break;
            }
        }
        // width
        let mut width: Option<usize> = None;
        while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
            width = Some(
                width
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(d as usize)?,
            );
            i += 1;
        }
        // precision
        let mut prec: Option<usize> = None;
        if chars.get(i) == Some(&'.') {
            i += 1;
            let mut p = 0usize;
            let mut any = false;
            while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                p = p.checked_mul(10)?.checked_add(d as usize)?;
                i += 1;
                any = true;
            }
            if !any {
                return None;
            }
            prec = Some(p);
        }
        // Refuse absurd sizes instead of allocating them.
        if width.unwrap_or(0) > MAX_FORMAT_WIDTH || prec.unwrap_or(0) > MAX_FORMAT_WIDTH {
            return None;
        }
        let conv = *chars.get(i)?;
        i += 1;
        match conv {
            '%' => {
                out.push_str(&pad("%", width, flags.contains('-')));
                continue;
            }
            'n' => {
                out.push('\n');
                continue;
            }
            _ => {}
        }
        let arg_i = if relative {
            last_arg?
        } else if let Some(ix) = index {
            ix
        } else {
            let a = next_arg;
            next_arg += 1;
            a
        };
        last_arg = Some(arg_i);
        let arg = args.get(arg_i)?;
        let text = format_one(conv, &flags, width, prec, arg)?;
        out.push_str(&text);
    }
    Some(out)
}

fn pad(s: &str, width: Option<usize>, left: bool) -> String {
    let len = s.chars().count();
    match width {
        Some(w) if w > len => {
            let fill = " ".repeat(w - len);
            if left {
                format!("{s}{fill}")
            } else {
                format!("{fill}{s}")
            }
        }
        _ => s.to_string(),
    }
}

/// Formats one conversion.
fn format_one(
    conv: char,
    flags: &str,
    width: Option<usize>,
    prec: Option<usize>,
    arg: &Value,
) -> Option<String> {
    let left = flags.contains('-');
    let upper = conv.is_ascii_uppercase();
    match conv.to_ascii_lowercase() {
        's' => {
            let mut s = value_text(arg);
            if let Some(p) = prec {
                s = s.chars().take(p).collect();
            }
            if upper {
                s = s.to_uppercase();
            }
            Some(pad(&s, width, left))
        }
        'b' => {
            let mut s = match arg {
                Value::Null => "false".to_string(),
                Value::Boolean(b) => b.to_string(),
                _ => "true".to_string(),
            };
            if let Some(p) = prec {
                s = s.chars().take(p).collect();
            }
            if upper {
                s = s.to_uppercase();
            }
            Some(pad(&s, width, left))
        }
        'c' => {
            let ch = match arg {
                Value::Int(i) => char::from_u32(u32::try_from(*i).ok()?)?,
                Value::Chararray(s) if s.chars().count() == 1 => s.chars().next()?,
                _ => return None,
            };
            let s = if upper {
                ch.to_uppercase().collect()
            } else {
                ch.to_string()
            };
            Some(pad(&s, width, left))
        }
        'd' => {
            let (neg, digits) = match arg {
                Value::Int(i) => (*i < 0, i.unsigned_abs().to_string()),
                Value::Long(l) => (*l < 0, l.unsigned_abs().to_string()),
                Value::BigInteger(b) => (
                    b.sign() == num_bigint::Sign::Minus,
                    b.magnitude().to_string(),
                ),
                _ => return None,
            };
            if prec.is_some() {
                return None;
            }
            let digits = if flags.contains(',') {
                group(&digits)
            } else {
                digits
            };
            Some(finish_number(neg, &digits, flags, width))
        }
        'x' | 'o' => {
            let radix = if conv.eq_ignore_ascii_case(&'x') {
                16
            } else {
                8
            };
            let (neg, digits) = match arg {
                Value::Int(i) => (false, to_radix(u64::from(*i as u32), radix)),
                Value::Long(l) => (false, to_radix(*l as u64, radix)),
                Value::BigInteger(b) => (
                    b.sign() == num_bigint::Sign::Minus,
                    b.magnitude().to_str_radix(radix as u32),
                ),
                _ => return None,
            };
            if prec.is_some() {
                return None;
            }
            let mut digits = digits;
            if flags.contains('#') {
                digits = format!("{}{digits}", if radix == 16 { "0x" } else { "0" });
            }
            if upper {
                digits = digits.to_uppercase();
            }
            Some(finish_number(neg, &digits, flags, width))
        }
        'f' | 'e' | 'g' | 'a' => {
            let d = match arg {
                Value::Float(f) => f64::from(*f),
                Value::Double(d) => *d,
                Value::BigDecimal(b) => num_traits::ToPrimitive::to_f64(&**b)?,
                _ => return None,
            };
            if d.is_nan() || d.is_infinite() {
                let s = if d.is_nan() {
                    "NaN".to_string()
                } else if d > 0.0 {
                    if flags.contains('+') {
                        "+Infinity".into()
                    } else {
                        "Infinity".into()
                    }
                } else if flags.contains('(') {
                    "(Infinity)".into()
                } else {
                    "-Infinity".into()
                };
                return Some(pad(&s, width, left));
            }
            let neg = d.is_sign_negative();
            let (digits, point) = shortest_digits(d.abs());
            let body = match conv.to_ascii_lowercase() {
                'f' => {
                    let s = fixed(&digits, point, prec.unwrap_or(6));
                    if flags.contains(',') {
                        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
                        if frac.is_empty() {
                            group(int)
                        } else {
                            format!("{}.{frac}", group(int))
                        }
                    } else {
                        s
                    }
                }
                'e' => sci(&digits, point, prec.unwrap_or(6)),
                'g' => {
                    let p = match prec {
                        Some(0) => 1,
                        Some(p) => p,
                        None => 6,
                    };
                    // Java: after rounding to p significant digits, plain when
                    // 10^-4 <= x < 10^p, else scientific.
                    let (rd, rp) = round_digits(&digits, point, p);
                    let is_zero = rd.iter().all(|&c| c == b'0');
                    if is_zero || (rp > -4 && rp <= p as i32) {
                        let decimals = (p as i32 - rp).max(0) as usize;
                        fixed(&digits, point, decimals)
                    } else {
                        sci(&digits, point, p - 1)
                    }
                }
                _ => return None,
            };
            let body = if upper { body.to_uppercase() } else { body };
            Some(finish_number(neg, &body, flags, width))
        }
        _ => None,
    }
}

fn to_radix(mut n: u64, radix: u64) -> String {
    if n == 0 {
        return "0".into();
    }
    let mut v = Vec::new();
    while n > 0 {
        v.push(std::char::from_digit((n % radix) as u32, radix as u32).unwrap_or('0'));
        n /= radix;
    }
    v.iter().rev().collect()
}

/// Groups the digits of an integer part by thousands with commas.
fn group(int: &str) -> String {
    let n = int.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Applies sign flags, zero padding and width to the magnitude text of a number.
fn finish_number(neg: bool, mag: &str, flags: &str, width: Option<usize>) -> String {
    let (pre, post) = if neg {
        if flags.contains('(') {
            ("(", ")")
        } else {
            ("-", "")
        }
    } else if flags.contains('+') {
        ("+", "")
    } else if flags.contains(' ') {
        (" ", "")
    } else {
        ("", "")
    };
    let len = pre.len() + mag.chars().count() + post.len();
    if let Some(w) = width.filter(|&w| w > len && flags.contains('0') && !flags.contains('-')) {
        return format!("{pre}{}{mag}{post}", "0".repeat(w - len));
    }
    pad(&format!("{pre}{mag}{post}"), width, flags.contains('-'))
}

/// The shortest decimal digits of a non-negative finite double and the position of the
/// decimal point (digits before it): 12.5 → ("125", 2); 0.05 → ("5", -1).
fn shortest_digits(d: f64) -> (Vec<u8>, i32) {
    if d == 0.0 {
        return (vec![b'0'], 1);
    }
    let e = format!("{d:e}");
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    (digits, exp + 1)
}

/// Rounds digits (half up) to `keep` significant digits; returns new digits and point.
fn round_digits(digits: &[u8], point: i32, keep: usize) -> (Vec<u8>, i32) {
    let mut d: Vec<u8> = digits.to_vec();
    let mut point = point;
    if keep < d.len() {
        let up = d[keep] >= b'5';
        d.truncate(keep);
        if up {
            let mut i = keep;
            loop {
                if i == 0 {
                    d.insert(0, b'1');
                    point += 1;
                    d.pop();
                    break;
                }
                i -= 1;
                if d[i] == b'9' {
                    d[i] = b'0';
                } else {
                    d[i] += 1;
                    break;
                }
            }
        }
    }
    (d, point)
}

/// Plain notation with `decimals` digits after the point, rounding half up.
fn fixed(digits: &[u8], point: i32, decimals: usize) -> String {
    // Put leading zeros so that the point is within/after the digits.
    let mut d: Vec<u8> = Vec::new();
    let mut point = point;
    if point <= 0 {
        d.extend(std::iter::repeat_n(b'0', (1 - point) as usize));
        point = 1;
    }
    d.extend_from_slice(digits);
    let keep = point as usize + decimals;
    let (mut d, point) = if keep < d.len() {
        let (r, p) = round_digits(&d, point, keep);
        // round_digits drops one digit when it carries over; restore the length.
        let mut r = r;
        while r.len() < keep + (p - point) as usize {
            r.push(b'0');
        }
        (r, p)
    } else {
        (d, point)
    };
    while d.len() < point as usize + decimals {
        d.push(b'0');
    }
    let int: String = d[..point as usize].iter().map(|&b| b as char).collect();
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    if decimals == 0 {
        int.to_string()
    } else {
        let frac: String = d[point as usize..point as usize + decimals]
            .iter()
            .map(|&b| b as char)
            .collect();
        format!("{int}.{frac}")
    }
}

/// Java's `%e`: one digit, the point, `decimals` digits, `e`, a sign and two or more
/// exponent digits.
fn sci(digits: &[u8], point: i32, decimals: usize) -> String {
    let zero = digits.iter().all(|&c| c == b'0');
    let (mut d, p) = if zero {
        (vec![b'0'], 1)
    } else {
        round_digits(digits, point, decimals + 1)
    };
    while d.len() < decimals + 1 {
        d.push(b'0');
    }
    let exp = if zero { 0 } else { p - 1 };
    let first = d[0] as char;
    let rest: String = d[1..=decimals].iter().map(|&b| b as char).collect();
    let sign = if exp < 0 { '-' } else { '+' };
    let mant = if decimals == 0 {
        first.to_string()
    } else {
        format!("{first}.{rest}")
    };
    format!("{mant}e{sign}{:02}", exp.abs())
}

// ---------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }
    fn call(f: &dyn EvalFunc, args: &[Value]) -> Value {
        f.eval(args).unwrap()
    }
    fn text(v: Value) -> String {
        match v {
            Value::Chararray(s) => s,
            other => panic!("not a chararray: {other:?}"),
        }
    }

    #[test]
    fn case_and_trim() {
        assert_eq!(text(call(&Upper, &[s("Hello World")])), "HELLO WORLD");
        assert_eq!(text(call(&Lower, &[s("pig LATIN")])), "pig latin");
        assert_eq!(text(call(&UcFirst, &[s("pig")])), "Pig");
        assert_eq!(text(call(&LcFirst, &[s("PIG")])), "pIG");
        assert_eq!(text(call(&UcFirst, &[s("")])), "");
        assert_eq!(text(call(&Trim, &[s("  pig  ")])), "pig");
        assert_eq!(text(call(&LTrim, &[s("  pig  ")])), "pig  ");
        assert_eq!(text(call(&RTrim, &[s("  pig  ")])), "  pig");
        assert!(matches!(call(&Upper, &[Value::Null]), Value::Null));
        assert_eq!(
            text(call(&Upper, &[Value::Bytearray(b"ab".to_vec())])),
            "AB"
        );
        assert!(Upper.return_type(&[PigType::Int]).is_err());
        assert!(Upper.return_type(&[]).is_err());
        assert_eq!(
            Upper.return_type(&[PigType::Bytearray]),
            Ok(PigType::Chararray)
        );
    }

    #[test]
    fn starts_ends_equals() {
        assert!(matches!(
            call(&StartsWith, &[s("foobar"), s("foo")]),
            Value::Boolean(true)
        ));
        assert!(matches!(
            call(&StartsWith, &[s("foobar"), s("bar")]),
            Value::Boolean(false)
        ));
        assert!(matches!(
            call(&EndsWith, &[s("foobar"), s("bar")]),
            Value::Boolean(true)
        ));
        assert!(matches!(
            call(&EndsWith, &[s("foobar"), Value::Null]),
            Value::Null
        ));
        assert!(matches!(
            call(&EqualsIgnoreCase, &[s("PiG"), s("pig")]),
            Value::Boolean(true)
        ));
        assert!(matches!(
            call(&EqualsIgnoreCase, &[s("pig"), s("pigs")]),
            Value::Boolean(false)
        ));
        assert!(
            StartsWith
                .return_type(&[PigType::Chararray, PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn index_of() {
        let h = s("hello world");
        assert!(matches!(
            call(&IndexOf, &[h.clone(), s("o"), Value::Int(0)]),
            Value::Int(4)
        ));
        assert!(matches!(
            call(&IndexOf, &[h.clone(), s("o"), Value::Int(5)]),
            Value::Int(7)
        ));
        assert!(matches!(
            call(&IndexOf, &[h.clone(), s("z"), Value::Int(0)]),
            Value::Int(-1)
        ));
        assert!(matches!(
            call(&IndexOf, &[h.clone(), s("o")]),
            Value::Int(4)
        ));
        assert!(matches!(
            call(&IndexOf, &[h.clone(), s("o"), Value::Int(99)]),
            Value::Int(-1)
        ));
        assert!(matches!(
            call(&LastIndexOf, &[h.clone(), s("o")]),
            Value::Int(7)
        ));
        assert!(matches!(call(&LastIndexOf, &[h, Value::Null]), Value::Null));
        assert!(matches!(
            call(&IndexOf, &[s("héllo"), s("l")]),
            Value::Int(2)
        ));
        assert!(
            IndexOf
                .return_type(&[PigType::Chararray, PigType::Chararray, PigType::Double])
                .is_err()
        );
    }

    #[test]
    fn substring() {
        assert_eq!(
            text(call(
                &Substring,
                &[s("ABCDEF"), Value::Int(1), Value::Int(4)]
            )),
            "BCD"
        );
        assert_eq!(
            text(call(
                &Substring,
                &[s("ABCDEF"), Value::Int(0), Value::Int(1)]
            )),
            "A"
        );
        assert_eq!(
            text(call(
                &Substring,
                &[s("ABCDEF"), Value::Int(2), Value::Int(100)]
            )),
            "CDEF"
        );
        assert!(matches!(
            call(&Substring, &[s("ABC"), Value::Int(-1), Value::Int(2)]),
            Value::Null
        ));
        assert!(matches!(
            call(&Substring, &[s("ABC"), Value::Int(5), Value::Int(9)]),
            Value::Null
        ));
        assert!(matches!(
            call(&Substring, &[s("ABC"), Value::Int(2), Value::Int(1)]),
            Value::Null
        ));
        assert!(matches!(
            call(&Substring, &[Value::Null, Value::Int(0), Value::Int(1)]),
            Value::Null
        ));
        assert!(
            Substring
                .return_type(&[PigType::Chararray, PigType::Int])
                .is_err()
        );
        assert!(
            Substring
                .return_type(&[PigType::Chararray, PigType::Chararray, PigType::Int])
                .is_err()
        );
    }

    #[test]
    fn regex_extract() {
        let ip = s("192.168.1.5:8020");
        assert_eq!(
            text(call(
                &RegexExtract,
                &[ip.clone(), s("(.*):(.*)"), Value::Int(1)]
            )),
            "192.168.1.5"
        );
        assert_eq!(
            text(call(
                &RegexExtract,
                &[ip.clone(), s("(.*):(.*)"), Value::Int(2)]
            )),
            "8020"
        );
        assert!(matches!(
            call(&RegexExtract, &[ip.clone(), s("(.*):(.*)"), Value::Int(3)]),
            Value::Null
        ));
        assert!(matches!(
            call(&RegexExtract, &[ip.clone(), s("x(y)"), Value::Int(1)]),
            Value::Null
        ));
        assert!(
            RegexExtract
                .eval(&[ip.clone(), s("(?=a)"), Value::Int(1)])
                .is_err()
        );
        match call(&RegexExtractAll, &[ip.clone(), s("(.*):(.*)")]) {
            Value::Tuple(t) => {
                assert_eq!(t.len(), 2);
                assert!(matches!(&t[1], Value::Chararray(x) if x == "8020"));
            }
            other => panic!("{other:?}"),
        }
        // REGEX_EXTRACT_ALL matches the whole string.
        assert!(matches!(
            call(&RegexExtractAll, &[ip.clone(), s("(\\d+)")]),
            Value::Null
        ));
        match call(&RegexSearch, &[s("a1b22"), s("(\\d+)")]) {
            Value::Bag(b) => assert_eq!(b.len(), 2),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            call(&RegexSearch, &[s("abc"), s("(\\d+)")]),
            Value::Null
        ));
        assert!(matches!(
            call(&RegexExtractAll, &[Value::Null, s("x")]),
            Value::Null
        ));
        assert!(
            RegexExtract
                .return_type(&[PigType::Chararray, PigType::Chararray, PigType::Chararray])
                .is_err()
        );
    }

    #[test]
    fn java_regex_translation() {
        assert!(java_regex("\\p{Alpha}+").unwrap().is_match("abc"));
        assert!(java_regex("\\Qa.b\\E").unwrap().is_match("a.b"));
        assert!(!java_regex("\\Qa.b\\E").unwrap().is_match("axb"));
        assert!(java_regex("(a)\\1").is_err());
        assert!(java_regex("a*+").is_err());
        assert!(java_regex("a{2}+").is_err());
        assert!(java_regex("\\++").is_ok());
        assert!(java_regex("\\p{Digit}+").unwrap().is_match("42"));
    }

    #[test]
    fn replace() {
        assert_eq!(
            text(call(
                &Replace,
                &[s("open source software"), s("software"), s("wiki")]
            )),
            "open source wiki"
        );
        assert_eq!(
            text(call(&Replace, &[s("a1b2"), s("(\\d)"), s("<$1>")])),
            "a<1>b<2>"
        );
        assert_eq!(
            text(call(&Replace, &[s("a1"), s("(\\d)"), s("$10")])),
            "a10"
        );
        assert_eq!(text(call(&Replace, &[s("a1"), s("\\d"), s("\\$")])), "a$");
        assert!(matches!(
            call(&Replace, &[s("a1"), s("\\d"), s("$x")]),
            Value::Null
        ));
        assert!(matches!(
            call(&Replace, &[Value::Null, s("a"), s("b")]),
            Value::Null
        ));
        assert!(
            Replace
                .return_type(&[PigType::Chararray, PigType::Chararray])
                .is_err()
        );
    }

    #[test]
    fn split() {
        let v = call(
            &StrSplit,
            &[s("open:source:software"), s(":"), Value::Int(2)],
        );
        match v {
            Value::Tuple(t) => {
                assert_eq!(t.len(), 2);
                assert!(matches!(&t[1], Value::Chararray(x) if x == "source:software"));
            }
            other => panic!("{other:?}"),
        }
        let parts = |src: &str, re: &str, lim: i64| java_split(src, &java_regex(re).unwrap(), lim);
        assert_eq!(parts("a:b:c", ":", 0), vec!["a", "b", "c"]);
        assert_eq!(parts("a:b::", ":", 0), vec!["a", "b"]);
        assert_eq!(parts("a:b::", ":", -1), vec!["a", "b", "", ""]);
        assert_eq!(parts("", ":", 0), vec![""]);
        assert_eq!(parts("abc", "", 0), vec!["a", "b", "c"]);
        assert_eq!(parts("a b", "\\s", 0), vec!["a", "b"]);
        match call(&StrSplitToBag, &[s("a b c")]) {
            Value::Bag(b) => assert_eq!(b.len(), 3),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            call(&StrSplit, &[Value::Null, s(":")]),
            Value::Null
        ));
        assert!(StrSplit.return_type(&[PigType::Int]).is_err());
    }

    #[test]
    fn unique_id() {
        let u = UniqueId::default();
        assert_eq!(text(call(&u, &[])), "0-0");
        assert_eq!(text(call(&u, &[])), "0-1");
        assert!(u.is_volatile());
        assert!(u.return_type(&[PigType::Int]).is_err());
    }

    fn f(fmt: &str, args: &[Value]) -> Option<String> {
        java_format(fmt, args)
    }

    #[test]
    fn sprintf() {
        assert_eq!(
            text(call(&Sprintf, &[s("part-%05d"), Value::Int(69)])),
            "part-00069"
        );
        assert_eq!(
            text(call(
                &Sprintf,
                &[
                    s("%8s|%8d|%-8s"),
                    Value::Int(1234567),
                    Value::Int(1234567),
                    s("yay")
                ]
            )),
            " 1234567| 1234567|yay     "
        );
        assert_eq!(f("%.2f", &[Value::Double(2.34567)]).unwrap(), "2.35");
        assert_eq!(f("%.2f", &[Value::Double(0.125)]).unwrap(), "0.13");
        assert_eq!(f("%.2f", &[Value::Double(1.005)]).unwrap(), "1.01");
        assert_eq!(f("%f", &[Value::Double(1.5)]).unwrap(), "1.500000");
        assert_eq!(f("%.0f", &[Value::Double(2.5)]).unwrap(), "3");
        assert_eq!(f("%.1f", &[Value::Double(9.96)]).unwrap(), "10.0");
        assert_eq!(f("%.2f", &[Value::Double(0.001)]).unwrap(), "0.00");
        assert_eq!(f("%.2f", &[Value::Double(0.005)]).unwrap(), "0.01");
        assert_eq!(
            f("%,.2f", &[Value::Double(1234567.891)]).unwrap(),
            "1,234,567.89"
        );
        assert_eq!(f("%e", &[Value::Double(12.345)]).unwrap(), "1.234500e+01");
        assert_eq!(f("%.2e", &[Value::Double(0.000123)]).unwrap(), "1.23e-04");
        assert_eq!(f("%E", &[Value::Double(0.0)]).unwrap(), "0.000000E+00");
        assert_eq!(f("%g", &[Value::Double(12.345)]).unwrap(), "12.3450");
        assert_eq!(f("%g", &[Value::Double(1e-5)]).unwrap(), "1.00000e-05");
        assert_eq!(f("%x", &[Value::Int(255)]).unwrap(), "ff");
        assert_eq!(f("%X", &[Value::Int(-1)]).unwrap(), "FFFFFFFF");
        assert_eq!(f("%#x", &[Value::Long(255)]).unwrap(), "0xff");
        assert_eq!(f("%o", &[Value::Int(8)]).unwrap(), "10");
        assert_eq!(
            f(
                "%+d|% d|%(d",
                &[Value::Int(5), Value::Int(5), Value::Int(-5)]
            )
            .unwrap(),
            "+5| 5|(5)"
        );
        assert_eq!(f("%,d", &[Value::Long(1234567)]).unwrap(), "1,234,567");
        assert_eq!(f("%06d", &[Value::Int(-42)]).unwrap(), "-00042");
        assert_eq!(f("%5s|%-5s|", &[s("ab"), s("cd")]).unwrap(), "   ab|cd   |");
        assert_eq!(f("%.2s", &[s("abc")]).unwrap(), "ab");
        assert_eq!(
            f("%s %s", &[Value::Double(1.0), Value::Float(3.8)]).unwrap(),
            "1.0 3.8"
        );
        assert_eq!(f("100%%", &[]).unwrap(), "100%");
        assert_eq!(f("%2$s %1$s", &[s("a"), s("b")]).unwrap(), "b a");
        assert_eq!(f("%c", &[Value::Int(65)]).unwrap(), "A");
        assert_eq!(f("%b", &[Value::Boolean(false)]).unwrap(), "false");
        assert_eq!(f("%S", &[s("ab")]).unwrap(), "AB");
        // Mismatches give None (SPRINTF gives null).
        assert!(f("%d", &[Value::Double(1.0)]).is_none());
        assert!(f("%f", &[Value::Int(1)]).is_none());
        assert!(f("%s %s", &[s("a")]).is_none());
        assert!(f("%q", &[s("a")]).is_none());
        assert!(f("%999999999s", &[s("a")]).is_none());
        assert!(matches!(
            call(&Sprintf, &[s("%d"), Value::Null]),
            Value::Null
        ));
        assert!(Sprintf.return_type(&[]).is_err());
        assert!(Sprintf.return_type(&[PigType::Int]).is_err());
    }
}
