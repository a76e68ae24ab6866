//! The agency pipeline under two requests at once, on both engines: the
//! services limit holds, a site cancelled while a service is added never
//! keeps a live one, a suspended site's new service waits with it, and
//! days are days.

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::fresh_username;
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency::{add_service, new_site};
use super::agency_golive::{accepted_for, publish_proof};

fn monthly(name: &str, day: &str) -> Value {
    json!({"service_type": "website_maintenance", "name": name, "period": "monthly", "price": 900, "currency": "EUR", "expires_on": day})
}

async fn site_view(clerk: &Clerk<'_>, id: &str) -> Value {
    clerk.get(&format!("/api/admin/sites/{id}")).await.1
}

async fn two_requests_at_once_keep_the_register_whole(app: &App) {
    let billing = Clerk::log_in(app, Role::Billing).await;
    let day = (app.ports.clock.now().date() + time::Duration::days(60)).to_string();
    let site = new_site(&billing).await;
    let id = site["id"].as_str().unwrap().to_string();
    let path = format!("/api/admin/sites/{id}/services");
    for n in 0..39 {
        add_service(
            &billing,
            &site,
            (
                "website_maintenance",
                &format!("upkeep {n}"),
                "monthly",
                900,
                Some(day.clone()),
            ),
        )
        .await;
    }
    let (a, b) = tokio::join!(
        billing.post(&path, monthly("one", &day)),
        billing.post(&path, monthly("two", &day))
    );
    let added = [a.0, b.0].iter().filter(|s| **s == 201).count();
    assert_eq!(added, 1, "one of two wins at the limit: {a:?} {b:?}");
    assert_eq!(
        site_view(&billing, &id).await["services"]
            .as_array()
            .unwrap()
            .len(),
        40
    );

    // Cancelled while a service is added: either the add loses, or the
    // cancel does; never a cancelled site with a live service.
    for _ in 0..3 {
        let site = new_site(&billing).await;
        let id = site["id"].as_str().unwrap().to_string();
        let moves = format!("/api/admin/sites/{id}/moves");
        let cancel = json!({"to": "cancelled", "why": "client left", "v": site["v"]});
        let services = format!("/api/admin/sites/{id}/services");
        tokio::join!(
            billing.post(&moves, cancel),
            billing.post(&services, monthly("late", &day)),
        );
        let view = site_view(&billing, &id).await;
        if view["site"]["status"] == "cancelled" {
            assert!(
                view["services"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|s| s["status"] == "cancelled"),
                "{view}"
            );
        }
    }
}

on_both_engines!(two_requests_at_once_keep_the_register_whole: races_embedded, races_cloud);

async fn a_suspended_sites_new_service_waits_and_days_are_days(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let today = app.ports.clock.now().date();
    let day = (today + time::Duration::days(60)).to_string();
    let mut site = new_site(&support).await;
    let id = site["id"].as_str().unwrap().to_string();
    for (to, extra) in [
        ("poc_ready", json!({})),
        ("proposal_sent", json!({})),
        ("accepted", json!({})),
        ("live", json!({"live_domain": "parc.example"})),
        ("suspended", json!({})),
    ] {
        if to == "live" {
            // Going live needs the site's customer and the domain's proof.
            let (owner, _) = hostfront_tests::customer(&app.ports, &fresh_username()).await;
            accepted_for(&app.ports, &id, owner.id.as_str(), None).await;
            publish_proof(app, &billing, &site, "parc.example").await;
        }
        let mut body = json!({"to": to, "why": "next", "v": site["v"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (status, moved) = billing
            .post(&format!("/api/admin/sites/{id}/moves"), body)
            .await;
        assert_eq!(status, 200, "{moved}");
        site = moved;
    }
    let path = format!("/api/admin/sites/{id}/services");
    let (status, waiting) = billing
        .post(&path, monthly("added while suspended", &day))
        .await;
    assert_eq!(
        (status, waiting["status"].as_str()),
        (201, Some("suspended")),
        "{waiting}"
    );
    let (status, _) = billing
        .post(
            &format!("/api/admin/sites/{id}/moves"),
            json!({"to": "live", "why": "paid", "v": site["v"].as_i64().unwrap() + 1}),
        )
        .await;
    assert_eq!(status, 200);
    let view = site_view(&billing, &id).await;
    assert!(
        view["services"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "active"),
        "{view}"
    );

    for bad in [
        "-0001-01-01",
        "0000-01-01",
        "+2027-01-01",
        "1999-12-31",
        "2027-02-29",
        "2027-1-01",
    ] {
        let (status, body) = billing.post(&path, monthly("dated", bad)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("invalid_date")),
            "{bad}"
        );
    }
    let (status, leap) = billing.post(&path, monthly("leap", "2028-02-29")).await;
    assert_eq!(status, 201, "{leap}");
    let service = &view["services"][0];
    let moves = format!("{path}/{}/moves", service["id"].as_str().unwrap());
    let (status, body) = billing.post(&moves, json!({"to": "suspended", "why": "pause", "v": service["v"], "expires_on": "2030-01-01"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_date")),
        "only a renewal sets a new last day"
    );

    let mut sneaky = json!({"business_name": "B", "contact_name": "C", "contact_email": "jo@example.org?bcc=spy%40evil.example"});
    let (status, _) = support.post("/api/admin/sites", sneaky.clone()).await;
    assert_eq!(status, 422, "an address with a query");
    sneaky["contact_email"] = json!("jo@example.org");
    sneaky["contact_phone"] = json!("+++++12345");
    let (status, _) = support.post("/api/admin/sites", sneaky).await;
    assert_eq!(status, 422, "one plus, first");
}

on_both_engines!(a_suspended_sites_new_service_waits_and_days_are_days: waits_embedded, waits_cloud);
