//! Recurring billing of hosting services, on both engines with the manual
//! clock: the next period invoiced ahead and charged once when due, the due
//! date moved one cycle; a declined card through dunning to suspension.

use hostfront::Services;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::mail::MailKind;
use hostfront::payments::Card;
use hostfront::subscriptions::billing::{self, ServiceBilling};
use hostfront::subscriptions::{self, ServiceStatus};

use super::{DAY, live_domain, mails_of};

fn card(number: &str) -> Card {
    Card {
        number: number.into(),
        exp_month: 12,
        exp_year: 2099,
        cvc: "123".into(),
    }
}

fn midnight(date: &str) -> i64 {
    let date = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    date.midnight().assume_utc().unix_timestamp()
}

/// Moves the clock to noon, `days` days before `date` (negative: after).
fn travel_to(clock: &ManualClock, date: &str, days: i64) {
    clock.advance_secs(midnight(date) - days * DAY + DAY / 2 - clock.now_secs());
}

async fn a_service_is_billed_each_period_once(clock: &ManualClock, services: &Services) {
    let (customer, _) = live_domain(services).await;
    let table = services.table.as_ref();
    payment_method::save(services, &customer.id, &card(APPROVED), "ok")
        .await
        .unwrap();
    let service = subscriptions::of_customer(table, &customer.id)
        .await
        .unwrap()
        .remove(0);
    let due = service.next_due.clone();
    travel_to(clock, &due, 15);
    assert_eq!(
        billing::run(services).await.unwrap(),
        ServiceBilling::default()
    );
    travel_to(clock, &due, 13);
    let (first, second) = tokio::join!(billing::run(services), billing::run(services));
    assert_eq!(first.unwrap().invoiced + second.unwrap().invoiced, 1);
    assert_eq!(
        mails_of(services, MailKind::ServiceInvoice, &customer.email).await,
        1
    );

    travel_to(clock, &due, 0);
    let (first, second) = tokio::join!(billing::run(services), billing::run(services));
    assert_eq!(first.unwrap().charged + second.unwrap().charged, 1);
    assert_eq!(billing::run(services).await.unwrap().charged, 0);
    let paid = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        paid.next_due,
        hostfront::clock::add_months(
            time::Date::parse(
                &due,
                time::macros::format_description!("[year]-[month]-[day]")
            )
            .unwrap(),
            1
        )
        .to_string(),
        "one cycle on"
    );
    let invoices = invoice::of_customer(table, &customer.id, 10).await.unwrap();
    let period = invoices
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    assert_eq!((period.status, period.subtotal), (InvoiceStatus::Paid, 499));
    assert_eq!(
        mails_of(services, MailKind::ServiceReceipt, &customer.email).await,
        1
    );

    // The next period with a card that declines: three tries, then suspended.
    payment_method::save(services, &customer.id, &card(DECLINED), "bad")
        .await
        .unwrap();
    let next = paid.next_due.clone();
    travel_to(clock, &next, 13);
    assert_eq!(billing::run(services).await.unwrap().invoiced, 1);
    for (days, suspended) in [(0, 0), (-3, 0), (-7, 1)] {
        travel_to(clock, &next, days);
        let run = billing::run(services).await.unwrap();
        assert_eq!((run.declined, run.suspended), (1, suspended), "{days}");
        assert_eq!(billing::run(services).await.unwrap().declined, 0);
    }
    let stopped = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stopped.status, ServiceStatus::Suspended);
    assert_eq!(
        stopped.next_due, next,
        "an unpaid period does not move the due date"
    );
    assert_eq!(
        mails_of(services, MailKind::ServicePaymentFailed, &customer.email).await,
        3
    );
}

with_clock_on_both_engines!(a_service_is_billed_each_period_once: service_billing_embedded, service_billing_cloud);
