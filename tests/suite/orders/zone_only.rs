//! DNS-only orders over HTTP on both engines: no login and no server, only
//! a zone on our nameservers, serving the customer's records (primary,
//! changed once live) or copying the customer's own primary servers
//! (secondary). What a DNS-only or domain-only order refuses places nothing.

use hostfront::adapters::sim::APPROVED;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username};
use serde_json::{Value, json};

use super::kinds::{step_names, welcome_text};

/// An order of `plan` for a new domain, with no username or password.
pub(super) fn zone_order(plan: &str, domain: &str, zone: Value) -> Value {
    let mut body = json!({
        "plan_id": plan,
        "cycle": "monthly",
        "domain": {"action": "register", "name": domain},
    });
    if !zone.is_null() {
        body["zone"] = zone;
    }
    body
}

/// Places, pays and waits for `body`; the live order.
pub(super) async fn live(shopper: &Shopper<'_>, body: Value) -> (String, Value) {
    let (status, order) = shopper.order(body).await;
    assert_eq!(status, 201, "{order}");
    assert!(order["generated_password"].is_null(), "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let (status, paid) = shopper.pay(&id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    (id.clone(), shopper.wait_for(&id, "active").await)
}

/// The customer's service of the order `order`, as the portal lists it.
pub(super) async fn service_of(shopper: &Shopper<'_>, order: &Value) -> Value {
    let (_, services) = shopper.get("/api/services").await;
    let domain = &order["domain"]["name"];
    let found = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| &s["domain"] == domain);
    found.cloned().expect("the order's service")
}

on_both_engines!(dns_hosting: dns_hosting_embedded, dns_hosting_cloud);

async fn dns_hosting(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let records = json!({"use": "primary", "records": [
        {"name": "@", "type": "A", "value": "203.0.113.7"},
        {"name": "www", "type": "CNAME", "value": "example.org"},
        {"name": "@", "type": "MX", "priority": 10, "value": "mx.example.net"},
        {"name": "@", "type": "TXT", "value": "v=spf1 include:example.net -all"},
    ]});
    let (id, order) = live(&ada, zone_order("dns-hosting", &fresh_domain(), records)).await;
    assert_eq!(step_names(&order), ["domain", "dns_zone", "welcome_mail"]);
    assert!(order["username"].as_str().unwrap_or_default().is_empty());
    let zone = ada.zone(&id).await;
    for line in [
        "@\t3600\tIN\tA\t203.0.113.7\n",
        "www\t3600\tIN\tCNAME\texample.org.\n",
        "@\t3600\tIN\tMX\t10 mx.example.net.\n",
        "@\t3600\tIN\tTXT\t\"v=spf1 include:example.net -all\"\n",
    ] {
        assert!(zone.contains(line), "{line:?} in {zone}");
    }
    assert!(
        !zone.contains("mail\t"),
        "only the customer's records: {zone}"
    );
    let text = welcome_text(app, &id).await;
    assert!(text.contains("DNS: DNS hosting, 4 records"), "{text}");
    assert!(text.contains("Nameservers: ns1."), "{text}");
    assert!(!text.contains("Username"), "no login: {text}");

    // A secondary zone: our nameservers copy it from the customer's primary.
    let secondary = json!({"use": "secondary", "primaries": ["203.0.113.53", "2001:db8::53"]});
    let (id, order) = live(&ada, zone_order("dns-hosting", &fresh_domain(), secondary)).await;
    let domain = order["domain"]["name"].as_str().unwrap();
    let stanza = ada.zone(&id).await;
    assert_eq!(
        stanza,
        format!(
            "zone \"{domain}\" {{\n\ttype secondary;\n\tprimaries {{ 203.0.113.53; 2001:db8::53; }};\n\tfile \"secondary/{domain}.db\";\n}};\n"
        )
    );
    let service = service_of(&ada, &order).await;
    assert_eq!(service["zone"]["use"], "secondary", "{service}");
    let path = format!(
        "/api/services/{}/mailboxes",
        service["id"].as_str().unwrap()
    );
    let (status, refused) = ada
        .put(&path, json!({"mailboxes": ["a@x.example"]}), None)
        .await;
    assert_eq!(status, 409, "no mail on DNS hosting: {refused}");
}

on_both_engines!(records_changed_once_live: records_changed_embedded, records_changed_cloud);

/// The zone's serial, from its BIND export.
fn serial_of(bind: &str) -> u64 {
    let line = bind.lines().find(|l| l.ends_with("; serial")).unwrap();
    line.split_whitespace().next().unwrap().parse().unwrap()
}

async fn records_changed_once_live(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let first =
        json!({"use": "primary", "records": [{"name": "@", "type": "A", "value": "203.0.113.7"}]});
    let (id, order) = live(&ada, zone_order("dns-hosting", &fresh_domain(), first)).await;
    let before = ada.zone(&id).await;
    let service = service_of(&ada, &order).await;
    let path = format!("/api/services/{}/zone", service["id"].as_str().unwrap());

    // Refused records change nothing.
    let bad = json!({"records": [{"name": "@", "type": "CNAME", "value": "a.example"}]});
    let (status, error) = ada.put(&path, bad, None).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("cname_at_apex"))
    );
    assert_eq!(ada.zone(&id).await, before);

    let records = json!({"records": [
        {"name": "@", "type": "AAAA", "value": "2001:db8::7"},
        {"name": "shop", "type": "A", "value": "203.0.113.8", "ttl": 300},
    ]});
    let (status, changed) = ada.put(&path, records.clone(), None).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["zone"]["records"].as_array().unwrap().len(), 2);
    let after = ada.zone(&id).await;
    assert!(after.contains("shop\t300\tIN\tA\t203.0.113.8\n"), "{after}");
    assert!(
        !after.contains("203.0.113.7"),
        "the old record is gone: {after}"
    );
    assert!(serial_of(&after) > serial_of(&before), "{before}\n{after}");
    // The same records again: served as they are, with a serial above.
    let (status, _) = ada.put(&path, records.clone(), None).await;
    assert_eq!(status, 200);
    assert!(serial_of(&ada.zone(&id).await) > serial_of(&after));

    // Nobody else's service, and only a primary zone.
    let eve = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, _) = eve.put(&path, records.clone(), None).await;
    assert_eq!(status, 404);
    let secondary = json!({"use": "secondary", "primaries": ["203.0.113.53"]});
    let (_, order) = live(&ada, zone_order("dns-hosting", &fresh_domain(), secondary)).await;
    let other = service_of(&ada, &order).await;
    let other = format!("/api/services/{}/zone", other["id"].as_str().unwrap());
    let (status, error) = ada.put(&other, records, None).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("not_primary_dns"))
    );
}

on_both_engines!(what_a_zone_order_refuses: refusals_embedded, refusals_cloud);

async fn what_a_zone_order_refuses(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let domain = fresh_domain();
    let with_login = {
        let mut body = zone_order("dns-hosting", &domain, Value::Null);
        body["username"] = json!(fresh_username());
        body["generate_password"] = json!(true);
        body
    };
    let subdomain = json!({
        "plan_id": "domain-parking", "cycle": "monthly",
        "domain": {"action": "subdomain", "name": fresh_username()},
    });
    let mut web_with_zone = zone_order("web-starter", &domain, json!({"use": "parked"}));
    web_with_zone["username"] = json!(fresh_username());
    web_with_zone["generate_password"] = json!(true);
    let records = |list: Value| json!({"use": "primary", "records": list});
    let alias = |of: &str| zone_order("domain-parking", &domain, json!({"use": "alias", "of": of}));
    for (body, code) in [
        (with_login, "no_login"),
        (subdomain, "not_a_zone"),
        (web_with_zone, "zone_not_for_plan"),
        (
            zone_order("domain-parking", &domain, json!({"use": "primary"})),
            "invalid_zone_use",
        ),
        (
            zone_order("dns-hosting", &domain, json!({"use": "parked"})),
            "invalid_zone_use",
        ),
        (
            zone_order(
                "dns-hosting",
                &domain,
                records(json!([{"name": "@", "type": "CNAME", "value": "a.example"}])),
            ),
            "cname_at_apex",
        ),
        (
            zone_order(
                "dns-hosting",
                &domain,
                records(json!([{"name": "@", "type": "A", "value": "not-an-address"}])),
            ),
            "invalid_record_value",
        ),
        (
            zone_order(
                "dns-hosting",
                &domain,
                json!({"use": "secondary", "primaries": ["10.0.0.53"]}),
            ),
            "invalid_primaries",
        ),
        (
            zone_order(
                "dns-hosting",
                &domain,
                json!({"use": "secondary", "primaries": ["169.254.169.254"]}),
            ),
            "invalid_primaries",
        ),
        (alias("01JNOSUCHSERVICE0000000000"), "unknown_service"),
        (alias(""), "unknown_service"),
    ] {
        let (status, error) = ada.order(body).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some(code)),
            "{error}"
        );
    }
    let (_, orders) = ada.get("/api/orders").await;
    assert_eq!(
        orders.as_array().map(Vec::len),
        Some(0),
        "nothing placed: {orders}"
    );
}
