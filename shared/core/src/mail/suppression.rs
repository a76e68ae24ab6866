//! Addresses that mail stops to: those that bounced for good or complained,
//! as the mail provider reports them through the job queue.

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
    ports: &impl crate::Storage,
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
            crate::clock::rfc3339(ports.clock().now()).into(),
        );
        ports.table().put(item, None).await?;
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
