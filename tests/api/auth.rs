//! Sign-in and authentication as a client meets them.

use serde_json::{Value, json};

use crate::support::{TestServer, error_codes, on_both_databases};

const GUARDED_QUERIES: [&str; 11] = [
    "{ me { id } }",
    "{ operators { id } }",
    "{ workflows { id } }",
    "{ activityTypes { id } }",
    "{ contact(id: \"Q29udGFjdDox\") { id } }",
    "{ contacts { totalCount } }",
    "{ pendingActivities { totalCount } }",
    "{ todos { totalCount } }",
    "{ activeReminders { id } }",
    "{ node(id: \"Q29udGFjdDox\") { id } }",
    "{ nodes(ids: [\"Q29udGFjdDox\"]) { id } }",
];

async fn every_field_without_a_token_is_unauthenticated(server: &TestServer) {
    for query in GUARDED_QUERIES {
        let response = server.post(None, query, json!({})).await;
        assert_eq!(
            error_codes(&response),
            vec!["UNAUTHENTICATED"],
            "{query}: {response}"
        );
        assert!(
            response.get("data").is_some(),
            "{query}: data must be present"
        );
    }
}

async fn a_forged_or_malformed_token_is_unauthenticated(server: &TestServer) {
    let genuine = server.login("alice").await;
    let mut forged = genuine.clone();
    forged.pop();
    forged.push(if genuine.ends_with('A') { 'B' } else { 'A' });
    for token in [forged.as_str(), "not-a-token", ""] {
        let response = server
            .post(Some(token), "{ me { login } }", json!({}))
            .await;
        assert_eq!(
            error_codes(&response),
            vec!["UNAUTHENTICATED"],
            "token {token:?}"
        );
    }
}

async fn typename_and_login_need_no_token(server: &TestServer) {
    let response = server.post(None, "{ __typename }", json!({})).await;
    assert_eq!(response, json!({ "data": { "__typename": "Query" } }));
    let token = server.login("maria").await;
    let me = server
        .data(
            &token,
            "{ me { login role displayName active timeZone } }",
            json!({}),
        )
        .await;
    assert_eq!(me["me"]["login"], "maria");
    assert_eq!(me["me"]["role"], "MANAGER");
    assert_eq!(me["me"]["active"], true);
}

async fn login_answers_the_operator_with_the_token(server: &TestServer) {
    let response = server
        .post(None, "mutation { login(input: {login: \"bob\", password: \"demo\"}) { token operator { login role } userErrors { code } } }", json!({}))
        .await;
    let payload = &response["data"]["login"];
    assert_eq!(
        payload["operator"],
        json!({ "login": "bob", "role": "OPERATOR" })
    );
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        payload["token"].as_str().map(|t| t.split('.').count()),
        Some(3)
    );
}

async fn a_wrong_password_or_unknown_login_is_invalid_credentials(server: &TestServer) {
    let token = server.login("admin").await;
    let before = server
        .data(&token, "{ operators { id login active } }", json!({}))
        .await;
    for (login, password) in [
        ("alice", "wrong"),
        ("alice", "DEMO"),
        ("nobody", "demo"),
        ("", ""),
    ] {
        let response = server
            .post(
                None,
                "mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { token operator { id } userErrors { field message code } } }",
                json!({ "l": login, "p": password }),
            )
            .await;
        let payload = &response["data"]["login"];
        assert_eq!(payload["token"], Value::Null, "{login}/{password}");
        assert_eq!(payload["operator"], Value::Null);
        assert_eq!(payload["userErrors"][0]["code"], "INVALID_CREDENTIALS");
        assert_eq!(payload["userErrors"][0]["field"], json!(["input"]));
    }
    let after = server
        .data(&token, "{ operators { id login active } }", json!({}))
        .await;
    assert_eq!(before, after, "a failed sign-in writes nothing");
}

on_both_databases!(
    every_field_without_a_token_is_unauthenticated,
    a_forged_or_malformed_token_is_unauthenticated,
    typename_and_login_need_no_token,
    login_answers_the_operator_with_the_token,
    a_wrong_password_or_unknown_login_is_invalid_credentials,
);
