//! DynamoDB's limits on one item, measured by its rules, so that both engines
//! refuse exactly what DynamoDB refuses: an item of at most 400 KB counted by
//! the developer guide's "Item sizes" (names and values in UTF-8 bytes, not
//! JSON text), key values of the table and of its indexes of at most 2048
//! (partition) and 1024 (sort) UTF-8 bytes, numbers within DynamoDB's range.

use serde_json::Value;

use super::{Index, Item, TableError, TableResult};

/// The largest item: attribute names and values, as `item_size` counts them.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;
/// The longest partition key value, of the table or of an index, in UTF-8 bytes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// The longest sort key value, of the table or of an index, in UTF-8 bytes.
pub const MAX_SORT_KEY_BYTES: usize = 1024;
/// DynamoDB numbers run from 1E-130 to just under 1E+126 in magnitude.
const EXPONENTS: std::ops::RangeInclusive<i64> = -130..=125;

/// The item's size as DynamoDB counts it against `MAX_ITEM_BYTES`, or why
/// DynamoDB could not hold it at all (a number out of its range).
pub fn item_size(item: &Item) -> TableResult<usize> {
    item.iter()
        .map(|(name, value)| Ok(name.len() + value_size(value)?))
        .sum()
}

/// Strings count their UTF-8 bytes; null and booleans one byte; lists and
/// maps three bytes and one byte per element besides their contents.
fn value_size(value: &Value) -> TableResult<usize> {
    Ok(match value {
        Value::Null | Value::Bool(_) => 1,
        Value::Number(n) => number_size(&n.to_string())?,
        Value::String(s) => s.len(),
        Value::Array(list) => {
            3 + list
                .iter()
                .map(|v| Ok(1 + value_size(v)?))
                .sum::<TableResult<usize>>()?
        }
        Value::Object(map) => 3 + map.len() + item_size(map)?,
    })
}

/// A number as DynamoDB stores it: one byte, one per two significant digits,
/// one more when their count and the exponent are both even, one for a minus
/// sign (the guide's "about (digits / 2) + 1" is never more than this).
/// `text` is the number as the DynamoDB engine sends it.
fn number_size(text: &str) -> TableResult<usize> {
    let Some((digits, exponent)) = significant_digits(text) else {
        return Ok(1);
    };
    if !EXPONENTS.contains(&exponent) {
        return Err(TableError::Invalid(format!(
            "the number {text} is out of DynamoDB's range"
        )));
    }
    let even = digits % 2 == 0 && exponent % 2 == 0;
    Ok(1 + digits.div_ceil(2) + usize::from(even) + usize::from(text.starts_with('-')))
}

/// The count of significant digits of a decimal number and the exponent of
/// its first one (`d.ddd × 10^exponent`); None for zero.
fn significant_digits(text: &str) -> Option<(usize, i64)> {
    let unsigned = text.trim_start_matches(['-', '+']);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, exponent.parse::<i64>().ok()?),
        None => (unsigned, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: Vec<u8> = whole.bytes().chain(fraction.bytes()).collect();
    let first = digits.iter().position(|&d| d != b'0')?;
    let last = digits.iter().rposition(|&d| d != b'0')?;
    Some((
        last - first + 1,
        whole.len() as i64 - 1 - first as i64 + exponent,
    ))
}

/// Refuses an item over `MAX_ITEM_BYTES` or with a number DynamoDB cannot hold.
pub fn check_item_size(item: &Item) -> TableResult<()> {
    let size = item_size(item)?;
    if size > MAX_ITEM_BYTES {
        return Err(TableError::Invalid(format!(
            "item of {size} bytes exceeds {MAX_ITEM_BYTES}"
        )));
    }
    Ok(())
}

/// Refuses a key value DynamoDB would: empty, or longer than its limit.
pub fn check_key_value(attribute: &str, value: &str, partition: bool) -> TableResult<()> {
    let limit = if partition {
        MAX_PARTITION_KEY_BYTES
    } else {
        MAX_SORT_KEY_BYTES
    };
    if value.is_empty() {
        return Err(TableError::Invalid(format!(
            "{attribute} must not be empty"
        )));
    }
    if value.len() > limit {
        return Err(TableError::Invalid(format!(
            "{attribute} is {} bytes long, over DynamoDB's {limit}",
            value.len()
        )));
    }
    Ok(())
}

/// Refuses a value of an index key attribute (`gsi1pk`, …) that DynamoDB
/// would: not a string, empty, or too long. Other attributes pass.
pub fn check_index_attribute(attribute: &str, value: &Value) -> TableResult<()> {
    for index in [Index::Gsi1, Index::Gsi2] {
        let (pk, sk) = index.key_attributes();
        if attribute != pk && attribute != sk {
            continue;
        }
        let Value::String(text) = value else {
            return Err(TableError::Invalid(format!("{attribute} must be a string")));
        };
        return check_key_value(attribute, text, attribute == pk);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn size(value: Value) -> usize {
        item_size(value.as_object().unwrap()).unwrap()
    }

    #[test]
    fn names_and_strings_count_utf8_bytes() {
        assert_eq!(size(json!({"pk": "abc"})), 5);
        assert_eq!(size(json!({"né": "ü€"})), 3 + 5);
    }

    #[test]
    fn numbers_count_pairs_of_significant_digits() {
        for (number, bytes) in [
            (json!(0), 1),
            (json!(7), 2),
            (json!(12), 2),
            (json!(120), 3),
            (json!(1200), 2),
            (json!(-120), 4),
            (json!(12345), 4),
            (json!(0.05), 2),
            (json!(1.5), 3),
            (json!(i64::MAX), 11),
        ] {
            assert_eq!(size(json!({"": number})), bytes, "{number}");
        }
    }

    #[test]
    fn lists_and_maps_count_overhead_and_elements() {
        assert_eq!(size(json!({"l": [true, null, "ab"]})), 1 + 3 + 2 + 2 + 3);
        assert_eq!(size(json!({"m": {"a": 7, "bc": false}})), 1 + 3 + 2 + 3 + 3);
    }

    #[test]
    fn numbers_out_of_dynamodbs_range_are_refused() {
        assert!(item_size(json!({"n": 1e125}).as_object().unwrap()).is_ok());
        for number in [1e126, 1e-131, -1e200] {
            assert!(
                matches!(
                    item_size(json!({"n": number}).as_object().unwrap()),
                    Err(TableError::Invalid(_))
                ),
                "{number}"
            );
        }
    }

    #[test]
    fn index_keys_are_strings_within_their_limits() {
        let pk = "p".repeat(MAX_PARTITION_KEY_BYTES);
        let sk = "s".repeat(MAX_SORT_KEY_BYTES);
        assert!(check_index_attribute("gsi1pk", &json!(pk)).is_ok());
        assert!(check_index_attribute("gsi2sk", &json!(sk)).is_ok());
        assert!(check_index_attribute("gsi1pk", &json!(format!("{pk}p"))).is_err());
        assert!(check_index_attribute("gsi2sk", &json!(format!("{sk}s"))).is_err());
        assert!(check_index_attribute("gsi1sk", &json!("é".repeat(513))).is_err());
        assert!(check_index_attribute("gsi1pk", &json!(5)).is_err());
        assert!(check_index_attribute("gsi1pk", &json!("")).is_err());
        assert!(check_index_attribute("note", &json!("x".repeat(5000))).is_ok());
    }
}
