//! The interactive front end (`selfcheck ask`), built on inquire.

use selfcheck::{Answers, Questionnaire};

/// How an interactive session ended.
pub enum Outcome {
    /// The person answered (or the session stopped early at an emergency);
    /// these answers give the report.
    Finished(Answers),
    /// The person pressed Ctrl-C: no report.
    Cancelled,
}

/// Asks the questions of `questionnaire` in the terminal.
pub fn run(questionnaire: &Questionnaire) -> std::io::Result<Outcome> {
    let _ = questionnaire;
    Err(std::io::Error::other("the interactive mode is not built yet"))
}
