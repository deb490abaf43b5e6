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
    steps: Vec<Step>,
    /// The lists the steps name by range: options or bands that do not
    /// fit a bit set, the red flags and rules of `fired`, and where the
    /// parts of an `at_least` or `exactly` start and end.
    lists: Vec<usize>,
}

/// One step. Leaves set the result; the others read it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    Const(bool),
    /// The answer is one of the options whose bits are set.
    Options { question: usize, set: u64 },
    /// The answer is one of the options `lists[start..end]`.
    OptionList { question: usize, start: usize, end: usize },
    Compare { question: usize, cmp: Cmp, value: f64 },
    Answered(usize),
    Score { domain: usize, cmp: Cmp, value: f64 },
    Bands { domain: usize, set: u64 },
    BandList { domain: usize, start: usize, end: usize },
    LevelAtLeast(Level),
    LevelBelow(Level),
    LevelBeforeAtLeast(Level),
    LevelBeforeBelow(Level),
    /// Red flags `lists[flags.0..flags.1]`, rules `lists[rules.0..rules.1]`.
    Fired { flags: (usize, usize), rules: (usize, usize) },
    Not,
    /// Go on at `to` if the result is false (`all`: one false part decides).
    ExitIfFalse { to: usize },
    /// Go on at `to` if the result is true (`any`).
    ExitIfTrue { to: usize },
    /// `at_least` or `exactly` `n` of the parts whose steps follow, each
    /// from one bound in `lists[bounds.0..bounds.1]` to the next; goes on
    /// after the last.
    Count { n: usize, exactly: bool, bounds: (usize, usize) },
}

impl Check {
    /// Lays out `expr` as steps.
    pub fn new(expr: Expr) -> Check {
        let mut check = Check { expr: Expr::All(Vec::new()), steps: Vec::new(), lists: Vec::new() };
        check.lay_out(&expr);
        check.expr = expr;
        check
    }

    fn lay_out(&mut self, expr: &Expr) {
        match expr {
            Expr::All(parts) if parts.is_empty() => self.steps.push(Step::Const(true)),
            Expr::Any(parts) if parts.is_empty() => self.steps.push(Step::Const(false)),
            Expr::All(parts) | Expr::Any(parts) => {
                let all = matches!(expr, Expr::All(_));
                let mut exits = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    self.lay_out(part);
                    if i + 1 < parts.len() {
                        exits.push(self.steps.len());
                        self.steps.push(if all { Step::ExitIfFalse { to: 0 } } else { Step::ExitIfTrue { to: 0 } });
                    }
                }
                let end = self.steps.len();
                for exit in exits {
                    match &mut self.steps[exit] {
                        Step::ExitIfFalse { to } | Step::ExitIfTrue { to } => *to = end,
                        _ => unreachable!("an exit was pushed here"),
                    }
                }
            }
            Expr::Not(inner) => {
                self.lay_out(inner);
                self.steps.push(Step::Not);
            }
            // At least none always holds.
            Expr::AtLeast(0, _) => self.steps.push(Step::Const(true)),
            Expr::AtLeast(n, parts) | Expr::Exactly(n, parts) => {
                let exactly = matches!(expr, Expr::Exactly(..));
                let count = self.steps.len();
                self.steps.push(Step::Const(false));
                let mut bounds = vec![self.steps.len()];
                for part in parts {
                    self.lay_out(part);
                    bounds.push(self.steps.len());
                }
                let bounds = self.list(bounds.into_iter());
                self.steps[count] = Step::Count { n: *n, exactly, bounds };
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
    }

    /// Appends `items` to the lists; their range there.
    fn list(&mut self, items: impl Iterator<Item = usize>) -> (usize, usize) {
        let start = self.lists.len();
        self.lists.extend(items);
        (start, self.lists.len())
    }

    /// Whether the condition holds.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        self.run(0, self.steps.len(), facts)
    }

    /// Runs the steps from `at` to `end`: the result of the condition (or
    /// part) laid out there.
    fn run(&self, mut at: usize, end: usize, facts: &Facts<'_>) -> bool {
        let steps = &self.steps[..end];
        let mut result = false;
        while let Some(step) = steps.get(at) {
            at += 1;
            match *step {
                Step::Const(value) => result = value,
                Step::Options { question, set } => {
                    result = match facts.answers[question] {
                        Some(Value::Option(chosen)) => chosen < 64 && set >> chosen & 1 == 1,
                        _ => false,
                    }
                }
                Step::OptionList { question, start, end } => {
                    result = match facts.answers[question] {
                        Some(Value::Option(chosen)) => self.lists[start..end].contains(&usize::from(chosen)),
                        _ => false,
                    }
                }
                Step::Compare { question, cmp, value } => {
                    result = facts.answers[question].and_then(Value::as_f64).is_some_and(|a| cmp.test(a, value))
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
                Step::Count { n, exactly, bounds } => {
                    let bounds = &self.lists[bounds.0..bounds.1];
                    let mut count = 0;
                    for part in bounds.windows(2) {
                        if self.run(part[0], part[1], facts) {
                            count += 1;
                            if !exactly && count >= n {
                                break;
                            }
                        }
                    }
                    result = if exactly { count == n } else { count >= n };
                    at = bounds.last().copied().unwrap_or(at);
                }
            }
        }
        result
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

    /// The plain reading of a condition: the tree walked as written. The
    /// steps must always agree with it.
    fn walk(expr: &Expr, facts: &Facts<'_>) -> bool {
        match expr {
            Expr::All(parts) => parts.iter().all(|p| walk(p, facts)),
            Expr::Any(parts) => parts.iter().any(|p| walk(p, facts)),
            Expr::Not(inner) => !walk(inner, facts),
            Expr::AtLeast(n, parts) => parts.iter().filter(|p| walk(p, facts)).count() >= *n,
            Expr::Exactly(n, parts) => parts.iter().filter(|p| walk(p, facts)).count() == *n,
            Expr::OptionIn { question, options } => match facts.answers[*question] {
                Some(Value::Option(chosen)) => options.contains(&chosen),
                _ => false,
            },
            Expr::Compare { question, cmp, value } => {
                facts.answers[*question].and_then(Value::as_f64).is_some_and(|a| cmp.test(a, *value))
            }
            Expr::Answered(question) => facts.answers[*question].is_some(),
            Expr::Score { domain, cmp, value } => facts.scores[*domain].is_some_and(|s| cmp.test(s, *value)),
            Expr::BandIn { domain, bands } => facts.bands[*domain].is_some_and(|b| bands.contains(&b)),
            Expr::LevelAtLeast(level) => facts.level >= *level,
            Expr::LevelBelow(level) => facts.level < *level,
            Expr::LevelBeforeAtLeast(level) => facts.level_before >= *level,
            Expr::LevelBeforeBelow(level) => facts.level_before < *level,
            Expr::Fired { red_flags, rules } => {
                red_flags.iter().any(|&q| facts.fired_red_flags.get(q).copied().unwrap_or(false))
                    || rules.iter().any(|&r| facts.fired_rules.get(r).copied().unwrap_or(false))
            }
        }
    }

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
            (0..QUESTIONS, cmp(), -2.0..12.0f64)
                .prop_map(|(question, cmp, value)| Expr::Compare { question, cmp, value: value.round() }),
            (0..QUESTIONS).prop_map(Expr::Answered),
            (0..DOMAINS, cmp(), -2.0..12.0f64)
                .prop_map(|(domain, cmp, value)| Expr::Score { domain, cmp, value: value.round() }),
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
                (0..4usize, prop::collection::vec(inner.clone(), 0..5)).prop_map(|(n, p)| Expr::AtLeast(n, p)),
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

    fn facts_parts() -> impl Strategy<
        Value = (
            Vec<Option<Value>>,
            Vec<Option<f64>>,
            Vec<Option<usize>>,
            (Level, Level),
            (Vec<bool>, Vec<bool>),
        ),
    > {
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
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn steps_agree_with_the_tree(expr in expr(), parts in facts_parts()) {
            let (answers, scores, bands, (level, level_before), (fired_red_flags, fired_rules)) = parts;
            let facts = Facts {
                answers: &answers,
                scores: &scores,
                bands: &bands,
                level,
                level_before,
                fired_red_flags: &fired_red_flags,
                fired_rules: &fired_rules,
            };
            let check = Check::new(expr.clone());
            prop_assert_eq!(check.holds(&facts), walk(&expr, &facts), "{:?}", expr);
        }
    }
}
