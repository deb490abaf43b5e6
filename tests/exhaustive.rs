//! Every combination of the red-flag answers, checked against the brief.
//!
//! For a fixed set of other answers, every combination of `yes` / `no` /
//! `not_sure` over the 17 red flags of brief version 2 (the cancer
//! follow-up `rf_cancer_spine_signs` among them), times `yes` / `no` /
//! `not_sure` / no answer for the cauda equina follow-up (3^17 × 4, some
//! 516 million sets), must give the level of the brief's table as written
//! out in `brief/mod.rs`; then each red flag in turn is left unanswered
//! while every combination of `yes` / `no` over the other 16 and every
//! state of the follow-up runs (17 × 2^16 × 4, some 4.5 million sets).
//! When no cauda equina flag is `yes` the follow-up does not apply, and
//! without a past cancer the cancer follow-up does not apply: their
//! answers must be ignored, which the sweeps cover as well.
//!
//! Two sets of other answers are used: an adult of 38 with nothing of
//! note, and a person of 55 with numbness in one leg and worsening pain
//! over 6 to 12 weeks, where the fever and cancer escalations, weight loss
//! at 50 and over, and the `soon` rules all come into play.
//!
//! Far too slow without optimisations: run it with
//! `cargo test --release --test exhaustive`.

mod brief;

use std::time::Instant;

use rayon::prelude::*;
use selfcheck::{triage_level, Answers, AnswersDocument, Level, Questionnaire};
use serde_json::json;

use brief::{Brief, Tri, RED_FLAGS};

/// The follow-up's states: every answer, and none.
const FOLLOW_UP: [Tri; 4] = [Tri::No, Tri::NotSure, Tri::Yes, Tri::Missing];

/// How many disagreements to show when there are any.
const SHOWN: usize = 10;

fn questionnaire() -> Questionnaire {
    let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    Questionnaire::from_json(text, "low-back-glutes").unwrap_or_else(|e| panic!("{e}"))
}

fn answers(q: &Questionnaire, object: serde_json::Value) -> Answers {
    let document = json!({ "answers": object }).to_string();
    let document = AnswersDocument::parse(document.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    Answers::from_document(q, &document.answers).unwrap_or_else(|e| panic!("{e}"))
}

/// An adult with no sign of note besides the red flags.
fn calm_adult(q: &Questionnaire) -> Answers {
    answers(
        q,
        json!({
            "age": 38, "pregnant_or_postpartum": "no", "first_episode": "no", "pain_duration": "under_6_weeks",
            "pain_intensity": 4, "pain_trend": "improving", "daily_impact": "some", "worry_harm": "no",
            "leg_pain": "none", "leg_numbness": "no", "sitting_hours": 9, "sitting_breaks": "hourly",
            "tilt_wall_gap": "no", "tilt_swayback": "no", "hip_flexor_tight": "not_sure",
            "glute_sit_to_stand": "no", "glute_stairs": "no", "glute_hip_drop": "no",
            "glute_knees_cave": "no", "exercise_days": 2
        }),
    )
}

/// A person of 55 with numbness in one leg, buttock pain worse with
/// sitting, and pain getting worse over 6 to 12 weeks.
fn older_with_leg_numbness(q: &Questionnaire) -> Answers {
    answers(
        q,
        json!({
            "age": 55, "first_episode": "yes", "pain_duration": "6_to_12_weeks", "pain_intensity": 6,
            "pain_trend": "worse", "daily_impact": "some", "worry_harm": "not_sure",
            "leg_pain": "buttock_or_thigh", "leg_numbness": "yes", "leg_worse_sitting": "yes",
            "leg_pain_weeks": 3, "sitting_hours": 7, "sitting_breaks": "rarely",
            "tilt_wall_gap": "not_sure", "tilt_swayback": "no", "hip_flexor_tight": "yes",
            "glute_sit_to_stand": "yes", "glute_stairs": "no", "glute_hip_drop": "not_sure",
            "glute_knees_cave": "no", "exercise_days": 1
        }),
    )
}

/// Sets the red flags at `positions` from the digits of `n` in base
/// `states.len()`.
fn set_flags(b: &Brief, answers: &mut Answers, positions: &[usize], states: &[Tri], mut n: usize) {
    for &position in positions {
        answers.set(b.flag_index(position), b.value(states[n % states.len()]));
        n /= states.len();
    }
}

/// Checks every combination of the flags at `varied` (the others keep
/// their answer in `base`) with each of `follow_ups`; returns the number
/// of sets checked and the first disagreements.
fn sweep(
    q: &Questionnaire,
    b: &Brief,
    base: &Answers,
    varied: &[usize],
    states: &[Tri],
    follow_ups: &[Tri],
) -> (u64, Vec<String>) {
    // The first few flags split the work into tasks; each task runs
    // through the rest with one set of answers, changed in place.
    let (outer, inner) = varied.split_at(varied.len().min(7));
    let n = states.len();
    let results: Vec<(u64, Vec<String>)> = (0..n.pow(outer.len() as u32))
        .into_par_iter()
        .map(|o| {
            let mut answers = base.clone();
            set_flags(b, &mut answers, outer, states, o);
            let mut checked = 0u64;
            let mut wrong = Vec::new();
            for i in 0..n.pow(inner.len() as u32) {
                set_flags(b, &mut answers, inner, states, i);
                for &follow_up in follow_ups {
                    answers.set(b.follow_up_index(), b.value(follow_up));
                    let (got, expected) = (triage_level(q, &answers), b.level(&answers));
                    checked += 1;
                    if got != expected && wrong.len() < SHOWN {
                        wrong.push(format!(
                            "{} gives {got}, the brief {expected}",
                            answers.to_document(q)["answers"]
                        ));
                    }
                }
            }
            (checked, wrong)
        })
        .collect();
    let checked = results.iter().map(|(n, _)| n).sum();
    let wrong = results.into_iter().flat_map(|(_, w)| w).take(SHOWN).collect();
    (checked, wrong)
}

fn check(name: &str, base: impl Fn(&Questionnaire) -> Answers) {
    let q = questionnaire();
    let b = Brief::new(&q);
    let base = base(&q);
    let all: Vec<usize> = (0..RED_FLAGS.len()).collect();
    let start = Instant::now();
    let (mut checked, mut wrong) = sweep(&q, &b, &base, &all, &Tri::ANSWERS, &FOLLOW_UP);
    for missing in 0..RED_FLAGS.len() {
        let mut base = base.clone();
        base.set(b.flag_index(missing), None);
        let others: Vec<usize> = all.iter().copied().filter(|p| *p != missing).collect();
        let (n, w) = sweep(&q, &b, &base, &others, &[Tri::No, Tri::Yes], &FOLLOW_UP);
        checked += n;
        wrong.extend(w);
    }
    eprintln!("{name}: {checked} answer sets in {:.1} s", start.elapsed().as_secs_f64());
    let expected = 3u64.pow(17) * 4 + 17 * 2u64.pow(16) * 4;
    assert_eq!(checked, expected);
    assert!(wrong.is_empty(), "{name}: the engine and the brief disagree:\n{}", wrong.join("\n"));
}

#[test]
#[cfg_attr(debug_assertions, ignore = "release only: cargo test --release --test exhaustive")]
fn every_red_flag_combination_for_a_calm_adult() {
    check("adult of 38", calm_adult);
}

#[test]
#[cfg_attr(debug_assertions, ignore = "release only: cargo test --release --test exhaustive")]
fn every_red_flag_combination_at_55_with_leg_numbness() {
    check("55 with leg numbness", older_with_leg_numbness);
}

/// The two sets of other answers mean what their names say, so that the
/// sweeps above cover what they claim: a calm set that raises nothing on
/// its own, and one where the escalations of the brief apply (fever and
/// cancer with leg numbness, weight loss at 50 and over).
#[test]
fn the_fixed_answers_are_what_they_claim() {
    let q = questionnaire();
    let b = Brief::new(&q);
    let all_no = |mut answers: Answers| {
        set_flags(&b, &mut answers, &(0..RED_FLAGS.len()).collect::<Vec<_>>(), &Tri::ANSWERS, 0);
        answers
    };
    assert_eq!(Tri::ANSWERS[0], Tri::No);
    assert_eq!(triage_level(&q, &all_no(calm_adult(&q))), Level::SelfCare);
    let older = all_no(older_with_leg_numbness(&q));
    // Worse over 6 to 12 weeks and a first episode at 55: `soon` already.
    assert_eq!(triage_level(&q, &older), Level::Soon);
    let position = |id: &str| RED_FLAGS.iter().position(|(flag, _)| *flag == id).expect(id);
    let mut fever = older.clone();
    fever.set(b.flag_index(position("rf_fever_unwell")), b.value(Tri::Yes));
    assert_eq!(triage_level(&q, &fever), Level::Emergency, "fever with leg numbness");
    let mut weight = older;
    weight.set(b.flag_index(position("rf_weight_loss")), b.value(Tri::Yes));
    assert_eq!(triage_level(&q, &weight), Level::Urgent, "weight loss at 55");
}
