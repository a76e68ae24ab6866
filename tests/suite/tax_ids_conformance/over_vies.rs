//! What only VIES has: the consultation number only for a requester that
//! names itself, each refusal it documents read as its kind, the process
//! wired to it by its settings, and a stand-in that refuses what VIES
//! refuses.

use std::time::Duration;

use hostfront::settings::TaxIdsChoice;
use hostfront::tax_ids::TaxIdError;
use hostfront_tests::vies_server::{REQUESTER, ViesServer};
use serde_json::{Value, json};

use super::{adapter, vat};

#[tokio::test]
async fn without_a_requester_vies_gives_no_consultation_number() {
    let server = ViesServer::start().await;
    server.register("DE123456789", "ACME GMBH", "BERLIN");
    let check = adapter(&server, None)
        .check(&vat("DE123456789"))
        .await
        .unwrap();
    assert!(check.valid);
    assert_eq!(check.consultation, None);
}

#[tokio::test]
async fn every_refusal_vies_documents_reaches_the_port_as_its_kind() {
    let server = ViesServer::start().await;
    let port = adapter(&server, Some(REQUESTER));
    for (i, code) in [
        "INVALID_INPUT",
        "INVALID_REQUESTER_INFO",
        "SERVICE_UNAVAILABLE",
        "MS_UNAVAILABLE",
        "TIMEOUT",
        "VAT_BLOCKED",
        "IP_BLOCKED",
        "GLOBAL_MAX_CONCURRENT_REQ",
        "GLOBAL_MAX_CONCURRENT_REQ_TIME",
        "MS_MAX_CONCURRENT_REQ",
        "MS_MAX_CONCURRENT_REQ_TIME",
    ]
    .into_iter()
    .enumerate()
    {
        let number = format!("AT{i:09}");
        server.refuse(&number, code);
        let error = port.check(&vat(&number)).await.unwrap_err();
        let kind = match error {
            TaxIdError::Malformed(_) => "INVALID_INPUT",
            TaxIdError::Misconfigured(_) => "ours",
            TaxIdError::Unavailable(_) => "later",
        };
        let expected = match code {
            "INVALID_INPUT" => "INVALID_INPUT",
            "INVALID_REQUESTER_INFO" | "VAT_BLOCKED" | "IP_BLOCKED" => "ours",
            _ => "later",
        };
        assert_eq!(kind, expected, "{code}: {error}");
        assert!(!error.to_string().contains(&number), "no number in {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_process_asks_vies_when_configured() {
    let server = ViesServer::start().await;
    server.register("XI123456789", "BELFAST LTD", "BELFAST");
    let clock = hostfront::clock::ManualClock::starting_now();
    let settings = server.settings(Some(REQUESTER), Duration::from_secs(5));
    let (_dir, ports) = hostfront_tests::embedded_ports_with(&clock, |s| {
        s.adapters.tax_ids = TaxIdsChoice::Vies(settings);
    });
    assert_eq!(ports.tax_ids.name(), "vies");
    let check = ports.tax_ids.check(&vat("XI 123 456 789")).await.unwrap();
    assert!(check.valid && check.consultation.is_some(), "{check:?}");
    let (_dir, simulated) = hostfront_tests::embedded_ports_with(&clock, |_| {});
    assert_eq!(simulated.tax_ids.name(), "simulated");
}

/// Posts `body` to the stand-in's `path`: the status and the answer.
async fn post(server: &ViesServer, path: &str, body: String) -> (u16, Value) {
    let response = hostfront_tests::http()
        .post(format!("{}{path}", server.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn refused(answer: &Value) -> &str {
    assert_eq!(answer["actionSucceed"], json!(false), "{answer}");
    answer["errorWrappers"][0]["error"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn the_stand_in_refuses_what_vies_refuses() {
    let server = ViesServer::start().await;
    let check = |body: Value| post(&server, "/check-vat-number", body.to_string());
    for (body, code) in [
        (
            json!({"countryCode": "GR", "vatNumber": "094259216"}),
            "INVALID_INPUT",
        ),
        (
            json!({"countryCode": "DE", "vatNumber": "1"}),
            "INVALID_INPUT",
        ),
        (
            json!({"countryCode": "DE", "vatNumber": "12 34"}),
            "INVALID_INPUT",
        ),
        (json!({"countryCode": "DE"}), "INVALID_INPUT"),
        (
            json!({"countryCode": "DE", "vatNumber": 123456789}),
            "INVALID_INPUT",
        ),
        (
            json!({"countryCode": "DE", "vatNumber": "123456789", "requesterNumber": "123456789B01"}),
            "INVALID_REQUESTER_INFO",
        ),
    ] {
        let (status, answer) = check(body.clone()).await;
        assert_eq!((status, refused(&answer)), (400, code), "{body}");
    }
    let (status, answer) = post(&server, "/check-vat-number", "{not json".into()).await;
    assert_eq!((status, refused(&answer)), (400, "INVALID_INPUT"));
    assert_eq!(server.requests(), 0, "none reached the register");
}

#[tokio::test]
async fn the_stand_in_answers_the_test_service_numbers() {
    let server = ViesServer::start().await;
    let test = |number: &str| {
        let body = json!({"countryCode": "BE", "vatNumber": number}).to_string();
        post(&server, "/check-vat-test-service", body)
    };
    let (status, valid) = test("100").await;
    assert_eq!((status, &valid["valid"]), (200, &json!(true)), "{valid}");
    assert_eq!(
        valid["requestIdentifier"],
        json!(""),
        "no requester, no number"
    );
    let (_, invalid) = test("200").await;
    assert_eq!(
        (&invalid["valid"], &invalid["name"]),
        (&json!(false), &json!("---"))
    );
    for (number, status, code) in [
        ("201", 400, "INVALID_INPUT"),
        ("301", 500, "MS_UNAVAILABLE"),
        ("302", 500, "TIMEOUT"),
        ("601", 500, "MS_MAX_CONCURRENT_REQ_TIME"),
        ("999", 500, "SERVICE_UNAVAILABLE"),
    ] {
        let (got, answer) = test(number).await;
        assert_eq!((got, refused(&answer)), (status, code), "{number}");
    }
}
