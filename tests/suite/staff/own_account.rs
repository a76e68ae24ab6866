//! Members of staff look after themselves, on both engines with the manual
//! clock: their sessions seen and ended, their password changed (the other
//! sessions end), their authenticator moved to a new device in two steps,
//! and an admin's reset of a lost one, which ends every session.

use hostfront::Ports;
use hostfront::audit::Actor;
use hostfront::clock::{Clock, ManualClock};
use hostfront::staff::auth::own::{self, Reauthentication};
use hostfront::staff::auth::own_secrets::{self, AuthenticatorConfirm, OwnPasswordChange};
use hostfront::staff::auth::{self, Enrolment, NewStaff, StaffLogin};
use hostfront::staff::{Role, StaffError, totp};

const PASSWORD: &str = "a long staff password";
const NEW_PASSWORD: &str = "another long staff password";

async fn member(ports: &Ports, email: &str, role: Role) -> Enrolment {
    let new = NewStaff {
        email: email.into(),
        name: email.split('@').next().unwrap().into(),
        role,
        password: Some(PASSWORD.into()),
    };
    auth::create(ports, (&Actor::system("tests"), None, "192.0.2.1"), new)
        .await
        .unwrap()
}

/// Logs in with `password` and a code of `secret`, half a minute later
/// than the last (a code is good once); the session's token.
async fn log_in(
    clock: &ManualClock,
    ports: &Ports,
    who: (&str, &str, &str),
    client: &str,
) -> Result<String, StaffError> {
    clock.advance_secs(30);
    let (email, password, secret) = who;
    let code = totp::code_at(secret, clock.now_secs());
    let request = StaffLogin {
        email: email.into(),
        password: password.into(),
        code,
    };
    auth::login(ports, request, client)
        .await
        .map(|(_, token)| token)
}

fn code(clock: &ManualClock, secret: &str) -> String {
    clock.advance_secs(30);
    totp::code_at(secret, clock.now_secs())
}

async fn sessions_and_the_password(clock: &ManualClock, ports: &Ports) {
    let ada = member(ports, "ada@staff.example", Role::Support).await;
    let (email, secret) = (ada.member.email.as_str(), ada.totp_secret.as_str());
    let here = log_in(clock, ports, (email, PASSWORD, secret), "198.51.100.1")
        .await
        .unwrap();
    let there = log_in(clock, ports, (email, PASSWORD, secret), "203.0.113.9")
        .await
        .unwrap();
    let listed = own::sessions(ports, &ada.member, &here).await.unwrap();
    assert_eq!(listed.len(), 2);
    let other = listed
        .iter()
        .find(|s| !s.current)
        .expect("the other session");
    assert_eq!(other.client.as_deref(), Some("203.0.113.9"));
    assert!(
        !own::end_session(ports, &ada.member, "01JAAAAAAAAAAAAAAAAAAAAAAA")
            .await
            .unwrap()
    );
    assert!(
        own::end_session(ports, &ada.member, &other.id)
            .await
            .unwrap()
    );
    assert!(auth::session_member(ports, &there).await.is_err(), "ended");
    assert!(
        auth::session_member(ports, &here).await.is_ok(),
        "this one lasts"
    );

    let third = log_in(clock, ports, (email, PASSWORD, secret), "203.0.113.9")
        .await
        .unwrap();
    let change = |current: &str, new: &str, code: String| OwnPasswordChange {
        current_password: current.into(),
        code,
        new_password: new.into(),
    };
    let weak = own_secrets::change_password(
        ports,
        &ada.member,
        &here,
        change(PASSWORD, "password", code(clock, secret)),
        "198.51.100.1",
    )
    .await;
    assert!(matches!(weak, Err(StaffError::Invalid(_))), "{weak:?}");
    let wrong = own_secrets::change_password(
        ports,
        &ada.member,
        &here,
        change("not it", NEW_PASSWORD, code(clock, secret)),
        "198.51.100.1",
    )
    .await;
    assert!(
        matches!(wrong, Err(StaffError::BadCredentials)),
        "{wrong:?}"
    );
    let ended = own_secrets::change_password(
        ports,
        &ada.member,
        &here,
        change(PASSWORD, NEW_PASSWORD, code(clock, secret)),
        "198.51.100.1",
    )
    .await
    .unwrap();
    assert_eq!(ended, 1, "the other session ends");
    assert!(auth::session_member(ports, &third).await.is_err());
    assert!(auth::session_member(ports, &here).await.is_ok());
    assert!(
        log_in(clock, ports, (email, PASSWORD, secret), "198.51.100.1")
            .await
            .is_err()
    );
    assert!(
        log_in(clock, ports, (email, NEW_PASSWORD, secret), "198.51.100.1")
            .await
            .is_ok()
    );
}

with_clock_on_both_engines!(sessions_and_the_password: own_sessions_embedded, own_sessions_cloud);

async fn the_authenticator_moves_and_an_admin_resets_it(clock: &ManualClock, ports: &Ports) {
    let bob = member(ports, "bob@staff.example", Role::Billing).await;
    let (email, old) = (bob.member.email.as_str(), bob.totp_secret.clone());
    let client = "198.51.100.2";
    let again = |code: String| Reauthentication {
        password: PASSWORD.into(),
        code,
    };
    let new =
        own_secrets::begin_authenticator(ports, &bob.member, again(code(clock, &old)), client)
            .await
            .unwrap();
    assert!(
        log_in(clock, ports, (email, PASSWORD, &old), client)
            .await
            .is_ok(),
        "the old one works until the new is confirmed"
    );
    let confirm = |code: String| AuthenticatorConfirm { code };
    let wrong =
        own_secrets::confirm_authenticator(ports, &bob.member, confirm(code(clock, &old)), client)
            .await;
    assert!(
        matches!(wrong, Err(StaffError::BadCredentials)),
        "a code of the old secret"
    );
    let codes = own_secrets::confirm_authenticator(
        ports,
        &bob.member,
        confirm(code(clock, &new.totp_secret)),
        client,
    )
    .await
    .unwrap();
    assert_eq!(codes.recovery_codes.len(), 10);
    assert!(
        log_in(clock, ports, (email, PASSWORD, &old), client)
            .await
            .is_err()
    );
    let token = log_in(clock, ports, (email, PASSWORD, &new.totp_secret), client)
        .await
        .unwrap();
    let old_recovery = auth::login(
        ports,
        StaffLogin {
            email: email.into(),
            password: PASSWORD.into(),
            code: bob.recovery_codes[0].clone(),
        },
        client,
    )
    .await;
    assert!(old_recovery.is_err(), "the old recovery codes ended");
    let again_confirm = own_secrets::confirm_authenticator(
        ports,
        &bob.member,
        confirm(code(clock, &new.totp_secret)),
        client,
    )
    .await;
    assert!(
        matches!(
            again_confirm,
            Err(StaffError::Refused {
                code: "no_change_under_way",
                ..
            })
        ),
        "{again_confirm:?}"
    );
    let late = own_secrets::begin_authenticator(
        ports,
        &bob.member,
        again(code(clock, &new.totp_secret)),
        client,
    )
    .await
    .unwrap();
    clock.advance_secs(11 * 60);
    let too_late = own_secrets::confirm_authenticator(
        ports,
        &bob.member,
        confirm(code(clock, &late.totp_secret)),
        client,
    )
    .await;
    assert!(
        matches!(
            too_late,
            Err(StaffError::Refused {
                code: "no_change_under_way",
                ..
            })
        ),
        "{too_late:?}"
    );

    let admin = member(ports, "root@staff.example", Role::Admin).await;
    let by = (&admin.member, Role::Admin, "192.0.2.9");
    let own = own_secrets::reset_authenticator(ports, by, &admin.member.id, "mine").await;
    assert!(
        matches!(
            own,
            Err(StaffError::Refused {
                code: "own_account",
                ..
            })
        ),
        "{own:?}"
    );
    assert!(
        own_secrets::reset_authenticator(ports, by, "01JAAAAAAAAAAAAAAAAAAAAAAA", "nobody")
            .await
            .unwrap()
            .is_none()
    );
    let fresh = log_in(clock, ports, (email, PASSWORD, &new.totp_secret), client)
        .await
        .unwrap();
    let reset = own_secrets::reset_authenticator(ports, by, &bob.member.id, "lost his phone")
        .await
        .unwrap()
        .unwrap();
    assert!(reset.sessions_ended >= 1, "{}", reset.sessions_ended);
    assert!(
        auth::session_member(ports, &token).await.is_err()
            && auth::session_member(ports, &fresh).await.is_err()
    );
    assert!(
        log_in(clock, ports, (email, PASSWORD, &new.totp_secret), client)
            .await
            .is_err()
    );
    assert!(
        log_in(clock, ports, (email, PASSWORD, &reset.totp_secret), client)
            .await
            .is_ok()
    );
}

with_clock_on_both_engines!(the_authenticator_moves_and_an_admin_resets_it: own_authenticator_embedded, own_authenticator_cloud);

async fn a_burst_of_guesses_is_counted_before_any_is_checked(clock: &ManualClock, ports: &Ports) {
    let eve = member(ports, "eve@staff.example", Role::Support).await;
    let client = "203.0.113.66";
    let guesses = (0..20).map(|n| {
        let request = Reauthentication {
            password: PASSWORD.into(),
            code: format!("{:06}", 100_000 + n),
        };
        own_secrets::begin_authenticator(ports, &eve.member, request, client)
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|a| matches!(a, Err(StaffError::BadCredentials)))
        .count();
    assert!(
        checked < 5,
        "{checked} guesses were checked; the rest must be locked out"
    );
    assert!(answers.iter().all(|a| a.is_err()));

    // A good try clears the count: a typo after it is only a typo.
    let (email, secret) = (eve.member.email.as_str(), eve.totp_secret.as_str());
    let other = "198.51.100.77";
    let again = |code: String| Reauthentication {
        password: PASSWORD.into(),
        code,
    };
    for _ in 0..4 {
        let wrong =
            own_secrets::begin_authenticator(ports, &eve.member, again("000000".into()), other)
                .await;
        assert!(
            matches!(wrong, Err(StaffError::BadCredentials)),
            "{wrong:?}"
        );
    }
    own_secrets::begin_authenticator(ports, &eve.member, again(code(clock, secret)), other)
        .await
        .unwrap();
    let typo =
        own_secrets::begin_authenticator(ports, &eve.member, again("000000".into()), other).await;
    assert!(matches!(typo, Err(StaffError::BadCredentials)), "{typo:?}");
    assert!(
        log_in(clock, ports, (email, PASSWORD, secret), other)
            .await
            .is_ok()
    );
}

with_clock_on_both_engines!(a_burst_of_guesses_is_counted_before_any_is_checked: own_burst_embedded, own_burst_cloud);
