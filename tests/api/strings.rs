//! Strings as an attacker or a careless client sends them: a NUL anywhere is INVALID_INPUT for
//! its field, limits hold on both databases, and every string field of every input, driven with
//! generated strings, answers alike on SQLite and PostgreSQL and never INTERNAL_SERVER_ERROR.

use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, error_codes, on_both_databases, user_errors};

const LOGIN: &str =
    "mutation($input: LoginInput!) { login(input: $input) { token userErrors { field code } } }";
const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } pendingActivity { id } todo { title } userErrors { field code } } }";
const SAVE_TYPE: &str = "mutation($input: SaveActivityTypeInput!) { saveActivityType(input: $input) { activityType { id } userErrors { field code } } }";
const SAVE_OPERATOR: &str = "mutation($input: SaveOperatorInput!) { saveOperator(input: $input) { operator { id } userErrors { field code } } }";
const SEARCH: &str = "query($s: String) { contacts(filter: { search: $s }) { totalCount } }";

/// The first user error of the only payload of `answer`, as (code, field path).
fn refusal(answer: &Value) -> Vec<(String, String)> {
    let payload = answer["data"]
        .as_object()
        .and_then(|data| data.values().next())
        .unwrap_or(&Value::Null);
    user_errors(payload)
}

async fn a_nul_anywhere_is_invalid_input_for_its_field_and_writes_nothing(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let before = server.snapshot().await;
    let nul = "a\u{0}b";
    let cases = [
        (
            LOGIN,
            json!({ "input": { "login": nul, "password": "demo" } }),
            "input.login",
        ),
        (
            LOGIN,
            json!({ "input": { "login": "alice", "password": nul } }),
            "input.password",
        ),
        (SAVE, json!({ "input": { "name": nul } }), "input.name"),
        (
            SAVE,
            json!({ "input": { "name": "N", "email": nul } }),
            "input.email",
        ),
        (
            SAVE,
            json!({ "input": { "name": "N", "idempotencyKey": nul } }),
            "input.idempotencyKey",
        ),
        (
            SAVE,
            json!({ "input": { "name": "N", "pendingActivity": { "activityTypeId": ids.kind("CALL"), "description": nul } } }),
            "input.pendingActivity.description",
        ),
        (
            SAVE_TYPE,
            json!({ "input": { "code": nul, "name": "N" } }),
            "input.code",
        ),
        (
            SAVE_OPERATOR,
            json!({ "input": { "login": nul, "displayName": "D", "role": "OPERATOR", "password": "long enough" } }),
            "input.login",
        ),
        (
            SAVE_OPERATOR,
            json!({ "input": { "login": "dana", "displayName": "D", "role": "OPERATOR", "password": nul } }),
            "input.password",
        ),
    ];
    for (mutation, variables, field) in cases {
        let answer = server.post(Some(&admin), mutation, variables).await;
        assert!(answer.get("errors").is_none(), "{answer}");
        assert_eq!(
            refusal(&answer),
            vec![("INVALID_INPUT".to_owned(), field.to_owned())],
            "{answer}"
        );
    }
    let search = server.post(Some(&admin), SEARCH, json!({ "s": nul })).await;
    assert_eq!(error_codes(&search), ["BAD_USER_INPUT"], "{search}");
    assert_eq!(server.snapshot().await, before, "nothing written");
}

async fn long_names_and_keys_meet_the_same_limits_on_both_databases(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let name = "n".repeat(200);
    let input = json!({ "name": name, "pendingActivity": {
        "activityTypeId": ids.kind("EMAIL"), "createTodo": true } });
    let saved = server.data(&token, SAVE, json!({ "input": input })).await["saveContact"].clone();
    assert_eq!(
        saved["userErrors"],
        json!([]),
        "a legal name with a to-do saves"
    );
    let title = saved["todo"]["title"].as_str().unwrap();
    assert_eq!(
        title.chars().count(),
        200,
        "the title is cut to its column: {title}"
    );
    assert!(title.starts_with("E-mail: ") && title.ends_with('…'));
    let before = server.snapshot().await;
    let long_key = json!({ "name": "Keyed", "idempotencyKey": "k".repeat(201) });
    let refused = server
        .data(&token, SAVE, json!({ "input": long_key }))
        .await;
    assert_eq!(
        user_errors(&refused["saveContact"]),
        vec![("TOO_LONG".to_owned(), "input.idempotencyKey".to_owned())]
    );
    assert_eq!(server.snapshot().await, before, "nothing written");
    let longest = json!({ "name": "Keyed", "idempotencyKey": "k".repeat(200) });
    let kept = server.data(&token, SAVE, json!({ "input": longest })).await;
    assert_eq!(kept["saveContact"]["userErrors"], json!([]));
}

on_both_databases!(
    a_nul_anywhere_is_invalid_input_for_its_field_and_writes_nothing,
    long_names_and_keys_meet_the_same_limits_on_both_databases,
);

mod generated;
