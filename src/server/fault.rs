//! Deliberate deviations. A `Fault` breaks the contract in one named way, and the table says
//! exactly which trials must fail because of it (and so that no other may): the trials that
//! fail under the `hcp` profile, which runs every check; under another profile, those of them
//! that the profile runs. A trip may be a pattern: `*` stands for any text, and an entry
//! starting with `!` takes the trials it matches out again. A `Quirk` is a way
//! of differing that the contract allows: real servers differ like this, and the harness must
//! still pass them.

use std::{fmt, str::FromStr};

macro_rules! table {
    ($(#[$meta:meta])* $vis:vis enum $name:ident, $row:ident { $($variant:ident = $text:literal, $summary:literal, [$($trip:literal),* $(,)?];)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $($variant),* }

        /// One row of the table.
        #[derive(Clone, Copy, Debug)]
        pub struct $row {
            pub item: $name,
            pub name: &'static str,
            pub summary: &'static str,
            /// Exactly the trials that must fail (empty for quirks: nothing may fail).
            pub trips: &'static [&'static str],
        }

        impl $name {
            pub const TABLE: &'static [$row] = &[
                $($row { item: $name::$variant, name: $text, summary: $summary, trips: &[$($trip),*] }),*
            ];

            pub fn name(self) -> &'static str {
                Self::TABLE.iter().find(|r| r.item == self).map(|r| r.name).unwrap_or("?")
            }

            pub fn row(self) -> &'static $row {
                Self::TABLE.iter().find(|r| r.item == self).expect("every variant has a row")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, String> {
                Self::TABLE.iter().find(|r| r.name == s).map(|r| r.item).ok_or_else(|| {
                    let names: Vec<&str> = Self::TABLE.iter().map(|r| r.name).collect();
                    format!("unknown {} {s:?}; known: {}", stringify!($name).to_lowercase(), names.join(", "))
                })
            }
        }
    };
}

table! {
    /// A deliberate breach of the contract.
    pub enum Fault, FaultRow {
        CreateStatus200 = "create-status-200",
            "creating an organization token answers 200 instead of 201",
            ["audit_token::create_returns_separate_token",
             "authz::create_audit_trails_token::organization_token",
             "authz::create_audit_trails_token::own_user_token",
             "authz::create_audit_trails_token::owner",
             "authz::create_audit_trails_token::owners_team",
             "authz::create_organization_token::organization_token",
             "authz::create_organization_token::own_user_token",
             "authz::create_organization_token::owner",
             "authz::create_organization_token::owners_team",
             "org_token::accepts_real_client_bodies", "org_token::create_returns_token_document",
             "schema::status_documented"];
        TokenTypeSingular = "token-type-singular",
            "token documents say type authentication-token (singular)",
            ["audit_token::create_returns_separate_token",
             "org_token::create_returns_token_document", "schema::body_matches_schema",
             "team_token::create_returns_token_document",
             "team_tokens::create_returns_token_document",
             "user_token::create_returns_token_document",
             "agent_token::create_returns_token_document"];
        EmptySecret = "empty-secret",
            "the create response carries an empty secret",
            ["audit_token::create_returns_separate_token",
             "org_token::accepts_real_client_bodies", "org_token::create_replaces_previous",
             "org_token::create_returns_token_document", "org_token::deleted_secret_rejected",
             "org_token::new_secret_authenticates", "org_token::secret_shown_only_on_create",
             "team_token::create_replaces_previous", "team_token::create_returns_token_document",
             "team_tokens::create_returns_token_document", "team_tokens::tokens_coexist",
             "user_token::create_returns_token_document",
             "user_token::invisible_to_other_tokens", "user_token::secret_authenticates_as_user",
             "authz::*::organization_token", "authz::*::outsider", "authz::*::own_user_token",
             "authz::*::owners_team", "authz::*::revoked", "leak::*",
             "agent_token::create_returns_token_document",
             "agent_token::secret_not_an_api_token"];
        ReadShowsSecret = "read-shows-secret",
            "reading the organization token shows its secret",
            ["org_token::secret_shown_only_on_create"];
        ReadWrongId = "read-wrong-id",
            "reading the organization token answers with another id",
            ["org_token::read_returns_created_token", "audit_token::*",
             "!audit_token::never_expires_by_default"];
        ReadStatus201 = "read-status-201",
            "reading the organization token answers 201 (as OTF does)",
            ["authz::show_audit_trails_token::organization_token",
             "authz::show_audit_trails_token::own_user_token",
             "authz::show_audit_trails_token::owner",
             "authz::show_audit_trails_token::owners_team",
             "authz::show_organization_token::organization_token",
             "authz::show_organization_token::own_user_token",
             "authz::show_organization_token::owner",
             "authz::show_organization_token::owners_team",
             "org_token::read_returns_created_token", "schema::status_documented",
             "audit_token::*", "!audit_token::never_expires_by_default"];
        NewSecretUnusable = "new-secret-unusable",
            "a new organization token does not authenticate",
            ["org_token::create_replaces_previous", "org_token::new_secret_authenticates",
             "authz::*::organization_token", "audit_token::*",
             "!audit_token::never_expires_by_default"];
        RotationKeepsOldToken = "rotation-keeps-old-token",
            "creating an organization token leaves the previous secret working",
            ["org_token::create_replaces_previous"];
        ExpiryIgnored = "expiry-ignored",
            "a requested expired-at is ignored and the default used",
            ["org_token::expiry_echoed"];
        PastExpiryAccepted = "past-expiry-accepted",
            "an expired-at in the past is accepted (as OTF does)",
            ["org_token::expiry_in_past_rejected", "team_token::expiry_rules"];
        ZonelessExpiryRejected = "zoneless-expiry-rejected",
            "an expired-at without a zone or with an offset other than Z is rejected with 422 (pytfe sends those)",
            ["org_token::accepts_real_client_bodies"];
        NoDefaultExpiry = "no-default-expiry",
            "without expired-at the token never expires, whatever the profile",
            ["org_token::expiry_default", "team_token::expiry_rules"];
        DeleteStatus200 = "delete-status-200",
            "deleting the organization token answers 200 with a document",
            ["audit_token::delete_leaves_organization_token",
             "authz::delete_audit_trails_token::organization_token",
             "authz::delete_audit_trails_token::own_user_token",
             "authz::delete_audit_trails_token::owner",
             "authz::delete_audit_trails_token::owners_team",
             "authz::delete_organization_token::organization_token",
             "authz::delete_organization_token::own_user_token",
             "authz::delete_organization_token::owner",
             "authz::delete_organization_token::owners_team",
             "org_token::delete_returns_no_content", "schema::status_documented"];
        DeleteKeepsSecret = "delete-keeps-secret",
            "a deleted organization token still authenticates",
            ["org_token::deleted_secret_rejected"];
        ReadAfterDelete200 = "read-after-delete-200",
            "after delete, reading the organization token still answers 200",
            ["org_token::read_after_delete_not_found"];
        SecondDelete204 = "second-delete-204",
            "deleting an organization token that is gone answers 204",
            ["org_token::second_delete_not_found"];
        MissingToken404 = "missing-token-404",
            "a request without a token gets 404 instead of 401",
            ["auth::missing_token_unauthorized", "authz::*::anonymous"];
        UnknownToken403 = "unknown-token-403",
            "a token the server never issued gets 403 instead of 401",
            ["auth::unknown_token_unauthorized", "schema::status_documented"];
        UnauthorizedPlainText = "unauthorized-plain-text",
            "401 answers have a plain-text body (as OTF's do)",
            ["auth::missing_token_unauthorized", "auth::unknown_token_unauthorized",
             "jsonapi::data_xor_errors", "jsonapi::media_type", "schema::body_matches_schema"];
        UnknownOrganization403 = "unknown-organization-403",
            "an unknown organization gets 403 instead of 404",
            ["leak::create_audit_trails_token", "leak::create_organization_token",
             "leak::delete_audit_trails_token", "leak::delete_organization_token",
             "leak::list_team_tokens", "leak::show_audit_trails_token",
             "leak::show_organization_token", "org_token::unknown_organization_not_found",
             "schema::status_documented"];
        MalformedBody500 = "malformed-body-500",
            "a body that is not JSON makes the server answer 500",
            ["org_token::malformed_body_rejected", "schema::status_documented"];
        ContentTypeMissing500 = "content-type-missing-500",
            "POST and DELETE without a Content-Type make the server answer 500",
            ["org_token::content_type_required", "schema::status_documented"];
        StrictRequestType = "strict-request-type",
            "bodies whose data.type is not the docs' (authentication-token; authentication-tokens for agent tokens) are rejected with 422",
            ["org_token::accepts_real_client_bodies", "agent_token::create_returns_token_document"];
        MediaTypeJson = "media-type-json",
            "responses say application/json",
            ["jsonapi::media_type"];
        ErrorsWithData = "errors-with-data",
            "error documents also carry data: null",
            ["jsonapi::data_xor_errors"];
        ErrorStatusMismatch = "error-status-mismatch",
            "errors[].status is always \"400\"",
            ["jsonapi::error_status_matches"];
        TimestampsWithOffset = "timestamps-with-offset",
            "timestamps end in +00:00 instead of Z",
            ["jsonapi::timestamps_utc"];
        AttributesMissing = "attributes-missing",
            "token documents omit last-used-at, description and created-by (as OTF's do)",
            ["audit_token::create_returns_separate_token",
             "org_token::create_returns_token_document", "schema::body_matches_schema",
             "team_token::create_returns_token_document",
             "team_tokens::create_returns_token_document",
             "team_tokens::empty_description_echoed", "user_token::create_returns_token_document",
             "agent_token::create_returns_token_document", "agent_token::read_hides_secret"];
        TeamRelationshipMissing = "team-relationship-missing",
            "team tokens do not name their team",
            ["team_token::create_returns_token_document",
             "team_tokens::create_returns_token_document"];
        TeamRotationKeepsOldToken = "team-rotation-keeps-old-token",
            "creating a legacy team token leaves the previous secret working",
            ["team_token::create_replaces_previous", "authz::*::revoked"];
        TeamTokenReadShowsSecret = "team-token-read-shows-secret",
            "reading a legacy team token shows its secret",
            ["team_token::read_hides_secret"];
        TeamTokenDeleteIgnored = "team-token-delete-ignored",
            "deleting a legacy team token answers 204 and keeps the token",
            ["team_token::delete_revokes"];
        UnknownTeam500 = "unknown-team-500",
            "team token routes on a team that does not exist answer 500",
            ["leak::create_team_token", "leak::create_team_tokens", "leak::delete_team_token",
             "leak::show_team_token", "schema::status_documented",
             "team_token::malformed_team_id_not_server_error",
             "team_token::unknown_team_not_found", "team_tokens::unknown_not_found"];
        TeamExpiryIgnored = "team-expiry-ignored",
            "a requested expired-at on a team token is ignored",
            ["team_token::expiry_rules"];
        DescriptionDropped = "description-dropped",
            "token descriptions come back null",
            ["team_tokens::create_returns_token_document",
             "team_tokens::empty_description_echoed", "user_token::create_returns_token_document",
             "agent_token::create_returns_token_document", "agent_token::read_hides_secret"];
        MultiTokenReplaces = "multi-token-replaces",
            "creating one of a team's several tokens revokes the others",
            ["team_tokens::tokens_coexist", "team_token_list::*",
             "!team_token_list::search_by_team_name"];
        DuplicateDescriptionAccepted = "duplicate-description-accepted",
            "a second token with a description already used in the team is created",
            ["team_tokens::duplicate_description_rejected"];
        TokenShowRevealsSecret = "token-show-reveals-secret",
            "GET /authentication-tokens/{id} shows the secret",
            ["team_tokens::read_hides_secret", "user_token::read_hides_secret",
             "agent_token::read_hides_secret"];
        TokenDeleteKeepsSecret = "token-delete-keeps-secret",
            "deleting a team or user token answers 204 and the token stays (and keeps working)",
            ["team_token_list::bulk_delete", "team_tokens::delete_revokes",
             "user_token::delete_revokes"];
        UnknownTokenId403 = "unknown-token-id-403",
            "an authentication-token id that does not exist gets 403",
            ["leak::delete_team_token_by_id", "leak::delete_user_token_by_id",
             "leak::show_team_token_by_id", "leak::show_user_token_by_id",
             "schema::status_documented", "team_token_list::bulk_delete",
             "team_tokens::delete_revokes", "team_tokens::unknown_not_found",
             "user_token::delete_revokes", "agent_token::delete_removes",
             "leak::delete_agent_token_by_id", "leak::show_agent_token_by_id"];
        ListShowsSecrets = "list-shows-secrets",
            "token lists show every token's secret",
            ["team_token_list::lists_without_secrets", "user_token::listed_without_secret",
             "agent_token::listed_without_secrets"];
        ListIgnoresQuery = "list-ignores-q",
            "the team-token list ignores q",
            ["team_token_list::pagination_consistent", "team_token_list::search_by_team_name"];
        ListIgnoresSort = "list-ignores-sort",
            "the team-token list ignores sort",
            ["team_token_list::sort_by_expiry"];
        PaginationOffByOne = "pagination-off-by-one",
            "meta.pagination.total-count is one more than the tokens listed",
            ["team_token_list::pagination_consistent", "agent_token::pagination_consistent"];
        BulkDeleteIgnored = "bulk-delete-ignored",
            "bulk team-token delete answers 204 and deletes nothing",
            ["team_token_list::bulk_delete"];
        UserTokenUnusable = "user-token-unusable",
            "a new user token does not authenticate",
            ["user_token::secret_authenticates_as_user", "authz::*::own_user_token"];
        UserTokensVisibleToTeams = "user-tokens-visible-to-teams",
            "team tokens can list and read a user's tokens",
            ["authz::delete_user_token_by_id::outsider",
             "authz::delete_user_token_by_id::owners_team", "authz::list_user_tokens::outsider",
             "authz::list_user_tokens::owners_team", "authz::show_user_token_by_id::outsider",
             "authz::show_user_token_by_id::owners_team", "leak::delete_user_token_by_id",
             "leak::list_user_tokens", "leak::show_user_token_by_id",
             "user_token::invisible_to_other_tokens"];
        AuditSharesOrganizationToken = "audit-shares-organization-token",
            "?token=audit-trails addresses the organization token itself",
            ["audit_token::*", "!audit_token::never_expires_by_default"];
        Forbidden403 = "forbidden-403",
            "a valid token that may not touch something gets 403 instead of 404 (as OTF's does)",
            ["authz::create_user_token::organization_token",
             "authz::create_user_token::owners_team",
             "authz::delete_user_token_by_id::organization_token",
             "authz::delete_user_token_by_id::owners_team",
             "authz::show_user_token_by_id::organization_token",
             "authz::show_user_token_by_id::owners_team", "schema::status_documented",
             "user_token::invisible_to_other_tokens", "authz::*::outsider", "leak::*",
             "!authz::delete_team_tokens::outsider", "!authz::list_user_tokens::outsider",
             "!leak::list_user_tokens"];
        OutsiderCanWrite = "outsider-can-write",
            "any team's token may create and delete organization and team tokens",
            ["authz::create_audit_trails_token::outsider",
             "authz::create_organization_token::outsider", "authz::create_team_token::outsider",
             "authz::create_team_tokens::outsider", "authz::delete_team_token::outsider",
             "authz::delete_team_token_by_id::outsider", "authz::delete_team_tokens::outsider",
             "leak::create_audit_trails_token", "leak::create_organization_token",
             "leak::create_team_token", "leak::create_team_tokens",
             "leak::delete_audit_trails_token", "leak::delete_organization_token",
             "leak::delete_team_token", "leak::delete_team_token_by_id"];
        LeakyNotFound = "leaky-not-found",
            "404 for something that exists but is forbidden says so in its detail",
            ["leak::*", "!leak::list_user_tokens"];
        MalformedAuth400 = "malformed-auth-400",
            "an Authorization header without a token gets 400 instead of 401",
            ["schema::status_documented", "authz::*::malformed"];
        TokenReads404 = "token-reads-404",
            "reading a team's token, or any token by id, answers 404 even to owners",
            ["authz::show_team_token::organization_token",
             "authz::show_team_token::own_user_token", "authz::show_team_token::owner",
             "authz::show_team_token::owners_team",
             "authz::show_team_token_by_id::organization_token",
             "authz::show_team_token_by_id::own_user_token",
             "authz::show_team_token_by_id::owner", "authz::show_team_token_by_id::owners_team",
             "authz::show_user_token_by_id::own_user_token",
             "authz::show_user_token_by_id::owner", "team_token::read_hides_secret",
             "team_tokens::read_hides_secret", "user_token::read_hides_secret",
             "authz::show_agent_token_by_id::organization_token",
             "authz::show_agent_token_by_id::own_user_token",
             "authz::show_agent_token_by_id::owner",
             "authz::show_agent_token_by_id::owners_team", "agent_token::read_hides_secret"];
        TokenDeletes404 = "token-deletes-404",
            "deleting a team's token, a token by id, or several at once answers 404 even to owners",
            ["authz::delete_team_token::organization_token",
             "authz::delete_team_token::own_user_token", "authz::delete_team_token::owner",
             "authz::delete_team_token::owners_team",
             "authz::delete_team_token_by_id::organization_token",
             "authz::delete_team_token_by_id::own_user_token",
             "authz::delete_team_token_by_id::owner",
             "authz::delete_team_token_by_id::owners_team",
             "authz::delete_team_tokens::organization_token",
             "authz::delete_team_tokens::own_user_token", "authz::delete_team_tokens::owner",
             "authz::delete_team_tokens::owners_team",
             "authz::delete_user_token_by_id::own_user_token",
             "authz::delete_user_token_by_id::owner", "team_token::delete_revokes",
             "team_token_list::bulk_delete", "team_tokens::delete_revokes",
             "user_token::delete_revokes",
             "authz::delete_agent_token_by_id::organization_token",
             "authz::delete_agent_token_by_id::own_user_token",
             "authz::delete_agent_token_by_id::owner",
             "authz::delete_agent_token_by_id::owners_team", "agent_token::delete_removes"];
        TokenLists404 = "token-lists-404",
            "the team-token, user-token and agent-token lists answer 404 even to owners",
            ["authz::list_team_tokens::organization_token",
             "authz::list_team_tokens::own_user_token", "authz::list_team_tokens::owner",
             "authz::list_team_tokens::owners_team", "authz::list_user_tokens::own_user_token",
             "authz::list_user_tokens::owner", "user_token::listed_without_secret",
             "team_token_list::*", "!team_token_list::bulk_delete",
             "authz::list_agent_tokens::organization_token",
             "authz::list_agent_tokens::own_user_token", "authz::list_agent_tokens::owner",
             "authz::list_agent_tokens::owners_team", "agent_token::listed_without_secrets",
             "agent_token::sort_by_created_at", "agent_token::unknown_sort_rejected",
             "agent_token::pagination_consistent", "agent_token::pools_keep_their_tokens"];
        UsersCannotCreateTokens = "users-cannot-create-tokens",
            "a user's token (even an owner's) gets 404 creating team, user or agent tokens",
            ["authz::create_team_token::owner", "authz::create_team_tokens::owner",
             "authz::create_user_token::owner", "authz::*::outsider", "authz::*::own_user_token",
             "authz::*::owners_team", "authz::*::revoked", "leak::*",
             "authz::delete_team_token::*", "authz::delete_team_token_by_id::*",
             "authz::delete_team_tokens::*", "authz::delete_user_token_by_id::*",
             "authz::list_team_tokens::*", "authz::list_user_tokens::*",
             "authz::show_team_token::*", "authz::show_team_token_by_id::*",
             "authz::show_user_token_by_id::*", "team_tokens::*", "team_token::*",
             "user_token::*", "team_token_list::*", "!team_token::unknown_team_not_found",
             "!team_token::malformed_team_id_not_server_error",
             "!user_token::unknown_user_not_found", "authz::create_agent_token::owner",
             "authz::show_agent_token_by_id::*", "authz::delete_agent_token_by_id::*",
             "agent_token::*", "!agent_token::unknown_pool_not_found",
             "!agent_token::unknown_sort_rejected"];
        TeamDelete500 = "team-delete-500",
            "deleting a team answers 500 and keeps the team",
            ["schema::status_documented"];
        AuditExpiresByDefault = "audit-expires-by-default",
            "the audit-trails token expires after two years by default",
            ["audit_token::never_expires_by_default"];
        MalformedId500 = "malformed-id-500",
            "an id not of the server's own shape answers 500 (as OTF's does)",
            ["team_token::malformed_team_id_not_server_error", "schema::status_documented"];
        MissingUser200 = "missing-user-200",
            "listing the tokens of a user that does not exist answers 200 with an empty list",
            ["user_token::unknown_user_not_found"];
        AgentTokenReadShowsSecret = "agent-token-read-shows-secret",
            "GET /authentication-tokens/{id} of an agent token shows its secret",
            ["agent_token::read_hides_secret"];
        AgentTokenListIgnoresSort = "agent-token-list-ignores-sort",
            "the agent-token list ignores sort (any value, unknown ones too)",
            ["agent_token::sort_by_created_at", "agent_token::unknown_sort_rejected"];
        AgentTokenVisibleToOutsiders = "agent-token-visible-to-outsiders",
            "a team outside the owners team can read agent tokens by id",
            ["authz::show_agent_token_by_id::outsider", "leak::show_agent_token_by_id"];
        AgentTokenDeleteIgnored = "agent-token-delete-ignored",
            "deleting an agent token answers 204 and the token stays readable",
            ["agent_token::delete_removes"];
        AgentTokenDescriptionOptional = "agent-token-description-optional",
            "an agent token without a description is created",
            ["agent_token::description_required"];
        AgentTokenListIgnoresPool = "agent-token-list-ignores-pool",
            "the agent-token list without sort shows the agent tokens of every pool",
            ["agent_token::pools_keep_their_tokens"];
        UnknownAgentPoolEmptyList = "unknown-agent-pool-empty-list",
            "listing the tokens of an agent pool that does not exist answers 200 with an empty list",
            ["agent_token::unknown_pool_not_found", "leak::list_agent_tokens"];
        AgentSecretAuthenticates = "agent-secret-authenticates",
            "an agent token's secret authenticates on the API, as the organization",
            ["agent_token::secret_not_an_api_token"];
    }
}

table! {
    /// A way of differing from the reference that the contract allows.
    pub enum Quirk, QuirkRow {
        NumericIds = "numeric-ids",
            "token ids are numeric strings, as in the seeds",
            [];
        Charset = "charset",
            "Content-Type carries ; charset=utf-8",
            [];
        ExtraFields = "extra-fields",
            "extra attributes, links, meta and response headers",
            [];
        OtherErrorTitles = "other-error-titles",
            "different error titles, with detail and code members",
            [];
        NumericErrorStatus = "numeric-error-status",
            "errors[].status is a number",
            [];
        WholeSeconds = "whole-seconds",
            "timestamps without fractional seconds",
            [];
        ParsedIds = "parsed-ids",
            "ids are a prefix and 16 base58 characters (as OTF's); an id of another shape gets a 404 of its own (malformed id)",
            [];
        TeamCreated201 = "team-created-201",
            "creating a team answers 201 (the docs say 200)",
            [];
        ContentTypeNotEnforced = "content-type-not-enforced",
            "POST and DELETE without the JSON:API Content-Type are handled as if they had it (real TFE answers 415; no document requires it)",
            [];
        DuplicateDescription409 = "duplicate-description-409",
            "a duplicate token description in a team is answered 409 (the docs give no status)",
            [];
        OutsiderBulk404 = "outsider-bulk-404",
            "bulk delete by a team that may not answers 404 (the docs list 403 and 404)",
            [];
        ListsWithoutLinks = "lists-without-links",
            "lists carry no links, and meta.pagination only when a page was asked for (as the docs samples)",
            [];
        MarkupInErrors = "markup-in-errors",
            "error titles and details, and a header of every error, carry HTML markup (a <script>, an <img onerror>, closing tags): free text a report must show, not run",
            [];
        AgentPoolCreated200 = "agent-pool-created-200",
            "creating an agent pool answers 200 (HashiCorp's OpenAPI file; the agents docs say 201)",
            [];
    }
}

impl FaultRow {
    /// Of `trials`, the ones this fault must make fail: every trial a trip matches, less
    /// those an `!` entry matches.
    pub fn tripped<'a>(&self, trials: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
        let (excluded, included): (Vec<&str>, Vec<&str>) =
            self.trips.iter().partition(|t| t.starts_with('!'));
        trials
            .into_iter()
            .filter(|name| included.iter().any(|p| matches(p, name)))
            .filter(|name| !excluded.iter().any(|p| matches(&p[1..], name)))
            .collect()
    }
}

/// Glob matching with `*` only (any run of characters, `::` included).
pub fn matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            let Some(rest) = name.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| matches(tail, &rest[i..]))
        }
    }
}

/// The tables as `serve --list-faults` prints them.
pub fn describe() -> String {
    let mut out = String::from("faults (serve --fault NAME; the trials each must fail):\n");
    for row in Fault::TABLE {
        out.push_str(&format!("  {:<26} {}\n", row.name, row.summary));
        out.push_str(&format!("  {:<26}   trips: {}\n", "", row.trips.join(", ")));
    }
    out.push_str("\nquirks (serve --quirk NAME; allowed by the contract, nothing may fail):\n");
    for row in Quirk::TABLE {
        out.push_str(&format!("  {:<26} {}\n", row.name, row.summary));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(matches(
            "authz::*::outsider",
            "authz::show_team_token::outsider"
        ));
        assert!(!matches(
            "authz::*::outsider",
            "authz::show_team_token::owner"
        ));
        assert!(matches("leak::*", "leak::x"));
        assert!(matches("exact", "exact"));
        assert!(!matches("exact", "exactly"));
        let row = FaultRow {
            item: Fault::Forbidden403,
            name: "x",
            summary: "",
            trips: &["a::*", "!a::b", "c"],
        };
        assert_eq!(row.tripped(["a::a", "a::b", "c", "d"]), vec!["a::a", "c"]);
    }
}
