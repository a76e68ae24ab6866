//! The registry sync puts each kind of drift right once, however often it
//! runs and however often a batch is delivered.

use super::{day_run, run_today};
use crate::renewals::{DAY, live_domain, mails_of};
use hostfront::Ports;
use hostfront::audit::{self, AuditQuery};
use hostfront::billing::InvoiceStatus;
use hostfront::clock::add_years_secs;
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::{self, Check};
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::mail::MailKind;
use hostfront::registrar::Drift;
use hostfront::renewals::{self, RenewalStatus};
use hostfront::scheduler::Task;
use hostfront_tests::work_off_queue;

async fn the_registry_sync_puts_each_drift_right_once(clock: &ManualClock, ports: &Ports) {
    let table = ports.table.as_ref();
    let mut held = Vec::new();
    for _ in 0..5 {
        held.push(live_domain(ports).await);
    }
    work_off_queue(ports).await;
    // Renewals are invoiced ahead, 20 days before expiry.
    let expiry = held[0].1.expires_at.unwrap();
    clock.advance_secs(expiry - 20 * DAY - clock.now_secs());
    renewals::run_billing(ports).await.unwrap();
    let scheduled = |name: String, expiry: i64| async move {
        renewals::find(table, &name, expiry).await.unwrap().unwrap()
    };
    for (_, domain) in &held {
        let renewal = scheduled(domain.name.clone(), domain.expires_at.unwrap()).await;
        assert_eq!(renewal.status, RenewalStatus::Scheduled);
    }

    // Nothing drifted: a run changes nothing.
    run_today(ports, Check::RegistrySync).await;
    let run = day_run(ports, Check::RegistrySync).await;
    assert_eq!(run.counts.get("checked"), Some(&5), "{run:?}");
    assert_eq!(run.counts.len(), 1, "only checked: {run:?}");
    assert!(run.exceptions.is_empty(), "{run:?}");
    assert_eq!((run.batches, run.batches_done), (1, 1));

    let sim = ports
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
    let again = Task::Daily(Check::RegistrySync).run(ports).await.unwrap();
    assert!(
        again.contains("already queued 1 batches of 5 items"),
        "{again}"
    );

    clock.advance_secs(DAY);
    run_today(ports, Check::RegistrySync).await;
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
    assert_eq!(mails_of(ports, MailKind::Notice, &held[1].0.email).await, 1);

    assert_eq!(find(2).await.nameservers, elsewhere);
    assert_eq!(find(3).await.status, OwnedStatus::Deleted);
    let untouched = find(4).await;
    assert_eq!(
        untouched, held[4].1,
        "a domain that did not drift is left alone"
    );

    let run = day_run(ports, Check::RegistrySync).await;
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
    daily::run_batch(ports, Check::RegistrySync, &run.day, &keys)
        .await
        .unwrap();
    // And a batch cut off before it was counted looks again: nothing is
    // changed or sent twice.
    daily::run_batch(ports, Check::RegistrySync, "2000-01-01", &keys)
        .await
        .unwrap();
    assert_eq!(mails_of(ports, MailKind::Notice, &held[1].0.email).await, 1);
    assert_eq!(find(0).await, renewed);
    assert_eq!(find(1).await, gone);

    // The next day only the domains still ours are asked about.
    clock.advance_secs(DAY);
    run_today(ports, Check::RegistrySync).await;
    let run = day_run(ports, Check::RegistrySync).await;
    assert_eq!(run.counts.get("checked"), Some(&3), "{run:?}");
    assert!(run.exceptions.is_empty(), "{run:?}");

    // Staff look again by hand the same day: a run of its own.
    let by_hand = Task::Daily(Check::RegistrySync)
        .run_by_hand(ports)
        .await
        .unwrap();
    assert!(
        by_hand.ends_with("queued 1 batches of 3 items"),
        "{by_hand}"
    );
    work_off_queue(ports).await;
    let again = day_run(ports, Check::RegistrySync).await;
    assert_ne!(again.run, run.run);
    assert_eq!(again.day, run.day);
    assert_eq!(again.counts.get("checked"), Some(&3), "{again:?}");
}

with_clock_on_both_engines!(
    the_registry_sync_puts_each_drift_right_once:
        registry_sync_embedded,
        registry_sync_on_dynamodb
);
