//! Dunning: a charge without the customer (a service's period, a domain's
//! automatic renewal) that fails is tried again on the dunning days, counted
//! from its due date, and given up after the last.

const DAY: i64 = 86_400;

/// When try `attempt + 1` is due (epoch seconds), after try `attempt` of a
/// charge due at `due` failed; None when that was the last.
pub fn next_try(dunning_days: &[i64], attempt: u32, due: i64) -> Option<i64> {
    dunning_days
        .get(attempt as usize)
        .map(|days| due + days * DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_failed_try_is_followed_by_the_next_dunning_day_until_the_last() {
        let days = [0, 3, 7];
        assert_eq!(next_try(&days, 1, 0), Some(3 * DAY));
        assert_eq!(next_try(&days, 2, 0), Some(7 * DAY));
        assert_eq!(next_try(&days, 3, 0), None);
    }
}
