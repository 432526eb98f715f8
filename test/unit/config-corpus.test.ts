// The corpus of malformed services directories in test/fixtures/services-invalid: each
// case directory holds the service files of one broken services.d and expected.txt, the
// exact ConfigError message loading it gives. A case marked with an empty `structural`
// file is wrong in its shape alone, so the JSON Schema editors check files with must
// reject it too.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError } from '../../src/config/config-error.js';
import { compileServiceSchema } from '../helpers/json-schema.js';
import { loadServices } from '../../src/config/load-services.js';

const CORPUS = fileURLToPath(new URL('../fixtures/services-invalid', import.meta.url));
const cases = readdirSync(CORPUS, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const structural = cases.filter((name) => existsSync(join(CORPUS, name, 'structural')));

// The message loading `dir` fails with, the directory written as services.d so that
// expected.txt does not depend on where the repository is checked out.
function messageOf(dir: string): string {
  try {
    // A fixed, empty environment, so ${VAR} cases do not depend on the machine's.
    loadServices(dir, { env: {} });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message.replaceAll(dir, 'services.d');
  }
  assert.fail('the directory loaded without a ConfigError');
}

describe('malformed services directories: the exact message', () => {
  // Deleting or emptying the corpus must fail, not pass with nothing tested.
  test('the corpus holds at least 40 cases, 20 of them structural', () => {
    assert.ok(cases.length >= 40, `only ${cases.length} cases in ${CORPUS}`);
    assert.ok(structural.length >= 20, `only ${structural.length} structural cases`);
  });

  for (const name of cases) {
    test(name, () => {
      const dir = join(CORPUS, name);
      // expected.txt ends with a newline, as text files do; the message does not.
      const expected = readFileSync(join(dir, 'expected.txt'), 'utf8').replace(/\n$/, '');
      assert.equal(messageOf(dir), expected);
    });
  }
});

describe('malformed services directories: the JSON Schema rejects the structural ones', () => {
  const validate = compileServiceSchema();

  for (const name of structural) {
    test(name, () => {
      const dir = join(CORPUS, name);
      const files = readdirSync(dir).filter((file) => /\.ya?ml$/.test(file));
      assert.equal(files.length, 1, 'a structural case is a single service file');
      const data: unknown = parse(readFileSync(join(dir, files[0]!), 'utf8'));
      assert.equal(validate(data), false, `the JSON Schema accepts ${name}`);
    });
  }
});
