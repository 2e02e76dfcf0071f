//! GraphQL over HTTP: methods, media types, status codes and error codes; health checks.

use serde_json::{Value, json};

use crate::support::{TestServer, error_codes, on_both_databases};

async fn send(server: &TestServer, request: reqwest::RequestBuilder) -> (u16, String, Value) {
    let _ = server;
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        content_type,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn get_runs_queries_but_refuses_mutations(server: &TestServer) {
    let url = format!("{}/graphql", server.base);
    let (status, content_type, body) = send(
        server,
        server
            .http()
            .get(&url)
            .query(&[("query", "{ __typename }")]),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({ "data": { "__typename": "Query" } }))
    );
    assert!(content_type.starts_with("application/json"));
    let mutation = server.http().get(&url).query(&[(
        "query",
        "mutation { login(input: {login: \"a\", password: \"b\"}) { token } }",
    )]);
    let response = mutation.send().await.unwrap();
    assert_eq!(response.status().as_u16(), 405);
    assert_eq!(
        response
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok()),
        Some("POST")
    );
}

async fn post_takes_one_json_operation(server: &TestServer) {
    let url = format!("{}/graphql", server.base);
    let text = server
        .http()
        .post(&url)
        .header("content-type", "text/plain")
        .body("{\"query\":\"{ __typename }\"}");
    assert_eq!(send(server, text).await.0, 415);
    let form = server
        .http()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=%7B__typename%7D");
    assert_eq!(send(server, form).await.0, 415);
    let batch = server
        .http()
        .post(&url)
        .header("content-type", "application/json")
        .body("[{\"query\":\"{ __typename }\"}]");
    assert_eq!(send(server, batch).await.0, 400);
    let no_query = server
        .http()
        .post(&url)
        .header("content-type", "application/json")
        .body("{}");
    assert_eq!(send(server, no_query).await.0, 400);
    let html = server
        .http()
        .post(&url)
        .header("content-type", "application/json")
        .header("accept", "text/html")
        .body("{\"query\":\"{ __typename }\"}");
    assert_eq!(send(server, html).await.0, 406);
    let huge = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"x\":\"{}\"}}}}",
        "a".repeat(70 * 1024)
    );
    let too_big = server
        .http()
        .post(&url)
        .header("content-type", "application/json")
        .body(huge);
    assert_eq!(send(server, too_big).await.0, 413);
}

async fn request_errors_are_400_with_codes_and_no_data(server: &TestServer) {
    let url = format!("{}/graphql", server.base);
    let cases = [
        ("{ contacts { ", "GRAPHQL_PARSE_FAILED"),
        ("{ nope }", "GRAPHQL_VALIDATION_FAILED"),
    ];
    for (query, code) in cases {
        let modern = server
            .http()
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(json!({ "query": query }).to_string());
        let (status, content_type, body) = send(server, modern).await;
        assert_eq!(status, 400, "{query}");
        assert!(content_type.starts_with("application/graphql-response+json"));
        assert!(body.get("data").is_none());
        assert_eq!(error_codes(&body), vec![code]);
        assert!(
            body["errors"][0]["locations"].is_array(),
            "locations are kept"
        );
        let legacy = server
            .http()
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(json!({ "query": query }).to_string());
        let (status, _, body) = send(server, legacy).await;
        assert_eq!(status, 200, "application/json answers 200");
        assert_eq!(error_codes(&body), vec![code]);
    }
}

async fn documents_deeper_than_the_limit_are_refused(server: &TestServer) {
    let token = server.login("alice").await;
    let mut selection = String::from("id");
    for _ in 0..8 {
        selection = format!("workflow {{ stages {{ {selection} }} }}");
    }
    let query =
        format!("{{ contacts(first: 1) {{ edges {{ node {{ stage {{ {selection} }} }} }} }} }}");
    let response = server.post(Some(&token), &query, json!({})).await;
    assert_eq!(
        error_codes(&response),
        vec!["QUERY_TOO_COMPLEX"],
        "{response}"
    );
}

async fn health_checks_answer(server: &TestServer) {
    for path in ["/health/live", "/health/ready"] {
        let (status, _, body) =
            send(server, server.http().get(format!("{}{path}", server.base))).await;
        assert_eq!(
            (status, body["status"].clone()),
            (200, json!("ok")),
            "{path}"
        );
    }
}

/// The keys of every object in `value`, depth first, in the order the body has them.
fn key_orders(value: &Value, into: &mut Vec<Vec<String>>) {
    match value {
        Value::Object(map) => {
            into.push(map.keys().cloned().collect());
            map.values().for_each(|v| key_orders(v, into));
        }
        Value::Array(items) => items.iter().for_each(|v| key_orders(v, into)),
        _ => {}
    }
}

async fn fields_come_back_in_the_order_they_were_selected(server: &TestServer) {
    let token = server.login("maria").await;
    // Loader-backed fields (stage, owner, pending activities) finish after plain ones; the
    // answer must still follow the document, through aliases and fragments.
    let query = "query Page { contacts(first: 50) { edges { node { ...Row } } \
        pageInfo { endCursor hasNextPage } count: totalCount } me { role login } } \
        fragment Row on Contact { pendingActivities { dueAt type { code } } stage { code } \
        who: owner { login } name ... on Contact { lastActivity { type { code } } id } }";
    for _ in 0..3 {
        let data = server.data(&token, query, json!({})).await;
        let mut orders = Vec::new();
        key_orders(&data, &mut orders);
        assert_eq!(orders[0], ["contacts", "me"]);
        assert_eq!(orders[1], ["edges", "pageInfo", "count"]);
        let rows: Vec<_> = orders
            .iter()
            .filter(|keys| keys.first().map(String::as_str) == Some("pendingActivities"))
            .collect();
        assert!(rows.len() > 10, "{orders:?}");
        for keys in rows {
            assert_eq!(
                *keys,
                [
                    "pendingActivities",
                    "stage",
                    "who",
                    "name",
                    "lastActivity",
                    "id"
                ]
            );
        }
        assert!(orders.contains(&vec!["endCursor".to_owned(), "hasNextPage".to_owned()]));
        assert!(orders.contains(&vec!["role".to_owned(), "login".to_owned()]));
    }
}

/// Every refusal at `/graphql`, before any GraphQL runs, is a GraphQL error body too.
async fn refusals_are_graphql_error_bodies(server: &TestServer) {
    let url = format!("{}/graphql", server.base);
    let http = server.http();
    let json_post = |body: String| {
        http.post(&url)
            .header("content-type", "application/json")
            .body(body)
    };
    let cases = [
        (
            http.post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
            415,
        ),
        (
            json_post("{\"query\":\"{ __typename }\"}".to_owned()).header("accept", "text/html"),
            406,
        ),
        (
            json_post(format!("{{\"query\":\"{}\"}}", "a".repeat(70 * 1024))),
            413,
        ),
        (
            http.get(&url).query(&[(
                "query",
                "mutation { login(input: {login: \"a\", password: \"b\"}) { token } }",
            )]),
            405,
        ),
        (http.put(&url).body("{}"), 405),
        (http.delete(&url), 405),
        (
            http.get(&url)
                .header("connection", "upgrade")
                .header("upgrade", "websocket")
                .header("sec-websocket-version", "13")
                .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("sec-websocket-protocol", "graphql-sse"),
            400,
        ),
    ];
    for (request, expected) in cases {
        let (status, content_type, body) = send(server, request).await;
        assert_eq!(status, expected, "{body}");
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
        assert_eq!(
            error_codes(&body),
            vec!["BAD_USER_INPUT"],
            "{status}: {body}"
        );
    }
}

on_both_databases!(
    refusals_are_graphql_error_bodies,
    fields_come_back_in_the_order_they_were_selected,
    get_runs_queries_but_refuses_mutations,
    post_takes_one_json_operation,
    request_errors_are_400_with_codes_and_no_data,
    documents_deeper_than_the_limit_are_refused,
    health_checks_answer,
);
