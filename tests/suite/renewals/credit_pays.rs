//! Account credit pays domain renewals, on both engines: taken off the
//! invoice when it is issued, once whatever repeats; a renewal it pays in
//! full reaches no gateway and needs no card; what is left goes to the
//! card; a declined card gives the credit back; two renewals at once never
//! spend it twice.

use std::sync::Arc;

use super::{DAY, live_domain, mails_of, paying_with, registry_expiry};
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::audit::Actor;
use hostfront::billing::{Invoice, InvoiceStatus, credit};
use hostfront::clock::{Clock, ManualClock, add_years_secs};
use hostfront::domains::owned::{self, OwnedDomain};
use hostfront::mail::MailKind;
use hostfront::money::Currency;
use hostfront::renewals::{self, RenewRequest, Renewal, RenewalError, RenewalStatus};
use hostfront::staff::Role;
use hostfront::{CustomerId, Ports};
use hostfront_tests::counting_gateway::CountingGateway;
use hostfront_tests::shopper::{card, fresh_domain, fresh_username, register};

/// Grants `amount` of account credit to the customer, as an admin.
pub(crate) async fn grant(ports: &Ports, customer: &Customer, amount: i64) {
    grant_to(ports, &customer.id, amount).await;
}

/// Grants `amount` of account credit to the customer `customer_id`, as an admin.
pub(crate) async fn grant_to(ports: &Ports, customer_id: &CustomerId, amount: i64) {
    let admin = Actor::Staff("stf-admin".into());
    let usd = Currency::parse("USD").unwrap();
    credit::grant(
        ports,
        (&admin, Role::Admin, "192.0.2.1"),
        (customer_id, &usd),
        amount,
        "the site was down a day",
    )
    .await
    .unwrap();
}

pub(crate) async fn balance(ports: &Ports, customer: &Customer) -> i64 {
    balance_of(ports, &customer.id).await
}

pub(crate) async fn balance_of(ports: &Ports, customer_id: &CustomerId) -> i64 {
    credit::balance(ports.table.as_ref(), customer_id)
        .await
        .unwrap()
        .0
}

/// The same ports, with a gateway that counts the calls made to it.
pub(crate) fn counted(ports: &Ports) -> (Ports, Arc<CountingGateway>) {
    let gateway = Arc::new(CountingGateway::new(ports.payments.clone()));
    let mut counted = ports.clone();
    counted.payments = gateway.clone();
    (counted, gateway)
}

fn no_card(years: u32) -> RenewRequest {
    RenewRequest {
        years,
        payment_method: None,
    }
}

async fn bill(ports: &Ports, renewal: &Renewal) -> Invoice {
    renewal.invoice(ports.table.as_ref()).await.unwrap()
}

async fn credit_covering_a_renewal_pays_it_with_no_card(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let name = &domain.name;
    let refused = renewals::renew(ports, &customer, name, "k-0", no_card(1)).await;
    assert!(
        matches!(
            &refused,
            Err(RenewalError::Invalid {
                code: "payment_method_required",
                ..
            })
        ),
        "no card saved, no credit: {refused:?}"
    );
    grant(ports, &customer, 5_000).await;
    let (ports, gateway) = counted(ports);
    let ports = &ports;
    let (renewal, created) = renewals::renew(ports, &customer, name, "k-1", no_card(1))
        .await
        .unwrap();
    assert!(created);
    assert_eq!(renewal.status, RenewalStatus::Queued);
    assert!(
        renewal.status_message.contains("account credit"),
        "{renewal:?}"
    );
    let price = bill(ports, &renewal).await;
    assert_eq!(
        (renewal.total, renewal.credit),
        (0, price.subtotal + price.tax)
    );
    // The same key again, as after a crash: the same renewal, taken once.
    let (again, created) = renewals::renew(ports, &customer, name, "k-1", no_card(1))
        .await
        .unwrap();
    assert!(!created && again.id == renewal.id);
    assert_eq!(balance(ports, &customer).await, 5_000 - renewal.credit);

    let expiry = renewal.current_expiry;
    renewals::run(ports, name, expiry, false).await.unwrap();
    assert_eq!(
        registry_expiry(ports, name).await,
        add_years_secs(expiry, 1)
    );
    let paid = bill(ports, &renewal).await;
    assert_eq!(
        (
            paid.status,
            paid.capture_id.as_deref(),
            paid.total,
            paid.credit
        ),
        (InvoiceStatus::Paid, None, 0, renewal.credit)
    );
    assert_eq!(paid.tax, price.tax, "the tax stays on the price");
    assert_eq!(gateway.calls(), 0, "no gateway was asked anything");
    assert_eq!(
        mails_of(ports, MailKind::RenewalReceipt, &customer.email).await,
        1
    );
    assert_eq!(balance(ports, &customer).await, 5_000 - renewal.credit);
}

with_clock_on_both_engines!(credit_covering_a_renewal_pays_it_with_no_card: covering_embedded, covering_cloud);

async fn credit_smaller_than_a_renewal_leaves_the_rest_to_the_card(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    grant(ports, &customer, 500).await;
    let (renewal, _) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "k-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    let issued = bill(ports, &renewal).await;
    let price = issued.subtotal + issued.tax;
    assert_eq!((renewal.credit, renewal.total), (500, price - 500));
    assert_eq!((issued.credit, issued.total), (500, price - 500));
    assert_eq!(balance(ports, &customer).await, 0);
    renewals::run(ports, &domain.name, renewal.current_expiry, false)
        .await
        .unwrap();
    let paid = bill(ports, &renewal).await;
    assert_eq!(paid.status, InvoiceStatus::Paid);
    assert!(paid.capture_id.is_some(), "the card paid the rest");
    assert_eq!((paid.credit, paid.total), (500, price - 500));
}

with_clock_on_both_engines!(credit_smaller_than_a_renewal_leaves_the_rest_to_the_card: partly_embedded, partly_cloud);

async fn a_declined_card_gives_the_credit_back(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    grant(ports, &customer, 500).await;
    let declined = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "k-1",
        paying_with(DECLINED, 1),
    )
    .await;
    assert!(
        matches!(declined, Err(RenewalError::Declined { .. })),
        "{declined:?}"
    );
    let renewal = renewals::find(
        ports.table.as_ref(),
        &domain.name,
        domain.expires_at.unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(renewal.credit, 500);
    assert_eq!(bill(ports, &renewal).await.status, InvoiceStatus::Void);
    assert_eq!(balance(ports, &customer).await, 500, "given back once");
}

with_clock_on_both_engines!(a_declined_card_gives_the_credit_back: declined_embedded, declined_cloud);

/// Another domain of `customer`'s, ordered, paid and live.
async fn another_domain(ports: &Ports, customer: &Customer) -> OwnedDomain {
    use hostfront::orders::{checkout, create, provision};
    let name = fresh_domain();
    let placed = create::place(
        ports,
        customer,
        "second",
        register(&name, &fresh_username()),
    )
    .await
    .unwrap();
    checkout::pay(ports, customer, &placed.view.id, card(APPROVED))
        .await
        .unwrap();
    provision::run(ports, &customer.id, &placed.view.id, false)
        .await
        .unwrap();
    owned::find(ports.table.as_ref(), &customer.id, &name)
        .await
        .unwrap()
        .unwrap()
}

async fn two_renewals_at_once_share_one_credit(_: &ManualClock, ports: &Ports) {
    let (customer, first) = live_domain(ports).await;
    let second = another_domain(ports, &customer).await;
    // More than one renewal's price, less than two.
    let quote = renewals::quote(ports, &first, 1).await.unwrap();
    let credit = quote.subtotal + quote.subtotal / 2;
    grant(ports, &customer, credit).await;
    let renew = |domain: &OwnedDomain, key: &'static str| {
        let (customer, name) = (customer.clone(), domain.name.clone());
        async move { renewals::renew(ports, &customer, &name, key, paying_with(APPROVED, 1)).await }
    };
    let (a, b) = tokio::join!(renew(&first, "k-a"), renew(&second, "k-b"));
    let (a, b) = (a.unwrap().0, b.unwrap().0);
    assert!(a.credit >= 0 && b.credit >= 0);
    assert_eq!(a.credit + b.credit, credit, "all of it, once: {a:?} {b:?}");
    assert_eq!(balance(ports, &customer).await, 0, "never below nothing");
    for renewal in [&a, &b] {
        let issued = bill(ports, renewal).await;
        assert_eq!(issued.total + issued.credit, issued.subtotal + issued.tax);
    }
}

with_clock_on_both_engines!(two_renewals_at_once_share_one_credit: shared_embedded, shared_cloud);

async fn credit_pays_an_automatic_renewal_with_no_card(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    grant(ports, &customer, 5_000).await;
    let (ports, gateway) = counted(ports);
    let ports = &ports;
    let expiry = registry_expiry(ports, &domain.name).await;
    let travel_to = |days: i64| clock.advance_secs(expiry - days * DAY - clock.now_secs());
    travel_to(29);
    assert_eq!(renewals::run_billing(ports).await.unwrap().invoiced, 1);
    let scheduled = renewals::find(ports.table.as_ref(), &domain.name, expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(scheduled.status, RenewalStatus::Scheduled);
    assert_eq!(scheduled.total, 0);
    assert_eq!(balance(ports, &customer).await, 5_000 - scheduled.credit);
    travel_to(1);
    assert_eq!(
        renewals::run_billing(ports).await.unwrap().charged,
        1,
        "with no card saved"
    );
    renewals::run(ports, &domain.name, expiry, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(ports, &domain.name).await,
        add_years_secs(expiry, 1)
    );
    let paid = bill(ports, &scheduled).await;
    assert_eq!((paid.status, paid.capture_id), (InvoiceStatus::Paid, None));
    assert_eq!(gateway.calls(), 0, "no gateway was asked anything");
}

with_clock_on_both_engines!(credit_pays_an_automatic_renewal_with_no_card: automatic_embedded, automatic_cloud);

/// A renewal by hand takes the place of the scheduled one: the credit the
/// scheduled invoice took comes back as it is voided and is taken again by
/// the new invoice, in one write of the credit.
async fn a_renewal_by_hand_takes_the_credit_the_scheduled_one_gives_back(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, domain) = live_domain(ports).await;
    grant(ports, &customer, 5_000).await;
    let expiry = registry_expiry(ports, &domain.name).await;
    clock.advance_secs(expiry - 29 * DAY - clock.now_secs());
    assert_eq!(renewals::run_billing(ports).await.unwrap().invoiced, 1);
    let scheduled = renewals::find(ports.table.as_ref(), &domain.name, expiry)
        .await
        .unwrap()
        .unwrap();
    assert!(scheduled.paid_by_credit());
    let (by_hand, created) = renewals::renew(ports, &customer, &domain.name, "k-hand", no_card(1))
        .await
        .unwrap();
    assert!(created && by_hand.id != scheduled.id);
    assert_eq!((by_hand.total, by_hand.credit), (0, scheduled.credit));
    assert_eq!(bill(ports, &scheduled).await.status, InvoiceStatus::Void);
    assert_eq!(balance(ports, &customer).await, 5_000 - by_hand.credit);
}

with_clock_on_both_engines!(a_renewal_by_hand_takes_the_credit_the_scheduled_one_gives_back: by_hand_embedded, by_hand_cloud);
