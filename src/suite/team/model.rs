//! The model of a team's several tokens, as the documents describe them, for the sequences
//! exploration draws (`sequences.rs`). In plain words:
//!
//! - A create with a description no live token of the team has makes a new token (201, or
//!   200: the docs give no status, go-tfe takes any 2xx) with an id never handed out before
//!   (ref §1 #7); a description a live token has is refused (400, 409 or 422, ref §4).
//! - A live token reads 200 without its secret (ref §1 #8, §2), is deleted with 204, and its
//!   secret authenticates; a deleted one reads 404, deletes 404, and its secret gets 401
//!   (ref §4). Tokens do not replace one another (ref §4).
//! - The team's list holds exactly its live tokens, each once, across however many pages
//!   (ref §1 #10; page[size] defaults to 20).
//! - Deleting the team (204, teams docs) takes its tokens with it: they read 404 and their
//!   secrets get 401, and the team takes no new token (404). That a team's deletion revokes
//!   its tokens is inferred: a token acts as its team (ref §5), and there is no team to act as.

use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

use crate::suite::explore::text;

/// The model: a state machine whose transitions are the operations a sequence may draw.
pub struct Model;

/// What the model knows after some steps.
#[derive(Clone, Debug, Default)]
pub struct State {
    /// Every token created, in order (a step names one by its place here).
    pub tokens: Vec<Token>,
    pub team_deleted: bool,
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
    /// Every page of the team's list, `page_size` tokens a page (the server's default
    /// without it).
    List {
        page_size: Option<u8>,
    },
    DeleteTeam,
}

/// What the documents say the server answers to a step, in the state before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A new token, never seen before.
    Created,
    /// A live token of the team has the description: refused.
    Taken,
    /// Nothing there: 404.
    Gone,
    /// The token, without its secret.
    Shown,
    Deleted,
    Authenticates,
    Refused,
    /// The team's list holds exactly these tokens (places in `State::tokens`).
    Listed(Vec<usize>),
    TeamDeleted,
}

/// The description the `n`th token of a `CreateMany` gets: a middle dot no drawn description
/// holds keeps it apart from them.
pub fn many_description(token: usize) -> String {
    format!("m\u{b7}{token}")
}

impl State {
    pub fn answer(&self, step: &Step) -> Answer {
        let live = |t: usize| !self.team_deleted && self.tokens.get(t).is_some_and(|t| t.live);
        match step {
            Step::Create { .. } | Step::CreateMany { .. } if self.team_deleted => Answer::Gone,
            Step::Create { description } => {
                let taken = self
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
            Step::List { .. } => {
                Answer::Listed((0..self.tokens.len()).filter(|t| live(*t)).collect())
            }
            Step::DeleteTeam if self.team_deleted => Answer::Gone,
            Step::DeleteTeam => Answer::TeamDeleted,
        }
    }
}

/// Descriptions a create draws: a few that repeat (so that a sequence meets a taken one) and
/// any text.
fn description() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(vec!["a", "b", "c"]).prop_map(str::to_string),
        1 => text(0, 8),
    ]
}

impl ReferenceStateMachine for Model {
    type State = State;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<State> {
        Just(State::default()).boxed()
    }

    fn transitions(state: &State) -> BoxedStrategy<Step> {
        let create = description().prop_map(|description| Step::Create { description });
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
        prop_oneof![
            4 => create,
            1 => many,
            2 => token.clone().prop_map(|token| Step::Read { token }),
            3 => token.clone().prop_map(|token| Step::Delete { token }),
            2 => token.prop_map(|token| Step::Use { token }),
            past_default + 1 => list,
            1 => Just(Step::DeleteTeam),
        ]
        .boxed()
    }

    fn preconditions(state: &State, step: &Step) -> bool {
        match step {
            Step::Read { token } | Step::Delete { token } | Step::Use { token } => {
                *token < state.tokens.len()
            }
            // Whether a deleted token's description is free again, no document says.
            Step::Create { description } => !state
                .tokens
                .iter()
                .any(|t| !t.live && t.description == *description),
            _ => true,
        }
    }

    fn apply(mut state: State, step: &Step) -> State {
        let answer = state.answer(step);
        match step {
            Step::Create { description } if answer == Answer::Created => {
                state.tokens.push(Token {
                    description: description.clone(),
                    live: true,
                });
            }
            Step::CreateMany { count } if answer == Answer::Created => {
                for _ in 0..*count {
                    let description = many_description(state.tokens.len());
                    state.tokens.push(Token {
                        description,
                        live: true,
                    });
                }
            }
            Step::Delete { token } if answer == Answer::Deleted => {
                state.tokens[*token].live = false;
            }
            Step::DeleteTeam => {
                state.team_deleted = true;
                for token in &mut state.tokens {
                    token.live = false;
                }
            }
            _ => {}
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(steps: &[Step]) -> State {
        steps.iter().fold(State::default(), Model::apply)
    }

    #[test]
    fn the_model_says_what_the_documents_say() {
        let create = |d: &str| Step::Create {
            description: d.into(),
        };
        let state = after(&[create("a"), create("b")]);
        assert_eq!(state.answer(&create("a")), Answer::Taken);
        assert_eq!(state.answer(&Step::Read { token: 1 }), Answer::Shown);
        assert_eq!(
            state.answer(&Step::List { page_size: None }),
            Answer::Listed(vec![0, 1])
        );
        let state = after(&[create("a"), create("b"), Step::Delete { token: 0 }]);
        assert_eq!(state.answer(&Step::Use { token: 0 }), Answer::Refused);
        assert_eq!(state.answer(&Step::Delete { token: 0 }), Answer::Gone);
        assert_eq!(state.answer(&Step::Use { token: 1 }), Answer::Authenticates);
        assert_eq!(
            state.answer(&Step::List { page_size: Some(1) }),
            Answer::Listed(vec![1])
        );
        let state = after(&[
            create("a"),
            Step::CreateMany { count: 21 },
            Step::DeleteTeam,
        ]);
        assert_eq!(state.tokens.len(), 22);
        assert_eq!(state.answer(&Step::Read { token: 5 }), Answer::Gone);
        assert_eq!(state.answer(&Step::Use { token: 5 }), Answer::Refused);
        assert_eq!(state.answer(&create("z")), Answer::Gone);
        assert_eq!(
            state.answer(&Step::List { page_size: None }),
            Answer::Listed(vec![])
        );
    }
}
