//! Every id of a questionnaire, hashed once, so that resolving a reference
//! (in the linter, or an answer key in a document) takes the same time
//! however many questions, options, domains or sources there are.

use crate::model::{Definition, Kind};
use crate::suggest::Ids;

/// The ids of a definition, by kind, each set in file order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub questions: Ids,
    /// The option ids of each single choice question; `None` for the other
    /// kinds, whose few option ids are fixed.
    pub options: Vec<Option<Ids>>,
    pub domains: Ids,
    /// The band ids of each domain.
    pub bands: Vec<Ids>,
    pub recommendations: Ids,
    pub triage_rules: Ids,
    pub sources: Ids,
    pub sections: Ids,
}

impl Index {
    pub fn new(def: &Definition) -> Index {
        Index {
            questions: Ids::new(def.questions.iter().map(|q| q.id.as_str())),
            options: def
                .questions
                .iter()
                .map(|q| match &q.kind {
                    Kind::SingleChoice { options } => Some(Ids::new(options.iter().map(|o| o.id.as_str()))),
                    _ => None,
                })
                .collect(),
            domains: Ids::new(def.domains.iter().map(|d| d.id.as_str())),
            bands: def.domains.iter().map(|d| Ids::new(d.bands.iter().map(|b| b.id.as_str()))).collect(),
            recommendations: Ids::new(def.recommendations.iter().map(|r| r.id.as_str())),
            triage_rules: Ids::new(def.triage_rules.iter().map(|r| r.id.as_str())),
            sources: Ids::new(def.sources.iter().map(|s| s.id.as_str())),
            sections: Ids::new(def.sections.iter().map(|s| s.id.as_str())),
        }
    }

    /// The position of option `id` among the options of question
    /// `question` (of any kind answered with an option), with a suggestion
    /// when there is none.
    pub fn option(&self, question: usize, kind: &Kind, id: &str) -> Result<usize, Option<String>> {
        match self.options.get(question).and_then(Option::as_ref) {
            Some(ids) => ids.get(id).ok_or_else(|| ids.suggest(id).map(str::to_owned)),
            None => {
                let ids = kind.option_ids();
                ids.iter()
                    .position(|o| *o == id)
                    .ok_or_else(|| crate::suggest::did_you_mean(id, ids.iter().copied()).map(str::to_owned))
            }
        }
    }
}
