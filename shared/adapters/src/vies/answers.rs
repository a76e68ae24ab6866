//! VIES's answers read: a check, or a refusal and what it asks of us.
//!
//! The error codes are those VIES's test service documents, with the
//! national number that makes it answer each (its description, "Here is the
//! list of VAT Number to use to receive each kind of answer": `100` valid,
//! `200` invalid, and the codes below).

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use hostfront_core::tax_ids::{TaxIdError, VatCheck, VatNumber, published};

/// Each refusal VIES documents, with the test service's number for it.
pub(crate) const TEST_SERVICE_ERRORS: [(&str, &str); 11] = [
    ("201", "INVALID_INPUT"),
    ("202", "INVALID_REQUESTER_INFO"),
    ("300", "SERVICE_UNAVAILABLE"),
    ("301", "MS_UNAVAILABLE"),
    ("302", "TIMEOUT"),
    ("400", "VAT_BLOCKED"),
    ("401", "IP_BLOCKED"),
    ("500", "GLOBAL_MAX_CONCURRENT_REQ"),
    ("501", "GLOBAL_MAX_CONCURRENT_REQ_TIME"),
    ("600", "MS_MAX_CONCURRENT_REQ"),
    ("601", "MS_MAX_CONCURRENT_REQ_TIME"),
];

/// What VIES's error `code` asks of us: the customer corrects the number
/// (`INVALID_INPUT`), we fix our side (our requester number, or an address
/// or number VIES blocks), or we ask again later (every other code: the
/// service, a member state or their capacity).
pub(crate) fn refusal(code: &str) -> TaxIdError {
    match code {
        "INVALID_INPUT" => TaxIdError::Malformed(format!("VIES refuses the number ({code})")),
        "INVALID_REQUESTER_INFO" => TaxIdError::Misconfigured(format!(
            "VIES refuses our requester number, HOSTFRONT_VIES_REQUESTER ({code})"
        )),
        "VAT_BLOCKED" | "IP_BLOCKED" => {
            TaxIdError::Misconfigured(format!("VIES blocks our requests ({code})"))
        }
        _ => TaxIdError::Unavailable(format!("VIES cannot answer now ({code})")),
    }
}

/// The check in VIES's answer `body` (with HTTP `status`) about `number`;
/// `now` stands for the time of a request date VIES did not give as one.
pub(super) fn check_of(
    number: &VatNumber,
    status: u16,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<VatCheck, TaxIdError> {
    let answer: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
        TaxIdError::Unavailable(format!("VIES answered {status} without a JSON body"))
    })?;
    if let Some(code) = error_code(&answer) {
        return Err(refusal(code));
    }
    let valid = answer["valid"].as_bool().filter(|_| status == 200);
    let Some(valid) = valid else {
        return Err(TaxIdError::Unavailable(format!(
            "VIES answered {status} without a verdict"
        )));
    };
    let checked_at = answer["requestDate"]
        .as_str()
        .and_then(|date| OffsetDateTime::parse(date, &Rfc3339).ok())
        .unwrap_or(now);
    Ok(VatCheck {
        number: number.clone(),
        valid,
        checked_at,
        consultation: published(answer["requestIdentifier"].as_str()),
        name: published(answer["name"].as_str()),
        address: published(answer["address"].as_str()),
    })
}

/// The first error VIES names: in `errorWrappers` (its `CommonResponse`),
/// or as the `userError` of a check that could not be done.
fn error_code(answer: &serde_json::Value) -> Option<&str> {
    let wrapped = answer["errorWrappers"]
        .as_array()
        .and_then(|errors| errors.iter().find_map(|e| e["error"].as_str()));
    let user_error = answer["userError"]
        .as_str()
        .filter(|code| !matches!(*code, "VALID" | "INVALID"));
    wrapped.or(user_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> VatNumber {
        VatNumber::parse("DE123456789").unwrap()
    }

    fn read(status: u16, body: &str) -> Result<VatCheck, TaxIdError> {
        check_of(
            &number(),
            status,
            body.as_bytes(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn every_documented_error_has_its_reaction() {
        for (_, code) in TEST_SERVICE_ERRORS {
            let error = refusal(code);
            let expected = match code {
                "INVALID_INPUT" => matches!(error, TaxIdError::Malformed(_)),
                "INVALID_REQUESTER_INFO" | "VAT_BLOCKED" | "IP_BLOCKED" => {
                    matches!(error, TaxIdError::Misconfigured(_))
                }
                _ => error.is_retryable(),
            };
            assert!(expected, "{code}: {error:?}");
        }
        assert!(refusal("SOMETHING_NEW").is_retryable());
    }

    #[test]
    fn a_refusal_is_read_whatever_its_status() {
        let body =
            r#"{"actionSucceed":false,"errorWrappers":[{"error":"MS_UNAVAILABLE","message":"x"}]}"#;
        for status in [200, 400, 500] {
            assert!(read(status, body).unwrap_err().is_retryable());
        }
        let input = r#"{"actionSucceed":false,"errorWrappers":[{"error":"INVALID_INPUT"}]}"#;
        assert!(matches!(read(400, input), Err(TaxIdError::Malformed(_))));
    }

    #[test]
    fn an_answer_keeps_its_evidence() {
        let body = r#"{"countryCode":"DE","vatNumber":"123456789","requestDate":"2026-12-06T10:00:00.000Z",
            "valid":true,"requestIdentifier":"WAPIAAAAZ1","name":"ACME GMBH","address":"---"}"#;
        let check = read(200, body).unwrap();
        assert!(check.valid);
        assert_eq!(check.consultation.as_deref(), Some("WAPIAAAAZ1"));
        assert_eq!(check.name.as_deref(), Some("ACME GMBH"));
        assert_eq!(check.address, None);
        assert_eq!(check.checked_at.unix_timestamp(), 1_796_551_200);
        let bare = read(
            200,
            r#"{"valid":false,"requestIdentifier":"","requestDate":"2026-12-06+01:00"}"#,
        )
        .unwrap();
        assert_eq!((bare.valid, bare.consultation), (false, None));
        assert_eq!(bare.checked_at, OffsetDateTime::UNIX_EPOCH);
    }

    #[test]
    fn no_verdict_is_no_answer() {
        assert!(read(200, "<html>busy</html>").unwrap_err().is_retryable());
        assert!(read(200, "{}").unwrap_err().is_retryable());
        assert!(read(502, r#"{"valid":true}"#).unwrap_err().is_retryable());
    }
}
