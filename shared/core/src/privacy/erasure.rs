//! Erasing an account at its holder's request (GDPR article 17).
//!
//! It is refused while the customer still holds a domain here: a domain is
//! a registration at a registry in the customer's name, which a reseller
//! may neither delete behind its holder's back (the name would be lost to
//! anyone) nor keep without an account to renew it. The customer transfers
//! it out or lets it expire first. It is refused too while an order is
//! being paid, reviewed or set up, and while a client site we build or
//! look after for the customer is not cancelled (its services would go on
//! being billed to an account that no longer exists).
//!
//! Otherwise it runs in two parts. `begin` proves the password and, in one
//! transaction with its audit entry, ends every session and takes the
//! password away, so nobody logs in again. `finish` then does the rest, each
//! step safe to run again, and a job runs it again until it is done:
//! unpaid orders are cancelled, services cancelled now (their teardown is
//! the usual workflow), the saved card forgotten, and the profile
//! anonymised with its email marker freed. Invoices and credit notes stay
//! (tax law keeps them 10 years) with the buyer as each names them.

use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

pub use super::anonymise::placeholder_email;
use crate::accounts::{AccountError, Customer};
use crate::audit::Actor;
use crate::domains::owned::{self, OwnedStatus};
use crate::jobs::Job;
use crate::orders::OrderStatus;
use crate::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, TableError, TxOp, Update, all_items,
};
use crate::subscriptions::cancel::{self, Acting, CancelError, When};
use crate::subscriptions::{self, SubscriptionStatus};
use crate::{Billing, Catalogs, CustomerId, Hashing, Queueing, Sealing, Settings, Storage};

/// The words the customer types to confirm.
pub const CONFIRMATION: &str = "erase my account";

/// When the job that finishes an erasure runs, should the request not.
const FINISH_LATER: std::time::Duration = std::time::Duration::from_secs(120);

/// What stands in for every personal detail of an erased account.
pub const ERASED: &str = "erased";

/// A request to erase the account, proven by its password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureRequest {
    pub current_password: String,
    /// Exactly `erase my account`.
    #[serde(default)]
    pub confirm: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ErasureError {
    #[error(transparent)]
    Account(#[from] AccountError),
    /// Domains still registered to the customer here.
    #[error(
        "you still hold {}: transfer them to another registrar or let them expire, then ask again",
        .0.join(", ")
    )]
    DomainsHeld(Vec<String>),
    /// Client sites made for the customer, not cancelled.
    #[error(
        "we still look after your website {}: ask us to cancel it, then ask again",
        .0.join(", ")
    )]
    SitesKept(Vec<String>),
    /// Orders being paid, reviewed or set up.
    #[error("orders {} are under way; ask again once they are finished", .0.join(", "))]
    OrdersUnderWay(Vec<String>),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<CancelError> for ErasureError {
    fn from(error: CancelError) -> Self {
        match error {
            CancelError::Table(table) => table.into(),
            other => TableError::Backend(format!("a service would not cancel: {other}")).into(),
        }
    }
}

impl From<crate::orders::OrderError> for ErasureError {
    fn from(error: crate::orders::OrderError) -> Self {
        match error {
            crate::orders::OrderError::Table(table) => table.into(),
            other => TableError::Backend(format!("an order would not cancel: {other}")).into(),
        }
    }
}

/// Whether the erasure is complete, or left for its job to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Erased,
    Finishing,
}

/// The audit entry of a step of the erasure: what was done, never to whom
/// beyond the account's id.
pub(super) fn audit_op(
    ports: &impl Storage,
    customer_id: &CustomerId,
    action: &str,
    why: &str,
) -> TxOp {
    crate::accounts::settings::audit_op(ports, customer_id, action, (None, None), why)
}

pub(super) async fn partition_of(
    ports: &impl Storage,
    customer_id: &CustomerId,
    prefix: &str,
) -> Result<Vec<Item>, TableError> {
    let query = Query::partition(format!("CUSTOMER#{customer_id}"))
        .sort(SortKey::BeginsWith(prefix.into()));
    all_items(ports.table(), query).await
}

/// The business names of the client sites made for the customer and not
/// cancelled: their services would go on being billed to nobody. Read from
/// the index of every site (sites are few, and an erasure rare).
async fn sites_kept(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<Vec<String>, TableError> {
    let sites = all_items(ports.table(), Query::index(Index::Gsi1, "SITES")).await?;
    Ok(sites
        .iter()
        .filter(|site| site.str_attr("customer_id") == Some(customer_id.as_str()))
        .filter(|site| site.str_attr("status") != Some("cancelled"))
        .map(|site| {
            site.str_attr("business_name")
                .unwrap_or_default()
                .to_string()
        })
        .collect())
}

/// What keeps the account from being erased now, if anything.
async fn refusal(ports: &impl Storage, customer_id: &CustomerId) -> Result<(), ErasureError> {
    let held: Vec<String> = owned::of_customer(ports.table(), customer_id)
        .await?
        .into_iter()
        .filter(|d| {
            matches!(
                d.status,
                OwnedStatus::Active | OwnedStatus::TransferPending | OwnedStatus::Expired
            )
        })
        .map(|d| d.unicode)
        .collect();
    if !held.is_empty() {
        return Err(ErasureError::DomainsHeld(held));
    }
    let kept = sites_kept(ports, customer_id).await?;
    if !kept.is_empty() {
        return Err(ErasureError::SitesKept(kept));
    }
    let mut under_way = Vec::new();
    for item in partition_of(ports, customer_id, "ORDER#").await? {
        let status: Option<OrderStatus> =
            serde_json::from_value(item.get("status").cloned().unwrap_or(Value::Null)).ok();
        let paying = item.get("payment_pending").is_some_and(|p| !p.is_null());
        let busy = matches!(
            status,
            Some(OrderStatus::PendingReview | OrderStatus::Provisioning | OrderStatus::OnHold)
        );
        if busy || paying {
            under_way.push(item.str_attr("id").unwrap_or_default().to_string());
        }
    }
    if under_way.is_empty() {
        Ok(())
    } else {
        Err(ErasureError::OrdersUnderWay(under_way))
    }
}

/// Proves the request, ends every session and takes the password away,
/// then finishes the erasure (or leaves it to its job).
pub async fn erase(
    ports: &(impl Storage + Hashing + Settings + Sealing + Catalogs + Queueing + Billing),
    customer_id: &CustomerId,
    request: ErasureRequest,
) -> Result<Outcome, ErasureError> {
    if request.confirm.trim() != CONFIRMATION {
        return Err(crate::accounts::invalid(
            "confirmation_required",
            format!("type \"{CONFIRMATION}\" to confirm"),
        )
        .into());
    }
    let (profile, _) = crate::accounts::settings::profile(ports, customer_id).await?;
    crate::accounts::settings::prove_password(ports, &profile, &request.current_password).await?;
    refusal(ports, customer_id).await?;
    let now_ms = ports.clock().now_millis();
    let version = profile.i64_attr("v").unwrap_or(0);
    let ops = vec![
        TxOp::Update {
            key: crate::accounts::customer_key(customer_id),
            update: Update::new()
                .remove("password_hash")
                .set("sessions_after_ms", now_ms)
                .set("password_set_ms", now_ms)
                .set("erasure_started_ms", now_ms)
                .bump_version(),
            condition: Some(Condition::VersionIs(version)),
        },
        audit_op(
            ports,
            customer_id,
            "erasure_requested",
            "the customer asked for their account to be erased; every session ended",
        ),
    ];
    crate::accounts::settings::commit(ports, ops).await?;
    // Queued before the rest runs, so a stop now leaves it to the job;
    // late enough not to run beside this request.
    let job = Job::EraseAccount {
        customer_id: customer_id.clone(),
    };
    if let Err(error) = ports.queue().send(&job.body(), FINISH_LATER).await {
        tracing::error!(customer = %customer_id, %error, "could not queue an erasure's finishing");
    }
    match finish(ports, customer_id).await {
        Ok(()) => Ok(Outcome::Erased),
        Err(error) => {
            tracing::warn!(customer = %customer_id, %error, "erasure left to its job");
            Ok(Outcome::Finishing)
        }
    }
}

/// Does what is left of an erasure begun; a finished one is left alone.
pub async fn finish(
    ports: &(impl Storage + Settings + Sealing + Catalogs + Queueing + Billing),
    customer_id: &CustomerId,
) -> Result<(), ErasureError> {
    let Some(profile) = ports
        .table()
        .get(&crate::accounts::customer_key(customer_id))
        .await?
    else {
        return Ok(());
    };
    if profile.get("erased_at").is_some() || profile.get("erasure_started_ms").is_none() {
        return Ok(());
    }
    let customer = crate::accounts::customer_of(&profile)?;
    cancel_unpaid_orders(ports, &customer).await?;
    cancel_services(ports, customer_id).await?;
    forget_card(ports, customer_id).await?;
    super::anonymise::records(ports, customer_id).await?;
    super::anonymise::profile(ports, &profile, &customer).await
}

async fn cancel_unpaid_orders(
    ports: &(impl Storage + Settings + Sealing),
    customer: &Customer,
) -> Result<(), ErasureError> {
    for item in partition_of(ports, &customer.id, "ORDER#").await? {
        if item.get("status") != Some(&json!(OrderStatus::AwaitingPayment)) {
            continue;
        }
        let id = crate::OrderId::new(item.str_attr("id").unwrap_or_default());
        crate::orders::unpaid::cancel(ports, customer, &id).await?;
    }
    Ok(())
}

async fn cancel_services(
    ports: &(impl Storage + Catalogs + Queueing),
    customer_id: &CustomerId,
) -> Result<(), ErasureError> {
    for service in subscriptions::of_customer(ports.table(), customer_id).await? {
        let ended = service.ended_at.is_some() || service.status == SubscriptionStatus::Cancelled;
        let today = ports.clock().now().date().to_string();
        let cancelled_by_today = service.cancel_at.as_deref().is_some_and(|at| at <= &*today);
        if ended || cancelled_by_today {
            continue;
        }
        let by = Acting {
            actor: Actor::Customer(customer_id.clone()),
            client: None,
            role: None,
        };
        cancel::request(ports, by, customer_id, &service.id, When::Now).await?;
    }
    Ok(())
}

/// Forgets the saved card at the provider, then here with the lookup of
/// its token; a provider that cannot answer now is asked again by the job.
async fn forget_card(
    ports: &(impl Storage + Billing),
    customer_id: &CustomerId,
) -> Result<(), ErasureError> {
    let Some(card) = crate::billing::payment_method::find(ports.table(), customer_id).await? else {
        return Ok(());
    };
    ports
        .payments()
        .forget_card(&card.token)
        .await
        .map_err(|e| TableError::Backend(format!("the provider did not forget the card: {e}")))?;
    let delete = |key: Key| TxOp::Delete {
        key,
        condition: None,
    };
    ports
        .table()
        .transact(vec![
            delete(crate::billing::payment_method::key(customer_id)),
            delete(crate::billing::card_updater::lookup_key(&card.token)),
        ])
        .await?;
    Ok(())
}
