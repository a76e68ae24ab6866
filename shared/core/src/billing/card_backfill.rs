//! Gives every card saved before the card updater's lookup existed its
//! `PAYCARD#<token>` item (`card_updater`), so the provider's updates reach
//! it: customers are read a page at a time from the staff's index of them,
//! and after each page the place reached is kept, so a run cut off resumes
//! there. Writing a lookup again changes nothing. Once a full pass is done
//! a marker says so, and later runs read only that.
//!
//! Items: `MIGRATION#card_lookups` / `DONE`, and `MIGRATION#card_lookups` /
//! `CURSOR` (`after`: the index cursor of the last page done).

use serde_json::json;

use super::payment_method::{self, PaymentMethod};
use crate::CustomerId;
use crate::store::{Index, Item, ItemExt, Key, Query, TableResult, record_of};
use crate::{Storage, clock};

const PARTITION: &str = "MIGRATION#card_lookups";
/// Customers read per page.
const PAGE: usize = 100;

fn done_marker() -> Key {
    Key::new(PARTITION, "DONE")
}

fn cursor_key() -> Key {
    Key::new(PARTITION, "CURSOR")
}

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Backfilled {
    /// Saved cards given their lookup.
    pub cards: usize,
    /// A pass had finished before: nothing was read.
    pub finished_before: bool,
}

/// Writes the lookup of every saved card, from where the last run stopped.
pub async fn backfill(ports: &impl Storage) -> TableResult<Backfilled> {
    let table = ports.table();
    if table.get(&done_marker()).await?.is_some() {
        return Ok(Backfilled {
            finished_before: true,
            ..Backfilled::default()
        });
    }
    let mut cursor = table
        .get(&cursor_key())
        .await?
        .and_then(|item| item.str_attr("after").map(str::to_string));
    let mut backfilled = Backfilled::default();
    loop {
        let query = Query::index(Index::Gsi2, "CUSTOMERS").limit(PAGE);
        let page = table.query(query.after(cursor)).await?;
        backfilled.cards += index_cards(ports, &page.items).await?;
        match page.next {
            Some(next) => {
                table
                    .put(marker(cursor_key(), "after", &next), None)
                    .await?;
                cursor = Some(next);
            }
            None => break,
        }
    }
    let finished = clock::rfc3339(ports.clock().now());
    table
        .put(marker(done_marker(), "at", &finished), None)
        .await?;
    table.delete(&cursor_key(), None).await?;
    Ok(backfilled)
}

fn marker(key: Key, name: &str, value: &str) -> Item {
    let mut item = key.to_item();
    item.insert("kind".into(), json!("migration"));
    item.insert(name.into(), json!(value));
    item
}

/// Writes the lookups of the saved cards of the customers on one page of
/// profiles; how many cards they had.
async fn index_cards(ports: &impl Storage, profiles: &[Item]) -> TableResult<usize> {
    let customers: Vec<CustomerId> = profiles
        .iter()
        .filter_map(|profile| profile.str_attr("pk")?.strip_prefix("CUSTOMER#"))
        .map(CustomerId::new)
        .collect();
    let keys: Vec<Key> = customers.iter().map(payment_method::key).collect();
    let found = ports.table().get_many(&keys).await?;
    let mut lookups = Vec::new();
    for (customer_id, item) in customers.iter().zip(found) {
        let Some(item) = item else { continue };
        let card: PaymentMethod = record_of(&item, "payment method")?;
        lookups.push(super::card_updater::lookup_op(&card.token, customer_id));
    }
    let written = lookups.len();
    for lookup in lookups {
        ports.table().write_one(lookup).await?;
    }
    Ok(written)
}
