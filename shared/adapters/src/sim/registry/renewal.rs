//! Renewals: once per idempotency key, for the expiry the caller saw.

use serde_json::json;

use hostfront_core::clock::add_years_secs;
use hostfront_core::registrar::{DomainInfo, DomainStatus, RegistrarError, Renewal};
use hostfront_core::store::{Condition, ItemExt, TxOp, Update};

use super::records::{domain_key, info_of, with_expiry};
use super::world::phase;
use super::{SimulatedRegistry, refused};

impl SimulatedRegistry {
    pub(super) async fn renew_once(&self, request: &Renewal) -> Result<DomainInfo, RegistrarError> {
        self.round_trip().await?;
        let domain = request.domain.as_str();
        if let Some(done) = self.replay(&request.idempotency_key, domain).await? {
            return Ok(done);
        }
        if !(1..=10).contains(&request.years) {
            return Err(refused("invalid_period", "a renewal runs 1 to 10 years"));
        }
        let item = self.ours(domain).await?;
        let mut info = info_of(&item, self.clock.now_secs());
        // A request under the same key may have renewed it since we looked.
        if info.expires_at != request.current_expiry
            && let Some(done) = self.replay(&request.idempotency_key, domain).await?
        {
            return Ok(done);
        }
        if !info.status.renewable() {
            return Err(refused(
                "not_renewable",
                format!("{domain} cannot be renewed while {:?}", info.status),
            ));
        }
        if info.expires_at != request.current_expiry {
            return Err(refused(
                "expiry_mismatch",
                format!(
                    "{domain} expires at {}, not at {}",
                    info.expires_at, request.current_expiry
                ),
            ));
        }
        info.expires_at = add_years_secs(info.expires_at, request.years);
        info.status =
            phase(domain, info.expires_at, self.clock.now_secs()).unwrap_or(DomainStatus::Active);
        let update = with_expiry(
            Update::new().set("status", json!(DomainStatus::Active)),
            domain,
            info.expires_at,
        )
        .bump_version();
        let ops = vec![
            TxOp::Update {
                key: domain_key(domain),
                update,
                condition: Some(Condition::VersionIs(item.version())),
            },
            self.operation(
                &request.idempotency_key,
                domain,
                serde_json::to_value(&info).expect("serialises"),
            ),
        ];
        let moved = RegistrarError::Unavailable(format!("{domain} changed meanwhile; retry"));
        self.commit(ops, &request.idempotency_key, domain, info, moved)
            .await
    }
}
