//! The template format: plain text with `{{field}}` placeholders, nothing
//! else. No expressions, filters, loops, includes or attribute access, and
//! no brace outside a placeholder, so that nothing a template engine would
//! run (`{% for %}`, `{{ self }}`, `${x}`) can hide in it. A template is
//! parsed against one letter's fields: anything else is refused with the
//! line and what is wrong.

use super::fields::{Field, field};
use super::letters::{fields_of, letter};
use crate::mail::MailKind;

/// The longest subject, in characters.
pub const SUBJECT_LIMIT: usize = 200;
/// The longest body, in characters.
pub const BODY_LIMIT: usize = 20_000;
/// The most placeholders a template holds: with a block field at most once
/// each, what the fields add to a letter stays small.
pub const PLACEHOLDER_LIMIT: usize = 60;

/// Which part of a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Subject,
    Body,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Body => "body",
        }
    }

    fn limit(self) -> usize {
        match self {
            Part::Subject => SUBJECT_LIMIT,
            Part::Body => BODY_LIMIT,
        }
    }
}

/// What is wrong with a template, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {problem}", .part.name(), .line.map(|n| format!(", line {n}")).unwrap_or_default())]
pub struct Fault {
    pub part: Part,
    /// From 1; none when the fault is the whole part's.
    pub line: Option<usize>,
    pub problem: String,
}

/// One piece of a parsed template: text as written, or a field.
#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Field(&'static Field),
}

/// A template that passed: only text and the letter's own fields.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub pieces: Vec<Piece>,
}

/// Parses `source` as `part` of a template of `kind`.
pub fn parse(kind: MailKind, part: Part, source: &str) -> Result<Parsed, Fault> {
    let fault = |line: Option<usize>, problem: String| Fault {
        part,
        line,
        problem,
    };
    let count = source.chars().count();
    if count > part.limit() {
        return Err(fault(
            None,
            format!("it has {count} characters; at most {}", part.limit()),
        ));
    }
    if source.trim().is_empty() {
        return Err(fault(None, "it is empty".into()));
    }
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut line = 1;
    let mut rest = source;
    while let Some(c) = rest.chars().next() {
        if let Some(inner) = rest.strip_prefix("{{") {
            let (name, after) = placeholder(inner).map_err(|p| fault(Some(line), p))?;
            let found = known(kind, part, name).map_err(|p| fault(Some(line), p))?;
            let shown = |piece: &Piece| matches!(piece, Piece::Field(f) if f.name == found.name);
            if found.block && pieces.iter().any(shown) {
                let problem = format!("{{{{{name}}}}} is several lines long: it may stand once");
                return Err(fault(Some(line), problem));
            }
            if pieces
                .iter()
                .filter(|p| matches!(p, Piece::Field(_)))
                .count()
                >= PLACEHOLDER_LIMIT
            {
                let problem = format!("more than {PLACEHOLDER_LIMIT} placeholders");
                return Err(fault(Some(line), problem));
            }
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(Piece::Field(found));
            rest = after;
            continue;
        }
        if let Some(problem) = refused_char(part, c, rest) {
            return Err(fault(Some(line), problem));
        }
        if c == '\n' {
            line += 1;
        }
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    let parsed = Parsed { pieces };
    if part == Part::Body {
        for name in letter(kind).required_names() {
            if !parsed.shows(name) {
                return Err(fault(
                    None,
                    format!(
                        "the {} needs {{{{{name}}}}}",
                        letter(kind).title.to_lowercase()
                    ),
                ));
            }
        }
    }
    Ok(parsed)
}

/// The field name of a placeholder (the text after `{{`), and the text after it.
fn placeholder(inner: &str) -> Result<(&str, &str), String> {
    let Some(end) = inner.find("}}") else {
        return Err("a placeholder is opened with {{ but not closed with }}".into());
    };
    let (written, after) = (&inner[..end], &inner[end + 2..]);
    if written.contains('\n') {
        return Err("a placeholder is opened with {{ but not closed on its line".into());
    }
    let name = written.trim_matches([' ', '\t']);
    let shown: String = name.chars().take(40).collect();
    if name.contains(['{', '}']) || after.starts_with('}') {
        return Err(format!(
            "`{{{{{shown}}}}}` has braces inside: a placeholder holds one field name, such as {{{{name}}}}"
        ));
    }
    if name.contains('.') {
        return Err(format!(
            "`{{{{{shown}}}}}`: a placeholder holds a field name alone, with no attribute after a dot"
        ));
    }
    let word = !name.is_empty()
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !word {
        return Err(format!(
            "`{{{{{shown}}}}}` is not a field name: a placeholder holds one field name, such as {{{{name}}}}, and no expression or filter"
        ));
    }
    Ok((name, after))
}

/// The field `name` of `kind`, if it may go in `part`.
fn known(kind: MailKind, part: Part, name: &str) -> Result<&'static Field, String> {
    let fields = fields_of(kind);
    let Some(found) = fields.iter().copied().find(|f| f.name == name) else {
        let names: Vec<&str> = fields.iter().map(|f| f.name).collect();
        let whose = if field(name).is_some() {
            "is a field of other letters, not of this one"
        } else {
            "is not a field"
        };
        return Err(format!(
            "{{{{{name}}}}} {whose}; this letter's fields are {}",
            names.join(", ")
        ));
    };
    if part == Part::Subject && found.block {
        return Err(format!(
            "{{{{{name}}}}} is several lines long and cannot go in the subject"
        ));
    }
    // A link may carry a one-time token, and a subject is shown wherever
    // the mail is listed: links go in the body only.
    if part == Part::Subject && found.link {
        return Err(format!(
            "{{{{{name}}}}} is a link and cannot go in the subject: put it in the body"
        ));
    }
    Ok(found)
}

/// Why the character `c` (at the start of `rest`) may not stand in `part`, if it may not.
fn refused_char(part: Part, c: char, rest: &str) -> Option<String> {
    match c {
        '{' if rest.starts_with("{%") => Some(
            "`{%` starts a statement: a template holds no statements, loops or includes, only {{field}} placeholders".into(),
        ),
        '{' | '}' => Some(format!(
            "a lone `{c}`: a template has braces only in placeholders such as {{{{name}}}}"
        )),
        '\n' | '\r' if part == Part::Subject => Some("a subject is one line".into()),
        '\n' | '\r' | '\t' => None,
        c if c.is_control() => Some(format!("a control character (U+{:04X})", c as u32)),
        _ => None,
    }
}

impl Parsed {
    /// Whether the template shows the field `name`.
    pub fn shows(&self, name: &str) -> bool {
        self.pieces
            .iter()
            .any(|p| matches!(p, Piece::Field(f) if f.name == name))
    }
}
