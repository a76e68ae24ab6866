//! Review rules: a paid order is held for staff (`pending_review`) when it is
//! worth more than a configured amount, when its account placed several orders
//! in a short period, or when nothing the payment showed of where the buyer
//! is (billing country, card's country, client's country) is the account's
//! country (`billing::evidence`).

use super::Order;
use crate::CustomerId;
use crate::Storage;
use crate::billing::evidence::PaymentPlace;
use crate::money::Money;
use crate::store::TableError;

/// The period in which many orders from one account look suspicious.
const WINDOW_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Orders with a total above this (minor units) are reviewed.
    pub value_above: i64,
    /// An account's orders in 24 hours, this one included, above which each is reviewed.
    pub orders_per_day: u32,
}

/// Why the order must be reviewed; empty when it need not be.
pub fn reasons(
    rules: Rules,
    order: &Order,
    recent_orders: usize,
    account_country: &str,
    place: &PaymentPlace,
) -> Vec<String> {
    let mut reasons = Vec::new();
    if order.total > rules.value_above {
        reasons.push(format!(
            "the total {} is above the review threshold {}",
            Money::new(order.total, &order.currency),
            Money::new(rules.value_above, &order.currency)
        ));
    }
    if recent_orders > rules.orders_per_day as usize {
        reasons.push(format!(
            "the account placed {recent_orders} orders in 24 hours (more than {})",
            rules.orders_per_day
        ));
    }
    reasons.extend(place.disagreement(account_country));
    reasons
}

/// How many orders the customer placed in the review window.
pub async fn recent_orders(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<usize, TableError> {
    Ok(super::orders_since(ports, customer_id, WINDOW_SECS)
        .await?
        .len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(total: i64) -> Order {
        serde_json::from_value(serde_json::json!({
            "id": "01", "customer_id": "c", "email": "a@example.com", "customer_name": "Ada",
            "status": "awaiting_payment", "plan_id": "web-starter", "plan_name": "Web Starter",
            "plan_kind": "shared", "cycle": "monthly", "username": "bakery", "currency": "USD",
            "domain": {"action": "register", "name": "bakery.com", "unicode": "bakery.com"},
            "total": total, "invoice_number": "INV-000001", "created_at": "2026-11-22T10:00:00Z",
        }))
        .expect("a stored order")
    }

    const RULES: Rules = Rules {
        value_above: 50_000,
        orders_per_day: 3,
    };

    fn paid_from(billing: &str, card: Option<&str>) -> PaymentPlace {
        PaymentPlace {
            billing_country: billing.into(),
            card_country: card.map(Into::into),
            client_country: None,
        }
    }

    #[test]
    fn ordinary_orders_pass() {
        assert!(reasons(RULES, &order(50_000), 3, "GB", &paid_from("gb", None)).is_empty());
    }

    #[test]
    fn each_rule_holds_an_order() {
        let high = reasons(RULES, &order(50_001), 1, "GB", &paid_from("GB", None));
        assert_eq!(high.len(), 1);
        assert!(high[0].contains("$500.01"), "{high:?}");
        assert!(
            reasons(RULES, &order(100), 4, "GB", &paid_from("GB", None))[0].contains("4 orders")
        );
        let elsewhere = paid_from("US", Some("US"));
        assert!(reasons(RULES, &order(100), 1, "GB", &elsewhere)[0].contains("billing country US"));
        assert_eq!(reasons(RULES, &order(60_000), 9, "GB", &elsewhere).len(), 3);
        // A card of the account's country shows the buyer there.
        assert!(reasons(RULES, &order(100), 1, "GB", &paid_from("US", Some("GB"))).is_empty());
    }
}
