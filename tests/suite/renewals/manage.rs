//! A customer manages their domain, on both engines: nameservers, the
//! transfer lock, the registrant, and the auth code with its rules; the
//! account password again for what could let the domain go, a mail each
//! time, and the 60-day lock after a change of registrant; a refresh from
//! the registry at most once per cool-down.

use hostfront::Ports;
use hostfront::adapters::sim::auth_code_for;
use hostfront::audit::{self, AuditQuery};
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::refresh;
use hostfront::domains::manage::{self, ManageError, RegistrantChange};
use hostfront::mail::MailKind;
use hostfront::registrar::Drift;

use super::{DAY, live_domain, mails_of};

const PASSWORD: &str = "correct horse battery";

fn registrant(email: &str, opt_out: bool) -> RegistrantChange {
    RegistrantChange {
        name: "Bakery Ltd".into(),
        email: email.into(),
        current_password: Some(PASSWORD.into()),
        totp_code: None,
        opt_out_transfer_lock: opt_out,
    }
}

async fn actions(ports: &Ports, name: &str) -> Vec<String> {
    let subject = format!("domain:{name}");
    let mut actions: Vec<String> =
        audit::read(ports.table.as_ref(), AuditQuery::Subject(&subject), 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
    actions.reverse();
    actions
}

async fn a_customer_manages_their_domain(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let name = domain.name.as_str();
    let bad = manage::set_nameservers(ports, &customer.id, name, &["ns1.example.org".into()]).await;
    assert!(matches!(
        bad,
        Err(ManageError::Invalid {
            code: "invalid_nameservers",
            ..
        })
    ));
    let ns = vec![
        "NS1.Example.org.".to_string(),
        "ns2.example.org".to_string(),
    ];
    let changed = manage::set_nameservers(ports, &customer.id, name, &ns)
        .await
        .unwrap();
    assert_eq!(changed.nameservers, ["ns1.example.org", "ns2.example.org"]);
    assert_eq!(
        ports.registrar.info(name).await.unwrap().nameservers,
        changed.nameservers
    );

    // Each change a second apart, so the audit log has an order to show.
    clock.advance_secs(1);
    let changed = manage::set_registrant(
        ports,
        &customer.id,
        name,
        registrant("Owner@Bakery.example", true),
    )
    .await
    .unwrap();
    assert_eq!(changed.registrant.unwrap().email, "owner@bakery.example");
    assert_eq!(
        changed.transfer_lock_until, None,
        "the registrant opted out"
    );

    // The auth code: not within 60 days, not while locked, then once asked.
    let early = manage::auth_code(ports, &customer.id, name, Some(PASSWORD)).await;
    assert!(
        matches!(&early, Err(ManageError::Refused { code, .. }) if code == "too_recent"),
        "{early:?}"
    );
    clock.advance_secs(61 * DAY);
    let locked = manage::auth_code(ports, &customer.id, name, Some(PASSWORD)).await;
    assert!(
        matches!(&locked, Err(ManageError::Refused { code, .. }) if code == "locked"),
        "{locked:?}"
    );
    let unlocked = manage::set_lock(ports, &customer.id, name, false, Some(PASSWORD))
        .await
        .unwrap();
    assert!(!unlocked.locked);
    clock.advance_secs(1);
    assert!(!ports.registrar.info(name).await.unwrap().locked);
    let code = manage::auth_code(ports, &customer.id, name, Some(PASSWORD))
        .await
        .unwrap();
    assert_eq!(code, auth_code_for(name));

    assert_eq!(
        actions(ports, name).await,
        [
            "nameservers_changed",
            "registrant_changed",
            "unlocked",
            "auth_code_shown"
        ]
    );

    let (eve, _) =
        hostfront_tests::customer(ports, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        manage::auth_code(ports, &eve.id, name, Some(PASSWORD)).await,
        Err(ManageError::NotFound)
    ));
    assert!(matches!(
        manage::set_lock(ports, &eve.id, name, true, None).await,
        Err(ManageError::NotFound)
    ));
}

with_clock_on_both_engines!(a_customer_manages_their_domain: manage_embedded, manage_cloud);

/// A stolen session is not enough: unlocking, a change of registrant and
/// the auth code need the account password, mail the owner each time, and a
/// change of registrant locks the domain against transfers for 60 days.
async fn a_stolen_session_cannot_take_a_domain(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let name = domain.name.as_str();
    clock.advance_secs(61 * DAY);
    for password in [None, Some("")] {
        assert!(
            matches!(
                manage::set_lock(ports, &customer.id, name, false, password).await,
                Err(ManageError::Invalid {
                    code: "current_password_required",
                    ..
                })
            ),
            "{password:?}"
        );
    }
    let guess = Some("sourdough starter rises");
    assert!(matches!(
        manage::set_lock(ports, &customer.id, name, false, guess).await,
        Err(ManageError::WrongPassword)
    ));
    assert!(matches!(
        manage::auth_code(ports, &customer.id, name, guess).await,
        Err(ManageError::WrongPassword)
    ));
    let mut wrong = registrant("thief@example.org", true);
    wrong.current_password = guess.map(str::to_string);
    assert!(matches!(
        manage::set_registrant(ports, &customer.id, name, wrong).await,
        Err(ManageError::WrongPassword)
    ));
    assert!(ports.registrar.info(name).await.unwrap().locked);
    assert_eq!(
        mails_of(ports, MailKind::DomainSecurity, &customer.email).await,
        0,
        "nothing was done"
    );

    // The owner unlocks, then changes the registrant: the domain is locked
    // again, at the registry too, for 60 days.
    manage::set_lock(ports, &customer.id, name, false, Some(PASSWORD))
        .await
        .unwrap();
    clock.advance_secs(1);
    let changed = manage::set_registrant(
        ports,
        &customer.id,
        name,
        registrant("new@bakery.example", false),
    )
    .await
    .unwrap();
    let until = clock.now_secs() + 60 * DAY;
    assert_eq!(changed.transfer_lock_until, Some(until));
    assert!(changed.locked);
    assert!(ports.registrar.info(name).await.unwrap().locked);
    let day = time::OffsetDateTime::from_unix_timestamp(until)
        .unwrap()
        .date()
        .to_string();
    for refused in [
        manage::set_lock(ports, &customer.id, name, false, Some(PASSWORD)).await,
        manage::auth_code(ports, &customer.id, name, Some(PASSWORD))
            .await
            .map(|_| changed.clone()),
    ] {
        assert!(
            matches!(&refused, Err(ManageError::Refused { code, message }) if code == "transfer_locked" && message.contains(&day)),
            "{refused:?}"
        );
    }
    // Locking needs no password.
    manage::set_lock(ports, &customer.id, name, true, None)
        .await
        .unwrap();
    assert_eq!(
        mails_of(ports, MailKind::DomainSecurity, &customer.email).await,
        2,
        "the unlock and the change of registrant"
    );
    assert_eq!(
        mails_of(ports, MailKind::DomainSecurity, "new@bakery.example").await,
        1,
        "the new registrant is told"
    );

    // Once the 60 days are over, the owner may move the domain.
    clock.advance_secs(60 * DAY);
    manage::set_lock(ports, &customer.id, name, false, Some(PASSWORD))
        .await
        .unwrap();
    clock.advance_secs(1);
    manage::auth_code(ports, &customer.id, name, Some(PASSWORD))
        .await
        .unwrap();
    assert_eq!(
        mails_of(ports, MailKind::DomainSecurity, &customer.email).await,
        2,
        "the unlock and the auth code (the outbox keeps 30 days)"
    );
    let entries = audit::read(
        ports.table.as_ref(),
        AuditQuery::Subject(&format!("domain:{name}")),
        20,
    )
    .await
    .unwrap();
    let change = entries
        .iter()
        .find(|e| e.action == "registrant_changed")
        .unwrap();
    assert!(
        change.why.contains("locked against transfers until"),
        "{}",
        change.why
    );
}

with_clock_on_both_engines!(a_stolen_session_cannot_take_a_domain: stolen_session_embedded, stolen_session_cloud);

/// The record answers; a refresh asks the registry at most once per domain
/// every five minutes, and corrects the record.
async fn a_refresh_asks_the_registry_once_per_cool_down(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let name = domain.name.as_str();
    let moved = vec![
        "ns1.elsewhere.example".to_string(),
        "ns2.elsewhere.example".to_string(),
    ];
    ports
        .simulated_registry
        .as_ref()
        .unwrap()
        .drift(
            name,
            &Drift::Nameservers {
                nameservers: moved.clone(),
            },
        )
        .await
        .unwrap();
    let refreshed = refresh::refresh(ports, &customer.id, name).await.unwrap();
    assert_eq!(refreshed.nameservers, moved);
    clock.advance_secs(60);
    let again = refresh::refresh(ports, &customer.id, name).await;
    assert!(
        matches!(
            again,
            Err(ManageError::TooSoon {
                retry_after_secs: 240
            })
        ),
        "{again:?}"
    );
    clock.advance_secs(241);
    refresh::refresh(ports, &customer.id, name).await.unwrap();
    let (eve, _) =
        hostfront_tests::customer(ports, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        refresh::refresh(ports, &eve.id, name).await,
        Err(ManageError::NotFound)
    ));
}

with_clock_on_both_engines!(a_refresh_asks_the_registry_once_per_cool_down: refresh_embedded, refresh_cloud);
