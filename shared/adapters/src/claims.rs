//! A claim on a piece of work, kept in the table, so that of the calls
//! doing it at once (retries of one job) one does it while the others
//! wait for its result. A claim left by a process that died lapses.

use hostfront_core::store::{Condition, Key, Table, TableError};

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Claims `key` for `holder` for `seconds`: false while another holds it.
pub async fn claim(
    table: &dyn Table,
    key: Key,
    holder: &str,
    seconds: i64,
) -> Result<bool, TableError> {
    let now = unix_now();
    let mut claim = key.to_item();
    claim.insert("kind".into(), "claim".into());
    claim.insert("holder".into(), holder.into());
    claim.insert("until".into(), (now + seconds).into());
    let free = Condition::NotExists.or(Condition::lt("until", now));
    match table.put(claim, Some(free)).await {
        Ok(()) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Ends `holder`'s claim on `key`; one that lapsed and was taken stays.
pub async fn unclaim(table: &dyn Table, key: &Key, holder: &str) -> Result<(), TableError> {
    let mine = Condition::eq("holder", holder);
    match table.delete(key, Some(mine)).await {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}
