//! Moving a client site along its lifecycle: the move's checks, what it
//! sets besides the status, and what goes with it in its transaction (its
//! services following, the prospect converted, the domain served on going
//! live).

use super::services;
use super::site::{HostedSite, SiteMove, SiteStatus, by_status, find, key};
use super::{AgencyError, fields, moved_on};
use crate::audit::Actor;
use crate::lifecycle::{Change, Status, Subject};
use crate::store::{Tx, TxError, Update};
use crate::{Catalogs, Hosting, Lookups, Storage, clock};
use SiteStatus::*;

/// Who moves a site: the member of staff, their role and their address.
pub type Mover<'a> = (&'a Actor, &'a str, &'a str);

/// Moves `site` as `request` says; its services follow a suspension, a
/// reactivation or a cancellation in the same transaction. Accepting the
/// proposal converts the prospect the site was made from; going live
/// needs a proven domain and the panel serving it (`going_live`).
pub async fn move_site(
    ports: &(impl Storage + Hosting + Lookups + Catalogs),
    site: &HostedSite,
    request: SiteMove,
    (actor, role, client): Mover<'_>,
) -> Result<HostedSite, AgencyError> {
    SiteStatus::check(site.status, request.to)?;
    if request.v != site.v {
        return Err(moved_on("the site"));
    }
    let why = fields::name("why", &request.why, 500)?;
    let now = ports.clock().now();
    let update =
        what_the_move_sets(site.status, &request, now)?.set("gsi2pk", by_status(request.to));
    let services = services::of_site(ports, &site.id).await?;
    let mut tx = Tx::new();
    Change {
        subject: Subject {
            key: key(&site.id),
            id: site.id.clone(),
            customer_id: None,
        },
        from: site.status,
        to: request.to,
        update,
        actor: actor.clone(),
        why: why.clone(),
        unchanged_since: Some(site.v),
        client: Some(client.into()),
        role: Some(role.into()),
        also: Vec::new(),
    }
    .add_to(&mut tx, (), now)?;
    match (site.status, request.to) {
        (ProposalSent, Accepted) => {
            super::prospects::convert_with(
                ports,
                (&mut tx, ()),
                site,
                (actor, Some(role), Some(client)),
                now,
            )
            .await?
        }
        (Accepted, Live) => {
            let domain = request.live_domain.as_deref().unwrap_or_default();
            super::going_live::prepare(ports, &mut tx, site, domain, &services).await?
        }
        _ => {}
    }
    super::service_moves::follow_site(
        &mut tx,
        &services,
        (site.status, request.to),
        (actor, role, client),
        &why,
        now,
    )?;
    if request.to == Cancelled {
        let ending: Vec<_> = services
            .iter()
            .filter(|s| s.status != services::ServiceStatus::Cancelled)
            .collect();
        super::ending::void_what_they_leave_open(ports, &mut tx, site, &ending).await?;
    }
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(())) => return Err(moved_on("the site")),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    find(ports, &site.id)
        .await?
        .ok_or(AgencyError::NotFound("site"))
}

/// The attributes a move sets besides the status: the live domain and
/// when, going live; the proposal's notes, sending it.
fn what_the_move_sets(
    from: SiteStatus,
    request: &SiteMove,
    now: time::OffsetDateTime,
) -> Result<Update, AgencyError> {
    let mut update = Update::new();
    match (from, request.to) {
        (Accepted, Live) => {
            let domain = request.live_domain.as_deref().ok_or_else(|| {
                super::invalid(
                    "live_domain_required",
                    "going live needs the client's domain (live_domain)",
                )
            })?;
            update = update
                .set("live_domain", fields::domain("live_domain", domain)?)
                .set("went_live_at", clock::rfc3339_millis(now));
        }
        (_, ProposalSent) => {
            let notes = request.proposal_notes.as_deref().unwrap_or("");
            update = update.set(
                "proposal_notes",
                fields::notes("proposal_notes", notes, 4000)?,
            );
        }
        _ => {}
    }
    Ok(update)
}
