//! Invoices for staff: every customer's, listed (the billing role's), and
//! any one as a PDF, for the roles that see customers' files.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{AsBilling, AsSupport, Staff, listing};
use crate::AppState;
use crate::error::{ApiError, ApiQuery, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::billing::invoice;
use hostfront_core::listing::{Asked, ListParams, Listed};
use hostfront_core::staff::invoices::{self, INVOICES, InvoiceSummary};

/// Every customer's invoices, a page at a time (see `docs/api.md`, Lists):
/// `newest` (the default) or `oldest` number first; `status` (`open`,
/// `paid`, `void`, `refunded`); `kind` (`order`, `renewal`, `period`,
/// `upgrade`, `client_service`); `q` an invoice number (`INV-000042`), exactly. No date
/// range: the index holds numbers, not days. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/invoices", tag = "admin", security(("staff" = ["billing"])),
    params(ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<InvoiceSummary> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_invoices(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let asked = listing::asked(&INVOICES, params, &headers)?;
    let ports = &state.ports;
    let page = |asked: Asked| async move { invoices::list(ports, &asked).await };
    listing::answer(&state, &staff, (&INVOICES, asked), page).await
}

/// Any customer's invoice as a PDF, to download.
#[utoipa::path(get, path = "/api/admin/invoices/{number}/pdf", tag = "admin", security(("staff" = ["support"])),
    params(("number" = String, Path, description = "the invoice, `INV-000042`")),
    responses(
        (status = 200, content_type = "application/pdf", body = String, description = "the invoice as a PDF, saved as `INV-000042.pdf`"),
        (status = 404, body = ErrorBody, description = "no such invoice"),
    ))]
async fn invoice_pdf(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let invoice = invoice::by_number(state.ports.table.as_ref(), &number)
        .await?
        .ok_or_else(|| ApiError::not_found("no such invoice"))?;
    crate::invoice_pdf::download(&invoice)
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_invoices))
        .add(crate::handlers!(invoice_pdf))
}
