//! Proposals, on both engines: their lines checked (one currency, bounds,
//! 1 to 20 lines, a plan with its domain) with nothing changed by a
//! refusal; the mail to the contact with its links; accepting online twice
//! (and at once) making one account and one order, the customer setting
//! their password from the welcome mail and seeing the order; an existing
//! customer's email linked instead; an acceptance recorded by staff; and
//! a refused order that tells the link nothing of the account, which staff
//! place again.

use hostfront::mail::MailKind;
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, http, link_tokens};
use serde_json::{Value, json};

use super::pitch::{moved, path, preview_of};

fn lines(domain: &str) -> Value {
    json!([
        {"kind": "plan", "plan_id": "web-starter", "cycle": "monthly"},
        {"kind": "domain", "name": domain, "domain": "register"},
        {"kind": "email", "name": "5 mailboxes", "period": "monthly", "price": 500, "currency": "USD"},
        {"kind": "website_maintenance", "name": "Monthly upkeep", "period": "monthly", "price": 4900, "currency": "USD"},
    ])
}

/// A site for `email`, with its preview, ready for its proposal.
async fn ready_site(clerk: &Clerk<'_>, email: &str) -> Value {
    let body = json!({"business_name": "Boulangerie du Parc", "contact_name": "Jean Müller", "contact_email": email});
    let (status, site) = clerk.post("/api/admin/sites", body).await;
    assert_eq!(status, 201, "{site}");
    let (status, site) = clerk.post(&path(&site, "/preview"), json!({})).await;
    assert_eq!(status, 200, "{site}");
    moved(clerk, &site, "poc_ready").await
}

async fn send(clerk: &Clerk<'_>, site: &Value, lines: Value) -> (u16, Value) {
    let body = json!({"lines": lines, "notes": "Five pages and online orders.", "v": site["v"]});
    clerk.post(&path(site, "/proposal"), body).await
}

fn fresh_email() -> String {
    format!(
        "jean{}@parc.example",
        &ulid::Ulid::new().to_string().to_lowercase()[16..]
    )
}

async fn token(app: &App, email: &str, kind: MailKind, fragment: &str) -> String {
    link_tokens(&app.ports, email, kind, fragment)
        .await
        .pop()
        .unwrap_or_else(|| panic!("no {fragment} link to {email}"))
}

async fn accept(app: &App, token: &str) -> (u16, Value) {
    app.post_with(&format!("/api/proposals/{token}/accept"), &json!({}), &[])
        .await
}

async fn proposals_are_checked_and_nothing_changes_on_a_refusal(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let site = ready_site(&support, &fresh_email()).await;
    let domain = fresh_domain();
    let mut mixed = lines(&domain);
    mixed[3]["currency"] = json!("EUR");
    let mut negative = lines(&domain);
    negative[2]["price"] = json!(-1);
    let mut huge = lines(&domain);
    huge[3]["price"] = json!(100_000_001);
    let mut unknown = lines(&domain);
    unknown[0]["plan_id"] = json!("no-such-plan");
    let alone = json!([lines(&domain)[0]]);
    let many: Vec<Value> = (0..21).map(|_| lines(&domain)[3].clone()).collect();
    for (bad, code) in [
        (json!([]), "invalid_lines"),
        (json!(many), "invalid_lines"),
        (alone, "invalid_lines"),
        (mixed, "mixed_currencies"),
        (negative, "invalid_price"),
        (huge, "invalid_price"),
        (unknown, "unknown_plan"),
    ] {
        let (status, body) = send(&support, &site, bad).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some(code)),
            "{body}"
        );
    }
    let (_, now) = support.get(&path(&site, "")).await;
    assert_eq!(
        (now["site"]["status"].as_str(), &now["site"]["v"]),
        (Some("poc_ready"), &site["v"]),
        "nothing changed"
    );
    assert!(now["site"]["pitch"]["proposal"].is_null());
    let email = site["contact_email"].as_str().unwrap();
    assert!(
        link_tokens(&app.ports, email, MailKind::Proposal, "proposal.html#")
            .await
            .is_empty(),
        "nothing mailed"
    );
}

on_both_engines!(proposals_are_checked_and_nothing_changes_on_a_refusal: checked_embedded, checked_cloud);

async fn accepting_online_twice_makes_one_account_and_one_order(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let email = fresh_email();
    let site = ready_site(&support, &email).await;
    let (status, sent) = send(&support, &site, lines(&fresh_domain())).await;
    assert_eq!(
        (status, sent["status"].as_str()),
        (200, Some("proposal_sent")),
        "{sent}"
    );
    assert_eq!(
        sent["pitch"]["proposal"]["totals"]["monthly"],
        499 + 500 + 4900
    );

    let preview = token(app, &email, MailKind::Proposal, "preview.html#").await;
    assert_eq!(
        preview_of(app, &preview).await.0,
        200,
        "the mail's preview link shows the preview"
    );
    let proposal = token(app, &email, MailKind::Proposal, "proposal.html#").await;
    let (status, _, shown) = app.get(&format!("/api/proposals/{proposal}")).await;
    assert_eq!(
        (status, shown["lines"].as_array().map(Vec::len)),
        (200, Some(4)),
        "{shown}"
    );
    assert_eq!(
        (shown["accepted"].as_bool(), shown["currency"].as_str()),
        (Some(false), Some("USD"))
    );
    let account = sent["panel_account"].as_str().unwrap();
    assert_eq!(
        shown["preview_url"],
        format!("/simulated-panel/sites/{account}"),
        "the preview is where the panel serves it"
    );
    let (_, viewed) = support.get(&path(&site, "")).await;
    assert!(
        viewed["site"]["pitch"]["viewed_at"].is_string(),
        "staff see it was opened: {viewed}"
    );

    let (first, second) = tokio::join!(accept(app, &proposal), accept(app, &proposal));
    assert_eq!((first.0, second.0), (200, 200), "{} {}", first.1, second.1);
    let (status, third) = accept(app, &proposal).await;
    assert_eq!(
        (status, &third),
        (200, &first.1),
        "accepting again answers the same"
    );
    assert!(
        third["next"]
            .as_str()
            .unwrap()
            .contains("set your password")
    );
    assert_eq!(
        preview_of(app, &preview).await.0,
        410,
        "the preview ends with the acceptance"
    );

    let (_, view) = support.get(&path(&site, "")).await;
    let accepted = &view["site"];
    assert_eq!(accepted["status"], "accepted");
    assert_eq!(accepted["pitch"]["accepted_via"], "online");
    let order_id = accepted["pitch"]["order_id"]
        .as_str()
        .expect("an order")
        .to_string();
    let services = view["services"].as_array().unwrap();
    assert_eq!(services.len(), 4, "one service a line, once: {services:?}");
    assert!(services.iter().all(|s| s["status"] == "pending"));
    let hosting = services
        .iter()
        .find(|s| s["service_type"] == "hosting")
        .unwrap();
    assert_eq!(hosting["provisioned"], format!("order:{order_id}"));
    let upkeep = services
        .iter()
        .find(|s| s["service_type"] == "website_maintenance")
        .unwrap();
    assert!(
        upkeep["provisioned"].is_null(),
        "maintenance is ours to do, not an order's"
    );

    let welcome = link_tokens(&app.ports, &email, MailKind::ProposalAccepted, "#token=").await;
    assert_eq!(
        welcome.len(),
        1,
        "one welcome mail, with one link to set the password"
    );
    let set = json!({"token": welcome[0], "password": "correct horse battery"});
    let (status, body) = app
        .post_with("/api/password-reset/confirm", &set, &[])
        .await;
    assert_eq!(status, 204, "{body}");
    let jean = Shopper::log_in(app, &email).await;
    let (_, me) = jean.get("/api/me").await;
    assert_eq!(me["id"], accepted["customer_id"]);
    assert_eq!(me["company"], "Boulangerie du Parc");
    let (_, orders) = jean.get("/api/orders").await;
    let orders = orders.as_array().unwrap().clone();
    assert_eq!(orders.len(), 1, "one order: {orders:?}");
    assert_eq!(orders[0]["id"], order_id.as_str());
    assert_eq!(
        orders[0]["status"], "awaiting_payment",
        "unpaid, to pay in the portal"
    );
}

on_both_engines!(accepting_online_twice_makes_one_account_and_one_order: accept_embedded, accept_cloud);

async fn an_existing_customer_is_linked_and_staff_may_record_an_acceptance(app: &App) {
    let email = fresh_email();
    let ada = Shopper::sign_up(app, &email, "LU").await;
    let (_, me) = ada.get("/api/me").await;
    let support = Clerk::log_in(app, Role::Support).await;
    let upkeep = json!([{"kind": "website_maintenance", "name": "Upkeep", "period": "annual", "price": 12000, "currency": "USD"}]);

    let online = ready_site(&support, &email).await;
    let (status, _) = send(&support, &online, upkeep.clone()).await;
    assert_eq!(status, 200);
    let proposal = token(app, &email, MailKind::Proposal, "proposal.html#").await;
    let (status, answer) = accept(app, &proposal).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["next"]
            .as_str()
            .unwrap()
            .contains("set your password"),
        "the same words either way: {answer}"
    );
    let (_, view) = support.get(&path(&online, "")).await;
    assert_eq!(
        view["site"]["customer_id"], me["id"],
        "linked to the customer with that email"
    );
    assert!(
        view["site"]["pitch"]["order_id"].is_null(),
        "no plan, no order"
    );
    assert!(
        link_tokens(&app.ports, &email, MailKind::ProposalAccepted, "#token=")
            .await
            .is_empty(),
        "no password link for an account that has one"
    );

    let by_phone = ready_site(&support, &email).await;
    let (_, sent) = send(&support, &by_phone, upkeep).await;
    let body = json!({"to": "accepted", "why": "said yes on the phone", "v": sent["v"]});
    let (status, _) = support.post(&path(&by_phone, "/moves"), body.clone()).await;
    assert_eq!(
        status, 403,
        "recording an acceptance needs the billing role"
    );
    let billing = Clerk::log_in(app, Role::Billing).await;
    let (status, accepted) = billing.post(&path(&by_phone, "/moves"), body).await;
    assert_eq!(status, 200, "{accepted}");
    assert_eq!(
        (
            accepted["customer_id"].as_str(),
            accepted["pitch"]["accepted_via"].as_str()
        ),
        (me["id"].as_str(), Some("staff"))
    );
    let (_, view) = support.get(&path(&by_phone, "")).await;
    assert_eq!(
        view["services"].as_array().unwrap().len(),
        1,
        "the same as online: {view}"
    );
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, trail) = admin
        .get(&format!(
            "/api/admin/audit?subject=site:{}",
            by_phone["id"].as_str().unwrap()
        ))
        .await;
    let entry = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "proposal_accepted")
        .unwrap()
        .clone();
    assert_eq!(
        (entry["why"].as_str(), entry["role"].as_str()),
        (Some("said yes on the phone"), Some("billing"))
    );
    let response = http()
        .get(app.url("/api/me"))
        .header("cookie", &ada.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        200,
        "the customer's own session is untouched"
    );
}

on_both_engines!(an_existing_customer_is_linked_and_staff_may_record_an_acceptance: linked_embedded, linked_cloud);

/// An acceptance whose order is refused (the customer already has the
/// one unpaid order allowed) tells whoever holds the link only that the
/// order waits, nothing of the account; the site is accepted but not
/// settled. Staff see why, and once the customer cancelled their other
/// order, place the proposal's order again.
async fn a_refused_order_tells_the_link_nothing_and_staff_try_again(app: &App) {
    let email = fresh_email();
    let ada = Shopper::sign_up(app, &email, "LU").await;
    let (_, waiting) = ada
        .order(hostfront_tests::shopper::hosting(
            "subdomain",
            &fresh_username(),
            &fresh_username(),
        ))
        .await;
    let support = Clerk::log_in(app, Role::Support).await;
    let site = ready_site(&support, &email).await;
    let (status, _) = send(&support, &site, lines(&fresh_domain())).await;
    assert_eq!(status, 200);
    let proposal = token(app, &email, MailKind::Proposal, "proposal.html#").await;
    let (status, refused) = accept(app, &proposal).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("order_refused")),
        "{refused}"
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.ends_with("could not be placed yet: we will be in touch"),
        "{message}"
    );
    let (_, now) = support.get(&path(&site, "")).await;
    assert_eq!(now["site"]["status"], "accepted");
    assert_eq!(now["site"]["pitch"]["settled"], false, "{now}");

    let billing = Clerk::log_in(app, Role::Billing).await;
    let again = json!({"to": "accepted", "why": "placing it again", "v": now["site"]["v"]});
    let (status, told) = billing.post(&path(&site, "/moves"), again.clone()).await;
    assert_eq!(status, 409, "{told}");
    assert!(
        told["error"]["message"]
            .as_str()
            .unwrap()
            .contains("awaiting payment"),
        "staff see why: {told}"
    );
    let cancel = format!("/api/orders/{}/cancel", waiting["id"].as_str().unwrap());
    assert_eq!(ada.post(&cancel, json!({}), None).await.0, 200);
    let (status, settled) = billing.post(&path(&site, "/moves"), again).await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(
        (
            settled["pitch"]["settled"].as_bool(),
            settled["pitch"]["order_id"].is_string()
        ),
        (Some(true), true),
        "{settled}"
    );
    let (status, _) = billing
        .post(
            &path(&site, "/moves"),
            json!({"to": "accepted", "why": "once more", "v": settled["v"]}),
        )
        .await;
    assert_eq!(status, 409, "settled: nothing more to place");
}

on_both_engines!(a_refused_order_tells_the_link_nothing_and_staff_try_again: refused_embedded, refused_cloud, |config| config.policy.max_unpaid_orders = 1);
