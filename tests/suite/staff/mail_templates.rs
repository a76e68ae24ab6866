//! Mail templates, on both engines: an admin rewrites the password reset,
//! and the next reset a customer asks for arrives in those words, her name
//! escaped in the HTML part; hostile drafts are refused and change nothing;
//! versions, reverts and their audit sentences; test sends go to the admin
//! alone, a few an hour; other roles are refused; a stored template that no
//! longer fits its letter falls back to the built-in letter.

use hostfront::mail::{Mail, MailKind};
use hostfront::staff::Role;
use hostfront::store::{Key, Query};
use hostfront_tests::shopper::{Shopper, fresh_username};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, http};
use serde_json::{Value, json};

const LETTER: &str = "/api/admin/mail-templates/password_reset";

/// The mails of `kind` to `to`, oldest first, as the mailbox received them.
async fn received(app: &App, to: &str, kind: MailKind) -> Vec<Mail> {
    let page = app
        .ports
        .table
        .query(Query::partition("OUTBOX"))
        .await
        .unwrap();
    let mut mails: Vec<Mail> = page
        .items
        .iter()
        .filter_map(|item| serde_json::from_value::<Mail>(item.get("mail")?.clone()).ok())
        .filter(|m| m.to == to && m.kind == kind)
        .map(|m| hostfront::mailbox::delivered(&app.ports.config.mailbox_folder, m))
        .collect();
    mails.sort_by(|a, b| a.created_at.cmp(&b.created_at));
    mails
}

/// A customer named `name` asks for a new password; the reset mail she gets.
async fn reset_mail(app: &App, name: &str) -> Mail {
    let email = format!("{}@example.com", fresh_username());
    Shopper::sign_up_as(app, &email, name, "GB").await;
    let response = http()
        .post(app.url("/api/password-reset"))
        .json(&json!({ "email": email }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 202);
    let mut mails = received(app, &email, MailKind::PasswordReset).await;
    assert_eq!(mails.len(), 1, "one reset mail to {email}");
    mails.remove(0)
}

fn refusal(answer: &(u16, Value)) -> (u16, &str, &str) {
    let error = &answer.1["error"];
    let code = error["code"].as_str().unwrap_or("");
    (answer.0, code, error["message"].as_str().unwrap_or(""))
}

async fn other_roles_are_refused(app: &App) {
    for role in [Role::Support, Role::Billing] {
        let clerk = Clerk::log_in(app, role).await;
        assert_eq!(clerk.get("/api/admin/mail-templates").await.0, 403);
        let draft = json!({"subject": "x", "body": "{{link}}"});
        let put = clerk.send(reqwest::Method::PUT, LETTER, draft).await;
        assert_eq!(refusal(&put).1, "forbidden");
    }
}

async fn hostile_drafts_change_nothing(admin: &Clerk<'_>) {
    for (body, line, says) in [
        ("Hi\n{{7*7}} {{link}}", 2, "`{{7*7}}` is not a field name"),
        (
            "{{link}}\n\n{% for x in l.lines %}",
            3,
            "`{%` starts a statement",
        ),
        ("{{ self }} {{link}}", 1, "{{self}} is not a field"),
        ("{{link}} {{domain}}", 1, "a field of other letters"),
    ] {
        let draft = json!({"subject": "Reset", "body": body});
        for path in [format!("{LETTER}/preview"), format!("{LETTER}/test")] {
            let answer = admin.post(&path, draft.clone()).await;
            let (status, code, message) = refusal(&answer);
            assert_eq!((status, code), (422, "invalid_mail_template"), "{body:?}");
            assert!(
                message.starts_with(&format!("body, line {line}: ")),
                "{message}"
            );
            assert!(message.contains(says), "{message}");
        }
        let saved = admin.send(reqwest::Method::PUT, LETTER, draft).await;
        assert_eq!(refusal(&saved).0, 422);
    }
    let no_link = json!({"subject": "Reset", "body": "Ask us by phone."});
    let saved = admin.send(reqwest::Method::PUT, LETTER, no_link).await;
    assert_eq!(refusal(&saved).2, "body: the password reset needs {{link}}");
    let (_, letter) = admin.get(LETTER).await;
    assert_eq!(letter["versions"], json!([]), "nothing was saved");
    assert_eq!(letter["overridden"], false);
}

async fn a_saved_template_is_what_the_next_reset_says(app: &App) {
    other_roles_are_refused(app).await;
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, letters) = admin.get("/api/admin/mail-templates").await;
    assert_eq!(status, 200);
    let letters = letters.as_array().unwrap();
    assert_eq!(letters.len(), MailKind::ALL.len());
    let reset = letters
        .iter()
        .find(|l| l["kind"] == "password_reset")
        .unwrap();
    let fields: Vec<(&str, bool)> = reset["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["required"] == true))
        .collect();
    assert_eq!(
        fields,
        [("name", false), ("company", false), ("link", true)]
    );
    hostile_drafts_change_nothing(&admin).await;

    let draft = json!({
        "subject": "Your new password at {{company}}, {{name}}",
        "body": "Dear {{name}},\n\nfollow {{link}} within half an hour.\n\n<b>The bakery's own words</b>",
    });
    let (status, preview) = admin
        .post(&format!("{LETTER}/preview"), draft.clone())
        .await;
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview["text"]
            .as_str()
            .unwrap()
            .contains("Dear Ada Lovelace,")
    );
    let mut saved = draft.clone();
    saved["based_on"] = json!(0);
    let (status, version) = admin.send(reqwest::Method::PUT, LETTER, saved).await;
    assert_eq!((status, &version["version"]), (200, &json!(1)), "{version}");

    let mail = reset_mail(app, "Eve <script>alert(1)</script>").await;
    assert!(
        mail.subject.starts_with("Your new password at "),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("Dear Eve <script>alert(1)</script>,"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains("follow http") && mail.text.contains("#token="),
        "{}",
        mail.text
    );
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(!mail.html.contains("<b>"), "{}", mail.html);
    assert!(
        mail.html.contains("Eve &#60;script&#62;") || mail.html.contains("Eve &lt;script&gt;"),
        "{}",
        mail.html
    );
    assert!(
        mail.html.contains("<a href=\"http"),
        "the link is a link: {}",
        mail.html
    );

    versions_and_reverts(app, &admin).await;
    test_sends_go_to_the_admin_alone(app, &admin).await;
    a_template_that_no_longer_fits_falls_back(app).await;
}

async fn versions_and_reverts(app: &App, admin: &Clerk<'_>) {
    let second = json!({"subject": "Reset", "body": "Open {{link}}", "based_on": 1});
    assert_eq!(
        admin
            .send(reqwest::Method::PUT, LETTER, second.clone())
            .await
            .0,
        200
    );
    let stale = admin.send(reqwest::Method::PUT, LETTER, second).await;
    assert_eq!(refusal(&stale).1, "mail_template_changed");
    let back = admin
        .post(&format!("{LETTER}/revert"), json!({"version": 1}))
        .await;
    assert_eq!((back.0, &back.1["version"]), (200, &json!(3)), "{}", back.1);
    let missing = admin
        .post(&format!("{LETTER}/revert"), json!({"version": 9}))
        .await;
    assert_eq!(missing.0, 404);
    let built_in = admin.post(&format!("{LETTER}/revert"), json!({})).await;
    assert_eq!(built_in.1["note"], "reverted to the built-in letter");
    let (_, letter) = admin.get(LETTER).await;
    let notes: Vec<&str> = letter["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["note"].as_str().unwrap())
        .collect();
    assert_eq!(
        notes,
        [
            "reverted to the built-in letter",
            "reverted to version 1",
            "saved",
            "saved"
        ]
    );
    assert_eq!(letter["overridden"], false);
    assert!(
        letter["draft"]["body"]
            .as_str()
            .unwrap()
            .contains("{{link}}")
    );

    let mail = reset_mail(app, "Grace Hopper").await;
    assert!(
        mail.subject.starts_with("Set a new password for "),
        "built-in again: {}",
        mail.subject
    );

    let (_, trail) = admin
        .get("/api/admin/audit?subject=mail_template:password_reset")
        .await;
    let said: Vec<(&str, &str, &str, &str)> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or("");
            (
                text("action"),
                text("subject_name"),
                text("from"),
                text("to"),
            )
        })
        .collect();
    assert_eq!(
        said,
        [
            (
                "mail_template_reverted",
                "Password reset",
                "version 3",
                "version 4 (built-in)"
            ),
            (
                "mail_template_reverted",
                "Password reset",
                "version 2",
                "version 3 (as version 1)"
            ),
            (
                "mail_template_saved",
                "Password reset",
                "version 1",
                "version 2"
            ),
            (
                "mail_template_saved",
                "Password reset",
                "built-in",
                "version 1"
            ),
        ]
    );
}

async fn test_sends_go_to_the_admin_alone(app: &App, admin: &Clerk<'_>) {
    let me = &admin.enrolment.member.email;
    let draft = json!({"subject": "Reset for {{name}}", "body": "Open {{link}}", "to": "victim@example.com"});
    let sent = admin.post(&format!("{LETTER}/test"), draft.clone()).await;
    assert_eq!((sent.0, &sent.1["to"]), (200, &json!(me)), "{}", sent.1);
    let mails = received(app, me, MailKind::PasswordReset).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].subject, "[Test] Reset for Ada Lovelace");
    assert!(
        received(app, "victim@example.com", MailKind::PasswordReset)
            .await
            .is_empty()
    );
    for _ in 1..5 {
        assert_eq!(
            admin.post(&format!("{LETTER}/test"), draft.clone()).await.0,
            200
        );
    }
    let sixth = admin.post(&format!("{LETTER}/test"), draft).await;
    assert_eq!((sixth.0, refusal(&sixth).1), (429, "too_many_test_mails"));
    assert_eq!(received(app, me, MailKind::PasswordReset).await.len(), 5);
}

/// A current version written past the checks (as a release that dropped a
/// field would leave it): the mail still goes out, as the built-in letter.
async fn a_template_that_no_longer_fits_falls_back(app: &App) {
    let mut item = Key::new("MAILTPL", "password_reset").to_item();
    let version = json!({
        "version": 5, "by": "x", "by_name": "x", "at": "2026-01-01T00:00:00Z", "note": "saved",
        "draft": {"subject": "{{gone}}", "body": "{{link}} {{gone}}"},
    });
    for (name, value) in version.as_object().unwrap() {
        item.insert(name.clone(), value.clone());
    }
    item.insert("v".into(), json!(5));
    app.ports.table.put(item, None).await.unwrap();
    let mail = reset_mail(app, "Katherine Johnson").await;
    assert!(
        mail.subject.starts_with("Set a new password for "),
        "{}",
        mail.subject
    );
    assert!(mail.text.contains("#token="), "{}", mail.text);
}

on_both_engines!(a_saved_template_is_what_the_next_reset_says: mail_templates_embedded, mail_templates_cloud);
