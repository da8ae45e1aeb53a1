//! The legacy team token in the authorization matrix: its rows (seed 003; ref §5: owners, the
//! organization token, manage teams), and the personas made of legacy team tokens: the owners
//! team's own token where it is the only kind (`legacy`), a team outside the owners team, and
//! a token already replaced.

use crate::suite::prelude::*;

pub const ROWS: &[Row] = &[
    Row {
        name: "create_team_token",
        operation: "createTeamToken",
        profiles: EVERY_PROFILE,
        destructive: false,
        expect: owners_only(&[201]),
        source: "seed 003; ref §5: owners, the organization token, manage teams",
        prepare: prepare!(|s| Target::id(fixtures::team(&s, "target").await?.id)),
        act: act!(|s, c, t| c.create_team_token(&t.key, &docs_body(None))),
        entitlement: None,
    },
    Row {
        name: "show_team_token",
        operation: "getTeamToken",
        profiles: EVERY_PROFILE,
        destructive: false,
        expect: owners_only(&[200]),
        source: "ref §1 #5, §5",
        prepare: team_with_token,
        act: act!(|s, c, t| c.get_team_token(&t.key)),
        entitlement: None,
    },
    Row {
        name: "delete_team_token",
        operation: "deleteTeamToken",
        profiles: EVERY_PROFILE,
        destructive: false,
        expect: owners_only(&[204]),
        source: "seed 003; ref §5",
        prepare: team_with_token,
        act: act!(|s, c, t| c.delete_team_token(&t.key)),
        entitlement: None,
    },
];

/// A team of the trial's with its token.
fn team_with_token(s: Session, _: bool) -> Boxed<Result<Target, Stop>> {
    Box::pin(async move {
        let team = fixtures::team(&s, "target").await?;
        let ex = by_setup!(s, "target: create the team's token", |c| c
            .create_team_token(&team.id, &docs_body(None)));
        steps::minted(&s, ex, None)?;
        Ok(Target::id(team.id))
    })
}

pub const PERSONAS: &[Provider] = &[
    Provider {
        persona: Persona::OwnersTeam,
        profiles: &[Profile::Legacy],
        // Without multi-team tokens the only owners-team token is the legacy one, which
        // making another replaces.
        destructive: true,
        shared: false,
        provision: |s| {
            Box::pin(async move {
                let team = fixtures::owners_team(&s).await?;
                let ex = s
                    .call(
                        "persona: create the owners team's token",
                        s.owner().create_team_token(&team, &docs_body(None)),
                    )
                    .await;
                Ok(Auth::Bearer(steps::minted(&s, ex, None)?.secret(&s)?))
            })
        },
    },
    Provider {
        persona: Persona::Outsider,
        profiles: EVERY_PROFILE,
        destructive: false,
        // A team outside the owners team with no permissions: a correct server lets its token touch
        // nothing another trial makes (ref §5).
        shared: true,
        provision: |s| Box::pin(async move { Ok(Auth::Bearer(outsider(&s).await?.1)) }),
    },
    Provider {
        persona: Persona::Revoked,
        profiles: EVERY_PROFILE,
        destructive: false,
        // A token its team's next token replaced: a correct server lets it do nothing (ref §4).
        shared: true,
        provision: |s| {
            Box::pin(async move {
                let team = fixtures::team(&s, "revoked").await?;
                let ex = by_setup!(s, "persona: create a team token", |c| c
                    .create_team_token(&team.id, &docs_body(None)));
                let first = steps::minted(&s, ex, None)?.secret(&s)?;
                let ex = by_setup!(s, "persona: replace it", |c| c
                    .create_team_token(&team.id, &docs_body(None)));
                steps::minted(&s, ex, None)?;
                Ok(Auth::Bearer(first))
            })
        },
    },
];

/// A team outside the owners team, and its token.
async fn outsider(s: &Session) -> Result<(Team, Secret), Stop> {
    let team = fixtures::team(s, "outsider").await?;
    let ex = by_setup!(s, "persona: create the outsider team's token", |c| c
        .create_team_token(&team.id, &docs_body(None)));
    let secret = steps::minted(s, ex, None)?.secret(s)?;
    Ok((team, secret))
}
