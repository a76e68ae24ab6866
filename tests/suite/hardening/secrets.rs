//! Secrets customers hand over are sealed, kept apart from their order, shown
//! once, and gone once used.

use hostfront::adapters::sim::APPROVED;
use hostfront::adapters::sim::auth_code_for;
use hostfront::store::{ItemExt, Key};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::json;

fn order_key(customer_id: &str, order_id: &str) -> Key {
    Key::new(
        format!("CUSTOMER#{customer_id}"),
        format!("ORDER#{order_id}"),
    )
}

fn secrets_key(order_id: &str) -> Key {
    Key::new(format!("ORDER#{order_id}"), "SECRETS")
}

on_both_engines!(sealed_secrets: sealed_secrets_embedded, sealed_secrets_cloud);

async fn sealed_secrets(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, me) = ada.get("/api/me").await;
    let customer = me["id"].as_str().unwrap();

    // The account password cannot be the panel password.
    let mut reused = hosting("subdomain", &fresh_username(), &fresh_username());
    reused["password"] = json!("correct horse battery");
    let (status, error) = ada.order(reused).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("password_reused"))
    );

    let code = auth_code_for("facebook.com");
    let body = json!({"plan_id": "web-starter", "cycle": "monthly", "username": fresh_username(), "password": "sourdough starter rises",
        "domain": {"action": "transfer", "name": "facebook.com", "auth_code": code}});
    let (status, order) = ada
        .post("/api/orders", body.clone(), Some("secret-key-1"))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    let table = app.ports.table.clone();
    let stored = table.get(&order_key(customer, id)).await.unwrap().unwrap();
    let text = serde_json::to_string(&stored).unwrap();
    assert!(
        !text.contains("sourdough") && !text.contains(&code),
        "nothing secret on the order: {text}"
    );
    let secrets = table.get(&secrets_key(id)).await.unwrap().unwrap();
    let text = serde_json::to_string(&secrets).unwrap();
    assert!(
        !text.contains("sourdough") && !text.contains(&code),
        "sealed: {text}"
    );
    assert!(
        secrets.str_attr("panel_password").is_some() && secrets.str_attr("auth_code").is_some()
    );
    assert!(
        secrets.i64_attr("ttl").is_some(),
        "it lapses with the unpaid hold"
    );

    // Used, then gone.
    ada.pay(id, APPROVED, "GB").await;
    ada.wait_for(id, "active").await;
    let secrets = table.get(&secrets_key(id)).await.unwrap().unwrap();
    assert!(
        secrets.str_attr("panel_password").is_none() && secrets.str_attr("auth_code").is_none(),
        "{secrets:?}"
    );

    // A generated password is shown in the first answer only, never on a replay.
    let generated = json!({"plan_id": "web-starter", "cycle": "monthly", "username": fresh_username(), "generate_password": true,
        "domain": {"action": "subdomain", "name": fresh_username()}});
    let (status, first) = ada
        .post("/api/orders", generated.clone(), Some("secret-key-2"))
        .await;
    assert_eq!(
        (status, first["generated_password"].as_str().map(str::len)),
        (201, Some(20))
    );
    let (status, replay) = ada
        .post("/api/orders", generated, Some("secret-key-2"))
        .await;
    assert_eq!(
        (status, replay.get("generated_password")),
        (200, None),
        "{replay}"
    );
}

/// On the embedded engine nothing secret reaches the database file in the clear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_file_holds_no_secret_in_the_clear() {
    let app = App::embedded().await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let password = format!("unguessable {}", fresh_username());
    let mut body = hosting("subdomain", &fresh_username(), &fresh_username());
    body["password"] = json!(password);
    let (status, _) = ada.order(body).await;
    assert_eq!(status, 201);
    let data = app.data_dir();
    for file in ["hostfront.sqlite3", "hostfront.sqlite3-wal"] {
        let bytes = std::fs::read(data.join(file)).unwrap_or_default();
        let found = bytes
            .windows(password.len())
            .any(|w| w == password.as_bytes());
        assert!(!found, "{file} holds the panel password in the clear");
    }
    app.shutdown().await.unwrap();
}

on_both_engines!(mailed_tokens_are_not_stored: mailed_tokens_are_not_stored_embedded, mailed_tokens_are_not_stored_cloud);

/// A signup link's token goes to the mailbox only: the table's copy of the
/// mail (and so its backups) withholds it, and the link still works.
async fn mailed_tokens_are_not_stored(app: &App) {
    let email = format!("{}@example.com", fresh_username());
    let signup = json!({"email": email, "password": "a long enough password", "name": "Ada", "country": "GB"});
    let (status, _) = app.post_with("/api/signup", &signup, &[]).await;
    assert_eq!(status, 202);
    let token = hostfront_tests::verification_token(&app.ports, &email).await;
    let stored = app
        .ports
        .table
        .query(hostfront::store::Query::partition("OUTBOX"))
        .await
        .unwrap();
    let text = serde_json::to_string(&stored.items).unwrap();
    assert!(text.contains(&email), "the mail is recorded");
    assert!(!text.contains(&token), "no stored mail holds the token");
    assert!(text.contains(hostfront::mail::WITHHELD));
    let (status, _) = app
        .post_with("/api/verify-email", &json!({"token": token}), &[])
        .await;
    assert_eq!(status, 201, "the mailed link works");
}

#[test]
fn the_development_mailbox_is_on_only_with_the_development_tools() {
    use hostfront::settings::{MailChoice, Settings};
    let plain = Settings::from_lookup(|_| None).unwrap();
    assert_eq!(plain.adapters.mail, MailChoice::Record);
    let dev = Settings::from_lookup(|name| (name == "HOSTFRONT_DEV_TOOLS").then(|| "true".into()))
        .unwrap();
    assert_eq!(dev.adapters.mail, MailChoice::Outbox);
}
