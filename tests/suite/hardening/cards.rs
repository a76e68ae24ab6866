//! The simulated gateway keeps what a real one's token gives its merchant:
//! the last four digits, the brand and the expiry (and, being a simulation,
//! how the test card behaves), never the card number.

use crate::renewals::services::card;
use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, DECLINES_WHEN_CHARGED};
use hostfront::clock::ManualClock;
use hostfront::payments::simulated::CardDetails;
use hostfront::payments::{Charge, PaymentError, PaymentSource};
use hostfront::store::{Item, Key};

/// 3-D Secure's test card (Stripe's number): its bank asks its holder.
const AUTHENTICATES: &str = "4000002500003155";

fn charge(source: PaymentSource, key: &str) -> Charge {
    Charge {
        keep_for_later: false,
        amount: hostfront_tests::money(1200, "GBP"),
        source,
        reference: "INV-1".into(),
        idempotency_key: key.into(),
    }
}

async fn stored(ports: &Ports, pk: String, sk: &str) -> Item {
    ports
        .table
        .get(&Key::new(pk, sk))
        .await
        .unwrap()
        .expect("the gateway stored it")
}

async fn a_saved_card_keeps_no_number(_clock: &ManualClock, ports: &Ports) {
    let gateway = ports.payments.clone();
    let mut items = Vec::new();
    let mut tokens = Vec::new();
    for (n, number) in [APPROVED, DECLINES_WHEN_CHARGED, AUTHENTICATES]
        .into_iter()
        .enumerate()
    {
        let key = format!("save-{n}");
        let saved = gateway.save_card(&card(number), &key).await.unwrap();
        assert_eq!(saved.last4, number[12..]);
        let entry = stored(ports, format!("SIMPAY#{}", saved.token), "ENTRY").await;
        no_card_number(&entry);
        let kept = |name: &str| entry.get(name).cloned().unwrap_or_default();
        assert_eq!(kept("last4"), number[12..], "{entry:?}");
        assert_eq!(kept("brand"), "visa", "{entry:?}");
        assert_eq!(kept("exp_year"), 2099, "{entry:?}");
        items.push(entry);
        items.push(stored(ports, format!("SIMPAY#OP#{key}"), "OP").await);
        tokens.push(saved.token);
    }

    // Each saved card behaves as its test card does.
    let approved = gateway
        .authorize(&charge(
            PaymentSource::Saved(tokens[0].clone()),
            "charge-saved",
        ))
        .await
        .unwrap();
    assert_eq!(approved.card_last4, "4242");
    for (token, code) in [
        (&tokens[1], "card_declined"),
        (&tokens[2], "authentication_required"),
    ] {
        match gateway
            .authorize(&charge(PaymentSource::Saved(token.clone()), code))
            .await
        {
            Err(PaymentError::Declined { code: got, .. }) => assert_eq!(got, code),
            other => panic!("{code}: {other:?}"),
        }
    }
    // A card the card page took leaves no number either, nor its payment.
    let provider = ports
        .simulated_provider
        .clone()
        .expect("the simulated gateway");
    let taken = CardDetails {
        number: APPROVED.into(),
        exp_month: 12,
        exp_year: 2099,
        cvc: "123".into(),
    };
    let made = provider.make_payment_method(&taken).await.unwrap();
    items.push(stored(ports, format!("SIMPAY#{}", made.id), "ENTRY").await);
    let given = gateway
        .authorize(&charge(PaymentSource::Method(made.id()), "charge-given"))
        .await
        .unwrap();
    for (id, key) in [(&approved.id, "charge-saved"), (&given.id, "charge-given")] {
        items.push(stored(ports, format!("SIMPAY#{id}"), "ENTRY").await);
        items.push(stored(ports, format!("SIMPAY#OP#{key}"), "OP").await);
    }

    items.iter().for_each(no_card_number);
}

fn no_card_number(item: &Item) {
    let text = serde_json::to_string(item).unwrap();
    for number in [APPROVED, DECLINES_WHEN_CHARGED, AUTHENTICATES] {
        assert!(!text.contains(number), "a card number is stored: {text}");
    }
}

with_clock_on_both_engines!(a_saved_card_keeps_no_number: saved_cards_embedded, saved_cards_cloud);
