//! The local development mailbox: each delivered mail as `<id>.txt` (with
//! its headers) and `<id>.html`, 0600, in the data directory's `outbox/`
//! folder. It stands for the recipients' own mailboxes, so it holds mails
//! whole, secrets included; the table's records never do (`Mail::stored`).

use std::io;
use std::path::{Path, PathBuf};

use crate::mailer::Mail;
use crate::private_files;

/// Writes `mail` as delivered.
pub fn write(folder: &Path, mail: &Mail) -> io::Result<()> {
    private_files::create_dir(folder)?;
    let header = format!(
        "To: {}\nSubject: {}\nDate: {}\n\n",
        mail.to, mail.subject, mail.created_at
    );
    let (text, html) = files(folder, &mail.id);
    private_files::write(&text, &(header + &mail.text))?;
    private_files::write(&html, &mail.html)
}

/// `mail` as it was delivered to this mailbox, if it was: the stored
/// record's text and HTML replaced by what the recipient got.
pub fn delivered(folder: &Path, mail: Mail) -> Mail {
    let (text, html) = files(folder, &mail.id);
    let (Ok(text), Ok(html)) = (std::fs::read_to_string(text), std::fs::read_to_string(html))
    else {
        return mail;
    };
    let body = text
        .split_once("\n\n")
        .map_or(text.as_str(), |(_, body)| body);
    Mail {
        text: body.to_string(),
        html,
        ..mail
    }
}

fn files(folder: &Path, id: &str) -> (PathBuf, PathBuf) {
    // Ids are made from ULIDs, digests and slugs; a path separator in one
    // must not leave the folder.
    let id = id.replace(['/', '\\'], "_");
    (
        folder.join(format!("{id}.txt")),
        folder.join(format!("{id}.html")),
    )
}
