//! Unpaid orders and the names they hold. A customer's unpaid orders are
//! counted in one item (`CUSTOMER#<id>` / `UNPAID`), changed in the same
//! transaction as the order: placing adds one under a condition on the limit,
//! paying or cancelling takes one away. The count is therefore exact under
//! any number of concurrent placements, whatever the orders' age.
//!
//! An unpaid order holds its domain and username until a fixed time set when
//! it is placed (`hold_until`); a declined card or a retried checkout never
//! moves it. Past it, the order lapses: the sweeper cancels it, which frees
//! the customer's count, and the markers expire by themselves.

use super::lifecycle::Change;
use super::{Invoice, Order, OrderError, OrderStatus, OrderView, conflict};
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::store::{Condition, ItemExt, Key, TableError, Tx, TxError, TxOp, Update};
use crate::{CustomerId, OrderId};
use crate::{Sealing, Settings, Storage};

fn counter_key(customer_id: &CustomerId) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), "UNPAID")
}

/// The customer's unpaid orders, as counted.
pub async fn count(ports: &impl Storage, customer_id: &CustomerId) -> Result<i64, TableError> {
    let item = ports.table().get(&counter_key(customer_id)).await?;
    Ok(item.and_then(|i| i.i64_attr("count")).unwrap_or(0))
}

/// Counts one more unpaid order; the transaction fails on it at `limit`.
pub fn count_op(customer_id: &CustomerId, limit: u32) -> TxOp {
    TxOp::Update {
        key: counter_key(customer_id),
        update: Update::new().set("kind", "unpaid_count").add("count", 1),
        condition: Some(
            Condition::AttributeNotExists("count".into()).or(Condition::lt("count", limit)),
        ),
    }
}

/// Counts one unpaid order fewer: it was paid or cancelled.
pub fn release_op(customer_id: &CustomerId) -> TxOp {
    TxOp::Update {
        key: counter_key(customer_id),
        update: Update::new().add("count", -1),
        condition: None,
    }
}

/// Why an unpaid order ends without payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The customer cancelled it.
    Customer,
    /// Its hold lapsed before it was paid.
    Lapsed,
}

impl Reason {
    fn actor(self, order: &Order) -> Actor {
        match self {
            Reason::Customer => Actor::Customer(order.customer_id.clone()),
            Reason::Lapsed => Actor::system("lapsed-orders"),
        }
    }

    fn why(self) -> &'static str {
        match self {
            Reason::Customer => "cancelled by the customer before payment",
            Reason::Lapsed => "not paid before its hold lapsed",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Reason::Customer => "You cancelled this order before paying; nothing was charged.",
            Reason::Lapsed => {
                "This order was not paid within a week, so it lapsed and its names were released; nothing was charged."
            }
        }
    }
}

/// Cancels an order that awaits payment, frees its names at once and its
/// place in the customer's count. Refused while a payment is under way.
async fn close(
    ports: &(impl Storage + Settings + Sealing),
    order: &Order,
    reason: Reason,
) -> Result<(), OrderError> {
    if order.status != OrderStatus::AwaitingPayment || order.payment_pending.is_some() {
        return Err(not_cancellable());
    }
    let invoice = Invoice::read(ports.table(), &order.id).await?;
    let mut tx = Tx::new();
    Change {
        order,
        to: OrderStatus::Cancelled,
        update: Update::new().set("customer_message", reason.message()),
        actor: reason.actor(order),
        why: reason.why().into(),
        // A checkout claims its attempt by bumping the version first.
        unchanged_since: Some(order.v),
        client: None,
        role: None,
    }
    .add_to(&mut tx, NotCancellable, ports.clock().now())?;
    tx.push(release_op(&order.customer_id));
    tx.extend(crate::billing::void::void_op(ports.table(), &invoice, ports.clock().now()).await?);
    tx.extend(super::release_markers_ops(ports, order).await?);
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(()),
        Err(TxError::Refused(NotCancellable)) => Err(not_cancellable()),
        Err(TxError::Table(other)) => Err(other.into()),
    }
}

/// The order moved on (paid, or a payment claimed) before the cancellation.
#[derive(Debug, Clone, Copy)]
struct NotCancellable;

fn not_cancellable() -> OrderError {
    conflict(
        "not_cancellable",
        "only an order that awaits payment, with no payment under way, can be cancelled",
    )
}

/// The customer cancels their unpaid order.
pub async fn cancel(
    ports: &(impl Storage + Settings + Sealing),
    customer: &Customer,
    order_id: &OrderId,
) -> Result<OrderView, OrderError> {
    let order = super::load(ports, &customer.id, order_id).await?;
    close(ports, &order, Reason::Customer).await?;
    let order = super::load(ports, &customer.id, order_id).await?;
    super::view(ports, order).await
}

/// Cancels every unpaid order whose hold has lapsed, a page at a time.
/// Returns how many it cancelled.
pub async fn cancel_lapsed(
    ports: &(impl Storage + Settings + Sealing),
) -> Result<usize, TableError> {
    let placed_before = ports.clock().now_secs() - super::UNPAID_HOLD_DAYS * 86_400;
    let mut unpaid = super::FiledBefore::new(OrderStatus::AwaitingPayment, placed_before);
    let mut cancelled = 0;
    while let Some(orders) = unpaid.next_page(ports).await? {
        for order in orders {
            if order.hold_until() > ports.clock().now_secs() {
                continue;
            }
            match close(ports, &order, Reason::Lapsed).await {
                Ok(()) => cancelled += 1,
                // Paid or being paid meanwhile.
                Err(OrderError::Conflict { .. }) => {}
                Err(OrderError::Table(error)) => return Err(error),
                Err(other) => {
                    tracing::warn!(order = %order.id, %other, "could not cancel a lapsed order")
                }
            }
        }
    }
    Ok(cancelled)
}
