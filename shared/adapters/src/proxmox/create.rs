//! Making a VM: find the one a lost answer made, or clone the template on
//! the node with the most memory free; then configure cloud-init, grow the
//! disk, start it, and keep its record with its PTRs.

use std::net::Ipv4Addr;

use secrecy::ExposeSecret;

use hostfront_core::hypervisor::{Hypervisor, HypervisorError, NewVm, Vm, check_new_vm};
use hostfront_core::store::TableError;

use super::api::{Fault, percent_encoded};
use super::{Guest, ProxmoxHypervisor};
use crate::vm_ledger::{backend, deleted_since};

/// How many times a clone is tried when another took its `newid` first.
const CLONE_ATTEMPTS: usize = 4;

/// What a clone's description carries: the key it was made under.
fn marker(idempotency_key: &str) -> String {
    format!("hostfront-key: {idempotency_key}")
}

impl ProxmoxHypervisor {
    pub(super) async fn create(&self, request: &NewVm) -> Result<Vm, HypervisorError> {
        check_new_vm(request, &self.os_templates().await?)?;
        let key = &request.idempotency_key;
        if let Some(id) = self.ledger.made_under(key).await? {
            return self.vm(&id).await?.ok_or_else(|| deleted_since(key));
        }
        let holder = ulid::Ulid::new().to_string();
        let seconds = self.api.settings().task_timeout.as_secs() as i64 * 4;
        if !self.ledger.claim(key, &holder, seconds).await? {
            return self.made_by_another(key).await;
        }
        let made = self.make(request).await;
        self.ledger.unclaim(key, &holder).await?;
        made
    }

    /// Waits for the call that holds the claim on `key` to make the VM.
    async fn made_by_another(&self, key: &str) -> Result<Vm, HypervisorError> {
        let deadline = tokio::time::Instant::now() + self.api.settings().task_timeout;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            if let Some(id) = self.ledger.made_under(key).await?
                && let Some(vm) = self.vm(&id).await?
            {
                return Ok(vm);
            }
        }
        Err(HypervisorError::Unavailable(
            "another call is making this VM; try again".into(),
        ))
    }

    /// Makes the VM of `request`, whose claim this call holds.
    async fn make(&self, request: &NewVm) -> Result<Vm, HypervisorError> {
        let key = &request.idempotency_key;
        let address = self.ledger.addresses().lease(key).await?;
        let guest = match self.made_for(request).await? {
            Some(guest) => guest,
            None => self.clone_template(request).await?,
        };
        self.configure(&guest, request, address).await?;
        self.power(&guest, true).await?;
        let addresses = (
            address.to_string(),
            self.ledger.addresses().ipv6_for(address),
        );
        let vm = Vm::made(
            request,
            guest.vmid.to_string(),
            guest.node.clone(),
            addresses,
        );
        match self
            .ledger
            .table()
            .transact(self.ledger.keep_ops(&vm, key))
            .await
        {
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(vm),
            Err(other) => Err(backend(other)),
        }
    }

    /// The guest an earlier try under the same key cloned, if any: one of
    /// the VM's name whose description carries the key.
    async fn made_for(&self, request: &NewVm) -> Result<Option<Guest>, HypervisorError> {
        let wanted = marker(&request.idempotency_key);
        for guest in self.guests().await? {
            if guest.template || guest.name != request.name {
                continue;
            }
            let path = format!("/nodes/{}/qemu/{}/config", guest.node, guest.vmid);
            let config = self
                .api
                .call("GET", &path, &[])
                .await
                .map_err(Fault::into_error)?;
            if config["description"].as_str().map(str::trim) == Some(wanted.as_str()) {
                return Ok(Some(guest));
            }
        }
        Ok(None)
    }

    /// The configured node with the most memory free, if it has room.
    async fn node_with_room(&self, memory_mb: u32) -> Result<Option<String>, HypervisorError> {
        let nodes = self
            .api
            .call("GET", "/nodes", &[])
            .await
            .map_err(Fault::into_error)?;
        let need = u64::from(memory_mb) * 1024 * 1024;
        let configured = &self.api.settings().nodes;
        Ok(nodes
            .as_array()
            .into_iter()
            .flatten()
            .filter(|n| n["status"] == "online")
            .filter_map(|n| {
                let name = n["node"].as_str()?;
                let free = n["maxmem"].as_u64()?.saturating_sub(n["mem"].as_u64()?);
                configured
                    .iter()
                    .any(|c| c == name)
                    .then(|| (name.to_string(), free))
            })
            .filter(|(_, free)| *free >= need)
            .max_by_key(|(_, free)| *free)
            .map(|(name, _)| name))
    }

    /// Full-clones the template of the request's OS onto a node with room.
    async fn clone_template(&self, request: &NewVm) -> Result<Guest, HypervisorError> {
        let Some(node) = self.node_with_room(request.memory_mb).await? else {
            self.ledger
                .addresses()
                .give_back(&request.idempotency_key)
                .await?;
            return Err(HypervisorError::NoCapacity(format!(
                "no Proxmox node has {} MB of memory free",
                request.memory_mb
            )));
        };
        let settings = self.api.settings();
        let template = settings
            .templates
            .iter()
            .find(|(name, _)| *name == request.os_template)
            .map(|(_, vmid)| *vmid)
            .ok_or_else(|| HypervisorError::refused("unknown_template", "no such template"))?;
        let source = self
            .guests()
            .await?
            .into_iter()
            .find(|g| g.vmid == u64::from(template))
            .ok_or_else(|| {
                HypervisorError::Unavailable(format!(
                    "the template VM {template} is not in the cluster"
                ))
            })?;
        let description = marker(&request.idempotency_key);
        let path = format!("/nodes/{}/qemu/{template}/clone", source.node);
        for _ in 0..CLONE_ATTEMPTS {
            let newid = self
                .api
                .call("GET", "/cluster/nextid", &[])
                .await
                .map_err(Fault::into_error)?;
            let newid = newid
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| newid.to_string());
            let params = [
                ("newid", newid.as_str()),
                ("name", request.name.as_str()),
                ("full", "1"),
                ("target", node.as_str()),
                ("description", description.as_str()),
            ];
            match self.api.call("POST", &path, &params).await {
                Ok(task) => {
                    self.api.wait(&source.node, &task).await?;
                    let vmid = newid.parse().map_err(|_| {
                        HypervisorError::Unavailable(format!("Proxmox gave the vmid {newid}"))
                    })?;
                    return Ok(Guest {
                        vmid,
                        node,
                        name: request.name.clone(),
                        running: false,
                        template: false,
                    });
                }
                // Another clone took this vmid between nextid and ours.
                Err(Fault::Answered(500, message)) if message.contains("already exists") => {}
                Err(other) => return Err(other.into_error()),
            }
        }
        Err(HypervisorError::Unavailable(
            "Proxmox's vmids kept being taken; try again".into(),
        ))
    }

    /// Sets cloud-init's user, credentials and addresses, the size, and
    /// grows the disk: each to the same value again on a retry.
    async fn configure(
        &self,
        guest: &Guest,
        request: &NewVm,
        address: Ipv4Addr,
    ) -> Result<(), HypervisorError> {
        let s = self.api.settings();
        let ipconfig = format!(
            "ip={address}/{},gw={},ip6={}/64,gw6={}",
            s.ipv4_prefix,
            s.ipv4_gateway,
            self.ledger.addresses().ipv6_for(address),
            s.ipv6_gateway
        );
        let (cores, memory) = (request.vcpus.to_string(), request.memory_mb.to_string());
        let mut params = vec![
            ("ciuser", "root".to_string()),
            ("ipconfig0", ipconfig),
            ("cores", cores),
            ("memory", memory),
        ];
        if let Some(password) = &request.root_password {
            params.push(("cipassword", password.expose_secret().to_string()));
        }
        if let Some(key) = &request.ssh_public_key {
            params.push(("sshkeys", percent_encoded(key)));
        }
        let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let base = format!("/nodes/{}/qemu/{}", guest.node, guest.vmid);
        self.api
            .run("POST", &guest.node, &format!("{base}/config"), &params)
            .await?;
        let size = format!("{}G", request.disk_gb);
        let resize = [("disk", s.disk.as_str()), ("size", size.as_str())];
        self.api
            .run("PUT", &guest.node, &format!("{base}/resize"), &resize)
            .await
    }
}
