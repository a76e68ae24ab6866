//! Going live: an accepted site moves to `live` under its client's domain
//! only once the domain is shown to be the client's, and its panel account
//! serves it. A domain is the client's when the site's customer holds it
//! with us (registered or transferred in), or when the domain's DNS holds
//! the site's proof: a TXT record `_hostfront-verify.<domain>` with the
//! value the console shows. A domain the customer holds with us counts only
//! when the customer vouched for the site: they accepted its proposal
//! themselves, from the link mailed to them, or the domain is the one the
//! proposal's order was for. An acceptance staff recorded may have named
//! an existing account by its email alone, and is no proof that its
//! domains belong to this site. A domain the customer holds with us joins
//! the site's services register, linked to its own record (the proposal's
//! line for it, if it has one), and the services its order provides
//! become active once that order is live.

use serde::Serialize;
use utoipa::ToSchema;

use super::services::{self, BillingPeriod, ClientService, ServiceStatus, ServiceType};
use super::site::HostedSite;
use super::{AgencyError, fields, invalid};
use crate::domains::owned::{self, OwnedDomain, OwnedStatus};
use crate::store::{Condition, Tx, TxOp, Update};
use crate::{Catalogs, CustomerId, Hosting, Lookups, Storage, clock};

/// The label under the client's domain where the proof goes.
const LABEL: &str = "_hostfront-verify";

/// How staff prove a domain registered elsewhere for a site: the TXT record
/// to publish, under the domain going live.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DomainProof {
    /// Always `TXT`.
    pub record_type: &'static str,
    /// The record's name with `<domain>` in place of the client's domain.
    pub name: String,
    /// The text the record must hold: this site's own, so that a proof
    /// published for one site never proves a domain for another.
    pub value: String,
}

impl DomainProof {
    pub fn of(site: &HostedSite) -> Self {
        DomainProof {
            record_type: "TXT",
            name: format!("{LABEL}.<domain>"),
            value: format!("hostfront-verify=site-{}", site.id.to_ascii_lowercase()),
        }
    }
}

/// The UTC day of `secs` (epoch seconds), `YYYY-MM-DD`.
pub(super) fn day_of(secs: i64) -> Option<String> {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .map(|at| at.date().to_string())
}

/// What the panel or the DNS could not answer: nothing changed.
fn unavailable(message: String) -> AgencyError {
    AgencyError::Unavailable(message)
}

/// Checks that `site` may go live under `domain` and has its panel account
/// serve it, then adds to `tx` the link of its domain service.
pub(super) async fn prepare(
    ports: &(impl Storage + Hosting + Lookups + Catalogs),
    tx: &mut Tx<()>,
    site: &HostedSite,
    domain: &str,
    services: &[ClientService],
) -> Result<(), AgencyError> {
    let Some(customer) = site.customer_id.as_deref() else {
        return Err(invalid(
            "customer_required",
            "going live needs the site's customer: record the accepted proposal's customer first",
        ));
    };
    let domain = fields::domain("live_domain", domain)?;
    let customer = CustomerId::new(customer);
    let held = match vouched_for(ports, site, &customer, &domain).await? {
        true => owned::find(ports.table(), &customer, &domain)
            .await?
            .filter(|d| matches!(d.status, OwnedStatus::Active | OwnedStatus::Expired)),
        false => None,
    };
    if held.is_none() {
        proven_by_dns(ports, site, &domain).await?;
    }
    if let Some(account) = &site.panel_account {
        serve(ports, account, &domain).await?;
    }
    if let Some(held) = held {
        link_domain_service(ports, tx, site, services, &held).await?;
    }
    activate_what_its_order_provides(ports, tx, site, services, &customer).await
}

/// The proposal's services its order provides (the plan's hosting, its
/// email or SSL) become active with the site once that order is live;
/// the domain's line follows its own record (`link_domain_service`).
async fn activate_what_its_order_provides(
    ports: &impl Storage,
    tx: &mut Tx<()>,
    site: &HostedSite,
    services: &[ClientService],
    customer: &CustomerId,
) -> Result<(), AgencyError> {
    let Some(order_id) = &site.pitch.order_id else {
        return Ok(());
    };
    let order = crate::orders::repo::load(ports, customer, &crate::OrderId::new(order_id)).await;
    if !matches!(order, Ok(order) if order.status == crate::orders::OrderStatus::Active) {
        return Ok(());
    }
    let record = format!("order:{order_id}");
    let provided = services.iter().filter(|s| {
        s.status == ServiceStatus::Pending
            && s.service_type != ServiceType::Domain
            && s.provisioned.as_deref() == Some(record.as_str())
    });
    for entry in provided {
        tx.guard(
            (),
            TxOp::Update {
                key: services::key(&site.id, &entry.id),
                update: Update::new()
                    .set("status", serde_json::json!(ServiceStatus::Active))
                    .bump_version(),
                condition: Some(Condition::VersionIs(entry.v)),
            },
        );
    }
    Ok(())
}

/// Whether `customer`'s domains may prove `domain` theirs for `site`: they
/// accepted its proposal online, or its order was for `domain`.
async fn vouched_for(
    ports: &impl Storage,
    site: &HostedSite,
    customer: &CustomerId,
    domain: &str,
) -> Result<bool, AgencyError> {
    if site.pitch.accepted_via.as_deref() == Some("online") {
        return Ok(true);
    }
    let Some(order_id) = &site.pitch.order_id else {
        return Ok(false);
    };
    match crate::orders::repo::load(ports, customer, &crate::OrderId::new(order_id)).await {
        Ok(order) => Ok(order.domain.name == domain),
        Err(_) => Ok(false),
    }
}

/// Refuses `domain` unless its DNS holds the site's proof.
async fn proven_by_dns(
    ports: &impl Lookups,
    site: &HostedSite,
    domain: &str,
) -> Result<(), AgencyError> {
    let proof = DomainProof::of(site);
    let record = format!("{LABEL}.{domain}");
    let published = ports.resolver().txt(&record).await.map_err(|error| {
        unavailable(format!(
            "we could not look up {record} just now ({error}); the site stays accepted: try again shortly"
        ))
    })?;
    if published.iter().any(|value| value.trim() == proof.value) {
        return Ok(());
    }
    Err(invalid(
        "domain_not_proven",
        format!(
            "the site's customer does not hold {domain} with us, and its DNS does not prove it is theirs: publish a TXT record {record} with the value {}, or register or transfer the domain through an order first",
            proof.value
        ),
    ))
}

/// Has the panel account `account` serve `domain`, keeping its other
/// sites; serving it already does nothing.
async fn serve(ports: &impl Hosting, account: &str, domain: &str) -> Result<(), AgencyError> {
    let said = |error: crate::panel::PanelError| {
        unavailable(format!(
            "the panel could not serve {domain} from the account {account}: {error}; the site stays accepted"
        ))
    };
    let missing = || {
        invalid(
            "panel_account_missing",
            format!(
                "the panel has no account {account} to serve {domain} from; the site stays accepted"
            ),
        )
    };
    let held = ports.panel().account(account).await.map_err(said)?;
    match held {
        None => return Err(missing()),
        // The account's own domain: served already.
        Some(held) if held.domain == domain => return Ok(()),
        Some(_) => {}
    }
    let state = ports.panel().state(account).await.map_err(said)?;
    let state = state.ok_or_else(missing)?;
    if state.sites.iter().any(|site| site == domain) {
        return Ok(());
    }
    let mut sites = state.sites;
    sites.push(domain.to_string());
    ports.panel().set_sites(account, &sites).await.map_err(said)
}

/// Adds to `tx` the link of the site's entry for `domain` to the domain's
/// own record, or a new linked entry when the register has none; either
/// refuses the move when the register changed meanwhile.
async fn link_domain_service(
    ports: &(impl Storage + Catalogs),
    tx: &mut Tx<()>,
    site: &HostedSite,
    services: &[ClientService],
    domain: &OwnedDomain,
) -> Result<(), AgencyError> {
    let record = format!("domain:{}", domain.name);
    // Tracked by hand, or the proposal's line for the order that registered it.
    let entry = services.iter().find(|s| {
        s.provisioned.as_deref() == Some(record.as_str())
            || (s.service_type == ServiceType::Domain
                && s.provisioned
                    .as_deref()
                    .is_none_or(|p| p.starts_with("order:"))
                && s.name.eq_ignore_ascii_case(&domain.name))
    });
    match entry {
        Some(entry) if entry.provisioned.as_deref() == Some(record.as_str()) => {}
        Some(entry) => {
            let mut update = Update::new().set("provisioned", record).bump_version();
            if entry.status == ServiceStatus::Pending {
                let last = domain.expires_at.and_then(day_of);
                update = services::reindexed(update, last.as_deref(), &entry.id)
                    .set("status", serde_json::json!(ServiceStatus::Active));
                if let Some(last) = last {
                    update = update.set("expires_on", last);
                }
            }
            tx.guard(
                (),
                TxOp::Update {
                    key: services::key(&site.id, &entry.id),
                    update,
                    condition: Some(Condition::VersionIs(entry.v)),
                },
            );
        }
        None if services.len() < services::MOST_PER_SITE => {
            let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
            let added = ClientService {
                id: ulid::Ulid::new().to_string(),
                site_id: site.id.clone(),
                service_type: ServiceType::Domain,
                name: domain.name.clone(),
                status: ServiceStatus::Active,
                period: BillingPeriod::Annual,
                price: 0,
                currency: catalog.currency.clone(),
                expires_on: domain.expires_at.and_then(day_of),
                auto_renew: domain.auto_renew,
                notes: "held with us: its own renewals bill it".into(),
                provider: None,
                provisioned: Some(record),
                suspended_with_site: false,
                created_at: clock::rfc3339_millis(ports.clock().now()),
                v: 1,
            };
            tx.guard(
                (),
                TxOp::Put {
                    item: services::item_of(&added),
                    condition: Some(Condition::NotExists),
                },
            );
        }
        None => {}
    }
    Ok(())
}
