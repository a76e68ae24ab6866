//! The provisioning saga survives duplicates, a killed worker and a step that
//! keeps failing, and never creates anything twice.

use std::sync::Arc;
use std::time::Duration;

use hostfront::OrderId;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::APPROVED;
use hostfront::clock::ManualClock;
use hostfront::dispatch::AppJobs;
use hostfront::dnshost::{DnsError, DnsHost};
use hostfront::jobs::{WorkerSettings, run_worker};
use hostfront::mail::{self, MailKind};
use hostfront::orders::checkout;
use hostfront::orders::create;
use hostfront::orders::provision::{self, Outcome};
use hostfront::orders::{self, OrderStatus};
use hostfront::store::{ItemExt, Query};
use hostfront::zone::Zone;
use hostfront_tests::shopper::{Shopper, card, fresh_domain, fresh_username, hosting, register};
use hostfront_tests::{App, embedded_ports_with, eventually, until};
use tokio_util::sync::CancellationToken;

/// A customer with a paid order, made through the library on `services`.
async fn paid_order(ports: &hostfront::Ports) -> (Customer, OrderId) {
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (customer, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let request = register(&fresh_domain(), &fresh_username());
    let placed = create::place(ports, &customer, "once", request)
        .await
        .unwrap();
    let paid = checkout::pay(ports, &customer, &placed.view.id, card(APPROVED))
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Provisioning);
    (customer, placed.view.id)
}

/// What the simulated world holds for one order: hosting accounts, addresses
/// in use, account-ready mails.
async fn created_things(ports: &hostfront::Ports) -> (usize, usize, usize) {
    let servers = ports
        .table
        .query(Query::partition("SIMPANEL#SERVER"))
        .await
        .unwrap();
    let accounts: i64 = servers
        .items
        .iter()
        .filter_map(|s| s.i64_attr("accounts"))
        .sum();
    let addresses = ports
        .table
        .query(Query::partition("SIMPANEL#ADDR"))
        .await
        .unwrap();
    let used = addresses
        .items
        .iter()
        .filter(|a| a.get("account").is_some())
        .count();
    let ready = mail::outbox(ports, 100)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.kind == MailKind::AccountReady)
        .count();
    (accounts as usize, used, ready)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_delivered_twice_creates_everything_once() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |c| c.sim.panel_latency_ms = 100);
    let (customer, id) = paid_order(&ports).await;
    // Both deliveries run at once; one finds the step leased and fails to retry later.
    let (a, b) = tokio::join!(
        provision::run(&ports, &customer.id, &id, false),
        provision::run(&ports, &customer.id, &id, false),
    );
    assert!(
        a == Ok(Outcome::Live) || b == Ok(Outcome::Live),
        "{a:?} {b:?}"
    );
    let replay = provision::run(&ports, &customer.id, &id, false).await;
    assert_eq!(replay, Ok(Outcome::NothingToDo));
    assert_eq!(created_things(&ports).await, (1, 1, 1));
    let order = orders::load(&ports, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_saga_is_finished_by_another_exactly_once() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |c| c.sim.panel_latency_ms = 400);
    let (customer, id) = paid_order(&ports).await;
    let settings = WorkerSettings {
        visibility: Duration::from_secs(60),
        at_once: 1,
        wait: Duration::from_millis(100),
    };
    let jobs = Arc::new(AppJobs {
        ports: ports.clone(),
    });
    let stop = CancellationToken::new();
    let first = tokio::spawn(run_worker(
        ports.queue.clone(),
        jobs.clone(),
        settings,
        stop.clone(),
    ));
    // Kill the worker while it waits on the panel to create the account.
    let step = hostfront::store::Key::new(format!("ORDER#{id}"), "STEP#1#hosting_account");
    until(
        Duration::from_secs(10),
        "the saga at the hosting account",
        || async {
            let record = ports.table.get(&step).await.unwrap();
            record.is_some_and(|s| s.str_attr("status") == Some("running"))
        },
    )
    .await;
    first.abort();
    let _ = first.await;
    let order = orders::load(&ports, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Provisioning);

    // The job reappears once its visibility ends, and the lease has expired by then.
    clock.advance_secs(180);
    let second = tokio::spawn(run_worker(
        ports.queue.clone(),
        jobs,
        settings,
        stop.clone(),
    ));
    until(
        Duration::from_secs(20),
        "the restarted worker finishing the order",
        || async {
            let order = orders::load(&ports, &customer.id, &id).await.unwrap();
            order.status == OrderStatus::Active
        },
    )
    .await;
    stop.cancel();
    second.await.unwrap();
    assert_eq!(created_things(&ports).await, (1, 1, 1));
    let records = ports
        .table
        .query(Query::partition(format!("ORDER#{id}")))
        .await
        .unwrap();
    let attempts = |name: &str| {
        records
            .items
            .iter()
            .find(|r| r.str_attr("name") == Some(name))
            .and_then(|r| r.i64_attr("attempts"))
    };
    assert_eq!(
        attempts("domain"),
        Some(1),
        "the domain was registered before the crash, once"
    );
    assert_eq!(attempts("hosting_account"), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_keeps_failing_marks_the_order_failed_and_a_redrive_resumes_it() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |c| c.sim.panel_failure_rate = 1.0);
    let (customer, id) = paid_order(&ports).await;
    let first = provision::run(&ports, &customer.id, &id, false).await;
    assert!(first.unwrap_err().to_string().contains("hosting_account"));
    assert_eq!(
        orders::load(&ports, &customer.id, &id)
            .await
            .unwrap()
            .status,
        OrderStatus::Provisioning
    );
    let last = provision::run(&ports, &customer.id, &id, true).await;
    assert!(last.is_err());
    let order = orders::load(&ports, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Failed);
    assert_eq!(order.failed_step.as_deref(), Some("hosting_account"));
    let view = orders::view(&ports, order).await.unwrap();
    assert!(
        view.customer_message
            .unwrap()
            .contains("Create the hosting account")
    );
    assert_eq!(view.steps[1].attempts, 2);

    // Staff fix the panel and redrive the job: the order resumes where it stopped.
    let mut fixed = ports.clone();
    fixed.panel = Arc::new(hostfront::adapters::sim::SimulatedPanel::new(
        ports.table.clone(),
        ports.clock.clone(),
        hostfront::adapters::sim::PanelSettings {
            capacity_per_server: 10,
            addresses: 10,
            latency: Duration::ZERO,
            failure_rate: 0.0,
        },
        "example.net",
    ));
    assert_eq!(
        provision::run(&fixed, &customer.id, &id, false).await,
        Ok(Outcome::Live)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_last_retry_the_job_is_dead_lettered_and_the_order_names_the_step() {
    let app = App::embedded_with(|c| {
        c.sim.panel_failure_rate = 1.0;
        c.policy.queue_max_receives = 2;
    })
    .await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", "flakypanel", "flakypanel"))
        .await;
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "GB").await;
    let failed = ada.wait_for(id, "failed").await;
    assert_eq!(failed["failed_step"], "hosting_account");
    assert_eq!(failed["steps"][1]["status"], "failed");
    // The first try followed the domain step in the same run: a job that moved
    // forward spends no delivery. Then one try per delivery, two deliveries.
    assert_eq!(
        failed["steps"][1]["attempts"], 3,
        "one try per delivery after progress"
    );
    assert!(
        failed["status_message"]
            .as_str()
            .unwrap()
            .contains("Our team has been told")
    );
    let letter = eventually(
        Duration::from_secs(20),
        "the job in the dead-letter queue",
        || async {
            let mut letters = app.ports.queue.dead_letters(10).await.unwrap();
            letters.pop().ok_or("no dead letter")
        },
    )
    .await;
    assert!(letter.body.contains(id));
    app.shutdown().await.unwrap();
}

/// A DNS host whose zones take `pending` calls to be served, as Route 53's
/// changes start `PENDING`; the zone is kept by `inner` all the while.
struct SlowToServe {
    inner: Arc<dyn DnsHost>,
    pending: std::sync::atomic::AtomicU32,
}

#[async_trait::async_trait]
impl DnsHost for SlowToServe {
    fn name(&self) -> &'static str {
        "slow"
    }

    async fn create_zone(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        use std::sync::atomic::Ordering;
        self.inner.create_zone(zone, order_id).await?;
        match self
            .pending
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        {
            Ok(_) => Err(DnsError::Pending {
                change: "C0PENDING".into(),
                retry_in: Duration::from_secs(15),
            }),
            Err(_) => Ok(()),
        }
    }

    async fn zone(&self, origin: &str) -> Result<Option<(Zone, OrderId)>, DnsError> {
        self.inner.zone(origin).await
    }

    async fn replace_records(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        self.inner.replace_records(zone, order_id).await
    }

    async fn remove_zone(&self, origin: &str) -> Result<(), DnsError> {
        self.inner.remove_zone(origin).await
    }
}

/// A zone still propagating makes the DNS step wait, even on what would be
/// the job's last delivery: the order never fails for it, the step shows
/// it waits, and the saga finishes once the zone is served.
async fn a_zone_still_propagating_is_waited_for_never_failed(
    clock: &ManualClock,
    mut ports: hostfront::Ports,
) {
    ports.dns_host = Arc::new(SlowToServe {
        inner: ports.dns_host.clone(),
        pending: 3.into(),
    });
    let (customer, id) = paid_order(&ports).await;
    for _ in 0..3 {
        let waiting = provision::run(&ports, &customer.id, &id, true).await;
        let Err(provision::SagaError::Waiting {
            step: "dns_zone",
            retry_in,
            ..
        }) = waiting
        else {
            panic!("{waiting:?}")
        };
        assert!(retry_in > Duration::ZERO);
        assert_eq!(
            provision::run(&ports, &customer.id, &id, true).await,
            Ok(Outcome::AlreadyWaiting),
            "a copy of the job before its time ends"
        );
        clock.advance_secs(retry_in.as_secs() as i64);
        let order = orders::load(&ports, &customer.id, &id).await.unwrap();
        assert_eq!(order.status, OrderStatus::Provisioning);
        let view = orders::view(&ports, order).await.unwrap();
        assert_eq!(view.steps[2].name, "dns_zone");
        assert!(
            view.steps[2]
                .detail
                .as_deref()
                .is_some_and(|d| d.contains("publishing")),
            "{:?}",
            view.steps[2]
        );
    }
    assert_eq!(
        provision::run(&ports, &customer.id, &id, true).await,
        Ok(Outcome::Live)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_still_propagating_is_waited_for_never_failed_on_sqlite() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |_| {});
    a_zone_still_propagating_is_waited_for_never_failed(&clock, ports).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zone_still_propagating_is_waited_for_never_failed_on_dynamodb() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = hostfront_tests::cloud_ports_with(&clock, |_| {}).await;
    a_zone_still_propagating_is_waited_for_never_failed(&clock, ports).await;
}

/// The job of an order whose zone is still propagating is sent again for
/// later, never failed nor counted against its deliveries.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_step_sends_its_job_again_for_later() {
    use hostfront::jobs::{JobError, JobHandler};
    let clock = ManualClock::starting_now();
    let (_dir, mut ports) = embedded_ports_with(&clock, |_| {});
    ports.dns_host = Arc::new(SlowToServe {
        inner: ports.dns_host.clone(),
        pending: 1.into(),
    });
    let (customer, id) = paid_order(&ports).await;
    let jobs = AppJobs {
        ports: ports.clone(),
    };
    let message = hostfront::queue::Message {
        id: "m1".into(),
        receipt: "r1".into(),
        body: provision::job(&customer.id, &id),
        receive_count: ports.config.queue_max_receives,
    };
    let handled = jobs.handle(&message).await;
    assert!(
        matches!(handled, Err(JobError::Later { retry_in, .. }) if retry_in == Duration::from_secs(15)),
        "{handled:?}"
    );
    clock.advance_secs(15);
    jobs.handle(&message)
        .await
        .expect("served now: the order goes live");
    let order = orders::load(&ports, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Active);
}
