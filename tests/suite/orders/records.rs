//! What a live order leaves behind, on both engines: a hosting service with
//! its plan, price and next due date, and the record of the domain it
//! registered or transferred in; the service's lifecycle; and the migration
//! that gives orders that went live before these records theirs.

use hostfront::adapters::sim::{APPROVED, auth_code_for};
use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::billing::{self, Invoice, InvoiceFor};
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::lifecycle::Status;
use hostfront::orders;
use hostfront::scheduler::Task;
use hostfront::store::{Key, TxOp, Update};
use hostfront::subscriptions::{self, SubscriptionStatus};
use hostfront::{CustomerId, OrderId};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::json;

/// A customer with one live order for a new domain and one for a transfer.
async fn live_customer(app: &App) -> (Shopper<'_>, OrderId, OrderId, String) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let domain = fresh_domain();
    let (_, order) = ada
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    let registered = OrderId::new(order["id"].as_str().unwrap());
    ada.pay(&registered, APPROVED, "GB").await;
    let mut transfer = hosting("transfer", "facebook.com", &fresh_username());
    transfer["domain"]["auth_code"] = json!(auth_code_for("facebook.com"));
    let (status, order) = ada.order(transfer).await;
    assert_eq!(status, 201, "{order}");
    let transferred = OrderId::new(order["id"].as_str().unwrap());
    ada.pay(&transferred, APPROVED, "GB").await;
    ada.wait_for(&registered, "active").await;
    ada.wait_for(&transferred, "active").await;
    (ada, registered, transferred, domain)
}

async fn customer_id(ada: &Shopper<'_>) -> CustomerId {
    CustomerId::new(ada.get("/api/me").await.1["id"].as_str().unwrap())
}

async fn a_live_order_leaves_a_service_and_a_domain(app: &App) {
    let (ada, registered, transferred, domain) = live_customer(app).await;
    let customer = customer_id(&ada).await;
    let table = app.ports.table.as_ref();
    let ports = subscriptions::of_customer(table, &customer).await.unwrap();
    assert_eq!(ports.len(), 2);
    let service = ports.iter().find(|s| s.order_id == registered).unwrap();
    assert_eq!(
        (
            service.status,
            service.plan_id.as_str(),
            service.cycle.as_str(),
            service.price
        ),
        (SubscriptionStatus::Active, "web-starter", "monthly", 499)
    );
    let started = &service.started_at[..10];
    let today = time::OffsetDateTime::now_utc().date();
    assert_eq!(started, today.to_string());
    assert_eq!(
        service.next_due,
        hostfront::clock::add_months(today, 1).to_string()
    );
    assert_eq!(service.hosting.account.domain, domain);

    let about = invoices_of(app, &customer).await;
    assert_eq!(
        about,
        [
            InvoiceFor::Order {
                order_id: transferred.clone()
            },
            InvoiceFor::Order {
                order_id: registered.clone()
            }
        ],
        "the customer's invoices, newest first"
    );
    // The order's page shows the service from its record.
    let (_, order) = ada.get(&format!("/api/orders/{registered}")).await;
    assert_eq!(order["service"]["account"]["domain"], domain.as_str());

    let domains = owned::of_customer(table, &customer).await.unwrap();
    let mut names: Vec<(&str, OwnedStatus)> = domains
        .iter()
        .map(|d| (d.name.as_str(), d.status))
        .collect();
    names.sort_by_key(|(name, _)| *name);
    let mut expected = vec![
        (domain.as_str(), OwnedStatus::Active),
        ("facebook.com", OwnedStatus::TransferPending),
    ];
    expected.sort_by_key(|(name, _)| *name);
    assert_eq!(names, expected);
    let mine = domains.iter().find(|d| d.name == domain).unwrap();
    assert!(
        mine.auto_renew
            && mine.expires_at.unwrap() > time::OffsetDateTime::now_utc().unix_timestamp()
    );
    assert_eq!(
        (mine.order_id.as_str(), mine.registrar.as_str()),
        (registered.as_str(), "simulated")
    );
    let moving = domains.iter().find(|d| d.name == "facebook.com").unwrap();
    assert_eq!(
        (moving.order_id.as_str(), moving.expires_at),
        (transferred.as_str(), None)
    );
}

on_both_engines!(a_live_order_leaves_a_service_and_a_domain: records_embedded, records_cloud);

async fn a_service_moves_only_as_its_lifecycle_allows(app: &App) {
    let (ada, registered, _, _) = live_customer(app).await;
    let customer = customer_id(&ada).await;
    let table = app.ports.table.as_ref();
    let now = || app.ports.clock.now();
    let staff = Actor::Staff("stf-grace".into());
    let service = subscriptions::find(table, &customer, registered.as_str())
        .await
        .unwrap()
        .unwrap();
    let suspend = service.change(
        SubscriptionStatus::Suspended,
        Update::new(),
        staff.clone(),
        "unpaid",
    );
    assert!(suspend.apply(table, now()).await.unwrap());
    // The same move from a stale read finds the service moved on.
    let again = service.change(
        SubscriptionStatus::Suspended,
        Update::new(),
        staff.clone(),
        "unpaid",
    );
    assert!(!again.apply(table, now()).await.unwrap());

    let suspended = subscriptions::find(table, &customer, registered.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(suspended.status, SubscriptionStatus::Suspended);
    let cancel = suspended.cancel(Update::new(), staff.clone(), "asked to leave", now());
    assert!(cancel.apply(table, now()).await.unwrap());
    let cancelled = subscriptions::find(table, &customer, registered.as_str())
        .await
        .unwrap()
        .unwrap();
    let revive = cancelled.change(
        SubscriptionStatus::Active,
        Update::new(),
        staff.clone(),
        "oops",
    );
    let refused = revive.apply(table, now()).await.unwrap_err();
    assert_eq!(
        refused.to_string(),
        "a service that is cancelled cannot become active"
    );

    let subject = format!("service:{registered}");
    let entries = audit::read(table, AuditQuery::Subject(&subject), 10)
        .await
        .unwrap();
    let moves: Vec<(&str, Option<&str>)> = entries
        .iter()
        .rev()
        .map(|e| (e.action.as_str(), e.to.as_deref()))
        .collect();
    assert_eq!(
        moves,
        [
            ("suspended", Some("suspended")),
            ("cancelled", Some("cancelled"))
        ]
    );
    let by_customer = audit::read(table, AuditQuery::Customer(&customer), 50)
        .await
        .unwrap();
    assert!(by_customer.iter().any(|e| e.subject == subject));
    assert!(
        by_customer
            .iter()
            .any(|e| e.subject == format!("order:{registered}"))
    );
    assert_eq!(
        SubscriptionStatus::action(SubscriptionStatus::Suspended, SubscriptionStatus::Active),
        Some("unsuspended")
    );
}

on_both_engines!(a_service_moves_only_as_its_lifecycle_allows: service_lifecycle_embedded, service_lifecycle_cloud);

/// What the customer's invoices are for, newest first.
async fn invoices_of(app: &App, customer: &CustomerId) -> Vec<InvoiceFor> {
    billing::invoice::of_customer(app.ports.table.as_ref(), customer, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.about)
        .collect()
}

/// Puts a live order back in the shape orders had before services were
/// records: the service on the order, no service or domain record, and no
/// migration run yet.
async fn make_legacy(app: &App, customer: &CustomerId, order_id: &OrderId, domain: &str) {
    let order = orders::load(&app.ports, customer, order_id).await.unwrap();
    let invoice = Invoice::read(app.ports.table.as_ref(), order_id)
        .await
        .unwrap();
    let mut legacy_invoice = json!(invoice);
    let fields = legacy_invoice.as_object_mut().unwrap();
    fields.remove("about");
    fields.insert("order_id".into(), json!(order_id));
    let service = subscriptions::find(app.ports.table.as_ref(), customer, order_id.as_str())
        .await
        .unwrap()
        .unwrap();
    app.ports
        .table
        .transact(vec![
            TxOp::Update {
                key: orders::order_key(customer, order_id),
                update: Update::new()
                    .remove("service_id")
                    .remove("plan_price")
                    .set("service", json!(service.hosting)),
                condition: None,
            },
            TxOp::Delete {
                key: subscriptions::key(customer, order_id.as_str()),
                condition: None,
            },
            TxOp::Delete {
                key: owned::key(customer, domain),
                condition: None,
            },
            TxOp::Delete {
                key: Key::new("MIGRATION#records", "DONE"),
                condition: None,
            },
            // The invoice as it was: for its order only, not indexed by customer.
            TxOp::Update {
                key: Invoice::order_key(order_id),
                update: Update::new()
                    .set("invoice", legacy_invoice)
                    .remove("gsi1pk")
                    .remove("gsi1sk"),
                condition: None,
            },
        ])
        .await
        .unwrap();
    assert!(order.service_id.is_some());
}

async fn the_migration_gives_old_live_orders_their_records_once(app: &App) {
    let (ada, registered, _, domain) = live_customer(app).await;
    let customer = customer_id(&ada).await;
    make_legacy(app, &customer, &registered, &domain).await;
    let table = app.ports.table.as_ref();
    let legacy = orders::load(&app.ports, &customer, &registered)
        .await
        .unwrap();
    assert!(legacy.service_id.is_none() && legacy.service.is_some());
    assert_eq!(
        invoices_of(app, &customer).await.len(),
        1,
        "the legacy invoice is not listed"
    );
    // The order's page still shows its service, from the order.
    let (_, page) = ada.get(&format!("/api/orders/{registered}")).await;
    assert_eq!(page["service"]["account"]["domain"], domain.as_str());

    let outcome = Task::MigrateRecords.run(&app.ports).await.unwrap();
    assert!(outcome.starts_with("made the records of "), "{outcome}");
    let migrated = orders::load(&app.ports, &customer, &registered)
        .await
        .unwrap();
    assert_eq!(migrated.service_id.as_deref(), Some(registered.as_str()));
    assert!(migrated.service.is_none());
    let service = subscriptions::find(table, &customer, registered.as_str())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (service.price, service.status),
        (499, SubscriptionStatus::Active)
    );
    let record = owned::of_customer(table, &customer).await.unwrap();
    assert!(
        record
            .iter()
            .any(|d| d.name == domain && d.status == OwnedStatus::Active)
    );
    let (_, page) = ada.get(&format!("/api/orders/{registered}")).await;
    assert_eq!(page["service"]["account"]["domain"], domain.as_str());
    assert_eq!(
        page["invoice"]["about"],
        json!({"kind": "order", "order_id": registered})
    );
    let mut abouts = invoices_of(app, &customer).await;
    abouts.sort_by_key(|a| format!("{a:?}"));
    assert_eq!(
        abouts.len(),
        2,
        "both invoices are the customer's again: {abouts:?}"
    );
    assert!(abouts.contains(&InvoiceFor::Order {
        order_id: registered.clone()
    }));

    assert_eq!(
        Task::MigrateRecords.run(&app.ports).await.unwrap(),
        "nothing to do: every live order has its records"
    );
    let subject = format!("service:{registered}");
    let entries = audit::read(table, AuditQuery::Subject(&subject), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "migrated");
    assert!(
        table
            .get(&Key::new("MIGRATION#records", "DONE"))
            .await
            .unwrap()
            .is_some()
    );
}

on_both_engines!(the_migration_gives_old_live_orders_their_records_once: migrate_embedded, migrate_cloud);
