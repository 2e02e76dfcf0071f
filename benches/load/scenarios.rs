//! The scenarios of one run, their table, the ratios against DESIGN.md's targets, and the
//! charts over every run.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::Options;
use super::charts::{self, Series};
use super::traffic::{self, Stats, percentile};

/// What one run (a database and a dataset size) measured.
#[derive(Clone, Default)]
pub struct Measured {
    pub database: String,
    pub size: usize,
    pub scenarios: Vec<(&'static str, Stats)>,
    pub statements_per_page: u64,
    pub lags: Vec<f64>,
    /// The server's CPU time per page of 100, ms.
    pub cpu_per_page: f64,
    /// Side by side with each peer set-up.
    pub peers: Vec<PeerRun>,
    /// The flow report and bulk moves.
    pub insight: super::insight::Insight,
}

/// Ours and a peer's, measured interleaved (A B A B).
#[derive(Clone, Default)]
pub struct PeerRun {
    pub label: String,
    pub ours_page: Stats,
    pub peer_page: Stats,
    pub ours_contact: Stats,
    pub peer_contact: Stats,
    /// CPU per page of 100, ms: ours, the peer's (every process of it).
    pub cpu_per_page: (f64, f64),
}

const PAGE: &str = "{ contacts(first: 100) { edges { node { id name version stage { id code name } owner { id login displayName } pendingActivities { id dueAt type { id code name } assignee { id login displayName } } lastActivity { id performedAt } } } } }";
const CONTACT: &str = "query($id: ID!) { contact(id: $id) { id name version stage { id code name } owner { id login displayName } } }";
const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } pendingActivity { id } todo { id } userErrors { code } } }";

pub(super) struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    pub(super) async fn graphql(&self, query: &str, variables: Value) -> Option<Value> {
        let mut request = self.http.post(format!("{}/graphql", self.base));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        let response = request
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .ok()?;
        if !response.status().is_success() {
            return None;
        }
        let body: Value = response.json().await.ok()?;
        body.get("errors").is_none().then_some(body)
    }

    /// Posts `body` to a baseline endpoint; whether it answered with success.
    async fn post_ok(&self, path: &str, body: &Value) -> bool {
        match self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
            _ => false,
        }
    }

    async fn get_ok(&self, path: &str) -> bool {
        match self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
        {
            Ok(response) if response.status().is_success() => response.bytes().await.is_ok(),
            _ => false,
        }
    }

    /// The statements one page of 100 costs, measured once the server runs nothing else.
    async fn statements_of_one_page(&self) -> u64 {
        let mut last = self.statements().await;
        loop {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let now = self.statements().await;
            if now == last {
                break;
            }
            last = now;
        }
        // The second of two pages: the first may have read the company's configuration
        // again (kept 5 s), which a page in steady traffic does not.
        self.graphql(PAGE, json!({})).await.expect("page");
        let before = self.statements().await;
        self.graphql(PAGE, json!({})).await.expect("page");
        self.statements().await - before
    }

    async fn statements(&self) -> u64 {
        let text = self
            .http
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix("contactflow_db_statements_total{kind=\"data\"} "))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }
}

async fn sign_in(http: &reqwest::Client, base: &str, login: &str) -> String {
    let body = json!({ "query": "mutation($l: String!) { login(input: {login: $l, password: \"demo\"}) { token } }", "variables": { "l": login } });
    let answer: Value = http
        .post(format!("{base}/graphql"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["data"]["login"]["token"]
        .as_str()
        .expect("signed in")
        .to_owned()
}

/// A new contact with a done call, a pending follow-up with a to-do and a reminder window.
fn save_input(
    types: &(String, String),
    name: String,
    reminder_at: chrono::DateTime<chrono::Utc>,
) -> Value {
    let due = reminder_at + chrono::Duration::hours(1);
    json!({ "input": {
        "name": name,
        "activity": { "activityTypeId": types.0, "description": "call" },
        "pendingActivity": { "activityTypeId": types.1, "description": "follow up", "dueAt": due.to_rfc3339(),
            "reminderStartsAt": reminder_at.to_rfc3339(), "reminderEndsAt": due.to_rfc3339(), "createTodo": true },
    } })
}

/// Where the benchmark's server runs, and its database.
pub struct Target<'a> {
    pub base: &'a str,
    pub pid: u32,
    pub database: &'a str,
    pub database_url: &'a str,
    pub size: usize,
}

/// Runs every scenario against the server at `target.base`.
pub async fn run_all(options: &Options, target: &Target<'_>) -> Measured {
    let (base, database, size) = (target.base, target.database, target.size);
    let http = crate::common::http_builder()
        .pool_max_idle_per_host(options.connections * 2)
        .build()
        .unwrap();
    let token = sign_in(&http, base, "alice").await;
    let client = Arc::new(Client {
        http,
        base: base.to_owned(),
        token,
    });
    let types = client
        .graphql("{ activityTypes { id code } }", json!({}))
        .await
        .expect("types");
    let type_id = |code: &str| {
        types["data"]["activityTypes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["code"] == code)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let types = Arc::new((type_id("CALL"), type_id("FOLLOW_UP")));
    let (warmup, measure) = (Duration::from_secs(1), Duration::from_secs(options.seconds));
    let total = (size + 36) as u64;
    let mut scenarios = Vec::new();
    macro_rules! scenario {
        ($name:expr, $workers:expr, |$c:ident, $t:ident, $w:ident, $n:ident| $body:expr) => {{
            let client = client.clone();
            let shared = types.clone();
            let stats = traffic::run($workers, warmup, measure, move |$w, $n| {
                let $c = client.clone();
                let $t = shared.clone();
                async move { $body }
            })
            .await;
            eprintln!("  {}: {:.0}/s", $name, stats.per_second);
            scenarios.push(($name, stats));
        }};
    }
    let connections = options.connections;
    scenario!("axum JSON endpoint", connections, |c, _t, _w, _n| c
        .get_ok("/baseline/json")
        .await);
    scenario!("{ __typename }", connections, |c, _t, _w, _n| c
        .graphql("{ __typename }", json!({}))
        .await
        .is_some());
    let pick = move |w: usize, n: u64| acme_contact((n * 7_919 + w as u64 * 104_729) % total);
    scenario!("axum + sqlx: contact by id", connections, |c, _t, w, n| c
        .get_ok(&format!("/baseline/contact/{}", pick(w, n)))
        .await);
    scenario!("GraphQL: contact by id", connections, |c, _t, w, n| {
        let id = URL_SAFE_NO_PAD.encode(format!("Contact:{}", pick(w, n)));
        c.graphql(CONTACT, json!({ "id": id }))
            .await
            .is_some_and(|b| b["data"]["contact"].is_object())
    });
    scenario!("axum + sqlx: page of 100", connections, |c, _t, _w, _n| c
        .get_ok("/baseline/contacts?first=100")
        .await);
    let cpu_before = super::common::cpu_time(target.pid);
    scenario!("GraphQL: page of 100", connections, |c, _t, _w, _n| c
        .graphql(PAGE, json!({}))
        .await
        .is_some());
    let cpu_per_page = per_request_ms(
        super::common::cpu_time(target.pid) - cpu_before,
        scenarios.last().map_or(0, |(_, s)| s.requests),
        warmup + measure,
        measure,
    );
    let mut peers = Vec::new();
    if database == "postgres" {
        for setup in peer_setups(options) {
            peers.push(peer_run(options, target, &client, setup).await);
        }
    }
    let statements_per_page = client.statements_of_one_page().await;
    let far = chrono::Utc::now() + chrono::Duration::days(400);
    for writers in [1usize, 32] {
        let name = if writers == 1 {
            "saveContact, 1 writer"
        } else {
            "saveContact, 32 writers"
        };
        scenario!(name, writers, |c, t, w, n| {
            let input = save_input(&t, format!("Bench {w}-{n}-{}", rand_suffix()), far);
            c.graphql(SAVE, input)
                .await
                .is_some_and(|b| b["data"]["saveContact"]["userErrors"] == json!([]))
        });
    }
    scenario!("axum + sqlx: save, 32 writers", 32, |c, t, w, n| {
        let due = far + chrono::Duration::hours(1);
        let body = json!({
            "name": format!("Baseline {w}-{n}-{}", rand_suffix()),
            "activityTypeId": t.0,
            "pendingTypeId": t.1,
            "dueAt": due.to_rfc3339(),
            "reminderStartsAt": far.to_rfc3339(),
        });
        c.post_ok("/baseline/save", &body).await
    });
    let lags = reminder_lags(&client, &types).await;
    let manager = Client {
        http: client.http.clone(),
        base: base.to_owned(),
        token: sign_in(&client.http, base, "maria").await,
    };
    let insight = super::insight::measure(&manager).await;
    Measured {
        database: database.to_owned(),
        size,
        scenarios,
        statements_per_page,
        lags,
        cpu_per_page,
        peers,
        insight,
    }
}

/// CPU time per request, ms: `cpu` was spent over `total` (warm-up included), `requests` of
/// them answered in `measured`; the warm-up's share is taken off in proportion.
fn per_request_ms(cpu: Duration, requests: u64, total: Duration, measured: Duration) -> f64 {
    if requests == 0 {
        return f64::NAN;
    }
    let share = measured.as_secs_f64() / total.as_secs_f64();
    cpu.as_secs_f64() * share * 1e3 / requests as f64
}

/// The PostGraphile set-ups to measure: without and with our JWT in one process, and with JWT
/// in a worker per core.
fn peer_setups(options: &Options) -> Vec<super::peer::Setup> {
    use super::peer::Setup;
    if !options.peer.iter().any(|p| p == "postgraphile") {
        return Vec::new();
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    vec![
        Setup {
            jwt: false,
            workers: 0,
        },
        Setup {
            jwt: true,
            workers: 0,
        },
        Setup {
            jwt: true,
            workers: cores,
        },
    ]
}

/// Our page and contact by id against PostGraphile's, interleaved: A B A B, each half the
/// scenario's time, after checking both answer the same data.
async fn peer_run(
    options: &Options,
    target: &Target<'_>,
    client: &Arc<Client>,
    setup: super::peer::Setup,
) -> PeerRun {
    use super::peer;
    let program = peer::install();
    let server = peer::Peer::start(&program, target.database_url, super::JWT_SECRET, setup).await;
    let company = company_id(&server.base).await;
    let peer_client = Arc::new(Client {
        http: client.http.clone(),
        base: server.base.clone(),
        token: if setup.jwt {
            client.token.clone()
        } else {
            String::new()
        },
    });
    let ours = client.graphql(PAGE, json!({})).await.expect("our page");
    let theirs = peer_client
        .graphql(peer::PAGE, json!({ "company": company.to_string() }))
        .await
        .expect("the peer's page");
    let contacts = peer::same_page(&ours, &theirs).expect("both pages hold the same data");
    let total = (target.size + 36) as u64;
    let pick = move |w: usize, n: u64| acme_contact((n * 7_919 + w as u64 * 104_729) % total);
    for n in 0..20 {
        let id = pick(0, n);
        let ours = client
            .graphql(
                CONTACT,
                json!({ "id": URL_SAFE_NO_PAD.encode(format!("Contact:{id}")) }),
            )
            .await
            .expect("our contact");
        let theirs = peer_client
            .graphql(
                peer::CONTACT,
                json!({ "company": company.to_string(), "id": id.to_string() }),
            )
            .await
            .expect("the peer's contact");
        if !ours["data"]["contact"].is_null() {
            peer::same_contact(&ours, &theirs).expect("both hold the same contact");
        }
    }
    let label = setup.label();
    eprintln!("  {label}: same data ({contacts} contacts on the page)");
    let (warmup, half) = (
        Duration::from_secs(1),
        Duration::from_secs_f64(options.seconds as f64 / 2.0),
    );
    let connections = options.connections;
    let page = |c: Arc<Client>, query: &'static str, variables: Value| {
        traffic::run(connections, warmup, half, move |_w, _n| {
            let (c, variables) = (c.clone(), variables.clone());
            async move { c.graphql(query, variables).await.is_some() }
        })
    };
    let contact = |c: Arc<Client>, peer_side: bool| {
        traffic::run(connections, warmup, half, move |w, n| {
            let c = c.clone();
            async move {
                let id = pick(w, n);
                if peer_side {
                    c.graphql(
                        peer::CONTACT,
                        json!({ "company": company.to_string(), "id": id.to_string() }),
                    )
                    .await
                    .is_some_and(|b| b["data"]["allContacts"]["nodes"][0].is_object())
                } else {
                    let id = URL_SAFE_NO_PAD.encode(format!("Contact:{id}"));
                    c.graphql(CONTACT, json!({ "id": id }))
                        .await
                        .is_some_and(|b| b["data"]["contact"].is_object())
                }
            }
        })
    };
    let peer_variables = json!({ "company": company.to_string() });
    let mut run = PeerRun {
        label: label.clone(),
        ..PeerRun::default()
    };
    let (mut our_cpu, mut their_cpu) = (0.0, 0.0);
    for round in 0..2 {
        let before = super::common::cpu_time(target.pid);
        let a = page(client.clone(), PAGE, json!({})).await;
        our_cpu += per_request_ms(
            super::common::cpu_time(target.pid) - before,
            a.requests,
            warmup + half,
            half,
        ) / 2.0;
        let before = peer::group_cpu_time(server.group());
        let b = page(peer_client.clone(), peer::PAGE, peer_variables.clone()).await;
        their_cpu += per_request_ms(
            peer::group_cpu_time(server.group()) - before,
            b.requests,
            warmup + half,
            half,
        ) / 2.0;
        let c = contact(client.clone(), false).await;
        let d = contact(peer_client.clone(), true).await;
        if round == 0 {
            (
                run.ours_page,
                run.peer_page,
                run.ours_contact,
                run.peer_contact,
            ) = (a, b, c, d);
        } else {
            run.ours_page = run.ours_page.merged(&a);
            run.peer_page = run.peer_page.merged(&b);
            run.ours_contact = run.ours_contact.merged(&c);
            run.peer_contact = run.peer_contact.merged(&d);
        }
    }
    run.cpu_per_page = (our_cpu, their_cpu);
    eprintln!(
        "  {label}: page {:.0} vs {:.0}/s, contact {:.0} vs {:.0}/s",
        run.ours_page.per_second,
        run.peer_page.per_second,
        run.ours_contact.per_second,
        run.peer_contact.per_second
    );
    run
}

/// The id of the company the benchmark's operator works for (ACME), as the peer reads it.
async fn company_id(peer_base: &str) -> i64 {
    let answer: Value = crate::common::http_builder()
        .build()
        .unwrap()
        .post(format!("{peer_base}/graphql"))
        .json(
            &json!({ "query": "{ allCompanies(condition: { code: \"ACME\" }) { nodes { id } } }" }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = &answer["data"]["allCompanies"]["nodes"][0]["id"];
    match id {
        Value::String(text) => text.parse().unwrap(),
        other => other.as_i64().expect("the company's id"),
    }
}

/// The id of the `k`-th contact of ACME, the benchmark operator's company: its 36 demo
/// contacts (ids 1–36), then the generated ones, after GLOBEX's 12 (ids 37–48).
fn acme_contact(k: u64) -> u64 {
    if k < 36 { k + 1 } else { k + 13 }
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Schedules reminders a little ahead for the signed-in operator and measures how late each
/// `DUE` arrives over the subscription, with the dataset's own reminders scheduled around.
async fn reminder_lags(client: &Client, types: &(String, String)) -> Vec<f64> {
    let url = format!("{}/graphql", client.base.replacen("http", "ws", 1));
    let query = "subscription { reminders { kind at reminder { pendingActivity { id } } } }";
    let mut socket = super::common::subscribe(&url, &client.token, query).await;
    let start = chrono::Utc::now() + chrono::Duration::milliseconds(1_500);
    let mut ours = std::collections::HashSet::new();
    let count = 60;
    for i in 0..count {
        let at = start + chrono::Duration::milliseconds(25 * i);
        let saved = client
            .graphql(
                SAVE,
                save_input(types, format!("Reminder {i} {}", rand_suffix()), at),
            )
            .await
            .expect("saved");
        ours.insert(
            saved["data"]["saveContact"]["pendingActivity"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut lags = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while lags.len() < count as usize && Instant::now() < deadline {
        let Ok(Some(Ok(Message::Text(text)))) =
            tokio::time::timeout(Duration::from_secs(5), socket.next()).await
        else {
            continue;
        };
        let arrived = chrono::Utc::now();
        let message: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let event = &message["payload"]["data"]["reminders"];
        let id = event["reminder"]["pendingActivity"]["id"]
            .as_str()
            .unwrap_or_default();
        if event["kind"] == "DUE" && ours.contains(id) {
            let at = chrono::DateTime::parse_from_rfc3339(event["at"].as_str().unwrap_or_default())
                .unwrap();
            lags.push(
                (arrived - at.with_timezone(&chrono::Utc))
                    .num_microseconds()
                    .unwrap_or(0) as f64
                    / 1e3,
            );
        }
    }
    lags
}

fn stats_of<'a>(measured: &'a Measured, name: &str) -> Option<&'a Stats> {
    measured
        .scenarios
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
}

/// Prints one run's table and its ratios against the targets.
pub fn print(measured: &Measured, rss_mib: f64) {
    println!(
        "| scenario | requests | req/s | p50 ms | p99 ms | errors |\n| --- | --- | --- | --- | --- | --- |"
    );
    for (name, s) in &measured.scenarios {
        println!(
            "| {name} | {} | {:.0} | {:.2} | {:.2} | {} |",
            s.requests, s.per_second, s.p50, s.p99, s.errors
        );
    }
    let mut lags = measured.lags.clone();
    lags.sort_by(f64::total_cmp);
    println!(
        "\nreminder lag: {} delivered, p50 {:.1} ms, p99 {:.1} ms; server peak RSS {rss_mib:.0} MiB; statements per page of 100: {}\n",
        lags.len(),
        percentile(&lags, 0.5),
        percentile(&lags, 0.99),
        measured.statements_per_page
    );
    let ratio = |a: &str, b: &str| match (stats_of(measured, a), stats_of(measured, b)) {
        (Some(a), Some(b)) if b.per_second > 0.0 => a.per_second / b.per_second,
        _ => f64::NAN,
    };
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    let typename = ratio("{ __typename }", "axum JSON endpoint");
    let contact = ratio("GraphQL: contact by id", "axum + sqlx: contact by id");
    let page = ratio("GraphQL: page of 100", "axum + sqlx: page of 100");
    println!("| target | measured | |\n| --- | --- | --- |");
    println!(
        "| `{{ __typename }}` ≥ 0.5 × axum JSON | {typename:.2} × | {} |",
        verdict(typename >= 0.5)
    );
    println!(
        "| contact by id ≥ 0.5 × axum + sqlx | {contact:.2} × | {} |",
        verdict(contact >= 0.5)
    );
    println!(
        "| page of 100 ≥ 0.35 × axum + sqlx | {page:.2} × | {} |",
        verdict(page >= 0.35)
    );
    println!(
        "| statements per page ≤ 3 | {} | {} |",
        measured.statements_per_page,
        verdict(measured.statements_per_page <= 3)
    );
    if let Some(writers) = stats_of(measured, "saveContact, 32 writers") {
        let fast = writers.per_second >= 2_000.0;
        println!(
            "| saveContact, 32 writers: 0 errors, p99 ≤ 50 ms, ≥ 2,000/s | {} errors, {:.0}/s, p99 {:.1} ms | {} |",
            writers.errors,
            writers.per_second,
            writers.p99,
            verdict(writers.errors == 0 && writers.p99 <= 50.0 && fast)
        );
    }
    let save = ratio("saveContact, 32 writers", "axum + sqlx: save, 32 writers");
    println!(
        "| saveContact, 32 writers ≥ 0.7 × axum + sqlx writing the same rows | {save:.2} × | {} |",
        verdict(save >= 0.7)
    );
    let lag_p99 = percentile(&lags, 0.99);
    println!(
        "| reminder lag p99 ≤ 50 ms | {lag_p99:.1} ms | {} |\n",
        verdict(lag_p99 <= 50.0)
    );
    println!(
        "server CPU per page of 100: {:.2} ms (target ≤ 4 ms: {})\n",
        measured.cpu_per_page,
        verdict(measured.cpu_per_page <= 4.0)
    );
    super::insight::print(&measured.insight, &measured.database, measured.size);
    print_peers(measured);
}

/// The side-by-side runs against the peer, and their ratios.
fn print_peers(measured: &Measured) {
    if measured.peers.is_empty() {
        return;
    }
    println!(
        "| interleaved A B A B | contactflow req/s, p50 / p99 ms | peer req/s, p50 / p99 ms | ratio | CPU per page, ms (ours / peer) |\n| --- | --- | --- | --- | --- |"
    );
    let cell = |s: &Stats| format!("{:.0}, {:.1} / {:.1}", s.per_second, s.p50, s.p99);
    for run in &measured.peers {
        let ratio = |a: &Stats, b: &Stats| a.per_second / b.per_second;
        println!(
            "| page of 100 vs {} | {} | {} | {:.2} × | {:.2} / {:.2} |",
            run.label,
            cell(&run.ours_page),
            cell(&run.peer_page),
            ratio(&run.ours_page, &run.peer_page),
            run.cpu_per_page.0,
            run.cpu_per_page.1
        );
        println!(
            "| contact by id vs {} | {} | {} | {:.2} × | |",
            run.label,
            cell(&run.ours_contact),
            cell(&run.peer_contact),
            ratio(&run.ours_contact, &run.peer_contact)
        );
        let errors = run.ours_page.errors
            + run.peer_page.errors
            + run.ours_contact.errors
            + run.peer_contact.errors;
        if errors > 0 {
            println!("| errors | {errors} | | | |");
        }
    }
    println!();
}

/// Writes the charts of every run into `out`.
pub fn charts(out: &std::path::Path, runs: &[Measured]) {
    if runs.is_empty() || std::fs::create_dir_all(out).is_err() {
        return;
    }
    let names: Vec<&str> = runs[0].scenarios.iter().map(|(n, _)| *n).collect();
    let databases: std::collections::BTreeSet<&str> =
        runs.iter().map(|r| r.database.as_str()).collect();
    for database in databases {
        let of = |pick: &dyn Fn(&Stats) -> f64| -> Vec<Series> {
            names
                .iter()
                .map(|name| Series {
                    label: (*name).to_owned(),
                    points: runs
                        .iter()
                        .filter(|r| r.database == database)
                        .filter_map(|r| stats_of(r, name).map(|s| (r.size as f64, pick(s))))
                        .collect(),
                })
                .collect()
        };
        let _ = charts::lines(
            &out.join(format!("throughput-{database}.svg")),
            &format!("Throughput by dataset size ({database})"),
            "requests per second",
            &of(&|s| s.per_second),
        );
        let _ = charts::lines(
            &out.join(format!("p99-{database}.svg")),
            &format!("p99 latency by dataset size ({database})"),
            "p99 latency (ms)",
            &of(&|s| s.p99),
        );
    }
    if let Some(largest) = runs
        .iter()
        .filter(|r| !r.lags.is_empty())
        .max_by_key(|r| r.size)
    {
        let _ = charts::lag_histogram(
            &out.join("reminder-lag.svg"),
            &format!(
                "Reminder delivery lag ({}, {} contacts)",
                largest.database, largest.size
            ),
            &largest.lags,
        );
    }
}
