//! What a frontend developer is given: the example operations in `examples/operations` (shown
//! in the README and GraphiQL) run against the live server as they stand, the TypeScript
//! generated from them type-checks, and the schema guard refuses unmarked breaking changes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::socket::{next, open, send};
use crate::support::tools::{npm_ci, repo, report, require, run_checked};
use crate::support::{DemoIds, TestServer, on_both_databases, user_errors};

/// The example operations, by file name without `.graphql`.
const OPERATIONS: [&str; 15] = [
    "SignIn",
    "RefreshSession",
    "ContactsByStage",
    "ContactDetail",
    "SaveContactWithPending",
    "MoveContactToStage",
    "MyTodos",
    "MyReminders",
    "CompletePendingActivity",
    "SnoozeReminder",
    "DismissReminder",
    "Reminders",
    "ContactEvents",
    "PipelineReport",
    "MoveContactsToStage",
];

fn operation(name: &str) -> String {
    std::fs::read_to_string(repo(&format!("examples/operations/{name}.graphql")))
        .unwrap_or_else(|e| panic!("examples/operations/{name}.graphql: {e}"))
}

/// Runs an example operation and returns its data; it must have no top-level error.
async fn run(server: &TestServer, token: Option<&str>, name: &str, variables: Value) -> Value {
    let response = server.post(token, &operation(name), variables).await;
    assert!(response.get("errors").is_none(), "{name}: {response}");
    response["data"].clone()
}

async fn the_example_operations_run_as_the_readme_shows_them(server: &TestServer) {
    let signed_in = run(
        server,
        None,
        "SignIn",
        json!({ "input": { "login": "maria", "password": "demo" } }),
    )
    .await;
    let token = signed_in["login"]["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    assert_eq!(signed_in["login"]["operator"]["role"], "MANAGER");
    let ids = DemoIds::read(server, &token).await;

    // The reminders subscription is open before the save, so its reminder arrives live.
    let mut socket = open(server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(2)).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": operation("Reminders") } }),
    )
    .await;

    // And the board's feed, on a socket of its own.
    let mut board = open(server, "graphql-transport-ws").await;
    send(&mut board, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(
        next(&mut board, Duration::from_secs(2)).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut board,
        json!({ "id": "board", "type": "subscribe", "payload": { "query": operation("ContactEvents"), "variables": { "workflowId": null, "after": null } } }),
    )
    .await;
    // Subscribed once the server counts it (it misses nothing from then on).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !server
        .metrics()
        .await
        .lines()
        .any(|line| line == "contactflow_contact_event_subscribers 1")
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the board's feed tuned in"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let now = chrono::Utc::now();
    let saved = run(
        server,
        Some(&token),
        "SaveContactWithPending",
        json!({ "input": {
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "activity": { "activityTypeId": ids.kind("CALL"), "description": "First call" },
            "pendingActivity": {
                "activityTypeId": ids.kind("EMAIL"),
                "description": "Send the product sheet",
                "dueAt": (now + chrono::Duration::days(2)).to_rfc3339(),
                "reminderStartsAt": (now + chrono::Duration::seconds(1)).to_rfc3339(),
                "reminderEndsAt": (now + chrono::Duration::days(2)).to_rfc3339(),
                "createTodo": true,
            },
        }}),
    )
    .await;
    let payload = &saved["saveContact"];
    assert_eq!(user_errors(payload), vec![]);
    assert_eq!(payload["contact"]["stage"]["code"], "START");
    assert_eq!(payload["activity"]["type"]["code"], "CALL");
    assert_eq!(
        payload["pendingActivity"]["assignee"]["displayName"],
        "Maria Rossi"
    );
    assert!(payload["todo"]["id"].is_string());
    let contact_id = payload["contact"]["id"].clone();

    let due = loop {
        let message = next(&mut socket, Duration::from_secs(10))
            .await
            .expect("a reminder event");
        let event = &message["payload"]["data"]["reminders"];
        if event["reminder"]["contact"]["name"] == "Ada Lovelace" {
            break event.clone();
        }
    };
    assert_eq!(due["kind"], "DUE");
    assert_eq!(
        due["reminder"]["pendingActivity"]["description"],
        "Send the product sheet"
    );

    let moved = run(
        server,
        Some(&token),
        "MoveContactToStage",
        json!({ "input": {
            "contactId": contact_id,
            "toStageId": ids.stage("QUALIFICATION"),
            "expectedVersion": payload["contact"]["version"],
        }}),
    )
    .await;
    let payload = &moved["moveContactToStage"];
    assert_eq!(user_errors(payload), vec![]);
    assert_eq!(payload["stageChange"]["from"]["code"], "START");
    assert_eq!(payload["stageChange"]["to"]["code"], "QUALIFICATION");
    // The board heard the save and the move, in order.
    let mut heard = Vec::new();
    while heard.len() < 4 {
        let message = next(&mut board, Duration::from_secs(10))
            .await
            .expect("a contact event");
        if message["type"] == "next" {
            heard.push(message["payload"]["data"]["contactEvents"].clone());
        }
    }
    let kinds: Vec<&str> = heard.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "CREATED",
            "ACTIVITY_RECORDED",
            "PENDING_SCHEDULED",
            "STAGE_CHANGED"
        ]
    );
    assert!(heard.iter().all(|e| e["contact"]["id"] == contact_id));
    assert_eq!(heard[3]["stageChange"]["to"]["code"], "QUALIFICATION");
    assert_eq!(heard[3]["operator"]["displayName"], "Maria Rossi");

    // Page through QUALIFICATION two at a time: every contact once, Ada among them.
    let (mut after, mut names) = (Value::Null, Vec::new());
    let total = loop {
        let page = run(
            server,
            Some(&token),
            "ContactsByStage",
            json!({ "stageIds": [ids.stage("QUALIFICATION")], "first": 2, "after": after }),
        )
        .await;
        let contacts = &page["contacts"];
        for edge in contacts["edges"].as_array().unwrap() {
            assert_eq!(edge["node"]["stage"]["code"], "QUALIFICATION");
            names.push(edge["node"]["name"].as_str().unwrap().to_owned());
        }
        if contacts["pageInfo"]["hasNextPage"] != true {
            break contacts["totalCount"].as_i64().unwrap();
        }
        after = contacts["pageInfo"]["endCursor"].clone();
    };
    assert_eq!(names.len() as i64, total);
    assert!(names.contains(&"Ada Lovelace".to_owned()));
    the_screens_of_a_crm_client_run_as_kept(server, &signed_in, &contact_id).await;
    the_insight_operations_run_as_kept(server, &token, &ids, &contact_id).await;
}

/// The analyst's flow report, and the manager's bulk move back and forth.
async fn the_insight_operations_run_as_kept(
    server: &TestServer,
    token: &str,
    ids: &DemoIds,
    contact_id: &Value,
) {
    let workflow =
        server.data(token, "{ workflows { id } }", json!({})).await["workflows"][0]["id"].clone();
    let now = chrono::Utc::now();
    let report = run(
        server,
        Some(token),
        "PipelineReport",
        json!({ "workflowId": workflow, "from": (now - chrono::Duration::days(30)).to_rfc3339(), "to": now.to_rfc3339() }),
    )
    .await;
    let stages = report["pipelineReport"]["stages"].as_array().unwrap();
    let qualification = stages
        .iter()
        .find(|s| s["stage"]["code"] == "QUALIFICATION")
        .expect("every stage is reported");
    assert_eq!(qualification["stage"]["staleAfterDays"], 7);
    assert!(
        qualification["entered"].as_i64().unwrap() >= 1,
        "Ada entered it"
    );
    let moved = run(
        server,
        Some(token),
        "MoveContactsToStage",
        json!({ "input": { "contactIds": [contact_id], "toStageId": ids.stage("NOT_QUALIFIED") } }),
    )
    .await;
    let payload = &moved["moveContactsToStage"];
    assert_eq!(payload["userErrors"], json!([]));
    assert_eq!(
        user_errors(&payload["results"][0]),
        vec![(
            "MANDATORY_ACTIVITY_MISSING".to_owned(),
            "input.toStageId".to_owned()
        )],
        "Ada had no discovery call"
    );
    assert_eq!(payload["movedCount"], 0);
}

/// The operations of the screens behind the list: the contact, my to-dos, my reminders and
/// what is done with them, and renewing the session.
async fn the_screens_of_a_crm_client_run_as_kept(
    server: &TestServer,
    signed_in: &Value,
    contact_id: &Value,
) {
    let renewed = run(
        server,
        None,
        "RefreshSession",
        json!({ "input": { "refreshToken": signed_in["login"]["refreshToken"] } }),
    )
    .await;
    assert_eq!(user_errors(&renewed["refreshToken"]), vec![]);
    let token = renewed["refreshToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = Some(token.as_str());

    let detail = run(server, token, "ContactDetail", json!({ "id": contact_id })).await;
    let contact = &detail["contact"];
    assert_eq!(contact["name"], "Ada Lovelace");
    assert_eq!(contact["stage"]["code"], "QUALIFICATION");
    assert_eq!(contact["activities"]["totalCount"], 1);
    assert_eq!(contact["stageLog"]["edges"].as_array().unwrap().len(), 2);
    assert!(contact["availableTransitions"].as_array().unwrap().len() >= 2);
    assert!(contact["allowedActivityTypes"].as_array().unwrap().len() >= 3);
    let pending = contact["pendingActivities"][0].clone();
    assert_eq!(pending["status"], "OPEN");

    let todos = run(server, token, "MyTodos", json!({})).await;
    let mine: Vec<&Value> = todos["todos"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|edge| edge["node"]["contact"]["id"] == *contact_id)
        .collect();
    assert_eq!(mine.len(), 1, "{todos}");

    let showing = run(server, token, "MyReminders", json!({})).await;
    let reminder = showing["activeReminders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|reminder| reminder["contact"]["id"] == *contact_id)
        .expect("the save's reminder shows")
        .clone();
    let later = chrono::Utc::now() + chrono::Duration::hours(2);
    let snoozed = run(
        server,
        token,
        "SnoozeReminder",
        json!({ "input": { "reminderId": reminder["id"], "until": later.to_rfc3339() } }),
    )
    .await;
    assert_eq!(user_errors(&snoozed["snoozeReminder"]), vec![]);
    assert_eq!(snoozed["snoozeReminder"]["reminder"]["state"], "SNOOZED");
    let dismissed = run(
        server,
        token,
        "DismissReminder",
        json!({ "input": { "reminderId": reminder["id"] } }),
    )
    .await;
    assert_eq!(user_errors(&dismissed["dismissReminder"]), vec![]);
    assert_eq!(
        dismissed["dismissReminder"]["reminder"]["state"],
        "DISMISSED"
    );

    let completed = run(
        server,
        token,
        "CompletePendingActivity",
        json!({ "input": { "pendingActivityId": pending["id"], "description": "Sheet sent" } }),
    )
    .await;
    let payload = &completed["completePendingActivity"];
    assert_eq!(user_errors(payload), vec![]);
    assert_eq!(payload["pendingActivity"]["status"], "DONE");
    assert_eq!(payload["pendingActivity"]["todo"]["status"], "DONE");
    let after = run(server, token, "ContactDetail", json!({ "id": contact_id })).await;
    assert_eq!(after["contact"]["activities"]["totalCount"], 2);
}

on_both_databases!(the_example_operations_run_as_the_readme_shows_them);

/// The trusted-documents manifest codegen writes for the example operations, saved where a
/// server can read it.
fn generated_manifest(into: &Path) -> Option<(std::path::PathBuf, Value)> {
    if !require("npm", "the trusted documents check") {
        return None;
    }
    let dir = npm_ci("examples/client");
    let generated = codegen(&dir, None);
    assert!(
        generated.status.success(),
        "codegen:\n{}",
        report(&generated)
    );
    let text = {
        let _read_alone = CODEGEN
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::fs::read_to_string(dir.join("src/gql/persisted-documents.json")).unwrap()
    };
    let path = into.join("persisted-documents.json");
    std::fs::write(&path, &text).unwrap();
    Some((path, serde_json::from_str(&text).unwrap()))
}

/// The id of the manifest's document of operation `name`.
fn id_of(manifest: &Value, name: &str) -> String {
    manifest
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, document)| {
            let named = document
                .as_str()
                .unwrap()
                .split_whitespace()
                .nth(1)
                .unwrap_or("");
            named.split(['(', '{']).next() == Some(name)
        })
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("{name} is not in the manifest"))
}

async fn trusted_documents_from_codegen_run_and_nothing_else(backend: crate::support::Backend) {
    let dir = tempfile::tempdir().unwrap();
    let Some((path, manifest)) = generated_manifest(dir.path()) else {
        return;
    };
    assert_eq!(manifest.as_object().unwrap().len(), OPERATIONS.len());
    let Some(server) = TestServer::start_adjusted(backend, true, |settings| {
        settings.persisted_documents = Some(path.clone());
        settings.only_persisted_documents = true;
    })
    .await
    else {
        return;
    };
    // Sign in by the document's id alone (the GraphQL over HTTP `documentId`, as codegen names it).
    let signed_in = server
        .post_body(json!({
            "documentId": id_of(&manifest, "SignIn"),
            "variables": { "input": { "login": "maria", "password": "demo" } }
        }))
        .await;
    let token = signed_in["data"]["login"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{signed_in}"))
        .to_owned();
    // A query by Apollo's persistedQuery hash, by Relay's doc_id, and over GET.
    let id = id_of(&manifest, "ContactsByStage");
    let hash = id.trim_start_matches("sha256:").to_owned();
    let nothing = server.post(Some(&token), "", json!({})).await;
    assert_eq!(
        crate::support::error_codes(&nothing),
        ["PERSISTED_QUERY_NOT_FOUND"]
    );
    for body in [
        json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
        json!({ "doc_id": id }),
    ] {
        let answer = server
            .http()
            .post(format!("{}/graphql", server.base))
            .header("authorization", format!("Bearer {token}"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap();
        assert!(answer.get("errors").is_none(), "{body}: {answer}");
        assert!(answer["data"]["contacts"]["totalCount"].as_i64().unwrap() > 0);
    }
    let over_get = server
        .http()
        .get(format!("{}/graphql", server.base))
        .query(&[("documentId", id.as_str()), ("variables", "{\"first\": 2}")])
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        over_get["data"]["contacts"]["edges"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{over_get}"
    );

    // Anything else is refused before it runs, a crafted document or a registered hash alike.
    let before = server.snapshot().await;
    let crafted = "mutation { saveContact(input: { name: \"Crafted\" }) { contact { id } } }";
    let refused = server.post(Some(&token), crafted, json!({})).await;
    assert_eq!(
        crate::support::error_codes(&refused),
        ["PERSISTED_QUERY_NOT_FOUND"]
    );
    let registered = server
        .post_body(json!({ "query": "{ __typename }", "extensions": { "persistedQuery": {
            "version": 1, "sha256Hash": contactflow::service::digest::sha256_hex("{ __typename }") } } }))
        .await;
    assert_eq!(
        crate::support::error_codes(&registered),
        ["PERSISTED_QUERY_NOT_FOUND"]
    );
    let unknown = server.post_body(json!({ "documentId": "sha256:00" })).await;
    assert_eq!(
        crate::support::error_codes(&unknown),
        ["PERSISTED_QUERY_NOT_FOUND"]
    );
    assert_eq!(server.snapshot().await, before, "nothing was written");

    // A subscription comes by its id too; a document sent as it is gets an error for its id.
    let mut socket = open(&server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    let within = Duration::from_secs(2);
    assert_eq!(
        next(&mut socket, within).await.unwrap()["type"],
        "connection_ack"
    );
    send(&mut socket, json!({ "id": "plain", "type": "subscribe", "payload": { "query": operation("Reminders") } })).await;
    let error = next(&mut socket, within).await.unwrap();
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    let reminders = json!({ "id": "trusted", "type": "subscribe", "payload": {
        "query": "", "extensions": { "documentId": id_of(&manifest, "Reminders") } } });
    send(&mut socket, reminders).await;
    // The demo has reminders already due for maria: the trusted subscription delivers them.
    let delivered = next(&mut socket, within).await.unwrap();
    assert_eq!(delivered["type"], "next", "{delivered}");
    assert_eq!(delivered["id"], "trusted");
    assert!(
        delivered["payload"]["data"]["reminders"].is_object(),
        "{delivered}"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_documents_from_codegen_run_and_nothing_else_on_sqlite() {
    trusted_documents_from_codegen_run_and_nothing_else(crate::support::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_documents_from_codegen_run_and_nothing_else_on_postgres() {
    trusted_documents_from_codegen_run_and_nothing_else(crate::support::Backend::Postgres).await;
}

#[test]
fn a_manifest_that_cannot_be_trusted_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("manifest.json");
    std::fs::write(&manifest, r#"{ "sha256:0000000000000000000000000000000000000000000000000000000000000000": "{ me { id } }" }"#).unwrap();
    for (variable, value) in [
        (
            "CONTACTFLOW_PERSISTED_DOCUMENTS",
            manifest.display().to_string(),
        ),
        (
            "CONTACTFLOW_PERSISTED_DOCUMENTS",
            dir.path().join("missing.json").display().to_string(),
        ),
        ("CONTACTFLOW_ONLY_PERSISTED_DOCUMENTS", "true".to_owned()),
    ] {
        let output = crate::support::binary::contactflow()
            .args(["serve", "--addr", "127.0.0.1:0"])
            .env(variable, &value)
            // The app's own manifest would be enough for "only persisted documents".
            .env("CONTACTFLOW_APP", "false")
            .current_dir(dir.path())
            .output()
            .expect("runs");
        assert!(!output.status.success(), "{variable}={value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(variable), "{variable}: {stderr}");
    }
}

#[test]
fn the_readme_shows_each_example_operation_as_it_is_kept() {
    let readme = std::fs::read_to_string(repo("README.md")).unwrap();
    for name in OPERATIONS {
        let text = operation(name);
        // The README shows the operation itself; the comment lines above it may be reworded.
        let body: String = text
            .lines()
            .skip_while(|line| line.starts_with('#'))
            .map(|line| format!("{line}\n"))
            .collect();
        assert!(
            readme.contains(&body),
            "README.md must show examples/operations/{name}.graphql as it is:\n{body}"
        );
    }
}

/// Codegen writes into one directory: one run at a time.
static CODEGEN: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn codegen(dir: &Path, documents: Option<&Path>) -> std::process::Output {
    let _one_at_a_time = CODEGEN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut command = Command::new("npm");
    command
        .args(["run", "--silent", "codegen"])
        .current_dir(dir);
    if let Some(documents) = documents {
        command.env("CONTACTFLOW_OPERATIONS", documents);
    }
    command.output().expect("npm runs")
}

#[test]
fn the_generated_typescript_client_type_checks_and_a_wrong_operation_does_not_generate() {
    if !require("npm", "the typed-client check") {
        return;
    }
    let dir = npm_ci("examples/client");
    let generated = codegen(&dir, None);
    assert!(
        generated.status.success(),
        "codegen:\n{}",
        report(&generated)
    );
    let types = std::fs::read_to_string(dir.join("src/gql/graphql.ts")).unwrap();
    for name in OPERATIONS {
        assert!(
            types.contains(&format!("export const {name}Document")),
            "{name}"
        );
    }
    run_checked(
        Command::new("npm")
            .args(["run", "--silent", "typecheck"])
            .current_dir(&dir),
        "tsc",
    );

    let wrong = tempfile::tempdir().unwrap();
    std::fs::write(
        wrong.path().join("Wrong.graphql"),
        "query Wrong { contacts { edges { node { fullName } } } }",
    )
    .unwrap();
    let refused = codegen(&dir, Some(&wrong.path().join("*.graphql")));
    assert!(
        !refused.status.success(),
        "codegen accepted an unknown field"
    );
    assert!(
        report(&refused).contains("fullName"),
        "{}",
        report(&refused)
    );
    // Leave the generated client of the real operations behind, as the check made it.
    assert!(codegen(&dir, None).status.success());
}

#[test]
fn every_example_operation_selects_the_id_of_each_object_that_has_one() {
    if !require("npm", "the graphql-eslint check") {
        return;
    }
    let dir = npm_ci("examples/client");
    // graphql-eslint's require-selections (and the checks beside it), as a frontend's CI runs
    // it: without an id, a normalised cache cannot merge a save's answer and refetches.
    run_checked(
        Command::new("npm")
            .args(["run", "--silent", "lint"])
            .current_dir(&dir),
        "npm run lint (graphql-eslint)",
    );
    // The rule bites: an operation without an id, linted as if it were one of them.
    let mut lint = std::process::Command::new(dir.join("node_modules/.bin/eslint"))
        .args([
            "--max-warnings",
            "0",
            "--stdin",
            "--stdin-filename",
            "operations/NoId.graphql",
        ])
        .current_dir(repo("examples"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("eslint runs");
    use std::io::Write as _;
    lint.stdin
        .take()
        .unwrap()
        .write_all(b"query NoId { me { displayName } }\n")
        .unwrap();
    let refused = lint.wait_with_output().unwrap();
    assert!(
        !refused.status.success(),
        "an operation without id passed the lint"
    );
    assert!(
        report(&refused).contains("require-selections"),
        "{}",
        report(&refused)
    );
}

fn git(dir: &Path, args: &[&str]) {
    run_checked(
        Command::new("git")
            .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
            .args(args)
            .current_dir(dir),
        &format!("git {}", args.join(" ")),
    );
}

fn commit_schema(dir: &Path, sdl: &str, message: &str) {
    std::fs::write(dir.join("schema.graphql"), sdl).unwrap();
    git(dir, &["add", "schema.graphql"]);
    git(dir, &["commit", "-q", "-m", message]);
}

fn guard(dir: &Path) -> std::process::Output {
    Command::new("bash")
        .arg(repo("scripts/schema-guard/check.sh"))
        .arg("HEAD~1..HEAD")
        .env("SCHEMA_GUARD_REPO", dir)
        .output()
        .expect("bash runs")
}

#[test]
fn the_schema_guard_refuses_a_breaking_change_unless_its_commit_is_marked() {
    if !require("npm", "the schema guard") || !require("git", "the schema guard") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    git(path, &["init", "-q"]);
    commit_schema(
        path,
        "type Query { me: String! old: Int }\n",
        "first schema",
    );
    commit_schema(
        path,
        "type Query { me: String! old: Int added: Int }\n",
        "add a field",
    );
    let added = guard(path);
    assert!(
        added.status.success(),
        "an added field is not breaking:\n{}",
        report(&added)
    );

    commit_schema(path, "type Query { me: String! added: Int }\n", "drop old");
    let dropped = guard(path);
    assert!(!dropped.status.success(), "a removed field is breaking");
    assert!(report(&dropped).contains("old"), "{}", report(&dropped));

    commit_schema(
        path,
        "type Query { me: String }\n",
        "loosen me\n\n[breaking-schema] clients updated",
    );
    let marked = guard(path);
    assert!(
        marked.status.success(),
        "a marked break passes:\n{}",
        report(&marked)
    );
}
