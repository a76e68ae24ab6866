//! Money is integer minor units plus an ISO 4217 code; this shows it to people.

/// `1299, "USD"` → `$12.99`; currencies without a symbol here show their code.
pub fn display(minor: i64, currency: &str) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let (major, cents) = (minor.unsigned_abs() / 100, minor.unsigned_abs() % 100);
    match currency {
        "USD" => format!("{sign}${major}.{cents:02}"),
        "EUR" => format!("{sign}€{major}.{cents:02}"),
        "GBP" => format!("{sign}£{major}.{cents:02}"),
        other => format!("{sign}{other} {major}.{cents:02}"),
    }
}

/// `amount × rate / 10 000`, rounded half up: tax of `amount` at `rate_bps` basis points.
pub fn share(amount: i64, rate_bps: u32) -> i64 {
    (amount * rate_bps as i64 + 5_000).div_euclid(10_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_with_two_decimals() {
        assert_eq!(display(1299, "USD"), "$12.99");
        assert_eq!(display(5, "EUR"), "€0.05");
        assert_eq!(display(-250, "GBP"), "-£2.50");
        assert_eq!(display(100000, "CHF"), "CHF 1000.00");
    }

    #[test]
    fn shares_round_half_up() {
        assert_eq!(share(1000, 2000), 200);
        assert_eq!(share(499, 2000), 100, "99.8 rounds to 100");
        assert_eq!(share(1, 5000), 1, "0.5 rounds up");
        assert_eq!(share(1, 4999), 0);
        assert_eq!(share(12345, 0), 0);
    }
}
