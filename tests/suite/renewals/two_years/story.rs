//! The story's steps: what each customer does on a day, and what must hold
//! after it.

use super::{
    DECLINING, DOMAIN_DAYS, DUNNING_DAYS, Holder, RELEASE_DAYS, SERVICE_DAYS, Step, Story,
};
use crate::renewals::services::{card, midnight};
use crate::renewals::{DAY, paying_with, registry_expiry};
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{add_months, add_years_secs};
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::invoice_payments as pay;
use hostfront::mail::MailKind;
use hostfront::payments::PaymentSource;
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, RenewalError};
use hostfront::subscriptions::{self, SubscriptionStatus};

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
    pub(super) fn steps(&self) -> Vec<(i64, Step)> {
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
        owned::find(self.ports.table.as_ref(), &who.customer.id, &who.domain)
            .await
            .unwrap()
            .unwrap()
    }

    async fn service_status(&self, who: &Holder) -> SubscriptionStatus {
        subscriptions::find(self.ports.table.as_ref(), &who.customer.id, &who.service)
            .await
            .unwrap()
            .unwrap()
            .status
    }

    async fn invoice_of_period(&self, who: &Holder, from: &str) -> invoice::Invoice {
        invoice::of_customer(self.ports.table.as_ref(), &who.customer.id, 100)
            .await
            .unwrap()
            .into_iter()
            .find(|i| matches!(&i.about, InvoiceFor::Period { from: f, .. } if f == from))
            .unwrap_or_else(|| panic!("{}'s period {from} was invoiced", who.customer.name))
    }

    async fn renewal_invoice(&self, who: &Holder, expiry: i64) -> invoice::Invoice {
        let renewal = renewals::find(self.ports.table.as_ref(), &who.domain, expiry)
            .await
            .unwrap()
            .expect("a renewal of that expiry");
        renewal.invoice(self.ports.table.as_ref()).await.unwrap()
    }

    /// What the customers do on the day, before the tasks run.
    pub(super) async fn act(&self, step: Step) {
        let ports = &self.ports;
        let bob = &self.bob.customer;
        match step {
            Step::Service { k: 11, off: -14 } => {
                payment_method::save(ports, &bob.id, &card(DECLINED), "bob-declining")
                    .await
                    .unwrap();
            }
            Step::Service { k: 11, off: 8 } => self.bob_pays(11).await,
            Step::Domain { year, off: 10 } => {
                let quote = renewals::quote(ports, &self.domain(&self.bob).await, 1)
                    .await
                    .unwrap();
                assert_eq!(
                    (quote.phase, quote.subtotal),
                    (DomainStatus::AutoRenewGrace, 1499)
                );
                renewals::renew(
                    ports,
                    bob,
                    &self.bob.domain,
                    &format!("bob-renews-{year}"),
                    paying_with(APPROVED, 1),
                )
                .await
                .unwrap();
                if year == 1 {
                    self.bob_pays(12).await;
                    payment_method::save(ports, &bob.id, &card(APPROVED), "bob-good-again")
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
            &self.ports,
            &self.bob.customer.id,
            &bill.number,
            PaymentSource::Method(card(APPROVED)),
        )
        .await
        .unwrap();
        assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
    }

    /// What must be true once the day's tasks have run.
    pub(super) async fn check(&self, step: Step) {
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
                    true => SubscriptionStatus::Suspended,
                    false => SubscriptionStatus::Active,
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
        let ports = &self.ports;
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
                registry_expiry(ports, &self.ada.domain).await,
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
        let quote = renewals::quote(&self.ports, &cy, 1).await;
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
