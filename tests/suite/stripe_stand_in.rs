//! The stand-in of Stripe's API refuses what Stripe refuses (its OpenAPI
//! description for API version 2024-06-20, and card numbers from a server)
//! and finds intents as Stripe does: at once in a list, a minute late by
//! Search.

use std::time::Duration;

use hostfront_tests::stripe_server::{PUBLISHABLE_KEY, SECRET_KEY, StripeServer};
use serde_json::Value;

type Params<'a> = Vec<(&'a str, &'a str)>;

/// A form request to the stand-in, at the API version `version` when given.
async fn call(
    server: &StripeServer,
    method: reqwest::Method,
    path: &str,
    form: &[(&str, &str)],
    version: Option<&str>,
) -> (u16, Value) {
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let mut request = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base))
        .bearer_auth(SECRET_KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    if let Some(version) = version {
        request = request.header("stripe-version", version);
    }
    let answer = request.send().await.expect("the stand-in answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("JSON"))
}

async fn post(server: &StripeServer, path: &str, form: &[(&str, &str)]) -> (u16, Value) {
    call(
        server,
        reqwest::Method::POST,
        path,
        form,
        Some("2024-06-20"),
    )
    .await
}

async fn get(server: &StripeServer, path: &str) -> (u16, Value) {
    call(server, reqwest::Method::GET, path, &[], None).await
}

/// Stripe's test payment method of 4242 4242 4242 4242.
fn card() -> Params<'static> {
    vec![("payment_method", "pm_card_visa")]
}

fn raw_card(prefix: &'static str) -> Params<'static> {
    let name = |field: &str| -> &'static str { format!("{prefix}{field}").leak() };
    vec![
        (name("[type]"), "card"),
        (name("[card][number]"), "4242424242424242"),
        (name("[card][exp_month]"), "12"),
        (name("[card][exp_year]"), "2099"),
        (name("[card][cvc]"), "123"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_numbers_from_a_server_are_refused_as_stripe_refuses_them() {
    let server = StripeServer::start().await;
    let mut payment = payment(&NO_REDIRECTS);
    payment.retain(|(name, _)| *name != "payment_method");
    payment.extend(raw_card("payment_method_data"));
    let (_, customer) = post(&server, "/v1/customers", &[]).await;
    let customer = customer["id"].as_str().unwrap();
    let mut setup = vec![("customer", customer), ("confirm", "true")];
    setup.extend(NO_REDIRECTS);
    setup.extend(raw_card("payment_method_data"));
    let mut method = vec![("type", "card")];
    method.extend(
        raw_card("card")
            .into_iter()
            .filter(|(n, _)| *n != "card[type]"),
    );
    for (path, form) in [
        ("/v1/payment_intents", &payment),
        ("/v1/setup_intents", &setup),
        ("/v1/payment_methods", &method),
    ] {
        let (status, refused) = post(&server, path, form).await;
        assert_eq!(
            (status, refused["error"]["type"].as_str()),
            (402, Some("invalid_request_error")),
            "{path}: {refused}"
        );
        let message = refused["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with(
                "Sending credit card numbers directly to the Stripe API is generally unsafe."
            ),
            "Stripe's words: {message}"
        );
    }
    assert!(server.intents().is_empty(), "nothing was charged");
    // Stripe.js, with the publishable key, may send the card to Stripe.
    let made = server.browser_payment_method("4242424242424242").await;
    assert!(made.starts_with("pm_"), "{made}");
    let denied = reqwest::Client::new()
        .get(format!("{}/v1/payment_intents", server.base))
        .bearer_auth(PUBLISHABLE_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(
        denied.status().as_u16(),
        403,
        "a publishable key only makes payment methods"
    );
}

/// A PaymentIntent made and confirmed at once with a new card, plus `more`.
fn payment<'a>(more: &[(&'a str, &'a str)]) -> Params<'a> {
    let mut form = vec![
        ("amount", "4990"),
        ("currency", "usd"),
        ("capture_method", "manual"),
        ("confirm", "true"),
    ];
    form.extend(card());
    form.extend_from_slice(more);
    form
}

fn refused_param(answer: &(u16, Value)) -> (u16, &str, &str) {
    let error = &answer.1["error"];
    (
        answer.0,
        error["type"].as_str().unwrap_or_default(),
        error["param"].as_str().unwrap_or_default(),
    )
}

const NO_REDIRECTS: [(&str, &str); 2] = [
    ("automatic_payment_methods[enabled]", "true"),
    ("automatic_payment_methods[allow_redirects]", "never"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_confirmed_with_nowhere_to_come_back_to_is_refused_as_stripe_refuses_it() {
    let server = StripeServer::start().await;
    let refused = post(&server, "/v1/payment_intents", &payment(&[])).await;
    assert_eq!(
        refused_param(&refused),
        (400, "invalid_request_error", "return_url"),
        "{refused:?}"
    );
    let message = refused.1["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("A `return_url` must be specified because this Payment Intent"),
        "Stripe's words: {message}"
    );
    let ways_back: [Params; 4] = [
        vec![("return_url", "https://shop.example/back")],
        vec![("off_session", "true")],
        NO_REDIRECTS.to_vec(),
        vec![("payment_method_types[]", "card")],
    ];
    for way in ways_back {
        let (status, held) = post(&server, "/v1/payment_intents", &payment(&way)).await;
        assert_eq!(
            (status, &held["status"]),
            (200, &"requires_capture".into()),
            "{way:?}: {held}"
        );
    }
    let before = call(
        &server,
        reqwest::Method::POST,
        "/v1/payment_intents",
        &payment(&[]),
        Some("2023-08-15"),
    )
    .await;
    assert_eq!(
        before.0, 200,
        "cards only by default before 2023-08-16: {before:?}"
    );

    let both = post(
        &server,
        "/v1/payment_intents",
        &payment(&[
            ("payment_method_types[]", "card"),
            ("automatic_payment_methods[enabled]", "true"),
        ]),
    )
    .await;
    assert_eq!(refused_param(&both).2, "payment_method_types", "{both:?}");
    let mut unconfirmed = payment(&[("off_session", "true")]);
    unconfirmed.retain(|(name, _)| *name != "confirm");
    let early = post(&server, "/v1/payment_intents", &unconfirmed).await;
    assert_eq!(
        refused_param(&early),
        (400, "invalid_request_error", "off_session")
    );
    let half = post(
        &server,
        "/v1/payment_intents",
        &payment(&[("automatic_payment_methods[allow_redirects]", "never")]),
    )
    .await;
    assert_eq!(
        refused_param(&half).2,
        "automatic_payment_methods[enabled]",
        "{half:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_saved_with_nowhere_to_come_back_to_is_refused_as_stripe_refuses_it() {
    let server = StripeServer::start().await;
    let (_, customer) = post(&server, "/v1/customers", &[]).await;
    let customer = customer["id"].as_str().unwrap();
    let setup = |more: &[(&'static str, &'static str)]| {
        let mut form = vec![
            ("customer", customer),
            ("confirm", "true"),
            ("usage", "off_session"),
        ];
        form.extend(card());
        form.extend_from_slice(more);
        form
    };
    let refused = post(&server, "/v1/setup_intents", &setup(&[])).await;
    assert_eq!(
        refused_param(&refused),
        (400, "invalid_request_error", "return_url"),
        "{refused:?}"
    );
    assert!(
        refused.1["error"]["message"]
            .as_str()
            .unwrap()
            .contains("this Setup Intent"),
        "{refused:?}"
    );
    let no_such = post(
        &server,
        "/v1/setup_intents",
        &setup(&[("off_session", "true")]),
    )
    .await;
    assert_eq!(
        refused_param(&no_such),
        (400, "invalid_request_error", "off_session"),
        "a SetupIntent has no off_session: {no_such:?}"
    );
    let (status, saved) = post(&server, "/v1/setup_intents", &setup(&NO_REDIRECTS)).await;
    assert_eq!(
        (status, &saved["status"]),
        (200, &"succeeded".into()),
        "{saved}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_intent_is_listed_at_once_and_searchable_only_later() {
    let server = StripeServer::start().await;
    let mut made = Vec::new();
    for key in ["k-1", "k-2", "k-3"] {
        let metadata = [("metadata[hostfront_key]", key), ("off_session", "true")];
        let (status, intent) = post(&server, "/v1/payment_intents", &payment(&metadata)).await;
        assert_eq!(status, 200, "{intent}");
        made.push(intent["id"].as_str().unwrap().to_string());
    }
    let search = "/v1/payment_intents/search?query=metadata%5B%27hostfront_key%27%5D%3A%27k-1%27";
    let (status, found) = get(&server, search).await;
    assert_eq!(status, 200);
    assert_eq!(found["data"], Value::Array(vec![]), "not indexed yet");

    let (_, page) = get(&server, "/v1/payment_intents?limit=2").await;
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&page),
        [made[2].clone(), made[1].clone()],
        "newest first"
    );
    assert_eq!(page["has_more"], true);
    let (_, rest) = get(
        &server,
        &format!("/v1/payment_intents?limit=2&starting_after={}", made[1]),
    )
    .await;
    assert_eq!(
        (ids(&rest), &rest["has_more"]),
        (vec![made[0].clone()], &false.into())
    );
    let later = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let (_, none) = get(
        &server,
        &format!("/v1/payment_intents?created%5Bgte%5D={later}"),
    )
    .await;
    assert_eq!(ids(&none), Vec::<String>::new(), "made before the bound");
    let (status, _) = get(&server, "/v1/payment_intents?limit=101").await;
    assert_eq!(status, 400, "a page holds at most 100");

    server.search_lag(Duration::ZERO);
    let (_, found) = get(&server, search).await;
    assert_eq!(found["data"][0]["id"], made[0].as_str(), "indexed: {found}");
    assert_eq!(server.searches(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_card_kept_with_a_payment_is_attached_to_its_customer_only() {
    let server = StripeServer::start().await;
    let method = server.browser_payment_method("4242424242424242").await;
    let keeping = |usage: &'static str, customer: &'static str| {
        let mut form = payment(&NO_REDIRECTS);
        form.push(("setup_future_usage", usage));
        if !customer.is_empty() {
            form.push(("customer", customer));
        }
        form
    };
    let with_method = |mut form: Params<'static>, method: &str| {
        let method: &'static str = method.to_string().leak();
        form.retain(|(name, _)| *name != "payment_method");
        form.push(("payment_method", method));
        form
    };
    let odd = post(
        &server,
        "/v1/payment_intents",
        &with_method(keeping("sometimes", ""), &method),
    )
    .await;
    assert_eq!(refused_param(&odd).2, "setup_future_usage", "{odd:?}");
    let nobody = post(
        &server,
        "/v1/payment_intents",
        &with_method(keeping("off_session", "cus_nobody"), &method),
    )
    .await;
    assert_eq!(nobody.0, 404, "{nobody:?}");

    // Without a customer Stripe takes it, and attaches the card to nobody:
    // it is used up.
    let (status, paid) = post(
        &server,
        "/v1/payment_intents",
        &with_method(keeping("off_session", ""), &method),
    )
    .await;
    assert_eq!(status, 200, "{paid}");
    let again = post(
        &server,
        "/v1/payment_intents",
        &with_method(payment(&NO_REDIRECTS), &method),
    )
    .await;
    assert_eq!(refused_param(&again).2, "payment_method", "{again:?}");

    // With one, it is attached once the payment is held, and pays again
    // for that customer, off session.
    let (_, customer) = post(&server, "/v1/customers", &[]).await;
    let customer: &'static str = customer["id"].as_str().unwrap().to_string().leak();
    let method = server.browser_payment_method("4242424242424242").await;
    let (status, kept) = post(
        &server,
        "/v1/payment_intents",
        &with_method(keeping("off_session", customer), &method),
    )
    .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["setup_future_usage"], "off_session");
    assert_eq!(kept["customer"], customer);
    let later = payment(&[("off_session", "true"), ("customer", customer)]);
    let (status, charged) =
        post(&server, "/v1/payment_intents", &with_method(later, &method)).await;
    assert_eq!(status, 200, "{charged}");
}
