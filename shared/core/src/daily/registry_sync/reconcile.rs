//! A domain the registry holds for us: our record made to agree with it,
//! each correction audited as the sync's.

use serde_json::json;

use super::{actor, date, subject, withdraw_renewal};
use crate::Storage;
use crate::audit::AuditEntry;
use crate::daily::Tally;
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::lifecycle::MovedOn;
use crate::registrar::{DomainInfo, DomainStatus};
use crate::store::{Condition, TableError, Tx, TxError, TxOp, Update};

/// One field our record had wrong: the audit's action, what it was, what it is.
type Correction = (&'static str, String, String);

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
    ports: &impl Storage,
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
    let now = ports.clock().now();
    let (mut update, corrections) = corrections(domain, info, tally);
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
    change(&mut tx, domain, (status, update), now, tally)?;
    for correction in corrections {
        tx.push(audited(domain, correction, now));
    }
    // Renewed elsewhere: the renewal we invoiced for the old expiry is moot.
    if domain.expires_at.is_some_and(|ours| info.expires_at > ours) {
        withdraw_renewal(ports, domain, "renewed at the registry", &mut tx).await?;
    }
    match tx.commit(ports.table()).await {
        Ok(()) | Err(TxError::Refused(MovedOn)) => Ok(()),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// What our record has wrong of the registry's expiry, nameservers and
/// lock: the update that puts it right, and each correction, counted.
fn corrections(
    domain: &OwnedDomain,
    info: &DomainInfo,
    tally: &mut Tally,
) -> (Update, Vec<Correction>) {
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
    (update, corrections)
}

/// Adds to `tx` the record's `update`, guarded by the version it was read
/// at; a move to another `status` goes through the domain's lifecycle.
fn change(
    tx: &mut Tx<MovedOn>,
    domain: &OwnedDomain,
    (status, update): (OwnedStatus, Update),
    now: time::OffsetDateTime,
    tally: &mut Tally,
) -> Result<(), TableError> {
    if status == domain.status {
        tx.guard(
            MovedOn,
            TxOp::Update {
                key: crate::domains::owned::key(&domain.customer_id, &domain.name),
                update: update.bump_version(),
                condition: Some(Condition::VersionIs(domain.v)),
            },
        );
        return Ok(());
    }
    let mut change = domain.change(status, update, actor(), "the registry says so");
    change.unchanged_since = Some(domain.v);
    change
        .add_to(tx, MovedOn, now)
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tally.count(match status {
        OwnedStatus::Active => "renewed_elsewhere",
        _ => "expired",
    });
    Ok(())
}

/// The audit entry of one correction.
fn audited(
    domain: &OwnedDomain,
    (action, from, to): Correction,
    now: time::OffsetDateTime,
) -> TxOp {
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
    .put_op()
}
