//! The embedded engine: the table and the queue in one SQLite file, the
//! sealer's key in a file beside it, and mail written to an outbox folder.

mod db;
mod outbox;
mod queue;
mod sealer;
mod table;

pub use db::EmbeddedDb;
pub use outbox::OutboxFolder;
pub use queue::SqliteQueue;
pub use sealer::LocalSealer;
pub use table::SqliteTable;

use hostfront_core::queue::QueueError;
use hostfront_core::store::TableError;

/// A failure inside the embedded engine: SQLite's own, a blocking task that
/// did not finish, or the port's error (`TableError`, `QueueError`) passed on.
enum Failure<E> {
    Sqlite(rusqlite::Error),
    Task(String),
    Port(E),
}

impl<E> From<rusqlite::Error> for Failure<E> {
    fn from(error: rusqlite::Error) -> Self {
        Failure::Sqlite(error)
    }
}

impl<E> From<String> for Failure<E> {
    fn from(message: String) -> Self {
        Failure::Task(message)
    }
}

impl From<TableError> for Failure<TableError> {
    fn from(error: TableError) -> Self {
        Failure::Port(error)
    }
}

impl From<QueueError> for Failure<QueueError> {
    fn from(error: QueueError) -> Self {
        Failure::Port(error)
    }
}

impl From<Failure<TableError>> for TableError {
    fn from(failure: Failure<TableError>) -> Self {
        match failure {
            Failure::Sqlite(error) => TableError::Backend(format!("sqlite: {error}")),
            Failure::Task(message) => TableError::Backend(message),
            Failure::Port(error) => error,
        }
    }
}

impl From<Failure<QueueError>> for QueueError {
    fn from(failure: Failure<QueueError>) -> Self {
        match failure {
            Failure::Sqlite(error) => QueueError::Backend(format!("sqlite: {error}")),
            Failure::Task(message) => QueueError::Backend(message),
            Failure::Port(error) => error,
        }
    }
}
