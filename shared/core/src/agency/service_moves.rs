//! Moving a client service along its lifecycle: by hand, and with its
//! site (a site suspended suspends its active services, reactivated brings
//! back those it suspended, cancelled ends them all).

use time::OffsetDateTime;

use super::services::{ClientService, ServiceMove, ServiceStatus, key, reindexed};
use super::site::{HostedSite, Mover, SiteStatus};
use super::{AgencyError, fields, moved_on};
use crate::Storage;
use crate::lifecycle::{Change, Status, Subject};
use crate::store::{Tx, TxError, Update};

fn change(
    service: &ClientService,
    to: ServiceStatus,
    update: Update,
    (actor, role, client): Mover<'_>,
    why: &str,
) -> Change<ServiceStatus> {
    Change {
        subject: Subject {
            key: key(&service.site_id, &service.id),
            id: service.id.clone(),
            customer_id: None,
        },
        from: service.status,
        to,
        update,
        actor: actor.clone(),
        why: why.into(),
        unchanged_since: Some(service.v),
        client: Some(client.into()),
        role: Some(role.into()),
        also: Vec::new(),
    }
}

/// Moves `service` of `site` as `request` says; the services of a
/// cancelled site stay ended.
pub async fn move_service(
    ports: &impl Storage,
    site: &HostedSite,
    service: &ClientService,
    request: ServiceMove,
    mover: Mover<'_>,
) -> Result<ClientService, AgencyError> {
    ServiceStatus::check(service.status, request.to)?;
    if site.status == SiteStatus::Cancelled {
        return Err(super::services::site_cancelled());
    }
    if request.v != service.v {
        return Err(moved_on("the service"));
    }
    let why = fields::name("why", &request.why, 500)?;
    let mut update = Update::new().set("suspended_with_site", false);
    let renewing = (service.status, request.to) == (ServiceStatus::Expired, ServiceStatus::Active);
    if let Some(day) = &request.expires_on {
        let day = super::service_input::day("expires_on", day)?;
        let today = ports.clock().now().date().to_string();
        if !renewing || day <= today {
            return Err(super::invalid(
                "invalid_date",
                "expires_on is the new last day of a renewed service: a day after today",
            ));
        }
        update = reindexed(update, Some(&day), &service.id).set("expires_on", day);
    } else if renewing {
        return Err(super::invalid(
            "expiry_required",
            "renewing an expired service needs its new last day (expires_on)",
        ));
    }
    let mut tx = Tx::new();
    change(service, request.to, update, mover, &why).add_to(&mut tx, (), ports.clock().now())?;
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(())) => return Err(moved_on("the service")),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    super::services::find(ports, &service.site_id, &service.id)
        .await?
        .ok_or(AgencyError::NotFound("service"))
}

/// Adds to `tx` the moves of `services` that follow their site to `to`.
pub(super) fn follow_site(
    tx: &mut Tx<()>,
    services: &[ClientService],
    to: SiteStatus,
    mover: Mover<'_>,
    why: &str,
    now: OffsetDateTime,
) -> Result<(), AgencyError> {
    let why = format!("its site was {}: {why}", to.as_str());
    for service in services {
        let (target, update) = match (to, service.status) {
            (SiteStatus::Suspended, ServiceStatus::Active) => (
                ServiceStatus::Suspended,
                Update::new().set("suspended_with_site", true),
            ),
            (SiteStatus::Live, ServiceStatus::Suspended) if service.suspended_with_site => (
                ServiceStatus::Active,
                Update::new().set("suspended_with_site", false),
            ),
            (SiteStatus::Cancelled, status) if status != ServiceStatus::Cancelled => {
                (ServiceStatus::Cancelled, Update::new())
            }
            _ => continue,
        };
        change(service, target, update, mover, &why).add_to(tx, (), now)?;
    }
    Ok(())
}
