//! The local mailer: each mail as text and HTML files, 0600, in the data
//! directory's `outbox/` folder.

use std::path::PathBuf;

use async_trait::async_trait;
use hostfront_core::mail::Mail;
use hostfront_core::mailer::{Mailer, MailerError};
use hostfront_core::private_files;

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
        tokio::task::spawn_blocking(move || {
            private_files::create_dir(&folder)?;
            let header = format!(
                "To: {}\nSubject: {}\nDate: {}\n\n",
                mail.to, mail.subject, mail.created_at
            );
            private_files::write(
                &folder.join(format!("{}.txt", mail.id)),
                &(header + &mail.text),
            )?;
            private_files::write(&folder.join(format!("{}.html", mail.id)), &mail.html)
        })
        .await
        .map_err(|e| MailerError(e.to_string()))?
        .map_err(|e| MailerError(e.to_string()))
    }
}
