//! A team's tokens as a holder of the shared model (`explore::holder`): sequences of creates,
//! reads, deletes, uses, lists and the team's deletion, run on a new team each. The run's team
//! manager asks about the tokens (`Session::as_team_manager`), the user's token deletes the
//! team.

use super::trials::minted;
use crate::suite::{
    explore::{Holder, Rules, holder_sequences},
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
    holder_sequences::<Team>(&s, TRIAL).await
}

impl Holder for Team {
    const RULES: Rules = Rules {
        unique_descriptions: true,
        api_credential: true,
        // The organization's list, searched by the team's name: 200 and empty once the team
        // is gone.
        list_names_holder: false,
        // The team-tokens docs give no status for a create; go-tfe takes any 2xx.
        created: &[200, 201],
        create_source: "ref §1 #7",
        list_source: "team-tokens docs: the list, page[size] up to 100 (20 by default); \
                      ref §1 #10",
        delete_holder_source: "teams docs: delete a team, 204; ref §5",
    };

    async fn prepare(s: &Session) -> Result<Team, Stop> {
        fixtures::team(s, "sequence").await
    }

    async fn create(&self, s: &Session, description: &str) -> Exchange {
        s.call(
            "create",
            s.team_manager().create_team_authentication_token(
                &self.id,
                &described_body(Some(description), None),
            ),
        )
        .await
    }

    async fn list_page(&self, s: &Session, number: Option<u32>, size: Option<u32>) -> Exchange {
        let step = format!("list page {}", number.unwrap_or(1));
        s.raw(
            &step,
            s.as_team_manager(),
            "listTeamTokens",
            &[("organization_name", s.org())],
        )
        .content_type(None)
        .query("q", &self.name)
        .page(number, size)
        .send()
        .await
    }

    /// Teams are deleted by owners (teams API docs), not by the team manager.
    async fn delete(&self, s: &Session) -> Exchange {
        s.call("delete the team", s.owner().delete_team(&self.id))
            .await
    }

    fn caller(s: &Session) -> Auth {
        s.as_team_manager()
    }

    fn minted(&self, s: &Session, ex: Exchange) -> Result<Minted, Stop> {
        minted(s, ex)
    }
}
