//! What the customer sees of an order: the order with its invoice, its
//! provisioning steps, its hosting and the DNS records to set.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    Order, OrderDomain, OrderError, OrderStatus, Payment, PaymentProblem, StepStatus,
    children_partition, ownership, provision, repo,
};
use crate::Storage;
use crate::billing::invoice::Invoice;
use crate::panel::HostingSetup;
use crate::store::{Item, ItemExt, Query, TableError};
use crate::zone::Record;
use crate::{CustomerId, OrderId};

/// One provisioning step as the customer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    pub name: String,
    pub title: String,
    pub status: StepStatus,
    pub attempts: u32,
    /// What the step did, in plain words, once done.
    pub detail: Option<String>,
    /// RFC 3339, UTC.
    pub finished_at: Option<String>,
}

/// Everything the customer sees of an order.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrderView {
    pub id: OrderId,
    pub status: OrderStatus,
    /// The status in plain words.
    pub status_message: String,
    pub plan_id: String,
    pub plan_name: String,
    pub cycle: String,
    pub domain: OrderDomain,
    pub username: String,
    /// A VPS's operating system and SSH key.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<crate::orders::create::ServerChoice>,
    /// A DNS-only or domain-only order's zone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zone: Option<crate::zone::customer::ZoneUse>,
    pub created_at: String,
    pub invoice: Invoice,
    pub payment: Option<Payment>,
    /// Why the last payment attempt failed, while the order awaits payment.
    pub payment_problem: Option<PaymentProblem>,
    /// Where the customer confirms the payment at their bank (3-D Secure),
    /// while it waits for that; they come back to the order's page.
    pub payment_action_url: Option<String>,
    pub steps: Vec<StepView>,
    /// What the customer must do, when the order is on hold.
    pub customer_message: Option<String>,
    pub failed_step: Option<String>,
    pub service: Option<HostingSetup>,
    /// For a domain registered elsewhere: the records to set at its DNS host.
    pub dns_records: Vec<Record>,
    /// For a domain registered elsewhere: the record that proves it is the customer's.
    pub ownership: Option<ownership::OwnershipView>,
    /// Set once, when the API generated the control-panel password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
    /// The client account at the registrar the domain goes under, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub registrar_account_id: Option<crate::ids::RegistrarAccountId>,
    /// Set once, when the order made a new registrar account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_registrar_account: Option<crate::orders::create::NewAccountShown>,
}

/// The order as its owner sees it: the order, then one query for its invoice and steps.
pub async fn view(ports: &impl Storage, order: Order) -> Result<OrderView, OrderError> {
    let children = ports
        .table()
        .query(Query::partition(children_partition(&order.id)))
        .await?;
    let invoice = children
        .items
        .iter()
        .find(|i| i.str_attr("kind") == Some("invoice"))
        .map(Invoice::of)
        .transpose()?
        .ok_or_else(|| TableError::Backend(format!("order {} has no invoice", order.id)))?;
    let records: Vec<&Item> = children
        .items
        .iter()
        .filter(|i| i.str_attr("kind") == Some("step"))
        .collect();
    let hosting = match &order.service_id {
        Some(id) => crate::subscriptions::find(ports.table(), &order.customer_id, id)
            .await?
            .map(|s| s.hosting),
        None => order.service.clone(),
    };
    Ok(assemble(order, invoice, &records, hosting))
}

/// The view of `order` from its invoice and step records, already read.
pub fn assemble(
    order: Order,
    invoice: Invoice,
    step_records: &[&Item],
    hosting: Option<HostingSetup>,
) -> OrderView {
    let steps = provision::step_views(&order, step_records);
    let dns_records = provision::records_to_set(&order, hosting.as_ref());
    let ownership = order
        .ownership
        .as_ref()
        .map(|c| ownership::OwnershipView::of(c, &order.domain.unicode));
    OrderView {
        ownership,
        id: order.id.clone(),
        status_message: order.status.explain().into(),
        status: order.status,
        plan_id: order.plan_id,
        plan_name: order.plan_name,
        cycle: order.cycle,
        domain: order.domain,
        username: order.username,
        server: order.server,
        zone: order.zone,
        created_at: order.created_at,
        invoice,
        payment: order.payment,
        payment_problem: order
            .payment_problem
            .filter(|_| order.status == OrderStatus::AwaitingPayment),
        payment_action_url: order
            .payment_action
            .filter(|_| order.status == OrderStatus::AwaitingPayment)
            .map(|action| action.url),
        steps,
        customer_message: order.customer_message,
        failed_step: order.failed_step,
        service: hosting,
        dns_records,
        generated_password: None,
        registrar_account_id: order.registrar_account_id,
        new_registrar_account: None,
    }
}

/// A customer's orders, newest first (at most 100).
pub async fn list(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<Vec<OrderView>, OrderError> {
    let orders = repo::newest(ports.table(), customer_id, 100).await?;
    let views = orders.into_iter().map(|o| view(ports, o));
    futures::future::try_join_all(views).await
}
