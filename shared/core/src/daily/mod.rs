//! Daily operations: checks that look at every item of a kind once a day,
//! however many there are, and put right what drifted.
//!
//! A run fans out. The scheduler's task pages through the items and queues
//! one `Job::DailyBatch` per page, so each batch is a worker's job well
//! within a Lambda's timeout and the workers share the day's work. The
//! run's record (`TASKRUN#<task>` / `DAY#<run>`) keeps the cursor of the
//! last page queued, so an interrupted fan-out resumes where it stopped,
//! and once the last page is queued the day's run is done: the schedule
//! running the task again that day queues nothing. A run staff start by
//! hand is a run of its own (`<day>T<time>Z`), so they can look again after
//! putting something right.
//!
//! A batch is done once: its marker (`TASKRUN#<task>#<run>` / `B#<first
//! item>`) is created in the transaction that adds its counts to the run.
//! A batch delivered twice, or cut off and delivered again, looks at its
//! items again, but every change an item gets is guarded by the state it
//! was read in, and every notice is a create-only mail keyed by its item
//! and day, so nothing is changed or sent twice.
//!
//! What needs people is an exception of the run (`TASKRUN#<task>#<run>` /
//! `X#<item>`), which staff read with the run in the console.
//!
//! The machinery is `fan_out` (the run's pages, queued as batches), `batch`
//! (one batch run once, its tally recorded) and `run` (the run's record, as
//! staff read it); each check is a module of its own.

mod batch;
pub mod certificates;
mod fan_out;
pub mod hosting;
mod notice;
pub mod overdue;
pub mod panel_sync;
pub mod refresh;
pub mod registry_sync;
mod run;

pub use batch::{BatchError, Exception, Tally, keys_of, run_batch};
pub use fan_out::{FAN_OUT_BUDGET, continue_fan_out, fan_out, fan_out_by_hand, fan_out_within};
pub use run::{Run, last_run};

use crate::store::{Index, Key, Query};
use crate::{Catalogs, Hosting, Lookups, Mailing, Queueing, Registry, Settings, Storage};

pub use crate::jobs::Check;

/// What the daily checks use, together: each check's batch names its own share.
pub trait Checking:
    Storage + Settings + Registry + Mailing + Queueing + Catalogs + Hosting + Lookups
{
}

impl<T> Checking for T where
    T: Storage + Settings + Registry + Mailing + Queueing + Catalogs + Hosting + Lookups
{
}

/// The most items one batch looks at: what `get_many` reads at once.
const BATCH: usize = crate::store::MAX_BATCH_GET;
/// Checks that call the panel or end services, a few calls each: fewer per batch.
const PER_SERVICE_BATCH: usize = 25;

impl Check {
    /// The items a run pages through.
    fn items(self) -> Query {
        match self {
            Check::RegistrySync => registry_sync::items(),
            Check::OverdueServices => overdue::items(),
            Check::CertificateAlerts | Check::HostingCheck | Check::PanelSync => live_services(),
        }
    }

    /// How many items one job looks at.
    fn batch_size(self, ports: &impl Registry) -> usize {
        match self {
            Check::RegistrySync => ports.sync_registrar().max_info_batch().clamp(1, BATCH),
            Check::OverdueServices
            | Check::CertificateAlerts
            | Check::HostingCheck
            | Check::PanelSync => PER_SERVICE_BATCH,
        }
    }

    /// Looks at the items of one batch, on `day`, counting into `tally`.
    async fn look_at(
        self,
        ports: &impl Checking,
        day: &str,
        keys: &[Key],
        tally: &mut Tally,
    ) -> Result<(), BatchError> {
        match self {
            Check::RegistrySync => registry_sync::batch(ports, day, keys, tally).await,
            Check::OverdueServices => overdue::batch(ports, day, keys, tally).await,
            Check::CertificateAlerts => certificates::batch(ports, keys, tally).await,
            Check::HostingCheck => hosting::batch(ports, day, keys, tally).await,
            Check::PanelSync => panel_sync::batch(ports, keys, tally).await,
        }
    }
}

/// Every service still billed: the due-date index, which a service leaves when it ends.
fn live_services() -> Query {
    Query::index(Index::Gsi1, "SERVICES#DUE")
}
