//! Daily operations, on both engines with the manual clock: the registry
//! sync putting each kind of drift right once, however often it runs and
//! however often a batch is delivered; overdue services ended once, and a
//! payment in time keeping a service; certificate alerts; a domain pointing
//! elsewhere raised; what the panel's admins did raised and shown; a run
//! cut off carrying on where it stopped.

mod certificates;
mod hosting;
mod interrupted;
mod overdue;
mod panel_sync;
mod registry_sync;

use hostfront::Ports;
use hostfront::daily::{self, Check};
use hostfront::scheduler::Task;
use hostfront_tests::work_off_queue;

/// The latest run of `check`, which must have run.
async fn day_run(ports: &Ports, check: Check) -> daily::Run {
    daily::last_run(ports, check)
        .await
        .unwrap()
        .expect("the check ran")
}

/// Runs a daily task twice at once, then its batches.
async fn run_today(ports: &Ports, check: Check) {
    let (first, second) =
        tokio::join!(Task::Daily(check).run(ports), Task::Daily(check).run(ports));
    first.unwrap();
    second.unwrap();
    work_off_queue(ports).await;
}
