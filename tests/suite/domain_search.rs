//! Domain search over real HTTP: normalisation, results and suggestions,
//! the cache, both rate-limit layers, and free subdomains.

mod cache;
mod limits;
mod refusals;

use hostfront_tests::App;
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
    // The agency's previews live under `preview.example.net`: its label is
    // the company's, never a customer's.
    let (_, _, previews) = app.get("/api/subdomains/check?name=preview").await;
    assert_eq!(previews["reason"], "reserved", "{previews}");
    let marker = hostfront::domains::subdomains::marker_key("mysite").to_item();
    app.ports.table.put(marker, None).await.unwrap();
    let taken_marker = hostfront::domains::subdomains::marker_key("mysite-site").to_item();
    app.ports.table.put(taken_marker, None).await.unwrap();
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
