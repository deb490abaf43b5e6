//! Garbage in, an error or a report out: never a panic.
//!
//! Arbitrary bytes, generated JSON trees (deep nesting, huge and odd
//! numbers, odd strings, real ids in the wrong places) and mutations of the
//! shipped questionnaire are fed to every input path of the library:
//! `AnswersDocument::parse` → `Answers::from_document` → `evaluate` → every
//! renderer, and `Questionnaire::from_json` (with the linter, and with an
//! evaluation of whatever loads). A panic anywhere fails the property.
//!
//! The coverage-guided fuzzer in `fuzz/` explores the same paths for much
//! longer; this suite keeps the essentials in every `cargo test`.

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::Config;
use selfcheck::model::Kind;
use selfcheck::render::{self, Format};
use selfcheck::{evaluate, Answers, AnswersDocument, Questionnaire, Value};
use serde_json::Value as Json;

const ID: &str = "low-back-glutes";

fn shipped_text() -> &'static str {
    selfcheck::shipped(ID).expect("shipped")
}

fn questionnaire() -> &'static Questionnaire {
    static Q: OnceLock<Questionnaire> = OnceLock::new();
    Q.get_or_init(|| Questionnaire::from_json(shipped_text(), ID).unwrap_or_else(|e| panic!("{e}")))
}

/// Runs an answers document through every step that accepts it; returns
/// whether it got as far as a report. Every step either fails with an
/// error or hands on; each error must say something.
fn assess(q: &Questionnaire, input: &[u8]) -> bool {
    let document = match AnswersDocument::parse(input) {
        Ok(document) => document,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return false;
        }
    };
    let answers = match Answers::from_document(q, &document.answers) {
        Ok(answers) => answers,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return false;
        }
    };
    let report = evaluate(q, &answers);
    for format in Format::ALL {
        assert!(!render::render(&report, format).is_empty());
    }
    let mut line = Vec::new();
    render::write_json_line(&report, &mut line).expect("write to memory");
    true
}

/// Loads a questionnaire from text, lints whatever parses, and evaluates
/// and renders whatever loads (with no answers, and with a valid answer
/// to every question); returns whether it loaded.
fn load(text: &str) -> bool {
    if let Ok(definition) = selfcheck::questionnaire::parse_definition(text) {
        let _ = selfcheck::validate(&definition);
    }
    let q = match Questionnaire::from_json(text, "mutated.json") {
        Ok(q) => q,
        Err(e) => {
            assert!(!e.to_string().is_empty());
            return false;
        }
    };
    let mut full = Answers::empty(&q);
    for (i, question) in q.questions.iter().enumerate() {
        full.set(
            i,
            Some(match question.kind {
                Kind::Integer { max, .. } => Value::Integer(max),
                Kind::Number { min, .. } => Value::Number(min),
                _ => Value::Option(0),
            }),
        );
    }
    for answers in [Answers::empty(&q), full] {
        let report = evaluate(&q, &answers);
        for format in Format::ALL {
            let _ = render::render(&report, format);
        }
    }
    true
}

// --- Generated JSON ----------------------------------------------------------

/// A JSON tree written out by hand, so that numbers and strings can be any
/// token at all (`1e400`, 500 digits, a lone surrogate escape), not only
/// what serde_json would write.
#[derive(Debug, Clone)]
enum Tree {
    Null,
    Bool(bool),
    /// A number token, as written.
    Number(String),
    /// A string's contents, escaped as JSON.
    Str(String),
    /// A string's contents written between the quotes as they are
    /// (escapes included), valid or not.
    Raw(String),
    Array(Vec<Tree>),
    Object(Vec<(String, Tree)>),
}

impl Tree {
    fn write(&self, out: &mut String) {
        match self {
            Tree::Null => out.push_str("null"),
            Tree::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Tree::Number(n) => out.push_str(n),
            Tree::Str(s) => out.push_str(&Json::from(s.as_str()).to_string()),
            Tree::Raw(s) => {
                out.push('"');
                out.push_str(s);
                out.push('"');
            }
            Tree::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Tree::Object(entries) => {
                out.push('{');
                for (i, (key, value)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Json::from(key.as_str()).to_string());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }
}

/// Every id and option id of the shipped questionnaire, and the keys of
/// answers documents: real names in unexpected places reach further than
/// random text.
fn known_words() -> Vec<String> {
    let q = questionnaire();
    let mut words: Vec<String> = vec!["questionnaire".into(), "answers".into(), ID.into()];
    for question in &q.questions {
        words.push(question.id.clone());
        words.extend(question.kind.option_ids().iter().map(|o| (*o).to_owned()));
    }
    words.sort();
    words.dedup();
    words
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(known_words()),
        1 => any::<String>(),
        1 => "[a-z_]{0,12}",
    ]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        (-200i64..=200).prop_map(|n| n.to_string()),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| format!("{f:e}")),
        (0.0f64..200.0).prop_map(|f| f.to_string()),
        "-?[1-9][0-9]{18,400}",
        "-?[0-9]\\.[0-9]{1,30}[eE][+-]?[0-9]{1,6}",
        proptest::sample::select(vec![
            "-0",
            "0.0",
            "1e400",
            "-1e400",
            "1e-400",
            "120.0000000000001",
            "18",
            "17.999"
        ])
        .prop_map(String::from),
    ]
}

fn leaf() -> impl Strategy<Value = Tree> {
    prop_oneof![
        Just(Tree::Null),
        any::<bool>().prop_map(Tree::Bool),
        number().prop_map(Tree::Number),
        word().prop_map(Tree::Str),
        "[ -~]{0,3}\\\\u[dD][89a-fA-F][0-9a-f]{2}[ -~]{0,3}".prop_map(Tree::Raw),
        (1usize..100_000).prop_map(|n| Tree::Str("x".repeat(n))),
    ]
}

fn tree() -> impl Strategy<Value = Tree> {
    leaf().prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(Tree::Array),
            proptest::collection::vec((word(), inner), 0..8).prop_map(Tree::Object),
        ]
    })
}

/// Answers documents that get past the first checks more often than a
/// random tree: the right shape, with real or near ids, and any values.
fn answers_document() -> impl Strategy<Value = Tree> {
    let entries = proptest::collection::vec((word(), prop_oneof![3 => leaf(), 1 => tree()]), 0..12);
    (proptest::option::of(word()), entries).prop_map(|(questionnaire, entries)| {
        let mut top = Vec::new();
        if let Some(id) = questionnaire {
            top.push(("questionnaire".to_owned(), Tree::Str(id)));
        }
        top.push(("answers".to_owned(), Tree::Object(entries)));
        Tree::Object(top)
    })
}

/// `depth` nested arrays or objects around a value, as text.
fn nested(depth: usize, object: bool, inner: &str) -> String {
    let (open, close) = if object { ("{\"a\":", "}") } else { ("[", "]") };
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

// --- Mutations of the shipped questionnaire --------------------------------------

/// One change to a JSON value, at a position picked by `at` among all the
/// values of the tree (depth first).
#[derive(Debug, Clone)]
enum Mutation {
    /// Drop an object field or an array element.
    Drop,
    /// Repeat an array element or an object field (a duplicate key, in
    /// the text).
    Duplicate,
    /// Put a generated value in its place.
    Replace(Tree),
    /// Rename an object field.
    Rename(String),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Drop),
        1 => Just(Mutation::Duplicate),
        3 => leaf().prop_map(Mutation::Replace),
        1 => tree().prop_map(Mutation::Replace),
        1 => word().prop_map(Mutation::Rename),
    ]
}

/// The shipped questionnaire as a [`Tree`], in file order.
fn shipped_tree() -> Tree {
    fn convert(value: &Json) -> Tree {
        match value {
            Json::Null => Tree::Null,
            Json::Bool(b) => Tree::Bool(*b),
            Json::Number(n) => Tree::Number(n.to_string()),
            Json::String(s) => Tree::Str(s.clone()),
            Json::Array(items) => Tree::Array(items.iter().map(convert).collect()),
            Json::Object(map) => Tree::Object(map.iter().map(|(k, v)| (k.clone(), convert(v))).collect()),
        }
    }
    convert(&serde_json::from_str(shipped_text()).expect("JSON"))
}

/// Applies `mutation` to the `at`-th container child of `tree` (counting
/// depth first); returns the count left over when `at` is past the end.
fn mutate(tree: &mut Tree, at: &mut usize, mutation: &Mutation) -> bool {
    match tree {
        Tree::Array(items) => {
            for i in 0..items.len() {
                if *at == 0 {
                    match mutation {
                        Mutation::Drop => drop(items.remove(i)),
                        Mutation::Duplicate => items.insert(i, items[i].clone()),
                        Mutation::Replace(value) => items[i] = value.clone(),
                        Mutation::Rename(_) => items.swap(i, 0),
                    }
                    return true;
                }
                *at -= 1;
                if mutate(&mut items[i], at, mutation) {
                    return true;
                }
            }
            false
        }
        Tree::Object(entries) => {
            for i in 0..entries.len() {
                if *at == 0 {
                    match mutation {
                        Mutation::Drop => drop(entries.remove(i)),
                        Mutation::Duplicate => entries.insert(i, entries[i].clone()),
                        Mutation::Replace(value) => entries[i].1 = value.clone(),
                        Mutation::Rename(key) => entries[i].0 = key.clone(),
                    }
                    return true;
                }
                *at -= 1;
                if mutate(&mut entries[i].1, at, mutation) {
                    return true;
                }
            }
            false
        }
        _ => false,
    }
}

fn count(tree: &Tree) -> usize {
    match tree {
        Tree::Array(items) => items.iter().map(|t| 1 + count(t)).sum(),
        Tree::Object(entries) => entries.iter().map(|(_, t)| 1 + count(t)).sum(),
        _ => 0,
    }
}

// --- Properties ---------------------------------------------------------------

proptest! {
    #![proptest_config(Config::with_cases(512))]

    /// Any bytes at all as an answers document.
    #[test]
    fn any_bytes_as_answers(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        assess(questionnaire(), &bytes);
    }

    /// Any text, with a JSON-looking start, as an answers document.
    #[test]
    fn any_text_as_answers(text in "\\{\"answers\": ?\\{.{0,200}") {
        assess(questionnaire(), text.as_bytes());
    }

    /// Any JSON tree as an answers document, and inside the `answers`
    /// object of one.
    #[test]
    fn any_json_as_answers(tree in tree()) {
        let q = questionnaire();
        assess(q, tree.text().as_bytes());
        assess(q, format!("{{\"answers\": {}}}", tree.text()).as_bytes());
    }

    /// Answers documents of the right shape with real or near ids and any
    /// values: the checks reject every bad value, and what passes
    /// evaluates and renders.
    #[test]
    fn shaped_answers_documents(document in answers_document()) {
        assess(questionnaire(), document.text().as_bytes());
    }

    /// Nesting from shallow to far past serde_json's limit, as a whole
    /// document and as one answer's value.
    #[test]
    fn deep_nesting_is_an_error_not_a_crash(depth in 1usize..5_000, object in any::<bool>()) {
        let q = questionnaire();
        prop_assert!(!assess(q, nested(depth, object, "1").as_bytes()));
        let document = format!("{{\"answers\": {{\"age\": {}}}}}", nested(depth, object, "1"));
        prop_assert!(!assess(q, document.as_bytes()));
    }

    /// Any text as a questionnaire.
    #[test]
    fn any_text_as_a_questionnaire(text in ".{0,300}") {
        load(&text);
    }

    /// Any JSON tree as a questionnaire.
    #[test]
    fn any_json_as_a_questionnaire(tree in tree()) {
        load(&tree.text());
    }
}

proptest! {
    #![proptest_config(Config::with_cases(256))]

    /// The shipped questionnaire with one to three fields or elements
    /// dropped, repeated, renamed or replaced anywhere in the file: it
    /// loads (and then evaluates and renders) or fails with an error.
    #[test]
    fn mutated_questionnaires_load_or_fail_cleanly(
        changes in proptest::collection::vec((any::<proptest::sample::Index>(), mutation()), 1..4)
    ) {
        let mut tree = shipped_tree();
        for (index, mutation) in &changes {
            let mut at = index.index(count(&tree).max(1));
            mutate(&mut tree, &mut at, mutation);
        }
        load(&tree.text());
    }

    /// The shipped file's text with a byte range cut out, or a line
    /// repeated: mostly syntax errors and duplicate keys, each reported
    /// cleanly.
    #[test]
    fn cut_or_repeated_text_fails_cleanly(a in any::<proptest::sample::Index>(), b in any::<proptest::sample::Index>(), repeat in any::<bool>()) {
        let text = shipped_text();
        let lines: Vec<&str> = text.lines().collect();
        let changed = if repeat {
            let at = a.index(lines.len());
            let mut out: Vec<&str> = lines.clone();
            out.insert(at, lines[at]);
            out.join("\n")
        } else {
            let (x, y) = (a.index(text.len()), b.index(text.len()));
            let (from, to) = (x.min(y), x.max(y));
            let bytes = [&text.as_bytes()[..from], &text.as_bytes()[to..]].concat();
            String::from_utf8_lossy(&bytes).into_owned()
        };
        load(&changed);
    }

    /// Deeply nested conditions in a real rule: within serde_json's depth
    /// limit they load and evaluate, past it they are an error; the
    /// reader, the resolver and the evaluator recurse without running out
    /// of stack on a test thread's 2 MiB.
    #[test]
    fn deeply_nested_conditions_load_or_fail_cleanly(depth in 1usize..400) {
        let target = r#"{"is": ["daily_impact", "a_lot"]}"#;
        let condition = format!("{}{target}{}", r#"{"not": {"not": "#.repeat(depth), "}}".repeat(depth));
        let text = shipped_text().replacen(target, &condition, 1);
        prop_assert_ne!(text.as_str(), shipped_text());
        // The rule sits 5 levels deep and each `not` pair adds 2: serde_json
        // stops at 128 levels.
        let loaded = load(&text);
        if depth <= 55 {
            prop_assert!(loaded, "depth {} should load", depth);
        }
        if depth >= 65 {
            prop_assert!(!loaded, "depth {} is past the limit", depth);
        }
    }
}

/// The deepest answers document serde_json accepts still parses, checks
/// and fails cleanly on every thread size the CLI uses (rayon's workers
/// have the default 2 MiB stack, like this test's thread).
#[test]
fn nesting_at_the_limit_fits_a_worker_stack() {
    let q = questionnaire();
    for depth in [126, 127, 128, 129] {
        for object in [false, true] {
            let document = format!("{{\"answers\": {{\"age\": {}}}}}", nested(depth, object, "1"));
            assert!(!assess(q, document.as_bytes()), "depth {depth}");
        }
    }
}

/// A mutation at every position of the file, one kind at a time: dropping
/// each field or element in turn is the likeliest slip when editing the
/// file by hand. Each one loads (and then evaluates) or fails with an
/// error; the renderers are left to the properties above, to keep this
/// quick.
#[test]
fn dropping_any_single_field_or_element_loads_or_fails_cleanly() {
    use rayon::prelude::*;
    let tree = shipped_tree();
    let total = count(&tree);
    let loaded: usize = (0..total)
        .into_par_iter()
        .map(|position| {
            let mut changed = tree.clone();
            let mut at = position;
            assert!(mutate(&mut changed, &mut at, &Mutation::Drop));
            match Questionnaire::from_json(&changed.text(), "dropped.json") {
                Ok(q) => {
                    let report = evaluate(&q, &Answers::empty(&q));
                    assert_eq!(report.safety_net.len(), q.safety_net.len());
                    1
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    0
                }
            }
        })
        .sum();
    // Some drops leave a valid file (a help text, an optional intro);
    // most break a reference or a required field.
    assert!(0 < loaded && loaded < total, "{loaded} of {total}");
}
