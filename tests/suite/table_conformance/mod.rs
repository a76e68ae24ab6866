//! The `Table` port's contract, run against SQLite and against DynamoDB on moto.

use hostfront::store::{Item, ItemExt, Key};
use serde_json::Value;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::sqlite_table().await).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::dynamodb_table().await).await }
            )*
        }
    };
}

mod expiry_and_batches;
mod items;
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
