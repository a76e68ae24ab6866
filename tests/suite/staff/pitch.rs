//! A client site's pitch, on both engines: the preview site made once
//! however often it is asked (retried, or two clicks at once), the public
//! preview link that shows only while the site is `poc_ready` or
//! `proposal_sent`, links that expire and can be renewed, and hostile
//! tokens. Proposals and their acceptance: `pitch_accept`.

use hostfront::agency::preview::{self, LinkChange};
use hostfront::agency::site::{self, NewSite, SiteMove, SiteStatus};
use hostfront::audit::Actor;
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency::new_site;

pub(super) fn path(site: &Value, tail: &str) -> String {
    format!("/api/admin/sites/{}{tail}", site["id"].as_str().unwrap())
}

/// Moves `site` to `to` by hand; the site after.
pub(super) async fn moved(clerk: &Clerk<'_>, site: &Value, to: &str) -> Value {
    let body = json!({"to": to, "why": format!("moving to {to}"), "v": site["v"]});
    let (status, after) = clerk.post(&path(site, "/moves"), body).await;
    assert_eq!(status, 200, "{after}");
    after
}

/// The token of a link the API gave (`…/preview.html#<token>`).
pub(super) fn token_of(url: &Value) -> String {
    url.as_str().unwrap().split('#').nth(1).unwrap().to_string()
}

/// The simulated panel's page at `address` shows the account of `host`,
/// framed by this site's pages only, which the preview page may frame;
/// a name the panel does not hold is not served.
async fn simulated_site_shows(app: &App, address: &str, host: &str) {
    let response = hostfront_tests::http()
        .get(app.url(address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
    let policy = headers["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    let page = response.text().await.unwrap();
    assert!(page.contains(&format!("<h1>{host}</h1>")), "{page}");
    let unknown = hostfront_tests::http()
        .get(app.url("/simulated-panel/sites/nobody0"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let customers = hostfront::panel::NewAccount {
        username: "shopper1".into(),
        password: secrecy::SecretString::from("a long enough password"),
        domain: "shopper-bakery.com".into(),
        plan_id: "web-starter".into(),
        pool: "shared".into(),
        idempotency_key: "a-customers-order".into(),
    };
    app.ports.panel.create_account(&customers).await.unwrap();
    let theirs = hostfront_tests::http()
        .get(app.url("/simulated-panel/sites/shopper1"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        theirs.status().as_u16(),
        404,
        "a customer's account is no stranger's to look up"
    );
    let hostile = hostfront_tests::http()
        .get(app.url("/simulated-panel/sites/%3Cscript%3E"))
        .send()
        .await
        .unwrap();
    assert_eq!(hostile.status().as_u16(), 404);
    let preview_page = hostfront_tests::http()
        .get(app.url("/preview.html"))
        .send()
        .await
        .unwrap();
    let policy = preview_page.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        policy.contains("frame-src 'self' https://*.preview.example.net;"),
        "the preview zone's hosts and the simulated panel's pages only: {policy}"
    );
}

/// What the public preview route answers for `token`: its status and body.
pub(super) async fn preview_of(app: &App, token: &str) -> (u16, Value) {
    let (status, _, body) = app.get(&format!("/api/previews/{token}")).await;
    (status, body)
}

async fn audit_actions(app: &App, site: &Value) -> Vec<String> {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, trail) = admin
        .get(&format!(
            "/api/admin/audit?subject=site:{}",
            site["id"].as_str().unwrap()
        ))
        .await;
    trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn a_preview_is_made_once_and_shows_only_while_pitched(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let site = new_site(&support).await;
    let preview_path = path(&site, "/preview");
    let make = || support.post(&preview_path, json!({}));
    let (first, second) = tokio::join!(make(), make());
    assert_eq!((first.0, second.0), (200, 200), "{} {}", first.1, second.1);
    let account = first.1["panel_account"].as_str().unwrap().to_string();
    assert_eq!(
        second.1["panel_account"],
        account.as_str(),
        "two clicks, one account"
    );
    let (status, again) = make().await;
    assert_eq!(
        (status, again["panel_account"].as_str()),
        (200, Some(account.as_str())),
        "a retry makes nothing new"
    );
    let host = again["preview_host"].as_str().unwrap().to_string();
    assert!(
        host.starts_with("boulangerie-du-parc-") && host.ends_with(".preview.example.net"),
        "{host}"
    );
    let on_panel = app
        .ports
        .panel
        .account(&account)
        .await
        .unwrap()
        .expect("the account is on the panel");
    assert_eq!(on_panel.domain, host);
    let made = audit_actions(app, &site)
        .await
        .iter()
        .filter(|a| *a == "preview_made")
        .count();
    assert_eq!(made, 1, "one preview made, in the audit log once");

    let (status, link) = support
        .post(&path(&site, "/preview-link"), json!({"v": again["v"]}))
        .await;
    assert_eq!(status, 200, "{link}");
    let token = token_of(&link["url"]);
    assert!(
        link["url"].as_str().unwrap().contains("/preview.html#"),
        "the token is in the fragment"
    );
    assert!(
        !link["site"].to_string().contains(&token),
        "the site keeps no token"
    );
    assert_eq!(
        preview_of(app, &token).await.0,
        410,
        "a draft shows nothing yet"
    );

    let ready = moved(&support, &link["site"], "poc_ready").await;
    let (status, shown) = preview_of(app, &token).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["business_name"], "Boulangerie du Parc");
    assert_eq!(
        shown["preview_url"],
        format!("/simulated-panel/sites/{account}"),
        "the simulated panel's web server shows the account's site"
    );
    simulated_site_shows(app, shown["preview_url"].as_str().unwrap(), &host).await;
    assert_eq!(
        shown.as_object().unwrap().len(),
        3,
        "the name, the company and the address only: {shown}"
    );

    let (status, ended) = support
        .send(
            reqwest::Method::PATCH,
            &path(&site, "/preview-link"),
            json!({"change": "end", "v": ready["v"]}),
        )
        .await;
    assert_eq!(status, 200, "{ended}");
    assert_eq!(
        preview_of(app, &token).await.0,
        404,
        "an ended link opens nothing"
    );
    let (_, fresh) = support
        .post(&path(&site, "/preview-link"), json!({"v": ended["v"]}))
        .await;
    let fresh_token = token_of(&fresh["url"]);
    assert_eq!(preview_of(app, &fresh_token).await.0, 200);

    let cancelled = {
        let billing = Clerk::log_in(app, Role::Billing).await;
        let body =
            json!({"to": "cancelled", "why": "they went elsewhere", "v": fresh["site"]["v"]});
        billing.post(&path(&site, "/moves"), body).await
    };
    assert_eq!(cancelled.0, 200, "{}", cancelled.1);
    assert_eq!(
        preview_of(app, &fresh_token).await.0,
        410,
        "never once cancelled"
    );
    let (status, body) = support
        .post(
            &path(&site, "/preview-link"),
            json!({"v": cancelled.1["v"]}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("preview_closed"))
    );
}

on_both_engines!(a_preview_is_made_once_and_shows_only_while_pitched: preview_embedded, preview_cloud);

async fn hostile_tokens_open_nothing(app: &App) {
    let long = "a".repeat(101);
    let guessed = hostfront::accounts::random_token();
    for token in [
        "x",
        "..%2F..%2Fetc%2Fpasswd",
        "%00",
        "a%20b",
        long.as_str(),
        guessed.as_str(),
        "SITELINK%23abc",
    ] {
        let (status, body) = preview_of(app, token).await;
        assert_eq!(status, 404, "{token}: {body}");
        let (status, _, body) = app.get(&format!("/api/proposals/{token}")).await;
        assert_eq!(status, 404, "{token}: {body}");
        let (status, body) = app
            .post_with(&format!("/api/proposals/{token}/accept"), &json!({}), &[])
            .await;
        assert!(matches!(status, 404 | 429), "{token}: {status} {body}");
    }
}

on_both_engines!(hostile_tokens_open_nothing: hostile_tokens_embedded, hostile_tokens_cloud);

/// A site made ready with its preview and a link to it, on `ports`
/// directly; the site and the link's token.
async fn ready_with_link(ports: &hostfront::Ports, staff: &Actor) -> (site::HostedSite, String) {
    let mover = (staff, "support", "127.0.0.1");
    let new = NewSite {
        business_name: "Atelier Vélo".into(),
        contact_name: "Lou".into(),
        contact_email: format!(
            "lou{}@atelier.example",
            &ulid::Ulid::new().to_string()[16..]
        )
        .to_lowercase(),
        contact_phone: None,
        internal_notes: None,
    };
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let site = site::create(ports, new, staff).await.unwrap();
    let site = preview::make_preview(ports, &site, mover).await.unwrap();
    let request = SiteMove {
        to: SiteStatus::PocReady,
        why: "ready".into(),
        live_domain: None,
        proposal_notes: None,
        auth_code: None,
        v: site.v,
    };
    let site = site::move_site(ports, &site, request, mover).await.unwrap();
    let made = preview::make_link(ports, &site, site.v, mover)
        .await
        .unwrap();
    let token = made.url.split('#').nth(1).unwrap().to_string();
    (made.site, token)
}

async fn preview_links_expire_unless_renewed(
    clock: &hostfront::clock::ManualClock,
    ports: &hostfront::Ports,
) {
    let staff = Actor::Staff("01STAFF".into());
    let mover = (&staff, "support", "127.0.0.1");
    let day = 86_400;
    let (site, token) = ready_with_link(ports, &staff).await;
    assert!(preview::open_preview(ports, &token).await.is_ok());
    clock.advance_secs(20 * day);
    let site = preview::change_link(ports, &site, (LinkChange::Renew, site.v), mover)
        .await
        .unwrap();
    clock.advance_secs(20 * day);
    assert!(
        preview::open_preview(ports, &token).await.is_ok(),
        "renewed: 30 days from the renewal"
    );
    clock.advance_secs(11 * day);
    let gone = preview::open_preview(ports, &token).await.unwrap_err();
    assert!(
        matches!(gone, hostfront::agency::AgencyError::NotFound(_)),
        "{gone:?}"
    );
    let late = preview::change_link(ports, &site, (LinkChange::Renew, site.v), mover)
        .await
        .unwrap_err();
    assert!(
        late.to_string().contains("expired"),
        "an expired link is made anew, not renewed: {late}"
    );
}

with_clock_on_both_engines!(preview_links_expire_unless_renewed: expiry_embedded, expiry_cloud);

/// The panel made the account, then the process died before the site took
/// it: making the preview again takes that same account, and makes no other.
async fn a_preview_made_before_a_crash_is_taken_up(
    _clock: &hostfront::clock::ManualClock,
    ports: &hostfront::Ports,
) {
    let staff = Actor::Staff("01STAFF".into());
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let new = NewSite {
        business_name: "Crash Bakery".into(),
        contact_name: "Lou".into(),
        contact_email: "lou@crash.example".into(),
        contact_phone: None,
        internal_notes: None,
    };
    let site = site::create(ports, new, &staff).await.unwrap();
    let before = ports.panel.pools().await.unwrap();
    let first = ports
        .panel
        .create_account(&hostfront::panel::NewAccount {
            username: preview::preview_username(&site.id),
            password: hostfront::accounts::random_token().into(),
            domain: preview::preview_host(&site, &ports.config.preview_zone),
            plan_id: "web-starter".into(),
            pool: "shared".into(),
            idempotency_key: format!("site-{}-preview", site.id),
        })
        .await
        .unwrap();
    let mover = (&staff, "support", "127.0.0.1");
    let made = preview::make_preview(ports, &site, mover).await.unwrap();
    assert_eq!(made.panel_account.as_deref(), Some(first.username.as_str()));
    let after = ports.panel.pools().await.unwrap();
    let used = |pools: &hostfront::panel::Pools| pools.addresses.total - pools.addresses.free;
    assert_eq!(
        used(&after),
        used(&before) + 1,
        "one account, one address, however often made"
    );
}

with_clock_on_both_engines!(a_preview_made_before_a_crash_is_taken_up: crash_embedded, crash_cloud);
