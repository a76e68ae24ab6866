//! The composition root: the adapter of every port, chosen by configuration.
//! Use cases and routes see only `Services`; only this module knows which
//! engine and which adapters run them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use hostfront_adapters::TableZones;
use hostfront_adapters::aws::{
    DynamoTable, KmsSealer, OnFirstUse, Route53Zones, SesMailer, SqsQueue,
};
use hostfront_adapters::embedded::{
    EmbeddedDb, LocalSealer, OutboxFolder, SqliteQueue, SqliteTable,
};
use hostfront_adapters::epp::EppRegistrar;
use hostfront_adapters::sim::{
    PanelSettings, SimulatedGateway, SimulatedPanel, SimulatedRegistry, SimulatedResolver,
    SimulationSettings,
};
use hostfront_adapters::stripe::StripePayments;
use hostfront_adapters::whm::WhmPanel;
use hostfront_core::Services;
use hostfront_core::catalog::CatalogCache;
use hostfront_core::clock::{Clock, SystemClock};
use hostfront_core::config::{Config, Engine};
use hostfront_core::dnshost::DnsHost;
use hostfront_core::hashing::HashGate;
use hostfront_core::mailer::{Mailer, RecordOnly};
use hostfront_core::panel::HostingPanel;
use hostfront_core::payments::Payments;
use hostfront_core::queue::Queue;
use hostfront_core::ratelimit::ClientLimiter;
use hostfront_core::registrar::budget::{Share, SharedBudget};
use hostfront_core::registrar::capped::Capped;
use hostfront_core::registrar::{Drifting, Registrar};
use hostfront_core::secrets::Sealer;
use hostfront_core::store::Table;

pub async fn from_config(config: Config) -> anyhow::Result<Services> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match config.engine {
        Engine::Embedded => {
            let db = EmbeddedDb::open(&config.data_dir).with_context(|| {
                format!(
                    "opening the embedded database in {}",
                    config.data_dir.display()
                )
            })?;
            let key_file = config.data_dir.join("secret.key");
            let sealer = LocalSealer::open_or_create(&key_file)
                .with_context(|| format!("opening the key file {}", key_file.display()))?;
            Ok(embedded_sealed(config, db, clock, Arc::new(sealer))?)
        }
        Engine::Aws => {
            let sdk = loaded_sdk_config(&config).await;
            on_aws(config, clock, AwsAdapters::ALL, sdk).await
        }
    }
}

/// Services on the embedded engine: `db`, simulated outside services, and
/// the local sealer (its key file beside the database).
pub fn embedded(config: Config, db: EmbeddedDb, clock: Arc<dyn Clock>) -> Services {
    let sealer = local_sealer(&config);
    embedded_sealed(config, db, clock, sealer).unwrap_or_else(|error| panic!("{error:#}"))
}

fn embedded_sealed(
    config: Config,
    db: EmbeddedDb,
    clock: Arc<dyn Clock>,
    sealer: Arc<dyn Sealer>,
) -> anyhow::Result<Services> {
    let table: Arc<dyn Table> = Arc::new(SqliteTable::new(db.clone(), clock.clone()));
    let queue = SqliteQueue::new(
        db,
        config.queue_name.clone(),
        config.queue_max_receives,
        clock.clone(),
    );
    let ports = Ports {
        registrar: epp_registrar(&config, &table, &clock)?,
        payments: stripe_payments(&config)?,
        panel: whm_panel(&config, &table, &clock)?,
        table,
        queue: Arc::new(queue),
        sealer,
    };
    Ok(with_real_ports(config, clock, ports))
}

type ZonesPort = fn(&aws_config::SdkConfig, &Config) -> Option<Arc<dyn DnsHost>>;
type MailPort = fn(&aws_config::SdkConfig, &Config, &Arc<dyn Table>) -> Option<Arc<dyn Mailer>>;
type RegistrarPort = fn(&Config, &Arc<dyn Table>, &Arc<dyn Clock>) -> RealRegistrar;
type PaymentsPort = fn(&Config) -> RealPayments;
type PanelPort = fn(&Config, &Arc<dyn Table>, &Arc<dyn Clock>) -> RealPanel;

/// The real hosting panel configured, if any (`None`: the simulation).
pub type RealPanel = anyhow::Result<Option<Arc<dyn HostingPanel>>>;

/// The real payment provider configured, if any (`None`: the simulation).
pub type RealPayments = anyhow::Result<Option<Arc<dyn Payments>>>;

/// The real registrar configured, if any (`None`: the simulation).
pub type RealRegistrar = anyhow::Result<Option<Arc<dyn Registrar>>>;

/// The optional adapters a process links. Each Lambda binary names the ones
/// it uses, so one that never touches a zone, sends mail or asks the
/// registry carries none of that code in its zip.
#[derive(Clone, Copy)]
pub struct AwsAdapters {
    zones: ZonesPort,
    mail: MailPort,
    registrar: RegistrarPort,
    payments: PaymentsPort,
    panel: PanelPort,
}

impl AwsAdapters {
    /// None: the functions that neither send mail, touch a zone, ask the
    /// registry nor take payments.
    pub const NONE: AwsAdapters = AwsAdapters {
        zones: |_, _| None,
        mail: |_, _, _| None,
        registrar: |_, _, _| Ok(None),
        payments: |_| Ok(None),
        panel: |_, _, _| Ok(None),
    };
    /// Everything, as configured: the local server and the worker.
    pub const ALL: AwsAdapters = AwsAdapters::NONE
        .with_zones()
        .with_mail()
        .with_registrar()
        .with_payments()
        .with_panel();

    /// Route 53, when `HOSTFRONT_DNS=route53`.
    pub const fn with_zones(self) -> AwsAdapters {
        AwsAdapters {
            zones: route53_zones,
            ..self
        }
    }

    /// SES, when `HOSTFRONT_MAIL=ses`.
    pub const fn with_mail(self) -> AwsAdapters {
        AwsAdapters {
            mail: ses_mailer,
            ..self
        }
    }

    /// EPP, when `HOSTFRONT_REGISTRAR=epp`.
    pub const fn with_registrar(self) -> AwsAdapters {
        AwsAdapters {
            registrar: epp_registrar,
            ..self
        }
    }

    /// Stripe, when `HOSTFRONT_PAYMENTS=stripe`.
    pub const fn with_payments(self) -> AwsAdapters {
        AwsAdapters {
            payments: stripe_payments,
            ..self
        }
    }

    /// cPanel & WHM, when `HOSTFRONT_PANEL=whm`.
    pub const fn with_panel(self) -> AwsAdapters {
        AwsAdapters {
            panel: whm_panel,
            ..self
        }
    }
}

/// cPanel & WHM, when `HOSTFRONT_PANEL=whm`.
pub fn whm_panel(config: &Config, table: &Arc<dyn Table>, clock: &Arc<dyn Clock>) -> RealPanel {
    let Some(settings) = config.adapters.whm.clone() else {
        return Ok(None);
    };
    let whm = WhmPanel::new(
        settings,
        table.clone(),
        clock.clone(),
        &config.subdomain_zone,
    )
    .map_err(|e| anyhow::anyhow!("the WHM panel: {e}"))?;
    Ok(Some(Arc::new(whm)))
}

/// Stripe, when `HOSTFRONT_PAYMENTS=stripe`.
pub fn stripe_payments(config: &Config) -> RealPayments {
    let Some(settings) = config.adapters.stripe.clone() else {
        return Ok(None);
    };
    anyhow::ensure!(
        !settings.secret_key.is_empty(),
        "HOSTFRONT_PAYMENTS=stripe needs HOSTFRONT_STRIPE_SECRET_KEY in every process that takes payments"
    );
    let stripe =
        StripePayments::new(settings).map_err(|e| anyhow::anyhow!("the Stripe adapter: {e}"))?;
    Ok(Some(Arc::new(stripe)))
}

/// The EPP registrar, when `HOSTFRONT_REGISTRAR=epp`; its sessions open on
/// first use.
pub fn epp_registrar(
    config: &Config,
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
) -> RealRegistrar {
    let Some(settings) = config.adapters.epp.clone() else {
        return Ok(None);
    };
    anyhow::ensure!(
        !settings.password.is_empty(),
        "HOSTFRONT_REGISTRAR=epp needs HOSTFRONT_EPP_PASSWORD in every process that asks the registry"
    );
    let epp = EppRegistrar::new(settings, table.clone(), clock.clone())
        .map_err(|e| anyhow::anyhow!("the EPP registrar: {e}"))?;
    Ok(Some(Arc::new(epp)))
}

/// Route 53 zones, when `HOSTFRONT_DNS=route53`; the client made on first use.
fn route53_zones(sdk: &aws_config::SdkConfig, config: &Config) -> Option<Arc<dyn DnsHost>> {
    (config.adapters.dns == "route53").then(|| {
        let sdk = sdk.clone();
        let route53 = OnFirstUse::new(move || aws_sdk_route53::Client::new(&sdk));
        Arc::new(Route53Zones::new(
            route53,
            config.adapters.route53_delegation_set.clone(),
        )) as Arc<dyn DnsHost>
    })
}

/// Mail through SES, when `HOSTFRONT_MAIL=ses`; the client made on first use.
fn ses_mailer(
    sdk: &aws_config::SdkConfig,
    config: &Config,
    table: &Arc<dyn Table>,
) -> Option<Arc<dyn Mailer>> {
    (config.adapters.mail == "ses").then(|| {
        let sdk = sdk.clone();
        let ses = OnFirstUse::new(move || aws_sdk_sesv2::Client::new(&sdk));
        Arc::new(SesMailer::new(
            ses,
            config.adapters.mail_from.clone().unwrap_or_default(),
            config.adapters.ses_configuration_set.clone(),
            table.clone(),
        )) as Arc<dyn Mailer>
    })
}

/// The SDK's settings from its default chains (environment, profiles, IMDS,
/// SSO, …): for the local server on the AWS engine.
pub async fn loaded_sdk_config(config: &Config) -> aws_config::SdkConfig {
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https_client());
    if let Some(endpoint) = &config.aws_endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// The SDK's settings in a Lambda function: the region and the role's
/// credentials are in its environment, so the default chains (and the STS,
/// SSO and IMDS clients they carry) stay out of its binary and its cold start.
pub fn lambda_sdk_config(config: &Config) -> anyhow::Result<aws_config::SdkConfig> {
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use aws_smithy_async::rt::sleep::{SharedAsyncSleep, TokioSleep};
    use aws_smithy_async::time::{SharedTimeSource, SystemTimeSource};
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let required = |name: &str| env(name).with_context(|| format!("{name} is not set"));
    let credentials = Credentials::new(
        required("AWS_ACCESS_KEY_ID")?,
        required("AWS_SECRET_ACCESS_KEY")?,
        env("AWS_SESSION_TOKEN"),
        None,
        "lambda-environment",
    );
    let mut sdk = aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new(required("AWS_REGION")?))
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .http_client(https_client())
        .sleep_impl(SharedAsyncSleep::new(TokioSleep::new()))
        .time_source(SharedTimeSource::new(SystemTimeSource::new()))
        .retry_config(aws_config::retry::RetryConfig::standard())
        // What the default chains set: a connection that does not open in
        // 3.1 s is tried again, not waited on until the function times out.
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_millis(3_100))
                .build(),
        );
    if let Some(endpoint) = &config.aws_endpoint {
        sdk = sdk.endpoint_url(endpoint);
    }
    Ok(sdk.build())
}

/// Services on DynamoDB, SQS and KMS with the SDK settings `sdk`, and the
/// optional `adapters` the process uses.
pub async fn on_aws(
    config: Config,
    clock: Arc<dyn Clock>,
    adapters: AwsAdapters,
    sdk: aws_config::SdkConfig,
) -> anyhow::Result<Services> {
    let simulated = config.adapters.unsafe_in_production();
    if !simulated.is_empty() && !config.adapters.demo {
        anyhow::bail!(
            "refusing to run on AWS with {}: configure real adapters, or set HOSTFRONT_DEMO=true for a demonstration",
            simulated.join(" and ")
        );
    }
    let dynamodb = {
        let sdk = sdk.clone();
        OnFirstUse::made_meanwhile(move || {
            let started = std::time::Instant::now();
            let client = aws_sdk_dynamodb::Client::new(&sdk);
            // The cold start's parts, for whoever tunes it (HOSTFRONT_LOG=debug).
            tracing::debug!(
                dynamodb_client_us = started.elapsed().as_micros() as u64,
                "DynamoDB client ready"
            );
            client
        })
    };
    let table = DynamoTable::new(dynamodb, &config.table_name, clock.clone());
    let queue = if config.create_resources {
        table
            .create_if_missing()
            .await
            .context("creating the DynamoDB table")?;
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        SqsQueue::create(sqs, &config.queue_name, config.queue_max_receives)
            .await
            .context("creating the queues")?
    } else {
        let url = config
            .queue_url
            .clone()
            .context("HOSTFRONT_QUEUE_URL is required with HOSTFRONT_ENGINE=aws")?;
        let dlq = config
            .dead_letter_queue_url
            .clone()
            .context("HOSTFRONT_DLQ_URL is required with HOSTFRONT_ENGINE=aws")?;
        let sdk = sdk.clone();
        SqsQueue::new(
            OnFirstUse::new(move || aws_sdk_sqs::Client::new(&sdk)),
            url,
            dlq,
        )
    };
    let key_id = match (&config.kms_key_id, config.create_resources) {
        (Some(id), _) => id.clone(),
        (None, true) => KmsSealer::create_key(&aws_sdk_kms::Client::new(&sdk))
            .await
            .context("creating a KMS key")?,
        (None, false) => anyhow::bail!(
            "HOSTFRONT_KMS_KEY_ID is required with HOSTFRONT_ENGINE=aws: secrets are sealed with it"
        ),
    };
    let table: Arc<dyn Table> = Arc::new(table);
    let dns_host = (adapters.zones)(&sdk, &config);
    let mailer = (adapters.mail)(&sdk, &config, &table);
    let registrar = (adapters.registrar)(&config, &table, &clock)?;
    let payments = (adapters.payments)(&config)?;
    let panel = (adapters.panel)(&config, &table, &clock)?;
    let kms = OnFirstUse::new(move || aws_sdk_kms::Client::new(&sdk));
    let sealer = Arc::new(KmsSealer::new(kms, key_id));
    let ports = Ports {
        table,
        queue: Arc::new(queue),
        sealer,
        registrar,
        payments,
        panel,
    };
    let mut services = with_real_ports(config, clock, ports);
    if let Some(dns_host) = dns_host {
        services.dns_host = dns_host;
    }
    if let Some(mailer) = mailer {
        services.mailer = mailer;
    }
    Ok(services)
}

/// A search never waits for the registrar's next second: a checked answer
/// should take the registry's round trip and at most 25 ms more, which the
/// search's own work takes under load; the names it cannot check now are
/// answered `unknown` at once, and the site offers to check again.
const SEARCH_WAIT: Duration = Duration::ZERO;

/// The roots AWS's endpoints chain to (Amazon Root CA 1 to 4 and Starfield
/// Services Root G2, as AWS documents), from Mozilla's list: the SDK talks to
/// nothing else.
const AWS_ROOTS: &[u8] = include_bytes!("aws_roots.pem");

/// The HTTPS client of every AWS SDK client: rustls with ring, trusting the
/// AWS roots, or the bundle `SSL_CERT_FILE` names (an endpoint of one's own).
/// Five roots parse in microseconds; the system's hundreds, read from its
/// certificate directory, were half of a function's cold start.
pub fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
    let roots = std::env::var_os("SSL_CERT_FILE")
        .and_then(|file| std::fs::read(file).ok())
        .unwrap_or_else(|| AWS_ROOTS.to_vec());
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(roots);
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context of PEM roots");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .tls_context(context)
        .build_https()
}

/// Services over a table and queue built elsewhere (the cloud engines in
/// tests). The registrar is the simulated registry, keeping its state in
/// `table`, or EPP when configured (a setting it cannot use panics).
pub fn with_ports(
    config: Config,
    clock: Arc<dyn Clock>,
    table: Arc<dyn Table>,
    queue: Arc<dyn Queue>,
    sealer: Arc<dyn Sealer>,
) -> Services {
    let ports = Ports {
        registrar: epp_registrar(&config, &table, &clock)
            .unwrap_or_else(|error| panic!("{error:#}")),
        payments: stripe_payments(&config).unwrap_or_else(|error| panic!("{error:#}")),
        panel: whm_panel(&config, &table, &clock).unwrap_or_else(|error| panic!("{error:#}")),
        table,
        queue,
        sealer,
    };
    with_real_ports(config, clock, ports)
}

/// The ports every process has: the table, the queue, the sealer, and the
/// real registrar and payment provider when they are configured.
pub struct Ports {
    pub table: Arc<dyn Table>,
    pub queue: Arc<dyn Queue>,
    pub sealer: Arc<dyn Sealer>,
    pub registrar: Option<Arc<dyn Registrar>>,
    pub payments: Option<Arc<dyn Payments>>,
    pub panel: Option<Arc<dyn HostingPanel>>,
}

/// Services on `ports`, with the simulations (or the real registrar) and the
/// limits configured.
pub fn with_real_ports(config: Config, clock: Arc<dyn Clock>, ports: Ports) -> Services {
    let Ports {
        table,
        queue,
        sealer,
        registrar: real_registrar,
        payments: real_payments,
        panel: real_panel,
    } = ports;
    let simulation = SimulationSettings {
        latency: Duration::from_millis(config.sim_registrar_latency_ms),
        failure_rate: config.sim_registrar_failure_rate,
        ..SimulationSettings::default()
    };
    let simulated = Arc::new(SimulatedRegistry::new(
        table.clone(),
        clock.clone(),
        simulation,
    ));
    let simulated_registry: Option<Arc<dyn Drifting>> = match real_registrar {
        Some(_) => None,
        None => Some(simulated.clone()),
    };
    let registry: Arc<dyn Registrar> = real_registrar.unwrap_or(simulated);
    let payments = real_payments
        .unwrap_or_else(|| Arc::new(SimulatedGateway::new(table.clone(), clock.clone())));
    let panel = real_panel.unwrap_or_else(|| {
        Arc::new(SimulatedPanel::new(
            table.clone(),
            clock.clone(),
            PanelSettings {
                capacity_per_server: config.sim_panel_capacity,
                addresses: config.sim_panel_addresses,
                latency: Duration::from_millis(config.sim_panel_latency_ms),
                failure_rate: config.sim_panel_failure_rate,
            },
            &config.subdomain_zone,
        ))
    });
    let budget = Arc::new(
        SharedBudget::new(
            table.clone(),
            clock.clone(),
            config.registrar_calls_per_second,
            config.registrar_reserved_per_second,
        )
        .with_portal_share(config.registrar_portal_per_second),
    );
    // Orders and renewals may wait for the next second; a search only as long
    // as a person does not notice (25 ms), then answers with what it knows.
    let registrar = Arc::new(Capped::new(
        registry.clone(),
        budget.clone(),
        Share::Everything,
        Duration::from_millis(1_000),
    ));
    let search_registrar = Arc::new(Capped::new(
        registry.clone(),
        budget.clone(),
        Share::Searches,
        SEARCH_WAIT,
    ));
    // The daily sync may wait for its turn; its batches are retried later when it cannot.
    let sync_registrar = Arc::new(Capped::new(
        registry.clone(),
        budget.clone(),
        Share::Background,
        Duration::from_millis(2_000),
    ));
    // A customer's own change may wait for the next second, as an order does.
    let portal_registrar = Arc::new(Capped::new(
        registry,
        budget,
        Share::Portal,
        Duration::from_millis(1_000),
    ));
    let check_limiter = ClientLimiter::new(
        "check",
        config.check_per_minute,
        config.check_burst,
        config.check_window_limit,
        60,
    );
    let auth_burst = (config.auth_per_minute / 2).max(1);
    let auth_limiter = ClientLimiter::new(
        "auth",
        config.auth_per_minute,
        auth_burst,
        config.auth_window_limit,
        60,
    );
    let purchase_limiter = ClientLimiter::new(
        "purchase",
        config.purchase_per_minute,
        (config.purchase_per_minute / 2).max(1),
        config.purchase_window_limit,
        60,
    );
    let domain_change_limiter = ClientLimiter::new(
        "domain_change",
        config.domain_changes_per_minute,
        (config.domain_changes_per_minute / 2).max(1),
        config.domain_changes_per_minute.saturating_mul(2),
        60,
    );
    let simulated_dns = Arc::new(SimulatedResolver::new(table.clone()));
    let dns_host: Arc<dyn DnsHost> = Arc::new(TableZones::new(table.clone()));
    let mailer: Arc<dyn Mailer> = match config.adapters.mail.as_str() {
        "outbox" => Arc::new(OutboxFolder::new(hostfront_core::mail::outbox_folder(
            &config.data_dir,
        ))),
        _ => Arc::new(RecordOnly),
    };
    let hasher = Arc::new(HashGate::new(
        config.hash_concurrency,
        Duration::from_millis(config.hash_wait_ms),
    ));
    Services {
        config: Arc::new(config),
        clock,
        table,
        queue,
        registrar,
        search_registrar,
        sync_registrar,
        portal_registrar,
        payments,
        panel,
        sealer,
        resolver: simulated_dns.clone(),
        dns_host,
        mailer,
        simulated_dns: Some(simulated_dns),
        simulated_registry,
        catalog: Arc::new(CatalogCache::new(Duration::from_secs(60))),
        check_limiter: Arc::new(check_limiter),
        auth_limiter: Arc::new(auth_limiter),
        purchase_limiter: Arc::new(purchase_limiter),
        domain_change_limiter: Arc::new(domain_change_limiter),
        hasher,
    }
}

/// The local sealer with its key in `<data dir>/secret.key`, for tests and
/// tools; it panics when the key file cannot be read or made.
pub fn local_sealer(config: &Config) -> Arc<dyn Sealer> {
    let file = config.data_dir.join("secret.key");
    match LocalSealer::open_or_create(&file) {
        Ok(sealer) => Arc::new(sealer),
        Err(error) => panic!(
            "cannot open or create the key file {}: {error}",
            file.display()
        ),
    }
}
