//! The `Mailer` port: hands a recorded mail on to whoever delivers it. Every
//! mail is first recorded in the table (create-only, so it is sent once);
//! the mailer then delivers it.
//!
//! - `OutboxFolder` (local, in the adapters crate): writes the text and HTML
//!   to files, 0600, in the data directory's `outbox/` folder;
//! - `SesMailer` (AWS, `HOSTFRONT_MAIL=ses`): sends through Amazon SES v2,
//!   in a configuration set whose bounces and complaints come back through
//!   the job queue and stop mail to those addresses;
//! - `RecordOnly` (AWS without a sender): the table record is all there
//!   is; nothing leaves the system.

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

/// What a mail provider reports about a mail it sent, as Amazon SES
/// publishes it to the job queue (through SNS, raw): event publishing's
/// `eventType`, or a feedback notification's `notificationType`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailEvent {
    /// A permanent bounce or a complaint: mail to these addresses stops.
    Stop {
        reason: &'static str,
        addresses: Vec<String>,
    },
    /// Anything else (a delivery, a transient bounce): nothing to do.
    Other(String),
}

impl MailEvent {
    /// The event in a queued message's body, if it is one.
    pub fn parse(body: &str) -> Option<MailEvent> {
        let event: serde_json::Value = serde_json::from_str(body).ok()?;
        let kind = event
            .get("eventType")
            .or(event.get("notificationType"))?
            .as_str()?;
        let addresses = |list: &serde_json::Value| -> Vec<String> {
            list.as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["emailAddress"].as_str())
                .map(|a| a.trim().to_ascii_lowercase())
                .collect()
        };
        Some(match kind {
            "Bounce" if event["bounce"]["bounceType"] == "Permanent" => MailEvent::Stop {
                reason: "bounce",
                addresses: addresses(&event["bounce"]["bouncedRecipients"]),
            },
            "Complaint" => MailEvent::Stop {
                reason: "complaint",
                addresses: addresses(&event["complaint"]["complainedRecipients"]),
            },
            other => MailEvent::Other(other.to_string()),
        })
    }
}

fn suppression_key(address: &str) -> crate::store::Key {
    crate::store::Key::new(
        format!("SUPPRESSED#{}", address.trim().to_ascii_lowercase()),
        "MARKER",
    )
}

/// Stops mail to the event's addresses (a mailer that honours it sends
/// nothing to them any more); the same event twice changes nothing.
pub async fn record_event(
    services: &impl crate::Storage,
    event: &MailEvent,
) -> crate::store::TableResult<()> {
    let MailEvent::Stop { reason, addresses } = event else {
        return Ok(());
    };
    for address in addresses {
        let mut item = suppression_key(address).to_item();
        item.insert("kind".into(), "mail_suppressed".into());
        item.insert("reason".into(), (*reason).into());
        item.insert(
            "at".into(),
            crate::clock::rfc3339(services.clock().now()).into(),
        );
        services.table().put(item, None).await?;
        tracing::info!(%address, reason, "mail to this address stops");
    }
    Ok(())
}

/// Why mail to `address` stopped, if it did.
pub async fn suppressed(
    table: &dyn crate::store::Table,
    address: &str,
) -> crate::store::TableResult<Option<String>> {
    use crate::store::ItemExt as _;
    Ok(table
        .get(&suppression_key(address))
        .await?
        .and_then(|item| item.str_attr("reason").map(str::to_string)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_bounces_and_complaints_stop_mail() {
        let bounce = r#"{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"Ada@Example.com"}]},"mail":{}}"#;
        assert_eq!(
            MailEvent::parse(bounce),
            Some(MailEvent::Stop {
                reason: "bounce",
                addresses: vec!["ada@example.com".into()]
            })
        );
        let complaint = r#"{"notificationType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"bob@example.com"}]}}"#;
        assert!(matches!(
            MailEvent::parse(complaint),
            Some(MailEvent::Stop {
                reason: "complaint",
                ..
            })
        ));
        let transient = r#"{"eventType":"Bounce","bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":"a@b.c"}]}}"#;
        assert_eq!(
            MailEvent::parse(transient),
            Some(MailEvent::Other("Bounce".into()))
        );
        assert_eq!(MailEvent::parse(r#"{"kind":"provision"}"#), None);
        assert_eq!(MailEvent::parse("not json"), None);
    }
}
