//! The client services register: what each client site has, of five
//! kinds, billed monthly, yearly or once. Services Hostfront provisions
//! name their own record (`provisioned`); the others (a maintenance
//! contract, a certificate or a domain bought elsewhere) are tracked here
//! with their price and expiry. Each service has its own lifecycle, and
//! follows its site's suspension, reactivation and cancellation.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::service_input::checked;
use super::site::{self, HostedSite, SiteStatus};
use super::{AgencyError, moved_on};
use crate::Storage;
use crate::lifecycle::Status;
use crate::money::Currency;
use crate::store::{
    Condition, Index, Item, Key, Query, SortKey, TableResult, Tx, TxError, Update, record_item,
    record_of,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceType {
    Domain,
    Email,
    Ssl,
    Hosting,
    WebsiteMaintenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BillingPeriod {
    Monthly,
    Annual,
    OneTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    Pending,
    Active,
    Suspended,
    Expired,
    Cancelled,
}

use ServiceStatus::*;

impl Status for ServiceStatus {
    const RECORD: &'static str = "client_service";
    const NOUN: &'static str = "a client service";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
        (Pending, Active, "activated"),
        (Active, Suspended, "suspended"),
        (Suspended, Active, "reactivated"),
        (Active, Expired, "expired"),
        (Expired, Active, "renewed"),
        (Pending, Cancelled, "cancelled"),
        (Active, Cancelled, "cancelled"),
        (Suspended, Cancelled, "cancelled"),
        (Expired, Cancelled, "cancelled"),
    ];
}

/// A service of a client site.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientService {
    pub id: String,
    pub site_id: String,
    pub service_type: ServiceType,
    /// What it is, in words: `boulangerie-parc.lu`, `5 mailboxes`.
    pub name: String,
    pub status: ServiceStatus,
    pub period: BillingPeriod,
    /// Per period, in minor units of `currency`.
    pub price: i64,
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    /// The last day it is paid for (`YYYY-MM-DD`); none for one paid once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_on: Option<String>,
    #[serde(default)]
    pub auto_renew: bool,
    #[serde(default)]
    pub notes: String,
    /// Where it is held, when elsewhere: the registrar of a domain, the
    /// issuer of a certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The record of Hostfront's own that provides it, when Hostfront does
    /// (`subscription:<id>`, `domain:<name>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisioned: Option<String>,
    /// Suspended because its site was: reactivating the site brings it back.
    #[serde(default)]
    pub suspended_with_site: bool,
    pub created_at: String,
    #[serde(default)]
    pub v: i64,
}

/// A service to add to a site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub service_type: ServiceType,
    /// 1 to 120 characters.
    pub name: String,
    pub period: BillingPeriod,
    /// Per period, in minor units: 0 to 100,000,000.
    #[serde(deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub price: i64,
    #[schema(value_type = String, example = "EUR")]
    pub currency: String,
    /// `YYYY-MM-DD`; required unless billed once.
    #[serde(default)]
    pub expires_on: Option<String>,
    #[serde(default)]
    pub auto_renew: bool,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub provider: Option<String>,
    /// Starts active (the default) or pending.
    #[serde(default)]
    pub pending: bool,
}

/// A move of a service along its lifecycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceMove {
    pub to: ServiceStatus,
    /// 1 to 500 characters, for the audit log.
    pub why: String,
    /// Renewing an expired one: its new last day (`YYYY-MM-DD`).
    #[serde(default)]
    pub expires_on: Option<String>,
    pub v: i64,
}

/// The most services one site holds: a site's move and its services'
/// moves are one transaction.
pub const MOST_PER_SITE: usize = 40;

pub(super) fn key(site_id: &str, id: &str) -> Key {
    Key::new(format!("SITE#{site_id}"), format!("SERVICE#{id}"))
}

/// Every service of every site, by expiry (those without one last).
pub(super) fn by_expiry() -> Query {
    Query::index(Index::Gsi1, "CLIENTSERVICES")
}

fn expiry_order(expires_on: Option<&str>, id: &str) -> String {
    format!("{}#{id}", expires_on.unwrap_or("9999-12-31"))
}

/// `update` with the service's place in the expiry index moved to `expires_on`.
pub(super) fn reindexed(update: Update, expires_on: Option<&str>, id: &str) -> Update {
    update.set("gsi1sk", expiry_order(expires_on, id))
}

pub(super) fn item_of(service: &ClientService) -> Item {
    let mut item = record_item(
        service,
        &key(&service.site_id, &service.id),
        "client_service",
    );
    item.insert("gsi1pk".into(), json!("CLIENTSERVICES"));
    let order = expiry_order(service.expires_on.as_deref(), &service.id);
    item.insert("gsi1sk".into(), json!(order));
    // Found by its id alone, as the audit log names it (`client_service:<id>`).
    item.insert("gsi2pk".into(), json!(by_id(&service.id)));
    item.insert("gsi2sk".into(), json!("SERVICE"));
    item
}

/// The write that adds `service`, a new one.
pub(super) fn put_new(service: &ClientService) -> crate::store::TxOp {
    crate::store::TxOp::Put {
        item: item_of(service),
        condition: Some(Condition::NotExists),
    }
}

fn by_id(id: &str) -> String {
    format!("CLIENTSERVICE#{id}")
}

pub(super) fn service_of(item: &Item) -> TableResult<ClientService> {
    record_of(item, "client service")
}

pub(super) fn site_cancelled() -> AgencyError {
    AgencyError::Conflict {
        code: "site_cancelled",
        message: "the site is cancelled: its services stay ended and it takes no new ones".into(),
    }
}

/// Adds a service to `site`, whose version must still be the one read:
/// a site that ended takes none.
pub async fn add(
    ports: &impl Storage,
    site: &HostedSite,
    new: NewService,
) -> Result<ClientService, AgencyError> {
    if site.status == SiteStatus::Cancelled {
        return Err(site_cancelled());
    }
    if of_site(ports, &site.id).await?.len() >= MOST_PER_SITE {
        return Err(AgencyError::Conflict {
            code: "too_many_services",
            message: format!("a site holds at most {MOST_PER_SITE} services"),
        });
    }
    let service = checked(site, new, ports.clock().now())?;
    // The site moves on with each service added, guarded by the version
    // read: two adds at once cannot both pass the count above, and a move
    // of the site made meanwhile (which takes its services with it) or
    // after (from an older reading) is refused rather than missing one.
    let mut tx = Tx::new();
    tx.guard(
        (),
        crate::store::TxOp::Update {
            key: site::key(&site.id),
            update: Update::new().bump_version(),
            condition: Some(
                Condition::eq("status", json!(site.status)).and(Condition::VersionIs(site.v)),
            ),
        },
    )
    .push(crate::store::TxOp::Put {
        item: item_of(&service),
        condition: Some(Condition::NotExists),
    });
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(service),
        Err(TxError::Refused(())) => Err(moved_on("the site")),
        Err(TxError::Table(error)) => Err(error.into()),
    }
}

/// The service `id` of the site `site_id`, if there is one.
pub async fn find(
    ports: &impl Storage,
    site_id: &str,
    id: &str,
) -> Result<Option<ClientService>, AgencyError> {
    if ulid::Ulid::from_string(id).is_err() || ulid::Ulid::from_string(site_id).is_err() {
        return Ok(None);
    }
    let item = ports.table().get(&key(site_id, id)).await?;
    Ok(item.as_ref().map(service_of).transpose()?)
}

/// The service `id` of whichever site holds it, if there is one.
pub async fn find_by_id(
    ports: &impl Storage,
    id: &str,
) -> Result<Option<ClientService>, AgencyError> {
    if ulid::Ulid::from_string(id).is_err() {
        return Ok(None);
    }
    let query = Query::index(Index::Gsi2, by_id(id)).limit(1);
    let page = ports.table().query(query).await?;
    Ok(page.items.first().map(service_of).transpose()?)
}

/// Every service of the site `site_id` (at most `MOST_PER_SITE`).
pub async fn of_site(
    ports: &impl Storage,
    site_id: &str,
) -> Result<Vec<ClientService>, AgencyError> {
    let query =
        Query::partition(format!("SITE#{site_id}")).sort(SortKey::BeginsWith("SERVICE#".into()));
    let page = ports.table().query(query).await?;
    Ok(page
        .items
        .iter()
        .map(service_of)
        .collect::<TableResult<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_is_well_formed_and_cancelled_is_final() {
        crate::lifecycle::assert_well_formed(&[Cancelled]);
        assert_eq!(ServiceStatus::check(Expired, Active), Ok("renewed"));
    }

    #[test]
    fn services_without_an_expiry_list_last() {
        assert!(expiry_order(Some("2099-12-31"), "A") < expiry_order(None, "A"));
    }
}
