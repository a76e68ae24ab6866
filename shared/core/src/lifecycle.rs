//! Lifecycles as data. A record with a lifecycle (an order, a service, a
//! domain) has a status type that lists its allowed moves in one table, each
//! with the name it is recorded under. Every status change goes through
//! `Change`, which writes the move and its audit entry in one transaction,
//! guarded by the status the record had; a move not in the table is a typed
//! error (409 at the API).

use std::fmt::Debug;

use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::CustomerId;
use crate::audit::{Actor, AuditEntry};
use crate::store::{Condition, Key, Table, TableError, Tx, TxError, TxOp, Update};

/// The status of a record with a lifecycle.
pub trait Status: Copy + Eq + Serialize + Debug + Send + Sync + 'static {
    /// What the record is called in audit subjects: `order`.
    const RECORD: &'static str;
    /// The record with its article, for messages: `an order`.
    const NOUN: &'static str;
    /// Every allowed move: from, to, and the action it is recorded as.
    const TRANSITIONS: &'static [(Self, Self, &'static str)];

    /// The status's name on the wire and in the table: its serde name, so
    /// the two can never disagree.
    fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("a status is a unit variant")
    }

    /// The action a move from `from` to `to` is recorded as, if it is allowed.
    fn action(from: Self, to: Self) -> Option<&'static str> {
        Self::TRANSITIONS
            .iter()
            .find(|(f, t, _)| *f == from && *t == to)
            .map(|(_, _, action)| *action)
    }

    /// The move from `from` to `to`, or why it is not allowed.
    fn check(from: Self, to: Self) -> Result<&'static str, InvalidTransition> {
        Self::action(from, to).ok_or(InvalidTransition {
            noun: Self::NOUN,
            from: from.as_str(),
            to: to.as_str(),
        })
    }
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{noun} that is {from} cannot become {to}")]
pub struct InvalidTransition {
    pub noun: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

/// The record a change is made to.
pub struct Subject {
    pub key: Key,
    pub id: String,
    /// Whose record it is, so the audit log finds it by customer.
    pub customer_id: Option<CustomerId>,
}

/// A status change about to be made.
pub struct Change<S: Status> {
    pub subject: Subject,
    pub from: S,
    pub to: S,
    /// Other attributes of the record set in the same write.
    pub update: Update,
    pub actor: Actor,
    pub why: String,
    /// Also require that nothing else wrote the record since it was read at
    /// this version.
    pub unchanged_since: Option<i64>,
    /// The address of the client staff acted from.
    pub client: Option<String>,
    /// The staff member's role, when staff made the change.
    pub role: Option<String>,
    /// Other writes that go with the change (the dashboard's counters).
    pub also: Vec<TxOp>,
}

/// The record was no longer in the status the change was made from:
/// another request moved it first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovedOn;

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Invalid(#[from] InvalidTransition),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl<S: Status> Change<S> {
    /// A move of the record `subject` (owned by `customer_id`) from `from`
    /// to `to`, recorded as `actor`'s because of `why`.
    pub fn of(
        (key, id, customer_id): (Key, String, &CustomerId),
        from: S,
        to: S,
        update: Update,
        actor: Actor,
        why: &str,
    ) -> Self {
        Change {
            subject: Subject {
                key,
                id,
                customer_id: Some(customer_id.clone()),
            },
            from,
            to,
            update,
            actor,
            why: why.into(),
            unchanged_since: None,
            client: None,
            role: None,
            also: Vec::new(),
        }
    }

    /// The same change, made by a member of staff with `role` from `client`'s address.
    pub fn by_staff(mut self, role: &str, client: &str) -> Self {
        self.role = Some(role.to_string());
        self.client = Some(client.to_string());
        self
    }

    /// Adds the change to `tx`: the record's new status and a bumped
    /// version, guarded by the status it had (a failed guard is `reason`),
    /// and the audit entry.
    pub fn add_to<R: Copy>(
        self,
        tx: &mut Tx<R>,
        reason: R,
        now: OffsetDateTime,
    ) -> Result<(), InvalidTransition> {
        let action = S::check(self.from, self.to)?;
        let update = self.update.set("status", json!(self.to)).bump_version();
        let mut condition = Condition::eq("status", json!(self.from));
        if let Some(version) = self.unchanged_since {
            condition = condition.and(Condition::VersionIs(version));
        }
        tx.guard(
            reason,
            TxOp::Update {
                key: self.subject.key,
                update,
                condition: Some(condition),
            },
        );
        tx.push(
            AuditEntry {
                at: crate::clock::rfc3339_millis(now),
                actor: self.actor,
                subject: format!("{}:{}", S::RECORD, self.subject.id),
                customer_id: self.subject.customer_id,
                action: action.into(),
                from: Some(self.from.as_str().into()),
                to: Some(self.to.as_str().into()),
                why: self.why,
                client: self.client,
                role: self.role,
            }
            .put_op(),
        );
        tx.extend(self.also);
        Ok(())
    }

    /// Makes the change on its own; false when the record had moved on.
    pub async fn apply(self, table: &dyn Table, now: OffsetDateTime) -> Result<bool, ChangeError> {
        let mut tx = Tx::new();
        self.add_to(&mut tx, MovedOn, now)?;
        match tx.commit(table).await {
            Ok(()) => Ok(true),
            Err(TxError::Refused(MovedOn)) => Ok(false),
            Err(TxError::Table(error)) => Err(error.into()),
        }
    }
}

/// Checks a lifecycle's table: no move listed twice, and nothing leaves a
/// final status. For each lifecycle's unit tests.
pub fn assert_well_formed<S: Status>(finals: &[S]) {
    for (i, (from, to, _)) in S::TRANSITIONS.iter().enumerate() {
        assert!(
            !S::TRANSITIONS[i + 1..]
                .iter()
                .any(|(f, t, _)| f == from && t == to),
            "{from:?} to {to:?} twice"
        );
    }
    for done in finals {
        assert!(
            S::TRANSITIONS.iter().all(|(from, _, _)| from != done),
            "{done:?} is final"
        );
    }
}
