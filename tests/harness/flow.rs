//! Data flows one way: spec -> client -> suite -> exchange -> check -> finding -> record ->
//! report. This test reads every `.rs` file under `src/`, finds every reference from one
//! top-level module of the crate to another (`crate::x`, `super::` paths that leave their
//! top-level module, in `use` lines and in code alike), and fails on a cycle among top-level
//! modules and on any edge the table below does not allow, naming file, line and rule. The
//! guard of the reference server's independence (`reference.rs`) is its model. A second test
//! holds every `mod.rs` to declarations and re-exports.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
};

use crate::source::{code_only, module_path, references, rust_files, suite_modules, top_of};

/// The modules that assemble everything: they may import any module, and none may import them
/// except one another. One a line: module, then why.
const TOP: &str = "
main    the binary: three lines that call the library's command line
lib     the crate root: declares the modules
cli     turns the command line into a run, and starts the server for `serve`
app     conducts a run: reads the baseline, runs the runner, renders every report
replay  turns a recorded run's JSON report into the run that asks one of its trials again
";

/// Every edge allowed between top-level modules below the top, one a line: `from -> to`, then
/// why. What a module is not listed as importing, it may not import; the server imports
/// nothing of the crate.
const ALLOWED: &str = "
redact   -> segment    a secret is also redacted in its path-segment encoding
spec     -> segment    path templates are filled with encoded segments
spec     -> redact     schema messages quote documents, which may hold secrets
exchange -> redact     an exchange renders its labels and excerpts redacted
guard    -> spec       what a request may touch is judged by its spec operation
guard    -> segment    the guard recognizes the encoder's mark of an unsendable value
client   -> spec       every request belongs to a spec operation
client   -> segment    the generated code encodes path parameters with it
client   -> exchange   every request is recorded as an exchange
client   -> redact     minted secrets are registered before anything renders them
client   -> guard      the recorder asks the guard before anything is sent
client   -> pacing     the recorder keeps each credential's pace
checks   -> exchange   a check judges a recorded exchange
checks   -> spec       schemas and documented statuses come from the spec
checks   -> redact     findings show values redacted
checks   -> segment    a check may compare paths by their encoded segments
config   -> redact     the token given is a Secret
suite    -> client     trials send requests through the typed client
suite    -> checks     trials judge their exchanges with the checks
suite    -> exchange   trials read what they sent and got
suite    -> spec       trials name spec operations
suite    -> config     trials apply per profile
suite    -> redact     trials register secrets and show excerpts redacted
snapshot -> exchange   a snapshot stores a trial's exchanges
snapshot -> checks     a snapshot that differs is a finding
snapshot -> config     where snapshots live and whether to record them
snapshot -> spec       a snapshot keeps what the spec's schema declares
snapshot -> redact     snapshots are normalized and redacted
record   -> exchange   a trial's record keeps its exchanges
record   -> checks     a trial's record keeps its findings
record   -> config     the run's record names its profile
record   -> redact     minted secrets are retired from redaction with the records
baseline -> checks     an entry lists kinds of finding
baseline -> record     a baseline is written from a finished run's records
runner   -> suite      the runner turns the suite's checks into trials
runner   -> record     the runner fills the run's records, the suite's matrix among them
runner   -> client     the runner builds the transport, and halts it
runner   -> config     the runner does what the run config says
runner   -> checks     findings are attached to the clients they break
runner   -> exchange   the records keep the tour's and the housekeeping's exchanges
runner   -> baseline   each failure is judged against the baseline
runner   -> snapshot   each trial's exchanges are compared with its snapshot
runner   -> pacing     the records say how the run kept to the rate limit
runner   -> redact     panic messages and failure texts are redacted
runner   -> server     without an address the runner starts the reference server
runner   -> stdout     a second Ctrl-C drains standard output's redaction before it exits
report   -> record     reports render the run's records, and nothing else of the run
report   -> exchange   reports show exchanges
report   -> checks     reports show findings
report   -> spec       the coverage compares the exchanges with the spec
report   -> config     the causes name the profile that fits a server
report   -> redact     everything shown is redacted
stdout   -> redact     standard output passes through redaction once more
reproduce -> exchange  a reproduction sends recorded exchanges again
reproduce -> redact    its command lines are redacted like any output
runner   -> reproduce  each finding gets the command lines that reproduce it when its trial ends
";

/// Edges allowed for now, each in one file only, until the change named lands: `from -> to`,
/// the file, then why. An entry no edge uses any more fails the test, so that it goes.
const FOR_NOW: &str = "";

/// `from -> to` and the rest of a line of `ALLOWED` or `FOR_NOW`.
fn table(text: &'static str) -> Vec<(&'static str, &'static str, &'static str)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            let (from, arrow, to) = (words.next(), words.next(), words.next());
            let (Some(from), Some("->"), Some(to)) = (from, arrow, to) else {
                panic!("not `from -> to  why`: {line:?}");
            };
            let after_arrow = line.find("->").expect("an arrow") + 2;
            let to_at = after_arrow + line[after_arrow..].find(to).expect("to");
            let rest = line[to_at + to.len()..].trim();
            (from, to, rest)
        })
        .collect()
}

/// The modules of `TOP`.
fn top() -> Vec<&'static str> {
    TOP.lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect()
}

/// Where one family of the suite may name another, with why: only where a family is defined by
/// its relation to the other.
const FAMILY_REACHES: &[(&str, &str, &str)] = &[(
    "audit_trails",
    "organization",
    "the audit-trails token is defined by its relation to the organization token",
)];

/// A family of the suite is one folder: no other family names it (but `FAMILY_REACHES`), and
/// the generic parts of the suite name none; only the suite's `mod.rs` (which declares them)
/// and its registry (which lists them) do.
#[test]
fn families_stand_apart_and_the_generic_suite_names_none() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let suite = src.join("suite");
    let families: BTreeSet<String> = std::fs::read_dir(&suite)
        .expect("src/suite")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("family.rs").is_file())
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    assert!(families.len() >= 6, "families: {families:?}");
    let mut problems = Vec::new();
    for file in rust_files(&suite) {
        let module = module_path(&src, &file);
        let own = module.get(1).cloned().unwrap_or_default();
        if module.len() == 1 || own == "registry" {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("source is readable");
        let who = if families.contains(&own) {
            format!("the family {own}")
        } else {
            format!("the generic suite::{own}")
        };
        for (line, named) in suite_modules(&module, &text) {
            let reach = FAMILY_REACHES
                .iter()
                .any(|(from, to, _)| *from == own && *to == named);
            if families.contains(&named) && named != own && !reach {
                problems.push(format!(
                    "{}:{line}: {who} names the family {named}",
                    file.strip_prefix(&src).unwrap_or(&file).display()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "a family's knowledge outside its folder (see CONTRIBUTING.md):\n{}",
        problems.join("\n")
    );
}

/// One reference from a file to another top-level module.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

#[test]
fn data_flows_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let edges = crate_edges(&root.join("src"));
    let problems = judge(&edges);
    assert!(
        problems.is_empty(),
        "imports against the flow (see tests/harness/flow.rs):\n{}",
        problems.join("\n")
    );
}

/// `mod.rs` files that hold more than declarations and re-exports for now, until the change
/// named lands: the file, then why. An entry whose file is clean fails the test.
const MOD_RS_FOR_NOW: &str = "";

#[test]
fn mod_rs_files_only_declare_and_re_export() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let for_now: Vec<(&str, &str)> = MOD_RS_FOR_NOW
        .lines()
        .filter_map(|l| l.trim().split_once(char::is_whitespace))
        .collect();
    for file in rust_files(&src) {
        if file.file_name().is_none_or(|n| n != "mod.rs") {
            continue;
        }
        let shown = format!("src/{}", file.strip_prefix(&src).unwrap_or(&file).display());
        let text = std::fs::read_to_string(&file).expect("source is readable");
        let logic = items_beyond_declarations(&text);
        match (for_now.iter().find(|(f, _)| *f == shown), logic.first()) {
            (None, Some(item)) => problems.push(format!(
                "{shown}: holds more than declarations and re-exports: {item}"
            )),
            (Some((_, why)), None) => problems.push(format!(
                "{shown} only declares and re-exports now: remove it from MOD_RS_FOR_NOW ({})",
                why.trim()
            )),
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The items of a file, at its top level, that are neither `mod` declarations nor `use`
/// lines (attributes aside), each shown by its first words.
fn items_beyond_declarations(text: &str) -> Vec<String> {
    let code = code_only(text);
    let mut items = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if depth == 0 && c == '#' {
            // An attribute: `#[...]` or `#![...]`, skipped whole.
            let mut brackets = 0;
            for a in chars.by_ref() {
                match a {
                    '[' => brackets += 1,
                    ']' => {
                        brackets -= 1;
                        if brackets == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            continue;
        }
        current.push(c);
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        // A `use` group holds braces; any other item ends with its closing brace.
        if depth == 0 && (c == ';' || (c == '}' && !is_use(&current))) {
            let item = current.split_whitespace().collect::<Vec<_>>().join(" ");
            let declares = is_use(&item) || {
                let rest = without_visibility(&item);
                rest.starts_with("mod ") && !rest.contains('{')
            };
            if !declares {
                items.push(item.chars().take(60).collect());
            }
            current.clear();
        }
    }
    items
}

/// An item without its `pub` or `pub(...)`.
fn without_visibility(item: &str) -> &str {
    let item = item.trim_start();
    let rest = if let Some(rest) = item.strip_prefix("pub(") {
        rest.split_once(')').map_or(rest, |(_, after)| after)
    } else {
        item.strip_prefix("pub ").unwrap_or(item)
    };
    rest.trim_start()
}

fn is_use(item: &str) -> bool {
    without_visibility(item).starts_with("use ")
}

/// Every edge of the crate under `src`.
fn crate_edges(src: &Path) -> Vec<Edge> {
    let files = rust_files(src);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|f| module_path(src, f).first().cloned())
        .collect();
    let mut edges = Vec::new();
    for file in &files {
        let module = module_path(src, file);
        let text = std::fs::read_to_string(file).expect("source is readable");
        let shown = file
            .strip_prefix(src.parent().unwrap_or(src))
            .unwrap_or(file)
            .display()
            .to_string();
        let from = top_of(&module);
        for (line, to) in references(&module, &text) {
            let to = if modules.contains(&to) {
                to
            } else {
                "lib".to_string()
            };
            if to != from {
                edges.push(Edge {
                    from: from.clone(),
                    to,
                    file: shown.clone(),
                    line,
                });
            }
        }
    }
    edges
}

/// What is wrong with `edges`: cycles among top-level modules, and edges the tables do not
/// allow, one line each.
fn judge(edges: &[Edge]) -> Vec<String> {
    let mut problems = Vec::new();
    let top = top();
    let allowed = table(ALLOWED);
    let for_now: Vec<(&str, &str, &str, &str)> = table(FOR_NOW)
        .into_iter()
        .map(|(from, to, rest)| {
            let (file, why) = rest
                .split_once(char::is_whitespace)
                .expect("file, then why");
            (from, to, file, why.trim())
        })
        .collect();
    let mut used_for_now = BTreeSet::new();
    for edge in edges {
        if top.contains(&edge.from.as_str())
            || allowed
                .iter()
                .any(|(from, to, _)| *from == edge.from && *to == edge.to)
        {
            continue;
        }
        if let Some(i) = for_now.iter().position(|(from, to, file, _)| {
            *from == edge.from && *to == edge.to && *file == edge.file
        }) {
            used_for_now.insert(i);
            continue;
        }
        let may: Vec<&str> = allowed
            .iter()
            .filter(|(from, _, _)| *from == edge.from)
            .map(|(_, to, _)| *to)
            .collect();
        let rule = if top.contains(&edge.to.as_str()) {
            format!("nothing imports the top ({})", edge.to)
        } else if may.is_empty() {
            format!("{} imports nothing of the crate", edge.from)
        } else {
            format!("{} may import only {}", edge.from, may.join(", "))
        };
        problems.push(format!(
            "{}:{}: {} -> {}: {rule}",
            edge.file, edge.line, edge.from, edge.to
        ));
    }
    for (i, (from, to, file, why)) in for_now.iter().enumerate() {
        if !used_for_now.contains(&i) {
            problems.push(format!(
                "{file} no longer makes {from} import {to}: remove its line from FOR_NOW ({why})"
            ));
        }
    }
    for cycle in cycles(edges) {
        let shown: Vec<String> = cycle
            .iter()
            .map(|e| format!("{} -> {} ({}:{})", e.from, e.to, e.file, e.line))
            .collect();
        problems.push(format!(
            "a circle among top-level modules: {}",
            shown.join(", ")
        ));
    }
    problems
}

/// One edge per pair of modules that lie on a circle, each with the first place that makes it,
/// grouped by circle (strongly connected component).
fn cycles(edges: &[Edge]) -> Vec<Vec<Edge>> {
    let mut first: BTreeMap<(&str, &str), &Edge> = BTreeMap::new();
    for edge in edges {
        first.entry((&edge.from, &edge.to)).or_insert(edge);
    }
    let reaches = |from: &str, to: &str| {
        let mut seen = BTreeSet::from([from]);
        let mut todo = vec![from];
        while let Some(m) = todo.pop() {
            for (a, b) in first.keys() {
                if *a == m && seen.insert(b) {
                    if *b == to {
                        return true;
                    }
                    todo.push(b);
                }
            }
        }
        false
    };
    let mut groups: Vec<(BTreeSet<&str>, Vec<Edge>)> = Vec::new();
    for ((from, to), edge) in &first {
        if !reaches(to, from) {
            continue;
        }
        match groups
            .iter_mut()
            .find(|(members, _)| members.contains(from) || members.contains(to))
        {
            Some((members, list)) => {
                members.extend([*from, *to]);
                list.push((*edge).clone());
            }
            None => groups.push((BTreeSet::from([*from, *to]), vec![(*edge).clone()])),
        }
    }
    groups.into_iter().map(|(_, list)| list).collect()
}

#[cfg(test)]
mod parser {
    use super::*;

    #[test]
    fn declarations_and_re_exports_are_all_a_mod_rs_may_hold() {
        let clean = "//! Doc.\n\nmod a;\npub mod b;\npub(crate) mod c;\n#[cfg(test)]\nmod tests;\n\npub use a::{X, y::{Z}};\nuse b::W;\n";
        assert_eq!(items_beyond_declarations(clean), Vec::<String>::new());
        let logic = "mod a;\npub use a::X;\n\npub fn f() -> u8 {\n    1\n}\nconst N: u8 = 2;\nmod inline {\n}\n";
        assert_eq!(
            items_beyond_declarations(logic),
            [
                "pub fn f() -> u8 { 1 }",
                "const N: u8 = 2;",
                "mod inline { }"
            ]
        );
    }

    #[test]
    fn a_circle_and_a_forbidden_edge_are_named() {
        let edge = |from: &str, to: &str| Edge {
            from: from.into(),
            to: to.into(),
            file: format!("src/{from}.rs"),
            line: 1,
        };
        let edges = [
            edge("redact", "spec"),
            edge("spec", "redact"),
            edge("checks", "client"),
        ];
        let problems = judge(&edges).join("\n");
        assert!(
            problems.contains("src/redact.rs:1: redact -> spec: redact may import only segment"),
            "{problems}"
        );
        assert!(
            problems.contains("src/checks.rs:1: checks -> client"),
            "{problems}"
        );
        assert!(
            problems.contains("a circle among top-level modules: redact -> spec"),
            "{problems}"
        );
        assert!(!problems.contains("checks -> client (src"), "{problems}");
        // Every line of the tables reads as `from -> to  why`.
        assert!(table(ALLOWED).iter().all(|(_, _, why)| !why.is_empty()));
        assert_eq!(top(), ["main", "lib", "cli", "app", "replay"]);
    }
}
