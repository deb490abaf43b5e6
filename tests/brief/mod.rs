//! The triage table of the clinical brief (`low-back-glutes`), written out
//! a second time in Rust, apart from the questionnaire's rules.
//!
//! It reads the questionnaire only to find where each question sits and
//! which option index means what; every level, every escalation and every
//! "ask only if" comes from the brief. The safety and exhaustive tests
//! compare the engine with it, so a slip in either shows up as a
//! disagreement.
//!
//! Two readings of the brief are made explicit here:
//! - "an emergency-level flag answered `not_sure`" (the fever and cancer
//!   escalations) also counts a `yes`, by the brief's policy that a more
//!   certain answer never lowers the level: without it, a long-standing
//!   cauda equina symptom answered `yes` (follow-up `no`) would give a
//!   lower level than the same symptom answered `not_sure`.
//! - "leg weakness" in the cancer escalation is `rf_progressive_weakness`
//!   or `rf_both_legs` answered `yes` (the latter asks about pain,
//!   numbness or weakness in both legs).

// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use selfcheck::{Answers, Level, Questionnaire, Value};

/// The brief's red flags in its order, with the level a `yes` raises.
pub const RED_FLAGS: [(&str, Level); 15] = [
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
    ("rf_weight_loss", Level::Urgent),
    ("rf_night_pain", Level::Soon),
    ("rf_thoracic_pain", Level::Urgent),
    ("rf_infection_risk", Level::Urgent),
    ("rf_minor_trauma_fragile", Level::Urgent),
];

/// Positions in [`RED_FLAGS`] of the flags the escalations look at.
const CAUDA_EQUINA: [usize; 4] = [0, 1, 2, 3];
const BOTH_LEGS: usize = 3;
const PROGRESSIVE_WEAKNESS: usize = 4;
const FEVER: usize = 8;
const CANCER: usize = 9;
const NIGHT_PAIN: usize = 11;
const INFECTION_RISK: usize = 13;
const FOLLOW_UP: &str = "rf_cauda_equina_recent";

/// A yes / no / not sure answer, or none (also when the question does not
/// apply).
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
    /// The values of `yes`, `no`, `not_sure` (the same for every yes / no
    /// / not sure question, which `new` checks).
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
    morning_stiffness: Is,
    no_leg_pain: Is,
    below_knee: Is,
    leg_numbness: Is,
}

impl Brief {
    pub fn new(q: &Questionnaire) -> Brief {
        let tri = |id: &str| ["yes", "no", "not_sure"].map(|option| Is::new(q, id, option).option);
        let [yes, no, not_sure] = tri(FOLLOW_UP);
        for (id, _) in RED_FLAGS {
            assert_eq!(tri(id), [yes, no, not_sure], "{id}");
        }
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
            morning_stiffness: Is::new(q, "morning_stiffness", "yes"),
            no_leg_pain: Is::new(q, "leg_pain", "none"),
            below_knee: Is::new(q, "leg_pain", "below_knee"),
            leg_numbness: Is::new(q, "leg_numbness", "yes"),
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

    /// The triage level the brief gives these answers.
    pub fn level(&self, answers: &Answers) -> Level {
        let mut flags = [Tri::Missing; 15];
        for (&index, flag) in self.flags.iter().zip(&mut flags) {
            *flag = self.tri(answers, index);
        }
        // The follow-up is asked only when a cauda equina flag is `yes`;
        // otherwise any answer to it is ignored.
        let follow_up = if CAUDA_EQUINA.iter().any(|&f| flags[f] == Tri::Yes) {
            self.tri(answers, self.follow_up)
        } else {
            Tri::Missing
        };
        let emergency_flag_raised = RED_FLAGS.iter().zip(&flags).any(|((_, level), answer)| {
            *level == Level::Emergency && matches!(answer, Tri::Yes | Tri::NotSure)
        });
        let leg_numbness = self.leg_numbness.holds(answers);
        let age = number(answers, self.age);

        let mut level = Level::SelfCare;
        for (position, ((_, yes_level), answer)) in RED_FLAGS.iter().zip(&flags).enumerate() {
            let raised = match answer {
                Tri::No => Level::SelfCare,
                // An unanswered red flag gives at least `soon`.
                Tri::Missing => Level::Soon,
                // Not sure on an emergency-level flag: at least `urgent`;
                // on an urgent-level one: at least `soon`; night pain: `soon`.
                Tri::NotSure => match yes_level {
                    Level::Emergency => Level::Urgent,
                    _ => Level::Soon,
                },
                Tri::Yes => self.yes_level(
                    position,
                    *yes_level,
                    &flags,
                    follow_up,
                    emergency_flag_raised,
                    leg_numbness,
                    age,
                ),
            };
            level = level.max(raised);
        }
        level.max(self.soon_rules(answers, age, leg_numbness))
    }

    #[allow(clippy::too_many_arguments)]
    fn yes_level(
        &self,
        position: usize,
        yes_level: Level,
        flags: &[Tri; 15],
        follow_up: Tri,
        emergency_flag_raised: bool,
        leg_numbness: bool,
        age: Option<f64>,
    ) -> Level {
        let escalate = |to_emergency: bool| if to_emergency { Level::Emergency } else { Level::Urgent };
        match position {
            // Symptoms over 2 weeks and not worsening lower a cauda equina
            // flag to `urgent`; yes, not sure or no answer keep `emergency`.
            _ if CAUDA_EQUINA.contains(&position) => escalate(follow_up != Tri::No),
            // Possible spinal infection.
            FEVER => escalate(flags[INFECTION_RISK] == Tri::Yes || leg_numbness || emergency_flag_raised),
            // Cancer with any nerve symptom.
            CANCER => {
                let leg_weakness = flags[PROGRESSIVE_WEAKNESS] == Tri::Yes || flags[BOTH_LEGS] == Tri::Yes;
                escalate(leg_numbness || leg_weakness || emergency_flag_raised)
            }
            // Urgent from 50, or when the age is not known.
            NIGHT_PAIN if age.map_or(true, |age| age >= 50.0) => Level::Urgent,
            _ => yes_level,
        }
    }

    /// The brief's rules that raise `soon`. An unanswered item makes a
    /// comparison false, except where the brief says "not": an unanswered
    /// trend is "not improving", an unanswered duration "not under 6
    /// weeks".
    fn soon_rules(&self, answers: &Answers, age: Option<f64>, leg_numbness: bool) -> Level {
        let age_at_least = |years: f64| age.is_some_and(|age| age >= years);
        let age_below = |years: f64| age.is_some_and(|age| age < years);
        // Asked only if the pain spreads; otherwise ignored.
        let leg_weeks =
            if self.no_leg_pain.holds(answers) { None } else { number(answers, self.leg_pain_weeks) };
        let worse = self.worse.holds(answers);
        let reasons = [
            self.first_episode.holds(answers) && (age_at_least(50.0) || age_below(20.0)),
            self.morning_stiffness.holds(answers) && self.over_12_weeks.holds(answers) && age_below(45.0),
            self.below_knee.holds(answers) && (leg_weeks.is_some_and(|w| w >= 4.0) || leg_numbness),
            self.over_12_weeks.holds(answers) && !self.improving.holds(answers),
            worse && !self.under_6_weeks.holds(answers),
            self.impact_a_lot.holds(answers)
                || number(answers, self.pain_intensity).is_some_and(|p| p >= 8.0),
            // Age is a modifier: with another reason it adds nothing to
            // the level; with a worsening trend it raises `soon`.
            age_at_least(50.0) && worse,
        ];
        if reasons.contains(&true) {
            Level::Soon
        } else {
            Level::SelfCare
        }
    }
}
