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

/// A case on services with a clock it moves, on each engine.
macro_rules! with_clock_on_both_engines {
    ($case:ident: $embedded:ident, $cloud:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $embedded() {
            let clock = hostfront::clock::ManualClock::starting_now();
            let (_dir, ports) = hostfront_tests::embedded_ports_with(&clock, |_| {});
            $case(&clock, &ports).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $cloud() {
            let clock = hostfront::clock::ManualClock::starting_now();
            let (_dir, ports) = hostfront_tests::cloud_ports_with(&clock, |_| {}).await;
            $case(&clock, &ports).await;
        }
    };
}

mod account_settings;
mod accounts;
mod adapters;
mod cart;
mod conflicts;
mod daily;
mod dns_host_conformance;
mod domain_cache;
mod domain_search;
mod epp_journey;
mod epp_registry;
mod hardening;
mod http_foundation;
mod hypervisor_conformance;
mod invoices;
mod machines_conformance;
mod orders;
mod panel_conformance;
mod payments_conformance;
mod privacy;
mod queue_conformance;
mod rate_limits;
mod registrar_budget;
mod registrar_conformance;
mod renewals;
mod sealer_conformance;
mod simulated_provider;
mod simulated_provider_delivery;
mod site;
mod staff;
mod step_ledger;
mod stripe_card_events;
mod stripe_checkout;
mod stripe_dispute_events;
mod stripe_events;
mod stripe_payment_events;
mod stripe_refund_events;
mod stripe_stand_in;
mod table_conformance;
mod tasks;
mod tax_ids_conformance;
mod template;
mod vat;
mod worker;
