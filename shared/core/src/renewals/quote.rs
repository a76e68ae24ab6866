//! What renewing a domain for some years costs, from the registry's view of
//! the domain now: the renewal price per year while active or in auto-renew
//! grace, plus the restore fee in redemption; not renewable in pending delete.

use crate::money::Currency;
use serde::Serialize;
use utoipa::ToSchema;

use super::RenewalError;
use crate::billing::InvoiceLine;
use crate::clock::add_years_secs;
use crate::domains::name::{self, Searched};
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::registrar::{DomainStatus, RegistrarError};
use crate::{Catalogs, Registry, Storage};

/// No domain is registered further ahead than this.
pub const MAX_YEARS_AHEAD: i64 = 10;

/// What renewing a domain for some years costs and does.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Quote {
    pub domain: String,
    /// Where the domain stands at the registry now.
    pub phase: DomainStatus,
    /// Epoch seconds.
    pub current_expiry: i64,
    pub years: u32,
    /// Epoch seconds.
    pub new_expiry: i64,
    /// The most years it may be renewed for now: never past ten years from today.
    pub max_years: u32,
    pub lines: Vec<InvoiceLine>,
    /// Before tax, in minor units.
    pub subtotal: i64,
    pub currency: Currency,
}

/// The most whole calendar years a domain expiring at `expires_at` may be
/// renewed for at `now`: its new expiry never past ten years from today.
fn max_years(expires_at: i64, now: i64) -> u32 {
    let limit = add_years_secs(now, MAX_YEARS_AHEAD as u32);
    (0..MAX_YEARS_AHEAD as u32)
        .take_while(|years| add_years_secs(expires_at, years + 1) <= limit)
        .count() as u32
}

/// The price of renewing `domain` for `years`, or why it cannot be renewed.
pub async fn quote(
    ports: &(impl Storage + Registry + Catalogs),
    domain: &OwnedDomain,
    years: u32,
) -> Result<Quote, RenewalError> {
    let info = ports
        .registrar()
        .info(&domain.name)
        .await
        .map_err(|error| match error {
            RegistrarError::Unavailable(message) => RenewalError::Unavailable(message),
            RegistrarError::QuotaSpent => {
                RenewalError::Unavailable(RegistrarError::QuotaSpent.to_string())
            }
            RegistrarError::NotFound(_) => not_renewable(
                "released",
                format!(
                    "{} has been released by the registry and is no longer yours",
                    domain.unicode
                ),
            ),
            RegistrarError::Refused { message, .. } => not_renewable("refused", message),
        })?;
    quote_at(ports, domain, (info.status, info.expires_at), years).await
}

/// The price of renewing `domain` for `years` as its record stands (the
/// daily sync or a refresh keeps it in agreement with the registry),
/// without asking the registry: what the portal shows.
pub async fn quote_from_record(
    ports: &(impl Storage + Catalogs),
    domain: &OwnedDomain,
    years: u32,
) -> Result<Quote, RenewalError> {
    let phase = match domain.status {
        OwnedStatus::Active => DomainStatus::Active,
        OwnedStatus::Expired => match domain.phase {
            Some(
                phase @ (DomainStatus::AutoRenewGrace
                | DomainStatus::Redemption
                | DomainStatus::PendingDelete),
            ) => phase,
            _ => DomainStatus::AutoRenewGrace,
        },
        OwnedStatus::TransferPending => DomainStatus::PendingTransfer,
        OwnedStatus::TransferFailed | OwnedStatus::TransferredOut => DomainStatus::External,
        OwnedStatus::Deleted => {
            return Err(not_renewable(
                "released",
                format!(
                    "{} has been released by the registry and is no longer yours",
                    domain.unicode
                ),
            ));
        }
    };
    let expires_at = domain
        .expires_at
        .ok_or_else(|| RenewalError::Unavailable("the domain's expiry is not known yet".into()))?;
    quote_at(ports, domain, (phase, expires_at), years).await
}

/// The price of renewing `domain`, in registry phase `phase` and expiring
/// at `expires_at`, for `years`.
async fn quote_at(
    ports: &(impl Storage + Catalogs),
    domain: &OwnedDomain,
    (phase, expires_at): (DomainStatus, i64),
    years: u32,
) -> Result<Quote, RenewalError> {
    let info = crate::registrar::DomainInfo {
        domain: domain.name.clone(),
        status: phase,
        expires_at,
        nameservers: Vec::new(),
        locked: false,
    };
    renewable_in(domain, info.status)?;
    let max_years = max_years(info.expires_at, ports.clock().now_secs());
    if max_years == 0 {
        return Err(not_renewable(
            "renewed_to_the_limit",
            format!(
                "{} is registered as far ahead as registries allow (ten years)",
                domain.unicode
            ),
        ));
    }
    if !(1..=max_years).contains(&years) {
        return Err(RenewalError::TooManyYears { max_years });
    }
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let suffix = match name::parse(&domain.name) {
        Ok(Searched::Domain(parsed)) => parsed.suffix,
        _ => String::new(),
    };
    let price = catalog.tld(&suffix).ok_or_else(|| {
        not_renewable(
            "tld_not_sold",
            format!("we no longer sell .{suffix} domains; transfer it to another registrar"),
        )
    })?;
    let plural = if years == 1 { "year" } else { "years" };
    let mut lines = vec![InvoiceLine::new(
        format!("{}, renewal, {years} {plural}", domain.unicode),
        price.renew * years as i64,
    )];
    if info.status == DomainStatus::Redemption {
        lines.push(InvoiceLine::new(
            format!("{}, restore from redemption", domain.unicode),
            price.restore,
        ));
    }
    Ok(Quote {
        domain: domain.name.clone(),
        phase: info.status,
        current_expiry: info.expires_at,
        years,
        new_expiry: add_years_secs(info.expires_at, years),
        max_years,
        subtotal: lines.iter().map(|l| l.amount).sum(),
        lines,
        currency: catalog.currency.clone(),
    })
}

/// Refuses a domain the registry will not renew in `phase`: about to be
/// deleted, being transferred, or with another registrar.
fn renewable_in(domain: &OwnedDomain, phase: DomainStatus) -> Result<(), RenewalError> {
    match phase {
        DomainStatus::PendingDelete => Err(not_renewable(
            "pending_delete",
            format!(
                "{} is about to be deleted by the registry and can no longer be renewed; once it is released you may register it again",
                domain.unicode
            ),
        )),
        DomainStatus::PendingTransfer => Err(not_renewable(
            "transfer_pending",
            format!(
                "{} can be renewed once its transfer is complete",
                domain.unicode
            ),
        )),
        DomainStatus::External => Err(not_renewable(
            "not_ours",
            format!("{} is with another registrar", domain.unicode),
        )),
        _ => Ok(()),
    }
}

fn not_renewable(code: &'static str, message: impl Into<String>) -> RenewalError {
    RenewalError::NotRenewable {
        code,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::max_years;
    use time::macros::datetime;

    #[test]
    fn the_ten_year_limit_counts_calendar_years() {
        let now = datetime!(2027-12-06 12:00 UTC).unix_timestamp();
        let a_year_on = datetime!(2028-12-06 12:00 UTC).unix_timestamp();
        assert_eq!(max_years(a_year_on, now), 9, "across the leap day of 2028");
        let expired = datetime!(2027-11-20 12:00 UTC).unix_timestamp();
        assert_eq!(max_years(expired, now), 10);
        let at_the_limit = datetime!(2037-12-06 12:00 UTC).unix_timestamp();
        assert_eq!(max_years(at_the_limit, now), 0);
    }
}
