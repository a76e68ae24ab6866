//! Reports for staff: the tax report, as CSV; the figures behind the
//! console's charts; accounts whose country is not a country.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AsBilling, AsSupport, Staff};
use crate::AppState;
use crate::error::{ApiError, ApiQuery, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::accounts::Customer;
use hostfront_core::billing::tax_report::{self, ReportError};
use hostfront_core::staff::charts::{self, Charts, ChartsError};
use hostfront_core::staff::customers;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Months {
    /// The first month, `YYYY-MM`.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    from: Option<String>,
    /// The last month, `YYYY-MM`, inclusive; at most ten years after `from`.
    #[param(pattern = r"^\d{4}-\d{2}$")]
    to: Option<String>,
}

impl From<ReportError> for ApiError {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Invalid(message) => ApiError::unprocessable("invalid_month", message),
            ReportError::Table(error) => error.into(),
            ReportError::Money(error) => {
                tracing::error!(%error, "the tax report does not add up");
                ApiError::internal()
            }
        }
    }
}

/// The tax report: one CSV row per month, country, tax rate and currency,
/// with the net, tax and gross of the invoices issued, of the credit notes
/// issued, and the difference. The country is the customer's account
/// country; invoices voided before payment do not count.
#[utoipa::path(get, path = "/api/admin/reports/tax", tag = "admin", security(("staff" = ["billing"])),
    params(Months),
    responses(
        (status = 200, content_type = "text/csv", body = String, description = "a header row, then one row per month, country, rate and currency; amounts in major units"),
        (status = 422, body = ErrorBody, description = "`invalid_month`: a month missing or not `YYYY-MM`, `from` after `to`, or more than ten years"),
    ))]
async fn tax(
    State(state): State<AppState>,
    _: Staff<AsBilling>,
    ApiQuery(months): ApiQuery<Months>,
) -> Result<Response, ApiError> {
    let range = tax_report::months(months.from.as_deref(), months.to.as_deref())?;
    let rows = tax_report::report(state.ports.table.as_ref(), range).await?;
    let csv = tax_report::to_csv(&rows).map_err(ReportError::from)?;
    let name = format!("attachment; filename=\"tax-{}-{}.csv\"", range.0, range.1);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        csv,
    )
        .into_response())
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ChartMonths {
    /// How many months the monthly charts cover, this one included: 1 to
    /// 36, 12 unless given.
    #[param(minimum = 1, maximum = 36)]
    months: Option<u32>,
}

impl From<ChartsError> for ApiError {
    fn from(error: ChartsError) -> Self {
        match error {
            ChartsError::Months => ApiError::unprocessable("invalid_months", error.to_string()),
            ChartsError::Table(error) => error.into(),
        }
    }
}

/// The figures behind the console's charts: orders placed each day (the
/// last 30); for each month, the monthly recurring revenue at its end, the
/// revenue (paid invoices net of tax, less credit notes on them) and the
/// churn (services ended, over those live at its start); and the renewals
/// due within 30, 60 and 90 days. Billing figures, so the billing role.
#[utoipa::path(get, path = "/api/admin/reports/charts", tag = "admin", security(("staff" = ["billing"])),
    params(ChartMonths),
    responses(
        (status = 200, body = Charts),
        (status = 422, body = ErrorBody, description = "`invalid_months`: not 1 to 36 months"),
    ))]
async fn chart_figures(
    State(state): State<AppState>,
    _: Staff<AsBilling>,
    ApiQuery(asked): ApiQuery<ChartMonths>,
) -> Result<axum::Json<Charts>, ApiError> {
    let months = asked.months.unwrap_or(12);
    Ok(axum::Json(charts::charts(&state.ports, months).await?))
}

/// Accounts whose country is not an ISO 3166-1 country (made before signup
/// checked it), to put right with their owners.
#[utoipa::path(get, path = "/api/admin/reports/unknown-countries", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Vec<Customer>)))]
async fn unknown_countries(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<axum::Json<Vec<Customer>>, ApiError> {
    Ok(axum::Json(
        customers::with_unknown_country(&state.ports).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(tax))
        .add(crate::handlers!(chart_figures))
        .add(crate::handlers!(unknown_countries))
}
