//! A simulated DNS, for local runs and tests: the records the simulated
//! world publishes, kept in the table (`SIMDNS#<name>`). Nothing is looked up
//! on the network. Tests, and a developer through the local development
//! tools, publish records with `publish_txt`, and move a domain to another
//! host with `point`. A domain not moved points where the zone Hostfront
//! serves for it (`ZONE#<name>`) says: its nameservers, and the addresses of
//! its apex.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use std::net::IpAddr;

use hostfront_core::resolver::{EditableDns, Pointing, Resolver, ResolverError};
use hostfront_core::store::{Key, Table};
use hostfront_core::zone::Zone;

pub struct SimulatedResolver {
    table: Arc<dyn Table>,
}

fn txt_key(name: &str) -> Key {
    Key::new(format!("SIMDNS#{}", canonical(name)), "TXT")
}

fn pointing_key(name: &str) -> Key {
    Key::new(format!("SIMDNS#{}", canonical(name)), "POINTING")
}

fn unavailable(error: impl std::fmt::Display) -> ResolverError {
    ResolverError::Unavailable(error.to_string())
}

fn canonical(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl SimulatedResolver {
    pub fn new(table: Arc<dyn Table>) -> Self {
        SimulatedResolver { table }
    }

    /// Where `name` points: where it was moved, or where its zone here says.
    async fn pointing(&self, name: &str) -> Result<Pointing, ResolverError> {
        let name = canonical(name);
        if let Some(moved) = self
            .table
            .get(&pointing_key(&name))
            .await
            .map_err(unavailable)?
        {
            return serde_json::from_value(moved.get("pointing").cloned().unwrap_or_default())
                .map_err(unavailable);
        }
        let Some(item) = self
            .table
            .get(&Zone::key(&name))
            .await
            .map_err(unavailable)?
        else {
            return Ok(Pointing {
                nameservers: Vec::new(),
                addresses: Vec::new(),
            });
        };
        let zone: Zone = serde_json::from_value(item.get("zone").cloned().unwrap_or_default())
            .map_err(unavailable)?;
        Ok(Pointing {
            nameservers: zone.nameservers.iter().map(|n| canonical(n)).collect(),
            addresses: zone
                .records
                .iter()
                .filter(|r| r.name == "@" && matches!(r.kind.as_str(), "A" | "AAAA"))
                .filter_map(|r| r.value.parse().ok())
                .collect(),
        })
    }
}

#[async_trait]
impl Resolver for SimulatedResolver {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn txt(&self, name: &str) -> Result<Vec<String>, ResolverError> {
        let item = self
            .table
            .get(&txt_key(name))
            .await
            .map_err(|e| ResolverError::Unavailable(e.to_string()))?;
        Ok(item
            .and_then(|i| serde_json::from_value(i.get("values")?.clone()).ok())
            .unwrap_or_default())
    }

    async fn nameservers(&self, name: &str) -> Result<Vec<String>, ResolverError> {
        Ok(self.pointing(name).await?.nameservers)
    }

    async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, ResolverError> {
        Ok(self.pointing(name).await?.addresses)
    }
}

#[async_trait]
impl EditableDns for SimulatedResolver {
    /// Publishes `values` as the TXT record of `name`, replacing what was there.
    async fn publish_txt(&self, name: &str, values: &[String]) -> Result<(), ResolverError> {
        let mut item = txt_key(name).to_item();
        item.insert("kind".into(), "sim_dns".into());
        item.insert("values".into(), json!(values));
        self.table
            .put(item, None)
            .await
            .map_err(|e| ResolverError::Unavailable(e.to_string()))
    }

    async fn point(&self, name: &str, pointing: Option<&Pointing>) -> Result<(), ResolverError> {
        let key = pointing_key(name);
        match pointing {
            None => self.table.delete(&key, None).await.map(|_| ()),
            Some(pointing) => {
                let mut item = key.to_item();
                item.insert("kind".into(), "sim_dns".into());
                item.insert("pointing".into(), json!(pointing));
                self.table.put(item, None).await
            }
        }
        .map_err(unavailable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::EmbeddedDb;
    use crate::embedded::SqliteTable;
    use hostfront_core::clock::ManualClock;

    #[tokio::test]
    async fn remembers_what_was_published_per_name() {
        let dir = tempfile::TempDir::new().unwrap();
        let table = SqliteTable::new(
            EmbeddedDb::open(dir.path()).unwrap(),
            Arc::new(ManualClock::starting_now()),
        );
        let dns = SimulatedResolver::new(Arc::new(table));
        assert!(dns.txt("_hostfront.bakery.com").await.unwrap().is_empty());
        dns.publish_txt("_hostfront.Bakery.com.", &["a".into(), "b".into()])
            .await
            .unwrap();
        assert_eq!(dns.txt("_hostfront.bakery.com").await.unwrap(), ["a", "b"]);
        assert!(dns.txt("bakery.com").await.unwrap().is_empty());
    }
}
