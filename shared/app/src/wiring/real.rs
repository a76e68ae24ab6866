//! The real adapters of the outside ports, each made only when chosen.

use std::sync::Arc;

use hostfront_adapters::aws::{OnFirstUse, Route53Zones, SesMailer};
use hostfront_adapters::epp::EppRegistrar;
use hostfront_adapters::maas::MaasMachines;
use hostfront_adapters::proxmox::ProxmoxHypervisor;
use hostfront_adapters::stripe::StripePayments;
use hostfront_adapters::vies::ViesTaxIds;
use hostfront_adapters::whm::WhmPanel;
use hostfront_core::clock::Clock;
use hostfront_core::dnshost::DnsHost;
use hostfront_core::hypervisor::Hypervisor;
use hostfront_core::machines::Machines;
use hostfront_core::mailer::Mailer;
use hostfront_core::panel::HostingPanel;
use hostfront_core::payments::Payments;
use hostfront_core::registrar::Registrar;
use hostfront_core::store::Table;
use hostfront_core::tax_ids::TaxIds;
use secrecy::ExposeSecret;

use crate::settings::{
    DnsChoice, HypervisorChoice, MachinesChoice, MailChoice, PanelChoice, PaymentsChoice,
    RegistrarChoice, Settings, TaxIdsChoice,
};

/// The real hosting panel configured, if any (`None`: the simulation).
pub type RealPanel = anyhow::Result<Option<Arc<dyn HostingPanel>>>;

/// The real payment provider configured, if any (`None`: the simulation).
pub type RealPayments = anyhow::Result<Option<Arc<dyn Payments>>>;

/// The real registrar configured, if any (`None`: the simulation).
pub type RealRegistrar = anyhow::Result<Option<Arc<dyn Registrar>>>;

/// The real VAT register configured, if any (`None`: the simulation).
pub type RealTaxIds = anyhow::Result<Option<Arc<dyn TaxIds>>>;

/// VIES, when `HOSTFRONT_TAX_IDS=vies`.
pub fn vies_tax_ids(settings: &Settings, clock: &Arc<dyn Clock>) -> RealTaxIds {
    let TaxIdsChoice::Vies(vies) = &settings.adapters.tax_ids else {
        return Ok(None);
    };
    let vies = ViesTaxIds::new(vies.clone(), clock.clone())
        .map_err(|e| anyhow::anyhow!("the VIES adapter (HOSTFRONT_VIES_URL): {e}"))?;
    Ok(Some(Arc::new(vies)))
}

/// cPanel & WHM, when `HOSTFRONT_PANEL=whm`.
pub fn whm_panel(settings: &Settings, table: &Arc<dyn Table>, clock: &Arc<dyn Clock>) -> RealPanel {
    let PanelChoice::Whm(whm) = &settings.adapters.panel else {
        return Ok(None);
    };
    let whm = WhmPanel::new(
        whm.clone(),
        table.clone(),
        clock.clone(),
        &settings.policy.subdomain_zone,
    )
    .map_err(|e| anyhow::anyhow!("the WHM panel: {e}"))?;
    Ok(Some(Arc::new(whm)))
}

/// The real hypervisor configured, if any (`None`: the simulation).
pub type RealHypervisor = anyhow::Result<Option<Arc<dyn Hypervisor>>>;

/// Proxmox VE, when `HOSTFRONT_HYPERVISOR=proxmox`; its address pool and
/// PTRs are kept in `table`.
pub fn proxmox_hypervisor(settings: &Settings, table: &Arc<dyn Table>) -> RealHypervisor {
    let HypervisorChoice::Proxmox(proxmox) = &settings.adapters.hypervisor else {
        return Ok(None);
    };
    let proxmox = ProxmoxHypervisor::new(proxmox.as_ref().clone(), table.clone())
        .map_err(|e| anyhow::anyhow!("the Proxmox hypervisor (HOSTFRONT_PROXMOX_URL): {e}"))?;
    Ok(Some(Arc::new(proxmox)))
}

/// The real machine pool configured, if any (`None`: the simulation).
pub type RealMachines = anyhow::Result<Option<Arc<dyn Machines>>>;

/// Canonical MAAS, when `HOSTFRONT_MACHINES=maas`; the machines' IP sets
/// and PTRs are kept in `table`.
pub fn maas_machines(settings: &Settings, table: &Arc<dyn Table>) -> RealMachines {
    let MachinesChoice::Maas(maas) = &settings.adapters.machines else {
        return Ok(None);
    };
    let maas = MaasMachines::new(maas.as_ref().clone(), table.clone()).map_err(|e| {
        anyhow::anyhow!("the MAAS machine pool (HOSTFRONT_MAAS_URL, HOSTFRONT_MAAS_API_KEY): {e}")
    })?;
    Ok(Some(Arc::new(maas)))
}

/// Stripe, when `HOSTFRONT_PAYMENTS=stripe`.
pub fn stripe_payments(settings: &Settings) -> RealPayments {
    let PaymentsChoice::Stripe(stripe) = &settings.adapters.payments else {
        return Ok(None);
    };
    anyhow::ensure!(
        !stripe.secret_key.expose_secret().is_empty(),
        "HOSTFRONT_PAYMENTS=stripe needs HOSTFRONT_STRIPE_SECRET_KEY in every process that takes payments"
    );
    let stripe = StripePayments::new(stripe.clone())
        .map_err(|e| anyhow::anyhow!("the Stripe adapter: {e}"))?;
    Ok(Some(Arc::new(stripe)))
}

/// The EPP registrar, when `HOSTFRONT_REGISTRAR=epp`; its sessions open on
/// first use.
pub fn epp_registrar(
    settings: &Settings,
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
) -> RealRegistrar {
    let RegistrarChoice::Epp(epp) = &settings.adapters.registrar else {
        return Ok(None);
    };
    anyhow::ensure!(
        !epp.password.expose_secret().is_empty(),
        "HOSTFRONT_REGISTRAR=epp needs HOSTFRONT_EPP_PASSWORD in every process that asks the registry"
    );
    let epp = EppRegistrar::new(epp.clone(), table.clone(), clock.clone())
        .map_err(|e| anyhow::anyhow!("the EPP registrar: {e}"))?;
    Ok(Some(Arc::new(epp)))
}

/// Route 53 zones, when `HOSTFRONT_DNS=route53`; the client made on first use.
pub(super) fn route53_zones(
    sdk: &aws_config::SdkConfig,
    settings: &Settings,
) -> Option<Arc<dyn DnsHost>> {
    let DnsChoice::Route53 { delegation_set } = &settings.adapters.dns else {
        return None;
    };
    let sdk = sdk.clone();
    let route53 = OnFirstUse::new(move || aws_sdk_route53::Client::new(&sdk));
    Some(Arc::new(Route53Zones::new(route53, delegation_set.clone())))
}

/// Mail through SES, when `HOSTFRONT_MAIL=ses`; the client made on first use.
pub(super) fn ses_mailer(
    sdk: &aws_config::SdkConfig,
    settings: &Settings,
    table: &Arc<dyn Table>,
) -> Option<Arc<dyn Mailer>> {
    let MailChoice::Ses(ses) = &settings.adapters.mail else {
        return None;
    };
    let sdk = sdk.clone();
    let client = OnFirstUse::new(move || aws_sdk_sesv2::Client::new(&sdk));
    Some(Arc::new(SesMailer::new(
        client,
        ses.from.clone(),
        ses.configuration_set.clone(),
        table.clone(),
    )))
}
