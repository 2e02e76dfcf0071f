//! Pipeline insight under the benchmark's data: the flow report of the default workflow over
//! the last 30 days, and bulk moves of 500 contacts (PROSPECT to LEAD, a transition every role
//! may take, 500 different contacts each time), each timed alone, one after the other.

use std::time::Instant;

use serde_json::{Value, json};

use super::common::percentile;
use super::scenarios::Client;

/// Times of the flow report and of the bulk moves, ms.
#[derive(Clone, Default)]
pub struct Insight {
    pub report_ms: Vec<f64>,
    pub bulk_ms: Vec<f64>,
    /// Contacts each bulk move moved (500 unless the stage ran short).
    pub moved: Vec<i64>,
}

const REPORT: &str = "query($w: ID!, $from: DateTime!, $to: DateTime!) { pipelineReport(workflowId: $w, from: $from, to: $to) {
    stages { stage { code } current entered left medianSecondsInStage p90SecondsInStage } transitions { count } } }";
const MOVE: &str =
    "mutation($input: MoveContactsToStageInput!) { moveContactsToStage(input: $input) {
    movedCount userErrors { code } results { userErrors { code } } } }";
const REPORTS: usize = 10;
const MOVES: usize = 5;

/// The data of an answer that must have no error.
async fn data(client: &Client, query: &str, variables: Value) -> Value {
    let answer = client.graphql(query, variables).await;
    answer.expect("answered without errors")["data"].clone()
}

/// Measures both, as `maria` (a manager).
pub async fn measure(client: &Client) -> Insight {
    let config = data(client, "{ workflows { id stages { id code } } }", json!({})).await;
    let workflow = &config["workflows"][0];
    let stage = |code: &str| {
        workflow["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()["id"]
            .clone()
    };
    let mut insight = Insight::default();
    let now = chrono::Utc::now();
    let period = json!({ "w": workflow["id"], "from": (now - chrono::Duration::days(30)).to_rfc3339(), "to": now.to_rfc3339() });
    for _ in 0..REPORTS {
        let started = Instant::now();
        data(client, REPORT, period.clone()).await;
        insight
            .report_ms
            .push(started.elapsed().as_secs_f64() * 1_000.0);
    }
    let (prospect, lead) = (stage("PROSPECT"), stage("LEAD"));
    for _ in 0..MOVES {
        let mut ids = Vec::new();
        let mut after = Value::Null;
        while ids.len() < 500 {
            let page = data(client, "query($s: ID!, $after: String) { contacts(first: 100, after: $after, filter: { stageIds: [$s] }) { pageInfo { hasNextPage endCursor } edges { node { id } } } }",
                json!({ "s": prospect, "after": after }),
            )
            .await;
            let contacts = &page["contacts"];
            ids.extend(
                contacts["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"]["id"].clone()),
            );
            if contacts["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = contacts["pageInfo"]["endCursor"].clone();
        }
        ids.truncate(500);
        if ids.is_empty() {
            break;
        }
        let started = Instant::now();
        let moved = data(
            client,
            MOVE,
            json!({ "input": { "contactIds": ids, "toStageId": lead } }),
        )
        .await;
        insight
            .bulk_ms
            .push(started.elapsed().as_secs_f64() * 1_000.0);
        insight
            .moved
            .push(moved["moveContactsToStage"]["movedCount"].as_i64().unwrap());
    }
    insight
}

/// Prints both against their targets.
pub fn print(insight: &Insight, database: &str, size: usize) {
    let mut report = insight.report_ms.clone();
    report.sort_by(f64::total_cmp);
    let mut bulk = insight.bulk_ms.clone();
    bulk.sort_by(f64::total_cmp);
    let worst = |sorted: &[f64]| sorted.last().copied().unwrap_or(f64::NAN);
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!(
        "| pipeline insight | runs | p50 ms | slowest ms | target | |\n| --- | --- | --- | --- | --- | --- |"
    );
    let report_target = if database == "postgres" && size >= 1_000_000 {
        "≤ 1,000 ms (PostgreSQL, 1M contacts)"
    } else {
        "≤ 1,000 ms at 1M on PostgreSQL"
    };
    println!(
        "| pipelineReport, 30 days | {} | {:.0} | {:.0} | {report_target} | {} |",
        report.len(),
        percentile(&report, 0.5),
        worst(&report),
        verdict(worst(&report) <= 1_000.0)
    );
    println!(
        "| moveContactsToStage, 500 contacts (moved {:?}) | {} | {:.0} | {:.0} | well under 1,000 ms | {} |\n",
        insight.moved,
        bulk.len(),
        percentile(&bulk, 0.5),
        worst(&bulk),
        verdict(worst(&bulk) < 1_000.0 && insight.moved.iter().all(|m| *m == 500))
    );
}
