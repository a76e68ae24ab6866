//! DNS zones of hosted domains, kept in the table (`ZONE#<domain>`) and
//! exported as BIND zone files. A zone is made from the plan's template:
//! web plans get A, AAAA, `www`, MX, SPF and DMARC; mail-only plans only
//! the mail records, with the DKIM key the panel made for them.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::OrderId;
use crate::catalog::PlanKind;
use crate::panel::DkimKey;
use crate::store::{Item, Key};

pub mod customer;
mod record_values;
mod secondary;

pub const DEFAULT_TTL: u32 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Record {
    /// Relative to the zone: `@` is the zone's own name.
    pub name: String,
    /// `A`, `AAAA`, `CNAME`, `MX`, `TXT`, `NS`.
    #[serde(rename = "type")]
    pub kind: String,
    pub ttl: u32,
    /// MX preference.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub priority: Option<u16>,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Zone {
    /// ASCII form, no trailing dot.
    pub origin: String,
    /// YYYYMMDDnn, as most operators write it.
    pub serial: u64,
    pub nameservers: Vec<String>,
    /// The responsible mailbox, as an address.
    pub hostmaster: String,
    pub records: Vec<Record>,
    /// A secondary zone's primary servers, which our nameservers copy it
    /// from (AXFR, RFC 5936); empty for a zone whose records are ours.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub primaries: Vec<std::net::IpAddr>,
}

/// Which records a plan's zone gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// A website and its mail.
    Web,
    /// Mail only: no website records.
    MailOnly,
}

impl Template {
    pub fn for_plan(kind: PlanKind) -> Template {
        match kind {
            PlanKind::Email => Template::MailOnly,
            _ => Template::Web,
        }
    }
}

/// Where a zone's records point.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    pub ipv4: &'a str,
    pub ipv6: &'a str,
    pub mail_host: &'a str,
    /// The key outgoing mail is signed with, if the panel made one.
    pub dkim: Option<&'a DkimKey>,
}

fn record(name: &str, kind: &str, value: impl Into<String>) -> Record {
    Record {
        name: name.into(),
        kind: kind.into(),
        ttl: DEFAULT_TTL,
        priority: None,
        value: value.into(),
    }
}

/// `text` as a TXT record's value: quoted, in strings of at most 255
/// bytes (RFC 1035, section 3.3.14), as a 2048-bit key's record needs;
/// a quote or backslash in it escaped (RFC 1035, section 5.1).
fn txt(text: &str) -> String {
    let chunks: Vec<String> = text
        .as_bytes()
        .chunks(255)
        .map(|c| {
            let escaped = String::from_utf8_lossy(c)
                .replace('\\', "\\\\")
                .replace('"', "\\\"");
            format!("\"{escaped}\"")
        })
        .collect();
    chunks.join(" ")
}

/// The records of a parked domain: its name and `www` at the parking
/// server, and no mail: a null MX (RFC 7505), an SPF and a DMARC policy
/// that refuse mail claiming to come from it.
pub fn parked_records(origin: &str, ipv4: &str, ipv6: &str) -> Vec<Record> {
    vec![
        record("@", "A", ipv4),
        record("@", "AAAA", ipv6),
        record("www", "CNAME", format!("{origin}.")),
        Record {
            priority: Some(0),
            ..record("@", "MX", ".")
        },
        record("@", "TXT", "\"v=spf1 -all\""),
        record("_dmarc", "TXT", "\"v=DMARC1; p=reject\""),
    ]
}

/// The records of `origin` when it shows the site of `account` (an alias
/// parked on it): the same server for the site, and the same mail server,
/// whose name is the account's own domain's.
pub fn alias_records(origin: &str, account: &crate::panel::HostingAccount) -> Vec<Record> {
    let mut records = vec![record("@", "A", account.ipv4.as_str())];
    if !account.ipv6.is_empty() {
        records.push(record("@", "AAAA", account.ipv6.as_str()));
    }
    records.extend([
        record("www", "CNAME", format!("{origin}.")),
        Record {
            priority: Some(10),
            ..record("@", "MX", format!("{}.", account.mail_host))
        },
        record("@", "TXT", "\"v=spf1 mx a -all\""),
        record(
            "_dmarc",
            "TXT",
            format!("\"v=DMARC1; p=quarantine; rua=mailto:postmaster@{origin}\""),
        ),
    ]);
    records
}

/// The records a template gives `origin`, pointing at `target`.
pub fn records(template: Template, origin: &str, target: &Target) -> Vec<Record> {
    let mail_label = target
        .mail_host
        .strip_suffix(&format!(".{origin}"))
        .unwrap_or(target.mail_host);
    let mut records = Vec::new();
    // A panel that gives accounts no IPv6 address of their own gets no AAAA.
    let addresses = |records: &mut Vec<Record>, name: &str| {
        records.push(record(name, "A", target.ipv4));
        if !target.ipv6.is_empty() {
            records.push(record(name, "AAAA", target.ipv6));
        }
    };
    if template == Template::Web {
        addresses(&mut records, "@");
        records.push(record("www", "CNAME", format!("{origin}.")));
    }
    addresses(&mut records, mail_label);
    records.push(Record {
        priority: Some(10),
        ..record("@", "MX", format!("{}.", target.mail_host))
    });
    records.push(record("@", "TXT", "\"v=spf1 mx a -all\""));
    if let Some(dkim) = target.dkim {
        let name = format!("{}._domainkey", dkim.selector);
        records.push(record(&name, "TXT", txt(&dkim.record)));
    }
    records.push(record(
        "_dmarc",
        "TXT",
        format!("\"v=DMARC1; p=quarantine; rua=mailto:postmaster@{origin}\""),
    ));
    records
}

/// Our nameservers, in the company's zone.
pub fn our_nameservers(company_zone: &str) -> Vec<String> {
    vec![format!("ns1.{company_zone}"), format!("ns2.{company_zone}")]
}

impl Zone {
    /// The zone of `origin` with `records`, served by our nameservers in
    /// `company_zone`, its serial of `now`.
    pub fn hosted(
        origin: &str,
        records: Vec<Record>,
        company_zone: &str,
        now: time::OffsetDateTime,
    ) -> Zone {
        Zone {
            origin: origin.to_string(),
            serial: serial_for(now),
            nameservers: our_nameservers(company_zone),
            hostmaster: format!("hostmaster@{company_zone}"),
            records,
            primaries: Vec::new(),
        }
    }

    /// The parked zone of `origin`, at the parking server `config` names.
    pub fn parked(origin: &str, config: &crate::config::Config, now: time::OffsetDateTime) -> Zone {
        let records = parked_records(
            origin,
            &config.parking_ipv4.to_string(),
            &config.parking_ipv6.to_string(),
        );
        Zone::hosted(origin, records, &config.subdomain_zone, now)
    }

    pub fn key(origin: &str) -> Key {
        Key::new(format!("ZONE#{origin}"), "ZONE")
    }

    /// The zone as stored for `order_id`.
    pub fn item(&self, order_id: &OrderId) -> Item {
        let mut item = Self::key(&self.origin).to_item();
        item.insert("kind".into(), "dns_zone".into());
        item.insert("order_id".into(), order_id.into());
        item.insert("zone".into(), json!(self));
        item
    }

    /// The zone as a BIND master file.
    pub fn to_bind(&self) -> String {
        if !self.primaries.is_empty() {
            return self.secondary_stanza();
        }
        let fqdn = |name: &str| format!("{name}.");
        let primary = self
            .nameservers
            .first()
            .map(String::as_str)
            .unwrap_or("ns1");
        let mut out = format!(
            "$ORIGIN {origin}.\n$TTL {DEFAULT_TTL}\n\
             @\tIN\tSOA\t{ns} {mbox} (\n\t\t{serial}\t; serial\n\t\t3600\t; refresh\n\t\t900\t; retry\n\t\t1209600\t; expire\n\t\t300 )\t; negative caching\n",
            origin = self.origin,
            ns = fqdn(primary),
            mbox = fqdn(&self.hostmaster.replacen('@', ".", 1)),
            serial = self.serial,
        );
        for ns in &self.nameservers {
            out.push_str(&format!("@\t{DEFAULT_TTL}\tIN\tNS\t{}\n", fqdn(ns)));
        }
        for r in &self.records {
            let value = match r.priority {
                Some(p) => format!("{p} {}", r.value),
                None => r.value.clone(),
            };
            out.push_str(&format!(
                "{}\t{}\tIN\t{}\t{}\n",
                r.name, r.ttl, r.kind, value
            ));
        }
        out
    }
}

impl Zone {
    /// A secondary zone as BIND's configuration declares it: its records
    /// are the primary servers' own.
    fn secondary_stanza(&self) -> String {
        let primaries: String = self.primaries.iter().map(|ip| format!(" {ip};")).collect();
        format!(
            "zone \"{}\" {{\n\ttype secondary;\n\tprimaries {{{primaries} }};\n\tfile \"secondary/{}.db\";\n}};\n",
            self.origin, self.origin
        )
    }
}

/// A serial for a zone first made at `now`: YYYYMMDD01.
pub fn serial_for(now: time::OffsetDateTime) -> u64 {
    let date = now.date();
    (date.year() as u64) * 1_000_000 + (date.month() as u64) * 10_000 + date.day() as u64 * 100 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(template: Template) -> Zone {
        zone_signed(template, None)
    }

    fn zone_signed(template: Template, dkim: Option<&DkimKey>) -> Zone {
        let target = Target {
            ipv4: "198.51.100.10",
            ipv6: "2001:db8:100::64:a",
            mail_host: "mail.bakery.com",
            dkim,
        };
        Zone {
            origin: "bakery.com".into(),
            serial: serial_for(time::macros::datetime!(2026-11-22 10:00 UTC)),
            nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
            hostmaster: "hostmaster@example.net".into(),
            records: records(template, "bakery.com", &target),
            primaries: Vec::new(),
        }
    }

    #[test]
    fn web_zones_export_as_bind() {
        let bind = zone(Template::Web).to_bind();
        assert!(
            bind.starts_with("$ORIGIN bakery.com.\n$TTL 3600\n"),
            "{bind}"
        );
        assert!(bind.contains("ns1.example.net. hostmaster.example.net. ("));
        assert!(bind.contains("2026112201\t; serial"));
        assert!(bind.contains("@\t3600\tIN\tNS\tns2.example.net.\n"));
        assert!(bind.contains("@\t3600\tIN\tA\t198.51.100.10\n"));
        assert!(bind.contains("@\t3600\tIN\tAAAA\t2001:db8:100::64:a\n"));
        assert!(bind.contains("www\t3600\tIN\tCNAME\tbakery.com.\n"));
        assert!(bind.contains("mail\t3600\tIN\tA\t198.51.100.10\n"));
        assert!(bind.contains("@\t3600\tIN\tMX\t10 mail.bakery.com.\n"));
        assert!(bind.contains("@\t3600\tIN\tTXT\t\"v=spf1 mx a -all\"\n"));
    }

    #[test]
    fn mail_only_zones_have_no_website() {
        let zone = zone(Template::MailOnly);
        assert!(
            !zone
                .records
                .iter()
                .any(|r| r.name == "www" || (r.name == "@" && r.kind == "A"))
        );
        assert!(zone.records.iter().any(|r| r.kind == "MX"));
    }

    #[test]
    fn a_dkim_key_is_published_in_strings_of_255_bytes() {
        let key = DkimKey {
            selector: "default".into(),
            record: format!("v=DKIM1; k=rsa; p={}", "A".repeat(392)),
        };
        let zone = zone_signed(Template::MailOnly, Some(&key));
        let dkim = zone
            .records
            .iter()
            .find(|r| r.name == "default._domainkey")
            .expect("the key is in the zone");
        assert_eq!(dkim.kind, "TXT");
        let strings: Vec<&str> = dkim.value.split("\" \"").collect();
        assert_eq!(strings.len(), 2, "{}", dkim.value);
        assert_eq!(strings[0].len(), 256, "a quote and 255 bytes");
        assert_eq!(
            dkim.value.replace("\" \"", "").trim_matches('"'),
            key.record
        );
        assert!(zone.records.iter().any(|r| r.name == "_dmarc"));
        assert!(
            !zone_signed(Template::Web, None)
                .records
                .iter()
                .any(|r| r.name.contains("_domainkey"))
        );
    }
}
