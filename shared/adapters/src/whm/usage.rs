//! What a server's accounts use, read for the whole server at once: WHM
//! API 1 `listaccts` without a search lists every account with its
//! package, suspension, `diskused` and `disklimit` (`"14M"`, `"unlimited"`),
//! and `showbw` gives every account's bytes this month (`totalbytes`) and
//! limit (`limit`, bytes, 0 when unlimited). Both as api.docs.cpanel.net
//! documents them (Account Management › listaccts; Bandwidth and Disk
//! Quotas › showbw).

use std::collections::HashMap;

use serde_json::Value;

use hostfront_core::panel::{AccountUsage, PanelError};

use super::{WhmPanel, is_suspended};

const MB: u64 = 1024 * 1024;

/// `"14M"` → 14; `"unlimited"` (or anything unreadable) → `None`.
fn megabytes(text: &Value) -> Option<u64> {
    let text = text.as_str()?.trim();
    text.strip_suffix('M')
        .unwrap_or(text)
        .parse::<f64>()
        .ok()
        .map(|mb| mb.ceil() as u64)
}

/// A number WHM may send as a number or as a string of digits.
fn number(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `showbw`'s bytes this month and limit (when there is one), in MB, by user.
fn bandwidth_by_user(data: &Value) -> HashMap<String, (u64, Option<u64>)> {
    data["acct"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            let used = number(&a["totalbytes"]).unwrap_or(0).div_ceil(MB);
            let limit = number(&a["limit"]).filter(|l| *l > 0).map(|l| l / MB);
            Some((a["user"].as_str()?.to_string(), (used, limit)))
        })
        .collect()
}

impl WhmPanel {
    /// Two calls to `server`, however many accounts it has.
    pub(super) async fn server_usage(
        &self,
        server: &str,
        usernames: &[String],
    ) -> Result<Vec<AccountUsage>, PanelError> {
        let unavailable = |f: super::api::Fault| match f {
            // Listing is never refused for what it asks: the server is unwell.
            super::api::Fault::Refused(reason) => {
                PanelError::Unavailable(format!("{server} would not list its accounts: {reason}"))
            }
            other => other.into_panel_error("panel_refused"),
        };
        let accounts = self
            .api
            .whm(server, "listaccts", &[])
            .await
            .map_err(unavailable)?;
        let bandwidth = self
            .api
            .whm(server, "showbw", &[])
            .await
            .map_err(unavailable)?;
        let bandwidth = bandwidth_by_user(&bandwidth);
        Ok(accounts["acct"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let user = a["user"].as_str()?;
                if !usernames.iter().any(|u| u == user) {
                    return None;
                }
                let (bandwidth_used_mb, bandwidth_limit_mb) =
                    bandwidth.get(user).copied().unwrap_or((0, None));
                Some(AccountUsage {
                    username: user.to_string(),
                    plan_id: a["plan"].as_str().unwrap_or_default().to_string(),
                    suspended: is_suspended(a),
                    disk_used_mb: megabytes(&a["diskused"]).unwrap_or(0),
                    disk_limit_mb: megabytes(&a["disklimit"]),
                    bandwidth_used_mb,
                    bandwidth_limit_mb,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn whm_sizes_read_as_megabytes() {
        assert_eq!(megabytes(&json!("14M")), Some(14));
        assert_eq!(megabytes(&json!("0.5M")), Some(1));
        assert_eq!(megabytes(&json!("unlimited")), None);
        let bw = bandwidth_by_user(&json!({"acct": [
            {"user": "ann", "totalbytes": 3 * MB + 1, "limit": 0},
            {"user": "bob", "totalbytes": "0", "limit": "5242880"},
        ]}));
        assert_eq!(bw["ann"], (4, None));
        assert_eq!(bw["bob"], (0, Some(5)));
    }
}
