//! Reading one JSON document into a typed value, with the errors a person
//! can act on.
//!
//! serde_json describes some inputs badly: bytes that are not UTF-8 become
//! "key must be a string", an empty input "EOF while parsing a value", and a
//! top-level array is quietly read as a struct's fields in order. Those
//! cases are caught here first; everything else goes to serde with its
//! line, column and JSON path.

use serde::de::DeserializeOwned;
use serde_json::Value as Json;

use crate::error::{Error, ErrorKind};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Parses `input` as one JSON object of type `T`. `expected` names the
/// document in errors, such as "an answers document".
pub(crate) fn parse<T: DeserializeOwned>(input: &[u8], expected: &str) -> Result<T, Error> {
    let input = input.strip_prefix(BOM).unwrap_or(input);
    let text = std::str::from_utf8(input).map_err(|e| not_utf8(input, e.valid_up_to()))?;
    let start = text.len() - text.trim_start().len();
    match text[start..].chars().next() {
        None => {
            return Err(Error::new(ErrorKind::Syntax, format!("the input is empty: expected {expected}")))
        }
        Some('{') => {}
        Some(_) => return Err(not_an_object(text, start, expected)),
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut deserializer)
        .map_err(|e| Error::from_json(e.inner(), Some(e.path().to_string())))?;
    deserializer.end().map_err(|e| Error::from_json(&e, None))?;
    Ok(value)
}

/// Line and column (both from 1) of byte `at`.
fn position(input: &[u8], at: usize) -> (usize, usize) {
    let before = &input[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
    (line, at - line_start + 1)
}

/// The error for bytes that are not UTF-8 from byte `at` on.
pub(crate) fn not_utf8(input: &[u8], at: usize) -> Error {
    let (line, column) = position(input, at);
    Error::new(ErrorKind::Syntax, format!("not UTF-8 text: invalid byte 0x{:02X}", input[at]))
        .at(line, column)
}

/// The error for a document that starts with something other than `{`:
/// what it is, if it is JSON at all, or the syntax error if it is not.
fn not_an_object(text: &str, start: usize, expected: &str) -> Error {
    let given = match serde_json::from_str::<Json>(text) {
        Err(e) => return Error::from_json(&e, None),
        Ok(Json::Array(_)) => "an array",
        Ok(Json::String(_)) => "a string",
        Ok(Json::Number(_)) => "a number",
        Ok(Json::Bool(_)) => "`true` or `false`",
        Ok(Json::Null) => "`null`",
        Ok(Json::Object(_)) => "an object",
    };
    let (line, column) = position(text.as_bytes(), start);
    Error::new(ErrorKind::InvalidDocument, format!("expected {expected} (a JSON object), got {given}"))
        .at(line, column)
}
