//! What members of staff do for themselves: see the sessions they have open
//! and end them, change their password, and move their authenticator to a
//! new device; and what an admin does for a member who lost theirs.
//! Anything that changes a secret asks for the password and a code again,
//! counted against the same wrong tries as a login.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::{lasts, session_key, sessions_of};
use crate::staff::{StaffError, StaffMember};
use crate::store::{Index, Item, ItemExt, Key, Query, TableError, TxOp, all_items};
use crate::{Storage, clock};

/// A session of the member's, as they see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnSession {
    /// Its public id (never the token).
    pub id: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    pub last_seen_at: String,
    /// The address it was opened from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The session this request came in.
    pub current: bool,
}

/// The member's sessions that still last, as stored (the newest last).
async fn open_sessions(ports: &impl Storage, staff_id: &str) -> Result<Vec<Item>, TableError> {
    let now = ports.clock().now_secs();
    let items = all_items(
        ports.table(),
        Query::index(Index::Gsi1, sessions_of(staff_id)),
    )
    .await?;
    Ok(items.into_iter().filter(|s| lasts(s, now)).collect())
}

fn shown(session: &Item, current: &Key) -> OwnSession {
    let at = |attribute: &str| {
        let secs = session.i64_attr(attribute).unwrap_or(0);
        clock::rfc3339(
            time::OffsetDateTime::from_unix_timestamp(secs)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        )
    };
    OwnSession {
        id: session
            .str_attr("session_id")
            .unwrap_or_default()
            .to_string(),
        started_at: at("started"),
        last_seen_at: at("last_seen"),
        client: session.str_attr("client").map(str::to_string),
        current: Key::of(session).is_ok_and(|k| k == *current),
    }
}

/// The member's open sessions, the one of `token` marked current.
pub async fn sessions(
    ports: &impl Storage,
    member: &StaffMember,
    token: &str,
) -> Result<Vec<OwnSession>, StaffError> {
    let current = session_key(token);
    Ok(open_sessions(ports, &member.id)
        .await?
        .iter()
        .map(|s| shown(s, &current))
        .collect())
}

/// Ends the member's sessions that `which` picks; how many ended.
async fn end_where(
    ports: &impl Storage,
    member: &StaffMember,
    which: impl Fn(&Item) -> bool,
) -> Result<usize, StaffError> {
    let ended: Vec<TxOp> = open_sessions(ports, &member.id)
        .await?
        .iter()
        .filter(|s| which(s))
        .filter_map(|s| Key::of(s).ok())
        .map(|key| TxOp::Delete {
            key,
            condition: None,
        })
        .collect();
    let count = ended.len();
    for chunk in ended.chunks(crate::store::MAX_TRANSACTION_OPS) {
        ports.table().transact(chunk.to_vec()).await?;
    }
    Ok(count)
}

/// Ends the member's session `id`; false when they have no such session.
pub async fn end_session(
    ports: &impl Storage,
    member: &StaffMember,
    id: &str,
) -> Result<bool, StaffError> {
    Ok(end_where(ports, member, |s| s.str_attr("session_id") == Some(id)).await? > 0)
}

/// Ends every session of the member but the one of `token`; how many.
pub async fn end_other_sessions(
    ports: &impl Storage,
    member: &StaffMember,
    token: &str,
) -> Result<usize, StaffError> {
    let current = session_key(token);
    end_where(ports, member, |s| Key::of(s).is_ok_and(|k| k != current)).await
}

/// Ends every session of the member (an admin reset their authenticator).
pub(super) async fn end_all_sessions(
    ports: &impl Storage,
    member: &StaffMember,
) -> Result<usize, StaffError> {
    end_where(ports, member, |_| true).await
}

/// The password and a code, asked again before a secret changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reauthentication {
    pub password: String,
    /// Six digits from the authenticator app, or a recovery code.
    pub code: String,
}
