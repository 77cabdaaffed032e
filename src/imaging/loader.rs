//! A small pool of decoding threads behind a priority queue and a byte-bounded cache.

use super::cache::Cache;
use super::queue::{Priority, Queue};
use super::{Loaded, decode};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

/// Background decoder: a few worker threads, a request queue ([`Priority::Now`] before
/// [`Priority::Ahead`], newest `Now` first), and a byte-bounded LRU cache of results.
///
/// A bounded pool rather than a thread per image, because a project queue holds 50,000 images.
/// The desk polls [`ImageLoader::get`] each frame and is woken through
/// [`ImageLoader::on_ready`]; nothing is pushed into the UI.
pub struct ImageLoader {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

type Wake = Arc<dyn Fn() + Send + Sync>;

struct Shared {
    state: Mutex<State>,
    job_queued: Condvar,
    wake: Mutex<Option<Wake>>,
    max_side: u32,
}

struct State {
    queue: Queue,
    in_flight: HashSet<PathBuf>,
    cache: Cache,
    stopping: bool,
}

impl ImageLoader {
    /// Starts `workers` threads (at least one) decoding to at most `max_side` pixels per side,
    /// keeping up to `cache_bytes` of results.
    pub fn new(workers: usize, max_side: u32, cache_bytes: usize) -> Self {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: Queue::default(),
                in_flight: HashSet::new(),
                cache: Cache::new(cache_bytes),
                stopping: false,
            }),
            job_queued: Condvar::new(),
            wake: Mutex::new(None),
            max_side,
        });
        let workers = (0..workers.max(1))
            .map(|index| spawn_worker(index, Arc::clone(&shared)))
            .collect();
        ImageLoader { shared, workers }
    }

    /// Sets what to call when a result is ready (the desk passes a closure calling egui's
    /// `request_repaint`). Called from a worker thread, with no lock held.
    pub fn on_ready(&self, wake: impl Fn() + Send + Sync + 'static) {
        *lock(&self.shared.wake) = Some(Arc::new(wake));
    }

    /// Asks for a file; does nothing when it is cached or already queued or in flight, except
    /// that a queued `Ahead` asked `Now` is raised. Cheap enough to repeat every frame.
    pub fn request(&self, path: &Path, priority: Priority) {
        let mut state = self.shared.state();
        // Touching a cached prefetch keeps it from being evicted before it is shown.
        if state.cache.touch(path) || state.in_flight.contains(path) {
            return;
        }
        if state.queue.push(path, priority) {
            drop(state);
            self.shared.job_queued.notify_one();
        }
    }

    /// The result if ready (an `Arc` clone); None while loading or when never requested.
    pub fn get(&self, path: &Path) -> Option<Arc<Loaded>> {
        self.shared.state().cache.get(path)
    }

    /// Forgets that a file was missing, so the next request looks for it again: a file put in
    /// place after "not found" shows when its item is opened again.
    pub fn forget_missing(&self, path: &Path) {
        let mut state = self.shared.state();
        let missing = (state.cache.get(path)).is_some_and(|l| matches!(*l, Loaded::Missing { .. }));
        if missing {
            state.cache.remove(path);
        }
    }

    /// Drops queued (not yet started) requests for paths not in `keep`, so that paging fast
    /// through a queue does not leave a backlog. Decodes in flight finish and are cached.
    pub fn retain_queued(&self, keep: &[PathBuf]) {
        let keep: HashSet<&Path> = keep.iter().map(PathBuf::as_path).collect();
        self.shared.state().queue.retain(|path| keep.contains(path));
    }

    /// Bytes the cached results take, as counted against `cache_bytes`.
    pub fn cached_bytes(&self) -> usize {
        self.shared.state().cache.used_bytes()
    }
}

/// Stops the workers: queued requests are dropped, and only decodes already in flight are
/// waited for (one image each, at most about a second for an 8000×6000 photo).
impl Drop for ImageLoader {
    fn drop(&mut self) {
        {
            let mut state = self.shared.state();
            state.stopping = true;
            state.queue.clear();
        }
        self.shared.job_queued.notify_all();
        for worker in self.workers.drain(..) {
            // A worker cannot panic (decode catches codec panics); nothing to report if it did.
            let _ = worker.join();
        }
    }
}

fn spawn_worker(index: usize, shared: Arc<Shared>) -> JoinHandle<()> {
    thread::Builder::new()
        .name(format!("bagel-image-{index}"))
        .spawn(move || shared.work())
        .expect("the system could not start an image decoding thread")
}

impl Shared {
    fn work(&self) {
        while let Some(path) = self.next_job() {
            let loaded = decode(&path, self.max_side);
            self.finish(path, loaded);
        }
    }

    /// Waits for a request; None when the loader is being dropped.
    fn next_job(&self) -> Option<PathBuf> {
        let mut state = self.state();
        loop {
            if state.stopping {
                return None;
            }
            if let Some(path) = state.queue.pop() {
                state.in_flight.insert(path.clone());
                return Some(path);
            }
            state = self
                .job_queued
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn finish(&self, path: PathBuf, loaded: Loaded) {
        {
            let mut state = self.state();
            state.in_flight.remove(&path);
            state.cache.insert(path, Arc::new(loaded));
        }
        // Cloned out first: the callback runs without any loader lock held, so it may call back
        // into the loader.
        let wake = lock(&self.wake).clone();
        if let Some(wake) = wake {
            wake();
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }
}

/// The state stays consistent across a panic (every update is a single step), so a poisoned
/// lock is still usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
