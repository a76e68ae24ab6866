//! `TableZones`: the DNS host that keeps each zone in the table
//! (`ZONE#<origin>`), created once per order and exported as a BIND file.

use std::sync::Arc;

use async_trait::async_trait;
use hostfront_core::OrderId;
use hostfront_core::dnshost::{DnsError, DnsHost};
use hostfront_core::store::{Condition, ItemExt, Table, TableError};
use hostfront_core::zone::Zone;

pub struct TableZones {
    table: Arc<dyn Table>,
}

impl TableZones {
    pub fn new(table: Arc<dyn Table>) -> Self {
        TableZones { table }
    }
}

fn failed(error: TableError) -> DnsError {
    DnsError::Failed(error.to_string())
}

#[async_trait]
impl DnsHost for TableZones {
    fn name(&self) -> &'static str {
        "table"
    }

    /// The nameservers reading the table run BIND, which copies a
    /// secondary zone from its primaries itself.
    fn serves_secondaries(&self) -> bool {
        true
    }

    async fn create_zone(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        match self
            .table
            .put(zone.item(order_id), Some(Condition::NotExists))
            .await
        {
            Ok(()) | Err(TableError::ConditionFailed) => Ok(()),
            Err(other) => Err(failed(other)),
        }
    }

    async fn zone(&self, origin: &str) -> Result<Option<(Zone, OrderId)>, DnsError> {
        let Some(item) = self.table.get(&Zone::key(origin)).await.map_err(failed)? else {
            return Ok(None);
        };
        let zone: Zone = serde_json::from_value(item.get("zone").cloned().unwrap_or_default())
            .map_err(|e| DnsError::Failed(format!("corrupt zone: {e}")))?;
        Ok(Some((
            zone,
            OrderId::new(item.str_attr("order_id").unwrap_or_default()),
        )))
    }

    async fn replace_records(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        let ours = Condition::eq("order_id", order_id.as_str());
        match self.table.put(zone.item(order_id), Some(ours)).await {
            Ok(()) => Ok(()),
            Err(TableError::ConditionFailed) => Err(DnsError::Failed(format!(
                "{} is not the zone of order {order_id}",
                zone.origin
            ))),
            Err(other) => Err(failed(other)),
        }
    }

    async fn remove_zone(&self, origin: &str) -> Result<(), DnsError> {
        self.table
            .delete(&Zone::key(origin), None)
            .await
            .map(|_| ())
            .map_err(failed)
    }
}
