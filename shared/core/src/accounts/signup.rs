//! Signing up, with proof that the email is the customer's. A signup never
//! tells whether the email has an account: the answer is the same either
//! way, and the mail tells the owner instead. A new email gets a pending
//! signup (`SIGNUP#<token hash>`, lasting a day) and a mail with a link;
//! the account exists only once the link is followed. An email that has an
//! account gets a mail that says so (at most one a day).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{self, PendingSignup};
use super::{
    AccountError, Contact, Customer, Signup, check_password, email_key, invalid, normalize_email,
    random_token, start_session,
};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::store::{Condition, Tx, TxError, TxOp};
use crate::{Catalogs, CustomerId, Hashing, Mailing, Settings, Storage};

/// How long a verification link works.
const PENDING_HOURS: i64 = 24;

/// What a signup answers, whether or not the email has an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SignupAccepted {
    /// Always `verification_sent`.
    pub status: &'static str,
    pub email: String,
    pub message: String,
}

/// The token from a verification link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Verification {
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
}

/// A name for people: 1 to 100 characters of plain text (`input::is_plain_text`).
pub(super) fn check_name(name: &str) -> Result<String, AccountError> {
    let too_long = name.chars().count() > 100;
    let name = name.trim();
    if name.is_empty() || too_long || !crate::input::is_plain_text(name) {
        return Err(invalid(
            "invalid_name",
            "give a name of 1 to 100 characters, without control or invisible characters",
        ));
    }
    Ok(name.to_string())
}

pub(super) fn check_country(country: &str) -> Result<String, AccountError> {
    crate::input::country_code(country).ok_or_else(|| {
        invalid(
            "invalid_country",
            "choose a country: its ISO 3166 two-letter code, e.g. DE or GB (GET /api/countries lists them)",
        )
    })
}

/// A path on this site to continue at: `/order.html`, never `//evil.com`.
fn check_next(next: Option<&str>) -> Result<Option<String>, AccountError> {
    let Some(next) = next else {
        return Ok(None);
    };
    let safe = next.starts_with('/')
        && !next.starts_with("//")
        && next.len() <= 200
        && next
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-?=&%".contains(c));
    if safe {
        Ok(Some(next.to_string()))
    } else {
        Err(invalid("invalid_next", "next must be a path on this site"))
    }
}

fn letter(ports: &impl Settings, name: &str) -> Letter {
    Letter {
        company: ports.config().company_name.clone(),
        name: name.to_string(),
        ..Letter::default()
    }
}

/// Starts a signup; the answer never says whether the email has an account.
pub async fn signup(
    ports: &(impl Storage + Settings + Mailing + Hashing + Catalogs),
    request: Signup,
) -> Result<SignupAccepted, AccountError> {
    let email = normalize_email(&request.email)?;
    check_password(&request.password, &email)?;
    let name = check_name(&request.name)?;
    let country = check_country(&request.country)?;
    let next = check_next(request.next.as_deref())?;
    let cart = match request.cart {
        Some(cart) => Some(crate::cart::checked(ports, cart).await.map_err(
            |error| match error {
                crate::cart::CartError::Invalid { code, message } => invalid(code, message),
                crate::cart::CartError::Table(error) => error.into(),
            },
        )?),
        None => None,
    };
    // Hashed either way, so that both answers take as long.
    let password_hash = ports.hasher().hash(request.password).await?;
    let now = ports.clock().now_secs();
    let public = ports.config().public_url.trim_end_matches('/');
    if ports.table().get(&email_key(&email)).await?.is_some() {
        let mut letter = letter(ports, &name);
        letter.link = format!("{public}/account.html");
        let day = ports.clock().now().date();
        let subject = format!("signup-{}-{day}", repo::digest(&email));
        let notice =
            Mail::compose_about(ports, MailKind::AccountExists, &email, &letter, &subject).await?;
        mail::send(ports, &[notice]).await?;
    } else {
        let token = random_token();
        let pending = PendingSignup {
            email: email.clone(),
            name: name.clone(),
            country,
            password_hash,
            cart,
        }
        .item(&token, now + PENDING_HOURS * 3600);
        let continue_at = next
            .map(|n| {
                format!(
                    "?next={}",
                    form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
                )
            })
            .unwrap_or_default();
        let mut letter = letter(ports, &name);
        letter.link = format!("{public}/account.html{continue_at}#verify={token}");
        let subject = format!("signup-{}", &repo::digest(&token)[..16]);
        let verification =
            Mail::compose_about(ports, MailKind::VerifyEmail, &email, &letter, &subject)
                .await?
                .with_secret(&token);
        ports
            .table()
            .transact(vec![
                TxOp::Put {
                    item: pending,
                    condition: Some(Condition::NotExists),
                },
                verification.put_op(now),
            ])
            .await?;
        mail::deliver(ports, &verification).await;
    }
    Ok(SignupAccepted {
        status: "verification_sent",
        message: format!(
            "We sent a mail to {email}. Follow the link in it within {PENDING_HOURS} hours to finish."
        ),
        email,
    })
}

/// Why creating the account from a link may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// The link was used already (or never existed).
    LinkUsed,
    /// An account with the address exists.
    EmailTaken,
}

/// Follows a verification link: makes the account and its first session.
pub async fn verify_email(
    ports: &impl Storage,
    verification: Verification,
) -> Result<(Customer, String), AccountError> {
    let token = verification.token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(AccountError::BadToken);
    }
    let key = PendingSignup::key(token);
    let pending = ports
        .table()
        .get(&key)
        .await?
        .ok_or(AccountError::BadToken)?;
    let pending = PendingSignup::of(&pending);
    let id = CustomerId::generate();
    let holder = Contact {
        name: pending.name.clone(),
        email: pending.email.clone(),
    };
    let customer = Customer {
        id: id.clone(),
        email: pending.email.clone(),
        name: pending.name.clone(),
        country: pending.country.clone(),
        billing_contact: holder.clone(),
        technical_contact: holder,
        created_at: crate::clock::rfc3339(ports.clock().now()),
        vat: None,
        company: None,
        address: None,
        erased_at: None,
    };
    let (marker, profile) = repo::create_customer_ops(&customer, &pending.password_hash);
    let mut tx = Tx::new();
    // The link works once.
    tx.guard(
        Refusal::LinkUsed,
        TxOp::Delete {
            key,
            condition: Some(Condition::Exists),
        },
    )
    .guard(Refusal::EmailTaken, marker)
    .push(profile);
    if let Some(cart) = &pending.cart {
        tx.push(TxOp::Put {
            item: crate::cart::item(&id, cart),
            condition: None,
        });
    }
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(Refusal::LinkUsed)) => return Err(AccountError::BadToken),
        Err(TxError::Refused(Refusal::EmailTaken)) => return Err(AccountError::EmailTaken),
        Err(TxError::Table(other)) => return Err(other.into()),
    }
    let session = start_session(ports, &id).await?;
    Ok((customer, session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_next_paths_are_checked() {
        assert_eq!(check_name("  Ada Lovelace ").unwrap(), "Ada Lovelace");
        for bad in [
            "",
            "   ",
            "Ada\u{0}",
            "Ada\nEvil",
            "Ada\u{1b}[31m",
            &"x".repeat(101),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_next(Some("/order.html?id=01J")).unwrap().as_deref(),
            Some("/order.html?id=01J")
        );
        assert_eq!(check_next(None).unwrap(), None);
        for bad in [
            "//evil.com",
            "/\\evil.com",
            "https://evil.com",
            "/%09/x\"",
            "javascript:alert(1)",
            "/a b",
        ] {
            assert!(check_next(Some(bad)).is_err(), "{bad:?}");
        }
    }
}
