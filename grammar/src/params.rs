//! Pig's parameter substitution, run on the script text before parsing.
//!
//! - `$name` and `${name}` are replaced everywhere except inside comments (also inside
//!   quoted strings, as Pig does). As in Pig, a name is `_*[a-zA-Z]\w*`: any other text
//!   after a `$` (`$0` positions, Perl's `$_` in a streaming command) is left as written,
//!   and `\$name` is not substituted.
//! - Values given with `-param`/`-param_file` ([`ParamLoader`]) are read as Pig's
//!   `ParamLoader` reads them: a quoted value loses its quotes (`\'`/`\"` inside stand for
//!   the quote), a value in backticks is a shell command whose output is the value, and
//!   a value may use the parameters given before it.
//! - `%declare name value` and `%default name value` lines define parameters; the lines
//!   are blanked out so line numbers stay the same. Values may be quoted, may use other
//!   parameters, and a value in backticks is a shell command whose output is the value.
//! - Precedence, as in Apache Pig 0.17: `%default` < parameter files < `-param` on the
//!   command line < `%declare`. The `params` argument holds the command line (with
//!   parameter files merged before `-param`s by the caller); a `%default` never overrides
//!   them, a `%declare` does.
//! - Inside a macro body (`DEFINE m(..) RETURNS .. { ... }`), a `$name` that is not a
//!   parameter is a macro parameter and is left for macro expansion.

use std::collections::HashMap;

/// A parameter substitution error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParamError {
    /// What went wrong, naming the parameter.
    pub message: String,
    /// Byte offset in the script (or the line start in a parameter file).
    pub offset: usize,
}

fn is_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// The length of the parameter name at the start of `b`: Pig's `_*[a-zA-Z]\w*`.
fn name_len(b: &[u8]) -> Option<usize> {
    let underscores = b.iter().take_while(|&&c| c == b'_').count();
    if !b.get(underscores)?.is_ascii_alphabetic() {
        return None;
    }
    Some(
        underscores
            + b[underscores..]
                .iter()
                .take_while(|&&c| is_name_char(c))
                .count(),
    )
}

fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Replaces `$name`/`${name}` in `text` (a parameter value), with no comment handling.
fn subst_value(
    text: &str,
    vars: &HashMap<String, String>,
    offset: usize,
) -> Result<String, ParamError> {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i < b.len() {
        if b[i] == b'\\' && b.get(i + 1) == Some(&b'$') {
            out.push_str(&text[last..i]);
            last = i + 1;
            i += 2;
            continue;
        }
        if b[i] == b'$'
            && let Some((name, len)) = param_at(text, i)
        {
            out.push_str(&text[last..i]);
            match vars.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    return Err(ParamError {
                        message: format!("undefined parameter `{name}`"),
                        offset: offset + i,
                    });
                }
            }
            i += len;
            last = i;
            continue;
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    Ok(out)
}

/// A parameter reference at `i` (which holds `$`): its name and total length.
fn param_at(text: &str, i: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    if i > 0 && b[i - 1] == b'\\' {
        return None;
    }
    match b.get(i + 1) {
        Some(b'{') => {
            let close = text[i + 2..].find('}')?;
            let name = &text[i + 2..i + 2 + close];
            (name_len(name.as_bytes()) == Some(name.len())).then_some((name, close + 3))
        }
        Some(_) => {
            let len = name_len(&b[i + 1..])?;
            Some((&text[i + 1..i + 1 + len], len + 1))
        }
        None => None,
    }
}

fn run_shell(cmd: &str, offset: usize) -> Result<String, ParamError> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .output()
        .map_err(|e| ParamError {
            message: format!("could not run `{cmd}`: {e}"),
            offset,
        })?;
    if !out.status.success() {
        return Err(ParamError {
            message: format!(
                "command `{cmd}` failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
            offset,
        });
    }
    let s = String::from_utf8_lossy(&out.stdout);
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

fn unquote(v: &str) -> &str {
    let v = v.trim();
    if v.len() >= 2
        && ((v.starts_with('\'') && v.ends_with('\'')) || (v.starts_with('"') && v.ends_with('"')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// Evaluates a `%declare`/`%default` value.
fn eval_value(
    raw: &str,
    vars: &HashMap<String, String>,
    offset: usize,
) -> Result<String, ParamError> {
    let raw = raw.trim().trim_end_matches(';').trim_end();
    if raw.len() >= 2 && raw.starts_with('`') && raw.ends_with('`') {
        let cmd = subst_value(&raw[1..raw.len() - 1], vars, offset)?;
        return run_shell(&cmd, offset);
    }
    let v = unquote(raw);
    let v = v.replace("\\'", "'");
    subst_value(&v, vars, offset)
}

/// Parses a `%declare`/`%default` line: `(is_declare, name, raw value, value offset)`.
fn directive(line: &str) -> Option<(bool, &str, &str, usize)> {
    let t = line.trim_start();
    let lead = line.len() - t.len();
    let lower = t.get(..8).map(|s| s.to_ascii_lowercase());
    let declare = match lower.as_deref() {
        Some("%declare") => true,
        Some("%default") => false,
        _ => return None,
    };
    let rest = &t[8..];
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let r = rest.trim_start();
    let name_len = r.bytes().take_while(|&c| is_name_char(c)).count();
    let name = &r[..name_len];
    let value = &r[name_len..];
    let value_off = lead + 8 + (rest.len() - r.len()) + name_len;
    Some((declare, name, value, value_off))
}

/// Runs Pig parameter substitution on a script; see the module docs for the rules.
pub fn substitute(source: &str, params: &[(String, String)]) -> Result<String, ParamError> {
    substitute_with_vars(source, params).map(|(text, _)| text)
}

/// [`substitute`], also returning every parameter's value at the end of the text: `params`
/// and those the text's `%declare` and `%default` lines gave (the shell keeps them for
/// its next statements).
pub fn substitute_with_vars(
    source: &str,
    params: &[(String, String)],
) -> Result<(String, Vec<(String, String)>), ParamError> {
    let mut vars: HashMap<String, String> = params.iter().cloned().collect();
    let cli: std::collections::HashSet<&str> = params.iter().map(|(k, _)| k.as_str()).collect();
    let mut out = String::with_capacity(source.len());
    let mut in_block_comment = false;
    let mut in_string = false;
    // Macro body tracking: after a RETURNS word outside strings, the next `{` opens a body.
    let mut saw_returns = false;
    let mut macro_depth = 0usize;
    let mut line_start = 0;
    for line in source.split_inclusive('\n') {
        let offset = line_start;
        line_start += line.len();
        if !in_block_comment
            && !in_string
            && macro_depth == 0
            && let Some((declare, name, value, voff)) = directive(line)
        {
            if name.is_empty() {
                return Err(ParamError {
                    message: format!(
                        "`%{}` needs a parameter name",
                        if declare { "declare" } else { "default" }
                    ),
                    offset,
                });
            }
            let v = eval_value(value, &vars, offset + voff)?;
            if declare || (!vars.contains_key(name) && !cli.contains(name)) {
                vars.insert(name.to_string(), v);
            }
            if line.ends_with('\n') {
                out.push('\n');
            }
            continue;
        }
        let b = line.as_bytes();
        let mut i = 0;
        let mut last = 0;
        while i < b.len() {
            let c = b[i];
            if in_block_comment {
                if c == b'*' && b.get(i + 1) == Some(&b'/') {
                    in_block_comment = false;
                    i += 2;
                } else {
                    i += 1;
                }
                continue;
            }
            if !in_string {
                if c == b'-' && b.get(i + 1) == Some(&b'-') {
                    break;
                }
                if c == b'/' && b.get(i + 1) == Some(&b'*') {
                    in_block_comment = true;
                    i += 2;
                    continue;
                }
                if is_name_start(c) && (i == 0 || !is_name_char(b[i - 1])) {
                    let mut j = i;
                    while j < b.len() && is_name_char(b[j]) {
                        j += 1;
                    }
                    if line[i..j].eq_ignore_ascii_case("returns") {
                        saw_returns = true;
                    }
                    i = j;
                    continue;
                }
                match c {
                    b'{' if saw_returns || macro_depth > 0 => {
                        saw_returns = false;
                        macro_depth += 1;
                    }
                    b'}' if macro_depth > 0 => macro_depth -= 1,
                    b';' if macro_depth == 0 => saw_returns = false,
                    _ => {}
                }
            }
            if c == b'\'' {
                in_string = !in_string;
            } else if c == b'\\' && b.get(i + 1) == Some(&b'$') {
                // `\$` keeps a `$` from substitution; the backslash goes, as in Pig.
                out.push_str(&line[last..i]);
                last = i + 1;
                i += 2;
                continue;
            } else if c == b'\\' && in_string {
                i += 2;
                continue;
            } else if c == b'\n' && in_string {
                in_string = false;
            } else if c == b'$'
                && let Some((name, len)) = param_at(line, i)
            {
                match vars.get(name) {
                    Some(v) => {
                        out.push_str(&line[last..i]);
                        out.push_str(v);
                        i += len;
                        last = i;
                        continue;
                    }
                    None if macro_depth > 0 => {}
                    None => {
                        return Err(ParamError {
                            message: format!(
                                "undefined parameter `{name}`: pass -param {name}=VALUE or add `%default {name} VALUE`"
                            ),
                            offset: offset + i,
                        });
                    }
                }
            }
            i += 1;
        }
        out.push_str(&line[last..]);
    }
    let mut vars: Vec<(String, String)> = vars.into_iter().collect();
    vars.sort();
    Ok((out, vars))
}

/// Reads `-param_file` files and `-param` values in the order Pig does (files first,
/// then the command line), each value as Pig's `ParamLoader` reads it.
///
/// A later value of a name replaces an earlier one.
#[derive(Debug, Default, Clone)]
pub struct ParamLoader {
    values: Vec<(String, String)>,
}

impl ParamLoader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads a parameter file: `name=value` (or `name = value`) lines, `#` comments and
    /// blank lines. An error's offset is the start of its line in `text`.
    pub fn file(&mut self, text: &str) -> Result<(), ParamError> {
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let here = offset;
            offset += line.len();
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
            self.assignment(t).map_err(|message| ParamError {
                message,
                offset: here,
            })?;
        }
        Ok(())
    }

    /// Reads one `-param name=value` argument.
    pub fn arg(&mut self, arg: &str) -> Result<(), ParamError> {
        self.assignment(arg.trim())
            .map_err(|message| ParamError { message, offset: 0 })
    }

    /// The parameters read so far, each name once, in the order first given.
    pub fn into_params(self) -> Vec<(String, String)> {
        self.values
    }

    fn assignment(&mut self, t: &str) -> Result<(), String> {
        let Some(eq) = t.find('=') else {
            return Err(format!("expected `name=value`, found `{t}`"));
        };
        let key = t[..eq].trim();
        if name_len(key.as_bytes()) != Some(key.len()) {
            return Err(format!(
                "invalid parameter name `{key}`: a name is letters, digits and `_`, starting with a letter (after any `_`)"
            ));
        }
        let value = self.value(key, t[eq + 1..].trim())?;
        match self.values.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.values.push((key.to_string(), value)),
        }
        Ok(())
    }

    /// A value: quoted (quotes removed, `\'`/`\"` stand for the quote), a shell command in
    /// backticks, or plain text; parameters given before it are substituted.
    fn value(&self, key: &str, raw: &str) -> Result<String, String> {
        let vars: HashMap<String, String> = self.values.iter().cloned().collect();
        let subst = |text: &str| {
            subst_value(text, &vars, 0).map_err(|e| {
                format!(
                    "{} found when trying to find the value of `{key}`",
                    e.message
                )
            })
        };
        let Some(first) = raw.chars().next() else {
            return Ok(String::new());
        };
        match first {
            '`' => {
                let Some(end) = raw[1..].find('`') else {
                    return Err(format!(
                        "the command in the value of `{key}` has no closing `"
                    ));
                };
                trailing(key, &raw[end + 2..])?;
                run_shell(&subst(&raw[1..=end])?, 0).map_err(|e| e.message)
            }
            '\'' | '"' => {
                let mut text = String::new();
                let mut chars = raw[1..].char_indices();
                loop {
                    match chars.next() {
                        Some((_, '\\')) => match chars.next() {
                            Some((_, c)) if c == first => text.push(c),
                            Some((_, c)) => {
                                text.push('\\');
                                text.push(c);
                            }
                            None => text.push('\\'),
                        },
                        Some((i, c)) if c == first => {
                            trailing(key, &raw[i + 2..])?;
                            break;
                        }
                        Some((_, c)) => text.push(c),
                        None => {
                            return Err(format!("the value of `{key}` has no closing {first}"));
                        }
                    }
                }
                subst(&text)
            }
            _ => subst(raw),
        }
    }
}

/// Pig reads nothing after a quoted or backquoted value but a comment.
fn trailing(key: &str, rest: &str) -> Result<(), String> {
    let rest = rest.trim();
    if rest.is_empty() || rest.starts_with('#') {
        Ok(())
    } else {
        Err(format!(
            "unexpected `{rest}` after the quoted value of `{key}`"
        ))
    }
}

/// Parses a parameter file (`-param_file`/`-m`) on its own; see [`ParamLoader::file`].
pub fn parse_param_file(text: &str) -> Result<Vec<(String, String)>, ParamError> {
    let mut loader = ParamLoader::new();
    loader.file(text)?;
    Ok(loader.into_params())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn replaces_dollar_and_braces_but_not_in_comments() {
        let s = substitute(
            "A = LOAD '$in' AS (${f}:int); -- $nope\n/* $no */ B = A;",
            &[p("in", "x"), p("f", "a")],
        )
        .unwrap();
        assert_eq!(s, "A = LOAD 'x' AS (a:int); -- $nope\n/* $no */ B = A;");
    }

    #[test]
    fn the_values_at_the_end_include_declared_and_default_ones() {
        let (text, vars) = substitute_with_vars(
            "%declare day '2024-01-01'\n%default out '$day.out'\n%default day 'never'\nSTORE A INTO '$out';",
            &[p("in", "x")],
        )
        .unwrap();
        assert_eq!(text, "\n\n\nSTORE A INTO '2024-01-01.out';");
        assert_eq!(
            vars,
            [
                p("day", "2024-01-01"),
                p("in", "x"),
                p("out", "2024-01-01.out")
            ]
        );
    }

    #[test]
    fn positions_untouched() {
        assert_eq!(
            substitute("B = FOREACH A GENERATE $0;", &[]).unwrap(),
            "B = FOREACH A GENERATE $0;"
        );
    }

    #[test]
    fn undefined_is_an_error_with_offset() {
        let e = substitute("A = LOAD '$x';", &[]).unwrap_err();
        assert!(e.message.contains("`x`"));
        assert_eq!(e.offset, 10);
    }

    #[test]
    fn declare_default_precedence_and_blank_lines() {
        let src = "%default a '1'\n%declare b 2;\n%default c 3\nX $a $b $c;";
        let s = substitute(src, &[p("a", "cli"), p("b", "cli")]).unwrap();
        assert_eq!(s, "\n\n\nX cli 2 3;");
    }

    #[test]
    fn values_reference_params_and_run_commands() {
        let s = substitute("%declare x `echo hi`\n%declare y '$x-there'\n$y", &[]).unwrap();
        assert_eq!(s, "\n\nhi-there");
    }

    #[test]
    fn macro_params_left_alone() {
        let src = "DEFINE m(A) RETURNS B { $B = FILTER $A BY x > $n; };\nC = m(D);";
        let s = substitute(src, &[p("n", "3")]).unwrap();
        assert_eq!(
            s,
            "DEFINE m(A) RETURNS B { $B = FILTER $A BY x > 3; };\nC = m(D);"
        );
    }

    #[test]
    fn param_file() {
        let v = parse_param_file("# c\na=1\n b = 'two words'\n\n").unwrap();
        assert_eq!(v, vec![p("a", "1"), p("b", "two words")]);
        assert!(parse_param_file("nope\n").is_err());
    }

    #[test]
    fn only_pig_names_are_parameters() {
        // Pig substitutes `\$[_]*[a-zA-Z]\w*` only: Perl's `$_` and `$__` stay as written.
        let src = "B = STREAM A THROUGH `perl -ne 'print $_ if $__;'`;";
        assert_eq!(substitute(src, &[]).unwrap(), src);
        assert_eq!(substitute("X ${_} $_1", &[]).unwrap(), "X ${_} $_1");
        assert_eq!(
            substitute("X $_a ${__b}", &[p("_a", "1"), p("__b", "2")]).unwrap(),
            "X 1 2"
        );
        assert!(substitute("X $_a", &[]).is_err());
    }

    #[test]
    fn an_escaped_dollar_is_kept_without_its_backslash() {
        let s = substitute("A = LOAD '\\$in' AS (x); B = FILTER A BY x == \\$in;", &[]).unwrap();
        assert_eq!(s, "A = LOAD '$in' AS (x); B = FILTER A BY x == $in;");
    }

    #[test]
    fn loader_unquotes_like_pig() {
        let mut l = ParamLoader::new();
        l.arg("a='b c'").unwrap();
        l.arg("q=\"it\\\"s\"").unwrap();
        l.arg("s='it\\'s'").unwrap();
        l.arg("plain=x y").unwrap();
        l.arg("path=$plain/z").unwrap();
        l.arg("both='$a!'").unwrap();
        l.arg("cmd=`echo $a`").unwrap();
        l.arg("empty=").unwrap();
        assert_eq!(
            l.into_params(),
            vec![
                p("a", "b c"),
                p("q", "it\"s"),
                p("s", "it's"),
                p("plain", "x y"),
                p("path", "x y/z"),
                p("both", "b c!"),
                p("cmd", "b c"),
                p("empty", ""),
            ]
        );
    }

    #[test]
    fn loader_errors_and_overrides() {
        let mut l = ParamLoader::new();
        l.file("a = '1'\nb=\"2\" # two\n").unwrap();
        l.arg("a=3").unwrap();
        assert_eq!(l.clone().into_params(), vec![p("a", "3"), p("b", "2")]);
        let e = l.arg("c=$nope").unwrap_err();
        assert!(
            e.message.contains("`nope`") && e.message.contains("`c`"),
            "{}",
            e.message
        );
        assert!(l.arg("d='open").unwrap_err().message.contains("no closing"));
        assert!(
            l.arg("e='x' y")
                .unwrap_err()
                .message
                .contains("after the quoted value")
        );
        assert!(
            l.arg("1x=2")
                .unwrap_err()
                .message
                .contains("invalid parameter name")
        );
        let e = l.file("ok=1\nbad\n").unwrap_err();
        assert_eq!(e.offset, 5);
    }
}
