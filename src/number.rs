//! Numbers written as Rust's `Display` writes them, without the formatting
//! machinery: a report writes a dozen scores, answers and counts, and
//! `format!` costs far more than the digits (a float takes the shortest
//! round-trip search even when it is whole, as scores nearly always are).

use std::fmt::Write;

/// The largest magnitude written as a whole number: below 2^53 every
/// whole float is exact, and `Display`'s shortest form of it is its
/// integer digits.
const WHOLE_BELOW: f64 = 1e15;

/// Appends `value` as `Display` writes it: `7`, `2.5`, `-0`, `NaN`.
pub fn push_f64(out: &mut String, value: f64) {
    if value.fract() == 0.0 && value.abs() < WHOLE_BELOW && !(value == 0.0 && value.is_sign_negative()) {
        // Exact: whole and well within i64.
        push_i64(out, value as i64);
    } else {
        let _ = write!(out, "{value}");
    }
}

/// Appends `value` in decimal, as `Display` writes it.
pub fn push_i64(out: &mut String, value: i64) {
    let mut digits = [0; 20];
    out.push_str(whole(value, &mut digits));
}

/// `value` in decimal, as `Display` writes it, in `digits`.
pub fn whole(value: i64, digits: &mut [u8; 20]) -> &str {
    out_of_sign(value.unsigned_abs(), digits, value < 0)
}

/// `value` in decimal, as `Display` writes it, in `digits`.
pub fn unsigned(value: u64, digits: &mut [u8; 20]) -> &str {
    out_of_sign(value, digits, false)
}

/// The digits of `magnitude`, after a minus sign if `negative`, written
/// from the end of `digits` (20 bytes hold `i64::MIN`'s sign and 19
/// digits).
fn out_of_sign(mut magnitude: u64, digits: &mut [u8; 20], negative: bool) -> &str {
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        if magnitude == 0 {
            break;
        }
    }
    if negative {
        start -= 1;
        digits[start] = b'-';
    }
    // Only ASCII digits and a minus sign were written.
    std::str::from_utf8(&digits[start..]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written_f64(value: f64) -> String {
        let mut out = String::from("at ");
        push_f64(&mut out, value);
        out
    }

    #[test]
    fn edges_are_written_as_display_writes_them() {
        let edges = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            2.5,
            0.1,
            1e15,
            -1e15,
            999_999_999_999_999.0,
            9_007_199_254_740_993.0,
            1e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ];
        for value in edges {
            assert_eq!(written_f64(value), format!("at {value}"));
        }
        for value in [0, 9, 10, 99, 100, -7, 1234567, i64::MIN, i64::MAX] {
            let mut out = String::new();
            push_i64(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }

    proptest! {
        #[test]
        fn floats_are_written_as_display_writes_them(value in any::<f64>()) {
            prop_assert_eq!(written_f64(value), format!("at {value}"));
        }

        #[test]
        fn whole_floats_are_written_as_display_writes_them(value in -2_000_000_000_000_000i64..2_000_000_000_000_000) {
            let value = value as f64;
            prop_assert_eq!(written_f64(value), format!("at {value}"));
        }

        #[test]
        fn integers_are_written_as_display_writes_them(value in any::<i64>()) {
            let mut out = String::new();
            push_i64(&mut out, value);
            prop_assert_eq!(out, value.to_string());
            let magnitude = value.unsigned_abs();
            let mut digits = [0; 20];
            prop_assert_eq!(unsigned(magnitude, &mut digits), magnitude.to_string());
        }
    }
}
