//! The triage table of the clinical brief (`low-back-glutes`, version 2),
//! written out a second time in Rust, apart from the questionnaire's rules.
//!
//! It reads the questionnaire only to find where each question sits and
//! which option index means what; every level, every escalation, every
//! count and every "asked only if" comes from the brief. The safety and
//! exhaustive tests compare the engine with it, so a slip in either shows
//! up as a disagreement.
//!
//! Readings of the brief made explicit here:
//! - a red flag whose question does not apply (the sexual-function
//!   question under 16, the cancer follow-up without a past cancer) is
//!   neither answered nor missing: it raises nothing;
//! - "`not_sure` raises one level less" gives `urgent` for a `not_sure` on
//!   an emergency-level flag, and `soon` on an urgent-level one; the
//!   cancer follow-up's table gives `urgent` for `not_sure` and unanswered;
//! - a comparison on an unanswered number (`age`, `leg_pain_weeks`,
//!   `pain_intensity`) does not hold, in every rule.

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use selfcheck::{Answers, Level, Questionnaire, Value};

/// The brief's red flags in the order asked, with the level a `yes`
/// raises (for the three cauda equina flags: with a follow-up that does
/// not say "over 2 weeks and not worse").
pub const RED_FLAGS: [(&str, Level); 17] = [
    ("rf_saddle_numbness", Level::Emergency),
    ("rf_bladder_bowel_change", Level::Emergency),
    ("rf_sexual_function_change", Level::Emergency),
    ("rf_both_legs", Level::Emergency),
    ("rf_progressive_weakness", Level::Emergency),
    ("rf_major_trauma", Level::Emergency),
    ("rf_chest_pain", Level::Emergency),
    ("rf_sudden_tearing_pain", Level::Emergency),
    ("rf_fever_unwell", Level::Urgent),
    ("rf_cancer_history", Level::Urgent),
    ("rf_cancer_spine_signs", Level::Emergency),
    ("rf_infection_risk", Level::Urgent),
    ("rf_minor_trauma_fragile", Level::Urgent),
    ("rf_weight_loss", Level::Soon),
    ("rf_night_pain", Level::Soon),
    ("rf_thoracic_pain", Level::Soon),
    ("rf_immune_weak", Level::Soon),
];

/// Positions in [`RED_FLAGS`].
const SEXUAL: usize = 2;
const CAUDA_EQUINA: [usize; 3] = [0, 1, 2];
const NEUROLOGICAL: [usize; 5] = [0, 1, 2, 3, 4];
const FEVER: usize = 8;
pub const CANCER: usize = 9;
pub const SPINE_SIGNS: usize = 10;
const INFECTION_RISK: usize = 11;
const WEIGHT_LOSS: usize = 13;
const NIGHT_PAIN: usize = 14;
const THORACIC_PAIN: usize = 15;
const IMMUNE_WEAK: usize = 16;
const FOLLOW_UP: &str = "rf_cauda_equina_recent";

/// A yes / no / not sure answer, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    NotSure,
    Missing,
}

impl Tri {
    pub const ANSWERS: [Tri; 3] = [Tri::No, Tri::NotSure, Tri::Yes];
}

/// The position of question `id`, which the brief requires.
fn index(q: &Questionnaire, id: &str) -> usize {
    q.question_index(id).unwrap_or_else(|| panic!("the brief requires question `{id}`"))
}

/// "Question `id` is answered `option`", resolved to indices once.
#[derive(Debug, Clone, Copy)]
struct Is {
    index: usize,
    option: Value,
}

impl Is {
    fn new(q: &Questionnaire, id: &str, option: &str) -> Is {
        let index = index(q, id);
        let ids = q.questions[index].kind.option_ids();
        let at = ids.iter().position(|o| *o == option).unwrap_or_else(|| panic!("`{id}` has no `{option}`"));
        Is { index, option: Value::Option(u16::try_from(at).expect("few options")) }
    }

    fn holds(self, answers: &Answers) -> bool {
        answers.get(self.index) == Some(self.option)
    }
}

fn number(answers: &Answers, index: usize) -> Option<f64> {
    answers.get(index).and_then(Value::as_f64)
}

/// The brief, resolved against a questionnaire's question positions.
#[derive(Debug, Clone)]
pub struct Brief {
    flags: Vec<usize>,
    follow_up: usize,
    yes: Value,
    no: Value,
    not_sure: Value,
    age: usize,
    pain_intensity: usize,
    leg_pain_weeks: usize,
    first_episode: Is,
    over_12_weeks: Is,
    under_6_weeks: Is,
    improving: Is,
    worse: Is,
    impact_a_lot: Is,
    no_leg_pain: Is,
    below_knee: Is,
    leg_numbness: Is,
    onset_before_45: Is,
    onset_before_45_no: Is,
    onset_before_35: Is,
    /// The NG65 criteria that are a `yes` (or `much_better`) to a question
    /// of the screen, besides onset before 35.
    criteria: Vec<Is>,
}

impl Brief {
    pub fn new(q: &Questionnaire) -> Brief {
        let tri = |id: &str| ["yes", "no", "not_sure"].map(|option| Is::new(q, id, option).option);
        let [yes, no, not_sure] = tri(FOLLOW_UP);
        for (id, _) in RED_FLAGS {
            assert_eq!(tri(id), [yes, no, not_sure], "{id}");
        }
        let criteria = [
            ("sp_wakes_second_half", "yes"),
            ("sp_buttock_pain", "yes"),
            ("morning_stiffness", "yes"),
            ("sp_nsaid_response", "much_better"),
            ("sp_family_history", "yes"),
            ("sp_arthritis", "yes"),
            ("sp_enthesitis", "yes"),
            ("sp_psoriasis", "yes"),
        ];
        Brief {
            flags: RED_FLAGS.iter().map(|(id, _)| index(q, id)).collect(),
            follow_up: index(q, FOLLOW_UP),
            yes,
            no,
            not_sure,
            age: index(q, "age"),
            pain_intensity: index(q, "pain_intensity"),
            leg_pain_weeks: index(q, "leg_pain_weeks"),
            first_episode: Is::new(q, "first_episode", "yes"),
            over_12_weeks: Is::new(q, "pain_duration", "over_12_weeks"),
            under_6_weeks: Is::new(q, "pain_duration", "under_6_weeks"),
            improving: Is::new(q, "pain_trend", "improving"),
            worse: Is::new(q, "pain_trend", "worse"),
            impact_a_lot: Is::new(q, "daily_impact", "a_lot"),
            no_leg_pain: Is::new(q, "leg_pain", "none"),
            below_knee: Is::new(q, "leg_pain", "below_knee"),
            leg_numbness: Is::new(q, "leg_numbness", "yes"),
            onset_before_45: Is::new(q, "sp_onset_before_45", "yes"),
            onset_before_45_no: Is::new(q, "sp_onset_before_45", "no"),
            onset_before_35: Is::new(q, "sp_onset_before_35", "yes"),
            criteria: criteria.iter().map(|(id, option)| Is::new(q, id, option)).collect(),
        }
    }

    /// Question index of the red flag at `position` in [`RED_FLAGS`].
    pub fn flag_index(&self, position: usize) -> usize {
        self.flags[position]
    }

    pub fn follow_up_index(&self) -> usize {
        self.follow_up
    }

    /// The answer value for a yes / no / not sure answer.
    pub fn value(&self, answer: Tri) -> Option<Value> {
        match answer {
            Tri::Yes => Some(self.yes),
            Tri::No => Some(self.no),
            Tri::NotSure => Some(self.not_sure),
            Tri::Missing => None,
        }
    }

    fn tri(&self, answers: &Answers, index: usize) -> Tri {
        match answers.get(index) {
            Some(v) if v == self.yes => Tri::Yes,
            Some(v) if v == self.no => Tri::No,
            Some(v) if v == self.not_sure => Tri::NotSure,
            _ => Tri::Missing,
        }
    }

    /// Whether the red flag at `position` is asked, given the answers.
    pub fn applies(&self, answers: &Answers, position: usize) -> bool {
        let age = number(answers, self.age);
        match position {
            // From 16, or when the age is not given.
            SEXUAL => age.is_none_or(|age| age >= 16.0),
            // Only after a past cancer.
            SPINE_SIGNS => self.tri(answers, self.flags[CANCER]) == Tri::Yes,
            _ => true,
        }
    }

    /// The triage level the brief gives these answers.
    pub fn level(&self, answers: &Answers) -> Level {
        // `None`: the question does not apply.
        let mut flags = [None; 17];
        for (position, flag) in flags.iter_mut().enumerate() {
            if self.applies(answers, position) {
                *flag = Some(self.tri(answers, self.flags[position]));
            }
        }
        let is = |position: usize, answer: Tri| flags[position] == Some(answer);
        // The follow-up is asked only after a `yes` to one of the three.
        let follow_up = if CAUDA_EQUINA.iter().any(|&f| is(f, Tri::Yes)) {
            self.tri(answers, self.follow_up)
        } else {
            Tri::Missing
        };
        let age = number(answers, self.age);
        let leg_numbness = self.leg_numbness.holds(answers);
        let below_knee = self.below_knee.holds(answers);
        let neurological = NEUROLOGICAL.iter().any(|&f| is(f, Tri::Yes) || is(f, Tri::NotSure));

        let mut level = Level::SelfCare;
        for (position, (_, yes_level)) in RED_FLAGS.iter().enumerate() {
            let Some(answer) = flags[position] else { continue };
            let raised = match answer {
                Tri::No => Level::SelfCare,
                Tri::Missing if position == SPINE_SIGNS => Level::Urgent,
                Tri::Missing => Level::Soon,
                Tri::NotSure => match yes_level {
                    Level::Emergency => Level::Urgent,
                    _ => Level::Soon,
                },
                // Over 2 weeks and not worse: a doctor the same day.
                Tri::Yes if CAUDA_EQUINA.contains(&position) && follow_up == Tri::No => Level::Urgent,
                Tri::Yes => *yes_level,
            };
            level = level.max(raised);
        }
        let escalations = [
            (
                is(FEVER, Tri::Yes)
                    && (is(INFECTION_RISK, Tri::Yes)
                        || is(IMMUNE_WEAK, Tri::Yes)
                        || leg_numbness
                        || neurological),
                Level::Emergency,
            ),
            (is(FEVER, Tri::NotSure) && is(IMMUNE_WEAK, Tri::Yes), Level::Urgent),
            (
                is(CANCER, Tri::Yes)
                    && (leg_numbness || below_knee || is(SPINE_SIGNS, Tri::Yes) || neurological),
                Level::Emergency,
            ),
            (is(CANCER, Tri::NotSure) && (leg_numbness || below_knee), Level::Urgent),
            (
                is(WEIGHT_LOSS, Tri::Yes)
                    && (age.is_some_and(|a| a >= 50.0)
                        || is(NIGHT_PAIN, Tri::Yes)
                        || is(THORACIC_PAIN, Tri::Yes)),
                Level::Urgent,
            ),
        ];
        for (holds, raised) in escalations {
            if holds {
                level = level.max(raised);
            }
        }
        level.max(self.soon_rules(answers, age, leg_numbness))
    }

    /// How many NG65 criteria hold, and whether onset before 45 holds;
    /// `None` when the screen does not apply (pain under 3 months).
    pub fn ng65(&self, answers: &Answers) -> Option<(bool, usize)> {
        if !self.over_12_weeks.holds(answers) {
            return None;
        }
        let age = number(answers, self.age);
        let asked_45 = age.is_none_or(|a| a >= 45.0);
        let screen = !(asked_45 && self.onset_before_45_no.holds(answers));
        let asked_35 = screen && age.is_none_or(|a| a >= 35.0);
        let onset_45 = age.is_some_and(|a| a < 45.0) || (asked_45 && self.onset_before_45.holds(answers));
        let onset_35 = age.is_some_and(|a| a < 35.0) || (asked_35 && self.onset_before_35.holds(answers));
        let others = if screen { self.criteria.iter().filter(|c| c.holds(answers)).count() } else { 0 };
        Some((onset_45, usize::from(onset_35) + others))
    }

    /// The brief's rules that raise `soon`. An unanswered item makes a
    /// comparison false, except where the brief says "not": an unanswered
    /// trend is "not improving", an unanswered duration "not under 6
    /// weeks".
    fn soon_rules(&self, answers: &Answers, age: Option<f64>, leg_numbness: bool) -> Level {
        let age_at_least = |years: f64| age.is_some_and(|age| age >= years);
        let age_below = |years: f64| age.is_some_and(|age| age < years);
        // Asked only if the pain spreads; otherwise ignored.
        let leg_pain = !self.no_leg_pain.holds(answers);
        let leg_weeks = if leg_pain { number(answers, self.leg_pain_weeks) } else { None };
        let worse = self.worse.holds(answers);
        let axial = self.ng65(answers).is_some_and(|(onset, count)| onset && count >= 3);
        let reasons = [
            age_below(18.0),
            self.first_episode.holds(answers) && (age_at_least(50.0) || age_below(20.0)),
            axial,
            self.below_knee.holds(answers) && (leg_weeks.is_some_and(|w| w >= 4.0) || leg_numbness),
            self.over_12_weeks.holds(answers) && !self.improving.holds(answers),
            worse && !self.under_6_weeks.holds(answers),
            self.impact_a_lot.holds(answers),
            number(answers, self.pain_intensity).is_some_and(|p| p >= 8.0),
            age_at_least(50.0) && worse,
        ];
        if reasons.contains(&true) {
            Level::Soon
        } else {
            Level::SelfCare
        }
    }
}
