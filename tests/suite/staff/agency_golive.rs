//! Going live, on both engines: refused without the site's customer or a
//! proven domain (the site stays accepted and the answer says what is
//! missing); a domain registered elsewhere proven by its TXT record in the
//! simulated DNS; a domain the customer holds with us needing no record and
//! joining the services register linked to its own record; the panel
//! account serving the domain, and a missing one refused; the tracked
//! services of its proposal started and billed from that day.

use std::time::Duration;

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::domains::owned;
use hostfront::store::{Key, Update};
use hostfront::subscriptions::{self, Subscription};
use hostfront_tests::App;
use hostfront_tests::shopper::{fresh_domain, fresh_username, register};
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency::{move_to, new_site};
use hostfront::staff::Role;

/// What a proposal accepted online records on the site: its customer and,
/// when there is one, the panel account holding it.
pub(super) async fn accepted_for(
    ports: &Ports,
    site_id: &str,
    customer: &str,
    panel: Option<&str>,
) {
    // Accepted online, from the link mailed to the contact: the customer
    // vouched for the site.
    let mut update = Update::new()
        .set("customer_id", customer)
        .set("pitch", json!({"accepted_via": "online"}));
    if let Some(account) = panel {
        update = update.set("panel_account", account);
    }
    let key = Key::new(format!("SITE#{site_id}"), "SITE");
    ports.table.update(&key, update, None).await.unwrap();
}

/// A customer whose order for `domain` was paid and went live through the
/// app's own workers, and their hosting service.
pub(super) async fn live_customer(app: &App, domain: &str) -> (Customer, Subscription) {
    use hostfront::orders::{checkout, create};
    let ports = &app.ports;
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (customer, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let order = register(domain, &fresh_username());
    let placed = create::place(ports, &customer, "order", order)
        .await
        .unwrap();
    let card = hostfront_tests::shopper::card(hostfront::adapters::sim::APPROVED);
    checkout::pay(ports, &customer, &placed.view.id, card)
        .await
        .unwrap();
    let id = &customer.id;
    let service = hostfront_tests::eventually(
        Duration::from_secs(60),
        "the order goes live",
        || async move {
            let held = owned::find(ports.table.as_ref(), id, domain)
                .await
                .map_err(|e| e.to_string())?;
            let services = subscriptions::of_customer(ports.table.as_ref(), id)
                .await
                .map_err(|e| e.to_string())?;
            match (held, services.into_iter().next()) {
                (Some(_), Some(service)) => Ok(service),
                _ => Err("not live yet".to_string()),
            }
        },
    )
    .await;
    (customer, service)
}

/// A new site moved to `accepted` (the acceptance recorded by billing).
pub(super) async fn accepted_site(clerk: &Clerk<'_>) -> Value {
    let billing = Clerk::log_in(clerk.app, Role::Billing).await;
    let mut site = new_site(clerk).await;
    for to in ["poc_ready", "proposal_sent", "accepted"] {
        let by = match to {
            "accepted" => &billing,
            _ => clerk,
        };
        let (status, moved) = move_to(by, &site, to, json!({})).await;
        assert_eq!(status, 200, "{moved}");
        site = moved;
    }
    site
}

/// The site as it is now.
pub(super) async fn view(clerk: &Clerk<'_>, site: &Value) -> Value {
    let path = format!("/api/admin/sites/{}", site["id"].as_str().unwrap());
    let (status, view) = clerk.get(&path).await;
    assert_eq!(status, 200, "{view}");
    view
}

/// Publishes `site`'s proof for `domain` in the simulated DNS, as the
/// console tells staff to.
pub(super) async fn publish_proof(app: &App, clerk: &Clerk<'_>, site: &Value, domain: &str) {
    let proof = view(clerk, site).await["domain_proof"].clone();
    let name = proof["name"].as_str().unwrap().replace("<domain>", domain);
    let value = proof["value"].as_str().unwrap().to_string();
    let dns = app.ports.simulated_dns.as_ref().unwrap();
    dns.publish_txt(&name, &[value]).await.unwrap();
}

fn code(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["error"]["code"].as_str())
}

async fn going_live_needs_a_customer_and_a_proven_domain(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let site = accepted_site(&support).await;
    // The acceptance staff recorded made the contact's account.
    assert!(view(&support, &site).await["site"]["customer_id"].is_string());
    let elsewhere = fresh_domain();
    let live = json!({"live_domain": elsewhere});

    let (owner, service) = live_customer(app, &fresh_domain()).await;
    let account = service.hosting.account.username.clone();
    accepted_for(
        &app.ports,
        site["id"].as_str().unwrap(),
        owner.id.as_str(),
        Some(&account),
    )
    .await;
    let refused = move_to(&support, &site, "live", live.clone()).await;
    assert_eq!(
        code(&refused),
        (422, Some("domain_not_proven")),
        "{}",
        refused.1
    );
    let message = refused.1["error"]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("_hostfront-verify.{elsewhere}")),
        "{message}"
    );
    let dns = app.ports.simulated_dns.as_ref().unwrap();
    let record = format!("_hostfront-verify.{elsewhere}");
    dns.publish_txt(&record, &["hostfront-verify=someone-else".into()])
        .await
        .unwrap();
    let refused = move_to(&support, &site, "live", live.clone()).await;
    assert_eq!(
        code(&refused),
        (422, Some("domain_not_proven")),
        "another site's proof"
    );
    assert_eq!(view(&support, &site).await["site"]["status"], "accepted");

    publish_proof(app, &support, &site, &elsewhere).await;
    let (status, went) = move_to(&support, &site, "live", live).await;
    assert_eq!(
        (status, went["status"].as_str()),
        (200, Some("live")),
        "{went}"
    );
    assert_eq!(went["live_domain"].as_str(), Some(elsewhere.as_str()));
    assert!(went["went_live_at"].is_string());
    let state = app.ports.panel.state(&account).await.unwrap().unwrap();
    assert!(state.sites.contains(&elsewhere), "{:?}", state.sites);
    let services = view(&support, &site).await["services"].clone();
    assert_eq!(
        services,
        json!([]),
        "a domain held elsewhere is not ours to link"
    );
}

on_both_engines!(going_live_needs_a_customer_and_a_proven_domain: golive_proof_embedded, golive_proof_cloud);

async fn a_domain_the_customer_holds_needs_no_record(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let held = fresh_domain();
    let (owner, service) = live_customer(app, &held).await;
    let (stranger, _) = live_customer(app, &fresh_domain()).await;

    // The panel has no such account: refused, the site stays accepted.
    let site = accepted_site(&support).await;
    let id = site["id"].as_str().unwrap();
    accepted_for(&app.ports, id, owner.id.as_str(), Some("nosuchaccount")).await;
    let refused = move_to(&support, &site, "live", json!({"live_domain": held})).await;
    assert_eq!(
        code(&refused),
        (422, Some("panel_account_missing")),
        "{}",
        refused.1
    );
    assert_eq!(view(&support, &site).await["site"]["status"], "accepted");

    // Another customer's domain is no proof for this one's site.
    accepted_for(&app.ports, id, stranger.id.as_str(), None).await;
    let refused = move_to(&support, &site, "live", json!({"live_domain": held})).await;
    assert_eq!(
        code(&refused),
        (422, Some("domain_not_proven")),
        "{}",
        refused.1
    );

    // An acceptance staff recorded for the owner's account vouches for
    // none of its domains.
    let account = service.hosting.account.username.clone();
    accepted_for(&app.ports, id, owner.id.as_str(), Some(&account)).await;
    let key = Key::new(format!("SITE#{id}"), "SITE");
    let by_staff = Update::new().set("pitch", json!({"accepted_via": "staff"}));
    app.ports.table.update(&key, by_staff, None).await.unwrap();
    let refused = move_to(&support, &site, "live", json!({"live_domain": held})).await;
    assert_eq!(
        code(&refused),
        (422, Some("domain_not_proven")),
        "{}",
        refused.1
    );

    accepted_for(&app.ports, id, owner.id.as_str(), Some(&account)).await;
    let (status, went) = move_to(&support, &site, "live", json!({"live_domain": held})).await;
    assert_eq!(
        (status, went["status"].as_str()),
        (200, Some("live")),
        "{went}"
    );
    // The account's own domain: it serves it already, as its main site.
    let state = app.ports.panel.state(&account).await.unwrap().unwrap();
    assert!(!state.sites.contains(&held), "{:?}", state.sites);
    let services = view(&support, &site).await["services"].clone();
    let linked: Vec<&Value> = services
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["provisioned"] == format!("domain:{held}"))
        .collect();
    assert_eq!(linked.len(), 1, "{services}");
    assert_eq!(linked[0]["status"], "active");
    assert!(
        linked[0]["expires_on"].is_string(),
        "the record's own expiry"
    );
}

on_both_engines!(a_domain_the_customer_holds_needs_no_record: golive_held_embedded, golive_held_cloud);

/// The tracked services a proposal added start when their site goes live:
/// the recurring ones become active, paid up to the day before, and the
/// next billing run invoices their first period from that day; a one-time
/// line and a service the site had before stay as they were.
async fn going_live_starts_the_proposals_tracked_services(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let held = fresh_domain();
    let (owner, service) = live_customer(app, &held).await;
    let site = accepted_site(&support).await;
    let id = site["id"].as_str().unwrap();
    let account = service.hosting.account.username.clone();
    accepted_for(&app.ports, id, owner.id.as_str(), Some(&account)).await;
    let path = format!("/api/admin/sites/{id}/services");
    let pending = |name: &str, period: &str| {
        json!({"service_type": "website_maintenance", "name": name, "period": period,
               "price": 4900, "currency": "USD", "pending": true, "auto_renew": true})
    };
    let (status, care) = billing.post(&path, pending("Care plan", "monthly")).await;
    assert_eq!(status, 201, "{care}");
    let (status, build) = billing
        .post(&path, pending("Website build", "one_time"))
        .await;
    assert_eq!(status, 201, "{build}");
    let mut unbilled = pending("Never billed", "monthly");
    unbilled["auto_renew"] = json!(false);
    let (status, refused) = billing.post(&path, unbilled).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("expiry_required")),
        "a recurring service with no last day that never starts billed"
    );

    let site = view(&support, &site).await["site"].clone();
    let (status, went) = move_to(&support, &site, "live", json!({"live_domain": held})).await;
    assert_eq!(
        (status, went["status"].as_str()),
        (200, Some("live")),
        "{went}"
    );
    let services = view(&support, &site).await["services"].clone();
    let now_of = |service: &Value| {
        services
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == service["id"])
            .cloned()
            .unwrap()
    };
    let today = app.ports.clock.now().date();
    let yesterday = (today - time::Duration::days(1)).to_string();
    let started = now_of(&care);
    assert_eq!(
        (started["status"].as_str(), started["expires_on"].as_str()),
        (Some("active"), Some(yesterday.as_str())),
        "{started}"
    );
    assert_eq!(
        now_of(&build)["status"],
        "pending",
        "nothing recurs to bill"
    );

    hostfront::scheduler::Task::RunBilling
        .run(&app.ports)
        .await
        .unwrap();
    let bills = hostfront::billing::invoice::of_customer(app.ports.table.as_ref(), &owner.id, 100)
        .await
        .unwrap();
    let first = bills
        .iter()
        .find_map(|bill| match &bill.about {
            hostfront::billing::invoice::InvoiceFor::ClientService {
                service_id, from, ..
            } if service_id == care["id"].as_str().unwrap() => Some(from.clone()),
            _ => None,
        })
        .expect("the care plan's first period is invoiced");
    assert_eq!(first, today.to_string());

    // Added pending to the live site and started by hand: billed from today.
    let (_, later) = billing.post(&path, pending("Hosting care", "annual")).await;
    let body = json!({"to": "active", "why": "signed", "v": later["v"]});
    let moved = format!("{path}/{}/moves", later["id"].as_str().unwrap());
    let (status, active) = billing.post(&moved, body).await;
    assert_eq!(
        (status, active["expires_on"].as_str()),
        (200, Some(yesterday.as_str())),
        "{active}"
    );
}

on_both_engines!(going_live_starts_the_proposals_tracked_services: golive_starts_embedded, golive_starts_cloud);
