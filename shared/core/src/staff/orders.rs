//! Orders as staff see them: any customer's, by status (the review queue,
//! the orders on hold), with the reasons and the steps the customer is not
//! shown.

use crate::billing::InvoiceFor;
use crate::billing::disputes::{self, Dispute};
use serde::Serialize;
use utoipa::ToSchema;

use crate::CustomerId;
use crate::Storage;
use crate::orders::{Order, OrderError, OrderStatus, OrderView, view};
use crate::store::{Index, Query, TableError};

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

/// The oldest `limit` orders in `status`, oldest first (a queue to work through).
pub async fn in_status(
    ports: &impl Storage,
    status: OrderStatus,
    limit: usize,
) -> Result<Vec<Order>, TableError> {
    let page = ports
        .table()
        .query(Query::index(Index::Gsi1, format!("ORDERS#{}", status.as_str())).limit(limit))
        .await?;
    page.items.iter().map(Order::of).collect()
}
