//! The FHIR R4 elements selfcheck writes and reads, as plain serde types.
//!
//! Only the elements the export and the import use are here, so the types
//! stay small enough to review against the R4 specification line by line
//! (`docs/fhir.md` says why no FHIR crate is used). Field order follows the
//! specification's, and empty elements are left out, as FHIR JSON requires.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// Extensions defined by HL7 (FHIR core and the SDC guide) that the export
/// uses.
pub mod extension {
    pub const ITEM_CONTROL: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl";
    pub const ITEM_CONTROL_SYSTEM: &str = "http://hl7.org/fhir/questionnaire-item-control";
    pub const MIN_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/minValue";
    pub const MAX_VALUE: &str = "http://hl7.org/fhir/StructureDefinition/maxValue";
    pub const UNIT: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
    pub const ITEM_WEIGHT: &str = "http://hl7.org/fhir/StructureDefinition/itemWeight";
    pub const ENABLE_WHEN_EXPRESSION: &str =
        "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression";
}

/// A `Questionnaire` resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Questionnaire {
    pub resource_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    pub url: String,
    pub version: String,
    pub name: String,
    pub title: String,
    pub status: &'static str,
    pub subject_type: Vec<&'static str>,
    pub description: String,
    pub purpose: String,
    pub item: Vec<Item>,
}

/// `Questionnaire.item`: a group, a display text or a question.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    pub link_id: String,
    pub text: String,
    #[serde(rename = "type")]
    pub kind: ItemType,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enable_when: Vec<EnableWhen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_behavior: Option<EnableBehavior>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub answer_option: Vec<AnswerOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<Item>,
}

impl Item {
    /// An item of `kind` with nothing but its id and text.
    pub fn new(link_id: impl Into<String>, text: impl Into<String>, kind: ItemType) -> Item {
        Item {
            extension: Vec::new(),
            link_id: link_id.into(),
            text: text.into(),
            kind,
            enable_when: Vec::new(),
            enable_behavior: None,
            required: None,
            answer_option: Vec::new(),
            item: Vec::new(),
        }
    }
}

/// The R4 item types the export uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    Group,
    Display,
    Choice,
    Integer,
    Decimal,
}

/// `Questionnaire.item.enableWhen`: one comparison with an earlier item's
/// answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnableWhen {
    pub question: String,
    pub operator: Operator,
    #[serde(flatten)]
    pub answer: EnableWhenAnswer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Operator {
    #[serde(rename = "exists")]
    Exists,
    #[serde(rename = "=")]
    Equal,
    #[serde(rename = ">")]
    Greater,
    #[serde(rename = "<")]
    Less,
    #[serde(rename = ">=")]
    GreaterOrEqual,
    #[serde(rename = "<=")]
    LessOrEqual,
}

/// `enableWhen.answer[x]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum EnableWhenAnswer {
    #[serde(rename = "answerBoolean")]
    Boolean(bool),
    #[serde(rename = "answerInteger")]
    Integer(i64),
    #[serde(rename = "answerDecimal")]
    Decimal(f64),
    #[serde(rename = "answerCoding")]
    Coding(Coding),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EnableBehavior {
    All,
    Any,
}

/// `Questionnaire.item.answerOption`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerOption {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    pub value_coding: Coding,
}

/// A `Coding`; every part is optional in FHIR.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Coding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// An extension with its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extension {
    pub url: String,
    #[serde(flatten)]
    pub value: ExtensionValue,
}

/// `Extension.value[x]`, for the types the export uses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ExtensionValue {
    #[serde(rename = "valueInteger")]
    Integer(i64),
    #[serde(rename = "valueDecimal")]
    Decimal(f64),
    #[serde(rename = "valueString")]
    String(String),
    #[serde(rename = "valueCoding")]
    Coding(Coding),
    #[serde(rename = "valueCodeableConcept")]
    CodeableConcept { coding: Vec<Coding> },
    #[serde(rename = "valueExpression")]
    Expression { language: &'static str, expression: String },
}

impl Extension {
    pub fn new(url: impl Into<String>, value: ExtensionValue) -> Extension {
        Extension { url: url.into(), value }
    }

    /// The `questionnaire-itemControl` extension with an HL7 control code,
    /// such as `help` or `radio-button`.
    pub fn item_control(code: &str, display: &str) -> Extension {
        let coding = Coding {
            system: Some(extension::ITEM_CONTROL_SYSTEM.to_owned()),
            code: Some(code.to_owned()),
            display: Some(display.to_owned()),
        };
        Extension::new(extension::ITEM_CONTROL, ExtensionValue::CodeableConcept { coding: vec![coding] })
    }
}

/// A `QuestionnaireResponse` as written by selfcheck.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse {
    pub resource_type: &'static str,
    pub questionnaire: String,
    pub status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ResponseItem>,
}

/// `QuestionnaireResponse.item`, written and read.
///
/// On reading, the elements selfcheck has no use for (`id`, `definition`,
/// `extension`, ...) are kept in `other` rather than refused: FHIR tools add
/// them freely. A `modifierExtension`, which may change the meaning of an
/// answer, and a name FHIR R4 does not define are refused by the import.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseItem {
    pub link_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// `None` when the element is left out, which is how FHIR JSON says
    /// "no answer": it allows no empty array, so an `"answer": []` is kept
    /// as one, for the import to refuse. (A `null` is refused as before,
    /// not read as `None`.)
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    pub answer: Option<Vec<ResponseAnswer>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ResponseItem>,
    #[serde(flatten, skip_serializing)]
    pub other: BTreeMap<String, Json>,
}

/// An element that is there, as `Some` of its value: with `default`, an
/// element left out is `None`, and a `null` is refused as the value's type
/// refuses it.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// `QuestionnaireResponse.item.answer`: one `value[x]`, and possibly items
/// nested under the answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_coding: Option<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_integer: Option<Json>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_decimal: Option<Json>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ResponseItem>,
    #[serde(flatten, skip_serializing)]
    pub other: BTreeMap<String, Json>,
}

/// A `QuestionnaireResponse` as read: the parts the import looks at.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseIn {
    pub resource_type: String,
    #[serde(default)]
    pub questionnaire: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub item: Vec<ResponseItem>,
    #[serde(default)]
    pub modifier_extension: Option<Json>,
    /// The other elements, checked by name: FHIR R4 defines them all.
    #[serde(flatten)]
    pub other: BTreeMap<String, Json>,
}
