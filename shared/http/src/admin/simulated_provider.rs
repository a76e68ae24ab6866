//! The simulated payment provider's dashboard, for the local demo: what
//! someone at a real provider's dashboard sees and does (its payments,
//! refunds made there, disputes, the card updater), each queueing the
//! events Stripe would send to this shop. Admins only; 404 wherever a real
//! provider takes the payments. Each action is also written to the audit log.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{AsAdmin, Staff};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::audit::AuditEntry;
use hostfront_core::payments::sim_dashboard::{
    DashboardError, ProviderDashboard, SimulatedCard, SimulatedPayment,
};
use hostfront_core::payments::simulated::SimulatedProvider;

impl From<DashboardError> for ApiError {
    fn from(error: DashboardError) -> Self {
        match error {
            DashboardError::NotFound(message) => ApiError::not_found(message),
            DashboardError::Invalid(message) => {
                ApiError::unprocessable("invalid_provider_action", message)
            }
            DashboardError::Conflict(message) => ApiError::conflict("provider_conflict", message),
            DashboardError::Unavailable(message) => {
                tracing::warn!(%message, "the simulated provider's storage did not answer");
                ApiError::unavailable("the simulated provider is not answering").retry_after(2)
            }
        }
    }
}

fn provider(state: &AppState) -> Result<&dyn SimulatedProvider, ApiError> {
    state.ports.simulated_provider.as_deref().ok_or_else(|| {
        ApiError::not_found("no simulated payment provider here: a real provider takes payments")
    })
}

/// Writes what `staff` did at the simulated provider to the audit log.
async fn audit(
    state: &AppState,
    staff: &Staff<AsAdmin>,
    (subject, action, why): (String, &str, String),
) -> Result<(), ApiError> {
    let entry = AuditEntry {
        at: hostfront_core::clock::rfc3339_millis(state.ports.clock.now()),
        actor: staff.actor(),
        subject,
        customer_id: None,
        action: format!("simulated_provider.{action}"),
        from: None,
        to: None,
        why,
        client: Some(staff.client.clone()),
        role: Some(staff.member.role.as_str().into()),
    };
    state.ports.table.transact(vec![entry.put_op()]).await?;
    Ok(())
}

/// The simulated provider's payments (captures, newest first, with the
/// invoice they paid and what was given back), saved cards, and the events
/// it sent or is sending, with how each delivery went.
#[utoipa::path(get, path = "/api/admin/simulated-provider", tag = "admin", security(("staff" = ["admin"])),
    responses(
        (status = 200, body = ProviderDashboard),
        (status = 404, body = ErrorBody, description = "a real provider takes payments here"),
    ))]
async fn dashboard(
    State(state): State<AppState>,
    _: Staff<AsAdmin>,
) -> Result<Json<ProviderDashboard>, ApiError> {
    Ok(Json(provider(&state)?.dashboard().await?))
}

#[derive(Deserialize, ToSchema)]
struct RefundThere {
    /// Minor units to give back: at most what is left of the payment.
    amount: i64,
}

/// Gives back part or all of a payment at the provider, as someone in its
/// dashboard would: the provider holds less, and sends `charge.refunded`,
/// which records the refund on the invoice (a credit note).
#[utoipa::path(post, path = "/api/admin/simulated-provider/payments/{charge}/refunds", tag = "admin", security(("staff" = ["admin"])),
    params(("charge" = String, Path, description = "the payment, `cap_…`")),
    request_body = RefundThere,
    responses(
        (status = 200, body = SimulatedPayment),
        (status = 404, body = ErrorBody, description = "no such payment, or no simulated provider here"),
        (status = 409, body = ErrorBody, description = "`provider_conflict`: it changed meanwhile"),
        (status = 422, body = ErrorBody, description = "`invalid_provider_action`: not a positive amount, or more than is left"),
    ))]
async fn refund(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(charge): Path<String>,
    ApiJson(request): ApiJson<RefundThere>,
) -> Result<Json<SimulatedPayment>, ApiError> {
    let payment = provider(&state)?
        .refund_at_provider(&charge, request.amount)
        .await?;
    let why = format!("gave back {} at the simulated provider", request.amount);
    audit(&state, &staff, (format!("payment:{charge}"), "refund", why)).await?;
    Ok(Json(payment))
}

#[derive(Deserialize, ToSchema)]
struct DisputeOpening {
    /// Stripe's reason: `fraudulent`, `product_not_received`,
    /// `product_unacceptable`, `duplicate`, `subscription_canceled`, `general`.
    reason: String,
}

/// A cardholder disputes a payment: the provider sends
/// `charge.dispute.created`, and the console shows the dispute.
#[utoipa::path(post, path = "/api/admin/simulated-provider/payments/{charge}/dispute", tag = "admin", security(("staff" = ["admin"])),
    params(("charge" = String, Path, description = "the payment, `cap_…`")),
    request_body = DisputeOpening,
    responses(
        (status = 200, body = SimulatedPayment),
        (status = 404, body = ErrorBody, description = "no such payment, or no simulated provider here"),
        (status = 409, body = ErrorBody, description = "`provider_conflict`: disputed already (one dispute a payment)"),
        (status = 422, body = ErrorBody, description = "`invalid_provider_action`: not one of the reasons"),
    ))]
async fn open_dispute(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(charge): Path<String>,
    ApiJson(request): ApiJson<DisputeOpening>,
) -> Result<Json<SimulatedPayment>, ApiError> {
    let payment = provider(&state)?
        .open_dispute(&charge, &request.reason)
        .await?;
    let why = format!(
        "opened a dispute ({}) at the simulated provider",
        request.reason
    );
    audit(
        &state,
        &staff,
        (format!("payment:{charge}"), "dispute", why),
    )
    .await?;
    Ok(Json(payment))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    Won,
    Lost,
}

#[derive(Deserialize, ToSchema)]
struct DisputeClosing {
    outcome: Outcome,
}

/// Closes a payment's open dispute, won or lost: the provider sends
/// `charge.dispute.closed`.
#[utoipa::path(post, path = "/api/admin/simulated-provider/payments/{charge}/dispute/close", tag = "admin", security(("staff" = ["admin"])),
    params(("charge" = String, Path, description = "the payment, `cap_…`")),
    request_body = DisputeClosing,
    responses(
        (status = 200, body = SimulatedPayment),
        (status = 404, body = ErrorBody, description = "no such payment, or no simulated provider here"),
        (status = 409, body = ErrorBody, description = "`provider_conflict`: no open dispute"),
        (status = 422, body = ErrorBody, description = "`invalid_json`: the outcome is `won` or `lost`"),
    ))]
async fn close_dispute(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(charge): Path<String>,
    ApiJson(request): ApiJson<DisputeClosing>,
) -> Result<Json<SimulatedPayment>, ApiError> {
    let won = matches!(request.outcome, Outcome::Won);
    let payment = provider(&state)?.close_dispute(&charge, won).await?;
    let why = format!(
        "closed the dispute at the simulated provider, {}",
        if won { "won" } else { "lost" }
    );
    let subject = format!("payment:{charge}");
    audit(&state, &staff, (subject, "dispute_closed", why)).await?;
    Ok(Json(payment))
}

/// The card's new expiry (named apart from a card form's fields: no card
/// data is taken here, only the month and year the card's network sent).
#[derive(Deserialize, ToSchema)]
struct NewExpiry {
    /// 1 to 12.
    month: u32,
    /// Four digits, not in the past.
    year: i32,
}

/// The card updater: a saved card gets the new expiry its network sent;
/// the provider sends `payment_method.automatically_updated`, which the
/// customer's saved card takes.
#[utoipa::path(put, path = "/api/admin/simulated-provider/cards/{token}/expiry", tag = "admin", security(("staff" = ["admin"])),
    params(("token" = String, Path, description = "the saved card, `tok_…`")),
    request_body = NewExpiry,
    responses(
        (status = 200, body = SimulatedCard),
        (status = 404, body = ErrorBody, description = "no such saved card, or no simulated provider here"),
        (status = 422, body = ErrorBody, description = "`invalid_provider_action`: not a month 1 to 12, or a year in the past or over 20 years ahead"),
    ))]
async fn card_expiry(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(token): Path<String>,
    ApiJson(request): ApiJson<NewExpiry>,
) -> Result<Json<SimulatedCard>, ApiError> {
    let card = provider(&state)?
        .update_card_expiry(&token, request.month, request.year)
        .await?;
    let why = format!(
        "the card updater at the simulated provider: expiry {:02}/{}",
        request.month, request.year
    );
    audit(
        &state,
        &staff,
        (format!("card:{token}"), "card_updated", why),
    )
    .await?;
    Ok(Json(card))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(dashboard))
        .add(crate::handlers!(refund))
        .add(crate::handlers!(open_dispute))
        .add(crate::handlers!(close_dispute))
        .add(crate::handlers!(card_expiry))
}
