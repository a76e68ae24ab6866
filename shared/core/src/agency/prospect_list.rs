//! The prospect register for staff, a page at a time: by when captured
//! (`gsi1` `PROSPECTS` / `<created_at>#<id>`), newest or oldest first and
//! `from`/`to` a range of it; or by business name (`gsi2` `PROSPECTNAMES` /
//! `<name, lower case>#<id>`), A to Z or Z to A, where `q`, the start of
//! the name, is a range of it. Whatever the index cannot answer (a status;
//! by when captured, the search; by name, the days) is applied to the
//! pages read.
//!
//! Prospects captured before the name index existed were filed by status
//! in gsi2; the `migrate-records` task files them by name (`backfill`),
//! under a marker once a full pass is done (`MIGRATION#prospect_names` /
//! `DONE`).

use super::prospects::Prospect;
use crate::lifecycle::Status;
use crate::listing::csv::CsvRow;
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::store::{
    Condition, Index, Item, ItemExt, Key, Pages, Query, SortKey, TableError, TableResult, Update,
    record_of,
};
use crate::{Storage, clock};

/// Every prospect by when captured (gsi1).
pub(super) const ALL: &str = "PROSPECTS";
/// Every prospect by business name (gsi2).
pub(super) const BY_NAME: &str = "PROSPECTNAMES";

/// `q` is the start of the business name, case ignored.
pub const PROSPECTS: Listing = Listing {
    name: "prospects",
    sorts: &[Sort::Newest, Sort::Oldest, Sort::Az, Sort::Za],
    statuses: &["new", "qualified", "converted", "lost"],
    kinds: &[],
    dates: true,
    search: true,
};

/// A prospect's place in the name index: its business name in lower case.
pub(super) fn name_order(business_name: &str, id: &str) -> String {
    format!("{}#{id}", business_name.trim().to_lowercase())
}

fn prospect_of(item: &Item) -> TableResult<Prospect> {
    record_of(item, "prospect")
}

/// A page of the prospects as `asked` says.
pub async fn list(ports: &impl Storage, asked: &Asked) -> Result<Listed<Prospect>, ListingError> {
    let by_name = matches!(asked.sort, Sort::Az | Sort::Za);
    let days = asked.date_range(listing::time_key, SortKey::Any);
    let query = match (by_name, &asked.q) {
        // DynamoDB refuses `begins_with` an empty string: no search reads all.
        (true, Some(start)) => {
            Query::index(Index::Gsi2, BY_NAME).sort(SortKey::BeginsWith(start.clone()))
        }
        (true, None) => Query::index(Index::Gsi2, BY_NAME),
        (false, _) => Query::index(Index::Gsi1, ALL).sort(days.clone()),
    };
    let keep = |item: &Item| -> TableResult<Option<Prospect>> {
        let prospect = prospect_of(item)?;
        let status = asked
            .status
            .as_deref()
            .is_none_or(|s| s == prospect.status.as_str());
        let named = asked
            .q
            .as_deref()
            .is_none_or(|q| prospect.business_name.trim().to_lowercase().starts_with(q));
        let captured = days.matches(&format!("{}#{}", prospect.created_at, prospect.id));
        Ok((status && named && captured).then_some(prospect))
    };
    listing::read(ports.table(), query, asked, keep).await
}

impl CsvRow for Prospect {
    const HEADER: &'static [&'static str] = &[
        "prospect",
        "business",
        "status",
        "contact",
        "email",
        "phone",
        "website",
        "source",
        "site",
        "captured",
        "captured_by",
        "notes",
    ];

    fn cells(&self) -> Vec<String> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            self.id.clone(),
            self.business_name.clone(),
            self.status.as_str().into(),
            self.contact_name.clone(),
            self.email.clone(),
            text(&self.phone),
            text(&self.website),
            text(&self.source),
            text(&self.site_id),
            self.created_at.clone(),
            self.created_by.clone(),
            self.notes.clone(),
        ]
    }
}

fn done_marker() -> Key {
    Key::new("MIGRATION#prospect_names", "DONE")
}

/// Files every prospect not yet in the name index there; how many, or
/// None when a full pass had finished before. Filing is the same write
/// however often it runs, so a run beside another changes nothing twice.
pub async fn backfill(ports: &impl Storage) -> TableResult<Option<usize>> {
    let table = ports.table();
    if table.get(&done_marker()).await?.is_some() {
        return Ok(None);
    }
    let mut filed = 0;
    let mut pages = Pages::new(Query::index(Index::Gsi1, ALL), 100);
    while let Some(items) = pages.next(table).await? {
        for item in items
            .iter()
            .filter(|i| i.str_attr("gsi2pk") != Some(BY_NAME))
        {
            let prospect = prospect_of(item)?;
            let update = Update::new()
                .set("gsi2pk", BY_NAME)
                .set("gsi2sk", name_order(&prospect.business_name, &prospect.id));
            let key = super::prospects::key(&prospect.id);
            match table.update(&key, update, Some(Condition::Exists)).await {
                Ok(_) => filed += 1,
                Err(TableError::ConditionFailed) => {}
                Err(other) => return Err(other),
            }
        }
    }
    let mut marker = done_marker().to_item();
    marker.insert("kind".into(), "migration".into());
    marker.insert("at".into(), clock::rfc3339(ports.clock().now()).into());
    table.put(marker, None).await?;
    Ok(Some(filed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_file_in_lower_case_and_the_statuses_are_the_lifecycles() {
        assert_eq!(name_order(" Fleurs Schmit ", "01A"), "fleurs schmit#01A");
        let names: Vec<&str> = [
            super::super::prospects::ProspectStatus::New,
            super::super::prospects::ProspectStatus::Qualified,
            super::super::prospects::ProspectStatus::Converted,
            super::super::prospects::ProspectStatus::Lost,
        ]
        .iter()
        .map(|s| s.as_str())
        .collect();
        assert_eq!(names, PROSPECTS.statuses);
    }
}
