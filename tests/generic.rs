//! Proof that the engine is generic: two published scoring structures,
//! expressed as data with placeholder wording, scored against hand-worked
//! results and against a small scorer written independently of the engine.
//!
//! `start-back-structure.json` has the structure of a nine-item screening
//! tool: eight agree/disagree items and a five-option item 9 that counts
//! at "very much" and "extremely"; a total (0–9), a subscale of items 5–9
//! (0–5) and a risk group (high: subscale ≥ 4; medium: total ≥ 4; low:
//! otherwise). Every item must be answered for a total, every subscale item
//! for the subscale, and without a total there is no group.
//!
//! `oswestry-structure.json` has the structure of a ten-section disability
//! index: sections scored 0–5, the score is the sum over the answered
//! sections' maximum, as a percentage with one decimal, given when at least
//! 8 sections are answered (two missing sections at most, a common rule of
//! thumb for the index).

use std::path::Path;

use proptest::prelude::*;
use selfcheck::report::DomainResult;
use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire, Report};
use serde_json::{json, Value as Json};

fn load(name: &str) -> Questionnaire {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    Questionnaire::from_path(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn start() -> Questionnaire {
    load("start-back-structure.json")
}

fn oswestry() -> Questionnaire {
    load("oswestry-structure.json")
}

/// Answers given as a JSON object, through the same parser as any document.
fn answers(q: &Questionnaire, answers: &Json) -> Answers {
    let text = json!({ "questionnaire": q.id, "answers": answers }).to_string();
    let document = AnswersDocument::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    Answers::from_document(q, &document.answers).unwrap_or_else(|e| panic!("{e}"))
}

fn domain<'r, 'q>(report: &'r Report<'q>, id: &str) -> &'r DomainResult<'q> {
    report.domains.iter().find(|d| d.id == id).unwrap_or_else(|| panic!("no domain `{id}`"))
}

/// `(score, band)` of a domain.
fn scored(report: &Report<'_>, id: &str) -> (Option<f64>, Option<String>) {
    let d = domain(report, id);
    (d.score, d.band.as_ref().map(|b| b.to_string()))
}

fn band(report: &Report<'_>, id: &str) -> Option<String> {
    scored(report, id).1
}

// --- The nine-item screening structure -----------------------------------

/// Answers for the nine items: the agreeing items among 1–8 and item 9's
/// option.
fn start_answers(agree: &[u8], item_9: &str) -> Json {
    let mut map = serde_json::Map::new();
    for i in 1..=8 {
        let answer = if agree.contains(&i) { "agree" } else { "disagree" };
        map.insert(format!("item_{i}"), json!(answer));
    }
    map.insert("item_9".into(), json!(item_9));
    Json::Object(map)
}

fn start_report<'q>(q: &'q Questionnaire, agree: &[u8], item_9: &str) -> Report<'q> {
    evaluate(q, &answers(q, &start_answers(agree, item_9)))
}

#[test]
fn start_nothing_agreed_is_low() {
    let q = start();
    let report = start_report(&q, &[], "not_at_all");
    assert_eq!(scored(&report, "total"), (Some(0.0), Some("up_to_3".into())));
    assert_eq!(scored(&report, "psychosocial"), (Some(0.0), Some("up_to_3".into())));
    assert_eq!(scored(&report, "risk"), (None, Some("low".into())));
}

#[test]
fn start_everything_agreed_is_high() {
    let q = start();
    let report = start_report(&q, &[1, 2, 3, 4, 5, 6, 7, 8], "extremely");
    assert_eq!(scored(&report, "total"), (Some(9.0), Some("4_or_more".into())));
    assert_eq!(scored(&report, "psychosocial"), (Some(5.0), Some("4_or_more".into())));
    assert_eq!(band(&report, "risk").as_deref(), Some("high"));
}

#[test]
fn start_total_3_is_low_and_total_4_is_medium() {
    let q = start();
    let three = start_report(&q, &[1, 2, 3], "not_at_all");
    assert_eq!(scored(&three, "total"), (Some(3.0), Some("up_to_3".into())));
    assert_eq!(band(&three, "risk").as_deref(), Some("low"));

    let four = start_report(&q, &[1, 2, 3, 4], "not_at_all");
    assert_eq!(scored(&four, "total"), (Some(4.0), Some("4_or_more".into())));
    assert_eq!(scored(&four, "psychosocial"), (Some(0.0), Some("up_to_3".into())));
    assert_eq!(band(&four, "risk").as_deref(), Some("medium"));
}

#[test]
fn start_subscale_3_is_not_high_and_subscale_4_is_high() {
    let q = start();
    // Subscale 3 with total 3: low.
    let low = start_report(&q, &[5, 6, 7], "not_at_all");
    assert_eq!(scored(&low, "psychosocial"), (Some(3.0), Some("up_to_3".into())));
    assert_eq!(band(&low, "risk").as_deref(), Some("low"));
    // Subscale 3 with total 4: medium.
    let medium = start_report(&q, &[1, 5, 6, 7], "not_at_all");
    assert_eq!(scored(&medium, "total"), (Some(4.0), Some("4_or_more".into())));
    assert_eq!(scored(&medium, "psychosocial"), (Some(3.0), Some("up_to_3".into())));
    assert_eq!(band(&medium, "risk").as_deref(), Some("medium"));
    // Subscale 4 (and so total 4): high, the first matching band.
    let high = start_report(&q, &[5, 6, 7, 8], "not_at_all");
    assert_eq!(scored(&high, "psychosocial"), (Some(4.0), Some("4_or_more".into())));
    assert_eq!(band(&high, "risk").as_deref(), Some("high"));
}

#[test]
fn start_item_9_counts_only_at_very_much_and_extremely() {
    let q = start();
    for (option, points) in
        [("not_at_all", 0.0), ("slightly", 0.0), ("moderately", 0.0), ("very_much", 1.0), ("extremely", 1.0)]
    {
        let alone = start_report(&q, &[], option);
        assert_eq!(domain(&alone, "total").score, Some(points), "item 9 `{option}` alone");
        assert_eq!(domain(&alone, "psychosocial").score, Some(points), "item 9 `{option}` alone");
        // With items 5–7 agreed, item 9 decides between low and high.
        let report = start_report(&q, &[5, 6, 7], option);
        let expected = if points > 0.0 { "high" } else { "low" };
        assert_eq!(band(&report, "risk").as_deref(), Some(expected), "item 9 `{option}`");
    }
}

#[test]
fn start_items_1_to_4_never_count_towards_the_subscale() {
    let q = start();
    let report = start_report(&q, &[1, 2, 3, 4], "extremely");
    assert_eq!(domain(&report, "total").score, Some(5.0));
    assert_eq!(domain(&report, "psychosocial").score, Some(1.0));
    assert_eq!(band(&report, "risk").as_deref(), Some("medium"));
}

#[test]
fn start_missing_item_leaves_total_and_group_unscored() {
    let q = start();
    let mut given = start_answers(&[5, 6, 7, 8], "extremely");
    given.as_object_mut().map(|m| m.remove("item_1"));
    let report = evaluate(&q, &answers(&q, &given));
    let total = domain(&report, "total");
    assert_eq!((total.score, total.band.as_deref(), total.answered), (None, None, 8));
    assert!(total.explanation.contains("8 given, at least 9 needed"), "{}", total.explanation);
    // The subscale does not need item 1, and a subscale of 5 is high
    // whatever item 1 would have been.
    assert_eq!(scored(&report, "psychosocial"), (Some(5.0), Some("4_or_more".into())));
    assert_eq!(band(&report, "risk").as_deref(), Some("high"));

    let mut given = start_answers(&[1, 2, 3, 4], "not_at_all");
    given.as_object_mut().map(|m| m.remove("item_9"));
    let report = evaluate(&q, &answers(&q, &given));
    assert_eq!(scored(&report, "total"), (None, None));
    assert_eq!(scored(&report, "psychosocial"), (None, None));
    assert_eq!(band(&report, "risk"), None, "no group without a total");
    assert_eq!(
        domain(&report, "risk").explanation,
        "None of its groups applies to these answers; some may be missing."
    );
}

#[test]
fn start_recommendations_follow_the_group() {
    let q = start();
    let high = start_report(&q, &[5, 6, 7, 8], "very_much");
    let ids: Vec<&str> = high.recommendations.iter().map(|r| r.id.as_ref()).collect();
    assert_eq!(ids, ["placeholder_advice", "placeholder_referral"]);
    assert_eq!(high.recommendations[0].why, "Group high, total 5.");
    assert_eq!(high.recommendations[1].why, "Subscale 5 of 5.");

    let low = start_report(&q, &[], "slightly");
    let ids: Vec<&str> = low.recommendations.iter().map(|r| r.id.as_ref()).collect();
    assert_eq!(ids, ["placeholder_advice"]);
    assert_eq!(low.recommendations[0].why, "Group low, total 0.");
}

// --- The ten-section disability index structure --------------------------

/// Answers for the ten sections: `Some(points)` answers `level_<points>`.
fn oswestry_answers(sections: &[Option<u8>]) -> Json {
    let mut map = serde_json::Map::new();
    for (i, points) in sections.iter().enumerate() {
        if let Some(points) = points {
            map.insert(format!("section_{}", i + 1), json!(format!("level_{points}")));
        }
    }
    Json::Object(map)
}

fn oswestry_report<'q>(q: &'q Questionnaire, sections: &[Option<u8>]) -> Report<'q> {
    evaluate(q, &answers(q, &oswestry_answers(sections)))
}

#[test]
fn oswestry_all_sections_answered() {
    let q = oswestry();
    // 1+2+3+0+5+4+2+1+0+3 = 21 of 50 = 42 %.
    let sections = [1, 2, 3, 0, 5, 4, 2, 1, 0, 3].map(Some);
    let report = oswestry_report(&q, &sections);
    let d = domain(&report, "disability");
    assert_eq!((d.score, d.max, d.answered), (Some(42.0), Some(100.0), 10));
    assert_eq!(d.band.as_deref(), Some("severe"));
    let json = serde_json::to_value(&report).expect("serialise");
    assert_eq!(json["domains"][0]["score"], json!(42));
    assert_eq!(report.recommendations[0].why, "Index 42 (severe).");

    assert_eq!(
        scored(&oswestry_report(&q, &[Some(0); 10]), "disability"),
        (Some(0.0), Some("minimal".into()))
    );
    assert_eq!(
        scored(&oswestry_report(&q, &[Some(5); 10]), "disability"),
        (Some(100.0), Some("bed_bound".into()))
    );
}

#[test]
fn oswestry_16_of_45_is_35_6() {
    let q = oswestry();
    // Nine sections answered, 16 points of 45: 35.555… shown as 35.6.
    let sections = [Some(2), Some(2), Some(2), Some(2), None, Some(2), Some(2), Some(2), Some(1), Some(1)];
    let report = oswestry_report(&q, &sections);
    let d = domain(&report, "disability");
    assert_eq!((d.score, d.answered), (Some(35.6), 9));
    assert_eq!(d.band.as_deref(), Some("moderate"));
    let json = serde_json::to_value(&report).expect("serialise");
    assert_eq!(json["domains"][0]["score"], json!(35.6));
    assert_eq!(report.recommendations[0].why, "Index 35.6 (moderate).");
    assert_eq!(report.unanswered, ["section_5"]);
}

#[test]
fn oswestry_missing_sections_shrink_the_maximum() {
    let q = oswestry();
    // Eight sections, 16 of 40: exactly 40 %, the top of `moderate`.
    let sections = [Some(2), None, Some(2), Some(2), Some(2), Some(2), None, Some(2), Some(2), Some(2)];
    let report = oswestry_report(&q, &sections);
    assert_eq!(scored(&report, "disability"), (Some(40.0), Some("moderate".into())));
    // One more point: 17 of 40 = 42.5 %.
    let sections = [Some(3), None, Some(2), Some(2), Some(2), Some(2), None, Some(2), Some(2), Some(2)];
    let report = oswestry_report(&q, &sections);
    assert_eq!(scored(&report, "disability"), (Some(42.5), Some("severe".into())));
}

#[test]
fn oswestry_below_the_minimum_gives_no_score_and_no_band() {
    let q = oswestry();
    let sections = [Some(5), Some(5), Some(5), Some(5), Some(5), Some(5), Some(5), None, None, None];
    let report = oswestry_report(&q, &sections);
    let d = domain(&report, "disability");
    assert_eq!((d.score, d.band.as_deref(), d.answered), (None, None, 7));
    assert!(d.explanation.contains("7 given, at least 8 needed"), "{}", d.explanation);
    let json = serde_json::to_value(&report).expect("serialise");
    assert_eq!(json["domains"][0]["score"], Json::Null);
    assert_eq!(json["domains"][0]["band"], Json::Null);
    // Without a band the rule that names the band does not hold.
    assert!(report.recommendations.is_empty());

    let report = oswestry_report(&q, &[None; 10]);
    assert_eq!(scored(&report, "disability"), (None, None));
}

#[test]
fn oswestry_band_edges() {
    let q = oswestry();
    // `n` sections answered, `s` points: the percentage is 20·s/n.
    let cases: [(usize, u8, f64, &str); 10] = [
        (10, 10, 20.0, "minimal"),
        (9, 9, 20.0, "minimal"),
        (10, 11, 22.0, "moderate"),
        (9, 10, 22.2, "moderate"),
        (10, 20, 40.0, "moderate"),
        (9, 19, 42.2, "severe"),
        (10, 30, 60.0, "severe"),
        (9, 28, 62.2, "crippled"),
        (8, 32, 80.0, "crippled"),
        (9, 37, 82.2, "bed_bound"),
    ];
    for (n, s, score, expected) in cases {
        let sections = spread(n, s);
        let report = oswestry_report(&q, &sections);
        assert_eq!(scored(&report, "disability"), (Some(score), Some(expected.into())), "{s} points in {n}");
    }
}

/// `n` answered sections holding `s` points between them, the rest
/// unanswered.
fn spread(n: usize, s: u8) -> Vec<Option<u8>> {
    let mut left = s;
    (0..10)
        .map(|i| {
            (i < n).then(|| {
                let here = left.min(5);
                left -= here;
                here
            })
        })
        .collect()
}

/// Every possible percentage for 1 to 10 answered sections lands in the
/// band an exact rational computation gives; rounding to one decimal never
/// pushes a score across a band edge.
#[test]
fn oswestry_every_score_lands_in_the_right_band() {
    let q = oswestry();
    let mut definition = q.definition().clone();
    definition.domains[0].min_answered = 1;
    let q = Questionnaire::new(definition).unwrap_or_else(|e| panic!("{e}"));
    for n in 1..=10usize {
        for s in 0..=(5 * n as u8) {
            let report = oswestry_report(&q, &spread(n, s));
            let tenths = percent_tenths(u32::from(s), n as u32);
            let expected = (Some(tenths as f64 / 10.0), Some(oswestry_band(tenths).to_owned()));
            assert_eq!(scored(&report, "disability"), expected, "{s} points in {n} sections");
        }
    }
}

// --- An independent scorer -------------------------------------------------

/// The percentage in tenths, rounded half up, in integers: 1000·s/(5n).
fn percent_tenths(sum: u32, answered: u32) -> u32 {
    (2000 * sum + 5 * answered) / (10 * answered)
}

fn oswestry_band(tenths: u32) -> &'static str {
    match tenths {
        0..=200 => "minimal",
        201..=400 => "moderate",
        401..=600 => "severe",
        601..=800 => "crippled",
        _ => "bed_bound",
    }
}

/// Items 1–8 agreed (`Some(true)`), item 9 by option index 0–4; `None` is
/// unanswered. Returns `(total, subscale, group)`.
fn start_expected(items: &[Option<bool>; 8], item_9: Option<u8>) -> (Option<u32>, Option<u32>, Option<&str>) {
    let point = |agreed: bool| u32::from(agreed);
    let nine = item_9.map(|o| u32::from(o >= 3));
    let subscale: Option<u32> = items[4..].iter().map(|a| a.map(point)).chain([nine]).sum::<Option<u32>>();
    let total: Option<u32> = items.iter().map(|a| a.map(point)).chain([nine]).sum::<Option<u32>>();
    let group = match (total, subscale) {
        (_, Some(sub)) if sub >= 4 => Some("high"),
        (Some(t), _) if t >= 4 => Some("medium"),
        (Some(_), _) => Some("low"),
        (None, _) => None,
    };
    (total, subscale, group)
}

const ITEM_9: [&str; 5] = ["not_at_all", "slightly", "moderately", "very_much", "extremely"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn start_matches_an_independent_scorer(
        items in proptest::array::uniform8(proptest::option::weighted(0.9, any::<bool>())),
        item_9 in proptest::option::weighted(0.9, 0u8..5),
    ) {
        let q = start();
        let mut map = serde_json::Map::new();
        for (i, agreed) in items.iter().enumerate() {
            if let Some(agreed) = agreed {
                map.insert(format!("item_{}", i + 1), json!(if *agreed { "agree" } else { "disagree" }));
            }
        }
        if let Some(o) = item_9 {
            map.insert("item_9".into(), json!(ITEM_9[usize::from(o)]));
        }
        let report = evaluate(&q, &answers(&q, &Json::Object(map)));
        let (total, subscale, group) = start_expected(&items, item_9);
        let threshold = |score: Option<u32>| score.map(|s| if s >= 4 { "4_or_more" } else { "up_to_3" }.to_owned());
        prop_assert_eq!(scored(&report, "total"), (total.map(f64::from), threshold(total)));
        prop_assert_eq!(scored(&report, "psychosocial"), (subscale.map(f64::from), threshold(subscale)));
        prop_assert_eq!(band(&report, "risk"), group.map(str::to_owned));
        let referred = report.recommendations.iter().any(|r| r.id == "placeholder_referral");
        prop_assert_eq!(referred, group == Some("high"));
    }

    #[test]
    fn oswestry_matches_an_independent_scorer(
        sections in proptest::collection::vec(proptest::option::weighted(0.85, 0u8..6), 10),
    ) {
        let q = oswestry();
        let report = oswestry_report(&q, &sections);
        let answered = sections.iter().flatten().count() as u32;
        let sum: u32 = sections.iter().flatten().map(|p| u32::from(*p)).sum();
        let expected = (answered >= 8).then(|| percent_tenths(sum, answered));
        let d = domain(&report, "disability");
        prop_assert_eq!(d.answered, answered as usize);
        prop_assert_eq!(d.score, expected.map(|t| f64::from(t) / 10.0));
        prop_assert_eq!(d.band.as_deref(), expected.map(oswestry_band));
    }
}
