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
use crate::lexer::{self, Tok, escape};
use crate::span::Span;

struct Expander<'a> {
    defs: HashMap<String, MacroDef>,
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
                StatementKind::MacroDef(def) => {
                    self.defs.insert(def.name.node.clone(), def);
                }
                StatementKind::Import(path) => self.import_file(&path.node, path.span),
                StatementKind::MacroCall {
                    outputs,
                    name,
                    args,
                } => {
                    let Some(def) = self.defs.get(&name.node).cloned() else {
                        self.errors.push(ParseError {
                            message: format!("unknown macro `{}`", name.node),
                            span: name.span,
                            expected: Vec::new(),
                            help: Some("define it with DEFINE name(...) RETURNS ... { ... }; or IMPORT its file before the call".into()),
                        });
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
                        let v = match &a.node {
                            MacroArg::Name(s) | MacroArg::Number(s) => s.clone(),
                            MacroArg::String(s) => format!("'{}'", escape(s)),
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
