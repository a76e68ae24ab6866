//! Faults on demand: a request answered late, after it took effect (the
//! shop's timeout is what is tested), or a server error that does nothing.

use std::time::Duration;

use super::StripeServer;

#[derive(Default)]
pub(super) struct Faults {
    /// The next request (to this path only, when one is given) takes
    /// effect, then answers after this long.
    slow_next: Option<(Option<String>, Duration)>,
    /// The next request is answered with this server error, doing nothing.
    pub(super) fail_next: Option<u16>,
}

impl Faults {
    /// How late to answer a request to `path` that took effect.
    pub(super) fn slow(&mut self, path: &str) -> Option<Duration> {
        match &self.slow_next {
            Some((Some(only), _)) if only != path => None,
            _ => self.slow_next.take().map(|(_, after)| after),
        }
    }
}

impl StripeServer {
    /// The next request takes effect, then answers `after` later.
    pub fn slow_next(&self, after: Duration) {
        self.account.lock().unwrap().faults.slow_next = Some((None, after));
    }

    /// The next request to `path` (`/v1/setup_intents`) takes effect, then
    /// answers `after` later; requests to other paths are answered at once.
    pub fn slow_next_to(&self, path: &str, after: Duration) {
        let slow = Some((Some(path.to_string()), after));
        self.account.lock().unwrap().faults.slow_next = slow;
    }

    /// The next request is answered with `status` (a 5xx, or 409 for a key
    /// under way), doing nothing.
    pub fn fail_next(&self, status: u16) {
        self.account.lock().unwrap().faults.fail_next = Some(status);
    }
}
