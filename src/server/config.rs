//! How to run the reference server: where, for whom, as which flavour, with which faults,
//! quirks and wire modes.

use super::{Fault, Modes, Profile, Quirk};

/// How to run the server.
#[derive(Clone, Debug)]
pub struct Config {
    /// 0 picks a free port.
    pub port: u16,
    pub organization: String,
    /// The user token of the organization's owner.
    pub owner_token: String,
    pub profile: Profile,
    pub faults: Vec<Fault>,
    pub quirks: Vec<Quirk>,
    /// How it behaves on the wire (slow, rate-limited, garbage, TLS, ...).
    pub modes: Modes,
    /// Mint ids and secrets from this seed: the same requests in the same order then get the
    /// same answers (a benchmark replays a run against it).
    pub seed: Option<u64>,
}

impl Config {
    /// A clean server for `organization`, owned by `owner_token`.
    pub fn new(organization: &str, owner_token: &str, profile: Profile) -> Self {
        Self {
            port: 0,
            organization: organization.to_string(),
            owner_token: owner_token.to_string(),
            profile,
            faults: Vec::new(),
            quirks: Vec::new(),
            modes: Modes::default(),
            seed: None,
        }
    }
}
