//! The machines' calls: list, read, allocate, update, deploy, power and
//! release, with the checks MAAS's forms make of their parameters.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};

use super::{Answer, Machine, Region, SERIES};

/// The fields of a `multipart/form-data` body.
pub(super) fn multipart_fields(headers: &HeaderMap, body: &Bytes) -> HashMap<String, String> {
    let boundary = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split("boundary=").nth(1))
        .unwrap_or_default()
        .to_string();
    let body = String::from_utf8_lossy(body);
    body.split(&format!("--{boundary}"))
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            Some((name.to_string(), value.trim_end_matches("\r\n").to_string()))
        })
        .collect()
}

fn not_found() -> (StatusCode, Value) {
    (
        StatusCode::NOT_FOUND,
        Value::String("No Machine matches the given query.".into()),
    )
}

fn conflict(text: String) -> (StatusCode, Value) {
    (StatusCode::CONFLICT, Value::String(text))
}

/// A form's refusal of `field`.
fn invalid(field: &str, message: &str) -> (StatusCode, Value) {
    (StatusCode::BAD_REQUEST, json!({ field: [message] }))
}

/// A whole number parameter, if given.
fn number(params: &HashMap<String, String>, name: &str) -> Result<u64, (StatusCode, Value)> {
    match params.get(name) {
        None => Ok(0),
        Some(text) => text
            .parse::<f64>()
            .ok()
            .filter(|n| *n >= 0.0)
            .map(|n| n as u64)
            .ok_or_else(|| invalid(name, &format!("Invalid {name}: number required."))),
    }
}

fn describe(system_id: &str, m: &Machine) -> Value {
    json!({
        "system_id": system_id,
        "hostname": m.hostname,
        "fqdn": format!("{}.maas", m.hostname),
        "cpu_count": m.cpu_count,
        "memory": m.memory,
        "storage": m.storage as f64,
        "status_name": m.status_name,
        "agent_name": m.agent_name,
        "osystem": if m.distro_series.is_empty() { "" } else { "ubuntu" },
        "distro_series": m.distro_series,
        "power_state": if m.power_on { "on" } else { "off" },
        "resource_uri": format!("/MAAS/api/2.0/machines/{system_id}/"),
    })
}

/// A hostname MAAS takes: one DNS label.
fn is_label(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name.starts_with('-')
        && !name.ends_with('-')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A deployment or an erasure under way finishes.
pub(super) fn finish(machine: &mut Machine) {
    match machine.status_name.as_str() {
        "Deploying" => machine.status_name = "Deployed".into(),
        "Disk erasing" => machine.status_name = "Ready".into(),
        _ => {}
    }
}

impl Region {
    pub(super) fn answer(
        &mut self,
        method: &Method,
        segments: &[&str],
        op: &str,
        params: &HashMap<String, String>,
    ) -> Answer {
        match (method, segments) {
            (&Method::GET, ["machines"]) => Ok(self.list(params)),
            (&Method::POST, ["machines"]) if op == "allocate" => self.allocate(params),
            (_, ["machines", id]) => {
                let id = id.to_string();
                if !self.machines.contains_key(&id) {
                    return Err(not_found());
                }
                self.on_machine(method, &id, op, params)
            }
            _ => Err((StatusCode::NOT_FOUND, Value::String("Unknown API".into()))),
        }
    }

    fn list(&self, params: &HashMap<String, String>) -> Value {
        let wanted = params.get("agent_name");
        let listed: Vec<Value> = self
            .machines
            .iter()
            .filter(|(_, m)| wanted.is_none_or(|w| *w == m.agent_name))
            .map(|(id, m)| describe(id, m))
            .collect();
        Value::Array(listed)
    }

    /// The cheapest ready machine with at least what is asked.
    fn allocate(&mut self, params: &HashMap<String, String>) -> Answer {
        let cores = number(params, "cpu_count")?;
        let memory = number(params, "mem")?;
        let storage_gb = match params.get("storage") {
            None => 0,
            Some(text) => text.trim().parse::<u64>().map_err(|_| {
                invalid(
                    "storage",
                    &format!("Malformed storage constraint, \"{text}\"."),
                )
            })?,
        };
        let chosen = self
            .machines
            .iter()
            .filter(|(_, m)| m.status_name == "Ready")
            .filter(|(_, m)| {
                m.cpu_count >= cores && m.memory >= memory && m.storage >= storage_gb * 1000
            })
            .min_by_key(|(_, m)| m.cpu_count * 1024 + m.memory)
            .map(|(id, _)| id.clone());
        let Some(id) = chosen else {
            return Err(conflict(format!(
                "No available machine matches constraints: [('cpu_count', ['{cores}']), ('mem', ['{memory}'])]"
            )));
        };
        let machine = self.machines.get_mut(&id).expect("chosen");
        machine.status_name = "Allocated".into();
        machine.agent_name = params.get("agent_name").cloned().unwrap_or_default();
        Ok(describe(&id, machine))
    }

    fn on_machine(
        &mut self,
        method: &Method,
        id: &str,
        op: &str,
        params: &HashMap<String, String>,
    ) -> Answer {
        let machine = self.machines.get_mut(id).expect("known");
        let held = !matches!(machine.status_name.as_str(), "Ready" | "Disk erasing");
        match (method, op) {
            (&Method::GET, "read") => {
                let answer = describe(id, machine);
                // What was moving has finished by the next read.
                finish(machine);
                Ok(answer)
            }
            (&Method::PUT, "update") => {
                if let Some(hostname) = params.get("hostname") {
                    if !is_label(hostname) {
                        return Err(invalid(
                            "hostname",
                            &format!("Invalid hostname: {hostname}"),
                        ));
                    }
                    machine.hostname = hostname.clone();
                }
                Ok(describe(id, machine))
            }
            (&Method::POST, "deploy") => deploy(id, machine, params),
            (&Method::POST, "power_on" | "power_off") if !held => Err(conflict(
                "Can't start node: it hasn't been allocated.".into(),
            )),
            (&Method::POST, "power_on" | "power_off") => {
                machine.power_on = op == "power_on";
                Ok(describe(id, machine))
            }
            (&Method::POST, "release") => Ok(release(id, machine, params)),
            _ => Err((
                StatusCode::BAD_REQUEST,
                Value::String(format!("Unrecognised signature: method={method} op={op}")),
            )),
        }
    }
}

fn deploy(id: &str, machine: &mut Machine, params: &HashMap<String, String>) -> Answer {
    if machine.status_name != "Allocated" {
        return Err(conflict(format!(
            "Can't deploy a machine that is in the '{}' state",
            machine.status_name
        )));
    }
    let series = params.get("distro_series").cloned().unwrap_or_default();
    if !SERIES.contains(&series.as_str()) {
        return Err(invalid(
            "distro_series",
            &format!("'{series}' is not a valid distro_series.  It should be one of: {SERIES:?}."),
        ));
    }
    if let Some(data) = params.get("user_data")
        && base64::engine::general_purpose::STANDARD
            .decode(data)
            .is_err()
    {
        return Err(invalid("user_data", "User data is not base64."));
    }
    machine.user_data = params.get("user_data").cloned();
    machine.distro_series = series;
    machine.status_name = "Deploying".into();
    machine.power_on = true;
    Ok(describe(id, machine))
}

/// Releasing a machine released already, or releasing, does nothing.
fn release(id: &str, machine: &mut Machine, params: &HashMap<String, String>) -> Value {
    if matches!(machine.status_name.as_str(), "Ready" | "Disk erasing") {
        return describe(id, machine);
    }
    let flag = |name: &str| params.get(name).map(String::as_str) == Some("true");
    machine.agent_name.clear();
    machine.distro_series.clear();
    machine.user_data = None;
    machine.power_on = false;
    if flag("erase") {
        machine.erasures.push(if flag("quick_erase") {
            "quick"
        } else {
            "whole"
        });
        machine.status_name = "Disk erasing".into();
    } else {
        machine.status_name = "Ready".into();
    }
    describe(id, machine)
}
