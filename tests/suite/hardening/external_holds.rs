//! A domain registered elsewhere is held only for an order that proved it:
//! anyone may order any domain that way, so an order without proof must not
//! keep the real owner from ordering it, for a week or at all.

use hostfront::Ports;
use hostfront::clock::ManualClock;
use hostfront::orders::create::{self, DomainRequest, OrderRequest};
use hostfront::orders::{DomainAction, OrderError, checkout, ownership, provision};
use hostfront_tests::shopper::{card, fresh_domain, fresh_username};

fn external(domain: &str) -> OrderRequest {
    OrderRequest {
        plan_id: "web-starter".into(),
        cycle: "monthly".into(),
        domain: DomainRequest {
            action: DomainAction::External,
            name: domain.into(),
            auth_code: None,
        },
        username: fresh_username(),
        password: None,
        generate_password: true,
        server: None,
        zone: None,
        registrar_account: None,
    }
}

fn taken(result: &Result<create::Placed, OrderError>) -> bool {
    matches!(
        result,
        Err(OrderError::Conflict {
            code: "domain_taken",
            ..
        })
    )
}

async fn an_unproven_order_holds_no_name(clock: &ManualClock, ports: &Ports) {
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let domain = fresh_domain();
    let (mallory, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    for n in 0..5 {
        let placed = create::place(ports, &mallory, &format!("block-{n}"), external(&domain)).await;
        assert!(placed.is_ok(), "{placed:?}");
    }
    // An hour later the attacker's orders are all there, and the owner orders.
    clock.advance_secs(3_600);
    let (owner, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let placed = create::place(ports, &owner, "mine", external(&domain)).await;
    let placed = placed.expect("the owner may order their domain");
    let proof = placed.view.ownership.clone().unwrap();
    ports
        .simulated_dns
        .as_ref()
        .unwrap()
        .publish_txt(&proof.name, std::slice::from_ref(&proof.value))
        .await
        .unwrap();
    let verified = ownership::verify(ports, &owner, &placed.view.id)
        .await
        .unwrap();
    assert!(verified.ownership.unwrap().verified);

    // Proven, the owner's order holds the name: nobody else may order it,
    // and the attacker cannot prove theirs.
    let (eve, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    assert!(taken(
        &create::place(ports, &eve, "late", external(&domain)).await
    ));
    let orders = hostfront::orders::list(ports, &mallory.id).await.unwrap();
    let theirs = ownership::verify(ports, &mallory, &orders[0].id).await;
    assert!(
        matches!(
            theirs,
            Err(OrderError::Conflict {
                code: "record_not_found",
                ..
            })
        ),
        "{theirs:?}"
    );
    checkout::pay(
        ports,
        &owner,
        &placed.view.id,
        card(hostfront::adapters::sim::APPROVED),
    )
    .await
    .unwrap();
    provision::run(ports, &owner.id, &placed.view.id, false)
        .await
        .unwrap();
    let live = hostfront::orders::list(ports, &owner.id).await.unwrap();
    assert_eq!(live[0].status.as_str(), "active", "{:?}", live[0]);
}

with_clock_on_both_engines!(an_unproven_order_holds_no_name: unproven_hold_embedded, unproven_hold_cloud);
