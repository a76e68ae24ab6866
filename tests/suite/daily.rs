//! Daily operations, on both engines with the manual clock: the registry
//! sync putting each kind of drift right once, however often it runs and
//! however often a batch is delivered; overdue services ended once, and a
//! payment in time keeping a service; certificate alerts; a domain pointing
//! elsewhere raised; a run cut off carrying on where it stopped.

mod certificates;
mod hosting;
mod interrupted;
mod overdue;
mod registry_sync;

use hostfront::Services;
use hostfront::daily::{self, Check};
use hostfront::scheduler::Task;
use hostfront_tests::work_off_queue;

/// The latest run of `check`, which must have run.
async fn day_run(services: &Services, check: Check) -> daily::Run {
    daily::last_run(services, check)
        .await
        .unwrap()
        .expect("the check ran")
}

/// Runs a daily task twice at once, then its batches.
async fn run_today(services: &Services, check: Check) {
    let (first, second) = tokio::join!(
        Task::Daily(check).run(services),
        Task::Daily(check).run(services)
    );
    first.unwrap();
    second.unwrap();
    work_off_queue(services).await;
}
