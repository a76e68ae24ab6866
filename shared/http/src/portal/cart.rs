//! The cart kept with the customer's account (`hostfront_core::cart`).

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::cart::{self, Cart, CartError};

impl From<CartError> for ApiError {
    fn from(error: CartError) -> Self {
        match error {
            CartError::Invalid { code, message } => ApiError::unprocessable(code, message),
            CartError::Table(error) => error.into(),
        }
    }
}

/// The customer's cart: the domains they mean to register, and the plan
/// and cycle they chose; empty when they have none.
#[utoipa::path(get, path = "/api/cart", tag = "accounts", security(("session" = [])),
    responses((status = 200, body = Cart)))]
async fn get_cart(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Cart>, ApiError> {
    Ok(Json(cart::get(&state.ports, &customer.id).await?))
}

/// Keeps `cart` as the customer's, in place of what it held: domains as
/// ASCII, each once. No prices: the catalog says them at checkout.
#[utoipa::path(put, path = "/api/cart", tag = "accounts", security(("session" = [])),
    request_body = Cart,
    responses(
        (status = 200, body = Cart, description = "the cart as kept"),
        (status = 422, body = ErrorBody, description = "`too_many_domains` (over 20), `invalid_domain`, `invalid_cycle`, `unknown_plan`; nothing changed"),
    ))]
async fn put_cart(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    ApiJson(cart): ApiJson<Cart>,
) -> Result<Json<Cart>, ApiError> {
    Ok(Json(cart::put(&state.ports, &customer.id, cart).await?))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(get_cart, put_cart))
}
