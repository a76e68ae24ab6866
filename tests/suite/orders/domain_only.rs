//! Domain-only orders over HTTP on both engines: a domain alone, parked on
//! our holding page or showing the site of another of the customer's
//! services (an alias parked on that service's account); with the manual
//! clock, a cancelled one's zone stops being served and its alias goes.

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

use super::kinds::step_names;
use super::zone_only::{live, service_of, zone_order};

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
    assert_eq!(refusal(&eve, theirs).await, "unknown_service");
    let (_, mail) = live(&ada, {
        let mut body = hosting("register", &fresh_domain(), &fresh_username());
        body["plan_id"] = json!("mail-basic");
        body
    })
    .await;
    let mail_only = json!({"use": "alias", "of": service_of(&ada, &mail).await["id"]});
    assert_eq!(refusal(&ada, mail_only).await, "not_a_site");
}

/// The code of the 422 a domain-only order with `zone` gets.
async fn refusal(shopper: &Shopper<'_>, zone: Value) -> String {
    let (status, error) = shopper
        .order(zone_order("domain-parking", &fresh_domain(), zone))
        .await;
    assert_eq!(status, 422, "{error}");
    error["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Whether our nameservers serve a zone for `domain`.
async fn zone_served(ports: &Ports, domain: &str) -> bool {
    ports.table.get(&Zone::key(domain)).await.unwrap().is_some()
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
        registrar_account: None,
    }
}

async fn a_cancelled_zone_stops_being_served(clock: &ManualClock, ports: &Ports) {
    let (bob, _) = hostfront_tests::customer_with_live_order(ports, parked_order()).await;
    let service = subscriptions::of_customer(ports.table.as_ref(), &bob.id)
        .await
        .unwrap()
        .remove(0);
    assert!(!service.on_panel(), "a zone alone is on no panel");
    assert!(zone_served(ports, &service.domain).await);
    // Suspended (for an unpaid invoice, or by staff), the zone is still served.
    let staff = hostfront::audit::Actor::Staff("stf-grace".into());
    let who = (&staff, hostfront::audit::Role::Support, "127.0.0.1");
    let on_hold = (&bob.id, service.id.as_str());
    hostfront::staff::subscriptions::set_status(
        ports,
        who,
        on_hold,
        SubscriptionStatus::Suspended,
        "unpaid",
    )
    .await
    .unwrap();
    subscriptions::panel::sync(ports, &bob.id, &service.id)
        .await
        .expect("nothing on a panel to suspend");
    assert!(
        zone_served(ports, &service.domain).await,
        "a suspended zone is still served"
    );
    let by = Acting::only(hostfront::audit::Actor::Customer(bob.id.clone()));
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
        !zone_served(ports, &service.domain).await,
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
        std::slice::from_ref(&alias.domain)
    );
    let by = Acting::only(hostfront::audit::Actor::Customer(bob.id.clone()));
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
