//! Finding a customer, and everything about one, for staff: by email,
//! name, domain, invoice number or id; then their services, domains,
//! orders, invoices, the mail sent to them and their audit trail.

use serde::Serialize;
use utoipa::ToSchema;

use super::names::{NamedEntry, Names};
use crate::accounts::Customer;
use crate::accounts::repo::{customer_of, email_key, load_customer, name_index};
use crate::accounts::two_step::TwoStepStatus;
use crate::audit::{self, AuditQuery};
use crate::billing::disputes::{self, Dispute};
use crate::billing::invoice::{self, Invoice};
use crate::domains::owned::{self, OwnedDomain};
use crate::listing::csv::CsvRow;
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::mail::{self, Mail};
use crate::orders::{Order, repo};
use crate::store::{Index, Item, ItemExt, Key, Pages, Query, SortKey, TableError};
use crate::subscriptions;
use crate::{CustomerId, Storage};

/// Accounts whose country is not a country of ISO 3166-1 (signup once took
/// any two letters: "United Kingdom" became `UN`), for staff to put right.
pub async fn with_unknown_country(ports: &impl Storage) -> Result<Vec<Customer>, TableError> {
    let mut pages = Pages::new(Query::index(Index::Gsi2, "CUSTOMERS"), 200);
    let mut found = Vec::new();
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let customer = customer_of(item).map_err(|e| TableError::Backend(e.to_string()))?;
            if crate::countries::name(&customer.country).is_none() {
                found.push(customer);
            }
        }
    }
    Ok(found)
}

/// Customers by name, A to Z or Z to A; `q` an email, an invoice number
/// (`INV-000042`), a domain or a customer id finds that customer, anything
/// else is the start of a name (lower-cased, as the index holds it).
pub const CUSTOMERS: Listing = Listing {
    name: "customers",
    sorts: &[Sort::Az, Sort::Za],
    statuses: &[],
    kinds: &[],
    dates: false,
    search: true,
};

/// A page of customers (`gsi2` `CUSTOMERS` / `<name>#<id>`) as `asked` says.
pub async fn list(ports: &impl Storage, asked: &Asked) -> Result<Listed<Customer>, ListingError> {
    let mut query = Query::index(Index::Gsi2, "CUSTOMERS");
    if let Some(q) = &asked.q {
        if let Some(found) = exact(ports, q).await? {
            return Ok(Listed {
                items: found.into_iter().collect(),
                next: None,
            });
        }
        query = query.sort(SortKey::BeginsWith(
            name_index(q, "").trim_end_matches('#').to_string(),
        ));
    }
    let keep = |item: &Item| -> Result<Option<Customer>, TableError> {
        customer_of(item)
            .map(Some)
            .map_err(|e| TableError::Backend(e.to_string()))
    };
    listing::read(ports.table(), query, asked, keep).await
}

/// The one customer `query` names by email, invoice number, domain or id:
/// `None` when it is none of these (a name), `Some(None)` when it names no one.
async fn exact(ports: &impl Storage, query: &str) -> Result<Option<Option<Customer>>, TableError> {
    let table = ports.table();
    let owner_of = |item: Option<crate::store::Item>, attribute: &str| {
        item.and_then(|i| i.str_attr(attribute).map(CustomerId::new))
    };
    let id = if query.contains('@') {
        owner_of(table.get(&email_key(query)).await?, "customer_id")
    } else if query.starts_with("inv-") {
        invoice::by_number(table, query)
            .await?
            .map(|i| i.customer_id)
    } else if query.contains('.') {
        let ascii = crate::domains::name::parse(query)
            .ok()
            .and_then(|s| match s {
                crate::domains::name::Searched::Domain(d) => Some(d.ascii),
                _ => None,
            })
            .unwrap_or(query.to_string());
        owner_of(
            table.get(&crate::records::domain_marker(&ascii)).await?,
            "customer_id",
        )
    } else if ulid::Ulid::from_string(&query.to_uppercase()).is_ok() {
        Some(CustomerId::new(query.to_uppercase()))
    } else {
        return Ok(None);
    };
    let Some(id) = id else {
        return Ok(Some(None));
    };
    let profile = table
        .get(&Key::new(format!("CUSTOMER#{id}"), "PROFILE"))
        .await?;
    match profile {
        Some(item) => Ok(Some(Some(
            customer_of(&item).map_err(|e| TableError::Backend(e.to_string()))?,
        ))),
        None => Ok(Some(None)),
    }
}

impl CsvRow for Customer {
    const HEADER: &'static [&'static str] = &[
        "customer",
        "name",
        "email",
        "country",
        "company",
        "vat_number",
        "created",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.email.clone(),
            self.country.clone(),
            self.company.clone().unwrap_or_default(),
            self.vat
                .as_ref()
                .map(|v| v.number.clone())
                .unwrap_or_default(),
            self.created_at.clone(),
        ]
    }
}

/// Everything about one customer, for staff.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerFile {
    pub customer: Customer,
    pub services: Vec<subscriptions::panel_state::ServiceShown>,
    pub domains: Vec<OwnedDomain>,
    /// The newest 50.
    #[schema(value_type = Vec<Object>)]
    pub orders: Vec<Order>,
    /// The newest 50.
    pub invoices: Vec<Invoice>,
    /// Mail sent to them among the newest 500 sent.
    pub mail: Vec<MailSent>,
    /// The newest 100, with the names of who acted and what on.
    pub audit: Vec<NamedEntry>,
    /// Account credit owed to them, minor units.
    pub credit: i64,
    /// Disputes of their payments (chargebacks), as the card provider reported them last.
    pub disputes: Vec<Dispute>,
    /// Their two-step login, and whether staff require it.
    pub two_step: TwoStepStatus,
}

/// A mail sent, without its body.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailSent {
    pub subject: String,
    pub kind: String,
    /// RFC 3339, UTC.
    pub sent_at: String,
}

impl From<Mail> for MailSent {
    fn from(mail: Mail) -> Self {
        MailSent {
            subject: mail.subject,
            kind: mail.kind.slug().into(),
            sent_at: mail.created_at,
        }
    }
}

/// The customer `id`'s file, or None when there is no such customer.
pub async fn file(
    ports: &impl Storage,
    id: &CustomerId,
) -> Result<Option<CustomerFile>, TableError> {
    let table = ports.table();
    let customer = match load_customer(table, id).await {
        Ok(customer) => customer,
        Err(_)
            if table
                .get(&Key::new(format!("CUSTOMER#{id}"), "PROFILE"))
                .await?
                .is_none() =>
        {
            return Ok(None);
        }
        Err(other) => return Err(other),
    };
    let mail = mail::outbox(ports, 500)
        .await?
        .into_iter()
        .filter(|m| m.to == customer.email)
        .map(MailSent::from)
        .collect();
    Ok(Some(CustomerFile {
        services: subscriptions::panel_state::shown_of_customer(table, id).await?,
        domains: owned::of_customer(table, id).await?,
        orders: repo::newest(table, id, 50).await?,
        invoices: invoice::of_customer(table, id, 50).await?,
        audit: Names::default()
            .entries(
                ports,
                audit::read(table, AuditQuery::Customer(id), 100).await?,
            )
            .await?,
        credit: crate::billing::credit::balance(table, id).await?.0,
        disputes: disputes::of_customer(table, id).await?,
        two_step: two_step_of(table, id).await?,
        mail,
        customer,
    }))
}

async fn two_step_of(
    table: &dyn crate::store::Table,
    id: &CustomerId,
) -> Result<TwoStepStatus, TableError> {
    let profile = table
        .get(&Key::new(format!("CUSTOMER#{id}"), "PROFILE"))
        .await?;
    Ok(profile
        .map(|p| TwoStepStatus::of(&p))
        .unwrap_or_else(|| TwoStepStatus::of(&Default::default())))
}
