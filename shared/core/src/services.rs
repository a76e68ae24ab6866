//! The ports and settings a use case may reach, as trait objects: nothing
//! here names an engine or an adapter. The composition root (`hostfront`'s
//! `wiring`) chooses the adapters from the configuration.

use std::sync::Arc;

use crate::catalog::CatalogCache;
use crate::clock::Clock;
use crate::config::Config;
use crate::dnshost::DnsHost;
use crate::hashing::HashGate;
use crate::mailer::Mailer;
use crate::panel::HostingPanel;
use crate::payments::Payments;
use crate::queue::Queue;
use crate::ratelimit::ClientLimiter;
use crate::registrar::Registrar;
use crate::resolver::{EditableDns, Resolver};
use crate::secrets::Sealer;
use crate::store::Table;

#[derive(Clone)]
pub struct Services {
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub registrar: Arc<dyn Registrar>,
    pub payments: Arc<dyn Payments>,
    pub panel: Arc<dyn HostingPanel>,
    /// Encrypts the secrets kept for a while (panel passwords, auth codes).
    pub sealer: Arc<dyn Sealer>,
    pub resolver: Arc<dyn Resolver>,
    /// Serves customers' DNS zones.
    pub dns_host: Arc<dyn DnsHost>,
    /// Delivers the mail the table records.
    pub mailer: Arc<dyn Mailer>,
    /// The simulated DNS behind `resolver`, for tests and the development tools.
    pub simulated_dns: Option<Arc<dyn EditableDns>>,
    pub catalog: Arc<CatalogCache>,
    /// Limits domain and subdomain checks per client.
    pub check_limiter: Arc<ClientLimiter>,
    /// Limits signups and logins per client.
    pub auth_limiter: Arc<ClientLimiter>,
    /// Limits placing and paying orders, per client and per customer.
    pub purchase_limiter: Arc<ClientLimiter>,
    /// Bounds the password hashes running at once.
    pub hasher: Arc<HashGate>,
}
