//! Conditions as evaluation reads them: a flat list of steps.
//!
//! Every evaluation tests some hundred conditions, and walking a tree of
//! boxed nodes and vectors costs more than the tests at its leaves. So a
//! resolved condition is also laid out once, at load time, as steps run
//! in order: each leaf sets the result, `all` and `any` jump past the rest
//! of their parts as soon as the result is known, and an option or band
//! list is a bit set where it fits in one word. The tree stays beside it
//! for what the linter and the reasons read (which questions a rule looks
//! at).

use super::{Cmp, Expr, Facts};
use crate::model::{Level, Value};

/// A resolved condition, with its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The condition as resolved, for what it reads.
    pub expr: Expr,
    /// Empty for a condition whose `at_least` and `exactly` parts nest
    /// deeper than [`COUNTERS`]: it is read from the tree.
    steps: Vec<Step>,
    /// The lists the steps name by range: options or bands that do not
    /// fit a bit set, and the red flags and rules of `fired`.
    lists: Vec<usize>,
}

/// The counters of `at_least` and `exactly` parts, one per depth of
/// nesting, live on the stack: steps never call anything, so that running
/// them costs little more than the tests themselves.
const COUNTERS: usize = 8;

/// One step. Leaves set the result; the others read it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Const(bool),
    /// The answer is one of the options whose bits are set.
    Options {
        question: usize,
        set: u64,
    },
    /// [`Step::Options`], negated if `negate`, then going on at `to` if
    /// the result is `exit_on`: a `not` of the test and the exit after it
    /// as a part of `all` or `any`, which take steps of their own after
    /// other parts. Most parts are such tests, and a step costs about as
    /// much as the test.
    OptionsThen {
        question: usize,
        set: u64,
        negate: bool,
        exit_on: Option<bool>,
        to: usize,
    },
    /// The answer is one of the options `lists[start..end]`.
    OptionList {
        question: usize,
        start: usize,
        end: usize,
    },
    Compare {
        question: usize,
        cmp: Cmp,
        value: f64,
    },
    Answered(usize),
    Score {
        domain: usize,
        cmp: Cmp,
        value: f64,
    },
    Bands {
        domain: usize,
        set: u64,
    },
    BandList {
        domain: usize,
        start: usize,
        end: usize,
    },
    LevelAtLeast(Level),
    LevelBelow(Level),
    LevelBeforeAtLeast(Level),
    LevelBeforeBelow(Level),
    /// Red flags `lists[flags.0..flags.1]`, rules `lists[rules.0..rules.1]`.
    Fired {
        flags: (usize, usize),
        rules: (usize, usize),
    },
    Not,
    /// Go on at `to` if the result is false (`all`: one false part decides).
    ExitIfFalse {
        to: usize,
    },
    /// Go on at `to` if the result is true (`any`).
    ExitIfTrue {
        to: usize,
    },
    /// Before the parts of `at_least` and `exactly`: none counted yet.
    CountFrom {
        depth: usize,
    },
    /// After each part: counts a true part; `at_least` goes on at `to`
    /// (true) once `n` parts held.
    Count {
        depth: usize,
        n: usize,
        to: Option<usize>,
    },
    /// After the last part: whether the count was right.
    Counted {
        depth: usize,
        n: usize,
        exactly: bool,
    },
    /// In [`Checks`]: the result of condition `k` is known.
    Emit(usize),
}

impl Check {
    /// Lays out `expr` as steps.
    pub fn new(expr: Expr) -> Check {
        let mut check = Check { expr: Expr::All(Vec::new()), steps: Vec::new(), lists: Vec::new() };
        if check.lay_out(&expr, 0).is_none() {
            check.steps.clear();
        }
        check.expr = expr;
        check
    }

    /// Lays out `expr`, inside `depth` counted parts; `None` when they
    /// nest too deep.
    fn lay_out(&mut self, expr: &Expr, depth: usize) -> Option<()> {
        match expr {
            Expr::All(parts) if parts.is_empty() => self.steps.push(Step::Const(true)),
            Expr::Any(parts) if parts.is_empty() => self.steps.push(Step::Const(false)),
            Expr::All(parts) | Expr::Any(parts) => {
                let all = matches!(expr, Expr::All(_));
                let mut exits = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    let test = self.lay_out_test(part, depth)?;
                    if i + 1 < parts.len() {
                        match test {
                            // The exit rides on the part's own test.
                            Some(at) => {
                                if let Step::OptionsThen { exit_on, .. } = &mut self.steps[at] {
                                    *exit_on = Some(!all);
                                }
                                exits.push(at);
                            }
                            None => {
                                exits.push(self.steps.len());
                                self.steps.push(if all {
                                    Step::ExitIfFalse { to: 0 }
                                } else {
                                    Step::ExitIfTrue { to: 0 }
                                });
                            }
                        }
                    }
                }
                let end = self.steps.len();
                for exit in exits {
                    match &mut self.steps[exit] {
                        Step::ExitIfFalse { to } | Step::ExitIfTrue { to } | Step::OptionsThen { to, .. } => {
                            *to = end
                        }
                        _ => unreachable!("an exit was pushed here"),
                    }
                }
            }
            Expr::Not(inner) => match self.lay_out_test(inner, depth)? {
                // The `not` rides on the test.
                Some(at) => {
                    if let Step::OptionsThen { negate, .. } = &mut self.steps[at] {
                        *negate = !*negate;
                    }
                }
                None => self.steps.push(Step::Not),
            },
            // At least none always holds.
            Expr::AtLeast(0, _) => self.steps.push(Step::Const(true)),
            Expr::AtLeast(n, parts) | Expr::Exactly(n, parts) => {
                if depth == COUNTERS {
                    return None;
                }
                let exactly = matches!(expr, Expr::Exactly(..));
                let n = *n;
                self.steps.push(Step::CountFrom { depth });
                let mut counts = Vec::new();
                for part in parts {
                    self.lay_out(part, depth + 1)?;
                    counts.push(self.steps.len());
                    self.steps.push(Step::Count { depth, n, to: None });
                }
                self.steps.push(Step::Counted { depth, n, exactly });
                let end = self.steps.len();
                if !exactly {
                    for count in counts {
                        if let Step::Count { to, .. } = &mut self.steps[count] {
                            *to = Some(end);
                        }
                    }
                }
            }
            Expr::OptionIn { question, options } => {
                let question = *question;
                let step = match set_of(options.iter().map(|&o| usize::from(o))) {
                    Some(set) => Step::Options { question, set },
                    None => {
                        let (start, end) = self.list(options.iter().map(|&o| usize::from(o)));
                        Step::OptionList { question, start, end }
                    }
                };
                self.steps.push(step);
            }
            Expr::BandIn { domain, bands } => {
                let domain = *domain;
                let step = match set_of(bands.iter().copied()) {
                    Some(set) => Step::Bands { domain, set },
                    None => {
                        let (start, end) = self.list(bands.iter().copied());
                        Step::BandList { domain, start, end }
                    }
                };
                self.steps.push(step);
            }
            Expr::Fired { red_flags, rules } => {
                let flags = self.list(red_flags.iter().copied());
                let rules = self.list(rules.iter().copied());
                self.steps.push(Step::Fired { flags, rules });
            }
            Expr::Compare { question, cmp, value } => {
                self.steps.push(Step::Compare { question: *question, cmp: *cmp, value: *value })
            }
            Expr::Answered(question) => self.steps.push(Step::Answered(*question)),
            Expr::Score { domain, cmp, value } => {
                self.steps.push(Step::Score { domain: *domain, cmp: *cmp, value: *value })
            }
            Expr::LevelAtLeast(level) => self.steps.push(Step::LevelAtLeast(*level)),
            Expr::LevelBelow(level) => self.steps.push(Step::LevelBelow(*level)),
            Expr::LevelBeforeAtLeast(level) => self.steps.push(Step::LevelBeforeAtLeast(*level)),
            Expr::LevelBeforeBelow(level) => self.steps.push(Step::LevelBeforeBelow(*level)),
        }
        Some(())
    }

    /// Lays out `expr`; if it is one test of options with nothing riding
    /// on it yet (a leaf: no jump lands after it), that step, as one a
    /// `not` and an exit may ride on.
    fn lay_out_test(&mut self, expr: &Expr, depth: usize) -> Option<Option<usize>> {
        let start = self.steps.len();
        self.lay_out(expr, depth)?;
        if self.steps.len() != start + 1 {
            return Some(None);
        }
        Some(match self.steps[start] {
            Step::Options { question, set } => {
                self.steps[start] = Step::OptionsThen { question, set, negate: false, exit_on: None, to: 0 };
                Some(start)
            }
            Step::OptionsThen { exit_on: None, .. } => Some(start),
            _ => None,
        })
    }

    /// Appends `items` to the lists; their range there.
    fn list(&mut self, items: impl Iterator<Item = usize>) -> (usize, usize) {
        let start = self.lists.len();
        self.lists.extend(items);
        (start, self.lists.len())
    }

    /// Whether the condition holds.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        if self.steps.is_empty() {
            return self.expr.holds(facts);
        }
        self.run(facts, &mut [])
    }

    /// Runs the steps: the result of the last, each `Emit` written into
    /// `out`.
    fn run(&self, facts: &Facts<'_>, out: &mut [bool]) -> bool {
        let mut counters = [0; COUNTERS];
        let mut at = 0;
        let mut result = false;
        while let Some(step) = self.steps.get(at) {
            at += 1;
            match *step {
                Step::Const(value) => result = value,
                Step::Options { question, set } => {
                    result = match facts.answers[question] {
                        Some(Value::Option(chosen)) => chosen < 64 && set >> chosen & 1 == 1,
                        _ => false,
                    }
                }
                Step::OptionsThen { question, set, negate, exit_on, to } => {
                    let chosen = match facts.answers[question] {
                        Some(Value::Option(chosen)) => chosen < 64 && set >> chosen & 1 == 1,
                        _ => false,
                    };
                    result = chosen != negate;
                    if exit_on == Some(result) {
                        at = to;
                    }
                }
                Step::OptionList { question, start, end } => {
                    result = match facts.answers[question] {
                        Some(Value::Option(chosen)) => self.lists[start..end].contains(&usize::from(chosen)),
                        _ => false,
                    }
                }
                Step::Compare { question, cmp, value } => {
                    result =
                        facts.answers[question].and_then(Value::as_f64).is_some_and(|a| cmp.test(a, value))
                }
                Step::Answered(question) => result = facts.answers[question].is_some(),
                Step::Score { domain, cmp, value } => {
                    result = facts.scores[domain].is_some_and(|score| cmp.test(score, value))
                }
                Step::Bands { domain, set } => {
                    result = facts.bands[domain].is_some_and(|band| band < 64 && set >> band & 1 == 1)
                }
                Step::BandList { domain, start, end } => {
                    result = facts.bands[domain].is_some_and(|band| self.lists[start..end].contains(&band))
                }
                Step::LevelAtLeast(level) => result = facts.level >= level,
                Step::LevelBelow(level) => result = facts.level < level,
                Step::LevelBeforeAtLeast(level) => result = facts.level_before >= level,
                Step::LevelBeforeBelow(level) => result = facts.level_before < level,
                Step::Fired { flags, rules } => {
                    let fired = |list: (usize, usize), facts: &[bool]| {
                        self.lists[list.0..list.1].iter().any(|&i| facts.get(i).copied().unwrap_or(false))
                    };
                    result = fired(flags, facts.fired_red_flags) || fired(rules, facts.fired_rules);
                }
                Step::Not => result = !result,
                Step::ExitIfFalse { to } => {
                    if !result {
                        at = to;
                    }
                }
                Step::ExitIfTrue { to } => {
                    if result {
                        at = to;
                    }
                }
                Step::CountFrom { depth } => counters[depth] = 0,
                Step::Count { depth, n, to } => {
                    if result {
                        counters[depth] += 1;
                        if let Some(to) = to.filter(|_| counters[depth] >= n) {
                            at = to;
                        }
                    }
                }
                Step::Counted { depth, n, exactly } => {
                    result = if exactly { counters[depth] == n } else { counters[depth] >= n }
                }
                Step::Emit(k) => {
                    if let Some(slot) = out.get_mut(k) {
                        *slot = result;
                    }
                }
            }
        }
        result
    }
}

/// Conditions read against the same facts, one result each. Laid out
/// one after another as one list of steps, they are run at once: for the
/// many small conditions of selection rules, starting a run for each costs
/// as much as the tests.
#[derive(Debug, Clone, PartialEq)]
pub struct Checks {
    each: Vec<Check>,
    /// Every condition's steps, each followed by an `Emit` of its result;
    /// `None` when one of them is read from its tree (see [`Check`]).
    joined: Option<Check>,
}

impl Checks {
    pub fn new(each: Vec<Check>) -> Checks {
        let mut joined = Check { expr: Expr::All(Vec::new()), steps: Vec::new(), lists: Vec::new() };
        let mut whole = true;
        for (k, check) in each.iter().enumerate() {
            whole &= !check.steps.is_empty() && joined.lay_out(&check.expr, 0).is_some();
            joined.steps.push(Step::Emit(k));
        }
        Checks { each, joined: whole.then_some(joined) }
    }

    /// Whether each condition holds, in order, into `out` (one per
    /// condition).
    pub fn holds_each(&self, facts: &Facts<'_>, out: &mut [bool]) {
        match &self.joined {
            Some(joined) => {
                joined.run(facts, out);
            }
            None => {
                for (slot, check) in out.iter_mut().zip(&self.each) {
                    *slot = check.holds(facts);
                }
            }
        }
    }

    /// How many conditions there are.
    pub fn count(&self) -> usize {
        self.each.len()
    }
}

/// The items as a bit set, if each is below 64.
fn set_of(items: impl Iterator<Item = usize>) -> Option<u64> {
    let mut set = 0u64;
    for item in items {
        set |= 1u64.checked_shl(u32::try_from(item).ok()?)?;
    }
    Some(set)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const QUESTIONS: usize = 4;
    const DOMAINS: usize = 3;
    /// Option and band indices run past 64, so that both the bit sets and
    /// the lists are tried.
    const INDICES: u16 = 70;

    fn level() -> impl Strategy<Value = Level> {
        prop::sample::select(Level::ALL.to_vec())
    }

    fn cmp() -> impl Strategy<Value = Cmp> {
        prop::sample::select(vec![Cmp::Gte, Cmp::Gt, Cmp::Lte, Cmp::Lt])
    }

    fn index() -> impl Strategy<Value = u16> {
        prop_oneof![0..4u16, 0..INDICES]
    }

    fn leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            (0..QUESTIONS, prop::collection::vec(index(), 0..4))
                .prop_map(|(question, options)| Expr::OptionIn { question, options }),
            (0..QUESTIONS, cmp(), -2.0..12.0f64).prop_map(|(question, cmp, value)| Expr::Compare {
                question,
                cmp,
                value: value.round()
            }),
            (0..QUESTIONS).prop_map(Expr::Answered),
            (0..DOMAINS, cmp(), -2.0..12.0f64).prop_map(|(domain, cmp, value)| Expr::Score {
                domain,
                cmp,
                value: value.round()
            }),
            (0..DOMAINS, prop::collection::vec(index(), 0..4)).prop_map(|(domain, bands)| Expr::BandIn {
                domain,
                bands: bands.into_iter().map(usize::from).collect()
            }),
            level().prop_map(Expr::LevelAtLeast),
            level().prop_map(Expr::LevelBelow),
            level().prop_map(Expr::LevelBeforeAtLeast),
            level().prop_map(Expr::LevelBeforeBelow),
            (prop::collection::vec(0..QUESTIONS + 1, 0..3), prop::collection::vec(0..3usize, 0..3))
                .prop_map(|(red_flags, rules)| Expr::Fired { red_flags, rules }),
        ]
    }

    fn expr() -> impl Strategy<Value = Expr> {
        leaf().prop_recursive(4, 48, 5, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Expr::All),
                prop::collection::vec(inner.clone(), 0..5).prop_map(Expr::Any),
                inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
                (0..4usize, prop::collection::vec(inner.clone(), 0..5))
                    .prop_map(|(n, p)| Expr::AtLeast(n, p)),
                (0..4usize, prop::collection::vec(inner, 0..5)).prop_map(|(n, p)| Expr::Exactly(n, p)),
            ]
        })
    }

    fn answer() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            index().prop_map(|o| Some(Value::Option(o))),
            (-1..11i64).prop_map(|i| Some(Value::Integer(i))),
            (-1.0..11.0f64).prop_map(|n| Some(Value::Number(n))),
        ]
    }

    /// What [`Facts`] borrow, owned.
    #[derive(Debug, Clone)]
    struct Known {
        answers: Vec<Option<Value>>,
        scores: Vec<Option<f64>>,
        bands: Vec<Option<usize>>,
        levels: (Level, Level),
        fired: (Vec<bool>, Vec<bool>),
    }

    impl Known {
        fn facts(&self) -> Facts<'_> {
            Facts {
                answers: &self.answers,
                scores: &self.scores,
                bands: &self.bands,
                level: self.levels.0,
                level_before: self.levels.1,
                fired_red_flags: &self.fired.0,
                fired_rules: &self.fired.1,
            }
        }
    }

    fn known() -> impl Strategy<Value = Known> {
        (
            prop::collection::vec(answer(), QUESTIONS),
            prop::collection::vec(prop::option::of((-1..11i32).prop_map(f64::from)), DOMAINS),
            prop::collection::vec(prop::option::of(index().prop_map(usize::from)), DOMAINS),
            (level(), level()),
            // Empty before triage, one per question and rule after.
            prop_oneof![
                Just((Vec::new(), Vec::new())),
                (prop::collection::vec(any::<bool>(), QUESTIONS), prop::collection::vec(any::<bool>(), 3)),
            ],
        )
            .prop_map(|(answers, scores, bands, levels, fired)| Known {
                answers,
                scores,
                bands,
                levels,
                fired,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn steps_agree_with_the_tree(expr in expr(), known in known()) {
            let facts = known.facts();
            let check = Check::new(expr.clone());
            prop_assert_eq!(check.holds(&facts), expr.holds(&facts), "{:?}", expr);
        }

        #[test]
        fn checks_run_together_agree_with_each_tree(
            exprs in prop::collection::vec(expr(), 0..6),
            known in known(),
        ) {
            let facts = known.facts();
            let checks = Checks::new(exprs.iter().cloned().map(Check::new).collect());
            let mut out = vec![false; checks.count()];
            checks.holds_each(&facts, &mut out);
            let plain: Vec<bool> = exprs.iter().map(|e| e.holds(&facts)).collect();
            prop_assert_eq!(out, plain);
        }
    }

    /// Facts of answers alone, at the lowest level, nothing fired.
    fn answers_only(answers: &[Option<Value>]) -> Facts<'_> {
        Facts {
            answers,
            scores: &[],
            bands: &[],
            level: Level::SelfCare,
            level_before: Level::SelfCare,
            fired_red_flags: &[],
            fired_rules: &[],
        }
    }

    /// A `not` of a test of options and the exit after such a part ride
    /// on the test's step; after other parts they take their own.
    #[test]
    fn nots_and_exits_ride_on_tests_of_options() {
        let is = |question| Expr::OptionIn { question, options: vec![0] };
        let not = |e: Expr| Expr::Not(Box::new(e));
        assert_eq!(Check::new(Expr::All(vec![is(0), not(is(1)), is(2)])).steps.len(), 3);
        assert_eq!(Check::new(not(not(is(0)))).steps.len(), 1);
        // Answered, its exit; two tests, a `not` and an exit; the last test.
        let mixed = Expr::Any(vec![Expr::Answered(0), not(Expr::All(vec![is(0), is(1)])), is(2)]);
        assert_eq!(Check::new(mixed).steps.len(), 7);
    }

    /// Parts that end in a `not` of several steps, inside `all` and `any`
    /// nested every way, read as the tree reads them, for every answer to
    /// their questions (where jumps out of a part land matters).
    #[test]
    fn parts_ending_in_a_not_jump_where_the_tree_goes() {
        let is = |question| Expr::OptionIn { question, options: vec![0] };
        let not = |e: Expr| Expr::Not(Box::new(e));
        let mut shapes = Vec::new();
        for outer in [Expr::All as fn(Vec<Expr>) -> Expr, Expr::Any] {
            for inner in [Expr::All as fn(Vec<Expr>) -> Expr, Expr::Any] {
                for deepest in [Expr::All as fn(Vec<Expr>) -> Expr, Expr::Any] {
                    let ending = inner(vec![is(0), not(deepest(vec![is(1), is(2)]))]);
                    shapes.push(outer(vec![ending.clone(), is(3)]));
                    shapes.push(outer(vec![not(ending), is(3)]));
                }
            }
        }
        for expr in shapes {
            let check = Check::new(expr.clone());
            for bits in 0..16u16 {
                let answers: Vec<Option<Value>> =
                    (0..4).map(|q| Some(Value::Option(bits >> q & 1))).collect();
                let facts = answers_only(&answers);
                assert_eq!(check.holds(&facts), expr.holds(&facts), "{expr:?}, {bits:04b}");
            }
        }
    }

    /// Counted parts nested as deep as the counters go are run as steps;
    /// deeper, the tree is read instead, with the same result.
    #[test]
    fn counted_parts_nested_deeply_are_read_either_way() {
        for depth in [1, COUNTERS, COUNTERS + 1, 3 * COUNTERS] {
            let mut expr = Expr::Answered(0);
            for level in 0..depth {
                expr = if level % 2 == 0 {
                    Expr::AtLeast(1, vec![expr, Expr::Answered(1)])
                } else {
                    Expr::Exactly(1, vec![Expr::Answered(1), expr])
                };
            }
            let check = Check::new(expr.clone());
            assert_eq!(check.steps.is_empty(), depth > COUNTERS, "depth {depth}");
            for answers in [[None, None], [Some(Value::Integer(1)), None], [None, Some(Value::Option(0))]] {
                let facts = answers_only(&answers);
                assert_eq!(check.holds(&facts), expr.holds(&facts), "depth {depth}, {answers:?}");
                let checks = Checks::new(vec![Check::new(Expr::Answered(1)), check.clone()]);
                let mut out = [false; 2];
                checks.holds_each(&facts, &mut out);
                assert_eq!(out, [answers[1].is_some(), expr.holds(&facts)], "depth {depth}, {answers:?}");
            }
        }
    }
}
