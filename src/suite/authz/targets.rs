//! Targets: what an operation acts on, prepared as the owner, the same target with its key
//! replaced by one that does not exist, and performing the operation as a persona.

use super::{Op, personas::user_id};
use crate::{
    client::{Auth, Client, types},
    exchange::Exchange,
    suite::{
        Created, Session, Stop,
        common::{self, agent_token_body, described_body, docs_body},
    },
};

/// What an operation acts on; `key` is the identifier that a missing target replaces.
#[derive(Clone, Debug, Default)]
pub(super) struct Target {
    org: String,
    team: String,
    team_name: String,
    token: String,
    user: String,
    pool: String,
    /// The user token the list operations look for.
    pub(super) listed: String,
}

/// Which of a target's identifiers an operation names in its path.
#[derive(Clone, Copy)]
enum Key {
    Organization,
    Team,
    Token,
    User,
    AgentPool,
}

impl Op {
    fn key(self) -> Key {
        match self {
            Op::CreateOrganizationToken
            | Op::ShowOrganizationToken
            | Op::DeleteOrganizationToken
            | Op::CreateAuditTrailsToken
            | Op::ShowAuditTrailsToken
            | Op::DeleteAuditTrailsToken
            | Op::ListTeamTokens
            | Op::DeleteTeamTokens => Key::Organization,
            Op::CreateTeamToken
            | Op::ShowTeamToken
            | Op::DeleteTeamToken
            | Op::CreateTeamTokens => Key::Team,
            Op::ShowTeamTokenById
            | Op::DeleteTeamTokenById
            | Op::ShowUserTokenById
            | Op::DeleteUserTokenById
            | Op::ShowAgentTokenById
            | Op::DeleteAgentTokenById => Key::Token,
            Op::ListUserTokens | Op::CreateUserToken => Key::User,
            Op::CreateAgentToken | Op::ListAgentTokens => Key::AgentPool,
        }
    }
}

impl Target {
    pub(super) fn key(&self, op: Op) -> &str {
        match op.key() {
            Key::Organization => &self.org,
            Key::Team => &self.team,
            Key::Token => &self.token,
            Key::User => &self.user,
            Key::AgentPool => &self.pool,
        }
    }

    /// The same target with its key replaced by something that does not exist.
    pub(super) fn missing(&self, op: Op, s: &Session) -> Target {
        let mut t = self.clone();
        match op.key() {
            Key::Organization => t.org = s.unique_name("missing-org"),
            Key::Team => t.team = common::missing_like(&self.team),
            Key::Token => t.token = common::missing_like(&self.token),
            Key::User => t.user = common::missing_like(&self.user),
            Key::AgentPool => t.pool = common::missing_like(&self.pool),
        }
        t
    }
}

/// Prepares what `op` acts on, as the owner. `full` also creates what only a persona that is
/// allowed needs to find (an organization token to show or delete).
pub(super) async fn prepare(s: &Session, op: Op, full: bool) -> Result<Target, Stop> {
    let owner = s.owner();
    let mut t = Target {
        org: s.org().to_string(),
        ..Target::default()
    };
    match op {
        Op::CreateOrganizationToken | Op::CreateAuditTrailsToken | Op::ListUserTokens => {}
        Op::ShowOrganizationToken | Op::DeleteOrganizationToken if full => {
            let ex = s
                .call(
                    "target: create the organization token",
                    owner.create_organization_token(s.org(), None, &docs_body(None)),
                )
                .await;
            common::minted(s, ex, |id| Some(Created::OrganizationToken { id }))?;
        }
        Op::ShowAuditTrailsToken | Op::DeleteAuditTrailsToken if full => {
            let ex = common::create_audit_trails_token(s, "target: create the audit-trails token")
                .await?;
            common::minted(s, ex, |id| Some(Created::AuditTrailsToken { id }))?;
        }
        Op::ShowOrganizationToken
        | Op::DeleteOrganizationToken
        | Op::ShowAuditTrailsToken
        | Op::DeleteAuditTrailsToken => {}
        Op::CreateTeamToken | Op::CreateTeamTokens => {
            let team = common::team(s, "target").await?;
            (t.team, t.team_name) = (team.id, team.name);
        }
        Op::ShowTeamToken | Op::DeleteTeamToken => {
            let team = common::team(s, "target").await?;
            let ex = s
                .call(
                    "target: create the team's token",
                    owner.create_team_token(&team.id, &docs_body(None)),
                )
                .await;
            common::minted(s, ex, |_| None)?;
            (t.team, t.team_name) = (team.id, team.name);
        }
        Op::ShowTeamTokenById
        | Op::DeleteTeamTokenById
        | Op::ListTeamTokens
        | Op::DeleteTeamTokens => {
            let team = common::team(s, "target").await?;
            let ex = s
                .call(
                    "target: create a token of the team",
                    owner.create_team_authentication_token(
                        &team.id,
                        &described_body(Some("target"), None),
                    ),
                )
                .await;
            t.token = common::minted(s, ex, |_| None)?.id;
            (t.team, t.team_name) = (team.id, team.name);
        }
        Op::ShowUserTokenById | Op::DeleteUserTokenById => {
            t.user = user_id(s).await?;
            t.token = user_token(s, &t.user).await?;
        }
        Op::CreateUserToken => t.user = user_id(s).await?,
        Op::CreateAgentToken | Op::ListAgentTokens => {
            t.pool = common::agent_pool(s, "target").await?.id;
        }
        Op::ShowAgentTokenById | Op::DeleteAgentTokenById => {
            let pool = common::agent_pool(s, "target").await?;
            let ex = s
                .call(
                    "target: create an agent token",
                    owner.create_agent_token(&pool.id, &agent_token_body("target")),
                )
                .await;
            t.token = common::minted(s, ex, |id| Some(Created::AgentToken { id }))?.id;
            t.pool = pool.id;
        }
    }
    if op == Op::ListUserTokens {
        t.user = user_id(s).await?;
        t.listed = user_token(s, &t.user).await?;
    }
    Ok(t)
}

async fn user_token(s: &Session, user: &str) -> Result<String, Stop> {
    let ex = s
        .call(
            "target: create a user token",
            s.owner()
                .create_user_token(user, &described_body(Some(&s.unique_name("target")), None)),
        )
        .await;
    Ok(common::minted(s, ex, |id| Some(Created::UserToken { id }))?.id)
}

/// Performs `op` on `t` as `auth`, and remembers whatever it created for cleanup.
pub(super) async fn act(s: &Session, op: Op, t: &Target, auth: &Auth, step: &str) -> Exchange {
    let c: Client = s.client(auth.clone());
    let audit_create = Some(types::CreateOrganizationTokenToken::AuditTrails);
    let ex = match op {
        Op::CreateOrganizationToken => {
            s.call(
                step,
                c.create_organization_token(&t.org, None, &docs_body(None)),
            )
            .await
        }
        Op::ShowOrganizationToken => s.call(step, c.get_organization_token(&t.org, None)).await,
        Op::DeleteOrganizationToken => {
            s.call(step, c.delete_organization_token(&t.org, None))
                .await
        }
        Op::CreateAuditTrailsToken => {
            s.call(
                step,
                c.create_organization_token(&t.org, audit_create, &docs_body(None)),
            )
            .await
        }
        Op::ShowAuditTrailsToken => {
            let kind = Some(types::GetOrganizationTokenToken::AuditTrails);
            s.call(step, c.get_organization_token(&t.org, kind)).await
        }
        Op::DeleteAuditTrailsToken => {
            let kind = Some(types::DeleteOrganizationTokenToken::AuditTrails);
            s.call(step, c.delete_organization_token(&t.org, kind))
                .await
        }
        Op::CreateTeamToken => {
            s.call(step, c.create_team_token(&t.team, &docs_body(None)))
                .await
        }
        Op::ShowTeamToken => s.call(step, c.get_team_token(&t.team)).await,
        Op::DeleteTeamToken => s.call(step, c.delete_team_token(&t.team)).await,
        Op::CreateTeamTokens => {
            let body = described_body(Some(&s.unique_name("persona-made")), None);
            s.call(step, c.create_team_authentication_token(&t.team, &body))
                .await
        }
        Op::ShowTeamTokenById | Op::ShowUserTokenById => {
            s.call(step, c.get_authentication_token(&t.token)).await
        }
        Op::DeleteTeamTokenById | Op::DeleteUserTokenById => {
            s.call(step, c.delete_authentication_token(&t.token)).await
        }
        Op::ListTeamTokens => {
            s.call(
                step,
                c.list_team_tokens(&t.org, None, None, None, None, Some(&t.team_name), None),
            )
            .await
        }
        Op::DeleteTeamTokens => {
            let body = types::TokenReferenceList {
                data: vec![types::ResourceIdentifier {
                    id: t.token.clone(),
                    type_: "authentication-tokens".into(),
                }],
            };
            s.call(step, c.delete_team_tokens(&t.org, &body)).await
        }
        Op::ListUserTokens => s.call(step, c.list_user_tokens(&t.user, None, None)).await,
        Op::CreateUserToken => {
            let body = described_body(Some(&s.unique_name("persona-made")), None);
            s.call(step, c.create_user_token(&t.user, &body)).await
        }
        Op::CreateAgentToken => {
            let body = agent_token_body("persona-made");
            s.call(step, c.create_agent_token(&t.pool, &body)).await
        }
        Op::ListAgentTokens => {
            s.call(step, c.list_agent_tokens(&t.pool, None, None, None))
                .await
        }
        Op::ShowAgentTokenById => s.call(step, c.get_authentication_token(&t.token)).await,
        Op::DeleteAgentTokenById => s.call(step, c.delete_authentication_token(&t.token)).await,
    };
    common::remember_created(s, &ex, |id| match op {
        Op::CreateOrganizationToken => Some(Created::OrganizationToken { id }),
        Op::CreateAuditTrailsToken => Some(Created::AuditTrailsToken { id }),
        Op::CreateUserToken => Some(Created::UserToken { id }),
        Op::CreateAgentToken => Some(Created::AgentToken { id }),
        _ => None,
    });
    ex
}
