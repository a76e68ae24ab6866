//! A server's order (VPS, dedicated, managed): the operating system to
//! install and, beside the root password (the order's password), an SSH
//! key for root. Checked when the order is placed, against the templates
//! the hypervisor or the machine pool has.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Hosting;
use crate::catalog::{Plan, PlanKind};
use crate::hypervisor::{OsTemplate, is_openssh_public_key};
use crate::orders::{OrderError, invalid};

const MAX_TEMPLATE: usize = 64;
const MAX_KEY: usize = 8192;

/// What the customer chose for a server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServerChoice {
    /// One of `GET /api/os-templates`: `debian-12`.
    #[schema(min_length = 1, max_length = 64)]
    pub os_template: String,
    /// One OpenSSH public key line for root, as in `id_ed25519.pub`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 8192)]
    pub ssh_public_key: Option<String>,
}

/// The operating systems a server of `kind` can be ordered with: a VPS's
/// from the hypervisor, a dedicated or managed server's from the machine
/// pool; `None` for plans that are no server.
pub async fn os_templates(
    ports: &impl Hosting,
    kind: PlanKind,
) -> Option<Result<Vec<OsTemplate>, String>> {
    if kind == PlanKind::Vps {
        return Some(
            ports
                .hypervisor()
                .os_templates()
                .await
                .map_err(|e| e.to_string()),
        );
    }
    if kind.on_a_machine() {
        return Some(
            ports
                .machines()
                .os_templates()
                .await
                .map_err(|e| e.to_string()),
        );
    }
    None
}

/// The server a plan of `plan`'s kind is made with: a VPS, a dedicated or
/// a managed server gets the chosen template (the first when none is
/// chosen) and key (a managed server none: the company runs it); other
/// plans take no server choice.
pub(super) async fn check(
    ports: &impl Hosting,
    plan: &Plan,
    chosen: Option<&ServerChoice>,
) -> Result<Option<ServerChoice>, OrderError> {
    let Some(templates) = os_templates(ports, plan.kind).await else {
        return match chosen {
            None => Ok(None),
            Some(_) => Err(invalid(
                "server_not_for_plan",
                format!(
                    "{} is not a server: it takes no operating system or SSH key",
                    plan.name
                ),
            )),
        };
    };
    let templates = templates.map_err(OrderError::Unavailable)?;
    let too_long = chosen.is_some_and(|c| {
        c.os_template.len() > MAX_TEMPLATE
            || c.ssh_public_key.as_ref().is_some_and(|k| k.len() > MAX_KEY)
    });
    if too_long {
        return Err(invalid(
            "invalid_server",
            format!(
                "an operating system's name has at most {MAX_TEMPLATE} characters, an SSH key {MAX_KEY}"
            ),
        ));
    }
    let os_template = match chosen {
        Some(choice) => choice.os_template.clone(),
        None => templates.first().map(|t| t.id.clone()).unwrap_or_default(),
    };
    if !templates.iter().any(|t| t.id == os_template) {
        let known: Vec<&str> = templates.iter().map(|t| t.id.as_str()).collect();
        return Err(invalid(
            "unknown_os_template",
            format!(
                "there is no operating system {os_template:?}; choose one of {}",
                known.join(", ")
            ),
        ));
    }
    let key = chosen
        .and_then(|c| c.ssh_public_key.as_deref())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if plan.kind == PlanKind::Managed && key.is_some() {
        return Err(invalid(
            "no_root_access",
            format!(
                "{} is run by our team: it takes no SSH key for root",
                plan.name
            ),
        ));
    }
    if let Some(key) = key
        && !is_openssh_public_key(key)
    {
        return Err(invalid(
            "invalid_ssh_key",
            "the SSH key is one OpenSSH public key line, as in id_ed25519.pub: its type, its key, and a comment",
        ));
    }
    Ok(Some(ServerChoice {
        os_template,
        ssh_public_key: key.map(str::to_string),
    }))
}
