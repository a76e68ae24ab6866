//! The versions of each letter's template. Every save or revert is a new
//! version, with who made it and when, written with its audit entry in one
//! transaction; the current one is what mails use. Items (see
//! `docs/data-model.md`):
//! - `MAILTPL` / `<letter>`: the current version of each letter (`v` is its
//!   number, so two admins saving at once cannot both win);
//! - `MAILTPL#<letter>` / `V#<number>`: every version, oldest first.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::fields::Field;
use super::letters::{fields_of, letter};
use super::{Checked, Draft, TemplateError};
use crate::Storage;
use crate::audit::{Actor, AuditEntry};
use crate::mail::MailKind;
use crate::store::{
    Condition, Key, Query, SortKey, Table, TableError, TableResult, TxOp, all_items, record_item,
    record_of,
};

const CURRENT: &str = "MAILTPL";
/// The versions a letter's page shows at most.
const VERSIONS_SHOWN: usize = 100;

/// One version of a letter's template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Version {
    /// From 1, one more with each save or revert.
    pub version: u32,
    /// The template; none when this version is the built-in letter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Draft>,
    /// The member of staff who made it (their id), and their name then.
    pub by: String,
    pub by_name: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// `saved`, `reverted to version 2`, `reverted to the built-in letter`.
    pub note: String,
}

/// A field as the editor lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShownField {
    pub name: &'static str,
    pub description: &'static str,
    pub example: &'static str,
    /// The body must show it.
    pub required: bool,
    /// Several lines: not for the subject.
    pub block: bool,
}

/// A kind of letter, with its fields and what its mails use now.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterSummary {
    /// `password_reset`.
    pub kind: &'static str,
    /// `Password reset`.
    pub title: &'static str,
    pub fields: Vec<ShownField>,
    /// Whether mails use an admin's template (else the built-in letter).
    pub overridden: bool,
    /// The current version, if any was ever saved.
    pub current: Option<Version>,
}

/// A letter with its versions, newest first, and a draft to start from.
#[derive(Debug, Serialize, ToSchema)]
pub struct LetterDetail {
    #[serde(flatten)]
    pub letter: LetterSummary,
    pub versions: Vec<Version>,
    /// The current template, or the built-in letter written as a template.
    pub draft: Draft,
}

fn current_key(kind: MailKind) -> Key {
    Key::new(CURRENT, kind.slug())
}

fn version_key(kind: MailKind, version: u32) -> Key {
    Key::new(
        format!("MAILTPL#{}", kind.slug()),
        format!("V#{version:06}"),
    )
}

/// The current version of `kind`'s template, if any was saved.
pub async fn current(table: &dyn Table, kind: MailKind) -> TableResult<Option<Version>> {
    match table.get(&current_key(kind)).await? {
        Some(item) => Ok(Some(record_of(&item, "mail template")?)),
        None => Ok(None),
    }
}

fn summary(kind: MailKind, current: Option<Version>) -> LetterSummary {
    let spec = letter(kind);
    let shown = |f: &Field| ShownField {
        name: f.name,
        description: f.description,
        example: f.example,
        required: spec.requires(f.name),
        block: f.block,
    };
    LetterSummary {
        kind: kind.slug(),
        title: spec.title,
        fields: fields_of(kind).into_iter().map(shown).collect(),
        overridden: current.as_ref().is_some_and(|c| c.draft.is_some()),
        current,
    }
}

/// Every kind of letter, with its fields and whether it is overridden.
pub async fn list(table: &dyn Table) -> TableResult<Vec<LetterSummary>> {
    let items = all_items(table, Query::partition(CURRENT)).await?;
    let mut saved = Vec::new();
    for item in items {
        let version: Version = record_of(&item, "mail template")?;
        saved.push((item, version));
    }
    let current_of = |kind: MailKind| {
        saved
            .iter()
            .find(|(item, _)| item.get("sk").and_then(|v| v.as_str()) == Some(kind.slug()))
            .map(|(_, version)| version.clone())
    };
    Ok(MailKind::ALL
        .into_iter()
        .map(|k| summary(k, current_of(k)))
        .collect())
}

/// One letter with its versions.
pub async fn detail(table: &dyn Table, kind: MailKind) -> TableResult<LetterDetail> {
    let current = current(table, kind).await?;
    let query = Query::partition(format!("MAILTPL#{}", kind.slug()))
        .sort(SortKey::BeginsWith("V#".into()))
        .backward()
        .limit(VERSIONS_SHOWN);
    let page = table.query(query).await?;
    let versions = page
        .items
        .iter()
        .map(|item| record_of(item, "mail template version"))
        .collect::<TableResult<Vec<Version>>>()?;
    let spec = letter(kind);
    let draft = current
        .as_ref()
        .and_then(|c| c.draft.clone())
        .unwrap_or_else(|| Draft {
            subject: spec.subject.into(),
            body: spec.body.into(),
        });
    Ok(LetterDetail {
        letter: summary(kind, current),
        versions,
        draft,
    })
}

/// The member of staff who edits or tests a letter, as far as the letters
/// know them (mail depends on no staff module).
#[derive(Debug, Clone, Copy)]
pub struct Editor<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub email: &'a str,
    pub role: &'a str,
}

/// Who makes a change: the member of staff and the address they act from.
pub type By<'a> = (Editor<'a>, &'a str);

/// Saves `draft` as the next version of `kind`'s template, once it parses;
/// `based_on` (the version the admin edited) refuses a save over someone else's.
pub async fn save(
    ports: &impl Storage,
    by: By<'_>,
    kind: MailKind,
    draft: Draft,
    based_on: Option<u32>,
) -> Result<Version, TemplateError> {
    Checked::new(kind, &draft)?;
    write(ports, by, kind, (Some(draft), "saved".into()), based_on).await
}

/// Makes an earlier version (`to`), or the built-in letter (`None`), the
/// current one, as a new version.
pub async fn revert(
    ports: &impl Storage,
    by: By<'_>,
    kind: MailKind,
    to: Option<u32>,
    based_on: Option<u32>,
) -> Result<Version, TemplateError> {
    let Some(number) = to else {
        let note = "reverted to the built-in letter".to_string();
        return write(ports, by, kind, (None, note), based_on).await;
    };
    let item = ports.table().get(&version_key(kind, number)).await?;
    let earlier: Version = match item {
        Some(item) => record_of(&item, "mail template version")?,
        None => return Err(TemplateError::NoSuchVersion(number)),
    };
    if let Some(draft) = &earlier.draft {
        Checked::new(kind, draft)?;
    }
    let note = format!("reverted to version {number}");
    write(ports, by, kind, (earlier.draft, note), based_on).await
}

fn label(version: Option<&Version>) -> String {
    match version {
        None => "built-in".into(),
        Some(v) if v.draft.is_none() => format!("version {} (built-in)", v.version),
        Some(v) => format!("version {}", v.version),
    }
}

/// Writes the next version, the current pointer and the audit entry together.
async fn write(
    ports: &impl Storage,
    (member, client): By<'_>,
    kind: MailKind,
    (draft, note): (Option<Draft>, String),
    based_on: Option<u32>,
) -> Result<Version, TemplateError> {
    let before = current(ports.table(), kind).await?;
    let number = before.as_ref().map_or(0, |v| v.version);
    if based_on.is_some_and(|expected| expected != number) {
        return Err(TemplateError::Changed);
    }
    let version = Version {
        version: number + 1,
        draft,
        by: member.id.to_string(),
        by_name: member.name.to_string(),
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        note,
    };
    let reverted = version.note.starts_with("reverted");
    let entry = AuditEntry {
        at: version.at.clone(),
        actor: Actor::Staff(member.id.to_string()),
        subject: format!("mail_template:{}", kind.slug()),
        customer_id: None,
        action: if reverted {
            "mail_template_reverted"
        } else {
            "mail_template_saved"
        }
        .into(),
        from: Some(label(before.as_ref())),
        to: Some(match version.note.strip_prefix("reverted to version ") {
            Some(earlier) => format!("version {} (as version {earlier})", version.version),
            None => label(Some(&version)),
        }),
        why: String::new(),
        client: Some(client.into()),
        role: Some(member.role.into()),
    };
    let mut current_item = record_item(&version, &current_key(kind), "mail_template");
    current_item.insert("v".into(), (version.version as i64).into());
    let guard = match before {
        Some(_) => Condition::VersionIs(number as i64),
        None => Condition::NotExists,
    };
    let ops = vec![
        TxOp::Put {
            item: record_item(
                &version,
                &version_key(kind, version.version),
                "mail_template_version",
            ),
            condition: Some(Condition::NotExists),
        },
        TxOp::Put {
            item: current_item,
            condition: Some(guard),
        },
        entry.put_op(),
    ];
    match ports.table().transact(ops).await {
        Ok(()) => Ok(version),
        Err(TableError::TransactionConflict { .. } | TableError::ConditionFailed) => {
            Err(TemplateError::Changed)
        }
        Err(other) => Err(other.into()),
    }
}

/// The title of the letter `slug` names, for the audit log's sentences.
pub fn title_of(slug: &str) -> Option<&'static str> {
    MailKind::from_slug(slug).map(|kind| letter(kind).title)
}
