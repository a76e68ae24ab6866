//! An invoice as the mails show it, every part as text: the shape the
//! templates render. `billing::document` makes it from an invoice (what an
//! invoice must state, and why, is told there).

/// One line as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownLine {
    pub description: String,
    pub quantity: u32,
    /// `2027-01-06 to 2027-02-05`, when the line pays for a period.
    pub period: Option<String>,
    pub net: String,
    pub tax: String,
}

/// The tax at one rate: `Tax 20% (DE)`, the taxable amount and the tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownTax {
    pub label: String,
    pub taxable: String,
    pub tax: String,
}

/// An invoice, every part as text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InvoiceDocument {
    pub number: String,
    /// `YYYY-MM-DD` (UTC).
    pub issued_on: String,
    /// `YYYY-MM-DD` (UTC).
    pub supplied_on: String,
    pub currency: String,
    /// The seller's lines: name, address, country, tax ID, registration;
    /// none on invoices issued before invoices named their parties.
    pub seller: Vec<String>,
    pub buyer: Vec<String>,
    pub lines: Vec<ShownLine>,
    pub subtotal: String,
    pub taxes: Vec<ShownTax>,
    /// Account credit taken off, when some was.
    pub credit: Option<String>,
    pub total: String,
    /// What the invoice must state about its tax (a reverse charge, an
    /// exemption), when anything.
    pub mention: Option<String>,
}
