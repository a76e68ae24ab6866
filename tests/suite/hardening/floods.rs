//! Floods a hostile client can send: logins that would hash passwords
//! without end, card numbers tried one after another, names hoarded with
//! unpaid orders.

use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use serde_json::json;

/// Twenty logins at once with room for one hash: one hash runs at a time,
/// and those that cannot start in time are told when to come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_hashing_is_bounded() {
    let app = App::embedded_with(|c| {
        c.hash_concurrency = 1;
        c.hash_wait_ms = 20;
    })
    .await;
    Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let login = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let logins = (0..20).map(|_| async {
        let response = hostfront_tests::http()
            .post(app.url("/api/login"))
            .json(&login)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.headers().get("retry-after").is_some(),
        )
    });
    let answers = futures::future::join_all(logins).await;
    assert_eq!(
        app.services.hasher.peak(),
        1,
        "never more hashes than allowed at once"
    );
    assert!(answers.iter().any(|a| *a == (503, true)), "{answers:?}");
    assert!(answers.iter().any(|(s, _)| *s == 200), "{answers:?}");
    assert!(
        answers.iter().all(|a| a.0 == 200 || *a == (503, true)),
        "{answers:?}"
    );
    app.shutdown().await.unwrap();
}
