//! Evaluation: questionnaire + answers → report, as a pure function.
//!
//! The steps run in one direction, each seeing only what came before:
//! which answers are in force (`ask_if`), domain scores, triage (red flags,
//! then rules in file order), plan limits, then recommendations. Nothing
//! here can fail: every reference was resolved when the questionnaire was
//! loaded.

use std::borrow::Cow;

use crate::answers::{to_json, Answers, Value};
use crate::condition::Facts;
use crate::model::{Level, RecommendationKind};
use crate::questionnaire::{CompiledDomain, Piece, Questionnaire, Template};
use crate::report::{
    Chosen, ContestedEntry, DomainResult, Notice, QuestionText, QuestionnaireInfo, Reason, Report, Shown,
    SourceEntry, Triage, Withheld,
};

/// Evaluates answers against a questionnaire.
///
/// Deterministic: the same questionnaire and answers always give an equal
/// report, in the same order.
///
/// ```
/// use selfcheck::{evaluate, Answers, AnswersDocument, Level, Questionnaire};
///
/// let text = selfcheck::shipped("low-back-glutes").expect("shipped");
/// let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
/// let document = AnswersDocument::parse(br#"{"answers": {"rf_saddle_numbness": "yes"}}"#)?;
/// let answers = Answers::from_document(&questionnaire, &document.answers)?;
/// let report = evaluate(&questionnaire, &answers);
/// assert_eq!(report.triage.level, Level::Emergency);
/// assert!(report.recommendations.iter().all(|r| r.kind.as_str() != "strength"));
/// # Ok::<(), selfcheck::Error>(())
/// ```
pub fn evaluate<'q>(questionnaire: &'q Questionnaire, answers: &Answers) -> Report<'q> {
    let q = questionnaire;
    let state = State::new(q, answers);
    let mut triage_reasons = Vec::new();
    let level = state.triage(Some(&mut triage_reasons));
    let facts = state.facts(level);

    let mut notices = Vec::new();
    let mut withheld_kinds: Vec<(RecommendationKind, usize)> = Vec::new();
    for (i, (when, kinds)) in q.compiled.limits.iter().enumerate() {
        if when.holds(&facts) {
            let limit = &q.plan_limits[i];
            notices.push(Notice { id: Cow::Borrowed(&limit.id), text: Cow::Borrowed(&limit.notice) });
            for kind in kinds {
                if !withheld_kinds.iter().any(|(k, _)| k == kind) {
                    withheld_kinds.push((*kind, i));
                }
            }
        }
    }

    // The why text of each catalogue entry a rule chose: one sentence per
    // rule, in rule order, each written straight after the last; output in
    // catalogue order.
    let mut whys: Vec<Option<String>> = vec![None; q.recommendations.len()];
    for (rec, when, why) in &q.compiled.selection {
        if when.holds(&facts) {
            let text = match &mut whys[*rec] {
                Some(text) => {
                    text.push(' ');
                    text
                }
                none => none.insert(String::new()),
            };
            state.fill(why, level, text);
        }
    }
    let mut recommendations = Vec::new();
    let mut withheld = Vec::new();
    for (rec, why) in q.recommendations.iter().zip(whys) {
        let Some(why) = why else { continue };
        if let Some((_, limit)) = withheld_kinds.iter().find(|(k, _)| *k == rec.kind) {
            withheld.push(Withheld {
                id: Cow::Borrowed(&rec.id),
                kind: rec.kind,
                by: Cow::Borrowed(&q.plan_limits[*limit].id),
            });
            continue;
        }
        recommendations.push(Chosen {
            id: Cow::Borrowed(&rec.id),
            kind: rec.kind,
            title: Cow::Borrowed(&rec.title),
            evidence: Cow::Borrowed(&rec.evidence),
            evidence_note: rec.evidence_note.as_deref().map(Cow::Borrowed),
            why: Cow::Owned(why),
            summary: Cow::Borrowed(&rec.summary),
            dose: rec.dose.as_deref().map(Cow::Borrowed),
            how_to: rec.how_to.iter().map(|s| Cow::Borrowed(s.as_str())).collect(),
            progression: rec.progression.as_deref().map(Cow::Borrowed),
            stop_rule: rec.stop_rule.as_deref().map(Cow::Borrowed),
            sources: borrowed(&rec.sources),
        });
    }

    let contested: Vec<ContestedEntry<'q>> = q
        .contested
        .iter()
        .map(|c| ContestedEntry {
            id: Cow::Borrowed(&c.id),
            title: Cow::Borrowed(&c.title),
            label: Cow::Borrowed(&c.label),
            summary: Cow::Borrowed(&c.summary),
            sources: borrowed(&c.sources),
        })
        .collect();

    let domains = state.domain_results();
    let sources = cited_sources(q, &triage_reasons, &recommendations, &contested, &domains);
    let unanswered: Vec<Cow<'q, str>> = (0..q.questions.len())
        .filter(|i| state.applies[*i] && state.in_force[*i].is_none())
        .map(|i| Cow::Borrowed(q.questions[i].id.as_str()))
        .collect();
    let unanswered_red_flags: Vec<Cow<'q, str>> = q
        .red_flags()
        .iter()
        .filter(|i| state.in_force[**i].is_none())
        .map(|i| Cow::Borrowed(q.questions[*i].id.as_str()))
        .collect();
    let ignored_answers: Vec<Cow<'q, str>> = (0..q.questions.len())
        .filter(|i| !state.applies[*i] && answers.get(*i).is_some())
        .map(|i| Cow::Borrowed(q.questions[i].id.as_str()))
        .collect();
    // The questions of the three lists above, by the same tests.
    let question_texts = (0..q.questions.len())
        .filter(|i| {
            let missing = state.in_force[*i].is_none() && (state.applies[*i] || q.red_flags().contains(i));
            missing || (!state.applies[*i] && answers.get(*i).is_some())
        })
        .map(|i| QuestionText {
            id: Cow::Borrowed(&q.questions[i].id),
            text: Cow::Borrowed(&q.questions[i].text),
        })
        .collect();
    let given = (0..q.questions.len())
        .filter_map(|i| {
            let value = state.in_force[i]?;
            let question = &q.questions[i];
            Some(Shown {
                question: Cow::Borrowed(&question.id),
                answer: Some(to_json(&question.kind, value)),
            })
        })
        .collect();
    let text = q.levels.get(level);

    Report {
        questionnaire: QuestionnaireInfo {
            id: Cow::Borrowed(&q.id),
            version: Cow::Borrowed(&q.version),
            title: Cow::Borrowed(&q.title),
        },
        intended_purpose: Cow::Borrowed(&q.intended_purpose),
        disclaimer: Cow::Borrowed(&q.disclaimer),
        triage: Triage {
            level,
            title: Cow::Borrowed(&text.title),
            action: Cow::Borrowed(&text.action),
            plan_note: text.plan_note.as_deref().map(Cow::Borrowed),
            reasons: triage_reasons,
        },
        answers: given,
        unanswered_red_flags,
        unanswered,
        ignored_answers,
        question_texts,
        domains,
        notices,
        recommendations,
        withheld,
        contested,
        safety_net_intro: q.safety_net_intro.as_deref().map(Cow::Borrowed),
        safety_net: borrowed(&q.safety_net),
        sources,
    }
}

/// The triage level alone, without building a report: the same rules as
/// [`evaluate`], for callers that only need the level (the interactive
/// early stop, exhaustive checks).
pub fn triage_level(questionnaire: &Questionnaire, answers: &Answers) -> Level {
    State::new(questionnaire, answers).triage(None)
}

/// Answers in force and domain scores: everything triage and selection
/// look at.
struct State<'q> {
    q: &'q Questionnaire,
    applies: Vec<bool>,
    in_force: Vec<Option<Value>>,
    scores: Vec<Option<f64>>,
    bands: Vec<Option<usize>>,
    answered: Vec<usize>,
}

impl<'q> State<'q> {
    fn new(q: &'q Questionnaire, answers: &Answers) -> State<'q> {
        let n = q.questions.len();
        // All the answers at once, then those whose question does not
        // apply cleared in order: an `ask_if` looks only at earlier
        // questions, which are settled by the time it is read. (Copying
        // the slice whole is markedly faster than filling it slot by slot,
        // which the exhaustive checks of triage notice.)
        let mut in_force = answers.values().to_vec();
        in_force.resize(n, None);
        let mut applies = vec![true; n];
        for i in 0..n {
            applies[i] = q.applies(i, &in_force);
            if !applies[i] {
                in_force[i] = None;
            }
        }
        let mut state = State {
            q,
            applies,
            in_force,
            scores: Vec::with_capacity(q.domains.len()),
            bands: Vec::with_capacity(q.domains.len()),
            answered: Vec::with_capacity(q.domains.len()),
        };
        for (d, domain) in q.compiled.domains.iter().enumerate() {
            let (score, band, answered) = match domain {
                CompiledDomain::Scored { items, percent } => {
                    let mut sum = 0u32;
                    let mut max = 0u32;
                    let mut answered = 0;
                    for item in items {
                        let Some(value) = state.in_force[item.question] else { continue };
                        answered += 1;
                        max += item.max;
                        sum += match value {
                            Value::Option(o) => item.by_option.get(usize::from(o)).copied().unwrap_or(0),
                            Value::Integer(_) | Value::Number(_) => {
                                // The points of the highest threshold reached
                                // (thresholds are sorted by value).
                                let v = value.as_f64().unwrap_or(0.0);
                                item.thresholds
                                    .iter()
                                    .take_while(|(at, _)| v >= *at)
                                    .last()
                                    .map_or(0, |(_, p)| *p)
                            }
                        };
                    }
                    let score = if answered < q.domains[d].min_answered {
                        None
                    } else if *percent {
                        // One decimal, as the Oswestry index is reported.
                        Some(if max == 0 {
                            0.0
                        } else {
                            (f64::from(sum) * 1000.0 / f64::from(max)).round() / 10.0
                        })
                    } else {
                        Some(f64::from(sum))
                    };
                    let band = score.and_then(|s| {
                        q.domains[d].bands.iter().position(|b| {
                            let eps = 1e-9;
                            b.min.is_some_and(|min| s >= min - eps) && b.max.is_some_and(|max| s <= max + eps)
                        })
                    });
                    (score, band, answered)
                }
                CompiledDomain::Classify(conditions) => {
                    let facts = state.facts(Level::SelfCare);
                    let band = conditions.iter().position(|c| c.holds(&facts));
                    (None, band, 0)
                }
            };
            state.scores.push(score);
            state.bands.push(band);
            state.answered.push(answered);
        }
        state
    }

    fn facts(&self, level: Level) -> Facts<'_> {
        Facts { answers: &self.in_force, scores: &self.scores, bands: &self.bands, level }
    }

    /// Red flags first, then the rules in order; each rule sees the level
    /// reached so far. The result is the most cautious level raised.
    fn triage(&self, mut reasons: Option<&mut Vec<Reason<'q>>>) -> Level {
        let q = self.q;
        let mut level = Level::SelfCare;
        for &i in q.red_flags() {
            let question = &q.questions[i];
            let Some(flag) = &question.red_flag else { continue };
            let (raised, suffix, because) = match self.in_force[i] {
                Some(Value::Option(0)) => (flag.yes, "yes", &flag.because),
                Some(Value::Option(2)) => {
                    (flag.not_sure, "not_sure", flag.not_sure_because.as_ref().unwrap_or(&flag.because))
                }
                Some(_) => continue,
                None => {
                    (flag.unanswered, "unanswered", flag.unanswered_because.as_ref().unwrap_or(&flag.because))
                }
            };
            if raised == Level::SelfCare {
                continue;
            }
            level = level.max(raised);
            if let Some(reasons) = reasons.as_deref_mut() {
                reasons.push(Reason {
                    rule: Cow::Owned(format!("{}.{suffix}", question.id)),
                    level: raised,
                    because: Cow::Borrowed(because),
                    answers: vec![self.shown(i)],
                    sources: borrowed(&flag.sources),
                });
            }
        }
        for (rule, when) in q.triage_rules.iter().zip(&q.compiled.triage) {
            if !when.holds(&self.facts(level)) {
                continue;
            }
            level = level.max(rule.level);
            if let Some(reasons) = reasons.as_deref_mut() {
                let mut looked_at = Vec::new();
                when.questions(&mut looked_at);
                reasons.push(Reason {
                    rule: Cow::Borrowed(&rule.id),
                    level: rule.level,
                    because: Cow::Borrowed(&rule.because),
                    answers: looked_at.into_iter().map(|i| self.shown(i)).collect(),
                    sources: borrowed(&rule.sources),
                });
            }
        }
        level
    }

    fn shown(&self, question: usize) -> Shown<'q> {
        let q = &self.q.questions[question];
        Shown { question: Cow::Borrowed(&q.id), answer: self.in_force[question].map(|v| to_json(&q.kind, v)) }
    }

    fn domain_results(&self) -> Vec<DomainResult<'q>> {
        let q = self.q;
        q.domains
            .iter()
            .enumerate()
            .map(|(d, domain)| {
                let band = self.bands[d].map(|b| &domain.bands[b]);
                let max = match &q.compiled.domains[d] {
                    CompiledDomain::Scored { percent: true, .. } => Some(100.0),
                    CompiledDomain::Scored { items, .. } => {
                        Some(f64::from(items.iter().map(|i| i.max).sum::<u32>()))
                    }
                    CompiledDomain::Classify(_) => None,
                };
                let explanation = match (band, &q.compiled.domains[d]) {
                    (Some(band), _) => Cow::Borrowed(band.explanation.as_str()),
                    // A classification counts no answers of its own.
                    (None, CompiledDomain::Classify(_)) => {
                        Cow::Borrowed("None of its groups applies to these answers; some may be missing.")
                    }
                    (None, CompiledDomain::Scored { .. }) => Cow::Owned(format!(
                        "Too few answers to score this: {} given, at least {} needed.",
                        self.answered[d], domain.min_answered
                    )),
                };
                DomainResult {
                    id: Cow::Borrowed(&domain.id),
                    title: Cow::Borrowed(&domain.title),
                    score: self.scores[d],
                    max,
                    answered: self.answered[d],
                    band: band.map(|b| Cow::Borrowed(b.id.as_str())),
                    explanation,
                    note: domain.note.as_deref().map(Cow::Borrowed),
                }
            })
            .collect()
    }

    /// Fills a `why` template with this report's answers and scores, at
    /// the end of `out`.
    fn fill(&self, template: &Template, level: Level, out: &mut String) {
        let q = self.q;
        for piece in &template.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Level => out.push_str(level.as_str()),
                Piece::Answer(i) => match self.in_force[*i] {
                    Some(Value::Option(o)) => match &q.questions[*i].kind {
                        crate::model::Kind::SingleChoice { options } => {
                            out.push_str(options.get(usize::from(o)).map_or("", |c| c.label.as_str()))
                        }
                        kind => out.push_str(
                            &kind.option_ids().get(usize::from(o)).copied().unwrap_or("").replace('_', " "),
                        ),
                    },
                    Some(Value::Integer(v)) => out.push_str(&v.to_string()),
                    Some(Value::Number(v)) => out.push_str(&v.to_string()),
                    None => out.push_str("no answer"),
                },
                Piece::Score(d) => match self.scores[*d] {
                    Some(score) => out.push_str(&score.to_string()),
                    None => out.push_str("no score"),
                },
                Piece::Band(d) => match self.bands[*d] {
                    Some(b) => out.push_str(&q.domains[*d].bands[b].id),
                    None => out.push_str("no band"),
                },
            }
        }
    }
}

fn borrowed(texts: &[String]) -> Vec<Cow<'_, str>> {
    texts.iter().map(|s| Cow::Borrowed(s.as_str())).collect()
}

/// The sources this report cites, in the questionnaire's order.
fn cited_sources<'q>(
    q: &'q Questionnaire,
    reasons: &[Reason<'q>],
    recommendations: &[Chosen<'q>],
    contested: &[ContestedEntry<'q>],
    domains: &[DomainResult<'q>],
) -> Vec<SourceEntry<'q>> {
    let mut cited: Vec<&str> = q.cite_always.iter().map(String::as_str).collect();
    cited.extend(reasons.iter().flat_map(|r| r.sources.iter().map(|s| s.as_ref())));
    cited.extend(recommendations.iter().flat_map(|r| r.sources.iter().map(|s| s.as_ref())));
    cited.extend(contested.iter().flat_map(|c| c.sources.iter().map(|s| s.as_ref())));
    for result in domains {
        if let Some(domain) = q.domain(&result.id) {
            cited.extend(domain.sources.iter().map(String::as_str));
        }
    }
    q.sources
        .iter()
        .filter(|s| cited.contains(&s.id.as_str()))
        .map(|s| SourceEntry {
            id: Cow::Borrowed(&s.id),
            citation: Cow::Borrowed(&s.citation),
            url: s.url.as_deref().map(Cow::Borrowed),
        })
        .collect()
}
