//! Deliberate deviations. A `Fault` breaks the contract in one named way; a `Quirk` is a way
//! of differing that the contract allows: real servers differ like this, and the harness must
//! still pass them. The server knows only what each does: which trials of the harness must
//! fail under each fault is the harness's business, written down beside the test that walks
//! the table (`tests/harness/trips.rs`).

use std::{fmt, str::FromStr};

macro_rules! table {
    ($(#[$meta:meta])* $vis:vis enum $name:ident, $row:ident { $($variant:ident = $text:literal, $summary:literal;)* }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $($variant),* }

        /// One row of the table.
        #[derive(Clone, Copy, Debug)]
        pub struct $row {
            pub item: $name,
            pub name: &'static str,
            pub summary: &'static str,
        }

        impl $name {
            pub const TABLE: &'static [$row] = &[
                $($row { item: $name::$variant, name: $text, summary: $summary }),*
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
            "creating an organization token answers 200 instead of 201";
        TokenTypeSingular = "token-type-singular",
            "token documents say type authentication-token (singular)";
        EmptySecret = "empty-secret",
            "the create response carries an empty secret";
        ReadShowsSecret = "read-shows-secret",
            "reading the organization token shows its secret";
        ReadWrongId = "read-wrong-id",
            "reading the organization token answers with another id";
        ReadStatus201 = "read-status-201",
            "reading the organization token answers 201 (as OTF does)";
        NewSecretUnusable = "new-secret-unusable",
            "a new organization token does not authenticate";
        RotationKeepsOldToken = "rotation-keeps-old-token",
            "creating an organization token leaves the previous secret working";
        ExpiryIgnored = "expiry-ignored",
            "a requested expired-at is ignored and the default used";
        PastExpiryAccepted = "past-expiry-accepted",
            "an expired-at in the past is accepted (as OTF does)";
        ZonelessExpiryRejected = "zoneless-expiry-rejected",
            "an expired-at without a zone or with an offset other than Z is rejected with 422 (pytfe sends those)";
        NoDefaultExpiry = "no-default-expiry",
            "without expired-at the token never expires, whatever the profile";
        DeleteStatus200 = "delete-status-200",
            "deleting the organization token answers 200 with a document";
        DeleteKeepsSecret = "delete-keeps-secret",
            "a deleted organization token still authenticates";
        ReadAfterDelete200 = "read-after-delete-200",
            "after delete, reading the organization token still answers 200";
        SecondDelete204 = "second-delete-204",
            "deleting an organization token that is gone answers 204";
        MissingToken404 = "missing-token-404",
            "a request without a token gets 404 instead of 401";
        UnknownToken403 = "unknown-token-403",
            "a token the server never issued gets 403 instead of 401";
        UnauthorizedPlainText = "unauthorized-plain-text",
            "401 answers have a plain-text body (as OTF's do)";
        UnknownOrganization403 = "unknown-organization-403",
            "an unknown organization gets 403 instead of 404";
        MalformedBody500 = "malformed-body-500",
            "a body that is not JSON makes the server answer 500";
        ContentTypeMissing500 = "content-type-missing-500",
            "POST and DELETE without a Content-Type make the server answer 500";
        StrictRequestType = "strict-request-type",
            "bodies whose data.type is not the docs' (authentication-token; authentication-tokens for agent tokens) are rejected with 422";
        MediaTypeJson = "media-type-json",
            "responses say application/json";
        ErrorsWithData = "errors-with-data",
            "error documents also carry data: null";
        ErrorStatusMismatch = "error-status-mismatch",
            "errors[].status is always \"400\"";
        TimestampsWithOffset = "timestamps-with-offset",
            "timestamps end in +00:00 instead of Z";
        AttributesMissing = "attributes-missing",
            "token documents omit last-used-at, description and created-by (as OTF's do)";
        TeamRelationshipMissing = "team-relationship-missing",
            "team tokens do not name their team";
        TeamRotationKeepsOldToken = "team-rotation-keeps-old-token",
            "creating a legacy team token leaves the previous secret working";
        TeamTokenReadShowsSecret = "team-token-read-shows-secret",
            "reading a legacy team token shows its secret";
        TeamTokenDeleteIgnored = "team-token-delete-ignored",
            "deleting a legacy team token answers 204 and keeps the token";
        UnknownTeam500 = "unknown-team-500",
            "team token routes on a team that does not exist answer 500";
        TeamExpiryIgnored = "team-expiry-ignored",
            "a requested expired-at on a team token is ignored";
        DescriptionDropped = "description-dropped",
            "token descriptions come back null";
        MultiTokenReplaces = "multi-token-replaces",
            "creating one of a team's several tokens revokes the others";
        DuplicateDescriptionAccepted = "duplicate-description-accepted",
            "a second token with a description already used in the team is created";
        TokenShowRevealsSecret = "token-show-reveals-secret",
            "GET /authentication-tokens/{id} shows the secret";
        TokenDeleteKeepsSecret = "token-delete-keeps-secret",
            "deleting a team or user token answers 204 and the token stays (and keeps working)";
        UnknownTokenId403 = "unknown-token-id-403",
            "an authentication-token id that does not exist gets 403";
        ListShowsSecrets = "list-shows-secrets",
            "token lists show every token's secret";
        ListIgnoresQuery = "list-ignores-q",
            "the team-token list ignores q";
        ListIgnoresSort = "list-ignores-sort",
            "the team-token list ignores sort";
        PaginationOffByOne = "pagination-off-by-one",
            "meta.pagination.total-count is one more than the tokens listed";
        BulkDeleteIgnored = "bulk-delete-ignored",
            "bulk team-token delete answers 204 and deletes nothing";
        UserTokenUnusable = "user-token-unusable",
            "a new user token does not authenticate";
        UserTokensVisibleToTeams = "user-tokens-visible-to-teams",
            "team tokens can list and read a user's tokens";
        AuditSharesOrganizationToken = "audit-shares-organization-token",
            "?token=audit-trails addresses the organization token itself";
        Forbidden403 = "forbidden-403",
            "a valid token that may not touch something gets 403 instead of 404 (as OTF's does)";
        OutsiderCanWrite = "outsider-can-write",
            "any team's token may create and delete organization and team tokens";
        LeakyNotFound = "leaky-not-found",
            "404 for something that exists but is forbidden says so in its detail";
        MalformedAuth400 = "malformed-auth-400",
            "an Authorization header without a token gets 400 instead of 401";
        TokenReads404 = "token-reads-404",
            "reading a team's token, or any token by id, answers 404 even to owners";
        TokenDeletes404 = "token-deletes-404",
            "deleting a team's token, a token by id, or several at once answers 404 even to owners";
        TokenLists404 = "token-lists-404",
            "the team-token, user-token and agent-token lists answer 404 even to owners";
        UsersCannotCreateTokens = "users-cannot-create-tokens",
            "a user's token (even an owner's) gets 404 creating team, user or agent tokens";
        TeamDelete500 = "team-delete-500",
            "deleting a team answers 500 and keeps the team";
        AuditExpiresByDefault = "audit-expires-by-default",
            "the audit-trails token expires after two years by default";
        MalformedId500 = "malformed-id-500",
            "an id not of the server's own shape answers 500 (as OTF's does)";
        MissingUser200 = "missing-user-200",
            "listing the tokens of a user that does not exist answers 200 with an empty list";
        AgentTokenReadShowsSecret = "agent-token-read-shows-secret",
            "GET /authentication-tokens/{id} of an agent token shows its secret";
        AgentTokenListIgnoresSort = "agent-token-list-ignores-sort",
            "the agent-token list ignores sort (any value, unknown ones too)";
        AgentTokenVisibleToOutsiders = "agent-token-visible-to-outsiders",
            "a team outside the owners team can read agent tokens by id";
        AgentTokenDeleteIgnored = "agent-token-delete-ignored",
            "deleting an agent token answers 204 and the token stays readable";
        AgentTokenDescriptionOptional = "agent-token-description-optional",
            "an agent token without a description is created";
        AgentTokensRefuseTeamTokens = "agent-tokens-refuse-team-tokens",
            "a team's token, the owners team's too, gets 404 listing, creating, reading or deleting agent tokens (api-tokens docs: an owners-team token has an owner's permissions)";
        AgentTokenListIgnoresPool = "agent-token-list-ignores-pool",
            "the agent-token list without sort shows the agent tokens of every pool";
        UnknownAgentPoolEmptyList = "unknown-agent-pool-empty-list",
            "listing the tokens of an agent pool that does not exist answers 200 with an empty list";
        NonAsciiDescription500 = "non-ascii-description-500",
            "a token description with a character outside ASCII makes the server answer 500";
        LongDescriptionCut = "long-description-cut",
            "token descriptions longer than 80 characters are stored cut to 80";
        OffsetExpiryAsUtc = "offset-expiry-as-utc",
            "an expired-at with a numeric offset other than +00:00 is stored as if its digits were UTC";
        FractionalExpiryRejected = "fractional-expiry-rejected",
            "an expired-at with fractions of a second is rejected with 422 (pytfe sends microseconds)";
        PagePastEnd500 = "page-past-end-500",
            "a list page past the last one answers 500";
        SearchAsPattern = "search-as-pattern",
            "the team-token list's q is used as a SQL LIKE pattern: _ matches any character, % any run";
        UnknownSort500 = "unknown-sort-500",
            "a team-token list sort that no document names answers 500";
        SecretsCaseInsensitive = "secrets-case-insensitive",
            "a secret authenticates in any case (compared without regard to case)";
        SecretsComparedByPrefix = "secrets-compared-by-prefix",
            "a secret authenticates when its first 60 characters match a token's (cut short, lengthened or changed at its end)";
        ExpiredTokensAuthenticate = "expired-tokens-authenticate",
            "a token past its expired-at still authenticates";
        RevocationCached = "revocation-cached",
            "a rotated or deleted token still authenticates on GET /account/details (a stale cache)";
        TeamDeletionKeepsTokens = "team-deletion-keeps-tokens",
            "deleting a team leaves its tokens authenticating";
        DeletedIdReused = "deleted-id-reused",
            "a team's next token gets the id of the token of that team deleted last";
        ListDefaultPageOnly = "list-default-page-only",
            "asked without page parameters, the team-token and agent-token lists show their first 20 and say there is no other page";
        AgentSecretAuthenticates = "agent-secret-authenticates",
            "an agent token's secret authenticates on the API, as the organization";
        RotationResurrects = "rotation-resurrects",
            "an organization or legacy team token that a rotation replaced authenticates again once the next rotation replaces its successor";
        UserTokenExpiryIgnored = "user-token-expiry-ignored",
            "a user token past its expired-at still authenticates (other tokens' expiry holds)";
        AuditReadAfterDelete200 = "audit-read-after-delete-200",
            "a deleted audit-trails token still reads 200 (the organization token's read is right)";
        AgentDescriptionLatin1 = "agent-description-latin1",
            "an agent token's description is stored in Latin-1: characters past U+00FF come back as ?";
        UserExpiryToTheMinute = "user-expiry-to-the-minute",
            "a user token's expired-at is stored to the minute (its seconds dropped)";
        PoolDeletionKeepsTokens = "pool-deletion-keeps-tokens",
            "deleting an agent pool leaves its tokens, readable and deletable by id";
        RotationRace = "rotation-race",
            "an organization or legacy team token's rotation replaces the token that was current when it began, after a pause: rotations sent at once each leave their secret working";
    }
}

table! {
    /// A way of differing from the reference that the contract allows.
    pub enum Quirk, QuirkRow {
        NumericIds = "numeric-ids",
            "token ids are numeric strings, as in the seeds";
        Charset = "charset",
            "Content-Type carries ; charset=utf-8";
        ExtraFields = "extra-fields",
            "extra attributes, links, meta and response headers";
        OtherErrorTitles = "other-error-titles",
            "different error titles, with detail and code members";
        NumericErrorStatus = "numeric-error-status",
            "errors[].status is a number";
        WholeSeconds = "whole-seconds",
            "timestamps without fractional seconds";
        ParsedIds = "parsed-ids",
            "ids are a prefix and 16 base58 characters (as OTF's); an id of another shape gets a 404 of its own (malformed id)";
        TeamCreated201 = "team-created-201",
            "creating a team answers 201 (the docs say 200)";
        ContentTypeNotEnforced = "content-type-not-enforced",
            "POST and DELETE without the JSON:API Content-Type are handled as if they had it (real TFE answers 415; no document requires it)";
        DuplicateDescription409 = "duplicate-description-409",
            "a duplicate token description in a team is answered 409 (the docs give no status)";
        OutsiderBulk404 = "outsider-bulk-404",
            "bulk delete by a team that may not answers 404 (the docs list 403 and 404)";
        ListsWithoutLinks = "lists-without-links",
            "lists carry no links, and meta.pagination only when a page was asked for (as the docs samples)";
        MarkupInErrors = "markup-in-errors",
            "error titles and details, and a header of every error, carry HTML markup (a <script>, an <img onerror>, closing tags): free text a report must show, not run";
        AgentPoolCreated200 = "agent-pool-created-200",
            "creating an agent pool answers 200 (HashiCorp's OpenAPI file; the agents docs say 201)";
    }
}

/// The tables as `serve --list-faults` prints them.
pub fn describe() -> String {
    let mut out = String::from("faults (serve --fault NAME; each breaks the contract one way):\n");
    for row in Fault::TABLE {
        out.push_str(&format!("  {:<26} {}\n", row.name, row.summary));
    }
    out.push_str("\nquirks (serve --quirk NAME; allowed by the contract, nothing may fail):\n");
    for row in Quirk::TABLE {
        out.push_str(&format!("  {:<26} {}\n", row.name, row.summary));
    }
    out
}
