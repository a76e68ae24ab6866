//! Daily operations, on both engines with the manual clock: the registry
//! sync putting each kind of drift right once, however often it runs and
//! however often a batch is delivered; overdue services ended once, and a
//! payment in time keeping a service.

use hostfront::Services;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::audit::{self, AuditQuery};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::{self, Check};
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::mail::MailKind;
use hostfront::payments::PaymentSource;
use hostfront::queue::{DeadLetter, Message, Queue, QueueError, QueueResult};
use hostfront::registrar::Drift;
use hostfront::renewals::{self, RenewalStatus};
use hostfront::resolver::Pointing;
use hostfront::scheduler::Task;
use hostfront::subscriptions::{self, ServiceStatus, billing, pay};
use hostfront_tests::work_off_queue;
use std::time::Duration;

use crate::renewals::services::{card, travel_to};
use crate::renewals::{DAY, first_service, live_domain, mails_of};
use hostfront::clock::add_years_secs;

/// The latest run of `check`, which must have run.
async fn day_run(services: &Services, check: Check) -> daily::Run {
    daily::last_run(services, check)
        .await
        .unwrap()
        .expect("the check ran")
}

/// Runs a daily task twice at once, then its batches.
async fn run_today(services: &Services, check: Check) {
    let (first, second) = tokio::join!(
        Task::Daily(check).run(services),
        Task::Daily(check).run(services)
    );
    first.unwrap();
    second.unwrap();
    work_off_queue(services).await;
}

async fn the_registry_sync_puts_each_drift_right_once(clock: &ManualClock, services: &Services) {
    let table = services.table.as_ref();
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(live_domain(services).await);
    }
    work_off_queue(services).await;
    // Renewals are invoiced ahead, 20 days before expiry.
    let expiry = held[0].1.expires_at.unwrap();
    clock.advance_secs(expiry - 20 * DAY - clock.now_secs());
    renewals::run_billing(services).await.unwrap();
    let scheduled = |name: String, expiry: i64| async move {
        renewals::find(table, &name, expiry).await.unwrap().unwrap()
    };
    for (_, domain) in &held {
        let renewal = scheduled(domain.name.clone(), domain.expires_at.unwrap()).await;
        assert_eq!(renewal.status, RenewalStatus::Scheduled);
    }

    // Nothing drifted: a run changes nothing.
    run_today(services, Check::RegistrySync).await;
    let run = day_run(services, Check::RegistrySync).await;
    assert_eq!(run.counts.get("checked"), Some(&5), "{run:?}");
    assert_eq!(run.counts.len(), 1, "only checked: {run:?}");
    assert!(run.exceptions.is_empty(), "{run:?}");
    assert_eq!((run.batches, run.batches_done), (1, 1));

    let sim = services
        .simulated_registry
        .clone()
        .expect("a simulated registry");
    let name = |i: usize| held[i].1.name.clone();
    sim.drift(&name(0), &Drift::RenewedElsewhere { years: 1 })
        .await
        .unwrap();
    sim.drift(&name(1), &Drift::TransferredAway).await.unwrap();
    let elsewhere = vec![
        "ns1.elsewhere.net".to_string(),
        "ns2.elsewhere.net".to_string(),
    ];
    sim.drift(
        &name(2),
        &Drift::Nameservers {
            nameservers: elsewhere.clone(),
        },
    )
    .await
    .unwrap();
    sim.drift(&name(3), &Drift::Deleted).await.unwrap();

    // Today's run is done: running it again queues nothing.
    let again = Task::Daily(Check::RegistrySync)
        .run(services)
        .await
        .unwrap();
    assert!(
        again.contains("already queued 1 batches of 5 items"),
        "{again}"
    );

    clock.advance_secs(DAY);
    run_today(services, Check::RegistrySync).await;
    let find = |i: usize| {
        let (customer, domain) = &held[i];
        let (customer, name) = (customer.id.clone(), domain.name.clone());
        async move { owned::find(table, &customer, &name).await.unwrap().unwrap() }
    };

    // Renewed at the registry: our expiry follows, the invoiced renewal is withdrawn.
    let renewed = find(0).await;
    assert_eq!(renewed.expires_at, Some(add_years_secs(expiry, 1)));
    assert_eq!(renewed.status, OwnedStatus::Active);
    let withdrawn = scheduled(name(0), expiry).await;
    assert_eq!(withdrawn.status, RenewalStatus::Abandoned);
    assert_eq!(
        withdrawn.invoice(table).await.unwrap().status,
        InvoiceStatus::Void
    );
    let subject = format!("domain:{}", name(0));
    let corrections = audit::read(table, AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    assert_eq!(
        corrections
            .iter()
            .filter(|e| e.action == "expiry_corrected")
            .count(),
        1
    );

    // Transferred away: out of our hands, renewals stopped, the owner told once.
    let gone = find(1).await;
    assert_eq!(gone.status, OwnedStatus::TransferredOut);
    assert!(!gone.auto_renew);
    let stopped = scheduled(name(1), expiry).await;
    assert_eq!(stopped.status, RenewalStatus::Abandoned);
    assert_eq!(
        stopped.invoice(table).await.unwrap().status,
        InvoiceStatus::Void
    );
    assert_eq!(
        mails_of(services, MailKind::Notice, &held[1].0.email).await,
        1
    );

    assert_eq!(find(2).await.nameservers, elsewhere);
    assert_eq!(find(3).await.status, OwnedStatus::Deleted);
    let untouched = find(4).await;
    assert_eq!(
        untouched, held[4].1,
        "a domain that did not drift is left alone"
    );

    let run = day_run(services, Check::RegistrySync).await;
    assert_eq!(run.day, clock.now().date().to_string());
    for (count, expected) in [
        ("checked", 5),
        ("expiry_corrected", 1),
        ("renewed_elsewhere", 0),
        ("transferred_out", 1),
        ("nameservers_corrected", 1),
        ("released", 1),
    ] {
        assert_eq!(
            run.counts.get(count).copied().unwrap_or(0),
            expected,
            "{count}: {run:?}"
        );
    }
    let mut exceptions: Vec<&str> = run.exceptions.iter().map(|e| e.item.as_str()).collect();
    exceptions.sort();
    let mut expected = vec![format!("domain:{}", name(1)), format!("domain:{}", name(3))];
    expected.sort();
    assert_eq!(exceptions, expected, "{run:?}");

    // A batch delivered again after it was done changes and sends nothing.
    let keys: Vec<_> = held
        .iter()
        .map(|(c, d)| owned::key(&c.id, &d.name))
        .collect();
    daily::run_batch(services, Check::RegistrySync, &run.day, &keys)
        .await
        .unwrap();
    // And a batch cut off before it was counted looks again: nothing is
    // changed or sent twice.
    daily::run_batch(services, Check::RegistrySync, "2000-01-01", &keys)
        .await
        .unwrap();
    assert_eq!(
        mails_of(services, MailKind::Notice, &held[1].0.email).await,
        1
    );
    assert_eq!(find(0).await, renewed);
    assert_eq!(find(1).await, gone);

    // The next day only the domains still ours are asked about.
    clock.advance_secs(DAY);
    run_today(services, Check::RegistrySync).await;
    let run = day_run(services, Check::RegistrySync).await;
    assert_eq!(run.counts.get("checked"), Some(&3), "{run:?}");
    assert!(run.exceptions.is_empty(), "{run:?}");

    // Staff look again by hand the same day: a run of its own.
    let by_hand = Task::Daily(Check::RegistrySync)
        .run_by_hand(services)
        .await
        .unwrap();
    assert!(
        by_hand.ends_with("queued 1 batches of 3 items"),
        "{by_hand}"
    );
    work_off_queue(services).await;
    let again = day_run(services, Check::RegistrySync).await;
    assert_ne!(again.run, run.run);
    assert_eq!(again.day, run.day);
    assert_eq!(again.counts.get("checked"), Some(&3), "{again:?}");
}

with_clock_on_both_engines!(
    the_registry_sync_puts_each_drift_right_once:
        registry_sync_embedded,
        registry_sync_on_dynamodb
);

/// A customer whose first service went unpaid until it was suspended; the
/// service and the unpaid period's first day.
async fn suspended_for_an_unpaid_invoice(
    clock: &ManualClock,
    services: &Services,
    customers: usize,
) -> Vec<(hostfront::accounts::Customer, subscriptions::Subscription)> {
    let mut held = Vec::new();
    for _ in 0..customers {
        let (customer, _) = live_domain(services).await;
        payment_method::save(services, &customer.id, &card(DECLINED), "bad")
            .await
            .unwrap();
        let service = first_service(services, &customer.id).await;
        held.push((customer, service));
    }
    let due = held[0].1.next_due.clone();
    travel_to(clock, &due, 13);
    billing::run(services).await.unwrap();
    // The plan suspends after its last try, 7 days after the due date.
    for days in [0, -3, -7] {
        travel_to(clock, &due, days);
        billing::run(services).await.unwrap();
    }
    for (customer, service) in &held {
        let now = subscriptions::find(services.table.as_ref(), &customer.id, &service.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, ServiceStatus::Suspended);
    }
    held
}

async fn an_overdue_service_ends_once_and_a_payment_in_time_keeps_one(
    clock: &ManualClock,
    services: &Services,
) {
    let table = services.table.as_ref();
    let held = suspended_for_an_unpaid_invoice(clock, services, 2).await;
    let due = held[0].1.next_due.clone();
    let (ada, late) = &held[0];
    let (bob, paying) = &held[1];

    // Bob pays his invoice by hand while suspended: his service comes back.
    let unpaid = invoice::of_customer(table, &bob.id, 10).await.unwrap();
    let unpaid = unpaid
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    pay::pay_invoice(
        services,
        &bob.id,
        &unpaid.number,
        PaymentSource::Card(card(APPROVED)),
    )
    .await
    .unwrap();
    let service_of = |customer: String, id: String| async move {
        subscriptions::find(table, &customer, &id)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        service_of(bob.id.clone(), paying.id.clone()).await.status,
        ServiceStatus::Active
    );

    // The plan ends a service suspended for 30 days; not a day sooner.
    travel_to(clock, &due, -36);
    run_today(services, Check::OverdueServices).await;
    assert_eq!(
        service_of(ada.id.clone(), late.id.clone()).await.status,
        ServiceStatus::Suspended
    );
    travel_to(clock, &due, -37);
    run_today(services, Check::OverdueServices).await;
    let run = day_run(services, Check::OverdueServices).await;
    assert_eq!(run.counts.get("terminated"), Some(&1), "{run:?}");
    let ended = service_of(ada.id.clone(), late.id.clone()).await;
    assert!(ended.ended_at.is_some());
    assert_eq!(
        ended.status,
        ServiceStatus::Cancelled,
        "the teardown ran: {ended:?}"
    );
    assert!(
        services
            .panel
            .state(&ended.hosting.account.username)
            .await
            .unwrap()
            .is_none(),
        "the account is gone from the panel"
    );
    assert_eq!(
        service_of(bob.id.clone(), paying.id.clone()).await.status,
        ServiceStatus::Active,
        "paid in time"
    );
    // What it left unpaid ended with it: voided, and not to be paid.
    let left = crate::renewals::ended::period_invoice(services, &ada.id, &due).await;
    assert_eq!(left.status, InvoiceStatus::Void);
    crate::renewals::ended::paying_is_refused(services, &ada.id, &left.number).await;
    let subject = format!("service:{}", late.id);
    let ending = audit::read(table, AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    assert!(
        ending
            .iter()
            .any(|e| e.actor.label() == "system:overdue-services"),
        "{ending:?}"
    );

    // Again the next day, and a batch delivered twice: one end, one mail.
    clock.advance_secs(DAY);
    run_today(services, Check::OverdueServices).await;
    let notices = mails_of(services, MailKind::Notice, &ada.email).await;
    assert_eq!(notices, 1);
    assert_eq!(mails_of(services, MailKind::Notice, &bob.email).await, 0);
}

with_clock_on_both_engines!(
    an_overdue_service_ends_once_and_a_payment_in_time_keeps_one:
        overdue_services_embedded,
        overdue_services_on_dynamodb
);

async fn certificates_are_alerted_30_14_and_7_days_before_once_each(
    clock: &ManualClock,
    services: &Services,
) {
    let (customer, _) = live_domain(services).await;
    let service = first_service(services, &customer.id).await;
    let certificates = services
        .panel
        .certificates(&service.hosting.account.username)
        .await
        .unwrap();
    assert_eq!(certificates.len(), 1, "{certificates:?}");
    let expires = certificates[0].expires_at;
    // Counted in the mailbox: the table's records of mails lapse after 30 days.
    let alerts = || certificate_alerts_delivered(services, &customer.email);
    // Days left before expiry (negative: after), each half a day before
    // the day is over: days are counted up, so 29.5 left is "30 days".
    let days = [
        (31, 0),
        (30, 1),
        (20, 1),
        (14, 2),
        (13, 2),
        (7, 3),
        (1, 3),
        (0, 3),
    ];
    let after = [(-1, 3), (-40, 3), (-75, 3)];
    for (days_before, expected) in days.into_iter().chain(after) {
        clock.advance_secs(expires - days_before * DAY + DAY / 2 - clock.now_secs());
        run_today(services, Check::CertificateAlerts).await;
        assert_eq!(alerts(), expected, "{days_before} days before");
        let run = day_run(services, Check::CertificateAlerts).await;
        let alerted_today = [30, 14, 7].contains(&days_before) as usize;
        assert_eq!(
            run.exceptions.len(),
            alerted_today,
            "{days_before}: {run:?}"
        );
        assert_eq!(run.counts.get("checked"), Some(&1), "{run:?}");
    }
}

/// Certificate alerts delivered to `email` in the development mailbox.
fn certificate_alerts_delivered(services: &Services, email: &str) -> usize {
    let folder = hostfront::mail::outbox_folder(&services.config.data_dir);
    let Ok(files) = std::fs::read_dir(folder) else {
        return 0;
    };
    files
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().starts_with("certificate:"))
        .filter(|f| f.path().extension().is_some_and(|e| e == "txt"))
        .filter(|f| {
            std::fs::read_to_string(f.path())
                .is_ok_and(|text| text.starts_with(&format!("To: {email}\n")))
        })
        .count()
}

with_clock_on_both_engines!(
    certificates_are_alerted_30_14_and_7_days_before_once_each:
        certificate_alerts_embedded,
        certificate_alerts_on_dynamodb
);

async fn a_domain_pointing_elsewhere_for_days_is_raised_never_cancelled(
    clock: &ManualClock,
    services: &Services,
) {
    let table = services.table.as_ref();
    let (customer, _) = live_domain(services).await;
    let service = first_service(services, &customer.id).await;
    let dns = services.simulated_dns.clone().expect("a simulated DNS");
    let service_now = || async {
        subscriptions::find(table, &customer.id, &service.id)
            .await
            .unwrap()
            .unwrap()
    };
    let asked = || mails_of(services, MailKind::Notice, &customer.email);

    run_today(services, Check::HostingCheck).await;
    let run = day_run(services, Check::HostingCheck).await;
    assert_eq!(run.counts.get("checked"), Some(&1), "{run:?}");
    assert_eq!(run.counts.len(), 1, "hosted here: {run:?}");

    let moved = Pointing {
        nameservers: vec![
            "ns1.otherhost.example".into(),
            "ns2.otherhost.example".into(),
        ],
        addresses: vec!["203.0.113.9".parse().unwrap()],
    };
    dns.point(&service.domain, Some(&moved)).await.unwrap();
    let first_day = {
        clock.advance_secs(DAY);
        clock.now().date().to_string()
    };
    // Six days pointing elsewhere: noted, nobody bothered.
    for day in 1..=6 {
        if day > 1 {
            clock.advance_secs(DAY);
        }
        run_today(services, Check::HostingCheck).await;
        let run = day_run(services, Check::HostingCheck).await;
        assert_eq!(run.counts.get("pointing_elsewhere"), Some(&1), "{day}");
        assert!(run.exceptions.is_empty(), "day {day}: {run:?}");
        assert_eq!(
            service_now().await.elsewhere_since.as_deref(),
            Some(first_day.as_str())
        );
    }
    assert_eq!(asked().await, 0);
    // The seventh: the owner is asked once, staff see it each day.
    for _ in 7..=8 {
        clock.advance_secs(DAY);
        run_today(services, Check::HostingCheck).await;
        let run = day_run(services, Check::HostingCheck).await;
        assert_eq!(run.exceptions.len(), 1, "{run:?}");
        assert!(run.exceptions[0].what.contains("since"), "{run:?}");
    }
    assert_eq!(asked().await, 1);
    assert_eq!(
        service_now().await.status,
        ServiceStatus::Active,
        "never cancelled by itself"
    );

    // It points back: the stretch ends.
    dns.point(&service.domain, None).await.unwrap();
    clock.advance_secs(DAY);
    run_today(services, Check::HostingCheck).await;
    assert_eq!(
        day_run(services, Check::HostingCheck)
            .await
            .counts
            .get("pointed_back"),
        Some(&1)
    );
    assert_eq!(service_now().await.elsewhere_since, None);
    // Away again: a new stretch, counted from its own first day.
    dns.point(&service.domain, Some(&moved)).await.unwrap();
    clock.advance_secs(DAY);
    run_today(services, Check::HostingCheck).await;
    assert_eq!(
        service_now().await.elsewhere_since,
        Some(clock.now().date().to_string())
    );
    assert!(
        day_run(services, Check::HostingCheck)
            .await
            .exceptions
            .is_empty()
    );
}

with_clock_on_both_engines!(
    a_domain_pointing_elsewhere_for_days_is_raised_never_cancelled:
        hosting_check_embedded,
        hosting_check_on_dynamodb
);

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
async fn an_interrupted_run_resumes_at_the_page_it_stopped_on(
    clock: &ManualClock,
    services: &Services,
) {
    const SERVICES: u64 = 30;
    for _ in 0..SERVICES {
        live_domain(services).await;
    }
    work_off_queue(services).await;
    let mut outage = services.clone();
    outage.queue = std::sync::Arc::new(QueueFailingAfter {
        inner: services.queue.clone(),
        room: 1.into(),
    });
    let failed = Task::Daily(Check::HostingCheck).run(&outage).await;
    assert!(failed.is_err(), "{failed:?}");
    let run = day_run(services, Check::HostingCheck).await;
    assert_eq!((run.batches, run.items), (1, 25), "{run:?}");
    assert_eq!(run.fanned_out_at, None);

    let resumed = Task::Daily(Check::HostingCheck)
        .run(services)
        .await
        .unwrap();
    assert!(
        resumed.ends_with("queued 1 batches of 5 items"),
        "{resumed}"
    );
    work_off_queue(services).await;
    let run = day_run(services, Check::HostingCheck).await;
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
    let handed_over = daily::fan_out_within(services, Check::HostingCheck, Duration::ZERO)
        .await
        .unwrap();
    assert!(
        handed_over.contains("queued 1 batches of 25 items so far"),
        "{handed_over}"
    );
    work_off_queue(services).await;
    let run = day_run(services, Check::HostingCheck).await;
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
