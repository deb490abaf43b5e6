//! A questionnaire as a FHIR R4 `Questionnaire` resource.

use crate::model::{Kind, Question};
use crate::questionnaire::Questionnaire;

use super::condition::{self, Exported};
use super::resource::{self, extension, AnswerOption, Coding, Extension, ExtensionValue, Item, ItemType};
use super::{
    code_system, group_link_id, help_link_id, intro_link_id, questionnaire_url, APPROXIMATED_ASK_IF,
};

/// What the form is for, and what it leaves to selfcheck: the mark that
/// the triage, the scores and the plan are not exported.
const PURPOSE: &str = "The answers are meant to be assessed by selfcheck (`selfcheck assess` reads a \
    QuestionnaireResponse to this form). Its triage rules, scores and plan are not part of this \
    form, and the form alone gives no advice.";

/// The `Questionnaire` resource for `questionnaire`.
///
/// ```
/// let text = selfcheck::shipped("low-back-glutes").expect("shipped");
/// let questionnaire = selfcheck::Questionnaire::from_json(text, "low-back-glutes")?;
/// let fhir = selfcheck::fhir::questionnaire(&questionnaire);
/// assert_eq!(fhir.url, "https://selfcheck.example/fhir/Questionnaire/low-back-glutes");
/// # Ok::<(), selfcheck::Error>(())
/// ```
pub fn questionnaire(questionnaire: &Questionnaire) -> resource::Questionnaire {
    resource::Questionnaire {
        resource_type: "Questionnaire",
        language: Some(questionnaire.language.clone()),
        extension: Vec::new(),
        url: questionnaire_url(&questionnaire.id),
        version: questionnaire.version.clone(),
        name: machine_name(&questionnaire.id),
        title: questionnaire.title.clone(),
        status: "active",
        subject_type: vec!["Patient"],
        description: format!("{}\n\n{}", questionnaire.intended_purpose, questionnaire.disclaimer),
        purpose: String::from(PURPOSE),
        item: items(questionnaire),
    }
}

/// How the questions are laid out in the form: a group per run of
/// questions in one section, in file order (so that every condition still
/// looks back, never ahead), and questions without a section as they come.
/// The export and the responses selfcheck writes share it.
pub(crate) enum Block<'q> {
    Group { link_id: String, title: &'q str, intro: Option<&'q str>, questions: Vec<usize> },
    Question(usize),
}

pub(crate) fn layout(questionnaire: &Questionnaire) -> Vec<Block<'_>> {
    let mut blocks: Vec<Block> = Vec::new();
    // How many groups each section has had so far.
    let mut runs: Vec<(&str, usize)> = Vec::new();
    for (index, question) in questionnaire.questions.iter().enumerate() {
        let Some(section_id) = question.section.as_deref() else {
            blocks.push(Block::Question(index));
            continue;
        };
        if let Some(Block::Group { questions, .. }) = blocks.last_mut() {
            if questionnaire.questions[questions[0]].section.as_deref() == Some(section_id) {
                questions.push(index);
                continue;
            }
        }
        let run = match runs.iter_mut().find(|(id, _)| *id == section_id) {
            Some((_, count)) => {
                *count += 1;
                *count
            }
            None => {
                runs.push((section_id, 1));
                1
            }
        };
        let section = questionnaire.section(section_id);
        blocks.push(Block::Group {
            link_id: group_link_id(section_id, run),
            title: section.map_or(section_id, |s| s.title.as_str()),
            // The introduction opens the section's first group only.
            intro: section.and_then(|s| s.intro.as_deref()).filter(|_| run == 1),
            questions: vec![index],
        });
    }
    blocks
}

/// The top-level items, one per block of the layout.
fn items(questionnaire: &Questionnaire) -> Vec<Item> {
    let system = code_system(&questionnaire.id);
    let question = |index: usize| question_item(questionnaire, &questionnaire.questions[index], &system);
    layout(questionnaire)
        .into_iter()
        .map(|block| match block {
            Block::Question(index) => question(index),
            Block::Group { link_id, title, intro, questions } => {
                let mut group = Item::new(link_id.clone(), title, ItemType::Group);
                if let Some(intro) = intro {
                    let section = link_id.trim_start_matches("section.");
                    group.item.push(Item::new(intro_link_id(section), intro, ItemType::Display));
                }
                group.item.extend(questions.into_iter().map(question));
                group
            }
        })
        .collect()
}

fn question_item(questionnaire: &Questionnaire, question: &Question, system: &str) -> Item {
    let kind = match question.kind {
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => ItemType::Choice,
        Kind::Integer { .. } => ItemType::Integer,
        Kind::Number { .. } => ItemType::Decimal,
    };
    let mut item = Item::new(question.id.clone(), question.text.clone(), kind);
    if question.needed_for_safety() {
        item.required = Some(true);
    }
    match &question.kind {
        Kind::YesNo | Kind::YesNoNotSure | Kind::SingleChoice { .. } => {
            item.extension.push(Extension::item_control("radio-button", "Radio Button"));
            item.answer_option = answer_options(questionnaire, question, system);
        }
        Kind::Integer { min, max, unit } => {
            item.extension.push(Extension::new(extension::MIN_VALUE, ExtensionValue::Integer(*min)));
            item.extension.push(Extension::new(extension::MAX_VALUE, ExtensionValue::Integer(*max)));
            item.extension.extend(unit_extension(unit));
        }
        Kind::Number { min, max, unit } => {
            item.extension.push(Extension::new(extension::MIN_VALUE, ExtensionValue::Decimal(*min)));
            item.extension.push(Extension::new(extension::MAX_VALUE, ExtensionValue::Decimal(*max)));
            item.extension.extend(unit_extension(unit));
        }
    }
    if let Some(ask_if) = &question.ask_if {
        match condition::export(questionnaire, ask_if, system) {
            Exported::EnableWhen(list, behavior) => {
                item.enable_when = list;
                item.enable_behavior = behavior;
            }
            Exported::Expression { fhirpath, exact } => {
                let value = ExtensionValue::Expression { language: "text/fhirpath", expression: fhirpath };
                item.extension.push(Extension::new(extension::ENABLE_WHEN_EXPRESSION, value));
                if !exact {
                    let original =
                        serde_json::to_value(ask_if).map(as_written).unwrap_or_default().to_string();
                    item.extension
                        .push(Extension::new(APPROXIMATED_ASK_IF, ExtensionValue::String(original)));
                }
            }
        }
    }
    if let Some(help) = &question.help {
        let mut display = Item::new(help_link_id(&question.id), help.clone(), ItemType::Display);
        display.extension.push(Extension::item_control("help", "Help-Button"));
        item.item.push(display);
    }
    item
}

/// The options of a choice question, each with its points as `itemWeight`
/// when exactly one domain scores the question by option.
fn answer_options(questionnaire: &Questionnaire, question: &Question, system: &str) -> Vec<AnswerOption> {
    let scored: Vec<_> = questionnaire
        .domains
        .iter()
        .flat_map(|domain| &domain.items)
        .filter(|item| item.question == question.id && !item.points.is_empty())
        .collect();
    let points = match scored.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    labelled_options(&question.kind)
        .into_iter()
        .map(|(code, display)| {
            let mut option = AnswerOption {
                extension: Vec::new(),
                value_coding: Coding {
                    system: Some(system.to_owned()),
                    code: Some(code.to_owned()),
                    display: Some(display.to_owned()),
                },
            };
            if let Some(item) = points {
                let weight = item.points.iter().find(|p| p.option == code).map_or(0, |p| p.points);
                option
                    .extension
                    .push(Extension::new(extension::ITEM_WEIGHT, ExtensionValue::Decimal(f64::from(weight))));
            }
            option
        })
        .collect()
}

/// `(answer value, label)` of each option, in the answer values' order.
pub(crate) fn labelled_options(kind: &Kind) -> Vec<(&str, &str)> {
    match kind {
        Kind::YesNo => vec![("yes", "Yes"), ("no", "No")],
        Kind::YesNoNotSure => vec![("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")],
        Kind::SingleChoice { options } => options.iter().map(|o| (o.id.as_str(), o.label.as_str())).collect(),
        Kind::Integer { .. } | Kind::Number { .. } => Vec::new(),
    }
}

/// A condition's JSON with whole numbers written as the file writes them
/// (`18`, not the `18.0` of the parsed `f64`).
fn as_written(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    match value {
        Json::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9e15 => Json::from(f as i64),
            _ => Json::Number(n),
        },
        Json::Array(items) => Json::Array(items.into_iter().map(as_written).collect()),
        Json::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (k, as_written(v))).collect()),
        other => other,
    }
}

fn unit_extension(unit: &Option<String>) -> Option<Extension> {
    let unit = unit.as_ref()?;
    let coding = Coding { system: None, code: None, display: Some(unit.clone()) };
    Some(Extension::new(extension::UNIT, ExtensionValue::Coding(coding)))
}

/// `Questionnaire.name`, a name for machines (R4 que-0): the id in
/// UpperCamelCase, `low-back-glutes` → `LowBackGlutes`.
fn machine_name(id: &str) -> String {
    id.split(['-', '_'])
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}
