//! Webhooks: which targets a delivery may go to, how a delivery is signed, when a webhook
//! takes up more events, and what an attempt makes of its delivery (when a failed one is tried
//! again).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The longest webhook URL.
pub const URL_MAX: usize = 2_000;
/// The shortest secret (a shorter one is guessable).
pub const SECRET_MIN: usize = 16;
/// The longest secret.
pub const SECRET_MAX: usize = 200;
/// How long failed deliveries are tried again, counted from the event.
pub const RETRY_FOR: Duration = Duration::hours(24);
/// The longest wait between two attempts.
pub const BACKOFF_MAX: Duration = Duration::hours(1);
/// PENDING deliveries a webhook keeps ahead of the one being made: more events are taken up
/// only once fewer wait, so a receiver that falls behind leaves its backlog in the outbox (one
/// row per event, as the saves wrote it) instead of costing the writers a delivery row per
/// event and webhook while they write.
pub const AHEAD: u64 = 64;
/// Events this old are taken up whatever the window holds: a webhook that lags (a receiver
/// down for hours) has its backlog made into deliveries long before the outbox forgets its
/// events (kept 7 days).
pub const TAKE_UP_WITHIN: Duration = Duration::hours(1);

/// Whether a webhook with `waiting` PENDING deliveries takes up more events now, the first of
/// them written `first_at`.
pub fn takes_up(waiting: u64, first_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    waiting < AHEAD || first_at <= now - TAKE_UP_WITHIN
}

/// Whether a receiver's answer takes the delivery: a 2xx (none: it did not answer in time).
pub fn taken(status: Option<u16>) -> bool {
    status.is_some_and(|code| (200..300).contains(&code))
}

/// What an attempt makes of its delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered 2xx.
    Delivered,
    /// Tried again then.
    Retry(DateTime<Utc>),
    /// Failed for good: a day has passed since the event.
    Failed,
}

/// What the `attempts`-th attempt, answered with `status` (none: no answer in time) at `now`,
/// makes of the delivery of an event `at`: delivered on a 2xx, else tried again as
/// [`next_attempt`] says.
pub fn outcome(
    status: Option<u16>,
    attempts: i32,
    (at, now): (DateTime<Utc>, DateTime<Utc>),
    first: Duration,
) -> Outcome {
    if taken(status) {
        return Outcome::Delivered;
    }
    next_attempt(attempts, (at, now), first).map_or(Outcome::Failed, Outcome::Retry)
}

/// Why a URL cannot be a webhook's target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetProblem {
    /// Not an absolute http(s) URL with a host.
    #[error("the URL must be an absolute http or https URL with a host")]
    NotHttp,
    /// It carries a user name or password.
    #[error("the URL must not carry a user name or password (sign with the secret instead)")]
    Credentials,
    /// Longer than [`URL_MAX`].
    #[error("the URL is longer than {URL_MAX} characters")]
    TooLong,
    /// It names (or its host resolves to) a private, loopback or link-local address.
    #[error("the URL points at a private, loopback or link-local address ({0})")]
    Private(IpAddr),
}

/// Whether deliveries may go to `ip`: never to loopback, private, link-local, unique-local,
/// shared (carrier-grade NAT), unspecified, broadcast, documentation or multicast addresses,
/// unless private targets are allowed.
pub fn reachable(ip: IpAddr, allow_private: bool) -> bool {
    allow_private || !internal(ip)
}

fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => internal_v4(v4),
            None => internal_v6(v6),
        },
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7 and link-local fe80::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Documentation 2001:db8::/32.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
}

/// Checks a webhook URL as written: http(s), a host, no credentials, not too long, and no
/// internal address literal unless private targets are allowed. (A host name is checked again
/// against what it resolves to, when it is saved and at every delivery.)
pub fn check_target(text: &str, allow_private: bool) -> Result<url::Url, TargetProblem> {
    if text.chars().count() > URL_MAX {
        return Err(TargetProblem::TooLong);
    }
    let url = url::Url::parse(text.trim()).map_err(|_| TargetProblem::NotHttp)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetProblem::NotHttp);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetProblem::Credentials);
    }
    let ip = match url.host() {
        None => return Err(TargetProblem::NotHttp),
        Some(url::Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name == "localhost" || name.ends_with(".localhost") {
                Some(IpAddr::V4(Ipv4Addr::LOCALHOST))
            } else {
                None
            }
        }
    };
    match ip {
        Some(ip) if !reachable(ip, allow_private) => Err(TargetProblem::Private(ip)),
        _ => Ok(url),
    }
}

/// The `Contactflow-Signature` header of a delivery of `body` at unix time `t`:
/// `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    // An HMAC takes a key of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={hex}")
}

/// When to try a delivery again after its `attempts`-th attempt failed at `now`: `first` (10 s
/// by default), then twice as long each time, up to an hour apart; `None` once [`RETRY_FOR`]
/// has passed since the event `at`, when the delivery has FAILED for good.
pub fn next_attempt(
    attempts: i32,
    (at, now): (DateTime<Utc>, DateTime<Utc>),
    first: Duration,
) -> Option<DateTime<Utc>> {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let wait = first
        .checked_mul(1 << doublings)
        .map_or(BACKOFF_MAX, |wait| wait.min(BACKOFF_MAX));
    let next = now + wait;
    (next < at + RETRY_FOR).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_unless_allowed() {
        for text in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!reachable(ip(text), false), "{text}");
            assert!(reachable(ip(text), true), "{text} when allowed");
        }
        for text in ["93.184.216.34", "2606:2800:220:1::1", "100.128.0.1"] {
            assert!(reachable(ip(text), false), "{text}");
        }
    }

    #[test]
    fn targets_are_absolute_http_urls_without_credentials() {
        assert!(check_target("https://hooks.example.com/crm", false).is_ok());
        assert!(check_target("http://93.184.216.34:8080/x", false).is_ok());
        for (text, problem) in [
            ("ftp://example.com/", TargetProblem::NotHttp),
            ("/relative", TargetProblem::NotHttp),
            ("not a url", TargetProblem::NotHttp),
            ("https://user:pw@example.com/", TargetProblem::Credentials),
            (
                "http://127.0.0.1:9000/",
                TargetProblem::Private(ip("127.0.0.1")),
            ),
            ("http://[::1]/", TargetProblem::Private(ip("::1"))),
            (
                "http://LOCALHOST./hook",
                TargetProblem::Private(ip("127.0.0.1")),
            ),
        ] {
            assert_eq!(check_target(text, false).err(), Some(problem), "{text}");
        }
        let long = format!("https://example.com/{}", "a".repeat(URL_MAX));
        assert_eq!(
            check_target(&long, false).err(),
            Some(TargetProblem::TooLong)
        );
        assert!(check_target("http://127.0.0.1:9000/", true).is_ok());
    }

    #[test]
    fn the_signature_is_the_hmac_of_the_time_and_the_body() {
        // HMAC-SHA256("key", "1700000000.{}") worked out independently (Python's hmac).
        let header = signature("key", 1_700_000_000, "{}");
        assert_eq!(
            header,
            "t=1700000000,v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert_ne!(header, signature("other", 1_700_000_000, "{}"));
        assert_ne!(header, signature("key", 1_700_000_001, "{}"));
    }

    #[test]
    fn retries_back_off_from_ten_seconds_to_an_hour_and_stop_after_a_day() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ten = Duration::seconds(10);
        let waits: Vec<i64> = (1..=12)
            .map(|attempts| (next_attempt(attempts, (at, at), ten).unwrap() - at).num_seconds())
            .collect();
        assert_eq!(waits[..5], [10, 20, 40, 80, 160]);
        assert_eq!(waits[11], 3_600);
        assert!(next_attempt(1, (at, at), ten).unwrap() - at <= Duration::seconds(30));
        let late = at + Duration::hours(23) + Duration::minutes(59) + Duration::seconds(55);
        assert_eq!(next_attempt(3, (at, late), ten), None, "past a day: failed");
        assert!(next_attempt(i32::MAX, (at, at), ten).is_some());
    }

    #[test]
    fn a_2xx_delivers_anything_else_is_retried_for_a_day() {
        let at = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ten = Duration::seconds(10);
        assert_eq!(outcome(Some(204), 1, (at, at), ten), Outcome::Delivered);
        assert_eq!(outcome(Some(299), 5, (at, at), ten), Outcome::Delivered);
        for status in [Some(500), Some(302), Some(404), Some(199), None] {
            assert_eq!(
                outcome(status, 1, (at, at), ten),
                Outcome::Retry(at + ten),
                "{status:?}"
            );
        }
        let late = at + Duration::hours(24);
        assert_eq!(outcome(None, 9, (at, late), ten), Outcome::Failed);
    }

    #[test]
    fn a_webhook_takes_up_events_while_fewer_than_its_window_wait_or_once_they_are_old() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert!(takes_up(0, now, now));
        assert!(takes_up(AHEAD - 1, now, now));
        assert!(!takes_up(AHEAD, now, now));
        assert!(!takes_up(AHEAD * 10, now - Duration::minutes(59), now));
        assert!(takes_up(AHEAD * 10, now - TAKE_UP_WITHIN, now));
    }
}
