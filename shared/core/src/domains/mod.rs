//! Domain availability: what a new customer touches first.
//!
//! `check` normalises the input, then answers the searched names and their
//! variations together. Cached answers come from the table in one batch read;
//! the rest go to the registrar in one batched call (chunks only where the
//! registrar caps a batch); the new answers are cached with short TTLs.

mod answers;
pub mod confirm;
pub mod lexicon;
pub mod manage;
/// Parsing and tidying what a person types as a domain name, a module of
/// its own below every other (the cart checks names too).
pub use crate::domain_name as name;
pub mod owned;
pub mod subdomains;
pub mod suggest;
pub mod tidy;
pub mod transfers;

use crate::money::Currency;
use std::sync::LazyLock;

use serde::Serialize;
use utoipa::ToSchema;

use crate::catalog::{Catalog, TldPrice};
use crate::registrar::{Availability, RegistrarError};
use crate::store::TableError;
use crate::{Catalogs, Registry, Settings, Storage};
use lexicon::{BRANDS, WORDS};
use name::{NameError, Searched};
use suggest::{Brands, Candidate, Lexicon, Variant};

pub use answers::{availability, live_check, ordered_cache_op};

/// The brands never suggested, as one automaton built on first use.
static BRAND_MATCHER: LazyLock<Brands> = LazyLock::new(|| Brands::new(&BRANDS));

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
    pub currency: Currency,
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

/// The whole search: results for what was typed, and ranked suggestions.
pub async fn check(
    ports: &(impl Storage + Settings + Registry + Catalogs),
    query: &str,
) -> Result<CheckResponse, CheckError> {
    // Refused by its length as typed: tidying must not make room for more.
    let searched = name::parse(&tidy::tidy(name::within_length(query)?))?;
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let search = Search::of(&searched, &catalog);
    let (primaries, variations) = search.candidates(&catalog);
    let names: Vec<String> = primaries
        .iter()
        .chain(&variations)
        .map(|c| c.domain.clone())
        .collect();
    let answers = availability(ports, &names).await?;
    let offer = |candidate: &Candidate| offer(candidate, &catalog, answers.get(&candidate.domain));
    let results: Vec<Offer> = primaries.iter().filter_map(offer).collect();
    let mut suggestions: Vec<Offer> = variations.iter().filter_map(offer).collect();
    suggestions.sort_by(|a, b| {
        b.available
            .cmp(&a.available)
            .then(b.score.cmp(&a.score))
            .then(a.domain.cmp(&b.domain))
    });
    suggestions.truncate(ports.config().suggestions);
    let cached = results.iter().chain(&suggestions).all(|o| o.cached);
    Ok(CheckResponse {
        query: query.to_string(),
        normalized: search.normalized,
        results,
        suggestions,
        notice: search.notice,
        currency: catalog.currency.clone(),
        cached,
    })
}

/// What a search looks for: the label, on which TLDs, and what to tell the user.
struct Search<'a> {
    normalized: Normalized,
    label: String,
    /// The TLDs the results are on: the searched one if sold, else every sold one for a word.
    tlds: Vec<String>,
    notice: Option<String>,
    /// The TLD searched, when it is sold.
    searched_tld: Option<&'a str>,
}

impl<'a> Search<'a> {
    fn of(searched: &'a Searched, catalog: &Catalog) -> Self {
        match searched {
            Searched::Word { ascii, unicode } => Search {
                normalized: Normalized {
                    kind: "word",
                    ascii: ascii.clone(),
                    unicode: unicode.clone(),
                },
                label: ascii.clone(),
                tlds: catalog.tlds.iter().map(|t| t.tld.clone()).collect(),
                notice: None,
                searched_tld: None,
            },
            Searched::Domain(domain) => {
                let sold = catalog.tld(&domain.suffix).is_some();
                Search {
                    normalized: Normalized {
                        kind: "domain",
                        ascii: domain.ascii.clone(),
                        unicode: domain.unicode.clone(),
                    },
                    label: domain.label.clone(),
                    tlds: match sold {
                        true => vec![domain.suffix.clone()],
                        false => Vec::new(),
                    },
                    notice: domain_notice(domain, sold),
                    searched_tld: sold.then_some(domain.suffix.as_str()),
                }
            }
        }
    }

    /// The names the results offer, and the variations suggested beside them.
    fn candidates(&self, catalog: &Catalog) -> (Vec<Candidate>, Vec<Candidate>) {
        let lexicon = Lexicon {
            words: &WORDS,
            brands: &BRAND_MATCHER,
        };
        let primaries: Vec<Candidate> = self
            .tlds
            .iter()
            .map(|tld| Candidate {
                domain: format!("{}.{tld}", self.label),
                label: self.label.clone(),
                tld: tld.clone(),
                variant: Variant::Exact,
            })
            .collect();
        let mut variations =
            suggest::candidates(&self.label, self.searched_tld, &catalog.tlds, &lexicon);
        variations.retain(|v| !primaries.iter().any(|p| p.domain == v.domain));
        (primaries, variations)
    }
}

/// What to tell the user about a searched domain: that its TLD is not
/// sold, or that we dropped the subdomain they typed.
fn domain_notice(domain: &name::DomainName, sold: bool) -> Option<String> {
    if !sold {
        return Some(format!(
            "We do not sell .{} domains. Here is {} on the endings we do sell.",
            domain.suffix,
            label_unicode(&domain.unicode, &domain.suffix)
        ));
    }
    domain.dropped_subdomain.as_ref().map(|sub| {
        format!(
            "{sub}.{} is a subdomain; we searched {}, the name you can register.",
            domain.unicode, domain.unicode
        )
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
