//! Every site's services for staff, a page of the expiry index (`gsi1`
//! `CLIENTSERVICES` / `<expires_on or 9999-12-31>#<id>`) at a time:
//! soonest or latest last day first; `from`/`to` days of the last day (and
//! "expiring within so many days", past ones too), a range of the index; a
//! status, a kind and a search of the name applied to the pages read. Each
//! comes with its site's business name, and a linked service as its record
//! says now.

use std::collections::HashMap;

use serde::Serialize;
use time::macros::date;
use time::{Duration, OffsetDateTime, Time};
use utoipa::ToSchema;

use super::links;
use super::services::{ClientService, by_expiry, service_of};
use super::site::{self, site_of};
use crate::Storage;
use crate::lifecycle::Status;
use crate::listing::csv::{self, CsvRow};
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::store::{Item, MAX_BATCH_GET, SortKey, TableResult};

/// `q` matches any part of a service's name, case ignored.
pub const CLIENT_SERVICES: Listing = Listing {
    name: "client-services",
    sorts: &[Sort::Soonest, Sort::Latest],
    statuses: &["pending", "active", "suspended", "expired", "cancelled"],
    kinds: &["domain", "email", "ssl", "hosting", "website_maintenance"],
    dates: true,
    search: true,
};

/// The most days "expiring within" looks ahead: ten years.
pub const MOST_DAYS_AHEAD: u32 = 3660;

/// A service as the list shows it: with its site's business name.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedService {
    #[serde(flatten)]
    pub service: ClientService,
    /// The business name of its site.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
}

/// `asked` narrowed to the services whose last day is within `days` days
/// from today (UTC), days gone by too: its `to` moves no later than that.
pub fn expiring_within(
    ports: &impl Storage,
    mut asked: Asked,
    days: Option<u32>,
) -> Result<Asked, ListingError> {
    let Some(days) = days else {
        return Ok(asked);
    };
    if days > MOST_DAYS_AHEAD {
        return Err(ListingError::Invalid {
            code: "invalid_date",
            message: format!("expiring_within_days: 0 to {MOST_DAYS_AHEAD}"),
        });
    }
    let last = ports.clock().now().date() + Duration::days(i64::from(days));
    let end = OffsetDateTime::new_utc(last, Time::MIDNIGHT).unix_timestamp() * 1000 + 86_399_999;
    asked.to_ms = Some(asked.to_ms.map_or(end, |to| to.min(end)));
    Ok(asked)
}

/// The expiry index's key on the day of `ms` (UTC); `last`: the greatest
/// key of that day. A service without a last day, filed at 9999-12-31, is
/// in no range.
fn day_key(ms: i64, last: bool) -> String {
    let day = OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|at| at.date())
        .unwrap_or(date!(1970 - 01 - 01))
        .min(date!(9999 - 12 - 30));
    if last {
        format!("{day}#~")
    } else {
        day.to_string()
    }
}

fn wanted(service: &ClientService, asked: &Asked) -> bool {
    let kind = serde_json::to_value(service.service_type).ok();
    let kind = kind.as_ref().and_then(|k| k.as_str());
    asked
        .status
        .as_deref()
        .is_none_or(|s| s == service.status.as_str())
        && asked.kind.as_deref().is_none_or(|k| Some(k) == kind)
        && asked
            .q
            .as_deref()
            .is_none_or(|q| service.name.to_lowercase().contains(q))
}

/// A page of every site's services as `asked` says.
pub async fn list(
    ports: &impl Storage,
    asked: &Asked,
) -> Result<Listed<ListedService>, ListingError> {
    if let (Some(from), Some(to)) = (asked.from_ms, asked.to_ms)
        && from > to
    {
        return Ok(Asked::nothing());
    }
    let query = by_expiry().sort(asked.date_range(day_key, SortKey::Any));
    let keep = |item: &Item| -> TableResult<Option<ClientService>> {
        let service = service_of(item)?;
        Ok(wanted(&service, asked).then_some(service))
    };
    let page = listing::read(ports.table(), query, asked, keep).await?;
    let services = links::followed(ports, page.items).await?;
    Ok(Listed {
        items: named(ports, services).await?,
        next: page.next,
    })
}

/// `services` with their sites' business names, read a batch at a time.
async fn named(
    ports: &impl Storage,
    services: Vec<ClientService>,
) -> TableResult<Vec<ListedService>> {
    let mut sites: Vec<&str> = services.iter().map(|s| s.site_id.as_str()).collect();
    sites.sort_unstable();
    sites.dedup();
    let mut names = HashMap::new();
    for batch in sites.chunks(MAX_BATCH_GET) {
        let keys: Vec<_> = batch.iter().map(|id| site::key(id)).collect();
        for item in ports.table().get_many(&keys).await?.iter().flatten() {
            let site = site_of(item)?;
            names.insert(site.id, site.business_name);
        }
    }
    Ok(services
        .into_iter()
        .map(|service| ListedService {
            site_name: names.get(&service.site_id).cloned(),
            service,
        })
        .collect())
}

impl CsvRow for ListedService {
    const HEADER: &'static [&'static str] = &[
        "service",
        "site",
        "site_name",
        "kind",
        "name",
        "status",
        "period",
        "price",
        "currency",
        "last_day",
        "auto_renew",
        "provider",
        "provisioned",
        "created",
    ];

    fn cells(&self) -> Vec<String> {
        let s = &self.service;
        let word = |value: serde_json::Value| value.as_str().unwrap_or_default().to_string();
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            s.id.clone(),
            s.site_id.clone(),
            text(&self.site_name),
            word(serde_json::json!(s.service_type)),
            s.name.clone(),
            s.status.as_str().into(),
            word(serde_json::json!(s.period)),
            csv::amount(s.price),
            s.currency.to_string(),
            text(&s.expires_on),
            s.auto_renew.to_string(),
            text(&s.provider),
            text(&s.provisioned),
            s.created_at.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_of_days_leaves_out_services_without_a_last_day() {
        assert_eq!(day_key(0, false), "1970-01-01");
        assert_eq!(day_key(86_399_999, true), "1970-01-01#~");
        let open_end = day_key(listing::END_OF_TIME_MS, true);
        assert_eq!(open_end, "9999-12-30#~");
        assert!(open_end.as_str() < "9999-12-31#01ARZ3NDEKTSV4RRFFQ69G5FAV");
    }
}
