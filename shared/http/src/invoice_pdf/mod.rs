//! An invoice as a PDF: the same content as the printable page, on A4,
//! in DejaVu Sans and, for Chinese, Japanese and Korean, Droid Sans
//! Fallback (`fonts/README.md`), whose glyphs the file embeds, so that a
//! name a customer types in those scripts or in a Latin, Greek or Cyrillic
//! one prints as typed and reads back as text.

mod fonts;
mod layout;

use std::sync::LazyLock;

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

/// The faces loaded once: each PDF takes the glyphs it uses from them.
static LOADED: LazyLock<Option<Vec<Font>>> = LazyLock::new(|| {
    fonts::faces()
        .iter()
        .map(|bytes| Font::new((*bytes).into(), 0))
        .collect()
});

/// The PDF of `invoice`.
pub fn render(invoice: &Invoice) -> Result<Vec<u8>, String> {
    let shown = InvoiceDocument::of(invoice);
    let measure = layout::Measure::new(fonts::faces()).ok_or("the invoice fonts do not read")?;
    let faces = LOADED.as_ref().ok_or("the invoice fonts do not load")?;
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(format!("Invoice {}", shown.number)));
    for texts in layout::lay_out(&shown, &measure) {
        let (width, height) = layout::PAGE;
        let settings = PageSettings::from_wh(width, height).ok_or("an A4 page")?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for text in texts {
            let mut x = text.x;
            for (face, run) in measure.runs(&text.text) {
                surface.draw_text(
                    Point::from_xy(x, text.y),
                    faces[face].clone(),
                    text.size,
                    run,
                    false,
                    TextDirection::Auto,
                );
                x += measure.width(run, text.size);
            }
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
