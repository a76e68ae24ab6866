//! A small workflow engine: the step ledger. A workflow runs named steps in
//! order; each step is recorded in the table under the workflow's partition
//! (`<partition>` / `STEP#<n>#<name>`):
//!
//! - leased (`running`, with `lease_until`) before its external call, so two
//!   workers never run it at once and a worker that died gives it up when the
//!   lease lapses;
//! - `done` with what it did and its result after the call, in a write that
//!   may carry other changes (the removal of a secret the step used);
//! - `failed` with the error, for people to read.
//!
//! The engine knows nothing of hosting: provisioning is one workflow of five
//! steps, and renewals, cancellations and transfer follow-ups are to be more.

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::clock::Clock;
use crate::store::{Condition, Item, ItemExt, Key, Query, Table, TableError, TxOp, Update};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    Running,
    Done,
    Failed,
}

/// One step of one run of a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRef<'a> {
    /// The workflow's partition, e.g. `ORDER#<id>`.
    pub partition: &'a str,
    /// The step's place in its workflow.
    pub index: usize,
    pub name: &'static str,
}

impl StepRef<'_> {
    pub fn key(&self) -> Key {
        Key::new(self.partition, format!("STEP#{}#{}", self.index, self.name))
    }
}

/// What the ledger holds of a step, as people see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub name: String,
    pub status: StepStatus,
    pub attempts: u32,
    pub detail: Option<String>,
    pub finished_at: Option<String>,
}

impl StepRecord {
    /// The record in `item`, if it is a step's.
    pub fn of(item: &Item) -> Option<StepRecord> {
        if item.str_attr("kind") != Some("step") {
            return None;
        }
        Some(StepRecord {
            name: item.str_attr("name")?.to_string(),
            status: item
                .get("status")
                .cloned()
                .and_then(|s| serde_json::from_value(s).ok())
                .unwrap_or(StepStatus::Pending),
            attempts: item.i64_attr("attempts").unwrap_or(0) as u32,
            detail: item.str_attr("detail").map(str::to_string),
            finished_at: item.str_attr("finished_at").map(str::to_string),
        })
    }
}

/// Another worker holds the step, or finished it meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leased {
    /// When its lease lapses (at least a second from now).
    pub retry_in: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeaseError {
    #[error("the step is leased by another worker")]
    Leased(Leased),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// Why a run of steps stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepsError {
    #[error("the step is leased by another worker")]
    Leased(Leased),
    #[error("step {step} failed: {error}")]
    Failed { step: &'static str, error: String },
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<LeaseError> for StepsError {
    fn from(error: LeaseError) -> Self {
        match error {
            LeaseError::Leased(leased) => StepsError::Leased(leased),
            LeaseError::Table(error) => StepsError::Table(error),
        }
    }
}

/// What a step did: a line for people, and a result for the rest of the run.
pub type StepDone = (String, Value);

/// The ledger of a table, with leases of `lease` length.
pub struct Ledger<'a> {
    pub table: &'a dyn Table,
    pub clock: &'a dyn Clock,
    pub lease: Duration,
}

impl Ledger<'_> {
    /// The results of the steps of `partition` that are done, by name.
    pub async fn done(&self, partition: &str) -> Result<HashMap<String, Value>, TableError> {
        let records = self.table.query(Query::partition(partition)).await?;
        Ok(records
            .items
            .iter()
            .filter(|r| r.str_attr("kind") == Some("step") && r.str_attr("status") == Some("done"))
            .filter_map(|r| Some((r.str_attr("name")?.to_string(), r.get("result")?.clone())))
            .collect())
    }

    /// Runs the steps of `partition` that are not done, in order, each under
    /// a lease and recorded when done; returns the results of all of them.
    /// A step that fails is recorded and stops the run, to be run again.
    pub async fn run_steps<F, Fut>(
        &self,
        partition: &str,
        steps: &[&'static str],
        mut run: F,
    ) -> Result<HashMap<String, Value>, StepsError>
    where
        F: FnMut(&'static str) -> Fut,
        Fut: std::future::Future<Output = Result<StepDone, String>>,
    {
        let mut done = self.done(partition).await?;
        for (index, &name) in steps.iter().enumerate() {
            if done.contains_key(name) {
                continue;
            }
            let step = StepRef {
                partition,
                index,
                name,
            };
            self.lease(step).await?;
            match run(name).await {
                Ok((detail, result)) => {
                    self.table
                        .transact(vec![self.finish_op(step, &detail, &result)])
                        .await?;
                    done.insert(name.to_string(), result);
                }
                Err(error) => {
                    self.record_failure(step, &error).await?;
                    return Err(StepsError::Failed { step: name, error });
                }
            }
        }
        Ok(done)
    }

    /// Takes `step` for this worker, unless another holds an unexpired lease
    /// or it is done; counts the attempt.
    pub async fn lease(&self, step: StepRef<'_>) -> Result<(), LeaseError> {
        let now = self.clock.now_secs();
        let update = Update::new()
            .set("kind", "step")
            .set("name", step.name)
            .set("status", json!(StepStatus::Running))
            .set("lease_until", now + self.lease.as_secs() as i64)
            .add("attempts", 1);
        let free = Condition::AttributeNotExists("lease_until".into())
            .or(Condition::lt("lease_until", now));
        let not_done = Condition::Not(Box::new(Condition::eq("status", json!(StepStatus::Done))));
        match self
            .table
            .update(&step.key(), update, Some(free.and(not_done)))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => {
                // Done meanwhile (the next run skips it), or leased until `lease_until`.
                let record = self.table.get(&step.key()).await?;
                let lease_until = record
                    .as_ref()
                    .filter(|r| r.str_attr("status") != Some("done"))
                    .and_then(|r| r.i64_attr("lease_until"))
                    .unwrap_or(now);
                Err(LeaseError::Leased(Leased {
                    retry_in: Duration::from_secs((lease_until - now).max(0) as u64 + 1),
                }))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The write that records `step` done, with `detail` for people and `result` for later steps.
    pub fn finish_op(&self, step: StepRef<'_>, detail: &str, result: &Value) -> TxOp {
        let update = Update::new()
            .set("status", json!(StepStatus::Done))
            .set("detail", detail)
            .set("result", result.clone())
            .set("finished_at", crate::clock::rfc3339(self.clock.now()))
            .remove("lease_until")
            .remove("error");
        TxOp::Update {
            key: step.key(),
            update,
            condition: None,
        }
    }

    /// Gives up `step`'s lease without an outcome: it waits on work under
    /// way elsewhere (`note` says what), and a later run carries on.
    pub async fn release(&self, step: StepRef<'_>, note: &str) -> Result<(), TableError> {
        let update = Update::new().set("detail", note).remove("lease_until");
        self.table
            .update(&step.key(), update, None)
            .await
            .map(|_| ())
    }

    /// Records why `step` failed and gives up its lease.
    pub async fn record_failure(&self, step: StepRef<'_>, error: &str) -> Result<(), TableError> {
        let update = Update::new()
            .set("status", json!(StepStatus::Failed))
            .set("error", error)
            .remove("lease_until");
        self.table
            .update(&step.key(), update, None)
            .await
            .map(|_| ())
    }
}
