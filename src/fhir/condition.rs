//! `ask_if` conditions as FHIR `enableWhen` or as FHIRPath.
//!
//! A condition becomes `enableWhen` only where the R4 rules give exactly
//! selfcheck's meaning: one comparison, or `all` / `any` of comparisons,
//! each an option (`=`), a number comparison or `answered` (`exists`).
//! R4's `!=` is not used, because it is false when the question is
//! unanswered, while selfcheck's `not is` is then true.
//!
//! Everything else becomes the SDC `enableWhenExpression` in FHIRPath. Each
//! comparison is written with `exists()`, so that it is `true` or `false`
//! and never empty, and FHIRPath's three-valued logic gives the same
//! results as selfcheck's two-valued one.
//!
//! A comparison FHIR cannot see (the level raised by the questions before
//! this one, `level_before_at_least` / `level_before_below`; the triage
//! level, a score, a band, a rule that fired) is not exported. The expression then keeps
//! the question enabled wherever selfcheck *might* ask it: such a leaf is
//! read as `true` or `false`, whichever lets the whole condition hold. A
//! form may therefore show a question that selfcheck would not ask; the
//! answer is then listed under `ignored_answers` and changes nothing. The
//! item carries [`super::APPROXIMATED_ASK_IF`] with the original condition.

use crate::condition::Condition;
use crate::model::{Definition, Kind};

use super::resource::{Coding, EnableBehavior, EnableWhen, EnableWhenAnswer, Operator};

/// How a question's `ask_if` is exported.
#[derive(Debug, Clone, PartialEq)]
pub enum Exported {
    /// As `enableWhen`, exactly.
    EnableWhen(Vec<EnableWhen>, Option<EnableBehavior>),
    /// As a FHIRPath `enableWhenExpression`; `exact` is false when a part
    /// could not be exported and the expression is the cautious widening
    /// described above.
    Expression { fhirpath: String, exact: bool },
}

/// Exports the condition `ask_if` of a question of `def`.
pub fn export(def: &Definition, ask_if: &Condition, system: &str) -> Exported {
    if let Some((enable_when, behavior)) = enable_when(def, ask_if, system) {
        return Exported::EnableWhen(enable_when, behavior);
    }
    Exported::Expression { fhirpath: FhirPath.write(ask_if, true), exact: FhirPath::exact(ask_if) }
}

/// The `enableWhen` list for a condition, when it maps exactly.
fn enable_when(
    def: &Definition,
    condition: &Condition,
    system: &str,
) -> Option<(Vec<EnableWhen>, Option<EnableBehavior>)> {
    let behavior = |list: &Vec<EnableWhen>, behavior| (list.len() > 1).then_some(behavior);
    match condition {
        Condition::All(parts) => {
            let mut list = Vec::new();
            for part in parts {
                match comparisons(def, part, system)?.as_slice() {
                    [one] => list.push(one.clone()),
                    _ => return None,
                }
            }
            // `all` of nothing holds always: no enableWhen at all.
            let b = behavior(&list, EnableBehavior::All);
            Some((list, b))
        }
        Condition::Any(parts) => {
            let mut list = Vec::new();
            for part in parts {
                list.extend(comparisons(def, part, system)?);
            }
            // `any` of nothing never holds, which enableWhen cannot say.
            if list.is_empty() {
                return None;
            }
            let b = behavior(&list, EnableBehavior::Any);
            Some((list, b))
        }
        leaf => {
            let list = comparisons(def, leaf, system)?;
            let b = behavior(&list, EnableBehavior::Any);
            Some((list, b))
        }
    }
}

/// A leaf condition as `enableWhen` entries of which any one must hold.
fn comparisons(def: &Definition, condition: &Condition, system: &str) -> Option<Vec<EnableWhen>> {
    let coding = |question: &str, option: &str| EnableWhen {
        question: question.to_owned(),
        operator: Operator::Equal,
        answer: EnableWhenAnswer::Coding(Coding {
            system: Some(system.to_owned()),
            code: Some(option.to_owned()),
            display: None,
        }),
    };
    let exists = |question: &str, exists: bool| EnableWhen {
        question: question.to_owned(),
        operator: Operator::Exists,
        answer: EnableWhenAnswer::Boolean(exists),
    };
    let compare = |question: &str, operator, value: f64| {
        let answer = match &def.question(question)?.kind {
            Kind::Integer { .. } if value.fract() == 0.0 && value.abs() < 9e15 => {
                EnableWhenAnswer::Integer(value as i64)
            }
            Kind::Number { .. } => EnableWhenAnswer::Decimal(value),
            _ => return None,
        };
        Some(vec![EnableWhen { question: question.to_owned(), operator, answer }])
    };
    match condition {
        Condition::Is(question, option) => Some(vec![coding(question, option)]),
        Condition::OneOf(question, options) if !options.is_empty() => {
            Some(options.iter().map(|option| coding(question, option)).collect())
        }
        Condition::Gte(q, v) => compare(q, Operator::GreaterOrEqual, *v),
        Condition::Gt(q, v) => compare(q, Operator::Greater, *v),
        Condition::Lte(q, v) => compare(q, Operator::LessOrEqual, *v),
        Condition::Lt(q, v) => compare(q, Operator::Less, *v),
        Condition::Answered(question) => Some(vec![exists(question, true)]),
        Condition::Not(inner) => match inner.as_ref() {
            Condition::Answered(question) => Some(vec![exists(question, false)]),
            _ => None,
        },
        _ => None,
    }
}

/// Writes conditions as FHIRPath over the `QuestionnaireResponse`
/// (`%resource`).
struct FhirPath;

impl FhirPath {
    /// The condition as FHIRPath. A part that cannot be exported becomes
    /// the literal `hopeful`; a `not` flips it, so that with `hopeful` true
    /// every such part is read the way that lets the whole condition hold.
    fn write(&self, condition: &Condition, hopeful: bool) -> String {
        let join = |parts: &[Condition], op: &str, empty: &str| {
            if parts.is_empty() {
                return empty.to_owned();
            }
            let parts: Vec<String> = parts.iter().map(|p| format!("({})", self.write(p, hopeful))).collect();
            parts.join(&format!(" {op} "))
        };
        match condition {
            Condition::All(parts) => join(parts, "and", "true"),
            Condition::Any(parts) => join(parts, "or", "false"),
            Condition::Not(inner) => format!("({}).not()", self.write(inner, !hopeful)),
            Condition::AtLeast(n, parts) => format!("({}) >= {n}", self.count(parts, hopeful)),
            Condition::Exactly(n, parts) if parts.iter().all(FhirPath::exact) => {
                format!("({}) = {n}", self.count(parts, hopeful))
            }
            // Not monotone: it may hold when the fewest parts that might
            // hold are no more than N and the most are at least N (and
            // surely holds when both are N).
            Condition::Exactly(n, parts) => format!(
                "(({}) <= {n}) and (({}) >= {n})",
                self.count(parts, !hopeful),
                self.count(parts, hopeful)
            ),
            Condition::Is(question, option) => {
                format!("{}.answer.value.where(code = {}).exists()", item(question), literal(option))
            }
            Condition::OneOf(question, options) => {
                if options.is_empty() {
                    return "false".to_owned();
                }
                let codes: Vec<String> =
                    options.iter().map(|option| format!("code = {}", literal(option))).collect();
                format!("{}.answer.value.where({}).exists()", item(question), codes.join(" or "))
            }
            Condition::Gte(q, v) => self.compare(q, ">=", *v),
            Condition::Gt(q, v) => self.compare(q, ">", *v),
            Condition::Lte(q, v) => self.compare(q, "<=", *v),
            Condition::Lt(q, v) => self.compare(q, "<", *v),
            Condition::Answered(question) => format!("{}.answer.exists()", item(question)),
            // Not visible to a form: see the module's documentation.
            Condition::ScoreGte(..)
            | Condition::ScoreLte(..)
            | Condition::BandIn(..)
            | Condition::LevelAtLeast(_)
            | Condition::LevelBelow(_)
            | Condition::LevelBeforeAtLeast(_)
            | Condition::LevelBeforeBelow(_)
            | Condition::Fired(_) => hopeful.to_string(),
        }
    }

    /// The number of `parts` that hold, as a FHIRPath integer.
    fn count(&self, parts: &[Condition], hopeful: bool) -> String {
        if parts.is_empty() {
            return "0".to_owned();
        }
        let terms: Vec<String> =
            parts.iter().map(|p| format!("iif({}, 1, 0)", self.write(p, hopeful))).collect();
        terms.join(" + ")
    }

    fn compare(&self, question: &str, op: &str, value: f64) -> String {
        format!("{}.answer.where(value {op} {}).exists()", item(question), number(value))
    }

    /// Whether every part of the condition can be exported.
    fn exact(condition: &Condition) -> bool {
        match condition {
            Condition::All(parts)
            | Condition::Any(parts)
            | Condition::AtLeast(_, parts)
            | Condition::Exactly(_, parts) => parts.iter().all(FhirPath::exact),
            Condition::Not(inner) => FhirPath::exact(inner),
            Condition::Is(..)
            | Condition::OneOf(..)
            | Condition::Gte(..)
            | Condition::Gt(..)
            | Condition::Lte(..)
            | Condition::Lt(..)
            | Condition::Answered(_) => true,
            Condition::ScoreGte(..)
            | Condition::ScoreLte(..)
            | Condition::BandIn(..)
            | Condition::LevelAtLeast(_)
            | Condition::LevelBelow(_)
            | Condition::LevelBeforeAtLeast(_)
            | Condition::LevelBeforeBelow(_)
            | Condition::Fired(_) => false,
        }
    }
}

/// The response items answering question `id`, wherever they are nested.
fn item(id: &str) -> String {
    format!("%resource.repeat(item | answer.item).where(linkId = {})", literal(id))
}

/// A FHIRPath string literal.
fn literal(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('\'', "\\'");
    format!("'{escaped}'")
}

/// A FHIRPath number literal: never in exponent notation, which FHIRPath
/// does not have (Rust's `Display` for `f64` never uses it).
fn number(value: f64) -> String {
    format!("{value}")
}
