//! The shell's own commands, Grunt's: recognized before the statement parser, so they need
//! no `;` and never reach the grammar. Statements, and the commands the grammar knows
//! (`fs`, `sh`, `rmf`, `run`, `exec`, `set key value`), are left to the parser.

/// What a shortcut runs on an alias.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortcut {
    /// `\d`: DUMP.
    Dump,
    /// `\de`: DESCRIBE.
    Describe,
    /// `\e`: EXPLAIN.
    Explain,
    /// `\i`: ILLUSTRATE.
    Illustrate,
}

impl Shortcut {
    /// The statement keyword the shortcut stands for.
    pub fn keyword(self) -> &'static str {
        match self {
            Shortcut::Dump => "DUMP",
            Shortcut::Describe => "DESCRIBE",
            Shortcut::Explain => "EXPLAIN",
            Shortcut::Illustrate => "ILLUSTRATE",
        }
    }

    /// How the user types it.
    pub fn name(self) -> &'static str {
        match self {
            Shortcut::Dump => "\\d",
            Shortcut::Describe => "\\de",
            Shortcut::Explain => "\\e",
            Shortcut::Illustrate => "\\i",
        }
    }
}

/// A shell command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `quit`, `exit`, `\q`.
    Quit,
    /// `help`.
    Help,
    /// `history [-n]`: the entries, numbered unless `-n`.
    History {
        /// Whether to number the entries.
        numbered: bool,
    },
    /// `clear`: clears the screen.
    Clear,
    /// `aliases`: the aliases defined, with their schemas.
    Aliases,
    /// `set` alone: the settings.
    Settings,
    /// `kill [job]`.
    Kill(Option<String>),
    /// `\d`, `\de`, `\e`, `\i`, with an alias or none (the last one defined).
    Shortcut(Shortcut, Option<String>),
}

/// The words that start a shell command (for completion and the help).
pub const COMMAND_WORDS: &[&str] = &[
    "aliases", "clear", "exit", "help", "history", "kill", "quit", "\\d", "\\de", "\\e", "\\i",
    "\\q",
];

/// The command `input` is, if it is one; `Err` for a command used wrongly.
pub fn parse(input: &str) -> Option<Result<Command, String>> {
    let text = input.trim();
    let text = text.strip_suffix(';').unwrap_or(text).trim_end();
    let (word, rest) = match text.find(char::is_whitespace) {
        Some(i) => (&text[..i], text[i..].trim()),
        None => (text, ""),
    };
    // `aliases = LOAD ...` defines an alias named like a command.
    if rest.starts_with('=') && !rest.starts_with("==") {
        return None;
    }
    let no_args = |cmd: Command| {
        if rest.is_empty() {
            Ok(cmd)
        } else {
            Err(format!("`{word}` takes no arguments"))
        }
    };
    let shortcut = |s: Shortcut| {
        let mut args = rest.split_whitespace();
        let alias = args.next().map(str::to_string);
        if args.next().is_some() {
            return Err(format!("`{}` takes one alias at most", s.name()));
        }
        Ok(Command::Shortcut(s, alias))
    };
    Some(match word.to_ascii_lowercase().as_str() {
        "quit" | "exit" | "\\q" => no_args(Command::Quit),
        "help" => no_args(Command::Help),
        "clear" => no_args(Command::Clear),
        "aliases" => no_args(Command::Aliases),
        "history" => match rest {
            "" => Ok(Command::History { numbered: true }),
            "-n" => Ok(Command::History { numbered: false }),
            _ => Err("`history` takes only -n (leave out the numbers)".to_string()),
        },
        // `set key value` is a statement.
        "set" if rest.is_empty() => Ok(Command::Settings),
        "kill" => Ok(Command::Kill((!rest.is_empty()).then(|| rest.to_string()))),
        "\\d" => shortcut(Shortcut::Dump),
        "\\de" => shortcut(Shortcut::Describe),
        "\\e" => shortcut(Shortcut::Explain),
        "\\i" => shortcut(Shortcut::Illustrate),
        w if w.starts_with('\\') => Err(format!(
            "unknown shell command `{word}`: the shortcuts are \\d, \\de, \\e, \\i and \\q"
        )),
        _ => return None,
    })
}

/// Whether `text` is a whole input: a shell command or a raw command line (`fs`, `sh`,
/// `rmf`, `run`, `exec` and the file commands `ls`, `cat`, `cd`, …; they end at the end
/// of the line), or statements ending with `;`
/// outside quotes, comments and braces (a nested FOREACH block, a macro body).
pub fn is_complete(text: &str) -> bool {
    if text.trim().is_empty() || parse(text).is_some() {
        return true;
    }
    // `%declare name value` and `%default name value` are lines of their own.
    let trimmed = text.trim();
    if trimmed.starts_with('%') && !trimmed.contains('\n') {
        return true;
    }
    let first = text.split_whitespace().next().unwrap_or("");
    let after = text.trim_start()[first.len()..].trim_start();
    let raw_command = ["fs", "sh", "rmf", "run", "exec"]
        .iter()
        .any(|c| first.eq_ignore_ascii_case(c))
        || pigrs_grammar::ast::FileCommand::from_word(first).is_some();
    if raw_command && !after.starts_with('=') && !after.starts_with(',') && !after.starts_with('(')
    {
        return true;
    }
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    let mut last = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                if c == '\\' && q == '\'' {
                    chars.next();
                } else if c == q {
                    quote = None;
                }
                last = c;
                continue;
            }
            None => match c {
                '\'' | '`' => quote = Some(c),
                '-' if chars.peek() == Some(&'-') => {
                    for c in chars.by_ref() {
                        if c == '\n' {
                            break;
                        }
                    }
                    continue;
                }
                '/' if chars.peek() == Some(&'*') => {
                    chars.next();
                    let mut star = false;
                    for c in chars.by_ref() {
                        if star && c == '/' {
                            break;
                        }
                        star = c == '*';
                    }
                    continue;
                }
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
        if !c.is_whitespace() {
            last = c;
        }
    }
    quote.is_none() && depth == 0 && last == ';'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_need_no_semicolon_and_names_stay_usable_as_aliases() {
        assert_eq!(parse("aliases"), Some(Ok(Command::Aliases)));
        assert_eq!(parse("  ALIASES; "), Some(Ok(Command::Aliases)));
        assert_eq!(parse("\\q"), Some(Ok(Command::Quit)));
        assert_eq!(parse("set"), Some(Ok(Command::Settings)));
        assert_eq!(parse("set default_parallel 4;"), None);
        assert_eq!(parse("aliases = LOAD 'x';"), None);
        assert_eq!(parse("A = LOAD 'x';"), None);
        assert_eq!(
            parse("\\d B"),
            Some(Ok(Command::Shortcut(Shortcut::Dump, Some("B".into()))))
        );
        assert_eq!(
            parse("\\de;"),
            Some(Ok(Command::Shortcut(Shortcut::Describe, None)))
        );
        assert!(matches!(parse("\\d A B"), Some(Err(_))));
        assert!(matches!(parse("\\x"), Some(Err(m)) if m.contains("\\x")));
        assert!(matches!(parse("help me"), Some(Err(_))));
        assert_eq!(
            parse("history -n"),
            Some(Ok(Command::History { numbered: false }))
        );
    }

    #[test]
    fn statements_end_at_a_semicolon_outside_quotes_comments_and_braces() {
        assert!(is_complete("A = LOAD 'x';"));
        assert!(!is_complete("A = LOAD 'x;'"));
        assert!(!is_complete("A = LOAD 'x'"));
        assert!(is_complete("DUMP A; -- done\n"));
        assert!(!is_complete("DUMP A /* ; */"));
        assert!(!is_complete("B = FOREACH A {\n  C = LIMIT A 2;"));
        assert!(is_complete(
            "B = FOREACH A {\n  C = LIMIT A 2;\n  GENERATE C;\n};"
        ));
        assert!(!is_complete("DEFINE s `cut -f1;"));
        assert!(is_complete("fs -ls"));
        assert!(is_complete("ls"));
        assert!(is_complete("cat out/part-m-00000"));
        assert!(is_complete("copyToLocal a b"));
        assert!(!is_complete("cat = LOAD 'x'"));
        assert!(is_complete("run x.pig"));
        assert!(!is_complete("run = LOAD 'x'"));
        assert!(is_complete("\\d"));
        assert!(is_complete("%declare day '2024-01-01'"));
        assert!(is_complete(""));
    }
}
