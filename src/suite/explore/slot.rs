//! The model of a token that has a slot to itself: the organization token (seed 002) and a
//! team's legacy token (seed 003). Their documents say the same things, so the families that
//! have one share this model and bind it to their own endpoints (`Slot`). In plain words:
//!
//! - A create makes a new token and replaces the one in the slot, if any: the replaced
//!   token's secret gets 401 from then on (seed 002, seed 003: "replaces any existing token";
//!   ref §4). Nothing brings a replaced or deleted token back: no document has an operation
//!   that restores one.
//! - A read shows the token in the slot (200, the same id, no secret) or answers 404 when the
//!   slot is empty (ref §1 #2, #5, §4).
//! - A delete empties the slot (204) or answers 404 when it is empty (ref §1 #3, #6, §4).
//! - Only the secret of the token in the slot authenticates.

use std::{future::Future, marker::PhantomData, sync::atomic::Ordering};

use proptest::prelude::*;
use proptest_state_machine::ReferenceStateMachine;

use super::Drawn;
use crate::{
    checks::{http, token},
    exchange::Exchange,
    redact::Secret,
    suite::{
        Session, Stop,
        steps::{AUTHENTICATED, Minted, try_secret},
    },
};

/// Why the model expects what it does.
pub const SLOT: &str = "seed 002, seed 003: a create replaces any existing token; ref §1, §4: \
                        read 200 or 404, delete 204 or 404, a replaced or deleted token gets \
                        401";

/// The model: a state machine over one slot, the slot `S`'s.
pub struct SlotModel<S>(PhantomData<S>);

/// What the model knows after some steps: how many tokens were minted, and which of them (by
/// its place in minting order) is in the slot; and whether a secret may be tried on the API
/// (`Slot::API_CREDENTIAL`).
#[derive(Clone, Debug, Default)]
pub struct SlotState {
    pub minted: usize,
    pub current: Option<usize>,
    pub credential: bool,
}

/// One operation of a sequence.
#[derive(Clone, Debug)]
pub enum SlotStep {
    /// Create a token: the new one takes the slot.
    Rotate,
    Read,
    Delete,
    /// Try the secret of the `token`th token minted.
    Use {
        token: usize,
    },
}

impl<S: Slot> ReferenceStateMachine for SlotModel<S> {
    type State = SlotState;
    type Transition = SlotStep;

    fn init_state() -> BoxedStrategy<SlotState> {
        Just(SlotState {
            credential: S::API_CREDENTIAL,
            ..SlotState::default()
        })
        .boxed()
    }

    fn transitions(state: &SlotState) -> BoxedStrategy<SlotStep> {
        // Where no secret is tried, a read is all that shows the slot: drawn as often as a
        // rotation.
        let reads = if state.credential { 1 } else { 4 };
        if state.minted == 0 {
            return prop_oneof![
                4 => Just(SlotStep::Rotate),
                reads => Just(SlotStep::Read),
                1 => Just(SlotStep::Delete),
            ]
            .boxed();
        }
        // Uses of every secret minted, most of all: a replaced token that comes back shows
        // only when its old secret is tried after later rotations.
        let uses = if state.credential { 4 } else { 0 };
        prop_oneof![
            4 => Just(SlotStep::Rotate),
            reads => Just(SlotStep::Read),
            1 => Just(SlotStep::Delete),
            uses => (0..state.minted).prop_map(|token| SlotStep::Use { token }),
        ]
        .boxed()
    }

    fn preconditions(state: &SlotState, step: &SlotStep) -> bool {
        state.allows(step)
    }

    fn apply(state: SlotState, step: &SlotStep) -> SlotState {
        state.then(step)
    }
}

impl SlotState {
    /// Whether a sequence may take `step` here: a use of a secret minted, where secrets are
    /// tried at all.
    pub fn allows(&self, step: &SlotStep) -> bool {
        match step {
            SlotStep::Use { token } => self.credential && *token < self.minted,
            _ => true,
        }
    }

    /// The state after `step`, as the documents have it.
    pub fn then(mut self, step: &SlotStep) -> SlotState {
        match step {
            SlotStep::Rotate => {
                self.current = Some(self.minted);
                self.minted += 1;
            }
            SlotStep::Delete => self.current = None,
            SlotStep::Read | SlotStep::Use { .. } => {}
        }
        self
    }
}

/// A family's slot: how to create, read and delete its token, and how to keep a minted one
/// for cleanup.
pub trait Slot: Send + Sync + Sized + 'static {
    /// Whether the token's secret acts on the API, so that sequences try it (the
    /// audit-trails token's serves the audit trail alone, and no document says what other
    /// endpoints make of it).
    const API_CREDENTIAL: bool = true;
    /// An empty slot to work on (the organization's, emptied; a new team's).
    fn prepare(s: &Session) -> impl Future<Output = Result<Self, Stop>> + Send;
    fn create(&self, s: &Session) -> impl Future<Output = Exchange> + Send;
    fn read(&self, s: &Session) -> impl Future<Output = Exchange> + Send;
    fn delete(&self, s: &Session) -> impl Future<Output = Exchange> + Send;
    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop>;
}

/// How many cases per unit of the budget a slot's sequences draw: a case is a dozen cheap
/// requests at most.
const SEQUENCE_SCALE: u32 = 2;

/// `trial`: sequences drawn from the model, each run on a slot of its own (`Slot::prepare`).
pub async fn slot_sequences<S: Slot>(s: &Session, trial: &str) -> Result<(), Stop> {
    super::explore_drawn(
        s,
        trial,
        SEQUENCE_SCALE,
        || SlotModel::<S>::sequential_strategy(1..=12),
        super::steps,
        |s, drawn: Drawn<SlotState, SlotStep>| async move {
            let slot = S::prepare(&s).await?;
            run_slot(&s, &slot, drawn).await
        },
    )
    .await
}

/// Runs a drawn sequence against `slot`, which must start empty: after each step the answer
/// must be the model's.
async fn run_slot<S: Slot>(
    s: &Session,
    slot: &S,
    (mut model, steps, seen): Drawn<SlotState, SlotStep>,
) -> Result<(), Stop> {
    let mut minted: Vec<(String, Secret)> = Vec::new();
    for (done, step) in steps.iter().enumerate() {
        if let Some(seen) = &seen {
            seen.store(done + 1, Ordering::SeqCst);
        }
        let current = model.current;
        match step {
            SlotStep::Rotate => {
                let ex = slot.create(s).await;
                s.gate(http::status(&ex, &[201], SLOT))?;
                let token = slot.minted(s, ex)?;
                let secret = token.secret(s)?;
                minted.push((token.id, secret));
            }
            SlotStep::Read => {
                let ex = slot.read(s).await;
                match current {
                    Some(i) => {
                        s.gate(http::status(&ex, &[200], SLOT))?;
                        s.gate(token::same_id(&ex, &minted[i].0))?;
                    }
                    None => s.gate(http::status(&ex, &[404], SLOT))?,
                }
            }
            SlotStep::Delete => {
                let ex = slot.delete(s).await;
                let expected: &[u16] = if current.is_some() { &[204] } else { &[404] };
                s.gate(http::status(&ex, expected, SLOT))?;
            }
            SlotStep::Use { token } => {
                let (_, secret) = &minted[*token];
                let ex = try_secret(s, &format!("use the secret of token {token}"), secret).await;
                let expected = if current == Some(*token) {
                    AUTHENTICATED
                } else {
                    &[401]
                };
                s.gate(http::status(&ex, expected, SLOT))?;
            }
        }
        model = SlotModel::<S>::apply(model, step);
    }
    Ok(())
}

/// Why rotations sent at once must leave one secret working.
pub const AT_ONCE: &str = "seed 002, seed 003: each create replaces the token before it, so \
                           however the server orders creates sent at the same moment, one \
                           token is left and only its secret authenticates; ref §4";

/// How many rotations `credential` sends at once.
const AT_ONCE_COUNT: usize = 3;

/// A slot's secret as a credential (`explore::credential`): it authenticates and nothing near
/// it does; rotations sent at the same moment leave exactly one secret working and the one
/// before refused on every endpoint; the survivor, deleted, is refused on every endpoint.
pub async fn slot_credential<S: Slot>(s: &Session) -> Result<(), Stop> {
    let slot = &S::prepare(s).await?;
    let ex = slot.create(s).await;
    s.gate(http::status(&ex, &[201], SLOT))?;
    let first = slot.minted(s, ex)?.secret(s)?;
    let ex = try_secret(s, "use the secret", &first).await;
    s.gate(http::status(&ex, AUTHENTICATED, "ref §4, §5: a live token"))?;
    super::near_misses_refused(s, &first).await;

    let answers = futures::future::join_all((0..AT_ONCE_COUNT).map(|_| slot.create(s))).await;
    let mut secrets = Vec::new();
    for ex in answers {
        s.gate(http::status(&ex, &[201], SLOT))?;
        secrets.push(slot.minted(s, ex)?.secret(s)?);
    }
    let mut uses = Vec::new();
    for (i, secret) in secrets.iter().enumerate() {
        uses.push(try_secret(s, &format!("use the secret of rotation {}", i + 1), secret).await);
    }
    s.check(http::one_authenticates(&uses, AUTHENTICATED, AT_ONCE));
    super::refused_everywhere(s, "the token the rotations replaced", &first).await;

    let survivor = uses
        .iter()
        .position(|ex| ex.status().is_some_and(|st| AUTHENTICATED.contains(&st)));
    let ex = slot.delete(s).await;
    s.gate(http::status(&ex, &[204], SLOT))?;
    if let Some(i) = survivor {
        super::refused_everywhere(s, "the deleted token", &secrets[i]).await;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(steps: &[SlotStep]) -> SlotState {
        let start = SlotState {
            credential: true,
            ..SlotState::default()
        };
        steps.iter().fold(start, |state, step| {
            assert!(state.allows(step), "{step:?}");
            state.then(step)
        })
    }

    #[test]
    fn only_the_newest_token_is_in_the_slot_and_a_delete_empties_it() {
        let state = after(&[SlotStep::Rotate, SlotStep::Rotate, SlotStep::Rotate]);
        assert_eq!((state.minted, state.current), (3, Some(2)));
        let state = after(&[SlotStep::Rotate, SlotStep::Delete, SlotStep::Read]);
        assert_eq!((state.minted, state.current), (1, None));
        // A delete of an empty slot, or a use, changes nothing.
        let state = after(&[
            SlotStep::Delete,
            SlotStep::Rotate,
            SlotStep::Use { token: 0 },
        ]);
        assert_eq!((state.minted, state.current), (1, Some(0)));
        // No step may use a secret not minted yet, nor any where secrets are not tried.
        assert!(!after(&[]).allows(&SlotStep::Use { token: 0 }));
        let mut state = after(&[SlotStep::Rotate]);
        state.credential = false;
        assert!(!state.allows(&SlotStep::Use { token: 0 }));
    }
}
