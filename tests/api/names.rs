//! Names in the operator's language: `name` of a stage or activity type in the request's
//! `Accept-Language`, else the operator's `locale`, else the default; the demo's Italian names;
//! `localizedNames` edited through `saveActivityType` and `saveWorkflow`, refused when malformed
//! without writing anything.

use serde_json::{Value, json};

use crate::support::socket::{next, send, ws_url};
use crate::support::{DemoIds, TestServer, on_both_databases, user_errors};

const NAMES: &str = "{ workflows { stages { code name localizedNames { locale name } } } activityTypes { code name localizedNames { locale name } } }";
const SAVE_TYPE: &str = "mutation($input: SaveActivityTypeInput!) { saveActivityType(input: $input) { activityType { code name localizedNames { locale name } } userErrors { field code } } }";
const SAVE_OPERATOR: &str = "mutation($input: SaveOperatorInput!) { saveOperator(input: $input) { operator { login locale } userErrors { field code } } }";
const SAVE_WORKFLOW: &str = "mutation($input: SaveWorkflowInput!) { saveWorkflow(input: $input) { workflow { stages { code name localizedNames { locale name } } } userErrors { field code } } }";

/// `query` as `token` asks it, reading `languages` (an `Accept-Language`, if any).
async fn read_in(server: &TestServer, token: &str, languages: Option<&str>) -> Value {
    let mut request = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({ "query": NAMES }));
    if let Some(languages) = languages {
        request = request.header("accept-language", languages);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

fn name_of(data: &Value, list: &str, code: &str) -> String {
    let items = if list == "stages" {
        data["workflows"][0]["stages"].as_array().unwrap().clone()
    } else {
        data["activityTypes"].as_array().unwrap().clone()
    };
    let item = items.iter().find(|item| item["code"] == code).unwrap();
    item["name"].as_str().unwrap().to_owned()
}

async fn names_follow_accept_language_then_the_operators_locale(server: &TestServer) {
    let alice = server.login("alice").await;
    let english = read_in(server, &alice, None).await;
    assert_eq!(name_of(&english, "stages", "START"), "Start");
    assert_eq!(name_of(&english, "types", "CALL"), "Call");
    for header in ["it", "it-IT,it;q=0.9,en;q=0.8", "fr, it-CH;q=0.5"] {
        let italian = read_in(server, &alice, Some(header)).await;
        assert_eq!(name_of(&italian, "stages", "START"), "Inizio", "{header}");
        assert_eq!(name_of(&italian, "stages", "OPPORTUNITY"), "Opportunità");
        assert_eq!(name_of(&italian, "types", "CALL"), "Telefonata");
        assert_eq!(
            name_of(&italian, "types", "DISCOVERY_CALL"),
            "Call conoscitiva"
        );
    }
    for header in ["de", "en-GB", "it;q=0, en", "*", "not a language"] {
        let default = read_in(server, &alice, Some(header)).await;
        assert_eq!(name_of(&default, "stages", "START"), "Start", "{header}");
    }
    // Every stage and type of the demo has its Italian name listed.
    for stage in english["workflows"][0]["stages"].as_array().unwrap() {
        assert_eq!(stage["localizedNames"][0]["locale"], "it", "{stage}");
    }
    assert_eq!(
        english["activityTypes"][0]["localizedNames"],
        json!([{ "locale": "it", "name": "Telefonata" }])
    );

    // An operator who reads Italian sees Italian names unless the request asks for a language
    // that has names.
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let saved = server
        .data(
            &admin,
            SAVE_OPERATOR,
            json!({ "input": { "id": ids.operator("alice"), "locale": "IT" } }),
        )
        .await;
    assert_eq!(
        saved["saveOperator"]["operator"],
        json!({ "login": "alice", "locale": "it" })
    );
    let own = read_in(server, &alice, None).await;
    assert_eq!(name_of(&own, "stages", "CUSTOMER"), "Cliente");
    let asked = read_in(server, &alice, Some("en")).await;
    assert_eq!(
        name_of(&asked, "stages", "CUSTOMER"),
        "Cliente",
        "no English names are stored, so the operator's locale decides"
    );
    let maria = server.login("maria").await;
    assert_eq!(
        name_of(&read_in(server, &maria, None).await, "stages", "CUSTOMER"),
        "Customer"
    );
}

async fn a_socket_reads_names_in_its_upgrades_language(server: &TestServer) {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let token = server.login("alice").await;
    let mut request = ws_url(server).into_client_request().unwrap();
    let headers = request.headers_mut();
    headers.insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    headers.insert("Accept-Language", "it".parse().unwrap());
    let mut socket = tokio_tungstenite::connect_async(request).await.unwrap().0;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    let within = std::time::Duration::from_secs(3);
    assert_eq!(
        next(&mut socket, within).await.unwrap()["type"],
        "connection_ack"
    );
    send(
        &mut socket,
        json!({ "id": "1", "type": "subscribe", "payload": { "query": NAMES } }),
    )
    .await;
    let answer = next(&mut socket, within).await.unwrap();
    assert_eq!(
        name_of(&answer["payload"]["data"], "stages", "LEAD"),
        "Lead"
    );
    assert_eq!(
        name_of(&answer["payload"]["data"], "stages", "CLOSED"),
        "Chiuso"
    );
}

async fn localized_names_are_edited_with_their_record(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let saved = server
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "id": ids.kind("MEETING"), "localizedNames": [
                { "locale": "it", "name": " Riunione " }, { "locale": "de-ch", "name": "Sitzung" } ] } }),
        )
        .await["saveActivityType"]
        .clone();
    assert_eq!(saved["userErrors"], json!([]));
    assert_eq!(
        saved["activityType"]["localizedNames"],
        json!([{ "locale": "de-CH", "name": "Sitzung" }, { "locale": "it", "name": "Riunione" }])
    );
    let german = read_in(server, &admin, Some("de")).await;
    assert_eq!(name_of(&german, "types", "MEETING"), "Sitzung");
    // Without localizedNames, an edit keeps them; an empty list clears them.
    let renamed = server
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "id": ids.kind("MEETING"), "name": "Meeting (on site)" } }),
        )
        .await["saveActivityType"]
        .clone();
    assert_eq!(
        renamed["activityType"]["localizedNames"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let cleared = server
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "id": ids.kind("MEETING"), "localizedNames": [] } }),
        )
        .await["saveActivityType"]
        .clone();
    assert_eq!(cleared["activityType"]["localizedNames"], json!([]));
    assert_eq!(cleared["activityType"]["name"], "Meeting (on site)");

    // A workflow's stages carry theirs.
    let definition = json!({ "code": "SUPPORT", "name": "Support", "stages": [
        { "code": "NEW", "name": "New", "localizedNames": [{ "locale": "it", "name": "Nuovo" }] },
        { "code": "DONE", "name": "Done", "isFinal": true } ] });
    let workflow = server
        .data(&admin, SAVE_WORKFLOW, json!({ "input": definition }))
        .await["saveWorkflow"]
        .clone();
    assert_eq!(workflow["userErrors"], json!([]), "{workflow}");
    assert_eq!(
        workflow["workflow"]["stages"][0]["localizedNames"],
        json!([{ "locale": "it", "name": "Nuovo" }])
    );
}

async fn malformed_localized_names_are_refused_and_nothing_is_written(server: &TestServer) {
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let before = server.snapshot().await;
    let refused = server
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "id": ids.kind("MEETING"), "name": "Changed", "localizedNames": [
                { "locale": "it", "name": "Riunione" }, { "locale": "IT", "name": "Doppio" },
                { "locale": "it_IT", "name": "Sbagliato" }, { "locale": "fr", "name": " " },
                { "locale": "de", "name": "x".repeat(201) }, { "locale": "es", "name": "a\u{0}b" } ] } }),
        )
        .await["saveActivityType"]
        .clone();
    assert_eq!(
        user_errors(&refused),
        [
            (
                "INVALID_INPUT".to_owned(),
                "input.localizedNames.1.locale".to_owned()
            ),
            (
                "INVALID_INPUT".to_owned(),
                "input.localizedNames.2.locale".to_owned()
            ),
            (
                "INVALID_INPUT".to_owned(),
                "input.localizedNames.3.name".to_owned()
            ),
            (
                "TOO_LONG".to_owned(),
                "input.localizedNames.4.name".to_owned()
            ),
            (
                "INVALID_INPUT".to_owned(),
                "input.localizedNames.5.name".to_owned()
            ),
        ],
        "{refused}"
    );
    let stage = json!({ "code": "BAD", "name": "Bad", "stages": [
        { "code": "A", "name": "A", "localizedNames": [{ "locale": "", "name": "A" }] } ] });
    let workflow = server
        .data(&admin, SAVE_WORKFLOW, json!({ "input": stage }))
        .await["saveWorkflow"]
        .clone();
    assert_eq!(
        user_errors(&workflow),
        [(
            "INVALID_INPUT".to_owned(),
            "input.stages.0.localizedNames.0.locale".to_owned()
        )]
    );
    let operator = server
        .data(
            &admin,
            SAVE_OPERATOR,
            json!({ "input": { "id": ids.operator("bob"), "locale": "klingon_language" } }),
        )
        .await["saveOperator"]
        .clone();
    assert_eq!(
        user_errors(&operator),
        [("INVALID_INPUT".to_owned(), "input.locale".to_owned())]
    );
    assert_eq!(server.snapshot().await, before, "nothing was written");
    let italian = read_in(server, &admin, Some("it")).await;
    assert_eq!(name_of(&italian, "types", "MEETING"), "Incontro");
}

on_both_databases!(
    names_follow_accept_language_then_the_operators_locale,
    a_socket_reads_names_in_its_upgrades_language,
    localized_names_are_edited_with_their_record,
    malformed_localized_names_are_refused_and_nothing_is_written,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_shows_an_edited_name_as_soon_as_it_hears() {
    let Some(first) = TestServer::start(crate::support::Backend::Postgres).await else {
        return;
    };
    let second = TestServer::start_on(&first.database_url, false).await;
    let admin = first.login("admin").await;
    let ids = DemoIds::read(&first, &admin).await;
    assert_eq!(
        name_of(
            &read_in(&second, &admin, Some("it")).await,
            "types",
            "QUOTE"
        ),
        "Offerta"
    );
    first
        .data(
            &admin,
            SAVE_TYPE,
            json!({ "input": { "id": ids.kind("QUOTE"), "localizedNames": [{ "locale": "it", "name": "Preventivo" }] } }),
        )
        .await;
    assert_eq!(
        name_of(&read_in(&first, &admin, Some("it")).await, "types", "QUOTE"),
        "Preventivo",
        "at once where it was edited"
    );
    // Told through NOTIFY, well before it would read its configuration again anyway.
    let heard_within = contactflow::service::snapshot::KEPT_FOR / 2;
    let deadline = std::time::Instant::now() + heard_within;
    loop {
        let shown = name_of(
            &read_in(&second, &admin, Some("it")).await,
            "types",
            "QUOTE",
        );
        if shown == "Preventivo" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {shown} after {heard_within:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    second.finish().await;
    first.finish().await;
}
