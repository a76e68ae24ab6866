//! Reminders for domains that will not renew by themselves (auto-renew
//! off, its automatic charge failed, or auto-renew on with no card saved to
//! charge): about 30 and 7 days before expiry, and once just after, each
//! once per expiry.

use super::job::{customer_of, domain_mail};
use super::{RenewalStatus, find};
use crate::billing::letter::addressed;
use crate::billing::payment_method;
use crate::clock::mail_day_of as day;
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::mail::{self, MailKind};
use crate::store::TableError;
use crate::{Mailing, Settings, Storage};

const DAY: i64 = 86_400;

/// Which reminder is due `secs_left` seconds before expiry (negative:
/// after): "expired" only once it has, within five days after; before, by
/// the days left counted up (a domain expiring in 6.5 days has 7 left).
fn reminder(secs_left: i64) -> Option<&'static str> {
    if secs_left <= 0 {
        return (secs_left >= -5 * DAY).then_some("expired");
    }
    match (secs_left + DAY - 1).div_euclid(DAY) {
        8..=30 => Some("30d"),
        1..=7 => Some("7d"),
        _ => None,
    }
}

/// Reminds the owner of a domain that will not renew by itself (auto-renew
/// off, or its automatic charge failed), once per expiry and reminder.
pub(super) async fn remind(
    ports: &(impl Storage + Settings + Mailing),
    domain: &OwnedDomain,
    expiry: i64,
    now: i64,
) -> Result<bool, TableError> {
    let Some(which) = reminder(expiry - now) else {
        return Ok(false);
    };
    if domain.status != OwnedStatus::Active && domain.status != OwnedStatus::Expired {
        return Ok(false);
    }
    let renewal = find(ports.table(), &domain.name, expiry).await?;
    let charge_failed = renewal.as_ref().is_some_and(|r| {
        r.attempts > 0 || matches!(r.status, RenewalStatus::Declined | RenewalStatus::Failed)
    });
    let no_card = domain.auto_renew
        && payment_method::find(ports.table(), &domain.customer_id)
            .await?
            .is_none();
    let renews_itself = domain.auto_renew && !charge_failed && !no_card;
    let renewed = renewal
        .as_ref()
        .is_some_and(|r| matches!(r.status, RenewalStatus::Queued | RenewalStatus::Renewed));
    if renews_itself || renewed {
        return Ok(false);
    }
    let customer = customer_of(ports, &domain.customer_id).await?;
    let mut letter = crate::mail::Letter {
        domain: domain.unicode.clone(),
        ..addressed(ports, &customer.name, "portal.html#domains")
    };
    letter.action = if which == "expired" {
        format!(
            "{} expired on {}. Renew it now, before the registry releases it.",
            domain.unicode,
            day(expiry)
        )
    } else if no_card && !charge_failed {
        format!(
            "{} expires on {}. Auto-renew is on, but no card is saved to charge, so it will not renew by itself: save a card in your portal, ticking \"Use this card for renewals\", or renew it there by hand.",
            domain.unicode,
            day(expiry)
        )
    } else {
        format!(
            "{} expires on {} and will not renew by itself. Renew it in your portal.",
            domain.unicode,
            day(expiry)
        )
    };
    let occasion = format!("{expiry}-{which}");
    let notice = domain_mail(
        ports,
        MailKind::RenewalReminder,
        (&customer.email, &letter),
        &domain.name,
        &occasion,
    )
    .await?;
    Ok(mail::send(ports, &[notice]).await? == 1)
}

#[cfg(test)]
mod tests {
    use super::{DAY, reminder};

    #[test]
    fn reminders_come_about_30_and_7_days_before_and_just_after_expiry() {
        assert_eq!(reminder(30 * DAY + 1), None);
        assert_eq!(reminder(30 * DAY), Some("30d"));
        assert_eq!(reminder(7 * DAY + 1), Some("30d"));
        assert_eq!(reminder(7 * DAY), Some("7d"));
        assert_eq!(
            reminder(1),
            Some("7d"),
            "a second before expiry it has not expired"
        );
        assert_eq!(reminder(DAY - 1), Some("7d"));
        assert_eq!(reminder(0), Some("expired"));
        assert_eq!(reminder(-5 * DAY), Some("expired"));
        assert_eq!(reminder(-5 * DAY - 1), None);
    }
}
