//! A parsed template made into a mail: values go in as text. The text part
//! is the greeting, the template's body and the sign-off; the HTML part is
//! the company's frame (`mail/base.html`) around the body's paragraphs,
//! every value and every word of the template HTML-escaped, so a template
//! carries no markup; the subject loses line breaks, so no value can add a
//! header.

use askama::Template;

use super::fields::Field;
use super::letters::letter;
use super::parse::{Parsed, Part, Piece, parse};
use super::{Draft, TemplateError};
use crate::mail::{Letter, MailKind};

/// A mail's subject, text and HTML.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A stretch of a line: text, or a web address shown as a link.
struct Run {
    text: String,
    href: Option<String>,
}

/// The HTML part of a template's mail.
#[derive(Template)]
#[template(path = "mail/custom.html")]
struct CustomHtml<'a> {
    l: &'a Letter,
    subject: &'a str,
    /// Paragraphs of lines of runs.
    paragraphs: Vec<Vec<Vec<Run>>>,
}

/// A draft checked against `kind`'s fields: its subject and body parsed.
pub struct Checked {
    subject: Parsed,
    body: Parsed,
}

impl Checked {
    pub fn new(kind: MailKind, draft: &Draft) -> Result<Checked, TemplateError> {
        Ok(Checked {
            subject: parse(kind, Part::Subject, &draft.subject)?,
            body: parse(kind, Part::Body, &draft.body)?,
        })
    }

    /// The mail for `letter`.
    pub fn render(&self, letter: &Letter) -> Rendered {
        self.render_with(letter, &|field| field.value(letter))
    }

    /// The mail with every field's example, for a preview or a test.
    pub fn render_example(&self, kind: MailKind) -> Rendered {
        self.render_with(&example_letter(kind), &|field| field.example.to_string())
    }

    fn render_with(&self, frame: &Letter, value: &dyn Fn(&Field) -> String) -> Rendered {
        let subject: String = joined(&self.subject, value)
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let subject = subject.trim().to_string();
        let body = joined(&self.body, value);
        let text = format!(
            "Hello {},\n\n{}\n\n— {}\n",
            frame.name,
            body.trim(),
            frame.company
        );
        let html = CustomHtml {
            l: frame,
            subject: &subject,
            paragraphs: paragraphs(&self.body, value),
        }
        .render()
        .unwrap_or_else(|error| {
            // Writing to a string fails only for want of memory; the text part stands.
            tracing::warn!(%error, "a mail template's HTML part did not render");
            String::new()
        });
        Rendered {
            subject,
            text,
            html,
        }
    }
}

fn joined(parsed: &Parsed, value: &dyn Fn(&Field) -> String) -> String {
    parsed
        .pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.clone(),
            Piece::Field(field) => value(field),
        })
        .collect()
}

/// The body as paragraphs (split at blank lines) of lines of runs; a link
/// field's web address becomes a link.
fn paragraphs(body: &Parsed, value: &dyn Fn(&Field) -> String) -> Vec<Vec<Vec<Run>>> {
    let mut lines: Vec<Vec<Run>> = vec![Vec::new()];
    for piece in &body.pieces {
        let (text, link) = match piece {
            Piece::Text(text) => (text.clone(), false),
            Piece::Field(field) => (value(field), field.link),
        };
        let web = text.starts_with("https://") || text.starts_with("http://");
        if link && web && !text.contains(char::is_whitespace) {
            let href = Some(text.clone());
            lines.last_mut().expect("a line").push(Run { text, href });
            continue;
        }
        for (n, part) in text.split('\n').enumerate() {
            if n > 0 {
                lines.push(Vec::new());
            }
            let part = part.trim_end_matches('\r');
            if !part.is_empty() {
                let run = Run {
                    text: part.to_string(),
                    href: None,
                };
                lines.last_mut().expect("a line").push(run);
            }
        }
    }
    let mut paragraphs = vec![Vec::new()];
    for line in lines {
        if line.iter().all(|run| run.text.trim().is_empty()) {
            paragraphs.push(Vec::new());
        } else {
            paragraphs.last_mut().expect("a paragraph").push(line);
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs
}

/// The frame of a preview: the examples of the fields the frame shows.
fn example_letter(kind: MailKind) -> Letter {
    let example = |name: &str| {
        let declared = letter(kind).declares(name);
        let field = super::fields::field(name).filter(|_| declared);
        field.map(|f| f.example.to_string()).unwrap_or_default()
    };
    Letter {
        name: example("name"),
        company: example("company"),
        order_id: example("order_id"),
        order_url: example("order_url"),
        ..Letter::default()
    }
}
