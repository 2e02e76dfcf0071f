//! What a receiver gets: every event of the kinds listed, at least once and in order, signed,
//! as CloudEvents; 500s and silences retried; nothing lost when the server is killed in the
//! middle of a delivery and started again.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Receiver, SAVE_WEBHOOK, SECRET};
use crate::support::binary::{Served, contactflow};
use crate::support::{Backend, DemoIds, TestDatabase, TestServer, on_both_databases};

/// A server that may deliver to a local receiver, with short timeouts and retries.
async fn server_for_receivers(backend: Backend) -> Option<TestServer> {
    TestServer::start_adjusted(backend, true, |settings| {
        settings.webhook_allow_private = true;
        settings.webhook_timeout = Duration::from_millis(1_000);
        settings.webhook_first_retry = Duration::from_millis(200);
    })
    .await
}

/// Runs one operation against the server at `base`; its `data`.
async fn data(base: &str, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = crate::support::http()
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let answer: Value = request.send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["errors"], Value::Null, "{answer}");
    answer["data"].clone()
}

async fn login(base: &str, login: &str) -> String {
    let signed = data(
        base,
        None,
        "mutation($l: String!) { login(input: {login: $l, password: \"demo\"}) { token } }",
        json!({ "l": login }),
    )
    .await;
    signed["login"]["token"].as_str().unwrap().to_owned()
}

async fn hook(base: &str, token: &str, url: &str, events: Value) -> Value {
    let input = json!({ "input": { "url": url, "events": events, "secret": SECRET } });
    let answer = data(base, Some(token), SAVE_WEBHOOK, input).await;
    assert_eq!(answer["saveWebhook"]["userErrors"], json!([]), "{answer}");
    answer["saveWebhook"]["webhook"].clone()
}

/// The webhook's newest 100 deliveries, once none of them is PENDING any more: a receiver
/// has its answer a moment before the server records it (a batch at a time).
async fn recorded(server: &TestServer, admin: &str, webhook_id: &Value) -> Value {
    let query = "query($id: ID!) { node(id: $id) { ... on Webhook { deliveries(first: 100) { totalCount edges { node { kind status attempts responseStatus eventCursor } } } } } }";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let listed = server.data(admin, query, json!({ "id": webhook_id })).await;
        let edges = listed["node"]["deliveries"]["edges"].as_array().unwrap();
        if edges.iter().all(|e| e["node"]["status"] != "PENDING")
            || tokio::time::Instant::now() > deadline
        {
            return listed;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) {
    contact { id } userErrors { code } } }";

async fn every_event_arrives_signed_in_order_through_500s_and_timeouts(backend: Backend) {
    let Some(server) = server_for_receivers(backend).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let admin = server.login("admin").await;
    let ids = DemoIds::read(&server, &admin).await;
    let all = json!([
        "CREATED",
        "UPDATED",
        "STAGE_CHANGED",
        "ACTIVITY_RECORDED",
        "PENDING_SCHEDULED",
        "PENDING_CLOSED"
    ]);
    let webhook = hook(&server.base, &admin, &receiver.url, all).await;
    let only_moves = Receiver::start().await;
    hook(
        &server.base,
        &admin,
        &only_moves.url,
        json!(["STAGE_CHANGED"]),
    )
    .await;
    let names = [
        "Uno",
        "Due [500x2]",
        "Tre",
        "Quattro [silent]",
        "Cinque",
        "Sei [500x2]",
        "Sette",
    ];
    for name in names {
        let saved = server
            .data(
                &admin,
                SAVE,
                json!({ "input": { "name": name, "toStageId": ids.stage("QUALIFICATION") } }),
            )
            .await;
        assert_eq!(saved["saveContact"]["userErrors"], json!([]), "{saved}");
    }
    // Each save: CREATED, then STAGE_CHANGED.
    let expected = names.len() * 2;
    assert!(
        receiver
            .wait_delivered(expected, Duration::from_secs(60))
            .await,
        "every event delivered: {:?}",
        receiver.delivered()
    );
    assert!(
        only_moves
            .wait_delivered(names.len(), Duration::from_secs(30))
            .await
    );
    assert_eq!(
        receiver.bad_signatures(),
        0,
        "every request signed with the secret"
    );
    assert_eq!(only_moves.bad_signatures(), 0);
    let received = receiver.received();
    // In order: an event's retries all come before the next event.
    let mut cursors: Vec<String> = received
        .iter()
        .map(|r| r.event["id"].as_str().unwrap().to_owned())
        .collect();
    cursors.dedup();
    assert_eq!(
        cursors.len(),
        expected,
        "no event came back after a later one: {cursors:?}"
    );
    let delivered_names: Vec<String> = received
        .iter()
        .filter(|r| {
            r.answered.is_some_and(|c| c < 300) && r.event["type"] == "contactflow.contact.created"
        })
        .map(|r| r.event["data"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivered_names, names, "in the order of the saves");
    // CloudEvents 1.0, as the contract spells it.
    let first = &received[0].event;
    assert_eq!(first["specversion"], "1.0");
    assert_eq!(first["type"], "contactflow.contact.created");
    assert!(
        first["source"]
            .as_str()
            .unwrap()
            .starts_with("/contactflow/companies/")
    );
    assert_eq!(first["subject"], first["data"]["contactId"]);
    assert!(chrono::DateTime::parse_from_rfc3339(first["time"].as_str().unwrap()).is_ok());
    let moved = received
        .iter()
        .find(|r| r.event["type"] == "contactflow.contact.stage_changed")
        .unwrap();
    assert_eq!(moved.event["data"]["stageCode"], "QUALIFICATION");
    assert!(moved.event["data"]["stageChangeId"].is_string());
    // The deliveries say what happened.
    let listed = recorded(&server, &admin, &webhook["id"]).await;
    let deliveries = &listed["node"]["deliveries"];
    assert_eq!(deliveries["totalCount"], expected as i64);
    let nodes: Vec<&Value> = deliveries["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect();
    assert!(
        nodes
            .iter()
            .all(|d| d["status"] == "DELIVERED" && d["responseStatus"] == 204),
        "{deliveries}"
    );
    let retried = nodes.iter().filter(|d| d["attempts"] == 3).count();
    assert_eq!(
        retried, 4,
        "the CREATED and STAGE_CHANGED of both [500x2] contacts took three attempts"
    );
    let timed_out = nodes.iter().filter(|d| d["attempts"] == 2).count();
    assert_eq!(timed_out, 2, "both events of the silenced contact took two");
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_signed_in_order_through_500s_and_timeouts_on_sqlite() {
    every_event_arrives_signed_in_order_through_500s_and_timeouts(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_signed_in_order_through_500s_and_timeouts_on_postgres() {
    every_event_arrives_signed_in_order_through_500s_and_timeouts(Backend::Postgres).await;
}

async fn a_local_receiver_is_refused_unless_private_targets_are_allowed(server: &TestServer) {
    let admin = server.login("admin").await;
    server
        .data(&admin, SAVE, json!({ "input": { "name": "Prima" } }))
        .await;
    let receiver = Receiver::start().await;
    // Refused here: this server does not allow private targets.
    let refused = server
        .data(
            &admin,
            SAVE_WEBHOOK,
            json!({ "input": { "url": receiver.url, "events": ["CREATED"], "secret": SECRET } }),
        )
        .await;
    assert_eq!(
        refused["saveWebhook"]["userErrors"][0]["code"], "INVALID_INPUT",
        "{refused}"
    );
}

/// The server killed (SIGKILL) while a delivery is in flight, then started again on the same
/// database: the delivery is made again, and every later event follows.
async fn nothing_is_lost_when_the_server_is_killed_mid_delivery(backend: Backend) {
    let Some(database) = TestDatabase::fresh(backend).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let start = || {
        let mut command = contactflow();
        command
            .env("CONTACTFLOW_DATABASE_URL", &database.url)
            .env("CONTACTFLOW_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("CONTACTFLOW_WEBHOOK_TIMEOUT_MS", "1000")
            .env("CONTACTFLOW_WEBHOOK_FIRST_RETRY_MS", "200");
        command
    };
    let receiver = Receiver::start().await;
    receiver.hold(Some("[hold]"));
    let mut served = Served::start(start(), &["--demo"], dir.path(), true).await;
    let admin = login(&served.base, "admin").await;
    hook(&served.base, &admin, &receiver.url, json!(["CREATED"])).await;
    for name in ["Prima", "Seconda [hold]", "Terza"] {
        data(
            &served.base,
            Some(&admin),
            SAVE,
            json!({ "input": { "name": name } }),
        )
        .await;
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while receiver.held() == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the held delivery began"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    served.child.kill().expect("SIGKILL");
    served.child.wait().expect("the server is gone");
    receiver.hold(None);
    let restarted = Served::start(start(), &[], dir.path(), true).await;
    let admin = login(&restarted.base, "admin").await;
    data(
        &restarted.base,
        Some(&admin),
        SAVE,
        json!({ "input": { "name": "Quarta" } }),
    )
    .await;
    assert!(
        receiver.wait_delivered(4, Duration::from_secs(60)).await,
        "every event delivered after the restart: {:?}\n{}",
        receiver.delivered(),
        restarted.log()
    );
    let names: Vec<String> = receiver
        .received()
        .iter()
        .filter(|r| r.answered.is_some_and(|c| c < 300))
        .map(|r| r.event["data"]["name"].as_str().unwrap().to_owned())
        .collect();
    let mut once = names.clone();
    once.dedup();
    assert_eq!(
        once,
        ["Prima", "Seconda [hold]", "Terza", "Quarta"],
        "in order: {names:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_when_the_server_is_killed_mid_delivery_on_sqlite() {
    nothing_is_lost_when_the_server_is_killed_mid_delivery(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_lost_when_the_server_is_killed_mid_delivery_on_postgres() {
    nothing_is_lost_when_the_server_is_killed_mid_delivery(Backend::Postgres).await;
}

/// A webhook whose receiver stops answering keeps a window of PENDING deliveries, not one per
/// event: the rest waits in the outbox and is taken up as the window empties, or at once once
/// it is an hour old; when the receiver answers again, every event arrives, once, in order.
async fn a_lagging_webhook_keeps_its_backlog_in_the_outbox(backend: Backend) {
    let Some(server) = server_for_receivers(backend).await else {
        return;
    };
    let receiver = Receiver::start().await;
    receiver.hold(Some("[hold]"));
    let admin = server.login("admin").await;
    let webhook = hook(&server.base, &admin, &receiver.url, json!(["CREATED"])).await;
    let mut names = vec!["Zero [hold]".to_owned()];
    names.extend((1..=300).map(|n| format!("Ritardo {n:03}")));
    server
        .data(&admin, SAVE, json!({ "input": { "name": names[0] } }))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while receiver.held() == 0 {
        assert!(tokio::time::Instant::now() < deadline, "the first is held");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // One after the other: the order of the saves is the order of their events.
    for name in &names[1..] {
        server
            .data(&admin, SAVE, json!({ "input": { "name": name } }))
            .await;
    }
    let count_query =
        "query($id: ID!) { node(id: $id) { ... on Webhook { deliveries { totalCount } } } }";
    let made = async || {
        server
            .data(&admin, count_query, json!({ "id": webhook["id"] }))
            .await["node"]["deliveries"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    // A second pass or more: what the window holds does not grow.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let while_held = made().await;
    assert!(
        (1..=264).contains(&while_held),
        "a window of deliveries (64 waiting, 200 more events at a time), not one per event: {while_held}"
    );
    assert_eq!(
        server
            .count("SELECT COUNT(*) FROM contact_events WHERE kind = 'CREATED'")
            .await,
        301
    );
    // Events an hour old are taken up whatever the window holds.
    server
        .execute(
            "UPDATE contact_events SET at = ?",
            vec![(chrono::Utc::now() - chrono::Duration::minutes(61)).into()],
        )
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while made().await < 301 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old backlog taken up: {}",
            made().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    receiver.hold(None);
    assert!(
        receiver
            .wait_delivered(names.len(), Duration::from_secs(60))
            .await,
        "every event delivered once the receiver answers: {}",
        receiver.delivered().len()
    );
    let delivered: Vec<String> = receiver
        .received()
        .iter()
        .filter(|r| r.answered.is_some_and(|c| c < 300))
        .map(|r| r.event["data"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivered, names, "each once, in order");
    let listed = recorded(&server, &admin, &webhook["id"]).await;
    let deliveries = &listed["node"]["deliveries"];
    assert_eq!(deliveries["totalCount"], 301);
    assert!(
        deliveries["edges"].as_array().unwrap().iter().all(|e| {
            e["node"]["status"] == "DELIVERED"
                && e["node"]["responseStatus"] == 204
                && e["node"]["attempts"] == 1
        }),
        "recorded in batches, each with its own outcome: {deliveries}"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_webhook_keeps_its_backlog_in_the_outbox_on_sqlite() {
    a_lagging_webhook_keeps_its_backlog_in_the_outbox(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lagging_webhook_keeps_its_backlog_in_the_outbox_on_postgres() {
    a_lagging_webhook_keeps_its_backlog_in_the_outbox(Backend::Postgres).await;
}

/// With a `contactEvents` subscriber on the instance, its feed numbers the company's events
/// and the webhook's pass leaves that to it: the webhook and the subscriber hear the same
/// events, each once, in the same order.
async fn a_webhook_and_a_subscriber_hear_the_same_events_in_the_same_order(backend: Backend) {
    let Some(server) = server_for_receivers(backend).await else {
        return;
    };
    let receiver = Receiver::start().await;
    let admin = server.login("admin").await;
    hook(&server.base, &admin, &receiver.url, json!(["CREATED"])).await;
    let mut socket = crate::events::subscribed(&server, "admin", json!({})).await;
    let names: Vec<String> = (0..20).map(|n| format!("Insieme {n:02}")).collect();
    for chunk in names.chunks(5) {
        let saves = chunk
            .iter()
            .map(|name| server.data(&admin, SAVE, json!({ "input": { "name": name } })));
        futures_util::future::join_all(saves).await;
    }
    let heard = crate::events::take(&mut socket, names.len(), Duration::from_secs(10)).await;
    let subscriber: Vec<String> = heard
        .iter()
        .map(|e| e["cursor"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        receiver
            .wait_delivered(names.len(), Duration::from_secs(30))
            .await,
        "every event delivered: {:?}",
        receiver.delivered()
    );
    assert_eq!(
        receiver.delivered(),
        subscriber,
        "the same events, once each, in the same order"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_and_a_subscriber_hear_the_same_events_in_the_same_order_on_sqlite() {
    a_webhook_and_a_subscriber_hear_the_same_events_in_the_same_order(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_and_a_subscriber_hear_the_same_events_in_the_same_order_on_postgres() {
    a_webhook_and_a_subscriber_hear_the_same_events_in_the_same_order(Backend::Postgres).await;
}

/// Two instances on one PostgreSQL database: the lease lets only one deliver to a webhook at
/// a time, and every event arrives once, in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_never_deliver_to_one_webhook_at_once() {
    let Some(first) = server_for_receivers(Backend::Postgres).await else {
        return;
    };
    let mut settings = crate::support::settings_for(&first.database_url);
    settings.webhook_allow_private = true;
    settings.webhook_timeout = Duration::from_millis(1_000);
    settings.webhook_first_retry = Duration::from_millis(200);
    let second = TestServer::start_on_with(settings, false).await;
    let receiver = Receiver::start().await;
    receiver.answer_after(Duration::from_millis(60));
    let admin = first.login("admin").await;
    hook(&first.base, &admin, &receiver.url, json!(["CREATED"])).await;
    let names: Vec<String> = (0..12).map(|n| format!("Istanza {n:02}")).collect();
    for (n, name) in names.iter().enumerate() {
        let server = if n % 2 == 0 { &first } else { &second };
        server
            .data(&admin, SAVE, json!({ "input": { "name": name } }))
            .await;
    }
    assert!(
        receiver
            .wait_delivered(names.len(), Duration::from_secs(30))
            .await
    );
    assert_eq!(
        receiver.most_in_flight(),
        1,
        "one delivery in flight at a time"
    );
    let delivered: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| r.event["data"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivered, names, "each once, in order");
    second.finish().await;
    first.finish().await;
}

on_both_databases!(a_local_receiver_is_refused_unless_private_targets_are_allowed);
