//! The second step of a login with two-step login on: the password gives a
//! ticket (no session yet), good for five minutes and five codes; a code of
//! the authenticator app, or a recovery code, then starts the session. A
//! code or a recovery code is good once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::repo::{self, customer_of, digest};
use super::super::{AccountError, Customer, SESSION_DAYS, random_token};
use super::{prove_code, spend_op};
use crate::store::{Condition, ItemExt, Key, TableError, TxOp, Update};
use crate::{CustomerId, Sealing, Storage};

/// How long a ticket lasts.
pub const TICKET_SECS: i64 = 300;
/// Wrong codes a ticket takes before it ends (log in again).
pub const TICKET_TRIES: i64 = 5;

/// The password was right; a code is needed to finish.
#[derive(Debug, Serialize, ToSchema)]
pub struct LoginTicket {
    /// `totp`.
    pub second_factor: &'static str,
    /// For `POST /api/login/totp`, within five minutes.
    pub ticket: String,
}

/// The second step of a login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondStep {
    pub ticket: String,
    /// Six digits from the authenticator app.
    #[serde(default)]
    pub code: Option<String>,
    /// One of the recovery codes, instead of `code`.
    #[serde(default)]
    pub recovery_code: Option<String>,
}

/// What a right password leads to.
pub enum LoggedIn {
    /// A session; with `must_enrol`, it can only turn on two-step login.
    Session {
        customer: Box<Customer>,
        token: String,
        must_enrol: bool,
    },
    /// Two-step login is on: a code is needed (`finish_login`).
    SecondStep(LoginTicket),
}

fn ticket_key(ticket: &str) -> Key {
    Key::new(format!("LOGINTICKET#{}", digest(ticket)), "TICKET")
}

/// A ticket for the second step of `customer_id`'s login.
pub async fn open_ticket(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<LoginTicket, AccountError> {
    let ticket = random_token();
    let mut item = ticket_key(&ticket).to_item();
    item.insert("kind".into(), "login_ticket".into());
    item.insert("customer_id".into(), customer_id.into());
    item.insert("tries".into(), 0.into());
    item.insert(
        "ttl".into(),
        (ports.clock().now_secs() + TICKET_SECS).into(),
    );
    ports.table().put(item, Some(Condition::NotExists)).await?;
    Ok(LoginTicket {
        second_factor: "totp",
        ticket,
    })
}

/// Finishes a login with its ticket and a code; the customer and the new
/// session's token. A wrong code counts against the ticket.
pub async fn finish_login(
    ports: &(impl Storage + Sealing),
    request: SecondStep,
) -> Result<(Customer, String), AccountError> {
    let key = ticket_key(&request.ticket);
    let now = ports.clock().now_secs();
    let ticket = ports.table().get(&key).await?;
    let Some(ticket) = ticket.filter(|t| !t.is_expired(now)) else {
        return Err(AccountError::TicketGone);
    };
    let id = CustomerId::new(ticket.str_attr("customer_id").unwrap_or_default());
    let profile = ports
        .table()
        .get(&repo::customer_key(&id))
        .await?
        .ok_or(AccountError::TicketGone)?;
    let code = request.code.or(request.recovery_code).unwrap_or_default();
    let used = match prove_code(ports, &id, &profile, &code).await {
        Ok(Some(used)) => used,
        Ok(None) => return Err(AccountError::TicketGone),
        Err(AccountError::WrongCode) => return Err(wrong_try(ports, key, &ticket).await),
        Err(other) => return Err(other),
    };
    let (spend, _) = spend_op(&id, &profile, used);
    let token = random_token();
    let (session, fresh) = repo::create_session_op(
        &token,
        &id,
        ports.clock().now_millis(),
        now + SESSION_DAYS * 86_400,
    );
    let ops = vec![
        spend,
        TxOp::Delete {
            key,
            condition: Some(Condition::Exists),
        },
        TxOp::Put {
            item: session,
            condition: Some(fresh),
        },
    ];
    match ports.table().transact(ops).await {
        Ok(()) => Ok((customer_of(&profile)?, token)),
        // The code or the ticket was used meanwhile.
        Err(TableError::TransactionConflict { .. }) => Err(AccountError::WrongCode),
        Err(other) => Err(other.into()),
    }
}

/// Counts a wrong code against the ticket, which ends at the last try.
async fn wrong_try(ports: &impl Storage, key: Key, ticket: &crate::store::Item) -> AccountError {
    let tries = ticket.i64_attr("tries").unwrap_or(0) + 1;
    let written = if tries >= TICKET_TRIES {
        ports.table().delete(&key, None).await.map(|_| ())
    } else {
        let update = Update::new().add("tries", 1);
        ports
            .table()
            .update(&key, update, Some(Condition::Exists))
            .await
            .map(|_| ())
    };
    match written {
        Ok(()) | Err(TableError::ConditionFailed) => AccountError::WrongCode,
        Err(other) => other.into(),
    }
}
