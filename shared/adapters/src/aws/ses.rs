//! `SesMailer`: the `Mailer` on Amazon SES (v2). Each recorded mail goes out
//! as one message with its text and HTML, in the configuration set that
//! publishes bounces and complaints back to the job queue; an address that
//! bounced for good or complained gets nothing more (`mail::suppression::record_event`
//! writes it down, this adapter reads it before each send). The client is
//! made on first use.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageTag};
use hostfront_core::mail::Mail;
use hostfront_core::mail::suppression::suppressed;
use hostfront_core::mailer::{Mailer, MailerError};
use hostfront_core::store::Table;

pub struct SesMailer {
    client: super::OnFirstUse<Client>,
    from: String,
    configuration_set: Option<String>,
    table: Arc<dyn Table>,
}

fn failed(error: impl std::fmt::Display) -> MailerError {
    MailerError(format!("SES: {error}"))
}

fn text(data: &str) -> Result<Content, MailerError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(failed)
}

/// A tag value SES accepts: letters, digits, `_` and `-`.
fn tag_value(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .take(256)
        .collect()
}

impl SesMailer {
    pub fn new(
        client: impl Into<super::OnFirstUse<Client>>,
        from: String,
        configuration_set: Option<String>,
        table: Arc<dyn Table>,
    ) -> Self {
        SesMailer {
            client: client.into(),
            from,
            configuration_set,
            table,
        }
    }
}

#[async_trait]
impl Mailer for SesMailer {
    fn name(&self) -> &'static str {
        "ses"
    }

    async fn deliver(&self, mail: &Mail) -> Result<(), MailerError> {
        if let Some(reason) = suppressed(self.table.as_ref(), &mail.to)
            .await
            .map_err(failed)?
        {
            tracing::info!(mail = %mail.id, reason, "not sent: mail to this address stopped");
            return Ok(());
        }
        let message = Message::builder()
            .subject(text(&mail.subject)?)
            .body(
                Body::builder()
                    .text(text(&mail.text)?)
                    .html(text(&mail.html)?)
                    .build(),
            )
            .build();
        let tag = MessageTag::builder()
            .name("mail")
            .value(tag_value(&mail.id))
            .build()
            .map_err(failed)?;
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .email_tags(tag)
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| failed(e.into_service_error()))
    }
}

#[cfg(test)]
mod tests {
    use super::tag_value;

    #[test]
    fn mail_ids_become_tag_values() {
        assert_eq!(tag_value("order:01AB-receipt"), "order_01AB-receipt");
    }
}
