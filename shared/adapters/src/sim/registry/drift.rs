//! What changes at the registry without us (the development tools and the
//! daily sync's tests make it drift).

use async_trait::async_trait;
use serde_json::json;

use hostfront_core::clock::add_years_secs;
use hostfront_core::registrar::{DomainStatus, Drift, Drifting, RegistrarError};
use hostfront_core::store::{Condition, ItemExt, TableError, Update};

use super::records::{domain_key, with_expiry};
use super::{SimulatedRegistry, backend};

#[async_trait]
impl Drifting for SimulatedRegistry {
    async fn drift(&self, domain: &str, drift: &Drift) -> Result<(), RegistrarError> {
        let item = self.ours(domain).await?;
        let update = match drift {
            Drift::RenewedElsewhere { years } => {
                let expires_at = item.i64_attr("expires_at").unwrap_or(0);
                with_expiry(Update::new(), domain, add_years_secs(expires_at, *years))
            }
            Drift::TransferredAway => Update::new().set("status", json!(DomainStatus::External)),
            Drift::Nameservers { nameservers } => {
                Update::new().set("nameservers", json!(nameservers))
            }
            Drift::Deleted => {
                return self
                    .table
                    .delete(&domain_key(domain), None)
                    .await
                    .map(|_| ())
                    .map_err(backend);
            }
        };
        self.change(domain, update.add("v", 1)).await
    }
}

impl SimulatedRegistry {
    pub(super) async fn change(&self, domain: &str, update: Update) -> Result<(), RegistrarError> {
        match self
            .table
            .update(&domain_key(domain), update, Some(Condition::Exists))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(RegistrarError::NotFound(domain.to_string())),
            Err(other) => Err(backend(other)),
        }
    }
}
