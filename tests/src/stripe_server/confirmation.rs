//! What Stripe asks of a new intent before it does anything, from its
//! OpenAPI description for API version 2024-06-20 (github.com/stripe/openapi,
//! `openapi/spec3.json` at tag v1267: the parameters of
//! `POST /v1/payment_intents` and `POST /v1/setup_intents`) and its
//! changelog for 2023-08-16 ("Enables automatic payment methods by default
//! for PaymentIntents and SetupIntents"):
//!
//! - a parameter the operation does not have is refused;
//! - `return_url`, `off_session`, `error_on_requires_action`, `mandate` and
//!   `mandate_data` "can only be used with `confirm=true`";
//! - `automatic_payment_methods` and `payment_method_types` exclude each
//!   other, and the first needs `enabled`;
//! - since 2023-08-16 an intent made without `payment_method_types` takes
//!   the Dashboard's payment methods, redirects included, so confirming it
//!   needs a `return_url`, unless it is a PaymentIntent confirmed with
//!   `off_session=true` or redirects are off
//!   (`automatic_payment_methods[allow_redirects]=never`); nor may such a
//!   PaymentIntent use `error_on_requires_action`.

use axum::http::Method;
use serde_json::Value;

use super::{Form, field, invalid_param};

/// The first API version whose intents take the Dashboard's payment methods
/// when none are named. Versions are dates, so they order as text.
const AUTOMATIC_BY_DEFAULT: &str = "2023-08-16";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Payment,
    Setup,
}

impl Kind {
    fn of(method: &Method, path: &str) -> Option<Kind> {
        match (method, path) {
            (&Method::POST, "/v1/payment_intents") => Some(Kind::Payment),
            (&Method::POST, "/v1/setup_intents") => Some(Kind::Setup),
            _ => None,
        }
    }

    /// The operation's parameters, as the description lists them.
    fn parameters(self) -> &'static [&'static str] {
        match self {
            Kind::Payment => &[
                "amount",
                "application_fee_amount",
                "automatic_payment_methods",
                "capture_method",
                "confirm",
                "confirmation_method",
                "confirmation_token",
                "currency",
                "customer",
                "description",
                "error_on_requires_action",
                "expand",
                "mandate",
                "mandate_data",
                "metadata",
                "off_session",
                "on_behalf_of",
                "payment_method",
                "payment_method_configuration",
                "payment_method_data",
                "payment_method_options",
                "payment_method_types",
                "radar_options",
                "receipt_email",
                "return_url",
                "setup_future_usage",
                "shipping",
                "statement_descriptor",
                "statement_descriptor_suffix",
                "transfer_data",
                "transfer_group",
                "use_stripe_sdk",
            ],
            Kind::Setup => &[
                "attach_to_self",
                "automatic_payment_methods",
                "confirm",
                "confirmation_token",
                "customer",
                "description",
                "expand",
                "flow_directions",
                "mandate_data",
                "metadata",
                "on_behalf_of",
                "payment_method",
                "payment_method_configuration",
                "payment_method_data",
                "payment_method_options",
                "payment_method_types",
                "return_url",
                "single_use",
                "usage",
                "use_stripe_sdk",
            ],
        }
    }

    /// The parameters that "can only be used with `confirm=true`".
    fn confirm_only(self) -> &'static [&'static str] {
        match self {
            Kind::Payment => &[
                "return_url",
                "off_session",
                "error_on_requires_action",
                "mandate",
                "mandate_data",
            ],
            Kind::Setup => &["return_url", "mandate_data"],
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Payment => "Payment Intent",
            Kind::Setup => "Setup Intent",
        }
    }
}

type Refusal = (u16, Value);

/// Refuses the request to make an intent that Stripe refuses at `version`;
/// every other request passes.
pub(super) fn check(
    method: &Method,
    path: &str,
    form: &Form,
    version: &str,
) -> Result<(), Refusal> {
    let Some(kind) = Kind::of(method, path) else {
        return Ok(());
    };
    known_parameters(kind, form)?;
    let confirm = field(form, "confirm") == Some("true");
    if !confirm && let Some(name) = kind.confirm_only().iter().find(|n| given(form, n)) {
        return Err(invalid_param(
            name,
            "",
            &format!("`{name}` can only be used with `confirm=true`."),
        ));
    }
    if confirm && redirects_allowed(form, version)? {
        let off_session = kind == Kind::Payment
            && matches!(
                field(form, "off_session"),
                Some("true" | "one_off" | "recurring")
            );
        if field(form, "return_url").is_none() && !off_session {
            return Err(invalid_param("return_url", "", &return_url_required(kind)));
        }
        if kind == Kind::Payment && field(form, "error_on_requires_action") == Some("true") {
            return Err(invalid_param(
                "error_on_requires_action",
                "",
                "`error_on_requires_action` cannot be used with `automatic_payment_methods`: name the payment methods in `payment_method_types` instead.",
            ));
        }
    }
    Ok(())
}

fn known_parameters(kind: Kind, form: &Form) -> Result<(), Refusal> {
    let unknown = form
        .iter()
        .map(|(name, _)| name.split('[').next().unwrap_or(name))
        .find(|name| !kind.parameters().contains(name));
    match unknown {
        Some(name) => Err(invalid_param(
            name,
            "parameter_unknown",
            &format!("Received unknown parameter: {name}"),
        )),
        None => Ok(()),
    }
}

/// Whether the intent takes the Dashboard's payment methods with redirects
/// allowed: what makes a confirmation need a `return_url`.
fn redirects_allowed(form: &Form, version: &str) -> Result<bool, Refusal> {
    let named = given(form, "payment_method_types");
    if !given(form, "automatic_payment_methods") {
        return Ok(!named && version >= AUTOMATIC_BY_DEFAULT);
    }
    if named {
        return Err(invalid_param(
            "payment_method_types",
            "",
            "You may only specify one of these parameters: automatic_payment_methods, payment_method_types.",
        ));
    }
    let enabled = match field(form, "automatic_payment_methods[enabled]") {
        Some("true") => true,
        Some("false") => false,
        Some(_) => {
            return Err(invalid_param(
                "automatic_payment_methods[enabled]",
                "parameter_invalid_boolean",
                "Invalid boolean",
            ));
        }
        None => {
            return Err(invalid_param(
                "automatic_payment_methods[enabled]",
                "parameter_missing",
                "Missing required param: automatic_payment_methods[enabled].",
            ));
        }
    };
    match field(form, "automatic_payment_methods[allow_redirects]") {
        None | Some("always") => Ok(enabled),
        Some("never") => Ok(false),
        Some(_) => Err(invalid_param(
            "automatic_payment_methods[allow_redirects]",
            "parameter_invalid_enum",
            "Invalid automatic_payment_methods[allow_redirects]: must be one of always or never",
        )),
    }
}

/// Stripe's own words for a confirmation with nowhere to come back to.
fn return_url_required(kind: Kind) -> String {
    let noun = kind.noun();
    format!(
        "A `return_url` must be specified because this {noun} is configured to automatically \
         accept the payment methods enabled in the Dashboard, some of which may require a full \
         page redirect to succeed. If you do not want to accept redirect-based payment methods, \
         set `automatic_payment_methods[enabled]` to `true` and \
         `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents \
         and Payment Intents."
    )
}

/// Whether `name` is in the form, alone or as a hash or list.
fn given(form: &Form, name: &str) -> bool {
    form.iter().any(|(key, _)| {
        key == name
            || key
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('['))
    })
}
