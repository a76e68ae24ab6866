//! Domain availability: what a new customer touches first.
//!
//! `check` normalises the input, then answers the searched names and their
//! variations together. Cached answers come from the table in one batch read;
//! the rest go to the registrar in one batched call (chunks only where the
//! registrar caps a batch); the new answers are cached with short TTLs.

pub mod confirm;
pub mod lexicon;
pub mod manage;
pub mod name;
pub mod owned;
pub mod subdomains;
pub mod suggest;
pub mod transfers;

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::catalog::{Catalog, TldPrice};
use crate::registrar::{Availability, Registrar, RegistrarError};
use crate::store::{Item, Key, MAX_BATCH_GET, TableError, TxOp};
use crate::{Catalogs, Registry, Settings, Storage};
use lexicon::{BRANDS, WORDS};
use name::{NameError, Searched};
use suggest::{Brands, Candidate, Lexicon, Variant};

/// The brands never suggested, as one automaton built on first use.
static BRAND_MATCHER: LazyLock<Brands> = LazyLock::new(|| Brands::new(&BRANDS));

/// Registrar batches in flight at once when a check needs several.
const REGISTRAR_CONCURRENCY: usize = 4;

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckResponse {
    /// What the user typed.
    pub query: String,
    pub normalized: Normalized,
    /// The searched name, or the word on every sold TLD.
    pub results: Vec<Offer>,
    /// Variations, available ones first, best first.
    pub suggestions: Vec<Offer>,
    /// Something the user should know about the search, in plain words.
    pub notice: Option<String>,
    /// ISO 4217 code of every price.
    pub currency: String,
    /// True when every answer came from the cache.
    pub cached: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Normalized {
    /// `domain` or `word`.
    pub kind: &'static str,
    /// ASCII (punycode) form.
    pub ascii: String,
    pub unicode: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Offer {
    /// ASCII (punycode) form.
    pub domain: String,
    pub unicode: String,
    pub tld: String,
    pub available: bool,
    pub premium: bool,
    /// Why not, when not available: `registered`, `reserved`, `ordered`, or
    /// `unknown` when the registrar could not be asked just now (ask again).
    pub reason: Option<String>,
    pub prices: Prices,
    pub variant: Variant,
    pub score: i64,
    pub cached: bool,
}

/// Prices in minor units of the response's currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Prices {
    pub register: i64,
    pub transfer: i64,
    pub renew: i64,
}

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Registrar(#[from] RegistrarError),
    #[error(transparent)]
    Table(#[from] TableError),
}

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

/// Availability answers, from the cache where fresh, else from the registrar.
/// Returns each answer with whether it came from the cache.
pub async fn availability(
    services: &(impl Storage + Settings + Registry),
    domains: &[String],
) -> Result<HashMap<String, (Availability, bool)>, CheckError> {
    // Each name's cache entry and the marker an order of ours holds it by, in one read.
    let keys: Vec<Key> = domains
        .iter()
        .flat_map(|d| [cache_key(d), crate::records::domain_marker(d)])
        .collect();
    let reads = keys
        .chunks(MAX_BATCH_GET)
        .map(|chunk| services.table().get_many(chunk));
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
    if misses.is_empty() {
        return Ok(answers);
    }
    let mut fresh = Vec::with_capacity(misses.len());
    let mut unknown = Vec::new();
    for (batch, asked) in ask(services.search_registrar(), &misses).await {
        match asked {
            Ok(found) => fresh.extend(found),
            // The searches' share of the quota is spent: say so for these
            // names rather than fail the search.
            Err(RegistrarError::QuotaSpent) => unknown.extend(batch.iter().map(|d| not_checked(d))),
            Err(other) => return Err(other.into()),
        }
    }
    let now = services.clock().now_secs();
    let config = &services.config();
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
        && let Err(error) = services.table().put_many(entries).await
    {
        // The answers are good; only the next search will be slower.
        tracing::warn!(%error, "could not cache domain checks");
    }
    answers.extend(
        fresh
            .into_iter()
            .chain(unknown)
            .map(|a| (a.domain.clone(), (a, false))),
    );
    Ok(answers)
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
    services: &impl Registry,
    domains: &[String],
) -> Result<Vec<Availability>, CheckError> {
    let mut answers = Vec::with_capacity(domains.len());
    for (_, asked) in ask(services.registrar(), domains).await {
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

/// The whole search: results for what was typed, and ranked suggestions.
pub async fn check(
    services: &(impl Storage + Settings + Registry + Catalogs),
    query: &str,
) -> Result<CheckResponse, CheckError> {
    let searched = name::parse(query)?;
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let lexicon = Lexicon {
        words: &WORDS,
        brands: &BRAND_MATCHER,
    };
    let (normalized, label, primary_tlds, notice, searched_tld) = match &searched {
        Searched::Word { ascii, unicode } => {
            let normalized = Normalized {
                kind: "word",
                ascii: ascii.clone(),
                unicode: unicode.clone(),
            };
            let tlds: Vec<String> = catalog.tlds.iter().map(|t| t.tld.clone()).collect();
            (normalized, ascii.clone(), tlds, None, None)
        }
        Searched::Domain(domain) => {
            let normalized = Normalized {
                kind: "domain",
                ascii: domain.ascii.clone(),
                unicode: domain.unicode.clone(),
            };
            let sold = catalog.tld(&domain.suffix).is_some();
            let notice = if !sold {
                Some(format!(
                    "We do not sell .{} domains. Here is {} on the endings we do sell.",
                    domain.suffix,
                    label_unicode(&domain.unicode, &domain.suffix)
                ))
            } else {
                domain.dropped_subdomain.as_ref().map(|sub| {
                    format!(
                        "{sub}.{} is a subdomain; we searched {}, the name you can register.",
                        domain.unicode, domain.unicode
                    )
                })
            };
            let tlds = if sold {
                vec![domain.suffix.clone()]
            } else {
                Vec::new()
            };
            (
                normalized,
                domain.label.clone(),
                tlds,
                notice,
                sold.then_some(domain.suffix.as_str()),
            )
        }
    };
    let primaries: Vec<Candidate> = primary_tlds
        .iter()
        .map(|tld| Candidate {
            domain: format!("{label}.{tld}"),
            label: label.clone(),
            tld: tld.clone(),
            variant: Variant::Exact,
        })
        .collect();
    let mut variations = suggest::candidates(&label, searched_tld, &catalog.tlds, &lexicon);
    variations.retain(|v| !primaries.iter().any(|p| p.domain == v.domain));

    let names: Vec<String> = primaries
        .iter()
        .chain(&variations)
        .map(|c| c.domain.clone())
        .collect();
    let answers = availability(services, &names).await?;
    let offer = |candidate: &Candidate| offer(candidate, &catalog, answers.get(&candidate.domain));
    let results: Vec<Offer> = primaries.iter().filter_map(offer).collect();
    let mut suggestions: Vec<Offer> = variations.iter().filter_map(offer).collect();
    suggestions.sort_by(|a, b| {
        b.available
            .cmp(&a.available)
            .then(b.score.cmp(&a.score))
            .then(a.domain.cmp(&b.domain))
    });
    suggestions.truncate(services.config().suggestions);
    let cached = results.iter().chain(&suggestions).all(|o| o.cached);
    Ok(CheckResponse {
        query: query.to_string(),
        normalized,
        results,
        suggestions,
        notice,
        currency: catalog.currency.clone(),
        cached,
    })
}

fn label_unicode(unicode: &str, suffix: &str) -> String {
    let suffix_unicode = name::to_unicode(suffix);
    unicode
        .strip_suffix(&format!(".{suffix_unicode}"))
        .unwrap_or(unicode)
        .to_string()
}

fn offer(
    candidate: &Candidate,
    catalog: &Catalog,
    answer: Option<&(Availability, bool)>,
) -> Option<Offer> {
    let (answer, cached) = answer?;
    let price: &TldPrice = catalog.tld(&candidate.tld)?;
    let premium_price = answer.premium_price.filter(|_| answer.premium);
    let prices = Prices {
        register: premium_price.unwrap_or(price.register),
        transfer: price.transfer,
        renew: premium_price.unwrap_or(price.renew),
    };
    Some(Offer {
        domain: candidate.domain.clone(),
        unicode: name::to_unicode(&candidate.domain),
        tld: candidate.tld.clone(),
        available: answer.available,
        premium: answer.premium,
        reason: answer.reason.clone(),
        score: suggest::score(candidate, price.rank, prices.register),
        prices,
        variant: candidate.variant,
        cached: *cached,
    })
}
