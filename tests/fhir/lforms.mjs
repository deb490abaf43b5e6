// Renders an exported Questionnaire in NLM LHC-Forms (npm `lforms`) in
// headless Chromium, answers it through the page as a person would (a
// click on each option, typing each number), and takes LHC-Forms' own
// QuestionnaireResponse.
//
// Usage: node lforms.mjs QUESTIONNAIRE PEOPLE_DIR OUT_DIR
// PEOPLE_DIR holds answers documents (NAME.json); for each, the response
// is written to OUT_DIR/NAME.response.json. Every console error, page
// error and failed request is collected. The last line printed is JSON:
// {"consoleErrors": [...], "responses": [NAME...], "screenshot": PATH}.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { chromium } from 'playwright-core';

const [questionnairePath, peopleDir, outDir] = process.argv.slice(2);
const questionnaire = JSON.parse(readFileSync(questionnairePath, 'utf8'));
const lformsDir = join(process.cwd(), 'node_modules/lforms/dist/lforms');

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>selfcheck in LHC-Forms</title>
<link href="/lforms/webcomponent/styles.css" rel="stylesheet">
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
<script src="/lforms/webcomponent/runtime.js" type="module"></script>
<script src="/lforms/webcomponent/polyfills.js" type="module"></script>
<script src="/lforms/webcomponent/main.js" type="module"></script>
</head><body><div id="form"></div></body></html>`;

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png', '.map': 'application/json' };

// Serves the page and LHC-Forms' files, on the loopback interface only.
const server = createServer((request, response) => {
  const path = new URL(request.url, 'http://localhost').pathname;
  if (path === '/') {
    response.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    return;
  }
  const file = normalize(join(lformsDir, path.replace(/^\/lforms\//, '')));
  if (!path.startsWith('/lforms/') || !file.startsWith(lformsDir)) {
    response.writeHead(404).end();
    return;
  }
  try {
    const body = readFileSync(file);
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const profile = mkdtempSync(join(tmpdir(), 'selfcheck-lforms-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
const consoleErrors = [];
const responses = [];
let screenshot = null;
try {
  // Nothing leaves the machine: a request elsewhere is refused and counted.
  await context.route('**/*', (route) => {
    if (route.request().url().startsWith(origin)) return route.continue();
    consoleErrors.push(`request to another host: ${route.request().url()}`);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(`page: ${error.message}`));
  page.on('requestfailed', (request) => consoleErrors.push(`failed: ${request.url()}`));

  const people = readdirSync(peopleDir).filter((name) => name.endsWith('.json')).sort();
  for (const file of people) {
    const name = file.replace(/\.json$/, '');
    const { answers } = JSON.parse(readFileSync(join(peopleDir, file), 'utf8'));
    await page.goto(origin + '/');
    // The FHIR support attaches itself to LForms, which the web
    // component's modules define: it is loaded once they have run.
    await page.waitForFunction(() => window.LForms?.Util?.addFormToPage, null, { timeout: 60000 });
    await page.addScriptTag({ url: '/lforms/fhir/R4/lformsFHIR.min.js' });
    const refused = await page.evaluate(async (q) => {
      try {
        await LForms.Util.addFormToPage(q, 'form', { fhirVersion: 'R4' });
        return null;
      } catch (errors) {
        return JSON.stringify(errors, Object.getOwnPropertyNames(errors?.[0] ?? errors ?? {}));
      }
    }, questionnaire);
    if (refused) throw new Error(`LHC-Forms refused the questionnaire: ${refused}`);
    await page.waitForSelector('wc-lhc-form .lhc-form-title, wc-lhc-form form', { timeout: 30000 });
    if (process.env.LFORMS_DUMP) writeFileSync(process.env.LFORMS_DUMP, await page.content());
    for (const [linkId, value] of Object.entries(answers)) {
      await answer(page, questionnaire, linkId, value);
    }
    if (!screenshot) {
      screenshot = join(outDir, `${name}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
    }
    const response = await page.evaluate(() => LForms.Util.getFormFHIRData('QuestionnaireResponse', 'R4'));
    writeFileSync(join(outDir, `${name}.response.json`), JSON.stringify(response, null, 2));
    responses.push(name);
  }
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify({ consoleErrors, responses, screenshot }));

// Answers one question in the page as a person would: a click on the
// radio button labelled with the option's display (LHC-Forms adds " - N"
// for an option's points), or a number typed into the field and Tab.
// Fails if the question is not on the page: a follow-up that should have
// opened did not.
async function answer(page, questionnaire, linkId, value) {
  const item = findItem(questionnaire.item, linkId);
  if (!item) throw new Error(`no item ${linkId} in the questionnaire`);
  const row = page.locator(`[id="item-${linkId}/1/1"]`);
  if (item.type === 'choice') {
    const option = item.answerOption.find((o) => o.valueCoding.code === value);
    if (!option) throw new Error(`${linkId}: no option ${value}`);
    const label = new RegExp(`^${escape(option.valueCoding.display)}( - [0-9.]+)?$`);
    await row.locator('label.lhc-answer').filter({ hasText: label }).click({ timeout: 10000 });
  } else {
    const field = page.locator(`[id="${linkId}/1/1"]`);
    await field.fill(String(value), { timeout: 10000 });
    await field.press('Tab');
  }
}

function findItem(items, linkId) {
  for (const item of items ?? []) {
    if (item.linkId === linkId) return item;
    const found = findItem(item.item, linkId);
    if (found) return found;
  }
  return null;
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
