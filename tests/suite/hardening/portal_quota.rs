//! One customer looping on their own domain in the portal: the reads come
//! from the record, the changes are limited per customer and spend only the
//! portal's share of the registrar's quota, so searches stay checked and
//! other customers' orders go live.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::{Value, json};

on_both_engines!(
    a_customer_looping_on_their_domain_spends_only_the_portals_share:
        portal_share_embedded,
        portal_share_cloud,
    |c| {
        // A small portal share, so that even a loop slowed by moto spends
        // it; room enough besides for the searches and for the other
        // customer's order, which may take the searches' share when both
        // fall in one second (orders come first).
        c.policy.registrar_calls_per_second = 20;
        c.policy.registrar_reserved_per_second = 2;
        c.policy.registrar_portal_per_second = 1;
        // The portal's share, not the per-customer limit, is what this tests.
        c.policy.domain_changes_per_minute = 100_000;
    }
);

/// A new customer whose order of a new domain went live, the domain, and
/// their email address.
pub(crate) async fn live_domain<'a>(app: &'a App) -> (Shopper<'a>, String, String) {
    let email = format!("{}@example.com", fresh_username());
    let shopper = Shopper::sign_up(app, &email, "GB").await;
    let domain = fresh_domain();
    let (status, order) = shopper
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    shopper.pay(id, APPROVED, "GB").await;
    shopper.wait_for(id, "active").await;
    (shopper, domain, email)
}

/// What the looping customer sends, one after another, until told to stop;
/// the statuses they got.
async fn loop_on(mallory: &Shopper<'_>, domain: &str, stop: &AtomicBool) -> Vec<u16> {
    let path = format!("/api/domains/{domain}");
    let mut statuses = Vec::new();
    let mut turn = 0;
    while !stop.load(Ordering::Relaxed) {
        turn += 1;
        let (status, _) = match turn % 4 {
            0 => mallory.get(&path).await,
            1 => {
                let ns =
                    json!({"nameservers": [format!("ns1.n{turn}.example.org"), "ns2.example.org"]});
                mallory.put(&format!("{path}/nameservers"), ns, None).await
            }
            2 => {
                let lock = json!({"locked": true});
                mallory.put(&format!("{path}/lock"), lock, None).await
            }
            _ => {
                mallory
                    .post(&format!("{path}/refresh"), json!({}), None)
                    .await
            }
        };
        statuses.push(status);
    }
    statuses
}

/// Searches a fresh name four times a second and the other customer's order goes
/// live, while the loop runs; the searches' answers.
async fn others_meanwhile(app: &App, stop: &AtomicBool) -> Vec<Value> {
    let bob = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let searches = async {
        let mut results = Vec::new();
        for _ in 0..16 {
            let name = fresh_domain();
            let (status, _, answer) = app.get(&format!("/api/domains/check?name={name}")).await;
            assert_eq!(status, 200, "{answer}");
            results.push(answer["results"][0].clone());
            // Spread over the real seconds the registrar's budget is
            // counted in, while the loop spends the portal's share: the
            // load under test, not a wait.
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        results
    };
    let order = async {
        let (status, order) = bob
            .order(hosting("register", &fresh_domain(), &fresh_username()))
            .await;
        assert_eq!(status, 201, "{order}");
        let id = order["id"].as_str().unwrap();
        let (status, paid) = bob.pay(id, APPROVED, "GB").await;
        assert_eq!(status, 200, "{paid}");
        bob.wait_for(id, "active").await;
    };
    let (results, ()) = futures::join!(searches, order);
    stop.store(true, Ordering::Relaxed);
    results
}

async fn a_customer_looping_on_their_domain_spends_only_the_portals_share(app: &App) {
    let (mallory, domain, _) = live_domain(app).await;
    let stop = AtomicBool::new(false);
    let loops = futures::future::join_all((0..4).map(|_| loop_on(&mallory, &domain, &stop)));
    let (statuses, searched) = futures::join!(loops, others_meanwhile(app, &stop));
    let statuses: Vec<u16> = statuses.into_iter().flatten().collect();

    for result in &searched {
        assert_ne!(
            result["reason"], "unknown",
            "a search went unchecked: {result}"
        );
    }
    assert!(
        statuses.iter().all(|s| [200, 429, 503].contains(s)),
        "{statuses:?}"
    );
    assert!(statuses.len() > 20, "the loop ran: {statuses:?}");
    assert!(
        statuses.contains(&503),
        "the portal's share was spent: {statuses:?}"
    );

    // A refresh asks the registry at most once every five minutes (one the
    // registry could not answer, the portal's share spent, does not count).
    let refresh = format!("/api/domains/{domain}/refresh");
    for _ in 0..5 {
        let (status, _) = mallory.post(&refresh, json!({}), None).await;
        if status != 503 {
            break;
        }
        // The portal's share comes back with the next second of the real
        // clock, the window the budget is counted in.
        tokio::time::sleep(Duration::from_millis(1_100)).await;
    }
    let (status, error) = mallory.post(&refresh, json!({}), None).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (429, Some("refresh_too_soon")),
        "{error}"
    );
    let (status, shown) = mallory.get(&format!("/api/domains/{domain}")).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["renewal_quote"]["max_years"], 9, "{shown}");
}

on_both_engines!(domain_changes_are_limited_per_customer: changes_limited_embedded, changes_limited_cloud, |c| {
    c.policy.domain_changes_per_minute = 4;
});

/// A customer's changes are limited per customer, with a Retry-After.
async fn domain_changes_are_limited_per_customer(app: &App) {
    let (ada, domain, _) = live_domain(app).await;
    let path = format!("/api/domains/{domain}/lock");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(ada.put(&path, json!({"locked": true}), None).await);
    }
    assert!(
        statuses.iter().take(2).all(|(s, _)| *s == 200),
        "{statuses:?}"
    );
    let (status, error) = statuses.last().unwrap();
    assert_eq!(
        (*status, error["error"]["code"].as_str()),
        (429, Some("rate_limited")),
        "{error}"
    );
    // Reading stays open: it asks nothing of the registry.
    for _ in 0..20 {
        assert_eq!(ada.get(&format!("/api/domains/{domain}")).await.0, 200);
    }
}
