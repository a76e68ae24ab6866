//! The `Machines` port's contract, on the simulated pool with its state on
//! SQLite and on DynamoDB (moto): a machine is taken once per key, even by
//! two calls at once, the smallest free one that fits, with addresses of
//! its own whose PTRs name it; a request that nothing fits takes nothing;
//! an installation runs, then is ready; a bad template installs nothing;
//! power follows what is asked; release wipes the machine and gives it
//! back with its addresses. The same cases run on the MAAS adapter against
//! the MAAS stand-in, then its own: lost answers, outages, a wrong key.

mod cases;
mod over_maas;
mod over_simulation;

use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::maas::MaasMachines;
use hostfront::adapters::sim::{MachineModel, MachinesSettings, SimulatedMachines};
use hostfront::machines::{Installation, MachineError, MachineRequest, Machines};
use hostfront_tests::TableFixture;
use hostfront_tests::maas_server::MaasServer;

/// A real ed25519 public key line.
const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ admin@example.net";
/// The addresses in every fixture's pool.
const ADDRESSES: u32 = 6;
const INSTALL_TIME: Duration = Duration::from_secs(600);

/// Two machines of 4 cores, 32 GB and 2000 GB, one of 8 cores, 64 GB and 4000 GB.
const MODELS: &[MachineModel] = &[
    MachineModel {
        count: 2,
        cores: 4,
        memory_gb: 32,
        disk_gb: 2000,
    },
    MachineModel {
        count: 1,
        cores: 8,
        memory_gb: 64,
        disk_gb: 4000,
    },
];

/// The MAAS stand-in's machines, the same as the simulation's:
/// (cores, memory in GB, disk in GB).
const REGION: &[(u64, u64, u64)] = &[(4, 32, 2000), (4, 32, 2000), (8, 64, 4000)];

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::sqlite_table().await; super::cases::$case(&super::simulated(f)).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::dynamodb_table().await; super::cases::$case(&super::simulated(f)).await }
            )*
        }
        mod maas {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let f = hostfront_tests::sqlite_table().await;
                let region = hostfront_tests::maas_server::MaasServer::start(super::REGION).await;
                super::cases::$case(&super::maas(region, f)).await
            }
            )*
        }
    };
}

conformance!(
    a_machine_is_taken_once_per_key_with_addresses_of_its_own,
    two_calls_at_once_take_one_machine,
    release_wipes_the_machine_and_frees_its_addresses,
    when_nothing_fits_there_is_no_capacity_and_nothing_is_taken,
    a_machine_too_small_is_not_taken,
    an_installation_runs_then_is_ready,
    a_bad_template_is_refused_and_nothing_is_installed,
    power_follows_what_is_asked,
    staff_see_every_machine_free_or_whose,
);

/// A pool under test, with what the contract cannot show itself.
pub struct Pool {
    pub machines: Arc<dyn Machines>,
    wipes: Box<dyn Fn(String) -> futures::future::BoxFuture<'static, u32> + Send + Sync>,
    settle: Box<dyn Fn() + Send + Sync>,
    _keep: Box<dyn std::any::Any + Send + Sync>,
}

impl Pool {
    /// How many times the machine `id` was wiped.
    pub async fn wipes(&self, id: &str) -> u32 {
        (self.wipes)(id.to_string()).await
    }

    /// Lets time pass for installations to finish.
    pub fn settle(&self) {
        (self.settle)()
    }
}

fn simulated(f: TableFixture) -> Pool {
    let settings = MachinesSettings {
        models: MODELS,
        addresses: ADDRESSES,
        install_time: INSTALL_TIME,
        latency: Duration::ZERO,
    };
    let sim = Arc::new(SimulatedMachines::new(
        f.table.clone(),
        Arc::new(f.clock.clone()),
        settings,
    ));
    let clock = f.clock.clone();
    let counted = sim.clone();
    Pool {
        machines: sim,
        wipes: Box::new(move |id| {
            let sim = counted.clone();
            Box::pin(async move { sim.wipes(&id).await.unwrap() })
        }),
        settle: Box::new(move || clock.advance_secs(INSTALL_TIME.as_secs() as i64)),
        _keep: Box::new(f),
    }
}

fn maas(region: MaasServer, f: TableFixture) -> Pool {
    let machines =
        MaasMachines::new(region.settings(ADDRESSES), f.table.clone()).expect("settings");
    let region = Arc::new(region);
    let (erased, settled) = (region.clone(), region.clone());
    Pool {
        machines: Arc::new(machines),
        wipes: Box::new(move |id| {
            let erasures = erased.machine(&id).map_or(0, |m| m.erasures.len() as u32);
            Box::pin(async move { erasures })
        }),
        settle: Box::new(move || settled.settle()),
        _keep: Box::new((region, f)),
    }
}

pub fn request(key: &str, hostname: &str, cores: u32, addresses: u32) -> MachineRequest {
    MachineRequest {
        hostname: hostname.into(),
        plan_id: "dedicated-4".into(),
        cores,
        memory_gb: 16,
        disk_gb: 1000,
        ipv4_addresses: addresses,
        idempotency_key: key.into(),
    }
}

pub fn installation(template: &str) -> Installation {
    Installation {
        os_template: template.into(),
        root_password: None,
        ssh_public_key: Some(KEY.into()),
    }
}

pub fn refusal_code(result: Result<impl std::fmt::Debug, MachineError>) -> String {
    match result {
        Err(MachineError::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
