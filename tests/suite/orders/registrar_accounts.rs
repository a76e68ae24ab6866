//! Registrar client accounts over HTTP, with a simulated registry that
//! requires one per customer: the first order makes one and shows its
//! credentials once, the next reuses it, a third makes a "Family" one;
//! refusals change nothing, nobody sees another's accounts, staff see them,
//! and the registry itself refuses a wrong password.

use hostfront::adapters::sim::{APPROVED, SimulatedRegistry, SimulationSettings};
use hostfront::registrar::{ClientAccount, Registrar, RegistrarError, Registration};
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

const FAMILY_PASSWORD: &str = "rye loaves proof slowly";

on_both_engines!(
    accounts_journey: registrar_accounts_embedded, registrar_accounts_cloud,
    |c| c.sim.registrar_client_accounts = true
);

/// An order registering `domain`, with `account` as its registrar account.
fn register_with(domain: &str, account: Option<Value>) -> Value {
    let mut body = hosting("register", domain, &fresh_username());
    if let Some(account) = account {
        body["registrar_account"] = account;
    }
    body
}

/// Orders `body`, pays and waits until it is live; the order as placed.
async fn order_live(shopper: &Shopper<'_>, body: Value) -> Value {
    let (status, order) = shopper.order(body).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    let (status, paid) = shopper.pay(id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    shopper.wait_for(id, "active").await;
    order
}

/// The customer's accounts, by label, with their usernames and domains.
async fn accounts(shopper: &Shopper<'_>) -> Vec<(String, String, Vec<String>)> {
    let (status, list) = shopper.get("/api/registrar-accounts").await;
    assert_eq!(status, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .map(|a| {
            assert!(a.get("password").is_none() && a.get("password_sealed").is_none());
            let domains = a["domains"].as_array().unwrap();
            (
                a["label"].as_str().unwrap().to_string(),
                a["username"].as_str().unwrap().to_string(),
                domains
                    .iter()
                    .map(|d| d.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

async fn accounts_journey(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (first, second) = (fresh_domain(), fresh_domain());

    // Left out, with no account yet: a new "Main" one, its credentials shown once.
    let body = register_with(&first, None);
    let (status, placed) = ada.post("/api/orders", body.clone(), Some("ra-1")).await;
    assert_eq!(status, 201, "{placed}");
    let made = placed["new_registrar_account"].clone();
    assert_eq!(made["label"], "Main", "{placed}");
    let username = made["username"].as_str().unwrap().to_string();
    let password = made["generated_password"].as_str().unwrap().to_string();
    assert!(username.starts_with("hf") && password.len() >= 20, "{made}");
    assert_eq!(placed["registrar_account_id"], made["id"]);
    let (_, replayed) = ada.post("/api/orders", body, Some("ra-1")).await;
    assert_eq!(replayed["id"], placed["id"]);
    assert!(
        replayed.get("new_registrar_account").is_none(),
        "{replayed}"
    );
    let id = placed["id"].as_str().unwrap();
    let (_, paid) = ada.pay(id, APPROVED, "GB").await;
    let customer = paid["invoice"]["customer_id"].as_str().unwrap().to_string();
    ada.wait_for(id, "active").await;
    let (_, listed) = ada.get("/api/registrar-accounts").await;
    assert!(!listed.to_string().contains(&password), "{listed}");

    // Left out again: the same account, no new credentials.
    let reused = order_live(&ada, register_with(&second, None)).await;
    assert!(reused.get("new_registrar_account").is_none(), "{reused}");
    assert_eq!(reused["registrar_account_id"], made["id"]);
    let main = (
        "Main".to_string(),
        username.clone(),
        vec![first.clone(), second.clone()],
    );
    assert_eq!(accounts(&ada).await, vec![main.clone()]);

    // A second account for the family's domains, with chosen credentials.
    let third = fresh_domain();
    let family =
        json!({"new": {"label": "Family", "username": "family2026", "password": FAMILY_PASSWORD}});
    let placed = order_live(&ada, register_with(&third, Some(family))).await;
    let shown = &placed["new_registrar_account"];
    assert_eq!(
        (&shown["label"], &shown["username"]),
        (&json!("Family"), &json!("family2026"))
    );
    assert!(shown.get("generated_password").is_none(), "{placed}");
    let family = (
        "Family".to_string(),
        "family2026".to_string(),
        vec![third.clone()],
    );
    assert_eq!(accounts(&ada).await, vec![main.clone(), family.clone()]);

    refusals_change_nothing(&ada, made["id"].as_str().unwrap()).await;
    assert_eq!(accounts(&ada).await, vec![main.clone(), family.clone()]);
    others_and_staff(app, &customer, made["id"].as_str().unwrap()).await;
    the_registry_knows_the_account(app, &username, &password, &[first, second]).await;
}

/// Orders whose registrar account is wrong are refused, and no order made.
async fn refusals_change_nothing(ada: &Shopper<'_>, main_id: &str) {
    let (_, before) = ada.get("/api/orders").await;
    let external = {
        let mut body = hosting("external", &fresh_domain(), &fresh_username());
        body["registrar_account"] = json!({"id": main_id});
        body
    };
    let cases = [
        (external, "no_registrar_account_needed"),
        (
            register_with(
                &fresh_domain(),
                Some(json!({"id": ulid::Ulid::new().to_string()})),
            ),
            "unknown_registrar_account",
        ),
        (
            register_with(&fresh_domain(), Some(json!({"id": "not-an-id"}))),
            "unknown_registrar_account",
        ),
        (
            register_with(&fresh_domain(), Some(json!({"new": {"label": "  "}}))),
            "invalid_registrar_account_label",
        ),
        (
            register_with(
                &fresh_domain(),
                Some(json!({"new": {"label": "X", "username": "1bad"}})),
            ),
            "invalid_registrar_username",
        ),
        (
            register_with(
                &fresh_domain(),
                Some(json!({"new": {"label": "X", "password": "short"}})),
            ),
            "weak_password",
        ),
    ];
    for (body, code) in cases {
        let (status, error) = ada.order(body).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some(code)),
            "{error}"
        );
    }
    // A username another account holds, anybody's: refused as the order is written.
    let taken = json!({"new": {"label": "X", "username": "family2026"}});
    let (status, error) = ada.order(register_with(&fresh_domain(), Some(taken))).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("registrar_username_taken")),
        "{error}"
    );
    let (_, after) = ada.get("/api/orders").await;
    assert_eq!(before, after, "a refused order leaves nothing behind");
}

/// Another customer neither sees nor uses Ada's accounts; staff see them.
async fn others_and_staff(app: &App, ada_id: &str, main_id: &str) {
    let bob = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, error) = bob
        .order(register_with(&fresh_domain(), Some(json!({"id": main_id}))))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("unknown_registrar_account"))
    );
    let taken = json!({"new": {"label": "Mine", "username": "family2026"}});
    let (status, error) = bob.order(register_with(&fresh_domain(), Some(taken))).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("registrar_username_taken"))
    );
    assert_eq!(bob.get("/api/registrar-accounts").await, (200, json!([])));
    let (status, _, _) = app.get("/api/registrar-accounts").await;
    assert_eq!(status, 401);
    let staff_path = format!("/api/admin/customers/{ada_id}/registrar-accounts");
    let (status, _) = bob.get(&staff_path).await;
    assert!(matches!(status, 401 | 403), "{status}");

    let support = Clerk::log_in(app, Role::Support).await;
    let (status, list) = support.get(&staff_path).await;
    assert_eq!(status, 200, "{list}");
    let labels: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Main", "Family"]);
    assert_eq!(list[0]["domains"].as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains("password"), "{list}");
    let nobody = format!(
        "/api/admin/customers/{}/registrar-accounts",
        ulid::Ulid::new()
    );
    assert_eq!(support.get(&nobody).await.0, 404);
}

/// The simulated registry holds the account with the domains filed under
/// it, and refuses a registration without it or with a wrong password.
async fn the_registry_knows_the_account(
    app: &App,
    username: &str,
    password: &str,
    domains: &[String],
) {
    let settings = SimulationSettings {
        client_accounts: true,
        ..Default::default()
    };
    let registry =
        SimulatedRegistry::new(app.ports.table.clone(), app.ports.clock.clone(), settings);
    let mut filed = registry.client_account_domains(username).await.unwrap();
    filed.sort();
    let mut expected = domains.to_vec();
    expected.sort();
    assert_eq!(filed, expected);
    let attempt = |client_account: Option<ClientAccount>| Registration {
        domain: fresh_domain(),
        years: 1,
        registrant: "someone".into(),
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        idempotency_key: ulid::Ulid::new().to_string(),
        client_account,
    };
    let wrong = ClientAccount {
        username: username.into(),
        password: format!("{password}x"),
    };
    for (request, code) in [
        (attempt(Some(wrong)), "client_account_denied"),
        (attempt(None), "client_account_required"),
    ] {
        match registry.register(&request).await {
            Err(RegistrarError::Refused { code: got, .. }) => assert_eq!(got, code),
            other => panic!("{other:?}"),
        }
    }
    let right = ClientAccount {
        username: username.into(),
        password: password.into(),
    };
    registry.register(&attempt(Some(right))).await.unwrap();
}
