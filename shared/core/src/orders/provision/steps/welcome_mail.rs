//! Sends the login details; for a domain registered elsewhere, with the
//! records to set at its DNS host.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, nameservers, zone_records};
use crate::mail::MailKind;
use crate::orders::letters::letter;
use crate::orders::{DomainAction, Order};
use crate::zone::customer::ZoneUse;

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let ports = saga.ports;
    let mut letter = letter(ports, order);
    letter.account = saga.account.clone();
    if let Some(mail) = &saga.mail {
        letter.mailboxes = mail.mailboxes.clone();
        letter.admin_url = mail.admin_url.clone();
    }
    if let Some(mail) = &saga.mail_domain {
        letter.mailboxes = mail.mailboxes.clone();
        letter
            .logins
            .push(("Webmail".into(), mail.webmail_url.clone()));
    }
    if let Some(reseller) = &saga.reseller {
        letter.logins.push((
            "Reseller interface".into(),
            format!(
                "{} (the same username and password; up to {} accounts)",
                reseller.reseller_url, reseller.account_limit
            ),
        ));
    }
    if let Some(vm) = &saga.vm {
        letter
            .logins
            .extend(root_logins(order, &vm.ipv4, &vm.os_template));
    }
    if let Some(server) = &saga.machine {
        let machine = &server.machine;
        let os = machine.os_template.clone().unwrap_or_default();
        if server.managed {
            letter.logins.push((
                "Your server".into(),
                format!(
                    "{os} at {}, run by our team: ask us for any change",
                    machine.ipv4.join(", ")
                ),
            ));
        } else {
            let main = machine.ipv4.first().cloned().unwrap_or_default();
            letter.logins.extend(root_logins(order, &main, &os));
            letter
                .logins
                .push(("Addresses".into(), machine.ipv4.join(", ")));
        }
    }
    if let Some(zone_use) = &order.zone {
        letter.account = None;
        letter.logins.extend(zone_logins(ports, zone_use));
    } else if order.domain.action == DomainAction::External
        && let Some(account) = &saga.account
    {
        letter.dns_records = zone_records(order, account, saga.mail_domain.as_ref())
            .iter()
            .map(|r| {
                format!(
                    "{} {} {}{}",
                    r.name,
                    r.kind,
                    r.priority.map(|p| format!("{p} ")).unwrap_or_default(),
                    r.value
                )
            })
            .collect();
        letter.nameservers = nameservers(ports).join(" and ");
    }
    saga.send(MailKind::AccountReady, &letter).await?;
    Ok(Done {
        detail: format!("Sent to {}", order.email),
        result: json!({"to": order.email}),
    })
}

/// How root logs in to a server the customer runs at `address`.
fn root_logins(order: &Order, address: &str, os: &str) -> [(String, String); 2] {
    let key = if order
        .server
        .as_ref()
        .is_some_and(|s| s.ssh_public_key.is_some())
    {
        "your SSH key, or your order's password"
    } else {
        "your order's password"
    };
    [
        ("SSH".into(), format!("ssh root@{address} ({key})")),
        ("Operating system".into(), os.into()),
    ]
}

/// What a zone alone tells its owner: what is served, and the nameservers
/// the domain's registrar must name.
fn zone_logins(ports: &impl Provisioning, zone_use: &ZoneUse) -> [(String, String); 2] {
    let ours = nameservers(ports).join(" and ");
    [
        ("DNS".into(), zone_use.describe()),
        (
            "Nameservers".into(),
            format!("{ours}: the domain's registrar must name these"),
        ),
    ]
}
