//! A draft site made from a prospect, pre-filled with its business and
//! contact, and linked both ways (`prospect_id` on the site, `site_id` on
//! the prospect). A prospect has one site only: asking again, or twice at
//! once, answers the site made first.

use serde_json::json;

use super::prospects::{self, Prospect, ProspectStatus};
use super::site::{self, HostedSite, Mover, NewSite};
use super::{AgencyError, moved_on};
use crate::Storage;
use crate::audit::AuditEntry;
use crate::store::{Condition, Tx, TxError, TxOp, Update};

/// The site made from the prospect, and whether this call made it.
pub struct FromProspect {
    pub site: HostedSite,
    pub made: bool,
}

/// Makes the draft site of the prospect `id`, by a member of staff; once
/// made, the same site again.
pub async fn make_site(
    ports: &impl Storage,
    id: &str,
    (staff, role, client): Mover<'_>,
) -> Result<FromProspect, AgencyError> {
    let prospect = prospects::find(ports, id)
        .await?
        .ok_or(AgencyError::NotFound("prospect"))?;
    if let Some(made) = already_made(ports, &prospect).await? {
        return Ok(made);
    }
    if prospect.status == ProspectStatus::Lost {
        return Err(AgencyError::Conflict {
            code: "prospect_lost",
            message: "the prospect is lost: reopen it before making its site".into(),
        });
    }
    let new = NewSite {
        business_name: prospect.business_name.clone(),
        contact_name: prospect.contact_name.clone(),
        contact_email: prospect.email.clone(),
        contact_phone: prospect.phone.clone(),
        internal_notes: Some(prospect.notes.clone()),
    };
    let mut made = site::draft(ports, new, staff)?;
    made.prospect_id = Some(prospect.id.clone());
    let mut tx = Tx::new();
    tx.guard(
        (),
        TxOp::Update {
            key: prospects::key(&prospect.id),
            update: Update::new().set("site_id", json!(made.id)).bump_version(),
            condition: Some(
                Condition::AttributeNotExists("site_id".into())
                    .and(Condition::eq("status", json!(prospect.status))),
            ),
        },
    )
    .push(TxOp::Put {
        item: site::item_of(&made),
        condition: Some(Condition::NotExists),
    })
    .push(
        AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: staff.clone(),
            subject: format!("prospect:{}", prospect.id),
            customer_id: None,
            action: "site_made".into(),
            from: None,
            to: None,
            why: format!("site {}", made.id),
            client: Some(client.into()),
            role: Some(role.into()),
        }
        .put_op(),
    );
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(FromProspect {
            site: made,
            made: true,
        }),
        // Made meanwhile by another request, or the prospect moved on.
        Err(TxError::Refused(())) => {
            let again = prospects::find(ports, id)
                .await?
                .ok_or(AgencyError::NotFound("prospect"))?;
            already_made(ports, &again)
                .await?
                .ok_or_else(|| moved_on("the prospect"))
        }
        Err(TxError::Table(error)) => Err(error.into()),
    }
}

async fn already_made(
    ports: &impl Storage,
    prospect: &Prospect,
) -> Result<Option<FromProspect>, AgencyError> {
    let Some(site_id) = &prospect.site_id else {
        return Ok(None);
    };
    let site = site::find(ports, site_id)
        .await?
        .ok_or(AgencyError::NotFound("site"))?;
    Ok(Some(FromProspect { site, made: false }))
}
