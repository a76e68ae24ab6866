//! Accepting a proposal, online from its link or recorded by staff (given
//! by phone): the site moves `proposal_sent → accepted` naming its
//! customer (the one with the contact's email, or a new account whose
//! holder sets their password from the welcome mail), then the proposal's
//! lines become the customer's (`settle`): the plan and the domain one
//! unpaid order through the order flow, every line a pending service of
//! the site naming the order where it provides it (`settle`).
//!
//! Both steps are safe to repeat: the move happens once (guarded by the
//! site's version), the order is placed under an idempotency key of the
//! site's, and the services are written with the site's `settled` mark in
//! one transaction. Accepting twice, or at once from two tabs, makes one
//! account and one order.

use serde::Serialize;
use utoipa::ToSchema;

use super::pitch::{LinkFor, opened, reread};
use super::site::{self, HostedSite, Mover, SiteStatus};
use super::{AgencyError, moved_on};
use crate::accounts::invited::{self, Client, Holder};
use crate::audit::Actor;
use crate::lifecycle::{Change, Status, Subject};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::store::{Tx, TxError, TxOp, Update};
use crate::{
    Catalogs, Hashing, Hosting, Mailing, Registry, Sealing, Settings, Storage, Zones, clock,
};

/// What accepting a proposal uses: the order flow's ports.
pub trait Accepting:
    Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs + Hashing
{
}
impl<T: Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs + Hashing>
    Accepting for T
{
}

/// Who accepts.
#[derive(Clone, Copy)]
pub enum By<'a> {
    /// The prospect, from the proposal's link.
    Prospect,
    /// A member of staff recording an acceptance given otherwise, and why.
    Staff(Mover<'a>, &'a str),
}

/// What the public page is told, the same whether or not the email had an account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptAnswer {
    /// Always `accepted`.
    pub status: &'static str,
    pub next: String,
}

/// Accepts the proposal the link `token` opens.
pub async fn accept_online(
    ports: &impl Accepting,
    token: &str,
    auth_code: Option<String>,
) -> Result<AcceptAnswer, AgencyError> {
    let site = opened(ports, LinkFor::Proposal, token).await?;
    if !matches!(site.status, SiteStatus::ProposalSent | SiteStatus::Accepted) {
        return Err(proposal_closed());
    }
    accept(ports, &site, By::Prospect, auth_code).await?;
    Ok(AcceptAnswer {
        status: "accepted",
        next: "Thank you. Check your email: follow the link in it to set your password (or log \
               in, if you have an account with us), then pay in your portal."
            .into(),
    })
}

pub(super) fn proposal_closed() -> AgencyError {
    AgencyError::Gone {
        code: "proposal_closed",
        message: "this proposal is no longer open".into(),
    }
}

/// Accepts `site`'s proposal as `by`, or finishes an acceptance made
/// before: the answer is the site, accepted, with its lines settled.
pub async fn accept(
    ports: &impl Accepting,
    site: &HostedSite,
    by: By<'_>,
    auth_code: Option<String>,
) -> Result<HostedSite, AgencyError> {
    let site = match (site.status, by) {
        (SiteStatus::ProposalSent, _) => record(ports, site, by).await?,
        (SiteStatus::Accepted, By::Prospect) => site.clone(),
        // Staff try again an acceptance whose order was refused.
        (SiteStatus::Accepted, By::Staff(..)) if !site.pitch.settled => site.clone(),
        (from, _) => {
            return Err(SiteStatus::check(from, SiteStatus::Accepted)
                .err()
                .map_or_else(proposal_closed, Into::into));
        }
    };
    super::settle::settle(ports, site, by, auth_code).await
}

/// Records an acceptance given to staff (by phone, say) as `request` says:
/// the same as accepting online, with who and why in the audit log. On a
/// site accepted whose order was refused (`order_refused`), it places the
/// proposal's order again and makes its services.
pub async fn accept_by_staff(
    ports: &impl Accepting,
    site: &HostedSite,
    request: super::site::SiteMove,
    mover: Mover<'_>,
) -> Result<HostedSite, AgencyError> {
    let unsettled = site.status == SiteStatus::Accepted && !site.pitch.settled;
    if !unsettled {
        SiteStatus::check(site.status, SiteStatus::Accepted)?;
    }
    if request.v != site.v {
        return Err(moved_on("the site"));
    }
    let why = super::fields::name("why", &request.why, 500)?;
    accept(ports, site, By::Staff(mover, &why), request.auth_code).await
}

/// Why the acceptance's transaction may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    SiteMoved,
    EmailTaken,
}

/// Moves the site to `accepted`, naming its customer (made if new), and
/// mails the client their next step.
async fn record(
    ports: &impl Accepting,
    site: &HostedSite,
    by: By<'_>,
) -> Result<HostedSite, AgencyError> {
    let country = match &site.pitch.proposal {
        Some(proposal) => proposal.country.clone(),
        None => ports.config().seller.country.clone(),
    };
    // A second round only when the email got its account meanwhile.
    for _ in 0..2 {
        let now = ports.clock().now();
        let client = Client {
            email: &site.contact_email,
            name: &site.contact_name,
            company: &site.business_name,
            country: &country,
            created_at: clock::rfc3339(now),
        };
        let holder = invited::holder_for(ports, client).await?;
        let customer_id = holder.id();
        let (mail, mut also) = welcome(ports, site, &holder).await?;
        also.push(mail.put_op(now.unix_timestamp()));
        let mut tx = Tx::new();
        let (actor, role, client) = match by {
            By::Prospect => (Actor::Customer(customer_id.clone()), None, None),
            By::Staff((actor, role, client), _) => (actor.clone(), Some(role), Some(client)),
        };
        change(site, &customer_id, by, now, also).add_to(&mut tx, Refusal::SiteMoved, now)?;
        // The prospect the site was made from is converted with it.
        let converter = (&actor, role, client);
        super::prospects::convert_with(ports, (&mut tx, Refusal::SiteMoved), site, converter, now)
            .await?;
        if let Holder::New(new) = holder {
            let (_, marker, profile) = *new;
            tx.guard(Refusal::EmailTaken, marker).push(profile);
        }
        match tx.commit(ports.table()).await {
            Ok(()) => {
                mail::deliver(ports, &mail).await;
                return reread(ports, &site.id).await;
            }
            Err(TxError::Refused(Refusal::EmailTaken)) => continue,
            Err(TxError::Refused(Refusal::SiteMoved)) => {
                // Accepted at the same moment from elsewhere: that acceptance stands.
                let current = reread(ports, &site.id).await?;
                return match current.status {
                    SiteStatus::Accepted if current.customer_id.is_some() => Ok(current),
                    _ => Err(moved_on("the site")),
                };
            }
            Err(TxError::Table(error)) => return Err(error.into()),
        }
    }
    Err(moved_on("the client's account"))
}

/// The move of `site` to `accepted` for `customer_id`, by `by`, with the
/// writes that go with it (`also`).
fn change(
    site: &HostedSite,
    customer_id: &crate::CustomerId,
    by: By<'_>,
    now: time::OffsetDateTime,
    also: Vec<TxOp>,
) -> Change<SiteStatus> {
    let (actor, why, role, client) = match by {
        By::Prospect => (
            Actor::Customer(customer_id.clone()),
            "accepted online from the proposal's link",
            None,
            None,
        ),
        By::Staff((actor, role, client), why) => (
            actor.clone(),
            why,
            Some(role.to_string()),
            Some(client.to_string()),
        ),
    };
    let mut pitch = site.pitch.clone();
    pitch.accepted_at = Some(clock::rfc3339_millis(now));
    pitch.accepted_via = Some(if role.is_some() { "staff" } else { "online" }.into());
    Change {
        subject: Subject {
            key: site::key(&site.id),
            id: site.id.clone(),
            customer_id: Some(customer_id.clone()),
        },
        from: SiteStatus::ProposalSent,
        to: SiteStatus::Accepted,
        update: Update::new()
            .set("customer_id", customer_id.as_str())
            .set("pitch", serde_json::json!(pitch))
            .set("gsi2pk", format!("SITES#{}", SiteStatus::Accepted.as_str())),
        actor,
        why: why.to_string(),
        unchanged_since: Some(site.v),
        client,
        role,
        also,
    }
}

/// The mail that tells the client what comes next, and the writes besides
/// it (a new account's set-password link).
async fn welcome(
    ports: &impl Accepting,
    site: &HostedSite,
    holder: &Holder,
) -> Result<(Mail, Vec<TxOp>), AgencyError> {
    let company = ports.config().company_name.clone();
    let public = ports.config().public_url.trim_end_matches('/');
    let mut letter = Letter {
        company: company.clone(),
        name: site.contact_name.clone(),
        domain: site.business_name.clone(),
        ..Letter::default()
    };
    let mut ops = Vec::new();
    let mut secret = None;
    match holder {
        Holder::New(new) => {
            let (token, op) = invited::set_password_link(&new.0, ports.clock().now_millis());
            letter.link = format!("{public}/reset-password.html#token={token}");
            letter.headline = "Set your password".into();
            letter.action = format!(
                "We made your account at {company} with this address. Choose its password with \
                 the link below (it works for {} days), then log in to your portal: your order \
                 waits there to be paid.",
                invited::SET_PASSWORD_DAYS
            );
            ops.push(op);
            secret = Some(token);
        }
        Holder::Existing(_) => {
            letter.link = format!("{public}/account.html");
            letter.headline = "Log in to your portal".into();
            letter.action = "What you accepted is now in your account with us: log in to your \
                             portal to see your order and pay it."
                .into();
        }
    }
    let mut mail = Mail::compose_about(
        ports,
        MailKind::ProposalAccepted,
        &site.contact_email,
        &letter,
        &format!("accepted-{}", site.id),
    )
    .await?;
    if let Some(token) = secret {
        mail = mail.with_secret(&token);
    }
    Ok((mail, ops))
}
