//! `hostfront`: the whole product as one local process on the embedded engine
//! (or on AWS services, by configuration). See the README's configuration table.

use hostfront::config::Config;
use hostfront::{local, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = Config::from_env()?;
    telemetry::init(config.log_format, &config.log_filter);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let services = hostfront::wiring::from_config(config).await?;
    local::serve(services, listener, local::shutdown_signal()).await
}
