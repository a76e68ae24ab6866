//! The `DnsHost` conformance suite, run against the zones kept in the table
//! (on SQLite) and against Amazon Route 53 (moto): a zone is served with its
//! records and its order, made once, left alone by another order, and
//! removed (twice is fine).

use hostfront::OrderId;
use hostfront::adapters::TableZones;
use hostfront::adapters::aws::Route53Zones;
use hostfront::dnshost::DnsHost;
use hostfront::zone::{self, Record, Target, Template, Zone};
use hostfront_tests::{route53_client, sqlite_table, unique};

fn a_web_zone() -> Zone {
    let origin = format!("{}.com", unique("zone"));
    let mail_host = format!("mail.{origin}");
    let target = Target {
        ipv4: "198.51.100.10",
        ipv6: "2001:db8:100::64:a",
        mail_host: &mail_host,
        dkim: None,
    };
    Zone {
        records: zone::records(Template::Web, &origin, &target),
        serial: zone::serial_for(time::OffsetDateTime::now_utc()),
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        hostmaster: "hostmaster@example.net".into(),
        primaries: Vec::new(),
        origin,
    }
}

fn sorted(mut records: Vec<Record>) -> Vec<Record> {
    records.sort_by(|a, b| (&a.name, &a.kind, &a.value).cmp(&(&b.name, &b.kind, &b.value)));
    records
}

async fn serves_a_zone_once_and_removes_it(host: &dyn DnsHost) {
    let zone = a_web_zone();
    let origin = zone.origin.clone();
    assert!(host.zone(&origin).await.unwrap().is_none());
    host.create_zone(&zone, &OrderId::new("order-1"))
        .await
        .unwrap();
    // A retried step makes nothing twice.
    host.create_zone(&zone, &OrderId::new("order-1"))
        .await
        .unwrap();
    let (served, order) = host.zone(&origin).await.unwrap().expect("served");
    assert_eq!(order, "order-1");
    assert_eq!(sorted(served.records.clone()), sorted(zone.records.clone()));
    assert!(served.nameservers.len() >= 2, "{served:?}");
    assert!(served.to_bind().contains(&format!("$ORIGIN {origin}.")));

    // Another order's zone of the same name leaves this one as it is.
    let other = Zone {
        records: Vec::new(),
        ..zone.clone()
    };
    host.create_zone(&other, &OrderId::new("order-2"))
        .await
        .unwrap();
    let (still, order) = host.zone(&origin).await.unwrap().unwrap();
    assert_eq!(order, "order-1");
    assert_eq!(sorted(still.records), sorted(zone.records.clone()));

    // Its owner's new records replace the old: sets no longer wanted go.
    let changed = Zone {
        records: vec![Record {
            name: "@".into(),
            kind: "A".into(),
            ttl: 300,
            priority: None,
            value: "203.0.113.9".into(),
        }],
        serial: zone.serial + 1,
        ..zone.clone()
    };
    assert!(
        host.replace_records(&changed, &OrderId::new("order-2"))
            .await
            .is_err(),
        "another order's records replace nothing"
    );
    host.replace_records(&changed, &OrderId::new("order-1"))
        .await
        .unwrap();
    host.replace_records(&changed, &OrderId::new("order-1"))
        .await
        .unwrap();
    let (served, _) = host.zone(&origin).await.unwrap().unwrap();
    assert_eq!(served.records, changed.records);

    host.remove_zone(&origin).await.unwrap();
    assert!(host.zone(&origin).await.unwrap().is_none());
    assert!(
        host.replace_records(&changed, &OrderId::new("order-1"))
            .await
            .is_err(),
        "no zone, nothing to replace"
    );
    host.remove_zone(&origin).await.unwrap();
    // Once removed, the name may be served again, for another order.
    host.create_zone(&zone, &OrderId::new("order-3"))
        .await
        .unwrap();
    assert_eq!(host.zone(&origin).await.unwrap().unwrap().1, "order-3");
}

#[tokio::test]
async fn table_zones_serve_a_zone_once_and_remove_it() {
    let fixture = sqlite_table().await;
    serves_a_zone_once_and_removes_it(&TableZones::new(fixture.table.clone())).await;
}

#[tokio::test]
async fn route53_serves_a_zone_once_and_removes_it() {
    serves_a_zone_once_and_removes_it(&Route53Zones::new(route53_client(), None)).await;
}

/// Route 53's changes start `PENDING`. Each call waits a while for its
/// change, then answers `Pending`; the next call waits on for the same
/// change (named in the zone's comment) instead of writing the records
/// again, however long Route 53 takes, and is done once it is served.
#[tokio::test]
async fn route53_waits_on_a_pending_change_across_calls_and_writes_once() {
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    use hostfront::dnshost::DnsError;
    use hostfront_tests::aws_access::{AccessLog, Faults, proxy_with_faults};

    let log = AccessLog::default();
    let faults = std::sync::Arc::new(Faults::default());
    // Longer than the 30 s a call once waited before it failed (a look
    // each half second).
    faults.pending_changes.store(64, Ordering::SeqCst);
    let endpoint = proxy_with_faults(
        "test",
        &hostfront_tests::moto_endpoint(),
        log.clone(),
        faults.clone(),
    )
    .await;
    let host = Route53Zones::new(hostfront_tests::route53_client_at(&endpoint), None)
        .waiting(Duration::from_millis(300));
    let zone = a_web_zone();
    let mut calls = 0;
    loop {
        calls += 1;
        match host.create_zone(&zone, &OrderId::new("order-1")).await {
            Ok(()) => break,
            Err(DnsError::Pending { retry_in, .. }) => assert!(retry_in > Duration::ZERO),
            Err(failed) => panic!("a pending change is no failure: {failed}"),
        }
        assert!(calls < 100, "served at last");
    }
    assert!(calls > 2, "waited across calls: {calls}");
    assert_eq!(faults.pending_changes.load(Ordering::SeqCst), 0);
    let writes = log
        .lock()
        .unwrap()
        .iter()
        .filter(|a| a.action == "route53:ChangeResourceRecordSets")
        .count();
    assert_eq!(writes, 1, "the records were written once");
    let (served, order) = host.zone(&zone.origin).await.unwrap().expect("served");
    assert_eq!(order, "order-1");
    assert_eq!(sorted(served.records), sorted(zone.records.clone()));
    host.create_zone(&zone, &OrderId::new("order-1"))
        .await
        .expect("a retry after it is served is done at once");
    host.remove_zone(&zone.origin).await.unwrap();
}
