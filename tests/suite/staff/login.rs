//! Staff logins on both engines with the manual clock: a password and a
//! one-time code, each code good once; recovery codes good once; five wrong
//! tries from one client lock it out for fifteen minutes; sessions end after thirty
//! idle minutes or eight hours; every login, good or bad, in the audit log
//! with the client's address; the first admin made once.

use hostfront::Ports;
use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::clock::{Clock, ManualClock};
use hostfront::staff::auth::{self, NewStaff, StaffLogin};
use hostfront::staff::{Role, StaffError, totp};

const PASSWORD: &str = "a long staff password";

fn login(email: &str, password: &str, code: &str) -> StaffLogin {
    StaffLogin {
        email: email.into(),
        password: password.into(),
        code: code.into(),
    }
}

async fn a_login_needs_the_password_and_a_fresh_code(clock: &ManualClock, ports: &Ports) {
    let first = auth::create_first_admin(ports, "Grace@Staff.example", "Grace Hopper")
        .await
        .unwrap();
    assert_eq!(first.member.role, Role::Admin);
    assert_eq!(first.member.email, "grace@staff.example");
    assert!(
        first.password.is_some(),
        "a password is made for the first admin"
    );
    assert!(matches!(
        auth::create_first_admin(ports, "mallory@staff.example", "Mallory").await,
        Err(StaffError::Conflict(_))
    ));
    let clerk = auth::create(
        ports,
        (
            &Actor::Staff(first.member.id.clone()),
            Some(Role::Admin),
            "192.0.2.7",
        ),
        NewStaff {
            email: "linus@staff.example".into(),
            name: "Linus".into(),
            role: Role::Support,
            password: Some(PASSWORD.into()),
        },
    )
    .await
    .unwrap();
    let email = "linus@staff.example";
    let secret = clerk.totp_secret.clone();
    let code = || totp::code_at(&secret, clock.now_secs());
    let client = "198.51.100.4";

    for wrong in [
        login(email, "not the password", &code()),
        login(email, PASSWORD, "000000"),
        login("nobody@staff.example", PASSWORD, &code()),
    ] {
        assert!(matches!(
            auth::login(ports, wrong, client).await,
            Err(StaffError::BadCredentials)
        ));
    }
    let used = code();
    let (member, token) = auth::login(ports, login(email, PASSWORD, &used), client)
        .await
        .unwrap();
    assert_eq!(member.role, Role::Support);
    assert!(
        matches!(
            auth::login(ports, login(email, PASSWORD, &used), client).await,
            Err(StaffError::BadCredentials)
        ),
        "a code is good once"
    );
    assert_eq!(
        auth::session_member(ports, &token).await.unwrap().id,
        member.id
    );

    // Thirty idle minutes end a session; use keeps it alive, up to eight hours.
    clock.advance_secs(29 * 60);
    auth::session_member(ports, &token).await.unwrap();
    clock.advance_secs(29 * 60);
    auth::session_member(ports, &token).await.unwrap();
    clock.advance_secs(31 * 60);
    assert!(matches!(
        auth::session_member(ports, &token).await,
        Err(StaffError::NotLoggedIn)
    ));
    let (_, token) = auth::login(ports, login(email, PASSWORD, &code()), client)
        .await
        .unwrap();
    for _ in 0..17 {
        clock.advance_secs(29 * 60);
        let _ = auth::session_member(ports, &token).await;
    }
    assert!(
        matches!(
            auth::session_member(ports, &token).await,
            Err(StaffError::NotLoggedIn)
        ),
        "eight hours at most"
    );

    // A recovery code stands in for the one-time code, once.
    let recovery = clerk.recovery_codes[3].clone();
    auth::login(
        ports,
        login(email, PASSWORD, &recovery.to_uppercase()),
        client,
    )
    .await
    .unwrap();
    assert!(matches!(
        auth::login(ports, login(email, PASSWORD, &recovery), client).await,
        Err(StaffError::BadCredentials)
    ));

    // Five wrong tries in a row (the reused recovery code was the first)
    // lock this client out, even with the right password.
    clock.advance_secs(60);
    for _ in 0..3 {
        assert!(matches!(
            auth::login(ports, login(email, "wrong", &code()), client).await,
            Err(StaffError::BadCredentials)
        ));
    }
    assert!(matches!(
        auth::login(ports, login(email, "wrong", &code()), client).await,
        Err(StaffError::LockedOut { seconds: 900 })
    ));
    assert!(matches!(
        auth::login(ports, login(email, PASSWORD, &code()), client).await,
        Err(StaffError::LockedOut { .. })
    ));
    clock.advance_secs(15 * 60 + 1);
    auth::login(ports, login(email, PASSWORD, &code()), client)
        .await
        .unwrap();

    // Every login is in the audit log, with the address it came from.
    let subject = format!("staff:{}", member.id);
    let entries = audit::read(ports.table.as_ref(), AuditQuery::Subject(&subject), 100)
        .await
        .unwrap();
    let count = |action: &str| entries.iter().filter(|e| e.action == action).count();
    assert_eq!(count("logged_in"), 4);
    assert_eq!(
        count("login_failed"),
        2 + 1 + 1 + 4,
        "a bad password, a bad code, a replayed code, then five in a row"
    );
    assert_eq!(count("staff_created"), 1);
    assert!(
        entries
            .iter()
            .filter(|e| e.action != "staff_created")
            .all(|e| e.client.as_deref() == Some(client))
    );
    let made = entries
        .iter()
        .find(|e| e.action == "staff_created")
        .unwrap();
    assert_eq!(
        (made.client.as_deref(), made.role.as_deref()),
        (Some("192.0.2.7"), Some("admin")),
        "made by an admin"
    );
    assert!(
        entries
            .iter()
            .filter(|e| e.action.starts_with("log"))
            .all(|e| e.role.as_deref() == Some("support"))
    );
}

with_clock_on_both_engines!(a_login_needs_the_password_and_a_fresh_code: login_embedded, login_cloud);
