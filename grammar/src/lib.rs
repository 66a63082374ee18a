//! Pig Latin front end: lexer, LALR(1) grammar, spanned AST, canonical printer,
//! parameter substitution and macro expansion.
//!
//! ```
//! let script = pigrs_grammar::parse_script("A = LOAD 'x' AS (a:int); DUMP A;", 0).unwrap();
//! assert_eq!(script.statements.len(), 2);
//! ```
#![deny(missing_docs)]

pub mod ast;
pub mod error;
pub mod lexer;
pub mod macros;
pub mod params;
pub mod parser;
pub mod printer;
pub mod span;

pub use error::ParseError;
pub use span::{Span, Spanned};

/// Parses a whole script (after parameter substitution). `file` goes into every span.
/// Collects several errors where the parser can recover at a `;`.
pub fn parse_script(source: &str, file: u32) -> Result<ast::Script, Vec<ParseError>> {
    parser::parse(source, file)
}

/// Parses one REPL input, which may hold several statements; a missing final `;` is
/// tolerated.
pub fn parse_statement(source: &str, file: u32) -> Result<ast::Script, Vec<ParseError>> {
    match parser::parse(source, file) {
        Ok(s) => Ok(s),
        Err(errs) => {
            let mut patched = source.to_string();
            patched.push_str("\n;");
            parser::parse(&patched, file).map_err(|_| errs)
        }
    }
}
