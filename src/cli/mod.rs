//! Arguments, dispatch and exit codes.
//!
//! Every command returns `Result<(), Failure>`; [`Failure`] is the one place
//! that decides what is printed on stderr and which exit code follows, so
//! the codes of the interfaces page hold for every command alike.

mod ask;
mod assess;
mod catalog;
mod csv;
mod jsonl;
mod output;
mod prompt;
#[cfg(feature = "web")]
mod serve;
mod stream;
mod validate;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use selfcheck::limits::{self, Limits};
use selfcheck::render::Format;
use selfcheck::terminal;

use self::catalog::Catalog;

/// Success.
const EXIT_OK: u8 = 0;
/// An internal error: a bug.
pub const EXIT_INTERNAL: u8 = 1;
/// Bad input or usage.
const EXIT_INPUT: u8 = 2;
/// The person cancelled `ask` (128 + SIGINT, as shells report Ctrl-C).
const EXIT_CANCELLED: u8 = 130;

/// The questionnaire `ask` and `schema` use when none is named.
const DEFAULT_QUESTIONNAIRE: &str = "low-back-glutes";

/// Symptom self-assessment: red flags first, then an educational report.
///
/// selfcheck asks (or reads) answers to a questionnaire, screens for signs
/// that need a doctor first, and explains the rest in plain words, with
/// habits, exercises or professional care chosen by the questionnaire's
/// rules, each with its evidence label and sources. It is education, not a
/// diagnosis, and no substitute for a clinician.
#[derive(Debug, Parser)]
#[command(name = "selfcheck", version, about, long_about, propagate_version = true)]
#[command(after_help = "Exit codes: 0 success, 1 internal error, 2 bad input or usage, 130 cancelled.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Answer a questionnaire in the terminal, then read the report
    Ask(AskArgs),
    /// Turn an answers document (a file or stdin) into a report, for batch use
    Assess(AssessArgs),
    /// Check questionnaire files and print every problem found
    Validate {
        /// Questionnaire files to check [default: every shipped questionnaire]
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// List the shipped questionnaires: id, version and title
    List,
    /// Serve the questionnaires as web pages, one question to a page
    #[cfg(feature = "web")]
    Serve(serve::ServeArgs),
    /// Print the JSON Schema (draft 2020-12) of a questionnaire's answers documents
    Schema {
        /// A shipped questionnaire's id, or the path to a questionnaire file
        #[arg(value_name = "ID|PATH", default_value = DEFAULT_QUESTIONNAIRE)]
        questionnaire: String,
    },
    /// Print a questionnaire in another standard's format (FHIR R4)
    Export {
        /// As a FHIR R4 Questionnaire resource (JSON); its responses can be
        /// given to `selfcheck assess`
        #[arg(long, required = true)]
        fhir: bool,
        /// A shipped questionnaire's id, or the path to a questionnaire file
        #[arg(value_name = "ID|PATH", default_value = DEFAULT_QUESTIONNAIRE)]
        questionnaire: String,
    },
}

#[derive(Debug, Args)]
struct AskArgs {
    /// A shipped questionnaire's id, or the path to a questionnaire file
    #[arg(value_name = "ID|PATH", default_value = DEFAULT_QUESTIONNAIRE)]
    questionnaire: String,
    /// The report's format
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = format_parser())]
    format: Format,
    /// Write the report to FILE instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write the answers to FILE, as a document `selfcheck assess` reads
    #[arg(long, value_name = "FILE")]
    save_answers: Option<PathBuf>,
    /// How --save-answers writes them: an answers document, or a FHIR R4
    /// QuestionnaireResponse
    #[arg(long, value_name = "FORMAT", default_value = "document", requires = "save_answers")]
    answers_format: AnswersFormat,
}

/// The formats `ask --save-answers` writes; `assess` reads both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum AnswersFormat {
    /// An answers document
    Document,
    /// A FHIR R4 QuestionnaireResponse
    Fhir,
}

#[derive(Debug, Args)]
#[command(after_help = "With --jsonl, a bad line gives an error record on its own output line, \
                        the other lines are still assessed, and the exit code is 2. With --csv, \
                        a bad row gives an output row with its `error` cell filled, the other \
                        rows are still assessed, and the exit code is 2.")]
struct AssessArgs {
    /// The answers document; `-` or nothing reads stdin
    #[arg(value_name = "FILE|-")]
    file: Option<PathBuf>,
    /// The report's format [default: text; json with --jsonl]
    #[arg(long, value_name = "FORMAT", value_parser = format_parser())]
    format: Option<Format>,
    /// The questionnaire (id or path) for documents that do not name one,
    /// and for --csv
    #[arg(long, short, value_name = "ID|PATH")]
    questionnaire: Option<String>,
    /// Read one answers document per line and write one JSON report (or
    /// error record) per line, in order
    #[arg(long, conflicts_with = "csv")]
    jsonl: bool,
    /// Read a CSV table, one respondent per row and one question per
    /// column (plus `record_id`), and write one scored CSV row per
    /// respondent, in order
    #[arg(long, conflicts_with = "format")]
    csv: bool,
    /// With --csv, write the long format: one row per respondent and item
    /// (record_id, item, value, derived)
    #[arg(long, requires = "csv", conflicts_with = "jsonl")]
    long: bool,
    /// The largest answers document (with --jsonl: the longest line; with
    /// --csv: the longest row) read, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = limits::DEFAULT_MAX_DOCUMENT_BYTES)]
    max_document_bytes: u64,
}

fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(Format::as_str)).try_map(|name| name.parse::<Format>())
}

/// Why a command did not succeed.
#[derive(Debug)]
enum Failure {
    /// Bad input or usage: the message is printed, exit 2.
    Input(String),
    /// A bug or a broken environment: the message is printed, exit 1.
    Internal(String),
    /// Bad input already reported on stdout (validation problems): exit 2
    /// without a message.
    Reported,
    /// A usage error found after parsing; clap prints it.
    Usage(clap::Error),
    /// The person cancelled `ask`: exit 130, no report.
    Cancelled,
    /// The reader of stdout went away (`selfcheck ... | head`): nothing is
    /// left to say to anyone, so stop quietly.
    Gone,
}

impl From<selfcheck::Error> for Failure {
    /// An error of several lines (one per bad answer) becomes several
    /// messages, each naming the file, so that every line on stderr stands
    /// on its own.
    fn from(error: selfcheck::Error) -> Failure {
        let location = error.location();
        if !error.message().contains('\n') || !error.problems().is_empty() || location.line.is_some() {
            return Failure::Input(error.to_string());
        }
        let prefix = location.file.as_ref().map(|file| format!("{file}: ")).unwrap_or_default();
        let lines: Vec<String> = error.message().lines().map(|line| format!("{prefix}{line}")).collect();
        Failure::Input(lines.join("\nselfcheck: "))
    }
}

impl Failure {
    /// Prints the failure on stderr and returns its exit code. Every
    /// message passes through [`terminal::escape_lines`] here, the one way
    /// to stderr: messages quote input (file names, keys, ids) and no
    /// character in it may act on the terminal.
    fn report(self) -> u8 {
        match self {
            Failure::Input(message) => {
                eprintln!("selfcheck: {}", terminal::escape_lines(&message));
                EXIT_INPUT
            }
            Failure::Internal(message) => {
                eprintln!("selfcheck: internal error: {}", terminal::escape_lines(&message));
                EXIT_INTERNAL
            }
            Failure::Reported => EXIT_INPUT,
            Failure::Usage(error) if error.use_stderr() => {
                // The arguments quoted in a usage error are input too, so it
                // is written without its colours, escaped.
                eprint!("{}", terminal::escape_lines(&error.render().to_string()));
                u8::try_from(error.exit_code()).unwrap_or(EXIT_INPUT)
            }
            Failure::Usage(help) => {
                // Help and version, on stdout; if it is gone there is no one
                // to tell.
                let _ = help.print();
                u8::try_from(help.exit_code()).unwrap_or(EXIT_OK)
            }
            Failure::Cancelled => EXIT_CANCELLED,
            Failure::Gone => EXIT_OK,
        }
    }
}

/// Parses the arguments, runs the command and returns its exit code.
pub fn run() -> ExitCode {
    let code = match Cli::try_parse().map_err(Failure::Usage).and_then(|cli| dispatch(cli.command)) {
        Ok(()) => EXIT_OK,
        Err(failure) => failure.report(),
    };
    ExitCode::from(code)
}

fn dispatch(command: Command) -> Result<(), Failure> {
    match command {
        Command::Ask(args) => run_ask(args),
        Command::Assess(args) => run_assess(args),
        Command::Validate { paths } => validate::run(&paths),
        Command::List => catalog::list(),
        #[cfg(feature = "web")]
        Command::Serve(args) => serve::run(args),
        Command::Schema { questionnaire } => {
            let questionnaire = catalog::load(&questionnaire)?;
            let schema = selfcheck::schema::answers_schema(&questionnaire);
            output::stdout(output::pretty_json(&schema)?.as_bytes())
        }
        // `--fhir` is required, so it is the format.
        Command::Export { fhir: _, questionnaire } => {
            let questionnaire = catalog::load(&questionnaire)?;
            let resource = selfcheck::fhir::questionnaire(&questionnaire);
            output::stdout(output::pretty_json(&resource)?.as_bytes())
        }
    }
}

/// `selfcheck assess`, one document or JSON Lines.
fn run_assess(args: AssessArgs) -> Result<(), Failure> {
    if args.jsonl && args.format.is_some_and(|format| format != Format::Json) {
        let message = "--jsonl writes JSON reports only: leave out --format, or give --format json";
        let mut command = AssessArgs::augment_args(clap::Command::new("assess").bin_name("selfcheck assess"));
        return Err(Failure::Usage(command.error(clap::error::ErrorKind::ArgumentConflict, message)));
    }
    let catalog = Catalog::new(args.questionnaire.as_deref())?;
    let limits = Limits { max_document_bytes: args.max_document_bytes };
    let max_record = usize::try_from(args.max_document_bytes).unwrap_or(usize::MAX);
    if args.jsonl {
        jsonl::run(args.file.as_deref(), &catalog, max_record)
    } else if args.csv {
        csv::run(args.file.as_deref(), &catalog, args.long, max_record)
    } else {
        assess::run(args.file.as_deref(), args.format.unwrap_or(Format::Text), &catalog, limits)
    }
}

/// `selfcheck ask`: the prompts live in [`ask`]; this is what happens
/// around them.
fn run_ask(args: AskArgs) -> Result<(), Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Input(String::from(
            "`ask` needs a terminal to ask its questions, and stdin is not one; for batch use, \
             give an answers document to `selfcheck assess` (see `selfcheck assess --help`)",
        )));
    }
    let questionnaire = catalog::load(&args.questionnaire)?;
    // A file that cannot be written is found now, not after the last
    // question, when the answers would be lost.
    for path in [&args.output, &args.save_answers].into_iter().flatten() {
        output::check_writable(path)?;
    }
    if args.output.is_some() && args.output == args.save_answers {
        return Err(Failure::Input(String::from(
            "--output and --save-answers name the same file; give each its own",
        )));
    }
    let answers = match ask::run(&questionnaire) {
        Ok(ask::Outcome::Finished(answers)) => answers,
        Ok(ask::Outcome::Cancelled) => return Err(Failure::Cancelled),
        // Like having no terminal at all: the session cannot go on.
        Err(error) => return Err(Failure::Input(format!("the terminal failed: {error}"))),
    };
    // The person has spent minutes answering: when one of the two outputs
    // fails, the other is still written.
    let saved = match &args.save_answers {
        Some(path) => match args.answers_format {
            AnswersFormat::Document => output::pretty_json(&answers.to_document(&questionnaire)),
            AnswersFormat::Fhir => output::pretty_json(&selfcheck::fhir::response(&questionnaire, &answers)),
        }
        .and_then(|document| output::file(path, document.as_bytes())),
        None => Ok(()),
    };
    let report = selfcheck::evaluate(&questionnaire, &answers);
    let text = output::render(&report, args.format, &questionnaire.language);
    let shown = match &args.output {
        Some(path) => output::file(path, text.as_bytes()),
        None => output::stdout(text.as_bytes()),
    };
    let written = args.output.as_deref().filter(|_| shown.is_ok());
    let kept = args.save_answers.as_deref().filter(|_| saved.is_ok());
    // The screen may be gone by now; the report itself is written.
    let _ = ask::recap(&report, written, kept);
    saved.and(shown)
}
