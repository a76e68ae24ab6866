//! What the simulated panel's accounts use. The simulation's model: a new
//! account holds 50 MB and grows by 5 MB a day of its age; its sites serve
//! 30 MB a day, counted from the first of the month (or from the day it was
//! made, when later). A panel admin may set an account's use instead
//! (`set_usage`), as a panel shows a real account's: the disk figure stands
//! until set again, the bandwidth figure for the month it was set in. The
//! simulated panel enforces no quotas, so it reports no limits.

use hostfront_core::panel::{AccountUsage, PanelAdmin, PanelError};
use hostfront_core::store::{Item, ItemExt, Update};

use super::SimulatedPanel;

const NEW_ACCOUNT_MB: u64 = 50;
const DISK_MB_PER_DAY: u64 = 5;
const BANDWIDTH_MB_PER_DAY: u64 = 30;
const DAY_SECS: i64 = 86_400;

/// The month of `secs`, `YYYY-MM`.
fn month_of(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| format!("{:04}-{:02}", t.year(), u8::from(t.month())))
        .unwrap_or_default()
}

/// The account `item`'s use at `now` (epoch seconds), by the model or as set.
fn usage_of(item: &Item, username: &str, now: i64) -> AccountUsage {
    let created = item.i64_attr("created_at").unwrap_or(now);
    let age_days = ((now - created).max(0) / DAY_SECS) as u64;
    let disk = item
        .i64_attr("disk_used_mb")
        .map(|mb| mb.max(0) as u64)
        .unwrap_or(NEW_ACCOUNT_MB + DISK_MB_PER_DAY * age_days);
    let month = month_of(now);
    let bandwidth = match item.i64_attr("bandwidth_used_mb") {
        Some(mb) if item.str_attr("bandwidth_month") == Some(month.as_str()) => mb.max(0) as u64,
        _ => {
            let now_date = time::OffsetDateTime::from_unix_timestamp(now)
                .map(|t| t.date())
                .unwrap_or(time::Date::MIN);
            let month_start = now_date.replace_day(1).unwrap_or(now_date);
            let made = time::OffsetDateTime::from_unix_timestamp(created)
                .map(|t| t.date())
                .unwrap_or(now_date);
            let from = made.max(month_start);
            let days = ((now_date - from).whole_days().max(0) + 1) as u64;
            BANDWIDTH_MB_PER_DAY * days
        }
    };
    AccountUsage {
        username: username.to_string(),
        plan_id: item.str_attr("plan_id").unwrap_or_default().to_string(),
        suspended: item.get("suspended").and_then(|v| v.as_bool()) == Some(true),
        disk_used_mb: disk,
        disk_limit_mb: None,
        bandwidth_used_mb: bandwidth,
        bandwidth_limit_mb: None,
    }
}

impl SimulatedPanel {
    /// The use of the accounts `usernames` placed on `server`.
    pub(super) async fn read_usage(
        &self,
        server: &str,
        usernames: &[String],
    ) -> Result<Vec<AccountUsage>, PanelError> {
        self.round_trip().await?;
        let now = self.inventory.clock().now_secs();
        let mut found = Vec::new();
        for username in usernames {
            let Some(item) = self.account_item(username).await? else {
                continue;
            };
            let placed_on = item.get("account").and_then(|a| a["server"].as_str());
            if placed_on == Some(server) {
                found.push(usage_of(&item, username, now));
            }
        }
        Ok(found)
    }
}

/// The use a panel admin sees, set: what the panel then reports (the disk
/// until set again, the bandwidth for this month).
#[async_trait::async_trait]
impl PanelAdmin for SimulatedPanel {
    async fn set_usage(
        &self,
        username: &str,
        disk_used_mb: u64,
        bandwidth_used_mb: u64,
    ) -> Result<(), PanelError> {
        let month = month_of(self.inventory.clock().now_secs());
        let update = Update::new()
            .set("disk_used_mb", disk_used_mb as i64)
            .set("bandwidth_used_mb", bandwidth_used_mb as i64)
            .set("bandwidth_month", month);
        self.change_account(username, update).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn item(created_at: i64) -> Item {
        let mut item = Item::new();
        item.insert("created_at".into(), json!(created_at));
        item.insert("plan_id".into(), json!("web-starter"));
        item
    }

    #[test]
    fn use_grows_with_the_account_and_the_month() {
        // 2026-12-01T00:00:00Z, then ten days later.
        let first = 1_796_083_200;
        let used = usage_of(&item(first), "ann", first + 10 * DAY_SECS);
        assert_eq!(used.disk_used_mb, 100);
        assert_eq!(used.bandwidth_used_mb, 11 * 30);
        assert_eq!(used.plan_id, "web-starter");
    }

    #[test]
    fn use_set_by_an_admin_stands_and_bandwidth_only_for_its_month() {
        let first = 1_796_083_200;
        let mut set = item(first);
        set.insert("disk_used_mb".into(), json!(12_000));
        set.insert("bandwidth_used_mb".into(), json!(7));
        set.insert("bandwidth_month".into(), json!("2026-12"));
        let december = usage_of(&set, "ann", first + DAY_SECS);
        assert_eq!(
            (december.disk_used_mb, december.bandwidth_used_mb),
            (12_000, 7)
        );
        let january = usage_of(&set, "ann", first + 31 * DAY_SECS);
        assert_eq!(
            (january.disk_used_mb, january.bandwidth_used_mb),
            (12_000, 30)
        );
    }
}
