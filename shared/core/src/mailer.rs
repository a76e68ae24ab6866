//! The `Mailer` port: hands a recorded mail on to whoever delivers it. Every
//! mail is first recorded in the table (create-only, so it is sent once);
//! the mailer then delivers it.
//!
//! - `OutboxFolder` (local, in the adapters crate): writes the text and HTML
//!   to files, 0600, in the data directory's `outbox/` folder;
//! - `RecordOnly` (AWS, until a mail provider's adapter exists): the table
//!   record is all there is; nothing leaves the system.

use async_trait::async_trait;

use crate::mail::Mail;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mail delivery failed: {0}")]
pub struct MailerError(pub String);

#[async_trait]
pub trait Mailer: Send + Sync {
    fn name(&self) -> &'static str;

    async fn deliver(&self, mail: &Mail) -> Result<(), MailerError>;
}

/// Keeps mail as the table records it, and nothing more.
pub struct RecordOnly;

#[async_trait]
impl Mailer for RecordOnly {
    fn name(&self) -> &'static str {
        "record-only"
    }

    async fn deliver(&self, _: &Mail) -> Result<(), MailerError> {
        Ok(())
    }
}
