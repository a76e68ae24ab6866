//! A domain restored from redemption as RFC 3915 (section 3.2) has it: a
//! restore request, which the registry answers by marking the domain
//! `pendingRestore`, then a restore report, which restores it. A request
//! never reported is undone by the registry after its window (days), and
//! the domain falls back into redemption. Each step carries a clTRID made
//! from the renewal's key; a retry finds the domain `pendingRestore` and
//! sends only the report.

use instant_epp::domain::update::{DomainChangeInfo, DomainUpdate};
use instant_epp::extensions::rgp::report::{RgpRestoreReport, Update as ReportUpdate};
use instant_epp::extensions::rgp::request::{RgpRestoreRequest, Update as RequestUpdate};

use hostfront_core::registrar::{DomainInfo as Info, RegistrarError};

use super::{EppRegistrar, Record, date_time, transaction_id};

/// Why a domain is restored: Hostfront restores only what its registrant
/// renews.
const REASON: &str = "The registrant renewed the domain name after it expired.";

/// The two statements RFC 3915 (section 4.2.5) asks of the registrar, in
/// the words of its example and of ICANN's Redemption Grace Period policy.
const STATEMENTS: [&str; 2] = [
    "This registrar has not restored the Registered Name in order to assume the rights to use or sell the Registered Name for itself or for any third party.",
    "The information in this report is true to best of this registrar's knowledge, and this registrar acknowledges that intentionally supplying false information in this report shall constitute an incurable material breach of the Registry-Registrar Agreement.",
];

/// A domain update that changes nothing but carries an RGP extension.
fn bare_update(domain: &str) -> DomainUpdate<'_> {
    let mut update = DomainUpdate::new(domain);
    update.info(DomainChangeInfo {
        registrant: None,
        auth_info: None,
    });
    update
}

/// The registration data a report quotes, as plain text.
fn registration_data(info: &Info, sponsor: &str) -> String {
    format!(
        "{} sponsored by {sponsor}, expiring {}, nameservers {}",
        info.domain,
        date_time(info.expires_at).format("%Y-%m-%d"),
        match info.nameservers.is_empty() {
            true => "none".to_string(),
            false => info.nameservers.join(", "),
        }
    )
}

impl EppRegistrar {
    /// Restores the domain `before` describes, in redemption, for the
    /// renewal made under `key`: requested (unless an earlier try did),
    /// then reported.
    pub(super) async fn restore(&self, before: &Record, key: &str) -> Result<(), RegistrarError> {
        let domain = before.info.domain.as_str();
        let requested_at = date_time(self.clock.now_secs());
        if !before.pending_restore {
            let update = bare_update(domain);
            let request = RequestUpdate {
                data: RgpRestoreRequest::default(),
            };
            let id = transaction_id(&format!("{key}-restore"));
            self.sessions
                .with(async |client| client.transact((&update, &request), &id).await.map(|_| ()))
                .await?;
        }
        let after = self.lookup(domain).await?;
        let sponsor = self.settings.client_id.as_str();
        let (pre, post) = (
            registration_data(&before.info, sponsor),
            registration_data(&after.info, sponsor),
        );
        // A registry dates the delete in the domain's last change; one that
        // does not is taken to have deleted it when it expired.
        let deleted_at = date_time(before.updated_at.unwrap_or(before.info.expires_at));
        let other = format!("Renewal {key}");
        let report = ReportUpdate {
            data: RgpRestoreReport::new(
                &pre,
                &post,
                deleted_at,
                requested_at.max(deleted_at),
                REASON,
                &STATEMENTS,
                &other,
            ),
        };
        let update = bare_update(domain);
        let id = transaction_id(&format!("{key}-restore-report"));
        self.sessions
            .with(async |client| client.transact((&update, &report), &id).await.map(|_| ()))
            .await
            .map_err(Into::into)
    }
}
