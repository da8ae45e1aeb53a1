//! The server a run checks: resolving it from the configuration (starting the embedded
//! reference server when there is no address), the owner's token for it, and the probe before
//! the trials.

use std::sync::Arc;

use rand::Rng;

use crate::{
    checks::Finding,
    client::{Auth, Journal, Recorder, Transport},
    config::{Address, ConfigError, Profile, TargetSpec},
    exchange::Exchange,
    redact::Secret,
    server,
};

/// The organization the embedded server holds when none is named.
pub const DEFAULT_ORGANIZATION: &str = "tfe-contract";

/// The server a run checks, resolved and reachable.
pub(super) struct Target {
    pub(super) address: Address,
    pub(super) owner: Secret,
    pub(super) organization: String,
    pub(super) description: String,
    _embedded: Option<server::Handle>,
}

pub(super) fn resolve_target(spec: &TargetSpec, profile: Profile) -> Result<Target, ConfigError> {
    match spec {
        TargetSpec::Embedded {
            organization,
            token,
        } => {
            let organization = organization
                .clone()
                .unwrap_or_else(|| DEFAULT_ORGANIZATION.to_string());
            let owner = token.clone().unwrap_or_else(random_token);
            let handle = server::spawn(server::Config {
                port: 0,
                organization: organization.clone(),
                owner_token: owner.expose().to_string(),
                profile: match profile {
                    Profile::Tfe => server::Profile::Tfe,
                    Profile::Hcp => server::Profile::Hcp,
                    Profile::Legacy => server::Profile::Legacy,
                },
                faults: Vec::new(),
                quirks: Vec::new(),
                modes: server::Modes::default(),
                seed: None,
            })
            .map_err(|e| {
                ConfigError::new(format!("cannot start the embedded reference server: {e}"))
            })?;
            let url = format!("http://{}", handle.addr);
            Ok(Target {
                address: Address::parse(&url)?,
                owner,
                organization,
                description: format!("the embedded reference server at {url}"),
                _embedded: Some(handle),
            })
        }
        TargetSpec::Remote {
            address,
            token,
            organization,
        } => {
            let address = Address::parse(address)?;
            let owner = token.clone().ok_or_else(|| {
                ConfigError::new(
                    "missing token: pass --token or set TFE_TOKEN (an owner's user token)",
                )
            })?;
            let organization = organization.clone().ok_or_else(|| {
                ConfigError::new(
                    "missing organization: pass --organization or set TFE_ORGANIZATION",
                )
            })?;
            Ok(Target {
                description: address.base().to_string(),
                address,
                owner,
                organization,
                _embedded: None,
            })
        }
    }
}

/// A token in TFE's format, for the embedded server's owner.
pub fn random_token() -> Secret {
    let mut rng = rand::rng();
    let mut part = |n: usize| -> String {
        (&mut rng)
            .sample_iter(rand::distr::Alphanumeric)
            .take(n)
            .map(char::from)
            .collect()
    };
    Secret::new(format!("{}.atlasv1.{}", part(14), part(67)))
}

/// Before any trial: the target answers at all, takes the token, and has the organization.
/// Each failure is one line saying what to fix.
pub(super) async fn probe(
    transport: &Arc<Transport>,
    address: &Address,
    owner: &Secret,
    organization: &str,
) -> Result<Vec<Exchange>, ConfigError> {
    let journal = Journal::default();
    journal.set_step("probe");
    // With the token, as go-tfe pings: some servers (OTF) want one even here (ref §7).
    let pinger = Recorder::impatient_client(transport, Auth::Bearer(owner.clone()), &journal);
    let _ = pinger.ping().await;
    let ping = journal.last().expect("probe recorded");
    // Any answer will do here, even one whose body could not be read whole.
    if let Err(e) = &ping.outcome
        && e.status.is_none()
    {
        let certificate = e.message.to_ascii_lowercase().contains("certificate");
        let fix = if certificate {
            "the server's TLS certificate is not trusted: pass --ca-cert FILE for a private CA (or --insecure to skip verification)"
        } else {
            "check --address or TFE_ADDRESS"
        };
        return Err(ConfigError::new(format!(
            "target unreachable: {} ({}); {fix}",
            address.base(),
            e.message
        )));
    }
    let owner = Recorder::impatient_client(transport, Auth::Bearer(owner.clone()), &journal);
    let _ = owner.get_organization(organization).await;
    let org = journal.last().expect("probe recorded");
    let status = org
        .status()
        .or_else(|| org.outcome.as_ref().err().and_then(|e| e.status));
    match status {
        Some(401) => Err(ConfigError::new(format!(
            "the target rejected the token (401 on GET /organizations/{}); check --token or TFE_TOKEN",
            organization
        ))),
        Some(404) => Err(ConfigError::new(format!(
            "organization {:?} not found, or not visible to this token (404); check --organization or TFE_ORGANIZATION",
            organization
        ))),
        None => Err(ConfigError::new(format!(
            "target unreachable: {}; check --address or TFE_ADDRESS",
            Finding::no_response(&org).actual
        ))),
        Some(_) => Ok(journal.exchanges()),
    }
}
