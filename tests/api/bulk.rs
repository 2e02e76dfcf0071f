//! `moveContactsToStage` as a manager after a campaign uses it: results in input order with
//! their own errors, repeats and other companies' ids refused one by one, all-or-none writing
//! nothing when one fails, the 501st id refused, idempotent retries, and statements that do
//! not grow with the number of contacts.

use contactflow::graphql::ids::{encode, kind};
use serde_json::{Value, json};

use crate::companies::token_for;
use crate::support::{DemoIds, TestServer, nodes, on_both_databases, user_errors};

const MOVE: &str = "mutation($input: MoveContactsToStageInput!) { moveContactsToStage(input: $input) {
    movedCount userErrors { field code }
    results { contactId contact { id version stage { code } } stageChange { via from { code } to { code } note secondsInPreviousStage operator { login } } userErrors { field code } } } }";

/// The ids of the contacts in a stage, oldest first.
async fn in_stage(server: &TestServer, token: &str, ids: &DemoIds, code: &str) -> Vec<Value> {
    let data = server
        .data(
            token,
            "query($s: ID!) { contacts(first: 100, filter: { stageIds: [$s] }, orderBy: { field: CREATED_AT, direction: ASC }) { edges { node { id version } } } }",
            json!({ "s": ids.stage(code) }),
        )
        .await;
    nodes(&data["contacts"])
}

async fn moved(server: &TestServer, token: &str, input: Value) -> Value {
    server.data(token, MOVE, json!({ "input": input })).await["moveContactsToStage"].clone()
}

async fn each_listed_contact_gets_its_result_in_input_order(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let start = in_stage(server, &token, &ids, "START").await;
    assert!(start.len() >= 3, "the demo has contacts in START");
    let qualification = in_stage(server, &token, &ids, "QUALIFICATION").await;
    let globex = token_for(server, "admin", "GLOBEX").await;
    let foreign = in_stage(
        server,
        &globex,
        &DemoIds::read(server, &globex).await,
        "START",
    )
    .await
    .first()
    .map(|c| c["id"].clone())
    .expect("a GLOBEX contact");
    let unknown = json!(encode(kind::CONTACT, 9_999_999).to_string());
    let listed = vec![
        start[0]["id"].clone(),
        unknown.clone(),
        start[1]["id"].clone(),
        start[0]["id"].clone(),
        foreign.clone(),
        qualification[0]["id"].clone(),
        json!("not an id"),
        start[2]["id"].clone(),
    ];
    let before = server.count("SELECT COUNT(*) FROM stage_changes").await;
    let work = [
        "SELECT COUNT(*) FROM pending_activities WHERE status = 'OPEN'",
        "SELECT COUNT(*) FROM todos WHERE status = 'OPEN'",
        "SELECT COUNT(*) FROM reminder_states",
    ];
    let work_before = server.counts(&work).await;
    let payload = moved(
        server,
        &token,
        json!({ "contactIds": listed, "toStageId": ids.stage("QUALIFICATION"), "note": "after the fair" }),
    )
    .await;
    assert_eq!(payload["userErrors"], json!([]), "{payload}");
    assert_eq!(payload["movedCount"], 3);
    let results = payload["results"].as_array().unwrap();
    assert_eq!(results.len(), listed.len());
    for (result, id) in results.iter().zip(&listed) {
        assert_eq!(&result["contactId"], id, "results in input order");
    }
    let errors: Vec<Vec<(String, String)>> = results.iter().map(user_errors).collect();
    let none: Vec<(String, String)> = vec![];
    let at =
        |index: usize, code: &str| vec![(code.to_owned(), format!("input.contactIds.{index}"))];
    assert_eq!(errors[0], none);
    assert_eq!(errors[1], at(1, "NOT_FOUND"));
    assert_eq!(errors[2], none);
    assert_eq!(errors[3], at(3, "INVALID_INPUT"), "the repeat is refused");
    assert_eq!(
        errors[4],
        at(4, "NOT_FOUND"),
        "another company's contact names nothing"
    );
    assert_eq!(
        errors[5],
        vec![(
            "ILLEGAL_TRANSITION".to_owned(),
            "input.toStageId".to_owned()
        )],
        "already there"
    );
    assert_eq!(errors[6], at(6, "NOT_FOUND"));
    assert_eq!(errors[7], none);
    for index in [0, 2, 7] {
        let change = &results[index]["stageChange"];
        assert_eq!(change["via"], "BULK_MOVE");
        assert_eq!(change["from"]["code"], "START");
        assert_eq!(change["to"]["code"], "QUALIFICATION");
        assert_eq!(change["note"], "after the fair");
        assert_eq!(change["operator"]["login"], "alice");
        assert!(change["secondsInPreviousStage"].as_i64().unwrap() > 0);
        let contact = &results[index]["contact"];
        assert_eq!(contact["stage"]["code"], "QUALIFICATION");
        let was = start.iter().find(|c| c["id"] == contact["id"]).unwrap();
        assert_eq!(
            contact["version"].as_i64(),
            was["version"].as_i64().map(|v| v + 1)
        );
    }
    assert_eq!(results[3]["stageChange"], Value::Null);
    assert_eq!(results[3]["contact"]["stage"]["code"], "QUALIFICATION");
    for index in [1, 4, 6] {
        assert_eq!(results[index]["contact"], Value::Null);
    }
    assert_eq!(results[5]["contact"]["stage"]["code"], "QUALIFICATION");
    assert_eq!(
        server.count("SELECT COUNT(*) FROM stage_changes").await,
        before + 3,
        "one log row per moved contact"
    );
    assert_eq!(
        server.counts(&work).await,
        work_before,
        "pending activities, to-dos and reminders stay as after a single move"
    );
    // The rules of a single move: leaving QUALIFICATION needs the discovery call, and only a
    // manager makes a customer.
    let without_call = moved(
        server,
        &token,
        json!({ "contactIds": [start[0]["id"]], "toStageId": ids.stage("PROSPECT") }),
    )
    .await;
    assert_eq!(
        user_errors(&without_call["results"][0]),
        vec![(
            "MANDATORY_ACTIVITY_MISSING".to_owned(),
            "input.toStageId".to_owned()
        )]
    );
    let opportunity = in_stage(server, &token, &ids, "OPPORTUNITY").await;
    if let Some(contact) = opportunity.first() {
        let customer = moved(
            server,
            &token,
            json!({ "contactIds": [contact["id"]], "toStageId": ids.stage("CUSTOMER") }),
        )
        .await;
        let codes: Vec<String> = user_errors(&customer["results"][0])
            .into_iter()
            .map(|(code, _)| code)
            .collect();
        assert!(
            codes.contains(&"TRANSITION_FORBIDDEN".to_owned()),
            "{codes:?}"
        );
    }
}

async fn all_or_none_writes_nothing_when_one_contact_fails(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let start = in_stage(server, &token, &ids, "START").await;
    let qualification = in_stage(server, &token, &ids, "QUALIFICATION").await;
    let before = server.snapshot().await;
    let payload = moved(
        server,
        &token,
        json!({ "contactIds": [start[0]["id"], qualification[0]["id"], start[1]["id"]],
                "toStageId": ids.stage("QUALIFICATION"), "allOrNone": true }),
    )
    .await;
    assert_eq!(payload["movedCount"], 0);
    assert_eq!(payload["userErrors"], json!([]));
    let results = payload["results"].as_array().unwrap();
    for index in [0, 2] {
        assert_eq!(
            results[index]["userErrors"],
            json!([]),
            "it would have moved"
        );
        assert_eq!(results[index]["contact"]["stage"]["code"], "START");
        assert_eq!(results[index]["stageChange"], Value::Null);
    }
    assert_eq!(user_errors(&results[1])[0].0, "ILLEGAL_TRANSITION");
    assert_eq!(server.snapshot().await, before, "nothing written");
    // Without the bad one, all move.
    let payload = moved(
        server,
        &token,
        json!({ "contactIds": [start[0]["id"], start[1]["id"]],
                "toStageId": ids.stage("QUALIFICATION"), "allOrNone": true }),
    )
    .await;
    assert_eq!(payload["movedCount"], 2);
}

async fn the_list_takes_one_to_five_hundred_ids_and_a_known_stage(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let start = in_stage(server, &token, &ids, "START").await;
    let before = server.snapshot().await;
    let five_hundred_and_one: Vec<Value> = (0..501).map(|_| start[0]["id"].clone()).collect();
    for (list, stage) in [
        (five_hundred_and_one, ids.stage("QUALIFICATION").to_owned()),
        (vec![], ids.stage("QUALIFICATION").to_owned()),
    ] {
        let payload = moved(
            server,
            &token,
            json!({ "contactIds": list, "toStageId": stage }),
        )
        .await;
        assert_eq!(
            user_errors(&payload),
            vec![("INVALID_INPUT".to_owned(), "input.contactIds".to_owned())]
        );
        assert_eq!(payload["results"], json!([]));
        assert_eq!(payload["movedCount"], 0);
    }
    let unknown_stage = json!(encode(kind::STAGE, 9_999_999).to_string());
    let payload = moved(
        server,
        &token,
        json!({ "contactIds": [start[0]["id"]], "toStageId": unknown_stage }),
    )
    .await;
    assert_eq!(
        user_errors(&payload),
        vec![("NOT_FOUND".to_owned(), "input.toStageId".to_owned())]
    );
    assert_eq!(server.snapshot().await, before, "nothing written");
    // Five hundred are taken.
    let five_hundred: Vec<Value> = (0..500).map(|_| start[0]["id"].clone()).collect();
    let payload = moved(
        server,
        &token,
        json!({ "contactIds": five_hundred, "toStageId": ids.stage("QUALIFICATION") }),
    )
    .await;
    assert_eq!(payload["movedCount"], 1, "moved once, the repeats refused");
    assert_eq!(payload["results"].as_array().unwrap().len(), 500);
}

async fn a_retried_bulk_move_answers_the_first_payload_and_writes_nothing(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let start = in_stage(server, &token, &ids, "START").await;
    let input = json!({ "contactIds": [start[0]["id"], start[1]["id"]],
        "toStageId": ids.stage("QUALIFICATION"), "idempotencyKey": "campaign-7" });
    let first = moved(server, &token, input.clone()).await;
    assert_eq!(first["movedCount"], 2);
    let after_first = server.snapshot().await;
    let again = moved(server, &token, input).await;
    assert_eq!(again["movedCount"], 2);
    assert_eq!(
        again["results"][0]["stageChange"],
        first["results"][0]["stageChange"]
    );
    assert_eq!(
        server.snapshot().await,
        after_first,
        "the retry wrote nothing"
    );
    let other = moved(
        server,
        &token,
        json!({ "contactIds": [start[2]["id"]], "toStageId": ids.stage("QUALIFICATION"), "idempotencyKey": "campaign-7" }),
    )
    .await;
    assert_eq!(
        user_errors(&other),
        vec![(
            "IDEMPOTENCY_KEY_REUSED".to_owned(),
            "input.idempotencyKey".to_owned()
        )]
    );
    assert_eq!(server.snapshot().await, after_first);
}

async fn a_bulk_move_costs_the_same_statements_for_two_contacts_or_many(server: &TestServer) {
    let token = server.login("maria").await;
    let ids = DemoIds::read(server, &token).await;
    let mut costs = Vec::new();
    for stage in ["START", "QUALIFICATION"] {
        let contacts = in_stage(server, &token, &ids, stage).await;
        let take = if stage == "START" { 2 } else { contacts.len() };
        let listed: Vec<Value> = contacts
            .iter()
            .take(take)
            .map(|c| c["id"].clone())
            .collect();
        let target = if stage == "START" {
            "QUALIFICATION"
        } else {
            "NOT_QUALIFIED"
        };
        server.quiet().await;
        let before = server.statements_run().await;
        let payload = moved(
            server,
            &token,
            json!({ "contactIds": listed, "toStageId": ids.stage(target) }),
        )
        .await;
        assert!(payload["movedCount"].as_i64().unwrap() >= 1, "{payload}");
        // The notice to other instances goes out just after the commit, on its own: counted
        // in both moves alike once the server is quiet again.
        server.quiet().await;
        costs.push((listed.len(), server.statements_run().await - before));
    }
    assert!(costs[1].0 > 2 * costs[0].0, "{costs:?}");
    assert!(
        costs[1].1 <= costs[0].1,
        "the statements do not grow with the contacts: {costs:?}"
    );
}

on_both_databases!(
    each_listed_contact_gets_its_result_in_input_order,
    all_or_none_writes_nothing_when_one_contact_fails,
    the_list_takes_one_to_five_hundred_ids_and_a_known_stage,
    a_retried_bulk_move_answers_the_first_payload_and_writes_nothing,
    a_bulk_move_costs_the_same_statements_for_two_contacts_or_many,
);
