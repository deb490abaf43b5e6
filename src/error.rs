//! The one error type: a kind, a message and a location.
//!
//! Every failure a person can cause (a bad file, a bad answer, an unknown
//! id) is an [`Error`] that says where it happened and what was expected,
//! so that the command line can print it and JSON Lines can turn it into an
//! error record without losing anything.

use std::fmt;

/// One problem found in a questionnaire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The JSON path of the offending field, such as `questions[3].ask_if`.
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: &str, message: impl Into<String>) -> Problem {
        Problem { path: path.to_owned(), message: crate::shown::line(&message.into()) }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// What went wrong, broadly; stable names for error records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A file could not be read.
    Io,
    /// The input is not well-formed JSON (or not UTF-8, or empty).
    Syntax,
    /// Well-formed JSON of the wrong shape: a missing or unknown field, a
    /// duplicate key, a `null`.
    InvalidDocument,
    /// An answer of the wrong type, out of range or not among the options.
    InvalidAnswer,
    /// An answer to a question the questionnaire does not have.
    UnknownQuestion,
    /// No shipped questionnaire has this id.
    UnknownQuestionnaire,
    /// A questionnaire file failed validation.
    InvalidQuestionnaire,
    /// An input larger than its limit (see [`crate::limits`]), such as an
    /// answers document, a JSON Lines line or a CSV row, refused without
    /// being read whole.
    TooLarge,
}

impl ErrorKind {
    /// The snake_case name used in JSON error records.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::Syntax => "syntax",
            ErrorKind::InvalidDocument => "invalid_document",
            ErrorKind::InvalidAnswer => "invalid_answer",
            ErrorKind::UnknownQuestion => "unknown_question",
            ErrorKind::UnknownQuestionnaire => "unknown_questionnaire",
            ErrorKind::InvalidQuestionnaire => "invalid_questionnaire",
            ErrorKind::TooLarge => "too_large",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an error happened. Every part is optional because not every input
/// has a file name (stdin) or a position (a semantic error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The JSON path of the offending field, such as `questions[3].kind`.
    pub path: Option<String>,
}

/// A JSON path as serde_path_to_error gives it, fit to show: without the
/// `?` it writes for a key the parser could not read, and cut short when a
/// deeply nested input makes it long.
fn readable_path(path: &str) -> Option<String> {
    let path = path.trim_end_matches(".?").trim_end_matches('?');
    if path.is_empty() || path == "." {
        return None;
    }
    const LONGEST: usize = 60;
    let path = match path.char_indices().nth(LONGEST) {
        Some((cut, _)) => format!("{}...", &path[..cut]),
        None => path.to_owned(),
    };
    // Map keys in the path came from input.
    Some(crate::terminal::escape(&path).into_owned())
}

/// An error with a kind, a message and a location.
///
/// The parts live behind one box, so that a `Result` carrying an `Error`
/// stays small on the path where nothing goes wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Error(Box<Repr>);

#[derive(Debug, Clone, PartialEq)]
struct Repr {
    kind: ErrorKind,
    message: String,
    location: Location,
    problems: Vec<Problem>,
}

impl std::error::Error for Error {}

impl Error {
    /// An error with a message of one line, made safe to show (see
    /// [`crate::shown::line`]): a line break in it is escaped.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::lines(kind, [message.into()])
    }

    /// An error whose message has several lines (one per bad answer), each
    /// made safe to show as [`Error::new`] makes one.
    pub fn lines(kind: ErrorKind, lines: impl IntoIterator<Item = String>) -> Error {
        let lines: Vec<String> = lines.into_iter().map(|line| crate::shown::line(&line)).collect();
        Error(Box::new(Repr {
            kind,
            message: lines.join("\n"),
            location: Location::default(),
            problems: Vec::new(),
        }))
    }

    pub(crate) fn invalid_questionnaire(name: &str, problems: Vec<Problem>) -> Error {
        let count = problems.len();
        let plural = if count == 1 { "problem" } else { "problems" };
        let mut error = Error::new(
            ErrorKind::InvalidQuestionnaire,
            format!("questionnaire `{name}` has {count} {plural}"),
        );
        error.0.problems = problems;
        error
    }

    /// Converts a serde_json error, keeping its line and column.
    pub(crate) fn from_json(error: &serde_json::Error, path: Option<String>) -> Error {
        use serde_json::error::Category;
        let kind = match error.classify() {
            Category::Io => ErrorKind::Io,
            Category::Syntax | Category::Eof => ErrorKind::Syntax,
            Category::Data => ErrorKind::InvalidDocument,
        };
        // serde_json appends " at line L column C"; the location says it once.
        let text = error.to_string();
        let message = match text.rfind(" at line ") {
            Some(at) if error.line() > 0 => &text[..at],
            _ => text.as_str(),
        };
        // Some of serde's messages, in plainer words.
        let message = match message {
            "trailing characters" => "unexpected text after the end of the JSON document".to_owned(),
            "key must be a string" => "expected a key in double quotes here".to_owned(),
            "expected value" => "expected a JSON value here".to_owned(),
            "recursion limit exceeded" => {
                "nested too deeply: at most 128 levels of arrays and objects".to_owned()
            }
            other if other.starts_with("EOF while parsing") => {
                "the input ends before the JSON document is complete".to_owned()
            }
            other => match other.strip_prefix("unknown variant ") {
                Some(rest) => format!("unknown value {rest}"),
                None => other.to_owned(),
            },
        };
        let mut out = Error::new(kind, message);
        if error.line() > 0 {
            out.0.location.line = Some(error.line());
            out.0.location.column = Some(error.column());
        }
        out.0.location.path = path.as_deref().and_then(readable_path);
        out
    }

    /// Sets the line and column.
    pub(crate) fn at(mut self, line: usize, column: usize) -> Error {
        self.0.location.line = Some(line);
        self.0.location.column = Some(column);
        self
    }

    /// Names the file the error is about.
    pub fn with_file(mut self, file: impl Into<String>) -> Error {
        self.0.location.file = Some(file.into());
        self
    }

    /// Adds `note` to the end of the message, such as what the input
    /// looks like when it is not what was expected.
    pub fn with_note(mut self, note: &str) -> Error {
        self.0.message.push_str(&crate::shown::line(note));
        self
    }

    /// Sets the line (for JSON Lines records, where each line is a
    /// document of its own).
    pub fn with_line(mut self, line: usize) -> Error {
        self.0.location.line = Some(line);
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The message alone, without the location.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn location(&self) -> &Location {
        &self.0.location
    }

    /// For [`ErrorKind::InvalidQuestionnaire`]: every problem found.
    pub fn problems(&self) -> &[Problem] {
        &self.0.problems
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = &self.0.location;
        if let Some(file) = &loc.file {
            write!(f, "{file}")?;
            if let Some(line) = loc.line {
                write!(f, ":{line}")?;
                if let Some(column) = loc.column {
                    write!(f, ":{column}")?;
                }
            }
            write!(f, ": ")?;
        } else if let Some(line) = loc.line {
            write!(f, "line {line}")?;
            if let Some(column) = loc.column {
                write!(f, ", column {column}")?;
            }
            write!(f, ": ")?;
        }
        // A message of several lines (one per bad answer) repeats the file
        // on each, so that every line stands on its own.
        let mut lines = self.0.message.lines();
        write!(f, "{}", lines.next().unwrap_or_default())?;
        if let Some(path) = &loc.path {
            write!(f, " (at `{path}`)")?;
        }
        for line in lines {
            match &loc.file {
                Some(file) => write!(f, "\n{file}: {line}")?,
                None => write!(f, "\n{line}")?,
            }
        }
        for problem in &self.0.problems {
            write!(f, "\n  {problem}")?;
        }
        Ok(())
    }
}
