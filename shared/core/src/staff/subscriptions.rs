//! What staff do to a customer's hosting service: suspend it (abuse, an
//! unpaid bill settled elsewhere), lift the suspension, cancel it. The
//! service's lifecycle refuses what it does not allow; the panel follows.

use crate::CustomerId;
use crate::audit::Actor;
use crate::lifecycle::MovedOn;
use crate::store::{TableError, Tx, TxError, Update};
use crate::subscriptions::{self, Subscription, SubscriptionStatus};
use crate::{Queueing, Storage};

#[derive(Debug, thiserror::Error)]
pub enum ServiceActionError {
    #[error("no such service")]
    NotFound,
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// Moves the service to `to` as `staff` decided from `client`, because of
/// `why`; the panel account follows through its job.
pub async fn set_status(
    ports: &(impl Storage + Queueing),
    (staff, role, client): (&Actor, crate::staff::Role, &str),
    (customer_id, service_id): (&CustomerId, &str),
    to: SubscriptionStatus,
    why: &str,
) -> Result<Subscription, ServiceActionError> {
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(ServiceActionError::Invalid(
            "say why, in 1 to 500 characters".into(),
        ));
    }
    if to == SubscriptionStatus::Cancelled {
        return Err(ServiceActionError::Invalid(
            "cancel a service through its cancellation".into(),
        ));
    }
    let service = subscriptions::find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(ServiceActionError::NotFound)?;
    if service.ended_at.is_some() {
        return Err(ServiceActionError::Refused(
            "this service has ended and is being removed".into(),
        ));
    }
    let mut tx = Tx::new();
    service
        .change(to, Update::new(), staff.clone(), why)
        .by_staff(role.as_str(), client)
        .add_to(&mut tx, MovedOn, ports.clock().now())
        .map_err(|invalid| ServiceActionError::Refused(invalid.to_string()))?;
    tx.push(subscriptions::panel::needed_op(
        &service,
        ports.clock().now_millis(),
    ));
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(MovedOn)) => {
            return Err(ServiceActionError::Refused(
                "the service changed meanwhile; look at it again".into(),
            ));
        }
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    subscriptions::panel::request(ports, &service).await;
    subscriptions::find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(ServiceActionError::NotFound)
}
