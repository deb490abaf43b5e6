//! `selfcheck assess`: one answers document in, one report out.

use std::io::IsTerminal;
use std::path::Path;

use selfcheck::fhir::{self, Response};
use selfcheck::limits::{self, Limits};
use selfcheck::render::Format;
use selfcheck::{evaluate, Answers, AnswersDocument, Error, ErrorKind, Report};

use super::catalog::Catalog;
use super::{output, Failure};

/// How errors name standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The byte order mark some editors put at the start of UTF-8 files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to save an answers document or JSON Lines as UTF-8, for the error
/// that refuses one in UTF-16.
pub const SAVE_JSON_AS_UTF8: &str =
    "(in Windows PowerShell, write it with `Out-File -Encoding utf8` rather than `>`)";

/// Assesses the document in `file` (stdin for `None` or `-`) and prints the
/// report.
pub fn run(file: Option<&Path>, format: Format, catalog: &Catalog, limits: Limits) -> Result<(), Failure> {
    let (name, bytes) = read(file, limits.max_document_bytes)?;
    let report = assess(&bytes, catalog)
        .map_err(|e| match other_format(&bytes).filter(|_| e.kind() == ErrorKind::Syntax) {
            Some(note) => e.with_note(note),
            None => e,
        })
        .map_err(|e| e.with_file(name))?;
    // The report's questionnaire was found by this id a moment ago.
    let language = catalog.get(Some(&report.questionnaire.id))?.language.as_str();
    output::stdout(output::render(&report, format, language).as_bytes())
}

/// Whether a FILE argument means standard input.
pub fn is_stdin(file: Option<&Path>) -> bool {
    match file {
        Some(path) => path == Path::new("-"),
        None => true,
    }
}

/// Whether `start`, the first bytes of an input, is text in UTF-16 rather
/// than UTF-8: it opens with UTF-16's byte order mark (`FF FE` or `FE FF`),
/// or every other byte of its first line is a NUL, as in ASCII text saved
/// in UTF-16 without one. Excel's "Unicode Text" and Windows PowerShell's
/// `>` write such files; read as UTF-8, they would be refused for their
/// first byte, or for the NULs in every name.
pub fn is_utf16(start: &[u8]) -> bool {
    if start.starts_with(b"\xFF\xFE") || start.starts_with(b"\xFE\xFF") {
        return true;
    }
    // The first line, or as much of it as is read, in whole pairs of bytes
    // (big-endian, the NUL before its `\n` is the first byte of the `\n`'s
    // pair, and left out).
    let start = &start[..start.len().min(256)];
    let line = &start[..memchr::memchr(b'\n', start).unwrap_or(start.len())];
    let line = &line[..line.len() & !1];
    let nul_in_every = |first: usize| line.iter().enumerate().all(|(i, &b)| (b == 0) == (i % 2 == first));
    line.len() >= 4 && (nul_in_every(0) || nul_in_every(1))
}

/// The error for an input in UTF-16 (see [`is_utf16`]); `how` says how to
/// save it as UTF-8 with the program that most likely wrote it.
pub fn utf16(how: &str) -> Error {
    Error::new(ErrorKind::Syntax, format!("the input is UTF-16 text, not UTF-8: save it as UTF-8 {how}"))
}

/// How to allow a larger document, for the error that refuses one.
pub const RAISE_DOCUMENT_LIMIT: &str = "; --max-document-bytes raises it";

/// Reads the whole input, up to `limit` bytes, returning its name for
/// errors and its bytes.
fn read(file: Option<&Path>, limit: u64) -> Result<(String, Vec<u8>), Failure> {
    let what = "the answers document";
    match file {
        Some(path) if !is_stdin(file) => {
            let name = path.display().to_string();
            let opened = std::fs::File::open(path)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(&name))?;
            let bytes =
                limits::read(opened, limit, what, RAISE_DOCUMENT_LIMIT).map_err(|e| e.with_file(&name))?;
            Ok((name, bytes))
        }
        _ => {
            let stdin = std::io::stdin().lock();
            if file.is_none() && stdin.is_terminal() {
                return Err(Failure::Input(String::from(
                    "no answers document given: name a FILE, or pipe a document into stdin \
                     (`-` reads one typed at the terminal)",
                )));
            }
            let bytes = limits::read(stdin, limit, what, RAISE_DOCUMENT_LIMIT)
                .map_err(|e| e.with_file(STDIN_NAME))?;
            Ok((STDIN_NAME.to_owned(), bytes))
        }
    }
}

/// Parses, checks and evaluates one answers document or FHIR
/// `QuestionnaireResponse`.
pub fn assess<'c>(bytes: &[u8], catalog: &'c Catalog) -> Result<Report<'c>, Error> {
    let (questionnaire, answers) = match parse(bytes)? {
        Input::Document(document) => {
            let questionnaire = catalog.get(document.questionnaire.as_deref())?;
            (questionnaire, Answers::from_document(questionnaire, &document.answers)?)
        }
        Input::Fhir(response) => {
            let questionnaire = catalog.get(response.questionnaire.as_deref())?;
            (questionnaire, response.answers(questionnaire)?)
        }
    };
    Ok(evaluate(questionnaire, &answers))
}

/// The two kinds of input `assess` reads.
enum Input {
    Document(AnswersDocument),
    Fhir(Response),
}

/// Parses an answers document or a `QuestionnaireResponse`. A response is
/// told by its `resourceType`, looked for only once the input failed as an
/// answers document, so that documents are read at full speed.
fn parse(input: &[u8]) -> Result<Input, Error> {
    match parse_document(input) {
        Ok(document) => Ok(Input::Document(document)),
        Err(error) => {
            let bytes = input.strip_prefix(BOM).unwrap_or(input);
            match fhir::resource_type(bytes) {
                Some(_) => Response::parse(bytes).map(Input::Fhir),
                None => Err(error),
            }
        }
    }
}

/// What a document that is not JSON looks like, when it looks like one of
/// the other inputs `assess` reads: JSON Lines (a whole JSON object on its
/// first line, and more lines after) or a CSV table (a first line of
/// names between commas).
fn other_format(input: &[u8]) -> Option<&'static str> {
    if is_utf16(input) {
        return None;
    }
    let text = std::str::from_utf8(input.strip_prefix(BOM).unwrap_or(input)).ok()?;
    let text = text.trim_start();
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.trim_end();
    let json_lines = first.starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(first).is_ok()
        && rest.trim_start().starts_with('{');
    if json_lines {
        return Some(" (it looks like JSON Lines, one document per line: read it with `assess --jsonl`)");
    }
    let csv = !first.starts_with(['{', '[', '"']) && first.contains(',');
    csv.then_some(" (it looks like a CSV table: read it with `assess --csv`)")
}

/// Parses an answers document, with clear errors for the inputs JSON
/// parsers describe badly: UTF-16, bytes that are not UTF-8, and empty
/// input.
fn parse_document(input: &[u8]) -> Result<AnswersDocument, Error> {
    if is_utf16(input) {
        return Err(utf16(SAVE_JSON_AS_UTF8));
    }
    if let Err(error) = std::str::from_utf8(input) {
        let at = error.valid_up_to();
        let before = &input[..at];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |newline| newline + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at - line_start + 1;
        let message = format!("not UTF-8 text: invalid byte 0x{:02X} at column {column}", input[at]);
        return Err(Error::new(ErrorKind::Syntax, message).with_line(line));
    }
    let bytes = input.strip_prefix(BOM).unwrap_or(input);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::new(ErrorKind::Syntax, "the input is empty: expected an answers document"));
    }
    AnswersDocument::parse(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_told_by_its_byte_order_mark_or_its_nuls() {
        let text = "record_id,age\r\np1,42\r\n";
        let little: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let big: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for utf16 in [
            [&b"\xFF\xFE"[..], &little].concat(),
            [&b"\xFE\xFF"[..], &big].concat(),
            little.clone(),
            big.clone(),
            // The first line, cut short where a buffer may end.
            little[..5].to_vec(),
            big[..5].to_vec(),
        ] {
            assert!(is_utf16(&utf16), "{utf16:?}");
        }
        for not in [
            text.as_bytes(),
            b"\xEF\xBB\xBFrecord_id,age\n",
            b"",
            b"\xFF",
            &little[..3],
            b"a\0\nb\0c\0",
            &[0; 64],
            b"{\"age\": \"a\0b\0\"}",
        ] {
            assert!(!is_utf16(not), "{not:?}");
        }
    }
}
