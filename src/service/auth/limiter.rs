//! Failed sign-ins, counted per login and per client address over a sliding window: once a key
//! has failed too often, further attempts are refused (`RATE_LIMITED`) until its oldest failure
//! leaves the window, and no password is checked meanwhile. Counts live in this instance's
//! memory, bounded in the keys they track.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window over which one login's failures are counted.
pub const LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The window over which one client address's failures are counted.
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(60);
/// Keys one counter tracks at most; past it, the longest quiet ones are forgotten.
const MAX_KEYS: usize = 100_000;

/// Failures of each key within a window.
struct Counter<K> {
    allowed: usize,
    window: Duration,
    failures: HashMap<K, VecDeque<Instant>>,
}

impl<K: std::hash::Hash + Eq + Clone> Counter<K> {
    fn new(allowed: usize, window: Duration) -> Self {
        Self {
            allowed,
            window,
            failures: HashMap::new(),
        }
    }

    /// How long `key` is still refused; `None` when it may try.
    fn refused_for(&mut self, key: &K, now: Instant) -> Option<Duration> {
        let failures = self.failures.get_mut(key)?;
        while failures
            .front()
            .is_some_and(|at| now.duration_since(*at) >= self.window)
        {
            failures.pop_front();
        }
        if failures.is_empty() {
            self.failures.remove(key);
            return None;
        }
        let oldest = *failures.front()?;
        (failures.len() >= self.allowed).then(|| self.window - now.duration_since(oldest))
    }

    fn failed(&mut self, key: K, now: Instant) {
        if self.failures.len() >= MAX_KEYS && !self.failures.contains_key(&key) {
            self.forget_quiet(now);
        }
        let failures = self.failures.entry(key).or_default();
        failures.push_back(now);
        while failures.len() > self.allowed {
            failures.pop_front();
        }
    }

    /// Forgets the keys whose failures have all left the window, then, if that is not enough,
    /// the half that failed longest ago.
    fn forget_quiet(&mut self, now: Instant) {
        let window = self.window;
        self.failures.retain(|_, failures| {
            failures
                .back()
                .is_some_and(|at| now.duration_since(*at) < window)
        });
        if self.failures.len() >= MAX_KEYS {
            let mut latest: Vec<Instant> = self
                .failures
                .values()
                .filter_map(|failures| failures.back().copied())
                .collect();
            latest.sort_unstable();
            let cut = latest[latest.len() / 2];
            self.failures
                .retain(|_, failures| failures.back().is_some_and(|at| *at > cut));
        }
    }

    fn succeeded(&mut self, key: &K) {
        self.failures.remove(key);
    }
}

/// The sign-in limits of API.md: so many failures per login in 15 minutes (5 by default), so
/// many per client address in a minute (30).
pub struct SignInLimits {
    by_login: Mutex<Counter<String>>,
    by_address: Mutex<Counter<IpAddr>>,
}

impl SignInLimits {
    /// At most `per_login` failures per login in [`LOGIN_WINDOW`] and `per_address` per client
    /// address in [`ADDRESS_WINDOW`].
    pub fn allowing(per_login: usize, per_address: usize) -> Self {
        Self::new((per_login, LOGIN_WINDOW), (per_address, ADDRESS_WINDOW))
    }

    /// Limits of `(failures, window)` per login and per address.
    fn new(login: (usize, Duration), address: (usize, Duration)) -> Self {
        Self {
            by_login: Mutex::new(Counter::new(login.0, login.1)),
            by_address: Mutex::new(Counter::new(address.0, address.1)),
        }
    }

    /// How long sign-ins for `login` from `address` are still refused; `None` when they may try.
    pub fn refused_for(&self, login: &str, address: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let by_login = self
            .by_login
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .refused_for(&login.to_owned(), now);
        let by_address = address.and_then(|address| {
            self.by_address
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .refused_for(&address, now)
        });
        by_login.max(by_address)
    }

    /// Counts a failed sign-in.
    pub fn failed(&self, login: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        self.by_login
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .failed(login.to_owned(), now);
        if let Some(address) = address {
            self.by_address
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .failed(address, now);
        }
    }

    /// A sign-in succeeded: the login's failures are forgiven (the address's are not).
    pub fn succeeded(&self, login: &str) {
        self.by_login
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .succeeded(&login.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_failure_within_the_window_is_refused_until_the_first_leaves_it() {
        let mut counter = Counter::new(5, Duration::from_secs(900));
        let start = Instant::now();
        for n in 0..5 {
            let at = start + Duration::from_secs(n);
            assert_eq!(counter.refused_for(&"alice", at), None, "attempt {n}");
            counter.failed("alice", at);
        }
        let sixth = start + Duration::from_secs(10);
        assert_eq!(
            counter.refused_for(&"alice", sixth),
            Some(Duration::from_secs(890))
        );
        assert_eq!(counter.refused_for(&"bob", sixth), None);
        let later = start + Duration::from_secs(900);
        assert_eq!(counter.refused_for(&"alice", later), None);
    }

    #[test]
    fn a_success_forgives_the_logins_failures() {
        let limits = SignInLimits::new((2, LOGIN_WINDOW), (10, ADDRESS_WINDOW));
        let address = Some(IpAddr::from([127, 0, 0, 1]));
        limits.failed("alice", address);
        limits.failed("alice", address);
        assert!(limits.refused_for("alice", address).is_some());
        limits.succeeded("alice");
        assert!(limits.refused_for("alice", address).is_none());
    }

    #[test]
    fn an_address_is_refused_whatever_login_it_tries() {
        let limits = SignInLimits::new((100, LOGIN_WINDOW), (3, ADDRESS_WINDOW));
        let address = Some(IpAddr::from([10, 0, 0, 9]));
        for login in ["a", "b", "c"] {
            limits.failed(login, address);
        }
        assert!(limits.refused_for("d", address).is_some());
        assert!(
            limits
                .refused_for("d", Some(IpAddr::from([10, 0, 0, 8])))
                .is_none()
        );
    }

    #[test]
    fn the_keys_tracked_stay_bounded() {
        let mut counter = Counter::new(5, Duration::from_secs(60));
        let now = Instant::now();
        for n in 0..MAX_KEYS + 10 {
            counter.failed(n, now + Duration::from_millis(n as u64));
        }
        assert!(counter.failures.len() <= MAX_KEYS);
        assert!(counter.failures.contains_key(&(MAX_KEYS + 9)));
    }
}
