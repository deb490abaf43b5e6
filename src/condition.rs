//! The condition language: a JSON expression tree, not a string to parse.
//!
//! Conditions appear in `ask_if`, triage rules, domain classifications,
//! selection rules and plan limits. In the file they name questions,
//! options, domains and bands by id ([`Condition`]); loading resolves every
//! name once into indices ([`Expr`]), so evaluation never looks up a string
//! and a dangling reference is caught before any answer is seen.
//!
//! An unanswered question (or one whose `ask_if` is false) satisfies no
//! comparison: `{"is": ["q", "yes"]}` is false, so `{"not": {"is": ["q",
//! "improving"]}}` is true. Rules are written so that a missing answer errs
//! on the cautious side.

use crate::error::Problem;
use crate::index::Index;
pub use crate::model::Condition;
use crate::model::{Definition, Kind, Level, Scoring, Value};
use crate::suggest::{hint, list};

mod check;

pub use check::{Check, Checks, SLOTS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Gte,
    Gt,
    Lte,
    Lt,
}

impl Cmp {
    pub(crate) fn test(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Gte => left >= right,
            Cmp::Gt => left > right,
            Cmp::Lte => left <= right,
            Cmp::Lt => left < right,
        }
    }
}

/// A resolved condition: every id replaced by an index.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    All(Vec<Expr>),
    Any(Vec<Expr>),
    Not(Box<Expr>),
    AtLeast(usize, Vec<Expr>),
    Exactly(usize, Vec<Expr>),
    /// The answer to question `question` is one of `options` (indices into
    /// the question's options).
    OptionIn {
        question: usize,
        options: Vec<u16>,
    },
    Compare {
        question: usize,
        cmp: Cmp,
        value: f64,
    },
    Answered(usize),
    Score {
        domain: usize,
        cmp: Cmp,
        value: f64,
    },
    BandIn {
        domain: usize,
        bands: Vec<usize>,
    },
    LevelAtLeast(Level),
    LevelBelow(Level),
    LevelBeforeAtLeast(Level),
    LevelBeforeBelow(Level),
    /// One of these red flags (question indices) or triage rules (rule
    /// indices) raised the level.
    Fired {
        red_flags: Vec<usize>,
        rules: Vec<usize>,
    },
}

/// What a condition is evaluated against.
pub struct Facts<'a> {
    /// The answers in force, by question index (`None`: unanswered or not
    /// asked).
    pub answers: &'a [Option<Value>],
    pub scores: &'a [Option<f64>],
    pub bands: &'a [Option<usize>],
    pub level: Level,
    /// The level raised by the questions before the one whose `ask_if` is
    /// read (only `ask_if` may look at it).
    pub level_before: Level,
    /// Per question: whether its red-flag answer raised the level; per
    /// triage rule: whether it fired. Empty before triage (only rules
    /// after triage may look at them).
    pub fired_red_flags: &'a [bool],
    pub fired_rules: &'a [bool],
}

impl<'a> Facts<'a> {
    /// The facts an `ask_if` reads: the answers settled so far and the
    /// level raised before its question; nothing else is known yet.
    pub fn on_answers(answers: &'a [Option<Value>], level_before: Level) -> Facts<'a> {
        Facts {
            answers,
            scores: &[],
            bands: &[],
            level: Level::SelfCare,
            level_before,
            fired_red_flags: &[],
            fired_rules: &[],
        }
    }
}

impl Expr {
    /// Whether the condition holds, the tree walked as written: the plain
    /// reading, which [`Check`] gives faster.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        match self {
            Expr::All(parts) => parts.iter().all(|p| p.test(facts)),
            Expr::Any(parts) => parts.iter().any(|p| p.test(facts)),
            Expr::Not(inner) => !inner.test(facts),
            Expr::AtLeast(n, parts) => {
                let mut count = 0;
                for part in parts {
                    if part.test(facts) {
                        count += 1;
                        if count >= *n {
                            return true;
                        }
                    }
                }
                *n == 0
            }
            Expr::Exactly(n, parts) => parts.iter().filter(|p| p.test(facts)).count() == *n,
            leaf => leaf.test(facts),
        }
    }

    /// [`Expr::holds`], with a leaf tested in place: most parts of a
    /// condition are leaves, and a call of `holds` for each costs more than
    /// the test itself (conditions are a good part of an evaluation).
    #[inline(always)]
    fn test(&self, facts: &Facts<'_>) -> bool {
        match self {
            Expr::All(_) | Expr::Any(_) | Expr::Not(_) | Expr::AtLeast(..) | Expr::Exactly(..) => {
                self.holds(facts)
            }
            Expr::OptionIn { question, options } => match facts.answers[*question] {
                Some(Value::Option(chosen)) => options.contains(&chosen),
                _ => false,
            },
            Expr::Compare { question, cmp, value } => match facts.answers[*question] {
                Some(answer) => answer.as_f64().is_some_and(|a| cmp.test(a, *value)),
                None => false,
            },
            Expr::Answered(question) => facts.answers[*question].is_some(),
            Expr::Score { domain, cmp, value } => {
                facts.scores[*domain].is_some_and(|score| cmp.test(score, *value))
            }
            Expr::BandIn { domain, bands } => facts.bands[*domain].is_some_and(|band| bands.contains(&band)),
            Expr::LevelAtLeast(level) => facts.level >= *level,
            Expr::LevelBelow(level) => facts.level < *level,
            Expr::LevelBeforeAtLeast(level) => facts.level_before >= *level,
            Expr::LevelBeforeBelow(level) => facts.level_before < *level,
            Expr::Fired { red_flags, rules } => {
                red_flags.iter().any(|&q| facts.fired_red_flags.get(q).copied().unwrap_or(false))
                    || rules.iter().any(|&r| facts.fired_rules.get(r).copied().unwrap_or(false))
            }
        }
    }

    /// The questions this condition looks at, in order of mention (a
    /// question mentioned twice is there twice), for the explain trace.
    pub fn questions(&self, out: &mut Vec<usize>) {
        match self {
            Expr::All(parts) | Expr::Any(parts) | Expr::AtLeast(_, parts) | Expr::Exactly(_, parts) => {
                parts.iter().for_each(|p| p.questions(out))
            }
            Expr::Not(inner) => inner.questions(out),
            Expr::OptionIn { question, .. } | Expr::Compare { question, .. } | Expr::Answered(question) => {
                out.push(*question)
            }
            Expr::Score { .. }
            | Expr::BandIn { .. }
            | Expr::LevelAtLeast(_)
            | Expr::LevelBelow(_)
            | Expr::LevelBeforeAtLeast(_)
            | Expr::LevelBeforeBelow(_)
            | Expr::Fired { .. } => {}
        }
    }

    /// The domains this condition looks at.
    pub fn domains(&self, out: &mut Vec<usize>) {
        match self {
            Expr::All(parts) | Expr::Any(parts) | Expr::AtLeast(_, parts) | Expr::Exactly(_, parts) => {
                parts.iter().for_each(|p| p.domains(out))
            }
            Expr::Not(inner) => inner.domains(out),
            Expr::Score { domain, .. } | Expr::BandIn { domain, .. } if !out.contains(domain) => {
                out.push(*domain)
            }
            _ => {}
        }
    }

    /// Whether this condition looks at the triage level.
    pub fn reads_level(&self) -> bool {
        self.any_leaf(&|leaf| matches!(leaf, Expr::LevelAtLeast(_) | Expr::LevelBelow(_)))
    }

    /// Whether this condition looks at the level raised before its
    /// question.
    pub fn reads_level_before(&self) -> bool {
        self.any_leaf(&|leaf| matches!(leaf, Expr::LevelBeforeAtLeast(_) | Expr::LevelBeforeBelow(_)))
    }

    /// Whether any leaf of the condition is one `is_it` picks out.
    fn any_leaf(&self, is_it: &impl Fn(&Expr) -> bool) -> bool {
        match self {
            Expr::All(parts) | Expr::Any(parts) | Expr::AtLeast(_, parts) | Expr::Exactly(_, parts) => {
                parts.iter().any(|part| part.any_leaf(is_it))
            }
            Expr::Not(inner) => inner.any_leaf(is_it),
            leaf => is_it(leaf),
        }
    }
}

/// What a condition may refer to where it appears.
///
/// The limits keep data flowing one way: `ask_if` sees only earlier
/// questions, a classification only earlier domains, and only triage and
/// later rules see the level.
#[derive(Debug, Clone, Copy)]
pub struct Scope {
    /// Questions with an index below this may be referenced.
    pub questions_before: usize,
    /// Domains with an index below this may be referenced.
    pub domains_before: usize,
    /// Whether the triage level may be referenced.
    pub level: bool,
    /// Whether the level raised by the earlier questions may be referenced
    /// (in `ask_if` only).
    pub level_before: bool,
    /// Whether the rules that fired may be referenced (after triage only).
    pub fired: bool,
}

/// Resolves conditions against a definition, collecting every problem.
pub struct Resolver<'a> {
    pub def: &'a Definition,
    pub problems: &'a mut Vec<Problem>,
    /// The definition's ids, hashed.
    pub(crate) index: &'a Index,
}

impl<'a> Resolver<'a> {
    /// Resolve `condition`, found at JSON path `path`. Returns `None` when a
    /// problem was recorded.
    pub fn resolve(&mut self, condition: &Condition, path: &str, scope: Scope) -> Option<Expr> {
        match condition {
            Condition::All(parts) => self.resolve_all(parts, &format!("{path}.all"), scope).map(Expr::All),
            Condition::Any(parts) => {
                if parts.is_empty() {
                    self.problem(path, "`any` of no conditions is always false, so this can never hold");
                }
                self.resolve_all(parts, &format!("{path}.any"), scope).map(Expr::Any)
            }
            Condition::Not(inner) => {
                self.resolve(inner, &format!("{path}.not"), scope).map(|e| Expr::Not(Box::new(e)))
            }
            Condition::AtLeast(n, parts) => {
                if *n > parts.len() {
                    self.problem(
                        path,
                        format!(
                            "`at_least` asks for {n} of {} conditions, so it can never hold",
                            parts.len()
                        ),
                    );
                }
                self.resolve_all(parts, &format!("{path}.at_least[1]"), scope)
                    .map(|parts| Expr::AtLeast(*n, parts))
            }
            Condition::Exactly(n, parts) => {
                if *n > parts.len() {
                    self.problem(
                        path,
                        format!("`exactly` asks for {n} of {} conditions, so it can never hold", parts.len()),
                    );
                }
                self.resolve_all(parts, &format!("{path}.exactly[1]"), scope)
                    .map(|parts| Expr::Exactly(*n, parts))
            }
            Condition::Is(question, option) => {
                let path = format!("{path}.is");
                let (index, kind) = self.question(question, &path, scope)?;
                let option = self.option(question, index, kind, option, &path)?;
                Some(Expr::OptionIn { question: index, options: vec![option] })
            }
            Condition::OneOf(question, options) => {
                let path = format!("{path}.one_of");
                let (index, kind) = self.question(question, &path, scope)?;
                if kind.is_numeric() {
                    // Said once, not once per option.
                    self.not_a_choice(question, kind, &path);
                    return None;
                }
                if options.is_empty() {
                    self.problem(&path, "`one_of` with an empty list of options can never hold");
                }
                let mut resolved = Vec::new();
                let mut ok = true;
                for option in options {
                    match self.option(question, index, kind, option, &path) {
                        Some(o) => resolved.push(o),
                        None => ok = false,
                    }
                }
                ok.then_some(Expr::OptionIn { question: index, options: resolved })
            }
            Condition::Gte(q, v) => self.compare(q, Cmp::Gte, *v, &format!("{path}.gte"), scope),
            Condition::Gt(q, v) => self.compare(q, Cmp::Gt, *v, &format!("{path}.gt"), scope),
            Condition::Lte(q, v) => self.compare(q, Cmp::Lte, *v, &format!("{path}.lte"), scope),
            Condition::Lt(q, v) => self.compare(q, Cmp::Lt, *v, &format!("{path}.lt"), scope),
            Condition::Answered(question) => {
                let (index, _) = self.question(question, &format!("{path}.answered"), scope)?;
                Some(Expr::Answered(index))
            }
            Condition::ScoreGte(domain, value) => {
                let path = format!("{path}.score_gte");
                self.score(domain, Cmp::Gte, *value, &path, scope)
            }
            Condition::ScoreLte(domain, value) => {
                let path = format!("{path}.score_lte");
                self.score(domain, Cmp::Lte, *value, &path, scope)
            }
            Condition::BandIn(domain, bands) => {
                let path = format!("{path}.band_in");
                let index = self.domain(domain, &path, scope)?;
                let known = &self.index.bands[index];
                let mut resolved = Vec::new();
                for band in bands {
                    match known.get(band) {
                        Some(b) => resolved.push(b),
                        None => {
                            let hint = hint(known.suggest(band));
                            self.problem(&path, format!("domain `{domain}` has no band `{band}`{hint}"));
                        }
                    }
                }
                (resolved.len() == bands.len()).then_some(Expr::BandIn { domain: index, bands: resolved })
            }
            Condition::LevelAtLeast(level) | Condition::LevelBelow(level) => {
                if !scope.level {
                    self.problem(path, "the triage level is not known here: only triage rules, selection rules and plan limits may refer to it");
                    return None;
                }
                Some(match condition {
                    Condition::LevelAtLeast(_) => Expr::LevelAtLeast(*level),
                    _ => {
                        if *level == Level::SelfCare {
                            self.problem(
                                &format!("{path}.level_below"),
                                "no level is below `self_care`, so this can never hold",
                            );
                        }
                        Expr::LevelBelow(*level)
                    }
                })
            }
            Condition::LevelBeforeAtLeast(level) | Condition::LevelBeforeBelow(level) => {
                if !scope.level_before {
                    self.problem(path, "the level raised by earlier questions is known only in `ask_if`: elsewhere use `level_at_least` or `level_below`");
                    return None;
                }
                Some(match condition {
                    Condition::LevelBeforeAtLeast(_) => Expr::LevelBeforeAtLeast(*level),
                    _ => {
                        if *level == Level::SelfCare {
                            self.problem(
                                &format!("{path}.level_before_below"),
                                "no level is below `self_care`, so this can never hold",
                            );
                        }
                        Expr::LevelBeforeBelow(*level)
                    }
                })
            }
            Condition::Fired(ids) => {
                let path = format!("{path}.fired");
                if !scope.fired {
                    self.problem(&path, "which rules fired is known only after triage: only selection rules, plan limits, notes and contested entries may refer to it");
                    return None;
                }
                if ids.is_empty() {
                    self.problem(&path, "`fired` of no rules can never hold");
                }
                let def = self.def;
                let (mut red_flags, mut rules, mut ok) = (Vec::new(), Vec::new(), true);
                for id in ids {
                    let red_flag = |q: usize| def.questions[q].red_flag.is_some();
                    if let Some(r) = self.index.triage_rules.get(id) {
                        rules.push(r);
                    } else if let Some(q) = self.index.questions.get(id).filter(|q| red_flag(*q)) {
                        red_flags.push(q);
                    } else {
                        let flag = |id: &&str| self.index.questions.get(id).is_some_and(red_flag);
                        let suggestion = self
                            .index
                            .triage_rules
                            .suggest(id)
                            .or_else(|| self.index.questions.suggest(id).filter(flag));
                        let hint = hint(suggestion);
                        self.problem(&path, format!("`{id}` is neither a triage rule nor a red flag{hint}"));
                        ok = false;
                    }
                }
                ok.then_some(Expr::Fired { red_flags, rules })
            }
        }
    }

    /// [`Resolver::resolve`], laid out for evaluation.
    pub fn check(&mut self, condition: &Condition, path: &str, scope: Scope) -> Option<Check> {
        self.resolve(condition, path, scope).map(Check::new)
    }

    fn resolve_all(&mut self, parts: &[Condition], path: &str, scope: Scope) -> Option<Vec<Expr>> {
        let resolved: Vec<Option<Expr>> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| self.resolve(part, &format!("{path}[{i}]"), scope))
            .collect();
        resolved.into_iter().collect()
    }

    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn question(&mut self, id: &str, path: &str, scope: Scope) -> Option<(usize, &'a Kind)> {
        let def = self.def;
        match self.index.questions.get(id) {
            Some(index) if index < scope.questions_before => Some((index, &def.questions[index].kind)),
            Some(_) => {
                self.problem(
                    path,
                    format!("question `{id}` comes later in the file: a condition here may only look at questions asked before it"),
                );
                None
            }
            None => {
                let hint = hint(self.index.questions.suggest(id));
                self.problem(path, format!("unknown question `{id}`{hint}"));
                None
            }
        }
    }

    fn option(&mut self, question: &str, index: usize, kind: &Kind, option: &str, path: &str) -> Option<u16> {
        if kind.is_numeric() {
            self.not_a_choice(question, kind, path);
            return None;
        }
        match self.index.option(index, kind, option) {
            // A question with more options than an answer can name was
            // reported where it is defined.
            Ok(i) => u16::try_from(i).ok(),
            Err(suggestion) => {
                let hint = hint(suggestion.as_deref());
                let ids = kind.option_ids();
                self.problem(
                    path,
                    format!("question `{question}` has no option `{option}` (it has {}){hint}", list(&ids)),
                );
                None
            }
        }
    }

    fn not_a_choice(&mut self, question: &str, kind: &Kind, path: &str) {
        self.problem(
            path,
            format!(
                "question `{question}` is {} question: compare it with gte/gt/lte/lt, not with an option",
                a_kind(kind)
            ),
        );
    }

    fn compare(&mut self, question: &str, cmp: Cmp, value: f64, path: &str, scope: Scope) -> Option<Expr> {
        let (index, kind) = self.question(question, path, scope)?;
        let (min, max) = match *kind {
            Kind::Integer { min, max, .. } => (min as f64, max as f64),
            Kind::Number { min, max, .. } => (min, max),
            _ => {
                self.problem(
                    path,
                    format!("question `{question}` is {} question: compare it with `is` or `one_of`, not with a number", a_kind(kind)),
                );
                return None;
            }
        };
        let never = match cmp {
            Cmp::Gte => value > max,
            Cmp::Gt => value >= max,
            Cmp::Lte => value < min,
            Cmp::Lt => value <= min,
        };
        if never {
            self.problem(
                path,
                format!(
                    "`{question}` ranges from {min} to {max}, so this comparison with {value} can never hold"
                ),
            );
        }
        Some(Expr::Compare { question: index, cmp, value })
    }

    fn domain(&mut self, id: &str, path: &str, scope: Scope) -> Option<usize> {
        match self.index.domains.get(id) {
            Some(index) if index < scope.domains_before => Some(index),
            Some(_) => {
                self.problem(
                    path,
                    format!("domain `{id}` is not scored yet here: a classification may only look at domains listed before it"),
                );
                None
            }
            None => {
                let hint = hint(self.index.domains.suggest(id));
                self.problem(path, format!("unknown domain `{id}`{hint}"));
                None
            }
        }
    }

    fn score(&mut self, domain: &str, cmp: Cmp, value: f64, path: &str, scope: Scope) -> Option<Expr> {
        let index = self.domain(domain, path, scope)?;
        if self.def.domains[index].scoring == Scoring::Classify {
            self.problem(
                path,
                format!("domain `{domain}` is a classification and has no score; use `band_in`"),
            );
            return None;
        }
        Some(Expr::Score { domain: index, cmp, value })
    }
}

/// A kind's name with its article: "an integer", "a yes_no".
fn a_kind(kind: &Kind) -> String {
    let article = if matches!(kind, Kind::Integer { .. }) { "an" } else { "a" };
    format!("{article} {}", kind.name())
}
