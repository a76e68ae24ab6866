//! Password hashing, bounded. An argon2id hash takes about 19 MiB and a core
//! for tens of milliseconds, so a burst of logins could take all the memory
//! and starve every other request. At most `concurrency` hashes run at once,
//! on as many long-lived threads of their own (never on the blocking pool the
//! embedded database works on, and never a fresh thread per hash: each new
//! thread may get its own allocator arena, which keeps the 19 MiB after the
//! hash is done). A request that cannot start a hash within `wait` is told to
//! come back (503 with `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::OsRng;
use tokio::sync::Semaphore;

/// Every hashing slot stayed busy for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("password checks are busy; try again in a second")]
pub struct Overloaded;

type Job = Box<dyn FnOnce() + Send>;

pub struct HashGate {
    slots: Semaphore,
    concurrency: usize,
    wait: Duration,
    /// The threads start with the first hash: most functions never hash,
    /// and none should pay for the threads in its cold start.
    jobs: OnceLock<mpsc::Sender<Job>>,
    running: AtomicUsize,
    peak: AtomicUsize,
    verified: AtomicUsize,
}

impl HashGate {
    /// A gate of `concurrency` hashing threads, started by the first hash;
    /// they end when the gate is dropped.
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        let concurrency = concurrency.max(1);
        HashGate {
            slots: Semaphore::new(concurrency),
            concurrency,
            wait,
            jobs: OnceLock::new(),
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            verified: AtomicUsize::new(0),
        }
    }

    /// The argon2id hash of `password`, in PHC string form.
    pub async fn hash(&self, password: String) -> Result<String, Overloaded> {
        self.run(move || hash_now(&password)).await
    }

    /// Whether `password` matches `hash` (false for a hash that does not parse).
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Overloaded> {
        self.verified.fetch_add(1, Ordering::SeqCst);
        self.run(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
    }

    /// How many passwords were checked: what a login for an unknown email
    /// must cost as much as one for a known email.
    pub fn verifications(&self) -> usize {
        self.verified.load(Ordering::SeqCst)
    }

    /// The most hashes that ever ran at once.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Overloaded> {
        let _slot = tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .map_err(|_| Overloaded)?
            .map_err(|_| Overloaded)?;
        let running = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(running, Ordering::SeqCst);
        let (done, result) = tokio::sync::oneshot::channel();
        let jobs = self.jobs.get_or_init(|| start_threads(self.concurrency));
        let sent = jobs.send(Box::new(move || {
            let _ = done.send(work());
        }));
        let outcome = match sent {
            Ok(()) => result.await.map_err(|_| Overloaded),
            Err(_) => Err(Overloaded),
        };
        self.running.fetch_sub(1, Ordering::SeqCst);
        outcome
    }
}

/// Starts `concurrency` threads that run the jobs sent to them, until the
/// sender is dropped.
fn start_threads(concurrency: usize) -> mpsc::Sender<Job> {
    return_large_blocks_to_the_system();
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..concurrency {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("hostfront-hash-{n}"))
            .spawn(move || {
                loop {
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
            .expect("a hashing thread starts");
    }
    jobs
}

/// glibc raises its mmap threshold each time a large block is freed, after
/// which every 19 MiB hash buffer comes from the heap and stays there: a few
/// hundred logins grew the process by hundreds of MiB. A fixed threshold
/// keeps such blocks mapped on their own, and unmapped (memory and password
/// material alike) as soon as a hash is done.
fn return_large_blocks_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only changes an allocator setting; it is called once,
        // before the hashing threads start.
        ONCE.call_once(|| unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        });
    }
}

/// Hashes on the calling thread: for values made once, such as a decoy.
pub fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// A token or address as stored: its SHA-256 digest, base64url.
pub fn digest(text: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn at_most_the_configured_hashes_run_and_the_rest_are_turned_away() {
        let gate = Arc::new(HashGate::new(1, Duration::from_millis(5)));
        let calls = (0..8).map(|_| {
            let gate = gate.clone();
            tokio::spawn(async move { gate.hash("correct horse battery".into()).await })
        });
        let results = futures::future::join_all(calls).await;
        let refused = results
            .iter()
            .filter(|r| matches!(r, Ok(Err(Overloaded))))
            .count();
        assert_eq!(gate.peak(), 1);
        assert!(refused >= 1, "a burst past the bound is refused");
        let hash = results
            .into_iter()
            .find_map(|r| r.ok()?.ok())
            .expect("one ran");
        assert!(
            gate.verify("correct horse battery".into(), hash.clone())
                .await
                .unwrap()
        );
        assert!(
            !gate
                .verify("wrong horse battery".into(), hash)
                .await
                .unwrap()
        );
    }
}
