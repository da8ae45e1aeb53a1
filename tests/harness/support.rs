//! Starting reference servers and runs, in process or as the real binary.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
};

use tfe_contract::{
    app,
    config::{Profile, RunConfig, TargetSpec},
    record::RunReport,
    redact::Secret,
    runner,
    server::{self, Fault, Quirk},
};

pub const ORG: &str = "harness-org";

/// The exploration's seed in the harness's own runs: the same cases every time, so that each
/// fault's trials are known (`trips.rs`). `exploration.rs` tries other seeds.
pub const SEED: u64 = 3;

/// A reference server started in this process.
pub struct Reference {
    pub handle: server::Handle,
    pub token: Secret,
}

impl Reference {
    pub fn start(profile: server::Profile, faults: &[Fault], quirks: &[Quirk]) -> Self {
        Self::start_with(profile, faults, quirks, server::Modes::default())
    }

    /// Like `start`, with wire-level modes (slow, rate-limited, hostile).
    pub fn start_with(
        profile: server::Profile,
        faults: &[Fault],
        quirks: &[Quirk],
        modes: server::Modes,
    ) -> Self {
        let token = runner::random_token();
        let handle = server::spawn(server::Config {
            port: 0,
            organization: ORG.into(),
            owner_token: token.expose().to_string(),
            profile,
            faults: faults.to_vec(),
            quirks: quirks.to_vec(),
            modes,
            seed: None,
        })
        .expect("reference server starts");
        Self { handle, token }
    }

    pub fn address(&self) -> String {
        self.handle.url()
    }

    /// Runs the suite against this server, in process, with libtest's output in a scratch file.
    pub fn run(&self, profile: Profile) -> RunReport {
        app::run(self.config(profile)).expect("the run starts")
    }

    /// A quiet run of `profile` against this server, libtest's output in a scratch file.
    pub fn config(&self, profile: Profile) -> RunConfig {
        let mut config = RunConfig::new(TargetSpec::Remote {
            address: self.address(),
            token: Some(self.token.clone()),
            organization: Some(ORG.into()),
        });
        config.profile = profile;
        config.seed = Some(SEED);
        config.libtest.logfile = Some(scratch("libtest.log").display().to_string());
        config.quiet = true;
        config
    }
}

/// Names of the failed trials.
pub fn failed(report: &RunReport) -> BTreeSet<String> {
    report.failed().map(|t| t.name.clone()).collect()
}

/// The failed trials of a run, short enough to survive a CI log's tail: each trial's name,
/// outcome, message and findings, then its requests one line each.
pub fn explain(report: &RunReport) -> String {
    let mut out = format!("exploration seed {:?}\n", report.seed);
    for t in report.failed() {
        out += &format!("\n== {} ({:?})\n", t.name, t.outcome);
        if let Some(m) = &t.message {
            out += &format!("message: {m}\n");
        }
        for f in &t.findings {
            out += &format!("finding: {f:?}\n");
        }
        for ex in t.exchanges.iter().chain(&t.released) {
            out += &format!(
                "  #{} {} {} {} {} -> {:?} ({:?})\n",
                ex.seq,
                ex.step,
                ex.operation,
                ex.request.method,
                ex.request.path,
                ex.status(),
                ex.elapsed
            );
        }
    }
    out
}

/// A fresh path under the target directory's tmp folder.
pub fn scratch(what: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("harness");
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(format!(
        "{}-{}-{what}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The real binary, with the environment a test controls (no TFE_* or CI from outside).
pub fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tfe-contract"));
    for var in [
        "TFE_ADDRESS",
        "TFE_TOKEN",
        "TFE_ORGANIZATION",
        "CI",
        "INSTA_UPDATE",
        "GITHUB_ACTIONS",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// `tfe-contract serve` as a child process; killed on drop.
pub struct Served {
    child: Child,
    pub address: String,
}

impl Served {
    pub fn start(token: &str, args: &[&str]) -> Self {
        let mut child = bin()
            .args(["serve", "--organization", ORG])
            .args(args)
            .env("TFE_TOKEN", token)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("serve starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(stdout)
            .read_line(&mut first)
            .expect("serve prints its address");
        let address = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        Self { child, address }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What libtest printed for `trial` ("ok", "FAILED", "ignored", ...), whatever the padding.
pub fn outcome<'a>(stdout: &'a str, trial: &str) -> Option<&'a str> {
    stdout.lines().find_map(|line| {
        let rest = line.strip_prefix("test ")?.strip_prefix(trial)?;
        let rest = rest.trim_start();
        rest.strip_prefix("... ").map(str::trim)
    })
}

/// Every token value (a `token` member of 8 characters or more) in the bodies of every
/// exchange of the run: what no output may show.
pub fn token_values(report: &RunReport) -> BTreeSet<String> {
    fn collect(v: &serde_json::Value, out: &mut BTreeSet<String>) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v) {
                        ("token", serde_json::Value::String(s)) if s.len() >= 8 => {
                            out.insert(s.clone());
                        }
                        _ => collect(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    for ex in report.exchanges() {
        if let Some(doc) = ex.json() {
            collect(doc, &mut out);
        }
    }
    out
}

/// One walk in `SAMPLE` runs every trial, when a walk runs a share of the suite (`sampled`).
pub const SAMPLE: u64 = 4;

/// The trials a walk of one server (one fault, one quirk) skips: all but the whole-run checks,
/// those `keep` names, and a fixed share of the rest, a different share for each `turn`, so
/// that across a table walked in turns every trial runs against about one row in `SAMPLE`.
pub fn sampled(turn: u64, keep: impl Fn(&str) -> bool) -> Vec<String> {
    tfe_contract::suite::all()
        .iter()
        .filter(|c| !c.whole_run && !keep(c.name) && fnv1a(c.name) % SAMPLE != turn % SAMPLE)
        .map(|c| c.name.to_string())
        .collect()
}

/// FNV-1a: a hash of a name that stays the same from build to build.
fn fnv1a(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
