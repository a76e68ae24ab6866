//! The `Queue` port's contract, run against SQLite and against SQS on moto.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use hostfront::queue::{Message, QueueError};
use hostfront_tests::QueueFixture;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case(hostfront_tests::sqlite_queue(3).await).await }
            )*
        }
        mod sqs {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() { super::$case(hostfront_tests::sqs_queue(3).await).await }
            )*
        }
    };
}

conformance!(
    a_sent_message_is_received_once_and_deleted,
    a_received_message_is_hidden_until_its_visibility_ends,
    a_delayed_message_waits,
    changing_visibility_to_zero_releases_a_message,
    a_message_received_too_often_becomes_a_dead_letter_and_can_be_redriven,
    a_crash_before_delete_loses_nothing,
    a_restarted_sole_consumer_gets_its_received_messages_at_once,
    a_message_can_be_dead_lettered_at_once,
    one_dead_letter_can_be_redriven_alone,
    batches_hold_up_to_ten_distinct_messages,
    a_waiting_receive_wakes_for_a_new_message,
    malformed_requests_are_rejected,
);

const HIDE: Duration = Duration::from_secs(30);
const NOW: Duration = Duration::ZERO;

async fn receive_one(f: &QueueFixture, visibility: Duration) -> Option<Message> {
    let mut got = f
        .queue
        .receive(1, visibility, Duration::from_secs(1))
        .await
        .unwrap();
    assert!(got.len() <= 1);
    got.pop()
}

async fn a_sent_message_is_received_once_and_deleted(f: QueueFixture) {
    let id = f
        .queue
        .send(r#"{"kind":"provision","order":"o1"}"#, NOW)
        .await
        .unwrap();
    let message = receive_one(&f, HIDE).await.expect("the message arrives");
    assert_eq!(
        (message.id.as_str(), message.body.as_str()),
        (id.as_str(), r#"{"kind":"provision","order":"o1"}"#)
    );
    assert_eq!(message.receive_count, 1);
    assert!(
        receive_one(&f, HIDE).await.is_none(),
        "hidden while one consumer holds it"
    );
    f.queue.delete(&message.receipt).await.unwrap();
    assert!(
        receive_one(&f, HIDE).await.is_none(),
        "a deleted message never comes back"
    );
}

async fn a_received_message_is_hidden_until_its_visibility_ends(f: QueueFixture) {
    f.queue.send("job", NOW).await.unwrap();
    let first = receive_one(&f, Duration::from_secs(1)).await.unwrap();
    assert!(
        f.queue.receive(1, HIDE, NOW).await.unwrap().is_empty(),
        "hidden at first"
    );
    // The visibility timeout under test runs on the engine's real clock
    // (SQS's too): only time ends it.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let again = receive_one(&f, HIDE)
        .await
        .expect("visible again once its timeout ended");
    assert_eq!((again.id, again.receive_count), (first.id, 2));
    assert_ne!(
        again.receipt, first.receipt,
        "each delivery has its own receipt"
    );
    f.queue.delete(&again.receipt).await.unwrap();
}

async fn a_delayed_message_waits(f: QueueFixture) {
    let start = Instant::now();
    f.queue.send("later", Duration::from_secs(2)).await.unwrap();
    f.queue.send("now", NOW).await.unwrap();
    let first = receive_one(&f, HIDE).await.unwrap();
    assert_eq!(first.body, "now");
    let mut later = None;
    while later.is_none() && start.elapsed() < Duration::from_secs(6) {
        later = receive_one(&f, HIDE).await;
    }
    let later = later.expect("the delayed message arrives");
    assert_eq!(later.body, "later");
    assert!(
        start.elapsed() >= Duration::from_millis(1900),
        "arrived after {:?}",
        start.elapsed()
    );
}

async fn changing_visibility_to_zero_releases_a_message(f: QueueFixture) {
    f.queue.send("job", NOW).await.unwrap();
    let held = receive_one(&f, HIDE).await.unwrap();
    f.queue.change_visibility(&held.receipt, NOW).await.unwrap();
    let again = receive_one(&f, HIDE).await.expect("released at once");
    assert_eq!(again.id, held.id);
    f.queue
        .change_visibility(&again.receipt, HIDE)
        .await
        .unwrap();
    assert!(receive_one(&f, HIDE).await.is_none());
}

async fn a_message_received_too_often_becomes_a_dead_letter_and_can_be_redriven(f: QueueFixture) {
    f.queue.send("poison", NOW).await.unwrap();
    f.queue.send("fine", NOW).await.unwrap();
    let mut deliveries = 0;
    // The fixture's queue allows three deliveries.
    for _ in 0..6 {
        let batch = f
            .queue
            .receive(10, HIDE, Duration::from_secs(1))
            .await
            .unwrap();
        for message in batch {
            if message.body == "fine" {
                f.queue.delete(&message.receipt).await.unwrap();
            } else {
                deliveries += 1;
                f.queue
                    .change_visibility(&message.receipt, NOW)
                    .await
                    .unwrap();
            }
        }
    }
    assert_eq!(deliveries, 3);
    let dead = f.queue.dead_letters(10).await.unwrap();
    assert_eq!(
        dead.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["poison"]
    );
    assert_eq!(
        f.queue.dead_letters(10).await.unwrap().len(),
        1,
        "listing does not consume dead letters"
    );
    assert_eq!(f.queue.redrive().await.unwrap(), 1);
    assert!(f.queue.dead_letters(10).await.unwrap().is_empty());
    let back = receive_one(&f, HIDE).await.expect("redriven to the queue");
    assert_eq!((back.body.as_str(), back.receive_count), ("poison", 1));
}

async fn a_message_can_be_dead_lettered_at_once(f: QueueFixture) {
    f.queue.send("not a job", NOW).await.unwrap();
    let message = receive_one(&f, HIDE).await.expect("the message arrives");
    f.queue.dead_letter(&message).await.unwrap();
    let dead = f.queue.dead_letters(10).await.unwrap();
    assert_eq!(
        dead.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["not a job"]
    );
    assert!(
        f.queue
            .receive(1, NOW, Duration::from_secs(1))
            .await
            .unwrap()
            .is_empty(),
        "it left the queue after one delivery"
    );
    assert!(
        f.queue.delete(&message.receipt).await.is_ok(),
        "a stale delete is harmless"
    );
}

async fn one_dead_letter_can_be_redriven_alone(f: QueueFixture) {
    for body in ["first", "second"] {
        f.queue.send(body, NOW).await.unwrap();
    }
    for _ in 0..2 {
        let message = receive_one(&f, HIDE).await.expect("the message arrives");
        f.queue.dead_letter(&message).await.unwrap();
    }
    let dead = f.queue.dead_letters(10).await.unwrap();
    let second = dead.iter().find(|d| d.body == "second").unwrap().id.clone();
    assert!(f.queue.redrive_one(&second).await.unwrap());
    assert!(!f.queue.redrive_one(&second).await.unwrap(), "moved once");
    assert!(!f.queue.redrive_one("no-such-id").await.unwrap());
    let left = f.queue.dead_letters(10).await.unwrap();
    assert_eq!(
        left.iter().map(|d| d.body.as_str()).collect::<Vec<_>>(),
        ["first"],
        "the others stay, and stay listed"
    );
    let back = receive_one(&f, HIDE).await.expect("redriven to the queue");
    assert_eq!(back.body, "second");
}

async fn a_crash_before_delete_loses_nothing(f: QueueFixture) {
    f.queue.send("provision order 7", NOW).await.unwrap();
    receive_one(&f, Duration::from_secs(1))
        .await
        .expect("delivered");
    // The consumer dies here without deleting; a new process opens the queue.
    let restarted = f.reopen();
    // The delivery's visibility timeout, on the engine's real clock, ends.
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let mut got = restarted
        .receive(1, HIDE, Duration::from_secs(2))
        .await
        .unwrap();
    let again = got.pop().expect("redelivered after the crash");
    assert_eq!(
        (again.body.as_str(), again.receive_count),
        ("provision order 7", 2)
    );
    restarted.delete(&again.receipt).await.unwrap();
}

async fn a_restarted_sole_consumer_gets_its_received_messages_at_once(f: QueueFixture) {
    f.queue.send("provision order 8", NOW).await.unwrap();
    f.queue
        .send("later", Duration::from_secs(60))
        .await
        .unwrap();
    receive_one(&f, HIDE).await.expect("delivered");
    let restarted = f.reopen();
    match restarted.release_received().await.unwrap() {
        Some(released) => {
            assert_eq!(released, 1, "only the received one, not the delayed one");
            let again = receive_one(&f, HIDE).await.expect("at once, not in 30 s");
            assert_eq!(
                (again.body.as_str(), again.receive_count),
                ("provision order 8", 2)
            );
            assert!(
                receive_one(&f, HIDE).await.is_none(),
                "the delayed one waits"
            );
        }
        // Consumers elsewhere may still hold it: the visibility timeout decides.
        None => {
            assert_eq!(
                restarted.engine(),
                "sqs",
                "only SQS leaves it to the timeout"
            );
            assert!(receive_one(&f, HIDE).await.is_none());
        }
    }
}

async fn batches_hold_up_to_ten_distinct_messages(f: QueueFixture) {
    for i in 0..15 {
        f.queue.send(&format!("job {i}"), NOW).await.unwrap();
    }
    let mut seen = HashSet::new();
    let mut rounds = 0;
    while seen.len() < 15 && rounds < 10 {
        rounds += 1;
        let batch = f
            .queue
            .receive(10, HIDE, Duration::from_secs(1))
            .await
            .unwrap();
        assert!(batch.len() <= 10);
        for message in batch {
            assert!(
                seen.insert(message.body.clone()),
                "{} delivered twice while hidden",
                message.body
            );
            f.queue.delete(&message.receipt).await.unwrap();
        }
    }
    assert_eq!(seen.len(), 15);
}

async fn a_waiting_receive_wakes_for_a_new_message(f: QueueFixture) {
    let queue = f.queue.clone();
    let sender = tokio::spawn(async move {
        // Sent while the receive below waits: the long poll is what is tested,
        // and no engine tells when a receive has begun waiting.
        tokio::time::sleep(Duration::from_millis(300)).await;
        queue.send("wake up", NOW).await.unwrap();
    });
    let start = Instant::now();
    let got = f
        .queue
        .receive(1, HIDE, Duration::from_secs(5))
        .await
        .unwrap();
    sender.await.unwrap();
    assert_eq!(got.len(), 1);
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "woke after {:?}",
        start.elapsed()
    );
}

async fn malformed_requests_are_rejected(f: QueueFixture) {
    let invalid =
        |r: Result<(), QueueError>| assert!(matches!(r, Err(QueueError::Invalid(_))), "{r:?}");
    invalid(f.queue.send("", NOW).await.map(|_| ()));
    invalid(
        f.queue
            .send("x", Duration::from_secs(901))
            .await
            .map(|_| ()),
    );
    invalid(
        f.queue
            .send(&"x".repeat(256 * 1024 + 1), NOW)
            .await
            .map(|_| ()),
    );
    invalid(f.queue.receive(0, HIDE, NOW).await.map(|_| ()));
    invalid(f.queue.receive(11, HIDE, NOW).await.map(|_| ()));
    invalid(
        f.queue
            .receive(1, HIDE, Duration::from_secs(21))
            .await
            .map(|_| ()),
    );
    assert!(
        f.queue.receive(10, HIDE, NOW).await.unwrap().is_empty(),
        "nothing was sent"
    );
}
