//! Finding questionnaires: by shipped id or by path, once per run.

use std::path::{Path, MAIN_SEPARATOR};
use std::sync::OnceLock;

use selfcheck::questionnaire::parse_definition;
use selfcheck::shipped::SHIPPED;
use selfcheck::suggest::did_you_mean;
use selfcheck::{Error, ErrorKind, Questionnaire};

use super::{output, Failure};

/// Whether a questionnaire argument names a file rather than a shipped id:
/// it ends in `.json` or has a path separator.
fn is_path(argument: &str) -> bool {
    argument.ends_with(".json") || argument.contains('/') || argument.contains(MAIN_SEPARATOR)
}

/// Loads the questionnaire an `ID|PATH` argument names.
pub fn load(argument: &str) -> Result<Questionnaire, Failure> {
    if is_path(argument) {
        return Ok(Questionnaire::from_path(Path::new(argument))?);
    }
    match SHIPPED.iter().position(|(id, _)| *id == argument) {
        Some(index) => load_shipped(index).map_err(|e| Failure::Internal(e.to_string())),
        None => Err(unknown(argument).into()),
    }
}

fn load_shipped(index: usize) -> Result<Questionnaire, Error> {
    let (id, text) = SHIPPED[index];
    Questionnaire::from_json(text, id)
}

/// The error for an id no shipped questionnaire has.
fn unknown(id: &str) -> Error {
    let hint = match did_you_mean(id, SHIPPED.iter().map(|(id, _)| *id)) {
        Some(close) => format!(" (did you mean `{close}`?)"),
        None => String::new(),
    };
    Error::new(
        ErrorKind::UnknownQuestionnaire,
        format!(
            "no shipped questionnaire has the id `{id}`{hint}; `selfcheck list` shows them, \
             and a questionnaire file can be given by its path"
        ),
    )
}

/// The questionnaires of one `assess` run: the one given with
/// `--questionnaire`, or the shipped ones, each loaded at most once and
/// shared by every document (and every thread) of the run.
pub struct Catalog {
    given: Option<Questionnaire>,
    shipped: Vec<OnceLock<Result<Questionnaire, Error>>>,
}

impl Catalog {
    /// A catalog for `--questionnaire` (loaded now, so that a bad one fails
    /// before any input is read), or for the shipped questionnaires.
    pub fn new(given: Option<&str>) -> Result<Catalog, Failure> {
        let given = given.map(load).transpose()?;
        let shipped = SHIPPED.iter().map(|_| OnceLock::new()).collect();
        Ok(Catalog { given, shipped })
    }

    /// The questionnaire for a document that names `named`; with neither a
    /// name nor `--questionnaire`, the default questionnaire.
    pub fn get(&self, named: Option<&str>) -> Result<&Questionnaire, Error> {
        match (&self.given, named) {
            (Some(given), None) => Ok(given),
            (Some(given), Some(named)) if named == given.id => Ok(given),
            (Some(given), Some(named)) => Err(Error::new(
                ErrorKind::InvalidDocument,
                format!(
                    "the answers are for questionnaire `{named}`, but --questionnaire gives `{}`",
                    given.id
                ),
            )),
            (None, Some(named)) => {
                let index = SHIPPED.iter().position(|(id, _)| *id == named).ok_or_else(|| unknown(named))?;
                self.shipped[index].get_or_init(|| load_shipped(index)).as_ref().map_err(Clone::clone)
            }
            // Like `ask`, a document that names no questionnaire answers the
            // default one.
            (None, None) => self.get(Some(super::DEFAULT_QUESTIONNAIRE)),
        }
    }
}

/// `selfcheck list`: id, version and title of each shipped questionnaire,
/// in aligned columns.
pub fn list() -> Result<(), Failure> {
    let mut rows = Vec::with_capacity(SHIPPED.len());
    for (id, text) in SHIPPED {
        let definition =
            parse_definition(text).map_err(|e| Failure::Internal(e.with_file(*id).to_string()))?;
        rows.push((definition.id, definition.version, definition.title));
    }
    let id_width = rows.iter().map(|(id, _, _)| id.chars().count()).max().unwrap_or(0);
    let version_width = rows.iter().map(|(_, version, _)| version.chars().count()).max().unwrap_or(0);
    let mut out = String::new();
    for (id, version, title) in rows {
        out.push_str(&format!("{id:id_width$}  {version:version_width$}  {title}\n"));
    }
    output::stdout(out.as_bytes())
}
