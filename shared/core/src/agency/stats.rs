//! The pipeline's figures for staff: its sites by status, its services by
//! kind, what the active ones bring in a month, and what is due for
//! renewal in the next 30 days. Read a page at a time, however many.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::AgencyError;
use super::services::{BillingPeriod, ClientService, ServiceStatus, by_expiry, service_of};
use super::site::{SiteStatus, all, site_of};
use crate::Storage;
use crate::lifecycle::Status;
use crate::store::Pages;

/// Items read per page.
const READ: usize = 200;

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct PipelineStats {
    pub total_sites: u64,
    pub live_sites: u64,
    /// Drafts, proofs of concept ready, and proposals sent.
    pub in_proof_of_concept: u64,
    pub sites_by_status: BTreeMap<String, u64>,
    pub active_services: u64,
    pub services_by_type: BTreeMap<String, u64>,
    /// What the active recurring services bring in a month, per currency,
    /// in minor units (a yearly price counts a twelfth, rounded down).
    pub monthly_revenue: BTreeMap<String, i64>,
    /// Active services whose last day is within the next 30 days.
    pub renewals_next_30_days: u64,
}

pub async fn pipeline(ports: &impl Storage) -> Result<PipelineStats, AgencyError> {
    let mut stats = PipelineStats::default();
    let mut sites = Pages::new(all(), READ);
    while let Some(items) = sites.next(ports.table()).await? {
        for item in &items {
            count_site(&mut stats, site_of(item)?.status);
        }
    }
    let soon = (ports.clock().now().date() + time::Duration::days(30)).to_string();
    let mut services = Pages::new(by_expiry(), READ);
    while let Some(items) = services.next(ports.table()).await? {
        for item in &items {
            count_service(&mut stats, &service_of(item)?, &soon);
        }
    }
    Ok(stats)
}

fn count_site(stats: &mut PipelineStats, status: SiteStatus) {
    stats.total_sites += 1;
    *stats
        .sites_by_status
        .entry(status.as_str().into())
        .or_default() += 1;
    match status {
        SiteStatus::Live => stats.live_sites += 1,
        SiteStatus::Draft | SiteStatus::PocReady | SiteStatus::ProposalSent => {
            stats.in_proof_of_concept += 1;
        }
        _ => {}
    }
}

fn count_service(stats: &mut PipelineStats, service: &ClientService, soon: &str) {
    if service.status != ServiceStatus::Active {
        return;
    }
    stats.active_services += 1;
    let kind = serde_variant::to_variant_name(&service.service_type).unwrap_or("other");
    *stats.services_by_type.entry(kind.into()).or_default() += 1;
    let monthly = match service.period {
        BillingPeriod::Monthly => service.price,
        BillingPeriod::Annual => service.price / 12,
        BillingPeriod::OneTime => 0,
    };
    *stats
        .monthly_revenue
        .entry(service.currency.to_string())
        .or_default() += monthly;
    if service.expires_on.as_deref().is_some_and(|day| day <= soon) {
        stats.renewals_next_30_days += 1;
    }
}
