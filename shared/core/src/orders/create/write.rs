//! Writing a placed order: one transaction holds the order, its invoice
//! (claiming the next invoice number), the markers that make its domain and
//! username unique, the unpaid-orders count, the idempotency record, the
//! order-received mail, the sealed secrets and the account credit its
//! invoice takes (`billing::credit_pays`). A guard that fails names what
//! the customer is told; another invoice taking the number first only means
//! numbering again.

use super::draft::Draft;
use super::{Placement, StaffPlacing, too_many_unpaid};
use crate::accounts::Customer;
use crate::audit::AuditEntry;
use crate::billing::{credit_pays, invoice};
use crate::domains;
use crate::idempotency::{self, IdempotencyRecord};
use crate::mail::{Mail, MailKind};
use crate::orders::letters::invoice_letter;
use crate::orders::username;
use crate::orders::{DomainAction, Order, OrderError, conflict, marker_op, ownership, unpaid};
use crate::stats;
use crate::store::{Tx, TxError, TxOp};
use crate::{Settings, Storage};

/// Tries at claiming the next invoice number before giving up as busy.
const NUMBER_ATTEMPTS: usize = 50;

/// Why the placement transaction may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// What the customer is told.
    Told(Told),
    /// Another invoice took the number first: number again and retry.
    CounterMoved,
    /// The account credit was used meanwhile: take it again and retry.
    CreditMoved,
}

/// A placement refused for something the customer must change.
#[derive(Debug, Clone, Copy)]
pub(super) enum Told {
    DomainTaken,
    UsernameTaken,
    TooManyUnpaid,
    /// A new registrar account's username is another account's.
    RegistrarUsernameTaken,
}

/// How the write ended when it did not fail.
pub(super) enum Written {
    /// The order is stored; its order-received mail waits to be delivered.
    Placed(Mail),
    Refused(Told),
}

/// Writes `draft` with `side_writes` (its sealed secrets, a new registrar
/// account) and the claim of that account's username, numbering its
/// invoice anew each time another invoice took the number first.
pub(super) async fn write(
    ports: &(impl Storage + Settings),
    placement: &Placement<'_>,
    draft: &mut Draft,
    (side_writes, username_claim): (&[TxOp], Option<TxOp>),
) -> Result<Written, OrderError> {
    for _ in 0..NUMBER_ATTEMPTS {
        let (sequence, claim) = invoice::next_number(ports.table()).await?;
        draft.number(sequence);
        let credit = credit_pays::take(ports.table(), &mut draft.invoice, &mut Vec::new()).await?;
        let mail = Mail::compose(
            ports,
            MailKind::OrderReceived,
            &placement.customer.email,
            &invoice_letter(ports, &draft.order, &draft.invoice),
        )
        .await?;
        let mut tx = guarded_writes(ports, placement, draft, claim);
        if let Some(credit) = credit {
            tx.guard(Refusal::CreditMoved, credit);
        }
        if let Some(claim) = &username_claim {
            let taken = Refusal::Told(Told::RegistrarUsernameTaken);
            tx.guard(taken, claim.clone());
        }
        tx.push(draft.invoice.put_op(sequence))
            .push(mail.put_op(draft.now_secs))
            .extend(side_writes.iter().cloned());
        add_side_records(ports, &mut tx, placement, draft);
        match tx.commit(ports.table()).await {
            Ok(()) => return Ok(Written::Placed(mail)),
            Err(TxError::Refused(Refusal::CounterMoved | Refusal::CreditMoved)) => {
                tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(1..10))).await;
            }
            Err(TxError::Refused(Refusal::Told(told))) => return Ok(Written::Refused(told)),
            Err(TxError::Table(other)) => return Err(other.into()),
        }
    }
    Err(OrderError::Unavailable(
        "we are taking many orders at once; please try again".into(),
    ))
}

/// The writes whose conditions can refuse the order (names taken, too many
/// unpaid, invoice number taken), then the idempotency record, the order
/// and its counts.
fn guarded_writes(
    ports: &impl Settings,
    placement: &Placement<'_>,
    draft: &Draft,
    number_claim: TxOp,
) -> Tx<Refusal> {
    let customer_id = &placement.customer.id;
    let order = &draft.order;
    let until = draft.hold_until;
    let record = IdempotencyRecord {
        customer_id,
        key: placement.key,
        made: ("order_id", order.id.as_str()),
        fingerprint: &placement.fingerprint,
    };
    let domain = &draft.domain;
    let max_unpaid = ports.config().max_unpaid_orders;
    let mut tx = Tx::new();
    tx.guard(
        Refusal::Told(Told::DomainTaken),
        ownership::claim_op(
            domain.domain.action,
            domain.marker.clone(),
            &order.id,
            customer_id,
            until,
        ),
    )
    .guard(
        Refusal::Told(Told::TooManyUnpaid),
        unpaid::count_op(customer_id, max_unpaid),
    )
    .guard(Refusal::CounterMoved, number_claim);
    // A plan with no login reserves no username.
    if !order.username.is_empty() {
        tx.guard(
            Refusal::Told(Told::UsernameTaken),
            marker_op(
                username::marker_key(&order.username),
                &order.id,
                customer_id,
                until,
            ),
        );
    }
    tx.push(record.create_op(draft.now_secs + idempotency::KEEP_DAYS * 86_400))
        .push(order.create_op(draft.now_secs))
        .push(stats::add_op(
            &stats::orders_placed(&order.created_at[..10]),
            order.id.as_str(),
            1,
        ))
        .push(stats::add_op(
            &stats::orders_in(order.status.as_str()),
            order.id.as_str(),
            1,
        ));
    tx
}

/// What the order leaves beside itself: the registry cache's note that its
/// domain is ordered, and the audit entry of an order placed by staff.
fn add_side_records(
    ports: &impl Storage,
    tx: &mut Tx<Refusal>,
    placement: &Placement<'_>,
    draft: &Draft,
) {
    let domain = &draft.domain.domain;
    if matches!(
        domain.action,
        DomainAction::Register | DomainAction::Transfer
    ) {
        tx.push(domains::ordered_cache_op(&domain.name, draft.hold_until));
    }
    if let Some(staff) = placement.staff {
        tx.push(placed_by_staff_op(
            ports,
            staff,
            placement.customer,
            &draft.order,
        ));
    }
}

/// The audit entry of an order a member of staff placed for `customer`.
fn placed_by_staff_op(
    ports: &impl Storage,
    (actor, role, client): StaffPlacing<'_>,
    customer: &Customer,
    order: &Order,
) -> TxOp {
    AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: actor.clone(),
        subject: format!("order:{}", order.id),
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
    .put_op()
}

/// What the customer is told of a refused placement; a taken username
/// comes with free ones to choose from.
pub(super) async fn refusal(
    ports: &(impl Storage + Settings),
    told: Told,
    draft: &Draft,
) -> OrderError {
    let order = &draft.order;
    match told {
        Told::DomainTaken => conflict(
            "domain_taken",
            format!("{} is already part of another order", order.domain.unicode),
        ),
        Told::TooManyUnpaid => too_many_unpaid(ports.config().max_unpaid_orders),
        Told::RegistrarUsernameTaken => conflict(
            "registrar_username_taken",
            "that registrar username is taken; choose another, or leave it out to get one made",
        ),
        Told::UsernameTaken => {
            let suggested =
                username::suggestions(ports, &order.username, Some(&order.domain.name)).await;
            match suggested {
                Ok(suggestions) => OrderError::Conflict {
                    code: "username_taken",
                    message: format!("the username {} is taken", order.username),
                    suggestions,
                },
                Err(error) => error.into(),
            }
        }
    }
}
