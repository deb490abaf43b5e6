//! The interactive front end (`selfcheck ask`).
//!
//! The order of questions, the progress count and the early stop at an
//! emergency are decided by [`Session`]; reading numbers as people type
//! them by [`selfcheck::entry`]; the prompts themselves are in
//! [`prompt`](super::prompt). This module only talks to the person.
//! Everything it prints goes to stderr, so that the report on stdout stays
//! clean when it is redirected. It uses no colour.

use std::io::{self, Write};
use std::path::Path;

use selfcheck::model::{Kind, Level, Question};
use selfcheck::session::{Next, Session, Step};
use selfcheck::{entry, Answers, Questionnaire, Report, Value};

use super::prompt::{self, Choice, Reply};

/// How an interactive session ended.
pub enum Outcome {
    /// The person answered (or the session stopped early at an emergency,
    /// or the person chose to stop at `urgent`); these answers give the
    /// report.
    Finished(Answers),
    /// The person pressed Ctrl-C: no report.
    Cancelled,
}

/// What Ctrl-C prints, the one line it leaves.
const STOPPED: &str = "Stopped. No report was written.";

/// A rough pace for the time estimate: some questions are self-checks that
/// take a minute, most take a few seconds.
const SECONDS_PER_QUESTION: usize = 20;

/// Asks the questions of `questionnaire` in the terminal.
pub fn run(questionnaire: &Questionnaire) -> io::Result<Outcome> {
    let mut out = io::stderr().lock();
    let mut session = Session::new(questionnaire);
    introduce(&mut out, questionnaire, &session)?;
    // The total shown only grows, so that the count reads "12 of about
    // 30" throughout rather than jumping as follow-ups open and close.
    let mut about = 0;
    let (mut told_urgent, mut offered) = (false, false);
    loop {
        match session.next() {
            Next::Ask(step) => {
                // `urgent` is said at once; the offer to stop with the
                // report waits until no question to come may raise the
                // level, as those decide how urgent the advice is.
                let urgent = session.level() == Level::Urgent;
                if urgent && !offered && session.may_stop() {
                    (told_urgent, offered) = (true, true);
                    match offer_to_stop(&mut out, questionnaire)? {
                        Reply::Chosen(true) => return Ok(Outcome::Finished(session.into_answers())),
                        Reply::Chosen(false) | Reply::Escaped => {}
                        Reply::Interrupted => {
                            writeln!(out, "{STOPPED}")?;
                            return Ok(Outcome::Cancelled);
                        }
                    }
                } else if urgent && !told_urgent {
                    told_urgent = true;
                    tell_urgent(&mut out, questionnaire)?;
                }
                about = about.max(step.total);
                let stopping = session.level() == Level::Emergency;
                show_step(&mut out, &step, about, stopping)?;
                match ask(&mut out, step.question)? {
                    Some(value) => session.record(step.index, value),
                    None => {
                        writeln!(out, "{STOPPED}")?;
                        return Ok(Outcome::Cancelled);
                    }
                }
            }
            Next::Done => {
                writeln!(out, "\nThat was the last question. Your report follows.\n")?;
                return Ok(Outcome::Finished(session.into_answers()));
            }
            Next::StoppedEarly => {
                let emergency = &questionnaire.levels.emergency;
                boxed(
                    &mut out,
                    &[
                        &emergency.title.to_uppercase(),
                        &emergency.action,
                        "The remaining questions are not needed now. Your report follows.",
                    ],
                )?;
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
    prompt::say(out, &questionnaire.intended_purpose)?;
    writeln!(out)?;
    prompt::say(
        out,
        &format!(
            "About {count} questions, roughly {} {}; follow-up questions are added only when \
             they apply.{red_flags} Any other question can be skipped with Esc. Ctrl-C stops without a \
             report.",
            minutes,
            if minutes == 1 { "minute" } else { "minutes" }
        ),
    )
}

/// The section heading when the section changes, the progress line and the
/// question's help text.
fn show_step(out: &mut impl Write, step: &Step, about: usize, stopping: bool) -> io::Result<()> {
    if let (true, Some(section)) = (step.new_section, step.section) {
        writeln!(out)?;
        for line in prompt::indented(&section.title, "", "", prompt::width()) {
            writeln!(out, "{line}")?;
        }
        writeln!(out, "{}", "-".repeat(section.title.chars().count().min(prompt::width())))?;
        if let Some(intro) = &section.intro {
            prompt::say(out, intro)?;
        }
    }
    let progress = if stopping {
        // After an emergency answer only the follow-ups that refine the
        // advice are left.
        match step.total.saturating_sub(step.number) {
            0 => format!("Question {}, the last before your advice", step.number),
            n => format!("Question {}, {n} more before your advice", step.number),
        }
    } else {
        format!("Question {} of about {about}", step.number)
    };
    let section = step.section.map(|s| format!(" · {}", s.title)).unwrap_or_default();
    writeln!(out)?;
    prompt::say(out, &format!("{progress}{section}"))?;
    if let Some(help) = &step.question.help {
        prompt::say(out, help)?;
    }
    Ok(())
}

/// Asks one question until it is answered, skipped (never a red flag or
/// its follow-up) or the person presses Ctrl-C; leaves the question and its
/// answer on screen. Esc on a red flag explains and asks again; elsewhere
/// it skips, which gives `Some(None)`. `None`: Ctrl-C.
fn ask(out: &mut impl Write, question: &Question) -> io::Result<Option<Option<Value>>> {
    let red_flag = question.needed_for_safety();
    let mut message = None;
    loop {
        let reply = match &question.kind {
            Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => {
                let (choices, start) = choices(&question.kind);
                let labels: Vec<&str> = choices.iter().map(|(label, _)| *label).collect();
                let keys = choice_keys(labels.len(), red_flag);
                let choice =
                    Choice { question: &question.text, options: &labels, start, keys: &keys, message };
                match prompt::choose(&choice)? {
                    // The index comes from the list built above, so it is
                    // in range.
                    Reply::Chosen(i) => Reply::Chosen((Value::Option(choices[i].1), choices[i].0.to_owned())),
                    Reply::Escaped => Reply::Escaped,
                    Reply::Interrupted => Reply::Interrupted,
                }
            }
            Kind::Integer { unit, .. } | Kind::Number { unit, .. } => {
                let keys =
                    format!("Type {}. Esc to skip, Enter to confirm.", entry::expected(&question.kind));
                let read = |typed: &str| entry::read(&question.kind, typed);
                match prompt::type_in(&question.text, &keys, read)? {
                    Reply::Chosen(value) => Reply::Chosen((value, entry::quantity(value, unit.as_deref()))),
                    Reply::Escaped => Reply::Escaped,
                    Reply::Interrupted => Reply::Interrupted,
                }
            }
        };
        match reply {
            Reply::Chosen((value, shown)) => {
                prompt::settle(out, &question.text, &format!("Answer: {shown}"))?;
                return Ok(Some(Some(value)));
            }
            Reply::Escaped if red_flag => {
                message = Some(
                    "This question is needed for your safety, so it cannot be skipped. \
                     If you do not know, choose \"Not sure\".",
                );
            }
            Reply::Escaped => {
                prompt::settle(out, &question.text, "Answer: skipped")?;
                return Ok(Some(None));
            }
            Reply::Interrupted => return Ok(None),
        }
    }
}

/// What the keys do in a list of `count` options.
fn choice_keys(count: usize, red_flag: bool) -> String {
    let skip = if red_flag { "Needed for safety, cannot be skipped." } else { "Esc to skip." };
    format!("{skip} ↑↓ to move, type 1 to {count}, or Enter to choose.")
}

/// Says, in a box, that the answers so far call for a doctor today, then
/// `then`.
fn say_urgent(out: &mut impl Write, questionnaire: &Questionnaire, then: &str) -> io::Result<()> {
    let urgent = &questionnaire.levels.urgent;
    writeln!(out)?;
    boxed(out, &[&urgent.title.to_uppercase(), &urgent.action, then])
}

/// Says `urgent` at once, while questions that may raise the level are
/// still to come.
fn tell_urgent(out: &mut impl Write, questionnaire: &Questionnaire) -> io::Result<()> {
    let then = "Please answer a few more questions first. They decide how urgent this is. Then you can stop \
                and see your report.";
    say_urgent(out, questionnaire, then)
}

/// Says `urgent` and offers to stop with the report now. `Chosen(true)`:
/// stop. The cursor starts on going on, so that Enter alone loses nothing.
fn offer_to_stop(out: &mut impl Write, questionnaire: &Questionnaire) -> io::Result<Reply<bool>> {
    let then = "You can stop now and see your report, or go on: the other questions make the report fuller \
                for the doctor, and a few could make the advice more urgent.";
    say_urgent(out, questionnaire, then)?;
    let options = ["Go on with the questions", "Stop now and see my report"];
    let choice = Choice {
        question: "Go on, or stop here?",
        options: &options,
        start: 0,
        keys: "↑↓ to move, type 1 or 2, or Enter to choose.",
        message: None,
    };
    Ok(match prompt::choose(&choice)? {
        Reply::Chosen(i) => {
            prompt::settle(out, choice.question, &format!("Answer: {}", options[i]))?;
            Reply::Chosen(i == 1)
        }
        Reply::Escaped => Reply::Chosen(false),
        Reply::Interrupted => Reply::Interrupted,
    })
}

/// Paragraphs in an ASCII box as wide as the terminal, for what must not
/// be missed.
fn boxed(out: &mut impl Write, paragraphs: &[&str]) -> io::Result<()> {
    let inner = prompt::width().saturating_sub(4).max(1);
    let rule = format!("+{}+", "-".repeat(inner + 2));
    writeln!(out, "\n{rule}")?;
    for (i, paragraph) in paragraphs.iter().enumerate() {
        if i > 0 {
            writeln!(out, "| {} |", " ".repeat(inner))?;
        }
        for line in selfcheck::render::wrap(paragraph, inner) {
            let pad = inner.saturating_sub(textwrap::core::display_width(&line));
            writeln!(out, "| {line}{} |", " ".repeat(pad))?;
        }
    }
    writeln!(out, "{rule}\n")
}

/// The last lines on screen: the level and the action, and where the
/// report and the answers went, so that they are seen even when the report
/// is long or went to a file.
pub fn recap(report: &Report, written: Option<&Path>, saved: Option<&Path>) -> io::Result<()> {
    let mut out = io::stderr().lock();
    let triage = &report.triage;
    writeln!(out)?;
    prompt::say(&mut out, &format!("Your result: {}. {}", triage.title, triage.action))?;
    if let Some(path) = written {
        prompt::say(&mut out, &format!("Your report was written to {}.", path.display()))?;
    }
    if let Some(path) = saved {
        prompt::say(&mut out, &format!("Your answers were saved to {}.", path.display()))?;
    }
    Ok(())
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
