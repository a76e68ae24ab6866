//! Mail to customers, rendered from askama templates (text and HTML) in
//! `shared/core/templates/mail/`. Each mail is an item in the table (`OUTBOX`),
//! keyed by its subject and kind and written create-only, so a replayed job
//! never sends a mail twice; then the `Mailer` port delivers it (locally, to
//! the development mailbox's folder, `Config::mailbox_folder`). Where an
//! admin rewrote a kind of letter, its mails use that template (`custom`).

pub mod custom;
pub mod document;
pub mod suppression;

use askama::Template;
use serde_json::json;

pub use crate::mailer::{Mail, MailKind, WITHHELD};
use crate::panel::HostingAccount;
use crate::store::{Condition, Item, Key, Query, TableError, TableResult, TxOp};
use crate::{Mailing, Storage};
use document::InvoiceDocument;

const OUTBOX: &str = "OUTBOX";
/// How long mails stay in the table's outbox.
const KEEP_DAYS: i64 = 30;

/// Everything a mail template may show.
#[derive(Debug, Clone, Default)]
pub struct Letter {
    pub company: String,
    pub name: String,
    pub order_id: String,
    pub order_url: String,
    pub plan_name: String,
    pub domain: String,
    pub invoice_number: String,
    /// The credit note that documents a refund (`CN-000007`).
    pub credit_note: String,
    /// (description, amount) of each invoice line, tax included.
    pub lines: Vec<(String, String)>,
    /// The invoice the mail shows, with all an invoice must state
    /// (`mail/invoice.txt`, `mail/invoice.html`).
    pub invoice: Option<InvoiceDocument>,
    pub total: String,
    pub paid: bool,
    pub in_review: bool,
    pub card_last4: String,
    pub account: Option<HostingAccount>,
    pub mailboxes: Vec<String>,
    pub admin_url: String,
    /// (label, address) of each further login the service has: webmail,
    /// a reseller interface.
    pub logins: Vec<(String, String)>,
    /// Records to set at another DNS host, one per line, BIND style.
    pub dns_records: Vec<String>,
    pub nameservers: String,
    /// What the customer must do, in plain words.
    pub action: String,
    /// A link the mail is about (verification, login).
    pub link: String,
    /// A link to a client site's preview, in its proposal.
    pub preview_url: String,
    /// The subject of a notice.
    pub headline: String,
}

macro_rules! templates {
    ($($kind:ident: $text:ident = $txt:tt, $html:ident = $htm:tt;)*) => {
        $(
            #[derive(Template)]
            #[template(path = $txt)]
            struct $text<'a> {
                l: &'a Letter,
            }

            #[derive(Template)]
            #[template(path = $htm)]
            struct $html<'a> {
                l: &'a Letter,
            }
        )*

        /// The text and HTML bodies of a mail.
        fn render(kind: MailKind, l: &Letter) -> askama::Result<(String, String)> {
            match kind {
                $(MailKind::$kind => Ok(($text { l }.render()?, $html { l }.render()?)),)*
            }
        }
    };
}

templates! {
    OrderReceived: OrderReceivedText = "mail/order_received.txt", OrderReceivedHtml = "mail/order_received.html";
    PaymentReceipt: PaymentReceiptText = "mail/payment_receipt.txt", PaymentReceiptHtml = "mail/payment_receipt.html";
    DomainRegistered: DomainRegisteredText = "mail/domain_registered.txt", DomainRegisteredHtml = "mail/domain_registered.html";
    TransferStarted: TransferStartedText = "mail/transfer_started.txt", TransferStartedHtml = "mail/transfer_started.html";
    AccountReady: AccountReadyText = "mail/account_ready.txt", AccountReadyHtml = "mail/account_ready.html";
    ActionNeeded: ActionNeededText = "mail/action_needed.txt", ActionNeededHtml = "mail/action_needed.html";
    VerifyEmail: VerifyEmailText = "mail/verify_email.txt", VerifyEmailHtml = "mail/verify_email.html";
    AccountExists: AccountExistsText = "mail/account_exists.txt", AccountExistsHtml = "mail/account_exists.html";
    PasswordReset: PasswordResetText = "mail/password_reset.txt", PasswordResetHtml = "mail/password_reset.html";
    ConfirmEmailChange: ConfirmEmailChangeText = "mail/confirm_email_change.txt", ConfirmEmailChangeHtml = "mail/confirm_email_change.html";
    OrderRejected: OrderRejectedText = "mail/order_rejected.txt", OrderRejectedHtml = "mail/order_rejected.html";
    RenewalReceipt: RenewalReceiptText = "mail/renewal_receipt.txt", RenewalReceiptHtml = "mail/renewal_receipt.html";
    RenewalFailed: RenewalFailedText = "mail/renewal_failed.txt", RenewalFailedHtml = "mail/renewal_failed.html";
    RenewalInvoice: RenewalInvoiceText = "mail/renewal_invoice.txt", RenewalInvoiceHtml = "mail/renewal_invoice.html";
    RenewalPaymentFailed: RenewalPaymentFailedText = "mail/renewal_payment_failed.txt", RenewalPaymentFailedHtml = "mail/renewal_payment_failed.html";
    RenewalReminder: RenewalReminderText = "mail/renewal_reminder.txt", RenewalReminderHtml = "mail/renewal_reminder.html";
    TransferFailed: TransferFailedText = "mail/transfer_failed.txt", TransferFailedHtml = "mail/transfer_failed.html";
    ServiceInvoice: ServiceInvoiceText = "mail/service_invoice.txt", ServiceInvoiceHtml = "mail/service_invoice.html";
    ServiceReceipt: ServiceReceiptText = "mail/service_receipt.txt", ServiceReceiptHtml = "mail/service_receipt.html";
    ServicePaymentFailed: ServicePaymentFailedText = "mail/service_payment_failed.txt", ServicePaymentFailedHtml = "mail/service_payment_failed.html";
    RefundIssued: RefundIssuedText = "mail/refund_issued.txt", RefundIssuedHtml = "mail/refund_issued.html";
    Notice: NoticeText = "mail/notice.txt", NoticeHtml = "mail/notice.html";
    DomainSecurity: DomainSecurityText = "mail/domain_security.txt", DomainSecurityHtml = "mail/domain_security.html";
    Proposal: ProposalText = "mail/proposal.txt", ProposalHtml = "mail/proposal.html";
    ProposalAccepted: ProposalAcceptedText = "mail/proposal_accepted.txt", ProposalAcceptedHtml = "mail/proposal_accepted.html";
}

fn subject(kind: MailKind, l: &Letter) -> String {
    match kind {
        MailKind::OrderReceived => format!("Order {} received", l.order_id),
        MailKind::PaymentReceipt => format!("Receipt for invoice {}", l.invoice_number),
        MailKind::DomainRegistered => format!("{} is yours", l.domain),
        MailKind::TransferStarted => format!("Transfer of {} started", l.domain),
        MailKind::AccountReady => format!("{} is live: your login details", l.domain),
        MailKind::ActionNeeded => format!("Your order {} needs attention", l.order_id),
        MailKind::VerifyEmail => format!("Confirm your email for {}", l.company),
        MailKind::AccountExists => format!("You already have an account at {}", l.company),
        MailKind::PasswordReset => format!("Set a new password for {}", l.company),
        MailKind::ConfirmEmailChange => format!("Confirm your new email for {}", l.company),
        MailKind::OrderRejected => format!("We could not accept your order {}", l.order_id),
        MailKind::RenewalReceipt => {
            format!("{} is renewed: receipt {}", l.domain, l.invoice_number)
        }
        MailKind::RenewalFailed => format!("{} could not be renewed yet", l.domain),
        MailKind::RenewalInvoice => {
            format!("Renewal invoice {} for {}", l.invoice_number, l.domain)
        }
        MailKind::RenewalPaymentFailed => format!("We could not charge your card for {}", l.domain),
        MailKind::RenewalReminder => format!("{} expires soon", l.domain),
        MailKind::TransferFailed => format!("The transfer of {} did not go through", l.domain),
        MailKind::ServiceInvoice => format!("Invoice {} for {}", l.invoice_number, l.plan_name),
        MailKind::ServiceReceipt => format!("Receipt {} for {}", l.invoice_number, l.plan_name),
        MailKind::ServicePaymentFailed => {
            format!("We could not charge your card for {}", l.plan_name)
        }
        MailKind::RefundIssued => {
            format!(
                "Refund on invoice {}: credit note {}",
                l.invoice_number, l.credit_note
            )
        }
        MailKind::Notice | MailKind::DomainSecurity => l.headline.clone(),
        MailKind::Proposal => format!("Our proposal for {}", l.domain),
        MailKind::ProposalAccepted => format!("Welcome to {}: your next steps", l.company),
    }
}

/// The built-in letter of `kind`: subject, text and HTML.
fn built_in(kind: MailKind, letter: &Letter) -> Result<(String, String, String), TableError> {
    let (text, html) = render(kind, letter)
        .map_err(|e| TableError::Backend(format!("mail template {}: {e}", kind.slug())))?;
    Ok((subject(kind, letter), text, html))
}

impl Mail {
    /// A mail about the letter's order, sent once per order and kind.
    pub async fn compose(
        ports: &impl Storage,
        kind: MailKind,
        to: &str,
        letter: &Letter,
    ) -> Result<Mail, TableError> {
        Self::compose_about(ports, kind, to, letter, &letter.order_id).await
    }

    /// A mail about `subject` (an order, a signup, …), sent once per subject
    /// and kind (and per period, with `for_period`): from the admins'
    /// template of `kind` if there is one, else the built-in letter.
    pub async fn compose_about(
        ports: &impl Storage,
        kind: MailKind,
        to: &str,
        letter: &Letter,
        subject_id: &str,
    ) -> Result<Mail, TableError> {
        let custom = custom::in_use(ports, kind)
            .await
            .map(|template| template.render(letter));
        // A mail is one item of the table: a template whose fields grew it
        // past what an item holds gives way to the built-in letter.
        let (subject, text, html) = match custom {
            Some(mail) if mail.text.len() + mail.html.len() <= custom::RENDERED_LIMIT => {
                (mail.subject, mail.text, mail.html)
            }
            Some(_) => {
                tracing::warn!(
                    letter = kind.slug(),
                    "mail template rendered too long; the built-in letter goes out"
                );
                built_in(kind, letter)?
            }
            None => built_in(kind, letter)?,
        };
        Ok(Mail {
            id: format!("{subject_id}-{}", kind.slug()),
            kind,
            to: to.to_string(),
            subject,
            text,
            html,
            order_id: letter.order_id.clone(),
            created_at: crate::clock::rfc3339(ports.clock().now()),
            secrets: Vec::new(),
        })
    }

    fn key(&self) -> Key {
        Key::new(OUTBOX, format!("MAIL#{}", self.id))
    }

    fn item(&self, now_secs: i64) -> Item {
        let mut item = self.key().to_item();
        item.insert("kind".into(), "mail".into());
        item.insert("mail".into(), json!(self.stored()));
        item.insert("ttl".into(), (now_secs + KEEP_DAYS * 86_400).into());
        item
    }

    /// The create-only write of this mail, to go in a transaction with what it reports.
    pub fn put_op(&self, now_secs: i64) -> TxOp {
        TxOp::Put {
            item: self.item(now_secs),
            condition: Some(Condition::NotExists),
        }
    }
}

/// Sends `mails` not sent before: records each create-only, then writes the
/// files of those that are new. Returns how many were new.
pub async fn send(ports: &(impl Storage + Mailing), mails: &[Mail]) -> TableResult<usize> {
    let mut sent = 0;
    for mail in mails {
        let item = mail.item(ports.clock().now_secs());
        match ports.table().put(item, Some(Condition::NotExists)).await {
            Ok(()) => {
                deliver(ports, mail).await;
                sent += 1;
            }
            Err(TableError::ConditionFailed) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(sent)
}

/// Hands a recorded mail to the `Mailer`. A failure here loses nothing: the
/// table holds the mail.
pub async fn deliver(ports: &impl Mailing, mail: &Mail) {
    if let Err(error) = ports.mailer().deliver(mail).await {
        tracing::warn!(mail = %mail.id, %error, "could not deliver a recorded mail");
    }
}

/// The newest mails first, at most `limit`.
pub async fn outbox(ports: &impl Storage, limit: usize) -> TableResult<Vec<Mail>> {
    let page = ports
        .table()
        .query(Query::partition(OUTBOX).backward().limit(limit.max(1)))
        .await?;
    let mut mails: Vec<Mail> = page.items.iter().filter_map(mail_of).collect();
    mails.sort_by(|a, b| b.created_at.cmp(&a.created_at));
    Ok(mails)
}

fn mail_of(item: &Item) -> Option<Mail> {
    serde_json::from_value(item.get("mail")?.clone()).ok()
}

#[cfg(test)]
mod invoice_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn letter() -> Letter {
        Letter {
            company: "Hostfront".into(),
            name: "Ada <script>".into(),
            order_id: "01ORDER".into(),
            order_url: "http://127.0.0.1:8080/order.html?id=01ORDER".into(),
            plan_name: "Web Starter".into(),
            domain: "bakery.com".into(),
            invoice_number: "INV-000007".into(),
            lines: vec![("Web Starter, monthly".into(), "$4.99".into())],
            total: "$4.99".into(),
            ..Letter::default()
        }
    }

    #[test]
    fn a_rejection_names_the_credit_note_of_its_refund() {
        let noted = Letter {
            credit_note: "CN-000007".into(),
            ..letter()
        };
        let (text, html) = render(MailKind::OrderRejected, &noted).unwrap();
        assert!(text.contains("Credit note CN-000007 corrects invoice INV-000007"));
        assert!(html.contains("<strong>CN-000007</strong>"));
        let (text, _) = render(MailKind::OrderRejected, &letter()).unwrap();
        assert!(!text.contains("Credit note"));
    }

    #[test]
    fn every_mail_renders_as_text_and_escaped_html() {
        for kind in MailKind::ALL {
            let (text, html) = render(kind, &letter()).unwrap();
            assert!(text.contains("Ada <script>"), "{kind:?} text: {text}");
            assert!(
                html.contains("Ada &#60;script&#62;") || html.contains("Ada &lt;script&gt;"),
                "{kind:?} html: {html}"
            );
            assert!(!html.contains("<script>"), "{kind:?}");
        }
        let (text, _) = render(MailKind::OrderReceived, &letter()).unwrap();
        assert!(text.contains("order 01ORDER: Web Starter for bakery.com"));
    }

    #[test]
    fn a_mail_is_one_per_subject_kind_and_period() {
        let mail_for = |period: Option<&str>| {
            let (text, html) = render(MailKind::ActionNeeded, &letter()).unwrap();
            let mail = Mail {
                id: format!("domain:bakery.com-{}", MailKind::ActionNeeded.slug()),
                kind: MailKind::ActionNeeded,
                to: "ada@example.com".into(),
                subject: String::new(),
                text,
                html,
                order_id: String::new(),
                created_at: String::new(),
                secrets: Vec::new(),
            };
            match period {
                Some(period) => mail.for_period(period),
                None => mail,
            }
        };
        let may = mail_for(Some("2027-05"));
        assert_eq!(may.key(), mail_for(Some("2027-05")).key());
        assert_ne!(may.key(), mail_for(Some("2027-06")).key());
        assert_ne!(may.key(), mail_for(None).key());
    }

    #[test]
    fn a_stored_mail_withholds_its_secrets() {
        let (text, html) = render(MailKind::ActionNeeded, &letter()).unwrap();
        let mail = Mail {
            id: "signup".into(),
            kind: MailKind::VerifyEmail,
            to: "ada@example.com".into(),
            subject: String::new(),
            text: format!("{text} https://shop.example/account.html#verify=s3cr3t"),
            html: format!("{html}<a href=\"https://shop.example/account.html#verify=s3cr3t\">"),
            order_id: String::new(),
            created_at: String::new(),
            secrets: Vec::new(),
        }
        .with_secret("s3cr3t");
        let stored = serde_json::to_string(&mail.item(0)).unwrap();
        assert!(!stored.contains("s3cr3t"), "{stored}");
        assert!(stored.contains(WITHHELD));
        assert!(mail.text.contains("s3cr3t"), "the delivered mail keeps it");
    }
}
