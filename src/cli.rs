//! The command line: `tfe-contract run`, `replay` and `serve`. Clap types stay here and
//! convert into `config` types; the flags, environment variables and exit codes are a contract
//! that scripts and CI pipelines drive. Over 600 lines: every flag is documented where clap
//! reads it, and the three commands share their target options and output plumbing here.

use std::{io::Write, path::PathBuf, process::ExitCode, time::Duration};

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::{
    app,
    config::{BaselineConfig, ConfigError, Profile, RunConfig, SnapshotConfig, TargetSpec},
    record::EXIT_CONFIG,
    redact::Secret,
    runner, server, snapshot,
};

const ABOUT: &str = "Contract tests for the Terraform Enterprise / HCP Terraform token API";

const LONG_ABOUT: &str = "\
Contract tests for the Terraform Enterprise / HCP Terraform API v2 token endpoints.

`run` checks a server against the spec compiled into this binary, one trial per check
(`area::check`). Without an address it starts an embedded reference server and checks that.
`serve` runs that reference server on its own, optionally with a deliberate fault.

Exit codes: 0 every check passed; 101 a check failed; 70 a trial panicked (a bug of the harness,
not of the server: please report it); 2 usage or configuration error.";

const RUN_AFTER_HELP: &str = "\
Environment: TFE_ADDRESS, TFE_TOKEN and TFE_ORGANIZATION stand in for --address, --token and
--organization (the names go-tfe and pytfe use). The token should be a user token of a member
of the owners team.

Safety: against an address that is not loopback, trials that rotate or delete the organization
token are ignored (with the reason) unless --allow-destructive is given. Whatever the run
creates (teams, agent pools, tokens) is deleted at the end.

Credentials: so that no token meets TFE's per-user rate limit alone, the run makes two tokens
of the owners team (its set-up and the organization- and agent-token exploration) and a team
with \"manage teams\" whose token explores team tokens. Where one of them is refused, or
cannot show that it may, your token does its work. The summary counts each credential's
requests.

Gate on known failures: `run --write-baseline known.toml` records today's failures; commit it,
fill in the reasons, and run with `--baseline known.toml` in CI: only new failures (a trial not
listed, or a kind of finding its entry does not list) fail the run. Add --strict-baseline to
fail until fixed entries are removed.

Exit codes: 0 every check passed (or was ignored, or failed only as the baseline expects); 101
a check failed; 70 a trial panicked: a bug of the harness, not of the server (please report it;
the run has no verdict to trust, so this wins over 101); 2 usage or configuration error (bad
URL, unreachable target, missing token or organization, unreadable baseline); 130 interrupted.";

#[derive(Parser, Debug)]
#[command(name = "tfe-contract", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check a server against the contract (the embedded reference server without --address).
    Run(Box<RunArgs>),
    /// Run one trial of a recorded run (its JSON report) again: the same profile and inputs,
    /// for an exploring trial the same smallest case; exit 101 if it still fails, 0 if it passes.
    Replay(Box<ReplayArgs>),
    /// Run the reference server standalone until interrupted.
    Serve(Box<ServeArgs>),
}

#[derive(Args, Debug)]
struct ReplayArgs {
    /// The JSON report of the run (`run --report-json FILE`).
    #[arg(value_name = "REPORT")]
    report: PathBuf,

    /// The trial to run again, by its full name (`team_token::rotate_revokes_old`).
    #[arg(value_name = "TRIAL")]
    trial: String,

    /// Base URL of the server to send it to; without it the embedded reference server.
    #[arg(long, env = "TFE_ADDRESS", value_name = "URL")]
    address: Option<String>,

    /// API token to run with: a user token of an owner of the organization. Never printed.
    #[arg(long, env = "TFE_TOKEN", value_name = "T", hide_env_values = true)]
    token: Option<String>,

    /// Organization whose tokens are checked.
    #[arg(long, env = "TFE_ORGANIZATION", value_name = "ORG")]
    organization: Option<String>,

    /// As for `run`: also replay a trial that rotates or deletes the account's own tokens on
    /// a non-loopback target.
    #[arg(long)]
    allow_destructive: bool,

    /// As for `run`: a loopback address that is a real account.
    #[arg(long)]
    assume_remote: bool,

    /// Per-request timeout, e.g. 30s, 500ms or 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,

    /// Also trust the CA certificate(s) in this PEM file.
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// Do not verify the server's TLS certificate.
    #[arg(long)]
    insecure: bool,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// Base URL of the server to check, e.g. https://tfe.example.com; without it the embedded
    /// reference server is started and checked.
    #[arg(long, env = "TFE_ADDRESS", value_name = "URL")]
    address: Option<String>,

    /// API token to run with: a user token of an owner of the organization. Never printed.
    #[arg(long, env = "TFE_TOKEN", value_name = "T", hide_env_values = true)]
    token: Option<String>,

    /// Organization whose tokens are checked.
    #[arg(long, env = "TFE_ORGANIZATION", value_name = "ORG")]
    organization: Option<String>,

    /// tfe: current Terraform Enterprise; hcp: adds HCP Terraform's audit-trails token;
    /// legacy: the API as the seed documents describe it (no expiry by default).
    #[arg(long, value_name = "PROFILE", default_value = "tfe", value_parser = ["tfe", "hcp", "legacy"])]
    profile: String,

    /// Compare every trial's exchanges with snapshots in DIR (normalized and redacted).
    #[arg(long, value_name = "DIR")]
    snapshots: Option<PathBuf>,

    /// Record: write the snapshots as the target answers now instead of comparing.
    #[arg(long, requires = "snapshots")]
    update_snapshots: bool,

    /// Write a JUnit XML report (one testcase per trial) to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,

    /// Write a JSON report to FILE: every trial's outcome, duration, operations, findings and
    /// exchanges (redacted), and the spec coverage.
    #[arg(long, value_name = "FILE")]
    report_json: Option<PathBuf>,

    /// Known failures: a trial that fails only with kinds of finding FILE lists for it is shown
    /// as a known failure and does not fail the run; any other failure does. Entries whose
    /// trial now passes are reported as fixed. Write one with --write-baseline.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// With --baseline: entries whose trial passes, and entries naming no trial, fail the run
    /// (exit 101), so that the baseline shrinks as the server improves.
    #[arg(long, requires = "baseline")]
    strict_baseline: bool,

    /// Write this run's failures to FILE as a baseline (TOML, one entry per failed trial with
    /// the kinds of finding it failed with and a `reason` to fill in; reasons already in FILE
    /// or in --baseline are kept). The run's exit code is unchanged.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Write an HTML report to FILE: one self-contained page with the verdict, the
    /// authorization matrix, every trial by area (failed ones with their findings and
    /// exchanges, redacted) and the spec coverage.
    #[arg(long, value_name = "FILE")]
    report_html: Option<PathBuf>,

    /// Write every exchange of the run (the trials', their cleanups', the tour's and the probe's
    /// and final sweep's) to FILE as HAR 1.2, redacted: it opens in browser developer tools and
    /// HTTP debuggers. Each entry names its trial (`_trial`).
    #[arg(long, value_name = "FILE")]
    report_har: Option<PathBuf>,

    /// Also run trials that rotate or delete the organization, owners-team or audit-trails token
    /// of a non-loopback target.
    #[arg(long)]
    allow_destructive: bool,

    /// Treat the target as a real account even though its address is loopback (a tunnel or
    /// port-forward to a real server): destructive trials then need --allow-destructive.
    #[arg(long)]
    assume_remote: bool,

    /// Per-request timeout, e.g. 30s, 500ms or 2m.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,

    /// Time limit of the whole run: after it no request is sent, and those under way fail.
    /// A 429 is waited out and asked again until then: only a server that still answers 429
    /// when the deadline comes fails for it.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = parse_duration)]
    deadline: Duration,

    /// Send at most RATE requests per token (e.g. 30/s or 1800/m; the user tokens the run
    /// makes for you count with yours, as TFE's limit is per user), whatever the target
    /// announces. Without it the harness keeps to 95% of the X-RateLimit-Limit the target
    /// sends (on /ping and any response), and does not pace a target that announces none.
    #[arg(long, value_name = "RATE", value_parser = crate::pacing::parse_rate)]
    max_rate: Option<f64>,

    /// Also trust the CA certificate(s) in this PEM file (a server with a private CA).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// Do not verify the server's TLS certificate (a warning says so). Never for real tokens
    /// over an untrusted network.
    #[arg(long)]
    insecure: bool,

    /// How much to explore: each exploring trial draws N cases (generated inputs, sequences
    /// of operations checked against a model of the token semantics), a question whose case
    /// costs a request or two a few times N; 0 turns exploration off, more hunts longer.
    #[arg(long, value_name = "N", default_value_t = crate::config::DEFAULT_EXPLORE_BUDGET)]
    explore_budget: u32,

    /// Draw the exploration's cases from seed N: the same seed asks the same questions. Without
    /// it the seed is random, and the summary prints it.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,

    #[command(flatten)]
    libtest: libtest_mimic::Arguments,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one.
    #[arg(long, value_name = "N", default_value_t = 0)]
    port: u16,

    /// The organization the server holds.
    #[arg(long, env = "TFE_ORGANIZATION", value_name = "ORG", default_value = runner::DEFAULT_ORGANIZATION)]
    organization: String,

    /// The owner's user token. Without it one is generated and written to a file (never printed).
    #[arg(long, env = "TFE_TOKEN", value_name = "T", hide_env_values = true)]
    token: Option<String>,

    /// Which API flavour to serve: tfe, hcp or legacy.
    #[arg(long, value_name = "P", default_value = "tfe", value_parser = ["tfe", "hcp", "legacy"])]
    profile: String,

    /// Deviate from the contract in one named way (repeatable); see --list-faults.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<String>,

    /// Behave like a server the harness has never seen, in a way the contract allows
    /// (repeatable); see --list-faults.
    #[arg(long = "quirk", value_name = "NAME")]
    quirks: Vec<String>,

    /// Wait this long before answering each request (a slow server), e.g. 200ms.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_or_zero, default_value = "0s")]
    delay: Duration,

    /// Answer every Nth request with 429 and X-RateLimit-Reset, whatever the pace.
    #[arg(long, value_name = "N")]
    rate_limit_every: Option<u64>,

    /// Limit each user (a user's tokens together, as TFE counts them) and each other token to
    /// RATE requests (e.g. 30/s, TFE's limit): a bucket of a second's worth, refilled
    /// steadily; past it 429 with X-RateLimit-Limit and X-RateLimit-Reset.
    /// Every response, /ping included, then says X-RateLimit-Limit.
    #[arg(long, value_name = "RATE", value_parser = crate::pacing::parse_rate)]
    rate_limit: Option<f64>,

    /// Never answer requests after the first N (a stalled server; /ping still answers).
    #[arg(long, value_name = "N")]
    stall_after: Option<u64>,

    /// Drop the connection of every request after the first N (/ping still answers).
    #[arg(long, value_name = "N")]
    reset_after: Option<u64>,

    /// Refuse every request after the first N with a 403 (/ping still answers).
    #[arg(long, value_name = "N")]
    refuse_after: Option<u64>,

    /// Answer with garbage: not-json, truncated, wrong-media-type, oversized or
    /// html-proxy-page (/ping still answers).
    #[arg(long, value_name = "KIND")]
    garbage: Option<String>,

    /// Hand out ids with `\..\` in them, aimed at the organization token: a client that
    /// does not keep each id in one path segment would be steered there (a hostile server).
    #[arg(long)]
    climbing_ids: bool,

    /// Give every new team the id `..`, which no client can send as one path segment.
    #[arg(long)]
    dot_ids: bool,

    /// Answer routes the server lacks with a plain-text 404, as a router without them does
    /// (OTF's); with --profile legacy, a server without the later token routes (several
    /// tokens per team, the team-token list, user tokens).
    #[arg(long)]
    plain_unknown_routes: bool,

    /// Tell, base64-encoded in every plain-text 401 (with --fault unauthorized-plain-text),
    /// the secret the next create will hand out, before handing it out (a hostile server).
    #[arg(long)]
    foretell_secrets: bool,

    /// Cut every answer to a POST in half, so that the client never learns what it created.
    #[arg(long)]
    garble_creates: bool,

    /// The organization has no agents entitlement: creating an agent pool answers 404, so
    /// no agent token can be made (run's agent-token trials then fail, saying so).
    #[arg(long)]
    no_agents: bool,

    /// Teams and agent pools are made and deleted by users only: a team's token gets 404 when
    /// it creates or deletes one (nothing documents that an owners-team token may), so the
    /// run's set-up token is refused and the user's token does that work.
    #[arg(long)]
    fixtures_by_users_only: bool,

    /// Teams get no organization-level permissions: a team created with "manage teams" may
    /// not manage team tokens, so the run's team manager is refused and your token explores
    /// team tokens.
    #[arg(long)]
    no_organization_access: bool,

    /// The organization has no audit-trails entitlement: the audit-trails token answers 404
    /// (with --profile hcp; run's audit-trails trials then fail, saying so).
    #[arg(long)]
    no_audit_trails: bool,

    /// Pad every JSON answer with spaces to just under 4 MiB (a client that keeps every body
    /// it is sent runs out of memory).
    #[arg(long)]
    near_cap_bodies: bool,

    /// Fill every JSON answer to just under 4 MiB with a value of SHAPE in its meta: numbers
    /// (an array of a million), nested (120 levels deep, again and again), objects (many
    /// small ones) or string (one long string).
    #[arg(long, value_name = "SHAPE")]
    big_bodies: Option<String>,

    /// Echo the caller's token back in the forms a careless server might (upper case,
    /// base64, \u-escaped, percent-encoded), in a header and in every document (a hostile
    /// server).
    #[arg(long)]
    echo_secrets: bool,

    /// Echo the caller's token and every secret handed out in encodings no list would hold:
    /// every byte percent-encoded (%41%42...), twice percent-encoded, each byte another way,
    /// base64 behind a prefix, percent-encoded base64 (a hostile server).
    #[arg(long)]
    echo_encoded_secrets: bool,

    /// Redirect every request (307) to the same path on ORIGIN (/ping still answers).
    #[arg(long, value_name = "ORIGIN")]
    redirect_to: Option<String>,

    /// Serve HTTPS with this PEM certificate (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// List the faults (with the checks each must trip) and quirks, then exit.
    #[arg(long)]
    list_faults: bool,
}

fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let (number, unit) = match raw.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => raw.split_at(i),
        None => (raw, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{raw:?} is not a duration such as 30s, 500ms or 2m"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("{raw:?}: unit must be ms, s or m")),
    };
    if !(seconds.is_finite() && seconds > 0.0) {
        return Err(format!("{raw:?}: must be more than zero"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

fn parse_duration_or_zero(raw: &str) -> Result<Duration, String> {
    if raw
        .trim()
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        == "0"
    {
        return Ok(Duration::ZERO);
    }
    parse_duration(raw)
}

fn command() -> clap::Command {
    // The flattened libtest arguments bring their own help template and version switch-off;
    // put the usual ones back.
    Cli::command().mut_subcommand("run", |run| {
        run.help_template("{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}")
            .after_help(RUN_AFTER_HELP)
            // libtest's own words do not fit: trials are tasks here, not threads.
            .mut_arg("test_threads", |arg| {
                arg.help(format!(
                    "How many trials are under way at once [default: {}]; trials that share the organization token still take turns",
                    runner::DEFAULT_TRIAL_THREADS
                ))
            })
    })
}

pub fn main() -> ExitCode {
    runner::install_redacting_panic_hook();
    let matches = match command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_CONFIG } else { 0 });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(*args),
        Command::Replay(args) => replay(*args),
        Command::Serve(args) => serve(*args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!(
                "tfe-contract: error: {}",
                crate::redact::text(&e.to_string())
            );
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

fn run(args: RunArgs) -> Result<u8, ConfigError> {
    let profile: Profile = args.profile.parse()?;
    let token = args.token.filter(|t| !t.is_empty()).map(Secret::new);
    let target = match args.address.filter(|a| !a.trim().is_empty()) {
        Some(address) => TargetSpec::Remote {
            address,
            token,
            organization: args.organization,
        },
        None => TargetSpec::Embedded {
            organization: args.organization,
            token,
        },
    };
    if let Some(dir) = &args.snapshots {
        set_insta_environment(args.update_snapshots);
        if args.update_snapshots {
            std::fs::create_dir_all(dir).map_err(|e| {
                ConfigError::new(format!(
                    "cannot create snapshot directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    let config = RunConfig {
        target,
        profile,
        snapshots: args.snapshots.map(|dir| SnapshotConfig {
            dir,
            update: args.update_snapshots,
        }),
        junit: args.junit,
        report_json: args.report_json,
        baseline: args.baseline.map(|path| BaselineConfig {
            path,
            strict: args.strict_baseline,
        }),
        write_baseline: args.write_baseline,
        report_html: args.report_html,
        allow_destructive: args.allow_destructive,
        assume_remote: args.assume_remote,
        timeout: args.timeout,
        deadline: args.deadline,
        max_rate: args.max_rate,
        ca_cert: args.ca_cert,
        insecure: args.insecure,
        quiet: false,
        handle_interrupt: true,
        libtest: args.libtest,
        explore_budget: args.explore_budget,
        seed: args.seed,
        report_har: args.report_har,
        replay: None,
        panic_in_trial: None,
    };
    execute(config, None)
}

/// `replay`: the recorded trial, run again as the report says it ran.
fn replay(args: ReplayArgs) -> Result<u8, ConfigError> {
    let token = args.token.filter(|t| !t.is_empty()).map(Secret::new);
    let target = match args.address.filter(|a| !a.trim().is_empty()) {
        Some(address) => TargetSpec::Remote {
            address,
            token,
            organization: args.organization,
        },
        None => TargetSpec::Embedded {
            organization: args.organization,
            token,
        },
    };
    let mut config = crate::replay::config(&args.report, &args.trial, target)?;
    config.allow_destructive = args.allow_destructive;
    config.assume_remote = args.assume_remote;
    config.timeout = args.timeout;
    config.ca_cert = args.ca_cert;
    config.insecure = args.insecure;
    config.handle_interrupt = true;
    execute(config, Some(&args.trial))
}

/// Runs `config` with standard output redacted as it leaves; `replayed`: the trial a replay
/// asks again, which must have run (a replay that runs nothing is no verdict).
fn execute(config: RunConfig, replayed: Option<&str>) -> Result<u8, ConfigError> {
    let mut config = config;
    // Standard output goes through redaction once more as it leaves (see `crate::stdout`);
    // libtest then writes to a pipe, so it is told whether the real output wants colour.
    if config
        .libtest
        .color
        .is_none_or(|c| c == libtest_mimic::ColorSetting::Auto)
    {
        use std::io::IsTerminal;
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        config.libtest.color = Some(if std::io::stdout().is_terminal() && !no_color {
            libtest_mimic::ColorSetting::Always
        } else {
            libtest_mimic::ColorSetting::Never
        });
    }
    let redacted = crate::stdout::RedactedStdout::install()
        .map_err(|e| ConfigError::new(format!("cannot set up standard output: {e}")))?;
    let report = app::run(config);
    redacted.finish();
    let report = report?;
    if let Some(trial) = replayed {
        crate::replay::ran(&report, trial)?;
    }
    let code = report.exit_code();
    // Everything is written; freeing every recorded exchange one by one would only delay the
    // exit (by a few milliseconds, measured), so the process leaves that to the kernel.
    std::mem::forget(report);
    Ok(code)
}

/// insta reads its mode from the environment, once per process.
#[allow(unsafe_code)]
fn set_insta_environment(update: bool) {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    for (key, value) in snapshot::insta_environment(update, ci) {
        // SAFETY: called from `main` before the runtime or any other thread exists, so nothing
        // can read the environment concurrently.
        unsafe { std::env::set_var(key, value) };
    }
}

fn serve(args: ServeArgs) -> Result<u8, ConfigError> {
    if args.list_faults {
        print!("{}", server::describe_faults_and_quirks());
        return Ok(0);
    }
    let profile: server::Profile = args
        .profile
        .parse()
        .map_err(|e: String| ConfigError::new(e))?;
    let faults = args
        .faults
        .iter()
        .map(|f| f.parse::<server::Fault>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(ConfigError::new)?;
    let quirks = args
        .quirks
        .iter()
        .map(|q| q.parse::<server::Quirk>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(ConfigError::new)?;
    let (token, generated) = match args.token.filter(|t| !t.is_empty()) {
        Some(t) => (Secret::new(t), false),
        None => (runner::random_token(), true),
    };
    let garbage = args
        .garbage
        .as_deref()
        .map(str::parse::<server::Garbage>)
        .transpose()
        .map_err(ConfigError::new)?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => {
            let read = |p: &PathBuf| {
                std::fs::read(p)
                    .map_err(|e| ConfigError::new(format!("cannot read {}: {e}", p.display())))
            };
            Some(server::Tls {
                cert_pem: read(cert)?,
                key_pem: read(key)?,
            })
        }
        _ => None,
    };
    let modes = server::Modes {
        delay: args.delay,
        rate_limit_every: args.rate_limit_every,
        rate_limit: args.rate_limit,
        climbing_ids: args.climbing_ids,
        echo_secrets: args.echo_secrets,
        echo_encoded: args.echo_encoded_secrets,
        garble_creates: args.garble_creates,
        dot_ids: args.dot_ids,
        plain_unknown_routes: args.plain_unknown_routes,
        foretell_secrets: args.foretell_secrets,
        no_agents: args.no_agents,
        no_audit_trails: args.no_audit_trails,
        fixtures_by_users_only: args.fixtures_by_users_only,
        no_organization_access: args.no_organization_access,
        near_cap_bodies: args.near_cap_bodies,
        big_bodies: args
            .big_bodies
            .as_deref()
            .map(str::parse::<server::Shape>)
            .transpose()
            .map_err(ConfigError::new)?,
        stall_after: args.stall_after,
        reset_after: args.reset_after,
        refuse_after: args.refuse_after,
        garbage,
        redirect_to: args.redirect_to.clone(),
        tls,
    };
    let handle = server::spawn(server::Config {
        port: args.port,
        organization: args.organization.clone(),
        owner_token: token.expose().to_string(),
        profile,
        faults,
        quirks,
        modes,
        seed: None,
    })
    .map_err(|e| {
        ConfigError::new(format!(
            "cannot start the server on 127.0.0.1:{}: {e}",
            args.port
        ))
    })?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on {}", handle.url());
    if generated {
        let path =
            std::env::temp_dir().join(format!("tfe-contract-serve-{}.token", handle.addr.port()));
        write_private(&path, token.expose()).map_err(|e| {
            ConfigError::new(format!(
                "cannot write the token file {}: {e}",
                path.display()
            ))
        })?;
        let _ = writeln!(
            out,
            "owner token written to {} (pass --token or set TFE_TOKEN to choose it)",
            path.display()
        );
    }
    let _ = writeln!(out, "organization {}", args.organization);
    let _ = out.flush();
    drop(out);
    handle.wait_for_interrupt();
    Ok(0)
}

fn write_private(path: &std::path::Path, content: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("30").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("3h").is_err());
    }

    #[test]
    fn command_line_is_consistent() {
        command().debug_assert();
    }
}
