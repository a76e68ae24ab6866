//! English words in a label: its dictionary words, its plural and singular.

use std::collections::HashSet;

/// Splits a label into dictionary words, fewest words first; None when it cannot.
pub fn segment(label: &str, words: &HashSet<&str>) -> Option<Vec<String>> {
    if label.contains('-') {
        return None;
    }
    let n = label.len();
    // best[i]: the fewest words that make label[..i], and where the last one starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(20)..end {
            let (Some((count, _)), word) = (best[start], &label[start..end]) else {
                continue;
            };
            if (word.len() >= 2 || word == "a")
                && words.contains(word)
                && best[end].is_none_or(|(c, _)| count + 1 < c)
            {
                best[end] = Some((count + 1, start));
            }
        }
    }
    best[n]?;
    let mut parts = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        parts.push(label[start..end].to_string());
        end = start;
    }
    parts.reverse();
    Some(parts)
}

/// English plural of the label's last word.
pub fn plural(label: &str) -> Option<String> {
    if label.ends_with('s') || label.len() < 3 {
        return None;
    }
    let stem = label.strip_suffix('y');
    Some(match stem {
        Some(stem) if !stem.ends_with(['a', 'e', 'i', 'o', 'u']) => format!("{stem}ies"),
        _ if label.ends_with("ch")
            || label.ends_with("sh")
            || label.ends_with('x')
            || label.ends_with('z') =>
        {
            format!("{label}es")
        }
        _ => format!("{label}s"),
    })
}

/// English singular of a plural label, when the label looks plural.
pub fn singular(label: &str, words: &HashSet<&str>) -> Option<String> {
    if let Some(stem) = label.strip_suffix("ies").filter(|s| s.len() >= 2) {
        return Some(format!("{stem}y"));
    }
    if let Some(stem) = label
        .strip_suffix("es")
        .filter(|s| s.ends_with("ch") || s.ends_with("sh") || s.ends_with('x'))
    {
        return Some(stem.to_string());
    }
    let stem = label
        .strip_suffix('s')
        .filter(|s| s.len() >= 3 && !s.ends_with('s'))?;
    // "business" is not the plural of "busines": only strip an s the words allow.
    let last_word = segment(stem, words).and_then(|w| w.last().cloned());
    last_word.map(|_| stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon_words() -> HashSet<&'static str> {
        [
            "my", "bakery", "shop", "best", "coffee", "business", "box", "a",
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn segments_concatenated_words() {
        let words = lexicon_words();
        assert_eq!(
            segment("mybakeryshop", &words).unwrap(),
            ["my", "bakery", "shop"]
        );
        assert_eq!(segment("bestcoffee", &words).unwrap(), ["best", "coffee"]);
        assert_eq!(segment("bakery", &words).unwrap(), ["bakery"]);
        assert_eq!(segment("zzqx", &words), None);
        assert_eq!(segment("my-bakery", &words), None);
    }

    #[test]
    fn plural_and_singular() {
        let words = lexicon_words();
        assert_eq!(plural("bakery").as_deref(), Some("bakeries"));
        assert_eq!(plural("day").as_deref(), Some("days"));
        assert_eq!(plural("box").as_deref(), Some("boxes"));
        assert_eq!(plural("shop").as_deref(), Some("shops"));
        assert_eq!(plural("shops"), None);
        assert_eq!(singular("bakeries", &words).as_deref(), Some("bakery"));
        assert_eq!(singular("boxes", &words).as_deref(), Some("box"));
        assert_eq!(singular("shops", &words).as_deref(), Some("shop"));
        assert_eq!(singular("business", &words), None);
    }
}
