//! DynamoDB's failures as the port's: a cancelled transaction's reasons,
//! throttles and conflicts, and the back-off between tries.

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use hostfront_core::store::TableError;

/// Full jitter over 10 ms doubling to at most 320 ms: eight tries wait
/// about a second in all at worst.
pub(super) fn conflict_backoff(conflicts: u32) -> std::time::Duration {
    let ceiling = 10u64 << conflicts.min(5);
    std::time::Duration::from_millis(fastrand::u64(1..=ceiling))
}

/// Why DynamoDB cancelled a transaction.
pub(super) enum Cancelled {
    /// The condition of the operation at this index failed.
    ByCondition(usize),
    /// Another transaction or a throttle stood in the way; nothing was written.
    ByConflict,
    Failed(TableError),
}

pub(super) fn cancellation<R>(error: SdkError<TransactWriteItemsError, R>) -> Cancelled
where
    R: std::fmt::Debug,
{
    if let SdkError::ServiceError(service) = &error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err()
    {
        let codes: Vec<&str> = cancelled
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None"))
            .collect();
        if let Some(index) = codes.iter().position(|c| *c == "ConditionalCheckFailed") {
            return Cancelled::ByCondition(index);
        }
        if codes
            .iter()
            .any(|c| *c == "TransactionConflict" || *c == "ThrottlingError")
        {
            return Cancelled::ByConflict;
        }
        return Cancelled::Failed(TableError::Backend(format!(
            "transaction cancelled: {codes:?}"
        )));
    }
    match classify(error) {
        TableError::Busy => Cancelled::ByConflict,
        other => Cancelled::Failed(other),
    }
}

pub(super) fn classify<E, R>(error: SdkError<E, R>) -> TableError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.code() {
        Some("ConditionalCheckFailedException") => TableError::ConditionFailed,
        Some(
            "ProvisionedThroughputExceededException"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "TransactionConflictException"
            | "TransactionInProgressException",
        ) => TableError::Busy,
        Some("ValidationException") => TableError::Invalid(error.message().unwrap_or("").into()),
        _ => TableError::Backend(DisplayErrorContext(&error).to_string()),
    }
}
