//! Placing an order: one transaction writes the order, its invoice (claiming
//! the next invoice number), the markers that make its domain and username
//! unique, the idempotency record and the order-received mail. Of many orders
//! racing for one domain, exactly one commits; a retried POST with the same
//! `Idempotency-Key` returns the first order.
//!
//! The steps, in order: check the request (`request`), resolve the domain
//! choice (`domain_choice`), draw up the order and its invoice (`draft`),
//! write them (`write`), then mail the customer.

mod domain_choice;
mod draft;
mod registrar_account;
mod request;
mod server;
mod write;
mod zone_choice;

pub use registrar_account::{NewAccountShown, NewRegistrarAccount, RegistrarAccountChoice};
pub use request::{DomainRequest, OrderRequest, generate_password};
pub use server::{ServerChoice, os_templates};
pub use zone_choice::ZoneChoice;

use self::domain_choice::resolve_domain;
use self::draft::Draft;
use self::request::PanelPassword;
use self::write::Written;
use super::{Order, OrderError, OrderView, conflict, order_key, unpaid};
use crate::accounts::Customer;
use crate::audit::{Actor, Role};
use crate::idempotency::{Earlier, IdempotencyRecord};
use crate::mail;
use crate::{
    Catalogs, Hashing, Hosting, Mailing, OrderId, Registry, Sealing, Settings, Storage, Zones,
};

#[derive(Debug)]
pub struct Placed {
    pub view: OrderView,
    /// False when the idempotency key named an order placed before.
    pub created: bool,
}

/// The member of staff placing an order for a customer: who, in which
/// role, from which client.
type StaffPlacing<'a> = (&'a Actor, Role, &'a str);

/// Who places the order, and the idempotency key and fingerprint of the request.
struct Placement<'a> {
    customer: &'a Customer,
    staff: Option<StaffPlacing<'a>>,
    key: &'a str,
    fingerprint: String,
}

/// Places an order for `customer`, or returns the one placed before under `key`.
pub async fn place(
    ports: &(
         impl Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs + Hashing
     ),
    customer: &Customer,
    key: &str,
    request: OrderRequest,
) -> Result<Placed, OrderError> {
    place_as(ports, customer, None, key, request).await
}

/// Places an order for `customer` as a member of staff (`staff`, acting
/// from `client`), recorded as such on the order and in the audit log.
pub async fn place_for(
    ports: &(
         impl Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs + Hashing
     ),
    staff: (&Actor, Role, &str),
    customer: &Customer,
    key: &str,
    request: OrderRequest,
) -> Result<Placed, OrderError> {
    place_as(ports, customer, Some(staff), key, request).await
}

async fn place_as(
    ports: &(
         impl Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs + Hashing
     ),
    customer: &Customer,
    staff: Option<StaffPlacing<'_>>,
    key: &str,
    request: OrderRequest,
) -> Result<Placed, OrderError> {
    request::check_key(key)?;
    let placement = Placement {
        customer,
        staff,
        key,
        fingerprint: request::fingerprint(&request),
    };
    if let Some(placed) = replay(ports, &placement).await? {
        return Ok(placed);
    }
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let mut checked = request::check(ports, customer, &catalog, &request).await?;
    checked.server = server::check(ports, checked.plan, request.server.as_ref()).await?;
    checked.zone = zone_choice::check(
        ports,
        &customer.id,
        checked.plan,
        request.domain.action,
        request.zone.as_ref(),
    )
    .await?;
    ensure_room_for_unpaid(ports, customer).await?;
    let account = registrar_account::choose(
        ports,
        customer,
        request.domain.action,
        request.registrar_account.as_ref(),
    )
    .await?;
    let domain = resolve_domain(ports, &catalog, &request.domain).await?;
    let mut draft = Draft::new(ports, &placement, &catalog, &checked, domain);
    draft.order.registrar_account_id = account.as_ref().map(|a| a.id.clone());
    let new_account = account.and_then(|a| a.new);
    let mut side_writes = vec![draft.sealed_secrets(ports, &checked.password.value).await?];
    side_writes.extend(new_account.as_ref().map(|a| a.write.clone()));
    let claim = new_account.as_ref().map(|a| a.claim.clone());
    match write::write(ports, &placement, &mut draft, (&side_writes, claim)).await? {
        Written::Placed(mail) => {
            mail::deliver(ports, &mail).await;
            Ok(placed(
                draft,
                checked.password,
                new_account.map(|a| a.shown),
            ))
        }
        Written::Refused(told) => match replay(ports, &placement).await? {
            // The same request, retried, won the race: answer with its order.
            Some(placed) => Ok(placed),
            None => Err(write::refusal(ports, told, &draft).await),
        },
    }
}

/// The answer to a new order; a generated password, and a new registrar
/// account's credentials, are shown here only.
fn placed(draft: Draft, password: PanelPassword, account: Option<NewAccountShown>) -> Placed {
    // Just written: nothing to read back, and no step has run yet.
    let mut view = super::assemble(draft.order, draft.invoice, &[], None);
    view.generated_password = password.generated.then_some(password.value);
    view.new_registrar_account = account;
    Placed {
        view,
        created: true,
    }
}

/// Refuses a customer who already has as many unpaid orders as allowed.
/// The transaction enforces the limit; this read only spares a full
/// customer the registry call and the invoice number race.
async fn ensure_room_for_unpaid(
    ports: &(impl Storage + Settings),
    customer: &Customer,
) -> Result<(), OrderError> {
    let limit = ports.config().max_unpaid_orders;
    if unpaid::count(ports, &customer.id).await? >= limit as i64 {
        return Err(too_many_unpaid(limit));
    }
    Ok(())
}

fn too_many_unpaid(limit: u32) -> OrderError {
    conflict(
        "too_many_unpaid_orders",
        format!("you have {limit} orders awaiting payment; pay or cancel one before ordering more"),
    )
}

/// The order placed before under the placement's key, if any.
async fn replay(
    ports: &impl Storage,
    placement: &Placement<'_>,
) -> Result<Option<Placed>, OrderError> {
    let customer_id = &placement.customer.id;
    let earlier = IdempotencyRecord::earlier(
        ports.table(),
        customer_id,
        placement.key,
        "order_id",
        &placement.fingerprint,
    )
    .await?;
    let order_id = match earlier {
        None => return Ok(None),
        Some(Earlier::Other) => {
            return Err(OrderError::Invalid {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request; use a new key"
                    .into(),
            });
        }
        Some(Earlier::Same(order_id)) => OrderId::new(order_id),
    };
    let item = ports
        .table()
        .get(&order_key(customer_id, &order_id))
        .await?
        .ok_or(OrderError::NotFound)?;
    // A generated password is shown in the first answer only, never on a replay.
    let view = super::view(ports, Order::of(&item)?).await?;
    Ok(Some(Placed {
        view,
        created: false,
    }))
}
