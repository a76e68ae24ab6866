//! The simulated world the registry starts with: names registered elsewhere
//! (short names and dictionary words on the classic TLDs, well-known brands
//! everywhere), reserved labels, premium prices, and the auth code a name
//! registered elsewhere transfers with. Stable: a name always gets the same
//! answer.

use hostfront_core::domains::lexicon::{BRANDS, WORDS};
use hostfront_core::registrar::{Availability, DomainStatus};

const TLDS_WITH_WORDS_TAKEN: &[&str] = &["com", "net", "org", "io", "co", "de", "co.uk"];
const RESERVED_LABELS: &[&str] = &["nic", "whois", "example", "localhost", "invalid", "test"];
const PREMIUM_PRICES: &[i64] = &[9_900, 24_900, 49_900, 99_900];

pub(super) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The auth code that transfers `domain` away from its simulated current registrar.
pub fn auth_code_for(domain: &str) -> String {
    format!("AUTH-{:08X}", stable_hash(domain) as u32)
}

fn split(domain: &str) -> (&str, &str) {
    domain.split_once('.').unwrap_or((domain, ""))
}

/// Whether the simulated world has `domain` registered at another registrar.
pub fn registered_elsewhere(domain: &str) -> bool {
    let (label, tld) = split(domain);
    let classic = TLDS_WITH_WORDS_TAKEN.contains(&tld);
    BRANDS.contains(&label)
        || (classic && WORDS.contains(label))
        || (tld == "com" && label.len() <= 3)
        // Held by a registrar that refuses transfers away (see `transfer_status`).
        || label.starts_with("nack")
}

pub fn static_availability(domain: &str) -> Availability {
    let (label, tld) = split(domain);
    let unavailable = |reason: &str| Availability {
        domain: domain.to_string(),
        available: false,
        reason: Some(reason.to_string()),
        premium: false,
        premium_price: None,
    };
    if RESERVED_LABELS.contains(&label) {
        return unavailable("reserved");
    }
    if registered_elsewhere(domain) {
        return unavailable("registered");
    }
    let premium =
        !TLDS_WITH_WORDS_TAKEN.contains(&tld) && WORDS.contains(label) && label.len() <= 5;
    let price = PREMIUM_PRICES[(stable_hash(domain) % PREMIUM_PRICES.len() as u64) as usize];
    Availability {
        domain: domain.to_string(),
        available: true,
        reason: None,
        premium,
        premium_price: premium.then_some(price),
    }
}

const DAY: i64 = 86_400;
/// How long a domain stays in redemption, then in pending delete.
const REDEMPTION_DAYS: i64 = 30;
const PENDING_DELETE_DAYS: i64 = 5;

/// How long after its expiry a domain may still be renewed at the renewal
/// price: each registry sets its own, up to 45 days.
fn grace_days(domain: &str) -> i64 {
    match split(domain).1 {
        "com" | "net" => 45,
        "org" | "info" => 40,
        "de" | "co.uk" => 30,
        _ => 35,
    }
}

/// The phase at `now` of our domain that expires at `expires_at`, or None
/// once the registry has released it.
pub fn phase(domain: &str, expires_at: i64, now: i64) -> Option<DomainStatus> {
    let grace_ends = expires_at + grace_days(domain) * DAY;
    let redemption_ends = grace_ends + REDEMPTION_DAYS * DAY;
    match now {
        now if now < expires_at => Some(DomainStatus::Active),
        now if now < grace_ends => Some(DomainStatus::AutoRenewGrace),
        now if now < redemption_ends => Some(DomainStatus::Redemption),
        now if now < released_at(domain, expires_at) => Some(DomainStatus::PendingDelete),
        _ => None,
    }
}

/// When a domain that expires at `expires_at` is released, unless renewed.
pub fn released_at(domain: &str, expires_at: i64) -> i64 {
    expires_at + (grace_days(domain) + REDEMPTION_DAYS + PENDING_DELETE_DAYS) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_domain_passes_through_grace_redemption_and_pending_delete() {
        let expiry = 1_800_000_000;
        let at = |days: i64| phase("bakery.com", expiry, expiry + days * DAY);
        assert_eq!(at(-1), Some(DomainStatus::Active));
        assert_eq!(at(0), Some(DomainStatus::AutoRenewGrace));
        assert_eq!(at(44), Some(DomainStatus::AutoRenewGrace));
        assert_eq!(at(45), Some(DomainStatus::Redemption));
        assert_eq!(at(74), Some(DomainStatus::Redemption));
        assert_eq!(at(75), Some(DomainStatus::PendingDelete));
        assert_eq!(at(80), None, "released");
        assert_eq!(
            phase("bakery.de", expiry, expiry + 30 * DAY),
            Some(DomainStatus::Redemption)
        );
    }

    #[test]
    fn the_simulated_world_is_realistic_and_stable() {
        assert!(
            registered_elsewhere("google.shop"),
            "brands are taken everywhere"
        );
        assert!(
            registered_elsewhere("bakery.com"),
            "dictionary words are taken on .com"
        );
        assert!(
            registered_elsewhere("abc.com"),
            "three letters on .com are taken"
        );
        assert!(!registered_elsewhere("bakery.shop"));
        assert!(!registered_elsewhere("quietlittlebakery.com"));
        let premium = static_availability("cake.shop");
        assert!(premium.available && premium.premium && premium.premium_price.is_some());
        assert_eq!(
            static_availability("cake.shop"),
            premium,
            "stable across calls"
        );
        let plain = static_availability("bakery.shop");
        assert!(
            plain.available && !plain.premium,
            "longer words are not premium"
        );
        assert!(!static_availability("nic.io").available);
        assert_eq!(auth_code_for("bakery.com"), auth_code_for("bakery.com"));
        assert_ne!(auth_code_for("bakery.com"), auth_code_for("bakery.net"));
    }
}
