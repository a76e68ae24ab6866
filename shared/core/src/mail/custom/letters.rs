//! What each kind of letter declares: its title, the fields its template
//! may show (those the code fills in for it), the ones it may not leave
//! out, and a starting draft in the template format that says what the
//! built-in letter says.

use super::fields::{Field, field};
use crate::mail::MailKind;

/// A kind of letter as the template editor knows it.
pub struct LetterSpec {
    pub title: &'static str,
    /// Field names, parted by spaces.
    fields: &'static str,
    /// Fields the body must show (the link a reset needs, the invoice an
    /// invoice mail is), parted by spaces.
    required: &'static str,
    pub subject: &'static str,
    pub body: &'static str,
}

const fn spec(
    title: &'static str,
    fields: &'static str,
    required: &'static str,
    (subject, body): (&'static str, &'static str),
) -> LetterSpec {
    LetterSpec {
        title,
        fields,
        required,
        subject,
        body,
    }
}

const YOUR_DOMAINS: &str = "name company domain action link";
const INVOICED_DOMAIN: &str = "name company domain invoice_number action invoice link";
const INVOICED_SERVICE: &str = "name company plan_name invoice_number action invoice link";

/// Every kind of letter, declared.
static LETTERS: &[(MailKind, LetterSpec)] = &[
    (
        MailKind::OrderReceived,
        spec(
            "Order received",
            "name company order_id order_url plan_name domain invoice payment_note",
            "invoice",
            (
                "Order {{order_id}} received",
                "thank you for your order {{order_id}}: {{plan_name}} for {{domain}}.\n\n{{invoice}}\n\n{{payment_note}}",
            ),
        ),
    ),
    (
        MailKind::PaymentReceipt,
        spec(
            "Payment receipt",
            "name company order_id order_url domain invoice_number total paid_by invoice next_step",
            "invoice",
            (
                "Receipt for invoice {{invoice_number}}",
                "we received {{total}} for invoice {{invoice_number}}, paid by {{paid_by}}.\n\n{{invoice}}\n\n{{next_step}}",
            ),
        ),
    ),
    (
        MailKind::DomainRegistered,
        spec(
            "Domain registered",
            "name company domain action",
            "",
            (
                "{{domain}} is yours",
                "{{domain}} is registered in your name. {{action}}",
            ),
        ),
    ),
    (
        MailKind::TransferStarted,
        spec(
            "Transfer started",
            "name company domain",
            "",
            (
                "Transfer of {{domain}} started",
                "we asked the registry to transfer {{domain}} to us. Your current registrar may ask you to approve it; transfers usually finish within five days. Your hosting does not wait: it is set up now.",
            ),
        ),
    ),
    (
        MailKind::AccountReady,
        spec(
            "Hosting ready",
            "name company domain login_details",
            "login_details",
            (
                "{{domain}} is live: your login details",
                "{{domain}} is live.\n\n{{login_details}}",
            ),
        ),
    ),
    (
        MailKind::ActionNeeded,
        spec(
            "Order needs attention",
            "name company order_id order_url domain action",
            "action",
            (
                "Your order {{order_id}} needs attention",
                "your order {{order_id}} for {{domain}} is waiting for something:\n\n{{action}}\n\nReply to this mail or see {{order_url}}",
            ),
        ),
    ),
    (
        MailKind::VerifyEmail,
        spec(
            "Confirm a new account's email",
            "name company link",
            "link",
            (
                "Confirm your email for {{company}}",
                "to finish creating your account at {{company}}, open this link within a day:\n\n{{link}}\n\nIf you did not sign up, ignore this mail: no account is made without it.",
            ),
        ),
    ),
    (
        MailKind::AccountExists,
        spec(
            "Account already exists",
            "name company link",
            "link",
            (
                "You already have an account at {{company}}",
                "someone, perhaps you, tried to create an account at {{company}} with this email address. You already have one: log in at\n\n{{link}}\n\nIf it was not you, you need to do nothing; your account is unchanged.",
            ),
        ),
    ),
    (
        MailKind::PasswordReset,
        spec(
            "Password reset",
            "name company link",
            "link",
            (
                "Set a new password for {{company}}",
                "someone asked to set a new password for your account at {{company}}. To choose one, open this link within 30 minutes:\n\n{{link}}\n\nThe link works once. If you did not ask, ignore this mail: your password stays as it is.",
            ),
        ),
    ),
    (
        MailKind::ConfirmEmailChange,
        spec(
            "Confirm a new email",
            "name company link",
            "link",
            (
                "Confirm your new email for {{company}}",
                "to make this address the email of your account at {{company}}, open this link within a day:\n\n{{link}}\n\nUntil then your account keeps its current email. If you did not ask for this, ignore this mail.",
            ),
        ),
    ),
    (
        MailKind::OrderRejected,
        spec(
            "Order rejected",
            "name company order_id order_url domain action refund_note",
            "refund_note",
            (
                "We could not accept your order {{order_id}}",
                "we are sorry: we cannot accept your order {{order_id}} for {{domain}}.\n\n{{action}}\n\n{{refund_note}}\n\nReply to this mail if you have questions.",
            ),
        ),
    ),
    (
        MailKind::RenewalReceipt,
        spec(
            "Renewal receipt",
            "name company domain invoice_number action invoice paid_by link",
            "invoice",
            (
                "{{domain}} is renewed: receipt {{invoice_number}}",
                "thank you: {{action}}\n\n{{invoice}}\n\nPaid by {{paid_by}}.\n\nYour domains: {{link}}",
            ),
        ),
    ),
    (
        MailKind::RenewalFailed,
        spec(
            "Renewal failed",
            YOUR_DOMAINS,
            "action",
            (
                "{{domain}} could not be renewed yet",
                "{{action}}\n\nYour domains: {{link}}",
            ),
        ),
    ),
    (
        MailKind::RenewalInvoice,
        spec(
            "Renewal invoice",
            INVOICED_DOMAIN,
            "invoice",
            (
                "Renewal invoice {{invoice_number}} for {{domain}}",
                "{{action}}\n\n{{invoice}}\n\nYour domains: {{link}}",
            ),
        ),
    ),
    (
        MailKind::RenewalPaymentFailed,
        spec(
            "Renewal payment failed",
            YOUR_DOMAINS,
            "action",
            (
                "We could not charge your card for {{domain}}",
                "{{action}}\n\nYour domains: {{link}}",
            ),
        ),
    ),
    (
        MailKind::RenewalReminder,
        spec(
            "Renewal reminder",
            YOUR_DOMAINS,
            "action",
            (
                "{{domain}} expires soon",
                "{{action}}\n\nYour domains: {{link}}",
            ),
        ),
    ),
    (
        MailKind::TransferFailed,
        spec(
            "Transfer failed",
            YOUR_DOMAINS,
            "action",
            (
                "The transfer of {{domain}} did not go through",
                "{{action}}\n\nStart again: {{link}}",
            ),
        ),
    ),
    (
        MailKind::ServiceInvoice,
        spec(
            "Service invoice",
            INVOICED_SERVICE,
            "invoice",
            (
                "Invoice {{invoice_number}} for {{plan_name}}",
                "{{action}}\n\n{{invoice}}\n\nYour services: {{link}}",
            ),
        ),
    ),
    (
        MailKind::ServiceReceipt,
        spec(
            "Service receipt",
            INVOICED_SERVICE,
            "invoice",
            (
                "Receipt {{invoice_number}} for {{plan_name}}",
                "{{action}}\n\n{{invoice}}\n\nYour services: {{link}}",
            ),
        ),
    ),
    (
        MailKind::ServicePaymentFailed,
        spec(
            "Service payment failed",
            "name company plan_name invoice_number action lines total link",
            "action",
            (
                "We could not charge your card for {{plan_name}}",
                "{{action}}\n\nInvoice {{invoice_number}}\n{{lines}}\nTotal: {{total}}\n\nYour services: {{link}}",
            ),
        ),
    ),
    (
        MailKind::RefundIssued,
        spec(
            "Refund issued",
            "name company invoice_number credit_note total lines link",
            "credit_note",
            (
                "Refund on invoice {{invoice_number}}: credit note {{credit_note}}",
                "we have given back {{total}} of invoice {{invoice_number}} to the card it was paid with. Depending on your bank, it shows on your statement within a few days.\n\nCredit note {{credit_note}} documents the refund:\n{{lines}}\nTotal: {{total}}\n\nYour credit note, to print: {{link}}",
            ),
        ),
    ),
    (
        MailKind::Notice,
        spec(
            "Notice",
            "name company headline action link",
            "action",
            ("{{headline}}", "{{action}}\n\nYour account: {{link}}"),
        ),
    ),
    (
        MailKind::Proposal,
        spec(
            "Proposal",
            "name company domain lines total action preview_url link",
            "link",
            (
                "Our proposal for {{domain}}",
                "here is our proposal for the website of {{domain}}.\n\n{{lines}}\n\nIn all: {{total}}, plus tax where it applies.\n\n{{action}}\n\nSee the website we are building for you: {{preview_url}}\n\nRead the proposal and accept it online: {{link}}\n\nBoth links work for 30 days. Questions? Just reply to this mail.",
            ),
        ),
    ),
    (
        MailKind::ProposalAccepted,
        spec(
            "Proposal accepted",
            "name company domain action link",
            "link",
            (
                "Welcome to {{company}}: your next steps",
                "thank you for accepting our proposal for {{domain}}.\n\n{{action}}\n\n{{link}}",
            ),
        ),
    ),
    (
        MailKind::DomainSecurity,
        spec(
            "Domain security change",
            "name company domain headline action link",
            "action",
            (
                "{{headline}}",
                "{{action}}\n\nIf this was not you, someone has your password or one of your sessions: change your password, log out everywhere, and reply to this mail at once so that we can keep {{domain}} from being moved.\n\nYour domains: {{link}}",
            ),
        ),
    ),
];

/// The declaration of `kind`.
pub fn letter(kind: MailKind) -> &'static LetterSpec {
    let declared = LETTERS.iter().find(|(declared, _)| *declared == kind);
    &declared
        .expect("every kind of letter is declared (a unit test holds it)")
        .1
}

impl LetterSpec {
    /// The names of the fields the letter's template may show.
    pub fn field_names(&self) -> impl Iterator<Item = &'static str> {
        self.fields.split_whitespace()
    }

    /// The names of the fields its body must show.
    pub fn required_names(&self) -> impl Iterator<Item = &'static str> {
        self.required.split_whitespace()
    }

    pub fn declares(&self, name: &str) -> bool {
        self.field_names().any(|declared| declared == name)
    }

    pub fn requires(&self, name: &str) -> bool {
        self.required_names().any(|required| required == name)
    }
}

/// The fields `kind`'s template may show.
pub fn fields_of(kind: MailKind) -> Vec<&'static Field> {
    letter(kind).field_names().filter_map(field).collect()
}
