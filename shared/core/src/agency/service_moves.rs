//! Moving a client service along its lifecycle: by hand, and with its
//! site (a site suspended suspends its active services, reactivated brings
//! back those it suspended, cancelled ends them all).

use time::OffsetDateTime;

use super::services::{BillingPeriod, ClientService, ServiceMove, ServiceStatus, key, reindexed};
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
    } else if request.to == ServiceStatus::Active && starts_billed(service) {
        update = first_period(update, service, ports.clock().now());
    }
    let mut tx = Tx::new();
    change(service, request.to, update, mover, &why).add_to(&mut tx, (), ports.clock().now())?;
    if request.to == ServiceStatus::Cancelled {
        super::ending::void_what_they_leave_open(ports, &mut tx, site, &[service]).await?;
    }
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(())) => return Err(moved_on("the service")),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    super::services::find(ports, &service.site_id, &service.id)
        .await?
        .ok_or(AgencyError::NotFound("service"))
}

/// A recurring service we do not provide (a maintenance contract) that
/// renews by itself and has no last day yet, as a proposal adds them: it
/// starts when it becomes active.
fn starts_billed(service: &ClientService) -> bool {
    service.provisioned.is_none()
        && service.expires_on.is_none()
        && service.auto_renew
        && service.period != BillingPeriod::OneTime
}

/// A service whose first period starts today: paid up to yesterday, so
/// the next billing run invoices the period from today on.
fn first_period(update: Update, service: &ClientService, now: OffsetDateTime) -> Update {
    let yesterday = (now.date() - time::Duration::days(1)).to_string();
    reindexed(update, Some(&yesterday), &service.id).set("expires_on", yesterday)
}

/// Adds to `tx` the moves of `services` that follow their site from
/// `from` to `to`. Going live also starts the tracked services its
/// proposal added (`starts_billed`).
pub(super) fn follow_site(
    tx: &mut Tx<()>,
    services: &[ClientService],
    (from, to): (SiteStatus, SiteStatus),
    mover: Mover<'_>,
    why: &str,
    now: OffsetDateTime,
) -> Result<(), AgencyError> {
    let why = format!("its site was {}: {why}", to.as_str());
    let going_live = (from, to) == (SiteStatus::Accepted, SiteStatus::Live);
    for service in services {
        let (target, update) = match (to, service.status) {
            (SiteStatus::Live, ServiceStatus::Pending) if going_live && starts_billed(service) => (
                ServiceStatus::Active,
                first_period(Update::new(), service, now),
            ),
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
