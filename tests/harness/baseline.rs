//! The gate for a server that is not there yet: a baseline of known failures lets the run pass
//! while the server fails only as recorded, and fails it for anything new.

use std::{collections::BTreeSet, path::Path, process::Output};

use tfe_contract::{baseline::Baseline, runner::random_token};

use crate::support::{ORG, Served, bin, outcome, scratch};

/// `run` against `served` with `args`; stdout, stderr and the exit code.
fn run(served: &Served, token: &str, args: &[&str]) -> (String, String, Option<i32>) {
    let out: Output = bin()
        .args(["run", "--address", &served.address, "--organization", ORG])
        .args(args)
        .env("TFE_TOKEN", token)
        .output()
        .expect("runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code(),
    )
}

/// The trials libtest reported as FAILED.
fn failed(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .map(|name| name.trim().to_string())
        .collect()
}

fn path_arg(path: &Path) -> String {
    path.display().to_string()
}

#[test]
fn a_baseline_passes_known_failures_and_fails_new_ones() {
    let token = random_token();
    let token = token.expose();
    let baseline = scratch("known.toml");
    let file = path_arg(&baseline);

    // Record: the run fails as before, and writes one entry per failed trial.
    let faulty = Served::start(token, &["--fault", "unauthorized-plain-text"]);
    let (stdout, stderr, code) = run(&faulty, token, &["--write-baseline", &file]);
    assert_eq!(code, Some(101), "{stdout}\n{stderr}");
    let recorded = failed(&stdout);
    assert!(
        recorded.contains("auth::missing_token_unauthorized"),
        "{stdout}"
    );
    let written = Baseline::load(&baseline).expect("the written baseline loads");
    assert_eq!(
        written.known.keys().cloned().collect::<BTreeSet<_>>(),
        recorded
    );
    assert!(
        written.known["jsonapi::media_type"]
            .kinds
            .contains("media-type"),
        "{written:?}"
    );
    assert!(stderr.contains("wrote"), "{stderr}");

    // Gate on it: the same server passes, its failures shown as known, in every report.
    let junit = scratch("known-junit.xml");
    let json = scratch("known-report.json");
    let html = scratch("known-report.html");
    let (stdout, stderr, code) = run(
        &faulty,
        token,
        &[
            "--baseline",
            &file,
            "--junit",
            &path_arg(&junit),
            "--report-json",
            &path_arg(&json),
            "--report-html",
            &path_arg(&html),
        ],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    let shown = outcome(&stdout, "jsonapi::media_type").expect("reported");
    assert!(
        shown.starts_with("ignored (known failure (baseline: media-type"),
        "{shown}"
    );
    assert!(stderr.contains("known failure(s)"), "{stderr}");
    let junit = std::fs::read_to_string(&junit).expect("junit");
    assert!(junit.contains("known failure (baseline:"), "{junit}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("parses");
    assert_eq!(
        report["summary"]["known-failures"].as_u64(),
        Some(recorded.len() as u64)
    );
    assert_eq!(report["summary"]["exit-code"], 0);
    assert_eq!(
        report["baseline"]["entries"].as_u64(),
        Some(recorded.len() as u64)
    );
    let page = std::fs::read_to_string(&html).expect("html");
    assert!(
        page.contains(
            r#"<span class="badge known">known failure</span> <code>jsonapi::media_type</code>"#
        ),
        "the page shows the known failure as such"
    );

    // A second, different fault: only its trials fail the run.
    let worse = Served::start(
        token,
        &[
            "--fault",
            "unauthorized-plain-text",
            "--fault",
            "read-shows-secret",
        ],
    );
    let (stdout, stderr, code) = run(&worse, token, &["--baseline", &file]);
    assert_eq!(code, Some(101), "{stdout}\n{stderr}");
    assert_eq!(
        failed(&stdout),
        BTreeSet::from(["org_token::secret_shown_only_on_create".to_string()])
    );

    // A listed trial failing with a kind its entry does not list fails, saying so.
    let mut narrowed = written.clone();
    let entry = narrowed
        .known
        .get_mut("jsonapi::media_type")
        .expect("listed");
    entry.kinds = BTreeSet::from(["schema".to_string()]);
    entry.reason = "plain-text 401s until our next release".into();
    std::fs::write(&baseline, narrowed.render()).expect("rewrite");
    let (stdout, stderr, code) = run(&faulty, token, &["--baseline", &file]);
    assert_eq!(code, Some(101), "{stdout}\n{stderr}");
    assert_eq!(
        failed(&stdout),
        BTreeSet::from(["jsonapi::media_type".to_string()])
    );
    assert!(
        stdout.contains("baseline: its entry does not list media-type"),
        "{stdout}"
    );

    // Rewriting the baseline keeps the reason a person wrote.
    let (_, _, code) = run(
        &faulty,
        token,
        &["--baseline", &file, "--write-baseline", &file],
    );
    assert_eq!(code, Some(101));
    let rewritten = Baseline::load(&baseline).expect("loads");
    assert_eq!(
        rewritten.known["jsonapi::media_type"].reason,
        "plain-text 401s until our next release"
    );
    assert!(
        rewritten.known["jsonapi::media_type"]
            .kinds
            .contains("media-type")
    );

    // Rewriting with a narrower run (a filter) keeps the entries of the trials it did not run.
    let (_, _, code) = run(
        &faulty,
        token,
        &["--baseline", &file, "--write-baseline", &file, "auth::"],
    );
    assert_eq!(code, Some(0));
    assert_eq!(
        Baseline::load(&baseline)
            .expect("loads")
            .known
            .keys()
            .cloned()
            .collect::<BTreeSet<_>>(),
        recorded,
        "a filtered rewrite lost entries"
    );

    // A server that got better: the fixed entries are named; --strict-baseline fails the run
    // until they are removed, and so does an entry naming no trial.
    let clean = Served::start(token, &[]);
    let (stdout, stderr, code) = run(&clean, token, &["--baseline", &file]);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("fixed: jsonapi::media_type passes now; remove it from the baseline"),
        "{stderr}"
    );
    let (_, stderr, code) = run(&clean, token, &["--baseline", &file, "--strict-baseline"]);
    assert_eq!(code, Some(101), "{stderr}");
    assert!(stderr.contains("--strict-baseline"), "{stderr}");

    let only_unknown = Baseline::parse("[known.\"no_such::trial\"]\nkinds = [\"status\"]\n")
        .expect("parses")
        .render();
    std::fs::write(&baseline, only_unknown).expect("write");
    let (_, stderr, code) = run(&clean, token, &["--baseline", &file]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("names no trial no_such::trial"), "{stderr}");
    let (_, _, code) = run(&clean, token, &["--baseline", &file, "--strict-baseline"]);
    assert_eq!(code, Some(101));
}

#[test]
fn a_baseline_that_cannot_be_read_is_a_configuration_error() {
    let token = random_token();
    let served = Served::start(token.expose(), &[]);
    let broken = scratch("broken.toml");
    std::fs::write(&broken, "[known.\"a::b\"]\nkind = [\"status\"]\n").expect("write");
    let (stdout, stderr, code) = run(&served, token.expose(), &["--baseline", &path_arg(&broken)]);
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("is not valid"), "{stderr}");
    assert!(stderr.contains("kind"), "{stderr}");
    let (_, stderr, code) = run(
        &served,
        token.expose(),
        &["--baseline", &path_arg(&scratch("missing.toml"))],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read the baseline"), "{stderr}");
}
