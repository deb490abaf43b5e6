//! Random answer sets for `low-back-glutes` from a seed, shared by the
//! batch benchmark (`benches/batch.rs`) and the tests that compare the
//! batch formats: as answers documents (one JSON Lines line each) and as
//! CSV rows.
#![allow(dead_code)] // Each user takes what it needs.

use selfcheck::model::Kind;
use selfcheck::Questionnaire;

pub const QUESTIONNAIRE: &str = "low-back-glutes";

/// A small, fast, reproducible generator (SplitMix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent` / 100.
    pub fn percent(&mut self, percent: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 100.0 < percent
    }
}

/// A valid answer set: `(question id, answer as JSON)` pairs. Red flags
/// mostly `no`, sometimes `not_sure`, `yes` or unanswered; every other
/// question answered at random over its whole range or left out
/// (follow-ups included, whether they apply or not); sometimes in a
/// shuffled order.
pub fn answers(questionnaire: &Questionnaire, rng: &mut Rng) -> Vec<(String, String)> {
    let mut answers: Vec<(String, String)> = Vec::new();
    for question in &questionnaire.questions {
        let red_flag = question.red_flag.is_some();
        if rng.percent(if red_flag { 1.0 } else { 8.0 }) {
            continue;
        }
        let value = match &question.kind {
            Kind::Integer { min, max, .. } => {
                // Mostly in the lower half: ages, weeks and days are.
                let span = (max - min + 1) as u64;
                let span = if rng.percent(70.0) { span.div_ceil(2) } else { span };
                (min + rng.below(span) as i64).to_string()
            }
            Kind::Number { min, max, .. } => {
                let v = min + (max - min) * rng.below(1000) as f64 / 999.0;
                match rng.below(3) {
                    0 => format!("{}", v.round()),
                    1 => format!("{}", (v * 2.0).round() / 2.0),
                    _ => format!("{:.2}", v),
                }
            }
            kind => {
                let ids = kind.option_ids();
                let index = if red_flag {
                    match rng.below(1000) {
                        0..=14 => 2.min(ids.len() - 1), // not_sure
                        15..=24 => 0,                   // yes
                        _ => 1,                         // no
                    }
                } else {
                    rng.below(ids.len() as u64) as usize
                };
                format!("\"{}\"", ids[index])
            }
        };
        answers.push((question.id.clone(), value));
    }
    if rng.percent(10.0) {
        for i in (1..answers.len()).rev() {
            answers.swap(i, rng.below(i as u64 + 1) as usize);
        }
    }
    answers
}

/// One answers document: red flags mostly `no`, sometimes `not_sure`, `yes`
/// or unanswered; every other question answered at random over its whole
/// range or left out (follow-ups included, whether they apply or not);
/// sometimes spaced or in a shuffled order; and about 1.5% bad lines of
/// every kind (bad JSON, bad answers, unknown ids, empty lines, ...).
pub fn answer_set(questionnaire: &Questionnaire, rng: &mut Rng, out: &mut Vec<u8>) {
    let mut answers = answers(questionnaire, rng);
    let mut questionnaire_id = format!("\"{QUESTIONNAIRE}\"");
    if rng.percent(1.5) {
        let at = rng.below(answers.len() as u64) as usize;
        match rng.below(10) {
            0 => answers[at].1 = String::from("\"forty\""),
            1 => answers[at].1 = String::from("1000"),
            2 => answers[at].1 = String::from("\"noo\""),
            3 => {
                // An unknown question: a letter left out of an id.
                answers[at].0.pop();
            }
            4 => answers[at].1 = String::from("null"),
            5 => answers.push(answers[at].clone()),
            6 => questionnaire_id = String::from("\"low-back-glute\""),
            7 => {
                // Cut short: not JSON.
                write_document(&questionnaire_id, &answers, false, out);
                out.truncate(out.len() / 2);
                return;
            }
            8 => return, // an empty line
            _ => {
                out.extend_from_slice(b"[1, 2, \xff]");
                return;
            }
        }
    }
    let spaced = rng.percent(20.0);
    write_document(&questionnaire_id, &answers, spaced, out);
}

pub fn write_document(questionnaire: &str, answers: &[(String, String)], spaced: bool, out: &mut Vec<u8>) {
    let (colon, comma) = if spaced { (": ", ", ") } else { (":", ",") };
    out.extend_from_slice(
        format!("{{\"questionnaire\"{colon}{questionnaire}{comma}\"answers\"{colon}{{").as_bytes(),
    );
    for (i, (id, value)) in answers.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(comma.as_bytes());
        }
        out.extend_from_slice(format!("\"{id}\"{colon}{value}").as_bytes());
    }
    out.extend_from_slice(b"}}");
}

/// The header of [`csv_row`]'s rows: `record_id`, then every question id
/// in the questionnaire's order.
pub fn csv_header(questionnaire: &Questionnaire, out: &mut Vec<u8>) {
    out.extend_from_slice(b"record_id");
    for question in &questionnaire.questions {
        out.push(b',');
        out.extend_from_slice(question.id.as_bytes());
    }
    out.push(b'\n');
}

/// `answers` as the cells of a CSV row under [`csv_header`], after its
/// `record_id`: empty for a question left out, an option id or a number
/// otherwise. None of them needs quoting.
pub fn csv_cells(
    questionnaire: &Questionnaire,
    answers: &[(String, String)],
    record_id: &str,
    out: &mut Vec<u8>,
) {
    out.extend_from_slice(record_id.as_bytes());
    for question in &questionnaire.questions {
        out.push(b',');
        if let Some((_, value)) = answers.iter().find(|(id, _)| *id == question.id) {
            out.extend_from_slice(value.trim_matches('"').as_bytes());
        }
    }
    out.push(b'\n');
}

/// One CSV row of a random answer set, with about 1.5% bad rows: a cell
/// that is not a number, out of range, not an option, or a row that is a
/// cell short.
pub fn csv_row(questionnaire: &Questionnaire, rng: &mut Rng, record_id: &str, out: &mut Vec<u8>) {
    let mut answers = answers(questionnaire, rng);
    let start = out.len();
    if rng.percent(1.5) && !answers.is_empty() {
        let at = rng.below(answers.len() as u64) as usize;
        match rng.below(4) {
            0 => answers[at].1 = String::from("forty"),
            1 => answers[at].1 = String::from("1000"),
            2 => answers[at].1 = String::from("noo"),
            _ => {
                csv_cells(questionnaire, &answers, record_id, out);
                // A cell short: the last comma and what follows it go.
                let comma = out[start..].iter().rposition(|&b| b == b',').map_or(out.len(), |at| start + at);
                out.truncate(comma);
                out.push(b'\n');
                return;
            }
        }
    }
    csv_cells(questionnaire, &answers, record_id, out);
}
