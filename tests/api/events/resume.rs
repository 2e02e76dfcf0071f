//! Catching up: `after` replays what was missed and then goes live, with no gap and no
//! duplicate, on the same instance or another; bad and pruned cursors are refused.

use std::time::Duration;

use serde_json::{Value, json};

use super::{SAVE, cursors, events, message, save, subscribed, subscribing, take, tuned_in};
use crate::support::{Backend, TestServer, on_both_databases};

async fn resuming_after_a_cursor_replays_what_was_missed_then_goes_live(server: &TestServer) {
    let alice = server.login("alice").await;
    let mut socket = subscribed(server, "alice", json!({})).await;
    let mut names = Vec::new();
    for n in 0..3 {
        let name = format!("Ripresa {n}");
        save(server, &alice, json!({ "name": name })).await;
        names.push(name);
    }
    let seen = take(&mut socket, 3, Duration::from_secs(5)).await;
    drop(socket);
    while tuned_in(server).await > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // While nobody listens, two more contacts.
    for n in 3..5 {
        let name = format!("Ripresa {n}");
        save(server, &alice, json!({ "name": name })).await;
        names.push(name);
    }
    let resume = seen[0]["cursor"].clone();
    let mut socket = subscribed(server, "alice", json!({ "after": resume })).await;
    let replayed = take(&mut socket, 4, Duration::from_secs(5)).await;
    let replayed_names: Vec<&str> = replayed
        .iter()
        .map(|e| e["contact"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(replayed_names, names[1..]);
    assert_eq!(cursors(&replayed[..2]), cursors(&seen[1..]));
    // Then live, with nothing sent twice.
    save(server, &alice, json!({ "name": "Ripresa 5" })).await;
    let live = take(&mut socket, 1, Duration::from_secs(5)).await;
    assert_eq!(live[0]["contact"]["name"], "Ripresa 5");
    assert!(
        events(&mut socket, Duration::from_millis(500))
            .await
            .is_empty()
    );
    let all: Vec<String> = cursors(&replayed)
        .into_iter()
        .chain(cursors(&live))
        .collect();
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), all.len(), "no duplicate");
}

async fn a_malformed_foreign_or_unknown_cursor_is_bad_user_input(server: &TestServer) {
    let carla = server.login("carla").await;
    save(server, &carla, json!({ "name": "Globex Lead" })).await;
    let mut foreign = subscribed(server, "carla", json!({})).await;
    save(server, &carla, json!({ "name": "Globex Lead 2" })).await;
    let theirs = take(&mut foreign, 1, Duration::from_secs(5)).await[0]["cursor"].clone();
    for after in [
        json!("garbage"),
        json!(""),
        json!("ev1.0.7fffffffffffffff"),
        theirs,
    ] {
        let mut socket = subscribing(server, "alice", json!({ "after": after })).await;
        let answer = message(&mut socket, Duration::from_secs(5))
            .await
            .expect("an answer");
        let errors = if answer["type"] == "error" {
            answer["payload"].clone()
        } else {
            answer["payload"]["errors"].clone()
        };
        assert_eq!(
            errors[0]["extensions"]["code"], "BAD_USER_INPUT",
            "{after}: {answer}"
        );
    }
}

async fn events_older_than_the_retention_are_pruned_and_their_cursors_refused(
    server: &mut TestServer,
) {
    let alice = server.login("alice").await;
    let mut socket = subscribed(server, "alice", json!({})).await;
    save(server, &alice, json!({ "name": "Vecchio" })).await;
    let old = take(&mut socket, 1, Duration::from_secs(5)).await[0]["cursor"].clone();
    save(server, &alice, json!({ "name": "Nuovo" })).await;
    let kept = take(&mut socket, 1, Duration::from_secs(5)).await[0]["cursor"].clone();
    drop(socket);
    let eight_days_ago = chrono::Utc::now() - chrono::Duration::days(8);
    let contact = server
        .count("SELECT contact_id FROM contact_events ORDER BY id DESC LIMIT 1")
        .await;
    server
        .execute(
            "UPDATE contact_events SET at = ? WHERE contact_id <> ?",
            vec![eight_days_ago.into(), contact.into()],
        )
        .await;
    // Pruning runs as the server starts (in the background), and every hour after.
    server.restart().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while server.count("SELECT COUNT(*) FROM contact_events").await > 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "pruned within 10 s of the start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut refused = subscribing(server, "alice", json!({ "after": old })).await;
    let answer = message(&mut refused, Duration::from_secs(5))
        .await
        .expect("an answer");
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{answer}"
    );
    let mut resumed = subscribed(server, "alice", json!({ "after": kept })).await;
    assert!(
        events(&mut resumed, Duration::from_millis(500))
            .await
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_older_than_the_retention_are_pruned_on_sqlite() {
    if let Some(mut server) = TestServer::start(Backend::Sqlite).await {
        events_older_than_the_retention_are_pruned_and_their_cursors_refused(&mut server).await;
        server.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_older_than_the_retention_are_pruned_on_postgres() {
    if let Some(mut server) = TestServer::start(Backend::Postgres).await {
        events_older_than_the_retention_are_pruned_and_their_cursors_refused(&mut server).await;
        server.finish().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_another_instance_resumes_after_a_dropped_connection_missing_nothing() {
    let Some(first) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let second = TestServer::start_on(&first.database_url, false).await;
    let mut socket = subscribed(&second, "alice", json!({})).await;
    const SAVES: usize = 60;
    let alice = first.login("alice").await;
    let writer = {
        let base = first.base.clone();
        let http = first.http().clone();
        tokio::spawn(async move {
            for n in 0..SAVES {
                let body = json!({ "query": SAVE, "variables": { "input": { "name": format!("Flusso {n:02}") } } });
                let answer: Value = http
                    .post(format!("{base}/graphql"))
                    .bearer_auth(&alice)
                    .json(&body)
                    .send()
                    .await
                    .expect("saved")
                    .json()
                    .await
                    .expect("an answer");
                assert_eq!(
                    answer["data"]["saveContact"]["userErrors"],
                    json!([]),
                    "{answer}"
                );
                tokio::time::sleep(Duration::from_millis(15)).await;
            }
        })
    };
    // Part of the stream, then the connection drops mid-stream while the writer goes on.
    let mut seen = take(&mut socket, 20, Duration::from_secs(10)).await;
    drop(socket);
    while tuned_in(&second).await > 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let last = seen.last().unwrap()["cursor"].clone();
    let mut resumed = subscribed(&second, "alice", json!({ "after": last })).await;
    seen.extend(take(&mut resumed, SAVES - 20, Duration::from_secs(10)).await);
    writer.await.expect("the writer finished");
    assert!(
        events(&mut resumed, Duration::from_millis(700))
            .await
            .is_empty(),
        "nothing twice"
    );
    let names: Vec<String> = seen
        .iter()
        .map(|e| e["contact"]["name"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..SAVES).map(|n| format!("Flusso {n:02}")).collect();
    assert_eq!(names, expected, "every event once, in commit order");
    assert!(seen.iter().all(|e| e["kind"] == "CREATED"));
    second.finish().await;
    first.finish().await;
}

/// The place of an event in the feed, from its cursor (`ev1.<seq>.<id>`, hexadecimal).
fn place(cursor: &str) -> i64 {
    let seq = cursor.split('.').nth(1).expect("a cursor");
    i64::from_str_radix(seq, 16).expect("hexadecimal")
}

/// A subscriber that reads nothing while far more events commit than its channel holds gets
/// every one of them once it reads again, in order: it fell behind and caught up from the
/// outbox, not from memory.
async fn a_subscriber_that_falls_behind_catches_up_from_the_outbox(server: &TestServer) {
    let mut socket = subscribed(server, "alice", json!({})).await;
    let company = server
        .count("SELECT m.company_id FROM memberships m JOIN operators o ON o.id = m.operator_id WHERE o.login = 'alice'")
        .await;
    // Events as writes leave them, many at once, straight into the outbox (the feed finds them
    // at its next look, within a second).
    let at = chrono::Utc::now();
    server
        .execute(
            "INSERT INTO contact_events (company_id, kind, contact_id, workflow_id, operator_id, at) \
             SELECT a.company_id, 'UPDATED', a.id, a.workflow_id, \
                    (SELECT id FROM operators WHERE login = 'alice'), ? \
             FROM contacts a CROSS JOIN contacts b CROSS JOIN contacts c \
             WHERE a.company_id = ? AND b.company_id = ? AND c.company_id = ? \
             ORDER BY a.id, b.id, c.id LIMIT 3000",
            vec![at.into(), company.into(), company.into(), company.into()],
        )
        .await;
    let written = server.count("SELECT COUNT(*) FROM contact_events").await as usize;
    assert!(written > 2_000, "far more than a channel holds: {written}");
    // Nothing read for a while: the server's buffers for this socket fill and its feed runs on.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let caught_up = take(&mut socket, written, Duration::from_secs(20)).await;
    let places: Vec<i64> = caught_up
        .iter()
        .map(|e| place(e["cursor"].as_str().unwrap()))
        .collect();
    assert!(
        places.windows(2).all(|w| w[0] < w[1]),
        "in order, each once"
    );
    assert!(
        events(&mut socket, Duration::from_millis(500))
            .await
            .is_empty()
    );
}

on_both_databases!(
    a_subscriber_that_falls_behind_catches_up_from_the_outbox,
    resuming_after_a_cursor_replays_what_was_missed_then_goes_live,
    a_malformed_foreign_or_unknown_cursor_is_bad_user_input,
);
