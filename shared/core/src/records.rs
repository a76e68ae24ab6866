//! Key builders that several modules share: the items one module writes and
//! another reads or guards. Each module keeps the keys only it uses.

use crate::store::Key;
use crate::{CustomerId, OrderId};

/// The marker that holds a domain name for one order or service.
pub fn domain_marker(ascii: &str) -> Key {
    Key::new(format!("DOMAIN#{ascii}"), "MARKER")
}

/// An order's item, in its customer's partition.
pub fn order_key(customer_id: &CustomerId, order_id: &OrderId) -> Key {
    Key::new(
        format!("CUSTOMER#{customer_id}"),
        format!("ORDER#{order_id}"),
    )
}

/// The partition of an order's invoice and step records.
pub fn children_partition(order_id: &OrderId) -> String {
    format!("ORDER#{order_id}")
}
