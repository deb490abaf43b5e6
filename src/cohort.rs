//! Many respondents decided at once: what [`eval::outcome`] decides, for up
//! to 64 answer sets together, each condition tested for all of them as
//! the bits of one word.
//!
//! A table of many respondents shows only decisions, and deciding is mostly
//! testing conditions, some three hundred per answer set. Tested for one
//! answer set at a time, each test is a few loads and a branch that the
//! processor cannot foresee; tested here, an `is` is one `or` of bit sets
//! for 64 answer sets, and a branch is taken only where every one of them
//! agrees. Scores are summed for all of them at once too, as bit planes;
//! what is left per answer set is little (a score's band bounds, the
//! plan's size), and what a row shows is read off the words only when it
//! is asked for.
//!
//! The rules are read the plain way: each `ask_if` in file order, at the
//! level raised before its question, then scores, then triage of what is in
//! force. [`eval::outcome`] reaches the same decisions by shortcuts; a
//! differential test holds the two to the same answer, on random answer
//! sets of every questionnaire in the repository.
//!
//! ```
//! use selfcheck::{cohort::Cohort, table, Level, Questionnaire};
//!
//! let text = selfcheck::shipped("low-back-glutes").expect("shipped");
//! let questionnaire = Questionnaire::from_json(text, "low-back-glutes")?;
//! let calm = table::answers_from_pairs(&questionnaire, [("rf_saddle_numbness", "no")])?;
//! let alarming = table::answers_from_pairs(&questionnaire, [("rf_saddle_numbness", "yes")])?;
//! let mut cohort = Cohort::new(&questionnaire);
//! cohort.decide([&calm, &alarming]);
//! assert_eq!(cohort.len(), 2);
//! assert_eq!(cohort.respondent(1).level(), Level::Emergency);
//! // No exercise plan at emergency.
//! assert_eq!(cohort.respondent(1).plan().count(), 0);
//! # Ok::<(), selfcheck::Error>(())
//! ```

use crate::answers::{Answers, Value};
use crate::condition::{Cmp, Expr};
use crate::eval::{self, FlagAnswer, RuleId};
use crate::model::{Kind, Level};
use crate::questionnaire::{CompiledDomain, Questionnaire};

/// How many answer sets are decided together: the bits of a word.
pub const LANES: usize = 64;

/// Per level, least cautious first, the answer sets at that level or a
/// more cautious one.
type Levels = [u64; 4];

/// Decides answer sets [`LANES`] at a time, keeping its buffers from one
/// group to the next.
pub struct Cohort<'q> {
    q: &'q Questionnaire,
    /// Per question: where its options' sets start in `options` (and, at
    /// the end, where the last one ends).
    option_at: Vec<usize>,
    /// Per domain: where its bands' sets start in `band_sets`.
    band_at: Vec<usize>,
    /// The answer sets being decided, one bit each.
    all: u64,
    count: usize,
    /// The answer sets, one per lane, [`LANES`] of them: filled in place
    /// by [`Cohort::lanes_mut`] or copied by [`Cohort::decide`], then
    /// cleared to the answers in force (what scores and the names of red
    /// flags' answers read).
    lanes: Vec<Answers>,
    /// Per question: the answer sets that answer it...
    answered: Vec<u64>,
    /// ...those it applies to...
    applies: Vec<u64>,
    /// ...and per option of each question, those that chose it.
    options: Vec<u64>,
    /// Per numeric question, by lane: the number answered, NaN for none,
    /// which no comparison holds for (as none holds for no answer). Then a
    /// comparison is one test per lane, with no branch.
    numbers: Vec<f64>,
    /// Per question: where its lanes start in `numbers`, if it is numeric.
    number_at: Vec<Option<usize>>,
    /// Scores, answer set by answer set (each set's domains together)...
    scores: Vec<Option<f64>>,
    /// ...and per domain, by lane, NaN for none (as `numbers`).
    score_lanes: Vec<f64>,
    /// Bands, answer set by answer set...
    bands: Vec<Option<usize>>,
    /// ...and per band of each domain, the answer sets in it.
    band_sets: Vec<u64>,
    level: Levels,
    /// Per question, then per triage rule: the answer sets whose level its
    /// red flag raised, or in which it fired.
    fired: Vec<u64>,
    /// Per recommendation: the answer sets whose plan it is in.
    plan: Vec<u64>,
}

/// One answer set's decisions, as [`eval::Outcome`] gives them.
#[derive(Clone, Copy)]
pub struct Respondent<'c, 'q> {
    cohort: &'c Cohort<'q>,
    lane: usize,
}

impl<'q> Cohort<'q> {
    /// A cohort of `q`'s respondents, with room for [`LANES`] answer sets.
    pub fn new(q: &'q Questionnaire) -> Cohort<'q> {
        let mut option_at = vec![0];
        for question in &q.questions {
            let options = match &question.kind {
                Kind::SingleChoice { options } => options.len(),
                kind if kind.is_numeric() => 0,
                kind => kind.option_ids().len(),
            };
            option_at.push(option_at.last().copied().unwrap_or(0) + options);
        }
        let mut numeric = (0..).step_by(LANES);
        let number_at = q
            .questions
            .iter()
            .map(|question| question.kind.is_numeric().then(|| numeric.next()).flatten())
            .collect();
        let mut band_at = vec![0];
        for domain in &q.domains {
            band_at.push(band_at.last().copied().unwrap_or(0) + domain.bands.len());
        }
        Cohort {
            q,
            option_at,
            band_at,
            all: 0,
            count: 0,
            lanes: vec![Answers::empty(q); LANES],
            answered: Vec::new(),
            applies: Vec::new(),
            options: Vec::new(),
            numbers: Vec::new(),
            number_at,
            scores: Vec::new(),
            score_lanes: Vec::new(),
            bands: Vec::new(),
            band_sets: Vec::new(),
            level: [0; 4],
            fired: Vec::new(),
            plan: Vec::new(),
        }
    }

    /// Decides the first [`LANES`] answer sets of `answers` (the rest are
    /// left alone), replacing the decisions before.
    pub fn decide<'a>(&mut self, answers: impl IntoIterator<Item = &'a Answers>) {
        let mut count = 0;
        for (lane, given) in self.lanes.iter_mut().zip(answers) {
            lane.clone_from(given);
            count += 1;
        }
        self.decide_lanes(count);
    }

    /// The answer sets [`Cohort::decide_lanes`] decides, one per lane, to
    /// be filled in place: a caller that reads many respondents reads each
    /// straight into its lane, and none is copied. Each holds what the
    /// last decision left in it (the answers in force).
    pub fn lanes_mut(&mut self) -> &mut [Answers] {
        &mut self.lanes
    }

    /// Decides the first `count` answer sets of [`Cohort::lanes_mut`] (at
    /// most [`LANES`]), replacing the decisions before; each is left
    /// holding the answers in force.
    pub fn decide_lanes(&mut self, count: usize) {
        let n = self.q.questions.len();
        self.count = count.min(LANES);
        for lane in &mut self.lanes[..self.count] {
            // Answers sized for another questionnaire are cut or padded to
            // this one's questions, as `eval` reads them.
            if lane.values().len() != n {
                let mut sized = Answers::empty(self.q);
                for (question, value) in lane.values().iter().enumerate().take(n) {
                    sized.set(question, *value);
                }
                *lane = sized;
            }
        }
        self.all = if self.count == LANES { u64::MAX } else { (1u64 << self.count) - 1 };
        self.sort_answers();
        self.settle();
        self.score();
        self.triage();
        self.choose();
    }

    /// How many answer sets were decided.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether none was.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The decisions on answer set `lane` (of `0..len()`).
    pub fn respondent(&self, lane: usize) -> Respondent<'_, 'q> {
        Respondent { cohort: self, lane: lane.min(LANES - 1) }
    }

    /// The answers' sets: per question, who answered, and per option, who
    /// chose it.
    fn sort_answers(&mut self) {
        let n = self.q.questions.len();
        self.answered.clear();
        self.answered.resize(n, 0);
        self.applies.clear();
        self.applies.resize(n, self.all);
        self.options.clear();
        self.options.resize(self.option_at[n], 0);
        let numeric = self.number_at.iter().flatten().count();
        self.numbers.clear();
        self.numbers.resize(numeric * LANES, f64::NAN);
        for (lane, answers) in self.lanes[..self.count].iter().enumerate() {
            let bit = 1u64 << lane;
            for (question, value) in answers.values().iter().enumerate() {
                let Some(value) = value else { continue };
                self.answered[question] |= bit;
                match *value {
                    Value::Option(o) => {
                        let at = self.option_at[question] + usize::from(o);
                        if at < self.option_at[question + 1] {
                            self.options[at] |= bit;
                        }
                    }
                    Value::Integer(_) | Value::Number(_) => {
                        if let (Some(at), Some(number)) = (self.number_at[question], value.as_f64()) {
                            self.numbers[at + lane] = number;
                        }
                    }
                }
            }
        }
    }

    /// Which questions apply, in file order: each `ask_if` at the level
    /// raised before its question, the answers of questions not asked
    /// cleared. (The level before a question changes only where more red
    /// flags and rules count toward it, so it is worked out only there.)
    fn settle(&mut self) {
        let q = self.q;
        let mut before: Option<(usize, Levels)> = None;
        for i in 0..q.questions.len() {
            let Some(ask_if) = &q.compiled.ask_if[i] else { continue };
            let level_before = match q.compiled.level_before[i] {
                None => self.calm(),
                Some(ready) => match before {
                    Some((at, level)) if at == ready => level,
                    _ => {
                        if q.compiled.triage_reads_scores {
                            self.score();
                        }
                        let level = self.triage_before(i);
                        before = Some((ready, level));
                        level
                    }
                },
            };
            let asked = self.facts(self.calm(), level_before, false).holds(&ask_if.expr);
            self.set_applies(i, asked);
        }
    }

    /// Question `question` applies to the answer sets `asked` alone: the
    /// others' answers are not in force.
    fn set_applies(&mut self, question: usize, asked: u64) {
        let gone = self.all & !asked;
        self.applies[question] = asked & self.all;
        if gone & self.answered[question] == 0 {
            return;
        }
        self.answered[question] &= !gone;
        for set in &mut self.options[self.option_at[question]..self.option_at[question + 1]] {
            *set &= !gone;
        }
        for lane in bits(gone) {
            self.lanes[lane].set(question, None);
            if let Some(at) = self.number_at[question] {
                self.numbers[at + lane] = f64::NAN;
            }
        }
    }

    /// Every answer set's scores and bands, from the answers in force.
    fn score(&mut self) {
        let q = self.q;
        let d = q.domains.len();
        self.scores.clear();
        self.scores.resize(self.count * d, None);
        self.bands.clear();
        self.bands.resize(self.count * d, None);
        self.band_sets.clear();
        self.band_sets.resize(self.band_at[d], 0);
        self.score_lanes.clear();
        self.score_lanes.resize(d * LANES, f64::NAN);
        for (k, domain) in q.compiled.domains.iter().enumerate() {
            match domain {
                CompiledDomain::Scored { items, bounds, .. } => {
                    // Every lane's points, items and most points, summed
                    // at once as bit planes.
                    let (mut points, mut answered, mut max) =
                        ([0u64; PLANES], [0u64; PLANES], [0u64; PLANES]);
                    for item in items {
                        let who = self.answered[item.question];
                        add(&mut answered, who, 1);
                        add(&mut max, who, u64::from(item.max));
                        match self.number_at[item.question] {
                            // The points of the highest threshold reached
                            // (thresholds are sorted by value).
                            Some(at) => {
                                let numbers = &self.numbers[at..at + LANES];
                                let reached = item
                                    .thresholds
                                    .iter()
                                    .map(|&(at, points)| (compare(numbers, Cmp::Gte, at), u64::from(points)));
                                let mut reached = reached.peekable();
                                while let Some((who, points_here)) = reached.next() {
                                    let higher = reached.peek().map_or(0, |(higher, _)| *higher);
                                    add(&mut points, who & !higher, points_here);
                                }
                            }
                            None => {
                                let sets = &self.options[self.option_at[item.question]..];
                                for (&who, &points_here) in sets.iter().zip(&item.by_option) {
                                    add(&mut points, who, u64::from(points_here));
                                }
                            }
                        }
                    }
                    let (points, answered, max) = (used(&points), used(&answered), used(&max));
                    for lane in 0..self.count {
                        let answered = usize::try_from(lane_value(answered, lane)).unwrap_or(usize::MAX);
                        let score =
                            eval::scored(lane_value(points, lane), lane_value(max, lane), answered, domain);
                        self.scores[lane * d + k] = score;
                        self.score_lanes[k * LANES + lane] = score.unwrap_or(f64::NAN);
                    }
                    // The first band a score is in is its band (no score
                    // is in any).
                    let lanes = &self.score_lanes[k * LANES..(k + 1) * LANES];
                    let mut placed = 0;
                    for (b, &(low, high)) in bounds.iter().enumerate() {
                        let who = compare(lanes, Cmp::Gte, low) & compare(lanes, Cmp::Lte, high) & !placed;
                        placed |= who;
                        self.band_sets[self.band_at[k] + b] = who;
                        for lane in bits(who) {
                            self.bands[lane * d + k] = Some(b);
                        }
                    }
                }
                // A classification reads the domains before it.
                CompiledDomain::Classify(_) => {
                    for lane in 0..self.count {
                        let row = self.lanes[lane].values();
                        let before = lane * d..lane * d + k;
                        let (_, band, _) =
                            eval::score(domain, row, &self.scores[before.clone()], &self.bands[before]);
                        self.bands[lane * d + k] = band;
                        if let Some(band) = band {
                            self.band_sets[self.band_at[k] + band] |= 1 << lane;
                        }
                    }
                }
            }
        }
    }

    /// The level the red flags before question `before`, and the rules
    /// that read only questions before it, raise: each rule sees the level
    /// reached before it.
    fn triage_before(&self, before: usize) -> Levels {
        let q = self.q;
        let mut level = self.red_flags(before, &mut []);
        for (rule, compiled) in q.triage_rules.iter().zip(&q.compiled.triage) {
            if compiled.ready > before {
                continue;
            }
            let held = self.facts(level, self.calm(), false).holds(&compiled.when.expr);
            raise(&mut level, held, rule.level);
        }
        level
    }

    /// Triage of the answers in force: red flags, then every rule in
    /// order, each seeing the level reached before it; what raised the
    /// level is kept.
    fn triage(&mut self) {
        let q = self.q;
        let questions = q.questions.len();
        let mut fired = std::mem::take(&mut self.fired);
        fired.clear();
        fired.resize(questions + q.triage_rules.len(), 0);
        let mut level = self.red_flags(usize::MAX, &mut fired[..questions]);
        for (r, (rule, compiled)) in q.triage_rules.iter().zip(&q.compiled.triage).enumerate() {
            let held = self.facts(level, self.calm(), false).holds(&compiled.when.expr);
            fired[questions + r] = held;
            raise(&mut level, held, rule.level);
        }
        self.fired = fired;
        self.level = level;
    }

    /// The level the red flags before question `before` raise, marking in
    /// `fired` (by question, when it is that long) whose it raised.
    fn red_flags(&self, before: usize, fired: &mut [u64]) -> Levels {
        let q = self.q;
        let mut level = self.calm();
        for &i in q.red_flags().iter().take_while(|&&i| i < before) {
            let Some(flag) = &q.questions[i].red_flag else { continue };
            let options = &self.options[self.option_at[i]..self.option_at[i + 1]];
            let applies = self.applies[i];
            // A red flag that does not apply is neither answered nor
            // missing; any answer but `yes` and `not_sure` raises nothing.
            let answers = [
                (options.first().copied().unwrap_or(0), flag.yes),
                (options.get(2).copied().unwrap_or(0), flag.not_sure),
                (self.all & !self.answered[i], flag.unanswered),
            ];
            for (who, raises) in answers {
                let who = who & applies;
                if raises == Level::SelfCare || who == 0 {
                    continue;
                }
                raise(&mut level, who, raises);
                if let Some(raised) = fired.get_mut(i) {
                    *raised |= who;
                }
            }
        }
        level
    }

    /// The plan limits in force, then the recommendations chosen, then
    /// each plan: the first of the counted kinds, in catalogue order, up to
    /// the plan's size.
    fn choose(&mut self) {
        let q = self.q;
        let facts = self.facts(self.level, self.calm(), true);
        let limits: Vec<u64> = q.compiled.limits.iter().map(|limit| facts.holds(&limit.when.expr)).collect();
        let mut chosen = vec![0u64; q.recommendations.len()];
        for (check, (rec, _)) in q.compiled.selection_when.each().iter().zip(&q.compiled.selection) {
            if let Some(chosen) = chosen.get_mut(*rec) {
                *chosen |= facts.holds(&check.expr);
            }
        }
        let mut plan = std::mem::take(&mut self.plan);
        plan.clear();
        let mut room = [q.plan_size.as_ref().map_or(usize::MAX, |size| size.at_most); LANES];
        for (index, (rec, chosen)) in q.recommendations.iter().zip(chosen).enumerate() {
            // An entry a limit in force withholds is in no plan.
            let withheld = q
                .compiled
                .limits
                .iter()
                .zip(&limits)
                .filter(|(limit, _)| limit.withhold.contains(&rec.kind) && !limit.keep.contains(&index))
                .fold(0, |who, (_, &held)| who | held);
            let mut kept = chosen & !withheld;
            let counted = q.plan_size.as_ref().is_some_and(|size| size.kinds.contains(&rec.kind));
            if counted {
                for lane in bits(kept) {
                    if room[lane] == 0 {
                        kept &= !(1 << lane);
                    } else {
                        room[lane] -= 1;
                    }
                }
            }
            plan.push(kept);
        }
        self.plan = plan;
    }

    /// The level no answer raised yet.
    fn calm(&self) -> Levels {
        [self.all, 0, 0, 0]
    }

    /// What conditions read, at `level` and `level_before`; what raised
    /// the level only after triage (`fired`).
    fn facts(&self, level: Levels, level_before: Levels, fired: bool) -> Facts<'_> {
        let questions = self.q.questions.len();
        let (fired_flags, fired_rules) = match fired {
            true => self.fired.split_at(questions.min(self.fired.len())),
            false => (&[][..], &[][..]),
        };
        Facts { cohort: self, level, level_before, fired_flags, fired_rules }
    }
}

impl<'q> Respondent<'_, 'q> {
    /// The triage level.
    pub fn level(&self) -> Level {
        let bit = 1u64 << self.lane;
        Level::ALL
            .into_iter()
            .rev()
            .zip(self.cohort.level.iter().rev())
            .find(|(_, who)| *who & bit != 0)
            .map_or(Level::SelfCare, |(level, _)| level)
    }

    /// What raised the level, in evaluation order: red flags, then rules.
    pub fn rules(&self) -> impl Iterator<Item = RuleId<'q>> + '_ {
        let c = self.cohort;
        let q = c.q;
        let n = q.questions.len();
        let bit = 1u64 << self.lane;
        let row = c.lanes[self.lane].values();
        c.fired.iter().enumerate().filter(move |(_, who)| *who & bit != 0).map(move |(at, _)| {
            match at.checked_sub(n) {
                None => {
                    // Only an answer that can raise the level did.
                    let answer = FlagAnswer::of(row.get(at).copied().flatten()).map(FlagAnswer::as_str);
                    RuleId::new(&q.questions[at].id, answer)
                }
                Some(rule) => RuleId::new(&q.triage_rules[rule].id, None),
            }
        })
    }

    /// Each domain's score and band id, in the questionnaire's order.
    pub fn domains(&self) -> impl Iterator<Item = (Option<f64>, Option<&'q str>)> + '_ {
        let c = self.cohort;
        let q = c.q;
        let d = q.domains.len();
        let start = self.lane * d;
        (0..d).map(move |k| {
            let band = c.bands.get(start + k).copied().flatten();
            let id = band.and_then(|b| q.domains[k].bands.get(b)).map(|b| b.id.as_str());
            (c.scores.get(start + k).copied().flatten(), id)
        })
    }

    /// The ids of the recommendations in the plan, in catalogue order.
    pub fn plan(&self) -> impl Iterator<Item = &'q str> + '_ {
        let c = self.cohort;
        let bit = 1u64 << self.lane;
        c.plan
            .iter()
            .zip(&c.q.recommendations)
            .filter(move |(who, _)| *who & bit != 0)
            .map(|(_, rec)| rec.id.as_str())
    }
}

/// Raises the level of the answer sets `who` to `to`.
fn raise(level: &mut Levels, who: u64, to: Level) {
    for at_least in &mut level[1..=to as usize] {
        *at_least |= who;
    }
}

/// Bit planes enough for any domain's sum: the linter keeps every
/// domain's points within 32 bits, and items are fewer.
const PLANES: usize = 40;

/// Adds `amount` to the sum of the lanes `who`, in bit planes (plane `k`
/// holds bit `k` of every lane's sum): for each bit of `amount`, `who`
/// is added at that plane, its carries rippling up.
fn add(planes: &mut [u64; PLANES], who: u64, amount: u64) {
    let mut bits_left = amount;
    while bits_left != 0 {
        let from = bits_left.trailing_zeros() as usize;
        bits_left &= bits_left - 1;
        let mut carry = who;
        for plane in planes.iter_mut().skip(from) {
            if carry == 0 {
                break;
            }
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
        }
    }
}

/// The planes up to the highest that holds a bit.
fn used(planes: &[u64; PLANES]) -> &[u64] {
    &planes[..planes.iter().rposition(|&plane| plane != 0).map_or(0, |top| top + 1)]
}

/// One lane's sum, out of bit planes.
fn lane_value(planes: &[u64], lane: usize) -> u64 {
    planes.iter().rev().fold(0, |value, plane| value << 1 | (plane >> lane & 1))
}

/// The lanes whose bits are set, lowest first.
fn bits(mut set: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (set != 0).then(|| {
            let lane = set.trailing_zeros() as usize;
            set &= set - 1;
            lane
        })
    })
}

/// What a condition is tested against, for every answer set at once.
struct Facts<'c> {
    cohort: &'c Cohort<'c>,
    level: Levels,
    level_before: Levels,
    fired_flags: &'c [u64],
    fired_rules: &'c [u64],
}

impl Facts<'_> {
    /// The answer sets in which `expr` holds.
    fn holds(&self, expr: &Expr) -> u64 {
        let c = self.cohort;
        let all = c.all;
        match expr {
            Expr::All(parts) => {
                let mut who = all;
                for part in parts {
                    if who == 0 {
                        break;
                    }
                    who &= self.holds(part);
                }
                who
            }
            Expr::Any(parts) => {
                let mut who = 0;
                for part in parts {
                    if who == all {
                        break;
                    }
                    who |= self.holds(part);
                }
                who
            }
            Expr::Not(inner) => all & !self.holds(inner),
            Expr::AtLeast(n, parts) | Expr::Exactly(n, parts) => {
                let mut counts = [0usize; LANES];
                for part in parts {
                    for lane in bits(self.holds(part)) {
                        counts[lane] += 1;
                    }
                }
                let exactly = matches!(expr, Expr::Exactly(..));
                bits(all)
                    .filter(|&lane| if exactly { counts[lane] == *n } else { counts[lane] >= *n })
                    .fold(0, |who, lane| who | 1 << lane)
            }
            Expr::OptionIn { question, options } => {
                let sets = &c.options[c.option_at[*question]..c.option_at[*question + 1]];
                options.iter().fold(0, |who, &o| who | sets.get(usize::from(o)).copied().unwrap_or(0))
            }
            Expr::Compare { question, cmp, value } => match c.number_at[*question] {
                Some(at) => compare(&c.numbers[at..at + LANES], *cmp, *value),
                // Options are not numbers.
                None => 0,
            },
            Expr::Answered(question) => c.answered[*question],
            Expr::Score { domain, cmp, value } => {
                let lanes = c.score_lanes.get(domain * LANES..(domain + 1) * LANES).unwrap_or_default();
                compare(lanes, *cmp, *value)
            }
            Expr::BandIn { domain, bands } => {
                let sets = c.band_sets.get(c.band_at[*domain]..c.band_at[*domain + 1]).unwrap_or_default();
                bands.iter().fold(0, |who, &b| who | sets.get(b).copied().unwrap_or(0))
            }
            Expr::LevelAtLeast(level) => self.level[*level as usize],
            Expr::LevelBelow(level) => all & !self.level[*level as usize],
            Expr::LevelBeforeAtLeast(level) => self.level_before[*level as usize],
            Expr::LevelBeforeBelow(level) => all & !self.level_before[*level as usize],
            Expr::Fired { red_flags, rules } => {
                let flags = red_flags.iter().map(|&i| self.fired_flags.get(i).copied().unwrap_or(0));
                let rules = rules.iter().map(|&r| self.fired_rules.get(r).copied().unwrap_or(0));
                flags.chain(rules).fold(0, |who, fired| who | fired)
            }
        }
    }
}

/// The lanes whose number compares with `value` as `cmp` says: none for
/// NaN, which stands for no number.
fn compare(lanes: &[f64], cmp: Cmp, value: f64) -> u64 {
    lanes
        .iter()
        .take(LANES)
        .enumerate()
        .fold(0, |who, (lane, &number)| who | u64::from(cmp.test(number, value)) << lane)
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use proptest::prelude::*;

    use super::*;
    use crate::eval::outcome;
    use crate::eval::tests::answers;

    /// Every questionnaire in the repository, and the shipped one with a
    /// triage rule that reads a band (so that the level before a question
    /// is worked out with scores).
    fn questionnaires() -> &'static [Questionnaire] {
        static ALL: OnceLock<Vec<Questionnaire>> = OnceLock::new();
        ALL.get_or_init(|| {
            let shipped = crate::shipped("low-back-glutes").expect("shipped");
            let mut reading_scores: serde_json::Value = serde_json::from_str(shipped).expect("json");
            reading_scores["triage_rules"].as_array_mut().expect("rules").push(serde_json::json!({
                "id": "nerve_irritation_high",
                "when": {"band_in": ["nerve_irritation", ["high"]]},
                "level": "soon",
                "because": "Signs of an irritated nerve are worth a check.",
                "sources": ["nice-cks-lbp"]
            }));
            let reading_scores = reading_scores.to_string();
            [
                shipped,
                &reading_scores,
                include_str!("../tests/fixtures/engine.json"),
                include_str!("../tests/fixtures/oswestry-structure.json"),
                include_str!("../tests/fixtures/start-back-structure.json"),
            ]
            .into_iter()
            .map(|text| Questionnaire::from_json(text, "test").expect("loads"))
            .collect()
        })
    }

    fn cohorts() -> impl Strategy<Value = (usize, Vec<Answers>)> {
        (0..questionnaires().len()).prop_flat_map(|k| {
            let q = &questionnaires()[k];
            (Just(k), prop::collection::vec(answers(q), 1..=LANES))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Every answer set of a cohort is decided as it is alone: the
        /// level, what raised it, every score and band, and the plan.
        #[test]
        fn a_cohort_decides_as_each_answer_set_alone((k, answers) in cohorts()) {
            let q = &questionnaires()[k];
            let mut cohort = Cohort::new(q);
            cohort.decide(&answers);
            prop_assert_eq!(cohort.len(), answers.len());
            for (lane, answers) in answers.iter().enumerate() {
                let alone = outcome(q, answers);
                let together = cohort.respondent(lane);
                prop_assert_eq!(together.level(), alone.level(), "{}", lane);
                prop_assert_eq!(together.rules().collect::<Vec<_>>(), alone.rules().collect::<Vec<_>>());
                prop_assert_eq!(together.domains().collect::<Vec<_>>(), alone.domains().collect::<Vec<_>>());
                prop_assert_eq!(together.plan().collect::<Vec<_>>(), alone.plan().collect::<Vec<_>>());
            }
        }
    }

    /// Decisions kept from one cohort change nothing in the next, however
    /// many answer sets each holds.
    #[test]
    fn a_smaller_cohort_after_a_larger_one_is_decided_afresh() {
        let q = &questionnaires()[0];
        let alarming = crate::table::answers_from_pairs(q, [("rf_saddle_numbness", "yes")]).expect("answers");
        let calm = Answers::empty(q);
        let mut cohort = Cohort::new(q);
        cohort.decide(vec![&alarming; LANES]);
        assert_eq!(cohort.respondent(LANES - 1).level(), Level::Emergency);
        cohort.decide([&calm]);
        assert_eq!(cohort.len(), 1);
        let alone = outcome(q, &calm);
        assert_eq!(cohort.respondent(0).level(), alone.level());
        assert_eq!(cohort.respondent(0).rules().collect::<Vec<_>>(), alone.rules().collect::<Vec<_>>());
        cohort.decide(std::iter::empty());
        assert!(cohort.is_empty());
    }
}
