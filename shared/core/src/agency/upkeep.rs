//! What the billing run does for tracked client services besides
//! invoicing them: a reminder to the site's customer about a month before
//! a service's last day (once per service and last day), and the move of a
//! service left past its last day, not renewed, to `expired`.

use time::Date;

use super::AgencyError;
use super::services::{self, ClientService, ServiceStatus};
use super::site::HostedSite;
use crate::audit::Actor;
use crate::clock::mail_day;
use crate::lifecycle::{Change, ChangeError, Subject};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::store::Update;
use crate::{CustomerId, Mailing, Settings, Storage};

/// How many days before its last day a service's customer is reminded.
pub const REMIND_DAYS: i64 = 30;

/// The letter of a mail about `service` of `site` to `name`.
pub(super) fn letter(
    ports: &impl Settings,
    site: &HostedSite,
    service: &ClientService,
    name: &str,
) -> Letter {
    Letter {
        plan_name: service.name.clone(),
        domain: site
            .live_domain
            .clone()
            .unwrap_or_else(|| site.business_name.clone()),
        ..crate::billing::letter::addressed(ports, name, "portal.html#invoices")
    }
}

/// Reminds `customer` that `service` ends on `last` (renewing by itself
/// with an invoice, or not), once per last day; true when sent now.
pub(super) async fn remind(
    ports: &(impl Storage + Settings + Mailing),
    site: &HostedSite,
    service: &ClientService,
    (customer, last): (&CustomerId, Date),
) -> Result<bool, AgencyError> {
    let today = ports.clock().now().date();
    if last > today + time::Duration::days(REMIND_DAYS) {
        return Ok(false);
    }
    let owner = crate::accounts::load_customer(ports.table(), customer).await?;
    let mut letter = letter(ports, site, service, &owner.name);
    letter.headline = format!("{} ends on {}", service.name, mail_day(last));
    letter.action = match service.auto_renew {
        true => format!(
            "{} of {} is paid until {}. It renews by itself: your invoice for the next period comes before then.",
            service.name,
            site.business_name,
            mail_day(last)
        ),
        false => format!(
            "{} of {} is paid until {} and will not renew by itself. Reply to this mail if you want to keep it.",
            service.name,
            site.business_name,
            mail_day(last)
        ),
    };
    let about = format!("client_service:{}", service.id);
    let notice = Mail::compose_about(ports, MailKind::Notice, &owner.email, &letter, &about)
        .await?
        .for_period(&format!("{last}-reminder"));
    Ok(mail::send(ports, &[notice]).await? == 1)
}

/// Moves `service`, past its last day and not renewed, to `expired`; true
/// when this call did.
pub(super) async fn expire(
    ports: &impl Storage,
    service: &ClientService,
) -> Result<bool, AgencyError> {
    let last = service.expires_on.clone().unwrap_or_default();
    let change = Change {
        subject: Subject {
            key: services::key(&service.site_id, &service.id),
            id: service.id.clone(),
            customer_id: None,
        },
        from: service.status,
        to: ServiceStatus::Expired,
        update: Update::new(),
        actor: Actor::system("client-billing"),
        why: format!("its last day, {last}, passed without a renewal"),
        unchanged_since: Some(service.v),
        client: None,
        role: None,
        also: Vec::new(),
    };
    match change.apply(ports.table(), ports.clock().now()).await {
        Ok(done) => Ok(done),
        Err(ChangeError::Invalid(invalid)) => Err(invalid.into()),
        Err(ChangeError::Table(error)) => Err(error.into()),
    }
}
