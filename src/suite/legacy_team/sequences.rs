//! Sequences of a team's legacy token operations, drawn from the one-slot model
//! (`explore::slot`: seed 003's create that replaces, read, delete) and run against the
//! target, each on a team of its own: after each step the answer must be the model's, and only
//! the secret of the team's current token may authenticate, however many rotations came
//! before. The run's team manager asks (`Session::as_team_manager`).

use crate::suite::{
    explore::{Slot, slot_sequences},
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
    /// A team of its own, whose slot is empty.
    async fn prepare(s: &Session) -> Result<Self, Stop> {
        Ok(TeamSlot(fixtures::team(s, "slot").await?))
    }

    async fn create(&self, s: &Session) -> Exchange {
        let body = docs_body(None);
        s.call(
            "create (replacing the team's token)",
            s.team_manager().create_team_token(&self.0.id, &body),
        )
        .await
    }

    async fn read(&self, s: &Session) -> Exchange {
        s.call("read", s.team_manager().get_team_token(&self.0.id))
            .await
    }

    async fn delete(&self, s: &Session) -> Exchange {
        s.call("delete", s.team_manager().delete_team_token(&self.0.id))
            .await
    }

    /// Team tokens go with their team.
    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        steps::minted(s, ex, None)
    }
}

async fn sequences(s: Session) -> Result<(), Stop> {
    slot_sequences::<TeamSlot>(&s, TRIAL).await
}
