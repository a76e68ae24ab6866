//! A draft sent as a test: with every field's example, to the signed-in
//! admin's own address only, through the outbox like any mail, and a few
//! an hour at most (a counter per member and hour in the table, shared by
//! every process): a test send is no way to mail anyone else, or to flood.

use super::render::Checked;
use super::versions::Editor;
use super::{Draft, TemplateError};
use crate::mail::{self, Mail, MailKind};
use crate::store::{Condition, Key, TableError, Update};
use crate::{Mailing, Storage};

/// Test mails one member of staff may send in an hour.
pub const TESTS_PER_HOUR: i64 = 5;
const HOUR: i64 = 3600;

/// Counts one test mail of `member`'s in this hour, or refuses it.
async fn count(ports: &impl Storage, member: Editor<'_>) -> Result<(), TemplateError> {
    let now = ports.clock().now_secs();
    let hour = now - now.rem_euclid(HOUR);
    let key = Key::new(format!("MAILTPL#TESTS#{}", member.id), format!("H#{hour}"));
    let count = Update::new().add("count", 1).set("ttl", hour + HOUR + 60);
    let under =
        Condition::AttributeNotExists("count".into()).or(Condition::lt("count", TESTS_PER_HOUR));
    match ports.table().update(&key, count, Some(under)).await {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => Err(TemplateError::TooManyTests {
            seconds: (hour + HOUR - now).max(1),
        }),
        Err(other) => Err(other.into()),
    }
}

/// Sends `draft` of `kind`, filled with the fields' examples, to `member`.
pub async fn send_test(
    ports: &(impl Storage + Mailing),
    member: Editor<'_>,
    kind: MailKind,
    draft: &Draft,
) -> Result<Mail, TemplateError> {
    let rendered = Checked::new(kind, draft)?.render_example(kind);
    count(ports, member).await?;
    let now = ports.clock().now();
    let mail = Mail {
        id: format!("test:{}-{}", ulid::Ulid::new(), kind.slug()),
        kind,
        to: member.email.to_string(),
        subject: format!("[Test] {}", rendered.subject),
        text: rendered.text,
        html: rendered.html,
        order_id: String::new(),
        created_at: crate::clock::rfc3339(now),
        secrets: Vec::new(),
    };
    mail::send(ports, std::slice::from_ref(&mail)).await?;
    Ok(mail)
}
