//! The daily registry sync: every domain we hold is asked of the registrar
//! (as many names per call as it takes, within the sync's share of the
//! registrar's quota: a batch that finds it spent is tried again later), and our record is made to agree
//! with the registry's. Each correction is in the audit log as the
//! `registry-sync`'s. A domain the registry says another registrar holds
//! left us: its renewals stop, its unpaid renewal invoice is voided, its
//! owner is told and staff see it among the run's exceptions. A domain the
//! registry no longer knows was released (expected after redemption) or
//! deleted (not expected: staff see it).

use serde_json::json;

use super::{BatchError, Tally};
use crate::Services;
use crate::audit::{Actor, AuditEntry};
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::lifecycle::MovedOn;
use crate::mail::{self, Letter, Mail, MailKind};
use crate::registrar::{DomainInfo, DomainStatus, RegistrarError};
use crate::renewals::{self, RenewalStatus};
use crate::store::{Condition, Index, Key, Query, TableError, Tx, TxError, TxOp, Update};

/// Every domain whose expiry we know: the expiry index.
pub(super) fn items() -> Query {
    Query::index(Index::Gsi1, "DOMAINS#EXPIRY")
}

fn actor() -> Actor {
    Actor::system("registry-sync")
}

pub(super) async fn batch(
    services: &Services,
    day: &str,
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let mut domains = Vec::new();
    for item in services.table.get_many(keys).await?.iter().flatten() {
        let domain = OwnedDomain::of(item)?;
        if matches!(domain.status, OwnedStatus::Active | OwnedStatus::Expired) {
            domains.push(domain);
        }
    }
    if domains.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = domains.iter().map(|d| d.name.clone()).collect();
    let answers = match services.sync_registrar.info_many(&names).await {
        Ok(answers) => answers,
        Err(error @ (RegistrarError::Unavailable(_) | RegistrarError::QuotaSpent)) => {
            return Err(BatchError::Later(error.to_string()));
        }
        Err(refused) => {
            for domain in &domains {
                tally.exception(
                    &subject(domain),
                    &domain.customer_id,
                    format!("the registrar refused to say: {refused}"),
                );
            }
            return Ok(());
        }
    };
    for (domain, answer) in domains.iter().zip(answers) {
        tally.count("checked");
        match answer {
            Ok(info) if info.status == DomainStatus::External => {
                left_us(services, day, domain, tally).await?
            }
            Ok(info) => reconcile(services, domain, &info, tally).await?,
            Err(RegistrarError::NotFound(_)) => gone(services, day, domain, tally).await?,
            Err(other) => tally.exception(
                &subject(domain),
                &domain.customer_id,
                format!("the registry did not answer: {other}"),
            ),
        }
    }
    Ok(())
}

fn subject(domain: &OwnedDomain) -> String {
    format!("domain:{}", domain.name)
}

fn date(epoch: Option<i64>) -> String {
    epoch
        .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok())
        .map_or_else(|| "unknown".into(), |at| at.date().to_string())
}

/// Our status for the registry's phase, or None when it is none of ours to take.
fn status_for(registry: DomainStatus) -> Option<OwnedStatus> {
    match registry {
        DomainStatus::Active => Some(OwnedStatus::Active),
        DomainStatus::AutoRenewGrace | DomainStatus::Redemption | DomainStatus::PendingDelete => {
            Some(OwnedStatus::Expired)
        }
        DomainStatus::PendingTransfer | DomainStatus::External => None,
    }
}

fn canonical(nameservers: &[String]) -> Vec<String> {
    let mut names: Vec<String> = nameservers
        .iter()
        .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    names.sort();
    names
}

/// Makes our record agree with what the registry says of a domain it holds
/// for us: in a sync's batch, or on a customer's refresh.
pub async fn reconcile(
    services: &Services,
    domain: &OwnedDomain,
    info: &DomainInfo,
    tally: &mut Tally,
) -> Result<(), TableError> {
    let Some(status) = status_for(info.status) else {
        tally.exception(
            &subject(domain),
            &domain.customer_id,
            "a transfer away is pending at the registry".into(),
        );
        return Ok(());
    };
    let now = services.clock.now();
    let mut update = Update::new();
    let mut corrections = Vec::new();
    if domain.expires_at != Some(info.expires_at) {
        update = update
            .set("expires_at", info.expires_at)
            .set("gsi1pk", "DOMAINS#EXPIRY")
            .set("gsi1sk", format!("{:012}#{}", info.expires_at, domain.name));
        corrections.push((
            "expiry_corrected",
            date(domain.expires_at),
            date(Some(info.expires_at)),
        ));
        tally.count("expiry_corrected");
        if domain.expires_at.is_some_and(|ours| info.expires_at < ours) {
            tally.exception(
                &subject(domain),
                &domain.customer_id,
                format!(
                    "the registry's expiry {} is earlier than ours {}",
                    date(Some(info.expires_at)),
                    date(domain.expires_at)
                ),
            );
        }
    }
    if canonical(&domain.nameservers) != canonical(&info.nameservers) {
        update = update.set("nameservers", json!(info.nameservers));
        corrections.push((
            "nameservers_corrected",
            domain.nameservers.join(" "),
            info.nameservers.join(" "),
        ));
        tally.count("nameservers_corrected");
    }
    if domain.locked != info.locked {
        update = update.set("locked", info.locked);
        corrections.push((
            "lock_corrected",
            domain.locked.to_string(),
            info.locked.to_string(),
        ));
        tally.count("lock_corrected");
    }
    // Past its expiry, the phase (grace, redemption, …) prices a renewal
    // shown from the record.
    let phase_moved = status == OwnedStatus::Expired && domain.phase != Some(info.status);
    if phase_moved {
        update = update.set("phase", json!(info.status));
    }
    if corrections.is_empty() && status == domain.status && !phase_moved {
        return Ok(());
    }
    let mut tx = Tx::new();
    if status == domain.status {
        tx.guard(
            MovedOn,
            TxOp::Update {
                key: crate::domains::owned::key(&domain.customer_id, &domain.name),
                update: update.bump_version(),
                condition: Some(Condition::VersionIs(domain.v)),
            },
        );
    } else {
        let mut change = domain.change(status, update, actor(), "the registry says so");
        change.unchanged_since = Some(domain.v);
        change
            .add_to(&mut tx, MovedOn, now)
            .map_err(|e| TableError::Backend(e.to_string()))?;
        tally.count(match status {
            OwnedStatus::Active => "renewed_elsewhere",
            _ => "expired",
        });
    }
    for (action, from, to) in corrections {
        tx.push(
            AuditEntry {
                at: crate::clock::rfc3339_millis(now),
                actor: actor(),
                subject: subject(domain),
                customer_id: Some(domain.customer_id.clone()),
                action: action.into(),
                from: Some(from),
                to: Some(to),
                why: "the registry says so".into(),
                client: None,
                role: None,
            }
            .put_op(),
        );
    }
    // Renewed elsewhere: the renewal we invoiced for the old expiry is moot.
    if domain.expires_at.is_some_and(|ours| info.expires_at > ours) {
        withdraw_renewal(services, domain, "renewed at the registry", &mut tx).await?;
    }
    match tx.commit(services.table.as_ref()).await {
        Ok(()) | Err(TxError::Refused(MovedOn)) => Ok(()),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// Adds to `tx` the end of the automatic renewal invoiced for the domain's
/// current expiry, with its unpaid invoice voided, if there is one.
/// Returns whether there was.
async fn withdraw_renewal(
    services: &Services,
    domain: &OwnedDomain,
    why: &str,
    tx: &mut Tx<MovedOn>,
) -> Result<bool, TableError> {
    let Some(expiry) = domain.expires_at else {
        return Ok(false);
    };
    let Some(renewal) = renewals::find(services.table.as_ref(), &domain.name, expiry).await? else {
        return Ok(false);
    };
    if renewal.status != RenewalStatus::Scheduled {
        return Ok(false);
    }
    let bill = renewal.invoice(services.table.as_ref()).await?;
    renewal
        .change(
            RenewalStatus::Abandoned,
            Update::new(),
            actor(),
            why,
            services.clock.now_millis(),
        )
        .add_to(tx, MovedOn, services.clock.now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.push(bill.void_op());
    Ok(true)
}

/// The domain's end here: it leaves the expiry index (no renewal, no
/// reminder, no further sync), auto-renewal off, any invoiced renewal
/// withdrawn, and its owner told once.
async fn end(
    services: &Services,
    day: &str,
    domain: &OwnedDomain,
    to: OwnedStatus,
    why: &str,
    (headline, action): (String, String),
) -> Result<bool, TableError> {
    let mut tx = Tx::new();
    let update = Update::new()
        .set("auto_renew", false)
        .remove("gsi1pk")
        .remove("gsi1sk");
    let mut change = domain.change(to, update, actor(), why);
    change.unchanged_since = Some(domain.v);
    change
        .add_to(&mut tx, MovedOn, services.clock.now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    let voided = withdraw_renewal(services, domain, why, &mut tx).await?;
    let owner =
        crate::accounts::load_customer(services.table.as_ref(), &domain.customer_id).await?;
    let config = &services.config;
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
    let notice = Mail::compose_about(
        services,
        MailKind::Notice,
        &owner.email,
        &letter,
        &subject(domain),
    )?
    .for_period(&format!("{}-{day}", to_slug(to)));
    tx.push(notice.put_op(services.clock.now_secs()));
    match tx.commit(services.table.as_ref()).await {
        Ok(()) => {
            mail::deliver(services, &notice).await;
            Ok(true)
        }
        Err(TxError::Refused(MovedOn)) => Ok(false),
        Err(TxError::Table(error)) => Err(error),
    }
}

fn to_slug(status: OwnedStatus) -> &'static str {
    match status {
        OwnedStatus::TransferredOut => "transferred-out",
        _ => "deleted",
    }
}

/// Another registrar holds the domain now.
async fn left_us(
    services: &Services,
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
        services,
        day,
        domain,
        OwnedStatus::TransferredOut,
        "another registrar holds it",
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
async fn gone(
    services: &Services,
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
    if end(services, day, domain, OwnedStatus::Deleted, why, words).await? {
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
