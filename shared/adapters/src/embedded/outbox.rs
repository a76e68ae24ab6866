//! The local mailer: delivers each mail to the development mailbox, the
//! data directory's `outbox/` folder (`hostfront_core::mailbox`).

use std::path::PathBuf;

use async_trait::async_trait;
use hostfront_core::mail::Mail;
use hostfront_core::mailbox;
use hostfront_core::mailer::{Mailer, MailerError};

/// Writes each mail to files in a folder.
pub struct OutboxFolder {
    folder: PathBuf,
}

impl OutboxFolder {
    pub fn new(folder: PathBuf) -> Self {
        OutboxFolder { folder }
    }
}

#[async_trait]
impl Mailer for OutboxFolder {
    fn name(&self) -> &'static str {
        "outbox"
    }

    async fn deliver(&self, mail: &Mail) -> Result<(), MailerError> {
        let (folder, mail) = (self.folder.clone(), mail.clone());
        tokio::task::spawn_blocking(move || mailbox::write(&folder, &mail))
            .await
            .map_err(|e| MailerError(e.to_string()))?
            .map_err(|e| MailerError(e.to_string()))
    }
}
