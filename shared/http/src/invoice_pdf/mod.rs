//! An invoice as a PDF: the same content as the printable page, on A4,
//! in DejaVu Sans (`fonts/README.md`), whose glyphs the file embeds, so
//! that any name a customer may type in a Latin, Greek or Cyrillic script
//! prints as typed and reads back as text.

mod layout;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use hostfront_core::billing::Invoice;
use hostfront_core::billing::document::InvoiceDocument;
use krilla::Document;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};

use crate::error::ApiError;

static FONT: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");

/// The PDF of `invoice`.
pub fn render(invoice: &Invoice) -> Result<Vec<u8>, String> {
    let shown = InvoiceDocument::of(invoice);
    let measure = layout::Measure::new(FONT).ok_or("the invoice font does not read")?;
    let font = Font::new(FONT.into(), 0).ok_or("the invoice font does not load")?;
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(format!("Invoice {}", shown.number)));
    for texts in layout::lay_out(&shown, &measure) {
        let (width, height) = layout::PAGE;
        let settings = PageSettings::from_wh(width, height).ok_or("an A4 page")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for text in texts {
            surface.draw_text(
                Point::from_xy(text.x, text.y),
                font.clone(),
                text.size,
                &text.text,
                false,
                TextDirection::Auto,
            );
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| format!("{e:?}"))
}

/// The answer that downloads `invoice` as `INV-000042.pdf`.
pub fn download(invoice: &Invoice) -> Result<Response, ApiError> {
    let pdf = render(invoice).map_err(|error| {
        tracing::error!(%error, invoice = %invoice.number, "an invoice's PDF could not be made");
        ApiError::internal()
    })?;
    let disposition = format!("attachment; filename=\"{}\"", file_name(invoice));
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        pdf,
    )
        .into_response())
}

/// `INV-000042.pdf`, the name a download is saved under.
fn file_name(invoice: &Invoice) -> String {
    let safe: String = invoice
        .number
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("{safe}.pdf")
}
