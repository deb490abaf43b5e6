//! # selfcheck
//!
//! A rule engine for symptom self-assessment questionnaires kept as open
//! data. A questionnaire file holds the questions, the red flags, the
//! triage rules, the scored domains and the recommendation catalogue; the
//! engine only knows how to read and apply them.
//!
//! Data flows one way: [load](Questionnaire::from_json) →
//! [validate](validate::validate) → [`evaluate`] → [render](render).
//! Evaluation is a pure function from a questionnaire and a set of answers
//! to a [`Report`] value; rendering it as text, Markdown or JSON is separate.
//!
//! The modules depend on one another in one direction only, so that each
//! can be read knowing just the ones below it:
//!
//! 1. [`model`] (the file's data, with the written conditions and the
//!    answer [`Value`]) at the bottom, with [`error`] (errors and the
//!    linter's problems) and the message wording of [`suggest`] beside it;
//! 2. [`condition`]: conditions resolved to indices and evaluated;
//! 3. loading and checking: [`validate`](mod@validate) (the linter, which also compiles)
//!    and [`questionnaire`];
//! 4. [`answers`] and [`schema`], checked against a questionnaire;
//! 5. evaluation: [`eval`], the same decisions for many respondents at
//!    once in [`cohort`], and the interactive order of [`session`];
//! 6. [`report`], the outcome as a plain value;
//! 7. [`render`]ers; the command line sits on top, in the binary.
//!
//! The reports are education, never a diagnosis.
//!
//! ```
//! use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire};
//!
//! let text = selfcheck::shipped("low-back-glutes").expect("shipped");
//! let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
//! let document = AnswersDocument::parse(br#"{
//!     "questionnaire": "low-back-glutes",
//!     "answers": {"age": 42, "sitting_hours": 9.5}
//! }"#)?;
//! let answers = Answers::from_document(&questionnaire, &document.answers)?;
//! let report = evaluate(&questionnaire, &answers);
//! // Unanswered red flags are never read as "no".
//! assert!(!report.unanswered_red_flags.is_empty());
//! assert_eq!(report.triage.level.as_str(), "soon");
//! # Ok::<(), selfcheck::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod answers;
pub mod bytes;
pub mod cohort;
pub mod condition;
pub mod entry;
pub mod error;
pub mod eval;
pub mod fhir;
mod index;
mod json;
pub mod limits;
pub mod model;
pub mod number;
pub mod questionnaire;
pub mod render;
pub mod report;
pub mod schema;
pub mod session;
pub mod shipped;
pub mod shown;
mod strings;
pub mod suggest;
pub mod table;
pub mod terminal;
pub mod validate;
#[cfg(feature = "web")]
pub mod web;

pub use answers::{Answers, AnswersDocument, Value};
pub use error::{Error, ErrorKind, Location};
pub use eval::{evaluate, triage_level};
pub use model::{Definition, Level, RecommendationKind};
pub use questionnaire::Questionnaire;
pub use report::Report;
pub use shipped::shipped;
pub use validate::{validate, Problem};
