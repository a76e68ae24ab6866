//! A DNS-only or domain-only order: what our nameservers are to serve for
//! the domain. DNS hosting serves the customer's records (primary) or a
//! copy of the customer's own primary servers' zone (secondary); a domain
//! alone is parked. Checked when the order is placed; such plans take no
//! login, so neither a username nor a password.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::OrderRequest;
use crate::Zones;
use crate::catalog::{Plan, PlanKind};
use crate::orders::{DomainAction, OrderError, invalid};
use crate::zone::customer::{self, RecordInput, ZoneUse};

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
/// (the default) or secondary, a domain's parking; other plans take none.
pub(super) fn check(
    ports: &impl Zones,
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
                _ => "a domain alone is parked",
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
        _ => Err(wrong_use()),
    }
}
