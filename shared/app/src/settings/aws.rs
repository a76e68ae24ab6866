//! The AWS engine's resources.

use hostfront_core::config::{ConfigError, Env};

/// Where the AWS engine's table, queues and key are.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    /// `HOSTFRONT_TABLE`: the DynamoDB table.
    pub table_name: String,
    /// `HOSTFRONT_QUEUE_URL` and `HOSTFRONT_DLQ_URL`: the SQS queues, unless
    /// they are created.
    pub queue_url: Option<String>,
    pub dead_letter_queue_url: Option<String>,
    /// `HOSTFRONT_AWS_ENDPOINT`: one endpoint for every AWS service (moto).
    pub endpoint: Option<String>,
    /// `HOSTFRONT_KMS_KEY_ID`: the KMS key that seals secrets at rest.
    pub kms_key_id: Option<String>,
    /// `HOSTFRONT_CREATE_RESOURCES`: create the table, queues and key.
    pub create_resources: bool,
}

impl AwsSettings {
    pub(super) fn read(env: &Env) -> Result<Self, ConfigError> {
        Ok(AwsSettings {
            table_name: env.text("HOSTFRONT_TABLE", "hostfront"),
            queue_url: env.get("HOSTFRONT_QUEUE_URL"),
            dead_letter_queue_url: env.get("HOSTFRONT_DLQ_URL"),
            endpoint: env.get("HOSTFRONT_AWS_ENDPOINT"),
            kms_key_id: env.get("HOSTFRONT_KMS_KEY_ID"),
            create_resources: env.flag("HOSTFRONT_CREATE_RESOURCES", false)?,
        })
    }
}
