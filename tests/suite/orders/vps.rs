//! A VPS over HTTP on both engines: ordered with an operating system and an
//! SSH key, made on the hypervisor with its addresses and reverse DNS, its
//! zone pointing at it, its login details mailed; what a VPS order refuses;
//! and, with the manual clock, its cancellation deleting it at once.

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::clock::ManualClock;
use hostfront::orders::create::ServerChoice;
use hostfront::subscriptions::cancel::{self, Acting, When};
use hostfront::subscriptions::{self, SubscriptionStatus};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting, register};
use serde_json::json;

use super::kinds::{step_names, welcome_text};

/// A well-formed OpenSSH public key line (an Ed25519 key of bytes 0 to 31).
pub const SSH_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f ada@laptop";

on_both_engines!(vps_journey: vps_embedded, vps_cloud);

async fn vps_journey(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, _, templates) = app.get("/api/os-templates").await;
    assert_eq!(status, 200, "{templates}");
    let os = templates[0]["id"].as_str().unwrap().to_string();

    // What a VPS order refuses, placing nothing.
    let domain = fresh_domain();
    let order_of = |plan: &str, server: serde_json::Value| {
        let mut body = hosting("register", &domain, &fresh_username());
        body["plan_id"] = json!(plan);
        body["server"] = server;
        body
    };
    for (plan, server, code) in [
        (
            "web-starter",
            json!({"os_template": os}),
            "server_not_for_plan",
        ),
        (
            "vps-2",
            json!({"os_template": "windows-95"}),
            "unknown_os_template",
        ),
        (
            "vps-2",
            json!({"os_template": os, "ssh_public_key": "ssh-ed25519 not-base64!"}),
            "invalid_ssh_key",
        ),
        (
            "vps-2",
            json!({"os_template": os, "ssh_public_key": format!("{SSH_KEY}\nssh-rsa AAAA")}),
            "invalid_ssh_key",
        ),
    ] {
        let (status, error) = ada.order(order_of(plan, server)).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some(code)),
            "{error}"
        );
    }
    let (_, none) = ada.get("/api/orders").await;
    assert_eq!(none.as_array().unwrap().len(), 0, "nothing was placed");

    let (status, order) = ada
        .order(order_of(
            "vps-2",
            json!({"os_template": os, "ssh_public_key": SSH_KEY}),
        ))
        .await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["server"]["os_template"], json!(os));
    let id = order["id"].as_str().unwrap();
    let (status, paid) = ada.pay(id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    let live = ada.wait_for(id, "active").await;
    assert_eq!(
        step_names(&live),
        ["domain", "virtual_server", "dns_zone", "welcome_mail"]
    );
    let vm = &live["service"]["vm"];
    assert_eq!(vm["name"], json!(domain), "{vm}");
    assert_eq!(
        (
            vm["vcpus"].as_u64(),
            vm["memory_mb"].as_u64(),
            vm["disk_gb"].as_u64()
        ),
        (Some(2), Some(4096), Some(80)),
        "the plan's size"
    );
    let ipv4 = vm["ipv4"].as_str().unwrap();
    let ptr = app.ports.hypervisor.reverse_dns(ipv4).await.unwrap();
    assert_eq!(ptr.as_deref(), Some(domain.as_str()), "reverse DNS set");
    assert_eq!(
        live["service"]["account"]["panel_url"], "",
        "no control panel"
    );
    let zone = ada.zone(id).await;
    assert!(zone.contains(&format!("@\t3600\tIN\tA\t{ipv4}")), "{zone}");
    assert!(
        zone.contains(&format!(
            "@\t3600\tIN\tAAAA\t{}",
            vm["ipv6"].as_str().unwrap()
        )),
        "{zone}"
    );
    let text = welcome_text(app, id).await;
    assert!(
        text.contains(&format!(
            "SSH: ssh root@{ipv4} (your SSH key, or your order's password)"
        )),
        "{text}"
    );
    assert!(!text.contains("Control panel"), "{text}");

    // Its mail and sites are its own; it is not resized by an upgrade.
    let (_, services) = ada.get("/api/services").await;
    let service = services[0]["id"].as_str().unwrap();
    let (status, error) = ada
        .put(
            &format!("/api/services/{service}/mailboxes"),
            json!({"mailboxes": ["info"]}),
            None,
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("not_on_a_panel")),
        "{error}"
    );
}

/// A VPS order as the library takes it.
fn vps_order() -> hostfront::orders::create::OrderRequest {
    let mut order = register(&fresh_domain(), &fresh_username());
    order.plan_id = "vps-2".into();
    order.server = Some(ServerChoice {
        os_template: "debian-12".into(),
        ssh_public_key: None,
    });
    order
}

async fn a_cancelled_vps_is_deleted_at_once(clock: &ManualClock, ports: &Ports) {
    let (bob, _) = hostfront_tests::customer_with_live_order(ports, vps_order()).await;
    let service = subscriptions::of_customer(ports.table.as_ref(), &bob.id)
        .await
        .unwrap()
        .remove(0);
    let vm = service.hosting.vm.clone().expect("a VPS runs on a VM");
    assert!(ports.hypervisor.vm(&vm.id).await.unwrap().is_some());
    let by = Acting::only(hostfront::audit::Actor::Customer(bob.id.clone()));
    let pending = cancel::request(ports, by, &bob.id, &service.id, When::Now)
        .await
        .unwrap();
    let ends = pending.cancel_at.clone().unwrap();
    clock.advance_secs(14 * 86_400);
    assert_eq!(
        cancel::end_due(ports).await.unwrap(),
        1,
        "ends after the plan's notice, {ends}"
    );
    cancel::tear_down(ports, &bob.id, &service.id)
        .await
        .unwrap();
    assert_eq!(ports.hypervisor.vm(&vm.id).await.unwrap(), None, "deleted");
    assert_eq!(
        ports.hypervisor.reverse_dns(&vm.ipv4).await.unwrap(),
        None,
        "its PTR gone with it"
    );
    let ended = subscriptions::find(ports.table.as_ref(), &bob.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, SubscriptionStatus::Cancelled);
    assert_eq!(ended.backup, None, "a VPS is deleted with no backup");
}

with_clock_on_both_engines!(a_cancelled_vps_is_deleted_at_once: vps_teardown_embedded, vps_teardown_cloud);
