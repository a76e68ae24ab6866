//! Names for the ids the console shows, so that staff read "Ana (support)
//! suspended Web Starter · example.com of Jo Smith" rather than three ULIDs.
//! A name that cannot be found (an erased account, a record gone) is left
//! out; the console then shows the id.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::repo::load_customer;
use crate::agency::{AgencyError, prospects, services, site};
use crate::audit::{Actor, AuditEntry};
use crate::orders::{OrderError, repo};
use crate::store::TableError;
use crate::{CustomerId, OrderId, Storage, subscriptions};

/// An audit entry with the names of who acted, whose it is and what it is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct NamedEntry {
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The member of staff's or the customer's name; none for a process of our own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor_name: Option<String>,
    /// The name of the customer the subject belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// The subject in words: `Web Starter · example.com` for a service or an
    /// order, a client site's business name, a client service's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
}

/// A site or client service looked up for its name: gone is no name; only
/// the table failing is an error.
fn agency_name<T>(found: Result<Option<T>, AgencyError>) -> Result<Option<T>, TableError> {
    match found {
        Ok(found) => Ok(found),
        Err(AgencyError::Table(error)) => Err(error),
        Err(_) => Ok(None),
    }
}

/// Looks names up once each, however many entries mention them.
#[derive(Default)]
pub struct Names {
    staff: Option<HashMap<String, String>>,
    customers: HashMap<CustomerId, Option<String>>,
    subjects: HashMap<String, Option<String>>,
}

impl Names {
    /// The name of the customer `id`, if the account is there.
    pub async fn customer(
        &mut self,
        ports: &impl Storage,
        id: &CustomerId,
    ) -> Result<Option<String>, TableError> {
        if let Some(name) = self.customers.get(id) {
            return Ok(name.clone());
        }
        let name = match load_customer(ports.table(), id).await {
            Ok(customer) => Some(customer.name),
            Err(TableError::Backend(_)) => None,
            Err(other) => return Err(other),
        };
        self.customers.insert(id.clone(), name.clone());
        Ok(name)
    }

    async fn staff(
        &mut self,
        ports: &impl Storage,
        id: &str,
    ) -> Result<Option<String>, TableError> {
        if self.staff.is_none() {
            let members = super::every_member(ports.table()).await?;
            self.staff = Some(members.into_iter().map(|m| (m.id, m.name)).collect());
        }
        Ok(self.staff.as_ref().and_then(|names| names.get(id).cloned()))
    }

    async fn actor(
        &mut self,
        ports: &impl Storage,
        actor: &Actor,
    ) -> Result<Option<String>, TableError> {
        match actor {
            Actor::System(_) => Ok(None),
            Actor::Customer(id) => self.customer(ports, id).await,
            Actor::Staff(id) => self.staff(ports, id).await,
        }
    }

    /// `service:<id>` and `order:<id>` of `customer` as their plan and
    /// domain; the agency's `site:<id>` by its business's name,
    /// `client_service:<id>` by its own, and `mail_template:<kind>` by the letter's title.
    pub async fn subject(
        &mut self,
        ports: &impl Storage,
        subject: &str,
        customer: Option<&CustomerId>,
    ) -> Result<Option<String>, TableError> {
        if let Some(name) = self.subjects.get(subject) {
            return Ok(name.clone());
        }
        let name = match (subject.split_once(':'), customer) {
            (Some(("site", id)), _) => {
                agency_name(site::find(ports, id).await)?.map(|site| site.business_name)
            }
            (Some(("prospect", id)), _) => {
                agency_name(prospects::find(ports, id).await)?.map(|p| p.business_name)
            }
            (Some(("mail_template", kind)), _) => {
                crate::mail::custom::versions::title_of(kind).map(str::to_string)
            }
            (Some(("client_service", id)), _) => {
                agency_name(services::find_by_id(ports, id).await)?.map(|service| service.name)
            }
            (Some(("service", id)), Some(customer)) => {
                subscriptions::find(ports.table(), customer, id)
                    .await?
                    .map(|s| format!("{} · {}", s.plan_name, s.domain))
            }
            (Some(("order", id)), Some(customer)) => {
                match repo::load(ports, customer, &OrderId::new(id)).await {
                    Ok(order) => Some(format!("{} · {}", order.plan_name, order.domain.unicode)),
                    Err(OrderError::Table(error)) => return Err(error),
                    Err(_) => None,
                }
            }
            _ => None,
        };
        self.subjects.insert(subject.to_string(), name.clone());
        Ok(name)
    }

    /// `entries` with their names.
    pub async fn entries(
        &mut self,
        ports: &impl Storage,
        entries: Vec<AuditEntry>,
    ) -> Result<Vec<NamedEntry>, TableError> {
        let mut named = Vec::with_capacity(entries.len());
        for entry in entries {
            let customer = entry.customer_id.clone();
            named.push(NamedEntry {
                actor_name: self.actor(ports, &entry.actor).await?,
                customer_name: match &customer {
                    Some(id) => self.customer(ports, id).await?,
                    None => None,
                },
                subject_name: self
                    .subject(ports, &entry.subject, customer.as_ref())
                    .await?,
                entry,
            });
        }
        Ok(named)
    }
}
