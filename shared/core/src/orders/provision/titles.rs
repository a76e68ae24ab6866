//! What each step is called on the order's page, in the customer's words.

use super::Step;
use crate::catalog::PlanKind;
use crate::orders::{DomainAction, Order};
use crate::zone::customer::ZoneUse;

impl Step {
    /// The step's title for `order`: its domain, plan and choices named.
    pub fn title(self, order: &Order) -> String {
        let domain = &order.domain.unicode;
        match self {
            Step::Domain => match order.domain.action {
                DomainAction::Register => format!("Register {domain}"),
                DomainAction::Transfer => format!("Start the transfer of {domain}"),
                DomainAction::External => format!("Use {domain}, registered elsewhere"),
                DomainAction::Subdomain => format!("Reserve {domain}"),
            },
            Step::HostingAccount if order.plan_kind == PlanKind::Email => {
                "Create the mail account".into()
            }
            Step::HostingAccount => "Create the hosting account".into(),
            Step::DnsZone if order.zone.is_some() => {
                format!("Serve {domain} on our nameservers")
            }
            Step::DnsZone => "Create the DNS zone".into(),
            Step::MailAndAdmin => "Create the site administrator and mailboxes".into(),
            Step::WelcomeMail if order.zone.is_some() => "Tell you it is served".into(),
            Step::WelcomeMail => "Send the login details".into(),
            Step::MailDomain => format!("Set up mail for {domain}: mailboxes, webmail, DKIM"),
            Step::ResellerPrivileges => "Make the reseller account and its limits".into(),
            Step::VirtualServer => "Create your virtual server".into(),
            Step::Machine => "Set aside your server and its addresses".into(),
            Step::OsInstall => match &order.server {
                Some(server) => format!("Install {} on your server", server.os_template),
                None => "Install the operating system".into(),
            },
            Step::SiteAlias => match &order.zone {
                Some(ZoneUse::Alias { site, .. }) => format!("Show the site of {site} at {domain}"),
                _ => format!("Show a site at {domain}"),
            },
        }
    }
}
