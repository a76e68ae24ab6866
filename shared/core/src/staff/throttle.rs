//! How staff logins are slowed after wrong tries, so that guessing is slow,
//! a stranger cannot lock a member out, and nobody learns who is staff (the
//! OWASP authentication cheat sheet: throttle per account and per client,
//! lock no account for everyone). Tries are counted by email whether or not
//! a member has it, so every email answers alike:
//!
//! - per email and client address: five wrong tries in a row lock that
//!   client out of that email for fifteen minutes (429 `locked_out`);
//! - per email, across clients: after five wrong tries in a row, a client
//!   waits before its next try, twice as long after each further wrong try,
//!   up to fifteen minutes (429 `login_throttled`). A client the member
//!   logged in from before does not wait, so a stranger elsewhere can slow
//!   strangers down but never keeps the member out of their own client.
//!
//! A good login clears both counts. Items (by a digest of the email, so an
//! unknown email is stored unreadably): `STAFFLOGIN#<sha256>` / `EMAIL` with
//! `failures` and `next_at`, and `STAFFLOGIN#<sha256>` / `CLIENT#<address>`
//! with `failures`, `locked_until` and `trusted`.

use super::StaffError;
use crate::hashing::digest;
use crate::store::{ItemExt, Key, Table, TableError, TxOp, Update};

/// Wrong tries in a row that lock one client out of one email.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT_SECS: i64 = 15 * 60;
/// Wrong tries in a row, from anywhere, after which clients wait.
const SLOW_DOWN_AFTER: i64 = 5;
/// The longest wait between tries on one email.
const MAX_DELAY_SECS: i64 = 15 * 60;
/// How long a client stays known as the member's, and a count is kept.
const KEEP_SECS: i64 = 90 * 24 * 3600;

/// The seconds a client waits after `failures` wrong tries in a row on an email.
pub fn delay_after(failures: i64) -> i64 {
    match failures - SLOW_DOWN_AFTER {
        ..0 => 0,
        doublings => 1i64
            .checked_shl(doublings.min(30) as u32)
            .unwrap_or(i64::MAX)
            .min(MAX_DELAY_SECS),
    }
}

/// The counts of one email, as seen from one client.
pub struct Tries {
    email: Key,
    pair: Key,
}

/// A wrong try, counted: how many in a row from this client, and the answer.
pub struct Failure {
    pub in_a_row: i64,
    pub error: StaffError,
}

impl Tries {
    /// The counts of `email` from `client`, if a try may be made now;
    /// otherwise the refusal, the same for every email.
    pub async fn admit(
        table: &dyn Table,
        email: &str,
        client: &str,
        now: i64,
    ) -> Result<Tries, StaffError> {
        let partition = format!("STAFFLOGIN#{}", digest(email));
        let tries = Tries {
            email: Key::new(partition.clone(), "EMAIL"),
            pair: Key::new(partition, format!("CLIENT#{client}")),
        };
        let (pair, email) = tokio::try_join!(table.get(&tries.pair), table.get(&tries.email))?;
        let pair = pair.unwrap_or_default();
        if let Some(until) = pair.i64_attr("locked_until").filter(|u| *u > now) {
            return Err(StaffError::LockedOut {
                seconds: until - now,
            });
        }
        let trusted = pair.get("trusted").and_then(|t| t.as_bool()) == Some(true);
        let next = email.and_then(|e| e.i64_attr("next_at")).unwrap_or(0);
        if !trusted && next > now {
            return Err(StaffError::SlowDown {
                seconds: next - now,
            });
        }
        Ok(tries)
    }

    /// Counts a wrong try at `now`; the error to answer with.
    pub async fn failed(&self, table: &dyn Table, now: i64) -> Result<Failure, TableError> {
        let counted = || Update::new().add("failures", 1).set("ttl", now + KEEP_SECS);
        let (pair, email) = tokio::try_join!(
            table.update(&self.pair, counted(), None),
            table.update(&self.email, counted(), None)
        )?;
        let in_a_row = pair.i64_attr("failures").unwrap_or(1);
        let delay = delay_after(email.i64_attr("failures").unwrap_or(1));
        if delay > 0 {
            let wait = Update::new().set("next_at", now + delay);
            table.update(&self.email, wait, None).await?;
        }
        if in_a_row < MAX_FAILED_LOGINS {
            return Ok(Failure {
                in_a_row,
                error: StaffError::BadCredentials,
            });
        }
        let lock = Update::new()
            .set("failures", 0)
            .set("locked_until", now + LOCKOUT_SECS);
        table.update(&self.pair, lock, None).await?;
        Ok(Failure {
            in_a_row,
            error: StaffError::LockedOut {
                seconds: LOCKOUT_SECS,
            },
        })
    }

    /// Counts a try at a secret before the secret is checked, so that a
    /// burst of tries cannot all pass `admit` before any of them is counted.
    /// Refused when this client is locked out, or when this try is past the
    /// limit (which locks it out); else the try's number in a row.
    pub async fn count_first(&self, table: &dyn Table, now: i64) -> Result<i64, StaffError> {
        let counted = Update::new().add("failures", 1).set("ttl", now + KEEP_SECS);
        let pair = table.update(&self.pair, counted, None).await?;
        if let Some(until) = pair.i64_attr("locked_until").filter(|u| *u > now) {
            return Err(StaffError::LockedOut {
                seconds: until - now,
            });
        }
        let in_a_row = pair.i64_attr("failures").unwrap_or(1);
        if in_a_row > MAX_FAILED_LOGINS {
            return Err(self.lock(table, now).await?);
        }
        Ok(in_a_row)
    }

    /// A try counted first (`count_first`) was wrong: the last one allowed
    /// locks this client out.
    pub async fn counted_wrong(
        &self,
        table: &dyn Table,
        now: i64,
        in_a_row: i64,
    ) -> Result<Failure, TableError> {
        let error = match in_a_row >= MAX_FAILED_LOGINS {
            true => self.lock(table, now).await?,
            false => StaffError::BadCredentials,
        };
        Ok(Failure { in_a_row, error })
    }

    async fn lock(&self, table: &dyn Table, now: i64) -> Result<StaffError, TableError> {
        let lock = Update::new()
            .set("failures", 0)
            .set("locked_until", now + LOCKOUT_SECS);
        table.update(&self.pair, lock, None).await?;
        Ok(StaffError::LockedOut {
            seconds: LOCKOUT_SECS,
        })
    }

    /// For a good login's transaction: both counts cleared, and this client
    /// known as the member's.
    pub fn succeeded_ops(&self, now: i64) -> [TxOp; 2] {
        let clear = |key: &Key, update: Update| TxOp::Update {
            key: key.clone(),
            update: update.set("failures", 0).set("ttl", now + KEEP_SECS),
            condition: None,
        };
        [
            clear(&self.email, Update::new().remove("next_at")),
            clear(
                &self.pair,
                Update::new().remove("locked_until").set("trusted", true),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_five_wrong_tries_up_to_fifteen_minutes() {
        let waits: Vec<i64> = (1..=16).map(delay_after).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
        );
        assert_eq!(delay_after(i64::MAX), MAX_DELAY_SECS);
    }
}
