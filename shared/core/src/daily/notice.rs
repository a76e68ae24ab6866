//! The notices the checks mail a service's owner, each once per occasion.

use crate::mail::{self, Mail, MailKind};
use crate::store::TableResult;
use crate::subscriptions::Subscription;
use crate::{Mailing, Settings, Storage};

/// Mails the service's owner a notice about `about` (`service:<id>`,
/// `certificate:<id>`), once per `occasion`; true when it was not sent before.
pub(super) async fn tell_owner(
    ports: &(impl Storage + Settings + Mailing),
    service: &Subscription,
    about: (&str, &str),
    words: (String, String),
) -> TableResult<bool> {
    let notice = owner_notice(ports, service, about, words).await?;
    Ok(mail::send(ports, &[notice]).await? == 1)
}

/// The notice to `service`'s owner about `about` on `occasion`.
pub(super) async fn owner_notice(
    ports: &(impl Storage + Settings),
    service: &Subscription,
    (about, occasion): (&str, &str),
    (headline, action): (String, String),
) -> TableResult<Mail> {
    let owner = crate::accounts::load_customer(ports.table(), &service.customer_id).await?;
    let mut letter = crate::subscriptions::billing::letter(ports, service, &owner.name);
    letter.headline = headline;
    letter.action = action;
    Ok(
        Mail::compose_about(ports, MailKind::Notice, &owner.email, &letter, about)
            .await?
            .for_period(occasion),
    )
}
