//! Account credit granted by staff, on both engines with the manual clock:
//! the billing role's grants to one customer add up to its limit per UTC
//! day; admins have none; the next day starts afresh.

use hostfront::CustomerId;
use hostfront::Ports;
use hostfront::audit::Actor;
use hostfront::billing::credit::{self, CreditError};
use hostfront::clock::ManualClock;
use hostfront::money::Currency;
use hostfront::staff::Role;

async fn billing_grants_add_up_per_customer_per_day(clock: &ManualClock, ports: &Ports) {
    let clerk = Actor::Staff("stf-billing".into());
    let grant = |customer: &'static str, role, amount| {
        let (customer, clerk) = (CustomerId::new(customer), &clerk);
        async move {
            let by = (clerk, role, "192.0.2.1");
            let usd = Currency::parse("USD").unwrap();
            credit::grant(ports, by, (&customer, &usd), amount, "an outage").await
        }
    };
    let over =
        |answer: Result<i64, CreditError>| matches!(answer, Err(CreditError::OverLimit { .. }));
    // The limit is 50,000 (HOSTFRONT_STAFF_REFUND_LIMIT's default).
    assert_eq!(grant("ada", Role::Billing, 30_000).await.unwrap(), 30_000);
    assert!(
        over(grant("ada", Role::Billing, 30_000).await),
        "60,000 in a day"
    );
    assert_eq!(grant("ada", Role::Billing, 20_000).await.unwrap(), 50_000);
    assert!(over(grant("ada", Role::Billing, 1).await));
    assert_eq!(
        grant("bob", Role::Billing, 50_000).await.unwrap(),
        50_000,
        "per customer"
    );
    assert_eq!(grant("ada", Role::Admin, 100_000).await.unwrap(), 150_000);
    clock.advance_secs(24 * 3600);
    assert_eq!(
        grant("ada", Role::Billing, 50_000).await.unwrap(),
        200_000,
        "a new day"
    );
    assert!(over(grant("ada", Role::Billing, 1).await));
}

with_clock_on_both_engines!(billing_grants_add_up_per_customer_per_day: credit_embedded, credit_cloud);
