//! Decoded results, bounded in bytes, least recently used evicted first.

use super::Loaded;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(super) struct Cache {
    budget: usize,
    used: usize,
    entries: HashMap<PathBuf, Entry>,
    /// Paths by the tick of their last use, oldest first: eviction takes from the front.
    by_use: BTreeMap<u64, PathBuf>,
    tick: u64,
}

struct Entry {
    loaded: Arc<Loaded>,
    last_use: u64,
}

impl Cache {
    pub(super) fn new(budget: usize) -> Self {
        Cache {
            budget,
            used: 0,
            entries: HashMap::new(),
            by_use: BTreeMap::new(),
            tick: 0,
        }
    }

    pub(super) fn used_bytes(&self) -> usize {
        self.used
    }

    /// The result, marked as just used.
    pub(super) fn get(&mut self, path: &Path) -> Option<Arc<Loaded>> {
        self.touch(path)
            .then(|| Arc::clone(&self.entries[path].loaded))
    }

    /// Marks a path as just used; false when it is not cached.
    pub(super) fn touch(&mut self, path: &Path) -> bool {
        let tick = self.next_tick();
        let Some(entry) = self.entries.get_mut(path) else {
            return false;
        };
        let owned = self.by_use.remove(&entry.last_use);
        entry.last_use = tick;
        self.by_use
            .insert(tick, owned.unwrap_or_else(|| path.to_owned()));
        true
    }

    /// Adds a result, then evicts the least recently used others until the total fits. The new
    /// entry itself is never evicted, even when it alone exceeds the budget: the desk asked for
    /// it and would otherwise ask again forever.
    pub(super) fn insert(&mut self, path: PathBuf, loaded: Arc<Loaded>) {
        self.remove(&path);
        let tick = self.next_tick();
        self.used += loaded.cost();
        self.by_use.insert(tick, path.clone());
        self.entries.insert(
            path,
            Entry {
                loaded,
                last_use: tick,
            },
        );
        self.evict_over_budget(tick);
    }

    fn evict_over_budget(&mut self, keep: u64) {
        while self.used > self.budget {
            let Some((&oldest, _)) = self.by_use.first_key_value() else {
                return;
            };
            if oldest == keep {
                return;
            }
            let path = self.by_use[&oldest].clone();
            self.remove(&path);
        }
    }

    pub(super) fn remove(&mut self, path: &Path) {
        if let Some(entry) = self.entries.remove(path) {
            self.by_use.remove(&entry.last_use);
            self.used -= entry.loaded.cost();
        }
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(name: &str) -> (PathBuf, Arc<Loaded>) {
        let path = PathBuf::from(name);
        let loaded = Loaded::Missing { path: path.clone() };
        (path, Arc::new(loaded))
    }

    fn cost_of_one() -> usize {
        failure("a").1.cost()
    }

    fn cache_for(entries: usize) -> Cache {
        Cache::new(entries * cost_of_one())
    }

    fn insert(cache: &mut Cache, name: &str) {
        let (path, loaded) = failure(name);
        cache.insert(path, loaded);
    }

    fn holds(cache: &Cache, name: &str) -> bool {
        cache.entries.contains_key(Path::new(name))
    }

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let mut cache = cache_for(2);
        insert(&mut cache, "a");
        insert(&mut cache, "b");
        assert!(cache.get(Path::new("a")).is_some());
        insert(&mut cache, "c");
        assert!(holds(&cache, "a"));
        assert!(!holds(&cache, "b"));
        assert!(holds(&cache, "c"));
        assert_eq!(cache.used_bytes(), 2 * cost_of_one());
    }

    #[test]
    fn touching_counts_as_a_use() {
        let mut cache = cache_for(2);
        insert(&mut cache, "a");
        insert(&mut cache, "b");
        assert!(cache.touch(Path::new("a")));
        insert(&mut cache, "c");
        assert!(holds(&cache, "a"));
        assert!(!holds(&cache, "b"));
    }

    #[test]
    fn an_entry_larger_than_the_budget_stays_alone() {
        let mut cache = Cache::new(cost_of_one() / 2);
        insert(&mut cache, "a");
        insert(&mut cache, "b");
        assert!(!holds(&cache, "a"));
        assert!(holds(&cache, "b"));
        assert_eq!(cache.used_bytes(), cost_of_one());
    }

    #[test]
    fn inserting_a_path_again_replaces_it_without_double_counting() {
        let mut cache = cache_for(3);
        insert(&mut cache, "a");
        insert(&mut cache, "a");
        assert_eq!(cache.used_bytes(), cost_of_one());
        assert_eq!(cache.by_use.len(), 1);
    }
}
