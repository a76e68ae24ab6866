//! The table's shape: keys, the two sparse indexes, TTL.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus, TimeToLiveSpecification,
};

use super::{DynamoTable, classify};
use hostfront_core::store::{Index, TTL, TableError, TableResult};

/// How long a new table may take to become ACTIVE: seconds on DynamoDB,
/// more with indexes.
const ACTIVE_WITHIN: Duration = Duration::from_secs(120);
/// The longest pause between two looks at a table being created.
const MAX_POLL: Duration = Duration::from_secs(1);

impl DynamoTable {
    /// Creates the table with its two indexes and TTL when it does not exist,
    /// and returns once it takes writes (for local development and tests; on
    /// AWS the stack in `infra/` creates it).
    pub async fn create_if_missing(&self) -> TableResult<()> {
        if self.create_table_if_missing().await? {
            self.enable_ttl().await?;
        }
        Ok(())
    }

    /// Creates the table and its indexes when it does not exist, without TTL
    /// (for an engine that has none: reads hide expired items anyway), and
    /// returns once the table is ACTIVE: until then DynamoDB refuses every
    /// write. True when this call created it.
    pub async fn create_table_if_missing(&self) -> TableResult<bool> {
        let created = match self.status().await? {
            Some(_) => false,
            None => self.create().await?,
        };
        self.await_active().await?;
        Ok(created)
    }

    /// The table's status, or None when there is no such table.
    async fn status(&self) -> TableResult<Option<TableStatus>> {
        match self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            Ok(output) => Ok(Some(
                output
                    .table
                    .and_then(|t| t.table_status)
                    .unwrap_or_else(|| TableStatus::from("UNKNOWN")),
            )),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(None)
            }
            Err(error) => Err(classify(error)),
        }
    }

    /// Looks at the table, a little less often each time, until it is ACTIVE.
    async fn await_active(&self) -> TableResult<()> {
        let deadline = Instant::now() + ACTIVE_WITHIN;
        let mut pause = Duration::from_millis(20);
        loop {
            if self.status().await? == Some(TableStatus::Active) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(TableError::Backend(format!(
                    "table {} is not ACTIVE after {} s",
                    self.table,
                    ACTIVE_WITHIN.as_secs()
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    /// Sends CreateTable; false when another process created the table first.
    async fn create(&self) -> TableResult<bool> {
        let string_attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition is complete")
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .expect("key is complete")
        };
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range));
        for name in ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"] {
            request = request.attribute_definitions(string_attr(name));
        }
        for index in [Index::Gsi1, Index::Gsi2] {
            let (pk, sk) = index.key_attributes();
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.dynamo_name().expect("an index has a name"))
                    .key_schema(key(pk, KeyType::Hash))
                    .key_schema(key(sk, KeyType::Range))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .expect("index is complete"),
            );
        }
        match request.send().await {
            Ok(_) => Ok(true),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                Ok(false)
            }
            Err(error) => Err(classify(error)),
        }
    }

    /// Lets DynamoDB delete expired items by itself.
    async fn enable_ttl(&self) -> TableResult<()> {
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL)
                    .enabled(true)
                    .build()
                    .expect("ttl spec is complete"),
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }
}
