//! Loading: from JSON text to a checked, ready-to-evaluate [`Questionnaire`].
//!
//! A [`Questionnaire`] can only be built from a definition that passes
//! [`validate`](crate::validate::validate), so evaluation can trust every
//! reference in it and never fails.

use std::ops::Deref;
use std::path::Path;

use crate::error::{Error, ErrorKind};
use crate::model::{Definition, Question};
use crate::validate;
pub(crate) use crate::validate::{Ask, Compiled, CompiledDomain, Piece, Template};

/// A validated questionnaire with its conditions resolved.
///
/// It dereferences to its [`Definition`], so the texts and ids of the file
/// are at hand as fields.
#[derive(Debug, Clone)]
pub struct Questionnaire {
    definition: Definition,
    pub(crate) compiled: Compiled,
}

impl Deref for Questionnaire {
    type Target = Definition;

    fn deref(&self) -> &Definition {
        &self.definition
    }
}

impl Questionnaire {
    /// The index of the question `id`, if there is one: looked up, where
    /// [`Definition::question_index`] reads every id in turn.
    pub fn question_index(&self, id: &str) -> Option<usize> {
        self.compiled.index.questions.get(id)
    }

    /// The question `id`, if there is one (see [`Questionnaire::question_index`]).
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.question_index(id).map(|i| &self.definition.questions[i])
    }

    /// Checks a definition and resolves it; fails with every problem found.
    pub fn new(definition: Definition) -> Result<Questionnaire, Error> {
        match validate::compile(&definition) {
            (Some(compiled), problems) if problems.is_empty() => Ok(Questionnaire { definition, compiled }),
            (_, problems) => Err(Error::invalid_questionnaire(&definition.id, problems)),
        }
    }

    /// Parses and checks a questionnaire from JSON text. `name` (a file
    /// name or id) appears in errors.
    ///
    /// ```
    /// let text = selfcheck::shipped("low-back-glutes").expect("shipped");
    /// let questionnaire = selfcheck::Questionnaire::from_json(text, "low-back-glutes.json")?;
    /// assert_eq!(questionnaire.id, "low-back-glutes");
    /// # Ok::<(), selfcheck::Error>(())
    /// ```
    pub fn from_json(text: &str, name: &str) -> Result<Questionnaire, Error> {
        let definition = parse_definition(text).map_err(|e| e.with_file(name))?;
        Questionnaire::new(definition).map_err(|e| e.with_file(name))
    }

    /// Reads, parses and checks a questionnaire file.
    pub fn from_path(path: &Path) -> Result<Questionnaire, Error> {
        let name = path.display().to_string();
        let text = read(path)?;
        Questionnaire::from_json(&text, &name)
    }

    /// The file as written.
    pub fn definition(&self) -> &Definition {
        &self.definition
    }

    /// Indices of the red-flag questions, in the order they are asked.
    pub fn red_flags(&self) -> &[usize] {
        &self.compiled.red_flags
    }
}

/// Parses a definition without checking it, keeping the line, column and
/// JSON path of the first error.
pub fn parse_definition(text: &str) -> Result<Definition, Error> {
    crate::json::parse(text.as_bytes(), "a questionnaire")
}

/// Reads a UTF-8 questionnaire file of at most
/// [`MAX_QUESTIONNAIRE_BYTES`](crate::limits::MAX_QUESTIONNAIRE_BYTES),
/// naming it in any error.
pub fn read(path: &Path) -> Result<String, Error> {
    let name = path.display().to_string();
    let bytes = std::fs::File::open(path)
        .map_err(|e| Error::new(ErrorKind::Io, format!("cannot read: {e}")))
        .and_then(|file| {
            crate::limits::read(file, crate::limits::MAX_QUESTIONNAIRE_BYTES, "the questionnaire", "")
        })
        .map_err(|e| e.with_file(&name))?;
    String::from_utf8(bytes)
        .map_err(|e| crate::json::not_utf8(e.as_bytes(), e.utf8_error().valid_up_to()).with_file(&name))
}
