//! The price follows the registry phase as time passes.

use super::{DAY, live_domain, paying_with, registry_expiry};
use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::clock::{Clock, ManualClock, add_years_secs};
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, RenewalError};

async fn the_price_follows_the_registry_phase_as_time_passes(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let expiry = registry_expiry(ports, &domain.name).await;
    clock.advance_secs(expiry - clock.now_secs() + DAY);
    let grace = renewals::quote(ports, &domain, 1).await.unwrap();
    assert_eq!(
        (grace.phase, grace.subtotal),
        (DomainStatus::AutoRenewGrace, 1499)
    );
    clock.advance_secs(50 * DAY);
    let redemption = renewals::quote(ports, &domain, 1).await.unwrap();
    assert_eq!(redemption.phase, DomainStatus::Redemption);
    assert_eq!(redemption.lines.len(), 2);
    assert_eq!(
        redemption.subtotal,
        1499 + 8000,
        "the restore fee and a year"
    );
    renewals::renew(
        ports,
        &customer,
        &domain.name,
        "r-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    renewals::run(ports, &domain.name, expiry, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(ports, &domain.name).await,
        add_years_secs(expiry, 1)
    );
    assert_eq!(
        ports.registrar.info(&domain.name).await.unwrap().status,
        DomainStatus::Active
    );

    clock.advance_secs(add_years_secs(expiry, 1) - clock.now_secs() + 76 * DAY);
    let late = renewals::quote(ports, &domain, 1).await;
    assert!(
        matches!(
            &late,
            Err(RenewalError::NotRenewable {
                code: "pending_delete",
                ..
            })
        ),
        "{late:?}"
    );
}

with_clock_on_both_engines!(the_price_follows_the_registry_phase_as_time_passes: phases_embedded, phases_cloud);
