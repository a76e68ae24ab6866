//! Requests the port refuses before reaching the engine.

use hostfront::store::{Query, TableError, Update};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, key};

conformance!(malformed_requests_are_rejected,);

async fn malformed_requests_are_rejected(f: TableFixture) {
    let invalid =
        |r: Result<(), TableError>| assert!(matches!(r, Err(TableError::Invalid(_))), "{r:?}");
    invalid(f.table.put(item(json!({"pk": "", "sk": "x"})), None).await);
    invalid(f.table.put(item(json!({"pk": "a"})), None).await);
    invalid(
        f.table
            .put(
                item(json!({"pk": "a", "sk": "b", "gsi1pk": 5, "gsi1sk": "x"})),
                None,
            )
            .await,
    );
    invalid(
        f.table
            .put(item(json!({"pk": "a", "sk": "b", "ttl": "tomorrow"})), None)
            .await,
    );
    let huge = "x".repeat(401 * 1024);
    invalid(
        f.table
            .put(item(json!({"pk": "a", "sk": "b", "blob": huge})), None)
            .await,
    );
    invalid(
        f.table
            .update(&key("a", "b"), Update::new().set("pk", "z"), None)
            .await
            .map(|_| ()),
    );
    invalid(
        f.table
            .update(&key("a", "b"), Update::new(), None)
            .await
            .map(|_| ()),
    );
    invalid(
        f.table
            .query(Query::partition("a").limit(0))
            .await
            .map(|_| ()),
    );
    assert_eq!(
        f.table.get(&key("a", "b")).await.unwrap(),
        None,
        "nothing was written"
    );
}
