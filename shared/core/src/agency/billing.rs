//! The recurring billing of tracked client services, in the daily billing
//! run. A tracked service (no `provisioned` record: those are billed by
//! their own record) that is active, renews by itself and is billed
//! monthly or yearly is invoiced to its site's customer for its next period
//! within the renewal lead time before its last day (`expires_on`); the
//! invoice renews it, so issuing it moves `expires_on` to the period's last
//! day, in the same write. The customer pays the invoice as agreed (it is
//! listed with their invoices); what was invoiced is never invoiced again.
//!
//! Once per service and period: a marker `CLIENTSERVICE#<id>` /
//! `INVOICED#<first day>` written with the invoice, create-only, and the
//! service's move guarded by the last day it was read with, so runs that
//! overlap or retry make one invoice. A site without a customer is told to
//! staff instead, once per period (`NOTINVOICED#<first day>`, an audit
//! entry). Reminders and the expiry of services left past their last day
//! are `upkeep`'s; one that renews by itself and has a customer is still
//! invoiced up to the lead time past its last day (a service started today
//! is paid up to yesterday, and a run missed for days catches up).

use std::collections::HashMap;

use serde_json::json;
use time::Date;

use super::services::{self, BillingPeriod, ClientService, ServiceStatus};
use super::site::{self, HostedSite};
use super::{AgencyError, upkeep};
use crate::audit::{Actor, AuditEntry};
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceLine};
use crate::billing::terms::Terms;
use crate::clock::{add_months, mail_day};
use crate::mail::{self, MailKind};
use crate::store::{Condition, Key, Pages, SortKey, Tx, TxError, TxOp, Update};
use crate::{Catalogs, CustomerId, Mailing, Settings, Storage};

/// Tries at claiming the next invoice number before leaving it to the next run.
const NUMBER_ATTEMPTS: usize = 20;

/// What one run did for tracked client services.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClientBilling {
    pub invoiced: usize,
    pub reminded: usize,
    pub expired: usize,
    /// Due, but their site has no customer: told to staff.
    pub without_customer: usize,
}

/// A day written `YYYY-MM-DD`.
pub(super) fn date(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// The last day of the period after one that ends on `last`: a month or a
/// year on, and a period that ends on a month's last day ends the next one
/// on its month's last day too (31 January, 29 February, 31 March; 29
/// February 2028, 28 February 2029).
pub fn next_last_day(last: Date, period: BillingPeriod) -> Option<Date> {
    let months = match period {
        BillingPeriod::Monthly => 1,
        BillingPeriod::Annual => 12,
        BillingPeriod::OneTime => return None,
    };
    let month_end = last.day() == last.month().length(last.year());
    let next = add_months(last, months);
    Some(match month_end {
        true => next
            .replace_day(next.month().length(next.year()))
            .unwrap_or(next),
        false => next,
    })
}

/// Invoices, reminds and expires the tracked services whose last day is
/// near or past.
pub async fn run(
    ports: &(impl Storage + Settings + Mailing + Catalogs),
) -> Result<ClientBilling, AgencyError> {
    let mut run = ClientBilling::default();
    let today = ports.clock().now().date();
    let lead = ports.config().service_renewal_lead_days;
    let horizon = today + time::Duration::days(lead.max(upkeep::REMIND_DAYS));
    let near = services::by_expiry().sort(SortKey::Le(format!("{horizon}#~")));
    let mut sites: HashMap<String, Option<HostedSite>> = HashMap::new();
    // An invoiced service moves on in the index: met again, it is done.
    let mut seen = std::collections::HashSet::new();
    let mut pages = Pages::new(near, 100);
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let service = services::service_of(item)?;
            let tracked = service.provisioned.is_none()
                && service.status == ServiceStatus::Active
                && service.period != BillingPeriod::OneTime;
            let Some(last) = service.expires_on.as_deref().and_then(date) else {
                continue;
            };
            if !tracked || !seen.insert(service.id.clone()) {
                continue;
            }
            // Within the lead time past its last day, a service that renews
            // by itself is still invoiced (one started today was paid up to
            // yesterday; a run missed for days catches up); else it ends.
            let late = last < today;
            if late && (!service.auto_renew || last + time::Duration::days(lead) < today) {
                run.expired += usize::from(upkeep::expire(ports, &service).await?);
                continue;
            }
            if !sites.contains_key(&service.site_id) {
                let found = site::find(ports, &service.site_id).await?;
                sites.insert(service.site_id.clone(), found);
            }
            let Some(Some(site)) = sites.get(&service.site_id) else {
                continue;
            };
            if late && site.customer_id.is_none() {
                run.expired += usize::from(upkeep::expire(ports, &service).await?);
                continue;
            }
            let due = last <= today + time::Duration::days(lead);
            match (&site.customer_id, due && service.auto_renew) {
                (None, true) => {
                    run.without_customer += usize::from(tell_staff(ports, &service, last).await?)
                }
                (Some(customer), true) => {
                    let customer = CustomerId::new(customer.as_str());
                    run.invoiced +=
                        usize::from(invoice(ports, site, &service, (&customer, last)).await?);
                }
                (Some(customer), false) => {
                    let customer = CustomerId::new(customer.as_str());
                    run.reminded += usize::from(
                        upkeep::remind(ports, site, &service, (&customer, last)).await?,
                    );
                }
                (None, false) => {}
            }
        }
    }
    Ok(run)
}

/// The mark `what` (`INVOICED`, `NOTINVOICED`) of the period of the
/// service `service_id` that starts on `from`.
pub(super) fn marker(service_id: &str, what: &str, from: impl std::fmt::Display) -> Key {
    Key::new(
        format!("CLIENTSERVICE#{service_id}"),
        format!("{what}#{from}"),
    )
}

/// Why an invoice was not made.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// This period was invoiced, or the service moved meanwhile.
    Done,
    CounterMoved,
}

/// Invoices the period after `last` to `customer`, unless it was; true
/// when this call made the invoice.
async fn invoice(
    ports: &(impl Storage + Settings + Mailing + Catalogs),
    site: &HostedSite,
    service: &ClientService,
    (customer, last): (&CustomerId, Date),
) -> Result<bool, AgencyError> {
    let Some(to) = next_last_day(last, service.period) else {
        return Ok(false);
    };
    let from = last + time::Duration::days(1);
    let owner = crate::accounts::load_customer(ports.table(), customer).await?;
    let terms = Terms::for_sale(ports, &owner).await?;
    for _ in 0..NUMBER_ATTEMPTS {
        let mut bill = period_bill(ports, (site, service), customer, (from, to), &terms);
        let (sequence, claim) = invoice::claim_number(ports.table(), &mut bill).await?;
        let notice = invoice_mail(ports, (site, service), &owner, &bill, (from, to)).await?;
        let mut tx = Tx::new();
        tx.guard(
            Refusal::Done,
            TxOp::Put {
                item: marker(&service.id, "INVOICED", from).to_item(),
                condition: Some(Condition::NotExists),
            },
        )
        .guard(Refusal::Done, renewed_op(site, service, last, to))
        .guard(Refusal::CounterMoved, claim)
        .push(bill.put_op(sequence))
        .push(notice.put_op(ports.clock().now_secs()));
        match tx.commit(ports.table()).await {
            Ok(()) => {
                mail::deliver(ports, &notice).await;
                return Ok(true);
            }
            Err(TxError::Refused(Refusal::Done)) => return Ok(false),
            Err(TxError::Refused(Refusal::CounterMoved)) => {}
            Err(TxError::Table(error)) => return Err(error.into()),
        }
    }
    Ok(false)
}

/// The service renewed to `to`, as long as it is active and still ends on `last`.
fn renewed_op(site: &HostedSite, service: &ClientService, last: Date, to: Date) -> TxOp {
    let renewed = services::reindexed(Update::new(), Some(&to.to_string()), &service.id)
        .set("expires_on", to.to_string())
        .bump_version();
    TxOp::Update {
        key: services::key(&site.id, &service.id),
        update: renewed,
        condition: Some(
            Condition::eq("status", json!(ServiceStatus::Active))
                .and(Condition::eq("expires_on", json!(last.to_string()))),
        ),
    }
}

/// The invoice of the service's period `from` to `to`, yet unnumbered.
fn period_bill(
    ports: &impl Storage,
    (site, service): (&HostedSite, &ClientService),
    customer: &CustomerId,
    (from, to): (Date, Date),
    terms: &Terms,
) -> Invoice {
    let line = InvoiceLine::new(
        format!("{} ({}), {from} to {to}", service.name, site.business_name),
        service.price,
    )
    .over(from, to);
    let about = InvoiceFor::ClientService {
        site_id: site.id.clone(),
        service_id: service.id.clone(),
        from: from.to_string(),
        to: to.to_string(),
    };
    let issued_at = crate::clock::rfc3339(ports.clock().now());
    Invoice::new(
        customer,
        about,
        issued_at,
        &service.currency,
        vec![line],
        terms,
    )
}

/// The invoice's mail to the customer, once per period.
async fn invoice_mail(
    ports: &(impl Storage + Settings),
    (site, service): (&HostedSite, &ClientService),
    owner: &crate::accounts::Customer,
    bill: &Invoice,
    (from, to): (Date, Date),
) -> Result<crate::mail::Mail, AgencyError> {
    let mut letter = crate::billing::letter::with_invoice(
        upkeep::letter(ports, site, service, &owner.name),
        bill,
    );
    letter.action = format!(
        "Your invoice for {} of {}, {} to {}: it renews the service for that period. Pay it in your account with a card, from its invoices.",
        service.name,
        site.business_name,
        mail_day(from),
        mail_day(to)
    );
    Ok(crate::billing::letter::mail(
        ports,
        MailKind::ServiceInvoice,
        (&owner.email, &letter),
        &format!("client_service:{}", service.id),
        &from.to_string(),
    )
    .await?)
}

/// Tells staff, once per period, that the service is due but its site has
/// no customer to invoice; true the first time.
async fn tell_staff(
    ports: &impl Storage,
    service: &ClientService,
    last: Date,
) -> Result<bool, AgencyError> {
    let from = last + time::Duration::days(1);
    let mut tx = Tx::new();
    tx.guard(
        (),
        TxOp::Put {
            item: marker(&service.id, "NOTINVOICED", from).to_item(),
            condition: Some(Condition::NotExists),
        },
    )
    .push(
        AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: Actor::system("client-billing"),
            subject: format!("client_service:{}", service.id),
            customer_id: None,
            action: "not_invoiced".into(),
            from: None,
            to: None,
            why: format!(
                "its site has no customer to invoice: the period from {from} was not invoiced"
            ),
            client: None,
            role: None,
        }
        .put_op(),
    );
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(true),
        Err(TxError::Refused(())) => Ok(false),
        Err(TxError::Table(error)) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn periods_keep_to_month_ends_and_leap_days() {
        let monthly = |d| next_last_day(d, BillingPeriod::Monthly).unwrap();
        let annual = |d| next_last_day(d, BillingPeriod::Annual).unwrap();
        assert_eq!(monthly(date!(2028 - 01 - 31)), date!(2028 - 02 - 29));
        assert_eq!(monthly(date!(2028 - 02 - 29)), date!(2028 - 03 - 31));
        assert_eq!(monthly(date!(2027 - 01 - 31)), date!(2027 - 02 - 28));
        assert_eq!(monthly(date!(2027 - 01 - 15)), date!(2027 - 02 - 15));
        assert_eq!(annual(date!(2028 - 02 - 29)), date!(2029 - 02 - 28));
        assert_eq!(annual(date!(2029 - 02 - 28)), date!(2030 - 02 - 28));
        assert_eq!(annual(date!(2031 - 02 - 28)), date!(2032 - 02 - 29));
        assert_eq!(
            next_last_day(date!(2028 - 01 - 31), BillingPeriod::OneTime),
            None
        );
    }
}
