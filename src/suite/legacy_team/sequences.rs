//! Sequences of a team's legacy token operations, drawn from the one-slot model
//! (`explore::slot`: seed 003's create that replaces, read, delete) and run against the
//! target, each on a team of its own: after each step the answer must be the model's, and only
//! the secret of the team's current token may authenticate, however many rotations came
//! before.

use proptest_state_machine::ReferenceStateMachine;

use crate::suite::{
    explore::{Slot, SlotModel, SlotState, SlotStep, explore, run_slot, steps},
    prelude::*,
};

const TRIAL: &str = "sequences::team_token";

pub fn checks() -> Vec<CheckDef> {
    vec![
        CheckDef::new(
            TRIAL,
            "drawn sequences of creates (each replacing the team's token), reads, deletes and uses of every secret minted answer as seed 003 says: only the team's current token authenticates",
            sequences,
        )
        .explores(),
    ]
}

/// A team's one legacy token.
pub struct TeamSlot(pub Team);

impl Slot for TeamSlot {
    async fn create(&self, s: &Session) -> Exchange {
        let body = docs_body(None);
        s.call(
            "create (replacing the team's token)",
            s.owner().create_team_token(&self.0.id, &body),
        )
        .await
    }

    async fn read(&self, s: &Session) -> Exchange {
        s.call("read", s.owner().get_team_token(&self.0.id)).await
    }

    async fn delete(&self, s: &Session) -> Exchange {
        s.call("delete", s.owner().delete_team_token(&self.0.id))
            .await
    }

    /// Team tokens go with their team.
    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        steps::minted(s, ex, None)
    }
}

async fn sequences(s: Session) -> Result<(), Stop> {
    explore(
        &s,
        TRIAL,
        2,
        || SlotModel::sequential_strategy(1..=12),
        steps,
        |s, drawn: (SlotState, Vec<SlotStep>, _)| async move {
            let team = fixtures::team(&s, "sequence").await?;
            run_slot(&s, &TeamSlot(team), drawn).await
        },
    )
    .await
}
