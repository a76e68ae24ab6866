//! The zones provisioning makes: served by our nameservers, their records
//! from the plan's template, pointing at the service's addresses.

use super::{DomainAction, Order};
use crate::panel::{HostingAccount, HostingSetup, MailDomain};
use crate::zone::{self, Record, Target, Template, Zone};
use crate::{Settings, Storage};

pub fn nameservers(ports: &impl Settings) -> Vec<String> {
    zone::our_nameservers(&ports.config().subdomain_zone)
}

/// The zone of `origin` with `records`, served by our nameservers.
pub fn hosted_zone(ports: &(impl Storage + Settings), origin: &str, records: Vec<Record>) -> Zone {
    let company_zone = &ports.config().subdomain_zone;
    Zone::hosted(origin, records, company_zone, ports.clock().now())
}

/// For a domain registered elsewhere, once live: the records its DNS host must serve.
pub fn records_to_set(order: &Order, hosting: Option<&HostingSetup>) -> Vec<Record> {
    match (&order.domain.action, hosting) {
        // A zone alone is served by our nameservers, which the domain names.
        (DomainAction::External, Some(service)) if order.zone.is_none() => {
            zone_records(order, &service.account, service.mail_domain.as_ref())
        }
        _ => Vec::new(),
    }
}

/// The records of `order`'s zone from its plan's template, pointing at
/// `account`, with the mail domain's DKIM key when it has one.
pub(crate) fn zone_records(
    order: &Order,
    account: &HostingAccount,
    mail_domain: Option<&MailDomain>,
) -> Vec<Record> {
    let target = Target {
        ipv4: &account.ipv4,
        ipv6: &account.ipv6,
        mail_host: &account.mail_host,
        dkim: mail_domain.and_then(|m| m.dkim.as_ref()),
    };
    zone::records(
        Template::for_plan(order.plan_kind),
        &order.domain.name,
        &target,
    )
}
