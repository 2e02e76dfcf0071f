//! GraphQL over Server-Sent Events (`graphql-sse`, distinct connections mode) as a raw HTTP
//! client sees it: the event stream's framing and headers, refusals as `next` events, the same
//! auth as a WebSocket (a deactivated operator's stream ends at once) and its gauge in
//! `/metrics`. The `graphql-sse` client package is driven in `clients`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, on_both_databases};

/// An open event stream and what it has sent so far.
struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    async fn open(server: &TestServer, token: Option<&str>, body: Value) -> Self {
        let mut request = server
            .http()
            .post(format!("{}/graphql", server.base))
            .header("accept", "text/event-stream")
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the stream opens");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().unwrap();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        assert_eq!(response.headers()["cache-control"], "no-cache");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event as (name, data), skipping comments; `None` when the stream ends or
    /// `within` passes.
    async fn next(&mut self, within: Duration) -> Option<(String, String)> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        name = value.to_owned();
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data.push(value.to_owned());
                    }
                }
                if name.is_empty() {
                    continue;
                }
                return Some((name, data.join("\n")));
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .ok()??;
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    /// The next `next` event's data as JSON.
    async fn next_data(&mut self, within: Duration) -> Value {
        let (name, data) = self.next(within).await.expect("an event");
        assert_eq!(name, "next", "{data}");
        serde_json::from_str(&data).expect("JSON data")
    }

    async fn completes(&mut self, within: Duration) {
        let (name, _) = self.next(within).await.expect("complete");
        assert_eq!(name, "complete");
        assert!(
            self.next(Duration::from_secs(1)).await.is_none(),
            "then the end"
        );
    }
}

async fn gauge(server: &TestServer, name: &str) -> i64 {
    server
        .metrics()
        .await
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")).map(str::to_owned))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{name} in /metrics"))
}

const SECOND: Duration = Duration::from_secs(1);

async fn a_query_is_one_next_event_then_complete(server: &TestServer) {
    let token = server.login("alice").await;
    let body = json!({ "query": "{ me { login } }" });
    let mut stream = EventStream::open(server, Some(&token), body).await;
    let data = stream.next_data(5 * SECOND).await;
    assert_eq!(data["data"]["me"]["login"], "alice");
    stream.completes(5 * SECOND).await;
}

async fn refusals_are_next_events_with_their_codes(server: &TestServer) {
    let cases = [
        (
            json!({ "query": "{ me { login } " }),
            "GRAPHQL_PARSE_FAILED",
        ),
        (json!({ "query": "{ nope }" }), "GRAPHQL_VALIDATION_FAILED"),
        (
            json!({ "query": "subscription { contactEvents { cursor } }" }),
            "UNAUTHENTICATED",
        ),
        (json!({ "variables": {} }), "BAD_USER_INPUT"),
    ];
    for (body, code) in cases {
        let mut stream = EventStream::open(server, None, body.clone()).await;
        let data = stream.next_data(5 * SECOND).await;
        assert_eq!(
            data["errors"][0]["extensions"]["code"], code,
            "{body}: {data}"
        );
        stream.completes(5 * SECOND).await;
    }
}

async fn a_subscription_streams_events_and_is_counted_while_open(server: &TestServer) {
    let token = server.login("alice").await;
    let streams = gauge(server, "contactflow_sse_streams_open").await;
    let tuned = gauge(server, "contactflow_contact_event_subscribers").await;
    let body = json!({ "query": "subscription { contactEvents { kind contact { name } } }" });
    let mut stream = EventStream::open(server, Some(&token), body).await;
    let deadline = tokio::time::Instant::now() + 10 * SECOND;
    while gauge(server, "contactflow_contact_event_subscribers").await <= tuned {
        assert!(tokio::time::Instant::now() < deadline, "tuned in");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        gauge(server, "contactflow_sse_streams_open").await,
        streams + 1
    );
    let save = "mutation { saveContact(input: { name: \"Flusso SSE\" }) { userErrors { code } } }";
    server.data(&token, save, json!({})).await;
    let data = stream.next_data(5 * SECOND).await;
    assert_eq!(data["data"]["contactEvents"]["kind"], "CREATED");
    assert_eq!(
        data["data"]["contactEvents"]["contact"]["name"],
        "Flusso SSE"
    );
    drop(stream);
    let deadline = tokio::time::Instant::now() + 5 * SECOND;
    while gauge(server, "contactflow_sse_streams_open").await > streams {
        assert!(
            tokio::time::Instant::now() < deadline,
            "closed when the client goes"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_deactivated_operators_stream_ends_with_forbidden(server: &TestServer) {
    let bob = server.login("bob").await;
    let body = json!({ "query": "subscription { reminders { kind } }" });
    let mut stream = EventStream::open(server, Some(&bob), body).await;
    // Whatever shows now comes first.
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &admin).await;
    let save = "mutation($id: ID!) { saveOperator(input: {id: $id, active: false}) { userErrors { code } } }";
    let saved = server
        .data(&admin, save, json!({ "id": ids.operator("bob") }))
        .await;
    assert_eq!(saved["saveOperator"]["userErrors"], json!([]));
    let deadline = tokio::time::Instant::now() + 3 * SECOND;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let (name, data) = stream.next(left).await.expect("the stream ends within 3 s");
        assert_eq!(name, "next");
        let data: Value = serde_json::from_str(&data).unwrap();
        if data["errors"].is_array() {
            assert_eq!(
                data["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{data}"
            );
            break;
        }
    }
    stream.completes(SECOND).await;
}

/// An event stream is never compressed (it goes around the compression layer, whose body would
/// stay allocated for as long as the stream is open), yet its request passes the same other
/// layers as any: its request id is echoed. The same answer as JSON is compressed.
async fn an_event_stream_is_never_compressed_but_keeps_its_request_id(server: &TestServer) {
    let token = server.login("alice").await;
    let query = json!({ "query": "{ contacts(first: 50) { edges { node { id name } } } }" });
    let ask = |accept: &str, id: &str| {
        server
            .http()
            .post(format!("{}/graphql", server.base))
            .header("accept", accept)
            .header("accept-encoding", "gzip, br")
            .header("x-request-id", id)
            .bearer_auth(&token)
            .json(&query)
    };
    let streamed = ask("text/event-stream", "sse-uncompressed")
        .send()
        .await
        .unwrap();
    assert_eq!(streamed.status(), 200);
    assert!(
        streamed.headers().get("content-encoding").is_none(),
        "{:?}",
        streamed.headers()
    );
    assert_eq!(streamed.headers()["x-request-id"], "sse-uncompressed");
    let text = streamed.text().await.unwrap();
    assert!(
        text.len() > 1024 && text.starts_with("event: next\ndata: {\"data\""),
        "an answer above the compression threshold, sent plain: {text}"
    );
    let json = ask("application/json", "json-compressed")
        .send()
        .await
        .unwrap();
    assert_eq!(json.status(), 200);
    assert_eq!(json.headers()["content-encoding"], "br");
    assert_eq!(json.headers()["x-request-id"], "json-compressed");
}

on_both_databases!(
    an_event_stream_is_never_compressed_but_keeps_its_request_id,
    a_query_is_one_next_event_then_complete,
    refusals_are_next_events_with_their_codes,
    a_subscription_streams_events_and_is_counted_while_open,
    a_deactivated_operators_stream_ends_with_forbidden,
);
