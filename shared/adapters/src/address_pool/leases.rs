//! Leases: one address a key, taken in a transaction of its own, so a
//! retry under the same key gets the same address back.

use std::net::Ipv4Addr;
use std::time::Duration;

use hostfront_core::store::{Condition, ItemExt, Key, TableError, TxOp};

use super::{AddressPool, PoolError, backend};

const ATTEMPTS: usize = 8;

impl AddressPool {
    fn lease_key(&self, idempotency_key: &str) -> Key {
        Key::new(
            format!("{}#LEASE#{idempotency_key}", self.range.prefix),
            "LEASE",
        )
    }

    /// The address leased to `idempotency_key`, leasing a free one if it
    /// has none: however many calls, at once or not, one address a key.
    pub async fn lease(&self, idempotency_key: &str) -> Result<Ipv4Addr, PoolError> {
        for _ in 0..ATTEMPTS {
            if let Some(address) = self.leased(idempotency_key).await? {
                return Ok(address);
            }
            let address = self.free(1).await?[0];
            let mut lease = self.lease_key(idempotency_key).to_item();
            lease.insert("kind".into(), "address_lease".into());
            lease.insert("address".into(), address.to_string().into());
            let ops = vec![
                self.hold_op(address, idempotency_key),
                TxOp::Put {
                    item: lease,
                    condition: Some(Condition::NotExists),
                },
            ];
            match self.table.transact(ops).await {
                Ok(()) => return Ok(address),
                // Taken by another key meanwhile, or our key leased one
                // in a call at the same time: look again.
                Err(TableError::TransactionConflict { .. } | TableError::Busy) => {
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..20))).await;
                }
                Err(other) => return Err(backend(other)),
            }
        }
        Err(PoolError::Unavailable(
            "the address pool is busy; try again".into(),
        ))
    }

    async fn leased(&self, idempotency_key: &str) -> Result<Option<Ipv4Addr>, PoolError> {
        let lease = self
            .table
            .get(&self.lease_key(idempotency_key))
            .await
            .map_err(backend)?;
        Ok(lease.and_then(|l| l.str_attr("address").and_then(|a| a.parse().ok())))
    }

    /// Gives back the address leased to `idempotency_key` when nothing was
    /// made with it (no room, a refusal); one given back already stays so.
    pub async fn give_back(&self, idempotency_key: &str) -> Result<(), PoolError> {
        let Some(address) = self.leased(idempotency_key).await? else {
            return Ok(());
        };
        let ops = self.release_ops(idempotency_key, &address.to_string());
        match self.table.transact(ops).await {
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    /// The writes that end the lease of `address` to `idempotency_key`.
    pub fn release_ops(&self, idempotency_key: &str, address: &str) -> Vec<TxOp> {
        vec![
            self.free_op(address, idempotency_key),
            TxOp::Delete {
                key: self.lease_key(idempotency_key),
                condition: None,
            },
        ]
    }
}
