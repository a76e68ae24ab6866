//! What the EPP adapter remembers of its transform commands, by idempotency
//! key, in the table (`EPP#<key>`): that a command was sent, and once the
//! registry answered, the answer. A retry returns the answer; a retry of a
//! command whose answer never came (the connection dropped mid-command, the
//! worker stopped) looks at the registry before it sends anything again.

use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use hostfront_core::clock::Clock;
use hostfront_core::registrar::RegistrarError;
use hostfront_core::store::{Condition, ItemExt, Key, Table, TableError, Update};

pub(super) struct Journal {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
}

/// What the journal knows of a key.
pub(super) enum Entry<T> {
    /// Never sent.
    New,
    /// Sent; the registry's answer never arrived.
    InDoubt,
    /// Answered.
    Done(T),
}

fn key_of(idempotency_key: &str) -> Key {
    Key::new(format!("EPP#{idempotency_key}"), "OP")
}

fn backend(error: TableError) -> RegistrarError {
    RegistrarError::Unavailable(format!("EPP journal: {error}"))
}

impl Journal {
    pub(super) fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Journal {
        Journal { table, clock }
    }

    /// The entry of `key`, which must name `domain`.
    pub(super) async fn entry<T: DeserializeOwned>(
        &self,
        key: &str,
        domain: &str,
    ) -> Result<Entry<T>, RegistrarError> {
        let Some(item) = self.table.get(&key_of(key)).await.map_err(backend)? else {
            return Ok(Entry::New);
        };
        if item.str_attr("domain") != Some(domain) {
            return Err(RegistrarError::Refused {
                code: "idempotency_key_reused".into(),
                message: "that idempotency key was used for another domain".into(),
            });
        }
        match item.get("result") {
            Some(result) if !result.is_null() => serde_json::from_value(result.clone())
                .map(Entry::Done)
                .map_err(|e| RegistrarError::Unavailable(format!("corrupt EPP journal: {e}"))),
            _ => Ok(Entry::InDoubt),
        }
    }

    /// Notes that the command of `key` is about to be sent.
    pub(super) async fn sending(&self, key: &str, domain: &str) -> Result<(), RegistrarError> {
        let mut item = key_of(key).to_item();
        item.insert("domain".into(), domain.into());
        item.insert("at".into(), self.clock.now_secs().into());
        match self.table.put(item, None).await {
            Ok(()) => Ok(()),
            Err(error) => Err(backend(error)),
        }
    }

    /// Records the registry's answer to the command of `key`.
    pub(super) async fn answered<T: Serialize>(
        &self,
        key: &str,
        answer: &T,
    ) -> Result<(), RegistrarError> {
        let answer = serde_json::to_value(answer).expect("answers serialise");
        self.table
            .update(
                &key_of(key),
                Update::new().set("result", answer),
                Some(Condition::Exists),
            )
            .await
            .map(|_| ())
            .map_err(backend)
    }
}
