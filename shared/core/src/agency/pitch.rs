//! What a site shows its prospect before they become a client, and what
//! they did with it: the public links to the preview and to the proposal,
//! the proposal itself, when it was viewed and accepted, and the order the
//! acceptance placed.
//!
//! A link is an unguessable token given out once (in its mail, or to the
//! member of staff who made it) and stored only as its SHA-256 digest:
//! `SITELINK#<digest>` / `LINK`, naming its site and what it opens, kept
//! until it expires (its `ttl`). The site keeps the digest and the expiry
//! so that staff can renew or end it.

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use super::proposal::Proposal;
use super::site::{self, HostedSite};
use super::{AgencyError, moved_on};
use crate::Storage;
use crate::clock;
use crate::hashing::digest;
use crate::store::{Condition, ItemExt, Key, TxOp, Update};

/// How long a link works, from its making or its last renewal.
pub const LINK_DAYS: i64 = 30;

/// What a link opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkFor {
    Preview,
    Proposal,
}

impl LinkFor {
    fn as_str(self) -> &'static str {
        match self {
            LinkFor::Preview => "preview",
            LinkFor::Proposal => "proposal",
        }
    }
}

/// A public link, as the site remembers it: never its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LinkState {
    /// The SHA-256 digest of its token: what finds it to renew or end it.
    pub digest: String,
    /// When it stops working, RFC 3339 UTC.
    pub until: String,
}

/// The prospect's side of a site.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Pitch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview_link: Option<LinkState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<Proposal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal_link: Option<LinkState>,
    /// When the prospect first opened the proposal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<String>,
    /// `online` (from the proposal link) or `staff` (recorded by staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_via: Option<String>,
    /// The order the acceptance placed for the plan and the domain.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The proposal's lines became the customer's (the order and the services).
    #[serde(default)]
    pub settled: bool,
}

fn link_key(token: &str) -> Key {
    Key::new(format!("SITELINK#{}", digest(token)), "LINK")
}

fn key_of(state: &LinkState) -> Key {
    Key::new(format!("SITELINK#{}", state.digest), "LINK")
}

/// A new link to `what` of `site_id`: its token (to give out once), what
/// the site remembers of it, and the write that makes it.
pub(super) fn new_link(
    site_id: &str,
    what: LinkFor,
    now: OffsetDateTime,
) -> (String, LinkState, TxOp) {
    let token = crate::accounts::random_token();
    let until = now + Duration::days(LINK_DAYS);
    let mut item = link_key(&token).to_item();
    item.insert("kind".into(), "site_link".into());
    item.insert("site_id".into(), site_id.into());
    item.insert("opens".into(), what.as_str().into());
    item.insert("ttl".into(), until.unix_timestamp().into());
    let state = LinkState {
        digest: digest(&token),
        until: clock::rfc3339(until),
    };
    let op = TxOp::Put {
        item,
        condition: Some(Condition::NotExists),
    };
    (token, state, op)
}

/// The write that moves `state`'s expiry to `LINK_DAYS` from `now`, and its new state.
pub(super) fn renewed(state: &LinkState, now: OffsetDateTime) -> (LinkState, TxOp) {
    let until = now + Duration::days(LINK_DAYS);
    let op = TxOp::Update {
        key: key_of(state),
        update: Update::new().set("ttl", until.unix_timestamp()),
        condition: Some(Condition::Exists),
    };
    let state = LinkState {
        digest: state.digest.clone(),
        until: clock::rfc3339(until),
    };
    (state, op)
}

/// The write that ends the link of `state`, if it has not ended already.
pub(super) fn ended(state: &LinkState) -> TxOp {
    TxOp::Delete {
        key: key_of(state),
        condition: None,
    }
}

/// Whether `token` could be one of ours: what a hostile caller sends is
/// refused before any lookup.
fn plausible(token: &str) -> bool {
    (20..=100).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The site the link `token` opens `what` of, while the link works and is
/// still the site's own (a replaced or ended link opens nothing).
pub(super) async fn opened(
    ports: &impl Storage,
    what: LinkFor,
    token: &str,
) -> Result<HostedSite, AgencyError> {
    let gone = || AgencyError::NotFound("link");
    if !plausible(token) {
        return Err(gone());
    }
    let link = ports
        .table()
        .get(&link_key(token))
        .await?
        .ok_or_else(gone)?;
    if link.str_attr("opens") != Some(what.as_str()) {
        return Err(gone());
    }
    let site_id = link.str_attr("site_id").unwrap_or_default();
    let site = site::find(ports, site_id).await?.ok_or_else(gone)?;
    let current = match what {
        LinkFor::Preview => &site.pitch.preview_link,
        LinkFor::Proposal => &site.pitch.proposal_link,
    };
    match current {
        Some(state) if state.digest == digest(token) => Ok(site),
        _ => Err(gone()),
    }
}

/// The write that gives `site` the pitch `pitch` (and what `update` sets
/// besides), made only if nothing changed the site since it was read.
pub(super) fn pitch_op(site: &HostedSite, pitch: &Pitch, update: Update) -> TxOp {
    TxOp::Update {
        key: site::key(&site.id),
        update: update.set("pitch", json!(pitch)).bump_version(),
        condition: Some(Condition::VersionIs(site.v)),
    }
}

/// Makes `ops` (the first of which guards the site's version), or says
/// the site moved on.
pub(super) async fn commit(ports: &impl Storage, ops: Vec<TxOp>) -> Result<(), AgencyError> {
    match ports.table().transact(ops).await {
        Ok(()) => Ok(()),
        Err(crate::store::TableError::TransactionConflict { index: 0 }) => {
            Err(moved_on("the site"))
        }
        Err(other) => Err(other.into()),
    }
}

/// The site `id` as it is now.
pub(super) async fn reread(ports: &impl Storage, id: &str) -> Result<HostedSite, AgencyError> {
    site::find(ports, id)
        .await?
        .ok_or(AgencyError::NotFound("site"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_stored_by_digest_and_hostile_tokens_are_refused() {
        let (token, state, op) = new_link("01SITE", LinkFor::Preview, OffsetDateTime::UNIX_EPOCH);
        let TxOp::Put { item, .. } = op else {
            panic!("a link is put")
        };
        let stored = serde_json::to_string(&item).unwrap();
        assert!(!stored.contains(&token));
        assert!(!state.digest.contains(&token));
        assert!(plausible(&token));
        for hostile in [
            "",
            "short",
            "../../etc/passwd-aaaaaaaaaaaaaa",
            "aaaaaaaaaaaaaaaaaaaaaaaa%00",
            &"a".repeat(101),
            "aaaaaaaaaaaaaaaaaaaaaaaaa\u{202e}",
        ] {
            assert!(!plausible(hostile), "{hostile:?}");
        }
    }
}
