//! Wording shared by every message about a mistake: "did you mean"
//! suggestions for misspelt ids, lists of ids, and given values as shown.
//!
//! It depends on nothing else in the crate, so that the model, the
//! conditions and the answers can all word their messages alike.

use serde_json::Value as Json;

/// The candidate closest to `given`, if any is close enough to be a likely
/// typo rather than a different word.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        let (given, lower) = (given.to_lowercase(), candidate.to_lowercase());
        // Jaro-Winkler misses a swapped pair in a short id (`lge` for
        // `leg`); one edit away always counts as close.
        let score = match strsim::osa_distance(&given, &lower) {
            1 if given.chars().count() > 2 => 0.9_f64,
            _ => 0.0,
        }
        .max(strsim::jaro_winkler(&given, &lower));
        let closer = match best {
            Some((best_score, _)) => score > best_score,
            None => true,
        };
        if score >= 0.8 && closer {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Formats a "did you mean" suffix.
pub(crate) fn hint(suggestion: Option<&str>) -> String {
    suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
}

/// Formats ids as a readable list: `a`, `b` or `c`.
pub(crate) fn list(ids: &[&str]) -> String {
    match ids {
        [] => String::from("none"),
        [one] => format!("`{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|id| format!("`{id}`")).collect();
            format!("{} or `{last}`", init.join(", "))
        }
    }
}

/// A given value as it appears in an error message, cut short if long.
pub(crate) fn shown(given: &Json) -> String {
    let text = given.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    #[test]
    fn suggests_close_ids_only() {
        let ids = ["rf_saddle_numbness", "rf_both_legs", "age"];
        assert_eq!(did_you_mean("rf_sadle_numbness", ids), Some("rf_saddle_numbness"));
        assert_eq!(did_you_mean("AGE", ids), Some("age"));
        assert_eq!(did_you_mean("completely_different", ids), None);
        assert_eq!(did_you_mean("lge", ["none", "back", "leg"]), Some("leg"));
        assert_eq!(did_you_mean("ab", ["ac"]), None, "too short to guess");
    }
}
