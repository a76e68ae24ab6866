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
//! Transfers: a name registered elsewhere transfers with the auth code
//! `auth_code_for(name)` (`AUTH-` and 8 hex digits) and completes once
//! `transfer_delay` has passed, unless the name starts with `nack`: those the
//! losing registrar refuses at the end.

mod world;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use hostfront_core::clock::{Clock, add_years_secs};

use hostfront_core::registrar::{
    Availability, Contact, DomainInfo, DomainStatus, Drift, Drifting, Registrar, RegistrarError,
    Registration, Renewal, TransferRequest, TransferState,
};
use hostfront_core::store::{
    Condition, Item, ItemExt, Key, MAX_BATCH_GET, Table, TableError, TxOp, Update,
};
use world::stable_hash;
pub use world::{auth_code_for, phase, registered_elsewhere, released_at, static_availability};

/// A span of about a year, for the expiries the simulated world makes up.
const YEAR_SECS: i64 = 365 * 24 * 3600;

#[derive(Debug, Clone, Copy)]
pub struct SimulationSettings {
    /// Added to every call, as a registry's round trip.
    pub latency: Duration,
    /// The share of calls (0 to 1) that fail as a timeout would.
    pub failure_rate: f64,
    pub transfer_delay: Duration,
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings {
            latency: Duration::ZERO,
            failure_rate: 0.0,
            transfer_delay: Duration::from_secs(60),
        }
    }
}

pub struct SimulatedRegistry {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    settings: SimulationSettings,
}

fn domain_key(domain: &str) -> Key {
    Key::new(format!("SIMREG#{domain}"), "DOMAIN")
}

fn operation_key(idempotency_key: &str) -> Key {
    Key::new(format!("SIMREG#OP#{idempotency_key}"), "OP")
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

/// Creates a domain in the registry, version 1, unless it exists (and has
/// not been released: a released name is anyone's).
fn create_domain(info: &DomainInfo, extra: &[(&str, Value)], now: i64) -> TxOp {
    let mut item = domain_key(&info.domain).to_item();
    item.insert("kind".into(), "sim_domain".into());
    item.insert("v".into(), 1.into());
    if let Value::Object(fields) = json!(info) {
        item.extend(fields);
    }
    item.extend(
        extra
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone())),
    );
    item.insert(
        "released_at".into(),
        released_at(&info.domain, info.expires_at).into(),
    );
    TxOp::Put {
        item,
        condition: Some(Condition::NotExists.or(Condition::le("released_at", now))),
    }
}

/// The writes that move a domain's expiry to `expires_at`.
fn with_expiry(update: Update, domain: &str, expires_at: i64) -> Update {
    update
        .set("expires_at", expires_at)
        .set("released_at", released_at(domain, expires_at))
}

/// The domain as the registry sees it at `now`: an active one past its
/// expiry is in one of the phases after expiry.
fn info_of(item: &Item, now: i64) -> DomainInfo {
    let domain = item.str_attr("domain").unwrap_or_default().to_string();
    let expires_at = item.i64_attr("expires_at").unwrap_or(0);
    let stored = serde_json::from_value(item.get("status").cloned().unwrap_or(Value::Null))
        .unwrap_or(DomainStatus::Active);
    let status = match stored {
        DomainStatus::Active => {
            phase(&domain, expires_at, now).unwrap_or(DomainStatus::PendingDelete)
        }
        other => other,
    };
    DomainInfo {
        domain,
        status,
        expires_at,
        nameservers: serde_json::from_value(item.get("nameservers").cloned().unwrap_or(json!([])))
            .unwrap_or_default(),
        locked: item.get("locked").and_then(Value::as_bool).unwrap_or(false),
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

    async fn register(&self, request: &Registration) -> Result<DomainInfo, RegistrarError> {
        self.round_trip().await?;
        let domain = request.domain.as_str();
        if let Some(done) = self.replay(&request.idempotency_key, domain).await? {
            return Ok(done);
        }
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
        let ops = vec![
            create_domain(&info, &extra, self.clock.now_secs()),
            self.operation(&request.idempotency_key, domain, json!(info)),
        ];
        let taken = refused(
            "not_available",
            format!("{domain} was registered meanwhile"),
        );
        self.commit(ops, &request.idempotency_key, domain, info, taken)
            .await
    }

    async fn transfer(&self, request: &TransferRequest) -> Result<TransferState, RegistrarError> {
        self.round_trip().await?;
        let domain = request.domain.as_str();
        if let Some(done) = self.replay(&request.idempotency_key, domain).await? {
            return Ok(done);
        }
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
        let ops = vec![
            create_domain(
                &pending,
                &[("transfer_requested_at", json!(self.clock.now_secs()))],
                self.clock.now_secs(),
            ),
            self.operation(
                &request.idempotency_key,
                domain,
                json!(TransferState::Pending),
            ),
        ];
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

    async fn transfer_status(&self, domain: &str) -> Result<TransferState, RegistrarError> {
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

    async fn renew(&self, request: &Renewal) -> Result<DomainInfo, RegistrarError> {
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
    async fn change(&self, domain: &str, update: Update) -> Result<(), RegistrarError> {
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
