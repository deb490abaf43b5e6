//! The linter: every problem in a questionnaire, each with its JSON path.
//!
//! Validation and compilation are one pass: resolving a reference is how a
//! dangling one is found, so there is a single place that decides what a
//! valid questionnaire is. A questionnaire is only usable when this finds
//! nothing.

use std::collections::{HashMap, HashSet};
use std::mem::take;

use crate::condition::{Check, Checks, Resolver, Scope};
pub use crate::error::Problem;
use crate::index::Index;
use crate::limits::MAX_OPTIONS;
use crate::model::{Condition, Definition, Kind, Level, RecommendationKind, Scoring};
use crate::suggest::hint;

/// Every problem in a definition; empty when it is fit to ship.
pub fn validate(definition: &Definition) -> Vec<Problem> {
    compile(definition).1
}

/// Resolves a definition, collecting every problem on the way. The compiled
/// form is only returned when every reference resolved.
pub(crate) fn compile(def: &Definition) -> (Option<Compiled>, Vec<Problem>) {
    let mut problems = Vec::new();
    let index = Index::new(def);
    let mut lint = Lint { def, index: &index, problems: &mut problems };
    lint.identity();
    lint.unique_ids();
    lint.sources();
    let compiled = lint.compiled();
    crate::strings::check(def, &mut problems);
    (compiled.map(|compiled| Compiled { index, ..compiled }), problems)
}

/// The resolved form of a definition's rules, built once at load time.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    /// `ask_if` per question.
    pub ask_if: Vec<Option<Check>>,
    /// The questions that have an `ask_if`, in order, each with how its
    /// being asked is settled (most questions have none).
    pub asks: Vec<Ask>,
    /// The same asks, settled run by run (see [`AskRun`]); `None` where
    /// they cannot be, and [`Compiled::asks`] are settled one by one.
    pub ask_runs: Option<Vec<AskRun>>,
    /// Indices of the red-flag questions, in order.
    pub red_flags: Vec<usize>,
    /// Per question whose `ask_if` reads the level raised by the questions
    /// before it: how many red flags and triage rules count toward that
    /// level (those ready by then). The level changes only where this
    /// does.
    pub level_before: Vec<Option<usize>>,
    /// Per question: whether its being asked depends on that level,
    /// directly or through earlier answers. Triage never reads such a
    /// question (the linter sees to it), so working out the level alone
    /// may skip them.
    pub level_dependent: Vec<bool>,
    /// One per triage rule, in order.
    pub triage: Vec<CompiledRule>,
    /// The triage rules' conditions, to be run together: `None` when one
    /// of them reads the level, which the rules before it raise.
    pub triage_when: Option<Checks>,
    /// Whether a triage rule reads a domain's score or band: if none
    /// does, the level before a question is worked out without scores.
    pub triage_reads_scores: bool,
    pub domains: Vec<CompiledDomain>,
    /// `(recommendation index, why)` per selection rule.
    pub selection: Vec<(usize, Template)>,
    /// The condition of each selection rule, run together.
    pub selection_when: Checks,
    /// One per plan limit.
    pub limits: Vec<CompiledLimit>,
    /// The plan limits' conditions, run together.
    pub limits_when: Checks,
    /// One condition (if any) per note.
    pub notes: Vec<Option<Check>>,
    /// One condition (if any) per contested entry.
    pub contested: Vec<Option<Check>>,
    pub cites: Cites,
    /// Every id, hashed, for answers documents.
    pub index: Index,
}

/// The sources each entry cites, by the index of the first source with
/// the id it names: a report's list of sources is worked out from these,
/// not by comparing ids on every report. An id that names no source (the
/// linter's to report) cites nothing.
#[derive(Debug, Clone)]
pub(crate) struct Cites {
    pub always: Vec<usize>,
    /// Per question: its red flag's sources.
    pub flags: Vec<Vec<usize>>,
    pub rules: Vec<Vec<usize>>,
    pub recommendations: Vec<Vec<usize>>,
    pub contested: Vec<Vec<usize>>,
    pub domains: Vec<Vec<usize>>,
    /// Per source: the first source with its id, which a citation of that
    /// id names (sources sharing an id are cited together).
    pub first: Vec<usize>,
}

/// How far outside its band's bounds a score may be and still be in it
/// (scores are sums or percentages with one decimal, so this only absorbs
/// rounding).
pub(crate) const BAND_EPSILON: f64 = 1e-9;

/// How a question with an `ask_if` is settled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ask {
    /// Asked exactly when the earlier question `same` is: its `ask_if`
    /// is the same condition, read at the same level before it, so that
    /// it holds for one exactly when it holds for the other (it reads
    /// only questions before both, which are settled by then). Many
    /// questions of one topic share a condition, tested once.
    Same { question: usize, same: usize },
    /// Asked when its own `ask_if` holds.
    Own { question: usize },
}

/// Questions with an `ask_if`, in order, settled in one run of their
/// conditions: those read at one level before them. Each condition reads
/// an answer settled earlier in the same run through the result of the
/// condition that settled it (see [`Checks::gated`]), so that clearing
/// answers between questions needs no stop.
#[derive(Debug, Clone)]
pub(crate) struct AskRun {
    /// For a run whose conditions read the level before them: its first
    /// question, and how many red flags and triage rules count toward
    /// that level (see [`Compiled::level_before`]).
    pub level_before: Option<(usize, usize)>,
    /// The asks, in order; the conditions of the `Own` ones are
    /// `when`'s, in the same order.
    pub asks: Vec<Ask>,
    pub when: Checks,
}

/// The asks, settled run by run: a run ends where the level before the
/// next question must be worked out afresh. `None` if a run would take
/// more conditions than fit, or shares a condition with a question of an
/// earlier run.
fn ask_runs(asks: &[Ask], ask_if: &[Option<Check>], level_before: &[Option<usize>]) -> Option<Vec<AskRun>> {
    let mut runs = Vec::new();
    // The run being laid out, its conditions, and each question's gate.
    let mut run: Option<AskRun> = None;
    let mut each: Vec<Check> = Vec::new();
    let mut gates: Vec<Option<u8>> = vec![None; ask_if.len()];
    for &ask in asks {
        let (Ask::Same { question, .. } | Ask::Own { question }) = ask;
        let reads = match ask {
            Ask::Own { question } => level_before[question].map(|ready| (question, ready)),
            Ask::Same { .. } => None,
        };
        let starts = match (&run, reads) {
            (None, _) => true,
            (Some(current), Some((_, ready))) => current.level_before.map(|(_, r)| r) != Some(ready),
            (Some(_), None) => false,
        };
        if starts {
            if let Some(done) = run.take() {
                runs.push(AskRun { when: Checks::gated(take(&mut each), &gates)?, ..done });
                gates.fill(None);
            }
            run = Some(AskRun { level_before: reads, asks: Vec::new(), when: Checks::new(Vec::new()) });
        }
        let current = run.as_mut()?;
        current.asks.push(ask);
        gates[question] = match ask {
            Ask::Own { question } => {
                each.push(ask_if[question].clone()?);
                Some(u8::try_from(each.len() - 1).ok()?)
            }
            Ask::Same { same, .. } => Some(gates[same]?),
        };
    }
    if let Some(done) = run {
        runs.push(AskRun { when: Checks::gated(each, &gates)?, ..done });
    }
    Some(runs)
}

/// A triage rule, resolved.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub when: Check,
    /// The condition of each of the rule's `because_cases`.
    pub cases: Vec<Check>,
    /// The index of the first question after every question the rule
    /// reads (through domains too): the rule counts toward the level
    /// raised before a question from that question on.
    pub ready: usize,
}

/// A plan limit, resolved.
#[derive(Debug, Clone)]
pub(crate) struct CompiledLimit {
    pub when: Check,
    pub withhold: Vec<RecommendationKind>,
    /// Catalogue indices never withheld by this limit.
    pub keep: Vec<usize>,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledDomain {
    Scored {
        items: Vec<ScoredItem>,
        percent: bool,
        /// The domain's `min_answered`.
        min_answered: usize,
        /// Per band: the lowest and highest score in it, each widened by
        /// [`BAND_EPSILON`] (NaN where the band has no such bound, so
        /// that no score falls in it), worked out once rather than per
        /// score.
        bounds: Vec<(f64, f64)>,
    },
    /// One condition per band, in order.
    Classify(Vec<Check>),
}

#[derive(Debug, Clone)]
pub(crate) struct ScoredItem {
    pub question: usize,
    /// Points per option index (choice questions).
    pub by_option: Vec<u32>,
    /// `(value, points)`, for numeric questions.
    pub thresholds: Vec<(f64, u32)>,
    pub max: u32,
}

/// A `why` text with its placeholders resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template(pub Vec<Piece>);

#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Text(String),
    Answer(usize),
    Score(usize),
    Band(usize),
    Level,
}

struct Lint<'a> {
    def: &'a Definition,
    /// Every id of `def`, hashed, so that the linter takes time in
    /// proportion to the size of the file.
    index: &'a Index,
    problems: &'a mut Vec<Problem>,
}

/// The most points a domain's items give together, if a score can hold
/// them exactly (in 32 bits, which a report's number holds exactly too).
fn total_points(domain: &crate::model::Domain) -> Option<u32> {
    domain.items.iter().try_fold(0u32, |total, item| total.checked_add(item.max_points()))
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

impl Lint<'_> {
    fn problem(&mut self, path: &str, message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    fn identity(&mut self) {
        let def = self.def;
        if !valid_id(&def.id) {
            self.problem(
                "id",
                format!(
                    "`{}` is not a valid id: use lowercase letters, digits, `-` and `_`, starting with a letter",
                    def.id
                ),
            );
        }
        let parts: Vec<&str> = def.version.split('.').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
            self.problem(
                "version",
                format!("`{}` is not a semantic version (MAJOR.MINOR.PATCH)", def.version),
            );
        }
        if def.questions.is_empty() {
            self.problem("questions", "a questionnaire needs at least one question");
        }
        if def.safety_net.is_empty() {
            self.problem("safety_net", "every report ends with a safety net: give at least one warning sign");
        }
    }

    fn unique_ids(&mut self) {
        let def = self.def;
        self.unique("sections", def.sections.iter().map(|s| s.id.as_str()));
        self.unique("questions", def.questions.iter().map(|q| q.id.as_str()));
        self.unique("triage_rules", def.triage_rules.iter().map(|r| r.id.as_str()));
        self.unique("domains", def.domains.iter().map(|d| d.id.as_str()));
        self.unique("recommendations", def.recommendations.iter().map(|r| r.id.as_str()));
        self.unique("selection_rules", def.selection_rules.iter().map(|r| r.id.as_str()));
        self.unique("plan_limits", def.plan_limits.iter().map(|r| r.id.as_str()));
        self.unique("notes", def.notes.iter().map(|n| n.id.as_str()));
        self.unique("contested", def.contested.iter().map(|c| c.id.as_str()));
        self.unique("sources", def.sources.iter().map(|s| s.id.as_str()));
        for (i, question) in def.questions.iter().enumerate() {
            if !valid_id(&question.id) {
                self.problem(
                    &format!("questions[{i}].id"),
                    format!(
                        "`{}` is not a valid id: use lowercase letters, digits, `-` and `_`, starting with a letter",
                        question.id
                    ),
                );
            }
            if let Kind::SingleChoice { options } = &question.kind {
                self.unique(&format!("questions[{i}].options"), options.iter().map(|o| o.id.as_str()));
            }
        }
        for (i, domain) in def.domains.iter().enumerate() {
            self.unique(&format!("domains[{i}].bands"), domain.bands.iter().map(|b| b.id.as_str()));
        }
    }

    fn unique<'s>(&mut self, path: &str, ids: impl Iterator<Item = &'s str>) {
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, id) in ids.enumerate() {
            if let Some(first) = seen.insert(id, i) {
                self.problem(
                    &format!("{path}[{i}].id"),
                    format!("duplicate id `{id}` (first used at {path}[{first}])"),
                );
            }
        }
    }

    /// Every cited source exists, and every listed source is cited.
    fn sources(&mut self) {
        let def = self.def;
        let mut cited: Vec<(String, &str)> = Vec::new();
        for (i, id) in def.cite_always.iter().enumerate() {
            cited.push((format!("cite_always[{i}]"), id));
        }
        for (i, q) in def.questions.iter().enumerate() {
            if let Some(flag) = &q.red_flag {
                for (j, id) in flag.sources.iter().enumerate() {
                    cited.push((format!("questions[{i}].red_flag.sources[{j}]"), id));
                }
            }
        }
        let groups: [(&str, Vec<&Vec<String>>); 4] = [
            ("triage_rules", def.triage_rules.iter().map(|r| &r.sources).collect()),
            ("domains", def.domains.iter().map(|d| &d.sources).collect()),
            ("recommendations", def.recommendations.iter().map(|r| &r.sources).collect()),
            ("contested", def.contested.iter().map(|c| &c.sources).collect()),
        ];
        for (name, lists) in &groups {
            for (i, ids) in lists.iter().enumerate() {
                for (j, id) in ids.iter().enumerate() {
                    cited.push((format!("{name}[{i}].sources[{j}]"), id));
                }
            }
        }
        for (path, id) in &cited {
            if self.index.sources.get(id).is_none() {
                let hint = hint(self.index.sources.suggest(id));
                self.problem(path, format!("unknown source `{id}`{hint}"));
            }
        }
        let used: HashSet<&str> = cited.iter().map(|(_, id)| *id).collect();
        for (i, source) in def.sources.iter().enumerate() {
            if !used.contains(source.id.as_str()) {
                self.problem(&format!("sources[{i}]"), format!("source `{}` is never cited", source.id));
            }
            // Reports turn the address into a link: only web addresses may
            // become one.
            if let Some(url) = source.url.as_deref().filter(|url| !crate::shown::is_web_address(url)) {
                self.problem(
                    &format!("sources[{i}].url"),
                    format!("`{url}` is not a web address: a source's url starts with https:// or http://"),
                );
            }
        }
    }

    fn compiled(&mut self) -> Option<Compiled> {
        let (resolved, all_resolved) = self.questions();
        let red_flags = self.red_flags(&resolved, all_resolved);
        let ask_if = all_resolved.then_some(resolved);
        let domains = self.domains();
        let triage = self.triage();
        let selection = self.selection();
        let limits = self.limits();
        self.plan_size();
        let notes = self.notes();
        let contested = self.contested();
        let (ask_if, domains, triage) = (ask_if?, domains?, triage?);
        let (selection, when): (Vec<_>, Vec<_>) =
            selection?.into_iter().map(|(rec, when, why)| ((rec, why), when)).unzip();
        let selection_when = Checks::new(when);
        let triage_when = (!triage.iter().any(|rule| rule.when.expr.reads_level()))
            .then(|| Checks::new(triage.iter().map(|rule| rule.when.clone()).collect()));
        let (reads_level_before, level_dependent) = self.well_founded(&ask_if, &domains, &triage);
        let level_before: Vec<Option<usize>> = reads_level_before
            .iter()
            .enumerate()
            .map(|(i, reads)| {
                let ready = || {
                    triage.iter().filter(|r| r.ready <= i).count()
                        + red_flags.iter().filter(|&&f| f < i).count()
                };
                reads.then(ready)
            })
            .collect();
        let same_ask_if = same_conditions(&ask_if, &level_before, &level_dependent);
        let limits = limits?;
        let limits_when =
            Checks::new(limits.iter().map(|limit: &CompiledLimit| limit.when.clone()).collect());
        let triage_reads_scores = triage.iter().any(|rule| {
            let mut domains = Vec::new();
            rule.when.expr.domains(&mut domains);
            !domains.is_empty()
        });
        let asks: Vec<Ask> = (0..ask_if.len())
            .filter(|&i| ask_if[i].is_some())
            .map(|question| match same_ask_if[question] {
                Some(same) => Ask::Same { question, same },
                None => Ask::Own { question },
            })
            .collect();
        Some(Compiled {
            ask_runs: ask_runs(&asks, &ask_if, &level_before),
            asks,
            ask_if,
            red_flags,
            level_before,
            level_dependent,
            triage,
            triage_when,
            triage_reads_scores,
            domains,
            selection,
            selection_when,
            limits,
            limits_when,
            notes: notes?,
            contested: contested?,
            cites: self.cites(),
            // Moved in by `compile`, which owns the index the linter borrows.
            index: Index::default(),
        })
    }

    fn cites(&self) -> Cites {
        let def = self.def;
        let sources = &self.index.sources;
        let of = |ids: &[String]| ids.iter().filter_map(|id| sources.get(id)).collect::<Vec<_>>();
        Cites {
            always: of(&def.cite_always),
            flags: def
                .questions
                .iter()
                .map(|q| q.red_flag.as_ref().map_or_else(Vec::new, |f| of(&f.sources)))
                .collect(),
            rules: def.triage_rules.iter().map(|rule| of(&rule.sources)).collect(),
            recommendations: def.recommendations.iter().map(|rec| of(&rec.sources)).collect(),
            contested: def.contested.iter().map(|c| of(&c.sources)).collect(),
            domains: def.domains.iter().map(|domain| of(&domain.sources)).collect(),
            first: def.sources.iter().enumerate().map(|(i, s)| sources.get(&s.id).unwrap_or(i)).collect(),
        }
    }

    fn resolver(&mut self) -> Resolver<'_> {
        Resolver { def: self.def, problems: self.problems, index: self.index }
    }

    /// Every question, domain and the level; `fired` only after triage.
    fn everything(&self, fired: bool) -> Scope {
        Scope {
            questions_before: self.def.questions.len(),
            domains_before: self.def.domains.len(),
            level: true,
            level_before: false,
            fired,
        }
    }

    /// Every question's `ask_if`, resolved (`None` where it failed), and
    /// whether all of them resolved.
    fn questions(&mut self) -> (Vec<Option<Check>>, bool) {
        let def = self.def;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, question) in def.questions.iter().enumerate() {
            let path = format!("questions[{i}]");
            if let Some(section) = &question.section {
                if self.index.sections.get(section).is_none() {
                    let hint = hint(self.index.sections.suggest(section));
                    self.problem(&format!("{path}.section"), format!("unknown section `{section}`{hint}"));
                }
            }
            match &question.kind {
                Kind::SingleChoice { options } if options.len() < 2 => {
                    self.problem(&format!("{path}.options"), "a single choice needs at least two options")
                }
                Kind::SingleChoice { options } if options.len() > MAX_OPTIONS => self.problem(
                    &format!("{path}.options"),
                    format!(
                        "question `{}` has {} options, more than the {MAX_OPTIONS} an answer can name",
                        question.id,
                        options.len()
                    ),
                ),
                Kind::Integer { min, max, .. } if min > max => {
                    self.problem(&path, format!("`min` {min} is above `max` {max}"))
                }
                Kind::Number { min, max, .. } if !(min.is_finite() && max.is_finite() && min <= max) => {
                    self.problem(&path, format!("`min` {min} and `max` {max} do not make a range"))
                }
                _ => {}
            }
            let scope = Scope {
                questions_before: i,
                domains_before: 0,
                level: false,
                level_before: true,
                fired: false,
            };
            let resolved = match &question.ask_if {
                Some(condition) => {
                    let expr = self.resolver().check(condition, &format!("{path}.ask_if"), scope);
                    ok &= expr.is_some();
                    expr
                }
                None => None,
            };
            out.push(resolved);
        }
        (out, ok)
    }

    /// Red flags are yes/no/not sure questions, asked first, so that no
    /// path skips them. A red flag may be hidden behind a condition on
    /// earlier answers (a follow-up, or a question for some ages only),
    /// and the questions before it may only be those: a question a red
    /// flag's `ask_if` reads (such as age), or a follow-up that reads a
    /// red flag.
    fn red_flags(&mut self, ask_if: &[Option<Check>], all_resolved: bool) -> Vec<usize> {
        let def = self.def;
        let flags: Vec<usize> =
            def.questions.iter().enumerate().filter(|(_, q)| q.red_flag.is_some()).map(|(i, _)| i).collect();
        // What the `ask_if` conditions read, when they resolved.
        let reads = |i: usize| {
            let mut out = Vec::new();
            if let Some(Some(check)) = ask_if.get(i) {
                check.expr.questions(&mut out);
            }
            out
        };
        let read_by_red_flags: HashSet<usize> = flags.iter().flat_map(|&i| reads(i)).collect();
        let last_flag = flags.last().copied();
        for (i, question) in def.questions.iter().enumerate() {
            let path = format!("questions[{i}]");
            let Some(flag) = &question.red_flag else {
                // What an `ask_if` that failed to resolve reads is unknown,
                // so the order is judged only when every one resolved.
                let before_a_flag = all_resolved && last_flag.is_some_and(|last| i < last);
                let follow_up = reads(i).iter().any(|q| def.questions[*q].red_flag.is_some());
                if before_a_flag && !follow_up && !read_by_red_flags.contains(&i) {
                    let later = flags.iter().find(|&&f| f > i).map_or("", |&f| def.questions[f].id.as_str());
                    self.problem(
                        &path,
                        format!(
                            "`{}` comes before red flag `{later}`, but it is not a red flag, not a follow-up of one, and no red flag's `ask_if` reads it: red flags are asked first",
                            question.id
                        ),
                    );
                }
                continue;
            };
            if question.kind != Kind::YesNoNotSure {
                self.problem(
                    &format!("{path}.kind"),
                    format!(
                        "red flag `{}` must be a yes_no_not_sure question, so that \"not sure\" is possible",
                        question.id
                    ),
                );
            }
            if flag.not_sure > flag.yes {
                self.problem(
                    &format!("{path}.red_flag.not_sure"),
                    format!("`not_sure` raises `{}`, more than `yes` (`{}`)", flag.not_sure, flag.yes),
                );
            }
            if flag.sign.as_deref().is_some_and(|sign| sign.trim().is_empty()) {
                self.problem(
                    &format!("{path}.red_flag.sign"),
                    "an empty `sign`: name the sign in plain words",
                );
            }
            if flag.foremost
                && [flag.yes, flag.not_sure, flag.unanswered].iter().all(|&l| l == Level::SelfCare)
            {
                self.problem(
                    &format!("{path}.red_flag.foremost"),
                    format!(
                        "red flag `{}` is `foremost` but raises nothing, so its reason is never given",
                        question.id
                    ),
                );
            }
        }
        flags
    }

    /// The level raised before a question must not depend on that
    /// question's answer, or on any answer that depends on the level: a
    /// red flag asked only at some levels, or a triage rule reading a
    /// question (or a domain scoring one) asked only at some levels, would
    /// make the level decide itself. Returns, per question, whether its
    /// `ask_if` reads the level before it, and whether its being asked
    /// depends on that level.
    fn well_founded(
        &mut self,
        ask_if: &[Option<Check>],
        domains: &[CompiledDomain],
        triage: &[CompiledRule],
    ) -> (Vec<bool>, Vec<bool>) {
        let def = self.def;
        let reads_level: Vec<bool> =
            ask_if.iter().map(|a| a.as_ref().is_some_and(|check| check.expr.reads_level_before())).collect();
        // Whether a question's being asked depends on the level, directly
        // or through the questions its `ask_if` reads (all earlier).
        let mut depends = vec![false; ask_if.len()];
        for i in 0..ask_if.len() {
            let mut read = Vec::new();
            if let Some(check) = &ask_if[i] {
                check.expr.questions(&mut read);
            }
            depends[i] = reads_level[i] || read.iter().any(|&q| depends[q]);
        }
        let mut domain_depends = vec![false; domains.len()];
        for (d, domain) in domains.iter().enumerate() {
            domain_depends[d] = match domain {
                CompiledDomain::Scored { items, .. } => items.iter().any(|item| depends[item.question]),
                CompiledDomain::Classify(bands) => bands.iter().any(|band| {
                    let (mut qs, mut ds) = (Vec::new(), Vec::new());
                    band.expr.questions(&mut qs);
                    band.expr.domains(&mut ds);
                    qs.iter().any(|&q| depends[q]) || ds.iter().any(|&e| domain_depends[e])
                }),
            };
        }
        for &i in &self.red_flag_indices() {
            if depends[i] {
                self.problem(
                    &format!("questions[{i}].ask_if"),
                    format!(
                        "red flag `{}` is asked depending on the triage level, which red flags raise: ask it whatever the level",
                        def.questions[i].id
                    ),
                );
            }
        }
        for (r, rule) in triage.iter().enumerate() {
            let (mut qs, mut ds) = (Vec::new(), Vec::new());
            for check in std::iter::once(&rule.when).chain(&rule.cases) {
                check.expr.questions(&mut qs);
                check.expr.domains(&mut ds);
            }
            let questions =
                qs.iter().filter(|&&q| depends[q]).map(|&q| format!("question `{}`", def.questions[q].id));
            let scored =
                ds.iter().filter(|&&d| domain_depends[d]).map(|&d| format!("domain `{}`", def.domains[d].id));
            for what in questions.chain(scored).collect::<Vec<_>>() {
                self.problem(
                    &format!("triage_rules[{r}].when"),
                    format!(
                        "triage rule `{}` reads {what}, which is asked depending on the triage level: the level would depend on itself",
                        def.triage_rules[r].id
                    ),
                );
            }
        }
        (reads_level, depends)
    }

    fn red_flag_indices(&self) -> Vec<usize> {
        self.def.questions.iter().enumerate().filter(|(_, q)| q.red_flag.is_some()).map(|(i, _)| i).collect()
    }

    fn triage(&mut self) -> Option<Vec<CompiledRule>> {
        let def = self.def;
        let scope = self.everything(false);
        let mut out = Vec::new();
        for (i, rule) in def.triage_rules.iter().enumerate() {
            let path = format!("triage_rules[{i}]");
            if rule.level == Level::SelfCare {
                self.problem(&format!("{path}.level"), "a rule at `self_care` can never raise the level");
            }
            if rule.action.as_deref().is_some_and(|action| action.trim().is_empty()) {
                self.problem(&format!("{path}.action"), "an empty `action`: say what to do, or leave it out");
            }
            let when = self.resolver().check(&rule.when, &format!("{path}.when"), scope);
            let cases: Vec<Option<Check>> = rule
                .because_cases
                .iter()
                .enumerate()
                .map(|(c, case)| {
                    self.resolver().check(&case.when, &format!("{path}.because_cases[{c}].when"), scope)
                })
                .collect();
            let cases: Option<Vec<Check>> = cases.into_iter().collect();
            out.push(match (when, cases) {
                (Some(when), Some(cases)) => {
                    let ready = self.ready(std::iter::once(&when).chain(&cases));
                    Some(CompiledRule { when, cases, ready })
                }
                _ => None,
            });
        }
        out.into_iter().collect()
    }

    /// One past the last question these conditions read, directly or
    /// through a domain's items (and, for a classification, its bands).
    fn ready<'e>(&self, checks: impl Iterator<Item = &'e Check>) -> usize {
        let def = self.def;
        let (mut qs, mut ds) = (Vec::new(), Vec::new());
        for check in checks {
            check.expr.questions(&mut qs);
            check.expr.domains(&mut ds);
        }
        let mut seen = HashSet::new();
        while let Some(d) = ds.pop() {
            if !seen.insert(d) {
                continue;
            }
            let domain = &def.domains[d];
            qs.extend(domain.items.iter().filter_map(|item| self.index.questions.get(&item.question)));
            for band in &domain.bands {
                if let Some(when) = &band.when {
                    collect_refs(self.index, when, &mut qs, &mut ds);
                }
            }
        }
        qs.iter().map(|q| q + 1).max().unwrap_or(0)
    }

    fn domains(&mut self) -> Option<Vec<CompiledDomain>> {
        let def = self.def;
        let mut out = Vec::new();
        for (d, domain) in def.domains.iter().enumerate() {
            let path = format!("domains[{d}]");
            if domain.bands.is_empty() {
                self.problem(&format!("{path}.bands"), "a domain needs at least one band");
            }
            let compiled = if domain.scoring == Scoring::Classify {
                if !domain.items.is_empty() {
                    self.problem(
                        &format!("{path}.items"),
                        "a classification has no items: its bands have conditions",
                    );
                }
                let scope = Scope {
                    questions_before: def.questions.len(),
                    domains_before: d,
                    level: false,
                    level_before: false,
                    fired: false,
                };
                let mut bands = Vec::new();
                for (b, band) in domain.bands.iter().enumerate() {
                    let band_path = format!("{path}.bands[{b}]");
                    if band.min.is_some() || band.max.is_some() {
                        self.problem(
                            &band_path,
                            "a classification band has a `when` condition, not `min` and `max`",
                        );
                    }
                    match &band.when {
                        Some(when) => {
                            bands.push(self.resolver().check(when, &format!("{band_path}.when"), scope))
                        }
                        None => {
                            self.problem(&band_path, "a classification band needs a `when` condition");
                            bands.push(None);
                        }
                    }
                }
                bands.into_iter().collect::<Option<Vec<_>>>().map(CompiledDomain::Classify)
            } else {
                let items = self.items(d);
                self.bands(d);
                items.map(|items| CompiledDomain::Scored {
                    items,
                    percent: domain.scoring == Scoring::Percent,
                    min_answered: domain.min_answered,
                    bounds: domain
                        .bands
                        .iter()
                        .map(|b| {
                            (
                                b.min.map_or(f64::NAN, |min| min - BAND_EPSILON),
                                b.max.map_or(f64::NAN, |max| max + BAND_EPSILON),
                            )
                        })
                        .collect(),
                })
            };
            out.push(compiled);
        }
        out.into_iter().collect()
    }

    fn items(&mut self, d: usize) -> Option<Vec<ScoredItem>> {
        let def = self.def;
        let domain = &def.domains[d];
        if domain.items.is_empty() {
            self.problem(&format!("domains[{d}].items"), "a scored domain needs at least one item");
        }
        if domain.min_answered > domain.items.len() || domain.min_answered == 0 {
            self.problem(
                &format!("domains[{d}].min_answered"),
                format!(
                    "`min_answered` is {} but the domain has {} items",
                    domain.min_answered,
                    domain.items.len()
                ),
            );
        }
        if total_points(domain).is_none() {
            let total: u64 = domain.items.iter().map(|i| u64::from(i.max_points())).sum();
            self.problem(
                &format!("domains[{d}].items"),
                format!(
                    "domain `{}`: its items give up to {total} points in all, more than a score holds exactly ({})",
                    domain.id,
                    u32::MAX
                ),
            );
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in domain.items.iter().enumerate() {
            let path = format!("domains[{d}].items[{i}]");
            if !seen.insert(item.question.as_str()) {
                self.problem(&path, format!("question `{}` is scored twice in this domain", item.question));
            }
            let Some(question) = self.index.questions.get(&item.question) else {
                let hint = hint(self.index.questions.suggest(&item.question));
                self.problem(
                    &format!("{path}.question"),
                    format!("unknown question `{}`{hint}", item.question),
                );
                ok = false;
                continue;
            };
            let kind = &def.questions[question].kind;
            if item.points.is_empty() == item.at_least.is_empty() {
                self.problem(
                    &path,
                    "give either `points` (choice questions) or `at_least` (numeric questions)",
                );
            }
            if kind.is_numeric() && !item.points.is_empty() {
                self.problem(
                    &format!("{path}.points"),
                    format!("`{}` is numeric: score it with `at_least`", item.question),
                );
            }
            if !kind.is_numeric() && !item.at_least.is_empty() {
                self.problem(
                    &format!("{path}.at_least"),
                    format!("`{}` is not numeric: score it with `points`", item.question),
                );
            }
            let mut by_option = vec![0; kind.option_ids().len()];
            // Options of a numeric question were reported just above.
            let options = if kind.is_numeric() { &[][..] } else { &item.points[..] };
            for (j, points) in options.iter().enumerate() {
                match self.index.option(question, kind, &points.option) {
                    Ok(o) => by_option[o] = points.points,
                    Err(suggestion) => {
                        let hint = hint(suggestion.as_deref());
                        self.problem(
                            &format!("{path}.points[{j}].option"),
                            format!("question `{}` has no option `{}`{hint}", item.question, points.option),
                        );
                    }
                }
            }
            let mut thresholds: Vec<(f64, u32)> = item.at_least.iter().map(|t| (t.value, t.points)).collect();
            thresholds.sort_by(|a, b| a.0.total_cmp(&b.0));
            out.push(ScoredItem { question, by_option, thresholds, max: item.max_points() });
        }
        ok.then_some(out)
    }

    /// Bands must cover every possible score exactly once. Scores move in
    /// steps (1 for sums, 0.1 for percentages), so "no gap" means the next
    /// band starts one step after the previous ends.
    fn bands(&mut self, d: usize) {
        let domain = &self.def.domains[d];
        let (low, high, step) = match domain.scoring {
            Scoring::Sum => match total_points(domain) {
                Some(total) => (0.0, f64::from(total), 1.0),
                // Said once, by the check of the items.
                None => return,
            },
            _ => (0.0, 100.0, 0.1),
        };
        let mut ranges = Vec::new();
        for (b, band) in domain.bands.iter().enumerate() {
            let path = format!("domains[{d}].bands[{b}]");
            if band.when.is_some() {
                self.problem(&format!("{path}.when"), "a scored band has `min` and `max`, not a condition");
            }
            match (band.min, band.max) {
                (Some(min), Some(max)) if min <= max => ranges.push((min, max, band.id.as_str())),
                (Some(min), Some(max)) => self.problem(&path, format!("`min` {min} is above `max` {max}")),
                _ => self.problem(&path, "a scored band needs `min` and `max`"),
            }
        }
        if ranges.is_empty() {
            return;
        }
        ranges.sort_by(|a, b| a.0.total_cmp(&b.0));
        let path = format!("domains[{d}].bands");
        let id = &domain.id;
        let eps = step / 100.0;
        for &(min, _, band) in &ranges {
            if min > high + eps {
                self.problem(
                    &path,
                    format!("domain `{id}`: band `{band}` starts at {min}, above the highest possible score {high}, so it is never reached"),
                );
            }
        }
        if ranges[0].0 > low + eps {
            self.problem(
                &path,
                format!("domain `{id}`: scores from {low} to below {} fall in no band", ranges[0].0),
            );
        }
        // The band reaching furthest so far: a band inside another must not
        // hide a gap after it, nor make one appear.
        let mut reach = ranges[0];
        for &next in &ranges[1..] {
            let ((_, covered, prev), (next_min, next_max, band)) = (reach, next);
            if next_min <= covered + eps {
                let to = covered.min(next_max);
                let scores = if to - next_min <= eps {
                    format!("the score {next_min}")
                } else {
                    format!("scores from {next_min} to {to}")
                };
                self.problem(
                    &path,
                    format!("domain `{id}`: bands `{prev}` and `{band}` overlap: both hold {scores}"),
                );
            } else if next_min > covered + step + eps {
                self.problem(
                    &path,
                    format!("domain `{id}`: scores above {covered} and below {next_min} fall in no band (between `{prev}` and `{band}`)"),
                );
            }
            if next_max > covered {
                reach = next;
            }
        }
        let last = reach.1;
        if last < high - eps {
            self.problem(&path, format!("domain `{id}`: scores above {last} up to {high} fall in no band"));
        }
    }

    fn selection(&mut self) -> Option<Vec<(usize, Check, Template)>> {
        let def = self.def;
        let scope = self.everything(true);
        let mut out = Vec::new();
        let mut chosen = HashSet::new();
        for (i, rule) in def.selection_rules.iter().enumerate() {
            let path = format!("selection_rules[{i}]");
            let index = self.index.recommendations.get(&rule.recommend);
            if index.is_none() {
                let hint = hint(self.index.recommendations.suggest(&rule.recommend));
                self.problem(
                    &format!("{path}.recommend"),
                    format!("unknown recommendation `{}`{hint}", rule.recommend),
                );
            }
            chosen.insert(rule.recommend.as_str());
            let when = self.resolver().check(&rule.when, &format!("{path}.when"), scope);
            let why = self.template(&rule.why, &format!("{path}.why"));
            out.push(match (index, when, why) {
                (Some(index), Some(when), Some(why)) => Some((index, when, why)),
                _ => None,
            });
        }
        for (i, rec) in def.recommendations.iter().enumerate() {
            if !chosen.contains(rec.id.as_str()) {
                self.problem(
                    &format!("recommendations[{i}]"),
                    format!("recommendation `{}` is never selectable: no selection rule chooses it", rec.id),
                );
            }
        }
        out.into_iter().collect()
    }

    fn limits(&mut self) -> Option<Vec<CompiledLimit>> {
        let def = self.def;
        let scope = self.everything(true);
        let mut out = Vec::new();
        for (i, limit) in def.plan_limits.iter().enumerate() {
            let path = format!("plan_limits[{i}]");
            if limit.withhold.is_empty() {
                self.problem(&format!("{path}.withhold"), "a plan limit must withhold at least one kind");
            }
            let mut keep = Vec::new();
            for (k, id) in limit.keep.iter().enumerate() {
                match self.index.recommendations.get(id) {
                    Some(index) => keep.push(index),
                    None => {
                        let hint = hint(self.index.recommendations.suggest(id));
                        self.problem(
                            &format!("{path}.keep[{k}]"),
                            format!("unknown recommendation `{id}`{hint}"),
                        );
                    }
                }
            }
            let when = self.resolver().check(&limit.when, &format!("{path}.when"), scope);
            out.push(when.map(|when| CompiledLimit { when, withhold: limit.withhold.clone(), keep }));
        }
        out.into_iter().collect()
    }

    /// A bounded plan holds at least one recommendation, of kinds the
    /// catalogue has.
    fn plan_size(&mut self) {
        let def = self.def;
        let Some(size) = &def.plan_size else { return };
        if size.at_most == 0 {
            self.problem(
                "plan_size.at_most",
                "a plan holds at least 1 recommendation: `at_most` must be 1 or more",
            );
        }
        if size.kinds.is_empty() {
            self.problem(
                "plan_size.kinds",
                "name the kinds the plan size counts, such as [\"strength\", \"stretch\"]",
            );
        }
        for (k, kind) in size.kinds.iter().enumerate() {
            if !def.recommendations.iter().any(|r| r.kind == *kind) {
                self.problem(
                    &format!("plan_size.kinds[{k}]"),
                    format!(
                        "no catalogue entry is of kind `{}`, so the plan size never counts it",
                        kind.as_str()
                    ),
                );
            }
        }
    }

    /// Notes: a condition that resolves, and kinds the catalogue has, so
    /// that every note can be shown.
    fn notes(&mut self) -> Option<Vec<Option<Check>>> {
        let def = self.def;
        let scope = self.everything(true);
        let mut out = Vec::new();
        let mut ok = true;
        for (i, note) in def.notes.iter().enumerate() {
            let path = format!("notes[{i}]");
            if note.text.trim().is_empty() {
                self.problem(&format!("{path}.text"), "a note needs a text");
            }
            if !note.with_kinds.is_empty()
                && !def.recommendations.iter().any(|r| note.with_kinds.contains(&r.kind))
            {
                self.problem(
                    &format!("{path}.with_kinds"),
                    format!("note `{}` is never chosen: no catalogue entry is of these kinds", note.id),
                );
            }
            let when = match &note.when {
                Some(when) => {
                    let expr = self.resolver().check(when, &format!("{path}.when"), scope);
                    ok &= expr.is_some();
                    expr
                }
                None => None,
            };
            out.push(when);
        }
        ok.then_some(out)
    }

    fn contested(&mut self) -> Option<Vec<Option<Check>>> {
        let def = self.def;
        let scope = self.everything(true);
        let mut out = Vec::new();
        let mut ok = true;
        for (i, entry) in def.contested.iter().enumerate() {
            if entry.summary.trim().is_empty() {
                self.problem(&format!("contested[{i}].summary"), "a contested entry needs a summary");
            }
            // The clinician's part gives the evidence note in place of the
            // summary's few words; an empty one would say nothing there.
            if entry.evidence_note.as_deref().is_some_and(|note| note.trim().is_empty()) {
                self.problem(
                    &format!("contested[{i}].evidence_note"),
                    "an empty `evidence_note`: give the evidence in detail, or leave the field out",
                );
            }
            let when = match &entry.when {
                Some(when) => {
                    let expr = self.resolver().check(when, &format!("contested[{i}].when"), scope);
                    ok &= expr.is_some();
                    expr
                }
                None => None,
            };
            out.push(when);
        }
        ok.then_some(out)
    }

    /// Parses `{answer:ID}`, `{score:DOMAIN}`, `{band:DOMAIN}` and `{level}`.
    fn template(&mut self, text: &str, path: &str) -> Option<Template> {
        let mut pieces = Vec::new();
        let mut rest = text;
        let mut ok = true;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                self.problem(path, "a `{` is never closed");
                return None;
            };
            let name = &rest[open + 1..open + close];
            let piece = match name.split_once(':') {
                None if name == "level" => Some(Piece::Level),
                Some(("answer", id)) => match self.index.questions.get(id) {
                    Some(q) => Some(Piece::Answer(q)),
                    None => {
                        let hint = hint(self.index.questions.suggest(id));
                        self.problem(path, format!("unknown question `{id}` in `{{{name}}}`{hint}"));
                        None
                    }
                },
                Some((what @ ("score" | "band"), id)) => match self.index.domains.get(id) {
                    Some(d) if what == "band" => Some(Piece::Band(d)),
                    Some(d) => Some(Piece::Score(d)),
                    None => {
                        let hint = hint(self.index.domains.suggest(id));
                        self.problem(path, format!("unknown domain `{id}` in `{{{name}}}`{hint}"));
                        None
                    }
                },
                _ => {
                    self.problem(
                        path,
                        format!("unknown placeholder `{{{name}}}`: use {{answer:ID}}, {{score:DOMAIN}}, {{band:DOMAIN}} or {{level}}"),
                    );
                    None
                }
            };
            match piece {
                Some(piece) => pieces.push(piece),
                None => ok = false,
            }
            rest = &rest[open + close + 1..];
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        ok.then_some(Template(pieces))
    }
}

/// The questions and domains a written condition names, as indices (names
/// that do not resolve were reported elsewhere).
fn collect_refs(index: &Index, condition: &Condition, qs: &mut Vec<usize>, ds: &mut Vec<usize>) {
    use Condition::*;
    match condition {
        All(parts) | Any(parts) | AtLeast(_, parts) | Exactly(_, parts) => {
            parts.iter().for_each(|p| collect_refs(index, p, qs, ds))
        }
        Not(inner) => collect_refs(index, inner, qs, ds),
        Is(q, _) | OneOf(q, _) | Gte(q, _) | Gt(q, _) | Lte(q, _) | Lt(q, _) | Answered(q) => {
            qs.extend(index.questions.get(q))
        }
        ScoreGte(d, _) | ScoreLte(d, _) | BandIn(d, _) => ds.extend(index.domains.get(d)),
        LevelAtLeast(_) | LevelBelow(_) | LevelBeforeAtLeast(_) | LevelBeforeBelow(_) | Fired(_) => {}
    }
}

/// Per question: the first earlier question whose `ask_if` is the same
/// condition (the same resolved tree, told by its written form), read at
/// the same level before it and alike in depending on the level.
fn same_conditions(
    ask_if: &[Option<Check>],
    level_before: &[Option<usize>],
    level_dependent: &[bool],
) -> Vec<Option<usize>> {
    let mut first: HashMap<(String, Option<usize>, bool), usize> = HashMap::new();
    ask_if
        .iter()
        .enumerate()
        .map(|(i, check)| {
            let key = (format!("{:?}", check.as_ref()?.expr), level_before[i], level_dependent[i]);
            match first.get(&key) {
                Some(&k) => Some(k),
                None => {
                    first.insert(key, i);
                    None
                }
            }
        })
        .collect()
}
