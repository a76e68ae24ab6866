//! A DNS-only or domain-only order: what our nameservers are to serve for
//! the domain. DNS hosting serves the customer's records (primary) or a
//! copy of the customer's own primary servers' zone (secondary); a domain
//! alone is parked. Checked when the order is placed; such plans take no
//! login, so neither a username nor a password.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::OrderRequest;
use crate::catalog::{Plan, PlanKind};
use crate::orders::{DomainAction, OrderError, invalid};
use crate::subscriptions::{self, SubscriptionStatus};
use crate::zone::customer::{self, RecordInput, ZoneUse};
use crate::{CustomerId, Storage, Zones};

/// What the customer asks our nameservers to serve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "use", rename_all = "snake_case")]
pub enum ZoneChoice {
    /// Our nameservers hold the zone, with these records (none at first
    /// is fine: they can be set once it is live).
    Primary {
        #[serde(default)]
        records: Vec<RecordInput>,
    },
    /// Our nameservers copy the zone from these primary servers.
    Secondary {
        #[schema(min_items = 1, max_items = 4)]
        primaries: Vec<String>,
    },
    /// The domain is parked: a holding page, and no mail.
    Parked,
    /// The domain shows the site of the customer's service `of` (its id):
    /// an alias of that service's own domain.
    Alias {
        #[schema(min_length = 1, max_length = 64)]
        of: String,
    },
}

/// Refuses a username or password on a plan that has no login.
pub(super) fn refuse_login(plan: &Plan, request: &OrderRequest) -> Result<(), OrderError> {
    if request.username.is_empty() && request.password.is_none() && !request.generate_password {
        return Ok(());
    }
    Err(invalid(
        "no_login",
        format!(
            "{} has no control panel: send no username or password",
            plan.name
        ),
    ))
}

/// The zone a plan of `plan`'s kind is served with: DNS hosting's primary
/// (the default) or secondary, a domain's parking or alias; other plans
/// take none.
pub(super) async fn check(
    ports: &(impl Storage + Zones),
    customer: &CustomerId,
    plan: &Plan,
    action: DomainAction,
    chosen: Option<&ZoneChoice>,
) -> Result<Option<ZoneUse>, OrderError> {
    if !plan.kind.zone_only() {
        return match chosen {
            None => Ok(None),
            Some(_) => Err(invalid(
                "zone_not_for_plan",
                format!("{} makes its own zone: it takes no zone choice", plan.name),
            )),
        };
    }
    if action == DomainAction::Subdomain {
        return Err(invalid(
            "not_a_zone",
            format!(
                "{} serves a domain of your own: a name under ours is not a zone of its own",
                plan.name
            ),
        ));
    }
    let refused = |e: customer::Refused| invalid(e.code, e.message);
    let wrong_use = || {
        invalid(
            "invalid_zone_use",
            match plan.kind {
                PlanKind::Dns => {
                    "DNS hosting serves your records (primary) or a copy of your own primary servers' zone (secondary)"
                }
                _ => "a domain alone is parked, or shows the site of one of your services (alias)",
            },
        )
    };
    match (plan.kind, chosen) {
        (PlanKind::Dns, None) => Ok(Some(ZoneUse::Primary {
            records: Vec::new(),
        })),
        (PlanKind::Dns, Some(ZoneChoice::Primary { records })) => Ok(Some(ZoneUse::Primary {
            records: customer::records(records).map_err(refused)?,
        })),
        (PlanKind::Dns, Some(ZoneChoice::Secondary { primaries })) => {
            if !ports.dns_host().serves_secondaries() {
                return Err(invalid(
                    "secondary_not_offered",
                    "our DNS service cannot copy a zone from your servers; choose primary DNS hosting",
                ));
            }
            Ok(Some(ZoneUse::Secondary {
                primaries: customer::primaries(primaries).map_err(refused)?,
            }))
        }
        (PlanKind::Domain, None | Some(ZoneChoice::Parked)) => Ok(Some(ZoneUse::Parked)),
        (PlanKind::Domain, Some(ZoneChoice::Alias { of })) => {
            let site = aliased_site(ports, customer, of).await?;
            Ok(Some(ZoneUse::Alias {
                of: of.clone(),
                site,
            }))
        }
        _ => Err(wrong_use()),
    }
}

/// The domain of the customer's live service `of`, whose site an alias
/// shows: a service on the panel with a website of its own.
async fn aliased_site(
    ports: &impl Storage,
    customer: &CustomerId,
    of: &str,
) -> Result<String, OrderError> {
    let unknown = || {
        invalid(
            "unknown_service",
            "an alias shows the site of one of your live services: name it by its id",
        )
    };
    if of.is_empty() || of.len() > 64 {
        return Err(unknown());
    }
    let service = subscriptions::find(ports.table(), customer, of)
        .await?
        .ok_or_else(unknown)?;
    if service.status != SubscriptionStatus::Active || service.ended_at.is_some() {
        return Err(unknown());
    }
    let has_site = matches!(service.plan_kind, PlanKind::Shared | PlanKind::Reseller);
    if !has_site || !service.on_panel() {
        return Err(invalid(
            "not_a_site",
            format!(
                "{} has no website on our panel for an alias to show",
                service.domain
            ),
        ));
    }
    Ok(service.domain)
}
