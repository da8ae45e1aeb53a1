//! The model of a holder's several tokens: a team's tokens (ref §1 #7-#11) and an agent
//! pool's (ref §1 #14). Their documents say the same things of both, except where `Rules`
//! sets them apart, so the families share this model and the sequences drawn from it, and
//! bind them to their own endpoints (`Holder`). In plain words:
//!
//! - A create makes a new token (201; 200 where a family's docs give no status) with an id
//!   never handed out before. Where descriptions are unique in the holder (team tokens,
//!   ref §4), a description a live token has is refused (400, 409 or 422); where no document
//!   says they are (agent tokens), no sequence repeats one, so neither answer is held.
//! - A live token reads 200 without its secret (ref §1 #8, §2) and is deleted with 204; a
//!   deleted one reads 404 and deletes 404 (ref §4). Tokens do not replace one another. Where
//!   secrets act on the API (team tokens), a live token's authenticates and a deleted one's
//!   gets 401; an agent token's never acts on the API (api-tokens docs), so none is tried.
//! - The holder's list holds exactly its live tokens, each once, across however many pages
//!   (page[size] defaults to 20).
//! - Deleting the holder (204) takes its tokens with it: they read 404 and their secrets get
//!   401, and the holder takes no new token (404). That is inferred, not written: a team
//!   token acts as its team (ref §5) and there is no team to act as; an agent token belongs
//!   to its pool (agent-tokens docs: listed, created and authorized through the pool), and a
//!   token of no pool is one the docs have no place for. Its list: 200 and empty where it is
//!   the organization's list searched by the holder's name (teams), 404 where its path names
//!   the holder (pools: "Agent Pool not found").

use std::{future::Future, marker::PhantomData, sync::atomic::Ordering};

use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

use super::{DEFAULT_PAGE_SIZE, Drawn, text, walk_pages};
use crate::{
    checks::{http, list, token},
    client::Auth,
    exchange::Exchange,
    redact::Secret,
    suite::{
        Session, Stop,
        steps::{AUTHENTICATED, Minted, try_secret},
    },
};

/// What sets one family's tokens apart from another's, and the documents that say it.
#[derive(Debug)]
pub struct Rules {
    /// A live token's description is refused for a new one (team tokens, ref §4).
    pub unique_descriptions: bool,
    /// A token's secret acts on the API (team tokens), or never does (agent tokens).
    pub api_credential: bool,
    /// The holder's list names the holder in its path, so it answers 404 once the holder is
    /// gone (agent pools); otherwise it is 200 and empty (a team's, searched by name).
    pub list_names_holder: bool,
    /// What a create answers, and where that is written.
    pub created: &'static [u16],
    pub create_source: &'static str,
    pub list_source: &'static str,
    /// Where deleting the holder (204) is written.
    pub delete_holder_source: &'static str,
}

/// A family's holder: how to make one, how to create, list and delete its tokens and to
/// delete it, and how to keep a minted token for cleanup.
pub trait Holder: Send + Sync + Sized + 'static {
    const RULES: Rules;
    /// A new, empty holder (remembered for cleanup).
    fn prepare(s: &Session) -> impl Future<Output = Result<Self, Stop>> + Send;
    fn create(&self, s: &Session, description: &str) -> impl Future<Output = Exchange> + Send;
    /// Page `number` of the holder's list (`None`: without page[number]), `size` a page
    /// (`None`: without page[size]).
    fn list_page(
        &self,
        s: &Session,
        number: Option<u32>,
        size: Option<u32>,
    ) -> impl Future<Output = Exchange> + Send;
    fn delete(&self, s: &Session) -> impl Future<Output = Exchange> + Send;
    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop>;
    /// Who reads and deletes the holder's tokens by id: the user, unless the family says.
    fn caller(s: &Session) -> Auth {
        s.as_owner()
    }
}

/// The model: a state machine whose transitions are the operations a sequence may draw, for
/// the holder `H`.
pub struct HolderModel<H>(PhantomData<H>);

/// What the model knows after some steps.
#[derive(Clone, Debug)]
pub struct State {
    /// Every token created, in order (a step names one by its place here).
    pub tokens: Vec<Token>,
    pub holder_deleted: bool,
    pub unique_descriptions: bool,
    pub api_credential: bool,
    pub list_names_holder: bool,
}

#[derive(Clone, Debug)]
pub struct Token {
    pub description: String,
    pub live: bool,
}

/// One operation of a sequence.
#[derive(Clone, Debug)]
pub enum Step {
    Create {
        description: String,
    },
    /// Several creates in a row, each with a description of its own: lists then run past
    /// their default page size.
    CreateMany {
        count: u8,
    },
    Read {
        token: usize,
    },
    Delete {
        token: usize,
    },
    /// Try the token's secret on the API.
    Use {
        token: usize,
    },
    /// Every page of the holder's list, `page_size` tokens a page (the server's default
    /// without it).
    List {
        page_size: Option<u8>,
    },
    DeleteHolder,
}

/// What the documents say the server answers to a step, in the state before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A new token, never seen before.
    Created,
    /// A live token of the holder has the description: refused.
    Taken,
    /// Nothing there: 404.
    Gone,
    /// The token, without its secret.
    Shown,
    Deleted,
    Authenticates,
    Refused,
    /// The holder's list holds exactly these tokens (places in `State::tokens`).
    Listed(Vec<usize>),
    HolderDeleted,
}

/// The description the `n`th token of a `CreateMany` gets: a middle dot no drawn description
/// holds keeps it apart from them.
pub fn many_description(token: usize) -> String {
    format!("m\u{b7}{token}")
}

impl State {
    pub fn new(rules: &Rules) -> State {
        State {
            tokens: Vec::new(),
            holder_deleted: false,
            unique_descriptions: rules.unique_descriptions,
            api_credential: rules.api_credential,
            list_names_holder: rules.list_names_holder,
        }
    }

    pub fn answer(&self, step: &Step) -> Answer {
        let live = |t: usize| !self.holder_deleted && self.tokens.get(t).is_some_and(|t| t.live);
        match step {
            Step::Create { .. } | Step::CreateMany { .. } if self.holder_deleted => Answer::Gone,
            Step::Create { description } => {
                let taken = self.unique_descriptions
                    && self
                        .tokens
                        .iter()
                        .any(|t| t.live && t.description == *description);
                if taken {
                    Answer::Taken
                } else {
                    Answer::Created
                }
            }
            Step::CreateMany { .. } => Answer::Created,
            Step::Read { token } if live(*token) => Answer::Shown,
            Step::Delete { token } if live(*token) => Answer::Deleted,
            Step::Use { token } if live(*token) => Answer::Authenticates,
            Step::Use { .. } => Answer::Refused,
            Step::Read { .. } | Step::Delete { .. } => Answer::Gone,
            Step::List { .. } if self.holder_deleted && self.list_names_holder => Answer::Gone,
            Step::List { .. } => {
                Answer::Listed((0..self.tokens.len()).filter(|t| live(*t)).collect())
            }
            Step::DeleteHolder if self.holder_deleted => Answer::Gone,
            Step::DeleteHolder => Answer::HolderDeleted,
        }
    }

    /// Whether a sequence may take `step` here.
    pub fn allows(&self, step: &Step) -> bool {
        match step {
            Step::Read { token } | Step::Delete { token } => *token < self.tokens.len(),
            Step::Use { token } => self.api_credential && *token < self.tokens.len(),
            // Whether a deleted token's description is free again, no document says; where
            // descriptions need not be unique, whether a live one's may repeat, none says
            // either.
            Step::Create { description } => !self
                .tokens
                .iter()
                .any(|t| t.description == *description && (!t.live || !self.unique_descriptions)),
            _ => true,
        }
    }

    /// The state after `step`, as the documents have it.
    pub fn then(mut self, step: &Step) -> State {
        match (step, self.answer(step)) {
            (Step::Create { description }, Answer::Created) => {
                self.tokens.push(Token {
                    description: description.clone(),
                    live: true,
                });
            }
            (Step::CreateMany { count }, Answer::Created) => {
                for _ in 0..*count {
                    let description = many_description(self.tokens.len());
                    self.tokens.push(Token {
                        description,
                        live: true,
                    });
                }
            }
            (Step::Delete { token }, Answer::Deleted) => self.tokens[*token].live = false,
            (Step::DeleteHolder, _) => {
                self.holder_deleted = true;
                for token in &mut self.tokens {
                    token.live = false;
                }
            }
            _ => {}
        }
        self
    }
}

/// Descriptions a create draws: where descriptions are unique, a few that repeat (so that a
/// sequence meets a taken one) and any text; elsewhere any text that is not blank (agent
/// tokens require a description).
fn description(unique: bool) -> BoxedStrategy<String> {
    if unique {
        prop_oneof![
            3 => proptest::sample::select(vec!["a", "b", "c"]).prop_map(str::to_string),
            1 => text(0, 8),
        ]
        .boxed()
    } else {
        text(1, 8).boxed()
    }
}

impl<H: Holder> ReferenceStateMachine for HolderModel<H> {
    type State = State;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::new(&H::RULES)).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Step> {
        let create = description(state.unique_descriptions)
            .prop_map(|description| Step::Create { description });
        // One batch is enough to run past the default page size (20); a list without page
        // parameters is then drawn more often, as that is where a server may stop short.
        let many = (21u8..=24).prop_map(|count| Step::CreateMany { count });
        let live = state.tokens.iter().filter(|t| t.live).count();
        let past_default = if live > 20 { 6 } else { 1 };
        let list = prop_oneof![
            past_default => Just(None),
            1 => (1u8..=5).prop_map(Some),
        ]
        .prop_map(|page_size| Step::List { page_size });
        let n = state.tokens.len();
        if n == 0 {
            return prop_oneof![3 => create, 2 => many, 1 => list].boxed();
        }
        let token = 0..n;
        let uses = if state.api_credential { 2 } else { 0 };
        if state.holder_deleted {
            // What a server gets wrong about a deleted holder shows in its tokens: ask after
            // them most.
            return prop_oneof![
                4 => token.clone().prop_map(|token| Step::Read { token }),
                uses * 2 => token.clone().prop_map(|token| Step::Use { token }),
                1 => token.prop_map(|token| Step::Delete { token }),
                1 => list,
                1 => create,
            ]
            .boxed();
        }
        prop_oneof![
            4 => create,
            1 => many,
            2 => token.clone().prop_map(|token| Step::Read { token }),
            3 => token.clone().prop_map(|token| Step::Delete { token }),
            uses => token.prop_map(|token| Step::Use { token }),
            past_default + 1 => list,
            2 => Just(Step::DeleteHolder),
        ]
        .boxed()
    }

    fn preconditions(state: &State, step: &Step) -> bool {
        state.allows(step)
    }

    fn apply(state: State, step: &Step) -> State {
        state.then(step)
    }
}

/// `trial`: sequences drawn from the model, each run on a holder of its own
/// (`Holder::prepare`); a case is a whole sequence, so one a unit of the budget.
pub async fn holder_sequences<H: Holder>(s: &Session, trial: &str) -> Result<(), Stop> {
    super::explore_drawn(
        s,
        trial,
        1,
        || HolderModel::<H>::sequential_strategy(1..=10),
        super::steps,
        |s, drawn: Drawn<State, Step>| async move {
            let holder = H::prepare(&s).await?;
            run(&s, holder, drawn).await
        },
    )
    .await
}

/// What the target handed out so far, by the model's places.
struct World<H> {
    holder: H,
    ids: Vec<String>,
    secrets: Vec<Option<Secret>>,
    /// Every id handed out, deleted tokens' included.
    handed_out: Vec<String>,
}

/// Why what is gone answers 404 (or its secret 401).
const GONE: &str = "ref §4: a deleted token (or one of a deleted team or agent pool) reads \
                    and deletes 404, and its secret gets 401";

/// Runs a drawn sequence against a new `holder`: after each step the server's answer must be
/// what the model says, no id may be handed out twice, and a list must hold exactly the
/// holder's live tokens across its pages.
async fn run<H: Holder>(
    s: &Session,
    holder: H,
    (mut model, steps, seen): Drawn<State, Step>,
) -> Result<(), Stop> {
    let mut world = World {
        holder,
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
                    .call(
                        "read by id",
                        s.client(H::caller(s)).get_authentication_token(id),
                    )
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
                    .call(
                        "delete by id",
                        s.client(H::caller(s)).delete_authentication_token(id),
                    )
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
            Step::List { page_size } => match &answer {
                Answer::Listed(live) => {
                    list_exactly(s, &world, live, page_size.map(u32::from)).await?;
                }
                _ => {
                    let size = page_size.map(u32::from);
                    let ex = world.holder.list_page(s, None, size).await;
                    s.check(http::status(&ex, &[404], H::RULES.list_source));
                }
            },
            Step::DeleteHolder => {
                let ex = world.holder.delete(s).await;
                let want: &[u16] = if answer == Answer::HolderDeleted {
                    &[204]
                } else {
                    &[404]
                };
                s.check(http::status(&ex, want, H::RULES.delete_holder_source));
            }
        }
        if !s.findings().is_empty() {
            return Err(Stop);
        }
        model = HolderModel::<H>::apply(model, step);
    }
    Ok(())
}

async fn create<H: Holder>(
    s: &Session,
    world: &mut World<H>,
    description: &str,
    answer: &Answer,
) -> Result<(), Stop> {
    let ex = world.holder.create(s, description).await;
    match answer {
        Answer::Created => {
            s.gate(http::status(&ex, H::RULES.created, H::RULES.create_source))?;
            s.gate(token::id_new(&ex, &world.handed_out))?;
            let token = world.holder.minted(s, ex)?;
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
                "ref §5: a deleted holder (team, agent pool) is an unknown one",
            ))?;
        }
    }
    Ok(())
}

/// Every page of the holder's list: exactly the live tokens, once each.
async fn list_exactly<H: Holder>(
    s: &Session,
    world: &World<H>,
    live: &[usize],
    size: Option<u32>,
) -> Result<(), Stop> {
    let source = H::RULES.list_source;
    let holder = &world.holder;
    let pages = walk_pages(s, size, live.len(), source, |number, size| {
        holder.list_page(s, number, size)
    })
    .await?;
    let expected: Vec<&str> = live.iter().map(|t| world.ids[*t].as_str()).collect();
    let ours: Vec<&str> = world.ids.iter().map(String::as_str).collect();
    let cap = size.unwrap_or(DEFAULT_PAGE_SIZE) as usize;
    s.check(list::exactly_across(&pages, &expected, &ours, cap, source));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAM: Rules = Rules {
        unique_descriptions: true,
        api_credential: true,
        list_names_holder: false,
        created: &[200, 201],
        create_source: "",
        list_source: "",
        delete_holder_source: "",
    };
    const POOL: Rules = Rules {
        unique_descriptions: false,
        api_credential: false,
        list_names_holder: true,
        ..TEAM
    };

    fn after(rules: &Rules, steps: &[Step]) -> State {
        steps.iter().fold(State::new(rules), |state, step| {
            assert!(state.allows(step), "{step:?}");
            state.then(step)
        })
    }

    fn create(d: &str) -> Step {
        Step::Create {
            description: d.into(),
        }
    }

    #[test]
    fn a_team_s_tokens_are_what_the_team_token_docs_say() {
        let state = after(&TEAM, &[create("a"), create("b")]);
        assert_eq!(state.answer(&create("a")), Answer::Taken);
        assert_eq!(state.answer(&Step::Read { token: 1 }), Answer::Shown);
        assert_eq!(
            state.answer(&Step::List { page_size: None }),
            Answer::Listed(vec![0, 1])
        );
        let state = after(
            &TEAM,
            &[create("a"), create("b"), Step::Delete { token: 0 }],
        );
        assert_eq!(state.answer(&Step::Use { token: 0 }), Answer::Refused);
        assert_eq!(state.answer(&Step::Delete { token: 0 }), Answer::Gone);
        assert_eq!(state.answer(&Step::Use { token: 1 }), Answer::Authenticates);
        assert_eq!(
            state.answer(&Step::List { page_size: Some(1) }),
            Answer::Listed(vec![1])
        );
        let state = after(
            &TEAM,
            &[
                create("a"),
                Step::CreateMany { count: 21 },
                Step::DeleteHolder,
            ],
        );
        assert_eq!(state.tokens.len(), 22);
        assert_eq!(state.answer(&Step::Read { token: 5 }), Answer::Gone);
        assert_eq!(state.answer(&Step::Use { token: 5 }), Answer::Refused);
        assert_eq!(state.answer(&create("z")), Answer::Gone);
        assert_eq!(
            state.answer(&Step::List { page_size: None }),
            Answer::Listed(vec![])
        );
    }

    #[test]
    fn a_pool_s_tokens_repeat_no_description_and_its_list_goes_with_it() {
        let state = after(&POOL, &[create("a"), create("b")]);
        // No document makes an agent token's description unique, nor says it may repeat:
        // no sequence draws one again. A team's live description may be drawn (and refused).
        assert!(!state.allows(&create("a")));
        assert!(after(&TEAM, &[create("a")]).allows(&create("a")));
        assert!(!after(&TEAM, &[create("a"), Step::Delete { token: 0 }]).allows(&create("a")));
        // An agent token's secret is no API credential: no sequence tries it.
        assert!(!state.allows(&Step::Use { token: 0 }));
        let state = after(&POOL, &[create("a"), Step::DeleteHolder]);
        assert_eq!(state.answer(&Step::Read { token: 0 }), Answer::Gone);
        assert_eq!(state.answer(&Step::List { page_size: None }), Answer::Gone);
        assert_eq!(state.answer(&Step::DeleteHolder), Answer::Gone);
        assert_eq!(state.answer(&create("b")), Answer::Gone);
    }
}
