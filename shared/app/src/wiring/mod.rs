//! The composition root: the adapter of every port, chosen by the settings.
//! Use cases and routes see only `Ports`; only this module knows which
//! engine and which adapters run them.
//!
//! - `aws`: DynamoDB, SQS and KMS, and the optional adapters a Lambda links;
//! - `real`: the real registrar, gateway, panel, hypervisor, VAT register,
//!   DNS and mail,
//!   when chosen;
//! - `limits`: the registrar's quota shared out, and the per-client limits.

mod aws;
mod limits;
mod real;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use hostfront_adapters::TableZones;
use hostfront_adapters::embedded::{
    EmbeddedDb, LocalSealer, OutboxFolder, SqliteQueue, SqliteTable,
};
use hostfront_adapters::sim::{
    HypervisorSettings, MachinesSettings, PanelSettings, SimulatedGateway, SimulatedHypervisor,
    SimulatedMachines, SimulatedPanel, SimulatedRegistry, SimulatedResolver, SimulatedTaxIds,
    SimulationSettings,
};
use hostfront_core::Ports;
use hostfront_core::catalog::CatalogCache;
use hostfront_core::clock::{Clock, SystemClock};
use hostfront_core::dnshost::DnsHost;
use hostfront_core::hypervisor::Hypervisor;
use hostfront_core::machines::Machines;
use hostfront_core::mailer::{Mailer, RecordOnly};
use hostfront_core::panel::{HostingPanel, PanelAdmin};
use hostfront_core::payments::Payments;
use hostfront_core::payments::simulated::SimulatedProvider;
use hostfront_core::queue::Queue;
use hostfront_core::registrar::{Drifting, Registrar};
use hostfront_core::secrets::Sealer;
use hostfront_core::store::Table;
use hostfront_core::tax_ids::TaxIds;

pub use aws::{AwsAdapters, https_client, lambda_sdk_config, loaded_sdk_config, on_aws};
pub use real::{
    RealHypervisor, RealMachines, RealPanel, RealPayments, RealRegistrar, RealTaxIds,
    epp_registrar, maas_machines, proxmox_hypervisor, stripe_payments, vies_tax_ids, whm_panel,
};

use crate::settings::{Engine, MailChoice, Settings};
use limits::{Limiters, Registrars};

pub async fn from_settings(settings: Settings) -> anyhow::Result<Ports> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match settings.engine {
        Engine::Embedded => {
            let data_dir = &settings.data_dir;
            let db = EmbeddedDb::open(data_dir).with_context(|| {
                format!("opening the embedded database in {}", data_dir.display())
            })?;
            let key_file = data_dir.join("secret.key");
            let sealer = LocalSealer::open_or_create(&key_file)
                .with_context(|| format!("opening the key file {}", key_file.display()))?;
            embedded_sealed(settings, db, clock, Arc::new(sealer))
        }
        Engine::Aws => {
            let sdk = loaded_sdk_config(&settings).await;
            on_aws(settings, clock, AwsAdapters::ALL, sdk).await
        }
    }
}

/// The ports on the embedded engine: `db`, simulated outside services, and
/// the local sealer (its key file beside the database).
pub fn embedded(settings: Settings, db: EmbeddedDb, clock: Arc<dyn Clock>) -> Ports {
    let sealer = local_sealer(&settings);
    embedded_sealed(settings, db, clock, sealer).unwrap_or_else(|error| panic!("{error:#}"))
}

fn embedded_sealed(
    settings: Settings,
    db: EmbeddedDb,
    clock: Arc<dyn Clock>,
    sealer: Arc<dyn Sealer>,
) -> anyhow::Result<Ports> {
    let table: Arc<dyn Table> = Arc::new(SqliteTable::new(db.clone(), clock.clone()));
    let queue = SqliteQueue::new(
        db,
        settings.queue_name.clone(),
        settings.policy.queue_max_receives,
        clock.clone(),
    );
    let engine_ports = EnginePorts {
        registrar: epp_registrar(&settings, &table, &clock)?,
        payments: stripe_payments(&settings)?,
        panel: whm_panel(&settings, &table, &clock)?,
        hypervisor: proxmox_hypervisor(&settings, &table)?,
        machines: maas_machines(&settings, &table)?,
        tax_ids: vies_tax_ids(&settings, &clock)?,
        table,
        queue: Arc::new(queue),
        sealer,
    };
    Ok(with_real_ports(settings, clock, engine_ports))
}

/// The ports over a table and queue built elsewhere (the cloud engines in
/// tests). The registrar is the simulated registry, keeping its state in
/// `table`, or EPP when configured (a setting it cannot use panics).
pub fn with_ports(
    settings: Settings,
    clock: Arc<dyn Clock>,
    table: Arc<dyn Table>,
    queue: Arc<dyn Queue>,
    sealer: Arc<dyn Sealer>,
) -> Ports {
    let engine_ports = EnginePorts {
        registrar: epp_registrar(&settings, &table, &clock)
            .unwrap_or_else(|error| panic!("{error:#}")),
        payments: stripe_payments(&settings).unwrap_or_else(|error| panic!("{error:#}")),
        panel: whm_panel(&settings, &table, &clock).unwrap_or_else(|error| panic!("{error:#}")),
        hypervisor: proxmox_hypervisor(&settings, &table)
            .unwrap_or_else(|error| panic!("{error:#}")),
        machines: maas_machines(&settings, &table).unwrap_or_else(|error| panic!("{error:#}")),
        tax_ids: vies_tax_ids(&settings, &clock).unwrap_or_else(|error| panic!("{error:#}")),
        table,
        queue,
        sealer,
    };
    with_real_ports(settings, clock, engine_ports)
}

/// The ports every process has: the table, the queue, the sealer, and the
/// real registrar, payment provider, panel and VAT register when they are
/// configured.
pub struct EnginePorts {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub sealer: Arc<dyn Sealer>,
    pub registrar: Option<Arc<dyn Registrar>>,
    pub payments: Option<Arc<dyn Payments>>,
    pub panel: Option<Arc<dyn HostingPanel>>,
    /// The real hypervisor, else the simulated one.
    pub hypervisor: Option<Arc<dyn Hypervisor>>,
    /// The real machine pool, else the simulated one.
    pub machines: Option<Arc<dyn Machines>>,
    pub tax_ids: Option<Arc<dyn TaxIds>>,
}

/// The ports bundled from `engine_ports`, with the simulations (or the real registrar) and the
/// limits configured.
pub fn with_real_ports(
    settings: Settings,
    clock: Arc<dyn Clock>,
    engine_ports: EnginePorts,
) -> Ports {
    let EnginePorts {
        table,
        queue,
        sealer,
        registrar,
        payments,
        panel,
        hypervisor,
        machines,
        tax_ids,
    } = engine_ports;
    let (registry, simulated_registry) = registry(&settings, &table, &clock, registrar);
    let (payments, simulated_provider) = payments_or_simulated(payments, &table, &clock);
    let (panel, simulated_panel) = match panel {
        Some(real) => (real, None),
        None => {
            let simulated = simulated_panel(&settings, &table, &clock);
            let admin: Arc<dyn PanelAdmin> = simulated.clone();
            (simulated as Arc<dyn HostingPanel>, Some(admin))
        }
    };
    let hypervisor = hypervisor.unwrap_or_else(|| {
        Arc::new(SimulatedHypervisor::new(
            table.clone(),
            HypervisorSettings::DEMO,
        ))
    });
    let machines = machines.unwrap_or_else(|| {
        let install_time = Duration::from_secs(settings.sim.machine_install_secs);
        Arc::new(SimulatedMachines::new(
            table.clone(),
            clock.clone(),
            MachinesSettings::DEMO.installing_in(install_time),
        ))
    });
    let tax_ids =
        tax_ids.unwrap_or_else(|| Arc::new(SimulatedTaxIds::new(table.clone(), clock.clone())));
    let registrars = Registrars::new(registry, &settings.policy, &table, &clock);
    let limiters = Limiters::new(&settings.policy);
    let simulated_dns = Arc::new(SimulatedResolver::new(table.clone()));
    let dns_host: Arc<dyn DnsHost> = Arc::new(TableZones::new(table.clone()));
    let mailer = local_mailer(&settings);
    Ports {
        hasher: limits::hasher(&settings.hashing),
        config: Arc::new(settings.policy),
        clock,
        table,
        queue,
        registrar: registrars.everything,
        search_registrar: registrars.searches,
        sync_registrar: registrars.background,
        portal_registrar: registrars.portal,
        payments,
        panel,
        hypervisor,
        machines,
        sealer,
        resolver: simulated_dns.clone(),
        dns_host,
        mailer,
        tax_ids,
        simulated_dns: Some(simulated_dns),
        simulated_panel,
        simulated_registry,
        simulated_provider,
        catalog: Arc::new(CatalogCache::new(Duration::from_secs(60))),
        check_limiter: limiters.check,
        auth_limiter: limiters.auth,
        purchase_limiter: limiters.purchase,
        domain_change_limiter: limiters.domain_change,
    }
}

/// The payment provider given, else the simulated gateway with its card page.
fn payments_or_simulated(
    payments: Option<Arc<dyn Payments>>,
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
) -> (Arc<dyn Payments>, Option<Arc<dyn SimulatedProvider>>) {
    if let Some(payments) = payments {
        return (payments, None);
    }
    let simulated = Arc::new(SimulatedGateway::new(table.clone(), clock.clone()));
    let payments: Arc<dyn Payments> = simulated.clone();
    let provider: Arc<dyn SimulatedProvider> = simulated;
    (payments, Some(provider))
}

/// The real registrar, else the simulated registry (which the development
/// tools may also drift).
fn registry(
    settings: &Settings,
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
    real: Option<Arc<dyn Registrar>>,
) -> (Arc<dyn Registrar>, Option<Arc<dyn Drifting>>) {
    if let Some(real) = real {
        return (real, None);
    }
    let simulation = SimulationSettings {
        latency: Duration::from_millis(settings.sim.registrar_latency_ms),
        failure_rate: settings.sim.registrar_failure_rate,
        client_accounts: settings.sim.registrar_client_accounts,
        ..SimulationSettings::default()
    };
    let simulated = Arc::new(SimulatedRegistry::new(
        table.clone(),
        clock.clone(),
        simulation,
    ));
    (simulated.clone(), Some(simulated))
}

fn simulated_panel(
    settings: &Settings,
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
) -> Arc<SimulatedPanel> {
    Arc::new(SimulatedPanel::new(
        table.clone(),
        clock.clone(),
        PanelSettings {
            capacity_per_server: settings.sim.panel_capacity,
            addresses: settings.sim.panel_addresses,
            latency: Duration::from_millis(settings.sim.panel_latency_ms),
            failure_rate: settings.sim.panel_failure_rate,
        },
        &settings.policy.subdomain_zone,
    ))
}

/// The development mailbox, or the table's record only; SES replaces it on AWS.
fn local_mailer(settings: &Settings) -> Arc<dyn Mailer> {
    match settings.adapters.mail {
        MailChoice::Outbox => Arc::new(OutboxFolder::new(settings.policy.mailbox_folder.clone())),
        _ => Arc::new(RecordOnly),
    }
}

/// The local sealer with its key in `<data dir>/secret.key`, for tests and
/// tools; it panics when the key file cannot be read or made.
pub fn local_sealer(settings: &Settings) -> Arc<dyn Sealer> {
    let file = settings.data_dir.join("secret.key");
    match LocalSealer::open_or_create(&file) {
        Ok(sealer) => Arc::new(sealer),
        Err(error) => panic!(
            "cannot open or create the key file {}: {error}",
            file.display()
        ),
    }
}
