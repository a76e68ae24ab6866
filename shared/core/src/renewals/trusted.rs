//! What the billing run believes of an index entry. An index holds whatever
//! item carries its attributes, wherever that item lives; the run charges a
//! customer only for records at their own keys: a domain in the customer's
//! own partition (`CUSTOMER#<id>` / `DOMAIN#<name>`, which no public function
//! may write), a renewal in its domain's renewal partition. Anything else is
//! skipped and logged.

use super::Renewal;
use crate::domains::owned::{self, OwnedDomain};
use crate::store::{Item, Key, TableResult};

/// The customer's domain this expiry-index entry is, if it is one.
pub(super) fn owned_domain(item: &Item) -> TableResult<Option<OwnedDomain>> {
    let domain = OwnedDomain::of(item)?;
    let own = owned::key(&domain.customer_id, &domain.name);
    Ok(at_own_key(item, &own, "domain").then_some(domain))
}

/// The renewal this status-index entry is, if it is one.
pub(super) fn renewal(item: &Item) -> TableResult<Option<Renewal>> {
    let renewal = Renewal::of(item)?;
    let own = renewal.key();
    Ok(at_own_key(item, &own, "renewal").then_some(renewal))
}

fn at_own_key(item: &Item, own: &Key, what: &str) -> bool {
    let found = Key::of(item).ok();
    let trusted = found.as_ref() == Some(own);
    if !trusted {
        tracing::warn!(
            record = what,
            found = ?found,
            expected = ?own,
            "an index entry that is not the record it claims to be; skipped"
        );
    }
    trusted
}
