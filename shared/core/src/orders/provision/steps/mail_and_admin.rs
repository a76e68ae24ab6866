//! Creates the site administrator and the mailboxes of the account.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, from_panel};
use super::{call_key, first_mailboxes};

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let mailboxes = first_mailboxes(order);
    let setup = saga
        .ports
        .panel()
        .set_up_mail_and_admin(
            &order.username,
            &order.email,
            &mailboxes,
            &call_key(order, "mail"),
        )
        .await
        .map_err(from_panel)?;
    Ok(Done {
        detail: format!(
            "Mailboxes {}; site administrator {}",
            setup.mailboxes.join(", "),
            setup.site_admin
        ),
        result: json!(setup),
    })
}
