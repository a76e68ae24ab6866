//! Reading a domain at the registry: an `<info>` command, framed by hand
//! for its RGP extension, and its answer as the port's `DomainInfo`.

use instant_epp::domain::info::InfoData;
use instant_epp::domain::{HostInfo, Status};
use instant_epp::extensions::rgp::RgpStatus;
use instant_epp::extensions::rgp::request::RgpRequestInfoResponse;
use instant_epp::response::Response;
use instant_xml::FromXml;

use hostfront_core::registrar::{DomainInfo as Info, DomainStatus, RegistrarError};

use super::{EppRegistrar, transaction_id};

/// What the registry holds of a domain, as `<info>` tells it.
pub(super) struct Record {
    pub(super) info: Info,
    /// We sponsor it.
    pub(super) ours: bool,
    /// Its auth code, when we sponsor it.
    pub(super) auth_code: Option<String>,
    /// A restore was requested and waits for its report (RFC 3915).
    pub(super) pending_restore: bool,
    /// When the registry last changed it (for a domain in redemption,
    /// when it was deleted).
    pub(super) updated_at: Option<i64>,
}

impl EppRegistrar {
    /// The registry's record of `domain`.
    pub(super) async fn lookup(&self, domain: &str) -> Result<Record, RegistrarError> {
        let frame = info_frame(domain, &transaction_id(&format!("info-{domain}")));
        let response = self
            .sessions
            .with(async |client| {
                let xml = client.transact_xml(&frame).await?;
                parse_response::<InfoData, RgpRequestInfoResponse>(&xml)
            })
            .await?;
        let data = response
            .res_data()
            .ok_or_else(|| RegistrarError::Unavailable("EPP info without data".into()))?;
        let rgp = response
            .extension
            .as_ref()
            .map(|ext| ext.data.rgp_status.as_slice())
            .unwrap_or_default();
        let ours = data.client_id == self.settings.client_id;
        let auth_code = data
            .auth_info
            .as_ref()
            .filter(|_| ours)
            .map(|a| a.password.to_string());
        Ok(Record {
            info: info_of(data, rgp, ours),
            ours,
            auth_code,
            pending_restore: rgp.contains(&RgpStatus::PendingRestore),
            updated_at: data.updated_at.map(|at| at.timestamp()),
        })
    }

    /// The registry's record of `domain`, which we must sponsor: a domain
    /// another registrar holds is not found, as the port has it.
    pub(super) async fn ours(&self, domain: &str) -> Result<Record, RegistrarError> {
        let record = self.lookup(domain).await?;
        match record.ours {
            true => Ok(record),
            false => Err(RegistrarError::NotFound(format!("{domain} is not ours"))),
        }
    }
}

/// Our view of the registry's `<infData>`, with its RGP statuses.
fn info_of(data: &InfoData, rgp: &[RgpStatus], ours: bool) -> Info {
    let statuses = data.statuses.as_deref().unwrap_or_default();
    let has = |status: Status| statuses.contains(&status);
    // A transfer pending either way is told before whose the domain is.
    let status = if has(Status::PendingTransfer) {
        DomainStatus::PendingTransfer
    } else if !ours {
        DomainStatus::External
    } else if rgp.contains(&RgpStatus::PendingDelete) {
        DomainStatus::PendingDelete
    } else if rgp.contains(&RgpStatus::RedemptionPeriod) || rgp.contains(&RgpStatus::PendingRestore)
    {
        DomainStatus::Redemption
    } else if rgp.contains(&RgpStatus::AutoRenewPeriod) {
        DomainStatus::AutoRenewGrace
    } else {
        DomainStatus::Active
    };
    let nameservers = data
        .ns
        .as_ref()
        .map(|ns| {
            ns.ns
                .iter()
                .map(|host| match host {
                    HostInfo::Obj(obj) => obj.name.to_string(),
                    HostInfo::Attr(attr) => attr.name.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    Info {
        domain: data.name.clone(),
        status,
        expires_at: data
            .expiring_at
            .map(|at| at.timestamp())
            .unwrap_or_default(),
        nameservers,
        locked: has(Status::ClientTransferProhibited),
    }
}

/// An `<info>` command for `domain`, framed by hand: `instant-epp` sends
/// a command without an extension only with a response type that drops
/// the extension, and RGP's periods come in it.
fn info_frame(domain: &str, id: &str) -> String {
    let domain = xml_escape(domain);
    let id = xml_escape(id);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><info><domain:info xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name hosts="all">{domain}</domain:name></domain:info></info><clTRID>{id}</clTRID></command></epp>"#
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(FromXml)]
#[xml(rename = "epp", ns("urn:ietf:params:xml:ns:epp-1.0"))]
struct Epp<T> {
    data: T,
}

/// A response document, an error result as `instant-epp` reports one.
fn parse_response<D, E>(xml: &str) -> Result<Response<D, E>, instant_epp::Error>
where
    D: instant_xml::FromXmlOwned,
    E: instant_xml::FromXmlOwned,
{
    let Epp { data } = instant_xml::from_str::<Epp<Response<D, E>>>(xml)
        .map_err(|e| instant_epp::Error::Xml(e.into()))?;
    if data.result.code.is_success() {
        return Ok(data);
    }
    Err(instant_epp::Error::Command(Box::new(
        instant_epp::response::ResponseStatus {
            result: data.result,
            tr_ids: data.tr_ids,
        },
    )))
}
