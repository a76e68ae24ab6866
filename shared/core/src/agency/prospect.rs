//! What the prospect's proposal page shows: the business, the lines and
//! their totals, what the proposal says, a way to the preview while it
//! shows, and whether it is accepted. Opening it the first time is
//! recorded for staff (`viewed_at`).

use serde::Serialize;
use utoipa::ToSchema;

use super::AgencyError;
use super::acceptance::proposal_closed;
use super::offer::needs_auth_code;
use super::pitch::{LinkFor, commit, opened, pitch_op};
use super::proposal::{ProposalLine, Totals};
use super::site::SiteStatus;
use crate::store::Update;
use crate::{Hosting, Settings, Storage, clock};

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalView {
    pub business_name: String,
    pub contact_name: String,
    /// The company that makes the proposal.
    pub company: String,
    pub lines: Vec<ProposalLine>,
    pub currency: String,
    pub totals: Totals,
    /// How tax is shown: the amounts are before it.
    pub tax_note: String,
    pub notes: String,
    pub sent_at: String,
    /// Where the preview is served, while it shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_url: Option<String>,
    /// Accepting needs the domain's transfer code (`auth_code`).
    pub needs_auth_code: bool,
    pub accepted: bool,
}

/// The proposal the link `token` opens, while the site is `proposal_sent`,
/// and as accepted once it is (the customer's record of what they agreed
/// to, while the site is accepted, live or suspended).
pub async fn view_proposal(
    ports: &(impl Storage + Settings + Hosting),
    token: &str,
) -> Result<ProposalView, AgencyError> {
    let site = opened(ports, LinkFor::Proposal, token).await?;
    let accepted = match site.status {
        SiteStatus::ProposalSent => false,
        SiteStatus::Accepted | SiteStatus::Live | SiteStatus::Suspended => true,
        _ => return Err(proposal_closed()),
    };
    let proposal = site.pitch.proposal.clone().ok_or_else(proposal_closed)?;
    if site.pitch.viewed_at.is_none() && !accepted {
        let mut pitch = site.pitch.clone();
        pitch.viewed_at = Some(clock::rfc3339_millis(ports.clock().now()));
        // Best effort: a change made meanwhile wins, and the next view records it.
        let _ = commit(ports, vec![pitch_op(&site, &pitch, Update::new())]).await;
    }
    Ok(ProposalView {
        business_name: site.business_name.clone(),
        contact_name: site.contact_name.clone(),
        company: ports.config().company_name.clone(),
        needs_auth_code: needs_auth_code(&proposal) && !accepted,
        lines: proposal.lines,
        currency: proposal.currency.to_string(),
        totals: proposal.totals,
        tax_note: "Prices are before tax; tax is added where it applies.".into(),
        notes: site.proposal_notes.clone(),
        sent_at: proposal.sent_at,
        preview_url: match (&site.panel_account, &site.preview_host, accepted) {
            (Some(account), Some(host), false) => Some(ports.panel().site_address(account, host)),
            _ => None,
        },
        accepted,
    })
}
