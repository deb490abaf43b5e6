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

/// One step: an operation, then the result negated if `negate`, then a
/// jump if `exit` says so. A `not` of a leaf, and the test after each part
/// of `all` and `any` that is a leaf, ride on the leaf's own step: most
/// parts are leaves, and a step of their own costs as much as the test.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Step {
    op: Op,
    negate: bool,
    exit: Option<Exit>,
}

/// Go on at `to` if the result is `on` (`all`: false decides; `any`:
/// true does).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Exit {
    on: bool,
    to: usize,
}

impl Step {
    fn of(op: Op) -> Step {
        Step { op, negate: false, exit: None }
    }
}

/// What a step does. Leaves set the result; the others read it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Const(bool),
    /// The answer is one of the options whose bits are set.
    Options {
        question: usize,
        set: u64,
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
    /// The result as it is (for a `not` or an exit after a part that is
    /// not a leaf).
    Pass,
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
            Expr::All(parts) if parts.is_empty() => self.steps.push(Step::of(Op::Const(true))),
            Expr::Any(parts) if parts.is_empty() => self.steps.push(Step::of(Op::Const(false))),
            Expr::All(parts) | Expr::Any(parts) => {
                // `all` stops at a false part, `any` at a true one.
                let on = !matches!(expr, Expr::All(_));
                let mut exits = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    let leaf = self.lay_out_leaf(part, depth)?;
                    if i + 1 < parts.len() {
                        exits.push(self.ride_or_pass(leaf));
                    }
                }
                let end = self.steps.len();
                for exit in exits {
                    self.steps[exit].exit = Some(Exit { on, to: end });
                }
            }
            Expr::Not(inner) => {
                let leaf = self.lay_out_leaf(inner, depth)?;
                let at = self.ride_or_pass(leaf);
                self.steps[at].negate = !self.steps[at].negate;
            }
            // At least none always holds.
            Expr::AtLeast(0, _) => self.steps.push(Step::of(Op::Const(true))),
            Expr::AtLeast(n, parts) | Expr::Exactly(n, parts) => {
                if depth == COUNTERS {
                    return None;
                }
                let exactly = matches!(expr, Expr::Exactly(..));
                let n = *n;
                self.steps.push(Step::of(Op::CountFrom { depth }));
                let mut counts = Vec::new();
                for part in parts {
                    self.lay_out(part, depth + 1)?;
                    counts.push(self.steps.len());
                    self.steps.push(Step::of(Op::Count { depth, n, to: None }));
                }
                self.steps.push(Step::of(Op::Counted { depth, n, exactly }));
                let end = self.steps.len();
                if !exactly {
                    for count in counts {
                        if let Op::Count { to, .. } = &mut self.steps[count].op {
                            *to = Some(end);
                        }
                    }
                }
            }
            Expr::OptionIn { question, options } => {
                let question = *question;
                let step = match set_of(options.iter().map(|&o| usize::from(o))) {
                    Some(set) => Op::Options { question, set },
                    None => {
                        let (start, end) = self.list(options.iter().map(|&o| usize::from(o)));
                        Op::OptionList { question, start, end }
                    }
                };
                self.steps.push(Step::of(step));
            }
            Expr::BandIn { domain, bands } => {
                let domain = *domain;
                let step = match set_of(bands.iter().copied()) {
                    Some(set) => Op::Bands { domain, set },
                    None => {
                        let (start, end) = self.list(bands.iter().copied());
                        Op::BandList { domain, start, end }
                    }
                };
                self.steps.push(Step::of(step));
            }
            Expr::Fired { red_flags, rules } => {
                let flags = self.list(red_flags.iter().copied());
                let rules = self.list(rules.iter().copied());
                self.steps.push(Step::of(Op::Fired { flags, rules }));
            }
            Expr::Compare { question, cmp, value } => {
                self.steps.push(Step::of(Op::Compare { question: *question, cmp: *cmp, value: *value }))
            }
            Expr::Answered(question) => self.steps.push(Step::of(Op::Answered(*question))),
            Expr::Score { domain, cmp, value } => {
                self.steps.push(Step::of(Op::Score { domain: *domain, cmp: *cmp, value: *value }))
            }
            Expr::LevelAtLeast(level) => self.steps.push(Step::of(Op::LevelAtLeast(*level))),
            Expr::LevelBelow(level) => self.steps.push(Step::of(Op::LevelBelow(*level))),
            Expr::LevelBeforeAtLeast(level) => self.steps.push(Step::of(Op::LevelBeforeAtLeast(*level))),
            Expr::LevelBeforeBelow(level) => self.steps.push(Step::of(Op::LevelBeforeBelow(*level))),
        }
        Some(())
    }

    /// Lays out `expr`; the index of the step what follows it may ride
    /// on: its one step if it took one (a leaf, which no jump lands
    /// after), or its last if it is a `not` (whose step every jump out of
    /// its inner condition lands on, and none after it). The parts of
    /// `all`, `any` and the counted ones may jump past their last step,
    /// so nothing rides on that.
    fn lay_out_leaf(&mut self, expr: &Expr, depth: usize) -> Option<Option<usize>> {
        let start = self.steps.len();
        self.lay_out(expr, depth)?;
        let last = self.steps.len().checked_sub(1)?;
        let rides = last == start || matches!(expr, Expr::Not(_));
        Some(rides.then_some(last))
    }

    /// The step a `not` or an exit after a part rides on: the part's own
    /// step if it was a leaf without an exit yet, else a new one.
    fn ride_or_pass(&mut self, leaf: Option<usize>) -> usize {
        match leaf {
            Some(at) if self.steps[at].exit.is_none() => at,
            _ => {
                self.steps.push(Step::of(Op::Pass));
                self.steps.len() - 1
            }
        }
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
            match step.op {
                Op::Const(value) => result = value,
                Op::Options { question, set } => {
                    result = match facts.answers[question] {
                        Some(Value::Option(chosen)) => chosen < 64 && set >> chosen & 1 == 1,
                        _ => false,
                    }
                }
                Op::OptionList { question, start, end } => {
                    result = match facts.answers[question] {
                        Some(Value::Option(chosen)) => self.lists[start..end].contains(&usize::from(chosen)),
                        _ => false,
                    }
                }
                Op::Compare { question, cmp, value } => {
                    result =
                        facts.answers[question].and_then(Value::as_f64).is_some_and(|a| cmp.test(a, value))
                }
                Op::Answered(question) => result = facts.answers[question].is_some(),
                Op::Score { domain, cmp, value } => {
                    result = facts.scores[domain].is_some_and(|score| cmp.test(score, value))
                }
                Op::Bands { domain, set } => {
                    result = facts.bands[domain].is_some_and(|band| band < 64 && set >> band & 1 == 1)
                }
                Op::BandList { domain, start, end } => {
                    result = facts.bands[domain].is_some_and(|band| self.lists[start..end].contains(&band))
                }
                Op::LevelAtLeast(level) => result = facts.level >= level,
                Op::LevelBelow(level) => result = facts.level < level,
                Op::LevelBeforeAtLeast(level) => result = facts.level_before >= level,
                Op::LevelBeforeBelow(level) => result = facts.level_before < level,
                Op::Fired { flags, rules } => {
                    let fired = |list: (usize, usize), facts: &[bool]| {
                        self.lists[list.0..list.1].iter().any(|&i| facts.get(i).copied().unwrap_or(false))
                    };
                    result = fired(flags, facts.fired_red_flags) || fired(rules, facts.fired_rules);
                }
                Op::Pass => {}
                Op::CountFrom { depth } => counters[depth] = 0,
                Op::Count { depth, n, to } => {
                    if result {
                        counters[depth] += 1;
                        if let Some(to) = to.filter(|_| counters[depth] >= n) {
                            at = to;
                        }
                    }
                }
                Op::Counted { depth, n, exactly } => {
                    result = if exactly { counters[depth] == n } else { counters[depth] >= n }
                }
                Op::Emit(k) => {
                    if let Some(slot) = out.get_mut(k) {
                        *slot = result;
                    }
                }
            }
            result ^= step.negate;
            if let Some(exit) = step.exit {
                if result == exit.on {
                    at = exit.to;
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
            joined.steps.push(Step::of(Op::Emit(k)));
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

    /// A `not` of a leaf and the exit after a leaf part ride on the
    /// leaf's step; after a part of several steps, they take their own.
    #[test]
    fn nots_and_exits_ride_on_leaves() {
        let is = |question| Expr::OptionIn { question, options: vec![0] };
        let leaves = Expr::All(vec![is(0), Expr::Not(Box::new(is(1))), is(2)]);
        assert_eq!(Check::new(leaves).steps.len(), 3);
        let nested = Expr::Any(vec![Expr::Not(Box::new(Expr::All(vec![is(0), is(1)]))), is(2)]);
        // The two leaves, a `not` and an exit together, and the last leaf.
        assert_eq!(Check::new(nested).steps.len(), 4);
    }

    /// A part that ends in a `not` of several steps, inside `all` and
    /// `any` nested every way, read as the tree reads it, for every
    /// answer to its questions.
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
                let facts = Facts {
                    answers: &answers,
                    scores: &[],
                    bands: &[],
                    level: Level::SelfCare,
                    level_before: Level::SelfCare,
                    fired_red_flags: &[],
                    fired_rules: &[],
                };
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
                let facts = Facts {
                    answers: &answers,
                    scores: &[],
                    bands: &[],
                    level: Level::SelfCare,
                    level_before: Level::SelfCare,
                    fired_red_flags: &[],
                    fired_rules: &[],
                };
                assert_eq!(check.holds(&facts), expr.holds(&facts), "depth {depth}, {answers:?}");
                let checks = Checks::new(vec![Check::new(Expr::Answered(1)), check.clone()]);
                let mut out = [false; 2];
                checks.holds_each(&facts, &mut out);
                assert_eq!(out, [answers[1].is_some(), expr.holds(&facts)], "depth {depth}, {answers:?}");
            }
        }
    }
}
