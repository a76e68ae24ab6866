//! Names a customer must never get: the company's zone and anything under
//! it, the names the company uses itself, and domains they have not proved
//! are theirs.

use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::json;

on_both_engines!(company_names: company_names_embedded, company_names_cloud);

async fn company_names(app: &App) {
    let mallory = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let zone = app.ports.config.subdomain_zone.clone();
    for action in ["register", "transfer", "external"] {
        for name in [zone.clone(), format!("shop.{zone}")] {
            let mut body = hosting(action, &name, &fresh_username());
            body["domain"]["auth_code"] = json!("anything");
            let (status, error) = mallory.order(body).await;
            let code = error["error"]["code"].as_str();
            assert_eq!(status, 422, "{action} {name}: {error}");
            assert!(
                matches!(code, Some("company_domain" | "not_registrable")),
                "{action} {name}: {error}"
            );
        }
    }
    // The panel's own servers, and the names mail and browsers look up by convention.
    for label in [
        "web1",
        "web2",
        "vmhost1",
        "hostmaster",
        "postmaster",
        "ns7",
        "mta-sts",
        "autodiscover",
        "wpad",
        "cpanel",
        "webmail",
    ] {
        let (status, error) = mallory
            .order(hosting("subdomain", label, &fresh_username()))
            .await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some("reserved")),
            "{label}: {error}"
        );
        let (status, _, check) = app
            .get(&format!("/api/subdomains/check?name={label}"))
            .await;
        assert_eq!(
            (status, check["available"].clone(), check["reason"].clone()),
            (200, json!(false), json!("reserved")),
            "{label}"
        );
    }
    let (_, mine) = mallory.get("/api/orders").await;
    assert_eq!(mine, json!([]), "nothing was ordered");
}

on_both_engines!(proof_of_ownership: proof_of_ownership_embedded, proof_of_ownership_cloud);

/// Someone else's domain stays theirs: an order for it can neither be paid
/// nor proven by another customer, and holds the name only while unpaid.
async fn proof_of_ownership(app: &App) {
    let domain = fresh_domain();
    let mallory = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, order) = mallory
        .order(hosting("external", &domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    let instructions = order["ownership"]["instructions"].as_str().unwrap();
    assert!(
        instructions.contains("TXT record named _hostfront-verify."),
        "{instructions}"
    );
    let (status, error) = mallory
        .pay(id, hostfront::adapters::sim::APPROVED, "GB")
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("domain_not_verified"))
    );
    let (_, shown) = mallory.get(&format!("/api/orders/{id}")).await;
    assert_eq!(
        (shown["status"].as_str(), &shown["payment"]),
        (Some("awaiting_payment"), &json!(null))
    );

    // A record with another value proves nothing; another customer cannot check it.
    let dns = app.ports.simulated_dns.as_ref().unwrap();
    let record = order["ownership"]["name"].as_str().unwrap();
    dns.publish_txt(record, &["hostfront-verify=guess".into()])
        .await
        .unwrap();
    let (status, error) = mallory
        .post(&format!("/api/orders/{id}/verify-domain"), json!({}), None)
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("record_not_found"))
    );
    let eve = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, _) = eve
        .post(&format!("/api/orders/{id}/verify-domain"), json!({}), None)
        .await;
    assert_eq!(status, 404);
    let (status, _, zone) = app
        .get_with(
            &format!("/api/orders/{id}/zone"),
            &[("cookie", &mallory.cookie)],
        )
        .await;
    assert_eq!(
        status, 404,
        "no zone answers for an unproven domain: {zone}"
    );

    // Once the right record is published, twenty checks at once all agree.
    let value = order["ownership"]["value"].as_str().unwrap().to_string();
    dns.publish_txt(record, &[value]).await.unwrap();
    let path = format!("/api/orders/{id}/verify-domain");
    let answers =
        futures::future::join_all((0..20).map(|_| mallory.post(&path, json!({}), None))).await;
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 200 && b["ownership"]["verified"] == true),
        "{answers:?}"
    );
}
