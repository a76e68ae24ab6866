//! Where each piece of an invoice goes on A4 pages: pure layout, measured
//! with the font's own advance widths, so that long names and descriptions
//! wrap inside their column and amounts line up on the right.

use hostfront_core::billing::document::InvoiceDocument;
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use super::fonts::Coverage;

/// A4 in points.
pub const PAGE: (f32, f32) = (595.0, 842.0);
const LEFT: f32 = 50.0;
const RIGHT: f32 = 545.0;
const TOP: f32 = 60.0;
const BOTTOM: f32 = 790.0;
const BODY: f32 = 10.0;
const SMALL: f32 = 8.0;
/// Right edges of the quantity, net and tax columns; the item wraps before.
const QTY: f32 = 380.0;
const NET: f32 = 460.0;
const ITEM_WIDTH: f32 = 290.0;

/// One run of text: its left edge and baseline from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub struct Text {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
}

/// Measures text in the fonts the PDF embeds, each character in the face
/// that draws it.
pub struct Measure<'a> {
    faces: Vec<FontRef<'a>>,
    coverage: Coverage<'a>,
}

impl<'a> Measure<'a> {
    pub fn new(faces: &[&'a [u8]]) -> Option<Measure<'a>> {
        let faces = faces
            .iter()
            .map(|bytes| FontRef::new(bytes).ok())
            .collect::<Option<Vec<_>>>()?;
        let coverage = Coverage::of(&faces);
        Some(Measure { faces, coverage })
    }

    /// `text` cut where the face drawing it changes: (face, run).
    pub fn runs<'t>(&self, text: &'t str) -> Vec<(usize, &'t str)> {
        self.coverage.runs(text)
    }

    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| {
                let face = &self.faces[self.coverage.face_of(c)];
                let metrics = face.glyph_metrics(Size::new(size), LocationRef::default());
                face.charmap()
                    .map(c)
                    .and_then(|glyph| metrics.advance_width(glyph))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }

    /// `text` in lines no wider than `width`, broken between words (a word
    /// wider than a line is broken where it must).
    fn wrap(&self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let tried = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if self.width(&tried, size) <= width || line.is_empty() {
                line = tried;
            } else {
                lines.push(std::mem::replace(&mut line, word.to_string()));
            }
            while self.width(&line, size) > width && line.chars().count() > 1 {
                let keep = (1..line.chars().count())
                    .rev()
                    .find(|&n| self.width(&line.chars().take(n).collect::<String>(), size) <= width)
                    .unwrap_or(1);
                let rest: String = line.chars().skip(keep).collect();
                line.truncate(line.char_indices().nth(keep).map_or(line.len(), |(i, _)| i));
                lines.push(std::mem::replace(&mut line, rest));
            }
        }
        lines.push(line);
        lines
    }
}

/// Texts page by page, moving down the page and on to a new one when full.
struct Pages<'m, 'f> {
    measure: &'m Measure<'f>,
    pages: Vec<Vec<Text>>,
    y: f32,
}

impl Pages<'_, '_> {
    /// Room for `height` more points, on a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM {
            self.pages.push(Vec::new());
            self.y = TOP;
        }
    }

    fn put(&mut self, x: f32, size: f32, text: &str) {
        let y = self.y;
        self.pages.last_mut().expect("a page").push(Text {
            x,
            y,
            size,
            text: text.to_string(),
        });
    }

    /// `text` ending at `right`.
    fn put_right(&mut self, right: f32, size: f32, text: &str) {
        let x = right - self.measure.width(text, size);
        self.put(x, size, text);
    }

    fn down(&mut self, points: f32) {
        self.y += points;
    }

    /// A party's block under `label`, in the half of the page from `x`.
    fn party(&mut self, x: f32, label: &str, lines: &[String]) -> f32 {
        let start = self.y;
        self.put(x, SMALL, label);
        self.down(14.0);
        for line in lines {
            for part in self.measure.wrap(line, BODY, 230.0) {
                self.put(x, BODY, &part);
                self.down(13.0);
            }
        }
        let end = self.y;
        self.y = start;
        end
    }

    /// A row of the totals: its label on the left, its amount on the right.
    fn total(&mut self, label: &str, amount: &str, size: f32) {
        self.room(size + 6.0);
        self.put(LEFT, size, label);
        self.put_right(RIGHT, size, amount);
        self.down(size + 5.0);
    }
}

/// The invoice laid out on as many A4 pages as it needs.
pub fn lay_out(invoice: &InvoiceDocument, measure: &Measure) -> Vec<Vec<Text>> {
    let mut pages = Pages {
        measure,
        pages: vec![Vec::new()],
        y: TOP + 10.0,
    };
    pages.put(LEFT, 20.0, &format!("Invoice {}", invoice.number));
    pages.put_right(RIGHT, BODY, &format!("Issued {} (UTC)", invoice.issued_on));
    pages.down(14.0);
    let supplied = format!("Date of supply {} (UTC)", invoice.supplied_on);
    pages.put_right(RIGHT, BODY, &supplied);
    pages.down(14.0);
    pages.put_right(RIGHT, BODY, &format!("Currency {}", invoice.currency));
    pages.down(30.0);
    let seller_end = pages.party(LEFT, "SELLER", &invoice.seller);
    let buyer_end = pages.party(310.0, "BUYER", &invoice.buyer);
    pages.y = seller_end.max(buyer_end) + 20.0;
    lines(&mut pages, invoice);
    pages.down(8.0);
    pages.total("Net", &invoice.subtotal, BODY);
    for tax in &invoice.taxes {
        pages.total(&format!("{} on {}", tax.label, tax.taxable), &tax.tax, BODY);
    }
    if let Some(credit) = &invoice.credit {
        pages.total("Account credit", credit, BODY);
    }
    pages.total(
        &format!("Total ({})", invoice.currency),
        &invoice.total,
        13.0,
    );
    if let Some(mention) = &invoice.mention {
        pages.down(12.0);
        for part in measure.wrap(mention, BODY, RIGHT - LEFT) {
            pages.room(14.0);
            pages.put(LEFT, BODY, &part);
            pages.down(13.0);
        }
    }
    pages.pages
}

/// The table of lines: item (wrapped), quantity, net and tax.
fn lines(pages: &mut Pages, invoice: &InvoiceDocument) {
    pages.put(LEFT, SMALL, "ITEM");
    pages.put_right(QTY, SMALL, "QTY");
    pages.put_right(NET, SMALL, "NET");
    pages.put_right(RIGHT, SMALL, "TAX");
    pages.down(16.0);
    for line in &invoice.lines {
        let wrapped = pages.measure.wrap(&line.description, BODY, ITEM_WIDTH);
        pages.room(13.0 * wrapped.len() as f32 + 4.0);
        pages.put_right(QTY, BODY, &line.quantity.to_string());
        pages.put_right(NET, BODY, &line.net);
        pages.put_right(RIGHT, BODY, &line.tax);
        for part in wrapped {
            pages.put(LEFT, BODY, &part);
            pages.down(13.0);
        }
        pages.down(4.0);
    }
}
