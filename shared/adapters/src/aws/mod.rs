//! The AWS engine: the table on DynamoDB, the queue on SQS, secrets sealed
//! under a KMS key; customers' zones on Route 53, mail through SES.

mod dynamo;
mod first_use;
mod kms;
mod route53;
mod ses;
mod sqs;

pub use dynamo::{DynamoTable, to_attributes};
pub use first_use::OnFirstUse;
pub use kms::KmsSealer;
pub use route53::Route53Zones;
pub use ses::SesMailer;
pub use sqs::SqsQueue;
