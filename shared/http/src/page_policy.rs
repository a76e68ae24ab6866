//! What each page may load and who may frame it: the Content Security
//! Policies the local server sends and the template's CloudFront sends.

use axum::http::HeaderValue;
use hostfront_core::Ports;

/// What a page may load: this site's own scripts, styles and data, and
/// Stripe.js with what Stripe's integration security guide lists for it
/// (its script and frames, its API, its 3-D Secure frames at
/// hooks.stripe.com); frames of this site (the simulated provider's card
/// page); no inline script or handler, no being framed, no plugins.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
script-src 'self' https://js.stripe.com https://*.js.stripe.com; style-src 'self'; \
img-src 'self' data:; connect-src 'self' https://api.stripe.com; \
frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com; \
font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The preview page of a client's website: this site's own scripts, and a
/// frame of the preview site the API names: a host of the preview zone,
/// over HTTPS, or with the simulated panel its web server on this site.
pub fn preview_policy(zone: &str, simulated_panel: bool) -> String {
    let own = if simulated_panel { "'self' " } else { "" };
    // The zone comes from configuration; a header takes no other characters.
    let zone_ok = !zone.is_empty()
        && zone
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let frames = match zone_ok {
        true => format!("{own}https://*.{zone}"),
        false if simulated_panel => "'self'".to_string(),
        false => "'none'".to_string(),
    };
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; frame-src {frames}; font-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'"
    )
}

/// The simulations' own pages (the payment provider's card page, the
/// panel's web server): this site's own, framed by this site's pages only.
pub const FRAMED_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'self'";

/// What the answer headers depend on beyond the request: whether the
/// public address is HTTPS, and the preview page's policy.
#[derive(Clone)]
pub(crate) struct Answering {
    pub(crate) https: bool,
    pub(crate) preview_policy: HeaderValue,
}

impl Answering {
    pub(crate) fn of(ports: &Ports) -> Answering {
        let config = &ports.config;
        let policy = preview_policy(&config.preview_zone, ports.panel.name() == "simulated");
        Answering {
            https: config.public_url.starts_with("https://"),
            preview_policy: HeaderValue::from_str(&policy).expect("only header characters"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::preview_policy;

    #[test]
    fn the_preview_page_frames_the_preview_zone_only() {
        let real = preview_policy("preview.example.net", false);
        assert!(
            real.contains("frame-src https://*.preview.example.net;"),
            "{real}"
        );
        let demo = preview_policy("preview.example.net", true);
        assert!(
            demo.contains("frame-src 'self' https://*.preview.example.net;"),
            "{demo}"
        );
        // A zone a header cannot carry frames nothing (or only the simulation).
        assert!(preview_policy("x.net; script-src *", false).contains("frame-src 'none';"));
        assert!(preview_policy("", true).contains("frame-src 'self';"));
    }
}
