//! Certificate expiry alerts: each live service's sites, as the panel
//! reports their certificates. A certificate that expires within 30, 14 or
//! 7 days is told to the owner and shown to staff, once per certificate and
//! threshold: the mail is create-only under the certificate's id, and staff
//! see the run's exception only when the mail was new.

use super::{BatchError, Tally};
use crate::Services;
use crate::panel::PanelError;
use crate::store::Key;
use crate::subscriptions::{ServiceStatus, Subscription};

const DAY: i64 = 86_400;
/// Days before expiry on which a certificate is alerted, latest last.
const THRESHOLDS: [i64; 3] = [30, 14, 7];

/// The alert due for a certificate with `days_left`: the nearest threshold
/// it has passed.
pub fn threshold(days_left: i64) -> Option<i64> {
    THRESHOLDS.into_iter().rev().find(|t| days_left <= *t)
}

pub(super) async fn batch(
    services: &Services,
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let now = services.clock.now_secs();
    for item in services.table.get_many(keys).await?.iter().flatten() {
        let service = Subscription::of(item)?;
        if service.status != ServiceStatus::Active || service.ended_at.is_some() {
            continue;
        }
        let username = &service.hosting.account.username;
        let certificates = match services.panel.certificates(username).await {
            Ok(certificates) => certificates,
            Err(PanelError::Unavailable(reason)) => return Err(BatchError::Later(reason)),
            Err(other) => {
                tally.exception(
                    &format!("service:{}", service.id),
                    &service.customer_id,
                    format!("the panel did not list its certificates: {other}"),
                );
                continue;
            }
        };
        tally.count("checked");
        for certificate in certificates {
            let days_left = (certificate.expires_at - now).div_euclid(DAY);
            let Some(threshold) = threshold(days_left) else {
                continue;
            };
            let expires = time::OffsetDateTime::from_unix_timestamp(certificate.expires_at)
                .map(|t| t.date().to_string())
                .unwrap_or_default();
            let words = (
                format!(
                    "The certificate of {} expires on {expires}",
                    certificate.domain
                ),
                format!(
                    "The TLS certificate of {} ({}) expires on {expires}, in {} days. Visitors will see a warning after that. Our team has been told and will renew it; if you manage the certificate yourself, renew it before then.",
                    certificate.domain,
                    certificate.issuer,
                    days_left.max(0)
                ),
            );
            let about = format!("certificate:{}", certificate.id);
            let occasion = format!("{threshold}-days");
            if super::tell_owner(services, &service, (&about, &occasion), words).await? {
                tally.count("alerted");
                tally.exception(
                    &format!("certificate:{}", certificate.id),
                    &service.customer_id,
                    format!(
                        "the certificate of {} on service {} expires on {expires} ({threshold}-day alert)",
                        certificate.domain, service.id
                    ),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_come_30_14_and_7_days_before() {
        assert_eq!(threshold(31), None);
        assert_eq!(threshold(30), Some(30));
        assert_eq!(threshold(15), Some(30));
        assert_eq!(threshold(14), Some(14));
        assert_eq!(threshold(8), Some(14));
        assert_eq!(threshold(7), Some(7));
        assert_eq!(
            threshold(-2),
            Some(7),
            "an expired one falls under the 7-day alert, sent once"
        );
    }
}
