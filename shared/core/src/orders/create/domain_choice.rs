//! What an order's domain choice resolves to: the domain as stored, the
//! marker that keeps it unique, its line on the invoice and, for a
//! transfer, the auth code. Each choice (register, transfer, external, free
//! subdomain) is checked here before anything is written.

use super::request::DomainRequest;
use crate::billing::invoice::InvoiceLine;
use crate::catalog::{Catalog, TldPrice};
use crate::domains::name::{self, DomainName, Searched};
use crate::domains::{self, subdomains};
use crate::orders::{DomainAction, OrderDomain, OrderError, conflict, domain_marker, invalid};
use crate::registrar::Availability;
use crate::store::Key;
use crate::{Hosting, Registry, Settings};

/// The order's domain, the marker that keeps it unique and its invoice line.
pub(super) struct ResolvedDomain {
    pub(super) domain: OrderDomain,
    pub(super) marker: Key,
    pub(super) line: Option<InvoiceLine>,
    pub(super) auth_code: Option<String>,
}

/// What the request's domain choice resolves to, once checked: the name is
/// one we may hand out and, for a registration or a transfer, the registry
/// agrees and the catalog sells its ending.
pub(super) async fn resolve_domain(
    ports: &(impl Settings + Registry + Hosting),
    catalog: &Catalog,
    request: &DomainRequest,
) -> Result<ResolvedDomain, OrderError> {
    if request.action == DomainAction::Subdomain {
        return free_subdomain(ports, request).await;
    }
    let parsed = registrable(ports, &request.name)?;
    let resolved = ResolvedDomain {
        marker: domain_marker(&parsed.ascii),
        domain: OrderDomain {
            action: request.action,
            name: parsed.ascii.clone(),
            unicode: parsed.unicode.clone(),
        },
        line: None,
        auth_code: None,
    };
    if request.action == DomainAction::External {
        return Ok(resolved);
    }
    let price = catalog.tld(&parsed.suffix).ok_or_else(|| {
        invalid(
            "tld_not_sold",
            format!("we do not sell .{} domains", parsed.suffix),
        )
    })?;
    let answer = ask_registry(ports, &parsed.ascii).await?;
    if request.action == DomainAction::Register {
        registration(resolved, &answer, price)
    } else {
        transfer(resolved, &answer, price, request.auth_code.as_deref())
    }
}

/// A free subdomain of the company's zone, once its label is free to take.
async fn free_subdomain(
    ports: &(impl Settings + Hosting),
    request: &DomainRequest,
) -> Result<ResolvedDomain, OrderError> {
    let label = subdomains::validate(ports, &request.name)
        .await
        .map_err(|e| match e {
            subdomains::SubdomainError::Name(e) => invalid(e.code, e.message),
            subdomains::SubdomainError::Table(e) => e.into(),
            subdomains::SubdomainError::Unavailable(message) => OrderError::Unavailable(message),
        })?;
    let name = format!("{label}.{}", ports.config().subdomain_zone);
    Ok(ResolvedDomain {
        domain: OrderDomain {
            action: request.action,
            unicode: name.clone(),
            name,
        },
        marker: subdomains::marker_key(&label),
        line: None,
        auth_code: None,
    })
}

/// The whole domain the customer typed, refused when it is a word, a name
/// under a domain, or the company's own zone.
fn registrable(ports: &impl Settings, input: &str) -> Result<DomainName, OrderError> {
    let parsed = match name::parse(input).map_err(|e| invalid(e.code, e.message))? {
        Searched::Domain(d) if d.dropped_subdomain.is_none() => d,
        Searched::Domain(d) => {
            return Err(invalid(
                "not_registrable",
                format!("order the domain itself: {}", d.unicode),
            ));
        }
        Searched::Word { .. } => {
            return Err(invalid(
                "incomplete_domain",
                "give the whole domain, with its ending: bakery.com",
            ));
        }
    };
    let zone = &ports.config().subdomain_zone;
    if parsed.ascii == *zone || parsed.ascii.ends_with(&format!(".{zone}")) {
        return Err(invalid(
            "company_domain",
            format!(
                "{} belongs to us; order a free subdomain of it instead",
                parsed.unicode
            ),
        ));
    }
    Ok(parsed)
}

/// The registry's live answer for `domain`.
async fn ask_registry(ports: &impl Registry, domain: &str) -> Result<Availability, OrderError> {
    domains::live_check(ports, &[domain.to_string()])
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "live check failed while ordering");
            OrderError::Unavailable(
                "the domain registry is not answering right now; please try again shortly".into(),
            )
        })?
        .pop()
        .ok_or_else(|| OrderError::Unavailable("the registry gave no answer".into()))
}

/// Registering a domain nobody holds, at its premium price if it has one.
fn registration(
    mut resolved: ResolvedDomain,
    answer: &Availability,
    price: &TldPrice,
) -> Result<ResolvedDomain, OrderError> {
    let shown = &resolved.domain.unicode;
    if !answer.available {
        return Err(conflict(
            "domain_unavailable",
            format!("{shown} is already registered; transfer it in if it is yours"),
        ));
    }
    let amount = answer
        .premium_price
        .filter(|_| answer.premium)
        .unwrap_or(price.register);
    resolved.line = Some(InvoiceLine::new(
        format!("{shown}, registration, 1 year"),
        amount,
    ));
    Ok(resolved)
}

/// Transferring in a registered domain, with its auth code.
fn transfer(
    mut resolved: ResolvedDomain,
    answer: &Availability,
    price: &TldPrice,
    auth_code: Option<&str>,
) -> Result<ResolvedDomain, OrderError> {
    let shown = &resolved.domain.unicode;
    if answer.available {
        return Err(invalid(
            "not_registered",
            format!("{shown} is not registered anywhere; register it instead"),
        ));
    }
    let raw = auth_code.unwrap_or("");
    let code = raw.trim();
    if code.is_empty() || raw.chars().count() > 64 {
        return Err(invalid(
            "auth_code_required",
            "a transfer needs the domain's auth code from its current registrar",
        ));
    }
    resolved.line = Some(InvoiceLine::new(
        format!("{shown}, transfer, adds 1 year"),
        price.transfer,
    ));
    resolved.auth_code = Some(code.to_string());
    Ok(resolved)
}
