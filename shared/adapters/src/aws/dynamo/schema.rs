//! The table's shape: keys, the two sparse indexes, TTL.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use super::{DynamoTable, classify};
use hostfront_core::store::{Index, TTL, TableResult};

impl DynamoTable {
    /// Creates the table with its two indexes and TTL when it does not exist
    /// (for local development and tests; on AWS the stack in `infra/` creates it).
    pub async fn create_if_missing(&self) -> TableResult<()> {
        if self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
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
        request.send().await.map_err(classify)?;
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
