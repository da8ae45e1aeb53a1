//! The authorization matrix: every token operation, tried by every persona, against what the
//! seeds and the reference say it must answer (`MATRIX`, one row per operation, one column per
//! persona, with the source of the row). The seeds' rule: 401 only for a bad token; 404, never
//! 403, for whatever a valid token may not touch, "to avoid telling a potential attacker that
//! a given resource exists" (the one documented 403 is bulk team-token delete). Trials are
//! generated from the table, named `authz::<operation>::<persona>`, and each provisions its
//! persona and its target afresh, so that none depends on another. `leak::<operation>` trials
//! check that "exists but forbidden" answers exactly like "does not exist".

use serde_json::Value;

use super::{
    CheckDef, Created, Destructive, Session, Stop,
    common::{self, described_body, docs_body, succeeded},
};
use crate::{
    checks::{authz, http, list},
    client::{Auth, Client, types},
    config::Profile,
    exchange::Exchange,
    redact::Secret,
};

/// Who makes the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persona {
    /// The token the harness was given: a user in the owners team.
    Owner,
    OrganizationToken,
    OwnersTeam,
    /// A team the harness creates outside the owners team, with no permissions.
    Outsider,
    /// Another user token of the owner.
    OwnUserToken,
    Anonymous,
    /// An `Authorization` header that holds no token.
    Malformed,
    /// A token replaced earlier in the trial.
    Revoked,
}

impl Persona {
    /// In the order of `Row::expect`.
    pub const ALL: [Persona; 8] = [
        Persona::Owner,
        Persona::OrganizationToken,
        Persona::OwnersTeam,
        Persona::Outsider,
        Persona::OwnUserToken,
        Persona::Anonymous,
        Persona::Malformed,
        Persona::Revoked,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Persona::Owner => "owner",
            Persona::OrganizationToken => "organization_token",
            Persona::OwnersTeam => "owners_team",
            Persona::Outsider => "outsider",
            Persona::OwnUserToken => "own_user_token",
            Persona::Anonymous => "anonymous",
            Persona::Malformed => "malformed",
            Persona::Revoked => "revoked",
        }
    }

    /// Profiles in which the persona can be provisioned at all.
    fn profiles(self) -> &'static [Profile] {
        match self {
            Persona::OwnUserToken => CURRENT,
            _ => ALL_PROFILES,
        }
    }

    /// Provisioning it replaces a credential the user may depend on.
    fn destructive(self) -> Destructive {
        match self {
            Persona::OrganizationToken => Destructive::Always,
            // Without multi-team tokens the only owners-team token is the legacy one.
            Persona::OwnersTeam => Destructive::Under(&[Profile::Legacy]),
            _ => Destructive::Never,
        }
    }
}

const ALL_PROFILES: &[Profile] = &Profile::ALL;
const CURRENT: &[Profile] = &[Profile::Tfe, Profile::Hcp];
const HCP: &[Profile] = &[Profile::Hcp];

/// What a persona must get.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Status(&'static [u16]),
    /// 200 with the target user token in the list.
    Listed,
    /// The user's tokens are not shown: 200 without the target user token, or 404.
    Hidden,
}

impl Expect {
    fn succeeds(self) -> bool {
        match self {
            Expect::Status(s) => s.iter().all(|s| (200..300).contains(s)),
            Expect::Listed => true,
            Expect::Hidden => false,
        }
    }
}

/// The operations, each with the target it acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    CreateOrganizationToken,
    ShowOrganizationToken,
    DeleteOrganizationToken,
    CreateAuditTrailsToken,
    ShowAuditTrailsToken,
    DeleteAuditTrailsToken,
    CreateTeamToken,
    ShowTeamToken,
    DeleteTeamToken,
    CreateTeamTokens,
    ShowTeamTokenById,
    DeleteTeamTokenById,
    ShowUserTokenById,
    DeleteUserTokenById,
    ListTeamTokens,
    DeleteTeamTokens,
    ListUserTokens,
    CreateUserToken,
}

/// One row of the matrix.
pub struct Row {
    pub op: Op,
    /// The trial name's middle part.
    pub name: &'static str,
    /// The spec's operationId.
    pub operation: &'static str,
    pub profiles: &'static [Profile],
    /// Acting (or preparing the target) changes the organization or audit-trails token.
    pub destructive: bool,
    /// Per persona, in `Persona::ALL` order.
    pub expect: [Expect; 8],
    pub source: &'static str,
}

const fn s(codes: &'static [u16]) -> Expect {
    Expect::Status(codes)
}

const NO: Expect = s(&[404]);
const BAD: Expect = s(&[401]);

/// Owners-level operations: owners, the owners team's token and the organization token may;
/// an outsider gets 404, a bad token 401.
const fn owners_only(ok: &'static [u16]) -> [Expect; 8] {
    [s(ok), s(ok), s(ok), NO, s(ok), BAD, BAD, BAD]
}

/// Only the user (through any of their user tokens) may.
const fn user_only(ok: &'static [u16]) -> [Expect; 8] {
    [s(ok), NO, NO, NO, s(ok), BAD, BAD, BAD]
}

pub const MATRIX: &[Row] = &[
    Row {
        op: Op::CreateOrganizationToken,
        name: "create_organization_token",
        operation: "createOrganizationToken",
        profiles: ALL_PROFILES,
        destructive: true,
        expect: owners_only(&[201]),
        source: "seed 002: owners, the owners team token, the organization token; ref §5",
    },
    Row {
        op: Op::ShowOrganizationToken,
        name: "show_organization_token",
        operation: "getOrganizationToken",
        profiles: ALL_PROFILES,
        destructive: true,
        expect: owners_only(&[200]),
        source: "seed 002; ref §1 #2, §5",
    },
    Row {
        op: Op::DeleteOrganizationToken,
        name: "delete_organization_token",
        operation: "deleteOrganizationToken",
        profiles: ALL_PROFILES,
        destructive: true,
        expect: owners_only(&[204]),
        source: "seed 002; ref §5",
    },
    Row {
        op: Op::CreateAuditTrailsToken,
        name: "create_audit_trails_token",
        operation: "createOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[201]),
        source: "ref §1 #1, §5: as the organization token",
    },
    Row {
        op: Op::ShowAuditTrailsToken,
        name: "show_audit_trails_token",
        operation: "getOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[200]),
        source: "ref §1 #2, §5: as the organization token",
    },
    Row {
        op: Op::DeleteAuditTrailsToken,
        name: "delete_audit_trails_token",
        operation: "deleteOrganizationToken",
        profiles: HCP,
        destructive: true,
        expect: owners_only(&[204]),
        source: "ref §1 #3, §5: as the organization token",
    },
    Row {
        op: Op::CreateTeamToken,
        name: "create_team_token",
        operation: "createTeamToken",
        profiles: ALL_PROFILES,
        destructive: false,
        expect: owners_only(&[201]),
        source: "seed 003; ref §5: owners, the organization token, manage teams",
    },
    Row {
        op: Op::ShowTeamToken,
        name: "show_team_token",
        operation: "getTeamToken",
        profiles: ALL_PROFILES,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #5, §5",
    },
    Row {
        op: Op::DeleteTeamToken,
        name: "delete_team_token",
        operation: "deleteTeamToken",
        profiles: ALL_PROFILES,
        destructive: false,
        expect: owners_only(&[204]),
        source: "seed 003; ref §5",
    },
    Row {
        op: Op::CreateTeamTokens,
        name: "create_team_tokens",
        operation: "createTeamAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[201]),
        source: "ref §1 #7, §5",
    },
    Row {
        op: Op::ShowTeamTokenById,
        name: "show_team_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #8, §5",
    },
    Row {
        op: Op::DeleteTeamTokenById,
        name: "delete_team_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[204]),
        source: "ref §1 #9, §5",
    },
    Row {
        op: Op::ShowUserTokenById,
        name: "show_user_token_by_id",
        operation: "getAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[200]),
        source: "ref §5: user tokens only to the user's own user token; others 404",
    },
    Row {
        op: Op::DeleteUserTokenById,
        name: "delete_user_token_by_id",
        operation: "deleteAuthenticationToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[204]),
        source: "ref §5: user tokens only to the user's own user token; others 404",
    },
    Row {
        op: Op::ListTeamTokens,
        name: "list_team_tokens",
        operation: "listTeamTokens",
        profiles: CURRENT,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #10, §5",
    },
    Row {
        op: Op::DeleteTeamTokens,
        name: "delete_team_tokens",
        operation: "deleteTeamTokens",
        profiles: CURRENT,
        destructive: false,
        expect: [
            s(&[204]),
            s(&[204]),
            s(&[204]),
            s(&[403]),
            s(&[204]),
            BAD,
            BAD,
            BAD,
        ],
        source: "ref §5: bulk team-token delete is the one documented 403",
    },
    Row {
        op: Op::ListUserTokens,
        name: "list_user_tokens",
        operation: "listUserTokens",
        profiles: CURRENT,
        destructive: false,
        expect: [
            Expect::Listed,
            Expect::Hidden,
            Expect::Hidden,
            Expect::Hidden,
            Expect::Listed,
            BAD,
            BAD,
            BAD,
        ],
        source: "ref §5: others get an empty list, or 404",
    },
    Row {
        op: Op::CreateUserToken,
        name: "create_user_token",
        operation: "createUserToken",
        profiles: CURRENT,
        destructive: false,
        expect: user_only(&[201]),
        source: "ref §1 #13, §5",
    },
];

impl Row {
    pub fn expect(&self, persona: Persona) -> Expect {
        let i = Persona::ALL
            .iter()
            .position(|p| *p == persona)
            .expect("every persona has a column");
        self.expect[i]
    }

    fn touches_org_token(&self) -> bool {
        matches!(
            self.op,
            Op::CreateOrganizationToken
                | Op::ShowOrganizationToken
                | Op::DeleteOrganizationToken
                | Op::CreateAuditTrailsToken
                | Op::ShowAuditTrailsToken
                | Op::DeleteAuditTrailsToken
        )
    }
}

pub fn checks() -> Vec<CheckDef> {
    let mut checks = Vec::new();
    for row in MATRIX {
        for persona in Persona::ALL {
            let profiles = intersect(row.profiles, persona.profiles());
            if profiles.is_empty() {
                continue;
            }
            let name = leak_name(format!("authz::{}::{}", row.name, persona.name()));
            let summary = leak_name(format!(
                "{} as {} answers {}",
                row.operation,
                persona.name(),
                describe(row.expect(persona))
            ));
            let destructive = if row.destructive {
                Destructive::Always
            } else {
                persona.destructive()
            };
            let mut check = CheckDef::new(name, summary, move |s| matrix_trial(s, row, persona))
                .only(profiles)
                .destructive_when(destructive);
            // A bad token cannot change anything on a correct server, and none of the faults
            // lets it, so it needs no lock; every other persona might rotate the token.
            let harmless = matches!(
                persona,
                Persona::Anonymous | Persona::Malformed | Persona::Revoked
            );
            if row.touches_org_token() && !harmless {
                check = check.exclusive();
            }
            if persona == Persona::OwnersTeam {
                check = check.owners_team();
            }
            checks.push(check);
        }
    }
    for row in MATRIX {
        if !matches!(
            row.expect(Persona::Outsider),
            Expect::Status(&[404]) | Expect::Hidden
        ) {
            continue;
        }
        let name = leak_name(format!("leak::{}", row.name));
        let summary = leak_name(format!(
            "{} as an outsider answers an existing target exactly as a missing one",
            row.operation
        ));
        let mut check =
            CheckDef::new(name, summary, move |s| leak_trial(s, row)).only(row.profiles);
        if row.destructive {
            check = check.destructive();
        }
        checks.push(check);
    }
    checks
}

/// Generated names live as long as the process (the suite is built once).
fn leak_name(name: String) -> &'static str {
    Box::leak(name.into_boxed_str())
}

fn intersect(a: &'static [Profile], b: &'static [Profile]) -> &'static [Profile] {
    if a.len() <= b.len() && a.iter().all(|p| b.contains(p)) {
        a
    } else if b.iter().all(|p| a.contains(p)) {
        b
    } else {
        Box::leak(
            a.iter()
                .copied()
                .filter(|p| b.contains(p))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        )
    }
}

fn describe(expect: Expect) -> String {
    match expect {
        Expect::Status(codes) => codes
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(" or "),
        Expect::Listed => "200 listing the user's tokens".into(),
        Expect::Hidden => "an empty list or 404".into(),
    }
}

// ----- personas -------------------------------------------------------------------------------

/// Makes the persona's credential for this trial.
async fn provision(s: &Session, persona: Persona) -> Result<Auth, Stop> {
    let owner = s.owner();
    Ok(match persona {
        Persona::Owner => Auth::Bearer(s.ctx().owner.clone()),
        Persona::Anonymous => Auth::None,
        Persona::Malformed => Auth::Raw("Bearer"),
        Persona::OrganizationToken => {
            let ex = s
                .call(
                    "persona: create the organization token",
                    owner.create_organization_token(s.org(), None, &docs_body(None)),
                )
                .await;
            let minted = common::minted(s, ex, |id| Some(Created::OrganizationToken { id }))?;
            Auth::Bearer(minted.secret(s)?)
        }
        Persona::OwnersTeam => {
            let team = owners_team(s).await?;
            if s.profile() == Profile::Legacy {
                let ex = s
                    .call(
                        "persona: create the owners team's token",
                        owner.create_team_token(&team, &docs_body(None)),
                    )
                    .await;
                Auth::Bearer(common::minted(s, ex, |_| None)?.secret(s)?)
            } else {
                let description = s.unique_name("persona");
                let ex = s
                    .call(
                        "persona: create a token of the owners team",
                        owner.create_team_authentication_token(
                            &team,
                            &described_body(Some(&description), None),
                        ),
                    )
                    .await;
                let minted = common::minted(s, ex, |id| Some(Created::TeamToken { id }))?;
                Auth::Bearer(minted.secret(s)?)
            }
        }
        Persona::Outsider => Auth::Bearer(outsider(s).await?.1),
        Persona::OwnUserToken => {
            let user = user_id(s).await?;
            let ex = s
                .call(
                    "persona: create another user token",
                    owner.create_user_token(
                        &user,
                        &described_body(Some(&s.unique_name("persona")), None),
                    ),
                )
                .await;
            let minted = common::minted(s, ex, |id| Some(Created::UserToken { id }))?;
            Auth::Bearer(minted.secret(s)?)
        }
        Persona::Revoked => {
            let team = common::team(s, "revoked").await?;
            let ex = s
                .call(
                    "persona: create a team token",
                    owner.create_team_token(&team.id, &docs_body(None)),
                )
                .await;
            let first = common::minted(s, ex, |_| None)?.secret(s)?;
            let ex = s
                .call(
                    "persona: replace it",
                    owner.create_team_token(&team.id, &docs_body(None)),
                )
                .await;
            common::minted(s, ex, |_| None)?;
            Auth::Bearer(first)
        }
    })
}

/// A team outside the owners team, and its token.
async fn outsider(s: &Session) -> Result<(common::Team, Secret), Stop> {
    let team = common::team(s, "outsider").await?;
    let ex = s
        .call(
            "persona: create the outsider team's token",
            s.owner().create_team_token(&team.id, &docs_body(None)),
        )
        .await;
    let secret = common::minted(s, ex, |_| None)?.secret(s)?;
    Ok((team, secret))
}

async fn owners_team(s: &Session) -> Result<String, Stop> {
    let ex = s
        .call(
            "find the owners team",
            s.owner().list_teams(s.org(), Some("owners"), None),
        )
        .await;
    let id = ex.json().and_then(|doc| {
        doc.get("data")?
            .as_array()?
            .iter()
            .find(|t| t.pointer("/attributes/name").and_then(Value::as_str) == Some("owners"))?
            .get("id")?
            .as_str()
            .map(str::to_string)
    });
    id.ok_or_else(|| s.setup_failed(&ex, "the owners team (GET /organizations/{org}/teams)"))
}

async fn user_id(s: &Session) -> Result<String, Stop> {
    let ex = s
        .call("account details", s.owner().get_account_details())
        .await;
    ex.json()
        .filter(|_| succeeded(&ex))
        .and_then(|d| {
            d.pointer("/data/id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .ok_or_else(|| s.setup_failed(&ex, "the calling user (GET /account/details)"))
}

// ----- targets --------------------------------------------------------------------------------

/// What an operation acts on; `key` is the identifier that a missing target replaces.
#[derive(Clone, Debug, Default)]
struct Target {
    org: String,
    team: String,
    team_name: String,
    token: String,
    user: String,
    /// The user token the list operations look for.
    listed: String,
}

/// Which of a target's identifiers an operation names in its path.
#[derive(Clone, Copy)]
enum Key {
    Organization,
    Team,
    Token,
    User,
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
            | Op::DeleteUserTokenById => Key::Token,
            Op::ListUserTokens | Op::CreateUserToken => Key::User,
        }
    }
}

impl Target {
    fn key(&self, op: Op) -> &str {
        match op.key() {
            Key::Organization => &self.org,
            Key::Team => &self.team,
            Key::Token => &self.token,
            Key::User => &self.user,
        }
    }

    /// The same target with its key replaced by something that does not exist.
    fn missing(&self, op: Op, s: &Session) -> Target {
        let mut t = self.clone();
        let unknown = common::unknown_id(s);
        match op.key() {
            Key::Organization => t.org = s.unique_name("missing-org"),
            Key::Team => t.team = format!("team-{unknown}"),
            Key::Token => t.token = unknown,
            Key::User => t.user = format!("user-{unknown}"),
        }
        t
    }
}

/// Prepares what `op` acts on, as the owner. `full` also creates what only a persona that is
/// allowed needs to find (an organization token to show or delete).
async fn prepare(s: &Session, op: Op, full: bool) -> Result<Target, Stop> {
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
            let ex = s
                .call(
                    "target: create the audit-trails token",
                    owner.create_organization_token(
                        s.org(),
                        Some(types::CreateOrganizationTokenToken::AuditTrails),
                        &docs_body(None),
                    ),
                )
                .await;
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
async fn act(s: &Session, op: Op, t: &Target, auth: &Auth, step: &str) -> Exchange {
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
                c.list_team_tokens(&t.org, None, None, None, Some(&t.team_name), None),
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
    };
    common::remember_created(s, &ex, |id| match op {
        Op::CreateOrganizationToken => Some(Created::OrganizationToken { id }),
        Op::CreateAuditTrailsToken => Some(Created::AuditTrailsToken { id }),
        Op::CreateUserToken => Some(Created::UserToken { id }),
        _ => None,
    });
    ex
}

async fn matrix_trial(s: Session, row: &'static Row, persona: Persona) -> Result<(), Stop> {
    let expect = row.expect(persona);
    let target = prepare(&s, row.op, expect.succeeds()).await?;
    let auth = provision(&s, persona).await?;
    let ex = act(
        &s,
        row.op,
        &target,
        &auth,
        &format!("{} as {}", row.operation, persona.name()),
    )
    .await;
    let source = row.source;
    match expect {
        Expect::Status(codes) => s.check(http::status(&ex, codes, source)),
        Expect::Listed => {
            s.gate(http::status(&ex, &[200], source))?;
            s.check(list::contains(&ex, &[&target.listed], source));
        }
        Expect::Hidden => s.check(authz::hidden(&ex, &[&target.listed], source)),
    }
    Ok(())
}

async fn leak_trial(s: Session, row: &'static Row) -> Result<(), Stop> {
    let target = prepare(&s, row.op, false).await?;
    let missing = target.missing(row.op, &s);
    let (_, secret) = outsider(&s).await?;
    let auth = Auth::Bearer(secret);
    let exists = act(
        &s,
        row.op,
        &target,
        &auth,
        &format!("{} on an existing target", row.operation),
    )
    .await;
    let absent = act(
        &s,
        row.op,
        &missing,
        &auth,
        &format!("{} on a missing target", row.operation),
    )
    .await;
    s.check(authz::indistinguishable(
        &exists,
        &absent,
        target.key(row.op),
        missing.key(row.op),
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Spec;

    #[test]
    fn every_row_names_a_spec_operation_and_every_token_operation_has_a_row() {
        let spec = Spec::get();
        for row in MATRIX {
            assert!(
                spec.operation(row.operation).is_some(),
                "{} names no operation",
                row.name
            );
        }
        let fixtures = [
            "ping",
            "getAccountDetails",
            "getOrganization",
            "listTeams",
            "createTeam",
            "getTeam",
            "deleteTeam",
        ];
        for op in spec.operations() {
            if fixtures.contains(&op.id.as_str()) {
                continue;
            }
            assert!(
                MATRIX.iter().any(|r| r.operation == op.id),
                "the matrix has no row for {}",
                op.id
            );
        }
    }

    #[test]
    fn bad_tokens_always_get_401_and_only_bulk_delete_may_answer_403() {
        for row in MATRIX {
            for persona in [Persona::Anonymous, Persona::Malformed, Persona::Revoked] {
                assert_eq!(row.expect(persona), BAD, "{} {}", row.name, persona.name());
            }
            for persona in Persona::ALL {
                if let Expect::Status(codes) = row.expect(persona) {
                    assert!(
                        !codes.contains(&403) || row.op == Op::DeleteTeamTokens,
                        "{}",
                        row.name
                    );
                }
            }
        }
    }
}
