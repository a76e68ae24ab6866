//! The `Registrar` port over EPP (RFC 5730 and 5731, with the RGP extension
//! of RFC 3915), on `instant-epp`: what a registrar accredited at a registry
//! speaks to it.
//!
//! - Sessions are kept and pooled within the registry's limit (`session`).
//! - `check` asks up to the registry's batch maximum per command.
//! - Every transform command carries a client transaction id derived from
//!   our idempotency key (`transaction_id`), and the journal (`journal`)
//!   remembers what was sent and answered: a retry returns the answer, and a
//!   command whose answer was lost is checked at the registry before it is
//!   sent again. A registration is recognised as ours by its auth code,
//!   derived from the key and a secret (`auth_code_of`).
//! - A domain in redemption is restored as RFC 3915 has it, by a request
//!   and then a report (`restore`).
//! - The login asks only for what the registry's greeting offers, and the
//!   password must be one RFC 5730 allows (6 to 16 characters), checked
//!   when the adapter is made.
//! - Thin registries (such as .com and .net) keep no contacts: a domain is
//!   created without a registrant, and a registrant change is ours alone.
//!   Registries that require contacts with postal addresses are not
//!   supported (Hostfront does not collect addresses).
//! - EPP has contacts, not client accounts: a registry does not know the
//!   registrar's customers, so `client_accounts_required` is false and the
//!   accounts Hostfront keeps for customers are never sent.

mod changes;
mod info;
mod journal;
mod renewal;
mod restore;
mod session;
mod settings;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use instant_epp::domain::transfer::DomainTransfer;
use instant_epp::domain::{DomainCheck, DomainCreate, HostInfo, HostObj, Period, PeriodLength};
use instant_epp::response::ResultCode;
use secrecy::ExposeSecret;
use sha2::Sha256;

use hostfront_core::clock::Clock;
use hostfront_core::registrar::{
    Availability, Contact, DomainInfo as Info, Registrar, RegistrarError, Registration, Renewal,
    TransferRequest, TransferState,
};
use hostfront_core::store::Table;

use info::Record;
use journal::{Entry, Journal};
use session::{EppError, Sessions};

pub use settings::EppSettings;

pub struct EppRegistrar {
    settings: Arc<EppSettings>,
    sessions: Sessions,
    journal: Journal,
    clock: Arc<dyn Clock>,
}

/// The clock of the registry's dates.
fn date_time(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn refused(code: &str, message: impl Into<String>) -> RegistrarError {
    RegistrarError::Refused {
        code: code.into(),
        message: message.into(),
    }
}

impl From<EppError> for RegistrarError {
    fn from(error: EppError) -> RegistrarError {
        match error {
            EppError::Unavailable(why) => RegistrarError::Unavailable(why),
            // The registry failed inside (2400) or ran out of sessions
            // (2502): another try later may well work.
            EppError::Refused {
                code:
                    code @ (ResultCode::CommandFailed
                    | ResultCode::CommandFailedServerClosingConnection
                    | ResultCode::SessionLimitExceededServerClosingConnection),
                message,
            } => RegistrarError::Unavailable(format!("{} {message}", code as u16)),
            EppError::Refused {
                code: ResultCode::ObjectDoesNotExist | ResultCode::AuthorizationError,
                message,
            } => RegistrarError::NotFound(message),
            EppError::Refused { code, message } => {
                refused(&format!("epp_{}", code as u16), message)
            }
        }
    }
}

/// The client transaction id of the command made under `key`: the same on
/// every retry, so the registry's logs (and ours) tie them together. At most
/// 64 characters, as RFC 5730 allows.
pub fn transaction_id(key: &str) -> String {
    let clean: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.len() <= 61 {
        return format!("hf-{clean}");
    }
    use sha2::Digest;
    let digest = hex(&Sha256::digest(key.as_bytes()));
    format!("hf-{}-{}", &clean[..28], &digest[..32])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl EppRegistrar {
    pub fn new(
        settings: EppSettings,
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
    ) -> Result<EppRegistrar, String> {
        settings.check()?;
        let settings = Arc::new(settings);
        Ok(EppRegistrar {
            sessions: Sessions::new(settings.clone())?,
            settings,
            journal: Journal::new(table, clock.clone()),
            clock,
        })
    }

    /// Logs the idle sessions out.
    pub async fn close(&self) {
        self.sessions.close().await
    }

    /// The auth code a domain registered under `key` is created with: ours
    /// to recognise on a retry, unguessable without the EPP password, and
    /// within what registries accept (16 characters, mixed classes).
    fn auth_code_of(&self, key: &str) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.settings.password.expose_secret().as_bytes())
                .expect("HMAC takes any key");
        mac.update(key.as_bytes());
        format!("Hf{}!", &hex(&mac.finalize().into_bytes())[..13])
    }
}

fn years(n: u32) -> Result<Period, RegistrarError> {
    u8::try_from(n)
        .ok()
        .and_then(|n| PeriodLength::new(n).ok())
        .filter(|_| (1..=10).contains(&n))
        .map(Period::Years)
        .ok_or_else(|| refused("invalid_period", "a period runs 1 to 10 years"))
}

fn date_of(secs: i64) -> NaiveDate {
    date_time(secs).date_naive()
}

fn host_objects(nameservers: &[String]) -> Vec<HostInfo<'_>> {
    nameservers
        .iter()
        .map(|name| {
            HostInfo::Obj(HostObj {
                name: name.as_str().into(),
            })
        })
        .collect()
}

#[async_trait]
impl Registrar for EppRegistrar {
    fn name(&self) -> &'static str {
        "epp"
    }

    fn max_check_batch(&self) -> usize {
        self.settings.check_batch.max(1)
    }

    async fn check(&self, domains: &[String]) -> Result<Vec<Availability>, RegistrarError> {
        let mut answers = Vec::with_capacity(domains.len());
        for batch in domains.chunks(self.max_check_batch()) {
            let names: Vec<&str> = batch.iter().map(String::as_str).collect();
            let check = DomainCheck { domains: &names };
            let id = transaction_id(&format!("check-{}", ulid::Ulid::new()));
            let response = self
                .sessions
                .with(async |client| client.transact(&check, &id).await)
                .await?;
            let data = response
                .res_data()
                .ok_or_else(|| RegistrarError::Unavailable("EPP check without data".into()))?;
            for name in batch {
                let checked = data
                    .list
                    .iter()
                    .find(|c| c.name.value.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        RegistrarError::Unavailable(format!("EPP check did not answer {name}"))
                    })?;
                let reason = checked.reason.as_ref().map(|r| r.value.to_lowercase());
                answers.push(Availability {
                    domain: name.clone(),
                    available: checked.name.available,
                    reason: (!checked.name.available).then(|| match reason {
                        Some(text) if text.contains("reserved") => "reserved".to_string(),
                        _ => "registered".to_string(),
                    }),
                    premium: false,
                    premium_price: None,
                });
            }
        }
        Ok(answers)
    }

    async fn register(&self, request: &Registration) -> Result<Info, RegistrarError> {
        let key = &request.idempotency_key;
        let domain = request.domain.as_str();
        if let Entry::Done(info) = self.journal.entry::<Info>(key, domain).await? {
            return Ok(info);
        }
        let period = years(request.years)?;
        let auth_code = self.auth_code_of(key);
        self.journal.sending(key, domain).await?;
        let hosts = host_objects(&request.nameservers);
        let create = DomainCreate::new(
            domain,
            period,
            (!hosts.is_empty()).then_some(hosts.as_slice()),
            None,
            &auth_code,
            None,
        );
        let id = transaction_id(key);
        let sent = self
            .sessions
            .with(async |client| client.transact(&create, &id).await.map(|_| ()))
            .await;
        match sent {
            Ok(()) => {}
            // Exists: made by an earlier try of this very key (its auth code
            // is ours), or by anyone else.
            Err(EppError::Refused {
                code: ResultCode::ObjectExists,
                message,
            }) => {
                let held = self.lookup(domain).await?;
                if held.auth_code.as_deref() != Some(auth_code.as_str()) {
                    return Err(refused("not_available", message));
                }
            }
            Err(EppError::Refused {
                code:
                    ResultCode::ParameterValuePolicyError | ResultCode::DataManagementPolicyViolation,
                message,
            }) => return Err(refused("not_available", message)),
            Err(other) => return Err(other.into()),
        }
        let info = self.lookup(domain).await?.info;
        self.journal.answered(key, &info).await?;
        Ok(info)
    }

    async fn transfer(&self, request: &TransferRequest) -> Result<TransferState, RegistrarError> {
        let key = &request.idempotency_key;
        let domain = request.domain.as_str();
        if let Entry::Done(state) = self.journal.entry::<TransferState>(key, domain).await? {
            return Ok(state);
        }
        self.journal.sending(key, domain).await?;
        let transfer = DomainTransfer::new(domain, None, request.auth_code.trim());
        let id = transaction_id(key);
        let sent = self
            .sessions
            .with(async |client| client.transact(&transfer, &id).await.map(|_| ()))
            .await;
        let state = match sent {
            Ok(()) => TransferState::Pending,
            Err(EppError::Refused {
                code: ResultCode::InvalidAuthorizationInformation,
                ..
            }) => TransferState::Rejected {
                reason: "the auth code is not correct".into(),
            },
            // Already asked by an earlier try of this key: still pending.
            Err(EppError::Refused {
                code: ResultCode::ObjectPendingTransfer,
                ..
            }) => TransferState::Pending,
            Err(EppError::Refused {
                code: ResultCode::ObjectDoesNotExist,
                message,
            }) => return Err(refused("not_registered", message)),
            Err(EppError::Refused {
                code: ResultCode::ObjectIsNotEligibleForTransfer,
                message,
            }) => return Err(refused("already_ours", message)),
            Err(other) => return Err(other.into()),
        };
        self.journal.answered(key, &state).await?;
        Ok(state)
    }

    async fn transfer_status(&self, domain: &str) -> Result<TransferState, RegistrarError> {
        let query = DomainTransfer::query(domain, "");
        let id = transaction_id(&format!("transfer-query-{domain}"));
        let response = self
            .sessions
            .with(async |client| client.transact(&query, &id).await)
            .await?;
        let data = response
            .res_data()
            .ok_or_else(|| RegistrarError::Unavailable("EPP transfer query without data".into()))?;
        Ok(match data.transfer_status.as_str() {
            "pending" => TransferState::Pending,
            "clientApproved" | "serverApproved" => TransferState::Completed,
            other => TransferState::Rejected {
                reason: format!("the transfer ended {other}"),
            },
        })
    }

    async fn renew(&self, request: &Renewal) -> Result<Info, RegistrarError> {
        self.renew_journaled(request).await
    }

    async fn info(&self, domain: &str) -> Result<Info, RegistrarError> {
        Ok(self.lookup(domain).await?.info)
    }

    async fn set_nameservers(
        &self,
        domain: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError> {
        self.change_nameservers(domain, nameservers).await
    }

    async fn set_lock(&self, domain: &str, locked: bool) -> Result<(), RegistrarError> {
        self.change_lock(domain, locked).await
    }

    async fn auth_code(&self, domain: &str) -> Result<String, RegistrarError> {
        self.ours(domain).await?.auth_code.ok_or_else(|| {
            refused(
                "no_auth_code",
                format!("the registry gave no auth code for {domain}"),
            )
        })
    }

    /// Thin registries keep no registrant: the change is Hostfront's record.
    async fn set_registrant(&self, domain: &str, _: &Contact) -> Result<(), RegistrarError> {
        self.ours(domain).await.map(|_| ())
    }
}
