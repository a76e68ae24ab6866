//! What a customer may put in a zone we serve for them: records of the
//! common types, each checked as RFC 1035 and its successors have them,
//! and for a secondary zone the primary servers it is copied from.

use std::collections::BTreeSet;
use std::net::IpAddr;

pub use super::secondary::primaries;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::record_values;
use super::{DEFAULT_TTL, Record};

/// The most records one zone holds.
pub const MAX_RECORDS: usize = 200;
/// Time to live, in seconds: from a minute to a day.
const TTLS: std::ops::RangeInclusive<u32> = 60..=86_400;
/// A TXT record's text, before it is split into strings of 255 bytes.
pub(super) const MAX_TEXT: usize = 2048;

/// A record as the customer writes it; a field it does not know is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordInput {
    /// Relative to the zone: `@` for the zone's own name, `www`, `*.shop`.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, `MX` or `TXT`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Seconds, 60 to 86400; 3600 when left out.
    #[serde(default, deserialize_with = "crate::input::optional_whole_number")]
    #[schema(minimum = 0, maximum = 4294967295_i64)]
    pub ttl: Option<u32>,
    /// An MX record's preference.
    #[serde(default, deserialize_with = "crate::input::optional_whole_number")]
    #[schema(minimum = 0, maximum = 65535)]
    pub priority: Option<u16>,
    /// An address, a host name (absolute, its final dot optional), or for
    /// TXT the text itself, unquoted, or as the zone answers it: quoted
    /// strings, escaped.
    #[schema(min_length = 1, max_length = 2048)]
    pub value: String,
}

/// What our nameservers serve for a DNS-only or domain-only service: the
/// customer's records, a copy of the customer's primaries, or parking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "use", rename_all = "snake_case")]
pub enum ZoneUse {
    Primary {
        records: Vec<Record>,
    },
    Secondary {
        #[schema(value_type = Vec<String>)]
        primaries: Vec<IpAddr>,
    },
    Parked,
    /// The domain shows the site of the customer's service `of`, whose
    /// domain is `site`: parked on its account, its zone pointing there.
    Alias {
        of: String,
        site: String,
    },
}

impl ZoneUse {
    /// In a few words, for the customer.
    pub fn describe(&self) -> String {
        match self {
            ZoneUse::Primary { records } => format!("DNS hosting, {} records", records.len()),
            ZoneUse::Secondary { primaries } => format!(
                "secondary DNS, copied from {}",
                primaries
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ZoneUse::Parked => "parked".into(),
            ZoneUse::Alias { site, .. } => format!("showing the site of {site}"),
        }
    }
}

/// Why a customer's record or server is refused: what to tell them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    pub message: String,
}

pub(super) fn refused(code: &'static str, message: impl Into<String>) -> Refused {
    Refused {
        code,
        message: message.into(),
    }
}

/// The customer's records as the zone keeps them, or why one is refused
/// (the first, by its place in the list).
pub fn records(inputs: &[RecordInput]) -> Result<Vec<Record>, Refused> {
    if inputs.len() > MAX_RECORDS {
        return Err(refused(
            "too_many_records",
            format!("a zone holds at most {MAX_RECORDS} records"),
        ));
    }
    let records = inputs
        .iter()
        .enumerate()
        .map(|(at, input)| {
            record(input).map_err(|mut e| {
                e.message = format!("record {} ({}): {}", at + 1, input.name, e.message);
                e
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    no_cname_beside_others(&records)?;
    Ok(records)
}

fn record(input: &RecordInput) -> Result<Record, Refused> {
    let name = owner_name(&input.name)?;
    let ttl = input.ttl.unwrap_or(DEFAULT_TTL);
    if !TTLS.contains(&ttl) {
        return Err(refused(
            "invalid_ttl",
            format!(
                "the time to live is {} to {} seconds",
                TTLS.start(),
                TTLS.end()
            ),
        ));
    }
    let kind = input.kind.to_ascii_uppercase();
    if input.priority.is_some() && kind != "MX" {
        return Err(refused(
            "priority_only_for_mx",
            "only an MX record has a priority",
        ));
    }
    let (value, priority) = record_values::checked(&kind, &name, input)?;
    Ok(Record {
        name,
        kind,
        ttl,
        priority: if input.kind.eq_ignore_ascii_case("MX") {
            priority
        } else {
            None
        },
        value,
    })
}

/// A record's name, relative to the zone, in lower case: `@`, or labels of
/// letters, digits, hyphens and underscores, the first of which may be `*`.
fn owner_name(name: &str) -> Result<String, Refused> {
    let name = name.trim().to_ascii_lowercase();
    if name == "@" {
        return Ok(name);
    }
    let labels: Vec<&str> = name.split('.').collect();
    let label_ok =
        |(at, label): (usize, &&str)| (at == 0 && *label == "*") || record_values::label(label);
    if name.is_empty() || name.len() > 200 || !labels.iter().enumerate().all(label_ok) {
        return Err(refused(
            "invalid_record_name",
            "a name is @ or labels of letters, digits, hyphens and underscores, relative to the zone (www, not www.example.com.)",
        ));
    }
    Ok(name)
}

/// A name with a CNAME holds nothing else (RFC 1034, 3.6.2; RFC 2181, 10.1).
fn no_cname_beside_others(records: &[Record]) -> Result<(), Refused> {
    let aliases: BTreeSet<&str> = records
        .iter()
        .filter(|r| r.kind == "CNAME")
        .map(|r| r.name.as_str())
        .collect();
    for name in aliases {
        if records.iter().filter(|r| r.name == name).count() > 1 {
            return Err(refused(
                "cname_not_alone",
                format!(
                    "{name} has a CNAME, so it holds no other record, not even a second CNAME (RFC 2181, 10.1)"
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, kind: &str, value: &str) -> RecordInput {
        RecordInput {
            name: name.into(),
            kind: kind.into(),
            ttl: None,
            priority: None,
            value: value.into(),
        }
    }

    #[test]
    fn common_records_are_kept_as_the_zone_writes_them() {
        let mut mx = input("@", "mx", "Mail.Example.net");
        mx.priority = Some(10);
        let kept = records(&[
            input("@", "A", "203.0.113.7"),
            input("WWW", "cname", "example.org"),
            mx,
            input("_dmarc", "TXT", "v=DMARC1; p=none"),
            input("*.shop", "AAAA", "2001:db8::1"),
        ])
        .unwrap();
        assert_eq!(kept[1].name, "www");
        assert_eq!(kept[1].value, "example.org.");
        assert_eq!((kept[2].kind.as_str(), kept[2].priority), ("MX", Some(10)));
        assert_eq!(kept[2].value, "mail.example.net.");
        assert_eq!(kept[3].value, "\"v=DMARC1; p=none\"");
        assert_eq!(kept[0].ttl, DEFAULT_TTL);
    }

    #[test]
    fn records_a_zone_cannot_hold_are_refused_with_a_reason() {
        let code = |r: RecordInput| records(&[r]).unwrap_err().code;
        assert_eq!(code(input("@", "A", "2001:db8::1")), "invalid_record_value");
        assert_eq!(code(input("@", "CNAME", "x.example")), "cname_at_apex");
        assert_eq!(
            code(input("www.example.com.", "A", "203.0.113.1")),
            "invalid_record_name"
        );
        assert_eq!(
            code(input("a..b", "A", "203.0.113.1")),
            "invalid_record_name"
        );
        assert_eq!(code(input("@", "MX", "mail.example")), "priority_required");
        assert_eq!(
            code(input("@", "NS", "ns.example")),
            "unsupported_record_type"
        );
        assert_eq!(
            code(input("@", "TXT", "line\nbreak")),
            "invalid_record_value"
        );
        let mut slow = input("@", "A", "203.0.113.1");
        slow.ttl = Some(10);
        assert_eq!(code(slow), "invalid_ttl");
        let both = records(&[
            input("www", "CNAME", "a.example"),
            input("www", "A", "203.0.113.1"),
        ]);
        assert_eq!(both.unwrap_err().code, "cname_not_alone");
        let many = vec![input("@", "A", "203.0.113.1"); MAX_RECORDS + 1];
        assert_eq!(records(&many).unwrap_err().code, "too_many_records");
    }

    #[test]
    fn text_given_back_as_the_zone_answers_it_is_the_same_text() {
        let once = records(&[input("@", "TXT", "say \"hi\" \\ v=spf1 -all")]).unwrap();
        let again = records(&[input("@", "TXT", &once[0].value)]).unwrap();
        assert_eq!(again, once);
        let long = "x".repeat(600);
        let split = records(&[input("@", "TXT", &long)]).unwrap();
        assert_eq!(
            records(&[input("@", "TXT", &split[0].value)]).unwrap(),
            split
        );
        let mut typed = input("@", "A", "203.0.113.1");
        typed.priority = Some(5);
        assert_eq!(records(&[typed]).unwrap_err().code, "priority_only_for_mx");
        let address = input("www", "CNAME", "1.2.3.4");
        assert_eq!(
            records(&[address]).unwrap_err().code,
            "invalid_record_value"
        );
    }

    #[test]
    fn quotes_in_text_are_escaped_not_ended() {
        let kept = records(&[input("@", "TXT", "say \"hi\"")]).unwrap();
        assert_eq!(kept[0].value, "\"say \\\"hi\\\"\"");
    }
}
