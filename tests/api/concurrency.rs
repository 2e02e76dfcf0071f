//! Writers racing: the version check in the UPDATE lets exactly one of them win, and
//! idempotent retries racing each other write once.

use serde_json::{Value, json};

use crate::support::{
    DemoIds, TestServer, contact_in, on_both_databases, read_contact, user_errors,
};

const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } activity { id } userErrors { code } } }";

async fn sixteen_saves_of_one_version_have_exactly_one_winner(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let contact = contact_in(server, &token, &ids, "PROSPECT", |_| true).await;
    let before = server.snapshot().await;
    let saves = (0..16).map(|n| {
        let input = json!({ "id": contact["id"], "expectedVersion": contact["version"], "name": format!("Writer {n}"),
            "activity": { "activityTypeId": ids.kind("EMAIL") }, "pendingActivity": { "activityTypeId": ids.kind("MEETING"), "createTodo": true } });
        server.post(Some(&token), SAVE, json!({ "input": input }))
    });
    let answers: Vec<Value> = futures_util::future::join_all(saves).await;
    let mut winners = 0;
    for answer in &answers {
        assert!(
            answer.get("errors").is_none(),
            "no request failed: {answer}"
        );
        let payload = &answer["data"]["saveContact"];
        match user_errors(payload).as_slice() {
            [] => winners += 1,
            [(code, _)] => assert_eq!(code, "STALE_VERSION"),
            other => panic!("unexpected user errors {other:?}"),
        }
    }
    assert_eq!(winners, 1, "exactly one writer wins");
    let after = read_contact(server, &token, &contact["id"]).await;
    assert_eq!(
        after["version"].as_i64(),
        contact["version"].as_i64().map(|v| v + 1)
    );
    let grew: Vec<i64> = server
        .snapshot()
        .await
        .iter()
        .zip(&before)
        .map(|(a, b)| a.1 - b.1)
        .collect();
    assert_eq!(
        &grew[..9],
        &[0, 1, 1, 1, 1, 1, 1, 0, 0],
        "one activity, one pending activity, one to-do, one version step"
    );
}

async fn racing_retries_with_one_key_write_once(server: &TestServer) {
    let token = server.login("bob").await;
    let input = json!({ "name": "Raced Spa", "idempotencyKey": "race-1" });
    let saves = (0..8).map(|_| server.post(Some(&token), SAVE, json!({ "input": input })));
    let answers: Vec<Value> = futures_util::future::join_all(saves).await;
    let ids: Vec<&Value> = answers
        .iter()
        .map(|a| {
            assert!(a.get("errors").is_none(), "{a}");
            assert_eq!(a["data"]["saveContact"]["userErrors"], json!([]));
            &a["data"]["saveContact"]["contact"]["id"]
        })
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "every retry answers the same contact"
    );
    let found = server
        .data(
            &token,
            "{ contacts(filter: {search: \"Raced Spa\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(found["contacts"]["totalCount"], 1, "written once");
}

async fn racing_retries_of_one_update_all_answer_the_first_payload(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let contact = contact_in(server, &token, &ids, "PROSPECT", |_| true).await;
    let input = json!({ "id": contact["id"], "expectedVersion": contact["version"],
        "idempotencyKey": "update-race", "name": "Updated once",
        "activity": { "activityTypeId": ids.kind("EMAIL") } });
    let saves = (0..16).map(|_| server.post(Some(&token), SAVE, json!({ "input": input })));
    let answers: Vec<Value> = futures_util::future::join_all(saves).await;
    let next = contact["version"].as_i64().map(|v| v + 1);
    for answer in &answers {
        assert!(answer.get("errors").is_none(), "{answer}");
        let payload = &answer["data"]["saveContact"];
        assert_eq!(
            payload["userErrors"],
            json!([]),
            "a retry is never told STALE_VERSION for a change that happened"
        );
        assert_eq!(payload["contact"]["version"].as_i64(), next);
        assert_eq!(
            payload["activity"],
            answers[0]["data"]["saveContact"]["activity"]
        );
    }
    let after = read_contact(server, &token, &contact["id"]).await;
    assert_eq!(after["version"].as_i64(), next, "applied once");
}

async fn thirty_two_concurrent_writers_all_succeed(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let saves = (0..32).map(|n| {
        let input = json!({ "name": format!("Concurrent {n}"),
            "activity": { "activityTypeId": ids.kind("CALL"), "description": "call" },
            "pendingActivity": { "activityTypeId": ids.kind("FOLLOW_UP"), "createTodo": true, "dueAt": "2030-01-01T10:00:00Z",
                "reminderStartsAt": "2030-01-01T09:00:00Z", "reminderEndsAt": "2030-01-01T10:00:00Z" } });
        server.post(Some(&token), SAVE, json!({ "input": input }))
    });
    let answers: Vec<Value> = futures_util::future::join_all(saves).await;
    for answer in &answers {
        assert!(
            answer.get("errors").is_none(),
            "no request failed: {answer}"
        );
        assert!(
            user_errors(&answer["data"]["saveContact"]).is_empty(),
            "{answer}"
        );
    }
    let data = server
        .data(
            &token,
            "{ contacts(filter: { search: \"Concurrent\" }) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["contacts"]["totalCount"], 32);
}

on_both_databases!(
    thirty_two_concurrent_writers_all_succeed,
    sixteen_saves_of_one_version_have_exactly_one_winner,
    racing_retries_with_one_key_write_once,
    racing_retries_of_one_update_all_answer_the_first_payload,
);
