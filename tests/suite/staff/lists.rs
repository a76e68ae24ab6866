//! The staff lists on both engines: pages that hold every item once, both
//! orders, filters by status and day, searches, parameters refused by name,
//! and CSV downloads (neutralised cells, audited, refused to a lesser role).

use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::orders::order_key;
use hostfront::scheduler::Task;
use hostfront::staff::Role;
use hostfront::store::{Key, Update};
use hostfront::{CustomerId, OrderId};
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, http};
use serde_json::Value;

fn ids(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("a page: {page}"))
        .iter()
        .map(|item| item[field].as_str().unwrap().to_string())
        .collect()
}

/// Every item of a list, following `next` a page at a time.
pub(super) async fn every_page(clerk: &Clerk<'_>, path: &str, field: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let at = match &cursor {
            Some(next) => format!("{path}&cursor={next}"),
            None => path.to_string(),
        };
        let (status, page) = clerk.get(&at).await;
        assert_eq!(status, 200, "{at}: {page}");
        found.extend(ids(&page, field));
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return found,
        }
    }
}

/// A CSV download: status, headers and body.
pub(super) async fn download(
    clerk: &Clerk<'_>,
    path: &str,
    accept: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let response = http()
        .get(clerk.app.url(path))
        .header("cookie", &clerk.cookie)
        .header("accept", accept)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.unwrap())
}

/// Two customers whose names start with `tag`, `Ann` with two unpaid
/// orders, and one whose name is a formula (found by email).
async fn customers<'a>(app: &'a App, tag: &str) -> (Shopper<'a>, Shopper<'a>, Vec<String>) {
    let sign_up = async |who: &str, name: String| {
        Shopper::sign_up_as(app, &format!("{tag}{who}@example.com"), &name, "GB").await
    };
    let ann = sign_up("a", format!("{tag} Ann")).await;
    let bob = sign_up("b", format!("{tag} Bob")).await;
    sign_up("e", format!("=HYPERLINK(\"x\") {tag}")).await;
    let mut orders = Vec::new();
    for _ in 0..2 {
        let (status, order) = ann
            .order(hosting("register", &fresh_domain(), &fresh_username()))
            .await;
        assert_eq!(status, 201, "{order}");
        orders.push(order["id"].as_str().unwrap().to_string());
    }
    (ann, bob, orders)
}

async fn orders_page_sort_filter_and_search(app: &App) {
    let tag = fresh_username();
    let (ann, _, orders) = customers(app, &tag).await;
    let me = ann.get("/api/me").await.1;
    let ann_id = me["id"].as_str().unwrap();
    let support = Clerk::log_in(app, Role::Support).await;
    let today = &hostfront::clock::rfc3339(app.ports.clock.now())[..10];

    // A customer's orders: a page at a time, newest first, the reverse oldest first.
    let mine = format!("/api/admin/customers/{ann_id}/orders?limit=1");
    let newest = every_page(&support, &mine, "id").await;
    let oldest = every_page(&support, &format!("{mine}&sort=oldest"), "id").await;
    let mut sorted = orders.clone();
    sorted.sort();
    assert_eq!(oldest, sorted);
    assert_eq!(newest, sorted.iter().rev().cloned().collect::<Vec<_>>());
    let start = &orders[1][..20];
    let found = every_page(&support, &format!("{mine}&q={start}"), "id").await;
    assert_eq!(found, vec![orders[1].clone()], "an id's start finds it");
    let later = every_page(&support, &format!("{mine}&from=2999-01-01"), "id").await;
    assert!(later.is_empty(), "{later:?}");

    // All orders in a status, today: both orders, each once, in both orders.
    let queue =
        format!("/api/admin/orders?status=awaiting_payment&from={today}&to={today}&limit=1");
    let newest = every_page(&support, &queue, "id").await;
    let mut oldest = every_page(&support, &format!("{queue}&sort=oldest"), "id").await;
    oldest.reverse();
    assert_eq!(newest, oldest);
    let once: std::collections::HashSet<_> = newest.iter().collect();
    assert_eq!(once.len(), newest.len(), "no order twice: {newest:?}");
    assert!(orders.iter().all(|o| newest.contains(o)), "{newest:?}");
    let all = every_page(
        &support,
        &format!("/api/admin/orders?from={today}&limit=100"),
        "id",
    )
    .await;
    assert!(
        orders.iter().all(|o| all.contains(o)),
        "all orders hold them"
    );
    for elsewhere in [
        "/api/admin/orders?status=active&limit=100",
        "/api/admin/orders?to=2000-01-01",
    ] {
        let found = every_page(&support, elsewhere, "id").await;
        assert!(!orders.iter().any(|o| found.contains(o)), "{elsewhere}");
    }
    let (_, by_id) = support
        .get(&format!("/api/admin/orders?q={}", orders[0].to_lowercase()))
        .await;
    assert_eq!(ids(&by_id, "id"), vec![orders[0].clone()]);
    assert_eq!(by_id["items"][0]["email"], me["email"], "as staff see it");

    // An order placed before the list of all orders is filed there by the migration.
    let key = order_key(&CustomerId::new(ann_id), &OrderId::new(orders[0].as_str()));
    let unfiled = Update::new().remove("gsi2pk").remove("gsi2sk");
    app.ports.table.update(&key, unfiled, None).await.unwrap();
    let all = "/api/admin/orders?limit=100";
    assert!(!every_page(&support, all, "id").await.contains(&orders[0]));
    // The app's first run of the task found every order filed; a table of
    // older orders is one whose pass has not run yet.
    let done = Key::new("MIGRATION#order_list", "DONE");
    assert!(app.ports.table.delete(&done, None).await.unwrap().is_some());
    let outcome = Task::MigrateRecords.run(&app.ports).await.unwrap();
    assert!(
        outcome.ends_with("; 1 older orders filed in the list of all orders"),
        "{outcome}"
    );
    assert!(every_page(&support, all, "id").await.contains(&orders[0]));
}

on_both_engines!(orders_page_sort_filter_and_search: orders_list_embedded, orders_list_cloud);

async fn customers_and_invoices(app: &App) {
    let tag = fresh_username();
    let (ann, bob, _) = customers(app, &tag).await;
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;

    let az = every_page(
        &support,
        &format!("/api/admin/customers?q={}&limit=1", tag.to_uppercase()),
        "name",
    )
    .await;
    assert_eq!(az, vec![format!("{tag} Ann"), format!("{tag} Bob")]);
    let za = every_page(
        &support,
        &format!("/api/admin/customers?q={tag}&sort=za"),
        "name",
    )
    .await;
    assert_eq!(za, az.iter().rev().cloned().collect::<Vec<_>>());
    let bob_id = bob.get("/api/me").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let by_email = every_page(
        &support,
        &format!("/api/admin/customers?q={tag}b@example.com"),
        "id",
    )
    .await;
    assert_eq!(by_email, vec![bob_id]);

    let (_, first) = ann.get("/api/orders").await;
    let number = first.as_array().unwrap()[0]["invoice"]["number"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = support.get("/api/admin/invoices").await;
    assert_eq!(status, 403, "invoices are the billing role's");
    let (status, found) = billing
        .get(&format!(
            "/api/admin/invoices?q={number}&status=open&kind=order"
        ))
        .await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(ids(&found, "number"), vec![number.clone()]);
    assert_eq!(found["items"][0]["customer_name"], format!("{tag} Ann"));
    let (_, paid) = billing
        .get(&format!("/api/admin/invoices?q={number}&status=paid"))
        .await;
    assert!(ids(&paid, "number").is_empty(), "{paid}");
    let newest = every_page(&billing, "/api/admin/invoices?limit=100", "number").await;
    assert!(
        newest.windows(2).all(|w| w[0] > w[1]),
        "newest number first"
    );
}

on_both_engines!(customers_and_invoices: customers_invoices_embedded, customers_invoices_cloud);

async fn bad_parameters_are_refused_by_name(app: &App) {
    let billing = Clerk::log_in(app, Role::Billing).await;
    for (path, status, code) in [
        ("/api/admin/orders?colour=red", 400, "invalid_query"),
        ("/api/admin/orders?limit=abc", 400, "invalid_query"),
        ("/api/admin/orders?sort=sideways", 400, "invalid_query"),
        ("/api/admin/orders?limit=0", 422, "invalid_limit"),
        ("/api/admin/orders?limit=101", 422, "invalid_limit"),
        ("/api/admin/orders?sort=az", 422, "invalid_sort"),
        ("/api/admin/orders?status=lost", 422, "invalid_status"),
        ("/api/admin/orders?kind=any", 422, "invalid_kind"),
        ("/api/admin/orders?from=2026-02-30", 422, "invalid_date"),
        (
            "/api/admin/orders?from=2026-02-02&to=2026-02-01",
            422,
            "invalid_date",
        ),
        (
            "/api/admin/orders?cursor=bm90IG91cnM",
            422,
            "invalid_cursor",
        ),
        ("/api/admin/customers?status=open", 422, "invalid_status"),
        ("/api/admin/customers?sort=newest", 422, "invalid_sort"),
        ("/api/admin/invoices?from=2026-01-01", 422, "invalid_date"),
    ] {
        let (got, body) = billing.get(path).await;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {body}"
        );
    }
    let (_, body) = billing.get("/api/admin/orders?sort=za").await;
    assert_eq!(body["error"]["message"], "sort: one of newest, oldest");
    // A cursor of one list is no way into another.
    let (_, page) = billing.get("/api/admin/invoices?limit=1").await;
    if let Some(next) = page["next"].as_str() {
        let (status, _) = billing
            .get(&format!("/api/admin/orders?cursor={next}"))
            .await;
        assert_eq!(status, 422);
    }
}

on_both_engines!(bad_parameters_are_refused_by_name: bad_list_params_embedded, bad_list_params_cloud);

async fn csv_downloads(app: &App) {
    let tag = fresh_username();
    customers(app, &tag).await;
    let support = Clerk::log_in(app, Role::Support).await;

    let path = format!("/api/admin/customers?q={tag}&format=csv");
    let (status, headers, body) = download(&support, &path, "*/*").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"customers-"),
        "{disposition}"
    );
    assert_eq!(headers["x-truncated"], "false");
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "customer,name,email,country,company,vat_number,created"
    );
    assert_eq!(
        lines.len(),
        4,
        "a header, two rows and the last CRLF: {body}"
    );
    assert!(
        lines[1].contains(&format!(",{tag} Ann,{tag}a@example.com,GB,,,")),
        "{body}"
    );
    let (_, _, accepted) = download(
        &support,
        &format!("/api/admin/customers?q={tag}"),
        "text/csv",
    )
    .await;
    assert_eq!(accepted, body, "Accept: text/csv asks the same");

    let formula = format!("/api/admin/customers?q={tag}e@example.com&format=csv");
    let (_, _, one) = download(&support, &formula, "*/*").await;
    let row = one.lines().nth(1).unwrap_or_else(|| panic!("a row: {one}"));
    assert!(
        row.contains(&format!(",\"'=HYPERLINK(\"\"x\"\") {tag}\",")),
        "the formula is text: {row}"
    );

    let (status, _, refused) =
        download(&support, "/api/admin/invoices?format=csv", "text/csv").await;
    assert_eq!(
        status, 403,
        "the billing role's list is not a support download: {refused}"
    );

    let actor = Actor::Staff(support.enrolment.member.id.clone());
    let entries = audit::read(app.ports.table.as_ref(), AuditQuery::Actor(&actor), 10)
        .await
        .unwrap();
    let exports: Vec<_> = entries.iter().filter(|e| e.action == "exported").collect();
    assert_eq!(
        exports.len(),
        3,
        "each download recorded, the refused one not: {entries:?}"
    );
    assert!(exports.iter().all(|e| e.subject == "export:customers"));
    let why = format!("2 rows of customers as CSV (sort az, search \"{tag}\")");
    assert!(exports.iter().any(|e| e.why == why), "{exports:?}");
}

on_both_engines!(csv_downloads: csv_downloads_embedded, csv_downloads_cloud);

/// A formula in a customer's name reaches the spreadsheet as text.
#[test]
fn formula_cells_are_neutralised() {
    use hostfront::listing::csv::line;
    assert_eq!(
        line(&["=HYPERLINK(\"x\")", "-3"]),
        "\"'=HYPERLINK(\"\"x\"\")\",-3\r\n"
    );
}
