//! A questionnaire's texts made ready for reports once, for a front end
//! that renders many reports of the same questionnaire (`selfcheck serve`).
//!
//! A report borrows most of its words from its questionnaire, which does
//! not change once loaded, so each text's HTML (escaped) and its count of
//! words can be worked out once instead of on every page. A report names a
//! text by borrowing it, so a text is found by where it lives (its address
//! and length, a cheap key): whatever is not found is escaped and counted
//! as usual.
//!
//! A [`Prepared`] owns its questionnaire and lends it out only to be read,
//! so its strings stay where they are, unchanged: a string at the address and of the length of one of the questionnaire's own
//! strings is that string: texts, recommendations, sources and answers are
//! found and checked by where they live, without reading them. Texts are
//! collected by a walk over the questionnaire (serialising it into
//! nothing), which meets every string where it lives: the model writes
//! even a question's flat form by borrowing its fields, never through a
//! copy, whose address a later string could be given.
//!
//! Only the questionnaire's own texts are kept: nothing derived from
//! answers outlives the report it was made for.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::ser::{self, Serialize};

use super::doc::{self, Block, Para, Piece, Trim, Words};
use super::html;
use crate::answers::Given;
use crate::model::{Definition, RecommendationKind};
use crate::questionnaire::Questionnaire;
use crate::report::{Chosen, Shown, SourceEntry};

/// Every text of one questionnaire, escaped and counted, and the
/// questionnaire itself.
#[derive(Debug)]
pub struct Prepared {
    questionnaire: Questionnaire,
    texts: HashMap<At, Ready, foldhash::fast::RandomState>,
    /// Each source's list item in HTML, by where its id lives.
    sources: HashMap<At, ReadySource, foldhash::fast::RandomState>,
    /// Each recommendation's item in the trace, by where its id lives.
    recommendations: HashMap<At, ReadyRecommendation, foldhash::fast::RandomState>,
    /// Each choice question's answers as the clinician's part gives them,
    /// by where its id lives.
    answers: HashMap<At, ReadyAnswers, foldhash::fast::RandomState>,
}

/// Where one of the questionnaire's strings lives: its address and length.
type At = (usize, usize);

/// A choice question as a report names it, with `question = option` in
/// HTML for each of its options.
#[derive(Debug)]
struct ReadyAnswers {
    /// Each option's id and the answer's HTML.
    options: Box<[(Box<str>, Box<str>)]>,
}

/// A recommendation as a report names it, with the HTML of its item in
/// the trace around why it was chosen: `trace[in_plan][summary]`, whether
/// it is in the plan and whether its summary is given (`trace_summary`);
/// and with its plan entry.
#[derive(Debug)]
struct ReadyRecommendation {
    kind: RecommendationKind,
    /// Where what the trace and the entry say of it live, to tell it from a
    /// report's changed copy.
    title: At,
    evidence: At,
    evidence_note: Option<At>,
    summary: At,
    dose: Option<At>,
    how_to: At,
    progression: Option<At>,
    sources: At,
    /// From `<li>` to why it was chosen, and from there to the line's end.
    trace: [[(Box<str>, Box<str>); 2]; 2],
    /// As a plan entry, `entry[summary]` (`entry_summary`): its HTML and
    /// its words.
    entry: [(Box<str>, usize); 2],
}

/// A source as a report names it, with its list item as HTML writes it.
#[derive(Debug)]
struct ReadySource {
    /// Where the source's parts live, to tell it from a report's changed
    /// copy.
    citation: At,
    url: Option<At>,
    html: Box<str>,
}

/// One text as a report shows it.
#[derive(Debug)]
struct Ready {
    /// Its HTML, when escaping changes it.
    escaped: Option<Box<str>>,
    words: Words,
}

impl Prepared {
    /// Escapes and counts every text of `questionnaire`, which it keeps:
    /// moving it moves none of its strings.
    pub fn new(questionnaire: Questionnaire) -> Prepared {
        let (mut texts, mut sources, mut recommendations, mut answers) =
            (HashMap::default(), HashMap::default(), HashMap::default(), HashMap::default());
        // Collecting fails only if a text is not a string.
        let definition: &Definition = &questionnaire;
        let _ = definition.serialize(&mut Collect(&mut texts));
        for q in &questionnaire.questions {
            // Each option as the answer a report shows, written as the
            // list of answers given writes it.
            let options = (q.kind.option_ids().into_iter())
                .map(|option| {
                    let shown = Shown {
                        question: Cow::Borrowed(&q.id),
                        answer: Some(Given::Option(Cow::Borrowed(option))),
                    };
                    let mut para = Para::Many(Vec::new());
                    doc::answer(&shown, &mut para);
                    let mut html = String::new();
                    html::inline(&para, &mut html, Texts::default());
                    (option.into(), html.into_boxed_str())
                })
                .collect();
            answers.entry(key(&q.id)).or_insert_with(|| ReadyAnswers { options });
        }
        for source in &questionnaire.sources {
            // The source as a report cites it, written as its list item is.
            let entry = SourceEntry {
                id: Cow::Borrowed(&source.id),
                citation: Cow::Borrowed(&source.citation),
                url: source.url.as_deref().map(Cow::Borrowed),
            };
            let mut html = String::new();
            html::list_item(&doc::source_item(&entry), &mut html, Texts::default());
            sources.entry(key(&source.id)).or_insert_with(|| ReadySource {
                citation: key(&source.citation),
                url: source.url.as_deref().map(key),
                html: html.into_boxed_str(),
            });
        }
        for rec in &questionnaire.recommendations {
            // The recommendation as a report gives it, in the plan or not;
            // why it was chosen is left out, to be written on each report.
            let chosen = |in_plan| Chosen::of(rec, in_plan, Cow::Borrowed(""));
            let trace = [false, true].map(|in_plan| {
                let chosen = chosen(in_plan);
                let mut before = String::from("<li>");
                html::inline(&doc::trace_before(&chosen), &mut before, Texts::default());
                // Without a summary, then with one (if the trace ever
                // gives it).
                [Trim::Nothing, Trim::Referrals].map(|trim| {
                    let mut runs = Para::Many(Vec::new());
                    doc::trace_after(&chosen, trim, &mut runs);
                    let mut after = String::new();
                    html::inline(&runs, &mut after, Texts::default());
                    after.push_str("</li>\n");
                    (before.clone().into_boxed_str(), after.into_boxed_str())
                })
            });
            // As a plan entry: a referral trimmed away, then any entry whole.
            let in_plan = chosen(true);
            let entry = [Trim::Referrals, Trim::Nothing].map(|trim| {
                let (title, body) = doc::recommendation(&in_plan, trim);
                let mut html = String::new();
                html::entry(&title, &body, &mut html, Texts::default());
                let words = doc::words(&[Block::Entries(vec![(title, body)])]);
                (html.into_boxed_str(), words)
            });
            recommendations.entry(key(&rec.id)).or_insert_with(|| ReadyRecommendation {
                kind: rec.kind,
                title: key(&rec.title),
                evidence: key(&rec.evidence),
                evidence_note: rec.evidence_note.as_deref().map(key),
                summary: key(&rec.summary),
                dose: rec.dose.as_deref().map(key),
                how_to: list_key(&rec.how_to),
                progression: rec.progression.as_deref().map(key),
                sources: list_key(&rec.sources),
                trace,
                entry,
            });
        }
        Prepared { questionnaire, texts, sources, recommendations, answers }
    }

    /// The questionnaire's recommendation that `chosen` is, if it is one
    /// as the questionnaire gives it: `same` compares what the caller
    /// writes of it (beyond its id and kind), and only that.
    fn chosen(
        &self,
        chosen: &Chosen<'_>,
        same: impl Fn(&ReadyRecommendation) -> bool,
    ) -> Option<&ReadyRecommendation> {
        self.recommendations.get(&key(&chosen.id)).filter(|ready| ready.kind == chosen.kind && same(ready))
    }

    /// The HTML of `chosen`'s item in the trace before and after why it
    /// was chosen, if it is one of the questionnaire's recommendations as
    /// the questionnaire gives it.
    pub(crate) fn recommendation(&self, chosen: &Chosen<'_>, trim: Trim) -> Option<(&str, &str)> {
        let summary = doc::trace_summary(chosen, trim);
        let ready = self.chosen(chosen, |ready| {
            ready.evidence == key(&chosen.evidence)
                && ready.evidence_note == chosen.evidence_note.as_deref().map(key)
                && (!summary || ready.summary == key(&chosen.summary))
                && ready.progression == chosen.progression.as_deref().map(key)
                && ready.sources == list_key(&chosen.sources)
        })?;
        let (before, after) = &ready.trace[usize::from(chosen.in_plan)][usize::from(summary)];
        Some((before, after))
    }

    /// The HTML of `chosen` as a plan entry and its words, if it is one of
    /// the questionnaire's recommendations as the questionnaire gives it.
    pub(crate) fn plan_entry(&self, chosen: &Chosen<'_>, trim: Trim) -> Option<(&str, usize)> {
        // Entries are prepared with their next step, as all but a report
        // far over its budget give them.
        if chosen.progression.is_some()
            && doc::is_exercise(chosen.kind)
            && !doc::entry_progression(chosen, trim)
        {
            return None;
        }
        let summary = doc::entry_summary(chosen, trim);
        let ready = self.chosen(chosen, |ready| {
            ready.title == key(&chosen.title)
                && (!summary || ready.summary == key(&chosen.summary))
                && ready.dose == chosen.dose.as_deref().map(key)
                && ready.how_to == list_key(&chosen.how_to)
                && ready.progression == chosen.progression.as_deref().map(key)
        })?;
        let (html, words) = &ready.entry[usize::from(summary)];
        Some((html, *words))
    }

    /// The list item of `source`, if it is one of the questionnaire's
    /// sources as the questionnaire gives it.
    pub(crate) fn source(&self, source: &SourceEntry<'_>) -> Option<&str> {
        self.sources
            .get(&key(&source.id))
            .filter(|ready| {
                ready.citation == key(&source.citation) && ready.url == source.url.as_deref().map(key)
            })
            .map(|ready| &*ready.html)
    }

    /// The HTML of `shown` in the list of answers given, if it is an
    /// option of one of the questionnaire's questions, named by the
    /// questionnaire's own id.
    pub(crate) fn answer(&self, shown: &Shown<'_>) -> Option<&str> {
        let Some(Given::Option(given)) = &shown.answer else {
            return None;
        };
        let ready = self.answers.get(&key(&shown.question))?;
        ready.options.iter().find(|(option, _)| **option == **given).map(|(_, html)| &**html)
    }

    /// The questionnaire whose texts these are.
    pub fn questionnaire(&self) -> &Questionnaire {
        &self.questionnaire
    }

    /// The questionnaire's text that `text` is, if it is one.
    fn find(&self, text: &str) -> Option<&Ready> {
        self.texts.get(&key(text))
    }

    /// Whether `text` is one of the questionnaire's texts, where it lives.
    #[cfg(test)]
    pub(crate) fn has(&self, text: &str) -> bool {
        self.find(text).is_some()
    }
}

/// The shortest text whose HTML is looked up rather than escaped on the
/// spot: below it, the scan costs less than the look-up.
const LOOKED_UP: usize = 32;

/// Where a list of the questionnaire's texts lives: two lists at the same
/// place and of the same length are the same list (empty ones included,
/// whatever their place).
fn list_key(texts: &[String]) -> At {
    if texts.is_empty() {
        (0, 0)
    } else {
        (texts.as_ptr() as usize, texts.len())
    }
}

fn key(text: &str) -> At {
    (text.as_ptr() as usize, text.len())
}

/// What the renderers ask of texts: their HTML and their words, from a
/// questionnaire's [`Prepared`] texts when there are some, worked out on the
/// spot otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Texts<'p>(pub Option<&'p Prepared>);

impl Texts<'_> {
    /// Appends `text` escaped for HTML. A short text is escaped as soon as
    /// it would be looked up, so only longer ones are.
    pub(crate) fn escape(self, text: &str, out: &mut String) {
        match self.0.filter(|_| text.len() >= LOOKED_UP).and_then(|prepared| prepared.find(text)) {
            Some(Ready { escaped: Some(escaped), .. }) => out.push_str(escaped),
            Some(Ready { escaped: None, .. }) => out.push_str(text),
            None => html::escape(text, out),
        }
    }

    /// The words of `text` read on its own.
    pub(crate) fn words(self, text: &str) -> Words {
        match self.0.and_then(|prepared| prepared.find(text)) {
            Some(ready) => ready.words,
            None => Words::of(text),
        }
    }

    /// The words of a piece, when every entry in it is prepared.
    pub(crate) fn piece_words(self, piece: &Piece<'_>) -> Option<usize> {
        match (piece, self.0) {
            (Piece::Plan { chosen, trim }, Some(prepared)) => chosen
                .iter()
                .filter(|chosen| doc::planned(chosen))
                .map(|chosen| prepared.plan_entry(chosen, *trim).map(|(_, words)| words))
                .sum(),
            _ => None,
        }
    }

    /// Whether these are a questionnaire's prepared texts.
    pub(crate) fn prepared(self) -> bool {
        self.0.is_some()
    }
}

/// A serializer that writes nothing and keeps every string it is given,
/// where it lives: a walk over every text of a definition, present and
/// future.
struct Collect<'a>(&'a mut HashMap<At, Ready, foldhash::fast::RandomState>);

type Done = Result<(), std::fmt::Error>;

/// Serializer methods for values that hold no text.
macro_rules! ignore {
    ($($method:ident: $value:ty),* $(,)?) => {
        $(fn $method(self, _: $value) -> Done {
            Ok(())
        })*
    };
}

/// The parts of a compound value (elements, fields), each walked in turn.
macro_rules! walk_parts {
    ($($part:ident::$method:ident($($name:ty)?)),* $(,)?) => {$(
        impl ser::$part for &mut Collect<'_> {
            type Ok = ();
            type Error = std::fmt::Error;
            fn $method<T: ?Sized + Serialize>(&mut self, $(_: $name,)? value: &T) -> Done {
                value.serialize(&mut **self)
            }
            fn end(self) -> Done {
                Ok(())
            }
        }
    )*};
}

impl ser::Serializer for &mut Collect<'_> {
    type Ok = ();
    type Error = std::fmt::Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_str(self, v: &str) -> Done {
        self.0.entry(key(v)).or_insert_with(|| {
            let mut escaped = String::with_capacity(v.len());
            html::escape(v, &mut escaped);
            Ready { escaped: (escaped != v).then(|| escaped.into_boxed_str()), words: Words::of(v) }
        });
        Ok(())
    }
    ignore! {
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_f32: f32, serialize_f64: f64, serialize_char: char, serialize_bytes: &[u8],
    }
    fn serialize_none(self) -> Done {
        Ok(())
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Done {
        Ok(())
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        value: &T,
    ) -> Done {
        value.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, std::fmt::Error> {
        Ok(self)
    }
}

walk_parts! {
    SerializeSeq::serialize_element(),
    SerializeTuple::serialize_element(),
    SerializeTupleStruct::serialize_field(),
    SerializeTupleVariant::serialize_field(),
    SerializeStruct::serialize_field(&'static str),
    SerializeStructVariant::serialize_field(&'static str),
}

impl ser::SerializeMap for &mut Collect<'_> {
    type Ok = ();
    type Error = std::fmt::Error;
    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Done {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Done {
        value.serialize(&mut **self)
    }
    fn end(self) -> Done {
        Ok(())
    }
}
