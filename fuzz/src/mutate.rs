//! Mutations of existing scripts: byte and token edits, splices, truncation, odd unicode
//! and "interesting" fragments (deep nesting, huge numbers, unterminated strings).

use fastrand::Rng;
use pigrs_grammar::lexer::tokenize;

/// Fragments worth inserting: keywords, punctuation, edge-case literals and names.
const DICTIONARY: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ";",
    ",",
    ".",
    "..",
    "::",
    "#",
    "?",
    ":",
    "$",
    "$0",
    "$1",
    "$99999999999",
    "*",
    "-",
    "==",
    "!=",
    "'",
    "\"",
    "`",
    "/*",
    "*/",
    "--",
    "\n",
    "\\",
    "\\u",
    "'\\u12'",
    "%declare",
    "%default",
    "$undefined",
    "${",
    "LOAD",
    "FOREACH",
    "GENERATE",
    "FILTER",
    "GROUP",
    "COGROUP",
    "JOIN",
    "BY",
    "ALL",
    "AS",
    "USING",
    "INTO",
    "STORE",
    "DUMP",
    "FLATTEN",
    "DEFINE",
    "RETURNS",
    "IMPORT",
    "SPLIT",
    "IF",
    "OTHERWISE",
    "UNION",
    "ONSCHEMA",
    "CROSS",
    "DISTINCT",
    "ORDER",
    "LIMIT",
    "SAMPLE",
    "RANK",
    "DENSE",
    "CUBE",
    "ROLLUP",
    "ASSERT",
    "STREAM",
    "THROUGH",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "IS",
    "NOT",
    "NULL",
    "MATCHES",
    "IN",
    "AND",
    "OR",
    "tuple",
    "bag",
    "map[]",
    "int",
    "long",
    "chararray",
    "bytearray",
    "bigdecimal",
    "biginteger",
    "datetime",
    "boolean",
    "2147483648",
    "-2147483649",
    "9223372036854775808L",
    "1e999",
    "0x1F",
    "1.5e-400F",
    "99999999999999999999BI",
    "1.0BD",
    "PARALLEL 0",
    "PARALLEL 99999999999",
    "group",
    "COUNT",
    "SUM",
    "TOTUPLE",
    "TOBAG",
    "describe",
    "explain",
    "-verbose",
    "fs",
    "sh",
    "rmf",
    "exec",
    "run",
    "REGISTER",
    "SET",
];

/// Characters that stress the lexer's byte/char boundaries.
const UNICODE: &[char] = &[
    '\u{0}',
    '\u{7f}',
    '\u{a0}',
    'é',
    'ß',
    '€',
    '日',
    '\u{200b}',
    '\u{feff}',
    '\u{2028}',
    '𝔘',
    '🦀',
    '\u{10ffff}',
    '\u{fffd}',
    '\t',
    '\r',
];

fn char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn pos(rng: &mut Rng, s: &str) -> usize {
    char_boundary(s, rng.usize(..=s.len()))
}

fn range(rng: &mut Rng, s: &str, max: usize) -> (usize, usize) {
    let a = pos(rng, s);
    let b = char_boundary(s, a + rng.usize(..=max));
    (a, b.max(a))
}

fn random_char(rng: &mut Rng) -> char {
    match rng.u8(..4) {
        0 => UNICODE[rng.usize(..UNICODE.len())],
        1 => rng.char(..),
        _ => char::from(rng.u8(0x20..0x7f)),
    }
}

/// One random edit of `s`, `other` being a second script to splice from.
fn mutate_once(rng: &mut Rng, s: &mut String, other: &str) {
    match rng.u8(..16) {
        0 => {
            let (a, b) = range(rng, s, 16);
            s.replace_range(a..b, "");
        }
        1 => {
            let p = pos(rng, s);
            s.insert(p, random_char(rng));
        }
        2 => {
            let (a, b) = range(rng, s, 32);
            let dup = s[a..b].to_string();
            let p = pos(rng, s);
            s.insert_str(p, &dup);
        }
        3 => {
            let p = pos(rng, s);
            s.truncate(p);
        }
        4 | 5 => {
            let p = pos(rng, s);
            let w = DICTIONARY[rng.usize(..DICTIONARY.len())];
            let pad = if rng.bool() { " " } else { "" };
            s.insert_str(p, &format!("{pad}{w}{pad}"));
        }
        6 => {
            // Deep nesting of one bracket kind, balanced or not.
            let p = pos(rng, s);
            let max = if rng.u8(..8) == 0 { 100_000 } else { 1000 };
            let n = 1 + rng.usize(..max);
            let (open, close) =
                [("(", ")"), ("{", "}"), ("[", "]"), ("-", ""), ("NOT ", "")][rng.usize(..5)];
            let mut ins = open.repeat(n);
            ins.push('1');
            if rng.bool() {
                ins.push_str(&close.repeat(n));
            }
            s.insert_str(p, &ins);
        }
        7 => {
            // Replace a byte with a random one, keeping the text valid UTF-8.
            let p = pos(rng, s);
            if p < s.len() {
                let end = p + s[p..].chars().next().map_or(0, char::len_utf8);
                let c = random_char(rng);
                s.replace_range(p..end, c.encode_utf8(&mut [0; 4]));
            }
        }
        8 => {
            // Splice a piece of the other script.
            if !other.is_empty() {
                let (a, b) = range(rng, other, 200);
                let p = pos(rng, s);
                s.insert_str(p, &other[a..b]);
            }
        }
        9 => {
            // A long run of one binary operator: `1+1+1+...`.
            let p = pos(rng, s);
            let op = ["+", " AND ", " OR ", ".", "#'k'", "*", "::x"][rng.usize(..7)];
            let max = if rng.u8(..8) == 0 { 100_000 } else { 1000 };
            let n = 1 + rng.usize(..max);
            let mut ins = "x".to_string();
            for _ in 0..n {
                ins.push_str(op);
                if !op.starts_with('#') && !op.starts_with(':') {
                    ins.push('y');
                }
            }
            s.insert_str(p, &ins);
        }
        _ => token_mutation(rng, s, other),
    }
}

/// Edits at token granularity, using the real lexer's token boundaries.
fn token_mutation(rng: &mut Rng, s: &mut String, other: &str) {
    let (toks, _) = tokenize(s);
    if toks.is_empty() {
        s.push_str(DICTIONARY[rng.usize(..DICTIONARY.len())]);
        return;
    }
    let pick = |rng: &mut Rng| {
        let (a, _, b) = &toks[rng.usize(..toks.len())];
        (*a, *b)
    };
    let (a, b) = pick(rng);
    if !(s.is_char_boundary(a) && s.is_char_boundary(b) && a <= b && b <= s.len()) {
        return;
    }
    match rng.u8(..6) {
        0 => s.replace_range(a..b, ""),
        1 => {
            let t = s[a..b].to_string();
            s.insert_str(b, &format!(" {t}"));
        }
        2 => {
            let (c, d) = pick(rng);
            if c >= b && s.is_char_boundary(c) && s.is_char_boundary(d) && d <= s.len() {
                let (x, y) = (s[a..b].to_string(), s[c..d].to_string());
                s.replace_range(c..d, &x);
                s.replace_range(a..b, &y);
            }
        }
        3 => {
            // A token from the other script.
            let (otoks, _) = tokenize(other);
            if let Some(&(c, _, d)) = otoks.get(rng.usize(..otoks.len().max(1)))
                && other.is_char_boundary(c)
                && other.is_char_boundary(d)
                && c <= d
            {
                s.replace_range(a..b, &other[c..d]);
            }
        }
        4 => {
            let w = DICTIONARY[rng.usize(..DICTIONARY.len())];
            s.replace_range(a..b, w);
        }
        _ => {
            // Repeat a token many times.
            let t = s[a..b].to_string();
            let n = 1 + rng.usize(..64);
            s.insert_str(b, &format!(" {t}").repeat(n));
        }
    }
}

/// Applies 1 to 8 random mutations to `base`.
pub fn mutate(rng: &mut Rng, base: &str, other: &str) -> String {
    let mut s = base.to_string();
    let n = 1 + rng.usize(..8);
    for _ in 0..n {
        mutate_once(rng, &mut s, other);
        if s.len() > 200_000 {
            s.truncate(char_boundary(&s, 200_000));
        }
    }
    s
}
