//! Time as a port: the core never reads the system clock itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    /// Milliseconds since the Unix epoch, UTC.
    fn now_millis(&self) -> i64;

    fn now_secs(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }

    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp_nanos(self.now_millis() as i128 * 1_000_000)
            .expect("clock within the representable range")
    }
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// A clock that moves only when told to, for tests of expiry and scheduling.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    pub fn at_millis(millis: i64) -> Self {
        ManualClock(Arc::new(AtomicI64::new(millis)))
    }

    /// Starts at the system's current time.
    pub fn starting_now() -> Self {
        Self::at_millis(SystemClock.now_millis())
    }

    pub fn advance_secs(&self, secs: i64) {
        self.advance_millis(secs * 1000);
    }

    pub fn advance_millis(&self, millis: i64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// A time as RFC 3339 in UTC, the way the API and the table write times.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("any UTC time formats as RFC 3339")
}

/// A time as RFC 3339 in UTC with exactly three decimals, so that times
/// written this way sort as text in the order they happened.
pub fn rfc3339_millis(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .expect("any UTC time formats as RFC 3339")
}

/// `date` plus `months`, on the same day of the month or, where that month
/// is shorter, on its last day (31 January plus one month is 28 or 29 February).
pub fn add_months(date: time::Date, months: u32) -> time::Date {
    let index = date.year() * 12 + (date.month() as i32 - 1) + months as i32;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(month).expect("a month index modulo 12 is a month");
    let day = date.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day).expect("the day is clamped to the month")
}

/// `secs` (epoch seconds) plus `years` calendar years, at the same time of
/// day, as registries add them: 6 December stays 6 December across a leap
/// day, and 29 February becomes 28 February in a year without one.
pub fn add_years_secs(secs: i64, years: u32) -> i64 {
    let at =
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let date = add_months(at.date(), years * 12);
    at.replace_date(date).unix_timestamp()
}

/// A day as every mail shows it, naming its time zone: `6 December 2027 (UTC)`.
/// Mails go to people in many zones; a bare date would be read in theirs.
pub fn mail_day(date: time::Date) -> String {
    format!("{} {} {} (UTC)", date.day(), date.month(), date.year())
}

/// The UTC day of `secs` (epoch seconds), as `mail_day` shows it.
pub fn mail_day_of(secs: i64) -> String {
    mail_day(
        time::OffsetDateTime::from_unix_timestamp(secs)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .date(),
    )
}

/// A `YYYY-MM-DD` day as `mail_day` shows it; the text itself if it is none.
pub fn mail_day_text(text: &str) -> String {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_or_else(|_| text.to_string(), mail_day)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::add_months;

    #[test]
    fn months_are_added_on_the_same_day_or_the_last_of_a_shorter_month() {
        assert_eq!(add_months(date!(2026 - 03 - 15), 1), date!(2026 - 04 - 15));
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2028 - 01 - 31), 1), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 12 - 01), 1), date!(2027 - 01 - 01));
        assert_eq!(add_months(date!(2028 - 02 - 29), 12), date!(2029 - 02 - 28));
    }

    #[test]
    fn years_are_calendar_years_across_leap_days() {
        use super::add_years_secs;
        use time::macros::datetime;
        let secs = |at: time::OffsetDateTime| at.unix_timestamp();
        let december = secs(datetime!(2027-12-06 10:30 UTC));
        assert_eq!(
            add_years_secs(december, 1),
            secs(datetime!(2028-12-06 10:30 UTC))
        );
        assert_eq!(
            add_years_secs(december, 2),
            secs(datetime!(2029-12-06 10:30 UTC))
        );
        let leap = secs(datetime!(2028-02-29 00:00 UTC));
        assert_eq!(
            add_years_secs(leap, 1),
            secs(datetime!(2029-02-28 00:00 UTC))
        );
        assert_eq!(
            add_years_secs(leap, 4),
            secs(datetime!(2032-02-29 00:00 UTC))
        );
        assert_eq!(add_years_secs(december, 0), december);
    }

    #[test]
    fn mail_days_name_their_time_zone() {
        assert_eq!(
            super::mail_day(date!(2027 - 12 - 06)),
            "6 December 2027 (UTC)"
        );
        assert_eq!(super::mail_day_of(0), "1 January 1970 (UTC)");
        assert_eq!(super::mail_day_text("2028-02-29"), "29 February 2028 (UTC)");
    }
}
