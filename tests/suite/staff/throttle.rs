//! Staff logins under guessing, on both engines with the manual clock: a
//! stranger's wrong tries lock out only the stranger's own address and slow
//! down other addresses, never the member's own client; an email nobody
//! has answers exactly as a member's does, try after try, and costs the
//! same password check.

use hostfront::Ports;
use hostfront::audit::Actor;
use hostfront::clock::{Clock, ManualClock};
use hostfront::staff::auth::{self, Enrolment, NewStaff, StaffLogin};
use hostfront::staff::{Role, StaffError, totp};

const PASSWORD: &str = "a long staff password";

async fn member(ports: &Ports, email: &str) -> Enrolment {
    let request = NewStaff {
        email: email.into(),
        name: "Linus".into(),
        role: Role::Support,
        password: Some(PASSWORD.into()),
    };
    auth::create(ports, (&Actor::system("tests"), None, "192.0.2.1"), request)
        .await
        .unwrap()
}

async fn try_login(
    ports: &Ports,
    (email, password, code): (&str, &str, &str),
    client: &str,
) -> Result<(), StaffError> {
    let request = StaffLogin {
        email: email.into(),
        password: password.into(),
        code: code.into(),
    };
    auth::login(ports, request, client).await.map(|_| ())
}

/// A fresh step, so that a one-time code is good.
fn code(clock: &ManualClock, secret: &str) -> String {
    clock.advance_secs(30);
    totp::code_at(secret, clock.now_secs())
}

async fn a_stranger_cannot_lock_a_member_out(clock: &ManualClock, ports: &Ports) {
    let email = "linus@staff.example";
    let linus = member(ports, email).await;
    let home = "198.51.100.4";
    let good = code(clock, &linus.totp_secret);
    try_login(ports, (email, PASSWORD, &good), home)
        .await
        .unwrap();

    // From one address, five wrong tries lock that address out.
    let stranger = "203.0.113.66";
    for _ in 0..4 {
        assert!(matches!(
            try_login(ports, (email, "guess", "123456"), stranger).await,
            Err(StaffError::BadCredentials)
        ));
    }
    for _ in 0..2 {
        assert!(matches!(
            try_login(ports, (email, "guess", "123456"), stranger).await,
            Err(StaffError::LockedOut { seconds: 900 })
        ));
    }
    // Other addresses now wait, longer after each wrong try.
    let mut waits = Vec::new();
    for n in 0..12 {
        let elsewhere = format!("203.0.113.{n}");
        let Err(StaffError::SlowDown { seconds }) =
            try_login(ports, (email, "guess", "123456"), &elsewhere).await
        else {
            panic!("a client elsewhere waits");
        };
        waits.push(seconds);
        clock.advance_secs(seconds);
        assert!(matches!(
            try_login(ports, (email, "guess", "123456"), &elsewhere).await,
            Err(StaffError::BadCredentials)
        ));
    }
    assert_eq!(waits[..4], [1, 2, 4, 8], "{waits:?}");
    assert_eq!(*waits.last().unwrap(), 900, "at most fifteen minutes");

    // The member, from their own client, logs in at once.
    let good = code(clock, &linus.totp_secret);
    try_login(ports, (email, PASSWORD, &good), home)
        .await
        .unwrap();
    // Which clears the counts: a client elsewhere need not wait.
    assert!(matches!(
        try_login(ports, (email, "guess", "123456"), "203.0.113.99").await,
        Err(StaffError::BadCredentials)
    ));
}

with_clock_on_both_engines!(a_stranger_cannot_lock_a_member_out: stranger_embedded, stranger_cloud);

/// The same tries, for a member's email and for one nobody has, from
/// addresses of their own: the same answers, and a password check each.
async fn unknown_emails_answer_as_members_do(clock: &ManualClock, ports: &Ports) {
    member(ports, "grace@staff.example").await;
    let emails = ["grace@staff.example", "nobody@staff.example"];
    let mut answers: [Vec<String>; 2] = Default::default();
    let mut checks = [0; 2];
    for step in 0..14 {
        // Seven tries from one address (five lock it), then one each from others.
        let client = |who: usize| match step {
            0..7 => format!("198.51.100.{who}"),
            n => format!("203.0.{who}.{n}"),
        };
        for (who, email) in emails.iter().enumerate() {
            let before = ports.hasher.verifications();
            let answer =
                try_login(ports, (email, "a guessed password", "123456"), &client(who)).await;
            checks[who] += ports.hasher.verifications() - before;
            let text = format!("{answer:?}");
            let message = answer.err().map(|e| e.to_string()).unwrap_or_default();
            answers[who].push(format!("{text} {message}"));
        }
        if step >= 7 {
            clock.advance_secs(2);
        }
    }
    assert_eq!(answers[0], answers[1]);
    assert!(
        answers[0].iter().any(|a| a.contains("LockedOut")),
        "{:?}",
        answers[0]
    );
    assert!(
        answers[0].iter().any(|a| a.contains("SlowDown")),
        "{:?}",
        answers[0]
    );
    assert_eq!(checks[0], checks[1], "both check a password as often");
    assert!(checks[1] >= 5, "an unknown email's tries check a password");
}

with_clock_on_both_engines!(unknown_emails_answer_as_members_do: unknown_embedded, unknown_cloud);
