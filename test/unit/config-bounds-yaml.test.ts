// The YAML of a service file, parsed within bounds (issue 15, rows 1 and 8, and the
// duplicate key that hid every other problem): tokens per file and per load, nesting
// depth, nodes with what aliases repeat, aliases that cannot be expanded, and duplicate
// keys found in one pass. Every refusal is a ConfigError with the file, a line and a key.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Lexer } from 'yaml';
import { LIMITS } from '../../src/config/limits.js';
import { aliasBombLines } from '../helpers/hostile-inputs.js';
import { dirWith, onlyProblem, onlyProblemSeen, problemsOf, seen, servicesOf } from './config-bounds-helpers.js';

const tokensOf = (text: string): number => [...new Lexer().lex(text)].length;
const NODES = `the file holds more than ${LIMITS.yamlNodes} YAML nodes (keys, values and list items, counting what aliases repeat)`;
const DEPTH = `the file nests collections more than ${LIMITS.yamlDepth} deep`;

describe('aliases', () => {
  test('row 1: a "billion laughs" file is a ConfigError at the alias that passes the limit, not an exception', (t) => {
    const dir = dirWith(t, { 'web.yaml': `command: x\n${aliasBombLines(9)}` });
    // l3 holds 9^4 = 6561 "lol"s with its lists; l4 would repeat that nine times.
    assert.deepEqual(seen(dir, onlyProblem(dir)), { file: 'web.yaml', line: 6, col: 10, path: 'l4', message: NODES });
  });

  test('aliases within the limit are expanded: one command list for ready and health', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\nready: {exec: &check [curl, -f, localhost]}\nhealth: {exec: *check}\n' });
    const [web] = servicesOf(dir);
    assert.deepEqual(web?.health?.spec, { kind: 'exec', argv: ['curl', '-f', 'localhost'] });
  });

  test('10,000 nodes counting what an alias repeats load; 10,002 are refused', (t) => {
    // root, command, its list of n, depends_on, its list, db, ready, its mapping, exec, the alias (1 + n): 10 + 2n.
    const file = (n: number): string => `command: &a [${Array(n).fill('x').join(', ')}]\ndepends_on: [db]\nready: {exec: *a}\n`;
    servicesOf(dirWith(t, { 'web.yaml': file(4995), 'db.yaml': 'command: x\n' }));
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': file(4996), 'db.yaml': 'command: x\n' }), {
      file: 'web.yaml',
      line: 3,
      col: 15,
      path: 'ready',
      message: NODES,
    });
  });

  test('10,000 nodes without aliases load; 10,001 are refused at the node past the limit', (t) => {
    // root, command, its list: 3 + n.
    const file = (n: number): string => `command: [${Array(n).fill('x').join(', ')}]\n`;
    assert.equal(servicesOf(dirWith(t, { 'web.yaml': file(9997) }))[0]?.argv.length, 9997);
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': file(9998) }), { file: 'web.yaml', line: 1, col: 11 + 3 * 9997, path: 'command', message: NODES });
  });

  test('an alias to no anchor, and an alias inside the node it names, are problems of the file (yaml threw on both)', (t) => {
    const dir = dirWith(t, { 'a.yaml': 'command: x\ndescription: *nope\n', 'b.yaml': 'command: &loop [x, *loop]\n' });
    assert.deepEqual(
      problemsOf(dir).map((problem) => seen(dir, problem)),
      [
        { file: 'a.yaml', line: 2, col: 14, path: 'description', message: 'the alias *nope refers to no anchor &nope before it' },
        { file: 'b.yaml', line: 1, col: 20, path: 'command.1', message: 'the alias *loop is inside the node &loop it refers to, which would contain itself' },
      ],
    );
  });
});

describe('tokens', () => {
  // command: x, then line breaks to make `tokens` tokens in all.
  const fileOfTokens = (tokens: number): string => {
    const text = `command: x${'\n'.repeat(tokens)}`;
    return `command: x${'\n'.repeat(tokens - (tokensOf(text) - tokens))}`;
  };

  test('a file of 50,000 YAML tokens loads; 50,001 are refused', (t) => {
    assert.equal(tokensOf(fileOfTokens(LIMITS.yamlTokens)), LIMITS.yamlTokens);
    servicesOf(dirWith(t, { 'web.yaml': fileOfTokens(LIMITS.yamlTokens) }));
    const dir = dirWith(t, { 'web.yaml': fileOfTokens(LIMITS.yamlTokens + 1) });
    const problem = onlyProblem(dir);
    assert.equal(problem.message, 'the file holds more than 50000 YAML tokens (words, punctuation, spaces, comments and line breaks)');
    // Line 1 is 7 tokens (a document marker, two scalar markers, command, :, space, x), then one per line break.
    assert.deepEqual(seen(dir, problem), { file: 'web.yaml', line: LIMITS.yamlTokens - 6, col: 1, path: 'command', message: problem.message });
  });

  test('the files of one load hold 100,000 YAML tokens at most: two of 50,000 load, one token more is refused in the second', (t) => {
    servicesOf(dirWith(t, { 'a.yaml': fileOfTokens(50_000), 'b.yaml': fileOfTokens(50_000) }));
    const dir = dirWith(t, { 'a.yaml': fileOfTokens(50_000), 'b.yaml': fileOfTokens(50_000), 'c.yaml': 'command: x\n' });
    const problem = onlyProblem(dir);
    assert.equal(seen(dir, problem).file, 'c.yaml');
    assert.equal(
      problem.message,
      'this file takes the services directory past 100000 YAML tokens (words, punctuation, spaces, comments and line breaks) in all; use fewer or smaller files',
    );
  });
});

describe('nesting', () => {
  const flow = (depth: number): string => `command: x\nx: ${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}\n`;
  const block = (depth: number): string => `command: x\nx:\n${Array.from({ length: depth - 1 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}\n`;

  for (const [form, file] of [
    ['flow', flow],
    ['block', block],
  ] as const) {
    test(`${form} collections 32 deep are read; 33 deep are refused at the collection past the limit`, (t) => {
      const ok = dirWith(t, { 'web.yaml': file(LIMITS.yamlDepth) });
      assert.deepEqual(
        problemsOf(ok).map((problem) => problem.message),
        ['unknown key "x"; remove it'],
      );
      const dir = dirWith(t, { 'web.yaml': file(LIMITS.yamlDepth + 1) });
      const problem = onlyProblem(dir);
      assert.equal(problem.message, DEPTH);
      assert.equal(problem.file, `${dir}/web.yaml`);
      assert.ok(problem.line !== undefined && problem.line >= 2);
    });
  }

  test('60,000 nested brackets (which overflow the stack of the recursive composer) are refused at the 33rd', (t) => {
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': `command: x\nx: ${'['.repeat(60_000)}\n` }), {
      file: 'web.yaml',
      line: 2,
      col: 4 + LIMITS.yamlDepth,
      path: 'x',
      message: DEPTH,
    });
  });
});

describe('duplicate keys', () => {
  test('also seen: a duplicate key no longer hides the other problems of its file', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\nrestart: always\nstop_timeout: 10\nrestart: never\n' });
    assert.deepEqual(
      problemsOf(dir).map((problem) => seen(dir, problem)),
      [
        { file: 'web.yaml', line: 3, col: 15, path: 'stop_timeout', message: 'expected a duration like "10s" or "500ms", got 10' },
        { file: 'web.yaml', line: 4, col: 1, path: 'restart', message: 'the key "restart" appears twice in this mapping; keep one of them' },
      ],
    );
  });

  test('row 8: a duplicate among the 4,000 keys of a nested mapping is found in one pass, at its second occurrence', (t) => {
    const keys = Array.from({ length: 4000 }, (_, i) => `  K${i}: v`);
    assert.deepEqual(onlyProblemSeen(t, { 'web.yaml': `command: x\nenvironment:\n${keys.join('\n')}\n  K7: again\n` }), {
      file: 'web.yaml',
      line: 4003,
      col: 3,
      path: 'environment.K7',
      message: 'the key "K7" appears twice in this mapping; keep one of them',
    });
  });

  test('row 8: a file of 40,000 keys is refused before it is parsed', (t) => {
    const dir = dirWith(t, { 'web.yaml': `command: x\n${Array.from({ length: 40_000 }, (_, i) => `k${i}: 1`).join('\n')}\n` });
    assert.match(onlyProblem(dir).message, /^is \d+ bytes, over the limit of 64KiB \(65536 bytes\) for a service file$/);
  });

  test('1 and "1" are two keys for YAML, so no duplicate', (t) => {
    const dir = dirWith(t, { 'web.yaml': 'command: x\nenvironment: {"1": a, 1: b}\n' });
    assert.ok(problemsOf(dir).every((problem) => !/appears twice/.test(problem.message)));
  });
});

describe('syntax errors', () => {
  test('at most 100 YAML errors of a file are listed, and the rest counted', (t) => {
    const dir = dirWith(t, { 'web.yaml': `command: x\nx: ${'&a '.repeat(300)}y\n` });
    const problems = problemsOf(dir);
    assert.equal(problems.length, 101);
    assert.match(problems[100]!.message, /^\.\.\. and \d+ more problems in this file, not shown$/);
  });
});

describe('a key with its own mistake', () => {
  // Found by config-property.test.ts (seed -264172094): the depth check read the key of
  // a file cut short inside a quoted key, and yaml threw instead of reporting it.
  test('an unclosed quote in a key is a YAML syntax error at the quote, not an internal error', (t) => {
    const problem = onlyProblemSeen(t, { 'web.yaml': 'command: x\n"": false\n"  ' });
    assert.equal(problem.file, 'web.yaml');
    assert.equal(problem.line, 3);
    assert.match(problem.message, /^YAML syntax error: this " is not closed/);
  });
});
