//! Sequences of a team's token operations, drawn from the model (`model.rs`) and run against
//! the target: after each step the server's answer must be what the model says, no id may
//! be handed out twice, and a list must hold exactly the team's live tokens across its pages.

use std::sync::atomic::Ordering;

use proptest_state_machine::ReferenceStateMachine;

use super::{
    model::{Answer, Model, State, Step, many_description},
    trials::minted,
};
use crate::suite::{
    explore::{DEFAULT_PAGE_SIZE, Drawn, explore, steps, walk_pages},
    prelude::*,
};

const TRIAL: &str = "sequences::team_tokens";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            TRIAL,
            "drawn sequences of creates, reads, deletes, uses, lists (past the default page size) and the team's deletion answer as the model of the team-tokens docs says",
            sequences,
        )
        .only(CURRENT)
        .explores(),
    ]
}

async fn sequences(s: Session) -> Result<(), Stop> {
    explore(
        &s,
        TRIAL,
        1,
        || Model::sequential_strategy(1..=10),
        steps,
        |s, drawn: Drawn<State, Step>| async move { run(&s, drawn).await },
    )
    .await
}

/// What the target handed out so far, by the model's places.
struct World {
    team: Team,
    ids: Vec<String>,
    secrets: Vec<Option<Secret>>,
    /// Every id handed out, deleted tokens' included.
    handed_out: Vec<String>,
}

async fn run(s: &Session, (mut model, steps, seen): Drawn<State, Step>) -> Result<(), Stop> {
    let team = fixtures::team(s, "sequence").await?;
    let mut world = World {
        team,
        ids: Vec::new(),
        secrets: Vec::new(),
        handed_out: Vec::new(),
    };
    for (done, step) in steps.iter().enumerate() {
        if let Some(seen) = &seen {
            seen.store(done + 1, Ordering::SeqCst);
        }
        let answer = model.answer(step);
        match step {
            Step::Create { description } => {
                create(s, &mut world, description, &answer).await?;
            }
            Step::CreateMany { count } => {
                for _ in 0..*count {
                    let description = many_description(world.ids.len());
                    create(s, &mut world, &description, &answer).await?;
                }
            }
            Step::Read { token } => {
                let id = &world.ids[*token];
                let ex = s
                    .call("read by id", s.owner().get_authentication_token(id))
                    .await;
                if answer == Answer::Shown {
                    s.gate(http::status(&ex, &[200], "ref §1 #8"))?;
                    s.check(token::same_id(&ex, id));
                    s.check(token::secret_hidden(&ex));
                } else {
                    s.check(http::status(&ex, &[404], GONE));
                }
            }
            Step::Delete { token } => {
                let id = &world.ids[*token];
                let ex = s
                    .call("delete by id", s.owner().delete_authentication_token(id))
                    .await;
                let want: &[u16] = if answer == Answer::Deleted {
                    &[204]
                } else {
                    &[404]
                };
                s.check(http::status(&ex, want, GONE));
            }
            Step::Use { token } => {
                let Some(secret) = world.secrets[*token].clone() else {
                    continue;
                };
                let ex = try_secret(s, "use its secret", &secret).await;
                if answer == Answer::Authenticates {
                    s.check(http::status(&ex, AUTHENTICATED, "ref §4, §5: a live token"));
                } else {
                    s.check(http::status(&ex, &[401], GONE));
                }
            }
            Step::List { page_size } => {
                let Answer::Listed(live) = &answer else {
                    unreachable!("a list's answer is a list");
                };
                list_exactly(s, &world, live, page_size.map(u32::from)).await?;
            }
            Step::DeleteTeam => {
                let ex = s
                    .call("delete the team", s.owner().delete_team(&world.team.id))
                    .await;
                let want: &[u16] = if answer == Answer::TeamDeleted {
                    &[204]
                } else {
                    &[404]
                };
                s.check(http::status(
                    &ex,
                    want,
                    "teams docs: delete a team, 204; ref §5",
                ));
            }
        }
        if !s.findings().is_empty() {
            return Err(Stop);
        }
        model = Model::apply(model, step);
    }
    Ok(())
}

/// Why what is gone answers 404 (or its secret 401).
const GONE: &str = "ref §4: a deleted token (or one of a deleted team) reads and deletes 404, \
                    and its secret gets 401";

async fn create(
    s: &Session,
    world: &mut World,
    description: &str,
    answer: &Answer,
) -> Result<(), Stop> {
    let ex = s
        .call(
            "create",
            s.owner().create_team_authentication_token(
                &world.team.id,
                &described_body(Some(description), None),
            ),
        )
        .await;
    match answer {
        Answer::Created => {
            s.gate(http::status(&ex, &[200, 201], "ref §1 #7"))?;
            s.gate(token::id_new(&ex, &world.handed_out))?;
            let token = minted(s, ex)?;
            world.handed_out.push(token.id.clone());
            world.ids.push(token.id);
            world.secrets.push(token.secret);
        }
        Answer::Taken => {
            let source = "team-tokens docs: descriptions are unique in a team; ref §4";
            s.gate(http::status(&ex, &[400, 409, 422], source))?;
        }
        _ => {
            s.gate(http::status(
                &ex,
                &[404],
                "ref §5: a deleted team is an unknown team",
            ))?;
        }
    }
    Ok(())
}

/// Every page of the team's list (searched by its name): exactly the live tokens, once each.
async fn list_exactly(
    s: &Session,
    world: &World,
    live: &[usize],
    size: Option<u32>,
) -> Result<(), Stop> {
    let source = "team-tokens docs: the list, page[size] up to 100 (20 by default); ref §1 #10";
    let team = world.team.name.as_str();
    let pages = walk_pages(s, size, live.len(), source, |number, size| {
        let step = format!("list page {}", number.unwrap_or(1));
        async move {
            let mut request = s
                .raw(
                    &step,
                    s.as_owner(),
                    "listTeamTokens",
                    &[("organization_name", s.org())],
                )
                .content_type(None)
                .query("q", team);
            if let Some(number) = number {
                request = request.query("page[number]", &number.to_string());
            }
            if let Some(size) = size {
                request = request.query("page[size]", &size.to_string());
            }
            request.send().await
        }
    })
    .await?;
    let expected: Vec<&str> = live.iter().map(|t| world.ids[*t].as_str()).collect();
    let ours: Vec<&str> = world.ids.iter().map(String::as_str).collect();
    let cap = size.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
    s.check(list::exactly_across(&pages, &expected, &ours, cap, source));
    Ok(())
}
