//! The report as a small document in two parts: headings, paragraphs,
//! warnings and lists.
//!
//! Text, Markdown and HTML write out the same [`Outline`], so what a report
//! says, and in which order, is decided here once.
//!
//! The first part is the person's. It leads with what to do, then says why
//! in plain words, and only what helps at that level: at `emergency` the
//! action, its reason and the safety net, nothing else; at `urgent` also
//! the warning signs not answered and what to tell the doctor; below that
//! the plan, what the answers suggest and the approaches people read
//! about. It names no id, rule or answer value: those are for the second
//! part, under the heading `For your clinician`, which gives the full
//! trace: every rule that fired with the answers it read and its sources,
//! every answer, the scores with their numbers, what was chosen and
//! withheld, and the sources. Both parts say the report is not a
//! diagnosis, and the person's part ends with the safety net, the same for
//! everyone.
//!
//! The person's part keeps to a budget of words by level ([`budget`]). When
//! a report would run over, material the clinician's part also holds leaves
//! the person's part, least needed first ([`Trim`]), until it fits. The
//! action, the first reason, every reason marked `foremost`, every warning
//! sign not answered, the plan's exercises with their how-to, the stop
//! rule, the disclaimer and the safety net always stay.
//!
//! Paragraphs have no line breaks inside them: a list or separate
//! paragraphs say the same in every renderer, and Markdown needs no
//! backslash breaks, which some renderers show as backslashes.

use std::borrow::Cow;

use super::prepared::Texts;
use crate::answers::Given;
use crate::model::{Level, NotePlace, RecommendationKind};
use crate::number;
use crate::report::{Chosen, Reason, Report, Shown, SourceEntry, Withheld};

/// A run of inline content. Each writer decides how to show it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline<'a> {
    /// Plain words, from the questionnaire or the renderer.
    Text(Cow<'a, str>),
    /// The renderer's own fixed words, written with [`fixed!`]: known when
    /// the program is compiled to have nothing HTML escapes, so that HTML
    /// copies them as they are, and counted then. Every other writer takes
    /// them as [`Inline::Text`].
    Fixed(&'static Fixed),
    /// Words to stress: a label or a title.
    Strong(Cow<'a, str>),
    /// An id or an answer, exactly as typed in answers documents (only in
    /// the clinician's part).
    Code(Cow<'a, str>),
    /// A web address.
    Link(Cow<'a, str>),
}

impl Inline<'_> {
    /// The run's words, whatever it is.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Inline::Text(s) | Inline::Strong(s) | Inline::Code(s) | Inline::Link(s) => s,
            Inline::Fixed(fixed) => fixed.text,
        }
    }
}

/// The renderer's own words, with their [`Words`] counted when the program
/// is compiled.
#[derive(Debug, PartialEq)]
pub(crate) struct Fixed {
    pub text: &'static str,
    pub words: Words,
}

/// The renderer's own words as an [`Inline::Fixed`]: a string constant
/// with nothing in it that HTML escapes, which the compiler checks.
macro_rules! fixed {
    ($words:expr $(,)?) => {{
        const WORDS: &str = $words;
        const _: () = assert!(super::html::needs_no_escape(WORDS), "fixed words with a byte HTML escapes");
        const FIXED: Fixed = Fixed { text: WORDS, words: Words::of_ascii(WORDS) };
        Inline::Fixed(&FIXED)
    }};
}

/// A paragraph's runs. Most paragraphs are a single run, kept in place
/// rather than in a list of its own: a report makes a few hundred of them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Para<'a> {
    One(Inline<'a>),
    Many(Vec<Inline<'a>>),
}

impl<'a> std::ops::Deref for Para<'a> {
    type Target = [Inline<'a>];

    fn deref(&self) -> &[Inline<'a>] {
        match self {
            Para::One(inline) => std::slice::from_ref(inline),
            Para::Many(inlines) => inlines,
        }
    }
}

impl<'a> Para<'a> {
    fn push(&mut self, inline: Inline<'a>) {
        match self {
            Para::Many(inlines) => inlines.push(inline),
            Para::One(_) => {
                let Para::One(first) = std::mem::replace(self, Para::Many(Vec::with_capacity(4))) else {
                    return;
                };
                self.extend([first, inline]);
            }
        }
    }
}

impl<'p, 'a> IntoIterator for &'p Para<'a> {
    type Item = &'p Inline<'a>;
    type IntoIter = std::slice::Iter<'p, Inline<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a> Extend<Inline<'a>> for Para<'a> {
    fn extend<I: IntoIterator<Item = Inline<'a>>>(&mut self, inlines: I) {
        for inline in inlines {
            self.push(inline);
        }
    }
}

/// A paragraph of these runs.
pub(crate) fn para<'a, const N: usize>(inlines: [Inline<'a>; N]) -> Para<'a> {
    let mut inlines = inlines.into_iter();
    match (N, inlines.next()) {
        (1, Some(only)) => Para::One(only),
        (_, first) => Para::Many(first.into_iter().chain(inlines).collect()),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block<'a> {
    /// A part's title: the report's, then `For your clinician`.
    Title(Para<'a>),
    /// A section heading within a part.
    Heading(Para<'a>),
    Para(Para<'a>),
    /// Something the reader must not miss: boxed in text, a quote block in
    /// Markdown.
    Alert {
        heading: Para<'a>,
        body: Vec<Block<'a>>,
    },
    /// Each item is one paragraph.
    List {
        numbered: bool,
        items: Vec<Para<'a>>,
    },
    /// Numbered entries with a title and a body: list items in text,
    /// small sections in Markdown.
    Entries(Vec<(Para<'a>, Vec<Block<'a>>)>),
    /// A block made of the questionnaire's own entries, built by
    /// [`Piece::block`] when it is written. Its entries' HTML depends on
    /// the questionnaire alone, so HTML with prepared texts copies the
    /// rendering of each, made once (see `prepared`), instead of building
    /// and writing it again on every page.
    Piece(Piece<'a>),
}

/// A block built from entries of the questionnaire chosen for a report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Piece<'a> {
    /// The sources cited, a list item each ([`source_item`]).
    Sources(&'a [SourceEntry<'a>]),
    /// The plan's entries ([`recommendation`]) among the recommendations
    /// chosen ([`planned`]).
    Plan { chosen: &'a [Chosen<'a>], trim: Trim },
    /// The recommendations chosen ([`recommendation_trace`]), then those
    /// withheld ([`withheld_item`]), a list item each.
    Recommendations { chosen: &'a [Chosen<'a>], withheld: &'a [Withheld<'a>], trim: Trim },
    /// Every answer given, `question = answer` each ([`answer`]), in one
    /// paragraph ([`given`]).
    Answers(&'a [Shown<'a>]),
}

impl<'a> Piece<'a> {
    /// The block the piece stands for: what every renderer writes.
    pub(crate) fn block(self) -> Block<'a> {
        match self {
            Piece::Sources(sources) => {
                Block::List { numbered: false, items: sources.iter().map(source_item).collect() }
            }
            Piece::Plan { chosen, trim } => Block::Entries(
                chosen
                    .iter()
                    .filter(|chosen| planned(chosen))
                    .map(|chosen| recommendation(chosen, trim))
                    .collect(),
            ),
            Piece::Recommendations { chosen, withheld, trim } => Block::List {
                numbered: false,
                items: chosen
                    .iter()
                    .map(|chosen| recommendation_trace(chosen, trim))
                    .chain(withheld.iter().map(withheld_item))
                    .collect(),
            },
            Piece::Answers(shown) => Block::Para(given(shown)),
        }
    }
}

/// The two parts of a report.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outline<'a> {
    /// The person's part: the action first, plain words only.
    pub person: Vec<Block<'a>>,
    /// The part under the title `For your clinician`, which starts it.
    pub clinician: Vec<Block<'a>>,
}

/// The title of the clinician's part, exactly.
pub(crate) const FOR_YOUR_CLINICIAN: &str = "For your clinician";

/// How many reasons the person's part gives; the rest are named as a
/// number, and listed in the clinician's part.
const MAX_REASONS: usize = 3;

/// The most words the person's part may have at `level`, counted as a
/// reader counts them: the runs of letters or digits between spaces,
/// slashes and dashes, list numbers included. A report needing help today
/// or now says only what the person must do; below that the plan shares
/// the budget with the reasons, the reassurance and the safety net.
pub(crate) fn budget(level: Level) -> usize {
    match level {
        Level::Emergency => 200,
        Level::Urgent => 350,
        Level::Soon | Level::SelfCare => 750,
    }
}

/// What the person's part leaves to the clinician's part to keep to its
/// budget, each step keeping what the ones before it left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Trim {
    /// Everything.
    Nothing,
    /// What the answers suggest, domain by domain: a pointer line stays,
    /// and each domain's explanation joins its score.
    Suggestions,
    /// The reasons after the first (and after every `foremost` one):
    /// counted in a line, listed with their rules.
    Reasons,
    /// Why each reassurance was chosen: listed with the recommendations.
    Reassurance,
    /// What each referral in the plan is about (its title stays): listed
    /// with the recommendations.
    Referrals,
    /// At `urgent`, the notices after the first (the first says why there
    /// is no plan): their plan limits are listed with what they withheld.
    Notices,
    /// The approaches a person may read about: listed with their evidence
    /// as contested approaches.
    Contested,
    /// Each exercise's next step, which matters only weeks on (the
    /// exercise and its steps stay): given with the recommendations, as
    /// its progression.
    Progressions,
}

impl Trim {
    const ALL: [Trim; 8] = [
        Trim::Nothing,
        Trim::Suggestions,
        Trim::Reasons,
        Trim::Reassurance,
        Trim::Referrals,
        Trim::Notices,
        Trim::Contested,
        Trim::Progressions,
    ];
}

/// Builds both parts of a report, the person's within its level's budget
/// where trimming can bring it there.
pub(crate) fn outline<'a>(report: &'a Report<'_>) -> Outline<'a> {
    outline_with(report, Texts::default())
}

/// [`outline`], counting words with the questionnaire's prepared texts.
pub(crate) fn outline_with<'a>(report: &'a Report<'_>, texts: Texts<'_>) -> Outline<'a> {
    outline_within(report, budget(report.triage.level), texts)
}

/// Both parts, with the person's trimmed no further than it takes to keep
/// to `budget` words (or as far as it goes).
pub(crate) fn outline_within<'a>(report: &'a Report<'_>, budget: usize, texts: Texts<'_>) -> Outline<'a> {
    let mut trim = Trim::Nothing;
    let mut part = person(report, trim);
    for further in Trim::ALL.into_iter().skip(1) {
        if fits(&part, budget, texts) {
            break;
        }
        trim = further;
        part = person(report, trim);
    }
    Outline { person: part, clinician: clinician(report, trim) }
}

/// How many words the blocks hold as rendered: a numbered list item or
/// entry adds its number.
pub(crate) fn words(blocks: &[Block<'_>]) -> usize {
    words_with(blocks, Texts::default())
}

fn words_with(blocks: &[Block<'_>], texts: Texts<'_>) -> usize {
    count(blocks, &|para: &Para<'_>| para_words(para, texts), &|piece| texts.piece_words(piece))
}

/// Whether the blocks hold at most `budget` words. Most reports are well
/// within their budget, which a quick bound on their words shows; only a
/// report near it or over it has its words counted one by one. Prepared
/// texts are counted already, so with them the count is exact at once.
fn fits(blocks: &[Block<'_>], budget: usize, texts: Texts<'_>) -> bool {
    (!texts.prepared() && count(blocks, &para_words_at_most, &|_| None) <= budget)
        || words_with(blocks, texts) <= budget
}

/// The sum over the blocks of what `para` counts in each paragraph, plus
/// the number of each numbered list item or entry; a piece counted by
/// `piece` where it knows it (counted once already), built otherwise.
fn count(
    blocks: &[Block<'_>],
    para: &impl Fn(&Para<'_>) -> usize,
    piece: &impl Fn(&Piece<'_>) -> Option<usize>,
) -> usize {
    blocks
        .iter()
        .map(|block| match block {
            Block::Title(p) | Block::Heading(p) | Block::Para(p) => para(p),
            Block::Alert { heading, body } => para(heading) + count(body, para, piece),
            Block::List { numbered, items } => {
                items.iter().map(|item| para(item) + usize::from(*numbered)).sum()
            }
            Block::Entries(entries) => {
                entries.iter().map(|(title, body)| 1 + para(title) + count(body, para, piece)).sum()
            }
            Block::Piece(built) => piece(built).unwrap_or_else(|| count(&[built.block()], para, piece)),
        })
        .sum()
}

/// At least as many as [`para_words`]: every word but the last ends at a
/// separator, and every separator is an ASCII one or a character of
/// several bytes. Counting those bytes is a comparison per byte without
/// branches, which the compiler does many bytes at once.
fn para_words_at_most(para: &Para<'_>) -> usize {
    let ends: usize = para
        .iter()
        .map(|inline| {
            inline
                .as_str()
                .bytes()
                .map(|b| {
                    usize::from(
                        b == b' ' || (b'\t'..=b'\r').contains(&b) || b == b'/' || b == b'-' || b >= 0xC0,
                    )
                })
                .sum::<usize>()
        })
        .sum();
    ends + 1
}

/// The words of a paragraph's runs read as one line: the runs of
/// characters between spaces, slashes and dashes that hold a letter or a
/// digit. A word may go on from one run into the next, so each run's
/// [`Words`] say how it joins the one before; a questionnaire's prepared
/// texts have theirs counted already.
fn para_words(para: &Para<'_>, texts: Texts<'_>) -> usize {
    let mut count = 0;
    let mut open = false;
    for inline in para {
        let words = match inline {
            Inline::Fixed(fixed) => fixed.words,
            Inline::Text(s) | Inline::Strong(s) | Inline::Code(s) | Inline::Link(s) => texts.words(s),
        };
        words.read(&mut count, &mut open);
    }
    count + usize::from(open)
}

/// The words of a run of text read on its own, in a form that joins runs
/// as reading them as one line would: a word cut by the end of one run
/// goes on into the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Words {
    /// Whether the run has a separator in it.
    separated: bool,
    /// Whether a letter or digit comes before the first separator (in the
    /// whole run, when it has none).
    head: bool,
    /// The words that end at a separator after the first.
    inner: usize,
    /// Whether a letter or digit comes after the last separator.
    tail: bool,
}

impl Words {
    pub(crate) fn of(text: &str) -> Words {
        let mut counting = Counting::new();
        for (at, &byte) in text.as_bytes().iter().enumerate() {
            counting.read(match BYTE_CLASS[usize::from(byte)] {
                // A character of several bytes, read whole at its first;
                // its other bytes are `OTHER` and change nothing.
                LEADING => text.get(at..).and_then(|rest| rest.chars().next()).map_or(OTHER, |c| {
                    if c.is_whitespace() || matches!(c, '–' | '—') {
                        SEPARATOR
                    } else if c.is_alphanumeric() {
                        ALPHANUMERIC
                    } else {
                        OTHER
                    }
                }),
                class => class,
            });
        }
        counting.words()
    }

    /// [`Words::of`] an ASCII text, when the program is compiled (fixed
    /// words): a text with a byte beyond ASCII does not compile.
    pub(crate) const fn of_ascii(text: &str) -> Words {
        let bytes = text.as_bytes();
        let mut counting = Counting::new();
        let mut at = 0;
        while at < bytes.len() {
            assert!(bytes[at].is_ascii(), "fixed words beyond ASCII");
            counting.read(BYTE_CLASS[bytes[at] as usize]);
            at += 1;
        }
        counting.words()
    }

    /// Reads the run after what came before it: `count` words ended so
    /// far, and whether the word going on (`open`) has a letter or digit.
    fn read(self, count: &mut usize, open: &mut bool) {
        if self.separated {
            *count += usize::from(*open || self.head) + self.inner;
            *open = self.tail;
        } else {
            *open |= self.head;
        }
    }
}

/// [`Words`] being counted, a character class at a time.
struct Counting {
    words: Words,
    /// Whether the word going on has a letter or digit.
    open: bool,
}

impl Counting {
    const fn new() -> Counting {
        Counting { words: Words { separated: false, head: false, inner: 0, tail: false }, open: false }
    }

    const fn read(&mut self, class: u8) {
        if class == SEPARATOR {
            if self.words.separated {
                self.words.inner += self.open as usize;
            } else {
                self.words.head = self.open;
                self.words.separated = true;
            }
            self.open = false;
        } else {
            self.open |= class == ALPHANUMERIC;
        }
    }

    const fn words(mut self) -> Words {
        if self.words.separated {
            self.words.tail = self.open;
        } else {
            self.words.head = self.open;
        }
        self.words
    }
}

/// What a byte is to [`Words::of`]: ASCII is classed by a table, so that
/// most text is counted a byte at a time without decoding it.
const OTHER: u8 = 0;
const SEPARATOR: u8 = 1;
const ALPHANUMERIC: u8 = 2;
/// The first byte of a character of several bytes.
const LEADING: u8 = 3;
const BYTE_CLASS: [u8; 256] = {
    let mut classes = [OTHER; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        classes[byte] = if matches!(b, b'\t'..=b'\r' | b' ' | b'/' | b'-') {
            SEPARATOR
        } else if b.is_ascii_alphanumeric() {
            ALPHANUMERIC
        } else if b >= 0xC0 {
            LEADING
        } else {
            OTHER
        };
        byte += 1;
    }
    classes
};

/// Both parts as one run of blocks, the person's first: the clinician's
/// part starts with its own title.
pub(crate) fn document<'a>(report: &'a Report<'_>) -> Vec<Block<'a>> {
    let Outline { mut person, clinician } = outline(report);
    person.extend(clinician);
    person
}

fn person<'a>(report: &'a Report<'_>, trim: Trim) -> Vec<Block<'a>> {
    let level = report.triage.level;
    // Room for every section at every level, so that it is not copied as
    // it grows.
    let mut doc = Vec::with_capacity(48);
    doc.push(Block::Title(para([text(&report.questionnaire.title)])));
    action(report, &mut doc);
    doc.push(Block::Para(para([text(&report.disclaimer)])));
    why(report, trim, &mut doc);
    if level < Level::Emergency {
        unanswered_signs(report, &mut doc);
    }
    if level == Level::Urgent {
        tell_the_doctor(&mut doc);
        other_advice(report, trim, &mut doc);
    }
    if level < Level::Urgent {
        good_to_know(report, trim, &mut doc);
        plan(report, trim, &mut doc);
        suggestions(report, trim, &mut doc);
        if trim < Trim::Contested {
            contested(report, &mut doc);
        }
    }
    safety_net(report, &mut doc);
    doc
}

/// What to do: in a box at `urgent` and above.
fn action<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    let triage = &report.triage;
    let action = Block::Para(para([text(&triage.action)]));
    if triage.level >= Level::Urgent {
        doc.push(Block::Alert { heading: para([strong(&triage.title)]), body: vec![action] });
    } else {
        doc.push(Block::Heading(para([fixed!("What to do: "), text(&triage.title)])));
        doc.push(action);
    }
}

/// The reasons at the final level, at most [`MAX_REASONS`] (one at
/// `emergency`, where the action is the whole message, and when trimmed);
/// warning signs left unanswered count as one reason, listed by name
/// further on. Reasons marked `foremost` come first, each in its own words
/// whatever the limit or the trim: they are never counted among the rest.
fn why<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    let level = report.triage.level;
    let max_reasons = if level == Level::Emergency || trim >= Trim::Reasons { 1 } else { MAX_REASONS };
    let mut at_level: Vec<&Reason> = report.triage.reasons.iter().filter(|r| r.level == level).collect();
    // Foremost first; a stable sort keeps the order of evaluation otherwise.
    at_level.sort_by_key(|reason| !reason.foremost);
    // With no reason at its level (self-care), there is no why to give.
    if at_level.is_empty() {
        return;
    }
    let mut items: Vec<Para<'a>> = Vec::with_capacity(MAX_REASONS + 2);
    let mut unanswered = false;
    let mut more = report.triage.reasons.len() - at_level.len();
    for reason in at_level {
        if reason.foremost {
            items.push(reason_words(reason));
        } else if unanswered_sign(report, reason) {
            // Trimmed, the signs not answered count as one of the rest,
            // so that the first reason shown is a sign that was answered:
            // their own section names them.
            if !unanswered && level < Level::Emergency && trim >= Trim::Reasons {
                more += 1;
            } else if !unanswered && level < Level::Emergency {
                items.push(para([fixed!(
                    "Some warning signs were not answered, so they could not be ruled out.",
                )]));
            }
            unanswered = true;
        } else if items.len() < max_reasons {
            items.push(reason_words(reason));
        } else {
            more += 1;
        }
    }
    // At `emergency` the action is the whole message.
    match if level == Level::Emergency { 0 } else { more } {
        0 => {}
        1 => items.push(para([fixed!("and 1 more, listed for your clinician")])),
        n => items.push(para([lit(format!("and {n} more, listed for your clinician"))])),
    }
    doc.push(Block::Heading(para([fixed!("Why")])));
    doc.push(Block::List { numbered: false, items });
}

/// A reason in plain words, led by the sign it is about when it is a red
/// flag's (its own words may say only "this warning sign").
fn reason_words<'a>(reason: &'a Reason<'_>) -> Para<'a> {
    match &reason.sign {
        Some(sign) => para([strong_owned(capitalized(sign)), fixed!(": "), text(&reason.because)]),
        None => para([text(&reason.because)]),
    }
}

fn capitalized(words: &str) -> String {
    let mut chars = words.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Whether the reason is a red flag that was not answered.
fn unanswered_sign(report: &Report<'_>, reason: &Reason<'_>) -> bool {
    matches!(reason.answers.as_slice(), [Shown { question, answer: None }]
        if report.unanswered_red_flags.contains(question))
}

/// The warning signs not answered, by name: they raised the level and a
/// clinician should ask about them.
fn unanswered_signs<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.unanswered_red_flags.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Warning signs not answered")])));
    doc.push(Block::Para(para([fixed!(
        "A missing answer is never taken as a no. Answer these, or ask a clinician about them:",
    )])));
    let items = report.unanswered_red_flags.iter().map(|id| para([question_words(report, id)])).collect();
    doc.push(Block::List { numbered: false, items });
}

/// At `urgent`: what to bring to the appointment.
fn tell_the_doctor(doc: &mut Vec<Block<'_>>) {
    doc.push(Block::Heading(para([fixed!("What to tell the doctor")])));
    doc.push(Block::Para(para([fixed!(
        "Show the doctor this report, and say when it started. Its last part lists every answer.",
    )])));
}

/// At `urgent`: advice that is not exercise, and why there is no plan.
fn other_advice<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    let shown = if trim >= Trim::Notices { 1 } else { report.notices.len() };
    let notices = report.notices.iter().take(shown).map(|notice| Block::Para(para([text(&notice.text)])));
    doc.extend(notices);
}

pub(crate) fn is_exercise(kind: RecommendationKind) -> bool {
    matches!(kind, RecommendationKind::Strength | RecommendationKind::Stretch)
}

/// What most people need to hear first: the education entries, each with
/// why it was chosen, so that what the answers call for (such as a worry
/// about harm) is said to the person too, unless trimmed.
fn good_to_know<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    let education: Vec<&Chosen> =
        report.recommendations.iter().filter(|c| c.kind == RecommendationKind::Education).collect();
    if education.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Good to know")])));
    for chosen in education {
        doc.push(Block::Para(para([text(&chosen.summary)])));
        if trim < Trim::Reassurance {
            doc.push(Block::Para(para([text(&chosen.why)])));
        }
    }
}

/// The plan: the entries in it, the further options named once, then the
/// notes chosen for it (one stop rule, said once).
fn plan<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    doc.push(Block::Heading(para([fixed!("Your plan")])));
    if let Some(note) = &report.triage.plan_note {
        doc.push(Block::Para(para([text(note)])));
    }
    doc.extend(report.notices.iter().map(|notice| Block::Para(para([text(&notice.text)]))));
    if report.recommendations.iter().any(planned) {
        doc.push(Block::Piece(Piece::Plan { chosen: &report.recommendations, trim }));
    } else {
        doc.push(Block::Para(para([fixed!("Nothing in the catalogue was chosen from these answers.")])));
    }
    let further: Vec<&Chosen> = report.recommendations.iter().filter(|c| !c.in_plan).collect();
    if !further.is_empty() {
        let mut para = growing([fixed!("Also suited to you, once these feel easy: ")], 2 * further.len());
        for (i, chosen) in further.iter().enumerate() {
            if i > 0 {
                para.push(if i + 1 == further.len() { fixed!(" and ") } else { fixed!(", ") });
            }
            para.push(text(&chosen.title));
        }
        para.push(fixed!("."));
        doc.push(Block::Para(para));
    }
    doc.extend(notes(report, NotePlace::Plan));
}

/// The notes chosen for `place`, a paragraph each.
fn notes<'a>(report: &'a Report<'_>, place: NotePlace) -> impl Iterator<Item = Block<'a>> {
    report
        .notes
        .iter()
        .filter(move |note| note.place == place)
        .map(|note| Block::Para(para([text(&note.text)])))
}

/// Whether a recommendation chosen is one of the plan's entries.
pub(crate) fn planned(chosen: &Chosen<'_>) -> bool {
    chosen.kind != RecommendationKind::Education && chosen.in_plan
}

/// A recommendation as the person reads it: what, how much, and for an
/// exercise, how and how to progress; a habit or a programme is said in its
/// summary and dose. A referral trimmed away keeps its title alone.
pub(crate) fn recommendation<'a>(chosen: &'a Chosen<'_>, trim: Trim) -> (Para<'a>, Vec<Block<'a>>) {
    let title = para([strong(&chosen.title)]);
    let mut body = Vec::with_capacity(4);
    if entry_summary(chosen, trim) {
        body.push(Block::Para(para([text(&chosen.summary)])));
    }
    if let Some(dose) = &chosen.dose {
        body.push(Block::Para(para([strong("How much:"), fixed!(" "), text(dose)])));
    }
    if is_exercise(chosen.kind) && !chosen.how_to.is_empty() {
        let steps = chosen.how_to.iter().map(|step| para([text(step)])).collect();
        body.push(Block::List { numbered: true, items: steps });
    }
    if let Some(progression) = chosen.progression.as_ref().filter(|_| entry_progression(chosen, trim)) {
        body.push(Block::Para(para([strong("Next step:"), fixed!(" "), text(progression)])));
    }
    (title, body)
}

/// Whether a plan entry says its next step: an exercise's does, but
/// trimmed away.
pub(crate) fn entry_progression(chosen: &Chosen<'_>, trim: Trim) -> bool {
    is_exercise(chosen.kind) && trim < Trim::Progressions
}

/// Whether a plan entry says its summary: all do, but a referral trimmed
/// away.
pub(crate) fn entry_summary(chosen: &Chosen<'_>, trim: Trim) -> bool {
    !(trim >= Trim::Referrals && chosen.kind == RecommendationKind::Professional)
}

/// A sentence or two per domain that found something (a score above
/// nothing, or a band without a score), without numbers; how each is
/// scored is in the clinician's part. When trimmed, a line says where they
/// are, if that line is the shorter.
fn suggestions<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    let Some(list) = suggestion_list(report) else {
        return;
    };
    doc.push(Block::Heading(para([fixed!("What your answers suggest")])));
    doc.push(if suggestions_moved(report, trim) { suggestions_pointer() } else { list });
}

/// The domains that found something, with their explanations; none when
/// no domain did.
fn suggestion_list<'a>(report: &'a Report<'_>) -> Option<Block<'a>> {
    let items: Vec<Para<'a>> = report
        .domains
        .iter()
        .filter(|domain| domain.score.map_or(domain.band.is_some(), |score| score > 0.0))
        .map(|domain| para([strong(&domain.title), fixed!(": "), text(&domain.explanation)]))
        .collect();
    (!items.is_empty()).then_some(Block::List { numbered: false, items })
}

fn suggestions_pointer() -> Block<'static> {
    Block::Para(para([fixed!("It is listed, area by area, for your clinician.")]))
}

/// Whether the explanations leave the person's part for the clinician's:
/// when trimmed, and only if the line pointing to them is the shorter.
fn suggestions_moved(report: &Report<'_>, trim: Trim) -> bool {
    trim >= Trim::Suggestions
        && suggestion_list(report).is_some_and(|list| words(&[suggestions_pointer()]) < words(&[list]))
}

fn contested<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.contested.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Approaches you may read about")])));
    let items = report
        .contested
        .iter()
        .map(|entry| {
            para([
                strong(&entry.title),
                fixed!(" ("),
                text(&entry.label),
                fixed!("): "),
                text(&entry.summary),
            ])
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

/// The notes chosen to stand beside the safety net (such as a maternity
/// notice), then the safety net, the same for everyone, tier by tier. At
/// `emergency` the notes stay in the clinician's part: there the action,
/// its reason and the safety net are the whole message.
fn safety_net<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    let notes = report.notes.iter().filter(|note| note.place == NotePlace::SafetyNet);
    for note in notes.filter(|_| report.triage.level < Level::Emergency) {
        doc.push(Block::Alert {
            heading: para([strong("Also for you")]),
            body: vec![Block::Para(para([text(&note.text)]))],
        });
    }
    doc.push(Block::Heading(para([fixed!("Safety net")])));
    if let Some(intro) = &report.safety_net_intro {
        doc.push(Block::Para(para([strong(intro)])));
    }
    let items = report.safety_net.iter().map(|line| para([text(line)])).collect();
    doc.push(Block::List { numbered: false, items });
    for tier in &report.safety_net_tiers {
        doc.push(Block::Para(para([strong(&tier.intro)])));
        let items = tier.signs.iter().map(|line| para([text(line)])).collect();
        doc.push(Block::List { numbered: false, items });
    }
}

fn clinician<'a>(report: &'a Report<'_>, trim: Trim) -> Vec<Block<'a>> {
    let triage = &report.triage;
    // Room for every section, so that it is not copied as it grows.
    let mut doc = Vec::with_capacity(20);
    doc.extend([
        Block::Title(para([fixed!(FOR_YOUR_CLINICIAN)])),
        Block::Para(para([
            fixed!("Questionnaire "),
            code(&report.questionnaire.id),
            fixed!(", version "),
            text(&report.questionnaire.version),
            fixed!(". Level "),
            code(triage.level.as_str()),
            fixed!(": "),
            text(&triage.title),
            fixed!("."),
        ])),
        Block::Para(para([text(&report.intended_purpose)])),
        Block::Para(para([text(&report.disclaimer)])),
    ]);
    rules(report, &mut doc);
    answers(report, &mut doc);
    scores(report, trim, &mut doc);
    chosen(report, trim, &mut doc);
    contested_evidence(report, trim, &mut doc);
    sources(report, &mut doc);
    doc
}

/// Every rule that fired, with its level, the answers it read and its
/// sources.
fn rules<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    doc.push(Block::Heading(para([fixed!("Rules that fired")])));
    if report.triage.reasons.is_empty() {
        doc.push(Block::Para(para([fixed!("None.")])));
        return;
    }
    let items = report
        .triage
        .reasons
        .iter()
        .map(|reason| {
            let mut para = growing(
                [code(&reason.rule), fixed!(" ("), code(reason.level.as_str()), fixed!("): ")],
                4 + 4 * reason.answers.len() + 2 * reason.sources.len(),
            );
            para.push(text(&reason.because));
            if !reason.answers.is_empty() {
                para.push(fixed!(" Read: "));
                for (i, shown) in reason.answers.iter().enumerate() {
                    if i > 0 {
                        para.push(fixed!(", "));
                    }
                    answer(shown, &mut para);
                }
                para.push(fixed!("."));
            }
            cite(&reason.sources, &mut para);
            para
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

/// Every answer given, the questions not answered, the answers ignored.
fn answers<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    doc.push(Block::Heading(para([fixed!("Answers")])));
    if report.answers.is_empty() {
        doc.push(Block::Para(para([fixed!("No question was answered.")])));
    } else {
        doc.push(Block::Piece(Piece::Answers(&report.answers)));
    }
    let other_unanswered: Vec<&Cow<'_, str>> =
        report.unanswered.iter().filter(|id| !report.unanswered_red_flags.contains(id)).collect();
    let red_flags: Vec<&Cow<'_, str>> = report.unanswered_red_flags.iter().collect();
    let ignored: Vec<&Cow<'_, str>> = report.ignored_answers.iter().collect();
    let lists = [
        (fixed!("Warning signs not answered (each raised the level): "), red_flags),
        (fixed!("Other questions not answered: "), other_unanswered),
        (fixed!("Answers ignored, because their question did not apply: "), ignored),
    ];
    for (label, ids) in lists {
        if ids.is_empty() {
            continue;
        }
        let mut para = growing([label], 1 + 2 * ids.len());
        for (i, id) in ids.into_iter().enumerate() {
            if i > 0 {
                para.push(fixed!(", "));
            }
            para.push(code(id));
        }
        para.push(fixed!("."));
        doc.push(Block::Para(para));
    }
}

/// The scores with their numbers; with the explanations too when the
/// person's part leaves them out.
fn scores<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    if report.domains.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Scores")])));
    let moved = suggestions_moved(report, trim);
    let items = report
        .domains
        .iter()
        .map(|domain| {
            let mut para = growing([strong(&domain.title), fixed!(" ("), code(&domain.id), fixed!("): ")], 8);
            if let Some(score) = domain.score {
                let mut numbers = String::with_capacity(12);
                number::push_f64(&mut numbers, score);
                if let Some(max) = domain.max {
                    numbers.push_str(" of ");
                    number::push_f64(&mut numbers, max);
                }
                para.push(lit(numbers));
            } else {
                para.push(fixed!("not scored"));
            }
            if let Some(band) = &domain.band {
                para.extend([fixed!(", band "), code(band)]);
            }
            let mut answered = String::with_capacity(24);
            answered.push_str(", from ");
            number::push_i64(&mut answered, i64::try_from(domain.answered).unwrap_or(i64::MAX));
            answered.push_str(if domain.answered == 1 { " answer." } else { " answers." });
            para.push(lit(answered));
            if moved && !domain.explanation.is_empty() {
                para.extend([fixed!(" "), text(&domain.explanation)]);
            }
            if let Some(note) = &domain.note {
                para.extend([fixed!(" "), text(note)]);
            }
            para
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

/// What the catalogue chose, with the evidence and why; what a plan limit
/// withheld; and the plan's full details (doses, progressions, stop rules).
fn chosen<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    if report.recommendations.is_empty() && report.withheld.is_empty() && report.notes.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Recommendations")])));
    doc.push(Block::Piece(Piece::Recommendations {
        chosen: &report.recommendations,
        withheld: &report.withheld,
        trim,
    }));
    if !report.notes.is_empty() {
        let mut para = growing([fixed!("Notes chosen: ")], 1 + 3 * report.notes.len());
        for (i, note) in report.notes.iter().enumerate() {
            if i > 0 {
                para.push(fixed!(", "));
            }
            para.extend([
                code(&note.id),
                match (note.place, report.triage.level) {
                    // The person's part at `emergency` is the action, its
                    // reason and the safety net alone.
                    (NotePlace::SafetyNet, Level::Emergency) => {
                        fixed!(" (beside the safety net, but not shown at emergency)")
                    }
                    (NotePlace::SafetyNet, _) => fixed!(" (beside the safety net)"),
                    (NotePlace::Plan, _) => fixed!(" (beside the plan)"),
                },
            ]);
        }
        para.push(fixed!("."));
        doc.push(Block::Para(para));
    }
}

/// A recommendation chosen, as the trace lists it: [`trace_before`],
/// [`trace_why`], then [`trace_after`].
pub(crate) fn recommendation_trace<'a>(chosen: &'a Chosen<'_>, trim: Trim) -> Para<'a> {
    let mut para = growing(trace_before(chosen), 12 + 2 * chosen.sources.len());
    para.extend(trace_why(chosen));
    trace_after(chosen, trim, &mut para);
    para
}

/// What the trace says of a recommendation before why it was chosen: its
/// id, kind and evidence, and whether it is in the plan. The
/// questionnaire's words alone.
pub(crate) fn trace_before<'a>(chosen: &'a Chosen<'_>) -> [Inline<'a>; 5] {
    [
        code(&chosen.id),
        lit(format!(" ({}, evidence ", chosen.kind.as_str())),
        text(&chosen.evidence),
        if chosen.in_plan { fixed!(")") } else { fixed!(", named as a further option)") },
        fixed!(": "),
    ]
}

/// Why it was chosen: the words of the rules the answers met.
pub(crate) fn trace_why<'a>(chosen: &'a Chosen<'_>) -> impl Iterator<Item = Inline<'a>> {
    sentence_runs(&chosen.why)
}

/// What the trace says of a recommendation after why it was chosen: the
/// summary of a referral the person's part trimmed, the evidence, the
/// progression and the sources. The questionnaire's words alone, given
/// whether [`trace_summary`] says the summary is there.
pub(crate) fn trace_after<'a>(chosen: &'a Chosen<'_>, trim: Trim, para: &mut Para<'a>) {
    if trace_summary(chosen, trim) {
        para.push(fixed!(" Summary: "));
        sentence(para, &chosen.summary);
    }
    if let Some(note) = &chosen.evidence_note {
        para.push(fixed!(" Evidence: "));
        sentence(para, note);
    }
    if let Some(progression) = &chosen.progression {
        para.push(fixed!(" Progression: "));
        sentence(para, progression);
    }
    cite(&chosen.sources, para);
}

/// Whether the trace gives a recommendation's summary: a referral in the
/// plan whose summary the person's part left out.
pub(crate) fn trace_summary(chosen: &Chosen<'_>, trim: Trim) -> bool {
    trim >= Trim::Referrals && chosen.kind == RecommendationKind::Professional && chosen.in_plan
}

/// A recommendation a plan limit withheld, as the trace lists it.
pub(crate) fn withheld_item<'a>(withheld: &'a Withheld<'_>) -> Para<'a> {
    para([
        code(&withheld.id),
        fixed!(" (withheld by "),
        code(&withheld.by),
        lit(format!(": a {} entry).", withheld.kind.as_str())),
    ])
}

/// The contested approaches the person's part names, with the evidence in
/// detail (the person reads only the summary) and its sources; with their
/// titles and summaries too where the person's part left them out.
fn contested_evidence<'a>(report: &'a Report<'_>, trim: Trim, doc: &mut Vec<Block<'a>>) {
    if report.contested.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Contested approaches")])));
    let moved = trim >= Trim::Contested;
    let items = report
        .contested
        .iter()
        .map(|entry| {
            let mut para = growing(
                [code(&entry.id), fixed!(" ("), text(&entry.label), fixed!("): ")],
                7 + 2 * entry.sources.len(),
            );
            if moved {
                sentence(&mut para, &entry.title);
                para.push(fixed!(" "));
            }
            sentence(&mut para, entry.evidence_note.as_deref().unwrap_or(&entry.summary));
            if moved && entry.evidence_note.is_some() {
                para.push(fixed!(" Summary: "));
                sentence(&mut para, &entry.summary);
            }
            cite(&entry.sources, &mut para);
            para
        })
        .collect();
    doc.push(Block::List { numbered: false, items });
}

fn sources<'a>(report: &'a Report<'_>, doc: &mut Vec<Block<'a>>) {
    if report.sources.is_empty() {
        return;
    }
    doc.push(Block::Heading(para([fixed!("Sources")])));
    doc.push(Block::Piece(Piece::Sources(&report.sources)));
}

/// A source as its list item: its id, its citation and its address.
pub(crate) fn source_item<'a>(source: &'a SourceEntry<'_>) -> Para<'a> {
    let mut para = growing([code(&source.id), fixed!(": "), text(&source.citation)], 2);
    if let Some(url) = &source.url {
        para.extend([fixed!(" "), Inline::Link(Cow::Borrowed(url))]);
    }
    para
}

/// A question by the plain name of its sign, or its wording, for the
/// person; its id if it has neither.
fn question_words<'a>(report: &'a Report<'_>, id: &'a str) -> Inline<'a> {
    match report.question_texts.iter().find(|q| q.id == id) {
        Some(q) => text(q.sign.as_deref().unwrap_or(&q.text)),
        None => text(id),
    }
}

/// "Given: " and the answers, each [`answer`], between [`BETWEEN`]s.
fn given<'a>(answers: &'a [Shown<'_>]) -> Para<'a> {
    let mut para = growing([GIVEN], 1 + 4 * answers.len());
    for (i, shown) in answers.iter().enumerate() {
        if i > 0 {
            para.push(BETWEEN);
        }
        answer(shown, &mut para);
    }
    para.push(GIVEN_END);
    para
}

/// The words before the answers given, between two of them, and after.
pub(crate) const GIVEN: Inline<'static> = fixed!("Given: ");
pub(crate) const BETWEEN: Inline<'static> = fixed!(", ");
pub(crate) const GIVEN_END: Inline<'static> = fixed!(".");

/// `question` = `answer`, or that there was none, at the end of `para`.
pub(crate) fn answer<'a>(shown: &'a Shown<'_>, para: &mut Para<'a>) {
    let value = match &shown.answer {
        None => {
            para.extend([code(&shown.question), fixed!(" unanswered")]);
            return;
        }
        Some(Given::Option(id)) => Inline::Code(Cow::Borrowed(id)),
        Some(Given::Number(number)) => Inline::Code(Cow::Owned(number.to_string())),
    };
    para.extend([code(&shown.question), fixed!(" = "), value]);
}

/// `words`, with a full stop if they end without one.
fn sentence<'a>(para: &mut Para<'a>, words: &'a str) {
    para.extend(sentence_runs(words));
}

/// The runs of [`sentence`]: the words, then a full stop if they end
/// without one.
fn sentence_runs(words: &str) -> impl Iterator<Item = Inline<'_>> {
    let stop = !words.trim_end().ends_with(['.', '!', '?']);
    std::iter::once(text(words)).chain(stop.then_some(fixed!(".")))
}

/// " Sources: a, b." after a paragraph, when there are any.
fn cite<'a>(sources: &'a [impl AsRef<str>], para: &mut Para<'a>) {
    if sources.is_empty() {
        return;
    }
    para.push(fixed!(" Sources: "));
    for (i, source) in sources.iter().enumerate() {
        if i > 0 {
            para.push(fixed!(", "));
        }
        para.push(code(source.as_ref()));
    }
    para.push(fixed!("."));
}

/// A paragraph that starts with `first` and has room for `more` runs, so
/// that it is not copied as it grows: a report builds a few hundred.
fn growing<'a, const N: usize>(first: [Inline<'a>; N], more: usize) -> Para<'a> {
    let mut inlines = Vec::with_capacity(N + more);
    inlines.extend(first);
    Para::Many(inlines)
}

fn text(s: &str) -> Inline<'_> {
    Inline::Text(Cow::Borrowed(s))
}

fn strong(s: &str) -> Inline<'_> {
    Inline::Strong(Cow::Borrowed(s))
}

fn strong_owned<'a>(s: String) -> Inline<'a> {
    Inline::Strong(Cow::Owned(s))
}

fn code(s: &str) -> Inline<'_> {
    Inline::Code(Cow::Borrowed(s))
}

/// The renderer's own words made up as the report is written (fixed ones
/// are [`fixed!`]).
fn lit<'a>(s: String) -> Inline<'a> {
    Inline::Text(Cow::Owned(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The count as plainly as it can be written: the runs joined into
    /// one line, split, and the pieces with a letter or digit counted.
    fn para_words_joined(para: &Para<'_>) -> usize {
        let line: String = para
            .iter()
            .map(|inline| match inline {
                Inline::Text(s) | Inline::Strong(s) | Inline::Code(s) | Inline::Link(s) => s.as_ref(),
                Inline::Fixed(fixed) => fixed.text,
            })
            .collect();
        line.split(|c: char| c.is_whitespace() || matches!(c, '/' | '–' | '—' | '-'))
            .filter(|word| word.chars().any(char::is_alphanumeric))
            .count()
    }

    proptest::proptest! {
        #[test]
        fn counts_words_as_the_joined_line_has_them(
            runs in proptest::collection::vec("(?s)(.|[ /\u{2013}\u{2014}\t\n-]|[a-z0-9é.,:]){0,12}", 0..6),
            kinds in proptest::collection::vec(0..5u8, 6),
        ) {
            let para: Vec<Inline<'_>> = runs
                .iter()
                .zip(&kinds)
                .map(|(run, kind)| {
                    let run = Cow::Borrowed(run.as_str());
                    match kind {
                        0 => Inline::Text(run),
                        1 => Inline::Strong(run),
                        2 => Inline::Code(run),
                        3 => Inline::Link(run),
                        // Fixed words live as long as the program; a
                        // test's few may too.
                        _ => {
                            let text: &'static str = Box::leak(run.into_owned().into_boxed_str());
                            Inline::Fixed(Box::leak(Box::new(Fixed { text, words: Words::of(text) })))
                        }
                    }
                })
                .collect::<Vec<_>>();
            let para = Para::Many(para);
            let words = para_words(&para, Texts::default());
            proptest::prop_assert_eq!(words, para_words_joined(&para));
            proptest::prop_assert!(para_words_at_most(&para) >= words);
        }

        #[test]
        fn fixed_words_are_counted_as_any_words_are(text in "[ -~\t\n]{0,24}") {
            proptest::prop_assert_eq!(Words::of_ascii(&text), Words::of(&text));
        }
    }
}
