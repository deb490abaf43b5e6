//! `selfcheck assess`: one answers document in, one report out.

use std::io::{IsTerminal, Read};
use std::path::Path;

use selfcheck::fhir::{self, Response};
use selfcheck::render::Format;
use selfcheck::{evaluate, Answers, AnswersDocument, Error, ErrorKind, Report};

use super::catalog::Catalog;
use super::{output, Failure};

/// How errors name standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// The byte order mark some editors put at the start of UTF-8 files.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Assesses the document in `file` (stdin for `None` or `-`) and prints the
/// report.
pub fn run(file: Option<&Path>, format: Format, catalog: &Catalog) -> Result<(), Failure> {
    let (name, bytes) = read(file)?;
    let report = assess(&bytes, catalog).map_err(|e| e.with_file(name))?;
    output::stdout(output::render(&report, format).as_bytes())
}

/// Whether a FILE argument means standard input.
pub fn is_stdin(file: Option<&Path>) -> bool {
    match file {
        Some(path) => path == Path::new("-"),
        None => true,
    }
}

/// Reads the whole input, returning its name for errors and its bytes.
fn read(file: Option<&Path>) -> Result<(String, Vec<u8>), Failure> {
    match file {
        Some(path) if !is_stdin(file) => {
            let name = path.display().to_string();
            let bytes = std::fs::read(path)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(&name))?;
            Ok((name, bytes))
        }
        _ => {
            let mut bytes = Vec::new();
            let mut stdin = std::io::stdin().lock();
            if file.is_none() && stdin.is_terminal() {
                return Err(Failure::Input(String::from(
                    "no answers document given: name a FILE, or pipe a document into stdin \
                     (`-` reads one typed at the terminal)",
                )));
            }
            stdin
                .read_to_end(&mut bytes)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(STDIN_NAME))?;
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

/// Parses an answers document, with clear errors for the inputs JSON
/// parsers describe badly: bytes that are not UTF-8, and empty input.
fn parse_document(input: &[u8]) -> Result<AnswersDocument, Error> {
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
