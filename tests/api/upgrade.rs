//! A database made by the release before companies, upgraded: the rows of its demo (kept in
//! `tests/fixtures/release-demo.sql`, dumped from that release) move into the first company,
//! and every row and every id still works through the API.

use sea_orm::{ConnectionTrait, Database, DbBackend};
use serde_json::{Value, json};

use crate::support::{Backend, TestDatabase, TestServer, nodes};

/// The statements of the fixture, in order (one per line).
const RELEASE_DEMO: &str = include_str!("../fixtures/release-demo.sql");

/// The migrations that release had applied.
const RELEASE_MIGRATIONS: u32 = 3;

async fn a_release_database(backend: Backend) -> Option<TestDatabase> {
    let database = TestDatabase::fresh(backend).await?;
    let db = Database::connect(database.url.as_str()).await.unwrap();
    use migration::MigratorTrait;
    migration::Migrator::up(&db, Some(RELEASE_MIGRATIONS))
        .await
        .unwrap();
    for statement in RELEASE_DEMO
        .lines()
        .filter(|line| line.starts_with("INSERT"))
    {
        db.execute_unprepared(statement)
            .await
            .unwrap_or_else(|error| panic!("{statement}: {error}"));
    }
    if db.get_database_backend() == DbBackend::Postgres {
        // The release's own inserts moved its sequences; explicit ids do not.
        for table in RELEASE_DEMO.lines().filter_map(|line| {
            line.strip_prefix("INSERT INTO \"")
                .and_then(|rest| rest.split('"').next())
        }) {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM \"{table}\"))"
            ))
            .await
            .ok();
        }
    }
    db.close().await.ok();
    Some(database)
}

/// Counts the fixture's rows of one table.
fn rows_of(table: &str) -> usize {
    let head = format!("INSERT INTO \"{table}\" ");
    RELEASE_DEMO
        .lines()
        .filter(|line| line.starts_with(&head))
        .count()
}

async fn every_row_and_id_of_the_release_works_after_the_upgrade(backend: Backend) {
    let Some(database) = a_release_database(backend).await else {
        return;
    };
    let server = TestServer::start_on_database(database, false).await;
    let admin = server.login("admin").await;
    let seen = server
        .data(
            &admin,
            "{ company { code } companies { code } me { role } operators { id login role active }
               workflows { id code stages { id code } transitions { id } } activityTypes(includeInactive: true) { id code }
               contacts(first: 100) { totalCount edges { node { id version name stage { code } owner { login }
                 activities(first: 100) { totalCount } stageLog(first: 100) { totalCount } pendingActivities { id status } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        seen["company"]["code"], "MAIN",
        "the rows moved into the first company"
    );
    assert_eq!(seen["companies"], json!([{ "code": "MAIN" }]));
    assert_eq!(seen["me"]["role"], "ADMIN", "roles moved into memberships");
    assert_eq!(
        seen["operators"].as_array().unwrap().len(),
        rows_of("operators")
    );
    assert_eq!(
        seen["activityTypes"].as_array().unwrap().len(),
        rows_of("activity_types")
    );
    assert_eq!(seen["contacts"]["totalCount"], rows_of("contacts"));
    let contacts = nodes(&seen["contacts"]);
    let activities: i64 = contacts
        .iter()
        .map(|c| c["activities"]["totalCount"].as_i64().unwrap())
        .sum();
    let log: i64 = contacts
        .iter()
        .map(|c| c["stageLog"]["totalCount"].as_i64().unwrap())
        .sum();
    assert_eq!(activities as usize, rows_of("activities"));
    assert_eq!(log as usize, rows_of("stage_changes"));
    // The ids a client kept from before still name the same records.
    let first: &Value = &contacts[0];
    let again = server
        .data(
            &admin,
            "query($id: ID!) { node(id: $id) { ... on Contact { name version } } }",
            json!({ "id": first["id"] }),
        )
        .await;
    assert_eq!(again["node"]["name"], first["name"]);
    for operator in seen["operators"].as_array().unwrap() {
        let login = operator["login"].as_str().unwrap();
        assert!(
            operator["active"].as_bool().unwrap(),
            "{login} stays active"
        );
        let token = server.login(login).await;
        let me = server.data(&token, "{ me { id role } }", json!({})).await;
        assert_eq!(me["me"]["id"], operator["id"]);
        assert_eq!(me["me"]["role"], operator["role"]);
    }
    // And the upgraded database takes new work: a save with a done activity and a pending one.
    let stage_of = |c: &Value| c["stage"]["code"].as_str().unwrap().to_owned();
    let target = contacts
        .iter()
        .find(|c| stage_of(c) == "START")
        .expect("a contact in START");
    let types = &seen["activityTypes"];
    let call = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "CALL")
        .unwrap()["id"]
        .clone();
    let saved = server
        .data(
            &admin,
            "mutation($i: SaveContactInput!) { saveContact(input: $i) { contact { version } userErrors { code message } } }",
            json!({ "i": { "id": target["id"], "expectedVersion": target["version"], "name": "Upgraded",
                           "activity": { "activityTypeId": call }, "pendingActivity": { "activityTypeId": call, "createTodo": true } } }),
        )
        .await;
    assert_eq!(saved["saveContact"]["userErrors"], json!([]), "{saved}");
    assert_eq!(
        saved["saveContact"]["contact"]["version"],
        target["version"].as_i64().unwrap() + 1
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_sqlite_database_upgrades_with_every_row_and_id() {
    every_row_and_id_of_the_release_works_after_the_upgrade(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_release_postgres_database_upgrades_with_every_row_and_id() {
    every_row_and_id_of_the_release_works_after_the_upgrade(Backend::Postgres).await;
}
