//! The simulated pool's own cases: backups, and state that outlives the process.

use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::sim::{MachinesSettings, SimulatedMachines};
use hostfront::clock::Clock;
use hostfront::machines::{MachineState, Machines};

use super::{installation, refusal_code, request};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_is_taken_once_per_key_and_kept_thirty_days() {
    let f = hostfront_tests::sqlite_table().await;
    let now = f.clock.now();
    let pool = super::simulated(f);
    let m = &pool.machines;
    let taken = m
        .allocate(&request("order-1", "dedi1.example.net", 4, 1))
        .await
        .unwrap();
    let backup = m.back_up(&taken.id, "teardown-1").await.unwrap();
    assert_eq!(m.back_up(&taken.id, "teardown-1").await.unwrap(), backup);
    let other = m.back_up(&taken.id, "teardown-2").await.unwrap();
    assert_ne!(other.id, backup.id);
    let in_thirty_days = now + time::Duration::days(30);
    assert_eq!(backup.kept_until, in_thirty_days.date().to_string());
    m.release(&taken.id).await.unwrap();
    let gone = m.back_up(&taken.id, "teardown-3").await;
    assert_eq!(refusal_code(gone), "no_such_machine");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restarted_pool_knows_what_it_did() {
    let f = hostfront_tests::sqlite_table().await;
    let settings = MachinesSettings::DEMO.installing_in(Duration::from_secs(60));
    let settings = MachinesSettings {
        latency: Duration::ZERO,
        ..settings
    };
    let clock = Arc::new(f.clock.clone());
    let before = SimulatedMachines::new(f.table.clone(), clock.clone(), settings);
    let request = request("order-1", "dedi1.example.net", 4, 1);
    let taken = before.allocate(&request).await.unwrap();
    before
        .install(&taken.id, &installation("debian-12"))
        .await
        .unwrap();
    let after = SimulatedMachines::new(f.table.clone(), clock, settings);
    assert_eq!(after.allocate(&request).await.unwrap().id, taken.id);
    f.clock.advance_secs(60);
    let ready = after.machine(&taken.id).await.unwrap().unwrap();
    assert_eq!(ready.state, MachineState::Ready);
    assert_eq!(after.install_time(), Duration::from_secs(60));
}
