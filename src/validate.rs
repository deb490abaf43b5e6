//! The linter: every problem in a questionnaire, each with its JSON path.
//!
//! Validation and compilation are one pass: resolving a reference is how a
//! dangling one is found, so there is a single place that decides what a
//! valid questionnaire is. A questionnaire is only usable when this finds
//! nothing.

use std::collections::{HashMap, HashSet};

use crate::condition::{Expr, Resolver, Scope};
pub use crate::error::Problem;
use crate::model::{Definition, Kind, Level, RecommendationKind, Scoring};
use crate::suggest::{did_you_mean, hint};

/// Every problem in a definition; empty when it is fit to ship.
pub fn validate(definition: &Definition) -> Vec<Problem> {
    compile(definition).1
}

/// Resolves a definition, collecting every problem on the way. The compiled
/// form is only returned when every reference resolved.
pub(crate) fn compile(def: &Definition) -> (Option<Compiled>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut lint = Lint { def, problems: &mut problems };
    lint.identity();
    lint.unique_ids();
    lint.sources();
    let compiled = lint.compiled();
    (compiled, problems)
}

/// The resolved form of a definition's rules, built once at load time.
#[derive(Debug, Clone)]
pub(crate) struct Compiled {
    /// `ask_if` per question.
    pub ask_if: Vec<Option<Expr>>,
    /// Indices of the red-flag questions, in order.
    pub red_flags: Vec<usize>,
    /// One per triage rule, in order.
    pub triage: Vec<Expr>,
    pub domains: Vec<CompiledDomain>,
    /// `(recommendation index, condition, why)` per selection rule.
    pub selection: Vec<(usize, Expr, Template)>,
    /// `(condition, withheld kinds)` per plan limit.
    pub limits: Vec<(Expr, Vec<RecommendationKind>)>,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledDomain {
    Scored {
        items: Vec<ScoredItem>,
        percent: bool,
    },
    /// One condition per band, in order.
    Classify(Vec<Expr>),
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
    problems: &'a mut Vec<Problem>,
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
        let known: HashSet<&str> = def.sources.iter().map(|s| s.id.as_str()).collect();
        for (path, id) in &cited {
            if !known.contains(id) {
                let hint = hint(did_you_mean(id, def.sources.iter().map(|s| s.id.as_str())));
                self.problem(path, format!("unknown source `{id}`{hint}"));
            }
        }
        let used: HashSet<&str> = cited.iter().map(|(_, id)| *id).collect();
        for (i, source) in def.sources.iter().enumerate() {
            if !used.contains(source.id.as_str()) {
                self.problem(&format!("sources[{i}]"), format!("source `{}` is never cited", source.id));
            }
        }
    }

    fn compiled(&mut self) -> Option<Compiled> {
        let ask_if = self.questions();
        let red_flags = self.red_flags();
        let domains = self.domains();
        let triage = self.triage();
        let selection = self.selection();
        let limits = self.limits();
        Some(Compiled {
            ask_if: ask_if?,
            red_flags,
            triage: triage?,
            domains: domains?,
            selection: selection?,
            limits: limits?,
        })
    }

    fn resolver(&mut self) -> Resolver<'_> {
        Resolver { def: self.def, problems: self.problems }
    }

    fn everything(&self) -> Scope {
        Scope {
            questions_before: self.def.questions.len(),
            domains_before: self.def.domains.len(),
            level: true,
        }
    }

    fn questions(&mut self) -> Option<Vec<Option<Expr>>> {
        let def = self.def;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, question) in def.questions.iter().enumerate() {
            let path = format!("questions[{i}]");
            if let Some(section) = &question.section {
                if def.section(section).is_none() {
                    let hint = hint(did_you_mean(section, def.sections.iter().map(|s| s.id.as_str())));
                    self.problem(&format!("{path}.section"), format!("unknown section `{section}`{hint}"));
                }
            }
            match &question.kind {
                Kind::SingleChoice { options } if options.len() < 2 => {
                    self.problem(&format!("{path}.options"), "a single choice needs at least two options")
                }
                Kind::Integer { min, max, .. } if min > max => {
                    self.problem(&path, format!("`min` {min} is above `max` {max}"))
                }
                Kind::Number { min, max, .. } if !(min.is_finite() && max.is_finite() && min <= max) => {
                    self.problem(&path, format!("`min` {min} and `max` {max} do not make a range"))
                }
                _ => {}
            }
            let scope = Scope { questions_before: i, domains_before: 0, level: false };
            let resolved = match &question.ask_if {
                Some(condition) => {
                    let expr = self.resolver().resolve(condition, &format!("{path}.ask_if"), scope);
                    ok &= expr.is_some();
                    expr
                }
                None => None,
            };
            out.push(resolved);
        }
        ok.then_some(out)
    }

    /// Red flags are yes/no/not sure questions, asked first and never
    /// hidden behind a condition, so that no path skips them.
    fn red_flags(&mut self) -> Vec<usize> {
        let def = self.def;
        let mut flags = Vec::new();
        let first_other = def.questions.iter().position(|q| q.red_flag.is_none());
        for (i, question) in def.questions.iter().enumerate() {
            let Some(flag) = &question.red_flag else { continue };
            let path = format!("questions[{i}]");
            flags.push(i);
            if question.kind != Kind::YesNoNotSure {
                self.problem(
                    &format!("{path}.kind"),
                    format!(
                        "red flag `{}` must be a yes_no_not_sure question, so that \"not sure\" is possible",
                        question.id
                    ),
                );
            }
            if question.ask_if.is_some() {
                self.problem(
                    &format!("{path}.ask_if"),
                    format!(
                        "red flag `{}` is hidden behind a condition: red flags are always asked",
                        question.id
                    ),
                );
            }
            if let Some(first) = first_other.filter(|first| *first < i) {
                self.problem(
                    &path,
                    format!(
                        "red flag `{}` comes after `{}`, which is not a red flag: red flags are asked first",
                        question.id, def.questions[first].id
                    ),
                );
            }
            if flag.not_sure > flag.yes {
                self.problem(
                    &format!("{path}.red_flag.not_sure"),
                    format!("`not_sure` raises `{}`, more than `yes` (`{}`)", flag.not_sure, flag.yes),
                );
            }
        }
        flags
    }

    fn triage(&mut self) -> Option<Vec<Expr>> {
        let def = self.def;
        let scope = self.everything();
        let mut out = Vec::new();
        for (i, rule) in def.triage_rules.iter().enumerate() {
            let path = format!("triage_rules[{i}]");
            if rule.level == Level::SelfCare {
                self.problem(&format!("{path}.level"), "a rule at `self_care` can never raise the level");
            }
            out.push(self.resolver().resolve(&rule.when, &format!("{path}.when"), scope));
        }
        out.into_iter().collect()
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
                let scope = Scope { questions_before: def.questions.len(), domains_before: d, level: false };
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
                            bands.push(self.resolver().resolve(when, &format!("{band_path}.when"), scope))
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
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in domain.items.iter().enumerate() {
            let path = format!("domains[{d}].items[{i}]");
            if !seen.insert(item.question.as_str()) {
                self.problem(&path, format!("question `{}` is scored twice in this domain", item.question));
            }
            let Some(question) = def.question_index(&item.question) else {
                let hint = hint(did_you_mean(&item.question, def.questions.iter().map(|q| q.id.as_str())));
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
            let ids = kind.option_ids();
            let mut by_option = vec![0; ids.len()];
            // Options of a numeric question were reported just above.
            let options = if kind.is_numeric() { &[][..] } else { &item.points[..] };
            for (j, points) in options.iter().enumerate() {
                match ids.iter().position(|id| *id == points.option) {
                    Some(o) => by_option[o] = points.points,
                    None => {
                        let hint = hint(did_you_mean(&points.option, ids.iter().copied()));
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
            Scoring::Sum => (0.0, f64::from(domain.items.iter().map(|i| i.max_points()).sum::<u32>()), 1.0),
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

    fn selection(&mut self) -> Option<Vec<(usize, Expr, Template)>> {
        let def = self.def;
        let scope = self.everything();
        let mut out = Vec::new();
        let mut chosen = HashSet::new();
        for (i, rule) in def.selection_rules.iter().enumerate() {
            let path = format!("selection_rules[{i}]");
            let index = def.recommendations.iter().position(|r| r.id == rule.recommend);
            if index.is_none() {
                let hint =
                    hint(did_you_mean(&rule.recommend, def.recommendations.iter().map(|r| r.id.as_str())));
                self.problem(
                    &format!("{path}.recommend"),
                    format!("unknown recommendation `{}`{hint}", rule.recommend),
                );
            }
            chosen.insert(rule.recommend.as_str());
            let when = self.resolver().resolve(&rule.when, &format!("{path}.when"), scope);
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

    fn limits(&mut self) -> Option<Vec<(Expr, Vec<RecommendationKind>)>> {
        let def = self.def;
        let scope = self.everything();
        let mut out = Vec::new();
        for (i, limit) in def.plan_limits.iter().enumerate() {
            let path = format!("plan_limits[{i}]");
            if limit.withhold.is_empty() {
                self.problem(&format!("{path}.withhold"), "a plan limit must withhold at least one kind");
            }
            let when = self.resolver().resolve(&limit.when, &format!("{path}.when"), scope);
            out.push(when.map(|when| (when, limit.withhold.clone())));
        }
        out.into_iter().collect()
    }

    /// Parses `{answer:ID}`, `{score:DOMAIN}`, `{band:DOMAIN}` and `{level}`.
    fn template(&mut self, text: &str, path: &str) -> Option<Template> {
        let def = self.def;
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
                Some(("answer", id)) => match def.question_index(id) {
                    Some(q) => Some(Piece::Answer(q)),
                    None => {
                        let hint = hint(did_you_mean(id, def.questions.iter().map(|q| q.id.as_str())));
                        self.problem(path, format!("unknown question `{id}` in `{{{name}}}`{hint}"));
                        None
                    }
                },
                Some((what @ ("score" | "band"), id)) => match def.domains.iter().position(|d| d.id == id) {
                    Some(d) if what == "band" => Some(Piece::Band(d)),
                    Some(d) => Some(Piece::Score(d)),
                    None => {
                        let hint = hint(did_you_mean(id, def.domains.iter().map(|d| d.id.as_str())));
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
