//! The customer's identity on their invoices: company name and postal
//! address.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::accounts::{self, BillingIdentity, Customer};

/// Sets the company name and postal address that invoices issued from now
/// on name the customer by (the company's name instead of the person's);
/// each part left out or null is cleared. Invoices already issued keep what
/// they said.
#[utoipa::path(put, path = "/api/account/billing-address", tag = "accounts", security(("session" = [])),
    request_body = BillingIdentity,
    responses(
        (status = 200, body = Customer, description = "the account as it is now"),
        (status = 422, body = ErrorBody, description = "`invalid_company` or `invalid_address` (a part empty, too long or with control characters; 1 to 3 street lines; a postal code of letters, digits, spaces and hyphens); nothing changed. `account_changed`: the account changed meanwhile, send it again"),
    ))]
async fn set_billing_address(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    ApiJson(identity): ApiJson<BillingIdentity>,
) -> Result<Json<Customer>, ApiError> {
    Ok(Json(
        accounts::set_billing_identity(&state.ports, &customer.id, identity).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(set_billing_address))
}
