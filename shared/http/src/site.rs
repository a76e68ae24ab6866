//! The static site as the local server serves it, and as it is bundled for
//! a CDN: pages always fresh, assets cached for a year under a versioned
//! path, everything compressible compressed.
//!
//! A page's `/assets/…` references become `/v/<version>/assets/…`, where the
//! version is a digest of every asset's path and content: any change to an
//! asset gives every page new addresses, so a browser may keep an address's
//! answer for a year (`immutable`). Modules import one another by relative
//! paths (`./page.js`), so they resolve under the same version. Pages,
//! unversioned assets and the rest are answered `no-cache`: a browser asks
//! again each time, and is answered 304 while nothing changed.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

/// Where versioned addresses start: `/v/<version>/assets/page.js`.
const VERSIONED: &str = "/v/";

/// A year, the most a cache is asked to keep anything.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// How long a version is believed before the assets are looked at again.
const RECHECK: Duration = Duration::from_secs(1);

#[derive(Clone)]
struct Site {
    dir: Arc<PathBuf>,
    known: Arc<Mutex<Option<Known>>>,
}

/// The version last worked out, from assets that looked like `looks`.
struct Known {
    checked_at: Instant,
    looks: Vec<(PathBuf, u64, Option<SystemTime>)>,
    version: String,
}

/// The site in `dir`, with its cache headers and compression.
pub fn router(dir: &Path) -> Router {
    let site = Site {
        dir: Arc::new(dir.to_path_buf()),
        known: Arc::default(),
    };
    Router::new()
        .route("/v/{version}/{*path}", get(versioned))
        .fallback(unversioned)
        .with_state(site)
        .layer(CompressionLayer::new())
}

/// The version of the assets under `dir/assets`: a digest of each file's
/// path and content, in path order.
pub fn version(dir: &Path) -> io::Result<String> {
    let mut files = Vec::new();
    list_files(&dir.join("assets"), &mut files)?;
    files.sort();
    let mut digest = Sha256::new();
    for file in &files {
        digest.update(
            file.strip_prefix(dir)
                .unwrap_or(file)
                .to_string_lossy()
                .as_bytes(),
        );
        digest.update([0]);
        digest.update(std::fs::read(file)?);
        digest.update([0]);
    }
    Ok(hex(&digest.finalize()[..6]))
}

fn list_files(dir: &Path, files: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            list_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// `page` with its assets at their versioned addresses.
pub fn versioned_page(page: &str, version: &str) -> String {
    page.replace("=\"/assets/", &format!("=\"{VERSIONED}{version}/assets/"))
}

/// Writes the site in `dir` to `out` as a CDN should serve it: the pages
/// with versioned addresses, the assets at both addresses (pages cached
/// before still find theirs); returns the version. `out` must not exist.
pub fn bundle(dir: &Path, out: &Path) -> io::Result<String> {
    let version = version(dir)?;
    let mut files = Vec::new();
    list_files(dir, &mut files)?;
    for file in files {
        let relative = file.strip_prefix(dir).unwrap_or(&file);
        let target = out.join(relative);
        std::fs::create_dir_all(target.parent().unwrap_or(out))?;
        if is_page(&file) {
            let page = std::fs::read_to_string(&file)?;
            std::fs::write(&target, versioned_page(&page, &version))?;
        } else {
            std::fs::copy(&file, &target)?;
        }
        if relative.starts_with("assets") {
            let copy = out.join("v").join(&version).join(relative);
            std::fs::create_dir_all(copy.parent().unwrap_or(out))?;
            std::fs::copy(&file, copy)?;
        }
    }
    Ok(version)
}

fn is_page(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "html")
}

/// An asset at its versioned address: kept a year when the version is the
/// current one; else (a page of an older version) the asset as it is now,
/// asked again each time.
async fn versioned(
    State(site): State<Site>,
    UrlPath((version, path)): UrlPath<(String, String)>,
    request: Request,
) -> Response {
    // `?` and `#` decoded from the address would start a query or a
    // fragment of the file's path: no asset is named so.
    if !path.starts_with("assets/") || path.contains(['?', '#']) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let current = version_of(&site).await;
    let mut asset = request;
    *asset.uri_mut() = match Uri::try_from(format!("/{path}")) {
        Ok(uri) => uri,
        Err(_) => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut answer = files(&site, asset).await;
    // A 304 renews the headers of the copy kept: it must say immutable too.
    let kept = answer.status().is_success() || answer.status() == StatusCode::NOT_MODIFIED;
    let cache = match current.as_deref() {
        Some(now) if now == version && kept => IMMUTABLE,
        _ => REVALIDATE,
    };
    set_cache(&mut answer, cache);
    answer
}

/// Anything else: a page with its assets' versioned addresses, or a file.
async fn unversioned(State(site): State<Site>, request: Request) -> Response {
    let seen = request.headers().get(header::IF_NONE_MATCH).cloned();
    let mut answer = files(&site, request).await;
    if is_html(&answer) {
        answer = with_versioned_assets(&site, answer, seen).await;
    }
    set_cache(&mut answer, REVALIDATE);
    answer
}

fn is_html(answer: &Response) -> bool {
    answer
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"))
}

/// The files of the site, with its 404 page for what is not there.
async fn files(site: &Site, request: Request) -> Response {
    let serve = ServeDir::new(site.dir.as_ref())
        .not_found_service(ServeFile::new(site.dir.join("404.html")));
    match serve.oneshot(request).await {
        Ok(answer) => answer.map(Body::new),
        Err(infallible) => match infallible {},
    }
}

/// A page's answer with its assets at their versioned addresses, tagged
/// by its content: 304 when the browser has it (`seen`, its
/// `If-None-Match`).
async fn with_versioned_assets(
    site: &Site,
    answer: Response,
    seen: Option<HeaderValue>,
) -> Response {
    let Some(version) = version_of(site).await else {
        return answer;
    };
    let (mut parts, body) = answer.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let page = versioned_page(&String::from_utf8_lossy(&bytes), &version);
    let tag = format!("\"{}\"", hex(&Sha256::digest(page.as_bytes())[..8]));
    parts.headers.remove(header::CONTENT_LENGTH);
    // The file's validators do not describe the page as served.
    parts.headers.remove(header::LAST_MODIFIED);
    parts.headers.remove(header::ACCEPT_RANGES);
    let tag = HeaderValue::try_from(tag).expect("hex is a header value");
    parts.headers.insert(header::ETAG, tag.clone());
    if parts.status == StatusCode::OK && seen.as_ref() == Some(&tag) {
        parts.status = StatusCode::NOT_MODIFIED;
        parts.headers.remove(header::CONTENT_TYPE);
        return Response::from_parts(parts, Body::empty());
    }
    Response::from_parts(parts, Body::from(page))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The current version: worked out again when an asset's size or time
/// changed (looked at once a second at most), so an edited asset is served
/// at once; none if the assets cannot be read.
async fn version_of(site: &Site) -> Option<String> {
    if let Some(known) = site.known.lock().expect("not poisoned").as_ref()
        && known.checked_at.elapsed() < RECHECK
    {
        return Some(known.version.clone());
    }
    let site = site.clone();
    tokio::task::spawn_blocking(move || {
        let looks = looks(&site.dir).ok()?;
        let mut known = site.known.lock().expect("not poisoned");
        let version = match known.as_ref() {
            Some(before) if before.looks == looks => before.version.clone(),
            _ => version(&site.dir).ok()?,
        };
        *known = Some(Known {
            checked_at: Instant::now(),
            looks,
            version: version.clone(),
        });
        Some(version)
    })
    .await
    .ok()
    .flatten()
}

/// Each asset's path, size and time of change.
fn looks(dir: &Path) -> io::Result<Vec<(PathBuf, u64, Option<SystemTime>)>> {
    let mut files = Vec::new();
    list_files(&dir.join("assets"), &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let meta = std::fs::metadata(&file)?;
            Ok((file, meta.len(), meta.modified().ok()))
        })
        .collect()
}

fn set_cache(answer: &mut Response, value: &'static str) {
    answer
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
}
