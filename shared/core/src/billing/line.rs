//! An invoice's lines: what was supplied, how many, over which period, its
//! net amount and its share of the invoice's tax.
//!
//! The tax of an invoice is reckoned once, on its subtotal (as
//! `Invoice::new` does), and then shared out over the lines so that their
//! taxes add up to it exactly: each line gets its net's share rounded down,
//! and the minor units left over go one each to the lines that lost the most
//! in that rounding (the earlier line first on a tie). So every line's tax is
//! within one minor unit of its own net times the rate, and a total never
//! differs from what the customer is charged.

use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// The days a line's service runs: from its first day to its last, both
/// included, `YYYY-MM-DD` (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServicePeriod {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceLine {
    /// What was supplied, and for how long: `Web Starter, monthly,
    /// 2027-01-06 to 2027-02-05`, `example.com, renewal, 2 years`.
    pub description: String,
    /// How many of it; 1 on invoices issued before lines counted.
    #[serde(default = "one")]
    pub quantity: u32,
    /// The service period the line pays for, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<ServicePeriod>,
    /// Net of tax, minor units.
    pub amount: i64,
    /// The line's share of the invoice's tax, minor units (see the module's
    /// rounding rule); 0 on invoices issued before lines carried tax.
    #[serde(default)]
    pub tax: i64,
}

fn one() -> u32 {
    1
}

impl InvoiceLine {
    /// One of `description` for `amount` (net, minor units), no period.
    pub fn new(description: impl Into<String>, amount: i64) -> InvoiceLine {
        InvoiceLine {
            description: description.into(),
            quantity: 1,
            period: None,
            amount,
            tax: 0,
        }
    }

    /// The line, paying for the days `from` to `to`, both included.
    pub fn over(self, from: Date, to: Date) -> InvoiceLine {
        InvoiceLine {
            period: Some(ServicePeriod {
                from: from.to_string(),
                to: to.to_string(),
            }),
            ..self
        }
    }
}

/// Shares `tax` out over `lines` in proportion to their nets, so that the
/// lines' taxes add up to `tax` exactly (the module's rounding rule).
pub fn share_tax(lines: &mut [InvoiceLine], tax: i64) {
    let net: i128 = lines.iter().map(|l| l.amount as i128).sum();
    if net == 0 || lines.is_empty() {
        lines.iter_mut().for_each(|l| l.tax = 0);
        if let Some(first) = lines.first_mut() {
            first.tax = tax;
        }
        return;
    }
    // Shares of `tax × amount / net`, with the sign carried by the numerator.
    let (tax, net) = if net < 0 {
        (-(tax as i128), -net)
    } else {
        (tax as i128, net)
    };
    let exact: Vec<i128> = lines.iter().map(|l| tax * l.amount as i128).collect();
    let mut given = 0i128;
    for (line, part) in lines.iter_mut().zip(&exact) {
        let floor = part.div_euclid(net);
        line.tax = floor as i64;
        given += floor;
    }
    let mut order: Vec<usize> = (0..lines.len()).collect();
    // Largest remainder first; `sort_by` is stable, so earlier lines win ties.
    order.sort_by(|&a, &b| exact[b].rem_euclid(net).cmp(&exact[a].rem_euclid(net)));
    for &index in order.iter().take((tax - given) as usize) {
        lines[index].tax += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxed(amounts: &[i64], tax: i64) -> Vec<i64> {
        let mut lines: Vec<InvoiceLine> =
            amounts.iter().map(|&a| InvoiceLine::new("x", a)).collect();
        share_tax(&mut lines, tax);
        lines.iter().map(|l| l.tax).collect()
    }

    #[test]
    fn line_taxes_add_up_to_the_invoice_tax() {
        // 20 % of 1698 is 339.6, charged as 340: 99.8 + 239.8 → 100 + 240.
        assert_eq!(taxed(&[499, 1199], 340), vec![100, 240]);
        // Three equal lines of 1 with a tax of 1: the first takes it.
        assert_eq!(taxed(&[1, 1, 1], 1), vec![1, 0, 0]);
        assert_eq!(taxed(&[333, 333, 334], 200), vec![67, 66, 67]);
        for (amounts, tax) in [(&[17, 23, 999][..], 208), (&[5][..], 1), (&[0, 0][..], 0)] {
            assert_eq!(taxed(amounts, tax).iter().sum::<i64>(), tax);
        }
    }

    #[test]
    fn a_line_stored_before_lines_had_tax_or_quantity_reads() {
        let line: InvoiceLine =
            serde_json::from_str(r#"{"description": "Order 01M9", "amount": 499}"#).unwrap();
        assert_eq!((line.quantity, line.tax, line.period), (1, 0, None));
    }
}
