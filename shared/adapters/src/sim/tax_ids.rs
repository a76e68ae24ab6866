//! A simulated VAT register, for local runs, demonstrations and tests. It
//! answers VIES's documented test numbers as VIES's test service does
//! (`100` valid, `200` invalid, `201` to `601` each refusal, whatever the
//! country: `DE100`, `FR301`), and every other number from its own state in
//! the table: a number registered with `register` is valid, with its name
//! and address; any other is invalid. Like VIES asked with our requester
//! number, it gives every answer a consultation number, which it keeps
//! (`SIMVAT#<number>`, `CHECK#<consultation>`). Nothing leaves the process.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;

use hostfront_core::clock::Clock;
use hostfront_core::store::{ItemExt, Key, Query, SortKey, Table, TableError, all_items};
use hostfront_core::tax_ids::{TaxIdError, TaxIds, VatCheck, VatNumber};

use crate::vies::{TEST_SERVICE_ERRORS, refusal};

/// The name and address VIES's test service gives its valid number.
const TEST_NAME: &str = "John Doe";
const TEST_ADDRESS: &str = "123 Main St, Anytown, UK";

pub struct SimulatedTaxIds {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
}

fn partition(number: &VatNumber) -> String {
    format!("SIMVAT#{number}")
}

fn registration_key(number: &VatNumber) -> Key {
    Key::new(partition(number), "NUMBER")
}

fn storage(error: TableError) -> TaxIdError {
    TaxIdError::Unavailable(format!("the simulated register's storage: {error}"))
}

impl SimulatedTaxIds {
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        SimulatedTaxIds { table, clock }
    }

    /// Registers `number` as a valid VAT number of `name` at `address`.
    pub async fn register(
        &self,
        number: &VatNumber,
        name: &str,
        address: &str,
    ) -> Result<(), TaxIdError> {
        let mut item = registration_key(number).to_item();
        item.insert("kind".into(), "sim_vat".into());
        item.insert("name".into(), name.into());
        item.insert("address".into(), address.into());
        self.table.put(item, None).await.map_err(storage)
    }

    /// The consultation numbers given for `number`.
    pub async fn consultations(&self, number: &VatNumber) -> Result<Vec<String>, TaxIdError> {
        let query = Query::partition(partition(number)).sort(SortKey::BeginsWith("CHECK#".into()));
        let items = all_items(self.table.as_ref(), query)
            .await
            .map_err(storage)?;
        Ok(items
            .iter()
            .filter_map(|item| item.str_attr("consultation").map(String::from))
            .collect())
    }

    /// The registered name and address of `number`, if it is registered.
    async fn registration(
        &self,
        number: &VatNumber,
    ) -> Result<Option<(String, String)>, TaxIdError> {
        if number.number() == "100" {
            return Ok(Some((TEST_NAME.into(), TEST_ADDRESS.into())));
        }
        let item = self
            .table
            .get(&registration_key(number))
            .await
            .map_err(storage)?;
        Ok(item.map(|item| {
            let text = |name: &str| item.str_attr(name).unwrap_or_default().to_string();
            (text("name"), text("address"))
        }))
    }

    /// Keeps the consultation of `check` under a new number of its own.
    async fn consult(&self, mut check: VatCheck) -> Result<VatCheck, TaxIdError> {
        let consultation = format!("SIM{}", ulid::Ulid::new());
        let mut item =
            Key::new(partition(&check.number), format!("CHECK#{consultation}")).to_item();
        item.insert("kind".into(), "sim_vat".into());
        item.insert("consultation".into(), json!(consultation));
        item.insert("valid".into(), json!(check.valid));
        item.insert(
            "at".into(),
            json!(hostfront_core::clock::rfc3339(check.checked_at)),
        );
        self.table.put(item, None).await.map_err(storage)?;
        check.consultation = Some(consultation);
        Ok(check)
    }
}

#[async_trait]
impl TaxIds for SimulatedTaxIds {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn check(&self, number: &VatNumber) -> Result<VatCheck, TaxIdError> {
        if let Some((_, code)) = TEST_SERVICE_ERRORS
            .iter()
            .find(|(test, _)| *test == number.number())
        {
            return Err(refusal(code));
        }
        let registration = self.registration(number).await?;
        let (name, address) = registration.clone().unzip();
        let check = VatCheck {
            number: number.clone(),
            valid: registration.is_some(),
            checked_at: self.clock.now(),
            consultation: None,
            name,
            address,
        };
        self.consult(check).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedded::{EmbeddedDb, SqliteTable};
    use hostfront_core::clock::ManualClock;

    #[tokio::test]
    async fn remembers_its_numbers_and_every_consultation() {
        let dir = tempfile::TempDir::new().unwrap();
        let clock = Arc::new(ManualClock::starting_now());
        let table = SqliteTable::new(EmbeddedDb::open(dir.path()).unwrap(), clock.clone());
        let register = SimulatedTaxIds::new(Arc::new(table), clock);
        let number = VatNumber::parse("BE0123456789").unwrap();
        assert!(!register.check(&number).await.unwrap().valid);
        register
            .register(&number, "ACME SA", "BRUXELLES")
            .await
            .unwrap();
        let check = register.check(&number).await.unwrap();
        assert!(check.valid);
        assert_eq!(check.name.as_deref(), Some("ACME SA"));
        let kept = register.consultations(&number).await.unwrap();
        assert_eq!(kept.len(), 2);
        assert!(kept.contains(&check.consultation.unwrap()));
    }

    #[tokio::test]
    async fn answers_the_test_service_numbers() {
        let dir = tempfile::TempDir::new().unwrap();
        let clock = Arc::new(ManualClock::starting_now());
        let table = SqliteTable::new(EmbeddedDb::open(dir.path()).unwrap(), clock.clone());
        let register = SimulatedTaxIds::new(Arc::new(table), clock);
        async fn ask(register: &SimulatedTaxIds, text: &str) -> Result<VatCheck, TaxIdError> {
            register.check(&VatNumber::parse(text).unwrap()).await
        }
        let valid = ask(&register, "EL100").await.unwrap();
        assert_eq!(
            (valid.valid, valid.name.as_deref()),
            (true, Some(TEST_NAME))
        );
        assert!(!ask(&register, "XI200").await.unwrap().valid);
        assert!(matches!(
            ask(&register, "DE201").await,
            Err(TaxIdError::Malformed(_))
        ));
        assert!(matches!(
            ask(&register, "DE202").await,
            Err(TaxIdError::Misconfigured(_))
        ));
        for unavailable in ["FR300", "FR301", "FR302", "FR500", "FR601"] {
            assert!(
                ask(&register, unavailable)
                    .await
                    .unwrap_err()
                    .is_retryable(),
                "{unavailable}"
            );
        }
    }
}
