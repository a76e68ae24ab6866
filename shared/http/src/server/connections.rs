//! The local server's open connections, HTTP/1 and HTTP/2 alike: which have
//! a request under way and which sit idle, since when. A connection closes
//! when it has been idle too long, and when every slot is taken and another
//! client connects, the one idle longest closes at once to make room, so
//! idle connections can never lock visitors out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long a connection may sit idle: until its first request (its
/// headers included), and between requests.
#[derive(Debug, Clone, Copy)]
pub struct IdleTimes {
    pub before_first_request: Duration,
    pub between_requests: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Activity {
    /// Requests whose answer is not made yet.
    under_way: usize,
    /// Since when nothing has been under way (at first, the connection's start).
    idle_since: Instant,
    /// Whether a request has arrived yet.
    served: bool,
    /// Told to close: to make room, or because the server stops.
    closing: bool,
}

/// The connections served at once, at most `max`.
pub struct Connections {
    slots: Arc<Semaphore>,
    max: usize,
    open: Mutex<HashMap<u64, Arc<Connection>>>,
    next_id: AtomicU64,
    /// Told whenever a connection falls idle, for a client waiting for room.
    fell_idle: Arc<Notify>,
}

/// One open connection.
pub struct Connection {
    id: u64,
    activity: watch::Sender<Activity>,
    /// Taken back when the connection closes, or as soon as it is chosen to
    /// make room: the newcomer need not wait for its goodbye.
    slot: Mutex<Option<OwnedSemaphorePermit>>,
    fell_idle: Arc<Notify>,
}

/// A request under way on a connection, until dropped.
pub struct Busy(Arc<Connection>);

impl Connections {
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        Connections {
            slots: Arc::new(Semaphore::new(max)),
            max,
            open: Mutex::default(),
            next_id: AtomicU64::new(0),
            fell_idle: Arc::default(),
        }
    }

    /// A slot for a connection just accepted: a free one, else the slot of
    /// the connection idle longest, which is told to close; with none idle,
    /// the first slot to come free.
    pub async fn admit(&self) -> Arc<Connection> {
        let slot = loop {
            if let Ok(slot) = self.slots.clone().try_acquire_owned() {
                break slot;
            }
            if self.close_longest_idle() {
                continue;
            }
            tokio::select! {
                slot = self.slots.clone().acquire_owned() => break slot.expect("never closed"),
                () = self.fell_idle.notified() => {}
            }
        };
        let connection = Arc::new(Connection {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            activity: watch::Sender::new(Activity {
                under_way: 0,
                idle_since: Instant::now(),
                served: false,
                closing: false,
            }),
            slot: Mutex::new(Some(slot)),
            fell_idle: self.fell_idle.clone(),
        });
        lock(&self.open).insert(connection.id, connection.clone());
        connection
    }

    /// Tells the connection idle longest to close and frees its slot at
    /// once; false when every connection has a request under way.
    fn close_longest_idle(&self) -> bool {
        let mut open = lock(&self.open);
        let longest = open
            .values()
            .filter_map(|c| {
                let activity = *c.activity.borrow();
                (activity.under_way == 0).then_some((activity.idle_since, c.id))
            })
            .min();
        let Some(connection) = longest.and_then(|(_, id)| open.remove(&id)) else {
            return false;
        };
        tracing::debug!("every connection slot taken: closing the connection idle longest");
        connection.close();
        lock(&connection.slot).take();
        true
    }

    /// Forgets `connection` once it has closed, and frees its slot.
    pub fn closed(&self, connection: &Connection) {
        lock(&self.open).remove(&connection.id);
        lock(&connection.slot).take();
    }

    /// Resolves once every connection that holds a slot has closed.
    pub async fn all_closed(&self) {
        let all = u32::try_from(self.max).unwrap_or(u32::MAX);
        let _ = self.slots.acquire_many(all).await;
    }
}

impl Connection {
    /// Marks a request under way until the returned guard is dropped.
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.activity.send_modify(|a| {
            a.under_way += 1;
            a.served = true;
        });
        Busy(self.clone())
    }

    fn close(&self) {
        self.activity.send_modify(|a| a.closing = true);
    }

    /// Resolves when the connection should close: it was told to, the
    /// server stops, or it has been idle longer than `times` allow.
    pub async fn until_closing(&self, times: IdleTimes, stop: &CancellationToken) {
        let mut activity = self.activity.subscribe();
        loop {
            let now = *activity.borrow_and_update();
            if now.closing {
                return;
            }
            let allowed = if now.served {
                times.between_requests
            } else {
                times.before_first_request
            };
            let idle_until = (now.under_way == 0).then_some(now.idle_since + allowed);
            tokio::select! {
                _ = activity.changed() => {}
                () = sleep_until(idle_until) => return,
                () = stop.cancelled() => return,
            }
        }
    }

    /// Resolves `grace` after the last request under way has been answered:
    /// time to send what is left and say goodbye.
    pub async fn until_answered_then(&self, grace: Duration) {
        let mut activity = self.activity.subscribe();
        let _ = activity.wait_for(|a| a.under_way == 0).await;
        tokio::time::sleep(grace).await;
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let mut idle = false;
        self.0.activity.send_modify(|a| {
            a.under_way -= 1;
            if a.under_way == 0 {
                a.idle_since = Instant::now();
                idle = true;
            }
        });
        if idle {
            self.0.fell_idle.notify_one();
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// The lock, even if a thread panicked holding it: the map stays consistent.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[tokio::test]
    async fn the_connection_idle_longest_makes_room() {
        let connections = Connections::new(2);
        let first = connections.admit().await;
        tokio::time::sleep(ms(5)).await;
        let second = connections.admit().await;
        let busy = first.begin();
        let third = connections.admit().await;
        let closing = |c: &Connection| c.activity.borrow().closing;
        assert!(closing(&second), "idle longest, no request under way");
        assert!(!closing(&first), "a request is under way");
        tokio::time::sleep(ms(5)).await;
        drop(busy);
        tokio::time::sleep(ms(5)).await;
        let fourth = connections.admit().await;
        assert!(
            closing(&third),
            "idle since it connected, before the last answer"
        );
        assert!(!closing(&first) && !closing(&fourth));
    }

    #[tokio::test]
    async fn idle_time_counts_from_the_last_answer() {
        let times = IdleTimes {
            before_first_request: ms(50),
            between_requests: ms(100),
        };
        let stop = CancellationToken::new();
        let connections = Connections::new(1);
        let connection = connections.admit().await;
        let started = Instant::now();
        connection.until_closing(times, &stop).await;
        assert!((ms(50)..ms(90)).contains(&started.elapsed()));

        connections.closed(&connection);
        let connection = connections.admit().await;
        let busy = connection.begin();
        let answered = tokio::spawn(async move {
            tokio::time::sleep(ms(200)).await;
            drop(busy);
        });
        let started = Instant::now();
        connection.until_closing(times, &stop).await;
        assert!((ms(300)..ms(380)).contains(&started.elapsed()));
        answered.await.unwrap();
    }
}
