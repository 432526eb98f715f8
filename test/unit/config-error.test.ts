import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, formatProblem, type ConfigProblem } from '../../src/config/config-error.js';

describe('formatProblem', () => {
  test('formatProblem: "file:line:col: path: message", the source line, then a caret under the column', () => {
    const text = formatProblem({
      file: 'services.d/web.yaml',
      line: 2,
      col: 10,
      path: 'restart',
      message: 'expected one of always, on-failure, never, got "alway"',
      source: 'restart: alway',
    });
    assert.equal(
      text,
      ['services.d/web.yaml:2:10: restart: expected one of always, on-failure, never, got "alway"', '  2 | restart: alway', '               ^'].join('\n'),
    );
  });

  test('formatProblem: the caret is under the column, whatever the width of the line number', () => {
    for (const line of [7, 12, 1234]) {
      const source = 'stop_timeout: soon';
      const [, shown, caret] = formatProblem({ file: 'f', line, col: 15, path: 'stop_timeout', message: 'm', source }).split('\n');
      assert.ok(shown !== undefined && caret !== undefined);
      assert.equal(caret.length, shown.indexOf(source) + 15);
      assert.equal(caret.trimStart(), '^');
      assert.equal(shown[caret.length - 1], 's', `line ${line}: the caret is under the value`);
    }
  });

  test('formatProblem: column 1 puts the caret under the first character', () => {
    const [, shown, caret] = formatProblem({ file: 'f', line: 3, col: 1, path: 'restrat', message: 'm', source: 'restrat: x' }).split('\n');
    assert.equal(shown, '  3 | restrat: x');
    assert.equal(caret, '      ^');
  });

  test('formatProblem: without a path the head is "file:line:col: message"', () => {
    const text = formatProblem({ file: 'a.yaml', line: 3, col: 4, message: 'YAML syntax error: x', source: 'x: : y' });
    assert.equal(text, 'a.yaml:3:4: YAML syntax error: x\n  3 | x: : y\n         ^');
  });

  test('formatProblem: a whole-file problem is one line "file: message"', () => {
    assert.equal(formatProblem({ file: 'b.yaml', message: 'the file is empty' }), 'b.yaml: the file is empty');
  });

  test('formatProblem: with a position but no source line, only the head is shown', () => {
    assert.equal(formatProblem({ file: 'c.yaml', line: 5, col: 2, path: 'command', message: 'm' }), 'c.yaml:5:2: command: m');
  });

  test('formatProblem: a line without a column is shown as column 1, without a caret', () => {
    assert.equal(formatProblem({ file: 'c.yaml', line: 5, message: 'm', source: 'x' }), 'c.yaml:5:1: m');
  });
});

describe('ConfigError', () => {
  test('ConfigError: keeps the problems and its message is every problem formatted, one after another', () => {
    const problems: ConfigProblem[] = [
      { file: 'a.yaml', message: 'the file is empty' },
      { file: 'b.yaml', line: 1, col: 1, path: 'restrat', message: 'unknown key', source: 'restrat: x' },
    ];
    const error = new ConfigError(problems);
    assert.ok(error instanceof Error);
    assert.equal(error.name, 'ConfigError');
    assert.equal(error.code, 'CONFIG_INVALID');
    assert.deepEqual(error.problems, problems);
    assert.equal(error.message, 'a.yaml: the file is empty\nb.yaml:1:1: restrat: unknown key\n  1 | restrat: x\n      ^');
  });
});
