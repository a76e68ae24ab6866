//! The embedded engine's one SQLite file, shared by the table and the queue.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::Connection;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS items (
    pk      TEXT NOT NULL,
    sk      TEXT NOT NULL,
    gsi1pk  TEXT,
    gsi1sk  TEXT,
    gsi2pk  TEXT,
    gsi2sk  TEXT,
    ttl     INTEGER,
    body    TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk, pk, sk) WHERE gsi1pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_gsi2 ON items (gsi2pk, gsi2sk, pk, sk) WHERE gsi2pk IS NOT NULL;
CREATE INDEX IF NOT EXISTS items_ttl ON items (ttl) WHERE ttl IS NOT NULL;

CREATE TABLE IF NOT EXISTS queue_messages (
    id            TEXT PRIMARY KEY,
    queue         TEXT NOT NULL,
    body          TEXT NOT NULL,
    sent_at       INTEGER NOT NULL,
    visible_at    INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    receipt       TEXT UNIQUE,
    dead_at       INTEGER
);
CREATE INDEX IF NOT EXISTS queue_ready ON queue_messages (queue, dead_at, visible_at);
"#;

/// One connection, serialised by a mutex: SQLite allows one writer at a time
/// anyway, and an in-process lock never spins on `SQLITE_BUSY`. Work on it runs
/// on tokio's blocking pool.
#[derive(Clone)]
pub struct EmbeddedDb {
    conn: Arc<Mutex<Connection>>,
    file: String,
}

impl EmbeddedDb {
    /// Opens (creating it when missing) `hostfront.sqlite3` in `data_dir`.
    /// The directory is created private (0700) and the database file 0600:
    /// they hold customers' data and sessions. SQLite gives its `-wal` and
    /// `-shm` files the database file's mode.
    pub fn open(data_dir: &Path) -> Result<Self, rusqlite::Error> {
        let path = data_dir.join("hostfront.sqlite3");
        hostfront_core::private_files::create_dir(data_dir)
            .and_then(|()| hostfront_core::private_files::touch(&path))
            .map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("cannot prepare {}: {e}", path.display())),
                )
            })?;
        let conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(EmbeddedDb {
            conn: Arc::new(Mutex::new(conn)),
            file: path.display().to_string(),
        })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    /// Runs `work` with the connection on the blocking pool.
    pub async fn run<T, E>(
        &self,
        work: impl FnOnce(&mut Connection) -> Result<T, E> + Send + 'static,
    ) -> Result<T, E>
    where
        T: Send + 'static,
        E: Send + 'static + From<String>,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = lock(&conn);
            work(&mut guard)
        })
        .await
        .map_err(|e| E::from(format!("embedded database task failed: {e}")))?
    }
}

fn lock(conn: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a half-applied write: every
    // write runs in a transaction that rolls back when dropped.
    conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
