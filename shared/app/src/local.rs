//! Hostfront as one process: every route and the site, the queue workers and
//! the scheduler. The `hostfront` binary runs this; so do the journey tests.

use std::future::Future;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::Ports;
use crate::dispatch::AppJobs;
use crate::jobs::{JobHandler, WorkerSettings, run_worker};
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
