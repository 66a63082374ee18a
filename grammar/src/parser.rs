//! The parser driver: runs the lexer, the generated LALR(1) parser (`grammar.lalrpop`),
//! and turns lalrpop's errors into [`ParseError`]s. Also holds the small helpers the
//! grammar's actions call.

use crate::ast::{BinaryOp, Expr, ExprKind, FuncSpec, Ident, Script, ScriptCall};
use crate::error::{ParseError, cap, expected_phrase, pretty_expected};
use crate::lexer::{self, Tok};
use crate::span::{Span, Spanned};
use lalrpop_util::ParseError as LalrpopError;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, unused_imports, missing_docs)]
    grammar
);

/// An error raised by a grammar action.
#[derive(Clone, Debug, PartialEq)]
pub struct UserError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// One branch of a SPLIT, before validation.
pub(crate) enum SplitBranch {
    If(Ident, Expr),
    Otherwise(Ident),
}

/// One option of a streaming DEFINE.
pub(crate) enum StreamOpt {
    Input(Vec<(Spanned<String>, Option<FuncSpec>)>),
    Output(Vec<(Spanned<String>, Option<FuncSpec>)>),
    Ship(Vec<Spanned<String>>),
    Cache(Vec<Spanned<String>>),
    Stderr(Spanned<String>),
}

pub(crate) fn bin(op: BinaryOp, left: Expr, right: Expr) -> ExprKind {
    ExprKind::Binary { op, left, right }
}

/// `{...}` in an expression: a bag constant when every item is a tuple `(..)`, else Pig's
/// shorthand for `TOBAG(items)` (`brace` is the span of the `{`).
pub(crate) fn bag_or_tobag(items: Vec<Expr>, brace: Span) -> ExprKind {
    if items.iter().all(|e| matches!(e.node, ExprKind::Tuple(_))) {
        ExprKind::Bag(items)
    } else {
        ExprKind::Call {
            func: Spanned::new("TOBAG".to_string(), brace),
            args: items,
        }
    }
}

/// `BY (a, b)` parses as a tuple; as a key list it means two keys.
pub(crate) fn keys_of(e: Expr) -> Vec<Expr> {
    match e.node {
        ExprKind::Tuple(v) if !v.is_empty() => v,
        _ => vec![e],
    }
}

/// `DESCRIBE A::B` names a nested alias B inside A.
pub(crate) fn split_describe(a: Ident) -> Vec<Ident> {
    let mut out = Vec::new();
    let mut pos = a.span.start;
    for part in a.node.split("::") {
        let end = pos + part.len() as u32;
        out.push(Spanned::new(
            part.to_string(),
            Span {
                file: a.span.file,
                start: pos,
                end,
            },
        ));
        pos = end + 2;
    }
    out
}

/// Removes quotes around a raw argument (`rmf 'out'`).
pub(crate) fn strip_quotes(t: Spanned<String>) -> Spanned<String> {
    let s = t.node.trim();
    if s.len() >= 2
        && ((s.starts_with('\'') && s.ends_with('\'')) || (s.starts_with('"') && s.ends_with('"')))
    {
        let inner = s[1..s.len() - 1].to_string();
        Spanned::new(
            inner,
            Span {
                file: t.span.file,
                start: t.span.start + 1,
                end: t.span.end.saturating_sub(1),
            },
        )
    } else {
        t
    }
}

/// Splits a file command's raw arguments into paths with spans: words separated by
/// whitespace, where a word in single or double quotes may hold spaces (quotes removed).
pub(crate) fn path_words(t: &Spanned<String>) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    let bytes = t.node.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let (text, end) = if matches!(bytes[i], b'\'' | b'"') {
            let quote = bytes[i];
            let close = bytes[i + 1..]
                .iter()
                .position(|&b| b == quote)
                .map_or(bytes.len(), |p| i + 1 + p);
            let inner = t.node[i + 1..close].to_string();
            (inner, (close + 1).min(bytes.len()))
        } else {
            let end = bytes[i..]
                .iter()
                .position(u8::is_ascii_whitespace)
                .map_or(bytes.len(), |p| i + p);
            (t.node[i..end].to_string(), end)
        };
        let span = Span {
            file: t.span.file,
            start: t.span.start + start as u32,
            end: t.span.start + end as u32,
        };
        out.push(Spanned::new(text, span));
        i = end;
    }
    out
}

/// Splits raw `exec`/`run` arguments into words with spans.
fn words(t: &Spanned<String>) -> Vec<Spanned<String>> {
    let mut out = Vec::new();
    let text = &t.node;
    let mut start: Option<usize> = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                let span = Span {
                    file: t.span.file,
                    start: t.span.start + s as u32,
                    end: t.span.start + i as u32,
                };
                out.push(strip_quotes(Spanned::new(text[s..i].to_string(), span)));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    out
}

/// Parses `[-param k=v]... [-param_file f]... [script]`.
pub(crate) fn script_call(t: Spanned<String>) -> ScriptCall {
    let mut call = ScriptCall {
        params: Vec::new(),
        param_files: Vec::new(),
        script: None,
    };
    let mut it = words(&t).into_iter();
    while let Some(w) = it.next() {
        match w.node.as_str() {
            "-param" | "-p" => {
                if let Some(v) = it.next() {
                    call.params.push(v);
                }
            }
            "-param_file" | "-m" => {
                if let Some(v) = it.next() {
                    call.param_files.push(v);
                }
            }
            _ => call.script = Some(w),
        }
    }
    call
}

pub(crate) fn parallel(
    n: Spanned<i32>,
) -> Result<Spanned<u32>, LalrpopError<usize, Tok, UserError>> {
    match u32::try_from(n.node) {
        Ok(v) if v > 0 => Ok(Spanned::new(v, n.span)),
        _ => Err(LalrpopError::User {
            error: UserError {
                message: format!("PARALLEL needs a positive number, not {}", n.node),
                span: n.span,
            },
        }),
    }
}

type Branches = (Vec<(Ident, Expr)>, Option<Ident>);

pub(crate) fn split_branches(
    b: Vec<SplitBranch>,
    span: Span,
) -> Result<Branches, LalrpopError<usize, Tok, UserError>> {
    let mut branches = Vec::new();
    let mut otherwise = None;
    let n = b.len();
    for (i, br) in b.into_iter().enumerate() {
        match br {
            SplitBranch::If(a, e) => branches.push((a, e)),
            SplitBranch::Otherwise(a) => {
                if i + 1 != n {
                    return Err(LalrpopError::User {
                        error: UserError {
                            message: "OTHERWISE must be the last branch of SPLIT".into(),
                            span: a.span,
                        },
                    });
                }
                otherwise = Some(a);
            }
        }
    }
    if branches.is_empty() {
        return Err(LalrpopError::User {
            error: UserError {
                message: "SPLIT needs at least one `alias IF condition` branch".into(),
                span,
            },
        });
    }
    Ok((branches, otherwise))
}

fn convert(
    err: LalrpopError<usize, Tok, UserError>,
    file: u32,
    source: &str,
) -> Option<ParseError> {
    let src_len = source.len();
    let sp = |s: usize, e: usize| Span {
        file,
        start: s as u32,
        end: e as u32,
    };
    Some(match err {
        LalrpopError::InvalidToken { location } => {
            ParseError::new("invalid token", sp(location, location + 1))
        }
        LalrpopError::UnrecognizedEof { location, expected } => {
            let expected = pretty_expected(&expected);
            let message = format!("unexpected end of script{}", expected_phrase(&expected));
            let help = expected
                .iter()
                .any(|e| e == "`;`")
                .then(|| "every Pig statement ends with `;`".to_string());
            ParseError {
                message,
                span: sp(location.min(src_len), src_len),
                expected: cap(expected),
                help,
                related: Vec::new(),
            }
        }
        LalrpopError::UnrecognizedToken {
            token: (s, tok, e),
            expected,
        } => {
            if tok == Tok::Error {
                return None;
            }
            let expected = pretty_expected(&expected);
            let message = format!(
                "unexpected {}{}",
                tok.describe(),
                expected_phrase(&expected)
            );
            let line_start = source
                .get(..s)
                .is_some_and(|b| b.trim_end_matches([' ', '\t', '\r']).ends_with('\n'));
            let help = hint(&tok, &expected, line_start);
            ParseError {
                message,
                span: sp(s, e),
                expected: cap(expected),
                help,
                related: Vec::new(),
            }
        }
        LalrpopError::ExtraToken { token: (s, tok, e) } => {
            if tok == Tok::Error {
                return None;
            }
            ParseError::new(format!("unexpected {}", tok.describe()), sp(s, e))
        }
        LalrpopError::User { error } => ParseError::new(error.message, error.span),
    })
}

fn hint(tok: &Tok, expected: &[String], line_start: bool) -> Option<String> {
    if let Tok::Kw(k) = tok
        && expected
            .iter()
            .any(|e| e == "a name" || e == "an expression")
    {
        return Some(format!(
            "`{}` is a Pig keyword; it cannot be used as a name here",
            k.as_str()
        ));
    }
    if line_start && expected.iter().any(|e| e == "`;`") {
        return Some("is a `;` missing at the end of the previous statement?".into());
    }
    None
}

/// How deeply a statement may nest, counted by [`check_nesting`]. The AST, the printer, macro
/// expansion and the planner all recurse on expressions, so without a bound a hostile or
/// generated script overflows the stack (an abort, not an error).
pub const MAX_NESTING: usize = 500;

/// Rejects a statement whose expressions could nest deeper than [`MAX_NESTING`], before
/// any AST is built. The bound is conservative and cheap: within each bracket level, every
/// operator or keyword token since the last `,` (or `;`) counts as one level, as does the
/// bracket itself; an AST can never be deeper than this count.
fn check_nesting(toks: &[lexer::SpannedTok], file: u32) -> Option<ParseError> {
    use lexer::Punct as P;
    // Per open bracket: whether a `;` leaves it open (`{` holds nested statements; the
    // bottom entry is the statement level) and its count since the last `,`.
    let mut levels: Vec<(bool, usize)> = vec![(true, 0)];
    // The sum over `levels` of count + 1, minus the bottom entry's 1.
    let mut total = 0usize;
    for (start, tok, end) in toks {
        match tok {
            Tok::P(P::LParen | P::LBrace | P::LBracket) => {
                bump(&mut levels, &mut total);
                levels.push((matches!(tok, Tok::P(P::LBrace)), 0));
                total += 1;
            }
            Tok::P(P::RParen | P::RBrace | P::RBracket) => {
                if levels.len() > 1 {
                    let (_, n) = levels.pop().unwrap_or_default();
                    total -= n + 1;
                }
                bump(&mut levels, &mut total);
            }
            Tok::P(P::Comma) => reset(&mut levels, &mut total),
            Tok::P(P::Semi) => {
                // Unclosed `(`/`[` end with the statement.
                while levels.len() > 1 && !levels[levels.len() - 1].0 {
                    let (_, n) = levels.pop().unwrap_or_default();
                    total -= n + 1;
                }
                reset(&mut levels, &mut total);
            }
            Tok::Ident(_)
            | Tok::Int(_)
            | Tok::Long(_)
            | Tok::Float(_)
            | Tok::Double(_)
            | Tok::BigInt(_)
            | Tok::BigDec(_)
            | Tok::Str(_)
            | Tok::Dollar(_)
            | Tok::Raw(_)
            | Tok::MacroBody(_)
            | Tok::Backtick(_)
            | Tok::Error => {}
            _ => bump(&mut levels, &mut total),
        }
        if total > MAX_NESTING {
            return Some(ParseError::new(
                format!(
                    "this statement nests too deeply: more than {MAX_NESTING} levels of \
                     brackets and operators"
                ),
                Span {
                    file,
                    start: *start as u32,
                    end: *end as u32,
                },
            ));
        }
    }
    None
}

/// Counts one more level in the innermost bracket of [`check_nesting`].
fn bump(levels: &mut [(bool, usize)], total: &mut usize) {
    if let Some(l) = levels.last_mut() {
        l.1 += 1;
        *total += 1;
    }
}

/// Starts a new sibling expression (after `,` or `;`) in the innermost bracket.
fn reset(levels: &mut [(bool, usize)], total: &mut usize) {
    if let Some(l) = levels.last_mut() {
        *total -= l.1;
        l.1 = 0;
    }
}

/// Parses a whole script; see [`crate::parse_script`].
pub(crate) fn parse(source: &str, file: u32) -> Result<Script, Vec<ParseError>> {
    let (toks, lex_errors) = lexer::tokenize(source);
    if let Some(e) = check_nesting(&toks, file) {
        return Err(vec![e]);
    }
    let mut recovered = Vec::new();
    let result = grammar::ScriptParser::new().parse(file, &mut recovered, toks);
    let mut errors: Vec<ParseError> = lex_errors
        .into_iter()
        .map(|e| {
            ParseError::new(
                e.message,
                Span {
                    file,
                    start: e.start as u32,
                    end: e.end as u32,
                },
            )
        })
        .collect();
    for r in recovered {
        errors.extend(convert(r.error, file, source));
    }
    let script = match result {
        Ok(s) => Some(s),
        Err(e) => {
            errors.extend(convert(e, file, source));
            None
        }
    };
    match script {
        Some(s) if errors.is_empty() => Ok(s),
        _ => {
            errors.sort_by_key(|e| (e.span.start, e.span.end));
            errors.dedup_by(|a, b| a.span == b.span && a.message == b.message);
            if errors.is_empty() {
                errors.push(ParseError::new(
                    "could not parse the script",
                    Span {
                        file,
                        start: 0,
                        end: 0,
                    },
                ));
            }
            Err(errors)
        }
    }
}

/// Parses a single expression (used by tests and tools).
pub fn parse_expr(source: &str, file: u32) -> Result<Expr, Vec<ParseError>> {
    let (toks, lex_errors) = lexer::tokenize(source);
    if let Some(e) = check_nesting(&toks, file) {
        return Err(vec![e]);
    }
    let mut recovered = Vec::new();
    let result = grammar::ExprParser::new().parse(file, &mut recovered, toks);
    let mut errors: Vec<ParseError> = lex_errors
        .into_iter()
        .map(|e| {
            ParseError::new(
                e.message,
                Span {
                    file,
                    start: e.start as u32,
                    end: e.end as u32,
                },
            )
        })
        .collect();
    match result {
        Ok(e) if errors.is_empty() => Ok(e),
        Ok(_) => Err(errors),
        Err(e) => {
            errors.extend(convert(e, file, source));
            if errors.is_empty() {
                errors.push(ParseError::new(
                    "could not parse the expression",
                    Span {
                        file,
                        start: 0,
                        end: 0,
                    },
                ));
            }
            Err(errors)
        }
    }
}
