//! A VAT number as VIES takes it: a member state's code and the national
//! number. What a customer types ("de 123.456-789") is read into one, or
//! refused with the reason, before any register is asked.
//!
//! VIES's member-state codes are ISO 3166's but for Greece (`EL`) and
//! Northern Ireland (`XI`, a part of the United Kingdom still in the EU's
//! VAT system for goods). The number itself is checked only as far as VIES
//! documents it (its checkVat service description: `[0-9A-Za-z+*.]{2,12}`);
//! each member state's own rules are the register's to apply.

use std::fmt;

/// VIES's codes of the member states (and Northern Ireland), sorted.
pub const MEMBER_STATES: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// The shortest and longest national number VIES takes.
const LENGTHS: std::ops::RangeInclusive<usize> = 2..=12;

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(into = "String")]
pub struct VatNumber {
    country: &'static str,
    number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatNumberError {
    #[error("a VAT number starts with its country's two-letter code, such as DE or FR")]
    NoCountry,
    #[error("{0}")]
    NotMemberState(String),
    #[error("a VAT number has only letters and digits after its country code")]
    Characters,
    #[error("a VAT number has 2 to 12 letters and digits after its country code, not {0}")]
    Length(usize),
}

impl VatNumber {
    /// Reads a VAT number as a customer may write it: any case, with
    /// spaces, dots or hyphens between the characters.
    pub fn parse(input: &str) -> Result<VatNumber, VatNumberError> {
        let compact: String = input
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '.' | '-')))
            .flat_map(char::to_uppercase)
            .collect();
        let mut chars = compact.chars();
        let prefix: String = chars.by_ref().take(2).collect();
        if prefix.len() != 2 || !prefix.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(VatNumberError::NoCountry);
        }
        let country = member_state(&prefix)?;
        let number: String = chars.collect();
        if !number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '*'))
        {
            return Err(VatNumberError::Characters);
        }
        if !LENGTHS.contains(&number.len()) {
            return Err(VatNumberError::Length(number.len()));
        }
        Ok(VatNumber { country, number })
    }

    /// The member state's code, as VIES has it (`EL` for Greece).
    pub fn country(&self) -> &'static str {
        self.country
    }

    /// The national number, without the country code.
    pub fn number(&self) -> &str {
        &self.number
    }
}

fn member_state(code: &str) -> Result<&'static str, VatNumberError> {
    if let Some(found) = MEMBER_STATES.iter().copied().find(|known| *known == code) {
        return Ok(found);
    }
    let reason = match code {
        "GR" => "Greek VAT numbers start with EL, not GR".to_string(),
        "GB" | "UK" => {
            "VAT numbers of Great Britain are not in the EU's register; Northern Ireland's start with XI"
                .to_string()
        }
        _ => format!("{code} is not an EU member state's VAT code"),
    };
    Err(VatNumberError::NotMemberState(reason))
}

impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.country, self.number)
    }
}

impl std::str::FromStr for VatNumber {
    type Err = VatNumberError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        VatNumber::parse(input)
    }
}

impl TryFrom<String> for VatNumber {
    type Error = VatNumberError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        VatNumber::parse(&text)
    }
}

impl<'de> serde::Deserialize<'de> for VatNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        VatNumber::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl From<VatNumber> for String {
    fn from(number: VatNumber) -> String {
        number.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(input: &str) -> (String, String) {
        let number = VatNumber::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        (number.country().to_string(), number.number().to_string())
    }

    #[test]
    fn spaces_dots_hyphens_and_case_are_forgiven() {
        let expected = ("DE".to_string(), "123456789".to_string());
        assert_eq!(parsed("DE123456789"), expected);
        assert_eq!(parsed("de 123 456 789"), expected);
        assert_eq!(parsed(" De-123.456.789 "), expected);
        assert_eq!(parsed("nl 1234.56.789 b01").1, "123456789B01");
    }

    #[test]
    fn greece_is_el_and_northern_ireland_xi() {
        assert_eq!(parsed("EL 094259216").0, "EL");
        assert_eq!(parsed("xi123456789").0, "XI");
        let greek = VatNumber::parse("GR094259216").unwrap_err();
        assert!(greek.to_string().contains("EL"), "{greek}");
        let british = VatNumber::parse("GB123456789").unwrap_err();
        assert!(british.to_string().contains("XI"), "{british}");
    }

    #[test]
    fn every_member_state_is_known() {
        assert_eq!(MEMBER_STATES.len(), 28);
        assert!(MEMBER_STATES.windows(2).all(|w| w[0] < w[1]));
        for code in MEMBER_STATES {
            assert_eq!(parsed(&format!("{code}12345")).0, code);
        }
    }

    #[test]
    fn junk_is_refused_with_its_reason() {
        for (input, expected) in [
            ("", VatNumberError::NoCountry),
            ("123456789", VatNumberError::NoCountry),
            ("D1234567", VatNumberError::NoCountry),
            ("ÄT12345678", VatNumberError::NoCountry),
            ("DE12345678/9", VatNumberError::Characters),
            ("DE1234é678", VatNumberError::Characters),
            ("DE1", VatNumberError::Length(1)),
            ("DE", VatNumberError::Length(0)),
            ("NL1234567890123", VatNumberError::Length(13)),
        ] {
            assert_eq!(VatNumber::parse(input), Err(expected), "{input:?}");
        }
        assert!(matches!(
            VatNumber::parse("US123456789"),
            Err(VatNumberError::NotMemberState(_))
        ));
    }

    #[test]
    fn it_is_kept_as_written_for_vies() {
        let number = VatNumber::parse("el 094 259 216").unwrap();
        assert_eq!(number.to_string(), "EL094259216");
        let json = serde_json::to_string(&number).unwrap();
        assert_eq!(json, "\"EL094259216\"");
        assert_eq!(serde_json::from_str::<VatNumber>(&json).unwrap(), number);
        assert!(serde_json::from_str::<VatNumber>("\"GR1\"").is_err());
    }
}
