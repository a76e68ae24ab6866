//! The cart kept with a customer's account: the domains they mean to
//! register and the plan and cycle they chose, so that it follows them to
//! another device or through the signup link. A visitor's cart lives in
//! their browser until they log in; then the site sends it here. Prices
//! are never kept: the catalog says them when the order is placed.
//!
//! Item: `CUSTOMER#<id>` / `CART` (`cart`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::CustomerId;
use crate::domain_name::{self as name, Searched};
use crate::store::{Item, Key, TableError};
use crate::{Catalogs, Settings, Storage};

/// At most this many domains in a cart.
pub const MOST_DOMAINS: usize = 20;
const CYCLES: [&str; 2] = ["monthly", "annual"];

/// A cart as the site sends it and gets it back.
// Read through `CartObject`: serde alone would take an array of its fields too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, try_from = "CartObject")]
pub struct Cart {
    /// Domain names to register, in the order added (ASCII or Unicode; kept
    /// as ASCII, lower case, each once).
    #[serde(default)]
    pub domains: Vec<String>,
    /// A plan of the catalog.
    #[serde(default)]
    pub plan_id: Option<String>,
    /// `monthly` or `annual`.
    #[serde(default)]
    pub cycle: Option<String>,
}

/// What a cart is read from: an object, whose fields are then a cart's.
#[derive(Deserialize)]
#[serde(transparent)]
struct CartObject(serde_json::Map<String, serde_json::Value>);

impl TryFrom<CartObject> for Cart {
    type Error = String;

    fn try_from(CartObject(object): CartObject) -> Result<Cart, String> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Fields {
            #[serde(default)]
            domains: Vec<String>,
            #[serde(default)]
            plan_id: Option<String>,
            #[serde(default)]
            cycle: Option<String>,
        }
        let fields: Fields = serde_json::from_value(serde_json::Value::Object(object))
            .map_err(|error| error.to_string())?;
        Ok(Cart {
            domains: fields.domains,
            plan_id: fields.plan_id,
            cycle: fields.cycle,
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CartError {
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error(transparent)]
    Table(#[from] TableError),
}

fn invalid(code: &'static str, message: impl Into<String>) -> CartError {
    CartError::Invalid {
        code,
        message: message.into(),
    }
}

/// Where the customer's cart is kept.
pub fn key(customer_id: &CustomerId) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), "CART")
}

/// The customer's cart; empty when they have none.
pub async fn get(ports: &impl Storage, customer_id: &CustomerId) -> Result<Cart, CartError> {
    let Some(item) = ports.table().get(&key(customer_id)).await? else {
        return Ok(Cart::default());
    };
    serde_json::from_value(item.get("cart").cloned().unwrap_or_default())
        .map_err(|e| TableError::Backend(format!("a corrupt cart: {e}")).into())
}

/// Keeps `cart` as the customer's, once each part has the form it must.
pub async fn put(
    ports: &(impl Storage + Settings + Catalogs),
    customer_id: &CustomerId,
    cart: Cart,
) -> Result<Cart, CartError> {
    let cart = checked(ports, cart).await?;
    ports.table().put(item(customer_id, &cart), None).await?;
    Ok(cart)
}

/// The item that keeps `cart` as the customer's (in the transaction that
/// makes an account from a signup that brought one).
pub fn item(customer_id: &CustomerId, cart: &Cart) -> Item {
    let mut item: Item = key(customer_id).to_item();
    item.insert("cart".into(), serde_json::json!(cart));
    item
}

/// `cart` in the form it is kept in, once each part is one a cart may hold.
pub async fn checked(
    ports: &(impl Storage + Settings + Catalogs),
    cart: Cart,
) -> Result<Cart, CartError> {
    if cart.domains.len() > MOST_DOMAINS {
        return Err(invalid(
            "too_many_domains",
            format!("a cart holds at most {MOST_DOMAINS} domains"),
        ));
    }
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let zone = &ports.config().subdomain_zone;
    let mut domains: Vec<String> = Vec::new();
    for typed in &cart.domains {
        let refused = |code, why: &str| invalid(code, format!("{typed:?} {why}"));
        let domain = match name::parse(typed) {
            Ok(Searched::Domain(domain)) if domain.dropped_subdomain.is_none() => domain,
            _ => {
                return Err(refused(
                    "invalid_domain",
                    "is not a domain name that can be registered",
                ));
            }
        };
        // Exactly a name, as search gives it: nothing tidied away unseen.
        let given = typed.trim().to_lowercase();
        if given != domain.ascii && given != domain.unicode {
            return Err(refused(
                "invalid_domain",
                "is not written as a domain name is",
            ));
        }
        if catalog.tld(&domain.suffix).is_none() {
            return Err(refused("not_sold", "ends in a domain ending not sold here"));
        }
        if domain.ascii == *zone || domain.ascii.ends_with(&format!(".{zone}")) {
            return Err(refused(
                "company_domain",
                "belongs to us; a free subdomain of it comes with a plan",
            ));
        }
        if !domains.contains(&domain.ascii) {
            domains.push(domain.ascii);
        }
    }
    if let Some(cycle) = &cart.cycle
        && !CYCLES.contains(&cycle.as_str())
    {
        return Err(invalid("invalid_cycle", "the cycle is monthly or annual"));
    }
    if let Some(plan) = &cart.plan_id
        && catalog.plan(plan).is_none()
    {
        return Err(invalid("unknown_plan", format!("no plan {plan:?} is sold")));
    }
    Ok(Cart { domains, ..cart })
}
