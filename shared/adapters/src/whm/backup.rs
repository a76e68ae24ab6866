//! A removed account's last backup: copied by its server over SCP to the
//! backup host, which keeps it for the days configured.

use secrecy::ExposeSecret;

use hostfront_core::panel::{Backup, PanelError};
use hostfront_core::store::{Condition, Update};

use super::WhmPanel;
use crate::inventory::Inventory;

/// `scp://user@host[:port]/directory` as its parts.
pub(super) struct BackupTarget {
    user: String,
    host: String,
    port: String,
    directory: String,
}

pub(super) fn backup_target(target: &str) -> Result<BackupTarget, String> {
    let invalid = || {
        format!("HOSTFRONT_WHM_BACKUP_TARGET {target:?} is not scp://user@host[:port]/directory")
    };
    let rest = target.strip_prefix("scp://").ok_or_else(invalid)?;
    let (authority, directory) = rest.split_once('/').ok_or_else(invalid)?;
    let (user, host_port) = authority.split_once('@').ok_or_else(invalid)?;
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "22"));
    if user.is_empty() || host.is_empty() || port.parse::<u16>().is_err() {
        return Err(invalid());
    }
    Ok(BackupTarget {
        user: user.into(),
        host: host.into(),
        port: port.into(),
        directory: format!("/{directory}"),
    })
}

impl WhmPanel {
    /// A full backup copied to the backup host, which keeps it after the
    /// account is gone.
    pub(super) async fn back_up_to_target(
        &self,
        username: &str,
        idempotency_key: &str,
    ) -> Result<Backup, PanelError> {
        if let Some(done) = self.inventory.replay(idempotency_key).await? {
            return Ok(done);
        }
        let account = self.placed(username).await?;
        let settings = self.api.settings();
        let target =
            backup_target(&settings.backup_target).map_err(|message| PanelError::Refused {
                code: "backups_not_configured".into(),
                message,
            })?;
        if settings.backup_password.expose_secret().is_empty() {
            return Err(PanelError::Refused {
                code: "backups_not_configured".into(),
                message: "this process has no HOSTFRONT_WHM_BACKUP_PASSWORD: backups are copied by the worker".into(),
            });
        }
        let params = [
            ("host", target.host.as_str()),
            ("port", target.port.as_str()),
            ("directory", target.directory.as_str()),
            ("username", target.user.as_str()),
            ("password", settings.backup_password.expose_secret()),
        ];
        let started = self
            .uapi(
                &account,
                "Backup",
                "fullbackup_to_scp_with_password",
                &params,
            )
            .await?;
        let now = self.inventory.clock().now();
        let process = started["pid"]
            .as_str()
            .map(str::to_string)
            .or_else(|| started["pid"].as_i64().map(|p| p.to_string()))
            .unwrap_or_default();
        let backup = Backup {
            id: format!("{}-{process}", Inventory::server_name(&account)),
            username: username.to_string(),
            taken_at: hostfront_core::clock::rfc3339(now),
            kept_until: (now.date() + time::Duration::days(settings.backup_days.into()))
                .to_string(),
        };
        let started_at = hostfront_core::store::TxOp::Update {
            key: self.inventory.account_key(username),
            update: Update::new().set("backup_started_at", now.unix_timestamp()),
            condition: Some(Condition::Exists),
        };
        self.inventory
            .finish(idempotency_key, backup, vec![started_at])
            .await
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_target_is_an_scp_url() {
        let t = backup_target("scp://backup@vault.example.net:2222/srv/hostfront").unwrap();
        assert_eq!(
            (
                t.user.as_str(),
                t.host.as_str(),
                t.port.as_str(),
                t.directory.as_str()
            ),
            ("backup", "vault.example.net", "2222", "/srv/hostfront")
        );
        assert_eq!(backup_target("scp://b@vault/x").unwrap().port, "22");
        for bad in [
            "vault:/x",
            "scp://vault/x",
            "scp://b@vault:ssh/x",
            "scp://b@vault",
        ] {
            assert!(backup_target(bad).is_err(), "{bad}");
        }
    }
}
