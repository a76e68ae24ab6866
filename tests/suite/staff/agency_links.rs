//! Register entries linked to Hostfront's own records, on both engines:
//! only to a subscription or domain of the site's customer, by the billing
//! role, once; a linked entry shows its record's status and last day, and
//! the billing run never invoices it.

use hostfront::billing::invoice::{self, InvoiceFor};
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::fresh_domain;
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency::{day_in, new_site};
use super::agency_golive::{accepted_for, live_customer, view};

async fn link(clerk: &Clerk<'_>, site: &Value, service: &Value, record: &str) -> (u16, Value) {
    let path = format!(
        "/api/admin/sites/{}/services/{}/link",
        site["id"].as_str().unwrap(),
        service["id"].as_str().unwrap()
    );
    clerk
        .post(
            &path,
            json!({"record": record, "why": "it is ours", "v": service["v"]}),
        )
        .await
}

async fn a_service_follows_the_record_it_is_linked_to(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let held = fresh_domain();
    let (owner, subscription) = live_customer(app, &held).await;
    let theirs = fresh_domain();
    live_customer(app, &theirs).await;

    let site = new_site(&support).await;
    let mut tracked = json!({});
    for (name, kind) in [(held.as_str(), "domain"), ("Hosting plan", "hosting")] {
        let fresh = view(&support, &site).await["site"].clone();
        let path = format!(
            "/api/admin/sites/{}/services",
            fresh["id"].as_str().unwrap()
        );
        let body = json!({"service_type": kind, "name": name, "period": "monthly", "price": 1500,
            "currency": "EUR", "expires_on": day_in(app, 5), "auto_renew": true});
        let (status, added) = billing.post(&path, body).await;
        assert_eq!(status, 201, "{added}");
        tracked[kind] = added;
    }
    let domain_entry = tracked["domain"].clone();
    let refused = link(&billing, &site, &domain_entry, &format!("domain:{held}")).await;
    assert_eq!(
        (refused.0, refused.1["error"]["code"].as_str()),
        (422, Some("customer_required")),
        "{}",
        refused.1
    );
    accepted_for(
        &app.ports,
        site["id"].as_str().unwrap(),
        owner.id.as_str(),
        None,
    )
    .await;
    for (record, code) in [
        (format!("domain:{theirs}"), "not_the_customers"),
        (
            "subscription:01J0000000000000000000000A".to_string(),
            "not_the_customers",
        ),
        ("order:whatever".to_string(), "invalid_record"),
    ] {
        let refused = link(&billing, &site, &domain_entry, &record).await;
        assert_eq!(
            (refused.0, refused.1["error"]["code"].as_str()),
            (422, Some(code)),
            "{record}"
        );
    }
    let refused = link(&support, &site, &domain_entry, &format!("domain:{held}")).await;
    assert_eq!(refused.0, 403, "linking needs the billing role");

    let (status, linked) = link(&billing, &site, &domain_entry, &format!("domain:{held}")).await;
    assert_eq!(status, 200, "{linked}");
    assert_eq!(
        linked["provisioned"].as_str(),
        Some(format!("domain:{held}").as_str())
    );
    let record = hostfront::domains::owned::find(app.ports.table.as_ref(), &owner.id, &held)
        .await
        .unwrap()
        .unwrap();
    let expiry = time::OffsetDateTime::from_unix_timestamp(record.expires_at.unwrap())
        .unwrap()
        .date()
        .to_string();
    assert_eq!(
        linked["expires_on"].as_str(),
        Some(expiry.as_str()),
        "the record's own last day"
    );
    let again = link(&billing, &site, &linked, &format!("domain:{held}")).await;
    assert_eq!(
        (again.0, again.1["error"]["code"].as_str()),
        (409, Some("already_linked"))
    );

    let hosting = tracked["hosting"].clone();
    let (status, linked) = link(
        &billing,
        &site,
        &hosting,
        &format!("subscription:{}", subscription.id),
    )
    .await;
    assert_eq!(
        (status, linked["status"].as_str()),
        (200, Some("active")),
        "{linked}"
    );

    // Both are due within the lead time and renew by themselves, but their
    // records bill them: the run invoices neither.
    hostfront::agency::billing::run(&app.ports).await.unwrap();
    let bills = invoice::of_customer(app.ports.table.as_ref(), &owner.id, 100)
        .await
        .unwrap();
    assert!(
        !bills
            .iter()
            .any(|b| matches!(b.about, InvoiceFor::ClientService { .. })),
        "{bills:?}"
    );
    let (_, listed) = support.get("/api/admin/client-services").await;
    let shown = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == domain_entry["id"])
        .cloned()
        .unwrap();
    assert_eq!(
        shown["expires_on"].as_str(),
        Some(expiry.as_str()),
        "{shown}"
    );
}

on_both_engines!(a_service_follows_the_record_it_is_linked_to: links_embedded, links_cloud);
