//! The `Registrar` port: what Hostfront asks of a domain registry or registrar,
//! shaped after EPP. `check` answers many names in one call; every call that
//! changes something carries an idempotency key, so a retry never registers,
//! transfers or renews twice.

pub mod budget;
pub mod capped;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// ASCII form.
    pub domain: String,
    pub available: bool,
    /// Why not, when not: `registered`, `reserved`, `unsupported_tld`.
    pub reason: Option<String>,
    pub premium: bool,
    /// The registry's first-year price of a premium name, in minor units.
    pub premium_price: Option<i64>,
}

/// Where a domain stands at the registry. After its expiry a domain passes
/// through the registry's phases: auto-renew grace (renewable at the renewal
/// price; up to 45 days, per TLD), redemption (30 days; renewable with a
/// restore fee), pending delete (5 days; nobody can renew it), then it is
/// released and anyone may register it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    Active,
    PendingTransfer,
    AutoRenewGrace,
    Redemption,
    PendingDelete,
    /// Held by another registrar (e.g. after a transfer out).
    External,
}

impl DomainStatus {
    /// Whether a renewal is taken in this phase.
    pub fn renewable(self) -> bool {
        matches!(
            self,
            DomainStatus::Active | DomainStatus::AutoRenewGrace | DomainStatus::Redemption
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInfo {
    pub domain: String,
    pub status: DomainStatus,
    /// Epoch seconds.
    pub expires_at: i64,
    pub nameservers: Vec<String>,
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TransferState {
    Pending,
    Completed,
    Rejected { reason: String },
}

/// A domain's registrant, as the registry records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Contact {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
}

/// The customer's client account at a registrar that keeps one per customer
/// (OpenSRS's `reg_username` and `reg_password` profiles, for one): the
/// domains registered or transferred under it are managed with it.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientAccount {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for ClientAccount {
    /// Never the password, even in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAccount")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub domain: String,
    pub years: u32,
    /// The registrant contact's handle.
    pub registrant: String,
    pub nameservers: Vec<String>,
    pub idempotency_key: String,
    /// The customer's client account, where the registrar requires one.
    pub client_account: Option<ClientAccount>,
}

/// A renewal, as EPP asks for it: it names the expiry it extends, so a
/// repeated request can never add a second period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewal {
    pub domain: String,
    pub years: u32,
    /// The expiry (epoch seconds) the renewal extends; the registry refuses
    /// the renewal (`expiry_mismatch`) when the domain's expiry is another.
    pub current_expiry: i64,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub domain: String,
    pub auth_code: String,
    pub idempotency_key: String,
    /// The customer's client account, where the registrar requires one.
    pub client_account: Option<ClientAccount>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrarError {
    /// Timeouts, connection failures, quota: worth retrying later.
    #[error("the registrar is unavailable: {0}")]
    Unavailable(String),
    /// The registry refused; retrying the same request will not help.
    #[error("the registrar refused: {message}")]
    Refused { code: String, message: String },
    #[error("the registrar does not know {0}")]
    NotFound(String),
    /// Our share of the registrar's quota for this second is spent: worth
    /// asking again in a moment.
    #[error("the registrar quota for this second is spent")]
    QuotaSpent,
}

#[async_trait]
pub trait Registrar: Send + Sync {
    fn name(&self) -> &'static str;

    /// The most names one `check` call may carry.
    fn max_check_batch(&self) -> usize;

    /// Availability of each name, in the order asked.
    async fn check(&self, domains: &[String]) -> Result<Vec<Availability>, RegistrarError>;

    /// Whether every registration and transfer must name a client account
    /// of the customer's (`Registration::client_account`), made first with
    /// `create_client_account`.
    fn client_accounts_required(&self) -> bool {
        false
    }

    /// Makes the customer's client account with these credentials; the same
    /// key again answers as the first time, and a username already taken
    /// under another key is refused. A registrar without client accounts
    /// has nothing to do.
    async fn create_client_account(
        &self,
        account: &ClientAccount,
        idempotency_key: &str,
    ) -> Result<(), RegistrarError> {
        let _ = (account, idempotency_key);
        Ok(())
    }

    async fn register(&self, request: &Registration) -> Result<DomainInfo, RegistrarError>;

    async fn transfer(&self, request: &TransferRequest) -> Result<TransferState, RegistrarError>;

    async fn transfer_status(&self, domain: &str) -> Result<TransferState, RegistrarError>;

    /// Extends the domain by `years` from `current_expiry`, in whichever
    /// renewable phase it is (restoring it from redemption).
    async fn renew(&self, request: &Renewal) -> Result<DomainInfo, RegistrarError>;

    async fn info(&self, domain: &str) -> Result<DomainInfo, RegistrarError>;

    /// The most names one `info_many` call may carry. EPP asks one name per
    /// `<info>` command; a registrar whose API answers many at once says so.
    fn max_info_batch(&self) -> usize {
        1
    }

    /// What the registry holds of each name, in the order asked: one answer
    /// per name (`NotFound` for a name it no longer knows). The whole call
    /// fails only when the registrar could not be asked at all.
    async fn info_many(
        &self,
        domains: &[String],
    ) -> Result<Vec<Result<DomainInfo, RegistrarError>>, RegistrarError> {
        let mut answers = Vec::with_capacity(domains.len());
        for domain in domains {
            match self.info(domain).await {
                Err(error @ (RegistrarError::Unavailable(_) | RegistrarError::QuotaSpent)) => {
                    return Err(error);
                }
                answer => answers.push(answer),
            }
        }
        Ok(answers)
    }

    async fn set_nameservers(
        &self,
        domain: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError>;

    async fn set_lock(&self, domain: &str, locked: bool) -> Result<(), RegistrarError>;

    /// The code another registrar needs to transfer the domain away.
    async fn auth_code(&self, domain: &str) -> Result<String, RegistrarError>;

    /// Changes the domain's registrant contact.
    async fn set_registrant(
        &self,
        domain: &str,
        registrant: &Contact,
    ) -> Result<(), RegistrarError>;
}

/// A change made at the registry without Hostfront: what the daily registry
/// sync must notice.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "drift", rename_all = "snake_case")]
pub enum Drift {
    /// Renewed for `years` directly at the registry (or by its auto-renewal).
    RenewedElsewhere { years: u32 },
    /// Moved to another registrar.
    TransferredAway,
    /// Deleted at the registry.
    Deleted,
    /// Nameservers changed at the registry.
    Nameservers { nameservers: Vec<String> },
}

/// A registry whose records can be changed behind Hostfront's back: the
/// simulation, for tests and the local development tools.
#[async_trait]
pub trait Drifting: Send + Sync {
    /// Makes `drift` happen to `domain`, which the registry must hold for us.
    async fn drift(&self, domain: &str, drift: &Drift) -> Result<(), RegistrarError>;
}
