//! Money: integer minor units with the ISO 4217 currency they are counted
//! in. A [`Money`] has no `+`: sums go through [`Money::checked_add`] and
//! [`Money::sum`], which refuse to add two currencies or to overflow, so an
//! amount can neither be added to a bare integer nor to another currency's.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An ISO 4217 currency in use that counts in hundredths (`USD`, `EUR`):
/// every amount is kept, shown and charged in cents. Currencies of other
/// decimals (`JPY`, `KWD`), funds and special codes (`XXX`) are refused,
/// since an amount in them would be shown and charged 100 times wrong.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "USD")]
pub struct Currency(String);

impl Currency {
    pub fn parse(code: &str) -> Result<Currency, MoneyError> {
        let in_cents = iso_currency::Currency::from_code(code).is_some_and(|c| {
            c.exponent() == Some(2)
                && !c.is_fund()
                && !c.is_special()
                && c.is_superseded().is_none()
        });
        match in_cents {
            true => Ok(Currency(code.to_string())),
            false => Err(MoneyError::NotACurrency(code.chars().take(16).collect())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;

    fn try_from(code: String) -> Result<Self, MoneyError> {
        Currency::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> String {
        currency.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{0:?} is not an ISO 4217 currency counted in cents")]
    NotACurrency(String),
    #[error("cannot add {0} to {1}")]
    MixedCurrencies(Currency, Currency),
    #[error("the amount is out of range")]
    Overflow,
}

/// An amount in minor units (cents) of its currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    pub fn new(minor: i64, currency: &Currency) -> Money {
        Money {
            minor,
            currency: currency.clone(),
        }
    }

    pub fn zero(currency: &Currency) -> Money {
        Money::new(0, currency)
    }

    pub fn minor(&self) -> i64 {
        self.minor
    }

    pub fn currency(&self) -> &Currency {
        &self.currency
    }

    /// `self + other`, when both are in one currency and the sum fits.
    pub fn checked_add(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, &self.currency))
    }

    /// `self - other`, when both are in one currency and the difference fits.
    pub fn checked_sub(&self, other: &Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(minor, &self.currency))
    }

    /// The sum of `amounts`, all in `currency` (zero when there are none).
    pub fn sum<'a>(
        currency: &Currency,
        amounts: impl IntoIterator<Item = &'a Money>,
    ) -> Result<Money, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Money::zero(currency), |total, amount| {
                total.checked_add(amount)
            })
    }

    /// `self × rate / 10 000`, rounded half up: tax at `rate_bps` basis points.
    pub fn share(&self, rate_bps: u32) -> Result<Money, MoneyError> {
        let scaled = (self.minor as i128) * rate_bps as i128 + 5_000;
        let minor = i64::try_from(scaled.div_euclid(10_000)).map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(minor, &self.currency))
    }

    /// `self × of / whole`, rounded half up as [`Money::share`]: the part
    /// of an amount that goes with `of` of a `whole` (zero of nothing).
    pub fn part(&self, of: i64, whole: i64) -> Result<Money, MoneyError> {
        if whole <= 0 {
            return Ok(Money::zero(&self.currency));
        }
        let scaled = (self.minor as i128) * (of as i128) * 2 + whole as i128;
        let minor = i64::try_from(scaled.div_euclid(2 * whole as i128))
            .map_err(|_| MoneyError::Overflow)?;
        Ok(Money::new(minor, &self.currency))
    }

    fn same_currency(&self, other: &Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::MixedCurrencies(
                other.currency.clone(),
                self.currency.clone(),
            ))
        }
    }
}

/// `$12.99`; currencies without a symbol here show their code: `CHF 1000.00`.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let (major, cents) = (
            self.minor.unsigned_abs() / 100,
            self.minor.unsigned_abs() % 100,
        );
        match self.currency.as_str() {
            "USD" => write!(f, "{sign}${major}.{cents:02}"),
            "EUR" => write!(f, "{sign}€{major}.{cents:02}"),
            "GBP" => write!(f, "{sign}£{major}.{cents:02}"),
            other => write!(f, "{sign}{other} {major}.{cents:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    fn money(minor: i64, code: &str) -> Money {
        Money::new(minor, &currency(code))
    }

    #[test]
    fn only_currencies_counted_in_cents_are_currencies() {
        for code in ["USD", "EUR", "GBP", "CHF", "SEK"] {
            assert!(Currency::parse(code).is_ok(), "{code}");
        }
        // No decimals, three, no currency, a fund, retired, not ISO 4217's.
        for code in [
            "JPY", "KWD", "XXX", "XAU", "BOV", "VEF", "EURO", "eur", "ABC", "",
        ] {
            assert!(Currency::parse(code).is_err(), "{code}");
        }
    }

    #[test]
    fn amounts_show_with_two_decimals() {
        assert_eq!(money(1299, "USD").to_string(), "$12.99");
        assert_eq!(money(5, "EUR").to_string(), "€0.05");
        assert_eq!(money(-250, "GBP").to_string(), "-£2.50");
        assert_eq!(money(100000, "CHF").to_string(), "CHF 1000.00");
    }

    #[test]
    fn shares_round_half_up() {
        let share = |minor, bps| money(minor, "USD").share(bps).unwrap().minor();
        assert_eq!(share(1000, 2000), 200);
        assert_eq!(share(499, 2000), 100, "99.8 rounds to 100");
        assert_eq!(share(1, 5000), 1, "0.5 rounds up");
        assert_eq!(share(1, 4999), 0);
        assert_eq!(share(12345, 0), 0);
        assert_eq!(
            money(i64::MAX, "USD").share(20_000),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn parts_round_half_up() {
        let part = |minor, of, whole| money(minor, "USD").part(of, whole).unwrap().minor();
        assert_eq!(part(340, 1019, 2038), 170);
        assert_eq!(part(3, 1, 2), 2, "1.5 rounds up");
        assert_eq!(part(340, 2038, 2038), 340);
        assert_eq!(part(340, 5, 0), 0);
    }

    #[test]
    fn sums_stay_in_one_currency() {
        let usd = currency("USD");
        let lines = [money(1299, "USD"), money(1, "USD")];
        assert_eq!(Money::sum(&usd, &lines).unwrap(), money(1300, "USD"));
        assert_eq!(Money::sum(&usd, []).unwrap(), money(0, "USD"));
        let mixed = [money(1299, "USD"), money(1, "EUR")];
        assert_eq!(
            Money::sum(&usd, &mixed),
            Err(MoneyError::MixedCurrencies(currency("EUR"), usd.clone()))
        );
        assert_eq!(
            money(i64::MAX, "USD").checked_add(&money(1, "USD")),
            Err(MoneyError::Overflow)
        );
        assert_eq!(
            money(500, "GBP").checked_sub(&money(200, "GBP")).unwrap(),
            money(300, "GBP")
        );
    }

    #[test]
    fn currencies_are_iso_codes() {
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("US").is_err());
        assert!(Currency::parse("US$").is_err());
        let read: Result<Currency, _> = serde_json::from_str("\"EURO\"");
        assert!(read.is_err());
        let read: Currency = serde_json::from_str("\"EUR\"").unwrap();
        assert_eq!(serde_json::to_string(&read).unwrap(), "\"EUR\"");
    }
}
