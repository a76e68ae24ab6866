//! Staff sessions: eight hours at most, ended by thirty idle minutes; a
//! request keeps one alive.

use crate::Storage;
use crate::hashing::digest;
use crate::staff::{StaffError, StaffMember, profile};
use crate::store::{Condition, Item, ItemExt, Key, TableError, Update};

pub const SESSION_SECS: i64 = 8 * 3600;
pub const IDLE_SECS: i64 = 30 * 60;
/// How stale `last_seen` may get before a request writes it again.
const TOUCH_EVERY_SECS: i64 = 60;

fn session_key(token: &str) -> Key {
    Key::new(format!("STAFFSESSION#{}", digest(token)), "SESSION")
}

/// The item of a session of member `staff_id` that starts `now`, under `token`.
pub(super) fn session_item(token: &str, staff_id: &str, now: i64) -> Item {
    let mut session = session_key(token).to_item();
    session.insert("kind".into(), "staff_session".into());
    session.insert("staff_id".into(), staff_id.into());
    session.insert("started".into(), now.into());
    session.insert("last_seen".into(), now.into());
    session.insert("ttl".into(), (now + SESSION_SECS).into());
    session
}

/// The member a staff session belongs to, while it lasts and is not idle;
/// a request now keeps it alive.
pub async fn session_member(ports: &impl Storage, token: &str) -> Result<StaffMember, StaffError> {
    let key = session_key(token);
    let session = ports
        .table()
        .get(&key)
        .await?
        .ok_or(StaffError::NotLoggedIn)?;
    let now = ports.clock().now_secs();
    let last_seen = session.i64_attr("last_seen").unwrap_or(0);
    if now - last_seen > IDLE_SECS {
        ports.table().delete(&key, None).await?;
        return Err(StaffError::NotLoggedIn);
    }
    let id = session
        .str_attr("staff_id")
        .ok_or(StaffError::NotLoggedIn)?;
    let (member, _) = profile(ports.table(), id)
        .await?
        .ok_or(StaffError::NotLoggedIn)?;
    if member.disabled {
        return Err(StaffError::NotLoggedIn);
    }
    if now - last_seen >= TOUCH_EVERY_SECS {
        let touch = Update::new().set("last_seen", now);
        match ports
            .table()
            .update(&key, touch, Some(Condition::Exists))
            .await
        {
            Ok(_) | Err(TableError::ConditionFailed) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(member)
}

/// Ends a staff session; one already gone is fine.
pub async fn logout(ports: &impl Storage, token: &str) -> Result<(), StaffError> {
    ports.table().delete(&session_key(token), None).await?;
    Ok(())
}
