//! Conditions as evaluation reads them: a flat list of steps.
//!
//! Every evaluation tests some hundred conditions, and walking a tree of
//! boxed nodes and vectors costs more than the tests at its leaves. So a
//! resolved condition is also laid out once, at load time, as steps run
//! in order. Every step is one test, then an optional jump: its result
//! (negated where a `not` rides on it) is the condition's result so far,
//! and `all` and `any` jump past the rest of their parts as soon as that
//! result decides them. An option or band list is a bit set where it fits
//! in one word. The tree stays beside the steps for what the linter and
//! the reasons read (which questions a rule looks at).

use std::borrow::Cow;

use super::{Cmp, Expr, Facts};
use crate::model::{Level, Value};

/// A resolved condition, with its steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Check {
    /// The condition as resolved, for what it reads.
    pub expr: Expr,
    /// Empty for a condition whose `at_least` and `exactly` parts nest
    /// deeper than [`COUNTERS`] (or that is too large to index in 32
    /// bits): it is read from the tree.
    steps: Vec<Step>,
    /// The lists the steps name by range: options or bands that do not
    /// fit a bit set, and the red flags and rules of `fired`.
    lists: Vec<u32>,
}

/// The counters of `at_least` and `exactly` parts, one per depth of
/// nesting, live on the stack: steps never call anything, so that running
/// them costs little more than the tests themselves.
const COUNTERS: usize = 8;

/// One step: a test, its result negated if `negate`, then going on at
/// `to` if the result is `exit_on`. A step that never jumps has `to` at
/// the step after it, so that every step is run the same way, without a
/// branch on what kind of step it was. Indices are 32 bits, so that a
/// step fits in three words.
///
/// In [`Checks`], `slot` is the condition the step belongs to, and every
/// step writes its result there: the last step run in a condition, the
/// one that leaves it (jumps never go past a condition's end), writes the
/// condition's result. That costs less than a step of its own after each
/// condition, which would be a third of the steps run.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Step {
    test: Test,
    negate: bool,
    exit_on: bool,
    slot: u8,
    to: u32,
}

/// What a step tests. Leaves read the facts; the others read the result
/// so far or the counters.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Test {
    Const(bool),
    /// The answer is one of the options whose bits are set.
    Options {
        question: u32,
        set: u64,
    },
    /// The answer is one of the options `lists[start..end]`.
    OptionList {
        question: u32,
        start: u32,
        end: u32,
    },
    Compare {
        question: u32,
        cmp: Cmp,
        value: f64,
    },
    Answered(u32),
    Score {
        domain: u32,
        cmp: Cmp,
        value: f64,
    },
    Bands {
        domain: u32,
        set: u64,
    },
    BandList {
        domain: u32,
        start: u32,
        end: u32,
    },
    LevelAtLeast(Level),
    LevelBelow(Level),
    LevelBeforeAtLeast(Level),
    LevelBeforeBelow(Level),
    /// Red flags `lists[start..rules]`, rules `lists[rules..end]`.
    Fired {
        start: u32,
        rules: u32,
        end: u32,
    },
    /// The result so far: a `not` of a part of several steps, or the exit
    /// after one, as a part of `all` or `any`.
    Result,
    /// The result of the condition at this slot, run earlier in the same
    /// [`Checks`]: whether a question settled there applies (see
    /// [`Checks::gated`]).
    Held(u8),
    /// Before the parts of `at_least` and `exactly`: none counted yet.
    /// (The result is kept.)
    CountFrom {
        depth: u8,
    },
    /// After each part: counts a true part; the result is whether `n`
    /// parts held so far (`at_least` then jumps to its end).
    Count {
        depth: u8,
        n: u32,
    },
    /// After the last part: whether the count was right.
    Counted {
        depth: u8,
        n: u32,
        exactly: bool,
    },
}

impl Check {
    /// Lays out `expr` as steps.
    pub fn new(expr: Expr) -> Check {
        let mut check = Check { expr: Expr::All(Vec::new()), steps: Vec::new(), lists: Vec::new() };
        if check.lay_out(&expr, 0, &[]).is_none() || check.finish().is_none() {
            check.steps.clear();
        }
        check.expr = expr;
        check
    }

    /// Appends a step testing `test`, that does not jump.
    fn push(&mut self, test: Test) -> Option<()> {
        let to = u32::try_from(self.steps.len() + 1).ok()?;
        self.steps.push(Step { test, negate: false, exit_on: false, slot: 0, to });
        Some(())
    }

    /// Lays out `expr` as the condition at `slot`; a question with a gate
    /// is read as unanswered unless the condition at its gate's slot held.
    fn lay_out(&mut self, expr: &Expr, slot: u8, gates: &[Option<u8>]) -> Option<()> {
        let start = self.steps.len();
        self.lay_out_part(expr, 0, gates)?;
        for step in &mut self.steps[start..] {
            step.slot = slot;
        }
        Some(())
    }

    /// Lays out `expr`, inside `depth` counted parts; `None` when they
    /// nest too deep.
    fn lay_out_part(&mut self, expr: &Expr, depth: usize, gates: &[Option<u8>]) -> Option<()> {
        match expr {
            Expr::All(parts) if parts.is_empty() => self.push(Test::Const(true))?,
            Expr::Any(parts) if parts.is_empty() => self.push(Test::Const(false))?,
            Expr::All(parts) | Expr::Any(parts) => {
                let all = matches!(expr, Expr::All(_));
                let mut exits = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    let test = self.lay_out_test(part, depth, gates)?;
                    if i + 1 < parts.len() {
                        // The exit rides on the part's own step if it is
                        // one; otherwise it takes a step of its own.
                        let at = match test {
                            Some(at) => at,
                            None => {
                                self.push(Test::Result)?;
                                self.steps.len() - 1
                            }
                        };
                        self.steps[at].exit_on = !all;
                        exits.push(at);
                    }
                }
                let end = u32::try_from(self.steps.len()).ok()?;
                for exit in exits {
                    self.steps[exit].to = end;
                }
            }
            Expr::Not(inner) => {
                let at = match self.lay_out_test(inner, depth, gates)? {
                    // The `not` rides on the test.
                    Some(at) => at,
                    None => {
                        self.push(Test::Result)?;
                        self.steps.len() - 1
                    }
                };
                self.steps[at].negate = !self.steps[at].negate;
            }
            // At least none always holds.
            Expr::AtLeast(0, _) => self.push(Test::Const(true))?,
            Expr::AtLeast(n, parts) | Expr::Exactly(n, parts) => {
                if depth == COUNTERS {
                    return None;
                }
                let exactly = matches!(expr, Expr::Exactly(..));
                // More than fit in 32 bits can never be counted.
                let n = u32::try_from(*n).unwrap_or(u32::MAX);
                let depth_u8 = u8::try_from(depth).ok()?;
                self.push(Test::CountFrom { depth: depth_u8 })?;
                let mut counts = Vec::new();
                for part in parts {
                    self.lay_out_part(part, depth + 1, gates)?;
                    counts.push(self.steps.len());
                    self.push(Test::Count { depth: depth_u8, n })?;
                }
                self.push(Test::Counted { depth: depth_u8, n, exactly })?;
                let end = u32::try_from(self.steps.len()).ok()?;
                if !exactly {
                    for count in counts {
                        self.steps[count].exit_on = true;
                        self.steps[count].to = end;
                    }
                }
            }
            Expr::OptionIn { question, options } => {
                let end = self.gate(gates, *question)?;
                let question = index(*question)?;
                let test = match set_of(options.iter().map(|&o| usize::from(o))) {
                    Some(set) => Test::Options { question, set },
                    None => {
                        let (start, end) = self.list(options.iter().map(|&o| usize::from(o)))?;
                        Test::OptionList { question, start, end }
                    }
                };
                self.push(test)?;
                self.gated(end)?;
            }
            Expr::BandIn { domain, bands } => {
                let domain = index(*domain)?;
                let test = match set_of(bands.iter().copied()) {
                    Some(set) => Test::Bands { domain, set },
                    None => {
                        let (start, end) = self.list(bands.iter().copied())?;
                        Test::BandList { domain, start, end }
                    }
                };
                self.push(test)?;
            }
            Expr::Fired { red_flags, rules } => {
                let (start, middle) = self.list(red_flags.iter().copied())?;
                let (_, end) = self.list(rules.iter().copied())?;
                self.push(Test::Fired { start, rules: middle, end })?;
            }
            Expr::Compare { question, cmp, value } => {
                let end = self.gate(gates, *question)?;
                self.push(Test::Compare { question: index(*question)?, cmp: *cmp, value: *value })?;
                self.gated(end)?;
            }
            Expr::Answered(question) => {
                let end = self.gate(gates, *question)?;
                self.push(Test::Answered(index(*question)?))?;
                self.gated(end)?;
            }
            Expr::Score { domain, cmp, value } => {
                self.push(Test::Score { domain: index(*domain)?, cmp: *cmp, value: *value })?
            }
            Expr::LevelAtLeast(level) => self.push(Test::LevelAtLeast(*level))?,
            Expr::LevelBelow(level) => self.push(Test::LevelBelow(*level))?,
            Expr::LevelBeforeAtLeast(level) => self.push(Test::LevelBeforeAtLeast(*level))?,
            Expr::LevelBeforeBelow(level) => self.push(Test::LevelBeforeBelow(*level))?,
        }
        Some(())
    }

    /// Before a test of `question`'s answer: if it has a gate, a step
    /// that reads it and, where it did not hold, leaves the test false
    /// (as for no answer), jumping to its end; that step's index.
    fn gate(&mut self, gates: &[Option<u8>], question: usize) -> Option<Option<usize>> {
        let Some(&Some(slot)) = gates.get(question) else { return Some(None) };
        self.push(Test::Held(slot))?;
        Some(Some(self.steps.len() - 1))
    }

    /// After the test a [`Check::gate`] step at `gate` guards: its jump
    /// lands past it.
    fn gated(&mut self, gate: Option<usize>) -> Option<()> {
        if let Some(at) = gate {
            self.steps[at].to = u32::try_from(self.steps.len()).ok()?;
        }
        Some(())
    }

    /// Lays out `expr`; if that took one step that does not jump (a test
    /// of its own, with no `not` or exit riding on it that would change
    /// what it decides), that step, as one a `not` and an exit may ride
    /// on.
    fn lay_out_test(&mut self, expr: &Expr, depth: usize, gates: &[Option<u8>]) -> Option<Option<usize>> {
        let start = self.steps.len();
        self.lay_out_part(expr, depth, gates)?;
        let single = self.steps.len() == start + 1 && !self.jumps(start);
        Some(single.then_some(start))
    }

    /// Whether step `at` may go on elsewhere than the step after it.
    fn jumps(&self, at: usize) -> bool {
        usize::try_from(self.steps[at].to).ok() != Some(at + 1)
    }

    /// Whether step `at` only jumps: it tests the result so far, neither
    /// negated nor counted (an exit after a part of several steps).
    fn only_jumps(&self, at: usize) -> bool {
        let step = &self.steps[at];
        step.test == Test::Result && !step.negate
    }

    /// Once every step is laid out: a jump that lands on a step that only
    /// jumps goes straight where that step would go (the result is known
    /// on the way there: the one the jump was taken on); then such a step
    /// after one that does not jump, which only falling through reaches
    /// now, rides on that step instead, and is taken out. An exit after a
    /// part of several steps is then paid for only where that part ends,
    /// and most cost nothing.
    fn finish(&mut self) -> Option<()> {
        let n = self.steps.len();
        for at in 0..n {
            if !self.jumps(at) {
                continue;
            }
            let taken_on = self.steps[at].exit_on;
            let mut to = self.steps[at].to as usize;
            while to < n && self.only_jumps(to) {
                to = if self.steps[to].exit_on == taken_on { self.steps[to].to as usize } else { to + 1 };
            }
            self.steps[at].to = u32::try_from(to).ok()?;
        }
        // Which steps are taken out, and the new index of every step (and
        // of the end) once they are.
        let mut landed_on = vec![false; n + 1];
        for from in 0..n {
            if self.jumps(from) {
                landed_on[self.steps[from].to as usize] = true;
            }
        }
        let mut gone = vec![false; n];
        for at in 1..n {
            if self.only_jumps(at) && !self.jumps(at - 1) && !gone[at - 1] && !landed_on[at] {
                gone[at] = true;
            }
        }
        if !gone.contains(&true) {
            return Some(());
        }
        let mut moved = Vec::with_capacity(n + 1);
        let mut kept = 0u32;
        for &out in &gone {
            moved.push(kept);
            kept += u32::from(!out);
        }
        moved.push(kept);
        for at in (1..n).filter(|&at| gone[at]) {
            let exit = self.steps[at];
            let before = &mut self.steps[at - 1];
            (before.exit_on, before.to) = (exit.exit_on, exit.to);
        }
        let mut at = 0;
        self.steps.retain(|_| {
            at += 1;
            !gone[at - 1]
        });
        for step in &mut self.steps {
            step.to = moved[step.to as usize];
        }
        Some(())
    }

    /// Appends `items` to the lists; their range there.
    fn list(&mut self, items: impl Iterator<Item = usize>) -> Option<(u32, u32)> {
        let start = u32::try_from(self.lists.len()).ok()?;
        for item in items {
            self.lists.push(index(item)?);
        }
        Some((start, u32::try_from(self.lists.len()).ok()?))
    }

    /// Whether the condition holds.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        if self.steps.is_empty() {
            return self.expr.holds(facts);
        }
        self.run(facts, &mut NoSlots)
    }

    /// [`Check::holds`] on answers alone, read at the level raised before
    /// (what an `ask_if` may read). Built here rather than by the caller,
    /// the facts no `ask_if` reads are known to be empty where the steps
    /// are run, which then need not load them: a question's `ask_if` is a
    /// small condition, and loading every fact cost as much as its steps.
    pub fn holds_on_answers(&self, answers: &[Option<Value>], level_before: Level) -> bool {
        let facts = || Facts::on_answers(answers, level_before);
        if self.steps.is_empty() {
            return self.expr.holds(&facts());
        }
        self.run(&facts(), &mut NoSlots)
    }

    /// Runs the steps: the result of the last; each step's result is
    /// written to `slots` at its slot.
    #[inline(always)]
    fn run(&self, facts: &Facts<'_>, slots: &mut impl Slots) -> bool {
        let mut counters = [0u32; COUNTERS];
        let mut at = 0;
        let mut result = false;
        let in_list = |start: u32, end: u32, item: usize| {
            self.lists
                .get(start as usize..end as usize)
                .is_some_and(|list| list.iter().any(|&i| i as usize == item))
        };
        while let Some(step) = self.steps.get(at) {
            let held = match step.test {
                Test::Const(value) => value,
                Test::Options { question, set } => match facts.answers[question as usize] {
                    Some(Value::Option(chosen)) => chosen < 64 && set >> chosen & 1 == 1,
                    _ => false,
                },
                Test::OptionList { question, start, end } => match facts.answers[question as usize] {
                    Some(Value::Option(chosen)) => in_list(start, end, usize::from(chosen)),
                    _ => false,
                },
                Test::Compare { question, cmp, value } => facts.answers[question as usize]
                    .and_then(Value::as_f64)
                    .is_some_and(|a| cmp.test(a, value)),
                Test::Answered(question) => facts.answers[question as usize].is_some(),
                Test::Score { domain, cmp, value } => {
                    facts.scores[domain as usize].is_some_and(|score| cmp.test(score, value))
                }
                Test::Bands { domain, set } => {
                    facts.bands[domain as usize].is_some_and(|band| band < 64 && set >> band & 1 == 1)
                }
                Test::BandList { domain, start, end } => {
                    facts.bands[domain as usize].is_some_and(|band| in_list(start, end, band))
                }
                Test::LevelAtLeast(level) => facts.level >= level,
                Test::LevelBelow(level) => facts.level < level,
                Test::LevelBeforeAtLeast(level) => facts.level_before >= level,
                Test::LevelBeforeBelow(level) => facts.level_before < level,
                Test::Fired { start, rules, end } => {
                    let fired = |start: u32, end: u32, facts: &[bool]| {
                        self.lists.get(start as usize..end as usize).is_some_and(|list| {
                            list.iter().any(|&i| facts.get(i as usize).copied().unwrap_or(false))
                        })
                    };
                    fired(start, rules, facts.fired_red_flags) || fired(rules, end, facts.fired_rules)
                }
                Test::Result => result,
                Test::Held(slot) => slots.read(slot),
                Test::CountFrom { depth } => {
                    counters[usize::from(depth)] = 0;
                    result
                }
                Test::Count { depth, n } => {
                    let counter = &mut counters[usize::from(depth)];
                    *counter += u32::from(result);
                    *counter >= n
                }
                Test::Counted { depth, n, exactly } => {
                    let counter = counters[usize::from(depth)];
                    if exactly {
                        counter == n
                    } else {
                        counter >= n
                    }
                }
            };
            result = held != step.negate;
            slots.write(step.slot, result);
            at = if result == step.exit_on { step.to as usize } else { at + 1 };
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
    /// Every condition's steps, one after another, each writing its
    /// condition's slot; `None` when one of them is read from its tree
    /// (see [`Check`]) or there are more than [`SLOTS`].
    joined: Option<Check>,
    /// When some condition tests the level: by level, in the order of
    /// [`Level::ALL`], `joined` with those tests decided, the parts they
    /// decide left out, and the conditions that cannot hold at that level
    /// not laid out at all. Most selection rules test the level first; the
    /// level of a respondent is known before they are read, and this way
    /// a step is spent on neither the test nor the rules it rules out.
    at_level: Option<Vec<Check>>,
}

/// The most conditions run together. Their results are written on the
/// stack, one per slot, where a slot of 8 bits always falls: no step
/// checks where it writes.
pub const SLOTS: usize = 256;

/// Where a run writes each step's result at its condition's slot, and
/// reads an earlier condition's result.
trait Slots {
    fn write(&mut self, slot: u8, result: bool);
    fn read(&self, slot: u8) -> bool;
}

/// A condition run alone: it has no slots, and no gates to read.
struct NoSlots;

impl Slots for NoSlots {
    #[inline(always)]
    fn write(&mut self, _: u8, _: bool) {}
    #[inline(always)]
    fn read(&self, _: u8) -> bool {
        false
    }
}

impl Slots for [bool; SLOTS] {
    #[inline(always)]
    fn write(&mut self, slot: u8, result: bool) {
        self[usize::from(slot)] = result;
    }
    #[inline(always)]
    fn read(&self, slot: u8) -> bool {
        self[usize::from(slot)]
    }
}

impl Checks {
    pub fn new(each: Vec<Check>) -> Checks {
        Checks::laid_out(each, &[])
    }

    fn laid_out(each: Vec<Check>, gates: &[Option<u8>]) -> Checks {
        let joined = Checks::join(&each, gates, |expr| Some(Cow::Borrowed(expr)));
        // Gated conditions are read on answers alone, which have no level.
        let reads_level = each.iter().any(|check| reads_level(&check.expr));
        let at_level = (joined.is_some() && gates.is_empty() && reads_level)
            .then(|| {
                Level::ALL
                    .iter()
                    .map(|&level| {
                        let decided = |expr: &Expr| {
                            let expr = at_level(expr, level);
                            (expr != NEVER).then_some(Cow::Owned(expr))
                        };
                        Checks::join(&each, gates, decided)
                    })
                    .collect::<Option<Vec<Check>>>()
            })
            .flatten();
        Checks { each, joined, at_level }
    }

    /// The conditions' steps, one after another, each condition as `lay`
    /// gives it (`None`: it never holds, and is left out, its slot false);
    /// `None` if one of them cannot be run as steps.
    fn join<'e>(
        each: &'e [Check],
        gates: &[Option<u8>],
        lay: impl Fn(&'e Expr) -> Option<Cow<'e, Expr>>,
    ) -> Option<Check> {
        let mut joined = Check { expr: Expr::All(Vec::new()), steps: Vec::new(), lists: Vec::new() };
        for (k, check) in each.iter().enumerate() {
            let slot = u8::try_from(k).ok()?;
            if check.steps.is_empty() {
                return None;
            }
            if let Some(expr) = lay(&check.expr) {
                joined.lay_out(&expr, slot, gates)?;
            }
        }
        joined.finish()?;
        Some(joined)
    }

    /// The steps to run at `level`.
    #[inline]
    fn joined_at(&self, level: Level) -> Option<&Check> {
        match &self.at_level {
            Some(by_level) => by_level.get(level as usize),
            None => self.joined.as_ref(),
        }
    }

    /// `each`, where a question with a gate (the slot of an earlier
    /// condition here) is read as unanswered unless that condition held:
    /// questions settled in turn, each asked if its condition holds and
    /// its answer cleared if not, settled in one run. `None` unless run
    /// together, as read one by one they would miss the gates.
    pub fn gated(each: Vec<Check>, gates: &[Option<u8>]) -> Option<Checks> {
        let checks = Checks::laid_out(each, gates);
        checks.joined.is_some().then_some(checks)
    }

    /// [`Checks::holds_each`] on answers alone, read at the level raised
    /// before (see [`Check::holds_on_answers`]), into `held` by slot.
    pub fn holds_on_answers(&self, answers: &[Option<Value>], level_before: Level, held: &mut [bool; SLOTS]) {
        let facts = Facts::on_answers(answers, level_before);
        match &self.joined {
            Some(joined) => {
                joined.run(&facts, held);
            }
            None => {
                for (slot, check) in held.iter_mut().zip(&self.each) {
                    *slot = check.holds(&facts);
                }
            }
        }
    }

    /// Whether each condition holds, in order, into `out` (one per
    /// condition).
    pub fn holds_each(&self, facts: &Facts<'_>, out: &mut [bool]) {
        match self.joined_at(facts.level) {
            Some(joined) => {
                let mut held = [false; SLOTS];
                joined.run(facts, &mut held);
                let n = out.len().min(self.each.len());
                out[..n].copy_from_slice(&held[..n]);
            }
            None => {
                for (slot, check) in out.iter_mut().zip(&self.each) {
                    *slot = check.holds(facts);
                }
            }
        }
    }

    /// The conditions that hold, by index, in order, at the end of `out`.
    pub fn holding(&self, facts: &Facts<'_>, out: &mut Vec<usize>) {
        match self.joined_at(facts.level) {
            Some(joined) => {
                let mut held = [false; SLOTS];
                joined.run(facts, &mut held);
                out.extend((0..self.each.len()).filter(|&k| held[k]));
            }
            None => out.extend((0..self.each.len()).filter(|&k| self.each[k].holds(facts))),
        }
    }

    /// The conditions, in order.
    pub fn each(&self) -> &[Check] {
        &self.each
    }

    /// How many conditions there are.
    pub fn count(&self) -> usize {
        self.each.len()
    }
}

/// A condition that never holds.
const NEVER: Expr = Expr::Any(Vec::new());
/// A condition that always holds.
const ALWAYS: Expr = Expr::All(Vec::new());

/// Whether `expr` tests the level (not the level before).
fn reads_level(expr: &Expr) -> bool {
    match expr {
        Expr::LevelAtLeast(_) | Expr::LevelBelow(_) => true,
        Expr::All(parts) | Expr::Any(parts) | Expr::AtLeast(_, parts) | Expr::Exactly(_, parts) => {
            parts.iter().any(reads_level)
        }
        Expr::Not(inner) => reads_level(inner),
        _ => false,
    }
}

/// `expr` read at `level`: its tests of the level decided, and the parts
/// of `all`, `any` and `not` they decide taken out ([`NEVER`] and
/// [`ALWAYS`] where that decides the whole). It holds exactly where
/// `expr` holds at `level`.
fn at_level(expr: &Expr, level: Level) -> Expr {
    let decided = |holds: bool| if holds { ALWAYS } else { NEVER };
    match expr {
        Expr::LevelAtLeast(at) => decided(level >= *at),
        Expr::LevelBelow(at) => decided(level < *at),
        Expr::All(parts) | Expr::Any(parts) => {
            let all = matches!(expr, Expr::All(_));
            // A part that holds decides an `any`; one that does not, an
            // `all`. The other kind changes nothing.
            let (deciding, neutral) = if all { (NEVER, ALWAYS) } else { (ALWAYS, NEVER) };
            let mut kept = Vec::with_capacity(parts.len());
            for part in parts {
                let part = at_level(part, level);
                if part == deciding {
                    return deciding;
                }
                if part != neutral {
                    kept.push(part);
                }
            }
            match kept.len() {
                0 => neutral,
                1 => kept.remove(0),
                _ if all => Expr::All(kept),
                _ => Expr::Any(kept),
            }
        }
        Expr::Not(inner) => match at_level(inner, level) {
            e if e == ALWAYS => NEVER,
            e if e == NEVER => ALWAYS,
            e => Expr::Not(Box::new(e)),
        },
        Expr::AtLeast(n, parts) => Expr::AtLeast(*n, parts.iter().map(|p| at_level(p, level)).collect()),
        Expr::Exactly(n, parts) => Expr::Exactly(*n, parts.iter().map(|p| at_level(p, level)).collect()),
        leaf => leaf.clone(),
    }
}

/// An index as steps hold it, if it fits.
fn index(i: usize) -> Option<u32> {
    u32::try_from(i).ok()
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
        tree(leaf().boxed())
    }

    /// The leaves an `ask_if` may read: answers, the level before, and
    /// (always false there) what fired.
    fn answer_leaf() -> impl Strategy<Value = Expr> {
        leaf().prop_filter("reads answers alone", |leaf| {
            !matches!(
                leaf,
                Expr::Score { .. } | Expr::BandIn { .. } | Expr::LevelAtLeast(_) | Expr::LevelBelow(_)
            )
        })
    }

    fn tree(leaf: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
        leaf.prop_recursive(4, 48, 5, |inner| {
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

        /// Read on answers alone, as an `ask_if` is, a condition that reads
        /// no other facts holds as the tree says on the same answers.
        #[test]
        fn steps_on_answers_agree_with_the_tree(expr in tree(answer_leaf().boxed()), known in known()) {
            let facts = Facts::on_answers(&known.answers, known.levels.1);
            let check = Check::new(expr.clone());
            prop_assert_eq!(check.holds_on_answers(&known.answers, known.levels.1), expr.holds(&facts), "{:?}", expr);
        }

        /// Questions settled in turn in one gated run (condition `k`
        /// settles question `k + 1` and reads only the questions before
        /// it) are asked and cleared as settling them one at a time, each
        /// condition read on the answers cleared so far, asks and clears
        /// them.
        #[test]
        fn gated_runs_settle_as_one_question_at_a_time(
            exprs in prop::collection::vec(tree(answer_leaf().boxed()), 0..QUESTIONS),
            known in known(),
        ) {
            let exprs: Vec<Expr> =
                exprs.into_iter().enumerate().map(|(k, e)| before(e, k + 1)).collect();
            let mut gates = vec![None; QUESTIONS];
            for k in 0..exprs.len() {
                gates[k + 1] = u8::try_from(k).ok();
            }
            let checks = Checks::gated(exprs.iter().cloned().map(Check::new).collect(), &gates)
                .expect("run together");
            let mut held = [false; SLOTS];
            checks.holds_on_answers(&known.answers, known.levels.1, &mut held);
            let mut answers = known.answers.clone();
            for (k, expr) in exprs.iter().enumerate() {
                let facts = Facts { answers: &answers, level_before: known.levels.1, ..answers_only(&[]) };
                let asked = expr.holds(&facts);
                prop_assert_eq!(held[k], asked, "{:?}", expr);
                if !asked {
                    answers[k + 1] = None;
                }
            }
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
            prop_assert_eq!(&out, &plain);
            let mut holding = vec![usize::MAX];
            checks.holding(&facts, &mut holding);
            let plain: Vec<usize> =
                std::iter::once(usize::MAX).chain((0..plain.len()).filter(|&k| plain[k])).collect();
            prop_assert_eq!(holding, plain);
        }
    }

    /// Facts of answers alone, at the lowest level, nothing fired.
    /// `expr` with every question it reads moved before question `end`.
    fn before(expr: Expr, end: usize) -> Expr {
        let each = |parts: Vec<Expr>| parts.into_iter().map(|p| before(p, end)).collect();
        match expr {
            Expr::All(parts) => Expr::All(each(parts)),
            Expr::Any(parts) => Expr::Any(each(parts)),
            Expr::Not(inner) => Expr::Not(Box::new(before(*inner, end))),
            Expr::AtLeast(n, parts) => Expr::AtLeast(n, each(parts)),
            Expr::Exactly(n, parts) => Expr::Exactly(n, each(parts)),
            Expr::OptionIn { question, options } => Expr::OptionIn { question: question % end, options },
            Expr::Compare { question, cmp, value } => Expr::Compare { question: question % end, cmp, value },
            Expr::Answered(question) => Expr::Answered(question % end),
            leaf => leaf,
        }
    }

    fn answers_only(answers: &[Option<Value>]) -> Facts<'_> {
        Facts::on_answers(answers, Level::SelfCare)
    }

    /// A `not` and the exit after a part ride on its step when it is one,
    /// and the exit after a part of several steps on the last of them.
    #[test]
    fn nots_and_exits_ride_on_steps() {
        let is = |question| Expr::OptionIn { question, options: vec![0] };
        let not = |e: Expr| Expr::Not(Box::new(e));
        assert_eq!(Check::new(Expr::All(vec![is(0), not(is(1)), is(2)])).steps.len(), 3);
        assert_eq!(Check::new(not(not(is(0)))).steps.len(), 1);
        // Answered and its exit; two tests, then a `not` with the exit
        // riding on it; the last test.
        let mixed = Expr::Any(vec![Expr::Answered(0), not(Expr::All(vec![is(0), is(1)])), is(2)]);
        assert_eq!(Check::new(mixed).steps.len(), 5);
        // The exit after a part of several steps rides on its last step,
        // and the jumps out of the part go past it.
        let nested = Expr::All(vec![Expr::Any(vec![is(0), Expr::Answered(1)]), is(2)]);
        assert_eq!(Check::new(nested).steps.len(), 3);
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

    /// Conditions that test the level are laid out once per level, those
    /// tests decided: at a level that rules a condition out, it takes no
    /// step at all, and at one that lets it through, only its other parts
    /// are tested. (That they hold as the trees say, at every level, the
    /// tests of conditions run together check.)
    #[test]
    fn tests_of_the_level_are_decided_before_the_run() {
        let below = Expr::All(vec![Expr::LevelBelow(Level::Urgent), Expr::Answered(0)]);
        let checks = Checks::new(vec![Check::new(below), Check::new(Expr::Answered(1))]);
        let by_level = checks.at_level.as_ref().expect("laid out by level");
        assert_eq!(by_level[Level::Soon as usize].steps.len(), 2);
        assert_eq!(by_level[Level::Urgent as usize].steps.len(), 1);
        let answers = [Some(Value::Integer(1)), None];
        let mut out = [true; 2];
        checks.holds_each(&Facts { level: Level::Urgent, ..answers_only(&answers) }, &mut out);
        assert_eq!(out, [false, false]);
        checks.holds_each(&Facts { level: Level::Soon, ..answers_only(&answers) }, &mut out);
        assert_eq!(out, [true, false]);
        // Conditions that do not test the level are laid out once.
        assert!(Checks::new(vec![Check::new(Expr::Answered(1))]).at_level.is_none());
    }

    /// More conditions than there are slots are read one by one, with
    /// the same results as those run together.
    #[test]
    fn conditions_past_the_slots_are_read_one_by_one() {
        let answers = [Some(Value::Option(0)), None];
        let facts = answers_only(&answers);
        for count in [SLOTS, SLOTS + 1] {
            let exprs: Vec<Expr> = (0..count).map(|k| Expr::Answered(k % 2)).collect();
            let checks = Checks::new(exprs.iter().cloned().map(Check::new).collect());
            assert_eq!(checks.joined.is_some(), count <= SLOTS);
            let mut out = vec![false; count];
            checks.holds_each(&facts, &mut out);
            let mut holding = Vec::new();
            checks.holding(&facts, &mut holding);
            assert!(out.iter().enumerate().all(|(k, held)| *held == (k % 2 == 0)), "{count}");
            assert_eq!(holding, (0..count).step_by(2).collect::<Vec<_>>(), "{count}");
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
