//! Taking a machine: the one taken under the key before, or the one MAAS
//! allocated under it (`agent_name`) when its answer was lost, or a new
//! allocation; then its name, and our record of it with its IP set.

use hostfront_core::machines::{Machine, MachineError, MachineRequest, Machines, check_request};
use serde_json::Value;

use super::api::Fault;
use super::ledger::Record;
use super::{MaasMachines, no_such_machine};

/// A retry of a key whose machine was released since takes no other.
fn released_since(key: &str) -> MachineError {
    MachineError::refused(
        "machine_released",
        format!("the machine taken under {key} was released"),
    )
}

impl MaasMachines {
    pub(super) async fn take(&self, request: &MachineRequest) -> Result<Machine, MachineError> {
        check_request(request)?;
        let key = &request.idempotency_key;
        if let Some(id) = self.ledger.taken_under(key).await? {
            return self.machine(&id).await?.ok_or_else(|| released_since(key));
        }
        let holder = ulid::Ulid::new().to_string();
        let seconds = self.api.settings().timeout.as_secs() as i64 * 4;
        if !self.ledger.claim(key, &holder, seconds).await? {
            return self.taken_by_another(key).await;
        }
        let taken = self.take_claimed(request).await;
        self.ledger.unclaim(key, &holder).await?;
        taken
    }

    /// Waits for the call that holds the claim on `key` to take the machine.
    async fn taken_by_another(&self, key: &str) -> Result<Machine, MachineError> {
        let deadline = tokio::time::Instant::now() + self.api.settings().timeout;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if let Some(id) = self.ledger.taken_under(key).await?
                && let Some(machine) = self.machine(&id).await?
            {
                return Ok(machine);
            }
        }
        Err(MachineError::Unavailable(
            "another call is taking this machine; try again".into(),
        ))
    }

    /// Takes the machine of `request`, whose claim this call holds: the
    /// addresses first, so that without them MAAS is not asked.
    async fn take_claimed(&self, request: &MachineRequest) -> Result<Machine, MachineError> {
        let key = &request.idempotency_key;
        let count = request.ipv4_addresses as usize;
        let addresses = self.ledger.lease(key, count).await?;
        let json = match self.allocated_under(key).await? {
            Some(json) => json,
            None => match self.allocate_in_maas(request).await {
                Err(error @ MachineError::NoCapacity(_)) => {
                    self.ledger.give_back(key, count).await?;
                    return Err(error);
                }
                other => other?,
            },
        };
        let id = json["system_id"]
            .as_str()
            .ok_or_else(|| MachineError::Unavailable("MAAS named no system_id".into()))?
            .to_string();
        let label = request.hostname.split('.').next().unwrap_or_default();
        self.api
            .call("PUT", &Self::path(&id), None, &[("hostname", label)])
            .await
            .map_err(Fault::into_error)?;
        let record = Record {
            key: key.clone(),
            hostname: request.hostname.clone(),
            plan_id: request.plan_id.clone(),
            ipv4: addresses.iter().map(ToString::to_string).collect(),
            ipv6: self.ledger.addresses.ipv6_for(addresses[0]),
        };
        self.ledger.keep(&id, &record).await?;
        self.machine(&id).await?.ok_or_else(|| no_such_machine(&id))
    }

    /// The machine MAAS allocated under `key` before, if any.
    async fn allocated_under(&self, key: &str) -> Result<Option<Value>, MachineError> {
        let found = self
            .api
            .call("GET", "machines/", None, &[("agent_name", key)])
            .await
            .map_err(Fault::into_error)?;
        Ok(found.as_array().and_then(|list| list.first().cloned()))
    }

    /// Asks MAAS for a ready machine with what `request` needs (memory in
    /// MiB, a disk of at least the plan's GB), under `key`.
    async fn allocate_in_maas(&self, request: &MachineRequest) -> Result<Value, MachineError> {
        let cores = request.cores.to_string();
        let memory = (u64::from(request.memory_gb) * 1024).to_string();
        let storage = request.disk_gb.to_string();
        let comment = format!("Hostfront {} for {}", request.plan_id, request.hostname);
        let params = [
            ("cpu_count", cores.as_str()),
            ("mem", memory.as_str()),
            ("storage", storage.as_str()),
            ("agent_name", request.idempotency_key.as_str()),
            ("comment", comment.as_str()),
        ];
        match self
            .api
            .call("POST", "machines/", Some("allocate"), &params)
            .await
        {
            Ok(json) => Ok(json),
            Err(Fault::Answered(409, message)) => Err(MachineError::NoCapacity(format!(
                "no ready machine in MAAS matches: {message}"
            ))),
            Err(fault) => Err(fault.into_error()),
        }
    }
}
