//! What an order's domain choice resolves to: the domain as stored, the
//! marker that keeps it unique, its line on the invoice and, for a
//! transfer, the auth code. Each choice (register, transfer, external, free
//! subdomain) is checked here before anything is written.

use super::create::DomainRequest;
use super::invoice::InvoiceLine;
use super::{DomainAction, OrderDomain, OrderError, conflict, domain_marker, invalid};
use crate::catalog::Catalog;
use crate::domains::name::{self, Searched};
use crate::domains::{self, subdomains};
use crate::store::Key;
use crate::{Hosting, Registry, Settings};

/// The order's domain, the marker that keeps it unique and its invoice line.
pub(super) struct ResolvedDomain {
    pub(super) domain: OrderDomain,
    pub(super) marker: Key,
    pub(super) line: Option<InvoiceLine>,
    pub(super) auth_code: Option<String>,
}

pub(super) async fn resolve_domain(
    services: &(impl Settings + Registry + Hosting),
    catalog: &Catalog,
    request: &DomainRequest,
) -> Result<ResolvedDomain, OrderError> {
    if request.action == DomainAction::Subdomain {
        let label = subdomains::validate(services, &request.name)
            .await
            .map_err(|e| match e {
                subdomains::SubdomainError::Name(e) => invalid(e.code, e.message),
                subdomains::SubdomainError::Table(e) => e.into(),
                subdomains::SubdomainError::Unavailable(message) => {
                    OrderError::Unavailable(message)
                }
            })?;
        let name = format!("{label}.{}", services.config().subdomain_zone);
        return Ok(ResolvedDomain {
            domain: OrderDomain {
                action: request.action,
                unicode: name.clone(),
                name,
            },
            marker: subdomains::marker_key(&label),
            line: None,
            auth_code: None,
        });
    }
    let parsed = match name::parse(&request.name).map_err(|e| invalid(e.code, e.message))? {
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
    let zone = &services.config().subdomain_zone;
    if parsed.ascii == *zone || parsed.ascii.ends_with(&format!(".{zone}")) {
        return Err(invalid(
            "company_domain",
            format!(
                "{} belongs to us; order a free subdomain of it instead",
                parsed.unicode
            ),
        ));
    }
    let domain = OrderDomain {
        action: request.action,
        name: parsed.ascii.clone(),
        unicode: parsed.unicode.clone(),
    };
    let mut resolved = ResolvedDomain {
        marker: domain_marker(&domain.name),
        domain,
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
    let answer = domains::live_check(services, std::slice::from_ref(&parsed.ascii))
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "live check failed while ordering");
            OrderError::Unavailable(
                "the domain registry is not answering right now; please try again shortly".into(),
            )
        })?
        .pop()
        .ok_or_else(|| OrderError::Unavailable("the registry gave no answer".into()))?;
    let shown = &parsed.unicode;
    if request.action == DomainAction::Register {
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
        resolved.line = Some(InvoiceLine {
            description: format!("Registration of {shown}, 1 year"),
            amount,
        });
    } else {
        if answer.available {
            return Err(invalid(
                "not_registered",
                format!("{shown} is not registered anywhere; register it instead"),
            ));
        }
        let raw = request.auth_code.as_deref().unwrap_or("");
        let code = raw.trim();
        if code.is_empty() || raw.chars().count() > 64 {
            return Err(invalid(
                "auth_code_required",
                "a transfer needs the domain's auth code from its current registrar",
            ));
        }
        resolved.auth_code = Some(code.to_string());
        resolved.line = Some(InvoiceLine {
            description: format!("Transfer of {shown}, adds 1 year"),
            amount: price.transfer,
        });
    }
    Ok(resolved)
}
