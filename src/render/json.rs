//! The JSON contract: the [`Report`] as serde writes it.
//!
//! Pretty JSON goes through serde_json. The compact line of JSON Lines is
//! written here by hand, because in a batch most of the time goes into
//! escaping the report's texts, and serde_json looks at them one byte at a
//! time. [`line`] writes exactly the bytes `serde_json::to_writer` writes
//! (the render tests hold it to that for every case) and finds the runs
//! of bytes that need no escaping eight at a time. Every struct is taken
//! apart field by field, so a field added to the report does not compile
//! here until it is written out too.

use std::io::{self, Write};

use crate::report::{
    Chosen, ContestedEntry, DomainResult, NoteEntry, Notice, QuestionText, QuestionnaireInfo, Reason, Report,
    SafetyNetTier, Shown, SourceEntry, Triage, Withheld,
};

/// Pretty JSON ending with a newline, for files and terminals.
pub(super) fn pretty(report: &Report<'_>) -> String {
    // A report holds only strings, numbers and string-keyed maps, which
    // always serialise.
    let mut out = serde_json::to_string_pretty(report).expect("a report always serialises to JSON");
    out.push('\n');
    out
}

/// Compact JSON written straight into `out`, byte for byte what serde_json
/// writes, in the field order of [`Report`].
pub(super) fn line<W: Write>(report: &Report<'_>, mut out: W) -> io::Result<()> {
    let Report {
        questionnaire,
        intended_purpose,
        disclaimer,
        triage,
        answers,
        unanswered_red_flags,
        unanswered,
        ignored_answers,
        question_texts,
        domains,
        notices,
        recommendations,
        withheld,
        notes,
        contested,
        safety_net_intro,
        safety_net,
        safety_net_tiers,
        sources,
    } = report;
    let mut o = Object::start(&mut out)?;
    o.value("questionnaire", |out| questionnaire_info(out, questionnaire))?;
    o.string("intended_purpose", intended_purpose)?;
    o.string("disclaimer", disclaimer)?;
    o.value("triage", |out| triage_object(out, triage))?;
    o.list("answers", answers, shown)?;
    o.strings("unanswered_red_flags", unanswered_red_flags)?;
    o.strings("unanswered", unanswered)?;
    o.strings("ignored_answers", ignored_answers)?;
    o.list("question_texts", question_texts, question_text)?;
    o.list("domains", domains, domain)?;
    o.list("notices", notices, notice)?;
    o.list("recommendations", recommendations, chosen)?;
    o.list("withheld", withheld, withheld_entry)?;
    o.list("notes", notes, note)?;
    o.list("contested", contested, contested_entry)?;
    o.optional("safety_net_intro", safety_net_intro)?;
    o.strings("safety_net", safety_net)?;
    o.list("safety_net_tiers", safety_net_tiers, tier)?;
    o.list("sources", sources, source)?;
    o.end()
}

fn questionnaire_info<W: Write>(out: &mut W, info: &QuestionnaireInfo<'_>) -> io::Result<()> {
    let QuestionnaireInfo { id, version, title } = info;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("version", version)?;
    o.string("title", title)?;
    o.end()
}

fn triage_object<W: Write>(out: &mut W, triage: &Triage<'_>) -> io::Result<()> {
    let Triage { level, title, action, plan_note, reasons } = triage;
    let mut o = Object::start(out)?;
    o.string("level", level.as_str())?;
    o.string("title", title)?;
    o.string("action", action)?;
    o.optional("plan_note", plan_note)?;
    o.list("reasons", reasons, reason)?;
    o.end()
}

fn reason<W: Write>(out: &mut W, reason: &Reason<'_>) -> io::Result<()> {
    let Reason { rule, level, because, sign, foremost, answers, sources } = reason;
    let mut o = Object::start(out)?;
    o.string("rule", rule)?;
    o.string("level", level.as_str())?;
    o.string("because", because)?;
    o.optional("sign", sign)?;
    if *foremost {
        o.value("foremost", |out| out.write_all(b"true"))?;
    }
    o.list("answers", answers, shown)?;
    o.strings("sources", sources)?;
    o.end()
}

fn shown<W: Write>(out: &mut W, shown: &Shown<'_>) -> io::Result<()> {
    let Shown { question, answer } = shown;
    let mut o = Object::start(out)?;
    o.string("question", question)?;
    o.value("answer", |out| serde_json::to_writer(out, answer).map_err(io::Error::from))?;
    o.end()
}

fn question_text<W: Write>(out: &mut W, question: &QuestionText<'_>) -> io::Result<()> {
    let QuestionText { id, text, sign } = question;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("text", text)?;
    o.optional("sign", sign)?;
    o.end()
}

fn domain<W: Write>(out: &mut W, domain: &DomainResult<'_>) -> io::Result<()> {
    let DomainResult { id, title, score, max, answered, band, explanation, note } = domain;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("title", title)?;
    o.value("score", |out| number(out, *score))?;
    o.value("max", |out| number(out, *max))?;
    o.value("answered", |out| write!(out, "{answered}"))?;
    o.value("band", |out| match band {
        Some(band) => string(out, band),
        None => out.write_all(b"null"),
    })?;
    o.string("explanation", explanation)?;
    o.optional("note", note)?;
    o.end()
}

/// A score as [`DomainResult`] serialises it.
fn number<W: Write>(out: &mut W, value: Option<f64>) -> io::Result<()> {
    crate::report::whole_if_integral(&value, &mut serde_json::Serializer::new(out)).map_err(io::Error::from)
}

fn notice<W: Write>(out: &mut W, notice: &Notice<'_>) -> io::Result<()> {
    let Notice { id, text } = notice;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("text", text)?;
    o.end()
}

fn chosen<W: Write>(out: &mut W, chosen: &Chosen<'_>) -> io::Result<()> {
    let Chosen {
        id,
        kind,
        in_plan,
        title,
        evidence,
        evidence_note,
        why,
        summary,
        dose,
        how_to,
        progression,
        stop_rule,
        sources,
    } = chosen;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("kind", kind.as_str())?;
    o.value("in_plan", |out| write!(out, "{in_plan}"))?;
    o.string("title", title)?;
    o.string("evidence", evidence)?;
    o.optional("evidence_note", evidence_note)?;
    o.string("why", why)?;
    o.string("summary", summary)?;
    o.optional("dose", dose)?;
    if !how_to.is_empty() {
        o.strings("how_to", how_to)?;
    }
    o.optional("progression", progression)?;
    o.optional("stop_rule", stop_rule)?;
    o.strings("sources", sources)?;
    o.end()
}

fn note<W: Write>(out: &mut W, note: &NoteEntry<'_>) -> io::Result<()> {
    let NoteEntry { id, place, text } = note;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("place", place.as_str())?;
    o.string("text", text)?;
    o.end()
}

fn tier<W: Write>(out: &mut W, tier: &SafetyNetTier<'_>) -> io::Result<()> {
    let SafetyNetTier { intro, signs } = tier;
    let mut o = Object::start(out)?;
    o.string("intro", intro)?;
    o.strings("signs", signs)?;
    o.end()
}

fn withheld_entry<W: Write>(out: &mut W, withheld: &Withheld<'_>) -> io::Result<()> {
    let Withheld { id, kind, by } = withheld;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("kind", kind.as_str())?;
    o.string("by", by)?;
    o.end()
}

fn contested_entry<W: Write>(out: &mut W, entry: &ContestedEntry<'_>) -> io::Result<()> {
    let ContestedEntry { id, title, label, summary, evidence_note, sources } = entry;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("title", title)?;
    o.string("label", label)?;
    o.string("summary", summary)?;
    o.optional("evidence_note", evidence_note)?;
    o.strings("sources", sources)?;
    o.end()
}

fn source<W: Write>(out: &mut W, source: &SourceEntry<'_>) -> io::Result<()> {
    let SourceEntry { id, citation, url } = source;
    let mut o = Object::start(out)?;
    o.string("id", id)?;
    o.string("citation", citation)?;
    o.optional("url", url)?;
    o.end()
}

/// A JSON object being written: its members, with the commas between them.
struct Object<'w, W> {
    out: &'w mut W,
    empty: bool,
}

impl<'w, W: Write> Object<'w, W> {
    fn start(out: &'w mut W) -> io::Result<Self> {
        out.write_all(b"{")?;
        Ok(Object { out, empty: true })
    }

    /// A member whose value `write` writes. Keys are field names, which
    /// need no escaping.
    fn value(&mut self, key: &str, write: impl FnOnce(&mut W) -> io::Result<()>) -> io::Result<()> {
        self.out.write_all(if self.empty { b"\"" } else { b",\"" })?;
        self.empty = false;
        self.out.write_all(key.as_bytes())?;
        self.out.write_all(b"\":")?;
        write(self.out)
    }

    fn string(&mut self, key: &str, text: &str) -> io::Result<()> {
        self.value(key, |out| string(out, text))
    }

    /// A member left out when there is no value (`skip_serializing_if`).
    fn optional(&mut self, key: &str, text: &Option<impl AsRef<str>>) -> io::Result<()> {
        match text {
            Some(text) => self.string(key, text.as_ref()),
            None => Ok(()),
        }
    }

    fn strings(&mut self, key: &str, texts: &[impl AsRef<str>]) -> io::Result<()> {
        self.list(key, texts, |out, text| string(out, text.as_ref()))
    }

    fn list<T>(
        &mut self,
        key: &str,
        items: &[T],
        write: impl Fn(&mut W, &T) -> io::Result<()>,
    ) -> io::Result<()> {
        self.value(key, |out| {
            out.write_all(b"[")?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.write_all(b",")?;
                }
                write(out, item)?;
            }
            out.write_all(b"]")
        })
    }

    fn end(self) -> io::Result<()> {
        self.out.write_all(b"}")
    }
}

/// `text` as a JSON string, escaped as serde_json escapes it: `"`, `\` and
/// the control characters, those that have one by their short form.
fn string<W: Write>(out: &mut W, text: &str) -> io::Result<()> {
    out.write_all(b"\"")?;
    let mut rest = text.as_bytes();
    loop {
        let clean = clean_prefix(rest);
        out.write_all(&rest[..clean])?;
        let Some((&byte, after)) = rest[clean..].split_first() else { break };
        match byte {
            b'"' => out.write_all(b"\\\"")?,
            b'\\' => out.write_all(b"\\\\")?,
            b'\x08' => out.write_all(b"\\b")?,
            b'\t' => out.write_all(b"\\t")?,
            b'\n' => out.write_all(b"\\n")?,
            b'\x0C' => out.write_all(b"\\f")?,
            b'\r' => out.write_all(b"\\r")?,
            control => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let escape = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(control >> 4)],
                    HEX[usize::from(control & 0xF)],
                ];
                out.write_all(&escape)?;
            }
        }
        rest = after;
    }
    out.write_all(b"\"")
}

/// Whether a byte must be escaped in a JSON string.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The length of the longest prefix of `bytes` that needs no escaping,
/// looked at eight bytes at a time while they are clean.
fn clean_prefix(bytes: &[u8]) -> usize {
    let mut clean = 0;
    for block in bytes.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(block);
        if block_needs_escape(u64::from_le_bytes(word)) {
            break;
        }
        clean += 8;
    }
    clean + bytes[clean..].iter().position(|&b| needs_escape(b)).unwrap_or(bytes.len() - clean)
}

/// Whether any of the eight bytes of `word` needs escaping, by the classic
/// bit trick: `(x - n) & !x & 0x80` has a high bit set exactly when some
/// byte of `x` is below `n` (for `n` up to 0x80). A byte equals `c` when
/// the same byte of `x ^ c` is below 1, and as `"` and `\` are ASCII,
/// `x ^ c` has the high bits of `x`: one `!x & 0x80` serves all three.
fn block_needs_escape(word: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGH: u64 = ONES << 7;
    const SPACE: u64 = ONES * 0x20;
    const QUOTE: u64 = ONES * b'"' as u64;
    const BACKSLASH: u64 = ONES * b'\\' as u64;
    let control = word.wrapping_sub(SPACE);
    let quote = (word ^ QUOTE).wrapping_sub(ONES);
    let backslash = (word ^ BACKSLASH).wrapping_sub(ONES);
    (control | quote | backslash) & !word & HIGH != 0
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use proptest::prelude::*;

    use super::*;
    use crate::model::Kind;
    use crate::{evaluate, Answers, Questionnaire, Value};

    fn escaped(text: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, text).expect("write to a Vec");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        for text in ["", "plain", "\"", "\\", "a\"b\\c\nd\te\u{1}f\u{1f}g\u{7f}", "été ✓ 🦴", &every_ascii]
        {
            assert_eq!(escaped(text), serde_json::to_string(text).expect("serialise"), "{text:?}");
        }
    }

    #[test]
    fn every_byte_position_in_a_block_is_looked_at() {
        for special in ['"', '\\', '\n', '\u{0}', '\u{1f}', ' ', '\u{7f}', 'é'] {
            for at in 0..20 {
                let text: String = (0..20).map(|i| if i == at { special } else { 'x' }).collect();
                assert_eq!(escaped(&text), serde_json::to_string(&text).expect("serialise"), "{text:?}");
            }
        }
    }

    fn same_as_serde_json(report: &Report<'_>) {
        let mut ours = Vec::new();
        line(report, &mut ours).expect("write to a Vec");
        let theirs = serde_json::to_vec(report).expect("serialise");
        assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
    }

    fn shipped() -> Questionnaire {
        Questionnaire::from_json(crate::shipped("low-back-glutes").expect("shipped"), "low-back-glutes")
            .expect("valid")
    }

    /// Answers to the shipped questionnaire: each question left out or
    /// given a value over its whole range, from one number per question.
    fn answers(q: &Questionnaire, picks: &[u32]) -> Answers {
        let mut answers = Answers::empty(q);
        for (i, (question, pick)) in q.questions.iter().zip(picks).enumerate() {
            let value = match &question.kind {
                _ if pick % 5 == 0 => None,
                Kind::Integer { min, max, .. } => {
                    Some(Value::Integer(min + i64::from(*pick) % (max - min + 1)))
                }
                Kind::Number { min, max, .. } => {
                    Some(Value::Number(min + (max - min) * f64::from(*pick % 97) / 96.0))
                }
                kind => u16::try_from(*pick as usize % kind.option_ids().len()).ok().map(Value::Option),
            };
            answers.set(i, value);
        }
        answers
    }

    #[test]
    fn every_optional_field_and_awkward_text_is_written_as_serde_json_writes_it() {
        let q = shipped();
        // No warning sign, an adult: a plan with every part.
        let mut answers = answers(&q, &vec![1; q.questions.len()]);
        answers.set(q.question_index("age").expect("asks the age"), Some(Value::Integer(40)));
        let mut report = evaluate(&q, &answers);
        let awkward =
            |s: &str| Cow::Owned(format!("{s} \"quoted\" back\\slash\ttab\nline\u{1}\u{1f}\u{7f} é ✓ 🦴"));
        report.intended_purpose = awkward(&report.intended_purpose);
        report.triage.plan_note = Some(awkward("plan"));
        report.safety_net_intro = Some(awkward("intro"));
        report.safety_net.push(awkward(""));
        report.unanswered.push(awkward("id"));
        for domain in &mut report.domains {
            domain.note = Some(awkward("note"));
            domain.score = Some(2.5);
            domain.band = None;
        }
        for chosen in &mut report.recommendations {
            chosen.evidence_note = Some(awkward("note"));
            chosen.dose = Some(awkward("dose"));
            chosen.how_to = Cow::Owned(vec![awkward("one").into_owned(), awkward("two").into_owned()]);
            chosen.progression = Some(awkward("progression"));
            chosen.stop_rule = Some(awkward("stop"));
            chosen.why = awkward(&chosen.why);
        }
        for entry in &mut report.contested {
            entry.evidence_note = Some(awkward("evidence"));
        }
        for source in &mut report.sources {
            source.url = Some(awkward("https://example.org/?q="));
        }
        assert!(
            !report.recommendations.is_empty() && !report.domains.is_empty() && !report.contested.is_empty()
        );
        same_as_serde_json(&report);
    }

    #[test]
    fn a_foremost_reason_is_written_as_serde_json_writes_it() {
        let q = shipped();
        let mut answers = answers(&q, &vec![1; q.questions.len()]);
        for (id, value) in [("age", Value::Integer(40)), ("rf_cancer_history", Value::Option(0))] {
            answers.set(q.question_index(id).expect(id), Some(value));
        }
        let mut report = evaluate(&q, &answers);
        assert!(report.triage.reasons.iter().any(|r| r.foremost), "the cancer reason is foremost");
        report.triage.reasons.push(report.triage.reasons[0].clone());
        report.triage.reasons[1].foremost = false;
        same_as_serde_json(&report);
    }

    proptest! {
        #[test]
        fn reports_of_the_shipped_questionnaire_are_written_as_serde_json_writes_them(
            picks in proptest::collection::vec(any::<u32>(), 40),
        ) {
            let q = shipped();
            same_as_serde_json(&evaluate(&q, &answers(&q, &picks)));
        }

        #[test]
        fn any_string_is_escaped_as_serde_json_escapes_it(text in any::<String>()) {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).expect("serialise"));
        }

        #[test]
        fn strings_of_json_specials_are_escaped_as_serde_json_escapes_them(text in "[\"\\\\\u{0}-\u{1f} a-zé]{0,40}") {
            prop_assert_eq!(escaped(&text), serde_json::to_string(&text).expect("serialise"));
        }
    }
}
