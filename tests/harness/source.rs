//! Reading the crate's own source as text, for the tests that guard its shape (`flow.rs`):
//! its files, the module each holds, its code without comments and literals, and the
//! references each makes to a top-level module of the crate or to a module of the suite.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The module a file holds: `src/runner/run.rs` -> `runner::run`, `src/report/mod.rs` ->
/// `report`, `src/lib.rs` -> the root; `src/main.rs` is a crate of its own, `main`.
pub fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let relative: PathBuf = file.strip_prefix(src).unwrap_or(file).with_extension("");
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") || parts == ["lib"] {
        parts.pop();
    }
    parts
}

pub fn top_of(module: &[String]) -> String {
    module.first().cloned().unwrap_or_else(|| "lib".into())
}

/// The source with comments, string literals and character literals blanked out (newlines
/// kept, so that line numbers hold).
pub fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && raw_prefix(&chars, i) {
            // A raw string: r"..." or r#"..."#, with as many hashes at the end.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let closing: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let body_start = j + 1;
            let rest: String = chars[body_start..].iter().collect();
            let end = rest.find(&closing).map_or(chars.len(), |at| {
                body_start + rest[..at].chars().count() + hashes + 1
            });
            for ch in &chars[i..end] {
                out.push(blank(*ch));
            }
            i = end;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), or a lifetime ('a), left as it is.
            let end = if next == Some('\\') {
                chars
                    .get(i + 3..)
                    .and_then(|rest| rest.iter().position(|&ch| ch == '\''))
                    .map(|p| i + 3 + p + 1)
            } else if chars.get(i + 2) == Some(&'\'') {
                Some(i + 3)
            } else {
                None
            };
            match end {
                Some(end) => {
                    for _ in i..end {
                        out.push(' ');
                    }
                    i = end;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Whether the `r` at `i` starts a raw string (`r"`, `br"`), not ends an identifier.
pub fn raw_prefix(chars: &[char], i: usize) -> bool {
    let word = |at: Option<usize>| {
        at.and_then(|a| chars.get(a))
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    };
    match i.checked_sub(1).map(|a| chars[a]) {
        Some('b') => !word(i.checked_sub(2)),
        _ => !word(i.checked_sub(1)),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Token {
    Ident(String),
    PathSep,
    Open,
    Close,
    Comma,
    Other,
}

/// The tokens of `code` that matter here, each with its line (from 1).
pub fn tokens(code: &str) -> Vec<(Token, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push((Token::Ident(chars[start..i].iter().collect()), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((Token::PathSep, line));
            i += 2;
        } else {
            out.push((
                match c {
                    '{' => Token::Open,
                    '}' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Other,
                },
                line,
            ));
            i += 1;
        }
    }
    out
}

/// Every reference in `text`, a file of module `module`, to a top-level module other than its
/// own: the line and the module's name (or an item of the crate root's).
pub fn references(module: &[String], text: &str) -> Vec<(usize, String)> {
    let tokens = tokens(&code_only(text));
    let ident = |i: usize| match tokens.get(i) {
        Some((Token::Ident(name), _)) => Some(name.as_str()),
        _ => None,
    };
    let is = |i: usize, t: Token| tokens.get(i).is_some_and(|(x, _)| *x == t);
    let own = top_of(module);
    let mut found = Vec::new();
    // Inline modules (`mod tests { ... }`) open within the file: (name, brace depth inside).
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].0 {
            Token::Open => depth += 1,
            Token::Close => {
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Token::Ident(word) if word == "mod" => {
                if let Some(name) = ident(i + 1)
                    && is(i + 2, Token::Open)
                {
                    inline.push((name.to_string(), depth + 1));
                }
            }
            _ => {}
        }
        let starts_path = i == 0 || !is(i - 1, Token::PathSep);
        let word = ident(i);
        if starts_path
            && matches!(word, Some("crate" | "tfe_contract"))
            && is(i + 1, Token::PathSep)
        {
            found.extend(roots_after(&tokens, i + 2));
        } else if starts_path && word == Some("super") && is(i + 1, Token::PathSep) {
            let mut here: Vec<String> = module.to_vec();
            here.extend(inline.iter().map(|(name, _)| name.clone()));
            let mut j = i;
            while ident(j) == Some("super") && is(j + 1, Token::PathSep) {
                here.pop();
                j += 2;
            }
            if here.is_empty() {
                found.extend(roots_after(&tokens, j));
            }
        }
        i += 1;
    }
    found.retain(|(_, to)| *to != own && to != "self");
    found
}

/// What a path continuing at `at` from the crate root names: one module, or each of a
/// group's (`{a, b::c}`), with the line each is named on.
pub fn roots_after(tokens: &[(Token, usize)], at: usize) -> Vec<(usize, String)> {
    match tokens.get(at) {
        Some((Token::Ident(name), line)) => vec![(*line, name.clone())],
        Some((Token::Open, _)) => {
            let mut out = Vec::new();
            let mut depth = 0;
            let mut item_start = true;
            for (token, line) in &tokens[at..] {
                match token {
                    Token::Open => {
                        depth += 1;
                        if depth > 1 {
                            item_start = false;
                        }
                        continue;
                    }
                    Token::Close => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    Token::Comma if depth == 1 => {
                        item_start = true;
                        continue;
                    }
                    Token::Ident(name) if depth == 1 && item_start => {
                        out.push((*line, name.clone()));
                    }
                    _ => {}
                }
                item_start = false;
            }
            out
        }
        _ => Vec::new(),
    }
}

/// Every reference in `text`, a file of module `module`, to a module of the suite
/// (`crate::suite::x`, `crate::{suite::{x, y}}`, or a `super::` path that reaches the suite):
/// the line and the module's name.
pub fn suite_modules(module: &[String], text: &str) -> Vec<(usize, String)> {
    let tokens = tokens(&code_only(text));
    let ident = |i: usize| match tokens.get(i) {
        Some((Token::Ident(name), _)) => Some(name.as_str()),
        _ => None,
    };
    let is = |i: usize, t: Token| tokens.get(i).is_some_and(|(x, _)| *x == t);
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        let starts_path = i == 0 || !is(i - 1, Token::PathSep);
        if !starts_path || !is(i + 1, Token::PathSep) {
            continue;
        }
        if matches!(ident(i), Some("crate" | "tfe_contract")) {
            found.extend(children_of(&tokens, i + 2, "suite"));
        } else if ident(i) == Some("super") {
            let mut here: Vec<String> = module.to_vec();
            let mut j = i;
            while ident(j) == Some("super") && is(j + 1, Token::PathSep) {
                here.pop();
                j += 2;
            }
            if here == ["suite"] {
                found.extend(roots_after(&tokens, j));
            }
        }
    }
    found
}

/// What a path continuing at `at` from the crate root names inside module `parent`
/// (`parent::x`, `parent::{x, y::z}`), also from within a group of the root
/// (`{a, parent::x}`), with the line each is named on.
fn children_of(tokens: &[(Token, usize)], at: usize, parent: &str) -> Vec<(usize, String)> {
    let names_parent = |k: usize| {
        matches!(tokens.get(k), Some((Token::Ident(name), _)) if name == parent)
            && matches!(tokens.get(k + 1), Some((Token::PathSep, _)))
    };
    if names_parent(at) {
        return roots_after(tokens, at + 2);
    }
    if !matches!(tokens.get(at), Some((Token::Open, _))) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut depth = 0;
    let mut item_start = true;
    for k in at..tokens.len() {
        match &tokens[k].0 {
            Token::Open => {
                depth += 1;
                if depth > 1 {
                    item_start = false;
                }
                continue;
            }
            Token::Close => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Token::Comma if depth == 1 => {
                item_start = true;
                continue;
            }
            Token::Ident(_) if depth == 1 && item_start && names_parent(k) => {
                out.extend(roots_after(tokens, k + 2));
            }
            _ => {}
        }
        item_start = false;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(module: &[&str], text: &str) -> Vec<(usize, String)> {
        let module: Vec<String> = module.iter().map(|m| m.to_string()).collect();
        references(&module, text)
    }

    fn names(found: Vec<(usize, String)>) -> Vec<String> {
        found.into_iter().map(|(_, to)| to).collect()
    }

    #[test]
    fn groups_name_each_first_segment() {
        let text = "use crate::{a, b::{c, d}, e::f};\nuse crate::g::h;\n";
        assert_eq!(
            refs(&["m"], text),
            [
                (1, "a".to_string()),
                (1, "b".to_string()),
                (1, "e".to_string()),
                (2, "g".to_string())
            ]
        );
        let multi = "use crate::{\n    x::Y,\n    z,\n};\n";
        assert_eq!(refs(&["m"], multi), [(2, "x".into()), (3, "z".into())]);
    }

    #[test]
    fn super_paths_count_only_when_they_leave_the_top_module() {
        // From `m::n`: one `super` stays in `m`, two reach the root.
        assert_eq!(
            names(refs(&["m", "n"], "use super::k::L;")),
            Vec::<String>::new()
        );
        assert_eq!(names(refs(&["m", "n"], "use super::super::k::L;")), ["k"]);
        assert_eq!(
            names(refs(&["m", "n"], "use super::super::{p, q::r};")),
            ["p", "q"]
        );
        // An inline module adds a level.
        let text = "mod tests {\n    use super::super::k;\n}\nuse super::j;\n";
        assert_eq!(refs(&["m"], text), [(2, "k".into()), (4, "j".into())]);
    }

    #[test]
    fn code_counts_and_comments_and_strings_do_not() {
        let text = r###"
// crate::commented
/* crate::blocked /* nested */ crate::still */
/// crate::documented
let a = "crate::quoted \" crate::escaped";
let b = r#"crate::raw"#;
let c = '"'; let d: &'static str = "x";
let e = crate::used::f(c);
#[arg(value_parser = crate::attr::parse)]
pub(crate) fn g() {}
"###;
        assert_eq!(refs(&["m"], text), [(8, "used".into()), (9, "attr".into())]);
    }

    #[test]
    fn own_module_and_paths_inside_paths_are_not_edges() {
        assert_eq!(
            names(refs(&["m"], "use crate::m::x; a::crate::b;")),
            Vec::<String>::new()
        );
        assert_eq!(names(refs(&[], "use tfe_contract::cli;")), ["cli"]);
    }

    #[test]
    fn suite_modules_are_found_through_the_root_and_through_super() {
        let suite = |module: &[&str], text: &str| {
            let module: Vec<String> = module.iter().map(|m| m.to_string()).collect();
            names(suite_modules(&module, text))
        };
        let text = "use crate::suite::{organization::{self, X}, prelude::*};\n\
                    use crate::{client::types, suite::team};\n\
                    let a = crate::suite::user::f();\n";
        assert_eq!(
            suite(&["suite", "agent", "trials"], text),
            ["organization", "prelude", "team", "user"]
        );
        // From `suite::agent::trials`, `super::super` is the suite; `super` the family.
        assert_eq!(
            suite(
                &["suite", "agent", "trials"],
                "use super::super::team::X;\nuse super::pool;\n"
            ),
            ["team"]
        );
        assert_eq!(
            suite(&["suite", "registry"], "use super::{agent, team};"),
            ["agent", "team"]
        );
        assert_eq!(
            suite(&["runner"], "use crate::client::Auth;"),
            Vec::<String>::new()
        );
    }
}
