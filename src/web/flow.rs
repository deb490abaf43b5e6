//! Where a person is in the questionnaire, worked out again on every
//! request from the answers their form carries.
//!
//! The order is the library's [`Session`]'s: the answers so far are replayed
//! through a fresh session, question by question in the order it asks them,
//! until it reaches a question with no answer. So the web pages ask what
//! `selfcheck ask` would ask, stop early where it stops, and a red flag
//! left out of a form (or "skipped" by a tampered one) is asked again,
//! since red flags cannot be skipped (nor the follow-ups asked before an
//! emergency stop).

use crate::answers::Answers;
use crate::model::Level;
use crate::questionnaire::Questionnaire;
use crate::session::{Next, Session, Step};

/// A session brought up to date with a form's answers.
pub(crate) struct Replay<'q> {
    pub session: Session<'q>,
    /// The questions put to the person so far, in the order asked.
    pub asked: Vec<usize>,
    pub next: Next<'q>,
}

/// Replays `answers` and `skipped` (question indices) through a session.
/// It takes the session's own steps, but works out which questions apply
/// and the level once per answer, and the step shown (its number, total
/// and section) only for the question it stops at.
/// Answers the session never reaches (a follow-up that no longer applies,
/// questions after an early stop) are dropped, as the session would never
/// have asked them.
pub(crate) fn replay<'q>(
    questionnaire: &'q Questionnaire,
    answers: &Answers,
    skipped: &[usize],
) -> Replay<'q> {
    let mut session = Session::new(questionnaire);
    let mut applies = session.applying();
    let mut asked = Vec::new();
    while let Some(index) = session.next_index_given(&applies) {
        let value = answers.get(index);
        let skippable = !questionnaire.questions[index].needed_for_safety();
        if value.is_none() && !(skippable && skipped.contains(&index)) {
            break;
        }
        applies = session.record_given(index, value, applies);
        asked.push(index);
    }
    let next = session.next_given(&applies);
    Replay { session, asked, next }
}

impl Replay<'_> {
    /// The questions skipped so far (asked, left unanswered).
    pub(crate) fn skipped(&self) -> Vec<usize> {
        self.asked.iter().copied().filter(|&i| self.session.answers().get(i).is_none()).collect()
    }

    pub(crate) fn level(&self) -> Level {
        self.session.level()
    }
}

/// The step that shows question `index` again, to change its answer: the
/// session replayed without it, so that the number and progress are those
/// it had when first asked. When the answers before it no longer lead to
/// it, the step is whatever they lead to.
pub(crate) fn revisit<'q>(
    questionnaire: &'q Questionnaire,
    answers: &Answers,
    skipped: &[usize],
    index: usize,
) -> Replay<'q> {
    let mut without = answers.clone();
    without.set(index, None);
    let skipped: Vec<usize> = skipped.iter().copied().filter(|&i| i != index).collect();
    replay(questionnaire, &without, &skipped)
}

/// The question asked just before the one a replay stopped at (or the last
/// one asked, once there are no more).
pub(crate) fn previous(replay: &Replay<'_>) -> Option<usize> {
    replay.asked.last().copied()
}

/// The step a replay stopped at, if it stopped at a question.
pub(crate) fn current<'q>(replay: &Replay<'q>) -> Option<Step<'q>> {
    match replay.next {
        Next::Ask(step) => Some(step),
        Next::Done | Next::StoppedEarly => None,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Value;

    fn questionnaire() -> Questionnaire {
        let text = crate::shipped("low-back-glutes").expect("shipped");
        Questionnaire::from_json(text, "low-back-glutes").expect("valid")
    }

    const NO: Option<Value> = Some(Value::Option(1));
    const YES: Option<Value> = Some(Value::Option(0));

    /// The answers that take a session to its first red flag.
    fn before_the_red_flags(q: &Questionnaire) -> Answers {
        let mut answers = Answers::empty(q);
        for index in 0..q.red_flags()[0] {
            answers.set(index, Some(Value::Integer(40)));
        }
        answers
    }

    #[test]
    fn a_skipped_red_flag_is_asked_again() {
        let q = questionnaire();
        let first = q.red_flags()[0];
        let replay = replay(&q, &before_the_red_flags(&q), &[first]);
        assert_eq!(current(&replay).map(|s| s.index), Some(first));
        assert_eq!(replay.asked.len(), first);
    }

    #[test]
    fn replays_in_session_order_and_drops_what_it_never_reaches() {
        let q = questionnaire();
        let mut answers = before_the_red_flags(&q);
        for &i in q.red_flags() {
            answers.set(i, NO);
        }
        // The follow-up to the cauda equina signs does not apply to "no".
        let follow_up = q.question_index("rf_cauda_equina_recent").expect("follow-up");
        answers.set(follow_up, YES);
        let replay = replay(&q, &answers, &[]);
        assert!(!replay.asked.contains(&follow_up));
        assert_eq!(replay.session.answers().get(follow_up), None);
        let next = current(&replay).expect("more questions");
        assert!(q.questions[next.index].red_flag.is_none());
        let last_red_flag = replay.asked.iter().rev().find(|&&i| q.questions[i].red_flag.is_some());
        assert_eq!(previous(&replay), last_red_flag.copied());
    }

    #[test]
    fn an_emergency_stops_the_replay() {
        let q = questionnaire();
        let mut answers = before_the_red_flags(&q);
        let saddle = q.question_index("rf_saddle_numbness").expect("saddle");
        answers.set(saddle, YES);
        // The follow-ups asked before the stop, answered "yes": an emergency.
        for (index, question) in q.questions.iter().enumerate() {
            if question.ask_before_stop {
                answers.set(index, YES);
            }
        }
        let replay = replay(&q, &answers, &[]);
        assert!(matches!(replay.next, Next::StoppedEarly), "{:?}", replay.asked);
        assert_eq!(replay.level(), Level::Emergency);
        assert!(replay.asked.len() < q.questions.len() / 2, "{:?}", replay.asked);
    }

    #[test]
    fn revisiting_shows_the_question_with_its_first_number() {
        let q = questionnaire();
        let mut answers = before_the_red_flags(&q);
        for &i in &q.red_flags()[..3] {
            answers.set(i, NO);
        }
        let second = q.red_flags()[1];
        let again = revisit(&q, &answers, &[], second);
        let step = current(&again).expect("a question");
        assert_eq!((step.index, step.number), (second, second + 1));
    }

    /// The replay the plain way: the session's own steps, each worked out
    /// in full.
    fn plain_replay<'q>(
        questionnaire: &'q Questionnaire,
        answers: &Answers,
        skipped: &[usize],
    ) -> Replay<'q> {
        let mut session = Session::new(questionnaire);
        let mut asked = Vec::new();
        loop {
            let next = session.next();
            let Next::Ask(step) = next else {
                return Replay { session, asked, next };
            };
            let value = answers.get(step.index);
            let skippable = !step.question.needed_for_safety();
            if value.is_none() && !(skippable && skipped.contains(&step.index)) {
                return Replay { session, asked, next };
            }
            session.record(step.index, value);
            asked.push(step.index);
        }
    }

    /// What a replay comes to, in a form that compares: the questions
    /// asked, the session's state, and the step it stopped at.
    fn seen(replay: &Replay<'_>) -> String {
        let next = match replay.next {
            Next::Ask(s) => {
                format!(
                    "ask {} #{}/{} {:?} {}",
                    s.index,
                    s.number,
                    s.total,
                    s.section.map(|s| &s.id),
                    s.new_section
                )
            }
            Next::Done => "done".to_owned(),
            Next::StoppedEarly => "stopped early".to_owned(),
        };
        format!(
            "{:?} {:?} {:?} {:?} {next}",
            replay.asked,
            replay.session.answers(),
            replay.session.level(),
            replay.session.progress()
        )
    }

    /// The questionnaires replayed: the shipped one and the generic test
    /// ones (with red flags, follow-ups asked before an emergency stop and
    /// a rule that lowers the level).
    fn questionnaires() -> &'static [Questionnaire] {
        static ALL: std::sync::OnceLock<Vec<Questionnaire>> = std::sync::OnceLock::new();
        ALL.get_or_init(|| {
            vec![
                questionnaire(),
                Questionnaire::from_json(crate::session::tests::FIXTURE, "session").expect("valid"),
                Questionnaire::from_json(include_str!("../../tests/fixtures/engine.json"), "engine")
                    .expect("valid"),
            ]
        })
    }

    /// Answers to every question (any the kind takes, or none; red flags
    /// and follow-ups often `yes`, so that emergencies and the follow-ups
    /// before them come up) and questions to skip.
    fn forms() -> impl Strategy<Value = (usize, Answers, Vec<usize>)> {
        (0..questionnaires().len()).prop_flat_map(|which| {
            let q = &questionnaires()[which];
            let slots: Vec<BoxedStrategy<(Option<Value>, bool)>> = q
                .questions
                .iter()
                .map(|question| {
                    let value = crate::answers::any_value(&question.kind);
                    let calm = if question.needed_for_safety() { 0.6 } else { 0.0 };
                    // `no` is the second option of a red flag.
                    let answer = (prop::bool::weighted(calm), prop::option::weighted(0.8, value))
                        .prop_map(|(calm, v)| if calm { Some(Value::Option(1)) } else { v });
                    (answer, prop::bool::weighted(0.3)).boxed()
                })
                .collect();
            slots.prop_map(move |slots| {
                let q = &questionnaires()[which];
                let mut answers = Answers::empty(q);
                let mut skipped = Vec::new();
                for (i, (value, skip)) in slots.into_iter().enumerate() {
                    answers.set(i, value);
                    if skip {
                        skipped.push(i);
                    }
                }
                (which, answers, skipped)
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The replay, with its shortcuts, comes to what the session's own
        /// steps come to: the same questions asked, state and next step.
        #[test]
        fn replay_is_the_sessions_own_steps((which, answers, skipped) in forms()) {
            let q = &questionnaires()[which];
            prop_assert_eq!(seen(&replay(q, &answers, &skipped)), seen(&plain_replay(q, &answers, &skipped)));
            // Every prefix of the answers, as a form carries them on the way.
            let order = plain_replay(q, &answers, &skipped).asked;
            let mut so_far = Answers::empty(q);
            for &i in &order {
                so_far.set(i, answers.get(i));
                prop_assert_eq!(seen(&replay(q, &so_far, &skipped)), seen(&plain_replay(q, &so_far, &skipped)));
            }
        }
    }

    /// The random forms reach every way a replay ends, emergencies with
    /// their follow-ups included.
    #[test]
    fn the_forms_reach_every_ending() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut stopped, mut done, mut follow_ups) = (0, 0, 0);
        for _ in 0..500 {
            let (which, answers, skipped) = forms().new_tree(&mut runner).expect("a form").current();
            let q = &questionnaires()[which];
            let replay = replay(q, &answers, &skipped);
            match replay.next {
                Next::StoppedEarly => stopped += 1,
                Next::Done => done += 1,
                Next::Ask(_) => {}
            }
            follow_ups += usize::from(replay.asked.iter().any(|&i| q.questions[i].ask_before_stop));
        }
        assert!(stopped > 10 && done > 10 && follow_ups > 10, "{stopped} {done} {follow_ups}");
    }
}
