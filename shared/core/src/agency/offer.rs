//! Sending the proposal: its lines priced, the site moved `poc_ready →
//! proposal_sent` with its audit entry, a link to the proposal (and a
//! fresh one to the preview, when the site has its preview site) and the
//! mail that carries them to the contact, in one transaction.

use super::pitch::{LinkFor, ended, new_link};
use super::preview::preview_url;
use super::proposal::{LineKind, Proposal, ProposalLine, SendProposal, priced};
use super::site::{self, HostedSite, Mover, SiteStatus};
use super::{AgencyError, fields, invalid};
use crate::lifecycle::{Change, Status, Subject};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::money::{Currency, Money};
use crate::store::Update;
use crate::{Catalogs, Mailing, Settings, Storage, clock};

/// The address of the proposal page for `token` (in the fragment).
pub(super) fn proposal_url(ports: &impl Settings, token: &str) -> String {
    let public = ports.config().public_url.trim_end_matches('/');
    format!("{public}/proposal.html#{token}")
}

/// A line in words for a mail: `Web Starter (monthly)` and its price.
fn in_words(line: &ProposalLine, currency: &Currency) -> (String, String) {
    let period = match line.period {
        super::services::BillingPeriod::Monthly => "a month",
        super::services::BillingPeriod::Annual => "a year",
        super::services::BillingPeriod::OneTime => "once",
    };
    let mut price = format!("{} {period}", Money::new(line.price, currency));
    if line.setup > 0 {
        price.push_str(&format!(", {} setup", Money::new(line.setup, currency)));
    }
    (line.name.clone(), price)
}

fn country(ports: &impl Settings, given: Option<&str>) -> Result<String, AgencyError> {
    match given {
        None => Ok(ports.config().seller.country.clone()),
        Some(code) => crate::input::country_code(code).ok_or_else(|| {
            invalid(
                "invalid_country",
                "country: an ISO 3166 two-letter code, e.g. LU",
            )
        }),
    }
}

/// Sends `site`'s proposal as `request` says.
pub async fn send(
    ports: &(impl Storage + Settings + Mailing + Catalogs),
    site: &HostedSite,
    request: SendProposal,
    mover: Mover<'_>,
) -> Result<HostedSite, AgencyError> {
    if request.v != site.v {
        return Err(super::moved_on("the site"));
    }
    if site.status != SiteStatus::PocReady {
        return Err(AgencyError::Conflict {
            code: "not_poc_ready",
            message: "a proposal is sent once the proof of concept is ready (poc_ready)".into(),
        });
    }
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let (lines, currency, totals) = priced(&catalog, &request.lines)?;
    let notes = fields::notes("notes", request.notes.as_deref().unwrap_or(""), 4000)?;
    let now = ports.clock().now();
    let (actor, role, client) = mover;
    let mut pitch = site.pitch.clone();
    pitch.proposal = Some(Proposal {
        lines,
        currency: currency.clone(),
        totals,
        country: country(ports, request.country.as_deref())?,
        sent_at: clock::rfc3339_millis(now),
        sent_by: actor.label(),
    });
    let (mail, ops) = mailed(ports, site, &mut pitch, (&currency, &notes), now).await?;
    let update = Update::new()
        .set("pitch", serde_json::json!(pitch))
        .set("proposal_notes", notes)
        .set(
            "gsi2pk",
            format!("SITES#{}", SiteStatus::ProposalSent.as_str()),
        );
    let mut tx = crate::store::Tx::new();
    Change {
        subject: Subject {
            key: site::key(&site.id),
            id: site.id.clone(),
            customer_id: None,
        },
        from: site.status,
        to: SiteStatus::ProposalSent,
        update,
        actor: actor.clone(),
        why: format!(
            "proposal of {} lines sent to {}",
            request.lines.len(),
            site.contact_email
        ),
        unchanged_since: Some(site.v),
        client: Some(client.into()),
        role: Some(role.into()),
        also: ops,
    }
    .add_to(&mut tx, (), now)?;
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(crate::store::TxError::Refused(())) => return Err(super::moved_on("the site")),
        Err(crate::store::TxError::Table(error)) => return Err(error.into()),
    }
    mail::deliver(ports, &mail).await;
    super::pitch::reread(ports, &site.id).await
}

/// The mail that carries the proposal with its links (a fresh one to the
/// preview, when the site has its preview site), and the writes of the
/// links and the mail; `pitch` remembers the links.
async fn mailed(
    ports: &(impl Storage + Settings),
    site: &HostedSite,
    pitch: &mut super::pitch::Pitch,
    (currency, notes): (&Currency, &str),
    now: time::OffsetDateTime,
) -> Result<(Mail, Vec<crate::store::TxOp>), AgencyError> {
    let (proposal_token, state, proposal_put) = new_link(&site.id, LinkFor::Proposal, now);
    pitch.proposal_link = Some(state);
    let mut ops = vec![proposal_put];
    let mut secrets = vec![proposal_token.clone()];
    let mut letter = letter(ports, site, pitch, currency, notes);
    letter.link = proposal_url(ports, &proposal_token);
    if site.preview_host.is_some() {
        let (token, state, put) = new_link(&site.id, LinkFor::Preview, now);
        ops.extend(pitch.preview_link.replace(state).as_ref().map(ended));
        ops.push(put);
        letter.preview_url = preview_url(ports, &token);
        secrets.push(token);
    }
    let mut mail = Mail::compose_about(
        ports,
        MailKind::Proposal,
        &site.contact_email,
        &letter,
        &format!("proposal-{}", site.id),
    )
    .await?;
    for secret in &secrets {
        mail = mail.with_secret(secret);
    }
    ops.push(mail.put_op(now.unix_timestamp()));
    Ok((mail, ops))
}

fn letter(
    ports: &impl Settings,
    site: &HostedSite,
    pitch: &super::pitch::Pitch,
    currency: &Currency,
    notes: &str,
) -> Letter {
    let proposal = pitch.proposal.as_ref().expect("the proposal is set");
    let totals = &proposal.totals;
    let total = [
        (totals.one_time, "once"),
        (totals.monthly, "a month"),
        (totals.annual, "a year"),
    ]
    .into_iter()
    .filter(|(amount, _)| *amount > 0)
    .map(|(amount, per)| format!("{} {per}", Money::new(amount, currency)))
    .collect::<Vec<_>>()
    .join(", ");
    Letter {
        company: ports.config().company_name.clone(),
        name: site.contact_name.clone(),
        domain: site.business_name.clone(),
        lines: proposal
            .lines
            .iter()
            .map(|l| in_words(l, currency))
            .collect(),
        total: if total.is_empty() {
            "nothing".into()
        } else {
            total
        },
        action: notes.to_string(),
        ..Letter::default()
    }
}

/// Whether the proposal transfers a domain in (its acceptance then needs
/// the domain's transfer code).
pub fn needs_auth_code(proposal: &Proposal) -> bool {
    proposal.lines.iter().any(|l| {
        l.kind == LineKind::Domain && l.domain == Some(super::proposal::DomainPlan::Transfer)
    })
}
