//! What only EPP has: sessions kept and limited, batches, and a registry
//! that fails, drops the connection mid-command or runs out of sessions.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_are_kept_and_checks_batched_to_the_registry_maximum() {
    let f = hostfront_tests::sqlite_table().await;
    let server = epp_registry(&f, 2).await;
    let r = epp_adapter(&server, &f, 2);
    let names: Vec<String> = (0..12).map(|n| format!("quietbakery{n}.com")).collect();
    let answers = r.check(&names).await.unwrap();
    assert_eq!(answers.len(), 12);
    assert!(answers.iter().all(|a| a.available));
    assert_eq!(server.transaction_ids("check").len(), 3, "5 + 5 + 2 names");
    for _ in 0..10 {
        r.info("bakery.com").await.unwrap();
    }
    assert_eq!(
        server.transaction_ids("login").len(),
        1,
        "one session carries every command"
    );
    assert_eq!(server.sessions(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registration_whose_answer_was_lost_is_recognised_on_the_retry() {
    let f = hostfront_tests::sqlite_table().await;
    let server = epp_registry(&f, 2).await;
    let r = epp_adapter(&server, &f, 2);
    server.drop_next();
    let lost = r
        .register(&registration("droppedbakery.com", "order-9-register"))
        .await;
    assert!(
        matches!(lost, Err(RegistrarError::Unavailable(_))),
        "{lost:?}"
    );
    let retried = r
        .register(&registration("droppedbakery.com", "order-9-register"))
        .await
        .expect("the retry finds the registration it made");
    assert_eq!(retried.status, DomainStatus::Active);
    assert_eq!(retried.expires_at, add_years_secs(f.clock.now_secs(), 2));
    let creates = server.transaction_ids("create");
    assert_eq!(creates.len(), 2);
    assert_eq!(creates[0], creates[1], "the retry carries the same clTRID");
    assert!(creates[0].contains("order-9-register"), "{creates:?}");
    // Another order's key finds it taken.
    let other = r
        .register(&registration("droppedbakery.com", "order-10-register"))
        .await;
    assert!(
        matches!(other, Err(RegistrarError::Refused { ref code, .. }) if code == "not_available"),
        "{other:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_renewal_whose_answer_was_lost_is_not_sent_twice() {
    let f = hostfront_tests::sqlite_table().await;
    let server = epp_registry(&f, 2).await;
    let r = epp_adapter(&server, &f, 2);
    let first = r
        .register(&registration("lostrenewal.com", "reg"))
        .await
        .unwrap();
    let once = renewal("lostrenewal.com", 1, first.expires_at, "renew-lost");
    server.drop_next();
    assert!(matches!(
        r.renew(&once).await,
        Err(RegistrarError::Unavailable(_))
    ));
    let renewed = r
        .renew(&once)
        .await
        .expect("the retry sees the renewal done");
    assert_eq!(
        renewed.expires_at,
        add_years_secs(first.expires_at, 1),
        "one year, not two"
    );
    assert_eq!(server.transaction_ids("renew").len(), 1, "sent once");
    assert_eq!(
        r.info("lostrenewal.com").await.unwrap().expires_at,
        add_years_secs(first.expires_at, 1)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_command_is_worth_retrying_and_the_session_lives_on() {
    let f = hostfront_tests::sqlite_table().await;
    let server = epp_registry(&f, 2).await;
    let r = epp_adapter(&server, &f, 2);
    server.fail_next(2400);
    let failed = r
        .register(&registration("failbakery.com", "order-11"))
        .await;
    assert!(
        matches!(failed, Err(RegistrarError::Unavailable(ref why)) if why.contains("2400")),
        "{failed:?}"
    );
    let retried = r
        .register(&registration("failbakery.com", "order-11"))
        .await;
    assert_eq!(retried.unwrap().status, DomainStatus::Active);
    assert_eq!(server.transaction_ids("login").len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_registry_out_of_sessions_is_unavailable_not_fatal() {
    let f = hostfront_tests::sqlite_table().await;
    let server = epp_registry(&f, 1).await;
    // Two processes, each holding one session, at a registry that allows one.
    let first = epp_adapter(&server, &f, 1);
    let second = epp_adapter(&server, &f, 1);
    first.check(&["quietbakery.com".to_string()]).await.unwrap();
    let refused = second.check(&["quietbakery.com".to_string()]).await;
    assert!(
        matches!(refused, Err(RegistrarError::Unavailable(ref why)) if why.contains("2502")),
        "{refused:?}"
    );
    first.close().await;
    second
        .check(&["quietbakery.com".to_string()])
        .await
        .expect("a session is free again");
}
