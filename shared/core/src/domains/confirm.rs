//! What guards a change that could let a domain leave its owner (unlocking
//! it, changing its registrant, revealing its auth code): the account
//! password asked again, so a stolen session is not enough, and a mail to
//! the owner each time, so a change they did not make does not go unseen.
//! Customers have no second factor yet; when they do, it is asked here too.

use super::manage::ManageError;
use super::owned::OwnedDomain;
use crate::CustomerId;
use crate::accounts::{self, AccountError};
use crate::mail::{Letter, Mail, MailKind};
use crate::store::TableError;
use crate::{Hashing, Settings, Storage};

/// Checks that `password` is the account password of `customer_id`.
pub async fn password(
    ports: &(impl Storage + Hashing),
    customer_id: &CustomerId,
    password: Option<&str>,
) -> Result<(), ManageError> {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(ManageError::Invalid {
            code: "current_password_required",
            message: "give your account password (current_password) to confirm this change".into(),
        });
    };
    match accounts::is_account_password(ports, customer_id, password).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(ManageError::WrongPassword),
        Err(AccountError::Table(error)) => Err(error.into()),
        Err(other) => Err(ManageError::Unavailable(other.to_string())),
    }
}

/// The mails that tell of `what` was done to `domain` at `at_ms`: one to the
/// account holder and one to each other address in `also` (a registrant's,
/// before and after a change), each once.
pub async fn mails(
    ports: &(impl Storage + Settings),
    domain: &OwnedDomain,
    owner: &accounts::Customer,
    (headline, what): (String, String),
    also: &[&str],
) -> Result<Vec<Mail>, TableError> {
    let config = ports.config();
    let letter = Letter {
        company: config.company_name.clone(),
        name: owner.name.clone(),
        domain: domain.unicode.clone(),
        link: format!("{}/portal.html", config.public_url.trim_end_matches('/')),
        headline,
        action: what,
        ..Letter::default()
    };
    let mut to: Vec<String> = vec![owner.email.clone()];
    for address in also {
        let address = address.trim().to_lowercase();
        if !address.is_empty() && !to.contains(&address) {
            to.push(address);
        }
    }
    let at_ms = ports.clock().now_millis();
    let mut mails = Vec::with_capacity(to.len());
    for (n, address) in to.iter().enumerate() {
        let about = format!("domain:{}", domain.name);
        let mail =
            Mail::compose_about(ports, MailKind::DomainSecurity, address, &letter, &about).await?;
        mails.push(mail.for_period(&format!("{at_ms}-{n}-{}", ulid::Ulid::new())));
    }
    Ok(mails)
}
