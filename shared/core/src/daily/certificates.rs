//! Certificate expiry alerts: each live service's sites, as the panel
//! reports their certificates. A certificate that expires within 30, 14 or
//! 7 days is told to the owner and shown to staff, once per certificate and
//! threshold for as long as the certificate lives: a marker item
//! (`CERTALERT#<id>`, lasting until the certificate expires) is written
//! create-only with the mail, and staff see the run's exception only when
//! it was new. An expired certificate, or one the panel no longer lists
//! (replaced), gets nothing.

use super::{BatchError, Tally};
use crate::mail;
use crate::panel::{Certificate, PanelError};
use crate::store::{Condition, Key, TableError, TableResult, TxOp};
use crate::subscriptions::{Subscription, SubscriptionStatus};
use crate::{Hosting, Mailing, Settings, Storage};

const DAY: i64 = 86_400;
/// Days before expiry on which a certificate is alerted, latest last.
const THRESHOLDS: [i64; 3] = [30, 14, 7];

/// The alert due for a certificate with `days_left`: the nearest threshold
/// it has passed.
pub fn threshold(days_left: i64) -> Option<i64> {
    THRESHOLDS.into_iter().rev().find(|t| days_left <= *t)
}

pub(super) async fn batch(
    ports: &(impl Storage + Settings + Mailing + Hosting),
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let now = ports.clock().now_secs();
    for item in ports.table().get_many(keys).await?.iter().flatten() {
        let service = Subscription::of(item)?;
        if service.status != SubscriptionStatus::Active
            || service.ended_at.is_some()
            || !service.on_panel()
        {
            continue;
        }
        let username = &service.hosting.account.username;
        let certificates = match ports.panel().certificates(username).await {
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
            let secs_left = certificate.expires_at - now;
            if secs_left <= 0 {
                continue;
            }
            // Days counted up: one expiring in 29.5 days has 30 left.
            let days_left = (secs_left + DAY - 1).div_euclid(DAY);
            let Some(threshold) = threshold(days_left) else {
                continue;
            };
            if alert_once(ports, &service, &certificate, (threshold, days_left)).await? {
                tally.count("alerted");
                tally.exception(
                    &format!("certificate:{}", certificate.id),
                    &service.customer_id,
                    format!(
                        "the certificate of {} on service {} expires on {} UTC ({threshold}-day alert)",
                        certificate.domain,
                        service.id,
                        date_of(certificate.expires_at)
                    ),
                );
            }
        }
    }
    Ok(())
}

/// Tells the owner that `certificate` expires in `days_left` days, once per
/// certificate and threshold: the marker and the mail are one create-only
/// transaction. Whether this call was the one that told them.
async fn alert_once(
    ports: &(impl Storage + Settings + Mailing),
    service: &Subscription,
    certificate: &Certificate,
    (threshold, days_left): (i64, i64),
) -> TableResult<bool> {
    let expires = crate::clock::mail_day_of(certificate.expires_at);
    let plural = if days_left == 1 { "day" } else { "days" };
    let words = (
        format!(
            "The certificate of {} expires on {expires}",
            certificate.domain
        ),
        format!(
            "The TLS certificate of {} ({}) expires on {expires}, in {days_left} {plural}. Visitors will see a warning after that. Renew it before then, or reply to this mail and we will help.",
            certificate.domain, certificate.issuer
        ),
    );
    let about = format!("certificate:{}", certificate.id);
    let occasion = format!("{threshold}-days");
    let notice = super::notice::owner_notice(ports, service, (&about, &occasion), words).await?;
    let now = ports.clock().now_secs();
    let mut marker = Key::new(format!("CERTALERT#{}", certificate.id), occasion).to_item();
    marker.insert("kind".into(), "certificate_alert".into());
    marker.insert("ttl".into(), (certificate.expires_at + DAY).into());
    let written = ports
        .table()
        .transact(vec![
            TxOp::Put {
                item: marker,
                condition: Some(Condition::NotExists),
            },
            notice.put_op(now),
        ])
        .await;
    match written {
        Ok(()) => {
            mail::deliver(ports, &notice).await;
            Ok(true)
        }
        Err(TableError::TransactionConflict { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}

fn date_of(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .map(|t| t.date().to_string())
        .unwrap_or_default()
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
        assert_eq!(threshold(1), Some(7));
    }
}
