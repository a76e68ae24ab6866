//! A zone's records as Route 53 record sets, and names relative to their zone.

use std::collections::BTreeMap;

use aws_sdk_route53::types::{Change, ChangeAction, ResourceRecord, ResourceRecordSet, RrType};

use hostfront_core::dnshost::DnsError;
use hostfront_core::zone::Zone;

use super::failed;

/// The full name of `name` (`@` or a label) in `origin`, with the final dot.
pub(super) fn fqdn(name: &str, origin: &str) -> String {
    match name {
        "@" => format!("{origin}."),
        label => format!("{label}.{origin}."),
    }
}

/// `name` (a full name) relative to `origin`: `@` for the apex.
pub(super) fn relative(name: &str, origin: &str) -> String {
    let name = name.trim_end_matches('.');
    match name.strip_suffix(origin) {
        Some("") => "@".into(),
        Some(label) => label.trim_end_matches('.').into(),
        None => name.into(),
    }
}

/// The zone's records as Route 53 record sets: one per name and type.
pub(super) fn record_sets(zone: &Zone) -> Result<Vec<ResourceRecordSet>, DnsError> {
    let mut grouped: BTreeMap<(String, String), (u32, Vec<String>)> = BTreeMap::new();
    for record in &zone.records {
        let value = match record.priority {
            Some(priority) => format!("{priority} {}", record.value),
            None => record.value.clone(),
        };
        grouped
            .entry((fqdn(&record.name, &zone.origin), record.kind.clone()))
            .or_insert((record.ttl, Vec::new()))
            .1
            .push(value);
    }
    grouped
        .into_iter()
        .map(|((name, kind), (ttl, values))| {
            let records = values
                .into_iter()
                .map(|value| ResourceRecord::builder().value(value).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(failed)?;
            ResourceRecordSet::builder()
                .name(name)
                .r#type(RrType::from(kind.as_str()))
                .ttl(ttl as i64)
                .set_resource_records(Some(records))
                .build()
                .map_err(failed)
        })
        .collect()
}

pub(super) fn change(action: ChangeAction, set: ResourceRecordSet) -> Result<Change, DnsError> {
    Change::builder()
        .action(action)
        .resource_record_set(set)
        .build()
        .map_err(failed)
}

/// Whether Route 53 keeps this set itself: the apex SOA and NS.
pub(super) fn managed(set: &ResourceRecordSet, origin: &str) -> bool {
    matches!(set.r#type(), RrType::Soa | RrType::Ns) && relative(set.name(), origin) == "@"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_their_zone() {
        assert_eq!(fqdn("@", "bakery.com"), "bakery.com.");
        assert_eq!(fqdn("www", "bakery.com"), "www.bakery.com.");
        assert_eq!(relative("bakery.com.", "bakery.com"), "@");
        assert_eq!(relative("www.bakery.com.", "bakery.com"), "www");
        assert_eq!(relative("_dmarc.bakery.com.", "bakery.com"), "_dmarc");
    }
}
