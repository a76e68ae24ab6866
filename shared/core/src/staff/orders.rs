//! Orders as staff see them: any customer's, by status (the review queue,
//! the orders on hold), with the reasons and the steps the customer is not
//! shown.

use crate::billing::InvoiceFor;
use crate::billing::disputes::{self, Dispute};
use serde::Serialize;
use utoipa::ToSchema;

use crate::listing::csv::{self, CsvRow};
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::orders::repo::ALL_ORDERS;
use crate::orders::{Order, OrderError, OrderView, decisions, view};
use crate::store::{Index, Item, ItemExt, Query, SortKey, TableError};
use crate::{CustomerId, OrderId, Storage};

/// An order with what staff need beside the customer's view of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffOrder {
    #[serde(flatten)]
    pub view: OrderView,
    pub customer_id: CustomerId,
    pub email: String,
    pub customer_name: String,
    /// Why it was held for review.
    pub review_reasons: Vec<String>,
    /// Why it stopped, for staff.
    pub hold_reason: Option<String>,
    /// Placed by staff for the customer: `staff:<id>`.
    pub placed_by: Option<String>,
    /// Disputes (chargebacks) of the payment of its invoice.
    pub disputes: Vec<Dispute>,
}

/// The order with its staff details.
pub async fn staff_view(ports: &impl Storage, order: Order) -> Result<StaffOrder, OrderError> {
    let (customer_id, email, customer_name) = (
        order.customer_id.clone(),
        order.email.clone(),
        order.customer_name.clone(),
    );
    let (review_reasons, hold_reason, placed_by) = (
        order.review_reasons.clone(),
        order.hold_reason.clone(),
        order.placed_by.clone(),
    );
    let disputes = disputes::of_customer(ports.table(), &customer_id)
        .await?
        .into_iter()
        .filter(|dispute| matches!(&dispute.about, InvoiceFor::Order { order_id } if *order_id == order.id))
        .collect();
    Ok(StaffOrder {
        disputes,
        view: view(ports, order).await?,
        customer_id,
        email,
        customer_name,
        review_reasons,
        hold_reason,
        placed_by,
    })
}

/// Every order status, as the lists filter by them.
const ORDER_STATUSES: &[&str] = &[
    "awaiting_payment",
    "pending_review",
    "provisioning",
    "active",
    "on_hold",
    "failed",
    "cancelled",
    "rejected",
];

/// Orders, any customer's or one's: newest or oldest first; by status;
/// from/to by when placed (in a status of all orders: by when they entered
/// it); `q` an order id (exactly; among a customer's, its start).
pub const ORDERS: Listing = Listing {
    name: "orders",
    sorts: &[Sort::Newest, Sort::Oldest],
    statuses: ORDER_STATUSES,
    kinds: &[],
    dates: true,
    search: true,
};

/// The `<epoch s, 12 digits>#<id>` sort key of the order indexes at `ms`.
fn seconds_key(ms: i64, last: bool) -> String {
    let secs = ms.div_euclid(1000);
    if last {
        format!("{secs:012}#~")
    } else {
        format!("{secs:012}")
    }
}

/// A page of all orders (`gsi2` `ORDERS`), or of those in a status (`gsi1`
/// `ORDERS#<status>`), as `asked` says.
pub async fn list(ports: &impl Storage, asked: &Asked) -> Result<Listed<Order>, ListingError> {
    if let Some(q) = &asked.q {
        return by_id(ports, asked, q).await;
    }
    let query = match &asked.status {
        Some(status) => Query::index(Index::Gsi1, format!("ORDERS#{status}")),
        None => Query::index(Index::Gsi2, ALL_ORDERS),
    };
    let query = query.sort(asked.date_range(seconds_key, SortKey::Any));
    listing::read(ports.table(), query, asked, |item| {
        Order::of(item).map(Some)
    })
    .await
}

/// The order whose id is `q`, when it is in the status asked.
async fn by_id(
    ports: &impl Storage,
    asked: &Asked,
    q: &str,
) -> Result<Listed<Order>, ListingError> {
    match decisions::locate(ports, &OrderId::new(q.to_uppercase())).await {
        Ok(order)
            if asked
                .status
                .as_deref()
                .is_none_or(|s| s == order.status.as_str()) =>
        {
            Ok(Listed {
                items: vec![order],
                next: None,
            })
        }
        Ok(_) | Err(OrderError::NotFound) => Ok(Asked::nothing()),
        Err(OrderError::Table(error)) => Err(error.into()),
        Err(other) => Err(TableError::Backend(other.to_string()).into()),
    }
}

/// The `ORDER#<ulid>` sort key of a customer's orders at `ms`.
fn ulid_key(ms: i64, last: bool) -> String {
    let random = if last { u128::MAX } else { 0 };
    format!("ORDER#{}", ulid::Ulid::from_parts(ms.max(0) as u64, random))
}

/// A page of one customer's orders (their partition, by id: by when placed).
pub async fn of_customer(
    ports: &impl Storage,
    customer: &CustomerId,
    asked: &Asked,
) -> Result<Listed<Order>, ListingError> {
    let id_prefix = asked.q.as_deref().unwrap_or("").to_uppercase();
    let every = SortKey::BeginsWith(format!("ORDER#{id_prefix}"));
    let query =
        Query::partition(format!("CUSTOMER#{customer}")).sort(asked.date_range(ulid_key, every));
    let keep = |item: &Item| -> Result<Option<Order>, TableError> {
        if item.str_attr("kind") != Some("order") {
            return Ok(None);
        }
        let order = Order::of(item)?;
        let status = asked
            .status
            .as_deref()
            .is_none_or(|s| s == order.status.as_str());
        Ok((status && order.id.as_str().starts_with(&id_prefix)).then_some(order))
    };
    listing::read(ports.table(), query, asked, keep).await
}

impl CsvRow for Order {
    const HEADER: &'static [&'static str] = &[
        "order", "placed", "status", "customer", "email", "name", "domain", "plan", "cycle",
        "total", "currency", "invoice",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.created_at.clone(),
            self.status.as_str().into(),
            self.customer_id.to_string(),
            self.email.clone(),
            self.customer_name.clone(),
            self.domain.unicode.clone(),
            self.plan_name.clone(),
            self.cycle.clone(),
            csv::amount(self.total),
            self.currency.to_string(),
            self.invoice_number.clone(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::OrderStatus;

    #[test]
    fn the_lists_know_every_order_status() {
        for status in ORDER_STATUSES {
            let parsed: OrderStatus = serde_json::from_value(serde_json::json!(status)).unwrap();
            assert_eq!(parsed.as_str(), *status);
        }
    }

    #[test]
    fn a_day_covers_every_order_of_its_seconds() {
        assert_eq!(seconds_key(1_500, false), "000000000001");
        assert_eq!(seconds_key(1_999, true), "000000000001#~");
        assert!(ulid_key(5, false) < ulid_key(5, true));
        assert!(ulid_key(5, true) < ulid_key(6, false));
    }
}
