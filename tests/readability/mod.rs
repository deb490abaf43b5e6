//! Measures of the person's part of a report: its length in words and its
//! Flesch-Kincaid grade, on the plain text a person reads.

/// The words of `text`: runs between spaces with a letter or a digit in
/// them (box borders, underlines and list markers are not words).
pub fn words(text: &str) -> Vec<&str> {
    text.split_whitespace().filter(|word| word.chars().any(char::is_alphanumeric)).collect()
}

/// The Flesch-Kincaid grade of plain text whose paragraphs and list items
/// are set off by blank lines or list markers: 0.39 × words per sentence +
/// 11.8 × syllables per word − 15.59. Sentences end at `.`, `!` or `?`;
/// a heading, a list item or a paragraph that ends without one is a
/// sentence too.
pub fn grade(text: &str) -> f64 {
    let mut sentences = 0usize;
    let mut words_seen = 0usize;
    let mut syllables = 0usize;
    for unit in units(text) {
        let unit_words = words(&unit);
        if unit_words.is_empty() {
            continue;
        }
        words_seen += unit_words.len();
        syllables += unit_words.iter().map(|word| syllables_in(word)).sum::<usize>();
        let stops = unit_words.iter().filter(|word| word.ends_with(['.', '!', '?'])).count();
        let ends = unit_words.last().is_some_and(|word| word.ends_with(['.', '!', '?']));
        sentences += stops + usize::from(!ends);
    }
    if words_seen == 0 {
        return 0.0;
    }
    0.39 * words_seen as f64 / sentences as f64 + 11.8 * syllables as f64 / words_seen as f64 - 15.59
}

/// Paragraphs, headings and list items, each joined into one line.
fn units(text: &str) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let line = line.trim().trim_start_matches('|').trim_end_matches('|').trim();
        let underline = !line.is_empty() && line.chars().all(|c| matches!(c, '=' | '-' | '+'));
        let item =
            line.starts_with("- ") || line.split_once(". ").is_some_and(|(n, _)| n.parse::<u32>().is_ok());
        if line.is_empty() || underline || item {
            if !current.is_empty() {
                units.push(std::mem::take(&mut current));
            }
            if underline || line.is_empty() {
                continue;
            }
        }
        current.push(' ');
        current.push_str(line);
    }
    if !current.is_empty() {
        units.push(current);
    }
    units
}

/// Vowel groups, less a silent final "e"; at least one. Digits count as
/// one syllable a word.
fn syllables_in(word: &str) -> usize {
    let word: String = word.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
    if word.is_empty() {
        return 1;
    }
    let vowel = |c: char| "aeiouy".contains(c);
    let mut groups = 0;
    let mut previous = false;
    for c in word.chars() {
        let is_vowel = vowel(c);
        if is_vowel && !previous {
            groups += 1;
        }
        previous = is_vowel;
    }
    if word.ends_with('e') && !word.ends_with("le") && groups > 1 {
        groups -= 1;
    }
    groups.max(1)
}

#[test]
fn syllables_and_grades_are_plausible() {
    assert_eq!(syllables_in("back"), 1);
    assert_eq!(syllables_in("make"), 1);
    assert_eq!(syllables_in("simple"), 2);
    assert_eq!(syllables_in("emergency"), 4);
    assert!(grade("The cat sat on the mat. It was fat.") < 2.0);
    let hard = "Musculoskeletal manifestations necessitate multidisciplinary evaluation by appropriately \
                qualified practitioners, particularly regarding neurological complications.";
    assert!(grade(hard) > 16.0);
}
