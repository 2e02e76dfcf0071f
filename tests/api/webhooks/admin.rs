//! What an ADMIN may save as a webhook, and what everyone else gets: each refusal with its
//! code and nothing written.

use serde_json::{Value, json};

use super::{SAVE_WEBHOOK, SECRET};
use crate::support::{TestServer, on_both_databases, user_errors};

fn input(url: &str) -> Value {
    json!({ "url": url, "events": ["CREATED", "STAGE_CHANGED"], "secret": SECRET })
}

async fn save(server: &TestServer, token: &str, input: Value) -> Value {
    server
        .data(token, SAVE_WEBHOOK, json!({ "input": input }))
        .await["saveWebhook"]
        .clone()
}

async fn an_admin_saves_lists_changes_and_deletes_a_webhook(server: &TestServer) {
    let admin = server.login("admin").await;
    let saved = save(server, &admin, input("https://hooks.example.com/crm")).await;
    assert_eq!(saved["userErrors"], json!([]), "{saved}");
    let hook = &saved["webhook"];
    assert_eq!(hook["url"], "https://hooks.example.com/crm");
    assert_eq!(hook["events"], json!(["CREATED", "STAGE_CHANGED"]));
    assert_eq!(hook["active"], true);
    let listed = server
        .data(
            &admin,
            "{ webhooks { id url deliveries(first: 5) { totalCount edges { node { id } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["webhooks"][0]["id"], hook["id"]);
    assert_eq!(listed["webhooks"][0]["deliveries"]["totalCount"], 0);
    let node = server
        .data(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on Webhook { url } } }",
            json!({ "id": hook["id"] }),
        )
        .await;
    assert_eq!(node["node"]["url"], "https://hooks.example.com/crm");
    let changed = save(
        server,
        &admin,
        json!({ "id": hook["id"], "url": "https://hooks.example.com/v2", "events": ["PENDING_CLOSED"], "secret": SECRET, "active": false }),
    )
    .await;
    assert_eq!(changed["userErrors"], json!([]), "{changed}");
    assert_eq!(changed["webhook"]["events"], json!(["PENDING_CLOSED"]));
    assert_eq!(changed["webhook"]["active"], false);
    let deleted = server
        .data(&admin, "mutation($id: ID!) { deleteWebhook(input: { id: $id }) { deletedId userErrors { code } } }", json!({ "id": hook["id"] }))
        .await;
    assert_eq!(deleted["deleteWebhook"]["deletedId"], hook["id"]);
    let listed = server.data(&admin, "{ webhooks { id } }", json!({})).await;
    assert_eq!(listed["webhooks"], json!([]));
}

async fn bad_targets_kinds_and_secrets_are_refused_and_nothing_is_written(server: &TestServer) {
    let admin = server.login("admin").await;
    let before = server.snapshot().await;
    let long_secret = "s".repeat(201);
    let cases: Vec<(Value, &str, &str)> = vec![
        (input("http://127.0.0.1:9000/hook"), "url", "INVALID_INPUT"),
        (input("http://localhost/hook"), "url", "INVALID_INPUT"),
        (
            input("http://169.254.169.254/latest/meta-data"),
            "url",
            "INVALID_INPUT",
        ),
        (input("http://10.0.0.7/hook"), "url", "INVALID_INPUT"),
        (input("http://[::1]/hook"), "url", "INVALID_INPUT"),
        (input("ftp://hooks.example.com/"), "url", "INVALID_INPUT"),
        (
            input("https://user:pw@hooks.example.com/"),
            "url",
            "INVALID_INPUT",
        ),
        (
            input("https://hooks.example.com/\u{0}"),
            "url",
            "INVALID_INPUT",
        ),
        (
            input(&format!("https://hooks.example.com/{}", "a".repeat(2000))),
            "url",
            "TOO_LONG",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": [], "secret": SECRET }),
            "events",
            "INVALID_INPUT",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": ["CREATED"], "secret": "short" }),
            "secret",
            "INVALID_INPUT",
        ),
        (
            json!({ "url": "https://hooks.example.com/", "events": ["CREATED"], "secret": long_secret }),
            "secret",
            "TOO_LONG",
        ),
        (
            json!({ "id": "V2ViaG9vazo5OTk5", "url": "https://hooks.example.com/", "events": ["CREATED"], "secret": SECRET }),
            "id",
            "NOT_FOUND",
        ),
    ];
    for (case, field, code) in cases {
        let saved = save(server, &admin, case.clone()).await;
        assert_eq!(saved["webhook"], Value::Null, "{case}");
        let errors = user_errors(&saved);
        assert!(
            errors.iter().any(|(c, _)| c == code),
            "{case}: {code} expected, got {saved}"
        );
        assert!(
            saved["userErrors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["field"]
                    .as_array()
                    .is_some_and(|f| f.last() == Some(&json!(field)))),
            "{case}: at {field}: {saved}"
        );
    }
    let deleted = server
        .data(&admin, "mutation { deleteWebhook(input: { id: \"V2ViaG9vazo5OTk5\" }) { deletedId userErrors { code } } }", json!({}))
        .await;
    assert_eq!(
        deleted["deleteWebhook"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    assert_eq!(server.snapshot().await, before, "nothing was written");
}

async fn only_an_admin_may_see_or_save_webhooks(server: &TestServer) {
    let admin = server.login("admin").await;
    let saved = save(server, &admin, input("https://hooks.example.com/crm")).await;
    let id = saved["webhook"]["id"].clone();
    let maria = server.login("maria").await;
    let before = server.snapshot().await;
    let refused = save(server, &maria, input("https://hooks.example.com/other")).await;
    assert_eq!(user_errors(&refused)[0].0, "FORBIDDEN", "{refused}");
    let deleted = server
        .data(&maria, "mutation($id: ID!) { deleteWebhook(input: { id: $id }) { deletedId userErrors { code } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        deleted["deleteWebhook"]["userErrors"][0]["code"],
        "FORBIDDEN"
    );
    assert_eq!(server.snapshot().await, before, "nothing was written");
    let listed = server
        .post(Some(&maria), "{ webhooks { id } }", json!({}))
        .await;
    assert_eq!(
        listed["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{listed}"
    );
    let node = server
        .data(
            &maria,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(node["node"], Value::Null);
    // Another company's ADMIN does not see it either.
    let carla = server.login("carla").await;
    let theirs = server
        .post(Some(&carla), "{ webhooks { id } }", json!({}))
        .await;
    if theirs["errors"].is_null() {
        assert_eq!(theirs["data"]["webhooks"], json!([]));
    }
}

on_both_databases!(
    an_admin_saves_lists_changes_and_deletes_a_webhook,
    bad_targets_kinds_and_secrets_are_refused_and_nothing_is_written,
    only_an_admin_may_see_or_save_webhooks,
);
