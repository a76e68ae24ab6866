//! Declined cards, counted against card testing: someone with a list of
//! stolen numbers tries each against something cheap and reads which bank
//! says what. One budget covers every path on which a customer charges or
//! saves a card: paying an order, renewing a domain, upgrading a service,
//! paying an invoice by hand, saving a card.
//!
//! Declines are counted per customer per UTC day (`CUSTOMER#<id>` /
//! `DECLINES#<date>`) and per thing paid (`CUSTOMER#<id>` /
//! `DECLINES#FOR#<thing>`, kept a week after its last decline). Past the
//! day's cap every path answers 429 and no card reaches the gateway; past a
//! thing's cap that thing takes no more cards (409). After the first two of
//! a day, a decline no longer says why, whichever path it came by.
//!
//! Charges made without the customer (the billing run, automatic renewals)
//! are neither refused nor counted: they charge the saved card, which was
//! counted when it was saved, and counting them would let our own dunning
//! lock a customer out of paying by hand.

use crate::store::{ItemExt, Key, TableError, Update};
use crate::{CustomerId, OrderId};
use crate::{Settings, Storage};

/// Declines of a day whose reason is named; later ones answer generically.
const NAMED_PER_DAY: i64 = 2;

/// How long a thing's count is kept after its last decline.
const THING_DAYS: i64 = 7;

/// What a card is tried for: the thing whose own cap a decline counts against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paying {
    thing: String,
    /// What to tell once it has had its share.
    refusal: &'static str,
}

impl Paying {
    pub fn order(order_id: &OrderId) -> Paying {
        Paying {
            thing: format!("order#{order_id}"),
            refusal: "too many cards were declined for this order; cancel it and place a new one, or contact us",
        }
    }

    /// A domain's renewal from one expiry, however many requests try it.
    pub fn renewal(domain: &str, current_expiry: i64) -> Paying {
        Paying {
            thing: format!("renewal#{domain}@{current_expiry}"),
            refusal: "too many cards were declined for renewing this domain; try again in a week or contact us",
        }
    }

    pub fn invoice(number: &str) -> Paying {
        Paying {
            thing: format!("invoice#{number}"),
            refusal: "too many cards were declined for this invoice; try again in a week or contact us",
        }
    }

    /// Upgrades of one service: each request makes its own invoice.
    pub fn upgrade(service_id: &str) -> Paying {
        Paying {
            thing: format!("upgrade#{service_id}"),
            refusal: "too many cards were declined for upgrading this service; try again in a week or contact us",
        }
    }

    /// The customer's saved card: each save is a request of its own.
    pub fn saved_card() -> Paying {
        Paying {
            thing: "saved-card".into(),
            refusal: "too many cards were declined when saving one; try again in a week or contact us",
        }
    }
}

/// No card is tried: too many were declined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TooManyDeclines {
    pub message: String,
    /// For the day's cap: seconds until the next UTC day, when it starts
    /// again (429). None for a thing's cap (409).
    pub retry_after: Option<u64>,
}

impl TooManyDeclines {
    pub const CODE: &'static str = "too_many_declines";
}

fn day_key(customer_id: &CustomerId, day: &str) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), format!("DECLINES#{day}"))
}

fn thing_key(customer_id: &CustomerId, paying: &Paying) -> Key {
    Key::new(
        format!("CUSTOMER#{customer_id}"),
        format!("DECLINES#FOR#{}", paying.thing),
    )
}

fn today(ports: &impl Storage) -> String {
    ports.clock().now().date().to_string()
}

/// Seconds until the next UTC day, when the daily count starts again.
fn until_tomorrow(ports: &impl Storage) -> u64 {
    let now = ports.clock().now_secs();
    (86_400 - now.rem_euclid(86_400)).max(1) as u64
}

/// The day's count and the thing's, in one read.
async fn counts(
    ports: &impl Storage,
    customer_id: &CustomerId,
    paying: &Paying,
) -> Result<(i64, i64), TableError> {
    let keys = [
        day_key(customer_id, &today(ports)),
        thing_key(customer_id, paying),
    ];
    let items = ports.table().get_many(&keys).await?;
    let count = |i: usize| {
        items
            .get(i)
            .and_then(Option::as_ref)
            .and_then(|item| item.i64_attr("count"))
            .unwrap_or(0)
    };
    Ok((count(0), count(1)))
}

/// Why no card may be tried for `paying` now, if so: the day's cap first
/// (every path answers the same once it is spent), then the thing's.
async fn refusal(
    ports: &(impl Storage + Settings),
    customer_id: &CustomerId,
    paying: &Paying,
) -> Result<Option<TooManyDeclines>, TableError> {
    let (today, for_thing) = counts(ports, customer_id, paying).await?;
    if today >= ports.config().declines_per_day as i64 {
        return Ok(Some(TooManyDeclines {
            message: "too many cards were declined today; try again tomorrow or contact us".into(),
            retry_after: Some(until_tomorrow(ports)),
        }));
    }
    if for_thing >= ports.config().declines_per_order as i64 {
        return Ok(Some(TooManyDeclines {
            message: paying.refusal.into(),
            retry_after: None,
        }));
    }
    Ok(None)
}

/// Refuses, before anything is written or sent to the gateway, once the
/// customer's declined cards reach the day's cap or `paying`'s.
pub async fn may_try<E: From<TooManyDeclines> + From<TableError>>(
    ports: &(impl Storage + Settings),
    customer_id: &CustomerId,
    paying: &Paying,
) -> Result<(), E> {
    match refusal(ports, customer_id, paying).await? {
        Some(refused) => Err(refused.into()),
        None => Ok(()),
    }
}

/// Counts a decline against `paying` and the customer's day, and returns it
/// as the customer is told it: by its reason while the day's count is low,
/// generically after that.
pub async fn declined(
    ports: &impl Storage,
    customer_id: &CustomerId,
    paying: &Paying,
    (code, message): (String, String),
) -> Result<(String, String), TableError> {
    let now = ports.clock().now_secs();
    let count = |ttl: i64| {
        Update::new()
            .set("kind", "decline_count")
            .add("count", 1)
            .set("ttl", ttl)
    };
    let table = ports.table();
    let thing = thing_key(customer_id, paying);
    table
        .update(&thing, count(now + THING_DAYS * 86_400), None)
        .await?;
    let day = day_key(customer_id, &today(ports));
    let counted = table.update(&day, count(now + 2 * 86_400), None).await?;
    Ok(as_told(
        code,
        message,
        counted.i64_attr("count").unwrap_or(1),
    ))
}

fn as_told(code: String, message: String, declined_today: i64) -> (String, String) {
    if declined_today <= NAMED_PER_DAY {
        (code, message)
    } else {
        (
            "payment_declined".into(),
            "The payment was not accepted".into(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_third_decline_of_a_day_is_told_generically() {
        let told = |n| as_told("card_declined".into(), "declined".into(), n).0;
        assert_eq!(
            [told(1), told(2), told(3), told(9)],
            [
                "card_declined",
                "card_declined",
                "payment_declined",
                "payment_declined"
            ]
        );
    }

    #[test]
    fn each_thing_paid_is_counted_apart() {
        let things = [
            Paying::order(&OrderId::new("01A")),
            Paying::renewal("bakery.com", 1),
            Paying::renewal("bakery.com", 2),
            Paying::invoice("INV-000001"),
            Paying::upgrade("01A"),
            Paying::saved_card(),
        ];
        let keys: std::collections::HashSet<_> = things
            .iter()
            .map(|p| thing_key(&CustomerId::new("c"), p).sk)
            .collect();
        assert_eq!(keys.len(), things.len());
    }
}
