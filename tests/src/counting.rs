//! A `Table` that counts what a use case asks of it: requests, and the
//! DynamoDB request units they would consume (estimated from item sizes).

use std::sync::Arc;

use hostfront::store::{Item, Key, Page, Query, Table, TableResult, TxOp};

/// A `Table` that counts the requests made through it, to measure what a
/// use case costs: reads are gets, batch gets and queries; writes are puts,
/// updates, deletes, batch puts and transactions (each counted once).
pub struct CountingTable {
    inner: Arc<dyn Table>,
    pub reads: std::sync::atomic::AtomicUsize,
    pub writes: std::sync::atomic::AtomicUsize,
    /// Read and write request units, in halves (an eventually consistent
    /// read of up to 4 KB is half a unit).
    read_halves: std::sync::atomic::AtomicUsize,
    write_units: std::sync::atomic::AtomicUsize,
}

/// An item's size as DynamoDB counts it, near enough: its names and values.
fn size(item: &Item) -> usize {
    serde_json::to_string(item).map_or(1, |text| text.len())
}

/// Read units (in halves) of reading `bytes` strongly consistently.
fn read_halves(bytes: usize) -> usize {
    2 * bytes.div_ceil(4096).max(1)
}

fn write_units(bytes: usize) -> usize {
    bytes.div_ceil(1024).max(1)
}

impl CountingTable {
    pub fn new(inner: Arc<dyn Table>) -> Self {
        CountingTable {
            inner,
            reads: Default::default(),
            writes: Default::default(),
            read_halves: Default::default(),
            write_units: Default::default(),
        }
    }

    /// (read request units, write request units) so far, as DynamoDB on
    /// demand would bill them: a read unit per 4 KB read strongly (half for
    /// an index query), a write unit per 1 KB written, twice in a transaction.
    pub fn units(&self) -> (f64, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (
            self.read_halves.load(SeqCst) as f64 / 2.0,
            self.write_units.load(SeqCst),
        )
    }

    fn read_units(&self, halves: usize) {
        self.read_halves
            .fetch_add(halves, std::sync::atomic::Ordering::SeqCst);
    }

    fn written(&self, units: usize) {
        self.write_units
            .fetch_add(units, std::sync::atomic::Ordering::SeqCst);
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
        let item = self.inner.get(key).await?;
        self.read_units(read_halves(item.as_ref().map_or(1, size)));
        Ok(item)
    }

    async fn get_many(&self, keys: &[Key]) -> TableResult<Vec<Option<Item>>> {
        self.read();
        let items = self.inner.get_many(keys).await?;
        self.read_units(
            items
                .iter()
                .map(|i| read_halves(i.as_ref().map_or(1, size)))
                .sum(),
        );
        Ok(items)
    }

    async fn write_one(&self, op: TxOp) -> TableResult<Option<Item>> {
        self.write();
        // A put costs its item's size, a delete one unit, an update the size of what it leaves.
        let known = match &op {
            TxOp::Put { item, .. } => Some(write_units(size(item))),
            TxOp::Delete { .. } => Some(1),
            _ => None,
        };
        let result = self.inner.write_one(op).await;
        let left = result.as_ref().ok().and_then(Option::as_ref);
        self.written(known.unwrap_or_else(|| left.map_or(1, |item| write_units(size(item)))));
        result
    }

    async fn put_many(&self, items: Vec<Item>) -> TableResult<()> {
        self.write();
        self.written(items.iter().map(|i| write_units(size(i))).sum());
        self.inner.put_many(items).await
    }

    async fn query(&self, query: Query) -> TableResult<Page> {
        self.read();
        let on_index = query.index != hostfront::store::Index::Table;
        let page = self.inner.query(query).await?;
        let halves = read_halves(page.items.iter().map(size).sum());
        // An index is read eventually consistently: half the units.
        self.read_units(if on_index { halves.div_ceil(2) } else { halves });
        Ok(page)
    }

    async fn transact(&self, ops: Vec<TxOp>) -> TableResult<()> {
        self.write();
        let units: usize = ops
            .iter()
            .map(|op| match op {
                TxOp::Put { item, .. } => write_units(size(item)),
                _ => 1,
            })
            .sum();
        self.written(2 * units);
        self.inner.transact(ops).await
    }

    async fn sweep_expired(&self) -> TableResult<Option<usize>> {
        self.write();
        self.inner.sweep_expired().await
    }
}
