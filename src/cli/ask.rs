//! The interactive front end (`selfcheck ask`), built on inquire.
//!
//! The order of questions, the progress count and the early stop at an
//! emergency are decided by [`Session`]; this module only talks to the
//! person. Everything it prints goes to stderr, where inquire draws its
//! prompts, so that the report on stdout stays clean when it is redirected.
//! It uses no colour of its own; inquire's prompts drop theirs when
//! `NO_COLOR` is set.

use std::fmt::Display;
use std::io::{self, Write};
use std::str::FromStr;

use inquire::validator::Validation;
use inquire::{CustomType, InquireError, Select};
use selfcheck::model::{Kind, Question};
use selfcheck::session::{Next, Session, Step};
use selfcheck::{Answers, Questionnaire, Value};

/// How an interactive session ended.
pub enum Outcome {
    /// The person answered (or the session stopped early at an emergency);
    /// these answers give the report.
    Finished(Answers),
    /// The person pressed Ctrl-C: no report.
    Cancelled,
}

/// Width for the text printed around the prompts (inquire wraps its own).
const WIDTH: usize = 78;

/// A rough pace for the time estimate: some questions are self-checks that
/// take a minute, most take a few seconds.
const SECONDS_PER_QUESTION: usize = 20;

/// Asks the questions of `questionnaire` in the terminal.
pub fn run(questionnaire: &Questionnaire) -> io::Result<Outcome> {
    let mut out = io::stderr().lock();
    let mut session = Session::new(questionnaire);
    introduce(&mut out, questionnaire, &session)?;
    loop {
        match session.next() {
            Next::Ask(step) => {
                show_step(&mut out, &step)?;
                match ask(&mut out, step.question)? {
                    Reply::Answer(value) => session.record(step.index, Some(value)),
                    Reply::Skipped => session.record(step.index, None),
                    Reply::Interrupted => return Ok(Outcome::Cancelled),
                }
            }
            Next::Done => {
                writeln!(out, "\nThat was the last question.\n")?;
                return Ok(Outcome::Finished(session.into_answers()));
            }
            Next::StoppedEarly => {
                let emergency = &questionnaire.levels.emergency;
                let rule = "=".repeat(WIDTH);
                writeln!(out, "\n{rule}")?;
                print_wrapped(&mut out, &format!("{}: {}", emergency.title, emergency.action))?;
                writeln!(out, "The remaining questions are not needed now. Your report follows.")?;
                writeln!(out, "{rule}\n")?;
                return Ok(Outcome::Finished(session.into_answers()));
            }
        }
    }
}

/// The opening lines: what the questionnaire is for and what it is not (its
/// intended purpose, which says it is education and not a diagnosis), how
/// long it takes, and that the warning signs come first.
fn introduce(out: &mut impl Write, questionnaire: &Questionnaire, session: &Session) -> io::Result<()> {
    let count = match session.next() {
        Next::Ask(step) => step.total,
        Next::Done | Next::StoppedEarly => 0,
    };
    let minutes = (count * SECONDS_PER_QUESTION).div_ceil(60).max(1);
    let red_flags = match questionnaire.red_flags().len() {
        0 => String::new(),
        n => format!(
            " Up to {n} are about warning signs that need a doctor: they come near the start and cannot be skipped."
        ),
    };
    writeln!(out, "{}\n", questionnaire.title)?;
    print_wrapped(out, &questionnaire.intended_purpose)?;
    writeln!(out)?;
    print_wrapped(
        out,
        &format!(
            "About {count} questions, roughly {minutes} minutes; follow-up questions are added only when \
             they apply.{red_flags} Any other question can be skipped with Esc. Ctrl-C stops without a \
             report."
        ),
    )
}

/// The section heading when the section changes, the progress line and the
/// question's help text.
fn show_step(out: &mut impl Write, step: &Step) -> io::Result<()> {
    if let (true, Some(section)) = (step.new_section, step.section) {
        writeln!(out, "\n{}\n{}", section.title, "-".repeat(section.title.chars().count()))?;
        if let Some(intro) = &section.intro {
            print_wrapped(out, intro)?;
        }
    }
    let section = step.section.map(|s| format!(" · {}", s.title)).unwrap_or_default();
    writeln!(out, "\nQuestion {} of {}{section}", step.number, step.total)?;
    if let Some(help) = &step.question.help {
        print_wrapped(out, help)?;
    }
    Ok(())
}

fn print_wrapped(out: &mut impl Write, text: &str) -> io::Result<()> {
    for line in textwrap::wrap(text, WIDTH) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// What became of one question.
enum Reply {
    Answer(Value),
    Skipped,
    Interrupted,
}

/// Asks one question until it is answered, skipped (never a red flag) or
/// the person presses Ctrl-C.
fn ask(out: &mut impl Write, question: &Question) -> io::Result<Reply> {
    // Red flags and the follow-ups asked before an emergency stop cannot
    // be skipped: their answers decide how urgent the advice is.
    let red_flag = question.red_flag.is_some() || question.ask_before_stop;
    loop {
        match prompt(question, red_flag) {
            Ok(value) => return Ok(Reply::Answer(value)),
            Err(InquireError::OperationCanceled) if red_flag => {
                print_wrapped(
                    out,
                    "This question is needed for your safety, so it cannot be skipped. \
                     If you do not know, choose \"Not sure\".",
                )?;
            }
            Err(InquireError::OperationCanceled) => return Ok(Reply::Skipped),
            Err(InquireError::OperationInterrupted) => return Ok(Reply::Interrupted),
            Err(InquireError::IO(error)) => return Err(error),
            Err(other) => return Err(io::Error::other(other.to_string())),
        }
    }
}

/// One prompt for one question, fitted to its kind.
fn prompt(question: &Question, red_flag: bool) -> inquire::error::InquireResult<Value> {
    match &question.kind {
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => {
            let keys = if red_flag {
                "↑↓ to move, Enter to choose · needed for safety, cannot be skipped"
            } else {
                "↑↓ to move, Enter to choose, Esc to skip"
            };
            let (choices, cursor) = choices(&question.kind);
            let labels: Vec<&str> = choices.iter().map(|(label, _)| *label).collect();
            let chosen = Select::new(&question.text, labels)
                .with_starting_cursor(cursor)
                .with_help_message(keys)
                .raw_prompt()?;
            // The index comes from the list built above, so it is in range.
            Ok(Value::Option(choices[chosen.index].1))
        }
        Kind::Integer { min, max, unit } => {
            number(question, *min, *max, "a whole number", "", unit).map(Value::Integer)
        }
        Kind::Number { min, max, unit } => {
            number(question, *min, *max, "a number", "; decimals take a point, as in 1.5", unit)
                .map(Value::Number)
        }
    }
}

/// A number prompt that re-prompts until the entry is `what` (such as "a
/// whole number") within `min..=max`, telling the person what to type. Only
/// Esc and Ctrl-C end it.
fn number<T>(
    question: &Question,
    min: T,
    max: T,
    what: &str,
    hint: &str,
    unit: &Option<String>,
) -> inquire::error::InquireResult<T>
where
    T: Copy + PartialOrd + FromStr + Display + 'static,
{
    let unit_suffix = unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default();
    let message = format!("Enter {what} from {min} to {max}{unit_suffix}{hint}");
    let help = format!("{what} from {min} to {max}{unit_suffix} · Enter to confirm, Esc to skip");
    let help = capitalized(&help);
    let invalid = message.clone();
    let formatter = |n: T| match unit {
        Some(unit) => format!("{n} {unit}"),
        None => n.to_string(),
    };
    CustomType::<T>::new(&question.text)
        .with_parser(&|text| text.trim().parse::<T>().map_err(|_| ()))
        .with_error_message(&message)
        .with_validator(move |n: &T| {
            // A NaN fails both comparisons, so it is out of range too.
            Ok(if min <= *n && *n <= max {
                Validation::Valid
            } else {
                Validation::Invalid(format!("{n} is out of range. {invalid}").into())
            })
        })
        .with_help_message(&help)
        .with_formatter(&formatter)
        .prompt()
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The options of a choice question as `(label, option index)` in the order
/// shown, and where the cursor starts.
///
/// Yes/no questions list "No", then "Not sure", then "Yes", so that "Yes"
/// is never the first option: a person who presses Enter without reading
/// is never sent to an emergency department by accident.
///
/// Where "Not sure" is offered (every red flag, the cauda equina follow-up,
/// the self-checks), the cursor starts on it, in the middle, so that both
/// definite answers take a deliberate key press. Enter alone then records
/// the cautious answer: the questionnaire treats "not sure" with caution
/// (on an emergency sign it raises the level to a same-day doctor; on the
/// follow-up it keeps the emergency), whereas starting on "No" would let an
/// unread Enter record a reassuring answer that drops a red flag or turns an
/// emergency into a same-day visit. Yes/no questions start on "No", and
/// other choices on their first option.
fn choices(kind: &Kind) -> (Vec<(&str, u16)>, usize) {
    // Option indices of the yes/no kinds: yes 0, no 1, not sure 2.
    match kind {
        Kind::YesNo => (vec![("No", 1), ("Yes", 0)], 0),
        Kind::YesNoNotSure => (vec![("No", 1), ("Not sure", 2), ("Yes", 0)], 1),
        Kind::SingleChoice { options } => {
            (options.iter().zip(0u16..).map(|(option, index)| (option.label.as_str(), index)).collect(), 0)
        }
        Kind::Integer { .. } | Kind::Number { .. } => (Vec::new(), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_is_never_the_first_option_nor_where_the_cursor_starts() {
        for kind in [Kind::YesNo, Kind::YesNoNotSure] {
            let (choices, cursor) = choices(&kind);
            assert_ne!(choices[0].0, "Yes");
            assert_ne!(choices[cursor].0, "Yes");
        }
        let (choices, cursor) = choices(&Kind::YesNoNotSure);
        assert_eq!(choices, [("No", 1), ("Not sure", 2), ("Yes", 0)]);
        assert_eq!(choices[cursor], ("Not sure", 2));
    }
}
