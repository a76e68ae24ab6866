//! `hostfront`: the whole product as one local process on the embedded engine
//! (or on AWS services, by configuration). See the README's configuration table.
//!
//! `hostfront create-admin <email> <name>` makes the first member of staff,
//! an admin, and prints their password, authenticator enrolment and
//! recovery codes once; it refuses once any admin was made this way.
//!
//! `hostfront bundle-site <site> <out>` writes the site as a CDN serves it:
//! pages naming their assets at versioned addresses (see `http::site`).

use hostfront::settings::Settings;
use hostfront::{local, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("bundle-site") {
        return bundle_site(&args[1..]);
    }
    let settings = Settings::from_env()?;
    telemetry::init(settings.log.format, &settings.log.filter);
    match args.first().map(String::as_str) {
        None => serve(settings).await,
        Some("create-admin") => match &args[1..] {
            [email, name @ ..] if !name.is_empty() => {
                create_admin(settings, email, &name.join(" ")).await
            }
            _ => anyhow::bail!("usage: hostfront create-admin <email> <name>"),
        },
        Some(other) => {
            anyhow::bail!("unknown command {other:?}; the commands are: create-admin, bundle-site")
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let server = settings.server.clone();
    let listen = server.listen;
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {listen}: {e}"))?;
    let ports = hostfront::wiring::from_settings(settings).await?;
    local::serve(ports, server, listener, local::shutdown_signal()).await
}

async fn create_admin(settings: Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let ports = hostfront::wiring::from_settings(settings).await?;
    let enrolment = hostfront::staff::auth::create_first_admin(&ports, email, name).await?;
    println!("{}", hostfront::staff::auth::enrolment_text(&enrolment));
    Ok(())
}

/// Writes the site in `site` to `out` (which must not exist yet) as a CDN
/// serves it, and prints the assets' version.
fn bundle_site(args: &[String]) -> anyhow::Result<()> {
    let [site, out] = args else {
        anyhow::bail!("usage: hostfront bundle-site <site folder> <new output folder>");
    };
    let out = std::path::Path::new(out);
    if out.exists() {
        anyhow::bail!("{} exists: give a new folder", out.display());
    }
    let version = hostfront::http::site::bundle(std::path::Path::new(site), out)?;
    println!("{version}");
    Ok(())
}
