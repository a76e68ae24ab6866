//! What the company sells: hosting plans with billing cycles, and per-TLD
//! domain prices. Amounts are integer minor units of the catalog's currency.

use crate::money::Currency;
use crate::panel::ResellerTerms;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::clock::Clock;
use crate::store::{Item, Key, Query, SortKey, Table, TableError, TableResult};

const PARTITION: &str = "CATALOG";
/// Bump when the demo catalog changes, so existing data directories get it.
const DEMO_VERSION: &str = "SEEDED#5";
const DEMO: &str = include_str!("../catalog/demo.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    Shared,
    Email,
    Reseller,
    Vps,
    Dedicated,
    /// A dedicated server that the company runs: the customer gets no root.
    Managed,
    /// DNS hosting: our nameservers serve a zone the customer holds, as its
    /// primary (the customer's records) or its secondary (copied from the
    /// customer's own primary servers).
    Dns,
    /// A domain and nothing else: parked on our parking page.
    Domain,
}

impl PlanKind {
    pub const ALL: [PlanKind; 8] = [
        PlanKind::Shared,
        PlanKind::Email,
        PlanKind::Reseller,
        PlanKind::Vps,
        PlanKind::Dedicated,
        PlanKind::Managed,
        PlanKind::Dns,
        PlanKind::Domain,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanKind::Shared => "shared",
            PlanKind::Email => "email",
            PlanKind::Reseller => "reseller",
            PlanKind::Vps => "vps",
            PlanKind::Dedicated => "dedicated",
            PlanKind::Managed => "managed",
            PlanKind::Dns => "dns",
            PlanKind::Domain => "domain",
        }
    }

    /// Only a zone on our nameservers: no account, server or login.
    pub fn zone_only(self) -> bool {
        matches!(self, PlanKind::Dns | PlanKind::Domain)
    }

    /// Served from a machine of the pool rather than a panel or a hypervisor.
    pub fn on_a_machine(self) -> bool {
        matches!(self, PlanKind::Dedicated | PlanKind::Managed)
    }
}

/// How many months one billing cycle lasts: `monthly` 1, `annual` 12.
pub fn cycle_months(cycle: &str) -> Option<u32> {
    match cycle {
        "monthly" => Some(1),
        "annual" => Some(12),
        _ => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    pub id: String,
    pub kind: PlanKind,
    pub name: String,
    pub summary: String,
    /// Quotas and capabilities, e.g. `disk_gb`, `sites`, `mailboxes`, `vcpus`.
    pub limits: BTreeMap<String, u32>,
    /// Price per billing cycle (`monthly`, `annual`) in minor units.
    pub prices: BTreeMap<String, i64>,
    pub setup_fee: i64,
    /// Days of notice a cancellation needs (a dedicated server: 30).
    #[serde(default)]
    pub notice_days: u32,
    /// Days after an unpaid invoice's due date when the service is
    /// suspended: the last automatic charge is tried then. Absent: the last
    /// of the configured dunning days.
    #[serde(default)]
    pub suspend_after_days: Option<u32>,
    /// Days a service stays suspended for an unpaid invoice before it is
    /// terminated (ended and torn down, its backup kept).
    #[serde(default = "default_terminate_after_days")]
    pub terminate_after_days: u32,
    /// A reseller plan's privileges on the panel, by WHM's ACL names;
    /// empty: [`RESELLER_ACLS`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acls: Vec<String>,
    /// A dedicated or managed server's disks are copied before it is
    /// wiped when the service ends.
    #[serde(default)]
    pub backup_on_cancel: bool,
}

/// What a reseller may do unless its plan says otherwise: make, list,
/// suspend, upgrade and remove its own accounts and their DNS, and read
/// their use; never anything of the server's.
pub const RESELLER_ACLS: &[&str] = &[
    "acct-summary",
    "create-acct",
    "kill-acct",
    "list-accts",
    "suspend-acct",
    "upgrade-account",
    "passwd",
    "edit-mx",
    "create-dns",
    "kill-dns",
    "park-dns",
    "show-bandwidth",
    "allow-addoncreate",
    "allow-parkedcreate",
];

fn default_terminate_after_days() -> u32 {
    30
}

impl Plan {
    /// What a reseller plan gives on the panel: its privilege list, named
    /// after the plan, and its account and disk limits.
    pub fn reseller_terms(&self) -> ResellerTerms {
        let acls = if self.acls.is_empty() {
            RESELLER_ACLS.iter().map(|a| a.to_string()).collect()
        } else {
            self.acls.clone()
        };
        ResellerTerms {
            acl_list: format!("hostfront-{}", self.id),
            acls,
            account_limit: self.limits.get("accounts").copied().unwrap_or(1),
            disk_limit_mb: u64::from(self.limits.get("disk_gb").copied().unwrap_or(1)) * 1024,
        }
    }

    /// The days after the due date on which a charge is tried: the
    /// configured dunning days before the plan's suspension day, then that
    /// day; the service is suspended after the last.
    pub fn dunning_days(&self, configured: &[i64]) -> Vec<i64> {
        match self.suspend_after_days {
            None => configured.to_vec(),
            Some(last) => {
                let last = last as i64;
                let mut days: Vec<i64> = configured.iter().copied().filter(|d| *d < last).collect();
                days.push(last);
                days
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TldPrice {
    /// Without a leading dot: `com`, `co.uk`.
    pub tld: String,
    /// Display and suggestion order: 1 first.
    pub rank: u32,
    pub register: i64,
    pub transfer: i64,
    pub renew: i64,
    pub restore: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Catalog {
    /// ISO 4217 code of every amount in the catalog.
    pub currency: Currency,
    /// Whether its prices include the tax of the sale (then an invoice's
    /// subtotal is the price less its tax), or tax is added on top.
    #[serde(default)]
    pub prices_include_tax: bool,
    pub plans: Vec<Plan>,
    pub tlds: Vec<TldPrice>,
}

impl Catalog {
    pub fn demo() -> Catalog {
        serde_json::from_str(DEMO).expect("the bundled demo catalog is valid")
    }

    /// Plans by kind, then by monthly price; TLDs by rank.
    pub fn sorted(mut self) -> Catalog {
        self.plans
            .sort_by_key(|p| (p.kind as u8, p.prices.get("monthly").copied().unwrap_or(0)));
        self.tlds.sort_by_key(|t| t.rank);
        self
    }

    pub fn tld(&self, tld: &str) -> Option<&TldPrice> {
        self.tlds.iter().find(|t| t.tld == tld)
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }
}

fn entry(sk: String, kind: &str, body: Value) -> Item {
    let mut item = Key::new(PARTITION, sk).to_item();
    item.insert("kind".into(), kind.into());
    item.insert("body".into(), body);
    item
}

/// Writes the demo catalog unless this version of it was written before.
/// Safe to run on every start and after a crash half-way: the marker comes last.
pub async fn seed_demo(table: &dyn Table) -> TableResult<bool> {
    let marker = Key::new(PARTITION, DEMO_VERSION);
    if table.get(&marker).await?.is_some() {
        return Ok(false);
    }
    let demo = Catalog::demo();
    let settings = serde_json::json!({
        "currency": demo.currency,
        "prices_include_tax": demo.prices_include_tax,
    });
    table
        .put(entry("SETTINGS".into(), "catalog_settings", settings), None)
        .await?;
    for plan in &demo.plans {
        let body = serde_json::to_value(plan).expect("plans serialise");
        table
            .put(entry(format!("PLAN#{}", plan.id), "plan", body), None)
            .await?;
    }
    for tld in &demo.tlds {
        let body = serde_json::to_value(tld).expect("prices serialise");
        table
            .put(entry(format!("TLD#{}", tld.tld), "tld_price", body), None)
            .await?;
    }
    table.put(marker.to_item(), None).await?;
    Ok(true)
}

/// Reads the catalog: one query of its partition.
pub async fn load(table: &dyn Table) -> TableResult<Catalog> {
    let page = table
        .query(Query::partition(PARTITION).sort(SortKey::Any))
        .await?;
    let corrupt = |e: serde_json::Error| TableError::Backend(format!("corrupt catalog entry: {e}"));
    let mut catalog = Catalog {
        // A table not yet given its catalog's settings counts in dollars.
        currency: Currency::parse("USD").expect("USD is a currency"),
        prices_include_tax: false,
        plans: Vec::new(),
        tlds: Vec::new(),
    };
    for item in page.items {
        let body = item.get("body").cloned().unwrap_or(Value::Null);
        match item.get("kind").and_then(Value::as_str) {
            Some("catalog_settings") => {
                let code = body["currency"].as_str().unwrap_or_default();
                catalog.currency = Currency::parse(code)
                    .map_err(|e| TableError::Backend(format!("corrupt catalog settings: {e}")))?;
                catalog.prices_include_tax = body["prices_include_tax"].as_bool().unwrap_or(false);
            }
            Some("plan") => catalog
                .plans
                .push(serde_json::from_value(body).map_err(corrupt)?),
            Some("tld_price") => catalog
                .tlds
                .push(serde_json::from_value(body).map_err(corrupt)?),
            _ => {}
        }
    }
    catalog
        .plans
        .sort_by_key(|p| (p.kind as u8, p.prices.get("monthly").copied().unwrap_or(0)));
    catalog.tlds.sort_by_key(|t| t.rank);
    Ok(catalog)
}

/// The catalog as most requests need it: read from the table at most once per
/// `ttl` in each process (each Lambda container keeps its own copy).
pub struct CatalogCache {
    ttl: Duration,
    /// The catalog and when it was read (epoch milliseconds).
    cached: RwLock<Option<(i64, Arc<Catalog>)>>,
}

impl CatalogCache {
    pub fn new(ttl: Duration) -> Self {
        CatalogCache {
            ttl,
            cached: RwLock::new(None),
        }
    }

    pub async fn get(&self, table: &dyn Table, clock: &dyn Clock) -> TableResult<Arc<Catalog>> {
        let now = clock.now_millis();
        if let Some((at, catalog)) = self.cached.read().expect("not poisoned").as_ref()
            && (now - at) < self.ttl.as_millis() as i64
        {
            return Ok(catalog.clone());
        }
        let fresh = Arc::new(load(table).await?);
        *self.cached.write().expect("not poisoned") = Some((now, fresh.clone()));
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_suspends_on_its_own_day_after_the_dunning_days_before_it() {
        let mut plan = Catalog::demo().plans.remove(0);
        plan.suspend_after_days = None;
        assert_eq!(
            plan.dunning_days(&[0, 3, 7]),
            [0, 3, 7],
            "the configured days"
        );
        plan.suspend_after_days = Some(14);
        assert_eq!(plan.dunning_days(&[0, 3, 7]), [0, 3, 7, 14]);
        plan.suspend_after_days = Some(5);
        assert_eq!(plan.dunning_days(&[0, 3, 7]), [0, 3, 5]);
        plan.suspend_after_days = Some(0);
        assert_eq!(
            plan.dunning_days(&[0, 3, 7]),
            [0],
            "one try, then suspended"
        );
        for plan in Catalog::demo().plans {
            assert!(
                plan.suspend_after_days.is_some() && plan.terminate_after_days >= 30,
                "{}",
                plan.id
            );
        }
    }
}
