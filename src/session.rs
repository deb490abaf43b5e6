//! The interactive session's order of questions.
//!
//! A [`Session`] decides what a terminal front end asks next, with no I/O
//! of its own, so that the order can be tested without a terminal:
//!
//! - questions come in file order, which puts the red flags first (the
//!   linter rejects a red flag placed after any other question, except one
//!   a red flag's `ask_if` reads, such as the age, and a follow-up);
//! - a question is asked only while its `ask_if` holds for the answers given
//!   so far (and the level they raise), by the same test as batch
//!   evaluation ([`applying`](crate::eval::applying)), so a follow-up opens
//!   when its trigger is answered;
//! - after every answer the triage level is worked out again; once it is
//!   `emergency`, the session stops early, because a person who needs an
//!   emergency department must not answer thirty more questions first. Only
//!   questions marked `ask_before_stop` whose condition holds and that were
//!   not yet put to the person are still asked, since their answer refines
//!   the emergency advice (the cauda equina follow-up).
//!
//! - at `urgent` a front end may offer to stop with the report, but only
//!   once no question to come may raise the level ([`Session::may_stop`]):
//!   the warning signs, their follow-ups and what an emergency rule reads.
//!
//! Questions never put to the person stay unanswered, and the report lists
//! them. The stop follows the current level rather than latching: an
//! `ask_before_stop` answer can lower the level (long-standing, stable
//! symptoms call for a doctor today, not an emergency department), and then
//! the remaining questions, other red flags included, are asked as usual.
//!
//! ```
//! use selfcheck::session::{Next, Session};
//! use selfcheck::{Questionnaire, Value};
//!
//! let text = selfcheck::shipped("low-back-glutes").expect("shipped");
//! let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
//! let mut session = Session::new(&questionnaire);
//! let Next::Ask(step) = session.next() else { panic!("a first question") };
//! assert_eq!((step.number, step.question.id.as_str()), (1, "age"));
//! session.record(step.index, Some(Value::Integer(40)));
//! let Next::Ask(step) = session.next() else { panic!("a second question") };
//! assert!(step.question.red_flag.is_some(), "then the red flags");
//! session.record(step.index, Some(Value::Option(1))); // "no"
//! # Ok::<(), selfcheck::Error>(())
//! ```

use crate::answers::{Answers, Value};
use crate::eval::{applying, applying_and_level, triage_level};
use crate::model::{Level, Question, Section};
use crate::questionnaire::Questionnaire;

/// The state of one interactive run: the answers so far and which
/// questions have been put to the person.
#[derive(Debug, Clone)]
pub struct Session<'q> {
    questionnaire: &'q Questionnaire,
    answers: Answers,
    /// Per question: already put to the person, answered or skipped. A
    /// skipped question is not asked again.
    asked: Vec<bool>,
    /// How many questions have been put to the person.
    asked_count: usize,
    /// The question put to the person last, to tell when the section
    /// changes.
    last: Option<usize>,
    /// The triage level after the last answer. Nothing stops a session
    /// before its first answer, so it starts at `self_care`.
    level: Level,
}

/// What to do next.
#[derive(Debug, Clone, Copy)]
pub enum Next<'q> {
    /// Put this question to the person.
    Ask(Step<'q>),
    /// Every question that applies has been put to the person.
    Done,
    /// The answers point to an emergency: the questions that remain are not
    /// needed now and stay unanswered.
    StoppedEarly,
}

/// A question to ask, with what a front end shows around it.
#[derive(Debug, Clone, Copy)]
pub struct Step<'q> {
    /// The question's index in the questionnaire.
    pub index: usize,
    pub question: &'q Question,
    /// The question's position in this run, from 1.
    pub number: usize,
    /// How many questions this run comes to, as far as can be told now:
    /// those already put to the person plus those still to come that apply
    /// given the answers so far. A follow-up counts only once its condition
    /// holds, so the total can grow (or shrink) as answers open or close
    /// follow-ups; it never counts a question that will not be asked. After
    /// an early stop only the questions still to come before the stop are
    /// counted.
    pub total: usize,
    /// The question's section, if the file has one for it.
    pub section: Option<&'q Section>,
    /// Whether the section differs from the previous question's, so that
    /// its title and introduction are shown now. True for the first
    /// question that has a section.
    pub new_section: bool,
}

impl<'q> Session<'q> {
    /// A session with no answers yet.
    pub fn new(questionnaire: &'q Questionnaire) -> Session<'q> {
        Session {
            questionnaire,
            answers: Answers::empty(questionnaire),
            asked: vec![false; questionnaire.questions.len()],
            asked_count: 0,
            last: None,
            level: Level::SelfCare,
        }
    }

    /// The next question to ask, or why there is none.
    pub fn next(&self) -> Next<'q> {
        self.next_given(&applying(self.questionnaire, &self.answers))
    }

    /// [`Session::next`], given which questions apply to the answers so far
    /// (as [`applying`] gives them).
    pub(crate) fn next_given(&self, applies: &[bool]) -> Next<'q> {
        let pending = self.pending(applies);
        let first = if self.stopping() {
            pending.iter().copied().find(|&i| self.questionnaire.questions[i].ask_before_stop)
        } else {
            pending.first().copied()
        };
        match first {
            Some(index) => Next::Ask(self.step(index, &pending)),
            None if pending.is_empty() => Next::Done,
            None => Next::StoppedEarly,
        }
    }

    /// Records the answer to question `index` (`None` when the person
    /// skipped it) and works out the triage level again.
    pub fn record(&mut self, index: usize, value: Option<Value>) {
        let Some(asked) = self.asked.get_mut(index) else { return };
        if !*asked {
            *asked = true;
            self.asked_count += 1;
        }
        self.answers.set(index, value);
        self.last = Some(index);
        self.level = triage_level(self.questionnaire, &self.answers);
    }

    /// Which questions apply to the answers so far, for the replay path
    /// ([`Session::next_index_given`], [`Session::record_given`]).
    pub(crate) fn applying(&self) -> Vec<bool> {
        applying(self.questionnaire, &self.answers)
    }

    /// The index of the question [`Session::next_given`] would ask, without
    /// the step around it: when answers are replayed, only the step they
    /// finally reach is shown, so its number, total and section need not be
    /// worked out on the way.
    pub(crate) fn next_index_given(&self, applies: &[bool]) -> Option<usize> {
        let questions = &self.questionnaire.questions;
        let stopping = self.stopping();
        (0..questions.len())
            .find(|&i| !self.asked[i] && applies[i] && (!stopping || questions[i].ask_before_stop))
    }

    /// [`Session::record`], given which questions apply to the answers
    /// before it (as [`applying`] gives them); returns which apply after
    /// it. The level and the questions that apply are worked out together
    /// in one pass, and not at all when the answers stay as they were
    /// (a skipped question left unanswered) after a first answer: before
    /// that, the level has not yet been worked out.
    pub(crate) fn record_given(
        &mut self,
        index: usize,
        value: Option<Value>,
        applies: Vec<bool>,
    ) -> Vec<bool> {
        let Some(asked) = self.asked.get_mut(index) else { return applies };
        if !*asked {
            *asked = true;
            self.asked_count += 1;
        }
        let unchanged = self.last.is_some() && self.answers.get(index) == value;
        self.last = Some(index);
        if unchanged {
            return applies;
        }
        self.answers.set(index, value);
        let (applies, level) = applying_and_level(self.questionnaire, &self.answers);
        self.level = level;
        applies
    }

    /// Which questions have been put to the person, how many, and the
    /// last: the state [`Session::next`] reads besides the answers and the
    /// level.
    #[cfg(test)]
    pub(crate) fn progress(&self) -> (&[bool], usize, Option<usize>) {
        (&self.asked, self.asked_count, self.last)
    }

    /// The triage level after the last answer.
    pub fn level(&self) -> Level {
        self.level
    }

    /// Whether a front end may offer, at `urgent`, to stop with the report
    /// now: once no question still to come may raise the level (see
    /// [`Session::may_raise`]). Until then the answers to come decide how
    /// urgent the advice is.
    pub fn may_stop(&self) -> bool {
        let raising = self.raising();
        let applies = applying(self.questionnaire, &self.answers);
        self.pending(&applies).iter().all(|&i| !raising[i])
    }

    /// Whether question `index` may raise the level above the current
    /// one: a warning sign, a follow-up asked before an emergency stop, or
    /// a question a triage rule of a more cautious level reads.
    pub fn may_raise(&self, index: usize) -> bool {
        self.raising().get(index).copied().unwrap_or(false)
    }

    /// Per question, whether it may raise the level above the current one:
    /// a warning sign, a follow-up asked before an emergency stop, or a
    /// question a triage rule of a more cautious level reads (such as leg
    /// pain, which with cancer in the past is an emergency).
    fn raising(&self) -> Vec<bool> {
        let q = self.questionnaire;
        let mut read = Vec::new();
        for (rule, compiled) in q.triage_rules.iter().zip(&q.compiled.triage) {
            if rule.level > self.level {
                compiled.when.expr.questions(&mut read);
            }
        }
        let mut raising: Vec<bool> = q.questions.iter().map(Question::needed_for_safety).collect();
        for i in read {
            raising[i] = true;
        }
        raising
    }

    /// The answers so far.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// Ends the session, giving its answers.
    pub fn into_answers(self) -> Answers {
        self.answers
    }

    /// Whether the early stop is in force.
    fn stopping(&self) -> bool {
        self.level == Level::Emergency
    }

    /// The questions not yet put to the person that apply given the answers
    /// so far, in file order.
    fn pending(&self, applies: &[bool]) -> Vec<usize> {
        (0..self.questionnaire.questions.len()).filter(|&i| !self.asked[i] && applies[i]).collect()
    }

    fn step(&self, index: usize, pending: &[usize]) -> Step<'q> {
        let questions = &self.questionnaire.questions;
        let still_to_come = if self.stopping() {
            pending.iter().filter(|&&i| questions[i].ask_before_stop).count()
        } else {
            pending.len()
        };
        let section_id = questions[index].section.as_deref();
        let previous = self.last.and_then(|i| questions[i].section.as_deref());
        Step {
            index,
            question: &questions[index],
            number: self.asked_count + 1,
            total: self.asked_count + still_to_come,
            section: section_id.and_then(|id| self.questionnaire.section(id)),
            new_section: section_id.is_some() && section_id != previous,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Kind;

    /// Three red flags, a cauda equina follow-up in the style of the shipped
    /// questionnaire (the marker raises `urgent`; a rule raises `emergency`
    /// unless the symptoms are long-standing), and ordinary questions with a
    /// conditional follow-up.
    pub(crate) const FIXTURE: &str = r#"{
      "id": "session-fixture", "version": "1.0.0", "title": "Fixture", "language": "en",
      "intended_purpose": "Testing.", "disclaimer": "Not a diagnosis.",
      "levels": {
        "emergency": {"title": "E", "action": "Now."}, "urgent": {"title": "U", "action": "Today."},
        "soon": {"title": "S", "action": "Weeks."}, "self_care": {"title": "C", "action": "Plan."}
      },
      "sections": [
        {"id": "flags", "title": "Warning signs", "intro": "Asked first."},
        {"id": "you", "title": "About you"}
      ],
      "questions": [
        {"id": "rf_saddle", "section": "flags", "text": "Saddle?", "kind": "yes_no_not_sure",
         "red_flag": {"yes": "urgent", "not_sure": "urgent", "unanswered": "soon", "because": "x"}},
        {"id": "rf_legs", "section": "flags", "text": "Both legs?", "kind": "yes_no_not_sure",
         "red_flag": {"yes": "urgent", "not_sure": "urgent", "unanswered": "soon", "because": "x"}},
        {"id": "rf_night", "section": "flags", "text": "Night?", "kind": "yes_no_not_sure",
         "red_flag": {"yes": "soon", "not_sure": "soon", "unanswered": "soon", "because": "x"}},
        {"id": "recent", "section": "flags", "text": "Recent?", "kind": "yes_no_not_sure",
         "ask_if": {"any": [{"is": ["rf_saddle", "yes"]}, {"is": ["rf_legs", "yes"]}]},
         "ask_before_stop": true},
        {"id": "age", "section": "you", "text": "Age?", "kind": "integer", "min": 0, "max": 120},
        {"id": "leg_pain", "section": "you", "text": "Leg pain?", "kind": "single_choice",
         "options": [{"id": "none", "label": "None"}, {"id": "below_knee", "label": "Below the knee"}]},
        {"id": "leg_weeks", "section": "you", "text": "Weeks?", "kind": "integer", "min": 0, "max": 520,
         "ask_if": {"is": ["leg_pain", "below_knee"]}},
        {"id": "sitting", "text": "Sitting?", "kind": "number", "min": 0, "max": 24}
      ],
      "triage_rules": [
        {"id": "cauda_equina_new", "level": "emergency", "because": "x",
         "when": {"all": [{"any": [{"is": ["rf_saddle", "yes"]}, {"is": ["rf_legs", "yes"]}]},
                          {"not": {"is": ["recent", "no"]}}]}}
      ],
      "safety_net": ["Call if x."],
      "sources": []
    }"#;

    const YES: Option<Value> = Some(Value::Option(0));
    const NO: Option<Value> = Some(Value::Option(1));
    /// `leg_pain`'s options.
    const NONE: Option<Value> = Some(Value::Option(0));
    const BELOW_KNEE: Option<Value> = Some(Value::Option(1));

    fn fixture() -> Questionnaire {
        Questionnaire::from_json(FIXTURE, "fixture").expect("the fixture is valid")
    }

    fn index(q: &Questionnaire, id: &str) -> usize {
        q.question_index(id).expect("a fixture question")
    }

    /// Answers each question the session asks with `answer(id)` until it
    /// ends; returns the ids asked, in order, with the progress shown, and
    /// how it ended.
    fn run<'q>(
        session: &mut Session<'q>,
        answer: impl Fn(&str) -> Option<Value>,
    ) -> (Vec<(String, usize, usize)>, Next<'q>) {
        let mut asked = Vec::new();
        loop {
            match session.next() {
                Next::Ask(step) => {
                    asked.push((step.question.id.clone(), step.number, step.total));
                    session.record(step.index, answer(&step.question.id));
                }
                end => return (asked, end),
            }
        }
    }

    fn ids(asked: &[(String, usize, usize)]) -> Vec<&str> {
        asked.iter().map(|(id, _, _)| id.as_str()).collect()
    }

    #[test]
    fn asks_in_file_order_and_skips_closed_follow_ups() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| match id {
            "age" => Some(Value::Integer(40)),
            "leg_pain" => NONE,
            "rf_saddle" | "rf_legs" | "rf_night" => NO,
            "sitting" => Some(Value::Number(6.5)),
            other => panic!("`{other}` should not be asked"),
        });
        assert!(matches!(end, Next::Done));
        assert_eq!(ids(&asked), ["rf_saddle", "rf_legs", "rf_night", "age", "leg_pain", "sitting"]);
        assert_eq!(session.level(), Level::SelfCare);
        assert_eq!(session.answers().get(index(&q, "recent")), None);
        assert_eq!(session.answers().get(index(&q, "leg_weeks")), None);
    }

    #[test]
    fn a_follow_up_is_asked_once_its_condition_holds() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| match id {
            "leg_pain" => BELOW_KNEE,
            "age" | "leg_weeks" => Some(Value::Integer(3)),
            _ => NO,
        });
        assert!(matches!(end, Next::Done));
        assert_eq!(
            ids(&asked),
            ["rf_saddle", "rf_legs", "rf_night", "age", "leg_pain", "leg_weeks", "sitting"]
        );
        assert_eq!(session.answers().get(index(&q, "leg_weeks")), Some(Value::Integer(3)));
    }

    #[test]
    fn skipped_questions_stay_unanswered_and_are_not_asked_again() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| if id.starts_with("rf_") { NO } else { None });
        assert!(matches!(end, Next::Done));
        assert_eq!(ids(&asked), ["rf_saddle", "rf_legs", "rf_night", "age", "leg_pain", "sitting"]);
        assert!(session.answers().values()[3..].iter().all(Option::is_none));
    }

    #[test]
    fn an_emergency_stops_early_after_the_follow_up() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| match id {
            "rf_saddle" => YES,
            "recent" => YES,
            other => panic!("`{other}` should not be asked after an emergency"),
        });
        assert!(matches!(end, Next::StoppedEarly));
        // The follow-up jumps ahead of the remaining red flags, and the
        // progress counts only what is left before the stop.
        assert_eq!(asked, [("rf_saddle".to_owned(), 1, 6), ("recent".to_owned(), 2, 2)]);
        assert_eq!(session.level(), Level::Emergency);
        assert_eq!(session.answers().get(index(&q, "rf_legs")), None);
    }

    #[test]
    fn a_skipped_follow_up_still_stops_at_the_emergency() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| if id == "rf_saddle" { YES } else { None });
        assert!(matches!(end, Next::StoppedEarly));
        assert_eq!(ids(&asked), ["rf_saddle", "recent"]);
    }

    #[test]
    fn a_follow_up_that_lowers_the_level_resumes_the_questions() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| match id {
            "rf_legs" => YES,
            // Long-standing: urgent, not an emergency; keep asking.
            "recent" => NO,
            "age" => Some(Value::Integer(30)),
            "leg_pain" => NONE,
            _ => NO,
        });
        assert!(matches!(end, Next::Done));
        assert_eq!(ids(&asked), ["rf_saddle", "rf_legs", "recent", "rf_night", "age", "leg_pain", "sitting"]);
        assert_eq!(session.level(), Level::Urgent);
    }

    #[test]
    fn an_emergency_on_the_last_red_flag_asks_the_follow_up_in_place() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| if id == "rf_legs" || id == "recent" { YES } else { NO });
        assert!(matches!(end, Next::StoppedEarly));
        assert_eq!(ids(&asked), ["rf_saddle", "rf_legs", "recent"]);
    }

    #[test]
    fn progress_counts_the_questions_that_apply_now() {
        let q = fixture();
        let mut session = Session::new(&q);
        let (asked, _) = run(&mut session, |id| match id {
            "leg_pain" => BELOW_KNEE,
            "age" | "leg_weeks" => Some(Value::Integer(3)),
            _ => NO,
        });
        let progress: Vec<(usize, usize)> = asked.iter().map(|(_, n, t)| (*n, *t)).collect();
        // Six questions apply at first; "below the knee" opens a seventh.
        assert_eq!(progress, [(1, 6), (2, 6), (3, 6), (4, 6), (5, 6), (6, 7), (7, 7)]);
    }

    #[test]
    fn after_an_emergency_progress_counts_only_the_follow_up() {
        let q = fixture();
        let mut session = Session::new(&q);
        session.record(index(&q, "rf_saddle"), Some(Value::Option(2)));
        let Next::Ask(step) = session.next() else { panic!("more questions") };
        assert_eq!((step.question.id.as_str(), step.number, step.total), ("rf_legs", 2, 6));
        // A "yes" opens the follow-up: one more question, not an early stop
        // before it.
        session.record(index(&q, "rf_legs"), YES);
        let Next::Ask(step) = session.next() else { panic!("the follow-up") };
        assert_eq!((step.question.id.as_str(), step.number, step.total), ("recent", 3, 3));
    }

    #[test]
    fn section_changes_are_flagged_once() {
        let q = fixture();
        let mut session = Session::new(&q);
        let mut shown = Vec::new();
        while let Next::Ask(step) = session.next() {
            if step.new_section {
                shown.push((step.question.id.clone(), step.section.map(|s| s.title.clone())));
            }
            let value = match step.question.kind {
                Kind::Integer { .. } => Some(Value::Integer(1)),
                Kind::Number { .. } => Some(Value::Number(1.0)),
                _ => NO,
            };
            session.record(step.index, value);
        }
        assert_eq!(
            shown,
            [
                ("rf_saddle".to_owned(), Some("Warning signs".to_owned())),
                ("age".to_owned(), Some("About you".to_owned())),
            ]
        );
    }

    #[test]
    fn recording_twice_counts_one_question() {
        let q = fixture();
        let mut session = Session::new(&q);
        session.record(0, None);
        session.record(0, NO);
        session.record(q.questions.len(), NO);
        let Next::Ask(step) = session.next() else { panic!("more questions") };
        assert_eq!((step.index, step.number), (1, 2));
        assert_eq!(session.answers().get(0), NO);
    }

    /// The shipped questionnaire: a `yes` among the three cauda equina
    /// questions waits for the other two and the follow-up before the early
    /// stop, and self-checks asked only below `urgent` are not asked at
    /// `urgent`, as batch evaluation would ignore them.
    #[test]
    fn shipped_follow_up_order_and_self_checks_by_level() {
        let text = crate::shipped("low-back-glutes").expect("shipped");
        let q = Questionnaire::from_json(text, "low-back-glutes").expect("valid");
        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| match id {
            "age" => Some(Value::Integer(40)),
            "rf_saddle_numbness" | "rf_cauda_equina_recent" => YES,
            _ => NO,
        });
        assert!(matches!(end, Next::StoppedEarly));
        assert_eq!(
            ids(&asked),
            [
                "age",
                "rf_saddle_numbness",
                "rf_bladder_bowel_change",
                "rf_sexual_function_change",
                "rf_cauda_equina_recent"
            ]
        );

        let mut session = Session::new(&q);
        let (asked, end) = run(&mut session, |id| match id {
            "age" => Some(Value::Integer(40)),
            "rf_fever_unwell" => YES,
            "sitting_hours" => Some(Value::Number(5.0)),
            "pain_intensity" | "exercise_days" | "leg_pain_weeks" => Some(Value::Integer(2)),
            _ => NO,
        });
        assert!(matches!(end, Next::Done));
        assert_eq!(session.level(), Level::Urgent);
        let asked = ids(&asked);
        for check in ["tilt_wall_gap", "hip_flexor_tight", "glute_hip_drop", "glute_knees_cave"] {
            assert!(!asked.contains(&check), "{check} asked at urgent");
        }
        assert!(asked.contains(&"tilt_swayback") && asked.contains(&"glute_stairs"));
        let applies = crate::eval::applying(&q, session.answers());
        assert!(asked.iter().all(|id| applies[q.question_index(id).expect("known")]));
    }
}
