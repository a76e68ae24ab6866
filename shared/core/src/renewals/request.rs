//! A customer asks to renew a domain: quote it, invoice it, authorise the
//! card, and queue the renewal. The same `Idempotency-Key` gets the same
//! renewal back; another request for the same domain and expiry finds one
//! under way (409).

use serde::Deserialize;
use utoipa::ToSchema;

use super::{Renewal, RenewalError, RenewalStatus, by_credit, quote};
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::billing::declines::{self, Paying};
use crate::billing::invoice::{self, Invoice, InvoiceFor};
use crate::billing::payment_method;
use crate::billing::terms::Terms;
use crate::domains::owned;
use crate::idempotency::{self, Earlier, IdempotencyRecord};
use crate::lifecycle::MovedOn;
use crate::payments::{Authorized, Charge, PaymentError, PaymentMethodId, PaymentSource};
use crate::store::{Tx, TxError, TxOp};
use crate::{Billing, Catalogs, Queueing, Registry, Settings, Storage};

/// Tries at claiming the next invoice number before giving up as busy.
const NUMBER_ATTEMPTS: usize = 50;

#[derive(Debug, Deserialize, ToSchema)]
pub struct RenewRequest {
    /// 1 to 10, and never past ten years from today.
    #[schema(minimum = 1, maximum = 10)]
    #[serde(deserialize_with = "crate::input::whole_number")]
    pub years: u32,
    /// The payment provider's id of the card to pay with, as its card form
    /// gives it; without one, the saved payment method.
    #[serde(default)]
    #[schema(pattern = r"^pm_[A-Za-z0-9_]{1,255}$")]
    pub payment_method: Option<String>,
}

/// Why the renewal's first transaction may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Underway,
    CounterMoved,
    /// The account credit was used meanwhile.
    CreditMoved,
    /// A concurrent request under the same key won.
    KeyTaken,
}

/// Renews `domain` of `customer` as `request` says; returns the renewal and
/// whether this request made it.
pub async fn renew(
    ports: &(impl Storage + Settings + Queueing + Billing + Registry + Catalogs),
    customer: &Customer,
    domain: &str,
    key: &str,
    request: RenewRequest,
) -> Result<(Renewal, bool), RenewalError> {
    check_request(key, &request)?;
    let owned = owned::find(ports.table(), &customer.id, domain)
        .await?
        .ok_or(RenewalError::NotFound)?;
    let source = payment_source(ports, customer, request.payment_method.as_deref()).await?;
    let fingerprint = format!("renew:{domain}:{}", request.years);
    if let Some(renewal) = replay(ports, customer, key, &fingerprint).await? {
        return Ok((resume(ports, renewal, source).await?, false));
    }
    let quote = quote(ports, &owned, request.years).await?;
    let paying = Paying::renewal(domain, quote.current_expiry);
    declines::may_try::<RenewalError>(ports, &customer.id, &paying).await?;
    let now = ports.clock().now();
    let terms = Terms::for_sale(ports, customer).await?;
    for _ in 0..NUMBER_ATTEMPTS {
        let mut bill = Invoice::new(
            &customer.id,
            InvoiceFor::Renewal {
                domain: domain.into(),
                years: request.years,
            },
            crate::clock::rfc3339(now),
            &quote.currency,
            quote.lines.clone(),
            &terms,
        );
        let (sequence, claim) = invoice::claim_number(ports.table(), &mut bill).await?;
        // Read again each attempt: its credit note claims a number too.
        let scheduled = scheduled_gives_way(ports, domain, quote.current_expiry).await?;
        let taken = by_credit::take(ports.table(), &mut bill, scheduled, &source).await?;
        let renewal = Renewal::new(
            &bill,
            domain,
            request.years,
            quote.current_expiry,
            RenewalStatus::Authorizing,
            crate::clock::rfc3339(now),
        );
        let made = renewal_ref(&renewal);
        let record = IdempotencyRecord {
            customer_id: &customer.id,
            key,
            made: ("renewal", &made),
            fingerprint: &fingerprint,
        };
        let mut tx = Tx::new();
        tx.guard(Refusal::Underway, renewal.create_op(now_ms(ports)))
            .guard(Refusal::CounterMoved, claim)
            .guard(
                Refusal::KeyTaken,
                record.create_op(now.unix_timestamp() + idempotency::KEEP_DAYS * 86_400),
            )
            .push(bill.put_op(sequence));
        taken.add_to(&mut tx, Refusal::CreditMoved);
        match tx.commit(ports.table()).await {
            Ok(()) => return Ok((authorize(ports, renewal, source).await?, true)),
            Err(TxError::Refused(Refusal::CounterMoved | Refusal::CreditMoved)) => {
                tokio::time::sleep(std::time::Duration::from_millis(fastrand::u64(1..10))).await;
            }
            Err(TxError::Refused(Refusal::KeyTaken | Refusal::Underway)) => {
                return match replay(ports, customer, key, &fingerprint).await? {
                    Some(renewal) => Ok((renewal, false)),
                    None => Err(RenewalError::Underway),
                };
            }
            Err(TxError::Table(error)) => return Err(error.into()),
        }
    }
    Err(RenewalError::Unavailable(
        "we are taking many payments at once; please try again".into(),
    ))
}

/// Refuses a malformed key or a number of years out of range.
fn check_request(key: &str, request: &RenewRequest) -> Result<(), RenewalError> {
    if !idempotency::valid_key(key) {
        return Err(RenewalError::Invalid {
            code: "invalid_idempotency_key",
            message: format!(
                "the Idempotency-Key header holds 1 to {} printable ASCII characters",
                idempotency::MAX_KEY
            ),
        });
    }
    if !(1..=10).contains(&request.years) {
        return Err(RenewalError::Invalid {
            code: "invalid_years",
            message: "renew for 1 to 10 years".into(),
        });
    }
    if let Some(method) = &request.payment_method {
        PaymentMethodId::parse(method).map_err(|message| RenewalError::Invalid {
            code: "invalid_payment_method",
            message: message.into(),
        })?;
    }
    Ok(())
}

/// The voiding of the invoice of a renewal of the same expiry the billing
/// run scheduled: it gives way to the customer renewing by hand.
async fn scheduled_gives_way(
    ports: &impl Storage,
    domain: &str,
    current_expiry: i64,
) -> Result<Option<Vec<TxOp>>, RenewalError> {
    Ok(
        match super::find(ports.table(), domain, current_expiry).await? {
            Some(earlier) if earlier.status == RenewalStatus::Scheduled => {
                let bill = earlier.invoice(ports.table()).await?;
                Some(
                    crate::billing::void::void_op(ports.table(), &bill, ports.clock().now())
                        .await?,
                )
            }
            _ => None,
        },
    )
}

fn now_ms(ports: &impl Storage) -> i64 {
    ports.clock().now_millis()
}

/// How the idempotency record names a renewal: `<domain>@<expiry>`.
fn renewal_ref(renewal: &Renewal) -> String {
    format!("{}@{}", renewal.domain, renewal.current_expiry)
}

/// The renewal an earlier request under `key` made, if any.
async fn replay(
    ports: &impl Storage,
    customer: &Customer,
    key: &str,
    fingerprint: &str,
) -> Result<Option<Renewal>, RenewalError> {
    let earlier =
        IdempotencyRecord::earlier(ports.table(), &customer.id, key, "renewal", fingerprint)
            .await?;
    let made = match earlier {
        None => return Ok(None),
        Some(Earlier::Other) => {
            return Err(RenewalError::Invalid {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request; use a new key"
                    .into(),
            });
        }
        Some(Earlier::Same(made)) => made,
    };
    let (domain, expiry) = made
        .rsplit_once('@')
        .and_then(|(d, e)| Some((d.to_string(), e.parse::<i64>().ok()?)))
        .ok_or_else(|| crate::store::TableError::Backend(format!("corrupt renewal ref {made}")))?;
    Ok(super::find(ports.table(), &domain, expiry).await?)
}

/// What the renewal is paid with: the payment method given, or the saved
/// one; none without either (account credit may pay all of it).
async fn payment_source(
    ports: &impl Storage,
    customer: &Customer,
    method: Option<&str>,
) -> Result<Option<PaymentSource>, RenewalError> {
    let invalid = |message: &str| RenewalError::Invalid {
        code: "invalid_payment_method",
        message: message.into(),
    };
    match method {
        Some(method) => Ok(Some(PaymentSource::Method(
            PaymentMethodId::parse(method).map_err(invalid)?,
        ))),
        None => Ok(payment_method::find(ports.table(), &customer.id)
            .await?
            .map(|saved| PaymentSource::Saved(saved.token))),
    }
}

/// Carries on a renewal a request made before: one that was still having
/// its card authorised (its request was cut off) is authorised now, with
/// the card this request gives.
async fn resume(
    ports: &(impl Storage + Settings + Queueing + Billing),
    renewal: Renewal,
    source: Option<PaymentSource>,
) -> Result<Renewal, RenewalError> {
    match renewal.status {
        RenewalStatus::Authorizing => {
            let paying = Paying::renewal(&renewal.domain, renewal.current_expiry);
            declines::may_try::<RenewalError>(ports, &renewal.customer_id, &paying).await?;
            authorize(ports, renewal, source).await
        }
        _ => Ok(renewal),
    }
}

/// Authorises the renewal's total from `source`, with a key made from the
/// renewal (a retry is answered from the gateway's record), then queues it;
/// a declined card ends it, having reached no registrar. The customer is
/// at hand: a card whose bank asks its holder to confirm the payment sends
/// the renewal to the bank (`bank`), to be queued once they confirm it.
pub(super) async fn authorize(
    ports: &(impl Storage + Settings + Queueing + Billing),
    renewal: Renewal,
    source: Option<PaymentSource>,
) -> Result<Renewal, RenewalError> {
    let Some(source) = source.filter(|_| !renewal.paid_by_credit()) else {
        return by_credit::queue(ports, renewal).await;
    };
    let charge = Charge {
        keep_for_later: false,
        amount: crate::money::Money::new(renewal.total, &renewal.currency),
        source,
        reference: renewal.invoice_number.clone(),
        idempotency_key: format!("{}-authorize", renewal.id),
    };
    let customer = Actor::Customer(renewal.customer_id.clone());
    let mut tx = Tx::new();
    let back = super::bank::return_url(ports, &renewal.domain);
    let declined = match ports.payments().authorize_with_holder(&charge, &back).await {
        Ok(Authorized::Held(authorization)) => {
            renewal
                .queued(&authorization, customer, "card authorised", now_ms(ports))
                .add_to(&mut tx, MovedOn, ports.clock().now())?;
            None
        }
        Ok(Authorized::Authenticate {
            authorization_id,
            url,
        }) => return super::bank::sent_to_bank(ports, &renewal, &authorization_id, &url).await,
        Err(PaymentError::Declined { code, message }) => {
            let why = format!("card declined: {code}");
            let paying = Paying::renewal(&renewal.domain, renewal.current_expiry);
            let told =
                declines::declined(ports, &renewal.customer_id, &paying, (code, message)).await?;
            let end = (RenewalStatus::Declined, customer, why.as_str());
            renewal.end_in(ports, &mut tx, end).await?;
            Some(declined_error(told))
        }
        Err(PaymentError::Invalid(message)) => {
            return Err(RenewalError::Invalid {
                code: "invalid_payment",
                message,
            });
        }
        Err(PaymentError::Unavailable(message)) => {
            tracing::warn!(%message, "payment gateway unavailable for a renewal");
            return Err(RenewalError::Unavailable(
                "the payment provider is not answering; send the same request again in a minute, you will not be charged twice".into(),
            ));
        }
    };
    carry_out(ports, &renewal, tx, declined).await
}

/// What a declined card is told as: the decline, and that nothing happened.
pub(super) fn declined_error((code, message): (String, String)) -> RenewalError {
    RenewalError::Declined {
        code,
        message: format!("{message}. Nothing was charged and the domain was not renewed."),
    }
}

/// Commits `tx`, the renewal's move once its card answered: a decline is
/// then told, and an authorised renewal sent to its job.
pub(super) async fn carry_out(
    ports: &(impl Storage + Queueing),
    renewal: &Renewal,
    tx: Tx<MovedOn>,
    declined: Option<RenewalError>,
) -> Result<Renewal, RenewalError> {
    match tx.commit(ports.table()).await {
        // Another request moved it first: its outcome stands.
        Ok(()) | Err(TxError::Refused(MovedOn)) => {}
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    if let Some(declined) = declined {
        return Err(declined);
    }
    // Read before the job is queued: a worker may finish it at once, and the
    // answer is the renewal as this request left it.
    let recorded = super::find(ports.table(), &renewal.domain, renewal.current_expiry)
        .await?
        .ok_or(RenewalError::NotFound)?;
    super::enqueue(ports, renewal).await;
    Ok(recorded)
}
