//! The report as a small document: headings, paragraphs, warnings and
//! lists.
//!
//! The text and Markdown renderers write out the same document, so what a
//! report says, and in which order, is decided here once. The order follows
//! the safety of the reader: purpose and disclaimer, then what to do (at
//! `urgent` and above, as a warning that cannot be missed), unanswered
//! warning signs, why parts of the plan were left out, what the answers
//! suggest, the plan, approaches labelled for what they are, the gaps in
//! the answers, and last the safety net and the sources.

use std::borrow::Cow;

use crate::model::{Level, NotePlace};
use crate::report::{Chosen, Report};

/// A run of inline content. Each writer decides how to show it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline<'a> {
    /// Plain words, from the questionnaire or the renderer.
    Text(Cow<'a, str>),
    /// Words to stress: a label or a title.
    Strong(Cow<'a, str>),
    /// An id or an answer, exactly as typed in answers documents.
    Code(Cow<'a, str>),
    /// A web address.
    Link(Cow<'a, str>),
    /// A line break inside a paragraph.
    Break,
}

pub(crate) type Para<'a> = Vec<Inline<'a>>;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block<'a> {
    /// The report's title; there is one.
    Title(Para<'a>),
    /// A section heading.
    Heading(Para<'a>),
    Para(Para<'a>),
    /// Something the reader must not miss: boxed in text, a quote block in
    /// Markdown.
    Alert {
        heading: Para<'a>,
        body: Vec<Block<'a>>,
    },
    /// Each item is a sequence of blocks, the first shown beside the marker.
    List {
        numbered: bool,
        items: Vec<Vec<Block<'a>>>,
    },
    /// Numbered entries with a title and a body: list items in text,
    /// small sections in Markdown.
    Entries(Vec<(Para<'a>, Vec<Block<'a>>)>),
}

/// Builds the document for a report.
pub(crate) fn document<'a>(report: &'a Report<'_>) -> Vec<Block<'a>> {
    let mut doc = vec![
        Block::Title(vec![text(&report.questionnaire.title)]),
        Block::Para(vec![
            lit("Questionnaire "),
            code(&report.questionnaire.id),
            lit(", version "),
            text(&report.questionnaire.version),
            lit("."),
        ]),
        Block::Para(vec![text(&report.intended_purpose)]),
        Block::Para(vec![strong(&report.disclaimer)]),
    ];
    triage(report, &mut doc);
    unanswered_red_flags(report, &mut doc);
    notices(report, &mut doc);
    domains(report, &mut doc);
    plan(report, &mut doc);
    contested(report, &mut doc);
    gaps(report, &mut doc);
    safety_net(report, &mut doc);
    sources(report, &mut doc);
    doc
}

/// Whether the level calls for medical help before any plan.
fn serious(level: Level) -> bool {
    level >= Level::Urgent
}

fn triage<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    let triage = &report.triage;
    let heading = vec![
        strong(&triage.title),
        lit(" (level "),
        Inline::Code(Cow::Borrowed(triage.level.as_str())),
        lit(")"),
    ];
    let action = Block::Para(vec![text(&triage.action)]);
    if serious(triage.level) {
        doc.push(Block::Heading(vec![lit("What to do now")]));
        doc.push(Block::Alert { heading, body: vec![action] });
    } else {
        doc.push(Block::Heading(vec![lit("What to do")]));
        doc.push(Block::Para(heading));
        doc.push(action);
    }

    if triage.reasons.is_empty() {
        doc.push(Block::Para(vec![lit("No warning sign or rule raised the level from these answers.")]));
        return;
    }
    doc.push(Block::Para(vec![strong("Why this level:")]));
    let items = triage
        .reasons
        .iter()
        .map(|reason| {
            let mut trace = vec![
                Inline::Strong(Cow::Borrowed(level_name(reason.level))),
                lit(": "),
                text(&reason.because),
                Inline::Break,
            ];
            if !reason.answers.is_empty() {
                trace.push(lit("Answers: "));
                for (i, shown) in reason.answers.iter().enumerate() {
                    if i > 0 {
                        trace.push(lit(", "));
                    }
                    trace.push(code(&shown.question));
                    trace.push(lit(" = "));
                    trace.push(answer(shown.answer.as_ref()));
                }
                trace.push(lit(". "));
            }
            trace.push(lit("Rule: "));
            trace.push(code(&reason.rule));
            trace.push(lit("."));
            cite(&reason.sources, &mut trace);
            vec![Block::Para(trace)]
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

fn unanswered_red_flags<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.unanswered_red_flags.is_empty() {
        return;
    }
    doc.push(Block::Alert {
        heading: vec![strong("Warning signs not answered")],
        body: vec![
            Block::Para(vec![lit(
                "These questions about warning signs were not answered. A missing answer is never \
                 taken as a \"no\": each one was treated with caution in the level above. Please \
                 answer them, or ask a clinician about them.",
            )]),
            question_list(report, &report.unanswered_red_flags),
        ],
    });
}

fn notices<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.notices.is_empty() {
        return;
    }
    doc.push(Block::Heading(vec![lit("About your plan")]));
    let items = report.notices.iter().map(|notice| vec![Block::Para(vec![text(&notice.text)])]).collect();
    doc.push(Block::List { numbered: false, items });
}

fn domains<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.domains.is_empty() {
        return;
    }
    doc.push(Block::Heading(vec![lit("What your answers suggest")]));
    let items = report
        .domains
        .iter()
        .map(|domain| {
            let mut head = vec![strong(&domain.title), lit(": ")];
            let band = domain.band.as_deref().map(|band| Inline::Text(Cow::Owned(band.replace('_', " "))));
            match (domain.score, domain.max, band) {
                (Some(score), Some(max), Some(band)) => {
                    head.extend([lit(format!("{score} of {max} (")), band, lit(")")]);
                }
                (Some(score), Some(max), None) => head.push(lit(format!("{score} of {max}"))),
                (Some(score), None, _) => head.push(lit(format!("{score}"))),
                (None, _, Some(band)) => head.push(band),
                (None, _, None) => head.push(lit("not scored")),
            }
            head.extend([Inline::Break, text(&domain.explanation)]);
            if let Some(note) = &domain.note {
                head.extend([Inline::Break, strong("Note:"), lit(" "), text(note)]);
            }
            vec![Block::Para(head)]
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

fn plan<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    let level = report.triage.level;
    if serious(level) {
        // No plan at this level; advice that is not exercise may remain.
        if report.recommendations.is_empty() {
            return;
        }
        doc.push(Block::Heading(vec![lit("Other advice")]));
    } else {
        doc.push(Block::Heading(vec![lit("Your plan")]));
        if let Some(note) = &report.triage.plan_note {
            doc.push(Block::Para(vec![strong("Note:"), lit(" "), text(note)]));
        }
        if report.recommendations.is_empty() {
            doc.push(Block::Para(vec![lit("Nothing in the catalogue was chosen from these answers.")]));
            return;
        }
    }
    let (in_plan, further): (Vec<&Chosen<'_>>, Vec<&Chosen<'_>>) =
        report.recommendations.iter().partition(|chosen| chosen.in_plan);
    doc.push(Block::Entries(in_plan.into_iter().map(recommendation).collect()));
    if !further.is_empty() {
        let mut para = vec![strong("Further options:"), lit(" ")];
        for (i, chosen) in further.iter().enumerate() {
            if i > 0 {
                para.push(lit(", "));
            }
            para.push(text(&chosen.title));
        }
        para.push(lit(". The plan above is enough to start with; these could come later."));
        doc.push(Block::Para(para));
    }
    for note in report.notes.iter().filter(|note| note.place == NotePlace::Plan) {
        doc.push(Block::Para(vec![text(&note.text)]));
    }
}

/// A recommendation: title and kind, then its fields one to a line, in
/// the order a reader needs them: how sure, why, what, how much, how,
/// what next, when to stop.
fn recommendation<'a>(chosen: &'a Chosen<'_>) -> (Para<'a>, Vec<Block<'a>>) {
    let title = vec![strong(&chosen.title), lit(" ("), lit(chosen.kind.as_str()), lit(")")];
    let mut body = Vec::new();
    let mut lines = vec![strong("Evidence:"), lit(" "), text(&chosen.evidence)];
    lines.push(lit("."));
    if let Some(note) = &chosen.evidence_note {
        lines.extend([lit(" "), text(note)]);
        if !note.ends_with(['.', '!', '?']) {
            lines.push(lit("."));
        }
    }
    field(&mut lines, "Why:", &chosen.why);
    lines.extend([Inline::Break, text(&chosen.summary)]);
    if let Some(dose) = &chosen.dose {
        field(&mut lines, "Dose:", dose);
    }
    if !chosen.how_to.is_empty() {
        body.push(Block::Para(std::mem::take(&mut lines)));
        body.push(Block::Para(vec![strong("How to:")]));
        let steps = chosen.how_to.iter().map(|step| vec![Block::Para(vec![text(step)])]).collect();
        body.push(Block::List { numbered: true, items: steps });
    }
    if let Some(progression) = &chosen.progression {
        field(&mut lines, "Progression:", progression);
    }
    if let Some(stop) = &chosen.stop_rule {
        field(&mut lines, "When to stop:", stop);
    }
    if !chosen.sources.is_empty() && !lines.is_empty() {
        lines.push(Inline::Break);
    }
    cite(&chosen.sources, &mut lines);
    if !lines.is_empty() {
        body.push(Block::Para(lines));
    }
    (title, body)
}

/// Adds "Label: value" on a line of its own.
fn field<'a>(lines: &mut Para<'a>, label: &'static str, value: &'a str) {
    if !lines.is_empty() {
        lines.push(Inline::Break);
    }
    lines.extend([strong(label), lit(" "), text(value)]);
}

fn contested<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.contested.is_empty() {
        return;
    }
    doc.push(Block::Heading(vec![lit("Approaches you may read about")]));
    doc.push(Block::Para(vec![lit(
        "You may come across these elsewhere. They are not part of your plan and are not \
         recommended here; the label says where the evidence stands.",
    )]));
    let items = report
        .contested
        .iter()
        .map(|entry| {
            let mut para = vec![
                strong(&entry.title),
                lit(": "),
                text(&entry.label),
                Inline::Break,
                text(&entry.summary),
            ];
            cite(&entry.sources, &mut para);
            vec![Block::Para(para)]
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

/// Unanswered questions (the red flags were shown above) and ignored
/// answers.
fn gaps<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    let unanswered: Vec<Cow<'a, str>> = report
        .unanswered
        .iter()
        .filter(|id| !report.unanswered_red_flags.contains(id))
        .map(|id| Cow::Borrowed(id.as_ref()))
        .collect();
    if !unanswered.is_empty() {
        doc.push(Block::Heading(vec![lit("Questions not answered")]));
        doc.push(Block::Para(vec![lit(
            "These questions were left unanswered, so the parts of the report that use them say less:",
        )]));
        doc.push(question_list(report, &unanswered));
    }
    if !report.ignored_answers.is_empty() {
        doc.push(Block::Heading(vec![lit("Answers not used")]));
        doc.push(Block::Para(vec![lit(
            "These questions did not apply, given the other answers, so their answers did not \
             affect anything in this report:",
        )]));
        doc.push(question_list(report, &report.ignored_answers));
    }
}

fn safety_net<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    // Notes for some people only stand beside the safety net, just before
    // it, so that the safety net itself is the same for everyone.
    for note in report.notes.iter().filter(|note| note.place == NotePlace::SafetyNet) {
        doc.push(Block::Alert {
            heading: vec![strong("Also for you")],
            body: vec![Block::Para(vec![text(&note.text)])],
        });
    }
    doc.push(Block::Heading(vec![lit("Safety net")]));
    if let Some(intro) = &report.safety_net_intro {
        doc.push(Block::Para(vec![strong(intro)]));
    }
    let items = report.safety_net.iter().map(|line| vec![Block::Para(vec![text(line)])]).collect();
    doc.push(Block::List { numbered: false, items });
    for tier in &report.safety_net_tiers {
        doc.push(Block::Para(vec![strong(&tier.intro)]));
        let items = tier.signs.iter().map(|line| vec![Block::Para(vec![text(line)])]).collect();
        doc.push(Block::List { numbered: false, items });
    }
}

fn sources<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.sources.is_empty() {
        return;
    }
    doc.push(Block::Heading(vec![lit("Sources")]));
    let items = report
        .sources
        .iter()
        .map(|source| {
            let mut para = vec![code(&source.id), lit(": "), text(&source.citation)];
            if let Some(url) = &source.url {
                para.extend([lit(" "), Inline::Link(Cow::Borrowed(url))]);
            }
            vec![Block::Para(para)]
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

/// A list of questions by their wording, each with its id.
fn question_list<'a, S: AsRef<str>>(report: &'a Report<'_>, ids: &[S]) -> Block<'a> {
    let items = ids
        .iter()
        .map(|id| {
            let id = id.as_ref();
            let para = match report.question_texts.iter().find(|q| q.id == id) {
                Some(q) => {
                    let named = q.sign.as_deref().unwrap_or(&q.text);
                    vec![text(named), lit(" ("), Inline::Code(Cow::Owned(id.to_owned())), lit(")")]
                }
                None => vec![Inline::Code(Cow::Owned(id.to_owned()))],
            };
            vec![Block::Para(para)]
        })
        .collect();
    Block::List { numbered: false, items }
}

/// "Sources: a, b." after a paragraph, when there are any.
fn cite<'a>(sources: &'a [Cow<'_, str>], para: &mut Para<'a>) {
    if sources.is_empty() {
        return;
    }
    if !para.is_empty() && para.last() != Some(&Inline::Break) {
        para.push(lit(" "));
    }
    para.push(lit("Sources: "));
    for (i, source) in sources.iter().enumerate() {
        if i > 0 {
            para.push(lit(", "));
        }
        para.push(code(source));
    }
    para.push(lit("."));
}

/// An answer as typed: an option id or a number; or the fact that there
/// was none.
fn answer<'a>(value: Option<&serde_json::Value>) -> Inline<'a> {
    match value {
        None | Some(serde_json::Value::Null) => lit("no answer"),
        Some(serde_json::Value::String(s)) => Inline::Code(Cow::Owned(s.clone())),
        Some(other) => Inline::Code(Cow::Owned(other.to_string())),
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::Emergency => "emergency",
        Level::Urgent => "urgent",
        Level::Soon => "soon",
        Level::SelfCare => "self care",
    }
}

fn text(s: &str) -> Inline<'_> {
    Inline::Text(Cow::Borrowed(s))
}

fn strong(s: &str) -> Inline<'_> {
    Inline::Strong(Cow::Borrowed(s))
}

fn code(s: &str) -> Inline<'_> {
    Inline::Code(Cow::Borrowed(s))
}

/// The renderer's own words.
fn lit<'a>(s: impl Into<Cow<'a, str>>) -> Inline<'a> {
    Inline::Text(s.into())
}
