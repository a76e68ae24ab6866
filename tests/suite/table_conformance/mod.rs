//! The `Table` port's contract, run against SQLite, against DynamoDB on moto and,
//! where no transaction is needed, against dynalite.

use hostfront::store::{Item, ItemExt, Key};
use serde_json::Value;

/// Runs each case on SQLite, on DynamoDB on moto, and on dynalite.
macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        on_engine!(sqlite, sqlite_table: $($case),*);
        on_engine!(dynamodb, dynamodb_table: $($case),*);
        on_engine!(dynalite, dynalite_table: $($case),*);
    };
}

/// Runs each case that needs transactions on SQLite and on DynamoDB on moto
/// (dynalite has no transactions).
macro_rules! transactional_conformance {
    ($($case:ident),* $(,)?) => {
        on_engine!(sqlite, sqlite_table: $($case),*);
        on_engine!(dynamodb, dynamodb_table: $($case),*);
    };
}

macro_rules! on_engine {
    ($engine:ident, $fixture:ident: $($case:ident),*) => {
        mod $engine {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::$fixture().await).await }
            )*
        }
    };
}

mod concurrent_writers;
mod dynalite;
mod expiry_and_batches;
mod items;
mod limits;
mod malformed;
mod queries;
mod transactions;

pub(crate) fn item(value: Value) -> Item {
    value.as_object().expect("an object").clone()
}

pub(crate) fn key(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

pub(crate) fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.str_attr("sk").unwrap().to_string())
        .collect()
}
