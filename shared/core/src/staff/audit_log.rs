//! The audit log for staff, a page at a time: about one subject (its
//! partition), one customer (`gsi1`) or by one actor (`gsi2`), each by
//! time (`<RFC 3339 ms>#<id>`), newest or oldest first, between two days;
//! `q` the start of an action (`approved`, `exported`), applied to the pages read.

use super::names::{NamedEntry, Names};
use crate::Storage;
use crate::audit::{AuditEntry, AuditQuery};
use crate::listing::csv::CsvRow;
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::store::{Index, Item, Query, SortKey, TableResult};

pub const AUDIT: Listing = Listing {
    name: "audit",
    sorts: &[Sort::Newest, Sort::Oldest],
    statuses: &[],
    kinds: &[],
    dates: true,
    search: true,
};

/// A page of the entries `whose` as `asked` says, with their names.
pub async fn list(
    ports: &impl Storage,
    whose: AuditQuery<'_>,
    asked: &Asked,
) -> Result<Listed<NamedEntry>, ListingError> {
    let query = match whose {
        AuditQuery::Subject(subject) => Query::partition(format!("AUDIT#{subject}")),
        AuditQuery::Customer(id) => Query::index(Index::Gsi1, format!("AUDIT#CUSTOMER#{id}")),
        AuditQuery::Actor(actor) => {
            Query::index(Index::Gsi2, format!("AUDIT#ACTOR#{}", actor.label()))
        }
    };
    let query = query.sort(asked.date_range(listing::time_key, SortKey::Any));
    let action = asked.q.as_deref().unwrap_or("");
    let keep = |item: &Item| -> TableResult<Option<AuditEntry>> {
        let entry = AuditEntry::of(item)?;
        Ok(entry.action.starts_with(action).then_some(entry))
    };
    let page = listing::read(ports.table(), query, asked, keep).await?;
    Ok(Listed {
        items: Names::default().entries(ports, page.items).await?,
        next: page.next,
    })
}

impl CsvRow for NamedEntry {
    const HEADER: &'static [&'static str] = &[
        "at",
        "actor",
        "actor_name",
        "role",
        "client",
        "subject",
        "subject_name",
        "customer",
        "customer_name",
        "action",
        "from",
        "to",
        "why",
    ];

    fn cells(&self) -> Vec<String> {
        let e = &self.entry;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            e.at.clone(),
            e.actor.label(),
            text(&self.actor_name),
            text(&e.role),
            text(&e.client),
            e.subject.clone(),
            text(&self.subject_name),
            e.customer_id
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            text(&self.customer_name),
            e.action.clone(),
            text(&e.from),
            text(&e.to),
            e.why.clone(),
        ]
    }
}
