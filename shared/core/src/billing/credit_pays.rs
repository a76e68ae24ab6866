//! Account credit paying the invoice being issued: any invoice (a service's
//! period, an order, a domain's renewal) takes what it can of the
//! customer's credit off its total when it is issued, in the transaction
//! that writes it, guarded by the version of the credit read. Credit is a
//! means of payment, not a discount: the tax stays computed on the price,
//! and the invoice keeps it as `credit` beside its `total` (what is left to
//! pay). A concurrent use of the credit refuses the transaction, which is
//! made again with the credit read again: it is never spent twice.

use super::credit::{self, key};
use super::invoice::Invoice;
use crate::CustomerId;
use crate::store::{Condition, Table, TableResult, TxOp, Update};

/// Takes the customer's credit off `bill` (as issued, whatever an earlier
/// try took), and returns the write that takes it from their credit, to be
/// guarded in the bill's transaction; none when there is nothing to take.
///
/// `beside` holds the transaction's other writes: a credit they give back
/// to the same customer (an invoice voided in the same transaction) is
/// taken out of them and counted in, as a transaction writes an item once.
pub async fn take(
    table: &dyn Table,
    bill: &mut Invoice,
    beside: &mut Vec<TxOp>,
) -> TableResult<Option<TxOp>> {
    bill.total += bill.credit;
    bill.credit = 0;
    let returned = given_back(beside, &bill.customer_id);
    let (balance, version) = credit::balance(table, &bill.customer_id).await?;
    let taken = bill.take_credit(balance + returned);
    if taken == 0 && returned == 0 {
        return Ok(None);
    }
    Ok(Some(TxOp::Update {
        key: key(&bill.customer_id),
        update: Update::new()
            .set("kind", "credit")
            .add("balance", returned - taken)
            .bump_version(),
        condition: Some(Condition::VersionIs(version)),
    }))
}

/// Removes from `ops` the writes that add to the customer's credit, and
/// returns what they added.
fn given_back(ops: &mut Vec<TxOp>, customer_id: &CustomerId) -> i64 {
    let credit_key = key(customer_id);
    let mut returned = 0;
    ops.retain(|op| match op {
        TxOp::Update { key, update, .. } if *key == credit_key => {
            returned += update
                .add
                .iter()
                .filter(|(attribute, _)| attribute == "balance")
                .map(|(_, amount)| amount)
                .sum::<i64>();
            false
        }
        _ => true,
    });
    returned
}

/// True when account credit paid all of the invoice: nothing is charged,
/// and no card is needed.
pub fn paid_in_full(bill: &Invoice) -> bool {
    bill.credit > 0 && bill.total == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_given_back_beside_is_counted_in_and_taken_out() {
        let customer = CustomerId::new("c1");
        let other = CustomerId::new("c2");
        let mut ops = vec![
            credit::add_op(&customer, 300),
            credit::add_op(&other, 50),
            credit::use_op(&other, 10, 3),
        ];
        assert_eq!(given_back(&mut ops, &customer), 300);
        assert_eq!(ops.len(), 2, "the other customer's writes stay");
        assert_eq!(given_back(&mut ops, &customer), 0);
    }
}
