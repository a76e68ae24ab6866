//! Account credit pays orders, on both engines: taken off the invoice when
//! the order is placed, once whatever repeats; an order it pays in full is
//! paid with no card and no gateway call and goes live as any paid one;
//! what is left goes to the card; a cancelled order gives the credit back.
//! Over HTTP, the checkout and the portal's renewal take no card then.

use crate::renewals::credit_pays::{balance, balance_of, counted, grant, grant_to};
use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::{Invoice, InvoiceStatus};
use hostfront::clock::ManualClock;
use hostfront::orders::checkout::{self, PayRequest};
use hostfront::orders::{self, OrderError, OrderStatus, create, provision, unpaid};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, card, fresh_domain, fresh_username, hosting, register};
use serde_json::json;

fn no_card() -> PayRequest {
    PayRequest {
        payment_method: None,
        billing_country: "GB".into(),
        save_card: false,
        client_country: None,
    }
}

async fn a_new_customer(ports: &Ports) -> hostfront::accounts::Customer {
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    hostfront_tests::customer(ports, &fresh_username()).await.0
}

async fn credit_covering_an_order_pays_it_with_no_card(_: &ManualClock, ports: &Ports) {
    let customer = a_new_customer(ports).await;
    grant(ports, &customer, 1_000_000).await;
    let (ports, gateway) = counted(ports);
    let ports = &ports;
    let order = register(&fresh_domain(), &fresh_username());
    let placed = create::place(ports, &customer, "k-1", order.clone())
        .await
        .unwrap();
    let issued = &placed.view.invoice;
    let price = issued.subtotal + issued.tax;
    assert_eq!((issued.credit, issued.total), (price, 0));
    // The same key again, as after a crash: the same order, taken once.
    let again = create::place(ports, &customer, "k-1", order).await.unwrap();
    assert!(!again.created && again.view.id == placed.view.id);
    assert_eq!(balance(ports, &customer).await, 1_000_000 - price);

    let id = &placed.view.id;
    let paid = checkout::pay(ports, &customer, id, no_card())
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Provisioning, "{paid:?}");
    let invoice = Invoice::read(ports.table.as_ref(), id).await.unwrap();
    assert_eq!(
        (
            invoice.status,
            invoice.capture_id.as_deref(),
            invoice.credit
        ),
        (InvoiceStatus::Paid, None, price)
    );
    provision::run(ports, &customer.id, id, false)
        .await
        .unwrap();
    let live = orders::load(ports, &customer.id, id).await.unwrap();
    assert_eq!(live.status, OrderStatus::Active);
    assert_eq!(gateway.calls(), 0, "no gateway was asked anything");
    assert_eq!(balance(ports, &customer).await, 1_000_000 - price);
}

with_clock_on_both_engines!(credit_covering_an_order_pays_it_with_no_card: covering_embedded, covering_cloud);

async fn credit_smaller_than_an_order_leaves_the_rest_to_the_card(_: &ManualClock, ports: &Ports) {
    let customer = a_new_customer(ports).await;
    grant(ports, &customer, 500).await;
    let placed = create::place(
        ports,
        &customer,
        "k-1",
        register(&fresh_domain(), &fresh_username()),
    )
    .await
    .unwrap();
    let id = &placed.view.id;
    let price = placed.view.invoice.subtotal + placed.view.invoice.tax;
    assert_eq!(
        (placed.view.invoice.credit, placed.view.invoice.total),
        (500, price - 500)
    );
    let refused = checkout::pay(ports, &customer, id, no_card()).await;
    assert!(
        matches!(
            &refused,
            Err(OrderError::Invalid {
                code: "payment_method_required",
                ..
            })
        ),
        "{refused:?}"
    );
    let unchanged = orders::load(ports, &customer.id, id).await.unwrap();
    assert_eq!(
        (unchanged.status, unchanged.payment_pending),
        (OrderStatus::AwaitingPayment, None)
    );

    let paid = checkout::pay(ports, &customer, id, card(APPROVED))
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Provisioning);
    let payment = orders::load(ports, &customer.id, id)
        .await
        .unwrap()
        .payment
        .unwrap();
    assert_eq!(payment.amount, price - 500, "the card paid the rest");
    let invoice = Invoice::read(ports.table.as_ref(), id).await.unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Paid);
    assert!(invoice.capture_id.is_some());
    assert_eq!((invoice.credit, invoice.total), (500, price - 500));
    assert_eq!(balance(ports, &customer).await, 0);
}

with_clock_on_both_engines!(credit_smaller_than_an_order_leaves_the_rest_to_the_card: partly_embedded, partly_cloud);

async fn a_cancelled_order_gives_the_credit_back(_: &ManualClock, ports: &Ports) {
    let customer = a_new_customer(ports).await;
    grant(ports, &customer, 500).await;
    let placed = create::place(
        ports,
        &customer,
        "k-1",
        register(&fresh_domain(), &fresh_username()),
    )
    .await
    .unwrap();
    assert_eq!(balance(ports, &customer).await, 0);
    unpaid::cancel(ports, &customer, &placed.view.id)
        .await
        .unwrap();
    let invoice = Invoice::read(ports.table.as_ref(), &placed.view.id)
        .await
        .unwrap();
    assert_eq!(invoice.status, InvoiceStatus::Void);
    assert_eq!(balance(ports, &customer).await, 500);
}

with_clock_on_both_engines!(a_cancelled_order_gives_the_credit_back: cancelled_embedded, cancelled_cloud);

async fn a_rejected_order_gives_the_credit_back(_: &ManualClock, ports: &Ports) {
    use hostfront::audit::Actor;
    use hostfront::orders::decisions;
    use hostfront::staff::Role;
    let customer = a_new_customer(ports).await;
    grant(ports, &customer, 1_000_000).await;
    let (ports, gateway) = counted(ports);
    let ports = &ports;
    let placed = create::place(
        ports,
        &customer,
        "k-1",
        register(&fresh_domain(), &fresh_username()),
    )
    .await
    .unwrap();
    let id = &placed.view.id;
    let price = placed.view.invoice.subtotal + placed.view.invoice.tax;
    // Billed abroad: held for review.
    let abroad = PayRequest {
        billing_country: "US".into(),
        ..no_card()
    };
    let held = checkout::pay(ports, &customer, id, abroad).await.unwrap();
    assert_eq!(held.status, OrderStatus::PendingReview);
    let clerk = Actor::Staff("stf-billing".into());
    let staff = (&clerk, Role::Billing, "192.0.2.1");
    let rejected = decisions::reject(ports, staff, id, "not for us")
        .await
        .unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert_eq!(balance(ports, &customer).await, 1_000_000, "given back");
    let notes =
        hostfront::billing::credit_note::of_customer(ports.table.as_ref(), &customer.id, 10)
            .await
            .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].total, price, "the note documents all of it");
    // Rejected again: nothing more.
    decisions::reject(ports, staff, id, "not for us").await.ok();
    assert_eq!(balance(ports, &customer).await, 1_000_000, "once");
    assert_eq!(gateway.calls(), 0, "no gateway was asked anything");
}

with_clock_on_both_engines!(a_rejected_order_gives_the_credit_back: rejected_embedded, rejected_cloud);

/// Over HTTP: the checkout and the portal's renewal take a request with no
/// card when the credit pays it all, and the portal shows the balance.
async fn credit_pays_with_no_card_over_http(app: &App) {
    let shopper = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, me) = shopper.get("/api/me").await;
    let customer = hostfront::CustomerId::new(me["id"].as_str().unwrap());
    grant_to(&app.ports, &customer, 1_000_000).await;
    let domain = fresh_domain();
    let (status, order) = shopper
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["invoice"]["total"], 0, "{order}");
    let id = order["id"].as_str().unwrap();
    let (status, paid) = shopper
        .post(
            &format!("/api/orders/{id}/pay"),
            json!({"billing_country": "GB"}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{paid}");
    shopper.wait_for(id, "active").await;

    let (status, shown) = shopper.get(&format!("/api/domains/{domain}")).await;
    assert_eq!(status, 200, "{shown}");
    let left = balance_of(&app.ports, &customer).await;
    assert_eq!(shown["account_credit"], left, "{shown}");
    let (status, renewal) = shopper
        .post(
            &format!("/api/domains/{domain}/renew"),
            json!({"years": 1}),
            Some("renew-1"),
        )
        .await;
    assert_eq!(status, 202, "{renewal}");
    assert_eq!(renewal["total"], 0, "{renewal}");
    assert!(renewal["credit"].as_i64().unwrap() > 0, "{renewal}");
}

on_both_engines!(credit_pays_with_no_card_over_http: over_http_embedded, over_http_cloud);
