//! `pipelineReport` against a reference worked out here, in Rust, from the stage log itself:
//! generated contacts (`seed --contacts`) give thousands of stays of varied lengths, the period
//! cuts many of them in two, and every figure of the server's answer must equal the
//! reference's — on SQLite and on PostgreSQL alike.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::support::binary::contactflow;
use crate::support::{DemoIds, TestServer, error_codes, on_both_databases};

const REPORT: &str = "query($w: ID!, $from: DateTime!, $to: DateTime!) { pipelineReport(workflowId: $w, from: $from, to: $to) {
    workflow { code } from to
    stages { stage { id code } current entered left medianSecondsInStage p90SecondsInStage }
    transitions { from { id } to { id } count } } }";

/// One row of the stage log, as the database holds it.
struct Logged {
    id: i64,
    contact: i64,
    from: Option<i64>,
    to: i64,
    at: DateTime<Utc>,
}

/// The stage log and the contacts' stages of one company, read straight from the database.
async fn log_of(server: &TestServer, company: i64) -> (Vec<Logged>, Vec<i64>) {
    let db = Database::connect(server.database_url.as_str())
        .await
        .unwrap();
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT id, contact_id, from_stage_id, to_stage_id, changed_at FROM stage_changes WHERE company_id = {company}"),
        ))
        .await
        .unwrap();
    let log = rows
        .iter()
        .map(|row| Logged {
            id: row.try_get_by_index(0).unwrap(),
            contact: row.try_get_by_index(1).unwrap(),
            from: row.try_get_by_index(2).unwrap(),
            to: row.try_get_by_index(3).unwrap(),
            at: row.try_get_by_index(4).unwrap(),
        })
        .collect();
    let stages = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("SELECT stage_id FROM contacts WHERE company_id = {company}"),
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    db.close().await.ok();
    (log, stages)
}

/// The discrete percentile: the value at rank ⌈n × p⌉ of the sorted values.
fn percentile(values: &mut [i64], p: f64) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = ((values.len() as f64) * p - 1e-9).ceil().max(1.0) as usize;
    Some(values[rank - 1])
}

/// Stage changes counted by (from, to).
type Pairs = BTreeMap<(Option<i64>, i64), i64>;

/// What the report must say, from the log: stays paired up per contact by time.
fn reference(
    log: &mut [Logged],
    stages_now: &[i64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (BTreeMap<i64, Value>, Pairs) {
    log.sort_by_key(|row| (row.contact, row.at, row.id));
    let inside = |at: DateTime<Utc>| from <= at && at < to;
    let mut stays: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut entered: HashMap<i64, i64> = HashMap::new();
    let mut left: HashMap<i64, i64> = HashMap::new();
    let mut pairs = BTreeMap::new();
    for (index, row) in log.iter().enumerate() {
        if !inside(row.at) {
            continue;
        }
        *entered.entry(row.to).or_default() += 1;
        *pairs.entry((row.from, row.to)).or_default() += 1;
        if let Some(stage) = row.from {
            *left.entry(stage).or_default() += 1;
            let previous = &log[index - 1];
            assert_eq!(previous.contact, row.contact, "a move follows an entry");
            let milliseconds = (row.at - previous.at).num_milliseconds();
            stays.entry(stage).or_default().push(milliseconds / 1000);
        }
    }
    let mut current: HashMap<i64, i64> = HashMap::new();
    for stage in stages_now {
        *current.entry(*stage).or_default() += 1;
    }
    let mut figures = BTreeMap::new();
    let mut stage_ids: Vec<i64> = log.iter().map(|row| row.to).collect();
    stage_ids.extend(stages_now);
    stage_ids.sort_unstable();
    stage_ids.dedup();
    for stage in stage_ids {
        let mut lengths = stays.remove(&stage).unwrap_or_default();
        figures.insert(
            stage,
            json!({
                "current": current.get(&stage).copied().unwrap_or(0),
                "entered": entered.get(&stage).copied().unwrap_or(0),
                "left": left.get(&stage).copied().unwrap_or(0),
                "medianSecondsInStage": percentile(&mut lengths, 0.5),
                "p90SecondsInStage": percentile(&mut lengths, 0.9),
            }),
        );
    }
    (figures, pairs)
}

fn number(id: &Value, of: &str) -> i64 {
    contactflow::graphql::ids::decode(id.as_str().unwrap(), of).unwrap()
}

async fn the_report_equals_a_reference_worked_out_from_the_log(server: &TestServer) {
    let output = contactflow()
        .args([
            "seed",
            "--contacts",
            "3000",
            "--database-url",
            &server.database_url,
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = server.login("alice").await;
    let workflow = server
        .data(
            &token,
            "{ company { id } workflows { id code } }",
            json!({}),
        )
        .await;
    let workflow_id = workflow["workflows"][0]["id"].clone();
    let company = number(
        &workflow["company"]["id"],
        contactflow::graphql::ids::kind::COMPANY,
    );
    let (mut log, stages_now) = log_of(server, company).await;
    assert!(log.len() > 10_000, "a long log: {}", log.len());
    // Whole seconds: what a client would send.
    let now = DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    for (from, to) in [
        (now - Duration::days(120), now - Duration::days(90)),
        (now - Duration::days(400), now + Duration::days(1)),
        (
            now - Duration::days(61) + Duration::hours(7),
            now - Duration::days(60),
        ),
    ] {
        let (figures, pairs) = reference(&mut log, &stages_now, from, to);
        let answer = server
            .data(
                &token,
                REPORT,
                json!({ "w": workflow_id, "from": from.to_rfc3339(), "to": to.to_rfc3339() }),
            )
            .await["pipelineReport"]
            .clone();
        assert_eq!(answer["workflow"]["code"], workflow["workflows"][0]["code"]);
        let stages = answer["stages"].as_array().unwrap();
        assert_eq!(stages.len(), 8, "every stage of the workflow");
        for stage in stages {
            let id = number(
                &stage["stage"]["id"],
                contactflow::graphql::ids::kind::STAGE,
            );
            let mut shown = stage.clone();
            shown.as_object_mut().unwrap().remove("stage");
            let expected = figures.get(&id).cloned().unwrap_or_else(|| {
                json!({ "current": 0, "entered": 0, "left": 0, "medianSecondsInStage": null, "p90SecondsInStage": null })
            });
            assert_eq!(
                shown, expected,
                "{} over {from} – {to}",
                stage["stage"]["code"]
            );
        }
        let counted: Pairs = answer["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let from = t["from"]["id"]
                    .as_str()
                    .map(|_| number(&t["from"]["id"], contactflow::graphql::ids::kind::STAGE));
                let to = number(&t["to"]["id"], contactflow::graphql::ids::kind::STAGE);
                ((from, to), t["count"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(counted, pairs, "transitions over {from} – {to}");
        assert!(
            stages.iter().any(|s| !s["medianSecondsInStage"].is_null()),
            "the period holds stays"
        );
    }
}

async fn a_report_needs_a_known_workflow_and_a_period_that_is_not_empty(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let workflow =
        server.data(&token, "{ workflows { id } }", json!({})).await["workflows"][0]["id"].clone();
    let now = Utc::now();
    let unknown =
        contactflow::graphql::ids::encode(contactflow::graphql::ids::kind::WORKFLOW, 99_999);
    for (w, from, to) in [
        (json!(unknown.to_string()), now - Duration::days(1), now),
        (workflow.clone(), now, now),
        (workflow.clone(), now, now - Duration::days(1)),
        (json!(ids.stage("START")), now - Duration::days(1), now),
    ] {
        let answer = server
            .post(
                Some(&token),
                REPORT,
                json!({ "w": w, "from": from.to_rfc3339(), "to": to.to_rfc3339() }),
            )
            .await;
        assert_eq!(error_codes(&answer), vec!["BAD_USER_INPUT"], "{answer}");
    }
    let anonymous = server
        .post(
            None,
            REPORT,
            json!({ "w": workflow, "from": (now - Duration::days(1)).to_rfc3339(), "to": now.to_rfc3339() }),
        )
        .await;
    assert_eq!(error_codes(&anonymous), vec!["UNAUTHENTICATED"]);
}

on_both_databases!(
    the_report_equals_a_reference_worked_out_from_the_log,
    a_report_needs_a_known_workflow_and_a_period_that_is_not_empty,
);
