//! Password hashing, bounded. An argon2id hash takes about 19 MiB and a core
//! for tens of milliseconds, so a burst of logins could take all the memory
//! and starve every other request. At most `concurrency` hashes run at once,
//! each on a thread of its own (never on the blocking pool the embedded
//! database works on); a request that cannot start one within `wait` is
//! told to come back (503 with `Retry-After`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand_core::OsRng;
use tokio::sync::Semaphore;

/// Every hashing slot stayed busy for the whole wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("password checks are busy; try again in a second")]
pub struct Overloaded;

pub struct HashGate {
    slots: Semaphore,
    wait: Duration,
    running: AtomicUsize,
    peak: AtomicUsize,
}

impl HashGate {
    pub fn new(concurrency: usize, wait: Duration) -> Self {
        HashGate {
            slots: Semaphore::new(concurrency.max(1)),
            wait,
            running: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// The argon2id hash of `password`, in PHC string form.
    pub async fn hash(&self, password: String) -> Result<String, Overloaded> {
        self.run(move || hash_now(&password)).await
    }

    /// Whether `password` matches `hash` (false for a hash that does not parse).
    pub async fn verify(&self, password: String, hash: String) -> Result<bool, Overloaded> {
        self.run(move || {
            PasswordHash::new(&hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await
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
        std::thread::spawn(move || {
            let _ = done.send(work());
        });
        let outcome = result.await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        outcome.map_err(|_| Overloaded)
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
