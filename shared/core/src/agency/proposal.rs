//! The proposal: priced lines (a hosting plan and a domain priced from the
//! catalog; email, SSL and website maintenance priced by staff), all in one
//! currency, with what it says for the prospect. Sending it moves the site
//! `poc_ready → proposal_sent` and mails the contact a link to it and, when
//! the site has its preview, a fresh link to the preview.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::services::BillingPeriod;
use super::{AgencyError, fields, invalid};
use crate::catalog::Catalog;
use crate::money::Currency;

/// What a line of a proposal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    Plan,
    Domain,
    Email,
    Ssl,
    WebsiteMaintenance,
}

/// What becomes of a proposal's domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainPlan {
    Register,
    Transfer,
    /// Held at another registrar; the client points it at us.
    HeldElsewhere,
}

/// A line as staff write it. A plan names `plan_id` and `cycle`; a domain
/// its `name` and `domain`; the others their `name`, `period`, `price` and
/// `currency`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    pub kind: LineKind,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub plan_id: Option<String>,
    /// `monthly` or `annual`.
    #[serde(default)]
    pub cycle: Option<String>,
    #[serde(default)]
    pub domain: Option<DomainPlan>,
    #[serde(default)]
    pub period: Option<BillingPeriod>,
    /// Per period, in minor units: 0 to 100,000,000.
    #[serde(default)]
    pub price: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "EUR")]
    pub currency: Option<String>,
}

/// A priced line of a proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposalLine {
    pub kind: LineKind,
    /// In words: the plan's name, the domain, `5 mailboxes`.
    pub name: String,
    pub period: BillingPeriod,
    /// Per period, in minor units of the proposal's currency.
    pub price: i64,
    /// Paid once on top, in minor units (a plan's setup fee).
    #[serde(default)]
    pub setup: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<DomainPlan>,
}

/// What the lines come to, per period, before tax.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    pub one_time: i64,
    pub monthly: i64,
    pub annual: i64,
}

/// A proposal, as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    pub lines: Vec<ProposalLine>,
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    pub totals: Totals,
    /// The country of the client's business (ISO 3166), for their account.
    pub country: String,
    pub sent_at: String,
    /// The member of staff who sent it.
    pub sent_by: String,
}

/// A proposal to send, as staff write it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendProposal {
    /// 1 to 20 lines.
    pub lines: Vec<LineRequest>,
    /// What it says for the prospect: at most 4,000 characters.
    #[serde(default)]
    pub notes: Option<String>,
    /// The client's country, ISO 3166 (default: the company's).
    #[serde(default)]
    pub country: Option<String>,
    /// The site's version as read.
    pub v: i64,
}

/// The most lines a proposal holds.
pub const MOST_LINES: usize = 20;

fn need<T: Clone>(value: &Option<T>, what: &str) -> Result<T, AgencyError> {
    value
        .clone()
        .ok_or_else(|| invalid("invalid_line", format!("this line needs {what}")))
}

fn plan_line(catalog: &Catalog, line: &LineRequest) -> Result<ProposalLine, AgencyError> {
    let plan_id = need(&line.plan_id, "plan_id")?;
    let plan = catalog
        .plan(&plan_id)
        .ok_or_else(|| invalid("unknown_plan", format!("no plan {plan_id} in the catalog")))?;
    let cycle = need(&line.cycle, "cycle (monthly or annual)")?;
    let (price, period) = match (plan.prices.get(&cycle), cycle.as_str()) {
        (Some(price), "monthly") => (*price, BillingPeriod::Monthly),
        (Some(price), "annual") => (*price, BillingPeriod::Annual),
        _ => {
            return Err(invalid(
                "invalid_cycle",
                format!("{} is not sold {cycle}", plan.name),
            ));
        }
    };
    Ok(ProposalLine {
        kind: LineKind::Plan,
        name: plan.name.clone(),
        period,
        price,
        setup: plan.setup_fee,
        plan_id: Some(plan_id),
        cycle: Some(cycle),
        domain: None,
    })
}

fn domain_line(catalog: &Catalog, line: &LineRequest) -> Result<ProposalLine, AgencyError> {
    let name = fields::domain("name", &need(&line.name, "the domain's name")?)?;
    let plan = need(
        &line.domain,
        "domain (register, transfer or held_elsewhere)",
    )?;
    let tld = name.split_once('.').map(|(_, tld)| tld).unwrap_or_default();
    let price = |pick: fn(&crate::catalog::TldPrice) -> i64| {
        catalog
            .tld(tld)
            .map(pick)
            .ok_or_else(|| invalid("unsupported_tld", format!("we do not sell .{tld} domains")))
    };
    let (price, period) = match plan {
        DomainPlan::Register => (price(|t| t.register)?, BillingPeriod::Annual),
        DomainPlan::Transfer => (price(|t| t.transfer)?, BillingPeriod::Annual),
        DomainPlan::HeldElsewhere => (0, BillingPeriod::OneTime),
    };
    Ok(ProposalLine {
        kind: LineKind::Domain,
        name,
        period,
        price,
        setup: 0,
        plan_id: None,
        cycle: None,
        domain: Some(plan),
    })
}

/// A line staff price themselves, and its currency.
fn priced_line(line: &LineRequest) -> Result<(ProposalLine, Currency), AgencyError> {
    let price = need(&line.price, "price")?;
    if !(0..=100_000_000).contains(&price) {
        return Err(invalid(
            "invalid_price",
            "price: 0 to 100,000,000 minor units",
        ));
    }
    let currency = Currency::parse(&need(&line.currency, "currency")?).map_err(|_| {
        invalid(
            "invalid_currency",
            "currency: an ISO 4217 currency counted in cents, such as EUR or USD",
        )
    })?;
    let line = ProposalLine {
        kind: line.kind,
        name: fields::name("name", &need(&line.name, "name")?, 120)?,
        period: need(&line.period, "period (monthly, annual or one_time)")?,
        price,
        setup: 0,
        plan_id: None,
        cycle: None,
        domain: None,
    };
    Ok((line, currency))
}

/// The lines priced, their one currency and their totals; or why not.
pub(super) fn priced(
    catalog: &Catalog,
    lines: &[LineRequest],
) -> Result<(Vec<ProposalLine>, Currency, Totals), AgencyError> {
    if lines.is_empty() || lines.len() > MOST_LINES {
        return Err(invalid(
            "invalid_lines",
            format!("a proposal has 1 to {MOST_LINES} lines"),
        ));
    }
    let count = |kind| lines.iter().filter(|l| l.kind == kind).count();
    let (plans, domains) = (count(LineKind::Plan), count(LineKind::Domain));
    if plans > 1 || domains > 1 || plans != domains {
        return Err(invalid(
            "invalid_lines",
            "a proposal has one plan and one domain (they become one order), or neither",
        ));
    }
    let mut currencies = Vec::new();
    let mut priced = Vec::new();
    for line in lines {
        match line.kind {
            LineKind::Plan => {
                priced.push(plan_line(catalog, line)?);
                currencies.push(catalog.currency.clone());
            }
            LineKind::Domain => {
                priced.push(domain_line(catalog, line)?);
                currencies.push(catalog.currency.clone());
            }
            _ => {
                let (line, currency) = priced_line(line)?;
                priced.push(line);
                currencies.push(currency);
            }
        }
    }
    let currency = currencies[0].clone();
    if currencies.iter().any(|c| *c != currency) {
        return Err(invalid(
            "mixed_currencies",
            format!(
                "every line of a proposal is in one currency (the catalog's is {})",
                catalog.currency
            ),
        ));
    }
    let totals = totals(&priced);
    Ok((priced, currency, totals))
}

fn totals(lines: &[ProposalLine]) -> Totals {
    let mut totals = Totals::default();
    for line in lines {
        totals.one_time += line.setup;
        match line.period {
            BillingPeriod::OneTime => totals.one_time += line.price,
            BillingPeriod::Monthly => totals.monthly += line.price,
            BillingPeriod::Annual => totals.annual += line.price,
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(json: serde_json::Value) -> LineRequest {
        serde_json::from_value(json).unwrap()
    }

    fn maintenance(currency: &str, price: i64) -> LineRequest {
        line(
            serde_json::json!({"kind": "website_maintenance", "name": "Care plan",
            "period": "monthly", "price": price, "currency": currency}),
        )
    }

    #[test]
    fn lines_are_priced_in_one_currency_within_bounds() {
        let catalog = Catalog::demo();
        let plan = &catalog.plans[0];
        let cycle = plan.prices.keys().next().unwrap().clone();
        let tld = catalog.tlds[0].tld.clone();
        let lines = vec![
            line(serde_json::json!({"kind": "plan", "plan_id": plan.id, "cycle": cycle})),
            line(
                serde_json::json!({"kind": "domain", "name": format!("parc.{tld}"), "domain": "register"}),
            ),
            maintenance(catalog.currency.as_str(), 2500),
        ];
        let (made, currency, totals) = priced(&catalog, &lines).unwrap();
        assert_eq!(currency, catalog.currency);
        assert_eq!(made[1].price, catalog.tlds[0].register);
        assert!(totals.monthly >= 2500);
        assert_eq!(totals.one_time, plan.setup_fee);

        let other = if catalog.currency.as_str() == "USD" {
            "EUR"
        } else {
            "USD"
        };
        let mixed = vec![lines[0].clone(), lines[1].clone(), maintenance(other, 1)];
        let error = priced(&catalog, &mixed).unwrap_err().to_string();
        assert!(error.contains("one currency"), "{error}");
        for bad in [
            vec![],
            vec![maintenance("EUR", -1)],
            vec![maintenance("EUR", 100_000_001)],
            vec![lines[0].clone()],
            vec![maintenance("EURO", 1)],
            (0..21).map(|_| maintenance("EUR", 1)).collect(),
        ] {
            assert!(priced(&catalog, &bad).is_err());
        }
    }
}
