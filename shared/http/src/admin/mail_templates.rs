//! Mail templates for admins: the letters with their fields, one letter's
//! versions, a preview of a draft, a test send to oneself, saving and
//! reverting. What a template may hold, and how it is checked, is core's
//! (`mail::custom`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AsAdmin, Staff};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::mail::custom::versions::{self, Editor, LetterDetail, LetterSummary, Version};
use hostfront_core::mail::custom::{self, Checked, Draft, Rendered, TemplateError, test_send};

impl From<TemplateError> for ApiError {
    fn from(error: TemplateError) -> Self {
        match error {
            TemplateError::Invalid(fault) => {
                ApiError::unprocessable("invalid_mail_template", fault.to_string())
            }
            TemplateError::NoSuchLetter(_) | TemplateError::NoSuchVersion(_) => {
                ApiError::not_found(error.to_string())
            }
            TemplateError::Changed => {
                ApiError::conflict("mail_template_changed", error.to_string())
            }
            TemplateError::TooManyTests { seconds } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_test_mails",
                error.to_string(),
            )
            .retry_after(seconds.max(1) as u64),
            TemplateError::Table(error) => error.into(),
        }
    }
}

/// A draft to save, and the version it was written over.
#[derive(Deserialize, ToSchema)]
struct SavedDraft {
    #[serde(flatten)]
    draft: Draft,
    /// The current version the admin edited (0: the built-in letter); a
    /// save over a later one is refused with 409.
    #[serde(default)]
    based_on: Option<u32>,
}

/// Which version to go back to.
#[derive(Deserialize, ToSchema)]
struct RevertTo {
    /// An earlier version's number; none (or absent) for the built-in letter.
    #[serde(default)]
    version: Option<u32>,
    /// As in a save.
    #[serde(default)]
    based_on: Option<u32>,
}

/// Where a test mail went.
#[derive(Serialize, ToSchema)]
struct TestSent {
    /// The signed-in admin's own address: the only one a test goes to.
    to: String,
    subject: String,
}

/// Every kind of letter, with its fields and whether an admin's template replaces the built-in one.
#[utoipa::path(get, path = "/api/admin/mail-templates", tag = "admin", security(("staff" = ["admin"])),
    responses((status = 200, body = Vec<LetterSummary>)))]
async fn letters(
    State(state): State<AppState>,
    _: Staff<AsAdmin>,
) -> Result<Json<Vec<LetterSummary>>, ApiError> {
    Ok(Json(versions::list(state.ports.table.as_ref()).await?))
}

/// One letter: its fields, its versions (newest first) and the draft to edit.
#[utoipa::path(get, path = "/api/admin/mail-templates/{kind}", tag = "admin", security(("staff" = ["admin"])),
    params(("kind" = String, Path, description = "the letter, `password_reset`")),
    responses(
        (status = 200, body = LetterDetail),
        (status = 404, body = ErrorBody, description = "no such letter"),
    ))]
async fn letter(
    State(state): State<AppState>,
    _: Staff<AsAdmin>,
    Path(kind): Path<String>,
) -> Result<Json<LetterDetail>, ApiError> {
    let kind = custom::kind_named(&kind)?;
    Ok(Json(
        versions::detail(state.ports.table.as_ref(), kind).await?,
    ))
}

/// A draft as a mail, with every field's example; nothing is saved.
#[utoipa::path(post, path = "/api/admin/mail-templates/{kind}/preview", tag = "admin", security(("staff" = ["admin"])),
    params(("kind" = String, Path, description = "the letter")),
    request_body = Draft,
    responses(
        (status = 200, body = Rendered),
        (status = 404, body = ErrorBody, description = "no such letter"),
        (status = 422, body = ErrorBody, description = "`invalid_mail_template`: the part and line, and what is wrong"),
    ))]
async fn preview(
    _: Staff<AsAdmin>,
    Path(kind): Path<String>,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<Rendered>, ApiError> {
    let kind = custom::kind_named(&kind)?;
    Ok(Json(Checked::new(kind, &draft)?.render_example(kind)))
}

/// Sends a draft, with every field's example, to the signed-in admin's own
/// address, through the outbox; five an hour at most.
#[utoipa::path(post, path = "/api/admin/mail-templates/{kind}/test", tag = "admin", security(("staff" = ["admin"])),
    params(("kind" = String, Path, description = "the letter")),
    request_body = Draft,
    responses(
        (status = 200, body = TestSent),
        (status = 404, body = ErrorBody, description = "no such letter"),
        (status = 422, body = ErrorBody, description = "`invalid_mail_template`"),
        (status = 429, body = ErrorBody, description = "`too_many_test_mails`: see Retry-After"),
    ))]
async fn send_test(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(kind): Path<String>,
    ApiJson(draft): ApiJson<Draft>,
) -> Result<Json<TestSent>, ApiError> {
    let kind = custom::kind_named(&kind)?;
    let mail = test_send::send_test(&state.ports, editor(&staff), kind, &draft).await?;
    Ok(Json(TestSent {
        to: mail.to,
        subject: mail.subject,
    }))
}

/// Saves a draft as the letter's next version, which mails use from now on.
#[utoipa::path(put, path = "/api/admin/mail-templates/{kind}", tag = "admin", security(("staff" = ["admin"])),
    params(("kind" = String, Path, description = "the letter")),
    request_body = SavedDraft,
    responses(
        (status = 200, body = Version),
        (status = 404, body = ErrorBody, description = "no such letter"),
        (status = 409, body = ErrorBody, description = "`mail_template_changed`: someone saved it meanwhile"),
        (status = 422, body = ErrorBody, description = "`invalid_mail_template`: the part and line, and what is wrong"),
    ))]
async fn save(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(kind): Path<String>,
    ApiJson(saved): ApiJson<SavedDraft>,
) -> Result<Json<Version>, ApiError> {
    let kind = custom::kind_named(&kind)?;
    let by = (editor(&staff), staff.client.as_str());
    Ok(Json(
        versions::save(&state.ports, by, kind, saved.draft, saved.based_on).await?,
    ))
}

/// Makes an earlier version, or the built-in letter, current again (as a new version).
#[utoipa::path(post, path = "/api/admin/mail-templates/{kind}/revert", tag = "admin", security(("staff" = ["admin"])),
    params(("kind" = String, Path, description = "the letter")),
    request_body = RevertTo,
    responses(
        (status = 200, body = Version),
        (status = 404, body = ErrorBody, description = "no such letter, or no such version"),
        (status = 409, body = ErrorBody, description = "`mail_template_changed`"),
        (status = 422, body = ErrorBody, description = "`invalid_mail_template`: that version no longer fits the letter's fields"),
    ))]
async fn revert(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(kind): Path<String>,
    ApiJson(to): ApiJson<RevertTo>,
) -> Result<Json<Version>, ApiError> {
    let kind = custom::kind_named(&kind)?;
    let by = (editor(&staff), staff.client.as_str());
    Ok(Json(
        versions::revert(&state.ports, by, kind, to.version, to.based_on).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(letters))
        .add(crate::handlers!(letter, save))
        .add(crate::handlers!(preview))
        .add(crate::handlers!(send_test))
        .add(crate::handlers!(revert))
}

/// The signed-in admin, as the letters know them.
fn editor(staff: &Staff<AsAdmin>) -> Editor<'_> {
    Editor {
        id: &staff.member.id,
        name: &staff.member.name,
        email: &staff.member.email,
        role: staff.member.role.as_str(),
    }
}
