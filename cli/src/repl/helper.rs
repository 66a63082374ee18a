//! The shell's line editor helper: Tab completion (keywords, shell commands, aliases, the
//! fields of an alias, functions, `$parameters`, file paths), a hint with the schema of the
//! alias under the cursor, syntax highlighting, and multi-line input (Enter inside an
//! unfinished statement adds a line to the same entry).

use std::borrow::Cow;
use std::path::Path;

use pigrs_grammar::lexer::{Kw, Punct, Tok, tokenize};
use pigrs_udf::{PigType, Schema};
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hint, Hinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::command::{COMMAND_WORDS, is_complete};

/// The keywords Tab offers: those that start statements and clauses, the types, and the
/// operators written as words.
const KEYWORDS: &[&str] = &[
    "LOAD",
    "STORE",
    "INTO",
    "USING",
    "AS",
    "FOREACH",
    "GENERATE",
    "FILTER",
    "BY",
    "GROUP",
    "COGROUP",
    "JOIN",
    "CROSS",
    "UNION",
    "ONSCHEMA",
    "ORDER",
    "ASC",
    "DESC",
    "LIMIT",
    "DISTINCT",
    "SAMPLE",
    "RANK",
    "DENSE",
    "CUBE",
    "ROLLUP",
    "ASSERT",
    "STREAM",
    "THROUGH",
    "SPLIT",
    "IF",
    "OTHERWISE",
    "DEFINE",
    "RETURNS",
    "REGISTER",
    "IMPORT",
    "DUMP",
    "DESCRIBE",
    "EXPLAIN",
    "ILLUSTRATE",
    "SET",
    "ALL",
    "INNER",
    "OUTER",
    "LEFT",
    "RIGHT",
    "FULL",
    "PARALLEL",
    "PARTITION",
    "FLATTEN",
    "AND",
    "OR",
    "NOT",
    "IS",
    "NULL",
    "MATCHES",
    "IN",
    "CASE",
    "WHEN",
    "THEN",
    "ELSE",
    "END",
    "TRUE",
    "FALSE",
    "INT",
    "LONG",
    "FLOAT",
    "DOUBLE",
    "BIGINTEGER",
    "BIGDECIMAL",
    "CHARARRAY",
    "BYTEARRAY",
    "BOOLEAN",
    "DATETIME",
    "TUPLE",
    "BAG",
    "MAP",
];

/// Commands of the grammar whose argument is a path, as raw text.
const PATH_COMMANDS: &[&str] = &["run", "exec", "fs", "sh", "rmf"];

/// What the shell knows that completion and hints use: refreshed after every input.
#[derive(Clone, Debug, Default)]
pub struct Names {
    /// Every alias, in definition order, with its schema when known.
    pub aliases: Vec<(String, Option<Schema>)>,
    /// Built-in, DEFINEd and plugin function names.
    pub functions: Vec<String>,
    /// Parameter names (without `$`).
    pub params: Vec<String>,
}

impl Names {
    fn schema(&self, alias: &str) -> Option<&Option<Schema>> {
        self.aliases
            .iter()
            .find(|(a, _)| a == alias)
            .map(|(_, s)| s)
    }
}

/// The shell's rustyline helper.
pub struct PigHelper {
    /// What the session defines.
    pub names: Names,
    /// Whether to color the input (off with `NO_COLOR`).
    color: bool,
}

impl PigHelper {
    /// A helper with no names yet.
    pub fn new() -> Self {
        PigHelper {
            names: Names::default(),
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

impl Helper for PigHelper {}

/// Where the statement under the cursor starts: after the last `;` outside quotes.
fn statement_start(before: &str) -> usize {
    let mut quote: Option<char> = None;
    let mut start = 0;
    for (i, c) in before.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '`' => quote = Some(c),
            None if c == ';' => start = i + 1,
            None => {}
        }
    }
    start
}

/// The byte offset of an open `'` in `stmt` (the cursor is inside a string), if any.
fn open_quote(stmt: &str) -> Option<usize> {
    let mut open = None;
    let mut escaped = false;
    for (i, c) in stmt.char_indices() {
        match open {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(_) if c == '\'' => open = None,
            Some(_) => {}
            None if c == '\'' => open = Some(i),
            None => {}
        }
    }
    open
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '$' | '\\')
}

/// The file names completing `partial` (a path being typed): the entries of its folder
/// starting with its last component; folders end with `/`. Returns the offset in `partial`
/// where the completed component starts.
fn complete_path(partial: &str) -> (usize, Vec<Pair>) {
    let cut = partial.rfind('/').map_or(0, |i| i + 1);
    let (dir, prefix) = partial.split_at(cut);
    let folder = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(dir)
    };
    let Ok(entries) = std::fs::read_dir(folder) else {
        return (cut, vec![]);
    };
    let mut out: Vec<Pair> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.')) {
                return None;
            }
            let slash = if e.path().is_dir() { "/" } else { "" };
            Some(Pair {
                display: format!("{name}{slash}"),
                replacement: format!("{name}{slash}"),
            })
        })
        .collect();
    out.sort_by(|a, b| a.display.cmp(&b.display));
    (cut, out)
}

/// The schema reached by following `path` (field names) into `schema`: tuple and bag
/// fields open onto their inner schema.
fn follow<'a>(mut schema: &'a Schema, path: &[&str]) -> Option<&'a Schema> {
    for name in path {
        let field = schema
            .fields
            .iter()
            .find(|f| f.name.as_deref() == Some(*name))?;
        schema = match &field.ty {
            PigType::Tuple(Some(s)) | PigType::Bag(Some(s)) => s,
            _ => return None,
        };
    }
    Some(schema)
}

fn field_names(schema: &Schema) -> impl Iterator<Item = &str> {
    schema.fields.iter().filter_map(|f| f.name.as_deref())
}

impl PigHelper {
    /// The aliases the statement `stmt` reads so far (`FOREACH A`, `JOIN A BY x, B BY`):
    /// known aliases that are not the one it assigns; the last one first.
    fn inputs_of(&self, stmt: &str) -> Vec<&str> {
        let (toks, _) = tokenize(stmt);
        let mut out = Vec::new();
        for (i, (_, tok, _)) in toks.iter().enumerate() {
            let Tok::Ident(name) = tok else { continue };
            let assigned = matches!(toks.get(i + 1), Some((_, Tok::P(Punct::Assign), _)));
            if !assigned && let Some((a, _)) = self.names.aliases.iter().find(|(a, _)| a == name) {
                out.retain(|x| x != &a.as_str());
                out.push(a.as_str());
            }
        }
        out.reverse();
        out
    }

    /// The candidates for the word `word` at the cursor of statement `stmt`.
    fn complete_word(&self, stmt: &str, word: &str) -> (usize, Vec<Pair>) {
        let pair = |s: &str| Pair {
            display: s.to_string(),
            replacement: s.to_string(),
        };
        if let Some(name) = word.strip_prefix('$') {
            let out = self
                .names
                .params
                .iter()
                .filter(|p| p.starts_with(name))
                .map(|p| pair(&format!("${p}")))
                .collect();
            return (0, out);
        }
        let at_start = stmt[..stmt.len() - word.len()].trim().is_empty();
        let mut out: Vec<Pair> = Vec::new();
        let mut add = |s: &str| {
            if !out.iter().any(|p| p.replacement == s) {
                out.push(pair(s));
            }
        };
        if let Some(dot) = word.rfind('.') {
            // `alias.field`, `alias.bag.field`, or a field of the statement's input.
            let (head, prefix) = (&word[..dot], &word[dot + 1..]);
            let path: Vec<&str> = head.split('.').collect();
            let mut schemas: Vec<&Schema> = Vec::new();
            if let Some(Some(s)) = self.names.schema(path[0])
                && let Some(inner) = follow(s, &path[1..])
            {
                schemas.push(inner);
            }
            for input in self.inputs_of(stmt) {
                if let Some(Some(s)) = self.names.schema(input)
                    && let Some(inner) = follow(s, &path)
                {
                    schemas.push(inner);
                }
            }
            for s in schemas {
                for f in field_names(s).filter(|f| f.starts_with(prefix)) {
                    add(&format!("{head}.{f}"));
                }
            }
            // Plugin functions are qualified: `myudfs.Rev`.
            for f in self.names.functions.iter().filter(|f| f.starts_with(word)) {
                add(f);
            }
            return (0, out);
        }
        if at_start {
            for c in COMMAND_WORDS.iter().filter(|c| c.starts_with(word)) {
                add(c);
            }
        }
        for input in self.inputs_of(stmt) {
            if let Some(Some(s)) = self.names.schema(input) {
                for f in field_names(s).filter(|f| f.starts_with(word)) {
                    add(f);
                }
            }
        }
        for (a, _) in self
            .names
            .aliases
            .iter()
            .filter(|(a, _)| a.starts_with(word))
        {
            add(a);
        }
        if !at_start {
            for f in self.names.functions.iter().filter(|f| f.starts_with(word)) {
                add(f);
            }
        }
        let lower = word.chars().next().is_some_and(|c| c.is_ascii_lowercase());
        for k in KEYWORDS {
            if k.len() > word.len() && k.starts_with(&word.to_ascii_uppercase()) {
                add(&if lower {
                    k.to_ascii_lowercase()
                } else {
                    (*k).to_string()
                });
            }
        }
        (0, out)
    }

    /// Completion of the text before the cursor: the offset where the replaced part starts,
    /// and the candidates.
    pub fn candidates(&self, before: &str) -> (usize, Vec<Pair>) {
        let start = statement_start(before);
        let stmt = &before[start..];
        let lead = stmt.len() - stmt.trim_start().len();
        let stmt = stmt.trim_start();
        let start = start + lead;
        let first = stmt.split_whitespace().next().unwrap_or("");
        let command = (PATH_COMMANDS.iter().any(|c| first.eq_ignore_ascii_case(c))
            || pigrs_grammar::ast::FileCommand::from_word(first).is_some())
            && stmt.len() > first.len();
        if let Some(q) = open_quote(stmt) {
            let keyword = stmt[..q]
                .split_whitespace()
                .next_back()
                .unwrap_or("")
                .to_ascii_uppercase();
            let partial = &stmt[q + 1..];
            if let Some(dollar) = partial.rfind('$')
                && partial[dollar + 1..]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                let (_, out) = self.complete_word(stmt, &partial[dollar..]);
                return (start + q + 1 + dollar, out);
            }
            if command || matches!(keyword.as_str(), "LOAD" | "INTO" | "REGISTER") {
                let (cut, out) = complete_path(partial);
                return (start + q + 1 + cut, out);
            }
            return (before.len(), vec![]);
        }
        let word_len = stmt
            .chars()
            .rev()
            .take_while(|&c| is_word_char(c))
            .map(char::len_utf8)
            .sum::<usize>();
        let word = &stmt[stmt.len() - word_len..];
        if command {
            // `run script.pig`, `fs -ls data/`: the argument under the cursor is a path.
            let arg_len = stmt
                .chars()
                .rev()
                .take_while(|c| !c.is_whitespace())
                .map(char::len_utf8)
                .sum::<usize>();
            let arg = &stmt[stmt.len() - arg_len..];
            if arg.starts_with('-') {
                return (before.len(), vec![]);
            }
            let (cut, out) = complete_path(arg);
            return (before.len() - arg_len + cut, out);
        }
        let (offset, out) = self.complete_word(stmt, word);
        (before.len() - word_len + offset, out)
    }

    /// The schema hint for the text before the cursor: when it ends with an alias.
    fn schema_hint(&self, before: &str) -> Option<String> {
        let word_len = before
            .chars()
            .rev()
            .take_while(|&c| c.is_ascii_alphanumeric() || c == '_')
            .count();
        if word_len == 0 {
            return None;
        }
        let word = &before[before.len() - word_len..];
        let stmt = &before[statement_start(before)..];
        // Not while typing the alias an assignment defines.
        if stmt.trim_start().len() == word_len {
            return None;
        }
        let schema = self.names.schema(word)?;
        Some(match schema {
            Some(s) => format!("  -- {word}: {{{s}}}"),
            None => format!("  -- {word}: schema unknown"),
        })
    }
}

impl Completer for PigHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        Ok(self.candidates(&line[..pos]))
    }
}

/// A hint shown after the cursor and never inserted.
pub struct ShownHint(String);

impl Hint for ShownHint {
    fn display(&self) -> &str {
        &self.0
    }

    fn completion(&self) -> Option<&str> {
        None
    }
}

impl Hinter for PigHelper {
    type Hint = ShownHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<ShownHint> {
        if pos < line.len() {
            return None;
        }
        self.schema_hint(line).map(ShownHint)
    }
}

/// The color of a token, if it gets one.
fn style(tok: &Tok) -> Option<&'static str> {
    match tok {
        Tok::Kw(Kw::Fs | Kw::Sh | Kw::Rmf | Kw::Exec | Kw::Run) => Some("\x1b[1;35m"),
        Tok::Kw(_) => Some("\x1b[1;34m"),
        Tok::Str(_) | Tok::Backtick(_) => Some("\x1b[32m"),
        Tok::Int(_)
        | Tok::Long(_)
        | Tok::Float(_)
        | Tok::Double(_)
        | Tok::BigInt(_)
        | Tok::BigDec(_)
        | Tok::Dollar(_) => Some("\x1b[36m"),
        _ => None,
    }
}

/// `line` with ANSI colors: keywords, strings and numbers.
fn colored(line: &str) -> String {
    let (toks, _) = tokenize(line);
    let mut out = String::with_capacity(line.len() * 2);
    let mut last = 0;
    for (start, tok, end) in &toks {
        let (start, end) = (*start, *end);
        if start < last || end > line.len() || !line.is_char_boundary(start) {
            continue;
        }
        let Some(color) = style(tok) else { continue };
        out.push_str(&line[last..start]);
        out.push_str(color);
        out.push_str(&line[start..end]);
        out.push_str("\x1b[0m");
        last = end;
    }
    out.push_str(&line[last..]);
    out
}

impl Highlighter for PigHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(colored(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.color && kind != CmdKind::MoveCursor
    }
}

impl Validator for PigHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_udf::Field;

    fn helper() -> PigHelper {
        let people = Schema::new(vec![
            Field::new("name", PigType::Chararray),
            Field::new("age", PigType::Int),
        ]);
        let grouped = Schema::new(vec![
            Field::new("group", PigType::Int),
            Field::new("people", PigType::Bag(Some(people.clone()))),
        ]);
        PigHelper {
            names: Names {
                aliases: vec![
                    ("people".into(), Some(people)),
                    ("by_age".into(), Some(grouped)),
                    ("raw".into(), None),
                ],
                functions: vec!["COUNT".into(), "CONCAT".into(), "myudfs.Reverse".into()],
                params: vec!["day".into(), "dir".into()],
            },
            color: false,
        }
    }

    fn offered(before: &str) -> Vec<String> {
        let (_, pairs) = helper().candidates(before);
        pairs.into_iter().map(|p| p.replacement).collect()
    }

    #[test]
    fn the_keywords_offered_are_keywords() {
        for k in KEYWORDS {
            let (toks, errs) = tokenize(k);
            // `SET` alone ends its statement at the end of its line: an implicit `;`.
            let extra = toks
                .iter()
                .skip(1)
                .all(|t| matches!(t.1, Tok::P(Punct::Semi)));
            assert!(errs.is_empty() && !toks.is_empty() && extra, "{k}");
            assert!(
                matches!(&toks[0].1, Tok::Kw(kw) if kw.as_str() == *k),
                "{k}"
            );
        }
    }

    #[test]
    fn completes_aliases_fields_functions_keywords_and_parameters() {
        assert_eq!(offered("DUMP peo"), ["people"]);
        assert_eq!(offered("B = FOREACH people GENERATE na"), ["name"]);
        assert_eq!(offered("B = FILTER people BY people.a"), ["people.age"]);
        assert_eq!(
            offered("C = FOREACH by_age GENERATE group, COUNT(people.n"),
            ["people.name"]
        );
        assert_eq!(
            offered("C = FOREACH by_age GENERATE by_age.people.a"),
            ["by_age.people.age"]
        );
        assert_eq!(
            offered("B = FOREACH people GENERATE CO"),
            ["COUNT", "CONCAT", "COGROUP"]
        );
        assert_eq!(
            offered("B = FOREACH people GENERATE myudfs.R"),
            ["myudfs.Reverse"]
        );
        assert_eq!(offered("B = for"), ["foreach"]);
        assert_eq!(
            offered("B = LOAD '$in' AS (x:int); STORE B INTO '$d"),
            ["$day", "$dir"]
        );
        assert_eq!(offered("B = FILTER people BY $d"), ["$day", "$dir"]);
        assert_eq!(offered("\\d"), ["\\d", "\\de"]);
        assert_eq!(offered("ali"), ["aliases"]);
        assert!(offered("raw.").is_empty());
    }

    #[test]
    fn completes_paths_in_quotes_and_after_commands() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(dir.path().join("data").join("people.txt"), "").unwrap();
        std::fs::write(dir.path().join("script.pig"), "").unwrap();
        let d = dir.path().display().to_string();
        let h = helper();
        let (start, pairs) = h.candidates(&format!("A = LOAD '{d}/da"));
        assert_eq!(start, format!("A = LOAD '{d}/").len());
        assert_eq!(pairs[0].replacement, "data/");
        let (_, pairs) = h.candidates(&format!("STORE A INTO '{d}/data/p"));
        assert_eq!(pairs[0].replacement, "people.txt");
        let (start, pairs) = h.candidates(&format!("run {d}/scr"));
        assert_eq!(start, format!("run {d}/").len());
        assert_eq!(pairs[0].replacement, "script.pig");
        let (_, pairs) = h.candidates(&format!("fs -cat {d}/data/"));
        assert_eq!(pairs[0].replacement, "people.txt");
        // Not a path after other words in quotes.
        let (_, pairs) = h.candidates(&format!("B = FILTER A BY s == '{d}/da"));
        assert!(pairs.is_empty());
    }

    #[test]
    fn hints_the_schema_of_the_alias_before_the_cursor() {
        let h = helper();
        assert_eq!(
            h.schema_hint("B = FOREACH people").as_deref(),
            Some("  -- people: {name: chararray,age: int}")
        );
        assert_eq!(h.schema_hint("people"), None);
        assert_eq!(h.schema_hint("DUMP nobody"), None);
        assert_eq!(
            h.schema_hint("DUMP raw").as_deref(),
            Some("  -- raw: schema unknown")
        );
    }

    #[test]
    fn colors_keywords_strings_and_numbers_only() {
        let line = "A = LOAD 'x' AS (n:int); -- LOAD";
        let out = colored(line);
        assert!(out.contains("\x1b[1;34mLOAD\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[32m'x'\x1b[0m"), "{out:?}");
        assert!(out.ends_with("-- LOAD"), "{out:?}");
        let plain: String = out
            .split('\x1b')
            .enumerate()
            .map(|(i, s)| {
                if i == 0 {
                    s
                } else {
                    &s[s.find('m').unwrap() + 1..]
                }
            })
            .collect();
        assert_eq!(plain, line);
    }
}
