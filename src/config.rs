//! What a run is asked to do, independent of how it was asked: the command line converts into
//! these types, and tests build them directly.

use std::{fmt, net::IpAddr, path::PathBuf, str::FromStr, time::Duration};

use reqwest::Url;

// moves to the suite (issue 21): the expectation type is the expiry check's.
use crate::redact::Secret;

/// Which flavour of the API the target is held to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// Current Terraform Enterprise: expiry defaults to created-at + 2 years.
    Tfe,
    /// HCP Terraform: everything in `tfe` plus the audit-trails token.
    Hcp,
    /// The API as the seeds describe it: expiry defaults to null.
    Legacy,
}

impl Profile {
    pub const ALL: [Profile; 3] = [Profile::Tfe, Profile::Hcp, Profile::Legacy];

    pub fn name(self) -> &'static str {
        match self {
            Profile::Tfe => "tfe",
            Profile::Hcp => "hcp",
            Profile::Legacy => "legacy",
        }
    }

    /// Whether the server has the routes the seeds' era did not: several tokens per team, the
    /// team-token list, user tokens.
    pub fn has_later_token_routes(self) -> bool {
        !matches!(self, Profile::Legacy)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Profile {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| {
                ConfigError::new(format!("unknown profile {s:?}: use tfe, hcp or legacy"))
            })
    }
}

/// A configuration or usage problem: the harness could not run, which is not the same as the
/// server failing a check. Maps to exit code 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// The server under test, as the user named it.
#[derive(Clone, Debug)]
pub enum TargetSpec {
    /// No address: start the embedded reference server and check that.
    Embedded {
        organization: Option<String>,
        token: Option<Secret>,
    },
    /// A running server at `address` (base URL, as in `TFE_ADDRESS`).
    Remote {
        address: String,
        token: Option<Secret>,
        organization: Option<String>,
    },
}

/// Where and how snapshots are compared.
#[derive(Clone, Debug)]
pub struct SnapshotConfig {
    pub dir: PathBuf,
    /// Record: write every snapshot as it is now instead of comparing.
    pub update: bool,
}

/// A baseline the run judges failures against, as asked: the file is read where the run is
/// assembled (`crate::app`).
#[derive(Clone, Debug)]
pub struct BaselineConfig {
    /// Where to read it from (shown in the summary and reports).
    pub path: PathBuf,
    /// `--strict-baseline`: entries whose trial passes, or that name no trial, fail the run.
    pub strict: bool,
}

/// Everything one `run` needs.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub target: TargetSpec,
    pub profile: Profile,
    pub snapshots: Option<SnapshotConfig>,
    pub junit: Option<PathBuf>,
    /// Write the JSON report here.
    pub report_json: Option<PathBuf>,
    /// `--baseline`: known failures that do not fail the run.
    pub baseline: Option<BaselineConfig>,
    /// `--write-baseline`: write the run's failures here as a baseline.
    pub write_baseline: Option<PathBuf>,
    /// Write the HTML report here.
    pub report_html: Option<PathBuf>,
    pub allow_destructive: bool,
    /// Treat the target as a real account even if its address is loopback (a tunnel or a
    /// port-forward to a real server).
    pub assume_remote: bool,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The whole run's time limit: no request is answered after it.
    pub deadline: Duration,
    /// `--max-rate`: requests per second per credential, whatever the target announces.
    pub max_rate: Option<f64>,
    /// A PEM file of extra trusted roots (a private CA).
    pub ca_cert: Option<PathBuf>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Print nothing of its own: no summary on stderr, no GitHub annotations on stdout
    /// (libtest's output goes where `libtest` says).
    pub quiet: bool,
    /// On Ctrl-C, stop sending, delete what the run created, and exit 130. Off for library use:
    /// a signal handler is process-wide.
    pub handle_interrupt: bool,
    pub libtest: libtest_mimic::Arguments,
    /// `--explore-budget`: cases each exploring trial draws; 0 turns exploration off.
    pub explore_budget: u32,
    /// `--seed`: where the exploration's cases come from; random (and printed) without it.
    pub seed: Option<u64>,
    /// `--report-har`: every exchange of the run as HAR 1.2, here.
    pub report_har: Option<PathBuf>,
    /// `tfe-contract replay`: the case an exploring trial asks again instead of searching.
    pub replay: Option<ReplayCase>,
    /// For the harness's own tests only, and no command-line option: the trial of this name
    /// panics as it starts, as a bug of the harness would, so that a test can see how a run
    /// reports one.
    #[doc(hidden)]
    pub panic_in_trial: Option<String>,
}

/// The case a replayed exploring trial asks again, as the JSON report recorded it: the
/// `draw`th case drawn from the trial's seed, the shrinking `moves` from it (`s` simpler, `c`
/// back), and for a sequence how many of its steps the drawn case ran.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplayCase {
    pub trial: String,
    pub draw: u32,
    pub moves: String,
    pub ran: Option<u64>,
}

/// What a run explores unless told otherwise: a few cases per question, so that exploring at
/// most doubles a run (`cargo bench` measures it).
pub const DEFAULT_EXPLORE_BUDGET: u32 = 4;

impl RunConfig {
    pub fn new(target: TargetSpec) -> Self {
        Self {
            target,
            profile: Profile::Tfe,
            snapshots: None,
            junit: None,
            report_json: None,
            baseline: None,
            write_baseline: None,
            report_html: None,
            allow_destructive: false,
            assume_remote: false,
            timeout: Duration::from_secs(30),
            deadline: Duration::from_secs(600),
            max_rate: None,
            ca_cert: None,
            insecure: false,
            quiet: false,
            handle_interrupt: false,
            libtest: libtest_mimic::Arguments::default(),
            explore_budget: DEFAULT_EXPLORE_BUDGET,
            seed: None,
            report_har: None,
            replay: None,
            panic_in_trial: None,
        }
    }
}

/// A checked, usable address: the API base (ending in `/api/v2`) and whether it is loopback.
#[derive(Clone, Debug)]
pub struct Address {
    pub api_base: Url,
    pub loopback: bool,
}

impl Address {
    /// Accepts what `TFE_ADDRESS` holds (scheme and host, optionally a port and a path prefix);
    /// a trailing `/api/v2` is tolerated so that either form works.
    pub fn parse(raw: &str) -> Result<Self, ConfigError> {
        let fix = "give a base URL such as https://tfe.example.com or http://127.0.0.1:8080";
        let url = Url::parse(raw.trim())
            .map_err(|e| ConfigError::new(format!("bad address {raw:?}: {e}; {fix}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(ConfigError::new(format!(
                "bad address {raw:?}: scheme must be http or https; {fix}"
            )));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ConfigError::new(format!(
                "bad address {raw:?}: no host; {fix}"
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ConfigError::new(
                "bad address: credentials in the URL are not supported; pass the token with --token or TFE_TOKEN",
            ));
        }
        // Only what is loopback by its address itself counts; a name other than `localhost`
        // could resolve anywhere.
        let loopback = match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(url::Host::Ipv6(ip)) => {
                ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            None => false,
        };
        let mut path = url.path().trim_end_matches('/').to_string();
        if let Some(stripped) = path.strip_suffix("/api/v2") {
            path = stripped.to_string();
        }
        let mut api_base = url.clone();
        api_base.set_query(None);
        api_base.set_fragment(None);
        api_base.set_path(&format!("{path}/api/v2"));
        Ok(Self { api_base, loopback })
    }

    /// The base URL as the generated client wants it: no trailing slash.
    pub fn base(&self) -> &str {
        self.api_base.as_str().trim_end_matches('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_forms() {
        let a = Address::parse("https://tfe.example.com").unwrap();
        assert_eq!(a.base(), "https://tfe.example.com/api/v2");
        assert!(!a.loopback);
        let a = Address::parse("http://127.0.0.1:8080/api/v2/").unwrap();
        assert_eq!(a.base(), "http://127.0.0.1:8080/api/v2");
        assert!(a.loopback);
        assert!(Address::parse("http://localhost:1").unwrap().loopback);
        assert!(Address::parse("http://[::1]:1").unwrap().loopback);
        assert!(
            Address::parse("http://[::ffff:127.0.0.1]:1")
                .unwrap()
                .loopback
        );
        assert!(
            !Address::parse("http://localhost.example.com")
                .unwrap()
                .loopback
        );
        assert!(!Address::parse("http://10.0.0.1").unwrap().loopback);
        assert_eq!(
            Address::parse("https://x.example/tfe").unwrap().base(),
            "https://x.example/tfe/api/v2"
        );
        assert!(Address::parse("ftp://x").is_err());
        assert!(Address::parse("not a url").is_err());
        assert!(Address::parse("https://user:pw@x.example").is_err());
    }

    #[test]
    fn profiles_round_trip() {
        for p in Profile::ALL {
            assert_eq!(p.name().parse::<Profile>().unwrap(), p);
        }
        assert!("cloud".parse::<Profile>().is_err());
    }
}
