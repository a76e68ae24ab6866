//! The agency pipeline's figures and lists, on both engines: what the
//! figures count, the services expiring soon, pages that list every site
//! once, cursors that only work in their own list; the client services and
//! the prospects sorted, filtered, searched, downloaded as CSV (audited)
//! and refused what they do not allow; older prospects filed by name.

use hostfront::scheduler::Task;
use hostfront::staff::Role;
use hostfront::store::{Key, Update};
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency::{add_service, day_in, new_site};
use super::lists::{download, every_page};

async fn the_figures_and_the_lists(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let (_, before) = support.get("/api/admin/agency/stats").await;
    let site = new_site(&support).await;
    add_service(
        &billing,
        &site,
        (
            "domain",
            "soon.example",
            "annual",
            1200,
            Some(day_in(app, 10)),
        ),
    )
    .await;
    add_service(
        &billing,
        &site,
        (
            "hosting",
            "Web hosting",
            "monthly",
            900,
            Some(day_in(app, 200)),
        ),
    )
    .await;
    let (_, after) = support.get("/api/admin/agency/stats").await;
    let grew = |field: &str| after[field].as_i64().unwrap() - before[field].as_i64().unwrap();
    assert_eq!(
        (
            grew("total_sites"),
            grew("in_proof_of_concept"),
            grew("active_services"),
            grew("renewals_next_30_days")
        ),
        (1, 1, 2, 1),
        "{after}"
    );
    let revenue = |stats: &Value| stats["monthly_revenue"]["EUR"].as_i64().unwrap_or(0);
    assert_eq!(
        revenue(&after) - revenue(&before),
        100 + 900,
        "a yearly 12.00 is 1.00 a month"
    );

    let (_, soon) = support
        .get("/api/admin/client-services?expiring_within_days=30&kind=domain")
        .await;
    let names: Vec<&str> = soon["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"soon.example") && !names.contains(&"Web hosting"),
        "{names:?}"
    );

    for _ in 0..51 {
        new_site(&support).await;
    }
    let (_, first) = support.get("/api/admin/sites").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().expect("a next page");
    let (status, second) = support
        .get(&format!("/api/admin/sites?cursor={next}"))
        .await;
    assert_eq!(status, 200, "{second}");
    let pages = [&first, &second];
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap())
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let once: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert!(
        ids.len() >= 52 && once.len() == ids.len(),
        "every site once, in {} and {}",
        ids.len(),
        once.len()
    );
    // A cursor of another list is no way into it.
    let (status, body) = support
        .get(&format!("/api/admin/client-services?cursor={next}"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_cursor"))
    );
    let (status, body) = support.get("/api/admin/sites?status=nonsense").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_status"))
    );
}

on_both_engines!(the_figures_and_the_lists: figures_embedded, figures_cloud);

/// A member of staff's export entries in the audit log.
async fn exports(app: &App, clerk: &Clerk<'_>) -> Vec<hostfront::audit::AuditEntry> {
    let actor = hostfront::audit::Actor::Staff(clerk.enrolment.member.id.clone());
    let query = hostfront::audit::AuditQuery::Actor(&actor);
    let entries = hostfront::audit::read(app.ports.table.as_ref(), query, 20).await;
    let entries = entries.unwrap().into_iter();
    entries.filter(|e| e.action == "exported").collect()
}

async fn client_services_sort_filter_search_and_download(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let site = new_site(&support).await;
    for service in [
        (
            "hosting",
            "Web hosting",
            "monthly",
            900,
            Some(day_in(app, 200)),
        ),
        (
            "domain",
            "soon.example",
            "annual",
            1200,
            Some(day_in(app, 10)),
        ),
        (
            "website_maintenance",
            "Website design",
            "one_time",
            150000,
            None,
        ),
        (
            "website_maintenance",
            "=1+2 upkeep",
            "monthly",
            4900,
            Some(day_in(app, 40)),
        ),
    ] {
        add_service(&billing, &site, service).await;
    }
    let names = async |query: &str| {
        let path = format!("/api/admin/client-services?limit=1&{query}");
        every_page(&support, &path, "name").await
    };
    let soonest = [
        "soon.example",
        "=1+2 upkeep",
        "Web hosting",
        "Website design",
    ];
    assert_eq!(
        names("").await,
        soonest,
        "soonest last day first, none last"
    );
    let mut latest = soonest;
    latest.reverse();
    assert_eq!(names("sort=latest").await, latest);
    assert_eq!(names("expiring_within_days=30").await, ["soon.example"]);
    let (from, to) = (day_in(app, 30), day_in(app, 300));
    let ranged = ["=1+2 upkeep", "Web hosting"];
    assert_eq!(names(&format!("from={from}&to={to}")).await, ranged);
    assert_eq!(
        names(&format!("from={from}")).await,
        ranged,
        "a service without a last day is in no range"
    );
    assert_eq!(names("kind=domain&status=active").await, ["soon.example"]);
    assert!(names("status=cancelled").await.is_empty());
    assert_eq!(names("q=HOST").await, ["Web hosting"], "any part, any case");
    let (_, page) = support.get("/api/admin/client-services?q=soon").await;
    assert_eq!(page["items"][0]["site_name"], "Boulangerie du Parc");

    let path = "/api/admin/client-services?sort=latest&format=csv";
    let (status, headers, body) = download(&support, path, "*/*").await;
    assert_eq!(status, 200, "{body}");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"client-services-")
    );
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "service,site,site_name,kind,name,status,period,price,currency,last_day,auto_renew,provider,provisioned,created"
    );
    assert_eq!(lines.len(), 6, "a header, four rows, the last CRLF: {body}");
    let site_id = site["id"].as_str().unwrap();
    let upkeep = format!(
        ",{site_id},Boulangerie du Parc,website_maintenance,'=1+2 upkeep,active,monthly,49.00,EUR,{},false,,,",
        day_in(app, 40)
    );
    assert!(lines[3].contains(&upkeep), "{}", lines[3]);
    assert!(lines[1].contains(",Website design,active,one_time,1500.00,EUR,,false,"));
    let why = "4 rows of client-services as CSV (sort latest)";
    let exported = exports(app, &support).await;
    assert!(
        exported
            .iter()
            .any(|e| e.subject == "export:client-services" && e.why == why),
        "{exported:?}"
    );

    for (path, status, code) in [
        ("sort=newest", 422, "invalid_sort"),
        ("kind=fax", 422, "invalid_kind"),
        ("status=gone", 422, "invalid_status"),
        ("expiring_within_days=3661", 422, "invalid_date"),
        ("expiring_within_days=soon", 400, "invalid_query"),
        ("service_type=domain", 400, "invalid_query"),
    ] {
        let (got, body) = support
            .get(&format!("/api/admin/client-services?{path}"))
            .await;
        let code_of = body["error"]["code"].as_str();
        assert_eq!((got, code_of), (status, Some(code)), "{path}: {body}");
    }
    let (_, body) = support.get("/api/admin/client-services?sort=az").await;
    assert_eq!(body["error"]["message"], "sort: one of soonest, latest");
}

on_both_engines!(client_services_sort_filter_search_and_download: client_services_embedded, client_services_cloud);

async fn prospects_sort_filter_search_and_download(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let mut made = Vec::new();
    for name in [
        "Zeta Garage",
        "alpha Fleurs",
        "=SUM(A1) Ltd",
        "Alpha Bakery",
        "Mid Shop",
    ] {
        let lead = json!({"business_name": name, "contact_name": "Jo", "email": "jo@lead.example"});
        let (status, prospect) = support.post("/api/admin/prospects", lead).await;
        assert_eq!(status, 201, "{prospect}");
        made.push(prospect);
        // Each captured at a millisecond of its own, so newest first is one order.
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let names = async |query: &str| {
        let path = format!("/api/admin/prospects?limit=2&{query}");
        every_page(&support, &path, "business_name").await
    };
    let captured: Vec<&str> = made
        .iter()
        .map(|p| p["business_name"].as_str().unwrap())
        .collect();
    let mut newest = captured.clone();
    newest.reverse();
    assert_eq!(names("").await, newest, "newest first");
    assert_eq!(names("sort=oldest").await, captured);
    let az = [
        "=SUM(A1) Ltd",
        "Alpha Bakery",
        "alpha Fleurs",
        "Mid Shop",
        "Zeta Garage",
    ];
    assert_eq!(names("sort=az").await, az, "by name, case ignored");
    let mut za = az;
    za.reverse();
    assert_eq!(names("sort=za").await, za);
    assert_eq!(
        names("sort=az&q=ALPHA").await,
        ["Alpha Bakery", "alpha Fleurs"]
    );
    assert_eq!(
        names("q=alpha").await,
        ["Alpha Bakery", "alpha Fleurs"],
        "newest first"
    );
    let mid = &made[4];
    let body = json!({"to": "qualified", "why": "wants a shop", "v": mid["v"]});
    let path = format!("/api/admin/prospects/{}/moves", mid["id"].as_str().unwrap());
    assert_eq!(support.post(&path, body).await.0, 200);
    for sort in ["newest", "za"] {
        let found = names(&format!("status=qualified&sort={sort}")).await;
        assert_eq!(found, ["Mid Shop"], "{sort}");
    }
    let today = &hostfront::clock::rfc3339(app.ports.clock.now())[..10];
    assert_eq!(names(&format!("from={today}&to={today}")).await.len(), 5);
    assert!(names("to=2000-01-01").await.is_empty());
    assert!(
        names("sort=az&from=2999-01-01").await.is_empty(),
        "days by name too"
    );

    let (status, _, body) = download(&support, "/api/admin/prospects?sort=az", "text/csv").await;
    assert_eq!(status, 200, "{body}");
    let lines: Vec<&str> = body.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "prospect,business,status,contact,email,phone,website,source,site,captured,captured_by,notes"
    );
    assert_eq!(lines.len(), 7, "a header, five rows, the last CRLF: {body}");
    let formula = format!(
        "{},'=SUM(A1) Ltd,new,Jo,jo@lead.example,,,,,",
        made[2]["id"].as_str().unwrap()
    );
    assert!(lines[1].starts_with(&formula), "{}", lines[1]);
    assert!(lines[4].contains(",Mid Shop,qualified,"), "{}", lines[4]);
    let exported = exports(app, &support).await;
    assert!(
        exported
            .iter()
            .any(|e| e.why == "5 rows of prospects as CSV (sort az)"),
        "{exported:?}"
    );

    for (path, status, code) in [
        ("sort=soonest", 422, "invalid_sort"),
        ("status=maybe", 422, "invalid_status"),
        ("kind=lead", 422, "invalid_kind"),
        ("colour=red", 400, "invalid_query"),
    ] {
        let (got, body) = support.get(&format!("/api/admin/prospects?{path}")).await;
        let code_of = body["error"]["code"].as_str();
        assert_eq!((got, code_of), (status, Some(code)), "{path}: {body}");
    }

    // A prospect captured before the name index is filed there by the migration.
    let old = &made[3];
    let id = old["id"].as_str().unwrap();
    let by_status = Update::new().set("gsi2pk", "PROSPECTS#new").set(
        "gsi2sk",
        format!("{}#{id}", old["created_at"].as_str().unwrap()),
    );
    let key = Key::new(format!("PROSPECT#{id}"), "PROSPECT");
    app.ports.table.update(&key, by_status, None).await.unwrap();
    assert!(!names("sort=az").await.contains(&"Alpha Bakery".to_string()));
    let done = Key::new("MIGRATION#prospect_names", "DONE");
    app.ports.table.delete(&done, None).await.unwrap();
    let outcome = Task::MigrateRecords.run(&app.ports).await.unwrap();
    assert!(
        outcome.contains("; 1 older prospects filed by name"),
        "{outcome}"
    );
    assert_eq!(names("sort=az").await, az);
    let again = Task::MigrateRecords.run(&app.ports).await.unwrap();
    assert!(
        !again.contains("prospects"),
        "a full pass is done once: {again}"
    );
}

on_both_engines!(prospects_sort_filter_search_and_download: prospects_list_embedded, prospects_list_cloud);
