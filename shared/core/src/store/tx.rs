//! Transactions: their operations (`TxOp`), what both engines reject of
//! them, and transactions whose refusals have names. Each guarded write
//! carries the reason its condition stands for (`DomainTaken`,
//! `UsernameTaken`, …), so a cancelled transaction is reported by that
//! reason; reordering the writes cannot change what a customer is told.

use super::{
    Condition, Item, Key, MAX_TRANSACTION_OPS, Table, TableError, TableResult, Update, item,
};

/// Why a transaction was not applied.
#[derive(Debug, PartialEq)]
pub enum TxError<R> {
    /// The condition of a guarded write did not hold: nothing was written.
    Refused(R),
    /// Anything else, including a write without a reason whose condition
    /// failed (a broken invariant, never a customer's doing).
    Table(TableError),
}

impl<R> From<TableError> for TxError<R> {
    fn from(error: TableError) -> Self {
        TxError::Table(error)
    }
}

/// The writes of one all-or-nothing transaction, with the reasons of the guarded ones.
#[derive(Debug, Clone)]
pub struct Tx<R> {
    ops: Vec<TxOp>,
    reasons: Vec<Option<R>>,
}

impl<R> Default for Tx<R> {
    fn default() -> Self {
        Tx {
            ops: Vec::new(),
            reasons: Vec::new(),
        }
    }
}

impl<R: Copy> Tx<R> {
    pub fn new() -> Self {
        Self::default()
    }

    /// A write whose failed condition means `reason`.
    pub fn guard(&mut self, reason: R, op: TxOp) -> &mut Self {
        self.ops.push(op);
        self.reasons.push(Some(reason));
        self
    }

    /// A write expected to succeed whenever the guarded ones do.
    pub fn push(&mut self, op: TxOp) -> &mut Self {
        self.ops.push(op);
        self.reasons.push(None);
        self
    }

    pub fn extend(&mut self, ops: impl IntoIterator<Item = TxOp>) -> &mut Self {
        for op in ops {
            self.push(op);
        }
        self
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Applies every write or none.
    pub async fn commit(self, table: &dyn Table) -> Result<(), TxError<R>> {
        match table.transact(self.ops).await {
            Ok(()) => Ok(()),
            Err(TableError::TransactionConflict { index }) => {
                match self.reasons.get(index).copied().flatten() {
                    Some(reason) => Err(TxError::Refused(reason)),
                    None => Err(TxError::Table(TableError::TransactionConflict { index })),
                }
            }
            Err(other) => Err(TxError::Table(other)),
        }
    }
}

/// One operation of a transaction.
#[derive(Debug, Clone)]
pub enum TxOp {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        update: Update,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Writes nothing; the transaction fails unless the condition holds.
    Check { key: Key, condition: Condition },
}

impl TxOp {
    pub fn key(&self) -> TableResult<Key> {
        match self {
            TxOp::Put { item, .. } => Key::of(item),
            TxOp::Update { key, .. } | TxOp::Delete { key, .. } | TxOp::Check { key, .. } => {
                Ok(key.clone())
            }
        }
    }

    /// Checks what both engines reject about one operation.
    pub fn validate(&self) -> TableResult<()> {
        self.key()?.validate()?;
        match self {
            TxOp::Put { item, .. } => item::validate_item(item),
            TxOp::Update { update, .. } => update.validate(),
            TxOp::Delete { .. } | TxOp::Check { .. } => Ok(()),
        }
    }

    pub fn condition(&self) -> Option<&Condition> {
        match self {
            TxOp::Put { condition, .. }
            | TxOp::Update { condition, .. }
            | TxOp::Delete { condition, .. } => condition.as_ref(),
            TxOp::Check { condition, .. } => Some(condition),
        }
    }
}

/// Checks what both engines reject: too many operations, or one item twice.
pub fn validate_transaction(ops: &[TxOp]) -> TableResult<()> {
    if ops.is_empty() || ops.len() > MAX_TRANSACTION_OPS {
        return Err(TableError::Invalid(format!(
            "a transaction holds 1 to {MAX_TRANSACTION_OPS} operations, not {}",
            ops.len()
        )));
    }
    let mut keys = std::collections::HashSet::new();
    for op in ops {
        op.validate()?;
        let key = op.key()?;
        if !keys.insert(key.clone()) {
            return Err(TableError::Invalid(format!(
                "item {key} appears twice in one transaction"
            )));
        }
    }
    Ok(())
}
