//! A run cut off by a queue outage, or out of time, carries on where it
//! stopped.

use super::day_run;
use crate::renewals::{DAY, live_domain};
use hostfront::Ports;
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::{self, Check};
use hostfront::queue::{DeadLetter, Message, Queue, QueueError, QueueResult};
use hostfront::scheduler::Task;
use hostfront_tests::work_off_queue;
use std::time::Duration;

/// A queue that takes `room` messages, then fails as an outage would.
struct QueueFailingAfter {
    inner: std::sync::Arc<dyn Queue>,
    room: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl Queue for QueueFailingAfter {
    fn engine(&self) -> &'static str {
        self.inner.engine()
    }
    async fn send(&self, body: &str, delay: Duration) -> QueueResult<String> {
        let left = self.room.load(std::sync::atomic::Ordering::SeqCst);
        if left == 0 {
            return Err(QueueError::Backend("the queue is down".into()));
        }
        self.room
            .store(left - 1, std::sync::atomic::Ordering::SeqCst);
        self.inner.send(body, delay).await
    }
    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> QueueResult<Vec<Message>> {
        self.inner.receive(max, visibility, wait).await
    }
    async fn delete(&self, receipt: &str) -> QueueResult<()> {
        self.inner.delete(receipt).await
    }
    async fn change_visibility(&self, receipt: &str, timeout: Duration) -> QueueResult<()> {
        self.inner.change_visibility(receipt, timeout).await
    }
    async fn dead_letter(&self, message: &Message) -> QueueResult<()> {
        self.inner.dead_letter(message).await
    }
    async fn dead_letters(&self, max: usize) -> QueueResult<Vec<DeadLetter>> {
        self.inner.dead_letters(max).await
    }
    async fn redrive(&self) -> QueueResult<usize> {
        self.inner.redrive().await
    }
    async fn redrive_one(&self, id: &str) -> QueueResult<bool> {
        self.inner.redrive_one(id).await
    }
}

/// A run cut off by a queue outage after its first page resumes at the next
/// page: every item is checked once, every batch counted once. A run whose
/// invocation runs out of time carries on from the queue.
async fn an_interrupted_run_resumes_at_the_page_it_stopped_on(clock: &ManualClock, ports: &Ports) {
    const SERVICES: u64 = 30;
    for _ in 0..SERVICES {
        live_domain(ports).await;
    }
    work_off_queue(ports).await;
    let mut outage = ports.clone();
    outage.queue = std::sync::Arc::new(QueueFailingAfter {
        inner: ports.queue.clone(),
        room: 1.into(),
    });
    let failed = Task::Daily(Check::HostingCheck).run(&outage).await;
    assert!(failed.is_err(), "{failed:?}");
    let run = day_run(ports, Check::HostingCheck).await;
    assert_eq!((run.batches, run.items), (1, 25), "{run:?}");
    assert_eq!(run.fanned_out_at, None);

    let resumed = Task::Daily(Check::HostingCheck).run(ports).await.unwrap();
    assert!(
        resumed.ends_with("queued 1 batches of 5 items"),
        "{resumed}"
    );
    work_off_queue(ports).await;
    let run = day_run(ports, Check::HostingCheck).await;
    assert_eq!(
        (run.batches, run.batches_done, run.items),
        (2, 2, SERVICES),
        "{run:?}"
    );
    assert_eq!(run.counts.get("checked"), Some(&SERVICES), "{run:?}");
    assert!(run.fanned_out_at.is_some());

    // The next day, an invocation whose time is up after one page hands the
    // rest of the run to the queue, and the worker carries it on.
    clock.advance_secs(DAY);
    let handed_over = daily::fan_out_within(ports, Check::HostingCheck, Duration::ZERO)
        .await
        .unwrap();
    assert!(
        handed_over.contains("queued 1 batches of 25 items so far"),
        "{handed_over}"
    );
    work_off_queue(ports).await;
    let run = day_run(ports, Check::HostingCheck).await;
    assert_eq!(run.day, clock.now().date().to_string());
    assert_eq!(
        (run.batches, run.batches_done, run.items),
        (2, 2, SERVICES),
        "{run:?}"
    );
    assert_eq!(run.counts.get("checked"), Some(&SERVICES), "{run:?}");
    assert!(run.fanned_out_at.is_some());
}

with_clock_on_both_engines!(
    an_interrupted_run_resumes_at_the_page_it_stopped_on:
        interrupted_run_embedded,
        interrupted_run_on_dynamodb
);
