//! Which real clients a finding breaks, and the place in their code that does. A deviation the
//! spec forbids may be cosmetic or may make go-tfe, pytfe or the Terraform provider fail; a
//! team gating on this harness wants to fix the second kind first. Every claim here was read in
//! the client's own code, at the version named; a finding no entry matches claims nothing.

use super::Finding;

/// One way a real client fails on a deviation.
#[derive(Debug, PartialEq, Eq)]
pub struct Break {
    /// `go-tfe`, `pytfe` or `terraform-provider-tfe`.
    pub client: &'static str,
    /// The code that fails, with the version read.
    pub location: &'static str,
    /// Where to read it, when there is a stable address.
    pub url: Option<&'static str>,
    /// What the client does.
    pub effect: &'static str,
}

/// go-tfe decodes JSON:API with hashicorp/jsonapi, whose time layout is
/// `2006-01-02T15:04:05Z` (a literal Z); go-tfe tags every token timestamp `iso8601`.
pub const GO_TFE_TIMESTAMP: Break = Break {
    client: "go-tfe",
    location: "hashicorp/jsonapi v1.5.0 constants.go:17 (iso8601TimeFormat) and request.go:745-767 (handleTime), used by go-tfe v1.110.0 for every token timestamp",
    url: Some(
        "https://github.com/hashicorp/jsonapi/blob/81a76b606f3e453cb8e286cc25feff6c13b0620c/request.go#L745-L767",
    ),
    effect: "the whole read or create fails (\"Only strings can be parsed as dates, ISO8601 timestamps\")",
};

/// hashicorp/jsonapi refuses a primary resource whose type is not the struct's.
pub const GO_TFE_TYPE: Break = Break {
    client: "go-tfe",
    location: "hashicorp/jsonapi v1.5.0 request.go:355-360 (unmarshalNode), reached from UnmarshalPayload for every token go-tfe v1.110.0 reads",
    url: Some(
        "https://github.com/hashicorp/jsonapi/blob/81a76b606f3e453cb8e286cc25feff6c13b0620c/request.go#L355-L360",
    ),
    effect: "the whole read or create fails (\"Trying to Unmarshal an object of type ..., but \\\"authentication-tokens\\\" does not match\")",
};

/// A team relationship of another type fails go-tfe's decoding of the relation.
pub const GO_TFE_TEAM_TYPE: Break = Break {
    client: "go-tfe",
    location: "go-tfe v1.110.0 v1.go:20011 (TeamToken.Team, relation team) decoded by hashicorp/jsonapi v1.5.0 request.go:489-495",
    url: Some(
        "https://github.com/hashicorp/go-tfe/blob/908c574bd976e05b8d9a0429a66d3f51e8e8f673/v1.go#L20011",
    ),
    effect: "reading the team token fails (the relation's type does not match \"teams\")",
};

/// The provider finds a team token's team from its relationship when importing it by id.
pub const PROVIDER_TEAM: Break = Break {
    client: "terraform-provider-tfe",
    location: "terraform-provider-tfe (62d27c7) internal/provider/resource_tfe_team_token.go:429-441 (tokenTeamID), used by ImportState",
    url: Some(
        "https://github.com/hashicorp/terraform-provider-tfe/blob/62d27c7564eb515516261eaa448c384b48692363/internal/provider/resource_tfe_team_token.go#L429-L441",
    ),
    effect: "`terraform import` of the team token fails (\"token did not return associated team\")",
};

/// go-tfe v2, through which the provider reads tokens, parses only JSON media types.
pub const PROVIDER_MEDIA_TYPE: Break = Break {
    client: "terraform-provider-tfe",
    location: "kiota-abstractions-go v1.9.4 parse_node_factory_registry.go:38-55, under go-tfe v2 (the provider's token resources)",
    url: Some(
        "https://github.com/microsoft/kiota-abstractions-go/blob/v1.9.4/serialization/parse_node_factory_registry.go#L38-L55",
    ),
    effect: "the request fails (\"content type ... does not have a factory registered to be parsed\")",
};

/// With no Content-Type go-tfe v2 returns no document, and the provider's token resources
/// assume one.
pub const PROVIDER_NO_MEDIA_TYPE: Break = Break {
    client: "terraform-provider-tfe",
    location: "kiota-http-go v1.5.6 nethttp_request_adapter.go:733-746 (no Content-Type: no parse node, nil result); terraform-provider-tfe resource_tfe_organization_token.go:139-140",
    url: Some(
        "https://github.com/hashicorp/terraform-provider-tfe/blob/62d27c7564eb515516261eaa448c384b48692363/internal/provider/resource_tfe_organization_token.go#L139-L140",
    ),
    effect: "creating an organization token fails (\"no data was returned by the API\"); reading an agent token panics",
};

/// pytfe's organization-token create sends `type: authentication-token` and `expired-at` from
/// `datetime.isoformat()`: without a zone for a naive datetime, `+00:00` for an aware one.
pub const PYTFE_ORG_TOKEN_BODY: Break = Break {
    client: "pytfe",
    location: "pytfe 1.5.0 pytfe/resources/organization_token.py:74 (type) and :81 (expired_at.isoformat())",
    url: None,
    effect: "creating an organization token with pytfe fails whenever the server refuses its body",
};

/// go-tfe's create options carry no primary type, so the body's type is empty.
pub const GO_TFE_ORG_TOKEN_BODY: Break = Break {
    client: "go-tfe",
    location: "go-tfe v1.110.0 v1.go:7968 (OrganizationTokenCreateOptions: no jsonapi primary tag, so data.type is \"\")",
    url: Some(
        "https://github.com/hashicorp/go-tfe/blob/908c574bd976e05b8d9a0429a66d3f51e8e8f673/v1.go#L7968",
    ),
    effect: "OrganizationTokens.Create fails whenever the server refuses its body",
};

/// The clients a finding breaks, from its kind and what it saw, besides any a check named
/// itself (`Finding::breaks`).
pub fn attach(finding: &mut Finding) {
    let actual = finding.actual.as_str();
    let by_kind: &[&'static Break] = match finding.rule {
        "timestamp" => &[&GO_TFE_TIMESTAMP],
        "token-type" => &[&GO_TFE_TYPE],
        // No relationship, or one without an id: the provider cannot import the token. A
        // relationship of another type: go-tfe cannot decode it.
        "team-relationship" if actual == "no team relationship" || !actual.contains("\"id\"") => {
            &[&PROVIDER_TEAM]
        }
        "team-relationship" if !actual.contains("\"teams\"") => &[&GO_TFE_TEAM_TYPE],
        "media-type" if actual == "no Content-Type" => &[&PROVIDER_NO_MEDIA_TYPE],
        // application/json and application/*+json parse; anything else does not.
        "media-type" if !actual.to_ascii_lowercase().contains("json") => &[&PROVIDER_MEDIA_TYPE],
        _ => &[],
    };
    for b in by_kind {
        if !finding.clients.contains(b) {
            finding.clients.push(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(rule: &'static str, actual: &str) -> Finding {
        let mut f = Finding::general(rule, "x", actual);
        attach(&mut f);
        f
    }

    fn clients(f: &Finding) -> Vec<&'static str> {
        f.clients.iter().map(|b| b.client).collect()
    }

    #[test]
    fn claims_follow_what_the_clients_do() {
        assert_eq!(
            clients(&with("timestamp", "\"2030-01-01T00:00:00+00:00\"")),
            ["go-tfe"]
        );
        assert_eq!(
            clients(&with("token-type", "\"authentication-token\"")),
            ["go-tfe"]
        );
        assert_eq!(
            clients(&with("team-relationship", "no team relationship")),
            ["terraform-provider-tfe"]
        );
        assert_eq!(
            clients(&with(
                "team-relationship",
                r#"{"id":"team-1","type":"groups"}"#
            )),
            ["go-tfe"]
        );
        // Another team's id: wrong, but nothing shown to fail on it.
        assert!(
            clients(&with(
                "team-relationship",
                r#"{"id":"team-2","type":"teams"}"#
            ))
            .is_empty()
        );
        // go-tfe v2 parses application/json: only other media types break the provider.
        assert!(clients(&with("media-type", "application/json")).is_empty());
        assert_eq!(
            clients(&with("media-type", "text/html")),
            ["terraform-provider-tfe"]
        );
        assert_eq!(
            clients(&with("media-type", "no Content-Type")),
            ["terraform-provider-tfe"]
        );
        assert!(clients(&with("list-order", "x")).is_empty());
    }

    #[test]
    fn a_claim_named_by_a_check_stays_once() {
        let mut f = Finding::general("timestamp", "x", "y").breaks(&GO_TFE_TIMESTAMP);
        attach(&mut f);
        assert_eq!(f.clients.len(), 1);
    }
}
