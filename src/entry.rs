//! What people type for a number, read as they mean it.
//!
//! Asked "How many hours do you sit on a typical day?", people type `9`,
//! `9h`, `9 hours` or `9,5`; asked for a pain score out of 10, they type
//! `4/10`. A front end that refuses these makes people guess the format,
//! and one that guesses silently records answers nobody gave. So the rules
//! are few and stated here: the number may be followed by the question's
//! own unit (whole, in the singular, or shortened to letters of its first
//! word in order, such as `h` or `hrs` for hours); a scale question whose
//! range starts at 0 takes `N/max`; a comma between digits is a decimal
//! comma. Anything else is refused with a message that says what to type.
//! A unit that is not the question's (`2 hours` to a question in weeks) is
//! refused too, never converted.
//!
//! ```
//! use selfcheck::entry::{read, quantity};
//! use selfcheck::model::Kind;
//! use selfcheck::Value;
//!
//! let hours = Kind::Number { min: 0.0, max: 24.0, unit: Some("hours".into()) };
//! assert_eq!(read(&hours, "9h"), Ok(Value::Number(9.0)));
//! assert_eq!(read(&hours, "6,5 hours"), Ok(Value::Number(6.5)));
//! let days = Kind::Integer { min: 0, max: 7, unit: Some("days a week".into()) };
//! assert_eq!(quantity(Value::Integer(1), Some("days a week")), "1 day a week");
//! assert!(read(&days, "2 hours").is_err());
//! ```

use crate::answers::Value;
use crate::model::Kind;

/// Reads `typed` as an answer to a question of kind `kind` (integer or
/// number). The error is a sentence for the person, ending with what to
/// type.
pub fn read(kind: &Kind, typed: &str) -> Result<Value, String> {
    let (min, max, unit, whole) = match kind {
        Kind::Integer { min, max, unit } => (*min as f64, *max as f64, unit.as_deref(), true),
        Kind::Number { min, max, unit } => (*min, *max, unit.as_deref(), false),
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => {
            return Err(String::from("This question is answered by choosing an option."))
        }
    };
    let expected = expected(kind);
    let typed = typed.trim();
    if typed.is_empty() {
        return Err(format!("Type {expected}."));
    }
    let refuse = |why: String| Err(format!("{why} Type {expected}."));
    let (number, rest) = split_number(typed);
    // "1,000" is a thousand to some and one to others: neither is guessed.
    if let Some((_, decimals)) = number.split_once(',') {
        if decimals.len() == 3 {
            return refuse(format!(
                "\"{typed}\" is unclear: the comma could mark thousands or decimals. Write decimals with a point."
            ));
        }
    }
    let Some(n) = parse_decimal(number) else {
        return refuse(format!("\"{typed}\" is not a number."));
    };
    let rest = rest.trim();
    if let Some(denominator) = rest.strip_prefix('/') {
        // `4/10` on a scale from 0 to 10; `4/5` is not a score out of 10.
        let on_this_scale = min == 0.0 && parse_decimal(denominator.trim()) == Some(max);
        if !on_this_scale {
            return refuse(format!("\"{typed}\": this question's scale is {} to {}.", show(min), show(max)));
        }
    } else if !rest.is_empty() && !unit.is_some_and(|unit| names_unit(rest, unit)) {
        // Only words after the number name another unit; `1e1`, `0x10` or
        // `1 000` are numbers written in a way this does not read.
        let words = rest.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '.');
        let why = match unit {
            Some(unit) if words => format!("\"{typed}\": this question counts in {unit}."),
            _ => format!("\"{typed}\" is not a number."),
        };
        return refuse(why);
    }
    if whole && n.fract() != 0.0 {
        return refuse(format!("{} is not a whole number.", show(n)));
    }
    if !(min <= n && n <= max) {
        return refuse(format!("{} is out of range.", show(n)));
    }
    // In range of an integer question's i64 bounds, so the cast is exact.
    Ok(if whole { Value::Integer(n as i64) } else { Value::Number(n) })
}

/// What a question of kind `kind` takes, as in "a whole number from 0 to
/// 120 (years)".
pub fn expected(kind: &Kind) -> String {
    let (what, min, max, unit) = match kind {
        Kind::Integer { min, max, unit } => ("a whole number", *min as f64, *max as f64, unit),
        Kind::Number { min, max, unit } => ("a number", *min, *max, unit),
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => return String::from("an option"),
    };
    let unit = unit.as_ref().map(|unit| format!(" ({unit})")).unwrap_or_default();
    format!("{what} from {} to {}{unit}", show(min), show(max))
}

/// A number with its unit, in the singular for one: "1 day a week",
/// "9.5 hours", "4 out of 10". Options have no quantity and give "".
pub fn quantity(value: Value, unit: Option<&str>) -> String {
    let (shown, one) = match value {
        Value::Integer(n) => (n.to_string(), n == 1),
        Value::Number(n) => (show(n), n == 1.0),
        Value::Option(_) => return String::new(),
    };
    match unit {
        None => shown,
        Some(unit) if one => format!("{shown} {}", singular(unit)),
        Some(unit) => format!("{shown} {unit}"),
    }
}

/// The unit with its first word in the singular: "days a week" → "day a
/// week". A first word that does not end in "s" is kept ("out of 10").
fn singular(unit: &str) -> String {
    let (first, rest) = unit.split_once(' ').map_or((unit, ""), |(first, rest)| (first, rest));
    let first = match first.strip_suffix('s') {
        Some(stem) if !stem.is_empty() && !first.ends_with("ss") => stem,
        _ => first,
    };
    if rest.is_empty() {
        first.to_owned()
    } else {
        format!("{first} {rest}")
    }
}

/// A number as people write it: no ".0" on whole numbers.
fn show(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// The leading number (sign, digits, one decimal point or comma) and what
/// follows it.
fn split_number(typed: &str) -> (&str, &str) {
    let end = typed
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || c == ',' || (i == 0 && (c == '-' || c == '+'))))
        .map_or(typed.len(), |(i, _)| i);
    typed.split_at(end)
}

/// Digits with at most one decimal separator, a point or a comma.
fn parse_decimal(number: &str) -> Option<f64> {
    let digits = number.trim_start_matches(['-', '+']);
    let separators = digits.chars().filter(|c| matches!(c, '.' | ',')).count();
    if separators > 1 || !digits.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: f64 = number.replace(',', ".").parse().ok()?;
    n.is_finite().then_some(n)
}

/// Whether `typed` (what followed the number) names `unit`: the unit
/// itself, in the singular, or its first word shortened to some of its
/// letters in order, starting with the first (`h`, `hr`, `hrs` for hours).
fn names_unit(typed: &str, unit: &str) -> bool {
    let typed = typed.trim_end_matches('.').to_lowercase();
    let typed: Vec<&str> = typed.split_whitespace().collect();
    let unit = unit.to_lowercase();
    let words: Vec<&str> = unit.split_whitespace().collect();
    let singular = singular(&unit);
    let singular: Vec<&str> = singular.split_whitespace().collect();
    if typed == words || typed == singular {
        return true;
    }
    match (typed.as_slice(), words.first()) {
        ([short], Some(first)) => shortens(short, first),
        _ => false,
    }
}

/// `short` is made of letters of `word` in order, starting with its first.
fn shortens(short: &str, word: &str) -> bool {
    let mut letters = word.chars();
    short.chars().next() == word.chars().next()
        && short.chars().all(|c| c.is_alphabetic() && letters.any(|w| w == c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours() -> Kind {
        Kind::Number { min: 0.0, max: 24.0, unit: Some("hours".into()) }
    }

    fn weeks() -> Kind {
        Kind::Integer { min: 0, max: 520, unit: Some("weeks".into()) }
    }

    fn score() -> Kind {
        Kind::Integer { min: 0, max: 10, unit: Some("out of 10".into()) }
    }

    #[test]
    fn numbers_with_the_questions_unit_are_read() {
        for typed in ["9", "9h", "9 h", "9 hours", "9 hour", "9hrs", "9 hr.", " 9 Hours ", "9.0"] {
            assert_eq!(read(&hours(), typed), Ok(Value::Number(9.0)), "{typed:?}");
        }
        for typed in ["2", "2 weeks", "2 wk", "2wks", "2 week"] {
            assert_eq!(read(&weeks(), typed), Ok(Value::Integer(2)), "{typed:?}");
        }
        let days = Kind::Integer { min: 0, max: 7, unit: Some("days a week".into()) };
        for typed in ["3", "3 days", "3 days a week", "3 d"] {
            assert_eq!(read(&days, typed), Ok(Value::Integer(3)), "{typed:?}");
        }
    }

    #[test]
    fn a_decimal_comma_is_a_decimal_point() {
        assert_eq!(read(&hours(), "6,5"), Ok(Value::Number(6.5)));
        assert_eq!(read(&hours(), "6.5"), Ok(Value::Number(6.5)));
        let refused = read(&weeks(), "6,5").unwrap_err();
        assert!(refused.starts_with("6.5 is not a whole number."), "{refused}");
        assert!(read(&hours(), "1,2,3").is_err());
        assert_eq!(read(&hours(), "1,25"), Ok(Value::Number(1.25)));
        // Three digits after a comma could be thousands: refused, not read.
        for typed in ["1,000", "1,000 hours", "2,500"] {
            let refused = read(&hours(), typed).unwrap_err();
            assert!(refused.contains("is unclear"), "{typed}: {refused}");
        }
        assert!(read(&weeks(), "1,000").is_err());
        assert!(read(&hours(), "1.2,3").is_err());
    }

    #[test]
    fn a_score_may_be_written_over_its_maximum() {
        assert_eq!(read(&score(), "4/10"), Ok(Value::Integer(4)));
        assert_eq!(read(&score(), "4 / 10"), Ok(Value::Integer(4)));
        assert_eq!(read(&score(), "4 out of 10"), Ok(Value::Integer(4)));
        let refused = read(&score(), "4/5").unwrap_err();
        assert!(refused.contains("scale is 0 to 10"), "{refused}");
        // Only a scale from 0 reads as "N out of max".
        assert!(read(&hours(), "4/24").is_ok());
        assert!(read(&Kind::Integer { min: 1, max: 10, unit: None }, "4/10").is_err());
    }

    #[test]
    fn another_unit_is_refused_not_converted() {
        let refused = read(&weeks(), "2 hours").unwrap_err();
        assert_eq!(
            refused,
            "\"2 hours\": this question counts in weeks. Type a whole number from 0 to 520 (weeks)."
        );
        assert!(read(&hours(), "9 minutes").is_err());
        assert!(read(&hours(), "9 hx").is_err());
        assert!(read(&Kind::Integer { min: 0, max: 9, unit: None }, "3 apples").is_err());
    }

    #[test]
    fn refusals_say_what_to_type() {
        let age = Kind::Integer { min: 0, max: 120, unit: Some("years".into()) };
        assert_eq!(read(&age, ""), Err("Type a whole number from 0 to 120 (years).".into()));
        assert_eq!(
            read(&age, "abc"),
            Err("\"abc\" is not a number. Type a whole number from 0 to 120 (years).".into())
        );
        assert_eq!(
            read(&age, "200"),
            Err("200 is out of range. Type a whole number from 0 to 120 (years).".into())
        );
        for typed in [".", "-", "+", "1e3", "NaN", "inf", "--1", "١٢"] {
            assert!(read(&age, typed).is_err(), "{typed:?}");
        }
        // A number written another way is not taken for another unit.
        for typed in ["1e1", "0x10", "1 000", "1_000"] {
            let refused = read(&age, typed).unwrap_err();
            assert!(refused.starts_with(&format!("\"{typed}\" is not a number.")), "{refused}");
        }
        assert_eq!(read(&Kind::Integer { min: -5, max: 5, unit: None }, "-3"), Ok(Value::Integer(-3)));
    }

    #[test]
    fn quantities_use_the_singular_for_one() {
        assert_eq!(quantity(Value::Integer(1), Some("days a week")), "1 day a week");
        assert_eq!(quantity(Value::Integer(2), Some("days a week")), "2 days a week");
        assert_eq!(quantity(Value::Number(1.0), Some("hours")), "1 hour");
        assert_eq!(quantity(Value::Number(9.5), Some("hours")), "9.5 hours");
        assert_eq!(quantity(Value::Integer(1), Some("out of 10")), "1 out of 10");
        assert_eq!(quantity(Value::Integer(1), Some("class")), "1 class");
        assert_eq!(quantity(Value::Integer(7), None), "7");
        assert_eq!(quantity(Value::Option(0), Some("hours")), "");
    }
}
