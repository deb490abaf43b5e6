//! Wording shared by every message about a mistake: finding ids, "did you
//! mean" suggestions for misspelt ones, lists of ids, and given values as
//! shown. It depends on nothing in the crate but the leaf modules that
//! shape shown text, so that the model, the conditions and the answers can
//! all word their messages alike.
//!
//! Ids are found by hash, and suggestions cost time that does not grow
//! with the number of ids. A suggestion is only looked for between strings
//! of comparable length, none longer than [`LONGEST`] characters, so
//! comparing two strings costs a bounded amount. A small set of ids is
//! compared in full with the given string; in a large set ([`Ids`] with
//! more than [`SCAN`] ids) the candidates are found through an index of
//! every id with one character left out, which finds every id one edit
//! away (a character added, dropped, changed, or two swapped) without
//! looking at the others.

use std::hash::{DefaultHasher, Hasher};
use std::sync::OnceLock;

use serde_json::Value as Json;

/// Strings longer than this (in characters) get no suggestion, and are no
/// suggestion: no id is that long (see [`crate::limits::MAX_ID_CHARS`]).
pub const LONGEST: usize = 64;

/// Sets of at most this many ids are compared in full.
pub const SCAN: usize = 128;

/// How close a candidate must be to be suggested (Jaro-Winkler).
const CLOSE: f64 = 0.8;

/// The candidate closest to `given`, if any is close enough to be a likely
/// typo rather than a different word. Compares `given` with every
/// candidate: for small, fixed sets (operators, levels, the options of one
/// question). [`Ids`] finds suggestions in large sets.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let given = Folded::new(given)?;
    let mut best: Option<(f64, &'a str)> = None;
    for candidate in candidates {
        consider(&given, candidate, &mut best);
    }
    best.map(|(_, candidate)| candidate)
}

/// A string lowercased for comparison, with its length in characters.
struct Folded {
    text: String,
    chars: usize,
}

impl Folded {
    /// `None` for a string too long to compare.
    fn new(text: &str) -> Option<Folded> {
        if text.chars().nth(LONGEST).is_some() {
            return None;
        }
        let text = text.to_lowercase();
        let chars = text.chars().count();
        Some(Folded { text, chars })
    }
}

/// Keeps `candidate` in `best` if it is close to `given` and closer than
/// the best so far.
fn consider<'a>(given: &Folded, candidate: &'a str, best: &mut Option<(f64, &'a str)>) {
    let Some(lower) = Folded::new(candidate) else { return };
    // Comparable length: Jaro-Winkler cannot reach 0.8 between strings of
    // very different length, and comparing them would only cost time.
    let (short, long) = (given.chars.min(lower.chars), given.chars.max(lower.chars));
    if long > 2 * short + 2 {
        return;
    }
    // Jaro-Winkler misses a swapped pair in a short id (`lge` for `leg`);
    // one edit away always counts as close.
    let score = match strsim::osa_distance(&given.text, &lower.text) {
        1 if given.chars > 2 => 0.9_f64,
        _ => 0.0,
    }
    .max(strsim::jaro_winkler(&given.text, &lower.text));
    let closer = match best {
        Some((best_score, _)) => score > *best_score,
        None => true,
    };
    if score >= CLOSE && closer {
        *best = Some((score, candidate));
    }
}

/// A set of ids, for lookups by hash and suggestions: built once (in time
/// and memory linear in the ids' total length), then each lookup costs
/// about the same whatever the number of ids.
#[derive(Debug, Clone, Default)]
pub struct Ids {
    names: Vec<Box<str>>,
    /// The position of each id's first occurrence.
    positions: foldhash::HashMap<Box<str>, usize>,
    /// For sets larger than [`SCAN`], built on the first suggestion asked
    /// for: the hash of every lowercased id with one character (or none)
    /// left out, with the id's position, sorted.
    near: OnceLock<Vec<(u64, u32)>>,
}

impl Ids {
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Ids {
        let names: Vec<Box<str>> = names.into_iter().map(Box::from).collect();
        let mut positions = foldhash::HashMap::with_capacity_and_hasher(names.len(), Default::default());
        for (i, name) in names.iter().enumerate() {
            positions.entry(name.clone()).or_insert(i);
        }
        Ids { names, positions, near: OnceLock::new() }
    }

    /// The position of `id` (its first, if it occurs twice).
    pub fn get(&self, id: &str) -> Option<usize> {
        self.positions.get(id).copied()
    }

    /// The id closest to `given`, as [`did_you_mean`] would choose among
    /// the ids of a small set; in a large set, among those one edit away.
    pub fn suggest(&self, given: &str) -> Option<&str> {
        if self.names.len() <= SCAN {
            return did_you_mean(given, self.names.iter().map(|name| &**name));
        }
        let folded = Folded::new(given)?;
        let near = self.near.get_or_init(|| one_out_index(&self.names));
        let mut candidates = Vec::new();
        for key in one_out(&folded.text) {
            let from = near.partition_point(|(hash, _)| *hash < key);
            candidates.extend(near[from..].iter().take_while(|(hash, _)| *hash == key).map(|(_, at)| *at));
        }
        // In file order, so that of two equally close ids the first wins,
        // as in a full comparison.
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f64, &str)> = None;
        for position in candidates {
            consider(&folded, &self.names[position as usize], &mut best);
        }
        best.map(|(_, name)| name)
    }
}

fn one_out_index(names: &[Box<str>]) -> Vec<(u64, u32)> {
    let mut index = Vec::new();
    for (position, name) in names.iter().enumerate() {
        let Some(folded) = Folded::new(name) else { continue };
        // Positions fit in 32 bits: a questionnaire file is far smaller
        // than 4 GiB.
        let Ok(position) = u32::try_from(position) else { break };
        index.extend(one_out(&folded.text).map(|hash| (hash, position)));
    }
    index.sort_unstable();
    index.dedup();
    index
}

/// The hashes of `text` and of `text` with each one character left out.
/// Two strings one edit apart share at least one of them.
fn one_out(text: &str) -> impl Iterator<Item = u64> + '_ {
    let whole = std::iter::once(hash(text, ""));
    whole.chain(text.char_indices().map(move |(at, c)| hash(&text[..at], &text[at + c.len_utf8()..])))
}

/// The hash of `before` and `after` written one after the other, the same
/// as the hash of the two joined.
fn hash(before: &str, after: &str) -> u64 {
    let mut hasher = DefaultHasher::new();
    hasher.write(before.as_bytes());
    hasher.write(after.as_bytes());
    hasher.finish()
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

/// A given value as it appears in an error message: as JSON, cut short if
/// long, and escaped.
pub(crate) fn shown(given: &Json) -> String {
    crate::shown::id(&given.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_ids_only() {
        let ids = ["rf_saddle_numbness", "rf_both_legs", "age"];
        assert_eq!(did_you_mean("rf_sadle_numbness", ids), Some("rf_saddle_numbness"));
        assert_eq!(did_you_mean("AGE", ids), Some("age"));
        assert_eq!(did_you_mean("completely_different", ids), None);
        assert_eq!(did_you_mean("lge", ["none", "back", "leg"]), Some("leg"));
        assert_eq!(did_you_mean("ab", ["ac"]), None, "too short to guess");
    }

    #[test]
    fn nothing_too_long_is_compared() {
        let long = "a".repeat(LONGEST + 1);
        assert_eq!(did_you_mean(&long, [&long[..LONGEST]]), None);
        assert_eq!(did_you_mean(&long[..LONGEST], [long.as_str()]), None);
    }

    #[test]
    fn a_large_set_finds_every_id_one_edit_away() {
        let names: Vec<String> = (0..10_000).map(|i| format!("question_{i:05}")).collect();
        let ids = Ids::new(names.iter().map(String::as_str));
        assert_eq!(ids.get("question_01234"), Some(1234));
        assert_eq!(ids.get("question_1234"), None);
        // Dropped, added, changed and swapped characters, and case.
        assert_eq!(ids.suggest("qestion_01234"), Some("question_01234"));
        assert_eq!(ids.suggest("question_012345"), Some("question_01234"));
        assert_eq!(ids.suggest("questiom_01234"), Some("question_01234"));
        assert_eq!(ids.suggest("qeustion_01234"), Some("question_01234"));
        assert_eq!(ids.suggest("QUESTION_01234X"), Some("question_01234"));
        assert_eq!(ids.suggest("something_else"), None);
    }

    #[test]
    fn a_small_set_suggests_as_did_you_mean_does() {
        let ids = Ids::new(["sitting_hours", "age"]);
        assert_eq!(ids.suggest("sitting_hour"), Some("sitting_hours"));
        assert_eq!(ids.get("age"), Some(1));
    }
}
