//! The simulated panel's aliases: kept on the account's record, changed
//! only when no other change came between the read and the write.

use serde_json::json;

use hostfront_core::panel::PanelError;
use hostfront_core::store::{Condition, TableError, Update};

use super::{SimulatedPanel, backend, no_such_account};

impl SimulatedPanel {
    /// Changes the account's aliases with `change`, written only if no other
    /// change came between the read and the write (tried again if one did).
    pub(super) async fn change_aliases(
        &self,
        username: &str,
        change: impl Fn(&mut Vec<String>),
    ) -> Result<(), PanelError> {
        for _ in 0..5 {
            self.round_trip().await?;
            let item = self
                .account_item(username)
                .await?
                .ok_or_else(|| no_such_account(username))?;
            let before = item.get("aliases").cloned();
            let mut aliases: Vec<String> = before
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default();
            change(&mut aliases);
            let unchanged = match before {
                Some(before) => Condition::eq("aliases", before),
                None => Condition::AttributeNotExists("aliases".into()),
            };
            let update = Update::new().set("aliases", json!(aliases));
            let key = self.inventory.account_key(username);
            match self.table().update(&key, update, Some(unchanged)).await {
                Ok(_) => return Ok(()),
                Err(TableError::ConditionFailed) => continue,
                Err(other) => return Err(backend(other)),
            }
        }
        Err(PanelError::Unavailable("the account kept changing".into()))
    }
}
