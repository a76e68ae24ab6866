//! What becomes of a cancelled service's domain, when it is registered
//! here: kept, parked, or left to lapse; and the day it expires, which a
//! cancellation may end on.

use super::{Acting, CancelError, DomainChoice};
use crate::Storage;
use crate::domains::owned;
use crate::subscriptions::Subscription;

/// Refuses a choice about the domain that needs it registered here when
/// it is not, before anything changes.
pub(super) async fn check(
    ports: &impl Storage,
    service: &Subscription,
    choice: DomainChoice,
) -> Result<(), CancelError> {
    match choice {
        DomainChoice::Lapse => {
            let what = "nothing here to let lapse";
            registered_here(ports, service, "no_domain_to_lapse", what).await?;
        }
        DomainChoice::Park => {
            registered_here(ports, service, "no_domain_to_park", "nothing here to park").await?;
        }
        DomainChoice::Keep => {}
    }
    Ok(())
}

/// The service's domain, when it is registered here and active; else a
/// conflict `code` that says `what` follows.
async fn registered_here(
    ports: &impl Storage,
    service: &Subscription,
    code: &'static str,
    what: &str,
) -> Result<owned::OwnedDomain, CancelError> {
    let domain = owned::find(ports.table(), &service.customer_id, &service.domain).await?;
    domain
        .filter(|d| d.status == owned::OwnedStatus::Active)
        .ok_or_else(|| CancelError::Conflict {
            code,
            message: format!(
                "{} is not a domain registered with us: {what}",
                service.domain
            ),
        })
}

/// The day the service's domain expires, when it is registered here.
pub(super) async fn domain_expiry(
    ports: &impl Storage,
    service: &Subscription,
) -> Result<time::Date, CancelError> {
    let what = "it has no expiry to end on";
    let domain = registered_here(ports, service, "no_domain_expiry", what).await?;
    domain
        .expires_at
        .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok())
        .map(|at| at.date())
        .ok_or_else(|| CancelError::Conflict {
            code: "no_domain_expiry",
            message: format!("{}: {what}", service.domain),
        })
}

/// Stops the service's domain renewing by itself, with its audit entry.
pub(super) async fn lapse(
    ports: &impl Storage,
    service: &Subscription,
    by: &Acting<'_>,
) -> Result<(), CancelError> {
    let changer = owned::Changer {
        actor: by.actor.clone(),
        why: format!("left to lapse with its service {}", service.id),
        client: by.client.map(str::to_string),
        role: by.role.map(|r| r.as_str().to_string()),
    };
    owned::set_auto_renew_as(ports, &service.customer_id, &service.domain, false, changer).await?;
    Ok(())
}
