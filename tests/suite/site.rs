//! The static site over HTTP: pages name their assets at versioned
//! addresses and are asked for again each time (304 while unchanged);
//! assets at the current version are kept a year; text is compressed; and
//! the bundle for a CDN is the same site.

use std::path::Path;

use hostfront_tests::{App, http};
use reqwest::header;

/// The folder of the site the app serves.
fn site_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../site")
}

async fn answer(
    app: &App,
    path: &str,
    headers: &[(header::HeaderName, &str)],
) -> reqwest::Response {
    let mut request = http().get(app.url(path));
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.send().await.unwrap()
}

fn cache_of(response: &reqwest::Response) -> String {
    response.headers()[header::CACHE_CONTROL]
        .to_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_fresh_and_their_assets_kept_a_year() {
    let app = App::embedded().await;
    let version = hostfront::http::site::version(&site_dir()).unwrap();

    let page = answer(&app, "/order.html", &[]).await;
    assert_eq!(page.status(), 200);
    assert_eq!(cache_of(&page), "no-cache");
    let tag = page.headers()[header::ETAG].to_str().unwrap().to_string();
    let text = page.text().await.unwrap();
    let script = format!("/v/{version}/assets/order.js");
    assert!(text.contains(&format!("src=\"{script}\"")), "{text}");
    assert!(!text.contains("=\"/assets/"), "every asset is versioned");

    let again = answer(&app, "/order.html", &[(header::IF_NONE_MATCH, &tag)]).await;
    assert_eq!(again.status(), 304, "the browser's copy is still good");

    let asset = answer(&app, &script, &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(asset.status(), 200);
    assert_eq!(cache_of(&asset), "public, max-age=31536000, immutable");
    assert_eq!(asset.headers()[header::CONTENT_ENCODING], "gzip");

    // A page of another version finds the asset as it is now, not kept.
    let stale = answer(&app, "/v/000000000000/assets/order.js", &[]).await;
    assert_eq!(
        (stale.status().as_u16(), cache_of(&stale).as_str()),
        (200, "no-cache")
    );
    let modified = asset.headers()[header::LAST_MODIFIED]
        .to_str()
        .unwrap()
        .to_string();
    let revalidated = answer(&app, &script, &[(header::IF_MODIFIED_SINCE, &modified)]).await;
    assert_eq!(revalidated.status(), 304);
    assert_eq!(
        cache_of(&revalidated),
        "public, max-age=31536000, immutable",
        "a 304 keeps it kept"
    );
    let query_in_path = format!("/v/{version}/assets/order.js%3f/../../x");
    for outside in [
        "/v/x/index.html",
        "/v/x/assets/nothing.js",
        "/nothing.html",
        query_in_path.as_str(),
    ] {
        let missing = answer(&app, outside, &[]).await;
        assert_eq!(missing.status(), 404, "{outside}");
    }
    let plain = answer(&app, "/assets/site.css", &[]).await;
    assert_eq!(
        (plain.status().as_u16(), cache_of(&plain).as_str()),
        (200, "no-cache")
    );
}

#[test]
fn the_bundle_is_the_site_with_versioned_pages() {
    let site = site_dir();
    let out = tempfile::TempDir::new().unwrap();
    let bundle = out.path().join("site");
    let version = hostfront::http::site::bundle(&site, &bundle).unwrap();
    assert_eq!(version, hostfront::http::site::version(&site).unwrap());
    let page = std::fs::read_to_string(bundle.join("portal.html")).unwrap();
    assert!(page.contains(&format!("/v/{version}/assets/portal.js")));
    for asset in ["assets/site.css", "assets/portal/renewal.js"] {
        let original = std::fs::read(site.join(asset)).unwrap();
        assert_eq!(std::fs::read(bundle.join(asset)).unwrap(), original);
        let versioned = bundle.join("v").join(&version).join(asset);
        assert_eq!(std::fs::read(versioned).unwrap(), original, "{asset}");
    }
}

/// Modules import one another by relative paths, so that a module loaded
/// from a versioned address loads the rest from the same version (an
/// absolute path would load a second, unversioned copy).
#[test]
fn modules_import_one_another_by_relative_paths() {
    let mut absolute = Vec::new();
    let mut folders = vec![site_dir().join("assets")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "js") {
                let text = std::fs::read_to_string(&path).unwrap();
                for line in text.lines() {
                    let imports =
                        line.trim_start().starts_with("import ") || line.contains("} from ");
                    if imports && (line.contains("\"/") || line.contains("'/")) {
                        absolute.push(format!("{}: {line}", path.display()));
                    }
                }
            }
        }
    }
    assert!(absolute.is_empty(), "{absolute:#?}");
}

/// The API's public answers (the catalog, the countries) are compressed and
/// may be kept a minute; an answer about someone is neither, so that no
/// secret is ever compressed beside what a client sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_public_answers_are_compressed() {
    let app = App::embedded().await;
    for path in ["/api/catalog", "/api/countries"] {
        let public = answer(&app, path, &[(header::ACCEPT_ENCODING, "gzip")]).await;
        assert_eq!(public.status(), 200, "{path}");
        assert_eq!(cache_of(&public), "public, max-age=60", "{path}");
        assert_eq!(public.headers()[header::CONTENT_ENCODING], "gzip", "{path}");
    }
    let private = answer(
        &app,
        "/api/openapi.json",
        &[(header::ACCEPT_ENCODING, "gzip")],
    )
    .await;
    assert_eq!(private.status(), 200);
    assert!(private.headers().get(header::CONTENT_ENCODING).is_none());
    let refused = answer(&app, "/api/me", &[(header::ACCEPT_ENCODING, "gzip")]).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.headers().get(header::CONTENT_ENCODING).is_none());
}
