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
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MailKind {
    OrderReceived,
    PaymentReceipt,
    DomainRegistered,
    TransferStarted,
    AccountReady,
    ActionNeeded,
    VerifyEmail,
    AccountExists,
    /// A link that sets a new password.
    PasswordReset,
    /// A link, to a new address, that makes it the account's email.
    ConfirmEmailChange,
    OrderRejected,
    RenewalReceipt,
    RenewalFailed,
    RenewalInvoice,
    RenewalPaymentFailed,
    RenewalReminder,
    TransferFailed,
    ServiceInvoice,
    ServiceReceipt,
    ServicePaymentFailed,
    /// Staff gave back money paid: the credit note that documents it.
    RefundIssued,
    /// What a daily check found about a domain or a service: its headline is the subject.
    Notice,
    /// A change that could let a domain leave its owner (unlock, registrant,
    /// auth code): its headline is the subject.
    DomainSecurity,
    /// A client site's proposal, with links to it and to its preview.
    Proposal,
    /// A proposal accepted: how to set a password (a new account) or log in.
    ProposalAccepted,
}

impl MailKind {
    /// Every kind of letter, in the order the console lists them.
    pub const ALL: [MailKind; 25] = [
        MailKind::OrderReceived,
        MailKind::PaymentReceipt,
        MailKind::DomainRegistered,
        MailKind::TransferStarted,
        MailKind::AccountReady,
        MailKind::ActionNeeded,
        MailKind::VerifyEmail,
        MailKind::AccountExists,
        MailKind::PasswordReset,
        MailKind::ConfirmEmailChange,
        MailKind::OrderRejected,
        MailKind::RenewalReceipt,
        MailKind::RenewalFailed,
        MailKind::RenewalInvoice,
        MailKind::RenewalPaymentFailed,
        MailKind::RenewalReminder,
        MailKind::TransferFailed,
        MailKind::ServiceInvoice,
        MailKind::ServiceReceipt,
        MailKind::ServicePaymentFailed,
        MailKind::RefundIssued,
        MailKind::Notice,
        MailKind::DomainSecurity,
        MailKind::Proposal,
        MailKind::ProposalAccepted,
    ];

    /// The kind whose slug is `slug`.
    pub fn from_slug(slug: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|kind| kind.slug() == slug)
    }

    pub fn slug(self) -> &'static str {
        match self {
            MailKind::OrderReceived => "order_received",
            MailKind::PaymentReceipt => "payment_receipt",
            MailKind::DomainRegistered => "domain_registered",
            MailKind::TransferStarted => "transfer_started",
            MailKind::AccountReady => "account_ready",
            MailKind::ActionNeeded => "action_needed",
            MailKind::VerifyEmail => "verify_email",
            MailKind::AccountExists => "account_exists",
            MailKind::PasswordReset => "password_reset",
            MailKind::ConfirmEmailChange => "confirm_email_change",
            MailKind::OrderRejected => "order_rejected",
            MailKind::RenewalReceipt => "renewal_receipt",
            MailKind::RenewalFailed => "renewal_failed",
            MailKind::RenewalInvoice => "renewal_invoice",
            MailKind::RenewalPaymentFailed => "renewal_payment_failed",
            MailKind::RenewalReminder => "renewal_reminder",
            MailKind::TransferFailed => "transfer_failed",
            MailKind::ServiceInvoice => "service_invoice",
            MailKind::ServiceReceipt => "service_receipt",
            MailKind::ServicePaymentFailed => "service_payment_failed",
            MailKind::RefundIssued => "refund_issued",
            MailKind::Notice => "notice",
            MailKind::DomainSecurity => "domain_security",
            MailKind::Proposal => "proposal",
            MailKind::ProposalAccepted => "proposal_accepted",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Mail {
    pub id: String,
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub order_id: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// What only the recipient may hold (a link's token): delivered with the
    /// mail, never stored with it.
    #[serde(skip)]
    pub secrets: Vec<String>,
}

/// What a stored copy of a mail shows in place of a secret.
pub const WITHHELD: &str = "[sent only in the mail itself]";

impl Mail {
    /// The same mail, carrying `secret` to its recipient only: every stored
    /// copy (the table's record, its backups) holds it withheld.
    pub fn with_secret(mut self, secret: &str) -> Mail {
        self.secrets.push(secret.to_string());
        self
    }

    /// The mail as it may be stored: its secrets withheld, wherever they
    /// stand (a subject too).
    pub fn stored(&self) -> Mail {
        let withhold = |body: &str| {
            self.secrets.iter().fold(body.to_string(), |body, secret| {
                body.replace(secret.as_str(), WITHHELD)
            })
        };
        Mail {
            subject: withhold(&self.subject),
            text: withhold(&self.text),
            html: withhold(&self.html),
            secrets: Vec::new(),
            ..self.clone()
        }
    }

    /// The same mail for one period of its subject (a renewal reminder for
    /// one expiry, an invoice for one month): sent once per period, not once
    /// for good.
    pub fn for_period(mut self, period: &str) -> Mail {
        self.id = format!("{}-{period}", self.id);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{Mail, MailKind, WITHHELD};

    #[test]
    fn a_stored_mail_withholds_its_secrets_wherever_they_stand() {
        let mail = Mail {
            id: "m".into(),
            kind: MailKind::PasswordReset,
            to: "ada@example.com".into(),
            subject: "Reset: tok123".into(),
            text: "Go to tok123".into(),
            html: "<a href=\"x#tok123\">".into(),
            order_id: String::new(),
            created_at: String::new(),
            secrets: Vec::new(),
        }
        .with_secret("tok123");
        let stored = mail.stored();
        for part in [&stored.subject, &stored.text, &stored.html] {
            assert!(
                !part.contains("tok123") && part.contains(WITHHELD),
                "{part}"
            );
        }
    }

    /// Every letter has its text template, named by its slug: a new kind
    /// with its templates is in `ALL`, so admins can edit it too.
    #[test]
    fn every_letter_with_a_template_is_listed() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/mail");
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            let (Some(stem), Some("txt")) = (
                path.file_stem().and_then(|s| s.to_str()),
                path.extension().and_then(|e| e.to_str()),
            ) else {
                continue;
            };
            // The invoice is a part of letters, not a letter.
            if stem != "invoice" {
                assert!(
                    MailKind::from_slug(stem).is_some(),
                    "{stem} is not in MailKind::ALL"
                );
            }
        }
    }
}
