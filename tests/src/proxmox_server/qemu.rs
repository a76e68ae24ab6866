//! The calls the stand-in answers: the cluster's resources and next free
//! vmid, the nodes, and a QEMU guest's clone, configuration, resize,
//! status and destruction, with the tasks they start.

use std::collections::{BTreeMap, HashMap};

use axum::http::{Method, StatusCode};
use hostfront::hypervisor::{is_openssh_public_key, is_valid_hostname};
use serde_json::{Value, json};

use super::{Answer, Cluster, Guest, MIB, bad_parameter, failed};

type Params = HashMap<String, String>;

/// The name a call is counted and faulted under.
pub(super) fn action(method: &Method, path: &[&str]) -> &'static str {
    match (method.as_str(), path) {
        ("POST", [.., "clone"]) => "clone",
        ("POST", [.., "config"]) => "config",
        ("PUT", [.., "resize"]) => "resize",
        ("POST", [.., "status", "start"]) => "start",
        ("POST", [.., "status", "stop"]) => "stop",
        ("DELETE", ["nodes", _, "qemu", _]) => "destroy",
        ("GET", ["nodes", _, "tasks", ..]) => "task",
        ("GET", ["cluster", "nextid"]) => "nextid",
        ("GET", ["cluster", "resources"]) => "resources",
        ("GET", ["nodes"]) => "nodes",
        _ => "other",
    }
}

/// The characters of PVE's `urlencoded` format.
fn url_encoded(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-%_.!~*'()".contains(&b))
}

fn number(params: &Params, name: &str, least: u64) -> Result<Option<u64>, (StatusCode, Value)> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if n >= least => Ok(Some(n)),
            _ => Err(bad_parameter(
                name,
                &format!("value must have a minimum value of {least}"),
            )),
        },
    }
}

impl Cluster {
    pub(super) fn answer(&mut self, method: &Method, path: &[&str], params: &Params) -> Answer {
        match (method.as_str(), path) {
            ("GET", ["nodes"]) => Ok(self.nodes()),
            ("GET", ["cluster", "resources"]) => Ok(self.resources()),
            ("GET", ["cluster", "nextid"]) => {
                let next = (100..)
                    .find(|id| !self.guests.contains_key(id))
                    .unwrap_or(100);
                Ok(json!(next.to_string()))
            }
            ("GET", ["nodes", node, "tasks", upid, "status"]) => self.task(node, upid),
            (_, ["nodes", node, "qemu", vmid, rest @ ..]) => {
                let vmid: u64 = vmid
                    .parse()
                    .map_err(|_| bad_parameter("vmid", "invalid format"))?;
                if !self.nodes.contains_key(*node) {
                    return Err(failed(format!("hostname lookup '{node}' failed")));
                }
                if self.guests.get(&vmid).map(|g| g.node.as_str()) != Some(*node) {
                    return Err(failed(format!(
                        "Configuration file 'nodes/{node}/qemu-server/{vmid}.conf' does not exist"
                    )));
                }
                self.guest_call(method.as_str(), node, vmid, rest, params)
            }
            _ => Err((
                StatusCode::NOT_IMPLEMENTED,
                json!({"data": null, "message": "Method not implemented\n"}),
            )),
        }
    }

    fn guest_call(
        &mut self,
        method: &str,
        node: &str,
        vmid: u64,
        rest: &[&str],
        params: &Params,
    ) -> Answer {
        match (method, rest) {
            ("POST", ["clone"]) => self.clone_guest(node, vmid, params),
            ("GET", ["config"]) => {
                let guest = &self.guests[&vmid];
                Ok(json!(guest.config))
            }
            ("POST", ["config"]) => self.configure(node, vmid, params),
            ("PUT", ["resize"]) => self.resize(node, vmid, params),
            ("GET", ["status", "current"]) => {
                let running = self.guests[&vmid].running;
                Ok(json!({"vmid": vmid, "status": if running { "running" } else { "stopped" }}))
            }
            ("POST", ["status", action @ ("start" | "stop")]) => {
                let guest = self.guests.get_mut(&vmid).expect("checked");
                if *action == "start" && guest.running {
                    return Err(failed(format!("VM {vmid} already running")));
                }
                guest.running = *action == "start";
                Ok(self.task_started(node, &format!("qm{action}"), vmid))
            }
            ("DELETE", []) => {
                if self.guests[&vmid].running {
                    return Err(failed(format!("VM {vmid} is running - destroy failed")));
                }
                self.guests.remove(&vmid);
                Ok(self.task_started(node, "qmdestroy", vmid))
            }
            _ => Err((
                StatusCode::NOT_IMPLEMENTED,
                json!({"data": null, "message": "Method not implemented\n"}),
            )),
        }
    }

    /// Memory configured on each node, in MiB.
    fn used(&self, node: &str) -> u64 {
        self.guests
            .values()
            .filter(|g| g.node == node && !g.template)
            .filter_map(|g| g.config.get("memory")?.parse::<u64>().ok())
            .sum()
    }

    fn nodes(&self) -> Value {
        json!(
            self.nodes
                .iter()
                .map(|(node, memory)| json!({
                    "node": node, "status": "online", "type": "node",
                    "maxmem": memory * MIB, "mem": self.used(node) * MIB,
                    "maxcpu": 16, "cpu": 0.05,
                }))
                .collect::<Vec<_>>()
        )
    }

    fn resources(&self) -> Value {
        json!(
            self.guests
                .iter()
                .map(|(vmid, g)| json!({
                    "id": format!("qemu/{vmid}"), "type": "qemu", "vmid": vmid,
                    "node": g.node, "name": g.config.get("name"),
                    "status": if g.running { "running" } else { "stopped" },
                    "template": u8::from(g.template),
                    "maxdisk": g.disk_gb * 1024 * MIB,
                }))
                .collect::<Vec<_>>()
        )
    }

    fn task_started(&mut self, node: &str, kind: &str, vmid: u64) -> Value {
        let upid = format!(
            "UPID:{node}:{:08X}:{:08X}:{:08X}:{kind}:{vmid}:{}:",
            self.tasks.len() + 1000,
            self.tasks.len(),
            1_765_000_000 + self.tasks.len(),
            super::TOKEN_ID
        );
        self.tasks.insert(upid.clone(), 0);
        json!(upid)
    }

    /// `running` the first time it is asked, then `stopped` and `OK`.
    fn task(&mut self, node: &str, upid: &str) -> Answer {
        let Some(asked) = self.tasks.get_mut(upid) else {
            return Err(failed(format!("no such task '{upid}'")));
        };
        *asked += 1;
        let status = if *asked == 1 {
            json!({"status": "running"})
        } else {
            json!({"status": "stopped", "exitstatus": "OK"})
        };
        let mut status = status;
        status["upid"] = json!(upid);
        status["node"] = json!(node);
        Ok(status)
    }

    fn clone_guest(&mut self, node: &str, vmid: u64, params: &Params) -> Answer {
        let newid = number(params, "newid", 100)?
            .ok_or_else(|| bad_parameter("newid", "property is missing and it is not optional"))?;
        let name = params
            .get("name")
            .cloned()
            .unwrap_or_else(|| format!("Copy-of-VM-{vmid}"));
        if !is_valid_hostname(&name) && !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(bad_parameter(
                "name",
                "value does not match the regex pattern",
            ));
        }
        let target = params
            .get("target")
            .map(String::as_str)
            .unwrap_or(node)
            .to_string();
        if !self.nodes.contains_key(&target) {
            return Err(failed(format!("no such node '{target}'")));
        }
        if self.guests.contains_key(&newid) {
            return Err(failed(format!(
                "unable to create VM {newid}: config file already exists"
            )));
        }
        let source = &self.guests[&vmid];
        let mut config: BTreeMap<String, String> = source.config.clone();
        config.insert("name".into(), name);
        if let Some(description) = params.get("description") {
            config.insert("description".into(), description.clone());
        }
        let guest = Guest {
            node: target,
            template: false,
            running: false,
            config,
            disk_gb: source.disk_gb,
        };
        self.guests.insert(newid, guest);
        Ok(self.task_started(node, "qmclone", vmid))
    }

    fn configure(&mut self, node: &str, vmid: u64, params: &Params) -> Answer {
        if let Some(keys) = params.get("sshkeys") {
            let decoded = super::percent_decoded(keys);
            if !url_encoded(keys) {
                return Err(bad_parameter("sshkeys", "invalid urlencoded string"));
            }
            if !decoded
                .lines()
                .filter(|l| !l.trim().is_empty())
                .all(is_openssh_public_key)
            {
                return Err(bad_parameter("sshkeys", "unable to parse ssh key"));
            }
        }
        number(params, "cores", 1)?;
        number(params, "memory", 16)?;
        if let Some(ip) = params.get("ipconfig0")
            && !ip.starts_with("ip=")
        {
            return Err(bad_parameter("ipconfig0", "invalid format - format error"));
        }
        let guest = self.guests.get_mut(&vmid).expect("checked");
        for (key, value) in params {
            guest.config.insert(key.clone(), value.clone());
        }
        Ok(self.task_started(node, "qmconfig", vmid))
    }

    fn resize(&mut self, node: &str, vmid: u64, params: &Params) -> Answer {
        let disk = params.get("disk").cloned().unwrap_or_default();
        let size = params.get("size").cloned().unwrap_or_default();
        let Some(gb) = size.strip_suffix('G').and_then(|n| n.parse::<u64>().ok()) else {
            return Err(bad_parameter(
                "size",
                "value does not match the regex pattern",
            ));
        };
        let guest = self.guests.get_mut(&vmid).expect("checked");
        if !guest.config.contains_key(&disk) {
            return Err(failed(format!("disk '{disk}' does not exist")));
        }
        if gb < guest.disk_gb {
            return Err(failed("shrinking disks is not supported".into()));
        }
        guest.disk_gb = gb;
        Ok(self.task_started(node, "resize", vmid))
    }
}
