//! The linter's check of every string in a questionnaire: no character a
//! terminal would act on, and no id longer than the limit.
//!
//! Texts and ids are shown to people in terminals, Markdown and web
//! pages, so a questionnaire may not carry control characters (line breaks
//! and tabs included: reports lay out their own lines) or bidirectional
//! overrides. The check walks the definition as the JSON it was read from,
//! so that every string of the format, present and future, is covered and
//! each problem names its JSON path.

use std::fmt::Write;

use serde_json::Value as Json;

use crate::limits::MAX_ID_CHARS;
use crate::model::Definition;
use crate::terminal::{self, is_unsafe};
use crate::validate::Problem;

/// Adds a problem for every string of `def` holding an unsafe character,
/// and for every id longer than [`MAX_ID_CHARS`].
pub(crate) fn check(def: &Definition, problems: &mut Vec<Problem>) {
    // A definition always serialises: it was read from JSON.
    if let Ok(json) = serde_json::to_value(def) {
        let mut path = String::new();
        walk(&json, &mut path, false, problems);
    }
}

fn walk(value: &Json, path: &mut String, is_id: bool, problems: &mut Vec<Problem>) {
    let length = path.len();
    match value {
        Json::String(text) => {
            if let Some(c) = text.chars().find(|c| is_unsafe(*c)) {
                problems.push(Problem::new(
                    path,
                    format!(
                        "`{}` holds the control character `{}`: questionnaire texts and ids may not hold \
                         control characters, line breaks or bidirectional overrides",
                        text,
                        terminal::escape(c.encode_utf8(&mut [0; 4]))
                    ),
                ));
            }
            if is_id && text.chars().count() > MAX_ID_CHARS {
                let chars = text.chars().count();
                problems.push(Problem::new(
                    path,
                    format!(
                        "`{text}` is an id of {chars} characters, longer than the {MAX_ID_CHARS} allowed"
                    ),
                ));
            }
        }
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                // Written in place: a questionnaire has thousands of items,
                // and this check runs at every start.
                let _ = write!(path, "[{i}]");
                walk(item, path, false, problems);
                path.truncate(length);
            }
        }
        Json::Object(fields) => {
            for (key, field) in fields {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(field, path, key == "id", problems);
                path.truncate(length);
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}
