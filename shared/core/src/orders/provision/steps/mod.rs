//! The steps of provisioning, one file each. A step makes its external
//! call with a key made from the order and the step, so a repeated call is
//! answered from the other side's records, and returns what it did.

mod client_account;
mod dns_zone;
mod domain;
mod hosting_account;
mod machine;
mod mail_and_admin;
mod mail_domain;
mod os_install;
mod reseller_privileges;
mod site_alias;
mod virtual_server;
mod welcome_mail;

use super::saga::Saga;
use super::{Done, Step, StepError};
use crate::Provisioning;
use crate::catalog::Plan;
use crate::orders::Order;

impl<P: Provisioning> Saga<'_, P> {
    pub(super) async fn execute(&self, step: Step) -> Result<Done, StepError> {
        match step {
            Step::Domain => domain::run(self).await,
            Step::HostingAccount => hosting_account::run(self).await,
            Step::DnsZone => dns_zone::run(self).await,
            Step::MailAndAdmin => mail_and_admin::run(self).await,
            Step::WelcomeMail => welcome_mail::run(self).await,
            Step::MailDomain => mail_domain::run(self).await,
            Step::ResellerPrivileges => reseller_privileges::run(self).await,
            Step::VirtualServer => virtual_server::run(self).await,
            Step::Machine => machine::run(self).await,
            Step::OsInstall => os_install::run(self).await,
            Step::SiteAlias => site_alias::run(self).await,
        }
    }
}

/// The idempotency key of the order's external call `what`.
fn call_key(order: &Order, what: &str) -> String {
    format!("{}-{what}", order.id)
}

/// The mailboxes a new account starts with.
fn first_mailboxes(order: &Order) -> Vec<String> {
    let domain = &order.domain.name;
    vec![format!("info@{domain}"), format!("postmaster@{domain}")]
}

/// The order's plan as the catalog has it now.
async fn plan_of(saga: &Saga<'_, impl Provisioning>) -> Result<Plan, StepError> {
    let ports = saga.ports;
    let order = &saga.order;
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    catalog.plan(&order.plan_id).cloned().ok_or_else(|| StepError::Hold {
        staff: format!("the catalog has no plan {} any more", order.plan_id),
        customer: "Setting up your service needs a hand from our team; we will finish it and let you know.".into(),
    })
}

/// A moment as the customer reads it: `2026-12-07 21:40 UTC`.
fn when(unix_seconds: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(unix_seconds)
        .ok()
        .and_then(|at| at.format(&format).ok())
        .unwrap_or_default()
}
