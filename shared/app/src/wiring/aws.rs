//! The AWS engine: DynamoDB, SQS and KMS, the SDK's settings, and the
//! optional adapters each Lambda function links.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use hostfront_adapters::aws::{DynamoTable, KmsSealer, OnFirstUse, SqsQueue};
use hostfront_core::Ports;
use hostfront_core::clock::Clock;
use hostfront_core::dnshost::DnsHost;
use hostfront_core::mailer::Mailer;
use hostfront_core::queue::Queue;
use hostfront_core::store::Table;

use super::real::{
    RealPanel, RealPayments, RealRegistrar, RealTaxIds, epp_registrar, maas_machines,
    proxmox_hypervisor, route53_zones, ses_mailer, stripe_payments, vies_tax_ids, whm_panel,
};
use super::{EnginePorts, with_real_ports};
use crate::settings::Settings;

type ZonesPort = fn(&aws_config::SdkConfig, &Settings) -> Option<Arc<dyn DnsHost>>;
type MailPort = fn(&aws_config::SdkConfig, &Settings, &Arc<dyn Table>) -> Option<Arc<dyn Mailer>>;
type RegistrarPort = fn(&Settings, &Arc<dyn Table>, &Arc<dyn Clock>) -> RealRegistrar;
type PaymentsPort = fn(&Settings) -> RealPayments;
type PanelPort = fn(&Settings, &Arc<dyn Table>, &Arc<dyn Clock>) -> RealPanel;
type TaxIdsPort = fn(&Settings, &Arc<dyn Clock>) -> RealTaxIds;

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
    tax_ids: TaxIdsPort,
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
        tax_ids: |_, _| Ok(None),
    };
    /// Everything, as configured: the local server and the worker.
    pub const ALL: AwsAdapters = AwsAdapters::NONE
        .with_zones()
        .with_mail()
        .with_registrar()
        .with_payments()
        .with_panel()
        .with_tax_ids();

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

    /// VIES, when `HOSTFRONT_TAX_IDS=vies`.
    pub const fn with_tax_ids(self) -> AwsAdapters {
        AwsAdapters {
            tax_ids: vies_tax_ids,
            ..self
        }
    }
}

/// The SDK's settings from its default chains (environment, profiles, IMDS,
/// SSO, …): for the local server on the AWS engine.
pub async fn loaded_sdk_config(settings: &Settings) -> aws_config::SdkConfig {
    let mut loader =
        aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https_client());
    if let Some(endpoint) = &settings.aws.endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    loader.load().await
}

/// The SDK's settings in a Lambda function: the region and the role's
/// credentials are in its environment, so the default chains (and the STS,
/// SSO and IMDS clients they carry) stay out of its binary and its cold start.
pub fn lambda_sdk_config(settings: &Settings) -> anyhow::Result<aws_config::SdkConfig> {
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
    if let Some(endpoint) = &settings.aws.endpoint {
        sdk = sdk.endpoint_url(endpoint);
    }
    Ok(sdk.build())
}

/// The ports on DynamoDB, SQS and KMS with the SDK settings `sdk`, and the
/// optional `adapters` the process uses.
pub async fn on_aws(
    settings: Settings,
    clock: Arc<dyn Clock>,
    adapters: AwsAdapters,
    sdk: aws_config::SdkConfig,
) -> anyhow::Result<Ports> {
    let simulated = settings.adapters.unsafe_in_production();
    if !simulated.is_empty() && !settings.adapters.demo {
        anyhow::bail!(
            "refusing to run on AWS with {}: configure real adapters, or set HOSTFRONT_DEMO=true for a demonstration",
            simulated.join(" and ")
        );
    }
    let table = dynamo_table(&settings, &clock, &sdk);
    let queue = queue(&settings, &table, &sdk).await?;
    let key_id = kms_key(&settings, &sdk).await?;
    let table: Arc<dyn Table> = Arc::new(table);
    let dns_host = (adapters.zones)(&sdk, &settings);
    let mailer = (adapters.mail)(&sdk, &settings, &table);
    let registrar = (adapters.registrar)(&settings, &table, &clock)?;
    let payments = (adapters.payments)(&settings)?;
    let panel = (adapters.panel)(&settings, &table, &clock)?;
    let tax_ids = (adapters.tax_ids)(&settings, &clock)?;
    let hypervisor = proxmox_hypervisor(&settings, &table)?;
    let machines = maas_machines(&settings, &table)?;
    let kms = OnFirstUse::new(move || aws_sdk_kms::Client::new(&sdk));
    let sealer = Arc::new(KmsSealer::new(kms, key_id));
    let engine_ports = EnginePorts {
        table,
        queue,
        sealer,
        registrar,
        payments,
        panel,
        hypervisor,
        machines,
        tax_ids,
    };
    let mut ports = with_real_ports(settings, clock, engine_ports);
    if let Some(dns_host) = dns_host {
        ports.dns_host = dns_host;
    }
    if let Some(mailer) = mailer {
        ports.mailer = mailer;
    }
    Ok(ports)
}

/// The table, its client made on first use (meanwhile, on another thread).
fn dynamo_table(
    settings: &Settings,
    clock: &Arc<dyn Clock>,
    sdk: &aws_config::SdkConfig,
) -> DynamoTable {
    let sdk = sdk.clone();
    let dynamodb = OnFirstUse::made_meanwhile(move || {
        let started = std::time::Instant::now();
        let client = aws_sdk_dynamodb::Client::new(&sdk);
        // The cold start's parts, for whoever tunes it (HOSTFRONT_LOG=debug).
        tracing::debug!(
            dynamodb_client_us = started.elapsed().as_micros() as u64,
            "DynamoDB client ready"
        );
        client
    });
    DynamoTable::new(dynamodb, &settings.aws.table_name, clock.clone())
}

/// The queues at their configured URLs, or made (with the table) when
/// `HOSTFRONT_CREATE_RESOURCES` asks.
async fn queue(
    settings: &Settings,
    table: &DynamoTable,
    sdk: &aws_config::SdkConfig,
) -> anyhow::Result<Arc<dyn Queue>> {
    let max_receives = settings.policy.queue_max_receives;
    if settings.aws.create_resources {
        table
            .create_if_missing()
            .await
            .context("creating the DynamoDB table")?;
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let queue = SqsQueue::create(sqs, &settings.queue_name, max_receives)
            .await
            .context("creating the queues")?;
        return Ok(Arc::new(queue));
    }
    let url = settings
        .aws
        .queue_url
        .clone()
        .context("HOSTFRONT_QUEUE_URL is required with HOSTFRONT_ENGINE=aws")?;
    let dlq = settings
        .aws
        .dead_letter_queue_url
        .clone()
        .context("HOSTFRONT_DLQ_URL is required with HOSTFRONT_ENGINE=aws")?;
    let sdk = sdk.clone();
    Ok(Arc::new(SqsQueue::new(
        OnFirstUse::new(move || aws_sdk_sqs::Client::new(&sdk)),
        url,
        dlq,
    )))
}

/// The KMS key that seals secrets: the configured one, or a new one when
/// `HOSTFRONT_CREATE_RESOURCES` asks.
async fn kms_key(settings: &Settings, sdk: &aws_config::SdkConfig) -> anyhow::Result<String> {
    match (&settings.aws.kms_key_id, settings.aws.create_resources) {
        (Some(id), _) => Ok(id.clone()),
        (None, true) => KmsSealer::create_key(&aws_sdk_kms::Client::new(sdk))
            .await
            .context("creating a KMS key"),
        (None, false) => anyhow::bail!(
            "HOSTFRONT_KMS_KEY_ID is required with HOSTFRONT_ENGINE=aws: secrets are sealed with it"
        ),
    }
}

/// The roots AWS's endpoints chain to (Amazon Root CA 1 to 4 and Starfield
/// Services Root G2, as AWS documents), from Mozilla's list: the SDK talks to
/// nothing else.
const AWS_ROOTS: &[u8] = include_bytes!("../aws_roots.pem");

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
