//! What a check refuses or cannot answer: every rejection a JSON 422 with
//! its code, no input a 500, a failing registry a 503 with nothing cached.

use super::check;
use hostfront::store::Key;
use hostfront_tests::App;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rejection_is_a_json_422_with_its_code() {
    let app = App::embedded().await;
    for (input, code) in [
        ("", "empty"),
        ("http://", "empty"),
        (&"a".repeat(1500), "too_long"),
        // Too long as typed, however much tidying would take away.
        (&format!("a{}", "\\".repeat(1500)), "too_long"),
        (&format!("{}.com", "a".repeat(64)), "label_too_long"),
        (
            &format!("{}.com", vec!["b".repeat(62); 4].join(".")),
            "name_too_long",
        ),
        // A fullwidth "!" is "!" to IDNA, which no name has; an ASCII one
        // would be tidied away.
        ("bad\u{ff01}name.com", "invalid_characters"),
        ("-bakery.com", "hyphen_position"),
        ("xn--zz.com", "invalid_punycode"),
        ("co.uk", "public_suffix"),
        (".com", "public_suffix"),
        ("203.0.113.5", "ip_address"),
        ("[2001:db8::1]", "ip_address"),
        ("a..com", "empty_label"),
    ] {
        let (status, _, body) = check(&app, input).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some(code)),
            "{input:?}: {body}"
        );
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    let (status, _, body) = app.get("/api/domains/check").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_query"))
    );
    // Spaces and punctuation are tidied away, as registrars' searches do.
    let (status, _, body) = check(&app, " My Bakery! ").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["normalized"]["unicode"], "mybakery");
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_input_makes_the_check_fail_with_a_500() {
    let app = App::embedded().await;
    let mut rng = fastrand::Rng::with_seed(7);
    let alphabet: Vec<char> = "abcxyz019-._:/@[]?#% äöüßéñ中文字😀\u{200d}\u{0301}。ＡＢ"
        .chars()
        .collect();
    let mut inputs: Vec<String> = (0..300)
        .map(|_| {
            (0..rng.usize(1..40))
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect()
        })
        .collect();
    inputs.extend(
        [
            "xn--",
            "xn--.com",
            "-",
            ".",
            "..",
            "a.",
            "@",
            "::",
            "[",
            "]:80",
            "http://[::1",
            &"x".repeat(70),
        ]
        .map(String::from),
    );
    for input in inputs {
        let (status, _, body) = check(&app, &input).await;
        assert!(
            status == 200 || status == 422,
            "{input:?} answered {status}: {body}"
        );
        if status == 422 {
            assert!(body["error"]["code"].is_string(), "{input:?}: {body}");
        }
    }
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_registry_is_a_503_and_nothing_is_cached() {
    let app = App::embedded_with(|c| c.sim.registrar_failure_rate = 1.0).await;
    let (status, retry, body) = check(&app, "quietbakery.com").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("unavailable")),
        "{body}"
    );
    assert!(retry.is_some());
    let cached = app
        .ports
        .table
        .get(&Key::new("DOMAINCHECK#quietbakery.com", "RESULT"))
        .await
        .unwrap();
    assert!(cached.is_none());
    app.shutdown().await.unwrap();
}
