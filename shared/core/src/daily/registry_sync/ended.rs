//! A domain that is ours no longer: another registrar holds it, or the
//! registry released it. Its record ends here and its owner is told once.

use super::{actor, date, subject, withdraw_renewal};
use crate::daily::Tally;
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::lifecycle::MovedOn;
use crate::mail::{self, Letter, Mail, MailKind};
use crate::store::{TableError, Tx, TxError, Update};
use crate::{Mailing, Settings, Storage};

/// Another registrar holds the domain now.
pub(super) async fn left_us(
    ports: &(impl Storage + Settings + Mailing),
    day: &str,
    domain: &OwnedDomain,
    tally: &mut Tally,
) -> Result<(), TableError> {
    let words = (
        format!("{} has moved to another registrar", domain.name),
        format!(
            "The registry tells us {} is now held by another registrar, so we no longer manage or renew it. If you did not ask for this, reply to this mail at once.",
            domain.name
        ),
    );
    if end(
        ports,
        day,
        domain,
        (OwnedStatus::TransferredOut, "another registrar holds it"),
        words,
    )
    .await?
    {
        tally.count("transferred_out");
        tally.exception(
            &subject(domain),
            &domain.customer_id,
            "transferred to another registrar: renewals stopped, the owner told".into(),
        );
    }
    Ok(())
}

/// The registry no longer knows the domain: released after redemption, as
/// expected of an expired one, or deleted while active, which is not.
pub(super) async fn gone(
    ports: &(impl Storage + Settings + Mailing),
    day: &str,
    domain: &OwnedDomain,
    tally: &mut Tally,
) -> Result<(), TableError> {
    let expected = domain.status == OwnedStatus::Expired;
    let words = (
        format!("{} is no longer registered", domain.name),
        format!(
            "The registry has released {}: it is no longer registered to you, and anyone may register it.",
            domain.name
        ),
    );
    let why = match expected {
        true => "released by the registry after its expiry",
        false => "the registry no longer knows it",
    };
    if end(ports, day, domain, (OwnedStatus::Deleted, why), words).await? {
        tally.count("released");
        if !expected {
            tally.exception(
                &subject(domain),
                &domain.customer_id,
                format!(
                    "deleted at the registry while active here (our expiry {})",
                    date(domain.expires_at)
                ),
            );
        }
    }
    Ok(())
}

/// The domain's end here: it leaves the expiry index (no renewal, no
/// reminder, no further sync), auto-renewal off, any invoiced renewal
/// withdrawn, and its owner told once.
async fn end(
    ports: &(impl Storage + Settings + Mailing),
    day: &str,
    domain: &OwnedDomain,
    (to, why): (OwnedStatus, &str),
    words: (String, String),
) -> Result<bool, TableError> {
    let mut tx = Tx::new();
    let update = Update::new()
        .set("auto_renew", false)
        .remove("gsi1pk")
        .remove("gsi1sk");
    let mut change = domain.change(to, update, actor(), why);
    change.unchanged_since = Some(domain.v);
    change
        .add_to(&mut tx, MovedOn, ports.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    let voided = withdraw_renewal(ports, domain, why, &mut tx).await?;
    let notice = notice(ports, domain, voided, words)
        .await?
        .for_period(&format!("{}-{day}", to_slug(to)));
    tx.push(notice.put_op(ports.clock().now_secs()));
    match tx.commit(ports.table()).await {
        Ok(()) => {
            mail::deliver(ports, &notice).await;
            Ok(true)
        }
        Err(TxError::Refused(MovedOn)) => Ok(false),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// The notice of the domain's end to its owner, saying whether the renewal
/// invoice was voided.
async fn notice(
    ports: &(impl Storage + Settings),
    domain: &OwnedDomain,
    voided: bool,
    (headline, action): (String, String),
) -> Result<Mail, TableError> {
    let owner = crate::accounts::load_customer(ports.table(), &domain.customer_id).await?;
    let config = ports.config();
    let letter = Letter {
        company: config.company_name.clone(),
        name: owner.name.clone(),
        domain: domain.name.clone(),
        link: format!("{}/portal.html", config.public_url.trim_end_matches('/')),
        headline,
        action: match voided {
            true => format!("{action} We have voided the renewal invoice we had sent."),
            false => action,
        },
        ..Letter::default()
    };
    Mail::compose_about(
        ports,
        MailKind::Notice,
        &owner.email,
        &letter,
        &subject(domain),
    )
    .await
}

fn to_slug(status: OwnedStatus) -> &'static str {
    match status {
        OwnedStatus::TransferredOut => "transferred-out",
        _ => "deleted",
    }
}
