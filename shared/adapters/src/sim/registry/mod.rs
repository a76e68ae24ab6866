//! A simulated domain registry: the embedded default, and an honest stand-in
//! for a real registrar in tests and demos. It is not a mock:
//!
//! - its registrations, transfers and renewals persist in the table
//!   (`SIMREG#<domain>` items), so it remembers what it registered;
//! - it starts with a realistic world of names registered elsewhere (short
//!   names and dictionary words on the classic TLDs, and well-known brands
//!   everywhere), and marks short dictionary words on new TLDs as premium;
//! - its latency and failure rate are configurable for tests and benchmarks;
//! - every change is idempotent by its key: a retry returns the first answer.
//!
//! Client accounts: with `client_accounts` set, it requires one for every
//! registration and transfer, as registrars such as OpenSRS do
//! (`client_accounts`).
//!
//! Transfers: a name registered elsewhere transfers with the auth code
//! `auth_code_for(name)` (`AUTH-` and 8 hex digits) and completes once
//! `transfer_delay` has passed, unless the name starts with `nack`: those the
//! losing registrar refuses at the end.

mod client_accounts;
mod drift;
mod records;
mod renewal;
mod transfers;
mod world;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use hostfront_core::clock::{Clock, add_years_secs};

use hostfront_core::registrar::{
    Availability, ClientAccount, Contact, DomainInfo, DomainStatus, Registrar, RegistrarError,
    Registration, Renewal, TransferRequest, TransferState,
};
use hostfront_core::store::{
    Condition, Item, ItemExt, Key, MAX_BATCH_GET, Table, TableError, TxOp, Update,
};
use records::{create_domain, domain_key, info_of, operation_key};
use world::stable_hash;
pub use world::{auth_code_for, phase, registered_elsewhere, static_availability};

/// A span of about a year, for the expiries the simulated world makes up.
const YEAR_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Clone, Copy)]
pub struct SimulationSettings {
    /// Added to every call, as a registry's round trip.
    pub latency: Duration,
    /// The share of calls (0 to 1) that fail as a timeout would.
    pub failure_rate: f64,
    pub transfer_delay: Duration,
    /// Requires a client account for every registration and transfer.
    pub client_accounts: bool,
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings {
            latency: Duration::ZERO,
            failure_rate: 0.0,
            transfer_delay: Duration::from_secs(60),
            client_accounts: false,
        }
    }
}

pub struct SimulatedRegistry {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    settings: SimulationSettings,
}

fn backend(error: TableError) -> RegistrarError {
    RegistrarError::Unavailable(format!("registry storage: {error}"))
}

fn refused(code: &str, message: impl Into<String>) -> RegistrarError {
    RegistrarError::Refused {
        code: code.into(),
        message: message.into(),
    }
}

impl SimulatedRegistry {
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>, settings: SimulationSettings) -> Self {
        SimulatedRegistry {
            table,
            clock,
            settings,
        }
    }

    /// The registry's round trip, and now and then its failure.
    async fn round_trip(&self) -> Result<(), RegistrarError> {
        if !self.settings.latency.is_zero() {
            tokio::time::sleep(self.settings.latency).await;
        }
        if self.settings.failure_rate > 0.0 && fastrand::f64() < self.settings.failure_rate {
            return Err(RegistrarError::Unavailable(
                "simulated registry timeout".into(),
            ));
        }
        Ok(())
    }

    /// Our record of `domain`, unless the registry has released it.
    async fn domain(&self, domain: &str) -> Result<Option<Item>, RegistrarError> {
        let now = self.clock.now_secs();
        let item = self.table.get(&domain_key(domain)).await.map_err(backend)?;
        Ok(item.filter(|i| i.i64_attr("released_at").is_none_or(|at| at > now)))
    }

    /// The stored answer of an operation already done under `key`, if any.
    async fn replay<T: serde::de::DeserializeOwned>(
        &self,
        key: &str,
        domain: &str,
    ) -> Result<Option<T>, RegistrarError> {
        let Some(done) = self.table.get(&operation_key(key)).await.map_err(backend)? else {
            return Ok(None);
        };
        if done.str_attr("domain") != Some(domain) {
            return Err(refused(
                "idempotency_key_reused",
                "that idempotency key was used for another domain",
            ));
        }
        let result = done.get("result").cloned().unwrap_or(Value::Null);
        serde_json::from_value(result)
            .map(Some)
            .map_err(|e| RegistrarError::Unavailable(format!("corrupt record: {e}")))
    }

    fn operation(&self, key: &str, domain: &str, result: Value) -> TxOp {
        let mut item = operation_key(key).to_item();
        item.insert("domain".into(), domain.into());
        item.insert("result".into(), result);
        item.insert("at".into(), self.clock.now_secs().into());
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Runs `ops`, the last of which records the operation under `key`. When
    /// a condition fails and the record exists, a concurrent retry won: its
    /// answer is the answer.
    async fn commit<T: serde::de::DeserializeOwned>(
        &self,
        ops: Vec<TxOp>,
        key: &str,
        domain: &str,
        result: T,
        conflict: RegistrarError,
    ) -> Result<T, RegistrarError> {
        match self.table.transact(ops).await {
            Ok(()) => Ok(result),
            Err(TableError::TransactionConflict { .. }) => {
                self.replay(key, domain).await?.ok_or(conflict)
            }
            Err(other) => Err(backend(other)),
        }
    }

    /// What `info` answers for `domain`, given our record of it.
    fn answer(&self, domain: &str, item: Option<Item>) -> Result<DomainInfo, RegistrarError> {
        if let Some(item) = item {
            return Ok(info_of(&item, self.clock.now_secs()));
        }
        if registered_elsewhere(domain) {
            let expires = self.clock.now_secs() + (stable_hash(domain) % YEAR_SECS as u64) as i64;
            return Ok(DomainInfo {
                domain: domain.to_string(),
                status: DomainStatus::External,
                expires_at: expires,
                nameservers: vec![format!("ns1.{}", domain), format!("ns2.{}", domain)],
                locked: true,
            });
        }
        Err(RegistrarError::NotFound(domain.to_string()))
    }

    async fn ours(&self, domain: &str) -> Result<Item, RegistrarError> {
        self.domain(domain)
            .await?
            .ok_or_else(|| RegistrarError::NotFound(domain.to_string()))
    }
}

#[async_trait]
impl Registrar for SimulatedRegistry {
    fn name(&self) -> &'static str {
        "simulated"
    }

    fn max_check_batch(&self) -> usize {
        MAX_BATCH_GET
    }

    async fn check(&self, domains: &[String]) -> Result<Vec<Availability>, RegistrarError> {
        if domains.len() > self.max_check_batch() {
            return Err(refused(
                "too_many",
                format!("check at most {} names at once", self.max_check_batch()),
            ));
        }
        self.round_trip().await?;
        let keys: Vec<Key> = domains.iter().map(|d| domain_key(d)).collect();
        let registered = self.table.get_many(&keys).await.map_err(backend)?;
        let now = self.clock.now_secs();
        let held = |item: &Item| item.i64_attr("released_at").is_none_or(|at| at > now);
        Ok(domains
            .iter()
            .zip(registered)
            .map(|(domain, ours)| match ours.filter(held) {
                Some(_) => Availability {
                    domain: domain.clone(),
                    available: false,
                    reason: Some("registered".into()),
                    premium: false,
                    premium_price: None,
                },
                None => static_availability(domain),
            })
            .collect())
    }

    fn client_accounts_required(&self) -> bool {
        self.settings.client_accounts
    }

    async fn create_client_account(
        &self,
        account: &ClientAccount,
        idempotency_key: &str,
    ) -> Result<(), RegistrarError> {
        self.create_account(account, idempotency_key).await
    }

    async fn register(&self, request: &Registration) -> Result<DomainInfo, RegistrarError> {
        self.round_trip().await?;
        let domain = request.domain.as_str();
        if let Some(done) = self.replay(&request.idempotency_key, domain).await? {
            return Ok(done);
        }
        let filed = self
            .authorise(request.client_account.as_ref(), domain)
            .await?;
        if !(1..=10).contains(&request.years) {
            return Err(refused(
                "invalid_period",
                "a registration runs 1 to 10 years",
            ));
        }
        if !static_availability(domain).available {
            return Err(refused(
                "not_available",
                format!("{domain} is not available"),
            ));
        }
        let info = DomainInfo {
            domain: domain.to_string(),
            status: DomainStatus::Active,
            expires_at: add_years_secs(self.clock.now_secs(), request.years),
            nameservers: request.nameservers.clone(),
            locked: true,
        };
        let extra = [
            ("registrant", json!(request.registrant)),
            ("auth_code", json!(auth_code_for(domain))),
        ];
        let mut ops: Vec<TxOp> = filed.into_iter().collect();
        ops.push(create_domain(&info, &extra, self.clock.now_secs()));
        ops.push(self.operation(&request.idempotency_key, domain, json!(info)));
        let taken = refused(
            "not_available",
            format!("{domain} was registered meanwhile"),
        );
        self.commit(ops, &request.idempotency_key, domain, info, taken)
            .await
    }

    async fn transfer(&self, request: &TransferRequest) -> Result<TransferState, RegistrarError> {
        self.request_transfer(request).await
    }

    async fn transfer_status(&self, domain: &str) -> Result<TransferState, RegistrarError> {
        self.transfer_state(domain).await
    }

    async fn renew(&self, request: &Renewal) -> Result<DomainInfo, RegistrarError> {
        self.renew_once(request).await
    }

    async fn info(&self, domain: &str) -> Result<DomainInfo, RegistrarError> {
        self.round_trip().await?;
        let item = self.domain(domain).await?;
        self.answer(domain, item)
    }

    fn max_info_batch(&self) -> usize {
        MAX_BATCH_GET
    }

    /// One round trip and one read for up to `MAX_BATCH_GET` names.
    async fn info_many(
        &self,
        domains: &[String],
    ) -> Result<Vec<Result<DomainInfo, RegistrarError>>, RegistrarError> {
        if domains.len() > self.max_info_batch() {
            return Err(refused(
                "too_many",
                format!("ask at most {} names at once", self.max_info_batch()),
            ));
        }
        self.round_trip().await?;
        let now = self.clock.now_secs();
        let keys: Vec<Key> = domains.iter().map(|d| domain_key(d)).collect();
        let items = self.table.get_many(&keys).await.map_err(backend)?;
        Ok(domains
            .iter()
            .zip(items)
            .map(|(domain, item)| {
                let item = item.filter(|i| i.i64_attr("released_at").is_none_or(|at| at > now));
                self.answer(domain, item)
            })
            .collect())
    }

    async fn set_nameservers(
        &self,
        domain: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError> {
        self.round_trip().await?;
        if !(2..=13).contains(&nameservers.len()) {
            return Err(refused("invalid_nameservers", "give 2 to 13 nameservers"));
        }
        let update = Update::new().set("nameservers", json!(nameservers));
        self.change(domain, update).await
    }

    async fn set_lock(&self, domain: &str, locked: bool) -> Result<(), RegistrarError> {
        self.round_trip().await?;
        self.change(domain, Update::new().set("locked", locked))
            .await
    }

    async fn auth_code(&self, domain: &str) -> Result<String, RegistrarError> {
        self.round_trip().await?;
        let item = self.ours(domain).await?;
        if item.get("locked").and_then(Value::as_bool).unwrap_or(false) {
            return Err(refused(
                "locked",
                format!("{domain} is locked against transfer; unlock it first"),
            ));
        }
        Ok(item
            .str_attr("auth_code")
            .map(str::to_string)
            .unwrap_or_else(|| auth_code_for(domain)))
    }

    async fn set_registrant(
        &self,
        domain: &str,
        registrant: &Contact,
    ) -> Result<(), RegistrarError> {
        self.round_trip().await?;
        self.change(
            domain,
            Update::new().set("registrant_contact", json!(registrant)),
        )
        .await
    }
}
