//! The audit log and the members of staff as lists, on both engines: both
//! orders, a day range and an action's start in the audit log, its CSV;
//! staff by email both ways, by role, by the start of an email, and by
//! whether they are disabled.

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use serde_json::json;

use super::lists::{download, every_page};

async fn the_audit_log_and_staff_as_lists(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let support = Clerk::log_in(app, Role::Support).await;
    for path in [
        "/api/admin/orders?format=csv",
        "/api/admin/customers?format=csv",
    ] {
        let (status, _, body) = download(&support, path, "*/*").await;
        assert_eq!(status, 200, "{body}");
    }

    let id = &support.enrolment.member.id;
    let trail = format!("/api/admin/audit?staff={id}&limit=1");
    let newest = every_page(&admin, &trail, "at").await;
    let mut oldest = every_page(&admin, &format!("{trail}&sort=oldest"), "at").await;
    assert!(newest.len() >= 3, "a login and two exports: {newest:?}");
    oldest.reverse();
    assert_eq!(newest, oldest, "the same entries, the other way round");
    let mut exported = every_page(&admin, &format!("{trail}&q=EXPORT"), "subject").await;
    exported.sort();
    assert_eq!(exported, ["export:customers", "export:orders"]);
    let today = &hostfront::clock::rfc3339(app.ports.clock.now())[..10];
    let dated = every_page(&admin, &format!("{trail}&from={today}&to={today}"), "at").await;
    assert_eq!(dated.len(), newest.len());
    assert!(
        every_page(&admin, &format!("{trail}&to=2000-01-01"), "at")
            .await
            .is_empty()
    );
    let (status, _, csv) = download(
        &admin,
        &format!("/api/admin/audit?staff={id}&q=exported"),
        "text/csv",
    )
    .await;
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].starts_with("at,actor,actor_name,role,client,subject"),
        "{csv}"
    );
    assert_eq!(lines.len(), 3, "a header and the two exports: {csv}");
    assert!(lines[1].contains(&format!(",staff:{id},")), "{csv}");
    // The export of one member's entries says whose they were.
    let (status, entries) = admin.get("/api/admin/audit?subject=export:audit").await;
    assert_eq!(status, 200, "{entries}");
    let why = entries["items"][0]["why"].as_str().unwrap_or_default();
    assert!(
        why.contains(&format!("of actor staff:{id} as CSV")),
        "{entries}"
    );

    let (support_email, admin_email) = (
        &support.enrolment.member.email,
        &admin.enrolment.member.email,
    );
    let az = every_page(&admin, "/api/admin/staff?limit=1", "email").await;
    assert!(az.windows(2).all(|w| w[0] < w[1]), "A to Z: {az:?}");
    assert!(az.contains(support_email) && az.contains(admin_email));
    let mut za = every_page(&admin, "/api/admin/staff?sort=za", "email").await;
    za.reverse();
    assert_eq!(za, az);
    let supports = every_page(&admin, "/api/admin/staff?kind=support", "email").await;
    assert!(supports.contains(support_email) && !supports.contains(admin_email));
    let start = &support_email[..14];
    let found = every_page(&admin, &format!("/api/admin/staff?q={start}"), "email").await;
    assert_eq!(found, std::slice::from_ref(support_email));
    let (status, body) = admin
        .send(
            reqwest::Method::PUT,
            &format!("/api/admin/staff/{id}"),
            json!({"disabled": true, "why": "left the company"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let disabled = every_page(&admin, "/api/admin/staff?status=disabled", "email").await;
    let active = every_page(&admin, "/api/admin/staff?status=active", "email").await;
    assert!(disabled.contains(support_email) && !active.contains(support_email));
    assert!(active.contains(admin_email));
}

on_both_engines!(the_audit_log_and_staff_as_lists: staff_lists_embedded, staff_lists_cloud);
