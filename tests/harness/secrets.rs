//! No token value, given or minted, appears in anything the harness writes: stdout (GitHub
//! annotations included), stderr, JUnit, the JSON and HTML reports, snapshots. The canary run
//! uses a server that leaks secrets on purpose.

use std::path::Path;

use crate::support::{ORG, Served, bin, outcome, scratch};

/// Every secret the reference server mints has this shape; none may appear anywhere.
pub(crate) fn find_secret_shaped(text: &str) -> Option<&str> {
    let at = text.find(".atlasv1.")?;
    let start = text[..at]
        .rfind(|c: char| !c.is_ascii_alphanumeric())
        .map_or(0, |i| i + 1);
    let end = text[at + 9..]
        .find(|c: char| !c.is_ascii_alphanumeric())
        .map_or(text.len(), |i| at + 9 + i);
    Some(&text[start..end])
}

/// A token-shaped canary, built at run time so that no token-shaped literal sits in the source
/// (secret scanners would flag it).
fn canary(head: &str) -> String {
    format!("{head}.{}.{}", "atlasv1", "canary".repeat(11))
}

fn files_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

#[test]
fn canary_token_and_minted_secrets_never_leak() {
    let canary = &canary("CanaryCanary01");
    // The server shows secrets where it must not (the organization token's and agent
    // tokens' on read), so failure messages have secrets to leak.
    let served = Served::start(
        canary,
        &[
            "--fault",
            "read-shows-secret",
            "--fault",
            "empty-secret",
            "--fault",
            "agent-token-read-shows-secret",
        ],
    );
    let snapshots = scratch("canary-snapshots");
    let junit = scratch("canary-junit.xml");
    let json = scratch("canary-report.json");
    let html = scratch("canary-report.html");
    let out = bin()
        .args(["run", "--address", &served.address, "--organization", ORG])
        .args(["--junit", junit.to_str().unwrap()])
        .args(["--report-json", json.to_str().unwrap()])
        .args(["--report-html", html.to_str().unwrap()])
        // Annotations too: they quote findings.
        .env("GITHUB_ACTIONS", "true")
        .args([
            "--snapshots",
            snapshots.to_str().unwrap(),
            "--update-snapshots",
        ])
        .env("TFE_TOKEN", canary)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(101), "the leaky server must fail");
    let mut outputs = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        (
            "junit".to_string(),
            std::fs::read_to_string(&junit).expect("junit written"),
        ),
        (
            "html".to_string(),
            std::fs::read_to_string(&html).expect("html written"),
        ),
        (
            "json".to_string(),
            std::fs::read_to_string(&json).expect("json report written"),
        ),
    ];
    let snaps = files_under(&snapshots);
    assert!(!snaps.is_empty(), "snapshots were written");
    outputs.extend(snaps);
    for (name, text) in &outputs {
        assert!(!text.contains(canary), "{name} contains the canary token");
        assert!(
            !text.contains("CanaryCanary01"),
            "{name} contains part of the canary token"
        );
        if let Some(secret) = find_secret_shaped(text) {
            panic!("{name} contains a secret-shaped value {secret:?}");
        }
    }
    // And the redaction did happen where the server leaked.
    let stdout = &outputs[0].1;
    assert_eq!(
        outcome(stdout, "org_token::secret_shown_only_on_create"),
        Some("FAILED"),
        "{stdout}"
    );
    assert_eq!(
        outcome(stdout, "agent_token::read_hides_secret"),
        Some("FAILED"),
        "{stdout}"
    );
}

#[test]
fn the_embedded_server_with_a_given_token_leaks_nothing() {
    let canary = &canary("CanaryEmbedded");
    let out = bin()
        .args(["run", "--token", canary, "--format", "json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    for text in [
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    ] {
        assert!(!text.contains(canary));
        assert!(find_secret_shaped(&text).is_none(), "{text}");
    }
}

#[test]
fn a_server_echoing_the_token_in_other_encodings_leaks_it_nowhere() {
    use base64::Engine;
    let canary = &canary("CanaryEncoded2");
    // Every answer carries the caller's token upper-cased, in base64 (both alphabets),
    // percent-encoded and \u-escaped; reads also show the secret, so failures have bodies.
    let served = Served::start(canary, &["--echo-secrets", "--fault", "read-shows-secret"]);
    let junit = scratch("echo-junit.xml");
    let json = scratch("echo-report.json");
    let html = scratch("echo-report.html");
    let out = bin()
        .args(["run", "--address", &served.address, "--organization", ORG])
        .args(["--junit", junit.to_str().unwrap()])
        .args(["--report-json", json.to_str().unwrap()])
        .args(["--report-html", html.to_str().unwrap()])
        .env("GITHUB_ACTIONS", "true")
        .env("TFE_TOKEN", canary)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(101));
    let outputs = [
        ("stdout", String::from_utf8_lossy(&out.stdout).into_owned()),
        ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
        ("junit", std::fs::read_to_string(&junit).expect("junit")),
        ("json", std::fs::read_to_string(&json).expect("json report")),
        ("html", std::fs::read_to_string(&html).expect("html report")),
    ];
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD.encode(canary);
    let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(canary);
    let escaped: String = canary
        .chars()
        .map(|c| format!("\\u{:04x}", c as u32))
        .collect();
    let forms = [
        canary.to_ascii_lowercase(),
        b64.to_ascii_lowercase(),
        url.to_ascii_lowercase(),
        escaped,
        canary.replace('.', "%2E").to_ascii_lowercase(),
    ];
    for (name, text) in &outputs {
        let lower = text.to_ascii_lowercase();
        for form in &forms {
            assert!(!lower.contains(form.as_str()), "{name} contains {form}");
        }
    }
    // The echo did reach the reports, as [secret], and failures were annotated.
    assert!(
        outputs[3].1.contains("x-echo"),
        "the echo header was recorded"
    );
    assert!(
        outputs[4].1.contains("x-echo"),
        "the page shows the echo header"
    );
    assert!(outputs[0].1.contains("::error title="), "no annotation");
}

#[test]
fn a_secret_told_before_it_is_handed_out_is_redacted_in_every_output() {
    use base64::Engine;
    use tfe_contract::server::{self, Fault, Modes};
    // The server tells (base64) the secret it will mint next in every plain-text 401: trials
    // that end before that create's answer arrives have it in their failure messages, which
    // libtest prints at the end of the run.
    let reference = crate::support::Reference::start_with(
        server::Profile::Tfe,
        &[Fault::UnauthorizedPlainText],
        &[],
        Modes {
            foretell_secrets: true,
            ..Modes::default()
        },
    );
    let junit = scratch("foretold-junit.xml");
    let json = scratch("foretold-report.json");
    let out = bin()
        .args([
            "run",
            "--address",
            &reference.address(),
            "--organization",
            ORG,
        ])
        .args(["--junit", junit.to_str().unwrap()])
        .args(["--report-json", json.to_str().unwrap()])
        .env("TFE_TOKEN", reference.token.expose())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(101), "{stderr}");
    assert!(
        stdout.contains("next token: [secret]"),
        "a foretold secret reached the output, redacted: {stdout}"
    );
    let minted = reference.handle.inventory().foretold_secrets_minted;
    assert!(minted.len() > 10, "{} minted", minted.len());
    let outputs = [
        ("stdout", stdout),
        ("stderr", stderr),
        ("junit", std::fs::read_to_string(&junit).expect("junit")),
        ("json", std::fs::read_to_string(&json).expect("json")),
    ];
    for secret in &minted {
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        for (name, text) in &outputs {
            assert!(
                !text.contains(secret.as_str()),
                "{name} holds a minted secret"
            );
            assert!(
                !text.contains(&encoded),
                "{name} holds a minted secret, base64"
            );
        }
    }
}

#[test]
fn secrets_echoed_in_every_encoding_leak_nowhere() {
    use tfe_contract::server::{self, Fault, Modes, encoded_forms};
    // Every answer echoes the caller's token and each secret it hands out with every byte
    // percent-encoded, twice percent-encoded, each byte in another encoding, base64 behind a
    // prefix and percent-encoded base64; reads show the secret, so failures quote bodies.
    let reference = crate::support::Reference::start_with(
        server::Profile::Tfe,
        &[Fault::ReadShowsSecret],
        &[],
        Modes {
            echo_encoded: true,
            ..Modes::default()
        },
    );
    let snapshots = scratch("encoded-snapshots");
    let junit = scratch("encoded-junit.xml");
    let json = scratch("encoded-report.json");
    let html = scratch("encoded-report.html");
    let har = scratch("encoded-report.har");
    let out = bin()
        .args([
            "run",
            "--address",
            &reference.address(),
            "--organization",
            ORG,
        ])
        .args(["--junit", junit.to_str().unwrap()])
        .args(["--report-json", json.to_str().unwrap()])
        .args(["--report-html", html.to_str().unwrap()])
        .args(["--report-har", har.to_str().unwrap()])
        .args([
            "--snapshots",
            snapshots.to_str().unwrap(),
            "--update-snapshots",
        ])
        .env("GITHUB_ACTIONS", "true")
        .env("TFE_TOKEN", reference.token.expose())
        .output()
        .expect("runs");
    let mut outputs = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ),
        (
            "junit".into(),
            std::fs::read_to_string(&junit).expect("junit"),
        ),
        ("json".into(), std::fs::read_to_string(&json).expect("json")),
        ("html".into(), std::fs::read_to_string(&html).expect("html")),
        ("har".into(), std::fs::read_to_string(&har).expect("har")),
    ];
    assert_eq!(out.status.code(), Some(101), "{}", outputs[1].1);
    crate::har::holds_every_exchange(&outputs[5].1, &outputs[3].1);
    let snaps = files_under(&snapshots);
    assert!(!snaps.is_empty(), "snapshots were written");
    outputs.extend(snaps);
    let echoed = reference.handle.inventory().echoed_secrets;
    let distinct: std::collections::BTreeSet<&String> = echoed.iter().collect();
    assert!(distinct.len() > 20, "{} secrets echoed", distinct.len());
    // Every secret as it is and in every encoding, as the document holds it and as JSON writes
    // it (a backslash escaped), looked for in every output at once, whatever the letters' case
    // (one automaton: a search per form per output took over a minute in a debug build).
    let mut forms = Vec::new();
    for secret in &distinct {
        forms.push(secret.to_string());
        for form in encoded_forms(secret) {
            forms.push(form.replace('\\', "\\\\"));
            forms.push(form);
        }
    }
    let finder = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&forms)
        .expect("an automaton of the forms");
    for (name, text) in &outputs {
        if let Some(found) = finder.find(text.as_str()) {
            panic!(
                "{name} holds a secret or an encoded secret: {}",
                forms[found.pattern().as_usize()]
            );
        }
        if let Some(secret) = find_secret_shaped(text) {
            panic!("{name} contains a secret-shaped value {secret:?}");
        }
    }
    // The echoes reached the reports, redacted.
    assert!(
        outputs[3].1.contains("x-echo-encoded"),
        "the header was recorded"
    );
    let compact: String = outputs[3].1.split_whitespace().collect();
    assert!(
        compact.contains(r#""echo":["[secret]","[secret]""#),
        "the echoes were recorded"
    );
    assert!(outputs[0].1.contains("::error title="), "no annotation");
}

#[test]
fn libtests_logfile_gets_the_last_pass_too() {
    use base64::Engine;
    use tfe_contract::server::{self, Fault, Modes};
    // As above, a server that tells each secret before handing it out: with --logfile,
    // libtest writes the failure messages there itself, not through standard output.
    let reference = crate::support::Reference::start_with(
        server::Profile::Tfe,
        &[Fault::UnauthorizedPlainText],
        &[],
        Modes {
            foretell_secrets: true,
            ..Modes::default()
        },
    );
    let log = scratch("foretold-libtest.log");
    let out = bin()
        .args([
            "run",
            "--address",
            &reference.address(),
            "--organization",
            ORG,
        ])
        .args(["--logfile", log.to_str().unwrap()])
        .env("TFE_TOKEN", reference.token.expose())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(101));
    let logged = std::fs::read_to_string(&log).expect("the log");
    assert!(
        logged.contains("next token: [secret]"),
        "a foretold secret reached the log, redacted: {logged}"
    );
    let minted = reference.handle.inventory().foretold_secrets_minted;
    assert!(minted.len() > 10, "{} minted", minted.len());
    for secret in &minted {
        let encoded = base64::engine::general_purpose::STANDARD.encode(secret);
        assert!(!logged.contains(secret.as_str()), "the log holds a secret");
        assert!(!logged.contains(&encoded), "the log holds a secret, base64");
    }
}
