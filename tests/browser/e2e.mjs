// selfcheck serve in a real browser (headless Chromium, driven by
// Playwright):
//   - two people answer to their report with JavaScript disabled and the
//     keyboard only, one reaching self_care and one stopped at emergency;
//     their downloaded answers give the same report through
//     `selfcheck assess`;
//   - axe-core on every kind of page: 0 violations at WCAG 2.2 AA;
//   - print to PDF: the person's part on one A4 page at emergency and
//     urgent, at most two at soon and self_care;
//   - screenshots of a question page and a report page, phone and desktop.
//
// Usage: node e2e.mjs --base http://127.0.0.1:PORT --selfcheck BIN --out DIR
// Ends with "N passed, N failed"; exits 1 if any check failed.

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), []),
);
const base = args.base;
const selfcheck = args.selfcheck;
const out = args.out;
const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const id = 'low-back-glutes';
mkdirSync(out, { recursive: true });

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let passed = 0;
let failed = 0;
function check(ok, what) {
  if (ok) {
    passed += 1;
    console.log(`ok: ${what}`);
  } else {
    failed += 1;
    console.log(`FAILED: ${what}`);
  }
}

const launchArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

async function browserContext(options) {
  const profile = mkdtempSync(join(tmpdir(), 'selfcheck-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: launchArgs,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  return { context, profile };
}

// --- Keyboard only ---------------------------------------------------------

/** Presses Tab until `locator` has the focus. */
async function tabTo(page, locator, what) {
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    if (await locator.evaluate((el) => el === document.activeElement).catch(() => false)) return;
  }
  throw new Error(`Tab never reached ${what}`);
}

/** Presses a button (or follows a link) from the keyboard. */
async function press(page, locator, what) {
  await tabTo(page, locator, what);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load', timeout: 10000 }), page.keyboard.press('Enter')]);
}

/** The id of the question a page asks, if it asks one. */
async function asked(page) {
  const field = page.locator('form input[name="_question"]');
  return (await field.count()) > 0 ? field.first().getAttribute('value') : null;
}

/** Answers the page's question from the keyboard: arrow keys for radios,
 *  typing for numbers; then Continue. */
async function answerWith(page, question, value) {
  const radios = page.locator(`input[type="radio"][name="${question}"]`);
  if ((await radios.count()) > 0) {
    await tabTo(page, radios.first(), `the options of ${question}`);
    await page.keyboard.press('Space');
    for (let i = 0; i < 12; i += 1) {
      const checked = await page.locator(`input[name="${question}"]:checked`).getAttribute('value');
      if (checked === value) break;
      await page.keyboard.press('ArrowDown');
    }
    const chosen = await page.locator(`input[name="${question}"]:checked`).getAttribute('value');
    if (chosen !== value) throw new Error(`${question}: could not choose ${value}`);
  } else {
    await tabTo(page, page.locator(`input[name="${question}"]`), `the field ${question}`);
    await page.keyboard.press('Control+A');
    await page.keyboard.type(String(value));
  }
  await press(page, page.getByRole('button', { name: 'Continue', exact: true }), 'Continue');
}

async function level(page) {
  return page.locator('html').getAttribute('data-triage-level');
}

/** Downloads through a button, from the keyboard; returns the file's text. */
async function download(page, name, file) {
  const button = page.getByRole('button', { name, exact: true });
  await tabTo(page, button, name);
  const [saved] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
  const path = join(out, file);
  await saved.saveAs(path);
  return { path, text: readFileSync(path, 'utf8') };
}

/** The same report from `selfcheck assess`, as the page and the downloads
 *  gave it. */
async function sameAsAssess(page, who) {
  const answers = await download(page, 'Download my answers', `${who}-answers.json`);
  const report = await download(page, 'Download the report', `${who}-report.md`);
  const json = JSON.parse(execFileSync(selfcheck, ['assess', '--format', 'json', answers.path], { encoding: 'utf8' }));
  check(json.triage.level === (await level(page)), `${who}: assess gives the page's level (${json.triage.level})`);
  const markdown = execFileSync(selfcheck, ['assess', '--format', 'markdown', answers.path], { encoding: 'utf8' });
  check(markdown === report.text, `${who}: the downloaded report is assess's Markdown, byte for byte`);
  const html = execFileSync(selfcheck, ['assess', '--format', 'html', answers.path], { encoding: 'utf8' });
  const shown = await page.locator('div.report').evaluate((el) => el.outerHTML);
  const printed = html.slice(html.indexOf('<div class="report">'), html.lastIndexOf('</div>') + 6);
  check(
    normalise(printed) === normalise(shown),
    `${who}: assess --format html prints the page's report`,
  );
  return json.triage.level;
}

/** Markup as the DOM gives it back, for comparing: whitespace and the
 *  quoting of entities set aside. */
function normalise(markup) {
  return markup.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/\s+/g, ' ').trim();
}

/** A person who answers from a document, skipping what it leaves out. */
async function journey(page, who, answers, { typo } = {}) {
  await page.goto(`${base}/`);
  await press(page, page.getByRole('link', { name: /Low back pain/ }), 'the questionnaire');
  check((await page.locator('h1').textContent()).includes('Low back pain'), `${who}: the start page`);
  await press(page, page.getByRole('button', { name: 'Start' }), 'Start');
  const seen = [];
  for (let n = 0; n < 80; n += 1) {
    const question = await asked(page);
    if (question === null) {
      // The warning at urgent: go on with the questions.
      const goOn = page.getByRole('button', { name: 'Go on with the questions' });
      if ((await page.locator('h1', { hasText: 'Check your answers' }).count()) === 0 && (await goOn.count()) > 0) {
        await press(page, goOn, 'Go on with the questions');
        continue;
      }
      break;
    }
    seen.push(question);
    if (typo && question === typo.question && !typo.done) {
      typo.done = true;
      await answerWith(page, question, typo.value);
      const focused = await page.locator(':focus').getAttribute('class').catch(() => null);
      check(focused === 'error-summary', `${who}: after a refused answer the focus is on the error summary`);
      check((await page.locator('.error-message').textContent()).includes(typo.message), `${who}: what to type beside the field`);
      check((await page.locator(`input[name="${question}"]`).inputValue()) === typo.value, `${who}: the typed value is kept`);
      await page.screenshot({ path: join(out, 'question-error.png') });
    }
    if (question in answers) {
      await answerWith(page, question, answers[question]);
    } else {
      await press(page, page.getByRole('button', { name: 'Skip this question' }), 'Skip this question');
    }
  }
  return seen;
}

// --- The two people, JavaScript off -----------------------------------------

const requests = [];
{
  const { context, profile } = await browserContext({ javaScriptEnabled: false });
  context.on('request', (request) => requests.push(request.url()));
  const page = await context.newPage();

  const desk = JSON.parse(readFileSync(join(repo, 'examples', 'desk-worker.json'), 'utf8')).answers;
  delete desk.exercise_days; // skipped, from the keyboard
  const typo = { question: 'age', value: 'thirty-four', message: '"thirty-four" is not a number. Type a whole number from 0 to 120 (years).' };
  const seen = await journey(page, 'self care', desk, { typo });
  const lastRedFlag = Math.max(...seen.map((q, i) => (q.startsWith('rf_') ? i : -1)));
  const firstOther = seen.findIndex((q, i) => i > seen.indexOf('rf_saddle_numbness') && !q.startsWith('rf_'));
  check(seen.indexOf('rf_saddle_numbness') >= 0 && lastRedFlag < firstOther, `self care: the red flags before the other questions (${seen.slice(0, 4)}...)`);
  check(await page.locator('h1', { hasText: 'Check your answers' }).count() === 1, 'self care: check your answers');
  check(await page.getByRole('button', { name: /^Change your answer to: How old are you/ }).count() === 1, 'self care: a Change button per answer');
  await press(page, page.getByRole('button', { name: 'See my report', exact: true }), 'See my report');
  check((await level(page)) === 'self_care', 'self care: the report at self_care');
  check(await sameAsAssess(page, 'self-care') === 'self_care', 'self care: the answers give the same report again');
  check((await context.cookies()).length === 0, 'self care: no cookies');

  const page2 = await context.newPage();
  const emergencySeen = await journey(page2, 'emergency', {
    age: '52', rf_saddle_numbness: 'yes', rf_bladder_bowel_change: 'no', rf_sexual_function_change: 'no', rf_cauda_equina_recent: 'yes',
  });
  check(emergencySeen.length <= 5 && emergencySeen.includes('rf_cauda_equina_recent'), `emergency: stopped after the follow-ups (${emergencySeen})`);
  check((await level(page2)) === 'emergency', 'emergency: the report at emergency');
  check((await page2.getByText('The remaining questions are not needed now.').count()) === 1, 'emergency: says the questions stop');
  check(await sameAsAssess(page2, 'emergency') === 'emergency', 'emergency: the answers give the same report again');

  const foreign = requests.filter((url) => !url.startsWith(base));
  check(foreign.length === 0, `no request leaves the site (${foreign.length} did)`);
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}

// --- Accessibility, print and screenshots (JavaScript on for axe only) ------

const { context, profile } = await browserContext({ bypassCSP: true });
const page = await context.newPage();

/** Posts `fields` to `path` as a form of the site would. */
async function postPage(path, fields) {
  await page.goto(`${base}/${id}`);
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    page.evaluate(([path, fields]) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = path;
      for (const [name, value] of fields) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
    }, [path, fields]),
  ]);
}

function caseFields(name) {
  const doc = JSON.parse(readFileSync(join(repo, 'tests', 'cases', name), 'utf8'));
  return Object.entries(doc.answers).map(([k, v]) => [k, String(v)]);
}

async function audit(what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }),
  );
  const violations = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.help}`);
  check(violations.length === 0, `axe: ${what}: 0 violations${violations.length ? ' — ' + violations.join('; ') : ''}`);
}

async function pdfPages(file) {
  const pdf = await page.pdf({ path: join(out, file), format: 'A4', preferCSSPageSize: true });
  return (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
}

await page.goto(`${base}/`);
await audit('the list of questionnaires');
await page.goto(`${base}/${id}`);
await audit('start page');
await postPage(`/${id}/question`, [['_action', 'continue']]);
await audit('question page (a red flag)');
await postPage(`/${id}/question`, [['_question', 'rf_saddle_numbness'], ['_action', 'continue']]);
await audit('question page with an error');
const redFlagsNo = caseFields('self-care-desk-worker-glute-and-tilt-signs.json').filter(([k]) => k.startsWith('rf_'));
await postPage(`/${id}/question`, [...redFlagsNo, ['_question', 'age'], ['age', 'forty'], ['_action', 'continue']]);
await audit('number question with an error');
const deskWorker = caseFields('self-care-desk-worker-glute-and-tilt-signs.json');
const questionIds = JSON.parse(readFileSync(join(repo, 'questionnaires', `${id}.json`), 'utf8')).questions.map((q) => q.id);
// Cancer in the past: a doctor today, said at once; the offer to see the
// report waits for the questions that may make it an emergency.
await postPage(`/${id}/question`, [
  ['age', '40'], ...redFlagsNo.filter(([k]) => k !== 'rf_cancer_history'),
  ['_question', 'rf_cancer_history'], ['rf_cancer_history', 'yes'], ['_action', 'continue'],
]);
check((await page.getByRole('button', { name: 'See my report now' }).count()) === 0 && (await page.getByText('Please answer a few more questions first.').count()) === 1, 'the warning at urgent, before the cancer follow-up');
await audit('the warning at urgent on a question page');
const beforeLegNumbness = questionIds.slice(0, questionIds.indexOf('leg_numbness'));
const given = new Map([...deskWorker, ['age', '40'], ['rf_cancer_history', 'yes'], ['rf_cancer_spine_signs', 'no']]);
await postPage(`/${id}/question`, [
  ...beforeLegNumbness.map((q) => (given.has(q) ? [q, given.get(q)] : ['_skipped', q])),
  ['_question', 'leg_numbness'], ['leg_numbness', 'no'], ['_action', 'continue'],
]);
check((await page.getByRole('button', { name: 'See my report now' }).count()) === 1 && (await page.getByRole('button', { name: 'Go on with the questions' }).count()) === 1, 'the warning at urgent');
await audit('the warning at urgent');
const unanswered = questionIds.filter((q) => !deskWorker.some(([k]) => k === q)).map((q) => ['_skipped', q]);
await postPage(`/${id}/question`, [...deskWorker, ...unanswered, ['_action', 'continue']]);
check((await page.locator('h1').textContent()) === 'Check your answers', 'check your answers from a full document');
await audit('check your answers');

const levels = [
  ['emergency', 'emergency-saddle-numbness-yes-recent.json', 1],
  ['urgent', 'urgent-cancer-history-yes.json', 1],
  ['soon', 'soon-sciatica-below-knee-4-weeks.json', 2],
  ['self_care', 'self-care-desk-worker-glute-and-tilt-signs.json', 2],
];
for (const [name, file, most] of levels) {
  await postPage(`/${id}/report`, caseFields(file));
  check((await level(page)) === name, `report page at ${name}`);
  await audit(`report at ${name}`);
  const pages = await pdfPages(`report-${name}.pdf`);
  // The person's part is the part before the clinician's; a report
  // rendered as one part (no `details.clinician`) has no person's part to
  // hold to the limit, so its page count is only shown.
  if ((await page.locator('details.clinician').count()) > 0) {
    check(pages >= 1 && pages <= most, `print: the person's part at ${name} on ${pages} A4 page(s), at most ${most}`);
  } else {
    console.log(`not checked: print at ${name}: ${pages} A4 page(s); the report has no separate person's part`);
  }
  // The part for a clinician opens, and is read by axe open too.
  const details = page.locator('details.clinician');
  if ((await details.count()) > 0) {
    await details.evaluate((el) => { el.open = true; });
    await audit(`report at ${name}, clinician part open`);
  }
}

// Screenshots for the README: a question page and a report page.
for (const [label, width, height] of [['phone', 390, 844], ['desktop', 1280, 900]]) {
  await page.setViewportSize({ width, height });
  await postPage(`/${id}/question`, [['age', '40'], ['_action', 'continue']]);
  await page.screenshot({ path: join(out, `question-${label}.png`) });
  await postPage(`/${id}/report`, caseFields('self-care-desk-worker-glute-and-tilt-signs.json'));
  await page.screenshot({ path: join(out, `report-${label}.png`) });
}
// 320 px wide and 200% zoom: nothing wider than the window.
await page.setViewportSize({ width: 320, height: 640 });
for (const [what, go] of [
  ['question', () => postPage(`/${id}/question`, [...redFlagsNo, ['_action', 'continue']])],
  ['report', () => postPage(`/${id}/report`, caseFields('urgent-cancer-history-yes.json'))],
]) {
  await go();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `${what} page fits 320 px (overflow ${overflow} px)`);
}

await context.close();
rmSync(profile, { recursive: true, force: true });
writeFileSync(join(out, 'summary.txt'), `${passed} passed, ${failed} failed\n`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
