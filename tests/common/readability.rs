//! Reading grade: the Flesch-Kincaid grade level of a text, for tests that
//! hold every text a person reads to grade 8 or lower.
//!
//! Include it in a test crate with
//! `#[path = "common/readability.rs"] mod readability;`.
//!
//! Grade = 0.39 × (words ÷ sentences) + 11.8 × (syllables ÷ words) − 15.59.
//! A sentence ends at `.`, `!` or `?` followed by a space or the end, and
//! at a line break (a list item is a sentence of its own). A word is a run
//! of characters between spaces, slashes or dashes that holds a letter or a
//! digit. Syllables are counted as groups of vowels (`y` counts), less a
//! silent final `e`, at least one per word; a number counts one syllable
//! for a single digit and two otherwise. The count is an estimate, like
//! every syllable count made without a dictionary; it errs on neither side.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

/// The Flesch-Kincaid grade of `text`; 0 for a text without words.
pub fn grade(text: &str) -> f64 {
    let words: Vec<&str> = words(text).collect();
    if words.is_empty() {
        return 0.0;
    }
    let syllables: usize = words.iter().map(|w| syllables(w)).sum();
    let n = words.len() as f64;
    0.39 * n / sentences(text) as f64 + 11.8 * syllables as f64 / n - 15.59
}

/// The words of a text.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c == '/' || c == '–' || c == '—' || c == '-')
        .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
}

/// How many sentences a text has; at least one.
pub fn sentences(text: &str) -> usize {
    let mut count = 0;
    for line in text.lines() {
        let mut chars = line.chars().peekable();
        let mut words_since = false;
        while let Some(c) = chars.next() {
            if c.is_alphanumeric() {
                words_since = true;
            }
            let ends = matches!(c, '.' | '!' | '?')
                && chars.peek().is_none_or(|next| next.is_whitespace())
                && !matches!(chars.peek(), Some('.' | '!' | '?'));
            if ends && words_since {
                count += 1;
                words_since = false;
            }
        }
        if words_since {
            count += 1;
        }
    }
    count.max(1)
}

/// The estimated syllables of one word.
pub fn syllables(word: &str) -> usize {
    let lower = word.to_lowercase();
    if lower.chars().any(|c| c.is_ascii_digit()) {
        let digits = lower.chars().filter(char::is_ascii_digit).count();
        return if digits <= 1 { 1 } else { 2 };
    }
    let letters: Vec<char> = lower.chars().filter(char::is_ascii_lowercase).collect();
    if letters.is_empty() {
        return 0;
    }
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut groups = 0;
    let mut previous = false;
    for &c in &letters {
        let v = vowel(c);
        if v && !previous {
            groups += 1;
        }
        previous = v;
    }
    let text: String = letters.iter().collect();
    if text.ends_with('e') && !text.ends_with("le") && !text.ends_with("ee") && groups > 1 {
        groups -= 1;
    }
    groups.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_as_the_formula_needs() {
        assert_eq!(syllables("cat"), 1);
        assert_eq!(syllables("table"), 2);
        assert_eq!(syllables("make"), 1);
        assert_eq!(syllables("physiotherapist"), 5);
        assert_eq!(syllables("30"), 2);
        assert_eq!(sentences("One. Two! Three? Four"), 4);
        assert_eq!(sentences("Line one\nline two"), 2);
        assert_eq!(sentences("Wait..."), 1);
        assert_eq!(words("a well-known word / other").count(), 5);
        // Short, plain sentences read at an early grade; long sentences of
        // long words at a late one.
        assert!(grade("The cat sat on the mat. It was warm.") < 2.0);
        let hard = "Multidisciplinary biopsychosocial rehabilitation demonstrates considerable \
                    effectiveness regarding persistent musculoskeletal conditions.";
        assert!(grade(hard) > 16.0);
    }
}
