//! Connections as hostile clients hold them: half-open ones (silent, partial headers, headers
//! trickled a byte at a time) are closed after the header-read timeout while others are
//! answered; past the connection cap new ones wait until one closes; out of file descriptors
//! the server backs off and serves again once descriptors are free.

use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::binary::{Served, wrapped};
use crate::support::tools::require;
use crate::support::{Backend, TestServer};

/// A query any client may send, and whether it was answered with data.
async fn answered(base: &str, within: Duration) -> bool {
    let response = crate::support::http()
        .post(format!("{base}/graphql"))
        .timeout(within)
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await;
    match response {
        Ok(response) if response.status() == 200 => response
            .json::<Value>()
            .await
            .is_ok_and(|body| body["data"]["__typename"] == "Query"),
        _ => false,
    }
}

/// Reads until the server closes the connection; whether it did within `within` (bytes it
/// sent before closing, such as a 408, are allowed).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buffer = [0_u8; 1024];
    let read_to_end = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(within, read_to_end).await.is_ok()
}

/// Opens a connection that asks `/health/live` and reads the answer: the server has accepted
/// it and keeps it for the next request.
async fn kept_alive(address: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("\r\n\r\n") {
        let read = stream.read(&mut buffer).await.unwrap();
        assert!(read > 0, "answered before closing");
        seen.extend_from_slice(&buffer[..read]);
    }
    assert!(seen.starts_with(b"HTTP/1.1 200"));
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_open_connections_are_closed_after_the_header_timeout_while_others_are_answered() {
    let server = TestServer::start_adjusted(Backend::Sqlite, false, |settings| {
        settings.limits.header_read_timeout = Duration::from_millis(500);
    })
    .await
    .unwrap();
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut silent = Vec::new();
    let mut partial = Vec::new();
    for _ in 0..100 {
        silent.push(TcpStream::connect(&address).await.unwrap());
        let mut stream = TcpStream::connect(&address).await.unwrap();
        stream
            .write_all(b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: appl")
            .await
            .unwrap();
        partial.push(stream);
    }
    // A slow client sends a header byte every 100 ms: each byte is on time, the whole is not.
    let trickled = tokio::spawn({
        let address = address.clone();
        async move {
            let mut stream = TcpStream::connect(&address).await.unwrap();
            for byte in b"GET /health/live HTTP/1.1\r\nX-Slow: ".iter().cycle() {
                if stream.write_all(&[*byte]).await.is_err() {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            false
        }
    });
    assert!(
        answered(&server.base, Duration::from_secs(10)).await,
        "a normal query is answered"
    );
    for stream in silent.iter_mut().chain(partial.iter_mut()) {
        assert!(
            closed_within(stream, Duration::from_secs(10)).await,
            "a half-open connection is closed"
        );
    }
    let cut_off = tokio::time::timeout(Duration::from_secs(10), trickled).await;
    assert!(
        cut_off.is_ok_and(|c| c.unwrap()),
        "the trickling client is cut off"
    );
    assert!(answered(&server.base, Duration::from_secs(10)).await);
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_connection_cap_a_connection_waits_until_one_closes() {
    let server = TestServer::start_adjusted(Backend::Sqlite, false, |settings| {
        settings.limits.max_connections = 4;
        settings.limits.header_read_timeout = Duration::from_secs(60);
    })
    .await
    .unwrap();
    let address = server.base.trim_start_matches("http://").to_owned();
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(kept_alive(&address).await);
    }
    let waiting = tokio::spawn({
        let base = server.base.clone();
        async move { answered(&base, Duration::from_secs(20)).await }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!waiting.is_finished(), "the fifth connection waits");
    drop(open.pop());
    let served = tokio::time::timeout(Duration::from_secs(10), waiting).await;
    assert!(
        served.is_ok_and(|answered| answered.unwrap()),
        "answered once a connection closed"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_file_descriptors_the_server_backs_off_and_serves_again() {
    let test = "out_of_file_descriptors_the_server_backs_off_and_serves_again";
    if !require("prlimit", test) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut command = wrapped(&["prlimit", "--nofile=64:64", "--"]);
    command.env("CONTACTFLOW_HEADER_READ_TIMEOUT_MS", "1000");
    let served = Served::start(command, &[], dir.path(), true).await;
    assert!(
        served.log().contains("the open files limit is below"),
        "the low limit is told at start:\n{}",
        served.log()
    );
    let address = served.base.trim_start_matches("http://").to_owned();
    // More connections than the server has descriptors left: accepting fails with EMFILE.
    let mut flood = Vec::new();
    for _ in 0..100 {
        flood.push(TcpStream::connect(&address).await.unwrap());
    }
    let mut backed_off = false;
    for _ in 0..100 {
        if served
            .log()
            .contains("cannot accept a connection; backing off")
        {
            backed_off = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(backed_off, "the failed accept is logged:\n{}", served.log());
    // The flood is closed by the header timeout a batch at a time; then a query is answered.
    assert!(
        answered(&served.base, Duration::from_secs(30)).await,
        "answered after the flood:\n{}",
        served.log()
    );
    drop(flood);
    assert!(answered(&served.base, Duration::from_secs(10)).await);
    assert!(!served.log().contains("panicked"), "{}", served.log());
}
