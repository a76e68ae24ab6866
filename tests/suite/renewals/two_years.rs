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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use hostfront::Services;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock, add_months, add_years_secs};
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::mail::{Mail, MailKind};
use hostfront::mailer::{Mailer, MailerError};
use hostfront::payments::{
    Authorization, Authorized, Capture, Card, Charge, EventError, PaymentError, PaymentEvent,
    PaymentSource, Payments, Refund, SavedCard,
};
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, RenewalError};
use hostfront::scheduler::Task;
use hostfront::subscriptions::{self, ServiceStatus, pay};
use hostfront_tests::work_off_queue;

use super::services::{card, midnight};
use super::{DAY, first_service, live_domain, paying_with, registry_expiry};

/// What reached the customers' mailboxes and the gateway.
#[derive(Default)]
struct Recorder {
    mails: Mutex<Vec<Mail>>,
    /// Each authorisation's reference: the invoice it pays.
    references: Mutex<HashMap<String, String>>,
    /// Each invoice's captures.
    captures: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl Recorder {
    /// Mails of `kind` delivered to `to` whose id ends with `suffix`.
    fn sent(&self, to: &str, kind: MailKind, suffix: &str) -> usize {
        let mails = self.mails.lock().unwrap();
        let ids: BTreeSet<&str> = mails
            .iter()
            .filter(|m| m.to == to && m.kind == kind && m.id.ends_with(suffix))
            .map(|m| m.id.as_str())
            .collect();
        ids.len()
    }

    fn captures_of(&self, invoice: &str) -> usize {
        self.captures
            .lock()
            .unwrap()
            .get(invoice)
            .map_or(0, BTreeSet::len)
    }

    fn hold(&self, authorization: &Authorization, charge: &Charge) {
        self.references
            .lock()
            .unwrap()
            .insert(authorization.id.clone(), charge.reference.clone());
    }
}

struct RecordingMailer(Arc<dyn Mailer>, Arc<Recorder>);

#[async_trait]
impl Mailer for RecordingMailer {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    async fn deliver(&self, mail: &Mail) -> Result<(), MailerError> {
        self.1.mails.lock().unwrap().push(mail.clone());
        self.0.deliver(mail).await
    }
}

struct RecordingGateway(Arc<dyn Payments>, Arc<Recorder>);

#[async_trait]
impl Payments for RecordingGateway {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn event(&self, signature: &str, body: &[u8], now: i64) -> Result<PaymentEvent, EventError> {
        self.0.event(signature, body, now)
    }
    async fn save_card(&self, card: &Card, key: &str) -> Result<SavedCard, PaymentError> {
        self.0.save_card(card, key).await
    }
    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        let held = self.0.authorize(charge).await?;
        self.1.hold(&held, charge);
        Ok(held)
    }
    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        let answer = self.0.authorize_with_holder(charge, return_url).await?;
        if let Authorized::Held(held) = &answer {
            self.1.hold(held, charge);
        }
        Ok(answer)
    }
    async fn authenticated(&self, authorization_id: &str) -> Result<Authorized, PaymentError> {
        self.0.authenticated(authorization_id).await
    }
    async fn answer_bank_check(&self, id: &str, confirmed: bool) -> Result<String, PaymentError> {
        self.0.answer_bank_check(id, confirmed).await
    }
    async fn authorization_made_with(
        &self,
        key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        self.0.authorization_made_with(key).await
    }
    async fn capture(&self, id: &str, amount: i64, key: &str) -> Result<Capture, PaymentError> {
        let capture = self.0.capture(id, amount, key).await?;
        let reference = self.1.references.lock().unwrap().get(id).cloned();
        self.1
            .captures
            .lock()
            .unwrap()
            .entry(reference.unwrap_or_else(|| format!("unknown {id}")))
            .or_default()
            .insert(capture.id.clone());
        Ok(capture)
    }
    async fn void(&self, id: &str, key: &str) -> Result<(), PaymentError> {
        self.0.void(id, key).await
    }
    async fn refund(&self, id: &str, amount: i64, key: &str) -> Result<Refund, PaymentError> {
        self.0.refund(id, amount, key).await
    }
}

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
    services: Services,
    seen: Arc<Recorder>,
    ada: Holder,
    bob: Holder,
    cy: Holder,
    first_due: time::Date,
    /// The domains' first expiry: they were registered at the same moment.
    expiry: i64,
}

impl Story {
    fn due(&self, k: usize) -> String {
        add_months(self.first_due, (k - 1) as u32).to_string()
    }

    fn expiry_in(&self, year: u32) -> i64 {
        add_years_secs(self.expiry, year - 1)
    }

    fn at(&self, step: Step) -> i64 {
        match step {
            Step::Service { k, off } => midnight(&self.due(k)) + DAY / 2 + off * DAY,
            Step::Domain { year, off } => self.expiry_in(year) + off * DAY + 60,
        }
    }

    /// Every step in order, up to the twelfth day after the second expiry.
    fn steps(&self) -> Vec<(i64, Step)> {
        let mut steps: Vec<Step> = Vec::new();
        for year in [1, 2] {
            steps.extend(DOMAIN_DAYS.map(|off| Step::Domain { year, off }));
        }
        steps.extend(RELEASE_DAYS.map(|off| Step::Domain { year: 1, off }));
        for k in 1..=25 {
            steps.extend(SERVICE_DAYS.map(|off| Step::Service { k, off }));
        }
        for k in DECLINING {
            steps.extend(DUNNING_DAYS.map(|off| Step::Service { k, off }));
        }
        let end = self.at(Step::Domain { year: 2, off: 12 });
        let mut timed: Vec<(i64, Step)> = steps
            .into_iter()
            .map(|s| (self.at(s), s))
            .filter(|(at, _)| *at < end)
            .collect();
        timed.sort_by_key(|(at, _)| *at);
        timed
    }

    async fn domain(&self, who: &Holder) -> owned::OwnedDomain {
        owned::find(self.services.table.as_ref(), &who.customer.id, &who.domain)
            .await
            .unwrap()
            .unwrap()
    }

    async fn service_status(&self, who: &Holder) -> ServiceStatus {
        subscriptions::find(self.services.table.as_ref(), &who.customer.id, &who.service)
            .await
            .unwrap()
            .unwrap()
            .status
    }

    async fn invoice_of_period(&self, who: &Holder, from: &str) -> invoice::Invoice {
        invoice::of_customer(self.services.table.as_ref(), &who.customer.id, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|i| matches!(&i.about, InvoiceFor::Period { from: f, .. } if f == from))
            .unwrap_or_else(|| panic!("{}'s period {from} was invoiced", who.customer.name))
    }

    async fn renewal_invoice(&self, who: &Holder, expiry: i64) -> invoice::Invoice {
        let renewal = renewals::find(self.services.table.as_ref(), &who.domain, expiry)
            .await
            .unwrap()
            .expect("a renewal of that expiry");
        renewal.invoice(self.services.table.as_ref()).await.unwrap()
    }

    /// What the customers do on the day, before the tasks run.
    async fn act(&self, step: Step) {
        let services = &self.services;
        let bob = &self.bob.customer;
        match step {
            Step::Service { k: 11, off: -14 } => {
                payment_method::save(services, &bob.id, &card(DECLINED), "bob-declining")
                    .await
                    .unwrap();
            }
            Step::Service { k: 11, off: 8 } => self.bob_pays(11).await,
            Step::Domain { year, off: 10 } => {
                let quote = renewals::quote(services, &self.domain(&self.bob).await, 1)
                    .await
                    .unwrap();
                assert_eq!(
                    (quote.phase, quote.subtotal),
                    (DomainStatus::AutoRenewGrace, 1499)
                );
                renewals::renew(
                    services,
                    bob,
                    &self.bob.domain,
                    &format!("bob-renews-{year}"),
                    paying_with(APPROVED, 1),
                )
                .await
                .unwrap();
                if year == 1 {
                    self.bob_pays(12).await;
                    payment_method::save(services, &bob.id, &card(APPROVED), "bob-good-again")
                        .await
                        .unwrap();
                }
            }
            _ => {}
        }
    }

    /// Bob pays his suspended service's `k`-th period by hand, another card.
    async fn bob_pays(&self, k: usize) {
        let bill = self.invoice_of_period(&self.bob, &self.due(k)).await;
        let paid = pay::pay_invoice(
            &self.services,
            &self.bob.customer.id,
            &bill.number,
            PaymentSource::Card(card(APPROVED)),
        )
        .await
        .unwrap();
        assert_eq!(paid.status, InvoiceStatus::Paid);
    }

    /// What must be true once the day's tasks have run.
    async fn check(&self, step: Step) {
        match step {
            Step::Service { k, off } => self.check_service(k, off).await,
            Step::Domain { year, off } => self.check_domains(year, off).await,
        }
    }

    async fn check_service(&self, k: usize, off: i64) {
        let from = self.due(k);
        let seen = &self.seen;
        let bob_declines = DECLINING.contains(&k);
        for who in [&self.ada, &self.bob, &self.cy] {
            let email = &who.customer.email;
            let invoiced = seen.sent(email, MailKind::ServiceInvoice, &from);
            assert_eq!(invoiced, usize::from(off >= -14), "{from} {off}: {email}");
            if off < 0 {
                continue;
            }
            let bill = self.invoice_of_period(who, &from).await;
            let declines = std::ptr::eq(who, &self.bob) && bob_declines;
            let tries = [0, 3, 7].iter().filter(|&&d| d <= off).count();
            let receipt = |suffix: &str| {
                seen.sent(email, MailKind::ServiceReceipt, &format!("{from}-{suffix}"))
            };
            if !declines {
                assert_eq!(receipt("1"), 1, "{from} {off}: {email}");
                assert_eq!(bill.status, InvoiceStatus::Paid);
                assert_eq!(seen.captures_of(&bill.number), 1, "{from}: {email}");
                continue;
            }
            let failed_now = (1..=tries)
                .map(|n| {
                    seen.sent(
                        email,
                        MailKind::ServicePaymentFailed,
                        &format!("{from}-{n}"),
                    )
                })
                .sum::<usize>();
            assert_eq!(failed_now, tries, "{from} {off}: dunning day by day");
            let suspended = off >= 7 && !(k == 11 && off >= 8);
            assert_eq!(
                self.service_status(who).await,
                match suspended {
                    true => ServiceStatus::Suspended,
                    false => ServiceStatus::Active,
                },
                "{from} {off}"
            );
            let paid_by_hand = usize::from(k == 11 && off >= 8);
            assert_eq!(receipt("paid"), paid_by_hand, "{from} {off}");
            assert_eq!(seen.captures_of(&bill.number), paid_by_hand);
        }
    }

    async fn check_domains(&self, year: u32, off: i64) {
        let seen = &self.seen;
        let services = &self.services;
        let ada = &self.ada.customer.email;
        let expiry = self.expiry_in(year);
        let invoiced = seen.sent(ada, MailKind::RenewalInvoice, &expiry.to_string());
        assert_eq!(invoiced, usize::from(off >= -30), "{year} {off}");
        if off >= -1 {
            let bill = self.renewal_invoice(&self.ada, expiry).await;
            assert_eq!(bill.status, InvoiceStatus::Paid, "{year} {off}");
            assert_eq!(seen.captures_of(&bill.number), 1);
            let receipts = seen.sent(ada, MailKind::RenewalReceipt, &expiry.to_string());
            assert_eq!(receipts, 1);
            let now = self.domain(&self.ada).await;
            assert_eq!(now.expires_at, Some(add_years_secs(expiry, 1)));
            assert_eq!(now.status, OwnedStatus::Active);
            assert_eq!(
                registry_expiry(services, &self.ada.domain).await,
                add_years_secs(expiry, 1)
            );
        }
        let mut reminded = vec![&self.bob];
        if year == 1 {
            reminded.push(&self.cy);
        }
        for who in reminded {
            let email = &who.customer.email;
            let reminder = |which: &str| {
                seen.sent(
                    email,
                    MailKind::RenewalReminder,
                    &format!("{expiry}-{which}"),
                )
            };
            assert_eq!(reminder("30d"), usize::from(off >= -30), "{year} {off}");
            assert_eq!(reminder("7d"), usize::from(off >= -7), "{year} {off}");
            assert_eq!(reminder("expired"), usize::from(off >= 0), "{year} {off}");
            let status = self.domain(who).await.status;
            let bob_renewed = std::ptr::eq(who, &self.bob) && off >= 10;
            match (off, bob_renewed) {
                (_, true) => {
                    assert_eq!(status, OwnedStatus::Active, "renewed in grace");
                    let bill = self.renewal_invoice(who, expiry).await;
                    assert_eq!(bill.status, InvoiceStatus::Paid);
                    assert_eq!(seen.captures_of(&bill.number), 1);
                    let receipts = seen.sent(email, MailKind::RenewalReceipt, &expiry.to_string());
                    assert_eq!(receipts, 1);
                }
                (..0, _) => assert_eq!(status, OwnedStatus::Active, "{year} {off}"),
                // The sync runs once a day: today's may have run before the expiry.
                (0, _) => {}
                (1..80, _) => assert_eq!(status, OwnedStatus::Expired, "{year} {off}"),
                _ => assert_eq!(status, OwnedStatus::Deleted, "{year} {off}"),
            }
        }
        if year == 1 {
            self.check_release(off).await;
        }
    }

    /// Cy's domain, never renewed, through the registry's phases.
    async fn check_release(&self, off: i64) {
        let cy = self.domain(&self.cy).await;
        let quote = renewals::quote(&self.services, &cy, 1).await;
        match off {
            ..0 => {}
            0..45 => {
                let quote = quote.unwrap();
                assert_eq!(
                    (quote.phase, quote.subtotal),
                    (DomainStatus::AutoRenewGrace, 1499),
                    "day {off}"
                );
            }
            45..75 => {
                let quote = quote.unwrap();
                assert_eq!(
                    (quote.phase, quote.subtotal),
                    (DomainStatus::Redemption, 1499 + 8000),
                    "day {off}: the restore fee and a year"
                );
            }
            75..80 => assert!(
                matches!(
                    quote,
                    Err(RenewalError::NotRenewable {
                        code: "pending_delete",
                        ..
                    })
                ),
                "day {off}: {quote:?}"
            ),
            _ => assert!(quote.is_err(), "released: {quote:?}"),
        }
        let released = format!("domain:{}-notice-deleted-", self.cy.domain);
        let told = self
            .seen
            .mails
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.id.starts_with(&released))
            .count();
        assert_eq!(told, usize::from(off >= 80), "day {off}: told once");
    }
}

/// Runs every scheduled task twice at once, then once more, each round's
/// jobs worked off after it.
async fn run_every_task(services: &Services) {
    for times in [2, 1] {
        let tasks: Vec<Task> = Task::ALL
            .iter()
            .flat_map(|t| std::iter::repeat_n(*t, times))
            .collect();
        let outcomes = futures::future::join_all(tasks.iter().map(|t| t.run(services))).await;
        for (task, outcome) in tasks.iter().zip(outcomes) {
            if let Err(error) = outcome {
                panic!("{}: {error:#}", task.name());
            }
        }
        work_off_queue(services).await;
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
        let invoices = invoice::of_customer(story.services.table.as_ref(), &who.customer.id, 100)
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

async fn two_years_of_three_customers(clock: &ManualClock, plain: &Services) {
    let started = std::time::Instant::now();
    let seen = Arc::new(Recorder::default());
    let mut services = plain.clone();
    services.mailer = Arc::new(RecordingMailer(plain.mailer.clone(), seen.clone()));
    services.payments = Arc::new(RecordingGateway(plain.payments.clone(), seen.clone()));
    let mut holders = Vec::new();
    for (name, auto_renew) in [("ada", true), ("bob", false), ("cy", false)] {
        let (customer, domain) = live_domain(&services).await;
        owned::set_auto_renew(&services, &customer.id, &domain.name, auto_renew)
            .await
            .unwrap();
        payment_method::save(&services, &customer.id, &card(APPROVED), name)
            .await
            .unwrap();
        let service = first_service(&services, &customer.id).await;
        holders.push((customer, domain, service));
    }
    let expiry = registry_expiry(&services, &holders[0].1.name).await;
    for (_, domain, _) in &holders {
        let same = registry_expiry(&services, &domain.name).await;
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
        services,
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
        run_every_task(&story.services).await;
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
