//! An upgrade whose card's bank asks its holder to confirm the payment
//! (3-D Secure). The upgrade's invoice keeps the service's upgrade lease
//! while the holder is at the bank, for `BANK_SECS`, the lease recording
//! what the bank checks (`bank_check`), for which invoice (`bank_invoice`)
//! and its page; back in the portal, `confirmed_at_bank` asks the gateway
//! how it went: confirmed, the payment is captured and the service moved
//! exactly as a payment that needed no check (the same keys and the same
//! guarded write, so once however often it is asked); refused, the invoice
//! is voided as a decline. An upgrade left there past its time is ended by
//! the next upgrade of the service, or by the `resume-renewals` sweep
//! (`end_all_lapsed`), either letting go of the authorisation.

use super::charge::{capture_confirmed, not_taken};
use super::{Subscription, find, in_progress, lease_key};
use crate::CustomerId;
use crate::billing::declines::Paying;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::billing::lease::BANK_SECS;
use crate::payments::Authorized;
use crate::store::{
    Condition, Index, Item, ItemExt, Key, Pages, Query, SortKey, TableError, TxOp, Update,
};
use crate::subscriptions::addons::AddonError;
use crate::{Billing, Catalogs, Queueing, Settings, Storage};
use serde::Serialize;
use utoipa::ToSchema;

/// A service as an upgrade left it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Upgraded {
    #[serde(flatten)]
    pub service: Subscription,
    /// The card's bank asks its holder to confirm the payment (3-D Secure):
    /// their bank's page, which sends them back to the portal to confirm
    /// it (`POST /api/services/{id}/upgrade/confirm`). The service keeps
    /// its plan meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_action_url: Option<String>,
}

impl Upgraded {
    pub(super) fn done(service: Subscription) -> Upgraded {
        Upgraded {
            service,
            payment_action_url: None,
        }
    }
}

/// Where the holder's bank sends them back: the portal, which confirms.
pub(super) fn return_url(ports: &impl Settings, service_id: &str) -> String {
    format!(
        "{}/portal.html?confirmed_upgrade={service_id}",
        ports.config().public_url.trim_end_matches('/')
    )
}

/// Keeps `bill`'s lease while its holder is at the bank checking
/// `authorization_id`; returns the bank's page. Should the lease have
/// lapsed and gone to another upgrade meanwhile, this one ends: the
/// authorisation let go and the invoice voided.
pub(super) async fn wait(
    ports: &(impl Storage + Billing),
    service: &Subscription,
    bill: &Invoice,
    (authorization_id, url): (&str, &str),
) -> Result<String, AddonError> {
    let until = ports.clock().now_secs() + BANK_SECS;
    let update = Update::new()
        .set("bank_check", authorization_id)
        .set("bank_invoice", bill.number.clone())
        .set("payment_action_url", url)
        .set("lease_until", until)
        .set("customer_id", service.customer_id.as_str())
        // Filed for the sweep of the ones left there (`end_all_lapsed`).
        .set("gsi1pk", AT_BANK)
        .set("gsi1sk", format!("{until:012}#{}", service.id));
    let ours = Condition::eq("holder", bill.number.clone());
    let key = lease_key(&service.id);
    match ports.table().update(&key, update, Some(ours)).await {
        Ok(_) => Ok(url.to_string()),
        Err(TableError::ConditionFailed) => {
            end(ports, bill, authorization_id).await?;
            Err(in_progress())
        }
        Err(other) => Err(other.into()),
    }
}

/// Lets go of `authorization_id`, so that nothing of it can be captured
/// even should its holder confirm it later, and voids the invoice.
async fn end(
    ports: &(impl Storage + Billing),
    bill: &Invoice,
    authorization_id: &str,
) -> Result<(), TableError> {
    let key = format!("{}-void", bill.number);
    if let Err(error) = ports.payments().void(authorization_id, &key).await {
        tracing::warn!(invoice = %bill.number, %error, "could not let go of an upgrade left at the bank");
    }
    let void = crate::billing::void::void_op(ports.table(), bill, ports.clock().now()).await?;
    ports.table().transact(void).await
}

/// What the upgrade lease records of a payment sent to the bank.
struct SentToBank {
    invoice: String,
    authorization_id: String,
    /// The lease is still the invoice's.
    held: bool,
    /// Until when its holder may come back to it (epoch seconds).
    until: i64,
}

fn sent_to_bank(lease: &Item) -> Option<SentToBank> {
    let invoice = lease.str_attr("bank_invoice")?.to_string();
    Some(SentToBank {
        held: lease.str_attr("holder") == Some(invoice.as_str()),
        authorization_id: lease.str_attr("bank_check")?.to_string(),
        until: lease.i64_attr("lease_until").unwrap_or(0),
        invoice,
    })
}

fn nothing_to_confirm() -> AddonError {
    AddonError::Conflict {
        code: "nothing_to_confirm",
        message: "no upgrade of this service is waiting for your bank; upgrade it with a card"
            .into(),
    }
}

/// Finishes the upgrade of the customer's service its holder went to
/// confirm at their bank, once they are back: made when the bank confirmed
/// it (and answered so however often this is asked), declined when it did
/// not, and still waiting, with the bank's page, while they have not answered.
pub async fn confirmed_at_bank(
    ports: &(impl Storage + Settings + Billing + Catalogs + Queueing),
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<Upgraded, AddonError> {
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    let lease = ports.table().get(&lease_key(service_id)).await?;
    let sent = lease.as_ref().and_then(sent_to_bank);
    let Some(sent) = sent else {
        return Err(nothing_to_confirm());
    };
    let bill = invoice::find(ports.table(), customer_id, &sent.invoice)
        .await?
        .ok_or(AddonError::NotFound)?;
    let plan_id = match (&bill.status, &bill.about) {
        // Confirmed before: a replay, or a return at the same time, which
        // may have finished after the service was read: read it again.
        (InvoiceStatus::Paid, _) => {
            let now = find(ports.table(), customer_id, service_id).await?;
            return now.map(Upgraded::done).ok_or(AddonError::NotFound);
        }
        (InvoiceStatus::Open, InvoiceFor::Upgrade { plan_id, .. }) if sent.held => plan_id,
        _ => return Err(nothing_to_confirm()),
    };
    let paying = Paying::upgrade(service_id);
    match ports.payments().authenticated(&sent.authorization_id).await {
        Ok(Authorized::Held(held)) => {
            let upgrade = (&service, &bill, plan_id.as_str());
            capture_confirmed(ports, upgrade, &held.id, &paying).await?;
            let now = find(ports.table(), customer_id, service_id).await?;
            now.map(Upgraded::done).ok_or(AddonError::NotFound)
        }
        Ok(Authorized::Authenticate { url, .. }) => Ok(Upgraded {
            service,
            payment_action_url: Some(url),
        }),
        Err(error) => Err(not_taken(ports, &service, &bill, &paying, error).await),
    }
}

/// Ends an upgrade of the service left at the bank past its time, before
/// another is made: what the bank holds let go, its invoice voided, the
/// lease given up. Nothing when none waits there, or its time runs still.
pub(super) async fn end_lapsed(
    ports: &(impl Storage + Billing),
    service: &Subscription,
) -> Result<bool, TableError> {
    let key = lease_key(&service.id);
    let lease = ports.table().get(&key).await?;
    let Some(sent) = lease.as_ref().and_then(sent_to_bank) else {
        return Ok(false);
    };
    if !sent.held || sent.until >= ports.clock().now_secs() {
        return Ok(false);
    }
    let bill = invoice::find(ports.table(), &service.customer_id, &sent.invoice).await?;
    let Some(bill) = bill.filter(|b| b.status == InvoiceStatus::Open) else {
        return Ok(false);
    };
    let given_up = TxOp::Update {
        key,
        update: Update::new().remove("holder").remove("lease_until"),
        condition: Some(
            Condition::eq("holder", sent.invoice.clone())
                .and(Condition::eq("bank_check", sent.authorization_id.clone())),
        ),
    };
    match ports.table().transact(vec![given_up]).await {
        Ok(()) => end(ports, &bill, &sent.authorization_id)
            .await
            .map(|()| true),
        // Its holder, or another request, went on with it meanwhile.
        Err(TableError::TransactionConflict { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Where upgrades sent to the bank are filed, by until when, for the sweep.
const AT_BANK: &str = "UPGRADES#at_bank";

/// Ends every upgrade left at the bank past its time (`end_lapsed`), and
/// takes every lease whose time there is over out of the file; returns
/// how many it ended. Run by the `resume-renewals` sweep.
pub async fn end_all_lapsed(ports: &(impl Storage + Billing)) -> Result<usize, TableError> {
    let now = ports.clock().now_secs();
    let over = Query::index(Index::Gsi1, AT_BANK).sort(SortKey::Lt(format!("{now:012}")));
    let mut pages = Pages::new(over, 100);
    let mut ended = 0;
    while let Some(items) = pages.next(ports.table()).await? {
        for lease in &items {
            ended += usize::from(end_filed(ports, lease).await?);
        }
    }
    Ok(ended)
}

/// Ends the upgrade the filed `lease` was sent to the bank for, if it is
/// still there, then takes the lease out of the file.
async fn end_filed(ports: &(impl Storage + Billing), lease: &Item) -> Result<bool, TableError> {
    let key = Key::of(lease)?;
    let service_id = key.pk.trim_start_matches("SERVICE#").to_string();
    let customer_id = CustomerId::new(lease.str_attr("customer_id").unwrap_or_default());
    let mut ended = false;
    if let Some(service) = find(ports.table(), &customer_id, &service_id).await? {
        ended = end_lapsed(ports, &service).await?;
    }
    let unfiled = Update::new().remove("gsi1pk").remove("gsi1sk");
    let same = Condition::eq("gsi1sk", lease.str_attr("gsi1sk").unwrap_or_default());
    match ports.table().update(&key, unfiled, Some(same)).await {
        // Sent to the bank again meanwhile: filed anew.
        Ok(_) | Err(TableError::ConditionFailed) => Ok(ended),
        Err(other) => Err(other),
    }
}

/// True when an open upgrade invoice of the customer's waits for the
/// bank's check of `authorization_id`: whose check the simulated bank may
/// answer.
pub async fn awaits_check(
    ports: &impl Storage,
    customer_id: &CustomerId,
    authorization_id: &str,
) -> Result<bool, TableError> {
    let services = crate::subscriptions::of_customer(ports.table(), customer_id).await?;
    for service in &services {
        let lease = ports.table().get(&lease_key(&service.id)).await?;
        if let Some(sent) = lease.as_ref().and_then(sent_to_bank)
            && sent.held
            && sent.authorization_id == authorization_id
        {
            return Ok(true);
        }
    }
    Ok(false)
}
