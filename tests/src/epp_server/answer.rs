//! The registry's side of the wire: its greeting, its answers (RFC 5730
//! section 2.6), and reading the commands' XML.

pub(super) const EPP_NS: &str = "urn:ietf:params:xml:ns:epp-1.0";
pub(super) const DOMAIN_NS: &str = "urn:ietf:params:xml:ns:domain-1.0";
pub(super) const RGP_NS: &str = "urn:ietf:params:xml:ns:rgp-1.0";

/// The object services the greeting offers: domains only (a thin registry
/// without hosts or contacts as objects of their own).
pub(super) const OBJECT_SERVICES: &[&str] = &[DOMAIN_NS];
/// The extensions it offers: the registry grace period (RFC 3915).
pub(super) const EXTENSIONS: &[&str] = &[RGP_NS];

pub(super) fn greeting() -> String {
    let objects: String = OBJECT_SERVICES
        .iter()
        .map(|uri| format!("<objURI>{uri}</objURI>"))
        .collect();
    let extensions: String = EXTENSIONS
        .iter()
        .map(|uri| format!("<extURI>{uri}</extURI>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="{EPP_NS}"><greeting><svID>Hostfront test registry</svID><svDate>2026-01-01T00:00:00.0Z</svDate><svcMenu><version>1.0</version><lang>en</lang>{objects}<svcExtension>{extensions}</svcExtension></svcMenu><dcp><access><all/></access><statement><purpose><admin/><prov/></purpose><recipient><ours/><public/></recipient><retention><stated/></retention></statement></dcp></greeting></epp>"#
    )
}

pub(super) fn child<'a>(
    node: roxmltree::Node<'a, 'a>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

pub(super) fn children<'a>(
    node: roxmltree::Node<'a, 'a>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'a>> {
    node.descendants()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

pub(super) fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> String {
    child(node, name)
        .and_then(|n| n.text())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The texts of every `name` below `node`.
pub(super) fn texts_of(node: roxmltree::Node<'_, '_>, name: &'static str) -> Vec<String> {
    children(node, name)
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub(super) fn time(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .expect("a time")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

pub(super) fn date(secs: i64) -> String {
    time(secs)[..10].to_string()
}

/// An answer: its result, data and extension, under the command's clTRID.
pub(super) struct Answer {
    pub(super) code: u16,
    pub(super) message: String,
    pub(super) data: String,
    pub(super) extension: String,
}

impl Answer {
    pub(super) fn ok(data: String) -> Answer {
        Answer::with(1000, "Command completed successfully", data)
    }

    pub(super) fn with(code: u16, message: &str, data: String) -> Answer {
        Answer {
            code,
            message: message.into(),
            data,
            extension: String::new(),
        }
    }

    pub(super) fn error(code: u16, message: impl Into<String>) -> Answer {
        Answer {
            code,
            message: message.into(),
            data: String::new(),
            extension: String::new(),
        }
    }

    /// The answer to a command whose clTRID is `id` (none when the command
    /// could not be read), numbered `served` by the registry.
    pub(super) fn render(&self, id: Option<&str>, served: u64) -> String {
        let wrap = |tag: &str, inner: &str| match inner {
            "" => String::new(),
            inner => format!("<{tag}>{inner}</{tag}>"),
        };
        let client_id = id
            .map(|id| format!("<clTRID>{}</clTRID>", escape(id)))
            .unwrap_or_default();
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="{EPP_NS}"><response><result code="{}"><msg>{}</msg></result>{}{}<trID>{client_id}<svTRID>REG-{served}</svTRID></trID></response></epp>"#,
            self.code,
            escape(&self.message),
            wrap("resData", &self.data),
            wrap("extension", &self.extension),
        )
    }
}
