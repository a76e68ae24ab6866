//! Email hosting: sets up the order's domain for mail on the mail-only
//! account: its mailboxes, webmail and the DKIM key the zone publishes.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, from_panel};
use super::{call_key, first_mailboxes};

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let setup = saga
        .ports
        .panel()
        .set_up_mail_domain(
            &order.username,
            &first_mailboxes(order),
            &call_key(order, "mail-domain"),
        )
        .await
        .map_err(from_panel)?;
    let signed = match &setup.dkim {
        Some(key) => format!("signed with DKIM ({}._domainkey)", key.selector),
        None => "not signed (the panel made no DKIM key)".into(),
    };
    Ok(Done {
        detail: format!(
            "Mailboxes {}; webmail at {}; mail {signed}",
            setup.mailboxes.join(", "),
            setup.webmail_url
        ),
        result: json!(setup),
    })
}
