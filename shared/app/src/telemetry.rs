//! Logs: readable lines locally, JSON in Lambda; each request's lines carry
//! its request ID through the request span.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::settings::LogFormat;

/// Installs the global subscriber once; later calls do nothing. `filter` is
/// a default level and per-target levels (`info,hostfront=debug`): parsed
/// without regular expressions, which cost a Lambda cold start a tenth of
/// a millisecond to compile.
pub fn init(format: LogFormat, filter: &str) {
    let filter: Targets = filter
        .parse()
        .unwrap_or_else(|_| Targets::new().with_default(LevelFilter::INFO));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_target(false)
                    .with_current_span(true)
                    .with_span_list(false),
            )
            .try_init(),
        LogFormat::Text => registry
            .with(fmt::layer().compact().with_target(false))
            .try_init(),
    };
}
