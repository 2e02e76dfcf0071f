//! Who may do what (API.md): closing another operator's pending activity, and a deactivated
//! operator's sockets, on every instance.

use std::time::Duration;

use serde_json::json;

use crate::support::socket::{Socket, close_code, next, open, send};
use crate::support::{Backend, DemoIds, TestServer, on_both_databases, user_errors};

const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id } pendingActivity { id todo { id } } userErrors { code } } }";
const COMPLETE: &str = "mutation($id: ID!) { completePendingActivity(input: {pendingActivityId: $id}) { pendingActivity { status } userErrors { field code } } }";
const CANCEL: &str = "mutation($id: ID!) { cancelPendingActivity(input: {pendingActivityId: $id}) { pendingActivity { status } userErrors { field code } } }";
const TODO: &str = "query($id: ID!) { node(id: $id) { ... on Todo { status } } }";

async fn only_the_people_of_a_pending_activity_or_a_manager_close_it(server: &TestServer) {
    let bob = server.login("bob").await;
    let alice = server.login("alice").await;
    let maria = server.login("maria").await;
    let ids = DemoIds::read(server, &bob).await;
    let input = json!({ "name": "Bob's own", "pendingActivity": {
        "activityTypeId": ids.kind("CALL"), "createTodo": true, "description": "call back" } });
    let saved = server.data(&bob, SAVE, json!({ "input": input })).await["saveContact"].clone();
    assert_eq!(saved["userErrors"], json!([]));
    let pending = saved["pendingActivity"].clone();
    let before = server.snapshot().await;
    for mutation in [COMPLETE, CANCEL] {
        let answer = server
            .data(&alice, mutation, json!({ "id": pending["id"] }))
            .await;
        let payload = answer.as_object().and_then(|o| o.values().next()).unwrap();
        assert_eq!(
            user_errors(payload),
            vec![("FORBIDDEN".to_owned(), "input.pendingActivityId".to_owned())],
            "{answer}"
        );
    }
    assert_eq!(server.snapshot().await, before, "nothing written");
    let todo = server
        .data(&bob, TODO, json!({ "id": pending["todo"]["id"] }))
        .await;
    assert_eq!(todo["node"]["status"], "OPEN", "the to-do is untouched");
    let cancelled = server
        .data(&maria, CANCEL, json!({ "id": pending["id"] }))
        .await["cancelPendingActivity"]
        .clone();
    assert_eq!(cancelled["userErrors"], json!([]), "a MANAGER may");
    assert_eq!(cancelled["pendingActivity"]["status"], "CANCELLED");
}

/// Bob's socket, signed in and subscribed to his reminders.
async fn bobs_socket(server: &TestServer) -> Socket {
    let token = server.login("bob").await;
    let mut socket = open(server, "graphql-transport-ws").await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    send(&mut socket, init).await;
    let ack = next(&mut socket, Duration::from_secs(2)).await.unwrap();
    assert_eq!(ack["type"], "connection_ack");
    let subscribe = json!({ "id": "r", "type": "subscribe",
        "payload": { "query": "subscription { reminders { kind } }" } });
    send(&mut socket, subscribe).await;
    socket
}

async fn deactivate_bob(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let save = "mutation($id: ID!) { saveOperator(input: {id: $id, active: false}) { userErrors { code } } }";
    let saved = server
        .data(&admin, save, json!({ "id": ids.operator("bob") }))
        .await;
    assert_eq!(saved["saveOperator"]["userErrors"], json!([]));
}

async fn a_deactivated_operators_socket_closes_with_4403(server: &TestServer) {
    let mut socket = bobs_socket(server).await;
    let token = server.login("bob").await;
    deactivate_bob(server).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(3)).await,
        Some(4403)
    );
    let me = server
        .post(Some(&token), "{ me { login } }", json!({}))
        .await;
    assert_eq!(
        me["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{me}"
    );
}

on_both_databases!(
    only_the_people_of_a_pending_activity_or_a_manager_close_it,
    a_deactivated_operators_socket_closes_with_4403,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_operators_socket_on_another_instance_closes_too() {
    let Some(first) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let second = TestServer::start_on(&first.database_url, false).await;
    let mut socket = bobs_socket(&second).await;
    deactivate_bob(&first).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(3)).await,
        Some(4403)
    );
    second.finish().await;
    first.finish().await;
}

/// The other instance forgets the members it keeps in memory when told of the deactivation,
/// well before it would read them again anyway.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_operators_token_is_refused_on_another_instance_as_soon_as_it_hears() {
    let Some(first) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let second = TestServer::start_on(&first.database_url, false).await;
    let token = second.login("bob").await;
    let me = second
        .post(Some(&token), "{ me { login } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["login"], "bob", "{me}");
    deactivate_bob(&first).await;
    let heard_within = contactflow::service::snapshot::KEPT_FOR / 2;
    let deadline = std::time::Instant::now() + heard_within;
    loop {
        let me = second
            .post(Some(&token), "{ me { login } }", json!({}))
            .await;
        if me["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still signed in after {heard_within:?}: {me}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    second.finish().await;
    first.finish().await;
}
