//! The form fields of Stripe's requests, and the ids we put in paths.

/// A path segment from an id we were given (never a path of its own).
pub(super) fn path_segment(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

/// For an intent confirmed where nobody can be sent to a page (a card
/// charged or saved by the server): the Dashboard's payment methods, less
/// those that need a redirect. Since API version 2023-08-16 an intent made
/// without `payment_method_types` takes every method enabled in the
/// Dashboard, and confirming it needs a `return_url` unless it is off
/// session or allows no redirect (Stripe's changelog, "Enables automatic
/// payment methods by default"; `automatic_payment_methods` in its OpenAPI
/// description for 2024-06-20). Stripe's own refusal names this way out,
/// and it keeps the Dashboard the one place where methods are switched on
/// and off, where `payment_method_types[]=card` would fix them here. A
/// card's 3-D Secure is no redirect-based method: a bank that asks still
/// leaves the intent waiting for its holder, which is answered as a
/// decline (`authentication_required`).
pub(super) fn no_redirects() -> [(String, String); 2] {
    [
        ("automatic_payment_methods[enabled]".into(), "true".into()),
        (
            "automatic_payment_methods[allow_redirects]".into(),
            "never".into(),
        ),
    ]
}

/// A saved card's token: the Stripe customer and their payment method.
pub(super) fn saved_token(customer: &str, method: &str) -> String {
    format!("{customer}.{method}")
}
