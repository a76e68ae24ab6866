//! Adapters are chosen per port by configuration, and AWS refuses to run the
//! simulations that would take real money or names unless told it is a demo.

use hostfront::settings::Settings;

fn aws_config(extra: &[(&str, String)]) -> Settings {
    let endpoint = hostfront_tests::moto_endpoint();
    let table = format!("adapters-{}", ulid::Ulid::new().to_string().to_lowercase());
    let mut pairs: Vec<(&str, String)> = vec![
        ("HOSTFRONT_ENGINE", "aws".into()),
        ("HOSTFRONT_AWS_ENDPOINT", endpoint),
        ("HOSTFRONT_CREATE_RESOURCES", "true".into()),
        ("HOSTFRONT_TABLE", table.clone()),
        ("HOSTFRONT_QUEUE", table),
    ];
    pairs.extend(extra.iter().cloned());
    Settings::from_lookup(|name| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone())
    })
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_refuses_simulated_payments_registrar_and_panel_unless_a_demo() {
    let refused = hostfront::wiring::from_settings(aws_config(&[]))
        .await
        .err()
        .expect("refused");
    let message = refused.to_string();
    assert!(
        message.contains("HOSTFRONT_PAYMENTS=simulated")
            && message.contains("HOSTFRONT_REGISTRAR=simulated")
            && message.contains("HOSTFRONT_PANEL=simulated"),
        "{message}"
    );
    assert!(message.contains("HOSTFRONT_DEMO=true"), "{message}");

    // SAFETY of the environment: the AWS SDK reads credentials from it; moto accepts any.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "test");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "test");
        std::env::set_var("AWS_REGION", "us-east-1");
    }
    let demo = hostfront::wiring::from_settings(aws_config(&[("HOSTFRONT_DEMO", "true".into())]))
        .await
        .expect("a demo runs");
    assert_eq!(
        (demo.table.engine(), demo.queue.engine()),
        ("dynamodb", "sqs")
    );
    assert_eq!(
        (demo.mailer.name(), demo.dns_host.name(), demo.sealer.name()),
        ("record-only", "table", "kms")
    );
}

#[tokio::test]
async fn the_embedded_engine_delivers_mail_to_the_outbox_folder() {
    let clock = hostfront::clock::ManualClock::starting_now();
    let (_dir, ports) = hostfront_tests::embedded_ports(&clock);
    assert_eq!(
        (
            ports.mailer.name(),
            ports.dns_host.name(),
            ports.sealer.name()
        ),
        ("outbox", "table", "local")
    );
}
