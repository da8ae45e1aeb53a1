//! What the harness must make of each fault of the reference server: exactly the trials that
//! must fail against it (and so that no other may), under the `hcp` profile, which runs every
//! check; under another profile, those of them that the profile runs. This is the harness's
//! knowledge, kept here beside the test that walks the table; the server knows only what each
//! fault does. An entry may be a pattern: `*` stands for any text (`::` included), an entry
//! starting with `!` takes the trials it matches out again, and one starting with `?` names
//! trials that may fail or pass: an exploring trial whose failure under the fault depends on
//! what other trials do at the same moment (a list the fault opens to the whole organization
//! shifts while others create tokens). The file is long because it
//! is a table of data, one trial name a line, so that a change to what a fault must fail reads
//! as one line in a diff.

use tfe_contract::server::Fault;

/// Per fault, the trials that must fail.
pub const TRIPS: &[(Fault, &[&str])] = &[
    (
        Fault::CreateStatus200,
        &[
            "audit_token::create_returns_separate_token",
            "authz::create_audit_trails_token::organization_token",
            "authz::create_audit_trails_token::own_user_token",
            "authz::create_audit_trails_token::owner",
            "authz::create_audit_trails_token::owners_team",
            "authz::create_organization_token::organization_token",
            "authz::create_organization_token::own_user_token",
            "authz::create_organization_token::owner",
            "authz::create_organization_token::owners_team",
            "credential::org_token",
            "org_token::accepts_real_client_bodies",
            "org_token::create_returns_token_document",
            "schema::status_documented",
            "sequences::audit_token",
            "sequences::org_token",
        ],
    ),
    (
        Fault::TokenTypeSingular,
        &[
            "audit_token::create_returns_separate_token",
            "org_token::create_returns_token_document",
            "schema::body_matches_schema",
            "team_token::create_returns_token_document",
            "team_tokens::create_returns_token_document",
            "user_token::create_returns_token_document",
            "agent_token::create_returns_token_document",
        ],
    ),
    (
        Fault::EmptySecret,
        &[
            "authz::*::organization_token",
            "authz::*::outsider",
            "authz::*::own_user_token",
            "authz::*::owners_team",
            "authz::*::revoked",
            "leak::*",
            "agent_token::create_returns_token_document",
            "agent_token::secret_not_an_api_token",
            "audit_token::create_returns_separate_token",
            "credential::org_token",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
            "org_token::accepts_real_client_bodies",
            "org_token::create_replaces_previous",
            "org_token::create_returns_token_document",
            "org_token::deleted_secret_rejected",
            "org_token::new_secret_authenticates",
            "org_token::secret_shown_only_on_create",
            "sequences::audit_token",
            "sequences::org_token",
            "sequences::team_token",
            "team_token::create_replaces_previous",
            "team_token::create_returns_token_document",
            "team_tokens::create_returns_token_document",
            "team_tokens::tokens_coexist",
            "user_token::create_returns_token_document",
            "user_token::invisible_to_other_tokens",
            "user_token::secret_authenticates_as_user",
        ],
    ),
    (
        Fault::ReadShowsSecret,
        &["org_token::secret_shown_only_on_create"],
    ),
    (
        Fault::ReadWrongId,
        &[
            "audit_token::*",
            "!audit_token::never_expires_by_default",
            "org_token::read_returns_created_token",
            "sequences::audit_token",
            "sequences::org_token",
        ],
    ),
    (
        Fault::ReadStatus201,
        &[
            "audit_token::*",
            "!audit_token::never_expires_by_default",
            "authz::show_audit_trails_token::organization_token",
            "authz::show_audit_trails_token::own_user_token",
            "authz::show_audit_trails_token::owner",
            "authz::show_audit_trails_token::owners_team",
            "authz::show_organization_token::organization_token",
            "authz::show_organization_token::own_user_token",
            "authz::show_organization_token::owner",
            "authz::show_organization_token::owners_team",
            "org_token::read_returns_created_token",
            "schema::status_documented",
            "sequences::audit_token",
            "sequences::org_token",
        ],
    ),
    (
        Fault::NewSecretUnusable,
        &[
            "authz::*::organization_token",
            "audit_token::*",
            "!audit_token::never_expires_by_default",
            "credential::org_token",
            "org_token::create_replaces_previous",
            "org_token::new_secret_authenticates",
            "sequences::org_token",
        ],
    ),
    (
        Fault::RotationKeepsOldToken,
        &[
            "credential::org_token",
            "org_token::create_replaces_previous",
            "sequences::org_token",
        ],
    ),
    (Fault::ExpiryIgnored, &["org_token::expiry_echoed"]),
    (
        Fault::PastExpiryAccepted,
        &[
            "org_token::expiry_in_past_rejected",
            "team_token::expiry_rules",
        ],
    ),
    (
        Fault::ZonelessExpiryRejected,
        &[
            "inputs::team_token_expiry",
            "inputs::user_token_expiry",
            "org_token::accepts_real_client_bodies",
        ],
    ),
    (
        Fault::NoDefaultExpiry,
        &["org_token::expiry_default", "team_token::expiry_rules"],
    ),
    (
        Fault::DeleteStatus200,
        &[
            "audit_token::delete_leaves_organization_token",
            "authz::delete_audit_trails_token::organization_token",
            "authz::delete_audit_trails_token::own_user_token",
            "authz::delete_audit_trails_token::owner",
            "authz::delete_audit_trails_token::owners_team",
            "authz::delete_organization_token::organization_token",
            "authz::delete_organization_token::own_user_token",
            "authz::delete_organization_token::owner",
            "authz::delete_organization_token::owners_team",
            "credential::org_token",
            "org_token::delete_returns_no_content",
            "schema::status_documented",
            "sequences::audit_token",
            "sequences::org_token",
        ],
    ),
    (
        Fault::DeleteKeepsSecret,
        &[
            "credential::org_token",
            "org_token::deleted_secret_rejected",
            "sequences::org_token",
        ],
    ),
    (
        Fault::ReadAfterDelete200,
        &[
            "org_token::read_after_delete_not_found",
            "sequences::org_token",
        ],
    ),
    (
        Fault::SecondDelete204,
        &[
            "org_token::second_delete_not_found",
            "sequences::audit_token",
            "sequences::org_token",
        ],
    ),
    (
        Fault::MissingToken404,
        &["auth::missing_token_unauthorized", "authz::*::anonymous"],
    ),
    (
        Fault::UnknownToken403,
        &[
            "auth::unknown_token_unauthorized",
            "credential::org_token",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
            "schema::status_documented",
        ],
    ),
    (
        Fault::UnauthorizedPlainText,
        &[
            "auth::missing_token_unauthorized",
            "auth::unknown_token_unauthorized",
            "jsonapi::data_xor_errors",
            "jsonapi::media_type",
            "schema::body_matches_schema",
        ],
    ),
    (
        Fault::UnknownOrganization403,
        &[
            "leak::create_audit_trails_token",
            "leak::create_organization_token",
            "leak::delete_audit_trails_token",
            "leak::delete_organization_token",
            "leak::list_team_tokens",
            "leak::show_audit_trails_token",
            "leak::show_organization_token",
            "org_token::unknown_organization_not_found",
            "schema::status_documented",
        ],
    ),
    (
        Fault::MalformedBody500,
        &[
            "org_token::malformed_body_rejected",
            "schema::status_documented",
        ],
    ),
    (
        Fault::ContentTypeMissing500,
        &[
            "org_token::content_type_required",
            "schema::status_documented",
        ],
    ),
    (
        Fault::StrictRequestType,
        &[
            "org_token::accepts_real_client_bodies",
            "agent_token::create_returns_token_document",
        ],
    ),
    (Fault::MediaTypeJson, &["jsonapi::media_type"]),
    (Fault::ErrorsWithData, &["jsonapi::data_xor_errors"]),
    (
        Fault::ErrorStatusMismatch,
        &["jsonapi::error_status_matches"],
    ),
    (Fault::TimestampsWithOffset, &["jsonapi::timestamps_utc"]),
    (
        Fault::AttributesMissing,
        &[
            "agent_token::create_returns_token_document",
            "agent_token::read_hides_secret",
            "audit_token::create_returns_separate_token",
            "inputs::agent_token_description",
            "inputs::team_token_description",
            "inputs::user_token_description",
            "org_token::create_returns_token_document",
            "schema::body_matches_schema",
            "team_token::create_returns_token_document",
            "team_tokens::create_returns_token_document",
            "team_tokens::empty_description_echoed",
            "user_token::create_returns_token_document",
        ],
    ),
    (
        Fault::TeamRelationshipMissing,
        &[
            "team_token::create_returns_token_document",
            "team_tokens::create_returns_token_document",
        ],
    ),
    (
        Fault::TeamRotationKeepsOldToken,
        &[
            "authz::*::revoked",
            "credential::team_token",
            "sequences::team_token",
            "team_token::create_replaces_previous",
        ],
    ),
    (
        Fault::TeamTokenReadShowsSecret,
        &["team_token::read_hides_secret"],
    ),
    (
        Fault::TeamTokenDeleteIgnored,
        &[
            "credential::team_token",
            "sequences::team_token",
            "team_token::delete_revokes",
        ],
    ),
    (
        Fault::UnknownTeam500,
        &[
            "leak::create_team_token",
            "leak::create_team_tokens",
            "leak::delete_team_token",
            "leak::show_team_token",
            "schema::status_documented",
            "team_token::malformed_team_id_not_server_error",
            "team_token::unknown_team_not_found",
            "team_tokens::unknown_not_found",
        ],
    ),
    (Fault::TeamExpiryIgnored, &["team_token::expiry_rules"]),
    (
        Fault::DescriptionDropped,
        &[
            "agent_token::create_returns_token_document",
            "agent_token::read_hides_secret",
            "inputs::agent_token_description",
            "inputs::team_token_description",
            "inputs::user_token_description",
            "team_tokens::create_returns_token_document",
            "team_tokens::empty_description_echoed",
            "user_token::create_returns_token_document",
        ],
    ),
    (
        Fault::MultiTokenReplaces,
        &[
            "team_tokens::tokens_coexist",
            "team_token_list::*",
            "!team_token_list::search_by_team_name",
            "sequences::team_tokens",
        ],
    ),
    (
        Fault::DuplicateDescriptionAccepted,
        &["team_tokens::duplicate_description_rejected"],
    ),
    (
        Fault::TokenShowRevealsSecret,
        &[
            "agent_token::read_hides_secret",
            "sequences::agent_tokens",
            "sequences::team_tokens",
            "team_tokens::read_hides_secret",
            "user_token::read_hides_secret",
        ],
    ),
    (
        Fault::TokenDeleteKeepsSecret,
        &[
            "credential::team_tokens",
            "credential::user_tokens",
            "sequences::team_tokens",
            "team_token_list::bulk_delete",
            "team_tokens::delete_revokes",
            "user_token::delete_revokes",
        ],
    ),
    (
        Fault::UnknownTokenId403,
        &[
            "agent_token::delete_removes",
            "leak::delete_agent_token_by_id",
            "leak::delete_team_token_by_id",
            "leak::delete_user_token_by_id",
            "leak::show_agent_token_by_id",
            "leak::show_team_token_by_id",
            "leak::show_user_token_by_id",
            "schema::status_documented",
            "sequences::agent_tokens",
            "team_token_list::bulk_delete",
            "team_tokens::delete_revokes",
            "team_tokens::unknown_not_found",
            "user_token::delete_revokes",
        ],
    ),
    (
        Fault::ListShowsSecrets,
        &[
            "team_token_list::lists_without_secrets",
            "user_token::listed_without_secret",
            "agent_token::listed_without_secrets",
        ],
    ),
    (
        Fault::ListIgnoresQuery,
        &[
            "team_token_list::pagination_consistent",
            "team_token_list::search_by_team_name",
            "inputs::team_token_list",
            "?sequences::team_tokens",
        ],
    ),
    (Fault::ListIgnoresSort, &["team_token_list::sort_by_expiry"]),
    (
        Fault::PaginationOffByOne,
        &[
            "team_token_list::pagination_consistent",
            "agent_token::pagination_consistent",
        ],
    ),
    (Fault::BulkDeleteIgnored, &["team_token_list::bulk_delete"]),
    (
        Fault::UserTokenUnusable,
        &[
            "authz::*::own_user_token",
            "credential::user_tokens",
            "user_token::secret_authenticates_as_user",
        ],
    ),
    (
        Fault::UserTokensVisibleToTeams,
        &[
            "authz::delete_user_token_by_id::outsider",
            "authz::delete_user_token_by_id::owners_team",
            "authz::list_user_tokens::outsider",
            "authz::list_user_tokens::owners_team",
            "authz::show_user_token_by_id::outsider",
            "authz::show_user_token_by_id::owners_team",
            "leak::delete_user_token_by_id",
            "leak::list_user_tokens",
            "leak::show_user_token_by_id",
            "user_token::invisible_to_other_tokens",
        ],
    ),
    (
        Fault::AuditSharesOrganizationToken,
        &["audit_token::*", "!audit_token::never_expires_by_default"],
    ),
    (
        Fault::Forbidden403,
        &[
            "authz::create_user_token::organization_token",
            "authz::create_user_token::owners_team",
            "authz::delete_user_token_by_id::organization_token",
            "authz::delete_user_token_by_id::owners_team",
            "authz::show_user_token_by_id::organization_token",
            "authz::show_user_token_by_id::owners_team",
            "schema::status_documented",
            "user_token::invisible_to_other_tokens",
            "authz::*::outsider",
            "leak::*",
            "!authz::delete_team_tokens::outsider",
            "!authz::list_user_tokens::outsider",
            "!leak::list_user_tokens",
        ],
    ),
    (
        Fault::OutsiderCanWrite,
        &[
            "authz::create_audit_trails_token::outsider",
            "authz::create_organization_token::outsider",
            "authz::create_team_token::outsider",
            "authz::create_team_tokens::outsider",
            "authz::delete_team_token::outsider",
            "authz::delete_team_token_by_id::outsider",
            "authz::delete_team_tokens::outsider",
            "leak::create_audit_trails_token",
            "leak::create_organization_token",
            "leak::create_team_token",
            "leak::create_team_tokens",
            "leak::delete_audit_trails_token",
            "leak::delete_organization_token",
            "leak::delete_team_token",
            "leak::delete_team_token_by_id",
        ],
    ),
    (
        Fault::LeakyNotFound,
        &["leak::*", "!leak::list_user_tokens"],
    ),
    (
        Fault::MalformedAuth400,
        &["schema::status_documented", "authz::*::malformed"],
    ),
    (
        Fault::TokenReads404,
        &[
            "agent_token::read_hides_secret",
            "authz::show_agent_token_by_id::organization_token",
            "authz::show_agent_token_by_id::own_user_token",
            "authz::show_agent_token_by_id::owner",
            "authz::show_agent_token_by_id::owners_team",
            "authz::show_team_token::organization_token",
            "authz::show_team_token::own_user_token",
            "authz::show_team_token::owner",
            "authz::show_team_token::owners_team",
            "authz::show_team_token_by_id::organization_token",
            "authz::show_team_token_by_id::own_user_token",
            "authz::show_team_token_by_id::owner",
            "authz::show_team_token_by_id::owners_team",
            "authz::show_user_token_by_id::own_user_token",
            "authz::show_user_token_by_id::owner",
            "inputs::agent_token_description",
            "inputs::team_token_description",
            "inputs::team_token_expiry",
            "inputs::user_token_description",
            "inputs::user_token_expiry",
            "sequences::agent_tokens",
            "sequences::team_token",
            "sequences::team_tokens",
            "team_token::read_hides_secret",
            "team_tokens::read_hides_secret",
            "user_token::read_hides_secret",
        ],
    ),
    (
        Fault::TokenDeletes404,
        &[
            "agent_token::delete_removes",
            "authz::delete_agent_token_by_id::organization_token",
            "authz::delete_agent_token_by_id::own_user_token",
            "authz::delete_agent_token_by_id::owner",
            "authz::delete_agent_token_by_id::owners_team",
            "authz::delete_team_token::organization_token",
            "authz::delete_team_token::own_user_token",
            "authz::delete_team_token::owner",
            "authz::delete_team_token::owners_team",
            "authz::delete_team_token_by_id::organization_token",
            "authz::delete_team_token_by_id::own_user_token",
            "authz::delete_team_token_by_id::owner",
            "authz::delete_team_token_by_id::owners_team",
            "authz::delete_team_tokens::organization_token",
            "authz::delete_team_tokens::own_user_token",
            "authz::delete_team_tokens::owner",
            "authz::delete_team_tokens::owners_team",
            "authz::delete_user_token_by_id::own_user_token",
            "authz::delete_user_token_by_id::owner",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
            "inputs::agent_token_description",
            "inputs::user_token_description",
            "inputs::user_token_expiry",
            "sequences::agent_tokens",
            "sequences::team_token",
            "sequences::team_tokens",
            "team_token::delete_revokes",
            "team_token_list::bulk_delete",
            "team_tokens::delete_revokes",
            "user_token::delete_revokes",
        ],
    ),
    (
        Fault::TokenLists404,
        &[
            "team_token_list::*",
            "!team_token_list::bulk_delete",
            "agent_token::listed_without_secrets",
            "agent_token::pagination_consistent",
            "agent_token::pools_keep_their_tokens",
            "agent_token::sort_by_created_at",
            "agent_token::unknown_sort_rejected",
            "authz::list_agent_tokens::organization_token",
            "authz::list_agent_tokens::own_user_token",
            "authz::list_agent_tokens::owner",
            "authz::list_agent_tokens::owners_team",
            "authz::list_team_tokens::organization_token",
            "authz::list_team_tokens::own_user_token",
            "authz::list_team_tokens::owner",
            "authz::list_team_tokens::owners_team",
            "authz::list_user_tokens::own_user_token",
            "authz::list_user_tokens::owner",
            "inputs::team_token_list",
            "sequences::agent_tokens",
            "sequences::team_tokens",
            "user_token::listed_without_secret",
        ],
    ),
    (
        Fault::UsersCannotCreateTokens,
        &[
            "authz::*::outsider",
            "authz::*::own_user_token",
            "authz::*::owners_team",
            "authz::*::revoked",
            "leak::*",
            "authz::delete_team_token::*",
            "authz::delete_team_token_by_id::*",
            "authz::delete_team_tokens::*",
            "authz::delete_user_token_by_id::*",
            "authz::list_team_tokens::*",
            "authz::list_user_tokens::*",
            "authz::show_team_token::*",
            "authz::show_team_token_by_id::*",
            "authz::show_user_token_by_id::*",
            "team_tokens::*",
            "team_token::*",
            "user_token::*",
            "team_token_list::*",
            "!team_token::unknown_team_not_found",
            "!team_token::malformed_team_id_not_server_error",
            "!user_token::unknown_user_not_found",
            "authz::show_agent_token_by_id::*",
            "authz::delete_agent_token_by_id::*",
            "agent_token::*",
            "!agent_token::unknown_pool_not_found",
            "!agent_token::unknown_sort_rejected",
            "authz::create_agent_token::owner",
            "authz::create_team_token::owner",
            "authz::create_team_tokens::owner",
            "authz::create_user_token::owner",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
            "inputs::agent_token_description",
            "inputs::team_token_description",
            "inputs::team_token_expiry",
            "inputs::team_token_list",
            "inputs::user_token_description",
            "inputs::user_token_expiry",
            "sequences::agent_tokens",
            "sequences::team_token",
            "sequences::team_tokens",
        ],
    ),
    (
        Fault::TeamDelete500,
        &["credential::team_tokens", "schema::status_documented"],
    ),
    (
        Fault::AuditExpiresByDefault,
        &["audit_token::never_expires_by_default"],
    ),
    (
        Fault::MalformedId500,
        &[
            "team_token::malformed_team_id_not_server_error",
            "schema::status_documented",
        ],
    ),
    (
        Fault::MissingUser200,
        &["user_token::unknown_user_not_found"],
    ),
    (
        Fault::AgentTokenReadShowsSecret,
        &["agent_token::read_hides_secret", "sequences::agent_tokens"],
    ),
    (
        Fault::AgentTokenListIgnoresSort,
        &[
            "agent_token::sort_by_created_at",
            "agent_token::unknown_sort_rejected",
        ],
    ),
    (
        // The agent-token explorer (a set-up token) is refused when it shows itself: the
        // user's token explores, and only the matrix's owners-team rows fail.
        Fault::AgentTokensRefuseTeamTokens,
        &[
            "authz::create_agent_token::owners_team",
            "authz::delete_agent_token_by_id::owners_team",
            "authz::list_agent_tokens::owners_team",
            "authz::show_agent_token_by_id::owners_team",
        ],
    ),
    (
        Fault::AgentTokenVisibleToOutsiders,
        &[
            "authz::show_agent_token_by_id::outsider",
            "leak::show_agent_token_by_id",
        ],
    ),
    (
        Fault::AgentTokenDeleteIgnored,
        &["agent_token::delete_removes", "sequences::agent_tokens"],
    ),
    (
        Fault::AgentTokenDescriptionOptional,
        &["agent_token::description_required"],
    ),
    (
        Fault::AgentTokenListIgnoresPool,
        &["agent_token::pools_keep_their_tokens"],
    ),
    (
        Fault::UnknownAgentPoolEmptyList,
        &[
            "agent_token::unknown_pool_not_found",
            "leak::list_agent_tokens",
            "sequences::agent_tokens",
        ],
    ),
    (
        Fault::AgentSecretAuthenticates,
        &["agent_token::secret_not_an_api_token"],
    ),
    (
        Fault::NonAsciiDescription500,
        &[
            "inputs::team_token_description",
            "inputs::user_token_description",
            "schema::status_documented",
            "sequences::team_tokens",
        ],
    ),
    (
        Fault::LongDescriptionCut,
        &[
            "inputs::team_token_description",
            "inputs::user_token_description",
        ],
    ),
    (
        Fault::OffsetExpiryAsUtc,
        &["inputs::team_token_expiry", "inputs::user_token_expiry"],
    ),
    (
        Fault::FractionalExpiryRejected,
        &["inputs::team_token_expiry", "inputs::user_token_expiry"],
    ),
    (
        Fault::PagePastEnd500,
        &["inputs::team_token_list", "schema::status_documented"],
    ),
    (Fault::SearchAsPattern, &["inputs::team_token_list"]),
    (
        Fault::UnknownSort500,
        &["inputs::team_token_list", "schema::status_documented"],
    ),
    (
        Fault::SecretsCaseInsensitive,
        &[
            "credential::org_token",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
        ],
    ),
    (
        Fault::SecretsComparedByPrefix,
        &[
            "credential::org_token",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
        ],
    ),
    (
        Fault::ExpiredTokensAuthenticate,
        &["credential::team_tokens", "credential::user_tokens"],
    ),
    (
        Fault::RevocationCached,
        &[
            "credential::org_token",
            "credential::team_token",
            "credential::team_tokens",
            "credential::user_tokens",
        ],
    ),
    (Fault::TeamDeletionKeepsTokens, &["credential::team_tokens"]),
    (Fault::DeletedIdReused, &["sequences::team_tokens"]),
    (
        Fault::ListDefaultPageOnly,
        &["sequences::agent_tokens", "sequences::team_tokens"],
    ),
    (
        Fault::RotationResurrects,
        &[
            "credential::org_token",
            "credential::team_token",
            "sequences::org_token",
            "sequences::team_token",
        ],
    ),
    (
        Fault::RotationRace,
        &["credential::org_token", "credential::team_token"],
    ),
    (Fault::UserTokenExpiryIgnored, &["credential::user_tokens"]),
    (Fault::PoolDeletionKeepsTokens, &["sequences::agent_tokens"]),
    (Fault::AuditReadAfterDelete200, &["sequences::audit_token"]),
    (
        Fault::AgentDescriptionLatin1,
        &["inputs::agent_token_description"],
    ),
    (Fault::UserExpiryToTheMinute, &["inputs::user_token_expiry"]),
];

/// The trials `fault` must fail, among `trials`: every trial an entry matches, less those an
/// `!` entry matches.
pub fn tripped<'a>(fault: Fault, trials: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let (excluded, included): (Vec<&str>, Vec<&str>) = trips(fault)
        .iter()
        .filter(|t| !t.starts_with('?'))
        .partition(|t| t.starts_with('!'));
    trials
        .into_iter()
        .filter(|name| included.iter().any(|p| matches(p, name)))
        .filter(|name| !excluded.iter().any(|p| matches(&p[1..], name)))
        .collect()
}

/// The trials that may fail under `fault` or pass (its `?` entries), among `trials`.
pub fn may_trip<'a>(fault: Fault, trials: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let optional: Vec<&str> = trips(fault)
        .iter()
        .filter_map(|t| t.strip_prefix('?'))
        .collect();
    trials
        .into_iter()
        .filter(|name| optional.iter().any(|p| matches(p, name)))
        .collect()
}

/// The entries written for `fault`.
pub fn trips(fault: Fault) -> &'static [&'static str] {
    TRIPS
        .iter()
        .find(|(f, _)| *f == fault)
        .map(|(_, trips)| *trips)
        .unwrap_or_else(|| panic!("no trips written for fault {fault}"))
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
}

#[test]
fn every_fault_has_its_trips_written_once() {
    for row in Fault::TABLE {
        let rows = TRIPS.iter().filter(|(f, _)| *f == row.item).count();
        assert_eq!(rows, 1, "{} has {rows} entries", row.name);
    }
    assert_eq!(TRIPS.len(), Fault::TABLE.len());
}
