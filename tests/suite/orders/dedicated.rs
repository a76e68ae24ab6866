//! Dedicated and managed servers on both engines with the manual clock: a
//! machine of the plan's size taken from the pool with its IP set and
//! reverse DNS, the operating system installed while the customer is told
//! when to expect it, the server live; a managed server without root for
//! the customer and backed up when it ends; an order the pool cannot serve
//! waits, shown to staff, and goes on once a machine is free; a cancelled
//! server wiped and returned to the pool.

use hostfront::Ports;
use hostfront::clock::ManualClock;
use hostfront::machines::PoolMachine;
use hostfront::orders::create::{self, OrderRequest, ServerChoice};
use hostfront::orders::provision::{self, Outcome, SagaError, machine_wait};
use hostfront::orders::{self, OrderError, OrderStatus};
use hostfront::subscriptions::cancel::{self, Acting, When};
use hostfront::subscriptions::{self, Subscription, SubscriptionStatus};
use hostfront::{CustomerId, OrderId};
use hostfront_tests::shopper::{fresh_domain, fresh_username, register};

use super::vps::SSH_KEY;

fn server_order(plan: &str, ssh_public_key: Option<&str>) -> OrderRequest {
    let mut order = register(&fresh_domain(), &fresh_username());
    order.plan_id = plan.into();
    order.server = Some(ServerChoice {
        os_template: "debian-12".into(),
        ssh_public_key: ssh_public_key.map(str::to_string),
    });
    order
}

/// The order as its owner sees it.
async fn order_view(ports: &Ports, customer: &CustomerId, order: &OrderId) -> orders::OrderView {
    let mine = orders::list(ports, customer).await.unwrap();
    mine.into_iter().find(|o| &o.id == order).unwrap()
}

/// The order's step `name`, as its owner sees it.
async fn step(
    ports: &Ports,
    customer: &CustomerId,
    order: &OrderId,
    name: &str,
) -> orders::StepView {
    let view = order_view(ports, customer, order).await;
    view.steps.into_iter().find(|s| s.name == name).unwrap()
}

/// Runs the saga until the installation is under way, then past the
/// pool's install time until the server is live.
async fn install(clock: &ManualClock, ports: &Ports, customer: &CustomerId, order: &OrderId) {
    let waiting = provision::run(ports, customer, order, false).await;
    assert!(
        matches!(
            &waiting,
            Err(SagaError::Waiting {
                step: "os_install",
                ..
            })
        ),
        "{waiting:?}"
    );
    let installing = step(ports, customer, order, "os_install").await;
    let detail = installing.detail.unwrap_or_default();
    assert!(
        detail.starts_with("Installing debian-12: expected ready by"),
        "{detail}"
    );
    clock.advance_secs(ports.machines.install_time().as_secs() as i64 + 1);
    let live = provision::run(ports, customer, order, false).await;
    assert_eq!(live, Ok(Outcome::Live));
}

async fn the_service(ports: &Ports, customer: &CustomerId) -> Subscription {
    subscriptions::of_customer(ports.table.as_ref(), customer)
        .await
        .unwrap()
        .remove(0)
}

/// The service's owner, cancelling it.
fn acting(service: &Subscription) -> Acting<'static> {
    Acting {
        actor: hostfront::audit::Actor::Customer(service.customer_id.clone()),
        client: None,
        role: None,
    }
}

/// Cancels now, lets the plan's notice pass, and tears the service down.
async fn cancel_and_tear_down(clock: &ManualClock, ports: &Ports, service: &Subscription) {
    cancel::request(
        ports,
        acting(service),
        &service.customer_id,
        &service.id,
        When::Now,
    )
    .await
    .unwrap();
    clock.advance_secs(30 * 86_400);
    assert_eq!(cancel::end_due(ports).await.unwrap(), 1);
    cancel::tear_down(ports, &service.customer_id, &service.id)
        .await
        .unwrap();
}

async fn a_dedicated_server_is_installed_then_wiped(clock: &ManualClock, ports: &Ports) {
    let order = server_order("dedicated-e3", Some(SSH_KEY));
    let domain = order.domain.name.clone();
    let (ada, id) = hostfront_tests::customer_with_paid_order(ports, order).await;
    install(clock, ports, &ada.id, &id).await;
    let view = order_view(ports, &ada.id, &id).await;
    let names: Vec<&str> = view.steps.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "domain",
            "machine",
            "os_install",
            "dns_zone",
            "welcome_mail"
        ]
    );

    let service = the_service(ports, &ada.id).await;
    let server = service.hosting.machine.clone().expect("a machine runs it");
    let machine = &server.machine;
    assert_eq!(machine.ipv4.len(), 4, "the plan's IP set: {machine:?}");
    assert!(
        (machine.cores, machine.memory_gb, machine.disk_gb) >= (4, 32, 2000),
        "{machine:?}"
    );
    assert!(!server.managed && !server.back_up_on_cancel);
    for address in &machine.ipv4 {
        let ptr = ports.machines.reverse_dns(address).await.unwrap();
        assert_eq!(
            ptr.as_deref(),
            Some(domain.as_str()),
            "reverse DNS of {address}"
        );
    }
    assert!(!service.on_panel(), "no panel account");
    assert_eq!(service.hosting.account.ipv4, machine.ipv4[0]);

    let held = |pool: Vec<PoolMachine>| pool.into_iter().find(|m| m.id == machine.id).unwrap().held;
    let in_pool = held(ports.machines.pool().await.unwrap());
    assert_eq!(
        in_pool.map(|m| m.hostname),
        Some(domain.clone()),
        "staff see whose it is"
    );

    cancel_and_tear_down(clock, ports, &service).await;
    assert_eq!(
        ports.machines.machine(&machine.id).await.unwrap(),
        None,
        "back in the pool"
    );
    assert_eq!(
        held(ports.machines.pool().await.unwrap()),
        None,
        "free again"
    );
    for address in &machine.ipv4 {
        assert_eq!(ports.machines.reverse_dns(address).await.unwrap(), None);
    }
    let ended = subscriptions::find(ports.table.as_ref(), &ada.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, SubscriptionStatus::Cancelled);
    assert_eq!(ended.backup, None, "the plan keeps no copy");
}

with_clock_on_both_engines!(a_dedicated_server_is_installed_then_wiped: dedicated_embedded, dedicated_cloud);

async fn a_managed_server_gives_no_root_and_is_backed_up(clock: &ManualClock, ports: &Ports) {
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (bob, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let refused = create::place(
        ports,
        &bob,
        "key",
        server_order("managed-e3", Some(SSH_KEY)),
    )
    .await;
    assert!(
        matches!(
            &refused,
            Err(OrderError::Invalid {
                code: "no_root_access",
                ..
            })
        ),
        "{refused:?}"
    );
    let (carol, id) =
        hostfront_tests::customer_with_paid_order(ports, server_order("managed-e3", None)).await;
    install(clock, ports, &carol.id, &id).await;
    let service = the_service(ports, &carol.id).await;
    let server = service.hosting.machine.clone().unwrap();
    assert!(server.managed && server.back_up_on_cancel, "{server:?}");
    cancel_and_tear_down(clock, ports, &service).await;
    let ended = subscriptions::find(ports.table.as_ref(), &carol.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert!(
        ended.backup.is_some(),
        "copied before it was wiped: {ended:?}"
    );
    assert_eq!(
        ports.machines.machine(&server.machine.id).await.unwrap(),
        None
    );
}

with_clock_on_both_engines!(a_managed_server_gives_no_root_and_is_backed_up: managed_embedded, managed_cloud);

async fn an_order_waits_for_a_free_machine(clock: &ManualClock, ports: &Ports) {
    // Orders take machines until the pool has none of the plan's size.
    let mut live = Vec::new();
    let waiting = loop {
        assert!(live.len() < 12, "the pool never ran out");
        let (customer, id) =
            hostfront_tests::customer_with_paid_order(ports, server_order("dedicated-e3", None))
                .await;
        match provision::run(ports, &customer.id, &id, false).await {
            Err(SagaError::Waiting {
                step: "os_install", ..
            }) => live.push(customer.id),
            Err(SagaError::Waiting {
                step: "machine", ..
            }) => break (customer.id, id),
            other => panic!("{other:?}"),
        }
    };
    let (customer, id) = &waiting;
    let copy = provision::run(ports, customer, id, false).await;
    assert_eq!(
        copy,
        Ok(Outcome::AlreadyWaiting),
        "a second copy of its job ends"
    );
    let view = order_view(ports, customer, id).await;
    assert_eq!(
        view.status,
        OrderStatus::Provisioning,
        "waiting, not failed"
    );
    let machine_step = step(ports, customer, id, "machine").await;
    let detail = machine_step.detail.unwrap_or_default();
    assert!(detail.contains("our team has been told"), "{detail}");
    let waits = machine_wait::waiting(ports.table.as_ref()).await.unwrap();
    assert_eq!(waits.len(), 1, "{waits:?}");
    assert_eq!(waits[0].order_id, id.to_string(), "staff see it");

    // A cancelled server returns its machine; the waiting order takes it.
    clock.advance_secs(ports.machines.install_time().as_secs() as i64 + 1);
    let first = live.remove(0);
    for other in live.iter().chain([&first]) {
        let order = orders::list(ports, other).await.unwrap().remove(0);
        provision::run(ports, other, &order.id, false)
            .await
            .unwrap();
    }
    // It waits through the plan's 30 days' notice, looked at again meanwhile.
    let service = the_service(ports, &first).await;
    cancel::request(ports, acting(&service), &first, &service.id, When::Now)
        .await
        .unwrap();
    for _ in 0..3 {
        clock.advance_secs(10 * 86_400);
        let again = provision::run(ports, customer, id, false).await;
        assert!(
            matches!(
                &again,
                Err(SagaError::Waiting {
                    step: "machine",
                    ..
                })
            ),
            "{again:?}"
        );
    }
    assert_eq!(cancel::end_due(ports).await.unwrap(), 1);
    cancel::tear_down(ports, &first, &service.id).await.unwrap();
    // Its job comes back within ten minutes and takes the machine.
    clock.advance_secs(10 * 60);
    let next = provision::run(ports, customer, id, false).await;
    assert!(
        matches!(
            &next,
            Err(SagaError::Waiting {
                step: "os_install",
                ..
            })
        ),
        "{next:?}: {:?}",
        order_view(ports, customer, id).await
    );
    let waits = machine_wait::waiting(ports.table.as_ref()).await.unwrap();
    assert!(waits.is_empty(), "no longer waiting: {waits:?}");
}

with_clock_on_both_engines!(an_order_waits_for_a_free_machine: machine_wait_embedded, machine_wait_cloud);
