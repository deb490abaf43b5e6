//! HL7 FHIR R4: the questionnaire as a `Questionnaire` resource, and
//! answers to and from `QuestionnaireResponse` resources.
//!
//! FHIR tools (form renderers such as NLM LHC-Forms, FHIR servers) capture
//! the answers; selfcheck reads them and applies what FHIR cannot carry:
//! the triage rules, the scores' bands, the recommendations and the plan.
//! `docs/fhir.md` describes the mapping and what it leaves out.
//!
//! Canonical URLs live under [`BASE`]: the questionnaire `ID` is
//! `{BASE}/Questionnaire/ID` (its version in `Questionnaire.version`, and
//! after a `|` where a response names it), and the answer codes of its
//! choice questions are in the code system `{BASE}/CodeSystem/ID`, whose
//! codes are the answer values of answers documents (`yes`, `not_sure`,
//! `below_knee`).

mod condition;
mod export;
pub mod resource;
mod response;

pub use export::questionnaire;
pub use response::{resource_type, response, Response};

/// The root of every canonical URL selfcheck writes. `.example` is a
/// domain reserved for examples (RFC 2606): it is no one's, resolves
/// nowhere, and so can never be mistaken for a live FHIR server.
pub const BASE: &str = "https://selfcheck.example/fhir";

/// The extension that marks a question whose `ask_if` could not be
/// exported exactly; its `valueString` is the condition as the
/// questionnaire file writes it.
pub const APPROXIMATED_ASK_IF: &str =
    "https://selfcheck.example/fhir/StructureDefinition/approximated-ask-if";

/// The canonical URL of questionnaire `id`.
pub fn questionnaire_url(id: &str) -> String {
    format!("{BASE}/Questionnaire/{id}")
}

/// The code system of the answer values of questionnaire `id`.
pub fn code_system(id: &str) -> String {
    format!("{BASE}/CodeSystem/{id}")
}

// Link ids of the items that are not questions. Question ids have no `.`,
// so these never collide with them. (A `/` would be as safe for
// selfcheck, but form renderers build paths of link ids with it.)

fn group_link_id(section: &str, run: usize) -> String {
    match run {
        1 => format!("section.{section}"),
        n => format!("section.{section}.{n}"),
    }
}

fn intro_link_id(section: &str) -> String {
    format!("section.{section}.intro")
}

fn help_link_id(question: &str) -> String {
    format!("{question}.help")
}
