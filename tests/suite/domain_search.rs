//! Domain search over real HTTP: normalisation, results and suggestions,
//! the cache, both rate-limit layers, and free subdomains.

use std::sync::Arc;

use hostfront::Services;
use hostfront::clock::ManualClock;
use hostfront::domains;
use hostfront::ratelimit::ClientLimiter;
use hostfront::registrar::Registration;
use hostfront::store::Key;
use hostfront_tests::{App, embedded_services};
use serde_json::{Value, json};

fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn check(app: &App, query: &str) -> (u16, Option<String>, Value) {
    app.get(&format!("/api/domains/check?name={}", encode(query)))
        .await
}

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|o| o["domain"].as_str().unwrap())
        .collect()
}

on_both_engines!(a_word_is_searched_on_every_sold_tld_with_suggestions: a_word_is_searched_on_every_sold_tld_with_suggestions_embedded, a_word_is_searched_on_every_sold_tld_with_suggestions_cloud);

async fn a_word_is_searched_on_every_sold_tld_with_suggestions(app: &App) {
    let (status, _, body) = check(app, "  MyBakeryShop ").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["normalized"],
        json!({"kind": "word", "ascii": "mybakeryshop", "unicode": "mybakeryshop"})
    );
    let catalog = app.get("/api/catalog").await.2;
    assert_eq!(
        body["results"].as_array().unwrap().len(),
        catalog["tlds"].as_array().unwrap().len()
    );
    assert_eq!(
        names(&body["results"])[0],
        "mybakeryshop.com",
        "in TLD rank order"
    );
    let com = &body["results"][0];
    assert_eq!(com["available"], true);
    assert_eq!(com["prices"]["register"], catalog["tlds"][0]["register"]);
    assert_eq!(com["cached"], false);
    assert_eq!(body["currency"], "USD");

    let suggestions = body["suggestions"].as_array().unwrap();
    let available = suggestions
        .iter()
        .filter(|s| s["available"] == true)
        .count();
    assert!(available >= 10, "{available} available suggestions");
    let listed = names(&body["suggestions"]);
    assert!(
        listed.contains(&"my-bakery-shop.com"),
        "word segmentation: {listed:?}"
    );
    assert!(
        listed.iter().all(|n| !n.starts_with("mybakeryshop.")),
        "the searched names are results, not suggestions"
    );
    // Available first, then by score.
    let keys: Vec<(bool, i64)> = suggestions
        .iter()
        .map(|s| {
            (
                s["available"].as_bool().unwrap(),
                s["score"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        keys.windows(2)
            .all(|w| (w[0].0 && !w[1].0) || (w[0].0 == w[1].0 && w[0].1 >= w[1].1)),
        "{keys:?}"
    );

    let (_, _, again) = check(app, "mybakeryshop").await;
    assert_eq!(
        again["cached"], true,
        "the second search is answered from the cache"
    );

    // Taken and premium names in the simulated world.
    let (_, _, bakery) = check(app, "bakery").await;
    let by_name = |name: &str| {
        bakery["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["domain"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        (
            by_name("bakery.com")["available"].clone(),
            by_name("bakery.com")["reason"].clone()
        ),
        (json!(false), json!("registered"))
    );
    let cake = check(app, "cake.shop").await.2;
    assert_eq!(cake["results"][0]["premium"], true);
    assert!(
        cake["results"][0]["prices"]["register"].as_i64().unwrap()
            > by_name("bakery.shop")["prices"]["register"]
                .as_i64()
                .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_normalised_as_a_person_expects() {
    let app = App::embedded().await;
    let (status, _, body) = check(&app, "https://www.Bäckerei.de/brot?x=1").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["normalized"],
        json!({"kind": "domain", "ascii": "xn--bckerei-5wa.de", "unicode": "bäckerei.de"})
    );
    assert_eq!(names(&body["results"]), ["xn--bckerei-5wa.de"]);
    assert_eq!(body["results"][0]["unicode"], "bäckerei.de");

    let (_, _, sub) = check(&app, "shop.quietbakery.co.uk").await;
    assert_eq!(names(&sub["results"]), ["quietbakery.co.uk"]);
    assert!(sub["notice"].as_str().unwrap().contains("subdomain"));

    let (status, _, unsold) = check(&app, "quietbakery.xyz").await;
    assert_eq!(status, 200);
    assert!(unsold["results"].as_array().unwrap().is_empty());
    assert!(
        unsold["notice"].as_str().unwrap().contains(".xyz"),
        "{unsold}"
    );
    assert!(
        names(&unsold["suggestions"]).contains(&"quietbakery.com"),
        "offers the sold TLDs"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rejection_is_a_json_422_with_its_code() {
    let app = App::embedded().await;
    for (input, code) in [
        ("", "empty"),
        ("http://", "empty"),
        (&"a".repeat(1500), "too_long"),
        (&format!("{}.com", "a".repeat(64)), "label_too_long"),
        (
            &format!("{}.com", vec!["b".repeat(62); 4].join(".")),
            "name_too_long",
        ),
        ("bad_name.com", "invalid_characters"),
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
async fn both_limiter_layers_answer_429_with_retry_after() {
    let app = App::embedded_with(|c| {
        c.policy.check_per_minute = 60;
        c.policy.check_burst = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(check(&app, "bakery.com").await.0, 200);
    }
    let (status, retry, body) = check(&app, "bakery.com").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    app.shutdown().await.unwrap();

    // The shared window counts across processes: two apps (two Lambda
    // containers, each with its own in-process limiter) on one table.
    let first = App::embedded_with(|c| c.policy.check_window_limit = 3).await;
    let policy = &first.services.config;
    let own_limiter = ClientLimiter::new(
        "check",
        policy.check_per_minute,
        policy.check_burst,
        policy.check_window_limit,
        60,
    );
    let second = App::serve(Services {
        check_limiter: Arc::new(own_limiter),
        ..first.services.clone()
    })
    .await;
    assert_eq!(check(&first, "bakery.com").await.0, 200);
    assert_eq!(check(&second, "bakery.com").await.0, 200);
    assert_eq!(check(&first, "bakery.com").await.0, 200);
    let (status, retry, body) = check(&second, "bakery.com").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    let retry: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "until the window ends: {retry}");
    let (status, _, _) = first.get("/api/subdomains/check?name=mysite").await;
    assert_eq!(status, 429, "subdomain checks share the limit");
    second.shutdown().await.unwrap();
    first.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_trusted_proxy_are_limited_one_by_one() {
    let app = App::embedded_with(|c| {
        c.policy.check_burst = 2;
        c.policy.check_per_minute = 2;
        c.policy.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    let url = "/api/domains/check?name=bakery.com";
    for _ in 0..2 {
        assert_eq!(app.get_with(url, &from("198.51.100.1")).await.0, 200);
    }
    assert_eq!(app.get_with(url, &from("198.51.100.1")).await.0, 429);
    assert_eq!(
        app.get_with(url, &from("198.51.100.2")).await.0,
        200,
        "another client behind the proxy"
    );
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
        .services
        .table
        .get(&Key::new("DOMAINCHECK#quietbakery.com", "RESULT"))
        .await
        .unwrap();
    assert!(cached.is_none());
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_answers_expire_and_ordering_rechecks_live() {
    let clock = ManualClock::starting_now();
    let (_dir, services) = embedded_services(&clock);
    hostfront::catalog::seed_demo(services.table.as_ref())
        .await
        .unwrap();
    let name = vec!["quietbakery.com".to_string()];
    let first = domains::availability(&services, &name).await.unwrap();
    assert_eq!(
        (first[&name[0]].0.available, first[&name[0]].1),
        (true, false)
    );
    // Somebody registers it meanwhile.
    let registration = Registration {
        domain: name[0].clone(),
        years: 1,
        registrant: "C1".into(),
        nameservers: vec![],
        idempotency_key: "k1".into(),
    };
    services.registrar.register(&registration).await.unwrap();
    let cached = domains::availability(&services, &name).await.unwrap();
    assert_eq!(
        (cached[&name[0]].0.available, cached[&name[0]].1),
        (true, true),
        "still the cached answer"
    );
    let live = domains::live_check(&services, &name).await.unwrap();
    assert!(!live[0].available, "an order re-checks live");
    clock.advance_secs(services.config.check_cache_available_secs as i64 + 1);
    let expired = domains::availability(&services, &name).await.unwrap();
    assert_eq!(
        (expired[&name[0]].0.available, expired[&name[0]].1),
        (false, false),
        "the cache expired"
    );
    // Taken answers live longer.
    clock.advance_secs(services.config.check_cache_available_secs as i64 + 1);
    assert!(domains::availability(&services, &name).await.unwrap()[&name[0]].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_subdomains_are_checked_with_suggestions() {
    let app = App::embedded().await;
    let (status, _, free) = app.get("/api/subdomains/check?name=QuietBakery").await;
    assert_eq!(status, 200);
    assert_eq!(
        free,
        json!({"name": "quietbakery", "zone": "example.net", "fqdn": "quietbakery.example.net",
                            "available": true, "reason": null, "suggestions": []})
    );
    let (_, _, reserved) = app.get("/api/subdomains/check?name=www").await;
    assert_eq!(
        (reserved["available"].clone(), reserved["reason"].clone()),
        (json!(false), json!("reserved"))
    );
    assert!(!reserved["suggestions"].as_array().unwrap().is_empty());
    let marker = hostfront::domains::subdomains::marker_key("mysite").to_item();
    app.services.table.put(marker, None).await.unwrap();
    let taken_marker = hostfront::domains::subdomains::marker_key("mysite-site").to_item();
    app.services.table.put(taken_marker, None).await.unwrap();
    let (_, _, taken) = app.get("/api/subdomains/check?name=mysite").await;
    assert_eq!(taken["reason"], "taken");
    let suggested: Vec<&str> = taken["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        !suggested.is_empty() && !suggested.contains(&"mysite-site"),
        "{suggested:?}"
    );
    for (input, code) in [
        ("ab", "too_short"),
        ("my.site", "invalid_characters"),
        ("", "empty"),
    ] {
        let (status, _, body) = app
            .get(&format!("/api/subdomains/check?name={}", encode(input)))
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some(code)),
            "{input:?}"
        );
    }
    app.shutdown().await.unwrap();
}
