//! DNS-only and domain-only orders over HTTP on both engines: no login and
//! no server, only a zone on our nameservers. DNS hosting serves the
//! customer's records (primary) or copies the customer's own primary
//! servers (secondary); a domain alone is parked. What such an order
//! refuses places nothing; with the manual clock, a cancelled one's zone
//! stops being served.

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::clock::ManualClock;
use hostfront::orders::DomainAction;
use hostfront::orders::create::{DomainRequest, OrderRequest, ZoneChoice};
use hostfront::subscriptions::cancel::{self, Acting, When};
use hostfront::subscriptions::{self, SubscriptionStatus};
use hostfront::zone::Zone;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::{Value, json};

use super::kinds::{step_names, welcome_text};

/// An order of `plan` for a new domain, with no username or password.
fn zone_order(plan: &str, domain: &str, zone: Value) -> Value {
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
async fn live(shopper: &Shopper<'_>, body: Value) -> (String, Value) {
    let (status, order) = shopper.order(body).await;
    assert_eq!(status, 201, "{order}");
    assert!(order["generated_password"].is_null(), "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let (status, paid) = shopper.pay(&id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    (id.clone(), shopper.wait_for(&id, "active").await)
}

/// The customer's service of the order `order`, as the portal lists it.
async fn service_of(shopper: &Shopper<'_>, order: &Value) -> Value {
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

on_both_engines!(a_domain_alone_is_parked: parked_embedded, parked_cloud);

async fn a_domain_alone_is_parked(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (id, order) = live(
        &ada,
        zone_order("domain-parking", &fresh_domain(), Value::Null),
    )
    .await;
    assert_eq!(step_names(&order), ["domain", "dns_zone", "welcome_mail"]);
    let domain = order["domain"]["name"].as_str().unwrap();
    assert_eq!(
        order["steps"][1]["title"],
        format!("Serve {domain} on our nameservers")
    );
    let zone = ada.zone(&id).await;
    let parking = &app.ports.config.parking_ipv4;
    assert!(
        zone.contains(&format!("@\t3600\tIN\tA\t{parking}\n")),
        "{zone}"
    );
    assert!(zone.contains("@\t3600\tIN\tMX\t0 .\n"), "null MX: {zone}");
    let (_, domains) = ada.get("/api/domains").await;
    assert!(
        domains.to_string().contains(domain),
        "the registered domain is the customer's: {domains}"
    );
}

on_both_engines!(a_domain_shows_another_site: alias_embedded, alias_cloud);

async fn a_domain_shows_another_site(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, web) = ada
        .order(hosting("register", &fresh_domain(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{web}");
    let web_id = web["id"].as_str().unwrap();
    let (status, _) = ada.pay(web_id, APPROVED, "GB").await;
    assert_eq!(status, 200);
    let web = ada.wait_for(web_id, "active").await;
    let site = service_of(&ada, &web).await;
    let alias = json!({"use": "alias", "of": site["id"]});
    let (id, order) = live(&ada, zone_order("domain-parking", &fresh_domain(), alias)).await;
    assert_eq!(
        step_names(&order),
        ["domain", "site_alias", "dns_zone", "welcome_mail"]
    );
    let domain = order["domain"]["name"].as_str().unwrap();
    let account = &site["hosting"]["account"];
    let zone = ada.zone(&id).await;
    let address = account["ipv4"].as_str().unwrap();
    assert!(
        zone.contains(&format!("@\t3600\tIN\tA\t{address}\n")),
        "{zone}"
    );
    let mail = format!(
        "@\t3600\tIN\tMX\t10 {}.\n",
        account["mail_host"].as_str().unwrap()
    );
    assert!(zone.contains(&mail), "the site's mail server: {zone}");
    let username = account["username"].as_str().unwrap();
    let state = app.ports.panel.state(username).await.unwrap().unwrap();
    assert_eq!(state.aliases, [domain], "parked on the site's account");
    let shown = service_of(&ada, &order).await;
    assert_eq!(shown["zone"]["site"], site["domain"], "{shown}");

    // Only a live site of one's own: not someone else's, not mail alone.
    let eve = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let theirs = json!({"use": "alias", "of": site["id"]});
    let (status, error) = eve
        .order(zone_order("domain-parking", &fresh_domain(), theirs))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("unknown_service"))
    );
    let (_, mail) = live(&ada, {
        let mut body = hosting("register", &fresh_domain(), &fresh_username());
        body["plan_id"] = json!("mail-basic");
        body
    })
    .await;
    let mail_only = json!({"use": "alias", "of": service_of(&ada, &mail).await["id"]});
    let (status, error) = ada
        .order(zone_order("domain-parking", &fresh_domain(), mail_only))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("not_a_site"))
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

fn parked_order() -> OrderRequest {
    OrderRequest {
        plan_id: "domain-parking".into(),
        cycle: "monthly".into(),
        domain: DomainRequest {
            action: DomainAction::Register,
            name: fresh_domain(),
            auth_code: None,
        },
        username: String::new(),
        password: None,
        generate_password: false,
        server: None,
        zone: Some(ZoneChoice::Parked),
    }
}

async fn a_cancelled_zone_stops_being_served(clock: &ManualClock, ports: &Ports) {
    let (bob, _) = hostfront_tests::customer_with_live_order(ports, parked_order()).await;
    let service = subscriptions::of_customer(ports.table.as_ref(), &bob.id)
        .await
        .unwrap()
        .remove(0);
    assert!(!service.on_panel(), "a zone alone is on no panel");
    assert!(
        ports
            .table
            .get(&Zone::key(&service.domain))
            .await
            .unwrap()
            .is_some()
    );
    let by = Acting {
        actor: hostfront::audit::Actor::Customer(bob.id.clone()),
        client: None,
        role: None,
    };
    let pending = cancel::request(ports, by, &bob.id, &service.id, When::Now)
        .await
        .unwrap();
    assert!(pending.ended_at.is_some(), "no notice: it ends at once");
    clock.advance_secs(86_400);
    assert_eq!(cancel::end_due(ports).await.unwrap(), 0, "ended already");
    cancel::tear_down(ports, &bob.id, &service.id)
        .await
        .unwrap();
    assert!(
        ports
            .table
            .get(&Zone::key(&service.domain))
            .await
            .unwrap()
            .is_none(),
        "the zone is no longer served"
    );
    let ended = subscriptions::find(ports.table.as_ref(), &bob.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, SubscriptionStatus::Cancelled);
}

async fn a_cancelled_alias_leaves_the_site(_clock: &ManualClock, ports: &Ports) {
    let web = hostfront_tests::shopper::register(&fresh_domain(), &fresh_username());
    let (bob, _) = hostfront_tests::customer_with_live_order(ports, web).await;
    let site = subscriptions::of_customer(ports.table.as_ref(), &bob.id)
        .await
        .unwrap()
        .remove(0);
    let mut request = parked_order();
    request.zone = Some(ZoneChoice::Alias {
        of: site.id.clone(),
    });
    let order_id = hostfront_tests::paid_order_of(ports, &bob, "alias", request).await;
    hostfront::orders::provision::run(ports, &bob.id, &order_id, false)
        .await
        .unwrap();
    let username = &site.hosting.account.username;
    let alias = subscriptions::find(ports.table.as_ref(), &bob.id, order_id.as_str())
        .await
        .unwrap()
        .expect("the alias's service");
    let parked = |state: Option<hostfront::panel::AccountState>| state.unwrap().aliases;
    assert_eq!(
        parked(ports.panel.state(username).await.unwrap()),
        [alias.domain.clone()]
    );
    let by = Acting {
        actor: hostfront::audit::Actor::Customer(bob.id.clone()),
        client: None,
        role: None,
    };
    cancel::request(ports, by, &bob.id, &alias.id, When::Now)
        .await
        .unwrap();
    cancel::tear_down(ports, &bob.id, &alias.id).await.unwrap();
    assert!(
        parked(ports.panel.state(username).await.unwrap()).is_empty(),
        "the site no longer answers for the alias"
    );
    let site = subscriptions::find(ports.table.as_ref(), &bob.id, &site.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        site.status,
        SubscriptionStatus::Active,
        "the site carries on"
    );
}

with_clock_on_both_engines!(a_cancelled_alias_leaves_the_site: alias_teardown_embedded, alias_teardown_cloud);

with_clock_on_both_engines!(a_cancelled_zone_stops_being_served: zone_teardown_embedded, zone_teardown_cloud);
