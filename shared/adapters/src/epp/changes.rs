//! Changing a domain we sponsor: its nameservers and its transfer lock.

use instant_epp::domain::NameServers;
use instant_epp::domain::Status;
use instant_epp::domain::update::{DomainAdd, DomainRemove, DomainUpdate};

use hostfront_core::registrar::RegistrarError;

use super::{EppRegistrar, host_objects, refused, transaction_id};

impl EppRegistrar {
    async fn update(&self, update: &DomainUpdate<'_>, id: &str) -> Result<(), RegistrarError> {
        self.sessions
            .with(async |client| client.transact(update, id).await.map(|_| ()))
            .await
            .map_err(Into::into)
    }

    pub(super) async fn change_nameservers(
        &self,
        domain: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError> {
        let info = self.ours(domain).await?.info;
        let added: Vec<String> = nameservers
            .iter()
            .filter(|ns| !info.nameservers.contains(ns))
            .cloned()
            .collect();
        let removed: Vec<String> = info
            .nameservers
            .iter()
            .filter(|ns| !nameservers.contains(ns))
            .cloned()
            .collect();
        let (added, removed) = (host_objects(&added), host_objects(&removed));
        let mut update = DomainUpdate::new(domain);
        if !added.is_empty() {
            update.add(DomainAdd {
                ns: Some(NameServers {
                    ns: added.as_slice().into(),
                }),
                contacts: None,
                statuses: None,
            });
        }
        if !removed.is_empty() {
            update.remove(DomainRemove {
                ns: Some(NameServers {
                    ns: removed.as_slice().into(),
                }),
                contacts: None,
                statuses: None,
            });
        }
        if added.is_empty() && removed.is_empty() {
            return Ok(());
        }
        let id = transaction_id(&format!("ns-{domain}-{}", nameservers.join(",")));
        self.update(&update, &id).await.map_err(policy_refusal)
    }

    pub(super) async fn change_lock(
        &self,
        domain: &str,
        locked: bool,
    ) -> Result<(), RegistrarError> {
        if self.ours(domain).await?.info.locked == locked {
            return Ok(());
        }
        let lock = [Status::ClientTransferProhibited];
        let mut update = DomainUpdate::new(domain);
        if locked {
            update.add(DomainAdd {
                ns: None,
                contacts: None,
                statuses: Some(&lock),
            });
        } else {
            update.remove(DomainRemove {
                ns: None,
                contacts: None,
                statuses: Some(&lock),
            });
        }
        let id = transaction_id(&format!("lock-{domain}-{locked}"));
        self.update(&update, &id).await
    }
}

/// A registry's policy refusal of a change (too few nameservers, a host it
/// does not know) as the port names it.
fn policy_refusal(error: RegistrarError) -> RegistrarError {
    match error {
        RegistrarError::Refused { message, .. } => refused("policy", message),
        other => other,
    }
}
