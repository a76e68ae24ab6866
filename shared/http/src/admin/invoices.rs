//! Invoices for staff: any customer's invoice as a PDF, for the roles that
//! see customers' files.

use axum::extract::{Path, State};
use axum::response::Response;

use super::{AsSupport, Staff};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::billing::invoice;

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
    T::default().add(crate::handlers!(invoice_pdf))
}
