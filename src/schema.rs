//! JSON Schema for answers documents.
//!
//! The schema is generated from a questionnaire rather than written by hand,
//! so that it can never drift from the questions: editors and form tools get
//! the ids, answer types, ranges and options of exactly the questionnaire
//! the engine will check against.
//!
//! The schema is a little more lenient than the engine in two places that
//! JSON Schema cannot express: a duplicate key is rejected by the engine
//! only, and an integer question accepts `5.0` in the schema (draft 2020-12
//! counts it as an integer) while the engine asks for `5`.

use serde_json::{json, Map, Value as Json};

use crate::model::{Kind, Question};
use crate::questionnaire::Questionnaire;

/// The dialect every generated schema declares.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// A JSON Schema (draft 2020-12) that accepts the answers documents of
/// `questionnaire`.
///
/// ```
/// let text = selfcheck::shipped("low-back-glutes").expect("shipped");
/// let questionnaire = selfcheck::Questionnaire::from_json(text, "low-back-glutes")?;
/// let schema = selfcheck::schema::answers_schema(&questionnaire);
/// assert_eq!(schema["properties"]["questionnaire"]["const"], "low-back-glutes");
/// assert_eq!(schema["properties"]["answers"]["additionalProperties"], false);
/// # Ok::<(), selfcheck::Error>(())
/// ```
pub fn answers_schema(questionnaire: &Questionnaire) -> Json {
    let answers: Map<String, Json> =
        questionnaire.questions.iter().map(|q| (q.id.clone(), question_schema(q))).collect();
    json!({
        "$schema": DIALECT,
        "title": format!("Answers to {} {}", questionnaire.id, questionnaire.version),
        "description": format!(
            "An answers document for the questionnaire \"{}\". An omitted question is unanswered; \
             null is not allowed.",
            questionnaire.title
        ),
        "type": "object",
        "properties": {
            "questionnaire": {
                "description": "The id of the questionnaire the answers are for. It may be left out \
                                when the questionnaire is given on the command line.",
                "const": questionnaire.id,
            },
            "answers": {
                "description": "Question ids mapped to answers.",
                "type": "object",
                "properties": answers,
                "additionalProperties": false,
            },
        },
        "required": ["answers"],
        "additionalProperties": false,
    })
}

/// The schema of one answer: its allowed values and the question's text.
fn question_schema(question: &Question) -> Json {
    let mut schema = Map::new();
    let mut description = question.text.clone();
    match &question.kind {
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => {
            schema.insert("type".into(), json!("string"));
            schema.insert("enum".into(), json!(question.kind.option_ids()));
            if let Kind::SingleChoice { options } = &question.kind {
                let labels: Vec<String> =
                    options.iter().map(|o| format!("\"{}\": {}", o.id, o.label)).collect();
                description = format!("{description}\n\n{}", labels.join("\n"));
            }
        }
        Kind::Integer { min, max, unit } => {
            schema.insert("type".into(), json!("integer"));
            schema.insert("minimum".into(), json!(min));
            schema.insert("maximum".into(), json!(max));
            add_unit(&mut description, unit);
        }
        Kind::Number { min, max, unit } => {
            schema.insert("type".into(), json!("number"));
            schema.insert("minimum".into(), json!(min));
            schema.insert("maximum".into(), json!(max));
            add_unit(&mut description, unit);
        }
    }
    schema.insert("description".into(), Json::String(description));
    Json::Object(schema)
}

fn add_unit(description: &mut String, unit: &Option<String>) {
    if let Some(unit) = unit {
        description.push_str(&format!(" (in {unit})"));
    }
}
