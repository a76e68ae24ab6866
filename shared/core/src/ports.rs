//! The ports and settings a use case may reach. `Ports` holds them all,
//! as trait objects: nothing here names an engine or an adapter, and the
//! composition root (`hostfront`'s `wiring`) chooses the adapters from the
//! configuration.
//!
//! A use case does not take `Ports`: it names the capabilities it uses
//! (`services: &(impl Storage + Billing)`), so the compiler keeps it from
//! reaching any other port, and a test may hand it just those. Each
//! capability is a small trait that `Ports` implements.

use std::sync::Arc;

use crate::catalog::CatalogCache;
use crate::clock::Clock;
use crate::config::Config;
use crate::dnshost::DnsHost;
use crate::hashing::HashGate;
use crate::hypervisor::Hypervisor;
use crate::machines::Machines;
use crate::mailer::Mailer;
use crate::panel::HostingPanel;
use crate::payments::Payments;
use crate::queue::Queue;
use crate::ratelimit::ClientLimiter;
use crate::registrar::Registrar;
use crate::resolver::{EditableDns, Resolver};
use crate::secrets::Sealer;
use crate::store::Table;
use crate::tax_ids::TaxIds;

#[derive(Clone)]
pub struct Ports {
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub registrar: Arc<dyn Registrar>,
    /// The same registrar within the searches' share of its quota.
    pub search_registrar: Arc<dyn Registrar>,
    /// The same registrar within the daily sync's share of its quota.
    pub sync_registrar: Arc<dyn Registrar>,
    /// The same registrar within the portal's share of its quota.
    pub portal_registrar: Arc<dyn Registrar>,
    pub payments: Arc<dyn Payments>,
    pub panel: Arc<dyn HostingPanel>,
    /// Makes and runs the VMs of VPS plans.
    pub hypervisor: Arc<dyn Hypervisor>,
    /// The pool of physical machines dedicated and managed plans run on.
    pub machines: Arc<dyn Machines>,
    /// Encrypts the secrets kept for a while (panel passwords, auth codes).
    pub sealer: Arc<dyn Sealer>,
    pub resolver: Arc<dyn Resolver>,
    /// Serves customers' DNS zones.
    pub dns_host: Arc<dyn DnsHost>,
    /// Delivers the mail the table records.
    pub mailer: Arc<dyn Mailer>,
    /// Checks customers' VAT numbers in the register (VIES).
    pub tax_ids: Arc<dyn TaxIds>,
    /// The simulated DNS behind `resolver`, for tests and the development tools.
    pub simulated_dns: Option<Arc<dyn EditableDns>>,
    /// The simulated panel behind `panel`, as its admins reach it, for
    /// tests and the development tools; none where a real panel serves.
    pub simulated_panel: Option<Arc<dyn crate::panel::PanelAdmin>>,
    /// The simulated registry behind `registrar`, for tests and the development tools.
    pub simulated_registry: Option<Arc<dyn crate::registrar::Drifting>>,
    /// The simulated payment provider behind `payments`, whose card page
    /// makes payment methods; none where a real provider takes cards.
    pub simulated_provider: Option<Arc<dyn crate::payments::simulated::SimulatedProvider>>,
    pub catalog: Arc<CatalogCache>,
    /// Limits domain and subdomain checks per client.
    pub check_limiter: Arc<ClientLimiter>,
    /// Limits signups and logins per client.
    pub auth_limiter: Arc<ClientLimiter>,
    /// Limits placing and paying orders, per client and per customer.
    pub purchase_limiter: Arc<ClientLimiter>,
    /// Limits a customer's domain changes and refreshes.
    pub domain_change_limiter: Arc<ClientLimiter>,
    /// Bounds the password hashes running at once.
    pub hasher: Arc<HashGate>,
}

macro_rules! capabilities {
    ($($(#[$doc:meta])* $name:ident { $($method:ident: $ty:ty = $field:ident),+ })*) => {
        $(
            $(#[$doc])*
            pub trait $name: Sync {
                $(fn $method(&self) -> &$ty;)+
            }

            impl $name for Ports {
                $(fn $method(&self) -> &$ty {
                    self.$field.as_ref()
                })+
            }
        )*
    };
}

capabilities! {
    /// The table, and the clock every stored time is read from.
    Storage { table: dyn Table = table, clock: dyn Clock = clock }
    /// The settings.
    Settings { config: Config = config }
    /// The job queue.
    Queueing { queue: dyn Queue = queue }
    /// The payment gateway.
    Billing { payments: dyn Payments = payments }
    /// The domain registrar, and its shares of the quota.
    Registry { registrar: dyn Registrar = registrar, search_registrar: dyn Registrar = search_registrar, sync_registrar: dyn Registrar = sync_registrar, portal_registrar: dyn Registrar = portal_registrar }
    /// What runs the customers' services: the hosting panel, the
    /// hypervisor that runs VPS plans, and the pool of machines that
    /// dedicated and managed plans run on.
    Hosting { panel: dyn HostingPanel = panel, hypervisor: dyn Hypervisor = hypervisor, machines: dyn Machines = machines }
    /// The DNS service that serves customers' zones.
    Zones { dns_host: dyn DnsHost = dns_host }
    /// What the public DNS says.
    Lookups { resolver: dyn Resolver = resolver }
    /// Mail delivery.
    Mailing { mailer: dyn Mailer = mailer }
    /// The register of VAT numbers.
    TaxRegister { tax_ids: dyn TaxIds = tax_ids }
    /// Encryption of the secrets kept for a while.
    Sealing { sealer: dyn Sealer = sealer }
    /// The catalog, cached.
    Catalogs { catalog: CatalogCache = catalog }
    /// The bound on password hashes running at once.
    Hashing { hasher: HashGate = hasher }
}

/// What provisioning an order uses: every outside service it sets up.
pub trait Provisioning:
    Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs
{
}

impl<T> Provisioning for T where
    T: Storage + Settings + Registry + Hosting + Zones + Mailing + Sealing + Catalogs
{
}
