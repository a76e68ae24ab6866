//! The prospect register: the leads a hosting company works on before
//! there is a site to show them. A prospect is `new`, `qualified` once
//! staff judge it worth a proof of concept, `converted` when the proposal
//! of the site made from it is accepted, or `lost`; a lost lead may be
//! reopened. Every move is in the audit log.
//!
//! Items: `PROSPECT#<id>` / `PROSPECT`, listed by when captured in
//! `PROSPECTS` (gsi1) and by business name in `PROSPECTNAMES` (gsi2); see
//! `prospect_list`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::prospect_list::{ALL, BY_NAME, name_order};
use super::site::{HostedSite, Mover};
use super::{AgencyError, fields, moved_on};
use crate::audit::Actor;
use crate::lifecycle::{Change, Status, Subject};
use crate::store::{Condition, Item, Key, Tx, TxError, Update, record_item, record_of};
use crate::{Storage, clock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProspectStatus {
    /// Just captured.
    New,
    /// Worth a proof of concept.
    Qualified,
    /// The proposal of its site was accepted: a client now.
    Converted,
    /// Not interested, or not reachable.
    Lost,
}

use ProspectStatus::*;

impl Status for ProspectStatus {
    const RECORD: &'static str = "prospect";
    const NOUN: &'static str = "a prospect";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
        (New, Qualified, "qualified"),
        (New, Converted, "converted"),
        (Qualified, Converted, "converted"),
        (New, Lost, "lost"),
        (Qualified, Lost, "lost"),
        (Lost, New, "reopened"),
    ];
}

/// A lead, as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Prospect {
    pub id: String,
    pub status: ProspectStatus,
    pub business_name: String,
    pub contact_name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Their current website's domain, ASCII, if they have one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Where the lead came from: `referral`, `trade fair`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default)]
    pub notes: String,
    /// The site made from it, once made (only one ever is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_id: Option<String>,
    pub created_at: String,
    /// The member of staff who captured it, by id.
    pub created_by: String,
    #[serde(default)]
    pub v: i64,
}

/// A new prospect, as staff describe it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProspect {
    /// 1 to 120 characters.
    pub business_name: String,
    /// 1 to 120 characters.
    pub contact_name: String,
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    /// Their current website or domain: `bakery.lu`, `https://bakery.lu/`.
    #[serde(default)]
    pub website: Option<String>,
    /// At most 120 characters.
    #[serde(default)]
    pub source: Option<String>,
    /// At most 4,000 characters.
    #[serde(default)]
    pub notes: Option<String>,
}

/// A move of a prospect along its lifecycle (`converted` comes with its
/// site's accepted proposal, never by hand).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProspectMove {
    pub to: ProspectStatus,
    /// Why, for the audit log: 1 to 500 characters.
    pub why: String,
    pub v: i64,
}

pub(super) fn key(id: &str) -> Key {
    Key::new(format!("PROSPECT#{id}"), "PROSPECT")
}

fn item_of(prospect: &Prospect) -> Item {
    let mut item = record_item(prospect, &key(&prospect.id), "prospect");
    let order = format!("{}#{}", prospect.created_at, prospect.id);
    item.insert("gsi1pk".into(), json!(ALL));
    item.insert("gsi1sk".into(), json!(order));
    item.insert("gsi2pk".into(), json!(BY_NAME));
    item.insert(
        "gsi2sk".into(),
        json!(name_order(&prospect.business_name, &prospect.id)),
    );
    item
}

fn optional(
    value: Option<&str>,
    check: impl Fn(&str) -> Result<String, AgencyError>,
) -> Result<Option<String>, AgencyError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(check)
        .transpose()
}

/// Captures the prospect `new`, by `staff`.
pub async fn create(
    ports: &impl Storage,
    new: NewProspect,
    staff: &Actor,
) -> Result<Prospect, AgencyError> {
    let prospect = Prospect {
        id: ulid::Ulid::new().to_string(),
        status: New,
        business_name: fields::name("business_name", &new.business_name, 120)?,
        contact_name: fields::name("contact_name", &new.contact_name, 120)?,
        email: fields::email(&new.email).map_err(|_| {
            super::invalid(
                "invalid_email",
                "email: that does not look like an email address",
            )
        })?,
        phone: optional(new.phone.as_deref(), fields::phone)?,
        website: optional(new.website.as_deref(), |w| fields::domain("website", w))?,
        source: optional(new.source.as_deref(), |s| fields::name("source", s, 120))?,
        notes: fields::notes("notes", new.notes.as_deref().unwrap_or(""), 4000)?,
        site_id: None,
        created_at: clock::rfc3339_millis(ports.clock().now()),
        created_by: staff.label(),
        v: 1,
    };
    ports
        .table()
        .put(item_of(&prospect), Some(Condition::NotExists))
        .await?;
    Ok(prospect)
}

/// The prospect `id`, if there is one.
pub async fn find(ports: &impl Storage, id: &str) -> Result<Option<Prospect>, AgencyError> {
    if ulid::Ulid::from_string(id).is_err() {
        return Ok(None);
    }
    let item = ports.table().get(&key(id)).await?;
    Ok(item
        .as_ref()
        .map(|item| record_of(item, "prospect"))
        .transpose()?)
}

fn change(
    prospect: &Prospect,
    to: ProspectStatus,
    (actor, role, client): Mover<'_>,
    why: String,
) -> Change<ProspectStatus> {
    Change {
        subject: Subject {
            key: key(&prospect.id),
            id: prospect.id.clone(),
            customer_id: None,
        },
        from: prospect.status,
        to,
        update: Update::new(),
        actor: actor.clone(),
        why,
        unchanged_since: Some(prospect.v),
        client: Some(client.into()),
        role: Some(role.into()),
        also: Vec::new(),
    }
}

/// Moves `prospect` as `request` says, by staff.
pub async fn move_prospect(
    ports: &impl Storage,
    prospect: &Prospect,
    request: ProspectMove,
    mover: Mover<'_>,
) -> Result<Prospect, AgencyError> {
    ProspectStatus::check(prospect.status, request.to)?;
    if request.to == Converted {
        return Err(AgencyError::Conflict {
            code: "converted_by_acceptance",
            message: "a prospect is converted when the proposal of its site is accepted".into(),
        });
    }
    if request.v != prospect.v {
        return Err(moved_on("the prospect"));
    }
    let why = fields::name("why", &request.why, 500)?;
    let mut tx = Tx::new();
    change(prospect, request.to, mover, why).add_to(&mut tx, (), ports.clock().now())?;
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(())) => return Err(moved_on("the prospect")),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    find(ports, &prospect.id)
        .await?
        .ok_or(AgencyError::NotFound("prospect"))
}

/// Adds to `tx` the conversion of the prospect `site` was made from, as its
/// proposal is accepted by `by` (who, and their role and address when
/// staff): a lost or already converted one stays as it is. A prospect
/// changed meanwhile refuses `tx` with `refusal`.
pub(super) async fn convert_with<R: Copy>(
    ports: &impl Storage,
    (tx, refusal): (&mut Tx<R>, R),
    site: &HostedSite,
    (actor, role, client): (&Actor, Option<&str>, Option<&str>),
    now: OffsetDateTime,
) -> Result<(), AgencyError> {
    let Some(id) = &site.prospect_id else {
        return Ok(());
    };
    let Some(prospect) = find(ports, id).await? else {
        return Ok(());
    };
    if ProspectStatus::action(prospect.status, Converted).is_none() {
        return Ok(());
    }
    let why = format!("the proposal of {} was accepted", site.business_name);
    let mut change = change(&prospect, Converted, (actor, "", ""), why);
    change.role = role.map(Into::into);
    change.client = client.map(Into::into);
    change.add_to(tx, refusal, now)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lifecycle_is_well_formed_and_converted_is_final() {
        crate::lifecycle::assert_well_formed(&[Converted]);
        assert!(ProspectStatus::check(Lost, Converted).is_err());
        assert_eq!(ProspectStatus::check(Qualified, Converted), Ok("converted"));
    }
}
