//! Reading the table: which key space, which partition, which sort keys,
//! in which order, a page at a time.

use super::{Item, Table, TableError, TableResult};

/// Which key space a query reads: the table itself or one of the sparse indexes.
/// An item appears in an index only when it has both of that index's key attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
}

impl Index {
    pub fn key_attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::Table => ("pk", "sk"),
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
            Index::Gsi2 => ("gsi2pk", "gsi2sk"),
        }
    }

    pub fn dynamo_name(self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some("gsi1"),
            Index::Gsi2 => Some("gsi2"),
        }
    }
}

/// A condition on the sort key of a query (byte-wise string order, as DynamoDB).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Any,
    Eq(String),
    BeginsWith(String),
    /// Inclusive at both ends.
    Between(String, String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
}

impl SortKey {
    pub fn matches(&self, sk: &str) -> bool {
        match self {
            SortKey::Any => true,
            SortKey::Eq(v) => sk == v,
            SortKey::BeginsWith(p) => sk.starts_with(p.as_str()),
            SortKey::Between(a, b) => sk >= a.as_str() && sk <= b.as_str(),
            SortKey::Lt(v) => sk < v.as_str(),
            SortKey::Le(v) => sk <= v.as_str(),
            SortKey::Gt(v) => sk > v.as_str(),
            SortKey::Ge(v) => sk >= v.as_str(),
        }
    }
}

/// One partition of the table or of an index, read in sort-key order.
#[derive(Debug, Clone)]
pub struct Query {
    pub index: Index,
    pub partition: String,
    pub sort: SortKey,
    pub forward: bool,
    /// At most this many items in the page (None: every matching item).
    pub limit: Option<usize>,
    /// Where the previous page ended (`Page::next`).
    pub cursor: Option<String>,
}

impl Query {
    pub fn partition(partition: impl Into<String>) -> Self {
        Query {
            index: Index::Table,
            partition: partition.into(),
            sort: SortKey::Any,
            forward: true,
            limit: None,
            cursor: None,
        }
    }

    pub fn index(index: Index, partition: impl Into<String>) -> Self {
        Query {
            index,
            ..Query::partition(partition)
        }
    }

    pub fn sort(mut self, sort: SortKey) -> Self {
        self.sort = sort;
        self
    }

    pub fn backward(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }

    pub fn validate(&self) -> TableResult<()> {
        if self.partition.is_empty() {
            return Err(TableError::Invalid("a query needs a partition".into()));
        }
        if self.limit == Some(0) {
            return Err(TableError::Invalid(
                "a query limit must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// A page of query results. `next` is set exactly when more matching items follow.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<String>,
}

/// The items a query finds, a page at a time, however many there are.
pub struct Pages {
    query: Query,
    cursor: Option<String>,
    done: bool,
}

impl Pages {
    /// Pages of `query`'s items, `size` at a time.
    pub fn new(query: Query, size: usize) -> Self {
        Pages {
            query: query.limit(size),
            cursor: None,
            done: false,
        }
    }

    /// The next page, or None once every item was read.
    pub async fn next(&mut self, table: &dyn Table) -> TableResult<Option<Vec<Item>>> {
        if self.done {
            return Ok(None);
        }
        let page = table
            .query(self.query.clone().after(self.cursor.take()))
            .await?;
        self.done = page.next.is_none();
        self.cursor = page.next;
        Ok(Some(page.items))
    }
}

/// Every item `query` finds, reading page after page.
pub async fn all_items(table: &dyn Table, query: Query) -> TableResult<Vec<Item>> {
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = table.query(query.clone().after(cursor)).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}
