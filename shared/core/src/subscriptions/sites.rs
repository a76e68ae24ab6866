//! The sites a hosting service serves besides its own domain, within the
//! plan's `limits.sites` (which counts the service's own domain). A site is
//! a name under the service's domain (`shop.bakery.com`) or a domain the
//! customer holds with us, or a name under one: a shared server never
//! serves a name its customer has not shown to be theirs.

use serde_json::json;

use super::Subscription;
use super::addons::{AddonError, active_service, panel_error, record_change, within_limit};
use crate::CustomerId;
use crate::domains::name::{Searched, parse};
use crate::domains::owned::{self, OwnedStatus};
use crate::{Catalogs, Hosting, Storage};

/// The ASCII name of the site typed as `input`, and the registrable domain
/// it belongs to.
fn site_name(input: &str) -> Result<(String, String), AddonError> {
    let invalid = |message: String| AddonError::Invalid {
        code: "invalid_site",
        message,
    };
    match parse(input) {
        Ok(Searched::Domain(name)) => {
            let full = match &name.dropped_subdomain {
                Some(sub) => format!("{sub}.{}", name.ascii),
                None => name.ascii.clone(),
            };
            Ok((full, name.ascii))
        }
        Ok(Searched::Word { .. }) => Err(invalid(format!(
            "{input:?} is not a domain name; a site needs one, such as shop.example.com"
        ))),
        Err(error) => Err(invalid(format!("{input:?}: {}", error.message))),
    }
}

/// Makes `names` the service's other sites, each checked as the module says.
pub async fn set_sites(
    ports: &(impl Storage + Hosting + Catalogs),
    customer_id: &CustomerId,
    service_id: &str,
    names: &[String],
) -> Result<Subscription, AddonError> {
    let service = active_service(ports, customer_id, service_id).await?;
    let mut sites: Vec<String> = Vec::new();
    for input in names {
        let (site, registrable) = site_name(input)?;
        if site == service.domain {
            return Err(AddonError::Invalid {
                code: "invalid_site",
                message: format!("{site} is this service's own domain"),
            });
        }
        let under_own = site.ends_with(&format!(".{}", service.domain));
        if !under_own && !holds(ports, customer_id, &registrable).await? {
            return Err(AddonError::Invalid {
                code: "site_not_yours",
                message: format!(
                    "{site} is neither under {} nor a domain you hold with us; register or transfer it first",
                    service.domain
                ),
            });
        }
        if !sites.contains(&site) {
            sites.push(site);
        }
    }
    // The plan's count includes the service's own domain.
    within_limit(ports, &service, "sites", sites.len() + 1).await?;
    ports
        .panel()
        .set_sites(&service.hosting.account.username, &sites)
        .await
        .map_err(panel_error)?;
    let why = match sites.is_empty() {
        true => "no other sites".to_string(),
        false => sites.join(", "),
    };
    record_change(
        ports,
        &service,
        crate::store::Update::new().set("sites", json!(sites)),
        "sites_changed",
        why,
    )
    .await
}

/// True when `customer_id` holds `domain` with us and it is in use.
async fn holds(
    ports: &impl Storage,
    customer_id: &CustomerId,
    domain: &str,
) -> Result<bool, AddonError> {
    Ok(owned::find(ports.table(), customer_id, domain)
        .await?
        .is_some_and(|d| matches!(d.status, OwnedStatus::Active | OwnedStatus::Expired)))
}

#[cfg(test)]
mod tests {
    use super::site_name;

    #[test]
    fn a_site_is_a_full_name_with_its_registrable_domain() {
        assert_eq!(
            site_name("Shop.Bakery.com").unwrap(),
            ("shop.bakery.com".into(), "bakery.com".into())
        );
        assert_eq!(
            site_name("https://bäckerei.de/").unwrap(),
            ("xn--bckerei-5wa.de".into(), "xn--bckerei-5wa.de".into())
        );
        assert!(site_name("bakery").is_err());
        assert!(site_name("").is_err());
        assert!(site_name("1.2.3.4").is_err());
    }
}
