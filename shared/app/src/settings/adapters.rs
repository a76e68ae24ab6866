//! Which adapter serves each port that reaches outside the system, chosen
//! by name once, at start-up. Each is simulated (or, for DNS and mail, the
//! table's own) unless a real one is chosen; on AWS the simulated registrar,
//! payment gateway and panel run only with `HOSTFRONT_DEMO=true`.

use hostfront_adapters::epp::EppSettings;
use hostfront_adapters::maas::MaasSettings;
use hostfront_adapters::proxmox::ProxmoxSettings;
use hostfront_adapters::stripe::StripeSettings;
use hostfront_adapters::vies::ViesSettings;
use hostfront_adapters::whm::WhmSettings;
use hostfront_core::config::{ConfigError, Env};

use super::Engine;

/// `HOSTFRONT_REGISTRAR`: `simulated` or `epp` (a registry over EPP).
#[derive(Debug, Clone)]
pub enum RegistrarChoice {
    Simulated,
    Epp(EppSettings),
}

/// `HOSTFRONT_PAYMENTS`: `simulated` or `stripe`.
#[derive(Debug, Clone)]
pub enum PaymentsChoice {
    Simulated,
    Stripe(StripeSettings),
}

/// `HOSTFRONT_PANEL`: `simulated` or `whm` (cPanel & WHM servers).
#[derive(Debug, Clone)]
pub enum PanelChoice {
    Simulated,
    Whm(WhmSettings),
}

/// `HOSTFRONT_HYPERVISOR`: `simulated` or `proxmox` (Proxmox VE).
#[derive(Debug, Clone)]
pub enum HypervisorChoice {
    Simulated,
    Proxmox(Box<ProxmoxSettings>),
}

/// `HOSTFRONT_MACHINES`: `simulated` or `maas` (Canonical MAAS), the pool
/// of physical machines dedicated and managed plans run on.
#[derive(Debug, Clone)]
pub enum MachinesChoice {
    Simulated,
    Maas(Box<MaasSettings>),
}

/// `HOSTFRONT_TAX_IDS`: `simulated` or `vies` (the EU's VAT register).
#[derive(Debug, Clone)]
pub enum TaxIdsChoice {
    Simulated,
    Vies(ViesSettings),
}

/// `HOSTFRONT_DNS`: `table` (zones in the table, exported as BIND) or
/// `route53` (hosted zones on Amazon Route 53; AWS engine only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsChoice {
    Table,
    /// `HOSTFRONT_ROUTE53_DELEGATION_SET`: the reusable delegation set whose
    /// nameservers serve every zone, if any.
    Route53 {
        delegation_set: Option<String>,
    },
}

/// `HOSTFRONT_MAIL`: `outbox` (the development mailbox, files in the data
/// directory; the default with `HOSTFRONT_DEV_TOOLS`), `record` (the
/// table's record only, secrets withheld) or `ses` (Amazon SES; AWS engine
/// only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailChoice {
    Outbox,
    Record,
    Ses(SesSettings),
}

/// Mail through Amazon SES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesSettings {
    /// `HOSTFRONT_MAIL_FROM`: the address mail is sent from.
    pub from: String,
    /// `HOSTFRONT_SES_CONFIGURATION_SET`: the configuration set that
    /// publishes bounces and complaints.
    pub configuration_set: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Adapters {
    pub registrar: RegistrarChoice,
    pub payments: PaymentsChoice,
    pub panel: PanelChoice,
    pub hypervisor: HypervisorChoice,
    pub machines: MachinesChoice,
    pub tax_ids: TaxIdsChoice,
    pub dns: DnsChoice,
    pub mail: MailChoice,
    /// `HOSTFRONT_DEMO`: this is a demonstration; simulations may run on AWS.
    pub demo: bool,
}

impl Adapters {
    /// Reads the choices and the chosen adapters' settings; `dev_tools`
    /// makes the development mailbox the default.
    pub(super) fn read(env: &Env, engine: Engine, dev_tools: bool) -> Result<Self, ConfigError> {
        let registrar =
            match env.one_of("HOSTFRONT_REGISTRAR", "simulated", &["simulated", "epp"])? {
                "epp" => RegistrarChoice::Epp(super::epp::read(env)?),
                _ => RegistrarChoice::Simulated,
            };
        let payments =
            match env.one_of("HOSTFRONT_PAYMENTS", "simulated", &["simulated", "stripe"])? {
                "stripe" => PaymentsChoice::Stripe(super::stripe::read(env)?),
                _ => PaymentsChoice::Simulated,
            };
        let panel = match env.one_of("HOSTFRONT_PANEL", "simulated", &["simulated", "whm"])? {
            "whm" => PanelChoice::Whm(super::panel::read(env)?),
            _ => PanelChoice::Simulated,
        };
        let hypervisor = match env.one_of(
            "HOSTFRONT_HYPERVISOR",
            "simulated",
            &["simulated", "proxmox"],
        )? {
            "proxmox" => HypervisorChoice::Proxmox(Box::new(super::proxmox::read(env)?)),
            _ => HypervisorChoice::Simulated,
        };
        let machines =
            match env.one_of("HOSTFRONT_MACHINES", "simulated", &["simulated", "maas"])? {
                "maas" => MachinesChoice::Maas(Box::new(super::maas::read(env)?)),
                _ => MachinesChoice::Simulated,
            };
        let tax_ids = match env.one_of("HOSTFRONT_TAX_IDS", "simulated", &["simulated", "vies"])? {
            "vies" => TaxIdsChoice::Vies(super::vies::read(env)?),
            _ => TaxIdsChoice::Simulated,
        };
        Ok(Adapters {
            registrar,
            payments,
            panel,
            hypervisor,
            machines,
            tax_ids,
            dns: dns(env, engine)?,
            mail: mail(env, engine, dev_tools)?,
            demo: env.flag("HOSTFRONT_DEMO", false)?,
        })
    }

    /// The simulations that would take real money or names on AWS.
    pub fn unsafe_in_production(&self) -> Vec<&'static str> {
        let mut found = Vec::new();
        if matches!(self.registrar, RegistrarChoice::Simulated) {
            found.push("HOSTFRONT_REGISTRAR=simulated (any name \"registers\")");
        }
        if matches!(self.payments, PaymentsChoice::Simulated) {
            found.push("HOSTFRONT_PAYMENTS=simulated (any Luhn-valid card \"pays\")");
        }
        if matches!(self.panel, PanelChoice::Simulated) {
            found.push("HOSTFRONT_PANEL=simulated (hosting accounts exist only in the table)");
        }
        found
    }
}

fn dns(env: &Env, engine: Engine) -> Result<DnsChoice, ConfigError> {
    match env.one_of("HOSTFRONT_DNS", "table", &["table", "route53"])? {
        "route53" if engine != Engine::Aws => Err(ConfigError::new(
            "HOSTFRONT_DNS=route53 needs HOSTFRONT_ENGINE=aws",
        )),
        "route53" => Ok(DnsChoice::Route53 {
            delegation_set: env.get("HOSTFRONT_ROUTE53_DELEGATION_SET"),
        }),
        _ => Ok(DnsChoice::Table),
    }
}

fn mail(env: &Env, engine: Engine, dev_tools: bool) -> Result<MailChoice, ConfigError> {
    // The outbox folder is a development mailbox: it holds mails whole,
    // links' tokens included, so it is the default only with the
    // development tools on.
    let default = if dev_tools { "outbox" } else { "record" };
    match env.one_of("HOSTFRONT_MAIL", default, &["outbox", "record", "ses"])? {
        "outbox" => Ok(MailChoice::Outbox),
        "record" => Ok(MailChoice::Record),
        _ => match env.get("HOSTFRONT_MAIL_FROM") {
            Some(from) if engine == Engine::Aws => Ok(MailChoice::Ses(SesSettings {
                from,
                configuration_set: env.get("HOSTFRONT_SES_CONFIGURATION_SET"),
            })),
            _ => Err(ConfigError::new(
                "HOSTFRONT_MAIL=ses needs HOSTFRONT_ENGINE=aws and HOSTFRONT_MAIL_FROM",
            )),
        },
    }
}
