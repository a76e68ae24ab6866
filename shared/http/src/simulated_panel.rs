//! The simulated hosting panel's web server: each account's site is the
//! default page a new hosting account shows, under a path of this site's
//! own (`/simulated-panel/sites/<username>`), as a real panel's server
//! would answer for the account's domain. So the local demonstration's
//! preview of a client's website shows a site, not an unreachable domain.
//! It shows preview accounts only (their domain on the preview zone).
//! It exists only where the simulated panel hosts accounts, and it is no
//! part of the shop's API.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use hostfront_core::panel::SIMULATED_SITE_PAGES;

/// Where the panel's pages live.
pub const PREFIX: &str = "/simulated-panel/";

const SITE_PATH: &str = "/simulated-panel/sites/{username}";
const STYLE_PATH: &str = "/simulated-panel/site.css";

/// Every (method, path) the panel's web server serves, for the template's routes.
pub const ROUTES: [(&str, &str); 2] = [("GET", SITE_PATH), ("GET", STYLE_PATH)];

const STYLE: &str = include_str!("simulated_panel.css");

/// `routes` and, where the simulated panel hosts accounts, its web server.
pub fn mount(routes: crate::GroupRoutes, ports: &hostfront_core::Ports) -> crate::GroupRoutes {
    debug_assert!(SITE_PATH.starts_with(SIMULATED_SITE_PAGES));
    match ports.panel.name() {
        "simulated" => routes.merge(
            Router::new()
                .route(SITE_PATH, get(site))
                .route(STYLE_PATH, get(style)),
        ),
        _ => routes,
    }
}

#[derive(Template)]
#[template(path = "simulated_panel_site.html")]
struct DefaultPage<'a> {
    username: &'a str,
    domain: &'a str,
    server: &'a str,
    ipv4: &'a str,
}

/// The preview account's default page; 404 for a name the panel does not
/// hold or whose domain is not on the preview zone, as a web server
/// answers for a host it does not serve.
async fn site(State(state): State<AppState>, Path(username): Path<String>) -> Response {
    let valid = (1..=16).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let account = match valid {
        true => state.ports.panel.account(&username).await,
        false => Ok(None),
    };
    // Previews only: a customer's account is no stranger's to look up.
    let preview_zone = format!(".{}", state.ports.config.preview_zone);
    let account = match account.map(|a| a.filter(|a| a.domain.ends_with(&preview_zone))) {
        Ok(Some(account)) => account,
        Ok(None) => return (StatusCode::NOT_FOUND, Html(NOT_SERVED)).into_response(),
        Err(error) => {
            tracing::warn!(%error, "the simulated panel did not answer");
            return (StatusCode::SERVICE_UNAVAILABLE, Html(NOT_SERVED)).into_response();
        }
    };
    let page = DefaultPage {
        username: &account.username,
        domain: &account.domain,
        server: &account.server,
        ipv4: &account.ipv4,
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

const NOT_SERVED: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>No site here</title></head><body><h1>No site here</h1>\
<p>The simulated panel holds no account of this name.</p></body></html>";

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}
