//! What the hosting panel said of a service at its last read (the daily
//! `panel-sync` check): the panel's admins may suspend an account, change
//! its package or add domains to it, and its use grows. It is kept on the
//! service (`panel_state`) and shown with it to staff and to its owner.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Subscription;
use crate::CustomerId;
use crate::store::{Query, SortKey, Table, TableResult, all_items, record_of};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PanelState {
    /// The panel has the account suspended.
    pub suspended: bool,
    /// The package the panel enforces.
    pub plan_id: String,
    /// Domains the account serves that the service does not list: added in the panel.
    pub unknown_sites: Vec<String>,
    /// Disk used, MB.
    pub disk_used_mb: u64,
    /// The plan's disk, MB (the panel's own quota where the plan sets
    /// none); null when neither does.
    pub disk_limit_mb: Option<u64>,
    /// Bandwidth used this calendar month, MB.
    pub bandwidth_used_mb: u64,
    /// The plan's monthly bandwidth, MB (the panel's own limit where the
    /// plan sets none); null when neither does.
    pub bandwidth_limit_mb: Option<u64>,
    /// RFC 3339, UTC.
    pub read_at: String,
}

/// A service as staff and its owner see it: with what its panel last said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ServiceShown {
    #[serde(flatten)]
    pub service: Subscription,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_state: Option<PanelState>,
}

/// A customer's services, each with its panel's last word.
pub async fn shown_of_customer(
    table: &dyn Table,
    customer_id: &CustomerId,
) -> TableResult<Vec<ServiceShown>> {
    let query = Query::partition(format!("CUSTOMER#{customer_id}"))
        .sort(SortKey::BeginsWith("SERVICE#".into()));
    all_items(table, query)
        .await?
        .iter()
        .map(|item| record_of(item, "service"))
        .collect()
}
