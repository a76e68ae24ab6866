//! Finding payment intents again. The list (`GET /v1/payment_intents`)
//! reads Stripe's records and shows an intent the moment it is made. Search
//! reads an index filled later: Stripe's description of the search
//! endpoints says not to use it "in read-after-write flows where strict
//! consistency is necessary", that data is searchable "in less than a
//! minute" normally and up to an hour late during outages, and that search
//! is not available to merchants in India. Here a new intent reaches Search
//! after the account's `search_lag` (a minute unless a test sets it).

use serde_json::{Value, json};

use super::{Account, Form, error, field, invalid_param, missing};

/// Stripe's bounds on a page: 1 to 100 objects, 10 unless asked.
const PAGE: std::ops::RangeInclusive<usize> = 1..=100;
const DEFAULT_PAGE: usize = 10;

impl Account {
    /// A page of the intents `query` filters (`created[gte|gt|lte|lt]`,
    /// `customer`), newest first, after `starting_after` if given.
    pub(super) fn list(&self, query: &Form) -> (u16, Value) {
        let limit = match field(query, "limit").map(str::parse::<usize>) {
            None => DEFAULT_PAGE,
            Some(Ok(limit)) if PAGE.contains(&limit) => limit,
            Some(_) => {
                return invalid_param(
                    "limit",
                    "parameter_invalid_integer",
                    "This value must be between 1 and 100.",
                );
            }
        };
        let created = match CreatedRange::of(query) {
            Ok(range) => range,
            Err(refusal) => return refusal,
        };
        let customer = field(query, "customer");
        let mut ids: Vec<&String> = self
            .intents
            .iter()
            .filter(|(_, i)| created.holds(i.created))
            .filter(|(_, i)| {
                customer.is_none() || self.methods[&i.method].customer.as_deref() == customer
            })
            .map(|(id, _)| id)
            .collect();
        // Ids grow with time here, so newest first is the ids' reverse order.
        ids.sort_unstable_by(|a, b| b.cmp(a));
        if let Some(after) = field(query, "starting_after") {
            let Some(at) = ids.iter().position(|id| id.as_str() == after) else {
                return missing("payment_intent", after);
            };
            ids.drain(..=at);
        }
        let has_more = ids.len() > limit;
        let data: Vec<Value> = ids
            .into_iter()
            .take(limit)
            .map(|id| self.intent_json(id, query))
            .collect();
        (
            200,
            json!({"object": "list", "url": "/v1/payment_intents", "has_more": has_more, "data": data}),
        )
    }

    /// `metadata['<name>']:'<value>'`, over the intents Search has indexed.
    pub(super) fn search(&mut self, query: &Form) -> (u16, Value) {
        self.searches += 1;
        let text = field(query, "query").unwrap_or_default();
        let parsed = text
            .strip_prefix("metadata['")
            .and_then(|rest| rest.split_once("']:'"))
            .map(|(name, value)| (name, value.trim_end_matches('\'')));
        let Some((name, value)) = parsed else {
            return error(400, "invalid_request_error", "", "Invalid search query");
        };
        let data: Vec<Value> = self
            .intents
            .iter()
            .filter(|(_, i)| i.made.elapsed() >= self.search_lag)
            .filter(|(_, i)| i.metadata.get(name).map(String::as_str) == Some(value))
            .map(|(id, _)| self.intent_json(id, query))
            .collect();
        (
            200,
            json!({"object": "search_result", "url": "/v1/payment_intents/search",
                "data": data, "has_more": false, "next_page": null}),
        )
    }
}

/// The `created` filter of a list: bounds in unix seconds.
struct CreatedRange {
    from: i64,
    to: i64,
}

impl CreatedRange {
    fn of(query: &Form) -> Result<CreatedRange, (u16, Value)> {
        let mut range = CreatedRange {
            from: i64::MIN,
            to: i64::MAX,
        };
        for (name, value) in query.iter().filter(|(k, _)| k.starts_with("created")) {
            let Ok(at) = value.parse::<i64>() else {
                return Err(invalid_param(
                    name,
                    "parameter_invalid_integer",
                    "Invalid integer",
                ));
            };
            match name.as_str() {
                "created" => (range.from, range.to) = (at, at),
                "created[gte]" => range.from = range.from.max(at),
                "created[gt]" => range.from = range.from.max(at + 1),
                "created[lte]" => range.to = range.to.min(at),
                "created[lt]" => range.to = range.to.min(at - 1),
                _ => {
                    return Err(invalid_param(
                        name,
                        "parameter_unknown",
                        &format!("Received unknown parameter: {name}"),
                    ));
                }
            }
        }
        Ok(range)
    }

    fn holds(&self, created: i64) -> bool {
        (self.from..=self.to).contains(&created)
    }
}
