//! Waiting for what a test waits for, not for a while: a condition looked
//! at again and again until it holds, with a deadline after which the test
//! fails and says what it last saw.

use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, Instant};

/// How long between two looks at a condition.
const POLL_EVERY: Duration = Duration::from_millis(20);

/// Calls `check` until it answers `Ok`, and returns what it holds; once
/// `within` has passed, panics with `what` and the last `Err`.
pub async fn eventually<T, E: Display, F: Future<Output = Result<T, E>>>(
    within: Duration,
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        match check().await {
            Ok(done) => return done,
            Err(last) if Instant::now() >= deadline => {
                panic!("{what}: not within {within:?}; last seen: {last}")
            }
            Err(_) => tokio::time::sleep(POLL_EVERY).await,
        }
    }
}

/// Waits until `holds` answers true; once `within` has passed, panics with `what`.
pub async fn until<F: Future<Output = bool>>(
    within: Duration,
    what: &str,
    mut holds: impl FnMut() -> F,
) {
    eventually(within, what, || {
        let looked = holds();
        async move { if looked.await { Ok(()) } else { Err("not yet") } }
    })
    .await
}
