//! Report snapshots: every answers document in `tests/cases/` is evaluated
//! against the questionnaire it names and rendered as text, Markdown and
//! JSON, each kept as a reviewed snapshot in `tests/snapshots/`. Adding a
//! case needs no Rust: drop a document in the folder and review the three
//! new snapshots.
//!
//! The same cases are also held to the promises every report keeps,
//! whatever its content: the action first, the person's part ending with
//! the safety net, then the part for a clinician with the sources last; no
//! exercise plan at `urgent` and above; a person's part within its budget
//! of words, at a reading grade of 8 or lower, with no id, rule name or
//! answer value in it; text within 80 columns; the same bytes every time.

#[path = "common/readability.rs"]
mod readability;

use std::fs;
use std::path::Path;

use selfcheck::render::{self, Format};
use selfcheck::{evaluate, Answers, AnswersDocument, Level, Questionnaire, RecommendationKind, Report};

/// The questionnaire a case names, from those shipped.
fn questionnaire(document: &AnswersDocument, path: &Path) -> Questionnaire {
    let id = document
        .questionnaire
        .as_deref()
        .unwrap_or_else(|| panic!("{}: names no questionnaire", path.display()));
    let text = selfcheck::shipped(id).unwrap_or_else(|| panic!("{}: `{id}` is not shipped", path.display()));
    Questionnaire::from_json(text, id).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `check` on the questionnaire and answers of every case.
fn each_document(mut check: impl FnMut(&Path, &Questionnaire, &Answers)) {
    insta::glob!("cases/*.json", |path| {
        let bytes = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let document = AnswersDocument::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let q = questionnaire(&document, path);
        let answers = Answers::from_document(&q, &document.answers).unwrap_or_else(|e| panic!("{e}"));
        check(path, &q, &answers);
    });
}

/// Runs `check` on the report of every case.
fn each_case(mut check: impl FnMut(&Path, &Report<'_>)) {
    each_document(|path, q, answers| check(path, &evaluate(q, answers)));
}

#[test]
fn reports() {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        each_case(|_, report| {
            insta::assert_snapshot!("text", render::text(report, 80));
            insta::assert_snapshot!("markdown", render::markdown(report));
            insta::assert_snapshot!("json", render::json(report));
        });
    });
}

/// Box borders removed and whitespace runs made single spaces, so that
/// wrapped text can be searched for a sentence.
fn flat(s: &str) -> String {
    let unboxed =
        s.lines().map(|line| line.strip_prefix("| ").and_then(|l| l.strip_suffix(" |")).unwrap_or(line));
    // Markdown's escapes (`A\&E`) are not part of the words.
    unboxed.flat_map(str::split_whitespace).collect::<Vec<_>>().join(" ").replace("\\&", "&")
}

/// The title of the clinician's part.
const FOR_YOUR_CLINICIAN: &str = "For your clinician";

/// A text or Markdown report cut before the clinician's part.
fn person_part<'t>(out: &'t str, path: &Path) -> &'t str {
    let at = out
        .find(&format!("\n{FOR_YOUR_CLINICIAN}\n"))
        .or_else(|| out.find(&format!("\n# {FOR_YOUR_CLINICIAN}\n")))
        .unwrap_or_else(|| panic!("{}: no part headed {FOR_YOUR_CLINICIAN:?}", path.display()));
    &out[..at]
}

#[test]
fn every_report_leads_with_the_action_and_ends_the_persons_part_with_the_safety_net() {
    each_case(|path, report| {
        for format in [Format::Text, Format::Markdown] {
            // Markdown's escapes undone, so that texts can be found as
            // written.
            let whole = render::render(report, format)
                .replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&#126;", "~")
                .replace('\\', "");
            let out = flat(person_part(&whole, path));
            let clinician = flat(&whole[person_part(&whole, path).len()..]);
            let at = |needle: &str| {
                out.find(&flat(needle))
                    .unwrap_or_else(|| panic!("{} ({format}): missing {needle:?}", path.display()))
            };
            let action = at(&report.triage.action);
            let disclaimer = at(&report.disclaimer);
            assert!(action < disclaimer, "{} ({format}): the action comes first", path.display());
            let net = out.rfind("Safety net").expect("safety net heading");
            for line in &report.safety_net {
                assert!(at(line) > net, "{} ({format}): safety net line out of place", path.display());
            }
            for heading in ["Why", "Your plan", "Approaches you may read about", "What to tell the doctor"] {
                if let Some(heading) = out.find(heading) {
                    assert!(heading < net, "{} ({format}): `{heading}` after the safety net", path.display());
                }
            }
            let sources = clinician.rfind("Sources").expect("sources heading");
            let last = report.sources.last().expect("every report cites a source");
            assert!(
                clinician[sources..].contains(&*last.id),
                "{} ({format}): sources incomplete",
                path.display()
            );
            for reason in &report.triage.reasons {
                assert!(clinician.contains(&*reason.rule), "{} ({format}): rule missing", path.display());
            }
            for shown in &report.answers {
                assert!(
                    clinician.contains(&*shown.question),
                    "{} ({format}): answer missing",
                    path.display()
                );
            }
        }
    });
}

/// The budgets, in words of the person's part, by level.
fn budget(level: Level) -> usize {
    match level {
        Level::Emergency => 200,
        Level::Urgent => 350,
        Level::Soon | Level::SelfCare => 750,
    }
}

/// The person's part of every case, with its name and level, as Markdown:
/// one line per paragraph or list item, as the reading grade needs.
fn persons_parts() -> Vec<(String, Level, String)> {
    let mut parts = Vec::new();
    each_case(|path, report| {
        let text = render::markdown(report);
        let name = path.file_name().unwrap_or_default().to_string_lossy().into_owned();
        parts.push((name, report.triage.level, person_part(&text, path).to_owned()));
    });
    parts
}

#[test]
fn the_persons_part_reads_at_grade_8_or_lower() {
    let parts = persons_parts();
    let highest = parts.iter().map(|(_, _, person)| readability::grade(person)).fold(0.0, f64::max);
    eprintln!("highest grade of a person's part: {highest:.1}");
    let hard: Vec<String> = parts
        .into_iter()
        .map(|(name, _, person)| (name, readability::grade(&person)))
        .filter(|(_, grade)| *grade > 8.0)
        .map(|(name, grade)| format!("{name}: grade {grade:.1}"))
        .collect();
    assert!(hard.is_empty(), "above grade 8:\n{}", hard.join("\n"));
}

/// The cases over their level's budget, at the levels given (each reached
/// by some case, so that no budget holds for want of a case).
fn over_budget(levels: &[Level]) -> Vec<String> {
    let parts = persons_parts();
    for level in levels {
        assert!(parts.iter().any(|(_, at, _)| at == level), "no case at {level}");
    }
    parts
        .into_iter()
        .filter(|(_, level, _)| levels.contains(level))
        .map(|(name, level, person)| (name, level, readability::words(&person).count()))
        .filter(|(_, level, words)| *words > budget(*level))
        .map(|(name, level, words)| format!("{name} ({level}): {words} words, budget {}", budget(level)))
        .collect()
}

#[test]
fn the_persons_part_keeps_to_its_budget_at_emergency_and_urgent() {
    let over = over_budget(&[Level::Emergency, Level::Urgent]);
    assert!(over.is_empty(), "over budget:\n{}", over.join("\n"));
}

/// Below `urgent` the plan (up to three exercises, each with its dose,
/// steps and next step), the domains, the contested approach and the
/// safety net share the budget.
#[test]
fn the_persons_part_keeps_to_its_budget_at_soon_and_self_care() {
    let over = over_budget(&[Level::Soon, Level::SelfCare]);
    assert!(over.is_empty(), "over budget:\n{}", over.join("\n"));
}

/// A word of two or more parts joined by `_`, as ids and answer values are.
fn snake_case(word: &str) -> bool {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
    word.contains('_')
        && word.split('_').all(|part| {
            !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

#[test]
fn the_persons_part_names_no_id_rule_or_answer_value() {
    assert!(
        snake_case("(`rf_bladder_bowel_change`),") && snake_case("self_care") && snake_case("over_12_weeks")
    );
    assert!(!snake_case("hip-width") && !snake_case("_") && !snake_case("Not_Sure"));
    each_case(|path, report| {
        for format in [Format::Text, Format::Markdown] {
            let whole = render::render(report, format);
            // Markdown escapes `_` as `\_`.
            let person = person_part(&whole, path).replace('\\', "");
            for word in person.split_whitespace() {
                assert!(!snake_case(word), "{} ({format}): {word:?} in the person's part", path.display());
            }
            // Text underlines the title with `=`; any other `=` is a trace.
            let equals = person.lines().find(|line| line.contains('=') && !line.chars().all(|c| c == '='));
            assert!(equals.is_none(), "{} ({format}): `=` in the person's part: {equals:?}", path.display());
        }
    });
}

#[test]
fn no_exercise_plan_at_urgent_or_emergency() {
    let exercise = [RecommendationKind::Strength, RecommendationKind::Stretch, RecommendationKind::Program];
    let mut serious = 0;
    each_case(|path, report| {
        if report.triage.level < Level::Urgent {
            return;
        }
        serious += 1;
        assert!(
            report.recommendations.iter().all(|r| !exercise.contains(&r.kind)),
            "{}: exercise at {}",
            path.display(),
            report.triage.level
        );
        assert!(!report.notices.is_empty(), "{}: no notice says why there is no plan", path.display());
        for format in [Format::Text, Format::Markdown] {
            let out = render::render(report, format);
            let person = person_part(&out, path);
            assert!(!person.contains("Your plan"), "{} ({format})", path.display());
            for kind in exercise {
                let label = format!("({}, evidence", kind.as_str());
                assert!(!out.contains(&label), "{} ({format}): {label}", path.display());
            }
            if report.triage.level == Level::Urgent {
                for notice in &report.notices {
                    assert!(
                        flat(person).contains(&flat(&notice.text)),
                        "{} ({format}): notice missing",
                        path.display()
                    );
                }
            }
        }
        // The action is the first thing after the title, in the box.
        let text = render::text(report, 80);
        let top = text.find("+---").expect("a box");
        assert!(top < 200, "{}: the box comes first", path.display());
        assert!(text[top..].find(&report.triage.title.to_uppercase()).is_some_and(|at| at < 200));
        let markdown = render::markdown(report);
        assert!(markdown.contains(&format!("> **{}**", report.triage.title)));
    });
    assert!(serious > 0, "no case at urgent or emergency");
}

#[test]
fn text_fits_80_columns() {
    each_case(|path, report| {
        for (n, line) in render::text(report, 80).lines().enumerate() {
            let width = textwrap::core::display_width(line);
            assert!(width <= 80, "{}:{}: {width} columns: {line}", path.display(), n + 1);
        }
    });
}

/// Sources are the last section: no heading follows theirs.
#[test]
fn sources_come_last() {
    each_case(|path, report| {
        let text = render::text(report, 80);
        let heading = "\nSources\n-------\n";
        let at = text.rfind(heading).expect("sources heading") + heading.len();
        assert!(!text[at..].contains("\n---"), "{}: a heading after the sources", path.display());
        let markdown = render::markdown(report);
        let heading = "\n## Sources\n";
        let at = markdown.rfind(heading).expect("sources heading") + heading.len();
        assert!(!markdown[at..].contains("\n#"), "{}: a heading after the sources", path.display());
    });
}

#[test]
fn rendering_is_deterministic() {
    each_document(|path, q, answers| {
        let report = &evaluate(q, answers);
        let again = &evaluate(q, answers);
        for format in [Format::Text, Format::Markdown, Format::Json] {
            assert_eq!(render::render(report, format), render::render(again, format), "{}", path.display());
        }
        let mut line = Vec::new();
        render::write_json_line(report, &mut line).expect("write to memory");
        let compact: serde_json::Value = serde_json::from_slice(&line).expect("valid JSON");
        let pretty: serde_json::Value = serde_json::from_str(&render::json(report)).expect("valid JSON");
        assert_eq!(compact, pretty, "{}", path.display());
    });
}
