//! Letters admins rewrite: per kind of letter, a template in a format that
//! cannot run code (`parse`), over the fields the letter declares
//! (`letters`, `fields`) and nothing else, stored in versions (`versions`).
//! A mail uses the current version when there is one, else the built-in
//! askama template; a stored template that no longer parses (a field a
//! later release dropped) falls back to the built-in letter, so no mail is
//! lost to a template.

pub mod fields;
pub mod letters;
pub mod parse;
pub mod render;
pub mod test_send;
pub mod versions;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Storage;
use crate::mail::MailKind;
use crate::store::TableError;
pub use parse::{BODY_LIMIT, Fault, SUBJECT_LIMIT};

/// The most a letter rendered from a template may weigh, text and HTML
/// together: well within what one item of the table holds.
pub const RENDERED_LIMIT: usize = 256 * 1024;
pub use render::{Checked, Rendered};

/// A template as an admin writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Draft {
    /// One line, at most 200 characters, `{{field}}` placeholders allowed.
    pub subject: String,
    /// What goes between the greeting and the sign-off, at most 20,000
    /// characters; blank lines part paragraphs.
    pub body: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{0}")]
    Invalid(#[from] Fault),
    #[error("there is no letter {0}")]
    NoSuchLetter(String),
    #[error("there is no earlier version {0} of this letter")]
    NoSuchVersion(u32),
    #[error("someone saved this letter meanwhile; look at its versions again")]
    Changed,
    #[error(
        "at most {} test mails an hour; try again in {seconds} seconds",
        test_send::TESTS_PER_HOUR
    )]
    TooManyTests { seconds: i64 },
    #[error(transparent)]
    Table(#[from] TableError),
}

/// The kind of letter whose slug is `slug`.
pub fn kind_named(slug: &str) -> Result<MailKind, TemplateError> {
    MailKind::from_slug(slug).ok_or_else(|| TemplateError::NoSuchLetter(slug.to_string()))
}

/// The template `kind`'s mails use now, if an admin wrote one. A template
/// that cannot be read or no longer parses is logged and left aside: the
/// mail goes out as the built-in letter.
pub async fn in_use(ports: &impl Storage, kind: MailKind) -> Option<Checked> {
    let current = match versions::current(ports.table(), kind).await {
        Ok(current) => current?,
        Err(error) => {
            tracing::warn!(letter = kind.slug(), %error, "mail template unreadable; the built-in letter goes out");
            return None;
        }
    };
    match Checked::new(kind, current.draft.as_ref()?) {
        Ok(checked) => Some(checked),
        Err(error) => {
            tracing::warn!(letter = kind.slug(), %error, "mail template refused; the built-in letter goes out");
            None
        }
    }
}
