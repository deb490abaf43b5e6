//! `selfcheck validate`: every problem of every questionnaire file, one per
//! line, then a summary.

use std::path::PathBuf;

use selfcheck::questionnaire::{parse_definition, read};
use selfcheck::shipped::SHIPPED;
use selfcheck::{terminal, validate};

use super::{output, Failure};

/// Checks the files at `paths`, or every shipped questionnaire when there
/// are none. Problems go to stdout (they are what was asked for); any
/// problem makes the exit code 2.
pub fn run(paths: &[PathBuf]) -> Result<(), Failure> {
    let mut out = String::new();
    let mut problems = 0;
    let mut bad_files = 0;
    let mut check = |name: &str, found: Vec<String>| {
        if found.is_empty() {
            out.push_str(&format!("{name}: ok\n"));
        } else {
            bad_files += 1;
            problems += found.len();
            for problem in found {
                out.push_str(&problem);
                out.push('\n');
            }
        }
    };
    if paths.is_empty() {
        for (id, text) in SHIPPED {
            check(id, problems_in(id, text));
        }
    } else {
        for path in paths {
            let name = path.display().to_string();
            let found = match read(path) {
                Ok(text) => problems_in(&name, &text),
                Err(error) => vec![error.to_string()],
            };
            check(&name, found);
        }
    }
    let files = if paths.is_empty() { SHIPPED.len() } else { paths.len() };
    out.push_str(&summary(files, bad_files, problems));
    // File names and problems quote input; see `terminal`.
    output::stdout(terminal::escape_lines(&out).as_bytes())?;
    if problems > 0 {
        Err(Failure::Reported)
    } else {
        Ok(())
    }
}

/// Every problem of one questionnaire text, each as `name: path: message`.
/// A file that does not parse has one problem, with its line and column:
/// nothing after a syntax error can be checked.
fn problems_in(name: &str, text: &str) -> Vec<String> {
    if is_answers_document(text) {
        return vec![format!(
            "{name}: this is an answers document, not a questionnaire: to assess it, use `selfcheck assess {name}`"
        )];
    }
    match parse_definition(text) {
        Ok(definition) => validate(&definition).iter().map(|p| format!("{name}: {p}")).collect(),
        Err(error) => vec![error.with_file(name).to_string()],
    }
}

/// An object with `answers` and no `questions`: what `assess` reads, given
/// to `validate` by mistake. Listing the fields a questionnaire may have
/// would not help whoever did that.
fn is_answers_document(text: &str) -> bool {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(fields)) => {
            fields.contains_key("answers") && !fields.contains_key("questions")
        }
        _ => false,
    }
}

fn summary(files: usize, bad_files: usize, problems: usize) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let checked = plural(files, "questionnaire", "questionnaires");
    if problems == 0 {
        format!("checked {checked}: no problems\n")
    } else {
        format!(
            "checked {checked}: {} in {}\n",
            plural(problems, "problem", "problems"),
            plural(bad_files, "file", "files")
        )
    }
}
