//! The charts' figures from what was read: pure, so that month ends, leap
//! days and the sums are tested without a table.

use std::collections::{BTreeMap, BTreeSet};

use time::Date;

use super::{MonthAmounts, MonthChurn, RenewalsDue};
use crate::billing::credit_note::CreditNote;
use crate::billing::invoice::Invoice;
use crate::subscriptions::Subscription;

/// The windows of renewals due, in days from today, both ends included.
pub const DUE_WINDOWS: [(i64, i64); 3] = [(0, 30), (31, 60), (61, 90)];

/// The `count` months up to and including `today`'s, oldest first.
pub fn months_to(today: Date, count: u32) -> Vec<String> {
    let newest = today.year() * 12 + today.month() as i32 - 1;
    (0..count as i32)
        .rev()
        .map(|back| {
            let index = newest - back;
            format!(
                "{:04}-{:02}",
                index.div_euclid(12),
                index.rem_euclid(12) + 1
            )
        })
        .collect()
}

/// What moved in each month, read from the month counters
/// (`months:<YYYY-MM>:<what>`).
#[derive(Debug, Default, PartialEq)]
pub struct Moves {
    started: BTreeMap<String, i64>,
    ended: BTreeMap<String, i64>,
    /// By month, then currency.
    revenue: BTreeMap<String, BTreeMap<String, i64>>,
}

impl Moves {
    pub fn read(counters: &BTreeMap<String, i64>) -> Moves {
        let mut moves = Moves::default();
        for (name, value) in counters {
            let Some((month, what)) = name
                .strip_prefix("months:")
                .and_then(|rest| rest.split_once(':'))
            else {
                continue;
            };
            let month = month.to_string();
            match what {
                "services:started" => *moves.started.entry(month).or_default() += value,
                "services:ended" => *moves.ended.entry(month).or_default() += value,
                _ => {
                    if let Some(currency) = what.strip_prefix("mrr:") {
                        let by_currency = moves.revenue.entry(month).or_default();
                        *by_currency.entry(currency.to_string()).or_default() += value;
                    }
                }
            }
        }
        moves
    }

    /// The months after `month` (later than it), newest first.
    fn since(&self, month: &str) -> impl Iterator<Item = &str> {
        let keys = self.started.keys().chain(self.ended.keys());
        let all: BTreeSet<&str> = keys
            .chain(self.revenue.keys())
            .map(String::as_str)
            .filter(|m| *m > month)
            .collect();
        all.into_iter().rev()
    }
}

/// The monthly recurring revenue at each month's end (the current month's:
/// now), going back from `now` (by currency) through what moved since.
pub fn recurring(
    months: &[String],
    now: &BTreeMap<String, i64>,
    moves: &Moves,
) -> Vec<MonthAmounts> {
    let Some(newest) = months.last() else {
        return Vec::new();
    };
    let mut level = now.clone();
    let undo = |level: &mut BTreeMap<String, i64>, month: &str| {
        for (currency, moved) in moves.revenue.get(month).into_iter().flatten() {
            *level.entry(currency.clone()).or_default() -= moved;
        }
    };
    // Anything counted after the newest month asked for (a clock set back).
    for later in moves.since(newest).collect::<Vec<_>>() {
        undo(&mut level, later);
    }
    let mut shown: Vec<MonthAmounts> = months
        .iter()
        .rev()
        .map(|month| {
            let at_end = level.clone();
            undo(&mut level, month.as_str());
            MonthAmounts {
                month: month.clone(),
                amounts: at_end,
            }
        })
        .collect();
    shown.reverse();
    shown
}

/// Each month's services ended, and those live at its start, going back
/// from `live_now` through what started and ended since.
pub fn churn(months: &[String], live_now: i64, moves: &Moves) -> Vec<MonthChurn> {
    let of = |counts: &BTreeMap<String, i64>, month: &str| counts.get(month).copied().unwrap_or(0);
    let net = |month: &str| of(&moves.started, month) - of(&moves.ended, month);
    let newest = months.last().map(String::as_str).unwrap_or("");
    let mut level = live_now - moves.since(newest).map(net).sum::<i64>();
    let mut shown: Vec<MonthChurn> = months
        .iter()
        .rev()
        .map(|month| {
            level -= net(month.as_str());
            MonthChurn {
                month: month.clone(),
                live_at_start: level,
                ended: of(&moves.ended, month),
            }
        })
        .collect();
    shown.reverse();
    shown
}

/// Each month's revenue by currency: the net of the invoices paid in it,
/// less the net of the credit notes issued in it on invoices that were paid
/// (a note that voids an unpaid invoice took nothing back).
pub fn revenue(months: &[String], invoices: &[Invoice], notes: &[CreditNote]) -> Vec<MonthAmounts> {
    let mut by_month: BTreeMap<&str, BTreeMap<String, i64>> = months
        .iter()
        .map(|m| (m.as_str(), BTreeMap::new()))
        .collect();
    let mut add = |at: &str, currency: String, amount: i64| {
        if let Some(amounts) = at.get(..7).and_then(|month| by_month.get_mut(month)) {
            *amounts.entry(currency).or_default() += amount;
        }
    };
    let mut paid = BTreeSet::new();
    for bill in invoices {
        if let Some(at) = &bill.paid_at {
            paid.insert(bill.number.as_str());
            add(at.as_str(), bill.currency.to_string(), bill.subtotal);
        }
    }
    for note in notes
        .iter()
        .filter(|n| paid.contains(n.invoice_number.as_str()))
    {
        add(
            note.issued_at.as_str(),
            note.currency.to_string(),
            -note.subtotal,
        );
    }
    by_month
        .into_iter()
        .map(|(month, amounts)| MonthAmounts {
            month: month.to_string(),
            amounts,
        })
        .collect()
}

/// A service's next renewal: its first day, and its price per cycle.
pub struct Renewal {
    /// `YYYY-MM-DD`.
    pub due: String,
    pub currency: String,
    pub price: i64,
}

impl From<&Subscription> for Renewal {
    fn from(service: &Subscription) -> Renewal {
        Renewal {
            due: service.next_due.clone(),
            currency: service.currency.to_string(),
            price: service.price,
        }
    }
}

/// The renewals due in each window from `today`: how many, and the prices
/// per cycle before tax, by currency.
pub fn renewals(today: Date, due: &[Renewal]) -> Vec<RenewalsDue> {
    let mut windows: Vec<RenewalsDue> = DUE_WINDOWS
        .iter()
        .map(|&(from_day, to_day)| RenewalsDue {
            from_day,
            to_day,
            services: 0,
            amounts: BTreeMap::new(),
        })
        .collect();
    let format = time::macros::format_description!("[year]-[month]-[day]");
    for renewal in due {
        let Ok(day) = Date::parse(&renewal.due, format) else {
            continue;
        };
        let days = (day - today).whole_days();
        let within = |w: &&mut RenewalsDue| (w.from_day..=w.to_day).contains(&days);
        if let Some(window) = windows.iter_mut().find(within) {
            window.services += 1;
            *window.amounts.entry(renewal.currency.clone()).or_default() += renewal.price;
        }
    }
    windows
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
