//! A `Table` that counts what a use case asks of it.

use std::sync::Arc;

use hostfront::store::{Condition, Item, Key, Page, Query, Table, TableResult, TxOp, Update};

/// A `Table` that counts the requests made through it, to measure what a
/// use case costs: reads are gets, batch gets and queries; writes are puts,
/// updates, deletes, batch puts and transactions (each counted once).
pub struct CountingTable {
    inner: Arc<dyn Table>,
    pub reads: std::sync::atomic::AtomicUsize,
    pub writes: std::sync::atomic::AtomicUsize,
}

impl CountingTable {
    pub fn new(inner: Arc<dyn Table>) -> Self {
        CountingTable {
            inner,
            reads: Default::default(),
            writes: Default::default(),
        }
    }

    /// (reads, writes) so far.
    pub fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (self.reads.load(SeqCst), self.writes.load(SeqCst))
    }

    fn read(&self) {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn write(&self) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl Table for CountingTable {
    fn engine(&self) -> &'static str {
        self.inner.engine()
    }

    async fn get(&self, key: &Key) -> TableResult<Option<Item>> {
        self.read();
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> TableResult<Vec<Option<Item>>> {
        self.read();
        self.inner.get_many(keys).await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> TableResult<()> {
        self.write();
        self.inner.put(item, condition).await
    }

    async fn put_many(&self, items: Vec<Item>) -> TableResult<()> {
        self.write();
        self.inner.put_many(items).await
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> TableResult<Item> {
        self.write();
        self.inner.update(key, update, condition).await
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> TableResult<Option<Item>> {
        self.write();
        self.inner.delete(key, condition).await
    }

    async fn query(&self, query: Query) -> TableResult<Page> {
        self.read();
        self.inner.query(query).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> TableResult<()> {
        self.write();
        self.inner.transact(ops).await
    }

    async fn sweep_expired(&self) -> TableResult<Option<usize>> {
        self.write();
        self.inner.sweep_expired().await
    }
}
