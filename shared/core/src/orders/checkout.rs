//! Checkout: charging an order's invoice, then sending the order to review or
//! to provisioning.
//!
//! A payment attempt is numbered and written on the order (`payment_pending`)
//! before the gateway is called, and the gateway keys are made from the order
//! and that number. A retry after a crash or a timeout therefore repeats the
//! same attempt, which the gateway answers from its record: a card is never
//! charged twice for one order. A declined card closes the attempt and leaves
//! the order awaiting payment with the reason. A card whose bank asks the
//! customer to confirm the payment (3-D Secure) keeps the attempt open with
//! the bank's page, until the customer comes back (`confirmed_at_bank`) or
//! pays again, which releases it.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::letters::invoice_letter;
use super::lifecycle::Change;
use super::review::{self, Rules};
use super::{
    HeldName, Invoice, Order, OrderError, OrderStatus, OrderView, Payment, PaymentAction,
    PaymentProblem, UNPAID_HOLD_DAYS, conflict, hold_markers, invalid, order_key, provision,
};
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::billing::declines::{self, Paying, TooManyDeclines};
use crate::mail::{self, Mail, MailKind};
use crate::payments::{Authorization, Authorized, Card, Charge, PaymentError, PaymentSource};
use crate::store::{Condition, TableError, Tx, TxError, Update};
use crate::{Billing, Mailing, Queueing, Sealing, Settings, Storage};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PayRequest {
    pub card: Card,
    /// ISO 3166 two-letter country of the card's billing address.
    #[schema(pattern = r"^[A-Za-z]{2}$")]
    pub billing_country: String,
}

fn payment_error(error: PaymentError) -> OrderError {
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

impl From<TooManyDeclines> for OrderError {
    fn from(refused: TooManyDeclines) -> Self {
        match refused.retry_after {
            Some(retry_after) => OrderError::Limited {
                code: TooManyDeclines::CODE,
                message: refused.message,
                retry_after,
            },
            None => conflict(TooManyDeclines::CODE, refused.message),
        }
    }
}

/// A concurrent checkout of the same attempt recorded the payment first.
#[derive(Debug, Clone, Copy)]
struct AlreadyRecorded;

/// Where a checkout starts from.
enum Due {
    /// Awaiting payment: charge it with this attempt number.
    Attempt(Order, u32),
    /// Paid (or past payment) already: nothing to charge.
    Settled(Order),
}

/// The order with the attempt this checkout makes: the unfinished one if
/// there is one, else a new one claimed on the order, once the order has
/// shown it may be paid (ownership proven, names still held).
async fn claim_attempt(
    services: &(impl Storage + Settings),
    customer: &Customer,
    order_id: &str,
) -> Result<Due, OrderError> {
    for _ in 0..5 {
        let order = super::load(services, &customer.id, order_id).await?;
        if order.status != OrderStatus::AwaitingPayment {
            return Ok(Due::Settled(order));
        }
        if let Some(attempt) = order.payment_pending {
            return Ok(Due::Attempt(order, attempt));
        }
        super::ownership::ensure_verified(&order)?;
        let paying = Paying::order(order_id);
        declines::may_try::<OrderError>(services, &customer.id, &paying).await?;
        hold_for_payment(services, &order).await?;
        let attempt = order.payment_attempts + 1;
        let claimed = services
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
    services: &(impl Storage + Settings),
    order: &Order,
) -> Result<(), OrderError> {
    let until = order.hold_until();
    if services.clock().now_secs() >= until {
        return Err(conflict(
            "reservation_lost",
            format!(
                "{} was held for this order for {UNPAID_HOLD_DAYS} days, and that time is over; nothing was charged. Please place a new order",
                order.domain.unicode
            ),
        ));
    }
    let mut tx = Tx::new();
    for (name, op) in hold_markers(order, &services.config().subdomain_zone, Some(until)) {
        tx.guard(name, op);
    }
    match tx.commit(services.table()).await {
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

/// Charges the order's invoice with `request.card`. When the card's bank
/// asks the customer to confirm the payment, the order keeps the attempt
/// with the bank's page (`payment_action_url`) until `confirmed_at_bank`.
pub async fn pay(
    services: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order_id: &str,
    request: PayRequest,
) -> Result<OrderView, OrderError> {
    let billing_country =
        crate::input::country_code(&request.billing_country).ok_or_else(|| {
            invalid(
                "invalid_country",
                "give the billing address's two-letter country code, e.g. DE or US",
            )
        })?;
    request
        .card
        .check_form()
        .map_err(|message| invalid("invalid_payment", message))?;
    let mut claimed = None;
    for _ in 0..3 {
        match claim_attempt(services, customer, order_id).await? {
            Due::Settled(order) => return super::view(services, order).await,
            Due::Attempt(order, attempt) => match order.payment_action.clone() {
                // The customer left their bank's page and pays again.
                Some(action) => {
                    if let Some(paid) =
                        settle_or_close(services, customer, &order, attempt, &action).await?
                    {
                        return Ok(paid);
                    }
                }
                None => {
                    claimed = Some((order, attempt));
                    break;
                }
            },
        }
    }
    let Some((order, attempt)) = claimed else {
        return Err(OrderError::Unavailable(
            "this order is being paid right now".into(),
        ));
    };
    let key = order_key(&customer.id, order_id);
    let invoice = Invoice::read(services.table(), order_id).await?;
    let charge = Charge {
        amount: invoice.total,
        currency: invoice.currency.clone(),
        source: PaymentSource::Card(request.card),
        reference: invoice.number.clone(),
        idempotency_key: format!("{order_id}-authorize-{attempt}"),
    };
    let back = format!(
        "{}/order.html?id={order_id}&confirmed=1",
        services.config().public_url.trim_end_matches('/')
    );
    let authorization = match services
        .payments()
        .authorize_with_holder(&charge, &back)
        .await
    {
        Ok(Authorized::Held(authorization)) => authorization,
        Ok(Authorized::Authenticate {
            authorization_id,
            url,
        }) => {
            let action = PaymentAction {
                authorization_id,
                url,
                billing_country,
            };
            let waiting = Update::new()
                .set("payment_action", json!(action))
                .bump_version();
            let pending = Some(Condition::eq("payment_pending", attempt));
            match services.table().update(&key, waiting, pending).await {
                Ok(_) | Err(TableError::ConditionFailed) => {}
                Err(other) => return Err(other.into()),
            }
            let order = super::load(services, &customer.id, order_id).await?;
            return super::view(services, order).await;
        }
        Err(error) => return Err(refused(services, customer, order_id, attempt, error).await),
    };
    settle(
        services,
        customer,
        &order,
        &invoice,
        attempt,
        authorization,
        &billing_country,
    )
    .await
}

/// Finishes the payment the customer went to confirm at their bank, once
/// they are back: paid when the bank confirmed it, declined when it did not,
/// and still waiting while they have not answered it.
pub async fn confirmed_at_bank(
    services: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order_id: &str,
) -> Result<OrderView, OrderError> {
    let order = super::load(services, &customer.id, order_id).await?;
    if order.status != OrderStatus::AwaitingPayment {
        return super::view(services, order).await;
    }
    let (Some(attempt), Some(action)) = (order.payment_pending, order.payment_action.clone())
    else {
        return Err(conflict(
            "nothing_to_confirm",
            "this order is not waiting for your bank; pay it with a card",
        ));
    };
    match services
        .payments()
        .authenticated(&action.authorization_id)
        .await
    {
        Ok(Authorized::Held(authorization)) => {
            settle_confirmed(services, customer, &order, attempt, authorization, &action).await
        }
        Ok(Authorized::Authenticate { .. }) => super::view(services, order).await,
        Err(error) => Err(refused(services, customer, order_id, attempt, error).await),
    }
}

/// For an attempt left waiting at the bank when the customer pays again:
/// paid if the bank confirmed it meanwhile; otherwise released and closed,
/// so that the new card gets an attempt of its own (`None`).
async fn settle_or_close(
    services: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    attempt: u32,
    action: &PaymentAction,
) -> Result<Option<OrderView>, OrderError> {
    let payments = services.payments();
    match payments.authenticated(&action.authorization_id).await {
        Ok(Authorized::Held(authorization)) => {
            let paid = settle_confirmed(services, customer, order, attempt, authorization, action);
            return paid.await.map(Some);
        }
        Ok(Authorized::Authenticate { .. }) => payments
            .void(
                &action.authorization_id,
                &format!("{}-void-{attempt}", order.id),
            )
            .await
            .map_err(payment_error)?,
        Err(PaymentError::Declined { .. }) => {}
        Err(other) => return Err(payment_error(other)),
    }
    close_attempt(services, &customer.id, &order.id, attempt, None).await?;
    Ok(None)
}

/// Settles an attempt whose holder confirmed it at their bank.
async fn settle_confirmed(
    services: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    attempt: u32,
    authorization: Authorization,
    action: &PaymentAction,
) -> Result<OrderView, OrderError> {
    let invoice = Invoice::read(services.table(), &order.id).await?;
    let country = action.billing_country.as_str();
    settle(
        services,
        customer,
        order,
        &invoice,
        attempt,
        authorization,
        country,
    )
    .await
}

/// Ends `attempt` without a payment, with the problem to show if any.
async fn close_attempt(
    services: &impl Storage,
    customer_id: &str,
    order_id: &str,
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
    match services
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
async fn refused(
    services: &(impl Storage + Settings),
    customer: &Customer,
    order_id: &str,
    attempt: u32,
    error: PaymentError,
) -> OrderError {
    let PaymentError::Declined { code, message } = error else {
        return payment_error(error);
    };
    let recorded = async {
        let paying = Paying::order(order_id);
        let (code, message) =
            declines::declined(services, &customer.id, &paying, (code, message)).await?;
        let problem = PaymentProblem {
            code: code.clone(),
            message: message.clone(),
        };
        close_attempt(services, &customer.id, order_id, attempt, Some(&problem)).await?;
        Ok::<_, OrderError>(OrderError::Declined { code, message })
    };
    recorded.await.unwrap_or_else(|error| error)
}

/// Captures a held authorisation and records the payment: the order goes
/// to provisioning, or to review.
async fn settle(
    services: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    invoice: &Invoice,
    attempt: u32,
    authorization: Authorization,
    billing_country: &str,
) -> Result<OrderView, OrderError> {
    let order_id = order.id.as_str();
    let captured = services
        .payments()
        .capture(
            &authorization.id,
            invoice.total,
            &format!("{order_id}-capture-{attempt}"),
        )
        .await;
    let capture = match captured {
        Ok(capture) => capture,
        Err(error) => return Err(refused(services, customer, order_id, attempt, error).await),
    };
    let rules = Rules {
        value_above: services.config().review_above,
        orders_per_day: services.config().review_orders_per_day,
    };
    let recent = review::recent_orders(services, &customer.id).await?;
    let reasons = review::reasons(rules, order, recent, &customer.country, billing_country);
    let status = if reasons.is_empty() {
        OrderStatus::Provisioning
    } else {
        OrderStatus::PendingReview
    };
    let paid_at = crate::clock::rfc3339(services.clock().now());
    let payment = Payment {
        card_last4: authorization.card_last4.clone(),
        amount: capture.amount,
        authorization_id: authorization.id.clone(),
        capture_id: capture.id.clone(),
        paid_at: paid_at.clone(),
    };
    let update = Update::new()
        .set("payment", json!(payment))
        .set("payment_attempts", attempt)
        .set("review_reasons", json!(reasons))
        .remove("payment_pending")
        .remove("payment_action")
        .remove("payment_problem");
    let mut letter = invoice_letter(services, order, invoice);
    letter.card_last4 = payment.card_last4.clone();
    letter.paid = true;
    letter.in_review = status == OrderStatus::PendingReview;
    let receipt = Mail::compose(services, MailKind::PaymentReceipt, &order.email, &letter)?;
    let why = if reasons.is_empty() {
        format!("paid by card ending {}", payment.card_last4)
    } else {
        format!("paid; held for review: {}", reasons.join("; "))
    };
    let mut tx = Tx::new();
    Change {
        order,
        to: status,
        update,
        actor: Actor::Customer(customer.id.clone()),
        why,
        unchanged_since: None,
        client: None,
        role: None,
    }
    .add_to(&mut tx, AlreadyRecorded, services.clock().now())?;
    let now_secs = services.clock().now_secs();
    tx.push(invoice.paid_op(&paid_at, Some(&payment.capture_id)))
        .push(receipt.put_op(now_secs))
        .push(super::unpaid::release_op(&customer.id))
        .push(super::secrets::keep_for_provisioning_op(order_id, now_secs))
        .extend(
            hold_markers(order, &services.config().subdomain_zone, None)
                .into_iter()
                .map(|(_, op)| op),
        );
    match tx.commit(services.table()).await {
        Ok(()) => {
            mail::deliver(services, &receipt).await;
            tracing::info!(order = order_id, status = status.as_str(), "order paid");
            if status == OrderStatus::Provisioning {
                // Should this fail, the sweeper finds the order and enqueues it.
                if let Err(error) = provision::enqueue(services, &customer.id, order_id).await {
                    tracing::error!(order = order_id, %error, "could not enqueue provisioning");
                }
            }
        }
        Err(TxError::Refused(AlreadyRecorded)) => {}
        Err(TxError::Table(other)) => return Err(other.into()),
    }
    let order = super::load(services, &customer.id, order_id).await?;
    super::view(services, order).await
}
