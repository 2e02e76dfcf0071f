//! A database outage as a client lives it, against a PostgreSQL cluster the test starts and
//! stops itself: requests answer 503 `SERVICE_UNAVAILABLE` with `Retry-After` instead of hanging,
//! readiness turns 503, a WebSocket `connection_init` is closed with 1013 (try again later, not
//! "sign in again"), and once the database is back everything recovers by itself — the
//! reminder listener logging its reconnect with the outage's length.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::binary::{Served, contactflow};
use crate::support::cluster::Cluster;
use crate::support::socket::{close_code, next, open_url, send};

const SIGN_IN: &str = r#"mutation { login(input: {login: "alice", password: "demo"}) { token } }"#;

async fn post(base: &str, token: Option<&str>, query: &str) -> (u16, Option<String>, Value) {
    let mut request = crate::support::http()
        .post(format!("{base}/graphql"))
        // The contract: an answer within 5 s (waiting for a connection gives up after 3 s).
        .timeout(Duration::from_secs(8))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("answered, not hung");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (
        status,
        retry_after,
        response.json().await.unwrap_or(Value::Null),
    )
}

async fn readiness(base: &str) -> u16 {
    crate::support::http()
        .get(format!("{base}/health/ready"))
        // The contract: 503 within 2 s.
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("readiness answered, not hung")
        .status()
        .as_u16()
}

async fn init(url: &str, token: &str) -> Result<Value, Option<u16>> {
    let mut socket = open_url(url, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }),
    )
    .await;
    next(&mut socket, Duration::from_secs(8)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_service_unavailable_and_recovers_by_itself() {
    let test = "a_database_outage_answers_service_unavailable_and_recovers_by_itself";
    let Some(cluster) = Cluster::start(test) else {
        return;
    };
    let mut command = contactflow();
    command
        .env("CONTACTFLOW_DATABASE_URL", cluster.url())
        .env("CONTACTFLOW_DB_MAX_CONNECTIONS", "4");
    let served = Served::start(command, &["--demo"], cluster.path(), true).await;
    let base = served.base.clone();
    let (_, _, answer) = post(&base, None, SIGN_IN).await;
    let token = answer["data"]["login"]["token"]
        .as_str()
        .expect("a token")
        .to_owned();
    let mut held = open_url(&served.ws_url(), "graphql-transport-ws").await;
    send(
        &mut held,
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }),
    )
    .await;
    assert_eq!(
        next(&mut held, Duration::from_secs(5)).await.unwrap()["type"],
        "connection_ack"
    );

    cluster.halt();
    // What reads the database answers 503 at once; the caller and the configuration are kept
    // in memory for a few seconds, so a query of those alone is answered until they are due
    // to be read again.
    let (status, _, answer) =
        post(&base, Some(&token), "{ contacts(first: 1) { totalCount } }").await;
    assert_eq!(status, 503, "{answer}");
    tokio::time::sleep(::contactflow::service::snapshot::KEPT_FOR + Duration::from_millis(200))
        .await;

    let started = std::time::Instant::now();
    assert_eq!(readiness(&base).await, 503, "{}", served.log());
    eprintln!("readiness answered 503 after {:?}", started.elapsed());
    let started = std::time::Instant::now();
    let (status, retry_after, answer) = post(&base, Some(&token), "{ me { login } }").await;
    eprintln!("a query answered {status} after {:?}", started.elapsed());
    assert_eq!(status, 503, "{answer}");
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_eq!(
        answer["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE",
        "{answer}"
    );
    assert!(answer.get("data").is_none_or(Value::is_null), "{answer}");
    let (status, _, answer) = post(&base, None, SIGN_IN).await;
    assert_eq!(status, 503, "a sign-in during the outage: {answer}");
    assert_eq!(
        answer["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    assert_eq!(
        init(&served.ws_url(), &token).await,
        Err(Some(1013)),
        "connection_init during the outage"
    );
    assert!(!served.log().contains("panicked"), "{}", served.log());

    cluster.resume();

    assert!(
        served.ready_within(Duration::from_secs(30)).await,
        "ready again: {}",
        served.log()
    );
    let (status, _, answer) = post(&base, Some(&token), "{ me { login } }").await;
    assert_eq!(
        (status, &answer["data"]["me"]["login"]),
        (200, &json!("alice"))
    );
    assert_eq!(
        init(&served.ws_url(), &token).await.unwrap()["type"],
        "connection_ack"
    );
    let mut logged = false;
    for _ in 0..300 {
        let log = served.log();
        if let Some(line) = log
            .lines()
            .find(|l| l.contains("reminder listener reconnected"))
        {
            assert!(line.contains("outage_ms="), "{line}");
            logged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        logged,
        "the listener's reconnect is logged:\n{}",
        served.log()
    );
    assert!(
        !served.log().contains('\u{1b}'),
        "a log file gets no colour codes"
    );
    // The socket opened before the outage was never told to sign in again.
    assert_ne!(
        close_code(&mut held, Duration::from_millis(200)).await,
        Some(4403)
    );
}
