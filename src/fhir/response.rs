//! `QuestionnaireResponse` resources: read as answers, and written from
//! them.
//!
//! Reading flattens the nested items (under groups, and under answers) by
//! `linkId`, maps `valueCoding.code`, `valueInteger` and `valueDecimal` to
//! answers, and checks each against its question exactly as an answers
//! document is checked, so that the same answers give the same report.
//! Every error names the item's `linkId` and the path of the offending
//! element in the resource, such as `item[1].item[0].answer[0].valueInteger`.

use serde_json::Value as Json;

use crate::answers::{self, Answers, Value};
use crate::error::{Error, ErrorKind};
use crate::model::Kind;
use crate::questionnaire::Questionnaire;
use crate::suggest::did_you_mean;
use crate::suggest::{hint, shown};

use super::export::{labelled_options, layout, Block};
use super::resource::{self, Coding, ResponseAnswer, ResponseIn, ResponseItem};
use super::{code_system, questionnaire_url, BASE};

/// The `resourceType` this module reads.
const RESOURCE_TYPE: &str = "QuestionnaireResponse";

/// The elements FHIR R4 defines for a `QuestionnaireResponse`, its items
/// and their answers. Any other name is a mistake, such as `answers` for
/// `answer`, and is refused: dropped, it would take its answers with it,
/// and a warning sign answered `yes` would read as not answered.
const RESOURCE_ELEMENTS: &[&str] = &[
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
    "identifier",
    "basedOn",
    "partOf",
    "questionnaire",
    "status",
    "subject",
    "encounter",
    "authored",
    "author",
    "source",
    "item",
];
const ITEM_ELEMENTS: &[&str] =
    &["id", "extension", "modifierExtension", "linkId", "definition", "text", "answer", "item"];
const ANSWER_ELEMENTS: &[&str] = &[
    "id",
    "extension",
    "modifierExtension",
    "item",
    "valueBoolean",
    "valueDecimal",
    "valueInteger",
    "valueDate",
    "valueDateTime",
    "valueTime",
    "valueString",
    "valueUri",
    "valueAttachment",
    "valueCoding",
    "valueQuantity",
    "valueReference",
];

/// The codes of `QuestionnaireResponse.status`.
const STATUSES: &[&str] = &["in-progress", "completed", "amended", "entered-in-error", "stopped"];

/// The elements among `names` (at `path`, of a `what`) that FHIR R4 does
/// not define there, as problems. A name after `_` holds a primitive
/// element's extensions, and is read as that element's.
fn unknown_elements<'a>(
    names: impl IntoIterator<Item = &'a String>,
    known: &[&str],
    path: &str,
    what: &str,
    problems: &mut Vec<(ErrorKind, String)>,
) {
    for name in names {
        let element = name.strip_prefix('_').unwrap_or(name);
        if !known.contains(&element) {
            let hint = hint(did_you_mean(name, known.iter().copied()));
            let at = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
            problems.push((
                ErrorKind::InvalidDocument,
                format!("`{at}`: a {what} has no element `{name}` in FHIR R4{hint}"),
            ));
        }
    }
}

/// A `QuestionnaireResponse`, read but not yet checked against its
/// questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    /// The questionnaire id its `questionnaire` URL names, if any.
    pub questionnaire: Option<String>,
    /// The version after the `|`, if any.
    pub version: Option<String>,
    items: Vec<ResponseItem>,
}

/// Whether JSON `input` is a FHIR resource, and of which type: its
/// `resourceType`. For telling resources from answers documents (which have
/// no such field) after a document failed to parse as one. Only the top
/// level's entries up to `resourceType` are read, so that a resource with a
/// mistake further on is still told for one, and its own error (a syntax
/// error at its line and column, say) is the one reported.
pub fn resource_type(input: &[u8]) -> Option<String> {
    use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
    use std::fmt;

    /// Reads the top level's entries until `resourceType`, which it keeps.
    struct Probe<'a>(&'a mut Option<Json>);
    impl<'de> DeserializeSeed<'de> for Probe<'_> {
        type Value = ();
        fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_map(self)
        }
    }
    impl<'de> Visitor<'de> for Probe<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "resourceType" {
                    *self.0 = Some(map.next_value()?);
                    // Found: the rest is the resource's parser's to read.
                    return Err(de::Error::custom("found"));
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(())
        }
    }

    let mut found = None;
    let _ = Probe(&mut found).deserialize(&mut serde_json::Deserializer::from_slice(input));
    match found? {
        Json::String(name) => Some(name),
        other => Some(other.to_string()),
    }
}

impl Response {
    /// Reads a `QuestionnaireResponse` from JSON bytes.
    pub fn parse(input: &[u8]) -> Result<Response, Error> {
        let resource: ResponseIn = crate::json::parse(input, "a QuestionnaireResponse")?;
        if resource.resource_type != RESOURCE_TYPE {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                format!(
                    "a FHIR `{}` resource: selfcheck reads answers documents and FHIR `{RESOURCE_TYPE}` \
                     resources",
                    resource.resource_type
                ),
            ));
        }
        if resource.modifier_extension.is_some() {
            return Err(modifier_extension("modifierExtension"));
        }
        let mut problems = Vec::new();
        unknown_elements(resource.other.keys(), RESOURCE_ELEMENTS, "", RESOURCE_TYPE, &mut problems);
        if let Some((kind, _)) = problems.first() {
            return Err(Error::lines(*kind, problems.iter().map(|(_, m)| m.clone())));
        }
        if let Some(status) = resource.status.as_deref().filter(|status| !STATUSES.contains(status)) {
            let hint = hint(did_you_mean(status, STATUSES.iter().copied()));
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                format!(
                    "the response's `status` is `{status}`: expected {}{hint}",
                    crate::suggest::list(STATUSES)
                ),
            ));
        }
        if resource.status.as_deref() == Some("entered-in-error") {
            return Err(Error::new(
                ErrorKind::InvalidDocument,
                "the response's `status` is `entered-in-error`: it was withdrawn, so it is not assessed",
            ));
        }
        let (questionnaire, version) = match &resource.questionnaire {
            Some(canonical) => {
                let (id, version) = parse_canonical(canonical)?;
                (Some(id), version)
            }
            None => (None, None),
        };
        Ok(Response { questionnaire, version, items: resource.item })
    }

    /// Checks every answer against `questionnaire` (which must be the one
    /// the response names, in the same major version); on failure the
    /// error lists every problem, one per line.
    pub fn answers(&self, questionnaire: &Questionnaire) -> Result<Answers, Error> {
        self.check_version(questionnaire)?;
        let mut answers = Answers::empty(questionnaire);
        let mut first_seen: Vec<Option<String>> = vec![None; questionnaire.questions.len()];
        let mut problems: Vec<(ErrorKind, String)> = Vec::new();
        let mut found = Vec::new();
        flatten(&self.items, "item", &mut found, &mut problems);
        for (item, path) in found {
            let id = item.link_id.as_str();
            let given = item.answer.as_deref().unwrap_or_default();
            if item.answer.as_ref().is_some_and(Vec::is_empty) {
                problems.push((
                    ErrorKind::InvalidDocument,
                    format!(
                        "item `{id}` (at `{path}.answer`): `answer` is an empty array, which FHIR does not \
                         allow; leave `answer` out when there is no answer"
                    ),
                ));
            }
            let Some(index) = questionnaire.question_index(id) else {
                if is_structure(questionnaire, id) {
                    if !given.is_empty() {
                        problems.push((
                            ErrorKind::InvalidAnswer,
                            format!("item `{id}` (at `{path}.answer`): a group or text item takes no answer"),
                        ));
                    }
                    continue;
                }
                let ids = questionnaire.questions.iter().map(|q| q.id.as_str());
                let hint = hint(did_you_mean(id, ids));
                problems.push((
                    ErrorKind::UnknownQuestion,
                    format!(
                        "item `{id}` (at `{path}.linkId`): questionnaire `{}` has no such question{hint}",
                        questionnaire.id
                    ),
                ));
                continue;
            };
            let answer = match given {
                [] => continue,
                [answer] => answer,
                [_, _, ..] => {
                    problems.push((
                        ErrorKind::InvalidAnswer,
                        format!(
                            "item `{id}` (at `{path}.answer[1]`): one answer expected, got {}",
                            given.len()
                        ),
                    ));
                    continue;
                }
            };
            if let Some(first) = &first_seen[index] {
                problems.push((
                    ErrorKind::InvalidDocument,
                    format!("item `{id}` (at `{path}`): answered twice (first at `{first}`); give each answer once"),
                ));
                continue;
            }
            first_seen[index] = Some(path.clone());
            let kind = &questionnaire.questions[index].kind;
            let system = code_system(&questionnaire.id);
            match value(kind, answer, &system, &format!("{path}.answer[0]")) {
                Ok(value) => answers.set(index, Some(value)),
                Err((at, message)) => {
                    problems.push((ErrorKind::InvalidAnswer, format!("item `{id}` (at `{at}`): {message}")))
                }
            }
        }
        match problems.first() {
            None => Ok(answers),
            Some((kind, _)) => Err(Error::lines(*kind, problems.iter().map(|(_, m)| m.clone()))),
        }
    }

    /// Refuses a response to another major version of `questionnaire`.
    fn check_version(&self, questionnaire: &Questionnaire) -> Result<(), Error> {
        let Some(version) = &self.version else { return Ok(()) };
        if major(version) == major(&questionnaire.version) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::InvalidDocument,
            format!(
                "the response answers version {version} of questionnaire `{id}`, but this is version {ours}: \
                 answers to another major version may mean something else, so they are not read \
                 (fill in the form of version {ours}: `selfcheck export --fhir {id}`)",
                id = questionnaire.id,
                ours = questionnaire.version,
            ),
        ))
    }
}

/// The major part of a semantic version (`2` of `2.0.0`).
fn major(version: &str) -> &str {
    version.split('.').next().unwrap_or(version)
}

/// The questionnaire id and version of a canonical URL written by
/// [`super::questionnaire`]: `{BASE}/Questionnaire/ID|VERSION`.
fn parse_canonical(canonical: &str) -> Result<(String, Option<String>), Error> {
    let (url, version) = match canonical.split_once('|') {
        Some((url, version)) => (url, Some(version.to_owned())),
        None => (canonical, None),
    };
    let prefix = questionnaire_url("");
    match url.strip_prefix(&prefix) {
        Some(id) if !id.is_empty() && !id.contains('/') => Ok((id.to_owned(), version)),
        _ => Err(Error::new(
            ErrorKind::InvalidDocument,
            format!(
                "the response is to questionnaire `{}`, which is not one of selfcheck's: expected \
                 `{BASE}/Questionnaire/ID` with the id of a questionnaire, as `selfcheck export --fhir` \
                 writes it (at `questionnaire`)",
                shown(&Json::String(canonical.to_owned())).trim_matches('"')
            ),
        )),
    }
}

fn modifier_extension(path: &str) -> Error {
    Error::new(
        ErrorKind::InvalidDocument,
        format!(
            "a `modifierExtension` (at `{path}`) may change what the answers mean, and selfcheck knows \
             none: the response is not read"
        ),
    )
}

/// Every item with its path, depth first, in document order: items nested
/// in items (groups) and in answers (follow-ups) alike.
fn flatten<'r>(
    items: &'r [ResponseItem],
    path: &str,
    found: &mut Vec<(&'r ResponseItem, String)>,
    problems: &mut Vec<(ErrorKind, String)>,
) {
    for (i, item) in items.iter().enumerate() {
        let here = format!("{path}[{i}]");
        if item.other.contains_key("modifierExtension") {
            let error = modifier_extension(&format!("{here}.modifierExtension"));
            problems.push((ErrorKind::InvalidDocument, error.message().to_owned()));
        }
        unknown_elements(item.other.keys(), ITEM_ELEMENTS, &here, "response item", problems);
        found.push((item, here.clone()));
        flatten(&item.item, &format!("{here}.item"), found, problems);
        for (a, answer) in item.answer.iter().flatten().enumerate() {
            let answer_path = format!("{here}.answer[{a}]");
            if answer.other.contains_key("modifierExtension") {
                problems.push((
                    ErrorKind::InvalidDocument,
                    modifier_extension(&format!("{answer_path}.modifierExtension")).message().to_owned(),
                ));
            }
            unknown_elements(answer.other.keys(), ANSWER_ELEMENTS, &answer_path, "response answer", problems);
            flatten(&answer.item, &format!("{answer_path}.item"), found, problems);
        }
    }
}

/// Whether `link_id` names an item of the export that is not a question: a
/// section's group or introduction, or a question's help text.
fn is_structure(questionnaire: &Questionnaire, link_id: &str) -> bool {
    if let Some(rest) = link_id.strip_prefix("section.") {
        let section = rest.split('.').next().unwrap_or(rest);
        return questionnaire.section(section).is_some();
    }
    link_id.strip_suffix(".help").is_some_and(|question| questionnaire.question(question).is_some())
}

/// The answer in `answer` (at `path`) to a question of `kind`; on failure,
/// the path of the offending element and what was wrong.
fn value(kind: &Kind, answer: &ResponseAnswer, system: &str, path: &str) -> Result<Value, (String, String)> {
    let expected = match kind {
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => "valueCoding",
        Kind::Integer { .. } => "valueInteger",
        Kind::Number { .. } => "valueDecimal",
    };
    let mut given: Vec<&str> = Vec::new();
    if answer.value_coding.is_some() {
        given.push("valueCoding");
    }
    if answer.value_integer.is_some() {
        given.push("valueInteger");
    }
    if answer.value_decimal.is_some() {
        given.push("valueDecimal");
    }
    given.extend(answer.other.keys().map(String::as_str).filter(|key| key.starts_with("value")));
    if given != [expected] {
        let what = match given.as_slice() {
            [] => "no value".to_owned(),
            [one] => format!("`{one}`"),
            many => format!("{} values", many.len()),
        };
        return Err((path.to_owned(), format!("expected `{expected}`, got {what}")));
    }
    let (at, json) = match (&answer.value_coding, &answer.value_integer, &answer.value_decimal) {
        (Some(coding), _, _) => {
            let at = format!("{path}.valueCoding");
            (format!("{at}.code"), code(coding, system, &at)?)
        }
        (_, Some(json), _) => (format!("{path}.valueInteger"), json.clone()),
        (_, _, Some(json)) => (format!("{path}.valueDecimal"), json.clone()),
        _ => return Err((path.to_owned(), format!("expected `{expected}`"))),
    };
    answers::check(kind, &json).map_err(|expected| (at, format!("expected {expected}, got {}", shown(&json))))
}

/// The code of `coding` (at `path`) as a JSON string, after checking its
/// system.
fn code(coding: &Coding, system: &str, path: &str) -> Result<Json, (String, String)> {
    if let Some(given) = coding.system.as_deref().filter(|given| *given != system) {
        return Err((
            format!("{path}.system"),
            format!("expected the code system `{system}`, got `{given}`"),
        ));
    }
    match &coding.code {
        Some(code) => Ok(Json::String(code.clone())),
        None => Err((format!("{path}.code"), String::from("the coding has no `code`"))),
    }
}

/// The answers as a `QuestionnaireResponse` to `questionnaire`, with its
/// items grouped as in the exported `Questionnaire`. Answers to questions
/// that do not apply are kept: `assess` lists them as ignored, as it does
/// for an answers document.
pub fn response(questionnaire: &Questionnaire, answers: &Answers) -> resource::QuestionnaireResponse {
    let system = code_system(&questionnaire.id);
    let question = |index: usize| {
        let value = answers.get(index)?;
        let q = &questionnaire.questions[index];
        Some(ResponseItem {
            link_id: q.id.clone(),
            text: Some(q.text.clone()),
            answer: Some(vec![answer(&q.kind, value, &system)]),
            item: Vec::new(),
            other: Default::default(),
        })
    };
    let item = layout(questionnaire)
        .into_iter()
        .filter_map(|block| match block {
            Block::Question(index) => question(index),
            Block::Group { link_id, title, questions, .. } => {
                let item: Vec<ResponseItem> = questions.into_iter().filter_map(question).collect();
                (!item.is_empty()).then(|| ResponseItem {
                    link_id,
                    text: Some(title.to_owned()),
                    answer: None,
                    item,
                    other: Default::default(),
                })
            }
        })
        .collect();
    resource::QuestionnaireResponse {
        resource_type: RESOURCE_TYPE,
        questionnaire: format!("{}|{}", questionnaire_url(&questionnaire.id), questionnaire.version),
        status: "completed",
        item,
    }
}

fn answer(kind: &Kind, value: Value, system: &str) -> ResponseAnswer {
    let mut answer = ResponseAnswer::default();
    match value {
        Value::Option(index) => {
            let options = labelled_options(kind);
            let (code, display) = options.get(usize::from(index)).copied().unwrap_or(("", ""));
            answer.value_coding = Some(Coding {
                system: Some(system.to_owned()),
                code: Some(code.to_owned()),
                display: Some(display.to_owned()),
            });
        }
        Value::Integer(i) => answer.value_integer = Some(Json::from(i)),
        Value::Number(n) => answer.value_decimal = Some(answers::to_json(kind, Value::Number(n))),
    }
    answer
}
