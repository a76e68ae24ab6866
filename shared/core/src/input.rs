//! Small rules for API input that several use cases share.

use serde::{Deserialize, Deserializer};

/// The ISO 3166-1 alpha-2 code of a country, upper-cased; none for two
/// letters that name no country.
pub fn country_code(input: &str) -> Option<String> {
    crate::countries::code(input).map(str::to_string)
}

/// Text a person may give for others to read (a name, an address line):
/// no control characters, no characters that change or hide what is shown
/// (bidirectional overrides and isolates, zero-width spaces, tags), no
/// noncharacters, and at most three combining marks on a letter (more
/// stack over the lines around them, in a mail or a PDF).
pub fn is_plain_text(text: &str) -> bool {
    let mut marks = 0;
    for c in text.chars() {
        if c.is_control() || is_hiding(c) || is_noncharacter(c) {
            return false;
        }
        marks = if is_combining(c) { marks + 1 } else { 0 };
        if marks > 3 {
            return false;
        }
    }
    true
}

/// Characters that reorder or hide text, or show as nothing: format
/// characters (bidirectional marks, overrides and isolates, zero-width
/// spaces, the soft hyphen, tags), line and paragraph separators, and the
/// fillers and blanks that look like empty space; the zero-width joiners
/// that some scripts need are allowed.
pub fn is_hiding(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180E}' | '\u{200B}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{2800}' | '\u{3164}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
}

fn is_noncharacter(c: char) -> bool {
    let code = c as u32;
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// Combining marks, which stack on the letter before them: the general
/// blocks, and those of the scripts whose marks stack highest (Cyrillic,
/// Hebrew, Arabic, Thai).
fn is_combining(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05C7}'
        | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}'
        | '\u{0E31}' | '\u{0E34}'..='\u{0E3A}' | '\u{0E47}'..='\u{0E4E}' | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// An integer that JSON may also write with a zero fraction (`12.0`), as
/// JSON Schema counts it an integer too.
pub fn whole_number<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    let number = serde_json::Number::deserialize(deserializer)?;
    let whole = number
        .as_i64()
        .or_else(|| {
            number
                .as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                .map(|f| f as i64)
        })
        .ok_or_else(|| serde::de::Error::custom(format!("{number} is not a whole number")))?;
    T::try_from(whole).map_err(|_| serde::de::Error::custom(format!("{whole} is out of range")))
}

/// `whole_number`, for a field that may be absent or null.
pub fn optional_whole_number<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    #[derive(Deserialize)]
    struct Whole<T: TryFrom<i64>>(#[serde(deserialize_with = "whole_number")] T);
    Ok(Option::<Whole<T>>::deserialize(deserializer)?.map(|Whole(value)| value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_are_assigned_codes_exactly() {
        assert_eq!(country_code("gb").as_deref(), Some("GB"));
        for bad in ["", "G", "GBR", " GB", "G1", "ÄB", "UN", "XX"] {
            assert_eq!(country_code(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn plain_text_hides_and_reorders_nothing() {
        for fine in [
            "Zoë Łukasiewicz",
            "Müller & Søn ApS",
            "東京都",
            "مریم\u{200C}ها",
            "Z\u{301}\u{301}\u{301}",
        ] {
            assert!(is_plain_text(fine), "{fine:?}");
        }
        for hiding in [
            "\u{200B}",
            "\u{202E}Total: $0\u{202C}",
            "a\u{2066}b",
            "\u{FFFF}",
            "\u{FDD0}",
            "a\u{E0041}",
            "tab\there",
            "\u{061C}\u{061C}",
            "\u{3164}",
            "\u{2800}",
            "line\u{2028}break",
            "soft\u{AD}hyphen",
        ] {
            assert!(!is_plain_text(hiding), "{hiding:?}");
        }
        for mark in ["\u{301}", "\u{489}", "\u{E49}", "\u{610}"] {
            assert!(
                !is_plain_text(&format!("a{}", mark.repeat(4))),
                "a stack of {mark:?}"
            );
        }
    }

    #[test]
    fn whole_numbers_may_carry_a_zero_fraction() {
        #[derive(serde::Deserialize)]
        struct Month {
            #[serde(deserialize_with = "whole_number")]
            m: u32,
        }
        let parse = |json: &str| serde_json::from_str::<Month>(json).map(|x| x.m);
        assert_eq!(parse(r#"{"m": 12}"#).unwrap(), 12);
        assert_eq!(parse(r#"{"m": 12.0}"#).unwrap(), 12);
        assert!(parse(r#"{"m": 12.5}"#).is_err());
        assert!(parse(r#"{"m": -1}"#).is_err());
        assert!(parse(r#"{"m": "12"}"#).is_err());

        #[derive(serde::Deserialize)]
        struct Maybe {
            #[serde(default, deserialize_with = "optional_whole_number")]
            m: Option<i64>,
        }
        let parse = |json: &str| serde_json::from_str::<Maybe>(json).map(|x| x.m);
        assert_eq!(parse(r#"{"m": 12.0}"#).unwrap(), Some(12));
        assert_eq!(parse(r#"{"m": null}"#).unwrap(), None);
        assert_eq!(parse("{}").unwrap(), None);
        assert!(parse(r#"{"m": 1.5}"#).is_err());
    }
}
