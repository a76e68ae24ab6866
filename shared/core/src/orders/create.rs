//! Placing an order: one transaction writes the order, its invoice (claiming
//! the next invoice number), the markers that make its domain and username
//! unique, the idempotency record and the order-received mail. Of many orders
//! racing for one domain, exactly one commits; a retried POST with the same
//! `Idempotency-Key` returns the first order.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::domain_choice::resolve_domain;
use super::invoice::{self, Invoice, InvoiceFor, InvoiceLine};
use super::letters::invoice_letter;
use super::secrets::{self as order_secrets, Secret};
use super::{
    DomainAction, Order, OrderError, OrderStatus, OrderView, UNPAID_HOLD_DAYS, conflict, invalid,
    marker_op, order_key, username,
};
use super::{ownership, unpaid};
use crate::accounts::{self, AccountError, Customer};
use crate::audit::{Actor, AuditEntry};
use crate::domains::{self};
use crate::idempotency::{self, Earlier, IdempotencyRecord};
use crate::mail::{self, Mail, MailKind};
use crate::stats;
use crate::store::{Tx, TxError};
use crate::{Catalogs, Hashing, Hosting, Mailing, Registry, Sealing, Settings, Storage};

/// Tries at claiming the next invoice number before giving up as busy.
const NUMBER_ATTEMPTS: usize = 50;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DomainRequest {
    pub action: DomainAction,
    /// The domain, or for `subdomain` the name under the company's zone.
    #[schema(min_length = 1, max_length = 1024)]
    pub name: String,
    /// The transfer authorisation (EPP) code; required for `transfer`.
    #[serde(default, skip_serializing)]
    #[schema(max_length = 64)]
    pub auth_code: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderRequest {
    pub plan_id: String,
    /// `monthly` or `annual`.
    pub cycle: String,
    pub domain: DomainRequest,
    /// The control-panel username: a letter, then letters and digits.
    #[schema(pattern = r"^[A-Za-z][A-Za-z0-9]{2,15}$")]
    pub username: String,
    /// The control-panel password; leave it out with `generate_password`.
    #[serde(default, skip_serializing)]
    #[schema(min_length = 10, max_length = 128)]
    pub password: Option<String>,
    /// Let the API choose a strong password; it is shown once, in the answer.
    #[serde(default)]
    pub generate_password: bool,
}

#[derive(Debug)]
pub struct Placed {
    pub view: OrderView,
    /// False when the idempotency key named an order placed before.
    pub created: bool,
}

/// What identifies a request for idempotency: everything but secrets.
fn fingerprint(request: &OrderRequest) -> String {
    let canonical = serde_json::to_vec(request).expect("requests serialise");
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical))
}

/// A strong random password of 20 letters and digits.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let token = accounts::random_token();
    token
        .bytes()
        .take(20)
        .map(|b| ALPHABET[b as usize % ALPHABET.len()] as char)
        .collect()
}

fn check_panel_password(password: &str, username: &str, email: &str) -> Result<(), OrderError> {
    let weak = |message: String| invalid("weak_password", message);
    match accounts::check_password(password, email) {
        Err(AccountError::Invalid { message, .. }) => Err(weak(message)),
        Err(other) => Err(weak(other.to_string())),
        Ok(()) if password.to_lowercase().contains(username) => {
            Err(weak("the password must not contain the username".into()))
        }
        Ok(()) => Ok(()),
    }
}

/// Why the placement transaction may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// What the customer is told.
    Told(Told),
    /// Another invoice took the number first: number again and retry.
    CounterMoved,
}

#[derive(Debug, Clone, Copy)]
enum Told {
    DomainTaken,
    UsernameTaken,
    TooManyUnpaid,
}

fn too_many_unpaid(limit: u32) -> OrderError {
    conflict(
        "too_many_unpaid_orders",
        format!("you have {limit} orders awaiting payment; pay or cancel one before ordering more"),
    )
}

/// Places an order for `customer`, or returns the one placed before under `key`.
pub async fn place(
    services: &(impl Storage + Settings + Registry + Hosting + Mailing + Sealing + Catalogs + Hashing),
    customer: &Customer,
    key: &str,
    request: OrderRequest,
) -> Result<Placed, OrderError> {
    place_as(services, customer, None, key, request).await
}

/// Places an order for `customer` as a member of staff (`staff`, acting
/// from `client`), recorded as such on the order and in the audit log.
pub async fn place_for(
    services: &(impl Storage + Settings + Registry + Hosting + Mailing + Sealing + Catalogs + Hashing),
    staff: (&Actor, crate::audit::Role, &str),
    customer: &Customer,
    key: &str,
    request: OrderRequest,
) -> Result<Placed, OrderError> {
    place_as(services, customer, Some(staff), key, request).await
}

async fn place_as(
    services: &(impl Storage + Settings + Registry + Hosting + Mailing + Sealing + Catalogs + Hashing),
    customer: &Customer,
    staff: Option<(&Actor, crate::audit::Role, &str)>,
    key: &str,
    request: OrderRequest,
) -> Result<Placed, OrderError> {
    if !idempotency::valid_key(key) {
        return Err(invalid(
            "invalid_idempotency_key",
            format!(
                "the Idempotency-Key header holds 1 to {} printable ASCII characters",
                idempotency::MAX_KEY
            ),
        ));
    }
    let fingerprint = fingerprint(&request);
    if let Some(placed) = replay(services, customer, key, &fingerprint).await? {
        return Ok(placed);
    }
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let plan = catalog.plan(&request.plan_id).ok_or_else(|| {
        invalid(
            "unknown_plan",
            format!("there is no plan {:?}", request.plan_id),
        )
    })?;
    let price = *plan.prices.get(&request.cycle).ok_or_else(|| {
        invalid(
            "invalid_cycle",
            format!(
                "{} is billed {}",
                plan.name,
                plan.prices.keys().cloned().collect::<Vec<_>>().join(" or ")
            ),
        )
    })?;
    let username =
        username::validate(&request.username).map_err(|m| invalid("invalid_username", m))?;
    let (password, generated) = match (&request.password, request.generate_password) {
        (Some(_), true) => {
            return Err(invalid(
                "password_conflict",
                "send a password or ask for a generated one, not both",
            ));
        }
        (None, true) => (generate_password(), true),
        (Some(p), false) => {
            check_panel_password(p, &username, &customer.email)?;
            match accounts::is_account_password(services, &customer.id, p).await {
                Ok(false) => {}
                Ok(true) => {
                    return Err(invalid(
                        "password_reused",
                        "use a control-panel password other than your account password",
                    ));
                }
                Err(AccountError::Overloaded(_)) => {
                    return Err(OrderError::Unavailable(
                        "please try again in a moment".into(),
                    ));
                }
                Err(AccountError::Table(e)) => return Err(e.into()),
                Err(other) => return Err(OrderError::Unavailable(other.to_string())),
            }
            (p.clone(), false)
        }
        (None, false) => {
            return Err(invalid(
                "password_required",
                "choose a control-panel password, or ask us to generate one",
            ));
        }
    };
    // The transaction enforces the limit; this read only spares a full
    // customer the registry call and the invoice number race.
    if unpaid::count(services, &customer.id).await? >= services.config().max_unpaid_orders as i64 {
        return Err(too_many_unpaid(services.config().max_unpaid_orders));
    }
    let resolved = resolve_domain(services, &catalog, &request.domain).await?;

    let order_id = ulid::Ulid::new().to_string();
    let now = services.clock().now();
    let now_secs = services.clock().now_secs();
    let hold_until = now_secs + UNPAID_HOLD_DAYS * 86_400;
    let created_at = crate::clock::rfc3339(now);
    let mut lines = vec![InvoiceLine {
        description: format!("{}, {}", plan.name, request.cycle),
        amount: price,
    }];
    if plan.setup_fee > 0 {
        lines.push(InvoiceLine {
            description: format!("{} setup", plan.name),
            amount: plan.setup_fee,
        });
    }
    lines.extend(resolved.line.clone());
    let mut invoice = Invoice::new(
        &customer.id,
        InvoiceFor::Order {
            order_id: order_id.clone(),
        },
        created_at.clone(),
        &catalog.currency,
        lines,
        services.config().tax_rate_bps,
    );
    let mut order = Order {
        id: order_id.clone(),
        customer_id: customer.id.clone(),
        email: customer.email.clone(),
        customer_name: customer.name.clone(),
        status: OrderStatus::AwaitingPayment,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        plan_kind: plan.kind,
        cycle: request.cycle.clone(),
        domain: resolved.domain.clone(),
        username: username.clone(),
        currency: catalog.currency.clone(),
        total: invoice.total,
        invoice_number: String::new(),
        created_at: created_at.clone(),
        payment_attempts: 0,
        declines: 0,
        payment_pending: None,
        payment_problem: None,
        payment_action: None,
        payment: None,
        review_reasons: Vec::new(),
        hold_reason: None,
        customer_message: None,
        failed_step: None,
        service_id: None,
        service: None,
        plan_price: Some(price),
        placed_by: staff.map(|(actor, _, _)| actor.label()),
        hold_until: Some(hold_until),
        refund_pending: false,
        refund: None,
        ownership: (resolved.domain.action == DomainAction::External)
            .then(|| ownership::Challenge::new(&resolved.domain.name)),
        v: 1,
    };
    let mut secrets = vec![(Secret::PanelPassword, password.as_str())];
    if let Some(code) = &resolved.auth_code {
        secrets.push((Secret::AuthCode, code.as_str()));
    }
    let sealed_secrets = order_secrets::put_op(services, &order_id, &secrets, hold_until)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "could not seal an order's secrets");
            OrderError::Unavailable("please try again in a moment".into())
        })?;
    for _ in 0..NUMBER_ATTEMPTS {
        let (sequence, claim) = invoice::next_number(services.table()).await?;
        invoice.number = invoice::format_number(sequence);
        order.invoice_number = invoice.number.clone();
        let mail = Mail::compose(
            services,
            MailKind::OrderReceived,
            &customer.email,
            &invoice_letter(services, &order, &invoice),
        )?;
        let record = IdempotencyRecord {
            customer_id: &customer.id,
            key,
            made: ("order_id", &order_id),
            fingerprint: &fingerprint,
        };
        let mut tx = Tx::new();
        tx.guard(
            Refusal::Told(Told::DomainTaken),
            ownership::claim_op(
                resolved.domain.action,
                resolved.marker.clone(),
                &order_id,
                &customer.id,
                hold_until,
            ),
        )
        .guard(
            Refusal::Told(Told::UsernameTaken),
            marker_op(
                username::marker_key(&username),
                &order_id,
                &customer.id,
                hold_until,
            ),
        )
        .guard(
            Refusal::Told(Told::TooManyUnpaid),
            unpaid::count_op(&customer.id, services.config().max_unpaid_orders),
        )
        .guard(Refusal::CounterMoved, claim)
        .push(record.create_op(now_secs + idempotency::KEEP_DAYS * 86_400))
        .push(order.create_op(now_secs))
        .push(stats::add_op(
            &stats::orders_placed(&created_at[..10]),
            &order.id,
            1,
        ))
        .push(stats::add_op(
            &stats::orders_in(order.status.as_str()),
            &order.id,
            1,
        ))
        .push(invoice.put_op(sequence))
        .push(mail.put_op(now_secs))
        .push(sealed_secrets.clone());
        if matches!(
            resolved.domain.action,
            DomainAction::Register | DomainAction::Transfer
        ) {
            tx.push(domains::ordered_cache_op(&resolved.domain.name, hold_until));
        }
        if let Some((actor, role, client)) = staff {
            tx.push(
                AuditEntry {
                    at: crate::clock::rfc3339_millis(services.clock().now()),
                    actor: actor.clone(),
                    subject: format!("order:{order_id}"),
                    customer_id: Some(customer.id.clone()),
                    action: "placed_by_staff".into(),
                    from: None,
                    to: Some(order.status.as_str().into()),
                    why: format!(
                        "{} on {} for {}",
                        order.plan_name, order.domain.unicode, customer.email
                    ),
                    client: Some(client.into()),
                    role: Some(role.as_str().into()),
                }
                .put_op(),
            );
        }
        match tx.commit(services.table()).await {
            Ok(()) => {
                mail::deliver(services, &mail).await;
                // Just written: nothing to read back, and no step has run yet.
                let mut view = super::assemble(order, invoice, &[], None);
                view.generated_password = generated.then_some(password);
                return Ok(Placed {
                    view,
                    created: true,
                });
            }
            Err(TxError::Refused(Refusal::CounterMoved)) => {
                tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(1..10))).await;
            }
            Err(TxError::Refused(Refusal::Told(told))) => {
                if let Some(placed) = replay(services, customer, key, &fingerprint).await? {
                    return Ok(placed);
                }
                return Err(match told {
                    Told::DomainTaken => conflict(
                        "domain_taken",
                        format!(
                            "{} is already part of another order",
                            resolved.domain.unicode
                        ),
                    ),
                    Told::TooManyUnpaid => too_many_unpaid(services.config().max_unpaid_orders),
                    Told::UsernameTaken => OrderError::Conflict {
                        code: "username_taken",
                        message: format!("the username {username} is taken"),
                        suggestions: username::suggestions(
                            services,
                            &username,
                            Some(&resolved.domain.name),
                        )
                        .await?,
                    },
                });
            }
            Err(TxError::Table(other)) => return Err(other.into()),
        }
    }
    Err(OrderError::Unavailable(
        "we are taking many orders at once; please try again".into(),
    ))
}

/// The order placed before under `key`, if any.
async fn replay(
    services: &impl Storage,
    customer: &Customer,
    key: &str,
    fingerprint: &str,
) -> Result<Option<Placed>, OrderError> {
    let earlier =
        IdempotencyRecord::earlier(services.table(), &customer.id, key, "order_id", fingerprint)
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
        Some(Earlier::Same(order_id)) => order_id,
    };
    let item = services
        .table()
        .get(&order_key(&customer.id, &order_id))
        .await?
        .ok_or(OrderError::NotFound)?;
    // A generated password is shown in the first answer only, never on a replay.
    let view = super::view(services, Order::of(&item)?).await?;
    Ok(Some(Placed {
        view,
        created: false,
    }))
}
