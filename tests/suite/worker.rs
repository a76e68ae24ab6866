//! The queue worker on the embedded engine: jobs run at once, failures retry,
//! a worker takes only the jobs it has room for, and a stopped one finishes
//! what it started.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use hostfront::jobs::{JobError, JobHandler, WorkerSettings, run_worker};
use hostfront::queue::Message;
use hostfront_tests::until;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

/// Fails each job's first delivery, then records it as done.
#[derive(Default)]
struct FlakyOnce {
    done: std::sync::Mutex<Vec<String>>,
    attempts: AtomicU32,
}

#[async_trait]
impl JobHandler for FlakyOnce {
    async fn handle(&self, message: &Message) -> Result<(), JobError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if message.receive_count == 1 {
            return Err(JobError::Failed("the registrar timed out".into()));
        }
        self.done.lock().unwrap().push(message.body.clone());
        Ok(())
    }
}

fn quick() -> WorkerSettings {
    WorkerSettings {
        visibility: Duration::from_secs(30),
        at_once: 10,
        wait: Duration::from_millis(200),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_jobs_are_retried_with_backoff_and_finish_once() {
    let fixture = hostfront_tests::sqlite_queue(5).await;
    let handler = Arc::new(FlakyOnce::default());
    for i in 0..3 {
        fixture
            .queue
            .send(&format!("job {i}"), Duration::ZERO)
            .await
            .unwrap();
    }
    let stop = CancellationToken::new();
    let worker = tokio::spawn(run_worker(
        fixture.queue.clone(),
        handler.clone(),
        quick(),
        stop.clone(),
    ));
    // The first failure hides a job for 2 s (backoff), then it succeeds.
    until(Duration::from_secs(10), "three jobs done", || async {
        handler.done.lock().unwrap().len() >= 3
    })
    .await;
    stop.cancel();
    worker.await.unwrap();
    let mut done = handler.done.lock().unwrap().clone();
    done.sort();
    assert_eq!(done, ["job 0", "job 1", "job 2"]);
    assert_eq!(handler.attempts.load(Ordering::SeqCst), 6);
    assert!(
        fixture
            .queue
            .receive(10, Duration::from_secs(1), Duration::ZERO)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Holds every job until released, recording the ones it started.
struct Gate {
    started: std::sync::Mutex<Vec<String>>,
    open: Semaphore,
}

#[async_trait]
impl JobHandler for Gate {
    async fn handle(&self, message: &Message) -> Result<(), JobError> {
        self.started.lock().unwrap().push(message.body.clone());
        self.open.acquire().await.expect("open").forget();
        Ok(())
    }
}

/// Takes a fifth of a second over each job, and counts the jobs it started
/// and finished.
#[derive(Default)]
struct Slow {
    started: AtomicU32,
    done: AtomicU32,
}

#[async_trait]
impl JobHandler for Slow {
    async fn handle(&self, _: &Message) -> Result<(), JobError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        // The job's own length, which the test measures: not a wait for anything.
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.done.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_runs_the_jobs_it_receives_at_once() {
    let fixture = hostfront_tests::sqlite_queue(5).await;
    for i in 0..8 {
        fixture
            .queue
            .send(&format!("job {i}"), Duration::ZERO)
            .await
            .unwrap();
    }
    let slow = Arc::new(Slow::default());
    let stop = CancellationToken::new();
    let started = std::time::Instant::now();
    let worker = tokio::spawn(run_worker(
        fixture.queue.clone(),
        slow.clone(),
        quick(),
        stop.clone(),
    ));
    // Once the worker has started them all, stopped, it finishes them.
    until(Duration::from_secs(5), "eight jobs started", || async {
        slow.started.load(Ordering::SeqCst) == 8
    })
    .await;
    stop.cancel();
    worker.await.unwrap();
    assert_eq!(slow.done.load(Ordering::SeqCst), 8);
    assert!(
        started.elapsed() < Duration::from_millis(800),
        "eight jobs of 200 ms side by side, not one after another: {:?}",
        started.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_running_job_and_returns_the_rest() {
    let fixture = hostfront_tests::sqlite_queue(5).await;
    for i in 0..4 {
        fixture
            .queue
            .send(&format!("job {i}"), Duration::ZERO)
            .await
            .unwrap();
    }
    let gate = Arc::new(Gate {
        started: Default::default(),
        open: Semaphore::new(0),
    });
    let stop = CancellationToken::new();
    // Room for one job at a time.
    let one_at_a_time = WorkerSettings {
        at_once: 1,
        ..quick()
    };
    let worker = tokio::spawn(run_worker(
        fixture.queue.clone(),
        gate.clone(),
        one_at_a_time,
        stop.clone(),
    ));
    until(Duration::from_secs(30), "a job started", || async {
        !gate.started.lock().unwrap().is_empty()
    })
    .await;
    stop.cancel();
    gate.open.add_permits(1);
    worker.await.unwrap();
    let started = gate.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1, "no new job starts after the stop");
    // The worker took only what it had room for: the three others are still
    // visible, and the finished one was deleted.
    let back = fixture
        .queue
        .receive(10, Duration::from_secs(30), Duration::ZERO)
        .await
        .unwrap();
    let mut bodies: Vec<String> = back.into_iter().map(|m| m.body).collect();
    bodies.sort();
    let mut expected: Vec<String> = (0..4)
        .map(|i| format!("job {i}"))
        .filter(|b| *b != started[0])
        .collect();
    expected.sort();
    assert_eq!(bodies, expected);
}

/// Answers every job with the same error.
struct Always(JobError);

#[async_trait]
impl JobHandler for Always {
    async fn handle(&self, _: &Message) -> Result<(), JobError> {
        Err(self.0.clone())
    }
}

async fn receive(queue: &dyn hostfront::queue::Queue, wait: Duration) -> Option<Message> {
    queue
        .receive(1, Duration::from_secs(30), wait)
        .await
        .unwrap()
        .pop()
}

/// A job that finds its work leased by another worker comes back once the
/// lease lapses, as a fresh message: waiting never spends a delivery.
async fn busy_jobs_wait_without_spending_deliveries(fixture: hostfront_tests::QueueFixture) {
    let queue = fixture.queue.clone();
    queue.send("job", Duration::ZERO).await.unwrap();
    let busy = Always(JobError::Later {
        retry_in: Duration::from_secs(2),
        reason: "leased".into(),
    });
    for _ in 0..4 {
        let message = receive(queue.as_ref(), Duration::from_secs(5))
            .await
            .expect("comes back");
        assert_eq!(message.receive_count, 1, "no delivery spent");
        assert!(hostfront::jobs::process(queue.as_ref(), &busy, &message).await);
        assert!(
            receive(queue.as_ref(), Duration::ZERO).await.is_none(),
            "not before the lease lapses"
        );
    }
    assert!(queue.dead_letters(10).await.unwrap().is_empty());
}

/// A message that is no job goes to the dead-letter queue on its first delivery.
async fn poison_goes_to_the_dead_letter_queue_at_once(fixture: hostfront_tests::QueueFixture) {
    let queue = fixture.queue.clone();
    queue.send("not json", Duration::ZERO).await.unwrap();
    let message = receive(queue.as_ref(), Duration::from_secs(5))
        .await
        .unwrap();
    let jobs = hostfront::dispatch::AppJobs {
        ports: {
            let clock = hostfront::clock::ManualClock::starting_now();
            hostfront_tests::embedded_ports(&clock).1
        },
    };
    assert!(hostfront::jobs::process(queue.as_ref(), &jobs, &message).await);
    let dead = queue.dead_letters(10).await.unwrap();
    assert_eq!(
        dead.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["not json"]
    );
    assert!(receive(queue.as_ref(), Duration::ZERO).await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_jobs_wait_without_spending_deliveries_embedded() {
    busy_jobs_wait_without_spending_deliveries(hostfront_tests::sqlite_queue(3).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_jobs_wait_without_spending_deliveries_cloud() {
    busy_jobs_wait_without_spending_deliveries(hostfront_tests::sqs_queue(3).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_goes_to_the_dead_letter_queue_at_once_embedded() {
    poison_goes_to_the_dead_letter_queue_at_once(hostfront_tests::sqlite_queue(3).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_goes_to_the_dead_letter_queue_at_once_cloud() {
    poison_goes_to_the_dead_letter_queue_at_once(hostfront_tests::sqs_queue(3).await).await;
}
