//! The run's team manager: a team the run makes with "manage teams" in its organization
//! access, whose token explores team tokens (the drawn sequences and inputs of the team and
//! legacy-team families) in place of the user's token.
//!
//! Why: TFE limits requests per user (ref §6), and exploring team tokens was about a third of
//! what a `tfe` run sent with the user's token. Team tokens may be managed by "owners, the
//! organization token, and users or teams with manage teams" (ref §5), so such a team's token
//! asks what the user's asked, of the teams the trials make (never of the owners team: nothing
//! says such a team may touch its tokens). That a team's token has a budget of its own is
//! inferred, as for the set-up token (`fixtures::SetupToken`).
//!
//! A server may ignore organization access (a plan without team permissions, a server without
//! it): before any trial the manager proves it may do the work, by making a token of its own
//! team, finding it in the organization's list and deleting it. Anything short of that and
//! there is no manager: the user's token explores team tokens, as before. The team (with its
//! tokens) is deleted by the run's cleanup.

use crate::suite::{fixtures::TEAM, prelude::*};

/// Makes the team manager with the set-up token `setup` (the user's token asking again where
/// that is refused); its token, once it has proven itself.
pub(super) async fn team_manager(s: &Session, setup: &Secret) -> Option<Secret> {
    let name = s.unique_name("team-manager");
    let body = manager_body(&name);
    // The set-up token is still being made: it asks first by hand, not through `Session`.
    let refused = |ex: &Exchange| !succeeded(ex);
    let ex = by_setup!(
        s,
        "the run's team manager: create a team with manage teams",
        first: s.bearer(setup),
        again_if: refused,
        |c| c.create_team(s.org(), &body)
    );
    let team = succeeded_id(&ex)?;
    s.remember(TEAM.made(team.clone()));
    let token_body = described_body(Some(&s.unique_name("team-manager")), None);
    let ex = by_setup!(
        s,
        "the run's team manager: create its team's token",
        first: s.bearer(setup),
        again_if: refused,
        |c| c.create_team_authentication_token(&team, &token_body)
    );
    let secret = steps::minted(s, ex, None).ok()?.secret?;
    proves_itself(s, &secret, &team, &name)
        .await
        .then_some(secret)
}

/// Whether the token `secret` of the team `team` (named `name`) may create, list and delete
/// team tokens: it makes one of its own team's, finds it by the team's name in the
/// organization's list, and deletes it by id.
async fn proves_itself(s: &Session, secret: &Secret, team: &str, name: &str) -> bool {
    let manager = s.bearer(secret);
    let body = described_body(Some(&s.unique_name("team-manager-proof")), None);
    let ex = s
        .call(
            "the run's team manager: create a token as the manager",
            manager.create_team_authentication_token(team, &body),
        )
        .await;
    let Some(made) = steps::minted(s, ex, None).ok() else {
        return false;
    };
    let listed = s
        .raw(
            "the run's team manager: list its team's tokens as the manager",
            Auth::Bearer(secret.clone()),
            "listTeamTokens",
            &[("organization_name", s.org())],
        )
        .content_type(None)
        .query("q", name)
        .send()
        .await;
    let found = steps::lists(&listed, &made.id);
    let deleted = s
        .call(
            "the run's team manager: delete it as the manager",
            manager.delete_authentication_token(&made.id),
        )
        .await;
    found && deleted.status() == Some(204)
}

/// A team named `name` with "manage teams" (teams API docs: organization-access on create).
fn manager_body(name: &str) -> types::TeamCreateRequest {
    let mut body = fixtures::team_body(name);
    body.data.attributes.organization_access =
        Some(types::TeamCreateRequestDataAttributesOrganizationAccess {
            manage_teams: Some(true),
        });
    body
}
