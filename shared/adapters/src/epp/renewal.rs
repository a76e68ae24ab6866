//! Renewing a domain: once per idempotency key, from redemption too.

use instant_epp::domain::DomainRenew;
use instant_epp::response::ResultCode;

use hostfront_core::registrar::{DomainInfo as Info, DomainStatus, RegistrarError, Renewal};

use super::journal::Entry;
use super::session::EppError;
use super::{EppRegistrar, date_of, refused, transaction_id, years};

impl EppRegistrar {
    /// Renews once per idempotency key, restoring a domain in redemption
    /// first; a try whose answer was lost is checked at the registry.
    pub(super) async fn renew_journaled(&self, request: &Renewal) -> Result<Info, RegistrarError> {
        let key = &request.idempotency_key;
        let domain = request.domain.as_str();
        let entry = self.journal.entry::<Info>(key, domain).await?;
        if let Entry::Done(info) = entry {
            return Ok(info);
        }
        let record = self.ours(domain).await?;
        let info = record.info.clone();
        // The answer to an earlier try never came: done if the registry's
        // expiry moved on by the years that try asked for.
        if matches!(entry, Entry::InDoubt) && moved_by(&info, request) {
            self.journal.answered(key, &info).await?;
            return Ok(info);
        }
        self.journal.sending(key, domain).await?;
        let renewed = if info.status == DomainStatus::Redemption {
            if date_of(info.expires_at) != date_of(request.current_expiry) {
                return Err(refused(
                    "expiry_mismatch",
                    format!("{domain} expires on another date"),
                ));
            }
            self.restore(&record, key).await?;
            let restored = self.lookup(domain).await?.info;
            match request.years {
                1 => restored,
                n => {
                    let rest = Renewal {
                        years: n - 1,
                        ..request.clone()
                    };
                    self.renew_once(&rest, restored.expires_at).await?
                }
            }
        } else {
            self.renew_once(request, request.current_expiry).await?
        };
        self.journal.answered(key, &renewed).await?;
        Ok(renewed)
    }

    async fn renew_once(&self, request: &Renewal, current: i64) -> Result<Info, RegistrarError> {
        let period = years(request.years)?;
        let renew = DomainRenew::new(&request.domain, date_of(current), period);
        let id = transaction_id(&request.idempotency_key);
        let sent = self
            .sessions
            .with(async |client| client.transact(&renew, &id).await.map(|_| ()))
            .await;
        match sent {
            Ok(()) => Ok(self.lookup(&request.domain).await?.info),
            Err(EppError::Refused {
                code: ResultCode::ParameterValuePolicyError,
                message,
            }) => Err(refused("expiry_mismatch", message)),
            Err(EppError::Refused {
                code:
                    ResultCode::ObjectStatusProhibitsOperation
                    | ResultCode::ObjectIsNotEligibleForRenewal,
                message,
            }) => Err(refused("not_renewable", message)),
            Err(other) => Err(other.into()),
        }
    }
}

/// Whether `info`'s expiry is `renewal`'s, moved on by its years (of 365
/// or 366 days, as the registry counts them).
fn moved_by(info: &Info, renewal: &Renewal) -> bool {
    const DAY: i64 = 86_400;
    let years = renewal.years as i64;
    let moved = info.expires_at - renewal.current_expiry;
    (years * 365 * DAY - DAY..=years * 366 * DAY + DAY).contains(&moved)
}
