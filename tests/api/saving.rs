//! `saveContact`: creating and updating the contact form in one transaction, every rule
//! applied, nothing written on any user error.

use serde_json::{Value, json};

use crate::support::{
    CONTACT_FIELDS, DemoIds, TestServer, contact_in, had_discovery_call, nodes, on_both_databases,
    read_contact, user_errors,
};

fn save_mutation() -> String {
    format!(
        "mutation($input: SaveContactInput!) {{ saveContact(input: $input) {{
            contact {{ {CONTACT_FIELDS} }}
            activity {{ id type {{ code }} stage {{ code }} operator {{ login }} performedAt description }}
            pendingActivity {{ id type {{ code }} assignee {{ login }} createdBy {{ login }} pendingSince dueAt reminderStartsAt reminderEndsAt createTodo status todo {{ id operator {{ login }} status pendingActivity {{ id }} }} }}
            todo {{ id title operator {{ login }} }}
            stageChange {{ from {{ code }} to {{ code }} operator {{ login }} changedAt note }}
            userErrors {{ field message code }} }} }}"
    )
}

async fn save(server: &TestServer, token: &str, input: Value) -> Value {
    server
        .data(token, &save_mutation(), json!({ "input": input }))
        .await["saveContact"]
        .clone()
}

fn close_to_now(text: &str) -> bool {
    let moment = chrono::DateTime::parse_from_rfc3339(text).unwrap();
    (chrono::Utc::now() - moment.with_timezone(&chrono::Utc))
        .num_seconds()
        .abs()
        < 30
}

async fn creating_a_contact_enters_the_initial_stage_at_version_one(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let saved = save(server, &token, json!({
        "name": "  Nuova Srl  ", "email": "info@nuova.example", "phone": "+39 06 1234",
        "activity": { "activityTypeId": ids.kind("CALL"), "description": "first call" },
        "pendingActivity": { "activityTypeId": ids.kind("DISCOVERY_CALL"), "description": "discovery", "dueAt": "2030-01-10T10:00:00+01:00",
            "reminderStartsAt": "2030-01-10T08:00:00Z", "reminderEndsAt": "2030-01-10T09:00:00Z", "createTodo": true },
    })).await;
    assert_eq!(saved["userErrors"], json!([]));
    let contact = &saved["contact"];
    assert_eq!(
        (
            contact["version"].clone(),
            contact["name"].clone(),
            contact["stage"]["code"].clone()
        ),
        (json!(1), json!("Nuova Srl"), json!("START"))
    );
    assert_eq!(saved["stageChange"]["from"], Value::Null);
    assert_eq!(saved["stageChange"]["to"]["code"], "START");
    assert_eq!(saved["stageChange"]["operator"]["login"], "alice");
    assert_eq!(contact["stageLog"]["totalCount"], 1);
    let activity = &saved["activity"];
    assert_eq!(
        (
            activity["type"]["code"].clone(),
            activity["stage"]["code"].clone(),
            activity["operator"]["login"].clone()
        ),
        (json!("CALL"), json!("START"), json!("alice"))
    );
    assert!(
        close_to_now(activity["performedAt"].as_str().unwrap()),
        "performedAt is server time"
    );
    let pending = &saved["pendingActivity"];
    assert_eq!(
        pending["dueAt"], "2030-01-10T09:00:00.000Z",
        "input offsets are normalised to UTC"
    );
    assert_eq!(
        (
            pending["assignee"]["login"].clone(),
            pending["createdBy"]["login"].clone(),
            pending["status"].clone()
        ),
        (json!("alice"), json!("alice"), json!("OPEN"))
    );
    assert!(close_to_now(pending["pendingSince"].as_str().unwrap()));
    assert_eq!(pending["todo"]["id"], saved["todo"]["id"]);
    assert_eq!(pending["todo"]["pendingActivity"]["id"], pending["id"]);
    assert_eq!(saved["todo"]["operator"]["login"], "alice");
    assert_eq!(saved["todo"]["title"], "Discovery call: Nuova Srl");
}

async fn an_update_bumps_the_version_once_however_many_rows_it_writes(server: &TestServer) {
    let token = server.login("bob").await;
    let ids = DemoIds::read(server, &token).await;
    let contact = contact_in(server, &token, &ids, "QUALIFICATION", |c| {
        !had_discovery_call(c)
    })
    .await;
    let version = contact["version"].as_i64().unwrap();
    let log_rows = contact["stageLog"]["totalCount"].as_i64().unwrap();
    let saved = save(server, &token, json!({
        "id": contact["id"], "expectedVersion": version, "phone": null, "ownerId": ids.operator("bob"),
        "activity": { "activityTypeId": ids.kind("DISCOVERY_CALL"), "description": "qualified" },
        "toStageId": ids.stage("PROSPECT"), "note": "budget confirmed",
        "pendingActivity": { "activityTypeId": ids.kind("MEETING"), "assigneeId": ids.operator("alice"), "createTodo": false },
    })).await;
    assert_eq!(saved["userErrors"], json!([]));
    let after = &saved["contact"];
    assert_eq!(after["version"].as_i64(), Some(version + 1));
    assert_eq!(after["stage"]["code"], "PROSPECT");
    assert_eq!(
        (
            after["phone"].clone(),
            after["owner"]["login"].clone(),
            after["email"].clone()
        ),
        (Value::Null, json!("bob"), contact["email"].clone())
    );
    assert_eq!(after["stageLog"]["totalCount"].as_i64(), Some(log_rows + 1));
    assert_eq!(
        saved["stageChange"],
        json!({ "from": { "code": "QUALIFICATION" }, "to": { "code": "PROSPECT" }, "operator": { "login": "bob" }, "changedAt": after["stageEnteredAt"], "note": "budget confirmed" })
    );
    assert_eq!(
        saved["activity"]["stage"]["code"], "QUALIFICATION",
        "the done activity is recorded in the stage being left"
    );
    assert_eq!(saved["pendingActivity"]["assignee"]["login"], "alice");
    assert_eq!(saved["pendingActivity"]["todo"], Value::Null);
    assert_eq!(saved["todo"], Value::Null);
}

async fn every_broken_rule_is_a_user_error_and_writes_nothing(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let deactivate = "mutation($t: ID!, $o: ID!) { saveActivityType(input: {id: $t, active: false}) { userErrors { code } } saveOperator(input: {id: $o, active: false}) { userErrors { code } } }";
    server
        .data(
            &admin,
            deactivate,
            json!({ "t": ids.kind("FOLLOW_UP"), "o": ids.operator("bob") }),
        )
        .await;
    let token = server.login("alice").await;
    let start = contact_in(server, &token, &ids, "START", |_| true).await;
    let waiting = contact_in(server, &token, &ids, "QUALIFICATION", |c| {
        !had_discovery_call(c)
    })
    .await;
    let opportunity = contact_in(server, &token, &ids, "OPPORTUNITY", |_| true).await;
    let key_input = json!({ "id": start["id"], "expectedVersion": start["version"], "idempotencyKey": "k-1", "name": "Renamed" });
    let first = save(server, &token, key_input.clone()).await;
    assert_eq!(first["userErrors"], json!([]));
    let start = read_contact(server, &token, &start["id"]).await;
    let existing = |extra: Value, contact: &Value| {
        let mut input = json!({ "id": contact["id"], "expectedVersion": contact["version"] });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    let pending = |extra: Value| {
        let mut input = json!({ "activityTypeId": ids.kind("CALL") });
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        input
    };
    type Case<'a> = (&'a str, Value, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case> = vec![
        (
            "a new contact without a name",
            json!({ "email": "x@example.com" }),
            vec![("INVALID_INPUT", "input.name")],
        ),
        (
            "an update without expectedVersion",
            json!({ "id": start["id"], "name": "X" }),
            vec![("INVALID_INPUT", "input.expectedVersion")],
        ),
        (
            "a name of 201 characters",
            json!({ "name": "n".repeat(201) }),
            vec![("TOO_LONG", "input.name")],
        ),
        (
            "a description of 10,001 characters",
            existing(
                json!({ "activity": { "activityTypeId": ids.kind("CALL"), "description": "d".repeat(10_001) } }),
                &start,
            ),
            vec![("TOO_LONG", "input.activity.description")],
        ),
        (
            "an unknown contact",
            json!({ "id": "Q29udGFjdDo5OTk5OTk", "expectedVersion": 1 }),
            vec![("NOT_FOUND", "input.id")],
        ),
        (
            "an unknown activity type",
            existing(
                json!({ "activity": { "activityTypeId": "QWN0aXZpdHlUeXBlOjk5OTk" } }),
                &start,
            ),
            vec![("NOT_FOUND", "input.activity.activityTypeId")],
        ),
        (
            "an unknown assignee",
            existing(
                json!({ "pendingActivity": pending(json!({ "assigneeId": "T3BlcmF0b3I6OTk5OQ" })) }),
                &start,
            ),
            vec![("NOT_FOUND", "input.pendingActivity.assigneeId")],
        ),
        (
            "a stale version",
            json!({ "id": start["id"], "expectedVersion": start["version"].as_i64().unwrap() - 1, "name": "X" }),
            vec![("STALE_VERSION", "input.expectedVersion")],
        ),
        (
            "a key reused with another input",
            json!({ "id": start["id"], "expectedVersion": start["version"], "idempotencyKey": "k-1", "name": "Other" }),
            vec![("IDEMPOTENCY_KEY_REUSED", "input.idempotencyKey")],
        ),
        (
            "skipping stages",
            existing(json!({ "toStageId": ids.stage("LEAD") }), &start),
            vec![("ILLEGAL_TRANSITION", "input.toStageId")],
        ),
        (
            "an operator making a customer",
            existing(json!({ "toStageId": ids.stage("CUSTOMER") }), &opportunity),
            vec![("TRANSITION_FORBIDDEN", "input.toStageId")],
        ),
        (
            "leaving qualification without a discovery call",
            existing(
                json!({ "toStageId": ids.stage("PROSPECT"), "activity": { "activityTypeId": ids.kind("CALL") } }),
                &waiting,
            ),
            vec![("MANDATORY_ACTIVITY_MISSING", "input.toStageId")],
        ),
        (
            "a quote in START",
            existing(
                json!({ "activity": { "activityTypeId": ids.kind("QUOTE") } }),
                &start,
            ),
            vec![(
                "ACTIVITY_TYPE_NOT_ALLOWED_IN_STAGE",
                "input.activity.activityTypeId",
            )],
        ),
        (
            "an inactive type",
            existing(
                json!({ "pendingActivity": { "activityTypeId": ids.kind("FOLLOW_UP") } }),
                &start,
            ),
            vec![(
                "ACTIVITY_TYPE_INACTIVE",
                "input.pendingActivity.activityTypeId",
            )],
        ),
        (
            "a reminder ending before it starts",
            existing(
                json!({ "pendingActivity": pending(json!({ "reminderStartsAt": "2030-01-01T10:00:00Z", "reminderEndsAt": "2030-01-01T09:00:00Z" })) }),
                &start,
            ),
            vec![(
                "REMINDER_END_BEFORE_START",
                "input.pendingActivity.reminderEndsAt",
            )],
        ),
        (
            "half a reminder window",
            existing(
                json!({ "pendingActivity": pending(json!({ "reminderStartsAt": "2030-01-01T10:00:00Z" })) }),
                &start,
            ),
            vec![(
                "REMINDER_WINDOW_INCOMPLETE",
                "input.pendingActivity.reminderEndsAt",
            )],
        ),
        (
            "an inactive assignee",
            existing(
                json!({ "pendingActivity": pending(json!({ "assigneeId": ids.operator("bob") })) }),
                &start,
            ),
            vec![("ASSIGNEE_INACTIVE", "input.pendingActivity.assigneeId")],
        ),
        (
            "several problems at once",
            existing(
                json!({ "name": "n".repeat(300), "activity": { "activityTypeId": ids.kind("QUOTE") }, "toStageId": ids.stage("CUSTOMER"),
            "pendingActivity": pending(json!({ "reminderEndsAt": "2030-01-01T10:00:00Z" })) }),
                &start,
            ),
            vec![
                ("TOO_LONG", "input.name"),
                (
                    "ACTIVITY_TYPE_NOT_ALLOWED_IN_STAGE",
                    "input.activity.activityTypeId",
                ),
                ("ILLEGAL_TRANSITION", "input.toStageId"),
                (
                    "REMINDER_WINDOW_INCOMPLETE",
                    "input.pendingActivity.reminderStartsAt",
                ),
            ],
        ),
    ];
    for (case, input, expected) in cases {
        let before = server.snapshot().await;
        let payload = save(server, &token, input).await;
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(c, f)| (c.to_owned(), f.to_owned()))
            .collect();
        assert_eq!(user_errors(&payload), expected, "{case}");
        assert_eq!(payload["contact"], Value::Null, "{case}");
        assert!(
            payload["userErrors"][0]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        assert_eq!(server.snapshot().await, before, "{case}: nothing written");
    }
}

async fn a_retry_with_the_same_key_answers_the_first_payload_and_writes_nothing(
    server: &TestServer,
) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let input = json!({ "name": "Retry Spa", "idempotencyKey": "create-retry-spa",
        "pendingActivity": { "activityTypeId": ids.kind("CALL"), "createTodo": true } });
    let first = save(server, &token, input.clone()).await;
    assert_eq!(first["userErrors"], json!([]));
    let before = server.snapshot().await;
    let again = save(server, &token, input.clone()).await;
    assert_eq!(server.snapshot().await, before, "a retry writes nothing");
    for part in ["contact", "pendingActivity", "todo", "stageChange"] {
        assert_eq!(again[part], first[part], "{part}");
    }
    let other = server.login("bob").await;
    let bobs = save(server, &other, input).await;
    assert_eq!(bobs["userErrors"], json!([]), "keys are per caller");
    assert_ne!(bobs["contact"]["id"], first["contact"]["id"]);
}

async fn a_discovery_call_in_the_same_save_opens_the_way_out_of_qualification(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let waiting = contact_in(server, &token, &ids, "QUALIFICATION", |c| {
        !had_discovery_call(c)
    })
    .await;
    let saved = save(server, &token, json!({ "id": waiting["id"], "expectedVersion": waiting["version"], "toStageId": ids.stage("PROSPECT"),
        "activity": { "activityTypeId": ids.kind("DISCOVERY_CALL") } })).await;
    assert_eq!(saved["userErrors"], json!([]));
    assert_eq!(saved["contact"]["stage"]["code"], "PROSPECT");
    let log = nodes(&saved["contact"]["stageLog"]);
    assert_eq!(log[0]["from"]["code"], "QUALIFICATION");
    assert_eq!(log[0]["operator"]["login"], "alice");
}

on_both_databases!(
    creating_a_contact_enters_the_initial_stage_at_version_one,
    an_update_bumps_the_version_once_however_many_rows_it_writes,
    every_broken_rule_is_a_user_error_and_writes_nothing,
    a_retry_with_the_same_key_answers_the_first_payload_and_writes_nothing,
    a_discovery_call_in_the_same_save_opens_the_way_out_of_qualification,
);
