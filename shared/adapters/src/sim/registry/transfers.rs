//! Transfers in: a name registered elsewhere moves to us with its auth
//! code once the losing registrar's delay has passed.

use serde_json::json;

use hostfront_core::clock::add_years_secs;
use hostfront_core::registrar::{
    DomainInfo, DomainStatus, RegistrarError, TransferRequest, TransferState,
};
use hostfront_core::store::{Condition, ItemExt, TableError, Update};

use super::records::{create_domain, domain_key, info_of, with_expiry};
use super::world::{auth_code_for, registered_elsewhere};
use super::{SimulatedRegistry, YEAR_SECS, backend, refused};

impl SimulatedRegistry {
    pub(super) async fn request_transfer(
        &self,
        request: &TransferRequest,
    ) -> Result<TransferState, RegistrarError> {
        self.round_trip().await?;
        let domain = request.domain.as_str();
        if let Some(done) = self.replay(&request.idempotency_key, domain).await? {
            return Ok(done);
        }
        let filed = self
            .authorise(request.client_account.as_ref(), domain)
            .await?;
        if self.domain(domain).await?.is_some() {
            return Err(refused(
                "already_ours",
                format!("{domain} is already with us"),
            ));
        }
        if !registered_elsewhere(domain) {
            return Err(refused(
                "not_registered",
                format!("{domain} is not registered anywhere; register it instead"),
            ));
        }
        if request.auth_code.trim() != auth_code_for(domain) {
            let state = TransferState::Rejected {
                reason: "the auth code is not correct".into(),
            };
            let ops = vec![self.operation(
                &request.idempotency_key,
                domain,
                serde_json::to_value(&state).expect("serialises"),
            )];
            return self
                .commit(
                    ops,
                    &request.idempotency_key,
                    domain,
                    state.clone(),
                    refused("conflict", "retry"),
                )
                .await;
        }
        let pending = DomainInfo {
            domain: domain.to_string(),
            status: DomainStatus::PendingTransfer,
            expires_at: self.clock.now_secs() + YEAR_SECS / 2,
            nameservers: Vec::new(),
            locked: false,
        };
        let mut ops: Vec<_> = filed.into_iter().collect();
        ops.push(create_domain(
            &pending,
            &[("transfer_requested_at", json!(self.clock.now_secs()))],
            self.clock.now_secs(),
        ));
        ops.push(self.operation(
            &request.idempotency_key,
            domain,
            json!(TransferState::Pending),
        ));
        let started = refused(
            "already_pending",
            format!("a transfer of {domain} is already under way"),
        );
        self.commit(
            ops,
            &request.idempotency_key,
            domain,
            TransferState::Pending,
            started,
        )
        .await
    }

    pub(super) async fn transfer_state(
        &self,
        domain: &str,
    ) -> Result<TransferState, RegistrarError> {
        self.round_trip().await?;
        let item = self.ours(domain).await?;
        let Some(requested) = item.i64_attr("transfer_requested_at") else {
            return Ok(TransferState::Completed);
        };
        if info_of(&item, self.clock.now_secs()).status != DomainStatus::PendingTransfer {
            return Ok(TransferState::Completed);
        }
        if self.clock.now_secs() < requested + self.settings.transfer_delay.as_secs() as i64 {
            return Ok(TransferState::Pending);
        }
        if domain.starts_with("nack") {
            // The simulated world's losing registrar refuses these at the end.
            return Ok(TransferState::Rejected {
                reason: "the current registrar refused the transfer".into(),
            });
        }
        // A completed transfer adds a year to the registration, as registries do.
        let done = with_expiry(
            Update::new().set("status", json!(DomainStatus::Active)),
            domain,
            add_years_secs(item.i64_attr("expires_at").unwrap_or(0), 1),
        )
        .set("locked", true);
        let still_pending = Condition::eq("status", json!(DomainStatus::PendingTransfer));
        match self
            .table
            .update(&domain_key(domain), done, Some(still_pending))
            .await
        {
            Ok(_) | Err(TableError::ConditionFailed) => Ok(TransferState::Completed),
            Err(other) => Err(backend(other)),
        }
    }
}
