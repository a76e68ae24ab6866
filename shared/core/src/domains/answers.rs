//! Availability answers: from the cache where fresh (or "ordered" where an
//! order of ours holds the name), the rest from the registrar in its
//! largest batches, a few at once, then cached with short TTLs.

use std::collections::HashMap;

use serde_json::json;

use super::CheckError;
use crate::registrar::{Availability, Registrar, RegistrarError};
use crate::store::{Item, Key, MAX_BATCH_GET, TxOp};
use crate::{Registry, Settings, Storage};

/// Registrar batches in flight at once when a check needs several.
const REGISTRAR_CONCURRENCY: usize = 4;

fn cache_key(domain: &str) -> Key {
    Key::new(format!("DOMAINCHECK#{domain}"), "RESULT")
}

/// The answer for a name an order of this shop holds.
fn ordered(domain: &str) -> Availability {
    Availability {
        domain: domain.to_string(),
        available: false,
        reason: Some("ordered".into()),
        premium: false,
        premium_price: None,
    }
}

/// The write that makes a check answer "just ordered" for `domain` until
/// `until` (epoch seconds): it goes in the transaction that takes the name,
/// so no cached "available" outlives the order.
pub fn ordered_cache_op(domain: &str, until: i64) -> TxOp {
    TxOp::Put {
        item: cache_item(&ordered(domain), until),
        condition: None,
    }
}

/// The cached answer for its domain, until `until` (epoch seconds).
fn cache_item(answer: &Availability, until: i64) -> Item {
    let mut item = cache_key(&answer.domain).to_item();
    item.insert("kind".into(), "domain_check".into());
    item.insert("answer".into(), json!(answer));
    item.insert("ttl".into(), until.into());
    item
}

/// Each answer with whether it came from the cache.
type Answers = HashMap<String, (Availability, bool)>;

/// Availability answers, from the cache where fresh, else from the registrar.
/// Returns each answer with whether it came from the cache.
pub async fn availability(
    ports: &(impl Storage + Settings + Registry),
    domains: &[String],
) -> Result<Answers, CheckError> {
    let (mut answers, misses) = cached(ports, domains).await?;
    if misses.is_empty() {
        return Ok(answers);
    }
    let mut fresh = Vec::with_capacity(misses.len());
    let mut unknown = Vec::new();
    for (batch, asked) in ask(ports.search_registrar(), &misses).await {
        match asked {
            Ok(found) => fresh.extend(found),
            // The searches' share of the quota is spent: say so for these
            // names rather than fail the search.
            Err(RegistrarError::QuotaSpent) => unknown.extend(batch.iter().map(|d| not_checked(d))),
            Err(other) => return Err(other.into()),
        }
    }
    keep(ports, &fresh).await;
    answers.extend(
        fresh
            .into_iter()
            .chain(unknown)
            .map(|a| (a.domain.clone(), (a, false))),
    );
    Ok(answers)
}

/// The answers the table holds (a cached answer, or an order's marker), and
/// the names it holds none for.
async fn cached(
    ports: &impl Storage,
    domains: &[String],
) -> Result<(Answers, Vec<String>), CheckError> {
    // Each name's cache entry and the marker an order of ours holds it by, in one read.
    let keys: Vec<Key> = domains
        .iter()
        .flat_map(|d| [cache_key(d), crate::records::domain_marker(d)])
        .collect();
    let reads = keys
        .chunks(MAX_BATCH_GET)
        .map(|chunk| ports.table().get_many(chunk));
    let found: Vec<Option<Item>> = futures::future::try_join_all(reads)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let mut answers = HashMap::new();
    let mut misses = Vec::new();
    for (domain, pair) in domains.iter().zip(found.chunks(2)) {
        let (cached, marker) = (&pair[0], &pair[1]);
        let answer = if marker.is_some() {
            Some(ordered(domain))
        } else {
            cached
                .as_ref()
                .and_then(|i| serde_json::from_value::<Availability>(i.get("answer")?.clone()).ok())
        };
        match answer {
            Some(answer) => {
                answers.insert(domain.clone(), (answer, true));
            }
            None => misses.push(domain.clone()),
        }
    }
    Ok((answers, misses))
}

/// Caches the registrar's `fresh` answers: an available name briefly, a taken one longer.
async fn keep(ports: &(impl Storage + Settings), fresh: &[Availability]) {
    let now = ports.clock().now_secs();
    let config = ports.config();
    let entries: Vec<Item> = fresh
        .iter()
        .map(|answer| {
            let lifetime = if answer.available {
                config.check_cache_available_secs
            } else {
                config.check_cache_taken_secs
            };
            cache_item(answer, now + lifetime as i64)
        })
        .collect();
    if !entries.is_empty()
        && let Err(error) = ports.table().put_many(entries).await
    {
        // The answers are good; only the next search will be slower.
        tracing::warn!(%error, "could not cache domain checks");
    }
}

/// The answer for a name the registrar could not be asked about just now.
fn not_checked(domain: &str) -> Availability {
    Availability {
        domain: domain.to_string(),
        available: false,
        reason: Some("unknown".into()),
        premium: false,
        premium_price: None,
    }
}

/// Asks the registrar, bypassing the cache: ordering always re-checks live.
pub async fn live_check(
    ports: &impl Registry,
    domains: &[String],
) -> Result<Vec<Availability>, CheckError> {
    let mut answers = Vec::with_capacity(domains.len());
    for (_, asked) in ask(ports.registrar(), domains).await {
        answers.extend(asked?);
    }
    Ok(answers)
}

/// `domains` asked of `registrar` in its largest batches, a few at once:
/// each batch with its answers or its error.
async fn ask<'a>(
    registrar: &dyn Registrar,
    domains: &'a [String],
) -> Vec<(&'a [String], Result<Vec<Availability>, RegistrarError>)> {
    let batch = registrar.max_check_batch().max(1);
    let mut asked = Vec::new();
    for group in domains.chunks(batch * REGISTRAR_CONCURRENCY) {
        let calls = group
            .chunks(batch)
            .map(|chunk| async move { (chunk, registrar.check(chunk).await) });
        asked.extend(futures::future::join_all(calls).await);
    }
    asked
}
