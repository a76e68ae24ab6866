//! A customer's data, over HTTP on both engines: the download of
//! everything held about them, and the erasure of their account.

use hostfront::CustomerId;
use hostfront::adapters::sim::APPROVED;
use hostfront::privacy::erasure::{self, CONFIRMATION};
use hostfront::privacy::export::{Treatment, treatment};
use hostfront::store::{Index, Item, Key, Query, all_items};
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::{App, http};
use reqwest::Method;
use serde_json::{Value, json};

use crate::account_settings::{PASSWORD, address, audited, code, login, me, send};

const REGISTRAR_PASSWORD: &str = "rye loaves proof slowly";

/// Gives the customer a registrar account, as an order that makes one does.
async fn registrar_account(app: &App, customer: &str) {
    use hostfront::registrar_accounts::{RegistrarAccount, new_account};
    let account = RegistrarAccount {
        id: hostfront::ids::RegistrarAccountId::generate(),
        customer_id: CustomerId::new(customer),
        label: "Family".into(),
        username: "family2026".into(),
        registrar: "simulated".into(),
        created_at: "2026-01-01T00:00:00Z".into(),
        domains: vec!["familybakery.com".into()],
    };
    let write = new_account(&app.ports, &account, REGISTRAR_PASSWORD)
        .await
        .unwrap();
    app.ports.table.transact(vec![write]).await.unwrap();
}

/// A new customer with a live order of `action` (`register`, `subdomain`),
/// paid by a card kept for renewals; their email and id.
async fn customer_with_kept_card<'a>(app: &'a App, action: &str) -> (Shopper<'a>, String, String) {
    let email = address("ada");
    let ada = Shopper::sign_up(app, &email, "GB").await;
    let name = match action {
        "register" => fresh_domain(),
        _ => fresh_username(),
    };
    let (status, order) = ada.order(hosting(action, &name, &fresh_username())).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let method = ada.payment_method(APPROVED).await;
    let body = json!({"payment_method": method, "billing_country": "GB", "save_card": true});
    let (status, paid) = ada.post(&format!("/api/orders/{id}/pay"), body, None).await;
    assert_eq!(status, 200, "{paid}");
    ada.wait_for(&id, "active").await;
    let cart = json!({"domains": [fresh_domain()], "plan_id": "web-starter", "cycle": "monthly"});
    assert_eq!(ada.put("/api/cart", cart, None).await.0, 200);
    let customer = me(app, &ada.cookie).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    (ada, email, customer)
}

async fn partition(app: &App, customer: &str) -> Vec<Item> {
    let query = Query::partition(format!("CUSTOMER#{customer}"));
    all_items(app.ports.table.as_ref(), query).await.unwrap()
}

async fn profile(app: &App, customer: &str) -> Item {
    let key = Key::new(format!("CUSTOMER#{customer}"), "PROFILE");
    app.ports.table.get(&key).await.unwrap().unwrap()
}

/// The export's status, its headers and its text.
async fn download(app: &App, cookie: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = http()
        .get(app.url("/api/account/export"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

on_both_engines!(the_export_holds_every_kind_of_item_and_no_secret: export_embedded, export_cloud);

async fn the_export_holds_every_kind_of_item_and_no_secret(app: &App) {
    let (ada, email, customer) = customer_with_kept_card(app, "register").await;
    registrar_account(app, &customer).await;
    let (status, headers, text) = download(app, &ada.cookie).await;
    assert_eq!(status, 200, "{text}");
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"hostfront-export-")
            && disposition.ends_with(".json\""),
        "{disposition}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let export: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(export["registrar_accounts"][0]["username"], "family2026");
    assert!(!text.contains("password_sealed") && !text.contains(REGISTRAR_PASSWORD));

    // Every kind of item in the partition is known, and each exported one
    // is in its section.
    for item in partition(app, &customer).await {
        let sk = item["sk"].as_str().unwrap();
        match treatment(sk) {
            Some(Treatment::Section("profile")) => {}
            Some(Treatment::Section(name)) | Some(Treatment::ByIndex(name)) => assert!(
                export[name].as_array().is_some_and(|list| !list.is_empty()),
                "{sk} is not in `{name}`: {export}"
            ),
            Some(Treatment::Excluded(_)) => {}
            None => panic!("the export does not know the kind of item {sk}"),
        }
    }
    assert_eq!(export["profile"]["email"], email);
    for section in [
        "orders", "services", "domains", "invoices", "audit", "consents", "mails",
    ] {
        assert!(
            export[section].as_array().is_some_and(|l| !l.is_empty()),
            "{section}: {export}"
        );
    }
    assert_eq!(export["saved_card"][0]["last4"], "4242");
    assert_eq!(export["contacts"]["billing"]["email"], email);

    // No secret: not the password's hash, the session, nor the card's token.
    let kept = profile(app, &customer).await;
    let hash = kept["password_hash"].as_str().unwrap();
    let card = Key::new(format!("CUSTOMER#{customer}"), "PAYMENT_METHOD");
    let card = app.ports.table.get(&card).await.unwrap().unwrap();
    let session = ada.cookie.split_once('=').unwrap().1;
    for secret in [hash, card["token"].as_str().unwrap(), session] {
        assert!(!text.contains(secret), "the export holds a secret");
    }
    assert!(!text.contains("password_hash"));

    // A domain still held here keeps the account from being erased.
    let erase = json!({"current_password": PASSWORD, "confirm": CONFIRMATION});
    let (status, _, body) = send(
        app,
        Method::POST,
        "/api/account/erasure",
        erase,
        Some(&ada.cookie),
    )
    .await;
    assert_eq!((status, code(&body)), (409, "domains_held"), "{body}");
    assert_eq!(me(app, &ada.cookie).await.0, 200, "nothing changed");

    // Three downloads an hour.
    assert_eq!(download(app, &ada.cookie).await.0, 200);
    assert_eq!(download(app, &ada.cookie).await.0, 200);
    assert_eq!(download(app, &ada.cookie).await.0, 429);
}

on_both_engines!(erasure_ends_sessions_anonymises_and_keeps_invoices: erasure_embedded, erasure_cloud);

async fn erasure_ends_sessions_anonymises_and_keeps_invoices(app: &App) {
    let (ada, email, customer) = customer_with_kept_card(app, "subdomain").await;
    registrar_account(app, &customer).await;
    let other_device = login(app, &email, PASSWORD).await.unwrap();
    let card = Key::new(format!("CUSTOMER#{customer}"), "PAYMENT_METHOD");
    let card = app.ports.table.get(&card).await.unwrap().unwrap();
    let token = card["token"].as_str().unwrap().to_string();
    let saved_at_provider = Key::new(format!("SIMPAY#{token}"), "ENTRY");
    assert!(
        app.ports
            .table
            .get(&saved_at_provider)
            .await
            .unwrap()
            .is_some()
    );
    let path = "/api/account/erasure";
    let post = |body: Value| send(app, Method::POST, path, body, Some(&ada.cookie));

    let (status, _, body) = post(json!({"current_password": PASSWORD})).await;
    assert_eq!((status, code(&body)), (422, "confirmation_required"));
    let (status, _, body) =
        post(json!({"current_password": "not my password", "confirm": CONFIRMATION})).await;
    assert_eq!((status, code(&body)), (403, "wrong_password"));
    assert_eq!(me(app, &other_device).await.0, 200, "nothing changed yet");

    // A client site we look after for them is cancelled first.
    let bakery = hostfront::agency::site::NewSite {
        business_name: "Ada's Bakery".into(),
        contact_name: "Ada".into(),
        contact_email: email.clone(),
        contact_phone: None,
        internal_notes: None,
    };
    let clerk = hostfront::audit::Actor::Staff("clerk".into());
    let site = hostfront::agency::site::create(&app.ports, bakery, &clerk)
        .await
        .unwrap();
    let site_key = Key::new(format!("SITE#{}", site.id), "SITE");
    let theirs = hostfront::store::Update::new().set("customer_id", customer.as_str());
    app.ports
        .table
        .update(&site_key, theirs, None)
        .await
        .unwrap();
    let (status, _, body) =
        post(json!({"current_password": PASSWORD, "confirm": CONFIRMATION})).await;
    assert_eq!((status, code(&body)), (409, "sites_kept"), "{body}");
    assert!(body.to_string().contains("Ada's Bakery"), "{body}");
    assert_eq!(me(app, &other_device).await.0, 200, "nothing changed");
    let cancelled = hostfront::store::Update::new().set("status", "cancelled");
    app.ports
        .table
        .update(&site_key, cancelled, None)
        .await
        .unwrap();

    let (status, cookie, body) =
        post(json!({"current_password": PASSWORD, "confirm": CONFIRMATION})).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("erased")),
        "{body}"
    );
    assert_eq!(cookie.as_deref().map(|c| c.ends_with('=')), Some(true));
    assert_eq!(me(app, &ada.cookie).await.0, 401);
    assert_eq!(me(app, &other_device).await.0, 401);
    assert_eq!(login(app, &email, PASSWORD).await, Err(401));

    // The profile holds placeholders; the card is forgotten; the service
    // is cancelled through its workflow.
    let kept = profile(app, &customer).await;
    let text = serde_json::to_string(&kept).unwrap();
    assert!(
        !text.contains(&email) && !text.contains("Ada Lovelace"),
        "{text}"
    );
    assert!(kept.get("password_hash").is_none());
    assert_eq!(kept["customer"]["name"], "erased");
    let cart = Key::new(format!("CUSTOMER#{customer}"), "CART");
    assert_eq!(
        app.ports.table.get(&cart).await.unwrap(),
        None,
        "the cart is gone"
    );
    assert!(kept["erased_at"].is_string());
    let accounts = partition(app, &customer).await;
    assert!(
        !accounts
            .iter()
            .any(|i| i["sk"].as_str().unwrap().starts_with("REGACCOUNT#")),
        "the registrar accounts are gone"
    );
    let id = CustomerId::new(&customer);
    let tables = app.ports.table.as_ref();
    assert_eq!(
        hostfront::billing::payment_method::find(tables, &id)
            .await
            .unwrap(),
        None
    );
    let at_provider = Key::new(format!("SIMPAY#{token}"), "ENTRY");
    assert_eq!(
        tables.get(&at_provider).await.unwrap(),
        None,
        "forgotten at the provider"
    );
    let services = hostfront::subscriptions::of_customer(tables, &id)
        .await
        .unwrap();
    assert!(!services.is_empty() && services.iter().all(|s| s.cancel_at.is_some()));
    for item in partition(app, &customer).await {
        let text = serde_json::to_string(&item).unwrap();
        if item["sk"].as_str().unwrap().starts_with("ORDER#") {
            assert!(!text.contains(&email), "an order keeps the email: {text}");
        }
    }

    // Staff see it erased.
    let file = hostfront::staff::customers::file(&app.ports, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        file.customer.erased_at.as_deref(),
        kept["erased_at"].as_str()
    );

    // Invoices stay, naming the buyer as they did.
    let invoices = Query::index(Index::Gsi1, format!("INVOICES#CUSTOMER#{customer}"));
    let invoices = all_items(tables, invoices).await.unwrap();
    assert!(!invoices.is_empty());
    for invoice in &invoices {
        assert!(
            serde_json::to_string(invoice)
                .unwrap()
                .contains("Ada Lovelace")
        );
    }

    // Audited without the personal data, and finished: running it again
    // changes nothing.
    let actions = audited(app, &customer).await;
    for action in ["erasure_requested", "account_erased"] {
        assert!(actions.contains(&action.to_string()), "{actions:?}");
    }
    erasure::finish(&app.ports, &id).await.unwrap();
    assert_eq!(profile(app, &customer).await, kept);

    // The address is free for a new account.
    let again = Shopper::sign_up(app, &email, "GB").await;
    assert_eq!(me(app, &again.cookie).await.0, 200);
}

on_both_engines!(an_erasure_begun_is_finished_by_running_it_again: resumed_embedded, resumed_cloud);

async fn an_erasure_begun_is_finished_by_running_it_again(app: &App) {
    let (_, email, customer) = customer_with_kept_card(app, "subdomain").await;
    // As if the process stopped right after the first write.
    let key = Key::new(format!("CUSTOMER#{customer}"), "PROFILE");
    let begun = hostfront::store::Update::new()
        .remove("password_hash")
        .set("erasure_started_ms", 1);
    app.ports.table.update(&key, begun, None).await.unwrap();
    assert!(profile(app, &customer).await.get("erased_at").is_none());

    erasure::finish(&app.ports, &CustomerId::new(&customer))
        .await
        .unwrap();
    let kept = profile(app, &customer).await;
    assert!(kept["erased_at"].is_string());
    assert!(!serde_json::to_string(&kept).unwrap().contains(&email));
}
