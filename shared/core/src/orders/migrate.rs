//! Moves what orders that went live before services and domains were
//! records of their own kept on themselves into those records: each live
//! order without a service gets its service (and its domain record, when it
//! registered or transferred one), in one transaction with the order's link
//! to it and an audit entry. The `migrate-records` task runs it; once a full
//! pass finds nothing left, it writes a marker and later runs read only that.

use time::OffsetDateTime;

use super::provision::go_live::{owned_domain, subscription};
use super::{FiledBefore, Order, OrderStatus, children_partition, order_key};
use crate::audit::{Actor, AuditEntry};
use crate::billing::Invoice;
use crate::store::{Condition, Index, Key, Query, TableError, Tx, TxError, TxOp, Update};
use crate::{Catalogs, Registry, Settings, Storage};

fn done_marker() -> Key {
    Key::new("MIGRATION#records", "DONE")
}

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migrated {
    pub orders: usize,
    /// Invoices indexed by their customer.
    pub invoices: usize,
    /// Live orders that kept no service to move (never expected).
    pub skipped: usize,
    /// A pass had finished before: nothing was read.
    pub finished_before: bool,
}

/// The order was migrated by another run meanwhile.
#[derive(Debug, Clone, Copy)]
struct Linked;

pub async fn migrate_records(
    ports: &(impl Storage + Settings + Registry + Catalogs),
) -> Result<Migrated, TableError> {
    let table = ports.table();
    if table.get(&done_marker()).await?.is_some() {
        return Ok(Migrated {
            finished_before: true,
            ..Migrated::default()
        });
    }
    let mut migrated = Migrated::default();
    let mut live = FiledBefore::new(OrderStatus::Active, i64::MAX / 2);
    while let Some(orders) = live.next_page(ports).await? {
        for order in orders.into_iter().filter(|o| o.service_id.is_none()) {
            if migrate(ports, &order).await? {
                migrated.orders += 1;
            } else {
                migrated.skipped += 1;
            }
        }
    }
    migrated.invoices = index_invoices(ports).await?;
    let mut marker = done_marker().to_item();
    marker.insert("kind".into(), "migration".into());
    marker.insert(
        "at".into(),
        crate::clock::rfc3339(ports.clock().now()).into(),
    );
    table.put(marker, None).await?;
    Ok(migrated)
}

/// Makes the records of one live order; false when it kept no service.
async fn migrate(
    ports: &(impl Storage + Settings + Registry + Catalogs),
    order: &Order,
) -> Result<bool, TableError> {
    let Some(hosting) = order.service.clone() else {
        tracing::warn!(order = %order.id, "a live order without a service to migrate");
        return Ok(false);
    };
    // The period of a migrated service starts when the order was paid.
    let started = order
        .payment
        .as_ref()
        .and_then(|p| {
            OffsetDateTime::parse(&p.paid_at, &time::format_description::well_known::Rfc3339).ok()
        })
        .unwrap_or_else(|| ports.clock().now());
    let service = subscription(ports, order, hosting, started).await?;
    let steps = super::provision::ledger(ports)
        .done(&children_partition(&order.id))
        .await?;
    let mut tx = Tx::new();
    tx.guard(
        Linked,
        TxOp::Update {
            key: order_key(&order.customer_id, &order.id),
            update: Update::new()
                .set("service_id", service.id.clone())
                .remove("service")
                .bump_version(),
            condition: Some(Condition::AttributeNotExists("service_id".into())),
        },
    )
    .push(service.create_op())
    .push(
        AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: Actor::system("migrate-records"),
            subject: format!("service:{}", service.id),
            customer_id: Some(order.customer_id.clone()),
            action: "migrated".into(),
            from: None,
            to: Some("active".into()),
            why: format!("made from live order {}", order.id),
            client: None,
            role: None,
        }
        .put_op(),
    );
    if let Some(domain) = owned_domain(ports, order, steps.get("domain"), started) {
        tx.push(domain.create_op());
    }
    match tx.commit(ports.table()).await {
        Ok(()) | Err(TxError::Refused(Linked)) => Ok(true),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// Indexes by customer every invoice stored before invoices were the
/// customer's, a page of the numbering index at a time; returns how many.
async fn index_invoices(ports: &impl Storage) -> Result<usize, TableError> {
    let mut indexed = 0;
    let mut cursor = None;
    loop {
        let page = ports
            .table()
            .query(
                Query::index(Index::Gsi2, "INVOICES")
                    .limit(100)
                    .after(cursor),
            )
            .await?;
        for item in page.items.iter().filter(|i| !i.contains_key("gsi1pk")) {
            let invoice = Invoice::of(item)?;
            ports.table().transact(vec![invoice.reindex_op()]).await?;
            indexed += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(indexed),
        }
    }
}
