//! Each kind of plan provisioned its own way, over HTTP on both engines:
//! email hosting gets a mail domain and no website, a reseller plan a
//! reseller account with its plan's privileges. The order shows the
//! kind's own steps, and the welcome mail the kind's own logins.

use hostfront::adapters::sim::{APPROVED, PanelSettings, SimulatedPanel};
use hostfront::mail::{self, MailKind};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::{Value, json};

/// Orders `plan_id` for a new domain, pays it, and waits until it is live.
async fn live_order<'a>(app: &'a App, plan_id: &str) -> (Shopper<'a>, String, Value) {
    let shopper = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let mut body = hosting("register", &fresh_domain(), &fresh_username());
    body["plan_id"] = json!(plan_id);
    let (status, order) = shopper.order(body).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let (status, paid) = shopper.pay(&id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    let live = shopper.wait_for(&id, "active").await;
    (shopper, id, live)
}

pub(super) fn step_names(order: &Value) -> Vec<&str> {
    order["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect()
}

/// The app's simulated panel, read from its table.
fn simulated_panel(app: &App) -> SimulatedPanel {
    let settings = PanelSettings {
        capacity_per_server: 1,
        addresses: 1,
        latency: std::time::Duration::ZERO,
        failure_rate: 0.0,
    };
    SimulatedPanel::new(
        app.ports.table.clone(),
        app.ports.clock.clone(),
        settings,
        "unused.example",
    )
}

pub(super) async fn welcome_text(app: &App, order_id: &str) -> String {
    mail::outbox(&app.ports, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.order_id == order_id && m.kind == MailKind::AccountReady)
        .expect("the login details were sent")
        .text
}

on_both_engines!(email_hosting: email_hosting_embedded, email_hosting_cloud);

async fn email_hosting(app: &App) {
    let (ada, id, live) = live_order(app, "mail-basic").await;
    assert_eq!(
        step_names(&live),
        [
            "domain",
            "hosting_account",
            "mail_domain",
            "dns_zone",
            "welcome_mail"
        ],
        "no site administrator for a mail-only plan"
    );
    assert_eq!(live["steps"][1]["title"], "Create the mail account");
    let domain = live["domain"]["name"].as_str().unwrap();
    let mail = &live["service"]["mail_domain"];
    assert_eq!(
        mail["mailboxes"][0],
        json!(format!("info@{domain}")),
        "{mail}"
    );
    assert!(
        mail["webmail_url"].as_str().unwrap().ends_with(":2096/"),
        "{mail}"
    );
    assert!(live["service"]["mail"].is_null(), "no website mail set-up");
    let zone = ada.zone(&id).await;
    assert!(zone.contains("\tIN\tMX\t10 "), "{zone}");
    assert!(
        zone.contains("@\t3600\tIN\tTXT\t\"v=spf1 mx a -all\""),
        "{zone}"
    );
    assert!(
        zone.contains("_dmarc\t3600\tIN\tTXT\t\"v=DMARC1;"),
        "{zone}"
    );
    let key = mail["dkim"]["record"].as_str().unwrap();
    assert!(
        zone.contains(&format!("default._domainkey\t3600\tIN\tTXT\t\"{key}\"")),
        "the zone publishes the panel's key: {zone}"
    );
    assert!(!zone.contains("@\t3600\tIN\tA\t"), "no website: {zone}");
    assert!(!zone.contains("www\t"), "no website: {zone}");
    let text = welcome_text(app, &id).await;
    assert!(
        text.contains(&format!(
            "Webmail: {}",
            mail["webmail_url"].as_str().unwrap()
        )),
        "{text}"
    );
    assert!(!text.contains("Site admin"), "{text}");

    // The customer adds a mailbox: the mail domain keeps its key.
    let (_, services) = ada.get("/api/services").await;
    let service = services[0]["id"].as_str().unwrap();
    let path = format!("/api/services/{service}/mailboxes");
    let (status, changed) = ada
        .put(
            &path,
            json!({"mailboxes": ["info", "postmaster", "shop"]}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    let mail_now = &changed["hosting"]["mail_domain"];
    assert_eq!(
        mail_now["mailboxes"][2],
        json!(format!("shop@{domain}")),
        "{changed}"
    );
    assert_eq!(mail_now["dkim"], mail["dkim"], "the published key stays");
    assert!(changed["hosting"]["mail"].is_null(), "{changed}");
}

on_both_engines!(reseller_hosting: reseller_hosting_embedded, reseller_hosting_cloud);

async fn reseller_hosting(app: &App) {
    let (_, id, live) = live_order(app, "reseller-20").await;
    assert_eq!(
        step_names(&live),
        [
            "domain",
            "hosting_account",
            "reseller_privileges",
            "dns_zone",
            "mail_and_admin",
            "welcome_mail"
        ]
    );
    let reseller = &live["service"]["reseller"];
    assert_eq!(reseller["acl_list"], "hostfront-reseller-20", "{reseller}");
    assert_eq!(reseller["account_limit"], 20);
    assert_eq!(reseller["shared_addresses"], true);
    let url = reseller["reseller_url"].as_str().unwrap();
    assert!(url.ends_with(":2087/"), "{reseller}");
    let username = live["service"]["account"]["username"].as_str().unwrap();
    let terms = simulated_panel(app)
        .reseller_terms(username)
        .await
        .unwrap()
        .expect("the panel holds a reseller");
    assert!(terms.acls.iter().any(|a| a == "create-acct"), "{terms:?}");
    assert!(
        !terms.acls.iter().any(|a| a == "all"),
        "never root's privileges"
    );
    assert_eq!((terms.account_limit, terms.disk_limit_mb), (20, 150 * 1024));
    let text = welcome_text(app, &id).await;
    assert!(
        text.contains(&format!("Reseller interface: {url}")),
        "{text}"
    );
}
