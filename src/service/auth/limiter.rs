//! Failed sign-ins, counted per login and per client address over a sliding window: once a key
//! has failed too often, further attempts are refused (`RATE_LIMITED`) until its oldest failure
//! leaves the window, and no password is checked meanwhile. Attempts still being checked count
//! too, so a burst of concurrent wrong passwords checks no more than the limit allows. Counts
//! live in this instance's memory, bounded in the keys they track.

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
/// The wait a client is told when attempts in flight, not failures, fill its allowance: they
/// finish within a password check.
const IN_FLIGHT_WAIT: Duration = Duration::from_secs(1);

/// Failures of each key within a window, and its attempts still being checked.
struct Counter<K> {
    allowed: usize,
    window: Duration,
    failures: HashMap<K, VecDeque<Instant>>,
    in_flight: HashMap<K, usize>,
}

impl<K: std::hash::Hash + Eq + Clone> Counter<K> {
    fn new(allowed: usize, window: Duration) -> Self {
        Self {
            allowed,
            window,
            failures: HashMap::new(),
            in_flight: HashMap::new(),
        }
    }

    /// How long `key` is still refused for its failures alone; `None` when it may try.
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

    /// Lets one more attempt of `key` be checked, or says how long it must wait: its failures
    /// and its attempts in flight together stay within the allowance.
    fn admit(&mut self, key: &K, now: Instant) -> Result<(), Duration> {
        if let Some(wait) = self.refused_for(key, now) {
            return Err(wait);
        }
        let failed = self.failures.get(key).map_or(0, VecDeque::len);
        let pending = self.in_flight.get(key).copied().unwrap_or(0);
        if failed + pending >= self.allowed {
            return Err(IN_FLIGHT_WAIT);
        }
        self.in_flight.insert(key.clone(), pending + 1);
        Ok(())
    }

    /// An admitted attempt of `key` has been checked.
    fn settle(&mut self, key: &K) {
        if let Some(pending) = self.in_flight.get_mut(key) {
            *pending = pending.saturating_sub(1);
            if *pending == 0 {
                self.in_flight.remove(key);
            }
        }
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

    fn by_login(&self) -> std::sync::MutexGuard<'_, Counter<String>> {
        self.by_login
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn by_address(&self) -> std::sync::MutexGuard<'_, Counter<IpAddr>> {
        self.by_address
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Admits a sign-in for `login` (none: a refresh token, whose login is not known yet) from
    /// `address` to be checked, or says how long it must wait. The attempt counts against both
    /// until it is settled.
    pub fn admit(
        &self,
        login: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<Attempt<'_>, Duration> {
        let now = Instant::now();
        let login = login.map(str::to_owned);
        if let Some(login) = &login {
            self.by_login().admit(login, now)?;
        }
        if let Some(address) = address
            && let Err(wait) = self.by_address().admit(&address, now)
        {
            if let Some(login) = &login {
                self.by_login().settle(login);
            }
            return Err(wait);
        }
        Ok(Attempt {
            limits: self,
            login,
            address,
        })
    }
}

/// An admitted sign-in whose password is being checked; dropping it without an outcome (the
/// check itself failed) only ends its reservation.
pub struct Attempt<'a> {
    limits: &'a SignInLimits,
    login: Option<String>,
    address: Option<IpAddr>,
}

impl Attempt<'_> {
    /// The password was wrong (or the login unknown): counts a failure.
    pub fn failed(self) {
        let now = Instant::now();
        if let Some(login) = &self.login {
            self.limits.by_login().failed(login.clone(), now);
        }
        if let Some(address) = self.address {
            self.limits.by_address().failed(address, now);
        }
    }

    /// The sign-in succeeded: the login's failures are forgiven (the address's are not).
    pub fn succeeded(self) {
        if let Some(login) = &self.login {
            self.limits.by_login().succeeded(login);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if let Some(login) = &self.login {
            self.limits.by_login().settle(login);
        }
        if let Some(address) = self.address {
            self.limits.by_address().settle(&address);
        }
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
        let limits = SignInLimits::new((3, LOGIN_WINDOW), (10, ADDRESS_WINDOW));
        let peer = IpAddr::from([127, 0, 0, 1]);
        let address = Some(peer);
        limits.admit(Some("alice"), address).unwrap().failed();
        limits.admit(Some("alice"), address).unwrap().failed();
        limits.admit(Some("alice"), address).unwrap().succeeded();
        assert!(!limits.by_login().failures.contains_key("alice"));
        // Three attempts may be checked again; the address kept its two failures.
        let again: Vec<_> = (0..3)
            .map(|_| limits.admit(Some("alice"), address).unwrap())
            .collect();
        assert_eq!(again.len(), 3);
        assert_eq!(limits.by_address().failures[&peer].len(), 2);
    }

    #[test]
    fn an_address_is_refused_whatever_login_it_tries() {
        let limits = SignInLimits::new((100, LOGIN_WINDOW), (3, ADDRESS_WINDOW));
        let address = Some(IpAddr::from([10, 0, 0, 9]));
        for login in ["a", "b", "c"] {
            limits.admit(Some(login), address).unwrap().failed();
        }
        assert!(limits.admit(Some("d"), address).is_err());
        assert!(
            limits
                .admit(Some("d"), Some(IpAddr::from([10, 0, 0, 8])))
                .is_ok()
        );
        // The refused address did not keep a reservation of login "d".
        assert!(limits.by_login().in_flight.is_empty());
    }

    #[test]
    fn attempts_in_flight_count_until_they_are_settled() {
        let limits = SignInLimits::new((3, LOGIN_WINDOW), (100, ADDRESS_WINDOW));
        let address = Some(IpAddr::from([10, 0, 0, 7]));
        let checking: Vec<_> = (0..3)
            .map(|_| limits.admit(Some("alice"), address).unwrap())
            .collect();
        // A fourth concurrent attempt is not checked while three are.
        assert_eq!(
            limits.admit(Some("alice"), address).err(),
            Some(IN_FLIGHT_WAIT)
        );
        let mut checking = checking.into_iter();
        checking.next().unwrap().succeeded();
        assert!(limits.admit(Some("alice"), address).is_ok());
        checking.next().unwrap().failed();
        drop(checking);
        // One failure is left; the other attempts only ended their reservations.
        assert!(limits.by_login().in_flight.is_empty());
        assert_eq!(limits.by_login().failures["alice"].len(), 1);
        assert!(limits.by_address().in_flight.is_empty());
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

    #[test]
    fn a_refresh_without_a_login_counts_against_its_address_only() {
        let limits = SignInLimits::new((1, LOGIN_WINDOW), (2, ADDRESS_WINDOW));
        let address = Some(IpAddr::from([10, 0, 0, 8]));
        limits.admit(None, address).unwrap().failed();
        limits.admit(None, address).unwrap().failed();
        assert!(limits.admit(None, address).is_err());
        assert!(limits.by_login().failures.is_empty());
        let elsewhere = Some(IpAddr::from([10, 0, 0, 9]));
        assert!(limits.admit(Some("alice"), elsewhere).is_ok());
    }
}
