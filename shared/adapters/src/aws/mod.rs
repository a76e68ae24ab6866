//! The AWS engine: the table on DynamoDB, the queue on SQS, secrets sealed
//! under a KMS key.

mod dynamo;
mod first_use;
mod kms;
mod sqs;

pub use dynamo::DynamoTable;
pub use first_use::OnFirstUse;
pub use kms::KmsSealer;
pub use sqs::SqsQueue;
