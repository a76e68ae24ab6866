//! Two years of three customers, on both engines with the manual clock:
//! Ada renews automatically with a good saved card; Bob has auto-renew off,
//! a saved card that starts declining in the eleventh month, and renews by
//! hand in grace; Cy has auto-renew off and never renews. At every step
//! every scheduled task runs twice at once and then once more, and its jobs
//! are worked off. Mail is counted as delivered and charges at the gateway (the
//! table's records of mail lapse after 30 days): one invoice, one charge and
//! one mail per thing and period; reminders and dunning on their days; grace,
//! redemption at the restore price, pending delete and release on theirs;
//! every mail's dates in UTC and none of its claims false.
//!
//! The clock steps to the days where something is due or just before (108
//! steps), not through every day: about 3 s on SQLite, a few minutes on moto.

mod recording;
mod story;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::domains::owned::{self};
use hostfront::mail::MailKind;
use hostfront::scheduler::Task;
use hostfront_tests::work_off_queue;

use super::services::card;
use super::{first_service, live_domain, registry_expiry};
use recording::{Recorder, RecordingGateway, RecordingMailer};

/// What the clock steps to: a day around a service's `k`-th due date, or
/// around the domains' expiry in `year` (1 or 2).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Service { k: usize, off: i64 },
    Domain { year: u32, off: i64 },
}

/// Around each due date: the day before it is invoiced (14 days ahead),
/// that day, and the charge; then, where Bob's card declines, the dunning
/// days and the day after the last.
const SERVICE_DAYS: [i64; 3] = [-15, -14, 0];

const DUNNING_DAYS: [i64; 3] = [3, 7, 8];

/// Around each expiry: the days before and of the reminders and the
/// renewal invoice, the charge, the expiry, the dunning days, and Bob's
/// renewal by hand in grace.
const DOMAIN_DAYS: [i64; 11] = [-31, -30, -8, -7, -1, 0, 1, 3, 7, 10, 11];

/// Cy's domain after its first expiry: grace ends (45 days for .com),
/// redemption, pending delete (from day 75), released on day 80.
const RELEASE_DAYS: [i64; 8] = [44, 45, 50, 74, 75, 79, 80, 81];

/// Bob's card declines from the eleventh period until he renews in grace.
const DECLINING: [usize; 2] = [11, 12];

struct Holder {
    customer: Customer,
    domain: String,
    service: String,
}

struct Story {
    ports: Ports,
    seen: Arc<Recorder>,
    ada: Holder,
    bob: Holder,
    cy: Holder,
    first_due: time::Date,
    /// The domains' first expiry: they were registered at the same moment.
    expiry: i64,
}

/// Runs every scheduled task twice at once, then once more, each round's
/// jobs worked off after it.
async fn run_every_task(ports: &Ports) {
    for times in [2, 1] {
        let tasks: Vec<Task> = Task::ALL
            .iter()
            .flat_map(|t| std::iter::repeat_n(*t, times))
            .collect();
        let outcomes = futures::future::join_all(tasks.iter().map(|t| t.run(ports))).await;
        for (task, outcome) in tasks.iter().zip(outcomes) {
            if let Err(error) = outcome {
                panic!("{}: {error:#}", task.name());
            }
        }
        work_off_queue(ports).await;
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The dates in `text` that do not say their time zone.
pub(super) fn bare_dates(text: &str) -> Vec<String> {
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let bytes = text.as_bytes();
    let mut bare: Vec<String> = (0..bytes.len().saturating_sub(9))
        .filter(|&i| {
            let w = &bytes[i..i + 10];
            digits(&w[..4]) && w[4] == b'-' && digits(&w[5..7]) && w[7] == b'-' && digits(&w[8..])
        })
        .map(|i| text[i..i + 10].to_string())
        .collect();
    for month in MONTHS {
        let written = format!(" {month} ");
        for (at, _) in text.match_indices(&written) {
            let rest = &text[at + written.len()..];
            if rest.len() >= 4 && digits(&rest.as_bytes()[..4]) && !rest[4..].starts_with(" (UTC)")
            {
                bare.push(format!("{month} {}", &rest[..4]));
            }
        }
    }
    bare
}

/// Promises that mails must not make.
pub(super) const FALSE_CLAIMS: [&str; 4] = [
    "renews with your hosting",
    "update your card to have it back",
    "our team will renew",
    "will be in touch",
];

/// Every mail delivered once, its dates in UTC, none of its claims false.
fn check_every_mail(seen: &Recorder) {
    let mails = seen.mails.lock().unwrap();
    let mut deliveries: BTreeMap<&str, usize> = BTreeMap::new();
    for mail in mails.iter() {
        *deliveries.entry(mail.id.as_str()).or_default() += 1;
        for body in [&mail.text, &mail.html] {
            let bare = bare_dates(body);
            assert!(bare.is_empty(), "{}: {bare:?} in {body}", mail.id);
            for claim in FALSE_CLAIMS {
                assert!(!body.contains(claim), "{}: {body}", mail.id);
            }
        }
    }
    let twice: Vec<_> = deliveries.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "delivered more than once: {twice:?}");
}

/// The totals after two years, by customer: mails of each kind, invoices
/// per thing and period, and one capture per paid invoice.
async fn check_totals(story: &Story) {
    let seen = &story.seen;
    let expected: [(&Holder, [(MailKind, usize); 7]); 3] = [
        (
            &story.ada,
            [
                (MailKind::ServiceInvoice, 24),
                (MailKind::ServiceReceipt, 24),
                (MailKind::ServicePaymentFailed, 0),
                (MailKind::RenewalInvoice, 2),
                (MailKind::RenewalReceipt, 2),
                (MailKind::RenewalReminder, 0),
                (MailKind::RenewalPaymentFailed, 0),
            ],
        ),
        (
            &story.bob,
            [
                (MailKind::ServiceInvoice, 24),
                (MailKind::ServiceReceipt, 24),
                (MailKind::ServicePaymentFailed, 6),
                (MailKind::RenewalInvoice, 0),
                (MailKind::RenewalReceipt, 2),
                (MailKind::RenewalReminder, 6),
                (MailKind::RenewalPaymentFailed, 0),
            ],
        ),
        (
            &story.cy,
            [
                (MailKind::ServiceInvoice, 24),
                (MailKind::ServiceReceipt, 24),
                (MailKind::ServicePaymentFailed, 0),
                (MailKind::RenewalInvoice, 0),
                (MailKind::RenewalReceipt, 0),
                (MailKind::RenewalReminder, 3),
                (MailKind::RenewalPaymentFailed, 0),
            ],
        ),
    ];
    for (who, kinds) in expected {
        let email = &who.customer.email;
        for (kind, count) in kinds {
            assert_eq!(seen.sent(email, kind, ""), count, "{email}: {kind:?}");
        }
        let invoices = invoice::of_customer(story.ports.table.as_ref(), &who.customer.id, 100)
            .await
            .unwrap();
        let periods: BTreeSet<&str> = invoices
            .iter()
            .filter_map(|i| match &i.about {
                InvoiceFor::Period { from, .. } => Some(from.as_str()),
                _ => None,
            })
            .collect();
        let period_invoices = invoices
            .iter()
            .filter(|i| matches!(i.about, InvoiceFor::Period { .. }))
            .count();
        assert_eq!((periods.len(), period_invoices), (24, 24), "{email}");
        let renewals = invoices
            .iter()
            .filter(|i| matches!(i.about, InvoiceFor::Renewal { .. }))
            .count();
        let renewed = seen.sent(email, MailKind::RenewalReceipt, "");
        assert_eq!(renewals, renewed, "{email}: one invoice per renewal");
        for bill in &invoices {
            assert_eq!(bill.status, InvoiceStatus::Paid, "{email}: {bill:?}");
            assert_eq!(seen.captures_of(&bill.number), 1, "{email}: {bill:?}");
        }
    }
}

async fn two_years_of_three_customers(clock: &ManualClock, plain: &Ports) {
    let started = std::time::Instant::now();
    let seen = Arc::new(Recorder::default());
    let mut ports = plain.clone();
    ports.mailer = Arc::new(RecordingMailer(plain.mailer.clone(), seen.clone()));
    ports.payments = Arc::new(RecordingGateway(plain.payments.clone(), seen.clone()));
    let mut holders = Vec::new();
    for (name, auto_renew) in [("ada", true), ("bob", false), ("cy", false)] {
        let (customer, domain) = live_domain(&ports).await;
        owned::set_auto_renew(&ports, &customer.id, &domain.name, auto_renew)
            .await
            .unwrap();
        payment_method::save(&ports, &customer.id, &card(APPROVED), name)
            .await
            .unwrap();
        let service = first_service(&ports, &customer.id).await;
        holders.push((customer, domain, service));
    }
    let expiry = registry_expiry(&ports, &holders[0].1.name).await;
    for (_, domain, _) in &holders {
        let same = registry_expiry(&ports, &domain.name).await;
        assert_eq!(same, expiry, "registered at the same moment");
    }
    let first_due = time::Date::parse(
        &holders[0].2.next_due,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    let mut held = holders
        .into_iter()
        .map(|(customer, domain, service)| Holder {
            customer,
            domain: domain.name,
            service: service.id,
        });
    let story = Story {
        ports,
        seen,
        ada: held.next().unwrap(),
        bob: held.next().unwrap(),
        cy: held.next().unwrap(),
        first_due,
        expiry,
    };
    let steps = story.steps();
    for (at, step) in &steps {
        clock.advance_secs(at - clock.now_secs());
        story.act(*step).await;
        run_every_task(&story.ports).await;
        story.check(*step).await;
        if std::env::var_os("HOSTFRONT_TRACE_STEPS").is_some() {
            eprintln!("{step:?} at {:.1?}", started.elapsed());
        }
    }
    check_every_mail(&story.seen);
    check_totals(&story).await;
    eprintln!(
        "two years in {} steps: {:.1?}",
        steps.len(),
        started.elapsed()
    );
}

with_clock_on_both_engines!(two_years_of_three_customers: two_years_embedded, two_years_cloud);
