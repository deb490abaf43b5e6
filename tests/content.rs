//! Content tests for the shipped `low-back-glutes` questionnaire.
//!
//! The clinical brief is checked three ways:
//! - the file loads with no linter problem, and a few promises of the brief
//!   that the linter cannot know (red-flag levels, stop rules, no talk of
//!   pelvic tilt as a cause) are checked directly;
//! - every clinical vignette in `tests/vignettes/` is evaluated and held to
//!   its expectations, so adding a vignette needs no Rust;
//! - the answer documents in `tests/cases/` (used for report snapshots)
//!   together reach every triage level, every band and every
//!   recommendation, and keep the plan safety rules.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use selfcheck::{evaluate, Answers, AnswersDocument, Level, Questionnaire, RecommendationKind, Report};
use serde::Deserialize;
use serde_json::{json, Value as Json};

#[path = "common/readability.rs"]
mod readability;

const ID: &str = "low-back-glutes";

fn questionnaire() -> Questionnaire {
    let text = selfcheck::shipped(ID).expect("low-back-glutes is shipped");
    Questionnaire::from_json(text, "questionnaires/low-back-glutes.json").unwrap_or_else(|e| panic!("{e}"))
}

/// Answers through the same parser and checks as any batch document.
fn answers(q: &Questionnaire, document: &[u8]) -> Result<Answers, String> {
    let document = AnswersDocument::parse(document).map_err(|e| e.to_string())?;
    Answers::from_document(q, &document.answers).map_err(|e| e.to_string())
}

fn answers_from_object(q: &Questionnaire, object: &Json) -> Result<Answers, String> {
    answers(q, json!({ "questionnaire": ID, "answers": object }).to_string().as_bytes())
}

/// The `.json` files of a folder under `tests/`, sorted by name.
fn json_files(folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(folder);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn ids<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

fn reasons(report: &Report<'_>) -> BTreeSet<String> {
    ids(report.triage.reasons.iter().map(|r| r.rule.as_ref()))
}

fn recommended(report: &Report<'_>) -> BTreeSet<String> {
    ids(report.recommendations.iter().map(|r| r.id.as_ref()))
}

#[test]
fn shipped_questionnaire_loads_without_problems() {
    let q = questionnaire();
    assert_eq!(q.id, ID);
    assert!(selfcheck::validate(q.definition()).is_empty());
}

/// The marker of each red flag, as the brief's table gives it: `(id, yes,
/// not_sure, unanswered)`. The three cauda equina flags raise `urgent` by
/// their marker and `emergency` through a triage rule that looks at the
/// follow-up.
const RED_FLAGS: [(&str, Level, Level, Level); 17] = [
    ("rf_saddle_numbness", Level::Urgent, Level::Urgent, Level::Soon),
    ("rf_bladder_bowel_change", Level::Urgent, Level::Urgent, Level::Soon),
    ("rf_sexual_function_change", Level::Urgent, Level::Urgent, Level::Soon),
    ("rf_both_legs", Level::Emergency, Level::Urgent, Level::Soon),
    ("rf_progressive_weakness", Level::Emergency, Level::Urgent, Level::Soon),
    ("rf_major_trauma", Level::Emergency, Level::Urgent, Level::Soon),
    ("rf_chest_pain", Level::Emergency, Level::Urgent, Level::Soon),
    ("rf_sudden_tearing_pain", Level::Emergency, Level::Urgent, Level::Soon),
    ("rf_fever_unwell", Level::Urgent, Level::Soon, Level::Soon),
    ("rf_cancer_history", Level::Urgent, Level::Soon, Level::Soon),
    ("rf_cancer_spine_signs", Level::Emergency, Level::Urgent, Level::Urgent),
    ("rf_infection_risk", Level::Urgent, Level::Soon, Level::Soon),
    ("rf_minor_trauma_fragile", Level::Urgent, Level::Soon, Level::Soon),
    ("rf_weight_loss", Level::Soon, Level::Soon, Level::Soon),
    ("rf_night_pain", Level::Soon, Level::Soon, Level::Soon),
    ("rf_thoracic_pain", Level::Soon, Level::Soon, Level::Soon),
    ("rf_immune_weak", Level::Soon, Level::Soon, Level::Soon),
];

#[test]
fn red_flags_come_first_with_the_levels_of_the_brief() {
    let q = questionnaire();
    assert_eq!(q.questions[0].id, "age", "age is asked first");
    let flagged: Vec<&str> = q.red_flags().iter().map(|i| q.questions[*i].id.as_str()).collect();
    let expected: Vec<&str> = RED_FLAGS.iter().map(|(id, ..)| *id).collect();
    assert_eq!(flagged, expected);
    for (id, yes, not_sure, unanswered) in RED_FLAGS {
        let flag = q.question(id).and_then(|question| question.red_flag.as_ref()).expect(id);
        assert_eq!((flag.yes, flag.not_sure, flag.unanswered), (yes, not_sure, unanswered), "{id}");
        assert!(!flag.because.is_empty() && !flag.sources.is_empty(), "{id} needs a reason and a source");
        assert!(flag.sign.as_deref().is_some_and(|s| !s.is_empty()), "{id} needs a sign in plain words");
    }
    // The cauda equina follow-up comes straight after its three questions.
    let follow_up = q.question_index("rf_cauda_equina_recent").expect("follow-up");
    assert_eq!(q.questions[follow_up - 1].id, "rf_sexual_function_change");
    let question = &q.questions[follow_up];
    assert!(question.ask_before_stop && question.ask_if.is_some() && question.red_flag.is_none());
    let spine = q.question_index("rf_cancer_spine_signs").expect("cancer follow-up");
    assert_eq!(q.questions[spine - 1].id, "rf_cancer_history");
}

/// "Every cancer reason, at any level, names the acute oncology line", and
/// is marked foremost, so that the person's part never leaves it to the
/// clinician's: the two cancer red flags, in each wording, and every
/// triage rule that reads the cancer question, in each of its cases.
#[test]
fn every_cancer_reason_is_foremost_and_names_the_acute_oncology_line() {
    let q = questionnaire();
    let mut reasons: Vec<(String, bool, Vec<&str>)> = Vec::new();
    for id in ["rf_cancer_history", "rf_cancer_spine_signs"] {
        let flag = q.question(id).and_then(|question| question.red_flag.as_ref()).expect(id);
        let wordings =
            [Some(&flag.because), flag.not_sure_because.as_ref(), flag.unanswered_because.as_ref()];
        reasons.push((
            id.to_owned(),
            flag.foremost,
            wordings.into_iter().flatten().map(String::as_str).collect(),
        ));
    }
    for rule in &q.triage_rules {
        let when = serde_json::to_string(&rule.when).expect("a condition serialises");
        if when.contains("\"rf_cancer_history\"") {
            let cases = rule.because_cases.iter().map(|case| case.because.as_str());
            reasons.push((
                rule.id.clone(),
                rule.foremost,
                std::iter::once(rule.because.as_str()).chain(cases).collect(),
            ));
        }
    }
    let ids: Vec<&str> = reasons.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(
        ids,
        ["rf_cancer_history", "rf_cancer_spine_signs", "cancer_spine_emergency", "cancer_unsure_leg_signs"]
    );
    for (id, foremost, wordings) in reasons {
        assert!(foremost, "{id} is a cancer reason: mark it foremost");
        for wording in wordings {
            assert!(
                wording.contains("acute oncology line"),
                "{id}: {wording:?} does not name the acute oncology line"
            );
        }
    }
}

/// Every combination of a cauda equina flag and its follow-up: only a
/// follow-up `no` (symptoms over 2 weeks, not worsening) lowers a `yes` to
/// `urgent`; a `not_sure` flag is `urgent` whatever the follow-up says.
#[test]
fn cauda_equina_follow_up_matrix() {
    let q = questionnaire();
    let flags = ["rf_saddle_numbness", "rf_bladder_bowel_change", "rf_sexual_function_change"];
    for flag in flags {
        for (answer, follow_up, expected) in [
            ("yes", Some("yes"), Level::Emergency),
            ("yes", Some("not_sure"), Level::Emergency),
            ("yes", None, Level::Emergency),
            ("yes", Some("no"), Level::Urgent),
            ("not_sure", Some("yes"), Level::Urgent),
            ("not_sure", Some("no"), Level::Urgent),
            ("not_sure", None, Level::Urgent),
        ] {
            let mut object = baseline();
            object[flag] = json!(answer);
            if let Some(follow_up) = follow_up {
                object["rf_cauda_equina_recent"] = json!(follow_up);
            }
            let answers = answers_from_object(&q, &object).unwrap_or_else(|e| panic!("{e}"));
            let level = selfcheck::triage_level(&q, &answers);
            assert_eq!(level, expected, "{flag} = {answer}, follow-up = {follow_up:?}");
        }
    }
}

/// The answers of the baseline vignette: an adult with no warning sign.
fn baseline() -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vignettes/baseline-self-care.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let vignette: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    vignette["answers"].clone()
}

/// Age is a weak modifier, never a trigger on its own: with nothing else
/// of note, every adult age gives `self_care`, and every age under 18
/// `soon` (the tool is written for adults).
#[test]
fn age_alone_never_raises_the_level_for_adults() {
    let q = questionnaire();
    for age in 0..=120 {
        let mut object = baseline();
        object["age"] = json!(age);
        let answers = answers_from_object(&q, &object).unwrap_or_else(|e| panic!("{e}"));
        let expected = if age < 18 { Level::Soon } else { Level::SelfCare };
        assert_eq!(selfcheck::triage_level(&q, &answers), expected, "age {age}");
    }
}

/// Each exercise gives a dose, a how-to and a progression; the stop rule
/// is said once per plan, by a note, never under each exercise. Exactly
/// one of the two leg stop rules is chosen whenever the plan holds an
/// exercise, with the rule for everyone.
#[test]
fn every_exercise_has_a_dose_and_every_plan_one_stop_rule() {
    let q = questionnaire();
    let exercises = [RecommendationKind::Strength, RecommendationKind::Stretch, RecommendationKind::Program];
    for rec in q.recommendations.iter().filter(|r| exercises.contains(&r.kind)) {
        assert!(rec.dose.is_some() && rec.progression.is_some() && !rec.how_to.is_empty(), "{}", rec.id);
        assert!(rec.stop_rule.is_none(), "{}: the stop rule is a note of the plan", rec.id);
    }
    for (name, _, report) in cases(&q).into_iter().chain(vignettes(&q)) {
        let exercise = report.recommendations.iter().any(|r| r.in_plan && exercises.contains(&r.kind));
        let notes: Vec<&str> = report.notes.iter().map(|n| n.id.as_ref()).collect();
        let leg_rules =
            notes.iter().filter(|id| id.starts_with("stop_") && **id != "stop_for_everyone").count();
        if exercise {
            assert_eq!(leg_rules, 1, "{name}: {notes:?}");
            assert!(notes.contains(&"stop_for_everyone"), "{name}: {notes:?}");
        } else {
            assert!(
                notes.iter().all(|id| !id.starts_with("stop_")),
                "{name}: a stop rule without exercise: {notes:?}"
            );
        }
    }
}

/// The catalogue of the brief: ids, kinds and evidence labels, in order.
#[test]
fn catalogue_matches_the_brief() {
    use RecommendationKind::*;
    let q = questionnaire();
    let catalogue: Vec<(&str, RecommendationKind, &str)> =
        q.recommendations.iter().map(|r| (r.id.as_str(), r.kind, r.evidence.as_str())).collect();
    assert_eq!(
        catalogue,
        [
            ("understand_back_pain", Education, "guideline"),
            ("stay_active", Habit, "moderate"),
            ("movement_breaks", Habit, "low"),
            ("glute_bridge", Strength, "low"),
            ("sit_to_stand_squat", Strength, "low"),
            ("side_lying_leg_raise", Strength, "low"),
            ("hip_flexor_stretch", Stretch, "very low"),
            ("reverse_lunge", Strength, "low"),
            ("piriformis_stretch", Stretch, "very low"),
            ("hamstring_stretch", Stretch, "very low"),
            ("general_exercise", Program, "moderate"),
            ("combined_programme", Professional, "guideline"),
            ("see_gp", Professional, "guideline"),
            ("see_physio", Professional, "guideline"),
            ("see_maternity", Professional, "guideline"),
        ]
    );
    let contested: Vec<(&str, &str)> =
        q.contested.iter().map(|c| (c.id.as_str(), c.label.as_str())).collect();
    assert_eq!(contested, [("acupuncture", "contested")]);
}

/// Every text of the file, with its JSON path.
fn texts<'a>(value: &'a Json, path: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Json::String(s) => out.push((path, s)),
        Json::Array(items) => {
            items.iter().enumerate().for_each(|(i, item)| texts(item, format!("{path}[{i}]"), out))
        }
        Json::Object(map) => map.iter().for_each(|(key, item)| texts(item, format!("{path}.{key}"), out)),
        _ => {}
    }
}

/// Pelvic tilt is common without pain; no text may present it as a cause,
/// and no text may recommend acupuncture.
#[test]
fn no_text_calls_pelvic_tilt_a_cause_or_recommends_acupuncture() {
    let text = selfcheck::shipped(ID).expect("shipped");
    let file: Json = serde_json::from_str(text).expect("JSON");
    let mut all = Vec::new();
    texts(&file, String::new(), &mut all);
    for (path, text) in &all {
        let lower = text.to_lowercase();
        if lower.contains("tilt") {
            assert!(!lower.contains("cause"), "{path} links tilt and cause: {text}");
        }
        if lower.contains("acupuncture") {
            assert!(
                path.starts_with(".contested") || path.starts_with(".sources"),
                "{path} mentions acupuncture"
            );
        }
    }
}

/// What a vignette expects. Lists are checked as "includes" / "excludes";
/// `unanswered_red_flags` and `ignored_answers`, when given, must match
/// exactly (in questionnaire order).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    level: Level,
    #[serde(default)]
    reasons_include: Vec<String>,
    #[serde(default)]
    reasons_exclude: Vec<String>,
    #[serde(default)]
    recommendations_include: Vec<String>,
    #[serde(default)]
    recommendations_exclude: Vec<String>,
    #[serde(default)]
    withheld_include: Vec<String>,
    #[serde(default)]
    notices_include: Vec<String>,
    #[serde(default)]
    notices_exclude: Vec<String>,
    unanswered_red_flags: Option<Vec<String>>,
    ignored_answers: Option<Vec<String>>,
    /// Exactly these recommendations, in any order.
    recommendations: Option<Vec<String>>,
    /// Chosen and part of the plan (`in_plan: true`).
    #[serde(default)]
    in_plan: Vec<String>,
    /// Chosen but beyond the plan's size (`in_plan: false`).
    #[serde(default)]
    not_in_plan: Vec<String>,
    /// Exactly these notes, in any order.
    notes: Option<Vec<String>>,
    #[serde(default)]
    notes_include: Vec<String>,
    #[serde(default)]
    notes_exclude: Vec<String>,
    /// Exactly these contested entries.
    contested: Option<Vec<String>>,
    /// Domain id → expected band id.
    #[serde(default)]
    bands: BTreeMap<String, String>,
    /// Words the person's part of the text report (everything before `For
    /// your clinician`) must say, such as who to call; line breaks and
    /// runs of spaces count as one space.
    #[serde(default)]
    person_includes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Vignette {
    description: String,
    answers: Json,
    expect: Expect,
}

/// Ids a vignette may name, so that a misspelt id fails instead of making
/// an "excludes" check pass for nothing.
struct Known {
    rules: BTreeSet<String>,
    recommendations: BTreeSet<String>,
    notices: BTreeSet<String>,
    notes: BTreeSet<String>,
    questions: BTreeSet<String>,
    bands: BTreeMap<String, BTreeSet<String>>,
}

impl Known {
    fn new(q: &Questionnaire) -> Known {
        let mut rules = ids(q.triage_rules.iter().map(|r| r.id.as_str()));
        for i in q.red_flags() {
            for suffix in ["yes", "not_sure", "unanswered"] {
                rules.insert(format!("{}.{suffix}", q.questions[*i].id));
            }
        }
        let mut recommendations = ids(q.recommendations.iter().map(|r| r.id.as_str()));
        recommendations.extend(q.contested.iter().map(|c| c.id.clone()));
        Known {
            rules,
            recommendations,
            notices: ids(q.plan_limits.iter().map(|l| l.id.as_str())),
            notes: ids(q.notes.iter().map(|n| n.id.as_str())),
            questions: ids(q.questions.iter().map(|question| question.id.as_str())),
            bands: q
                .domains
                .iter()
                .map(|d| (d.id.clone(), ids(d.bands.iter().map(|b| b.id.as_str()))))
                .collect(),
        }
    }

    fn unknown(&self, expect: &Expect) -> Vec<String> {
        let mut out = Vec::new();
        let mut check = |what: &str, known: &BTreeSet<String>, list: &[String]| {
            out.extend(
                list.iter().filter(|id| !known.contains(*id)).map(|id| format!("unknown {what} `{id}`")),
            )
        };
        check("rule", &self.rules, &expect.reasons_include);
        check("rule", &self.rules, &expect.reasons_exclude);
        check("recommendation", &self.recommendations, &expect.recommendations_include);
        check("recommendation", &self.recommendations, &expect.recommendations_exclude);
        check("recommendation", &self.recommendations, &expect.withheld_include);
        check("plan limit", &self.notices, &expect.notices_include);
        check("plan limit", &self.notices, &expect.notices_exclude);
        check("recommendation", &self.recommendations, expect.recommendations.as_deref().unwrap_or_default());
        check("recommendation", &self.recommendations, &expect.in_plan);
        check("recommendation", &self.recommendations, &expect.not_in_plan);
        check("note", &self.notes, expect.notes.as_deref().unwrap_or_default());
        check("note", &self.notes, &expect.notes_include);
        check("note", &self.notes, &expect.notes_exclude);
        check("recommendation", &self.recommendations, expect.contested.as_deref().unwrap_or_default());
        check("question", &self.questions, expect.unanswered_red_flags.as_deref().unwrap_or_default());
        check("question", &self.questions, expect.ignored_answers.as_deref().unwrap_or_default());
        for (domain, band) in &expect.bands {
            match self.bands.get(domain) {
                Some(bands) if bands.contains(band) => {}
                Some(_) => out.push(format!("domain `{domain}` has no band `{band}`")),
                None => out.push(format!("unknown domain `{domain}`")),
            }
        }
        out
    }
}

/// Every way `report` falls short of `expect`.
fn unmet(report: &Report<'_>, expect: &Expect) -> Vec<String> {
    let mut out = Vec::new();
    if report.triage.level != expect.level {
        out.push(format!("level is `{}`, expected `{}`", report.triage.level, expect.level));
    }
    if !expect.person_includes.is_empty() {
        let text = selfcheck::render::text(report, 80);
        let person = text.split("\nFor your clinician\n").next().unwrap_or_default();
        let person = person.split_whitespace().collect::<Vec<_>>().join(" ");
        for words in &expect.person_includes {
            if !person.contains(words.as_str()) {
                out.push(format!("the person's part does not say {words:?}:\n{person}"));
            }
        }
    }
    let fired = reasons(report);
    let chosen = recommended(report);
    let withheld = ids(report.withheld.iter().map(|w| w.id.as_ref()));
    let notices = ids(report.notices.iter().map(|n| n.id.as_ref()));
    let mut includes = |what: &str, present: &BTreeSet<String>, wanted: &[String], want: bool| {
        for id in wanted.iter().filter(|id| present.contains(*id) != want) {
            let verb = if want { "missing" } else { "unexpected" };
            out.push(format!("{verb} {what} `{id}` (got {present:?})"));
        }
    };
    includes("reason", &fired, &expect.reasons_include, true);
    includes("reason", &fired, &expect.reasons_exclude, false);
    includes("recommendation", &chosen, &expect.recommendations_include, true);
    includes("recommendation", &chosen, &expect.recommendations_exclude, false);
    includes("withheld recommendation", &withheld, &expect.withheld_include, true);
    includes("notice", &notices, &expect.notices_include, true);
    includes("notice", &notices, &expect.notices_exclude, false);
    let notes = ids(report.notes.iter().map(|n| n.id.as_ref()));
    includes("note", &notes, &expect.notes_include, true);
    includes("note", &notes, &expect.notes_exclude, false);
    let planned = ids(report.recommendations.iter().filter(|r| r.in_plan).map(|r| r.id.as_ref()));
    let further = ids(report.recommendations.iter().filter(|r| !r.in_plan).map(|r| r.id.as_ref()));
    includes("recommendation in the plan", &planned, &expect.in_plan, true);
    includes("further option", &further, &expect.not_in_plan, true);
    let contested = ids(report.contested.iter().map(|c| c.id.as_ref()));
    for (what, got, wanted) in [
        ("recommendations", &chosen, &expect.recommendations),
        ("notes", &notes, &expect.notes),
        ("contested entries", &contested, &expect.contested),
    ] {
        if let Some(wanted) = wanted {
            let wanted = ids(wanted.iter().map(String::as_str));
            if got != &wanted {
                out.push(format!("{what} are {got:?}, expected {wanted:?}"));
            }
        }
    }
    let listed = |list: &[std::borrow::Cow<'_, str>]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    if let Some(wanted) = &expect.unanswered_red_flags {
        let got = listed(&report.unanswered_red_flags);
        if &got != wanted {
            out.push(format!("unanswered_red_flags are {got:?}, expected {wanted:?}"));
        }
    }
    if let Some(wanted) = &expect.ignored_answers {
        let got = listed(&report.ignored_answers);
        if &got != wanted {
            out.push(format!("ignored_answers are {got:?}, expected {wanted:?}"));
        }
    }
    for (domain, band) in &expect.bands {
        let got = report.domains.iter().find(|d| d.id == domain.as_str()).and_then(|d| d.band.as_deref());
        if got != Some(band.as_str()) {
            out.push(format!("domain `{domain}` is in band {got:?}, expected `{band}`"));
        }
    }
    out
}

#[test]
fn vignettes_meet_their_expectations() {
    let q = questionnaire();
    let known = Known::new(&q);
    let files = json_files("vignettes");
    assert!(files.len() >= 25, "only {} vignettes", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = file_name(path);
        let result = fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Vignette>(&text).map_err(|e| e.to_string()))
            .and_then(|v| {
                let answers = answers_from_object(&q, &v.answers)?;
                Ok((v, answers))
            });
        let problems = match result {
            Err(e) => vec![e],
            Ok((vignette, answers)) => {
                let mut problems = known.unknown(&vignette.expect);
                if vignette.description.trim().is_empty() {
                    problems.push(String::from("the description is empty"));
                }
                problems.extend(unmet(&evaluate(&q, &answers), &vignette.expect));
                problems
            }
        };
        failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
    }
    assert!(failures.is_empty(), "{} problem(s):\n{}", failures.len(), failures.join("\n"));
}

/// Every answers document in `tests/cases/`, evaluated: `(file name,
/// answers object, report)`.
fn cases(q: &Questionnaire) -> Vec<(String, Json, Report<'_>)> {
    let files = json_files("cases");
    assert!(files.len() >= 30, "only {} cases", files.len());
    files
        .iter()
        .map(|path| {
            let name = file_name(path);
            let bytes = fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let document = AnswersDocument::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(document.questionnaire.as_deref(), Some(ID), "{name} must name the questionnaire");
            let answers =
                Answers::from_document(q, &document.answers).unwrap_or_else(|e| panic!("{name}: {e}"));
            let object: Json = serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, object["answers"].clone(), evaluate(q, &answers))
        })
        .collect()
}

/// Every vignette, evaluated, in the same shape as [`cases`].
fn vignettes(q: &Questionnaire) -> Vec<(String, Json, Report<'_>)> {
    json_files("vignettes")
        .iter()
        .map(|path| {
            let name = file_name(path);
            let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let vignette: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let object = vignette["answers"].clone();
            let answers = answers_from_object(q, &object).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, object, evaluate(q, &answers))
        })
        .collect()
}

/// The case files exercise the whole questionnaire: every level, every
/// band of every domain, and every recommendation both chosen and not.
#[test]
fn cases_reach_every_level_band_and_recommendation() {
    let q = questionnaire();
    let reports = cases(&q);
    let mut missing = Vec::new();
    for level in Level::ALL {
        if !reports.iter().any(|(_, _, r)| r.triage.level == level) {
            missing.push(format!("level `{level}`"));
        }
    }
    for domain in &q.domains {
        for band in &domain.bands {
            let reached = reports.iter().any(|(_, _, r)| {
                r.domains
                    .iter()
                    .any(|d| d.id == domain.id.as_str() && d.band.as_deref() == Some(band.id.as_str()))
            });
            if !reached {
                missing.push(format!("band `{}` of `{}`", band.id, domain.id));
            }
        }
    }
    for rec in &q.recommendations {
        let chosen = reports.iter().filter(|(_, _, r)| recommended(r).contains(&rec.id)).count();
        if chosen == 0 {
            missing.push(format!("recommendation `{}` chosen", rec.id));
        }
        if chosen == reports.len() {
            missing.push(format!("recommendation `{}` absent", rec.id));
        }
    }
    for rule in &q.triage_rules {
        if !reports.iter().any(|(_, _, r)| reasons(r).contains(&rule.id)) {
            missing.push(format!("triage rule `{}`", rule.id));
        }
    }
    assert!(missing.is_empty(), "no case reaches: {}", missing.join(", "));
}

/// The plan's safety rules hold in every case and every vignette: no plan
/// at `urgent` and above, under 18 only education, staying active and a
/// GP, at most 3 exercises in the plan, acupuncture only ever as a
/// contested approach, and only at `self_care` and `soon` for adults.
#[test]
fn plan_safety_rules_hold_everywhere() {
    let q = questionnaire();
    let bounded = [RecommendationKind::Strength, RecommendationKind::Stretch];
    for (name, answers, report) in cases(&q).into_iter().chain(vignettes(&q)) {
        let chosen: Vec<(&str, RecommendationKind)> =
            report.recommendations.iter().map(|r| (r.id.as_ref(), r.kind)).collect();
        let adult = answers["age"].as_i64().is_none_or(|age| age >= 18);
        if report.triage.level >= Level::Urgent {
            assert!(chosen.is_empty(), "{name}: a plan at {}: {chosen:?}", report.triage.level);
            assert!(report.notices.iter().any(|n| n.id == "clinician_first"), "{name}: no notice");
        }
        if !adult {
            let allowed = ["understand_back_pain", "stay_active", "see_gp"];
            let other: Vec<_> = chosen.iter().filter(|(id, _)| !allowed.contains(id)).collect();
            assert!(other.is_empty(), "{name}: under 18: {other:?}");
            assert!(report.notices.iter().any(|n| n.id == "under_18"), "{name}: no notice");
        }
        let planned =
            report.recommendations.iter().filter(|r| r.in_plan && bounded.contains(&r.kind)).count();
        assert!(planned <= 3, "{name}: {planned} exercises in the plan");
        assert!(chosen.iter().all(|(id, _)| *id != "acupuncture"), "{name}");
        let contested: Vec<(&str, &str)> =
            report.contested.iter().map(|c| (c.id.as_ref(), c.label.as_ref())).collect();
        let shown = report.triage.level < Level::Urgent && adult;
        let expected = if shown { vec![("acupuncture", "contested")] } else { Vec::new() };
        assert_eq!(contested, expected, "{name}");
        assert!(!report.safety_net.is_empty() && !report.safety_net_tiers.is_empty(), "{name}");
    }
}

/// Every text a person reads, with a name for failure messages: each
/// question and each help text alone; each reason, note, notice, level
/// text, domain text and band, each "why" (placeholders filled with a
/// number); each catalogue entry as one passage (title, evidence note,
/// summary, dose, steps and progression, as a person reads it); each
/// contested entry's summary and evidence note alone; the safety net and
/// its tiers, one sign to a line; purpose and disclaimer.
fn texts_a_person_reads(q: &Questionnaire) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |name: String, text: &str| out.push((name, text.to_owned()));
    add("intended_purpose".into(), &q.intended_purpose);
    add("disclaimer".into(), &q.disclaimer);
    for level in Level::ALL {
        let text = q.levels.get(level);
        let passage = [Some(text.title.as_str()), Some(text.action.as_str()), text.plan_note.as_deref()];
        add(format!("levels.{level}"), &passage.iter().flatten().copied().collect::<Vec<_>>().join(".\n"));
    }
    for section in &q.sections {
        if let Some(intro) = &section.intro {
            add(format!("sections.{}", section.id), intro);
        }
    }
    for question in &q.questions {
        add(format!("{}.text", question.id), &question.text);
        if let Some(help) = &question.help {
            add(format!("{}.help", question.id), help);
        }
        if let Some(flag) = &question.red_flag {
            add(format!("{}.because", question.id), &flag.because);
            for (what, text) in [
                ("not_sure_because", &flag.not_sure_because),
                ("unanswered_because", &flag.unanswered_because),
            ] {
                if let Some(text) = text {
                    add(format!("{}.{what}", question.id), text);
                }
            }
        }
    }
    for rule in &q.triage_rules {
        add(format!("{}.because", rule.id), &rule.because);
        if let Some(action) = &rule.action {
            add(format!("{}.action", rule.id), action);
        }
        for (i, case) in rule.because_cases.iter().enumerate() {
            add(format!("{}.because_cases[{i}]", rule.id), &case.because);
        }
    }
    for domain in &q.domains {
        if let Some(note) = &domain.note {
            add(format!("{}.note", domain.id), note);
        }
        for band in &domain.bands {
            add(format!("{}.{}", domain.id, band.id), &band.explanation);
        }
    }
    for rec in &q.recommendations {
        let mut passage = vec![rec.title.clone()];
        passage.extend(rec.evidence_note.clone());
        passage.push(rec.summary.clone());
        passage.extend(rec.dose.clone());
        passage.extend(rec.how_to.iter().cloned());
        passage.extend(rec.progression.clone());
        add(rec.id.clone(), &passage.join("\n"));
    }
    for rule in &q.selection_rules {
        let mut why = String::new();
        let mut rest = rule.why.as_str();
        while let Some(open) = rest.find('{') {
            why.push_str(&rest[..open]);
            why.push('5');
            rest = rest[open..].find('}').map_or("", |close| &rest[open + close + 1..]);
        }
        why.push_str(rest);
        add(format!("{}.why", rule.id), &why);
    }
    for limit in &q.plan_limits {
        add(format!("{}.notice", limit.id), &limit.notice);
    }
    for note in &q.notes {
        add(format!("notes.{}", note.id), &note.text);
    }
    for entry in &q.contested {
        add(format!("{}.summary", entry.id), &entry.summary);
        if let Some(note) = &entry.evidence_note {
            add(format!("{}.evidence_note", entry.id), note);
        }
    }
    let mut net: Vec<&str> = q.safety_net_intro.iter().map(String::as_str).collect();
    net.extend(q.safety_net.iter().map(String::as_str));
    add("safety_net".into(), &net.join("\n"));
    for (i, tier) in q.safety_net_tiers.iter().enumerate() {
        let mut lines = vec![tier.intro.as_str()];
        lines.extend(tier.signs.iter().map(String::as_str));
        add(format!("safety_net_tiers[{i}]"), &lines.join("\n"));
    }
    out
}

/// Plain words (brief: "Flesch-Kincaid grade 8 or lower for every text a
/// person reads"), measured with `tests/common/readability.rs`.
#[test]
fn every_text_a_person_reads_is_at_grade_8_or_lower() {
    let q = questionnaire();
    let texts = texts_a_person_reads(&q);
    assert!(texts.len() > 200, "only {} texts", texts.len());
    let hard: Vec<String> = texts
        .iter()
        .map(|(name, text)| (name, readability::grade(text), text))
        .filter(|(_, grade, _)| *grade > 8.0)
        .map(|(name, grade, text)| format!("{name}: grade {grade:.1}: {text}"))
        .collect();
    assert!(hard.is_empty(), "{} text(s) above grade 8:\n{}", hard.len(), hard.join("\n"));
}
