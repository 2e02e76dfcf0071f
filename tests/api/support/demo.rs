//! The demo data as the tests meet it: its ids by code and login, and the contacts it holds.

use serde_json::{Value, json};

use super::nodes;
use super::server::TestServer;

/// The demo data's ids, by code and login.
pub struct DemoIds {
    pub stages: std::collections::HashMap<String, String>,
    pub types: std::collections::HashMap<String, String>,
    pub operators: std::collections::HashMap<String, String>,
}

impl DemoIds {
    /// Reads them through the API.
    pub async fn read(server: &TestServer, token: &str) -> Self {
        let data = server
            .data(token, "{ workflows { id stages { id code } } activityTypes(includeInactive: true) { id code } operators { id login } }", json!({}))
            .await;
        let pairs = |list: &Value, key: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    (
                        item[key].as_str().unwrap().to_owned(),
                        item["id"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        Self {
            stages: pairs(&data["workflows"][0]["stages"], "code"),
            types: pairs(&data["activityTypes"], "code"),
            operators: pairs(&data["operators"], "login"),
        }
    }

    pub fn stage(&self, code: &str) -> &str {
        &self.stages[code]
    }

    pub fn kind(&self, code: &str) -> &str {
        &self.types[code]
    }

    pub fn operator(&self, login: &str) -> &str {
        &self.operators[login]
    }
}

/// The contact selection tests read after a write.
pub const CONTACT_FIELDS: &str = "id version name email phone owner { login } stage { code } stageEnteredAt updatedAt
    stageLog(first: 100) { totalCount edges { node { from { code } to { code } operator { login } note changedAt } } }
    activities(first: 100) { totalCount edges { node { type { code } stage { code } operator { login } performedAt description } } }
    pendingActivities { id type { code } status assignee { login } todo { id status } }";

/// The first contact in a stage, with [`CONTACT_FIELDS`].
pub async fn contact_in(
    server: &TestServer,
    token: &str,
    ids: &DemoIds,
    stage: &str,
    pick: impl Fn(&Value) -> bool,
) -> Value {
    let query = format!(
        "query($s: ID!) {{ contacts(first: 100, filter: {{stageIds: [$s]}}, orderBy: {{field: CREATED_AT, direction: ASC}}) {{ edges {{ node {{ {CONTACT_FIELDS} }} }} }} }}"
    );
    let data = server
        .data(token, &query, json!({ "s": ids.stage(stage) }))
        .await;
    nodes(&data["contacts"])
        .into_iter()
        .find(|c| pick(c))
        .unwrap_or_else(|| panic!("a demo contact in {stage}"))
}

/// Reads one contact with [`CONTACT_FIELDS`].
pub async fn read_contact(server: &TestServer, token: &str, id: &Value) -> Value {
    let query = format!("query($id: ID!) {{ contact(id: $id) {{ {CONTACT_FIELDS} }} }}");
    server.data(token, &query, json!({ "id": id })).await["contact"].clone()
}

/// Whether a contact recorded a discovery call in its current stage.
pub fn had_discovery_call(contact: &Value) -> bool {
    nodes(&contact["activities"])
        .iter()
        .any(|a| a["type"]["code"] == "DISCOVERY_CALL" && a["stage"] == contact["stage"])
}
