//! Hostfront as one process: every route and the site, the queue workers,
//! the scheduler, and the simulated payment provider's event deliveries. The `hostfront` binary runs this; so do the journey tests.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::Ports;
use crate::dispatch::AppJobs;
use crate::jobs::{JobHandler, WorkerSettings, run_worker};
use crate::payments::simulated::SimulatedProvider;
use crate::settings::ServerSettings;

/// Seeds the demo catalog on first start, then serves on `listener` as
/// `server` says until `shutdown` resolves. In-flight requests and the jobs
/// under way finish (within the configured grace period); jobs received but
/// not started go back to the queue.
pub async fn serve(
    ports: Ports,
    server: ServerSettings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if crate::catalog::seed_demo(ports.table.as_ref()).await? {
        tracing::info!("seeded the demo catalog");
    }
    // This process is the queue's only consumer: what the process before it
    // received and did not finish is taken up now, not after its timeout.
    if let Some(released) = ports.queue.release_received().await?
        && released > 0
    {
        tracing::info!(released, "released jobs received before the restart");
    }
    let stop = CancellationToken::new();
    let mut background = JoinSet::new();
    let jobs: Arc<dyn JobHandler> = Arc::new(AppJobs {
        ports: ports.clone(),
    });
    for _ in 0..server.workers {
        let worker = run_worker(
            ports.queue.clone(),
            jobs.clone(),
            WorkerSettings::default(),
            stop.clone(),
        );
        background.spawn(worker);
    }
    background.spawn(crate::scheduler::run_scheduler(ports.clone(), stop.clone()));
    if let Some(provider) = ports.simulated_provider.clone() {
        let endpoint = events_endpoint(listener.local_addr()?);
        background.spawn(deliver_simulated_events(provider, endpoint, stop.clone()));
    }

    let grace = server.shutdown_grace;
    let app = crate::http::app_router(ports.clone(), &server.site_dir(), &server.limits);
    tracing::info!(
        address = %listener.local_addr()?,
        table = ports.table.engine(),
        queue = ports.queue.engine(),
        "Hostfront is serving http://{}",
        listener.local_addr()?
    );
    crate::http::server::serve(listener, app, server.limits, shutdown).await?;

    tracing::info!("stopping workers and scheduler");
    stop.cancel();
    let drained = tokio::time::timeout(grace, async {
        while background.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        // An unfinished job stays in the queue and runs again after its visibility timeout.
        tracing::warn!(
            ?grace,
            "jobs still running at the end of the grace period were abandoned"
        );
        background.abort_all();
    }
    tracing::info!("stopped");
    Ok(())
}

/// How often the simulated provider looks for events to send.
const DELIVERY_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Where the simulated provider sends its events: this process's own
/// events route, at the address it listens on (any address is reached
/// on loopback).
fn events_endpoint(listening: std::net::SocketAddr) -> String {
    let mut at = listening;
    if at.ip().is_unspecified() {
        at.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    format!("http://{at}/api/payments/events")
}

/// Delivers the simulated provider's events to `endpoint` until `stop` is
/// cancelled, as Stripe delivers its own: what fails is sent again later.
async fn deliver_simulated_events(
    provider: Arc<dyn SimulatedProvider>,
    endpoint: String,
    stop: CancellationToken,
) {
    let mut every = tokio::time::interval(DELIVERY_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = every.tick() => {}
        }
        match provider.deliver_due(&endpoint).await {
            Ok(done) if done.delivered + done.failed > 0 => {
                tracing::info!(
                    delivered = done.delivered,
                    failed = done.failed,
                    "simulated provider's events sent"
                )
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "the simulated provider could not send its events")
            }
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    tracing::info!("shutdown signal received");
}
