//! What a browser meets at `/graphql`: CORS for a page on another origin (preflight, answers,
//! refusal of an origin outside `CONTACTFLOW_ALLOWED_ORIGINS`), compression above 1 KiB, and
//! the caching headers of answers; and a page on another port driven in headless Chromium.

use std::io::Read;

use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, CACHE_CONTROL, CONTENT_ENCODING, HeaderMap, VARY,
};
use serde_json::{Value, json};

use crate::clients::node_test;
use crate::support::tools::chromium;
use crate::support::{Backend, TestServer};

const APP: &str = "http://localhost:5173";
const PAGE: &str = "{ contacts(first: 100) { totalCount edges { node { id name email version stage { id code name } owner { id displayName } } } } }";

/// A server whose allow-list names only the app's origin.
async fn listing_only_the_app(backend: Backend) -> Option<TestServer> {
    TestServer::start_adjusted(backend, true, |settings| {
        settings.allowed_origins = contactflow::config::Origins(vec![APP.to_owned()]);
    })
    .await
}

fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .map(|name| name.as_str().to_owned())
        .filter(|name| name.starts_with("access-control-"))
        .collect()
}

fn preflight(server: &TestServer, origin: &str) -> reqwest::RequestBuilder {
    server
        .http()
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", server.base))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type,x-request-id",
        )
}

async fn a_page_on_a_listed_origin_may_call_the_api_and_others_may_not(backend: Backend) {
    let Some(server) = listing_only_the_app(backend).await else {
        return;
    };
    let token = server.login("maria").await;
    let before = server.snapshot().await;

    // The preflight of the app's origin: 204 with what the browser needs to send the request.
    let allowed = preflight(&server, APP).send().await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    let headers = allowed.headers();
    assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
    let methods = headers[ACCESS_CONTROL_ALLOW_METHODS].to_str().unwrap();
    assert!(
        methods.contains("GET") && methods.contains("POST"),
        "{methods}"
    );
    let allowed_headers = headers[ACCESS_CONTROL_ALLOW_HEADERS].to_str().unwrap();
    for header in ["authorization", "content-type", "x-request-id"] {
        assert!(allowed_headers.contains(header), "{allowed_headers}");
    }

    // The request itself: the answer names the origin and exposes the request id.
    let answer = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("origin", APP)
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({ "query": "{ me { login } }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], APP);
    let exposed = answer.headers()[ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["data"]["me"]["login"], "maria");

    // Another origin: refused with a GraphQL body and no CORS header, preflight or not, and a
    // mutation it sends changes nothing.
    let foreign = preflight(&server, "http://localhost:5174")
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(cors_headers(foreign.headers()), Vec::<String>::new());
    let body: Value = foreign.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
    let save = json!({
        "query": "mutation { saveContact(input: { name: \"From elsewhere\" }) { contact { id } } }"
    });
    let foreign = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("origin", "https://evil.example")
        .header("authorization", format!("Bearer {token}"))
        .json(&save)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert_eq!(cors_headers(foreign.headers()), Vec::<String>::new());
    assert_eq!(server.snapshot().await, before, "nothing was written");

    // An OPTIONS that is no preflight is a method /graphql does not serve.
    let options = server
        .http()
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(options.status(), StatusCode::METHOD_NOT_ALLOWED);
    server.finish().await;
}

async fn every_origin_is_allowed_by_default(backend: Backend) {
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    let answer = preflight(&server, "https://anywhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::NO_CONTENT);
    assert_eq!(answer.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    server.finish().await;
}

fn decoded(encoding: &str, bytes: &[u8]) -> Value {
    let mut text = String::new();
    match encoding {
        "gzip" => flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .unwrap(),
        "br" => brotli_decompressor::Decompressor::new(bytes, 4096)
            .read_to_string(&mut text)
            .unwrap(),
        other => panic!("unexpected encoding {other}"),
    };
    serde_json::from_str(&text).unwrap()
}

async fn answers_above_one_kib_are_compressed_as_the_client_asks(backend: Backend) {
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    let token = server.login("maria").await;
    let plain = server.data(&token, PAGE, json!({})).await;
    let plain_size = json!({ "data": plain }).to_string().len();
    assert!(plain_size > 1024, "the page is {plain_size} bytes");
    for encoding in ["gzip", "br"] {
        for method in [reqwest::Method::GET, reqwest::Method::POST] {
            let url = format!("{}/graphql", server.base);
            let request = if method == reqwest::Method::GET {
                server.http().get(&url).query(&[("query", PAGE)])
            } else {
                server.http().post(&url).json(&json!({ "query": PAGE }))
            };
            let answer = request
                .header("authorization", format!("Bearer {token}"))
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), StatusCode::OK);
            let headers = answer.headers().clone();
            assert_eq!(headers[CONTENT_ENCODING], encoding, "{method}");
            assert_eq!(headers[CACHE_CONTROL], "private, no-store");
            if method == reqwest::Method::GET {
                let vary: Vec<String> = headers
                    .get_all(VARY)
                    .iter()
                    .flat_map(|value| value.to_str().unwrap().split(','))
                    .map(|part| part.trim().to_ascii_lowercase())
                    .collect();
                assert!(vary.contains(&"accept".to_owned()), "{vary:?}");
                assert!(vary.contains(&"accept-encoding".to_owned()), "{vary:?}");
            }
            let bytes = answer.bytes().await.unwrap();
            assert!(
                bytes.len() * 3 < plain_size,
                "{encoding}: {} bytes",
                bytes.len()
            );
            assert_eq!(decoded(encoding, &bytes)["data"], plain);
        }
    }
    // A small answer goes as it is.
    let small = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("accept-encoding", "gzip, br")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert!(small.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(
        small.json::<Value>().await.unwrap()["data"]["__typename"],
        "Query"
    );
    server.finish().await;
}

/// A page served on another port by the test calls the API with a bearer token from headless
/// Chromium and reads the answer; the same page served from an origin outside the list is
/// blocked by the browser.
async fn chromium_calls_the_api_from_a_listed_origin_only(backend: Backend) {
    let Some(browser) = chromium("the CORS browser test") else {
        return;
    };
    let free_port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    };
    let (listed_port, other_port) = (free_port(), free_port());
    let listed = format!("http://127.0.0.1:{listed_port}");
    let Some(server) = TestServer::start_adjusted(backend, true, |settings| {
        settings.allowed_origins = contactflow::config::Origins(vec![listed.clone()]);
    })
    .await
    else {
        return;
    };
    let token = server.login("maria").await;
    let env = [
        ("CONTACTFLOW_TOKEN", token),
        ("CONTACTFLOW_CHROMIUM", browser.display().to_string()),
        ("CONTACTFLOW_LISTED_PORT", listed_port.to_string()),
        ("CONTACTFLOW_OTHER_PORT", other_port.to_string()),
    ];
    node_test(&server, "cors.test.mjs", &env).await;
    server.finish().await;
}

macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::Backend::Sqlite).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(crate::support::Backend::Postgres).await;
                }
            )+
        }
    };
}

on_both!(
    a_page_on_a_listed_origin_may_call_the_api_and_others_may_not,
    every_origin_is_allowed_by_default,
    answers_above_one_kib_are_compressed_as_the_client_asks,
    chromium_calls_the_api_from_a_listed_origin_only,
);
