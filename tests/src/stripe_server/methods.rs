//! PaymentMethods: made by Stripe.js in the browser with the publishable
//! key (`POST /v1/payment_methods` with the card), or one of Stripe's test
//! payment methods (`pm_card_visa`, …), which stands for a new payment
//! method of its test card each time it is used. A payment method attached
//! to no customer can be used once; one attached to a customer, only with
//! that customer. Card numbers sent with the secret key are refused, as
//! Stripe refuses them for accounts not allowed raw card data.

use serde_json::{Value, json};

use super::{Account, CardMethod, Form, cards, error, field, invalid_param};

/// Stripe's answer to card numbers sent with the secret key by an account
/// that may not send them.
const RAW_CARD_DATA: &str = "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens that map to the test card you are using, see https://stripe.com/docs/testing. To enable raw card data APIs in test mode, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis.";

/// Refuses a server's request that carries a card's number.
pub(super) fn no_raw_card_data(form: &Form) -> Result<(), (u16, Value)> {
    let raw = form
        .iter()
        .any(|(name, _)| name.ends_with("[number]") || name.ends_with("[cvc]"));
    match raw {
        true => Err(error(402, "invalid_request_error", "", RAW_CARD_DATA)),
        false => Ok(()),
    }
}

impl Account {
    /// `POST /v1/payment_methods` from Stripe.js: a card payment method,
    /// attached to no customer.
    pub(super) fn payment_method(&mut self, form: &Form) -> (u16, Value) {
        if field(form, "type") != Some("card") {
            return invalid_param(
                "type",
                "parameter_invalid_empty",
                "Missing required param: type.",
            );
        }
        let get = |name: &str| field(form, &format!("card[{name}]"));
        let number: String = get("number")
            .unwrap_or_default()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        let exp_month = get("exp_month").and_then(|m| m.parse().ok()).unwrap_or(0);
        let exp_year = get("exp_year").and_then(|y| y.parse().ok()).unwrap_or(0);
        if let Err(refusal) = cards::usable(&number, exp_month, exp_year) {
            return refusal;
        }
        let id = self.add_method(number, exp_month, exp_year);
        (200, self.method_json(&id))
    }

    fn add_method(&mut self, number: String, exp_month: u32, exp_year: i32) -> String {
        let id = self.id("pm");
        let method = CardMethod {
            number,
            exp_month,
            exp_year,
            customer: None,
            used: false,
        };
        self.methods.insert(id.clone(), method);
        id
    }

    /// The payment method an intent names (`payment_method`), for
    /// `customer`: a test payment method's new copy, or one of this
    /// account's that the customer may use; used up when attached to nobody.
    pub(super) fn method_for(
        &mut self,
        form: &Form,
        customer: Option<&str>,
    ) -> Result<String, (u16, Value)> {
        let Some(id) = field(form, "payment_method") else {
            return Err(invalid_param(
                "payment_method",
                "parameter_missing",
                "Missing required param: payment_method.",
            ));
        };
        if let Some(number) = cards::test_method_number(id) {
            return Ok(self.add_method(number.to_string(), 12, 2099));
        }
        let no_such = || {
            invalid_param(
                "payment_method",
                "resource_missing",
                &format!("No such PaymentMethod: '{id}'"),
            )
        };
        let method = self.methods.get_mut(id).ok_or_else(no_such)?;
        match (&method.customer, method.used) {
            (Some(owner), _) if Some(owner.as_str()) == customer => Ok(id.to_string()),
            (Some(_), _) => Err(no_such()),
            (None, true) => Err(invalid_param(
                "payment_method",
                "",
                "The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.",
            )),
            (None, false) => {
                method.used = true;
                Ok(id.to_string())
            }
        }
    }

    pub(super) fn method_json(&self, id: &str) -> Value {
        let m = &self.methods[id];
        json!({"id": id, "object": "payment_method", "type": "card", "customer": m.customer,
            "card": {"brand": "visa", "last4": &m.number[m.number.len() - 4..],
                     "exp_month": m.exp_month, "exp_year": m.exp_year,
                     // Stripe's international test cards' countries (its testing guide).
                     "country": hostfront::adapters::sim::card_countries::issued_in(&m.number)}})
    }
}

impl super::StripeServer {
    /// A payment method of the test card `number`, made as Stripe.js makes
    /// one in the browser: with the publishable key, the card going to
    /// Stripe only.
    pub async fn browser_payment_method(&self, number: &str) -> String {
        let form = [
            ("type", "card"),
            ("card[number]", number),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2099"),
            ("card[cvc]", "123"),
        ];
        let answer: Value = crate::http()
            .post(format!("{}/v1/payment_methods", self.base))
            .bearer_auth(super::PUBLISHABLE_KEY)
            .form(&form)
            .send()
            .await
            .expect("the stand-in answers")
            .json()
            .await
            .expect("JSON");
        answer["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a payment method: {answer}"))
            .to_string()
    }
}

impl Account {
    /// Refuses what Stripe refuses of `setup_future_usage` and `customer`
    /// on a new PaymentIntent: a value outside the enum, a customer that
    /// does not exist. Without a customer Stripe takes it and attaches
    /// nothing (its description: "If you don't provide a Customer, you can
    /// still attach the payment method to a Customer after the transaction
    /// completes"), so the payment method stays used up.
    pub(super) fn future_usage(&self, form: &Form) -> Result<(), (u16, Value)> {
        if let Some(usage) = field(form, "setup_future_usage")
            && !["on_session", "off_session", ""].contains(&usage)
        {
            return Err(invalid_param(
                "setup_future_usage",
                "parameter_invalid_enum",
                "Invalid setup_future_usage: must be one of on_session or off_session",
            ));
        }
        match field(form, "customer") {
            Some(customer) if !self.customers.iter().any(|c| c == customer) => {
                Err(super::missing("customer", customer))
            }
            _ => Ok(()),
        }
    }

    /// `POST /v1/payment_methods/<id>/detach`: the method leaves its
    /// customer and may not be used again; one attached to nobody cannot be
    /// detached (Stripe's answer, 400).
    pub(super) fn detach(&mut self, id: &str) -> (u16, Value) {
        let Some(method) = self.methods.get_mut(id) else {
            return super::missing("payment_method", id);
        };
        if method.customer.take().is_none() {
            return super::error(
                400,
                "invalid_request_error",
                "",
                "The payment method you provided is not attached to a customer so detachment is impossible.",
            );
        }
        method.used = true;
        (200, self.method_json(id))
    }

    /// Once an intent made with `setup_future_usage` and a customer holds
    /// its amount, its payment method is attached to that customer.
    pub(super) fn attach_for_future_usage(&mut self, intent: &str) {
        let Some(i) = self.intents.get(intent) else {
            return;
        };
        let held = matches!(i.status, "requires_capture" | "succeeded");
        let usage = i.setup_future_usage.as_deref().unwrap_or_default();
        if let (true, false, Some(customer)) = (held, usage.is_empty(), i.customer.clone())
            && let Some(method) = self.methods.get_mut(&i.method)
        {
            method.customer = Some(customer);
        }
    }
}
