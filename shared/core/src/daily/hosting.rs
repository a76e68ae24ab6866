//! "No longer hosted with us": each live service's domain is looked up in
//! the public DNS (the `Resolver` port). A domain whose web address is none
//! of the account's and whose nameservers are not ours points elsewhere;
//! the first such day is kept on the service (`elsewhere_since`) and
//! cleared as soon as it points back. Once it has pointed elsewhere for
//! `HOSTFRONT_LEFT_US_AFTER_DAYS` consecutive days, its owner is asked
//! (once for that stretch) and staff see it each day among the run's
//! exceptions, to confirm a cancellation with the owner. Nothing is ever
//! cancelled by this check.

use serde_json::Value;

use super::{BatchError, Tally};
use crate::resolver::ResolverError;
use crate::store::{Condition, Key, TableError, Update};
use crate::subscriptions::{Subscription, SubscriptionStatus};
use crate::{Lookups, Mailing, Settings, Storage};

pub(super) async fn batch(
    ports: &(impl Storage + Settings + Mailing + Lookups),
    day: &str,
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    for item in ports.table().get_many(keys).await?.iter().flatten() {
        let service = Subscription::of(item)?;
        if service.status != SubscriptionStatus::Active || service.ended_at.is_some() {
            continue;
        }
        let here = match hosted_here(ports, &service).await {
            Ok(here) => here,
            Err(error) => return Err(BatchError::Later(error.to_string())),
        };
        tally.count("checked");
        match (here, &service.elsewhere_since) {
            (true, None) => {}
            (true, Some(_)) => {
                mark(ports, &service, None).await?;
                tally.count("pointed_back");
            }
            (false, since) => {
                let since = match since {
                    Some(since) => since.clone(),
                    None => {
                        mark(ports, &service, Some(day)).await?;
                        day.to_string()
                    }
                };
                tally.count("pointing_elsewhere");
                let days = days_between(&since, day) + 1;
                if days >= ports.config().left_us_after_days {
                    left_us(ports, &service, &since, days, tally).await?;
                }
            }
        }
    }
    Ok(())
}

/// Whether the domain still reaches the account: its web address is the
/// account's, or its nameservers are ours.
async fn hosted_here(ports: &impl Lookups, service: &Subscription) -> Result<bool, ResolverError> {
    let account = &service.hosting.account;
    let addresses = ports.resolver().addresses(&service.domain).await?;
    if addresses
        .iter()
        .any(|a| a.to_string() == account.ipv4 || a.to_string() == account.ipv6)
    {
        return Ok(true);
    }
    let ours: Vec<String> = service
        .hosting
        .nameservers
        .iter()
        .map(|n| n.trim_end_matches('.').to_ascii_lowercase())
        .collect();
    let delegated = ports.resolver().nameservers(&service.domain).await?;
    Ok(!delegated.is_empty() && delegated.iter().all(|n| ours.contains(n)))
}

fn days_between(from: &str, to: &str) -> i64 {
    let parse = |text: &str| {
        time::Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
    };
    match (parse(from), parse(to)) {
        (Some(from), Some(to)) => (to - from).whole_days(),
        _ => 0,
    }
}

/// Keeps (or clears) the first day the domain pointed elsewhere, unless the
/// service changed meanwhile.
async fn mark(
    ports: &impl Storage,
    service: &Subscription,
    since: Option<&str>,
) -> Result<(), TableError> {
    let update = match since {
        Some(day) => Update::new().set("elsewhere_since", Value::from(day)),
        None => Update::new().remove("elsewhere_since"),
    };
    match ports
        .table()
        .update(
            &crate::subscriptions::key(&service.customer_id, &service.id),
            update.bump_version(),
            Some(Condition::VersionIs(service.v)),
        )
        .await
    {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The owner is asked once for this stretch; staff see it every day.
async fn left_us(
    ports: &(impl Storage + Settings + Mailing),
    service: &Subscription,
    since: &str,
    days: i64,
    tally: &mut Tally,
) -> Result<(), TableError> {
    let words = (
        format!("Is {} still hosted with us?", service.domain),
        format!(
            "Since {}, {} has pointed to another host: visitors and mail no longer reach your {} service. If you have moved, tell us and we will cancel the service for you; if not, check the domain's DNS settings. Nothing changes until you or our team decide.",
            crate::clock::mail_day_text(since),
            service.domain,
            service.plan_name
        ),
    );
    let about = format!("service:{}", service.id);
    let occasion = format!("elsewhere-{since}");
    if super::notice::tell_owner(ports, service, (&about, &occasion), words).await? {
        tally.count("owners_asked");
    }
    tally.count("left_us");
    tally.exception(
        &format!("service:{}", service.id),
        &service.customer_id,
        format!(
            "{} has pointed elsewhere for {days} days (since {since}): confirm with the owner, then cancel the service",
            service.domain
        ),
    );
    Ok(())
}
