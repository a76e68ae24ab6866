//! Register entries linked to the record of Hostfront's own that provides
//! them (`provisioned`: `subscription:<id>`, `domain:<name>`). Staff link an
//! entry to a subscription or a domain of the site's customer, and to no
//! one else's. A linked entry's status and last day are the record's, read
//! each time the register is shown (`followed`): the record is the one
//! truth, and its own billing renews it, so the billing run never invoices
//! a linked entry.

use std::collections::HashMap;

use serde::Deserialize;
use utoipa::ToSchema;

use super::services::{self, ClientService, ServiceStatus};
use super::site::{self, HostedSite, Mover, SiteStatus};
use super::{AgencyError, fields, invalid, moved_on};
use crate::audit::AuditEntry;
use crate::domains::owned::{self, OwnedStatus};
use crate::store::{Condition, Tx, TxError, TxOp, Update};
use crate::subscriptions::{self, SubscriptionStatus};
use crate::{CustomerId, Storage};

/// The record a register entry is to follow.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceLink {
    /// `subscription:<id>` or `domain:<name>`, of the site's customer.
    pub record: String,
    /// Why, for the audit log: 1 to 500 characters.
    pub why: String,
    /// The service's version as the caller read it.
    pub v: i64,
}

/// What a linked record says of the entry: its status and last day.
struct Followed {
    status: ServiceStatus,
    expires_on: Option<String>,
}

/// The record `link` names, as it stands, if it is `customer`'s.
async fn read_record(
    ports: &impl Storage,
    customer: &CustomerId,
    link: &str,
) -> Result<Option<Followed>, AgencyError> {
    let followed =
        match link.split_once(':') {
            Some(("subscription", id)) => subscriptions::find(ports.table(), customer, id)
                .await?
                .map(|s| Followed {
                    status: match s.status {
                        SubscriptionStatus::Active => ServiceStatus::Active,
                        SubscriptionStatus::Suspended => ServiceStatus::Suspended,
                        SubscriptionStatus::Cancelled => ServiceStatus::Cancelled,
                    },
                    // Paid until the day before its next due date.
                    expires_on: super::billing::date(&s.next_due)
                        .map(|due| (due - time::Duration::days(1)).to_string()),
                }),
            Some(("domain", name)) => {
                owned::find(ports.table(), customer, name)
                    .await?
                    .map(|d| Followed {
                        status: match d.status {
                            OwnedStatus::Active => ServiceStatus::Active,
                            OwnedStatus::TransferPending => ServiceStatus::Pending,
                            OwnedStatus::Expired => ServiceStatus::Expired,
                            OwnedStatus::TransferFailed
                            | OwnedStatus::TransferredOut
                            | OwnedStatus::Deleted => ServiceStatus::Cancelled,
                        },
                        expires_on: d.expires_at.and_then(super::going_live::day_of),
                    })
            }
            _ => None,
        };
    Ok(followed)
}

/// `record` as staff typed it, in the form stored: `domain:` names in ASCII.
fn record_named(record: &str) -> Result<String, AgencyError> {
    let bad = || {
        invalid(
            "invalid_record",
            "record: subscription:<id> or domain:<name>",
        )
    };
    match record.trim().split_once(':') {
        Some(("subscription", id)) if ulid::Ulid::from_string(id).is_ok() => {
            Ok(format!("subscription:{id}"))
        }
        Some(("domain", name)) => Ok(format!(
            "domain:{}",
            fields::domain("record", name).map_err(|_| bad())?
        )),
        _ => Err(bad()),
    }
}

/// Links `service` of `site` to the record `request` names, which must be
/// the site's customer's.
pub async fn link(
    ports: &impl Storage,
    site: &HostedSite,
    service: &ClientService,
    request: ServiceLink,
    (actor, role, client): Mover<'_>,
) -> Result<ClientService, AgencyError> {
    if site.status == SiteStatus::Cancelled {
        return Err(services::site_cancelled());
    }
    let Some(customer) = site.customer_id.as_deref().map(CustomerId::new) else {
        return Err(invalid(
            "customer_required",
            "only a site with a customer links its services to the customer's records",
        ));
    };
    if service.provisioned.is_some() {
        return Err(AgencyError::Conflict {
            code: "already_linked",
            message: "this service already follows a record of ours".into(),
        });
    }
    if request.v != service.v {
        return Err(moved_on("the service"));
    }
    let why = fields::name("why", &request.why, 500)?;
    let record = record_named(&request.record)?;
    if read_record(ports, &customer, &record).await?.is_none() {
        return Err(invalid(
            "not_the_customers",
            format!(
                "the site's customer has no {record}: link a subscription or a domain of theirs"
            ),
        ));
    }
    let mut tx = Tx::new();
    tx.guard(
        (),
        TxOp::Update {
            key: services::key(&site.id, &service.id),
            update: Update::new()
                .set("provisioned", record.as_str())
                .bump_version(),
            condition: Some(Condition::VersionIs(service.v)),
        },
    )
    .push(
        AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: actor.clone(),
            subject: format!("client_service:{}", service.id),
            customer_id: Some(customer),
            action: "linked".into(),
            from: None,
            to: Some(record),
            why,
            client: Some(client.into()),
            role: Some(role.into()),
        }
        .put_op(),
    );
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(())) => return Err(moved_on("the service")),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    let linked = services::find(ports, &site.id, &service.id)
        .await?
        .ok_or(AgencyError::NotFound("service"))?;
    Ok(followed(ports, vec![linked]).await?.remove(0))
}

/// `list` with each linked entry's status and last day read from its
/// record (an entry whose record is gone shows what it last stored).
pub async fn followed(
    ports: &impl Storage,
    mut list: Vec<ClientService>,
) -> Result<Vec<ClientService>, AgencyError> {
    let mut customers: HashMap<String, Option<CustomerId>> = HashMap::new();
    for service in &mut list {
        let Some(link) = service.provisioned.clone() else {
            continue;
        };
        if !customers.contains_key(&service.site_id) {
            let site = site::find(ports, &service.site_id).await?;
            let customer = site.and_then(|s| s.customer_id).map(CustomerId::new);
            customers.insert(service.site_id.clone(), customer);
        }
        let Some(Some(customer)) = customers.get(&service.site_id) else {
            continue;
        };
        if let Some(now) = read_record(ports, customer, &link).await? {
            service.status = now.status;
            service.expires_on = now.expires_on;
        }
    }
    Ok(list)
}
