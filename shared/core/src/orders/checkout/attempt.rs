//! A checkout's payment attempt: claimed on the order before the gateway is
//! called (so that a retry repeats it rather than charging again), refused
//! while the order may not be paid, and closed when it ends without a
//! payment.

use serde_json::json;

use crate::accounts::Customer;
use crate::billing::declines::{self, Paying};
use crate::orders::{
    HeldName, Order, OrderError, OrderStatus, PaymentProblem, UNPAID_HOLD_DAYS, conflict,
    hold_markers, invalid, order_key,
};
use crate::payments::PaymentError;
use crate::store::{Condition, TableError, Tx, TxError, Update};
use crate::{CustomerId, OrderId};
use crate::{Settings, Storage};

/// What the customer is told of a payment error that is not a decline.
pub(super) fn payment_error(error: PaymentError) -> OrderError {
    match error {
        PaymentError::Declined { code, message } => OrderError::Declined { code, message },
        PaymentError::Invalid(message) => invalid("invalid_payment", message),
        PaymentError::Unavailable(message) => {
            tracing::warn!(%message, "payment gateway unavailable");
            OrderError::Unavailable(
                "the payment provider is not answering; try again in a minute, you will not be charged twice".into(),
            )
        }
    }
}

/// Where a checkout starts from.
pub(super) enum Due {
    /// Awaiting payment: charge it with this attempt number.
    Attempt(Order, u32),
    /// Paid (or past payment) already: nothing to charge.
    Settled(Order),
}

/// The order with the attempt this checkout makes: the unfinished one if
/// there is one, else a new one claimed on the order, once the order has
/// shown it may be paid (ownership proven, names still held).
pub(super) async fn claim_attempt(
    ports: &(impl Storage + Settings),
    customer: &Customer,
    order_id: &OrderId,
) -> Result<Due, OrderError> {
    for _ in 0..5 {
        let order = crate::orders::load(ports, &customer.id, order_id).await?;
        if order.status != OrderStatus::AwaitingPayment {
            return Ok(Due::Settled(order));
        }
        if let Some(attempt) = order.payment_pending {
            return Ok(Due::Attempt(order, attempt));
        }
        crate::orders::ownership::ensure_verified(&order)?;
        let paying = Paying::order(order_id);
        declines::may_try::<OrderError>(ports, &customer.id, &paying).await?;
        hold_for_payment(ports, &order).await?;
        let attempt = order.payment_attempts + 1;
        let claimed = ports
            .table()
            .update(
                &order_key(&customer.id, order_id),
                Update::new().set("payment_pending", attempt).bump_version(),
                Some(Condition::VersionIs(order.v)),
            )
            .await;
        match claimed {
            Ok(_) => return Ok(Due::Attempt(order, attempt)),
            Err(TableError::ConditionFailed) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(OrderError::Unavailable(
        "this order is being paid right now".into(),
    ))
}

/// Makes sure the order still holds its domain and username before the card
/// is charged, without moving the hold's end (fixed when the order was
/// placed; only a payment makes it permanent); refuses, charging nothing,
/// once the hold has lapsed.
async fn hold_for_payment(
    ports: &(impl Storage + Settings),
    order: &Order,
) -> Result<(), OrderError> {
    let until = order.hold_until();
    if ports.clock().now_secs() >= until {
        return Err(conflict(
            "reservation_lost",
            format!(
                "{} was held for this order for {UNPAID_HOLD_DAYS} days, and that time is over; nothing was charged. Please place a new order",
                order.domain.unicode
            ),
        ));
    }
    let mut tx = Tx::new();
    for (name, op) in hold_markers(order, &ports.config().subdomain_zone, Some(until)) {
        tx.guard(name, op);
    }
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(()),
        Err(TxError::Refused(name)) => {
            let what = match name {
                HeldName::Domain => order.domain.unicode.clone(),
                HeldName::Username => format!("the username {}", order.username),
            };
            Err(conflict(
                "reservation_lost",
                format!(
                    "{what} was held for this order for {UNPAID_HOLD_DAYS} days and has been ordered by someone else since; nothing was charged. Please place a new order"
                ),
            ))
        }
        Err(TxError::Table(other)) => Err(other.into()),
    }
}

/// Ends `attempt` without a payment, with the problem to show if any.
pub(super) async fn close_attempt(
    ports: &impl Storage,
    customer_id: &CustomerId,
    order_id: &OrderId,
    attempt: u32,
    problem: Option<&PaymentProblem>,
) -> Result<(), OrderError> {
    let mut closed = Update::new()
        .set("payment_attempts", attempt)
        .remove("payment_pending")
        .remove("payment_action")
        .bump_version();
    if let Some(problem) = problem {
        closed = closed
            .set("payment_problem", json!(problem))
            .add("declines", 1);
    }
    match ports
        .table()
        .update(
            &order_key(customer_id, order_id),
            closed,
            Some(Condition::eq("payment_pending", attempt)),
        )
        .await
    {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// What the customer is told of a payment that failed; a declined card
/// closes the attempt with the reason.
pub(super) async fn refused(
    ports: &(impl Storage + Settings),
    customer: &Customer,
    order_id: &OrderId,
    attempt: u32,
    error: PaymentError,
) -> OrderError {
    let PaymentError::Declined { code, message } = error else {
        return payment_error(error);
    };
    let recorded = async {
        let paying = Paying::order(order_id);
        let (code, message) =
            declines::declined(ports, &customer.id, &paying, (code, message)).await?;
        let problem = PaymentProblem {
            code: code.clone(),
            message: message.clone(),
        };
        close_attempt(ports, &customer.id, order_id, attempt, Some(&problem)).await?;
        Ok::<_, OrderError>(OrderError::Declined { code, message })
    };
    recorded.await.unwrap_or_else(|error| error)
}
