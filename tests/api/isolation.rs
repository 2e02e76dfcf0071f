//! Nothing crosses between companies, tested as an attacker would: an ACME token (of a person
//! who works for GLOBEX too) sends every read and write it can with GLOBEX's ids, and each
//! answer is the very answer to an id that names nothing, no count includes GLOBEX's rows, and
//! nothing is written. On PostgreSQL a test build without the application's company filter
//! runs this too: row-level security alone must hold.

use serde_json::{Value, json};

use crate::companies::token_for;
use crate::support::{TestServer, nodes, on_both_databases};

/// GLOBEX's ids, of every kind an ACME token could try.
struct Foreign {
    contact: String,
    contact_version: i64,
    stage: String,
    workflow: String,
    transition: String,
    activity_type: String,
    activity: String,
    stage_change: String,
    pending: String,
    todo: String,
    reminder: String,
    operator: String,
    company: String,
}

async fn foreign_ids(server: &TestServer) -> Foreign {
    let globex = token_for(server, "admin", "GLOBEX").await;
    let data = server
        .data(
            &globex,
            "{ company { id } operators { id login } workflows { id stages { id } transitions { id } }
               activityTypes { id }
               contacts(first: 100) { edges { node { id version
                 activities(first: 1) { edges { node { id } } }
                 stageLog(first: 1) { edges { node { id } } }
                 pendingActivities { id todo { id } } } } } }",
            json!({}),
        )
        .await;
    let contacts = nodes(&data["contacts"]);
    let with_pending = contacts
        .iter()
        .find(|c| !c["pendingActivities"].as_array().unwrap().is_empty())
        .expect("a GLOBEX contact waiting on a pending activity");
    let todo = contacts
        .iter()
        .flat_map(|c| c["pendingActivities"].as_array().unwrap().clone())
        .find_map(|p| p["todo"]["id"].as_str().map(str::to_owned))
        .expect("a GLOBEX to-do");
    let carla = data["operators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["login"] == "carla")
        .expect("carla")["id"]
        .clone();
    let pending = with_pending["pendingActivities"][0]["id"].as_str().unwrap();
    let reminder = contactflow::graphql::ids::encode(
        "Reminder",
        contactflow::graphql::ids::decode(pending, "PendingActivity").unwrap(),
    );
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    Foreign {
        contact: text(&with_pending["id"]),
        contact_version: with_pending["version"].as_i64().unwrap(),
        stage: text(&data["workflows"][0]["stages"][1]["id"]),
        workflow: text(&data["workflows"][0]["id"]),
        transition: text(&data["workflows"][0]["transitions"][0]["id"]),
        activity_type: text(&data["activityTypes"][0]["id"]),
        activity: text(&nodes(&contacts[0]["activities"])[0]["id"]),
        stage_change: text(&nodes(&contacts[0]["stageLog"])[0]["id"]),
        pending: pending.to_owned(),
        todo,
        reminder: reminder.to_string(),
        operator: text(&carla),
        company: text(&data["company"]["id"]),
    }
}

/// A made-up id of the same kind as `id`, which names nothing anywhere.
fn unknown_like(id: &str) -> String {
    let (kind, _) = contactflow::graphql::ids::decode_any(id).expect("a global id");
    contactflow::graphql::ids::encode(&kind, 987_654_321).to_string()
}

/// The answer with `id` spelled out of it, so that two answers compare by everything else.
fn without(answer: &Value, id: &str) -> String {
    answer.to_string().replace(id, "<id>")
}

/// Sends `query` with the foreign id and with an unknown one, and checks the answers are the
/// same; the answer to the foreign one.
async fn as_unknown(
    server: &TestServer,
    token: &str,
    query: &str,
    id: &str,
    variables: impl Fn(&str) -> Value,
) -> Value {
    let unknown = unknown_like(id);
    let foreign = server.post(Some(token), query, variables(id)).await;
    let made_up = server.post(Some(token), query, variables(&unknown)).await;
    assert_eq!(
        without(&foreign, id),
        without(&made_up, &unknown),
        "another company's id must answer like one that names nothing: {query}"
    );
    foreign
}

async fn every_read_answers_another_companys_ids_as_unknown(server: &TestServer) {
    let them = foreign_ids(server).await;
    // admin works for both companies: only the token's company counts.
    let acme = token_for(server, "admin", "ACME").await;
    let every = [
        &them.contact,
        &them.stage,
        &them.workflow,
        &them.transition,
        &them.activity_type,
        &them.activity,
        &them.stage_change,
        &them.pending,
        &them.todo,
        &them.reminder,
        &them.operator,
    ];
    for id in every {
        let node = as_unknown(
            server,
            &acme,
            "query($id: ID!) { node(id: $id) { id } }",
            id,
            |id| json!({ "id": id }),
        )
        .await;
        assert_eq!(node["data"]["node"], Value::Null, "{id}");
        let many = as_unknown(
            server,
            &acme,
            "query($id: ID!) { nodes(ids: [$id, $id]) { id } }",
            id,
            |id| json!({ "id": id }),
        )
        .await;
        assert_eq!(many["data"]["nodes"], json!([null, null]));
    }
    let contact = as_unknown(
        server,
        &acme,
        "query($id: ID!) { contact(id: $id) { id name } }",
        &them.contact,
        |id| json!({ "id": id }),
    )
    .await;
    assert_eq!(contact["data"]["contact"], Value::Null);
    let filters = [
        (
            "query($id: ID!) { contacts(filter: {stageIds: [$id]}) { totalCount edges { node { id } } } }",
            &them.stage,
        ),
        (
            "query($id: ID!) { contacts(filter: {workflowId: $id}) { totalCount edges { node { id } } } }",
            &them.workflow,
        ),
        (
            "query($id: ID!) { contacts(filter: {ownerId: $id}) { totalCount edges { node { id } } } }",
            &them.operator,
        ),
        (
            "query($id: ID!) { pendingActivities(filter: {assigneeId: $id}) { totalCount edges { node { id } } } }",
            &them.operator,
        ),
        (
            "query($id: ID!) { todos(filter: {operatorId: $id}) { totalCount edges { node { id } } } }",
            &them.operator,
        ),
        (
            "query($id: ID!) { activityTypes(stageId: $id) { id } }",
            &them.stage,
        ),
    ];
    for (query, id) in filters {
        as_unknown(server, &acme, query, id, |id| json!({ "id": id })).await;
    }
    // Lists and counts hold ACME's rows only.
    let mine = server
        .data(&acme, "{ contacts { totalCount } pendingActivities(filter: {status: [OPEN, DONE, CANCELLED]}) { totalCount } workflows { id stages { id } } activityTypes(includeInactive: true) { id } operators { id } activeReminders { id } companies { id } }", json!({}))
        .await;
    assert_eq!(mine["contacts"]["totalCount"], 36);
    let acme_pending = server
        .count("SELECT COUNT(*) FROM pending_activities p JOIN companies c ON c.id = p.company_id WHERE c.code = 'ACME'")
        .await;
    assert_eq!(mine["pendingActivities"]["totalCount"], acme_pending);
    let listed = mine.to_string();
    for id in every {
        assert!(
            !listed.contains(id.as_str()),
            "{id} is GLOBEX's, listed to ACME"
        );
    }
    assert!(
        listed.contains(&them.company),
        "admin belongs to GLOBEX: companies lists it"
    );
    // alice works for ACME only: GLOBEX is not hers to list.
    let alice = token_for(server, "alice", "ACME").await;
    let hers = server
        .data(
            &alice,
            "{ companies { id } me { companies { id } } }",
            json!({}),
        )
        .await;
    assert!(!hers.to_string().contains(&them.company));
}

/// A mutation, the foreign id it carries, and its variables for an id.
type Attack<'a> = (&'static str, &'a String, Box<dyn Fn(&str) -> Value>);

async fn every_write_answers_another_companys_ids_as_unknown_and_writes_nothing(
    server: &TestServer,
) {
    let them = foreign_ids(server).await;
    let acme = token_for(server, "admin", "ACME").await;
    let before = server.snapshot().await;
    let version = them.contact_version;
    let writes: Vec<Attack<'_>> = vec![
        (
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { id } userErrors { code field message } } }",
            &them.contact,
            Box::new(
                move |id| json!({ "i": { "id": id, "expectedVersion": version, "name": "Taken over" } }),
            ),
        ),
        (
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { id } userErrors { code field message } } }",
            &them.workflow,
            Box::new(|id| json!({ "i": { "name": "Smuggled", "workflowId": id } })),
        ),
        (
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { id } userErrors { code field message } } }",
            &them.operator,
            Box::new(|id| json!({ "i": { "name": "Smuggled", "ownerId": id } })),
        ),
        (
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { id } userErrors { code field message } } }",
            &them.activity_type,
            Box::new(
                |id| json!({ "i": { "name": "Smuggled", "activity": { "activityTypeId": id } } }),
            ),
        ),
        (
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { id } userErrors { code field message } } }",
            &them.operator,
            Box::new(
                |id| json!({ "i": { "name": "Smuggled", "pendingActivity": { "activityTypeId": "QWN0aXZpdHlUeXBlOjE", "assigneeId": id } } }),
            ),
        ),
        (
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { id } userErrors { code field message } } }",
            &them.stage,
            Box::new(|id| json!({ "i": { "name": "Smuggled", "toStageId": id } })),
        ),
        (
            "mutation($c: ID!) { moveContactToStage(input: {contactId: $c, toStageId: \"U3RhZ2U6Mg\", expectedVersion: 1}) { contact { id } userErrors { code field message } } }",
            &them.contact,
            Box::new(|id| json!({ "c": id })),
        ),
        (
            "mutation($p: ID!) { completePendingActivity(input: {pendingActivityId: $p}) { userErrors { code field message } } }",
            &them.pending,
            Box::new(|id| json!({ "p": id })),
        ),
        (
            "mutation($p: ID!) { cancelPendingActivity(input: {pendingActivityId: $p}) { userErrors { code field message } } }",
            &them.pending,
            Box::new(|id| json!({ "p": id })),
        ),
        (
            "mutation($t: ID!) { completeTodo(input: {todoId: $t}) { userErrors { code field message } } }",
            &them.todo,
            Box::new(|id| json!({ "t": id })),
        ),
        (
            "mutation($r: ID!) { dismissReminder(input: {reminderId: $r}) { userErrors { code field message } } }",
            &them.reminder,
            Box::new(|id| json!({ "r": id })),
        ),
        (
            "mutation($r: ID!) { snoozeReminder(input: {reminderId: $r, until: \"2099-01-01T00:00:00Z\"}) { userErrors { code field message } } }",
            &them.reminder,
            Box::new(|id| json!({ "r": id })),
        ),
        (
            "mutation($id: ID!) { saveActivityType(input: {id: $id, name: \"Renamed\"}) { userErrors { code field message } } }",
            &them.activity_type,
            Box::new(|id| json!({ "id": id })),
        ),
        (
            "mutation($id: ID!) { deleteActivityType(input: {id: $id}) { userErrors { code field message } } }",
            &them.activity_type,
            Box::new(|id| json!({ "id": id })),
        ),
        (
            "mutation($id: ID!) { saveWorkflow(input: {id: $id, code: \"X\", name: \"X\", stages: [{code: \"A\", name: \"A\", isInitial: true}]}) { userErrors { code field message } } }",
            &them.workflow,
            Box::new(|id| json!({ "id": id })),
        ),
        (
            "mutation($id: ID!) { saveOperator(input: {id: $id, displayName: \"Renamed\", active: false}) { userErrors { code field message } } }",
            &them.operator,
            Box::new(|id| json!({ "id": id })),
        ),
    ];
    for (query, id, variables) in &writes {
        let answer = as_unknown(server, &acme, query, id, |id| variables(id)).await;
        assert!(
            answer.to_string().contains("NOT_FOUND"),
            "{query} with another company's id: {answer}"
        );
    }
    assert_eq!(server.snapshot().await, before, "nothing was written");
}

async fn reminders_reach_only_the_tokens_company(server: &TestServer) {
    use crate::support::socket::{next, open, send};
    // bob works for both; each token's feed holds its company's reminders only.
    for (code, other) in [("ACME", "GLOBEX"), ("GLOBEX", "ACME")] {
        let token = token_for(server, "bob", code).await;
        let theirs = token_for(server, "bob", other).await;
        let showing: Vec<String> = server
            .data(&theirs, "{ activeReminders { id } }", json!({}))
            .await["activeReminders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect();
        let mut socket = open(server, "graphql-transport-ws").await;
        send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
        assert_eq!(
            next(&mut socket, std::time::Duration::from_secs(5))
                .await
                .unwrap()["type"],
            "connection_ack"
        );
        send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { reminders { kind reminder { id contact { id } } } }" } })).await;
        let mut received = Vec::new();
        while let Ok(message) = next(&mut socket, std::time::Duration::from_millis(700)).await {
            received.push(message);
        }
        let text = Value::Array(received).to_string();
        for id in &showing {
            assert!(
                !text.contains(id.as_str()),
                "{other}'s reminder {id} reached a {code} feed"
            );
        }
    }
}

on_both_databases!(
    every_read_answers_another_companys_ids_as_unknown,
    every_write_answers_another_companys_ids_as_unknown_and_writes_nothing,
    reminders_reach_only_the_tokens_company,
);

/// The same attacks on PostgreSQL with the application's own company filter switched off:
/// row-level security alone must answer exactly as before.
mod row_security_alone {
    use crate::support::{Backend, TestServer};

    async fn server_without_company_filter() -> Option<TestServer> {
        TestServer::start_adjusted(Backend::Postgres, true, |settings| {
            settings.company_filter = false;
        })
        .await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_read_answers_another_companys_ids_as_unknown() {
        if let Some(server) = server_without_company_filter().await {
            super::every_read_answers_another_companys_ids_as_unknown(&server).await;
            server.finish().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_write_answers_another_companys_ids_as_unknown_and_writes_nothing() {
        if let Some(server) = server_without_company_filter().await {
            super::every_write_answers_another_companys_ids_as_unknown_and_writes_nothing(&server)
                .await;
            server.finish().await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_query_without_its_company_sees_no_row() {
        use sea_orm::{ConnectionTrait, Database, TransactionTrait};
        let Some(server) = TestServer::start(Backend::Postgres).await else {
            return;
        };
        let db = Database::connect(server.database_url.as_str())
            .await
            .unwrap();
        let txn = db.begin().await.unwrap();
        let count = |sql: &'static str| {
            let txn = &txn;
            async move {
                let row = txn
                    .query_one_raw(sea_orm::Statement::from_string(
                        sea_orm::DbBackend::Postgres,
                        sql,
                    ))
                    .await
                    .unwrap()
                    .unwrap();
                row.try_get_by_index::<i64>(0).unwrap()
            }
        };
        txn.execute_unprepared("SET LOCAL ROLE contactflow_app")
            .await
            .unwrap();
        let tables = [
            "contacts",
            "activities",
            "pending_activities",
            "todos",
            "stage_changes",
            "stages",
            "workflows",
            "activity_types",
            "transitions",
            "stage_activity_rules",
        ];
        assert_eq!(
            count("SELECT COUNT(*) FROM contacts").await,
            0,
            "no company set: no row"
        );
        for table in tables {
            let sql: &'static str =
                Box::leak(format!("SELECT COUNT(*) FROM {table}").into_boxed_str());
            assert_eq!(count(sql).await, 0, "{table} without a company");
        }
        txn.execute_unprepared(
            "SELECT set_config('contactflow.company_id', (SELECT id::text FROM companies WHERE code = 'ACME'), true)",
        )
        .await
        .unwrap();
        assert_eq!(
            count("SELECT COUNT(*) FROM contacts").await,
            36,
            "ACME's, and only those"
        );
        // A row written for another company is refused, whatever the statement says.
        let smuggled = txn
            .execute_unprepared(
                "UPDATE contacts SET name = 'taken' WHERE company_id = (SELECT id FROM companies WHERE code = 'GLOBEX')",
            )
            .await
            .unwrap();
        assert_eq!(smuggled.rows_affected(), 0);
        txn.rollback().await.unwrap();
        db.close().await.ok();
        server.finish().await;
    }
}

/// Across instances: a reminder another instance schedules in GLOBEX reaches the assignee's
/// GLOBEX feed and never the same person's ACME feed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_scheduled_on_another_instance_reaches_only_its_companys_feed() {
    use std::time::Duration;

    use crate::support::socket::{Socket, next, open, send};
    use crate::support::{Backend, TestServer};

    let Some(first) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let second = TestServer::start_on(&first.database_url, false).await;
    async fn feed(server: &TestServer, token: &str) -> Socket {
        let mut socket = open(server, "graphql-transport-ws").await;
        send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
        assert_eq!(
            next(&mut socket, Duration::from_secs(5)).await.unwrap()["type"],
            "connection_ack"
        );
        send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { reminders { kind reminder { pendingActivity { id } } } }" } })).await;
        socket
    }
    async fn quiet(socket: &mut Socket, within: Duration) -> Vec<Value> {
        let mut received = Vec::new();
        while let Ok(message) = next(socket, within).await {
            if message["type"] == "next" {
                received.push(message);
            }
        }
        received
    }
    let mut acme = feed(&second, &token_for(&second, "bob", "ACME").await).await;
    let mut globex = feed(&second, &token_for(&second, "bob", "GLOBEX").await).await;
    quiet(&mut acme, Duration::from_millis(700)).await;
    quiet(&mut globex, Duration::from_millis(700)).await;
    // On the first instance, GLOBEX's admin gives bob something to do, its reminder showing now.
    let admin = token_for(&first, "admin", "GLOBEX").await;
    let ids = first
        .data(
            &admin,
            "{ activityTypes { id code } operators { id login } }",
            json!({}),
        )
        .await;
    let of = |list: &str, key: &str, value: &str| {
        ids[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x[key] == value)
            .unwrap()["id"]
            .clone()
    };
    let starts = chrono::Utc::now() - chrono::Duration::minutes(1);
    let input = json!({ "name": "Globex lead", "pendingActivity": {
        "activityTypeId": of("activityTypes", "code", "EMAIL"), "assigneeId": of("operators", "login", "bob"),
        "reminderStartsAt": starts.to_rfc3339(), "reminderEndsAt": (starts + chrono::Duration::hours(2)).to_rfc3339() } });
    let saved = first
        .data(&admin, "mutation($i: SaveContactInput!) { saveContact(input: $i) { pendingActivity { id } userErrors { code } } }", json!({ "i": input }))
        .await;
    assert_eq!(saved["saveContact"]["userErrors"], json!([]));
    let pending = saved["saveContact"]["pendingActivity"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reached = quiet(&mut globex, Duration::from_secs(2)).await;
    assert!(
        Value::Array(reached).to_string().contains(&pending),
        "the GLOBEX feed on the other instance gets it"
    );
    let leaked = quiet(&mut acme, Duration::from_secs(1)).await;
    assert!(
        !Value::Array(leaked).to_string().contains(&pending),
        "the ACME feed never does"
    );
    second.finish().await;
    first.finish().await;
}
