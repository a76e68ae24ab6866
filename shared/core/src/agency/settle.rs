//! Settling an accepted proposal: its lines become the customer's, once.
//! The plan and the domain become one unpaid order, placed through the
//! order flow under the idempotency key `proposal-<site>` (a retry finds
//! the same order); each line becomes a pending service of the site,
//! naming the order where Hostfront provides it. The services are written
//! with the site's `settled` mark in one transaction, guarded by the
//! site's version: settled twice at once, one wins and the other finds it
//! done.

use super::acceptance::{Accepting, By};
use super::pitch::{Pitch, commit, pitch_op, reread};
use super::proposal::{DomainPlan, LineKind, Proposal, ProposalLine};
use super::services::{self, ClientService, ServiceStatus, ServiceType};
use super::site::HostedSite;
use super::{AgencyError, moved_on};
use crate::audit::Role;
use crate::orders::DomainAction;
use crate::orders::create::{self, DomainRequest, OrderRequest};
use crate::store::Update;
use crate::{CustomerId, clock};

/// Makes the accepted proposal's lines the customer's, once.
pub(super) async fn settle(
    ports: &impl Accepting,
    mut site: HostedSite,
    by: By<'_>,
    auth_code: Option<String>,
) -> Result<HostedSite, AgencyError> {
    for _ in 0..3 {
        if site.pitch.settled {
            return Ok(site);
        }
        let customer_id = CustomerId::new(site.customer_id.clone().unwrap_or_default());
        let order_id = match &site.pitch.proposal {
            Some(proposal) => {
                place_order(ports, &site, &customer_id, proposal, by, auth_code.clone()).await?
            }
            None => None,
        };
        let now = clock::rfc3339_millis(ports.clock().now());
        let made = match &site.pitch.proposal {
            Some(proposal) => services_of(&site, proposal, order_id.as_deref(), &now),
            None => Vec::new(),
        };
        if services::of_site(ports, &site.id).await?.len() + made.len() > services::MOST_PER_SITE {
            return Err(AgencyError::Conflict {
                code: "too_many_services",
                message: format!("a site holds at most {} services", services::MOST_PER_SITE),
            });
        }
        let pitch = Pitch {
            settled: true,
            order_id,
            ..site.pitch.clone()
        };
        let mut ops = vec![pitch_op(&site, &pitch, Update::new())];
        ops.extend(made.iter().map(services::put_new));
        match commit(ports, ops).await {
            Ok(()) => return reread(ports, &site.id).await,
            Err(AgencyError::Conflict {
                code: "moved_on", ..
            }) => site = reread(ports, &site.id).await?,
            Err(other) => return Err(other),
        }
    }
    Err(moved_on("the site"))
}

/// The plan and domain lines of `proposal`, if it has them.
fn plan_and_domain(proposal: &Proposal) -> Option<(&ProposalLine, &ProposalLine)> {
    let find = |kind| proposal.lines.iter().find(|l| l.kind == kind);
    Some((find(LineKind::Plan)?, find(LineKind::Domain)?))
}

/// The control panel's username of the site's order: from the business's
/// name and the end of the site's id, the same on every retry.
fn username_for(site: &HostedSite) -> String {
    let letters: String = site
        .business_name
        .to_ascii_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .skip_while(|c| !c.is_ascii_alphabetic())
        .take(8)
        .collect();
    let tail: String = site.id.to_ascii_lowercase().chars().rev().take(6).collect();
    let head = if letters.is_empty() {
        "site".to_string()
    } else {
        letters
    };
    format!("{head}{}", tail.chars().rev().collect::<String>())
}

/// Places the proposal's order (plan and domain), once: its id.
async fn place_order(
    ports: &impl Accepting,
    site: &HostedSite,
    customer_id: &CustomerId,
    proposal: &Proposal,
    by: By<'_>,
    auth_code: Option<String>,
) -> Result<Option<String>, AgencyError> {
    let Some((plan, domain)) = plan_and_domain(proposal) else {
        return Ok(None);
    };
    let customer = crate::accounts::load_customer(ports.table(), customer_id).await?;
    let action = match domain.domain {
        Some(DomainPlan::Transfer) => DomainAction::Transfer,
        Some(DomainPlan::HeldElsewhere) => DomainAction::External,
        _ => DomainAction::Register,
    };
    let request = OrderRequest {
        plan_id: plan.plan_id.clone().unwrap_or_default(),
        cycle: plan.cycle.clone().unwrap_or_default(),
        domain: DomainRequest {
            action,
            name: domain.name.clone(),
            auth_code,
        },
        username: username_for(site),
        password: None,
        generate_password: true,
        server: None,
        zone: None,
        registrar_account: None,
    };
    let key = format!("proposal-{}", site.id);
    let placed = match by {
        By::Prospect => create::place(ports, &customer, &key, request).await,
        By::Staff((actor, role, client), _) => {
            let role = Role::named(role).unwrap_or(Role::Support);
            create::place_for(ports, (actor, role, client), &customer, &key, request).await
        }
    };
    let placed = placed.map_err(|error| {
        // Whoever holds the link learns no more of the customer's account
        // (their unpaid orders, say) than that the order waits; staff see why.
        tracing::warn!(site = %site.id, %error, "the accepted proposal's order was refused");
        let message = match by {
            By::Prospect => "the proposal is accepted, but its order could not be placed yet: we will be in touch".to_string(),
            By::Staff(..) => format!("the proposal is accepted, but its order could not be placed: {error}"),
        };
        AgencyError::Conflict {
            code: "order_refused",
            message,
        }
    })?;
    Ok(Some(placed.view.id.to_string()))
}

/// A pending service of the site for each line of the proposal.
fn services_of(
    site: &HostedSite,
    proposal: &Proposal,
    order_id: Option<&str>,
    now: &str,
) -> Vec<ClientService> {
    proposal
        .lines
        .iter()
        .map(|line| {
            let elsewhere = line.domain == Some(DomainPlan::HeldElsewhere);
            let (service_type, provided) = match line.kind {
                LineKind::Plan => (ServiceType::Hosting, true),
                LineKind::Domain => (ServiceType::Domain, !elsewhere),
                LineKind::Email => (ServiceType::Email, true),
                LineKind::Ssl => (ServiceType::Ssl, true),
                LineKind::WebsiteMaintenance => (ServiceType::WebsiteMaintenance, false),
            };
            ClientService {
                id: ulid::Ulid::new().to_string(),
                site_id: site.id.clone(),
                service_type,
                name: line.name.clone(),
                status: ServiceStatus::Pending,
                period: line.period,
                price: line.price,
                currency: proposal.currency.clone(),
                expires_on: None,
                auto_renew: true,
                notes: format!("From the proposal accepted on {}", &now[..10]),
                provider: elsewhere.then(|| "held elsewhere".to_string()),
                provisioned: order_id
                    .filter(|_| provided)
                    .map(|id| format!("order:{id}")),
                suspended_with_site: false,
                created_at: now.to_string(),
                v: 1,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_the_panels_shape_and_stable() {
        let site: HostedSite = serde_json::from_value(serde_json::json!({
            "id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "status": "proposal_sent",
            "business_name": "42 Boulangerie du Parc", "contact_name": "J",
            "contact_email": "j@example.com", "created_at": "x", "created_by": "y"
        }))
        .unwrap();
        let name = username_for(&site);
        assert_eq!(name, "boulangevwxyz0");
        assert!(crate::orders::username::validate(&name).is_ok());
    }
}
