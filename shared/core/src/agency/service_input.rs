//! A new client service as staff describe it, checked: its name, price,
//! currency and last day, and the status it starts in (a suspended site's
//! new service waits with it).

use time::OffsetDateTime;

use super::services::ServiceStatus::{Active, Pending, Suspended};
use super::services::{BillingPeriod, ClientService, NewService};
use super::site::{HostedSite, SiteStatus};
use super::{AgencyError, fields, invalid};
use crate::clock;
use crate::money::Currency;

/// A day written `YYYY-MM-DD`.
pub(super) fn day(field: &'static str, value: &str) -> Result<String, AgencyError> {
    let value = value.trim();
    let bad = || {
        invalid(
            "invalid_date",
            format!("{field}: a day from 2000 to 9999 written YYYY-MM-DD"),
        )
    };
    // Ten ASCII characters: no sign, no wider year.
    let shaped = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let date = time::Date::parse(
        value,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .filter(|date| shaped && date.year() >= 2000)
    .ok_or_else(bad)?;
    Ok(date.to_string())
}

pub(super) fn checked(
    site: &HostedSite,
    new: NewService,
    now: OffsetDateTime,
) -> Result<ClientService, AgencyError> {
    if !(0..=100_000_000).contains(&new.price) {
        return Err(invalid(
            "invalid_price",
            "price: 0 to 100,000,000 minor units",
        ));
    }
    let currency = Currency::parse(&new.currency).map_err(|_| {
        invalid(
            "invalid_currency",
            "currency: an ISO 4217 currency counted in cents, such as EUR or USD",
        )
    })?;
    let expires_on = new
        .expires_on
        .as_deref()
        .map(|d| day("expires_on", d))
        .transpose()?;
    // A pending one that renews by itself starts when it becomes active
    // (with its site going live, say), billed from that day.
    if expires_on.is_none()
        && new.period != BillingPeriod::OneTime
        && !(new.pending && new.auto_renew)
    {
        return Err(invalid(
            "expiry_required",
            "a service billed monthly or yearly needs expires_on, unless it is pending and renews by itself: then it starts, billed, when it becomes active",
        ));
    }
    let provider = new
        .provider
        .as_deref()
        .map(|p| fields::name("provider", p, 120))
        .transpose()?;
    Ok(ClientService {
        id: ulid::Ulid::new().to_string(),
        site_id: site.id.clone(),
        service_type: new.service_type,
        name: fields::name("name", &new.name, 120)?,
        // A suspended site's new service waits with it, and comes back with it.
        status: match (new.pending, site.status) {
            (true, _) => Pending,
            (false, SiteStatus::Suspended) => Suspended,
            (false, _) => Active,
        },
        period: new.period,
        price: new.price,
        currency,
        expires_on,
        auto_renew: new.auto_renew,
        notes: fields::notes("notes", new.notes.as_deref().unwrap_or(""), 4000)?,
        provider,
        provisioned: None,
        suspended_with_site: site.status == SiteStatus::Suspended && !new.pending,
        created_at: clock::rfc3339_millis(now),
        v: 1,
    })
}
