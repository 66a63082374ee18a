//! The Pig Latin lexer: a [`logos`] tokenizer plus a small pass that handles the parts of
//! Pig whose lexing depends on context (raw `fs`/`sh`/`rmf`/`exec`/`run` lines, unquoted
//! `REGISTER` paths, macro bodies kept as text, dotted function names, negative numbers).

use logos::Logos;

use crate::ast::FileCommand;

/// Pig Latin keywords. Every keyword is case-insensitive (`LOAD`, `load`, `Load`);
/// those marked *contextual* may also be used as a field name where unambiguous.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kw {
    /// `LOAD` (case-insensitive).
    Load,
    /// `STORE` (case-insensitive).
    Store,
    /// `INTO` (case-insensitive).
    Into,
    /// `USING` (case-insensitive).
    Using,
    /// `AS` (case-insensitive).
    As,
    /// `FOREACH` (case-insensitive).
    Foreach,
    /// `GENERATE` (case-insensitive).
    Generate,
    /// `FILTER` (case-insensitive).
    Filter,
    /// `BY` (case-insensitive).
    By,
    /// `GROUP` (case-insensitive, contextual: also a field name).
    Group,
    /// `COGROUP` (case-insensitive, contextual: also a field name).
    Cogroup,
    /// `JOIN` (case-insensitive).
    Join,
    /// `CROSS` (case-insensitive).
    Cross,
    /// `UNION` (case-insensitive).
    Union,
    /// `ONSCHEMA` (case-insensitive, contextual: also a field name).
    Onschema,
    /// `ORDER` (case-insensitive).
    Order,
    /// `ASC` (case-insensitive, contextual: also a field name).
    Asc,
    /// `DESC` (case-insensitive, contextual: also a field name).
    Desc,
    /// `LIMIT` (case-insensitive).
    Limit,
    /// `DISTINCT` (case-insensitive).
    Distinct,
    /// `SAMPLE` (case-insensitive, contextual: also a field name).
    Sample,
    /// `RANK` (case-insensitive, contextual: also a field name).
    Rank,
    /// `DENSE` (case-insensitive, contextual: also a field name).
    Dense,
    /// `CUBE` (case-insensitive, contextual: also a field name).
    Cube,
    /// `ROLLUP` (case-insensitive, contextual: also a field name).
    Rollup,
    /// `ASSERT` (case-insensitive, contextual: also a field name).
    Assert,
    /// `STREAM` (case-insensitive, contextual: also a field name).
    Stream,
    /// `THROUGH` (case-insensitive, contextual: also a field name).
    Through,
    /// `SPLIT` (case-insensitive).
    Split,
    /// `IF` (case-insensitive).
    If,
    /// `OTHERWISE` (case-insensitive, contextual: also a field name).
    Otherwise,
    /// `DEFINE` (case-insensitive).
    Define,
    /// `RETURNS` (case-insensitive, contextual: also a field name).
    Returns,
    /// `REGISTER` (case-insensitive).
    Register,
    /// `IMPORT` (case-insensitive).
    Import,
    /// `DUMP` (case-insensitive).
    Dump,
    /// `DESCRIBE` (case-insensitive).
    Describe,
    /// `EXPLAIN` (case-insensitive).
    Explain,
    /// `ILLUSTRATE` (case-insensitive).
    Illustrate,
    /// `SET` (case-insensitive).
    Set,
    /// `ALL` (case-insensitive, contextual: also a field name).
    All,
    /// `INNER` (case-insensitive, contextual: also a field name).
    Inner,
    /// `OUTER` (case-insensitive, contextual: also a field name).
    Outer,
    /// `LEFT` (case-insensitive, contextual: also a field name).
    Left,
    /// `RIGHT` (case-insensitive, contextual: also a field name).
    Right,
    /// `FULL` (case-insensitive, contextual: also a field name).
    Full,
    /// `PARALLEL` (case-insensitive).
    Parallel,
    /// `PARTITION` (case-insensitive, contextual: also a field name).
    Partition,
    /// `FLATTEN` (case-insensitive).
    Flatten,
    /// `AND` (case-insensitive).
    And,
    /// `OR` (case-insensitive).
    Or,
    /// `NOT` (case-insensitive).
    Not,
    /// `IS` (case-insensitive).
    Is,
    /// `NULL` (case-insensitive).
    Null,
    /// `MATCHES` (case-insensitive).
    Matches,
    /// `IN` (case-insensitive).
    In,
    /// `CASE` (case-insensitive).
    Case,
    /// `WHEN` (case-insensitive).
    When,
    /// `THEN` (case-insensitive).
    Then,
    /// `ELSE` (case-insensitive).
    Else,
    /// `END` (case-insensitive).
    End,
    /// `TRUE` (case-insensitive).
    True,
    /// `FALSE` (case-insensitive).
    False,
    /// `INT` (case-insensitive; a type name).
    Int,
    /// `LONG` (case-insensitive; a type name).
    Long,
    /// `FLOAT` (case-insensitive; a type name).
    Float,
    /// `DOUBLE` (case-insensitive; a type name).
    Double,
    /// `BIGINTEGER` (case-insensitive; a type name).
    BigInteger,
    /// `BIGDECIMAL` (case-insensitive; a type name).
    BigDecimal,
    /// `CHARARRAY` (case-insensitive; a type name).
    Chararray,
    /// `BYTEARRAY` (case-insensitive; a type name).
    Bytearray,
    /// `BOOLEAN` (case-insensitive; a type name).
    Boolean,
    /// `DATETIME` (case-insensitive; a type name).
    Datetime,
    /// `TUPLE` (case-insensitive; a type name).
    Tuple,
    /// `BAG` (case-insensitive; a type name).
    Bag,
    /// `MAP` (case-insensitive; a type name).
    Map,
    /// `INPUT` (case-insensitive, contextual: also a field name).
    Input,
    /// `OUTPUT` (case-insensitive, contextual: also a field name).
    Output,
    /// `SHIP` (case-insensitive, contextual: also a field name).
    Ship,
    /// `CACHE` (case-insensitive, contextual: also a field name).
    Cache,
    /// `STDERR` (case-insensitive, contextual: also a field name).
    Stderr,
    /// `VOID` (case-insensitive, contextual: also a field name).
    Void,
    /// `fs` at the start of a statement (case-insensitive, contextual: an ordinary name elsewhere); takes the rest of the line as raw text.
    Fs,
    /// `sh` at the start of a statement (case-insensitive, contextual: an ordinary name elsewhere); takes the rest of the line as raw text.
    Sh,
    /// `rmf` at the start of a statement (case-insensitive, contextual: an ordinary name elsewhere); takes the rest of the line as raw text.
    Rmf,
    /// `exec` at the start of a statement (case-insensitive, contextual: an ordinary name elsewhere); takes the rest of the line as raw text.
    Exec,
    /// `run` at the start of a statement (case-insensitive, contextual: an ordinary name elsewhere); takes the rest of the line as raw text.
    Run,
}

impl Kw {
    /// The keyword as Pig users write it (uppercase).
    pub fn as_str(self) -> &'static str {
        match self {
            Kw::Load => "LOAD",
            Kw::Store => "STORE",
            Kw::Into => "INTO",
            Kw::Using => "USING",
            Kw::As => "AS",
            Kw::Foreach => "FOREACH",
            Kw::Generate => "GENERATE",
            Kw::Filter => "FILTER",
            Kw::By => "BY",
            Kw::Group => "GROUP",
            Kw::Cogroup => "COGROUP",
            Kw::Join => "JOIN",
            Kw::Cross => "CROSS",
            Kw::Union => "UNION",
            Kw::Onschema => "ONSCHEMA",
            Kw::Order => "ORDER",
            Kw::Asc => "ASC",
            Kw::Desc => "DESC",
            Kw::Limit => "LIMIT",
            Kw::Distinct => "DISTINCT",
            Kw::Sample => "SAMPLE",
            Kw::Rank => "RANK",
            Kw::Dense => "DENSE",
            Kw::Cube => "CUBE",
            Kw::Rollup => "ROLLUP",
            Kw::Assert => "ASSERT",
            Kw::Stream => "STREAM",
            Kw::Through => "THROUGH",
            Kw::Split => "SPLIT",
            Kw::If => "IF",
            Kw::Otherwise => "OTHERWISE",
            Kw::Define => "DEFINE",
            Kw::Returns => "RETURNS",
            Kw::Register => "REGISTER",
            Kw::Import => "IMPORT",
            Kw::Dump => "DUMP",
            Kw::Describe => "DESCRIBE",
            Kw::Explain => "EXPLAIN",
            Kw::Illustrate => "ILLUSTRATE",
            Kw::Set => "SET",
            Kw::All => "ALL",
            Kw::Inner => "INNER",
            Kw::Outer => "OUTER",
            Kw::Left => "LEFT",
            Kw::Right => "RIGHT",
            Kw::Full => "FULL",
            Kw::Parallel => "PARALLEL",
            Kw::Partition => "PARTITION",
            Kw::Flatten => "FLATTEN",
            Kw::And => "AND",
            Kw::Or => "OR",
            Kw::Not => "NOT",
            Kw::Is => "IS",
            Kw::Null => "NULL",
            Kw::Matches => "MATCHES",
            Kw::In => "IN",
            Kw::Case => "CASE",
            Kw::When => "WHEN",
            Kw::Then => "THEN",
            Kw::Else => "ELSE",
            Kw::End => "END",
            Kw::True => "TRUE",
            Kw::False => "FALSE",
            Kw::Int => "INT",
            Kw::Long => "LONG",
            Kw::Float => "FLOAT",
            Kw::Double => "DOUBLE",
            Kw::BigInteger => "BIGINTEGER",
            Kw::BigDecimal => "BIGDECIMAL",
            Kw::Chararray => "CHARARRAY",
            Kw::Bytearray => "BYTEARRAY",
            Kw::Boolean => "BOOLEAN",
            Kw::Datetime => "DATETIME",
            Kw::Tuple => "TUPLE",
            Kw::Bag => "BAG",
            Kw::Map => "MAP",
            Kw::Input => "INPUT",
            Kw::Output => "OUTPUT",
            Kw::Ship => "SHIP",
            Kw::Cache => "CACHE",
            Kw::Stderr => "STDERR",
            Kw::Void => "VOID",
            Kw::Fs => "fs",
            Kw::Sh => "sh",
            Kw::Rmf => "rmf",
            Kw::Exec => "exec",
            Kw::Run => "run",
        }
    }
}

/// Punctuation and operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Punct {
    /// `;` ends a statement.
    Semi,
    /// `=` assigns an alias.
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `,`
    Comma,
    /// `.` projection.
    Dot,
    /// `..` field range.
    DotDot,
    /// `:` in schemas and bincond.
    Colon,
    /// `#` map lookup and map constructor.
    Hash,
    /// `*` multiplication or all fields.
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `?` bincond.
    Question,
    /// `[` opening a list `[k, v, ...]`: Pig's shorthand for `TOMAP(k, v, ...)`, told
    /// apart from a map constant `[k#v]` and a map type `map[int]` by the lexer.
    LBracketList,
    /// `@`: the relation the previous statement defined.
    At,
}

impl Punct {
    /// The punctuation as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Punct::Semi => ";",
            Punct::Assign => "=",
            Punct::EqEq => "==",
            Punct::Ne => "!=",
            Punct::Lt => "<",
            Punct::Le => "<=",
            Punct::Gt => ">",
            Punct::Ge => ">=",
            Punct::LParen => "(",
            Punct::RParen => ")",
            Punct::LBrace => "{",
            Punct::RBrace => "}",
            Punct::LBracket => "[",
            Punct::RBracket => "]",
            Punct::Comma => ",",
            Punct::Dot => ".",
            Punct::DotDot => "..",
            Punct::Colon => ":",
            Punct::Hash => "#",
            Punct::Star => "*",
            Punct::Slash => "/",
            Punct::Percent => "%",
            Punct::Plus => "+",
            Punct::Minus => "-",
            Punct::Question => "?",
            Punct::LBracketList => "[",
            Punct::At => "@",
        }
    }
}

/// The tokens the parser sees.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A keyword (case-insensitive; some contextual, see [`Kw`]).
    Kw(Kw),
    /// An alias, field or function name: `[A-Za-z][A-Za-z0-9_]*`, possibly `::`-qualified
    /// (`A::x`) or dotted (`org.apache.pig.builtin.COUNT`, only before `(`, after `USING`,
    /// `SET` or `DEFINE name`). Case-sensitive.
    Ident(String),
    /// An int literal: `42`, or `-42` where a minus sign directly precedes digits in operand position.
    Int(i32),
    /// A long literal: `42L`.
    Long(i64),
    /// A float literal: `1.5f`, `1e3F`.
    Float(f32),
    /// A double literal: `1.5`, `.5`, `1e10`, `1.5E-3`.
    Double(f64),
    /// A biginteger literal: `123BI` (digits kept as written).
    BigInt(String),
    /// A bigdecimal literal: `1.5BD` (digits kept as written).
    BigDec(String),
    /// A quoted string `'...'` with Java escapes resolved; also an unquoted `REGISTER` path.
    Str(String),
    /// A command between backticks: `` `cut -f1` ``.
    Backtick(String),
    /// A positional field reference: `$0`.
    Dollar(u32),
    /// The raw rest of a `fs`, `sh`, `rmf`, `exec` or `run` line, or of a file command's.
    Raw(String),
    /// One of Grunt's file commands (`ls`, `cat`, `cd`, …) at the start of a statement
    /// (case-insensitive, contextual: an ordinary name elsewhere); a [`Tok::Raw`] follows.
    FileCmd(FileCommand),
    /// A macro body: the text between the braces after `RETURNS ...`.
    MacroBody(String),
    /// Punctuation.
    P(Punct),
    /// Something the lexer could not read; the error is reported separately.
    Error,
}

impl Tok {
    /// How the token reads in an error message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Kw(k) => format!("`{}`", k.as_str()),
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Int(v) => format!("`{v}`"),
            Tok::Long(v) => format!("`{v}L`"),
            Tok::Float(v) => format!("`{v}F`"),
            Tok::Double(v) => format!("`{v}`"),
            Tok::BigInt(v) => format!("`{v}BI`"),
            Tok::BigDec(v) => format!("`{v}BD`"),
            Tok::Str(_) => "a string".to_string(),
            Tok::Backtick(_) => "a command in backticks".to_string(),
            Tok::Dollar(n) => format!("`${n}`"),
            Tok::Raw(_) => "command text".to_string(),
            Tok::FileCmd(c) => format!("`{}`", c.name()),
            Tok::MacroBody(_) => "a macro body".to_string(),
            Tok::P(p) => format!("`{}`", p.as_str()),
            Tok::Error => "an unreadable token".to_string(),
        }
    }
}

/// An error found while tokenizing.
#[derive(Clone, Debug, PartialEq)]
pub struct LexError {
    /// What is wrong.
    pub message: String,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

#[derive(Logos, Clone, Copy, Debug, PartialEq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"--[^\n]*", allow_greedy = true))]
#[logos(skip r"/\*([^*]|\*+[^*/])*\*+/")]
enum RawTok {
    #[token("load", |_| Kw::Load, ignore(case))]
    #[token("store", |_| Kw::Store, ignore(case))]
    #[token("into", |_| Kw::Into, ignore(case))]
    #[token("using", |_| Kw::Using, ignore(case))]
    #[token("as", |_| Kw::As, ignore(case))]
    #[token("foreach", |_| Kw::Foreach, ignore(case))]
    #[token("generate", |_| Kw::Generate, ignore(case))]
    #[token("filter", |_| Kw::Filter, ignore(case))]
    #[token("by", |_| Kw::By, ignore(case))]
    #[token("group", |_| Kw::Group, ignore(case))]
    #[token("cogroup", |_| Kw::Cogroup, ignore(case))]
    #[token("join", |_| Kw::Join, ignore(case))]
    #[token("cross", |_| Kw::Cross, ignore(case))]
    #[token("union", |_| Kw::Union, ignore(case))]
    #[token("onschema", |_| Kw::Onschema, ignore(case))]
    #[token("order", |_| Kw::Order, ignore(case))]
    #[token("asc", |_| Kw::Asc, ignore(case))]
    #[token("desc", |_| Kw::Desc, ignore(case))]
    #[token("limit", |_| Kw::Limit, ignore(case))]
    #[token("distinct", |_| Kw::Distinct, ignore(case))]
    #[token("sample", |_| Kw::Sample, ignore(case))]
    #[token("rank", |_| Kw::Rank, ignore(case))]
    #[token("dense", |_| Kw::Dense, ignore(case))]
    #[token("cube", |_| Kw::Cube, ignore(case))]
    #[token("rollup", |_| Kw::Rollup, ignore(case))]
    #[token("assert", |_| Kw::Assert, ignore(case))]
    #[token("stream", |_| Kw::Stream, ignore(case))]
    #[token("through", |_| Kw::Through, ignore(case))]
    #[token("split", |_| Kw::Split, ignore(case))]
    #[token("if", |_| Kw::If, ignore(case))]
    #[token("otherwise", |_| Kw::Otherwise, ignore(case))]
    #[token("define", |_| Kw::Define, ignore(case))]
    #[token("returns", |_| Kw::Returns, ignore(case))]
    #[token("register", |_| Kw::Register, ignore(case))]
    #[token("import", |_| Kw::Import, ignore(case))]
    #[token("dump", |_| Kw::Dump, ignore(case))]
    #[token("describe", |_| Kw::Describe, ignore(case))]
    #[token("explain", |_| Kw::Explain, ignore(case))]
    #[token("illustrate", |_| Kw::Illustrate, ignore(case))]
    #[token("set", |_| Kw::Set, ignore(case))]
    #[token("all", |_| Kw::All, ignore(case))]
    #[token("inner", |_| Kw::Inner, ignore(case))]
    #[token("outer", |_| Kw::Outer, ignore(case))]
    #[token("left", |_| Kw::Left, ignore(case))]
    #[token("right", |_| Kw::Right, ignore(case))]
    #[token("full", |_| Kw::Full, ignore(case))]
    #[token("parallel", |_| Kw::Parallel, ignore(case))]
    #[token("partition", |_| Kw::Partition, ignore(case))]
    #[token("flatten", |_| Kw::Flatten, ignore(case))]
    #[token("and", |_| Kw::And, ignore(case))]
    #[token("or", |_| Kw::Or, ignore(case))]
    #[token("not", |_| Kw::Not, ignore(case))]
    #[token("is", |_| Kw::Is, ignore(case))]
    #[token("null", |_| Kw::Null, ignore(case))]
    #[token("matches", |_| Kw::Matches, ignore(case))]
    #[token("in", |_| Kw::In, ignore(case))]
    #[token("case", |_| Kw::Case, ignore(case))]
    #[token("when", |_| Kw::When, ignore(case))]
    #[token("then", |_| Kw::Then, ignore(case))]
    #[token("else", |_| Kw::Else, ignore(case))]
    #[token("end", |_| Kw::End, ignore(case))]
    #[token("true", |_| Kw::True, ignore(case))]
    #[token("false", |_| Kw::False, ignore(case))]
    #[token("int", |_| Kw::Int, ignore(case))]
    #[token("long", |_| Kw::Long, ignore(case))]
    #[token("float", |_| Kw::Float, ignore(case))]
    #[token("double", |_| Kw::Double, ignore(case))]
    #[token("biginteger", |_| Kw::BigInteger, ignore(case))]
    #[token("bigdecimal", |_| Kw::BigDecimal, ignore(case))]
    #[token("chararray", |_| Kw::Chararray, ignore(case))]
    #[token("bytearray", |_| Kw::Bytearray, ignore(case))]
    #[token("boolean", |_| Kw::Boolean, ignore(case))]
    #[token("datetime", |_| Kw::Datetime, ignore(case))]
    #[token("tuple", |_| Kw::Tuple, ignore(case))]
    #[token("bag", |_| Kw::Bag, ignore(case))]
    #[token("map", |_| Kw::Map, ignore(case))]
    #[token("input", |_| Kw::Input, ignore(case))]
    #[token("output", |_| Kw::Output, ignore(case))]
    #[token("ship", |_| Kw::Ship, ignore(case))]
    #[token("cache", |_| Kw::Cache, ignore(case))]
    #[token("stderr", |_| Kw::Stderr, ignore(case))]
    #[token("void", |_| Kw::Void, ignore(case))]
    Kw(Kw),
    #[regex(r"[A-Za-z][A-Za-z0-9_]*(::[A-Za-z][A-Za-z0-9_]*)*")]
    Ident,
    #[regex(r"[0-9]+")]
    Int,
    #[regex(r"[0-9]+[lL]")]
    Long,
    #[regex(r"[0-9]+(BI|bi|Bi|bI)")]
    BigInt,
    #[regex(r"([0-9]+\.[0-9]+|\.[0-9]+)([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+")]
    Double,
    #[regex(r"(([0-9]+\.[0-9]+|\.[0-9]+)([eE][+-]?[0-9]+)?|[0-9]+([eE][+-]?[0-9]+)?)[fF]")]
    Float,
    #[regex(r"(([0-9]+\.[0-9]+|\.[0-9]+)([eE][+-]?[0-9]+)?|[0-9]+([eE][+-]?[0-9]+)?)(BD|bd|Bd|bD)")]
    BigDec,
    #[regex(r"'([^'\\]|\\(.|\n))*'")]
    Str,
    #[regex(r"'([^'\\]|\\(.|\n))*")]
    UnterminatedStr,
    #[regex(r"`[^`]*`")]
    Backtick,
    #[regex(r"`[^`]*")]
    UnterminatedBacktick,
    #[regex(r"/\*")]
    UnterminatedComment,
    #[regex(r"\$[0-9]+")]
    Dollar,
    #[regex(r"\$[A-Za-z_][A-Za-z0-9_]*|\$\{[^}\n]*\}?")]
    Param,
    #[token(";", |_| Punct::Semi)]
    #[token("=", |_| Punct::Assign)]
    #[token("==", |_| Punct::EqEq)]
    #[token("!=", |_| Punct::Ne)]
    #[token("<", |_| Punct::Lt)]
    #[token("<=", |_| Punct::Le)]
    #[token(">", |_| Punct::Gt)]
    #[token(">=", |_| Punct::Ge)]
    #[token("(", |_| Punct::LParen)]
    #[token(")", |_| Punct::RParen)]
    #[token("{", |_| Punct::LBrace)]
    #[token("}", |_| Punct::RBrace)]
    #[token("[", |_| Punct::LBracket)]
    #[token("]", |_| Punct::RBracket)]
    #[token(",", |_| Punct::Comma)]
    #[token(".", |_| Punct::Dot)]
    #[token("..", |_| Punct::DotDot)]
    #[token(":", |_| Punct::Colon)]
    #[token("#", |_| Punct::Hash)]
    #[token("*", |_| Punct::Star)]
    #[token("/", |_| Punct::Slash)]
    #[token("%", |_| Punct::Percent)]
    #[token("+", |_| Punct::Plus)]
    #[token("-", |_| Punct::Minus)]
    #[token("?", |_| Punct::Question)]
    #[token("@", |_| Punct::At)]
    P(Punct),
}

/// A token with its byte range.
pub type SpannedTok = (usize, Tok, usize);

/// Resolves Java escapes in the body of a quoted string.
pub fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match (hex.len() == 4)
                    .then(|| u32::from_str_radix(&hex, 16).ok())
                    .flatten()
                {
                    Some(v) => {
                        out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    None => out.push_str("\\u"),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Escapes a string for printing between single quotes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn is_operand_end(t: &Tok) -> bool {
    match t {
        Tok::Ident(_)
        | Tok::Int(_)
        | Tok::Long(_)
        | Tok::Float(_)
        | Tok::Double(_)
        | Tok::BigInt(_)
        | Tok::BigDec(_)
        | Tok::Str(_)
        | Tok::Dollar(_)
        | Tok::P(Punct::RParen | Punct::RBracket | Punct::RBrace | Punct::Star) => true,
        Tok::Kw(k) => matches!(
            k,
            Kw::Null
                | Kw::True
                | Kw::False
                | Kw::Group
                | Kw::Cogroup
                | Kw::Rank
                | Kw::Dense
                | Kw::Cube
                | Kw::Rollup
                | Kw::Input
                | Kw::Output
                | Kw::Ship
                | Kw::Cache
                | Kw::Stderr
                | Kw::Left
                | Kw::Right
                | Kw::Full
                | Kw::Inner
                | Kw::Outer
                | Kw::Onschema
                | Kw::Partition
                | Kw::Returns
                | Kw::Through
                | Kw::Otherwise
                | Kw::Void
                | Kw::Asc
                | Kw::Desc
                | Kw::Sample
                | Kw::Stream
                | Kw::All
                | Kw::Assert
                | Kw::End
        ),
        _ => false,
    }
}

fn command_kw(word: &str) -> Option<Kw> {
    match word.to_ascii_lowercase().as_str() {
        "fs" => Some(Kw::Fs),
        "sh" => Some(Kw::Sh),
        "rmf" => Some(Kw::Rmf),
        "exec" => Some(Kw::Exec),
        "run" => Some(Kw::Run),
        _ => None,
    }
}

/// Finds the end of a raw command line: the first `;` or newline outside quotes.
fn raw_line_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q {
                    quote = None;
                } else if b == b'\n' {
                    return i;
                }
            }
            None => match b {
                b';' | b'\n' => return i,
                b'\'' | b'"' => quote = Some(b),
                _ => {}
            },
        }
        i += 1;
    }
    bytes.len().min(rest.len())
}

/// Finds the matching `}` of a macro body starting after its `{`; returns the body length.
fn macro_body_len(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'`' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' && q == b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'{' => depth += 1,
            b'}' => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn is_word(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Tokenizes a whole script. Never fails: unreadable input becomes [`Tok::Error`] tokens,
/// with a [`LexError`] explaining each.
pub fn tokenize(src: &str) -> (Vec<SpannedTok>, Vec<LexError>) {
    let mut toks: Vec<SpannedTok> = Vec::new();
    let mut errors = Vec::new();
    let mut lex = RawTok::lexer(src);
    let mut after_returns = false;
    let mut err = |toks: &mut Vec<SpannedTok>, message: String, start: usize, end: usize| {
        errors.push(LexError {
            message,
            start,
            end,
        });
        toks.push((start, Tok::Error, end));
    };
    // The end of the line of a `SET` statement: Pig's `set key value` may end there.
    let mut set_line_end: Option<usize> = None;
    while let Some(res) = lex.next() {
        let span = lex.span();
        let (start, end) = (span.start, span.end);
        let slice = lex.slice();
        if let Some(nl) = set_line_end
            && start > nl
        {
            set_line_end = None;
            if !matches!(toks.last(), Some((_, Tok::P(Punct::Semi), _))) {
                toks.push((nl, Tok::P(Punct::Semi), nl));
            }
        }
        let at_stmt_start = matches!(
            toks.last(),
            None | Some((_, Tok::P(Punct::Semi) | Tok::Raw(_), _))
        );
        let raw = match res {
            Ok(r) => r,
            Err(()) => {
                let c = slice.chars().next().unwrap_or(' ');
                err(&mut toks, format!("unexpected character `{c}`"), start, end);
                continue;
            }
        };
        let tok = match raw {
            RawTok::Kw(Kw::Set) if at_stmt_start => {
                set_line_end = Some(src[end..].find('\n').map_or(src.len(), |i| end + i));
                Tok::Kw(Kw::Set)
            }
            RawTok::P(Punct::LBracket)
                if bracket_is_list(toks.last().map(|t| &t.1), lex.remainder()) =>
            {
                Tok::P(Punct::LBracketList)
            }
            RawTok::Ident
                if toks.last().is_some_and(|t| is_operand_end(&t.1))
                    && string_comparison(slice).is_some() =>
            {
                Tok::P(string_comparison(slice).unwrap_or(Punct::EqEq))
            }
            RawTok::Kw(Kw::Returns) => {
                after_returns = true;
                Tok::Kw(Kw::Returns)
            }
            RawTok::Kw(Kw::Register) => {
                toks.push((start, Tok::Kw(Kw::Register), end));
                let rest = lex.remainder();
                let trimmed = rest.trim_start();
                let skip = rest.len() - trimmed.len();
                if !trimmed.starts_with('\'') && !trimmed.is_empty() {
                    let len = trimmed
                        .find(|c: char| c.is_whitespace() || c == ';')
                        .unwrap_or(trimmed.len());
                    if len > 0 {
                        let s = end + skip;
                        toks.push((s, Tok::Str(trimmed[..len].to_string()), s + len));
                        lex.bump(skip + len);
                    }
                }
                continue;
            }
            RawTok::Kw(k) => Tok::Kw(k),
            RawTok::Ident => {
                let command = command_kw(slice)
                    .map(Tok::Kw)
                    .or_else(|| FileCommand::from_word(slice).map(Tok::FileCmd));
                if at_stmt_start && let Some(command) = command {
                    let rest = lex.remainder();
                    let next = rest.trim_start();
                    let is_assign = next.starts_with('=') && !next.starts_with("==");
                    let is_alias_list = next.starts_with(',');
                    if !is_assign && !is_alias_list && !next.starts_with('(') {
                        toks.push((start, command, end));
                        let len = raw_line_len(rest);
                        let text = &rest[..len];
                        let lead = text.len() - text.trim_start().len();
                        let body = text.trim();
                        let s = end + lead;
                        toks.push((s, Tok::Raw(body.to_string()), s + body.len()));
                        lex.bump(len);
                        continue;
                    }
                }
                Tok::Ident(slice.to_string())
            }
            RawTok::Int => {
                let neg = neg_before(&toks, start, src);
                let text = if neg {
                    format!("-{slice}")
                } else {
                    slice.to_string()
                };
                let start = if neg { start - 1 } else { start };
                if neg {
                    toks.pop();
                }
                match text.parse::<i32>() {
                    Ok(v) => Tok::Int(v),
                    Err(_) => {
                        err(
                            &mut toks,
                            format!(
                                "integer literal `{text}` is too big for an int; write `{text}L` for a long"
                            ),
                            start,
                            end,
                        );
                        continue;
                    }
                }
            }
            RawTok::Long | RawTok::Float | RawTok::Double | RawTok::BigInt | RawTok::BigDec => {
                let neg = neg_before(&toks, start, src);
                let start = if neg { start - 1 } else { start };
                if neg {
                    toks.pop();
                }
                let sign = if neg { "-" } else { "" };
                let parsed = match raw {
                    RawTok::Long => format!("{sign}{}", &slice[..slice.len() - 1])
                        .parse::<i64>()
                        .ok()
                        .map(Tok::Long),
                    RawTok::Float => format!("{sign}{}", &slice[..slice.len() - 1])
                        .parse::<f32>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(Tok::Float),
                    RawTok::Double => format!("{sign}{slice}")
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .map(Tok::Double),
                    RawTok::BigInt => {
                        Some(Tok::BigInt(format!("{sign}{}", &slice[..slice.len() - 2])))
                    }
                    _ => Some(Tok::BigDec(format!("{sign}{}", &slice[..slice.len() - 2]))),
                };
                match parsed {
                    Some(t) => {
                        toks.push((start, t, end));
                        continue;
                    }
                    None => {
                        err(
                            &mut toks,
                            format!("number `{sign}{slice}` is out of range"),
                            start,
                            end,
                        );
                        continue;
                    }
                }
            }
            RawTok::Str => Tok::Str(unescape(&slice[1..slice.len() - 1])),
            RawTok::UnterminatedStr => {
                err(
                    &mut toks,
                    "unterminated string: missing closing `'`".into(),
                    start,
                    end,
                );
                continue;
            }
            RawTok::Backtick => Tok::Backtick(slice[1..slice.len() - 1].to_string()),
            RawTok::UnterminatedBacktick => {
                err(
                    &mut toks,
                    "unterminated command: missing closing backtick".into(),
                    start,
                    end,
                );
                continue;
            }
            RawTok::UnterminatedComment => {
                err(
                    &mut toks,
                    "unterminated comment: missing `*/`".into(),
                    start,
                    src.len(),
                );
                lex.bump(lex.remainder().len());
                continue;
            }
            RawTok::Dollar => match slice[1..].parse::<u32>() {
                Ok(n) => Tok::Dollar(n),
                Err(_) => {
                    err(
                        &mut toks,
                        format!("field position `{slice}` is too big"),
                        start,
                        end,
                    );
                    continue;
                }
            },
            RawTok::Param => {
                let name = slice
                    .trim_start_matches('$')
                    .trim_start_matches('{')
                    .trim_end_matches('}');
                err(
                    &mut toks,
                    format!(
                        "undefined parameter `{name}`: `{slice}` was not substituted (declare it with %declare/%default or pass -param {name}=...)"
                    ),
                    start,
                    end,
                );
                continue;
            }
            RawTok::P(Punct::LBrace) if after_returns => {
                after_returns = false;
                let rest = lex.remainder();
                match macro_body_len(rest) {
                    Some(len) => {
                        toks.push((end, Tok::MacroBody(rest[..len].to_string()), end + len));
                        lex.bump(len + 1);
                    }
                    None => {
                        err(
                            &mut toks,
                            "unterminated macro body: missing `}`".into(),
                            start,
                            src.len(),
                        );
                        lex.bump(rest.len());
                    }
                }
                continue;
            }
            RawTok::P(p) => {
                if p == Punct::Semi {
                    after_returns = false;
                }
                Tok::P(p)
            }
        };
        toks.push((start, tok, end));
    }
    if set_line_end.is_some() && !matches!(toks.last(), Some((_, Tok::P(Punct::Semi), _))) {
        toks.push((src.len(), Tok::P(Punct::Semi), src.len()));
    }
    merge_dotted(&mut toks, src);
    (toks, errors)
}

/// Pig's string comparison operators `eq`, `neq`, `lt`, `lte`, `gt`, `gte` (any case),
/// which compare as `==`, `!=`, `<`, `<=`, `>`, `>=` do. They are operators only after an
/// operand, so they stay usable as names elsewhere.
fn string_comparison(word: &str) -> Option<Punct> {
    Some(match word.to_ascii_lowercase().as_str() {
        "eq" => Punct::EqEq,
        "neq" => Punct::Ne,
        "lt" => Punct::Lt,
        "lte" => Punct::Le,
        "gt" => Punct::Gt,
        "gte" => Punct::Ge,
        _ => return None,
    })
}

/// Whether the `[` before `rest` opens Pig's list shorthand `[k, v, ...]` (TOMAP) rather
/// than a map constant `[k#v, ...]` or a map type: a map type follows `map` or a
/// schema's `:` and is empty or starts with a type; a map constant has a `#` at its top
/// level.
fn bracket_is_list(prev: Option<&Tok>, rest: &str) -> bool {
    if matches!(prev, Some(Tok::Kw(Kw::Map))) {
        return false;
    }
    let b = rest.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    let mut hash = false;
    while i < b.len() {
        match b[i] {
            b'\'' | b'`' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b'}' => depth = depth.saturating_sub(1),
            b']' if depth == 0 => break,
            b']' => depth -= 1,
            b'#' if depth == 0 => hash = true,
            b';' if depth == 0 => break,
            _ => {}
        }
        i += 1;
    }
    let content = rest[..i.min(rest.len())].trim_start();
    if content.is_empty() || hash {
        return false;
    }
    if matches!(prev, Some(Tok::P(Punct::Colon))) {
        let word: String = content
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let is_type = content.starts_with(['(', '{', '['])
            || matches!(
                word.as_str(),
                "int"
                    | "long"
                    | "float"
                    | "double"
                    | "biginteger"
                    | "bigdecimal"
                    | "chararray"
                    | "bytearray"
                    | "boolean"
                    | "datetime"
                    | "tuple"
                    | "bag"
                    | "map"
            );
        return !is_type;
    }
    true
}

/// Whether the last token is a `-` written directly before `start` in operand position,
/// making the number that follows negative.
fn neg_before(toks: &[SpannedTok], start: usize, _src: &str) -> bool {
    let n = toks.len();
    match toks.last() {
        Some((s, Tok::P(Punct::Minus), e)) if *e == start && *s + 1 == start => {
            n < 2 || !is_operand_end(&toks[n - 2].1)
        }
        _ => false,
    }
}

/// Joins `a.b.c` written without spaces into one dotted name where it names a function
/// or class: before `(`, after `USING`, `SET`, `PARTITION BY` or `DEFINE alias`.
fn merge_dotted(toks: &mut Vec<SpannedTok>, src: &str) {
    let mut out: Vec<SpannedTok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    let word_at = |t: &SpannedTok| -> bool {
        matches!(t.1, Tok::Ident(_) | Tok::Kw(_)) && src.get(t.0..t.2).is_some_and(is_word)
    };
    while i < toks.len() {
        if word_at(&toks[i]) {
            let mut j = i;
            while j + 2 < toks.len()
                && toks[j + 1].1 == Tok::P(Punct::Dot)
                && toks[j + 1].0 == toks[j].2
                && toks[j + 2].0 == toks[j + 1].2
                && word_at(&toks[j + 2])
            {
                j += 2;
            }
            if j > i {
                let next_paren = toks
                    .get(j + 1)
                    .is_some_and(|t| t.1 == Tok::P(Punct::LParen));
                let prev = out.last().map(|t| &t.1);
                let prev2 = out.len().checked_sub(2).map(|k| &out[k].1);
                let ctx = matches!(prev, Some(Tok::Kw(Kw::Using | Kw::Set)))
                    || (matches!(prev, Some(Tok::Kw(Kw::By)))
                        && matches!(prev2, Some(Tok::Kw(Kw::Partition))))
                    || (matches!(prev, Some(Tok::Ident(_)))
                        && matches!(prev2, Some(Tok::Kw(Kw::Define))));
                if next_paren || ctx {
                    let (s, e) = (toks[i].0, toks[j].2);
                    out.push((s, Tok::Ident(src[s..e].to_string()), e));
                    i = j + 1;
                    continue;
                }
                // No chain starting later in this one can merge either (it has the same
                // end, and a `.` before it), so skip it whole: rescanning from each word
                // was quadratic in the chain's length.
                out.extend_from_slice(&toks[i..=j]);
                i = j + 1;
                continue;
            }
        }
        out.push(toks[i].clone());
        i += 1;
    }
    *toks = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        let (t, e) = tokenize(src);
        assert!(e.is_empty(), "{e:?}");
        t.into_iter().map(|(_, t, _)| t).collect()
    }

    #[test]
    fn keywords_ignore_case_identifiers_do_not() {
        assert_eq!(
            toks("LOAD load Load Abc abc"),
            vec![
                Tok::Kw(Kw::Load),
                Tok::Kw(Kw::Load),
                Tok::Kw(Kw::Load),
                Tok::Ident("Abc".into()),
                Tok::Ident("abc".into())
            ]
        );
    }

    #[test]
    fn qualified_and_dotted_names() {
        assert_eq!(toks("A::b"), vec![Tok::Ident("A::b".into())]);
        assert_eq!(
            toks("a.b.F(x)")[0],
            Tok::Ident("a.b.F".into()),
            "dotted function name before `(`"
        );
        assert_eq!(toks("A.x").len(), 3, "projection stays three tokens");
        assert_eq!(toks("USING a.b.C")[1], Tok::Ident("a.b.C".into()));
    }

    #[test]
    fn numbers() {
        assert_eq!(
            toks("1 2L 1.5 .5 1e3 1.5f 3BI 2.5BD $4"),
            vec![
                Tok::Int(1),
                Tok::Long(2),
                Tok::Double(1.5),
                Tok::Double(0.5),
                Tok::Double(1000.0),
                Tok::Float(1.5),
                Tok::BigInt("3".into()),
                Tok::BigDec("2.5".into()),
                Tok::Dollar(4)
            ]
        );
        assert_eq!(toks("(-1)")[1], Tok::Int(-1));
        assert_eq!(toks("a-1")[1], Tok::P(Punct::Minus));
        let (_, e) = tokenize("99999999999");
        assert!(e[0].message.contains("too big"));
    }

    #[test]
    fn comments_strings_backticks() {
        assert_eq!(
            toks("-- c\n/* d\n */ 'a\\tb' `ls -l`"),
            vec![Tok::Str("a\tb".into()), Tok::Backtick("ls -l".into())]
        );
        let (_, e) = tokenize("/* open");
        assert!(e[0].message.contains("comment"));
    }

    #[test]
    fn raw_lines_and_macro_bodies() {
        assert_eq!(
            toks("fs -ls /x; B = A;")[..3],
            [
                Tok::Kw(Kw::Fs),
                Tok::Raw("-ls /x".into()),
                Tok::P(Punct::Semi)
            ]
        );
        let t = toks("DEFINE m(a) RETURNS b { $b = FOREACH $a { GENERATE x; }; };");
        assert!(t.contains(&Tok::MacroBody(" $b = FOREACH $a { GENERATE x; }; ".into())));
        let (_, e) = tokenize("A = LOAD '$in';");
        assert!(e.is_empty(), "parameters inside strings are not tokens");
        let (_, e) = tokenize("B = LIMIT A $n;");
        assert!(e[0].message.contains("undefined parameter `n`"));
    }
}
