// Checks the exported conditions of a Questionnaire (argv[2]) against
// selfcheck's own `ask_if`.
//
// stdin: one JSON object per line, {"response": QuestionnaireResponse,
// "enabled": {linkId: bool}}: the answers a form would hold, and whether
// selfcheck asks each conditional question given them. For every such
// item, its SDC enableWhenExpression is evaluated with fhirpath.js (R4
// model, %resource = the response), or its enableWhen list by the R4
// rules. An item marked as approximated (its condition reads what a form
// cannot see) must be enabled wherever selfcheck asks it; it may be
// enabled more often.
//
// fhirpath.js takes milliseconds per evaluation, so each expression is
// evaluated once per distinct combination of the answers it can see: those
// of the linkIds named in its text. (An expression names every item it
// reads, so its result is a function of those answers; a wrong linkId in
// it changes the key and the result alike, and is still caught.)
//
// Prints the first disagreements, then one JSON line:
// {"answerSets", "checked", "evaluations", "disagreements", "widened", "byItem"}.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4/index.js';

const EXPRESSION = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression';
const APPROXIMATED = 'https://selfcheck.example/fhir/StructureDefinition/approximated-ask-if';

const questionnaire = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// Every item with a condition: how to evaluate it.
const conditional = new Map();
(function collect(items) {
  for (const item of items ?? []) {
    const extensions = item.extension ?? [];
    const expression = extensions.find((e) => e.url === EXPRESSION);
    const approximated = extensions.some((e) => e.url === APPROXIMATED);
    if (expression) {
      const text = expression.valueExpression.expression;
      const compiled = fhirpath.compile(text, r4);
      const reads = [...new Set([...text.matchAll(/linkId = '([^']*)'/g)].map((m) => m[1]))];
      conditional.set(item.linkId, { kind: 'expression', compiled, reads, results: new Map(), approximated });
    } else if (item.enableWhen) {
      conditional.set(item.linkId, { kind: 'enableWhen', list: item.enableWhen, behavior: item.enableBehavior ?? 'all', approximated });
    }
    collect(item.item);
  }
})(questionnaire.item);

// Every answer of the response by linkId, wherever it is nested.
function answersByLinkId(response) {
  const out = new Map();
  (function walk(items) {
    for (const item of items ?? []) {
      out.set(item.linkId, item.answer ?? []);
      walk(item.item);
      for (const answer of item.answer ?? []) walk(answer.item);
    }
  })(response.item);
  return out;
}

// One enableWhen by the R4 rules: `exists` compares presence; every other
// operator is false for an unanswered question, and true when any answer
// satisfies it.
function enableWhenHolds(condition, answers) {
  const given = answers.get(condition.question) ?? [];
  if (condition.operator === 'exists') return (given.length > 0) === condition.answerBoolean;
  return given.some((answer) => {
    if ('answerCoding' in condition) {
      const [want, have] = [condition.answerCoding, answer.valueCoding];
      if (!have || want.code !== have.code) return false;
      const sameSystem = !want.system || !have.system || want.system === have.system;
      if (condition.operator === '=') return sameSystem;
      if (condition.operator === '!=') return !sameSystem;
      throw new Error(`operator ${condition.operator} on a coding`);
    }
    const want = condition.answerInteger ?? condition.answerDecimal;
    const have = answer.valueInteger ?? answer.valueDecimal;
    if (typeof have !== 'number') return false;
    switch (condition.operator) {
      case '=': return have === want;
      case '!=': return have !== want;
      case '>': return have > want;
      case '<': return have < want;
      case '>=': return have >= want;
      case '<=': return have <= want;
      default: throw new Error(`unknown operator ${condition.operator}`);
    }
  });
}

function enabled(rule, response, answers) {
  if (rule.kind === 'expression') {
    const key = JSON.stringify(rule.reads.map((linkId) => answers.get(linkId) ?? []));
    if (!rule.results.has(key)) {
      const result = rule.compiled(response, { resource: response, questionnaire });
      if (result.length !== 1 || typeof result[0] !== 'boolean') {
        throw new Error(`the expression gave ${JSON.stringify(result)}, not one boolean`);
      }
      rule.results.set(key, result[0]);
      evaluations += 1;
    }
    return rule.results.get(key);
  }
  const results = rule.list.map((condition) => enableWhenHolds(condition, answers));
  return rule.behavior === 'any' ? results.some(Boolean) : results.every(Boolean);
}

let evaluations = 0;
let answerSets = 0;
let checked = 0;
let disagreements = 0;
let widened = 0;
const byItem = {};
const shown = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const { response, enabled: expected } = JSON.parse(line);
  answerSets += 1;
  const answers = answersByLinkId(response);
  for (const [linkId, selfcheck] of Object.entries(expected)) {
    const rule = conditional.get(linkId);
    if (!rule) {
      disagreements += 1;
      if (shown.length < 10) shown.push({ linkId, problem: 'the export has no condition for it' });
      continue;
    }
    const fhir = enabled(rule, response, answers);
    checked += 1;
    byItem[linkId] ??= { kind: rule.kind, checked: 0, enabled: 0 };
    byItem[linkId].checked += 1;
    byItem[linkId].enabled += fhir ? 1 : 0;
    const wrong = rule.approximated ? selfcheck && !fhir : selfcheck !== fhir;
    if (rule.approximated && fhir && !selfcheck) widened += 1;
    if (wrong) {
      disagreements += 1;
      if (shown.length < 10) shown.push({ linkId, selfcheck, fhir, response });
    }
  }
}
for (const case_ of shown) console.log(JSON.stringify(case_));
console.log(JSON.stringify({ answerSets, checked, evaluations, disagreements, widened, byItem }));
