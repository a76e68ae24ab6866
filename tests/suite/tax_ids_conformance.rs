//! The `TaxIds` port's contract, on the simulated register (its state on
//! SQLite and on DynamoDB, moto) and on the VIES adapter against a stand-in
//! of VIES (`hostfront_tests::vies_server`): a valid number with its
//! consultation number, an invalid one, input refused, a member state that
//! cannot answer, an answer that comes too late, and a requester the
//! register does not know. What only VIES has is in `over_vies`.

mod over_vies;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use hostfront::adapters::sim::SimulatedTaxIds;
use hostfront::adapters::vies::ViesTaxIds;
use hostfront::tax_ids::{TaxIdError, TaxIds, VatNumber};
use hostfront_tests::TableFixture;
use hostfront_tests::vies_server::{REQUESTER, ViesServer};

/// How long the VIES adapter waits in these tests.
const TIMEOUT: Duration = Duration::from_secs(1);

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let f = hostfront_tests::sqlite_table().await;
                super::$case(&super::Simulation::on(&f)).await
            })*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let f = hostfront_tests::dynamodb_table().await;
                super::$case(&super::Simulation::on(&f)).await
            })*
        }
        mod vies {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                super::$case(&super::Vies::start().await).await
            })*
        }
    };
}

conformance!(
    a_registered_number_is_valid_with_a_consultation_number,
    an_unregistered_number_is_invalid,
    malformed_input_is_refused_before_any_request,
    a_member_state_that_cannot_answer_is_asked_again_later,
    an_answer_too_late_is_asked_again_later,
    a_requester_the_register_does_not_know_is_ours_to_fix,
);

/// A register under test, and what the test may arrange in it.
#[async_trait]
trait Register: Send + Sync {
    fn tax_ids(&self) -> Arc<dyn TaxIds>;
    /// Makes `number` valid, of `name` at `address`.
    async fn register(&self, number: &str, name: &str, address: &str);
    /// A number of `country`, whose part of the register is down.
    async fn member_state_down(&self, country: &str) -> VatNumber;
    /// A number of `country` the register answers too late.
    async fn too_late(&self, country: &str) -> VatNumber;
    /// A number the register refuses as input.
    async fn refused_input(&self) -> VatNumber;
    /// The port asking as a requester the register does not know, and a
    /// number to ask about.
    async fn unknown_requester(&self) -> (Arc<dyn TaxIds>, VatNumber);
    /// The requests the register received, where it counts them.
    fn requests(&self) -> Option<usize>;
}

fn vat(text: &str) -> VatNumber {
    VatNumber::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The simulation, which answers VIES's test numbers as its test service does.
struct Simulation(Arc<SimulatedTaxIds>);

impl Simulation {
    fn on(f: &TableFixture) -> Simulation {
        Simulation(Arc::new(SimulatedTaxIds::new(
            f.table.clone(),
            Arc::new(f.clock.clone()),
        )))
    }
}

#[async_trait]
impl Register for Simulation {
    fn tax_ids(&self) -> Arc<dyn TaxIds> {
        self.0.clone()
    }

    async fn register(&self, number: &str, name: &str, address: &str) {
        self.0.register(&vat(number), name, address).await.unwrap();
    }

    async fn member_state_down(&self, country: &str) -> VatNumber {
        vat(&format!("{country}301"))
    }

    async fn too_late(&self, country: &str) -> VatNumber {
        vat(&format!("{country}302"))
    }

    async fn refused_input(&self) -> VatNumber {
        vat("DE201")
    }

    async fn unknown_requester(&self) -> (Arc<dyn TaxIds>, VatNumber) {
        (self.0.clone(), vat("DE202"))
    }

    fn requests(&self) -> Option<usize> {
        None
    }
}

/// The VIES adapter, asking as our requester, against the stand-in.
struct Vies {
    server: ViesServer,
    adapter: Arc<dyn TaxIds>,
}

impl Vies {
    async fn start() -> Vies {
        let server = ViesServer::start().await;
        let adapter = adapter(&server, Some(REQUESTER));
        Vies { server, adapter }
    }
}

/// The VIES adapter on `server`, asking as `requester`.
fn adapter(server: &ViesServer, requester: Option<&str>) -> Arc<dyn TaxIds> {
    let clock = Arc::new(hostfront::clock::SystemClock);
    Arc::new(ViesTaxIds::new(server.settings(requester, TIMEOUT), clock).expect("a loopback URL"))
}

#[async_trait]
impl Register for Vies {
    fn tax_ids(&self) -> Arc<dyn TaxIds> {
        self.adapter.clone()
    }

    async fn register(&self, number: &str, name: &str, address: &str) {
        self.server
            .register(&vat(number).to_string(), name, address);
    }

    async fn member_state_down(&self, country: &str) -> VatNumber {
        self.server.member_state_down(country);
        vat(&format!("{country}123456789"))
    }

    async fn too_late(&self, country: &str) -> VatNumber {
        let number = vat(&format!("{country}987654321"));
        self.server.slow(&number.to_string(), TIMEOUT * 3);
        number
    }

    async fn refused_input(&self) -> VatNumber {
        self.server.refuse("DE201", "INVALID_INPUT");
        vat("DE201")
    }

    async fn unknown_requester(&self) -> (Arc<dyn TaxIds>, VatNumber) {
        self.server.register("DE123456789", "ACME GMBH", "BERLIN");
        (
            adapter(&self.server, Some("DE999999999")),
            vat("DE123456789"),
        )
    }

    fn requests(&self) -> Option<usize> {
        Some(self.server.requests())
    }
}

async fn a_registered_number_is_valid_with_a_consultation_number(r: &dyn Register) {
    let address = "HAUPTSTRASSE 1\n10115 BERLIN";
    r.register("DE123456789", "ACME GMBH", address).await;
    let number = vat("de 123 456 789");
    let first = r.tax_ids().check(&number).await.unwrap();
    assert!(first.valid, "{first:?}");
    assert_eq!(first.number, number);
    assert_eq!(first.name.as_deref(), Some("ACME GMBH"));
    assert_eq!(first.address.as_deref(), Some(address));
    let age = time::OffsetDateTime::now_utc() - first.checked_at;
    assert!(
        age.whole_minutes().abs() < 5,
        "checked at {}",
        first.checked_at
    );
    let consultation = first.consultation.clone().expect("a consultation number");
    assert!(!consultation.is_empty());
    let second = r.tax_ids().check(&number).await.unwrap();
    assert!(second.valid);
    assert_ne!(second.consultation, first.consultation, "each its own");
}

async fn an_unregistered_number_is_invalid(r: &dyn Register) {
    r.register("DE123456789", "ACME GMBH", "BERLIN").await;
    for text in ["FR12345678901", "EL094259216", "XI123456789", "DE123456788"] {
        let check = r.tax_ids().check(&vat(text)).await.unwrap();
        assert!(!check.valid, "{text}: {check:?}");
        assert_eq!((check.name, check.address), (None, None), "{text}");
        assert!(check.consultation.is_some(), "{text}: a no is evidence too");
    }
}

async fn malformed_input_is_refused_before_any_request(r: &dyn Register) {
    let before = r.requests();
    for junk in [
        "DE 1",
        "GR094259216",
        "GB123456789",
        "123456789",
        "DE1234567890123",
    ] {
        assert!(VatNumber::parse(junk).is_err(), "{junk}");
    }
    assert_eq!(r.requests(), before, "nothing was asked");
    let refused = r.refused_input().await;
    let error = r.tax_ids().check(&refused).await.unwrap_err();
    assert!(matches!(error, TaxIdError::Malformed(_)), "{error:?}");
    assert!(!error.is_retryable());
}

async fn a_member_state_that_cannot_answer_is_asked_again_later(r: &dyn Register) {
    let number = r.member_state_down("DE").await;
    let error = r.tax_ids().check(&number).await.unwrap_err();
    assert!(matches!(error, TaxIdError::Unavailable(_)), "{error:?}");
    assert!(error.is_retryable());
    let elsewhere = r.tax_ids().check(&vat("FR12345678901")).await;
    assert!(
        elsewhere.is_ok(),
        "other member states answer: {elsewhere:?}"
    );
}

async fn an_answer_too_late_is_asked_again_later(r: &dyn Register) {
    let number = r.too_late("IT").await;
    let started = Instant::now();
    let error = r.tax_ids().check(&number).await.unwrap_err();
    assert!(matches!(error, TaxIdError::Unavailable(_)), "{error:?}");
    assert!(error.is_retryable());
    assert!(started.elapsed() < TIMEOUT * 2, "it gave up in time");
}

async fn a_requester_the_register_does_not_know_is_ours_to_fix(r: &dyn Register) {
    let (port, number) = r.unknown_requester().await;
    let error = port.check(&number).await.unwrap_err();
    assert!(matches!(error, TaxIdError::Misconfigured(_)), "{error:?}");
    assert!(!error.is_retryable());
}
