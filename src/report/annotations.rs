//! GitHub Actions annotations: under a workflow (`GITHUB_ACTIONS=true`), one `::error` workflow
//! command per failed trial, naming the trial and its first finding (redacted), so that the
//! failure shows on the pull request, and one per trial that panicked, saying it is a bug of
//! the harness. Printed on stdout after the run, from its records.

use std::io::Write;

use crate::{
    record::{RunReport, TrialOutcome, TrialRecord},
    redact,
};

/// At most this many characters of a message: GitHub shows an annotation's first lines, and
/// the rest is in the log and the reports.
const MESSAGE_CHARS: usize = 1000;

/// Whether the process runs as a GitHub Actions step.
pub fn enabled() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// One workflow-command line per failed or panicked trial, in the suite's order.
pub fn lines(report: &RunReport) -> Vec<String> {
    report
        .trials
        .iter()
        .filter(|t| matches!(t.outcome, TrialOutcome::Failed | TrialOutcome::Panicked))
        .map(line)
        .collect()
}

/// Prints `lines` on stdout.
pub fn print(report: &RunReport) {
    let mut out = std::io::stdout().lock();
    for line in lines(report) {
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}

fn line(trial: &TrialRecord) -> String {
    let title = if trial.outcome == TrialOutcome::Panicked {
        format!(
            "tfe-contract: {} panicked (a bug of the harness, not of the server)",
            trial.name
        )
    } else {
        format!("tfe-contract: {} failed", trial.name)
    };
    let message = match trial.findings.first() {
        Some(f) => match &f.exchange {
            Some(exchange) => format!("{exchange}\n{}", f.detail()),
            None => f.detail(),
        },
        None => trial.message.clone().unwrap_or_else(|| "failed".into()),
    };
    let more = trial.findings.len().saturating_sub(1);
    let mut message = redact::text(&message);
    if message.chars().count() > MESSAGE_CHARS {
        message = message.chars().take(MESSAGE_CHARS).collect::<String>() + "...";
    }
    if more > 0 {
        message.push_str(&format!("\n(and {more} more finding(s): see the reports)"));
    }
    format!(
        "::error title={}::{}",
        escape_property(&redact::text(&title)),
        escape_data(&message)
    )
}

/// A workflow command's message: `%`, CR and LF percent-encoded (as GitHub's toolkit does).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: as a message, and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_escaping() {
        assert_eq!(escape_data("50%\r\nnext: a, b"), "50%25%0D%0Anext: a, b");
        assert_eq!(escape_property("a::b, 5%\n"), "a%3A%3Ab%2C 5%25%0A");
    }

    #[test]
    fn a_failed_trial_is_one_line_naming_it_and_its_first_finding() {
        let ex = crate::exchange::Exchange::canned("getTeam", "/api/v2/teams/t-1", 403, "");
        let trial = TrialRecord {
            name: "authz::show_team_token::outsider".into(),
            outcome: crate::record::TrialOutcome::Failed,
            duration: std::time::Duration::ZERO,
            message: None,
            findings: vec![
                crate::checks::Finding::new("status", &ex, "404", "403 with body 100%")
                    .source("ref §5"),
                crate::checks::Finding::new("status", &ex, "404", "403"),
            ],
            exchanges: Default::default(),
            exclusive: false,
            released: Vec::new(),
        };
        let line = line(&trial);
        assert_eq!(line.lines().count(), 1, "{line}");
        assert!(
            line.starts_with(
                "::error title=tfe-contract%3A authz%3A%3Ashow_team_token%3A%3Aoutsider failed::"
            ),
            "{line}"
        );
        assert!(
            line.contains(
                "%0Astatus: expected 404, got 403 with body 100%25 [ref §5]%0A(and 1 more"
            ),
            "{line}"
        );
    }
}
