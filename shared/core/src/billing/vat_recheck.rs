//! The hourly recheck of VAT numbers the register could not confirm when
//! they were given. For each account on the pending list: once VIES says
//! the number is valid, the account keeps it as valid (invoices from then
//! on are reverse-charged), the invoices issued meanwhile at the consumer's
//! rate are corrected (`billing::vat_correction`), and the account leaves
//! the list, in that order, so that a run cut short resumes where it
//! stopped. Once VIES says it is not valid, the number is dropped and the
//! customer told by mail. While VIES cannot answer, it stays on the list.

use super::letter::addressed;
use super::vat_correction;
use crate::accounts::vat::{self, Listing, PENDING, VatRegistration, VatStatus};
use crate::accounts::{Customer, load_customer};
use crate::mail::{self, Mail, MailKind};
use crate::store::{ItemExt, Query, TableError, all_items};
use crate::tax_ids::{TaxIdError, VatNumber};
use crate::{CustomerId, Mailing, Settings, Storage, TaxRegister};

/// What one recheck did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rechecked {
    /// Numbers VIES confirmed.
    pub confirmed: usize,
    /// Numbers VIES said are not valid, dropped.
    pub dropped: usize,
    /// Numbers VIES still could not answer about.
    pub waiting: usize,
    /// Invoices corrected by a credit note of their VAT.
    pub corrected: usize,
}

/// Asks the register again about every pending VAT number.
pub async fn recheck_pending(
    ports: &(impl Storage + Settings + TaxRegister + Mailing),
) -> Result<Rechecked, vat::VatError> {
    let mut done = Rechecked::default();
    for line in all_items(ports.table(), Query::partition(PENDING)).await? {
        let customer_id = CustomerId::new(line.str_attr("customer_id").unwrap_or_default());
        let customer = match load_customer(ports.table(), &customer_id).await {
            Ok(customer) => customer,
            Err(TableError::Backend(reason)) => {
                tracing::warn!(customer = %customer_id, %reason, "a pending VAT number's account is unreadable");
                vat::unlist(ports, &customer_id).await?;
                continue;
            }
            Err(other) => return Err(other.into()),
        };
        recheck(ports, customer, &mut done).await?;
    }
    Ok(done)
}

async fn recheck(
    ports: &(impl Storage + Settings + TaxRegister + Mailing),
    customer: Customer,
    done: &mut Rechecked,
) -> Result<(), vat::VatError> {
    let Some(registration) = customer.vat.clone() else {
        return Ok(vat::unlist(ports, &customer.id).await?);
    };
    if registration.status == VatStatus::Valid {
        // Confirmed on a run cut short, or given again once valid.
        done.corrected += vat_correction::correct(ports, &customer).await?;
        return Ok(vat::unlist(ports, &customer.id).await?);
    }
    let Ok(number) = VatNumber::parse(&registration.number) else {
        vat::write(ports, &customer.id, None, Listing::Remove).await?;
        return Ok(());
    };
    match ports.tax_ids().check(&number).await {
        Ok(check) if check.valid => {
            let confirmed = VatRegistration::confirmed(&check, registration.given_at.clone());
            let customer = vat::write(ports, &customer.id, Some(&confirmed), Listing::Keep).await?;
            done.confirmed += 1;
            done.corrected += vat_correction::correct(ports, &customer).await?;
            vat::unlist(ports, &customer.id).await?;
        }
        Ok(_) | Err(TaxIdError::Malformed(_)) => {
            vat::write(ports, &customer.id, None, Listing::Remove).await?;
            tell_not_valid(ports, &customer, &registration).await?;
            done.dropped += 1;
        }
        Err(error) => {
            tracing::info!(customer = %customer.id, %error, "VIES still cannot confirm a VAT number");
            done.waiting += 1;
        }
    }
    Ok(())
}

/// Tells the customer that the number they gave is not valid, once per number given.
async fn tell_not_valid(
    ports: &(impl Storage + Settings + Mailing),
    customer: &Customer,
    registration: &VatRegistration,
) -> Result<(), TableError> {
    let number = &registration.number;
    let mut letter = addressed(ports, &customer.name, "account.html");
    letter.headline = format!("Your VAT number {number} is not valid");
    letter.action = format!(
        "The EU's VAT register (VIES) could not be asked when you gave the VAT number {number}; \
         it now says the number is not valid, so we took it off your account. Your invoices \
         carry VAT at the rate for consumers. If the number is right, check it with your tax \
         office; you can give a corrected one on your account page."
    );
    let about = format!("vat-{}-{number}-{}", customer.id, registration.given_at);
    let mail =
        Mail::compose_about(ports, MailKind::Notice, &customer.email, &letter, &about).await?;
    mail::send(ports, &[mail]).await?;
    Ok(())
}
