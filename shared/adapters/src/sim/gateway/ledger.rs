//! The gateway's ledger: an authorisation holds an amount; captures draw
//! from it and refunds from a capture, each in one transaction with the
//! entry it draws from.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use hostfront_core::payments::{Authorization, Charge, PaymentError};
use hostfront_core::store::{Condition, ItemExt, TxOp, Update};

use super::{SimulatedGateway, dashboard, entry_key, storage};
use crate::sim::cards::Profile;

/// The ledger entry a capture or refund draws from.
pub(super) struct Parent<'a> {
    pub(super) id: &'a str,
    /// `authorization` for a capture, `capture` for a refund.
    pub(super) kind: &'static str,
    /// What the child does, for messages.
    pub(super) verb: &'static str,
    /// A capture is final, as card providers make it: what it does not take
    /// is released. Refunds may come in parts.
    pub(super) release_rest: bool,
}

impl SimulatedGateway {
    /// Holds `charge.amount` on `card`; with a `return_url`, only once its
    /// holder confirms at the bank (nothing can be captured before).
    pub(super) async fn hold(
        &self,
        charge: &Charge,
        card: &Profile,
        return_url: Option<&str>,
    ) -> Result<Authorization, PaymentError> {
        let (amount, currency) = (charge.amount.minor(), charge.amount.currency());
        if amount <= 0 {
            return Err(PaymentError::Invalid("the amount must be positive".into()));
        }
        let id = format!("auth_{}", ulid::Ulid::new());
        let mut authorization = Authorization {
            id: id.clone(),
            amount,
            currency: currency.clone(),
            card_last4: card.last4.clone(),
            card_country: Some(card.country.to_string()),
            kept: None,
        };
        let mut fields = json!({
            "remaining": amount, "amount": amount, "currency": currency,
            "card_last4": authorization.card_last4, "card_country": card.country,
            "reference": charge.reference,
        });
        let mut ops = Vec::new();
        let kept = self.kept_card(charge, card);
        if let Some((saved, _)) = &kept {
            // Noted for a holder's confirmation, which makes the token then.
            fields["kept"] = json!(saved);
            fields["kept_card"] = card.fields();
        }
        match return_url {
            Some(url) => {
                fields["remaining"] = json!(0);
                fields["holder_check"] = json!("pending");
                fields["return_url"] = json!(url);
            }
            // Held at once: the card is kept with it.
            None => {
                if let Some((saved, token)) = kept {
                    authorization.kept = Some(saved);
                    ops.push(token);
                }
            }
        }
        ops.push(self.entry(&id, "authorization", fields));
        self.record(ops, &charge.idempotency_key, authorization)
            .await
    }

    pub(super) fn entry(&self, id: &str, kind: &str, fields: serde_json::Value) -> TxOp {
        let mut item = entry_key(id).to_item();
        item.insert("id".into(), id.into());
        item.insert("kind".into(), kind.into());
        item.insert("at".into(), self.clock.now_secs().into());
        // Captures and saved cards are listed on the provider's dashboard.
        let listed = match kind {
            "capture" => Some(dashboard::PAYMENTS),
            "token" => Some(dashboard::CARDS),
            _ => None,
        };
        if let Some(partition) = listed {
            item.insert("gsi1pk".into(), partition.into());
            item.insert("gsi1sk".into(), id.into());
        }
        if let serde_json::Value::Object(fields) = fields {
            item.extend(fields);
        }
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Takes `amount` from what remains of `parent` (an authorisation's
    /// capturable amount, a capture's refundable amount), atomically.
    /// Draws `amount` from `parent`, and with `release_rest` lets the rest go.
    pub(super) fn draw(parent: &str, amount: i64, release_rest: bool) -> TxOp {
        let update = match release_rest {
            true => Update::new().set("remaining", 0),
            false => Update::new().add("remaining", -amount),
        };
        TxOp::Update {
            key: entry_key(parent),
            update,
            condition: Some(Condition::ge("remaining", amount)),
        }
    }

    /// Creates a child entry (a capture or a refund) of `amount` and draws that
    /// amount from its parent in one transaction; a retry with the same key
    /// returns the first child.
    pub(super) async fn draw_down<T: Serialize + DeserializeOwned>(
        &self,
        parent: Parent<'_>,
        id_prefix: &str,
        amount: i64,
        idempotency_key: &str,
        child: impl FnOnce(String) -> T,
    ) -> Result<T, PaymentError> {
        if let Some(done) = self.replay(idempotency_key).await? {
            return Ok(done);
        }
        let found = self
            .table
            .get(&entry_key(parent.id))
            .await
            .map_err(storage)?;
        if amount <= 0 || found.as_ref().and_then(|p| p.str_attr("kind")) != Some(parent.kind) {
            return Err(PaymentError::Invalid(format!(
                "no {} {} to {} {amount} of",
                parent.kind, parent.id, parent.verb
            )));
        }
        let id = format!("{id_prefix}_{}", ulid::Ulid::new());
        let mut fields = json!({"remaining": amount, "amount": amount});
        fields[format!("{}_id", parent.kind)] = json!(parent.id);
        // A capture tells what it paid, as a charge does.
        for name in ["reference", "currency", "card_last4"] {
            if let Some(value) = found.as_ref().and_then(|p| p.get(name)) {
                fields[name] = value.clone();
            }
        }
        let entry = self.entry(&id, parent.verb, fields);
        self.record(
            vec![Self::draw(parent.id, amount, parent.release_rest), entry],
            idempotency_key,
            child(id),
        )
        .await
    }
}
