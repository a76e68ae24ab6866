//! A tracked client service's period paid by hand (`invoice_payments`
//! makes the payment). The billing run issued its invoice and renewed the
//! service to the period's last day as it did (`billing`); paying it marks
//! the invoice paid with its capture and records the payment on the
//! period's mark (`CLIENTSERVICE#<id>` / `INVOICED#<first day>` gets
//! `invoice_number`, `capture_id`, `paid_at`), once, with a receipt.
//!
//! Nothing suspends or expires a service for an unpaid invoice by itself;
//! staff may, by hand. Paid, such a service is active again when the
//! period paid still runs, nothing else of it is owed, and it does not
//! follow its site (suspended with it, or its site suspended or
//! cancelled): an expired one runs to the period's last day, in the audit
//! log as the customer's move. A period that is over is settled, and the
//! service stays as it is: an old invoice paid buys no new period. A
//! cancelled service's invoice is not paid here (`service_ended`).
//!
//! One payment at a time per invoice: a `billing::lease` at
//! `CLIENTSERVICE#<id>` / `PAYING#<first day>`.

use super::billing::{date, marker};
use super::services::{self, ClientService, ServiceStatus, reindexed};
use super::site::{self, HostedSite, SiteStatus};
use super::{AgencyError, upkeep};
use crate::audit::Actor;
use crate::billing::by_hand::PayError;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::billing::void::unless_voided;
use crate::clock::{mail_day_text, rfc3339};
use crate::lifecycle::{Change, Status, Subject};
use crate::mail::{self, Mail, MailKind};
use crate::store::{Condition, ItemExt, Key, TableError, Tx, TxError, TxOp, Update};
use crate::{Mailing, Settings, Storage};

/// The client service's period an open invoice is for, as read.
#[derive(Debug, Clone)]
pub struct OwedClientPeriod {
    pub site: HostedSite,
    pub service: ClientService,
    pub from: String,
    pub to: String,
}

/// Why the payment's record was not written.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// Paid by a request that held the lease before this one's lapsed.
    Paid,
    /// Voided while the card was charged.
    Voided,
    /// The service moved meanwhile.
    Moved,
}

/// How many times the payment's record is tried against a service moving meanwhile.
const TRIES: usize = 3;

impl From<AgencyError> for PayError {
    fn from(error: AgencyError) -> Self {
        match error {
            AgencyError::Table(error) => PayError::Table(error),
            other => PayError::Table(TableError::Backend(other.to_string())),
        }
    }
}

/// The payment lease of the period of `service_id` that starts on `from`.
pub fn paying_key(service_id: &str, from: &str) -> Key {
    Key::new(
        format!("CLIENTSERVICE#{service_id}"),
        format!("PAYING#{from}"),
    )
}

/// The client service's period the open invoice `number` is for: `about`
/// is the invoice's `ClientService`. Refused once the service is cancelled.
pub async fn owed(
    ports: &impl Storage,
    number: &str,
    (site_id, service_id, from, to): (&str, &str, &str, &str),
) -> Result<OwedClientPeriod, PayError> {
    let site = site::find(ports, site_id).await?;
    let service = services::find(ports, site_id, service_id).await?;
    let (Some(site), Some(service)) = (site, service) else {
        return Err(cancelled(number));
    };
    if service.status == ServiceStatus::Cancelled || site.status == SiteStatus::Cancelled {
        return Err(cancelled(number));
    }
    Ok(OwedClientPeriod {
        site,
        service,
        from: from.into(),
        to: to.into(),
    })
}

/// True when the client service `service_id` of `site_id`, or its site,
/// was cancelled (or is gone): what it left open was voided with it.
pub async fn ended(
    ports: &impl Storage,
    site_id: &str,
    service_id: &str,
) -> Result<bool, TableError> {
    let read = |error: AgencyError| match error {
        AgencyError::Table(error) => error,
        other => TableError::Backend(other.to_string()),
    };
    let site = site::find(ports, site_id).await.map_err(read)?;
    let service = services::find(ports, site_id, service_id)
        .await
        .map_err(read)?;
    Ok(match (site, service) {
        (Some(site), Some(service)) => {
            site.status == SiteStatus::Cancelled || service.status == ServiceStatus::Cancelled
        }
        _ => true,
    })
}

fn cancelled(number: &str) -> PayError {
    PayError::Conflict {
        code: "service_ended",
        message: format!(
            "the service of invoice {number} was cancelled: it is not paid here; reply to its mail to settle it"
        ),
    }
}

impl OwedClientPeriod {
    pub fn lease_key(&self) -> Key {
        paying_key(&self.service.id, &self.from)
    }

    /// Records the payment: the invoice paid with `capture_id`, the
    /// period's mark, the service back if it may come back, a receipt.
    /// The invoice's lease ends with it. A capture that cannot be recorded
    /// (the invoice voided, or paid by another capture meanwhile) is
    /// given back.
    pub async fn settle(
        &self,
        ports: &(impl Storage + Settings + Mailing + crate::Billing),
        bill: &Invoice,
        capture_id: &str,
    ) -> Result<(), PayError> {
        let mut now = self.clone();
        for _ in 0..TRIES {
            let (tx, receipt) = now.record(ports, bill, capture_id).await?;
            match tx.commit(ports.table()).await {
                Ok(()) => {
                    mail::deliver(ports, &receipt).await;
                    return Ok(());
                }
                Err(TxError::Refused(Refusal::Paid)) => {
                    return self.paid_before(ports, bill, capture_id).await;
                }
                Err(TxError::Refused(Refusal::Voided)) => {
                    give_back(ports, bill, capture_id, "voided").await?;
                    return Err(PayError::Conflict {
                        code: "not_payable",
                        message: format!(
                            "invoice {} was voided meanwhile: the payment was given back",
                            bill.number
                        ),
                    });
                }
                Err(TxError::Refused(Refusal::Moved)) => now = now.reread(ports).await?,
                Err(TxError::Table(error)) => return Err(error.into()),
            }
        }
        Err(PayError::busy())
    }

    /// The payment's writes, and its receipt.
    async fn record(
        &self,
        ports: &(impl Storage + Settings),
        bill: &Invoice,
        capture_id: &str,
    ) -> Result<(Tx<Refusal>, Mail), PayError> {
        let now = ports.clock().now();
        let back = self.comes_back(ports, bill).await?;
        let mut tx = Tx::new();
        tx.guard(Refusal::Paid, self.paid_op(bill, capture_id, &rfc3339(now)))
            .guard(
                Refusal::Voided,
                unless_voided(bill.paid_op(&rfc3339(now), Some(capture_id))),
            )
            .push(TxOp::Delete {
                key: self.lease_key(),
                condition: None,
            });
        let brought_back = back.is_some();
        if let Some(change) = back {
            change
                .add_to(&mut tx, Refusal::Moved, now)
                .map_err(|e| PayError::Table(TableError::Backend(e.to_string())))?;
        }
        let receipt = self.receipt(ports, bill, brought_back).await?;
        tx.push(receipt.put_op(now.unix_timestamp()));
        Ok((tx, receipt))
    }

    /// The period's mark, written with its invoice.
    fn mark_key(&self) -> Key {
        marker(&self.service.id, "INVOICED", &self.from)
    }

    /// The period recorded paid by a request that held the lease before
    /// this one's lapsed: with this very capture, the attempt's gateway
    /// keys being the same; should it be another, this one is given back.
    async fn paid_before(
        &self,
        ports: &(impl Storage + crate::Billing),
        bill: &Invoice,
        capture_id: &str,
    ) -> Result<(), PayError> {
        let mark = ports.table().get(&self.mark_key()).await?;
        if mark.as_ref().and_then(|m| m.str_attr("capture_id")) != Some(capture_id) {
            give_back(ports, bill, capture_id, "twice").await?;
        }
        Ok(())
    }

    /// The period's mark paid, once.
    fn paid_op(&self, bill: &Invoice, capture_id: &str, at: &str) -> TxOp {
        TxOp::Update {
            key: self.mark_key(),
            update: Update::new()
                .set("invoice_number", bill.number.as_str())
                .set("capture_id", capture_id)
                .set("paid_at", at),
            condition: Some(Condition::AttributeNotExists("capture_id".into())),
        }
    }

    /// The service's move back to active that the payment brings, if any.
    async fn comes_back(
        &self,
        ports: &impl Storage,
        bill: &Invoice,
    ) -> Result<Option<Change<ServiceStatus>>, PayError> {
        let service = &self.service;
        let update = match service.status {
            ServiceStatus::Suspended if !service.suspended_with_site => Update::new(),
            ServiceStatus::Expired => {
                let current = service.expires_on.clone().unwrap_or_default();
                let last = current.max(self.to.clone());
                reindexed(Update::new(), Some(&last), &service.id).set("expires_on", last)
            }
            _ => return Ok(None),
        };
        let today = ports.clock().now().date();
        let still_runs = date(&self.to).is_some_and(|to| to >= today);
        // A site suspended holds its services: they come back with it.
        if !still_runs || self.site.status == SiteStatus::Suspended {
            return Ok(None);
        }
        if owes_more(ports, bill, &service.id).await? {
            return Ok(None);
        }
        Ok(Some(Change {
            subject: Subject {
                key: services::key(&service.site_id, &service.id),
                id: service.id.clone(),
                customer_id: Some(bill.customer_id.clone()),
            },
            from: service.status,
            to: ServiceStatus::Active,
            update: update.set("suspended_with_site", false),
            actor: Actor::Customer(bill.customer_id.clone()),
            why: format!("invoice {} paid", bill.number),
            unchanged_since: Some(service.v),
            client: None,
            role: None,
            also: Vec::new(),
        }))
    }

    /// The receipt, once per period.
    async fn receipt(
        &self,
        ports: &(impl Storage + Settings),
        bill: &Invoice,
        brought_back: bool,
    ) -> Result<Mail, PayError> {
        let owner = crate::accounts::load_customer(ports.table(), &bill.customer_id).await?;
        let letter = upkeep::letter(ports, &self.site, &self.service, &owner.name);
        let mut letter = crate::billing::letter::with_invoice(letter, bill);
        letter.paid = true;
        letter.action = self.receipt_action(brought_back);
        let subject = format!("client_service:{}", self.service.id);
        let occasion = format!("{}-paid", self.from);
        let to = (owner.email.as_str(), &letter);
        Ok(
            crate::billing::letter::mail(ports, MailKind::ServiceReceipt, to, &subject, &occasion)
                .await?,
        )
    }

    /// What the receipt says: what was paid, and where the service stands.
    fn receipt_action(&self, brought_back: bool) -> String {
        let (service, site) = (&self.service, &self.site);
        let paid = format!(
            "Thank you: {} of {} is paid for {} to {}.",
            service.name,
            site.business_name,
            mail_day_text(&self.from),
            mail_day_text(&self.to)
        );
        match (brought_back, service.status) {
            (true, _) => format!("{paid} It is running again."),
            (false, ServiceStatus::Active) => paid,
            (false, status) => format!(
                "{paid} It is still {}: reply to this mail if you want it back.",
                status.as_str()
            ),
        }
    }

    /// The service and its site as they are now.
    async fn reread(&self, ports: &impl Storage) -> Result<OwedClientPeriod, PayError> {
        let site = site::find(ports, &self.site.id).await?;
        let service = services::find(ports, &self.site.id, &self.service.id).await?;
        match (site, service) {
            (Some(site), Some(service)) => Ok(OwedClientPeriod {
                site,
                service,
                ..self.clone()
            }),
            _ => Err(PayError::NotFound),
        }
    }
}

/// True when another open invoice of the customer's is for the service.
async fn owes_more(
    ports: &impl Storage,
    paid: &Invoice,
    service_id: &str,
) -> Result<bool, TableError> {
    let bills = invoice::of_customer(ports.table(), &paid.customer_id, 100).await?;
    Ok(bills.iter().any(|bill| {
        bill.number != paid.number
            && bill.status == InvoiceStatus::Open
            && matches!(&bill.about, InvoiceFor::ClientService { service_id: id, .. } if id == service_id)
    }))
}

/// Gives `capture_id` back in full: it paid nothing that is owed (`why`
/// names the race it lost, and its refund's gateway key).
async fn give_back(
    ports: &impl crate::Billing,
    bill: &Invoice,
    capture_id: &str,
    why: &str,
) -> Result<(), PayError> {
    let key = format!("{}-{why}-refund", bill.number);
    match ports.payments().refund(capture_id, bill.total, &key).await {
        Ok(_) => Ok(()),
        Err(error) => {
            tracing::error!(invoice = %bill.number, %error, why, "a capture that paid nothing owed; the refund did not go through");
            Err(PayError::Unavailable(format!(
                "the refund did not go through: {error}"
            )))
        }
    }
}
