//! A domain alone that shows the site of another of the customer's
//! services: parked on that service's panel account, which then answers
//! for it with the same site. Its zone, made next, points there.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, from_panel};
use crate::subscriptions::{self, Subscription, SubscriptionStatus};
use crate::zone::customer::ZoneUse;

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let service = aliased(saga).await?;
    let domain = &order.domain.unicode;
    saga.ports
        .panel()
        .add_alias(&service.hosting.account.username, &order.domain.name)
        .await
        .map_err(from_panel)?;
    Ok(Done {
        detail: format!("{domain} shows the site of {}", service.domain),
        result: json!({"of": service.id}),
    })
}

/// The live service whose site the order's domain shows.
pub(in crate::orders::provision) async fn aliased(
    saga: &Saga<'_, impl Provisioning>,
) -> Result<Subscription, StepError> {
    let order = &saga.order;
    let Some(ZoneUse::Alias { of, site }) = &order.zone else {
        return Err(StepError::Transient("not an alias".into()));
    };
    let service = subscriptions::find(saga.ports.table(), &order.customer_id, of).await?;
    match service {
        Some(service)
            if service.status == SubscriptionStatus::Active && service.ended_at.is_none() =>
        {
            Ok(service)
        }
        _ => Err(StepError::Hold {
            staff: format!("the service {of} ({site}) an alias was ordered for is no longer live"),
            customer: format!(
                "{site}, whose site {} was to show, has ended; our team will contact you to choose another way.",
                order.domain.unicode
            ),
        }),
    }
}
