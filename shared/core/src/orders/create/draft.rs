//! The order and its invoice as they will be written: priced, awaiting
//! payment, holding their names for `UNPAID_HOLD_DAYS`; the invoice gets its
//! number only in the transaction that writes it.

use super::Placement;
use super::domain_choice::ResolvedDomain;
use super::request::Checked;
use crate::billing::invoice::{Invoice, InvoiceFor, InvoiceLine};
use crate::billing::terms::Terms;
use crate::catalog::{Catalog, cycle_months};
use crate::orders::secrets::{self as order_secrets, Secret};
use crate::orders::{DomainAction, Order, OrderError, OrderStatus, UNPAID_HOLD_DAYS, ownership};
use crate::store::TxOp;
use crate::{OrderId, Sealing, Settings, Storage};
use time::Date;

pub(super) struct Draft {
    pub(super) order: Order,
    pub(super) invoice: Invoice,
    /// The domain's marker and, for a transfer, its auth code.
    pub(super) domain: ResolvedDomain,
    /// When the order was placed, epoch seconds.
    pub(super) now_secs: i64,
    /// Until when (epoch seconds) the unpaid order holds its names.
    pub(super) hold_until: i64,
}

impl Draft {
    /// A new order of what `checked` asks for, with its invoice priced from `catalog`.
    pub(super) fn new(
        ports: &(impl Storage + Settings),
        placement: &Placement,
        catalog: &Catalog,
        checked: &Checked,
        domain: ResolvedDomain,
    ) -> Draft {
        let order_id = OrderId::generate();
        let now = ports.clock().now();
        let now_secs = ports.clock().now_secs();
        let hold_until = now_secs + UNPAID_HOLD_DAYS * 86_400;
        let invoice = Invoice::new(
            &placement.customer.id,
            InvoiceFor::Order {
                order_id: order_id.clone(),
            },
            crate::clock::rfc3339(now),
            &catalog.currency,
            invoice_lines(checked, &domain, now.date()),
            &Terms::of(ports.config(), placement.customer).at_prices_of(catalog),
        );
        let order = unpaid_order(order_id, placement, checked, &domain, &invoice, hold_until);
        Draft {
            order,
            invoice,
            domain,
            now_secs,
            hold_until,
        }
    }

    /// The write that keeps the panel password (and a transfer's auth code)
    /// sealed, apart from the order, for as long as the order holds its names.
    pub(super) async fn sealed_secrets(
        &self,
        ports: &impl Sealing,
        password: &str,
    ) -> Result<TxOp, OrderError> {
        // A plan with no login has no password to keep.
        let mut secrets = Vec::new();
        if !password.is_empty() {
            secrets.push((Secret::PanelPassword, password));
        }
        if let Some(code) = &self.domain.auth_code {
            secrets.push((Secret::AuthCode, code.as_str()));
        }
        order_secrets::put_op(ports, &self.order.id, &secrets, self.hold_until)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "could not seal an order's secrets");
                OrderError::Unavailable("please try again in a moment".into())
            })
    }

    /// Gives the invoice, and the order that shows it, the number `sequence`.
    pub(super) fn number(&mut self, sequence: i64) {
        self.invoice.number = crate::billing::invoice::format_number(sequence);
        self.order.invoice_number = self.invoice.number.clone();
    }
}

/// The plan for its first cycle, counted from the day of the order, its
/// setup fee if any, then the domain's line.
fn invoice_lines(checked: &Checked, domain: &ResolvedDomain, today: Date) -> Vec<InvoiceLine> {
    let plan = checked.plan;
    let months = cycle_months(&checked.cycle).unwrap_or(1);
    let last = crate::clock::add_months(today, months) - time::Duration::days(1);
    let mut lines = vec![
        InvoiceLine::new(
            format!("{}, {}, {today} to {last}", plan.name, checked.cycle),
            checked.price,
        )
        .over(today, last),
    ];
    if plan.setup_fee > 0 {
        lines.push(InvoiceLine::new(
            format!("{}, setup", plan.name),
            plan.setup_fee,
        ));
    }
    lines.extend(domain.line.clone());
    lines
}

/// The order as placed: awaiting payment of `invoice`, nothing tried yet.
fn unpaid_order(
    id: OrderId,
    placement: &Placement,
    checked: &Checked,
    domain: &ResolvedDomain,
    invoice: &Invoice,
    hold_until: i64,
) -> Order {
    let customer = placement.customer;
    let plan = checked.plan;
    Order {
        id,
        customer_id: customer.id.clone(),
        email: customer.email.clone(),
        customer_name: customer.name.clone(),
        status: OrderStatus::AwaitingPayment,
        plan_id: plan.id.clone(),
        plan_name: plan.name.clone(),
        plan_kind: plan.kind,
        cycle: checked.cycle.clone(),
        domain: domain.domain.clone(),
        username: checked.username.clone(),
        server: checked.server.clone(),
        zone: checked.zone.clone(),
        currency: invoice.currency.clone(),
        total: invoice.total,
        invoice_number: String::new(),
        created_at: invoice.issued_at.clone(),
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
        plan_price: Some(checked.price),
        placed_by: placement.staff.map(|(actor, _, _)| actor.label()),
        hold_until: Some(hold_until),
        refund_pending: false,
        refund: None,
        registrar_account_id: None,
        ownership: (domain.domain.action == DomainAction::External)
            .then(|| ownership::Challenge::new(&domain.domain.name)),
        v: 1,
    }
}
