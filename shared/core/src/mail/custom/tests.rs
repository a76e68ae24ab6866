use super::parse::{BODY_LIMIT, Part, parse};
use super::*;
use crate::mail::Letter;

const RESET: MailKind = MailKind::PasswordReset;

fn refusal(kind: MailKind, part: Part, source: &str) -> String {
    match parse(kind, part, source) {
        Ok(parsed) => panic!("{source:?} was accepted as {parsed:?}"),
        Err(fault) => fault.to_string(),
    }
}

fn body_refusal(source: &str) -> String {
    refusal(RESET, Part::Body, &format!("Open {{{{link}}}}\n{source}"))
}

#[test]
fn hostile_templates_are_refused_with_the_line_and_the_reason() {
    let cases = [
        ("{{7*7}}", "is not a field name"),
        ("{{ self }}", "{{self}} is not a field"),
        (
            "{% for x in l.lines %}x{% endfor %}",
            "`{%` starts a statement",
        ),
        ("{{name.attr}}", "no attribute after a dot"),
        ("{{{name}}}", "has braces inside"),
        ("{{name}}}", "has braces inside"),
        ("${name}", "a lone `{`"),
        ("{{ {{name}} }}", "has braces inside"),
        ("{{name|upper}}", "is not a field name"),
        ("{{name", "not closed"),
        ("{{name\n}}", "not closed on its line"),
        ("}}", "a lone `}`"),
        ("{# comment #}", "a lone `{`"),
        ("{{ l.name }}", "no attribute after a dot"),
        ("{{Name}}", "is not a field name"),
        ("a\u{0}b", "a control character (U+0000)"),
        (
            "{{domain}}",
            "{{domain}} is a field of other letters, not of this one",
        ),
        ("{{invoice}}", "{{invoice}} is a field of other letters"),
    ];
    for (source, reason) in cases {
        let said = body_refusal(source);
        assert!(said.starts_with("body, line 2: "), "{source:?}: {said}");
        assert!(said.contains(reason), "{source:?}: {said}");
    }
    assert!(body_refusal("{{nope}}").contains("this letter's fields are name, company, link"));
}

#[test]
fn size_limits_hold() {
    let long = format!("{{{{link}}}}{}", "a".repeat(BODY_LIMIT));
    let said = refusal(RESET, Part::Body, &long);
    assert_eq!(said, "body: it has 20008 characters; at most 20000");
    let just = format!("{{{{link}}}}{}", "é".repeat(BODY_LIMIT - 8));
    assert!(
        parse(RESET, Part::Body, &just).is_ok(),
        "characters, not bytes"
    );
    let said = refusal(RESET, Part::Subject, &"s".repeat(201));
    assert_eq!(said, "subject: it has 201 characters; at most 200");
    // A very long run of openings is refused at once, not scanned forever.
    let openings = "{{".repeat(BODY_LIMIT / 2);
    assert!(refusal(RESET, Part::Body, &openings).contains("line 1"));
}

#[test]
fn a_subject_is_one_line_without_blocks_and_nothing_is_empty() {
    assert!(refusal(RESET, Part::Subject, "Reset\nBcc: x@y").contains("a subject is one line"));
    assert!(refusal(RESET, Part::Subject, " \t").contains("it is empty"));
    let said = refusal(MailKind::OrderReceived, Part::Subject, "{{invoice}}");
    assert!(said.contains("cannot go in the subject"), "{said}");
    // A link may carry a one-time token: never in a subject.
    let said = refusal(RESET, Part::Subject, "Reset at {{link}}");
    assert!(
        said.contains("is a link and cannot go in the subject"),
        "{said}"
    );
}

#[test]
fn what_the_fields_add_stays_small() {
    let twice = "{{invoice}}\n{{invoice}}";
    let said = refusal(MailKind::OrderReceived, Part::Body, twice);
    assert!(
        said.contains("line 2") && said.contains("may stand once"),
        "{said}"
    );
    let many = format!(
        "{{{{link}}}} {}",
        "{{name}} ".repeat(parse::PLACEHOLDER_LIMIT)
    );
    let said = refusal(RESET, Part::Body, &many);
    assert!(said.contains("more than 60 placeholders"), "{said}");
    let enough = format!(
        "{{{{link}}}} {}",
        "{{name}} ".repeat(parse::PLACEHOLDER_LIMIT - 1)
    );
    assert!(parse(RESET, Part::Body, &enough).is_ok());
}

#[test]
fn a_letter_cannot_drop_the_field_it_exists_for() {
    let said = refusal(RESET, Part::Body, "Ask us for a new password.");
    assert_eq!(said, "body: the password reset needs {{link}}");
    let said = refusal(MailKind::ServiceInvoice, Part::Body, "{{action}}");
    assert_eq!(said, "body: the service invoice needs {{invoice}}");
    assert!(parse(RESET, Part::Subject, "No link in a subject").is_ok());
}

#[test]
fn every_letter_starts_from_a_draft_that_passes() {
    for kind in MailKind::ALL {
        let spec = letters::letter(kind);
        let draft = Draft {
            subject: spec.subject.into(),
            body: spec.body.into(),
        };
        let checked = Checked::new(kind, &draft).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        for name in spec.field_names().chain(spec.required_names()) {
            assert!(fields::field(name).is_some(), "{kind:?} declares {name}");
        }
        // What saving accepted always renders, whatever the letter holds.
        let mail = checked.render(&Letter::default());
        assert!(mail.text.starts_with("Hello ,"), "{kind:?}");
        assert!(checked.render_example(kind).html.contains("Ada Lovelace"));
    }
}

fn reset_letter(name: &str) -> Letter {
    Letter {
        company: "Hostfront".into(),
        name: name.into(),
        link: "https://shop.example/account.html#token=abc".into(),
        ..Letter::default()
    }
}

fn reset_draft(subject: &str, body: &str) -> Checked {
    let draft = Draft {
        subject: subject.into(),
        body: body.into(),
    };
    Checked::new(RESET, &draft).unwrap()
}

#[test]
fn values_and_the_template_s_own_words_arrive_escaped_in_the_html_part() {
    let template = reset_draft(
        "Hi {{name}}",
        "Dear {{name}}, <b>click</b>:\n{{link}}\n\n<script>alert(1)</script> & more",
    );
    let mail = template.render(&reset_letter("Ada <script>x</script>"));
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(!mail.html.contains("<b>"), "{}", mail.html);
    assert!(
        mail.html.contains("Ada &#60;script&#62;") || mail.html.contains("Ada &lt;script&gt;"),
        "{}",
        mail.html
    );
    assert!(
        mail.html
            .contains(r#"<a href="https://shop.example/account.html#token=abc">"#),
        "{}",
        mail.html
    );
    assert!(
        mail.html.contains("<br>"),
        "lines within a paragraph: {}",
        mail.html
    );
    assert_eq!(
        mail.html.matches("<p>").count(),
        3,
        "the greeting and two paragraphs: {}",
        mail.html
    );
    assert!(mail.text.starts_with(
        "Hello Ada <script>x</script>,\n\nDear Ada <script>x</script>, <b>click</b>:"
    ));
    assert!(mail.text.ends_with("— Hostfront\n"));
}

#[test]
fn no_value_adds_a_header_to_the_subject() {
    let template = reset_draft("Hello {{name}}", "{{link}}");
    let mail = template.render(&reset_letter("Ada\r\nBcc: everyone@example.com"));
    assert_eq!(mail.subject, "Hello Ada  Bcc: everyone@example.com");
    assert!(!mail.subject.contains(['\r', '\n']));
}

#[test]
fn a_link_field_that_is_no_web_address_stays_text() {
    let template = reset_draft("Reset", "{{link}}");
    let mut letter = reset_letter("Ada");
    letter.link = "javascript:alert(1)".into();
    let mail = template.render(&letter);
    assert!(!mail.html.contains("href=\"javascript"), "{}", mail.html);
    assert!(mail.html.contains("javascript:alert(1)"));
}
