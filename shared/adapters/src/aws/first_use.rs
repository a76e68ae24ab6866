//! An SDK client made when it is first used, or made meanwhile on a thread
//! of its own. Making one costs about half a millisecond of a Lambda
//! function's cold start: most functions never call SQS or KMS on their first
//! request, or at all; every one reads the table, whose client is made while
//! the main thread reads the configuration, builds the routes and connects
//! to the Runtime API.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

pub struct OnFirstUse<C> {
    make: Arc<dyn Fn() -> C + Send + Sync>,
    client: Arc<OnceLock<C>>,
}

impl<C> OnFirstUse<C> {
    /// A client that `make` makes on first use.
    pub fn new(make: impl Fn() -> C + Send + Sync + 'static) -> Self {
        OnFirstUse {
            make: Arc::new(make),
            client: Arc::default(),
        }
    }
}

impl<C: Send + Sync + 'static> OnFirstUse<C> {
    /// A client that `make` makes now on a thread of its own. Whoever uses
    /// it sooner waits for it (or makes it, if the thread has not begun).
    pub fn made_meanwhile(make: impl Fn() -> C + Send + Sync + 'static) -> Self {
        let client = OnFirstUse::new(make);
        let ahead = client.clone();
        // Detached; when no thread can be had, the first use makes it, as with `new`.
        let _ = std::thread::Builder::new()
            .name("client-init".into())
            .spawn(move || {
                let _ = &*ahead;
            });
        client
    }
}

impl<C: Clone + Send + Sync + 'static> From<C> for OnFirstUse<C> {
    /// A client made already.
    fn from(client: C) -> Self {
        OnFirstUse {
            client: Arc::new(OnceLock::from(client.clone())),
            make: Arc::new(move || client.clone()),
        }
    }
}

impl<C> Clone for OnFirstUse<C> {
    fn clone(&self) -> Self {
        OnFirstUse {
            make: self.make.clone(),
            client: self.client.clone(),
        }
    }
}

impl<C> Deref for OnFirstUse<C> {
    type Target = C;

    fn deref(&self) -> &C {
        self.client.get_or_init(|| (self.make)())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;

    fn counting() -> (Arc<AtomicUsize>, impl Fn() -> usize + Send + Sync + 'static) {
        let made = Arc::new(AtomicUsize::new(0));
        let counter = made.clone();
        (made, move || counter.fetch_add(1, Ordering::SeqCst) + 1)
    }

    #[test]
    fn on_first_use_makes_once_when_used() {
        let (made, make) = counting();
        let client = OnFirstUse::new(make);
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(made.load(Ordering::SeqCst), 0, "nobody used it yet");
        let copy = client.clone();
        assert_eq!((*client, *copy), (1, 1));
        assert_eq!(made.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn made_meanwhile_is_made_unasked_and_only_once() {
        let (made, make) = counting();
        let client = OnFirstUse::made_meanwhile(make);
        let deadline = Instant::now() + Duration::from_secs(5);
        while made.load(Ordering::SeqCst) == 0 {
            assert!(Instant::now() < deadline, "the thread never made it");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(*client, 1);
        assert_eq!(made.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_use_racing_the_thread_gets_the_one_client() {
        for _ in 0..200 {
            let (made, make) = counting();
            let client = OnFirstUse::made_meanwhile(make);
            assert_eq!(*client, 1, "whoever made it, it was made first");
            let deadline = Instant::now() + Duration::from_secs(5);
            // The thread finds it made and makes nothing.
            while Arc::strong_count(&client.client) > 1 {
                assert!(Instant::now() < deadline, "the thread never ended");
                std::thread::sleep(Duration::from_millis(1));
            }
            assert_eq!(made.load(Ordering::SeqCst), 1);
        }
    }
}
