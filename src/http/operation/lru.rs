//! A small bounded map that forgets the least recently used entry when it is full; it holds
//! the document cache and the persisted queries.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// A map of at most `capacity` entries; reading an entry makes it the most recent.
pub struct Lru<K, V> {
    capacity: usize,
    tick: u64,
    entries: HashMap<K, (V, u64)>,
    by_age: BTreeMap<u64, K>,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    /// An empty map that holds up to `capacity` entries (0: holds nothing).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            tick: 0,
            entries: HashMap::new(),
            by_age: BTreeMap::new(),
        }
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// The value for `key`, now the most recently used.
    pub fn get<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let tick = self.next_tick();
        let (value, used) = self.entries.get_mut(key)?;
        let owner = self.by_age.remove(used)?;
        *used = tick;
        self.by_age.insert(tick, owner);
        Some(value.clone())
    }

    /// Keeps `value` for `key`, forgetting the least recently used entry when full.
    pub fn insert(&mut self, key: K, value: V) {
        if self.capacity == 0 {
            return;
        }
        let tick = self.next_tick();
        if let Some((_, used)) = self.entries.insert(key.clone(), (value, tick)) {
            self.by_age.remove(&used);
        }
        self.by_age.insert(tick, key);
        while self.entries.len() > self.capacity {
            let Some((_, oldest)) = self.by_age.pop_first() else {
                break;
            };
            self.entries.remove(&oldest);
        }
    }

    /// How many entries it holds.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds nothing.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::Lru;

    #[test]
    fn the_least_recently_used_entry_is_forgotten_first() {
        let mut cache = Lru::new(2);
        cache.insert("a", 1);
        cache.insert("b", 2);
        assert_eq!(cache.get("a"), Some(1));
        cache.insert("c", 3);
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.get("a"), Some(1));
        assert_eq!(cache.get("c"), Some(3));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn replacing_a_key_keeps_one_entry() {
        let mut cache = Lru::new(2);
        cache.insert("a", 1);
        cache.insert("a", 2);
        cache.insert("b", 3);
        assert_eq!(cache.get("a"), Some(2));
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn a_cache_of_nothing_stays_empty() {
        let mut cache = Lru::new(0);
        cache.insert("a", 1);
        assert!(cache.is_empty());
    }
}
