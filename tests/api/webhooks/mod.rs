//! Webhooks as an integration sees them: a local HTTP receiver in the test verifies every
//! signature and answers as each test asks — 500 to the first attempts of some deliveries,
//! nothing in time to others. [`admin`] checks what an ADMIN may save; [`delivery`] what
//! arrives, in which order, and that nothing is lost when the server is killed.

mod admin;
mod delivery;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

/// The secret the tests' webhooks sign with.
pub const SECRET: &str = "a-secret-of-more-than-16-characters";

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// The CloudEvent.
    pub event: Value,
    /// What the receiver answered (`None`: it let the request time out).
    pub answered: Option<u16>,
}

/// How the receiver treats the deliveries of a contact, by a tag in the contact's name.
fn planned(name: &str, attempt: usize) -> Option<u16> {
    if name.contains("[500x2]") && attempt <= 2 {
        Some(500)
    } else if name.contains("[silent]") && attempt == 1 {
        None
    } else {
        Some(204)
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    attempts: HashMap<String, usize>,
    bad_signatures: usize,
    /// Requests of a contact whose name holds this are held until the flag clears.
    hold: Option<String>,
    held: usize,
    /// Requests being answered now, and the most there ever were at once.
    in_flight: usize,
    most_in_flight: usize,
    /// How long each answer takes.
    delay: Duration,
}

/// A local HTTP receiver.
#[derive(Clone)]
pub struct Receiver {
    log: Arc<Mutex<Log>>,
    pub url: String,
}

fn verified(headers: &HeaderMap, body: &str) -> bool {
    let Some(header) = headers
        .get("contactflow-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some((t, v1)) = header
        .strip_prefix("t=")
        .and_then(|rest| rest.split_once(",v1="))
    else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let recent = t
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    expected == v1 && recent
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let good = verified(&headers, &body)
        && headers.get("content-type").is_some_and(|v| {
            v.to_str()
                .unwrap_or("")
                .starts_with("application/cloudevents+json")
        });
    let event: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let name = event["data"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let cursor = event["id"].as_str().unwrap_or_default().to_owned();
    let answer_hold = {
        let mut log = receiver.log.lock().unwrap();
        if !good {
            log.bad_signatures += 1;
        }
        let attempt = {
            let count = log.attempts.entry(cursor).or_default();
            *count += 1;
            *count
        };
        let hold = log
            .hold
            .as_ref()
            .is_some_and(|tag| name.contains(tag.as_str()));
        if hold {
            log.held += 1;
        }
        log.in_flight += 1;
        log.most_in_flight = log.most_in_flight.max(log.in_flight);
        (planned(&name, attempt), hold, log.delay)
    };
    let (answer, hold, delay) = answer_hold;
    tokio::time::sleep(delay).await;
    if hold {
        // Held past any timeout: the server is killed meanwhile.
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    {
        let mut log = receiver.log.lock().unwrap();
        log.in_flight -= 1;
        log.received.push(Received {
            event,
            answered: answer,
        });
    }
    match answer {
        Some(code) => StatusCode::from_u16(code).unwrap(),
        None => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK
        }
    }
}

impl Receiver {
    /// Starts a receiver on a free local port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let receiver = Self {
            log: Arc::default(),
            url,
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        receiver
    }

    /// Everything received so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.log.lock().unwrap().received.clone()
    }

    /// Requests whose signature or media type was wrong.
    pub fn bad_signatures(&self) -> usize {
        self.log.lock().unwrap().bad_signatures
    }

    /// Holds (never answers) the requests of contacts whose name holds `tag`.
    pub fn hold(&self, tag: Option<&str>) {
        self.log.lock().unwrap().hold = tag.map(str::to_owned);
    }

    /// Makes every answer take `delay`.
    pub fn answer_after(&self, delay: Duration) {
        self.log.lock().unwrap().delay = delay;
    }

    /// The most requests that were ever being answered at once.
    pub fn most_in_flight(&self) -> usize {
        self.log.lock().unwrap().most_in_flight
    }

    /// How many requests were held.
    pub fn held(&self) -> usize {
        self.log.lock().unwrap().held
    }

    /// The event ids (cursors) answered with a 2xx, in the order they were taken.
    pub fn delivered(&self) -> Vec<String> {
        self.received()
            .iter()
            .filter(|r| r.answered.is_some_and(|code| (200..300).contains(&code)))
            .map(|r| r.event["id"].as_str().unwrap().to_owned())
            .collect()
    }

    /// Waits until `count` distinct events were delivered; whether they were within `within`.
    pub async fn wait_delivered(&self, count: usize, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let mut seen = self.delivered();
            seen.sort();
            seen.dedup();
            if seen.len() >= count {
                return true;
            }
            if tokio::time::Instant::now() > deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The `saveWebhook` mutation with what the tests read back.
pub const SAVE_WEBHOOK: &str = "mutation($input: SaveWebhookInput!) { saveWebhook(input: $input) {
    webhook { id url events active createdAt } userErrors { field message code } } }";
