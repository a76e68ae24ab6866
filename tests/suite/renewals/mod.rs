//! Renewing a customer's domain, on both engines: exactly once whatever
//! repeats, a declined card reaching no registrar, a registrar outage, the
//! registry's phases as the clock moves, and the portal over HTTP.

mod abandoned;
mod addons;
mod automatic;
mod cancel;
mod cancel_choices;
mod consent;
pub(crate) mod credit_pays;
pub(crate) mod ended;
mod expired;
mod failures;
mod holder;
mod mail_claims;
mod manage;
mod no_card;
mod once;
mod over_http;
mod phases;
pub(crate) mod services;
mod transfers;
mod two_years;

use hostfront::CustomerId;
use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::domains::owned::{self, OwnedDomain};
use hostfront::mail::{self, MailKind};
use hostfront::renewals::RenewRequest;
use hostfront_tests::shopper::{fresh_domain, fresh_username, register};

pub(crate) const DAY: i64 = 86_400;

pub(super) fn paying_with(number: &str, years: u32) -> RenewRequest {
    RenewRequest {
        years,
        payment_method: Some(hostfront_tests::shopper::test_method(number).into()),
    }
}

/// A customer whose order for a new domain went live, and the domain's record.
/// The customer's first hosting service.
pub(crate) async fn first_service(
    ports: &Ports,
    customer_id: &CustomerId,
) -> hostfront::subscriptions::Subscription {
    hostfront::subscriptions::of_customer(ports.table.as_ref(), customer_id)
        .await
        .unwrap()
        .remove(0)
}

pub(crate) async fn live_domain(ports: &Ports) -> (Customer, OwnedDomain) {
    let name = fresh_domain();
    let (customer, _) =
        hostfront_tests::customer_with_live_order(ports, register(&name, &fresh_username())).await;
    let domain = owned::find(ports.table.as_ref(), &customer.id, &name)
        .await
        .unwrap()
        .unwrap();
    (customer, domain)
}

pub(super) async fn registry_expiry(ports: &Ports, name: &str) -> i64 {
    ports.registrar.info(name).await.unwrap().expires_at
}

pub(crate) async fn mails_of(ports: &Ports, kind: MailKind, to: &str) -> usize {
    mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == kind && m.to == to)
        .count()
}
