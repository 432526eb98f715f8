// What corral echoes of a file is safe to print and bounded (issue 15, "binary garbage
// is echoed raw"): control characters escaped, a long line shown around its column, at
// most 100 problems listed; and any failure to read is a ConfigError (row 1: a reload
// refuses it, corral check exits 100 on it).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, formatProblem } from '../../src/config/config-error.js';
import { dirWith, problemsOf } from './config-bounds-helpers.js';

describe('escaping', () => {
  test('also seen: escape sequences in a file are shown escaped, never sent raw to the terminal', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\n\x1b[31mred\x1b[0m: 1\n' });
    const message = new ConfigError(problemsOf(dir)).message;
    assert.ok(!message.includes('\x1b'), 'no raw escape byte');
    assert.equal(message, `${dir}/web.yaml:2:1: \\x1b[31mred\\x1b[0m: unknown key "\\x1b[31mred\\x1b[0m"; remove it\n  2 | \\x1b[31mred\\x1b[0m: 1\n      ^`);
  });

  test('C1 controls, bidirectional overrides and line breaks are escaped in every field; the caret follows the escapes; a tab stays', () => {
    const text = formatProblem({ file: 'we\nb.yaml', line: 1, col: 7, path: 'a\u202eb', message: 'got \u009b2J', source: '\x07\x07\tx: \u202ey' });
    assert.equal(text, `we\\nb.yaml:1:7: a\\u202eb: got \\x9b2J\n  1 | \\x07\\x07\tx: \\u202ey\n  ${' '.repeat(16)}^`);
    const [, shown, caret] = text.split('\n');
    assert.equal(shown![caret!.length - 1], '\\', 'the caret is under the escaped character');
  });
});

describe('bounds', () => {
  test('a long line is shown around its column, with the caret under the value', () => {
    const source = `${'a'.repeat(5000)}X${'b'.repeat(5000)}`;
    const [, shown, caret] = formatProblem({ file: 'f', line: 1, col: 5001, message: 'm', source }).split('\n');
    assert.ok(shown!.length < 140, `shown ${shown!.length} characters`);
    assert.equal(shown![caret!.length - 1], 'X');
    assert.match(shown!, /^ {2}1 \| \.\.\.a+Xb+\.\.\.$/);
  });

  test('a field longer than 1000 characters is shortened in its middle', () => {
    const head = formatProblem({ file: 'f', message: `unknown key "${'k'.repeat(100_000)}"; remove it` });
    assert.ok(head.length < 1100);
    assert.match(head, /^f: unknown key "k+\.\.\. \(\d+ characters left out\) \.\.\.k+"; remove it$/);
  });

  test('an error lists at most 100 problems, then how many more there are', () => {
    const problems = Array.from({ length: 103 }, (_, i) => ({ file: `f${i}`, message: 'm' }));
    const lines = new ConfigError(problems).message.split('\n');
    assert.equal(lines.length, 101);
    assert.equal(lines[99], 'f99: m');
    assert.equal(lines[100], '... and 3 more problems, not shown; fix these first');
  });

  test('one file keeps at most 100 problems, and counts the rest: 150 unknown keys', (t) => {
    const keys = Array.from({ length: 150 }, (_, i) => `k${i}: 1`).join('\n');
    const dir = dirWith(t, { 'web.yaml': `command: x\n${keys}\n` });
    const problems = problemsOf(dir);
    assert.equal(problems.length, 101);
    assert.equal(problems[100]?.message, '... and 50 more problems in this file, not shown');
  });
});

describe('ConfigError.from', () => {
  test('row 1: any error of reading becomes a ConfigError that names where and why; a ConfigError stays itself', () => {
    const error = ConfigError.from(new RangeError('Maximum call stack size exceeded'), '/etc/corral/services.d');
    assert.ok(error instanceof ConfigError);
    assert.equal(
      error.message,
      '/etc/corral/services.d: corral failed to read this (internal error: RangeError: Maximum call stack size exceeded); please report it as a bug',
    );
    const original = new ConfigError([{ file: 'a', message: 'b' }]);
    assert.equal(ConfigError.from(original, 'x'), original);
    assert.equal(ConfigError.from('a string', 'x').problems[0]?.message, 'corral failed to read this (internal error: a string); please report it as a bug');
  });
});
