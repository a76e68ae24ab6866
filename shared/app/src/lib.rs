//! Hostfront: the storefront and self-service portal of a web-hosting company.
//!
//! This crate is the composition root. It re-exports the core (`hostfront-core`:
//! domain rules, ports and use cases) so that entrypoints and tests name one
//! crate, and adds what only an entrypoint should know:
//!
//! - `settings`: everything read from the environment: the core's policy,
//!   the engine, which adapter serves each port with its settings, and how
//!   the local process serves;
//! - `wiring`: the adapter of every port, chosen by the settings;
//! - `local`: the site, every API route, the workers and the scheduler in one
//!   process;
//! - `telemetry`: logging.
//!
//! `adapters` (`hostfront-adapters`) and `http` (`hostfront-http`) are the
//! other two layers, re-exported under those names.

pub use hostfront_adapters as adapters;
pub use hostfront_core::*;
pub use hostfront_http as http;

pub mod local;
pub mod settings;
pub mod telemetry;
pub mod wiring;
