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

mod attempt;
mod settle;

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use self::attempt::{Due, claim_attempt, refused};
use self::settle::{settle, settle_by_credit, settle_confirmed, settle_or_close};
use super::{
    Invoice, Order, OrderError, OrderStatus, OrderView, PaymentAction, conflict, invalid, order_key,
};
use crate::OrderId;
use crate::accounts::Customer;
use crate::billing::consent::GivenAt;
use crate::billing::credit_pays;
use crate::billing::declines::TooManyDeclines;
use crate::billing::evidence::PaymentPlace;
use crate::billing::payment_method;
use crate::payments::{
    Authorization, Authorized, Charge, PaymentError, PaymentMethodId, PaymentSource,
};
use crate::store::{Condition, TableError, Update};
use crate::{Billing, Mailing, Queueing, Sealing, Settings, Storage};

#[derive(Debug, Deserialize, ToSchema)]
pub struct PayRequest {
    /// The payment provider's id of the card, as its card form gives it;
    /// none when account credit pays all of the invoice.
    #[serde(default)]
    #[schema(pattern = r"^pm_[A-Za-z0-9_]{1,255}$")]
    pub payment_method: Option<String>,
    /// ISO 3166 two-letter country of the card's billing address.
    #[schema(pattern = r"^[A-Za-z]{2}$")]
    pub billing_country: String,
    /// True when the customer ticked "Use this card for renewals", agreeing
    /// to `billing::consent::CONSENT_TEXT`: the card that pays is kept as
    /// their payment method. Without it, nothing is kept.
    #[serde(default)]
    pub save_card: bool,
    /// The client's country, as the CDN in front of the API says; never
    /// from the body.
    #[serde(skip)]
    pub client_country: Option<String>,
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

/// Charges the order's invoice with `request.payment_method`. When the card's bank
/// asks the customer to confirm the payment, the order keeps the attempt
/// with the bank's page (`payment_action_url`) until `confirmed_at_bank`.
/// An invoice account credit paid in full is paid with no card, and no
/// gateway is asked.
pub async fn pay(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order_id: &OrderId,
    request: PayRequest,
) -> Result<OrderView, OrderError> {
    let (billing_country, method) = check_form(&request)?;
    let client_country = request.client_country.clone();
    if method.is_none() {
        ensure_paid_by_credit(ports, customer, order_id).await?;
    }
    let (order, attempt) = match attempt_for_card(ports, customer, order_id).await? {
        ForCard::Attempt(order, attempt) => (*order, attempt),
        ForCard::Answered(view) => return Ok(*view),
    };
    let invoice = Invoice::read(ports.table(), order_id).await?;
    if credit_pays::paid_in_full(&invoice) {
        let place = PaymentPlace {
            billing_country,
            card_country: None,
            client_country,
        };
        return settle_by_credit(ports, customer, &order, &invoice, attempt, place).await;
    }
    let Some(method) = method else {
        return Err(card_required());
    };
    let charge = charge_of(&invoice, order_id, attempt, method, request.save_card);
    match authorize(ports, &charge, order_id).await {
        Ok(Authorized::Held(authorization)) => {
            keep_card(ports, customer, &authorization).await?;
            settle(
                ports,
                customer,
                &order,
                &invoice,
                attempt,
                authorization,
                PaymentPlace {
                    billing_country,
                    card_country: None,
                    client_country,
                },
            )
            .await
        }
        Ok(Authorized::Authenticate {
            authorization_id,
            url,
        }) => {
            let action = PaymentAction {
                authorization_id,
                url,
                billing_country,
                client_country,
            };
            wait_for_bank(ports, customer, order_id, attempt, action).await
        }
        Err(error) => Err(refused(ports, customer, order_id, attempt, error).await),
    }
}

/// The billing country, upper-cased, and the payment method if any, once
/// both have the form they must.
fn check_form(request: &PayRequest) -> Result<(String, Option<PaymentMethodId>), OrderError> {
    let billing_country =
        crate::input::country_code(&request.billing_country).ok_or_else(|| {
            invalid(
                "invalid_country",
                "choose the billing address's country: its ISO 3166 two-letter code, e.g. DE or GB",
            )
        })?;
    let method = request
        .payment_method
        .as_deref()
        .map(PaymentMethodId::parse)
        .transpose()
        .map_err(|message| invalid("invalid_payment_method", message))?;
    Ok((billing_country, method))
}

/// Refuses a payment without a card, before any attempt is claimed, unless
/// account credit paid all of the order's invoice.
async fn ensure_paid_by_credit(
    ports: &impl Storage,
    customer: &Customer,
    order_id: &OrderId,
) -> Result<(), OrderError> {
    let order = super::load(ports, &customer.id, order_id).await?;
    let invoice = Invoice::read(ports.table(), &order.id).await?;
    if order.status != OrderStatus::AwaitingPayment || credit_pays::paid_in_full(&invoice) {
        return Ok(());
    }
    Err(card_required())
}

fn card_required() -> OrderError {
    invalid(
        "payment_method_required",
        "give a card (payment_method): your account credit does not pay all of this invoice",
    )
}

/// What a payment with a new card starts from.
enum ForCard {
    /// This attempt, claimed and not waiting at a bank, is the card's to make.
    Attempt(Box<Order>, u32),
    /// Nothing to charge: the order is paid, or an attempt left at the bank
    /// turned out paid meanwhile.
    Answered(Box<OrderView>),
}

/// The attempt a new card makes; an attempt left waiting at the bank is
/// settled if the bank confirmed it, else closed to make room for the card.
async fn attempt_for_card(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order_id: &OrderId,
) -> Result<ForCard, OrderError> {
    for _ in 0..3 {
        match claim_attempt(ports, customer, order_id).await? {
            Due::Settled(order) => {
                return Ok(ForCard::Answered(Box::new(
                    super::view(ports, order).await?,
                )));
            }
            Due::Attempt(order, attempt) => match order.payment_action.clone() {
                // The customer left their bank's page and pays again.
                Some(action) => {
                    if let Some(paid) =
                        settle_or_close(ports, customer, &order, attempt, &action).await?
                    {
                        return Ok(ForCard::Answered(Box::new(paid)));
                    }
                }
                None => return Ok(ForCard::Attempt(Box::new(order), attempt)),
            },
        }
    }
    Err(OrderError::Unavailable(
        "this order is being paid right now".into(),
    ))
}

/// The charge of the invoice's total to `method`, keyed by the order and
/// attempt so that a retry repeats the same request; with `keep`, the card
/// is kept for later charges too.
fn charge_of(
    invoice: &Invoice,
    order_id: &OrderId,
    attempt: u32,
    method: PaymentMethodId,
    keep: bool,
) -> Charge {
    Charge {
        keep_for_later: keep,
        amount: crate::money::Money::new(invoice.total, &invoice.currency),
        source: PaymentSource::Method(method),
        reference: invoice.number.clone(),
        idempotency_key: format!("{order_id}-authorize-{attempt}"),
    }
}

/// Asks the gateway to hold the charge; the bank sends a holder who must
/// confirm back to the order's page.
async fn authorize(
    ports: &(impl Settings + Billing),
    charge: &Charge,
    order_id: &OrderId,
) -> Result<Authorized, PaymentError> {
    let back = format!(
        "{}/order.html?id={order_id}&confirmed=1",
        ports.config().public_url.trim_end_matches('/')
    );
    ports.payments().authorize_with_holder(charge, &back).await
}

/// Records the card the payment kept (asked for with the customer's
/// consent) as their payment method, before the payment is settled: the
/// gateway keeps it from the moment the amount is held, and a retry
/// records it again.
async fn keep_card(
    ports: &impl Storage,
    customer: &Customer,
    authorization: &Authorization,
) -> Result<(), OrderError> {
    if let Some(kept) = authorization.kept.clone() {
        payment_method::keep(ports, &customer.id, kept, GivenAt::Checkout).await?;
    }
    Ok(())
}

/// Keeps the attempt open with the bank's page the holder must visit, and
/// shows the order with it.
async fn wait_for_bank(
    ports: &impl Storage,
    customer: &Customer,
    order_id: &OrderId,
    attempt: u32,
    action: PaymentAction,
) -> Result<OrderView, OrderError> {
    let waiting = Update::new()
        .set("payment_action", json!(action))
        .bump_version();
    let pending = Some(Condition::eq("payment_pending", attempt));
    let key = order_key(&customer.id, order_id);
    match ports.table().update(&key, waiting, pending).await {
        Ok(_) | Err(TableError::ConditionFailed) => {}
        Err(other) => return Err(other.into()),
    }
    let order = super::load(ports, &customer.id, order_id).await?;
    super::view(ports, order).await
}

/// Finishes the payment the customer went to confirm at their bank, once
/// they are back: paid when the bank confirmed it, declined when it did not,
/// and still waiting while they have not answered it.
pub async fn confirmed_at_bank(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order_id: &OrderId,
) -> Result<OrderView, OrderError> {
    let order = super::load(ports, &customer.id, order_id).await?;
    if order.status != OrderStatus::AwaitingPayment {
        return super::view(ports, order).await;
    }
    let (Some(attempt), Some(action)) = (order.payment_pending, order.payment_action.clone())
    else {
        return Err(conflict(
            "nothing_to_confirm",
            "this order is not waiting for your bank; pay it with a card",
        ));
    };
    match ports
        .payments()
        .authenticated(&action.authorization_id)
        .await
    {
        Ok(Authorized::Held(authorization)) => {
            keep_card(ports, customer, &authorization).await?;
            settle_confirmed(ports, customer, &order, attempt, authorization, &action).await
        }
        Ok(Authorized::Authenticate { .. }) => super::view(ports, order).await,
        Err(error) => Err(refused(ports, customer, order_id, attempt, error).await),
    }
}
