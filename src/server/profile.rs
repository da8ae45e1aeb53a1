//! Which flavour of the token API the reference server serves, by the names the command line
//! uses.

use std::{fmt, str::FromStr};

/// Which flavour of the API to serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Current Terraform Enterprise: tokens expire two years after creation by default.
    Tfe,
    /// HCP Terraform: as `Tfe`, plus the audit-trails token.
    Hcp,
    /// The seeds' era: no default expiry, no expired-at attribute unless one was set.
    Legacy,
}

impl FromStr for Profile {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "tfe" => Ok(Profile::Tfe),
            "hcp" => Ok(Profile::Hcp),
            "legacy" => Ok(Profile::Legacy),
            other => Err(format!("unknown profile {other:?}: use tfe, hcp or legacy")),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Profile::Tfe => "tfe",
            Profile::Hcp => "hcp",
            Profile::Legacy => "legacy",
        })
    }
}
