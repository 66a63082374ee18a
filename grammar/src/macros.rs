//! Macro expansion, done on the parsed script like Apache Pig does it.
//!
//! Every `DEFINE name(params) RETURNS outs { body };` (also those of `IMPORT`ed files) is
//! collected in script order; each later call `a, b = name(args);` is replaced by the
//! body's statements, where
//! - `$param` becomes the argument as written and `$out` the call's output alias;
//! - every other alias the body defines is renamed `macro_<name>_<alias>_<n>`, `n`
//!   counting the calls of that macro (0 first), so two calls never clash. Renaming is
//!   done on the body's identifier tokens, so a bag named after a grouped alias
//!   (`COUNT(D)` after `GROUP D ...`) follows its relation.
//!
//! Calls inside bodies are expanded too; a macro that calls itself (directly or not) is
//! an error, as are unknown macros and argument-count mismatches. Definitions and
//! IMPORTs do not appear in the result. Imported files get file ids 1, 2, ... in the
//! order they are first imported; expanded statements carry spans in the defining file.

use std::collections::{HashMap, HashSet};

use crate::ast::{MacroArg, MacroDef, Script, Statement, StatementKind};
use crate::error::ParseError;
use crate::lexer::{self, Tok};
use crate::span::Span;

struct Expander<'a> {
    defs: HashMap<String, MacroDef>,
    /// Macros whose definition was rejected: their calls add no error of their own.
    rejected: HashSet<String>,
    calls: HashMap<String, usize>,
    next_file: u32,
    imported: HashSet<String>,
    import: &'a mut dyn FnMut(&str) -> Result<String, String>,
    errors: Vec<ParseError>,
}

/// Expands every macro call in `script`; see the module docs.
pub fn expand_macros(
    script: Script,
    source: &str,
    import: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Script, Vec<ParseError>> {
    let _ = source;
    let next_file = script
        .statements
        .iter()
        .map(|s| s.span.file)
        .max()
        .unwrap_or(0)
        + 1;
    let mut ex = Expander {
        defs: HashMap::new(),
        rejected: HashSet::new(),
        calls: HashMap::new(),
        next_file,
        imported: HashSet::new(),
        import,
        errors: Vec::new(),
    };
    let mut out = Vec::new();
    ex.run(script.statements, &mut Vec::new(), &mut out);
    if ex.errors.is_empty() {
        Ok(Script { statements: out })
    } else {
        Err(ex.errors)
    }
}

impl Expander<'_> {
    fn run(&mut self, stmts: Vec<Statement>, stack: &mut Vec<String>, out: &mut Vec<Statement>) {
        for st in stmts {
            let span = st.span;
            match st.node {
                StatementKind::MacroDef(def) => self.define(def),
                StatementKind::Import(path) => self.import_file(&path.node, path.span),
                StatementKind::MacroCall {
                    outputs,
                    name,
                    args,
                } => {
                    let Some(def) = self.defs.get(&name.node).cloned() else {
                        if self.rejected.contains(&name.node) {
                            continue;
                        }
                        self.errors.push(
                            ParseError::new(format!("unknown macro `{}`", name.node), name.span)
                                .with_help("define it with DEFINE name(...) RETURNS ... { ... }; or IMPORT its file before the call"),
                        );
                        continue;
                    };
                    if stack.contains(&name.node) {
                        self.errors.push(ParseError::new(
                            format!(
                                "macro `{}` calls itself (through {})",
                                name.node,
                                stack.join(" -> ")
                            ),
                            name.span,
                        ));
                        continue;
                    }
                    if def.params.len() != args.len() {
                        self.errors.push(ParseError::new(
                            format!(
                                "macro `{}` takes {} argument(s) but {} were given",
                                name.node,
                                def.params.len(),
                                args.len()
                            ),
                            span,
                        ));
                        continue;
                    }
                    if def.returns.len() != outputs.len() {
                        self.errors.push(ParseError::new(
                            format!(
                                "macro `{}` returns {} alias(es) but the call assigns {}",
                                name.node,
                                def.returns.len(),
                                outputs.len()
                            ),
                            span,
                        ));
                        continue;
                    }
                    let n = {
                        let c = self.calls.entry(name.node.clone()).or_insert(0);
                        *c += 1;
                        *c - 1
                    };
                    let mut subst: HashMap<String, String> = HashMap::new();
                    for (p, a) in def.params.iter().zip(&args) {
                        // As in Pig, a quoted argument loses its quotes: the body
                        // quotes it where it needs a string (`LOAD '$path'`).
                        let v = match &a.node {
                            MacroArg::Name(s) | MacroArg::Number(s) | MacroArg::String(s) => {
                                s.clone()
                            }
                        };
                        subst.insert(p.node.clone(), v);
                    }
                    for (r, o) in def.returns.iter().zip(&outputs) {
                        subst.insert(r.node.clone(), o.node.clone());
                    }
                    match self.instantiate(&def, &subst, n) {
                        Ok(body) => {
                            stack.push(name.node.clone());
                            self.run(body.statements, stack, out);
                            stack.pop();
                        }
                        Err(mut e) => {
                            for err in &mut e {
                                err.message = format!(
                                    "in macro `{}` called here: {}",
                                    name.node, err.message
                                );
                                err.span = span;
                            }
                            self.errors.extend(e);
                        }
                    }
                }
                other => out.push(crate::span::Spanned::new(other, span)),
            }
        }
    }

    /// Records a definition after Pig's checks: names are global and defined once, no
    /// parameter shares a return alias's name, and the body defines every return alias.
    fn define(&mut self, def: MacroDef) {
        let name = &def.name;
        if let Some(first) = self.defs.get(&name.node) {
            self.errors.push(
                ParseError::new(format!("Duplicated macro name `{}`", name.node), name.span)
                    .with_related(first.name.span, "first defined here")
                    .with_help("macro names are global: rename one of the macros"),
            );
            return;
        }
        let mut ok = true;
        for r in &def.returns {
            if let Some(p) = def.params.iter().find(|p| p.node == r.node) {
                self.errors.push(
                    ParseError::new(
                        format!(
                            "macro `{}` has a parameter and a return alias both named `{}`",
                            name.node, r.node
                        ),
                        p.span,
                    )
                    .with_related(r.span, "return alias")
                    .with_help("`$name` in the body could only mean one of them: rename one"),
                );
                ok = false;
            }
        }
        if ok {
            let defined = defined_dollar_aliases(&def.body.node);
            for r in &def.returns {
                if !defined.contains(&r.node) {
                    self.errors.push(
                        ParseError::new(
                            format!(
                                "Invalid macro definition: Macro `{}` missing return alias: {}",
                                name.node, r.node
                            ),
                            r.span,
                        )
                        .with_help(format!(
                            "the body must assign the alias it returns: `${} = ...;`",
                            r.node
                        )),
                    );
                    ok = false;
                }
            }
        }
        if ok {
            self.defs.insert(name.node.clone(), def);
        } else {
            self.rejected.insert(name.node.clone());
        }
    }

    fn import_file(&mut self, path: &str, span: Span) {
        if !self.imported.insert(path.to_string()) {
            return;
        }
        let text = match (self.import)(path) {
            Ok(t) => t,
            Err(e) => {
                self.errors.push(ParseError::new(
                    format!("cannot import `{path}`: {e}"),
                    span,
                ));
                return;
            }
        };
        let file = self.next_file;
        self.next_file += 1;
        match crate::parse_script(&text, file) {
            Ok(s) => {
                let mut ignored = Vec::new();
                // Only definitions (and nested imports) of an imported file count.
                let defs: Vec<Statement> = s
                    .statements
                    .into_iter()
                    .filter(|st| {
                        matches!(
                            st.node,
                            StatementKind::MacroDef(_) | StatementKind::Import(_)
                        )
                    })
                    .collect();
                self.run(defs, &mut Vec::new(), &mut ignored);
            }
            Err(e) => self.errors.extend(e),
        }
    }

    /// The body with parameters substituted and internal aliases renamed, parsed.
    fn instantiate(
        &self,
        def: &MacroDef,
        subst: &HashMap<String, String>,
        n: usize,
    ) -> Result<Script, Vec<ParseError>> {
        let file = def.body.span.file;
        let text = substitute_params(&def.body.node, subst);
        // Padding puts spans at the definition's place in its file.
        let pad = " ".repeat(def.body.span.start as usize);
        let padded = format!("{pad}{text}");
        let first = crate::parse_script(&padded, file)?;
        let outputs: HashSet<&String> = def
            .returns
            .iter()
            .filter_map(|r| subst.get(&r.node))
            .collect();
        let mut internal = HashSet::new();
        for st in &first.statements {
            match &st.node {
                StatementKind::Assign { alias, .. } => {
                    internal.insert(alias.node.clone());
                }
                StatementKind::Split {
                    branches,
                    otherwise,
                    ..
                } => {
                    internal.extend(branches.iter().map(|(a, _)| a.node.clone()));
                    internal.extend(otherwise.iter().map(|a| a.node.clone()));
                }
                StatementKind::MacroCall { outputs, .. } => {
                    internal.extend(outputs.iter().map(|a| a.node.clone()));
                }
                _ => {}
            }
        }
        internal.retain(|a| !outputs.contains(a));
        if internal.is_empty() {
            return Ok(first);
        }
        let renamed = rename_aliases(&padded, &internal, &def.name.node, n);
        crate::parse_script(&renamed, file)
    }
}

/// Replaces `$name` for the macro's parameters and returns, outside comments.
fn substitute_params(body: &str, subst: &HashMap<String, String>) -> String {
    let b = body.as_bytes();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    let mut last = 0;
    let mut in_str = false;
    while i < b.len() {
        let c = b[i];
        if !in_str && c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if !in_str && c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                i += 1;
            }
            i += 2;
            continue;
        }
        if c == b'\'' {
            in_str = !in_str;
        } else if c == b'\\' && in_str {
            i += 2;
            continue;
        } else if c == b'$' {
            let (name, len) = if b.get(i + 1) == Some(&b'{') {
                match body[i + 2..].find('}') {
                    Some(end) => (&body[i + 2..i + 2 + end], end + 3),
                    None => ("", 0),
                }
            } else {
                let mut j = i + 1;
                while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
                    j += 1;
                }
                (&body[i + 1..j], j - i)
            };
            if let Some(v) = subst.get(name) {
                out.push_str(&body[last..i]);
                out.push_str(v);
                i += len;
                last = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&body[last..i.min(b.len())]);
    out
}

/// Renames identifier tokens naming internal aliases (also as `alias::field` prefixes).
fn rename_aliases(text: &str, internal: &HashSet<String>, macro_name: &str, n: usize) -> String {
    let (toks, _) = lexer::tokenize(text);
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0;
    for (s, t, e) in toks {
        if let Tok::Ident(name) = &t {
            let mut parts: Vec<String> = name.split("::").map(str::to_string).collect();
            let mut changed = false;
            // Only the leading part(s) can be relation names.
            for p in parts.iter_mut().take(name.matches("::").count().max(1)) {
                if internal.contains(p.as_str()) {
                    *p = format!("macro_{macro_name}_{p}_{n}");
                    changed = true;
                }
            }
            if changed && !name.contains('.') {
                out.push_str(&text[last..s]);
                out.push_str(&parts.join("::"));
                last = e;
            }
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The `$alias`es a macro body assigns, found as Pig finds them (`PigMacro.validate`):
/// `$a = ...` (not `==`), `$a, $b = m(...)`, and SPLIT branches `$a IF ...` /
/// `$a OTHERWISE`. Comments and quoted strings are skipped.
fn defined_dollar_aliases(body: &str) -> HashSet<String> {
    #[derive(PartialEq)]
    enum T<'a> {
        Dollar(&'a str),
        Word(&'a str),
        Punct(u8),
    }
    let b = body.as_bytes();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i += 2;
        } else if c == b'\'' {
            i += 1;
            while i < b.len() && b[i] != b'\'' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            i += 1;
            toks.push(T::Punct(b'\''));
        } else if c == b'$' || c.is_ascii_alphanumeric() || c == b'_' {
            let start = i;
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            toks.push(if c == b'$' {
                T::Dollar(&body[start + 1..i])
            } else {
                T::Word(&body[start..i])
            });
        } else {
            if !c.is_ascii_whitespace() {
                toks.push(T::Punct(c));
            }
            i += 1;
        }
    }
    let mut out = HashSet::new();
    let word = |t: Option<&T>, w: &str| matches!(t, Some(T::Word(x)) if x.eq_ignore_ascii_case(w));
    for (k, t) in toks.iter().enumerate() {
        let T::Dollar(name) = t else { continue };
        if name.is_empty() {
            continue;
        }
        let next = toks.get(k + 1);
        let assigned = next == Some(&T::Punct(b'=')) && toks.get(k + 2) != Some(&T::Punct(b'='));
        if assigned || word(next, "if") || word(next, "otherwise") {
            out.insert((*name).to_string());
            continue;
        }
        // `$a, $b, ... =`: every alias of the list is assigned.
        let mut j = k + 1;
        let mut list = vec![*name];
        while toks.get(j) == Some(&T::Punct(b',')) {
            match toks.get(j + 1) {
                Some(T::Dollar(n)) => list.push(n),
                Some(T::Word(_)) => {}
                _ => break,
            }
            j += 2;
        }
        if j > k + 1
            && toks.get(j) == Some(&T::Punct(b'='))
            && toks.get(j + 1) != Some(&T::Punct(b'='))
        {
            out.extend(list.iter().map(|n| (*n).to_string()));
        }
    }
    out
}
