//! Every string field of every input, driven with generated strings (NUL, control characters,
//! emoji, right-to-left marks, combining marks, 10,001 characters, a lone surrogate as an
//! escape, and random Unicode) against a SQLite and a PostgreSQL server side by side: never
//! `INTERNAL_SERVER_ERROR`, and the same outcome on both.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};

use crate::support::{Backend, DemoIds, TestServer, error_codes, user_errors};

/// Stands for a lone surrogate: JSON can spell one (`"\ud800"`), a Rust string cannot hold it.
const LONE_SURROGATE: &str = "\u{1}lone surrogate\u{1}";

/// The strings every field is driven with, besides the random ones.
fn nasty() -> Vec<String> {
    vec![
        "\u{0}".into(),
        "before\u{0}after".into(),
        "\u{1}\u{8}\u{1b}\u{1f}\u{7f}\u{85}".into(),
        "😀👩‍👩‍👧‍👦🏳️‍🌈".into(),
        "\u{202e}gnp.exe\u{202c} שלום مرحبا".into(),
        "e\u{301}\u{301}\u{301}\u{20dd}".into(),
        "x".repeat(10_001),
        "é".repeat(201),
        String::new(),
        "   ".into(),
        "' OR 1=1 -- %_\\".into(),
        LONE_SURROGATE.into(),
    ]
}

/// Random strings, the same on every run.
fn random(count: usize) -> Vec<String> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        proptest::test_runner::TestRng::deterministic_rng(
            proptest::test_runner::RngAlgorithm::ChaCha,
        ),
    );
    let strategy = proptest::string::string_regex("(?s).{0,40}").unwrap();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// What a field needs before it is sent.
#[derive(Clone, Copy)]
enum Setup {
    /// Nothing.
    None,
    /// A fresh contact (`contactId`, `expectedVersion` in the variables).
    Contact,
    /// A fresh open pending activity (`pendingActivityId`).
    Pending,
}

/// One string field: the document, its variables around the field, where the field is.
struct Field {
    document: &'static str,
    setup: Setup,
    variables: fn(&DemoIds) -> Value,
    pointer: &'static str,
}

const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { token userErrors { field code } } }";
const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } pendingActivity { id } userErrors { field code } } }";
const MOVE: &str = "mutation($input: MoveContactToStageInput!) { moveContactToStage(input: $input) { contact { id } userErrors { field code } } }";
const COMPLETE: &str = "mutation($input: CompletePendingActivityInput!) { completePendingActivity(input: $input) { activity { id } userErrors { field code } } }";
const SNOOZE: &str = "mutation($input: SnoozeReminderInput!) { snoozeReminder(input: $input) { reminder { id } userErrors { field code } } }";
const SAVE_TYPE: &str = "mutation($input: SaveActivityTypeInput!) { saveActivityType(input: $input) { activityType { id } userErrors { field code } } }";
const SAVE_OPERATOR: &str = "mutation($input: SaveOperatorInput!) { saveOperator(input: $input) { operator { id } userErrors { field code } } }";
const SAVE_WORKFLOW: &str = "mutation($input: SaveWorkflowInput!) { saveWorkflow(input: $input) { workflow { id } userErrors { field code } } }";
const SEARCH: &str = "query($s: String) { contacts(filter: { search: $s }) { totalCount } }";

fn contact(ids: &DemoIds) -> Value {
    json!({ "input": { "name": "Generated", "email": "g@example.com", "phone": "+39 02 1",
        "note": "n",
        "activity": { "activityTypeId": ids.kind("CALL"), "description": "d" },
        "pendingActivity": { "activityTypeId": ids.kind("EMAIL"), "description": "d" } } })
}

fn workflow(ids: &DemoIds) -> Value {
    json!({ "input": { "code": "GEN", "name": "Generated", "description": "d",
        "stages": [
            { "code": "A", "name": "A", "color": "#fff", "activityRules": [{ "activityTypeId": ids.kind("CALL") }] },
            { "code": "B", "name": "B" } ],
        "transitions": [{ "name": "A to B", "fromStageCode": "A", "toStageCode": "B" }] } })
}

fn fields() -> Vec<Field> {
    let field = |document, setup, variables, pointer| Field {
        document,
        setup,
        variables,
        pointer,
    };
    let none = Setup::None;
    vec![
        field(
            LOGIN,
            none,
            |_| json!({ "input": { "login": "alice", "password": "demo" } }),
            "/input/login",
        ),
        field(
            LOGIN,
            none,
            |_| json!({ "input": { "login": "alice", "password": "demo" } }),
            "/input/password",
        ),
        field(SAVE, none, contact, "/input/name"),
        field(SAVE, none, contact, "/input/email"),
        field(SAVE, none, contact, "/input/phone"),
        field(SAVE, none, contact, "/input/idempotencyKey"),
        field(SAVE, none, contact, "/input/note"),
        field(SAVE, none, contact, "/input/activity/description"),
        field(SAVE, none, contact, "/input/pendingActivity/description"),
        field(
            MOVE,
            Setup::Contact,
            |ids| json!({ "input": { "toStageId": ids.stage("QUALIFICATION") } }),
            "/input/note",
        ),
        field(
            COMPLETE,
            Setup::Pending,
            |_| json!({ "input": {} }),
            "/input/description",
        ),
        field(
            SNOOZE,
            none,
            |_| json!({ "input": { "reminderId": "UmVtaW5kZXI6MQ" } }),
            "/input/until",
        ),
        field(
            SAVE_TYPE,
            none,
            |_| json!({ "input": { "code": "GEN", "name": "Generated" } }),
            "/input/code",
        ),
        field(
            SAVE_TYPE,
            none,
            |_| json!({ "input": { "code": "GEN2", "name": "Generated" } }),
            "/input/name",
        ),
        field(
            SAVE_OPERATOR,
            none,
            |_| json!({ "input": { "login": "gen", "displayName": "G", "email": "g@example.com", "role": "OPERATOR", "timeZone": "UTC", "password": "long enough" } }),
            "/input/login",
        ),
        field(
            SAVE_OPERATOR,
            none,
            |_| json!({ "input": { "login": "gen2", "displayName": "G", "role": "OPERATOR", "password": "long enough" } }),
            "/input/displayName",
        ),
        field(
            SAVE_OPERATOR,
            none,
            |_| json!({ "input": { "login": "gen3", "displayName": "G", "role": "OPERATOR", "password": "long enough" } }),
            "/input/email",
        ),
        field(
            SAVE_OPERATOR,
            none,
            |_| json!({ "input": { "login": "gen4", "displayName": "G", "role": "OPERATOR", "password": "long enough" } }),
            "/input/timeZone",
        ),
        field(
            SAVE_OPERATOR,
            none,
            |_| json!({ "input": { "login": "gen5", "displayName": "G", "role": "OPERATOR", "password": "long enough" } }),
            "/input/password",
        ),
        field(SAVE_WORKFLOW, none, workflow, "/input/code"),
        field(SAVE_WORKFLOW, none, workflow, "/input/name"),
        field(SAVE_WORKFLOW, none, workflow, "/input/description"),
        field(SAVE_WORKFLOW, none, workflow, "/input/stages/0/code"),
        field(SAVE_WORKFLOW, none, workflow, "/input/stages/0/name"),
        field(SAVE_WORKFLOW, none, workflow, "/input/stages/0/color"),
        field(SAVE_WORKFLOW, none, workflow, "/input/transitions/0/name"),
        field(
            SAVE_WORKFLOW,
            none,
            workflow,
            "/input/transitions/0/fromStageCode",
        ),
        field(SEARCH, none, |_| json!({ "s": "x" }), "/s"),
    ]
}

/// A server of the comparison, with its admin's token and its ids.
struct Side {
    server: TestServer,
    token: String,
    ids: DemoIds,
}

impl Side {
    async fn start(backend: Backend) -> Option<Self> {
        let server = TestServer::start_adjusted(backend, true, |settings| {
            // Hundreds of made-up sign-ins: what is measured is the string, not the limit.
            settings.limits.sign_in_failures_per_login = 100_000;
            settings.limits.sign_in_failures_per_address = 100_000;
        })
        .await?;
        let token = server.login("admin").await;
        let ids = DemoIds::read(&server, &token).await;
        Some(Self { server, token, ids })
    }

    /// The variables of `field` on this side, its setup done.
    async fn variables(&self, field: &Field) -> Value {
        let mut variables = (field.variables)(&self.ids);
        if let Setup::Contact | Setup::Pending = field.setup {
            let fresh = json!({ "input": { "name": "Fresh", "activity": { "activityTypeId": self.ids.kind("CALL") },
                "pendingActivity": { "activityTypeId": self.ids.kind("EMAIL") } } });
            let saved = self.server.data(&self.token, SAVE, fresh).await["saveContact"].clone();
            let input = &mut variables["input"];
            if let Setup::Contact = field.setup {
                input["contactId"] = saved["contact"]["id"].clone();
                input["expectedVersion"] = saved["contact"]["version"].clone();
            } else {
                input["pendingActivityId"] = saved["pendingActivity"]["id"].clone();
            }
        }
        variables
    }

    /// Sends `field` with `value` in it; what came back, as comparable text.
    async fn outcome(&self, field: &Field, value: &str) -> String {
        let mut variables = self.variables(field).await;
        let (parent, last) = field.pointer.rsplit_once('/').unwrap();
        let holder = variables.pointer_mut(parent).unwrap();
        match last.parse::<usize>() {
            Ok(index) => holder[index] = json!(value),
            Err(_) => holder[last] = json!(value),
        }
        let body = json!({ "query": field.document, "variables": variables })
            .to_string()
            .replace(&json!(LONE_SURROGATE).to_string(), "\"\\ud800\"");
        let response = self
            .server
            .http()
            .post(format!("{}/graphql", self.server.base))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .header("authorization", format!("Bearer {}", self.token))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        let codes = error_codes(&answer);
        assert!(
            !codes.iter().any(|code| code == "INTERNAL_SERVER_ERROR"),
            "{} {value:?}: {answer}",
            field.pointer
        );
        let payload = answer["data"]
            .as_object()
            .and_then(|data| data.values().next())
            .cloned()
            .unwrap_or(Value::Null);
        let refused = payload
            .get("userErrors")
            .map(|_| user_errors(&payload))
            .unwrap_or_default();
        format!(
            "{status} {codes:?} {refused:?} data={}",
            !answer["data"].is_null()
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_string_field_answers_alike_on_both_databases_and_never_fails_inside() {
    let sqlite = Side::start(Backend::Sqlite).await.expect("sqlite");
    let postgres = Side::start(Backend::Postgres).await;
    let mut values = nasty();
    values.extend(random(12));
    for field in fields() {
        for value in &values {
            let expected = sqlite.outcome(&field, value).await;
            if let Some(postgres) = &postgres {
                let found = postgres.outcome(&field, value).await;
                assert_eq!(
                    found, expected,
                    "{} {}: PostgreSQL and SQLite answer {value:?} differently",
                    field.document, field.pointer
                );
            }
        }
    }
    if let Some(postgres) = postgres {
        postgres.server.finish().await;
    }
    sqlite.server.finish().await;
}
