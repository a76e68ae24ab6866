//! Obtains the order's domain: registers it, starts its transfer, checks the
//! proof that an external domain is the customer's, or reserves a subdomain.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, from_registrar, nameservers};
use super::{call_key, client_account};
use crate::mail::MailKind;
use crate::orders::DomainAction;
use crate::orders::letters::letter;
use crate::orders::secrets::Secret;
use crate::registrar::{Registration, TransferRequest, TransferState};

/// What the registration mail says of the domain's renewal: billed on its
/// own, apart from the hosting, ahead of its expiry.
fn renews_how(ports: &impl crate::Settings, expires_at: i64) -> String {
    format!(
        "It is registered until {}, and renews on its own schedule, apart from your hosting: about {} days before then we send its renewal invoice, and the day before it expires we charge the card saved in your account. You can renew it yourself, or turn automatic renewal off, in your account at any time.",
        crate::clock::mail_day_of(expires_at),
        ports.config().domain_renewal_lead_days
    )
}

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let key = call_key(&saga.order, "domain");
    let order = &saga.order;
    let domain = order.domain.name.clone();
    let shown = &order.domain.unicode;
    match order.domain.action {
        DomainAction::Register => register(saga, key).await,
        DomainAction::Transfer => transfer(saga, key).await,
        DomainAction::External if !order.ownership.as_ref().is_some_and(|c| c.verified()) => {
            Err(StepError::Hold {
                staff: format!("{domain} reached provisioning without proof of ownership"),
                customer: format!(
                    "We still need proof that {shown} is yours; see the record to publish on your order page."
                ),
            })
        }
        DomainAction::External => Ok(Done {
            detail: format!(
                "Point {shown} at us with the records shown once your hosting is ready"
            ),
            result: json!({"domain": domain}),
        }),
        DomainAction::Subdomain => Ok(Done {
            detail: format!("{shown} is yours"),
            result: json!({"domain": domain}),
        }),
    }
}

/// Registers the domain under the order's registrar account, if any.
async fn register(saga: &Saga<'_, impl Provisioning>, key: String) -> Result<Done, StepError> {
    let order = &saga.order;
    let domain = order.domain.name.clone();
    let shown = &order.domain.unicode;
    let account = client_account::ready(saga).await?;
    let registration = Registration {
        domain: domain.clone(),
        years: 1,
        registrant: order.customer_id.to_string(),
        nameservers: nameservers(saga.ports),
        idempotency_key: key,
        client_account: account.as_ref().map(|(_, c)| c.clone()),
    };
    let info = saga
        .ports
        .registrar()
        .register(&registration)
        .await
        .map_err(|e| from_registrar(shown, e))?;
    client_account::file(saga, account.as_ref().map(|(a, _)| a)).await?;
    let mut registered = letter(saga.ports, order);
    registered.action = renews_how(saga.ports, info.expires_at);
    saga.send(MailKind::DomainRegistered, &registered).await?;
    let until = time::OffsetDateTime::from_unix_timestamp(info.expires_at)
        .map(|t| t.date().to_string())
        .unwrap_or_default();
    Ok(Done {
        detail: format!("Registered until {until}"),
        result: json!(info),
    })
}

/// Asks for the domain's transfer, under the order's registrar account, if any.
async fn transfer(saga: &Saga<'_, impl Provisioning>, key: String) -> Result<Done, StepError> {
    let order = &saga.order;
    let domain = order.domain.name.clone();
    let shown = &order.domain.unicode;
    let account = client_account::ready(saga).await?;
    let request = TransferRequest {
        domain: domain.clone(),
        auth_code: saga.secret(Secret::AuthCode).await?,
        idempotency_key: key,
        client_account: account.as_ref().map(|(_, c)| c.clone()),
    };
    let state = saga
        .ports
        .registrar()
        .transfer(&request)
        .await
        .map_err(|e| from_registrar(shown, e))?;
    if let TransferState::Rejected { reason } = &state {
        return Err(StepError::Hold {
            staff: format!("transfer of {domain} rejected: {reason}"),
            customer: format!(
                "The transfer of {shown} was refused: {reason}. Ask your current registrar for the auth code and send it to us by replying to this mail."
            ),
        });
    }
    client_account::file(saga, account.as_ref().map(|(a, _)| a)).await?;
    saga.send(MailKind::TransferStarted, &letter(saga.ports, order))
        .await?;
    Ok(Done {
        detail: "Transfer requested; registries take up to five days to complete it".into(),
        result: json!(state),
    })
}
