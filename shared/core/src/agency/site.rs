//! A client's website on its way from a draft to a live site:
//! `draft → poc_ready → proposal_sent → accepted → live`, `live ↔
//! suspended`, and `cancelled` from anywhere, for good. Each move is in the
//! audit log, and suspending, reactivating or cancelling a site does the
//! same to its services (`service_moves::follow_site`), in the same
//! transaction.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

pub use super::site_moves::{Mover, move_site};
use super::{AgencyError, Listed, fields};
use crate::audit::Actor;
use crate::lifecycle::Status;
use crate::listing::csv::CsvRow;
use crate::listing::{self, Asked, Listing, ListingError, Sort};
use crate::store::{Index, Item, Key, Query, SortKey, TableResult, record_item, record_of};
use crate::{Storage, clock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteStatus {
    /// Made; its proof of concept is being built.
    Draft,
    /// The proof of concept is ready to show.
    PocReady,
    /// The proposal went to the prospect.
    ProposalSent,
    /// The prospect said yes.
    Accepted,
    /// Served under the client's own domain.
    Live,
    /// Taken down for a while (an unpaid bill); back to live when settled.
    Suspended,
    /// Ended, for good.
    Cancelled,
}

use SiteStatus::*;

impl Status for SiteStatus {
    const RECORD: &'static str = "site";
    const NOUN: &'static str = "a site";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
        (Draft, PocReady, "poc_ready"),
        (PocReady, ProposalSent, "proposal_sent"),
        (ProposalSent, Accepted, "proposal_accepted"),
        (Accepted, Live, "went_live"),
        (Live, Suspended, "suspended"),
        (Suspended, Live, "reactivated"),
        (Draft, Cancelled, "cancelled"),
        (PocReady, Cancelled, "cancelled"),
        (ProposalSent, Cancelled, "cancelled"),
        (Accepted, Cancelled, "cancelled"),
        (Live, Cancelled, "cancelled"),
        (Suspended, Cancelled, "cancelled"),
    ];
}

/// A client's website in the pipeline, as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HostedSite {
    pub id: String,
    pub status: SiteStatus,
    pub business_name: String,
    pub contact_name: String,
    pub contact_email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    /// The customer the site is for, once its proposal is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<String>,
    /// The hosting account on the panel that holds the proof of concept,
    /// and later the live site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panel_account: Option<String>,
    /// The prospect it was made from, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prospect_id: Option<String>,
    /// The proof of concept's host under the preview zone, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_host: Option<String>,
    /// The links, the proposal, and what the prospect did.
    #[serde(default)]
    pub pitch: super::pitch::Pitch,
    /// What the proposal says, for the prospect.
    #[serde(default)]
    pub proposal_notes: String,
    /// For staff only.
    #[serde(default)]
    pub internal_notes: String,
    /// The client's domain it is served under, once live.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live_domain: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub went_live_at: Option<String>,
    pub created_at: String,
    /// The member of staff who made it, by id.
    pub created_by: String,
    /// Moves with every change: a change made from an older reading is refused.
    #[serde(default)]
    pub v: i64,
}

/// A new site, as staff describe it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSite {
    /// 1 to 120 characters.
    pub business_name: String,
    /// 1 to 120 characters.
    pub contact_name: String,
    pub contact_email: String,
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// At most 4,000 characters, for staff only.
    #[serde(default)]
    pub internal_notes: Option<String>,
}

/// A move of a site along its lifecycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteMove {
    pub to: SiteStatus,
    /// Why, for the audit log: 1 to 500 characters.
    pub why: String,
    /// Going live: the client's domain it is served under.
    #[serde(default)]
    pub live_domain: Option<String>,
    /// Sending the proposal: what it says, at most 4,000 characters.
    #[serde(default)]
    pub proposal_notes: Option<String>,
    /// Recording an acceptance of a proposal that transfers a domain in:
    /// its transfer code, for the order.
    #[serde(default)]
    pub auth_code: Option<String>,
    /// The site's version as the caller read it: a move made from an older
    /// reading is refused.
    pub v: i64,
}

pub(crate) fn key(id: &str) -> Key {
    Key::new(format!("SITE#{id}"), "SITE")
}

/// The partition that lists the sites in `status`.
pub(super) fn by_status(status: SiteStatus) -> String {
    format!("SITES#{}", status.as_str())
}

/// The sites, newest first.
pub(super) fn all() -> Query {
    Query::index(Index::Gsi1, "SITES")
}

pub(super) fn item_of(site: &HostedSite) -> Item {
    let mut item = record_item(site, &key(&site.id), "site");
    let order = format!("{}#{}", site.created_at, site.id);
    item.insert("gsi1pk".into(), json!("SITES"));
    item.insert("gsi1sk".into(), json!(order));
    item.insert("gsi2pk".into(), json!(by_status(site.status)));
    item.insert("gsi2sk".into(), json!(order));
    item
}

pub(super) fn site_of(item: &Item) -> TableResult<HostedSite> {
    record_of(item, "site")
}

/// Makes a draft site from `new`, by `staff`.
pub async fn create(
    ports: &impl Storage,
    new: NewSite,
    staff: &Actor,
) -> Result<HostedSite, AgencyError> {
    let site = draft(ports, new, staff)?;
    ports
        .table()
        .put(item_of(&site), Some(crate::store::Condition::NotExists))
        .await?;
    Ok(site)
}

/// The draft site `new` describes, checked, yet unwritten.
pub(super) fn draft(
    ports: &impl Storage,
    new: NewSite,
    staff: &Actor,
) -> Result<HostedSite, AgencyError> {
    let contact_phone = new
        .contact_phone
        .as_deref()
        .map(fields::phone)
        .transpose()?;
    let site = HostedSite {
        id: ulid::Ulid::new().to_string(),
        status: Draft,
        business_name: fields::name("business_name", &new.business_name, 120)?,
        contact_name: fields::name("contact_name", &new.contact_name, 120)?,
        contact_email: fields::email(&new.contact_email)?,
        contact_phone,
        customer_id: None,
        panel_account: None,
        prospect_id: None,
        preview_host: None,
        pitch: Default::default(),
        proposal_notes: String::new(),
        internal_notes: fields::notes(
            "internal_notes",
            new.internal_notes.as_deref().unwrap_or(""),
            4000,
        )?,
        live_domain: None,
        went_live_at: None,
        created_at: clock::rfc3339_millis(ports.clock().now()),
        created_by: staff.label(),
        v: 1,
    };
    Ok(site)
}

/// The site with `id`, if there is one.
pub async fn find(ports: &impl Storage, id: &str) -> Result<Option<HostedSite>, AgencyError> {
    if ulid::Ulid::from_string(id).is_err() {
        return Ok(None);
    }
    Ok(ports
        .table()
        .get(&key(id))
        .await?
        .as_ref()
        .map(site_of)
        .transpose()?)
}

/// The client sites, newest or oldest first by when they were made, of
/// one status or all, between two days.
pub const SITES: Listing = Listing {
    name: "sites",
    sorts: &[Sort::Newest, Sort::Oldest],
    statuses: &[
        "draft",
        "poc_ready",
        "proposal_sent",
        "accepted",
        "live",
        "suspended",
        "cancelled",
    ],
    kinds: &[],
    dates: true,
    search: false,
};

/// A page of the sites as `asked` says.
pub async fn list(ports: &impl Storage, asked: &Asked) -> Result<Listed<HostedSite>, ListingError> {
    let query = match &asked.status {
        Some(status) => Query::index(Index::Gsi2, format!("SITES#{status}")),
        None => all(),
    };
    let query = query.sort(asked.date_range(listing::time_key, SortKey::Any));
    listing::read(ports.table(), query, asked, |item| site_of(item).map(Some)).await
}

impl CsvRow for HostedSite {
    const HEADER: &'static [&'static str] = &[
        "site",
        "business",
        "status",
        "contact",
        "email",
        "phone",
        "customer",
        "live_domain",
        "went_live",
        "created",
    ];

    fn cells(&self) -> Vec<String> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.id.clone(),
            self.business_name.clone(),
            self.status.as_str().into(),
            self.contact_name.clone(),
            self.contact_email.clone(),
            text(&self.contact_phone),
            text(&self.customer_id),
            text(&self.live_domain),
            text(&self.went_live_at),
            self.created_at.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_knows_every_site_status() {
        let every = [
            Draft,
            PocReady,
            ProposalSent,
            Accepted,
            Live,
            Suspended,
            Cancelled,
        ];
        let names: Vec<&str> = every.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, SITES.statuses);
    }

    #[test]
    fn the_lifecycle_is_well_formed_and_cancelled_is_final() {
        crate::lifecycle::assert_well_formed(&[Cancelled]);
        assert!(SiteStatus::check(Live, Draft).is_err());
        assert_eq!(SiteStatus::check(Suspended, Live), Ok("reactivated"));
    }
}
