//! The proof of concept's preview site: a hosting account on the panel for
//! a free name under the company's preview zone (`<slug>.<preview zone>`),
//! and the public link that shows it while the site is `poc_ready` or
//! `proposal_sent`.
//!
//! Making the account is safe to retry and to click twice: the panel makes
//! one account per idempotency key (`site-<id>-preview`), and the site
//! takes its account only while it has none.

use secrecy::SecretString;
use serde::Serialize;
use utoipa::ToSchema;

use super::pitch::{LinkFor, commit, ended, new_link, opened, pitch_op, renewed, reread};
use super::site::{self, HostedSite, Mover, SiteStatus};
use super::{AgencyError, invalid};
use crate::audit::AuditEntry;
use crate::catalog::PlanKind;
use crate::panel::{NewAccount, PanelError};
use crate::store::{Condition, TableError, TxOp, Update};
use crate::{Catalogs, Hosting, Settings, Storage, clock};

/// The panel's username of a site's preview account: `pv` and the end of
/// the site's id, the same on every retry.
pub fn preview_username(site_id: &str) -> String {
    let tail: String = site_id
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("pv{}", tail.to_ascii_lowercase())
}

/// The preview's host name: the business's name made a DNS label, with
/// the end of the site's id so that two businesses of one name differ.
pub fn preview_host(site: &HostedSite, zone: &str) -> String {
    let mut slug = String::new();
    for c in site.business_name.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => slug.push(c),
            _ if !slug.is_empty() && !slug.ends_with('-') => slug.push('-'),
            _ => {}
        }
        if slug.len() >= 40 {
            break;
        }
    }
    let tail = preview_username(&site.id)[8..].to_string();
    let slug = slug.trim_end_matches('-');
    match slug.is_empty() {
        true => format!("site-{tail}.{zone}"),
        false => format!("{slug}-{tail}.{zone}"),
    }
}

fn audit(
    site: &HostedSite,
    (action, why): (&str, &str),
    (actor, role, client): Mover<'_>,
    now: time::OffsetDateTime,
) -> TxOp {
    AuditEntry {
        at: clock::rfc3339_millis(now),
        actor: actor.clone(),
        subject: format!("site:{}", site.id),
        customer_id: None,
        action: action.into(),
        from: None,
        to: None,
        why: why.into(),
        client: Some(client.into()),
        role: Some(role.into()),
    }
    .put_op()
}

fn before_acceptance(site: &HostedSite) -> Result<(), AgencyError> {
    if matches!(
        site.status,
        SiteStatus::Draft | SiteStatus::PocReady | SiteStatus::ProposalSent
    ) {
        return Ok(());
    }
    Err(AgencyError::Conflict {
        code: "preview_closed",
        message: "a preview is for a site before its proposal is accepted".into(),
    })
}

fn from_panel(error: PanelError) -> AgencyError {
    match error {
        PanelError::Unavailable(message) => AgencyError::Conflict {
            code: "panel_unavailable",
            message: format!("the hosting panel did not answer ({message}); try again"),
        },
        other => AgencyError::Conflict {
            code: "panel_refused",
            message: other.to_string(),
        },
    }
}

/// Makes the site's preview account on the panel, once: a site that has
/// one is answered as it is.
pub async fn make_preview(
    ports: &(impl Storage + Settings + Hosting + Catalogs),
    site: &HostedSite,
    mover: Mover<'_>,
) -> Result<HostedSite, AgencyError> {
    if site.panel_account.is_some() {
        return Ok(site.clone());
    }
    before_acceptance(site)?;
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let plan = catalog
        .plans
        .iter()
        .find(|p| p.kind == PlanKind::Shared)
        .ok_or_else(|| {
            invalid(
                "no_shared_plan",
                "the catalog has no shared plan to host a preview on",
            )
        })?;
    let host = preview_host(site, &ports.config().preview_zone);
    let request = NewAccount {
        username: preview_username(&site.id),
        // Nobody logs in to a preview account: staff reach it through the panel.
        password: SecretString::from(crate::accounts::random_token()),
        domain: host.clone(),
        plan_id: plan.id.clone(),
        pool: "shared".into(),
        idempotency_key: format!("site-{}-preview", site.id),
    };
    let account = ports
        .panel()
        .create_account(&request)
        .await
        .map_err(from_panel)?;
    let now = ports.clock().now();
    let update = Update::new()
        .set("panel_account", account.username.clone())
        .set("preview_host", host.clone())
        .bump_version();
    let ops = vec![
        TxOp::Update {
            key: site::key(&site.id),
            update,
            condition: Some(Condition::AttributeNotExists("panel_account".into())),
        },
        audit(
            site,
            (
                "preview_made",
                &format!("preview site {host} on {}", account.server),
            ),
            mover,
            now,
        ),
    ];
    match ports.table().transact(ops).await {
        // Another click made it first: the same account, already recorded.
        Ok(()) | Err(TableError::TransactionConflict { index: 0 }) => reread(ports, &site.id).await,
        Err(other) => Err(other.into()),
    }
}

/// A new preview link and the site that holds it; the link's address is
/// in the answer only.
#[derive(Debug, Serialize, ToSchema)]
pub struct MadeLink {
    /// The link to give the prospect: shown this once.
    pub url: String,
    pub site: HostedSite,
}

/// The address of the preview page for `token`: in the fragment, which
/// never reaches a server's log or another site's `Referer`.
pub(super) fn preview_url(ports: &impl Settings, token: &str) -> String {
    let public = ports.config().public_url.trim_end_matches('/');
    format!("{public}/preview.html#{token}")
}

/// Makes a new preview link for `site` (ending the one it had), working
/// for `pitch::LINK_DAYS`.
pub async fn make_link(
    ports: &(impl Storage + Settings),
    site: &HostedSite,
    v: i64,
    mover: Mover<'_>,
) -> Result<MadeLink, AgencyError> {
    if v != site.v {
        return Err(super::moved_on("the site"));
    }
    if site.preview_host.is_none() {
        return Err(AgencyError::Conflict {
            code: "no_preview",
            message: "make the preview site first".into(),
        });
    }
    before_acceptance(site)?;
    let now = ports.clock().now();
    let (token, state, put) = new_link(&site.id, LinkFor::Preview, now);
    let mut pitch = site.pitch.clone();
    let old = pitch.preview_link.replace(state);
    let mut ops = vec![pitch_op(site, &pitch, Update::new()), put];
    ops.extend(old.as_ref().map(ended));
    ops.push(audit(
        site,
        ("preview_link_made", "a new preview link, for 30 days"),
        mover,
        now,
    ));
    commit(ports, ops).await?;
    Ok(MadeLink {
        url: preview_url(ports, &token),
        site: reread(ports, &site.id).await?,
    })
}

/// What staff do to the preview link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkChange {
    /// Works for another 30 days from now.
    Renew,
    /// Stops working now.
    End,
}

/// Renews or ends the site's preview link.
pub async fn change_link(
    ports: &impl Storage,
    site: &HostedSite,
    (change, v): (LinkChange, i64),
    mover: Mover<'_>,
) -> Result<HostedSite, AgencyError> {
    if v != site.v {
        return Err(super::moved_on("the site"));
    }
    let Some(state) = site.pitch.preview_link.clone() else {
        return Err(AgencyError::NotFound("preview link"));
    };
    let now = ports.clock().now();
    let mut pitch = site.pitch.clone();
    let (write, action) = match change {
        LinkChange::Renew => {
            let (state, op) = renewed(&state, now);
            pitch.preview_link = Some(state);
            (op, "preview_link_renewed")
        }
        LinkChange::End => {
            pitch.preview_link = None;
            (ended(&state), "preview_link_ended")
        }
    };
    let ops = vec![
        pitch_op(site, &pitch, Update::new()),
        write,
        audit(site, (action, "staff changed the preview link"), mover, now),
    ];
    match commit(ports, ops).await {
        Err(AgencyError::Table(TableError::TransactionConflict { .. })) => {
            Err(AgencyError::Conflict {
                code: "link_expired",
                message: "the link has expired: make a new one".into(),
            })
        }
        other => other,
    }?;
    reread(ports, &site.id).await
}

/// What the public preview page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewView {
    pub business_name: String,
    /// The company building the site.
    pub company: String,
    /// Where the preview is served: `https://<host>/` on the preview zone,
    /// or with the simulated panel a page of this site's own.
    pub preview_url: String,
}

/// The preview the link `token` opens, while the site is `poc_ready` or
/// `proposal_sent`; gone otherwise, and never once live or cancelled.
pub async fn open_preview(
    ports: &(impl Storage + Settings + Hosting),
    token: &str,
) -> Result<PreviewView, AgencyError> {
    let site = opened(ports, LinkFor::Preview, token).await?;
    let showing = matches!(site.status, SiteStatus::PocReady | SiteStatus::ProposalSent);
    match (&site.panel_account, &site.preview_host, showing) {
        (Some(account), Some(host), true) => Ok(PreviewView {
            business_name: site.business_name.clone(),
            company: ports.config().company_name.clone(),
            preview_url: ports.panel().site_address(account, host),
        }),
        _ => Err(ended_preview()),
    }
}

/// The link worked once, but what it showed has ended (410).
pub fn ended_preview() -> AgencyError {
    AgencyError::Gone {
        code: "preview_ended",
        message: "this preview has ended".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn preview_names_are_labels_under_the_zone() {
        let mut site: HostedSite = serde_json::from_value(json!({
            "id": "01JABCDEFGHJKMNPQRSTVWXYZ0", "status": "draft",
            "business_name": "Boulangerie du Parc & Fils!", "contact_name": "J",
            "contact_email": "j@example.com", "created_at": "x", "created_by": "y"
        }))
        .unwrap();
        let username = preview_username(&site.id);
        assert_eq!(username, "pvnpqrstvwxyz0");
        assert_eq!(
            preview_host(&site, "preview.example.net"),
            "boulangerie-du-parc-fils-vwxyz0.preview.example.net"
        );
        site.business_name = "ÉÉ".into();
        assert_eq!(preview_host(&site, "z.net"), "site-vwxyz0.z.net");
    }
}
