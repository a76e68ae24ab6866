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

pub(super) fn session_key(token: &str) -> Key {
    Key::new(format!("STAFFSESSION#{}", digest(token)), "SESSION")
}

/// The partition of gsi1 that lists a member's sessions.
pub(super) fn sessions_of(staff_id: &str) -> String {
    format!("STAFFSESSIONS#{staff_id}")
}

/// The item of a session of member `staff_id` that starts `now`, under
/// `token`, from `client`; listed among the member's own by a public id.
pub(super) fn session_item(token: &str, staff_id: &str, now: i64, client: &str) -> Item {
    let mut session = session_key(token).to_item();
    let id = ulid::Ulid::new().to_string();
    session.insert("kind".into(), "staff_session".into());
    session.insert("staff_id".into(), staff_id.into());
    session.insert("started".into(), now.into());
    session.insert("last_seen".into(), now.into());
    session.insert("client".into(), client.into());
    session.insert("gsi1pk".into(), sessions_of(staff_id).into());
    session.insert("gsi1sk".into(), id.clone().into());
    session.insert("session_id".into(), id.into());
    session.insert("ttl".into(), (now + SESSION_SECS).into());
    session
}

/// Whether a session item is still good at `now`: not past its eight
/// hours, nor idle too long.
pub(super) fn lasts(session: &Item, now: i64) -> bool {
    let last_seen = session.i64_attr("last_seen").unwrap_or(0);
    let ends = session.i64_attr("ttl").unwrap_or(0);
    now - last_seen <= IDLE_SECS && now < ends
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
    if !lasts(&session, now) {
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
