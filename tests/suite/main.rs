//! Hostfront's integration suite: one conformance suite per port, run against
//! every engine of it, and journeys over real HTTP.

/// Runs one journey (an `async fn(&App)`) as two tests: on the embedded
/// engine and on DynamoDB and SQS (moto).
macro_rules! on_both_engines {
    ($journey:ident: $embedded:ident, $cloud:ident) => {
        on_both_engines!($journey: $embedded, $cloud, |_| {});
    };
    ($journey:ident: $embedded:ident, $cloud:ident, $configure:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $embedded() {
            let app = hostfront_tests::App::embedded_with($configure).await;
            $journey(&app).await;
            app.shutdown().await.unwrap();
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $cloud() {
            let app = hostfront_tests::App::cloud_with($configure).await;
            $journey(&app).await;
            app.shutdown().await.unwrap();
        }
    };
}

mod accounts;
mod adapters;
mod domain_search;
mod hardening;
mod http_foundation;
mod orders;
mod payments_conformance;
mod queue_conformance;
mod rate_limits;
mod registrar_conformance;
mod renewals;
mod sealer_conformance;
mod table_conformance;
mod tasks;
mod template;
mod worker;
mod workflow_ledger;
